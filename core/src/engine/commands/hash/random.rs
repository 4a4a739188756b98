//! HRANDFIELD, and the count grammar it shares with SRANDMEMBER.

use bytes::Bytes;

use super::{flatten, is_kw, read_hash, SYNTAX_ERROR};
use crate::engine::commands::NOT_INTEGER;
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

/// Choose `count` distinct indices below `size` (count < size), in
/// ascending order, with the engine's RNG: Redis drops random elements
/// from a copy when most are wanted, and picks random ones otherwise.
pub(in crate::engine::commands) fn distinct_indices(
    e: &mut Engine,
    size: usize,
    count: usize,
) -> Vec<usize> {
    let mut keep = vec![false; size];
    if count.saturating_mul(3) > size {
        keep.iter_mut().for_each(|k| *k = true);
        let mut left = size;
        while left > count {
            let i = (e.random_u64() % size as u64) as usize;
            if keep[i] {
                keep[i] = false;
                left -= 1;
            }
        }
    } else {
        let mut got = 0;
        while got < count {
            let i = (e.random_u64() % size as u64) as usize;
            if !keep[i] {
                keep[i] = true;
                got += 1;
            }
        }
    }
    (0..size).filter(|&i| keep[i]).collect()
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
        let Some(h) = read_hash(e, call, call.arg(1))? else {
            return Ok(Reply::Array(Vec::new()));
        };
        let count = l.unsigned_abs();
        if count == 0 {
            return Ok(Reply::Array(Vec::new()));
        }
        // Snapshot the pairs in iteration order (index picks are uniform).
        let pairs: Vec<(Bytes, Bytes)> = h.iter().map(|(f, v)| (f.clone(), v.clone())).collect();
        let size = pairs.len();
        let emit = |out: &mut Vec<Reply>, (f, v): &(Bytes, Bytes)| {
            if !withvalues {
                out.push(Reply::Bulk(f.clone()));
            } else if resp3 {
                out.push(Reply::Array(vec![
                    Reply::Bulk(f.clone()),
                    Reply::Bulk(v.clone()),
                ]));
            } else {
                out.push(Reply::Bulk(f.clone()));
                out.push(Reply::Bulk(v.clone()));
            }
        };
        let mut out = Vec::new();
        if l < 0 || count == 1 {
            // Repetitions allowed: `count` independent picks.
            for _ in 0..count {
                let i = (e.random_u64() % size as u64) as usize;
                if let Some(p) = pairs.get(i) {
                    emit(&mut out, p);
                }
            }
        } else if count >= size as u64 {
            pairs.iter().for_each(|p| emit(&mut out, p));
        } else {
            for i in distinct_indices(e, size, count as usize) {
                if let Some(p) = pairs.get(i) {
                    emit(&mut out, p);
                }
            }
        }
        Ok(Reply::Array(out))
    })())
}
