//! Stream ID arguments, parsed exactly as Redis 7.0 parses them
//! (`streamGenericParseIDOrReply`): C-string semantics (a NUL ends the
//! text), at most 127 bytes, each part read by `string2ull`.

use bytes::Bytes;

use crate::engine::types::stream::StreamId;
use crate::resp::{parse_i64, Reply};

/// Redis's error for any malformed stream ID.
pub const INVALID_ID: &str = "ERR Invalid stream ID specified as stream command argument";

/// An ID as XADD accepts it: `ms-seq`, `ms-*`, or a bare `ms` (seq 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedId {
    /// The ID (seq 0 when not given).
    pub id: StreamId,
    /// False for `ms-*`.
    pub seq_given: bool,
}

/// Redis's `string2ull`: a strict `string2ll` first, then `strtoull`'s
/// laxer grammar (leading spaces, a sign, leading zeros; a minus negates
/// modulo 2^64), rejecting trailing garbage and overflow.
pub fn string2ull(s: &[u8]) -> Option<u64> {
    if let Some(v) = parse_i64(s) {
        return u64::try_from(v).ok();
    }
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
        i += 1;
    }
    let mut neg = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        neg = s[i] == b'-';
        i += 1;
    }
    let digits = &s[i..];
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: u64 = 0;
    for &c in digits {
        v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    Some(if neg { v.wrapping_neg() } else { v })
}

/// Parse an ID. `missing_seq` fills a bare `ms`; `strict` refuses `-`/`+`;
/// `allow_auto_seq` accepts `ms-*` (XADD only).
pub fn parse_id_generic(
    arg: &[u8],
    missing_seq: u64,
    strict: bool,
    allow_auto_seq: bool,
) -> Result<ParsedId, Reply> {
    let invalid = || Reply::error(INVALID_ID);
    if arg.len() > 127 {
        return Err(invalid());
    }
    // C string semantics: the text ends at the first NUL.
    let buf = match arg.iter().position(|&c| c == 0) {
        Some(n) => &arg[..n],
        None => arg,
    };
    if buf == b"-" || buf == b"+" {
        if strict {
            return Err(invalid());
        }
        let id = if buf == b"-" {
            StreamId::MIN
        } else {
            StreamId::MAX
        };
        return Ok(ParsedId {
            id,
            seq_given: true,
        });
    }
    let (ms_part, seq_part) = match buf.iter().position(|&c| c == b'-') {
        Some(p) => (&buf[..p], Some(&buf[p + 1..])),
        None => (buf, None),
    };
    let ms = string2ull(ms_part).ok_or_else(invalid)?;
    let (seq, seq_given) = match seq_part {
        Some(b"*") if allow_auto_seq => (0, false),
        Some(p) => (string2ull(p).ok_or_else(invalid)?, true),
        None => (missing_seq, true),
    };
    Ok(ParsedId {
        id: StreamId::new(ms, seq),
        seq_given,
    })
}

/// A strict ID (no `-`/`+`), missing seq 0 (`streamParseStrictIDOrReply`).
pub fn parse_strict(arg: &[u8]) -> Result<StreamId, Reply> {
    parse_id_generic(arg, 0, true, false).map(|p| p.id)
}

/// A range bound: `-`, `+`, an ID, or `(ID` for an exclusive bound
/// (`streamParseIntervalIDOrReply`). Returns the ID and whether exclusive.
pub fn parse_interval(arg: &[u8], missing_seq: u64) -> Result<(StreamId, bool), Reply> {
    if arg.len() > 1 && arg[0] == b'(' {
        let id = parse_id_generic(&arg[1..], missing_seq, true, false)?.id;
        Ok((id, true))
    } else {
        Ok((parse_id_generic(arg, missing_seq, false, false)?.id, false))
    }
}

/// A range start bound, made inclusive (`(` advances it).
pub fn range_start(arg: &Bytes) -> Result<StreamId, Reply> {
    let (id, ex) = parse_interval(arg, 0)?;
    if ex {
        id.incr()
            .ok_or_else(|| Reply::err("invalid start ID for the interval"))
    } else {
        Ok(id)
    }
}

/// A range end bound, made inclusive (`(` steps it back).
pub fn range_end(arg: &Bytes) -> Result<StreamId, Reply> {
    let (id, ex) = parse_interval(arg, u64::MAX)?;
    if ex {
        id.decr()
            .ok_or_else(|| Reply::err("invalid end ID for the interval"))
    } else {
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string2ull_follows_strtoull() {
        assert_eq!(string2ull(b"12"), Some(12));
        assert_eq!(string2ull(b"012"), Some(12));
        assert_eq!(string2ull(b" +7"), Some(7));
        assert_eq!(string2ull(b"-1"), None);
        assert_eq!(string2ull(b"-01"), Some(u64::MAX));
        assert_eq!(string2ull(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(string2ull(b"18446744073709551616"), None);
        assert_eq!(string2ull(b"1 "), None);
        assert_eq!(string2ull(b""), None);
        assert_eq!(string2ull(b"0x1"), None);
    }

    #[test]
    fn ids() {
        assert_eq!(parse_strict(b"5").unwrap(), StreamId::new(5, 0));
        assert_eq!(parse_strict(b"5-3").unwrap(), StreamId::new(5, 3));
        assert!(parse_strict(b"-").is_err());
        assert!(parse_strict(b"5-").is_err());
        assert!(parse_strict(b"5-*").is_err());
        assert_eq!(parse_strict(b"5\0junk").unwrap(), StreamId::new(5, 0));
        let p = parse_id_generic(b"5-*", 0, true, true).unwrap();
        assert!(!p.seq_given);
        assert_eq!(
            parse_interval(b"7", u64::MAX).unwrap(),
            (StreamId::new(7, u64::MAX), false)
        );
        assert_eq!(
            parse_interval(b"(7-1", 0).unwrap(),
            (StreamId::new(7, 1), true)
        );
        assert!(parse_interval(b"(-", 0).is_err());
    }
}
