//! XGROUP (and its subcommands), XACK, XPENDING, XCLAIM, XAUTOCLAIM.

use bytes::Bytes;

use super::id::{parse_id_generic, parse_strict, range_end, range_start};
use super::{
    add_dirty, create_stream, entry_reply, id_reply, no_key_or_group, read_stream,
    subcommand_syntax_error, text, write_stream,
};
use crate::engine::commands::{int_arg, is_kw, SYNTAX_ERROR};
use crate::engine::types::stream::{ConsumerGroup, Stream, StreamId, ENTRIES_READ_INVALID};
use crate::engine::{Call, Engine};
use crate::resp::{parse_i64, Reply};

/// XGROUP HELP's lines.
const XGROUP_HELP: &[&str] = &[
    "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CREATE <key> <groupname> <id|$> [option]",
    "    Create a new consumer group. Options are:",
    "    * MKSTREAM",
    "      Create the empty stream if it does not exist.",
    "    * ENTRIESREAD entries_read",
    "      Set the group's entries_read counter (internal use).",
    "CREATECONSUMER <key> <groupname> <consumer>",
    "    Create a new consumer in the specified group.",
    "DELCONSUMER <key> <groupname> <consumer>",
    "    Remove the specified consumer.",
    "DESTROY <key> <groupname>",
    "    Remove the specified group.",
    "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
    "    Set the current group ID and entries_read counter.",
    "HELP",
    "    Prints this help.",
];

/// XGROUP HELP
pub fn xgroup_help(_e: &mut Engine, _call: &mut Call<'_>) -> Reply {
    Reply::Array(XGROUP_HELP.iter().map(|l| Reply::status(l)).collect())
}

/// XGROUP with no subcommand (dispatch answers unknown subcommands itself).
pub fn xgroup_container(_e: &mut Engine, call: &mut Call<'_>) -> Reply {
    Reply::err(format!(
        "unknown subcommand '{}'. Try XGROUP HELP.",
        call.argv.get(1).map_or(String::new(), |a| text(a))
    ))
}

/// Redis's error when an ENTRIESREAD value is neither >= 0 nor -1.
const ENTRIESREAD_RANGE: &str = "ERR value for ENTRIESREAD must be positive or -1";

/// The checks every XGROUP subcommand but HELP shares: the key must be a
/// stream (unless CREATE ... MKSTREAM), and SETID / CREATECONSUMER /
/// DELCONSUMER need the group. Returns whether the stream exists.
fn xgroup_prelude(e: &mut Engine, call: &Call<'_>, mkstream: bool) -> Result<bool, Reply> {
    let key = &call.argv[2];
    let group = &call.argv[3];
    let s = write_stream(e, call, key)?;
    if !mkstream {
        let Some(s) = s else {
            return Err(Reply::err("The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically."));
        };
        let sub = call.spec.name;
        if !s.groups.contains_key(group)
            && matches!(sub, "setid" | "createconsumer" | "delconsumer")
        {
            return Err(Reply::error(format!(
                "NOGROUP No such consumer group '{}' for key name '{}'",
                text(group),
                text(key)
            )));
        }
        return Ok(true);
    }
    Ok(s.is_some())
}

/// XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD entries-read]
pub fn xgroup_create(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let argv = call.argv;
    let mut mkstream = false;
    let mut entries_read = ENTRIES_READ_INVALID;
    let mut i = 5;
    while i < argv.len() {
        if is_kw(&argv[i], "MKSTREAM") {
            mkstream = true;
            i += 1;
        } else if is_kw(&argv[i], "ENTRIESREAD") && i + 1 < argv.len() {
            entries_read = match int_arg(&argv[i + 1]) {
                Ok(n) => n,
                Err(r) => return r,
            };
            if entries_read < 0 && entries_read != ENTRIES_READ_INVALID {
                return Reply::error(ENTRIESREAD_RANGE);
            }
            i += 2;
        } else {
            return subcommand_syntax_error(call);
        }
    }
    let exists = match xgroup_prelude(e, call, mkstream) {
        Ok(x) => x,
        Err(r) => return r,
    };
    if argv.len() > 8 {
        return subcommand_syntax_error(call);
    }
    let key = argv[2].clone();
    let id = if &argv[4][..] == b"$" {
        match write_stream(e, call, &key) {
            Ok(Some(s)) => s.last_id,
            _ => StreamId::MIN,
        }
    } else {
        match parse_strict(&argv[4]) {
            Ok(id) => id,
            Err(r) => return r,
        }
    };
    if !exists {
        create_stream(e, call, &key);
        e.signal_modified(call.db, &key);
    }
    let Ok(Some(s)) = write_stream(e, call, &key) else {
        return Reply::err("no such key");
    };
    if s.groups.contains_key(&argv[3]) {
        return Reply::error("BUSYGROUP Consumer Group name already exists");
    }
    s.groups.insert(
        Bytes::copy_from_slice(&argv[3]),
        ConsumerGroup::new(id, entries_read),
    );
    add_dirty(e, 1);
    e.notify_keyspace_event('t', "xgroup-create", &key, call.db);
    Reply::ok()
}

/// XGROUP SETID key group id|$ [ENTRIESREAD entries-read]
pub fn xgroup_setid(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let argv = call.argv;
    // Redis checks the shape and ENTRIESREAD before looking at the key.
    if argv.len() != 5 && argv.len() != 7 {
        return subcommand_syntax_error(call);
    }
    let mut entries_read = ENTRIES_READ_INVALID;
    if argv.len() == 7 {
        if !is_kw(&argv[5], "ENTRIESREAD") {
            return subcommand_syntax_error(call);
        }
        entries_read = match int_arg(&argv[6]) {
            Ok(n) => n,
            Err(r) => return r,
        };
        if entries_read < 0 && entries_read != ENTRIES_READ_INVALID {
            return Reply::error(ENTRIESREAD_RANGE);
        }
    }
    if let Err(r) = xgroup_prelude(e, call, false) {
        return r;
    }
    let key = argv[2].clone();
    let Ok(Some(s)) = write_stream(e, call, &key) else {
        return Reply::err("no such key");
    };
    let id = if &argv[4][..] == b"$" {
        s.last_id
    } else {
        match parse_id_generic(&argv[4], 0, false, false) {
            Ok(p) => p.id,
            Err(r) => return r,
        }
    };
    if let Some(g) = s.groups.get_mut(&argv[3]) {
        g.last_id = id;
        g.entries_read = entries_read;
    }
    add_dirty(e, 1);
    e.notify_keyspace_event('t', "xgroup-setid", &key, call.db);
    Reply::ok()
}

/// XGROUP DESTROY key group
pub fn xgroup_destroy(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    if let Err(r) = xgroup_prelude(e, call, false) {
        return r;
    }
    let key = call.argv[2].clone();
    let Ok(Some(s)) = write_stream(e, call, &key) else {
        return Reply::Integer(0);
    };
    if s.groups.remove(&call.argv[3]).is_none() {
        return Reply::Integer(0);
    }
    add_dirty(e, 1);
    e.notify_keyspace_event('t', "xgroup-destroy", &key, call.db);
    // Readers blocked on the group must wake up to see it is gone.
    e.signal_key_ready(call.db, &key);
    Reply::Integer(1)
}

/// XGROUP CREATECONSUMER key group consumer
pub fn xgroup_createconsumer(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    if let Err(r) = xgroup_prelude(e, call, false) {
        return r;
    }
    let key = call.argv[2].clone();
    let now_ms = call.now.ms();
    let Ok(Some(s)) = write_stream(e, call, &key) else {
        return Reply::Integer(0);
    };
    let created = s
        .groups
        .get_mut(&call.argv[3])
        .is_some_and(|g| g.create_consumer(&call.argv[4], now_ms));
    if !created {
        return Reply::Integer(0);
    }
    add_dirty(e, 1);
    e.notify_keyspace_event('t', "xgroup-createconsumer", &key, call.db);
    Reply::Integer(1)
}

/// XGROUP DELCONSUMER key group consumer
pub fn xgroup_delconsumer(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    if let Err(r) = xgroup_prelude(e, call, false) {
        return r;
    }
    let key = call.argv[2].clone();
    let Ok(Some(s)) = write_stream(e, call, &key) else {
        return Reply::Integer(0);
    };
    let pending = s
        .groups
        .get_mut(&call.argv[3])
        .and_then(|g| g.delete_consumer(&call.argv[4]));
    let Some(pending) = pending else {
        return Reply::Integer(0);
    };
    add_dirty(e, 1);
    e.notify_keyspace_event('t', "xgroup-delconsumer", &key, call.db);
    Reply::Integer(pending as i64)
}

/// XACK key group id [id ...]
pub fn xack(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let key = call.argv[1].clone();
    let has_group = match read_stream(e, call, &key) {
        Err(r) => return r,
        Ok(s) => s.is_some_and(|s| s.groups.contains_key(&call.argv[2])),
    };
    if !has_group {
        return Reply::Integer(0);
    }
    let mut ids = Vec::with_capacity(call.argv.len() - 3);
    for a in &call.argv[3..] {
        match parse_strict(a) {
            Ok(id) => ids.push(id),
            Err(r) => return r,
        }
    }
    let Ok(Some(s)) = write_stream(e, call, &key) else {
        return Reply::Integer(0);
    };
    let Some(g) = s.groups.get_mut(&call.argv[2]) else {
        return Reply::Integer(0);
    };
    let acked = ids.iter().filter(|&&id| g.ack(id)).count() as u64;
    add_dirty(e, acked);
    Reply::Integer(acked as i64)
}

/// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]
pub fn xpending(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let argv = call.argv;
    let argc = argv.len();
    if argc != 3 && !(6..=9).contains(&argc) {
        return Reply::error(SYNTAX_ERROR);
    }
    let mut range = None;
    let mut min_idle: i64 = 0;
    let mut consumer: Option<&Bytes> = None;
    if argc >= 6 {
        let mut at = 3;
        if is_kw(&argv[3], "IDLE") {
            min_idle = match int_arg(&argv[4]) {
                Ok(n) => n,
                Err(r) => return r,
            };
            if argc < 8 {
                return Reply::error(SYNTAX_ERROR);
            }
            at += 2;
        }
        let count = match int_arg(&argv[at + 2]) {
            Ok(n) => n.max(0),
            Err(r) => return r,
        };
        let start = match range_start(&argv[at]) {
            Ok(id) => id,
            Err(r) => return r,
        };
        let end = match range_end(&argv[at + 1]) {
            Ok(id) => id,
            Err(r) => return r,
        };
        if at + 3 < argc {
            consumer = Some(&argv[at + 3]);
        }
        range = Some((start, end, count as u64));
    }
    let key = argv[1].clone();
    let now_ms = call.now.ms() as i64;
    let s = match read_stream(e, call, &key) {
        Err(r) => return r,
        Ok(s) => s,
    };
    let Some(g) = s.and_then(|s| s.groups.get(&argv[2])) else {
        return no_key_or_group(&key, &argv[2]);
    };
    let Some((start, end, mut count)) = range else {
        // The summary form.
        let (Some(first), Some(last)) = (g.pel.keys().next(), g.pel.keys().next_back()) else {
            return Reply::Array(vec![
                Reply::Integer(0),
                Reply::Nil,
                Reply::Nil,
                Reply::NilArray,
            ]);
        };
        let owners = g
            .consumers
            .iter()
            .filter(|(_, c)| !c.pel.is_empty())
            .map(|(name, c)| {
                Reply::Array(vec![
                    Reply::Bulk(name.clone()),
                    Reply::Bulk(Bytes::from(c.pel.len().to_string())),
                ])
            })
            .collect();
        return Reply::Array(vec![
            Reply::Integer(g.pel.len() as i64),
            id_reply(*first),
            id_reply(*last),
            Reply::Array(owners),
        ]);
    };
    let ids: Vec<StreamId> = match consumer {
        Some(name) => match g.consumers.get(name) {
            None => return Reply::Array(Vec::new()),
            Some(c) => {
                if start > end {
                    Vec::new()
                } else {
                    c.pel.range(start..=end).copied().collect()
                }
            }
        },
        None => {
            if start > end {
                Vec::new()
            } else {
                g.pel.range(start..=end).map(|(k, _)| *k).collect()
            }
        }
    };
    let mut out = Vec::new();
    for id in ids {
        if count == 0 {
            break;
        }
        let Some(p) = g.pel.get(&id) else { continue };
        let idle = now_ms.saturating_sub(p.delivery_time as i64);
        if min_idle != 0 && idle < min_idle {
            continue;
        }
        count -= 1;
        out.push(Reply::Array(vec![
            id_reply(id),
            Reply::Bulk(p.consumer.clone()),
            Reply::Integer(idle.max(0)),
            Reply::Integer(p.delivery_count as i64),
        ]));
    }
    Reply::Array(out)
}

/// Claim the pending entry `id` of group `gname` for consumer `cname`
/// (creating the consumer if needed, with its notification).
fn claim_one(
    s: &mut Stream,
    gname: &[u8],
    cname: &Bytes,
    id: StreamId,
    now_ms: u64,
    created: &mut bool,
) -> Option<()> {
    let g = s.groups.get_mut(gname)?;
    if !g.consumers.contains_key(cname) {
        g.create_consumer(cname, now_ms);
        *created = true;
    }
    if let Some(c) = g.consumers.get_mut(cname) {
        c.seen_time = now_ms;
    }
    g.assign(id, cname);
    Some(())
}

/// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-ms]
/// [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]
pub fn xclaim(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let argv = call.argv;
    let key = argv[1].clone();
    let gname = argv[2].clone();
    let has_group = match read_stream(e, call, &key) {
        Err(r) => return r,
        Ok(s) => s.is_some_and(|s| s.groups.contains_key(&gname)),
    };
    if !has_group {
        return no_key_or_group(&key, &gname);
    }
    let min_idle = match parse_i64(&argv[4]) {
        Some(n) => n.max(0),
        None => return Reply::err("Invalid min-idle-time argument for XCLAIM"),
    };
    let mut ids = Vec::new();
    let mut j = 5;
    while j < argv.len() {
        match parse_strict(&argv[j]) {
            Ok(id) => ids.push(id),
            Err(_) => break,
        }
        j += 1;
    }
    let now = call.now.ms() as i64;
    let mut force = false;
    let mut justid = false;
    let mut retrycount: i64 = -1;
    let mut delivery: i64 = -1;
    let mut last_id = StreamId::MIN;
    while j < argv.len() {
        let more = argv.len() - 1 - j;
        let opt = &argv[j];
        if is_kw(opt, "FORCE") {
            force = true;
        } else if is_kw(opt, "JUSTID") {
            justid = true;
        } else if is_kw(opt, "IDLE") && more > 0 {
            j += 1;
            match parse_i64(&argv[j]) {
                Some(n) => delivery = now.wrapping_sub(n),
                None => return Reply::err("Invalid IDLE option argument for XCLAIM"),
            }
        } else if is_kw(opt, "TIME") && more > 0 {
            j += 1;
            match parse_i64(&argv[j]) {
                Some(n) => delivery = n,
                None => return Reply::err("Invalid TIME option argument for XCLAIM"),
            }
        } else if is_kw(opt, "RETRYCOUNT") && more > 0 {
            j += 1;
            match parse_i64(&argv[j]) {
                Some(n) => retrycount = n,
                None => return Reply::err("Invalid RETRYCOUNT option argument for XCLAIM"),
            }
        } else if is_kw(opt, "LASTID") && more > 0 {
            j += 1;
            match parse_strict(&argv[j]) {
                Ok(id) => last_id = id,
                Err(r) => return r,
            }
        } else {
            return Reply::err(format!("Unrecognized XCLAIM option '{}'", text(opt)));
        }
        j += 1;
    }
    let delivery = if delivery != -1 {
        if delivery < 0 || delivery > now {
            now
        } else {
            delivery
        }
    } else {
        now
    };
    let now_ms = call.now.ms();
    let cname = argv[3].clone();
    let Ok(Some(s)) = write_stream(e, call, &key) else {
        return Reply::Array(Vec::new());
    };
    let mut dirty = 0u64;
    let mut created = false;
    let mut last_moved = false;
    if let Some(g) = s.groups.get_mut(&gname) {
        if last_id > g.last_id {
            g.last_id = last_id;
            dirty += 1;
            last_moved = true;
        }
    }
    let mut out = Vec::new();
    let mut ops = Vec::new();
    for id in ids {
        let exists = s.contains(id);
        let Some(g) = s.groups.get_mut(&gname) else {
            break;
        };
        if !exists {
            // Propagated under the entry's owner, as Redis names the NACK's
            // consumer.
            let nack = g
                .pel
                .get(&id)
                .map(|p| (p.consumer.clone(), p.delivery_time, p.delivery_count));
            if g.ack(id) {
                dirty += 1;
                if let Some((owner, t, n)) = nack {
                    ops.push(claim_op(&key, &gname, &owner, id, t, n, g.last_id));
                }
            }
            continue;
        }
        let pending = g.pel.get(&id).map(|p| p.delivery_time);
        match pending {
            None if !force => continue,
            Some(t) if min_idle != 0 && now - (t as i64) < min_idle => continue,
            _ => {}
        }
        claim_one(s, &gname, &cname, id, now_ms, &mut created);
        if let Some(g) = s.groups.get_mut(&gname) {
            let last = g.last_id;
            if let Some(p) = g.pel.get_mut(&id) {
                p.delivery_time = delivery as u64;
                if retrycount >= 0 {
                    p.delivery_count = retrycount as u64;
                } else if !justid {
                    p.delivery_count = p.delivery_count.wrapping_add(1);
                }
                ops.push(claim_op(
                    &key,
                    &gname,
                    &cname,
                    id,
                    p.delivery_time,
                    p.delivery_count,
                    last,
                ));
            }
        }
        if justid {
            out.push(id_reply(id));
        } else {
            match s.get(id) {
                Some(f) => out.push(entry_reply(id, f)),
                None => out.push(Reply::Nil),
            }
        }
        dirty += 1;
    }
    let setid = (ops.is_empty() && last_moved)
        .then(|| s.groups.get(&gname).map(|g| setid_op(&key, &gname, g)))
        .flatten();
    if created {
        add_dirty(e, 1);
        e.notify_keyspace_event('t', "xgroup-createconsumer", &key, call.db);
    }
    add_dirty(e, dirty);
    // Replayed with the times and counts it set, not the replay's clock.
    for op in ops.into_iter().chain(setid) {
        e.propagate_as(call.db, op);
    }
    Reply::Array(out)
}

/// Redis 7.0's propagation of one claim (XCLAIM, XAUTOCLAIM, group reads):
/// `XCLAIM key group consumer 0 id TIME ms RETRYCOUNT n FORCE JUSTID
/// LASTID last`.
pub(super) fn claim_op(
    key: &Bytes,
    gname: &Bytes,
    cname: &Bytes,
    id: StreamId,
    time: u64,
    count: u64,
    last: StreamId,
) -> Vec<Bytes> {
    let b = |s: &'static str| Bytes::from_static(s.as_bytes());
    vec![
        b("XCLAIM"),
        key.clone(),
        gname.clone(),
        cname.clone(),
        b("0"),
        Bytes::from(id.to_string()),
        b("TIME"),
        Bytes::from(time.to_string()),
        b("RETRYCOUNT"),
        Bytes::from(count.to_string()),
        b("FORCE"),
        b("JUSTID"),
        b("LASTID"),
        Bytes::from(last.to_string()),
    ]
}

/// `XGROUP SETID key group last ENTRIESREAD n`: a group's position.
pub(super) fn setid_op(
    key: &Bytes,
    gname: &Bytes,
    g: &crate::engine::types::stream::ConsumerGroup,
) -> Vec<Bytes> {
    vec![
        Bytes::from_static(b"XGROUP"),
        Bytes::from_static(b"SETID"),
        key.clone(),
        gname.clone(),
        Bytes::from(g.last_id.to_string()),
        Bytes::from_static(b"ENTRIESREAD"),
        Bytes::from(g.entries_read.to_string()),
    ]
}

/// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
pub fn xautoclaim(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let argv = call.argv;
    let min_idle = match parse_i64(&argv[4]) {
        Some(n) => n.max(0),
        None => return Reply::err("Invalid min-idle-time argument for XAUTOCLAIM"),
    };
    let start = match range_start(&argv[5]) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let mut count: i64 = 100;
    let mut justid = false;
    let max_count = i64::MAX / 16;
    let mut j = 6;
    while j < argv.len() {
        let more = argv.len() - 1 - j;
        if is_kw(&argv[j], "COUNT") && more > 0 {
            match parse_i64(&argv[j + 1]) {
                Some(n) if (1..=max_count).contains(&n) => count = n,
                _ => return Reply::err("COUNT must be > 0"),
            }
            j += 1;
        } else if is_kw(&argv[j], "JUSTID") {
            justid = true;
        } else {
            return Reply::error(SYNTAX_ERROR);
        }
        j += 1;
    }
    let key = argv[1].clone();
    let gname = argv[2].clone();
    let has_group = match read_stream(e, call, &key) {
        Err(r) => return r,
        Ok(s) => s.is_some_and(|s| s.groups.contains_key(&gname)),
    };
    if !has_group {
        return no_key_or_group(&key, &gname);
    }
    let now = call.now.ms() as i64;
    let now_ms = call.now.ms();
    let cname = argv[3].clone();
    let Ok(Some(s)) = write_stream(e, call, &key) else {
        return Reply::Array(Vec::new());
    };
    let mut attempts = count.saturating_mul(10);
    let mut dirty = 0u64;
    let mut created = false;
    let mut claimed = Vec::new();
    let mut deleted = Vec::new();
    let mut ops = Vec::new();
    // The candidates: PEL entries from `start`, one more than the attempts
    // allow so the cursor for the next call is known.
    let cand: Vec<StreamId> = s.groups.get(&gname).map_or(Vec::new(), |g| {
        g.pel
            .range(start..)
            .map(|(k, _)| *k)
            .take(
                usize::try_from(attempts)
                    .unwrap_or(usize::MAX)
                    .saturating_add(1),
            )
            .collect()
    });
    let mut idx = 0;
    while attempts > 0 && count > 0 && idx < cand.len() {
        attempts -= 1;
        let id = cand[idx];
        idx += 1;
        if !s.contains(id) {
            if let Some(g) = s.groups.get_mut(&gname) {
                if let Some(p) = g.pel.get(&id) {
                    ops.push(claim_op(
                        &key,
                        &gname,
                        &p.consumer,
                        id,
                        p.delivery_time,
                        p.delivery_count,
                        g.last_id,
                    ));
                }
                g.ack(id);
            }
            dirty += 1;
            deleted.push(id_reply(id));
            count -= 1;
            continue;
        }
        let t = s
            .groups
            .get(&gname)
            .and_then(|g| g.pel.get(&id))
            .map_or(0, |p| p.delivery_time as i64);
        if min_idle != 0 && now - t < min_idle {
            continue;
        }
        claim_one(s, &gname, &cname, id, now_ms, &mut created);
        if let Some(g) = s.groups.get_mut(&gname) {
            let last = g.last_id;
            if let Some(p) = g.pel.get_mut(&id) {
                p.delivery_time = now_ms;
                if !justid {
                    p.delivery_count = p.delivery_count.wrapping_add(1);
                }
                ops.push(claim_op(
                    &key,
                    &gname,
                    &cname,
                    id,
                    p.delivery_time,
                    p.delivery_count,
                    last,
                ));
            }
        }
        if justid {
            claimed.push(id_reply(id));
        } else {
            match s.get(id) {
                Some(f) => claimed.push(entry_reply(id, f)),
                None => claimed.push(Reply::Nil),
            }
        }
        count -= 1;
        dirty += 1;
    }
    let next = cand.get(idx).copied();
    let end = next.unwrap_or(StreamId::MIN);
    if created {
        add_dirty(e, 1);
        e.notify_keyspace_event('t', "xgroup-createconsumer", &key, call.db);
    }
    add_dirty(e, dirty);
    if ops.is_empty() {
        e.propagate_nothing();
    }
    for op in ops {
        e.propagate_as(call.db, op);
    }
    Reply::Array(vec![
        id_reply(end),
        Reply::Array(claimed),
        Reply::Array(deleted),
    ])
}
