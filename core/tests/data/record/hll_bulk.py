#!/usr/bin/env python3
"""Record HyperLogLog estimates and raw bytes at growing cardinalities from a
redis-server 7.0: python3 hll_bulk.py PORT OUT.tsv

Key h gets elements "e0", "e1", ... (PFADD, 1000 per call); at each
checkpoint N a line `N<TAB>PFCOUNT h<TAB>PFCOUNT h g<TAB>hex(GET h)` where
key g holds "g0".."g{N/2}" (the multi-key union estimate)."""
import socket, sys
port = int(sys.argv[1]); out = sys.argv[2]
s = socket.create_connection(("127.0.0.1", port)); f = s.makefile("rb")
def read():
    line = f.readline(); t = line[:1]; o = line
    if t == b"$":
        k = int(line[1:-2])
        if k >= 0: o += f.read(k + 2)
    return o
def cmd(args):
    b = b"*%d\r\n" % len(args)
    for a in args: b += b"$%d\r\n%s\r\n" % (len(a), a)
    s.sendall(b); return read()
cmd([b"del", b"h", b"g"])
checkpoints = [1, 2, 10, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000, 500000, 1000000]
lines = []; added = 0; gadded = 0
for n in checkpoints:
    while added < n:
        m = min(1000, n - added)
        cmd([b"pfadd", b"h"] + [b"e%d" % i for i in range(added, added + m)]); added += m
    while gadded < n // 2:
        m = min(1000, n // 2 - gadded)
        cmd([b"pfadd", b"g"] + [b"g%d" % i for i in range(gadded, gadded + m)]); gadded += m
    c1 = int(cmd([b"pfcount", b"h"])[1:-2]); c2 = int(cmd([b"pfcount", b"h", b"g"])[1:-2])
    v = cmd([b"get", b"h"]); body = v.split(b"\r\n", 1)[1][:-2]
    lines.append("%d\t%d\t%d\t%s" % (n, c1, c2, body.hex()))
open(out, "w").write("\n".join(lines) + "\n")
