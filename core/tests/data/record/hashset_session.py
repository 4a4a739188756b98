#!/usr/bin/env python3
"""Record a random hash/set session from a redis-server 7.0:
python3 hashset_session.py PORT SEED COUNT RESP(2|3) SMALL(0|1|2) OUT.txt
(SMALL: 1 = tiny encoding limits, 2 = tiny limits and mostly-integer members/huge increments)

Lines are `command => raw reply`. Where Redis's reply order depends on its
hash table layout (a hashtable-encoded key, or a result bigger than an
intset may hold) the line is prefixed with a canonicalisation mode, applied
identically by the replay: `@E` sort the elements, `@P` sort field/value
pairs, `@SE`/`@SP` the same for the item list of a SCAN reply, `@L` compare
only the reply's first line, `@T` only its type byte (random picks that do
not change the data).
Random commands that modify data (SPOP) are only generated in forms whose
outcome is determined (count >= size, size 1, missing keys, errors)."""
import random, socket, sys
port = int(sys.argv[1]); seed = int(sys.argv[2]); n = int(sys.argv[3])
resp = int(sys.argv[4]); small = int(sys.argv[5]); out = sys.argv[6]
random.seed(seed)

def conn():
    s = socket.create_connection(("127.0.0.1", port)); return s, s.makefile("rb")
S, F = conn()
S2, F2 = conn()

def read(f):
    line = f.readline(); t = line[:1]; o = line
    if t in (b"$", b"=", b"!"):
        k = int(line[1:-2])
        if k >= 0: o += f.read(k + 2)
    elif t in (b"*", b"~", b">", b"%", b"|"):
        k = int(line[1:-2]) * (2 if t in (b"%", b"|") else 1)
        for _ in range(max(k, 0)): o += read(f)
    return o

def cmd(args, side=False):
    s, f = (S2, F2) if side else (S, F)
    b = b"*%d\r\n" % len(args)
    for a in args: b += b"$%d\r\n%s\r\n" % (len(a), a)
    s.sendall(b); return read(f)

# --- RESP tree for canonicalisation: (header_line, [children]) ---
def parse(b, i=0):
    j = b.index(b"\r\n", i); head = b[i:j + 2]; t = b[i:i + 1]; i = j + 2
    if t in (b"$", b"=", b"!"):
        k = int(head[1:-2])
        if k >= 0: head += b[i:i + k + 2]; i += k + 2
        return (head, None), i
    if t in (b"*", b"~", b">", b"%", b"|"):
        k = int(head[1:-2]) * (2 if t in (b"%", b"|") else 1); kids = []
        for _ in range(max(k, 0)):
            c, i = parse(b, i); kids.append(c)
        return (head, kids), i
    return (head, None), i

def enc(node):
    head, kids = node
    return head + b"".join(enc(k) for k in kids or [])

def sort_elems(node):
    head, kids = node
    return (head, sorted(kids, key=enc)) if kids else node

def sort_pairs(node):
    head, kids = node
    if not kids: return node
    pairs = [kids[i:i + 2] for i in range(0, len(kids), 2)]
    pairs.sort(key=lambda p: b"".join(enc(x) for x in p))
    return (head, [x for p in pairs for x in p])

def canon(mode, raw):
    if mode == "T": return raw[:1]
    if raw[:1] not in (b"*", b"~", b"%"): return raw
    node, _ = parse(raw)
    if mode == "E": return enc(sort_elems(node))
    if mode == "P": return enc(sort_pairs(node))
    if mode in ("SE", "SP"):
        head, kids = node
        kids = [kids[0], (sort_elems if mode == "SE" else sort_pairs)(kids[1])]
        return enc((head, kids))
    if mode == "L": return raw[:raw.index(b"\r\n") + 2]
    if mode == "T": return raw[:1]
    return raw

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

HK = [b"h1", b"h2", b"h3"]; SK = [b"s1", b"s2", b"s3", b"s4"]; OTHER = [b"str", b"nokey"]
INTSET_MAX = 8 if small else 512

def hkey(): return random.choice(HK) if random.random() < 0.9 else random.choice(SK + OTHER)
def skey(): return random.choice(SK) if random.random() < 0.9 else random.choice(HK + OTHER)
def field():
    k = random.randrange(10)
    if k < 6: return b"f%d" % random.randrange(12)
    if k == 6: return b"long-field-" + b"x" * random.choice([5, 20, 70])
    if k == 7: return str(random.randint(-5, 5)).encode()
    if k == 8: return b""
    return bytes(random.choice(b"abc") for _ in range(random.randrange(1, 4)))
def value():
    k = random.randrange(10)
    if k < 3: return str(random.randint(-100, 100)).encode()
    if k == 3: return random.choice([b"9223372036854775807", b"-9223372036854775808", b"1.5", b"-0.25", b"1e3", b"abc", b"01", b" 1", b"inf", b""])
    if k == 4: return b"v" * random.choice([10, 16, 17, 65])
    return bytes(random.choice(b"vwxyz") for _ in range(random.randrange(1, 6)))
def member():
    if small == 2 and random.random() < 0.9: return str(random.randint(-3, 30)).encode()
    k = random.randrange(10)
    if k < 6: return str(random.randint(-3, 12)).encode()
    if k == 6: return random.choice([b"-0", b"01", b"9223372036854775807", b"-9223372036854775808", b"9223372036854775808", b" 1", b"1.0"])
    return random.choice([b"a", b"b", b"c", b"d", b"e", b"xyz", b""])
def incr():
    if small == 2 and random.random() < 0.3: return random.choice([b"9223372036854775800", b"-9223372036854775800", b"9223372036854775807"])
    return random.choice([b"1", b"-1", b"5", b"100", b"-100", b"0", b"abc", b"1.5", b"9223372036854775807", b"-9223372036854775808", b"99999999999999999999"])
def fincr():
    if small == 2 and random.random() < 0.2: return random.choice([b"1e4932", b"-1e4932", b"1.1e4932"])
    return random.choice([b"1", b"-1", b"0.1", b"-0.3", b"1.5", b"1e3", b"2.5e-3", b"abc", b"inf", b"-inf", b"nan", b"1e4932", b"0x10", b" 1", b"5"])
def count():
    return random.choice([b"0", b"1", b"2", b"5", b"100", b"-1", b"-3", b"abc", b"-9223372036854775808", b"9223372036854775807"])

def enc_of(k):
    r = cmd([b"object", b"encoding", k], side=True)
    return r.split(b"\r\n")[1] if r.startswith(b"$") and not r.startswith(b"$-1") else None
def size_of(k):
    t = cmd([b"type", k], side=True)
    if t == b"+hash\r\n": return int(cmd([b"hlen", k], side=True)[1:-2])
    if t == b"+set\r\n": return int(cmd([b"scard", k], side=True)[1:-2])
    return None

def gen():
    c = random.randrange(44)
    if c < 5:
        a = [b"hset", hkey()]
        for _ in range(random.randrange(1, 4)): a += [field(), value()]
        if random.random() < 0.05: a.pop()
        return a, None
    if c == 5: return [b"hsetnx", hkey(), field(), value()], None
    if c == 6: return [b"hget", hkey(), field()], None
    if c == 7: return [b"hmget", hkey()] + [field() for _ in range(random.randrange(1, 4))], None
    if c == 8:
        a = [b"hmset", hkey()]
        for _ in range(random.randrange(1, 3)): a += [field(), value()]
        if random.random() < 0.1: a.pop()
        return a, None
    if c in (9, 10): return [b"hdel", hkey()] + [field() for _ in range(random.randrange(1, 4))], None
    if c == 11: return [random.choice([b"hlen", b"hstrlen", b"hexists"]), hkey()] + ([] if random.random() < 0.3 else [field()]), None
    if c in (12, 13):
        k = hkey(); op = random.choice([b"hkeys", b"hvals", b"hgetall"])
        return [op, k], ("hash", k, "P" if op == b"hgetall" else "E")
    if c == 14: return [b"hincrby", hkey(), field(), incr()], None
    if c == 15: return [b"hincrbyfloat", hkey(), field(), fincr()], None
    if c == 16:
        k = hkey(); a = [b"hrandfield", k]
        if random.random() < 0.8: a.append(count())
        if random.random() < 0.4: a.append(random.choice([b"withvalues", b"WITHVALUES", b"bogus"]))
        return a, ("rand", k, None)
    if c == 17:
        k = hkey(); a = [b"hscan", k, random.choice([b"0", b"0", b"0", b"x", b"-1", b"1"])]
        for _ in range(random.choice([0, 0, 1, 2])):
            a += random.choice([[b"match", random.choice([b"f*", b"*", b"f1?", b"[a-c]*", b"long*"])], [b"count", random.choice([b"1", b"5", b"0", b"x", b"100"])], [b"novalues"], [b"type", b"hash"]])
        return a, ("scan", k, "SP")
    if c in (18, 19, 20):
        return [b"sadd", skey()] + [member() for _ in range(random.randrange(1, 5))], None
    if c in (21, 22): return [b"srem", skey()] + [member() for _ in range(random.randrange(1, 4))], None
    if c == 23: return [random.choice([b"scard", b"sismember"]), skey()] + ([] if random.random() < 0.2 else [member()]), None
    if c == 24: return [b"smismember", skey()] + [member() for _ in range(random.randrange(0, 4))], None
    if c in (25, 26): k = skey(); return [b"smembers", k], ("multi", [k], "E")
    if c == 27:
        k = skey(); a = [b"srandmember", k]
        if random.random() < 0.8: a.append(count())
        if random.random() < 0.05: a.append(b"1")
        return a, ("rand", k, None)
    if c == 28:
        k = skey(); a = [b"spop", k]
        if random.random() < 0.7: a.append(count())
        return a, ("spop", k, None)
    if c == 29: return [b"smove", skey(), skey(), member()], None
    if c in (30, 31, 32):
        op = random.choice([b"sinter", b"sunion", b"sdiff"]); ks = [skey() for _ in range(random.randrange(1, 4))]
        return [op] + ks, ("multi", ks, "E")
    if c in (33, 34):
        op = random.choice([b"sinterstore", b"sunionstore", b"sdiffstore"])
        return [op, skey()] + [skey() for _ in range(random.randrange(1, 4))], None
    if c == 35:
        ks = [skey() for _ in range(random.randrange(1, 4))]
        nk = random.choice([str(len(ks)).encode(), str(len(ks)).encode(), b"0", b"x", b"-1", str(len(ks) + 1).encode()])
        a = [b"sintercard", nk] + ks
        if random.random() < 0.4: a += random.choice([[b"limit", random.choice([b"0", b"1", b"2", b"-1", b"x"])], [b"limit"], [b"foo"]])
        return a, None
    if c == 36:
        k = skey(); a = [b"sscan", k, random.choice([b"0", b"0", b"x", b"1"])]
        for _ in range(random.choice([0, 0, 1, 2])):
            a += random.choice([[b"match", random.choice([b"1*", b"*", b"?", b"[a-c]"])], [b"count", random.choice([b"1", b"0", b"x", b"100"])], [b"type", b"set"]])
        return a, ("scan", k, "SE")
    if c in (37, 38): return [b"object", b"encoding", random.choice(HK + SK)], None
    if c == 39: return [b"type", random.choice(HK + SK + OTHER)], None
    if c == 40: return [b"del", random.choice(HK + SK)], None
    if c == 41: return [b"exists", random.choice(HK + SK)], None
    if c == 42: return [b"set", b"str", value()], None
    return [b"scard", skey()], None

lines = []
cmd([b"flushall"])
for name, v in ((b"hash-max-listpack-entries", b"8" if small else b"512"), (b"hash-max-listpack-value", b"16" if small else b"64"), (b"set-max-intset-entries", str(INTSET_MAX).encode())):
    cmd([b"config", b"set", name, v]); lines.append("config set %s %s => +OK\\r\\n" % (name.decode(), v.decode()))
if resp == 3:
    cmd([b"hello", b"3"]); lines.append("@resp3 => ok")
for i in range(n):
    a, meta = gen()
    mode = None
    if meta:
        kind, k, m = meta
        if kind == "hash":
            if enc_of(k) == b"hashtable": mode = m
        elif kind == "scan":
            if enc_of(k) == b"hashtable":
                # Cursors other than 0 name positions in Redis's own table.
                mode = m; a = a + [b"count", b"1000"]
                if a[2] in (b"-1", b"1"): a[2] = b"0"
        elif kind == "multi":
            mode = m  # decided after the reply (needs the result size)
        elif kind == "rand":
            size = size_of(k)
            if size is not None and size > 1 and len(a) >= 3:
                try: cnt = int(a[2])
                except ValueError: cnt = None
                if cnt is not None and not (0 <= cnt and cnt >= size):
                    mode = "L"
                elif enc_of(k) == b"hashtable":
                    mode = "P" if (len(a) == 4 and resp == 2) else "E"
            elif size is not None and size > 1 and len(a) == 2:
                mode = "T"
        elif kind == "spop":
            size = size_of(k)
            if size is not None and size > 1:
                if len(a) == 2: a = a + [b"%d" % (size + random.choice([0, 1, 5]))]
                else:
                    try: cnt = int(a[2])
                    except ValueError: cnt = None
                    if cnt is not None and 0 < cnt < size: a[2] = b"%d" % size
                if enc_of(k) == b"hashtable": mode = "E"
    r = cmd(a)
    if meta and meta[0] == "multi":
        encs = [enc_of(k) for k in meta[1]]
        node_n = int(r[1:r.index(b"\r\n")]) if r[:1] in (b"*", b"~") else 0
        if not (any(e == b"hashtable" for e in encs) or node_n > INTSET_MAX): mode = None
    if mode: r = canon(mode, r)
    lines.append(("@%s " % mode if mode else "") + " ".join(esc_arg(x) for x in a) + " => " + esc_reply(r))
open(out, "w").write("\n".join(lines) + "\n")
