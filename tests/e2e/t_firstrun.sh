# Zero-config first run (mcplog(1) ps, cleanup, health; mcplog.yaml(5)
# Durations and sizes): --server-dir instead of YAML for ps, cleanup and
# health, against dummy servers this test starts itself in a folder of
# its own; what scan, follow and health say when there is no ./logs; and
# sizes that need a unit. Only the PIDs started here are ever signalled.
. "$ROOT/tests/e2e/proc/lib.sh"
HOME=$T
unset XDG_CONFIG_HOME
# No config at all: no --config, no $MCPLOG_CONFIG, no user file; the
# shipped one has no server: section.
unset MCPLOG_CONFIG
SRV=$T/srv-$R
mkdir -p "$SRV/logs" empty
cp "$ROOT/tests/e2e/proc/server.py" "$SRV/server.py"
now=$(date '+%Y-%m-%d %H:%M:%S')
printf '%s,000 - root - INFO - Process PID: 4242\n' "$now" >"$SRV/logs/mcp_server.log"

# 1. No ./logs here: say what to give.
cd empty
assert_status "scan, no ./logs: exit 2" 2 "$MCPLOG" scan
assert_eq "scan, no ./logs: what to give" \
    "mcplog: no ./logs here: give the logs folder, e.g. mcplog scan ~/hestai-mcp-server/logs" \
    "$(cat err)"
assert_eq "scan, no ./logs: no report" "" "$(cat out)"
assert_status "follow, no ./logs: exit 2" 2 "$MCPLOG" follow --no-state
assert_eq "follow, no ./logs: what to give" \
    "mcplog: no ./logs here: give the logs folder, e.g. mcplog follow ~/hestai-mcp-server/logs" \
    "$(cat err)"
assert_status "health, no ./logs: UNKNOWN (3)" 3 "$MCPLOG" health
assert_eq "health, no ./logs: the logs checks say what to give" \
    "restarts: UNKNOWN - no ./logs here: give the logs folder, e.g. mcplog health ~/hestai-mcp-server/logs, or --server-dir DIR" \
    "$(grep '^restarts:' out)"
assert_eq "health, no server.dir: the process checks say what to give" \
    "processes: UNKNOWN - no server directory: give --server-dir DIR or set server: dir in mcplog.yaml (the python and cwd match rules need it)" \
    "$(grep '^processes:' out)"
assert_status "scan, a folder given: no hint" 2 "$MCPLOG" scan nothere
assert_eq "scan, a folder given: its own error" "mcplog: nothere: No such file or directory" "$(cat err)"
cd "$T"

# 2. --server-dir: ps, cleanup and health without writing YAML.
assert_status "ps, no server.dir: exit 2" 2 "$MCPLOG" ps
assert_eq "ps, no server.dir: what to give" \
    "mcplog: ps: no server directory: give --server-dir DIR or set server: dir in mcplog.yaml (the python and cwd match rules need it)" \
    "$(cat err)"
start_py s1 "$T" "$PY" "$SRV/server.py"
S1=$P
start_py s2 "$T" "$PY" "$SRV/server.py"
S2=$P
assert_status "ps --server-dir: exit 0" 0 "$MCPLOG" ps --server-dir "$SRV" --json
assert_eq "ps --server-dir: the two servers" \
    "$(sorted_lines "$S1 $PYBASE runs $SRV/server.py" "$S2 $PYBASE runs $SRV/server.py")" \
    "$(pids_why out)"
# A relative DIR is taken from the current folder.
assert_status "ps --server-dir, relative: exit 0" 0 "$MCPLOG" ps --server-dir "srv-$R" --json
assert_eq "ps --server-dir, relative: the same two" \
    "$(sorted_lines "$S1 $PYBASE runs $SRV/server.py" "$S2 $PYBASE runs $SRV/server.py")" \
    "$(pids_why out)"
assert_status "ps --server-dir, missing: exit 2" 2 "$MCPLOG" ps --server-dir nothere
assert_eq "ps --server-dir, missing: the cause" \
    "mcplog: --server-dir nothere: No such file or directory" "$(cat err)"
assert_status "ps --server-dir, a file: exit 2" 2 "$MCPLOG" ps --server-dir "$SRV/server.py"
assert_eq "ps --server-dir, a file: the cause" \
    "mcplog: --server-dir $SRV/server.py: not a folder" "$(cat err)"
# The command line wins over the config's server: section.
printf 'server:\n  dir: %s\n  logs: %s\n' "$T/empty" "$T/empty" >other.yaml
assert_status "ps --config --server-dir: exit 0" 0 "$MCPLOG" ps --config other.yaml \
    --server-dir "$SRV" --json
assert_eq "ps --config --server-dir: the command line wins" 2 \
    "$(pids_why out | wc -l)"
assert_status "cleanup --server-dir --dry-run: exit 0" 0 "$MCPLOG" cleanup \
    --server-dir "$SRV" --dry-run --json
assert_eq "cleanup --server-dir --dry-run: keeps the newest, plans the other" \
    "$(sorted_lines "$S1 planned" "$S2 kept")" "$(results out)"
assert_status "health --server-dir: OK" 0 "$MCPLOG" health --server-dir "$SRV" --json
assert_eq "health --server-dir: the logs are DIR/logs" "$SRV/logs" "$(jget out logs)"
assert_eq "health --server-dir: every check" \
    "processes=OK memory=OK restarts=OK reconnects=OK log_dir=OK newest_line=OK" \
    "$(python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
print(" ".join("%s=%s" % (c["name"], c["status"]) for c in d["checks"]))' out)"
assert_eq "health --server-dir: two server processes" 2 "$(jget out checks.0.value)"
assert_eq "health --server-dir: the startup counted" 1 "$(jget out checks.2.value)"
assert_status "health --server-dir, missing: UNKNOWN (3)" 3 "$MCPLOG" health --server-dir nothere
assert_eq "health --server-dir, missing: the cause" \
    "MCPLOG UNKNOWN - --server-dir nothere: No such file or directory" "$(cat out)"

# 3. Sizes need a unit, as durations do.
cat >bare.yaml <<'Y'
health:
  rss_warn: 500
Y
assert_status "rss_warn: 500: health UNKNOWN (3)" 3 "$MCPLOG" health --config bare.yaml
assert_eq "rss_warn: 500: file:line:col and what to write" \
    "mcplog: bare.yaml:2:13: rss_warn: bad size '500': a unit is required, such as 500MB or 500MiB (B, KB, MB, GB, TB, KiB, MiB, GiB or TiB)" \
    "$(cat err)"
assert_status "rss_warn: 500: ps exits 2" 2 "$MCPLOG" ps --config bare.yaml
assert_status "rss_warn: 500: follow exits 2" 2 "$MCPLOG" follow --config bare.yaml --no-state "$SRV/logs"
assert_eq "rss_warn: 500: follow says why" \
    "mcplog: bare.yaml:2:13: rss_warn: bad size '500': a unit is required, such as 500MB or 500MiB (B, KB, MB, GB, TB, KiB, MiB, GiB or TiB)" \
    "$(cat err)"
printf 'health: {log_dir_warn: 2}\n' >bare2.yaml
assert_status "log_dir_warn: 2: exit 2" 2 "$MCPLOG" ps --config bare2.yaml
assert_eq "log_dir_warn: 2: the message" \
    "mcplog: bare2.yaml:1:24: log_dir_warn: bad size '2': a unit is required, such as 2MB or 2MiB (B, KB, MB, GB, TB, KiB, MiB, GiB or TiB)" \
    "$(cat err)"
# With units, the meaning is unchanged (1 MB = 1000000 bytes).
printf 'health: {rss_warn: 500MB, log_dir_warn: 1.5 GiB}\n' >units.yaml
assert_status "rss_warn: 500MB: health runs" 0 "$MCPLOG" health --config units.yaml \
    --server-dir "$SRV" --json
assert_eq "rss_warn: 500MB is 500000000 bytes" 500000000 "$(jget out checks.1.threshold)"
assert_eq "log_dir_warn: 1.5 GiB" 1610612736 "$(jget out checks.4.threshold)"
# The shipped config and the man pages' health example still load.
assert_status "the shipped mcplog.yaml loads" 0 "$MCPLOG" sinks list --config "$ROOT/rules/mcplog.yaml"
python3 - "$ROOT/docs/mcplog.yaml.5" >example.yaml <<'PY'
import re, sys
blocks = re.findall(r"^\.EX\n(.*?)^\.EE$", open(sys.argv[1]).read(), re.M | re.S)
print([b for b in blocks if "rss_warn: 800MiB" in b][0], end="")
PY
assert_eq "the mcplog.yaml(5) health example" "health:
  max_processes: 1
  rss_warn: 800MiB
  reconnects: {count: 3, window: 30m}" "$(cat example.yaml)"
assert_status "the mcplog.yaml(5) health example loads: WARNING, two servers (max 1)" 1 "$MCPLOG" health \
    --config example.yaml --server-dir "$SRV" --json
assert_eq "rss_warn: 800MiB" 838860800 "$(jget out checks.1.threshold)"
kill -TERM "$S1" "$S2"
finish "$S1" "$S2"
