# t_rules.sh - rule files (RELIABILITY.md E 56-58): load errors with their
# exact message, overriding and disabling shipped rules, --no-default-rules,
# regex limits, and expect rules (startup readiness within 30 s).

export HOME="$T"
unset XDG_CONFIG_HOME
export MCPLOG_DATADIR="$ROOT"

TSRE='^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[,.]\d{3}'

# a small server log for the rule-error runs (never read: loading fails)
mkdir logs
printf '%s - tools.chat - ERROR - boom\n' "$(ts 0)" > logs/mcp_server.log

# rule_error NAME FILE-CONTENT EXPECTED-STDERR: the file fails to load:
# exit 2, no report, exactly the expected message on stderr.
rule_error() {
    printf '%s\n' "$2" > "$1"
    assert_status "$1: exit 2" 2 "$MCPLOG" scan --rules "$1" logs
    assert_eq "$1: message" "$3" "$(cat err)"
    assert_eq "$1: no report" "" "$(cat out)"
}

# ---------------------------------------------------------------------------
# 1. Each error class. The column points at the offending character: for
#    a regex, the PCRE2 offset inside the quoted scalar (offset 1 of '(' is
#    just after the parenthesis, column 12 is the quote, so 14).
rule_error bad-regex.yaml "rules:
  - name: paren
    match: '('" \
    "mcplog: bad-regex.yaml:3:14: rule 'paren': pattern error at offset 1: missing closing parenthesis"

rule_error bad-action.yaml "rules:
  - name: act
    match: 'abc'
    severity: critical
    action: reboot" \
    "mcplog: bad-action.yaml:5:13: rule 'act': unknown action 'reboot' (the one action is cleanup)"

rule_error action-no-severity.yaml "rules:
  - name: act
    match: 'abc'
    action: cleanup" \
    "mcplog: action-no-severity.yaml:4:5: rule 'act': action needs a severity (info, warning or critical)"

rule_error unknown-key.yaml "rules:
  - name: unk
    match: 'abc'
    colour: red" \
    "mcplog: unknown-key.yaml:4:5: rule 'unk': unknown key 'colour'"

rule_error bad-duration.yaml "rules:
  - name: dur
    match: 'abc'
    severity: warning
    threshold: {count: 5, window: 5 parsecs}" \
    "mcplog: bad-duration.yaml:5:35: rule 'dur': window: bad duration '5 parsecs': unknown unit at ' parsecs' (use ms, s, m, h, d, w)"

rule_error both.yaml "rules:
  - name: both
    match: 'abc'
    severity: warning
    threshold: {count: 5, window: 1h}
    expect: {match: 'def', within: 30s}" \
    "mcplog: both.yaml:6:5: rule 'both': threshold and expect exclude each other"

rule_error group.yaml "rules:
  - name: grp
    match: 'TOOL_CALL: (?<tool>\\S+)'
    group_by: [tol]" \
    "mcplog: group.yaml:4:16: rule 'grp': group_by: 'tol' is not a named group of match nor a field (server, session, level) (named groups: tool)"

# test-rules refuses the same file the same way
assert_status "test-rules with a bad rule file: exit 2" 2 \
    "$MCPLOG" test-rules --rules bad-regex.yaml
assert_eq "test-rules with a bad rule file: message" \
    "mcplog: bad-regex.yaml:3:14: rule 'paren': pattern error at offset 1: missing closing parenthesis" \
    "$(cat err)"

# ---------------------------------------------------------------------------
# 2. Overriding a shipped rule by name: "errors" for CRITICAL only, with a
#    critical severity. It replaces the shipped rule in place (still 8
#    rules, same position).
cat > override.yaml <<EOF
rules:
  - name: errors
    source: server
    match: '$TSRE - (?<logger>[^ ]+) - CRITICAL - (?<message>.*)\$'
    group_by: [logger]
    severity: critical
EOF
mkdir ov
printf '%s - tools.chat - ERROR - not any more\n' "$(ts 0)" > ov/mcp_server.log
printf '%s - tools.chat - CRITICAL - down\n' "$(ts 1)" >> ov/mcp_server.log
scan_json ov.json --rules override.yaml ov
assert_eq "override: exit 0" 0 $?
assert_json "override: still 8 rules" ov.json rules.# 8
assert_json "override: only the CRITICAL line" ov.json rules.errors.matches 1
assert_json "override: new severity" ov.json rules.errors.severity critical
assert_json "override: alert severity" ov.json alerts.0.severity critical
assert_json "override: default summary of a plain rule ({rule}: {line})" \
    ov.json alerts.0.summary \
    "errors: 2025-12-10 14:00:01,000 - tools.chat - CRITICAL - down"
first=$(python3 -c 'import json,sys;print(next(iter(json.load(open(sys.argv[1]))["rules"])))' ov.json)
assert_eq "override: replaced in place (still the first rule)" errors "$first"

# ---------------------------------------------------------------------------
# 3. enabled: false removes a shipped rule.
printf 'rules:\n  - name: tool-call-rate\n    enabled: false\n' > disable.yaml
scan_json dis.json --rules disable.yaml ov
assert_eq "disable: exit 0" 0 $?
assert_json "disable: 7 rules" dis.json rules.# 7
has=$(python3 -c 'import json,sys;print("tool-call-rate" in json.load(open(sys.argv[1]))["rules"])' dis.json)
assert_eq "disable: tool-call-rate not in JSON rules" False "$has"
# the shipped errors rule is back (no override here): ERROR and CRITICAL
assert_json "disable: the others still work" dis.json rules.errors.matches 2

# ---------------------------------------------------------------------------
# 4. --no-default-rules: only the given file.
scan_json nd.json --no-default-rules --rules override.yaml ov
assert_json "--no-default-rules: 1 rule" nd.json rules.# 1
assert_json "--no-default-rules: it is the file's" nd.json rules.errors.severity critical
scan_json nd0.json --no-default-rules ov
assert_json "--no-default-rules alone: no rules" nd0.json rules.# 0
assert_json "--no-default-rules alone: lines still counted" nd0.json totals.lines 2

# ---------------------------------------------------------------------------
# 5. Catastrophic backtracking: ^(a+)+$ on "a"*40 + "!" hits the PCRE2
#    match limit (counted per rule), quickly; another rule still sees the
#    line.
cat > redos.yaml <<'EOF'
rules:
  - name: redos
    source: any
    match: '^(a+)+$'
  - name: bang
    source: any
    match: '!$'
EOF
python3 -c 'print("a" * 40 + "!")' > redos.log
timeout 20 "$MCPLOG" scan --json --tz UTC --no-default-rules --rules redos.yaml \
    --source x=redos.log > redos.json 2>err
assert_eq "redos: finishes (well within 20 s) with exit 0" 0 $?
assert_json "redos: limit_errors 1" redos.json rules.redos.limit_errors 1
assert_json "redos: no match" redos.json rules.redos.matches 0
assert_json "redos: the other rule still matches the line" redos.json \
    rules.bang.matches 1
assert_json "redos: the other rule has no limit error" redos.json \
    rules.bang.limit_errors 0

# ---------------------------------------------------------------------------
# 6. expect: a custom rule, ready within 30 s of "Process PID: N", grouped
#    by pid; plus a count-only rule "tick" (ERROR lines) whose matches move
#    the log clock on.
cat > ready.yaml <<EOF
rules:
  - name: ready30
    source: server
    match: '$TSRE - root - INFO - Process PID: (?<pid>\\d+)\$'
    expect:
      match: '$TSRE - (?:__main__|server) - INFO - Server ready - waiting for tool requests\\.\\.\\.\$'
      within: 30s
    group_by: [pid]
    severity: critical
    summary: 'server PID {pid} did not become ready within {within}'
  - name: tick
    source: server
    match: '$TSRE - [^ ]+ - ERROR - '
EOF
pid() { printf '%s - root - INFO - Process PID: %s\n' "$(ts "$2")" "$3" >> "$1"; }
ready() { printf '%s - __main__ - INFO - Server ready - waiting for tool requests...\n' "$(ts "$2")" >> "$1"; }
tick() { printf '%s - tools.x - ERROR - tick\n' "$(ts "$2")" >> "$1"; }
rscan() { scan_json "$1" --no-default-rules --rules ready.yaml "$2"; }

# 6a. never ready; a later event at +120 s: alert at +30 s, still open.
mkdir never
pid never/mcp_server.log 0 100
tick never/mcp_server.log 120
rscan never.json never
assert_eq "never ready: exit 0" 0 $?
assert_json "never ready: one alert" never.json alerts.# 1
assert_json "never ready: pid" never.json alerts.0.labels.pid 100
assert_json "never ready: start = +30 s" never.json alerts.0.start \
    2025-12-10T14:00:30.000Z
assert_json "never ready: end null" never.json alerts.0.end null
assert_json "never ready: count 1" never.json alerts.0.count 1
assert_json "never ready: summary" never.json alerts.0.summary \
    "server PID 100 did not become ready within 30s"
assert_json "never ready: expectation missed" never.json expectations.0.missed true
assert_json "never ready: expectation not met" never.json expectations.0.met null
"$MCPLOG" scan --tz UTC --no-default-rules --rules ready.yaml never > never.txt 2>err
# A custom expect rule (not the shipped startup-not-ready) is reported
# in generic words.
assert_contains "never ready: text" never.txt \
    "  2025-12-10 14:00:00,000  pid 100  NEVER MET"
assert_contains "never ready: text heading" never.txt \
    "Expectations of ready30 (follow-up within 30s):"

# 6b. ready late, at +45 s: alert from +30 s to +45 s.
mkdir late
pid late/mcp_server.log 0 200
ready late/mcp_server.log 45
rscan late.json late
assert_json "late ready: one alert" late.json alerts.# 1
assert_json "late ready: start +30 s" late.json alerts.0.start 2025-12-10T14:00:30.000Z
assert_json "late ready: end +45 s" late.json alerts.0.end 2025-12-10T14:00:45.000Z
assert_json "late ready: pid" late.json alerts.0.labels.pid 200
assert_json "late ready: met at +45 s" late.json expectations.0.met \
    2025-12-10T14:00:45.000Z
assert_json "late ready: after_ms" late.json expectations.0.after_ms 45000
assert_json "late ready: missed" late.json expectations.0.missed true
"$MCPLOG" scan --tz UTC --no-default-rules --rules ready.yaml late > late.txt 2>err
assert_contains "late ready: text" late.txt \
    "  2025-12-10 14:00:00,000  pid 200  met after 45s (LATE)"

# 6c. ready on time (+10 s), clock moved well past +30 s: no alert.
mkdir ontime
pid ontime/mcp_server.log 0 300
ready ontime/mcp_server.log 10
tick ontime/mcp_server.log 120
rscan ontime.json ontime
assert_json "on-time ready: no alert" ontime.json alerts.# 0
assert_json "on-time ready: met" ontime.json expectations.0.after_ms 10000
assert_json "on-time ready: not missed" ontime.json expectations.0.missed false

# 6d. two startups: PID 111 at +0 s hangs, PID 222 at +20 s is ready at
#     +35 s (15 s later, in time). The ready line meets the newest open
#     expectation (222), not the overdue 111: exactly one alert, for 111,
#     from +30 s, still open.
mkdir two
pid two/mcp_server.log 0 111
pid two/mcp_server.log 20 222
ready two/mcp_server.log 35
tick two/mcp_server.log 120
rscan two.json two
assert_json "two startups: exactly one alert" two.json alerts.# 1
assert_json "two startups: for the first pid" two.json alerts.0.labels.pid 111
assert_json "two startups: start +30 s" two.json alerts.0.start 2025-12-10T14:00:30.000Z
assert_json "two startups: still open" two.json alerts.0.end null
assert_json "two startups: 111 missed" two.json expectations.0.missed true
assert_json "two startups: 111 never met" two.json expectations.0.met null
assert_json "two startups: 222 met after 15 s" two.json expectations.1.after_ms 15000
assert_json "two startups: 222 not missed" two.json expectations.1.missed false
