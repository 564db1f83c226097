# The desktop sink against a real notification daemon: a private session
# bus, Xvfb and dunst (desktop_env.sh). `mcplog sinks test` sends alert
# transitions through libnotify; busctl monitor records the Notify calls
# and the ids dunst returns, and dunst's own history shows what it
# rendered. Then the failures, each bounded and measured: dunst hung
# (SIGSTOP: the check before libnotify catches it), a daemon that answers
# the check but hangs in Notify (the watchdog cuts libnotify's 25 s call),
# no daemon on the bus (a file sink still delivers, also during follow), a
# daemon whose bus activation fails, the bus hung, no bus at all, the bus
# restarting under a running mcplog, and bad options.
HOME=$T
unset XDG_CONFIG_HOME XDG_RUNTIME_DIR
. "$ROOT/tests/e2e/desktop_env.sh"
trap desktop_env_stop EXIT
trap 'exit 1' INT TERM

cat >mcplog.yaml <<'Y'
sinks:
  desk:
    type: desktop
    timeout: 2s
  styled:
    type: desktop
    expire: 3s
    icon: dialog-warning
  quick:
    type: desktop
    timeout: 1s
  log:
    type: file
    path: alerts.jsonl
routes:
  - sinks: [desk]
Y

# now_ms: a wall clock in milliseconds (GNU date).
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# c N FIELD: a field of the Nth Notify call (desktop_calls).
c() { cat "calls/$1/$2"; }
# calls_are N: the monitor holds N Notify calls, the last one answered.
calls_are() { [ "$(desktop_calls mon.json calls)" = "$1" ] && [ "$(c "$1" id)" != none ]; }

FFFD=$(printf '\357\277\275')                 # U+FFFD as UTF-8
RLO=$(printf '\342\200\256')                  # U+202E RIGHT-TO-LEFT OVERRIDE

if desktop_env_start && desktop_dunst_start && desktop_monitor_start mon.json; then
    ok "private bus, Xvfb $DISPLAY and dunst are up"
else
    # Counted as a failure; the rest would only wait out its polls.
    bad "the private desktop session did not start" "$(tail -n 5 xvfb.log dunst.log bus.log 2>&1)"
    return 0
fi

# --- one alert through its life, with hostile text ---------------------------
# (in the background, for its PID: libnotify sends it as a hint)
"$MCPLOG" sinks test desk --config mcplog.yaml --rule reconnect-failures \
    --severity critical --status firing,update,repeat,resolved,firing \
    --count 6 --label 'server=<b>bold</b>' --label 'who=a & b' \
    --summary '<b>6</b> reconnect failures & <i>more</i>' \
    --line '2025-12-10 14:36:02,114 - mcp_server - ERROR - Failed to reconnect <b>bold</b> & <a href="http://x">y</a> \e[31mred\e[0m\x00nul\xffbad\x7f' \
    --context "ConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', 8765)" \
    >out 2>err &
SPID=$!
wait "$SPID"
assert_eq "firing..resolved, then firing again: exit 0" 0 $?
assert_eq "one outcome line per transition" "sink desk: firing: ok
sink desk: update: ok
sink desk: repeat: ok
sink desk: resolved: ok
sink desk: firing: ok" "$(cat out)"

de_poll 10 calls_are 5
assert_eq "five Notify calls seen on the bus" 5 "$(desktop_calls mon.json calls)"
assert_eq "app name" "mcplog mcplog mcplog mcplog mcplog" \
    "$(c 1 app) $(c 2 app) $(c 3 app) $(c 4 app) $(c 5 app)"
id=$(c 1 id)
case $id in '' | none | 0 | *[!0-9]*) bad "dunst returned an id" "got '$id'" ;; *) ok "dunst returned an id" ;; esac
assert_eq "the first call opens a notification (replaces_id 0)" 0 "$(c 1 replaces)"
assert_eq "update, repeat, resolved replace it in place (replaces_id = the id returned)" \
    "$id $id $id" "$(c 2 replaces) $(c 3 replaces) $(c 4 replaces)"
assert_eq "... and dunst keeps the id" "$id $id $id" "$(c 2 id) $(c 3 id) $(c 4 id)"
assert_eq "after resolved the key is forgotten: a new notification" 0 "$(c 5 replaces)"
id2=$(c 5 id)
if [ "$id2" != "$id" ] && [ "$id2" != none ]; then ok "the new notification has a new id"; else bad "the new notification has a new id" "$id -> $id2"; fi

S='<b>6</b> reconnect failures & <i>more</i>'
assert_eq "summary is plain text, not markup-escaped" "$S" "$(c 1 summary)"
assert_eq "summary of update and repeat" "$S|$S" "$(c 2 summary)|$(c 3 summary)"
assert_eq "resolved summary" "Resolved: $S" "$(c 4 summary)"
B="rule: reconnect-failures
labels: server=&lt;b&gt;bold&lt;/b&gt;, who=a &amp; b
count: 6
line: 2025-12-10 14:36:02,114 - mcp_server - ERROR - Failed to reconnect &lt;b&gt;bold&lt;/b&gt; &amp; &lt;a href=&quot;http://x&quot;&gt;y&lt;/a&gt; \\x1b[31mred\\x1b[0m\\x00nul${FFFD}bad\\x7f
traceback: ConnectionRefusedError: [Errno 111] Connect call failed (&apos;127.0.0.1&apos;, 8765)"
assert_eq "body: rule, labels, count, line, traceback; markup escaped, ESC/NUL/DEL shown as \\xNN, invalid UTF-8 as U+FFFD" \
    "$B" "$(c 1 body)"
assert_eq "the resolved body is the same" "$B" "$(c 4 body)"
assert_eq "critical -> urgency 2 (critical), on every transition" "2 2 2 2 2" \
    "$(c 1 urgency) $(c 2 urgency) $(c 3 urgency) $(c 4 urgency) $(c 5 urgency)"
assert_eq "libnotify's hints: sender-pid (int64) and urgency (byte), nothing else" \
    "sender-pid:x urgency:y|sender-pid:x urgency:y" "$(c 1 hinttypes)|$(c 4 hinttypes)"
assert_eq "sender-pid is mcplog's PID" "$SPID $SPID" "$(c 1 pid) $(c 5 pid)"
assert_eq "no actions, no icon, server's expiry" "[]||-1" "$(c 1 actions)|$(c 1 icon)|$(c 1 expire)"

# What dunst made of it: two notifications on screen (not five), and the
# Pango markup it renders has the hostile tags quoted, in the summary too.
dcount() { [ "$(dunstctl count "$1" 2>/dev/null)" = "$2" ]; }
if de_poll 10 dcount displayed 2; then ok "dunst shows 2 notifications"; else bad "dunst shows 2 notifications" "$(dunstctl count 2>&1)"; fi
dunstctl close-all
de_poll 10 dcount history 2
dunstctl history >history.json 2>&1
python3 - history.json "$id" "$id2" <<'PY'
import json, sys
h = json.load(open(sys.argv[1], encoding="utf-8"))["data"][0]
open("hist.n", "w").write(str(len(h)))
by = {str(n["id"]["data"]): n for n in h}
for k, i in enumerate(sys.argv[2:], 1):
    for f in ("appname", "summary", "message", "timeout"):
        v = by[i][f]["data"] if i in by and f in by[i] else "none"
        open("hist.%d.%s" % (k, f), "w", encoding="utf-8").write(str(v))
PY
assert_eq "dunst's history holds exactly the 2 notifications" 2 "$(cat hist.n)"
MS='&lt;b&gt;6&lt;/b&gt; reconnect failures &amp; &lt;i&gt;more&lt;/i&gt;'
assert_eq "dunst: app name and summary of the resolved one" "mcplog|Resolved: $S" \
    "$(cat hist.1.appname)|$(cat hist.1.summary)"
assert_eq "dunst rendered the summary quoted (no bold from the log) and the body as sent" \
    "<b>Resolved: $MS</b>
$B" "$(cat hist.1.message)"
assert_eq "dunst took both as critical: no timeout (its default for critical)" "0 0" \
    "$(cat hist.1.timeout) $(cat hist.2.timeout)"
assert_eq "dunst: the new one after resolved" "$S" "$(cat hist.2.summary)"

# --- severities, options, caps ----------------------------------------------
rep() { python3 -c 'import sys; print(sys.argv[1] * int(sys.argv[2]))' "$1" "$2"; }
LONG=$(rep y 1500)
assert_status "warning alert through a sink with expire and icon: exit 0" 0 \
    "$MCPLOG" sinks test styled --config mcplog.yaml --rule tool-call-rate \
    --severity warning --label tool=search --count 61 --summary '61 calls of search in 1m' \
    --line 'TOOL_CALL: search with {}'
assert_status "info alert with a long line and a bad summary: exit 0" 0 \
    "$MCPLOG" sinks test desk --config mcplog.yaml --rule slow --severity info \
    --summary "$(printf 'bad\377sum\033]0;title\007 ')${RLO}evil" \
    --label "v=$(printf '\377\001')" --line "$LONG"
assert_status "long summary, label and traceback: exit 0" 0 \
    "$MCPLOG" sinks test desk --config mcplog.yaml --rule caps --severity info \
    --summary "$(rep s 400)" --label "k=$(rep v 300)" --line short --context "$(rep c 600)"
de_poll 10 calls_are 8
assert_eq "eight Notify calls in all" 8 "$(desktop_calls mon.json calls)"
assert_eq "summary capped at 300 bytes" "$(rep s 300)…" "$(c 8 summary)"
assert_eq "label value capped at 200 bytes, traceback at 500" "rule: caps
labels: k=$(rep v 200)…
count: 1
line: short
traceback: $(rep c 500)…" "$(c 8 body)"
assert_eq "warning -> urgency 1 (normal)" 1 "$(c 6 urgency)"
assert_eq "info -> urgency 0 (low)" 0 "$(c 7 urgency)"
assert_eq "expire: 3s -> 3000 ms; icon passed" "3000|dialog-warning" "$(c 6 expire)|$(c 6 icon)"
assert_eq "warning body without traceback" "rule: tool-call-rate
labels: tool=search
count: 61
line: TOOL_CALL: search with {}" "$(c 6 body)"
assert_eq "summary: invalid UTF-8 repaired, OSC escape and bidi override shown" \
    "bad${FFFD}sum\\x1b]0;title\\x07 \\u{202e}evil" "$(c 7 summary)"
assert_eq "line capped at 1000 bytes, cut marked" \
    "rule: slow
labels: v=${FFFD}\\x01
count: 1
line: $(rep y 1000)…" "$(c 7 body)"

# --- follow, two desktop instances -------------------------------------------
# Both routed: each instance has its own notifications; they share the
# process's one libnotify (and take turns).
cat >r2.yaml <<'Y'
rules:
  - name: surge
    match: 'surge (?<n>\d+)'
    group_by: [n]
    severity: warning
    summary: 'surge {n}'
Y
cat >f2.yaml <<'Y'
sinks:
  desk:
    type: desktop
    timeout: 2s
  styled:
    type: desktop
    expire: 3s
    icon: dialog-warning
routes:
  - sinks: [desk, styled]
Y
mkdir logs2 && : >logs2/mcp_server.log && : >logs2/mcp_activity.log
"$MCPLOG" follow --from-start --no-state --no-default-rules --rules r2.yaml --config f2.yaml logs2 \
    >f2out 2>f2err &
FPID=$!
DE_MORE="$DE_MORE $FPID"
DE_ALL="$DE_ALL $FPID"
wait_open "$FPID" logs2/mcp_server.log
for i in 1 2; do echo "$(ts "$i") - root - WARNING - surge $i" >>logs2/mcp_server.log; done
de_poll 10 calls_are 12
kill -TERM "$FPID"
wait "$FPID"
assert_eq "follow with two desktop sinks: exit 0 on SIGTERM, nothing on stderr" "0|" "$?|$(cat f2err)"
assert_eq "follow: four Notify calls, two per instance, each its own notification" \
    "surge 1|0|dialog-warning|3000 surge 1|0||-1 surge 2|0|dialog-warning|3000 surge 2|0||-1" \
    "$(for n in 9 10 11 12; do echo "$(c $n summary)|$(c $n replaces)|$(c $n icon)|$(c $n expire)"; done | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"
assert_eq "follow: four different ids" 4 \
    "$(for n in 9 10 11 12; do c $n id; echo; done | sort -u | grep -c '^[1-9][0-9]*$')"

# --- dunst hung: the check before libnotify is bounded by `timeout` ---------
# gsi: GetServerInformation calls to dunst seen by the monitor.
gsi() { grep -c '"member":"GetServerInformation"' mon.json; }
gsi_is() { [ "$(gsi)" = "$1" ]; }
n0=$(gsi)
kill -STOP "$DE_DUNST_PID"
t0=$(now_ms)
assert_status "dunst stopped: exit 1" 1 "$MCPLOG" sinks test quick --config mcplog.yaml
el=$(($(now_ms) - t0))
kill -CONT "$DE_DUNST_PID"
echo "desktop: dunst hung, timeout 1s: sinks test took $el ms"
assert_eq "dunst stopped: the error" \
    "sink quick: firing: failed after 1 attempt: the notification service did not answer within 1s" \
    "$(cat out)"
if [ "$el" -ge 1000 ] && [ "$el" -lt 4000 ]; then ok "dunst stopped: bounded by the timeout ($el ms)"; else bad "dunst stopped: bounded by the timeout" "took $el ms, want 1000..3999"; fi
de_poll 5 gsi_is $((n0 + 1))
assert_eq "dunst stopped: the one check was sent, and libnotify never called (no Notify)" \
    "$((n0 + 1)) 12" "$(gsi) $(desktop_calls mon.json calls)"

# --- no notification service on the bus ------------------------------------
desktop_monitor_stop
if desktop_dunst_stop; then ok "dunst stopped, the name is free"; else bad "dunst stopped, the name is free"; fi
t0=$(now_ms)
assert_status "no daemon: exit 1" 1 "$MCPLOG" sinks test desk --config mcplog.yaml \
    --status firing,resolved
el=$(($(now_ms) - t0))
echo "desktop: no notification daemon, timeout 2s: sinks test took $el ms"
assert_eq "no daemon: a clear, stable error for each transition" \
    "sink desk: firing: failed after 1 attempt: no notification service on the session bus (nothing owns org.freedesktop.Notifications)
sink desk: resolved: failed after 1 attempt: no notification service on the session bus (nothing owns org.freedesktop.Notifications)" \
    "$(cat out)"
if [ "$el" -lt 5000 ]; then ok "no daemon: answered within timeout + 3 s ($el ms)"; else bad "no daemon: answered within timeout + 3 s" "took $el ms"; fi
assert_status "no daemon: the file sink still delivers" 0 \
    "$MCPLOG" sinks test log --config mcplog.yaml --rule reconnect-failures
assert_eq "file sink outcome" "sink log: firing: ok" "$(cat out)"
assert_eq "file sink wrote the alert" "1 reconnect-failures firing" \
    "$(wc -l <alerts.jsonl | tr -d ' ') $(jget alerts.jsonl rule) $(jget alerts.jsonl status)"

# --- other sinks go on during follow ----------------------------------------
# desk (no daemon) and a file sink get every alert; the file sink has all
# three, and the failure is told once on stderr (the same sink and cause
# are told once per 10 minutes).
cat >r.yaml <<'Y'
rules:
  - name: boom
    match: 'boom (?<n>\d+)'
    group_by: [n]
    severity: critical
    summary: 'boom {n}'
Y
cat >f.yaml <<Y
sinks:
  desk:
    type: desktop
    timeout: 2s
  log:
    type: file
    path: $T/follow.jsonl
routes:
  - sinks: [desk, log]
Y
mkdir logs && : >logs/mcp_server.log && : >logs/mcp_activity.log
"$MCPLOG" follow --from-start --no-state --no-default-rules --rules r.yaml --config f.yaml logs \
    >fout 2>ferr &
FPID=$!
DE_MORE="$DE_MORE $FPID"
DE_ALL="$DE_ALL $FPID"
wait_open "$FPID" logs/mcp_server.log
for i in 1 2 3; do echo "$(ts "$i") - root - ERROR - boom $i" >>logs/mcp_server.log; done
flines() { [ "$(wc -l <follow.jsonl 2>/dev/null | tr -d ' ')" = 3 ]; }
de_poll 10 flines
wait_for ferr 'not delivered' 10
kill -TERM "$FPID"
wait "$FPID"
assert_eq "follow: exit 0 on SIGTERM" 0 $?
assert_eq "follow: the file sink got every alert" "boom{n=1} boom{n=2} boom{n=3}" \
    "$(python3 -c 'import json,sys; print(" ".join(json.loads(l)["key"] for l in open(sys.argv[1])))' follow.jsonl)"
assert_eq "follow: the desktop failure told once, on stderr" \
    "mcplog: sink desk: firing alert boom{n=1} not delivered after 1 attempt: no notification service on the session bus (nothing owns org.freedesktop.Notifications)" \
    "$(cat ferr)"
assert_eq "follow: every line shown on stdout" 3 "$(grep -c 'boom{n=' fout)"

# --- a daemon that answers the check, then hangs in Notify ------------------
# libnotify's Notify call has a fixed 25 s timeout: the watchdog closes the
# connection at `timeout`, and the next transition connects afresh.
if desktop_fake_start fake.calls; then ok "fake_notifyd owns the name"; else bad "fake_notifyd owns the name"; fi
t0=$(now_ms)
assert_status "Notify hangs: exit 1" 1 "$MCPLOG" sinks test quick --config mcplog.yaml \
    --status firing,update
el=$(($(now_ms) - t0))
echo "desktop: daemon hung in Notify, timeout 1s, two transitions: sinks test took $el ms"
assert_eq "Notify hangs: the error, each transition" \
    "sink quick: firing: failed after 1 attempt: the notification service did not answer within 1s
sink quick: update: failed after 1 attempt: the notification service did not answer within 1s" \
    "$(cat out)"
if [ "$el" -ge 2000 ] && [ "$el" -lt 6000 ]; then ok "Notify hangs: bounded by the timeout, twice ($el ms)"; else bad "Notify hangs: bounded by the timeout, twice" "took $el ms, want 2000..5999"; fi
# Per connection: our check, libnotify's two GetServerInformation calls
# (its proxy, then notify_get_server_info), then its Notify.
assert_eq "Notify hangs: the calls, on two connections" \
    "ready|GetServerInformation GetServerInformation GetServerInformation Notify|GetServerInformation GetServerInformation GetServerInformation Notify|2" \
    "$(python3 - fake.calls <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")[:-1]
calls = [l.split() for l in lines[1:]]
first = [m for s, m in calls if s == calls[0][0]]
rest = [m for s, m in calls if s != calls[0][0]]
print("%s|%s|%s|%d" % (lines[0], " ".join(first), " ".join(rest), len({s for s, m in calls})))
PY
)"
if desktop_fake_stop; then ok "fake_notifyd stopped, the name is free"; else bad "fake_notifyd stopped, the name is free"; fi

# --- bus activation of a daemon that cannot start ----------------------------
if desktop_activating_bus_start; then ok "activating bus is up"; else bad "activating bus is up" "$(cat bus2.log)"; fi
t0=$(now_ms)
assert_status "activation fails: exit 1" 1 env DBUS_SESSION_BUS_ADDRESS="$DE_BUS2_ADDRESS" \
    "$MCPLOG" sinks test desk --config mcplog.yaml
el=$(($(now_ms) - t0))
echo "desktop: bus activation of a daemon that dies, timeout 2s: sinks test took $el ms"
assert_eq "activation fails: the error" \
    "sink desk: firing: failed after 1 attempt: the notification service could not be started: Process org.freedesktop.Notifications received signal 5" \
    "$(cat out)"
if [ "$el" -lt 5000 ]; then ok "activation fails: answered within timeout + 3 s ($el ms)"; else bad "activation fails: answered within timeout + 3 s" "took $el ms"; fi

# --- the bus itself hung, or missing ----------------------------------------
kill -STOP "$DE_BUS_PID"
t0=$(now_ms)
assert_status "bus stopped: exit 1" 1 "$MCPLOG" sinks test quick --config mcplog.yaml
el=$(($(now_ms) - t0))
kill -CONT "$DE_BUS_PID"
echo "desktop: session bus hung, timeout 1s: sinks test took $el ms"
assert_eq "bus stopped: the error" \
    "sink quick: firing: failed after 1 attempt: the session bus did not answer within 1s" \
    "$(cat out)"
if [ "$el" -ge 1000 ] && [ "$el" -lt 4000 ]; then ok "bus stopped: bounded by the timeout ($el ms)"; else bad "bus stopped: bounded by the timeout" "took $el ms, want 1000..3999"; fi
assert_status "no bus socket: exit 1" 1 env DBUS_SESSION_BUS_ADDRESS="unix:path=$T/nobus" \
    "$MCPLOG" sinks test desk --config mcplog.yaml
assert_eq "no bus socket: the error" \
    "sink desk: firing: failed after 1 attempt: cannot connect to the session bus: Could not connect: No such file or directory" \
    "$(cat out)"
assert_status "no bus address: exit 1" 1 env -u DBUS_SESSION_BUS_ADDRESS \
    "$MCPLOG" sinks test desk --config mcplog.yaml
# glib's own lookup: $XDG_RUNTIME_DIR/bus, and without XDG_RUNTIME_DIR its
# fallback, the cache folder ($HOME/.cache, HOME is $T here).
assert_eq "no bus address: no autolaunch, the error" \
    "sink desk: firing: failed after 1 attempt: no session bus (DBUS_SESSION_BUS_ADDRESS is not set and there is no $T/.cache/bus)" \
    "$(cat out)"
assert_status "the bus found through XDG_RUNTIME_DIR: reached (no daemon)" 1 \
    env -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$T" "$MCPLOG" sinks test desk --config mcplog.yaml
assert_eq "XDG_RUNTIME_DIR/bus: the bus answered" \
    "sink desk: firing: failed after 1 attempt: no notification service on the session bus (nothing owns org.freedesktop.Notifications)" \
    "$(cat out)"

# --- the bus restarts under a running mcplog ---------------------------------
# A third bus (rbus) with its own dunst. mcplog shows the firing, the bus
# and dunst are killed and started again on the same socket, then the
# update comes: mcplog was not stopped by the bus going away (glib's
# exit-on-close is off), dropped libnotify's state on the dead connection
# and delivered through a new one.
RA="unix:path=$T/rbus"
desktop_bus_conf "$T/rbus.conf" "$T/rbus"
r_owner() {
    dbus-send --bus="$RA" --print-reply --reply-timeout=2000 \
        --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.Notifications 2>/dev/null |
        grep -q 'boolean true'
}
r_count() { [ "$(env DBUS_SESSION_BUS_ADDRESS="$RA" dunstctl count "$1" 2>/dev/null)" = "$2" ]; }
rbus_start() {
    rm -f "$T/rbus"
    dbus-daemon --config-file="$T/rbus.conf" --nofork >>"$T/rbus.log" 2>&1 &
    RBUS=$!
    DE_MORE="$DE_MORE $RBUS"
    DE_ALL="$DE_ALL $RBUS"
    de_poll 10 test -S "$T/rbus" || return 1
    env DBUS_SESSION_BUS_ADDRESS="$RA" dunst -config "$T/dunstrc" >>"$T/rdunst.log" 2>&1 &
    RDUNST=$!
    DE_MORE="$DE_MORE $RDUNST"
    DE_ALL="$DE_ALL $RDUNST"
    de_poll 20 r_owner
}
if rbus_start; then ok "rbus and its dunst are up"; else bad "rbus and its dunst are up" "$(tail -n 5 rbus.log rdunst.log)"; fi
env DBUS_SESSION_BUS_ADDRESS="$RA" "$MCPLOG" sinks test desk --config mcplog.yaml \
    --summary 'across a bus restart' --status firing,update --interval 5s >rout 2>rerr &
MPID=$!
DE_MORE="$DE_MORE $MPID"
if de_poll 10 r_count displayed 1; then ok "restart: the firing is shown"; else bad "restart: the firing is shown" "$(cat rerr)"; fi
de_kill "$RDUNST"
de_kill "$RBUS"
if rbus_start; then ok "rbus and dunst started again"; else bad "rbus and dunst started again" "$(tail -n 5 rbus.log rdunst.log)"; fi
wait "$MPID"
assert_eq "restart: mcplog lived on, both delivered (exit 0)" "0|sink desk: firing: ok
sink desk: update: ok" "$?|$(cat rout)"
if de_poll 10 r_count displayed 1; then ok "restart: the new dunst shows the update"; else bad "restart: the new dunst shows the update" "$(env DBUS_SESSION_BUS_ADDRESS="$RA" dunstctl count 2>&1)"; fi
de_kill "$RDUNST"
de_kill "$RBUS"

# --- bad options are config errors (exit 2) ----------------------------------
printf 'sinks:\n  d:\n    type: desktop\n    expire: soon\n' >bad1.yaml
assert_status "expire: soon: exit 2" 2 "$MCPLOG" sinks test d --config bad1.yaml
assert_eq "expire: soon: the error" \
    "mcplog: bad1.yaml:2:3: sink 'd': expire: bad duration 'soon': expected a number at 'soon' (or 'default', 'never')" \
    "$(cat err)"
printf 'sinks:\n  d:\n    type: desktop\n    timeout: 0s\n' >bad2.yaml
assert_status "timeout: 0s: exit 2" 2 "$MCPLOG" sinks test d --config bad2.yaml
assert_eq "timeout: 0s: the error" \
    "mcplog: bad2.yaml:2:3: sink 'd': timeout: must be more than 0 and less than 24d" \
    "$(cat err)"

desktop_env_stop
alive=
for p in $DE_ALL; do de_gone "$p" || alive="$alive $p"; done
assert_eq "everything the test started is gone" "" "$alive"
