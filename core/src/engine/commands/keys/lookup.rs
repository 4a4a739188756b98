//! Shared helpers of the keyspace commands: lookups that count keyspace
//! hits and misses where Redis counts them, and DB index parsing.

use bytes::Bytes;

use crate::engine::db::{Db, Entry};
use crate::engine::stats::Stats;
use crate::engine::Time;
use crate::resp::{parse_i64, Reply};

/// A read lookup (Redis's `lookupKeyRead*`): expires lazily and counts a
/// keyspace hit or miss. `touch` updates the access time (TOUCH) or not
/// (EXISTS, TYPE, TTL, OBJECT use `LOOKUP_NOTOUCH`).
pub fn read<'a>(
    stats: &mut Stats,
    db: &'a mut Db,
    key: &[u8],
    now: Time,
    touch: bool,
) -> Option<&'a mut Entry> {
    let found = if touch {
        db.lookup(key, now)
    } else {
        db.lookup_no_touch(key, now)
    };
    if found.is_some() {
        stats.keyspace_hits += 1;
    } else {
        stats.keyspace_misses += 1;
    }
    found
}

/// Redis's `getIntFromObjectOrReply`: a 32-bit integer argument.
pub fn int32_arg(b: &Bytes) -> Result<i64, Reply> {
    let n = parse_i64(b).ok_or_else(|| Reply::error(super::super::NOT_INTEGER))?;
    if n < i64::from(i32::MIN) || n > i64::from(i32::MAX) {
        return Err(Reply::err(
            "value is out of range, value must between -2147483648 and 2147483647",
        ));
    }
    Ok(n)
}

/// A database index argument as MOVE/COPY take it: a 32-bit integer, then
/// in range.
pub fn db_index(b: &Bytes, ndb: usize) -> Result<usize, Reply> {
    let n = int32_arg(b)?;
    usize::try_from(n)
        .ok()
        .filter(|&i| i < ndb)
        .ok_or_else(|| Reply::err("DB index is out of range"))
}

/// Redis's error when source and destination are the same.
pub const SAME_OBJECT: &str = "ERR source and destination objects are the same";
