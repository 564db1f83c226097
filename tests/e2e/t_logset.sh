# t_logset.sh - which files a scan reads and in what order (logset.h):
# Python RotatingFileHandler, logrotate delaycompress and dateext,
# TimedRotatingFileHandler, the ".N and .N.gz" race, folders without logs,
# --source, explicit files and the default ./logs.
#
# Within a family the order is oldest first: dated archives (by date), then
# numbered ones (highest N first), then the live file. Families are listed
# by family name ("mcp_activity.log" < "mcp_server.log").

export HOME="$T"
unset XDG_CONFIG_HOME
export MCPLOG_DATADIR="$ROOT"

# line FILE SECONDS MESSAGE: append one server line
line() { printf '%s - __main__ - INFO - %s\n' "$(ts "$2")" "$3" >> "$1"; }

# paths JSON: every inputs.N.path, space separated
paths() {
    python3 -c 'import json,sys;print(" ".join(i["path"] for i in json.load(open(sys.argv[1]))["inputs"]))' "$1"
}

# ---------------------------------------------------------------------------
# 1. Python RotatingFileHandler: server .1...5 + live, activity .1, .2 +
#    live. Created in a scrambled order so directory order cannot help.
#    Files that are not members (name.gz, name.old) are ignored.
mkdir py
for n in 3 1 5 2 4; do line py/mcp_server.log.$n $((100 - n)) "member $n"; done
line py/mcp_server.log 100 live
for n in 2 1; do line py/mcp_activity.log.$n $((100 - n)) "activity $n"; done
line py/mcp_activity.log 100 "activity live"
line py/mcp_server.log.gz 1 "not a member"
line py/mcp_server.log.old 1 "not a member"
line py/notes.txt 1 "not a log"
scan_json py.json py
assert_eq "python rotation: exit 0" 0 $?
assert_eq "python rotation: order" \
    "py/mcp_activity.log.2 py/mcp_activity.log.1 py/mcp_activity.log py/mcp_server.log.5 py/mcp_server.log.4 py/mcp_server.log.3 py/mcp_server.log.2 py/mcp_server.log.1 py/mcp_server.log" \
    "$(paths py.json)"
assert_json "python rotation: activity role" py.json inputs.0.role activity
assert_json "python rotation: server role" py.json inputs.3.role server
assert_json "python rotation: 9 lines in total" py.json totals.lines 9

# ---------------------------------------------------------------------------
# 2. logrotate with delaycompress: .1 stays plain, .2.gz and .3.gz.
mkdir lr
line lr/mcp_server.log.1 10 one
for n in 2 3; do line lr/x$n 10 "gz $n"; gzip -n -c lr/x$n > lr/mcp_server.log.$n.gz; rm lr/x$n; done
line lr/mcp_server.log 20 live
scan_json lr.json lr
assert_eq "delaycompress: exit 0" 0 $?
assert_eq "delaycompress: order" \
    "lr/mcp_server.log.3.gz lr/mcp_server.log.2.gz lr/mcp_server.log.1 lr/mcp_server.log" \
    "$(paths lr.json)"
assert_json "delaycompress: .3.gz compressed" lr.json inputs.0.compressed true
assert_json "delaycompress: .1 plain" lr.json inputs.2.compressed false

# ---------------------------------------------------------------------------
# 3. logrotate dateext: -YYYYMMDD and -YYYYMMDD.gz, mixed; and dated
#    archives come before numbered ones.
mkdir de
line de/x 1 d
gzip -n -c de/x > de/mcp_server.log-20251208.gz
cp de/x de/mcp_server.log-20251209
gzip -n -c de/x > de/mcp_server.log-20251210.gz
cp de/x de/mcp_server.log-20251130
rm de/x
line de/mcp_server.log 5 live
scan_json de.json de
assert_eq "dateext: exit 0" 0 $?
assert_eq "dateext: order by date, live last" \
    "de/mcp_server.log-20251130 de/mcp_server.log-20251208.gz de/mcp_server.log-20251209 de/mcp_server.log-20251210.gz de/mcp_server.log" \
    "$(paths de.json)"

mkdir mix
line mix/mcp_server.log.1 1 numbered
line mix/mcp_server.log-20251201 1 dated
line mix/mcp_server.log 1 live
scan_json mix.json mix
assert_eq "dated before numbered before live" \
    "mix/mcp_server.log-20251201 mix/mcp_server.log.1 mix/mcp_server.log" \
    "$(paths mix.json)"

# TimedRotatingFileHandler suffixes .YYYY-MM-DD[_HH-MM]
mkdir tr
line tr/mcp_server.log.2025-12-09_10-30 1 b
line tr/mcp_server.log.2025-12-09 1 a
line tr/mcp_server.log.2025-11-30 1 z
line tr/mcp_server.log 1 live
scan_json tr.json tr
assert_eq "timed rotation: order by date and time" \
    "tr/mcp_server.log.2025-11-30 tr/mcp_server.log.2025-12-09 tr/mcp_server.log.2025-12-09_10-30 tr/mcp_server.log" \
    "$(paths tr.json)"

# ---------------------------------------------------------------------------
# 4. .1 and .1.gz both present (logrotate compressing right now): the plain
#    .1 is complete, the .gz is skipped with a note in the report.
mkdir both
line both/mcp_server.log.1 1 rotated
line both/mcp_server.log.1 2 rotated
gzip -n -c both/mcp_server.log.1 | head -c 20 > both/mcp_server.log.1.gz
line both/mcp_server.log 3 live
scan_json both.json both
assert_eq "both .1 and .1.gz: exit 0 (the partial .gz is not read)" 0 $?
assert_eq "both .1 and .1.gz: .gz skipped" \
    "both/mcp_server.log.1 both/mcp_server.log" "$(paths both.json)"
assert_json "both .1 and .1.gz: .1 read in full" both.json inputs.0.lines 2
assert_eq "both .1 and .1.gz: nothing on stderr" "" "$(cat err)"
"$MCPLOG" scan --tz UTC both > both.txt 2>err
assert_contains "both .1 and .1.gz: note in the text report" both.txt \
    "  note: both/mcp_server.log.1.gz skipped: both/mcp_server.log.1 holds the same rotation (compression in progress)"

# ---------------------------------------------------------------------------
# 5. A folder with neither log: usage error, a clear message.
mkdir nolog
line nolog/app.log 1 x
assert_status "folder without logs: exit 2" 2 "$MCPLOG" scan nolog
assert_eq "folder without logs: message" \
    "mcplog: nolog: no mcp_server.log or mcp_activity.log here (give files explicitly, or --source NAME=PATH)" \
    "$(cat err)"
assert_eq "folder without logs: no report" "" "$(cat out)"
assert_status "missing path: exit 2" 2 "$MCPLOG" scan nosuchdir
assert_eq "missing path: message" \
    "mcplog: nosuchdir: No such file or directory" "$(cat err)"

# ---------------------------------------------------------------------------
# 6. --source NAME=PATH: the name is the role. A file given the role
#    "server" gets the server rules (errors); any other name gets only the
#    rules with source any (reconnect-failures, thread-not-found).
mkdir src
printf '%s - tools.chat - ERROR - boom\n' "$(ts 1)" > src/srv.txt
printf '%s - tools.chat - ERROR - boom\n' "$(ts 1)" > src/client.txt
scan_json src.json --source server=src/srv.txt --source client=src/client.txt
assert_eq "--source: exit 0" 0 $?
assert_json "--source: two inputs" src.json inputs.# 2
assert_json "--source: client family first (by name)" src.json inputs.0.path src/client.txt
assert_json "--source: role client" src.json inputs.0.role client
assert_json "--source: role server" src.json inputs.1.role server
assert_json "--source: errors rule applies to the server role only" src.json \
    rules.errors.matches 1
assert_json "--source: the alert comes from src/srv.txt" src.json \
    alerts.0.origin src/srv.txt:1
assert_status "--source without '=': exit 2" 2 "$MCPLOG" scan --source src/srv.txt
assert_eq "--source without '=': message" \
    "mcplog: --source takes NAME=PATH
Try 'mcplog scan --help'." "$(cat err)"

# ---------------------------------------------------------------------------
# 7. Explicit files: the role comes from the name, members are ordered as
#    in a folder whatever the argument order, the same path twice is read
#    once, other names are their own family.
scan_json ex.json py/mcp_server.log py/mcp_server.log.2 py/mcp_server.log.1 \
    src/client.txt py/mcp_server.log
assert_eq "explicit files: exit 0" 0 $?
# families by name: "client.txt" < "mcp_server.log"
assert_eq "explicit files: order" \
    "src/client.txt py/mcp_server.log.2 py/mcp_server.log.1 py/mcp_server.log" \
    "$(paths ex.json)"
assert_json "explicit files: other file's role is its base name" ex.json \
    inputs.0.role client.txt
assert_json "explicit files: server role from the name" ex.json \
    inputs.1.role server

# ---------------------------------------------------------------------------
# 8. No argument: ./logs.
mkdir logs
line logs/mcp_server.log 1 a
line logs/mcp_server.log.1 0 b
"$MCPLOG" scan --tz UTC --json > def.json 2>err
assert_eq "default ./logs: exit 0" 0 $?
assert_eq "default ./logs: inputs" "logs/mcp_server.log.1 logs/mcp_server.log" \
    "$(paths def.json)"
rm -r logs
assert_status "default ./logs missing: exit 2" 2 "$MCPLOG" scan
assert_eq "default ./logs missing: message (what to give, issue 13)" \
    "mcplog: no ./logs here: give the logs folder, e.g. mcplog scan ~/hestai-mcp-server/logs" "$(cat err)"
