# t_clients.sh - what MCP clients write about their servers (issue 12):
# the input formats, --client, --server, clients: in mcplog.yaml, the
# shipped client rules. Claude Code: files the real client 2.1.197 wrote
# (tests/client/claude-code, copied from one run of run_client.sh; the
# live client runs in tests/client/t_client.sh). Claude Desktop cannot run
# here: fixtures built from real quoted lines (tests/client/desktop).

export MCPLOG_DATADIR="$ROOT"
unset XDG_CONFIG_HOME XDG_CACHE_HOME CLAUDE_CONFIG_DIR
RC="$ROOT"/tests/client/rule_counts.py
cp -r "$ROOT"/tests/client/claude-code/home cc
CC="$T"/cc

# -- 1. Claude Code: connection logs and transcripts ------------------------
# per rule and server: what the client wrote in one run (counts.txt)
cp "$ROOT"/tests/client/counts.txt want
HOME="$CC" "$MCPLOG" scan --client claude-code --json >cc.json 2>err
assert_eq "scan --client claude-code: exit 0" 0 "$?"
python3 "$RC" --scan cc.json >got
assert_file_eq "scan --client claude-code: matches per rule and server" want got
assert_json "24 connection logs and 2 transcripts; the debug logs repeat them: not read" \
    cc.json inputs.# 26
assert_json "reconnect-failures: the real 'Failed to reconnect to crash: -32000'" \
    cc.json rules.reconnect-failures.groups.crash 1
assert_json "connection-failures: 5 an hour per server is not more than 5" \
    cc.json rules.connection-failures.alerts 0
assert_eq "startup-crash: the server's traceback (from its stderr) attached" \
    "ModuleNotFoundError: No module named 'mcp_missing_dependency_for_test'" \
    "$(python3 -c 'import json,sys; a=[a for a in json.load(open(sys.argv[1]))["alerts"] if a["rule"]=="startup-crash"]; print(a[0]["context"].splitlines()[-1])' cc.json)"

# the sixth failure of one server within the hour: critical
cp -r cc cc6
f=$(ls "$T"/cc6/.cache/claude-cli-nodejs/*/mcp-logs-crash/*.jsonl | tail -n 1)
grep '"error":"Connection failed: ' "$f" | head -n 1 | sed 's/T03:14:4[0-9]/T03:15:59/' >>"$f"
HOME="$T"/cc6 "$MCPLOG" scan --client claude-code --json >six.json 2>err
assert_json "6 failed connections of crash in 1 h: one critical alert" \
    six.json rules.connection-failures.alerts 1
assert_json "... labelled with the server" six.json \
    'alerts.0.labels.server' crash

# --server keeps one server's events
HOME="$CC" "$MCPLOG" scan --client claude-code --server slow --json >slow.json 2>err
python3 "$RC" --scan slow.json >got
printf 'client-connections slow 5\nconnection-failures slow 5\nreconnect-failures slow 1\nstartup-timeout slow 5\n' >want.slow
assert_file_eq "scan --server slow: only slow's events" want.slow got

# -- 2. the debug log alone (its sessions have no connection log) ---------
mkdir dbg
cp -r "$CC"/.claude dbg/
HOME="$T"/dbg "$MCPLOG" scan --client claude-code --json >dbg.json 2>err
python3 "$RC" --scan dbg.json >got
cat >want.dbg <<'W'
client-connected dies 2
client-connected hestai_server 2
client-connected noisy 2
client-connections crash 2
client-connections dies 2
client-connections hestai_server 2
client-connections missing 2
client-connections noisy 2
client-connections slow 2
client-tool-calls dies/boom 1
client-tool-calls hestai_server/chat 1
client-tool-calls hestai_server/debug 1
connection-failures crash 2
connection-failures missing 2
connection-failures slow 2
reconnect-failures crash 1
reconnect-failures missing 1
reconnect-failures slow 1
startup-crash crash 2
startup-timeout slow 2
stdout-pollution noisy 2
tool-failures dies/boom 1
tool-failures hestai_server/debug 1
W
assert_file_eq "the --debug logs of 2 sessions: the same events as their connection logs" \
    want.dbg got

# -- 3. an older client's .txt: one JSON array (composed from a real log) --
mkdir -p arr/.cache/claude-cli-nodejs/-p/mcp-logs-crash
python3 -c '
import json, sys
print(json.dumps([json.loads(l) for l in open(sys.argv[1])], indent=2))' \
    "$(ls "$CC"/.cache/claude-cli-nodejs/*/mcp-logs-crash/*.jsonl | head -n 1)" \
    >arr/.cache/claude-cli-nodejs/-p/mcp-logs-crash/old.txt
HOME="$T"/arr "$MCPLOG" scan --client claude-code --json >arr.json 2>err
python3 "$RC" --scan arr.json >got
printf 'client-connections crash 1\nconnection-failures crash 1\nstartup-crash crash 1\n' >want.arr
assert_file_eq "a JSON-array .txt read whole" want.arr got

# -- 4. slow-connect: more than a third of the limit ----------------------
mkdir -p slow/.cache/claude-cli-nodejs/-p/mcp-logs-s
rec() { printf '{"debug":"%s","timestamp":"2026-12-06T23:37:%s.000Z","sessionId":"s1","cwd":"/p"}\n' "$2" "$1"; }
{ rec 40 'Starting connection with timeout of 30000ms'
  rec 50 'Successfully connected (transport: stdio) in 10001ms'
  rec 51 'Starting connection with timeout of 30000ms'
  rec 52 'Successfully connected (transport: stdio) in 10000ms'; } \
    >slow/.cache/claude-cli-nodejs/-p/mcp-logs-s/a.jsonl
HOME="$T"/slow "$MCPLOG" scan --client claude-code --json >sl.json 2>err
assert_json "slow-connect: 10001 ms of a 30000 ms limit" sl.json \
    rules.slow-connect.groups.s 1

# -- 5. Claude Desktop (fixtures) ------------------------------------------
mkdir -p cd/.config/Claude
cp -r "$ROOT"/tests/client/desktop/logs cd/.config/Claude/
HOME="$T"/cd "$MCPLOG" scan --client claude-desktop --json >cd.json 2>err
python3 "$RC" --scan cd.json >got
cat >want.cd <<'W'
client-connections Hello World MCP Server (Reference Extension) 1
client-connections db-timetable 1
client-connections hestai 2
client-connections hestai [dev] 1
client-connections kicad 2
connection-failures Hello World MCP Server (Reference Extension) 1
connection-failures hestai 1
connection-failures hestai [dev] 1
connection-failures kicad 2
startup-crash hestai 1
startup-crash kicad 2
stdout-pollution db-timetable 1
W
assert_file_eq "scan --client claude-desktop: per rule and server (mcp.log's copies of a per-server log's records dropped)" \
    want.cd got
assert_eq "Desktop: the traceback written raw in the server's log attached" \
    "ModuleNotFoundError: No module named 'pcbnew'" \
    "$(python3 -c 'import json,sys; a=[a for a in json.load(open(sys.argv[1]))["alerts"] if a["rule"]=="startup-crash" and a["labels"]["server"]=="kicad"]; print(a[-1]["context"].splitlines()[-1])' cd.json)"

# -- 6. choosing clients ---------------------------------------------------
assert_status "--client bogus: exit 2" 2 "$MCPLOG" scan --client bogus
assert_eq "--client bogus: the message" \
    "mcplog: unknown client 'bogus' (use claude-code, claude-desktop, auto or none)" \
    "$(head -n 1 err)"
printf 'clients: [claude-code]\n' >clients.yaml
HOME="$CC" "$MCPLOG" scan --config clients.yaml --json >conf.json 2>err
assert_json "clients: in mcplog.yaml without --client" conf.json \
    rules.connection-failures.matches 15
printf '2025-12-10 14:00:00,000 - __main__ - INFO - Server ready\n' >own.log
HOME="$CC" "$MCPLOG" scan --config clients.yaml --client none --json own.log >none.json 2>err
assert_json "--client none over the config's clients: only the file given" \
    none.json inputs.# 1
printf 'clients: [claude-code, cursor]\n' >badclients.yaml
assert_status "clients: with an unknown name: exit 2" 2 \
    "$MCPLOG" scan --config badclients.yaml
assert_eq "... file:line:col: cause" \
    "mcplog: badclients.yaml:1:24: clients: unknown client 'cursor' (use claude-code, claude-desktop, auto or none)" \
    "$(cat err)"

# -- 7. hostile names: a Desktop log named with terminal escapes ----------
mkdir -p ev/.config/Claude/logs
printf '2025-11-05T00:59:50.916Z [x\033[31m]y] [info] Server transport closed unexpectedly\n' \
    >"ev/.config/Claude/logs/mcp-server-x$(printf '\033')[31m]y.log"
HOME="$T"/ev "$MCPLOG" scan --client claude-desktop >ev.out 2>err
assert_eq "no raw ESC in the report" 0 "$(grep -c "$(printf '\033')" ev.out)"
assert_contains "the file name shown escaped" ev.out 'mcp-server-x\x1b[31m]y.log'
assert_contains "the server label shown escaped" ev.out 'startup-crash{server=x\x1b[31m]y}'
HOME="$T"/ev "$MCPLOG" scan --client claude-desktop --json >ev.json 2>err
assert_eq "JSON: the server name as it is, JSON-escaped" '{"x\u001b[31m]y": 1}' \
    "$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["rules"]["startup-crash"]["groups"]))' ev.json)"

# -- 8. the report's client section (per server) ---------------------------
assert_json "clients: hestai_server's attempts" cc.json clients.hestai_server.attempts 4
assert_json "clients: hestai_server's connect time p50" cc.json clients.hestai_server.connect.p50_ms 171
assert_json "clients: hestai_server's connect time p90" cc.json clients.hestai_server.connect.p90_ms 369
assert_json "clients: hestai_server's connect time max" cc.json clients.hestai_server.connect.max_ms 369
assert_json "clients: tool chat: calls" cc.json clients.hestai_server.tools.chat.calls 1
assert_json "clients: tool chat: latency" cc.json clients.hestai_server.tools.chat.latency.max_ms 11
assert_json "clients: tool debug: failed" cc.json clients.hestai_server.tools.debug.failed 1
assert_json "clients: dies: boom failed twice" cc.json clients.dies.tools.boom.failed 2
assert_json "clients: crash: failures" cc.json clients.crash.failures 5
assert_json "clients: crash: the reason" cc.json \
    'clients.crash.reasons.MCP error -32000: Connection closed' 5
assert_json "clients: crash: no connect time" cc.json clients.crash.connect.p50_ms null
assert_json "clients: sessions (client processes) of slow" cc.json clients.slow.sessions 4
HOME="$CC" "$MCPLOG" scan --client claude-code >cc.txt 2>err
assert_contains "text: the client section" cc.txt \
    "  hestai_server: 4 connection attempts, 0 failed, 4 sessions"
assert_contains "text: connect times" cc.txt \
    "    connect time: p50 171 ms, p90 369 ms, max 369 ms"
assert_contains "text: a tool" cc.txt \
    "    tool boom: 2 calls, 2 failed, p50 0 ms, p90 0 ms, max 0 ms"
assert_contains "text: a reason" cc.txt \
    "    failed 5x: MCP error -32000: Connection closed"

# -- 9. test-rules on a client's file: what a rule's match sees -----------
f=$(ls "$CC"/.cache/claude-cli-nodejs/*/mcp-logs-crash/*.jsonl | head -n 1)
"$MCPLOG" test-rules --format claude-code-jsonl "$f" >tr.out 2>err
assert_eq "test-rules --format: exit 0" 0 "$?"
assert_contains "the message is the text matched, the time the record's" tr.out \
    "line 12 [2026-12-07 03:14:31,417]: Connection failed: MCP error -32000: Connection closed"
assert_contains "the fields after the captures" tr.out \
    "  connection-failures reason=MCP error -32000: Connection closed | server=crash session=edb3e2f5-16af-410e-b905-908e7845f5dc level=error"
assert_contains "the record's role" tr.out ", role client, format claude-code-jsonl"
assert_status "test-rules --format bogus: exit 2" 2 "$MCPLOG" test-rules --format bogus "$f"

# -- 10. a server's logs folder tied to the client's name for it ----------
# (the registration's args name the checkout's server.py: the paths of the
# real run are moved to this test's folder)
mkdir -p srv/hestai-mcp-server
cp -r "$ROOT"/tests/client/claude-code/hestai-mcp-server/logs srv/hestai-mcp-server/
sed -i "s|/tmp/c12-client/cc1/hestai-mcp-server|$T/srv/hestai-mcp-server|g" "$CC"/.claude.json
HOME="$CC" "$MCPLOG" scan --client claude-code --json srv/hestai-mcp-server/logs >tie.json 2>err
assert_json "the folder tied to its registration, said in a note" tie.json notes.0 \
    "srv/hestai-mcp-server/logs is the client's server 'hestai_server' (args $T/srv/hestai-mcp-server/server.py of the registration in /tmp/c12-client/cc1/proj)"
HOME="$CC" "$MCPLOG" follow --client claude-code --from-start --no-state --json \
    srv/hestai-mcp-server/logs >tie.jsonl 2>tie.err &
fpid=$!
wait_for tie.jsonl '"rule":"client-tool-calls","severity":"none","captures":{"tool":"debug"' 10
wait_for tie.jsonl '"rule":"tool-calls","severity":"none","captures":{"tool":"debug"' 10
kill -INT "$fpid"
wait "$fpid"
assert_eq "follow: both sides labelled alike (server log, client log)" \
    "client-tool-calls hestai_server/debug 1
tool-calls hestai_server/debug 1" \
    "$(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o.get("type") == "event" and o["rule"] in ("tool-calls", "client-tool-calls") and o["captures"].get("tool") == "debug":
        print(o["rule"], "%s/%s" % (o.get("server"), o["captures"]["tool"]), 1)' tie.jsonl | sort)"

# -- 11. --source NAME@FORMAT=PATH: any file in a client's format ---------
t=$(ls "$CC"/.claude/projects/*/2c4ddb04-*.jsonl)
"$MCPLOG" scan --json --source "client@claude-code-transcript=$t" >src.json 2>err
assert_json "--source client@claude-code-transcript: the 3 reconnect failures" \
    src.json rules.reconnect-failures.matches 3
f=$(ls "$CC"/.cache/claude-cli-nodejs/*/mcp-logs-crash/*.jsonl | tail -n 1)
"$MCPLOG" scan --json --source "client@claude-code-jsonl=$f" >src2.json 2>err
assert_json "--source client@claude-code-jsonl: the client rules, the server from the folder" \
    src2.json rules.connection-failures.groups.crash 2
assert_status "--source x@bogus=...: exit 2" 2 "$MCPLOG" scan --source "x@bogus=$f"
assert_eq "... the message" \
    "mcplog: --source x@bogus=$f: unknown format 'bogus' (use NAME@FORMAT=PATH, FORMAT one of text, claude-code-jsonl, claude-code-json-array, claude-code-transcript, claude-code-debug, claude-desktop, claude-desktop-server)" \
    "$(cat err)"
