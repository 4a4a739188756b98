#!/usr/bin/env python3
"""Record a random list-command session from a redis-server 7.0:
python3 list_session.py PORT SEED COUNT OUT.txt [resp3]
Commands run over four list keys plus a string key `s` (WRONGTYPE cases),
valid and invalid (arity, bad integers, out-of-range, syntax). With `resp3`
the session runs after HELLO 3 (written as `@resp3 => ok`)."""
import random, socket, sys
port = int(sys.argv[1]); seed = int(sys.argv[2]); n = int(sys.argv[3]); out = sys.argv[4]
resp3 = len(sys.argv) > 5 and sys.argv[5] == "resp3"
random.seed(seed)
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
keys = [b"a", b"b", b"c", b"d"]
def key():
    r = random.random()
    if r < 0.12: return b"s"
    if r < 0.15: return b"nokey"
    return random.choice(keys)
def elem():
    k = random.randrange(12)
    if k < 5: return random.choice([b"a", b"b", b"c"])
    if k == 5: return random.choice([b"1", b"01", b"-1", b"0", b"-0", b"9223372036854775807", b"1.5"])
    if k == 6: return b""
    if k == 7: return b"x" * random.choice([44, 45, 65])
    if k == 8: return bytes(random.randrange(256) for _ in range(random.randrange(1, 5)))
    if k == 9: return random.choice([b"left", b"RIGHT", b"before", b"count"])
    return bytes(random.choice(b"ab") for _ in range(random.randrange(1, 4)))
def idx():
    k = random.randrange(10)
    if k < 6: return str(random.randint(-6, 6)).encode()
    if k == 6: return random.choice([b"9223372036854775807", b"-9223372036854775808", b"100", b"-100"])
    if k == 7: return random.choice([b"x", b"", b"1.0", b" 1", b"+1", b"01"])
    return str(random.randint(-20, 20)).encode()
def cnt():
    k = random.randrange(8)
    if k < 4: return str(random.randint(0, 5)).encode()
    if k == 4: return random.choice([b"-1", b"-5", b"x", b"", b"1.5"])
    if k == 5: return random.choice([b"9223372036854775807", b"-9223372036854775808", b"100"])
    return str(random.randint(1, 3)).encode()
def side(): return random.choice([b"left", b"right", b"LEFT", b"Right"] * 6 + [b"up", b""])
def gen():
    c = random.randrange(40)
    k = key()
    if c < 5: return [random.choice([b"lpush", b"rpush"]), k] + [elem() for _ in range(random.choice([0, 1, 1, 2, 3, 5]))]
    if c < 7: return [random.choice([b"lpushx", b"rpushx"]), k] + [elem() for _ in range(random.choice([0, 1, 2]))]
    if c < 10:
        a = [random.choice([b"lpop", b"rpop"]), k]
        r = random.random()
        if r < 0.5: a.append(cnt())
        if r < 0.05: a.append(cnt())
        return a
    if c < 12: return [b"llen", k]
    if c < 15:
        a = [b"lrange", k, idx(), idx()]
        if random.random() < 0.03: a = a[:random.randrange(2, 4)]
        return a
    if c < 17: return [b"lindex", k, idx()]
    if c < 19: return [b"lset", k, idx(), elem()]
    if c < 21: return [b"linsert", k, random.choice([b"before", b"after", b"BEFORE", b"After", b"middle"]), elem(), elem()]
    if c < 23: return [b"lrem", k, random.choice([idx(), cnt()]), elem()]
    if c < 24: return [b"ltrim", k, idx(), idx()]
    if c < 27:
        a = [b"lpos", k, elem()]
        for _ in range(random.choice([0, 1, 1, 2, 3])):
            o = random.choice([b"rank", b"count", b"maxlen", b"RANK", b"bogus"])
            if o.lower() == b"rank": v = random.choice([b"1", b"2", b"-1", b"-2", b"0", b"3", b"x", b"-9223372036854775808"])
            else: v = cnt()
            a += [o, v] if random.random() < 0.93 else [o]
        return a
    if c < 30:
        a = [b"lmove", k, key(), side(), side()]
        if random.random() < 0.03: a = a[:4]
        return a
    if c < 31: return [b"rpoplpush", k, key()]
    if c < 34:
        nk = random.randint(1, 3)
        ks = [key() for _ in range(nk)]
        num = str(nk).encode()
        r = random.random()
        if r < 0.06: num = random.choice([b"0", b"-1", b"x", b"9223372036854775807", str(nk + 2).encode()])
        a = [b"lmpop", num] + ks + [side()]
        r = random.random()
        if r < 0.5: a += [random.choice([b"count", b"COUNT"]), cnt()]
        elif r < 0.55: a += [b"count"]
        elif r < 0.58: a += [b"count", b"1", b"count", b"2"]
        return a
    if c < 35: return [b"object", b"encoding", k]
    if c < 36: return [b"exists", k]
    if c < 37: return [b"type", k]
    if c < 38: return [b"del", k]
    if c < 39: return [b"set", b"s", elem()]
    return [b"lrange", k, b"0", b"-1"]
cmd([b"flushall"])
lines = []
if resp3:
    cmd([b"hello", b"3"])
    lines.append("@resp3 => ok")
for a in [[b"set", b"s", b"str"]] + [gen() for _ in range(n)]:
    r = cmd(a)
    lines.append(" ".join(esc_arg(x) for x in a) + " => " + esc_reply(r))
open(out, "w").write("\n".join(lines) + "\n")
