# t_testrules.sh - `mcplog test-rules`: the rule listing, per-line matches
# with captures and the parsed time, hits/misses per rule, standard input
# with --role, and refusal of a bad rule file.

export HOME="$T"
unset XDG_CONFIG_HOME
export MCPLOG_DATADIR="$ROOT"

RULES="$ROOT/rules/default.yaml"
# lineof NAME: line of "  - name: NAME" in the shipped rule file
lineof() { grep -n "^  - name: $1\$" "$RULES" | cut -d: -f1; }

# ---------------------------------------------------------------------------
# 1. No input: the 8 shipped rules, in file order, exit 0.
assert_status "no input: exit 0" 0 "$MCPLOG" test-rules
assert_eq "no input: nothing on stderr" "" "$(cat err)"
assert_eq "no input: header" "8 rules loaded (shipped rules: $ROOT/rules)" \
    "$(head -n 1 out)"
assert_eq "no input: rule names in order" \
    "errors reconnect-failures startup-not-ready restarts tool-calls tool-call-rate provider-retries thread-not-found" \
    "$(grep '^  [a-z]' out | awk '{print $1}' | tr '\n' ' ' | sed 's/ $//')"
assert_contains "no input: errors line" out \
    "  errors               server,stderr warning   every match  ($RULES:$(lineof errors))"
assert_contains "no input: reconnect-failures line" out \
    "  reconnect-failures   any      critical  more than 5 in 1h  ($RULES:$(lineof reconnect-failures))"
assert_contains "no input: startup-not-ready line" out \
    "  startup-not-ready    server   critical  expect within 30s  ($RULES:$(lineof startup-not-ready))"
assert_contains "no input: tool-calls line (count only)" out \
    "  tool-calls           activity count     counts  ($RULES:$(lineof tool-calls))"
assert_contains "no input: tool-calls pattern" out \
    '      match: ^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[,.]\d{3} - TOOL_CALL: (?<tool>[^ ]+) with (?<args>\d+) arguments?$'
assert_eq "no input: 8 match lines" 8 "$(grep -c '^      match: ' out)"

# ---------------------------------------------------------------------------
# 2. A 3-line server file: a startup line (two rules, pid capture), a bare
#    continuation line (time taken from the record), an ERROR line with a
#    fractional time. Exact per-line output and summary.
printf '%s\n' "$(ts 0) - root - INFO - Process PID: 4242" \
    "Failed to reconnect to hestai." \
    "$(ts 1.5) - tools.chat - ERROR - boom: bad" > mcp_server.log
assert_status "server file: exit 0" 0 "$MCPLOG" test-rules mcp_server.log
sed -n '/^Input: /,$p' out > got.txt
cat > want.txt <<'EOF'
Input: mcp_server.log, role server
line 1 [2025-12-10 14:00:00,000]: 2025-12-10 14:00:00,000 - root - INFO - Process PID: 4242
  startup-not-ready pid=4242
  restarts pid=4242
line 2 [2025-12-10 14:00:00,000, from the record]: Failed to reconnect to hestai.
  reconnect-failures reason=(unset) server=hestai
line 3 [2025-12-10 14:00:01,500]: 2025-12-10 14:00:01,500 - tools.chat - ERROR - boom: bad
  errors level=ERROR logger=tools.chat message=boom: bad

Summary: 3 lines
  RULE                        HITS    MISSES
  errors                         1         2
  reconnect-failures             1         2
  startup-not-ready              1         2
  restarts                       1         2
  tool-calls                     -         -  (not for this role)
  tool-call-rate                 -         -  (not for this role)
  provider-retries               0         3
  thread-not-found               0         3
EOF
assert_file_eq "server file: per-line output and summary" want.txt got.txt
assert_eq "server file: line 1 header" \
    "line 1 [2025-12-10 14:00:00,000]: 2025-12-10 14:00:00,000 - root - INFO - Process PID: 4242" \
    "$(grep '^line 1 \[' out)"
assert_eq "server file: line 3 captures" \
    "  errors level=ERROR logger=tools.chat message=boom: bad" \
    "$(grep '^  errors level=' got.txt)"

# -q: only the summary
assert_status "-q: exit 0" 0 "$MCPLOG" test-rules -q mcp_server.log
assert_eq "-q: no per-line output" 0 "$(grep -c '^line ' out)"
assert_contains "-q: summary" out "  errors                         1         2"

# the same file gzip-compressed, under the same name: same result
gzip -n -c mcp_server.log > gz.tmp && mkdir z && mv gz.tmp z/mcp_server.log
assert_status "gzip input: exit 0" 0 "$MCPLOG" test-rules z/mcp_server.log
sed -n '/^line /,$p' out > gotz.txt
sed -n '/^line /,$p' want.txt > wantz.txt
assert_file_eq "gzip input: same lines and summary" wantz.txt gotz.txt

# ---------------------------------------------------------------------------
# 3. Standard input with --role activity: 2 TOOL_CALL lines and 1 other.
printf '%s\n' "$(ts 0) - TOOL_CALL: chat with 3 arguments" \
    "$(ts 1) - TOOL_COMPLETED: chat" \
    "$(ts 2) - TOOL_CALL: codereview with 1 argument" > act.txt
"$MCPLOG" test-rules --role activity - < act.txt > out 2>err
assert_eq "stdin: exit 0" 0 $?
sed -n '/^Input: /,$p' out > got2.txt
cat > want2.txt <<'EOF'
Input: standard input, role activity
line 1 [2025-12-10 14:00:00,000]: 2025-12-10 14:00:00,000 - TOOL_CALL: chat with 3 arguments
  tool-calls args=3 tool=chat
  tool-call-rate args=3 tool=chat
line 3 [2025-12-10 14:00:02,000]: 2025-12-10 14:00:02,000 - TOOL_CALL: codereview with 1 argument
  tool-calls args=1 tool=codereview
  tool-call-rate args=1 tool=codereview

Summary: 3 lines
  RULE                        HITS    MISSES
  errors                         -         -  (not for this role)
  reconnect-failures             0         3
  startup-not-ready              -         -  (not for this role)
  restarts                       -         -  (not for this role)
  tool-calls                     2         1
  tool-call-rate                 2         1
  provider-retries               -         -  (not for this role)
  thread-not-found               0         3
EOF
assert_file_eq "stdin --role activity: per-line output and summary" want2.txt got2.txt

# Without --role, a stdin input has no role: every rule is tried.
"$MCPLOG" test-rules - < act.txt > out 2>err
assert_eq "stdin, no role: exit 0" 0 $?
assert_contains "stdin, no role: says so" out \
    "Input: standard input, role unknown (every rule is tried)"
assert_contains "stdin, no role: tool-calls tried" out \
    "  tool-calls                     2         1"
assert_contains "stdin, no role: errors tried too" out \
    "  errors                         0         3"

# ---------------------------------------------------------------------------
# 4. An invalid rule file: exit 2, the message, no listing.
printf 'rules:\n  - name: a\n    match: x\n  - name: a\n    match: y\n' > dup.yaml
assert_status "duplicate rule name: exit 2" 2 "$MCPLOG" test-rules --rules dup.yaml
assert_eq "duplicate rule name: message" \
    "mcplog: dup.yaml:4:5: rule 'a': duplicate rule name (first defined at 2:5)" \
    "$(cat err)"
assert_eq "duplicate rule name: no listing" "" "$(cat out)"
printf 'rules:\n  - name: nomatch\n    severity: info\n' > nomatch.yaml
assert_status "missing match: exit 2" 2 "$MCPLOG" test-rules --rules nomatch.yaml mcp_server.log
assert_eq "missing match: message" \
    "mcplog: nomatch.yaml:2:5: rule 'nomatch': missing required key 'match'" \
    "$(cat err)"
assert_status "two inputs: exit 2" 2 "$MCPLOG" test-rules mcp_server.log act.txt
assert_status "missing input file: exit 2" 2 "$MCPLOG" test-rules nosuch.log
assert_eq "missing input file: message" \
    "mcplog: nosuch.log: No such file or directory" "$(cat err)"
