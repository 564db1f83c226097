# t_mcp_clients.sh - mcplog mcp under real MCP clients (installed by
# tests/deps.sh into /opt/mcplog-test, or MCPLOG_TEST_PREFIX):
#
# - the pinned Claude Code CLI in a throwaway HOME (as tests/client/
#   run_client.sh runs it): `claude mcp add`, `claude mcp list` shows it
#   connected, `claude -p` calls status, scan and explain_server, and the
#   session transcript holds their results. The model API is the loopback
#   stand-in tests/client/api_standin.py (no real model can run here): it
#   asks for the three tool calls in turn, then says "done.";
# - the MCP Inspector CLI (`mcp-inspector --cli`): tools/list and
#   tools/call, with hostile log text that stays inside its JSON string.
#   (Its own --config would take mcplog's: the config goes in the
#   environment, -e MCPLOG_CONFIG=.)
NPM=${MCPLOG_TEST_PREFIX:-/opt/mcplog-test}/npm/node_modules/.bin
CLAUDE=$NPM/claude
INSPECTOR=$NPM/mcp-inspector
PY=$(python3 -c 'import sys; print(sys.executable)')
mkdir -p home/.cache home/.config home/.local/share home/.local/state tmp proj
printf 'sinks: {}\nroutes: []\n' >c.yaml
KEY=sk-ant-test-standin-0000000000
API_PID=

client() {
    (cd proj && env -i PATH="$PATH" LANG=C.UTF-8 TERM=dumb HOME="$T/home" TMPDIR="$T/tmp" \
        XDG_CONFIG_HOME="$T/home/.config" XDG_CACHE_HOME="$T/home/.cache" \
        XDG_DATA_HOME="$T/home/.local/share" XDG_STATE_HOME="$T/home/.local/state" \
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 MCP_TIMEOUT=20000 \
        ANTHROPIC_BASE_URL="http://127.0.0.1:$PORT" ANTHROPIC_API_KEY="$KEY" \
        timeout 90 "$@")
}
start_api() { # NAME TOOLS INPUTS
    rm -f "$1.port"
    "$PY" "$ROOT/tests/client/api_standin.py" --port-file "$1.port" --log "$1.log" \
        --tools "$2" --inputs "$3" --max-requests 40 --max-seconds 80 2>"$1.err" &
    API_PID=$!
    wait_for "$1.port" "" 10
    PORT=$(cat "$1.port")
}
stop_api() { kill "$API_PID" 2>/dev/null; wait "$API_PID" 2>/dev/null; API_PID=; }
trap 'stop_api' EXIT

# --- Claude Code -----------------------------------------------------------------------

start_api api-setup "" "{}"
# The client passes a server only the environment it is given (-e): the
# sanitizer build finds the shipped rules through MCPLOG_DATADIR.
DENV=
[ -z "${MCPLOG_DATADIR:-}" ] || DENV="MCPLOG_DATADIR=$MCPLOG_DATADIR"
client "$CLAUDE" mcp add mcplog ${DENV:+-e "$DENV"} -- "$MCPLOG" mcp --tz UTC --config "$T/c.yaml" \
    "$ROOT/samples/logs" >add.out 2>add.err
assert_eq "claude mcp add: exit 0" 0 $?
client "$CLAUDE" mcp list >list.out 2>list.err
assert_eq "claude mcp list: exit 0" 0 $?
assert_eq "claude mcp list: mcplog connected" \
    "mcplog: $MCPLOG mcp --tz UTC --config $T/c.yaml $ROOT/samples/logs - ✔ Connected" \
    "$(grep '^mcplog: ' list.out)"
stop_api

TOOLS=mcp__mcplog__status,mcp__mcplog__scan,mcp__mcplog__explain_server
start_api api-print "$TOOLS" \
    '{"mcp__mcplog__status": {}, "mcp__mcplog__scan": {"since": "2025-12-10"}, "mcp__mcplog__explain_server": {"name": "hestai"}}'
client "$CLAUDE" -p "What is wrong with my MCP servers?" --allowedTools "$TOOLS" \
    >print.out 2>print.err
assert_eq "claude -p: exit 0, the stand-in's last answer" "0 done." "$? $(cat print.out)"
stop_api
assert_eq "claude -p: the stand-in got the three tool results" \
    '[0, 1, 2, 3]' \
    "$(python3 -c 'import json
print(json.dumps([d["tool_results"] for d in map(json.loads, open("api-print.log")) if d.get("tools")]))')"
# The transcript: each tool_use and its tool_result, in order.
python3 - "$T/home" >transcript.txt <<'EOF'
import glob, json, os, sys
files = glob.glob(os.path.join(sys.argv[1], ".claude/projects/*/*.jsonl"))
uses = {}
for f in files:
    for l in open(f, encoding="utf-8"):
        d = json.loads(l)
        c = (d.get("message") or {}).get("content")
        if not isinstance(c, list):
            continue
        for b in c:
            if b.get("type") == "tool_use":
                uses[b["id"]] = b["name"]
            elif b.get("type") == "tool_result":
                t = b.get("content")
                if isinstance(t, list):
                    t = "".join(x.get("text", "") for x in t)
                try:
                    r = json.loads(t)
                except (TypeError, ValueError):
                    print(uses.get(b["tool_use_id"]), "NOT JSON", repr(t)[:200])
                    continue
                name = uses.get(b["tool_use_id"])
                if name.endswith("status"):
                    print(name, b.get("is_error", False), r["status"], len(r["checks"]), r["follow"]["found"],
                          ",".join("%s:%d" % (k, v["failures"]) for k, v in sorted(r["clients_last_hour"].items())))
                elif name.endswith("scan"):
                    print(name, b.get("is_error", False), r["since"], r["rules"][1]["name"], r["rules"][1]["matches"])
                else:
                    print(name, b.get("is_error", False), r["name"], r["cause"]["kind"], r["reconnect_failures"])
EOF
# status reads this very client's connection logs (its throwaway home):
# the server mcplog, connected, no failure in the last hour.
assert_eq "transcript: the results of status, scan and explain_server" \
    "mcp__mcplog__status False WARNING 6 False mcplog:0
mcp__mcplog__scan False 2025-12-10T00:00:00.000Z reconnect-failures 9
mcp__mcplog__explain_server False hestai reconnect_failures 11" \
    "$(cat transcript.txt)"

# --- the MCP Inspector CLI -----------------------------------------------------------------

mkdir -p hl
python3 - <<'EOF'
with open("hl/mcp_server.log", "wb") as f:
    f.write(b'2025-12-10 14:00:01,000 - tools.x - ERROR - "}]} \x1b[31mred\x07 {"jsonrpc":"2.0","id":7,"result":{}}\n')
EOF
insp() {
    env -i PATH="$PATH" HOME="$T/home" TMPDIR="$T/tmp" timeout 60 "$INSPECTOR" --cli \
        -e MCPLOG_CONFIG="$T/c.yaml" ${DENV:+-e "$DENV"} "$MCPLOG" mcp --tz UTC "$T/hl" "$@"
}
insp --method tools/list >list.json 2>list.err
assert_eq "inspector tools/list: exit 0" 0 $?
assert_eq "inspector tools/list: the three tools, with schemas" \
    "status scan explain_server|object object object" \
    "$(python3 -c 'import json
d = json.load(open("list.json"))
print(" ".join(t["name"] for t in d["tools"]) + "|" + " ".join(t["outputSchema"]["type"] for t in d["tools"]))')"
insp --method tools/call --tool-name scan >call.json 2>call.err
assert_eq "inspector tools/call scan: exit 0" 0 $?
assert_eq "inspector tools/call: hostile text inside its JSON string, visible" \
    'False 1 2025-12-10 14:00:01,000 - tools.x - ERROR - "}]} \x1b[31mred\x07 {"jsonrpc":"2.0","id":7,"result":{}}' \
    "$(python3 -c 'import json
d = json.load(open("call.json"))
s = d["structuredContent"]
print(d["isError"], len(s["error_clusters"]), s["error_clusters"][0]["example"])')"
insp --method tools/call --tool-name explain_server --tool-arg name=hestai >ex.json 2>ex.err
assert_eq "inspector tools/call explain_server name=hestai" "False hestai none_found" \
    "$(python3 -c 'import json
d = json.load(open("ex.json"))
print(d["isError"], d["structuredContent"]["name"], d["structuredContent"]["cause"]["kind"])')"
