//! Bitmap commands, byte-exact with Redis 7.0: SETBIT, GETBIT, BITCOUNT,
//! BITPOS, BITOP here; BITFIELD and BITFIELD_RO in [`bitfield`]; the
//! command specs in [`table`].
//!
//! Bitmaps are plain strings, bit 0 being the most significant bit of the
//! first byte. Writes grow the string with zero bytes and leave it `raw`
//! (Redis unshares the value before writing, even when no bit changes);
//! integer-encoded strings are read as their decimal text.

mod bitfield;
mod table;

pub use table::COMMANDS;

use bytes::{Bytes, BytesMut};

use super::{int_arg, is_kw, SYNTAX_ERROR};
use crate::engine::value::{StrValue, Value, WRONGTYPE};
use crate::engine::{Call, Engine};
use crate::resp::{parse_i64, Reply};

/// Redis's error for a bad bit offset (also BITFIELD's).
pub const BAD_OFFSET: &str = "ERR bit offset is not an integer or out of range";
/// Redis's error for a SETBIT value other than 0 or 1.
pub const BAD_BIT: &str = "ERR bit is not an integer or out of range";

/// Parse a bit offset as Redis's `getBitOffsetFromArgument`: a
/// non-negative integer whose byte (offset / 8) is below
/// `proto-max-bulk-len`; with `hash_bits > 0`, `#N` means N * hash_bits.
fn bit_offset(arg: &[u8], hash_bits: u32, max_bulk: i64) -> Result<u64, Reply> {
    let use_hash = hash_bits > 0 && arg.first() == Some(&b'#');
    let digits = if use_hash { &arg[1..] } else { arg };
    let Some(mut offset) = parse_i64(digits) else {
        return Err(Reply::error(BAD_OFFSET));
    };
    if use_hash {
        // Redis multiplies in C without an overflow check; wrapping keeps
        // its outcome (an out-of-range or negative offset is refused).
        offset = offset.wrapping_mul(i64::from(hash_bits));
    }
    if offset < 0 || (offset >> 3) >= max_bulk {
        return Err(Reply::error(BAD_OFFSET));
    }
    Ok(offset as u64)
}

/// Look a key up for reading, counting a keyspace hit or miss; the string
/// bytes, or WRONGTYPE.
fn read_string(e: &mut Engine, call: &Call<'_>, key: &[u8]) -> Result<Option<Bytes>, Reply> {
    let found = e.dbs[call.db]
        .lookup(key, call.now)
        .map(|en| match &en.value {
            Value::Str(s) => Ok(s.to_bytes()),
            _ => Err(Reply::error(WRONGTYPE)),
        });
    if found.is_some() {
        e.stats.keyspace_hits += 1;
    } else {
        e.stats.keyspace_misses += 1;
    }
    found.transpose()
}

/// A string taken out for a bit write (Redis's `lookupStringForBitCommand`):
/// created zero-filled when missing, grown with zero bytes to hold bit
/// `max_bit`. `dirty` is true when the key was created or grew.
struct BitTarget {
    buf: BytesMut,
    dirty: bool,
}

/// Take the string at `key` out for writing, or WRONGTYPE. The caller puts
/// it back with [`store_bits`].
fn take_for_bits(
    e: &mut Engine,
    call: &Call<'_>,
    key: &[u8],
    max_bit: u64,
) -> Result<BitTarget, Reply> {
    let need = usize::try_from(max_bit >> 3)
        .ok()
        .and_then(|b| b.checked_add(1))
        .ok_or_else(|| Reply::error(BAD_OFFSET))?;
    match e.dbs[call.db].lookup(key, call.now) {
        None => {
            let mut buf = BytesMut::new();
            buf.resize(need, 0);
            Ok(BitTarget { buf, dirty: true })
        }
        Some(entry) => match &mut entry.value {
            Value::Str(s) => {
                let mut buf = s.take_mut();
                let grew = buf.len() < need;
                if grew {
                    buf.resize(need, 0);
                }
                Ok(BitTarget { buf, dirty: grew })
            }
            _ => Err(Reply::error(WRONGTYPE)),
        },
    }
}

/// Put a bit-written string back at `key` as `raw`, keeping any TTL.
fn store_bits(e: &mut Engine, call: &Call<'_>, key: &[u8], buf: BytesMut) {
    let value = Value::Str(StrValue::raw(buf.freeze()));
    e.dbs[call.db].set_keep_ttl(Bytes::copy_from_slice(key), value, call.now);
}

/// Bit `offset` of `s` (0 past the end).
fn get_bit(s: &[u8], offset: u64) -> bool {
    let byte = usize::try_from(offset >> 3).unwrap_or(usize::MAX);
    s.get(byte).is_some_and(|b| b & (0x80 >> (offset & 7)) != 0)
}

/// SETBIT key offset 0|1: the old bit.
fn setbit(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let key = call.arg(1).clone();
    let offset = match bit_offset(call.arg(2), 0, e.config.proto_max_bulk_len) {
        Ok(o) => o,
        Err(err) => return err,
    };
    let on = match parse_i64(call.arg(3)) {
        Some(v @ (0 | 1)) => v == 1,
        _ => return Reply::error(BAD_BIT),
    };
    let mut target = match take_for_bits(e, call, &key, offset) {
        Ok(t) => t,
        Err(err) => return err,
    };
    let byte = (offset >> 3) as usize;
    let mask = 0x80u8 >> (offset & 7);
    let old = target.buf[byte] & mask != 0;
    if on {
        target.buf[byte] |= mask;
    } else {
        target.buf[byte] &= !mask;
    }
    store_bits(e, call, &key, target.buf);
    if target.dirty || old != on {
        e.signal_modified(call.db, &key);
        e.notify_keyspace_event('$', "setbit", &key, call.db);
    }
    Reply::Integer(i64::from(old))
}

/// GETBIT key offset.
fn getbit(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let offset = match bit_offset(call.arg(2), 0, e.config.proto_max_bulk_len) {
        Ok(o) => o,
        Err(err) => return err,
    };
    match read_string(e, call, call.arg(1)) {
        Err(err) => err,
        Ok(None) => Reply::Integer(0),
        Ok(Some(s)) => Reply::Integer(i64::from(get_bit(&s, offset))),
    }
}

/// The unit of BITCOUNT / BITPOS ranges.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Unit {
    Byte,
    Bit,
}

/// Parse the optional BYTE|BIT argument.
fn unit_arg(arg: Option<&Bytes>) -> Result<Unit, Reply> {
    match arg {
        None => Ok(Unit::Byte),
        Some(a) if is_kw(a, "bit") => Ok(Unit::Bit),
        Some(a) if is_kw(a, "byte") => Ok(Unit::Byte),
        Some(_) => Err(Reply::error(SYNTAX_ERROR)),
    }
}

/// Resolve negative indexes against `total` units and clamp both ends as
/// Redis does; `None` when the range is empty.
fn clamp_range(start: i64, end: i64, total: i64) -> Option<(i64, i64)> {
    let mut start = if start < 0 { total + start } else { start };
    let mut end = if end < 0 { total + end } else { end };
    start = start.max(0);
    end = end.max(0);
    if end >= total {
        end = total - 1;
    }
    (start <= end).then_some((start, end))
}

/// Set bits of `s` between bit positions `from..=to`.
fn count_bits(s: &[u8], from: u64, to: u64) -> i64 {
    let first = (from >> 3) as usize;
    let last = (to >> 3) as usize;
    let mut n: i64 = s[first..=last]
        .iter()
        .map(|b| i64::from(b.count_ones()))
        .sum();
    // Drop the bits of the edge bytes that are outside the range.
    let head_mask = !(0xffu8 >> (from & 7));
    let tail_mask = 0xffu8.checked_shr((to & 7) as u32 + 1).unwrap_or(0);
    n -= i64::from((s[first] & head_mask).count_ones());
    n -= i64::from((s[last] & tail_mask).count_ones());
    n
}

/// BITCOUNT key [start end [BYTE|BIT]]. As in Redis 7.0, the key is looked
/// up before the range is parsed: a missing key answers 0 whatever follows.
fn bitcount(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let s = match read_string(e, call, call.arg(1)) {
        Err(err) => return err,
        Ok(None) => return Reply::Integer(0),
        Ok(Some(s)) => s,
    };
    let argc = call.argv.len();
    let (from, to) = if argc == 4 || argc == 5 {
        let start = match int_arg(call.arg(2)) {
            Ok(n) => n,
            Err(err) => return err,
        };
        let end = match int_arg(call.arg(3)) {
            Ok(n) => n,
            Err(err) => return err,
        };
        // Redis 7.0 answers an inverted negative range before it looks
        // at the unit argument.
        if start < 0 && end < 0 && start > end {
            return Reply::Integer(0);
        }
        let unit = match unit_arg(call.argv.get(4)) {
            Ok(u) => u,
            Err(err) => return err,
        };
        let total = s.len() as i64 * if unit == Unit::Bit { 8 } else { 1 };
        let Some((a, b)) = clamp_range(start, end, total) else {
            return Reply::Integer(0);
        };
        match unit {
            Unit::Bit => (a as u64, b as u64),
            Unit::Byte => (a as u64 * 8, b as u64 * 8 + 7),
        }
    } else if argc == 2 {
        if s.is_empty() {
            return Reply::Integer(0);
        }
        (0, s.len() as u64 * 8 - 1)
    } else {
        return Reply::error(SYNTAX_ERROR);
    };
    Reply::Integer(count_bits(&s, from, to))
}

/// BITPOS key bit [start [end [BYTE|BIT]]]: the first bit equal to `bit`.
/// A missing key is all zeros (0 for a clear bit, -1 for a set one). Looking
/// for a clear bit without an explicit end treats the string as padded with
/// zeros on the right (the answer may be just past the range).
fn bitpos(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let bit = match int_arg(call.arg(2)) {
        Ok(b @ (0 | 1)) => b == 1,
        Ok(_) => return Reply::err("The bit argument must be 1 or 0."),
        Err(err) => return err,
    };
    let s = match read_string(e, call, call.arg(1)) {
        Err(err) => return err,
        Ok(None) => return Reply::Integer(if bit { -1 } else { 0 }),
        Ok(Some(s)) => s,
    };
    let argc = call.argv.len();
    let mut end_given = false;
    let (from, to) = if (4..=6).contains(&argc) {
        let start = match int_arg(call.arg(3)) {
            Ok(n) => n,
            Err(err) => return err,
        };
        let unit = match unit_arg(call.argv.get(5)) {
            Ok(u) => u,
            Err(err) => return err,
        };
        let len = s.len() as i64;
        let end = if argc >= 5 {
            end_given = true;
            match int_arg(call.arg(4)) {
                Ok(n) => n,
                Err(err) => return err,
            }
        } else if unit == Unit::Bit {
            len * 8 + 7
        } else {
            len - 1
        };
        let total = len * if unit == Unit::Bit { 8 } else { 1 };
        let Some((a, b)) = clamp_range(start, end, total) else {
            return Reply::Integer(-1);
        };
        match unit {
            Unit::Bit => (a as u64, b as u64),
            Unit::Byte => (a as u64 * 8, b as u64 * 8 + 7),
        }
    } else if argc == 3 {
        if s.is_empty() {
            return Reply::Integer(-1);
        }
        (0, s.len() as u64 * 8 - 1)
    } else {
        return Reply::error(SYNTAX_ERROR);
    };
    if let Some(pos) = find_bit(&s, from, to, bit) {
        return Reply::Integer(pos as i64);
    }
    if bit || end_given {
        Reply::Integer(-1)
    } else {
        // Past the last byte the range touches: the zero padding.
        Reply::Integer((((to >> 3) + 1) * 8) as i64)
    }
}

/// The first bit position in `from..=to` whose value is `bit`.
fn find_bit(s: &[u8], from: u64, to: u64, bit: bool) -> Option<u64> {
    let mut pos = from;
    // Head: bit by bit up to a byte boundary.
    while pos <= to && pos & 7 != 0 {
        if get_bit(s, pos) == bit {
            return Some(pos);
        }
        pos += 1;
    }
    // Whole bytes.
    let skip = if bit { 0x00 } else { 0xff };
    while pos + 7 <= to {
        let b = s[(pos >> 3) as usize];
        if b != skip {
            let lead = if bit {
                b.leading_zeros()
            } else {
                (!b).leading_zeros()
            };
            return Some(pos + u64::from(lead));
        }
        pos += 8;
    }
    // Tail.
    while pos <= to {
        if get_bit(s, pos) == bit {
            return Some(pos);
        }
        pos += 1;
    }
    None
}

/// BITOP AND|OR|XOR|NOT destkey srckey [srckey ...]: the result's length;
/// an all-empty result deletes destkey.
fn bitop(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Op {
        And,
        Or,
        Xor,
        Not,
    }
    let name = call.arg(1);
    let op = if is_kw(name, "and") {
        Op::And
    } else if is_kw(name, "or") {
        Op::Or
    } else if is_kw(name, "xor") {
        Op::Xor
    } else if is_kw(name, "not") {
        Op::Not
    } else {
        return Reply::error(SYNTAX_ERROR);
    };
    if op == Op::Not && call.argv.len() != 4 {
        return Reply::err("BITOP NOT must be called with a single source key.");
    }
    let dest = call.arg(2).clone();
    let mut sources: Vec<Bytes> = Vec::with_capacity(call.argv.len() - 3);
    for key in &call.argv[3..] {
        match read_string(e, call, key) {
            Err(err) => return err,
            Ok(s) => sources.push(s.unwrap_or_default()),
        }
    }
    let maxlen = sources.iter().map(Bytes::len).max().unwrap_or(0);
    if maxlen == 0 {
        if e.dbs[call.db].remove(&dest).is_some() {
            e.signal_modified(call.db, &dest);
            e.notify_keyspace_event('g', "del", &dest, call.db);
        }
        return Reply::Integer(0);
    }
    let byte_at = |s: &Bytes, j: usize| s.get(j).copied().unwrap_or(0);
    let mut out = BytesMut::with_capacity(maxlen);
    for j in 0..maxlen {
        let first = byte_at(&sources[0], j);
        let b = match op {
            Op::Not => !first,
            Op::And => sources[1..]
                .iter()
                .fold(first, |acc, s| acc & byte_at(s, j)),
            Op::Or => sources[1..]
                .iter()
                .fold(first, |acc, s| acc | byte_at(s, j)),
            Op::Xor => sources[1..]
                .iter()
                .fold(first, |acc, s| acc ^ byte_at(s, j)),
        };
        out.extend_from_slice(&[b]);
    }
    // Redis's setKey: replaces any value and drops the TTL.
    e.dbs[call.db].set(
        dest.clone(),
        Value::Str(StrValue::raw(out.freeze())),
        call.now,
    );
    e.signal_modified(call.db, &dest);
    e.notify_keyspace_event('$', "set", &dest, call.db);
    Reply::Integer(maxlen as i64)
}

#[cfg(test)]
mod tests;
