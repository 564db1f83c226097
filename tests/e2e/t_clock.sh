# t_clock.sh - one line's time must not move the clock (timeguard.h):
# a forged future-dated line is an outlier that carries its neighbours'
# time, in scan and in follow; a real jump (a restart after downtime) is
# confirmed by the lines after it; a backwards jump keeps its own time;
# follow takes a line dated after the wall clock + 5 min as arriving now
# and takes back a checkpoint clock that is ahead of the wall clock.
HOME=$T
unset XDG_CONFIG_HOME
export MCPLOG_DATADIR="$ROOT"

rc_line() { echo "$(ts "$1") - root - ERROR - Failed to reconnect to $2."; }
FORGED='9999-12-31 23:59:59,000 - tools.chat - ERROR - forged'

# ---------------------------------------------------------------------------
# 1. scan: a line at 14:00:00, a forged one dated 9999, then eight
#    reconnect failures at 14:00:01 .. 14:00:08. The forged line is
#    matched (an ERROR) but carries 14:00:00; the reconnect alert fires at
#    the 6th failure (it fired never before: the clock was at 9999).
mkdir -p f1
{
    echo "$(ts 0) - root - INFO - hello"
    echo "$FORGED"
    for i in 1 2 3 4 5 6 7 8; do rc_line "$i" hestai; done
} >f1/mcp_server.log
scan_json f1.json f1
assert_eq "forged: exit 0" 0 $?
assert_json "forged: one reconnect alert" f1.json rules.reconnect-failures.alerts 1
assert_json "forged: it fires at the 6th failure" f1.json alerts.2.start 2025-12-10T14:00:06.000Z
assert_json "forged: its count" f1.json alerts.2.count 8
assert_json "forged: the forged ERROR is still an alert" f1.json rules.errors.alerts 2
assert_json "forged: ... at the time of the line before it" f1.json alerts.0.start 2025-12-10T14:00:00.000Z
assert_json "forged: ... its line kept as written" f1.json alerts.0.last_line "$FORGED"
assert_json "forged: one time jump in the input" f1.json inputs.0.time_jumps 1
assert_json "forged: one time jump in all" f1.json totals.time_jumps 1
assert_json "forged: the input's last time is not the forged one" f1.json inputs.0.last 2025-12-10T14:00:08.000Z
"$MCPLOG" scan --tz UTC f1 >f1.txt 2>err
assert_contains "forged: text names the time jump" f1.txt \
    "            1 time jump: a line dated over 1h ahead of its neighbours took their time"
assert_contains "forged: text totals" f1.txt "Totals: 10 lines, 676 bytes, 17 matches, 1 time jump"

# Without the forged line: the same single alert (and no time jump).
grep -v '^9999' f1/mcp_server.log >f1b.log && mkdir f1b && mv f1b.log f1b/mcp_server.log
scan_json f1b.json f1b
assert_json "no forged line: one reconnect alert" f1b.json rules.reconnect-failures.alerts 1
assert_json "no forged line: no time jump" f1b.json totals.time_jumps 0

# The forged line in a rotated file, the failures in the live one: the
# family is one stream.
mkdir f2
{ echo "$(ts 0) - root - INFO - hello"; echo "$FORGED"; } >f2/mcp_server.log.1
for i in 1 2 3 4 5 6; do rc_line "$i" hestai; done >f2/mcp_server.log
scan_json f2.json f2
assert_json "forged at the end of .1: one reconnect alert" f2.json rules.reconnect-failures.alerts 1
assert_json "forged at the end of .1: the jump counted in .1" f2.json inputs.0.time_jumps 1
assert_json "forged at the end of .1: none in the live file" f2.json inputs.1.time_jumps 0

# ---------------------------------------------------------------------------
# 2. A real jump: the server restarted after 3 h of downtime. The lines
#    after the restart confirm it: they keep their own time, and the
#    startup is ready 1 s after it (no false "not ready").
mkdir r1
{
    echo "$(ts 0) - root - INFO - Process PID: 100"
    echo "$(ts 1) - __main__ - INFO - Server ready - waiting for tool requests..."
    echo "$(ts 10800) - root - INFO - Process PID: 200"
    echo "$(ts 10801) - __main__ - INFO - Server ready - waiting for tool requests..."
    echo "$(ts 10802) - mcp.server.lowlevel.server - INFO - Processing request of type ListToolsRequest"
    echo "$(ts 10803) - mcp.server.lowlevel.server - INFO - Processing request of type CallToolRequest"
} >r1/mcp_server.log
scan_json r1.json r1
assert_json "restart after 3h: no startup alert" r1.json rules.startup-not-ready.alerts 0
assert_json "restart after 3h: its own time" r1.json expectations.1.start 2025-12-10T17:00:00.000Z
assert_json "restart after 3h: ready after 1 s" r1.json expectations.1.after_ms 1000
assert_json "restart after 3h: no time jump" r1.json totals.time_jumps 0
assert_json "restart after 3h: the input's last time" r1.json inputs.0.last 2025-12-10T17:00:03.000Z
# At the end of the log fewer lines can confirm: one is enough; a last
# line alone after a gap is an outlier (nothing confirms it).
mkdir r2 r3
{ echo "$(ts 0) - root - INFO - a"; echo "$(ts 7200) - tools.x - ERROR - b"; echo "$(ts 7201) - tools.x - INFO - c"; } >r2/mcp_server.log
scan_json r2.json r2
assert_json "2h later, one line after it: its own time" r2.json alerts.0.start 2025-12-10T16:00:00.000Z
assert_json "2h later, one line after it: no time jump" r2.json totals.time_jumps 0
{ echo "$(ts 0) - root - INFO - a"; echo "$(ts 7200) - tools.x - ERROR - b"; } >r3/mcp_server.log
scan_json r3.json r3
assert_json "2h later, the last line: the time before it" r3.json alerts.0.start 2025-12-10T14:00:00.000Z
assert_json "2h later, the last line: a time jump" r3.json totals.time_jumps 1
assert_json "2h later, the last line: the input's last time" r3.json inputs.0.last 2025-12-10T14:00:00.000Z

# ---------------------------------------------------------------------------
# 3. Backwards, as before: lines dated earlier than the clock keep their
#    own times (lines of a file are never reordered) and the engine's
#    clock does not go back. After an unmatched line at 14:00, six
#    failures dated 12:00 fire (the engine has seen no time yet); after a
#    matched one at 14:00 they fall outside the 1 h window: no alert.
mkdir b1 b2
{
    echo "$(ts 0) - root - INFO - a"
    for i in 1 2 3 4 5 6; do rc_line "$((i - 7200))" hestai; done
    echo "$(ts 10) - root - INFO - b"
} >b1/mcp_server.log
scan_json b1.json b1
assert_json "backwards: 6 matches" b1.json rules.reconnect-failures.matches 6
assert_json "backwards: one alert" b1.json rules.reconnect-failures.alerts 1
assert_json "backwards: at its own (earlier) time" b1.json alerts.1.start 2025-12-10T12:00:06.000Z
assert_json "backwards: no time jump" b1.json totals.time_jumps 0
assert_json "backwards: first time" b1.json inputs.0.first 2025-12-10T14:00:00.000Z
{
    echo "$(ts 0) - tools.x - ERROR - a"
    for i in 1 2 3 4 5 6; do rc_line "$((i - 7200))" hestai; done
} >b2/mcp_server.log
scan_json b2.json b2
assert_json "backwards after a match: no alert" b2.json rules.reconnect-failures.alerts 0
assert_json "backwards after a match: no time jump" b2.json totals.time_jumps 0
assert_json "backwards after a match: last time" b2.json inputs.0.last 2025-12-10T12:00:06.000Z

# ---------------------------------------------------------------------------
# 4. follow: the same forged file, read from the start. The forged line
#    is dated after the wall clock: taken as now (the clock, 14:00:00),
#    with one notice; the reconnect alert fires; the checkpoint's clock
#    stays in 2025; after a restart new failures raise a new alert.
fstart() { # OUT [args]
    _o=$1
    shift
    "$MCPLOG" follow --json --state "$T/state" "$@" logs >"$_o" 2>>"$T/ferr" &
    PID=$!
}
fstop() { kill -TERM "$PID"; wait "$PID"; RC=$?; }
event_time() { # FILE LINE: the time of the event on line LINE
    python3 -c '
import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o.get("type") == "event" and o["line"] == int(sys.argv[2]):
        print(o["time"]); break' "$@"
}
notices() { python3 -c '
import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o.get("type") == "notice":
        print(o["message"])' "$1"; }
ckpt_clock() { sed -n 's/^engine clock \([-0-9]*\) .*/\1/p' "$1"; }
year_of() { python3 -c 'import sys, datetime; print(datetime.datetime.utcfromtimestamp(int(sys.argv[1]) / 1000).year if int(sys.argv[1]) < 253402300800000 else 10000)' "$1"; }

mkdir logs
cp f1/mcp_server.log logs/mcp_server.log
: >ferr
fstart fa.json --from-start
wait_for fa.json '"rule":"reconnect-failures","severity":"critical","labels":{"server":"hestai"}' 10
fstop
assert_eq "follow forged: exit 0" 0 "$RC"
assert_eq "follow forged: the reconnect alert fired" 1 "$(count_alerts fa.json firing reconnect-failures)"
assert_eq "follow forged: the forged line taken as now (the clock)" \
    2025-12-10T14:00:00.000Z "$(event_time fa.json 2)"
assert_eq "follow forged: one notice" \
    "logs/mcp_server.log:2: dated after the wall clock (9999-12-31 23:59:59,000): taken as now" \
    "$(notices fa.json | grep 'wall clock')"
assert_eq "follow forged: the checkpoint's clock is not 9999" 2025 "$(year_of "$(ckpt_clock state)")"
# Restart: failures for another server, a little later, raise an alert.
for i in 20 21 22 23 24 25; do rc_line "$i" zen; done >>logs/mcp_server.log
fstart fb.json
wait_for fb.json '"labels":{"server":"zen"}' 10
fstop
assert_eq "follow forged, restarted: exit 0" 0 "$RC"
assert_eq "follow forged, restarted: a new alert fires" 1 "$(count_alerts fb.json firing reconnect-failures)"

# 4b. follow, two lines 6 h ahead of their neighbours but before the
#    wall clock (the logs are older than now): outliers, as in scan, with
#    a notice (the second within the minute is counted, not shown); with
#    --all a line no rule matches shows the time it carries.
rm -rf logs state
mkdir logs
{
    echo "$(ts 0) - root - INFO - hello"
    echo "$(ts 21600) - tools.chat - INFO - forged"
    echo "$(ts 21601) - tools.chat - ERROR - forged too"
    for i in 1 2 3 4 5 6; do rc_line "$i" hestai; done
} >logs/mcp_server.log
fstart fj.json --from-start --all
wait_for fj.json '"rule":"reconnect-failures","severity":"critical","labels":{"server":"hestai"}' 10
fstop
assert_eq "follow jump: exit 0" 0 "$RC"
assert_eq "follow jump: the reconnect alert fired" 1 "$(count_alerts fj.json firing reconnect-failures)"
assert_eq "follow jump: the notice" \
    "logs/mcp_server.log:2: dated over 1h ahead of the lines around it (2025-12-10 20:00:00,000): timed 2025-12-10 14:00:00,000 (1 time jump so far)" \
    "$(notices fj.json | grep 'ahead of the lines')"
assert_eq "follow jump: the matched one at the time it carries" 2025-12-10T14:00:00.000Z \
    "$(event_time fj.json 3)"
assert_eq "follow jump: --all shows the line at the time it carries" 2025-12-10T14:00:00.000Z \
    "$(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o.get("type") == "line" and o["line"] == 2:
        print(o["time"])' fj.json)"

# ---------------------------------------------------------------------------
# 5. A checkpoint whose clock is ahead of the wall clock (9999, as an
#    older mcplog wrote after such a line) is taken back to now, with a
#    notice. The checkpoint is rewritten with a valid end hash.
fix_ckpt state 's/^engine clock [-0-9]* /engine clock 253402300799000 /'
: >ferr
fstart fc.json
# failures at the wall clock's time: with the clock taken back, they count
for i in 1 2 3 4 5 6; do echo "$(now_ts) - root - ERROR - Failed to reconnect to later."; done >>logs/mcp_server.log
wait_for fc.json '"labels":{"server":"later"}' 10
fstop
assert_eq "checkpoint ahead: exit 0" 0 "$RC"
assert_eq "checkpoint ahead: the notice" \
    "the checkpoint's clock (9999-12-31T23:59:59.000Z) is ahead of the wall clock: taken back to now" \
    "$(notices fc.json | grep 'checkpoint.s clock')"
assert_eq "checkpoint ahead: failures at the wall clock's time raise an alert" 1 \
    "$(count_alerts fc.json firing reconnect-failures)"
assert_eq "checkpoint ahead: the new checkpoint's clock is this year" \
    "$(date -u +%Y)" "$(year_of "$(ckpt_clock state)")"

# Without --json the notices go to stderr, once per family.
rm -f state
cp f1/mcp_server.log logs/mcp_server.log
echo "$FORGED" >>logs/mcp_server.log
"$MCPLOG" follow --from-start --no-status --state "$T/state" logs >ft.txt 2>ft.err &
PID=$!
wait_for ft.txt "reconnect-failures" 10
fstop
assert_eq "text: exit 0" 0 "$RC"
assert_eq "text: the notice on stderr, once" \
    "mcplog: logs/mcp_server.log:2: dated after the wall clock (9999-12-31 23:59:59,000): taken as now" \
    "$(grep 'wall clock' ft.err)"
