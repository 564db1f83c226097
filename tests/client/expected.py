#!/usr/bin/env python3
"""Exact counts of what the real client wrote, over several runs.

    python3 expected.py --write OUT1 OUT2 …   expected.json on stdout
    python3 expected.py --markdown OUT1 OUT2 … the tables of EXPECTED.md
    python3 expected.py --check expected.json OUTDIR
                                             "N passed, M failed"; exit 1 on M>0

A cell is one step, one kind of file and one server (or a pseudo-server in
parentheses: the transcript, the signals the test servers got, the servers
left running 0.5 s after the client ended, its exit code); it maps each normalized entry (summarize.py)
to how many times it was written. expected.json keeps, per entry, the lowest
and highest count seen over the runs it was made from: equal for stable
entries, different for racy ones. Known races are named, not just counted:
an entry with racy variants is kept once with the racy part in [ ] (CANON),
and the shutdown lines that a client exiting at once may not write count
from 0 (OPTIONAL). --check passes a run when every count of
every cell lies in its range, entries expected.json does not know counting
as [0, 0]. It also checks that each server's debug-log records repeat its
connection-log entries in order (only the debug log has the shutdown lines
of `mcp list`).
"""
import json
import re
import sys

import summarize


# Races seen in the runs (EXPECTED.md says how often). An entry that has
# racy variants is counted under one name that shows the racy part in [ ]:
#  - the client sends SIGTERM when a server is still there 100 ms after its
#    SIGINT (seen on a loaded machine);
#  - stderr written right before the initialize reply is in "Server stderr:"
#    or lost.
CANON = [
    (re.compile(r"^(\w+): SIGINT(, SIGTERM)?$"), r"\1: SIGINT[, SIGTERM]"),
    (re.compile(r"^(.*Server stderr: stdout server \$TAG starting, pid <PID>)"
                r"(\nstdout server: answering initialize)?(\n?)$", re.S),
     r"\1[\\nstdout server: answering initialize]\3"),
]
# Entries written only when the client is not yet gone: 0 or more times.
OPTIONAL = re.compile(r"(MCP server process exited cleanly|SIGINT failed, sending SIGTERM to "
                      r"MCP server process|<farewell>)$")


def canon(e):
    for rx, rep in CANON:
        e = rx.sub(rep, e)
    return e


def cells(out):
    """{"STEP|KIND|SERVER": {entry: count}} of one run."""
    s = summarize.summarize(out)
    res = {}

    def add(key, entries):
        c = res.setdefault(key, {})
        for e in map(canon, entries):
            c[e] = c.get(e, 0) + 1

    for step, st in s["steps"].items():
        for server, seq in st["connection_log"].items():
            add("%s|connection_log|%s" % (step, server), seq)
        dl = st["debug_log"]
        if dl:
            for server, seq in dl["servers"].items():
                add("%s|debug_log|%s" % (step, server), seq)
            add("%s|debug_log|(tool error lines)" % step, dl["tool_error_lines"])
        tr = st["transcript"]
        if tr:
            add("%s|transcript|(transcript)" % step,
                ["local-command-stdout: " + x for x in tr["local_command_stdout"]] +
                ["tool_result " + x for x in tr["tool_results"]])
        if st["server_signals"]:
            add("%s|signals received|(test servers)" % step, st["server_signals"])
        if "alive_after" in st:
            add("%s|left running|(test servers)" % step, st["alive_after"])
        if "rc" in st:
            add("%s|exit code|(client)" % step, ["rc=%d" % st["rc"]])
    for name, counts in s["server_logs"].items():
        res["server logs|%s|hestai" % name] = {
            k: v for k, v in counts.items() if isinstance(v, int)}
        res["server logs|%s|hestai" % name]["client_info: " + counts["client_info"]] = 1
    return s["client"], res


def ranges(outs):
    runs = [cells(o) for o in outs]
    keys = []
    for _, r in runs:
        keys += [k for k in r if k not in keys]
    exp = {}
    for k in keys:
        entries = []
        for _, r in runs:
            entries += [e for e in r.get(k, {}) if e not in entries]
        exp[k] = {e: [0 if OPTIONAL.search(e) else min(r.get(k, {}).get(e, 0) for _, r in runs),
                      max(r.get(k, {}).get(e, 0) for _, r in runs)] for e in entries}
    return runs[0][0], exp


def repeated_in_debug_log(out):
    """Failures of the rule "the debug log repeats every connection-log
    entry": per step with a debug log and per server, the connection log's
    entries must appear in the debug log, in the same order."""
    s = summarize.summarize(out)
    res = []
    for step, st in s["steps"].items():
        if not st["debug_log"]:
            continue
        for name, dseq in st["debug_log"]["servers"].items():
            slug = re.sub(r"[^A-Za-z0-9]", "-", name)
            d = iter(re.sub(r"^\[(\w+)\]:? ", lambda m: m.group(1).lower() + ": ", x)
                     for x in dseq)
            for e in st["connection_log"].get(slug, []):
                if not any(e.rstrip("\n") == x for x in d):
                    res.append("%s: %s: not repeated in the debug log: %s" % (
                        step, name, e[:200].replace("\n", "\\n")))
                    break
    return res


def check(path, out):
    exp = json.load(open(path))
    client, got = cells(out)
    ok = bad = 0
    for f in repeated_in_debug_log(out):
        print(f)
        bad += 1
    if client != exp["client"]:
        print("client %r, expected.json was made with %r" % (client, exp["client"]))
        bad += 1
    for k in list(exp["cells"]) + [k for k in got if k not in exp["cells"]]:
        want, have = exp["cells"].get(k, {}), got.get(k, {})
        for e in list(want) + [e for e in have if e not in want]:
            lo, hi = want.get(e, [0, 0])
            n = have.get(e, 0)
            if lo <= n <= hi:
                ok += 1
            else:
                bad += 1
                print("%s: %d x %s (expected %s)" % (
                    k, n, e[:300].replace("\n", "\\n"), lo if lo == hi else "%d-%d" % (lo, hi)))
    print("%d passed, %d failed" % (ok, bad))
    return 1 if bad else 0


def cell_text(v):
    lo, hi = v
    return str(lo) if lo == hi else "%d–%d (racy)" % (lo, hi)


def esc(s):
    return s.replace("|", "\\|").replace("\n", "\\n")


def markdown(outs):
    client, exp = ranges(outs)
    print("Made from %d runs of run_client.sh with %s.\n" % (len(outs), client))
    groups = []
    for k in exp:
        step, kind, _ = k.split("|")
        if (step, kind) not in groups:
            groups.append((step, kind))
    for step, kind in groups:
        servers = [k.split("|")[2] for k in exp if k.startswith("%s|%s|" % (step, kind))]
        entries = []
        for sv in servers:
            entries += [e for e in exp["%s|%s|%s" % (step, kind, sv)] if e not in entries]
        print("#### %s: %s\n" % (step, kind))
        print("| entry | " + " | ".join("`%s`" % s for s in servers) + " |")
        print("|---|" + "---|" * len(servers))
        for e in entries:
            row = [cell_text(exp["%s|%s|%s" % (step, kind, sv)].get(e, [0, 0])) for sv in servers]
            row = ["" if c == "0" else c for c in row]
            print("| `%s` | %s |" % (esc(e), " | ".join(row)))
        print()


def main():
    a = sys.argv[1:]
    if len(a) >= 2 and a[0] == "--write":
        client, exp = ranges(a[1:])
        j = lambda v: json.dumps(v, ensure_ascii=False)  # noqa: E731
        out = ['{"client": %s, "runs": %d, "cells": {' % (j(client), len(a) - 1)]
        for i, (k, c) in enumerate(exp.items()):
            out.append(" %s: {" % j(k))
            out.append(",\n".join("  %s: %s" % (j(e), j(r)) for e, r in c.items()))
            out.append(" }" + ("," if i < len(exp) - 1 else ""))
        out.append("}}")
        sys.stdout.write("\n".join(out) + "\n")
    elif len(a) >= 2 and a[0] == "--markdown":
        markdown(a[1:])
    elif len(a) == 3 and a[0] == "--check":
        sys.exit(check(a[1], a[2]))
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
