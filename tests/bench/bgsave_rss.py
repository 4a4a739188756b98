#!/usr/bin/env python3
"""Peak RSS of a server during BGSAVE under write load, against its steady
state under the same load (BENCHMARKS.md, "BGSAVE memory").

Usage: tests/bench/bgsave_rss.py SERVER_BINARY [--keys N] [--size BYTES] [--port P]

1. start the server (no save rules, a temp dir), fill it with ~N keys of
   SIZE-byte values through redis-benchmark (the same key names the load
   then overwrites);
2. start a write load (redis-benchmark SET on random existing keys) and
   sample VmRSS every 10 ms for a few seconds: the steady state;
3. BGSAVE with the load still running; sample VmRSS (of the server and,
   for a forking server, its children) until the save is over: the peak;
4. print steady, peak and their ratio, plus the server's own log lines
   about the save (Redis reports its fork's copy-on-write there).

Works for keyrs-server and redis-server alike (same flags).
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time


def rss_kb(pid):
    """VmRSS of `pid` in kB (0 if gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def total_rss_kb(pid):
    """The server plus any forked child (a fork's RSS counts shared pages
    twice; Redis's own CoW figure is printed separately)."""
    return rss_kb(pid) + sum(rss_kb(c) for c in children(pid))


def cmd(port, *args):
    s = socket.create_connection(("127.0.0.1", port))
    out = "*%d\r\n" % len(args)
    for a in args:
        a = str(a)
        out += "$%d\r\n%s\r\n" % (len(a.encode()), a)
    s.sendall(out.encode())
    data = b""
    s.settimeout(30)
    while True:
        chunk = s.recv(1 << 20)
        data += chunk
        if not chunk or data.endswith(b"\r\n") and (data[:1] != b"$" or data.count(b"\r\n") >= 2):
            break
    s.close()
    return data.decode(errors="replace")


def info_field(port, field):
    text = cmd(port, "INFO", "persistence")
    for line in text.splitlines():
        if line.startswith(field + ":"):
            return line.split(":", 1)[1].strip()
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("server")
    ap.add_argument("--keys", type=int, default=1_000_000)
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--port", type=int, default=27491)
    ap.add_argument("--steady-secs", type=float, default=4.0)
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="bgsave-rss-")
    log = os.path.join(work, "server.log")
    srv = subprocess.Popen(
        [args.server, "--port", str(args.port), "--save", "", "--appendonly", "no",
         "--dir", work, "--logfile", log],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                if "PONG" in cmd(args.port, "PING"):
                    break
            except OSError:
                time.sleep(0.05)
        bench = ["redis-benchmark", "-p", str(args.port), "-q", "-t", "set",
                 "-r", str(args.keys), "-d", str(args.size)]
        # Fill: enough random SETs to touch nearly every key name once.
        subprocess.run(bench + ["-n", str(args.keys * 5), "-P", "64", "-c", "8"],
                       check=True, stdout=subprocess.DEVNULL)
        keys = cmd(args.port, "DBSIZE").strip()
        load = subprocess.Popen(bench + ["-n", "1000000000", "-P", "16", "-c", "20"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)
        steady = []
        end = time.time() + args.steady_secs
        while time.time() < end:
            steady.append(total_rss_kb(srv.pid))
            time.sleep(0.01)
        t0 = time.time()
        reply = cmd(args.port, "BGSAVE").strip()
        peak = 0
        samples = 0
        while True:
            peak = max(peak, total_rss_kb(srv.pid))
            samples += 1
            time.sleep(0.01)
            if samples % 10 == 0 and info_field(args.port, "rdb_bgsave_in_progress") == "0":
                break
        secs = time.time() - t0
        after = [total_rss_kb(srv.pid)]
        load.terminate()
        load.wait()
        status = info_field(args.port, "rdb_last_bgsave_status")
        steady_max = max(steady)
        steady_avg = sum(steady) / len(steady)
        print(f"server:            {args.server}")
        print(f"keys:              {keys} ({args.size}-byte values)")
        print(f"BGSAVE reply:      {reply} -> status {status}, {secs:.2f} s under load")
        print(f"steady RSS (load): avg {steady_avg/1024:.1f} MB, max {steady_max/1024:.1f} MB ({len(steady)} samples)")
        print(f"peak RSS in save:  {peak/1024:.1f} MB ({samples} samples)")
        print(f"ratio peak/steady-max: {peak/steady_max:.3f}   peak/steady-avg: {peak/steady_avg:.3f}")
        print(f"RSS after save:    {after[0]/1024:.1f} MB")
        with open(log) as f:
            for line in f:
                if any(w in line for w in ("CoW", "Background saving", "DB saved")):
                    print("log: " + line.rstrip())
    finally:
        srv.terminate()
        srv.wait()


if __name__ == "__main__":
    sys.exit(main())
