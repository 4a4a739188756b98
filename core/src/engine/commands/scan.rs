//! What the SCAN family (SCAN, HSCAN, SSCAN, ZSCAN) shares, as Redis's
//! `scanGenericCommand`: the cursor's `strtoul` parsing, the MATCH / COUNT /
//! TYPE options and the two-element reply.

use bytes::Bytes;

use super::{is_kw, NOT_INTEGER, SYNTAX_ERROR};
use crate::resp::{parse_i64, Reply};

/// Parse a SCAN cursor as Redis does with `strtoul`: optional sign (a
/// negative value wraps), no leading whitespace, nothing after the digits,
/// an empty string is 0, overflow is an error. C strings end at a NUL byte.
pub fn parse_cursor(arg: &[u8]) -> Option<u64> {
    let s = match arg.iter().position(|&b| b == 0) {
        Some(nul) => &arg[..nul],
        None => arg,
    };
    let Some(&first) = s.first() else {
        return Some(0);
    };
    if matches!(first, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r') {
        return None;
    }
    let (neg, digits) = match first {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: u64 = 0;
    for &d in digits {
        v = v.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    Some(if neg { v.wrapping_neg() } else { v })
}

/// The cursor argument, or Redis's `invalid cursor` error.
pub fn cursor_arg(arg: &[u8]) -> Result<u64, Reply> {
    parse_cursor(arg).ok_or_else(|| Reply::err("invalid cursor"))
}

/// Parsed SCAN options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanOpts {
    /// COUNT (at least 1), default 10.
    pub count: usize,
    /// MATCH pattern; `None` for none or a lone `*` (which matches all).
    pub pattern: Option<Bytes>,
    /// TYPE filter (keyspace SCAN only).
    pub type_name: Option<Bytes>,
}

/// Parse the options from `argv[start..]`; TYPE is accepted only when
/// `allow_type` (the keyspace SCAN). Errors as Redis, checked in order.
pub fn parse_opts(argv: &[Bytes], start: usize, allow_type: bool) -> Result<ScanOpts, Reply> {
    let mut opts = ScanOpts {
        count: 10,
        pattern: None,
        type_name: None,
    };
    let mut i = start;
    while i < argv.len() {
        let left = argv.len() - i;
        let opt = &argv[i];
        if is_kw(opt, "count") && left >= 2 {
            let n = parse_i64(&argv[i + 1]).ok_or_else(|| Reply::error(NOT_INTEGER))?;
            if n < 1 {
                return Err(Reply::error(SYNTAX_ERROR));
            }
            opts.count = usize::try_from(n).unwrap_or(usize::MAX);
        } else if is_kw(opt, "match") && left >= 2 {
            let p = &argv[i + 1];
            opts.pattern = (p.as_ref() != b"*").then(|| p.clone());
        } else if allow_type && is_kw(opt, "type") && left >= 2 {
            opts.type_name = Some(argv[i + 1].clone());
        } else {
            return Err(Reply::error(SYNTAX_ERROR));
        }
        i += 2;
    }
    Ok(opts)
}

/// A SCAN-family reply: the next cursor and the items.
pub fn reply(cursor: u64, items: Vec<Reply>) -> Reply {
    Reply::Array(vec![
        Reply::Bulk(Bytes::from(cursor.to_string())),
        Reply::Array(items),
    ])
}
