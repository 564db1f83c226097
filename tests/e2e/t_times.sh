# --since and --until as people type them (mcplog(1) TIME EXPRESSIONS):
# relative times against the wall clock, checked with lines that date(1)
# wrote; the calendar words and clock times of today; @EPOCH; a date and
# time without seconds; the errors. The parser itself is unit tested
# against fixed clocks and zones (tests/unit/test_timeexpr.c).
HOME=$T
unset XDG_CONFIG_HOME
cat >calls.yaml <<'Y'
rules:
  - name: calls
    match: 'TOOL_CALL: (?<tool>\S+)'
Y
# call WHEN TOOL: an activity line dated by date(1) -d WHEN (TZ=UTC)
call() { echo "$(date -d "$1" '+%Y-%m-%d %H:%M:%S'),000 - TOOL_CALL: $2 with 1 argument"; }
# n ARGS...: how many calls scan counts with those options
n() {
    "$MCPLOG" scan --json --no-default-rules --rules calls.yaml "$@" >n.json 2>err
    jget n.json rules.calls.matches
}

# Not across midnight: the lines of "today" must stay today's.
while [ "$(date +%H%M)" = 2359 ]; do sleep 5; done

# 1. Relative to the wall clock, journalctl's way. (Lines less than an
#    hour apart: a jump of more than one is a time jump, timeguard.)
mkdir rel
{
    call '150 minutes ago' m150
    call '110 minutes ago' m110
    call '70 minutes ago' m70
    call '35 minutes ago' m35
    call '10 minutes ago' m10
} >rel/mcp_activity.log
assert_eq "--since '2h ago'" 4 "$(n --since '2h ago' rel)"
assert_eq "--since -30m" 1 "$(n --since -30m rel)"
assert_eq "--since '1 h 40 min ago'" 3 "$(n --since '1 h 40 min ago' rel)"
assert_eq "--since '3 hours ago': all" 5 "$(n --since '3 hours ago' rel)"
assert_eq "--until '1h ago'" 3 "$(n --until '1h ago' rel)"
assert_eq "--since -2h --until -30m" 3 "$(n --since -2h --until -30m rel)"
assert_eq "--until now: all" 5 "$(n --until now rel)"
assert_eq "--since +1h: none" 0 "$(n --since +1h rel)"
assert_eq "the relative lines made no time jump" 0 "$(jget n.json totals.time_jumps)"

# 2. Today, yesterday and clock times are the local day's.
mkdir day two
{
    call 'yesterday 23:59:30' late
    call 'today 00:00:30' early
    call 'today 00:01:00' early2
} >day/mcp_activity.log
{
    call 'today 13:59:00' before-two
    call 'today 14:00:00' at-two
    call 'today 14:01:00' after-two
} >two/mcp_activity.log
assert_eq "--since today" 2 "$(n --since today day)"
assert_eq "--since yesterday" 3 "$(n --since yesterday day)"
assert_eq "--until today: yesterday's line" 1 "$(n --until today day)"
assert_eq "--since tomorrow: none" 0 "$(n --since tomorrow day)"
assert_eq "--since 14:00: today at 14:00, inclusive" 2 "$(n --since 14:00 two)"
assert_eq "--until 14:00: exclusive" 1 "$(n --until 14:00 two)"
assert_eq "--since 14:00:30" 1 "$(n --since 14:00:30 two)"
assert_eq "--since @EPOCH of today 14:00" 2 \
    "$(n --since "@$(date -d 'today 14:00' +%s)" two)"
assert_eq "--since @EPOCH.5" 1 \
    "$(n --since "@$(date -d 'today 14:00' +%s).5" two)"
# In another zone (--tz), the lines and today are that zone's.
mkdir tokyo
{
    TZ=Asia/Tokyo call 'yesterday 23:50' tokyo-late
    TZ=Asia/Tokyo call 'today 00:10' tokyo-early
} >tokyo/mcp_activity.log
assert_eq "--tz Asia/Tokyo --since today: Tokyo's today" 1 \
    "$(n --tz Asia/Tokyo --since today tokyo)"
assert_eq "--since yesterday --tz Asia/Tokyo (--tz after)" 2 \
    "$(n --since yesterday --tz Asia/Tokyo tokyo)"

# 3. A date and time without seconds, on a fixed log.
mkdir fixed
python3 - <<'PY'
import datetime
t0 = datetime.datetime(2025, 12, 10, 13, 0, 0)
with open("fixed/mcp_activity.log", "w") as f:
    for i in range(240):                 # one call a minute, 13:00-16:59
        t = t0 + datetime.timedelta(minutes=i)
        f.write(t.strftime("%Y-%m-%d %H:%M:%S,000") + " - TOOL_CALL: chat with 2 arguments\n")
PY
assert_eq "--since '2025-12-10 14:00' --until '2025-12-10 15:00'" 60 \
    "$(n --since '2025-12-10 14:00' --until '2025-12-10 15:00' fixed)"
assert_eq "--since 2025-12-10T14:30 --until 2025-12-10T14:31" 1 \
    "$(n --since 2025-12-10T14:30 --until 2025-12-10T14:31 fixed)"
assert_eq "--until 2025-12-10 (midnight)" 0 "$(n --until 2025-12-10 fixed)"

# 4. Errors: exit 2, the cause, no report.
assert_status "--since after --until: exit 2" 2 "$MCPLOG" scan \
    --since '2025-12-10 15:00' --until '2025-12-10 14:00' fixed
assert_eq "--since after --until: message" \
    "mcplog: --since (2025-12-10T15:00:00.000Z) is later than --until (2025-12-10T14:00:00.000Z)
Try 'mcplog scan --help'." "$(cat err)"
assert_eq "--since after --until: no report" "" "$(cat out)"
assert_status "--since -1h --until -2h: exit 2" 2 "$MCPLOG" scan \
    --since -1h --until -2h fixed
assert_status "a typo: exit 2" 2 "$MCPLOG" scan --since yesterdy fixed
assert_eq "a typo: did you mean" \
    "mcplog: --since: bad time 'yesterdy' (did you mean 'yesterday'?)
Try 'mcplog scan --help'." "$(cat err)"
assert_status "a bad duration: exit 2" 2 "$MCPLOG" scan --until '2 fortnights ago' fixed
assert_eq "a bad duration: message" \
    "mcplog: --until: bad time '2 fortnights ago': '2 fortnights' is not a duration such as 2h, 30min or 1h30m
Try 'mcplog scan --help'." "$(cat err)"
assert_status "25:00: exit 2" 2 "$MCPLOG" scan --since 25:00 fixed
assert_eq "25:00: the forms accepted" \
    "mcplog: --since: bad time '25:00': use e.g. 2h ago, -30m, today, yesterday, 14:00, 2025-12-10 14:00, 2025-12-10T14:00:00+01:00 or @1765375200
Try 'mcplog scan --help'." "$(cat err)"
assert_status "follow: a bad --since: exit 2" 2 "$MCPLOG" follow --no-state --since 'a while ago' fixed
assert_eq "follow: a bad --since: message" \
    "mcplog: --since: bad time 'a while ago': 'a while' is not a duration such as 2h, 30min or 1h30m
Try 'mcplog follow --help'." "$(cat err)"

# 5. follow --since '2h ago': the live file from its start, lines at or
#    after two hours ago only.
mkdir live
cp rel/mcp_activity.log live/
"$MCPLOG" follow --json --no-state --no-default-rules --rules calls.yaml \
    --since '2h ago' live >f.json 2>f.err &
PID=$!
wait_for f.json 'm10' 10
call 'now' now-call >>live/mcp_activity.log
wait_for f.json 'now-call' 10
kill -TERM "$PID"
wait "$PID"
assert_eq "follow --since '2h ago': exit 0" 0 $?
assert_eq "follow --since '2h ago': the lines of the last two hours" \
    "m110 m70 m35 m10 now-call" \
    "$(python3 -c '
import json, sys
print(" ".join(o["captures"]["tool"] for o in map(json.loads, open("f.json")) if o.get("type") == "event"))')"

# 6. health --since: the restarts and reconnect failures counted from
#    TIME, the window shown as now - TIME.
mkdir -p hl
{
    for m in 150 110 70 35; do
        echo "$(date -d "$m minutes ago" '+%Y-%m-%d %H:%M:%S'),000 - root - INFO - Process PID: $m"
    done
    echo "$(date -d '20 minutes ago' '+%Y-%m-%d %H:%M:%S'),000 - root - INFO - Failed to reconnect to hestai."
} >hl/mcp_server.log
hjson() { # health --json ARGS: "restarts window reconnects window"
    "$MCPLOG" health --json "$@" hl >h.json 2>err
    echo "$(jget h.json checks.2.value) $(jget h.json checks.2.window) $(jget h.json checks.3.value) $(jget h.json checks.3.window)"
}
assert_eq "health: the configured windows (7d, 1h)" "4 604800 1 3600" "$(hjson)"
assert_eq "health --since '2h ago': 3 restarts, 1 reconnect failure in 2h" "3 7200 1 7200" "$(hjson --since '2h ago')"
assert_eq "health --since -1h: 1 restart in 1h" "1 3600 1 3600" "$(hjson --since -1h)"
assert_eq "health --since '30 min ago': none, 1 reconnect failure" "0 1800 1 1800" "$(hjson --since '30 min ago')"
# @EPOCH of the 150-minute line: inclusive.
e=$(date -d "$(sed -n '1s/,000 - .*//p' hl/mcp_server.log)" +%s)
assert_eq "health --since @EPOCH: that line counts" "4" "$("$MCPLOG" health --json --since "@$e" hl >h.json 2>err; jget h.json checks.2.value)"
"$MCPLOG" health --since '2h ago' hl >out 2>err
assert_eq "health --since '2h ago': the status line's counts" \
    "3 restarts in 2h (more than 1), 1 reconnect failure in 2h" \
    "$(sed -n '1s/.* - \(3 restarts in 2h (more than 1)\).*\(1 reconnect failure in 2h\).*/\1, \2/p' out)"
assert_status "health --since bad: UNKNOWN (3)" 3 "$MCPLOG" health --since 'a while ago' hl
assert_eq "health --since bad: the status line" \
    "MCPLOG UNKNOWN - health: --since: bad time 'a while ago': 'a while' is not a duration such as 2h, 30min or 1h30m" "$(cat out)"
