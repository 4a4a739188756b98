#!/usr/bin/env python3
"""GEOPOS/GEOHASH of zset members whose scores GEOADD never produces.
Usage: geo_garbage.py PORT"""
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); f = s.makefile("rb")
def cmd(*args):
    b = b"*%d\r\n" % len(args)
    for a in args:
        a = str(a).encode(); b += b"$%d\r\n%s\r\n" % (len(a), a)
    s.sendall(b); return read()
def read():
    line = f.readline(); t = line[:1]
    if t == b"$":
        n = int(line[1:-2]); return None if n < 0 else f.read(n + 2)[:-2].decode()
    if t == b"*":
        n = int(line[1:-2]); return None if n < 0 else [read() for _ in range(n)]
    return line[:-2].decode()
print("# score\tgeohash\tpos_lon\tpos_lat")
for sc in ["0", "1", "-1", "-0.5", "0.5", "4503599627370495", "4503599627370496", "4503599627370497", "9007199254740992",
           "1e19", "9.3e18", "-1e19", "-9.3e18", "1e300", "-1e300", "inf", "-inf", "123456789.75", "-4503599627370496", "18446744073709551615"]:
    cmd("del", "z"); cmd("zadd", "z", sc, "m")
    pos = cmd("geopos", "z", "m")[0]
    print("\t".join([sc, cmd("geohash", "z", "m")[0], pos[0], pos[1]]))
