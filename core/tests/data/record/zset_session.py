#!/usr/bin/env python3
"""Record a random sorted-set session from a redis-server 7.0:
python3 zset_session.py PORT SEED COUNT OUT.txt [resp3] [sets]

Lex commands only target `lx`, whose scores stay 0 (Redis leaves lex ranges
over mixed scores unspecified); ZRANDMEMBER only where its answer is
deterministic; ZSCAN only on listpack-encoded keys (a hashtable's scan order
depends on the server's hash seed). With `sets`, plain sets join the inputs
of ZUNION & co.; with `small`, sets turn `skiplist` past 3 members."""
import random, socket, sys
port = int(sys.argv[1]); seed = int(sys.argv[2]); n = int(sys.argv[3]); out = sys.argv[4]
resp3 = "resp3" in sys.argv[5:]; with_sets = "sets" in sys.argv[5:]; small = "small" in sys.argv[5:]
random.seed(seed)
s = socket.create_connection(("127.0.0.1", port)); f = s.makefile("rb")
def read():
    line = f.readline(); t = line[:1]; o = line
    if t in (b"$", b"=", b"!"):
        k = int(line[1:-2])
        if k >= 0: o += f.read(k + 2)
    elif t in (b"*", b"%", b"~", b">"):
        k = int(line[1:-2]) * (2 if t == b"%" else 1)
        for _ in range(max(k, 0)): o += read()
    return o
def cmd(args):
    b = b"*%d\r\n" % len(args)
    for a in args: b += b"$%d\r\n%s\r\n" % (len(a), a)
    s.sendall(b); return read()
def esc_reply(b):
    o = ""
    for c in b:
        if c == 13: o += "\\r"
        elif c == 10: o += "\\n"
        elif c == 9: o += "\\t"
        elif c == 92: o += "\\\\"
        elif 0x20 <= c <= 0x7e: o += chr(c)
        else: o += "\\x%02x" % c
    return o
def esc_arg(a):
    if a and all(48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122 or c in b"-+.:_" for c in a): return a.decode()
    return '"' + "".join(chr(c) if (48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122) else "\\x%02x" % c for c in a) + '"'
lines = []
def run(args):
    r = cmd(args)
    lines.append("%s => %s" % (" ".join(esc_arg(a) for a in args), esc_reply(r)))
    return r
cmd([b"flushall"]); cmd([b"config", b"set", b"zset-max-listpack-entries", b"128"]); cmd([b"config", b"set", b"zset-max-listpack-value", b"64"])
if resp3:
    cmd([b"hello", b"3"]); lines.append("@resp3 => ok")
if small:
    run([b"config", b"set", b"zset-max-listpack-entries", b"3"])
zkeys = [b"z1", b"z2", b"z3"]
allkeys = zkeys + [b"lx", b"str", b"nokey"] + ([b"st"] if with_sets else [])
run([b"set", b"str", b"v"])
def score():
    k = random.randrange(14)
    if k < 6: return str(random.randint(-5, 5)).encode()
    if k < 8: return ("%.*f" % (random.randrange(1, 4), random.uniform(-10, 10))).encode()
    return random.choice([b"inf", b"-inf", b"+inf", b"-0", b"1e3", b"0x10", b"abc", b"nan", b"", b" 1", b"1.5e300", b"0.1", b"3", b"-2.5"])
def member():
    k = random.randrange(20)
    if k == 0: return b"m" * random.choice([64, 65, 70])
    if k == 1: return bytes(random.randrange(256) for _ in range(random.randrange(1, 4)))
    if k == 2: return b""
    return bytes(random.choice(b"abcdefg") for _ in range(random.randrange(1, 3)))
def lexbound():
    k = random.randrange(10)
    if k == 0: return random.choice([b"-", b"+"])
    if k == 1: return random.choice([b"a", b"", b"+x", b"-a"])
    return random.choice([b"[", b"("]) + bytes(random.choice(b"abcdefg") for _ in range(random.randrange(0, 3)))
def scorebound():
    k = random.randrange(10)
    b = random.choice([b"-inf", b"+inf", b"inf", b"0", b"1", b"-1", b"2.5", b"5", b"-5", b"3", b"abc", b"", b"nan", b"1e400"])
    if k < 3: return b"(" + b
    return b
def idx():
    return random.choice([b"0", b"1", b"-1", b"2", b"-2", b"5", b"-100", b"100", b"abc", b"3", b"9223372036854775807", b"-9223372036854775808", str(random.randint(-6, 6)).encode()])
def limit():
    if random.random() < 0.25:
        return [b"limit", random.choice([b"0", b"1", b"2", b"-1", b"abc"]), random.choice([b"0", b"1", b"2", b"-1", b"3", b"100"])]
    return []
def k(): return random.choice(allkeys)
def zk(): return random.choice(zkeys + [b"nokey", b"str"] if random.random() < 0.15 else zkeys)
def numkeys_keys():
    ks = [random.choice(zkeys + [b"lx", b"nokey"] + ([b"st"] if with_sets else [])) for _ in range(random.randint(1, 3))]
    if random.random() < 0.05: ks.append(b"str")
    nk = str(len(ks)).encode()
    r = random.random()
    if r < 0.04: nk = random.choice([b"0", b"-1", b"abc", b"9"])
    return [nk] + ks, len(ks)
def setop_opts(nkeys, allow_weights, allow_ws):
    a = []
    for _ in range(random.choice([0, 0, 1, 2])):
        c = random.randrange(4)
        if c == 0 and allow_weights:
            a += [b"weights"] + [random.choice([b"1", b"2", b"-1", b"0", b"0.5", b"inf", b"abc"]) for _ in range(nkeys if random.random() < 0.9 else nkeys + 1)]
        elif c == 1 and allow_weights:
            a += [b"aggregate", random.choice([b"sum", b"min", b"max", b"MAX", b"foo"])]
        elif c == 2 and allow_ws:
            a += [b"withscores"]
        elif c == 3 and random.random() < 0.2:
            a += [random.choice([b"foo", b"weights", b"aggregate"])]
    return a
def gen():
    c = random.randrange(46)
    if c < 8:
        a = [b"zadd", zk()]
        for _ in range(random.choice([0, 0, 0, 1, 1, 2])):
            a.append(random.choice([b"nx", b"xx", b"gt", b"lt", b"ch", b"incr", b"CH"]))
        for _ in range(random.choice([1, 1, 2, 3])):
            a += [score(), member()]
        if random.random() < 0.03: a.pop()
        return a
    if c < 10:
        return [b"zadd", b"lx"] + sum(([b"0", member()] for _ in range(random.randint(1, 3))), [])
    if c == 10: return [b"zincrby", zk(), score(), member()]
    if c == 11: return [b"zrem", k()] + [member() for _ in range(random.randint(1, 3))]
    if c == 12: return [b"zcard", k()]
    if c == 13: return [b"zscore", k(), member()]
    if c == 14: return [b"zmscore", k()] + [member() for _ in range(random.randint(1, 3))]
    if c == 15: return [random.choice([b"zrank", b"zrevrank"]), k(), member()]
    if c == 16: return [b"zcount", k(), scorebound(), scorebound()]
    if c == 17: return [b"zlexcount", random.choice([b"lx", b"lx", b"nolex", b"str"]), lexbound(), lexbound()]
    if c < 22:
        key = zk()
        by = random.choice([b"", b"", b"byscore", b"bylex"])
        if by == b"bylex":
            key = random.choice([b"lx", b"lx", b"nolex", b"str"]); lo, hi = lexbound(), lexbound()
        elif by == b"byscore": lo, hi = scorebound(), scorebound()
        else: lo, hi = idx(), idx()
        store = random.random() < 0.2
        a = [b"zrangestore", random.choice(zkeys + [b"dst"]), key, lo, hi] if store else [b"zrange", key, lo, hi]
        opts = []
        if by: opts.append(by)
        if random.random() < 0.3: opts.append(b"rev")
        opts += limit()
        if random.random() < 0.4: opts.append(b"withscores")
        if random.random() < 0.05: opts.append(random.choice([b"foo", b"byscore", b"rev"]))
        random.shuffle(opts)
        return a + opts
    if c == 22:
        a = [b"zrevrange", zk(), idx(), idx()]
        if random.random() < 0.5: a.append(b"withscores")
        return a
    if c < 25:
        a = [random.choice([b"zrangebyscore", b"zrevrangebyscore"]), zk(), scorebound(), scorebound()]
        opts = limit() and [limit()] or []
        if random.random() < 0.4: opts.append([b"withscores"])
        random.shuffle(opts)
        return a + sum(opts, [])
    if c == 25:
        a = [random.choice([b"zrangebylex", b"zrevrangebylex"]), random.choice([b"lx", b"lx", b"nolex", b"str"]), lexbound(), lexbound()]
        return a + limit()
    if c == 26: return [b"zremrangebyrank", zk(), idx(), idx()]
    if c == 27: return [b"zremrangebyscore", zk(), scorebound(), scorebound()]
    if c == 28: return [b"zremrangebylex", random.choice([b"lx", b"nolex", b"str"]), lexbound(), lexbound()]
    if c < 31:
        a = [random.choice([b"zpopmin", b"zpopmax"]), random.choice(zkeys + [b"lx", b"nokey", b"str"])]
        if random.random() < 0.6: a.append(random.choice([b"0", b"1", b"2", b"5", b"-1", b"abc"]))
        if random.random() < 0.03: a.append(b"1")
        return a
    if c == 31:
        nk, n = numkeys_keys()
        a = [b"zmpop"] + nk + [random.choice([b"min", b"max", b"MIN", b"foo"])]
        if random.random() < 0.5: a += [b"count", random.choice([b"1", b"2", b"10", b"0", b"-1", b"abc"])]
        return a
    if c == 32:
        key = random.choice(zkeys + [b"nokey", b"str"])
        r = random.randrange(6)
        if r == 0: return [b"zrandmember", b"nolex"] + random.choice([[], [b"3"], [b"-3", b"withscores"]])
        if r == 1: return [b"zrandmember", key, b"0"]
        if r == 2: return [b"zrandmember", key, b"1000"] + ([b"withscores"] if random.random() < 0.5 else [])
        if r == 3: return [b"zrandmember", key, random.choice([b"abc", b"-9223372036854775808", b"9223372036854775807"]), b"withscores"]
        if r == 4: return [b"zrandmember", key, b"1", b"foo"]
        return [b"zrandmember", b"str"]
    if c < 36:
        op = random.choice([b"zunion", b"zinter", b"zdiff"])
        nk, n = numkeys_keys()
        return [op] + nk + setop_opts(n, op != b"zdiff", True)
    if c < 39:
        op = random.choice([b"zunionstore", b"zinterstore", b"zdiffstore"])
        nk, n = numkeys_keys()
        return [op, random.choice(zkeys + [b"dst", b"dst"])] + nk + setop_opts(n, op != b"zdiffstore", False)
    if c == 39:
        nk, n = numkeys_keys()
        a = [b"zintercard"] + nk
        if random.random() < 0.5: a += [b"limit", random.choice([b"0", b"1", b"2", b"-1", b"abc"])]
        return a
    if c == 40:
        key = random.choice(zkeys + [b"lx", b"nokey", b"str"])
        if cmd([b"type", key]) == b"+zset\r\n" and cmd([b"object", b"encoding", key]) != b"$8\r\nlistpack\r\n":
            return [b"zcard", key]
        a = [b"zscan", key, random.choice([b"0", b"0", b"abc", b"-1", b"5"])]
        if random.random() < 0.3: a += [b"match", random.choice([b"a*", b"*", b"?", b"[a-c]*"])]
        if random.random() < 0.2: a += [b"count", random.choice([b"0", b"1", b"abc", b"100"])]
        if random.random() < 0.05: a += [b"type", b"zset"]
        return a
    if c == 41 and not resp3: return [b"object", b"encoding", random.choice(zkeys + [b"lx", b"dst"])]
    if c == 42 and random.random() < 0.3:
        return [b"config", b"set", random.choice([b"zset-max-listpack-entries", b"zset-max-ziplist-entries"]), random.choice([b"0", b"1", b"3", b"128", b"5"])]
    if c == 43 and random.random() < 0.2:
        return [b"config", b"set", b"zset-max-listpack-value", random.choice([b"0", b"2", b"64"])]
    if c == 44 and with_sets: return [b"sadd", b"st", member()]
    if c == 45 and random.random() < 0.1: return [b"del", random.choice(zkeys + [b"lx", b"dst"])]
    return [b"zcard", zk()]
for _ in range(n):
    run(gen())
cmd([b"config", b"set", b"zset-max-listpack-entries", b"128"]); cmd([b"config", b"set", b"zset-max-listpack-value", b"64"])
open(out, "w").write("\n".join(lines) + "\n")
