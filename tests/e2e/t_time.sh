# t_time.sh - log time: continuation lines, the reconnect-failures
# threshold (more than 5 in 1h) at its edges, --since/--until, --tz, and
# ISO 8601 timestamps in a --source file.
#
# Threshold semantics (engine.h): the alert fires at the event when more
# than N matches fall in (t - W, t]; count = matches in the window at firing
# + every match while firing; it resolves at (oldest of the newest N+1
# matches) + W, or stays open (end null) when that is after the last event.

export HOME="$T"
unset XDG_CONFIG_HOME
export MCPLOG_DATADIR="$ROOT"

# anchor FILE SECONDS: a timestamped server line with no rule match
anchor() { printf '%s - __main__ - INFO - MCP tool call: chat\n' "$(ts "$2")" >> "$1"; }
# bare FILE N: N continuation lines "Failed to reconnect to hestai."
bare() { i=0; while [ $i -lt "$2" ]; do echo 'Failed to reconnect to hestai.' >> "$1"; i=$((i + 1)); done; }
# err FILE SECONDS: an ERROR line (errors rule), used to move the clock on
err() { printf '%s - tools.chat - ERROR - later\n' "$(ts "$2")" >> "$1"; }

# ---------------------------------------------------------------------------
# 1. Continuation lines take the previous timestamped line's time: two
#    bare lines after each of three anchors at +0 s, +1800 s, +3599 s.
#    At +3599 s the window (14:59:59 - 1h, 14:59:59] = (13:59:59, 14:59:59]
#    holds all 6 -> fire at 14:59:59 with count 6. The newest 6 start at
#    +0 s, so it resolves at +0 s + 1h = 15:00:00 (the two +0 s matches
#    leave the half-open window exactly then). An ERROR line at +4000 s
#    moves the clock past it.
mkdir s6
anchor s6/mcp_server.log 0; bare s6/mcp_server.log 2
anchor s6/mcp_server.log 1800; bare s6/mcp_server.log 2
anchor s6/mcp_server.log 3599; bare s6/mcp_server.log 2
cp s6/mcp_server.log s6open.log
err s6/mcp_server.log 4000
scan_json s6.json s6
assert_eq "storm of 6: exit 0" 0 $?
assert_json "storm of 6: 6 matches" s6.json rules.reconnect-failures.matches 6
assert_json "storm of 6: 1 alert of the rule" s6.json rules.reconnect-failures.alerts 1
assert_json "storm of 6: 2 alerts in all (and the ERROR one)" s6.json alerts.# 2
assert_json "storm of 6: rule" s6.json alerts.0.rule reconnect-failures
assert_json "storm of 6: critical" s6.json alerts.0.severity critical
assert_json "storm of 6: label" s6.json alerts.0.labels.server hestai
assert_json "storm of 6: start = time of the 6th (a continuation line)" \
    s6.json alerts.0.start 2025-12-10T14:59:59.000Z
assert_json "storm of 6: end = +0 s + 1h" s6.json alerts.0.end \
    2025-12-10T15:00:00.000Z
assert_json "storm of 6: count" s6.json alerts.0.count 6
assert_json "storm of 6: summary" s6.json alerts.0.summary \
    "6 failed reconnects to hestai (more than 5 in 1h): stale server processes are likely"
assert_json "storm of 6: last line is the bare continuation line" s6.json \
    alerts.0.last_line "Failed to reconnect to hestai."
assert_json "storm of 6: its origin (line 9 of the file)" s6.json \
    alerts.0.origin s6/mcp_server.log:9

# The same without the later ERROR line: the resolve time (15:00:00) is
# after the last event, so the alert is still firing at the end.
mkdir s6o
mv s6open.log s6o/mcp_server.log
scan_json s6o.json s6o
assert_json "storm of 6, log ends: start" s6o.json alerts.0.start \
    2025-12-10T14:59:59.000Z
assert_json "storm of 6, log ends: end null" s6o.json alerts.0.end null
assert_json "storm of 6, log ends: count" s6o.json alerts.0.count 6
"$MCPLOG" scan --tz UTC s6o > s6o.txt 2>err
assert_contains "storm of 6, log ends: text says still firing" s6o.txt \
    "  2025-12-10 14:59:59,000 .. (still firing at end of log)  critical reconnect-failures{server=hestai} count=6"

# 2. Seven single lines at +0, +1000, +2000, +3000, +3100, +3200, +3300 s:
#    fire at +3200 s (6 in the window), the 7th arrives while firing
#    (count 7); the newest 6 start at +1000 s -> end +4600 s = 15:16:40.
mkdir s7
for s in 0 1000 2000 3000 3100 3200 3300; do anchor s7/mcp_server.log $s; bare s7/mcp_server.log 1; done
err s7/mcp_server.log 5000
scan_json s7.json s7
assert_json "storm of 7: start" s7.json alerts.0.start 2025-12-10T14:53:20.000Z
assert_json "storm of 7: count includes the match while firing" s7.json \
    alerts.0.count 7
assert_json "storm of 7: end = +1000 s + 1h" s7.json alerts.0.end \
    2025-12-10T15:16:40.000Z
assert_json "storm of 7: summary updated" s7.json alerts.0.summary \
    "7 failed reconnects to hestai (more than 5 in 1h): stale server processes are likely"

# 3. Exactly 5 in any hour: one at +0 s, five at +3600 s. At +3600 s the
#    window (14:00:00, 15:00:00] no longer holds the +0 s one -> 5, no alert.
mkdir s5
anchor s5/mcp_server.log 0; bare s5/mcp_server.log 1
anchor s5/mcp_server.log 3600; bare s5/mcp_server.log 5
err s5/mcp_server.log 9000
scan_json s5.json s5
assert_json "5 in 1h: 6 matches" s5.json rules.reconnect-failures.matches 6
assert_json "5 in 1h: no reconnect alert" s5.json rules.reconnect-failures.alerts 0

# ---------------------------------------------------------------------------
# 4. --since / --until on activity lines every 10 minutes, 14:00 ... 15:30
#    (10 lines). --since is inclusive, --until exclusive.
mkdir win
for k in 0 1 2 3 4 5 6 7 8 9; do
    printf '%s - TOOL_CALL: chat with 1 argument\n' "$(ts $((k * 600)))" >> win/mcp_activity.log
done
# a continuation reconnect line after the 14:20 server line
anchor win/mcp_server.log 1200; bare win/mcp_server.log 1
scan_json w1.json --since 2025-12-10T14:30:00 --until 2025-12-10T15:00:00 win
assert_eq "since/until: exit 0" 0 $?
assert_json "since 14:30 until 15:00: 14:30 14:40 14:50" w1.json \
    rules.tool-calls.matches 3
assert_json "since 14:30: the 14:20 continuation line is out" w1.json \
    rules.reconnect-failures.matches 0
scan_json w2.json --since 2025-12-10T14:20:00 win
assert_json "since 14:20 (inclusive): 8 calls" w2.json rules.tool-calls.matches 8
assert_json "since 14:20: the continuation line (time 14:20) is in" w2.json \
    rules.reconnect-failures.matches 1
scan_json w3.json --until 2025-12-10T14:20:00 win
assert_json "until 14:20 (exclusive): 2 calls" w3.json rules.tool-calls.matches 2
scan_json w4.json --since 2025-12-10T15:30:00+01:00 win
assert_json "since with a zone: 15:30+01:00 = 14:30Z: 7 calls" w4.json \
    rules.tool-calls.matches 7
scan_json w5.json --since 2025-12-11 win
assert_json "since a date alone (midnight): nothing" w5.json rules.tool-calls.matches 0
scan_json w6.json --since 2025-12-10T14:30:00.001Z win
assert_json "since with ms: 14:30:00.001 excludes 14:30:00.000" w6.json \
    rules.tool-calls.matches 6

# ---------------------------------------------------------------------------
# 5. --tz Europe/Paris (UTC+1 in December): the naive 14:00:00 is Paris
#    time, printed with +01:00; --since is Paris time too.
"$MCPLOG" scan --json --tz Europe/Paris win > paris.json 2>err
assert_eq "--tz Europe/Paris: exit 0" 0 $?
assert_json "--tz Europe/Paris: first" paris.json inputs.0.first \
    2025-12-10T14:00:00.000+01:00
assert_json "--tz Europe/Paris: last" paris.json inputs.0.last \
    2025-12-10T15:30:00.000+01:00
"$MCPLOG" scan --json --tz Europe/Paris --since 2025-12-10T14:30:00Z win > paris2.json 2>err
assert_json "--tz Europe/Paris: since 14:30Z = 15:30 Paris: 1 call" paris2.json \
    rules.tool-calls.matches 1
"$MCPLOG" scan --json --tz America/New_York s6 > ny.json 2>err
assert_json "--tz America/New_York: alert start at -05:00" ny.json \
    alerts.0.start 2025-12-10T14:59:59.000-05:00
assert_status "--tz unknown zone: exit 2" 2 "$MCPLOG" scan --tz Mars/Olympus win

# ---------------------------------------------------------------------------
# 6. ISO 8601 timestamps (T, fraction, Z or offset) in a --source file of
#    another role: bare reconnect lines take those times; the zone in the
#    line wins over --tz.
cat > client.log <<'EOF'
2025-12-10T14:00:00Z client: reconnecting
Failed to reconnect to hestai.
2025-12-10T14:10:00.250Z client: reconnecting
Failed to reconnect to hestai.
Failed to reconnect to hestai.
2025-12-10T15:20:00+01:00 client: reconnecting
Failed to reconnect to hestai.
Failed to reconnect to hestai.
Failed to reconnect to hestai.
EOF
scan_json iso.json --source client=client.log
assert_eq "ISO source: exit 0" 0 $?
assert_json "ISO source: role" iso.json inputs.0.role client
assert_json "ISO source: first" iso.json inputs.0.first 2025-12-10T14:00:00.000Z
assert_json "ISO source: last (15:20+01:00)" iso.json inputs.0.last \
    2025-12-10T14:20:00.000Z
assert_json "ISO source: 6 reconnect lines" iso.json \
    rules.reconnect-failures.matches 6
assert_json "ISO source: alert at the 6th (time of 15:20+01:00)" iso.json \
    alerts.0.start 2025-12-10T14:20:00.000Z
assert_json "ISO source: count" iso.json alerts.0.count 6
assert_json "ISO source: still firing" iso.json alerts.0.end null
"$MCPLOG" scan --json --tz Europe/Paris --source client=client.log > isop.json 2>err
assert_json "ISO source under --tz Europe/Paris: same instant, Paris offset" \
    isop.json alerts.0.start 2025-12-10T15:20:00.000+01:00
