#!/bin/sh
# tests/bench/run.sh - throughput benchmark: `mcplog scan` against `zcat | grep`.
#
# Usage:  sh tests/bench/run.sh ./mcplog          (what `make bench` runs)
#
# Environment:
#   BENCH_DIR      use this data set; generated there (and kept) if it has no
#                  mcp_server.log yet. Default: a temporary directory.
#   BENCH_SIZE_MB  decompressed size to generate, MiB (default 400)
#   BENCH_RUNS     timed runs per command; the best wall time is reported (default 3)
#   PYTHON         interpreter for genlogs.py (default python3)
#
# Both commands run in the same invocation, after one warm-up read, so the
# ratio compares like with like. Peak RSS comes from GNU time (Debian package
# `time`). Speed never makes this script fail: it exits non-zero only for
# real failures (bad usage, data generation failed, mcplog crashed or
# rejected its arguments). POSIX sh.

set -u

MCPLOG=${1:-./mcplog}
case $MCPLOG in
    /*) ;;
    */*) MCPLOG=$(pwd)/$MCPLOG ;;
    *) MCPLOG=$(command -v "$MCPLOG" || echo "$MCPLOG") ;;
esac
HERE=$(cd "$(dirname "$0")" && pwd)
SIZE_MB=${BENCH_SIZE_MB:-400}
RUNS=${BENCH_RUNS:-3}
PYTHON=${PYTHON:-python3}
# The same things the default rules look for, as one ERE.
PATTERN='Failed to reconnect|Process PID: [0-9]+|Server ready - waiting for tool requests| - (ERROR|CRITICAL) - |TOOL_CALL: |retryable error \(attempt|error for model .*, attempt [0-9]+/[0-9]+|CONVERSATION_ERROR|Thread not found'

die() { echo "bench: $*" >&2; exit 1; }

[ -x "$MCPLOG" ] || die "mcplog binary not found or not executable: $MCPLOG"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mcplog-bench.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' HUP INT TERM

# ---- data set ---------------------------------------------------------------
if [ -n "${BENCH_DIR:-}" ]; then
    DIR=$BENCH_DIR
else
    DIR=$WORK/logs
fi
if [ -f "$DIR/mcp_server.log" ]; then
    echo "bench: reusing $DIR"
else
    echo "bench: generating ${SIZE_MB} MiB of logs in $DIR ..."
    "$PYTHON" "$HERE/genlogs.py" --out "$DIR" --size-mb "$SIZE_MB" || die "genlogs.py failed"
fi

# All members, oldest first per family: NAME.N.gz ... NAME.2.gz NAME.1 NAME.
# (file names are ours: no blanks, so a plain word list is safe)
family() {
    ls "$DIR" | grep -E "^$1\\.[0-9]+(\\.gz)?\$" | sort -t. -k3,3nr | tr '\n' ' '
    [ -f "$DIR/$1" ] && printf '%s' "$1"
}
FILES="$(family mcp_server.log) $(family mcp_activity.log)"
NFILES=$(echo $FILES | wc -w)
[ "$NFILES" -gt 0 ] || die "no log files in $DIR"

# ---- warm-up read (also measures the size on disk), decompressed size ---------
DISK_BYTES=$(cd "$DIR" && cat $FILES | wc -c)
RAW_BYTES=$(cd "$DIR" && for f in $FILES; do zcat -f "$f"; done | wc -c)

# ---- timing -----------------------------------------------------------------
HAVE_TIME=no
if [ -x /usr/bin/time ] && /usr/bin/time -f '%e %M' -o "$WORK/probe" true 2>/dev/null; then
    HAVE_TIME=yes
else
    echo "bench: /usr/bin/time (GNU) missing - install the Debian package 'time'; no RSS figures" >&2
fi

now() { date +%s.%N; }

# timed OUTFILE CMD...  -> sets T_WALL, T_RSS (KiB or '-'), T_STATUS
timed() {
    out=$1; shift
    if [ $HAVE_TIME = yes ]; then
        /usr/bin/time -f '%e %M' -o "$WORK/time" "$@" > "$out" 2> "$WORK/stderr"
        T_STATUS=$?
        # GNU time puts "Command exited with non-zero status N" before the figures
        set -- $(tail -n 1 "$WORK/time")
        T_WALL=$1 T_RSS=$2
    else
        t0=$(now)
        "$@" > "$out" 2> "$WORK/stderr"
        T_STATUS=$?
        t1=$(now)
        T_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
        T_RSS=-
    fi
}

# best_of NAME OUTFILE CMD...  -> sets B_WALL (min), B_RSS (max), B_STATUS (last)
best_of() {
    name=$1 out=$2; shift 2
    B_WALL= B_RSS=-
    i=0
    while [ $i -lt "$RUNS" ]; do
        i=$((i + 1))
        timed "$out" "$@"
        B_STATUS=$T_STATUS
        echo "bench: $name run $i: ${T_WALL}s, RSS ${T_RSS} KiB, exit $T_STATUS"
        if [ -z "$B_WALL" ] || awk -v a="$T_WALL" -v b="$B_WALL" 'BEGIN { exit !(a < b) }'; then
            B_WALL=$T_WALL
        fi
        if [ "$T_RSS" != - ] && { [ "$B_RSS" = - ] || [ "$T_RSS" -gt "$B_RSS" ]; }; then
            B_RSS=$T_RSS
        fi
    done
}

cat > "$WORK/baseline.sh" <<'EOF'
cd "$1" || exit 2
shift
pattern=$1
shift
for f in "$@"; do zcat -f "$f"; done | grep -cE "$pattern"
EOF

best_of "mcplog scan" /dev/null "$MCPLOG" scan --json "$DIR"
M_WALL=$B_WALL M_RSS=$B_RSS M_STATUS=$B_STATUS
# Real failures only: 0 and 1 are normal for a scan (1 may mean "alerts
# raised"); 2 is a usage or configuration error; 126/127 could not run;
# >128 died from a signal.
if [ "$M_STATUS" -eq 2 ] || [ "$M_STATUS" -ge 126 ]; then
    echo "bench: mcplog failed (exit $M_STATUS):" >&2
    tail -n 20 "$WORK/stderr" >&2
    exit 1
fi
[ "$M_STATUS" -eq 0 ] || echo "bench: note: mcplog scan exited $M_STATUS" >&2
# shellcheck disable=SC2086
best_of "zcat | grep" "$WORK/count" sh "$WORK/baseline.sh" "$DIR" "$PATTERN" $FILES
G_WALL=$B_WALL G_RSS=$B_RSS
G_COUNT=$(cat "$WORK/count")

# ---- report -------------------------------------------------------------------
awk -v raw="$RAW_BYTES" -v disk="$DISK_BYTES" -v n="$NFILES" \
    -v mw="$M_WALL" -v mr="$M_RSS" -v gw="$G_WALL" -v gr="$G_RSS" -v cnt="$G_COUNT" \
    -v runs="$RUNS" 'BEGIN {
    mib = 1048576
    printf "\nmcplog benchmark (best of %d runs each)\n", runs
    printf "  input             %d files, %.1f MiB decompressed, %.1f MiB on disk\n", n, raw / mib, disk / mib
    printf "  %-30s %8s %12s %10s\n", "", "wall s", "peak RSS MiB", "MiB/s"
    rss = (mr == "-") ? "n/a" : sprintf("%.1f", mr / 1024)
    printf "  %-30s %8.2f %12s %10.1f\n", "mcplog scan --json", mw, rss, (mw > 0 ? raw / mib / mw : 0)
    rss = (gr == "-") ? "n/a" : sprintf("%.1f", gr / 1024)
    printf "  %-30s %8.2f %12s %10.1f\n", "zcat -f | grep -cE (baseline)", gw, rss, (gw > 0 ? raw / mib / gw : 0)
    printf "  baseline matched %s lines\n", cnt
    if (gw > 0) {
        r = mw / gw
        printf "  ratio mcplog/baseline    %.2f   (target <= 0.50) %s\n", r, (r <= 0.5 ? "ok" : "MISSED")
    }
    if (mr != "-")
        printf "  mcplog peak RSS          %.1f MiB (target <= 32) %s\n", mr / 1024, (mr / 1024 <= 32 ? "ok" : "MISSED")
}'

exit 0
