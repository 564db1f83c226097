#!/usr/bin/env python3
"""Generate a big, rotated log set for benchmarking mcplog.

Usage:
    python3 tests/bench/genlogs.py --out DIR --size-mb 400 [--seed N]

Writes at least --size-mb MiB of decompressed log text into DIR, rotated the
way logrotate (compress + delaycompress) leaves a RotatingFileHandler's files:

    mcp_server.log      mcp_server.log.1     mcp_server.log.2.gz ... .N.gz
    mcp_activity.log    mcp_activity.log.1   mcp_activity.log.2.gz ...

The content comes from samples/generate.py (one simulation code path):
`bench_day_template()` simulates a handful of busy, varied days (startups,
two-window interleaving, late/never-ready starts, provider retries, chained
tracebacks, thread loss, runaway loops, reconnect failures, DEBUG noise).
This script then replays those days one after another with new dates - a
plain byte replace of the date, so timestamps keep increasing realistically
(day after day, each day in time order) without per-line Python work - and
cuts the streams into members at record boundaries.

Members are gzip level 6 (Python's zlib, which releases the GIL, so members
compress in parallel threads) with mtime=0: output is deterministic.
Only the Python 3 standard library is used.
"""

import argparse
import concurrent.futures
import datetime
import gzip
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True      # keep samples/ free of __pycache__
sys.path.insert(0, os.path.join(HERE, '..', '..', 'samples'))
import generate as g  # noqa: E402  (samples/generate.py)

MiB = 1024 * 1024
SERVER_MEMBER = 20 * MiB       # RotatingFileHandler maxBytes of mcp_server.log
ACTIVITY_MEMBER = 10 * MiB     # ... and of mcp_activity.log
TEMPLATE_DAYS = 7              # distinct simulated days, replayed in a cycle
TEMPLATE_DATE = datetime.date(2025, 1, 6)
FIRST_DAY = datetime.date(2025, 3, 3)

# A record starts with a timestamp; a cut is only made before such a line,
# so a traceback always stays with its record (and bare lines with the line
# before them), as with a real handler that rotates between records.
RECORD_START = re.compile(rb'\n\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - ')


class RotatedWriter:
    """Cut one stream into size-based members, oldest first.

    Finished members are compressed in a thread pool, except the newest
    finished one, which is held back: at close() it becomes the plain `.1`
    and the unfinished rest becomes the current file.
    """

    def __init__(self, out_dir, name, member_size, pool):
        self.out_dir, self.name, self.member_size, self.pool = out_dir, name, member_size, pool
        self.pending = bytearray()
        self.held = None
        self.count = 0            # finished members so far
        self.futures = []
        self.raw_bytes = 0

    def write(self, data):
        self.pending += data
        self.raw_bytes += len(data)
        while len(self.pending) >= self.member_size:
            m = RECORD_START.search(self.pending, self.member_size - 1)
            if m is None:
                break
            cut = m.start() + 1
            member = bytes(self.pending[:cut])
            del self.pending[:cut]
            self._finish(member)

    def _tmp(self, k):
        return os.path.join(self.out_dir, '.%s.part%05d.gz' % (self.name, k))

    def _finish(self, member):
        if self.held is not None:
            k = self.count - 1
            # bound memory: wait when too many members are queued
            while sum(1 for f in self.futures if not f.done()) > 3:
                concurrent.futures.wait(self.futures, return_when=concurrent.futures.FIRST_COMPLETED)
            self.futures.append(self.pool.submit(_compress_to, self.held, self._tmp(k)))
        self.held = member
        self.count += 1

    def close(self):
        """Wait for compression, name the members, write .1 and the current file."""
        for f in self.futures:
            f.result()
        n_gz = max(self.count - 1, 0)
        for k in range(n_gz):                       # k = 0 is the oldest
            os.replace(self._tmp(k), os.path.join(self.out_dir, '%s.%d.gz' % (self.name, n_gz - k + 1)))
        if self.held is not None:
            with open(os.path.join(self.out_dir, self.name + '.1'), 'wb') as fh:
                fh.write(self.held)
        with open(os.path.join(self.out_dir, self.name), 'wb') as fh:
            fh.write(self.pending)
        return self.count + 1


def _compress_to(data, path):
    with open(path, 'wb') as fh:
        fh.write(gzip.compress(data, compresslevel=6, mtime=0))


def redate(text, new_day):
    """Move a template day (bytes) to new_day: timestamps and HTTP Date headers."""
    old_ts = TEMPLATE_DATE.strftime('%Y-%m-%d ').encode()
    old_hdr = TEMPLATE_DATE.strftime('%a, %d %b %Y').encode()
    text = text.replace(old_ts, new_day.strftime('%Y-%m-%d ').encode())
    return text.replace(old_hdr, new_day.strftime('%a, %d %b %Y').encode())


def main(argv=None):
    ap = argparse.ArgumentParser(description='Generate a big rotated MCP log set for benchmarks.')
    ap.add_argument('--out', required=True, help='output directory')
    ap.add_argument('--size-mb', type=float, default=400,
                    help='minimum decompressed size in MiB (default 400)')
    ap.add_argument('--seed', type=int, default=g.DEFAULT_SEED)
    ap.add_argument('--calls-per-day', type=int, default=400,
                    help='user actions per simulated day (default 400)')
    args = ap.parse_args(argv)
    started = time.time()
    target = int(args.size_mb * MiB)

    # 1. A few simulated days (all dated TEMPLATE_DATE).
    d0 = (TEMPLATE_DATE.year, TEMPLATE_DATE.month, TEMPLATE_DATE.day)
    templates = []
    for i in range(TEMPLATE_DAYS):
        # one day in seven comes from a zen-mcp-server build (other retry wording)
        flavor = 'zen' if i == 3 else 'hestai'
        s, a = g.bench_day_template(args.seed + i, d0, calls=args.calls_per_day, flavor=flavor)
        templates.append((s.encode('utf-8'), a.encode('utf-8')))
    per_cycle_s = sum(len(s) for s, _ in templates)
    per_cycle_a = sum(len(a) for _, a in templates)

    # Members: the real maxBytes (20 MiB server, 10 MiB activity), but small
    # enough that each family has a current file, a plain .1 and .gz members
    # even for small --size-mb (and for the activity log at 400 MiB).
    est_activity = target * per_cycle_a / (per_cycle_s + per_cycle_a)
    srv_member = int(max(256 * 1024, min(SERVER_MEMBER, (target - est_activity) / 3.5)))
    act_member = int(max(64 * 1024, min(ACTIVITY_MEMBER, est_activity / 3.5)))

    os.makedirs(args.out, exist_ok=True)
    for name in os.listdir(args.out):
        if name.startswith(('mcp_server.log', 'mcp_activity.log', '.mcp_server.log',
                            '.mcp_activity.log')):
            os.remove(os.path.join(args.out, name))

    # 2. Replay the days with increasing dates; rotate and compress.
    workers = max(2, os.cpu_count() or 2)
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        server = RotatedWriter(args.out, g.SERVER_LOG, srv_member, pool)
        activity = RotatedWriter(args.out, g.ACTIVITY_LOG, act_member, pool)
        day = 0
        while server.raw_bytes + activity.raw_bytes < target:
            s, a = templates[day % TEMPLATE_DAYS]
            date = FIRST_DAY + datetime.timedelta(days=day)
            server.write(redate(s, date))
            activity.write(redate(a, date))
            day += 1
        n_server = server.close()
        n_activity = activity.close()

    total = server.raw_bytes + activity.raw_bytes
    on_disk = sum(os.path.getsize(os.path.join(args.out, f)) for f in os.listdir(args.out))
    last = FIRST_DAY + datetime.timedelta(days=day - 1)
    print('genlogs: %d days (%s .. %s), %d server + %d activity files, '
          '%.1f MiB decompressed (server %.1f, activity %.1f), %.1f MiB on disk, %.1f s'
          % (day, FIRST_DAY, last, n_server, n_activity, total / MiB, server.raw_bytes / MiB,
             activity.raw_bytes / MiB, on_disk / MiB, time.time() - started))
    return 0


if __name__ == '__main__':
    sys.exit(main())
