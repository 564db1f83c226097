# Options whose meaning must not depend on where they stand, and rule
# sources.
HOME=$T
unset XDG_CONFIG_HOME
mkdir -p logs
python3 - <<'PY'
import datetime
t0 = datetime.datetime(2025, 12, 10, 13, 0, 0)
with open("logs/mcp_activity.log", "w") as f:
    for i in range(240):                 # one call a minute, 13:00-16:59
        t = t0 + datetime.timedelta(minutes=i)
        f.write(t.strftime("%Y-%m-%d %H:%M:%S,000") + " - TOOL_CALL: chat with 2 arguments\n")
PY

# --since/--until are read in the zone of --tz wherever --tz stands.
TZ=Asia/Tokyo "$MCPLOG" scan --json --since 2025-12-10T14:00:00 --until 2025-12-10T15:00:00 --tz UTC logs >a.json 2>err
assert_eq "times before --tz: exit 0" 0 $?
TZ=Asia/Tokyo "$MCPLOG" scan --json --tz UTC --since 2025-12-10T14:00:00 --until 2025-12-10T15:00:00 logs >b.json 2>err
assert_json "times before --tz: 60 calls in the hour" a.json rules.tool-calls.matches 60
assert_json "times after --tz: 60 calls in the hour" b.json rules.tool-calls.matches 60

# User rules in ~/.config/mcplog/rules are loaded, and --no-default-rules
# skips them as it skips the shipped ones.
mkdir -p .config/mcplog/rules
cat >.config/mcplog/rules/mine.yaml <<'Y'
rules:
  - name: user-chat
    source: activity
    match: 'TOOL_CALL: chat '
Y
scan_json u.json logs
assert_json "user rule loaded" u.json rules.user-chat.matches 240
assert_json "shipped rules loaded too" u.json rules.tool-calls.matches 240
scan_json n.json --no-default-rules logs
assert_json "--no-default-rules: no rules at all" n.json "rules.#" 0
scan_json r.json --no-default-rules --rules .config/mcplog/rules/mine.yaml logs
assert_json "--no-default-rules --rules: only that file" r.json "rules.#" 1

# More than 1000 expectations that never get met: the oldest missed ones
# make room, so every startup is still tracked and reported.
mkdir -p many
python3 - <<'PY'
import datetime
t0 = datetime.datetime(2025, 12, 10, 0, 0, 0)
with open("many/mcp_server.log", "w") as f:
    for i in range(1005):
        t = t0 + datetime.timedelta(minutes=i)
        f.write(t.strftime("%Y-%m-%d %H:%M:%S,000") + " - root - INFO - Process PID: %d\n" % (1000 + i))
    # the log goes on past the last deadline
    t = t0 + datetime.timedelta(minutes=1005)
    f.write(t.strftime("%Y-%m-%d %H:%M:%S,000") + " - httpx - INFO - HTTP Request: GET x\n")
PY
scan_json m.json --no-default-rules --rules "$ROOT/rules/default.yaml" many
assert_json "1005 startups tracked" m.json "expectations.#" 1005
assert_json "1005 never-ready alerts" m.json rules.startup-not-ready.alerts 1005
assert_json "none dropped" m.json rules.startup-not-ready.expect_dropped 0
assert_json "the last startup is missed too" m.json expectations.1004.missed true
