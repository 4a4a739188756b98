#!/usr/bin/env python3
"""Record a stream session that exercises macro-node boundaries (entry and byte limits),
approximate trimming, deletions and XINFO's radix-tree figures, from a redis-server 7.0:
python3 stream_nodes.py PORT SEED COUNT OUT.txt
Uses explicit IDs only, so no reply depends on the clock."""
import random, socket, sys
port = int(sys.argv[1]); seed = int(sys.argv[2]); n = int(sys.argv[3]); out = sys.argv[4]
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
lines = []
def run(a):
    args, r = cmd(a)
    lines.append(" ".join(esc_arg(x) for x in args) + " => " + esc_reply(r))
cmd(["flushall"])
max_entries = random.choice([0, 3, 7, 100])
max_bytes = random.choice([0, 120, 300, 4096])
run(["config", "set", "stream-node-max-entries", str(max_entries)])
run(["config", "set", "stream-node-max-bytes", str(max_bytes)])
base = random.choice([0, 1000, 1700000000000, 2**40, 2**63])
ms = {"a": base, "b": base}
seq = {"a": 0, "b": 0}
ids = {"a": [], "b": []}
def val():
    r = random.random()
    if r < 0.3: return str(random.randint(-200000, 3000000000))
    if r < 0.6: return "v" * random.choice([1, 5, 20, 63, 64, 100])
    if r < 0.7: return ""
    return random.choice(["x", "hello", "12", "-1", "007", "1.5"])
for i in range(n):
    k = random.choice(["a", "b"])
    c = random.randrange(100)
    if c < 60:
        step = random.choice([0, 0, 1, 1, 2, 255, 256, 65536, 2**24])
        if step == 0:
            seq[k] += random.choice([1, 1, 2, 300])
        else:
            ms[k] += step; seq[k] = random.choice([0, 0, 1, 5])
        sid = "%d-%d" % (ms[k], seq[k])
        ids[k].append(sid)
        nf = random.choice([1, 1, 2, 3])
        same = random.random() < 0.6
        a = ["XADD", k]
        if random.random() < 0.08:
            a += ["MAXLEN", "~", str(random.randint(0, 30))]
        a.append(sid)
        for j in range(nf):
            a += [["f1", "f2", "f3"][j] if same else random.choice(["f1", "x", "77", "y" * 70]), val()]
        run(a)
    elif c < 70 and ids[k]:
        run(["XDEL", k] + random.sample(ids[k], min(len(ids[k]), random.randint(1, 4))))
    elif c < 78:
        if random.random() < 0.5:
            a = ["XTRIM", k, "MAXLEN", random.choice(["~", "=", "~"]), str(random.randint(0, 40))]
        else:
            a = ["XTRIM", k, "MINID", random.choice(["~", "~", "="]), random.choice(ids[k]) if ids[k] else "0"]
        if a[3] == "~" and random.random() < 0.3:
            a += ["LIMIT", str(random.choice([0, 1, 3, 10, 50]))]
        run(a)
    elif c < 90:
        run(["XINFO", "STREAM", k])
    elif c < 94:
        run(["XINFO", "STREAM", k, "FULL", "COUNT", str(random.choice([0, 2, 5]))])
    elif c < 98:
        lo = random.choice(ids[k]) if ids[k] else "-"
        run([random.choice(["XRANGE", "XREVRANGE"]), k, "-", "+", "COUNT", str(random.randint(1, 8))])
        run(["XRANGE", k, lo, "+", "COUNT", "3"])
    else:
        run(["XLEN", k])
cmd(["config", "set", "stream-node-max-entries", "100"])
cmd(["config", "set", "stream-node-max-bytes", "4096"])
open(out, "w").write("\n".join(lines) + "\n")
