//! Reading the ziplist format (Redis before 7.0), which older DUMP
//! payloads and RDB files carry in RDB types 10-14. keyrs never writes it.
//!
//! Layout: total bytes (u32 LE), tail offset (u32 LE), count (u16 LE),
//! entries, end byte `0xFF`. An entry is the previous entry's length (1
//! byte, or `0xFE` + u32 LE), an encoding and its data: `00xxxxxx` string
//! of up to 63 bytes, `01xxxxxx` + 1 byte 14-bit length (big-endian),
//! `0x80` + u32 big-endian length; `0xC0` i16, `0xD0` i32, `0xE0` i64,
//! `0xF0` i24, `0xFE` i8 (little-endian), `0xF1..=0xFD` the values 0..12.

use super::listpack::Item;
use super::RdbError;

/// Decode and validate a ziplist (sizes, prevlens, count, end byte).
pub fn decode(buf: &[u8]) -> Result<Vec<Item>, RdbError> {
    let bad = RdbError::Corrupt("bad ziplist");
    if buf.len() < 11 {
        return Err(bad);
    }
    let total = u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
    let tail = u32::from_le_bytes([buf[4], buf[5], buf[6], buf[7]]) as usize;
    let count = usize::from(u16::from_le_bytes([buf[8], buf[9]]));
    if total != buf.len() || buf[total - 1] != 0xFF || tail >= total {
        return Err(bad);
    }
    let end = total - 1;
    let get = |from: usize, n: usize| -> Result<&[u8], RdbError> {
        let to = from
            .checked_add(n)
            .ok_or(RdbError::Corrupt("bad ziplist"))?;
        if to > end {
            return Err(RdbError::Corrupt("bad ziplist"));
        }
        Ok(&buf[from..to])
    };
    let mut items = Vec::new();
    let mut p = 10usize;
    let mut prev_len = 0usize;
    let mut last_start = 10usize;
    while p < end {
        let start = p;
        let b = get(p, 1)?[0];
        let prev = if b < 0xFE {
            p += 1;
            usize::from(b)
        } else if b == 0xFE {
            let l = get(p + 1, 4)?;
            p += 5;
            u32::from_le_bytes([l[0], l[1], l[2], l[3]]) as usize
        } else {
            return Err(bad);
        };
        if prev != prev_len {
            return Err(bad);
        }
        let e = get(p, 1)?[0];
        let item = match e >> 6 {
            0 => {
                let n = usize::from(e & 0x3f);
                let s = get(p + 1, n)?;
                p += 1 + n;
                Item::Str(s.to_vec())
            }
            1 => {
                let n = (usize::from(e & 0x3f) << 8) | usize::from(get(p + 1, 1)?[0]);
                let s = get(p + 2, n)?;
                p += 2 + n;
                Item::Str(s.to_vec())
            }
            2 => {
                if e != 0x80 {
                    return Err(bad);
                }
                let l = get(p + 1, 4)?;
                let n = u32::from_be_bytes([l[0], l[1], l[2], l[3]]) as usize;
                let s = get(p + 5, n)?;
                p += 5 + n;
                Item::Str(s.to_vec())
            }
            _ => {
                let (w, signed_bits) = match e {
                    0xC0 => (2, 16),
                    0xD0 => (4, 32),
                    0xE0 => (8, 64),
                    0xF0 => (3, 24),
                    0xFE => (1, 8),
                    0xF1..=0xFD => (0, 0),
                    _ => return Err(bad),
                };
                if w == 0 {
                    p += 1;
                    Item::Int(i64::from(e & 0x0f) - 1)
                } else {
                    let d = get(p + 1, w)?;
                    let mut v = 0u64;
                    for (i, &x) in d.iter().enumerate() {
                        v |= u64::from(x) << (8 * i);
                    }
                    let shift = 64 - signed_bits;
                    p += 1 + w;
                    Item::Int(((v << shift) as i64) >> shift)
                }
            }
        };
        prev_len = p - start;
        last_start = start;
        items.push(item);
    }
    if p != end || (count != usize::from(u16::MAX) && count != items.len()) {
        return Err(bad);
    }
    if !items.is_empty() && tail != last_start {
        return Err(bad);
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ziplist built by hand: "ab", 7 (immediate), 300 (int16).
    fn sample() -> Vec<u8> {
        let entries: Vec<Vec<u8>> = vec![
            vec![0, 0x02, b'a', b'b'],
            vec![4, 0xF8],
            vec![2, 0xC0, 0x2c, 0x01],
        ];
        let body: Vec<u8> = entries.concat();
        let total = 10 + body.len() + 1;
        let tail = 10 + 4 + 2;
        let mut z = Vec::new();
        z.extend_from_slice(&(total as u32).to_le_bytes());
        z.extend_from_slice(&(tail as u32).to_le_bytes());
        z.extend_from_slice(&3u16.to_le_bytes());
        z.extend_from_slice(&body);
        z.push(0xFF);
        z
    }

    #[test]
    fn decodes_and_validates() {
        let z = sample();
        assert_eq!(
            decode(&z),
            Ok(vec![
                Item::Str(b"ab".to_vec()),
                Item::Int(7),
                Item::Int(300)
            ])
        );
        // Header, prevlen and encoding bytes: any change is caught.
        for i in [0, 4, 8, 10, 11, 14, 16, 17] {
            let mut bad = z.clone();
            bad[i] = bad[i].wrapping_add(1);
            assert!(decode(&bad).is_err(), "byte {i}");
        }
        for i in 0..z.len() {
            assert!(decode(&z[..i]).is_err());
        }
    }
}
