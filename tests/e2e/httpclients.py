"""Hostile and slow HTTP clients for follow's metrics listener (t_metrics.sh).

  httpclients.py raw PORT HEX        send the bytes (hex), print the status
                                     line of the answer ("EOF" when none)
  httpclients.py big PORT N          a request line, then N header bytes
                                     with no end: print the status line
  httpclients.py slow PORT N SECS OUT
                                     hold N connections that trickle a
                                     request one byte every 100 ms and never
                                     finish it; write "ready" to OUT once
                                     they are all open, then one line per
                                     connection: "closed" when the server
                                     closed it within SECS s, "open" if not
  httpclients.py extra PORT N       hold N idle connections, then GET
                                     /metrics on one more: its status line
  httpclients.py latency FILE TEXT LOG LINE
                                     append LINE to LOG, print the ms (one
                                     decimal) until FILE contains TEXT (or
                                     "timeout" after 10 s)
Bounded everywhere: every wait has a timeout.
"""
import os
import select
import socket
import sys
import time


def status(sock, timeout=5.0):
    sock.settimeout(timeout)
    data = b""
    try:
        while b"\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        return "TIMEOUT"
    if not data:
        return "EOF"
    return data.split(b"\r\n", 1)[0].decode("latin-1")


def connect(port):
    return socket.create_connection(("127.0.0.1", int(port)), timeout=5)


def raw(port, hexbytes):
    s = connect(port)
    s.sendall(bytes.fromhex(hexbytes))
    print(status(s))
    s.close()


def big(port, n):
    s = connect(port)
    s.sendall(b"GET /metrics HTTP/1.1\r\nX-Pad: ")
    sent = 0
    try:
        while sent < n:
            k = min(4096, n - sent)
            s.sendall(b"a" * k)
            sent += k
    except OSError:
        pass
    print(status(s))
    s.close()


def slow(port, n, secs, out):
    conns = [connect(port) for _ in range(n)]
    req = b"GET /metrics HTTP/1.1\r\nHost: x\r\n"
    for c in conns:
        c.setblocking(False)
    with open(out, "w") as f:
        f.write("ready\n")
    closed = [False] * n
    start = time.monotonic()
    i = 0
    while time.monotonic() - start < secs and not all(closed):
        for k, c in enumerate(conns):
            if closed[k]:
                continue
            try:
                c.send(req[i % len(req):i % len(req) + 1])
            except OSError:
                closed[k] = True
                continue
            r, _, _ = select.select([c], [], [], 0)
            if r:
                try:
                    if c.recv(4096) == b"":
                        closed[k] = True
                except OSError:
                    closed[k] = True
        i += 1
        time.sleep(0.1)
    for k in range(n):
        print("closed" if closed[k] else "open")
    for c in conns:
        c.close()


def extra(port, n):
    """n connections held open (not sending), then one more with a whole
    GET /metrics: print its status line."""
    conns = [connect(port) for _ in range(n)]
    time.sleep(0.3)
    s = connect(port)
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    print(status(s, 2))
    s.close()
    for c in conns:
        c.close()


def latency(path, text, log, line):
    t0 = time.monotonic()
    with open(log, "a") as f:
        f.write(line + "\n")
    while time.monotonic() - t0 < 10:
        try:
            with open(path, "rb") as f:
                if text.encode() in f.read():
                    print("%.1f" % ((time.monotonic() - t0) * 1000))
                    return
        except OSError:
            pass
        time.sleep(0.005)
    print("timeout")


def main():
    cmd = sys.argv[1]
    if cmd == "raw":
        raw(sys.argv[2], sys.argv[3])
    elif cmd == "big":
        big(sys.argv[2], int(sys.argv[3]))
    elif cmd == "slow":
        slow(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5])
    elif cmd == "extra":
        extra(sys.argv[2], int(sys.argv[3]))
    elif cmd == "latency":
        latency(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
