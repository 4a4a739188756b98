//! Hash commands, byte-exact with Redis 7.0 (`t_hash.c`'s behaviour).
//!
//! - this module: the lookups and the SCAN option grammar shared with the
//!   set group, and the field/value commands;
//! - `random` holds HRANDFIELD;
//! - `table` holds the command specs.
//!
//! Every modification calls `signal_modified` and publishes Redis's event
//! (`hset`, `hdel`, `hincrby`, `hincrbyfloat`, and `del` when the last
//! field goes and the key is deleted).

pub(super) mod random;
mod table;

pub use table::COMMANDS;

use crate::engine::shared::Shared;
use bytes::Bytes;

use super::{flatten, int_arg, is_kw, SYNTAX_ERROR};
use crate::engine::commands::scan;
use crate::engine::types::hash::{Hash, HashLimits};
use crate::engine::value::{Value, WRONGTYPE};
use crate::engine::{Call, Engine};
use crate::resp::{parse_i64, Reply};
use crate::util::glob;
use crate::util::num::LongDouble;

/// Look `key` up for reading, counting a keyspace hit or miss (Redis's
/// `lookupKeyRead`).
pub(super) fn lookup_read<'e>(
    e: &'e mut Engine,
    call: &Call<'_>,
    key: &[u8],
) -> Option<&'e mut Value> {
    let found = e.dbs[call.db].lookup(key, call.now);
    if found.is_some() {
        e.stats.keyspace_hits += 1;
    } else {
        e.stats.keyspace_misses += 1;
    }
    found.map(|entry| &mut entry.value)
}

/// Look `key` up for writing: lazy expiry, no statistics (`lookupKeyWrite`).
pub(super) fn lookup_write<'e>(
    e: &'e mut Engine,
    call: &Call<'_>,
    key: &[u8],
) -> Option<&'e mut Value> {
    e.dbs[call.db]
        .lookup(key, call.now)
        .map(|entry| &mut entry.value)
}

/// The thresholds of the hash encodings, from the live config.
fn limits(e: &Engine) -> HashLimits {
    let d = HashLimits::default();
    let get = |name: &str, dflt: usize| {
        e.config
            .get_i64(name)
            .map_or(dflt, |n| usize::try_from(n).unwrap_or(0))
    };
    HashLimits {
        max_entries: get("hash-max-listpack-entries", d.max_entries),
        max_value: get("hash-max-listpack-value", d.max_value),
    }
}

/// The hash at `key` for reading: `None` when missing, WRONGTYPE for other types.
fn read_hash<'e>(
    e: &'e mut Engine,
    call: &Call<'_>,
    key: &[u8],
) -> Result<Option<&'e mut Hash>, Reply> {
    match lookup_read(e, call, key) {
        None => Ok(None),
        Some(Value::Hash(h)) => Ok(Some(h)),
        Some(_) => Err(Reply::error(WRONGTYPE)),
    }
}

/// The hash at `key` for writing: `None` when missing, WRONGTYPE for other types.
fn write_hash<'e>(
    e: &'e mut Engine,
    call: &Call<'_>,
    key: &[u8],
) -> Result<Option<&'e mut Hash>, Reply> {
    match lookup_write(e, call, key) {
        None => Ok(None),
        Some(Value::Hash(h)) => Ok(Some(h)),
        Some(_) => Err(Reply::error(WRONGTYPE)),
    }
}

/// Redis's `hashTypeLookupWriteOrCreate` split in two: check the type now,
/// create the (empty) hash only when a field is actually written, so that
/// an error never leaves an empty key behind.
fn check_writable(e: &mut Engine, call: &Call<'_>, key: &[u8]) -> Result<(), Reply> {
    write_hash(e, call, key).map(|_| ())
}

/// Set fields of the hash at `key` (created when missing); returns how
/// many were new. The type was checked by the caller.
fn set_fields<'a>(
    e: &mut Engine,
    call: &Call<'_>,
    key: &[u8],
    pairs: impl Iterator<Item = (&'a Bytes, Bytes)>,
) -> i64 {
    let lim = limits(e);
    let seed = e.random_u64();
    let db = &mut e.dbs[call.db];
    if !db.keys.contains_key(key) {
        db.set(
            Bytes::copy_from_slice(key),
            Value::Hash(Shared::new(Hash::new())),
            call.now,
        );
    }
    let Some(Value::Hash(h)) = db.entry_mut(key).map(|entry| &mut entry.value) else {
        return 0;
    };
    let mut added = 0;
    for (f, v) in pairs {
        if h.set(Bytes::copy_from_slice(f), v, lim, seed) {
            added += 1;
        }
    }
    added
}

/// Publish a hash modification.
fn modified(e: &mut Engine, call: &Call<'_>, key: &[u8], event: &str) {
    e.signal_modified(call.db, key);
    e.notify_keyspace_event('h', event, key, call.db);
}

/// Copy a value argument out of the request buffer.
fn owned(b: &Bytes) -> Bytes {
    Bytes::copy_from_slice(b)
}

/// HSET / HMSET body: pairs after the key; `hmset` answers +OK.
fn hset_generic(e: &mut Engine, call: &Call<'_>, hmset: bool) -> Result<Reply, Reply> {
    if call.argv.len() % 2 == 1 {
        return Err(Reply::err(format!(
            "wrong number of arguments for '{}' command",
            call.spec.name
        )));
    }
    let key = call.arg(1);
    check_writable(e, call, key)?;
    let pairs = call.argv[2..]
        .chunks_exact(2)
        .map(|p| (&p[0], owned(&p[1])));
    let added = set_fields(e, call, key, pairs);
    modified(e, call, key, "hset");
    Ok(if hmset {
        Reply::ok()
    } else {
        Reply::Integer(added)
    })
}

/// HSET key field value [field value ...]
pub(super) fn hset(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(hset_generic(e, call, false))
}

/// HMSET key field value [field value ...] (deprecated HSET answering +OK)
pub(super) fn hmset(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(hset_generic(e, call, true))
}

/// HSETNX key field value
pub(super) fn hsetnx(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten((|| {
        let key = call.arg(1);
        let field = call.arg(2);
        if write_hash(e, call, key)?.is_some_and(|h| h.contains(field)) {
            return Ok(Reply::Integer(0));
        }
        set_fields(e, call, key, std::iter::once((field, owned(call.arg(3)))));
        modified(e, call, key, "hset");
        Ok(Reply::Integer(1))
    })())
}

/// HGET key field
pub(super) fn hget(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(read_hash(e, call, call.arg(1)).map(|h| {
        h.and_then(|h| h.get(call.arg(2)).cloned())
            .map_or(Reply::Nil, Reply::Bulk)
    }))
}

/// HMGET key field [field ...]: nils for a missing key.
pub(super) fn hmget(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(read_hash(e, call, call.arg(1)).map(|h| {
        let h = h.map(|h| &*h);
        Reply::Array(
            call.argv[2..]
                .iter()
                .map(|f| {
                    h.and_then(|h| h.get(f).cloned())
                        .map_or(Reply::Nil, Reply::Bulk)
                })
                .collect(),
        )
    }))
}

/// HDEL key field [field ...]
pub(super) fn hdel(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten((|| {
        let key = call.arg(1);
        let Some(h) = write_hash(e, call, key)? else {
            return Ok(Reply::Integer(0));
        };
        let mut deleted = 0;
        for f in &call.argv[2..] {
            if h.remove(f) {
                deleted += 1;
                if h.is_empty() {
                    break;
                }
            }
        }
        let emptied = h.is_empty();
        if deleted > 0 {
            if emptied {
                e.dbs[call.db].remove(key);
            }
            modified(e, call, key, "hdel");
            if emptied {
                e.notify_keyspace_event('g', "del", key, call.db);
            }
        }
        Ok(Reply::Integer(deleted))
    })())
}

/// A read of one hash answering an integer, 0 when the key is missing.
fn int_of(e: &mut Engine, call: &Call<'_>, f: impl FnOnce(&Hash) -> usize) -> Reply {
    flatten(
        read_hash(e, call, call.arg(1))
            .map(|h| Reply::Integer(h.map_or(0, |h| i64::try_from(f(h)).unwrap_or(i64::MAX)))),
    )
}

/// HLEN key
pub(super) fn hlen(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    int_of(e, call, Hash::len)
}

/// HSTRLEN key field
pub(super) fn hstrlen(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let field = call.arg(2).clone();
    int_of(e, call, |h| h.get(&field).map_or(0, Bytes::len))
}

/// HEXISTS key field
pub(super) fn hexists(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let field = call.arg(2).clone();
    int_of(e, call, |h| usize::from(h.contains(&field)))
}

/// What HKEYS / HVALS / HGETALL return.
#[derive(Clone, Copy, PartialEq)]
enum Part {
    Keys,
    Values,
    Both,
}

/// Redis's `genericHgetallCommand`.
fn hgetall_generic(e: &mut Engine, call: &Call<'_>, part: Part) -> Reply {
    flatten(read_hash(e, call, call.arg(1)).map(|h| {
        let Some(h) = h else {
            return if part == Part::Both {
                Reply::Map(Vec::new())
            } else {
                Reply::Array(Vec::new())
            };
        };
        match part {
            Part::Keys => Reply::Array(h.iter().map(|(f, _)| Reply::Bulk(f.clone())).collect()),
            Part::Values => Reply::Array(h.iter().map(|(_, v)| Reply::Bulk(v.clone())).collect()),
            Part::Both => Reply::Map(
                h.iter()
                    .map(|(f, v)| (Reply::Bulk(f.clone()), Reply::Bulk(v.clone())))
                    .collect(),
            ),
        }
    }))
}

/// HKEYS key
pub(super) fn hkeys(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    hgetall_generic(e, call, Part::Keys)
}

/// HVALS key
pub(super) fn hvals(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    hgetall_generic(e, call, Part::Values)
}

/// HGETALL key (a map in RESP3)
pub(super) fn hgetall(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    hgetall_generic(e, call, Part::Both)
}

/// HINCRBY key field increment
pub(super) fn hincrby(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten((|| {
        let incr = int_arg(call.arg(3))?;
        let key = call.arg(1);
        let field = call.arg(2);
        let current = match write_hash(e, call, key)? {
            Some(h) => match h.get(field) {
                Some(v) => {
                    parse_i64(v).ok_or_else(|| Reply::err("hash value is not an integer"))?
                }
                None => 0,
            },
            None => 0,
        };
        let next = current
            .checked_add(incr)
            .ok_or_else(|| Reply::err("increment or decrement would overflow"))?;
        let text = Bytes::copy_from_slice(itoa::Buffer::new().format(next).as_bytes());
        set_fields(e, call, key, std::iter::once((field, text)));
        modified(e, call, key, "hincrby");
        Ok(Reply::Integer(next))
    })())
}

/// HINCRBYFLOAT key field increment: `long double` arithmetic printed as
/// INCRBYFLOAT prints it.
pub(super) fn hincrbyfloat(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten((|| {
        let incr = LongDouble::parse(call.arg(3))
            .ok_or_else(|| Reply::err("value is not a valid float"))?;
        if !incr.is_finite() {
            return Err(Reply::err("value is NaN or Infinity"));
        }
        let key = call.arg(1);
        let field = call.arg(2);
        let current = match write_hash(e, call, key)? {
            Some(h) => match h.get(field) {
                Some(v) => {
                    LongDouble::parse(v).ok_or_else(|| Reply::err("hash value is not a float"))?
                }
                None => LongDouble::ZERO,
            },
            None => LongDouble::ZERO,
        };
        let sum = current.add(incr);
        if !sum.is_finite() {
            return Err(Reply::err("increment would produce NaN or Infinity"));
        }
        let text = Bytes::from(sum.format_human());
        set_fields(e, call, key, std::iter::once((field, text.clone())));
        modified(e, call, key, "hincrbyfloat");
        Ok(Reply::Bulk(text))
    })())
}

/// HSCAN key cursor [MATCH pattern] [COUNT count]
pub(super) fn hscan(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten((|| {
        let cursor = scan::cursor_arg(call.arg(2))?;
        let Some(h) = read_hash(e, call, call.arg(1))? else {
            return Ok(scan::reply(0, Vec::new()));
        };
        let opts = scan::parse_opts(call.argv, 3, false)?;
        let mut items = Vec::new();
        let next = h.scan(cursor, opts.count, |f, v| {
            if opts
                .pattern
                .as_ref()
                .is_none_or(|p| glob::matches(p, f, false))
            {
                items.push(Reply::Bulk(f.clone()));
                items.push(Reply::Bulk(v.clone()));
            }
        });
        Ok(scan::reply(next, items))
    })())
}
