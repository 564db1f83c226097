#!/usr/bin/env python3
"""reffollow.py - a small reference follower, to test the test harness.

Not part of mcplog. It speaks the subset of `mcplog follow` that
scenarios.sh uses, so the harness can be run against it:

    MCPLOG="python3 tests/follow/reffollow.py" bash tests/follow/scenarios.sh

  reffollow.py follow [--poll] [--poll-interval DUR] [--from-start]
      [--state FILE] [--json] [--no-default-rules] [--rules FILE]
      [--source NAME=PATH] [--grace DUR] [DIR|FILE...]

It always polls (every --poll-interval with --poll, every 20 ms without),
follows each path by identity (old inodes drain until they have not grown
for --grace), handles copytruncate by finding the rotated copy by a
fingerprint of its first bytes, searches the folder for rotated files it
never saw after each rotation, and checkpoints (inode, fingerprint, offset)
after each round, after stdout is flushed. Each event is
{"type":"event","rule":"rec","captures":{"seq":..,"src":..},"text":..,"file":..,"line":..}.
A pass here says the harness and writers are sound; a failure of mcplog
where reffollow passes points at mcplog.
"""

import glob
import hashlib
import json
import os
import re
import signal
import sys
import time

FP_MAX = 1024
BATCH = 256 * 1024


def dur(s):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m)?", s)
    if not m:
        raise SystemExit("reffollow: bad duration %r" % s)
    v = float(m.group(1))
    return v / 1000 if m.group(2) == "ms" else v * 60 if m.group(2) == "m" else v


def fingerprint(fd):
    b = os.pread(fd, FP_MAX, 0)
    return hashlib.sha1(b).hexdigest(), len(b)


class Tail:
    def __init__(self, path, pos=0, line=1):
        self.path = path
        self.fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        st = os.fstat(self.fd)
        self.ino = (st.st_dev, st.st_ino)
        self.pos = pos          # end of the last complete line delivered
        self.line = line
        self.buf = b""
        self.fp, self.fplen = fingerprint(self.fd)
        self.draining = False
        self.grown = time.monotonic()

    def refresh_fp(self):
        if self.fplen < FP_MAX:
            self.fp, self.fplen = fingerprint(self.fd)

    def read(self, out, budget):
        """Deliver complete lines; returns bytes read."""
        got = 0
        while got < budget:
            b = os.pread(self.fd, min(65536, budget - got), self.pos + len(self.buf))
            if not b:
                break
            got += len(b)
            self.buf += b
            cut = self.buf.rfind(b"\n")
            if cut < 0:
                continue
            for raw in self.buf[:cut].split(b"\n"):
                out(self, raw)
                self.line += 1
            self.pos += cut + 1
            self.buf = self.buf[cut + 1:]
        if got:
            self.grown = time.monotonic()
        return got

    def close(self):
        os.close(self.fd)


class Follower:
    def __init__(self, families, rx, grace, start_begin, state):
        self.families = families      # name -> path
        self.rx = rx
        self.grace = grace
        self.state = state
        self.live = {}
        self.drain = {n: [] for n in families}
        self.seen_ino = set()
        self.seen_fp = set()
        self.t0 = time.time()
        saved = {}
        if state and os.path.exists(state):
            with open(state) as f:
                saved = json.load(f)
            self.t0 = saved.pop("t0", self.t0)
        for name, path in families.items():
            ents = saved.get(name, [])
            for e in ents:
                t = self.find(path, e)
                if t:
                    if e.get("live"):
                        self.live[name] = t
                    else:
                        t.draining = True
                        self.drain[name].append(t)
            if name not in self.live and os.path.exists(path) and not ents:
                t = Tail(path)
                if not start_begin:
                    size = os.fstat(t.fd).st_size
                    data = os.pread(t.fd, size, 0)
                    t.pos = data.rfind(b"\n") + 1
                self.live[name] = t
            elif name not in self.live and os.path.exists(path):
                # the live file is new since the checkpoint: read it all
                self.live[name] = Tail(path)
            for t in self.all(name):
                self.remember(t)

    def all(self, name):
        return self.drain[name] + ([self.live[name]] if name in self.live else [])

    def remember(self, t):
        self.seen_ino.add(t.ino)
        if t.fplen:
            self.seen_fp.add(t.fp)

    def find(self, path, e):
        for p in [path] + sorted(glob.glob(path + ".*")):
            try:
                st = os.stat(p)
            except OSError:
                continue
            if [st.st_dev, st.st_ino] == e["ino"]:
                t = Tail(p, e["pos"], e["line"])
                if t.fp == e["fp"] or e["fplen"] == 0 or t.fplen >= e["fplen"]:
                    return t
                t.close()
        return None

    def save(self):
        if not self.state:
            return
        d = {"t0": self.t0}
        for name in self.families:
            d[name] = [{"ino": list(t.ino), "pos": t.pos, "line": t.line, "fp": t.fp,
                        "fplen": t.fplen, "live": t is self.live.get(name)}
                       for t in self.all(name)]
        with open(self.state + ".tmp", "w") as f:
            json.dump(d, f)
            f.flush()
            os.fsync(f.fileno())
        os.rename(self.state + ".tmp", self.state)

    def emit(self, t, raw):
        text = raw.decode("utf-8", "replace")
        m = self.rx.search(text)
        if not m:
            return
        sys.stdout.write(json.dumps({"type": "event", "rule": "rec",
                                     "captures": m.groupdict(), "file": t.path,
                                     "line": t.line, "text": text}) + "\n")

    def round(self):
        got = 0
        for name, path in self.families.items():
            for t in self.drain[name]:
                got += t.read(self.emit, BATCH)
            live = self.live.get(name)
            if live:
                got += live.read(self.emit, BATCH)
                live.refresh_fp()
                self.remember(live)
            rotated = False
            try:
                st = os.stat(path)
            except FileNotFoundError:
                st = None
            if live and (st is None or (st.st_dev, st.st_ino) != live.ino):
                live.draining = True
                self.drain[name].append(live)
                self.live.pop(name)
                rotated = True
            elif live and (os.fstat(live.fd).st_size < live.pos + len(live.buf)
                           or hashlib.sha1(os.pread(live.fd, live.fplen, 0)).hexdigest() != live.fp):
                # copytruncate: finish from the copy, then start over
                for p in sorted(glob.glob(path + ".*")):
                    if p.endswith(".gz"):
                        continue
                    try:
                        c = Tail(p, live.pos, live.line)
                    except OSError:
                        continue
                    if c.fp == live.fp and c.ino != live.ino:
                        c.read(self.emit, 1 << 40)
                        self.remember(c)
                        c.close()
                        break
                    c.close()
                live.pos, live.buf, live.line = 0, b"", 1
                live.fp, live.fplen = fingerprint(live.fd)
                rotated = True
            if st is not None and name not in self.live:
                try:
                    t = Tail(path)
                    if t.ino in {d.ino for d in self.drain[name]}:
                        t.close()
                    else:
                        self.live[name] = t
                        self.remember(t)
                        got += t.read(self.emit, BATCH)
                except OSError:
                    pass
            if rotated:
                self.scan(name, path)
            now = time.monotonic()
            keep = []
            for t in self.drain[name]:
                if now - t.grown > self.grace:
                    got += t.read(self.emit, 1 << 40)
                    t.close()
                else:
                    keep.append(t)
            self.drain[name] = keep
        sys.stdout.flush()
        self.save()
        return got

    def scan(self, name, path):
        for p in sorted(glob.glob(path + ".*"), reverse=True):
            if p.endswith(".gz") or p.endswith(".tmp"):
                continue
            try:
                st = os.stat(p)
            except OSError:
                continue
            if (st.st_dev, st.st_ino) in {d.ino for d in self.all(name)} or st.st_mtime < self.t0:
                continue
            t = Tail(p)
            if t.fp in self.seen_fp:
                self.seen_ino.add(t.ino)
                t.close()
                continue
            t.draining = True
            self.remember(t)
            self.drain[name].append(t)


def main(argv):
    if len(argv) > 1 and argv[1] == "--help":
        print(__doc__)
        return 0
    if not argv or argv[0] != "follow":
        raise SystemExit("usage: reffollow.py follow [options] [DIR|FILE...]")
    poll, interval, grace, start_begin, state, rules = False, 1.0, 5.0, False, None, None
    families = {}
    i = 1
    while i < len(argv):
        a = argv[i]
        if a == "--poll":
            poll = True
        elif a == "--poll-interval":
            i += 1
            interval = dur(argv[i])
        elif a == "--grace":
            i += 1
            grace = dur(argv[i])
        elif a == "--from-start":
            start_begin = True
        elif a == "--state":
            i += 1
            state = argv[i]
        elif a == "--no-state":
            state = None
        elif a == "--rules":
            i += 1
            rules = argv[i]
        elif a == "--source":
            i += 1
            n, p = argv[i].split("=", 1)
            families[n] = os.path.abspath(p)
        elif a in ("--json", "--no-default-rules", "--quiet", "--all"):
            pass
        elif a.startswith("-"):
            raise SystemExit("reffollow: unknown option %s" % a)
        elif os.path.isdir(a):
            for b in ("mcp_server.log", "mcp_activity.log"):
                families[b] = os.path.abspath(os.path.join(a, b))
        else:
            families[os.path.basename(a)] = os.path.abspath(a)
        i += 1
    pat = r"seq=(?<seq>\d+) src=(?<src>\S+)"
    if rules:
        with open(rules) as f:
            m = re.search(r"match:\s*'([^']*)'", f.read())
            if m:
                pat = m.group(1)
    rx = re.compile(pat.replace("(?<", "(?P<"))
    stop = []
    signal.signal(signal.SIGTERM, lambda s, f: stop.append(s))
    signal.signal(signal.SIGINT, lambda s, f: stop.append(s))
    fo = Follower(families, rx, grace, start_begin, state)
    tick = interval if poll else 0.02
    while not stop:
        if fo.round() < BATCH:
            time.sleep(tick)
    fo.round()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
