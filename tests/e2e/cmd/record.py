#!/usr/bin/env python3
"""record.py DIR [STATUS]: a program for the command sink's tests.

Each run numbers itself (DIR/runs) and saves, for run N:
  DIR/env.N    its environment exactly as exec'd (/proc/self/environ),
               NUL-separated and sorted
  DIR/stdin.N  everything it read on stdin, until end of file
  DIR/fds.N    its open descriptors at start, "FD TARGET" per line
  DIR/argv.N   its argv exactly as exec'd (/proc/self/cmdline)
  DIR/pid.N    its pid and process group
then exits with STATUS (default 0), after writing "recorder: run N" on
stderr. Nothing it receives is interpreted."""
import os
import sys


def main():
    # Descriptors first, before Python opens anything of its own: the one
    # listdir uses is closed again by the time readlink runs, so it drops
    # out of the list.
    fds = []
    for e in os.listdir("/proc/self/fd"):
        try:
            fds.append((int(e), os.readlink("/proc/self/fd/" + e)))
        except OSError:
            pass
    d = sys.argv[1]
    status = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    runs = os.path.join(d, "runs")
    n = int(open(runs).read()) + 1 if os.path.exists(runs) else 1

    def save(name, data):
        with open(os.path.join(d, "%s.%d" % (name, n)), "wb") as f:
            f.write(data)

    with open("/proc/self/environ", "rb") as f:
        env = [v for v in f.read().split(b"\0") if v]
    save("env", b"".join(v + b"\0" for v in sorted(env)))
    with open("/proc/self/cmdline", "rb") as f:
        save("argv", f.read())
    save("stdin", sys.stdin.buffer.read())
    save("fds", "".join("%d %s\n" % f for f in sorted(fds)).encode())
    save("pid", b"%d %d\n" % (os.getpid(), os.getpgid(0)))
    with open(runs, "w") as f:
        f.write("%d\n" % n)
    sys.stderr.write("recorder: run %d\n" % n)
    sys.exit(status)


main()
