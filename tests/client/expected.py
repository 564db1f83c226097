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
entries, different for racy ones. --check passes a run when every count of
every cell lies in its range, entries expected.json does not know counting
as [0, 0].
"""
import json
import sys

import summarize


def cells(out):
    """{"STEP|KIND|SERVER": {entry: count}} of one run."""
    s = summarize.summarize(out)
    res = {}

    def add(key, entries):
        c = res.setdefault(key, {})
        for e in entries:
            c[e] = c.get(e, 0) + 1

    for step, st in s["steps"].items():
        for server, seq in st["connection_log"].items():
            add("%s|connection_log|%s" % (step, server), seq)
        dl = st["debug_log"]
        if dl:
            for server, seq in dl["servers"].items():
                add("%s|debug_log|%s" % (step, server), seq)
            add("%s|debug_log|(tool error lines)" % step, dl["tool_error_lines"])
            res["%s|debug_log|(continuation lines)" % step] = {"lines": dl["continuation_lines"]}
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
        exp[k] = {e: [min(r.get(k, {}).get(e, 0) for _, r in runs),
                      max(r.get(k, {}).get(e, 0) for _, r in runs)] for e in entries}
    return runs[0][0], exp


def check(path, out):
    exp = json.load(open(path))
    client, got = cells(out)
    ok = bad = 0
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
        json.dump({"client": client, "runs": len(a) - 1, "cells": exp}, sys.stdout,
                  indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
    elif len(a) >= 2 and a[0] == "--markdown":
        markdown(a[1:])
    elif len(a) == 3 and a[0] == "--check":
        sys.exit(check(a[1], a[2]))
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
