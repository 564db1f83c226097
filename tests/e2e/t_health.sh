# t_health.sh - mcplog health: every check against its threshold, with
# the exact status line, the Nagios exit code (0 OK, 1 WARNING,
# 2 CRITICAL, 3 UNKNOWN) and the JSON. The servers are dummies this test
# starts itself (tests/e2e/proc/server.py run from a folder of its own,
# which the config names as server.dir, so nothing else on the machine can
# match); the logs are written here with times relative to now. Only the
# PIDs started here are ever signalled.
R=$$-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
SRV=$T/srv-$R
LOGS=$T/logs
PY=$(command -v python3)
mkdir -p "$SRV" "$LOGS"
cp "$ROOT/tests/e2e/proc/server.py" "$SRV/server.py"

PIDS=
trap 'for p in $PIDS; do kill -KILL "$p" 2>/dev/null; done' EXIT

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

# stop PID...: SIGTERM to dummies started here, then reap them
stop() {
    for _p in "$@"; do
        kill -TERM "$_p"
        wait "$_p" 2>/dev/null
        _n=
        for p in $PIDS; do [ "$p" = "$_p" ] || _n="$_n $p"; done
        PIDS=$_n
    done
}

# logs AGE|TEXT...: write $LOGS/mcp_server.log, one line per argument,
# timestamped AGE seconds before now (naive local time, as Python's
# logging writes it); the newest line's Unix ms goes to $T/newest.
logs() {
    python3 - "$LOGS/mcp_server.log" "$T/newest" "$@" <<'EOF'
import datetime, sys, time
now = time.time()
newest = None
with open(sys.argv[1], "w") as f:
    for item in sys.argv[3:]:
        age, text = item.split("|", 1)
        t = now - float(age)
        d = datetime.datetime.fromtimestamp(t)
        f.write(d.strftime("%Y-%m-%d %H:%M:%S,") + "%03d" % (d.microsecond // 1000)
                + " - " + text + "\n")
        ms = int(time.mktime(d.timetuple())) * 1000 + d.microsecond // 1000
        newest = ms if newest is None or ms > newest else newest
open(sys.argv[2], "w").write("%d\n" % newest)
EOF
}

# rss PID...: the largest RSS of these processes as mcplog prints it
# (field 24 of /proc/PID/stat, in pages; 1024-based units), "13 MiB"
rss() {
    python3 - "$@" <<'EOF'
import os, sys
page = os.sysconf("SC_PAGE_SIZE")
def rss(pid):
    s = open("/proc/%s/stat" % pid).read()
    return int(s[s.rindex(")") + 2:].split()[21]) * page
b = max(rss(p) for p in sys.argv[1:])
if b < 1024:
    print("%d B" % b)
else:
    v, u = float(b), -1
    while v >= 1024 and u < 4:
        v /= 1024
        u += 1
    units = ["KiB", "MiB", "GiB", "TiB", "PiB"]
    print(("%.1f %s" if v < 10 else "%.0f %s") % (v, units[u]))
EOF
}

# health ARGS...: run mcplog health; stdout in out, stderr in err, the
# status line without its perf data in $LINE, the perf data in $PERF and
# the exit status in $RC
health() {
    "$MCPLOG" health "$@" >out 2>err
    RC=$?
    LINE=$(head -n 1 out | sed 's/ | .*//')
    PERF=$(head -n 1 out | sed 's/.* | //')
}

# jchecks FILE: "name=STATUS" of every check in a health JSON document
jchecks() {
    python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
print(" ".join("%s=%s" % (c["name"], c["status"]) for c in d["checks"]))' "$1"
}

cat >c.yaml <<EOF
server:
  dir: $SRV
  logs: $LOGS
EOF
CALM="900|root - INFO - Process PID: 4242
300|__main__ - INFO - Server ready - waiting for tool requests..."
save_ifs=$IFS
IFS='
'
logs $CALM
IFS=$save_ifs
SZ=$(wc -c <"$LOGS/mcp_server.log" | tr -d ' ')

# --- processes: none -> CRITICAL ------------------------------------------------

health --config c.yaml
assert_eq "no server: exit 2 (CRITICAL)" 2 "$RC"
assert_eq "no server: the status line" \
    "MCPLOG CRITICAL - no MCP server running, no RSS to check, 1 restart in 7d, 0 reconnect failures in 1h, logs $SZ B, newest line 5m ago" \
    "$LINE"
assert_eq "no server: perf data (Nagios ranges; age last)" \
    "processes=0;2;1:;0 restarts=1;1;;0 reconnect_failures=0;;5;0 log_dir=${SZ}B;1073741824;;0" \
    "$(echo "$PERF" | sed 's/ newest_line_age=.*//')"
assert_eq "no server: one detail line per check" \
    "processes: CRITICAL - 0 server processes (expected 1 to 2)
memory: OK - no server process to measure (limit 477 MiB)
restarts: OK - 1 match of rule 'restarts' in the last 7d (limit 1)
reconnects: OK - 0 matches of rule 'reconnect-failures' in the last 1h (limit 5)
log_dir: OK - $LOGS holds $SZ B ($SZ bytes), limit 1.0 GiB" \
    "$(sed -n '2,6p' out)"
assert_eq "no server: stderr is empty" "" "$(cat err)"

health --config c.yaml --json
cp out none.json
assert_eq "no server --json: exit 2" 2 "$RC"
assert_json "no server --json: status" none.json status CRITICAL
assert_json "no server --json: code" none.json code 2
assert_eq "no server --json: the checks" \
    "processes=CRITICAL memory=OK restarts=OK reconnects=OK log_dir=OK newest_line=OK" \
    "$(jchecks none.json)"
assert_json "no server --json: processes value" none.json checks.0.value 0
assert_json "no server --json: processes threshold" none.json checks.0.threshold 2
assert_json "no server --json: processes min" none.json checks.0.min 1
assert_json "no server --json: no RSS value" none.json checks.1.value null
assert_json "no server --json: log_dir value" none.json checks.4.value "$SZ"
assert_json "no server --json: restarts window (s)" none.json checks.2.window 604800
assert_eq "no server --json: newest_line value is the age at the check" \
    "$(python3 -c 'import json,sys,datetime
d=json.load(open(sys.argv[1]))
t=datetime.datetime.strptime(d["time"],"%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
now=int(t.timestamp()*1000+0.5)
print((now-int(open(sys.argv[2]).read()))//1000)' none.json "$T/newest")" \
    "$(jget none.json checks.5.value)"
assert_json "no server --json: the summary is the status line" none.json \
    summary "MCPLOG CRITICAL - no MCP server running, no RSS to check, 1 restart in 7d, 0 reconnect failures in 1h, logs $SZ B, newest line 5m ago"
assert_json "no server --json: no processes" none.json processes.# 0

# --- one server: OK ---------------------------------------------------------------

start one
S1=$P
health --config c.yaml
assert_eq "one server: exit 0 (OK)" 0 "$RC"
assert_eq "one server: the status line" \
    "MCPLOG OK - 1 server process, largest RSS $(rss "$S1"), 1 restart in 7d, 0 reconnect failures in 1h, logs $SZ B, newest line 5m ago" \
    "$LINE"
assert_eq "one server: processes detail" \
    "processes: OK - 1 server process (expected 1 to 2): pids $S1" \
    "$(sed -n 2p out)"
health --config c.yaml --json
cp out one.json
assert_json "one server --json: OK" one.json status OK
assert_json "one server --json: code 0" one.json code 0
assert_json "one server --json: the process" one.json processes.0.pid "$S1"
assert_eq "one server --json: memory value is its RSS" \
    "$(python3 -c 'import os,sys
s=open("/proc/%s/stat" % sys.argv[1]).read()
print(int(s[s.rindex(")")+2:].split()[21])*os.sysconf("SC_PAGE_SIZE"))' "$S1")" \
    "$(jget one.json checks.1.value)"
assert_json "one server --json: memory threshold (500MB)" one.json \
    checks.1.threshold 500000000

# --- three servers: WARNING, then back to OK -------------------------------------

start two
S2=$P
start three
S3=$P
health --config c.yaml
assert_eq "three servers: exit 1 (WARNING)" 1 "$RC"
assert_eq "three servers: the status line" \
    "MCPLOG WARNING - 3 server processes (more than 2), largest RSS $(rss "$S1" "$S2" "$S3"), 1 restart in 7d, 0 reconnect failures in 1h, logs $SZ B, newest line 5m ago" \
    "$LINE"
assert_eq "three servers: perf data" \
    "processes=3;2;1:;0" "$(echo "$PERF" | cut -d' ' -f1)"
health --config c.yaml --json
assert_json "three servers --json: WARNING" out checks.0.status WARNING
assert_json "three servers --json: value" out checks.0.value 3
assert_eq "three servers --json: the processes, oldest first" \
    "$S1 $S2 $S3" "$(python3 -c 'import json,sys
print(" ".join(str(p["pid"]) for p in json.load(open(sys.argv[1]))["processes"]))' out)"
stop "$S2" "$S3"
health --config c.yaml
assert_eq "two stopped: OK again" "0 MCPLOG OK - 1 server process" \
    "$RC $(echo "$LINE" | cut -d, -f1)"

# --- memory ---------------------------------------------------------------------

cat >mem.yaml <<EOF
server: {dir: $SRV, logs: $LOGS}
health: {rss_warn: 1MiB}
EOF
health --config mem.yaml
assert_eq "RSS above rss_warn: exit 1" 1 "$RC"
assert_eq "RSS above rss_warn: the status line, the failing check first" \
    "MCPLOG WARNING - pid $S1 RSS $(rss "$S1") (more than 1.0 MiB), 1 server process, 1 restart in 7d, 0 reconnect failures in 1h, logs $SZ B, newest line 5m ago" \
    "$LINE"
assert_eq "RSS above rss_warn: detail" \
    "memory: WARNING - RSS above 1.0 MiB: pid $S1; largest $(rss "$S1") (pid $S1)" \
    "$(sed -n 3p out)"
health --config mem.yaml --json
assert_json "RSS --json: memory WARNING" out checks.1.status WARNING
assert_json "RSS --json: threshold" out checks.1.threshold 1048576

# --- restarts -------------------------------------------------------------------

IFS='
'
logs "691200|root - INFO - Process PID: 1001" \
    "172800|root - INFO - Process PID: 1002" \
    "900|root - INFO - Process PID: 1003" \
    "300|__main__ - INFO - Server ready - waiting for tool requests..."
IFS=$save_ifs
SZ=$(wc -c <"$LOGS/mcp_server.log" | tr -d ' ')
health --config c.yaml
assert_eq "2 restarts in 7d (one 8 days ago does not count): exit 1" 1 "$RC"
assert_eq "restarts: the status line" \
    "MCPLOG WARNING - 2 restarts in 7d (more than 1), 1 server process, largest RSS $(rss "$S1"), 0 reconnect failures in 1h, logs $SZ B, newest line 5m ago" \
    "$LINE"
health --config c.yaml --json
assert_json "restarts --json: value" out checks.2.value 2
assert_json "restarts --json: status" out checks.2.status WARNING
cat >rst.yaml <<EOF
server: {dir: $SRV, logs: $LOGS}
health: {restarts: {count: 2, window: 7d}}
EOF
health --config rst.yaml
assert_eq "restarts: count 2 allows two" "0 2 restarts in 7d" \
    "$RC $(echo "$LINE" | cut -d, -f3 | sed 's/^ //')"
cat >rst2.yaml <<EOF
server: {dir: $SRV, logs: $LOGS}
health: {restarts: {count: 0, window: 1h}}
EOF
health --config rst2.yaml
assert_eq "restarts: window 1h counts the last one only" \
    "1 1 restart in 1h (more than 0)" \
    "$RC $(echo "$LINE" | sed 's/^MCPLOG WARNING - //; s/,.*//')"

# --- reconnect failures -----------------------------------------------------------

F="Failed to reconnect to zen."
IFS='
'
logs "7300|$F" "7200|$F" "7100|$F" "7000|$F" \
    "3000|$F" "2500|$F" "2000|$F" "1500|$F" "1000|$F" "600|$F" \
    "300|__main__ - INFO - Server ready - waiting for tool requests..."
IFS=$save_ifs
SZ=$(wc -c <"$LOGS/mcp_server.log" | tr -d ' ')
health --config c.yaml
assert_eq "6 reconnect failures in the last hour (4 older): exit 2" 2 "$RC"
assert_eq "reconnects: the status line" \
    "MCPLOG CRITICAL - 6 reconnect failures in 1h (more than 5), 1 server process, largest RSS $(rss "$S1"), 0 restarts in 7d, logs $SZ B, newest line 5m ago" \
    "$LINE"
assert_eq "reconnects: perf data (critical threshold)" \
    "reconnect_failures=6;;5;0" "$(echo "$PERF" | cut -d' ' -f4)"
health --config c.yaml --json
assert_json "reconnects --json: CRITICAL" out checks.3.status CRITICAL
assert_json "reconnects --json: value" out checks.3.value 6
assert_json "reconnects --json: threshold" out checks.3.threshold 5
assert_json "reconnects --json: window" out checks.3.window 3600

# CRITICAL and WARNING together: CRITICAL, worst first
IFS='
'
logs "7200|$F" "3000|$F" "2500|$F" "2000|$F" "1500|$F" "1000|$F" "600|$F" \
    "900|root - INFO - Process PID: 1" "800|root - INFO - Process PID: 2" \
    "300|__main__ - INFO - Server ready - waiting for tool requests..."
IFS=$save_ifs
SZ=$(wc -c <"$LOGS/mcp_server.log" | tr -d ' ')
health --config c.yaml
assert_eq "critical and warning: exit 2, the critical check first" \
    "2 MCPLOG CRITICAL - 6 reconnect failures in 1h (more than 5), 2 restarts in 7d (more than 1), 1 server process" \
    "$RC $(echo "$LINE" | cut -d, -f1-3)"
IFS='
'
logs "3000|$F" "2500|$F" "2000|$F" "1500|$F" "1000|$F" \
    "300|__main__ - INFO - Server ready - waiting for tool requests..."
IFS=$save_ifs
health --config c.yaml
assert_eq "5 reconnect failures are not more than 5: OK" \
    "0 5 reconnect failures in 1h" \
    "$RC $(echo "$LINE" | cut -d, -f4 | sed 's/^ //')"

# --- the logs folder's size ------------------------------------------------------

IFS='
'
logs $CALM
IFS=$save_ifs
printf 'x%.0s' $(seq 1 100) >"$LOGS/mcp_server.log.1"
mkdir -p "$LOGS/old"
printf 'y%.0s' $(seq 1 50) >"$LOGS/old/archive.txt"
ln -s /etc/passwd "$LOGS/link"
SZ=$(( $(wc -c <"$LOGS/mcp_server.log") + 150 ))
cat >dir.yaml <<EOF
server: {dir: $SRV, logs: $LOGS}
health: {log_dir_warn: 200B}
EOF
health --config dir.yaml
assert_eq "logs folder above log_dir_warn: exit 1" 1 "$RC"
assert_eq "log_dir: the status line (subfolders counted, links not)" \
    "MCPLOG WARNING - logs $SZ B (more than 200 B), 1 server process, largest RSS $(rss "$S1"), 1 restart in 7d, 0 reconnect failures in 1h, newest line 5m ago" \
    "$LINE"
health --config dir.yaml --json
assert_json "log_dir --json: value" out checks.4.value "$SZ"
assert_json "log_dir --json: threshold" out checks.4.threshold 200
rm -r "$LOGS/mcp_server.log.1" "$LOGS/old" "$LOGS/link"
SZ=$(wc -c <"$LOGS/mcp_server.log" | tr -d ' ')

# --- the newest line's age --------------------------------------------------------

IFS='
'
logs "9000|root - INFO - Process PID: 4242" \
    "7300|__main__ - INFO - Server ready - waiting for tool requests..."
IFS=$save_ifs
SZ=$(wc -c <"$LOGS/mcp_server.log" | tr -d ' ')
health --config c.yaml
assert_eq "newest line 2h old: exit 1" 1 "$RC"
assert_eq "newest_line: the status line" \
    "MCPLOG WARNING - newest line 2h ago (older than 1h), 1 server process, largest RSS $(rss "$S1"), 1 restart in 7d, 0 reconnect failures in 1h, logs $SZ B" \
    "$LINE"
cat >age.yaml <<EOF
server: {dir: $SRV, logs: $LOGS}
health: {newest_line_warn: off}
EOF
health --config age.yaml --json
assert_json "newest_line_warn off: OK" out status OK
assert_json "newest_line_warn off: no threshold" out checks.5.threshold null
cat >age3.yaml <<EOF
server: {dir: $SRV, logs: $LOGS}
health: {newest_line_warn: 3h}
EOF
health --config age3.yaml
assert_eq "newest_line_warn 3h: OK" "0 newest line 2h ago" \
    "$RC $(echo "$LINE" | sed 's/.*, //')"
IFS='
'
logs $CALM
IFS=$save_ifs
SZ=$(wc -c <"$LOGS/mcp_server.log" | tr -d ' ')

# --- DIR on the command line, UNKNOWN ------------------------------------------

health --config c.yaml "$T/nothing"
assert_eq "a missing logs folder: exit 3 (UNKNOWN)" 3 "$RC"
assert_eq "missing folder: the status line" \
    "MCPLOG UNKNOWN - restarts unknown, reconnects unknown, log_dir unknown, newest_line unknown, 1 server process, largest RSS $(rss "$S1")" \
    "$LINE"
assert_eq "missing folder: the cause in the details" \
    "log_dir: UNKNOWN - $T/nothing: No such file or directory" \
    "$(sed -n 6p out)"
mkdir empty
health --config c.yaml empty
assert_eq "a folder without logs: UNKNOWN" 3 "$RC"
assert_contains "a folder without logs: why" out "restarts: UNKNOWN - "
assert_contains "a folder without logs: its size is known" out \
    "log_dir: OK - empty holds 0 B (0 bytes), limit 1.0 GiB"

stop "$S1"
health --config c.yaml "$T/nothing"
assert_eq "no server and no logs: CRITICAL beats UNKNOWN" \
    "2 MCPLOG CRITICAL - no MCP server running, restarts unknown" \
    "$RC $(echo "$LINE" | cut -d, -f1-2)"
start four
S1=$P

health --config c.yaml --no-default-rules
assert_eq "rules not loaded: exit 3" 3 "$RC"
assert_eq "rules not loaded: the cause" \
    "restarts: UNKNOWN - rule 'restarts' is not loaded (disabled, or --no-default-rules)" \
    "$(sed -n 4p out)"
cat >rules.yaml <<'EOF'
rules:
  - name: restarts
    source: server
    match: 'Server ready'
    threshold: {count: 1, window: 7d}
    severity: warning
  - name: reconnect-failures
    match: 'Failed to reconnect'
    severity: critical
EOF
health --config c.yaml --no-default-rules --rules rules.yaml --json
assert_json "the rules given are the ones counted" out checks.2.value 1

cat >bad.yaml <<EOF
server: {dir: $SRV}
health:
  max_procs: 3
EOF
health --config bad.yaml
assert_eq "a bad config: exit 3, not 2" 3 "$RC"
assert_eq "bad config: the status line carries file:line:col" \
    "MCPLOG UNKNOWN - bad.yaml:3:3: " "$(head -n 1 out | cut -c1-31)"
assert_eq "bad config: the same message on stderr" \
    "mcplog: $(head -n 1 out | sed 's/^MCPLOG UNKNOWN - //')" "$(cat err)"
health --config bad.yaml --json
assert_json "bad config --json: UNKNOWN" out status UNKNOWN
assert_json "bad config --json: code 3" out code 3
assert_eq "bad config --json: the error" \
    "$(head -n 1 err | sed 's/^mcplog: //')" "$(jget out error)"
health --config c.yaml --bogus
assert_eq "an unknown option: exit 3" \
    "3 MCPLOG UNKNOWN - health: unknown option '--bogus' (try 'mcplog health --help')" \
    "$RC $LINE"
health --config c.yaml a b
assert_eq "two folders: exit 3" "3 MCPLOG UNKNOWN - health: one logs folder at most" \
    "$RC $LINE"
health --help
assert_eq "--help: exit 0" "0 usage: mcplog health [options] [DIR]" "$RC $(head -n 1 out)"

cat >nodir.yaml <<EOF
server: {logs: $LOGS}
EOF
health --config nodir.yaml
assert_eq "no server.dir for the python rule: processes UNKNOWN, exit 3" \
    "3 processes: UNKNOWN" "$RC $(sed -n 2p out | cut -d' ' -f1-2)"

# hostile text in the folder name is shown escaped
mkdir "$(printf 'bad\033[31mdir')"
health --config c.yaml "$(printf 'bad\033[31mdir')"
assert_contains "a folder name with ESC is escaped on the terminal" out \
    'bad\x1b[31mdir holds 0 B'

stop "$S1"
