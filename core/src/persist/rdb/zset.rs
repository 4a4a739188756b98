//! Sorted sets in RDB: `RDB_TYPE_ZSET_LISTPACK` (member, score pairs in
//! order, scores as text or integers) for the `listpack` encoding and
//! `RDB_TYPE_ZSET_2` (count, then member and 8-byte LE binary score from
//! the highest element down, as Redis walks its skiplist from the tail)
//! for `skiplist`; both deterministic, so keyrs's bytes equal Redis's.
//! Reading also takes `RDB_TYPE_ZSET` (text scores) and the ziplist form.

use bytes::Bytes;

use super::listpack::{self, Item};
use super::string::{write_binary_double, write_len, write_string, Reader};
use super::{ziplist, LoadOptions, RdbError, SaveOptions};
use crate::engine::types::zset::ZSet;
use crate::util::num::{format_double, parse_double};

/// Append `z`'s RDB type byte and body.
pub fn encode(out: &mut Vec<u8>, z: &ZSet, opts: &SaveOptions) {
    match z {
        ZSet::Listpack(v) => {
            out.push(super::types::ZSET_LISTPACK);
            let scores: Vec<String> = v.iter().map(|(s, _)| score_text(*s)).collect();
            let lp = listpack::encode(
                v.iter()
                    .zip(&scores)
                    .flat_map(|((_, m), s)| [&m[..], s.as_bytes()]),
            );
            write_string(out, &lp, opts.compression);
        }
        ZSet::Skiplist(_) => {
            out.push(super::types::ZSET_2);
            write_len(out, z.len() as u64);
            for (m, s) in z.to_vec().into_iter().rev() {
                write_string(out, &m, opts.compression);
                write_binary_double(out, s);
            }
        }
    }
}

/// A listpack score as Redis 7.0.15's `d2string` writes it: integral
/// values within ±(2^63-1)/2 as integers (which the listpack then stores
/// as integer entries), anything else as `%.17g`.
fn score_text(s: f64) -> String {
    const HALF: f64 = (i64::MAX / 2) as f64;
    if s == 0.0 {
        return if s.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    if (-HALF..=HALF).contains(&s) && s.fract() == 0.0 {
        return itoa::Buffer::new().format(s as i64).to_string();
    }
    format_double(s)
}

/// Build a sorted set as Redis loads one: `listpack` when it fits the
/// limits, else `skiplist`; a repeated member or a NaN score is corrupt.
fn build(pairs: Vec<(Bytes, f64)>, opts: &LoadOptions) -> Result<ZSet, RdbError> {
    let max_len = pairs.iter().map(|(m, _)| m.len()).max().unwrap_or(0);
    let mut z = ZSet::with_hint(pairs.len(), max_len, opts.zset);
    for (m, s) in pairs {
        if s.is_nan() {
            return Err(RdbError::Corrupt("NaN score"));
        }
        if z.score(&m).is_some() {
            return Err(RdbError::Corrupt("duplicate zset member"));
        }
        z.insert_new(s, m, opts.zset);
    }
    Ok(z)
}

/// Read a sorted set body of RDB type `t` (3, 5, 12 or 17).
pub fn decode(r: &mut Reader<'_>, t: u8, opts: &LoadOptions) -> Result<ZSet, RdbError> {
    let mut pairs = Vec::new();
    if t == super::types::ZSET || t == super::types::ZSET_2 {
        // Each element takes at least a length byte and a score byte.
        let n = r.count(2)?;
        pairs.reserve(n);
        for _ in 0..n {
            let m = Bytes::from(r.string()?);
            let s = if t == super::types::ZSET_2 {
                r.binary_double()?
            } else {
                r.text_double()?
            };
            pairs.push((m, s));
        }
    } else {
        let blob = r.string()?;
        let items = if t == super::types::ZSET_LISTPACK {
            listpack::decode(&blob)?
        } else {
            ziplist::decode(&blob)?
        };
        if items.len() % 2 != 0 {
            return Err(RdbError::Corrupt("odd zset listpack"));
        }
        let mut it = items.into_iter();
        while let (Some(m), Some(s)) = (it.next(), it.next()) {
            let score = match s {
                Item::Int(n) => n as f64,
                Item::Str(b) => parse_double(&b).ok_or(RdbError::Corrupt("bad zset score"))?,
            };
            pairs.push((Bytes::from(m.into_bytes()), score));
        }
    }
    build(pairs, opts)
}
