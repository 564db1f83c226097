# t_names.sh - hostile names (issue 10, item 6): file, folder, rules file,
# config, state path, sink and label names holding terminal escapes
# (ESC ] 0 ; PWNED BEL: set the title; ESC [ 2 J: clear the screen; a raw
# 0x9b byte: an 8-bit CSI). Every command that prints such a name must
# show it through the terminal escaper (\x1b, \x07, \x9b, \u{009b}) and
# never write a raw ESC, BEL or C1 byte; JSON must stay valid.
HOME=$T
unset XDG_CONFIG_HOME
export XDG_STATE_HOME="$T/xdg-state"
export MCPLOG_DATADIR="$ROOT"

EV=$(printf 'evil\033]0;PWNED\007\033[2J\233')      # raw 0x9b: invalid UTF-8
EVX='evil\x1b]0;PWNED\x07\x1b[2J\x9b'               # as the escaper shows it
EVU=$(printf 'evil\033]0;PWNED\007\033[2J\302\233') # U+009B (what YAML holds)
EVUX='evil\x1b]0;PWNED\x07\x1b[2J\u{009b}'
YEV='evil\e]0;PWNED\a\e[2J\x9b'                     # EVU in a YAML "string"

# raw FILE: how many raw ESC, BEL and C1 characters FILE holds (C1 as a
# raw byte 0x80-0x9f outside valid UTF-8, or U+0080-U+009F in UTF-8).
raw() {
    python3 -c '
import sys
s = open(sys.argv[1], "rb").read().decode("utf-8", "surrogateescape")
print(sum(1 for c in s if c in "\x1b\x07" or "\x80" <= c <= "\x9f"
          or "\udc80" <= c <= "\udc9f"))' "$1"
}

# clean WHAT: neither out nor err (of the last assert_status) holds any
clean() {
    assert_eq "$1: no raw ESC, BEL or C1 on stdout" 0 "$(raw out)"
    assert_eq "$1: no raw ESC, BEL or C1 on stderr" 0 "$(raw err)"
}

# jsonval FILE EXPR: a Python expression over the strictly parsed
# document d (FILE is one JSON document, or JSON lines with -l)
jsonval() {
    python3 -c '
import json, sys
d = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"), strict=True)
print(eval(sys.argv[2]))' "$1" "$2" 2>&1
}

LINE='2025-12-10 14:00:00,000 - tools.x - ERROR - boom'
mkdir "logs$EV"
echo "$LINE" >"$EV.log"
echo "$LINE" >"logs$EV/mcp_server.log"

# --- scan ----------------------------------------------------------------------
assert_status "scan a file with a hostile name" 0 "$MCPLOG" scan --tz UTC "$EV.log"
clean "scan file"
assert_contains "scan: role column and path escaped" out "  $EVX.log $EVX.log"
assert_status "scan a folder with a hostile name" 0 "$MCPLOG" scan --tz UTC "logs$EV"
clean "scan folder"
assert_contains "scan: folder escaped" out "  server    logs$EVX/mcp_server.log"
assert_status "scan --source with a hostile role" 0 \
    "$MCPLOG" scan --tz UTC --source "r$EV=$EV.log"
clean "scan --source"
assert_contains "scan --source: role escaped" out "  r$EVX $EVX.log"
assert_status "scan --json of the hostile file" 0 \
    "$MCPLOG" scan --tz UTC --json "$EV.log"
clean "scan --json"
assert_eq "scan --json: valid, the role with U+FFFD for the 0x9b byte" True \
    "$(jsonval out "d['inputs'][0]['role'] == 'evil\x1b]0;PWNED\x07\x1b[2J\ufffd.log'")"
assert_status "scan of a missing hostile path" 2 "$MCPLOG" scan "nope$EV"
clean "scan missing"
assert_eq "scan missing: the error escaped" \
    "mcplog: nope$EVX: No such file or directory" "$(cat err)"

# --- rules: test-rules, a rules file with a hostile name -------------------------
assert_status "test-rules on the hostile file" 0 "$MCPLOG" test-rules "$EV.log"
clean "test-rules"
assert_contains "test-rules: Input line escaped" out \
    "Input: $EVX.log, role unknown (every rule is tried)"
assert_status "test-rules --role hostile" 0 \
    "$MCPLOG" test-rules --role "r$EV" "$EV.log"
clean "test-rules --role"
assert_contains "test-rules --role: role escaped" out "Input: $EVX.log, role r$EVX"
cat >"r$EV.yaml" <<Y
rules:
  - name: a
    source: "g$YEV*"
    match: 'boom'
Y
assert_status "test-rules lists a hostile rules file" 0 \
    "$MCPLOG" test-rules --no-default-rules --rules "r$EV.yaml"
clean "test-rules list"
assert_contains "test-rules list: source glob and file escaped" out \
    "  a                    g$EVUX* count     counts  (r$EVX.yaml:2)"
printf 'rules:\n  - name: a\n    match: "("\n' >"bad$EV.yaml"
assert_status "scan with a broken hostile rules file" 2 \
    "$MCPLOG" scan --rules "bad$EV.yaml" "$EV.log"
clean "rules error"
assert_eq "rules error: file:line:col escaped" \
    "mcplog: bad$EVX.yaml:3:14: rule 'a': pattern error at offset 1: missing closing parenthesis" \
    "$(cat err)"

# --- config: routes, sinks, replay ------------------------------------------------
printf 'sinks: [1]\n' >"c$EV.yaml"
assert_status "routes test with a broken hostile config" 2 \
    "$MCPLOG" routes test --config "c$EV.yaml" --severity critical --rule errors
clean "config error"
assert_eq "config error: file:line:col escaped" \
    "mcplog: c$EVX.yaml:1:8: sinks must be a mapping of name to sink" "$(cat err)"
cat >c.yaml <<Y
sinks:
  "s$YEV":
    type: file
    path: "$T/alerts.jsonl"
  "x$YEV":
    type: command
    argv: [/bin/false]
routes:
  - match: {labels: {"l$YEV": "*"}}
    sinks: ["s$YEV"]
  - match: {severity: warning}
    sinks: ["x$YEV"]
Y
assert_status "routes test with hostile sink and label names" 0 \
    "$MCPLOG" routes test --config c.yaml --severity critical --rule errors \
    --label "l$EVU=v$EV"
clean "routes test"
assert_contains "routes test: label escaped" out \
    "alert: errors severity=critical l$EVUX=v$EVX"
assert_contains "routes test: sink escaped" out "goes to: s$EVUX (file)"
assert_status "sinks test of a hostile sink name" 0 \
    "$MCPLOG" sinks test --config c.yaml "s$EVU"
clean "sinks test"
assert_contains "sinks test: name escaped" out "sink s$EVUX: firing: ok"
# a failing command sink in scan --replay, for an alert whose key holds a
# hostile logger name from the log
mkdir rp
echo "2025-12-10 14:00:00,000 - tools.$EV - ERROR - boom" >rp/mcp_server.log
assert_status "scan --replay to a failing hostile sink" 1 \
    "$MCPLOG" scan --tz UTC --config c.yaml --replay --replay-sinks "x$EVU" rp
clean "scan --replay"
# (a sink's key holds valid UTF-8 only: the 0x9b byte is U+FFFD there)
assert_contains "replay: the failure names the sink and key escaped" err \
    "mcplog: sink x$EVUX: firing alert errors{logger=tools.evil\x1b]0;PWNED\x07\x1b[2J$(printf '\357\277\275')} not delivered after 1 attempt: /bin/false: exited with 1"

# --- follow -----------------------------------------------------------------------
"$MCPLOG" follow --tz UTC --from-start --state "st$EV/state" --grace 200ms \
    "logs$EV" "$EV.log" >f.out 2>f.err &
PID=$!
wait_for f.out "ERROR - boom" 10
# rotation with no gap: a hard link keeps the old file, a rename puts a
# new one in its place at once
ln "$EV.log" "$EV.log.1"
echo "$LINE" >new.log
mv new.log "$EV.log"
wait_for f.err "was rotated" 10
kill -TERM "$PID"
wait "$PID"
assert_eq "follow: exit 0 on SIGTERM" 0 $?
cp f.out out
cp f.err err
clean "follow"
assert_contains "follow: the rotation notice escaped" f.err \
    "mcplog: $EVX.log was rotated, reopening"
assert_contains "follow: the missing family escaped" f.err \
    "mcplog: logs$EVX/mcp_activity.log does not exist yet, waiting for it"

# --- health -----------------------------------------------------------------------
assert_status "health of a hostile logs folder" 1 \
    "$MCPLOG" health --config c.yaml "logs$EV"
clean "health"
assert_contains "health: the folder escaped" out "log_dir: OK - logs$EVX holds 49 B"
assert_status "health --json of a hostile logs folder" 1 \
    "$MCPLOG" health --config c.yaml --json "logs$EV"
clean "health --json"
assert_eq "health --json: valid, the folder with U+FFFD" True \
    "$(jsonval out "d['logs'] == 'logsevil\x1b]0;PWNED\x07\x1b[2J\ufffd'")"

# a newline in the folder name must not start a forged check line
NL="nl$(printf '\nx')"
NL="${NL%x}processes: OK - forged"
mkdir "$NL"
echo "$LINE" >"$NL/mcp_server.log"
assert_status "health of a folder with a newline in its name" 1 \
    "$MCPLOG" health --config c.yaml "$NL"
assert_eq "health: one line per check, nothing forged" 7 "$(wc -l <out)"
assert_contains "health: the newline escaped" out \
    'log_dir: OK - nl\x0aprocesses: OK - forged holds 49 B'

# --- silence ----------------------------------------------------------------------
assert_status "silence add with a hostile state path and label" 0 \
    "$MCPLOG" silence add errors "logger=$EV" --for 1h --state "st$EV/state"
clean "silence add"
assert_status "silence list" 0 "$MCPLOG" silence list --state "st$EV/state"
clean "silence list"
assert_contains "silence list: the label escaped" out "  errors logger=$EVX"
assert_status "silence expire of an unknown id" 1 \
    "$MCPLOG" silence expire nope --state "st$EV/state"
clean "silence expire"
assert_eq "silence expire: the path escaped" \
    "mcplog: no silence with id 'nope' in st$EVX/state.silences" "$(cat err)"

# --- ps and cleanup: a server in a folder with a hostile name ---------------------
PY=$(command -v python3)
mkdir "srv$EVU"
cp "$ROOT/tests/e2e/proc/server.py" "srv$EVU/server.py"
cat >p.yaml <<Y
server:
  dir: "$T/srv$YEV"
  match:
    - {python: server.py}
Y
(cd "srv$EVU" && exec env DUMMY_READY="$T/ready" "$PY" "$T/srv$EVU/server.py" >/dev/null 2>&1) &
SP=$!
trap 'kill -KILL "$SP" 2>/dev/null' EXIT
i=0
while [ ! -e "$T/ready" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
assert_status "ps with a hostile server folder" 0 "$MCPLOG" ps --config p.yaml
clean "ps"
assert_contains "ps: the server folder escaped" out "runs $T/srv$EVUX/server.py"
assert_status "ps --json" 0 "$MCPLOG" ps --config p.yaml --json
clean "ps --json"
assert_eq "ps --json: valid, the folder round-trips" True \
    "$(jsonval out "d['processes'][0]['cwd'] == '$T/srv' + 'evil\x1b]0;PWNED\x07\x1b[2J\x9b'")"
assert_status "cleanup --dry-run" 0 "$MCPLOG" cleanup --config p.yaml --dry-run
clean "cleanup --dry-run"
assert_contains "cleanup: the server folder escaped" out "runs $T/srv$EVUX/server.py"
kill -KILL "$SP"
wait "$SP" 2>/dev/null
trap - EXIT
