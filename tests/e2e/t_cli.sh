# Commands and help (mcplog(1) COMMANDS): `help CMD`, -V, an unknown
# command or option named with the nearest one, `rules` and `sinks list`
# with their exact outputs, and the warnings of routes test and silence add
# for a rule that no loaded rule matches.
HOME=$T
unset XDG_CONFIG_HOME

# 1. mcplog help CMD is CMD --help, for every command.
for cmd in scan follow test-rules sinks silence routes ps cleanup health rules; do
    "$MCPLOG" help $cmd >h1 2>h1.err
    s1=$?
    "$MCPLOG" $cmd --help >h2 2>h2.err
    s2=$?
    assert_eq "help $cmd: exit 0 as $cmd --help" "0 0" "$s1 $s2"
    assert_file_eq "help $cmd: the same text as $cmd --help" h2 h1
    assert_eq "help $cmd: nothing on stderr" "" "$(cat h1.err)"
done
assert_status "help alone: exit 0" 0 "$MCPLOG" help
assert_eq "help alone: the usage" "usage: mcplog COMMAND [options]" "$(head -n 1 out)"
assert_contains "help alone: lists rules" out "  rules        list the rules in force and where each came from"
assert_status "help scna: exit 2" 2 "$MCPLOG" help scna
assert_eq "help scna: did you mean" \
    "mcplog: unknown command 'scna' (did you mean 'scan'?)" "$(cat err)"
assert_status "help scan ps: exit 2" 2 "$MCPLOG" help scan ps

# 2. -V is --version.
ver=$(sed -n 's/^#define MCP_VERSION "\(.*\)"$/\1/p' "$ROOT/analyzer/base/mcp.h")
assert_status "-V: exit 0" 0 "$MCPLOG" -V
assert_eq "-V: the version" "mcplog $ver" "$(cat out)"

# 3. Unknown commands and options, named, with the nearest one.
assert_status "scna: exit 2" 2 "$MCPLOG" scna logs
assert_eq "scna: did you mean 'scan'" \
    "mcplog: unknown command 'scna' (did you mean 'scan'?)" "$(cat err)"
assert_eq "scna: nothing on stdout" "" "$(cat out)"
assert_status "folow: exit 2" 2 "$MCPLOG" folow
assert_eq "folow: did you mean 'follow'" \
    "mcplog: unknown command 'folow' (did you mean 'follow'?)" "$(cat err)"
assert_status "test-rule: exit 2" 2 "$MCPLOG" test-rule
assert_eq "test-rule: did you mean 'test-rules'" \
    "mcplog: unknown command 'test-rule' (did you mean 'test-rules'?)" "$(cat err)"
assert_status "--verison: exit 2" 2 "$MCPLOG" --verison
assert_eq "--verison: did you mean '--version'" \
    "mcplog: unknown option '--verison' (did you mean '--version'?)" "$(cat err)"
assert_status "scan --jsn: exit 2" 2 "$MCPLOG" scan --jsn logs
assert_eq "scan --jsn: did you mean '--json'" \
    "mcplog: scan: unknown option '--jsn' (did you mean '--json'?)
Try 'mcplog scan --help'." "$(cat err)"
assert_status "follow --from-strat: exit 2" 2 "$MCPLOG" follow --from-strat
assert_eq "follow --from-strat: did you mean '--from-start'" \
    "mcplog: follow: unknown option '--from-strat' (did you mean '--from-start'?)
Try 'mcplog follow --help'." "$(cat err)"
assert_status "scan --json=yes: exit 2" 2 "$MCPLOG" scan --json=yes logs
assert_eq "scan --json=yes: takes no value" \
    "mcplog: scan: option '--json' takes no value
Try 'mcplog scan --help'." "$(cat err)"
assert_status "ps --cnofig: exit 2" 2 "$MCPLOG" ps --cnofig x
assert_eq "ps --cnofig: did you mean '--config'" \
    "mcplog: ps: unknown option '--cnofig' (did you mean '--config'?)
Try 'mcplog ps --help'." "$(cat err)"
assert_status "sinks test --severty: exit 2" 2 "$MCPLOG" sinks test x --severty info
assert_eq "sinks test --severty: did you mean '--severity'" \
    "mcplog: sinks test: unknown option '--severty' (did you mean '--severity'?)
Try 'mcplog sinks test --help'." "$(cat err)"
assert_status "health --jsn: exit 3 (UNKNOWN)" 3 "$MCPLOG" health --jsn
assert_eq "health --jsn: did you mean '--json'" \
    "MCPLOG UNKNOWN - health: unknown option '--jsn' (did you mean '--json'?) (try 'mcplog health --help')" \
    "$(cat out)"
assert_status "sinks tset: exit 2" 2 "$MCPLOG" sinks tset
assert_eq "sinks tset: did you mean 'test'" \
    "mcplog: sinks: unknown verb 'tset' (did you mean 'test'?)
Try 'mcplog sinks --help'." "$(cat err)"

# 4. mcplog rules: the rules in force, where each came from.
cat >a.yaml <<'Y'
rules:
  - name: calls
    source: activity
    match: 'TOOL_CALL: (?<tool>\S+)'

  - name: burst
    match: 'boom'
    threshold: {count: 3, window: 1m}
    severity: warning
Y
mkdir more
cat >more/b.yaml <<'Y'
rules:
  - name: late
    source: server
    match: 'start'
    expect: {match: 'ready', within: 30s}
    severity: critical
  - name: calls
    source: 'client-*'
    match: 'again'
    severity: info
Y
assert_status "rules --no-default-rules: exit 0" 0 "$MCPLOG" rules \
    --no-default-rules --rules a.yaml --rules more
assert_eq "rules: the table, a later rule of a name in the place of the first" \
    "RULE                 SEVERITY  INPUT    WHEN                 FROM
calls                info      client-* every match          --rules more/b.yaml:7
burst                warning   any      more than 3 in 1m    --rules a.yaml:6
late                 critical  server   expect within 30s    --rules more/b.yaml:2" \
    "$(cat out)"
assert_status "rules --names: exit 0" 0 "$MCPLOG" rules --no-default-rules \
    --rules a.yaml --rules more --names
assert_eq "rules --names" "calls
burst
late" "$(cat out)"
assert_status "rules, none: exit 0" 0 "$MCPLOG" rules --no-default-rules
assert_eq "rules, none" "no rules in force" "$(cat out)"
assert_status "rules with an argument: exit 2" 2 "$MCPLOG" rules logs
assert_status "rules, a broken file: exit 2" 2 "$MCPLOG" rules --rules nothere.yaml
# Shipped, user (overriding a shipped rule) and probe rules.
mkdir -p .config/mcplog/rules
cat >.config/mcplog/rules/mine.yaml <<'Y'
rules:
  - name: errors
    source: server
    match: ' - ERROR - '
    severity: critical
Y
assert_status "rules: exit 0" 0 "$MCPLOG" rules
assert_eq "rules: 12 rules and the header" 13 "$(wc -l <out)"
assert_eq "rules: the user's errors in place of the shipped one" \
    "errors               critical  server   every match          user $T/.config/mcplog/rules/mine.yaml:2" \
    "$(sed -n 2p out)"
assert_eq "rules: a shipped rule" \
    "restarts             warning   server   more than 1 in 7d    shipped $ROOT/rules/default.yaml:$(grep -n -- '- name: restarts' "$ROOT/rules/default.yaml" | cut -d: -f1)" \
    "$(grep '^restarts ' out)"
assert_eq "rules: a probe rule (follow's)" \
    "no-server            critical  probe    more than 0 in 90s   shipped $ROOT/rules/probes.yaml:$(grep -n -- '- name: no-server' "$ROOT/rules/probes.yaml" | cut -d: -f1)" \
    "$(grep '^no-server ' out)"
rm -r .config

# 5. mcplog sinks list: name, type, routes, target with secrets hidden.
cat >s.yaml <<'Y'
sinks:
  hook: {type: webhook, url: 'http://user:pw@127.0.0.1:9/x?token=abc', format: alertmanager}
  page: {type: command, argv: [/bin/echo, secret-token, more]}
  journal: {type: file, path: /var/tmp/alerts.jsonl}
  spare: {type: command, argv: [/bin/true]}
routes:
  - match: {severity: critical, rule: 'err*', labels: {tool: chat}}
    sinks: [hook, page]
    continue: true
  - match: {severity: [warning, critical]}
    sinks: [terminal, journal]
  - sinks: [journal]
Y
assert_status "sinks list: exit 0" 0 "$MCPLOG" sinks list --config s.yaml
assert_eq "sinks list: the table and the routes" \
    "config: s.yaml
NAME             TYPE     ROUTES   TARGET
hook             webhook  1        http://***@127.0.0.1:9/x?token=*** (alertmanager)
page             command  1        /bin/echo (+2 arguments)
journal          file     2,3      /var/tmp/alerts.jsonl
spare            command  none     /bin/true
route 1: severity critical, rule err*, tool=chat (continue)
route 2: severity warning|critical
route 3: every alert" "$(cat out)"
assert_not_contains "sinks list: no password" out "pw@"
assert_not_contains "sinks list: no token" out "abc"
assert_not_contains "sinks list: no command argument" out "secret-token"
assert_status "sinks list --names: exit 0" 0 "$MCPLOG" sinks list --config s.yaml --names
assert_eq "sinks list --names" "hook
page
journal
spare" "$(cat out)"
assert_status "sinks: exit 0" 0 "$MCPLOG" sinks --config "$ROOT/tests/e2e/terminal-only.yaml"
assert_eq "sinks alone: the configured sinks, then the types" \
    "config: $ROOT/tests/e2e/terminal-only.yaml
no sinks configured

sink types (mcplog sinks --help TYPE):
desktop    desktop notification through libnotify (dunst, GNOME, KDE...), one per alert, updated in place
command    run a program (no shell) with the alert in its environment and as JSON on stdin
webhook    POST alerts as JSON over HTTP(S); Alertmanager format too
file       append one JSON line per alert transition to a file" "$(cat out)"
assert_status "sinks types: exit 0" 0 "$MCPLOG" sinks types
assert_eq "sinks types: four" 4 "$(wc -l <out)"
assert_status "sinks list, a bad config: exit 2" 2 "$MCPLOG" sinks list --config nothere.yaml

# 6. routes test --rule and silence add warn about a rule no loaded rule
#    matches (a warning: the exit status and the output are unchanged).
assert_status "routes test, a typo: exit 0" 0 "$MCPLOG" routes test \
    --config s.yaml --severity warning --rule erors
assert_eq "routes test, a typo: warned with the nearest rule" \
    "mcplog: routes test: no loaded rule is called 'erors' (did you mean 'errors'?)" \
    "$(cat err)"
assert_eq "routes test, a typo: still answered" "goes to: terminal journal (file)" \
    "$(tail -n 1 out)"
assert_status "routes test, a rule: exit 0" 0 "$MCPLOG" routes test \
    --config s.yaml --severity warning --rule errors
assert_eq "routes test, a rule: no warning" "" "$(cat err)"
assert_status "routes test, a probe rule: exit 0" 0 "$MCPLOG" routes test \
    --config s.yaml --severity warning --rule stale-processes
assert_eq "routes test, a probe rule: no warning" "" "$(cat err)"
assert_status "routes test, unlike any: exit 0" 0 "$MCPLOG" routes test \
    --config s.yaml --severity warning --rule zzzzzz
assert_eq "routes test, unlike any: warned, no suggestion" \
    "mcplog: routes test: no loaded rule is called 'zzzzzz'" "$(cat err)"
assert_status "silence add, a typo: exit 0" 0 "$MCPLOG" silence add tol-calls \
    --for 1h --state "$T/st/state"
assert_eq "silence add, a typo: warned" \
    "mcplog: silence add: no loaded rule is called 'tol-calls' (did you mean 'tool-calls'?)" \
    "$(cat err)"
assert_eq "silence add, a typo: added all the same" 16 "$(tr -d '\n' <out | wc -c)"
assert_status "silence add, a glob: exit 0" 0 "$MCPLOG" silence add 'tool-*' \
    --for 1h --state "$T/st/state"
assert_eq "silence add, a glob that matches: no warning" "" "$(cat err)"
