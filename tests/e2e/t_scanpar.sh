# t_scanpar.sh - scan's work split below the family (scanpool.c: several
# files of a family read at once, a file's chunks matched on any core, the
# ISA-L inflater) changes nothing in the results. Four logrotate layouts of
# the same generated logs (tests/bench/genlogs.py: delaycompress, many
# numbered members, one big plain file, dateext) and a damaged one (a
# truncated member, a corrupt one, trailing garbage, all in one family so
# the warnings have one order), each scanned with 1, 2 and 3 workers
# (MCPLOG_SCAN_THREADS): the JSON report, the text report and stderr are
# byte for byte what mcplog printed before the split (the digests below
# were taken with the one-thread-per-family scan of main 635a866; the JSON
# without "file_bytes", the size of gzip members as this machine's zlib
# writes them), and equal across worker counts.
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
    d888636a3a7a4f776270ea366bc1a20b189395d4210f3cef4f6ade5f60cdb006 \
    8a6748133cb63fd15043ea9e8d4b6509d5f641982a54f78f2ad286bf0972cb8c $NOTHING
check numbered 22 0 87303 \
    9aeefdc8095232791f7768ae7158615d992d7c77505ff86461726b13b5b75a6e \
    8e47106403facc99ea594f357fc566978ed3d152312a9139dd4fd03346578369 $NOTHING
check bigplain 2 0 102304 \
    39d83538581133abc7f9bb0f8d87ea3c48a45233973ee7a9555b435ae8d5a882 \
    24b4583166cc95c96409857c42a226031f94f18a04d6ec3c3f1f007f2fb3ff8e $NOTHING
check dateext 11 0 87303 \
    1b49267e852e8932cd89b59ff010ec20d2c91d871481b7af2ac80e3aef6842ad \
    0a525be511878124c35fd8d5fb9b05f7429d47b39dfcaab48ce56626c53a956a $NOTHING
check damaged 22 1 84714 \
    8ac0b0619ac523f024c1e53f2fbcbbb125320f6e57b1d1e53612a2d0b38566e7 \
    58faf6d201657106963e3af379e3a3df052c39c769adf18e2100d33652193e53 \
    dc08916ed97ffbd5612c41c93f83610df1f68edaf1153021e3c5a39679fa3d67
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
