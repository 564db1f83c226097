# At the end of a scan the clock moves to the last time in the log, not to
# the last matching line: a startup followed only by lines that no rule
# matches is still reported as never ready, and --until caps that time.
HOME=$T
unset XDG_CONFIG_HOME
mkdir -p logs
{
    echo "$(ts 0) - root - INFO - Logging to: /srv/mcp/logs/mcp_server.log"
    echo "$(ts 0) - root - INFO - Process PID: 100"
    echo "$(ts 10) - mcp.server.lowlevel.server - DEBUG - Initializing server 'hestai-server'"
    echo "$(ts 120) - httpx - INFO - HTTP Request: POST https://example.invalid \"HTTP/1.1 200 OK\""
} >logs/mcp_server.log

scan_json r.json logs
assert_eq "exit 0" 0 $?
assert_json "the startup is missed" r.json expectations.0.missed true
assert_json "one startup-not-ready alert" r.json rules.startup-not-ready.alerts 1
assert_json "fired at the deadline, 30 s after the PID line" r.json \
    alerts.0.start "2025-12-10T14:00:30.000Z"
assert_json "still firing at the end of the log" r.json alerts.0.end null

# With --until before the deadline, the log "ends" before it: pending.
scan_json u.json --until 2025-12-10T14:00:20Z logs
assert_json "--until before the deadline: not missed" u.json expectations.0.missed false
assert_json "--until before the deadline: no alert" u.json rules.startup-not-ready.alerts 0

# The text report says so.
"$MCPLOG" scan --tz UTC logs >r.txt 2>err
assert_contains "text: never ready" r.txt "pid 100  NEVER READY"
