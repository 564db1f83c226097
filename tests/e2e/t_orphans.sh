# t_orphans.sh - orphaned servers (their client exited) in ps and
# cleanup. Everything runs in a private PID namespace (unshare --pid):
# its PID 1 is a wait loop of this test, which adopts every process
# whose parent exits there, as PID 1 or systemd --user does on a real
# machine, and when it exits the kernel ends every process in the
# namespace. The test signals nothing itself: it starts
#   S1  under a stand-in for Claude Code's cli.js run by node (claude)
#   S2  under a copy of sh named claude (the claude binary)
#   S3  under a copy of sh with a unique name (a client mcplog does not know)
#   S5  under a launcher shell that is then adopted (orphan)
#   S7  adopted by a subreaper named systemd (orphan): a copy of sh made
#       a child subreaper (prctl) the way systemd --user is
#   S4  adopted by PID 1 (orphan), the newest
# S1 and S4 have the log open for writing and S4 wrote last, so before
# the live-client rule cleanup kept S4. mcplog runs in the namespace
# (nsenter), where the adopter is PID 1, and once from outside, where it
# is the namespace's init. Only cleanup signals, by pidfd.
. "$ROOT/tests/e2e/proc/lib.sh"
new_server
LOG=$SRV/logs/mcp_server.log
: >"$LOG"
SH=$(readlink -f /bin/sh)
SHN=$(basename "$SH")
OC=mcpcli-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
CLI=$T/nm/@anthropic-ai/claude-code/cli.js
mkdir -p "$T/bin" "$(dirname "$CLI")"
cp "$ROOT/tests/e2e/proc/claude-cli.js" "$CLI"
cp "$SH" "$T/bin/claude"
cp "$SH" "$T/bin/$OC"
cp "$SH" "$T/bin/systemd"

# the namespace: PID 1 waits for $T/stop (at most 2 minutes)
unshare --fork --pid --mount-proc sh -c 'i=0
while [ ! -e "$1" ] && [ $i -lt 2400 ]; do sleep 0.05; i=$((i + 1)); done' \
    sh "$T/stop" >/dev/null 2>&1 &
U=$!
NSI=
i=0
while [ -z "$NSI" ] && [ $i -lt 200 ]; do
    NSI=$(tr -d ' ' <"/proc/$U/task/$U/children" 2>/dev/null)
    [ -n "$NSI" ] || sleep 0.05
    i=$((i + 1))
done
JOBS=
in_ns() { nsenter -t "$NSI" -p -m "$@"; }

# start NAME [VAR=VALUE...] CMD...: CMD in the namespace, in the
# background, with the dummy server's environment (turns for NAME, marks
# in $T/mark.NAME);
# waits until the server is ready and, for an orphan (NAME o*), adopted.
# The server's PID in the namespace in $P, its client's (CLIENT_PID) in
# $C.
start() {
    _n=$1
    shift
    in_ns env DUMMY_READY="$T/ready.$_n" DUMMY_MARK="$T/mark.$_n" \
        DUMMY_TURN="$T/turn" DUMMY_NAME="$_n" \
        CLIENT_PID="$T/client.$_n" "$@" >/dev/null 2>&1 &
    _j=$!
    wait_file "$T/ready.$_n"
    P=$(cat "$T/ready.$_n")
    C=$(cat "$T/client.$_n" 2>/dev/null)
    JOBS="$JOBS $_j"
    case "$_n" in o*) wait_adopted ;; esac
}

# wait_adopted: until no detach.sh runs in the namespace (the adoption
# is done when it has exited); the pattern comes through the environment
# so that the looking shell's own command line does not hold it
wait_adopted() {
    in_ns env PAT="$ROOT/tests/e2e/proc/detach.sh" sh -c 'i=0
    while [ $i -lt 200 ]; do
        n=0
        for f in /proc/[0-9]*/cmdline; do
            case "$(tr "\0" " " 2>/dev/null <"$f")" in *"$PAT"*) n=1 ;; esac
        done
        [ $n = 0 ] && break
        sleep 0.05
        i=$((i + 1))
    done'
}

# turn NAME SEQ: let writer NAME append one line; wait until it has
turn() {
    printf '%s %s\n' "$1" "$2" >"$T/turn.tmp"
    mv "$T/turn.tmp" "$T/turn"
    wait_file "$T/turn.$1.$2"
}

# "alive" or "dead" per PID of the namespace, on one line
ns_alive() {
    in_ns sh -c 'for p; do
        s=$(sed "s/.*) //" "/proc/$p/stat" 2>/dev/null | cut -c1)
        [ -n "$s" ] && [ "$s" != Z ] && printf "alive " || printf "dead "
    done' sh "$@" | sed 's/ $//'
}

# cell PID FILE [LEAD]: the PARENT cell (columns 62-83 after LEAD) of
# PID's row in a ps or cleanup table
cell() {
    grep "^${3:-}$1 " "$2" | cut -c$((62 + ${#3}))-$((83 + ${#3})) |
        sed 's/ *$//'
}

# the action lines of --orphans: keeping PIDS..., then "ACTION" per PID
# of the second list (after --)
actions() {
    _a=$1
    shift
    while [ "$1" != -- ]; do
        echo "mcplog: cleanup: keeping $1 (--orphans: not an orphan)"
        shift
    done
    shift
    for _p; do echo "mcplog: cleanup: $_p: $_a"; done
}

# "NAME:SIGNALS" per server NAME (what server.py noted in $T/mark.NAME)
marks() {
    for n in "$@"; do
        printf '%s:%s ' "$n" "$(cat "$T/mark.$n" 2>/dev/null | paste -sd,)"
    done | sed 's/ $//'
}

start c1 DUMMY_LOG="$LOG" node "$CLI" "$PY" "$SRV/server.py"
S1=$P C1=$C
start c2 "$T/bin/claude" -c 'echo $$ >"$CLIENT_PID"; "$@"; :' claude \
    "$PY" "$SRV/server.py"
S2=$P C2=$C
start c3 "$T/bin/$OC" -c 'echo $$ >"$CLIENT_PID"; "$@"; :' "$OC" \
    "$PY" "$SRV/server.py"
S3=$P C3=$C
start o5 sh "$ROOT/tests/e2e/proc/detach.sh" --launcher "$PY" "$SRV/server.py"
S5=$P L5=$C
start o7 DETACH="$ROOT/tests/e2e/proc/detach.sh" "$PY" -c 'import ctypes, os, sys
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)   # PR_SET_CHILD_SUBREAPER
os.execv(sys.argv[1], sys.argv[1:])' "$T/bin/systemd" -c 'echo $$ >"$CLIENT_PID"
sh "$DETACH" "$@"
while sleep 1; do :; done' systemd "$PY" "$SRV/server.py"
S7=$P C7=$C
start o4 DUMMY_LOG="$LOG" sh "$ROOT/tests/e2e/proc/detach.sh" "$PY" "$SRV/server.py"
S4=$P
turn c1 1
turn o4 2

# --- ps -------------------------------------------------------------------------

assert_status "ps --json in the namespace" 0 in_ns "$MCPLOG" ps \
    --config "$T/c.yaml" --json
cp out ps.json
assert_eq "ps: each server's parent, kind and orphan mark" \
    "$(sorted_lines "$S1 $C1 claude client False None" \
        "$S2 $C2 claude client False None" "$S3 $C3 $OC other False None" \
        "$S4 1 init init True adopted by init (PID 1)" \
        "$S5 $L5 $SHN shell True launcher $SHN (PID $L5) adopted by init (PID 1)" \
        "$S7 $C7 systemd subreaper True adopted by the subreaper systemd (PID $C7)")" \
    "$(parents ps.json)"
assert_eq "ps: S1 and S4 write the log, S4 wrote last" \
    "$S1 True False|$S4 True True" \
    "$(python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))["processes"]
print("|".join("%d %s %s" % (p["pid"], p["log_open_write"], p["log_write_age_ms"] is not None)
    for p in sorted(d, key=lambda p: p["pid"]) if p["log_open_write"]))' ps.json)"
assert_status "ps in the namespace" 0 in_ns "$MCPLOG" ps --config "$T/c.yaml"
assert_eq "ps: the header" \
    "PID     START                UPTIME       RSS LOGS           PARENT                 WHY" \
    "$(head -n 1 out)"
assert_eq "ps: the PARENT column" \
    "$C1 claude|$C2 claude|$C3 $OC|$L5 $SHN (orphan)|$C7 systemd (orphan)|1 init (orphan)" \
    "$(cell "$S1" out)|$(cell "$S2" out)|$(cell "$S3" out)|$(cell "$S5" out)|$(cell "$S7" out)|$(cell "$S4" out)"
assert_eq "ps: WHY after the PARENT column" "$PYBASE runs $SRV/server.py" \
    "$(grep "^$S4 " out | cut -c85-)"

# From outside the namespace the adopter is not PID 1 but the
# namespace's init, known by the NSpid line of its status.
H4=$(python3 -c 'import os,sys
ns=os.readlink("/proc/%s/ns/pid" % sys.argv[1])
for d in os.listdir("/proc"):
    try:
        if not d.isdigit() or os.readlink("/proc/%s/ns/pid" % d) != ns: continue
        for l in open("/proc/%s/status" % d):
            if l.startswith("NSpid:") and l.split()[-1] == sys.argv[2]: print(d)
    except OSError: pass' "$NSI" "$S4")
assert_status "ps --json outside the namespace" 0 \
    "$MCPLOG" ps --config "$T/c.yaml" --json
assert_eq "outside: S4 adopted by the namespace's init" \
    "$H4 $NSI init init True adopted by the init of a PID namespace (PID $NSI)" \
    "$(parents out | grep "^$H4 ")"

# --- the keeper: a live client first ------------------------------------------

assert_status "cleanup --dry-run: a live client over the newer orphan that wrote last" 0 \
    in_ns "$MCPLOG" cleanup --config "$T/c.yaml" --dry-run --json
cp out dry.json
assert_eq "dry run: keeps S1, for the reason it says" \
    "$S1|the only process with a live client and the current log open for writing" \
    "$(jget dry.json keep)|$(jget dry.json keep_reason)"
assert_eq "dry run: every other process planned" \
    "$(sorted_lines "$S1 kept" "$S2 planned" "$S3 planned" "$S4 planned" \
        "$S5 planned" "$S7 planned")" "$(results dry.json)"
sed 's/^cleanup:$/cleanup:\n  prefer_writer: false/' c.yaml >nw.yaml
assert_status "prefer_writer: false" 0 \
    in_ns "$MCPLOG" cleanup --config "$T/nw.yaml" --dry-run --json
assert_eq "without the writer rule: the newest with a live client" \
    "$S3|newest of the 3 processes with a live client" \
    "$(jget out keep)|$(jget out keep_reason)"
assert_status "--keep PID of an orphan: as told" 0 \
    in_ns "$MCPLOG" cleanup --config "$T/c.yaml" --dry-run --json --keep "$S4"
assert_eq "--keep overrides the rules" "$S4|--keep $S4" \
    "$(jget out keep)|$(jget out keep_reason)"
assert_status "--keep and --orphans" 2 \
    "$MCPLOG" cleanup --config c.yaml --dry-run --orphans --keep oldest
assert_eq "--keep and --orphans: the cause" \
    "mcplog: cleanup: --keep and --orphans exclude each other" "$(cat err)"

# --- --orphans ----------------------------------------------------------------

assert_status "cleanup --orphans --dry-run" 0 \
    in_ns "$MCPLOG" cleanup --config "$T/c.yaml" --orphans --dry-run --json
cp out odry.json
assert_eq "--orphans dry run: flagged, no single keeper" "true|true|null|--orphans" \
    "$(jget odry.json dry_run)|$(jget odry.json orphans_only)|$(jget odry.json keep)|$(jget odry.json keep_reason)"
assert_eq "--orphans dry run: the orphans planned, the others kept" \
    "$(sorted_lines "$S1 kept" "$S2 kept" "$S3 kept" "$S4 planned" \
        "$S5 planned" "$S7 planned")" "$(results odry.json)"
assert_eq "--orphans dry run: the actions logged" \
    "$(actions "would be terminated (dry run)" "$S1" "$S2" "$S3" -- \
        "$S5" "$S7" "$S4")" "$(cat err)"
assert_status "cleanup --orphans --dry-run (text)" 0 \
    in_ns "$MCPLOG" cleanup --config "$T/c.yaml" --orphans --dry-run
assert_eq "--orphans text: the plan's first line" \
    "6 matching processes, 3 orphaned (--orphans), would terminate 3" \
    "$(head -n 1 out)"
assert_eq "--orphans text: the actions" \
    "keep|keep|keep|terminate|terminate|terminate" \
    "$(for p in $S1 $S2 $S3 $S5 $S7 $S4; do grep "^[a-z]* *$p " out | cut -d' ' -f1; done | paste -sd'|')"
assert_eq "--orphans text: the PARENT column after ACTION" "1 init (orphan)" \
    "$(cell "$S4" out "terminate  ")"
assert_contains "--orphans text: the verdict" out "dry run: nothing signalled"
assert_eq "after the dry runs: no signal received" "c1: c2: c3: o4: o5: o7:" \
    "$(marks c1 c2 c3 o4 o5 o7)"
assert_eq "after the dry runs: all six alive" \
    "alive alive alive alive alive alive" \
    "$(ns_alive "$S1" "$S2" "$S3" "$S4" "$S5" "$S7")"

assert_status "cleanup --orphans --yes" 0 \
    in_ns "$MCPLOG" cleanup --config "$T/c.yaml" --orphans --yes --json </dev/null
cp out orun.json
cp err orun.err
assert_eq "--orphans: exactly the orphans terminated" \
    "$(sorted_lines "$S1 kept" "$S2 kept" "$S3 kept" "$S4 terminated" \
        "$S5 terminated" "$S7 terminated")" "$(results orun.json)"
assert_eq "--orphans: the actions logged" \
    "$(actions "SIGTERM sent" "$S1" "$S2" "$S3" -- "$S5" "$S7" "$S4")" \
    "$(head -n 6 orun.err)"
assert_eq "--orphans: each orphan got one SIGTERM, the others none" \
    "c1: c2: c3: o4:TERM o5:TERM o7:TERM" "$(marks c1 c2 c3 o4 o5 o7)"
assert_eq "--orphans: the three with a live client alive, the orphans gone" \
    "alive alive alive dead dead dead" \
    "$(ns_alive "$S1" "$S2" "$S3" "$S4" "$S5" "$S7")"
assert_status "--orphans again: nothing to do" 0 \
    in_ns "$MCPLOG" cleanup --config "$T/c.yaml" --orphans --yes </dev/null
assert_eq "--orphans again: said so" \
    "3 matching processes, 0 orphaned (--orphans): nothing to terminate" \
    "$(head -n 1 out)"

# --- the real keep-one run with a newer orphan that wrote last --------------------

start o6 DUMMY_LOG="$LOG" sh "$ROOT/tests/e2e/proc/detach.sh" "$PY" "$SRV/server.py"
S6=$P
turn o6 3
assert_status "cleanup --yes" 0 \
    in_ns "$MCPLOG" cleanup --config "$T/c.yaml" --yes --json </dev/null
cp out run.json
assert_eq "the real run keeps S1 over the orphan S6" \
    "$S1|the only process with a live client and the current log open for writing" \
    "$(jget run.json keep)|$(jget run.json keep_reason)"
assert_eq "the real run: the others terminated" \
    "$(sorted_lines "$S1 kept" "$S2 terminated" "$S3 terminated" \
        "$S6 terminated")" "$(results run.json)"
assert_eq "the real run: signals" "c1: c2:TERM c3:TERM o6:TERM" \
    "$(marks c1 c2 c3 o6)"
assert_eq "the real run: only S1 left" "alive dead dead dead" \
    "$(ns_alive "$S1" "$S2" "$S3" "$S6")"

# the namespace's PID 1 exits: the kernel ends what is left in it
: >"$T/stop"
wait "$U"
assert_eq "the namespace is gone" 0 "$?"
for j in $JOBS; do wait "$j"; done
