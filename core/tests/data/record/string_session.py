#!/usr/bin/env python3
"""Record a random string-command session from a redis-server 7.0 on port 7302: python3 string_session.py SEED COUNT OUT.txt
(a session is kept only if its replay passes: a command that straddles a millisecond tick after the clock read can make a TTL differ by one)."""
import random, socket, sys
seed = int(sys.argv[1]); n = int(sys.argv[2]); out = sys.argv[3]
random.seed(seed)
s=socket.create_connection(("127.0.0.1",7302)); f=s.makefile("rb")
def read():
    line=f.readline(); t=line[:1]; o=line
    if t in (b"$",):
        k=int(line[1:-2])
        if k>=0: o+=f.read(k+2)
    elif t in (b"*",b"%"):
        k=int(line[1:-2])*(2 if t==b"%" else 1)
        for _ in range(max(k,0)): o+=read()
    return o
def cmd(args):
    b=b"*%d\r\n"%len(args)
    for a in args: b+=b"$%d\r\n%s\r\n"%(len(a),a)
    s.sendall(b); return read()
def esc_reply(b):
    o=""
    for c in b:
        if c==13: o+="\\r"
        elif c==10: o+="\\n"
        elif c==9: o+="\\t"
        elif c==92: o+="\\\\"
        elif 0x20<=c<=0x7e: o+=chr(c)
        else: o+="\\x%02x"%c
    return o
def esc_arg(a):
    if a and all(48<=c<=57 or 65<=c<=90 or 97<=c<=122 or c in b"-+.:_" for c in a): return a.decode()
    return '"' + "".join(chr(c) if (48<=c<=57 or 65<=c<=90 or 97<=c<=122) else "\\x%02x"%c for c in a) + '"'
keys=[b"a",b"b",b"c",b"d"]
def val():
    k=random.randrange(10)
    if k==0: return str(random.randint(-20,20)).encode()
    if k==1: return str(random.choice([2**63-1,-2**63,2**63-2,-2**63+1,10**18,99999999999999999999])).encode()
    if k==2: return b""
    if k==3: return ("%.*f"%(random.randrange(0,5),random.uniform(-100,100))).encode()
    if k==4: return bytes(random.choice(b"abcxyz") for _ in range(random.randrange(1,8)))
    if k==5: return b"x"*random.choice([43,44,45,60])
    if k==6: return bytes(random.randrange(256) for _ in range(random.randrange(1,6)))
    if k==7: return random.choice([b"01",b" 1",b"+1",b"-0",b"1e3",b"inf",b"nan",b"0x10",b"1.5e-3"])
    if k==8: return str(random.randint(0,100000)).encode()
    return bytes(random.choice(b"ab") for _ in range(random.randrange(0,12)))
def num():
    return random.choice([b"0",b"1",b"-1",b"5",b"100",b"abc",b"1.5",b"-5",b"9223372036854775807",b"-9223372036854775808",b"",str(random.randint(-50,50)).encode()])
def exp_opt():
    u=random.choice([b"ex",b"px",b"exat",b"pxat",b"EX",b"keepttl",b"persist"])
    if u in (b"keepttl",b"persist"): return [u]
    if u.lower()==b"ex": v=random.choice([b"100",b"0",b"-1",b"abc",b"9223372036854775",b"50"])
    elif u==b"px": v=random.choice([b"100000",b"0",b"200100",b"9223372036854775807"])
    elif u==b"exat": v=random.choice([b"1",b"4102444800",b"9223372036854776",b"0"])
    else: v=random.choice([b"1",b"4102444800000",b"0"])
    return [u,v] if random.random()<0.95 else [u]
def gen():
    k=random.choice(keys); c=random.randrange(30)
    if c<3: return [b"get",k]
    if c<7:
        a=[b"set",k,val()]
        for _ in range(random.choice([0,0,1,1,2,3])):
            a+=random.choice([[b"nx"],[b"xx"],[b"get"],[b"GET"],exp_opt(),exp_opt(),[b"bogus"]])
        return a
    if c==7: return [b"setnx",k,val()]
    if c==8: return [random.choice([b"setex",b"psetex"]),k,random.choice([b"100000",b"0",b"-1",b"x",b"9223372036854775"]),val()]
    if c==9: return [b"mget"]+random.sample(keys,random.randrange(1,4))
    if c==10:
        a=[random.choice([b"mset",b"msetnx"])]
        for _ in range(random.randrange(1,3)): a+=[random.choice(keys),val()]
        if random.random()<0.1: a.pop()
        return a
    if c==11: return [b"getset",k,val()]
    if c==12: return [b"getdel",k]
    if c==13:
        a=[b"getex",k]
        for _ in range(random.choice([0,1,1,2])): a+=random.choice([exp_opt(),[b"persist"],[b"nx"]])
        return a
    if c==14: return [b"append",k,val()]
    if c==15: return [b"strlen",k]
    if c==16: return [random.choice([b"getrange",b"substr"]),k,random.choice([b"0",b"-1",b"2",b"-3",b"100",b"-100",b"x"]),random.choice([b"0",b"-1",b"2",b"-3",b"100",b"-100"])]
    if c==17: return [b"setrange",k,random.choice([b"0",b"1",b"5",b"-1",b"30",b"x"]),val()]
    if c==18: return [random.choice([b"incr",b"decr"]),k]
    if c==19: return [random.choice([b"incrby",b"decrby"]),k,num()]
    if c==20: return [b"incrbyfloat",k,random.choice([num(),val(),b"0.1",b"-0.3",b"1e2",b"2.5"])]
    if c==21:
        a=[b"lcs",k,random.choice(keys)]
        for _ in range(random.choice([0,0,1,2,3])):
            a+=random.choice([[b"len"],[b"idx"],[b"withmatchlen"],[b"minmatchlen",random.choice([b"0",b"1",b"2",b"x",b"-1"])],[b"minmatchlen"]])
        return a
    if c==22: return [b"exists",k]
    if c in (23,24): return [b"object",b"encoding",k]
    if c in (25,26): return [b"ttl",k]
    if c==27: return [b"dbsize"]
    if c==28: return [b"del",k]
    return [b"strlen",k]
cmd([b"flushall"])
lines=[]
last=None
for i in range(n):
    a=gen()
    t=cmd([b"time"]).split(b"\r\n")
    now=int(t[2])*1000+int(t[4])//1000
    if now!=last:
        lines.append("@time %d => ok"%now); last=now
    r=cmd(a)
    lines.append(" ".join(esc_arg(x) for x in a)+" => "+esc_reply(r))
open(out,"w").write("\n".join(lines)+"\n")
