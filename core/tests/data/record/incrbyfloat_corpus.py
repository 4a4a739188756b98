#!/usr/bin/env python3
"""Record the INCRBYFLOAT corpus from a redis-server 7.0 on port 7302: python3 incrbyfloat_corpus.py OUT.tsv"""
import random, socket, sys
random.seed(7302)
s=socket.create_connection(("127.0.0.1",7302)); f=s.makefile("rb")
def cmd(*a):
    b=b"*%d\r\n"%len(a)
    for x in a:
        x=x if isinstance(x,bytes) else str(x).encode()
        b+=b"$%d\r\n%s\r\n"%(len(x),x)
    s.sendall(b); l=f.readline()
    if l[:1]==b"$":
        n=int(l[1:-2]); return f.read(n+2)[:-2].decode() if n>=0 else None
    return l[:-2].decode()
def rnd_num():
    k=random.randrange(12)
    if k==0: return str(random.randint(-10**6,10**6))
    if k==1: return str(random.randint(-2**63,2**63-1))
    if k==2: return "%.*f"%(random.randrange(0,6), random.uniform(-1000,1000))
    if k==3: return "%.*f"%(random.randrange(6,25), random.uniform(-10,10))
    if k==4: return "%de%d"%(random.randint(-99,99), random.randint(-30,30))
    if k==5: return "%.*e"%(random.randrange(0,20), random.uniform(-1e6,1e6)*10**random.randint(-40,40))
    if k==6: return "0x%xp%d"%(random.getrandbits(random.randrange(1,70)), random.randint(-80,20))
    if k==7: return random.choice(["0.1","0.2","0.3","-0.1","1.1","3.0","2.5","0.5","-0","0.0","1e-17","5e-18","1.5e-17","123456789.123456789","0.00000000000000001","1e18","1e19","1e20","9.99999999999999999"])
    if k==8: return repr(random.uniform(-1e3,1e3))
    if k==9: return "%.*f"%(random.randrange(0,3), random.uniform(-1e22,1e22))
    if k==10: return str(random.randint(-10**30,10**30))
    return "%s%d.%s"%(random.choice(["","-","+"]), random.randint(0,99), "".join(random.choice("0123456789") for _ in range(random.randrange(1,30))))
lines=[]
cur=None
for i in range(500):
    if cur is None or random.random()<0.35:
        v=rnd_num()
    else:
        v=cur
    inc=rnd_num()
    cmd("del","k"); cmd("set","k",v)
    r=cmd("incrbyfloat","k",inc)
    if r is None: continue
    if r.startswith("-"):
        cur=None
    else:
        cur=r
        if len(r)>120: cur=None
    if len(r)>200: continue
    lines.append("%s\t%s\t%s"%(v,inc,r))
# accumulation chains
for step in ["0.1","0.01","-0.3","1e-5","0.7","3.3333333333333333"]:
    v="0"
    for i in range(30):
        cmd("del","k"); cmd("set","k",v); r=cmd("incrbyfloat","k",step)
        lines.append("%s\t%s\t%s"%(v,step,r)); v=r
open(sys.argv[1] if len(sys.argv) > 1 else "incrbyfloat_redis7.tsv","w").write("# value<TAB>increment<TAB>reply, recorded from redis-server 7.0.15 (SET k value; INCRBYFLOAT k increment)\n"+"\n".join(lines)+"\n")
print(len(lines))
