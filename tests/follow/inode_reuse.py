#!/usr/bin/env python3
"""inode_reuse.py - deterministic check for RELIABILITY.md 22 (inode reuse)
in the rotated-sibling search of `mcplog follow --poll`.

    inode_reuse.py MCPLOG [--rounds N]

What the python2 scenario hit by chance, step by step:
  1. file A (mcp_server.log) is written and read by mcplog, then rotated to
     .1, drained, closed after --grace, and deleted;
  2. within one poll interval a new file B is created as mcp_server.log,
     gets A's inode number back from the filesystem (retried until it does),
     is written, and is rotated to .1 behind a new mcp_server.log C - so
     mcplog never sees B under the live name and must find it in the folder;
  3. every line of B and C must be delivered, none of them cut.
Exit 0 when every round passes, 1 otherwise (each round says what it saw).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zlib

RULES = """rules:
  - name: rec
    match: 'seq=(?<seq>\\d+) src=(?<src>\\S+)'
"""


def line(src, seq):
    p = "2025-06-12 10:15:32,123 - seq=%d src=%s pad=%s " % (seq, src, "x" * ((seq + ord(src[0])) % 50 + 20))
    return "%scrc=%08x\n" % (p, zlib.crc32(p.encode()) & 0xFFFFFFFF)


def write(path, src, n, mode="a"):
    with open(path, mode) as f:
        for i in range(1, n + 1):
            f.write(line(src, i))


def delivered(out):
    got = {}
    try:
        with open(out) as f:
            for l in f:
                try:
                    o = json.loads(l)
                except ValueError:
                    continue
                if o.get("type") == "event":
                    c = o["captures"]
                    got.setdefault(c["src"], []).append((int(c["seq"]), o["text"]))
    except OSError:
        pass
    return got


def wait_for(cond, cap):
    end = time.time() + cap
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


def one_round(mcplog, r):
    t = tempfile.mkdtemp(prefix="mcplog-inode-reuse.")
    logs = os.path.join(t, "logs")
    os.mkdir(logs)
    base = os.path.join(logs, "mcp_server.log")
    with open(os.path.join(t, "rec.yaml"), "w") as f:
        f.write(RULES)
    open(base, "w").close()
    out = os.path.join(t, "out.jsonl")
    p = subprocess.Popen([mcplog, "follow", "--json", "--no-default-rules", "--rules",
                          os.path.join(t, "rec.yaml"), "--no-state", "--poll",
                          "--poll-interval", "3s", "--grace", "200ms", logs],
                         stdout=open(out, "w"), stderr=open(os.path.join(t, "err"), "w"))
    try:
        time.sleep(0.5)
        nA = 1517
        write(base, "A", nA)                       # ~150 KB
        if not wait_for(lambda: len(delivered(out).get("A", [])) >= nA, 10):
            return False, "A not delivered", t
        ino_a = os.stat(base).st_ino
        os.rename(base, base + ".1")
        open(base, "w").close()
        # the rotation is seen at the next look, A drains for --grace and is
        # closed at a later look: at most 2 intervals + grace
        def a_open():
            return any(os.readlink("/proc/%d/fd/%s" % (p.pid, fd)).startswith(base + ".1")
                       for fd in os.listdir("/proc/%d/fd" % p.pid))
        if not wait_for(lambda: not a_open(), 10):
            return False, "A still open 10 s after its rotation (--grace 200ms)", t
        os.unlink(base + ".1")                     # inode of A is free
        # Within one poll interval: B with A's inode, rotated away behind C.
        t0 = time.time()
        for attempt in range(2000):
            tmp = os.path.join(logs, "new.%d" % attempt)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
            if os.fstat(fd).st_ino == ino_a:
                os.rename(tmp, base)
                break
            os.close(fd)
            # keep that inode allocated (outside logs/) so the next try moves on
            os.rename(tmp, os.path.join(t, "spare.%d" % attempt))
        else:
            return None, "the filesystem never gave A's inode back", t
        os.close(fd)
        nB = 400 if r % 2 == 0 else 3000           # fewer, then more bytes than A
        write(base, "B", nB)
        os.rename(base, base + ".1")
        write(base, "C", 10, "w")
        if time.time() - t0 > 2.5:
            return None, "setup took longer than one poll interval", t
        wait_for(lambda: len(delivered(out).get("B", [])) >= nB
                 and len(delivered(out).get("C", [])) >= 10, 12)
        got = delivered(out)
        b = sorted(s for s, _ in got.get("B", []))
        cut = [s for s, txt in got.get("B", []) + got.get("C", [])
               if not txt.startswith("2025-06-12 ")]
        ok = b == list(range(1, nB + 1)) and len(got.get("C", [])) == 10 and not cut
        return ok, "B delivered %d/%d (first %s), C %d/10, cut lines %d" % (
            len(b), nB, b[:1], len(got.get("C", [])), len(cut)), t
    finally:
        p.terminate()
        p.wait()


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    mcplog = sys.argv[1]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[2] == "--rounds" else 3
    bad = 0
    for r in range(rounds):
        ok, what, t = one_round(mcplog, r)
        tag = "ok" if ok else "skip" if ok is None else "FAIL"
        print("inode-reuse: round %d: %s: %s (%s)" % (r + 1, tag, what, t))
        if ok is False:
            bad += 1
        else:
            shutil.rmtree(t, ignore_errors=True)
    print("inode-reuse: %d of %d rounds failed" % (bad, rounds))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
