# The terminal view of `mcplog follow`, as a real terminal shows it: mcplog
# runs in a detached tmux pane of fixed size (160 x 15) on a private tmux
# server; log lines carrying terminal escapes are appended (RELIABILITY.md
# 80-81) and the pane is captured. Every row of the screen is asserted:
# the escapes are shown literally (\x1b[2J ...), nothing cleared the screen,
# set the pane title, made a link or filled the clipboard, the alert line
# is in reverse video and the status line is on the bottom row. A control
# pane that prints the same escapes raw shows that this tmux would obey
# them, so the negative checks mean something.
HOME=$T
unset XDG_CONFIG_HOME TMUX
SOCK=mcplog-test-$$
tm() { tmux -L "$SOCK" -f /dev/null "$@"; }
# Only this test's server is ever killed; tmux 3.3 leaves its socket file.
# Killing it sends SIGHUP, which mcplog takes as "reload": each mcplog this
# test started in a pane (MPIDS) is stopped by its PID first, if that PID
# is still that mcplog.
SOCKPATH=
MPIDS=
stop_tmux() {
    for _p in $MPIDS; do
        [ "$(readlink "/proc/$_p/exe" 2>/dev/null)" = "$(readlink -f "$MCPLOG")" ] &&
            kill -TERM "$_p" 2>/dev/null
    done
    tmux -L "$SOCK" kill-server 2>/dev/null
    [ -n "$SOCKPATH" ] && rm -f "$SOCKPATH"
}
trap stop_tmux EXIT

cat >rules.yaml <<'Y'
rules:
  - name: hostile
    match: ' - EVIL '
    threshold: {count: 1, window: 1m}
    severity: warning
    summary: '{count} hostile lines in {window}'
Y
mkdir logs && : >logs/mcp_server.log

# cap [-e]: the visible screen of the mcplog pane (no history); P names
# another session's pane.
cap() { tm capture-pane -p -t "${P:-t}" "$@"; }
# wait_pane STRING...: poll (every 50 ms, 10 s at most) until the screen
# holds every string. Returns 1 on timeout.
wait_pane() {
    _w=0
    while [ "$_w" -lt 200 ]; do
        cap >pane.txt 2>/dev/null
        _all=1
        for _s in "$@"; do grep -qF -- "$_s" pane.txt || _all=0; done
        [ "$_all" = 1 ] && return 0
        sleep 0.05
        _w=$((_w + 1))
    done
    return 1
}
# exit_status PID: how mcplog ended, once it has: "status N" or "signal N"
# (empty while it runs). tmux records it when it reaps the child
# (#{pane_dead_status}); on some machines (seen in a Firecracker VM, tmux
# 3.3a) the server misses SIGCHLD and the child stays a zombie, whose
# waitpid status is then field 52 of /proc/PID/stat.
exit_status() {
    _s=$(tm display -p -t t '#{pane_dead_status}' 2>/dev/null)
    if [ -n "$_s" ]; then
        echo "status $_s"
        return
    fi
    python3 - "$1" <<'PY' 2>/dev/null
import sys
try:
    st = open("/proc/%s/stat" % sys.argv[1]).read()
except OSError:
    sys.exit()
f = st[st.rindex(")") + 2:].split()
if f[0] == "Z":
    w = int(f[49])
    print("status %d" % (w >> 8) if w & 0x7f == 0 else "signal %d" % (w & 0x7f))
PY
}
# wait_exit PID: poll until exit_status says something; print it.
wait_exit() {
    _w=0
    while [ "$_w" -lt 200 ]; do
        _e=$(exit_status "$1")
        [ -n "$_e" ] && break
        sleep 0.05
        _w=$((_w + 1))
    done
    echo "$_e"
}

# mcplog is the pane's command itself (argv form: no shell), so pane_pid
# is mcplog. remain-on-exit keeps its exit status; set-clipboard on lets
# an OSC 52 from the pane create a tmux buffer; pipe-pane keeps the raw
# bytes mcplog writes.
tm new-session -d -s t -x 160 -y 15 \
    env TERM=xterm-256color "$MCPLOG" follow --no-default-rules \
    --rules rules.yaml --no-state --color always logs \; \
    set -g remain-on-exit on \; set -g set-clipboard on \; \
    pipe-pane -o -t t "cat >>'$T/raw.out'"
SOCKPATH=$(tm display -p -t t '#{socket_path}')

# Ready: the first status line is drawn once a second, after the files
# were opened (follow starts at their end, so earlier lines would be
# skipped).
wait_pane 'mcplog  0 firing | no matches yet'
assert_eq "started: status line drawn" 0 $?
PID=$(tm display -p -t t '#{pane_pid}')
MPIDS="$MPIDS $PID"
assert_eq "the pane's process is mcplog" mcplog "$(cat "/proc/$PID/comm" 2>&1)"
TITLE0=$(tm display -p -t t '#{pane_title}')

ESC=$(printf '\033')
BEL=$(printf '\007')
line() { printf '%s - root - INFO - EVIL %s\n' "$(ts "$1")" "$2"; }
{
    line 1 'normal line before the attacks'
    line 2 "clear ${ESC}[2J screen"
    line 3 "title ${ESC}]0;PWNED${BEL} set"
    line 4 "link ${ESC}]8;;http://evil${BEL}click${ESC}]8;;${BEL} here"
    line 5 "clip ${ESC}]52;c;cHduZWQ=${BEL} copied"
    line 6 "csi8 $(printf '\233')2J c1 $(printf '\302\233')2J"
    line 7 "cr hidden$(printf '\r')overwritten"
    line 8 "bs abc$(printf '\b\b\b')xyz"
    line 9 "rlo $(printf '\342\200\256')gnp.exe"
    line 10 "osc unterminated ${ESC}]0;PWNED2"
    line 11 'normal line after the attacks'
} >batch.log
cat batch.log >>logs/mcp_server.log

wait_pane 'EVIL normal line after the attacks' 'mcplog  1 firing | hostile 11 ('
assert_eq "the lines and the new status line arrived" 0 $?

# Every row of the screen. The status line's rate depends on timing: it
# is compared as (R/min).
cap | sed '$ s/ ([0-9.]*\/min)$/ (R\/min)/' >screen.txt
cat >screen.want <<'W'
-- logs/mcp_activity.log does not exist yet, waiting for it
-- 2025-12-10 --
14:00:01.000  -         hostile  2025-12-10 14:00:01,000 - root - INFO - EVIL normal line before the attacks
14:00:02.000  warning   hostile  2025-12-10 14:00:02,000 - root - INFO - EVIL clear \x1b[2J screen
14:00:02.000  ▲ ALERT warning hostile count=2: 2 hostile lines in 1m
14:00:03.000  warning   hostile  2025-12-10 14:00:03,000 - root - INFO - EVIL title \x1b]0;PWNED\x07 set
14:00:04.000  warning   hostile  2025-12-10 14:00:04,000 - root - INFO - EVIL link \x1b]8;;http://evil\x07click\x1b]8;;\x07 here
14:00:05.000  warning   hostile  2025-12-10 14:00:05,000 - root - INFO - EVIL clip \x1b]52;c;cHduZWQ=\x07 copied
14:00:06.000  warning   hostile  2025-12-10 14:00:06,000 - root - INFO - EVIL csi8 \x9b2J c1 \u{009b}2J
14:00:07.000  warning   hostile  2025-12-10 14:00:07,000 - root - INFO - EVIL cr hidden\x0doverwritten
14:00:08.000  warning   hostile  2025-12-10 14:00:08,000 - root - INFO - EVIL bs abc\x08\x08\x08xyz
14:00:09.000  warning   hostile  2025-12-10 14:00:09,000 - root - INFO - EVIL rlo \u{202e}gnp.exe
14:00:10.000  warning   hostile  2025-12-10 14:00:10,000 - root - INFO - EVIL osc unterminated \x1b]0;PWNED2
14:00:11.000  warning   hostile  2025-12-10 14:00:11,000 - root - INFO - EVIL normal line after the attacks
mcplog  1 firing | hostile 11 (R/min)
W
assert_file_eq "every row of the screen, escapes shown literally" \
    screen.want screen.txt
assert_eq "the screen was not cleared: the first row is still the notice" \
    '-- logs/mcp_activity.log does not exist yet, waiting for it' \
    "$(head -n 1 screen.txt)"
assert_eq "the status line is the bottom row (15 of 15), the cursor on it" \
    "15 14" "$(wc -l <screen.txt | tr -d ' ') $(tm display -p -t t '#{cursor_y}')"
assert_eq "the pane title did not change (no PWNED)" "$TITLE0" \
    "$(tm display -p -t t '#{pane_title}')"
assert_eq "no clipboard buffer was set" "" "$(tm list-buffers)"

# With attributes. tmux writes one SGR per attribute change; consecutive
# SGRs are merged (ESC[1;7m ESC[33m -> ESC[1;7;33m) to compare.
cap -e | sed -e ':a' -e 's/\x1b\[\([0-9;]*\)m\x1b\[\([0-9;]*\)m/\x1b[\1;\2m/' -e 'ta' >attr.txt
assert_eq "the alert segment is bold reverse yellow, then reset" \
    "${ESC}[1;7;33m▲ ALERT warning${ESC}[0;39;49m ${ESC}[1mhostile${ESC}[0;39;49m count=2: 2 hostile lines in 1m" \
    "$(sed -n 5p attr.txt | cut -c 15-)"
assert_eq "the status line is in reverse video" \
    "${ESC}[7mmcplog  1 firing | hostile 11 (" \
    "$(sed -n 15p attr.txt | cut -d '(' -f 1)("
assert_eq "with attributes: no escape but SGR (no link, no OSC)" "" \
    "$(sed 's/\x1b\[[0-9;]*m//g' attr.txt | tr -d '\n' | LC_ALL=C tr -d ' -~\200-\377')"

# The raw bytes mcplog wrote (pipe-pane): valid UTF-8; ESC only in its own
# SGR and erase-line sequences, CR only in \r\n (the tty's ONLCR) and
# \r ESC[K; no other C0, no DEL, no C1, no bidi override.
wait_for raw.out 'EVIL normal line after the attacks'
assert_eq "raw output: the last line went through the pipe" 0 $?
assert_eq "raw output: nothing from the log reaches the terminal" "clean" \
    "$(python3 -c '
import re, sys
b = open(sys.argv[1], "rb").read()
b = re.sub(rb"\x1b\[[0-9;]*m|\r\x1b\[K|\r\n", b"", b)
try:
    s = b.decode("utf-8")
except UnicodeDecodeError as e:
    print("invalid UTF-8:", e); sys.exit()
bad = sorted({"U+%04X" % ord(c) for c in s
              if (ord(c) < 0x20 and c not in "\n\t") or 0x7f <= ord(c) <= 0x9f
              or c == "\u202e"})
print(" ".join(bad) or "clean")
' raw.out 2>&1)"

# SIGTERM: mcplog exits 0.
kill -TERM "$PID"
assert_eq "SIGTERM: mcplog exits 0" "status 0" "$(wait_exit "$PID")"

# The calm view (issue 13 item 1): the shipped rules on a healthy
# server. A startup and a tool call are one line each, dim and neutral
# ("-": they feed no alert), with every rule that matched them; an error
# with a traceback is coloured, shows the traceback's last line, and its
# burst is one alert (the later errors feed it, within update_interval:
# no more alert lines); the free-text message capture is not repeated.
rm -rf calm && mkdir calm && : >calm/mcp_server.log && : >calm/mcp_activity.log
tm new-session -d -s c -x 200 -y 14 \
    env TERM=xterm-256color MCPLOG_DATADIR="$ROOT" "$MCPLOG" follow \
    --no-state --color always calm \; pipe-pane -o -t c "cat >>'$T/calm.raw'"
P=c
CPID=$(tm display -p -t c '#{pane_pid}')
MPIDS="$MPIDS $CPID"
wait_pane 'mcplog  0 firing | no matches yet'
S() { printf '%s - %s\n' "$(ts "$1")" "$2" >>calm/mcp_server.log; }
S 0 'root - INFO - Process PID: 4242'
S 1 '__main__ - INFO - Server ready - waiting for tool requests...'
wait_pane 'Process PID: 4242'
printf '%s - TOOL_CALL: chat with 3 arguments\n' "$(ts 2)" >>calm/mcp_activity.log
wait_pane 'TOOL_CALL: chat'
# One write per record, as Python's logging writes one (with its
# traceback).
printf '%s - tools.x - ERROR - boom one\nTraceback (most recent call last):\n  File "x.py", line 1, in <module>\nValueError: bad input\n%s - tools.x - ERROR - boom two\n%s - tools.x - ERROR - boom three\n' \
    "$(ts 3)" "$(ts 4)" "$(ts 5)" >>calm/mcp_server.log
wait_pane 'boom three' 'errors 3 ('
assert_eq "calm view: the lines arrived" 0 $?
cap | sed 's/ ([0-9.]*\/min)/ (R\/min)/g; /^$/d' >calm.txt
cat >calm.want <<'W'
-- 2025-12-10 --
14:00:00.000  -         startup-not-ready,restarts{pid=4242}  2025-12-10 14:00:00,000 - root - INFO - Process PID: 4242
14:00:02.000  -         tool-calls,tool-call-rate{tool=chat,args=3}  2025-12-10 14:00:02,000 - TOOL_CALL: chat with 3 arguments
14:00:03.000  warning   errors{logger=tools.x,level=ERROR}  2025-12-10 14:00:03,000 - tools.x - ERROR - boom one
              traceback ends: ValueError: bad input
14:00:03.000  ▲ ALERT warning errors{logger=tools.x} count=1: ERROR from tools.x: boom one
14:00:04.000  warning   errors{logger=tools.x,level=ERROR}  2025-12-10 14:00:04,000 - tools.x - ERROR - boom two
14:00:05.000  warning   errors{logger=tools.x,level=ERROR}  2025-12-10 14:00:05,000 - tools.x - ERROR - boom three
mcplog  1 firing | errors 3 (R/min)  startup-not-ready 1 (R/min)  restarts 1 (R/min)  tool-calls 1 (R/min)  tool-call-rate 1 (R/min)
W
assert_file_eq "calm view: every row" calm.want calm.txt
# The bytes written (pipe-pane): the quiet lines dim as a whole, the
# error's SEV yellow and its rule bold.
wait_for calm.raw 'boom three'
assert_eq "calm view: the startup line is dim as a whole, no colour" 1 \
    "$(grep -cF "${ESC}[2m14:00:00.000  -         startup-not-ready,restarts{pid=4242}  2025-12-10 14:00:00,000 - root - INFO - Process PID: 4242${ESC}[0m" calm.raw)"
assert_eq "calm view: the tool call line too" 1 \
    "$(grep -cF "${ESC}[2m14:00:02.000  -         tool-calls,tool-call-rate{tool=chat,args=3}  2025-12-10 14:00:02,000 - TOOL_CALL: chat with 3 arguments${ESC}[0m" calm.raw)"
assert_eq "calm view: the error line's SEV in yellow, its rule bold" 1 \
    "$(grep -cF "14:00:03.000  ${ESC}[33mwarning${ESC}[0m   ${ESC}[1merrors${ESC}[0m{logger=tools.x,level=ERROR}  2025-12-10 14:00:03,000 - tools.x - ERROR - boom one" calm.raw)"

# A failed SIGHUP reload (issue 13 item 9): its error is a notice on a
# row of its own above the status line, which stays whole on the bottom
# row (it was written onto the status line's row).
printf 'rules:\n  - name: broken\n    match: "("\n' >bad.yaml
kill -TERM "$CPID"
assert_eq "calm view: SIGTERM, mcplog exits 0 (it was left running)" \
    "status 0" "$(wait_exit "$CPID")"
tm kill-session -t c
rm -rf narrow && mkdir narrow && : >narrow/mcp_server.log && : >narrow/mcp_activity.log
cp rules.yaml live.yaml
tm new-session -d -s n -x 60 -y 6 \
    env TERM=xterm-256color "$MCPLOG" follow --no-default-rules \
    --rules live.yaml --no-state --color never narrow
P=n
wait_pane 'mcplog  0 firing | no matches yet'
NPID=$(tm display -p -t n '#{pane_pid}')
MPIDS="$MPIDS $NPID"
line 1 'one' >>narrow/mcp_server.log
wait_pane 'EVIL one'
cp bad.yaml live.yaml
kill -HUP "$NPID"
wait_pane 'arenthesis' 'mcplog  0 firing | hostile 1 ('
cap | sed 's/ ([0-9.]*\/min)/ (R\/min)/g' >hup.txt
assert_eq "bad reload: the notice on its row, the status line whole below" \
    "-- reload failed, the rules in force stay: live.yaml:3:14: r
ule 'broken': pattern error at offset 1: missing closing par
enthesis
mcplog  0 firing | hostile 1 (R/min)" \
    "$(sed -n 3,6p hup.txt | sed 's/ *$//')"

# Ctrl-C at full width (issue 13 item 9): the status line is cut three
# columns short of the width, so the ^C the terminal echoes after it does
# not wrap, and the erase at exit takes it all: no status line is left.
line 2 'two with a much longer text' >>narrow/mcp_server.log
cat >wide.yaml <<'Y'
rules:
  - name: hostile
    match: ' - EVIL '
    threshold: {count: 1, window: 1m}
    severity: warning
  - name: a-rule-with-a-long-name-to-fill-the-line
    match: ' - EVIL '
Y
cp wide.yaml live.yaml
kill -HUP "$NPID"
wait_pane 'rules reloaded'
line 3 'three' >>narrow/mcp_server.log
wait_pane 'EVIL three' '…'
cap >full.txt
assert_eq "full width: the status line cut to 57 of 60 columns, ending in …" \
    "57 mcplog  1 firing | hostile 3 (" \
    "$(tail -n 1 full.txt | python3 -c '
import sys
r = sys.stdin.read().rstrip("\n")
print(len(r), r[:r.index("(") + 1] if r.endswith("\u2026") else r)')"
tm send-keys -t n C-c
assert_eq "Ctrl-C: mcplog exits 0" "status 0" "$(wait_exit "$NPID")"
cap >after.txt
assert_eq "Ctrl-C: no status line left on the screen" 0 \
    "$(grep -c 'mcplog  1 firing' after.txt)"

# Control: the same escapes written raw do reach this tmux.
tm new-session -d -s ctl -x 80 -y 5 sh -c \
    'printf "\033]0;PWNED\007\033]52;c;Y3Rs\007ready\n"; exec sleep 60'
_w=0
while [ "$_w" -lt 200 ] && ! tm capture-pane -p -t ctl | grep -q ready; do
    sleep 0.05
    _w=$((_w + 1))
done
assert_eq "control: a raw OSC 0 sets the title here" PWNED \
    "$(tm display -p -t ctl '#{pane_title}')"
assert_eq "control: a raw OSC 52 sets a buffer here" "ctl" "$(tm show-buffer)"

stop_tmux
trap - EXIT
