# mcplog follow, small and exact: every scenario runs with inotify and with
# --poll. Lines carry seq=N; the rule "rec" captures it; the JSON output
# must hold exactly the expected sequence, once each, in order.
HOME=$T
unset XDG_CONFIG_HOME
cat >rec.yaml <<'Y'
rules:
  - name: rec
    match: 'seq=(?<seq>\d+)'
  - name: boot
    match: 'Process PID: (?<pid>\d+)$'
    expect: {match: 'Server ready', within: 1s}
    group_by: [pid]
    severity: critical
Y
line() { echo "$(ts "$1") - root - INFO - seq=$1"; }

start() { # start MODE OUT [extra args]
    _mode=$1
    _out=$2
    shift 2
    if [ "$_mode" = poll ]; then set -- --poll --poll-interval 100ms "$@"; fi
    "$MCPLOG" follow --json --no-default-rules --rules rec.yaml \
        --state "$T/state" --grace 300ms "$@" logs >"$_out" 2>>"$T/stderr" &
    PID=$!
    wait_open "$PID" logs/mcp_server.log
}
stop() { kill -TERM "$PID"; wait "$PID"; RC=$?; }

for mode in inotify poll; do
    rm -rf logs state && mkdir logs
    line 1 >logs/mcp_server.log

    # 1. Starts at the end, like tail -F: seq 1 was there before.
    start $mode a.json
    line 2 >>logs/mcp_server.log
    wait_for a.json '"seq":"2"' 5
    # 2. rename + create (logrotate create): the old file drains, the
    #    new one is read from its start, a late write to the old one too.
    mv logs/mcp_server.log logs/mcp_server.log.1
    line 3 >logs/mcp_server.log
    line 4 >>logs/mcp_server.log.1
    wait_for a.json '"seq":"4"' 5
    # 3. copytruncate: copy, then truncate; new lines after.
    line 5 >>logs/mcp_server.log
    wait_for a.json '"seq":"5"' 5
    cp logs/mcp_server.log logs/mcp_server.log.2
    line 6 >>logs/mcp_server.log.2   # written between copy and truncate
    : >logs/mcp_server.log
    line 7 >>logs/mcp_server.log
    wait_for a.json '"seq":"7"' 5
    # 4. delete and recreate after a gap.
    rm logs/mcp_server.log
    sleep 0.3
    line 8 >logs/mcp_server.log
    wait_for a.json '"seq":"8"' 5
    stop; assert_eq "$mode: exit 0 on SIGTERM" 0 "$RC"
    # Each line once. Across files the order is the order of our looks
    # (3 and 4 may both be there when we look); within a file it is kept.
    got=$(seqs a.json)
    assert_eq "$mode: each line once" "2 3 4 5 6 7 8" "$(sorted_seqs "$got")"
    assert_eq "$mode: old file in order (2, then the late 4)" yes "$(in_order "$got" 2 4)"
    assert_eq "$mode: live file in order (3, 5, then after truncation 7, 8)" yes \
        "$(in_order "$got" 3 5 7 8)"
    assert_eq "$mode: the copy's rest (6) before the rewound file (7)" yes \
        "$(in_order "$got" 5 6 7)"

    # 5. Resume from the checkpoint: rotations while down, gzip included.
    line 9 >>logs/mcp_server.log
    mv logs/mcp_server.log logs/mcp_server.log.3 && gzip logs/mcp_server.log.3
    line 10 >logs/mcp_server.log
    start $mode b.json
    line 11 >>logs/mcp_server.log
    wait_for b.json '"seq":"11"' 5
    stop; assert_eq "$mode: resume exit 0" 0 "$RC"
    assert_eq "$mode: resumed exactly, the rotated rest from the .gz" \
        "9 10 11" "$(seqs b.json)"

    # 6. A partial line is delivered once, when its newline arrives.
    start $mode c.json
    printf '%s - root - INFO - seq=12 part' "$(ts 12)" >>logs/mcp_server.log
    sleep 0.3
    printf 'ial\n' >>logs/mcp_server.log
    wait_for c.json '"seq":"12"' 5
    stop; assert_eq "$mode: partial line exit 0" 0 "$RC"
    assert_eq "$mode: the completed line once" "12" "$(seqs c.json)"
    assert_contains "$mode: completed text" c.json 'seq=12 partial"'

    # 7. An expectation fires on the wall clock when nothing more is
    #    written (within 1s here), and the alert is in the checkpoint:
    #    a restart does not raise it again.
    start $mode d.json
    echo "$(ts 20) - root - INFO - Process PID: 4242" >>logs/mcp_server.log
    wait_for d.json '"status":"firing"' 5
    stop; assert_eq "$mode: expectation exit 0" 0 "$RC"
    assert_contains "$mode: alert fired without more lines" d.json \
        '"rule":"boot","severity":"critical","labels":{"pid":"4242"}'
    start $mode e.json
    sleep 0.5
    stop; assert_eq "$mode: restart exit 0" 0 "$RC"
    assert_not_contains "$mode: no second alert after restart" e.json '"type":"alert"'
done

# A damaged checkpoint gives a warning and a fresh start, never a crash.
rm -rf logs && mkdir logs && line 1 >logs/mcp_server.log
echo "garbage" >"$T/state"
start inotify f.json
line 2 >>logs/mcp_server.log
wait_for f.json '"seq":"2"' 5
stop; assert_eq "damaged state: exit 0" 0 "$RC"
assert_contains "damaged state: warned" f.json 'not an mcplog state file'
assert_eq "damaged state: started at the end" "2" "$(seqs f.json)"

# SIGHUP reloads the rules. The state of a rule that did not change
# carries over (its firing alert is not raised again); a rule that
# changed starts fresh; invalid rules are reported and the old ones stay.
rm -rf logs && mkdir logs && : >logs/mcp_server.log
cat >hup.yaml <<'Y'
rules:
  - name: rec
    match: 'seq=(?<seq>\d+)'
  - name: burst
    match: 'seq=\d+'
    threshold: {count: 1, window: 1h}
    severity: warning
Y
"$MCPLOG" follow --json --no-default-rules --rules hup.yaml --no-state logs >h.json 2>h.err &
PID=$!
wait_open "$PID" logs/mcp_server.log
line 1 >>logs/mcp_server.log
line 2 >>logs/mcp_server.log
wait_for h.json '"status":"firing"' 5
cat >>hup.yaml <<'Y'
  - name: extra
    match: 'seq=(?<n>3)$'
Y
kill -HUP "$PID"
wait_for h.json 'rules reloaded' 5
line 3 >>logs/mcp_server.log
wait_for h.json '"rule":"extra"' 5
assert_eq "reload: the unchanged rule's alert is not raised again" 1 \
    "$(grep -c '"status":"firing"' h.json)"
assert_contains "reload: the unchanged rule's alert goes on (same id)" h.json \
    '{"type":"event","time":"2025-12-10T14:00:03.000Z","rule":"burst","severity":"warning","captures":{},"file":"logs/mcp_server.log","line":3,"text":"2025-12-10 14:00:03,000 - root - INFO - seq=3","alert":1}'
assert_not_contains "reload: its update waits for update_interval (1m)" h.json \
    '"status":"update"'
assert_contains "reload: the new rule is in force" h.json '"rule":"extra"'
echo 'rules: [ {name: broken, match: "("} ]' >hup.yaml
kill -HUP "$PID"
wait_for h.json 'reload failed' 5
assert_contains "bad reload: a notice names the file and position" h.json \
    "{\"type\":\"notice\",\"message\":\"reload failed, the rules in force stay: hup.yaml:1:34: rule 'broken': pattern error at offset 1: missing closing parenthesis\"}"
assert_eq "bad reload: nothing on stderr" "" "$(cat h.err)"
line 4 >>logs/mcp_server.log
wait_for h.json '"seq":"4"' 5
assert_contains "bad reload: the old rules stay in force" h.json '"seq":"4"'
stop
assert_eq "reload: exit 0" 0 "$RC"

# Start positions: --from-start reads the live file from its beginning;
# --replay first reads the rotated archives (oldest first, gzip too);
# --since shows lines at or after a time.
for mode in inotify poll; do
    rm -rf logs && mkdir logs
    { line 1; line 2; } >logs/mcp_server.log.2 && gzip logs/mcp_server.log.2
    line 3 >logs/mcp_server.log.1
    { line 4; line 5; } >logs/mcp_server.log
    start $mode r.json --no-state --replay
    line 6 >>logs/mcp_server.log
    wait_for r.json '"seq":"6"' 5
    stop
    assert_eq "$mode: --replay: archives, then live, then new" "1 2 3 4 5 6" "$(seqs r.json)"
    start $mode s.json --no-state --from-start
    line 7 >>logs/mcp_server.log
    wait_for s.json '"seq":"7"' 5
    stop
    assert_eq "$mode: --from-start: the live file from its start" "4 5 6 7" "$(seqs s.json)"
    start $mode u.json --no-state --since 2025-12-10T14:00:05Z
    line 8 >>logs/mcp_server.log
    wait_for u.json '"seq":"8"' 5
    stop
    assert_eq "$mode: --since: only lines at or after the time" "5 6 7 8" "$(seqs u.json)"
done

# --replay with two families: their archives merged in time order, as
# scan merges them (issue 13 item 9: it read one family's archives, then
# the other's from the start again); a record's continuation lines stay
# with it; a tie goes to the first family, as in scan (the activity log:
# families are in name order).
rm -rf logs && mkdir logs
{ line 1; line 4; printf 'Traceback (most recent call last):\nValueError: four\n'; } >logs/mcp_server.log.2
gzip logs/mcp_server.log.2
line 6 >logs/mcp_server.log.1
: >logs/mcp_server.log
{ line 2; line 3; } >logs/mcp_activity.log.2
{ line 5; echo "$(ts 6) - root - INFO - seq=60"; } >logs/mcp_activity.log.1
: >logs/mcp_activity.log
start inotify m.json --no-state --replay --all
line 7 >>logs/mcp_server.log
wait_for m.json '"seq":"7"' 5
stop
assert_eq "--replay, two families: one stream in time order" \
    "1 2 3 4 Traceback ValueError 5 60 6 7" "$(python3 -c '
import json, sys
out = []
for o in map(json.loads, open(sys.argv[1])):
    if o["type"] == "event":
        out.append(o["captures"]["seq"])
    elif o["type"] == "line":
        out.append(o["text"].split(" ")[0].rstrip(":"))
print(" ".join(out))' m.json)"

# The alert state survives a restart: a window half-filled before the
# restart fills after it, and an alert firing before it goes on after it
# with the same id instead of being raised again.
for mode in inotify poll; do
    rm -rf logs state && mkdir logs && : >logs/mcp_server.log
    cat >win.yaml <<'Y'
rules:
  - name: rec
    match: 'seq=(?<seq>\d+)'
  - name: burst
    match: 'seq=\d+'
    threshold: {count: 1, window: 1h}
    severity: warning
Y
    "$MCPLOG" follow --json --no-default-rules --rules win.yaml --state "$T/state" \
        $([ $mode = poll ] && echo --poll --poll-interval 100ms) logs >w1.json 2>>"$T/stderr" &
    PID=$!
    wait_open "$PID" logs/mcp_server.log
    line 1 >>logs/mcp_server.log
    wait_for w1.json '"seq":"1"' 5
    stop
    assert_not_contains "$mode: one match: no alert yet" w1.json '"type":"alert"'
    "$MCPLOG" follow --json --no-default-rules --rules win.yaml --state "$T/state" \
        $([ $mode = poll ] && echo --poll --poll-interval 100ms) logs >w2.json 2>>"$T/stderr" &
    PID=$!
    wait_open "$PID" logs/mcp_server.log
    line 2 >>logs/mcp_server.log
    wait_for w2.json '"status":"firing"' 5
    stop
    assert_contains "$mode: the window kept its match across the restart" w2.json \
        '"type":"alert","status":"firing","id":1,"rule":"burst","severity":"warning","labels":{},"start":"2025-12-10T14:00:02.000Z","end":null,"count":2'
    "$MCPLOG" follow --json --no-default-rules --rules win.yaml --state "$T/state" \
        $([ $mode = poll ] && echo --poll --poll-interval 100ms) logs >w3.json 2>>"$T/stderr" &
    PID=$!
    wait_open "$PID" logs/mcp_server.log
    line 3 >>logs/mcp_server.log
    wait_for w3.json '"seq":"3"' 5
    sleep 0.2
    stop
    assert_not_contains "$mode: the firing alert is not raised again" w3.json '"status":"firing"'
    assert_contains "$mode: it goes on with the same id" w3.json \
        '{"type":"event","time":"2025-12-10T14:00:03.000Z","rule":"burst","severity":"warning","captures":{},"file":"logs/mcp_server.log","line":3,"text":"2025-12-10 14:00:03,000 - root - INFO - seq=3","alert":1}'
    assert_eq "$mode: the resume is told first" \
        '{"type":"notice","message":"resuming from checkpoint (saved Ns ago)"}' \
        "$(head -n 1 w3.json | sed 's/saved [0-9]*s ago/saved Ns ago/')"
done

# A live file rotated away before any byte of it was read (its writer goes
# on writing the old name's file) is read in its drain and, once closed, is
# known by its content: a later rotation that looks through the folder
# again does not read it a second time.
for mode in inotify poll; do
    rm -rf logs state && mkdir logs && : >logs/mcp_server.log
    start $mode v.json
    mv logs/mcp_server.log logs/mcp_server.log.1
    : >logs/mcp_server.log
    { line 1; line 2; line 3; } >>logs/mcp_server.log.1
    wait_for v.json '"seq":"3"' 5
    wait_closed "$PID" logs/mcp_server.log.1
    line 4 >>logs/mcp_server.log
    wait_for v.json '"seq":"4"' 5
    mv logs/mcp_server.log.1 logs/mcp_server.log.2
    mv logs/mcp_server.log logs/mcp_server.log.1
    line 5 >logs/mcp_server.log
    # a second reading of .2 would come in the look that finds seq 5,
    # before it (the folder's files before the live one)
    wait_for v.json '"seq":"5"' 5
    stop; assert_eq "$mode: rotated while empty: exit 0" 0 "$RC"
    assert_eq "$mode: rotated while empty: each line once" "1 2 3 4 5" \
        "$(sorted_seqs "$(seqs v.json)")"
done
