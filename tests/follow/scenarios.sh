#!/bin/bash
# tests/follow/scenarios.sh - `mcplog follow` against real writers and real
# rotation (RELIABILITY.md 0, 1 A-B, 2.4, 2.5).
#
#   MCPLOG=$PWD/mcplog bash tests/follow/scenarios.sh          full size
#   QUICK=1 MCPLOG=$PWD/mcplog bash tests/follow/scenarios.sh  development size
#
# Every scenario runs once with inotify and once with
# --poll --poll-interval 100ms, each in its own temporary folder $T:
#
#   create         real logrotate (create, rotate 60, nocompress, postrotate
#                  HUP) in a loop; a plain O_APPEND writer that reopens on HUP.
#                  rotate 60 (LR_KEEP), not 30: the loop makes ~33 rotations
#                  and check.py --files must see every archive to tell a
#                  follower's loss from a deleted archive
#   copytruncate   real logrotate copytruncate; the plain writer never reopens
#   delaycompress  real logrotate create + compress + delaycompress + HUP
#   python2        two processes with logging.handlers.RotatingFileHandler on
#                  one file (logs/mcp_server.log, mcplog given the folder),
#                  small maxBytes, backupCount 30
#   delete         the file is deleted every 0.1-2 s; the writer recreates it
#                  (WatchedFileHandler style, --reopen-on-missing)
#   missing        the file is renamed away and a new one created only 2 s
#                  later; the writer keeps writing the renamed file until HUP
#   kill           python2, while mcplog is SIGKILLed at random moments (at
#                  least KILLS times) and restarted with the same --state
#
# Each writer line carries seq=N src=NAME ... crc=...; check.py then asserts
# that every seq was delivered exactly once and in order per src (after kills:
# dup <= kills x 4096, the uncommitted window).
#
# How a run goes: the (empty) log file is created; mcplog follow --json
# --no-default-rules --rules rec.yaml --state $T/state is started in the
# background with stdout to $T/out.N.jsonl. Ready = /proc/PID/fd shows the log
# file open (polled every 20 ms, at most READY_CAP s, then 0.2 s more for the
# watches; if it never shows, the run goes on and says so - starting at the end
# of an empty file loses nothing anyway). Then the writers and the rotation
# loop run; when the writers are done, the output is polled (every 0.5 s, at
# most DRAIN_CAP=60 s) until it holds every line, mcplog gets SIGTERM (it must
# exit 0 within 10 s) and check.py judges. Before the SIGTERM, /proc/PID/fd
# must show no rotated or deleted log file still open within FD_WAIT=6 s
# (grace + 1; polled every 100 ms, FD_WAIT=0 skips this). The drain also ends
# when the output has not grown for STALL_CAP=10 s (twice the default
# --grace): copytruncate can remove lines from every file, and those never
# arrive.
#
# Environment:
#   MCPLOG          the binary (may be "python3 tests/follow/reffollow.py")
#   QUICK=1         5,000 lines / 5 rotations (default 100,000 / 25)
#   FOLLOW_LINES, FOLLOW_ROTATIONS, FOLLOW_DURATION (writer seconds, for the
#                   rate), FOLLOW_MAXBYTES (python2), KILLS (default 5)
#   SCENARIOS="create copytruncate ..."   MODES="inotify poll"
#   REPEAT=N        run each scenario x mode N times (race-prone: loop)
#   FOLLOW_JOBS=N   runs side by side (default 2; each in its own folder
#                   with its own writers, logrotate state and mcplog; most of
#                   a run is the paced writers). Each run's lines are printed
#                   together, in the order above. FOLLOW_JOBS=1: one by one
#   KEEP=1          keep the temporary folders of passing runs too (failing
#                   ones are always kept and named)
#   STRICT_COPYTRUNCATE=1  also fail on lines that logrotate's copytruncate
#                   window removed from every file (see check.py --files)
#   DIAG=1          sample `ls -li logs` and mcplog's open files (with their
#                   offsets) every 100 ms into $T/diag.log
#   SEED            seed for writers and random gaps (default 1)
#   PLAIN_TARGET    source (default): the plain-writer scenarios follow
#                   logs/app.log given as --source app=PATH; dir: they write
#                   logs/mcp_server.log and mcplog is given the logs folder
#                   (python2 and kill always use the folder)
#
# Ends with "follow: N passed, N failed"; exit status 1 on any failure.

set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
MCPLOG=${MCPLOG:-$ROOT/mcplog}
PY=${PYTHON:-python3}
LOGROTATE=${LOGROTATE:-logrotate}

if [ "${QUICK:-0}" = 1 ]; then
    N_LINES=${FOLLOW_LINES:-5000}
    N_ROT=${FOLLOW_ROTATIONS:-5}
    DUR=${FOLLOW_DURATION:-6}
    MAXBYTES=${FOLLOW_MAXBYTES:-40000}
else
    N_LINES=${FOLLOW_LINES:-100000}
    N_ROT=${FOLLOW_ROTATIONS:-25}
    DUR=${FOLLOW_DURATION:-30}
    MAXBYTES=${FOLLOW_MAXBYTES:-200000}
fi
KILLS=${KILLS:-5}
SCENARIOS=${SCENARIOS:-"create copytruncate delaycompress python2 delete missing kill"}
MODES=${MODES:-"inotify poll"}
REPEAT=${REPEAT:-1}
KEEP=${KEEP:-0}
SEED=${SEED:-1}
PLAIN_TARGET=${PLAIN_TARGET:-source}
POLL_INTERVAL=${POLL_INTERVAL:-100ms}
READY_CAP=${READY_CAP:-5}
DRAIN_CAP=${DRAIN_CAP:-60}
STALL_CAP=${STALL_CAP:-10}
FD_WAIT=${FD_WAIT:-6}
FOLLOW_JOBS=${FOLLOW_JOBS:-2}
DIAG=${DIAG:-0}
DIAGPID=""
MISSING_GAP=${MISSING_GAP:-2}
LR_KEEP=${LR_KEEP:-60}
RANDOM=$SEED

PASS=0
FAIL=0
FAILED_RUNS=""
MCPID=""
WPIDS=""

say() { printf '%s\n' "$*"; }

cleanup() {
    for p in $MCPID $WPIDS $DIAGPID; do kill -KILL "$p" 2>/dev/null; done
}
now_ms() { date +%s%3N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

# sleep_ms MIN MAX: sleep a random time in [MIN, MAX] milliseconds
sleep_ms() {
    ms=$(($1 + (RANDOM * 32768 + RANDOM) % ($2 - $1 + 1)))
    sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
}

# --- mcplog -----------------------------------------------------------------

# start_mcplog N: run N (1, 2, ... after kills), stdout to $T/out.N.jsonl
start_mcplog() {
    # shellcheck disable=SC2086  # MCPLOG and the arguments are word lists
    $MCPLOG follow --json --no-default-rules --rules "$T/rec.yaml" \
        --state "$T/state" $MODEARGS $TARGETS \
        >"$T/out.$1.jsonl" 2>"$T/err.$1" &
    MCPID=$!
    RUNS=$1
    if [ "$1" = 1 ]; then diag_start; fi
}

# wait_ready FILE: until mcplog has FILE open (see the header)
wait_ready() {
    local want end fd
    want=$(readlink -f "$1")
    end=$(($(now_ms) + READY_CAP * 1000))
    while [ "$(now_ms)" -lt "$end" ]; do
        if ! kill -0 "$MCPID" 2>/dev/null; then
            NOTE="$NOTE mcplog-died-at-start"
            return 1
        fi
        for fd in /proc/"$MCPID"/fd/*; do
            if [ "$(readlink "$fd" 2>/dev/null)" = "$want" ]; then
                sleep 0.2
                return 0
            fi
        done
        sleep 0.02
    done
    NOTE="$NOTE not-ready-after-${READY_CAP}s"
    return 0
}

# stop_mcplog: SIGTERM, at most 10 s to exit, which must be 0
stop_mcplog() {
    local i st
    if ! kill -0 "$MCPID" 2>/dev/null; then
        wait "$MCPID"
        NOTE="$NOTE mcplog-exited-early(status=$?)"
        RUN_OK=0
        MCPID=""
        return
    fi
    kill -TERM "$MCPID"
    i=0
    while kill -0 "$MCPID" 2>/dev/null && [ $i -lt 100 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    if kill -0 "$MCPID" 2>/dev/null; then
        kill -KILL "$MCPID"
        NOTE="$NOTE no-exit-10s-after-SIGTERM"
        RUN_OK=0
    fi
    wait "$MCPID"
    st=$?
    if [ $st -ne 0 ]; then
        NOTE="$NOTE exit-status-$st-after-SIGTERM"
        RUN_OK=0
    fi
    MCPID=""
}

outs() {
    local i=1
    while [ $i -le "$RUNS" ]; do
        printf '%s ' "$T/out.$i.jsonl"
        i=$((i + 1))
    done
}

# wait_delivered TOTAL: poll the output until it holds TOTAL distinct lines,
# or it has not grown for STALL_CAP s, or DRAIN_CAP s have passed
wait_delivered() {
    local end n u size last_size=-1 grew
    end=$(($(now_ms) + DRAIN_CAP * 1000))
    grew=$(now_ms)
    while [ "$(now_ms)" -lt "$end" ]; do
        # shellcheck disable=SC2046,SC2002
        n=$(cat $(outs) | wc -l)
        if [ "$n" -ge "$1" ]; then
            # shellcheck disable=SC2046
            u=$($PY "$HERE/check.py" --progress $(outs) 2>/dev/null)
            if [ "${u:-0}" -ge "$1" ]; then
                sleep 1 # late duplicates, if any, get counted
                return 0
            fi
        fi
        kill -0 "$MCPID" 2>/dev/null || return 1
        # shellcheck disable=SC2046,SC2002
        size=$(cat $(outs) | wc -c)
        if [ "$size" != "$last_size" ]; then
            last_size=$size
            grew=$(now_ms)
        elif [ $(($(now_ms) - grew)) -ge $((STALL_CAP * 1000)) ]; then
            NOTE="$NOTE output-stalled-${STALL_CAP}s-short-of-total"
            return 1
        fi
        sleep 0.5
    done
    NOTE="$NOTE not-all-delivered-after-${DRAIN_CAP}s"
    return 1
}

# open_fds: count the rotated (N_ROT_OPEN) and deleted (N_DEL_OPEN) log
# files mcplog has open, named in OPEN_WHAT; status 1 when mcplog is gone
open_fds() {
    local fd l
    N_ROT_OPEN=0 N_DEL_OPEN=0 OPEN_WHAT=""
    kill -0 "$MCPID" 2>/dev/null || return 1
    for fd in /proc/"$MCPID"/fd/*; do
        l=$(readlink "$fd" 2>/dev/null) || continue
        case $l in
            "$T"/logs/*" (deleted)") N_DEL_OPEN=$((N_DEL_OPEN + 1)) OPEN_WHAT="$OPEN_WHAT ${l#"$T"/}" ;;
            "$T"/logs/mcp_server.log | "$T"/logs/mcp_activity.log | "$LOG") ;;
            "$T"/logs/*) N_ROT_OPEN=$((N_ROT_OPEN + 1)) OPEN_WHAT="$OPEN_WHAT ${l#"$T"/}" ;;
        esac
    done
    return 0
}

# check_fds: within FD_WAIT s (grace + 1) only the live files may be open:
# no rotated file and no deleted one (RELIABILITY.md 0 "Resource checks",
# 19); polled every 100 ms, so the run goes on as soon as they are closed
check_fds() {
    local t0 end
    t0=$(now_ms)
    end=$((t0 + FD_WAIT * 1000))
    while open_fds; do
        [ $((N_ROT_OPEN + N_DEL_OPEN)) -eq 0 ] && break
        [ "$(now_ms)" -ge "$end" ] && break
        sleep 0.1
    done
    FDS="open-rotated=$N_ROT_OPEN open-deleted=$N_DEL_OPEN closed-after=$(secs "$t0" "$(now_ms)")s"
    if [ $((N_ROT_OPEN + N_DEL_OPEN)) -gt 0 ]; then
        NOTE="$NOTE fds-still-open-${FD_WAIT}s-after-the-end:$(echo "$OPEN_WHAT" | tr ' ' ',')"
        RUN_OK=0
    fi
}

# diag_start: with DIAG=1, sample the log folder (ls -li) and mcplog's open
# files every 100 ms into $T/diag.log, to reconstruct what happened
diag_start() {
    [ "$DIAG" = 1 ] || return 0
    (
        while :; do
            echo "== $(date +%T.%N)"
            # shellcheck disable=SC2012  # a human-readable snapshot
            ls -li "$T/logs" 2>/dev/null | sed 1d
            for fd in /proc/"$MCPID"/fd/*; do
                l=$(readlink "$fd" 2>/dev/null) || continue
                case $l in "$T"/*) echo "fd ${fd##*/} -> ${l#"$T"/} @$(sed -n 's/^pos:[[:space:]]*//p' /proc/"$MCPID"/fdinfo/"${fd##*/}" 2>/dev/null)" ;; esac
            done
            sleep 0.1
        done
    ) >"$T/diag.log" 2>&1 &
    DIAGPID=$!
}

diag_stop() {
    [ -n "$DIAGPID" ] || return 0
    kill "$DIAGPID" 2>/dev/null
    wait "$DIAGPID" 2>/dev/null
    DIAGPID=""
}

# --- writers ----------------------------------------------------------------

# writer SRC MODE PATH COUNT RATE [ARGS...]: start a writer.py in the background
writer() {
    local src=$1 wmode=$2 path=$3 count=$4 rate=$5
    shift 5
    $PY "$HERE/writer.py" --mode "$wmode" --path "$path" --src "$src" \
        --count "$count" --rate "$rate" --seed "$SEED" \
        --seq-file "$T/$src.seq" --pid-file "$T/$src.pid" "$@" \
        2>"$T/$src.err" &
    WPIDS="$WPIDS $!"
    SRCS="$SRCS $src"
}

writers_done() {
    for s in $SRCS; do [ -e "$T/$s.seq" ] || return 1; done
    return 0
}

wait_writers() {
    for p in $WPIDS; do
        if ! wait "$p"; then
            NOTE="$NOTE writer-failed"
            RUN_OK=0
        fi
    done
    WPIDS=""
}

written_total() {
    t=0
    for s in $SRCS; do t=$((t + $(head -1 "$T/$s.seq"))); done
    echo $t
}

rollovers_total() {
    t=0
    for s in $SRCS; do t=$((t + $(sed -n 's/^rollovers=//p' "$T/$s.seq"))); done
    echo $t
}

# --- logrotate --------------------------------------------------------------

# lr_conf OPTIONS...: a logrotate config for $LOG (root-owned, 0644: logrotate
# refuses group/world-writable configs)
lr_conf() {
    {
        echo "$LOG {"
        for o in "$@"; do echo "    $o"; done
        echo "}"
    } >"$T/lr.conf"
    chmod 0644 "$T/lr.conf"
}

lr_postrotate_hup() {
    # shellcheck disable=SC2016  # $(cat) is for the postrotate shell
    printf 'postrotate\n        kill -HUP "$(cat %s)"\n    endscript' "$T/w1.pid"
}

lr_run() {
    if $LOGROTATE -f -s "$T/lr.state" "$T/lr.conf" 2>>"$T/logrotate.err"; then
        ROT=$((ROT + 1))
    else
        LR_FAILS=$((LR_FAILS + 1))
    fi
}

# rotate_loop INTERVAL_MS: rotate at t0 + k x INTERVAL_MS while the writers
# run (an absolute schedule: slow logrotate runs do not stretch it)
rotate_loop() {
    local next now
    next=$(($(now_ms) + $1))
    while ! writers_done; do
        now=$(now_ms)
        if [ "$now" -lt "$next" ]; then
            sleep "$(printf '%d.%03d' $(((next - now) / 1000)) $(((next - now) % 1000)))"
        fi
        next=$((next + $1))
        writers_done && break
        lr_run
    done
}

# --- scenarios --------------------------------------------------------------
# Each sets: TARGETS, READY_FILE, starts writers via $START_WRITERS and runs
# the rotation driver in drive_<name>; CHECK_ARGS adds to check.py.

rate_for() { echo $(($1 / $2 > 0 ? $1 / $2 : 1)); }

setup_plain() {
    if [ "$PLAIN_TARGET" = dir ]; then
        LOG=$T/logs/mcp_server.log
        TARGETS=$T/logs
    else
        LOG=$T/logs/app.log
        TARGETS="--source app=$LOG"
    fi
    : >"$LOG"
    READY_FILE=$LOG
}

s_create() {
    setup_plain
    lr_conf create "rotate $LR_KEEP" missingok nocompress "$(lr_postrotate_hup)"
    D=$DUR
    start_mcplog 1
    wait_ready "$READY_FILE"
    writer w1 plain "$LOG" "$N_LINES" "$(rate_for "$N_LINES" "$D")"
    rotate_loop $((D * 1000 / (N_ROT + 8)))
    CHECK_ARGS="--files $LOG*"
}

s_copytruncate() {
    setup_plain
    lr_conf copytruncate "rotate $LR_KEEP" missingok nocompress
    D=$DUR
    start_mcplog 1
    wait_ready "$READY_FILE"
    writer w1 plain "$LOG" "$N_LINES" "$(rate_for "$N_LINES" "$D")"
    rotate_loop $((D * 1000 / (N_ROT + 8)))
    CHECK_ARGS="--files $LOG*"
    [ "${STRICT_COPYTRUNCATE:-0}" = 1 ] || CHECK_ARGS="$CHECK_ARGS --allow-off-disk-loss"
}

s_delaycompress() {
    setup_plain
    lr_conf create "rotate $LR_KEEP" missingok compress delaycompress "$(lr_postrotate_hup)"
    D=$DUR
    start_mcplog 1
    wait_ready "$READY_FILE"
    writer w1 plain "$LOG" "$N_LINES" "$(rate_for "$N_LINES" "$D")"
    rotate_loop $((D * 1000 / (N_ROT + 8)))
    CHECK_ARGS="--files $LOG*"
}

setup_python2() {
    LOG=$T/logs/mcp_server.log
    : >"$LOG"
    TARGETS=$T/logs
    READY_FILE=$LOG
    D=$DUR
}

start_python2() {
    local half r
    half=$((N_LINES / 2))
    r=$(rate_for "$half" "$D")
    writer w1 python "$LOG" "$half" "$r" --max-bytes "$MAXBYTES" --backup-count 30
    writer w2 python "$LOG" $((N_LINES - half)) "$r" --max-bytes "$MAXBYTES" --backup-count 30
}

s_python2() {
    setup_python2
    start_mcplog 1
    wait_ready "$READY_FILE"
    start_python2
    while ! writers_done; do sleep 0.2; done
    ROT=$(rollovers_total)
    CHECK_ARGS="--files $LOG*"
}

s_kill() {
    local k n
    setup_python2
    start_mcplog 1
    wait_ready "$READY_FILE"
    start_python2
    k=0
    n=1
    while ! writers_done || [ $k -lt "$KILLS" ]; do
        sleep_ms 1500 4000
        if ! kill -0 "$MCPID" 2>/dev/null; then
            NOTE="$NOTE mcplog-died-unkilled(run=$n)"
            RUN_OK=0
            break
        fi
        kill -KILL "$MCPID"
        wait "$MCPID" 2>/dev/null
        k=$((k + 1))
        cp "$T/state" "$T/state.at-kill.$k" 2>/dev/null
        sleep_ms 0 300
        n=$((n + 1))
        start_mcplog $n
    done
    ROT=$(rollovers_total)
    KILLED=$k
    CHECK_ARGS="--kills $k --files $LOG*"
}

s_delete() {
    setup_plain
    D=$(((N_ROT + 4) * 105 / 100))
    [ $D -lt "$DUR" ] && D=$DUR
    start_mcplog 1
    wait_ready "$READY_FILE"
    writer w1 plain "$LOG" "$N_LINES" "$(rate_for "$N_LINES" "$D")" --reopen-on-missing
    while ! writers_done; do
        sleep_ms 100 2000
        writers_done && break
        rm -f "$LOG"
        ROT=$((ROT + 1))
    done
    CHECK_ARGS=""
}

s_missing() {
    local wpid
    setup_plain
    D=$(((N_ROT + 3) * (MISSING_GAP * 10 + 5) / 10))
    [ $D -lt "$DUR" ] && D=$DUR
    start_mcplog 1
    wait_ready "$READY_FILE"
    writer w1 plain "$LOG" "$N_LINES" "$(rate_for "$N_LINES" "$D")"
    while [ ! -e "$T/w1.pid" ]; do sleep 0.01; done
    wpid=$(cat "$T/w1.pid")
    while ! writers_done; do
        sleep_ms 200 800
        writers_done && break
        ROT=$((ROT + 1))
        mv "$LOG" "$LOG.moved.$ROT"
        sleep "$MISSING_GAP"
        : >>"$LOG"
        kill -HUP "$wpid" 2>/dev/null
    done
    CHECK_ARGS="--files $LOG*"
}

# --- one run ------------------------------------------------------------------

run_one() {
    local scen=$1 mode=$2
    T=$(mktemp -d "${TMPDIR:-/tmp}/mcplog-follow.$scen.$mode.XXXXXX")
    mkdir "$T/logs"
    cat >"$T/rec.yaml" <<'EOF'
rules:
  - name: rec
    match: 'seq=(?<seq>\d+) src=(?<src>\S+)'
EOF
    case $mode in
        inotify) MODEARGS="" ;;
        poll) MODEARGS="--poll --poll-interval $POLL_INTERVAL" ;;
    esac
    RUN_OK=1 NOTE="" ROT=0 LR_FAILS=0 SRCS="" WPIDS="" CHECK_ARGS="" RUNS=1 KILLED=0
    t0=$(now_ms)
    "s_$scen"
    wait_writers
    total=$(written_total)
    t1=$(now_ms)
    wait_delivered "$total"
    diag_stop
    FDS=""
    [ "$FD_WAIT" != 0 ] && check_fds
    stop_mcplog
    t2=$(now_ms)
    if [ "$ROT" -lt "$N_ROT" ]; then
        NOTE="$NOTE harness:only-$ROT-rotations(<$N_ROT)"
        RUN_OK=0
    fi
    if [ "$scen" = kill ] && [ "$KILLED" -lt "$KILLS" ]; then
        NOTE="$NOTE harness:only-$KILLED-kills"
        RUN_OK=0
    fi
    [ "$LR_FAILS" -gt 0 ] && NOTE="$NOTE logrotate-failed-$LR_FAILS-times"
    wargs=""
    for s in $SRCS; do wargs="$wargs --seq-file $s=$T/$s.seq"; done
    # shellcheck disable=SC2086,SC2046
    $PY "$HERE/check.py" --label "  " $wargs $(outs) $CHECK_ARGS >"$T/check.out" 2>&1 || RUN_OK=0
    errs=$(cat "$T"/err.* | wc -l)
    printf 'follow: %-13s %-7s lines=%d rotations=%d runs=%d writers=%.1fs total=%.1fs stderr-lines=%d %s%s\n' \
        "$scen" "$mode" "$total" "$ROT" "$RUNS" \
        "$(secs "$t0" "$t1")" "$(secs "$t0" "$t2")" \
        "$errs" "$FDS" "${NOTE:+ note:$NOTE}"
    cat "$T/check.out"
    if [ $RUN_OK = 1 ]; then
        say "ok: $scen $mode"
        [ "$KEEP" = 1 ] || rm -rf "$T"
    else
        say "FAIL: $scen $mode (kept: $T)"
        if [ "$errs" -gt 0 ]; then
            say "  mcplog stderr (first lines):"
            cat "$T"/err.* | head -8 | sed 's/^/    /'
        fi
    fi
}

# --- runs side by side --------------------------------------------------------

# run_job I SCEN MODE: run_one in the background, its lines into $JOBDIR/I.out,
# then "RUN_OK SCEN/MODE" into $JOBDIR/I.res. Its gaps are random from SEED
# and I, whatever ran before it.
run_job() {
    (
        trap 'cleanup; exit 130' INT TERM
        RANDOM=$((SEED * 1000 + $1))
        run_one "$2" "$3" >"$JOBDIR/$1.out" 2>&1
        echo "$RUN_OK $2/$3" >"$JOBDIR/$1.res"
    ) &
    JOBPIDS="$JOBPIDS $!"
}

# report_done [all]: print the finished runs in order (up to the first one
# still running) and count them; with "all" (every job waited for), a run
# without a verdict counts as failed
report_done() {
    local ok name
    while [ "$NEXT" -lt "$NJOBS" ]; do
        if [ -e "$JOBDIR/$NEXT.res" ]; then
            cat "$JOBDIR/$NEXT.out"
            read -r ok name <"$JOBDIR/$NEXT.res"
        elif [ "${1:-}" = all ]; then
            cat "$JOBDIR/$NEXT.out" 2>/dev/null
            ok=0 name="run-$NEXT"
            say "FAIL: run $NEXT ended without a verdict"
        else
            return
        fi
        if [ "$ok" = 1 ]; then
            PASS=$((PASS + 1))
        else
            FAIL=$((FAIL + 1))
            FAILED_RUNS="$FAILED_RUNS $name"
        fi
        NEXT=$((NEXT + 1))
    done
}

if ! command -v "$LOGROTATE" >/dev/null 2>&1; then
    say "follow: logrotate not found (apt-get install logrotate)"
    exit 2
fi
# shellcheck disable=SC2086
if ! $MCPLOG follow --help >/dev/null 2>&1; then
    say "follow: '$MCPLOG follow --help' failed: no follow command?"
    exit 2
fi
case $FOLLOW_JOBS in '' | *[!0-9]* | 0) say "follow: FOLLOW_JOBS must be a positive number"; exit 2 ;; esac

JOBDIR=$(mktemp -d "${TMPDIR:-/tmp}/mcplog-follow.jobs.XXXXXX")
JOBPIDS=""
NJOBS=0
NEXT=0
trap 'for p in $JOBPIDS; do kill -TERM "$p" 2>/dev/null; done; wait; rm -rf "$JOBDIR"; exit 130' INT TERM

say "follow: lines=$N_LINES rotations>=$N_ROT duration=${DUR}s kills>=$KILLS modes=[$MODES] repeat=$REPEAT jobs=$FOLLOW_JOBS"
for scen in $SCENARIOS; do
    rep=0
    while [ $rep -lt "$REPEAT" ]; do
        for mode in $MODES; do
            while [ "$(jobs -pr | wc -l)" -ge "$FOLLOW_JOBS" ]; do
                wait -n
                report_done
            done
            run_job "$NJOBS" "$scen" "$mode"
            NJOBS=$((NJOBS + 1))
        done
        rep=$((rep + 1))
    done
done
wait
report_done all
rm -rf "$JOBDIR"
[ -n "$FAILED_RUNS" ] && say "follow: failed:$FAILED_RUNS"
say "follow: $PASS passed, $FAIL failed"
[ -n "${CHECK_TALLY:-}" ] && echo "$PASS $FAIL" >>"$CHECK_TALLY"
[ "$FAIL" = 0 ]
