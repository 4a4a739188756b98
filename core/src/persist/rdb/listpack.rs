//! The listpack binary format (Redis 7.0's compact container), both ways.
//!
//! Layout: total bytes (u32 LE), element count (u16 LE, 65535 meaning
//! "count them"), entries, the end byte `0xFF`. An entry is an encoding
//! byte (plus data), then its "backlen": the size of encoding + data in
//! 1-5 bytes of 7 bits, readable from the right so the list can be walked
//! backwards.
//!
//! Encodings: `0xxxxxxx` 7-bit unsigned int; `10xxxxxx` string of up to 63
//! bytes; `110xxxxx` + 1 byte: 13-bit signed int; `1110xxxx` + 1 byte:
//! string of up to 4095 bytes; `0xF0` + u32 LE: longer string; `0xF1`..
//! `0xF4`: 16/24/32/64-bit signed ints (LE).
//!
//! Strings that are canonical 64-bit integers (Redis's `string2ll` rules)
//! are stored as integers, as Redis's `lpAppend` does.

use super::RdbError;
use crate::resp::parse_i64;

const HEADER: usize = 6;
const EOF: u8 = 0xFF;

/// Bytes the backlen of an entry of `l` bytes takes.
fn backlen_size(l: usize) -> usize {
    match l {
        0..=127 => 1,
        128..=16382 => 2,
        16383..=2097150 => 3,
        2097151..=268435454 => 4,
        _ => 5,
    }
}

/// Append the backlen of an entry of `l` bytes: the lowest 7 bits last
/// (with the continuation bit set when more bytes precede it).
fn write_backlen(out: &mut Vec<u8>, l: usize) {
    let n = backlen_size(l);
    for i in (0..n).rev() {
        out.push(((l >> (7 * i)) & 0x7f) as u8);
    }
    // Every byte right of the leftmost carries the continuation bit.
    let len = out.len();
    for b in &mut out[len - n + 1..] {
        *b |= 0x80;
    }
}

/// Append one entry holding `s`.
fn write_entry(out: &mut Vec<u8>, s: &[u8]) {
    let start = out.len();
    match parse_i64(s) {
        Some(v) => write_int(out, v),
        None => {
            let n = s.len();
            if n < 64 {
                out.push(0x80 | n as u8);
            } else if n < 4096 {
                out.push(0xE0 | (n >> 8) as u8);
                out.push(n as u8);
            } else {
                out.push(0xF0);
                out.extend_from_slice(&(n as u32).to_le_bytes());
            }
            out.extend_from_slice(s);
        }
    }
    let l = out.len() - start;
    write_backlen(out, l);
}

fn write_int(out: &mut Vec<u8>, v: i64) {
    if (0..=127).contains(&v) {
        out.push(v as u8);
    } else if (-4096..=4095).contains(&v) {
        let u = (v as u16) & 0x1fff;
        out.push(0xC0 | (u >> 8) as u8);
        out.push(u as u8);
    } else if let Ok(x) = i16::try_from(v) {
        out.push(0xF1);
        out.extend_from_slice(&x.to_le_bytes());
    } else if (-(1 << 23)..(1 << 23)).contains(&v) {
        out.push(0xF2);
        out.extend_from_slice(&(v as i32).to_le_bytes()[..3]);
    } else if let Ok(x) = i32::try_from(v) {
        out.push(0xF3);
        out.extend_from_slice(&x.to_le_bytes());
    } else {
        out.push(0xF4);
        out.extend_from_slice(&v.to_le_bytes());
    }
}

/// Build a listpack holding `items` in order.
pub fn encode<'a>(items: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = vec![0u8; HEADER];
    let mut count = 0usize;
    for s in items {
        write_entry(&mut out, s);
        count += 1;
    }
    out.push(EOF);
    let total = out.len() as u32;
    out[0..4].copy_from_slice(&total.to_le_bytes());
    let n = u16::try_from(count).unwrap_or(u16::MAX);
    out[4..6].copy_from_slice(&n.to_le_bytes());
    out
}

/// Bytes the entry holding `s` takes in a listpack, backlen included
/// (quicklist node sizing).
pub fn entry_size(s: &[u8]) -> usize {
    let mut v = Vec::new();
    write_entry(&mut v, s);
    v.len()
}

/// A decoded entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// An integer entry.
    Int(i64),
    /// A string entry.
    Str(Vec<u8>),
}

impl Item {
    /// The entry as bytes (integers as decimal text), as Redis reads them.
    pub fn into_bytes(self) -> Vec<u8> {
        match self {
            Item::Int(n) => itoa::Buffer::new().format(n).as_bytes().to_vec(),
            Item::Str(s) => s,
        }
    }
}

fn sign_extend(v: u64, bits: u32) -> i64 {
    let shift = 64 - bits;
    ((v << shift) as i64) >> shift
}

/// Decode and fully validate a listpack: header size, every entry's
/// encoding, bounds and backlen, the end byte, and the element count.
pub fn decode(buf: &[u8]) -> Result<Vec<Item>, RdbError> {
    let bad = RdbError::Corrupt("bad listpack");
    if buf.len() < HEADER + 1 {
        return Err(bad);
    }
    let total = u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
    let count = usize::from(u16::from_le_bytes([buf[4], buf[5]]));
    if total != buf.len() || buf[total - 1] != EOF {
        return Err(bad);
    }
    let body = &buf[HEADER..total - 1];
    let mut items = Vec::with_capacity(count.min(body.len()));
    let mut p = 0usize;
    let get = |from: usize, n: usize| -> Result<&[u8], RdbError> {
        body.get(
            from..from
                .checked_add(n)
                .ok_or(RdbError::Corrupt("bad listpack"))?,
        )
        .ok_or(RdbError::Corrupt("bad listpack"))
    };
    while p < body.len() {
        let b = body[p];
        let (item, len) = if b & 0x80 == 0 {
            (Item::Int(i64::from(b)), 1)
        } else if b & 0xC0 == 0x80 {
            let n = usize::from(b & 0x3f);
            (Item::Str(get(p + 1, n)?.to_vec()), 1 + n)
        } else if b & 0xE0 == 0xC0 {
            let lo = get(p + 1, 1)?[0];
            let v = (u64::from(b & 0x1f) << 8) | u64::from(lo);
            (Item::Int(sign_extend(v, 13)), 2)
        } else if b & 0xF0 == 0xE0 {
            let lo = get(p + 1, 1)?[0];
            let n = (usize::from(b & 0x0f) << 8) | usize::from(lo);
            (Item::Str(get(p + 2, n)?.to_vec()), 2 + n)
        } else {
            match b {
                0xF0 => {
                    let l = get(p + 1, 4)?;
                    let n = u32::from_le_bytes([l[0], l[1], l[2], l[3]]) as usize;
                    (Item::Str(get(p + 5, n)?.to_vec()), 5 + n)
                }
                0xF1..=0xF4 => {
                    let w = match b {
                        0xF1 => 2,
                        0xF2 => 3,
                        0xF3 => 4,
                        _ => 8,
                    };
                    let d = get(p + 1, w)?;
                    let mut v = 0u64;
                    for (i, &x) in d.iter().enumerate() {
                        v |= u64::from(x) << (8 * i);
                    }
                    (Item::Int(sign_extend(v, 8 * w as u32)), 1 + w)
                }
                _ => return Err(bad),
            }
        };
        // The backlen must encode exactly this entry's size.
        let bl = backlen_size(len);
        let mut want = Vec::with_capacity(bl);
        write_backlen(&mut want, len);
        if get(p + len, bl)? != &want[..] {
            return Err(bad);
        }
        p += len + bl;
        items.push(item);
    }
    if count != usize::from(u16::MAX) && count != items.len() {
        return Err(bad);
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn matches_redis_bytes() {
        // The listpack inside redis-server 7.0.15's DUMP of
        // RPUSH l a b 1 -5 300 70000.
        let want = b"\x1a\x00\x00\x00\x06\x00\x81a\x02\x81b\x02\x01\x01\xdf\xfb\x02\xc1,\x02\xf2p\x11\x01\x04\xff";
        let items: [&[u8]; 6] = [b"a", b"b", b"1", b"-5", b"300", b"70000"];
        assert_eq!(encode(items), want);
        let back: Vec<Vec<u8>> = decode(want)
            .unwrap()
            .into_iter()
            .map(Item::into_bytes)
            .collect();
        assert_eq!(back, items.map(<[u8]>::to_vec));
    }

    #[test]
    fn backlens_at_every_width() {
        for l in [1, 127, 128, 16382, 16383, 2097150, 2097151] {
            let mut v = Vec::new();
            write_backlen(&mut v, l);
            assert_eq!(v.len(), backlen_size(l));
            // Read it from the right.
            let mut val = 0usize;
            let mut shift = 0;
            for &b in v.iter().rev() {
                val |= usize::from(b & 0x7f) << shift;
                shift += 7;
                if b & 0x80 == 0 {
                    break;
                }
            }
            assert_eq!(val, l);
        }
    }

    #[test]
    fn rejects_corruption() {
        let good = encode([&b"hello"[..], b"7"]);
        assert!(decode(&good).is_ok());
        for i in 0..good.len() {
            let mut bad = good.clone();
            bad[i] ^= 0x40;
            let _ = decode(&bad);
        }
        assert!(decode(&good[..good.len() - 1]).is_err());
        let mut wrong_count = good.clone();
        wrong_count[4] = 3;
        assert!(decode(&wrong_count).is_err());
        assert!(decode(b"\x07\x00\x00\x00\x00\x00\xff").unwrap().is_empty());
        assert!(decode(b"\x07\x00\x00\x00\x00\x00\xfe").is_err());
    }

    proptest! {
        #[test]
        fn round_trips(items in proptest::collection::vec(
            prop_oneof![
                any::<i64>().prop_map(|n| n.to_string().into_bytes()),
                (-5000i64..5000).prop_map(|n| n.to_string().into_bytes()),
                proptest::collection::vec(any::<u8>(), 0..5000),
            ], 0..20)) {
            let lp = encode(items.iter().map(|v| &v[..]));
            let back: Vec<Vec<u8>> = decode(&lp).unwrap().into_iter().map(Item::into_bytes).collect();
            prop_assert_eq!(back, items);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = decode(&bytes);
        }
    }
}
