# t_cleanup.sh - mcplog ps and mcplog cleanup against dummy servers this
# test starts itself (tests/e2e/proc/). The config points at this test's
# own folder and unique names, so nothing else on the machine can match;
# the test only ever signals the PIDs it started (and has not reaped).
. "$ROOT/tests/e2e/proc/lib.sh"
SRV=$T/srv-$R
mkdir -p "$SRV/logs" "$SRV-other" "$T/x" "$T/bin"
cp "$ROOT/tests/e2e/proc/server.py" "$SRV/server.py"
cp "$ROOT/tests/e2e/proc/server.py" "$SRV-other/server.py"
cp "$ROOT/tests/e2e/proc/server.py" "$T/x/worker.py"
cp "$ROOT/tests/e2e/proc/server.py" "$T/x/not-server.py.bak"
SLEEP=$(command -v sleep)
cp "$SLEEP" "$T/bin/hestai-mcp-server-$R"
cp "$SLEEP" "$T/bin/hestai-mcp-server-$R-decoy"
cp "$SLEEP" "$T/bin/zen-mcp-server-$R"
cp "$SLEEP" "$T/bin/zen-mcp-server-${R}x"
cp "$SLEEP" "$T/bin/reuse-server-$R"

cat >c.yaml <<EOF
server:
  dir: $SRV
  match:
    - {python: server.py}
    - {cwd: true}
    - {argv: '\S*/hestai-mcp-server-$R( .*)?'}
    - {exe: $T/bin/zen-mcp-server-$R}
cleanup:
  grace: 1s
EOF

# --- the servers (one per rule) and the decoys ------------------------------

start_py s1 "$SRV" "$PY" server.py                 # relative: the cwd rule
S1=$P
start_py s2 "$T" DUMMY_IGNORE_TERM=1 DUMMY_MARK="$T/s2.mark" \
    "$PY" "$SRV/server.py"                         # python, ignores TERM
S2=$P
start_py s3 "$SRV" "$PY" "$T/x/worker.py"          # cwd is the server dir
S3=$P
start_bin "$T/bin/hestai-mcp-server-$R" 1000       # argv pattern
S4=$P
start_bin "$T/bin/zen-mcp-server-$R" 1000          # exe
S5=$P
# decoys: the pattern or the names only as substrings or prefixes
start_py d1 "$T/x" "$PY" "$T/x/not-server.py.bak" \
    "$T/bin/hestai-mcp-server-$R"                  # holds the argv pattern
D1=$P
start_py d2 "$T" "$PY" "$SRV-other/server.py"      # a sibling dir's server.py
D2=$P
start_bin "$T/bin/hestai-mcp-server-$R-decoy" 1000
D3=$P
start_bin "$T/bin/zen-mcp-server-${R}x" 1000
D4=$P
DECOYS="$D1 $D2 $D3 $D4"

# --- ps ------------------------------------------------------------------------

assert_status "ps --json" 0 "$MCPLOG" ps --config c.yaml --json
cp out ps.json
# S1 runs a relative script path: the python rule cannot know the folder
# it started in (t_cleanup_match.sh), the cwd rule holds.
assert_eq "ps matches exactly the five servers, each for its rule" \
    "$(sorted_lines "$S1 $PYBASE with cwd $SRV" \
        "$S2 $PYBASE runs $SRV/server.py" "$S3 $PYBASE with cwd $SRV" \
        "$S4 argv matches pattern 3" "$S5 exe is $T/bin/zen-mcp-server-$R")" \
    "$(pids_why ps.json)"
SHN=$(basename "$(readlink -f /bin/sh)")
assert_eq "ps: started by this test's shell, so none is an orphan" \
    "$(for p in $S1 $S2 $S3 $S4 $S5; do echo "$p $$ $SHN shell False None"; done | sort -n)" \
    "$(parents ps.json)"
assert_status "ps" 0 "$MCPLOG" ps --config c.yaml
assert_eq "ps: a header and two lines per process" \
    "PID     START                UPTIME       RSS LOGS           PARENT                 WHY 11" \
    "$(head -n 1 out) $(wc -l <out)"
assert_contains "ps: the command line" out "    $PY $T/x/worker.py"
assert_eq "ps --json: argv, cwd and exe of the relative one" \
    "$PY server.py|$SRV|$(readlink -f "$PY")" \
    "$(python3 -c 'import json,sys
p=[p for p in json.load(open(sys.argv[1]))["processes"] if p["pid"]==int(sys.argv[2])][0]
print(" ".join(p["argv"])+"|"+p["cwd"]+"|"+p["exe"])' ps.json "$S1")"

# --- refusals and the dry run -------------------------------------------------

assert_status "cleanup without --yes, stdin not a terminal: refused" 2 \
    "$MCPLOG" cleanup --config c.yaml </dev/null
assert_eq "the refusal says why" \
    "mcplog: cleanup: stdin is not a terminal: refusing to terminate 4 processes without --yes (or use --dry-run)" \
    "$(cat err)"
assert_status "--keep a PID that is not a server" 2 \
    "$MCPLOG" cleanup --config c.yaml --yes --keep "$D3" </dev/null
assert_eq "--keep PID: the cause" \
    "mcplog: cleanup: --keep $D3: not a matching server process" "$(cat err)"
assert_status "--keep nonsense" 2 "$MCPLOG" cleanup --config c.yaml --keep x
assert_status "--grace without a unit" 2 \
    "$MCPLOG" cleanup --config c.yaml --grace 5

assert_status "cleanup --dry-run --json" 0 \
    "$MCPLOG" cleanup --config c.yaml --dry-run --json </dev/null
cp out dry.json
assert_json "dry run: flagged" dry.json dry_run true
assert_json "dry run: keeps the newest" dry.json keep "$S5"
assert_json "dry run: why" dry.json keep_reason newest
assert_eq "dry run: the others planned, nothing signalled" \
    "$(sorted_lines "$S1 planned" "$S2 planned" "$S3 planned" "$S4 planned" \
        "$S5 kept")" "$(results dry.json)"
assert_eq "dry run: the actions logged" \
    "mcplog: cleanup: keeping $S5 (newest)
mcplog: cleanup: $S1: would be terminated (dry run)
mcplog: cleanup: $S2: would be terminated (dry run)
mcplog: cleanup: $S3: would be terminated (dry run)
mcplog: cleanup: $S4: would be terminated (dry run)" "$(cat err)"
assert_status "cleanup --dry-run (text)" 0 \
    "$MCPLOG" cleanup --config c.yaml --dry-run --keep oldest
assert_contains "dry run text: the plan" out \
    "5 matching processes; keeping $S1 (oldest), would terminate 4"
assert_contains "dry run text: the verdict" out "dry run: nothing signalled"
n=0
for p in $S1 $S2 $S3 $S4 $S5 $DECOYS; do alive "$p" && n=$((n + 1)); done
assert_eq "after the dry runs and refusals all nine are alive" 9 "$n"

# --- the real thing --------------------------------------------------------------

assert_status "cleanup --yes --keep S3 --json" 0 \
    "$MCPLOG" cleanup --config c.yaml --yes --keep "$S3" --json </dev/null
cp out run.json
cp err run.err
assert_eq "outcomes: SIGTERM for three, SIGKILL for the one ignoring it" \
    "$(sorted_lines "$S1 terminated" "$S2 killed" "$S3 kept" \
        "$S4 terminated" "$S5 terminated")" "$(results run.json)"
assert_json "no failures" run.json failed 0
assert_contains "SIGKILL only after the grace period" run.err \
    "mcplog: cleanup: $S2: still running after 1s: SIGKILL sent"
assert_contains "S2 got SIGTERM first" run.err \
    "mcplog: cleanup: $S2: SIGTERM sent"
assert_eq "S2 noted the SIGTERM it ignored" TERM "$(cat "$T/s2.mark")"
reap "$S1" "$S2" "$S4" "$S5"
assert_eq "exit statuses: 143 (SIGTERM) for S1, S4, S5; 137 (SIGKILL) for S2" \
    "143 137 143 143" "$RS"
alive "$S3" && k=alive || k=dead
assert_eq "the keeper survives" alive "$k"
n=0
for p in $DECOYS; do alive "$p" && n=$((n + 1)); done
assert_eq "no decoy was touched" 4 "$n"

assert_status "again: one server left, nothing to do" 0 \
    "$MCPLOG" cleanup --config c.yaml --yes
assert_eq "nothing to do: said so" \
    "1 matching process; keeping $S3 (newest): nothing to terminate" \
    "$(head -n 1 out)"
kill -KILL "$S3"
reap "$S3"
assert_eq "S3 was alive until we killed it" 137 "$RS"

# --- the writer of the current log is preferred -----------------------------

start_py w1 "$SRV" DUMMY_LOG="$SRV/logs/mcp_server.log" "$PY" server.py
W1=$P
wait_for "$SRV/logs/mcp_server.log" tick
start_py w2 "$SRV" "$PY" server.py
W2=$P
assert_status "dry run with a writer" 0 \
    "$MCPLOG" cleanup --config c.yaml --dry-run --json
cp out w.json
assert_json "the writer is kept although older" w.json keep "$W1"
assert_json "the reason says what decided" w.json keep_reason \
    "the only process with the current log open for writing"
assert_eq "logs_open and a write age for the writer only" \
    "$W1 True True|$W2 False False" \
    "$(python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))["processes"]
print("|".join("%d %s %s" % (p["pid"], p["logs_open"],
    p["log_write_age_ms"] is not None and 0 <= p["log_write_age_ms"] < 5000)
    for p in sorted(d, key=lambda p: p["pid"])))' w.json)"
sed 's/^cleanup:$/cleanup:\n  prefer_writer: false/' c.yaml >nw.yaml
assert_status "prefer_writer: false" 0 \
    "$MCPLOG" cleanup --config nw.yaml --dry-run --json
assert_json "without the preference the newest is kept" out keep "$W2"
assert_status "cleanup --yes: the non-writer goes" 0 \
    "$MCPLOG" cleanup --config c.yaml --yes
assert_contains "text outcome" out "$W2: terminated (SIGTERM)"
reap "$W2"
assert_eq "W2 terminated" 143 "$RS"
alive "$W1" && k=alive || k=dead
assert_eq "the writer survives" alive "$k"
kill -KILL "$W1"
reap "$W1"

# --- decoys: untouched until the end ----------------------------------------------

for p in $DECOYS; do kill -KILL "$p"; done
reap $DECOYS
assert_eq "decoys die only by our own SIGKILL" "137 137 137 137" "$RS"

# --- PID reuse, in a private PID namespace ----------------------------------------

cat >reuse.yaml <<EOF
server:
  match:
    - {exe: $T/bin/reuse-server-$R}
cleanup:
  grace: 1s
EOF
unshare --pid --fork --mount-proc sh "$ROOT/tests/e2e/proc/reuse.sh" \
    "$MCPLOG" "$T" "$T/bin/reuse-server-$R" "$T/reuse.yaml" "$T/reuse.out" \
    >/dev/null 2>reuse.sh.err
V=$(sed -n 's/^victim //p' reuse.out)
G=$(sed -n 's/^gone //p' reuse.out)
K=$(sed -n 's/^keeper //p' reuse.out)
assert_eq "reuse: the unrelated process got the victim's PID" \
    "same_pid yes" "$(grep '^same_pid' reuse.out)"
assert_eq "reuse: the unrelated process survived" \
    "unrelated_alive yes" "$(grep '^unrelated_alive' reuse.out)"
assert_eq "reuse: the keeper survived" "keeper_alive yes" \
    "$(grep '^keeper_alive' reuse.out)"
assert_eq "reuse: cleanup exited 0" "status 0" "$(grep '^status' reuse.out)"
assert_eq "reuse: outcomes" \
    "$(sorted_lines "$K kept" "$V reused" "$G gone")" "$(results reuse.json)"
assert_contains "reuse: logged" reuse.err \
    "mcplog: cleanup: $V: pid reused by another process: not signalled"
assert_not_contains "reuse: no signal was sent at all" reuse.err "SIGTERM sent"
