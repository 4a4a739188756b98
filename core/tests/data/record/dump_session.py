#!/usr/bin/env python3
"""Record DUMP/RESTORE cases from a real redis-server 7.0 (port argv[1]).

Pass 1 builds values of every type and encoding and DUMPs them; pass 2
prints a command list (stdout) that rebuilds them, DUMPs the ones whose
bytes Redis chooses deterministically, RESTOREs every payload under a new
name and reads it back (DEBUG DIGEST-VALUE, OBJECT ENCODING, contents), then
RESTORE error cases: corrupt bodies with valid checksums (built with the
CRC-64 below), bad footers, bad options. Feed the list to transcript.py
with the server started with --enable-debug-command yes, then its output
through `dump_session.py --canon`.
"""
import ast, socket, sys, random

if len(sys.argv) > 1 and sys.argv[1] == "--canon":
    # Re-escape transcript.py's replies the way the Rust harness does:
    # Python writes \' for a quote when a reply holds both quote kinds.
    def esc(b):
        m = {13: "\\r", 10: "\\n", 9: "\\t", 92: "\\\\"}
        return "".join(m[c] if c in m else chr(c) if 32 <= c < 127 else "\\x%02x" % c for c in b)
    for line in sys.stdin:
        cmd, _, rep = line.rstrip("\n").partition(" => ")
        q = "'" if "'" not in rep.replace("\\'", "") else '"'
        print(cmd, "=>", esc(ast.literal_eval("b" + q + rep + q)))
    sys.exit(0)

port = int(sys.argv[1]) if len(sys.argv) > 1 else 7317
s = socket.create_connection(("127.0.0.1", port))
f = s.makefile("rb")

def read():
    line = f.readline()
    t = line[:1]
    if t == b"$":
        n = int(line[1:-2])
        return None if n < 0 else f.read(n + 2)[:-2]
    if t == b"*":
        return [read() for _ in range(max(int(line[1:-2]), 0))]
    return line[:-2]

def cmd(*args):
    b = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        b += b"$%d\r\n%s\r\n" % (len(a), a)
    s.sendall(b)
    return read()

def crc64(data):
    poly = 0x95AC9329AC4BC9B5  # reflected Jones polynomial
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
    return crc

assert crc64(b"123456789") == 0xE9C6D914C4B8D9CA

def seal(body):
    body += b"\x0a\x00"
    return body + crc64(body).to_bytes(8, "little")

def q(b):
    return '"' + "".join(chr(c) if c < 128 and chr(c).isalnum() else "\\x%02x" % c for c in b) + '"'

rng = random.Random(1)
def word(n):
    return "".join(rng.choice("abcdefgh") for _ in range(n))

# (build commands, key, deterministic DUMP?, read-back command or None)
builds = []
def add(key, cmds, det, read=None):
    builds.append((key, cmds, det, read))

add("s:short", [["set", "s:short", "hello"]], True, "get")
add("s:int", [["set", "s:int", "12345"]], True, "get")
add("s:neg", [["set", "s:neg", "-7"]], True, "get")
add("s:big", [["set", "s:big", "9223372036854775807"]], True, "get")
add("s:i32", [["set", "s:i32", "2147483648"]], True, "get")
add("s:lead0", [["set", "s:lead0", "007"]], True, "get")
add("s:empty", [["set", "s:empty", ""]], True, "get")
add("s:lzf", [["set", "s:lzf", "a" * 40]], True, "get")
add("s:lzf2", [["set", "s:lzf2", "hello world " * 100]], True, "strlen")
add("s:rand", [["set", "s:rand", word(300)]], True, "get")
add("s:bin", [["set", "s:bin", bytes(range(256))]], True, "get")
add("s:app", [["set", "s:app", "12"], ["append", "s:app", "3"]], True, "get")
add("s:float", [["set", "s:float", "1"], ["incrbyfloat", "s:float", "1.5"]], True, "get")
add("l:small", [["rpush", "l:small", "a", "b", "1", "-5", "300", "70000", "-70000", "2147483648", "9223372036854775807", "-9223372036854775808", "x" * 70, "y" * 5000]], True, "lrange")
add("l:ints", [["rpush", "l:ints"] + [str(rng.randint(-10**12, 10**12)) for _ in range(50)]], True, "lrange")
add("l:nodes", [["rpush", "l:nodes"] + [word(rng.randint(1, 120)) for _ in range(400)]], True, "llen")
add("l:nodes2", [["rpush", "l:nodes2"] + [word(rng.randint(200, 900)) for _ in range(60)]], True, "llen")
add("l:lpush", [["lpush", "l:lpush", "a", "b", "c"]], True, "lrange")
add("h:small", [["hset", "h:small", "f", "v", "n", "12", "neg", "-300", "big", "y" * 64]], True, "hgetall")
add("h:upd", [["hset", "h:upd", "a", "1", "b", "2", "c", "3"], ["hset", "h:upd", "b", "two"], ["hdel", "h:upd", "a"]], True, "hgetall")
add("h:big", [["hset", "h:big"] + [x for i in range(600) for x in ("f%d" % i, word(5))]], False, "hlen")
add("h:long", [["hset", "h:long", "a", "1", "long", "z" * 65]], False, "hlen")
add("set:ints", [["sadd", "set:ints", "1", "2", "300", "-5"]], True, "smembers")
add("set:i32", [["sadd", "set:i32", "1", "70000", "-3"]], True, "smembers")
add("set:i64", [["sadd", "set:i64", "5", "9223372036854775807", "-9223372036854775808"]], True, "smembers")
add("set:strs", [["sadd", "set:strs", "a", "b", "c", "1"]], False, "scard")
items = ["element-%d-%s" % (i, word(rng.randint(5, 40))) for i in range(60)]
add("l:cmp", [["config", "set", "list-compress-depth", "1"], ["config", "set", "list-max-listpack-size", "4"], ["rpush", "l:cmp"] + items], True, "lrange")
add("l:cmp2", [["config", "set", "list-compress-depth", "2"], ["config", "set", "list-max-listpack-size", "-1"], ["rpush", "l:cmp2"] + items * 10], True, "llen")
add("l:fill", [["config", "set", "list-compress-depth", "0"], ["config", "set", "list-max-listpack-size", "3"], ["rpush", "l:fill"] + items[:10]], True, "lrange")
add("l:fill5", [["config", "set", "list-max-listpack-size", "-5"], ["rpush", "l:fill5"] + items * 20], True, "llen")
add("l:nocomp", [["config", "set", "list-max-listpack-size", "-2"], ["config", "set", "rdbcompression", "no"], ["rpush", "l:nocomp"] + items], True, "lrange")
add("s:nocomp", [["set", "s:nocomp", "a" * 100]], True, "get")
add("set:many", [["config", "set", "rdbcompression", "yes"], ["sadd", "set:many"] + [str(i * 7) for i in range(600)]], False, "scard")

add("z:small", [["zadd", "z:small", "1", "a", "2.5", "b", "-3", "c", "inf", "d", "-inf", "e", "0.1", "f", "1e17", "g", "123456789", "h", "-0", "i", "70000", "j", "4e18", "k", "5e18", "l", "-4.5e15", "m", "1e19", "n"]], True, "zrange")
add("z:skip", [["zadd", "z:skip"] + [x for i in range(200) for x in (str(rng.choice([i, i / 7, -i * 1000003])), "m%d" % i)]], True, "zcard")
add("z:long", [["zadd", "z:long", "1", "a", "-0", "negzero", "2", "x" * 70]], True, "zrange")
add("z:ints", [["zadd", "z:ints"] + [x for i in range(20) for x in (str(i), str(i * 1000))]], True, "zrange")

add("x:plain", [["xadd", "x:plain", "1-1", "f", "v", "n", "12"], ["xadd", "x:plain", "1-2", "f", "w", "n", "-7"], ["xadd", "x:plain", "5-0", "other", "x"], ["xadd", "x:plain", "6-0", "f", "v"]], True, "xrange")
add("x:del", [["xadd", "x:del", "MAXLEN", "1000", "1-1", "a", "1"]] + [["xadd", "x:del", "%d-%d" % (2 + i, i), "a", str(i), "b", word(3)] for i in range(250)] + [["xdel", "x:del", "3-1", "10-8", "1-1"], ["xtrim", "x:del", "MAXLEN", "200"]], True, "xlen")
add("x:empty", [["xadd", "x:empty", "7-7", "a", "b"], ["xdel", "x:empty", "7-7"]], True, "xlen")
add("x:setid", [["xadd", "x:setid", "1-1", "a", "b"], ["xsetid", "x:setid", "100-5", "ENTRIESADDED", "10", "MAXDELETEDID", "50-0"]], True, "xrange")
add("x:groups", [["xadd", "x:groups", "1-1", "a", "1"], ["xadd", "x:groups", "2-1", "a", "2"], ["xadd", "x:groups", "3-1", "b", "3"], ["xgroup", "create", "x:groups", "g1", "0"], ["xgroup", "create", "x:groups", "g2", "$"], ["xreadgroup", "group", "g1", "alice", "count", "2", "streams", "x:groups", ">"], ["xreadgroup", "group", "g1", "bob", "streams", "x:groups", ">"], ["xgroup", "createconsumer", "x:groups", "g2", "carol"], ["xack", "x:groups", "g1", "2-1"]], False, "xinfo")

def readback(key, kind):
    return {
        "get": ["get", key], "strlen": ["strlen", key], "lrange": ["lrange", key, "0", "-1"],
        "llen": ["llen", key], "hgetall": ["hgetall", key], "hlen": ["hlen", key],
        "smembers": ["smembers", key], "scard": ["scard", key],
        "zrange": ["zrange", key, "0", "-1", "withscores"], "zcard": ["zcard", key],
        "xrange": ["xrange", key, "-", "+"], "xlen": ["xlen", key],
        "xinfo": ["xinfo", "stream", key],
    }[kind]

out = []
def emit(args):
    out.append(" ".join(q(a if isinstance(a, bytes) else str(a).encode()) if (not isinstance(a, str) or not a.replace("-", "").replace(":", "").isalnum()) else a for a in args))

cmd("flushall")
payloads = {}
for key, cmds, det, rd in builds:
    for c in cmds:
        cmd(*c)
    payloads[key] = cmd("dump", key)

emit(["flushall"])
for key, cmds, det, rd in builds:
    for c in cmds:
        emit(c)
    emit(["object", "encoding", key])
    if det:
        emit(["dump", key])
    copy = key + ":copy"
    emit(["restore", copy, "0", payloads[key]])
    emit(["object", "encoding", copy])
    emit(["debug", "digest-value", key, copy])
    if rd:
        emit(readback(copy, rd))

# The restored consumer groups: PELs and counters (no clock-dependent fields).
emit(["xinfo", "groups", "x:groups:copy"])
emit(["xpending", "x:groups:copy", "g1"])
emit(["xpending", "x:groups:copy", "g2"])

# Options and footers.
p = payloads["s:short"]
emit(["restore", "s:short", "0", p])
emit(["restore", "s:short", "0", p, "replace"])
emit(["restore", "s:short", "abc", p])
emit(["restore", "o1", "abc", p])
emit(["restore", "o1", "-1", p])
emit(["restore", "o1", "0", p, "idletime", "-1"])
emit(["restore", "o1", "0", p, "freq", "256"])
emit(["restore", "o1", "0", p, "freq", "1", "idletime", "1"])
emit(["restore", "o1", "0", p, "idletime", "1", "freq", "1"])
emit(["restore", "o1", "0", p, "idletime"])
emit(["restore", "o1", "0", p, "bogus"])
emit(["restore", "o1", "0", p[:-1] + bytes([p[-1] ^ 1])])
emit(["restore", "o1", "0", p[:-10] + b"\x0b\x00" + p[-8:]])
emit(["restore", "o1", "0", b"short"])
emit(["restore", "o1", "0", b""])
emit(["restore", "o1", "0", p, "idletime", "100", "replace"])
emit(["object", "idletime", "o1"])
emit(["restore", "o2", "1", p, "absttl"])
emit(["exists", "o2"])
emit(["restore", "s:short", "1", p, "absttl", "replace"])
emit(["exists", "s:short"])
emit(["restore", "o3", "100000", p])
emit(["ttl", "o3"])
emit(["restore", "o4", "99999999999999", p, "absttl"])
emit(["exists", "o4"])
# Older encodings a 7.0 server still reads.
def ziplist(entries):
    body = b""
    prev = 0
    last = 10
    for e in entries:
        start = 10 + len(body)
        pl = bytes([prev]) if prev < 254 else b"\xfe" + prev.to_bytes(4, "little")
        if isinstance(e, int):
            if 0 <= e <= 12:
                enc = bytes([0xF1 + e])
            elif -128 <= e <= 127:
                enc = b"\xfe" + (e & 0xff).to_bytes(1, "little")
            else:
                enc = b"\xe0" + (e & (2**64 - 1)).to_bytes(8, "little")
        else:
            enc = bytes([len(e)]) + e
        ent = pl + enc
        body += ent
        prev = len(ent)
        last = start
    total = 10 + len(body) + 1
    return total.to_bytes(4, "little") + last.to_bytes(4, "little") + len(entries).to_bytes(2, "little") + body + b"\xff"

def rstr(b):
    assert len(b) < 64
    return bytes([len(b)]) + b

def listpack(items):
    body = b""
    for it in items:
        if isinstance(it, int):
            assert 0 <= it <= 127
            e = bytes([it])
        else:
            assert len(it) < 64
            e = bytes([0x80 | len(it)]) + it
        body += e + bytes([len(e)])
    total = 6 + len(body) + 1
    return total.to_bytes(4, "little") + len(items).to_bytes(2, "little") + body + b"\xff"

def sid(ms, seq):
    return ms.to_bytes(8, "big") + seq.to_bytes(8, "big")

v1_stream = (b"\x0f\x01" + rstr(sid(1, 1)) + rstr(listpack([2, 0, 1, b"a", 0, 2, 0, 0, 1, 4, 2, 0, 1, 2, 4]))
             + b"\x02" + b"\x01\x02"  # length, last id 1-2
             + b"\x01" + rstr(b"g") + b"\x01\x01"  # one group, last id 1-1
             + b"\x01" + sid(1, 1) + (5).to_bytes(8, "little") + b"\x01"  # PEL
             + b"\x01" + rstr(b"c") + (5).to_bytes(8, "little") + b"\x01" + sid(1, 1))

legacy = [
    ("old:stream", v1_stream, "xrange"),
    ("old:list", b"\x01\x03" + rstr(b"a") + rstr(b"bb") + rstr(b"12"), "lrange"),
    ("old:zl", b"\x0a" + rstr(ziplist([b"a", 5, -100, 123456789012, b"zz"])), "lrange"),
    ("old:ql", b"\x0e\x02" + rstr(ziplist([b"a", 1])) + rstr(ziplist([b"b", 2])), "lrange"),
    ("old:hzl", b"\x0d" + rstr(ziplist([b"f", b"v", b"n", 7])), "hgetall"),
    ("old:hash", b"\x04\x02" + rstr(b"f") + rstr(b"v") + rstr(b"g") + rstr(b"w"), "hgetall"),
    ("old:set", b"\x02\x03" + rstr(b"3") + rstr(b"1") + rstr(b"2"), "smembers"),
    ("old:zset", b"\x03\x03" + rstr(b"a") + b"\x031.5" + rstr(b"b") + b"\xfe" + rstr(b"c") + b"\xff", "zrange"),
    ("old:zzl", b"\x0c" + rstr(ziplist([b"a", 1, b"b", b"2.5", b"c", 123456789012])), "zrange"),
    ("old:plain", b"\x12\x02\x01" + rstr(b"plain") + b"\x02" + rstr(bytes.fromhex("0d000000010081610200") [:0] or b"\x0a\x00\x00\x00\x01\x00\x81a\x02\xff"), "lrange"),
]
for key, body, rd in legacy:
    emit(["restore", key, "0", seal(body)])
    emit(["object", "encoding", key])
    emit(readback(key, rd))
    emit(["debug", "digest-value", key])
emit(["xinfo", "groups", "old:stream"])
emit(["xpending", "old:stream", "g"])
emit(["xinfo", "stream", "old:stream"])

# Corrupt bodies with valid checksums (deep sanitization, as keyrs always
# validates fully).
emit(["config", "set", "sanitize-dump-payload", "yes"])
bad = [
    b"\x02\x00", b"\x01\x00", b"\x0e\x00", b"\x12\x00", b"\x04\x00",
    b"\x02\x02" + rstr(b"a") + rstr(b"a"),
    b"\x04\x02" + rstr(b"a") + rstr(b"1") + rstr(b"a") + rstr(b"2"),
    b"\x0b" + rstr(b"\x02\x00\x00\x00\x02\x00\x00\x00\x02\x00\x01\x00"),
    b"\x0b" + rstr(b"\x02\x00\x00\x00\x02\x00\x00\x00\x01\x00\x01\x00"),
    b"\x0b" + rstr(b"\x03\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00"),
    b"\x12\x01\x02" + rstr(b"\x07\x00\x00\x00\x00\x00\xff"),
    b"\x12\x01\x03" + rstr(b"a"),
    b"\x12\x01\x02" + rstr(b"\x0a\x00\x00\x00\x01\x00\x81a\x03\xff"),
    b"\x12\x01\x02" + rstr(b"\x0a\x00\x00\x00\x02\x00\x81a\x02\xff"),
    b"\x10" + rstr(b"\x0a\x00\x00\x00\x01\x00\x81a\x02\xff"),
    b"\x10" + rstr(b"\x0e\x00\x00\x00\x02\x00\x81a\x02\x81a\x02\xff"[:0] + b"\x12\x00\x00\x00\x04\x00\x81a\x02\x011\x01\x81a\x02\x012\x01\xff"[:0] + b"\x10\x00\x00\x00\x04\x00\x81a\x02\x01\x01\x81a\x02\x02\x01\xff"),
    b"\x00\xc3\x05\x64" + b"\x01aa\xe0\x1b",
    b"\x00\xc4",
    b"\x00\x3f" + b"abc",
    b"\x63\x01a",
    b"\x05\x01" + rstr(b"a") + b"\x00\x00\x00\x00\x00\x00\xf8\x7f",
    b"\x05\x02" + rstr(b"a") + b"\x00" * 8 + rstr(b"a") + b"\x00" * 8,
    b"\x11" + rstr(b"\x0e\x00\x00\x00\x02\x00\x81a\x02\x83abc\x04\xff"),
    b"\x11" + rstr(b"\x0a\x00\x00\x00\x01\x00\x81a\x02\xff"),
    b"\x05\x00",
    b"\x09" + rstr(b"\x02"),
    b"\x00\x80\xff\xff\xff\xff",
]
for i, body in enumerate(bad):
    emit(["restore", "bad%d" % i, "0", seal(body)])
    emit(["exists", "bad%d" % i])
emit(["config", "set", "sanitize-dump-payload", "no"])
emit(["dump", "nosuchkey"])
emit(["set", "ttlkey", "v", "px", "5000"])
emit(["dump", "ttlkey"])

print("\n".join(out))
