#!/usr/bin/env python3
"""Random GEO command lines (feed to transcript.py): clustered and global
points, then searches of every shape/option mix, unsorted ones included
(their order is Redis's box scan order). Usage: geo_session.py SEED N"""
import random, sys
seed, n = int(sys.argv[1]), int(sys.argv[2])
r = random.Random(seed)
print("flushall")
if seed % 2: print("config set zset-max-listpack-entries 4")
else: print("config set zset-max-listpack-entries 128")
def pt():
    if r.random() < 0.6:
        return "%.6f %.6f" % (r.uniform(12, 16), r.uniform(36, 40))
    return "%.6f %.6f" % (r.uniform(-180, 180), r.uniform(-85.05, 85.05))
for i in range(0, 200, 5):
    print("geoadd g " + " ".join("%s p%d" % (pt(), i + j) for j in range(5)))
units = ["m", "km", "mi", "ft"]
for _ in range(n):
    opts = []
    for o in ["withdist", "withcoord", "withhash", "asc", "desc"]:
        if r.random() < 0.3: opts.append(o)
    if r.random() < 0.3:
        opts += ["count", str(r.randint(1, 8))]
        if r.random() < 0.3: opts.append("any")
    u = r.choice(units)
    scale = {"m": 1, "km": 1000, "mi": 1609.34, "ft": 0.3048}[u]
    rad = r.choice([1e3, 5e4, 2e5, 1e6, 5e6, 2e7]) * r.random() / scale
    rad = "%.3f" % rad
    frm = ("fromlonlat " + pt()) if r.random() < 0.6 else "frommember p%d" % r.randint(0, 199)
    if r.random() < 0.5:
        by = "byradius %s %s" % (rad, u)
    else:
        by = "bybox %s %.3f %s" % (rad, float(rad) * r.uniform(0.2, 3), u)
    k = r.random()
    if k < 0.5:
        print("geosearch g %s %s %s" % (frm, by, " ".join(opts)))
    elif k < 0.7:
        print("georadius g %s %s %s %s" % (pt(), rad, u, " ".join(opts)))
    elif k < 0.8:
        print("georadiusbymember g p%d %s %s %s" % (r.randint(0, 199), rad, u, " ".join(opts)))
    else:
        so = [o for o in opts if o not in ("withdist", "withcoord", "withhash")]
        print("geosearchstore d g %s %s %s %s" % (frm, by, " ".join(so), r.choice(["", "storedist"])))
        print("zrange d 0 -1 withscores")
