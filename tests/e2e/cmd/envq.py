#!/usr/bin/env python3
"""envq.py FILE [NAME]: read an env.N file written by record.py.

With NAME: write that variable's value, byte for byte, to stdout (no
newline added); exit 1 when it is not set. Without: print every
MCPLOG_* variable as NAME=VALUE, one per line, sorted, with bytes outside
printable ASCII written as \\xNN and a backslash as \\\\ (exact and
one-line, to compare with assert_eq)."""
import sys


def main():
    with open(sys.argv[1], "rb") as f:
        env = [v for v in f.read().split(b"\0") if v]
    pairs = [v.split(b"=", 1) for v in env]
    if len(sys.argv) > 2:
        want = sys.argv[2].encode()
        for k, v in pairs:
            if k == want:
                sys.stdout.buffer.write(v)
                return 0
        return 1
    for k, v in sorted(pairs):
        if not k.startswith(b"MCPLOG_"):
            continue
        out = "".join(chr(c) if 0x20 <= c < 0x7F and c != 0x5C
                      else "\\\\" if c == 0x5C else "\\x%02x" % c for c in v)
        print(k.decode() + "=" + out)
    return 0


sys.exit(main())
