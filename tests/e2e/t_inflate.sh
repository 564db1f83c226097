# t_inflate.sh - gzip bombs: a member that inflates over the bound (by
# default 200:1 once past 64 MiB inflated) is damage like a corrupt one:
# the bytes before are kept, the rest of that file is skipped, the other
# files are read. Every command that reads gzip honours it (scan, health,
# follow --replay, test-rules), --max-inflate changes it. The bomb holds
# 6 GiB of one log line (19 MB on disk, 343:1); read in full it costs
# a minute of CPU, so each command runs under `timeout 20`: bounded
# time is the pass condition, not a timed assertion.
export HOME="$T"
unset XDG_CONFIG_HOME
export MCPLOG_DATADIR="$ROOT"

# 64 bytes: 64 MiB of it is 1048576 whole lines. An ERROR line: each one
# is a match of the errors rule, the costly kind of line.
# Where the cost is not the point, an INFO line (prefiltered out) of the
# same length.
LINE='2025-12-10 14:00:00,000 - __main__ - ERROR - tool call failed 1'
INFO='2025-12-10 14:00:00,000 - __main__ - INFO - tool call done 12ms'
# bomb FILE MIB [LINE]
bomb() { python3 "$ROOT/tests/e2e/gzbomb.py" "$1" "${3:-$LINE}\\n" "$2" >/dev/null; }

# 1. scan: the bomb (oldest archive), a normal archive, the live file.
mkdir logs
bomb logs/mcp_server.log.2.gz 6144
srv 0 100 | gzip -n >logs/mcp_server.log.1.gz
srv 100 5 >logs/mcp_server.log
DMG="logs/mcp_server.log.2.gz: inflate ratio over 200:1 in the gzip member at offset 0"
timeout 20 "$MCPLOG" scan --tz UTC --json logs >s.json 2>err
assert_eq "scan of a bomb: done in time, exit 1 (damage)" 1 $?
assert_eq "scan of a bomb: the one warning" "mcplog: $DMG" "$(cat err)"
assert_json "scan of a bomb: damaged" s.json inputs.0.damaged true
assert_json "scan of a bomb: why" s.json inputs.0.damage "$DMG"
assert_json "scan of a bomb: the first 64 MiB kept" s.json inputs.0.bytes 67108864
assert_json "scan of a bomb: its 1048576 lines" s.json inputs.0.lines 1048576
assert_json "scan of a bomb: each one matched" s.json rules.errors.matches 1048576
assert_eq "scan of a bomb: the other files, in full, not damaged" \
    "100 false 5 false" \
    "$(jget s.json inputs.1.lines) $(jget s.json inputs.1.damaged) $(jget s.json inputs.2.lines) $(jget s.json inputs.2.damaged)"
timeout 20 "$MCPLOG" scan --tz UTC logs >s.txt 2>err
assert_eq "scan report of a bomb: exit 1" 1 $?
assert_contains "scan report: the damage and why" s.txt "DAMAGED: $DMG"

# 2. The bound is per member: a normal member, then a bomb member in the
#    same file; the damage names the bomb's offset, the first member's
#    lines are kept.
mkdir multi
srv 0 50 | gzip -n >m1.gz
bomb m2.gz 256 "$INFO"
cat m1.gz m2.gz >multi/mcp_server.log.1.gz
off=$(wc -c <m1.gz | tr -d ' ')
timeout 20 "$MCPLOG" scan --tz UTC --json multi >m.json 2>err
assert_eq "second member a bomb: exit 1" 1 $?
assert_json "second member a bomb: its offset" m.json inputs.0.damage \
    "multi/mcp_server.log.1.gz: inflate ratio over 200:1 in the gzip member at offset $off"
assert_json "second member a bomb: member 1 and 64 MiB of member 2" m.json \
    inputs.0.lines $((50 + 1048576))

# 3. --max-inflate: a member of 128 MiB at 340:1 trips the default; a
#    bound of 400:1 or none (0) reads it in full; an archive of ordinary
#    logs (10:1) is never touched.
mkdir mid
bomb mid/mcp_server.log.1.gz 128 "$INFO"
timeout 20 "$MCPLOG" scan --tz UTC --json mid >d.json 2>err
assert_eq "128 MiB at 340:1, default bound: damaged at 64 MiB" "1 67108864" \
    "$? $(jget d.json inputs.0.bytes)"
timeout 20 "$MCPLOG" scan --tz UTC --json --max-inflate 400 mid >d.json 2>err
assert_eq "--max-inflate 400: read in full" "0 134217728 false " \
    "$? $(jget d.json inputs.0.bytes) $(jget d.json inputs.0.damaged) $(cat err)"
timeout 20 "$MCPLOG" scan --tz UTC --json --max-inflate 0 mid >d.json 2>err
assert_eq "--max-inflate 0 (no bound): read in full" "0 134217728 false " \
    "$? $(jget d.json inputs.0.bytes) $(jget d.json inputs.0.damaged) $(cat err)"
timeout 20 "$MCPLOG" scan --tz UTC --json --max-inflate 300 mid >d.json 2>err
assert_json "--max-inflate 300: over 300:1" d.json inputs.0.damage \
    "mid/mcp_server.log.1.gz: inflate ratio over 300:1 in the gzip member at offset 0"
"$MCPLOG" scan --max-inflate 1:1 mid >o 2>err
assert_eq "--max-inflate 1:1: exit 2" 2 $?
assert_eq "--max-inflate 1:1: the message" \
    "mcplog: --max-inflate takes a whole ratio (inflated bytes per compressed byte) up to 1000000, or 0 for no bound
Try 'mcplog scan --help'." "$(cat err)"
# Real logs in one member over the 64 MiB floor (genlogs.py, 10:1) are
# read in full even at 20:1: the default of 200:1 has a wide margin.
python3 "$ROOT/tests/bench/genlogs.py" --out gen --size-mb 80 >/dev/null
mkdir real
(gzip -dc gen/mcp_server.log.*.gz; cat gen/mcp_server.log.1 gen/mcp_server.log) |
    gzip -n >real/mcp_server.log.1.gz
rbytes=$(gzip -dc real/mcp_server.log.1.gz | wc -c | tr -d ' ')
timeout 60 "$MCPLOG" scan --tz UTC --json --max-inflate 20 real >g.json 2>err
assert_eq "real logs at a bound of 20:1: exit 0, nothing said" "0:" "$?:$(cat err)"
assert_eq "real logs: one member over 64 MiB, read in full" "yes $rbytes false" \
    "$([ "$rbytes" -gt 67108864 ] && echo yes) $(jget g.json inputs.0.bytes) $(jget g.json inputs.0.damaged)"

# 4. health, follow --replay and test-rules honour the bound too.
timeout 20 "$MCPLOG" health logs >h.txt 2>err
assert_eq "health of a bomb: done in time (exit 1: the newest line is old)" 1 $?
assert_eq "health of a bomb: the damage on stderr" "mcplog: $DMG" "$(cat err)"
timeout 20 "$MCPLOG" health --max-inflate 300 mid >h.txt 2>err
assert_eq "health --max-inflate 300" \
    "mcplog: mid/mcp_server.log.1.gz: inflate ratio over 300:1 in the gzip member at offset 0" \
    "$(cat err)"

# follow: the archive of INFO lines (an ERROR line would be an alert per
# line on the terminal), under a timeout too.
timeout -k 5 20 "$MCPLOG" follow --replay --json --quiet --no-state mid >f.json 2>ferr &
FPID=$!
wait_for f.json 'mcp_activity.log does not exist yet' 20
kill -TERM "$FPID"
wait "$FPID"
assert_eq "follow --replay of a bomb: done in time, the damage said once" \
    "0 1" "$? $(grep -c '"message":"mid/mcp_server.log.1.gz: inflate ratio over 200:1 in the gzip member at offset 0"' f.json)"

timeout 20 "$MCPLOG" test-rules --quiet logs/mcp_server.log.2.gz >t.txt 2>err
assert_eq "test-rules of a bomb: exit 1" 1 $?
assert_eq "test-rules of a bomb: the damage" "mcplog: $DMG" "$(cat err)"
assert_contains "test-rules of a bomb: the lines before it" t.txt "Summary: 1048576 lines"
timeout 20 "$MCPLOG" test-rules --quiet --max-inflate 0 mid/mcp_server.log.1.gz >t.txt 2>err
assert_eq "test-rules --max-inflate 0: read in full" "0 " "$? $(cat err)"
assert_contains "test-rules --max-inflate 0: every line" t.txt "Summary: 2097152 lines"
