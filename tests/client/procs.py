#!/usr/bin/env python3
"""Finds and ends the test servers of one run, and only those (stdlib only).

    python3 procs.py list --pid-dir D --tag T
    python3 procs.py reap --pid-dir D --tag T --out FILE

Every test server writes D/MODE.TAG.PID when it starts. A PID counts as
one of this run's servers only while /proc/PID/cmdline still holds
`--tag T`, checked after a pidfd is opened on it and signalled through that
pidfd (so a reused PID is never touched). `list` prints
"MODE PID ppid=PPID" for each live one; `reap` writes that list to FILE,
sends SIGTERM to exactly those PIDs, waits up to 5 s and sends SIGKILL to
any still there. Nothing else is signalled.
"""
import argparse
import os
import signal
import sys
import time


def live(pid_dir, tag):
    """[(mode, pid, ppid, pidfd)] of this run's servers that are running."""
    out = []
    for name in sorted(os.listdir(pid_dir)):
        parts = name.split(".")
        if len(parts) != 3 or parts[1] != tag or not parts[2].isdigit():
            continue
        pid = int(parts[2])
        try:
            fd = os.pidfd_open(pid)
        except OSError:
            continue
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                argv = f.read().split(b"\0")
            with open("/proc/%d/stat" % pid) as f:
                st = f.read().rsplit(")", 1)[1].split()
        except OSError:
            os.close(fd)
            continue
        ours = any(a == b"--tag" and argv[i + 1] == tag.encode()
                   for i, a in enumerate(argv[:-1]))
        if ours and st[0] != "Z":
            out.append((parts[0], pid, st[1], fd))
        else:
            os.close(fd)
    return out


def close_all(procs):
    for p in procs:
        os.close(p[3])


def signal_all(procs, sig):
    for _, _, _, fd in procs:
        try:
            signal.pidfd_send_signal(fd, sig)
        except OSError:
            pass
        os.close(fd)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("what", choices=["list", "reap"])
    p.add_argument("--pid-dir", required=True)
    p.add_argument("--tag", required=True)
    p.add_argument("--out")
    a = p.parse_args()
    procs = live(a.pid_dir, a.tag)
    text = "".join("%s %d ppid=%s\n" % x[:3] for x in procs)
    if a.what == "list":
        close_all(procs)
        sys.stdout.write(text)
        return
    with open(a.out, "w") as f:
        f.write(text)
    signal_all(procs, signal.SIGTERM)
    end = time.monotonic() + 5
    while time.monotonic() < end:
        left = live(a.pid_dir, a.tag)
        close_all(left)
        if not left:
            return
        time.sleep(0.05)
    signal_all(live(a.pid_dir, a.tag), signal.SIGKILL)

if __name__ == "__main__":
    main()
