# scan for long histories (mcplog(1) scan --summary, --min-severity, --by,
# --color, --no-pager): against the bundled sample, whose full reports
# are checked byte for byte by t_samples. Every expected value here is
# derived from samples/expected-scan.txt / .json or from the logs
# themselves, independently of the new code.
# The sample is scanned from the source tree (its paths as in the
# expected outputs: samples/logs/...); out and err stay in $T.
S=samples/logs
EXP=$ROOT/samples/expected-scan.txt
JEXP=$ROOT/samples/expected-scan.json
inroot() { (cd "$ROOT" && "$MCPLOG" "$@"); }

# 1. --summary: the rules, alerts (the first line of each) and tool-call
#    tables of the full report, nothing else.
python3 - "$EXP" >"$T/summary.exp" <<'PY'
import sys
secs = open(sys.argv[1]).read().rstrip("\n").split("\n\n")
keep = []
for s in secs:
    head = s.split("\n", 1)[0]
    if head.startswith("Rules:") or head.startswith("Tool calls"):
        keep.append(s)
    elif head.startswith("Alerts:"):
        keep.append("\n".join(l for l in s.split("\n") if not l.startswith("    ")))
print("\n\n".join(keep))
PY
assert_status "--summary: exit 0" 0 inroot scan --summary "$S"
cp out "$T/summary.txt"
assert_file_eq "--summary: the three tables of the full report" "$T/summary.exp" "$T/summary.txt"
assert_eq "--summary: 71 lines instead of 183" "71 183" \
    "$(wc -l <"$T/summary.txt" | tr -d ' ') $(wc -l <"$EXP" | tr -d ' ')"
assert_status "--summary --json: exit 0" 0 inroot scan --summary --json "$S"
cp out "$T/summary.json"
assert_eq "--summary --json: the keys" "version rules alerts totals" \
    "$(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))))' "$T/summary.json")"
assert_eq "--summary --json: rules and alerts as in the full document" "True True 34" \
    "$(python3 - "$T/summary.json" "$JEXP" <<'PY'
import json, sys
s, f = (json.load(open(p)) for p in sys.argv[1:])
drop = ("last_line", "origin", "context")
print(s["rules"] == f["rules"],
      s["alerts"] == [{k: v for k, v in a.items() if k not in drop} for a in f["alerts"]],
      len(s["alerts"]))
PY
)"

# 2. --min-severity: rules and alerts at that severity or worse.
assert_status "--min-severity critical: exit 0" 0 inroot scan --summary --min-severity critical "$S"
assert_eq "--min-severity critical: the two critical rules, their 3 alerts" "Rules:
  RULE                   SEVERITY    MATCHES  ALERTS
  reconnect-failures     critical         12       1
  startup-not-ready      critical         15       2

Alerts: 3
  2025-12-09 09:32:25,268 .. 2025-12-09 09:32:40,051  critical startup-not-ready{pid=31877} count=1
  2025-12-09 15:39:06,887 .. (still firing at end of log)  critical startup-not-ready{pid=40121} count=1
  2025-12-10 14:12:14,874 .. 2025-12-10 15:05:21,996  critical reconnect-failures{server=hestai} count=9" "$(cat out)"
assert_status "--min-severity warning --json: exit 0" 0 inroot scan --json --min-severity warning "$S"
cp out "$T/warn.json"
assert_eq "--min-severity warning --json: what the full document holds at warning or worse" "True True True warning" \
    "$(python3 - "$T/warn.json" "$JEXP" <<'PY'
import json, sys
w, f = (json.load(open(p)) for p in sys.argv[1:])
rank = {"info": 1, "warning": 2, "critical": 3}
ok = lambda s: rank.get(s, 0) >= 2
print(w["rules"] == {k: v for k, v in f["rules"].items() if ok(v["severity"])},
      w["alerts"] == [a for a in f["alerts"] if ok(a["severity"])],
      w["expectations"] == [x for x in f["expectations"] if ok(f["rules"][x["rule"]]["severity"])],
      w["min_severity"])
PY
)"
assert_status "--min-severity warning: exit 0" 0 inroot scan --min-severity warning "$S"
assert_eq "--min-severity warning: 30 alerts (34 less the 4 info)" "Alerts: 30" "$(grep '^Alerts:' out)"
assert_eq "--min-severity warning: no tool-call table (tool-calls has no severity)" "" "$(grep '^Tool calls' out)"
assert_eq "--min-severity warning: the startups still shown" "Startups (startup-not-ready, ready within 30s):" \
    "$(grep '^Startups' out)"
assert_status "--min-severity bad: exit 2" 2 inroot scan --min-severity loud "$S"
assert_eq "--min-severity bad: the message" "mcplog: --min-severity takes info, warning or critical
Try 'mcplog scan --help'." "$(cat err)"

# 3. --by hour|day: the matches of each rule per local hour or day.
#    Counted here from the logs themselves with the rule's own pattern.
python3 - "$ROOT/$S" hour >"$T/hour.exp" <<'PY'
import gzip, os, re, sys, collections
pat = re.compile(r'^(?:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[,.]\d{3} - (?:[^ ]+ - [A-Z]+ - )?)?(?:\[[A-Z]+\] )?(?:<local-command-stdout>)?Failed to reconnect to ([^\s<]+?)\.?(?:</local-command-stdout>)?\s*$')
c = collections.Counter()
for n in os.listdir(sys.argv[1]):
    p = os.path.join(sys.argv[1], n)
    op = gzip.open if n.endswith(".gz") else open
    last = None
    with op(p, "rt", errors="replace") as f:
        for l in f:
            l = l.rstrip("\n")
            m = re.match(r"(\d{4}-\d\d-\d\d \d\d):", l)
            if m:
                last = m.group(1)
            if pat.match(l):
                c[last] += 1
mx = max(c.values())
print("  reconnect-failures")
for k in sorted(c):
    print("    %-16s %9d  %s" % (k + ":00", c[k], "#" * ((c[k] * 40 + mx - 1) // mx)))
PY
assert_status "--by hour: exit 0" 0 inroot scan --by hour --min-severity critical --summary "$S"
assert_eq "--by hour: reconnect-failures per hour, as counted from the logs" "$(cat "$T/hour.exp")" \
    "$(sed -n '/^Matches by hour (local time):$/,$p' out | sed -n '/^  reconnect-failures$/,/^  [a-z]/p' | sed '$d')"
assert_eq "--by hour: the section's title" "Matches by hour (local time):" "$(grep '^Matches by' out)"
# The errors per day, counted with the rule's pattern over the server
# logs by a separate script: 4, 1, 26, 18, 27 (76 in all).
assert_status "--by day --json: exit 0" 0 inroot scan --by day --json "$S"
cp out "$T/day.json"
assert_eq "--by day --json: every rule's days add up to its matches; errors by day" \
    "True day [('2025-12-05T00:00:00.000Z', 4), ('2025-12-06T00:00:00.000Z', 1), ('2025-12-08T00:00:00.000Z', 26), ('2025-12-09T00:00:00.000Z', 18), ('2025-12-10T00:00:00.000Z', 27)]" \
    "$(python3 - "$T/day.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
h = d["histogram"]
print(all(sum(b["matches"] for b in h["rules"].get(k, [])) == v["matches"] for k, v in d["rules"].items()),
      h["by"], [(b["start"], b["matches"]) for b in h["rules"]["errors"]])
PY
)"
assert_status "--by week: exit 2" 2 inroot scan --by week "$S"
assert_eq "--by week: the message" "mcplog: --by takes hour or day
Try 'mcplog scan --help'." "$(cat err)"

# Day and hour boundaries in a zone with DST: local midnight and local
# hours (Europe/Paris left DST on 2025-10-26 at 03:00 local: 02:00-03:00
# happens twice; the logs' naive 02:30 is read as its first, summer, one).
mkdir -p "$T/dst"
cat >"$T/dst/mcp_server.log" <<'L'
2025-10-25 23:59:59,999 - a - ERROR - before midnight
2025-10-26 00:00:00,000 - a - ERROR - midnight
2025-10-26 01:59:00,000 - a - ERROR - one
2025-10-26 02:30:00,000 - a - ERROR - two thirty
2025-10-26 03:10:00,000 - a - ERROR - after the change
2025-10-27 00:00:00,000 - a - ERROR - next day
2025-10-27 00:10:00,000 - a - INFO - (a time jump needs lines that agree)
2025-10-27 00:20:00,000 - a - INFO - (a time jump needs lines that agree)
L
assert_status "--by day in Europe/Paris: exit 0" 0 inroot scan --tz Europe/Paris --by day --json "$T/dst"
assert_eq "--by day in Europe/Paris: local midnights (+02:00, then +01:00)" \
    "[('2025-10-25T00:00:00.000+02:00', 1), ('2025-10-26T00:00:00.000+02:00', 4), ('2025-10-27T00:00:00.000+01:00', 1)]" \
    "$(python3 -c 'import json,sys; print([(b["start"], b["matches"]) for b in json.load(open(sys.argv[1]))["histogram"]["rules"]["errors"]])' out)"
assert_status "--by hour in Europe/Paris: exit 0" 0 inroot scan --tz Europe/Paris --by hour --summary "$T/dst"
assert_eq "--by hour in Europe/Paris: local hours" "  errors
    2025-10-25 23:00         1  ########################################
    2025-10-26 00:00         1  ########################################
    2025-10-26 01:00         1  ########################################
    2025-10-26 02:00         1  ########################################
    2025-10-26 03:00         1  ########################################
    2025-10-27 00:00         1  ########################################" \
    "$(sed -n '/^Matches by hour/,$p' out | sed 1d)"

# 4. Colour: only on a terminal (or --color always), never in JSON.
assert_status "--color always: exit 0" 0 inroot scan --summary --color always --min-severity critical "$S"
assert_eq "--color always: headings bold, critical bold red" "$(printf '\033[1mRules:\033[0m
  RULE                   SEVERITY    MATCHES  ALERTS
  reconnect-failures     \033[1;31mcritical \033[0m        12       1
  startup-not-ready      \033[1;31mcritical \033[0m        15       2

\033[1mAlerts:\033[0m 3
  2025-12-09 09:32:25,268 .. 2025-12-09 09:32:40,051  \033[1;31mcritical\033[0m startup-not-ready{pid=31877} count=1
  2025-12-09 15:39:06,887 .. (still firing at end of log)  \033[1;31mcritical\033[0m startup-not-ready{pid=40121} count=1
  2025-12-10 14:12:14,874 .. 2025-12-10 15:05:21,996  \033[1;31mcritical\033[0m reconnect-failures{server=hestai} count=9')" "$(cat out)"
assert_status "--color always --json: exit 0" 0 inroot scan --json --color always "$S"
assert_file_eq "--color always --json: the plain document" "$JEXP" out
assert_status "--color bad: exit 2" 2 inroot scan --color sometimes "$S"

# 5. On a terminal: colour and $PAGER (script(1) gives a pty). PAGER is
#    run by sh -c as git and man do; LESS=FRX unless LESS is set.
cat >"$T/pager.sh" <<'P'
#!/bin/sh
printf 'LESS=%s\n' "${LESS-unset}" >"$PAGED.env"
cat >"$PAGED"
P
chmod +x "$T/pager.sh"
run_tty() { # CMD...: run in a pty from the source tree, its terminal output in tty.out
    script -qec "cd '$ROOT' && $*" /dev/null >"$T/tty.out" 2>&1 </dev/null
}
PAGED=$T/paged.txt PAGER="$T/pager.sh" run_tty "$MCPLOG" scan --summary --min-severity critical "$S"
assert_eq "on a terminal: the report goes through \$PAGER, coloured" \
    "$(printf '\033[1mAlerts:\033[0m 3')" "$(grep Alerts "$T/paged.txt")"
assert_eq "on a terminal: LESS=FRX for the pager" "LESS=FRX" "$(cat "$T/paged.txt.env")"
assert_eq "on a terminal: nothing else on the terminal" "" "$(cat "$T/tty.out")"
rm -f "$T/paged.txt"
LESS=S PAGED=$T/paged.txt PAGER="$T/pager.sh" run_tty "$MCPLOG" scan --summary "$S"
assert_eq "on a terminal: the user's LESS kept" "LESS=S" "$(cat "$T/paged.txt.env")"
rm -f "$T/paged.txt"
PAGED=$T/paged.txt PAGER="$T/pager.sh" run_tty "$MCPLOG" scan --no-pager --summary --min-severity critical "$S"
assert_eq "--no-pager: no pager run" "no" "$([ -e "$T/paged.txt" ] && echo yes || echo no)"
assert_eq "--no-pager: the coloured report on the terminal" \
    "$(printf '\033[1mAlerts:\033[0m 3\r')" "$(grep Alerts "$T/tty.out")"
PAGED=$T/paged.txt PAGER=cat NO_COLOR=1 run_tty "$MCPLOG" scan --summary --min-severity critical "$S"
assert_eq "PAGER=cat, NO_COLOR=1: straight to the terminal, plain" \
    "$(printf 'Alerts: 3\r')" "$(grep Alerts "$T/tty.out")"
# A pager quit before the end: a report of 3020 lines (3000 tools, some
# 130 KB), over a pipe's 64 KiB, and a pager that reads 10 bytes and leaves. No
# error, exit 0.
mkdir -p "$T/big"
python3 -c "
for i in range(3000): print('2025-12-10 10:%02d:%02d,000 - TOOL_CALL: tool%05d with 1 argument' % (i//60%60, i%60, i))" >"$T/big/mcp_activity.log"
inroot scan "$T/big" >"$T/big.txt"
assert_eq "the big report: 3020 lines" 3020 "$(wc -l <"$T/big.txt" | tr -d ' ')"
PAGER="head -c 10 >/dev/null" run_tty "$MCPLOG" scan "$T/big" ';' echo "rc=\$?"
assert_eq "a pager quit early: exit 0, nothing on stderr" "$(printf 'rc=0\r')" "$(cat "$T/tty.out")"
# Not a terminal: no pager even with PAGER set (every other test relies on it).
PAGED=$T/paged.txt PAGER="$T/pager.sh" inroot scan --summary "$S" >"$T/plain.txt"
assert_file_eq "not a terminal: no pager, no colour" "$T/summary.exp" "$T/plain.txt"
