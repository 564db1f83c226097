# t_checkpoint.sh - follow reads back crafted checkpoints: times are range
# checked and clamped (no signed overflow under UBSan: `make asan` runs
# this script on the sanitizer build), a repeat due while mcplog was down
# is sent once, never once per missed interval (nor a storm from a
# next_repeat far in the past), and SIGINT / SIGTERM still end it at once.
HOME=$T
unset XDG_CONFIG_HOME
cat >r.yaml <<'Y'
rules:
  - name: storm
    match: 'boom'
    threshold: {count: 1, window: 30d}
    severity: critical
  - name: boot
    match: 'Process PID: (?<pid>\d+)$'
    expect: {match: 'Server ready', within: 30s}
    group_by: [pid]
    severity: critical
Y
cat >c.yaml <<'Y'
repeat_interval: 1h
sinks: {}
routes:
  - sinks: [terminal]
Y
# run STATE OUT SIGNAL [WAIT]: follow from STATE until its output holds
# WAIT (default: an alert line), a second more (output capped at 20 MB: a
# repeat storm must not fill the disk), then SIGNAL; RC is its exit
# status, GONE whether it ended within 3 s of the signal.
run() {
    cp "$1" st
    (ulimit -f 40000; exec "$MCPLOG" follow --json --no-default-rules --rules r.yaml \
        --config c.yaml --state "$T/st" logs >"$2" 2>"$2.err") &
    PID=$!
    wait_for "$2" "${4:-\"status\":\"}" 5
    sleep 1
    kill -"$3" "$PID"
    GONE=no
    i=0
    while [ $i -lt 60 ]; do
        if ! kill -0 "$PID" 2>/dev/null; then GONE=yes; break; fi
        sleep 0.05
        i=$((i + 1))
    done
    [ "$GONE" = yes ] || kill -KILL "$PID"
    wait "$PID"
    RC=$?
}

# A real checkpoint: the storm alert firing (its next repeat 1 h after it
# fired), a startup waiting for its ready line.
mkdir logs
{ echo "$(now_ts) - boom 1"; echo "$(now_ts) - boom 2"; echo "$(now_ts) - Process PID: 7"; } >logs/mcp_server.log
"$MCPLOG" follow --json --no-default-rules --rules r.yaml --config c.yaml \
    --state "$T/base" --from-start logs >first.json 2>&1 &
PID=$!
wait_for first.json '"rule":"storm"' 5
sleep 0.3
kill -TERM "$PID"; wait "$PID"
assert_eq "base: the storm alert fired" 1 "$(count_alerts first.json firing storm)"
assert_eq "base: a firing alert in the checkpoint" 1 \
    "$(grep -c '^engine alert =storm = [0-9]* [0-9]* -9223372036854775808 2 1 0 ' base)"
assert_eq "base: an open expectation in the checkpoint" 1 "$(grep -c '^engine pend =boot =7 ' base)"

# 1. Down for 5 hours (every time in the checkpoint 5 h back): the repeat
#    due at +1 h is sent once, not five times (and the startup's deadline
#    passed: its alert fires).
cp base down
python3 -c '
import re, sys
p, d = sys.argv[1], 5 * 3600 * 1000
out = []
for l in open(p).read().split("\n"):
    f = l.split(" ")
    if l.startswith("saved "):
        f[1] = str(int(f[1]) - d)
    elif l.startswith("engine clock "):
        f[2] = str(int(f[2]) - d)
    elif l.startswith("engine group =storm "):
        f[8:] = [str(int(x) - d) for x in f[8:]]
    elif l.startswith("engine alert =storm "):
        f[5] = str(int(f[5]) - d)
        f[12] = str(int(f[12]) - d)
    elif l.startswith("engine pend "):
        f[4] = str(int(f[4]) - d)
        f[5] = str(int(f[5]) - d)
    out.append(" ".join(f))
open(p, "w").write("\n".join(out))' down
fix_ckpt down 's/^saved /saved /'
run down down.json INT
assert_eq "5 h down: the resume notice says how old the checkpoint is" \
    '{"type":"notice","message":"resuming from checkpoint (saved 5h ago)"}' \
    "$(grep -F 'resuming from' down.json)"
assert_eq "5 h down: one repeat" 1 "$(count_alerts down.json repeat storm)"
assert_eq "5 h down: the startup missed" 1 "$(count_alerts down.json firing boot)"
assert_eq "5 h down: SIGINT ends it at once" yes "$GONE"
assert_eq "5 h down: exit 0" 0 "$RC"

# 2. next_repeat far in the past: one repeat, no storm.
cp base past
fix_ckpt past 's/^\(engine alert =storm .*\) [-0-9]*$/\1 -9000000000000000000/'
run past past.json INT
assert_eq "next_repeat far back: one repeat" 1 "$(count_alerts past.json repeat storm)"
assert_eq "next_repeat far back: SIGINT ends it at once" yes "$GONE"
assert_eq "next_repeat far back: exit 0" 0 "$RC"

# 3. INT64 extremes everywhere. The clock (after year 9999: the latest
#    time kept) is taken back to now, saved to now; window times to the range, the alert's start to
#    the earliest time, its repeat from the far past: one repeat, then it
#    resolves (its window is long past); the startup's deadline is 30 s
#    after its start (1969): its alert fires.
MAX=9223372036854775807
MIN=-9223372036854775807
cp base ext
fix_ckpt ext "s/^saved .*/saved $MAX/;
s/^engine clock [-0-9]* /engine clock $MAX /;
s/^\(engine group =storm = [0-9]* [0-9]* 0\) 2 [-0-9]* [-0-9]*$/\1 2 $MIN $MAX/;
s/^\(engine alert =storm = [0-9]*\) [-0-9]* [-0-9]* \(.*\) [-0-9]*$/\1 $MIN $MAX \2 $MIN/;
s/^\(engine pend =boot =7\) [-0-9]* [-0-9]* 0$/\1 -1 $MAX 0/"
assert_eq "extremes: the checkpoint was edited" 5 \
    "$(grep -c -e "$MAX" ext)"
run ext ext.json TERM
assert_eq "extremes: one repeat" 1 "$(count_alerts ext.json repeat storm)"
assert_eq "extremes: then resolved" 1 "$(count_alerts ext.json resolved storm)"
assert_eq "extremes: the startup missed" 1 "$(count_alerts ext.json firing boot)"
assert_eq "extremes: the clock taken back, with a notice" 1 \
    "$(grep -c '"the checkpoint.s clock (10000-01-02T00:00:00.000Z) is ahead of the wall clock: taken back to now"' ext.json)"
assert_eq "extremes: SIGTERM ends it at once" yes "$GONE"
assert_eq "extremes: exit 0" 0 "$RC"

# 4. Negative times: a clock before 1970 is a time like any other; the
#    repeat due before it is told once.
cp base neg
fix_ckpt neg "s/^saved .*/saved -5/;
s/^engine clock [-0-9]* /engine clock -1000 /;
s/^\(engine alert =storm = [0-9]*\) [-0-9]* [-0-9]* \(.*\) [-0-9]*$/\1 -2000 -3000 \2 -4000/"
run neg neg.json INT
assert_eq "negative: one repeat" 1 "$(count_alerts neg.json repeat storm)"
assert_eq "negative: SIGINT ends it at once" yes "$GONE"
assert_eq "negative: exit 0" 0 "$RC"

# 5. No usable clock (before year 0: none) and a firing alert that
#    started after year 9999 with no repeat schedule: nothing to tell,
#    no overflow.
cp base noclock
fix_ckpt noclock "s/^engine clock [-0-9]* /engine clock $MIN /;
s/^\(engine alert =storm = [0-9]*\) [-0-9]* [-0-9]* \(.*\) [-0-9]*$/\1 $MAX -9223372036854775808 \2 -9223372036854775808/"
run noclock noclock.json TERM '"type":"notice"'
assert_eq "no clock: no repeat" 0 "$(count_alerts noclock.json repeat storm)"
assert_eq "no clock: SIGTERM ends it at once" yes "$GONE"
assert_eq "no clock: exit 0" 0 "$RC"
