# tests/e2e/lib.sh - helpers for end-to-end tests (sourced by run.sh).
#
# Each tests/e2e/t_*.sh is run by run.sh in its own temporary folder
# ($T, also the working directory) with $MCPLOG set to the binary under
# test, $ROOT to the repository and TZ=UTC. A test makes assertions with
# the functions below; every assertion counts as one test. Exact values
# only: never "at least", never a skip.

PASS=0
FAIL=0
TNAME=${TNAME:-test}

ok() { PASS=$((PASS + 1)); printf 'ok: %s: %s\n' "$TNAME" "$1"; }
bad() {
    FAIL=$((FAIL + 1))
    printf 'FAIL: %s: %s\n' "$TNAME" "$1"
    shift
    for l in "$@"; do printf '    %s\n' "$l"; done
}

# assert_eq DESCRIPTION EXPECTED ACTUAL
assert_eq() {
    if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "expected: $2" "actual:   $3"; fi
}

# assert_status DESCRIPTION EXPECTED_STATUS CMD... (stdout -> out, stderr -> err)
assert_status() {
    d=$1
    e=$2
    shift 2
    "$@" >out 2>err
    s=$?
    if [ "$s" = "$e" ]; then ok "$d"; else bad "$d" "expected exit $e, got $s: $*" "stderr: $(head -c 600 err)"; fi
}

# assert_file_eq DESCRIPTION EXPECTED_FILE ACTUAL_FILE
assert_file_eq() {
    if cmp -s "$2" "$3"; then ok "$1"; else bad "$1" "$(diff -u "$2" "$3" | head -40)"; fi
}

# assert_contains DESCRIPTION FILE FIXED_STRING
assert_contains() {
    if grep -qF -- "$3" "$2"; then ok "$1"; else bad "$1" "'$3' not in $2:" "$(head -c 800 "$2")"; fi
}

# assert_not_contains DESCRIPTION FILE FIXED_STRING
assert_not_contains() {
    if grep -qF -- "$3" "$2"; then bad "$1" "'$3' found in $2"; else ok "$1"; fi
}

# jget FILE PATH: a value from a JSON document; PATH like
# rules.errors.matches, inputs.0.path, alerts.#  (# = length).
jget() { python3 "$ROOT/tests/e2e/jget.py" "$1" "$2"; }

# assert_json DESCRIPTION FILE PATH EXPECTED
assert_json() {
    v=$(jget "$2" "$3" 2>&1)
    assert_eq "$1" "$4" "$v"
}

# scan_json OUT ARGS...: run scan --json, keep stdout in OUT, stderr in err
scan_json() {
    o=$1
    shift
    "$MCPLOG" scan --tz UTC --json "$@" >"$o" 2>err
}

# srv FIRST N: N server lines "<ts> - __main__ - INFO - line K padding..."
# for K = FIRST .. FIRST+N-1, one second apart, K seconds after 14:00.
srv() {
    python3 - "$1" "$2" <<'EOF'
import datetime, sys
first, n = int(sys.argv[1]), int(sys.argv[2])
t0 = datetime.datetime(2025, 12, 10, 14, 0, 0)
for k in range(first, first + n):
    t = t0 + datetime.timedelta(seconds=k)
    print(t.strftime('%Y-%m-%d %H:%M:%S,000') +
          ' - __main__ - INFO - line %d padding padding padding' % k)
EOF
}

# ts N: a log timestamp N seconds after 2025-12-10 14:00:00,000 UTC
ts() { python3 -c "import datetime,sys;t=datetime.datetime(2025,12,10,14,0,0)+datetime.timedelta(seconds=float(sys.argv[1]));print(t.strftime('%Y-%m-%d %H:%M:%S,')+'%03d'%(t.microsecond//1000))" "$1"; }

# free_port: a TCP port on 127.0.0.1 that was free a moment ago (bound to
# port 0 and released)
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_for FILE FIXED_STRING [SECONDS]: poll until FILE contains the
# string (every 50 ms, default 10 s). Returns 1 on timeout.
wait_for() {
    _w=0
    _max=$(( ${3:-10} * 20 ))
    while [ "$_w" -lt "$_max" ]; do
        grep -qF -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
        _w=$((_w + 1))
    done
    return 1
}

# has_open PID FILE: whether process PID has FILE open
has_open() {
    _want=$(readlink -f "$2")
    for _fd in /proc/"$1"/fd/*; do
        [ "$(readlink "$_fd" 2>/dev/null)" = "$_want" ] && return 0
    done
    return 1
}

# wait_open PID FILE [SECONDS]: poll (every 20 ms, default 10 s) until
# process PID has FILE open, then 0.1 s more for its first look at the
# file and its watches: a follow started in the background is ready.
# Returns 1 on timeout or when PID is gone.
wait_open() {
    _w=0
    _max=$(( ${3:-10} * 50 ))
    while [ "$_w" -lt "$_max" ]; do
        if has_open "$1" "$2"; then
            sleep 0.1
            return 0
        fi
        kill -0 "$1" 2>/dev/null || return 1
        sleep 0.02
        _w=$((_w + 1))
    done
    return 1
}

# wait_closed PID FILE [SECONDS]: poll (every 20 ms, default 10 s) until
# process PID no longer has FILE open. Returns 1 on timeout.
wait_closed() {
    _w=0
    _max=$(( ${3:-10} * 50 ))
    while [ "$_w" -lt "$_max" ]; do
        has_open "$1" "$2" || return 0
        sleep 0.02
        _w=$((_w + 1))
    done
    return 1
}

# count_events FILE: the seq numbers of rule "rec" events in follow's
# JSON output, space separated, in delivery order.
seqs() {
    python3 -c '
import json, sys
out = []
for l in open(sys.argv[1]):
    l = l.strip()
    if not l:
        continue
    o = json.loads(l)
    if o.get("type") == "event" and o.get("rule") == "rec":
        out.append(o["captures"]["seq"])
print(" ".join(out))' "$1"
}

# in_order SEQS A B C...: whether A, B, C... appear in this order in the
# space-separated SEQS (lines of one file must keep their order).
in_order() {
    python3 -c '
import sys
seqs = sys.argv[1].split()
want = sys.argv[2:]
pos = [seqs.index(w) if w in seqs else -1 for w in want]
print("yes" if -1 not in pos and pos == sorted(pos) else "no")' "$@"
}

# sorted_seqs SEQS: the same numbers sorted (to check "each exactly once"
# where lines of different files may interleave).
sorted_seqs() { echo "$1" | tr ' ' '\n' | sort -n | tr '\n' ' ' | sed 's/ $//'; }

# fix_ckpt FILE SED-EXPR: edit a follow checkpoint with sed, then write
# its "end" line again (FNV-1a 64 of every byte before it, state.h).
fix_ckpt() {
    sed -i "$2" "$1"
    python3 -c '
import sys
p = sys.argv[1]
lines = open(p, "rb").read().split(b"\n")
body = b"".join(l + b"\n" for l in lines if l and not l.startswith(b"end "))
h = 1469598103934665603
for c in body:
    h = ((h ^ c) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
open(p, "wb").write(body + b"end %016x\n" % h)' "$1"
}

# now_ts: a log timestamp of the wall clock now (UTC, as run.sh sets TZ)
now_ts() { python3 -c 'import datetime; print(datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M:%S,000"))'; }

# count_alerts FILE STATUS RULE: alert objects of that status and rule in
# follow's JSON output (lines that are not JSON, e.g. cut short, skipped)
count_alerts() {
    python3 -c '
import json, sys
n = 0
for l in open(sys.argv[1], errors="replace"):
    try:
        o = json.loads(l)
    except ValueError:
        continue
    if o.get("type") == "alert" and o["status"] == sys.argv[2] and o["rule"] == sys.argv[3]:
        n += 1
print(n)' "$@"
}
