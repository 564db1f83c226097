# t_lines.sh - bad input inside lines (RELIABILITY.md D 47-51): NUL bytes,
# invalid UTF-8, CRLF, a missing final newline, 10 MB lines and --max-line.
# Lines are length-delimited (never C strings), split only on '\n'; a '\r'
# before the '\n' is not part of the line a rule sees.

export HOME="$T"
unset XDG_CONFIG_HOME
export MCPLOG_DATADIR="$ROOT"

T0="2025-12-10 14:00:00,000"
TC="$T0 - TOOL_CALL: chat with 3 arguments"

# ---------------------------------------------------------------------------
# 1. NUL and invalid UTF-8 inside lines that match the errors rule. Each
#    line has its own logger, so each is its own alert (the errors rule
#    groups by logger); the JSON must parse strictly and hold the line with
#    invalid bytes as U+FFFD (one per invalid byte) and NUL as \u0000.
mkdir bad
printf '%s - tools.nul - ERROR - a\000b\000\n' "$T0" > bad/mcp_server.log
printf '%s - tools.ff - ERROR - x\377y\n' "$(ts 1)" >> bad/mcp_server.log
printf '%s - tools.sur - ERROR - s\355\240\200s\n' "$(ts 2)" >> bad/mcp_server.log
printf '%s - tools.c3 - ERROR - end\303\n' "$(ts 3)" >> bad/mcp_server.log
# and a tool name with a NUL in the activity log
printf '%s - TOOL_CALL: ch\000at with 2 arguments\n' "$T0" > bad/mcp_activity.log
scan_json bad.json bad
assert_eq "NUL/UTF-8: exit 0" 0 $?
assert_json "NUL/UTF-8: server lines" bad.json inputs.1.lines 4
assert_json "NUL/UTF-8: all 4 ERROR lines match" bad.json rules.errors.matches 4
assert_json "NUL/UTF-8: 4 alerts" bad.json alerts.# 4
# jget prints raw strings; compare through Python to see NULs exactly
nulok=$(python3 -c '
import json,sys
d=json.loads(open(sys.argv[1],"rb").read().decode("utf-8"),strict=True)
print(d["alerts"][0]["last_line"]=="2025-12-10 14:00:00,000 - tools.nul - ERROR - a\x00b\x00")' bad.json)
assert_eq "NUL/UTF-8: NUL round-trips as \\u0000" True "$nulok"
assert_json "NUL/UTF-8: first alert is the NUL line's logger" bad.json \
    alerts.0.labels.logger tools.nul
assert_json "NUL/UTF-8: \\xff -> U+FFFD" bad.json alerts.1.last_line \
    "$(ts 1) - tools.ff - ERROR - x$(printf '\357\277\275')y"
assert_json "NUL/UTF-8: ED A0 80 (surrogate) -> 3 x U+FFFD" bad.json \
    alerts.2.last_line \
    "$(ts 2) - tools.sur - ERROR - s$(printf '\357\277\275\357\277\275\357\277\275')s"
assert_json "NUL/UTF-8: \\xc3 at end of line -> U+FFFD" bad.json \
    alerts.3.last_line "$(ts 3) - tools.c3 - ERROR - end$(printf '\357\277\275')"
assert_json "NUL/UTF-8: tool name with NUL counted" bad.json \
    rules.tool-calls.matches 1
"$MCPLOG" scan --tz UTC bad > bad.txt 2>err
assert_eq "NUL/UTF-8 text: exit 0" 0 $?
assert_contains "NUL/UTF-8 text: NUL shown as \\x00" bad.txt \
    'mcp_server.log:1: 2025-12-10 14:00:00,000 - tools.nul - ERROR - a\x00b\x00'
assert_contains "NUL/UTF-8 text: \\xff shown escaped" bad.txt 'ERROR - x\xffy'
assert_contains "NUL/UTF-8 text: surrogate bytes shown escaped" bad.txt \
    'ERROR - s\xed\xa0\x80s'
assert_contains "NUL/UTF-8 text: lone \\xc3 shown escaped" bad.txt 'ERROR - end\xc3'
assert_eq "NUL/UTF-8 text: no raw NUL in the report" 0 \
    "$(tr -cd '\000' < bad.txt | wc -c | tr -d ' ')"

# ---------------------------------------------------------------------------
# 2. CRLF: the tool-calls rule ends with `arguments?$`; CRLF lines must
#    match, and no capture or report text may carry the '\r'.
mkdir crlf
printf '%s\r\n' "$TC" "$(ts 1) - TOOL_CALL: chat with 1 argument" \
    "$(ts 2) - TOOL_CALL: codereview with 2 arguments" > crlf/mcp_activity.log
printf '%s - tools.chat - ERROR - boom\r\n' "$T0" > crlf/mcp_server.log
scan_json crlf.json crlf
assert_eq "CRLF: exit 0" 0 $?
assert_json "CRLF: activity lines" crlf.json inputs.0.lines 3
assert_json "CRLF: all 3 TOOL_CALL lines match" crlf.json \
    rules.tool-calls.matches 3
assert_json "CRLF: tool chat (no \\r in the key)" crlf.json \
    rules.tool-calls.groups.chat 2
assert_json "CRLF: tool codereview" crlf.json \
    rules.tool-calls.groups.codereview 1
assert_json "CRLF: errors rule (message.*\$) matches" crlf.json \
    rules.errors.matches 1
assert_json "CRLF: summary without \\r" crlf.json alerts.0.summary \
    "ERROR from tools.chat: boom"
assert_json "CRLF: last_line without \\r" crlf.json alerts.0.last_line \
    "$T0 - tools.chat - ERROR - boom"

# ---------------------------------------------------------------------------
# 3. No final newline on a matching last line: counted once.
mkdir nonl
printf '%s\n%s' "$TC" "$(ts 5) - TOOL_CALL: chat with 3 arguments" \
    > nonl/mcp_activity.log
scan_json nonl.json nonl
assert_eq "no final newline: exit 0" 0 $?
assert_json "no final newline: 2 lines" nonl.json inputs.0.lines 2
assert_json "no final newline: 2 matches" nonl.json rules.tool-calls.matches 2
assert_json "no final newline: bytes = file size" nonl.json inputs.0.bytes \
    "$(wc -c < nonl/mcp_activity.log | tr -d ' ')"
assert_json "no final newline: last time is the last line's" nonl.json \
    inputs.0.last 2025-12-10T14:00:05.000Z

# ---------------------------------------------------------------------------
# 4. A 10 MB line with "TOOL_CALL" text (a tool name of 10 MB) between two
#    normal TOOL_CALL lines, and as the last line without a newline. With
#    the default --max-line (1 MiB) it is matched on its first 1 MiB, which
#    lacks the anchored " with N arguments" end: no match. The surrounding
#    lines are counted; long_lines is 1.
mkdir big1 big2
python3 - "$TC" big1/mcp_activity.log big2/mcp_activity.log <<'EOF'
import sys
tc = sys.argv[1].encode()
long = tc.split(b'chat')[0] + b'x' * (10 * 1024 * 1024) + b' with 1 argument'
open(sys.argv[2], 'wb').write(tc + b'\n' + long + b'\n' + tc + b'\n')
open(sys.argv[3], 'wb').write(tc + b'\n' + tc + b'\n' + long)
EOF
scan_json big1.json big1
assert_eq "10 MB line in the middle: exit 0" 0 $?
assert_json "10 MB line in the middle: 3 lines" big1.json inputs.0.lines 3
assert_json "10 MB line in the middle: long_lines 1" big1.json \
    inputs.0.long_lines 1
assert_json "10 MB line in the middle: both short lines match" big1.json \
    rules.tool-calls.matches 2
assert_json "10 MB line in the middle: bytes = file size" big1.json \
    inputs.0.bytes "$(wc -c < big1/mcp_activity.log | tr -d ' ')"
assert_json "10 MB line in the middle: only 'chat' counted" big1.json \
    rules.tool-calls.groups.# 1
scan_json big2.json big2
assert_eq "10 MB last line, no newline: exit 0" 0 $?
assert_json "10 MB last line, no newline: 3 lines" big2.json inputs.0.lines 3
assert_json "10 MB last line, no newline: long_lines 1" big2.json \
    inputs.0.long_lines 1
assert_json "10 MB last line, no newline: 2 matches" big2.json \
    rules.tool-calls.matches 2
assert_json "10 MB last line, no newline: bytes = file size" big2.json \
    inputs.0.bytes "$(wc -c < big2/mcp_activity.log | tr -d ' ')"

# ---------------------------------------------------------------------------
# 5. --max-line 100 with a 150-byte TOOL_CALL line (long tool name). It is
#    matched on its first 100 bytes, which end inside the tool name: the
#    rule's " with N arguments?$" tail is gone, so it does NOT match. In the
#    middle of a small file (the whole file arrives in one read) and as the
#    last line.
mkdir ml1 ml2 ml3
python3 - "$TC" ml1/mcp_activity.log ml2/mcp_activity.log ml3/mcp_activity.log <<'EOF'
import sys
tc = sys.argv[1].encode()
pre = tc.split(b'chat')[0]                       # "<ts> - TOOL_CALL: "
suf = b' with 3 arguments'
l150 = pre + b'y' * (150 - len(pre) - len(suf)) + suf
assert len(l150) == 150
open(sys.argv[2], 'wb').write(tc + b'\n' + l150 + b'\n' + tc + b'\n')
open(sys.argv[3], 'wb').write(tc + b'\n' + l150 + b'\n')
# A line whose first 100 bytes are a complete TOOL_CALL line on their own,
# followed by 50 more bytes: matched on its first 100 bytes, so it matches.
tool = b'z' * (100 - len(pre) - len(suf))
l100 = pre + tool + suf
assert len(l100) == 100
open(sys.argv[4], 'wb').write(l100 + b'Q' * 50 + b'\n')
EOF
scan_json ml1.json --max-line 100 ml1
assert_eq "--max-line 100, long line in the middle: exit 0" 0 $?
assert_json "--max-line 100, middle: 3 lines" ml1.json inputs.0.lines 3
assert_json "--max-line 100, middle: long_lines 1" ml1.json \
    inputs.0.long_lines 1
assert_json "--max-line 100, middle: the cut line does not match" ml1.json \
    rules.tool-calls.matches 2
assert_json "--max-line 100, middle: only 'chat' counted" ml1.json \
    rules.tool-calls.groups.# 1
scan_json ml2.json --max-line 100 ml2
assert_json "--max-line 100, last line: 2 lines" ml2.json inputs.0.lines 2
assert_json "--max-line 100, last line: long_lines 1" ml2.json \
    inputs.0.long_lines 1
assert_json "--max-line 100, last line: the cut line does not match" ml2.json \
    rules.tool-calls.matches 1
scan_json ml3.json --max-line 100 ml3
assert_json "--max-line 100, valid 100-byte prefix: long_lines 1" ml3.json \
    inputs.0.long_lines 1
assert_json "--max-line 100, valid 100-byte prefix: matches on the prefix" \
    ml3.json rules.tool-calls.matches 1
assert_status "--max-line below 64: exit 2" 2 "$MCPLOG" scan --max-line 10 ml1
