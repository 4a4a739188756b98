#!/usr/bin/env python3
"""Regenerate core/src/engine/commands/command_docs.rs from a running
redis-server 7.0 (port: first argument, default 6379): its COMMAND DOCS
reply, as data. Then run `cargo fmt`. Standard library only; raw RESP2."""
import json
import socket
import sys

from gen_command_meta import read

DOC_ORDER = ["summary", "since", "group", "complexity", "doc_flags", "deprecated_since",
             "replaced_by", "history", "arguments", "subcommands"]
ARG_ORDER = ["name", "type", "key_spec_index", "token", "summary", "since", "flags",
             "deprecated_since", "arguments"]


def pairs(items):
    return list(zip(items[::2], items[1::2]))


def check_order(keys, order, what):
    idx = [order.index(k) for k in keys]
    if idx != sorted(idx):
        raise RuntimeError("unexpected %s field order %r" % (what, keys))


def s(v):
    return json.dumps(v)


def opt(v):
    return "None" if v is None else "Some(%s)" % s(v)


def arg_rs(a, depth):
    d = dict(pairs(a))
    check_order([k for k, _ in pairs(a)], ARG_ORDER, "argument")
    ind = "    " * depth
    sub = d.get("arguments") or []
    subs = "".join("\n" + arg_rs(x, depth + 1) + "," for x in sub)
    return (ind + "Arg { name: %s, kind: %s, key_spec_index: %s, token: %s, summary: %s, "
            "since: %s, flags: &[%s], deprecated_since: %s, arguments: &[%s%s] }") % (
        s(d["name"]), s(d["type"]),
        "None" if "key_spec_index" not in d else "Some(%d)" % d["key_spec_index"],
        opt(d.get("token")), opt(d.get("summary")), opt(d.get("since")),
        ", ".join(s(x[1]) for x in d.get("flags") or []),
        opt(d.get("deprecated_since")), subs, ("\n" + ind) if sub else "")


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 6379
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(b"*2\r\n$7\r\nCOMMAND\r\n$4\r\nDOCS\r\n")
    docs = read(sock.makefile("rb"))
    entries = {}

    def walk(name, doc):
        check_order([k for k, _ in pairs(doc)], DOC_ORDER, "doc")
        d = dict(pairs(doc))
        entries[name] = d
        for sub_name, sub_doc in pairs(d.get("subcommands") or []):
            walk(sub_name, sub_doc)

    for name, doc in pairs(docs):
        walk(name, doc)
    out = [
        "//! Generated from redis-server 7.0.15's `COMMAND DOCS` reply (facts, not",
        "//! code): every command's documentation as Redis 7.0 prints it.",
        "//! Regenerate with `core/tools/gen_command_docs.py`; do not edit by hand.",
        "",
        "use super::command::{Arg, DocMeta};",
        "",
        "/// Every Redis 7.0 command and subcommand (`container|sub`), sorted by",
        "/// name for binary search.",
        "pub const DOCS: &[DocMeta] = &[",
    ]
    for name in sorted(entries):
        d = entries[name]
        hist = ", ".join("(%s, %s)" % (s(h[0]), s(h[1])) for h in d.get("history") or [])
        args = "".join("\n" + arg_rs(a, 3) + "," for a in d.get("arguments") or [])
        out.append("    DocMeta {")
        out.append("        name: %s," % s(name))
        out.append("        summary: %s," % s(d["summary"]))
        out.append("        since: %s," % s(d["since"]))
        out.append("        group: %s," % s(d["group"]))
        out.append("        complexity: %s," % opt(d.get("complexity")))
        out.append("        doc_flags: &[%s]," % ", ".join(s(x[1]) for x in d.get("doc_flags") or []))
        out.append("        deprecated_since: %s," % opt(d.get("deprecated_since")))
        out.append("        replaced_by: %s," % opt(d.get("replaced_by")))
        out.append("        history: &[%s]," % hist)
        out.append("        arguments: &[%s%s]," % (args, "\n        " if args else ""))
        out.append("    },")
    out.append("];")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
