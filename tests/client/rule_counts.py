#!/usr/bin/env python3
"""Per rule and server counts, for tests/client/t_client.sh.

  rule_counts.py --manifest expected.json   what the client wrote, per the
                                            manifest, as the rules count it
  rule_counts.py --scan SCAN.json           mcplog scan --json's groups
  rule_counts.py --follow FOLLOW.jsonl      mcplog follow --json's events

Each prints sorted lines "RULE SERVER[/TOOL] COUNT". The manifest's counts
must be exact (lo == hi) for every entry a rule counts; a racy one is an
error (exit 1): the test asserts exact values only.
"""
import collections
import json
import sys

# The registered names of the test servers (run_client.sh), by the slug of
# their connection-log folder.
NAMES = {"hestai-server": "hestai_server", "crash": "crash", "slow": "slow",
         "noisy": "noisy", "dies": "dies", "missing": "missing"}

# connection-log entry prefix -> rule (clients.yaml); transcript entries
# below.
CONN = [
    ("error: Connection failed: MCP error -32000: Connection closed",
     ["connection-failures", "startup-crash"]),
    ("error: Connection failed: ", ["connection-failures"]),
    ("debug: Connection timeout triggered after ", ["startup-timeout"]),
    ("error: Ignoring non-JSON line on stdout", ["stdout-pollution"]),
    ("debug: Starting connection with timeout of ", ["client-connections"]),
    ("debug: Successfully connected ", ["client-connected"]),
    ("debug: Tool '", ["client-tool-calls"]),
]


def tool_of(entry):
    return entry.split("'")[1]


def manifest(path):
    d = json.load(open(path))
    c = collections.Counter()
    for key, cell in d["cells"].items():
        step, kind, server = key.split("|")
        for entry, (lo, hi) in cell.items():
            rules = []
            label = NAMES.get(server, server)
            if kind == "connection_log":
                for prefix, rs in CONN:
                    if entry.startswith(prefix):
                        rules = list(rs)
                        break
                if entry.startswith("debug: Tool '"):
                    label = label + "/" + tool_of(entry)
                    if " failed after " in entry:
                        rules.append("tool-failures")
            elif kind == "transcript" and entry.startswith(
                    "local-command-stdout: Failed to reconnect to "):
                rules = ["reconnect-failures"]
                label = entry.split("Failed to reconnect to ")[1]
                label = label.split(":")[0].rstrip(".")
            if not rules:
                continue
            if lo != hi:
                print("racy in the manifest: %s %s" % (key, entry),
                      file=sys.stderr)
                sys.exit(1)
            for r in rules:
                c[(r, label if r in ("tool-failures", "client-tool-calls")
                   else label.split("/")[0])] += lo
    return c


def scan(path):
    d = json.load(open(path))
    c = collections.Counter()
    for rule, v in d["rules"].items():
        for group, n in v["groups"].items():
            c[(rule, group.replace(",", "/"))] += n
    return c


def follow(path):
    c = collections.Counter()
    for line in open(path):
        o = json.loads(line)
        if o.get("type") != "event":
            continue
        caps = o.get("captures") or {}
        label = o.get("server") or caps.get("server") or "-"
        if o["rule"] in ("tool-failures", "client-tool-calls"):
            label += "/" + caps.get("tool", "-")
        c[(o["rule"], label)] += 1
    return c


def main():
    how, path = sys.argv[1], sys.argv[2]
    c = {"--manifest": manifest, "--scan": scan, "--follow": follow}[how](path)
    for (rule, label), n in sorted(c.items()):
        if n:
            print("%s %s %d" % (rule, label, n))


main()
