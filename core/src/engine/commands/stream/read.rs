//! XREAD and XREADGROUP.
//!
//! The non-blocking part lives here as two pure steps the blocking layer
//! reuses: [`parse_read`] validates the command and resolves `$` against
//! the streams as they are now (so a blocked reader later waits for entries
//! after *that* ID); [`serve_read`] answers from the current data, or
//! returns `None` when no stream has anything to give. With no BLOCK (or
//! when the client may not block, e.g. inside MULTI) `None` becomes the
//! null array; with BLOCK the blocking layer parks the client on
//! [`ReadRequest::keys`] and calls [`serve_read`] again whenever one of them
//! is signalled ready (XADD, XGROUP DESTROY...) until it answers or times
//! out.

use bytes::Bytes;

use super::id::parse_strict;
use super::{entry_reply, id_reply, read_stream, text};
use crate::engine::commands::{int_arg, is_kw, SYNTAX_ERROR};
use crate::engine::types::stream::StreamId;
use crate::engine::value::Value;
use crate::engine::{Call, Engine, Time};
use crate::resp::{Protocol, Reply};

/// Where to read a stream from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadFrom {
    /// Entries with IDs greater than this (`$` already resolved); for
    /// XREADGROUP, the consumer's pending history from after this ID.
    After(StreamId),
    /// `>`: entries never delivered to the group.
    NewForGroup,
}

/// A parsed XREAD / XREADGROUP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadRequest {
    /// BLOCK's deadline: `Some(0)` blocks forever, `Some(ms)` until unix ms.
    pub block_deadline_ms: Option<u64>,
    /// COUNT per stream (0: no limit).
    pub count: usize,
    /// XREADGROUP's group and consumer names.
    pub group: Option<(Bytes, Bytes)>,
    /// NOACK: do not add delivered entries to the PEL.
    pub noack: bool,
    /// The stream keys, in argument order.
    pub keys: Vec<Bytes>,
    /// Where to read each key from.
    pub from: Vec<ReadFrom>,
}

/// Parse XREAD / XREADGROUP (`argv[0]` tells which) exactly as Redis does,
/// checking key types and groups and resolving `$`.
pub fn parse_read(e: &mut Engine, call: &Call<'_>) -> Result<ReadRequest, Reply> {
    let argv = call.argv;
    let xreadgroup = argv[0].len() == 10;
    let mut block: Option<u64> = None;
    let mut count: usize = 0;
    let mut group = None;
    let mut noack = false;
    let mut streams_arg = 0;
    let mut i = 1;
    while i < argv.len() {
        let more = argv.len() - i - 1;
        let o = &argv[i];
        if is_kw(o, "BLOCK") && more > 0 {
            i += 1;
            block = Some(parse_timeout_ms(&argv[i], call.now)?);
        } else if is_kw(o, "COUNT") && more > 0 {
            i += 1;
            count = int_arg(&argv[i])?.max(0) as usize;
        } else if is_kw(o, "STREAMS") && more > 0 {
            streams_arg = i + 1;
            if !(argv.len() - streams_arg).is_multiple_of(2) {
                // Redis 7.0 names XREAD and '$' for both commands.
                return Err(Reply::err(
                    "Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
                ));
            }
            break;
        } else if is_kw(o, "GROUP") && more >= 2 {
            if !xreadgroup {
                return Err(Reply::err(
                    "The GROUP option is only supported by XREADGROUP. You called XREAD instead.",
                ));
            }
            group = Some((argv[i + 1].clone(), argv[i + 2].clone()));
            i += 2;
        } else if is_kw(o, "NOACK") {
            if !xreadgroup {
                return Err(Reply::err(
                    "The NOACK option is only supported by XREADGROUP. You called XREAD instead.",
                ));
            }
            noack = true;
        } else {
            return Err(Reply::error(SYNTAX_ERROR));
        }
        i += 1;
    }
    if streams_arg == 0 {
        return Err(Reply::error(SYNTAX_ERROR));
    }
    if xreadgroup && group.is_none() {
        return Err(Reply::err("Missing GROUP option for XREADGROUP"));
    }
    let n = (argv.len() - streams_arg) / 2;
    let mut keys = Vec::with_capacity(n);
    let mut from = Vec::with_capacity(n);
    for k in 0..n {
        let key = &argv[streams_arg + k];
        let arg = &argv[streams_arg + n + k];
        let s = read_stream(e, call, key)?;
        if let Some((g, _)) = &group {
            if !s.as_ref().is_some_and(|s| s.groups.contains_key(g)) {
                return Err(Reply::error(format!(
                    "NOGROUP No such key '{}' or consumer group '{}' in XREADGROUP with GROUP option",
                    text(key),
                    text(g)
                )));
            }
        }
        keys.push(key.clone());
        if &arg[..] == b"$" {
            if xreadgroup {
                return Err(Reply::err("The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set."));
            }
            from.push(ReadFrom::After(s.map_or(StreamId::MIN, |s| s.last_id)));
        } else if &arg[..] == b">" {
            if !xreadgroup {
                return Err(Reply::err("The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option."));
            }
            from.push(ReadFrom::NewForGroup);
        } else {
            let id = parse_strict(arg)?;
            // Redis marks `>` with the largest ID, so spelling that ID out
            // reads new entries too.
            if xreadgroup && id == StreamId::MAX {
                from.push(ReadFrom::NewForGroup);
            } else {
                from.push(ReadFrom::After(id));
            }
        }
    }
    Ok(ReadRequest {
        block_deadline_ms: block,
        count,
        group,
        noack,
        keys,
        from,
    })
}

/// Redis's `getTimeoutFromObjectOrReply` in milliseconds: 0 stays 0
/// (forever), anything else becomes an absolute unix-ms deadline.
fn parse_timeout_ms(arg: &Bytes, now: Time) -> Result<u64, Reply> {
    let t = crate::resp::parse_i64(arg)
        .ok_or_else(|| Reply::err("timeout is not an integer or out of range"))?;
    if t < 0 {
        return Err(Reply::err("timeout is negative"));
    }
    if t == 0 {
        return Ok(0);
    }
    // Redis 7.0 does not check the sum for overflow; saturate instead.
    Ok((t as u64).saturating_add(now.ms()))
}

/// Serve `req` from the streams of database `db` as they are at `now`, for
/// a client speaking `proto`. Returns `None` when no stream had anything to
/// serve (the caller replies with the null array, or blocks). Group reads
/// update the group's last ID, read counter, consumers and PEL.
pub fn serve_read(
    e: &mut Engine,
    db: usize,
    now: Time,
    proto: Protocol,
    req: &ReadRequest,
) -> Option<Reply> {
    let mut served: Vec<(Bytes, Reply)> = Vec::new();
    // What the group reads propagate (Redis 7.0: XCLAIM per delivery,
    // XGROUP SETID after NOACK reads).
    let mut ops: Vec<Vec<Bytes>> = Vec::new();
    let propagating = e.propagating();
    for (key, from) in req.keys.iter().zip(req.from.iter()) {
        let found = e.dbs[db].lookup(key, now);
        if found.is_some() {
            e.stats.keyspace_hits += 1;
        } else {
            e.stats.keyspace_misses += 1;
        }
        let Some(Value::Stream(s)) = found.map(|en| &mut en.value) else {
            continue;
        };
        let now_ms = now.ms();
        match &req.group {
            None => {
                let ReadFrom::After(gt) = *from else { continue };
                if s.is_empty() || s.last_live_id().is_none_or(|m| m <= gt) {
                    continue;
                }
                let start = gt.incr().unwrap_or(StreamId::MIN);
                let limit = if req.count == 0 {
                    usize::MAX
                } else {
                    req.count
                };
                let entries: Vec<Reply> = s
                    .range(start, StreamId::MAX, false)
                    .take(limit)
                    .map(|(id, f)| entry_reply(id, f))
                    .collect();
                served.push((key.clone(), Reply::Array(entries)));
            }
            Some((gname, cname)) => {
                let Some(g) = s.groups.get(gname) else {
                    continue;
                };
                let (serve, history, gt) = match *from {
                    ReadFrom::After(id) => (true, true, id),
                    ReadFrom::NewForGroup => {
                        let serve =
                            !s.is_empty() && s.last_live_id().is_some_and(|m| m > g.last_id);
                        (serve, false, g.last_id)
                    }
                };
                let mut created = false;
                // Redis creates (and refreshes) the consumer only when
                // there is something to serve.
                if !serve {
                    continue;
                }
                if let Some(g) = s.groups.get_mut(gname) {
                    if !g.consumers.contains_key(cname) {
                        g.create_consumer(cname, now_ms);
                        created = true;
                    }
                    if let Some(c) = g.consumers.get_mut(cname) {
                        c.seen_time = now_ms;
                    }
                }
                let mut reply = None;
                if serve {
                    let start = gt.incr().unwrap_or(StreamId::MIN);
                    let (r, ids) = if history {
                        serve_history(s, gname, cname, start, req.count, now_ms)
                    } else {
                        serve_new(s, gname, cname, start, req.count, req.noack, now_ms)
                    };
                    reply = Some(r);
                    if propagating {
                        if let Some(g) = s.groups.get(gname) {
                            group_read_ops(
                                &mut ops,
                                key,
                                gname,
                                cname,
                                g,
                                &ids,
                                now_ms,
                                req.noack && !history,
                                created,
                                history,
                            );
                        }
                    }
                }
                if created {
                    e.stats.dirty += 1;
                    e.notify_keyspace_event('t', "xgroup-createconsumer", key, db);
                }
                if let Some(r) = reply {
                    e.stats.dirty += 1;
                    served.push((key.clone(), r));
                }
            }
        }
    }
    if req.group.is_some() && ops.is_empty() {
        // Nothing to replay (a history read of deleted entries, a new
        // consumer only): Redis 7.0 propagates nothing either.
        e.propagate_nothing();
    }
    for argv in ops {
        e.propagate_as(db, argv);
    }
    if served.is_empty() {
        return None;
    }
    Some(match proto {
        Protocol::Resp2 => Reply::Array(
            served
                .into_iter()
                .map(|(k, v)| Reply::Array(vec![Reply::Bulk(k), v]))
                .collect(),
        ),
        Protocol::Resp3 => Reply::Map(
            served
                .into_iter()
                .map(|(k, v)| (Reply::Bulk(k), v))
                .collect(),
        ),
    })
}

/// The consumer's own pending entries from `start` (Redis's
/// `streamReplyWithRangeFromConsumerPEL`): deleted entries show as
/// `[id, nil]`; served ones count a delivery.
fn serve_history(
    s: &mut crate::engine::types::stream::Stream,
    gname: &Bytes,
    cname: &Bytes,
    start: StreamId,
    count: usize,
    now_ms: u64,
) -> (Reply, Vec<(StreamId, u64)>) {
    let ids: Vec<StreamId> = s
        .groups
        .get(gname)
        .and_then(|g| g.consumers.get(cname))
        .map(|c| {
            c.pel
                .range(start..)
                .take(if count == 0 { usize::MAX } else { count })
                .copied()
                .collect()
        })
        .unwrap_or_default();
    let mut out = Vec::with_capacity(ids.len());
    let mut delivered = Vec::new();
    for id in ids {
        match s.get(id) {
            Some(f) => {
                out.push(entry_reply(id, f));
                if let Some(p) = s.groups.get_mut(gname).and_then(|g| g.pel.get_mut(&id)) {
                    p.delivery_time = now_ms;
                    p.delivery_count = p.delivery_count.wrapping_add(1);
                    delivered.push((id, p.delivery_count));
                }
            }
            None => out.push(Reply::Array(vec![id_reply(id), Reply::NilArray])),
        }
    }
    (Reply::Array(out), delivered)
}

/// Redis 7.0's propagation of a group read: `XCLAIM key group consumer 0
/// id TIME ms RETRYCOUNT n FORCE JUSTID LASTID last` per delivered entry
/// (the group's last ID as it was after that entry), or after a NOACK
/// read `XGROUP SETID key group last ENTRIESREAD n` (with the consumer's
/// creation first, as nothing else creates it on replay). A history read
/// propagates nothing, as in Redis 7.0.15.
#[allow(clippy::too_many_arguments)]
fn group_read_ops(
    ops: &mut Vec<Vec<Bytes>>,
    key: &Bytes,
    gname: &Bytes,
    cname: &Bytes,
    g: &crate::engine::types::stream::ConsumerGroup,
    ids: &[(StreamId, u64)],
    now_ms: u64,
    noack: bool,
    created: bool,
    history: bool,
) {
    let b = |s: &'static str| Bytes::from_static(s.as_bytes());
    if history {
        // Redis 7.0.15 propagates nothing for a read of the consumer's own
        // pending entries (only their delivery counters move).
        return;
    }
    if noack {
        if created {
            ops.push(vec![
                b("XGROUP"),
                b("CREATECONSUMER"),
                key.clone(),
                gname.clone(),
                cname.clone(),
            ]);
        }
        if !ids.is_empty() || created {
            ops.push(super::group::setid_op(key, gname, g));
        }
        return;
    }
    for (id, count) in ids {
        // A new entry was the group's last ID when it was delivered.
        let last = *id;
        ops.push(super::group::claim_op(
            key, gname, cname, *id, now_ms, *count, last,
        ));
    }
}

/// New entries from `start` for the group (Redis's `streamReplyWithRange`
/// with a group): advances the group and records each delivery in the PEL
/// unless NOACK.
fn serve_new(
    s: &mut crate::engine::types::stream::Stream,
    gname: &Bytes,
    cname: &Bytes,
    start: StreamId,
    count: usize,
    noack: bool,
    now_ms: u64,
) -> (Reply, Vec<(StreamId, u64)>) {
    let entries: Vec<(StreamId, Reply)> = s
        .range(start, StreamId::MAX, false)
        .take(if count == 0 { usize::MAX } else { count })
        .map(|(id, f)| (id, entry_reply(id, f)))
        .collect();
    let mut out = Vec::with_capacity(entries.len());
    let mut delivered = Vec::with_capacity(entries.len());
    for (id, r) in entries {
        s.advance_group(gname, id);
        if !noack {
            if let Some(g) = s.groups.get_mut(gname) {
                let p = g.assign(id, cname);
                p.delivery_time = now_ms;
                p.delivery_count = 1;
            }
        }
        delivered.push((id, 1));
        out.push(r);
    }
    (Reply::Array(out), delivered)
}

/// XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]
/// and XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds]
/// [NOACK] STREAMS key [key ...] id [id ...]
pub fn xread(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let req = match parse_read(e, call) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let proto = e.client_proto(call.client);
    match serve_read(e, call.db, call.now, proto, &req) {
        Some(reply) => reply,
        // With BLOCK, park the client until a stream key is signalled.
        None if req.block_deadline_ms.is_some() => e.block_client_stream(call, req),
        None => Reply::NilArray,
    }
}

/// For a client blocked in XREADGROUP: the error that ends its wait when a
/// key it waits on stopped being a stream (deleted, or replaced by another
/// type) or its group was destroyed, as redis-server 7.0.15 answers them.
/// `None` while the wait is still valid (XREAD waits survive deletions).
pub fn blocked_reader_gone(e: &Engine, db: usize, req: &ReadRequest) -> Option<Reply> {
    let (gname, _) = req.group.as_ref()?;
    for key in &req.keys {
        match e.dbs.get(db)?.keys.get(key).map(|en| &en.value) {
            Some(Value::Stream(s)) => {
                if !s.groups.contains_key(gname) {
                    return Some(Reply::error(
                        "NOGROUP the consumer group this client was blocked on no longer exists",
                    ));
                }
            }
            _ => return Some(Reply::error("UNBLOCKED the stream key no longer exists")),
        }
    }
    None
}

/// Positions of the keys of an XREAD / XREADGROUP argument vector (movable
/// keys: the first half of what follows STREAMS), for key extraction
/// (COMMAND GETKEYS, ACL, WATCH-style checks). Empty when malformed.
pub fn key_positions(argv: &[Bytes]) -> Vec<usize> {
    let start = if argv.first().is_some_and(|a| a.len() == 10) {
        4
    } else {
        1
    };
    for i in start..argv.len() {
        if is_kw(&argv[i], "STREAMS") {
            let rest = argv.len() - i - 1;
            if rest == 0 || !rest.is_multiple_of(2) {
                return Vec::new();
            }
            return (i + 1..i + 1 + rest / 2).collect();
        }
    }
    Vec::new()
}
