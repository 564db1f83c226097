#!/usr/bin/env python3
"""Talk to `mcplog mcp` as a client would, one request at a time.

    mcp_talk.py SCRIPT OUT -- CMD...

Starts CMD (the server) with pipes, then reads SCRIPT line by line:

    {json}            send it (a line of JSON text, sent as written); when
                      it has an "id" and a "method", wait for the response
                      with that id (60 s at most)
    raw TEXT          send TEXT and a newline as bytes (Python escapes
                      such as \\xff are decoded first); wait for one response
    big N             send a line of N bytes ('x' * N) and a newline; wait
                      for one response
    cancel ID MS {json}   send the request, wait MS ms, send
                      notifications/cancelled for ID; do not wait for it
    sleep MS          wait

At the end stdin is closed and the server waited for (30 s). OUT gets
every line the server wrote to stdout, as written. Exit 0 when every line
of stdout is a JSON-RPC 2.0 response (an object with "jsonrpc": "2.0"
and an "id"), 1 otherwise (the bad line is printed), 2 on a time-out.
"""
import json
import os
import subprocess
import sys
import threading
import time


def main():
    script, out = sys.argv[1], sys.argv[2]
    cmd = sys.argv[sys.argv.index("--") + 1:]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    lines = []
    cond = threading.Condition()

    def reader():
        for raw in p.stdout:
            with cond:
                lines.append(raw)
                cond.notify_all()
        with cond:
            lines.append(None)
            cond.notify_all()

    t = threading.Thread(target=reader, daemon=True)
    t.start()

    def wait(pred, what):
        deadline = time.time() + 60
        with cond:
            while not pred():
                left = deadline - time.time()
                if left <= 0 or (lines and lines[-1] is None):
                    sys.stderr.write("mcp_talk: no answer to %s\n" % what)
                    p.kill()
                    sys.exit(2)
                cond.wait(left)

    def has_id(i):
        def pred():
            for raw in lines:
                if raw is None:
                    continue
                try:
                    d = json.loads(raw)
                except ValueError:
                    continue
                if isinstance(d, dict) and d.get("id") == i:
                    return True
            return False
        return pred

    def send(b):
        p.stdin.write(b)
        p.stdin.flush()

    for line in open(script, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        if line.startswith("{"):
            send(line.encode() + b"\n")
            d = json.loads(line)
            if "id" in d and "method" in d:
                wait(has_id(d["id"]), line[:80])
        elif line.startswith("raw "):
            n = len([x for x in lines if x is not None])
            send(line[4:].encode().decode("unicode_escape").encode("latin-1") + b"\n")
            wait(lambda: len([x for x in lines if x is not None]) > n, line[:80])
        elif line.startswith("big "):
            n = len([x for x in lines if x is not None])
            send(b"x" * int(line[4:]) + b"\n")
            wait(lambda: len([x for x in lines if x is not None]) > n, "big")
        elif line.startswith("cancel "):
            _, i, ms, req = line.split(" ", 3)
            send(req.encode() + b"\n")
            time.sleep(int(ms) / 1000)
            send(json.dumps({"jsonrpc": "2.0", "method": "notifications/cancelled",
                             "params": {"requestId": int(i), "reason": "test"}}).encode() + b"\n")
        elif line.startswith("sleep "):
            time.sleep(int(line[6:]) / 1000)
    p.stdin.close()
    try:
        p.wait(30)
    except subprocess.TimeoutExpired:
        p.kill()
        sys.stderr.write("mcp_talk: the server did not exit\n")
        sys.exit(2)
    t.join(5)
    got = [x for x in lines if x is not None]
    with open(out, "wb") as f:
        f.writelines(got)
    for raw in got:
        try:
            d = json.loads(raw)
            ok = isinstance(d, dict) and d.get("jsonrpc") == "2.0" and "id" in d
        except ValueError:
            ok = False
        if not ok:
            sys.stderr.write("mcp_talk: not a JSON-RPC response on stdout: %r\n" % raw[:200])
            sys.exit(1)
    sys.exit(0)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
