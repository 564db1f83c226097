# t_command.sh - the command sink with real child processes, through
# `mcplog sinks test`: hostile alert text reaches the program only as data
# (environment and stdin, compared byte for byte) and is never executed;
# the exact variables and JSON for firing and resolved; the environment
# it starts from; exit statuses (0 ok, 3 failed, 75 retried); timeouts
# (SIGTERM to the process group, SIGKILL after the grace) with the child
# and its grandchild gone; a child that exits leaving a grandchild holding
# its pipes; no descriptor but 0, 1, 2 inherited; a clean signal state; a
# child that never reads stdin; configuration errors; and the same from
# `follow` (signalfd, epoll, inotify in the main thread).
# Helper programs are in tests/e2e/cmd/.

export HOME="$T"
unset XDG_CONFIG_HOME
export MCPLOG_DATADIR="$ROOT"
export LANG=C.UTF-8
C="$ROOT/tests/e2e/cmd"

# Processes this test may leave if something goes wrong: killed at exit,
# by the pids recorded in these files only.
cleanup() {
    for f in "$T"/*/child.pid "$T"/*/grandchild.pid; do
        [ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null
    done
}
trap cleanup EXIT

ms() { date +%s%3N; }

# gone PID: the process has ended. A killed grandchild is reparented to
# PID 1, which on some machines (containers) never reaps it: a zombie has
# ended too, so it counts as gone.
gone() {
    kill -0 "$1" 2>/dev/null || return 0
    [ "$(sed 's/^.*) \(.\).*$/\1/' "/proc/$1/stat" 2>/dev/null)" = Z ]
}

# wait_gone PID [SECONDS]: poll until gone (default 5 s); 1 on timeout.
wait_gone() {
    _g=0
    while [ "$_g" -lt $(( ${2:-5} * 20 )) ]; do
        gone "$1" && return 0
        sleep 0.05
        _g=$((_g + 1))
    done
    return 1
}

# one line of out: the outcome line `sinks test` printed for STATUS
outcome() { grep "^sink $1: $2: " out; }

mkdir rec rec2 big env clear x3 x75 r3 sig hang1 hang2 hang3 leave1 leave2 \
    fds sigs bin
cat > bin/mytool <<EOF
#!/bin/sh
echo "\$0 ran" > "$T/bin/ran"
EOF
chmod +x bin/mytool

cat > mcplog.yaml <<EOF
sinks:
  rec:
    type: command
    argv: [/usr/bin/python3, "$C/record.py", "$T/rec"]
  rec2:
    type: command
    argv: [python3, "$C/record.py", "$T/rec2"]
  big:
    type: command
    argv: [python3, "$C/record.py", "$T/big"]
  env:
    type: command
    argv: [python3, "$C/record.py", "$T/env"]
    env: [GREETING=hello world, KEPT=from the config, GREETING=hello again]
  clear:
    type: command
    argv: [/usr/bin/python3, "$C/record.py", "$T/clear"]
    clear_env: true
    env: [EXTRA=1]
  ok:
    type: command
    argv: [true]
  x3:
    type: command
    argv: [python3, "$C/record.py", "$T/x3", "3"]
  x75:
    type: command
    argv: [python3, "$C/record.py", "$T/x75", "75"]
    retries: 2
    backoff: 10ms
  r3:
    type: command
    argv: [python3, "$C/record.py", "$T/r3", "3"]
    retry_on_exit: ["3"]
    retries: 1
    backoff: 10ms
  r75:
    type: command
    argv: [python3, "$C/record.py", "$T/r3", "75"]
    retry_on_exit: ["3"]
    retries: 1
    backoff: 10ms
  selfkill:
    type: command
    argv: [/bin/sh, -c, 'kill -KILL \$\$']
  hang1:
    type: command
    argv: [/bin/sh, "$C/hang.sh", "$T/hang1"]
    timeout: 1s
    kill_grace: 5s
    retries: 3
  hang2:
    type: command
    argv: [/bin/sh, "$C/hang.sh", "$T/hang2", ignore-term]
    timeout: 1s
    kill_grace: 1s
  hang3:
    type: command
    argv: [/bin/sh, "$C/hang.sh", "$T/hang3", gc-ignores-term]
    timeout: 1s
    kill_grace: 5s
  leave1:
    type: command
    argv: [/bin/sh, "$C/leave.sh", "$T/leave1", quiet]
    timeout: 20s
  leave2:
    type: command
    argv: [/bin/sh, "$C/leave.sh", "$T/leave2", chatty]
    timeout: 20s
  fds:
    type: command
    argv: [python3, "$C/record.py", "$T/fds"]
  sigs:
    type: command
    argv: [/bin/sh, "$C/sigstate.sh", "$T/sigs"]
  path:
    type: command
    argv: [mytool]
    env: ["PATH=$T/bin:/usr/bin:/bin"]
routes:
  - sinks: [rec]
EOF
CONF="--config $T/mcplog.yaml"

# ---------------------------------------------------------------------------
# 1. Hostile text in the line, the summary and the labels reaches the
#    program as data, byte for byte; nothing in it is ever run.
SUMMARY=$(printf 'sum $(touch %s/X) `touch %s/Y`;touch %s/Z "dq" '"'"'sq'"'"'\nline2 \033[1mbold\033]0;title\007' "$T" "$T" "$T")
LABEL=$(printf 'v $(touch %s/X);`touch %s/Y` | touch %s/Z & \033[31mred\nnl' "$T" "$T" "$T")
assert_status "hostile alert: delivered" 0 "$MCPLOG" sinks test rec $CONF \
    --summary "$SUMMARY" --label "cmd=$LABEL" --label "x=\$(touch $T/X)" \
    --line "l \$(touch $T/X) \`touch $T/Y\` ;touch $T/Z \"dq\" 'sq' \\e[31mred\\e]0;t\\x07\\nsecond\\x00nul\\xffbad"
assert_eq "hostile alert: outcome line" "sink rec: firing: ok" "$(cat out)"
for f in X Y Z; do
    if [ -e "$T/$f" ]; then bad "hostile alert: $f was never created"; else ok "hostile alert: $f was never created"; fi
done
assert_eq "hostile alert: the program ran once" 1 "$(cat rec/runs)"
printf '/usr/bin/python3\0%s/record.py\0%s/rec\0' "$C" "$T" > exp
assert_file_eq "hostile alert: argv is the configured one, nothing added" exp rec/argv.1
printf '%s' "$SUMMARY" > exp
python3 "$C/envq.py" rec/env.1 MCPLOG_SUMMARY > got
assert_file_eq "hostile alert: MCPLOG_SUMMARY exact" exp got
printf '%s' "$LABEL" > exp
python3 "$C/envq.py" rec/env.1 MCPLOG_LABEL_CMD > got
assert_file_eq "hostile alert: MCPLOG_LABEL_CMD exact" exp got
printf 'l $(touch %s/X) `touch %s/Y` ;touch %s/Z "dq" '"'"'sq'"'"' \033[31mred\033]0;t\007\nsecond\357\277\275nul\357\277\275bad' "$T" "$T" "$T" > exp
python3 "$C/envq.py" rec/env.1 MCPLOG_LINE > got
assert_file_eq "hostile alert: MCPLOG_LINE exact (NUL and invalid UTF-8 as U+FFFD)" exp got
# stdin: one strict JSON line with the same text (NUL kept as \u0000)
assert_eq "hostile alert: stdin is one line ending in a newline" "1 0a" \
    "$(wc -l < rec/stdin.1 | tr -d ' ') $(tail -c 1 rec/stdin.1 | od -An -tx1 | tr -d ' ')"
python3 - "$T" "$SUMMARY" "$LABEL" > got <<'EOF'
import json, sys
T, summary, label = sys.argv[1:4]
a = json.loads(open(T + "/rec/stdin.1", "rb").read().decode("utf-8"), strict=True)
line = ('l $(touch %s/X) `touch %s/Y` ;touch %s/Z "dq" \'sq\' \x1b[31mred\x1b]0;t\x07'
        '\nsecond\x00nul\ufffdbad' % (T, T, T))
print(a["summary"] == summary, a["labels"] == {"cmd": label, "x": "$(touch %s/X)" % T},
      a["line"] == line, a["key"] == "sinks-test{cmd=%s,x=$(touch %s/X)}" % (label, T))
EOF
assert_eq "hostile alert: stdin JSON summary, labels, line, key exact" "True True True True" "$(cat got)"
printf '{"cmd":"v $(touch %s/X);`touch %s/Y` | touch %s/Z & \\u001b[31mred\\nnl","x":"$(touch %s/X)"}' "$T" "$T" "$T" "$T" > exp
python3 "$C/envq.py" rec/env.1 MCPLOG_LABELS > got
assert_file_eq "hostile alert: MCPLOG_LABELS is the labels as JSON" exp got

# ---------------------------------------------------------------------------
# 2. The variables and the JSON, exactly, for firing then resolved of one
#    alert; label names upper-cased, other characters as '_'.
assert_status "firing,resolved: both delivered" 0 "$MCPLOG" sinks test rec2 $CONF \
    --rule disk-full --severity warning --status firing,resolved \
    --label server=hestai --label tool-name=chat --label 'Mixed.Case9=v' \
    --summary 'disk 91% full' --description 'the disk fills up' \
    --line 'ERROR - no space left' --context 'OSError: [Errno 28]' --count 7
assert_eq "firing,resolved: outcome lines" "sink rec2: firing: ok
sink rec2: resolved: ok" "$(cat out)"
assert_eq "firing,resolved: two runs" 2 "$(cat rec2/runs)"
start=$(jget rec2/stdin.1 start)
end=$(jget rec2/stdin.2 end)
host=$(uname -n)
case "$start" in
[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z) ok "start is ISO 8601 UTC with ms" ;;
*) bad "start is ISO 8601 UTC with ms" "got: $start" ;;
esac
vars() {
    cat <<EOF
MCPLOG_CONTEXT=OSError: [Errno 28]
MCPLOG_COUNT=7
MCPLOG_DESCRIPTION=the disk fills up
MCPLOG_END=$2
MCPLOG_HOST=$host
MCPLOG_KEY=disk-full{server=hestai,tool-name=chat,Mixed.Case9=v}
MCPLOG_LABELS={"server":"hestai","tool-name":"chat","Mixed.Case9":"v"}
MCPLOG_LABEL_MIXED_CASE9=v
MCPLOG_LABEL_SERVER=hestai
MCPLOG_LABEL_TOOL_NAME=chat
MCPLOG_LINE=ERROR - no space left
MCPLOG_RULE=disk-full
MCPLOG_SEVERITY=warning
MCPLOG_SINK=rec2
MCPLOG_SOURCE=
MCPLOG_START=$start
MCPLOG_STATUS=$1
MCPLOG_SUMMARY=disk 91% full
EOF
}
assert_eq "firing: every MCPLOG_ variable, exact" "$(vars firing '')" \
    "$(python3 "$C/envq.py" rec2/env.1)"
assert_eq "resolved: every MCPLOG_ variable, exact" "$(vars resolved "$end")" \
    "$(python3 "$C/envq.py" rec2/env.2)"
json() {
    printf '{"key":"disk-full{server=hestai,tool-name=chat,Mixed.Case9=v}","rule":"disk-full","description":"the disk fills up","severity":"warning","status":"%s","labels":{"server":"hestai","tool-name":"chat","Mixed.Case9":"v"},"start":"%s","end":%s,"count":7,"summary":"disk 91%% full","line":"ERROR - no space left","context":"OSError: [Errno 28]","source":"","host":"%s","sent":"%s","replay":false}\n' "$@"
}
json firing "$start" null "$host" "$(jget rec2/stdin.1 sent)" > exp
assert_file_eq "firing: stdin is the alert JSON line, exact" exp rec2/stdin.1
json resolved "$start" "\"$end\"" "$host" "$(jget rec2/stdin.2 sent)" > exp
assert_file_eq "resolved: stdin is the alert JSON line, exact" exp rec2/stdin.2
if [ -n "$end" ] && [ "$end" != null ]; then ok "resolved: end is set"; else bad "resolved: end is set" "got: $end"; fi

# ---------------------------------------------------------------------------
# 3. The environment it starts from: mcplog's without MCPLOG_*, the env
#    option on top (the last of a repeated name wins); clear_env keeps
#    only PATH, HOME and LANG.
assert_status "env: delivered" 0 env MCPLOG_SECRET=leak KEPT=from-mcplog \
    OTHER=inherited "$MCPLOG" sinks test env $CONF --label a-b=first --label a_b=second
python3 "$C/envq.py" env/env.1 MCPLOG_LABEL_A_B > got
assert_eq "env: two labels named alike: the first one's variable" first "$(cat got)"
python3 "$C/envq.py" env/env.1 MCPLOG_LABELS > got
assert_eq "env: two labels named alike: both in MCPLOG_LABELS" \
    '{"a-b":"first","a_b":"second"}' "$(cat got)"
python3 "$C/envq.py" env/env.1 OTHER > got
assert_eq "env: mcplog's environment is inherited" "inherited" "$(cat got)"
python3 "$C/envq.py" env/env.1 KEPT > got
assert_eq "env: the env option overrides it" "from the config" "$(cat got)"
python3 "$C/envq.py" env/env.1 GREETING > got
assert_eq "env: the last of a repeated name wins" "hello again" "$(cat got)"
assert_eq "env: GREETING is there once" 1 \
    "$(tr '\0' '\n' < env/env.1 | grep -c '^GREETING=')"
if python3 "$C/envq.py" env/env.1 MCPLOG_SECRET > /dev/null; then
    bad "env: mcplog's MCPLOG_* variables are not passed on"
else ok "env: mcplog's MCPLOG_* variables are not passed on"; fi
if python3 "$C/envq.py" env/env.1 MCPLOG_DATADIR > /dev/null; then
    bad "env: MCPLOG_DATADIR is not passed on"
else ok "env: MCPLOG_DATADIR is not passed on"; fi
assert_status "clear_env: delivered" 0 env OTHER=inherited "$MCPLOG" sinks test clear $CONF
assert_eq "clear_env: PATH, HOME, LANG, the env option and the alert only" \
    "EXTRA HOME LANG MCPLOG_CONTEXT MCPLOG_COUNT MCPLOG_DESCRIPTION MCPLOG_END MCPLOG_HOST MCPLOG_KEY MCPLOG_LABELS MCPLOG_LINE MCPLOG_RULE MCPLOG_SEVERITY MCPLOG_SINK MCPLOG_SOURCE MCPLOG_START MCPLOG_STATUS MCPLOG_SUMMARY PATH" \
    "$(tr '\0' '\n' < clear/env.1 | sed 's/=.*//' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"
python3 "$C/envq.py" clear/env.1 HOME > got
assert_eq "clear_env: HOME kept" "$T" "$(cat got)"
assert_status "argv[0] looked up in the PATH of the env option" 0 \
    "$MCPLOG" sinks test path $CONF
assert_eq "PATH lookup: the program in \$T/bin ran" "$T/bin/mytool ran" "$(cat bin/ran)"

# ---------------------------------------------------------------------------
# 4. Exit statuses.
assert_status "exit 0: delivered" 0 "$MCPLOG" sinks test ok $CONF
assert_eq "exit 0: outcome" "sink ok: firing: ok" "$(cat out)"
assert_status "exit 3: failed" 1 "$MCPLOG" sinks test x3 $CONF
assert_eq "exit 3: reported with the program and the first stderr line" \
    "sink x3: firing: failed after 1 attempt: python3: exited with 3; stderr: recorder: run 1" \
    "$(cat out)"
assert_eq "exit 3: not retried" 1 "$(cat x3/runs)"
assert_status "exit 75: failed in the end" 1 "$MCPLOG" sinks test x75 $CONF
assert_eq "exit 75: retried (retries: 2 -> 3 attempts), each retry shown" \
    "sink x75: firing: attempt 2/3 in 10ms: python3: exited with 75; stderr: recorder: run 1
sink x75: firing: attempt 3/3 in 20ms: python3: exited with 75; stderr: recorder: run 2
sink x75: firing: failed after 3 attempts: python3: exited with 75; stderr: recorder: run 3" \
    "$(cat out)"
assert_eq "exit 75: the program ran exactly 3 times" 3 "$(cat x75/runs)"
assert_status "retry_on_exit [3]: exit 3 fails in the end" 1 "$MCPLOG" sinks test r3 $CONF
assert_eq "retry_on_exit [3]: exit 3 retried" \
    "sink r3: firing: attempt 2/2 in 10ms: python3: exited with 3; stderr: recorder: run 1
sink r3: firing: failed after 2 attempts: python3: exited with 3; stderr: recorder: run 2" \
    "$(cat out)"
assert_status "retry_on_exit [3]: exit 75 fails" 1 "$MCPLOG" sinks test r75 $CONF
assert_eq "retry_on_exit [3]: exit 75 no longer retried" \
    "sink r75: firing: failed after 1 attempt: python3: exited with 75; stderr: recorder: run 3" \
    "$(cat out)"
assert_status "killed by a signal: failed" 1 "$MCPLOG" sinks test selfkill $CONF
assert_eq "killed by a signal: reported" \
    "sink selfkill: firing: failed after 1 attempt: /bin/sh: killed by signal 9 (SIGKILL)" \
    "$(cat out)"

# ---------------------------------------------------------------------------
# 5. Timeouts. hang.sh waits on a grandchild `sleep 1000`.
# 5a. SIGTERM ends both; no SIGKILL grace waited for (5 s); not retried.
t0=$(ms)
assert_status "timeout: failed" 1 "$MCPLOG" sinks test hang1 $CONF
t1=$(ms)
assert_eq "timeout: reported as terminated, not retried" \
    "sink hang1: firing: failed after 1 attempt: /bin/sh: timed out after 1s, terminated" \
    "$(cat out)"
el=$((t1 - t0))
if [ "$el" -ge 1000 ] && [ "$el" -lt 4000 ]; then ok "timeout: took 1 s to under 4 s"; else bad "timeout: took 1 s to under 4 s" "took $el ms"; fi
if kill -0 "$(cat hang1/child.pid)" 2>/dev/null; then bad "timeout: the child is reaped"; else ok "timeout: the child is reaped"; fi
if wait_gone "$(cat hang1/grandchild.pid)"; then ok "timeout: the grandchild is gone"; else bad "timeout: the grandchild is gone"; fi
# 5b. Both ignore SIGTERM: SIGKILL to the group after kill_grace (1 s).
t0=$(ms)
assert_status "timeout, SIGTERM ignored: failed" 1 "$MCPLOG" sinks test hang2 $CONF
t1=$(ms)
assert_eq "timeout, SIGTERM ignored: reported as killed after the grace" \
    "sink hang2: firing: failed after 1 attempt: /bin/sh: timed out after 1s, killed after a 1s grace" \
    "$(cat out)"
el=$((t1 - t0))
if [ "$el" -ge 2000 ] && [ "$el" -lt 5000 ]; then ok "timeout, SIGTERM ignored: took 2 s to under 5 s"; else bad "timeout, SIGTERM ignored: took 2 s to under 5 s" "took $el ms"; fi
if kill -0 "$(cat hang2/child.pid)" 2>/dev/null; then bad "timeout, SIGTERM ignored: the child is reaped"; else ok "timeout, SIGTERM ignored: the child is reaped"; fi
if wait_gone "$(cat hang2/grandchild.pid)"; then ok "timeout, SIGTERM ignored: the grandchild is gone"; else bad "timeout, SIGTERM ignored: the grandchild is gone"; fi
# 5c. The child goes on SIGTERM but its grandchild ignores it: the group
#     gets SIGKILL as soon as the child is gone, not after the 5 s grace.
t0=$(ms)
assert_status "timeout, grandchild ignores SIGTERM: failed" 1 "$MCPLOG" sinks test hang3 $CONF
t1=$(ms)
assert_eq "timeout, grandchild ignores SIGTERM: reported as terminated" \
    "sink hang3: firing: failed after 1 attempt: /bin/sh: timed out after 1s, terminated" \
    "$(cat out)"
el=$((t1 - t0))
if [ "$el" -ge 1000 ] && [ "$el" -lt 4000 ]; then ok "timeout, grandchild ignores SIGTERM: took 1 s to under 4 s"; else bad "timeout, grandchild ignores SIGTERM: took 1 s to under 4 s" "took $el ms"; fi
if wait_gone "$(cat hang3/grandchild.pid)" 1; then ok "timeout, grandchild ignores SIGTERM: the grandchild is gone at once"; else bad "timeout, grandchild ignores SIGTERM: the grandchild is gone at once"; fi

# ---------------------------------------------------------------------------
# 6. The program exits 0 leaving a grandchild that holds its stdout and
#    stderr: delivered at once (no wait for the pipes, 20 s timeout), and
#    the grandchild is left alone (the group is signalled only on timeout).
t0=$(ms)
assert_status "grandchild left behind: delivered" 0 "$MCPLOG" sinks test leave1 $CONF
t1=$(ms)
el=$((t1 - t0))
if [ "$el" -lt 3000 ]; then ok "grandchild left behind: no wait for its pipes"; else bad "grandchild left behind: no wait for its pipes" "took $el ms"; fi
gc=$(cat leave1/grandchild.pid)
if gone "$gc"; then bad "grandchild left behind: it is not killed on success"; else ok "grandchild left behind: it is not killed on success"; fi
kill -KILL "$gc" 2>/dev/null
# ... even when it writes to stderr without end: mcplog stops reading and
# closes the pipe, so the writer gets SIGPIPE (a default disposition).
t0=$(ms)
assert_status "chatty grandchild: delivered" 0 "$MCPLOG" sinks test leave2 $CONF
t1=$(ms)
el=$((t1 - t0))
if [ "$el" -lt 3000 ]; then ok "chatty grandchild: no wait for its pipes"; else bad "chatty grandchild: no wait for its pipes" "took $el ms"; fi
if wait_gone "$(cat leave2/grandchild.pid)"; then ok "chatty grandchild: ends on SIGPIPE once mcplog closed the pipe"; else bad "chatty grandchild: ends on SIGPIPE once mcplog closed the pipe"; fi

# ---------------------------------------------------------------------------
# 7. Descriptors: only 0 (the alert pipe), 1 (/dev/null) and 2 (the
#    stderr pipe), although mcplog itself was given 7 and 8 without
#    close-on-exec.
: > fd7
assert_status "descriptors: delivered" 0 "$MCPLOG" sinks test fds $CONF 7>>fd7 8<fd7
assert_eq "descriptors: only 0, 1 and 2 reach the program" "0 pipe
1 /dev/null
2 pipe" "$(sed 's/pipe:\[[0-9]*\]/pipe/' fds/fds.1)"

# ---------------------------------------------------------------------------
# 8. Signals: mcplog started with SIGTERM, SIGHUP, SIGINT, SIGUSR1 blocked
#    and SIGUSR2, SIGPIPE ignored (and its thread blocks SIGPIPE while it
#    feeds stdin); the program starts with nothing blocked and nothing
#    ignored.
assert_status "signal state: delivered" 0 python3 -c '
import os, signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGUSR1})
signal.signal(signal.SIGUSR2, signal.SIG_IGN)
signal.signal(signal.SIGPIPE, signal.SIG_IGN)
os.execv(sys.argv[1], sys.argv[1:])' "$MCPLOG" sinks test sigs $CONF
# glibc's posix_spawn leaves its two internal signals (32 and 33, below
# SIGRTMIN, unusable by glibc programs) ignored in the child: masked out.
assert_eq "signal state: nothing blocked, nothing ignored" "SigBlk 0000000000000000
SigIgn 0000000000000000" "$(python3 -c '
import sys
for l in open(sys.argv[1]):
    k, v = l.split()
    v = int(v, 16) & ~((1 << 31) | (1 << 32)) if k == "SigIgn:" else int(v, 16)
    print("%s %016x" % (k[:-1], v))' sigs/sigstate)"

# ---------------------------------------------------------------------------
# 9. A program that never reads stdin, with an alert larger than a pipe
#    holds: delivered, and mcplog is not killed by SIGPIPE. Long values
#    are cut in the environment (32 KiB, at a character boundary), whole
#    on stdin.
LONG=$(python3 -c 'print("a" * 100000)')
assert_status "stdin not read, 100 kB alert: delivered" 0 "$MCPLOG" sinks test ok $CONF --line "$LONG"
assert_eq "stdin not read: outcome" "sink ok: firing: ok" "$(cat out)"
EUROS=$(python3 -c 'print("\u20ac" * 12000)')
assert_status "long values: delivered" 0 "$MCPLOG" sinks test big $CONF --line "$LONG" --summary "$EUROS"
python3 "$C/envq.py" big/env.1 MCPLOG_LINE > got
assert_eq "long values: MCPLOG_LINE cut to 32768 bytes" 32768 "$(wc -c < got | tr -d ' ')"
python3 "$C/envq.py" big/env.1 MCPLOG_SUMMARY > got
assert_eq "long values: MCPLOG_SUMMARY cut at a character boundary" \
    "32766 $(python3 -c 'print("\u20ac" * 10922)')" "$(wc -c < got | tr -d ' ') $(cat got)"
assert_eq "long values: stdin has the whole line" 100000 "$(jget big/stdin.1 line | tr -d '\n' | wc -c | tr -d ' ')"

# ---------------------------------------------------------------------------
# 10. Configuration errors: exit 2, nothing run.
conf_err() {
    cat > bad.yaml <<EOF
sinks:
  b:
    type: command
$1
EOF
    assert_status "config error ($2): exit 2" 2 "$MCPLOG" sinks test b --config "$T/bad.yaml"
    assert_contains "config error ($2): message" err "$3"
}
conf_err "    argv: [no-such-program-mcplog]" "unknown program" \
    "sink 'b': argv[0] 'no-such-program-mcplog': no executable file of that name in PATH"
conf_err "    argv: [$T/nothing/here]" "missing path" \
    "sink 'b': argv[0] '$T/nothing/here': not an executable file"
conf_err "    argv: []" "empty argv" "sink 'b': argv must name a program"
conf_err "    argv: [true]
    env: [NOEQUALS]" "env without =" "sink 'b': env: 'NOEQUALS' is not NAME=value"
conf_err "    argv: [true]
    env: [MCPLOG_RULE=forged]" "reserved env name" \
    "sink 'b': env: 'MCPLOG_RULE': MCPLOG_* names are reserved for the alert"
conf_err "    argv: [true]
    retry_on_exit: [abc]" "bad exit status" \
    "sink 'b': retry_on_exit: 'abc' is not an exit status from 1 to 255"
conf_err "    argv: [true]
    timeout: 0s" "zero timeout" "sink 'b': timeout must be more than 0"

# ---------------------------------------------------------------------------
# 11. From `follow`, whose main thread blocks SIGINT, SIGTERM and SIGHUP
#     for its signalfd and holds epoll, inotify and timer descriptors: an
#     alert runs the program with nothing but 0, 1, 2 and a clean signal
#     state, and the alert in its environment.
mkdir logs frec fsig
: > logs/mcp_server.log
cat > r.yaml <<'EOF2'
rules:
  - name: boom
    match: 'boom (?<what>.*)$'
    group_by: [what]
    severity: critical
EOF2
cat > f.yaml <<EOF2
sinks:
  frec:
    type: command
    argv: [python3, "$C/record.py", "$T/frec"]
  fsig:
    type: command
    argv: [/bin/sh, "$C/sigstate.sh", "$T/fsig"]
routes:
  - sinks: [frec, fsig]
EOF2
: > fd7
echo "$(ts 0) - root - ERROR - boom \$(touch $T/X)" >> logs/mcp_server.log
echo "$(ts 1) - root - ERROR - boom disk" >> logs/mcp_server.log
"$MCPLOG" follow --json --no-default-rules --rules r.yaml --config f.yaml \
    --from-start --no-state logs > follow.out 2> follow.err 7>>fd7 8<fd7 &
FPID=$!
if wait_for frec/runs 2 10 && wait_for fsig/sigstate SigIgn 10; then ok "follow: the program ran for each alert"; else bad "follow: the program ran for each alert" "$(cat follow.err)"; fi
kill -TERM "$FPID"
wait "$FPID"
assert_eq "follow: stopped cleanly on SIGTERM" 0 "$?"
python3 "$C/envq.py" frec/env.1 MCPLOG_LABEL_WHAT > got
assert_eq "follow: the first alert's label" "\$(touch $T/X)" "$(cat got)"
python3 "$C/envq.py" frec/env.2 MCPLOG_LABEL_WHAT > got
assert_eq "follow: the second alert's label" disk "$(cat got)"
python3 "$C/envq.py" frec/env.1 MCPLOG_LINE > got
printf '%s - root - ERROR - boom $(touch %s/X)' "$(ts 0)" "$T" > exp
assert_file_eq "follow: MCPLOG_LINE is the log line" exp got
if [ -e "$T/X" ]; then bad "follow: X was never created"; else ok "follow: X was never created"; fi
assert_eq "follow: only 0, 1 and 2 reach the program" "0 pipe
1 /dev/null
2 pipe" "$(sed 's/pipe:\[[0-9]*\]/pipe/' frec/fds.1)"
assert_eq "follow: nothing blocked, nothing ignored" "SigBlk 0000000000000000
SigIgn 0000000000000000" "$(python3 -c '
import sys
for l in open(sys.argv[1]):
    k, v = l.split()
    v = int(v, 16) & ~((1 << 31) | (1 << 32)) if k == "SigIgn:" else int(v, 16)
    print("%s %016x" % (k[:-1], v))' fsig/sigstate)"
