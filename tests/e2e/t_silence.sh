# t_silence.sh - the silences file stays one mcplog can read: every field
# of a silence and the number of silences are capped so that what
# `silence add` writes is under the 4 MiB the reader takes, an add past a
# cap is refused (exit 2), and a too-large file written by something else
# still lists and expires, with the cause said.
HOME=$T
unset XDG_CONFIG_HOME XDG_STATE_HOME
S=$T/state
F=$T/state.silences

rep() { python3 -c 'import sys; print(sys.argv[1] * int(sys.argv[2]))' "$1" "$2"; }
si() { "$MCPLOG" silence "$@" --state "$S"; }

# 1. Each field has a cap; one byte over is refused before the file is
#    touched.
si add r --for 1h --comment "$(rep c 1025)" >o 2>e
assert_eq "comment of 1025 bytes: exit 2" 2 $?
assert_eq "comment of 1025 bytes: the message" \
    "mcplog: silence add: the comment is longer than 1024 bytes
Try 'mcplog silence --help'." "$(cat e)"
si add "$(rep r 257)" --for 1h >o 2>e
assert_eq "rule of 257 bytes: exit 2" 2 $?
assert_eq "rule of 257 bytes: the message" \
    "mcplog: silence add: the rule is longer than 256 bytes
Try 'mcplog silence --help'." "$(cat e)"
si add r "$(rep n 65)=v" --for 1h >o 2>e
assert_eq "label name of 65 bytes: exit 2" 2 $?
assert_eq "label name of 65 bytes: the message" \
    "mcplog: silence add: a label name is longer than 64 bytes
Try 'mcplog silence --help'." "$(cat e)"
si add r "n=$(rep v 257)" --for 1h >o 2>e
assert_eq "label value of 257 bytes: exit 2" 2 $?
assert_eq "label value of 257 bytes: the message" \
    "mcplog: silence add: a label value is longer than 256 bytes
Try 'mcplog silence --help'." "$(cat e)"
assert_eq "refused adds write no file" no "$([ -e "$F" ] && echo yes || echo no)"

# The longest silence there can be: every field at its cap, every byte
# one that is escaped (3 bytes in the file). Its line is the bound the
# caps are chosen from: 256 of them fit in 4 MiB.
set -- "$(rep ' ' 256)"
for k in 1 2 3 4 5 6 7 8; do set -- "$@" "$(rep ' ' 63)$k=$(rep ' ' 256)"; done
id=$(si add "$@" --for 1h --comment "$(rep ' ' 1024)" 2>e)
assert_eq "the longest silence: added" "0:16" "$?:$(printf %s "$id" | wc -c)"
assert_eq "the longest silence: one line of 11595 bytes" "1 11595" "$(wc -l <"$F") $(wc -c <"$F")"
si expire "$id" >o 2>e
rm -f "$F"

# 2. Long comments until the cap: 256 silences in force, the 257th is
#    refused; list and expire still work.
c=$(rep c 1024)
n=0
while [ "$n" -lt 256 ]; do
    si add "r$n" tool=web --for 1h --comment "$c" >>ids 2>e || break
    n=$((n + 1))
done
assert_eq "256 silences with 1 KiB comments: all added" 256:256 "$n:$(wc -l <ids)"
si add r256 --for 1h --comment "$c" >o 2>e
assert_eq "the 257th: exit 2" 2 $?
assert_eq "the 257th: the message" \
    "mcplog: silence add: $F already holds 256 silences in force, the most it keeps; expire one first" \
    "$(cat e)"
assert_eq "the 257th: nothing printed" "" "$(cat o)"
si list >o 2>e
assert_eq "list at the cap: exit 0, 256 listed, no message" "0:257:" "$?:$(wc -l <o):$(cat e)"
first=$(head -n 1 ids)
si expire "$first" >o 2>e
assert_eq "expire at the cap: exit 0" "0:expired $first:" "$?:$(cat o):$(cat e)"
# The ended silence is kept (list --all) until an add needs its room.
si list --all >o
assert_eq "list --all: 256 (one ended)" "257 1" "$(wc -l <o) $(grep -c ' ended ' o)"
si add restarts --for 1h --comment "$c" >o 2>e
assert_eq "with one ended, an add takes its room" "0:" "$?:$(cat e)"
si list --all >o
assert_eq "list --all: 256, the ended one forgotten" "257 0" "$(wc -l <o) $(grep -c ' ended ' o)"
assert_eq "the file stays under 4 MiB" yes "$([ "$(wc -c <"$F")" -le 4194304 ] && echo yes)"

# 3. A file over 4 MiB written by something else: list shows the
#    silences of its first 4 MiB and says why the rest is missing; add
#    refuses; expire works and rewrites it without the part past 4 MiB;
#    a running follow uses what it can read and says why.
mkdir logs && : >logs/mcp_server.log
"$MCPLOG" follow --json --state "$S" logs >out.json 2>ferr &
FPID=$!
wait_for out.json 'waiting for it' 5
python3 - "$F" >want <<'PY'
import sys, time
now = int(time.time() * 1000)
lines = [b"silence %016x %d %d =x%d 0 =%s\n" % (i, now - 1000, now + 3600000, i,
         b"y" * 1000) for i in range(5000)]
data = b"".join(lines)
open(sys.argv[1], "wb").write(data)
cut = data[:4 * 1024 * 1024]
print(len(data), cut.count(b"\n"))
PY
read -r size kept <want
wait_for out.json 'over the 4 MiB' 5
assert_contains "follow: the silences of the first 4 MiB" out.json "silences changed: $kept in force"
assert_contains "follow: says why the rest is not used" out.json \
    "$F: $size bytes, over the 4 MiB mcplog reads: only the silences in its first 4 MiB are used"
si list >o 2>e
assert_eq "too large: list exits 1" 1 $?
assert_eq "too large: list says why" \
    "mcplog: $F: $size bytes, over the 4 MiB mcplog reads: only the silences in its first 4 MiB are used" \
    "$(cat e)"
assert_eq "too large: list shows the silences of the first 4 MiB" \
    "$((kept + 1)) 0000000000000000 $(printf %016x $((kept - 1)))" \
    "$(wc -l <o) $(sed -n 2p o | cut -c1-16) $(tail -n 1 o | cut -c1-16)"
si add r --for 1h >o 2>e
assert_eq "too large: add exits 2" 2 $?
assert_eq "too large: add says why and what to do" \
    "mcplog: silence add: $F is over the 4 MiB mcplog reads; 'mcplog silence expire' rewrites it without the part past 4 MiB" \
    "$(cat e)"
assert_eq "too large: add leaves the file alone" "$size" "$(wc -c <"$F")"
si expire 0000000000000001 >o 2>e
assert_eq "too large: expire exits 0" "0:expired 0000000000000001" "$?:$(cat o)"
assert_eq "too large: expire says what it did" \
    "mcplog: $F: $size bytes, over the 4 MiB mcplog reads: only the silences in its first 4 MiB are used
mcplog: $F: rewritten without the part past 4 MiB" "$(cat e)"
si list --all >o 2>e
assert_eq "after the rewrite: list works, no message" "0:$((kept + 1)):1:" \
    "$?:$(wc -l <o):$(grep -c ' ended ' o):$(cat e)"
wait_for out.json "silences changed: $((kept - 1)) in force" 5
kill -TERM "$FPID"; wait "$FPID"
assert_eq "follow: the rewritten file read again, the warning said once" \
    "0:$((kept - 1)):1" \
    "$?:$(grep -o 'silences changed: [0-9]*' out.json | tail -n 1 | cut -d' ' -f3):$(grep -c 'over the 4 MiB' out.json)"
