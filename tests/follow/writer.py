#!/usr/bin/env python3
"""writer.py - a log writer for the `mcplog follow` real-writer tests.

Writes --count sequence-numbered lines to --path, in the format of the MCP
server's log files (LOG-FORMAT.md 1.1, "%(asctime)s - %(message)s"):

    2025-06-12 10:15:32,123 - seq=17 src=w1 t=1765000000123 pad=Xq3... crc=1a2b3c4d

  seq  1..N, one line each, in order, each written exactly once
  src  the writer's name (--src); check.py accounts per src
  t    wall-clock time of the write in epoch milliseconds (for latency)
  pad  random length filler (deterministic with --seed)
  crc  crc32 (zlib, 8 hex digits) of the bytes of the line before "crc="
       (from the first byte of the timestamp up to and including the space)

Modes:
  plain   os.open(O_WRONLY|O_APPEND|O_CREAT), one os.write() per line (or per
          --batch lines). SIGHUP makes it reopen the path before the next
          write, like a daemon after logrotate's postrotate. With
          --reopen-on-missing it also stats the path before every write and
          reopens (creating it) when the path is gone or is another inode,
          like logging.handlers.WatchedFileHandler.
  python  logging.handlers.RotatingFileHandler(maxBytes=--max-bytes,
          backupCount=--backup-count). Several such processes on one file is
          the multi-process case of LOG-FORMAT.md 1.1. A record whose emit
          fails (a rename race between the processes) is emitted again, so
          every seq is written exactly once; the retries are counted.

At exit (end of count, SIGTERM or SIGINT) the last seq written is printed to
--seq-file: first line the number, then key=value lines (rollovers, retries,
reopens, seconds).
"""

import argparse
import logging
import logging.handlers
import os
import random
import signal
import sys
import time
import zlib

PAD_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"


def asctime(now):
    """The MCP server's timestamp: local time, comma, milliseconds."""
    lt = time.localtime(now)
    return time.strftime("%Y-%m-%d %H:%M:%S", lt) + ",%03d" % (int(now * 1000) % 1000)


def seal(prefix):
    """prefix ends with a space; append crc=<crc32 of prefix>."""
    return "%scrc=%08x" % (prefix, zlib.crc32(prefix.encode("utf-8")) & 0xFFFFFFFF)


class Body:
    """The message part of line seq (everything after the timestamp and
    before the crc): deterministic except for t=."""

    def __init__(self, src, seed, pad_min, pad_max, stamp):
        self.src = src
        self.rng = random.Random("%s/%s" % (seed, src))
        self.pad_min = pad_min
        self.pad_max = pad_max
        self.stamp = stamp

    def message(self, seq, now):
        n = self.rng.randint(self.pad_min, self.pad_max)
        pad = "".join(self.rng.choice(PAD_CHARS) for _ in range(n))
        t = " t=%d" % int(now * 1000) if self.stamp else ""
        return "seq=%d src=%s%s pad=%s" % (seq, self.src, t, pad)


class Pacer:
    """Sleep so that line i is not written before start + i / rate."""

    def __init__(self, rate):
        self.rate = rate
        self.start = time.monotonic()

    def wait(self, i):
        if not self.rate:
            return
        ahead = self.start + i / self.rate - time.monotonic()
        if ahead > 0.002:
            time.sleep(ahead)


class Stop(Exception):
    pass


class State:
    def __init__(self):
        self.last = 0
        self.hup = False
        self.stop = False
        self.reopens = 0
        self.rollovers = 0
        self.retries = 0


def write_all(fd, data):
    while data:
        n = os.write(fd, data)
        data = data[n:]


def run_plain(a, st, body):
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC

    def open_path():
        return os.open(a.path, flags, 0o644)

    fd = open_path()
    pacer = Pacer(a.rate)
    seq = a.start_seq
    end = a.start_seq + a.count
    while seq < end and not st.stop:
        if st.hup:
            st.hup = False
            os.close(fd)
            fd = open_path()
            st.reopens += 1
        pacer.wait(seq - a.start_seq)
        n = min(a.batch, end - seq)
        lines = []
        for k in range(n):
            if a.reopen_on_missing:
                # WatchedFileHandler: stat the name before each record.
                try:
                    s = os.stat(a.path)
                    f = os.fstat(fd)
                    changed = (s.st_dev, s.st_ino) != (f.st_dev, f.st_ino)
                except FileNotFoundError:
                    changed = True
                if changed:
                    if lines:
                        write_all(fd, "".join(lines).encode("utf-8"))
                        st.last = seq - 1
                        lines = []
                    os.close(fd)
                    fd = open_path()
                    st.reopens += 1
            now = time.time()
            lines.append(seal("%s - %s " % (asctime(now), body.message(seq, now))) + "\n")
            seq += 1
        write_all(fd, "".join(lines).encode("utf-8"))
        st.last = seq - 1
    os.close(fd)


class SealFormatter(logging.Formatter):
    def format(self, record):
        return seal(super().format(record) + " ")


class CountingHandler(logging.handlers.RotatingFileHandler):
    def __init__(self, st, *args, **kw):
        self.st = st
        self.failed = None
        super().__init__(*args, **kw)

    def doRollover(self):
        self.st.rollovers += 1
        super().doRollover()

    def handleError(self, record):
        self.failed = sys.exc_info()[1]


def run_python(a, st, body):
    h = CountingHandler(st, a.path, maxBytes=a.max_bytes,
                        backupCount=a.backup_count, encoding="utf-8")
    h.setFormatter(SealFormatter("%(asctime)s - %(message)s"))
    # Python's default asctime is "%Y-%m-%d %H:%M:%S,mmm" in local time,
    # as LOG-FORMAT.md 1.1 shows.
    log = logging.getLogger("writer." + a.src)
    log.propagate = False
    log.setLevel(logging.INFO)
    log.addHandler(h)
    pacer = Pacer(a.rate)
    seq = a.start_seq
    end = a.start_seq + a.count
    while seq < end and not st.stop:
        pacer.wait(seq - a.start_seq)
        now = time.time()
        rec = log.makeRecord(log.name, logging.INFO, __file__, 0,
                             body.message(seq, now), None, None)
        for attempt in range(100):
            h.failed = None
            log.handle(rec)
            if h.failed is None:
                break
            st.retries += 1
            time.sleep(0.001)
        else:
            raise SystemExit("writer: %s: seq %d could not be written: %r"
                             % (a.src, seq, h.failed))
        st.last = seq
        seq += 1
    h.close()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--mode", choices=["plain", "python"], required=True)
    p.add_argument("--path", required=True)
    p.add_argument("--src", required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--start-seq", type=int, default=1)
    p.add_argument("--rate", type=float, default=0.0,
                   help="lines per second (0 = as fast as possible)")
    p.add_argument("--batch", type=int, default=1,
                   help="plain mode: lines per write() (default 1)")
    p.add_argument("--max-bytes", type=int, default=200000)
    p.add_argument("--backup-count", type=int, default=30)
    p.add_argument("--reopen-on-missing", action="store_true")
    p.add_argument("--seq-file")
    p.add_argument("--pid-file", help="write our PID here (for postrotate)")
    p.add_argument("--seed", default="1")
    p.add_argument("--pad-min", type=int, default=10)
    p.add_argument("--pad-max", type=int, default=120)
    p.add_argument("--no-time", action="store_true", help="omit t=<epoch_ms>")
    a = p.parse_args()

    st = State()

    def on_hup(sig, frm):
        st.hup = True

    def on_stop(sig, frm):
        st.stop = True

    signal.signal(signal.SIGHUP, on_hup)
    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGINT, on_stop)
    if a.pid_file:
        with open(a.pid_file + ".tmp", "w") as f:
            f.write("%d\n" % os.getpid())
        os.rename(a.pid_file + ".tmp", a.pid_file)

    body = Body(a.src, a.seed, a.pad_min, a.pad_max, not a.no_time)
    t0 = time.monotonic()
    try:
        if a.mode == "plain":
            run_plain(a, st, body)
        else:
            run_python(a, st, body)
    finally:
        # Done writing: a late postrotate SIGHUP (logrotate read our PID
        # just before we ended) must not kill us during the interpreter's
        # shutdown, which puts Python-handled signals back to their
        # default; an ignored one stays ignored ("Hangup", writer-failed).
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        if a.seq_file:
            with open(a.seq_file + ".tmp", "w") as f:
                f.write("%d\nrollovers=%d\nretries=%d\nreopens=%d\nseconds=%.2f\n"
                        % (st.last, st.rollovers, st.retries, st.reopens,
                           time.monotonic() - t0))
            os.rename(a.seq_file + ".tmp", a.seq_file)


if __name__ == "__main__":
    main()
