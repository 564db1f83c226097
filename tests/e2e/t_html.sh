# t_html.sh - scan --html: the incident page (issue 16).
# 1. the page for samples/ equals samples/expected-scan.html byte for byte
#    (--html-stamp none), twice; the text report beside it is unchanged;
# 2. headless Chromium renders it: a screenshot (HTML_SHOT=FILE keeps a
#    copy: docs/img/incident-page.png is made so), and --dump-dom shows the
#    timeline, the alert names and no element made from log text;
# 3. a page of hostile log text, checked in Chromium's DOM;
# 4. no src, href or url() points outside the page (and the check itself
#    fails on pages that do);
# 5. bounded: lanes, rows, clusters and the JSON are capped;
# 6. client events as markers, client tool latencies in the tools table,
#    on the files the real Claude Code client wrote.

export HOME="$T"
unset XDG_CONFIG_HOME
export MCPLOG_DATADIR="$ROOT"
CHECK="python3 $ROOT/tests/e2e/html_check.py"

# chrome ARGS... FILE: headless Chromium on a local file, in throwaway
# HOME and XDG folders, with no way out to the network (a proxy and a
# resolver that lead nowhere; the page needs none), within 90 s.
chrome() {
    mkdir -p "$T/chr/config" "$T/chr/cache" "$T/chr/data" "$T/chr/run"
    chmod 700 "$T/chr/run"
    sandbox=""
    [ "$(id -u)" = 0 ] && sandbox=--no-sandbox
    HOME=$T/chr XDG_CONFIG_HOME=$T/chr/config XDG_CACHE_HOME=$T/chr/cache \
        XDG_DATA_HOME=$T/chr/data XDG_RUNTIME_DIR=$T/chr/run \
        DBUS_SESSION_BUS_ADDRESS=disabled: \
        timeout -k 5 90 chromium --headless $sandbox --disable-gpu \
        --no-first-run --no-default-browser-check --disable-extensions \
        --disable-background-networking --disable-component-update \
        --disable-sync --user-data-dir="$T/chr/profile" \
        --proxy-server=127.0.0.1:9 --host-resolver-rules='MAP * ~NOTFOUND' \
        "$@" 2>>"$T/chrome.err"
}

# fact FACTSFILE NAME: the value of one fact
fact() { sed -n "s/^$2 //p" "$1"; }

# ---------------------------------------------------------------------------
# 1. The golden page.
cd "$ROOT" || exit 1
"$MCPLOG" scan --tz UTC --html "$T/page.html" --html-stamp none samples/logs \
    >"$T/page.txt" 2>"$T/err"
assert_eq "scan --html of samples exits 0" 0 $?
assert_eq "scan --html prints nothing on stderr" "" "$(cat "$T/err")"
assert_file_eq "the page equals samples/expected-scan.html" \
    samples/expected-scan.html "$T/page.html"
assert_file_eq "the text report beside it is unchanged" \
    samples/expected-scan.txt "$T/page.txt"
for w in 1 3; do
    MCPLOG_SCAN_THREADS=$w "$MCPLOG" scan --tz UTC --html "$T/w$w.html" \
        --html-stamp none samples/logs >/dev/null 2>&1
    assert_file_eq "the same page with $w scan workers" "$T/page.html" "$T/w$w.html"
done
"$MCPLOG" scan --tz UTC --html - --html-stamp none samples/logs \
    >"$T/page2.html" 2>"$T/err"
assert_eq "--html - exits 0" 0 $?
assert_file_eq "--html - writes the same page, and only it, to stdout" \
    "$T/page.html" "$T/page2.html"
"$MCPLOG" scan --tz UTC --html "$T/stamped.html" samples/logs >/dev/null 2>&1
assert_eq "without --html-stamp none the page has one generated-at line" 1 \
    "$(grep -c '^<p class="sub">Generated 2[0-9-]*T[0-9:.]*Z by mcplog</p>$' "$T/stamped.html")"
assert_eq "and differs from the golden page by that line only" \
    "$(grep -v '^<p class="sub">Generated ' "$T/stamped.html" | cksum)" \
    "$(cksum <"$T/page.html")"
assert_eq "the header: time range and zone" \
    '<p class="sub" id="range">2025-12-05 09:14:07,512 to 2025-12-10 17:37:24,927 (5d8h23m17.415s), times in UTC (UTC+00:00 at the start)</p>' \
    "$(grep 'id="range"' "$T/page.html")"
"$MCPLOG" scan --tz UTC --since 2025-12-09 --until 2025-12-10T12:00:00Z \
    --html - --html-stamp none samples/logs >"$T/since.html" 2>/dev/null
assert_eq "--since/--until bound the axis and are told" \
    '<p class="sub" id="range">2025-12-09 00:00:00,000 to 2025-12-10 11:59:59,999 (1d11h59m59.999s), times in UTC (UTC+00:00 at the start); lines from 2025-12-09 00:00:00,000 to before 2025-12-10 12:00:00,000</p>' \
    "$(grep 'id="range"' "$T/since.html")"
"$MCPLOG" scan --tz UTC --json --html "$T/j.html" --html-stamp none \
    samples/logs >"$T/page.json" 2>/dev/null
assert_file_eq "with --json the JSON document beside it is unchanged" \
    samples/expected-scan.json "$T/page.json"
assert_file_eq "and the page is the same" "$T/page.html" "$T/j.html"
"$MCPLOG" scan --tz UTC --by day --no-pager samples/logs >"$T/by.want" 2>/dev/null
"$MCPLOG" scan --tz UTC --by day --no-pager --html "$T/by.html" \
    --html-stamp none samples/logs >"$T/by.got" 2>/dev/null
assert_file_eq "--by beside --html: the same histogram" "$T/by.want" "$T/by.got"
"$MCPLOG" scan --tz UTC --summary --min-severity critical --html "$T/sum.html" \
    --html-stamp none samples/logs >/dev/null 2>&1
assert_file_eq "--summary and --min-severity shape the report, not the page" \
    "$T/page.html" "$T/sum.html"
cd "$T" || exit 1
mkdir empty
: >empty/mcp_server.log
"$MCPLOG" scan --tz UTC --html - --html-stamp none empty >empty.html 2>err
assert_eq "a log without a timestamp: exit 0" 0 $?
assert_eq "and the page says there is nothing to draw" \
    '<p class="sub" id="range">no timestamped lines, times in UTC</p>|<p>No timestamped line: nothing to draw.</p>' \
    "$(grep -e 'id="range"' -e 'nothing to draw' empty.html | paste -sd '|')"
$CHECK facts empty.html >empty.facts
assert_eq "and holds no element but the page's own" none \
    "$(fact empty.facts tags-outside-allowlist)"
assert_status "--html-stamp takes none or now" 2 \
    "$MCPLOG" scan --html x.html --html-stamp sometimes "$ROOT/samples/logs"
assert_status "--html with --replay is a usage error" 2 \
    "$MCPLOG" scan --html x.html --replay "$ROOT/samples/logs"
assert_eq "and no page is written" "" "$(ls x.html 2>/dev/null)"
assert_status "an unwritable --html file: exit 2" 2 \
    "$MCPLOG" scan --tz UTC --html "$T/no/such/dir/p.html" "$ROOT/samples/logs"
assert_contains "and the cause is named" err \
    "mcplog: cannot write $T/no/such/dir/p.html: No such file or directory"

# ---------------------------------------------------------------------------
# 2. Chromium: a screenshot and the DOM of the golden page.
chrome --window-size=1100,1450 --force-device-scale-factor=0.75 --hide-scrollbars --screenshot="$T/shot.png" \
    "file://$T/page.html" >/dev/null
assert_eq "chromium takes a screenshot of the page" 0 $?
assert_eq "the screenshot is an 825x1088 PNG (1100x1450 at 0.75)" "PNG 825 1088" \
    "$(python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); print(d[1:4].decode(), *struct.unpack(">II", d[16:24]))' "$T/shot.png" 2>&1)"
[ -n "${HTML_SHOT:-}" ] && cp "$T/shot.png" "$HTML_SHOT"
chrome --no-pdf-header-footer --print-to-pdf="$T/page.pdf" \
    "file://$T/page.html" >/dev/null
assert_eq "chromium prints the page to PDF" "0 %PDF-" \
    "$? $(head -c 5 "$T/page.pdf")"
chrome --dump-dom "file://$T/page.html" >"$T/dom.html"
assert_eq "chromium dumps the DOM" 0 $?
$CHECK facts "$T/dom.html" >"$T/dom.facts"
assert_eq "DOM: the timeline is drawn" 1 "$(fact "$T/dom.facts" timeline)"
assert_eq "DOM: one lane per server process" 15 "$(fact "$T/dom.facts" procs)"
assert_eq "DOM: one lane per alert key" 16 "$(fact "$T/dom.facts" alert-lanes)"
assert_eq "DOM: the alert names, in the order they fired" \
    "errors,restarts,thread-not-found,errors,errors,errors,errors,errors,errors,errors,errors,thread-not-found,errors,errors,errors,errors,errors,startup-not-ready,errors,errors,errors,tool-call-rate,errors,startup-not-ready,errors,errors,thread-not-found,errors,reconnect-failures,errors,errors,errors,errors,thread-not-found" \
    "$(fact "$T/dom.facts" alert-rules)"
assert_eq "DOM: 17 error clusters, each with its sparkline" "17 17" \
    "$(fact "$T/dom.facts" clusters) $(fact "$T/dom.facts" sparklines)"
assert_eq "DOM: no element made from log text" none \
    "$(fact "$T/dom.facts" tags-outside-allowlist)"
assert_eq "DOM: no event handler attribute" 0 \
    "$(fact "$T/dom.facts" event-attributes)"
assert_eq "DOM: one script element, a JSON data block" "1 application/json" \
    "$(fact "$T/dom.facts" scripts) $(fact "$T/dom.facts" script-types)"
assert_eq "DOM: the CSP forbids every outside request" \
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; script-src 'none'; base-uri 'none'; form-action 'none'" \
    "$(fact "$T/dom.facts" csp)"
assert_eq "DOM: the verdict strip" \
    "3critical alerts27warning alerts4info alerts1server never ready15server starts12connection failures17h23m13.529slongest outage2025-12-09 15:38:36,887 to 2025-12-10 09:01:50,416" \
    "$($CHECK text "$T/dom.html" verdict | tr -d '\n')"
(cd "$ROOT" && "$MCPLOG" scan --tz UTC --json samples/logs 2>/dev/null) |
    python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["alerts"], sort_keys=True, ensure_ascii=True))' >"$T/alerts.want"
$CHECK json "$T/dom.html" >"$T/alerts.got"
assert_file_eq "DOM: the JSON block holds exactly scan --json's alerts" \
    "$T/alerts.want" "$T/alerts.got"
$CHECK jsontext "$T/dom.html" alerts-json-text >"$T/alerts.text"
assert_file_eq "DOM: the folded appendix shows the same JSON" \
    "$T/alerts.want" "$T/alerts.text"
assert_eq "the appendix holds one alert a line" 36 \
    "$(sed -n '/<pre id="alerts-json-text">/,/<\/pre>/p' "$T/page.html" | wc -l)"

# ---------------------------------------------------------------------------
# 3. Hostile log text: one ERROR line per payload (each its own logger, so
#    its own alert and cluster), a traceback, a hostile tool name.
mkdir h
python3 - h/mcp_server.log h/mcp_activity.log <<'PY'
import sys
payloads = [
    b'close </script><script>alert(1)</script> here',
    b'img <img src=x onerror=alert(1)> here',
    b'comment <!-- never closed',
    b'bidi \xe2\x80\xaegpj.exe here',
    b'ansi \x1b[31mred\x1b[0m here',
    b'sep \xe2\x80\xa8 line separator',
    b'attr "><svg onload=alert(1)> here',
    b'entity &lt;b&gt; stays &amp; text',
]
with open(sys.argv[1], 'wb') as f:
    for i, p in enumerate(payloads, 1):
        f.write(b'2025-12-10 14:00:%02d,000 - tools.h%d - ERROR - ' % (i, i)
                + p + b'\n')
    f.write(b'Traceback (most recent call last):\n')
    f.write(b'ValueError: </pre><marquee>x</marquee> \x1b]0;t\x07\n')
with open(sys.argv[2], 'wb') as f:
    f.write(b'2025-12-10 14:00:00,000 - TOOL_CALL: <marquee>x with 3 arguments\n')
PY
"$MCPLOG" scan --tz UTC --html h.html --html-stamp none h >/dev/null 2>err
assert_eq "hostile: scan --html exits 0" 0 $?
assert_eq "hostile raw page: one </script, the JSON block's end" 1 \
    "$(grep -o '</script' h.html | wc -l)"
assert_eq "hostile raw page: no <!--, <img, <svg onload, <marquee" 0 \
    "$(grep -c -e '<!--' -e '<img' -e '<svg onload' -e '<marquee' h.html)"
assert_eq "hostile raw page: no ESC, BEL, U+202E or U+2028 byte left" 0 \
    "$(python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); print(sum(d.count(b) for b in (b"\x1b", b"\x07", "\u202e".encode(), "\u2028".encode())))' h.html)"
chrome --dump-dom "file://$T/h.html" >h.dom
assert_eq "hostile: chromium dumps the DOM" 0 $?
$CHECK facts h.dom >h.facts
assert_eq "hostile DOM: no element made from log text" none \
    "$(fact h.facts tags-outside-allowlist)"
assert_eq "hostile DOM: no event handler attribute" 0 \
    "$(fact h.facts event-attributes)"
assert_eq "hostile DOM: still one script element, the JSON block" \
    "1 application/json" "$(fact h.facts scripts) $(fact h.facts script-types)"
assert_eq "hostile DOM: 8 alerts, 8 clusters" "8 8" \
    "$(fact h.facts alert-rows) $(fact h.facts clusters)"
$CHECK text h.dom alerts >h.alerts
assert_contains "hostile DOM: </script> shows as text" h.alerts \
    'ERROR from tools.h1: close </script><script>alert(1)</script> here'
assert_contains "hostile DOM: <img onerror> shows as text" h.alerts \
    'ERROR from tools.h2: img <img src=x onerror=alert(1)> here'
assert_contains "hostile DOM: <!-- shows as text" h.alerts \
    'ERROR from tools.h3: comment <!-- never closed'
assert_contains "hostile DOM: the bidi override is shown visibly" h.alerts \
    'ERROR from tools.h4: bidi \u{202e}gpj.exe here'
assert_contains "hostile DOM: ANSI escapes are shown visibly" h.alerts \
    'ERROR from tools.h5: ansi \x1b[31mred\x1b[0m here'
assert_contains "hostile DOM: U+2028 is shown visibly" h.alerts \
    'ERROR from tools.h6: sep \u{2028} line separator'
assert_contains "hostile DOM: an attribute breakout stays text" h.alerts \
    'ERROR from tools.h7: attr "><svg onload=alert(1)> here'
assert_contains "hostile DOM: entities in a log stay as written" h.alerts \
    'ERROR from tools.h8: entity &lt;b&gt; stays &amp; text'
assert_eq "hostile: a span of 8 s has a tick each second, the last one anchored at its end" \
    "14:00:00 14:00:01 14:00:02 14:00:03 14:00:04 14:00:05 14:00:06 14:00:07 end:14:00:08" \
    "$(sed -n '/<svg id="timeline-svg"/,/<\/svg>/p' h.html | sed -n 's/.*text-anchor="\([a-z]*\)">\([0-9:]*\)<\/text>$/\1:\2/p' | sed 's/^middle://' | paste -sd ' ')"
$CHECK text h.dom clusters >h.clusters
assert_contains "hostile DOM: the traceback sample stays text" h.clusters \
    'ValueError: </pre><marquee>x</marquee> \x1b]0;t\x07'
$CHECK text h.dom tools >h.tools
assert_contains "hostile DOM: the tool name stays text" h.tools '<marquee>x'
scan_json h.json h
python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["alerts"], sort_keys=True, ensure_ascii=True))' h.json >h.want
$CHECK json h.dom >h.got
assert_file_eq "hostile DOM: the JSON block parses to scan --json's alerts" \
    h.want h.got
$CHECK jsontext h.dom alerts-json-text >h.text
assert_file_eq "hostile DOM: the appendix parses to the same alerts" \
    h.want h.text

# ---------------------------------------------------------------------------
# 4. Nothing points outside the page.
$CHECK refs "$T/page.html" >refs.out
assert_eq "samples page: no src, href or url() outside the page" "0 refs ok" \
    "$? $(cat refs.out)"
$CHECK refs "$T/dom.html" >refs.out
assert_eq "samples DOM: no src, href or url() outside the page" "0 refs ok" \
    "$? $(cat refs.out)"
$CHECK refs h.dom >refs.out
assert_eq "hostile DOM: no src, href or url() outside the page" "0 refs ok" \
    "$? $(cat refs.out)"
# The check fails on pages that do point outside.
n=0
for doctor in 's|<footer|<img src="http://example.invalid/x.png"><footer|' \
    's|<footer|<a href="https://example.invalid/">x</a><footer|' \
    's|</style>|body{background:url(http://example.invalid/b.png)}</style>|' \
    's|</style>|@import "x.css";</style>|' \
    's|<svg id="timeline-svg"|<svg id="timeline-svg"><image xlink:href="//example.invalid/i.svg"/></svg><svg|'; do
    sed "$doctor" "$T/page.html" >doctored.html
    $CHECK refs doctored.html >/dev/null && bad "refs check missed: $doctor" || n=$((n + 1))
done
assert_eq "the refs check fails on each of 5 doctored pages" 5 "$n"

# ---------------------------------------------------------------------------
# 5. Bounded: 60 starts, 1100 errors of 1100 loggers with 1100 templates.
mkdir big
python3 - big/mcp_server.log <<'PY'
import datetime, sys
t = datetime.datetime(2025, 12, 10, 0, 0, 0)
def word(i):
    s = ''
    for _ in range(3):
        s += chr(97 + i % 26)
        i //= 26
    return s
with open(sys.argv[1], 'w') as f:
    for k in range(60):
        f.write((t + datetime.timedelta(minutes=k)).strftime('%Y-%m-%d %H:%M:%S,000')
                + ' - root - INFO - Process PID: %d\n' % (1000 + k))
        f.write((t + datetime.timedelta(minutes=k, seconds=2)).strftime('%Y-%m-%d %H:%M:%S,000')
                + ' - __main__ - INFO - Server ready - waiting for tool requests...\n')
    for i in range(1100):
        f.write((t + datetime.timedelta(hours=2, seconds=i)).strftime('%Y-%m-%d %H:%M:%S,000')
                + ' - tools.l%s - ERROR - failure %s\n' % (word(i), word(i)))
PY
"$MCPLOG" scan --tz UTC --html big.html --html-stamp none big >/dev/null 2>err
assert_eq "bounded: scan --html exits 0" 0 $?
$CHECK facts big.html >big.facts
assert_eq "bounded: 40 process lanes of 60 starts" 40 "$(fact big.facts procs)"
assert_eq "bounded: 40 alert lanes" 40 "$(fact big.facts alert-lanes)"
assert_eq "bounded: 1000 alert rows of 1101" 1000 "$(fact big.facts alert-rows)"
assert_eq "bounded: 50 clusters shown" 50 "$(fact big.facts clusters)"
assert_eq "bounded: 1000 alerts in the JSON block" 1000 \
    "$($CHECK json big.html | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"
assert_contains "bounded: the processes not drawn are told" big.html \
    '>20 more processes (see Startups)</text>'
assert_contains "bounded: the clusters past the cap are told" big.html \
    'Not listed: 150 smaller clusters, and 900 errors past the 200 clusters tracked.'
assert_contains "bounded: the alerts past the cap are told" big.html \
    '101 more alerts not listed here nor in the JSON below'

# ---------------------------------------------------------------------------
# 6. Client events (--client): the files the real Claude Code client wrote
#    (tests/client/claude-code, as t_clients.sh reads them) beside the
#    server's logs of that run.
cp -r "$ROOT"/tests/client/claude-code/home cc
HOME="$T"/cc "$MCPLOG" scan --tz UTC --client claude-code --html c.html \
    --html-stamp none "$ROOT"/tests/client/claude-code/hestai-mcp-server/logs \
    >c.txt 2>err
assert_eq "client: scan --client --html exits 0" "0 " "$? $(cat err)"
$CHECK facts c.html >c.facts
assert_eq "client: a lane per kind of client event" 4 \
    "$(fact c.facts client-lanes)"
assert_eq "client: the lanes and their counts" \
    "connection failures (15)|connections (28)|handshake timeouts (5)|exits during start (5)" \
    "$(grep -o '<text x="4" y="[0-9]*">[a-z ]* ([0-9]*)</text>' c.html | sed 's/<[^>]*>//g' | paste -sd '|')"
assert_eq "client: the verdict counts the clients' failed connections" \
    '<div class="card critical" id="reconnects"><b>18</b>connection failures</div>' \
    "$(grep 'id="reconnects"' c.html)"
assert_eq "client: a tool's latency p50 / p90 / max (calls), as the text report's client section" \
    '<tr><td class="m">chat</td><td class="n">1</td><td class="n">0</td><td class="n">11ms / 11ms / 11ms (1)</td><td></td></tr>' \
    "$(grep '<td class="m">chat</td>' c.html)"
assert_contains "client: the text report says the same" c.txt \
    '    tool chat: 1 call, 0 failed, p50 11 ms, p90 11 ms, max 11 ms'
assert_eq "client: a tool failed once in the server's log and once in the client's" \
    '<tr><td class="m">debug</td><td class="n">1</td><td class="n bad">2</td><td class="n">0s / 0s / 0s (1)</td><td></td></tr>' \
    "$(grep '<td class="m">debug</td>' c.html)"
assert_eq "client: a tool only the client logged, with its failures" \
    '<tr><td class="m">boom</td><td class="n">0</td><td class="n bad">2</td><td class="n">0s / 0s / 0s (2)</td><td></td></tr>' \
    "$(grep '<td class="m">boom</td>' c.html)"
assert_eq "client: no element made from log text" none \
    "$(fact c.facts tags-outside-allowlist)"
"$MCPLOG" scan --tz UTC --html c2.html --html-stamp none \
    "$ROOT"/tests/client/claude-code/hestai-mcp-server/logs >/dev/null 2>&1
assert_eq "without --client: no client lane" 0 \
    "$($CHECK facts c2.html | sed -n 's/^client-lanes //p')"
