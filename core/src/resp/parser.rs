//! Incremental request parser: RESP multibulk and inline commands.
//!
//! The parser is resumable: feed it any chunking of the input and it yields the
//! same commands. It follows Redis 7.0's `processMultibulkBuffer` /
//! `processInlineBuffer` closely, including their error texts, because clients
//! and our differential tests see those texts. Nothing is allocated from an
//! unchecked length header: a bulk's bytes are only taken once they have
//! arrived, and the argument vector grows with arguments actually received
//! (its initial capacity is capped).

use bytes::{Buf, Bytes, BytesMut};

use super::limits::ParserLimits;

/// A protocol violation. The connection must be closed after replying with
/// [`ProtocolError::reply_text`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError {
    /// The error reply text without the leading `-`, e.g.
    /// `ERR Protocol error: invalid bulk length`.
    pub message: String,
}

impl ProtocolError {
    fn new(msg: impl Into<String>) -> Self {
        ProtocolError {
            message: format!("ERR Protocol error: {}", msg.into()),
        }
    }

    /// The error text to send (without `-` and CRLF).
    pub fn reply_text(&self) -> &str {
        &self.message
    }
}

impl std::fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ProtocolError {}

/// How many argument slots we reserve up front, whatever the header claims.
const ARGV_PREALLOC_MAX: usize = 1024;

/// Resumable state between calls.
#[derive(Debug, Default)]
enum State {
    /// Between commands.
    #[default]
    Idle,
    /// Inside a multibulk: `remaining` arguments still to read.
    MultiBulk {
        remaining: usize,
        args: Vec<Bytes>,
        /// Length of the bulk whose header was read but whose payload has not
        /// fully arrived yet.
        bulk_len: Option<usize>,
    },
}

/// The incremental request parser. One per connection.
#[derive(Debug, Default)]
pub struct RequestParser {
    state: State,
    limits: ParserLimits,
}

/// Find `byte` in `buf` starting at `from`.
fn find(buf: &[u8], from: usize, byte: u8) -> Option<usize> {
    buf.get(from..)?
        .iter()
        .position(|&b| b == byte)
        .map(|i| i + from)
}

impl RequestParser {
    /// A parser with the given limits.
    pub fn new(limits: ParserLimits) -> Self {
        RequestParser {
            state: State::Idle,
            limits,
        }
    }

    /// Replace the limits (CONFIG SET proto-max-bulk-len applies to later headers).
    pub fn set_limits(&mut self, limits: ParserLimits) {
        self.limits = limits;
    }

    /// True when no partial command is buffered in the parser's state.
    pub fn is_idle(&self) -> bool {
        matches!(self.state, State::Idle)
    }

    /// Parse the next complete command out of `buf`, consuming its bytes.
    ///
    /// Returns `Ok(None)` when more input is needed (partial bytes may have
    /// been consumed into the parser's state). Empty commands (`*0`, blank
    /// inline lines) are skipped. On `Err` the connection is beyond repair.
    pub fn next_command(
        &mut self,
        buf: &mut BytesMut,
    ) -> Result<Option<Vec<Bytes>>, ProtocolError> {
        loop {
            if matches!(self.state, State::Idle) {
                if buf.is_empty() {
                    return Ok(None);
                }
                if buf[0] != b'*' {
                    match self.parse_inline(buf)? {
                        InlineResult::Command(args) => return Ok(Some(args)),
                        InlineResult::Empty => continue,
                        InlineResult::NeedMore => return Ok(None),
                    }
                }
                // Multibulk header.
                let Some(cr) = find(buf, 0, b'\r') else {
                    if buf.len() > self.limits.max_inline_len {
                        return Err(ProtocolError::new("too big mbulk count string"));
                    }
                    return Ok(None);
                };
                // The byte after '\r' must have arrived (it is skipped, not checked, as Redis).
                if cr + 2 > buf.len() {
                    if buf.len() > self.limits.max_inline_len {
                        return Err(ProtocolError::new("too big mbulk count string"));
                    }
                    return Ok(None);
                }
                let count = match parse_i64(&buf[1..cr]) {
                    Some(n) if n <= i64::from(i32::MAX) && n <= self.limits.max_multibulk_len => n,
                    _ => return Err(ProtocolError::new("invalid multibulk length")),
                };
                buf.advance(cr + 2);
                if count <= 0 {
                    continue;
                }
                let remaining = count as usize;
                self.state = State::MultiBulk {
                    remaining,
                    args: Vec::with_capacity(remaining.min(ARGV_PREALLOC_MAX)),
                    bulk_len: None,
                };
            }
            let State::MultiBulk {
                remaining,
                args,
                bulk_len,
            } = &mut self.state
            else {
                unreachable!("state is MultiBulk here");
            };
            while *remaining > 0 {
                let len = match *bulk_len {
                    Some(len) => len,
                    None => {
                        if buf.is_empty() {
                            return Ok(None);
                        }
                        let Some(cr) = find(buf, 0, b'\r') else {
                            if buf.len() > self.limits.max_inline_len {
                                return Err(ProtocolError::new("too big bulk count string"));
                            }
                            return Ok(None);
                        };
                        if cr + 2 > buf.len() {
                            if buf.len() > self.limits.max_inline_len {
                                return Err(ProtocolError::new("too big bulk count string"));
                            }
                            return Ok(None);
                        }
                        if buf[0] != b'$' {
                            return Err(ProtocolError::new(format!(
                                "expected '$', got '{}'",
                                buf[0] as char
                            )));
                        }
                        let len = match parse_i64(&buf[1..cr]) {
                            Some(n) if n >= 0 && n <= self.limits.max_bulk_len => n as usize,
                            _ => return Err(ProtocolError::new("invalid bulk length")),
                        };
                        buf.advance(cr + 2);
                        *bulk_len = Some(len);
                        len
                    }
                };
                // Payload plus the two bytes of its terminator (skipped unchecked, as Redis).
                if buf.len() < len + 2 {
                    // Reserve for the payload we now know is coming, but never more
                    // than a bounded step: the header was checked against the limit.
                    let want = (len + 2 - buf.len()).min(1 << 20);
                    buf.reserve(want);
                    return Ok(None);
                }
                let arg = buf.split_to(len).freeze();
                buf.advance(2);
                args.push(arg);
                *bulk_len = None;
                *remaining -= 1;
            }
            let State::MultiBulk { args, .. } = std::mem::take(&mut self.state) else {
                unreachable!("state is MultiBulk here");
            };
            return Ok(Some(args));
        }
    }

    fn parse_inline(&mut self, buf: &mut BytesMut) -> Result<InlineResult, ProtocolError> {
        let Some(nl) = find(buf, 0, b'\n') else {
            if buf.len() > self.limits.max_inline_len {
                return Err(ProtocolError::new("too big inline request"));
            }
            return Ok(InlineResult::NeedMore);
        };
        let end = if nl > 0 && buf[nl - 1] == b'\r' {
            nl - 1
        } else {
            nl
        };
        let parsed = split_args(&buf[..end]);
        buf.advance(nl + 1);
        match parsed {
            None => Err(ProtocolError::new("unbalanced quotes in request")),
            Some(args) if args.is_empty() => Ok(InlineResult::Empty),
            Some(args) => Ok(InlineResult::Command(args)),
        }
    }
}

enum InlineResult {
    Command(Vec<Bytes>),
    Empty,
    NeedMore,
}

/// Parse a decimal integer exactly as Redis's `string2ll`: optional `-`, no
/// `+`, no leading zeros (but "0"), no spaces, no overflow, at most 20 chars.
pub fn parse_i64(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (neg, digits) = match s[0] {
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !(b'1'..=b'9').contains(&digits[0]) {
        return None;
    }
    let mut v: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    if neg {
        if v > (i64::MAX as u64) + 1 {
            None
        } else {
            Some((v as i64).wrapping_neg())
        }
    } else {
        i64::try_from(v).ok()
    }
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn hex_val(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// Split an inline command line into arguments with Redis's `sdssplitargs`
/// rules (double quotes with escapes, single quotes, a closing quote must be
/// followed by a space). Returns `None` on unbalanced quotes.
pub fn split_args(line: &[u8]) -> Option<Vec<Bytes>> {
    let mut args = Vec::new();
    let mut i = 0;
    let n = line.len();
    loop {
        while i < n && is_space(line[i]) {
            i += 1;
        }
        if i >= n {
            return Some(args);
        }
        let mut cur = Vec::new();
        let mut in_dq = false;
        let mut in_sq = false;
        loop {
            if in_dq {
                if i >= n {
                    return None;
                }
                let c = line[i];
                if c == b'\\'
                    && i + 3 < n
                    && line[i + 1] == b'x'
                    && hex_val(line[i + 2]).is_some()
                    && hex_val(line[i + 3]).is_some()
                {
                    let hi = hex_val(line[i + 2]).unwrap_or(0);
                    let lo = hex_val(line[i + 3]).unwrap_or(0);
                    cur.push(hi * 16 + lo);
                    i += 3;
                } else if c == b'\\' && i + 1 < n {
                    i += 1;
                    cur.push(match line[i] {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        other => other,
                    });
                } else if c == b'"' {
                    // The closing quote must be followed by a space or the end.
                    if i + 1 < n && !is_space(line[i + 1]) {
                        return None;
                    }
                    i += 1;
                    break;
                } else {
                    cur.push(c);
                }
            } else if in_sq {
                if i >= n {
                    return None;
                }
                let c = line[i];
                if c == b'\\' && i + 1 < n && line[i + 1] == b'\'' {
                    i += 1;
                    cur.push(b'\'');
                } else if c == b'\'' {
                    if i + 1 < n && !is_space(line[i + 1]) {
                        return None;
                    }
                    i += 1;
                    break;
                } else {
                    cur.push(c);
                }
            } else {
                if i >= n {
                    break;
                }
                match line[i] {
                    c if is_space(c) => break,
                    b'"' => in_dq = true,
                    b'\'' => in_sq = true,
                    c => cur.push(c),
                }
            }
            i += 1;
        }
        args.push(Bytes::from(cur));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(input: &[u8]) -> (Vec<Vec<Bytes>>, Option<ProtocolError>) {
        let mut p = RequestParser::default();
        let mut buf = BytesMut::from(input);
        let mut out = Vec::new();
        loop {
            match p.next_command(&mut buf) {
                Ok(Some(c)) => out.push(c),
                Ok(None) => return (out, None),
                Err(e) => return (out, Some(e)),
            }
        }
    }

    fn args(v: &[&str]) -> Vec<Bytes> {
        v.iter()
            .map(|s| Bytes::copy_from_slice(s.as_bytes()))
            .collect()
    }

    #[test]
    fn multibulk_and_inline() {
        let (cmds, err) =
            parse_all(b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\n  set a \"b c\"\r\n\r\n*0\r\n");
        assert!(err.is_none());
        assert_eq!(
            cmds,
            vec![
                args(&["GET", "k"]),
                args(&["PING"]),
                args(&["set", "a", "b c"])
            ]
        );
    }

    #[test]
    fn errors_match_redis() {
        let cases: &[(&[u8], &str)] = &[
            (b"*x\r\n", "ERR Protocol error: invalid multibulk length"),
            (b"*1\r\n$-1\r\n", "ERR Protocol error: invalid bulk length"),
            (
                b"*1\r\n$600000000\r\n",
                "ERR Protocol error: invalid bulk length",
            ),
            (b"*1\r\n:1\r\n", "ERR Protocol error: expected '$', got ':'"),
            (
                b"set \"a\"b\r\n",
                "ERR Protocol error: unbalanced quotes in request",
            ),
            (
                b"set 'a\r\n",
                "ERR Protocol error: unbalanced quotes in request",
            ),
        ];
        for (input, want) in cases {
            let (_, err) = parse_all(input);
            assert_eq!(err.expect("error").message, *want, "input {:?}", input);
        }
    }

    #[test]
    fn inline_too_big() {
        let big = vec![b'a'; 70 * 1024];
        let (_, err) = parse_all(&big);
        assert_eq!(
            err.unwrap().message,
            "ERR Protocol error: too big inline request"
        );
        let mut mb = b"*".to_vec();
        mb.extend(vec![b'1'; 70 * 1024]);
        let (_, err) = parse_all(&mb);
        assert_eq!(
            err.unwrap().message,
            "ERR Protocol error: too big mbulk count string"
        );
    }

    #[test]
    fn huge_count_header_does_not_allocate() {
        let mut p = RequestParser::default();
        let mut buf = BytesMut::from(&b"*2147483647\r\n$3\r\nfoo\r\n"[..]);
        assert_eq!(p.next_command(&mut buf).unwrap(), None);
        assert!(!p.is_idle());
    }

    #[test]
    fn string2ll_rules() {
        assert_eq!(parse_i64(b"0"), Some(0));
        assert_eq!(parse_i64(b"-0"), None);
        assert_eq!(parse_i64(b"01"), None);
        assert_eq!(parse_i64(b"+1"), None);
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_i64(b"9223372036854775808"), None);
        assert_eq!(parse_i64(b"18446744073709551615"), None);
        assert_eq!(parse_i64(b" 1"), None);
    }

    #[test]
    fn split_args_escapes() {
        assert_eq!(
            split_args(b"a \"\\x41\\n\" 'it\\'s' x\"y z\"").unwrap(),
            vec![
                Bytes::from_static(b"a"),
                Bytes::from_static(b"A\n"),
                Bytes::from_static(b"it's"),
                Bytes::from_static(b"xy z"),
            ]
        );
    }
}
