//! A general RESP2/RESP3 frame parser, for replies (tests, replication,
//! the round-trip fuzz target). Nesting is bounded by
//! [`super::limits::FRAME_NESTING_MAX`].
//!
//! [`FrameParser`] is incremental: it consumes complete elements from the
//! front of a [`BytesMut`] and keeps the aggregates it is inside of on an
//! explicit stack, so any chunking of the input yields the same replies and
//! a strict prefix of a frame is "incomplete", never an error. No memory is
//! reserved from a length header beyond a small bound: a bulk's bytes are
//! taken only once they have all arrived, and aggregates grow with the
//! elements actually received.
//!
//! Every RESP2 and RESP3 type maps onto [`Reply`]: `$-1` and `_` become
//! [`Reply::Nil`], `*-1` [`Reply::NilArray`], blob errors (`!`) become
//! [`Reply::Error`]. Attributes (`|`) are out-of-band metadata attached to
//! the reply that follows them; they are parsed, kept aside (see
//! [`FrameParser::take_attributes`]) and do not count as elements of the
//! aggregate they appear in. Streamed RESP3 types (`$?`, `*?`) are refused.

use std::borrow::Cow;

use bytes::{Buf, Bytes, BytesMut};

use super::limits::{BULK_MAX_BYTES_DEFAULT, FRAME_NESTING_MAX};
use super::reply::Reply;
use crate::util::num::format_double;

/// Why a byte stream is not valid RESP. The stream cannot be resynchronised
/// after this: the parser's state is unspecified and the caller should drop
/// the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameError {
    /// What was wrong, for logs and test failures.
    pub message: String,
}

impl FrameError {
    fn new(msg: impl Into<String>) -> Self {
        FrameError {
            message: msg.into(),
        }
    }
}

impl std::fmt::Display for FrameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RESP frame error: {}", self.message)
    }
}

impl std::error::Error for FrameError {}

/// Bounds a [`FrameParser`] enforces, so a hostile peer cannot make it
/// allocate or recurse without limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameLimits {
    /// How many aggregates may be open at once.
    pub nesting_max: usize,
    /// The largest bulk / verbatim / blob-error payload accepted.
    pub bulk_len_max: usize,
    /// The largest element count an aggregate header may announce.
    pub aggregate_len_max: usize,
    /// The longest simple line (status, error, number) we wait for.
    pub line_len_max: usize,
}

impl Default for FrameLimits {
    fn default() -> Self {
        FrameLimits {
            nesting_max: FRAME_NESTING_MAX,
            bulk_len_max: BULK_MAX_BYTES_DEFAULT as usize,
            aggregate_len_max: i32::MAX as usize,
            line_len_max: 1 << 20,
        }
    }
}

/// How many element slots an aggregate reserves up front, whatever its
/// header claims.
const AGGREGATE_PREALLOC_MAX: usize = 1024;

/// How much buffer space is reserved ahead for a bulk payload still arriving.
const BULK_RESERVE_STEP_MAX: usize = 1 << 20;

/// The kind of an open aggregate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AggKind {
    Array,
    Set,
    Push,
    Map,
    Attribute,
}

/// An aggregate whose header has been read but not all of its elements.
#[derive(Debug)]
struct OpenAgg {
    kind: AggKind,
    /// Elements still to come (for maps and attributes: 2 per pair).
    remaining: usize,
    items: Vec<Reply>,
}

/// The kind of a length-prefixed payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BlobKind {
    Bulk,
    Verbatim,
    Error,
}

/// The incremental reply parser. One per stream.
#[derive(Debug, Default)]
pub struct FrameParser {
    stack: Vec<OpenAgg>,
    /// A blob header was read; its payload (`len` bytes + CRLF) has not fully arrived.
    blob: Option<(BlobKind, usize)>,
    attributes: Vec<Vec<(Reply, Reply)>>,
    limits: FrameLimits,
}

/// Where the current line ends: the index of its `\r`, or `None` when the
/// line (with its `\n`) has not fully arrived.
fn line_end(buf: &[u8], max: usize) -> Result<Option<usize>, FrameError> {
    match buf.iter().position(|&b| b == b'\r') {
        Some(cr) => match buf.get(cr + 1) {
            None => Ok(None),
            Some(b'\n') => Ok(Some(cr)),
            Some(_) => Err(FrameError::new("CR not followed by LF")),
        },
        None => {
            if buf.contains(&b'\n') {
                return Err(FrameError::new("LF without CR"));
            }
            if buf.len() > max {
                return Err(FrameError::new("line too long"));
            }
            Ok(None)
        }
    }
}

/// A decimal integer as RESP writes them (optional sign, digits, no overflow).
fn parse_int(line: &[u8]) -> Result<i64, FrameError> {
    std::str::from_utf8(line)
        .ok()
        .filter(|s| !s.is_empty() && s.bytes().skip(1).all(|b| b.is_ascii_digit()))
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or_else(|| FrameError::new(format!("invalid integer {:?}", lossy(line))))
}

/// A length header: `-1` (only where `null_ok`) or `0..=max`.
fn parse_len(line: &[u8], max: usize, null_ok: bool) -> Result<Option<usize>, FrameError> {
    if line == b"?" {
        return Err(FrameError::new("streamed RESP3 types are not supported"));
    }
    let n = parse_int(line)?;
    if n == -1 && null_ok {
        return Ok(None);
    }
    match usize::try_from(n) {
        Ok(len) if len <= max => Ok(Some(len)),
        _ => Err(FrameError::new(format!("invalid length {n}"))),
    }
}

/// A RESP3 double: `inf`, `-inf`, `nan` or a decimal/exponent number.
fn parse_double(line: &[u8]) -> Result<f64, FrameError> {
    let s = std::str::from_utf8(line).map_err(|_| FrameError::new("double is not ASCII"))?;
    match s {
        "inf" | "+inf" => return Ok(f64::INFINITY),
        "-inf" => return Ok(f64::NEG_INFINITY),
        "nan" => return Ok(f64::NAN),
        "-nan" => return Ok(-f64::NAN),
        _ => {}
    }
    // Rust also accepts "infinity", "NaN" etc.; RESP does not.
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'));
    plain
        .then(|| s.parse::<f64>().ok())
        .flatten()
        .ok_or_else(|| FrameError::new(format!("invalid double {s:?}")))
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(&b[..b.len().min(64)]).into_owned()
}

fn text(line: &[u8]) -> Cow<'static, str> {
    Cow::Owned(String::from_utf8_lossy(line).into_owned())
}

impl FrameParser {
    /// A parser with the given limits.
    pub fn new(limits: FrameLimits) -> Self {
        FrameParser {
            limits,
            ..FrameParser::default()
        }
    }

    /// True when no partial frame is held in the parser's state.
    pub fn is_idle(&self) -> bool {
        self.stack.is_empty() && self.blob.is_none()
    }

    /// The attribute maps received so far (in order), clearing them. An
    /// attribute describes the reply (or element) that followed it.
    pub fn take_attributes(&mut self) -> Vec<Vec<(Reply, Reply)>> {
        std::mem::take(&mut self.attributes)
    }

    /// Parse the next complete reply out of `buf`, consuming its bytes.
    ///
    /// `Ok(None)` means more input is needed; bytes of complete elements may
    /// already have been consumed into the parser's state, so keep feeding
    /// the same parser. After `Err` the stream is beyond repair.
    pub fn next_frame(&mut self, buf: &mut BytesMut) -> Result<Option<Reply>, FrameError> {
        loop {
            let Some(element) = self.next_element(buf)? else {
                return Ok(None);
            };
            // `None`: an aggregate was opened or an attribute closed; keep reading.
            let Some(mut reply) = element else {
                continue;
            };
            // Hand the element to the aggregates it completes.
            loop {
                let Some(top) = self.stack.last_mut() else {
                    return Ok(Some(reply));
                };
                top.items.push(reply);
                top.remaining -= 1;
                if top.remaining > 0 {
                    break;
                }
                let Some(done) = self.stack.pop() else {
                    break;
                };
                if done.kind == AggKind::Attribute {
                    // Not an element of its parent: set it aside, read on.
                    self.push_attribute(done.items);
                    break;
                }
                match close(done.kind, done.items) {
                    Some(r) => reply = r,
                    None => break,
                }
            }
        }
    }

    /// Record a closed attribute and read on.
    fn push_attribute(&mut self, items: Vec<Reply>) {
        self.attributes.push(pairs(items));
    }

    /// Read one element header or leaf. `Ok(None)`: need more input.
    /// `Ok(Some(None))`: an aggregate was opened (or an empty attribute
    /// seen). `Ok(Some(Some(reply)))`: a complete leaf or empty aggregate.
    fn next_element(&mut self, buf: &mut BytesMut) -> Result<Option<Option<Reply>>, FrameError> {
        if let Some((kind, len)) = self.blob {
            let Some(total) = len.checked_add(2) else {
                return Err(FrameError::new("length overflow"));
            };
            if buf.len() < total {
                buf.reserve((total - buf.len()).min(BULK_RESERVE_STEP_MAX));
                return Ok(None);
            }
            if &buf[len..total] != b"\r\n" {
                return Err(FrameError::new("payload not terminated by CRLF"));
            }
            let payload = buf.split_to(len).freeze();
            buf.advance(2);
            self.blob = None;
            return blob_reply(kind, payload).map(|r| Some(Some(r)));
        }
        let Some(&prefix) = buf.first() else {
            return Ok(None);
        };
        let Some(cr) = line_end(buf, self.limits.line_len_max)? else {
            return Ok(None);
        };
        // `cr == 0`: a line with no type byte at all.
        let Some(line) = buf.get(1..cr) else {
            return Err(FrameError::new("line without a type byte"));
        };
        let limits = self.limits;
        let mut opened = None;
        let leaf = match prefix {
            b'+' => Some(Reply::Status(text(line))),
            b'-' => Some(Reply::Error(text(line))),
            b':' => Some(Reply::Integer(parse_int(line)?)),
            b'_' if line.is_empty() => Some(Reply::Nil),
            b'#' => match line {
                b"t" => Some(Reply::Bool(true)),
                b"f" => Some(Reply::Bool(false)),
                _ => return Err(FrameError::new("invalid boolean")),
            },
            b',' => Some(Reply::Double(parse_double(line)?)),
            b'(' => {
                let digits = line.strip_prefix(b"-").unwrap_or(line);
                let digits = digits.strip_prefix(b"+").unwrap_or(digits);
                if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
                    return Err(FrameError::new("invalid big number"));
                }
                Some(Reply::BigNumber(String::from_utf8_lossy(line).into_owned()))
            }
            b'$' | b'=' | b'!' => {
                let kind = match prefix {
                    b'$' => BlobKind::Bulk,
                    b'=' => BlobKind::Verbatim,
                    _ => BlobKind::Error,
                };
                match parse_len(line, limits.bulk_len_max, kind == BlobKind::Bulk)? {
                    None => Some(Reply::Nil),
                    Some(len) => {
                        if kind == BlobKind::Verbatim && len < 4 {
                            return Err(FrameError::new("verbatim string too short"));
                        }
                        self.blob = Some((kind, len));
                        None
                    }
                }
            }
            b'*' | b'~' | b'>' | b'%' | b'|' => {
                let kind = match prefix {
                    b'*' => AggKind::Array,
                    b'~' => AggKind::Set,
                    b'>' => AggKind::Push,
                    b'%' => AggKind::Map,
                    _ => AggKind::Attribute,
                };
                let count = parse_len(line, limits.aggregate_len_max, kind == AggKind::Array)?;
                match count {
                    None => Some(Reply::NilArray),
                    Some(n) => {
                        let paired = matches!(kind, AggKind::Map | AggKind::Attribute);
                        let elements = if paired { n.checked_mul(2) } else { Some(n) }
                            .ok_or_else(|| FrameError::new("length overflow"))?;
                        opened = Some((kind, elements));
                        None
                    }
                }
            }
            other => {
                return Err(FrameError::new(format!(
                    "unknown type byte {:?}",
                    other as char
                )))
            }
        };
        buf.advance(cr + 2);
        if let Some(r) = leaf {
            return Ok(Some(Some(r)));
        }
        if let Some((kind, elements)) = opened {
            if elements == 0 {
                return Ok(Some(match close(kind, Vec::new()) {
                    Some(r) => Some(r),
                    None => {
                        self.push_attribute(Vec::new());
                        None
                    }
                }));
            }
            if self.stack.len() >= limits.nesting_max {
                return Err(FrameError::new("aggregates nested too deeply"));
            }
            self.stack.push(OpenAgg {
                kind,
                remaining: elements,
                items: Vec::with_capacity(elements.min(AGGREGATE_PREALLOC_MAX)),
            });
        }
        Ok(Some(None))
    }
}

/// The reply for a closed aggregate; `None` for an attribute, which the
/// parser sets aside instead.
fn close(kind: AggKind, items: Vec<Reply>) -> Option<Reply> {
    Some(match kind {
        AggKind::Array => Reply::Array(items),
        AggKind::Set => Reply::Set(items),
        AggKind::Push => Reply::Push(items),
        AggKind::Map => Reply::Map(pairs(items)),
        AggKind::Attribute => return None,
    })
}

fn pairs(items: Vec<Reply>) -> Vec<(Reply, Reply)> {
    let mut out = Vec::with_capacity(items.len() / 2);
    let mut it = items.into_iter();
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        out.push((k, v));
    }
    out
}

fn blob_reply(kind: BlobKind, payload: Bytes) -> Result<Reply, FrameError> {
    Ok(match kind {
        BlobKind::Bulk => Reply::Bulk(payload),
        BlobKind::Error => Reply::Error(text(&payload)),
        BlobKind::Verbatim => {
            if payload.get(3) != Some(&b':') {
                return Err(FrameError::new("verbatim string without format"));
            }
            let mut format = [0u8; 3];
            format.copy_from_slice(&payload[..3]);
            Reply::Verbatim {
                format,
                text: payload.slice(4..),
            }
        }
    })
}

/// Parse one reply from the start of `input`, returning it and how many
/// bytes it took; `Ok(None)` when `input` holds only part of a reply.
/// Attributes are dropped.
pub fn parse_frame(input: &[u8]) -> Result<Option<(Reply, usize)>, FrameError> {
    let mut buf = BytesMut::from(input);
    let mut parser = FrameParser::default();
    Ok(parser
        .next_frame(&mut buf)?
        .map(|r| (r, input.len() - buf.len())))
}

/// What a RESP2 client reads back for `reply`: RESP3-only types degraded as
/// the encoder degrades them, statuses and errors with CR/LF replaced.
pub fn degrade_to_resp2(reply: &Reply) -> Reply {
    match reply {
        Reply::Status(s) => Reply::Status(sanitize(s)),
        Reply::Error(s) => Reply::Error(sanitize(s)),
        Reply::Integer(_) | Reply::Bulk(_) | Reply::Nil | Reply::NilArray => reply.clone(),
        Reply::Array(v) | Reply::Set(v) | Reply::Push(v) => {
            Reply::Array(v.iter().map(degrade_to_resp2).collect())
        }
        Reply::Map(pairs) => Reply::Array(
            pairs
                .iter()
                .flat_map(|(k, v)| [degrade_to_resp2(k), degrade_to_resp2(v)])
                .collect(),
        ),
        Reply::Double(d) => Reply::Bulk(Bytes::from(format_double(*d))),
        Reply::DoubleText(t) => Reply::Bulk(Bytes::copy_from_slice(t.as_bytes())),
        Reply::Bool(b) => Reply::Integer(i64::from(*b)),
        Reply::Verbatim { text, .. } => Reply::Bulk(text.clone()),
        Reply::BigNumber(s) => Reply::Bulk(Bytes::copy_from_slice(s.as_bytes())),
    }
}

/// What a RESP3 client reads back for `reply`: both nulls are `_`, statuses
/// and errors have CR/LF replaced.
pub fn normalize_resp3(reply: &Reply) -> Reply {
    match reply {
        Reply::Status(s) => Reply::Status(sanitize(s)),
        Reply::Error(s) => Reply::Error(sanitize(s)),
        Reply::NilArray => Reply::Nil,
        // The parser reads `,text` back as a plain double.
        Reply::DoubleText(t) => {
            parse_double(t.as_bytes()).map_or_else(|_| reply.clone(), Reply::Double)
        }
        Reply::Array(v) => Reply::Array(v.iter().map(normalize_resp3).collect()),
        Reply::Set(v) => Reply::Set(v.iter().map(normalize_resp3).collect()),
        Reply::Push(v) => Reply::Push(v.iter().map(normalize_resp3).collect()),
        Reply::Map(pairs) => Reply::Map(
            pairs
                .iter()
                .map(|(k, v)| (normalize_resp3(k), normalize_resp3(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn sanitize(s: &str) -> Cow<'static, str> {
    Cow::Owned(s.replace(['\r', '\n'], " "))
}

/// Structural equality where doubles compare by value with NaN equal to NaN
/// (`Reply`'s `PartialEq` says NaN != NaN, which no round trip can satisfy).
pub fn same_reply(a: &Reply, b: &Reply) -> bool {
    match (a, b) {
        (Reply::Double(x), Reply::Double(y)) => {
            (x.is_nan() && y.is_nan()) || (x == y && x.is_sign_negative() == y.is_sign_negative())
        }
        (Reply::Array(x), Reply::Array(y))
        | (Reply::Set(x), Reply::Set(y))
        | (Reply::Push(x), Reply::Push(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_reply(a, b))
        }
        (Reply::Map(x), Reply::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((ka, va), (kb, vb))| same_reply(ka, kb) && same_reply(va, vb))
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resp::encoder::encode_to_vec;
    use crate::resp::Protocol;

    fn parse_all(input: &[u8]) -> Result<Vec<Reply>, FrameError> {
        let mut p = FrameParser::default();
        let mut buf = BytesMut::from(input);
        let mut out = Vec::new();
        while let Some(r) = p.next_frame(&mut buf)? {
            out.push(r);
        }
        Ok(out)
    }

    #[test]
    fn every_type() {
        let input =
            b"+OK\r\n-ERR x\r\n:-5\r\n$3\r\nfoo\r\n$-1\r\n*-1\r\n_\r\n#t\r\n,1.5\r\n,-inf\r\n\
(123456789012345678901234567890\r\n=7\r\ntxt:abc\r\n!5\r\nERR z\r\n\
%1\r\n+k\r\n:1\r\n~2\r\n:1\r\n:2\r\n>2\r\n+pubsub\r\n*0\r\n";
        let got = parse_all(input).unwrap();
        assert_eq!(
            got,
            vec![
                Reply::ok(),
                Reply::err("x"),
                Reply::Integer(-5),
                Reply::bulk("foo"),
                Reply::Nil,
                Reply::NilArray,
                Reply::Nil,
                Reply::Bool(true),
                Reply::Double(1.5),
                Reply::Double(f64::NEG_INFINITY),
                Reply::BigNumber("123456789012345678901234567890".into()),
                Reply::Verbatim {
                    format: *b"txt",
                    text: Bytes::from_static(b"abc")
                },
                Reply::error("ERR z"),
                Reply::Map(vec![(Reply::status("k"), Reply::Integer(1))]),
                Reply::Set(vec![Reply::Integer(1), Reply::Integer(2)]),
                Reply::Push(vec![Reply::status("pubsub"), Reply::Array(vec![])]),
            ]
        );
    }

    #[test]
    fn attributes_are_kept_aside() {
        let mut p = FrameParser::default();
        let mut buf = BytesMut::from(&b"*2\r\n|1\r\n+ttl\r\n:3\r\n:1\r\n:2\r\n|0\r\n+x\r\n"[..]);
        assert_eq!(
            p.next_frame(&mut buf).unwrap(),
            Some(Reply::Array(vec![Reply::Integer(1), Reply::Integer(2)]))
        );
        assert_eq!(
            p.take_attributes(),
            vec![vec![(Reply::status("ttl"), Reply::Integer(3))]]
        );
        assert_eq!(p.next_frame(&mut buf).unwrap(), Some(Reply::status("x")));
        assert_eq!(p.take_attributes(), vec![vec![]]);
        assert!(p.is_idle());
    }

    #[test]
    fn malformed_input_is_an_error() {
        let cases: &[&[u8]] = &[
            b"?\r\n",
            b":abc\r\n",
            b":\r\n",
            b":9223372036854775808\r\n",
            b"$-2\r\n",
            b"$3\r\nfooXY",
            b"%-1\r\n",
            b"~-1\r\n",
            b"#x\r\n",
            b",1.5x\r\n",
            b",infinity\r\n",
            b"(12a\r\n",
            b"=3\r\nabc\r\n",
            b"=5\r\ntxtxa\r\n",
            b"_x\r\n",
            b"+a\rb\r\n",
            b"+a\n",
            b"$?\r\n",
            // Found by the frame_roundtrip fuzz target: used to panic.
            b"\r\n",
            b"\r\n+a\r\n",
            b"*18446744073709551616\r\n",
            b"%9223372036854775807\r\n",
        ];
        for input in cases {
            assert!(parse_all(input).is_err(), "{:?}", lossy(input));
        }
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = b"*1\r\n".repeat(FRAME_NESTING_MAX);
        let mut ok = deep.clone();
        ok.extend_from_slice(b":1\r\n");
        assert!(parse_all(&ok).unwrap().len() == 1);
        let mut too_deep = b"*1\r\n".repeat(FRAME_NESTING_MAX + 1);
        too_deep.extend_from_slice(b":1\r\n");
        assert!(parse_all(&too_deep).is_err());
    }

    #[test]
    fn huge_headers_do_not_allocate() {
        let mut p = FrameParser::default();
        let mut buf = BytesMut::from(&b"*2147483647\r\n$536870912\r\nab"[..]);
        assert_eq!(p.next_frame(&mut buf).unwrap(), None);
        assert!(buf.capacity() <= (1 << 20) + 64);
        assert!(!p.is_idle());
        assert!(parse_all(b"$536870913\r\n").is_err());
    }

    #[test]
    fn byte_at_a_time() {
        let r = Reply::Map(vec![
            (Reply::bulk("a"), Reply::Set(vec![Reply::Double(0.1)])),
            (Reply::Bool(false), Reply::NilArray),
        ]);
        let enc = encode_to_vec(&r, Protocol::Resp3);
        let mut p = FrameParser::default();
        let mut buf = BytesMut::new();
        let mut got = None;
        for (i, b) in enc.iter().enumerate() {
            buf.extend_from_slice(&[*b]);
            let out = p.next_frame(&mut buf).unwrap();
            assert_eq!(out.is_some(), i + 1 == enc.len());
            got = got.or(out);
        }
        assert!(same_reply(&got.unwrap(), &normalize_resp3(&r)));
        let (r2, used) = parse_frame(&encode_to_vec(&r, Protocol::Resp2))
            .unwrap()
            .unwrap();
        assert_eq!(used, encode_to_vec(&r, Protocol::Resp2).len());
        assert_eq!(r2, degrade_to_resp2(&r));
    }
}
