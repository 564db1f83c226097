#!/usr/bin/env python3
"""Drives the interactive Claude Code client in tmux (stdlib only).

    python3 drive_tui.py --socket S --session NAME --out DIR \
        --reconnect crash,missing,slow,dies [--prompt TEXT --expect TEXT] \
        [--timeout-ms N] [--settle DIR --servers N --after NAME] \
        [--pid-dir D --tag T --alive-out F]

The client must already run in tmux session NAME on socket S. The script
waits for the input prompt and (--settle) for the first connection attempt
of all N servers to end in their connection logs, then optionally sends one
prompt and waits for the stand-in model's answer, then for each server
named in --reconnect opens
`/mcp`, moves the selection to that server, opens it, chooses "Reconnect"
and waits until the client prints "Failed to reconnect to NAME" or
"Reconnected to NAME". It writes the run's live test servers (procs.py) to
--alive-out, then sends `/exit`. Every wait is bounded; each
screen it acted on is saved to DIR/tui-NN-what.txt. It prints one line per
reconnect, "NAME<TAB>result text", and exits 1 at the first step that does
not show what it waits for (the last screen is saved as DIR/tui-fail.txt).
"""
import argparse
import os
import re
import subprocess
import sys
import time

import procs

A = None
SHOT = [0]


def tmux(*args):
    return subprocess.run(["tmux", "-S", A.socket] + list(args), check=False,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True, timeout=10).stdout


def screen():
    return tmux("capture-pane", "-p", "-t", A.session)


def save(what, text=None):
    SHOT[0] += 1
    with open(os.path.join(A.out, "tui-%02d-%s.txt" % (SHOT[0], what)), "w") as f:
        f.write(screen() if text is None else text)


def fail(why):
    with open(os.path.join(A.out, "tui-fail.txt"), "w") as f:
        f.write(screen())
    sys.stderr.write("drive_tui: %s (screen in %s/tui-fail.txt)\n" % (why, A.out))
    sys.exit(1)


def poll(pattern, seconds):
    """Polls the screen until the regex matches; the match or None."""
    end = time.monotonic() + seconds
    while True:
        m = re.search(pattern, screen(), re.M)
        if m or time.monotonic() >= end:
            return m
        time.sleep(0.2)


def wait_for(pattern, seconds, why):
    m = poll(pattern, seconds)
    if not m:
        fail("timed out after %gs waiting for %s" % (seconds, why))
    return m


def keys(*k):
    tmux("send-keys", "-t", A.session, *k)
    time.sleep(0.15)


POPUP = r"^/[a-z-]+ {2,}\S"   # a line of the slash-command completion list


def command(s, pattern, seconds, why):
    """Types s and Enter, and waits up to seconds for pattern. On a busy
    machine an Enter can land while the slash-command completion list is
    still open and only close it: while that list is seen without the
    pattern, Enter is pressed again (at most twice)."""
    tmux("send-keys", "-t", A.session, "-l", s)
    time.sleep(0.3)
    keys("Enter")
    end = time.monotonic() + seconds
    for _ in range(3):
        m = poll(pattern, max(0.1, min(3, end - time.monotonic())))
        if m:
            return m
        if re.search(POPUP, screen(), re.M):
            keys("Enter")
    return wait_for(pattern, max(0.1, end - time.monotonic()), why)


def select(item_re, what):
    """Moves the ❯ selection of the menu at the bottom onto the line matching
    item_re (the last such line: earlier prompts also start with ❯)."""
    for _ in range(12):
        lines = screen().splitlines()
        cur = [i for i, l in enumerate(lines) if re.match(r"^\s*❯ [^/\s]", l)]
        tgt = [i for i, l in enumerate(lines)
               if re.match(r"^(❯ )?" + item_re, l.strip())]
        if not cur or not tgt:
            fail("no menu line for %s" % what)
        c, t = cur[-1], tgt[-1]
        if c == t:
            return
        keys("Down" if t > c else "Up")
    fail("could not move the selection to %s" % what)


def reconnect(name):
    command("/mcp", r"Enter to confirm · Esc to cancel", 10, "the /mcp menu")
    select(re.escape(name) + r" · ", "server " + name)
    save("mcp-" + name)
    keys("Enter")
    wait_for(r"Status:", 10, "the detail view of " + name)
    select(r"\d+\. Reconnect", "Reconnect of " + name)
    save("menu-" + name)
    keys("Enter")
    m = wait_for(r"(Failed to reconnect to %s[^\n]*|Reconnected to %s\.)" %
                 (re.escape(name), re.escape(name)),
                 A.timeout_ms / 1000.0 + 10, "the reconnect result of " + name)
    save("done-" + name)
    return m.group(1).strip()


def settle():
    """Waits until every server's connection log of this client process
    (under --settle, a project folder of the client's cache; named by the
    process start, so after --after) ends its first attempt: connected or
    failed, the slow one by its time-out."""
    end = time.monotonic() + A.timeout_ms / 1000.0 + 15
    while time.monotonic() < end:
        dirs = [os.path.join(A.settle, d) for d in os.listdir(A.settle)
                if d.startswith("mcp-logs-")] if os.path.isdir(A.settle) else []
        done = 0
        for d in dirs:
            files = sorted(f for f in os.listdir(d) if f > A.after)
            if files:
                with open(os.path.join(d, files[-1]), encoding="utf-8") as f:
                    t = f.read()
                done += "Successfully connected" in t or "Connection failed" in t
        if dirs and done == len(dirs) == A.servers:
            return
        time.sleep(0.2)
    fail("the start-up connections did not settle")


def main():
    global A
    p = argparse.ArgumentParser()
    p.add_argument("--socket", required=True)
    p.add_argument("--session", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--reconnect", default="")
    p.add_argument("--prompt", default="")
    p.add_argument("--expect", default="")
    p.add_argument("--timeout-ms", type=int, default=3000)
    p.add_argument("--settle", help="the client's cache folder of the project")
    p.add_argument("--servers", type=int, default=0, help="how many servers --settle waits for")
    p.add_argument("--after", default="", help="the newest connection log name before the client")
    p.add_argument("--pid-dir")
    p.add_argument("--tag")
    p.add_argument("--alive-out")
    A = p.parse_args()
    wait_for(r"\? for shortcuts", 30, "the input prompt")
    if A.settle:
        settle()
    save("start")
    if A.prompt:
        command(A.prompt, r"^● " + re.escape(A.expect), 30, "the answer " + A.expect)
        save("prompt")
    for name in [n for n in A.reconnect.split(",") if n]:
        print("%s\t%s" % (name, reconnect(name)), flush=True)
        time.sleep(0.5)
    if A.alive_out:
        live = procs.live(A.pid_dir, A.tag)
        procs.close_all(live)
        with open(A.alive_out, "w") as f:
            f.write("".join("%s %d ppid=%s\n" % x[:3] for x in live))
    tmux("send-keys", "-t", A.session, "-l", "/exit")
    time.sleep(0.3)
    keys("Enter")
    end = time.monotonic() + 10
    while time.monotonic() < end:
        if A.session not in tmux("list-sessions", "-F", "#{session_name}").split():
            return
        if re.search(POPUP, screen(), re.M):
            keys("Enter")
        time.sleep(0.5)
    fail("the client did not exit after /exit")


if __name__ == "__main__":
    main()
