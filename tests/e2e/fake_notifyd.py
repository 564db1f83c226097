#!/usr/bin/env python3
"""fake_notifyd.py ADDRESS LOG - a notification service that hangs.

It owns org.freedesktop.Notifications on the bus at ADDRESS (unix:path=...),
answers GetServerInformation at once and never answers Notify: the daemon
that stops between mcplog's check and libnotify's Notify call. Every method
call it receives is appended to LOG as "SENDER MEMBER". Speaks the D-Bus
wire protocol itself (little endian), so it needs nothing beyond Python.
Used by tests/e2e/t_desktop.sh.
"""
import os
import socket
import struct
import sys


def pad(buf, n):
    buf.extend(b"\0" * (-len(buf) % n))


def put_str(buf, s, sig="s"):
    b = s.encode()
    if sig == "g":
        buf.append(len(b))
    else:
        pad(buf, 4)
        buf.extend(struct.pack("<I", len(b)))
    buf.extend(b + b"\0")


def message(mtype, serial, fields, sig="", body=b"", flags=0):
    """fields: [(code, type, value)]; body already marshalled for sig."""
    arr = bytearray()
    for code, t, v in fields:
        pad(arr, 8)
        arr.append(code)
        put_str(arr, t, "g")
        if t == "u":
            pad(arr, 4)
            arr.extend(struct.pack("<I", v))
        else:
            put_str(arr, v, t)
    if sig:
        pad(arr, 8)
        arr.append(8)
        put_str(arr, "g", "g")
        put_str(arr, sig, "g")
    head = bytearray(b"l" + bytes([mtype, flags, 1]))
    head.extend(struct.pack("<III", len(body), serial, len(arr)))
    head.extend(arr)
    pad(head, 8)
    return bytes(head) + body


def strings(*ss):
    buf = bytearray()
    for s in ss:
        put_str(buf, s)
    return bytes(buf)


class Bus:
    def __init__(self, address):
        path = None
        for part in address.split(":", 1)[1].split(","):
            k, _, v = part.partition("=")
            if k == "path":
                path = v
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.buf = b""
        self.serial = 0
        uid = str(os.getuid()).encode().hex()
        self.sock.sendall(b"\0AUTH EXTERNAL " + uid.encode() + b"\r\n")
        while b"\r\n" not in self.buf:
            self.buf += self.sock.recv(4096)
        line, self.buf = self.buf.split(b"\r\n", 1)
        if not line.startswith(b"OK"):
            sys.exit("fake_notifyd: auth refused: %r" % line)
        self.sock.sendall(b"BEGIN\r\n")

    def call(self, member, sig="", body=b""):
        self.serial += 1
        self.sock.sendall(message(1, self.serial, [
            (1, "o", "/org/freedesktop/DBus"), (2, "s", "org.freedesktop.DBus"),
            (3, "s", member), (6, "s", "org.freedesktop.DBus")], sig, body))
        while True:     # the reply (signals such as NameAcquired may come first)
            m = self.read()
            if m["type"] in (2, 3) and m.get(5) == self.serial:
                return m

    def reply(self, m, sig, body):
        self.serial += 1
        self.sock.sendall(message(2, self.serial, [
            (5, "u", m["serial"]), (6, "s", m[7])], sig, body, flags=1))

    def read(self):
        while True:
            if len(self.buf) >= 16:
                blen, serial, alen = struct.unpack("<III", self.buf[4:16])
                hlen = 16 + alen + (-(16 + alen) % 8)
                if len(self.buf) >= hlen + blen:
                    break
            data = self.sock.recv(65536)
            if not data:
                sys.exit(0)                 # the bus went away
            self.buf += data
        raw, self.buf = self.buf[:hlen + blen], self.buf[hlen + blen:]
        m = {"type": raw[1], "serial": serial}
        pos = 16
        while pos < 16 + alen:
            pos += -pos % 8
            code = raw[pos]
            slen = raw[pos + 1]
            t = raw[pos + 2:pos + 2 + slen].decode()
            pos += 3 + slen
            if t in ("s", "o"):
                pos += -pos % 4
                (n,) = struct.unpack("<I", raw[pos:pos + 4])
                m[code] = raw[pos + 4:pos + 4 + n].decode()
                pos += 5 + n
            elif t == "g":
                n = raw[pos]
                m[code] = raw[pos + 1:pos + 1 + n].decode()
                pos += 2 + n
            elif t == "u":
                pos += -pos % 4
                (m[code],) = struct.unpack("<I", raw[pos:pos + 4])
                pos += 4
            else:
                sys.exit("fake_notifyd: header type %s" % t)
        return m


def main():
    bus = Bus(sys.argv[1])
    log = open(sys.argv[2], "a", buffering=1)
    bus.call("Hello")
    body = bytearray()
    put_str(body, "org.freedesktop.Notifications")
    pad(body, 4)
    body.extend(struct.pack("<I", 4))          # DO_NOT_QUEUE
    r = bus.call("RequestName", "su", bytes(body))
    if r["type"] != 2:
        sys.exit("fake_notifyd: RequestName failed")
    log.write("ready\n")
    while True:
        m = bus.read()
        if m["type"] != 1:
            continue
        log.write("%s %s\n" % (m.get(7), m.get(3)))
        if m.get(3) == "GetServerInformation":
            bus.reply(m, "ssss", strings("fake", "mcplog-test", "1", "1.2"))
        # Notify (and anything else): never answered.


if __name__ == "__main__":
    main()
