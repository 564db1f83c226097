# t_incident.sh - one alert per incident, in every output (issue 13 item
# 2): a burst of three errors from one logger within the rule's cooldown
# is one alert: one firing, updates (the new count, the time of the
# change), one resolved once the cooldown has passed with no new error.
# The terminal's text, its --json lines and a sink (the JSON-lines file
# sink) tell that same story; `jq 'select(.status=="firing")'` gives one
# object per incident.
HOME=$T
unset XDG_CONFIG_HOME
cat >r.yaml <<'Y'
rules:
  - name: errors
    match: ' - (?<logger>[^ ]+) - ERROR - (?<message>.*)$'
    group_by: [logger]
    severity: warning
    cooldown: 5m
    summary: 'ERROR from {logger}: {message}'
Y
# update_interval 0s: every update is told (the default, 1m, would hold
# back updates that come within a minute of the last one told).
cat >c.yaml <<Y
update_interval: 0s
repeat_interval: never
sinks:
  j: {type: file, path: $T/sink.jsonl}
routes:
  - sinks: [terminal, j]
Y
mkdir logs && : >logs/mcp_server.log && : >logs/mcp_activity.log
E() { echo "$(ts "$1") - $2 - ERROR - $3" >>logs/mcp_server.log; }
run() { # run OUT [follow options]: the burst, then a line 6 min later
    _out=$1
    shift
    "$MCPLOG" follow --no-default-rules --rules r.yaml --config c.yaml \
        --no-state "$@" logs >"$_out" 2>err &
    PID=$!
    sleep 0.4
    E 0 tools.x 'boom one'
    E 10 tools.x 'boom two'
    E 20 tools.x 'boom three'
    E 400 tools.y 'failed later'
    wait_for "$_out" 'later' 5
    wait_for sink.jsonl 'later' 5
    kill -TERM "$PID"; wait "$PID"; RC=$?
}

run out.json --json
assert_eq "follow --json: exit 0" 0 "$RC"
assert_eq "--json: one firing, two updates, one resolved, for one id" \
    "firing:1:1:2025-12-10T14:00:00.000Z update:1:2:2025-12-10T14:00:10.000Z update:1:3:2025-12-10T14:00:20.000Z resolved:1:3:2025-12-10T14:05:20.000Z firing:2:1:2025-12-10T14:06:40.000Z" \
    "$(python3 -c '
import json, sys
print(" ".join("%s:%d:%d:%s" % (o["status"], o["id"], o["count"], o["time"])
               for o in map(json.loads, open(sys.argv[1])) if o["type"] == "alert"))' out.json)"
assert_eq "--json: the resolved end is the cooldown after the last error" \
    "2025-12-10T14:05:20.000Z" "$(python3 -c '
import json, sys
print([o for o in map(json.loads, open(sys.argv[1])) if o.get("status") == "resolved"][0]["end"])' out.json)"
assert_eq "jq select(.status==\"firing\"): one per incident" 2 \
    "$(grep -c '"status":"firing"' out.json)"
assert_eq "the sink: the same story" \
    "firing:errors{logger=tools.x}:1 update:errors{logger=tools.x}:2 update:errors{logger=tools.x}:3 resolved:errors{logger=tools.x}:3 firing:errors{logger=tools.y}:1" \
    "$(python3 -c '
import json
print(" ".join("%s:%s:%d" % (o["status"], o["key"], o["count"]) for o in map(json.loads, open("sink.jsonl"))))')"

rm -f sink.jsonl
: >logs/mcp_server.log
run out.txt
assert_eq "text: exit 0" 0 "$RC"
cat >want.txt <<'W'
-- 2025-12-10 --
14:00:00.000  warning   errors{logger=tools.x}  2025-12-10 14:00:00,000 - tools.x - ERROR - boom one
14:00:00.000  ▲ ALERT warning errors{logger=tools.x} count=1: ERROR from tools.x: boom one
14:00:10.000  warning   errors{logger=tools.x}  2025-12-10 14:00:10,000 - tools.x - ERROR - boom two
14:00:10.000  ↻ warning errors{logger=tools.x} count=2
14:00:20.000  warning   errors{logger=tools.x}  2025-12-10 14:00:20,000 - tools.x - ERROR - boom three
14:00:20.000  ↻ warning errors{logger=tools.x} count=3
14:05:20.000  ▼ RESOLVED warning errors{logger=tools.x} count=3 after 5m20s
14:06:40.000  warning   errors{logger=tools.y}  2025-12-10 14:06:40,000 - tools.y - ERROR - failed later
14:06:40.000  ▲ ALERT warning errors{logger=tools.y} count=1: ERROR from tools.y: failed later
W
assert_file_eq "text: one ▲, its ↻ updates with count and time, one ▼" want.txt out.txt
