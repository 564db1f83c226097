"""A dummy MCP server for tests/e2e/t_cleanup.sh. It only waits; the
environment makes it:
  DUMMY_READY=FILE       create FILE once set up (handlers installed)
  DUMMY_LOG=FILE         append a log line to FILE every 0.2 s (O_APPEND,
                         as Python's logging.FileHandler does)
  DUMMY_IGNORE_TERM=1    survive SIGTERM, noting it in DUMMY_MARK
  DUMMY_MARK=FILE        where to note the signals received
It never signals anything itself."""
import os
import signal
import time

mark = os.environ.get("DUMMY_MARK")


def on_term(signum, frame):
    if mark:
        with open(mark, "a") as f:
            f.write("TERM\n")


if os.environ.get("DUMMY_IGNORE_TERM"):
    signal.signal(signal.SIGTERM, on_term)
log = os.environ.get("DUMMY_LOG")
fh = open(log, "a", buffering=1) if log else None
ready = os.environ.get("DUMMY_READY")
if ready:
    open(ready, "w").close()
while True:
    if fh:
        fh.write("2025-12-10 14:00:00,000 - root - INFO - tick\n")
    time.sleep(0.2)
