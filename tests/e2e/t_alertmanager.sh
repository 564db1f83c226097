# t_alertmanager.sh - the webhook sink's `format: alertmanager` against a
# real Alertmanager (Debian's prometheus-alertmanager): a firing alert shows
# active with exact labels and annotations, an update changes it in place,
# a resolve resolves it; and why firing alerts carry endsAt = now +
# firing_ttl: without endsAt, Alertmanager resolves an alert by itself
# after resolve_timeout.
#
# Alertmanager drops resolved alerts from every listing (GET
# /api/v2/alerts skips alerts whose endsAt has passed, whatever the
# filters), so resolution is checked both ways: gone from the listing, and
# Alertmanager's own "resolved" notification to a webhook receiver
# (tests/e2e/httpd.py, send_resolved: true).

export HOME="$T"
unset XDG_CONFIG_HOME
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

AM_BIN=/usr/bin/prometheus-alertmanager
HTTPD="$ROOT/tests/e2e/httpd.py"
AM_PIDS=""

am_cleanup() {
    for p in $AM_PIDS; do kill "$p" 2>/dev/null; done
    for p in $AM_PIDS; do wait "$p" 2>/dev/null; done
    AM_PIDS=""
}
trap am_cleanup EXIT

# conf NAME LINE...: NAME.yaml with one webhook sink NAME
conf() {
    _n=$1
    shift
    {
        printf 'sinks:\n  %s:\n    type: webhook\n    format: alertmanager\n' "$_n"
        for l in "$@"; do printf '    %s\n' "$l"; done
        printf 'routes:\n  - sinks: [%s]\n' "$_n"
    } >"$_n.yaml"
}

# send NAME ARGS...: mcplog sinks test NAME with NAME.yaml; RC, NAME.stdout
send() {
    _n=$1
    shift
    "$MCPLOG" sinks test "$_n" --config "$_n.yaml" "$@" >"$_n.stdout" 2>"$_n.stderr"
    RC=$?
}

# alerts RULE [QUERY]: GET /api/v2/alerts?filter=alertname="RULE"&QUERY
# into alerts.json
alerts() {
    python3 -c '
import sys, urllib.parse, urllib.request
q = "filter=" + urllib.parse.quote("alertname=\"%s\"" % sys.argv[2])
if sys.argv[3]:
    q += "&" + sys.argv[3]
with urllib.request.urlopen("http://127.0.0.1:%s/api/v2/alerts?%s" % (sys.argv[1], q), timeout=10) as r:
    sys.stdout.write(r.read().decode())' "$AMPORT" "$1" "${2:-}" >alerts.json 2>alerts.err
}

# ajq EXPR: a Python expression over alerts.json (a = the list, now = the
# time, t(s) parses an RFC 3339 time to seconds)
ajq() {
    python3 -c '
import datetime, json, sys, time
def t(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
a = json.load(open("alerts.json"))
now = time.time()
print(eval(sys.argv[1]))' "$1" 2>&1
}

# notified STATUS RULE: wait up to 15 s for Alertmanager to notify the
# receiver of RULE with STATUS; the alert goes to notice.json. Prints
# "yes" or "no".
notified() {
    python3 -c '
import json, sys, time
end = time.time() + 15
while time.time() < end:
    for l in open("recv.log"):
        n = json.loads(json.loads(l)["body"])
        for al in n.get("alerts", []):
            if al["labels"].get("alertname") == sys.argv[2] and al["status"] == sys.argv[1]:
                json.dump(al, open("notice.json", "w"))
                print("yes")
                sys.exit(0)
    time.sleep(0.05)
print("no")' "$1" "$2" 2>&1
}

# njq EXPR: a Python expression over notice.json (al = the alert)
njq() {
    python3 -c '
import datetime, json, sys, time
def t(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
al = json.load(open("notice.json"))
now = time.time()
print(eval(sys.argv[1]))' "$1" 2>&1
}

HOST=$(python3 -c 'import socket; print(socket.gethostname())')

# ---------------------------------------------------------------------------
# The receiver of Alertmanager's notifications, and Alertmanager itself.
: >recv.log
python3 "$HTTPD" --port-file recv.port --log recv.log --script 200 >recv.out 2>&1 &
AM_PIDS="$AM_PIDS $!"
_i=0
while [ ! -s recv.port ] && [ "$_i" -lt 200 ]; do sleep 0.05; _i=$((_i + 1)); done
RPORT=$(cat recv.port 2>/dev/null)
assert_eq "the receiver started" yes "$([ -n "$RPORT" ] && echo yes || echo no)"

AMPORT=$(free_port)
cat >am.yml <<EOF
global:
  resolve_timeout: 2s
route:
  receiver: recv
  group_by: [alertname]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: recv
    webhook_configs:
      - url: http://127.0.0.1:$RPORT/am
        send_resolved: true
EOF
if [ -x "$AM_BIN" ]; then ok "prometheus-alertmanager is installed"; else bad "prometheus-alertmanager is installed" "$AM_BIN missing"; fi
"$AM_BIN" --web.listen-address="127.0.0.1:$AMPORT" --cluster.listen-address= \
    --storage.path="$T/am" --config.file="$T/am.yml" >am.log 2>&1 &
AM_PIDS="$AM_PIDS $!"
READY=$(python3 -c '
import sys, time, urllib.request
end = time.time() + 20
while time.time() < end:
    try:
        with urllib.request.urlopen("http://127.0.0.1:%s/-/ready" % sys.argv[1], timeout=2) as r:
            if r.status == 200:
                print("ready")
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.05)
print("not ready")' "$AMPORT")
assert_eq "Alertmanager is ready" ready "$READY"

# ---------------------------------------------------------------------------
# 1. Firing: the URL without a path gets /api/v2/alerts.
conf am "url: http://127.0.0.1:$AMPORT" 'retries: 0'
send am --rule am-test --severity warning --label tool=search --label 'bad-name=v' \
    --label 'severity=from-log' --summary 'four searches' --description 'too many searches' \
    --line 'a\e]0;t\x07b\xffc' --context 'Traceback: \e[1mboom' --count 4
assert_eq "firing: exit 0" 0 "$RC"
assert_eq "firing: delivered" "sink am: firing: ok" "$(cat am.stdout)"
alerts am-test
assert_eq "firing: one alert" 1 "$(ajq 'len(a)')"
assert_eq "firing: the labels (sanitized names, clash renamed)" \
    "[('alertname', 'am-test'), ('bad_name', 'v'), ('exported_severity', 'from-log'), ('instance', '$HOST'), ('severity', 'warning'), ('tool', 'search')]" \
    "$(ajq 'sorted(a[0]["labels"].items())')"
assert_eq "firing: the annotations (log text shown visibly)" \
    "[('context', 'Traceback: \\\\x1b[1mboom'), ('count', '4'), ('description', 'too many searches'), ('line', 'a\\\\x1b]0;t\\\\x07b\\\\xffc'), ('summary', 'four searches')]" \
    "$(ajq 'sorted(a[0]["annotations"].items())')"
assert_eq "firing: state active" active "$(ajq 'a[0]["status"]["state"]')"
assert_eq "firing: started in the last minute" True "$(ajq 'now - 60 <= t(a[0]["startsAt"]) <= now')"
assert_eq "firing: endsAt is now + 24h (firing_ttl), not resolve_timeout" True \
    "$(ajq '86400 - 60 <= t(a[0]["endsAt"]) - now <= 86400')"
assert_eq "firing: generatorURL" "mcplog://$HOST/am-test" "$(ajq 'a[0]["generatorURL"]')"
FP=$(ajq 'a[0]["fingerprint"]')
START=$(ajq 'a[0]["startsAt"]')
assert_eq "firing: Alertmanager notified the receiver" yes "$(notified firing am-test)"
assert_eq "firing: the notification's labels" \
    "[('alertname', 'am-test'), ('bad_name', 'v'), ('exported_severity', 'from-log'), ('instance', '$HOST'), ('severity', 'warning'), ('tool', 'search')]" \
    "$(njq 'sorted(al["labels"].items())')"

# ---------------------------------------------------------------------------
# 2. Update (a second mcplog run, same key): changed in place.
sleep 0.1
send am --rule am-test --severity warning --label tool=search --label 'bad-name=v' \
    --label 'severity=from-log' --summary 'seven searches' --description 'too many searches' \
    --line 'later line' --count 7 --status update
assert_eq "update: delivered" "sink am: update: ok" "$(cat am.stdout)"
alerts am-test
assert_eq "update: still one alert" 1 "$(ajq 'len(a)')"
assert_eq "update: same fingerprint" "$FP" "$(ajq 'a[0]["fingerprint"]')"
assert_eq "update: the first start is kept" "$START" "$(ajq 'a[0]["startsAt"]')"
assert_eq "update: new annotations" "7 seven searches later line" \
    "$(ajq '" ".join(a[0]["annotations"][k] for k in ("count", "summary", "line"))')"
assert_eq "update: still active" active "$(ajq 'a[0]["status"]["state"]')"

# ---------------------------------------------------------------------------
# 3. Resolved: gone from every listing, and notified as resolved.
send am --rule am-test --severity warning --label tool=search --label 'bad-name=v' \
    --label 'severity=from-log' --status resolved
assert_eq "resolved: delivered" "sink am: resolved: ok" "$(cat am.stdout)"
alerts am-test 'active=true&silenced=true&inhibited=true&unprocessed=true'
assert_eq "resolved: not listed (all filters on)" 0 "$(ajq 'len(a)')"
alerts am-test 'active=false'
assert_eq "resolved: not listed with active=false either" 0 "$(ajq 'len(a)')"
assert_eq "resolved: Alertmanager notified it resolved" yes "$(notified resolved am-test)"
assert_eq "resolved: endsAt in the past, after the start" True \
    "$(njq 't(al["startsAt"]) <= t(al["endsAt"]) <= now')"
assert_eq "resolved: the same alert" "$FP" "$(njq 'al["fingerprint"]')"

# ---------------------------------------------------------------------------
# 4. One run: firing, update, resolved over one connection; the full
#    /api/v2/alerts URL is taken as it is.
conf amfull "url: http://127.0.0.1:$AMPORT/api/v2/alerts" 'retries: 0'
send amfull --rule am-once --status firing,update,resolved --interval 200ms
assert_eq "one run: three transitions delivered" \
    "sink amfull: firing: ok|sink amfull: update: ok|sink amfull: resolved: ok" \
    "$(tr '\n' '|' <amfull.stdout | sed 's/|$//')"
alerts am-once 'active=true&silenced=true&inhibited=true&unprocessed=true'
assert_eq "one run: resolved, not listed" 0 "$(ajq 'len(a)')"
assert_eq "one run: Alertmanager notified it resolved" yes "$(notified resolved am-once)"

# ---------------------------------------------------------------------------
# 5. Why endsAt: with firing_ttl: 0s (no endsAt) Alertmanager resolves the
#    alert itself after resolve_timeout (2s here); with the default the
#    alert stays firing until mcplog resolves it. Checked through the
#    notifications, so that a slow machine cannot make a listing late.
send amfull --rule ttl-default
assert_eq "default endsAt: delivered" "sink amfull: firing: ok" "$(cat amfull.stdout)"
conf amzero "url: http://127.0.0.1:$AMPORT" 'firing_ttl: 0s' 'retries: 0'
T_SEND=$(python3 -c 'import time; print(time.time())')
send amzero --rule ttl-zero
T_DONE=$(python3 -c 'import time; print(time.time())')
assert_eq "no endsAt: delivered" "sink amzero: firing: ok" "$(cat amzero.stdout)"
assert_eq "no endsAt: notified firing" yes "$(notified firing ttl-zero)"
assert_eq "no endsAt: resolved by Alertmanager itself" yes "$(notified resolved ttl-zero)"
assert_eq "no endsAt: endsAt = arrival + resolve_timeout (2s)" True \
    "$(njq "$T_SEND + 2 - 0.002 <= t(al['endsAt']) <= $T_DONE + 2 + 0.002")"
alerts ttl-zero
assert_eq "no endsAt: gone from the listing" 0 "$(ajq 'len(a)')"
alerts ttl-default
assert_eq "default endsAt: still active after resolve_timeout" active \
    "$(ajq 'a[0]["status"]["state"] if a else "missing"')"
send amfull --rule ttl-default --status resolved
alerts ttl-default
assert_eq "default endsAt: resolved by mcplog" 0 "$(ajq 'len(a)')"

# ---------------------------------------------------------------------------
# No AddressSanitizer, LeakSanitizer or UBSan report from any run (the
# sanitizer pass of make check runs this script too).
if grep -l -E 'Sanitizer|runtime error:' ./*.stderr >san.txt 2>/dev/null; then
    bad "no sanitizer report in any run" "$(cat san.txt)"
else
    ok "no sanitizer report in any run"
fi

am_cleanup
