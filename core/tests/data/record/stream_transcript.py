#!/usr/bin/env python3
"""Replay hand-written commands (one per stdin line, shlex-split) against a redis-server 7.0
and print the stream-test transcript format: `@time ms` (the server clock before the
command), `command => raw reply`, a `~ ` prefix when the clock ticked during the command,
and `hello 3` as `@resp3`. Usage: python3 stream_transcript.py PORT < commands > out.txt"""
import socket, sys, shlex
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
def now():
    p = cmd([b"time"]).split(b"\r\n")
    return int(p[2]) * 1000 + int(p[4]) // 1000
def reveals_time(args):
    """Whether the reply shows a time (idle, delivery or seen time, or an auto ID)."""
    a = [x.lower() for x in args]
    if a[0] == b"xpending": return len(a) > 3
    if a[0] == b"xinfo": return len(a) > 1 and (a[1] == b"consumers" or (a[1] == b"stream" and len(a) > 3))
    if a[0] == b"xadd": return b"*" in a
    return False
last = None
for line in sys.stdin:
    line = line.rstrip("\n")
    if not line.strip() or line.startswith("#"): continue
    args = [a.encode("latin1") for a in shlex.split(line)]
    if [a.lower() for a in args] == [b"hello", b"3"]:
        cmd(args); print("@resp3 => ok"); continue
    t = now()
    if t != last: print("@time %d => ok" % t); last = t
    r = cmd(args)
    mark = "~ " if now() != t and reveals_time(args) else ""
    print(mark + " ".join(esc_arg(x) for x in args) + " => " + esc_reply(r))
