//! Sorted-set commands, byte-exact with Redis 7.0 (`t_zset.c`'s behaviour).
//!
//! - `basic` holds ZADD, ZINCRBY, ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK,
//!   ZREVRANK, ZCOUNT, ZLEXCOUNT, ZSCAN;
//! - `range` holds the ZRANGE family (ZRANGE, ZRANGESTORE, ZREVRANGE,
//!   Z[REV]RANGEBYSCORE, Z[REV]RANGEBYLEX) and ZREMRANGEBY{RANK,SCORE,LEX};
//! - `pop` holds ZPOPMIN, ZPOPMAX, ZMPOP, ZRANDMEMBER and the pure pop
//!   functions the blocking variants (BZPOPMIN, BZPOPMAX, BZMPOP) share;
//! - `setops` holds ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD;
//! - `table` holds the command specs.
//!
//! Lookups follow Redis: reads (`lookupKeyRead`) count keyspace hits and
//! misses, writes (`lookupKeyWrite`) do not. Every real change calls
//! `signal_modified` and publishes Redis's event name; a set that becomes
//! empty is deleted (with a `del` event).

mod basic;
pub mod pop;
mod range;
mod setops;
mod table;

pub use table::COMMANDS;

use crate::engine::shared::Shared;
use bytes::Bytes;

use crate::engine::db::Db;
use crate::engine::types::zset::{LexBound, LexRange, Limits, ScoreRange, ZSet};
use crate::engine::value::{Value, WRONGTYPE};
use crate::engine::{Call, Engine, Time};
use crate::resp::{Protocol, Reply};
use crate::util::num::parse_double;

/// Redis's error for a score argument that is not a number.
pub const NOT_FLOAT: &str = "ERR value is not a valid float";
/// Redis's error for a bad BYSCORE bound.
pub const MINMAX_NOT_FLOAT: &str = "ERR min or max is not a float";
/// Redis's error for a bad BYLEX bound.
pub const MINMAX_NOT_LEX: &str = "ERR min or max not valid string range item";

/// The encoding thresholds from the live config.
pub fn limits(e: &Engine) -> Limits {
    let get = |name: &str, default: usize| {
        e.config
            .get_i64(name)
            .map_or(default, |n| usize::try_from(n).unwrap_or(0))
    };
    Limits {
        max_entries: get("zset-max-listpack-entries", 128),
        max_value: get("zset-max-listpack-value", 64),
    }
}

/// Does the client speak RESP3 (nested score pairs)?
fn resp3(e: &Engine, call: &Call<'_>) -> bool {
    e.client_proto(call.client) == Protocol::Resp3
}

/// The zset at `key` for reading (`lookupKeyRead`: counts a hit or miss);
/// `Ok(None)` when missing, WRONGTYPE for other types.
fn read<'a>(e: &'a mut Engine, call: &Call<'_>, key: &[u8]) -> Result<Option<&'a ZSet>, Reply> {
    let found = e.dbs[call.db].lookup(key, call.now);
    if found.is_some() {
        e.stats.keyspace_hits += 1;
    } else {
        e.stats.keyspace_misses += 1;
    }
    match found {
        None => Ok(None),
        Some(entry) => match &entry.value {
            Value::ZSet(z) => Ok(Some(z)),
            _ => Err(Reply::error(WRONGTYPE)),
        },
    }
}

/// The zset at `key` for writing (`lookupKeyWrite`: lazy expiry, no
/// statistics).
fn write<'a>(db: &'a mut Db, key: &[u8], now: Time) -> Result<Option<&'a mut ZSet>, Reply> {
    match db.lookup(key, now) {
        None => Ok(None),
        Some(entry) => match &mut entry.value {
            Value::ZSet(z) => Ok(Some(z)),
            _ => Err(Reply::error(WRONGTYPE)),
        },
    }
}

/// Delete `key` if its zset became empty; true if it did (the caller then
/// publishes `del`).
fn remove_if_empty(db: &mut Db, key: &[u8]) -> bool {
    let empty =
        matches!(db.keys.get(key), Some(en) if matches!(&en.value, Value::ZSet(z) if z.is_empty()));
    if empty {
        db.remove(key);
    }
    empty
}

/// The hooks after removing elements from `key`: `event` (class `z`), then
/// `del` if the key went away.
fn after_removal(e: &mut Engine, db: usize, key: &[u8], event: &str, removed_key: bool) {
    e.notify_keyspace_event('z', event, key, db);
    if removed_key {
        e.notify_keyspace_event('g', "del", key, db);
    }
    e.signal_modified(db, key);
}

/// Store `items` (any order) at `dst` as a new zset replacing whatever was
/// there (Redis's `setKey`, which also drops a TTL), or delete `dst` when
/// empty. Returns the reply (the stored length) and publishes `event`.
fn store_result(
    e: &mut Engine,
    call: &Call<'_>,
    dst: &[u8],
    items: Vec<(Bytes, f64)>,
    event: &str,
) -> Reply {
    let db = call.db;
    if items.is_empty() {
        if e.dbs[db].lookup(dst, call.now).is_some() {
            e.dbs[db].remove(dst);
            e.signal_modified(db, dst);
            e.notify_keyspace_event('g', "del", dst, db);
        }
        return Reply::Integer(0);
    }
    let lim = limits(e);
    let max_len = items.iter().map(|(m, _)| m.len()).max().unwrap_or(0);
    let mut z = ZSet::with_hint(items.len(), max_len, lim);
    for (m, s) in items {
        z.insert_new(s, m, lim);
    }
    let n = z.len() as i64;
    e.dbs[db].set(
        Bytes::copy_from_slice(dst),
        Value::ZSet(Shared::new(z)),
        call.now,
    );
    e.signal_modified(db, dst);
    e.notify_keyspace_event('z', event, dst, db);
    e.signal_key_ready(db, dst);
    Reply::Integer(n)
}

/// Members with scores as Redis replies them: a flat array in RESP2 (or
/// without scores), `[member, score]` pairs in RESP3.
pub fn scored_reply(items: Vec<(Bytes, f64)>, withscores: bool, resp3: bool) -> Reply {
    if !withscores {
        return Reply::Array(items.into_iter().map(|(m, _)| Reply::Bulk(m)).collect());
    }
    if resp3 {
        return Reply::Array(
            items
                .into_iter()
                .map(|(m, s)| Reply::Array(vec![Reply::Bulk(m), Reply::Double(s)]))
                .collect(),
        );
    }
    let mut out = Vec::with_capacity(items.len() * 2);
    for (m, s) in items {
        out.push(Reply::Bulk(m));
        out.push(Reply::Double(s));
    }
    Reply::Array(out)
}

/// C's `strtod` as `zslParseRange` uses it: leading whitespace skipped,
/// the text ends at a NUL byte, an empty text is 0 (nothing to convert,
/// nothing left over), overflow gives infinity and underflow 0, NaN
/// refused.
fn range_strtod(arg: &[u8]) -> Option<f64> {
    let s = match arg.iter().position(|&b| b == 0) {
        Some(nul) => &arg[..nul],
        None => arg,
    };
    if s.is_empty() {
        return Some(0.0);
    }
    let start = s
        .iter()
        .position(|&b| !matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r'))?;
    let rest = &s[start..];
    let v = match parse_double(rest) {
        Some(v) => v,
        // Out of range for a double: strtod still consumes it all.
        None => std::str::from_utf8(rest).ok()?.parse::<f64>().ok()?,
    };
    (!v.is_nan()).then_some(v)
}

/// One BYSCORE bound: `(x` exclusive, else inclusive.
fn score_bound(arg: &[u8]) -> Option<(f64, bool)> {
    match arg.first() {
        Some(b'(') => Some((range_strtod(&arg[1..])?, true)),
        _ => Some((range_strtod(arg)?, false)),
    }
}

/// Redis's `zslParseRange`.
pub fn parse_score_range(min: &[u8], max: &[u8]) -> Option<ScoreRange> {
    let (min, min_ex) = score_bound(min)?;
    let (max, max_ex) = score_bound(max)?;
    Some(ScoreRange {
        min,
        max,
        min_ex,
        max_ex,
    })
}

/// One BYLEX bound (`zslParseLexRangeItem`): `+`/`-` alone (the C string
/// may end at a NUL), `[x` or `(x`.
fn lex_bound(arg: &[u8]) -> Option<LexBound> {
    let alone = arg.len() == 1 || arg.get(1) == Some(&0);
    match arg.first() {
        Some(b'+') if alone => Some(LexBound::Max),
        Some(b'-') if alone => Some(LexBound::Min),
        Some(b'[') => Some(LexBound::Incl(Bytes::copy_from_slice(&arg[1..]))),
        Some(b'(') => Some(LexBound::Excl(Bytes::copy_from_slice(&arg[1..]))),
        _ => None,
    }
}

/// Redis's `zslParseLexRange`.
pub fn parse_lex_range(min: &[u8], max: &[u8]) -> Option<LexRange> {
    Some(LexRange {
        min: lex_bound(min)?,
        max: lex_bound(max)?,
    })
}

/// A score argument (`getDoubleFromObject`), or Redis's float error.
fn score_arg(b: &[u8]) -> Result<f64, Reply> {
    parse_double(b).ok_or_else(|| Reply::error(NOT_FLOAT))
}

#[cfg(test)]
mod tests;
