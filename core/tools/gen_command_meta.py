#!/usr/bin/env python3
"""Regenerate core/src/engine/commands/command_meta.rs from a running
redis-server 7.0 (default port 6379, or the first argument): its COMMAND
reply holds every command's tips and key specs. Then run `cargo fmt`.

Only the standard library; talks raw RESP2."""
import json
import socket
import sys


def read(f):
    line = f.readline()[:-2]
    t, rest = line[:1], line[1:]
    if t == b"+":
        return ("status", rest.decode())
    if t == b"-":
        raise RuntimeError(rest.decode())
    if t == b":":
        return int(rest)
    if t == b"$":
        n = int(rest)
        return None if n < 0 else f.read(n + 2)[:-2].decode()
    if t == b"*":
        n = int(rest)
        return None if n < 0 else [read(f) for _ in range(n)]
    raise RuntimeError("unexpected reply %r" % line)


def kv(items):
    return dict(zip(items[::2], items[1::2])) if items else {}


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 6379
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"*1\r\n$7\r\nCOMMAND\r\n")
    cmds = read(s.makefile("rb"))
    entries = {}

    def walk(c):
        name, tips, specs = c[0], c[7], []
        for ks in c[8]:
            d = kv(ks)
            bs, fk = kv(d["begin_search"]), kv(d["find_keys"])
            bsp, fsp = kv(bs["spec"]), kv(fk["spec"])
            if bs["type"] == "index":
                b = "BeginSearch::Index(%d)" % bsp["index"]
            elif bs["type"] == "keyword":
                b = "BeginSearch::Keyword { keyword: %s, startfrom: %d }" % (
                    json.dumps(bsp["keyword"]), bsp["startfrom"])
            else:
                b = "BeginSearch::Unknown"
            if fk["type"] == "range":
                fd = "FindKeys::Range { lastkey: %d, keystep: %d, limit: %d }" % (
                    fsp["lastkey"], fsp["keystep"], fsp["limit"])
            elif fk["type"] == "keynum":
                fd = "FindKeys::Keynum { keynumidx: %d, firstkey: %d, keystep: %d }" % (
                    fsp["keynumidx"], fsp["firstkey"], fsp["keystep"])
            else:
                fd = "FindKeys::Unknown"
            notes = "Some(%s)" % json.dumps(d["notes"]) if "notes" in d else "None"
            flags = ", ".join(json.dumps(x[1]) for x in d["flags"])
            specs.append("KeySpec { notes: %s, flags: &[%s], begin: %s, find: %s }"
                         % (notes, flags, b, fd))
        entries[name] = (tips, specs, c)
        for sub in c[9]:
            walk(sub)

    for c in cmds:
        walk(c)
    out = [
        "//! Generated from redis-server 7.0.15's `COMMAND` reply (facts, not code):",
        "//! each command's arity, flags, key positions and ACL categories (to check",
        "//! the command table against), tips and key specifications (which the",
        "//! table's first/last/step cannot express). Regenerate with",
        "//! `core/tools/gen_command_meta.py` rather than edit by hand.",
        "",
        "use super::command::{BeginSearch, CommandMeta, FindKeys, KeySpec};",
        "",
        "/// Every Redis 7.0 command and subcommand (`container|sub`),",
        "/// sorted by name for binary search.",
        "pub const META: &[CommandMeta] = &[",
    ]
    for name in sorted(entries):
        tips, specs, c = entries[name]
        out.append("    CommandMeta {")
        out.append("        name: %s," % json.dumps(name))
        out.append("        arity: %d," % c[1])
        out.append("        flags: &[%s]," % ", ".join(json.dumps(x[1]) for x in c[2]))
        out.append("        first_key: %d," % c[3])
        out.append("        last_key: %d," % c[4])
        out.append("        key_step: %d," % c[5])
        out.append("        acl: &[%s]," % ", ".join(json.dumps(x[1]) for x in c[6]))
        out.append("        tips: &[%s]," % ", ".join(json.dumps(t) for t in tips))
        if specs:
            out.append("        key_specs: &[")
            out.extend("            %s," % sp for sp in specs)
            out.append("        ],")
        else:
            out.append("        key_specs: &[],")
        out.append("    },")
    out.append("];")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
