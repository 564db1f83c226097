#!/bin/sh
# tests/e2e/proc/reuse.sh MCPLOG T BIN CONFIG OUT - PID reuse, for real.
#
# Run by t_cleanup.sh as the first process (PID 1) of a private PID
# namespace (unshare --pid --fork --mount-proc): every process in it was
# started here, and the kernel ends them all when this script exits.
#
# 1. Start three copies of BIN (which the config matches by exe): the
#    keeper K, a victim V and G.
# 2. Run `mcplog cleanup --yes --keep K` with MCPLOG_TEST_CLEANUP_PAUSE:
#    it discovers K, V, G (pidfds opened, start times recorded), prints
#    its plan, and waits for the file $T/go.
# 3. Meanwhile kill and reap V and G; set ns_last_pid to V-1 and start an
#    unrelated process U, which the kernel gives V's PID (U even runs the
#    same BIN: by command line it is indistinguishable).
# 4. Create $T/go: cleanup must find V's PID reused (another start time)
#    and not signal it, and find G gone. U and K must survive.
# Findings go to OUT as "key value" lines.
MCPLOG=$1
T=$2
BIN=$3
CONF=$4
OUT=$5

alive() {
    s=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
    [ -n "$s" ] && [ "$s" != Z ]
}

# wait until process $1 runs BIN (it has exec'd)
wait_exec() {
    i=0
    while [ "$(readlink "/proc/$1/exe" 2>/dev/null)" != "$BIN" ] && [ $i -lt 200 ]; do
        sleep 0.05
        i=$((i + 1))
    done
}

"$BIN" 1000 >/dev/null 2>&1 &
K=$!
wait_exec $K
"$BIN" 1000 >/dev/null 2>&1 &
V=$!
wait_exec $V
"$BIN" 1000 >/dev/null 2>&1 &
G=$!
wait_exec $G
MCPLOG_TEST_CLEANUP_PAUSE=$T/go "$MCPLOG" cleanup --config "$CONF" --yes \
    --keep "$K" --json >"$T/reuse.json" 2>"$T/reuse.err" </dev/null &
M=$!
i=0
while ! grep -q 'waiting for' "$T/reuse.err" 2>/dev/null && [ $i -lt 400 ]; do
    sleep 0.05
    i=$((i + 1))
done
kill -KILL "$V"
wait "$V"
kill -KILL "$G"
wait "$G"
# The next PID this namespace hands out is V (ns_last_pid + 1); the
# assignment and the fork below are the only things happening here.
echo $((V - 1)) >/proc/sys/kernel/ns_last_pid
"$BIN" 1000 >/dev/null 2>&1 &
U=$!
wait_exec $U
: >"$T/go"
wait "$M"
status=$?
{
    echo "status $status"
    [ "$U" = "$V" ] && echo "same_pid yes" || echo "same_pid no ($U, $V)"
    alive "$U" && echo "unrelated_alive yes" || echo "unrelated_alive no"
    alive "$K" && echo "keeper_alive yes" || echo "keeper_alive no"
    echo "victim $V"
    echo "gone $G"
    echo "keeper $K"
} >"$OUT"
kill -KILL "$U" "$K"
wait
