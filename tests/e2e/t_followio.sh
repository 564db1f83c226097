# follow and its state files against hostile file types and neighbours:
# FIFOs, devices and folders named like logs, a writer faster than
# mcplog, symlinks planted at the state files' names, shared or foreign
# state folders, a second follow on one checkpoint, unreadable logs.
# SIGTERM must stop follow within 1 s whatever the inputs do.
HOME=$T
unset XDG_CONFIG_HOME XDG_STATE_HOME
cat >rec.yaml <<'Y'
rules:
  - name: rec
    match: 'seq=(?<seq>\d+)'
Y
line() { echo "$(ts "$1") - root - INFO - seq=$1"; }

# term_ms PID: SIGTERM to PID, then the milliseconds until it has exited
# (a zombie counts as exited), or "hung" (then SIGKILL) after 5 s.
term_ms() {
    python3 - "$1" <<'P'
import os, signal, sys, time
pid = int(sys.argv[1])
def alive():
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except FileNotFoundError:
        return False
t0 = time.monotonic()
os.kill(pid, signal.SIGTERM)
while alive():
    if time.monotonic() - t0 > 5:
        os.kill(pid, signal.SIGKILL)
        print('hung')
        sys.exit(0)
    time.sleep(0.005)
print(int((time.monotonic() - t0) * 1000))
P
}
# within_1s MS: "yes" when MS is at most 1000, else what it was
within_1s() {
    case $1 in
    hung) echo hung ;;
    *) if [ "$1" -le 1000 ]; then echo yes; else echo "no ($1 ms)"; fi ;;
    esac
}
# stop WHAT: SIGTERM to follow ($PID); it must exit within 1 s, status 0
stop() {
    _ms=$(term_ms "$PID")
    wait "$PID"
    _rc=$?
    assert_eq "$1: exits within 1 s of SIGTERM" yes "$(within_1s "$_ms")"
    assert_eq "$1: exit 0" 0 "$_rc"
}
# wait_fd PID NAME: until PID has a file whose path ends in NAME open
wait_fd() {
    _w=0
    while [ $_w -lt 200 ]; do
        ls -l "/proc/$1/fd" 2>/dev/null | grep -q -- "$2\$" && return 0
        sleep 0.05
        _w=$((_w + 1))
    done
    return 1
}
run_follow() { # run_follow OUT ERR ARGS...
    _o=$1
    _e=$2
    shift 2
    "$MCPLOG" follow --no-status --no-default-rules --rules rec.yaml "$@" \
        >"$_o" 2>"$_e" &
    PID=$!
}

# --- A. Only regular files are followed ------------------------------------

# A FIFO, a link to /dev/zero, a folder named like the live log: one
# notice each (the safety timer looks again every second: no repeat), no
# "does not exist yet", the other family is followed, and SIGTERM stops
# follow within 1 s.
for kind in fifo zero dir; do
    rm -rf logs && mkdir logs && : >logs/mcp_activity.log
    case $kind in
    fifo) mkfifo logs/mcp_server.log
          want='mcplog: logs/mcp_server.log: not a regular file (fifo), not followed' ;;
    zero) ln -s /dev/zero logs/mcp_server.log
          want='mcplog: logs/mcp_server.log: not a regular file (character device), not followed' ;;
    dir) mkdir logs/mcp_server.log
         want='mcplog: logs/mcp_server.log: is a directory, not followed' ;;
    esac
    run_follow $kind.out $kind.err --state "$T/st-$kind" logs
    wait_for $kind.err 'not followed' 5
    line 1 >>logs/mcp_activity.log
    wait_for $kind.out 'seq=1' 5
    sleep 1.2
    stop $kind
    assert_eq "$kind: one notice, nothing else" "$want" "$(cat $kind.err)"
    assert_contains "$kind: the other family is followed" $kind.out 'seq=1'
done

# The FIFO goes and a regular file takes its name: it is read.
rm -rf logs && mkdir logs && : >logs/mcp_activity.log && mkfifo logs/mcp_server.log
run_follow swap.out swap.err --no-state logs
wait_for swap.err 'not followed' 5
rm logs/mcp_server.log && line 2 >logs/mcp_server.log
wait_for swap.out 'seq=2' 5
stop "fifo replaced"
assert_eq "fifo replaced: notices" "mcplog: logs/mcp_server.log: not a regular file (fifo), not followed
mcplog: mcp_server.log appeared, reading it" "$(cat swap.err)"
assert_contains "fifo replaced: the new file is read" swap.out 'seq=2'

# A writer faster than mcplog (short lines, every one shown as JSON):
# each wake-up reads for a bounded time, then the event loop turns, so
# SIGTERM is seen at once however much is waiting.
rm -rf logs && mkdir logs && : >logs/mcp_server.log && : >logs/mcp_activity.log
cat >fast.py <<'P'
import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND)
block = b'x\n' * 524288
while True:
    os.write(fd, block)
    time.sleep(0.03)
P
"$MCPLOG" follow --no-status --no-default-rules --rules rec.yaml --json --all \
    --state "$T/st-fast" logs >/dev/null 2>fast.err &
PID=$!
wait_fd $PID logs/mcp_server.log
python3 fast.py logs/mcp_server.log &
WPID=$!
sleep 1
stop "fast writer"
kill $WPID
wait $WPID 2>/dev/null
assert_eq "fast writer: no notice" "" "$(cat fast.err)"
rm -rf logs

# scan: a FIFO or a device given as a log is an error at once (exit 2).
mkdir logs && mkfifo logs/mcp_server.log && line 1 >logs/mcp_activity.log
assert_status "scan fifo: exit 2" 2 timeout -s KILL 10 \
    "$MCPLOG" scan --no-default-rules --rules rec.yaml logs/mcp_server.log
assert_eq "scan fifo: the error" "mcplog: logs/mcp_server.log: not a regular file (fifo)" "$(cat err)"
assert_status "scan device: exit 2" 2 timeout -s KILL 10 \
    "$MCPLOG" scan --no-default-rules --rules rec.yaml --source x=/dev/zero logs
assert_eq "scan device: the error" "mcplog: /dev/zero: not a regular file (character device)" "$(cat err)"
assert_status "scan folder with a FIFO member: exit 0" 0 timeout -s KILL 10 \
    "$MCPLOG" scan --no-default-rules --rules rec.yaml logs
rm -rf logs

# --- B. State files ----------------------------------------------------------

mkdir logs && : >logs/mcp_server.log && : >logs/mcp_activity.log
printf 'precious\n' >victim
mkdir -m 700 sf
# Symlinks planted at the temporary names: the victim is untouched, the
# checkpoint and the silences are regular files.
ln -s ../victim sf/state.tmp
ln -s ../victim sf/state.silences.tmp
run_follow pl.out pl.err --state "$T/sf/state" logs
wait_fd $PID logs/mcp_server.log
line 1 >>logs/mcp_server.log
wait_for pl.out 'seq=1' 5
stop "planted state.tmp"
assert_eq "planted state.tmp: the victim is unchanged" precious "$(cat victim)"
assert_eq "planted state.tmp: the checkpoint is a regular file" "regular file" \
    "$(stat -c %F sf/state)"
assert_eq "planted state.tmp: no notice" "" "$(cat pl.err)"
assert_status "planted silences.tmp: silence add works" 0 \
    "$MCPLOG" silence add rec --for 1h --state "$T/sf/state"
assert_eq "planted silences.tmp: the victim is unchanged" precious "$(cat victim)"
assert_eq "planted silences.tmp: the silences are a regular file" "regular file" \
    "$(stat -c %F sf/state.silences)"
# A link at a lock's name is refused, not followed.
rm sf/state.silences.lock && ln -s ../victim sf/state.silences.lock
assert_status "planted silences lock: refused" 1 \
    "$MCPLOG" silence add rec --for 1h --state "$T/sf/state"
assert_eq "planted silences lock: the error" \
    "mcplog: silence add: $T/sf/state.silences.lock: Too many levels of symbolic links" "$(cat err)"
rm sf/state.lock && ln -s ../victim sf/state.lock
assert_status "planted follow lock: exit 2" 2 timeout -s KILL 10 \
    "$MCPLOG" follow --no-default-rules --rules rec.yaml --state "$T/sf/state" logs
assert_eq "planted follow lock: the error" \
    "mcplog: $T/sf/state.lock: Too many levels of symbolic links" "$(cat err)"
assert_eq "planted locks: the victim is unchanged" precious "$(cat victim)"

# A state folder writable by group or others, or someone else's, is
# refused (exit 2), by follow and by silence.
for mode in 770 707 1777; do
    rm -rf sg && mkdir sg && chmod $mode sg
    want="mcplog: $T/sg: the state folder is writable by group or others (mode $mode); refusing it"
    assert_status "folder $mode: follow refuses it" 2 timeout -s KILL 10 \
        "$MCPLOG" follow --no-default-rules --rules rec.yaml --state "$T/sg/state" logs
    assert_eq "folder $mode: follow's error" "$want" "$(cat err)"
    assert_status "folder $mode: silence add refuses it" 2 \
        "$MCPLOG" silence add rec --for 1h --state "$T/sg/state"
    assert_eq "folder $mode: silence's error" "$want" "$(cat err)"
    assert_eq "folder $mode: nothing written there" "" "$(ls -A sg)"
done
if [ "$(id -u)" = 0 ]; then
    mkdir -m 700 so && chown 65534:65534 so
    so=$T/so
    owner=65534
else
    so=/
    owner=0
fi
assert_status "foreign folder: follow refuses it" 2 timeout -s KILL 10 \
    "$MCPLOG" follow --no-default-rules --rules rec.yaml --state "${so%/}/state" logs
assert_eq "foreign folder: follow's error" \
    "mcplog: $so: the state folder belongs to uid $owner, not to uid $(id -u); refusing it" "$(cat err)"
assert_status "foreign folder: silence list refuses it" 2 \
    "$MCPLOG" silence list --state "${so%/}/state"
# The default folder is created private.
assert_status "default folder: silence add creates it" 0 "$MCPLOG" silence add rec --for 1h
assert_eq "default folder: mode 700" 700 "$(stat -c %a "$T/.local/state/mcplog")"

# One follow per checkpoint: the second is refused and names the first.
run_follow l1.out l1.err --state "$T/sl" logs
wait_fd $PID logs/mcp_server.log
FIRST=$PID
assert_status "second follow: exit 2" 2 timeout -s KILL 10 \
    "$MCPLOG" follow --no-default-rules --rules rec.yaml --state "$T/sl" logs
assert_eq "second follow: the error names the first" \
    "mcplog: checkpoint $T/sl is in use by another mcplog follow (pid $FIRST)" "$(cat err)"
stop "first follow"
run_follow l2.out l2.err --state "$T/sl" logs
wait_fd $PID logs/mcp_server.log
stop "after the first: the checkpoint is free again"
assert_eq "after the first: only the resume notice" \
    "mcplog: resuming from checkpoint (saved Ns ago)" \
    "$(sed 's/saved [0-9]*s ago/saved Ns ago/' l2.err)"

# --state must be a regular file or absent; a checkpoint over 64 MiB is
# rejected unread.
assert_status "--state /dev/null: exit 2" 2 timeout -s KILL 10 \
    "$MCPLOG" follow --no-default-rules --rules rec.yaml --state /dev/null logs
assert_eq "--state /dev/null: the error" \
    "mcplog: /dev/null: not a regular file (character device)" "$(cat err)"
mkfifo sfifo
assert_status "--state FIFO: exit 2" 2 timeout -s KILL 10 \
    "$MCPLOG" follow --no-default-rules --rules rec.yaml --state "$T/sfifo" logs
assert_eq "--state FIFO: the error" \
    "mcplog: $T/sfifo: not a regular file (fifo)" "$(cat err)"
truncate -s 65M sbig
run_follow big.out big.err --state "$T/sbig" logs
wait_fd $PID logs/mcp_server.log
stop "big checkpoint"
assert_eq "big checkpoint: rejected unread" "mcplog: $T/sbig: too large (over 64 MiB)
mcplog: starting without the checkpoint" "$(cat big.err)"
# A FIFO as the silences file: one notice, follow goes on and stops.
mkfifo "$T/sq.silences"
run_follow sq.out sq.err --state "$T/sq" logs
wait_for sq.err 'not a regular' 5
sleep 1.2
stop "silences FIFO"
assert_eq "silences FIFO: one notice" "mcplog: $T/sq.silences: not a regular file (fifo)" "$(cat sq.err)"
assert_status "silences FIFO: silence list exit 2" 2 timeout -s KILL 10 \
    "$MCPLOG" silence list --state "$T/sq"
assert_eq "silences FIFO: silence list's error" \
    "mcplog: $T/sq.silences: not a regular file (fifo)" "$(cat err)"
rm -rf logs

# --- C. Unreadable logs, empty files ----------------------------------------

# Resuming with empty live files in the checkpoint is silent.
mkdir logs && : >logs/mcp_server.log && : >logs/mcp_activity.log
run_follow e1.out e1.err --state "$T/se" logs
wait_fd $PID logs/mcp_server.log
stop "empty files, first run"
run_follow e2.out e2.err --state "$T/se" logs
wait_fd $PID logs/mcp_server.log
sleep 1.2
line 3 >>logs/mcp_server.log
wait_for e2.out 'seq=3' 5
stop "empty files resumed"
assert_eq "empty files resumed: only the resume notice" \
    "mcplog: resuming from checkpoint (saved Ns ago)" \
    "$(cat e1.err; sed 's/saved [0-9]*s ago/saved Ns ago/' e2.err)"
assert_contains "empty files resumed: a new line is read" e2.out 'seq=3'
rm -rf logs

# An unreadable live log: one notice (not one a second), no "does not
# exist yet" or "appeared"; read once it can be. Root reads anything, so
# this runs as nobody (65534) when the tests run as root.
if [ "$(id -u)" = 0 ]; then
    chmod 711 "$T"
    mkdir u && chown 65534:65534 u
    AS="setpriv --reuid=65534 --regid=65534 --clear-groups"
else
    mkdir u
    AS=
fi
cp rec.yaml u/rec.yaml
cd u
$AS sh -c 'mkdir logs && : >logs/mcp_activity.log && echo x >logs/mcp_server.log && chmod 000 logs/mcp_server.log'
# (setpriv and env exec: $! is mcplog's PID)
$AS env HOME="$T/u" "$MCPLOG" follow --no-status --no-default-rules --rules rec.yaml \
    --state "$T/u/state" logs >un.out 2>un.err &
PID=$!
wait_for un.err 'not followed' 5
sleep 2.2
chmod 644 logs/mcp_server.log
wait_for un.err 'can be read now' 5
line 4 >>logs/mcp_server.log
wait_for un.out 'seq=4' 5
stop unreadable
assert_eq "unreadable: one notice, then one when it can be read" \
    "mcplog: logs/mcp_server.log: Permission denied, not followed
mcplog: mcp_server.log can be read now, reading it" "$(cat un.err)"
assert_contains "unreadable: read once it can be" un.out 'seq=4'
cd "$T"
