# t_cut.sh - long lines in the text views (issue 10, item 8): a 1 MiB
# line's captures, labels and summary are cut at 2048 bytes like the line
# itself (mcplog(1), "Text fields"), in follow's terminal view, the scan
# text report and test-rules; escaping makes a cut field at most
# 4 * 2048 + 3 bytes. Sizes are exact: the input is fixed.
export HOME="$T"
unset XDG_CONFIG_HOME
export MCPLOG_DATADIR="$ROOT"

# Two ERROR lines of exactly 1 MiB (1048576 bytes before the newline):
# tools.x with "x" bytes, tools.y with ESC bytes (each escaped to \x1b).
mkdir big
python3 - big/mcp_server.log <<'EOF'
import sys
with open(sys.argv[1], 'wb') as f:
    for logger, fill in ((b'tools.x', b'x'), (b'tools.y', b'\x1b')):
        head = b'2025-12-10 14:00:00,000 - ' + logger + b' - ERROR - '
        f.write(head + fill * (1048576 - len(head)) + b'\n')
EOF

# longest FILE: the length in bytes of FILE's longest line
longest() { python3 -c 'import sys;print(max(len(l) for l in open(sys.argv[1],"rb").read().split(b"\n")))' "$1"; }
# Per line at most: 200 bytes of fixed text, the line, and four cut
# fields (three captures or a label and a summary), each 4 * 2048 + 3.
BOUND=$((200 + 5 * (4 * 2048 + 3)))

"$MCPLOG" scan --tz UTC big >s.txt 2>err
assert_eq "scan: exit 0" 0 $?
assert_eq "scan: text report size" 21260 "$(wc -c <s.txt)"
assert_eq "scan: longest line within the bound" yes \
    "$([ "$(longest s.txt)" -le $BOUND ] && echo yes || echo no)"
assert_contains "scan: the x summary cut with …" s.txt \
    "ERROR from tools.x: $(printf '%*s' 2028 '' | tr ' ' x)…"

"$MCPLOG" follow --tz UTC --from-start --no-state big >f.out 2>f.err &
PID=$!
wait_for f.out "ALERT warning errors{logger=tools.y}" 10
kill -TERM "$PID"
wait "$PID"
assert_eq "follow: exit 0" 0 $?
assert_eq "follow: text view size" 20569 "$(wc -c <f.out)"
assert_eq "follow: longest line within the bound" yes \
    "$([ "$(longest f.out)" -le $BOUND ] && echo yes || echo no)"
assert_contains "follow: the alert's summary cut with …" f.out \
    "count=1: ERROR from tools.x: $(printf '%*s' 2028 '' | tr ' ' x)…"
assert_not_contains "follow: the message capture, free text, is not repeated" \
    f.out "message="

cp "$ROOT/rules/default.yaml" r.yaml
"$MCPLOG" test-rules --no-default-rules --rules r.yaml big/mcp_server.log \
    >t.out 2>err
assert_eq "test-rules: exit 0" 0 $?
assert_eq "test-rules: output size" 23199 "$(wc -c <t.out)"
assert_contains "test-rules: the line cut with …" t.out \
    "line 1 [2025-12-10 14:00:00,000]: 2025-12-10 14:00:00,000 - tools.x - ERROR - $(printf '%*s' 2004 '' | tr ' ' x)…"
assert_eq "test-rules: longest line within the bound" yes \
    "$([ "$(longest t.out)" -le $BOUND ] && echo yes || echo no)"
