#!/usr/bin/env python3
"""Generate a big, rotated log set for benchmarking mcplog.

Usage:
    python3 tests/bench/genlogs.py --out DIR --size-mb 400 [--seed N]
        [--layout bench|delaycompress|numbered|bigplain|dateext]
        [--member-mb M] [--live-mb L]

Writes at least --size-mb MiB of decompressed log text into DIR, rotated the
way logrotate (compress + delaycompress) leaves a RotatingFileHandler's files:

    mcp_server.log      mcp_server.log.1     mcp_server.log.2.gz ... .N.gz
    mcp_activity.log    mcp_activity.log.1   mcp_activity.log.2.gz ...

--layout picks the shape (the text is the same for a given size and seed):
    bench          the above, members of 20 MiB (10 MiB activity), scaled
                   down for small sizes (the default; `make bench`)
    delaycompress  the above with members of --member-mb (default 50) and a
                   live file of --live-mb (default: what is left)
    numbered       every finished member compressed (.1.gz, .2.gz, ...), no
                   plain .1: logrotate without delaycompress
    bigplain       one plain file per log, never rotated
    dateext        dated members (mcp_server.log-20250303.gz, ...), the newest
                   one plain: logrotate's dateext with delaycompress

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

    Finished members are compressed in a thread pool, except (with
    delay=True) the newest finished one, which is held back: at close() it
    becomes the plain `.1` and the unfinished rest becomes the current
    file. Past rotate_until bytes no member is cut any more: the rest is
    the current file. dateext names members NAME-YYYYMMDD[.gz] instead of
    NAME.N[.gz].
    """

    def __init__(self, out_dir, name, member_size, pool, delay=True,
                 rotate_until=None, dateext=False):
        self.out_dir, self.name, self.member_size, self.pool = out_dir, name, member_size, pool
        self.delay, self.rotate_until, self.dateext = delay, rotate_until, dateext
        self.pending = bytearray()
        self.held = None
        self.count = 0            # finished members so far
        self.futures = []
        self.raw_bytes = 0
        self.cut_bytes = 0        # bytes in finished members

    def write(self, data):
        self.pending += data
        self.raw_bytes += len(data)
        while len(self.pending) >= self.member_size and (
                self.rotate_until is None
                or self.cut_bytes + self.member_size <= self.rotate_until):
            m = RECORD_START.search(self.pending, self.member_size - 1)
            if m is None:
                break
            cut = m.start() + 1
            member = bytes(self.pending[:cut])
            del self.pending[:cut]
            self.cut_bytes += cut
            self._finish(member)

    def _tmp(self, k):
        return os.path.join(self.out_dir, '.%s.part%05d.gz' % (self.name, k))

    def _finish(self, member):
        if not self.delay:
            self._compress(member, self.count)
            self.count += 1
            return
        if self.held is not None:
            self._compress(self.held, self.count - 1)
        self.held = member
        self.count += 1

    def _compress(self, member, k):
        # bound memory: wait when too many members are queued
        while sum(1 for f in self.futures if not f.done()) > 3:
            concurrent.futures.wait(self.futures, return_when=concurrent.futures.FIRST_COMPLETED)
        self.futures.append(self.pool.submit(_compress_to, member, self._tmp(k)))

    def _member_name(self, k, n):
        """Name of finished member k (0 oldest) of n."""
        if self.dateext:
            return '%s-%s' % (self.name, (FIRST_DAY + datetime.timedelta(days=k)).strftime('%Y%m%d'))
        return '%s.%d' % (self.name, n - k)

    def close(self):
        """Wait for compression, name the members, write .1 and the current file."""
        for f in self.futures:
            f.result()
        n = self.count
        n_gz = n - 1 if self.held is not None else n
        for k in range(n_gz):                       # k = 0 is the oldest
            os.replace(self._tmp(k), os.path.join(self.out_dir, self._member_name(k, n) + '.gz'))
        if self.held is not None:
            with open(os.path.join(self.out_dir, self._member_name(n - 1, n)), 'wb') as fh:
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
    ap.add_argument('--layout', default='bench',
                    choices=['bench', 'delaycompress', 'numbered', 'bigplain', 'dateext'])
    ap.add_argument('--member-mb', type=float, default=None,
                    help='server member size in MiB (activity: half)')
    ap.add_argument('--live-mb', type=float, default=None,
                    help='delaycompress: size of the live server file in MiB')
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
    delay, dateext, srv_until, act_until = True, False, None, None
    if args.layout == 'delaycompress':
        srv_member = int((args.member_mb or 50) * MiB)
        act_member = max(64 * 1024, srv_member // 2)
        if args.live_mb is not None:
            srv_until = target - est_activity - args.live_mb * MiB
            act_until = est_activity * (1 - args.live_mb * MiB / target)
    elif args.layout == 'numbered':
        delay = False
        srv_member = int((args.member_mb or 2) * MiB)
        act_member = max(64 * 1024, srv_member // 2)
    elif args.layout == 'bigplain':
        srv_until = act_until = 0
    elif args.layout == 'dateext':
        dateext = True
        srv_member = int((args.member_mb or 8) * MiB)
        act_member = max(64 * 1024, srv_member // 2)
    elif args.member_mb is not None:
        srv_member = int(args.member_mb * MiB)
        act_member = max(64 * 1024, srv_member // 2)

    os.makedirs(args.out, exist_ok=True)
    for name in os.listdir(args.out):
        if name.startswith(('mcp_server.log', 'mcp_activity.log', '.mcp_server.log',
                            '.mcp_activity.log')):
            os.remove(os.path.join(args.out, name))

    # 2. Replay the days with increasing dates; rotate and compress.
    workers = max(2, os.cpu_count() or 2)
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        server = RotatedWriter(args.out, g.SERVER_LOG, srv_member, pool, delay,
                               srv_until, dateext)
        activity = RotatedWriter(args.out, g.ACTIVITY_LOG, act_member, pool, delay,
                                 act_until, dateext)
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
