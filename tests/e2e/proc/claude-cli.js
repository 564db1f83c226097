// A stand-in for Claude Code's cli.js (tests/e2e/t_orphans.sh copies it
// to .../@anthropic-ai/claude-code/cli.js and runs it with node): like a
// client, it starts the server named on its command line with stdin and
// stdout as pipes, then stays, holding them. It writes its PID to the
// file CLIENT_PID names first. It never signals anything.
"use strict";
const fs = require("fs");
const { spawn } = require("child_process");

fs.writeFileSync(process.env.CLIENT_PID, String(process.pid) + "\n");
spawn(process.argv[2], process.argv.slice(3), {
    stdio: ["pipe", "pipe", "inherit"],
});
setInterval(() => {}, 1 << 30);
