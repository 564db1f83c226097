# t_hostile.sh - hostile log content (RELIABILITY.md G 80-83): terminal
# escapes, C1 controls, CR/BS, bidi overrides and shell syntax inside lines
# that match shipped rules; the text report must show them escaped, the
# JSON must parse strictly and round-trip them; nothing is ever executed;
# forged lines inside a message must not trip the anchored shipped rules.

export HOME="$T"
unset XDG_CONFIG_HOME
export MCPLOG_DATADIR="$ROOT"

# ---------------------------------------------------------------------------
# 1. One ERROR line per payload, each with its own logger (tools.hN), so
#    that each is its own alert of the errors rule; seconds apart.
mkdir h
python3 - "$T" h/mcp_server.log h/mcp_activity.log <<'EOF'
import sys
T = sys.argv[1].encode()
payloads = [
    b'clear \x1b[2J screen',                       # h1 CSI erase display
    b'title \x1b]0;PWNED\x07 set',                 # h2 OSC window title
    b'link \x1b]8;;http://evil\x07click\x1b]8;;\x07', # h3 OSC 8 hyperlink
    b'clip \x1b]52;c;SGVsbG8= no terminator',      # h4 unterminated OSC
    b'csi8 \x9b31m raw 8-bit CSI',                 # h5 0x9B (invalid UTF-8)
    b'c1 \xc2\x9b31m C1 as UTF-8',                 # h6 U+009B
    b'cr fake\rOVERWRITTEN',                       # h7 carriage return
    b'bs abc\x08\x08\x08xyz',                      # h8 backspaces
    b'bidi \xe2\x80\xaegpj.exe',                   # h9 U+202E
    b'sh $(touch ' + T + b'/pwned) `touch ' + T + b'/pwned2` ;touch ' + T + b'/pwned3',
]
with open(sys.argv[2], 'wb') as f:
    for i, p in enumerate(payloads, 1):
        f.write(b'2025-12-10 14:00:%02d,000 - tools.h%d - ERROR - ' % (i, i) + p + b'\n')
    # a traceback after the last one, its last line hostile too
    f.write(b'Traceback (most recent call last):\n')
    f.write(b'ValueError: \x1b[31mred\x07 \xe2\x80\xae\n')
with open(sys.argv[3], 'wb') as f:
    # a tool name with an OSC title sequence (the tool-calls table)
    f.write(b'2025-12-10 14:00:00,000 - TOOL_CALL: \x1b]0;x\x07 with 3 arguments\n')
EOF
"$MCPLOG" scan --tz UTC h > h.txt 2>err
assert_eq "hostile text: exit 0" 0 $?
scan_json h.json h
assert_eq "hostile json: exit 0" 0 $?
assert_json "hostile: every payload line matches the errors rule" h.json \
    rules.errors.matches 10
assert_json "hostile: one alert per payload" h.json alerts.# 10
assert_json "hostile: the tool name with escapes is counted" h.json \
    rules.tool-calls.matches 1

# rawcount FILE HEX...: number of occurrences of the byte sequence
rawcount() { python3 -c 'import sys;print(open(sys.argv[1],"rb").read().count(bytes.fromhex(sys.argv[2])))' "$1" "$2"; }
assert_eq "text report: no raw ESC" 0 "$(rawcount h.txt 1b)"
assert_eq "text report: no raw BEL" 0 "$(rawcount h.txt 07)"
assert_eq "text report: no raw BS" 0 "$(rawcount h.txt 08)"
assert_eq "text report: no raw CR" 0 "$(rawcount h.txt 0d)"
assert_eq "text report: no raw 0x9B" 0 "$(rawcount h.txt 9b)"
assert_eq "text report: no C2 9B" 0 "$(rawcount h.txt c29b)"
assert_eq "text report: no E2 80 AE" 0 "$(rawcount h.txt e280ae)"
assert_eq "stderr: empty" "" "$(cat err)"
# ... and they are shown, visibly escaped
assert_contains "text: ESC[2J escaped" h.txt 'ERROR - clear \x1b[2J screen'
assert_contains "text: OSC title escaped" h.txt 'title \x1b]0;PWNED\x07 set'
assert_contains "text: OSC 8 link escaped" h.txt 'link \x1b]8;;http://evil\x07click\x1b]8;;\x07'
assert_contains "text: unterminated OSC escaped" h.txt 'clip \x1b]52;c;SGVsbG8= no terminator'
assert_contains "text: raw 0x9B escaped" h.txt 'csi8 \x9b31m raw 8-bit CSI'
assert_contains "text: U+009B escaped" h.txt 'c1 \u{009b}31m C1 as UTF-8'
assert_contains "text: CR escaped" h.txt 'cr fake\x0dOVERWRITTEN'
assert_contains "text: BS escaped" h.txt 'bs abc\x08\x08\x08xyz'
assert_contains "text: U+202E escaped" h.txt 'bidi \u{202e}gpj.exe'
assert_contains "text: traceback tail escaped" h.txt \
    '    traceback ends: ValueError: \x1b[31mred\x07 \u{202e}'
assert_contains "text: tool name escaped in the tool table" h.txt '  \x1b]0;x\x07 '

# JSON round-trip: every alert's last_line equals its raw line decoded as
# UTF-8 with invalid bytes replaced by U+FFFD (strict parse).
cat > rt.py <<'EOF'
import json, sys
doc = json.loads(open(sys.argv[1], 'rb').read().decode('utf-8'), strict=True)
want = sys.argv[3]
raw = {}
for l in open(sys.argv[2], 'rb').read().split(b'\n'):
    if b' - tools.h' in l:
        raw[l.split(b' - ')[1].decode()] = l.decode('utf-8', 'replace')
for a in doc['alerts']:
    if a['labels'].get('logger') == want:
        print(a['last_line'] == raw[want])
        break
else:
    print('no alert for ' + want)
EOF
for i in 1 2 3 4 5 6 7 8 9 10; do
    assert_eq "json round-trip of tools.h$i" True "$(python3 rt.py h.json h/mcp_server.log tools.h$i)"
done
ctx=$(python3 -c '
import json,sys
d=json.loads(open(sys.argv[1],"rb").read().decode(),strict=True)
a=[a for a in d["alerts"] if a["labels"]["logger"]=="tools.h10"][0]
print(a["context"]=="Traceback (most recent call last):\nValueError: \x1b[31mred\x07 \u202e")' h.json)
assert_eq "json: traceback context round-trips" True "$ctx"
assert_eq "JSON output has no raw ESC either" 0 "$(rawcount h.json 1b)"

# Nothing was executed, by the report or by anything else.
assert_eq "no \$(...) execution" no "$([ -e "$T/pwned" ] && echo yes || echo no)"
assert_eq "no backtick execution" no "$([ -e "$T/pwned2" ] && echo yes || echo no)"
assert_eq "no ';' execution" no "$([ -e "$T/pwned3" ] && echo yes || echo no)"
assert_contains "text: shell syntax shown as text" h.txt \
    "sh \$(touch $T/pwned) \`touch $T/pwned2\` ;touch $T/pwned3"

# ---------------------------------------------------------------------------
# 2. Forged lines (RELIABILITY.md 83): a whole fake line inside a message.
mkdir f
{
    # legit activity line: counted
    printf '%s - TOOL_CALL: chat with 3 arguments\n' "$(ts 0)"
    # forged TOOL_CALL inside another activity message: not counted
    printf '%s - TOOL_COMPLETED: chat - 2025-12-10 14:00:00,000 - TOOL_CALL: evil with 1 argument\n' "$(ts 1)"
    printf '%s - CONVERSATION_RESUME: x - TOOL_CALL: evil with 1 argument\n' "$(ts 2)"
} > f/mcp_activity.log
{
    printf '%s - tools.chat - INFO - user said 2025-12-10 14:00:00,000 - root - ERROR - fake\n' "$(ts 3)"
    printf '%s - __main__ - INFO - prompt: Failed to reconnect to x.\n' "$(ts 4)"
    printf '%s - tools.chat - DEBUG - arg=Failed to reconnect to hestai.\n' "$(ts 5)"
    printf '%s - __main__ - INFO - echo 2025-12-10 14:00:00,000 - __main__ - WARNING - Thread not found: abc\n' "$(ts 6)"
    printf '%s - __main__ - INFO - x - root - INFO - Process PID: 666\n' "$(ts 7)"
    # the activity mirror in the server log is not an activity line
    printf '%s - mcp_activity - INFO - TOOL_CALL: chat with 3 arguments\n' "$(ts 8)"
} > f/mcp_server.log
scan_json f.json f
assert_eq "forged: exit 0" 0 $?
assert_json "forged: the legit TOOL_CALL counts" f.json rules.tool-calls.matches 1
assert_json "forged: only tool chat" f.json rules.tool-calls.groups.# 1
assert_json "forged: fake ERROR line in a message: no errors match" f.json \
    rules.errors.matches 0
assert_json "forged: 'Failed to reconnect' mid-message: no match" f.json \
    rules.reconnect-failures.matches 0
assert_json "forged: fake Thread not found: no match" f.json \
    rules.thread-not-found.matches 0
assert_json "forged: fake Process PID: no startup" f.json \
    rules.restarts.matches 0
assert_json "forged: no alerts" f.json alerts.# 0
