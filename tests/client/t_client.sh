#!/bin/sh
# t_client.sh - mcplog against what the REAL Claude Code client wrote.
#
#   MCPLOG=$PWD/mcplog sh tests/client/t_client.sh      (make client-test)
#
# Runs tests/client/run_client.sh (the real client, pinned in tests/deps.sh,
# against real stdio servers; the model API is a stand-in on 127.0.0.1: no
# real model can run here) in a throwaway HOME, while `mcplog follow
# --client claude-code` follows that HOME from before the client's first
# file exists. Then `mcplog scan --client claude-code` reads the same HOME.
# Both must count, per rule and server, exactly what the manifest
# (expected.json, the client's own entries over several runs) says the
# client wrote, and the table below. Claude Desktop cannot run here: its
# readers are tested on fixtures (tests/e2e/t_clients.sh).
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
: "${MCPLOG:?set MCPLOG to the binary under test}"
. "$ROOT"/tests/e2e/lib.sh
TNAME=t_client
T=$(mktemp -d "${TMPDIR:-/tmp}/mcplog-client.XXXXXX")
cd "$T" || exit 1
export MCPLOG_DATADIR="$ROOT" MCPLOG_CONFIG="$ROOT/tests/e2e/terminal-only.yaml"
export TZ=UTC
H="$T"/cc/home
RC="$ROOT"/tests/client/rule_counts.py
# slow-connect compares the connect time with a third of MCP_TIMEOUT
# (1000 ms here): whether a start takes that long depends on the machine's
# load, so it is left out of the counts (tests/e2e/t_clients.sh holds it
# on fixtures).
counts() { python3 "$RC" "$@" | grep -v '^slow-connect '; }

# The exact counts (rule, server[/tool], count) of one run of
# run_client.sh (tests/client/counts.txt): 4 client processes (list,
# list-debug, print-debug, tui).
cp "$ROOT"/tests/client/counts.txt want
counts --manifest "$ROOT"/tests/client/expected.json >manifest 2>&1
assert_file_eq "the manifest's counts are the table's" want manifest

# follow, started before the client has written anything (its HOME does
# not exist yet): the folders and files appear while it runs.
HOME="$H" XDG_CACHE_HOME= XDG_CONFIG_HOME= XDG_STATE_HOME="$T"/state \
    "$MCPLOG" follow --client claude-code --json --no-state \
    >follow.jsonl 2>follow.err &
FPID=$!
bash "$ROOT"/tests/client/run_client.sh "$T"/cc >run.out 2>&1
assert_eq "run_client.sh: exit 0" 0 "$?"

# follow lists the client's folders once a second and drains a file 5 s
# (--grace) after its last growth: wait (polling, at most 30 s) until it
# has counted what the client wrote, then end it by its PID.
i=0
while [ $i -lt 60 ]; do
    counts --follow follow.jsonl >follow.counts 2>/dev/null
    cmp -s want follow.counts && break
    sleep 0.5
    i=$((i + 1))
done
kill -INT "$FPID"
wait "$FPID"
assert_eq "follow: exit 0 on SIGINT" 0 "$?"
counts --follow follow.jsonl >follow.counts
assert_file_eq "follow --client claude-code: events per rule and server" \
    want follow.counts
assert_eq "follow: nothing on stderr" "" "$(cat follow.err)"
alerts=$(python3 -c '
import json, sys, collections
c = collections.Counter()
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o.get("type") == "alert" and o.get("status") == "firing" and \
            o["rule"] != "slow-connect":
        c[(o["rule"], json.dumps(o.get("labels"), sort_keys=True))] += 1
print(" ".join("%s%s" % k for k in sorted(c)))' follow.jsonl)
assert_eq "follow: the alerts that fired (rule and labels)" \
    'startup-crash{"server": "crash"} startup-timeout{"server": "slow"} stdout-pollution{"server": "noisy"} tool-failures{"server": "dies", "tool": "boom"} tool-failures{"server": "hestai_server", "tool": "debug"}' \
    "$alerts"

# scan of the same HOME: only the client's files (no path given).
HOME="$H" XDG_CACHE_HOME= XDG_CONFIG_HOME= \
    "$MCPLOG" scan --client claude-code --json >scan.json 2>scan.err
assert_eq "scan --client claude-code: exit 0" 0 "$?"
counts --scan scan.json >scan.counts
assert_file_eq "scan --client claude-code: matches per rule and server" \
    want scan.counts
assert_json "scan: connection-failures alerts (5 per server is not more than 5)" \
    scan.json rules.connection-failures.alerts 0
assert_eq "scan: startup-crash carries the server's traceback" \
    "ModuleNotFoundError: No module named 'mcp_missing_dependency_for_test'" \
    "$(python3 -c 'import json,sys; a=[a for a in json.load(open(sys.argv[1]))["alerts"] if a["rule"]=="startup-crash"]; print(a[0]["context"].splitlines()[-1])' scan.json)"

# --server keeps one server
HOME="$H" XDG_CACHE_HOME= XDG_CONFIG_HOME= \
    "$MCPLOG" scan --client claude-code --server slow --json >slow.json 2>&1
counts --scan slow.json >slow.counts
grep ' slow ' want >slow.want
assert_file_eq "scan --server slow: only slow's" slow.want slow.counts

# the server's own logs and its client side, tied by the registration
HOME="$H" XDG_CACHE_HOME= XDG_CONFIG_HOME= \
    "$MCPLOG" scan --client claude-code --json "$T"/cc/hestai-mcp-server/logs \
    >both.json 2>&1
assert_json "scan LOGS --client: the folder tied to its client name" both.json \
    notes.0 "$T/cc/hestai-mcp-server/logs is the client's server 'hestai_server' (args $T/cc/hestai-mcp-server/server.py of the registration in $T/cc/proj)"

echo "RESULT $PASS $FAIL"
printf 'client: %s passed, %s failed\n' "$PASS" "$FAIL"
[ -n "${CHECK_TALLY:-}" ] && echo "$PASS $FAIL" >>"$CHECK_TALLY"
if [ "$FAIL" -eq 0 ]; then rm -rf "$T"; else echo "kept: $T"; fi
[ "$FAIL" -eq 0 ]
