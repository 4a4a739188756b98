#!/usr/bin/env python3
"""Which stream commands invalidate WATCH on redis-server 7.0 (port 7315): prints touched/untouched per command."""
import socket
def conn():
    s=socket.create_connection(("127.0.0.1",7315)); return s, s.makefile("rb")
def cmd(c,*a):
    s,f=c
    b=b"*%d\r\n"%len(a)
    for x in a:
        x=x.encode(); b+=b"$%d\r\n%s\r\n"%(len(x),x)
    s.sendall(b)
    return read(f)
def read(f):
    l=f.readline(); o=l
    if l[:1]==b"$":
        n=int(l[1:-2]); o+=f.read(n+2) if n>=0 else b""
    elif l[:1]==b"*":
        for _ in range(max(int(l[1:-2]),0)): o+=read(f)
    return o
a=conn(); b=conn()
setup=[("del","w"),("xadd","w","1-1","f","v"),("xadd","w","2-1","f","v"),("xgroup","create","w","g0","0")]
tests=[("xgroup","create","w","g","0"),("xgroup","setid","w","g0","0"),("xgroup","createconsumer","w","g0","c9"),
("xreadgroup","group","g0","c1","streams","w",">"),("xack","w","g0","1-1"),("xclaim","w","g0","c2","0","2-1"),
("xautoclaim","w","g0","c3","0","0"),("xgroup","delconsumer","w","g0","c3"),("xgroup","destroy","w","g0"),
("xsetid","w","9-9"),("xdel","w","1-1"),("xtrim","w","maxlen","0"),("xadd","w","10-1","f","v")]
for t in tests:
    for s in setup: cmd(b,*s)
    # prime state for later tests
    if t[0] in ("xack","xclaim","xautoclaim","xgroup") and t[1:2]!=("create",):
        cmd(b,"xreadgroup","group","g0","c3","streams","w",">")
    cmd(a,"watch","w"); cmd(b,*t); cmd(a,"multi"); cmd(a,"ping"); r=cmd(a,"exec")
    print(" ".join(t), "=> touched" if r.startswith(b"*-1") else "=> untouched")
cmd(b,"del","w2"); cmd(a,"watch","w2"); cmd(b,"xgroup","create","w2","g","$","mkstream"); cmd(a,"multi"); r=cmd(a,"exec"); print("mkstream", r)
