import socket, sys, shlex
def enc(args):
    out=b"*%d\r\n"%len(args)
    for a in args:
        a=a.encode(); out+=b"$%d\r\n%s\r\n"%(len(a),a)
    return out
class R:
    def __init__(s,port):
        s.s=socket.create_connection(("127.0.0.1",port)); s.buf=b""
    def line(s):
        while b"\r\n" not in s.buf: s.buf+=s.s.recv(65536)
        l,s.buf=s.buf.split(b"\r\n",1); return l
    def read(s):
        l=s.line(); t=l[:1]; r=l[1:]
        if t in (b"+",b"-",b":"): return (t.decode(), r.decode())
        if t==b"$":
            n=int(r)
            if n<0: return ("nil",None)
            while len(s.buf)<n+2: s.buf+=s.s.recv(65536)
            d=s.buf[:n]; s.buf=s.buf[n+2:]; return ("$",d.decode())
        if t==b"*":
            return ("*",[s.read() for _ in range(int(r))])
def canon(cmd, rep):
    t,v=rep
    if t=="*":
        items=[canon(cmd,x) for x in v]
        if cmd[:2]==["CONFIG","GET"] or (len(cmd)>1 and cmd[0].upper()=="CONFIG" and cmd[1].upper()=="GET"):
            pairs=sorted(zip(items[0::2],items[1::2]))
            return "*{"+",".join(a+"="+b for a,b in pairs)+"}"
        return "*["+"|".join(items)+"]"
    if t=="$": return v
    return t+v
r=R(int(sys.argv[1]))
for line in open(sys.argv[2]):
    line=line.rstrip("\n")
    if not line: continue
    cmd=shlex.split(line)
    r.s.sendall(enc(cmd))
    print(line+"\t"+canon(cmd,r.read()))
