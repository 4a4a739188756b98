//! List commands, byte-exact with Redis 7.0 (`t_list.c`'s behaviour).
//!
//! - `push` holds LPUSH, RPUSH, LPUSHX, RPUSHX, LINSERT;
//! - `pop` holds LPOP, RPOP, LMPOP, LMOVE, RPOPLPUSH;
//! - `read` holds LLEN, LRANGE, LINDEX, LPOS;
//! - `edit` holds LSET, LREM, LTRIM;
//! - `table` holds the command specs.
//!
//! The keyspace-level operations the blocking commands (BLPOP, BRPOP,
//! BLMOVE, BRPOPLPUSH, BLMPOP) share with these are public here:
//! [`pop_from_key`], [`move_between_keys`], [`mpop_keys`] and the argument
//! parsers [`parse_where`] and [`parse_mpop`]. Each performs the whole
//! Redis write path: the data change, deleting a list that became empty,
//! `signal_modified`, keyspace events with Redis's names, and
//! `signal_key_ready` for a list that gained elements.
//!
//! Keyspace statistics follow Redis: LLEN, LRANGE, LINDEX and LPOS read
//! through `lookupKeyRead` (hits and misses counted); every other command
//! looks up for writing (not counted).

mod edit;
mod pop;
mod push;
mod read;
mod table;

pub use table::COMMANDS;

use crate::engine::shared::Shared;
use bytes::Bytes;

use crate::engine::types::list::{self, List, Where};
use crate::engine::value::{Value, WRONGTYPE};
use crate::engine::{Engine, Time};
use crate::resp::Reply;

use super::{is_kw, SYNTAX_ERROR};

/// The list at `key` of `db` for a write command (Redis's `lookupKeyWrite`
/// plus `checkType`): `Ok(None)` when missing, WRONGTYPE for another type.
fn list_for_write<'e>(
    e: &'e mut Engine,
    db: usize,
    key: &[u8],
    now: Time,
) -> Result<Option<&'e mut List>, Reply> {
    match e.dbs[db].lookup(key, now) {
        None => Ok(None),
        Some(entry) => match &mut entry.value {
            Value::List(l) => Ok(Some(l)),
            _ => Err(Reply::error(WRONGTYPE)),
        },
    }
}

/// The list at `key` of `db` for a read command (Redis's `lookupKeyRead`:
/// counts a keyspace hit or miss, whatever the type).
fn list_for_read<'e>(
    e: &'e mut Engine,
    db: usize,
    key: &[u8],
    now: Time,
) -> Result<Option<&'e List>, Reply> {
    match e.dbs[db].lookup(key, now) {
        None => {
            e.stats.keyspace_misses += 1;
            Ok(None)
        }
        Some(entry) => {
            e.stats.keyspace_hits += 1;
            match &entry.value {
                Value::List(l) => Ok(Some(l)),
                _ => Err(Reply::error(WRONGTYPE)),
            }
        }
    }
}

/// Store a new list at `key` (which the caller found missing), announcing
/// the new key as Redis's `dbAdd` does.
fn create_list(e: &mut Engine, db: usize, key: &[u8], list: List, now: Time) {
    e.dbs[db].set(
        Bytes::copy_from_slice(key),
        Value::List(Shared::new(list)),
        now,
    );
    e.notify_keyspace_event('n', "new", key, db);
}

/// Copy a request argument into a list element, so the stored element
/// does not pin the connection's read buffer.
fn element(arg: &[u8]) -> Bytes {
    Bytes::copy_from_slice(arg)
}

/// Redis's `listElementsRemoved`: after popping from `key`, publish the
/// pop event, delete the key if the list is now empty (with its `del`
/// event) and signal the modification. `emptied` says whether the list is
/// empty now.
fn elements_removed(e: &mut Engine, db: usize, key: &[u8], end: Where, emptied: bool) {
    e.notify_keyspace_event('l', end.pop_event(), key, db);
    if emptied {
        e.dbs[db].remove(key);
        e.notify_keyspace_event('g', "del", key, db);
    }
    e.signal_modified(db, key);
}

/// Parse a `LEFT` / `RIGHT` argument, or Redis's syntax error.
pub fn parse_where(arg: &[u8]) -> Result<Where, Reply> {
    Where::parse(arg).ok_or_else(|| Reply::error(SYNTAX_ERROR))
}

/// Pop up to `count` elements (`None`: one element, the plain LPOP form)
/// from `end` of the list at `key`, with the whole Redis write path.
///
/// Returns `Ok(None)` when the key does not exist, WRONGTYPE for another
/// type, and otherwise the popped elements in pop order. A `count` of
/// `Some(0)` pops nothing and signals nothing (LPOP's fast path) but still
/// checks the key's type. Used by LPOP, RPOP and, once a key is ready,
/// BLPOP / BRPOP.
pub fn pop_from_key(
    e: &mut Engine,
    db: usize,
    key: &[u8],
    end: Where,
    count: Option<usize>,
    now: Time,
) -> Result<Option<Vec<Bytes>>, Reply> {
    let Some(l) = list_for_write(e, db, key, now)? else {
        return Ok(None);
    };
    let n = count.unwrap_or(1);
    if n == 0 {
        return Ok(Some(Vec::new()));
    }
    let popped = list::pop(l, end, n);
    let emptied = l.is_empty();
    elements_removed(e, db, key, end, emptied);
    Ok(Some(popped))
}

/// LMOVE's keyspace step (also RPOPLPUSH, and BLMOVE / BRPOPLPUSH once the
/// source is ready): pop at `from` of the list at `src`, push at `to` of
/// the list at `dst` (created if missing), return the moved element.
///
/// `Ok(None)` when `src` does not exist (the destination is then not even
/// looked at); WRONGTYPE when either key holds another type, checked before
/// anything changes. Events as Redis: `lpush`/`rpush` on the destination,
/// then `lpop`/`rpop` on the source and `del` if it became empty.
pub fn move_between_keys(
    e: &mut Engine,
    db: usize,
    src: &[u8],
    dst: &[u8],
    from: Where,
    to: Where,
    now: Time,
) -> Result<Option<Bytes>, Reply> {
    // Redis looks up the source, then the destination (both touch their
    // access clocks, even when they are the same key).
    if list_for_write(e, db, src, now)?.is_none() {
        return Ok(None);
    }
    let dst_exists = list_for_write(e, db, dst, now)?.is_some();
    let Some(l) = stored_list(e, db, src) else {
        return Ok(None);
    };
    let (value, emptied) = if src == dst {
        (list::rotate(l, from, to), false)
    } else {
        let value = l.pop(from);
        let emptied = l.is_empty();
        if let Some(v) = &value {
            match stored_list(e, db, dst) {
                Some(d) if dst_exists => d.push(to, v.clone()),
                _ => {
                    let mut d = List::new();
                    d.push(to, v.clone());
                    create_list(e, db, dst, d, now);
                }
            }
        }
        (value, emptied)
    };
    if value.is_some() {
        e.signal_modified(db, dst);
        e.notify_keyspace_event('l', to.push_event(), dst, db);
        e.signal_key_ready(db, dst);
        elements_removed(e, db, src, from, emptied);
    }
    Ok(value)
}

/// The list stored at `key`, without expiry check or access tracking (for
/// a key the command has just looked up).
fn stored_list<'e>(e: &'e mut Engine, db: usize, key: &[u8]) -> Option<&'e mut List> {
    match e.dbs[db].entry_mut(key) {
        Some(entry) => match &mut entry.value {
            Value::List(l) => Some(l),
            _ => None,
        },
        None => None,
    }
}

/// LMPOP / BLMPOP arguments after validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MpopArgs {
    /// Positions of the keys in `argv`.
    pub keys: std::ops::Range<usize>,
    /// The end to pop from.
    pub end: Where,
    /// How many elements at most (COUNT, default 1).
    pub count: usize,
}

/// Parse `numkeys key [key ...] LEFT|RIGHT [COUNT count]` starting at
/// `argv[numkeys_idx]` (1 for LMPOP, 2 for BLMPOP), with Redis's errors in
/// Redis's order: numkeys, then the direction, then the options.
pub fn parse_mpop(argv: &[Bytes], numkeys_idx: usize) -> Result<MpopArgs, Reply> {
    let numkeys = argv
        .get(numkeys_idx)
        .and_then(|a| crate::resp::parse_i64(a))
        .filter(|&n| n >= 1)
        .ok_or_else(|| Reply::error("ERR numkeys should be greater than 0"))?;
    let where_idx = usize::try_from(numkeys)
        .ok()
        .and_then(|n| numkeys_idx.checked_add(n)?.checked_add(1))
        .filter(|&i| i < argv.len())
        .ok_or_else(|| Reply::error(SYNTAX_ERROR))?;
    let end = parse_where(&argv[where_idx])?;
    let mut count: Option<usize> = None;
    let mut j = where_idx + 1;
    while j < argv.len() {
        let more = j + 1 < argv.len();
        if count.is_none() && is_kw(&argv[j], "count") && more {
            j += 1;
            let n = crate::resp::parse_i64(&argv[j])
                .filter(|&n| n >= 1)
                .ok_or_else(|| Reply::error("ERR count should be greater than 0"))?;
            count = Some(usize::try_from(n).unwrap_or(usize::MAX));
        } else {
            return Err(Reply::error(SYNTAX_ERROR));
        }
        j += 1;
    }
    Ok(MpopArgs {
        keys: numkeys_idx + 1..where_idx,
        end,
        count: count.unwrap_or(1),
    })
}

/// LMPOP's keyspace step (and BLMPOP's once a key is ready): pop up to
/// `count` elements from `end` of the first non-empty list among `keys`.
/// Missing keys are skipped; a key of another type stops the scan with
/// WRONGTYPE (keys after a non-empty list are never looked at). Returns the
/// key and the popped elements, or `Ok(None)` when every key was missing.
pub fn mpop_keys(
    e: &mut Engine,
    db: usize,
    keys: &[Bytes],
    end: Where,
    count: usize,
    now: Time,
) -> Result<Option<(Bytes, Vec<Bytes>)>, Reply> {
    for key in keys {
        let Some(l) = list_for_write(e, db, key, now)? else {
            continue;
        };
        if l.is_empty() {
            continue;
        }
        let popped = list::pop(l, end, count);
        let emptied = l.is_empty();
        elements_removed(e, db, key, end, emptied);
        return Ok(Some((key.clone(), popped)));
    }
    Ok(None)
}

/// Elements as an array of bulk strings.
fn bulk_array(items: Vec<Bytes>) -> Reply {
    Reply::Array(items.into_iter().map(Reply::Bulk).collect())
}

#[cfg(test)]
mod tests;
