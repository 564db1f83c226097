"""Cross-check a scan JSON report against the sample generator's manifest.

usage: check_manifest.py MANIFEST REPORT

The manifest is the ground truth the generator counted while writing the
sample (samples/generate.py); the report is `mcplog scan --json --tz UTC`.
Prints one line per check, "ok: ..." or "FAIL: ...", and exits 1 on any
failure. Every comparison is exact.
"""
import json
import sys
from datetime import datetime


def iso(t):
    """'2025-12-05 09:14:07,512' (UTC) -> '2025-12-05T09:14:07.512Z'."""
    d = datetime.strptime(t, "%Y-%m-%d %H:%M:%S,%f")
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (d.microsecond // 1000)


def main():
    man = json.load(open(sys.argv[1]))
    rep = json.load(open(sys.argv[2]))
    fails = 0

    def check(what, expected, actual):
        nonlocal fails
        if expected == actual:
            print("ok: %s" % what)
        else:
            fails += 1
            print("FAIL: %s: expected %r, got %r" % (what, expected, actual))

    lines = {i["path"].rsplit("/", 1)[-1]: i["lines"] for i in rep["inputs"]}
    check("lines per file", man["lines"], lines)
    check("total lines", sum(man["lines"].values()), rep["totals"]["lines"])
    check("no damage", [], [i["path"] for i in rep["inputs"] if i["damaged"]])
    rules = rep["rules"]
    check("tool calls per tool", man["tool_calls"], rules["tool-calls"]["groups"])
    check("tool-calls total", sum(man["tool_calls"].values()),
          rules["tool-calls"]["matches"])
    check("startups", len(man["startups"]), rules["restarts"]["matches"])
    exp = [x for x in rep["expectations"] if x["rule"] == "startup-not-ready"]
    check("startup pids", [str(s["pid"]) for s in man["startups"]],
          [x["pid"] for x in exp])
    check("startup times", [iso(s["time"]) for s in man["startups"]],
          [x["start"] for x in exp])
    check("ready times",
          [iso(s["ready"]) if s["ready"] else None for s in man["startups"]],
          [x["met"] for x in exp])
    late = [str(s["pid"]) for s in man["startups"] if s["ready"] and
            (datetime.strptime(s["ready"], "%Y-%m-%d %H:%M:%S,%f") -
             datetime.strptime(s["time"], "%Y-%m-%d %H:%M:%S,%f")).total_seconds() >= 30]
    never = [str(s["pid"]) for s in man["startups"] if not s["ready"]]
    alerts = [a for a in rep["alerts"] if a["rule"] == "startup-not-ready"]
    check("startup-not-ready alerts", sorted(late + never),
          sorted(a["labels"]["pid"] for a in alerts))
    check("never-ready alert still firing", never,
          [a["labels"]["pid"] for a in alerts if a["end"] is None])
    check("reconnect failures", man["reconnect_failures"],
          rules["reconnect-failures"]["matches"])
    storm = [a for a in rep["alerts"] if a["rule"] == "reconnect-failures"]
    check("one storm alert", 1, len(storm))
    if storm:
        check("storm alert count", man["reconnect_storm"]["count"], storm[0]["count"])
        check("storm alert severity", "critical", storm[0]["severity"])
    check("error lines", man["error_lines"], rules["errors"]["matches"])
    with_tb = [a for a in rep["alerts"] if a["rule"] == "errors" and a["context"]
               and "Traceback (most recent call last):" in a["context"]]
    check("error alerts carrying a traceback", man["traceback_records"], len(with_tb))
    check("provider retry lines", man["provider_retry_lines"],
          rules["provider-retries"]["matches"])
    check("thread-not-found lines",
          man["conversation_errors"] + man["thread_not_found_lines"],
          rules["thread-not-found"]["matches"])
    rate = [a for a in rep["alerts"] if a["rule"] == "tool-call-rate"]
    check("runaway tool", [man["runaway"]["tool"]], [a["labels"]["tool"] for a in rate])
    sys.exit(1 if fails else 0)


main()
