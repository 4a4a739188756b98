#!/usr/bin/env python3
"""Raw RESP client: each stdin line is shlex-split into a command; prints the raw reply repr."""
import socket, sys, shlex
port = int(sys.argv[1]) if len(sys.argv) > 1 else 7302
s = socket.create_connection(("127.0.0.1", port))
f = s.makefile("rb")
def read():
    line = f.readline()
    t = line[:1]
    out = line
    if t in (b"$", b"=", b"!"):
        n = int(line[1:-2])
        if n >= 0:
            out += f.read(n + 2)
    elif t in (b"*", b"~", b">", b"%", b"|"):
        n = int(line[1:-2])
        if t in (b"%", b"|"): n *= 2
        for _ in range(max(n, 0)):
            out += read()
    return out
def enc(args):
    b = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode("latin1") if isinstance(a, str) else a
        b += b"$%d\r\n%s\r\n" % (len(a), a)
    return b
for line in sys.stdin:
    line = line.rstrip("\n")
    if not line.strip() or line.startswith("#"): continue
    args = shlex.split(line)
    args = [bytes(a, "latin1").decode("unicode_escape").encode("latin1") for a in args]
    s.sendall(enc(args))
    print(line, "=>", repr(read())[2:-1])
