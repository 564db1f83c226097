#!/bin/sh
# Run every end-to-end test script (tests/e2e/t_*.sh) against $MCPLOG and
# print the closing line "e2e: N passed, N failed". E2E_ONLY: run only the
# scripts whose path holds one of its words (E2E_ONLY="t_gzip t_inflate").
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
: "${MCPLOG:?set MCPLOG to the binary under test}"
export MCPLOG ROOT
export TZ=UTC
# Tests not about sinks run without the shipped desktop sink; the sink
# tests give --config.
export MCPLOG_CONFIG="$ROOT/tests/e2e/terminal-only.yaml"
pass=0
fail=0
for t in "$ROOT"/tests/e2e/t_*.sh; do
    if [ -n "${E2E_ONLY:-}" ]; then
        want=no
        for only in $E2E_ONLY; do
            case "$t" in *"$only"*) want=yes ;; esac
        done
        [ $want = yes ] || continue
    fi
    dir=$(mktemp -d)
    name=$(basename "$t" .sh)
    res=$(cd "$dir" && TNAME=$name T=$dir sh -c ". '$ROOT/tests/e2e/lib.sh'; . '$t'; echo \"RESULT \$PASS \$FAIL\"" 2>&1)
    printf '%s\n' "$res" | grep -v '^RESULT ' | grep -v '^ok: ' || true
    line=$(printf '%s\n' "$res" | grep '^RESULT ' | tail -n 1)
    if [ -z "$line" ]; then
        echo "FAIL: $name: the script died before finishing"
        fail=$((fail + 1))
    else
        set -- $line
        pass=$((pass + $2))
        fail=$((fail + $3))
        echo "ok: $name ($2 passed, $3 failed)"
    fi
    rm -rf "$dir"
done
echo "e2e: $pass passed, $fail failed"
[ -n "${CHECK_TALLY:-}" ] && echo "$pass $fail" >>"$CHECK_TALLY"
[ "$fail" -eq 0 ]
