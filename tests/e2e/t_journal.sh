# t_journal.sh - follow under systemd (issue 13 item 8): when standard
# output is the journal (JOURNAL_STREAM names its device and inode, as
# systemd sets it for a unit), every line starts with its syslog
# priority, <2> critical, <4> warning, <6> info and quiet lines, <5> a
# resolution, so that `journalctl -p warning` shows what fired; notices on
# a standard error that is the journal start with <5>. Outputs that are
# not the journal get no prefix.
HOME=$T
unset XDG_CONFIG_HOME JOURNAL_STREAM
cat >r.yaml <<'Y'
rules:
  - name: count
    match: 'seq=(?<seq>\d+)'
  - name: burst
    match: 'burst'
    threshold: {count: 1, window: 1m}
    severity: critical
    summary: '{count} bursts'
  - name: oops
    match: 'oops'
    severity: warning
Y
mkdir logs && : >logs/mcp_server.log
L() { echo "$(ts "$1") - root - INFO - $2" >>logs/mcp_server.log; }
# run OUT ERR JOURNAL_FILE: follow with JOURNAL_STREAM naming that file,
# the lines below appended, stopped once the last one is shown.
run() {
    : >"$1"
    : >"$2"
    JOURNAL_STREAM=$(stat -c '%d:%i' "$3") "$MCPLOG" follow \
        --no-default-rules --rules r.yaml --no-state logs >>"$1" 2>>"$2" &
    PID=$!
    wait_for "$2" 'waiting for it' 5
    L "$4" "seq=1"
    L "$(($4 + 1))" "burst one"
    L "$(($4 + 2))" "burst two"
    L "$(($4 + 3))" "oops"
    L "$(($4 + 100))" "seq=2"
    wait_for "$1" 'seq=2' 5
    kill -TERM "$PID"; wait "$PID"; RC=$?
}

run out.txt err.txt out.txt 1
assert_eq "stdout the journal: exit 0" 0 "$RC"
cat >want.txt <<'W'
<6>-- 2025-12-10 --
<6>14:00:01.000  -         count{seq=1}  2025-12-10 14:00:01,000 - root - INFO - seq=1
<6>14:00:02.000  -         burst  2025-12-10 14:00:02,000 - root - INFO - burst one
<2>14:00:03.000  critical  burst  2025-12-10 14:00:03,000 - root - INFO - burst two
<2>14:00:03.000  ▲ ALERT critical burst count=2: 2 bursts
<4>14:00:04.000  warning   oops  2025-12-10 14:00:04,000 - root - INFO - oops
<4>14:00:04.000  ▲ ALERT warning oops count=1: oops: 2025-12-10 14:00:04,000 - root - INFO - oops
<5>14:01:02.000  ▼ RESOLVED critical burst count=2 after 59s
<6>14:01:41.000  -         count{seq=2}  2025-12-10 14:01:41,000 - root - INFO - seq=2
W
assert_file_eq "stdout the journal: every line with its priority" want.txt out.txt
assert_eq "stdout the journal: notices on stderr (not the journal) as usual" \
    "mcplog: logs/mcp_activity.log does not exist yet, waiting for it" "$(cat err.txt)"
assert_eq "journalctl -p warning: the lines of priority 4 or less" \
    "<2>14:00:03.000  critical  burst  2025-12-10 14:00:03,000 - root - INFO - burst two
<2>14:00:03.000  ▲ ALERT critical burst count=2: 2 bursts
<4>14:00:04.000  warning   oops  2025-12-10 14:00:04,000 - root - INFO - oops
<4>14:00:04.000  ▲ ALERT warning oops count=1: oops: 2025-12-10 14:00:04,000 - root - INFO - oops" "$(grep '^<[0-4]>' out.txt)"

: >logs/mcp_server.log
run out2.txt err2.txt err2.txt 200
assert_eq "stderr the journal: exit 0" 0 "$RC"
assert_eq "stderr the journal: notices with <5>" \
    "<5>mcplog: logs/mcp_activity.log does not exist yet, waiting for it" "$(cat err2.txt)"
assert_eq "stderr the journal: stdout without priorities" \
    "-- 2025-12-10 --
14:03:20.000  -         count{seq=1}  2025-12-10 14:03:20,000 - root - INFO - seq=1" \
    "$(head -n 2 out2.txt)"

# Not the journal (another file's inode): no prefix anywhere.
: >logs/mcp_server.log
: >other
run out3.txt err3.txt other 400
assert_eq "JOURNAL_STREAM of another file: no priorities" \
    "-- 2025-12-10 --
14:06:40.000  -         count{seq=1}  2025-12-10 14:06:40,000 - root - INFO - seq=1 mcplog: logs/mcp_activity.log does not exist yet, waiting for it" \
    "$(head -n 2 out3.txt) $(cat err3.txt)"
