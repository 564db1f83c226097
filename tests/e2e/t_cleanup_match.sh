# t_cleanup_match.sh - the python rule compares resolved paths only:
# decoys that name the server's script through the cwd or through ".."
# are not matched (ps says why) and cleanup never signals them, while
# the real servers, however their absolute path is written, are. The
# dummies are tests/e2e/proc/server.py; only PIDs started here are ever
# signalled (tests/e2e/proc/lib.sh).
. "$ROOT/tests/e2e/proc/lib.sh"
new_server
OTHER=$T/other-$R
ELSE=$T/else-$R
mkdir -p "$SRV/realsub" "$OTHER" "$ELSE/inner"
cp "$SRV/server.py" "$OTHER/server.py"
cp "$SRV/server.py" "$ELSE/server.py"
ln -s "$ELSE/inner" "$SRV/sub"       # SRV/sub/.. is ELSE, not SRV
ln -s "$SRV" "$T/link-$R"            # another name for SRV itself

# The real servers, oldest first: the script's absolute path as is,
# through a symlink to the folder, and with ".." after a real folder.
start_py r1 "$T" "$PY" "$SRV/server.py"
R1=$P
start_py r2 "$T" "$PY" "$T/link-$R/server.py"
R2=$P
start_py r3 "$T" "$PY" "$SRV/realsub/../server.py"
R3=$P
# Decoy A: started as "python3 server.py" in a folder with its own
# server.py, then changed into the server's folder.
start_py da "$OTHER" DUMMY_CHDIR="$SRV" "$PY" server.py
DA=$P
# Decoy B, the newest: SRV/sub/../server.py is ELSE/server.py for the
# kernel ("sub" is a symlink), though it reads as SRV/server.py.
start_py db "$T" "$PY" "$SRV/sub/../server.py"
DB=$P
assert_eq "decoy A now runs in the server's folder" "$SRV" \
    "$(readlink "/proc/$DA/cwd")"

assert_status "ps --json" 0 "$MCPLOG" ps --config c.yaml --json
cp out ps.json
assert_eq "ps: exactly the three real servers, by their resolved script" \
    "$(sorted_lines "$R1 $PYBASE runs $SRV/server.py" \
        "$R2 $PYBASE runs $SRV/server.py" "$R3 $PYBASE runs $SRV/server.py")" \
    "$(pids_why ps.json)"
assert_eq "ps: the decoys are listed as not matched, with the reason" \
    "$(sorted_lines \
        "$DA not matched: relative script path server.py, the folder it started in cannot be known" \
        "$DB not matched: $SRV/sub/../server.py resolves to $ELSE/server.py")" \
    "$(pids_why ps.json not_matched)"
assert_status "ps" 0 "$MCPLOG" ps --config c.yaml
assert_eq "ps text: decoy A's row says why" \
    "not matched: relative script path server.py, the folder it started in cannot be known" \
    "$(grep "^$DA " out | sed 's/.*  \(not matched\)/\1/')"
assert_eq "ps text: a header, two lines per real server and per decoy" 11 \
    "$(wc -l <out)"

assert_status "cleanup --dry-run --json" 0 \
    "$MCPLOG" cleanup --config c.yaml --dry-run --json
assert_json "dry run: keeps the newest real server" out keep "$R3"
assert_json "dry run: why" out keep_reason newest
assert_eq "dry run: the plan holds the real servers only" \
    "$(sorted_lines "$R1 planned" "$R2 planned" "$R3 kept")" "$(results out)"

assert_status "cleanup --yes --json" 0 \
    "$MCPLOG" cleanup --config c.yaml --yes --json </dev/null
cp out run.json
assert_eq "outcomes: the two older real servers terminated, R3 kept" \
    "$(sorted_lines "$R1 terminated" "$R2 terminated" "$R3 kept")" \
    "$(results run.json)"
finish "$R1" "$R2"
assert_eq "R1 and R2 exited by SIGTERM" "143 143" "$RS"
n=
for p in $R3 $DA $DB; do alive "$p" && n="$n alive" || n="$n dead"; done
assert_eq "the kept server and both decoys are alive" " alive alive alive" "$n"
assert_not_contains "decoy A was not signalled" err "$DA:"
assert_not_contains "decoy B was not signalled" err "$DB:"
kill -KILL "$R3" "$DA" "$DB"
reap "$R3" "$DA" "$DB"
assert_eq "they die only by our own SIGKILL" "137 137 137" "$RS"
