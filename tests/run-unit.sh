#!/bin/sh
# Run unit test programs (cmocka), optionally under $VALGRIND, and print
# one closing line "N passed, N failed" over all of them.
pass=0
fail=0
for t in "$@"; do
    out=$(mktemp)
    if $VALGRIND "$t" >"$out" 2>&1; then
        status=0
    else
        status=$?
    fi
    # cmocka prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s)..."
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
    p=${p:-0}
    f=${f:-0}
    if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1 # crashed, sanitizer or valgrind error
    fi
    if [ "$status" -ne 0 ] || [ "$f" -ne 0 ]; then
        cat "$out"
        echo "FAIL: $t (exit $status)"
    else
        echo "ok: $t ($p tests)"
    fi
    pass=$((pass + p))
    fail=$((fail + f))
    rm -f "$out"
done
echo "unit: $pass passed, $fail failed"
[ -n "${CHECK_TALLY:-}" ] && echo "$pass $fail" >>"$CHECK_TALLY"
[ "$fail" -eq 0 ]
