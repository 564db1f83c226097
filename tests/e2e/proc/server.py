"""A dummy MCP server for the process tests (tests/e2e/t_cleanup*.sh,
t_health.sh, t_probes.sh). It only waits; the environment makes it:
  DUMMY_READY=FILE       create FILE once set up (handlers installed),
                         holding its PID (as its own PID namespace
                         numbers it)
  DUMMY_CHDIR=DIR        change into DIR once started (before READY)
  DUMMY_LOG=FILE         append a log line to FILE every 0.2 s (O_APPEND,
                         as Python's logging.FileHandler does)
  DUMMY_TURN=FILE        with DUMMY_LOG: append one line only when FILE
                         holds "NAME SEQ" with its own DUMMY_NAME and a
                         SEQ not served yet, then create FILE.NAME.SEQ
                         (so a test decides who wrote the log last)
  DUMMY_NAME=NAME        its name for DUMMY_TURN
  DUMMY_IGNORE_TERM=1    survive SIGTERM, noting it in DUMMY_MARK
  DUMMY_MARK=FILE        where to note the signals received ("TERM"
                         per SIGTERM); without DUMMY_IGNORE_TERM it
                         then exits with status 143, as SIGTERM's
                         default action would
It never signals anything."""
import os
import signal
import time

mark = os.environ.get("DUMMY_MARK")


def on_term(signum, frame):
    if mark:
        with open(mark, "a") as f:
            f.write("TERM\n")


def turn_due(turn, name, served):
    """The SEQ of the turn FILE names for us, when not served yet."""
    try:
        with open(turn) as f:
            who, _, seq = f.read().strip().partition(" ")
    except OSError:
        return None
    return seq if who == name and seq != served else None


def on_term_exit(signum, frame):
    on_term(signum, frame)
    os._exit(128 + signal.SIGTERM)


if os.environ.get("DUMMY_IGNORE_TERM"):
    signal.signal(signal.SIGTERM, on_term)
elif mark:
    signal.signal(signal.SIGTERM, on_term_exit)
if os.environ.get("DUMMY_CHDIR"):
    os.chdir(os.environ["DUMMY_CHDIR"])
log = os.environ.get("DUMMY_LOG")
fh = open(log, "a", buffering=1) if log else None
turn = os.environ.get("DUMMY_TURN")
name = os.environ.get("DUMMY_NAME", "")
served = None
ready = os.environ.get("DUMMY_READY")
if ready:
    with open(ready + ".tmp", "w") as f:
        f.write("%d\n" % os.getpid())
    os.rename(ready + ".tmp", ready)
line = "2025-12-10 14:00:00,000 - root - INFO - tick%s\n" % (
    " " + name if name else "")
while True:
    if fh and turn:
        seq = turn_due(turn, name, served)
        if seq is not None:
            fh.write(line)
            served = seq
            open("%s.%s.%s" % (turn, name, seq), "w").close()
        time.sleep(0.02)
        continue
    if fh:
        fh.write(line)
    time.sleep(0.2)
