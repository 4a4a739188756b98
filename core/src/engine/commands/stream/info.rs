//! XINFO STREAM / GROUPS / CONSUMERS / HELP.

use super::{entry_reply, id_reply, read_stream, subcommand_syntax_error, text};
use crate::engine::commands::{int_arg, is_kw};
use crate::engine::types::stream::{Stream, StreamId, ENTRIES_READ_INVALID};
use crate::engine::{Call, Engine};
use crate::resp::Reply;

/// XINFO HELP's lines.
const XINFO_HELP: &[&str] = &[
    "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CONSUMERS <key> <groupname>",
    "    Show consumers of <groupname>.",
    "GROUPS <key>",
    "    Show the stream consumer groups.",
    "STREAM <key> [FULL [COUNT <count>]",
    "    Show information about the stream.",
    "HELP",
    "    Prints this help.",
];

/// XINFO HELP
pub fn xinfo_help(_e: &mut Engine, _call: &mut Call<'_>) -> Reply {
    Reply::Array(XINFO_HELP.iter().map(|l| Reply::status(l)).collect())
}

/// XINFO with no subcommand.
pub fn xinfo_container(_e: &mut Engine, call: &mut Call<'_>) -> Reply {
    Reply::err(format!(
        "unknown subcommand '{}'. Try XINFO HELP.",
        call.argv.get(1).map_or(String::new(), |a| text(a))
    ))
}

/// A bulk string map key.
fn k(s: &'static str) -> Reply {
    Reply::bulk_static(s.as_bytes())
}

/// The stream at `argv[2]`, or Redis's "no such key" / WRONGTYPE.
fn lookup<'e>(e: &'e mut Engine, call: &Call<'_>) -> Result<&'e mut Stream, Reply> {
    let key = call.argv[2].clone();
    read_stream(e, call, &key)?.ok_or_else(|| Reply::err("no such key"))
}

/// XINFO CONSUMERS key group
pub fn xinfo_consumers(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let now_ms = call.now.ms() as i64;
    let s = match lookup(e, call) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Some(g) = s.groups.get(&call.argv[3]) else {
        return Reply::error(format!(
            "NOGROUP No such consumer group '{}' for key name '{}'",
            text(&call.argv[3]),
            text(&call.argv[2])
        ));
    };
    Reply::Array(
        g.consumers
            .iter()
            .map(|(name, c)| {
                Reply::Map(vec![
                    (k("name"), Reply::Bulk(name.clone())),
                    (k("pending"), Reply::Integer(c.pel.len() as i64)),
                    (
                        k("idle"),
                        Reply::Integer(now_ms.saturating_sub(c.seen_time as i64).max(0)),
                    ),
                ])
            })
            .collect(),
    )
}

/// A group's `entries-read` (nil when unknown).
fn entries_read_reply(n: i64) -> Reply {
    if n == ENTRIES_READ_INVALID {
        Reply::Nil
    } else {
        Reply::Integer(n)
    }
}

/// A group's `lag` (nil when it cannot be known).
fn lag_reply(s: &Stream, g: &crate::engine::types::stream::ConsumerGroup) -> Reply {
    s.group_lag(g).map_or(Reply::Nil, Reply::Integer)
}

/// XINFO GROUPS key
pub fn xinfo_groups(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let s = match lookup(e, call) {
        Ok(s) => s,
        Err(r) => return r,
    };
    Reply::Array(
        s.groups
            .iter()
            .map(|(name, g)| {
                Reply::Map(vec![
                    (k("name"), Reply::Bulk(name.clone())),
                    (k("consumers"), Reply::Integer(g.consumers.len() as i64)),
                    (k("pending"), Reply::Integer(g.pel.len() as i64)),
                    (k("last-delivered-id"), id_reply(g.last_id)),
                    (k("entries-read"), entries_read_reply(g.entries_read)),
                    (k("lag"), lag_reply(s, g)),
                ])
            })
            .collect(),
    )
}

/// XINFO STREAM key [FULL [COUNT count]]
pub fn xinfo_stream(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let argv = call.argv;
    let s = match lookup(e, call) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let opts = &argv[3..];
    let mut count: i64 = 10;
    let full = !opts.is_empty();
    if full {
        if (opts.len() != 1 && opts.len() != 3) || !is_kw(&opts[0], "full") {
            return subcommand_syntax_error(call);
        }
        if opts.len() == 3 {
            if !is_kw(&opts[1], "count") {
                return subcommand_syntax_error(call);
            }
            count = match int_arg(&opts[2]) {
                Ok(n) => n,
                Err(r) => return r,
            };
            if count < 0 {
                count = 10;
            }
        }
    }
    let mut m = vec![
        (k("length"), Reply::Integer(s.len() as i64)),
        (k("radix-tree-keys"), Reply::Integer(s.node_count() as i64)),
        (
            k("radix-tree-nodes"),
            Reply::Integer(s.rax_node_count() as i64),
        ),
        (k("last-generated-id"), id_reply(s.last_id)),
        (k("max-deleted-entry-id"), id_reply(s.max_deleted_entry_id)),
        (k("entries-added"), Reply::Integer(s.entries_added as i64)),
        (k("recorded-first-entry-id"), id_reply(s.first_id)),
    ];
    if !full {
        m.push((k("groups"), Reply::Integer(s.groups.len() as i64)));
        let first = s
            .range(StreamId::MIN, StreamId::MAX, false)
            .next()
            .map_or(Reply::Nil, |(id, f)| entry_reply(id, f));
        let last = s
            .range(StreamId::MIN, StreamId::MAX, true)
            .next()
            .map_or(Reply::Nil, |(id, f)| entry_reply(id, f));
        m.push((k("first-entry"), first));
        m.push((k("last-entry"), last));
        return Reply::Map(m);
    }
    let limit = if count == 0 {
        usize::MAX
    } else {
        count as usize
    };
    m.push((
        k("entries"),
        Reply::Array(
            s.range(StreamId::MIN, StreamId::MAX, false)
                .take(limit)
                .map(|(id, f)| entry_reply(id, f))
                .collect(),
        ),
    ));
    let groups = s
        .groups
        .iter()
        .map(|(name, g)| {
            let pending = g
                .pel
                .iter()
                .take(limit)
                .map(|(id, p)| {
                    Reply::Array(vec![
                        id_reply(*id),
                        Reply::Bulk(p.consumer.clone()),
                        Reply::Integer(p.delivery_time as i64),
                        Reply::Integer(p.delivery_count as i64),
                    ])
                })
                .collect();
            let consumers = g
                .consumers
                .iter()
                .map(|(cname, c)| {
                    let cpel = c
                        .pel
                        .iter()
                        .take(limit)
                        .filter_map(|id| {
                            let p = g.pel.get(id)?;
                            Some(Reply::Array(vec![
                                id_reply(*id),
                                Reply::Integer(p.delivery_time as i64),
                                Reply::Integer(p.delivery_count as i64),
                            ]))
                        })
                        .collect();
                    Reply::Map(vec![
                        (k("name"), Reply::Bulk(cname.clone())),
                        (k("seen-time"), Reply::Integer(c.seen_time as i64)),
                        (k("pel-count"), Reply::Integer(c.pel.len() as i64)),
                        (k("pending"), Reply::Array(cpel)),
                    ])
                })
                .collect();
            Reply::Map(vec![
                (k("name"), Reply::Bulk(name.clone())),
                (k("last-delivered-id"), id_reply(g.last_id)),
                (k("entries-read"), entries_read_reply(g.entries_read)),
                (k("lag"), lag_reply(s, g)),
                (k("pel-count"), Reply::Integer(g.pel.len() as i64)),
                (k("pending"), Reply::Array(pending)),
                (k("consumers"), Reply::Array(consumers)),
            ])
        })
        .collect();
    m.push((k("groups"), Reply::Array(groups)));
    Reply::Map(m)
}
