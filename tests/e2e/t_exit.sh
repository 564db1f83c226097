# t_exit.sh - exit codes of mcplog scan: 0 ok, 1 damaged input, 2 usage or
# configuration error, 3 with --fail-on when an alert of that severity or
# worse fired (3 wins over 1); --version and --help.

export HOME="$T"
unset XDG_CONFIG_HOME
export MCPLOG_DATADIR="$ROOT"

# storm FILE: 6 reconnect failures within a minute -> one critical alert
storm() {
    for s in 0 10 20 30 40 50; do
        printf '%s - __main__ - INFO - Failed to reconnect to hestai.\n' "$(ts $s)" >> "$1"
    done
}

# ---------------------------------------------------------------------------
# 1. --fail-on with and without a qualifying alert.
mkdir crit warn
storm crit/mcp_server.log
printf '%s - tools.chat - ERROR - boom\n' "$(ts 0)" > warn/mcp_server.log

assert_status "critical alert, --fail-on critical: exit 3" 3 \
    "$MCPLOG" scan --tz UTC --fail-on critical crit
assert_contains "exit 3 still prints the report" out \
    "critical reconnect-failures{server=hestai} count=6"
assert_status "critical alert, --fail-on warning: exit 3 (or worse)" 3 \
    "$MCPLOG" scan --tz UTC --fail-on warning crit
assert_status "critical alert, --fail-on info: exit 3" 3 \
    "$MCPLOG" scan --tz UTC --fail-on info crit
assert_status "critical alert, no --fail-on: exit 0" 0 \
    "$MCPLOG" scan --tz UTC crit
assert_status "warning alert only, --fail-on critical: exit 0" 0 \
    "$MCPLOG" scan --tz UTC --fail-on critical warn
assert_status "warning alert, --fail-on warning: exit 3" 3 \
    "$MCPLOG" scan --tz UTC --fail-on warning warn
assert_status "--json, --fail-on critical: exit 3" 3 \
    "$MCPLOG" scan --tz UTC --json --fail-on critical crit
assert_json "--json with exit 3: the report is complete" out alerts.0.count 6

# ---------------------------------------------------------------------------
# 2. Damaged input (a truncated archive) with and without an alert.
mkdir dmg
storm dmg/mcp_server.log
python3 -c '
import datetime
for k in range(3000):
    print("2025-12-10 13:%02d:%02d,000 - __main__ - INFO - filler line %d" % (k // 60 % 60, k % 60, k))' \
    | gzip -n -c > full.gz
head -c $(( $(wc -c < full.gz) / 2 )) full.gz > dmg/mcp_server.log.1.gz
assert_status "damaged, no --fail-on: exit 1" 1 "$MCPLOG" scan --tz UTC dmg
assert_status "damaged + critical alert + --fail-on critical: exit 3" 3 \
    "$MCPLOG" scan --tz UTC --fail-on critical dmg
assert_contains "damaged + exit 3: the damage is still reported" err \
    "truncated gzip stream at offset"
mkdir dmg2
cp dmg/mcp_server.log.1.gz dmg2/
printf '%s - tools.chat - ERROR - boom\n' "$(ts 0)" > dmg2/mcp_server.log
assert_status "damaged + only a warning alert + --fail-on critical: exit 1" 1 \
    "$MCPLOG" scan --tz UTC --fail-on critical dmg2

# ---------------------------------------------------------------------------
# 3. Usage errors: exit 2, a message, a hint, no report.
assert_status "bad --since: exit 2" 2 "$MCPLOG" scan --since 'the day before' crit
assert_eq "bad --since: message" \
    "mcplog: --since: bad time 'the day before': use e.g. 2h ago, -30m, today, yesterday, 14:00, 2025-12-10 14:00, 2025-12-10T14:00:00+01:00 or @1765375200
Try 'mcplog scan --help'." "$(cat err)"
assert_eq "bad --since: no report" "" "$(cat out)"
assert_status "bad --until: exit 2" 2 "$MCPLOG" scan --until 2025-13-01 crit
assert_status "bad --fail-on: exit 2" 2 "$MCPLOG" scan --fail-on fatal crit
assert_eq "bad --fail-on: message" \
    "mcplog: --fail-on takes info, warning or critical
Try 'mcplog scan --help'." "$(cat err)"
assert_status "unknown option: exit 2" 2 "$MCPLOG" scan --bogus crit
# every message starts with "mcplog: " (getopt's own messages are off)
assert_eq "unknown option: message" \
    "mcplog: scan: unknown option '--bogus'
Try 'mcplog scan --help'." "$(cat err)"
assert_eq "unknown option: no report" "" "$(cat out)"
assert_status "missing option argument: exit 2" 2 "$MCPLOG" scan crit --since
assert_eq "missing option argument: message" \
    "mcplog: scan: option '--since' needs a value
Try 'mcplog scan --help'." "$(cat err)"
assert_status "unknown command: exit 2" 2 "$MCPLOG" frobnicate
assert_eq "unknown command: message" \
    "mcplog: unknown command 'frobnicate' (try 'mcplog --help')" "$(cat err)"
assert_status "no command: exit 2" 2 "$MCPLOG"

# ---------------------------------------------------------------------------
# 4. --version and --help.
ver=$(sed -n 's/^#define MCP_VERSION "\(.*\)"$/\1/p' "$ROOT/analyzer/base/mcp.h")
assert_status "--version: exit 0" 0 "$MCPLOG" --version
assert_eq "--version: output" "mcplog $ver" "$(cat out)"
assert_status "scan --help: exit 0" 0 "$MCPLOG" scan --help
assert_eq "scan --help: usage line" "usage: mcplog scan [options] [DIR|FILE...]" \
    "$(head -n 1 out)"
assert_contains "scan --help: documents --fail-on" out "--fail-on SEVERITY"
assert_eq "scan --help: nothing on stderr" "" "$(cat err)"
assert_status "scan -h: exit 0" 0 "$MCPLOG" scan -h
assert_status "test-rules --help: exit 0" 0 "$MCPLOG" test-rules --help
assert_eq "test-rules --help: usage line" \
    "usage: mcplog test-rules [options] [FILE|-]" "$(head -n 1 out)"
assert_status "mcplog --help: exit 0" 0 "$MCPLOG" --help
