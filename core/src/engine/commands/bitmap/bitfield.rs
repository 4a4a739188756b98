//! BITFIELD and BITFIELD_RO: integer fields of 1..64 bits (i1..i64,
//! u1..u63) at arbitrary bit offsets, with Redis 7.0's overflow rules.
//!
//! All operations are parsed (and every argument error reported) before
//! anything is touched; a command with at least one SET or INCRBY grows or
//! creates the string up to the furthest bit written, even if every write
//! then fails under OVERFLOW FAIL.

use bytes::Bytes;

use super::{bit_offset, read_string, store_bits, take_for_bits};
use crate::engine::commands::{int_arg, is_kw, SYNTAX_ERROR};
use crate::engine::{Call, Engine};
use crate::resp::{parse_i64, Reply};

/// Redis's error for a malformed field type.
const BAD_TYPE: &str =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";

/// What to do when a write overflows its field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Overflow {
    Wrap,
    Sat,
    Fail,
}

/// One parsed operation.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Get,
    Set,
    IncrBy,
}

#[derive(Debug, Clone, Copy)]
struct FieldOp {
    kind: Kind,
    offset: u64,
    bits: u32,
    signed: bool,
    value: i64,
    overflow: Overflow,
}

/// Parse `i<N>`/`u<N>` (lower-case only; the digits end at the first NUL, as Redis reads
/// them with `strlen`).
fn field_type(arg: &[u8]) -> Result<(bool, u32), Reply> {
    let signed = match arg.first() {
        Some(b'i') => true,
        Some(b'u') => false,
        _ => return Err(Reply::error(BAD_TYPE)),
    };
    let digits = &arg[1..];
    let digits = &digits[..digits.iter().position(|&b| b == 0).unwrap_or(digits.len())];
    match parse_i64(digits) {
        Some(n) if n >= 1 && (n <= 63 || (signed && n == 64)) => Ok((signed, n as u32)),
        _ => Err(Reply::error(BAD_TYPE)),
    }
}

/// Read `bits` bits starting at bit `offset`, most significant first; bits
/// past the end of `s` read as zero.
fn get_unsigned(s: &[u8], offset: u64, bits: u32) -> u64 {
    let mut v = 0u64;
    for j in 0..u64::from(bits) {
        v = (v << 1) | u64::from(super::get_bit(s, offset + j));
    }
    v
}

/// Read a two's complement field.
fn get_signed(s: &[u8], offset: u64, bits: u32) -> i64 {
    let mut v = get_unsigned(s, offset, bits);
    if bits < 64 && v & (1u64 << (bits - 1)) != 0 {
        v |= u64::MAX << bits;
    }
    v as i64
}

/// Write the low `bits` bits of `value` at bit `offset` (the caller grew
/// the buffer to hold them).
fn set_unsigned(s: &mut [u8], offset: u64, bits: u32, value: u64) {
    for j in 0..u64::from(bits) {
        let on = value & (1u64 << (u64::from(bits) - 1 - j)) != 0;
        let pos = offset + j;
        if let Some(b) = s.get_mut((pos >> 3) as usize) {
            let mask = 0x80u8 >> (pos & 7);
            if on {
                *b |= mask;
            } else {
                *b &= !mask;
            }
        }
    }
}

/// Redis's unsigned overflow check of `value + incr` in `bits` bits:
/// whether it overflows, and the value to store under WRAP/SAT.
fn unsigned_overflow(value: u64, incr: i64, bits: u32, ow: Overflow) -> Option<u64> {
    let max = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    let maxincr = max.wrapping_sub(value) as i64;
    let minincr = value.wrapping_neg() as i64;
    let wrap = || value.wrapping_add(incr as u64) & !(u64::MAX.checked_shl(bits).unwrap_or(0));
    if value > max || (incr > 0 && incr > maxincr) {
        Some(match ow {
            Overflow::Wrap => wrap(),
            _ => max,
        })
    } else if incr < 0 && incr < minincr {
        Some(match ow {
            Overflow::Wrap => wrap(),
            _ => 0,
        })
    } else {
        None
    }
}

/// Redis's signed overflow check of `value + incr` in `bits` bits (with its
/// exact wrapping intermediate arithmetic, which decides some corner cases).
fn signed_overflow(value: i64, incr: i64, bits: u32, ow: Overflow) -> Option<i64> {
    let max: i64 = if bits == 64 {
        i64::MAX
    } else {
        (1i64 << (bits - 1)) - 1
    };
    let min = -max - 1;
    let maxincr = (max as u64).wrapping_sub(value as u64) as i64;
    let minincr = min.wrapping_sub(value);
    let wrap = || {
        let msb = 1u64 << (bits - 1);
        let mut c = (value as u64).wrapping_add(incr as u64);
        if bits < 64 {
            let mask = u64::MAX << bits;
            if c & msb != 0 {
                c |= mask;
            } else {
                c &= !mask;
            }
        }
        c as i64
    };
    if value > max || (bits != 64 && incr > maxincr) || (value >= 0 && incr > 0 && incr > maxincr) {
        Some(match ow {
            Overflow::Wrap => wrap(),
            _ => max,
        })
    } else if value < min
        || (bits != 64 && incr < minincr)
        || (value < 0 && incr < 0 && incr < minincr)
    {
        Some(match ow {
            Overflow::Wrap => wrap(),
            _ => min,
        })
    } else {
        None
    }
}

/// Parse every operation, or the first argument error.
fn parse_ops(argv: &[Bytes], max_bulk: i64) -> Result<Vec<FieldOp>, Reply> {
    let mut ops = Vec::new();
    let mut overflow = Overflow::Wrap;
    let mut j = 2;
    while j < argv.len() {
        let rem = argv.len() - j - 1;
        let sub = &argv[j];
        let kind = if is_kw(sub, "get") && rem >= 2 {
            Kind::Get
        } else if is_kw(sub, "set") && rem >= 3 {
            Kind::Set
        } else if is_kw(sub, "incrby") && rem >= 3 {
            Kind::IncrBy
        } else if is_kw(sub, "overflow") && rem >= 1 {
            let t = &argv[j + 1];
            overflow = if is_kw(t, "wrap") {
                Overflow::Wrap
            } else if is_kw(t, "sat") {
                Overflow::Sat
            } else if is_kw(t, "fail") {
                Overflow::Fail
            } else {
                return Err(Reply::err("Invalid OVERFLOW type specified"));
            };
            j += 2;
            continue;
        } else {
            return Err(Reply::error(SYNTAX_ERROR));
        };
        let (signed, bits) = field_type(&argv[j + 1])?;
        let offset = bit_offset(&argv[j + 2], bits, max_bulk)?;
        let value = match kind {
            Kind::Get => 0,
            _ => int_arg(&argv[j + 3])?,
        };
        ops.push(FieldOp {
            kind,
            offset,
            bits,
            signed,
            value,
            overflow,
        });
        j += if matches!(kind, Kind::Get) { 3 } else { 4 };
    }
    Ok(ops)
}

/// BITFIELD key [GET type offset | SET type offset value | INCRBY type
/// offset increment | OVERFLOW WRAP|SAT|FAIL ...].
pub(super) fn bitfield(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    generic(e, call, false)
}

/// BITFIELD_RO key [GET type offset ...].
pub(super) fn bitfield_ro(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    generic(e, call, true)
}

fn generic(e: &mut Engine, call: &mut Call<'_>, read_only: bool) -> Reply {
    let ops = match parse_ops(call.argv, e.config.proto_max_bulk_len) {
        Ok(ops) => ops,
        Err(err) => return err,
    };
    let highest = ops
        .iter()
        .filter(|op| !matches!(op.kind, Kind::Get))
        .map(|op| op.offset + u64::from(op.bits) - 1)
        .max();
    let key = call.arg(1).clone();
    let Some(highest) = highest else {
        // Only GETs: a read, on a missing key too.
        let s = match read_string(e, call, &key) {
            Ok(s) => s.unwrap_or_default(),
            Err(err) => return err,
        };
        return Reply::Array(
            ops.iter()
                .map(|op| {
                    if op.signed {
                        Reply::Integer(get_signed(&s, op.offset, op.bits))
                    } else {
                        Reply::Integer(get_unsigned(&s, op.offset, op.bits) as i64)
                    }
                })
                .collect(),
        );
    };
    if read_only {
        return Reply::err("BITFIELD_RO only supports the GET subcommand");
    }
    let target = match take_for_bits(e, call, &key, highest) {
        Ok(t) => t,
        Err(err) => return err,
    };
    let mut buf = target.buf;
    let mut changes = 0u64;
    let mut replies = Vec::with_capacity(ops.len());
    for op in &ops {
        match op.kind {
            Kind::Get => {
                let v = if op.signed {
                    get_signed(&buf, op.offset, op.bits)
                } else {
                    get_unsigned(&buf, op.offset, op.bits) as i64
                };
                replies.push(Reply::Integer(v));
            }
            Kind::Set | Kind::IncrBy => {
                let incr = matches!(op.kind, Kind::IncrBy);
                let (old, new, ret, overflowed) = if op.signed {
                    let old = get_signed(&buf, op.offset, op.bits);
                    let (new, ow) = if incr {
                        match signed_overflow(old, op.value, op.bits, op.overflow) {
                            Some(w) => (w, true),
                            None => (old.wrapping_add(op.value), false),
                        }
                    } else {
                        match signed_overflow(op.value, 0, op.bits, op.overflow) {
                            Some(w) => (w, true),
                            None => (op.value, false),
                        }
                    };
                    let ret = if incr { new } else { old };
                    (old as u64, new as u64, ret, ow)
                } else {
                    let old = get_unsigned(&buf, op.offset, op.bits);
                    let (new, ow) = if incr {
                        match unsigned_overflow(old, op.value, op.bits, op.overflow) {
                            Some(w) => (w, true),
                            None => (old.wrapping_add(op.value as u64), false),
                        }
                    } else {
                        match unsigned_overflow(op.value as u64, 0, op.bits, op.overflow) {
                            Some(w) => (w, true),
                            None => (op.value as u64, false),
                        }
                    };
                    let ret = if incr { new as i64 } else { old as i64 };
                    (old, new, ret, ow)
                };
                if overflowed && op.overflow == Overflow::Fail {
                    replies.push(Reply::Nil);
                } else {
                    replies.push(Reply::Integer(ret));
                    set_unsigned(&mut buf, op.offset, op.bits, new);
                    if target.dirty || old != new {
                        changes += 1;
                    }
                }
            }
        }
    }
    store_bits(e, call, &key, buf);
    if changes > 0 {
        e.signal_modified(call.db, &key);
        e.notify_keyspace_event('$', "setbit", &key, call.db);
        e.stats.dirty += changes - 1;
    }
    Reply::Array(replies)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_types() {
        assert_eq!(field_type(b"i64").ok(), Some((true, 64)));
        assert_eq!(field_type(b"u63").ok(), Some((false, 63)));
        assert!(field_type(b"I8").is_err());
        assert!(field_type(b"u64").is_err());
        assert!(field_type(b"i0").is_err());
        assert!(field_type(b"i").is_err());
        assert!(field_type(b"").is_err());
        assert!(field_type(b"x8").is_err());
        assert_eq!(field_type(b"i8\0junk").ok(), Some((true, 8)));
    }

    #[test]
    fn signed_roundtrip_at_odd_offsets() {
        let mut buf = vec![0u8; 10];
        for bits in 1..=64u32 {
            for offset in [0u64, 3, 7, 9] {
                let v: i64 = if bits == 64 {
                    -2
                } else {
                    -(1i64 << (bits - 1))
                };
                set_unsigned(&mut buf, offset, bits, v as u64);
                assert_eq!(
                    get_signed(&buf, offset, bits),
                    v,
                    "bits {bits} offset {offset}"
                );
            }
        }
    }

    #[test]
    fn overflow_rules() {
        assert_eq!(unsigned_overflow(250, 10, 8, Overflow::Wrap), Some(4));
        assert_eq!(unsigned_overflow(250, 10, 8, Overflow::Sat), Some(255));
        assert_eq!(unsigned_overflow(5, -10, 8, Overflow::Sat), Some(0));
        assert_eq!(unsigned_overflow(5, -5, 8, Overflow::Sat), None);
        assert_eq!(signed_overflow(120, 10, 8, Overflow::Wrap), Some(-126));
        assert_eq!(signed_overflow(-120, -10, 8, Overflow::Sat), Some(-128));
        assert_eq!(
            signed_overflow(i64::MAX, 1, 64, Overflow::Wrap),
            Some(i64::MIN)
        );
        assert_eq!(signed_overflow(0, 0, 64, Overflow::Fail), None);
    }
}
