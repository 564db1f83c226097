# tests/e2e/proc/lib.sh - helpers for the process tests (t_cleanup*.sh),
# sourced after tests/e2e/lib.sh. They start dummy servers (server.py
# here, or copies of sleep) and keep every PID started and not yet reaped
# in $PIDS: only those may be signalled (an unreaped child's PID cannot
# be reused), and the EXIT trap kills what is left of them.
R=$$-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
PYBASE=$(basename "$(readlink -f "$PY")")
PIDS=
trap 'for p in $PIDS; do kill -KILL "$p" 2>/dev/null; done' EXIT

# new_server: the folder $SRV (unique to this run) with the dummy
# server.py and an empty logs/, and c.yaml naming it as server: dir (the
# default match, python: server.py) with a 1 s grace
new_server() {
    SRV=$T/srv-$R
    mkdir -p "$SRV/logs"
    cp "$ROOT/tests/e2e/proc/server.py" "$SRV/server.py"
    printf 'server:\n  dir: %s\ncleanup:\n  grace: 1s\n' "$SRV" >c.yaml
}

alive() {
    s=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
    [ -n "$s" ] && [ "$s" != Z ]
}

# reap PID...: wait for each and append its exit status to $RS (143 =
# SIGTERM, 137 = SIGKILL); it is no longer ours to signal.
reap() {
    RS=
    for _p in "$@"; do
        wait "$_p" 2>/dev/null
        RS="${RS:+$RS }$?"
        _n=
        for p in $PIDS; do [ "$p" = "$_p" ] || _n="$_n $p"; done
        PIDS=$_n
    done
}

# finish PID...: reap processes the test expects to have exited; one
# still running after a second is killed first (it is ours), so reaping
# never hangs and its status reads 137 instead of the 143 expected.
finish() {
    for _p in "$@"; do
        _i=0
        while alive "$_p" && [ $_i -lt 20 ]; do sleep 0.05; _i=$((_i + 1)); done
        alive "$_p" && kill -KILL "$_p"
    done
    reap "$@"
}

wait_file() {
    _i=0
    while [ ! -e "$1" ] && [ $_i -lt 200 ]; do sleep 0.05; _i=$((_i + 1)); done
}

# start_py NAME CWD [ENV=V...] SCRIPT [ARGS...]: a python dummy, its PID
# in $P once it is ready
start_py() {
    _n=$1 _d=$2
    shift 2
    (cd "$_d" && exec env DUMMY_READY="$T/ready.$_n" "$@" \
        >/dev/null 2>&1) &
    P=$!
    PIDS="$PIDS $P"
    wait_file "$T/ready.$_n"
}

# start_bin PATH ARGS...: a copy of sleep; its PID in $P once exec'd
start_bin() {
    _b=$1
    shift
    "$_b" "$@" >/dev/null 2>&1 &
    P=$!
    PIDS="$PIDS $P"
    _i=0
    while [ "$(readlink "/proc/$P/exe")" != "$_b" ] && [ $_i -lt 200 ]; do
        sleep 0.05
        _i=$((_i + 1))
    done
}

# "pid why" lines of a ps/cleanup JSON document, sorted by pid; with a
# second argument, of that list instead of "processes"
pids_why() {
    python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
for p in sorted(d.get(sys.argv[2], []), key=lambda p: p["pid"]):
    print(p["pid"], p["why"])' "$1" "${2:-processes}"
}

# "pid ppid parent parent_kind orphan orphan_reason" lines of a ps or
# cleanup JSON document, sorted by pid
parents() {
    python3 -c 'import json,sys
for p in sorted(json.load(open(sys.argv[1]))["processes"], key=lambda p: p["pid"]):
    print(p["pid"], p["ppid"], p["parent"], p["parent_kind"], p["orphan"],
          p["orphan_reason"])' "$1"
}

# "pid result" lines of a cleanup JSON document, sorted by pid
results() {
    python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
for p in sorted(d["processes"], key=lambda p: p["pid"]):
    print(p["pid"], p["result"])' "$1"
}

sorted_lines() { printf '%s\n' "$@" | sort -n; }
