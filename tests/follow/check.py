#!/usr/bin/env python3
"""check.py - account for every line a writer.py wrote, in what mcplog delivered.

    check.py [options] RUN.jsonl [RUN.jsonl ...]

Each RUN.jsonl is the stdout of one `mcplog follow --json` run (several after
SIGKILL + restart, in the order they ran). Objects of "type":"event" and
"rule":"rec" (--rule) are taken; other objects and other rules are ignored.
The seq and src come from the event's captures (falling back to the text).

Per src it reports (RELIABILITY.md 0):
  written    the writer's last seq (--written SRC=N or --seq-file SRC=FILE;
             without either, the highest seq seen, with a warning)
  delivered  events of that src, duplicates included
  lost       seqs in 1..written never delivered
  dup        deliveries of a seq already delivered (in this or an earlier run)
  reorder    within one run, a first delivery of a seq lower than one
             already delivered for that src
  corrupt    text whose crc does not match, that holds a NUL byte, whose
             captures disagree with the text, or a seq above written
and prints

    check: src=w1 written=N delivered=M lost=0 dup=0 reorder=0 corrupt=0

Pass: lost == reorder == corrupt == 0 and dup <= --kills * --max-dup-per-kill
(so dup == 0 without kills). A run's last line that is not complete JSON (the
process was killed while writing it) is not counted as a delivery; it is
reported as "torn".

--files FILE... reads the log files themselves (plain or .gz) and, for the
lost seqs, says which were still on disk (a follower bug) and which were not
(written to a file that was deleted, or lost by copytruncate's window).
With --allow-off-disk-loss, lost seqs that are on no file are reported but do
not fail (logrotate documents this window for copytruncate).

--raw treats the inputs as log files instead of JSON (a check of the writers
and rotations alone, without mcplog): order is not checked then.

--progress prints only the number of distinct (src, seq) delivered.

Exit status: 0 pass, 1 fail, 2 usage or input error.
"""

import argparse
import gzip
import json
import re
import sys
import zlib

DEFAULT_MAX_DUP_PER_KILL = 4096   # the follow batch: at most one batch per
                                  # file may be delivered again after SIGKILL

LINE_RE = re.compile(r"seq=(\d+) src=(\S+)")
T_RE = re.compile(r" t=(\d+) ")


def crc_ok(text):
    i = text.rfind(" crc=")
    if i < 0:
        return False
    want = text[i + 5:].rstrip("\r\n")
    prefix = text[:i + 1]
    return want == "%08x" % (zlib.crc32(prefix.encode("utf-8", "surrogateescape")) & 0xFFFFFFFF)


def ranges(seqs, limit=12):
    """[1,2,3,7,9,10] -> '1-3,7,9-10' (at most limit ranges)."""
    out = []
    seqs = sorted(seqs)
    i = 0
    while i < len(seqs) and len(out) < limit:
        j = i
        while j + 1 < len(seqs) and seqs[j + 1] == seqs[j] + 1:
            j += 1
        out.append(str(seqs[i]) if i == j else "%d-%d" % (seqs[i], seqs[j]))
        i = j + 1
    if i < len(seqs):
        out.append("...")
    return ",".join(out)


class Src:
    def __init__(self, name):
        self.name = name
        self.written = None
        self.delivered = 0
        self.seen = {}          # seq -> (run, line of output) of first delivery
        self.dups = []          # (seq, run, outline, first)
        self.reorders = []      # (seq, run, outline, max_before)
        self.corrupt = []       # (reason, run, outline)
        self.maxrun = {}        # run -> highest seq delivered in that run
        self.t_first = None


def events(path, raw, rule, torn):
    """Yield (outline, text, captures, file) for each delivered line."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    lines = data.split(b"\n")
    last_complete = data.endswith(b"\n")
    for n, b in enumerate(lines, 1):
        if not b:
            continue
        if raw:
            yield n, b.decode("utf-8", "surrogateescape"), None, path
            continue
        try:
            o = json.loads(b)
        except ValueError:
            if n == len(lines) and not last_complete:
                torn.append((path, n, b[:120]))
                continue
            raise SystemExit("check: %s:%d: not JSON: %r" % (path, n, b[:200]))
        if not isinstance(o, dict) or o.get("type") != "event" or o.get("rule") != rule:
            continue
        yield n, o.get("text", ""), o.get("captures") or {}, o.get("file")


def on_disk(files):
    """{src: set(seq)} of every line in the given log files."""
    have = {}
    for p in files:
        opener = gzip.open if p.endswith(".gz") else open
        try:
            with opener(p, "rb") as f:
                data = f.read()
        except (OSError, EOFError) as e:
            print("check: warning: %s: %s" % (p, e), file=sys.stderr)
            continue
        for m in LINE_RE.finditer(data.decode("utf-8", "replace")):
            have.setdefault(m.group(2), set()).add(int(m.group(1)))
    return have


def main():
    p = argparse.ArgumentParser(usage="check.py [options] RUN.jsonl [RUN.jsonl ...]")
    p.add_argument("runs", nargs="+")
    p.add_argument("--rule", default="rec")
    p.add_argument("--written", action="append", default=[], metavar="SRC=N")
    p.add_argument("--seq-file", action="append", default=[], metavar="SRC=FILE")
    p.add_argument("--kills", type=int, default=0)
    p.add_argument("--max-dup-per-kill", type=int, default=DEFAULT_MAX_DUP_PER_KILL)
    p.add_argument("--files", nargs="+", default=[])
    p.add_argument("--allow-off-disk-loss", action="store_true")
    p.add_argument("--raw", action="store_true")
    p.add_argument("--progress", action="store_true")
    p.add_argument("--label", default="", help="prefix for the summary lines")
    a = p.parse_args()

    srcs = {}
    torn = []

    def get(name):
        if name not in srcs:
            srcs[name] = Src(name)
        return srcs[name]

    for spec in a.written + a.seq_file:
        if "=" not in spec:
            p.error("expected SRC=VALUE: %s" % spec)
    for spec in a.written:
        k, v = spec.split("=", 1)
        get(k).written = int(v)
    for spec in a.seq_file:
        k, v = spec.split("=", 1)
        try:
            with open(v) as f:
                get(k).written = int(f.readline().split()[0])
        except (OSError, ValueError, IndexError) as e:
            print("check: %s: cannot read the seq file: %s" % (v, e), file=sys.stderr)
            return 2

    for run, path in enumerate(a.runs, 1):
        try:
            evs = list(events(path, a.raw, a.rule, torn))
        except OSError as e:
            print("check: %s: %s" % (path, e), file=sys.stderr)
            return 2
        for outline, text, caps, _file in evs:
            m = LINE_RE.search(text)
            cs, cq = caps.get("src") if caps else None, caps.get("seq") if caps else None
            if cq is None and m:
                cq, cs = m.group(1), m.group(2)
            if cq is None or cs is None or not str(cq).isdigit():
                get("?").corrupt.append(("no seq/src in %r" % text[:100], run, outline))
                continue
            s = get(cs)
            seq = int(cq)
            s.delivered += 1
            bad = None
            if "\x00" in text:
                bad = "NUL byte"
            elif not m or (m.group(1), m.group(2)) != (str(cq), cs):
                bad = "captures %s/%s disagree with the text" % (cq, cs)
            elif not crc_ok(text):
                bad = "crc mismatch"
            elif s.written is not None and not 1 <= seq <= s.written:
                bad = "seq %d outside 1..%d" % (seq, s.written)
            if bad:
                s.corrupt.append(("seq=%d: %s: %r" % (seq, bad, text[:160]), run, outline))
                continue
            if seq in s.seen:
                s.dups.append((seq, run, outline, s.seen[seq]))
                continue
            s.seen[seq] = (run, outline)
            mx = s.maxrun.get(run, 0)
            if seq < mx and not a.raw:
                s.reorders.append((seq, run, outline, mx))
            if seq > mx:
                s.maxrun[run] = seq

    if a.progress:
        print(sum(len(s.seen) for s in srcs.values()))
        return 0

    disk = on_disk(a.files) if a.files else None
    ok = True
    allowed = a.kills * a.max_dup_per_kill
    total_dup = 0
    for name in sorted(srcs):
        s = srcs[name]
        if name == "?":
            for why, run, outline in s.corrupt[:5]:
                print(a.label + "check:   unparsable event (run %d line %d): %s" % (run, outline, why))
            ok = False
            continue
        if s.written is None:
            s.written = max(s.seen) if s.seen else 0
            print("check: warning: src=%s: written not given, assuming %d" % (name, s.written))
        lost = [q for q in range(1, s.written + 1) if q not in s.seen]
        total_dup += len(s.dups)
        lost_off = []
        if disk is not None:
            have = disk.get(name, set())
            lost_off = [q for q in lost if q not in have]
        print("%scheck: src=%s written=%d delivered=%d lost=%d dup=%d reorder=%d corrupt=%d%s"
              % (a.label, name, s.written, s.delivered, len(lost), len(s.dups),
                 len(s.reorders), len(s.corrupt),
                 " lost_off_disk=%d" % len(lost_off) if disk is not None else ""))
        if lost:
            print(a.label + "check:   src=%s lost seqs: %s" % (name, ranges(lost)))
            if disk is not None:
                on = sorted(set(lost) - set(lost_off))
                print(a.label + "check:   src=%s lost but on disk: %d (%s); on no file: %d (%s)"
                      % (name, len(on), ranges(on), len(lost_off), ranges(lost_off)))
        for seq, run, outline, first in s.dups[:5]:
            print(a.label + "check:   src=%s dup seq=%d run %d line %d (first: run %d line %d)"
                  % (name, seq, run, outline, first[0], first[1]))
        if s.dups:
            print(a.label + "check:   src=%s dup seqs: %s" % (name, ranges({d[0] for d in s.dups})))
        for seq, run, outline, mx in s.reorders[:5]:
            print(a.label + "check:   src=%s reorder seq=%d after %d (run %d line %d)"
                  % (name, seq, mx, run, outline))
        for why, run, outline in s.corrupt[:5]:
            print(a.label + "check:   src=%s corrupt (run %d line %d): %s" % (name, run, outline, why))
        hard_lost = len(lost) - (len(lost_off) if a.allow_off_disk_loss else 0)
        if hard_lost or s.reorders or s.corrupt:
            ok = False
    if total_dup > allowed:
        print(a.label + "check:   dup=%d exceeds the allowance %d (%d kills x %d)"
              % (total_dup, allowed, a.kills, a.max_dup_per_kill))
        ok = False
    for path, n, b in torn:
        print(a.label + "check:   torn last line %s:%d: %r" % (path, n, b))
    if not srcs:
        print("%scheck: no events of rule %s in %s" % (a.label, a.rule, " ".join(a.runs)))
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
