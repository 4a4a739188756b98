//! COMMAND: introspection of the command table (INFO, DOCS, LIST, COUNT,
//! GETKEYS, GETKEYSANDFLAGS), in Redis 7.0's reply shapes.

use bytes::Bytes;

use super::client::help_reply;
use super::{is_kw, SYNTAX_ERROR};
use crate::engine::table::{acl, find_subcommand, flags, CommandDoc, CommandSpec};
use crate::engine::{Call, Engine};
use crate::resp::Reply;
use crate::util::glob;

/// Where a key spec's search starts (Redis's `begin_search`).
#[derive(Debug, Clone, Copy)]
pub enum BeginSearch {
    /// At a fixed argument index.
    Index(i64),
    /// After a keyword, searched from `startfrom` (negative: from the end,
    /// backwards).
    Keyword {
        /// The keyword (upper-case, matched case-insensitively).
        keyword: &'static str,
        /// Where the search starts.
        startfrom: i64,
    },
    /// Not expressible (keys come from the command's own logic).
    Unknown,
}

/// How a key spec finds its keys from the start (Redis's `find_keys`).
#[derive(Debug, Clone, Copy)]
pub enum FindKeys {
    /// A range: the last key relative to the first (negative: from the end
    /// of argv), every `keystep`-th argument; `limit` divides the remaining
    /// arguments when `lastkey` is -1.
    Range {
        /// Last key offset.
        lastkey: i64,
        /// Step between keys.
        keystep: i64,
        /// Divider of the remaining arguments (0: none).
        limit: i64,
    },
    /// A count argument at `keynumidx` followed (from `firstkey`) by that
    /// many keys.
    Keynum {
        /// Offset of the count argument.
        keynumidx: i64,
        /// Offset of the first key.
        firstkey: i64,
        /// Step between keys.
        keystep: i64,
    },
    /// Not expressible.
    Unknown,
}

/// One key specification of a command, as COMMAND INFO shows it.
#[derive(Debug, Clone, Copy)]
pub struct KeySpec {
    /// Redis's explanatory note, if any.
    pub notes: Option<&'static str>,
    /// Access flags (`RO`, `RW`, `OW`, `RM`, `access`, `update`, ...).
    pub flags: &'static [&'static str],
    /// Where the search starts.
    pub begin: BeginSearch,
    /// How keys are found from there.
    pub find: FindKeys,
}

/// Redis 7.0's per-command facts: what the command table also states (to
/// check it against Redis) and what it does not carry, command tips and key
/// specs (see `command_meta.rs`).
#[derive(Debug, Clone, Copy)]
pub struct CommandMeta {
    /// Full name (`get`, `client|list`).
    pub name: &'static str,
    /// Redis's arity.
    pub arity: i32,
    /// Flag names, as COMMAND INFO prints them.
    pub flags: &'static [&'static str],
    /// Legacy first key position.
    pub first_key: i32,
    /// Legacy last key position.
    pub last_key: i32,
    /// Legacy key step.
    pub key_step: i32,
    /// ACL categories, with `@`.
    pub acl: &'static [&'static str],
    /// Command tips (`nondeterministic_output`, ...).
    pub tips: &'static [&'static str],
    /// Key specifications.
    pub key_specs: &'static [KeySpec],
}

/// One documented argument (COMMAND DOCS `arguments`).
#[derive(Debug, Clone, Copy)]
pub struct Arg {
    /// Argument name.
    pub name: &'static str,
    /// Type (`key`, `string`, `integer`, `oneof`, `block`, `pure-token`, ...).
    pub kind: &'static str,
    /// Index of the key spec for `key` arguments.
    pub key_spec_index: Option<i64>,
    /// The literal token preceding the value.
    pub token: Option<&'static str>,
    /// Short description.
    pub summary: Option<&'static str>,
    /// Version that added it.
    pub since: Option<&'static str>,
    /// `optional`, `multiple`, `multiple_token`.
    pub flags: &'static [&'static str],
    /// Version that deprecated it.
    pub deprecated_since: Option<&'static str>,
    /// Nested arguments of `oneof` and `block`.
    pub arguments: &'static [Arg],
}

/// Redis 7.0's documentation of one command (see `command_docs.rs`).
#[derive(Debug, Clone, Copy)]
pub struct DocMeta {
    /// Full name (`get`, `client|list`).
    pub name: &'static str,
    /// One-line summary.
    pub summary: &'static str,
    /// Version that introduced it.
    pub since: &'static str,
    /// Command group.
    pub group: &'static str,
    /// Time complexity, when documented.
    pub complexity: Option<&'static str>,
    /// `deprecated`, `syscmd`.
    pub doc_flags: &'static [&'static str],
    /// Version that deprecated it.
    pub deprecated_since: Option<&'static str>,
    /// What replaces it.
    pub replaced_by: Option<&'static str>,
    /// (version, change) pairs.
    pub history: &'static [(&'static str, &'static str)],
    /// Arguments.
    pub arguments: &'static [Arg],
}

/// Redis's documentation for `full_name`, if Redis 7.0 has that command.
pub fn doc_meta(full_name: &str) -> Option<&'static DocMeta> {
    let all = super::command_docs::DOCS;
    all.binary_search_by(|m| m.name.cmp(full_name))
        .ok()
        .and_then(|i| all.get(i))
}

/// Redis's metadata for `full_name`, if Redis 7.0 has that command.
pub fn meta(full_name: &str) -> Option<&'static CommandMeta> {
    let all = super::command_meta::META;
    all.binary_search_by(|m| m.name.cmp(full_name))
        .ok()
        .and_then(|i| all.get(i))
}

/// A key spec derived from the table's first/last/step, for commands Redis
/// has no metadata for (keyrs extensions).
fn derived_key_spec(spec: &CommandSpec) -> Option<KeySpec> {
    if spec.first_key <= 0 {
        return None;
    }
    // Redis's range spec counts the last key from the first one (or from the
    // end of argv when negative).
    let lastkey = if spec.last_key < 0 {
        i64::from(spec.last_key)
    } else {
        i64::from(spec.last_key) - i64::from(spec.first_key)
    };
    let flags: &'static [&'static str] = if spec.flags & flags::WRITE != 0 {
        &["RW", "update"]
    } else {
        &["RO", "access"]
    };
    Some(KeySpec {
        notes: None,
        flags,
        begin: BeginSearch::Index(spec.first_key.into()),
        find: FindKeys::Range {
            lastkey,
            keystep: spec.key_step.max(1).into(),
            limit: 0,
        },
    })
}

/// The key specs of a command: Redis's own, else derived from the table.
fn key_specs_of(full_name: &str, spec: &CommandSpec) -> Vec<KeySpec> {
    match meta(full_name) {
        Some(m) => m.key_specs.to_vec(),
        None => derived_key_spec(spec).into_iter().collect(),
    }
}

/// The keys of `argv` (a whole command) by its key specs, each with the
/// flags of the spec that found it, or `None` when the arguments do not fit
/// the specs (Redis then reports no keys and leaves the error to the
/// command). Specs Redis cannot express (`unknown`) contribute nothing.
pub fn keys_by_specs(
    specs: &[KeySpec],
    argv: &[Bytes],
) -> Option<Vec<(usize, &'static [&'static str])>> {
    let argc = argv.len() as i64;
    let mut keys = Vec::new();
    for ks in specs {
        let first = match ks.begin {
            BeginSearch::Index(i) => i,
            BeginSearch::Keyword { keyword, startfrom } => {
                let found = if startfrom >= 0 {
                    (startfrom..argc).find(|&i| is_kw(&argv[i as usize], keyword))
                } else {
                    (1..=argc + startfrom)
                        .rev()
                        .find(|&i| is_kw(&argv[i as usize], keyword))
                };
                match found {
                    Some(i) => i + 1,
                    None => continue,
                }
            }
            BeginSearch::Unknown => continue,
        };
        if first >= argc {
            continue;
        }
        let (first, last, step) = match ks.find {
            FindKeys::Range {
                lastkey,
                keystep,
                limit,
            } => {
                let last = if lastkey >= 0 {
                    first + lastkey
                } else if limit <= 0 {
                    argc + lastkey
                } else {
                    first + (argc - first) / limit + lastkey
                };
                (first, last, keystep)
            }
            FindKeys::Keynum {
                keynumidx,
                firstkey,
                keystep,
            } => {
                let idx = first + keynumidx;
                if idx >= argc {
                    return None;
                }
                let n = crate::resp::parse_i64(&argv[idx as usize]).filter(|&n| n >= 0)?;
                if n == 0 {
                    // As Redis's key-extraction procs (ZUNIONSTORE, LMPOP, EVAL...):
                    // a zero key count yields no keys at all, not even the other
                    // specs' keys; the caller then answers an empty array for
                    // commands without mandatory keys and an error otherwise.
                    return Some(Vec::new());
                }
                let start = first + firstkey;
                let last = start.checked_add(n.checked_sub(1)?.checked_mul(keystep)?)?;
                (start, last, keystep)
            }
            FindKeys::Unknown => continue,
        };
        let step = step.max(1);
        let mut i = first;
        while i <= last {
            if i >= argc || i < 1 {
                return None;
            }
            keys.push((i as usize, ks.flags));
            i += step;
        }
    }
    Some(keys)
}

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

fn bulk(s: &str) -> Reply {
    Reply::bulk(s.as_bytes())
}

fn key_spec_reply(ks: &KeySpec) -> Reply {
    let begin = match ks.begin {
        BeginSearch::Index(i) => Reply::Map(vec![
            (bulk("type"), bulk("index")),
            (
                bulk("spec"),
                Reply::Map(vec![(bulk("index"), Reply::Integer(i))]),
            ),
        ]),
        BeginSearch::Keyword { keyword, startfrom } => Reply::Map(vec![
            (bulk("type"), bulk("keyword")),
            (
                bulk("spec"),
                Reply::Map(vec![
                    (bulk("keyword"), bulk(keyword)),
                    (bulk("startfrom"), Reply::Integer(startfrom)),
                ]),
            ),
        ]),
        BeginSearch::Unknown => Reply::Map(vec![
            (bulk("type"), bulk("unknown")),
            (bulk("spec"), Reply::Map(Vec::new())),
        ]),
    };
    let find = match ks.find {
        FindKeys::Range {
            lastkey,
            keystep,
            limit,
        } => Reply::Map(vec![
            (bulk("type"), bulk("range")),
            (
                bulk("spec"),
                Reply::Map(vec![
                    (bulk("lastkey"), Reply::Integer(lastkey)),
                    (bulk("keystep"), Reply::Integer(keystep)),
                    (bulk("limit"), Reply::Integer(limit)),
                ]),
            ),
        ]),
        FindKeys::Keynum {
            keynumidx,
            firstkey,
            keystep,
        } => Reply::Map(vec![
            (bulk("type"), bulk("keynum")),
            (
                bulk("spec"),
                Reply::Map(vec![
                    (bulk("keynumidx"), Reply::Integer(keynumidx)),
                    (bulk("firstkey"), Reply::Integer(firstkey)),
                    (bulk("keystep"), Reply::Integer(keystep)),
                ]),
            ),
        ]),
        FindKeys::Unknown => Reply::Map(vec![
            (bulk("type"), bulk("unknown")),
            (bulk("spec"), Reply::Map(Vec::new())),
        ]),
    };
    let mut m = Vec::with_capacity(4);
    if let Some(n) = ks.notes {
        m.push((bulk("notes"), bulk(n)));
    }
    m.push((bulk("flags"), flag_set(ks.flags)));
    m.push((bulk("begin_search"), begin));
    m.push((bulk("find_keys"), find));
    Reply::Map(m)
}

fn flag_set(flags: &[&'static str]) -> Reply {
    Reply::Set(flags.iter().map(|f| Reply::status(f)).collect())
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
        Reply::Set(
            meta(full_name)
                .map(|m| m.tips.iter().map(|t| bulk(t)).collect())
                .unwrap_or_default(),
        ),
        Reply::Set(
            key_specs_of(full_name, spec)
                .iter()
                .map(key_spec_reply)
                .collect(),
        ),
        Reply::Set(subs),
    ])
}

fn arg_reply(a: &Arg) -> Reply {
    let mut m = vec![(bulk("name"), bulk(a.name)), (bulk("type"), bulk(a.kind))];
    if let Some(i) = a.key_spec_index {
        m.push((bulk("key_spec_index"), Reply::Integer(i)));
    }
    if let Some(t) = a.token {
        m.push((bulk("token"), bulk(t)));
    }
    if let Some(t) = a.summary {
        m.push((bulk("summary"), bulk(t)));
    }
    if let Some(t) = a.since {
        m.push((bulk("since"), bulk(t)));
    }
    if !a.flags.is_empty() {
        m.push((bulk("flags"), flag_set(a.flags)));
    }
    if let Some(t) = a.deprecated_since {
        m.push((bulk("deprecated_since"), bulk(t)));
    }
    if !a.arguments.is_empty() {
        m.push((
            bulk("arguments"),
            Reply::Array(a.arguments.iter().map(arg_reply).collect()),
        ));
    }
    Reply::Map(m)
}

/// One COMMAND DOCS entry's map: Redis 7.0's documentation when Redis has
/// the command, else the table's own summary, since, group and complexity.
fn docs_entry(full_name: &str, spec: &'static CommandSpec) -> Reply {
    let mut m = match doc_meta(full_name) {
        Some(d) => {
            let mut m = vec![
                (bulk("summary"), bulk(d.summary)),
                (bulk("since"), bulk(d.since)),
                (bulk("group"), bulk(d.group)),
            ];
            if let Some(c) = d.complexity {
                m.push((bulk("complexity"), bulk(c)));
            }
            if !d.doc_flags.is_empty() {
                m.push((bulk("doc_flags"), flag_set(d.doc_flags)));
            }
            if let Some(v) = d.deprecated_since {
                m.push((bulk("deprecated_since"), bulk(v)));
            }
            if let Some(v) = d.replaced_by {
                m.push((bulk("replaced_by"), bulk(v)));
            }
            if !d.history.is_empty() {
                let h = d
                    .history
                    .iter()
                    .map(|(v, what)| Reply::Array(vec![bulk(v), bulk(what)]))
                    .collect();
                m.push((bulk("history"), Reply::Set(h)));
            }
            if !d.arguments.is_empty() {
                m.push((
                    bulk("arguments"),
                    Reply::Array(d.arguments.iter().map(arg_reply).collect()),
                ));
            }
            m
        }
        None => {
            let d: &CommandDoc = &spec.doc;
            vec![
                (bulk("summary"), bulk(d.summary)),
                (bulk("since"), bulk(d.since)),
                (bulk("group"), bulk(d.group)),
                (bulk("complexity"), bulk(d.complexity)),
            ]
        }
    };
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

/// The actual flags of a `variable_flags` key spec, which depend on the
/// arguments (Redis asks the command; these are the two Redis 7.0 has).
fn resolve_variable_flags(
    full: &str,
    argv: &[Bytes],
    flags: &'static [&'static str],
) -> &'static [&'static str] {
    if !flags.contains(&"variable_flags") {
        return flags;
    }
    let has = |kw: &str| argv.iter().skip(2).any(|a| is_kw(a, kw));
    match full {
        "set" if has("get") => &["RW", "access", "update"],
        "set" => &["OW", "update"],
        "bitfield" if has("set") || has("incrby") => &["RW", "access", "update"],
        "bitfield" => &["RO", "access"],
        _ => flags,
    }
}

/// Shared by GETKEYS and GETKEYSANDFLAGS: the keys of the target command
/// with their key-spec flags, or Redis's error.
pub(crate) type FoundKeys = Vec<(usize, &'static [&'static str])>;

/// The keys of the command `target` (a whole argv) with their key-spec
/// flags (COMMAND GETKEYSANDFLAGS), or Redis's error.
pub(crate) fn keys_of(e: &Engine, target: &[Bytes]) -> Result<FoundKeys, Reply> {
    let Some(parent) = target.first().and_then(|n| e.table.get(n)) else {
        return Err(Reply::err("Invalid command specified"));
    };
    let (full, spec) = match target.get(1) {
        Some(sub) if !parent.subcommands.is_empty() => {
            let s = find_subcommand(parent, sub)
                .ok_or_else(|| Reply::err("Invalid command specified"))?;
            (format!("{}|{}", parent.name, s.name), s)
        }
        _ => (parent.name.to_string(), parent),
    };
    let specs = key_specs_of(&full, spec);
    if specs.is_empty() {
        return Err(Reply::err("The command has no key arguments"));
    }
    if !spec.arity_ok(target.len()) {
        return Err(Reply::err(
            "Invalid number of arguments specified for command",
        ));
    }
    match keys_by_specs(&specs, target) {
        Some(keys) if !keys.is_empty() => Ok(keys
            .into_iter()
            .map(|(i, f)| (i, resolve_variable_flags(&full, target, f)))
            .collect()),
        _ if spec.flags & flags::NO_MANDATORY_KEYS != 0 => Ok(Vec::new()),
        _ => Err(Reply::err("Invalid arguments specified for command")),
    }
}

fn getkeys(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let target = &call.argv[2..];
    match keys_of(e, target) {
        Ok(keys) => Reply::Array(
            keys.into_iter()
                .map(|(i, _)| Reply::Bulk(target[i].clone()))
                .collect(),
        ),
        Err(r) => r,
    }
}

fn getkeysandflags(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let target = &call.argv[2..];
    match keys_of(e, target) {
        Ok(keys) => Reply::Array(
            keys.into_iter()
                .map(|(i, f)| Reply::Array(vec![Reply::Bulk(target[i].clone()), flag_set(f)]))
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
    CommandSpec::keyless(name, arity, SUB_FLAGS, SUB_ACL, handler, doc)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys of `args` by Redis's key specs for `args[0]`, as strings.
    fn keys(args: &[&str]) -> Option<Vec<String>> {
        let argv: Vec<Bytes> = args
            .iter()
            .map(|a| Bytes::copy_from_slice(a.as_bytes()))
            .collect();
        let m = meta(args[0]).expect("known command");
        keys_by_specs(m.key_specs, &argv)
            .map(|v| v.into_iter().map(|(i, _)| args[i].to_string()).collect())
    }

    #[test]
    fn key_specs_find_keys_like_redis() {
        // Each expectation is redis-server 7.0.15's COMMAND GETKEYS answer.
        assert_eq!(
            keys(&["zunionstore", "dst", "2", "a", "b", "WEIGHTS", "1", "2"]).unwrap(),
            ["dst", "a", "b"]
        );
        assert_eq!(keys(&["zunionstore", "dst", "3", "a", "b"]), None);
        assert_eq!(
            keys(&[
                "georadius",
                "k",
                "1",
                "2",
                "3",
                "m",
                "STORE",
                "s1",
                "STOREDIST",
                "s2"
            ])
            .unwrap(),
            ["k", "s1", "s2"]
        );
        assert_eq!(keys(&["mset", "a", "1", "b", "2"]).unwrap(), ["a", "b"]);
        assert_eq!(keys(&["mset", "a", "1", "b"]).unwrap(), ["a", "b"]);
        assert_eq!(
            keys(&["xread", "COUNT", "2", "STREAMS", "s1", "s2", "0", "0"]).unwrap(),
            ["s1", "s2"]
        );
        assert!(keys(&["eval", "return 1", "0"]).unwrap().is_empty());
        assert_eq!(keys(&["lmpop", "2", "a", "b", "LEFT"]).unwrap(), ["a", "b"]);
        // A huge key count must not overflow: the keys run past argv.
        assert_eq!(keys(&["lmpop", "9223372036854775807", "a", "LEFT"]), None);
    }

    /// What COMMAND INFO says of a spec, in Redis's words.
    fn described(spec: &CommandSpec) -> (i32, Vec<&'static str>, [i32; 3], Vec<String>) {
        let flags = flags::NAMES
            .iter()
            .filter(|(b, _)| spec.flags & b != 0)
            .map(|(_, n)| *n)
            .collect();
        let cats = acl::NAMES
            .iter()
            .filter(|(b, _)| acl_categories(spec) & b != 0)
            .map(|(_, n)| format!("@{n}"))
            .collect();
        (
            spec.arity,
            flags,
            [spec.first_key, spec.last_key, spec.key_step],
            cats,
        )
    }

    /// Commands whose arity is KeyDB's, wider than Redis's.
    const KEYDB_ARITY: &[&str] = &["replicaof", "slaveof"];

    /// Every command and subcommand keyrs shares with Redis 7.0 must have
    /// Redis's arity, flags, key positions and ACL categories: clients and
    /// cluster proxies read them from COMMAND INFO.
    #[test]
    fn command_table_agrees_with_redis() {
        let table = crate::engine::CommandTable::new();
        let mut specs: Vec<(String, &CommandSpec)> = Vec::new();
        for s in table.iter() {
            specs.push((s.name.to_string(), s));
            for sub in s.subcommands {
                specs.push((format!("{}|{}", s.name, sub.name), sub));
            }
        }
        let mut wrong = Vec::new();
        let mut compared = 0;
        for (name, spec) in specs {
            let Some(m) = meta(&name) else { continue };
            compared += 1;
            let mut ours = described(spec);
            // KeyDB's REPLICAOF REMOVE host port needs KeyDB's arity (-3);
            // the rest of the description is Redis's.
            if KEYDB_ARITY.contains(&name.as_str()) && ours.0 == -3 {
                ours.0 = m.arity;
            }
            let mut acl: Vec<String> = m.acl.iter().map(|s| s.to_string()).collect();
            acl.sort();
            let mut our_acl = ours.3.clone();
            our_acl.sort();
            let redis = (
                m.arity,
                m.flags.to_vec(),
                [m.first_key, m.last_key, m.key_step],
            );
            if (ours.0, ours.1.clone(), ours.2) != redis || our_acl != acl {
                wrong.push(format!(
                    "{name}: keyrs {:?} / redis {:?} {:?}",
                    ours, redis, m.acl
                ));
            }
        }
        assert!(compared >= 40, "only {compared} commands compared");
        assert!(
            wrong.is_empty(),
            "differs from Redis 7.0:\n{}",
            wrong.join("\n")
        );
    }

    #[test]
    fn meta_table_is_sorted_and_searchable() {
        let all = super::super::command_meta::META;
        assert!(all.windows(2).all(|w| w[0].name < w[1].name));
        assert_eq!(
            meta("client|list").map(|m| m.tips),
            Some(&["nondeterministic_output"][..])
        );
        assert!(meta("nosuch").is_none());
    }
}
