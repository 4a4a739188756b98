#!/usr/bin/env python3
"""Record a random bitmap or HyperLogLog session from a redis-server 7.0:
python3 bits_session.py PORT bit|hll SEED COUNT OUT.txt

Same line format as string_session.py (`command => raw reply`, `@time ms`).
HLL sessions GET the raw HLL strings (so the replay checks the bytes), SET
corrupted copies of real HLLs, and vary hll-sparse-max-bytes."""
import random, socket, sys
port = int(sys.argv[1]); mode = sys.argv[2]; seed = int(sys.argv[3]); n = int(sys.argv[4]); out = sys.argv[5]
random.seed(seed)
s = socket.create_connection(("127.0.0.1", port)); f = s.makefile("rb")
def read():
    line = f.readline(); t = line[:1]; o = line
    if t == b"$":
        k = int(line[1:-2])
        if k >= 0: o += f.read(k + 2)
    elif t in (b"*", b"%"):
        k = int(line[1:-2]) * (2 if t == b"%" else 1)
        for _ in range(max(k, 0)): o += read()
    return o
def cmd(args):
    b = b"*%d\r\n" % len(args)
    for a in args: b += b"$%d\r\n%s\r\n" % (len(a), a)
    s.sendall(b); return read()
def esc_reply(b):
    o = []
    for c in b:
        if c == 13: o.append("\\r")
        elif c == 10: o.append("\\n")
        elif c == 9: o.append("\\t")
        elif c == 92: o.append("\\\\")
        elif 0x20 <= c <= 0x7e: o.append(chr(c))
        else: o.append("\\x%02x" % c)
    return "".join(o)
def esc_arg(a):
    if a and all(48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122 or c in b"-+.:_#" for c in a): return a.decode()
    return '"' + "".join(chr(c) if (48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122) else "\\x%02x" % c for c in a) + '"'
keys = [b"a", b"b", b"c", b"d"]
B = lambda x: str(x).encode()
def val():
    k = random.randrange(6)
    if k == 0: return B(random.randint(-200, 100000))
    if k == 1: return b""
    if k == 2: return bytes(random.randrange(256) for _ in range(random.randrange(1, 12)))
    if k == 3: return bytes(random.choice(b"\x00\xff\x0f\xf0\x55\xaa") for _ in range(random.randrange(1, 6)))
    if k == 4: return b"x" * random.choice([43, 44, 45, 60])
    return bytes(random.choice(b"ab") for _ in range(random.randrange(0, 6)))
def idx():
    return random.choice([b"0", b"1", b"-1", b"2", b"-2", b"5", b"-5", b"7", b"8", b"9", b"15", b"16", b"-9", b"100", b"-100",
                          b"x", b"", b"1.5", b"9223372036854775807", b"-9223372036854775808", B(random.randint(-40, 40))])
def offset():
    return random.choice([b"0", b"1", b"7", b"8", b"15", b"31", b"63", b"100", b"-1", b"x", b"", b"4294967296", b"8000",
                          b"#1", b"01", B(random.randint(0, 90))])
def ftype():
    return random.choice([b"i1", b"u1", b"i5", b"u5", b"i8", b"u8", b"I8", b"U16", b"i16", b"i32", b"u32", b"i63", b"u63", b"i64",
                          b"u64", b"i65", b"i0", b"x8", b"i", b"", b"u08", B("iu"[random.randrange(2)] + str(random.randint(1, 64)))])
def foffset():
    return random.choice([b"0", b"1", b"3", b"7", b"13", b"#0", b"#1", b"#2", b"#3", b"-1", b"#-1", b"x", b"100", b"4294967296",
                          b"#", b"##1", b"#9223372036854775807", B(random.randint(0, 70))])
def fval():
    return random.choice([b"0", b"1", b"-1", b"127", b"128", b"-128", b"-129", b"255", b"256", b"100", b"-100", b"x", b"1.0",
                          b"9223372036854775807", b"-9223372036854775808", b"4611686018427387904", B(random.randint(-300, 300))])
def bit_cmd():
    k = random.choice(keys); c = random.randrange(32)
    if c < 5: return [b"setbit", k, offset(), random.choice([b"0", b"1", b"1", b"0", b"2", b"-1", b"x", b"", b"01"])]
    if c < 8: return [b"getbit", k, offset()]
    if c < 12:
        a = [b"bitcount", k]
        r = random.randrange(8)
        if r >= 1: a += [idx()]
        if r >= 2: a += [idx()]
        if r >= 5: a += [random.choice([b"bit", b"BYTE", b"bit", b"byte", b"bogus"])]
        if r == 7: a += [b"x"]
        return a
    if c < 17:
        a = [b"bitpos", k, random.choice([b"0", b"1", b"0", b"1", b"2", b"x", b"-1"])]
        r = random.randrange(8)
        if r >= 1: a += [idx()]
        if r >= 3: a += [idx()]
        if r >= 5: a += [random.choice([b"bit", b"BYTE", b"bit", b"byte", b"bogus"])]
        if r == 7: a += [b"x"]
        return a
    if c < 19:
        op = random.choice([b"and", b"OR", b"xor", b"not", b"NOT", b"nand"])
        a = [b"bitop", op, random.choice(keys)] + [random.choice(keys + [b"e"]) for _ in range(random.choice([1, 1, 2, 3]))]
        if random.random() < 0.05: a = a[:3]
        return a
    if c < 24:
        a = [random.choice([b"bitfield", b"bitfield", b"bitfield", b"bitfield_ro"]), k]
        for _ in range(random.choice([0, 1, 1, 2, 3])):
            r = random.randrange(10)
            if r < 3: a += [b"get", ftype(), foffset()]
            elif r < 5: a += [b"set", ftype(), foffset(), fval()]
            elif r < 8: a += [b"incrby", ftype(), foffset(), fval()]
            elif r < 9: a += [b"overflow", random.choice([b"wrap", b"SAT", b"fail", b"bogus"])]
            else: a += [random.choice([b"get", b"set", b"bogus", b"overflow"])]
        return a
    if c < 26: return [b"set", k, val()]
    if c == 26: return [b"get", k]
    if c == 27: return [b"append", k, val()]
    if c == 28: return [b"object", b"encoding", k]
    if c == 29: return [b"expire", k, b"100"]
    if c == 30: return [b"ttl", k]
    return [b"del", k]
pool = [b"foo", b"bar", b"zap", b"a", b"b", b"", b"\x00", b"hello world", b"1", b"2", b"3"]
def elem():
    r = random.randrange(4)
    if r == 0: return random.choice(pool)
    if r == 1: return B(random.randint(0, 5000))
    if r == 2: return bytes(random.randrange(256) for _ in range(random.randrange(0, 8)))
    return b"e%d" % random.randint(0, 100000)
def hll_cmd():
    # a..d hold HyperLogLogs; x receives corrupted copies and other strings.
    k = random.choice(keys); c = random.randrange(40)
    anykey = lambda: random.choice(keys + [b"e", b"x"] if random.random() < 0.3 else keys)
    if c < 14:
        m = random.choice([0, 1, 1, 2, 3, 5, 10, 30, 100, 300, 1000, 2000])
        return [b"pfadd", k] + [elem() for _ in range(m)]
    if c < 20: return [b"pfcount"] + [anykey() for _ in range(random.choice([1, 1, 1, 2, 3]))]
    if c < 23: return [b"pfmerge", k] + [anykey() for _ in range(random.choice([0, 1, 1, 2]))]
    if c < 28: return [b"get", random.choice(keys)] if random.random() < 0.6 else [b"strlen", k]
    if c < 30:
        v = cmd([b"get", random.choice(keys)])
        if v.startswith(b"$") and not v.startswith(b"$-1"):
            body = bytearray(v.split(b"\r\n", 1)[1][:-2])
            if body:
                for _ in range(random.choice([1, 1, 2])):
                    i = random.choice([4, 15, random.randrange(len(body)), len(body) - 1, random.randrange(16, max(17, len(body)))])
                    if i < len(body): body[i] = random.randrange(256)
                if random.random() < 0.2: body = body[:random.randrange(len(body))]
            return [b"set", b"x", bytes(body)]
        return [b"set", b"x", val()]
    if c == 30: return [b"set", b"x" if random.random() < 0.9 else k, val()]
    if c == 31: return [b"setbit", b"x" if random.random() < 0.8 else k, random.choice([b"127", b"100", b"130", b"140", B(random.randint(128, 400))]), random.choice([b"0", b"1"])]
    if c == 32: return [b"append", b"x" if random.random() < 0.9 else k, random.choice([b"\x00", b"\x80", b"\x7f\xff", b"x"])]
    if c == 33: return [b"pfdebug", random.choice([b"encoding", b"todense", b"decode", b"bogus"]), anykey()]
    if c == 34: return [b"object", b"encoding", anykey()]
    if c == 35: return [b"config", b"set", b"hll-sparse-max-bytes", random.choice([b"3000", b"3000", b"100", b"40", b"500", b"20000"])]
    if c == 36: return [b"del", random.choice([b"x", k])]
    if c == 37: return [b"copy", random.choice(keys), b"x", b"replace"]
    return [b"pfadd", anykey(), elem()]
gen = bit_cmd if mode == "bit" else hll_cmd
cmd([b"flushall"]); cmd([b"config", b"set", b"hll-sparse-max-bytes", b"3000"])
lines = []; last = None
for i in range(n):
    a = gen()
    t = cmd([b"time"]).split(b"\r\n")
    now = int(t[2]) * 1000 + int(t[4]) // 1000
    if now != last:
        lines.append("@time %d => ok" % now); last = now
    r = cmd(a)
    lines.append(" ".join(esc_arg(x) for x in a) + " => " + esc_reply(r))
cmd([b"config", b"set", b"hll-sparse-max-bytes", b"3000"])
open(out, "w").write("\n".join(lines) + "\n")
