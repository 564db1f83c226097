# t_cleanup_keep.sh - the keep choice is stable and its reason true:
# three dummy servers write one log in turns (the test decides who
# writes last), a fourth, newer one never writes. The keeper is the
# newest of the processes with the current log open for writing, no
# matter who wrote last: two dry runs and the real run keep the same
# one and say so in the same words. Only PIDs started here are ever
# signalled (tests/e2e/proc/lib.sh).
. "$ROOT/tests/e2e/proc/lib.sh"
new_server
LOG=$SRV/logs/mcp_server.log
: >"$LOG"

# turn NAME SEQ: let writer NAME append one line; wait until it has
turn() {
    printf '%s %s\n' "$1" "$2" >"$T/turn.tmp"
    mv "$T/turn.tmp" "$T/turn"
    wait_file "$T/turn.$1.$2"
}

# "pid open_for_write wrote_last" per process of a ps JSON document
writers() {
    python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
for p in sorted(d["processes"], key=lambda p: p["pid"]):
    print(p["pid"], p["log_open_write"], p["log_write_age_ms"] is not None)' "$1"
}

for w in w1 w2 w3; do
    start_py "$w" "$T" DUMMY_LOG="$LOG" DUMMY_TURN="$T/turn" DUMMY_NAME="$w" \
        "$PY" "$SRV/server.py"
    eval "$(echo "$w" | tr w W)=\$P"
done
start_py n4 "$T" "$PY" "$SRV/server.py"     # newest, never opens the log
N4=$P
WHY="newest of the 3 processes with the current log open for writing"

turn w3 1
turn w1 2
turn w2 3
assert_eq "the three wrote in turns" "tick w3|tick w1|tick w2" \
    "$(sed 's/.* - //' "$LOG" | paste -sd'|')"
assert_status "ps --json" 0 "$MCPLOG" ps --config c.yaml --json
assert_eq "ps: three have the log open for writing, W2 wrote last" \
    "$(sorted_lines "$W1 True False" "$W2 True True" "$W3 True False" \
        "$N4 False False")" "$(writers out)"
assert_status "ps" 0 "$MCPLOG" ps --config c.yaml
assert_eq "ps text: the LOGS column of W1 and N4" "open (write)|no" \
    "$(grep "^$W1 " out | cut -c47-60 | sed 's/ *$//')|$(grep "^$N4 " out | cut -c47-60 | sed 's/ *$//')"

assert_status "dry run 1 (W2 wrote last)" 0 \
    "$MCPLOG" cleanup --config c.yaml --dry-run --json
assert_eq "dry run 1: keeps W3, for the reason it says" "$W3|$WHY" \
    "$(jget out keep)|$(jget out keep_reason)"
turn w1 4
assert_status "dry run 2 (W1 wrote last)" 0 \
    "$MCPLOG" cleanup --config c.yaml --dry-run
assert_contains "dry run 2: keeps W3, for the same reason" out \
    "4 matching processes; keeping $W3 ($WHY), would terminate 3"
turn w2 5
assert_status "the real run (W2 wrote last)" 0 \
    "$MCPLOG" cleanup --config c.yaml --yes --json </dev/null
cp out run.json
assert_eq "the real run keeps W3, for the same reason" "$W3|$WHY" \
    "$(jget run.json keep)|$(jget run.json keep_reason)"
assert_eq "the real run: the others terminated" \
    "$(sorted_lines "$W1 terminated" "$W2 terminated" "$W3 kept" \
        "$N4 terminated")" "$(results run.json)"
assert_contains "logged with the reason" err \
    "mcplog: cleanup: keeping $W3 ($WHY)"
finish "$W1" "$W2" "$N4"
assert_eq "W1, W2, N4 exited by SIGTERM" "143 143 143" "$RS"
alive "$W3" && k=alive || k=dead
assert_eq "the keeper survives" alive "$k"
kill -KILL "$W3"
reap "$W3"
assert_eq "W3 was alive until we killed it" 137 "$RS"
