#!/bin/sh
# tests/bench/run.sh - throughput benchmark: `mcplog scan` against
# `zcat | grep -cE` and `rg -z -c` (ripgrep), with the same signals.
#
# Usage:  sh tests/bench/run.sh ./mcplog          (what `make bench` runs)
#
# Two data sets (tests/bench/genlogs.py), each measured on its own:
#   bench  BENCH_SIZE_MB (default 400) of rotated logs: 20 MiB members, all
#          gzip but .1 and the live file
#   live   BENCH_LIVE_SIZE_MB (default 480): logrotate with delaycompress,
#          six 50 MiB gzip members, a plain .1 and a large plain live file
#          (about 110 MiB)
#
# Environment:
#   BENCH_DIR, BENCH_LIVE_DIR  use these data sets; generated there (and
#                  kept) if they hold no mcp_server.log yet. Default: a
#                  temporary directory.
#   BENCH_SIZE_MB, BENCH_LIVE_SIZE_MB  decompressed sizes to generate, MiB
#   BENCH_SETS     the sets to run (default "bench live")
#   BENCH_RUNS     timed runs per command; the best wall time is reported,
#                  and the slowest run next to it (default 3)
#   PYTHON         interpreter for genlogs.py (default python3)
#   BENCH_BEFORE   another mcplog binary (say, main's) timed in the same
#                  run, after this one: its figures, this one's ratio to
#                  it, and whether the two JSON reports are identical
#
# The commands of a set run in the same invocation, after one warm-up read,
# so the ratios compare like with like; mcplog and ripgrep use every core,
# zcat | grep is two processes. Peak RSS comes from GNU time (Debian package
# `time`); ripgrep is Debian's `ripgrep` (without it, its figures are left
# out). Targets (issue 14): mcplog <= 0.25 x zcat | grep, <= 0.6 x rg -z,
# peak RSS <= 32 MiB. Speed never makes this script fail: it exits non-zero
# only for real failures (bad usage, data generation failed, mcplog crashed
# or rejected its arguments). POSIX sh.

set -u

MCPLOG=${1:-./mcplog}
case $MCPLOG in
    /*) ;;
    */*) MCPLOG=$(pwd)/$MCPLOG ;;
    *) MCPLOG=$(command -v "$MCPLOG" || echo "$MCPLOG") ;;
esac
HERE=$(cd "$(dirname "$0")" && pwd)
SIZE_MB=${BENCH_SIZE_MB:-400}
LIVE_SIZE_MB=${BENCH_LIVE_SIZE_MB:-480}
SETS=${BENCH_SETS:-bench live}
RUNS=${BENCH_RUNS:-3}
PYTHON=${PYTHON:-python3}
# The same things the default rules look for, as one ERE (ripgrep reads it
# the same way).
PATTERN='Failed to reconnect|Process PID: [0-9]+|Server ready - waiting for tool requests| - (ERROR|CRITICAL) - |TOOL_CALL: |retryable error \(attempt|error for model .*, attempt [0-9]+/[0-9]+|CONVERSATION_ERROR|Thread not found'

die() { echo "bench: $*" >&2; exit 1; }

[ -x "$MCPLOG" ] || die "mcplog binary not found or not executable: $MCPLOG"
BEFORE=${BENCH_BEFORE:-}
if [ -n "$BEFORE" ]; then
    case $BEFORE in /*) ;; *) BEFORE=$(pwd)/$BEFORE ;; esac
    [ -x "$BEFORE" ] || die "BENCH_BEFORE is not an executable: $BEFORE"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mcplog-bench.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' HUP INT TERM

# ---- timing -----------------------------------------------------------------
HAVE_TIME=no
if [ -x /usr/bin/time ] && /usr/bin/time -f '%e %M' -o "$WORK/probe" true 2>/dev/null; then
    HAVE_TIME=yes
else
    echo "bench: /usr/bin/time (GNU) missing - install the Debian package 'time'; no RSS figures" >&2
fi
HAVE_RG=no
if command -v rg >/dev/null 2>&1; then
    HAVE_RG=yes
else
    echo "bench: rg missing - install the Debian package 'ripgrep'; no ripgrep figures" >&2
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

# best_of NAME OUTFILE CMD...  -> sets B_WALL (min), B_MAX (max wall), B_RSS
# (max), B_STATUS (last)
best_of() {
    what=$1 bout=$2; shift 2
    B_WALL= B_MAX= B_RSS=-
    i=0
    while [ $i -lt "$RUNS" ]; do
        i=$((i + 1))
        timed "$bout" "$@"
        B_STATUS=$T_STATUS
        echo "bench: $what run $i: ${T_WALL}s, RSS ${T_RSS} KiB, exit $T_STATUS"
        if [ -z "$B_WALL" ] || awk -v a="$T_WALL" -v b="$B_WALL" 'BEGIN { exit !(a < b) }'; then
            B_WALL=$T_WALL
        fi
        if [ -z "$B_MAX" ] || awk -v a="$T_WALL" -v b="$B_MAX" 'BEGIN { exit !(a > b) }'; then
            B_MAX=$T_WALL
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
cat > "$WORK/rg.sh" <<'EOF'
cd "$1" || exit 2
shift
pattern=$1
shift
rg -z -c "$pattern" "$@"
EOF

# family DIR NAME: NAME's members, oldest first: NAME.N.gz ... NAME.1 NAME
# (file names are ours: no blanks, so a plain word list is safe)
family() {
    ls "$1" | grep -E "^$2\\.[0-9]+(\\.gz)?\$" | sort -t. -k3,3nr | tr '\n' ' '
    [ -f "$1/$2" ] && printf '%s' "$2"
}

# scan_ok STATUS BINARY: stop on a real failure only: 0 and 1 are normal
# for a scan (1 may mean "alerts raised"); 2 is a usage or configuration
# error; 126/127 could not run; >128 died from a signal.
scan_ok() {
    if [ "$1" -eq 2 ] || [ "$1" -ge 126 ]; then
        echo "bench: $2 failed (exit $1):" >&2
        tail -n 20 "$WORK/stderr" >&2
        exit 1
    fi
    [ "$1" -eq 0 ] || echo "bench: note: $2 scan exited $1" >&2
}

# bench_set NAME DIR SIZE_MB [GENLOGS_ARGS...]
bench_set() {
    set_name=$1 DIR=$2 size=$3
    shift 3
    if [ -f "$DIR/mcp_server.log" ]; then
        echo "bench: $set_name: reusing $DIR"
    else
        echo "bench: $set_name: generating ${size} MiB of logs in $DIR ..."
        "$PYTHON" "$HERE/genlogs.py" --out "$DIR" --size-mb "$size" "$@" || die "genlogs.py failed"
    fi
    FILES="$(family "$DIR" mcp_server.log) $(family "$DIR" mcp_activity.log)"
    NFILES=$(echo $FILES | wc -w)
    [ "$NFILES" -gt 0 ] || die "no log files in $DIR"
    NGZ=0
    for f in $FILES; do case $f in *.gz) NGZ=$((NGZ + 1)) ;; esac; done

    # Warm-up read (also measures the size on disk), decompressed size.
    DISK_BYTES=$(cd "$DIR" && cat $FILES | wc -c)
    RAW_BYTES=$(cd "$DIR" && for f in $FILES; do zcat -f "$f"; done | wc -c)
    PLAIN_BYTES=$(cd "$DIR" && for f in $FILES; do case $f in *.gz) ;; *) cat "$f" ;; esac; done | wc -c)

    echo "bench: $set_name: the commands:"
    echo "bench:   $MCPLOG scan --json $DIR"
    [ -z "$BEFORE" ] || echo "bench:   $BEFORE scan --json $DIR   (before)"
    echo "bench:   cd $DIR && for f in $FILES; do zcat -f \$f; done | grep -cE '$PATTERN'"
    [ $HAVE_RG = no ] || echo "bench:   cd $DIR && rg -z -c '$PATTERN' $FILES"

    best_of "$set_name: mcplog scan" "$WORK/report" "$MCPLOG" scan --json "$DIR"
    M_WALL=$B_WALL M_MAX=$B_MAX M_RSS=$B_RSS
    scan_ok "$B_STATUS" "$MCPLOG"
    P_WALL=- P_MAX=- P_RSS=- SAME=-
    if [ -n "$BEFORE" ]; then
        best_of "$set_name: before" "$WORK/report.before" "$BEFORE" scan --json "$DIR"
        P_WALL=$B_WALL P_MAX=$B_MAX P_RSS=$B_RSS
        scan_ok "$B_STATUS" "$BEFORE"
        SAME=no
        cmp -s "$WORK/report" "$WORK/report.before" && SAME=yes
    fi
    # shellcheck disable=SC2086
    best_of "$set_name: zcat | grep" "$WORK/count" sh "$WORK/baseline.sh" "$DIR" "$PATTERN" $FILES
    G_WALL=$B_WALL G_MAX=$B_MAX G_RSS=$B_RSS
    G_COUNT=$(cat "$WORK/count")
    R_WALL=- R_MAX=- R_RSS=- R_COUNT=-
    if [ $HAVE_RG = yes ]; then
        # shellcheck disable=SC2086
        best_of "$set_name: rg -z -c" "$WORK/rgcount" sh "$WORK/rg.sh" "$DIR" "$PATTERN" $FILES
        R_WALL=$B_WALL R_MAX=$B_MAX R_RSS=$B_RSS
        R_COUNT=$(awk -F: '{ n += $NF } END { print n + 0 }' "$WORK/rgcount")
    fi

    awk -v name="$set_name" -v raw="$RAW_BYTES" -v disk="$DISK_BYTES" -v n="$NFILES" \
        -v ngz="$NGZ" -v plain="$PLAIN_BYTES" \
        -v mw="$M_WALL" -v mx="$M_MAX" -v mr="$M_RSS" \
        -v gw="$G_WALL" -v gx="$G_MAX" -v gr="$G_RSS" -v cnt="$G_COUNT" \
        -v rw="$R_WALL" -v rx="$R_MAX" -v rr="$R_RSS" -v rcnt="$R_COUNT" \
        -v pw="$P_WALL" -v px="$P_MAX" -v pr="$P_RSS" -v same="$SAME" \
        -v runs="$RUNS" -v load="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)" 'BEGIN {
        mib = 1048576
        printf "\nmcplog benchmark, set %s (best of %d runs each; load average %s)\n", name, runs, load
        printf "  input    %d files (%d gzip), %.1f MiB decompressed (%.1f MiB plain), %.1f MiB on disk\n", n, ngz, raw / mib, plain / mib, disk / mib
        printf "  %-24s %8s %8s %12s %10s\n", "", "wall s", "slowest", "peak RSS MiB", "MiB/s"
        rss = (mr == "-") ? "n/a" : sprintf("%.1f", mr / 1024)
        printf "  %-24s %8.2f %8.2f %12s %10.1f\n", "mcplog scan --json", mw, mx, rss, (mw > 0 ? raw / mib / mw : 0)
        if (pw != "-") {
            rss = (pr == "-") ? "n/a" : sprintf("%.1f", pr / 1024)
            printf "  %-24s %8.2f %8.2f %12s %10.1f\n", "before (BENCH_BEFORE)", pw, px, rss, (pw > 0 ? raw / mib / pw : 0)
        }
        rss = (gr == "-") ? "n/a" : sprintf("%.1f", gr / 1024)
        printf "  %-24s %8.2f %8.2f %12s %10.1f\n", "zcat -f | grep -cE", gw, gx, rss, (gw > 0 ? raw / mib / gw : 0)
        if (rw != "-") {
            rss = (rr == "-") ? "n/a" : sprintf("%.1f", rr / 1024)
            printf "  %-24s %8.2f %8.2f %12s %10.1f\n", "rg -z -c", rw, rx, rss, (rw > 0 ? raw / mib / rw : 0)
        }
        printf "  lines matched: zcat | grep %s, rg %s\n", cnt, rcnt
        if (gw > 0) {
            r = mw / gw
            printf "  ratio mcplog / zcat|grep   %.2f   (target <= 0.25) %s\n", r, (r <= 0.25 ? "ok" : "MISSED")
        }
        if (rw != "-" && rw > 0) {
            r = mw / rw
            printf "  ratio mcplog / rg -z -c    %.2f   (target <= 0.60) %s\n", r, (r <= 0.6 ? "ok" : "MISSED")
        }
        if (pw != "-" && pw > 0) {
            printf "  ratio mcplog / before      %.2f   (before / zcat|grep %.2f", mw / pw, (gw > 0 ? pw / gw : 0)
            if (rw != "-" && rw > 0)
                printf ", before / rg %.2f", pw / rw
            printf "); JSON reports identical: %s\n", same
        }
        if (mr != "-")
            printf "  mcplog peak RSS            %.1f MiB (target <= 32) %s\n", mr / 1024, (mr / 1024 <= 32 ? "ok" : "MISSED")
    }'
}

for set in $SETS; do
    case $set in
        bench) bench_set bench "${BENCH_DIR:-$WORK/bench}" "$SIZE_MB" ;;
        live) bench_set live "${BENCH_LIVE_DIR:-$WORK/live}" "$LIVE_SIZE_MB" \
            --layout delaycompress --member-mb 50 --live-mb 110 ;;
        *) die "unknown data set '$set' (bench, live)" ;;
    esac
done

exit 0
