#!/usr/bin/env python3
"""Record a random stream-command session from a redis-server 7.0:
python3 stream_session.py PORT SEED COUNT OUT.txt [resp3]
Keys s1, s2 (streams) and str (a string, for WRONGTYPE). IDs are mostly explicit and
small so replies do not depend on the clock; `@time ms` lines give the server clock
before each command for the few that do (XADD *, idle times, seen-time).
A session is kept only if its replay passes (a command straddling a millisecond tick
after the clock read can make an idle time differ by one)."""
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
    args = [a if isinstance(a, bytes) else str(a).encode() for a in args]
    b = b"*%d\r\n" % len(args)
    for a in args: b += b"$%d\r\n%s\r\n" % (len(a), a)
    s.sendall(b); return args, read()
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
keys = ["s1"] * 5 + ["s2"] * 4 + ["str", "nokey"]
groups = ["g1", "g2", "g3"]
consumers = ["alice", "bob", "carol"]
def key(): return random.choice(keys)
def sid():
    r = random.random()
    if r < 0.75: return "%d-%d" % (random.randint(0, 40), random.randint(0, 3))
    if r < 0.85: return str(random.randint(0, 40))
    return random.choice(["0-0", "-", "+", "abc", "1-x", "-1", "18446744073709551615-18446744073709551615", "5-", "01-2", " 3", "3-*", ""])
def bound():
    r = random.random()
    if r < 0.2: return random.choice(["-", "+"])
    if r < 0.35: return "(" + sid()
    return sid()
def fields():
    k = random.choice([1, 1, 1, 2, 2, 3])
    out = []
    common = random.random() < 0.6
    for i in range(k):
        fname = ["f", "g", "h"][i] if common else random.choice(["f", "x", "123", "y" * random.choice([1, 70])])
        out += [fname, random.choice(["v", "1", "-5", "hello", "", "9" * 20, "z" * random.choice([3, 80])])]
    if random.random() < 0.03: out.pop()
    return out
def xadd_id():
    r = random.random()
    if r < 0.6: return "%d-%d" % (random.randint(0, 60), random.randint(0, 4))
    if r < 0.75: return "%d-*" % random.randint(0, 60)
    if r < 0.85: return str(random.randint(0, 60))
    return random.choice(["0-0", "0", "0-*", "bad", "-", "+", "1-2-3", "18446744073709551615-18446744073709551615", "18446744073709551615-*"])
def trim_opts(xadd):
    o = []
    r = random.random()
    if r < 0.45:
        o += [random.choice(["MAXLEN", "maxlen"])]
        o += random.choice([[], [], ["~"], ["="]])
        o += [random.choice(["0", "1", "2", "3", "5", "8", "10", "-1", "x"])]
    elif r < 0.8:
        o += ["MINID"] + random.choice([[], ["~"], ["="]]) + [sid()]
    if random.random() < 0.2:
        o += ["LIMIT", random.choice(["0", "1", "5", "100", "-1", "x"])]
    if random.random() < 0.03 and o:
        o = ["MAXLEN", "1", "MINID", "2"]
    return o
def gen():
    k = key(); c = random.randrange(100)
    if c < 30:
        a = ["XADD", k]
        if random.random() < 0.1: a += ["NOMKSTREAM"]
        if random.random() < 0.35: a += trim_opts(True)
        return a + [xadd_id()] + fields()
    if c < 38:
        a = [random.choice(["XRANGE", "XREVRANGE"]), k, bound(), bound()]
        if random.random() < 0.4: a += ["COUNT", random.choice(["0", "1", "2", "5", "-1", "x"])]
        if random.random() < 0.03: a += ["BOGUS"]
        return a
    if c < 41: return ["XLEN", k]
    if c < 45: return ["XDEL", k] + [sid() for _ in range(random.randint(1, 3))]
    if c < 48:
        o = trim_opts(False)
        return ["XTRIM", k] + (o if o or random.random() < 0.5 else ["MAXLEN", "2"])
    if c < 53:
        a = ["XREAD"]
        if random.random() < 0.3: a += ["COUNT", random.choice(["1", "2", "0", "-3", "x"])]
        if random.random() < 0.05: a += ["NOACK"]
        ks = random.sample(["s1", "s2", "s1", "s2", "str", "nokey"], random.randint(1, 2))
        if len(ks) == 2 and ks[0] == ks[1]: ks.pop()
        a += ["STREAMS"] + ks + [random.choice([sid(), "$", "0", ">"]) for _ in ks]
        if random.random() < 0.05: a.pop()
        return a
    if c < 60:
        sub = random.choice(["CREATE", "CREATE", "CREATE", "SETID", "DESTROY", "CREATECONSUMER", "DELCONSUMER"])
        g = random.choice(groups)
        if sub == "CREATE":
            a = ["XGROUP", "CREATE", k, g, random.choice(["$", "0", "0", sid()])]
            if random.random() < 0.5: a += ["MKSTREAM"]
            if random.random() < 0.2: a += ["ENTRIESREAD", random.choice(["0", "3", "-1", "-2", "x"])]
            return a
        if sub == "SETID":
            a = ["XGROUP", "SETID", k, g, random.choice(["$", "0", sid()])]
            if random.random() < 0.3: a += [random.choice(["ENTRIESREAD", "bogus"]), random.choice(["2", "-1", "-5", "x"])]
            return a
        if sub == "DESTROY": return ["XGROUP", "DESTROY", k, g]
        return ["XGROUP", sub, k, g, random.choice(consumers)]
    if c < 72:
        a = ["XREADGROUP", "GROUP", random.choice(groups), random.choice(consumers)]
        if random.random() < 0.4: a += ["COUNT", random.choice(["1", "2", "3", "0"])]
        if random.random() < 0.2: a += ["NOACK"]
        ks = random.sample(["s1", "s2", "s1", "s2", "str", "nokey"], random.choice([1, 1, 1, 2]))
        if len(ks) == 2 and ks[0] == ks[1]: ks.pop()
        a += ["STREAMS"] + ks + [random.choice([">", ">", ">", "0", sid(), "$"]) for _ in ks]
        return a
    if c < 77: return ["XACK", k, random.choice(groups)] + [sid() for _ in range(random.randint(1, 3))]
    if c < 83:
        a = ["XPENDING", k, random.choice(groups)]
        if random.random() < 0.6:
            if random.random() < 0.3: a += ["IDLE", random.choice(["0", "1", "100000", "x"])]
            a += [bound(), bound(), random.choice(["10", "1", "2", "0", "-1", "x"])]
            if random.random() < 0.4: a += [random.choice(consumers + ["nobody"])]
        return a
    if c < 88:
        a = ["XCLAIM", k, random.choice(groups), random.choice(consumers), random.choice(["0", "0", "100000", "-1", "x"])]
        a += [sid() for _ in range(random.randint(1, 3))]
        for _ in range(random.choice([0, 0, 1, 2])):
            a += random.choice([["FORCE"], ["JUSTID"], ["IDLE", random.choice(["0", "5000", "x"])], ["RETRYCOUNT", random.choice(["0", "7", "x"])], ["LASTID", sid()], ["BOGUS"]])
        return a
    if c < 92:
        a = ["XAUTOCLAIM", k, random.choice(groups), random.choice(consumers), random.choice(["0", "0", "100000", "x"]), bound()]
        if random.random() < 0.5: a += ["COUNT", random.choice(["1", "2", "5", "0", "x"])]
        if random.random() < 0.3: a += ["JUSTID"]
        return a
    if c < 96:
        sub = random.choice(["STREAM", "STREAM", "GROUPS", "CONSUMERS", "STREAM"])
        if sub == "STREAM":
            a = ["XINFO", "STREAM", k]
            r = random.random()
            if r < 0.3: a += ["FULL"]
            elif r < 0.4: a += ["FULL", "COUNT", random.choice(["0", "1", "2", "-1", "x"])]
            elif r < 0.43: a += ["BOGUS"]
            return a
        if sub == "GROUPS": return ["XINFO", "GROUPS", k]
        return ["XINFO", "CONSUMERS", k, random.choice(groups)]
    if c < 97:
        a = ["XSETID", k, random.choice(["50-0", "60-5", "1-0", sid()])]
        if random.random() < 0.3: a += ["ENTRIESADDED", random.choice(["100", "0", "-1", "x"])]
        if random.random() < 0.3: a += ["MAXDELETEDID", random.choice(["1-0", "70-0", sid()])]
        return a
    if c < 98: return ["OBJECT", "ENCODING", k]
    if c < 99: return ["TYPE", k]
    return ["DEL", random.choice(["s1", "s2"])]
def reveals_time(args):
    """Whether the reply shows a time (idle, delivery or seen time, or an auto ID)."""
    a = [x.lower() for x in args]
    if a[0] == b"xpending": return len(a) > 3
    if a[0] == b"xinfo": return len(a) > 1 and (a[1] == b"consumers" or (a[1] == b"stream" and len(a) > 3))
    if a[0] == b"xadd": return b"*" in a
    return False
cmd(["flushall"])
cmd(["config", "set", "stream-node-max-entries", str(random.choice([3, 4, 5, 100]))])
cmd(["set", "str", "x"])
lines = ["config set stream-node-max-entries %s => ok" % "X"]
lines = []
_, r = cmd(["config", "get", "stream-node-max-entries"])
lines.append("config set stream-node-max-entries %s => +OK\\r\\n" % r.split(b"\r\n")[-2].decode())
lines.append("set str x => +OK\\r\\n")
if resp3:
    cmd(["hello", "3"]); lines.append("@resp3 => ok")
last = None
for i in range(n):
    a = gen()
    _, t = cmd(["time"])
    parts = t.split(b"\r\n")
    now = int(parts[2]) * 1000 + int(parts[4]) // 1000
    if now != last:
        lines.append("@time %d => ok" % now); last = now
    args, r = cmd(a)
    _, t2 = cmd(["time"])
    parts = t2.split(b"\r\n")
    after = int(parts[2]) * 1000 + int(parts[4]) // 1000
    # A clock tick during the command: its time-dependent reply may differ
    # by a millisecond, so the replay runs it without comparing ("~ ").
    mark = "~ " if after != now and reveals_time(args) else ""
    lines.append(mark + " ".join(esc_arg(x) for x in args) + " => " + esc_reply(r))
cmd(["config", "set", "stream-node-max-entries", "100"])
open(out, "w").write("\n".join(lines) + "\n")
