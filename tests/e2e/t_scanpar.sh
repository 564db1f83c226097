# t_scanpar.sh - scan's work split below the family (scanpool.c: several
# files of a family read at once, a file's chunks matched on any core, the
# ISA-L inflater) changes nothing in the results. Four logrotate layouts of
# the same generated logs (tests/bench/genlogs.py: delaycompress, many
# numbered members, one big plain file, dateext), a damaged one (a
# truncated member, a corrupt one, trailing garbage, all in one family so
# the warnings have one order) and one with time jumps (13 lines dated 3
# days ahead, some of them ending a file; runs of 5 lines 5 h ahead: the
# time guard holds events across chunks and files), each scanned with 1, 2
# and 3 workers (MCPLOG_SCAN_THREADS): the JSON report, the text report
# and stderr are byte for byte what mcplog printed before the split (the
# digests below were taken with the one-thread-per-family scan of branch
# i13-live (796248f..), which has the time guard and one alert per
# incident (cooldown ends); the JSON without "file_bytes", the
# size of gzip members as this machine's zlib writes them), and equal
# across worker counts. Since issue 13's one alert per incident, an
# errors or thread-not-found alert ends a cooldown after its last match:
# the digests were taken again, the reports checked to differ from the
# earlier ones in the alerts' end times only.
export HOME="$T"
unset XDG_CONFIG_HOME
export MCPLOG_DATADIR="$ROOT"

G="$ROOT/tests/bench/genlogs.py"
python3 "$G" --out delay --size-mb 12 --layout delaycompress --member-mb 2 --live-mb 5 >/dev/null
python3 "$G" --out numbered --size-mb 8 --layout numbered --member-mb 0.5 >/dev/null
python3 "$G" --out bigplain --size-mb 12 --layout bigplain >/dev/null
python3 "$G" --out dateext --size-mb 8 --layout dateext --member-mb 1 >/dev/null
cp -r numbered damaged
python3 - <<'EOF'
p = 'damaged/mcp_server.log.10.gz'
b = open(p, 'rb').read()
open(p, 'wb').write(b[:len(b) // 2])
p = 'damaged/mcp_server.log.5.gz'
b = bytearray(open(p, 'rb').read())
b[len(b) // 2] ^= 0x10
open(p, 'wb').write(bytes(b))
open('damaged/mcp_server.log.15.gz', 'ab').write(b'garbage\n')
EOF

# jumps: the big plain server log with lines moved ahead, cut into 10 files
python3 - <<'EOF'
import datetime, gzip, os, re
TS = re.compile(rb'^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(,\d{3})')
lines = open('bigplain/mcp_server.log', 'rb').read().split(b'\n')[:-1]
def shift(line, hours):
    m = TS.match(line)
    t = datetime.datetime.strptime(m.group(1).decode(), '%Y-%m-%d %H:%M:%S')
    t += datetime.timedelta(hours=hours)
    return t.strftime('%Y-%m-%d %H:%M:%S').encode() + line[m.end(1):]
k, marks = 0, []
for i, l in enumerate(lines):
    if not TS.match(l):
        continue
    k += 1
    if k % 7001 == 0:
        lines[i] = shift(l, 72)
        marks.append(i)
    elif k % 15013 < 5:
        lines[i] = shift(l, 5)
os.makedirs('jumps')
cuts = sorted(set([m + 1 for m in marks[::3]] + list(range(20000, len(lines), 20000))))
parts, prev = [], 0
for c in cuts + [len(lines)]:
    if c > prev:
        parts.append(lines[prev:c])
        prev = c
n = len(parts)
for idx, p in enumerate(parts):
    data = b'\n'.join(p) + b'\n'
    age = n - 1 - idx
    name = 'mcp_server.log' + ('' if age == 0 else '.1' if age == 1 else '.%d.gz' % age)
    if age > 1:
        data = gzip.compress(data, 6, mtime=0)
    open(os.path.join('jumps', name), 'wb').write(data)
open('jumps/mcp_activity.log', 'wb').write(open('bigplain/mcp_activity.log', 'rb').read())
EOF

sha() { sha256sum | cut -c1-64; }

# check LAYOUT FILES EXIT LINES JSON_SHA TEXT_SHA ERR_SHA
check() {
    d=$1
    assert_eq "$d: $2 files" "$2" "$(ls "$d" | wc -l | tr -d ' ')"
    for t in 1 2 3; do
        MCPLOG_SCAN_THREADS=$t "$MCPLOG" scan --json "$d" >"$d.$t.json" 2>"$d.$t.err"
        s=$?
        MCPLOG_SCAN_THREADS=$t "$MCPLOG" scan "$d" >"$d.$t.txt" 2>/dev/null
        assert_eq "$d, $t workers: exit $3, $4 lines" "$3 $4" \
            "$s $(jget "$d.$t.json" totals.lines)"
        assert_eq "$d, $t workers: the JSON report as before" "$5" \
            "$(grep -v '"file_bytes"' "$d.$t.json" | sha)"
        assert_eq "$d, $t workers: the text report as before" "$6" \
            "$(sha <"$d.$t.txt")"
        assert_eq "$d, $t workers: stderr as before" "$7" "$(sha <"$d.$t.err")"
    done
    assert_file_eq "$d: 1 and 3 workers, the same JSON" "$d.1.json" "$d.3.json"
}

NOTHING=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
check delay 5 0 102304 \
    4af728595780f7fe103bdcf1807b92a878fb5e7ae709e33ba64f4a931931942a \
    cdcddccf805d9fbec41408f45db91cf219a92265848ab1791e0caef5ed08ef21 $NOTHING
check numbered 22 0 87303 \
    769c54016537657a6b280ee6d23e23f958c943f32979042ff63b4f5b22854bfd \
    0659b3645814b781c899b329b236e479dcdf22f49f8e214049ab7f099b591261 $NOTHING
check bigplain 2 0 102304 \
    a42458418e0d03951a7a5f3d26e268d10ab100e618050a6f155eacedcabf36a7 \
    1e5f5e34b525b39f6b081b5e37e9e0f4a3e426166634ce7cd6410150f899c3bd $NOTHING
check dateext 11 0 87303 \
    6df63631dd0f1f5752eda18ec1a677c7aca8c49564149239331b40e79d26caad \
    7c0a41834de0e2c5f0d461c7584ba6e4e85b53bd26bbfabd9958e0f6cabedc79 $NOTHING
check damaged 22 1 84714 \
    4ee4525488d2ed2d17b4906a501a23ead990aec1c0e6366fa044d6ac453b4203 \
    7fca771b6ace96e5738edf070ac5e820d587dde7a1f09a09de6bda15629ba307 \
    dc08916ed97ffbd5612c41c93f83610df1f68edaf1153021e3c5a39679fa3d67
check jumps 11 0 102304 \
    714862821c4a2078344fad50d0119720512da4cac597e00ddf8c906549a137b4 \
    b87dd15327d6a20f1bf41561b083d899a0dc794c9f0cda688d6174065526d3b1 $NOTHING
assert_eq "jumps: 13 time jumps" 13 "$(jget jumps.2.json totals.time_jumps)"
assert_eq "damaged: the warnings, in file order" \
    "mcplog: warning: ignored 8 trailing bytes after the last gzip member at offset 51210
mcplog: damaged/mcp_server.log.10.gz: truncated gzip stream at offset 25477
mcplog: damaged/mcp_server.log.5.gz: corrupt gzip data at offset 50197: incorrect data check" \
    "$(cat damaged.2.err)"

# The same logs in one big file and in a rotated set raise the same alerts.
assert_eq "delay and bigplain: the same alerts" \
    "$(python3 -c 'import json,sys; print([(a["rule"], a["start"], a["count"]) for a in json.load(open(sys.argv[1]))["alerts"]])' bigplain.1.json)" \
    "$(python3 -c 'import json,sys; print([(a["rule"], a["start"], a["count"]) for a in json.load(open(sys.argv[1]))["alerts"]])' delay.2.json)"

# A worker count that is not a number of 1-64 is ignored.
MCPLOG_SCAN_THREADS=0 "$MCPLOG" scan --json delay >z.json 2>err
assert_eq "MCPLOG_SCAN_THREADS=0: exit 0, the same report" "0 yes" \
    "$? $(cmp -s z.json delay.1.json && echo yes)"
