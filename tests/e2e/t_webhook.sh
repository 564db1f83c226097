# t_webhook.sh - the webhook sink through `mcplog sinks test`, against a
# real local HTTP server (tests/e2e/httpd.py) that answers from a script
# and logs every request: retry and backoff per the config, timeouts,
# which statuses are retried, the JSON body and headers, secrets kept out
# of every message, url_file, and configuration errors.

export HOME="$T"
unset XDG_CONFIG_HOME
# A proxy from the environment would take the requests to 127.0.0.1.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

HTTPD="$ROOT/tests/e2e/httpd.py"
WH_PIDS=""

wh_cleanup() {
    for p in $WH_PIDS; do kill "$p" 2>/dev/null; done
    for p in $WH_PIDS; do wait "$p" 2>/dev/null; done
    WH_PIDS=""
}
trap wh_cleanup EXIT

# serve NAME SCRIPT: start httpd.py answering SCRIPT; requests are logged
# to NAME.log. Sets PORT (empty when it did not start within 10 s).
serve() {
    : >"$1.log"
    python3 "$HTTPD" --port-file "$1.port" --log "$1.log" --script "$2" \
        >"$1.out" 2>&1 &
    WH_PIDS="$WH_PIDS $!"
    _i=0
    while [ ! -s "$1.port" ] && [ "$_i" -lt 200 ]; do
        sleep 0.05
        _i=$((_i + 1))
    done
    PORT=$(cat "$1.port" 2>/dev/null)
    if [ -n "$PORT" ]; then ok "httpd $1 started"; else bad "httpd $1 started" "$(cat "$1.out")"; fi
}

# closed_port: a port nothing listens on (bound once, then released).
closed_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# conf NAME LINE...: write NAME.yaml with one webhook sink NAME whose
# option lines are LINE...
conf() {
    _n=$1
    shift
    {
        printf 'sinks:\n  %s:\n    type: webhook\n' "$_n"
        for l in "$@"; do printf '    %s\n' "$l"; done
        printf 'routes:\n  - sinks: [%s]\n' "$_n"
    } >"$_n.yaml"
}

# run NAME ARGS...: mcplog sinks test NAME --config NAME.yaml ARGS...;
# output in NAME.stdout / NAME.stderr, exit status in RC, time in MS.
run() {
    _n=$1
    shift
    _t0=$(date +%s%N)
    "$MCPLOG" sinks test "$_n" --config "$_n.yaml" "$@" >"$_n.stdout" 2>"$_n.stderr"
    RC=$?
    _t1=$(date +%s%N)
    MS=$(((_t1 - _t0) / 1000000))
}

# req NAME N EXPR: a Python expression over request N of NAME.log, with
# r = the request, h = its headers (lower-case names), b = its body
# parsed as JSON (or None), reqs = all requests.
req() {
    python3 -c '
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
n = int(sys.argv[2])
r = reqs[n - 1] if 1 <= n <= len(reqs) else None
h = {k.lower(): v for k, v in r["headers"]} if r else {}
try:
    b = json.loads(r["body"]) if r else None
except ValueError:
    b = None
print(eval(sys.argv[3]))' "$1.log" "$2" "$3" 2>&1
}

# between DESC MS LO HI: LO <= MS <= HI (milliseconds)
between() {
    if [ "$2" -ge "$3" ] && [ "$2" -le "$4" ]; then ok "$1"; else bad "$1" "expected $3..$4 ms, got $2 ms"; fi
}

VERSION=$("$MCPLOG" --version | sed 's/^mcplog //')
HOST=$(python3 -c 'import socket; print(socket.gethostname())')

# ---------------------------------------------------------------------------
# 1. 500, 500, 200: delivered at the third attempt; three identical bodies
#    on one kept-alive connection, 200 ms then 400 ms apart; the headers.
serve flaky 500,500,200
conf flaky "url: http://127.0.0.1:$PORT/hook" 'retries: 2' 'backoff: 200ms' \
    'headers: ["X-Test: hello", "X-Other: two  words"]'
run flaky --rule web-test --severity warning --label tool=x --label server=hestai \
    --summary 'three in 1m' --count 3 --line 'a\e[31mb\x00c\xffd'
assert_eq "500,500,200: exit 0" 0 "$RC"
# Each retry is printed as it is decided: the attempt to come, the wait,
# the cause (issue 13: silent for 31 s against a dead webhook before).
assert_eq "500,500,200: each retry, then ok after 3 attempts" \
    "sink flaky: firing: attempt 2/3 in 200ms: POST http://127.0.0.1:$PORT/hook: HTTP 500: httpd.py: 500
sink flaky: firing: attempt 3/3 in 400ms: POST http://127.0.0.1:$PORT/hook: HTTP 500: httpd.py: 500
sink flaky: firing: ok after 3 attempts" "$(cat flaky.stdout)"
assert_eq "500,500,200: nothing on stderr" "" "$(cat flaky.stderr)"
assert_eq "500,500,200: exactly 3 requests" 3 "$(req flaky 0 'len(reqs)')"
assert_eq "500,500,200: identical bodies" True \
    "$(req flaky 0 'reqs[0]["body"] == reqs[1]["body"] == reqs[2]["body"] != ""')"
assert_eq "500,500,200: all POST /hook" "POST /hook POST /hook POST /hook" \
    "$(req flaky 0 '" ".join(x["method"] + " " + x["path"] for x in reqs)')"
assert_eq "500,500,200: one kept-alive connection" 1 "$(req flaky 0 'len(set(x["peer"] for x in reqs))')"
between "500,500,200: first retry after backoff (200 ms)" \
    "$(req flaky 0 'int((reqs[1]["time"] - reqs[0]["time"]) * 1000)')" 195 1200
between "500,500,200: second retry after 2 x backoff (400 ms)" \
    "$(req flaky 0 'int((reqs[2]["time"] - reqs[1]["time"]) * 1000)')" 395 1500
assert_eq "header Content-Type" "application/json" "$(req flaky 1 'h["content-type"]')"
assert_eq "header User-Agent" "mcplog/$VERSION" "$(req flaky 1 'h["user-agent"]')"
assert_eq "headers option: X-Test" "hello" "$(req flaky 1 'h["x-test"]')"
assert_eq "headers option: X-Other keeps inner spaces" "two  words" "$(req flaky 1 'h["x-other"]')"
assert_eq "no Expect: 100-continue" "None" "$(req flaky 1 'h.get("expect")')"

# The json format: the alert object, every key.
assert_eq "json body: the keys" \
    "context count description end host key labels line replay rule sent severity source start status summary" \
    "$(req flaky 1 '" ".join(sorted(b))')"
assert_eq "json body: rule" web-test "$(req flaky 1 'b["rule"]')"
assert_eq "json body: key" "web-test{tool=x,server=hestai}" "$(req flaky 1 'b["key"]')"
assert_eq "json body: severity" warning "$(req flaky 1 'b["severity"]')"
assert_eq "json body: status" firing "$(req flaky 1 'b["status"]')"
assert_eq "json body: labels" "{'tool': 'x', 'server': 'hestai'}" "$(req flaky 1 'b["labels"]')"
assert_eq "json body: count" 3 "$(req flaky 1 'b["count"]')"
assert_eq "json body: summary" "three in 1m" "$(req flaky 1 'b["summary"]')"
assert_eq "json body: description" "" "$(req flaky 1 'b["description"]')"
assert_eq "json body: line, raw bytes escaped, invalid UTF-8 as U+FFFD" \
    "'a\\x1b[31mb\\x00c\\ufffdd'" "$(req flaky 1 'ascii(b["line"])')"
assert_eq "json body: context" None "$(req flaky 1 'b["context"]')"
assert_eq "json body: end while firing" None "$(req flaky 1 'b["end"]')"
assert_eq "json body: source" "" "$(req flaky 1 'b["source"]')"
assert_eq "json body: host" "$HOST" "$(req flaky 1 'b["host"]')"
assert_eq "json body: replay" False "$(req flaky 1 'b["replay"]')"
assert_eq "json body: start and sent are ISO 8601 with ms" "True True" \
    "$(req flaky 1 '" ".join(str(__import__("re").fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(Z|[+-]\d\d:\d\d)", b[k]) is not None) for k in ("start", "sent"))')"

# ---------------------------------------------------------------------------
# 2. Firing, update, resolved of one alert: three posts, one connection.
serve life 200
conf life "url: http://127.0.0.1:$PORT/" 'retries: 0'
run life --status firing,update,resolved --label tool=y
assert_eq "transitions: exit 0" 0 "$RC"
assert_eq "transitions: three outcomes" \
    "sink life: firing: ok|sink life: update: ok|sink life: resolved: ok" \
    "$(tr '\n' '|' <life.stdout | sed 's/|$//')"
assert_eq "transitions: statuses in order" "firing update resolved" \
    "$(req life 0 '" ".join(json.loads(x["body"])["status"] for x in reqs)')"
assert_eq "transitions: one key" 1 "$(req life 0 'len(set(json.loads(x["body"])["key"] for x in reqs))')"
assert_eq "transitions: end set once resolved" "False False True" \
    "$(req life 0 '" ".join(str(json.loads(x["body"])["end"] is not None) for x in reqs)')"
assert_eq "transitions: one kept-alive connection" 1 "$(req life 0 'len(set(x["peer"] for x in reqs))')"

# ---------------------------------------------------------------------------
# 3. The server is down (connection refused): retried per the config.
CP=$(closed_port)
conf down "url: http://127.0.0.1:$CP" 'retries: 2' 'backoff: 200ms'
run down
assert_eq "down: exit 1" 1 "$RC"
assert_eq "down: each retry, then failed after 3 attempts, with the URL" \
    "sink down: firing: attempt 2/3 in 200ms: POST http://127.0.0.1:$CP/: 
sink down: firing: attempt 3/3 in 400ms: POST http://127.0.0.1:$CP/: 
sink down: firing: failed after 3 attempts: POST http://127.0.0.1:$CP/: " \
    "$(sed 's/^\(.*: POST [^ ]* \).*/\1/' down.stdout)"
assert_contains "down: curl's cause" down.stdout "Failed to connect to 127.0.0.1 port $CP"
between "down: 200 + 400 ms of backoff" "$MS" 600 3000

# A name that does not resolve (.invalid never does, RFC 6761): retried.
conf nodns 'url: http://nonexistent.invalid/x' 'retries: 1' 'backoff: 50ms' 'connect_timeout: 3s'
run nodns
assert_eq "DNS failure: exit 1" 1 "$RC"
assert_contains "DNS failure: retried, curl's cause" nodns.stdout \
    "sink nodns: firing: failed after 2 attempts: POST http://nonexistent.invalid/x: Could not resolve host: nonexistent.invalid"

# ---------------------------------------------------------------------------
# 4. A server slower than `timeout`: the request times out and is retried
#    (on a new connection); the second answer is quick.
serve slow slow:3,200
conf slow "url: http://127.0.0.1:$PORT/s" 'timeout: 1s' 'retries: 1' 'backoff: 100ms'
run slow
assert_eq "slow: exit 0" 0 "$RC"
assert_eq "slow: the retry, then ok after 2 attempts" \
    "sink slow: firing: attempt 2/2 in 100ms: POST http://127.0.0.1:$PORT/s: Operation timed out after
sink slow: firing: ok after 2 attempts" \
    "$(sed 's/\(timed out after\) .*/\1/' slow.stdout)"
assert_eq "slow: 2 requests" 2 "$(req slow 0 'len(reqs)')"
assert_eq "slow: the timed-out connection is not reused" 2 "$(req slow 0 'len(set(x["peer"] for x in reqs))')"
between "slow: 1 s timeout + 100 ms backoff, not the 3 s reply" "$MS" 1100 2900

serve slower slow:3
conf slower "url: http://127.0.0.1:$PORT/s" 'timeout: 500ms' 'retries: 1' 'backoff: 100ms'
run slower
assert_eq "timeout twice: exit 1" 1 "$RC"
assert_contains "timeout twice: failed after 2 attempts" slower.stdout \
    "sink slower: firing: failed after 2 attempts: POST http://127.0.0.1:$PORT/s: "
assert_contains "timeout twice: curl says timed out" slower.stdout "timed out"
between "timeout twice: 2 x 500 ms + 100 ms" "$MS" 1100 2900

# ---------------------------------------------------------------------------
# 5. Which answers are retried.
serve bad 400
conf bad "url: http://127.0.0.1:$PORT/hook" 'retries: 3' 'backoff: 100ms'
run bad
assert_eq "400: exit 1" 1 "$RC"
assert_eq "400: failed after 1 attempt, the status and the reply" \
    "sink bad: firing: failed after 1 attempt: POST http://127.0.0.1:$PORT/hook: HTTP 400: httpd.py: 400" \
    "$(cat bad.stdout)"
assert_eq "400: exactly 1 request" 1 "$(req bad 0 'len(reqs)')"

serve notfound 404
conf notfound "url: http://127.0.0.1:$PORT/x" 'retries: 3' 'backoff: 100ms'
run notfound
assert_eq "404: failed after 1 attempt" \
    "sink notfound: firing: failed after 1 attempt: POST http://127.0.0.1:$PORT/x: HTTP 404: httpd.py: 404" \
    "$(cat notfound.stdout)"
assert_eq "404: exactly 1 request" 1 "$(req notfound 0 'len(reqs)')"

serve moved 301
conf moved "url: http://127.0.0.1:$PORT/x" 'retries: 3' 'backoff: 100ms'
run moved
assert_eq "301: not followed, not retried" \
    "sink moved: firing: failed after 1 attempt: POST http://127.0.0.1:$PORT/x: HTTP 301 (redirects are not followed): httpd.py: 301" \
    "$(cat moved.stdout)"
assert_eq "301: exactly 1 request" 1 "$(req moved 0 'len(reqs)')"

for code in 429 408 503; do
    serve "r$code" "$code,200"
    conf "r$code" "url: http://127.0.0.1:$PORT/" 'retries: 3' 'backoff: 100ms'
    run "r$code"
    assert_eq "$code: retried, ok after 2 attempts" \
        "sink r$code: firing: attempt 2/4 in 100ms: POST http://127.0.0.1:$PORT/: HTTP $code: httpd.py: $code
sink r$code: firing: ok after 2 attempts" "$(cat "r$code.stdout")"
    assert_eq "$code: exactly 2 requests" 2 "$(req "r$code" 0 'len(reqs)')"
done

serve gone 500
conf gone "url: http://127.0.0.1:$PORT/" 'retries: 1' 'backoff: 100ms'
run gone
assert_eq "500 every time: failed after retries + 1 attempts" \
    "sink gone: firing: attempt 2/2 in 100ms: POST http://127.0.0.1:$PORT/: HTTP 500: httpd.py: 500
sink gone: firing: failed after 2 attempts: POST http://127.0.0.1:$PORT/: HTTP 500: httpd.py: 500" \
    "$(cat gone.stdout)"
assert_eq "500 every time: exactly 2 requests" 2 "$(req gone 0 'len(reqs)')"

# A dead webhook with the default 5 retries: each retry shows as it is
# decided, while sinks test still waits for the next attempt.
serve dead 503
conf dead "url: http://127.0.0.1:$PORT/" 'backoff: 300ms'
"$MCPLOG" sinks test dead --config dead.yaml >dead.stdout 2>dead.stderr &
DPID=$!
wait_for dead.stdout "attempt 2/6" 5
assert_eq "dead: the first retry shows while sinks test waits" \
    "sink dead: firing: attempt 2/6 in 300ms: POST http://127.0.0.1:$PORT/: HTTP 503: httpd.py: 503 running" \
    "$(cat dead.stdout) $(kill -0 $DPID 2>/dev/null && echo running)"
wait $DPID
assert_eq "dead: exit 1" 1 $?
assert_eq "dead: five retries, doubling, then failed after 6 attempts" \
    "sink dead: firing: attempt 2/6 in 300ms: POST http://127.0.0.1:$PORT/: HTTP 503: httpd.py: 503
sink dead: firing: attempt 3/6 in 600ms: POST http://127.0.0.1:$PORT/: HTTP 503: httpd.py: 503
sink dead: firing: attempt 4/6 in 1.2s: POST http://127.0.0.1:$PORT/: HTTP 503: httpd.py: 503
sink dead: firing: attempt 5/6 in 2.4s: POST http://127.0.0.1:$PORT/: HTTP 503: httpd.py: 503
sink dead: firing: attempt 6/6 in 4.8s: POST http://127.0.0.1:$PORT/: HTTP 503: httpd.py: 503
sink dead: firing: failed after 6 attempts: POST http://127.0.0.1:$PORT/: HTTP 503: httpd.py: 503" \
    "$(cat dead.stdout)"

serve hangup close,200
conf hangup "url: http://127.0.0.1:$PORT/" 'retries: 1' 'backoff: 100ms'
run hangup
assert_eq "connection closed without a reply: retried" \
    "sink hangup: firing: attempt 2/2 in 100ms: POST http://127.0.0.1:$PORT/: Empty reply from server
sink hangup: firing: ok after 2 attempts" "$(cat hangup.stdout)"

# ---------------------------------------------------------------------------
# 6. Secrets: userinfo, query values and header values never show.
serve sec 400
conf sec "url: http://user:secret@127.0.0.1:$PORT/hook?token=secret&x=1" 'retries: 0' \
    'headers: ["X-Api-Key: secret-key"]'
run sec
assert_eq "secret URL: the message shows it redacted" \
    "sink sec: firing: failed after 1 attempt: POST http://***@127.0.0.1:$PORT/hook?token=***&x=***: HTTP 400: httpd.py: 400" \
    "$(cat sec.stdout)"
assert_not_contains "secret URL: not on stdout" sec.stdout secret
assert_not_contains "secret URL: not on stderr" sec.stderr secret
assert_eq "secret URL: the server got the real query" "/hook?token=secret&x=1" "$(req sec 1 'r["path"]')"
assert_eq "secret URL: userinfo sent as basic auth" "Basic dXNlcjpzZWNyZXQ=" "$(req sec 1 'h["authorization"]')"
assert_eq "secret header: sent" "secret-key" "$(req sec 1 'h["x-api-key"]')"

CP=$(closed_port)
conf secdown "url: https://user:secret@127.0.0.1:$CP/p?token=secret" 'retries: 1' 'backoff: 50ms' \
    'headers: ["Authorization: Bearer secret"]'
run secdown
assert_eq "secret URL, server down: exit 1" 1 "$RC"
assert_contains "secret URL, server down: redacted" secdown.stdout \
    "failed after 2 attempts: POST https://***@127.0.0.1:$CP/p?token=***: "
assert_not_contains "secret URL, server down: not on stdout" secdown.stdout secret
assert_not_contains "secret URL, server down: not on stderr" secdown.stderr secret

conf badhdr 'url: http://127.0.0.1:9/' 'headers: ["X-Api-Key secret"]'
run badhdr
assert_eq "header without ':': exit 2" 2 "$RC"
assert_contains "header without ':': the cause" badhdr.stderr "headers: entry 1 is not 'Name: value'"
assert_not_contains "header without ':': value not shown" badhdr.stderr secret

conf crlf 'url: http://127.0.0.1:9/' 'headers: ["X-A: secret\r\nX-Injected: 1"]'
run crlf
assert_eq "header with a line break: exit 2" 2 "$RC"
assert_contains "header with a line break: the cause, by name" crlf.stderr "headers: entry 1 (X-A) holds a line break"
assert_not_contains "header with a line break: value not shown" crlf.stderr secret

conf badscheme 'url: ftp://user:secret@127.0.0.1/x'
run badscheme
assert_eq "ftp URL: exit 2" 2 "$RC"
assert_contains "ftp URL: the cause" badscheme.stderr "url: the scheme must be http or https, not 'ftp'"
assert_not_contains "ftp URL: secret not shown" badscheme.stderr secret

# ---------------------------------------------------------------------------
# 7. url_file: the first line, trimmed; url and url_file exclude each other.
serve fromfile 200
printf '  http://127.0.0.1:%s/from-file?token=secret \r\nhttp://ignored/\n' "$PORT" >url.txt
conf fromfile "url_file: $T/url.txt" 'retries: 0'
run fromfile
assert_eq "url_file: delivered" "sink fromfile: firing: ok" "$(cat fromfile.stdout)"
assert_eq "url_file: to the URL of the first line" "/from-file?token=secret" "$(req fromfile 1 'r["path"]')"

conf tilde 'url_file: ~/url.txt' 'retries: 0'
run tilde
assert_eq "url_file ~/: from \$HOME" "sink tilde: firing: ok" "$(cat tilde.stdout)"
assert_eq "url_file ~/: the second request" 2 "$(req fromfile 0 'len(reqs)')"

conf both "url: http://127.0.0.1:9/" "url_file: $T/url.txt"
run both
assert_eq "url and url_file: exit 2" 2 "$RC"
assert_contains "url and url_file: the cause" both.stderr "set exactly one of 'url' and 'url_file'"
conf neither 'timeout: 1s'
run neither
assert_eq "neither url nor url_file: exit 2" 2 "$RC"
assert_contains "neither url nor url_file: the cause" neither.stderr "set exactly one of 'url' and 'url_file'"
conf nofile "url_file: $T/nope.txt"
run nofile
assert_eq "url_file missing: exit 2" 2 "$RC"
assert_contains "url_file missing: the cause" nofile.stderr "url_file $T/nope.txt: No such file or directory"
: >empty.txt
conf emptyfile "url_file: $T/empty.txt"
run emptyfile
assert_eq "url_file empty: exit 2" 2 "$RC"
assert_contains "url_file empty: the cause" emptyfile.stderr "url_file $T/empty.txt: the first line is empty"

conf badfmt 'url: http://127.0.0.1:9/' 'format: xml'
run badfmt
assert_eq "unknown format: exit 2" 2 "$RC"
assert_contains "unknown format: the cause" badfmt.stderr "format: 'xml' is not json or alertmanager"

# ---------------------------------------------------------------------------
# No AddressSanitizer, LeakSanitizer or UBSan report from any run (the
# sanitizer pass of make check runs this script too).
if grep -l -E 'Sanitizer|runtime error:' ./*.stderr >san.txt 2>/dev/null; then
    bad "no sanitizer report in any run" "$(cat san.txt)"
else
    ok "no sanitizer report in any run"
fi

wh_cleanup
