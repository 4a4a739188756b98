#!/usr/bin/env python3
"""Geohash vectors from a real redis-server: for random positions, the
GEOADD score, GEOHASH string, GEOPOS (as printed) and the GEODIST to the
previous point in m/km/ft/mi. Usage: geo_vectors.py PORT SEED COUNT"""
import random, socket, sys
port, seed, count = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
s = socket.create_connection(("127.0.0.1", port)); f = s.makefile("rb")
def cmd(*args):
    b = b"*%d\r\n" % len(args)
    for a in args:
        a = str(a).encode()
        b += b"$%d\r\n%s\r\n" % (len(a), a)
    s.sendall(b); return read()
def read():
    line = f.readline(); t = line[:1]
    if t == b"$":
        n = int(line[1:-2]); return None if n < 0 else f.read(n + 2)[:-2].decode()
    if t == b"*":
        n = int(line[1:-2]); return None if n < 0 else [read() for _ in range(n)]
    if t == b":": return int(line[1:-2])
    return line[:-2].decode()
rnd = random.Random(seed)
cmd("del", "g")
prev = None
print("# lon\tlat\tscore\tgeohash\tpos_lon\tpos_lat\tdist_m\tdist_km\tdist_ft\tdist_mi")
for i in range(count):
    kind = rnd.random()
    if kind < 0.1:
        lon = rnd.choice([-180, 180, 0, 179.9999999, -179.99999]); lat = rnd.choice([85.05112878, -85.05112878, 0, 85.05, -85])
    elif kind < 0.3:
        lon = round(rnd.uniform(-180, 180), rnd.randint(0, 6)); lat = round(rnd.uniform(-85.05, 85.05), rnd.randint(0, 6))
    else:
        lon = rnd.uniform(-180, 180); lat = rnd.uniform(-85.05112878, 85.05112878)
    lon, lat = repr(float(lon)), repr(float(lat))
    m = "m%d" % i
    cmd("geoadd", "g", lon, lat, m)
    score = cmd("zscore", "g", m)
    gh = cmd("geohash", "g", m)[0]
    pos = cmd("geopos", "g", m)[0]
    d = [cmd("geodist", "g", prev, m, u) if prev else "-" for u in ("m", "km", "ft", "mi")]
    print("\t".join([lon, lat, score, gh, pos[0], pos[1]] + d))
    prev = m
