//! COMMAND: introspection of the command table (INFO, DOCS, LIST, COUNT,
//! GETKEYS, GETKEYSANDFLAGS), in Redis 7.0's reply shapes.

use bytes::Bytes;

use super::client::help_reply;
use super::{is_kw, SYNTAX_ERROR};
use crate::engine::table::{acl, find_subcommand, flags, CommandDoc, CommandSpec};
use crate::engine::{Call, Engine};
use crate::resp::Reply;
use crate::util::glob;

/// ACL categories including the ones Redis implies from the flags (a write
/// command is `@write`, an admin one `@admin @dangerous`, a command that is
/// not `@fast` is `@slow`, ...).
pub fn acl_categories(spec: &CommandSpec) -> u64 {
    let mut c = spec.acl;
    if spec.flags & flags::WRITE != 0 {
        c |= acl::WRITE;
    }
    if spec.flags & flags::READONLY != 0 && c & acl::SCRIPTING == 0 {
        c |= acl::READ;
    }
    if spec.flags & flags::ADMIN != 0 {
        c |= acl::ADMIN | acl::DANGEROUS;
    }
    if spec.flags & flags::PUBSUB != 0 {
        c |= acl::PUBSUB;
    }
    if spec.flags & flags::FAST != 0 {
        c |= acl::FAST;
    }
    if spec.flags & flags::BLOCKING != 0 {
        c |= acl::BLOCKING;
    }
    if c & acl::FAST == 0 {
        c |= acl::SLOW;
    }
    c
}

/// Look up `name` (`get`, or `client|list`), case-insensitively, with its
/// full lower-case name.
fn lookup(e: &Engine, name: &[u8]) -> Option<(String, &'static CommandSpec)> {
    match name.iter().position(|&b| b == b'|') {
        None => {
            let spec = e.table.get(name)?;
            Some((spec.name.to_string(), spec))
        }
        Some(i) => {
            let parent = e.table.get(&name[..i])?;
            let sub = find_subcommand(parent, &name[i + 1..])?;
            Some((format!("{}|{}", parent.name, sub.name), sub))
        }
    }
}

/// Top-level commands sorted by name, so replies are deterministic.
fn sorted_commands(e: &Engine) -> Vec<&'static CommandSpec> {
    let mut v: Vec<_> = e.table.iter().collect();
    v.sort_by_key(|s| s.name);
    v
}

fn status_set(names: &[(u64, &'static str)], bits: u64, prefix: &str) -> Reply {
    Reply::Set(
        names
            .iter()
            .filter(|(b, _)| bits & b != 0)
            .map(|(_, n)| {
                if prefix.is_empty() {
                    Reply::status(n)
                } else {
                    Reply::Status(format!("{prefix}{n}").into())
                }
            })
            .collect(),
    )
}

/// Key-spec access flags, derived from the command's flags: the table
/// records only first/last/step, not Redis's per-key-spec flags.
fn key_spec_flags(spec: &CommandSpec) -> &'static [&'static str] {
    if spec.flags & flags::WRITE != 0 {
        &["RW", "update"]
    } else {
        &["RO", "access"]
    }
}

fn bulk(s: &str) -> Reply {
    Reply::bulk(s.as_bytes())
}

fn key_specs(spec: &CommandSpec) -> Reply {
    if spec.first_key <= 0 {
        return Reply::Set(Vec::new());
    }
    // Redis's range spec counts the last key from the first one (or from the
    // end of argv when negative).
    let lastkey = if spec.last_key < 0 {
        i64::from(spec.last_key)
    } else {
        i64::from(spec.last_key) - i64::from(spec.first_key)
    };
    let flags = Reply::Set(
        key_spec_flags(spec)
            .iter()
            .map(|f| Reply::status(f))
            .collect(),
    );
    let m = Reply::Map(vec![
        (bulk("flags"), flags),
        (
            bulk("begin_search"),
            Reply::Map(vec![
                (bulk("type"), bulk("index")),
                (
                    bulk("spec"),
                    Reply::Map(vec![(bulk("index"), Reply::Integer(spec.first_key.into()))]),
                ),
            ]),
        ),
        (
            bulk("find_keys"),
            Reply::Map(vec![
                (bulk("type"), bulk("range")),
                (
                    bulk("spec"),
                    Reply::Map(vec![
                        (bulk("lastkey"), Reply::Integer(lastkey)),
                        (bulk("keystep"), Reply::Integer(spec.key_step.max(1).into())),
                        (bulk("limit"), Reply::Integer(0)),
                    ]),
                ),
            ]),
        ),
    ]);
    Reply::Set(vec![m])
}

/// One COMMAND INFO entry.
fn info_entry(full_name: &str, spec: &'static CommandSpec) -> Reply {
    let subs = spec
        .subcommands
        .iter()
        .map(|s| info_entry(&format!("{full_name}|{}", s.name), s))
        .collect();
    Reply::Array(vec![
        bulk(full_name),
        Reply::Integer(spec.arity.into()),
        status_set(flags::NAMES, spec.flags, ""),
        Reply::Integer(spec.first_key.into()),
        Reply::Integer(spec.last_key.into()),
        Reply::Integer(spec.key_step.into()),
        status_set(acl::NAMES, acl_categories(spec), "@"),
        Reply::Set(Vec::new()),
        key_specs(spec),
        Reply::Set(subs),
    ])
}

/// One COMMAND DOCS entry's map.
fn docs_entry(full_name: &str, spec: &'static CommandSpec) -> Reply {
    let d: &CommandDoc = &spec.doc;
    let mut m = vec![
        (bulk("summary"), bulk(d.summary)),
        (bulk("since"), bulk(d.since)),
        (bulk("group"), bulk(d.group)),
        (bulk("complexity"), bulk(d.complexity)),
    ];
    if !spec.subcommands.is_empty() {
        let subs = spec
            .subcommands
            .iter()
            .map(|s| {
                let name = format!("{full_name}|{}", s.name);
                (bulk(&name), docs_entry(&name, s))
            })
            .collect();
        m.push((bulk("subcommands"), Reply::Map(subs)));
    }
    Reply::Map(m)
}

fn command_all(e: &mut Engine, _call: &mut Call<'_>) -> Reply {
    Reply::Array(
        sorted_commands(e)
            .into_iter()
            .map(|s| info_entry(s.name, s))
            .collect(),
    )
}

fn info(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    if call.argv.len() == 2 {
        return command_all(e, call);
    }
    Reply::Array(
        call.argv[2..]
            .iter()
            .map(|n| match lookup(e, n) {
                Some((name, spec)) => info_entry(&name, spec),
                None => Reply::Nil,
            })
            .collect(),
    )
}

fn docs(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let pairs = if call.argv.len() == 2 {
        sorted_commands(e)
            .into_iter()
            .map(|s| (bulk(s.name), docs_entry(s.name, s)))
            .collect()
    } else {
        call.argv[2..]
            .iter()
            .filter_map(|n| lookup(e, n))
            .map(|(name, spec)| (bulk(&name), docs_entry(&name, spec)))
            .collect()
    };
    Reply::Map(pairs)
}

fn count(e: &mut Engine, _call: &mut Call<'_>) -> Reply {
    Reply::Integer(e.table.len() as i64)
}

/// Every command and subcommand with its full name.
fn all_names(e: &Engine) -> Vec<(String, &'static CommandSpec)> {
    let mut v = Vec::new();
    for s in sorted_commands(e) {
        v.push((s.name.to_string(), s));
        for sub in s.subcommands {
            v.push((format!("{}|{}", s.name, sub.name), sub));
        }
    }
    v
}

/// A COMMAND LIST FILTERBY predicate over (full name, spec).
type ListFilter = dyn Fn(&str, &CommandSpec) -> bool;

fn list(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let names = all_names(e);
    let keep: Box<ListFilter> = match call.argv.len() {
        2 => Box::new(|_, _| true),
        5 if is_kw(call.arg(2), "filterby") => {
            let kind = call.arg(3);
            let val = call.arg(4).clone();
            if is_kw(kind, "module") {
                // No modules: nothing belongs to one.
                Box::new(|_, _| false)
            } else if is_kw(kind, "aclcat") {
                let bit = acl::NAMES
                    .iter()
                    .find(|(_, n)| is_kw(&val, n))
                    .map(|(b, _)| *b);
                match bit {
                    Some(bit) => Box::new(move |_, s| acl_categories(s) & bit != 0),
                    None => Box::new(|_, _| false),
                }
            } else if is_kw(kind, "pattern") {
                Box::new(move |n, _| glob::matches(&val, n.as_bytes(), true))
            } else {
                return Reply::error(SYNTAX_ERROR);
            }
        }
        _ => return Reply::error(SYNTAX_ERROR),
    };
    Reply::Array(
        names
            .into_iter()
            .filter(|(n, s)| keep(n, s))
            .map(|(n, _)| bulk(&n))
            .collect(),
    )
}

/// Shared by GETKEYS and GETKEYSANDFLAGS: the target's spec and key positions.
fn keys_of(e: &Engine, target: &[Bytes]) -> Result<(&'static CommandSpec, Vec<usize>), Reply> {
    let Some(parent) = target.first().and_then(|n| e.table.get(n)) else {
        return Err(Reply::err("Invalid command specified"));
    };
    let spec = match target.get(1) {
        Some(sub) if !parent.subcommands.is_empty() => {
            find_subcommand(parent, sub).ok_or_else(|| Reply::err("Invalid command specified"))?
        }
        _ => parent,
    };
    if spec.first_key <= 0 && spec.flags & flags::MOVABLE_KEYS == 0 {
        return Err(Reply::err("The command has no key arguments"));
    }
    if !spec.arity_ok(target.len()) {
        return Err(Reply::err(
            "Invalid number of arguments specified for command",
        ));
    }
    let keys: Vec<usize> = spec.key_positions(target.len()).collect();
    if keys.is_empty() && spec.flags & flags::NO_MANDATORY_KEYS == 0 {
        return Err(Reply::err("Invalid arguments specified for command"));
    }
    Ok((spec, keys))
}

fn getkeys(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let target = &call.argv[2..];
    match keys_of(e, target) {
        Ok((_, keys)) => Reply::Array(
            keys.into_iter()
                .map(|i| Reply::Bulk(target[i].clone()))
                .collect(),
        ),
        Err(r) => r,
    }
}

fn getkeysandflags(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let target = &call.argv[2..];
    match keys_of(e, target) {
        Ok((spec, keys)) => Reply::Array(
            keys.into_iter()
                .map(|i| {
                    let flags = key_spec_flags(spec)
                        .iter()
                        .map(|f| Reply::status(f))
                        .collect();
                    Reply::Array(vec![Reply::Bulk(target[i].clone()), Reply::Set(flags)])
                })
                .collect(),
        ),
        Err(r) => r,
    }
}

const HELP: &[&str] = &[
    "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "(no subcommand)",
    "    Return details about all Redis commands.",
    "COUNT",
    "    Return the total number of commands in this Redis server.",
    "LIST",
    "    Return a list of all commands in this Redis server.",
    "INFO [<command-name> ...]",
    "    Return details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "DOCS [<command-name> ...]",
    "    Return documentation details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "GETKEYS <full-command>",
    "    Return the keys from a full Redis command.",
    "GETKEYSANDFLAGS <full-command>",
    "    Return the keys and the access flags from a full Redis command.",
    "HELP",
    "    Prints this help.",
];

fn help(_e: &mut Engine, _call: &mut Call<'_>) -> Reply {
    help_reply(HELP)
}

const fn doc(summary: &'static str, since: &'static str, complexity: &'static str) -> CommandDoc {
    CommandDoc {
        summary,
        since,
        group: "server",
        complexity,
    }
}

const SUB_FLAGS: u64 = flags::LOADING | flags::STALE;
const SUB_ACL: u64 = acl::SLOW | acl::CONNECTION;

const fn sub(
    name: &'static str,
    arity: i32,
    handler: crate::engine::table::Handler,
    doc: CommandDoc,
) -> CommandSpec {
    CommandSpec {
        name,
        arity,
        flags: SUB_FLAGS,
        acl: SUB_ACL,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        handler,
        subcommands: &[],
        doc,
    }
}

/// COMMAND's subcommands.
pub const SUBCOMMANDS: &[CommandSpec] = &[
    sub(
        "count",
        2,
        count,
        doc("Get total number of Redis commands", "2.8.13", "O(1)"),
    ),
    sub(
        "docs",
        -2,
        docs,
        doc(
            "Get array of specific Redis command documentation",
            "7.0.0",
            "O(N) where N is the number of commands to look up",
        ),
    ),
    sub(
        "getkeys",
        -4,
        getkeys,
        doc(
            "Extract keys given a full Redis command",
            "2.8.13",
            "O(N) where N is the number of arguments to the command",
        ),
    ),
    sub(
        "getkeysandflags",
        -4,
        getkeysandflags,
        doc(
            "Extract keys and access flags given a full Redis command",
            "7.0.0",
            "O(N) where N is the number of arguments to the command",
        ),
    ),
    sub(
        "help",
        2,
        help,
        doc(
            "Show helpful text about the different subcommands",
            "5.0.0",
            "O(1)",
        ),
    ),
    sub(
        "info",
        -2,
        info,
        doc(
            "Get array of specific Redis command details, or all when no argument is given.",
            "2.8.13",
            "O(N) where N is the number of commands to look up",
        ),
    ),
    sub(
        "list",
        -2,
        list,
        doc(
            "Get an array of Redis command names",
            "7.0.0",
            "O(N) where N is the total number of Redis commands",
        ),
    ),
];

/// The COMMAND group's table. COMMAND alone (no subcommand) runs the
/// container's handler: every command's info.
pub const COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "command",
    arity: -1,
    flags: SUB_FLAGS,
    acl: SUB_ACL,
    first_key: 0,
    last_key: 0,
    key_step: 0,
    handler: command_all,
    subcommands: SUBCOMMANDS,
    doc: doc(
        "Get array of Redis command details",
        "2.8.13",
        "O(N) where N is the total number of Redis commands",
    ),
}];
