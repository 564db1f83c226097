#!/bin/sh
# Run every end-to-end test script (tests/e2e/t_*.sh) against $MCPLOG and
# print the closing line "e2e: N passed, N failed".
#
# E2E_JOBS scripts run at a time (default 4: most of a script's time is
# waiting for a timeout, a poll or a daemon, not CPU), each in its own
# temporary folder, as before. Their lines are printed per script, in name
# order, as soon as a script and every one before it are done; the counts
# are the same whatever E2E_JOBS is (E2E_JOBS=1 runs them one by one).
# E2E_ONLY="PART ..." runs only the scripts whose path contains one of
# its words (E2E_ONLY="t_gzip t_inflate").
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
: "${MCPLOG:?set MCPLOG to the binary under test}"
export MCPLOG ROOT
export TZ=UTC
# Tests not about sinks run without the shipped desktop sink; the sink
# tests give --config.
export MCPLOG_CONFIG="$ROOT/tests/e2e/terminal-only.yaml"
JOBS=${E2E_JOBS:-4}
case $JOBS in '' | *[!0-9]* | 0) echo "e2e: E2E_JOBS must be a positive number" >&2; exit 2 ;; esac
R=$(mktemp -d)
# Interrupted: no worker claims another script (their claims need $R).
trap 'rm -rf "$R"; exit 130' INT TERM

# The scripts call python3 hundreds of times; when that name is a version
# manager's shim (pyenv's is a bash script: ~0.1 s a call), the interpreter
# it picks is put first in PATH under the same name.
if py=$(cd "$R" && python3 -c 'import sys; print(sys.executable)' 2>/dev/null) &&
    [ -x "$py" ] && mkdir "$R/bin" && ln -s "$py" "$R/bin/python3"; then
    PATH=$R/bin:$PATH
    export PATH
fi

selected() {
    [ -z "${E2E_ONLY:-}" ] && return 0
    for only in $E2E_ONLY; do
        case "$1" in *"$only"*) return 0 ;; esac
    done
    return 1
}

# run_one SCRIPT: run it in a fresh folder; everything it printed goes to
# $R/NAME.out (the command substitution also waits for anything it left
# running with our stdout), then $R/NAME.done says it is finished. A
# background job of sh ignores SIGINT and SIGQUIT, and so would everything
# it starts: the script gets them back at their defaults, as when it ran in
# the foreground.
run_one() {
    dir=$(mktemp -d)
    name=$(basename "$1" .sh)
    res=$(cd "$dir" && TNAME=$name T=$dir env --default-signal=INT,QUIT sh -c ". '$ROOT/tests/e2e/lib.sh'; . '$1'; echo \"RESULT \$PASS \$FAIL\"" 2>&1)
    printf '%s\n' "$res" >"$R/$name.out"
    rm -rf "$dir"
    : >"$R/$name.done"
}

# worker: take the next script nobody took yet (mkdir is the atomic
# claim), in name order, until none is left
worker() {
    for t in "$ROOT"/tests/e2e/t_*.sh; do
        selected "$t" || continue
        mkdir "$R/claim.$(basename "$t" .sh)" 2>/dev/null || continue
        run_one "$t"
    done
}

WPIDS=
i=0
while [ "$i" -lt "$JOBS" ]; do
    worker &
    WPIDS="$WPIDS $!"
    i=$((i + 1))
done

workers_alive() {
    for p in $WPIDS; do kill -0 "$p" 2>/dev/null && return 0; done
    return 1
}

pass=0
fail=0
for t in "$ROOT"/tests/e2e/t_*.sh; do
    selected "$t" || continue
    name=$(basename "$t" .sh)
    while [ ! -e "$R/$name.done" ] && workers_alive; do sleep 0.1; done
    res=$(cat "$R/$name.out" 2>/dev/null)
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
done
wait
rm -rf "$R"
echo "e2e: $pass passed, $fail failed"
[ -n "${CHECK_TALLY:-}" ] && echo "$pass $fail" >>"$CHECK_TALLY"
[ "$fail" -eq 0 ]
