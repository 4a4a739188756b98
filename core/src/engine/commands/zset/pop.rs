//! ZPOPMIN, ZPOPMAX, ZMPOP, ZRANDMEMBER, and the pop primitives the
//! blocking commands (BZPOPMIN, BZPOPMAX, BZMPOP) reuse: [`pop_first`]
//! does Redis's `genericZpopCommand` keyspace work (type check, pop,
//! events, empty-key deletion) and the `*_reply` functions shape replies.

use bytes::Bytes;

use super::{after_removal, read, remove_if_empty, resp3, scored_reply, write};
use crate::engine::commands::{flatten, is_kw, NOT_INTEGER, SYNTAX_ERROR};
use crate::engine::types::zset::ZSet;
use crate::engine::{Call, Engine, Time};
use crate::resp::{parse_i64, Reply};

/// Which end to pop from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Lowest scores first (`MIN`, ZPOPMIN).
    Min,
    /// Highest scores first (`MAX`, ZPOPMAX).
    Max,
}

impl End {
    /// The keyspace event a pop from this end publishes.
    pub fn event(self) -> &'static str {
        match self {
            End::Min => "zpopmin",
            End::Max => "zpopmax",
        }
    }
}

/// A pop's result: the key popped from and its elements in pop order.
pub type Popped = (Bytes, Vec<(Bytes, f64)>);

/// Take up to `count` elements from `end` of `z`, in pop order.
pub fn pop_elements(z: &mut ZSet, end: End, count: usize) -> Vec<(Bytes, f64)> {
    let n = count.min(z.len());
    match end {
        End::Min => z.remove_range(0, n),
        End::Max => {
            let len = z.len();
            let mut v = z.remove_range(len - n, len);
            v.reverse();
            v
        }
    }
}

/// Redis's `genericZpopCommand` without the reply: the first of `keys`
/// (in `db`) that exists must be a zset (WRONGTYPE otherwise, even when
/// `count` is 0); up to `count` elements are popped from it, its events
/// published and the key deleted if emptied. `Ok(None)`: no key exists.
/// With `count == 0` nothing is popped or published.
pub fn pop_first(
    e: &mut Engine,
    db: usize,
    keys: &[Bytes],
    now: Time,
    end: End,
    count: usize,
) -> Result<Option<Popped>, Reply> {
    for key in keys {
        let Some(z) = write(&mut e.dbs[db], key, now)? else {
            continue;
        };
        let items = pop_elements(z, end, count);
        if !items.is_empty() {
            let gone = remove_if_empty(&mut e.dbs[db], key);
            after_removal(e, db, key, end.event(), gone);
        }
        return Ok(Some((key.clone(), items)));
    }
    Ok(None)
}

/// ZPOPMIN/ZPOPMAX's reply: flat `[member, score, ...]`, except RESP3 with
/// an explicit COUNT, which nests `[member, score]` pairs.
pub fn zpop_reply(items: Vec<(Bytes, f64)>, count_given: bool, resp3: bool) -> Reply {
    scored_reply(items, true, resp3 && count_given)
}

/// ZMPOP/BZMPOP's reply: `[key, [[member, score], ...]]` in both protocols.
pub fn mpop_reply(key: Bytes, items: Vec<(Bytes, f64)>) -> Reply {
    Reply::Array(vec![Reply::Bulk(key), scored_reply(items, true, true)])
}

/// BZPOPMIN/BZPOPMAX's reply: `[key, member, score]`.
pub fn bzpop_reply(key: Bytes, member: Bytes, score: f64) -> Reply {
    Reply::Array(vec![
        Reply::Bulk(key),
        Reply::Bulk(member),
        Reply::Double(score),
    ])
}

/// ZPOPMIN key [count]
pub fn zpopmin(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    zpop(e, call, End::Min)
}

/// ZPOPMAX key [count]
pub fn zpopmax(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    zpop(e, call, End::Max)
}

fn zpop(e: &mut Engine, call: &Call<'_>, end: End) -> Reply {
    if call.argv.len() > 3 {
        return Reply::error(SYNTAX_ERROR);
    }
    let count = match call.argv.get(2) {
        None => None,
        Some(a) => match parse_i64(a) {
            Some(n) if n >= 0 => Some(usize::try_from(n).unwrap_or(usize::MAX)),
            _ => return Reply::err("value is out of range, must be positive"),
        },
    };
    let keys = std::slice::from_ref(&call.argv[1]);
    match pop_first(e, call.db, keys, call.now, end, count.unwrap_or(1)) {
        Err(r) => r,
        Ok(None) => Reply::Array(Vec::new()),
        Ok(Some((_, items))) => zpop_reply(items, count.is_some(), resp3(e, call)),
    }
}

/// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]
pub fn zmpop(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(zmpop_inner(e, call))
}

/// ZMPOP/BZMPOP's arguments from `numkeys_idx` on: the keys, the end and
/// the count (Redis's `zmpopGenericCommand` parsing, errors included).
pub fn parse_mpop_args(
    argv: &[Bytes],
    numkeys_idx: usize,
) -> Result<(&[Bytes], End, usize), Reply> {
    let numkeys = parse_i64(&argv[numkeys_idx])
        .filter(|&n| n >= 1)
        .ok_or_else(|| Reply::err("numkeys should be greater than 0"))?;
    let where_idx = usize::try_from(numkeys)
        .ok()
        .and_then(|n| n.checked_add(numkeys_idx + 1))
        .filter(|&w| w < argv.len())
        .ok_or_else(|| Reply::error(SYNTAX_ERROR))?;
    let end = if is_kw(&argv[where_idx], "min") {
        End::Min
    } else if is_kw(&argv[where_idx], "max") {
        End::Max
    } else {
        return Err(Reply::error(SYNTAX_ERROR));
    };
    let mut count: Option<usize> = None;
    let mut j = where_idx + 1;
    while j < argv.len() {
        let more = argv.len() - 1 - j;
        if count.is_none() && is_kw(&argv[j], "count") && more > 0 {
            j += 1;
            let n = parse_i64(&argv[j])
                .filter(|&n| n >= 1)
                .ok_or_else(|| Reply::err("count should be greater than 0"))?;
            count = Some(usize::try_from(n).unwrap_or(usize::MAX));
        } else {
            return Err(Reply::error(SYNTAX_ERROR));
        }
        j += 1;
    }
    Ok((&argv[numkeys_idx + 1..where_idx], end, count.unwrap_or(1)))
}

fn zmpop_inner(e: &mut Engine, call: &Call<'_>) -> Result<Reply, Reply> {
    let (keys, end, count) = parse_mpop_args(call.argv, 1)?;
    Ok(match pop_first(e, call.db, keys, call.now, end, count)? {
        None => Reply::NilArray,
        Some((key, items)) => {
            crate::engine::commands::blocking::propagate_zset_mpop(
                e,
                call.db,
                &key,
                end,
                items.len(),
            );
            mpop_reply(key, items)
        }
    })
}

/// ZRANDMEMBER key [count [WITHSCORES]]
pub fn zrandmember(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(zrandmember_inner(e, call))
}

/// Most elements a negative-count ZRANDMEMBER answers with. Redis streams
/// any count to the client (until its output limit cuts it off); keyrs
/// builds replies in memory, so an absurd count is capped here.
pub const RANDMEMBER_MAX_REPLY: u64 = 1 << 24;

/// The zset at `key` after a read lookup already counted the access.
fn peek<'a>(e: &'a Engine, call: &Call<'_>, key: &[u8]) -> Option<&'a ZSet> {
    match e.dbs[call.db].keys.get(key).map(|en| &en.value) {
        Some(crate::engine::value::Value::ZSet(z)) => Some(z),
        _ => None,
    }
}

fn zrandmember_inner(e: &mut Engine, call: &Call<'_>) -> Result<Reply, Reply> {
    let key = call.arg(1);
    if call.argv.len() < 3 {
        let size = match read(e, call, key)? {
            None => return Ok(Reply::Nil),
            Some(z) => z.len() as u64,
        };
        let i = (e.random_u64() % size.max(1)) as usize;
        let member = peek(e, call, key).and_then(|z| z.get(i)).map(|(m, _)| m);
        return Ok(member.map_or(Reply::Nil, Reply::Bulk));
    }
    let l = parse_i64(call.arg(2)).ok_or_else(|| Reply::error(NOT_INTEGER))?;
    if l == i64::MIN {
        return Err(Reply::err(
            "value is out of range, value must between -9223372036854775807 and 9223372036854775807",
        ));
    }
    let withscores = match call.argv.len() {
        3 => false,
        4 if is_kw(call.arg(3), "withscores") => true,
        _ => return Err(Reply::error(SYNTAX_ERROR)),
    };
    if withscores && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&l) {
        return Err(Reply::err("value is out of range"));
    }
    let proto3 = resp3(e, call);
    let size = match read(e, call, key)? {
        None => return Ok(Reply::Array(Vec::new())),
        Some(z) => z.len() as u64,
    };
    let count = l.unsigned_abs();
    if count == 0 || size == 0 {
        return Ok(Reply::Array(Vec::new()));
    }
    // Ranks to return, in reply order.
    let ranks: Vec<u64> = if l < 0 || count == 1 {
        (0..count.min(RANDMEMBER_MAX_REPLY))
            .map(|_| e.random_u64() % size)
            .collect()
    } else if count >= size {
        // The whole set, which Redis walks from the highest rank down.
        (0..size).rev().collect()
    } else if count.saturating_mul(3) > size {
        // Many of them: drop random ones until `count` remain.
        let mut all: Vec<u64> = (0..size).collect();
        while all.len() as u64 > count {
            let i = (e.random_u64() % all.len() as u64) as usize;
            all.swap_remove(i);
        }
        all
    } else {
        // Few of them: draw until `count` distinct ranks.
        let mut seen = hashbrown::HashSet::new();
        let mut out = Vec::new();
        while (out.len() as u64) < count {
            let r = e.random_u64() % size;
            if seen.insert(r) {
                out.push(r);
            }
        }
        out
    };
    let Some(z) = peek(e, call, key) else {
        return Ok(Reply::Array(Vec::new()));
    };
    let items: Vec<(Bytes, f64)> = ranks
        .into_iter()
        .filter_map(|r| z.get(r as usize))
        .collect();
    Ok(scored_reply(items, withscores, proto3))
}
