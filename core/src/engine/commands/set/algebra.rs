//! SINTER, SINTERCARD, SINTERSTORE, SUNION, SUNIONSTORE, SDIFF, SDIFFSTORE
//! (Redis's `sinterGenericCommand` and `sunionDiffGenericCommand`).

use crate::engine::shared::Shared;
use bytes::Bytes;

use super::{bulks, lookup_read, max_intset, Set};
use crate::engine::commands::{flatten, is_kw, SYNTAX_ERROR};
use crate::engine::value::{Value, WRONGTYPE};
use crate::engine::{Call, Engine};
use crate::resp::{parse_i64, Reply};

/// Check the keys as Redis 7.0's lookups do: read lookups (lazy expiry, a
/// keyspace hit or miss each), also for the STORE forms; WRONGTYPE if any
/// key holds another type, every key being checked before any work. Then
/// borrow the sets: `None` for a missing key.
fn load<'e>(
    e: &'e mut Engine,
    call: &Call<'_>,
    keys: &[Bytes],
) -> Result<Vec<Option<&'e Set>>, Reply> {
    for k in keys {
        let v = lookup_read(e, call, k);
        if matches!(v, Some(v) if !matches!(v, Value::Set(_))) {
            return Err(Reply::error(WRONGTYPE));
        }
    }
    let db = &e.dbs[call.db];
    Ok(keys
        .iter()
        .map(|k| match db.keys.get(k).map(|en| &en.value) {
            Some(Value::Set(s)) => Some(&**s),
            _ => None,
        })
        .collect())
}

/// Members of the intersection, in the smallest set's iteration order;
/// `limit` (0: none) stops early as SINTERCARD does.
fn intersect(sets: &[&Set], limit: usize) -> Vec<Bytes> {
    let mut order: Vec<&Set> = sets.to_vec();
    order.sort_by_key(|s| s.len());
    let Some((first, rest)) = order.split_first() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for m in first.members() {
        if rest.iter().all(|s| s.contains(&m)) {
            out.push(m);
            if limit != 0 && out.len() >= limit {
                break;
            }
        }
    }
    out
}

/// Build a result set as Redis does: start from an empty `intset` and add.
fn build(e: &mut Engine, members: impl Iterator<Item = Bytes>) -> Set {
    let max = max_intset(e);
    let seed = e.random_u64();
    let mut s = Set::new();
    for m in members {
        s.add(&m, max, seed);
    }
    s
}

/// Store `result` at `dst` (replacing any value and TTL) or delete `dst`
/// when it is empty; answers the cardinality.
fn store(e: &mut Engine, call: &Call<'_>, dst: &[u8], result: Set, event: &str) -> Reply {
    let n = result.len();
    if n > 0 {
        e.dbs[call.db].set(
            Bytes::copy_from_slice(dst),
            Value::Set(Shared::new(result)),
            call.now,
        );
        e.signal_modified(call.db, dst);
        e.notify_keyspace_event('s', event, dst, call.db);
    } else if e.dbs[call.db].remove(dst).is_some() {
        e.signal_modified(call.db, dst);
        e.notify_keyspace_event('g', "del", dst, call.db);
    }
    Reply::Integer(i64::try_from(n).unwrap_or(i64::MAX))
}

/// SINTER key [key ...]
pub(in crate::engine::commands) fn sinter(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten((|| {
        let sets = load(e, call, &call.argv[1..])?;
        let Some(sets) = sets.into_iter().collect::<Option<Vec<&Set>>>() else {
            return Ok(Reply::Set(Vec::new()));
        };
        Ok(Reply::Set(bulks(intersect(&sets, 0).into_iter())))
    })())
}

/// SINTERSTORE destination key [key ...]
pub(in crate::engine::commands) fn sinterstore(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten((|| {
        let sets = load(e, call, &call.argv[2..])?;
        let members = match sets.into_iter().collect::<Option<Vec<&Set>>>() {
            Some(sets) => intersect(&sets, 0),
            None => Vec::new(),
        };
        let result = build(e, members.into_iter());
        Ok(store(e, call, call.arg(1), result, "sinterstore"))
    })())
}

/// SINTERCARD numkeys key [key ...] [LIMIT limit]
pub(in crate::engine::commands) fn sintercard(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten((|| {
        let numkeys = parse_i64(call.arg(1))
            .filter(|&n| n >= 1)
            .ok_or_else(|| Reply::err("numkeys should be greater than 0"))?;
        let nkeys = usize::try_from(numkeys).unwrap_or(usize::MAX);
        if nkeys > call.argv.len() - 2 {
            return Err(Reply::err(
                "Number of keys can't be greater than number of args",
            ));
        }
        let mut limit = 0usize;
        let mut j = 2 + nkeys;
        while j < call.argv.len() {
            if is_kw(call.arg(j), "limit") && j + 1 < call.argv.len() {
                let l = parse_i64(call.arg(j + 1))
                    .filter(|&n| n >= 0)
                    .ok_or_else(|| Reply::err("LIMIT can't be negative"))?;
                limit = usize::try_from(l).unwrap_or(usize::MAX);
                j += 2;
            } else {
                return Err(Reply::error(SYNTAX_ERROR));
            }
        }
        let sets = load(e, call, &call.argv[2..2 + nkeys])?;
        let n = match sets.into_iter().collect::<Option<Vec<&Set>>>() {
            Some(sets) => intersect(&sets, limit).len(),
            None => 0,
        };
        Ok(Reply::Integer(i64::try_from(n).unwrap_or(i64::MAX)))
    })())
}

/// Members of the union or difference of `sets` (to build a set from).
fn union_diff(sets: &[Option<&Set>], diff: bool) -> Vec<Bytes> {
    if diff {
        let members: Vec<Bytes> = match sets.split_first() {
            Some((Some(first), rest)) => first
                .members()
                .filter(|m| !rest.iter().flatten().any(|s| s.contains(m)))
                .collect(),
            _ => Vec::new(),
        };
        members
    } else {
        sets.iter().flatten().flat_map(|s| s.members()).collect()
    }
}

/// SUNION / SDIFF (reply) and their STORE forms.
fn union_diff_command(
    e: &mut Engine,
    call: &Call<'_>,
    diff: bool,
    store_event: Option<&str>,
) -> Reply {
    flatten((|| {
        let first_key = if store_event.is_some() { 2 } else { 1 };
        let sets = load(e, call, &call.argv[first_key..])?;
        let members = union_diff(&sets, diff);
        let result = build(e, members.into_iter());
        Ok(match store_event {
            Some(event) => store(e, call, call.arg(1), result, event),
            None => Reply::Set(bulks(result.members())),
        })
    })())
}

/// SUNION key [key ...]
pub(in crate::engine::commands) fn sunion(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    union_diff_command(e, call, false, None)
}

/// SUNIONSTORE destination key [key ...]
pub(in crate::engine::commands) fn sunionstore(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    union_diff_command(e, call, false, Some("sunionstore"))
}

/// SDIFF key [key ...]
pub(in crate::engine::commands) fn sdiff(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    union_diff_command(e, call, true, None)
}

/// SDIFFSTORE destination key [key ...]
pub(in crate::engine::commands) fn sdiffstore(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    union_diff_command(e, call, true, Some("sdiffstore"))
}
