//! HRANDFIELD, and the count grammar and pick strategy it shares with
//! SRANDMEMBER (Redis's `hrandfieldWithCountCommand` /
//! `srandmemberWithCountCommand` cases).

use std::collections::HashSet;
use std::hash::Hash as StdHash;

use bytes::Bytes;
use rand_xoshiro::rand_core::RngCore;
use rand_xoshiro::Xoshiro256PlusPlus;

use super::{flatten, is_kw, read_hash, SYNTAX_ERROR};
use crate::engine::commands::NOT_INTEGER;
use crate::engine::value::Value;
use crate::engine::{Call, Engine};
use crate::resp::{parse_i64, Protocol, Reply};

/// Redis's `getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX)` for a
/// random-pick count: `i64::MIN` is out of range.
pub(in crate::engine::commands) fn signed_count(arg: &Bytes) -> Result<i64, Reply> {
    match parse_i64(arg) {
        None => Err(Reply::error(NOT_INTEGER)),
        Some(i64::MIN) => Err(Reply::err(
            "value is out of range, value must between -9223372036854775807 and 9223372036854775807",
        )),
        Some(n) => Ok(n),
    }
}

/// The picks for a count `l` (non-zero) from a collection of `size`
/// elements, as Redis chooses them:
/// - negative (or 1): `|l|` independent picks, repetitions allowed;
/// - at least `size`: everything, in iteration order;
/// - more than a third of `size`: a copy with random elements dropped
///   until `l` remain (iteration order kept);
/// - otherwise: random picks until `l` distinct ones were found.
///
/// `random` draws one element from a random number; `all` lists them all.
pub(in crate::engine::commands) fn pick<T: Clone + Eq + StdHash>(
    rng: &mut Xoshiro256PlusPlus,
    l: i64,
    size: usize,
    random: impl Fn(u64) -> Option<T>,
    all: impl Fn() -> Vec<T>,
) -> Vec<T> {
    let count = l.unsigned_abs();
    if size == 0 {
        return Vec::new();
    }
    if l < 0 || count == 1 {
        let mut out = Vec::new();
        for _ in 0..count {
            if let Some(x) = random(rng.next_u64()) {
                out.push(x);
            }
        }
        return out;
    }
    if count >= size as u64 {
        return all();
    }
    let count = count as usize;
    if count.saturating_mul(3) > size {
        let mut keep = vec![true; size];
        let mut left = size;
        while left > count {
            let i = (rng.next_u64() % size as u64) as usize;
            if keep[i] {
                keep[i] = false;
                left -= 1;
            }
        }
        return all()
            .into_iter()
            .zip(keep)
            .filter_map(|(x, k)| k.then_some(x))
            .collect();
    }
    let mut seen = HashSet::with_capacity(count);
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        match random(rng.next_u64()) {
            Some(x) => {
                if seen.insert(x.clone()) {
                    out.push(x);
                }
            }
            None => break,
        }
    }
    out
}

/// HRANDFIELD key [count [WITHVALUES]]
pub(in crate::engine::commands) fn hrandfield(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten((|| {
        if call.argv.len() < 3 {
            let r = e.random_u64();
            return Ok(match read_hash(e, call, call.arg(1))? {
                None => Reply::Nil,
                Some(h) => h
                    .random_pair(r)
                    .map_or(Reply::Nil, |(f, _)| Reply::Bulk(f.clone())),
            });
        }
        let l = signed_count(call.arg(2))?;
        let withvalues = match call.argv.len() {
            3 => false,
            4 if is_kw(call.arg(3), "withvalues") => true,
            _ => return Err(Reply::error(SYNTAX_ERROR)),
        };
        if withvalues && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&l) {
            return Err(Reply::err("value is out of range"));
        }
        let resp3 = e.client_proto(call.client) == Protocol::Resp3;
        if read_hash(e, call, call.arg(1))?.is_none() || l == 0 {
            return Ok(Reply::Array(Vec::new()));
        }
        let rng = &mut e.rng;
        let Some(Value::Hash(h)) = e.dbs[call.db].keys.get(call.arg(1)).map(|en| &en.value) else {
            return Ok(Reply::Array(Vec::new()));
        };
        let picks = pick(
            rng,
            l,
            h.len(),
            |r| h.random_pair(r).map(|(f, v)| (f.clone(), v.clone())),
            || h.iter().map(|(f, v)| (f.clone(), v.clone())).collect(),
        );
        let mut out = Vec::with_capacity(picks.len() * if withvalues { 2 } else { 1 });
        for (f, v) in picks {
            if !withvalues {
                out.push(Reply::Bulk(f));
            } else if resp3 {
                out.push(Reply::Array(vec![Reply::Bulk(f), Reply::Bulk(v)]));
            } else {
                out.push(Reply::Bulk(f));
                out.push(Reply::Bulk(v));
            }
        }
        Ok(Reply::Array(out))
    })())
}
