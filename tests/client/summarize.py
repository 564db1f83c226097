#!/usr/bin/env python3
"""Summarizes what the real client wrote in one run of run_client.sh.

    python3 summarize.py OUTDIR                 JSON summary on stdout
    python3 summarize.py --compare OUT1 OUT2 …  what differs between runs

Per step (steps/STEP.files says which files a step made) and per server it
lists, in order, the entries of the connection log ("KEY: message"), the
`MCP server "NAME"` records of the debug log ("[LEVEL]: message" with the
colon the line has, a record's continuation lines joined with \\n), the
reconnect results and tool results ("ok|error: text") of the transcript,
and the signals each test server received ("MODE: SIGINT, ...", with
"(orphaned)" when its parent was no longer the client that started it: the
driver's clean-up after the client had gone). Numbers that
change from run to run (durations, PIDs, times, the OUTDIR path, the run's
tag, line numbers of tracebacks) are replaced by placeholders, so two runs
that behaved the same give the same summary. expected.py turns summaries
into counts, expected.json and EXPECTED.md.
"""
import difflib
import json
import os
import re
import sys

TS_DEBUG = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) \[(\w+)\] (.*)$")
MCP_REC = re.compile(r'^MCP server "([^"]+)"(:?) (.*)$', re.S)

MEASURED = [
    (re.compile(r"(Connection failed after )\d+ms"), r"\1<N>ms"),
    (re.compile(r"(Successfully connected \(transport: \w+\) in )\d+ms"), r"\1<N>ms"),
    (re.compile(r"(Connection timeout triggered after )\d+ms"), r"\1<N>ms"),
    (re.compile(r"(completed successfully in )\d+ms"), r"\1<N>ms"),
    (re.compile(r"(failed after )\d+s:"), r"\1<N>s:"),
    (re.compile(r"(connection closed after )\d+s"), r"\1<N>s"),
    (re.compile(r"( tool error \()\d+ms\)"), r"\1<N>ms)"),
    (re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}"), "<TS>"),
    (re.compile(r"\b(pid|PID:) \d+"), r"\1 <PID>"),
    (re.compile(r"(line )\d+"), r"\1<N>"),
    (re.compile(r"(from pid )\d+"), r"\1<PID>"),
    # /exit prints one of these at random
    (re.compile(r"^(Goodbye!|See ya!|Bye!|Catch you later!)$"), "<farewell>"),
]


class Norm:
    def __init__(self, out, tag):
        self.out, self.tag = out, tag
        self.here = os.path.dirname(os.path.abspath(__file__))

    def __call__(self, s):
        s = s.replace(self.out, "$OUT")
        if self.tag:
            s = s.replace(self.tag, "$TAG")
        s = s.replace(self.here, "$HERE")
        for rx, rep in MEASURED:
            s = rx.sub(rep, s)
        return s


def read_tag(out):
    try:
        with open(os.path.join(out, "run.log")) as f:
            m = re.search(r" tag (\S+)", f.read())
            return m.group(1) if m else ""
    except OSError:
        return ""


def connection_log(path, norm):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            k = "debug" if "debug" in o else "error"
            out.append("%s: %s" % (k, norm(o[k])))
    return out


def debug_log(path, norm):
    """MCP records per server, other MCP-related lines, continuation count."""
    recs, servers, tool_errors, cont = [], {}, [], 0
    with open(path, encoding="utf-8") as f:
        for line in f.read().split("\n"):
            m = TS_DEBUG.match(line)
            if m:
                recs.append([m.group(2), m.group(3)])
            elif recs and line != "":
                recs[-1][1] += "\n" + line
                cont += 1
    for level, msg in recs:
        m = MCP_REC.match(msg)
        if m:
            servers.setdefault(m.group(1), []).append(
                "[%s]%s %s" % (level, m.group(2), norm(m.group(3))))
        elif re.match(r"mcp__\S+ tool error", msg):
            tool_errors.append("[%s] %s" % (level, norm(msg)))
    return {"servers": servers, "tool_error_lines": tool_errors,
            "continuation_lines": cont}


def transcript(path, norm):
    local, results = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            msg = o.get("message")
            if not isinstance(msg, dict):
                continue
            c = msg.get("content")
            if isinstance(c, str):
                for m in re.finditer(r"<local-command-stdout>(.*?)</local-command-stdout>", c, re.S):
                    local.append(norm(m.group(1)))
            elif isinstance(c, list):
                for b in c:
                    if isinstance(b, dict) and b.get("type") == "tool_result":
                        t = b.get("content")
                        if isinstance(t, list):
                            t = "\n".join(x.get("text", "") for x in t if isinstance(x, dict))
                        results.append("%s: %s" % ("error" if b.get("is_error") else "ok",
                                                   norm(str(t))))
    return {"local_command_stdout": local, "tool_results": results}


def signals(out, step):
    """Per test-server process a step started: [mode, [signal names]]."""
    res = []
    path = os.path.join(out, "steps", step + ".pids")
    if not os.path.exists(path):
        return res
    for name in open(path).read().split():
        mode = name.split(".")[0]
        with open(os.path.join(out, "pids", name)) as f:
            lines = f.read().split("\n")
        parent = lines[0].split()[1] if len(lines[0].split()) == 2 else ""
        sigs = []
        for l in lines[1:]:
            p = l.split()
            if len(p) == 3:
                sigs.append(p[1] + (" (orphaned)" if p[2] != parent else ""))
        res.append("%s: %s" % (mode, ", ".join(sigs) or "-"))
    res.sort()
    return res


def summarize(out):
    out = os.path.abspath(out)
    norm = Norm(out, read_tag(out))
    home = os.path.join(out, "home")
    s = {"client": "", "steps": {}, "server_logs": {}}
    with open(os.path.join(out, "run.log")) as f:
        m = re.search(r"client (.*?) tag ", f.read())
        s["client"] = m.group(1) if m else ""
    order = ["add", "list", "list-debug", "print-debug", "tui"]
    for step in order:
        fl = os.path.join(out, "steps", step + ".files")
        if not os.path.exists(fl):
            continue
        st = {"connection_log": {}, "debug_log": {}, "transcript": {}}
        rc = os.path.join(out, "steps", step + ".rc")
        if os.path.exists(rc):
            st["rc"] = int(open(rc).read())
        for rel in open(fl).read().split():
            p = os.path.join(home, rel)
            m = re.search(r"/mcp-logs-([^/]+)/[^/]+\.jsonl$", rel)
            if m:
                st["connection_log"][m.group(1)] = connection_log(p, norm)
            elif "/.claude/debug/" in rel:
                st["debug_log"] = debug_log(p, norm)
            elif "/.claude/projects/" in rel:
                st["transcript"] = transcript(p, norm)
        al = os.path.join(out, "steps", step + ".alive")
        if os.path.exists(al):
            st["alive_after"] = sorted(l.split()[0] for l in open(al).read().split("\n") if l)
        st["server_signals"] = signals(out, step)
        s["steps"][step] = st
    logs = os.path.join(out, "hestai-mcp-server", "logs")
    for name, keys in (("mcp_server.log", ["Process PID: ", "Server ready - waiting",
                                           "MCP_CLIENT_INFO: ", "TOOL_CALL: chat",
                                           "TOOL_CALL: debug", "TOOL_COMPLETED: chat",
                                           "TOOL_COMPLETED: debug", " - ERROR - "]),
                       ("mcp_activity.log", ["MCP_CLIENT_INFO: ", "TOOL_CALL: chat",
                                             "TOOL_CALL: debug", "TOOL_COMPLETED: chat",
                                             "TOOL_COMPLETED: debug"])):
        p = os.path.join(logs, name)
        if os.path.exists(p):
            text = open(p, encoding="utf-8").read()
            counts = {k: text.count(k) for k in keys}
            counts["lines"] = text.count("\n")
            m = re.search(r"MCP_CLIENT_INFO: (.*)", text)
            counts["client_info"] = m.group(1) if m else ""
            s["server_logs"][name] = counts
    return s


def leaves(obj, path=""):
    """{path: value} of the summary, down to the per-server level."""
    if isinstance(obj, dict) and path.count("/") < 3:
        r = {}
        for k, v in obj.items():
            r.update(leaves(v, path + "/" + k if path else k))
        return r
    return {path: obj}


def lines(v):
    """A summary value as text lines, for diffs."""
    if isinstance(v, dict):
        return ["%s: %s" % (k, x) for k in sorted(v) for x in lines(v[k])]
    if isinstance(v, list):
        return [json.dumps(x, ensure_ascii=False) if not isinstance(x, str) else x for x in v]
    return [json.dumps(v, ensure_ascii=False)]


def compare(outs):
    sums = [leaves(summarize(o)) for o in outs]
    keys = sorted(set().union(*sums))
    racy = []
    for k in keys:
        if len(set(json.dumps(s.get(k), sort_keys=True) for s in sums)) == 1:
            continue
        racy.append(k)
        print("DIFFERS %s" % k)
        for o, s in zip(outs[1:], sums[1:]):
            for d in difflib.unified_diff(lines(sums[0].get(k)), lines(s.get(k)), outs[0], o,
                                          n=0, lineterm=""):
                print("   " + d.replace("\n", "\\n")[:300])
    print("%d of %d entries the same in %d runs" % (len(keys) - len(racy), len(keys), len(outs)))
    return racy


def main():
    a = sys.argv[1:]
    if len(a) >= 3 and a[0] == "--compare":
        compare(a[1:])
    elif len(a) == 1:
        json.dump(summarize(a[0]), sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
