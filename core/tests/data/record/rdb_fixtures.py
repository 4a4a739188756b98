#!/usr/bin/env python3
"""Record RDB files written by a real redis-server 7.0 for core/tests/rdb_file.rs.

Usage: rdb_fixtures.py PORT OUTDIR

For each fixture below, starts its own redis-server on PORT (a scratch
--dir), fills it with every type in every encoding (strings int/embstr/raw
and LZF-compressible, lists with plain and compressed quicklist nodes,
hashes and sorted sets as listpack and hashtable/skiplist, sets as intset
and hashtable, streams with deletions, consumer groups, PELs and a consumer
without pending entries, an emptied stream), expiries, several databases,
then SAVEs and copies the file to OUTDIR/rdb_redis7_<name>.rdb.

Alongside goes OUTDIR/rdb_redis7_<name>.expected, one line per key:
`db <TAB> hex(key) <TAB> pexpiretime <TAB> hex(DUMP payload)`. The test
loads the .rdb with keyrs's loader and compares each key with the value
decoded from its DUMP payload (and the expiry), so the content matches
exactly even where Redis's hash-table order makes bytes differ.
"""
import os, shutil, socket, subprocess, sys, tempfile, time

port = int(sys.argv[1])
outdir = sys.argv[2]


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.f = self.s.makefile("rb")

    def read(self):
        line = self.f.readline()
        t = line[:1]
        if t == b"$":
            n = int(line[1:-2])
            return None if n < 0 else self.f.read(n + 2)[:-2]
        if t == b"*":
            return [self.read() for _ in range(max(int(line[1:-2]), 0))]
        if t == b":":
            return int(line[1:-2])
        if t == b"-":
            raise RuntimeError(line)
        return line[1:-2]

    def cmd(self, *args):
        b = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            b += b"$%d\r\n%s\r\n" % (len(a), a)
        self.s.sendall(b)
        return self.read()


def populate(c, big):
    """Every type and encoding; `big` adds the large containers."""
    c.cmd("config", "set", "list-compress-depth", "1")
    c.cmd("config", "set", "list-max-listpack-size", "16")
    c.cmd("select", 0)
    c.cmd("set", "s:int", "12345")
    c.cmd("set", "s:neg", "-7")
    c.cmd("set", "s:i64", "9223372036854775807")
    c.cmd("set", "s:emb", "hello world")
    c.cmd("set", "s:raw", "r" * 45 + "xyz")
    c.cmd("set", "s:lzf", "abc" * 200)
    c.cmd("set", "s:bin", b"\x00\x01\xff\xfe")
    c.cmd("set", "s:empty", "")
    c.cmd("append", "s:appended", "grown")
    c.cmd("append", "s:appended", "more")
    c.cmd("rpush", "l:small", "a", "1", "-300", "b" * 70)
    c.cmd("hset", "h:lp", "f1", "v1", "f2", "22")
    c.cmd("hset", "h:bigval", "f", "v" * 100)
    c.cmd("sadd", "set:int", "1", "-5", "70000", "9000000000")
    c.cmd("sadd", "set:str", "a", "b", "3")
    c.cmd("zadd", "z:lp", "1", "a", "2.5", "b", "-inf", "c", "inf", "d", "0.1", "e")
    c.cmd("zadd", "z:bigmember", "1", "m" * 80)
    c.cmd("xadd", "x:plain", "1-1", "f", "v")
    c.cmd("xadd", "x:plain", "1-2", "f", "w", "g", "z")
    c.cmd("xadd", "x:empty", "5-5", "f", "v")
    c.cmd("xdel", "x:empty", "5-5")
    c.cmd("pexpireat", "s:emb", 4102444800000)
    c.cmd("pexpireat", "l:small", 4102444800123)
    n = 3000 if big else 200
    for i in range(n):
        c.cmd("rpush", "l:big", "item-%d-%s" % (i, "p" * (i % 40)))
        c.cmd("lpush", "l:headpushed", i)
    m = 300 if big else 140
    for i in range(m):
        c.cmd("hset", "h:table", "field%d" % i, i)
        c.cmd("sadd", "set:table", "m%d" % i)
        c.cmd("zadd", "z:skip", "%d.25" % i, "field%d" % i)
    for i in range(600):
        c.cmd("sadd", "set:intbig", i)
    for i in range(1, 251):
        f = "other" if i % 3 == 0 else "f"
        c.cmd("xadd", "x:groups", "%d-%d" % (1000 + i // 7, i % 7), f, i, "g", "v")
    c.cmd("xdel", "x:groups", "1001-0", "1002-3")
    c.cmd("xgroup", "create", "x:groups", "g1", "0")
    c.cmd("xgroup", "create", "x:groups", "g2", "$")
    c.cmd("xgroup", "createconsumer", "x:groups", "g2", "idle")
    c.cmd("xreadgroup", "group", "g1", "alice", "count", 5, "streams", "x:groups", ">")
    c.cmd("xreadgroup", "group", "g1", "bob", "count", 3, "streams", "x:groups", ">")
    c.cmd("xack", "x:groups", "g1", "1000-2")
    c.cmd("pexpireat", "x:groups", 4102444800999)
    c.cmd("select", 3)
    c.cmd("set", "s:emb", "same key, other db")
    c.cmd("pexpireat", "s:emb", 4102444801000)
    c.cmd("hset", "h:lp", "a", "b")
    c.cmd("select", 15)
    c.cmd("set", "last", "db")


def expected(c):
    lines = []
    for db in range(16):
        c.cmd("select", db)
        cursor = b"0"
        keys = []
        while True:
            cursor, batch = c.cmd("scan", cursor, "count", 1000)
            keys.extend(batch)
            if cursor == b"0":
                break
        for k in sorted(keys):
            at = c.cmd("pexpiretime", k)
            payload = c.cmd("dump", k)
            lines.append("%d\t%s\t%d\t%s" % (db, k.hex(), at, payload.hex()))
    return "\n".join(lines) + "\n"


FIXTURES = [
    # name, extra server arguments, big containers
    ("all_types", [], True),
    ("nocompress_nochecksum", ["--rdbcompression", "no", "--rdbchecksum", "no"], False),
    ("lru", ["--maxmemory-policy", "allkeys-lru"], False),
    ("lfu", ["--maxmemory-policy", "allkeys-lfu"], False),
]

for name, extra, big in FIXTURES:
    scratch = tempfile.mkdtemp(prefix="rdbfix-")
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", scratch, "--dbfilename", "dump.rdb"] + extra,
        stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                c = Conn(port)
                break
            except OSError:
                time.sleep(0.05)
        populate(c, big)
        assert c.cmd("save") == b"OK"
        shutil.copy(os.path.join(scratch, "dump.rdb"),
                    os.path.join(outdir, "rdb_redis7_%s.rdb" % name))
        with open(os.path.join(outdir, "rdb_redis7_%s.expected" % name), "w") as out:
            out.write(expected(c))
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(scratch)
