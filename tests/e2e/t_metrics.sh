# t_metrics.sh - follow's Prometheus metrics (mcplog(1) METRICS) against
# the real thing: promtool (Debian's prometheus package) checks the
# exposition, a real Prometheus on 127.0.0.1 scrapes a running follow
# every second and its HTTP query API gives back exactly what was written;
# the textfile is replaced atomically under a reader that polls it and
# leaves no temporary file; the listener's bounds (request size, read
# timeout, connection limit, loopback only) and hostile clients, while
# reading and matching go on (the latency is measured and printed).
export HOME="$T"
unset XDG_CONFIG_HOME
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export XDG_STATE_HOME="$T/state"
HC="python3 $ROOT/tests/e2e/httpclients.py"
PIDS=""
metrics_cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    for p in $PIDS; do wait "$p" 2>/dev/null; done
    PIDS=""
}
trap metrics_cleanup EXIT

# --- usage: loopback only, the address checked ---------------------------
mkdir -p logs
: >logs/mcp_server.log
: >logs/mcp_activity.log
assert_status "a non-loopback address is refused" 2 \
    "$MCPLOG" follow --no-state --metrics-listen 0.0.0.0:0 logs
assert_eq "... with the reason" \
    "mcplog: metrics listen address '0.0.0.0:0' is not a loopback address (add --metrics-listen-any to listen on it)" \
    "$(head -n 1 err)"
assert_status "an address without a port is refused" 2 \
    "$MCPLOG" follow --no-state --metrics-listen 127.0.0.1 logs
assert_eq "... with the reason" \
    "mcplog: metrics listen address '127.0.0.1': expected HOST:PORT" \
    "$(head -n 1 err)"
# With --metrics-listen-any the check passes: the bind itself fails on an
# address this machine does not have (so nothing listens beyond loopback).
assert_status "--metrics-listen-any lets a non-loopback address through" 2 \
    "$MCPLOG" follow --no-state --metrics-listen-any \
    --metrics-listen 192.0.2.1:0 logs
assert_eq "... to the bind" \
    "mcplog: metrics listen: Cannot assign requested address" \
    "$(head -n 1 err)"
printf 'metrics:\n  listen: 10.0.0.1:9464\n' >any.yaml
assert_status "metrics.listen in mcplog.yaml: checked the same" 2 \
    "$MCPLOG" follow --no-state --config any.yaml logs
assert_contains "... with the reason" err \
    "metrics listen address '10.0.0.1:9464' is not a loopback address"
printf 'metrics:\n  interval: 10ms\n' >bad.yaml
assert_status "metrics.interval below 1s is a config error" 2 \
    "$MCPLOG" follow --no-state --config bad.yaml logs

# --- a follow with both outputs -----------------------------------------
# A dummy server (tests/e2e/proc/server.py) in a folder of its own, so the
# probes count exactly it; a file sink so deliveries are counted.
SRV=$T/srv-$$
mkdir -p "$SRV" prom text
cp "$ROOT/tests/e2e/proc/server.py" "$SRV/server.py"
(cd "$SRV" && exec env DUMMY_READY="$T/ready.srv" python3 "$SRV/server.py" \
    >/dev/null 2>&1) &
DUMMY=$!
PIDS="$PIDS $DUMMY"
_i=0
while [ ! -e "$T/ready.srv" ] && [ $_i -lt 200 ]; do sleep 0.05; _i=$((_i + 1)); done
cat >m.yaml <<EOF
sinks:
  jl: {type: file, path: $T/alerts.jsonl}
routes:
  - sinks: [terminal, jl]
server:
  dir: $SRV
probes:
  interval: 200ms
metrics:
  file: $T/text/mcplog.prom
  interval: 1s
  server: hestai
EOF
"$MCPLOG" follow --no-state --config m.yaml --no-status \
    --metrics-listen 127.0.0.1:0 logs >follow.out 2>&1 &
FOLLOW=$!
PIDS="$PIDS $FOLLOW"
if wait_for follow.out "metrics on http://127.0.0.1:" 10; then
    ok "follow tells where it listens"
else
    bad "follow tells where it listens" "$(cat follow.out)"
fi
PORT=$(sed -n 's|.*metrics on http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' follow.out | head -n 1)
wait_open "$FOLLOW" logs/mcp_server.log
{
    echo "$(ts 0) - root - INFO - Process PID: 4242"
    echo "$(ts 2.5) - server - INFO - Server ready - waiting for tool requests..."
    echo "$(ts 3) - tools.chat - ERROR - chat failed"
    echo "$(ts 4) - tools.chat - ERROR - chat failed again"
    echo "$(ts 5) - server - CRITICAL - out of memory"
} >>logs/mcp_server.log
{
    echo "$(ts 1) - TOOL_CALL: chat with 2 arguments"
    echo "$(ts 2) - TOOL_CALL: chat with 1 argument"
    echo "$(ts 3) - TOOL_CALL: debug with 3 arguments"
    echo "$(ts 4) - TOOL_CALL: chat with 2 arguments"
    echo "$(ts 5) - TOOL_CALL: debug with 1 argument"
} >>logs/mcp_activity.log
wait_for follow.out "out of memory" 10
# The file sink gets 2 deliveries: one alert per incident, the alerts of
# the groups tools.chat and server fire and stay firing (the second
# tools.chat error is an update, held back by update_interval).
_i=0
while [ "$(wc -l <alerts.jsonl 2>/dev/null || echo 0)" -lt 2 ] && [ $_i -lt 200 ]; do
    sleep 0.05
    _i=$((_i + 1))
done
sleep 0.5 # the probes' next run (every 200 ms)
curl -s -D headers -o scrape.txt "http://127.0.0.1:$PORT/metrics"
assert_eq "GET /metrics: 200" "HTTP/1.1 200 OK" "$(head -n 1 headers | tr -d '\r')"
assert_contains "... the exposition format's content type" headers \
    "Content-Type: text/plain; version=0.0.4"
promtool check metrics <scrape.txt >promtool.out 2>&1
assert_eq "promtool check metrics accepts it" "0 " "$? $(cat promtool.out)"
for l in \
    'mcplog_lines_total{source="server",file="mcp_server.log"} 5' \
    'mcplog_lines_total{source="activity",file="mcp_activity.log"} 5' \
    'mcplog_rule_matches_total{rule="errors"} 3' \
    'mcplog_rule_matches_total{rule="tool-calls"} 5' \
    'mcplog_tool_calls_total{server="hestai",tool="chat"} 3' \
    'mcplog_tool_calls_total{server="hestai",tool="debug"} 2' \
    'mcplog_server_startups_total{server="hestai"} 1' \
    'mcplog_time_to_ready_seconds_bucket{server="hestai",le="2"} 0' \
    'mcplog_time_to_ready_seconds_bucket{server="hestai",le="5"} 1' \
    'mcplog_time_to_ready_seconds_sum{server="hestai"} 2.5' \
    'mcplog_alert_transitions_total{rule="errors",status="firing"} 2' \
    'mcplog_alert_transitions_total{rule="errors",status="resolved"} 0' \
    'mcplog_alerts_firing{rule="errors",severity="warning"} 2' \
    'mcplog_sink_deliveries_total{sink="jl",outcome="ok"} 2' \
    'mcplog_sink_deliveries_total{sink="jl",outcome="failed"} 0' \
    'mcplog_server_processes{server="hestai"} 1' \
    'mcplog_rotations_total{source="server"} 0' \
    'mcplog_bytes_unread_total{source="server"} 0' \
    'mcplog_build_info{version="0.1.0"} 1'; do
    if grep -qxF -- "$l" scrape.txt; then ok "scrape: $l"; else
        bad "scrape: $l" "$(grep -F -- "${l%% *}" scrape.txt | head -5)"
    fi
done

assert_eq "deliveries ok = lines the file sink wrote" "2" "$(wc -l <alerts.jsonl)"

# --- requests other than GET /metrics -------------------------------------
st() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
assert_eq "POST /metrics: 405" "405" "$(st -X POST "http://127.0.0.1:$PORT/metrics")"
assert_eq "GET /: 404" "404" "$(st "http://127.0.0.1:$PORT/")"
assert_eq "GET /metrics/x: 404" "404" "$(st "http://127.0.0.1:$PORT/metrics/x")"
assert_eq "GET /metrics?x=1: 200" "200" "$(st "http://127.0.0.1:$PORT/metrics?x=1")"
assert_eq "HEAD /metrics: 200, no body" "200 0" \
    "$(curl -s -I -o /dev/null -w '%{http_code} %{size_download}' "http://127.0.0.1:$PORT/metrics")"
assert_eq "garbage: 400" "HTTP/1.1 400 Bad Request" \
    "$($HC raw "$PORT" 0001ff2067617262616765200d0a0d0a)"
assert_eq "a request over 8 KiB: 431" \
    "HTTP/1.1 431 Request Header Fields Too Large" "$($HC big "$PORT" 20000)"
assert_eq "HTTP/2 preface: 400" "HTTP/1.1 400 Bad Request" \
    "$($HC raw "$PORT" 505249202a20485454502f322e300d0a0d0a534d0d0a0d0a)"

# --- a real Prometheus scrapes it -----------------------------------------
PPORT=$(free_port)
cat >prom.yml <<EOF
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: mcplog
    static_configs: [{targets: ['127.0.0.1:$PORT']}]
EOF
prometheus --config.file=prom.yml --storage.tsdb.path="$T/prom" \
    --web.listen-address="127.0.0.1:$PPORT" --log.level=warn >prom.log 2>&1 &
PROM=$!
PIDS="$PIDS $PROM"
# pq QUERY: the value of an instant query (one series), "none" when
# Prometheus has no sample (yet)
pq() {
    python3 - "$PPORT" "$1" <<'EOF'
import json, sys, urllib.parse, urllib.request
u = "http://127.0.0.1:%s/api/v1/query?query=%s" % (sys.argv[1], urllib.parse.quote(sys.argv[2]))
try:
    d = json.load(urllib.request.urlopen(u, timeout=5))
    r = d["data"]["result"]
    print(r[0]["value"][1] if len(r) == 1 else "none" if not r else "many")
except Exception as e:
    print("none")
EOF
}
# pq_wait QUERY WANT: poll (every 250 ms, 30 s at most) until the query
# gives WANT; prints what it gave last
pq_wait() {
    _i=0
    while [ $_i -lt 120 ]; do
        _v=$(pq "$1")
        [ "$_v" = "$2" ] && break
        sleep 0.25
        _i=$((_i + 1))
    done
    echo "$_v"
}
assert_eq "prometheus: mcplog_rule_matches_total{rule=\"errors\"}" "3" \
    "$(pq_wait 'mcplog_rule_matches_total{rule="errors",job="mcplog"}' 3)"
assert_eq "prometheus: the target is up" "1" "$(pq_wait 'up{job="mcplog"}' 1)"
assert_eq "prometheus: tool calls of chat" "3" \
    "$(pq 'mcplog_tool_calls_total{server="hestai",tool="chat"}')"
assert_eq "prometheus: tool calls of debug" "2" \
    "$(pq 'mcplog_tool_calls_total{server="hestai",tool="debug"}')"
assert_eq "prometheus: all tool calls" "5" \
    "$(pq 'sum(mcplog_tool_calls_total)')"
assert_eq "prometheus: time to ready, median bucket" "1" \
    "$(pq 'mcplog_time_to_ready_seconds_bucket{le="5"}')"
echo "$(ts 6) - tools.chat - ERROR - and again" >>logs/mcp_server.log
echo "$(ts 6) - TOOL_CALL: chat with 2 arguments" >>logs/mcp_activity.log
assert_eq "prometheus: a new error line is scraped" "4" \
    "$(pq_wait 'mcplog_rule_matches_total{rule="errors"}' 4)"
assert_eq "prometheus: ... and the new tool call" "4" \
    "$(pq_wait 'mcplog_tool_calls_total{tool="chat"}' 4)"
promtool check rules "$ROOT/docs/prometheus/mcplog-rules.yml" >rules.out 2>&1
assert_eq "promtool check rules: docs/prometheus/mcplog-rules.yml" "0" "$?"
assert_contains "... 7 rules" rules.out "SUCCESS: 7 rules found"
(cd "$ROOT/docs/prometheus" && promtool test rules mcplog-rules.test.yml) >rtest.out 2>&1
assert_eq "promtool test rules: the fleet rules fire on sums across machines" \
    "0" "$?"
amtool check-config "$ROOT/docs/prometheus/alertmanager.yml" >am.out 2>&1
assert_eq "amtool check-config: docs/prometheus/alertmanager.yml" "0" "$?"
assert_contains "... with its inhibit rule" am.out " - 1 inhibit rules"
promtool check config "$ROOT/docs/prometheus/prometheus.yml" >conf.out 2>&1
assert_eq "promtool check config: docs/prometheus/prometheus.yml" "0 " \
    "$? $(grep -i -e error -e FAILED conf.out)"
kill "$PROM"
wait "$PROM" 2>/dev/null

# --- rotation, truncation, a time jump ----------------------------------
mv logs/mcp_activity.log logs/mcp_activity.log.1
: >logs/mcp_activity.log
wait_for follow.out "mcp_activity.log was rotated, reopening" 10
: >logs/mcp_server.log
wait_for follow.out "mcp_server.log was truncated" 10
{
    echo "$(ts 7200) - x - INFO - two hours ahead, alone"
    echo "$(ts 10) - x - INFO - back 1"
    echo "$(ts 11) - x - INFO - back 2"
    echo "$(ts 12) - x - INFO - back 3"
} >>logs/mcp_server.log
wait_for follow.out "time jump" 10
curl -s -o scrape2.txt "http://127.0.0.1:$PORT/metrics"
for l in \
    'mcplog_rotations_total{source="activity"} 1' \
    'mcplog_rotations_total{source="server"} 0' \
    'mcplog_truncations_total{source="server"} 1' \
    'mcplog_truncations_total{source="activity"} 0' \
    'mcplog_time_jumps_total{source="server"} 1' \
    'mcplog_time_jumps_total{source="activity"} 0' \
    'mcplog_bytes_unread_total{source="activity"} 0' \
    'mcplog_lines_total{source="server",file="mcp_server.log"} 10' \
    'mcplog_lines_total{source="activity",file="mcp_activity.log"} 6'; do
    if grep -qxF -- "$l" scrape2.txt; then ok "scrape: $l"; else
        bad "scrape: $l" "$(grep -F -- "${l%% *}" scrape2.txt | head -5)"
    fi
done

# --- hostile clients never hold up reading or matching -------------------
L0=$($HC latency follow.out "latency probe 0" logs/mcp_server.log \
    "$(ts 7) - x - ERROR - latency probe 0")
$HC slow "$PORT" 16 8 slow.ready >slow.out 2>&1 &
SLOW=$!
wait_for slow.ready ready 10
L1=$($HC latency follow.out "latency probe 1" logs/mcp_server.log \
    "$(ts 8) - x - ERROR - latency probe 1")
assert_eq "a scrape past the limit of 16 evicts a slow client and gets in" \
    "HTTP/1.1 200 OK" "$($HC extra "$PORT" 0 2>&1 | head -n 1)"
wait "$SLOW"
echo "metrics: event latency ${L0} ms alone, ${L1} ms beside 16 slow clients"
under() { awk -v v="$1" 'BEGIN { print (v ~ /^[0-9.]+$/ && v + 0 < 1000) ? "yes" : "no: " v }'; }
assert_eq "an event is shown within 1 s (alone)" "yes" "$(under "$L0")"
assert_eq "an event is shown within 1 s beside 16 slow clients" "yes" \
    "$(under "$L1")"
assert_eq "16 slow clients closed (one evicted, the others by the 5 s read timeout) within 8 s" \
    "16 closed" "$(grep -c '^closed$' slow.out) closed"
assert_eq "GET /metrics answers again after them" "200" \
    "$(st "http://127.0.0.1:$PORT/metrics")"

# --- out of descriptors: the listener pauses, it does not spin -------------
# A follow whose descriptor limit is what it uses at the start: accept()
# fails with EMFILE while a client waits in the backlog (the listening
# socket stays readable). Before the pause, the loop woke at once again
# and again: 52 and 109 CPU ticks of 200 in 2 s in two runs.
mkdir -p fdlogs
: >fdlogs/mcp_server.log
"$MCPLOG" follow --no-state --no-status --metrics-listen 127.0.0.1:0 fdlogs >fd0.out 2>&1 &
P=$!
PIDS="$PIDS $P"
wait_open "$P" fdlogs/mcp_server.log
MAXFD=$(ls /proc/$P/fd | sort -n | awk '$1 < 100' | tail -n 1)
kill "$P"
wait "$P"
(ulimit -n $((MAXFD + 1)) && exec "$MCPLOG" follow --no-state --no-status \
    --metrics-listen 127.0.0.1:0 fdlogs) >fd.out 2>&1 &
P=$!
PIDS="$PIDS $P"
wait_for fd.out "metrics on http://127.0.0.1:" 10
wait_open "$P" fdlogs/mcp_server.log
FPORT=$(sed -n 's|.*metrics on http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' fd.out | head -n 1)
python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /metrics HTTP/1.1\r\n\r\n")
time.sleep(3)' "$FPORT" &
C=$!
sleep 0.5
T0=$(awk '{print $14 + $15}' /proc/$P/stat)
sleep 2
T1=$(awk '{print $14 + $15}' /proc/$P/stat)
echo "metrics: out of descriptors, $((T1 - T0)) CPU ticks in 2 s"
assert_eq "out of descriptors: under 20 CPU ticks in 2 s (no busy loop)" "yes" \
    "$([ $((T1 - T0)) -lt 20 ] && echo yes || echo "no: $((T1 - T0))")"
echo "$(ts 20) - x - ERROR - read while out of descriptors" >>fdlogs/mcp_server.log
if wait_for fd.out "read while out of descriptors" 5; then
    ok "... and lines are still read"
else
    bad "... and lines are still read" "$(cat fd.out)"
fi
wait "$C"
kill "$P"
wait "$P"

# --- the textfile: replaced atomically, nothing left behind ---------------
python3 - "$T/text/mcplog.prom" >poll.out <<'EOF'
import os, sys, time
p = sys.argv[1]
# Until three files were seen (each replacement is a new file: inode and
# change time, as an inode number may be reused), at most 15 s: the
# interval is 1 s, but an ASan build on a loaded machine may be late.
reads = torn = 0
inodes = set()
end = time.monotonic() + 15
while time.monotonic() < end and len(inodes) < 3:
    try:
        with open(p, "rb") as f:
            st = os.fstat(f.fileno())
            inodes.add((st.st_ino, st.st_ctime_ns))
            d = f.read()
    except FileNotFoundError:
        torn += 1
        continue
    reads += 1
    if not (d.startswith(b"# HELP mcplog_lines_total") and
            d.endswith(b'mcplog_build_info{version="0.1.0"} 1\n')):
        torn += 1
print("torn=%d replaced=%s" % (torn, "yes" if len(inodes) >= 3 else "no"))
EOF
assert_eq "a polling reader never sees a partial textfile" \
    "torn=0 replaced=yes" "$(cat poll.out)"
assert_eq "the textfile is 0644" "644" "$(stat -c %a text/mcplog.prom)"
promtool check metrics <text/mcplog.prom >promtool2.out 2>&1
assert_eq "promtool check metrics accepts the textfile" "0" "$?"
kill "$FOLLOW"
wait "$FOLLOW"
assert_eq "follow exits 0 on SIGTERM" "0" "$?"
assert_eq "the last textfile holds the last figures" \
    'mcplog_rule_matches_total{rule="errors"} 6' \
    "$(grep -F 'mcplog_rule_matches_total{rule="errors"}' text/mcplog.prom)"
assert_eq "no temporary file is left beside it" "mcplog.prom" "$(ls -A text)"

# --- a real client's logs: failures, durations, connect times -------------
# The files Claude Code 2.1.197 wrote in one run (tests/client/claude-code,
# counts.txt): client-tool-calls dies/boom 2 (both "failed after 0s"),
# hestai_server/chat 1 ("completed successfully in 11ms"), debug 1
# ("failed after 0s"); client-connected dies 5 (48+103+91+125+114 ms),
# hestai_server 4 (166+229+171+369), noisy 4 (92+173+121+178). Each
# server's first connection is also the first thing seen of it.
cp -r "$ROOT"/tests/client/claude-code/home cc
HOME="$T"/cc MCPLOG_DATADIR="$ROOT" "$MCPLOG" follow --client claude-code \
    --from-start --no-state --no-status --metrics-listen 127.0.0.1:0 \
    >cc.out 2>&1 &
P=$!
PIDS="$PIDS $P"
wait_for cc.out "metrics on http://127.0.0.1:" 10
CPORT=$(sed -n 's|.*metrics on http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' cc.out | head -n 1)
for i in $(seq 100); do
    curl -s -o cc.prom "http://127.0.0.1:$CPORT/metrics"
    grep -qxF 'mcplog_rule_matches_total{rule="client-tool-calls"} 4' cc.prom &&
        grep -qxF 'mcplog_rule_matches_total{rule="client-connected"} 13' cc.prom &&
        break
    sleep 0.1
done
assert_eq "client logs: the tool calls' failures, durations and connect times" \
    'mcplog_tool_failures_total{server="hestai_server",tool="chat"} 0
mcplog_tool_failures_total{server="hestai_server",tool="debug"} 1
mcplog_tool_failures_total{server="dies",tool="boom"} 2
mcplog_tool_duration_seconds_bucket{server="hestai_server",tool="chat",le="0.05"} 1
mcplog_tool_duration_seconds_sum{server="hestai_server",tool="chat"} 0.011
mcplog_tool_duration_seconds_count{server="hestai_server",tool="chat"} 1
mcplog_tool_duration_seconds_bucket{server="hestai_server",tool="debug",le="0.05"} 1
mcplog_tool_duration_seconds_sum{server="hestai_server",tool="debug"} 0
mcplog_tool_duration_seconds_count{server="hestai_server",tool="debug"} 1
mcplog_tool_duration_seconds_bucket{server="dies",tool="boom",le="0.05"} 2
mcplog_tool_duration_seconds_sum{server="dies",tool="boom"} 0
mcplog_tool_duration_seconds_count{server="dies",tool="boom"} 2
mcplog_time_to_ready_seconds_bucket{server="mcp",le="0.5"} 0
mcplog_time_to_ready_seconds_sum{server="mcp"} 0
mcplog_time_to_ready_seconds_count{server="mcp"} 0
mcplog_time_to_ready_seconds_bucket{server="noisy",le="0.5"} 4
mcplog_time_to_ready_seconds_sum{server="noisy"} 0.564
mcplog_time_to_ready_seconds_count{server="noisy"} 4
mcplog_time_to_ready_seconds_bucket{server="hestai_server",le="0.5"} 4
mcplog_time_to_ready_seconds_sum{server="hestai_server"} 0.935
mcplog_time_to_ready_seconds_count{server="hestai_server"} 4
mcplog_time_to_ready_seconds_bucket{server="dies",le="0.5"} 5
mcplog_time_to_ready_seconds_sum{server="dies"} 0.481
mcplog_time_to_ready_seconds_count{server="dies"} 5' \
    "$(grep -E '^mcplog_(tool_failures_total|tool_duration_seconds_(sum|count)|time_to_ready_seconds_(sum|count))|le="0\.(05|5)"' cc.prom | grep -v 'le="0\.05".*time_to\|time_to.*le="0\.05"\|tool_duration.*le="0\.5"')"
promtool check metrics <cc.prom >promtool3.out 2>&1
assert_eq "promtool check metrics accepts the client figures" "0 " \
    "$? $(cat promtool3.out)"
kill "$P"
wait "$P"
