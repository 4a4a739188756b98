//! String commands, byte-exact with Redis 7.0 (`t_string.c`'s behaviour).
//!
//! - `basic` holds GET, MGET, STRLEN, GETDEL, GETSET, SETNX, MSET, MSETNX, APPEND;
//! - `set` holds SET, SETEX, PSETEX, GETEX and their option grammar / expiry rules;
//! - `range` holds GETRANGE (and its alias SUBSTR), SETRANGE;
//! - `counter` holds INCR, DECR, INCRBY, DECRBY, INCRBYFLOAT;
//! - `lcs` holds LCS;
//! - `table` holds the command specs.
//!
//! Keyspace statistics follow Redis: commands that read through
//! `lookupKeyRead` (GET, MGET, STRLEN, GETRANGE, GETSET, GETDEL, GETEX, LCS,
//! SET ... GET) count hits and misses; write lookups (APPEND, INCR*, SETRANGE,
//! SETNX, MSETNX, SET's NX/XX check) do not.

mod basic;
mod counter;
mod lcs;
mod range;
mod set;
mod table;

pub use table::COMMANDS;

use bytes::Bytes;

use crate::engine::db::Entry;
use crate::engine::value::{StrValue, Value, WRONGTYPE};
use crate::engine::{Call, Engine};
use crate::resp::Reply;

/// Redis's error when a string would outgrow `proto-max-bulk-len`.
pub const STRING_TOO_LONG: &str = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";

/// Look `key` up for reading, counting a keyspace hit or miss (Redis's
/// `lookupKeyRead`).
fn lookup_read<'e>(e: &'e mut Engine, call: &Call<'_>, key: &[u8]) -> Option<&'e mut Entry> {
    if e.dbs[call.db].lookup(key, call.now).is_some() {
        e.stats.keyspace_hits += 1;
    } else {
        e.stats.keyspace_misses += 1;
        e.notify_keyspace_event('m', "keymiss", key, call.db);
    }
    e.dbs[call.db].lookup_no_touch(key, call.now)
}

/// Look `key` up for writing: lazy expiry, no statistics (Redis's
/// `lookupKeyWrite`).
fn lookup_write<'e>(e: &'e mut Engine, call: &Call<'_>, key: &[u8]) -> Option<&'e mut Entry> {
    e.dbs[call.db].lookup(key, call.now)
}

/// The string in `entry`, or the WRONGTYPE error for any other type.
fn as_str(entry: &Entry) -> Result<&StrValue, Reply> {
    match &entry.value {
        Value::Str(s) => Ok(s),
        _ => Err(Reply::error(WRONGTYPE)),
    }
}

/// Mutable form of [`as_str`].
fn as_str_mut(entry: &mut Entry) -> Result<&mut StrValue, Reply> {
    match &mut entry.value {
        Value::Str(s) => Ok(s),
        _ => Err(Reply::error(WRONGTYPE)),
    }
}

/// Redis's `getGenericCommand` minus the reply: the string at `key` read
/// with statistics, `None` when missing, WRONGTYPE for other types.
fn read_string(e: &mut Engine, call: &Call<'_>, key: &[u8]) -> Result<Option<Bytes>, Reply> {
    match lookup_read(e, call, key) {
        None => Ok(None),
        Some(entry) => Ok(Some(as_str(entry)?.to_bytes())),
    }
}

/// GET's reply: the string at `key` (read with statistics, as
/// [`read_string`]) encoded into the engine's reply arena, so a hit
/// allocates nothing; nil when missing, WRONGTYPE for other types.
fn read_string_reply(e: &mut Engine, call: &Call<'_>, key: &[u8]) -> Reply {
    let Engine {
        dbs,
        stats,
        reply_arena,
        ..
    } = e;
    let reply = match dbs[call.db].lookup(key, call.now) {
        Some(entry) => {
            stats.keyspace_hits += 1;
            match as_str(entry) {
                Ok(s) => s.with_bytes(|b| Reply::bulk_in(reply_arena, b)),
                Err(err) => err,
            }
        }
        None => {
            stats.keyspace_misses += 1;
            Reply::Nil
        }
    };
    if matches!(reply, Reply::Nil) {
        e.notify_keyspace_event('m', "keymiss", key, call.db);
    }
    reply
}

/// A bulk reply for a present value, nil otherwise.
fn bulk_or_nil(v: Option<Bytes>) -> Reply {
    v.map_or(Reply::Nil, Reply::Bulk)
}

/// How [`store_as`] writes a key's new value.
#[derive(Clone, Copy)]
enum Store {
    /// Replace any value of any type and drop the TTL (Redis's `setKey`
    /// without KEEPTTL).
    Replace,
    /// [`Store::Replace`] for a key not looked up before: an overwritten
    /// key's access is recorded first (as `lookupKeyWrite` would have), in
    /// the same lookup.
    ReplaceTouching,
    /// Replace the value, keeping the key's TTL if it has one.
    KeepTtl,
}

/// Store `value` at `key` as `how` says. The key is copied out of the
/// request (only when new) so it does not pin the read buffer.
fn store_as(e: &mut Engine, call: &Call<'_>, key: &[u8], value: StrValue, how: Store) {
    let db = &mut e.dbs[call.db];
    db.expire_for_write(key, call.now);
    let value = Value::Str(value);
    let created = match how {
        Store::Replace => db.set_slice(key, value, call.now),
        Store::ReplaceTouching => db.set_slice_touching(key, value, call.now),
        Store::KeepTtl => db.set_keep_ttl_slice(key, value, call.now),
    };
    if created {
        e.notify_keyspace_event('n', "new", key, call.db);
    }
}

/// [`store_as`] with [`Store::Replace`].
fn store(e: &mut Engine, call: &Call<'_>, key: &[u8], value: StrValue) {
    store_as(e, call, key, value, Store::Replace);
}

/// A string command modified `key`: WATCH, dirty, and its `$` event.
fn written(e: &mut Engine, call: &Call<'_>, key: &[u8], event: &str) {
    e.signal_modified(call.db, key);
    e.notify_keyspace_event('$', event, key, call.db);
}

/// Redis's `checkStringLength`: refuse a result longer than `max_len`
/// (`proto-max-bulk-len`); `None` is a length that overflowed.
fn check_string_length(max_len: i64, total: Option<usize>) -> Result<(), Reply> {
    match total {
        Some(n) if (n as u64) <= max_len.max(0) as u64 => Ok(()),
        _ => Err(Reply::error(STRING_TOO_LONG)),
    }
}

#[cfg(test)]
mod tests;
