//! XADD, XTRIM, XDEL, XLEN, XSETID.

use bytes::Bytes;

use super::id::{parse_id_generic, parse_strict, ParsedId};
use super::{create_stream, id_reply, node_limits, read_stream, write_stream};
use crate::engine::commands::{int_arg, is_kw, SYNTAX_ERROR};
use crate::engine::types::stream::{AppendError, NewId, StreamId, Trim, TrimStrategy};
use crate::engine::{Call, Engine};
use crate::resp::Reply;

/// What XADD / XTRIM's option parser found.
struct AddTrimArgs {
    trim: Option<Trim>,
    no_mkstream: bool,
    /// The explicit ID (XADD), `None` for `*`.
    id: Option<ParsedId>,
    /// Index of the ID argument (XADD).
    id_pos: usize,
    /// Index of `~` and of the threshold after it, for an approximate trim
    /// (propagated as an exact one, as Redis 7.0 does).
    approx_pos: Option<(usize, usize)>,
}

/// Redis's `streamParseAddOrTrimArgsOrReply`.
fn parse_add_trim(e: &Engine, argv: &[Bytes], xadd: bool) -> Result<AddTrimArgs, Reply> {
    let mut strategy: Option<TrimStrategy> = None;
    let mut approx = false;
    let mut limit: i64 = 0;
    let mut limit_given = false;
    let mut no_mkstream = false;
    let mut id = None;
    let mut approx_pos = None;
    let mut i = 2;
    while i < argv.len() {
        let more = argv.len() - 1 - i;
        let opt = &argv[i][..];
        if xadd && opt == b"*" {
            break;
        } else if (is_kw(opt, "maxlen") || is_kw(opt, "minid")) && more > 0 {
            if strategy.is_some() {
                return Err(Reply::err(
                    "syntax error, MAXLEN and MINID options at the same time are not compatible",
                ));
            }
            approx = false;
            approx_pos = None;
            let next = &argv[i + 1][..];
            if more >= 2 && next == b"~" {
                approx = true;
                approx_pos = Some((i + 1, i + 2));
                i += 1;
            } else if more >= 2 && next == b"=" {
                i += 1;
            }
            if is_kw(opt, "maxlen") {
                let n = int_arg(&argv[i + 1])?;
                if n < 0 {
                    return Err(Reply::err("The MAXLEN argument must be >= 0."));
                }
                strategy = Some(TrimStrategy::MaxLen(n as u64));
            } else {
                strategy = Some(TrimStrategy::MinId(parse_strict(&argv[i + 1])?));
            }
            i += 1;
        } else if is_kw(opt, "limit") && more > 0 {
            limit = int_arg(&argv[i + 1])?;
            if limit < 0 {
                return Err(Reply::err("The LIMIT argument must be >= 0."));
            }
            limit_given = true;
            i += 1;
        } else if xadd && is_kw(opt, "nomkstream") {
            no_mkstream = true;
        } else if xadd {
            id = Some(parse_id_generic(opt, 0, true, true)?);
            break;
        } else {
            return Err(Reply::error(SYNTAX_ERROR));
        }
        i += 1;
    }
    if limit != 0 && strategy.is_none() {
        return Err(Reply::err(
            "syntax error, LIMIT cannot be used without specifying a trimming strategy",
        ));
    }
    if !xadd && strategy.is_none() {
        return Err(Reply::err(
            "syntax error, XTRIM must be called with a trimming strategy",
        ));
    }
    if e.prop.obeying() {
        // Replayed from the AOF: the threshold was made exact when it was
        // written, so no node limit applies (Redis's mustObeyClient).
        limit = 0;
    } else if limit_given {
        if !approx {
            return Err(Reply::err(
                "syntax error, LIMIT cannot be used without the special ~ option",
            ));
        }
    } else if approx {
        let per_node = e.config.get_i64("stream-node-max-entries").unwrap_or(100);
        limit = per_node.saturating_mul(100);
        if limit <= 0 || limit > 10000 {
            limit = 10000;
        }
    } else {
        limit = 0;
    }
    Ok(AddTrimArgs {
        trim: strategy.map(|strategy| Trim {
            strategy,
            approx,
            limit: limit as u64,
        }),
        no_mkstream,
        id,
        id_pos: i,
        approx_pos,
    })
}

/// The stream at `key` after a write, for propagation: its length and
/// first entry.
fn read_back(
    e: &mut Engine,
    call: &Call<'_>,
    key: &Bytes,
) -> Result<Option<(u64, StreamId)>, Reply> {
    Ok(write_stream(e, call, key)?.map(|s| {
        let first = s
            .range(StreamId::MIN, StreamId::MAX, false)
            .next()
            .map_or(StreamId::MIN, |(id, _)| id);
        (s.len(), first)
    }))
}

/// An approximate trim as Redis 7.0 propagates it: `=` and the exact
/// threshold it reached (the length for MAXLEN, the first ID for MINID).
fn exact_trim_args(
    argv: &mut [Bytes],
    pos: Option<(usize, usize)>,
    t: Trim,
    (len, first): (u64, StreamId),
) {
    let Some((tilde, threshold)) = pos else {
        return;
    };
    argv[tilde] = Bytes::from_static(b"=");
    argv[threshold] = Bytes::from(match t.strategy {
        TrimStrategy::MaxLen(_) => len.to_string(),
        TrimStrategy::MinId(_) => first.to_string(),
    });
}

/// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...]
pub fn xadd(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let args = match parse_add_trim(e, call.argv, true) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let field_pos = args.id_pos + 1;
    let nfields = call.argv.len().saturating_sub(field_pos);
    if nfields < 2 || nfields % 2 == 1 {
        return Reply::err("wrong number of arguments for 'xadd' command");
    }
    if let Some(p) = args.id {
        if p.seq_given && p.id.is_zero() {
            return Reply::err("The ID specified in XADD must be greater than 0-0");
        }
    }
    let key = call.argv[1].clone();
    match write_stream(e, call, &key) {
        Err(r) => return r,
        Ok(Some(_)) => {}
        Ok(None) => {
            if args.no_mkstream {
                return Reply::Nil;
            }
            create_stream(e, call, &key);
        }
    }
    let limits = node_limits(e);
    let fields: Vec<(Bytes, Bytes)> = call.argv[field_pos..]
        .chunks_exact(2)
        .map(|p| (Bytes::copy_from_slice(&p[0]), Bytes::copy_from_slice(&p[1])))
        .collect();
    let now_ms = call.now.ms();
    let Ok(Some(s)) = write_stream(e, call, &key) else {
        return Reply::err("no such key");
    };
    if s.last_id == StreamId::MAX {
        return Reply::err(
            "The stream has exhausted the last possible ID, unable to add more items",
        );
    }
    let new_id = match args.id {
        None => NewId::Auto(now_ms),
        Some(p) if p.seq_given => NewId::Explicit(p.id),
        Some(p) => NewId::Ms(p.id.ms),
    };
    let id = match s.append(new_id, fields, limits) {
        Ok(id) => id,
        Err(AppendError::NotGreater) => {
            return Reply::err(
                "The ID specified in XADD is equal or smaller than the target stream top item",
            )
        }
        Err(AppendError::TooLarge) => return Reply::err("Elements are too large to be stored"),
    };
    let trimmed = args.trim.map_or(0, |t| s.trim(t));
    if e.propagating() {
        // The generated ID and an approximate trim's outcome are
        // propagated as exact arguments (Redis 7.0).
        let mut argv = call.argv.to_vec();
        if args.id.is_none_or(|p| !p.seq_given) {
            argv[args.id_pos] = Bytes::from(id.to_string());
        }
        if let (Some(t), Some(Ok(Some(s)))) =
            (args.trim, args.approx_pos.map(|_| read_back(e, call, &key)))
        {
            exact_trim_args(&mut argv, args.approx_pos, t, s);
        }
        e.propagate_as(call.db, argv);
    }
    e.signal_modified(call.db, &key);
    e.notify_keyspace_event('t', "xadd", &key, call.db);
    if trimmed > 0 {
        e.notify_keyspace_event('t', "xtrim", &key, call.db);
    }
    e.signal_key_ready(call.db, &key);
    id_reply(id)
}

/// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]
pub fn xtrim(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let args = match parse_add_trim(e, call.argv, false) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let key = call.argv[1].clone();
    let s = match write_stream(e, call, &key) {
        Err(r) => return r,
        Ok(None) => return Reply::Integer(0),
        Ok(Some(s)) => s,
    };
    let deleted = args.trim.map_or(0, |t| s.trim(t));
    if deleted > 0 {
        if let (Some(t), true) = (args.trim, e.propagating() && args.approx_pos.is_some()) {
            let mut argv = call.argv.to_vec();
            if let Ok(Some(s)) = read_back(e, call, &key) {
                exact_trim_args(&mut argv, args.approx_pos, t, s);
            }
            e.propagate_as(call.db, argv);
        }
        e.notify_keyspace_event('t', "xtrim", &key, call.db);
        e.signal_modified(call.db, &key);
        super::add_dirty(e, deleted - 1);
    }
    Reply::Integer(deleted as i64)
}

/// XDEL key id [id ...]
pub fn xdel(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let key = call.argv[1].clone();
    match write_stream(e, call, &key) {
        Err(r) => return r,
        Ok(None) => return Reply::Integer(0),
        Ok(Some(_)) => {}
    }
    let mut ids = Vec::with_capacity(call.argv.len() - 2);
    for a in &call.argv[2..] {
        match parse_strict(a) {
            Ok(id) => ids.push(id),
            Err(r) => return r,
        }
    }
    let Ok(Some(s)) = write_stream(e, call, &key) else {
        return Reply::Integer(0);
    };
    let deleted = s.delete_ids(&ids);
    if deleted > 0 {
        e.signal_modified(call.db, &key);
        e.notify_keyspace_event('t', "xdel", &key, call.db);
        super::add_dirty(e, deleted - 1);
    }
    Reply::Integer(deleted as i64)
}

/// XLEN key
pub fn xlen(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let key = call.argv[1].clone();
    match read_stream(e, call, &key) {
        Err(r) => r,
        Ok(None) => Reply::Integer(0),
        Ok(Some(s)) => Reply::Integer(s.len() as i64),
    }
}

/// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]
pub fn xsetid(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let argv = call.argv;
    let id = match parse_strict(&argv[2]) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let mut entries_added: i64 = -1;
    let mut max_xdel = StreamId::MIN;
    let mut i = 3;
    while i < argv.len() {
        let more = argv.len() - 1 - i;
        if is_kw(&argv[i], "ENTRIESADDED") && more > 0 {
            entries_added = match int_arg(&argv[i + 1]) {
                Ok(n) => n,
                Err(r) => return r,
            };
            if entries_added < 0 {
                return Reply::err("entries_added must be positive");
            }
            i += 2;
        } else if is_kw(&argv[i], "MAXDELETEDID") && more > 0 {
            max_xdel = match parse_strict(&argv[i + 1]) {
                Ok(id) => id,
                Err(r) => return r,
            };
            if id < max_xdel {
                return Reply::err(
                    "The ID specified in XSETID is smaller than the provided max_deleted_entry_id",
                );
            }
            i += 2;
        } else {
            return Reply::error(SYNTAX_ERROR);
        }
    }
    let key = argv[1].clone();
    let s = match write_stream(e, call, &key) {
        Err(r) => return r,
        Ok(None) => return Reply::err("no such key"),
        Ok(Some(s)) => s,
    };
    if !s.is_empty() {
        let top = s.last_live_id().unwrap_or(StreamId::MIN);
        if id < top {
            return Reply::err(
                "The ID specified in XSETID is smaller than the target stream top item",
            );
        }
        if entries_added != -1 && s.len() > entries_added as u64 {
            return Reply::err(
                "The entries_added specified in XSETID is smaller than the target stream length",
            );
        }
    }
    s.last_id = id;
    if entries_added != -1 {
        s.entries_added = entries_added as u64;
    }
    if !max_xdel.is_zero() {
        s.max_deleted_entry_id = max_xdel;
    }
    // Redis 7.0.15's XSETID counts a change but does not touch WATCHers.
    super::add_dirty(e, 1);
    e.notify_keyspace_event('t', "xsetid", &key, call.db);
    Reply::ok()
}
