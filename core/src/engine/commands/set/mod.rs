//! Set commands, byte-exact with Redis 7.0 (`t_set.c`'s behaviour).
//!
//! - this module: membership commands, SPOP, SRANDMEMBER, SMOVE, SSCAN;
//! - `algebra` holds SINTER/SUNION/SDIFF, their STORE forms and SINTERCARD;
//! - `table` holds the command specs.
//!
//! Every modification calls `signal_modified` and publishes Redis's event
//! (`sadd`, `srem`, `spop`, `sinterstore`, ..., and `del` when the last
//! member goes and the key is deleted).

mod algebra;
mod table;

pub use table::COMMANDS;

use crate::engine::shared::Shared;
use bytes::Bytes;

use super::flatten;
use super::hash::random::{pick, signed_count};
use super::hash::{lookup_read, lookup_write};
use super::scan;
use crate::engine::types::set::Set;
use crate::engine::value::{Value, WRONGTYPE};
use crate::engine::{Call, Engine};
use crate::resp::{parse_i64, Reply};
use crate::util::glob;

/// `set-max-intset-entries` from the live config.
fn max_intset(e: &Engine) -> usize {
    e.config
        .get_i64("set-max-intset-entries")
        .map_or(512, |n| usize::try_from(n).unwrap_or(0))
}

/// The set at `key` for reading: `None` when missing, WRONGTYPE otherwise.
fn read_set<'e>(
    e: &'e mut Engine,
    call: &Call<'_>,
    key: &[u8],
) -> Result<Option<&'e mut Set>, Reply> {
    match lookup_read(e, call, key) {
        None => Ok(None),
        Some(Value::Set(s)) => Ok(Some(s)),
        Some(_) => Err(Reply::error(WRONGTYPE)),
    }
}

/// The set at `key` for writing: `None` when missing, WRONGTYPE otherwise.
fn write_set<'e>(
    e: &'e mut Engine,
    call: &Call<'_>,
    key: &[u8],
) -> Result<Option<&'e mut Set>, Reply> {
    match lookup_write(e, call, key) {
        None => Ok(None),
        Some(Value::Set(s)) => Ok(Some(s)),
        Some(_) => Err(Reply::error(WRONGTYPE)),
    }
}

/// Publish a set modification of `key`.
fn modified(e: &mut Engine, call: &Call<'_>, key: &[u8], event: &str) {
    e.signal_modified(call.db, key);
    e.notify_keyspace_event('s', event, key, call.db);
}

/// Delete `key` if its set became empty, publishing `del`.
fn delete_if_empty(e: &mut Engine, call: &Call<'_>, key: &[u8]) -> bool {
    let empty = matches!(e.dbs[call.db].keys.get(key).map(|en| &en.value), Some(Value::Set(s)) if s.is_empty());
    if empty {
        e.dbs[call.db].remove(key);
        e.notify_keyspace_event('g', "del", key, call.db);
    }
    empty
}

/// A bulk reply per member.
fn bulks(members: impl Iterator<Item = Bytes>) -> Vec<Reply> {
    members.map(Reply::Bulk).collect()
}

/// SADD key member [member ...]
pub(super) fn sadd(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten((|| {
        let key = call.arg(1);
        let max = max_intset(e);
        let seed = e.random_u64();
        let exists = write_set(e, call, key)?.is_some();
        if !exists {
            let s = Set::for_member(call.arg(2), seed);
            e.dbs[call.db].set(
                Bytes::copy_from_slice(key),
                Value::Set(Shared::new(s)),
                call.now,
            );
        }
        let mut added = 0;
        if let Some(Value::Set(s)) = e.dbs[call.db].entry_mut(key).map(|en| &mut en.value) {
            for m in &call.argv[2..] {
                if s.add(m, max, seed) {
                    added += 1;
                }
            }
        }
        if added > 0 {
            modified(e, call, key, "sadd");
        }
        Ok(Reply::Integer(added))
    })())
}

/// SREM key member [member ...]
pub(super) fn srem(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten((|| {
        let key = call.arg(1);
        let Some(s) = write_set(e, call, key)? else {
            return Ok(Reply::Integer(0));
        };
        let mut removed = 0;
        for m in &call.argv[2..] {
            if s.remove(m) {
                removed += 1;
                if s.is_empty() {
                    break;
                }
            }
        }
        if removed > 0 {
            let emptied = s.is_empty();
            if emptied {
                e.dbs[call.db].remove(key);
            }
            modified(e, call, key, "srem");
            if emptied {
                e.notify_keyspace_event('g', "del", key, call.db);
            }
        }
        Ok(Reply::Integer(removed))
    })())
}

/// SCARD key
pub(super) fn scard(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(
        read_set(e, call, call.arg(1))
            .map(|s| Reply::Integer(s.map_or(0, |s| i64::try_from(s.len()).unwrap_or(i64::MAX)))),
    )
}

/// SISMEMBER key member
pub(super) fn sismember(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(
        read_set(e, call, call.arg(1))
            .map(|s| Reply::Integer(i64::from(s.is_some_and(|s| s.contains(call.arg(2)))))),
    )
}

/// SMISMEMBER key member [member ...]
pub(super) fn smismember(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(read_set(e, call, call.arg(1)).map(|s| {
        let s = s.map(|s| &*s);
        Reply::Array(
            call.argv[2..]
                .iter()
                .map(|m| Reply::Integer(i64::from(s.is_some_and(|s| s.contains(m)))))
                .collect(),
        )
    }))
}

/// SMEMBERS key (Redis runs it as a one-key SINTER: a set reply)
pub(super) fn smembers(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(
        read_set(e, call, call.arg(1))
            .map(|s| Reply::Set(s.map_or_else(Vec::new, |s| bulks(s.members())))),
    )
}

/// SRANDMEMBER key [count]
pub(super) fn srandmember(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten((|| {
        if call.argv.len() > 3 {
            return Err(Reply::error(super::SYNTAX_ERROR));
        }
        if call.argv.len() == 2 {
            let r = e.random_u64();
            return Ok(match read_set(e, call, call.arg(1))? {
                None => Reply::Nil,
                Some(s) => s.random_member(r).map_or(Reply::Nil, Reply::Bulk),
            });
        }
        let l = signed_count(call.arg(2))?;
        let Some(s) = read_set(e, call, call.arg(1))? else {
            return Ok(Reply::Array(Vec::new()));
        };
        let count = l.unsigned_abs();
        if count == 0 {
            return Ok(Reply::Array(Vec::new()));
        }
        let size = s.len();
        let rng = &mut e.rng;
        let Some(Value::Set(s)) = e.dbs[call.db].keys.get(call.arg(1)).map(|en| &en.value) else {
            return Ok(Reply::Array(Vec::new()));
        };
        let out = pick(
            rng,
            l,
            size,
            |r| s.random_member(r),
            || s.members().collect(),
        );
        Ok(Reply::Array(bulks(out.into_iter())))
    })())
}

/// Redis's `getPositiveLongFromObjectOrReply` for SPOP's count.
fn positive_count(arg: &Bytes) -> Result<u64, Reply> {
    match parse_i64(arg) {
        Some(n) if n >= 0 => Ok(n as u64),
        _ => Err(Reply::err("value is out of range, must be positive")),
    }
}

/// SPOP key [count]
pub(super) fn spop(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten((|| {
        let key = call.arg(1);
        if call.argv.len() > 3 {
            return Err(Reply::error(super::SYNTAX_ERROR));
        }
        if call.argv.len() == 2 {
            let r = e.random_u64();
            let Some(s) = write_set(e, call, key)? else {
                return Ok(Reply::Nil);
            };
            let popped = s.pop_random(r);
            modified(e, call, key, "spop");
            delete_if_empty(e, call, key);
            return Ok(popped.map_or(Reply::Nil, Reply::Bulk));
        }
        let count = positive_count(call.arg(2))?;
        let Some(s) = write_set(e, call, key)? else {
            return Ok(Reply::Set(Vec::new()));
        };
        if count == 0 {
            return Ok(Reply::Set(Vec::new()));
        }
        let size = s.len() as u64;
        let out = if count >= size {
            let all = bulks(s.members());
            e.dbs[call.db].remove(key);
            modified(e, call, key, "spop");
            e.notify_keyspace_event('g', "del", key, call.db);
            all
        } else {
            let mut out = Vec::new();
            for _ in 0..count {
                let r = e.random_u64();
                if let Some(Value::Set(s)) = e.dbs[call.db].entry_mut(key).map(|en| &mut en.value) {
                    if let Some(m) = s.pop_random(r) {
                        out.push(Reply::Bulk(m));
                    }
                }
            }
            modified(e, call, key, "spop");
            out
        };
        Ok(Reply::Set(out))
    })())
}

/// SMOVE source destination member
pub(super) fn smove(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten((|| {
        let (src, dst, member) = (call.arg(1), call.arg(2), call.arg(3));
        let max = max_intset(e);
        let seed = e.random_u64();
        let src_kind = write_set(e, call, src).map(|s| s.is_some());
        let dst_kind = write_set(e, call, dst).map(|s| s.is_some());
        // A missing source answers 0 before any type check.
        match src_kind {
            Ok(false) => return Ok(Reply::Integer(0)),
            Err(err) => return Err(err),
            Ok(true) => {}
        }
        let dst_exists = dst_kind?;
        if src == dst {
            let s = write_set(e, call, src)?;
            return Ok(Reply::Integer(i64::from(
                s.is_some_and(|s| s.contains(member)),
            )));
        }
        let removed = write_set(e, call, src)?.is_some_and(|s| s.remove(member));
        if !removed {
            return Ok(Reply::Integer(0));
        }
        e.notify_keyspace_event('s', "srem", src, call.db);
        delete_if_empty(e, call, src);
        if !dst_exists {
            let s = Set::for_member(member, seed);
            e.dbs[call.db].set(
                Bytes::copy_from_slice(dst),
                Value::Set(Shared::new(s)),
                call.now,
            );
        }
        e.signal_modified(call.db, src);
        let added = match e.dbs[call.db].entry_mut(dst).map(|en| &mut en.value) {
            Some(Value::Set(s)) => s.add(member, max, seed),
            _ => false,
        };
        if added {
            modified(e, call, dst, "sadd");
        }
        Ok(Reply::Integer(1))
    })())
}

/// SSCAN key cursor [MATCH pattern] [COUNT count]
pub(super) fn sscan(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten((|| {
        let cursor = scan::cursor_arg(call.arg(2))?;
        let Some(s) = read_set(e, call, call.arg(1))? else {
            return Ok(scan::reply(0, Vec::new()));
        };
        let opts = scan::parse_opts(call.argv, 3, false)?;
        let mut items = Vec::new();
        let next = s.scan(cursor, opts.count, |m| {
            if opts
                .pattern
                .as_ref()
                .is_none_or(|p| glob::matches(p, &m, false))
            {
                items.push(Reply::Bulk(m));
            }
        });
        Ok(scan::reply(next, items))
    })())
}

#[cfg(test)]
mod tests;
