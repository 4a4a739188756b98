#!/usr/bin/env python3
"""Keyspace hits/misses after each hash/set command (which lookups count, as
redis-server 7.0 counts them): python3 hashset_stats.py PORT > ../hashset_stats_redis7.txt
Each command line is followed by `@stats => HITS MISSES` read from INFO stats."""
import socket, sys
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port)); f = s.makefile("rb")
def read():
    line = f.readline(); t = line[:1]; o = line
    if t in (b"$", b"=", b"!"):
        k = int(line[1:-2])
        if k >= 0: o += f.read(k + 2)
    elif t in (b"*", b"~", b">", b"%", b"|"):
        k = int(line[1:-2]) * (2 if t in (b"%", b"|") else 1)
        for _ in range(max(k, 0)): o += read()
    return o
def cmd(args):
    b = b"*%d\r\n" % len(args)
    for a in args: a = a.encode(); b += b"$%d\r\n%s\r\n" % (len(a), a)
    s.sendall(b); return read()
def esc(b):
    return "".join({13: "\\r", 10: "\\n", 9: "\\t", 92: "\\\\"}.get(c, chr(c) if 0x20 <= c <= 0x7e else "\\x%02x" % c) for c in b)
def stats():
    info = cmd(["info", "stats"]).decode()
    d = dict(l.split(":", 1) for l in info.split("\r\n") if ":" in l)
    return d["keyspace_hits"], d["keyspace_misses"]
cmd(["flushall"]); cmd(["config", "resetstat"])
lines = ["hset h a 1 b 2", "sadd s 1 2 x", "sadd t 2 3", "set str v"]
for k in ["h", "nokey", "str"]:
    lines += [f"hget {k} a", f"hmget {k} a b", f"hlen {k}", f"hstrlen {k} a", f"hexists {k} a", f"hkeys {k}",
              f"hvals {k}", f"hgetall {k}", f"hrandfield {k}", f"hrandfield {k} 2", f"hscan {k} 0",
              f"hsetnx {k} c 3", f"hincrby {k} n 1", f"hincrbyfloat {k} m 1", f"hdel {k} zz"]
for k in ["s", "nokey", "str"]:
    lines += [f"scard {k}", f"sismember {k} 1", f"smismember {k} 1 2", f"smembers {k}", f"srandmember {k}",
              f"srandmember {k} 5", f"sscan {k} 0", f"sinter {k} t", f"sintercard 2 {k} t", f"sunion {k} t",
              f"sdiff {k} t", f"sinterstore d {k} t", f"sunionstore d {k} t", f"sdiffstore d {k} t",
              f"smove {k} t 1", f"srem {k} zz", f"spop {k} 0", f"sadd {k} q"]
for l in lines:
    r = cmd(l.split())
    # Only the statistics matter here: replies whose order or pick is
    # Redis's own are compared by type byte.
    if l.split()[0] in ("hrandfield", "srandmember", "smembers", "sunion", "sdiff", "sinter", "sscan"):
        print("@T", l, "=>", esc(r[:1]))
    else:
        print(l, "=>", esc(r))
    print("@stats => %s %s" % stats())
