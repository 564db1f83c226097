# t_groups.sh - the group cap (issue 10, item 7): a rule keeps at most
# 10000 groups; a key past the cap is counted (groups_dropped: matches,
# keys_dropped: distinct keys) and has no alert state, so no threshold
# alert can fire for keys it never saw. 10100 distinct tools, each called
# once within a minute: tool-call-rate (more than 60 in 1m per tool) must
# stay silent in scan and in follow, and the report must say exactly how
# many keys went over the cap.
export HOME="$T"
unset XDG_CONFIG_HOME
export MCPLOG_DATADIR="$ROOT"

mkdir logs
python3 - logs/mcp_activity.log <<'EOF'
import datetime, sys
t0 = datetime.datetime(2025, 12, 10, 14, 0, 0)
with open(sys.argv[1], 'w') as f:
    for i in range(10100):
        t = t0 + datetime.timedelta(milliseconds=5 * i)   # 50.5 s in all
        f.write('%s,%03d - TOOL_CALL: t%05d with 1 argument\n'
                % (t.strftime('%Y-%m-%d %H:%M:%S'), t.microsecond // 1000, i))
EOF

scan_json g.json logs
assert_eq "scan --json: exit 0" 0 $?
assert_json "tool-call-rate: every call counted" g.json rules.tool-call-rate.matches 10100
assert_json "tool-call-rate: no alert" g.json rules.tool-call-rate.alerts 0
assert_json "no alert at all" g.json alerts.# 0
assert_json "tool-call-rate: 10000 groups in the table" g.json rules.tool-call-rate.groups.# 10000
assert_json "tool-call-rate: 100 matches past the cap" g.json rules.tool-call-rate.groups_dropped 100
assert_json "tool-call-rate: 100 keys past the cap" g.json rules.tool-call-rate.keys_dropped 100
assert_json "tool-calls: 100 keys past the cap" g.json rules.tool-calls.keys_dropped 100
assert_json "the last tracked key is t09999" g.json rules.tool-calls.groups.t09999 1
assert_eq "a key past the cap is not in the table" False \
    "$(python3 -c 'import json,sys;print("t10000" in json.load(open(sys.argv[1]))["rules"]["tool-calls"]["groups"])' g.json)"

"$MCPLOG" scan --tz UTC logs >g.txt 2>err
assert_eq "scan text: exit 0" 0 $?
assert_contains "text: tool-call-rate row says how many keys went over" g.txt \
    "  tool-call-rate         warning       10100       0  (100 keys past the 10000 groups tracked, 100 matches)"
assert_contains "text: no alert" g.txt "Alerts: 0"

# The same calls, twice each (20200 lines): still 100 distinct keys past
# the cap, 200 matches.
cat logs/mcp_activity.log logs/mcp_activity.log >logs/x && mv logs/x logs/mcp_activity.log
scan_json g2.json logs
assert_json "twice: 200 matches past the cap" g2.json rules.tool-calls.groups_dropped 200
assert_json "twice: still 100 keys past the cap" g2.json rules.tool-calls.keys_dropped 100

# follow reads the same 10100 calls: no alert either (JSON lines).
head -n 10100 logs/mcp_activity.log >logs/y && mv logs/y logs/mcp_activity.log
"$MCPLOG" follow --json --tz UTC --from-start --no-state logs >f.json 2>f.err &
PID=$!
wait_for f.json '"tool":"t10099"' 20
kill -TERM "$PID"
wait "$PID"
assert_eq "follow: exit 0" 0 $?
assert_eq "follow: every call shown (tool-calls)" 10100 \
    "$(grep -c '"type":"event","time":"[^"]*","rule":"tool-calls"' f.json)"
assert_eq "follow: every call shown (tool-call-rate)" 10100 \
    "$(grep -c '"type":"event","time":"[^"]*","rule":"tool-call-rate"' f.json)"
assert_eq "follow: no alert" 0 "$(grep -c '"type":"alert"' f.json)"
