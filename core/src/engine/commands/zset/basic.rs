//! ZADD, ZINCRBY, ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK, ZCOUNT,
//! ZLEXCOUNT, ZSCAN.

use crate::engine::shared::Shared;
use bytes::Bytes;

use super::{
    after_removal, limits, parse_lex_range, parse_score_range, read, remove_if_empty, score_arg,
    write, MINMAX_NOT_FLOAT, MINMAX_NOT_LEX,
};
use crate::engine::commands::scan::{self, ScanOpts};
use crate::engine::commands::{flatten, is_kw, SYNTAX_ERROR};
use crate::engine::types::zset::{AddFlags, AddResult, ZSet};
use crate::engine::value::Value;
use crate::engine::{Call, Engine};
use crate::resp::Reply;
use crate::util::glob;

/// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]
pub fn zadd(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(zadd_generic(e, call, false))
}

/// ZINCRBY key increment member (ZADD's code with INCR, as in Redis: the
/// option words are still recognised, so `ZINCRBY k nx m` is a syntax
/// error).
pub fn zincrby(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(zadd_generic(e, call, true))
}

fn zadd_generic(e: &mut Engine, call: &Call<'_>, incr_cmd: bool) -> Result<Reply, Reply> {
    let argv = call.argv;
    let key = &argv[1];
    let mut flags = AddFlags {
        incr: incr_cmd,
        ..AddFlags::default()
    };
    let mut ch = false;
    let mut idx = 2;
    while idx < argv.len() {
        let a = &argv[idx];
        if is_kw(a, "nx") {
            flags.nx = true;
        } else if is_kw(a, "xx") {
            flags.xx = true;
        } else if is_kw(a, "ch") {
            ch = true;
        } else if is_kw(a, "incr") {
            flags.incr = true;
        } else if is_kw(a, "gt") {
            flags.gt = true;
        } else if is_kw(a, "lt") {
            flags.lt = true;
        } else {
            break;
        }
        idx += 1;
    }
    let rest = &argv[idx..];
    if rest.is_empty() || !rest.len().is_multiple_of(2) {
        return Err(Reply::error(SYNTAX_ERROR));
    }
    if flags.nx && flags.xx {
        return Err(Reply::err(
            "XX and NX options at the same time are not compatible",
        ));
    }
    if (flags.nx && (flags.gt || flags.lt)) || (flags.gt && flags.lt) {
        return Err(Reply::err(
            "GT, LT, and/or NX options at the same time are not compatible",
        ));
    }
    if flags.incr && rest.len() > 2 {
        return Err(Reply::err(
            "INCR option supports a single increment-element pair",
        ));
    }
    // Every score is checked before anything changes (all or nothing).
    let mut pairs = Vec::with_capacity(rest.len() / 2);
    for p in rest.chunks_exact(2) {
        pairs.push((score_arg(&p[0])?, &p[1]));
    }
    let lim = limits(e);
    let db = call.db;
    let exists = write(&mut e.dbs[db], key, call.now)?.is_some();
    let nil_or_zero = || {
        if flags.incr {
            Reply::Nil
        } else {
            Reply::Integer(0)
        }
    };
    if !exists {
        if flags.xx {
            return Ok(nil_or_zero());
        }
        e.dbs[db].set(
            Bytes::copy_from_slice(key),
            Value::ZSet(Shared::new(ZSet::new())),
            call.now,
        );
    }
    let mut added = 0i64;
    let mut updated = 0i64;
    let mut processed = 0i64;
    let mut last = 0.0;
    let mut nan = false;
    if let Ok(Some(z)) = write(&mut e.dbs[db], key, call.now) {
        for (score, member) in pairs {
            match z.add(score, member, flags, lim) {
                AddResult::Added(s) => {
                    added += 1;
                    processed += 1;
                    last = s;
                }
                AddResult::Updated(s) => {
                    updated += 1;
                    processed += 1;
                    last = s;
                }
                AddResult::Same(s) => {
                    processed += 1;
                    last = s;
                }
                AddResult::Nop => {}
                AddResult::Nan => {
                    nan = true;
                    break;
                }
            }
        }
    }
    if !exists {
        // Only reachable with nothing added (never, in practice): Redis
        // keeps no empty set.
        remove_if_empty(&mut e.dbs[db], key);
    }
    if added + updated > 0 {
        e.signal_modified(db, key);
        e.notify_keyspace_event('z', if flags.incr { "zincr" } else { "zadd" }, key, db);
        if added > 0 {
            // Clients blocked in BZPOPMIN & co. may now be served (Redis
            // signals on key creation; any growth is signalled here, which
            // is a superset and harmless: served clients re-check).
            e.signal_key_ready(db, key);
        }
    }
    if nan {
        return Err(Reply::err("resulting score is not a number (NaN)"));
    }
    Ok(if flags.incr {
        if processed > 0 {
            Reply::Double(last)
        } else {
            Reply::Nil
        }
    } else if ch {
        Reply::Integer(added + updated)
    } else {
        Reply::Integer(added)
    })
}

/// ZREM key member [member ...]
pub fn zrem(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(zrem_inner(e, call))
}

fn zrem_inner(e: &mut Engine, call: &Call<'_>) -> Result<Reply, Reply> {
    let key = call.arg(1);
    let db = call.db;
    let Some(z) = write(&mut e.dbs[db], key, call.now)? else {
        return Ok(Reply::Integer(0));
    };
    let mut deleted = 0i64;
    for m in &call.argv[2..] {
        if z.remove(m).is_some() {
            deleted += 1;
        }
        if z.is_empty() {
            break;
        }
    }
    if deleted > 0 {
        let gone = remove_if_empty(&mut e.dbs[db], key);
        after_removal(e, db, key, "zrem", gone);
    }
    Ok(Reply::Integer(deleted))
}

/// ZCARD key
pub fn zcard(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    match read(e, call, call.arg(1)) {
        Err(r) => r,
        Ok(z) => Reply::Integer(z.map_or(0, |z| z.len() as i64)),
    }
}

/// ZSCORE key member
pub fn zscore(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    match read(e, call, call.arg(1)) {
        Err(r) => r,
        Ok(z) => match z.and_then(|z| z.score(call.arg(2))) {
            Some(s) => Reply::Double(s),
            None => Reply::Nil,
        },
    }
}

/// ZMSCORE key member [member ...]
pub fn zmscore(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    match read(e, call, call.arg(1)) {
        Err(r) => r,
        Ok(z) => Reply::Array(
            call.argv[2..]
                .iter()
                .map(|m| match z.and_then(|z| z.score(m)) {
                    Some(s) => Reply::Double(s),
                    None => Reply::Nil,
                })
                .collect(),
        ),
    }
}

/// ZRANK key member
pub fn zrank(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    rank_generic(e, call, false)
}

/// ZREVRANK key member
pub fn zrevrank(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    rank_generic(e, call, true)
}

fn rank_generic(e: &mut Engine, call: &Call<'_>, rev: bool) -> Reply {
    match read(e, call, call.arg(1)) {
        Err(r) => r,
        Ok(None) => Reply::Nil,
        Ok(Some(z)) => match z.rank(call.arg(2)) {
            None => Reply::Nil,
            Some(r) if rev => Reply::Integer((z.len() - 1 - r) as i64),
            Some(r) => Reply::Integer(r as i64),
        },
    }
}

/// ZCOUNT key min max
pub fn zcount(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let Some(range) = parse_score_range(call.arg(2), call.arg(3)) else {
        return Reply::error(MINMAX_NOT_FLOAT);
    };
    match read(e, call, call.arg(1)) {
        Err(r) => r,
        Ok(None) => Reply::Integer(0),
        Ok(Some(z)) => {
            let (a, b) = z.score_span(&range);
            Reply::Integer((b - a) as i64)
        }
    }
}

/// ZLEXCOUNT key min max
pub fn zlexcount(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let Some(range) = parse_lex_range(call.arg(2), call.arg(3)) else {
        return Reply::error(MINMAX_NOT_LEX);
    };
    match read(e, call, call.arg(1)) {
        Err(r) => r,
        Ok(None) => Reply::Integer(0),
        Ok(Some(z)) => {
            let (a, b) = z.lex_span(&range);
            Reply::Integer((b - a) as i64)
        }
    }
}

/// ZSCAN key cursor [MATCH pattern] [COUNT count]
pub fn zscan(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(zscan_inner(e, call))
}

fn zscan_inner(e: &mut Engine, call: &Call<'_>) -> Result<Reply, Reply> {
    let cursor = scan::cursor_arg(call.arg(2))?;
    let Some(z) = read(e, call, call.arg(1))? else {
        return Ok(scan::reply(0, Vec::new()));
    };
    let ScanOpts { count, pattern, .. } = scan::parse_opts(call.argv, 3, false)?;
    let mut out = Vec::new();
    let next = z.scan(cursor, count, |m, s| {
        if pattern.as_ref().is_none_or(|p| glob::matches(p, m, false)) {
            out.push(Reply::Bulk(m.clone()));
            out.push(Reply::Bulk(Bytes::from(crate::util::num::format_double(s))));
        }
    });
    Ok(scan::reply(next, out))
}
