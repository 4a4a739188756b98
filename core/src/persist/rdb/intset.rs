//! The intset binary format: element width in bytes (u32 LE: 2, 4 or 8),
//! count (u32 LE), then the members ascending, little-endian.
//!
//! Redis widens an intset when a wider member arrives and never narrows
//! it again; keyrs keeps plain `i64`s, so [`encode`] uses the narrowest
//! width for the current members (what Redis has unless a wider member
//! was added and later removed).

use super::RdbError;

fn width(v: i64) -> usize {
    if i16::try_from(v).is_ok() {
        2
    } else if i32::try_from(v).is_ok() {
        4
    } else {
        8
    }
}

/// Encode ascending, distinct `members`.
pub fn encode(members: &[i64]) -> Vec<u8> {
    let w = members.iter().map(|&v| width(v)).max().unwrap_or(2);
    let mut out = Vec::with_capacity(8 + w * members.len());
    out.extend_from_slice(&(w as u32).to_le_bytes());
    out.extend_from_slice(&(members.len() as u32).to_le_bytes());
    for &v in members {
        out.extend_from_slice(&v.to_le_bytes()[..w]);
    }
    out
}

/// Decode and validate: known width, exact size, strictly ascending
/// members (no duplicates).
pub fn decode(buf: &[u8]) -> Result<Vec<i64>, RdbError> {
    let bad = RdbError::Corrupt("bad intset");
    if buf.len() < 8 {
        return Err(bad);
    }
    let w = u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
    let n = u32::from_le_bytes([buf[4], buf[5], buf[6], buf[7]]) as usize;
    if !matches!(w, 2 | 4 | 8) || n.checked_mul(w).and_then(|b| b.checked_add(8)) != Some(buf.len())
    {
        return Err(bad);
    }
    let mut out: Vec<i64> = Vec::with_capacity(n);
    for chunk in buf[8..].chunks_exact(w) {
        let v = match w {
            2 => i64::from(i16::from_le_bytes([chunk[0], chunk[1]])),
            4 => i64::from(i32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]])),
            _ => {
                let mut a = [0u8; 8];
                a.copy_from_slice(chunk);
                i64::from_le_bytes(a)
            }
        };
        if out.last().is_some_and(|&last| last >= v) {
            return Err(bad);
        }
        out.push(v);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_redis_bytes() {
        // From redis-server 7.0.15's DUMP of SADD si 1 2 300.
        let want = b"\x02\x00\x00\x00\x03\x00\x00\x00\x01\x00\x02\x00,\x01";
        assert_eq!(encode(&[1, 2, 300]), want);
        assert_eq!(decode(want), Ok(vec![1, 2, 300]));
    }

    #[test]
    fn widths_and_validation() {
        for m in [vec![], vec![-70000, 5], vec![i64::MIN, 0, i64::MAX]] {
            assert_eq!(decode(&encode(&m)), Ok(m));
        }
        assert_eq!(encode(&[70000])[0], 4);
        assert!(decode(b"\x02\x00\x00\x00\x02\x00\x00\x00\x01\x00\x01\x00").is_err());
        assert!(decode(b"\x03\x00\x00\x00\x00\x00\x00\x00").is_err());
        assert!(decode(b"\x02\x00\x00\x00\xff\xff\xff\xff\x01\x00").is_err());
    }
}
