#!/bin/bash
# Runs the real Claude Code CLI against real stdio MCP servers in a throwaway
# home, and leaves what the client wrote in OUTDIR/home.
#
#   tests/client/run_client.sh OUTDIR
#
# OUTDIR must not exist or be empty. Needs the client installed by
# tests/deps.sh (CLAUDE, else MCPLOG_TEST_PREFIX, overrides where it is),
# python3 and tmux.
#
# Real: the client (@anthropic-ai/claude-code, the version in tests/deps.sh),
# its files, the servers (tests/client/mcp_server.py, real processes speaking
# MCP over stdio), the tmux-driven interactive session. A stand-in: the
# model API. No real model can run here, so every client command talks to
# tests/client/api_standin.py on 127.0.0.1, a scripted server that speaks
# just enough of the Messages API (streaming SSE) to make `claude -p` and
# the interactive session call the named MCP tools and then finish.
#
# Steps (each client process writes one new connection log per server):
#   add          `claude mcp add` of the six servers (local scope, cwd OUTDIR/proj)
#   list         `claude mcp list`                      MCP_TIMEOUT=3000
#   list-debug   `claude mcp list` with DEBUG=1 (writes ~/.claude/debug/*.txt;
#                `claude --debug mcp list` would run `list` as a prompt)
#   print-debug  `claude -p --debug`: chat (ok), debug (fails), boom (kills dies)
#   tui          interactive in tmux: a prompt that calls boom, then /mcp ->
#                Reconnect of crash, missing, slow and dies
# OUTDIR/steps/STEP.* keeps each step's output, the new files it made and
# the server processes still alive after it (then ended). OUTDIR/run.log
# has the timings. Exit 0 when every step did what it should, 1 otherwise.
set -eu

if [ $# -ne 1 ]; then
    echo "usage: tests/client/run_client.sh OUTDIR" >&2
    exit 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(realpath -m "$1")
if [ -e "$OUT" ] && [ -n "$(ls -A "$OUT")" ]; then
    echo "run_client: $OUT is not empty" >&2
    exit 2
fi
CLAUDE=${CLAUDE:-${MCPLOG_TEST_PREFIX:-/opt/mcplog-test}/npm/node_modules/.bin/claude}
if [ ! -x "$CLAUDE" ]; then
    echo "run_client: no client at $CLAUDE; run: sh tests/deps.sh" >&2
    exit 2
fi
# The interpreter itself, not a shim that might look at HOME.
PY=$(python3 -c 'import sys; print(sys.executable)')
TIMEOUT_MS=3000
# Unique per run: on every server's command line and in its PID file name.
TAG="mcplogct-$$-$(date +%s%N)"

mkdir -p "$OUT"/home/.cache "$OUT"/home/.config "$OUT"/home/.local/share \
    "$OUT"/home/.local/state "$OUT"/tmp "$OUT"/proj "$OUT"/pids "$OUT"/steps \
    "$OUT"/hestai-mcp-server
# Like the real checkout: <repo>/server.py, which logs into <repo>/logs/.
cp "$HERE"/mcp_server.py "$OUT"/hestai-mcp-server/server.py
SRV="$HERE"/mcp_server.py
START=$(date +%s%N)
STATUS=0
TMUX_SOCK="$OUT"/tmux.sock
API_PID=""

log() {
    printf '%6d ms  %s\n' $((($(date +%s%N) - START) / 1000000)) "$*" >>"$OUT"/run.log
}
bad() {
    log "FAIL: $*"
    echo "run_client: FAIL: $*" >&2
    STATUS=1
}

# The client's environment: nothing of the caller's but PATH and LANG. The
# model API is the stand-in on 127.0.0.1 (PORT) for every command: without
# ANTHROPIC_BASE_URL even `mcp list` looks up api.anthropic.com.
KEY=sk-ant-test-standin-0000000000
client_env() {
    CLIENT_ENV=(env -i PATH="$PATH" LANG=C.UTF-8 TERM=xterm-256color
        HOME="$OUT"/home TMPDIR="$OUT"/tmp
        XDG_CONFIG_HOME="$OUT"/home/.config XDG_CACHE_HOME="$OUT"/home/.cache
        XDG_DATA_HOME="$OUT"/home/.local/share XDG_STATE_HOME="$OUT"/home/.local/state
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 MCP_TIMEOUT="$TIMEOUT_MS"
        ANTHROPIC_BASE_URL="http://127.0.0.1:$PORT" ANTHROPIC_API_KEY="$KEY")
}
client() {
    client_env
    "${CLIENT_ENV[@]}" "$@"
}

# Every file the client wrote so far, relative to OUTDIR/home.
files() {
    (cd "$OUT"/home && find . -type f \( -path './.cache/claude-cli-nodejs/*' \
        -o -path './.claude/debug/*' -o -path './.claude/projects/*' \) | sort)
}

slug() { # the client's name for a folder: every [^A-Za-z0-9] becomes -
    printf '%s' "$1" | tr -c 'A-Za-z0-9' '-'
}

pidfiles() {
    find "$OUT"/pids -type f -printf '%f\n' | sort
}

# mark STEP before a step, collect STEP after it: steps/STEP.files lists the
# client files the step made, steps/STEP.pids the test servers it started.
mark() {
    files >"$OUT/steps/$1.before"
    pidfiles >"$OUT/steps/$1.pids-before"
}
collect() {
    files | comm -13 "$OUT/steps/$1.before" - >"$OUT/steps/$1.files"
    pidfiles | comm -13 "$OUT/steps/$1.pids-before" - >"$OUT/steps/$1.pids"
    rm -f "$OUT/steps/$1.before" "$OUT/steps/$1.pids-before"
}

# Ends the servers of this run that are still alive, by PID (procs.py), and
# records them (mode, PID, parent) in steps/STEP.alive.
reap() {
    "$PY" "$HERE"/procs.py reap --pid-dir "$OUT"/pids --tag "$TAG" --out "$OUT/steps/$1.alive"
}

stop_api() {
    if [ -n "$API_PID" ]; then
        kill "$API_PID" 2>/dev/null || true
        wait "$API_PID" 2>/dev/null || true
        API_PID=""
    fi
}

# shellcheck disable=SC2317 # (run by the trap)
cleanup() {
    stop_api
    if [ -S "$TMUX_SOCK" ]; then
        tmux -S "$TMUX_SOCK" kill-server 2>/dev/null || true
    fi
    reap final
    rm -f "$TMUX_SOCK"
}
trap cleanup EXIT

# Starts the model API stand-in; sets API_PID and PORT.
start_api() {
    name=$1 tools=$2 delay=$3
    rm -f "$OUT/$name.port"
    "$PY" "$HERE"/api_standin.py --port-file "$OUT/$name.port" --log "$OUT/$name.log" \
        --tools "$tools" --first-delay "$delay" --max-requests 40 --max-seconds 60 2>"$OUT/$name.err" &
    API_PID=$!
    for _ in $(seq 200); do
        [ -s "$OUT/$name.port" ] && break
        sleep 0.05
    done
    if [ ! -s "$OUT/$name.port" ]; then
        bad "the stand-in $name did not start"
        exit 1
    fi
    PORT=$(cat "$OUT/$name.port")
}

# Runs one client step: STEP then the command; keeps its output, its new
# files and the servers it left running.
step() {
    name=$1
    shift
    mark "$name"
    log "start $name"
    rc=0
    (cd "$OUT"/proj && client timeout 60 "$@") \
        >"$OUT/steps/$name.out" 2>"$OUT/steps/$name.err" </dev/null || rc=$?
    echo "$rc" >"$OUT/steps/$name.rc"
    log "end $name rc=$rc"
    sleep 0.5
    reap "$name"
    collect "$name"
    [ "$rc" -eq 0 ] || bad "$name exited $rc"
}

add() { # NAME MODE [SCRIPT]: registers a test server (local scope)
    client timeout 30 "$CLAUDE" mcp add "$1" -- "$PY" "${3:-$SRV}" --mode "$2" --tag "$TAG" \
        --pid-dir "$OUT"/pids
}

VERSION=$(HOME=/nonexistent "$CLAUDE" --version 2>/dev/null)
log "client $VERSION tag $TAG"

# The stand-in the set-up and the health checks point at (no tool script).
start_api api-setup "" 0
# 1. add: the six servers, local scope.
mark add
(
    cd "$OUT"/proj
    add hestai_server hestai "$OUT"/hestai-mcp-server/server.py || exit 1
    add crash crash || exit 1
    add slow slow || exit 1
    add noisy stdout || exit 1
    add dies dies || exit 1
    client timeout 30 "$CLAUDE" mcp add missing -- "$OUT"/nonexistent/bin/mcp-server || exit 1
) >"$OUT/steps/add.out" 2>"$OUT/steps/add.err" </dev/null || bad "mcp add failed"
collect add
log "end add"

# 2. list, 3. list-debug: health checks; no model API needed.
step list "$CLAUDE" mcp list
step list-debug env DEBUG=1 "$CLAUDE" mcp list
stop_api

# 4. print-debug: tool calls through the stand-in.
TOOLS=mcp__hestai_server__chat,mcp__hestai_server__debug,mcp__dies__boom
# The first answer waits 3 s, so the slow server's time-out (3 s after its
# start) falls inside this client process too.
start_api api-print "$TOOLS" 3
step print-debug "$CLAUDE" -p "Call the MCP tools chat, debug and boom." --debug \
    --allowedTools "$TOOLS"
stop_api

# 5. tui: the interactive client in tmux (a private tmux server).
# Onboarding, the folder trust dialog and the API key question would each
# stop the session, so the registration file says they were done.
"$PY" - "$OUT"/home/.claude.json "$OUT"/proj $KEY "${VERSION%% *}" <<'EOF'
import json, sys
p, proj, key, version = sys.argv[1:5]
d = json.load(open(p))
d["hasCompletedOnboarding"] = True
d["lastOnboardingVersion"] = version
d["customApiKeyResponses"] = {"approved": [key[-20:]], "rejected": []}
d["projects"][proj]["hasTrustDialogAccepted"] = True
json.dump(d, open(p, "w"), indent=2)
EOF
start_api api-tui mcp__dies__boom 0
mark tui
CACHE="$OUT/home/.cache/claude-cli-nodejs/$(slug "$OUT/proj")"
LAST=$(find "$CACHE" -name '*.jsonl' -printf '%f\n' | sort | tail -n 1)
log "start tui"
client_env
tmux -S "$TMUX_SOCK" -f /dev/null new-session -d -s client -x 200 -y 50 -c "$OUT"/proj \
    "${CLIENT_ENV[@]}" "$CLAUDE" --allowedTools mcp__dies__boom
rc=0
timeout 80 "$PY" "$HERE"/drive_tui.py --socket "$TMUX_SOCK" --session client \
    --out "$OUT"/steps --reconnect crash,missing,slow,dies \
    --prompt "Call the MCP tool boom." --expect "done." --timeout-ms $TIMEOUT_MS \
    --pid-dir "$OUT"/pids --tag "$TAG" --alive-out "$OUT"/steps/tui.alive-before-exit \
    --settle "$CACHE" --servers 6 --after "$LAST" \
    >"$OUT"/steps/tui.out 2>"$OUT"/steps/tui.err || rc=$?
echo "$rc" >"$OUT"/steps/tui.rc
log "end tui rc=$rc"
tmux -S "$TMUX_SOCK" kill-server 2>/dev/null || true
stop_api
sleep 0.5
reap tui
collect tui
[ "$rc" -eq 0 ] || bad "tui exited $rc"

log "done status=$STATUS"
exit $STATUS
