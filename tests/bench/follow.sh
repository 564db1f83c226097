#!/bin/sh
# tests/bench/follow.sh - benchmark `mcplog follow` against a live writer:
# ingest rate, write-to-event latency, RSS over 10 million lines with
# rotations, idle wake-ups. The work is done by follow_bench.py (see its
# docstring for the method); this wrapper finds the binary and python.
#
# Usage:  sh tests/bench/follow.sh ./mcplog          (part of `make bench`)
#
# Environment (passed through to follow_bench.py):
#   BENCH_FOLLOW_LINES      lines for the ingest runs (default 2000000)
#   BENCH_FOLLOW_RSS_LINES  lines for the RSS run (default 10000000)
#   BENCH_FOLLOW_LAT_LINES  lines per latency run (default 2000)
#   BENCH_FOLLOW_LAT_RATE   latency writer, lines/s (default 200)
#   BENCH_FOLLOW_IDLE_S     seconds per idle window (default 10)
#   BENCH_RUNS              timed runs per ingest variant, best reported (default 3)
#   BENCH_FOLLOW_KEEP       1: keep the work folder
#   PYTHON                  interpreter (default python3)
#
# Needs about 1 GiB free in $TMPDIR (default /tmp) and a few minutes.
# Idle wake-ups are also counted with strace (Debian package strace) when
# it is installed. Speed never makes this script fail: it exits non-zero
# only when something broke (mcplog crashed, rejected its arguments, did
# not exit 0 on SIGTERM, or lost a line). POSIX sh.

set -u

MCPLOG=${1:-./mcplog}
case $MCPLOG in
    /*) ;;
    */*) MCPLOG=$(pwd)/$MCPLOG ;;
    *) MCPLOG=$(command -v "$MCPLOG" || echo "$MCPLOG") ;;
esac
HERE=$(cd "$(dirname "$0")" && pwd)
PYTHON=${PYTHON:-python3}

die() { echo "follow-bench: $*" >&2; exit 1; }

[ -x "$MCPLOG" ] || die "mcplog binary not found or not executable: $MCPLOG"
command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found"
[ "$(uname -s)" = Linux ] || die "needs Linux (/proc, inotify)"

exec "$PYTHON" "$HERE/follow_bench.py" "$MCPLOG"
