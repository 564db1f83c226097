# t_gzip.sh - gzip archives (RELIABILITY.md C 36-41, 45): single and
# multi-member files, type by magic bytes not by name, empty, truncated and
# corrupt archives, trailing padding. Fixtures are built here, in $T.

# Hermetic: no user rules from $HOME, the repository's shipped rules.
export HOME="$T"
unset XDG_CONFIG_HOME
export MCPLOG_DATADIR="$ROOT"

# gz FILE: gzip -n (no name, no mtime: reproducible) to stdout
gz() { gzip -n -9 -c "$1"; }

# ---------------------------------------------------------------------------
# 1. Single-member .gz: 100 lines, 3 of them ERROR lines (different
#    loggers, so the errors rule raises 3 separate alerts).
mkdir one
srv 0 97 > one.txt
printf '%s - tools.a - ERROR - e1\n' "$(ts 200)" >> one.txt
printf '%s - tools.b - ERROR - e2\n' "$(ts 201)" >> one.txt
printf '%s - tools.c - ERROR - e3\n' "$(ts 202)" >> one.txt
gz one.txt > one/mcp_server.log.1.gz
scan_json one.json one
assert_eq "single .gz: exit 0" 0 $?
assert_json "single .gz: one input" one.json inputs.# 1
assert_json "single .gz: path" one.json inputs.0.path one/mcp_server.log.1.gz
assert_json "single .gz: compressed" one.json inputs.0.compressed true
assert_json "single .gz: 100 lines" one.json inputs.0.lines 100
assert_json "single .gz: decoded bytes = plain size" one.json inputs.0.bytes \
    "$(wc -c < one.txt | tr -d ' ')"
assert_json "single .gz: file_bytes = .gz size" one.json inputs.0.file_bytes \
    "$(wc -c < one/mcp_server.log.1.gz | tr -d ' ')"
assert_json "single .gz: not damaged" one.json inputs.0.damaged false
assert_json "single .gz: errors rule sees the 3 ERROR lines" one.json \
    rules.errors.matches 3
assert_json "single .gz: first time" one.json inputs.0.first \
    2025-12-10T14:00:00.000Z
assert_json "single .gz: last time (the 3rd ERROR line, +202 s)" one.json \
    inputs.0.last 2025-12-10T14:03:22.000Z

# ---------------------------------------------------------------------------
# 2. Multi-member: cat a.gz b.gz (50 + 70 lines). A decoder that stops at
#    the first member's end would see 50.
mkdir multi
srv 0 50 > a.txt
srv 50 70 > b.txt
gz a.txt > a.gz
gz b.txt > b.gz
cat a.gz b.gz > multi/mcp_server.log.2.gz
scan_json multi.json multi
assert_eq "multi-member: exit 0" 0 $?
assert_json "multi-member: lines of both members" multi.json inputs.0.lines 120
assert_json "multi-member: bytes of both members" multi.json inputs.0.bytes \
    "$(cat a.txt b.txt | wc -c | tr -d ' ')"
assert_json "multi-member: not damaged" multi.json inputs.0.damaged false
assert_json "multi-member: no note" multi.json inputs.0.note null
assert_json "multi-member: last line is from member 2 (+119 s)" multi.json \
    inputs.0.last 2025-12-10T14:01:59.000Z
assert_eq "multi-member: nothing on stderr" "" "$(cat err)"

# ---------------------------------------------------------------------------
# 3. Type by magic bytes: gzip data named mcp_server.log.1 (found in a
#    folder) and gzip data under a name with no .gz given explicitly;
#    plain text named mcp_server.log.3.gz is read as plain text.
mkdir magic
srv 0 40 > m1.txt
gz m1.txt > magic/mcp_server.log.1
srv 100 25 > m3.txt
cp m3.txt magic/mcp_server.log.3.gz
scan_json magic.json magic
assert_eq "magic: exit 0" 0 $?
# order: numbered members, highest N first
assert_json "magic: .3.gz first" magic.json inputs.0.path magic/mcp_server.log.3.gz
assert_json "magic: plain text named .gz is not compressed" magic.json \
    inputs.0.compressed false
assert_json "magic: plain text named .gz: 25 lines" magic.json inputs.0.lines 25
assert_json "magic: plain text named .gz: not damaged" magic.json \
    inputs.0.damaged false
assert_json "magic: .1 second" magic.json inputs.1.path magic/mcp_server.log.1
assert_json "magic: gzip named .1 is compressed" magic.json inputs.1.compressed true
assert_json "magic: gzip named .1: 40 lines" magic.json inputs.1.lines 40
assert_json "magic: gzip named .1: decoded bytes" magic.json inputs.1.bytes \
    "$(wc -c < m1.txt | tr -d ' ')"

gz m1.txt > server-archive.bin
scan_json explicit.json server-archive.bin
assert_eq "explicit gzip without .gz name: exit 0" 0 $?
assert_json "explicit gzip without .gz name: compressed" explicit.json \
    inputs.0.compressed true
assert_json "explicit gzip without .gz name: 40 lines" explicit.json \
    inputs.0.lines 40
assert_json "explicit gzip without .gz name: role is its base name" \
    explicit.json inputs.0.role server-archive.bin

# ---------------------------------------------------------------------------
# 4. Zero-length .gz (logrotate creates it before gzip writes): 0 lines,
#    not damaged, exit 0. The live file next to it is read normally.
mkdir empty
: > empty/mcp_server.log.1.gz
srv 0 5 > empty/mcp_server.log
scan_json empty.json empty
assert_eq "zero-length .gz: exit 0" 0 $?
assert_json "zero-length .gz: listed first" empty.json inputs.0.path \
    empty/mcp_server.log.1.gz
assert_json "zero-length .gz: 0 lines" empty.json inputs.0.lines 0
assert_json "zero-length .gz: 0 bytes" empty.json inputs.0.bytes 0
assert_json "zero-length .gz: not damaged" empty.json inputs.0.damaged false
assert_json "zero-length .gz: live file 5 lines" empty.json inputs.1.lines 5
assert_json "zero-length .gz: totals 5 lines" empty.json totals.lines 5
assert_eq "zero-length .gz: nothing on stderr" "" "$(cat err)"

# ---------------------------------------------------------------------------
# 5. Truncated .gz (cut at 50%) next to an intact live file and an intact
#    activity archive: exit 1, one warning naming the file and the offset
#    (the whole file was consumed: offset = its size), damaged in JSON,
#    lines = what zlib can decode from the cut bytes (complete lines plus
#    the partial last one, which mcplog completes), other files in full.
mkdir trunc
srv 0 3000 > big.txt
gz big.txt > big.gz
size=$(wc -c < big.gz | tr -d ' ')
half=$((size / 2))
head -c "$half" big.gz > trunc/mcp_server.log.1.gz
srv 3000 10 > trunc/mcp_server.log
srv 0 30 | sed 's/ - __main__ - INFO - line \([0-9]*\).*/ - TOOL_CALL: chat with \1 arguments/' > act.txt
gz act.txt > trunc/mcp_activity.log.1.gz
# Independent count with Python's zlib on the same truncated bytes.
exp=$(python3 - trunc/mcp_server.log.1.gz <<'EOF'
import sys, zlib
data = open(sys.argv[1], 'rb').read()
out = zlib.decompressobj(wbits=31).decompress(data)
lines = out.count(b'\n') + (1 if out and not out.endswith(b'\n') else 0)
print(lines, len(out))
EOF
)
exp_lines=${exp% *}
exp_bytes=${exp#* }
scan_json trunc.json trunc
assert_eq "truncated: exit 1" 1 $?
assert_eq "truncated: exactly one stderr line" 1 "$(wc -l < err | tr -d ' ')"
assert_eq "truncated: the warning" \
    "mcplog: trunc/mcp_server.log.1.gz: truncated gzip stream at offset $half" \
    "$(cat err)"
assert_json "truncated: activity archive first (family order)" trunc.json \
    inputs.0.path trunc/mcp_activity.log.1.gz
assert_json "truncated: damaged archive second" trunc.json inputs.1.path \
    trunc/mcp_server.log.1.gz
assert_json "truncated: damaged true" trunc.json inputs.1.damaged true
assert_json "truncated: damage message" trunc.json inputs.1.damage \
    "trunc/mcp_server.log.1.gz: truncated gzip stream at offset $half"
assert_json "truncated: lines decoded before the cut ($exp_lines)" trunc.json \
    inputs.1.lines "$exp_lines"
assert_json "truncated: bytes decoded before the cut" trunc.json \
    inputs.1.bytes "$exp_bytes"
assert_json "truncated: live file complete" trunc.json inputs.2.lines 10
assert_json "truncated: live file not damaged" trunc.json inputs.2.damaged false
assert_json "truncated: activity archive complete" trunc.json inputs.0.lines 30
assert_json "truncated: activity archive not damaged" trunc.json \
    inputs.0.damaged false
assert_json "truncated: tool calls of the intact archive all counted" \
    trunc.json rules.tool-calls.matches 30
assert_json "truncated: totals" trunc.json totals.lines $((exp_lines + 40))

# ---------------------------------------------------------------------------
# 6. Bit flip: a.gz + b.gz concatenated, with one bit of member 2's first
#    deflate byte flipped so that its block type becomes 3 (reserved):
#    zlib fails right there. Member 1 (50 lines) is kept, nothing of
#    member 2 is delivered, the live file is read in full.
mkdir flip
python3 - a.gz b.gz flip/mcp_server.log.1.gz <<'EOF'
import sys
a = open(sys.argv[1], 'rb').read()
b = bytearray(open(sys.argv[2], 'rb').read())
# gzip -n header: 10 bytes, no optional fields; deflate data starts at 10
assert b[3] == 0
bt = (b[10] >> 1) & 3
assert bt in (1, 2), bt
b[10] ^= 0x02 if bt == 2 else 0x04   # BTYPE 10 -> 11, or 01 -> 11
open(sys.argv[3], 'wb').write(a + bytes(b))
EOF
srv 500 7 > flip/mcp_server.log
alen=$(wc -c < a.gz | tr -d ' ')
scan_json flip.json flip
assert_eq "bit flip: exit 1" 1 $?
assert_eq "bit flip: exactly one stderr line" 1 "$(wc -l < err | tr -d ' ')"
assert_contains "bit flip: warning names the file" err \
    "mcplog: flip/mcp_server.log.1.gz: corrupt gzip data at offset "
assert_contains "bit flip: zlib's reason" err "invalid block type"
assert_json "bit flip: damaged" flip.json inputs.0.damaged true
assert_json "bit flip: member 1 kept, nothing from member 2" flip.json \
    inputs.0.lines 50
assert_json "bit flip: member 1 bytes" flip.json inputs.0.bytes \
    "$(wc -c < a.txt | tr -d ' ')"
assert_json "bit flip: live file complete" flip.json inputs.1.lines 7
assert_json "bit flip: live file not damaged" flip.json inputs.1.damaged false
# The bad byte is the 11th of member 2 (offset alen+10); zlib has consumed
# it when it reports the error.
assert_json "bit flip: damage message with the offset" flip.json \
    inputs.0.damage \
    "flip/mcp_server.log.1.gz: corrupt gzip data at offset $((alen + 11)): invalid block type"

# Corrupt CRC32 trailer: all data decodes, the check fails at the end.
mkdir crc
python3 - one/mcp_server.log.1.gz crc/mcp_server.log.1.gz <<'EOF'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
b[-8] ^= 0x01          # first byte of CRC32
open(sys.argv[2], 'wb').write(bytes(b))
EOF
scan_json crc.json crc
assert_eq "bad CRC: exit 1" 1 $?
assert_contains "bad CRC: corrupt gzip data" err "corrupt gzip data at offset"
assert_contains "bad CRC: zlib's reason" err "incorrect data check"
assert_json "bad CRC: damaged" crc.json inputs.0.damaged true
assert_json "bad CRC: every line was decoded before the check" crc.json \
    inputs.0.lines 100

# ---------------------------------------------------------------------------
# 7. Trailing zero padding (512 bytes) after a valid member: all lines, not
#    damaged, exit 0, a note with the count and the offset (= member size).
mkdir pad
gz one.txt > pad/mcp_server.log.1.gz
mlen=$(wc -c < pad/mcp_server.log.1.gz | tr -d ' ')
head -c 512 /dev/zero >> pad/mcp_server.log.1.gz
scan_json pad.json pad
assert_eq "zero padding: exit 0" 0 $?
assert_json "zero padding: all lines" pad.json inputs.0.lines 100
assert_json "zero padding: not damaged" pad.json inputs.0.damaged false
assert_json "zero padding: note" pad.json inputs.0.note \
    "ignored 512 trailing bytes after the last gzip member at offset $mlen"
assert_eq "zero padding: one warning on stderr" \
    "mcplog: warning: ignored 512 trailing bytes after the last gzip member at offset $mlen" \
    "$(cat err)"
