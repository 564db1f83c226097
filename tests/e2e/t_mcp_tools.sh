# t_mcp_tools.sh - the status and cleanup tools of mcplog mcp against
# dummy servers this test starts (tests/e2e/proc/, unique names, only
# their PIDs ever signalled) and a real follow checkpoint: the dry run and
# its plan id, a made-up id and a stale plan refused with nothing
# signalled, a confirmed run that signals exactly the planned PIDs.
. "$ROOT/tests/e2e/proc/lib.sh"
# A throwaway home: the tools read the clients' logs found there (none).
mkdir -p "$T/home"
TALK="env -u XDG_CACHE_HOME -u XDG_CONFIG_HOME -u CLAUDE_CONFIG_DIR HOME=$T/home python3 $ROOT/tests/e2e/mcp_talk.py"
INIT='{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18"}}'
new_server
printf 'mcp: {allow_cleanup: true}\n' >>c.yaml

rget() { python3 "$ROOT/tests/e2e/jget.py" out.jsonl "$2" "$1"; }
sc() { rget "$1" "result.structuredContent.$2"; }
# talk REQUEST...: one session of mcplog mcp with these requests after
# initialize; the answers in out.jsonl
talk() {
    { echo "$INIT"; for r in "$@"; do echo "$r"; done; } >script
    $TALK script out.jsonl -- "$MCPLOG" mcp --tz UTC --config c.yaml \
        --state "$T/st" "$SRV/logs" 2>err
}
call() { # ID TOOL ARGS-JSON
    printf '{"jsonrpc":"2.0","id":%s,"method":"tools/call","params":{"name":"%s","arguments":%s}}' "$1" "$2" "$3"
}
# "pid result" of a cleanup response, sorted
plan_results() {
    python3 - "$1" <<'EOF'
import json, sys
for l in open("out.jsonl"):
    d = json.loads(l)
    if d.get("id") == int(sys.argv[1]):
        for p in sorted(d["result"]["structuredContent"]["plan"]["processes"], key=lambda p: p["pid"]):
            print(p["pid"], p["action"], p["result"])
EOF
}
alive_all() { for p in "$@"; do alive "$p" && printf '%s ' "$p"; done; }

# --- status: health and a real follow checkpoint ---------------------------------

for i in 1 2 3 4 5 6; do echo "$(now_ts) - Failed to reconnect to hestai."; done >"$SRV/logs/mcp_server.log"
"$MCPLOG" follow --json --state "$T/st" --from-start "$SRV/logs" >follow.json 2>&1 &
FP=$!
wait_for follow.json '"rule":"reconnect-failures"' 10
sleep 0.3
kill -TERM "$FP"
wait "$FP"
talk "$(call 1 status '{}')"
assert_eq "status: exit 0, only protocol on stdout" 0 $?
assert_eq "status: health's checks, the reconnects CRITICAL" \
    "CRITICAL reconnects CRITICAL 6 processes CRITICAL 0" \
    "$(sc 1 status) $(sc 1 checks.3.name) $(sc 1 checks.3.status) $(sc 1 checks.3.value) $(sc 1 checks.0.name) $(sc 1 checks.0.status) $(sc 1 checks.0.value)"
assert_eq "status: follow's firing alert, read from its checkpoint" \
    "true 1 reconnect-failures critical hestai 6 null" \
    "$(sc 1 follow.found) $(sc 1 follow.firing_total) $(sc 1 follow.firing.0.rule) $(sc 1 follow.firing.0.severity) $(sc 1 follow.firing.0.labels.server) $(sc 1 follow.firing.0.count) $(sc 1 follow.firing.0.end)"
assert_eq "status: the checkpoint is left as it was" "0" "$(ls "$T"/st.* 2>/dev/null | grep -vc '\.lock$')"

# --- cleanup: the dry run ---------------------------------------------------------------

start_py s1 "$T" DUMMY_MARK="$T/s1.mark" "$PY" "$SRV/server.py"
S1=$P
start_py s2 "$T" DUMMY_MARK="$T/s2.mark" "$PY" "$SRV/server.py"
S2=$P
start_py s3 "$T" DUMMY_MARK="$T/s3.mark" "$PY" "$SRV/server.py"
S3=$P
mkdir -p "$T/other"
cp "$ROOT/tests/e2e/proc/server.py" "$T/other/server.py"
start_py d1 "$T" DUMMY_MARK="$T/d1.mark" "$PY" "$T/other/server.py"   # not ours
D1=$P

talk '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' "$(call 2 cleanup '{}')"
assert_eq "tools/list: cleanup offered when allowed, destructive" \
    "cleanup False True" \
    "$(rget 1 result.tools.3.name) $(python3 -c 'import json
for l in open("out.jsonl"):
    d = json.loads(l)
    if d["id"] == 1: a = d["result"]["tools"][3]["annotations"]; print(a["readOnlyHint"], a["destructiveHint"])')"
ID1=$(sc 2 plan_id)
assert_eq "dry run: a plan, nothing signalled, S3 (newest) kept" \
    "false 2 $S3 newest" \
    "$(sc 2 confirmed) $(sc 2 terminate) $(sc 2 plan.keep) $(sc 2 plan.keep_reason)"
assert_eq "dry run: each process planned" \
    "$(sorted_lines "$S1 terminate planned" "$S2 terminate planned" "$S3 keep kept")" \
    "$(plan_results 2)"
assert_eq "dry run: a plan id" 1 "$(echo "$ID1" | grep -c '^plan-[0-9a-f]\{16\}$')"
assert_eq "dry run: every process alive" "$S1 $S2 $S3 $D1 " "$(alive_all $S1 $S2 $S3 $D1)"

# --- refused: a made-up id, confirm without an id, a stale plan --------------------------

talk "$(call 1 cleanup '{"confirm":true,"plan_id":"plan-0000000000000000"}')" \
    "$(call 2 cleanup '{"confirm":true}')"
assert_eq "confirm with another plan's id: refused, nothing signalled" \
    "true refused: the plan changed since plan-0000000000000000 (other processes or start times); nothing signalled. The plan now is $ID1: run cleanup without confirm to show it" \
    "$(rget 1 result.isError) $(rget 1 result.content.0.text)"
assert_eq "confirm without a plan id: refused" \
    "true confirm needs the plan_id of a dry run (call cleanup without confirm first and show the user its plan)" \
    "$(rget 2 result.isError) $(rget 2 result.content.0.text)"
start_py s4 "$T" DUMMY_MARK="$T/s4.mark" "$PY" "$SRV/server.py"
S4=$P
talk "$(call 1 cleanup "{\"confirm\":true,\"plan_id\":\"$ID1\"}")"
assert_eq "a new server since the dry run: the plan is stale, refused" \
    "true refused: the plan changed since $ID1" \
    "$(rget 1 result.isError) $(rget 1 result.content.0.text | cut -d'(' -f1 | sed 's/ $//')"
assert_eq "refused: every process alive, no signal received" \
    "$S1 $S2 $S3 $S4 $D1 |" "$(alive_all $S1 $S2 $S3 $S4 $D1)|$(cat "$T"/*.mark 2>/dev/null)"

# --- the confirmed run --------------------------------------------------------------------

talk "$(call 1 cleanup '{}')"
ID2=$(sc 1 plan_id)
assert_eq "the new dry run: a new id, S4 kept" "1 $S4" \
    "$([ "$ID2" != "$ID1" ] && echo 1) $(sc 1 plan.keep)"
talk "$(call 1 cleanup "{\"confirm\":true,\"plan_id\":\"$ID2\"}")"
assert_eq "confirmed: not an error, its id" "false true $ID2" \
    "$(rget 1 result.isError) $(sc 1 confirmed) $(sc 1 plan_id)"
assert_eq "confirmed: the planned processes terminated, the keeper kept" \
    "$(sorted_lines "$S1 terminate terminated" "$S2 terminate terminated" "$S3 terminate terminated" "$S4 keep kept")" \
    "$(plan_results 1)"
finish $S1 $S2 $S3
assert_eq "confirmed: each planned PID got one SIGTERM (exit 143)" "143 143 143|TERM TERM TERM" \
    "$RS|$(cat "$T/s1.mark" "$T/s2.mark" "$T/s3.mark" | tr '\n' ' ' | sed 's/ $//')"
assert_eq "confirmed: the keeper and the other server untouched" "$S4 $D1 |no no" \
    "$(alive_all $S4 $D1)|$([ -e "$T/s4.mark" ] && echo yes || echo no) $([ -e "$T/d1.mark" ] && echo yes || echo no)"
assert_eq "confirmed: its notices on stderr, one SIGTERM line per planned PID" \
    "$(for p in $(echo "$S1 $S2 $S3" | tr ' ' '\n' | sort -n); do echo "mcplog: cleanup: $p: SIGTERM sent"; done)" \
    "$(grep 'SIGTERM sent' err | sort -t: -k3 -n)"
