# t_probes.sh - follow's probes (probes.h) and the cleanup action
# (action.h): dummy servers this test starts itself (tests/e2e/proc/
# server.py, run from a folder of its own that the config names as
# server.dir, so nothing else on the machine can match) are counted every
# 200 ms; the probe lines go through the rules (the shipped
# rules/probes.yaml, or overrides with short windows) and the routes like
# log lines. Only the PIDs started here are ever signalled: by this test,
# or by the cleanup follow starts when the config allows it.
R=$$-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
SRV=$T/srv-$R
LOGS=$T/logs
PY=$(command -v python3)
mkdir -p "$SRV" "$LOGS"
cp "$ROOT/tests/e2e/proc/server.py" "$SRV/server.py"
: >"$LOGS/mcp_server.log"
: >"$LOGS/mcp_activity.log"

PIDS=
FOLLOW=
trap 'for p in $FOLLOW $PIDS; do kill -KILL "$p" 2>/dev/null; done' EXIT

wait_file() {
    _i=0
    while [ ! -e "$1" ] && [ $_i -lt 200 ]; do sleep 0.05; _i=$((_i + 1)); done
}

# start NAME: a dummy server in $SRV; its PID in $P once it is ready
start() {
    (cd "$SRV" && exec env DUMMY_READY="$T/ready.$1" "$PY" "$SRV/server.py" \
        >/dev/null 2>&1) &
    P=$!
    PIDS="$PIDS $P"
    wait_file "$T/ready.$1"
}

# reap PID...: wait for dummies that ended (or were ended), their exit
# statuses in $RS (143: SIGTERM); they are no longer ours to signal
reap() {
    RS=
    for _p in "$@"; do
        wait "$_p" 2>/dev/null
        RS="${RS:+$RS }$?"
        _n=
        for p in $PIDS; do [ "$p" = "$_p" ] || _n="$_n $p"; done
        PIDS=$_n
    done
}

# stop PID...: SIGTERM to dummies started here, then reap them
stop() {
    for _p in "$@"; do kill -TERM "$_p"; done
    reap "$@"
}

alive() {
    s=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
    [ -n "$s" ] && [ "$s" != Z ]
}

# follow_start OUT ARGS...: mcplog follow --json in the background
follow_start() {
    _o=$1
    FOUT=$1
    shift
    "$MCPLOG" follow --no-state --json "$@" "$LOGS" >"$_o" 2>"$_o.err" &
    FOLLOW=$!
}

# follow_stop: SIGTERM, which must end follow with 0 (a sanitizer's
# report would not)
follow_stop() {
    kill -TERM "$FOLLOW"
    wait "$FOLLOW"
    FRC=$?
    FOLLOW=
    assert_eq "follow ($FOUT) ends with 0 on SIGTERM" 0 "$FRC"
}

# transitions FILE: "rule:status" of the alert lines (no updates), in order
transitions() {
    python3 -c 'import json,sys
out=[]
for l in open(sys.argv[1]):
    o=json.loads(l)
    if o.get("type")=="alert" and o["status"] in ("firing","resolved"):
        out.append(o["rule"]+":"+o["status"])
print(" ".join(out))' "$1"
}

# wait_trans FILE WANT: poll (10 s at most) until the transitions of FILE
# are WANT
wait_trans() {
    _i=0
    while [ "$(transitions "$1")" != "$2" ] && [ $_i -lt 200 ]; do
        sleep 0.05
        _i=$((_i + 1))
    done
}

# alert FILE RULE FIELD: FIELD of RULE's first firing alert line
alert() {
    python3 -c 'import json,sys
for l in open(sys.argv[1]):
    o=json.loads(l)
    if o.get("type")=="alert" and o["rule"]==sys.argv[2] and o["status"]=="firing":
        v=o
        for k in sys.argv[3].split("."):
            v=v[k]
        print(v)
        break' "$1" "$2" "$3"
}

# notices FILE: the notice messages, one per line
notices() {
    python3 -c 'import json,sys
for l in open(sys.argv[1]):
    o=json.loads(l)
    if o.get("type")=="notice":
        print(o["message"])' "$1"
}

cat >p.yaml <<EOF
sinks:
  journal: {type: file, path: $T/alerts.jsonl}
routes:
  - sinks: [terminal, journal]
server: {dir: $SRV}
probes: {interval: 200ms}
EOF

# --- the shipped probe rules ---------------------------------------------------

start a
S1=$P
start b
S2=$P
start c
S3=$P
follow_start one.json --config p.yaml
wait_for one.json '"rule":"stale-processes"' 10
wait_for "$T/alerts.jsonl" '"stale-processes"' 10
follow_stop
assert_eq "3 servers: stale-processes fires (and nothing else)" \
    "stale-processes:firing" "$(transitions one.json)"
assert_eq "stale-processes: severity" warning \
    "$(alert one.json stale-processes severity)"
assert_eq "stale-processes: the summary names the processes" \
    "3 MCP server processes running (more than 2): pids $S1,$S2,$S3" \
    "$(alert one.json stale-processes summary)"
assert_eq "probe lines are not shown as events" 0 \
    "$(grep -c '"type":"event"' one.json)"
assert_contains "routed to the file sink too" "$T/alerts.jsonl" \
    "3 MCP server processes running (more than 2): pids $S1,$S2,$S3"
assert_eq "the probes signal nothing" "yes yes yes" \
    "$(for p in $S1 $S2 $S3; do alive "$p" && printf yes || printf no; done | sed 's/yes/yes /g; s/ $//')"

stop "$S1" "$S2" "$S3"
follow_start none.json --config p.yaml
wait_for none.json '"rule":"no-server"' 10
follow_stop
assert_eq "no server: no-server fires" "no-server:firing" \
    "$(transitions none.json)"
assert_eq "no-server: critical" critical "$(alert none.json no-server severity)"
assert_eq "no-server: the summary" \
    "no MCP server running (0 processes, at least 1 expected)" \
    "$(alert none.json no-server summary)"

# --- firing and resolving (short windows) ---------------------------------------

cat >short.yaml <<'EOF'
rules:
  - name: stale-processes
    source: probe
    match: '^probe stale-processes procs=(?<procs>\d+) max=(?<max>\d+) pids=(?<pids>[0-9,]+)$'
    threshold: {count: 0, window: 1s}
    severity: warning
    summary: '{procs} servers: {pids}'
  - name: no-server
    source: probe
    match: '^probe no-server procs=(?<procs>\d+) min=(?<min>\d+)$'
    threshold: {count: 0, window: 1s}
    severity: critical
  - name: server-memory-high
    source: probe
    match: '^probe server-memory-high pid=(?<pid>\d+) rss=(?<rss>.+) limit=(?<limit>.+)$'
    group_by: [pid]
    threshold: {count: 0, window: 1s}
    severity: warning
  - name: log-dir-growth
    source: probe
    match: '^probe log-dir-growth size=(?<size>.+) limit=(?<limit>.+)$'
    threshold: {count: 0, window: 1s}
    severity: warning
EOF
start d
S1=$P
start e
S2=$P
start f
S3=$P
follow_start two.json --config p.yaml --rules short.yaml
wait_trans two.json "stale-processes:firing"
stop "$S1" "$S2"
wait_trans two.json "stale-processes:firing stale-processes:resolved"
stop "$S3"
wait_trans two.json \
    "stale-processes:firing stale-processes:resolved no-server:firing"
start g
S4=$P
wait_trans two.json \
    "stale-processes:firing stale-processes:resolved no-server:firing no-server:resolved"
follow_stop
assert_eq "three, then one, then none, then one again" \
    "stale-processes:firing stale-processes:resolved no-server:firing no-server:resolved" \
    "$(transitions two.json)"
assert_eq "stale-processes with the overriding rule's summary" \
    "3 servers: $S1,$S2,$S3" "$(alert two.json stale-processes summary)"
assert_contains "resolved alerts reach the file sink" "$T/alerts.jsonl" \
    '"resolved"'

# --- memory and the logs folder ----------------------------------------------------

printf 'x%.0s' $(seq 1 300) >"$LOGS/mcp_server.log.1"
cat >mem.yaml <<EOF
sinks: {}
routes:
  - sinks: [terminal]
server: {dir: $SRV}
probes: {interval: 200ms}
health: {rss_warn: 1MiB, log_dir_warn: 100B}
EOF
follow_start mem.json --config mem.yaml
wait_for mem.json '"rule":"server-memory-high"' 10
wait_for mem.json '"rule":"log-dir-growth"' 10
follow_stop
assert_eq "memory: one alert per process, labelled with its pid" "$S4" \
    "$(alert mem.json server-memory-high labels.pid)"
assert_eq "memory: the summary" \
    "server process $S4 uses" \
    "$(alert mem.json server-memory-high summary | cut -d' ' -f1-4)"
assert_eq "memory: the limit in the summary" \
    "(more than 1.0 MiB): a leak?" \
    "$(alert mem.json server-memory-high summary | cut -d' ' -f9-)"
assert_eq "the logs folder above log_dir_warn" \
    "the logs folder holds 300 B (more than 100 B)" \
    "$(alert mem.json log-dir-growth summary)"
rm "$LOGS/mcp_server.log.1"

cat >off.yaml <<EOF
sinks: {}
routes:
  - sinks: [terminal]
server: {dir: $SRV}
probes: {enabled: false, interval: 200ms}
health: {rss_warn: 1MiB}
EOF
follow_start off.json --config off.yaml
sleep 1 # five probe intervals: absence takes some waiting
follow_stop
assert_eq "probes: {enabled: false}: no probe alerts" "" "$(transitions off.json)"

# --- the cleanup action ---------------------------------------------------------------

cat >act.yaml <<'EOF'
rules:
  - name: reconnect-cleanup
    source: server
    match: 'Failed to reconnect to (?<server>\S+?)\.?$'
    severity: critical
    action: cleanup
EOF
cat >dry.yaml <<EOF
sinks: {}
routes:
  - sinks: [terminal]
server: {dir: $SRV}
probes: {enabled: false}
cleanup: {enabled: true}
EOF
start h
S5=$P
start i
S6=$P
# --from-start on an emptied log: the line counts whether follow opens
# the file before or after it is written.
: >"$LOGS/mcp_server.log"
follow_start act.json --config dry.yaml --rules act.yaml --from-start
echo "2025-12-10 14:00:00,000 - root - INFO - Failed to reconnect to zen." \
    >>"$LOGS/mcp_server.log"
wait_for act.json "mcplog cleanup exited with status" 10
echo "2025-12-10 14:00:01,000 - root - INFO - Failed to reconnect to zen." \
    >>"$LOGS/mcp_server.log"
wait_for act.json "skipped" 10
follow_stop
notices act.json | grep -v 'does not exist yet' >act.notices
assert_eq "the action in dry run: the plan, then the rate limit" \
    "cleanup action of reconnect-cleanup: started mcplog cleanup --dry-run (pid X)
cleanup: keeping $S6 (newest)
cleanup: $S4: would be terminated (dry run)
cleanup: $S5: would be terminated (dry run)
cleanup action of reconnect-cleanup: mcplog cleanup exited with status 0
cleanup action of reconnect-cleanup: skipped, the last one started 0s ago (at most one per 10m)" \
    "$(sed 's/(pid [0-9]*)$/(pid X)/; s/started [0-9]*s ago/started 0s ago/' act.notices)"
assert_eq "two firings, one action" 2 "$(grep -c '"status":"firing"' act.json)"
assert_eq "dry run: all three servers alive" "yes yes yes" \
    "$(for p in $S4 $S5 $S6; do alive "$p" && printf yes || printf no; done | sed 's/yes/yes /g; s/ $//')"

cat >offact.yaml <<EOF
sinks: {}
routes:
  - sinks: [terminal]
server: {dir: $SRV}
probes: {enabled: false}
EOF
: >"$LOGS/mcp_server.log"
follow_start offact.json --config offact.yaml --rules act.yaml --from-start
echo "2025-12-10 14:00:02,000 - root - INFO - Failed to reconnect to zen." \
    >>"$LOGS/mcp_server.log"
wait_for offact.json "cleanup action of" 10
follow_stop
assert_eq "cleanup off by default: told, nothing run" \
    "cleanup action of reconnect-cleanup: off (cleanup: {enabled: true} in mcplog.yaml turns it on)" \
    "$(notices offact.json | grep 'cleanup')"

# dry_run: false - the real thing, on this test's own dummies
cat >real.yaml <<EOF
sinks: {}
routes:
  - sinks: [terminal]
server: {dir: $SRV}
probes: {enabled: false}
cleanup: {enabled: true, dry_run: false, grace: 1s}
EOF
: >"$LOGS/mcp_server.log"
follow_start real.json --config real.yaml --rules act.yaml --from-start
echo "2025-12-10 14:00:03,000 - root - INFO - Failed to reconnect to zen." \
    >>"$LOGS/mcp_server.log"
wait_for real.json "mcplog cleanup exited with status" 15
follow_stop
reap "$S4" "$S5"
assert_eq "dry_run: false: the older two end by SIGTERM" "143 143" "$RS"
assert_eq "dry_run: false: the newest is kept" yes \
    "$(alive "$S6" && echo yes || echo no)"
assert_eq "dry_run: false: every action told" \
    "cleanup action of reconnect-cleanup: started mcplog cleanup (pid X)
cleanup: keeping $S6 (newest)
cleanup: $S4: SIGTERM sent
cleanup: $S5: SIGTERM sent
cleanup: $S4: exited after SIGTERM
cleanup: $S5: exited after SIGTERM
cleanup action of reconnect-cleanup: mcplog cleanup exited with status 0" \
    "$(notices real.json | grep cleanup | sed 's/(pid [0-9]*)$/(pid X)/; s/ ([0-9.]*m*s)$//')"

# --- where the probe rules are read -------------------------------------------

assert_status "test-rules: exit 0" 0 "$MCPLOG" test-rules
assert_eq "test-rules skips the shipped probes.yaml (8 rules)" \
    "8 rules loaded (shipped rules: $ROOT/rules)" "$(head -n 1 out)"
mkdir -p cfg/mcplog/rules
cat >cfg/mcplog/rules/probes.yaml <<'EOF2'
rules:
  - name: no-server
    source: probe
    match: '^probe no-server procs=(?<procs>\d+) min=(?<min>\d+)$'
    threshold: {count: 0, window: 1s}
    severity: info
    summary: 'mine: {procs} running'
EOF2
assert_status "a user folder's probes.yaml is skipped by test-rules too" 0 \
    env XDG_CONFIG_HOME="$T/cfg" "$MCPLOG" test-rules
assert_eq "still 8 rules" "8 rules loaded" "$(head -n 1 out | cut -d' ' -f1-3)"
assert_status "a probes.yaml named on its own is loaded" 0 \
    "$MCPLOG" test-rules --no-default-rules --rules cfg/mcplog/rules/probes.yaml
assert_eq "one rule" "1 rule loaded" "$(head -n 1 out | cut -d' ' -f1-3)"
stop "$S6"
XDG_CONFIG_HOME="$T/cfg" "$MCPLOG" follow --no-state --json --config p.yaml \
    "$LOGS" >user.json 2>user.err &
FOLLOW=$!
FOUT=user.json
wait_for user.json '"rule":"no-server"' 10
follow_stop
assert_eq "follow: the user's probes.yaml overrides the shipped rule" \
    "info mine: 0 running" \
    "$(alert user.json no-server severity) $(alert user.json no-server summary)"
