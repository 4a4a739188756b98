//! Fuzz targets for keyrs-core.
//!
//! Each target is a plain function here, so the libFuzzer binaries in
//! `fuzz_targets/` are one-liners and the committed corpora
//! (`fuzz/corpus/<target>/`) replay as ordinary tests on stable Rust
//! (`tests/corpus.rs`). A target returns normally on every input; any
//! violated property panics, which is what the fuzzer reports.
//!
//! - [`request_parser`]: the RESP request parser on arbitrary bytes, fed in
//!   chunks whose size the first input byte picks. It must never panic, and
//!   the chunking must not change what it parses.
//! - [`frame_roundtrip`]: replies generated from the input are encoded
//!   (RESP3 and RESP2) and parsed back by the frame parser; the raw input is
//!   also fed to the frame parser, which must never panic.
//! - [`engine::engine`]: command sequences from the engine's command table
//!   run against one engine; nothing panics, replies encode, no empty
//!   containers are left behind.
//! - [`rdb::rdb_loader`]: the RDB file loader on arbitrary bytes, whole and
//!   chunked; what loads must survive a write and reload unchanged.

pub mod engine;
pub mod rdb;

use arbitrary::{Result as ArbResult, Unstructured};
use bytes::{Bytes, BytesMut};
use keyrs_core::resp::encoder::encode_to_vec;
use keyrs_core::resp::frame::{
    degrade_to_resp2, normalize_resp3, same_reply, FrameError, FrameParser,
};
use keyrs_core::resp::limits::{FRAME_NESTING_MAX, INLINE_MAX_BYTES};
use keyrs_core::resp::{Protocol, Reply, RequestParser};

/// What a request parse produced: the commands, then the protocol error
/// that stopped it (if any).
pub type Parsed = (Vec<Vec<Bytes>>, Option<String>);

/// Parse `input` fed to one parser in pieces of `chunk` bytes.
pub fn parse_requests(input: &[u8], chunk: usize) -> Parsed {
    let mut parser = RequestParser::default();
    let mut buf = BytesMut::new();
    let mut commands = Vec::new();
    for piece in input.chunks(chunk.max(1)) {
        buf.extend_from_slice(piece);
        loop {
            match parser.next_command(&mut buf) {
                Ok(Some(argv)) => commands.push(argv),
                Ok(None) => break,
                Err(e) => return (commands, Some(e.message)),
            }
        }
    }
    (commands, None)
}

/// Fuzz target: the request parser. Byte 0 picks the chunk size (1..=256),
/// the rest is the stream.
pub fn request_parser(data: &[u8]) {
    let Some((&first, stream)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(first) + 1;
    let chunked = parse_requests(stream, chunk);
    for argv in &chunked.0 {
        assert!(!argv.is_empty(), "empty command yielded");
    }
    // Past the inline limit, when a too-long line is noticed depends on how
    // much has been buffered, exactly as in Redis; below it, nothing may.
    if stream.len() <= INLINE_MAX_BYTES {
        let whole = parse_requests(stream, stream.len());
        assert_eq!(chunked, whole, "chunk size {chunk} changed the parse");
    }
}

/// Parse every frame of `input`, fed in pieces of `chunk` bytes. `Ok` holds
/// the replies and whether the input ended inside a frame.
pub fn parse_frames(input: &[u8], chunk: usize) -> Result<(Vec<Reply>, bool), FrameError> {
    let mut parser = FrameParser::default();
    let mut buf = BytesMut::new();
    let mut replies = Vec::new();
    for piece in input.chunks(chunk.max(1)) {
        buf.extend_from_slice(piece);
        while let Some(r) = parser.next_frame(&mut buf)? {
            replies.push(r);
        }
    }
    Ok((replies, !parser.is_idle() || !buf.is_empty()))
}

/// The deepest chain of non-empty aggregates in `r` (empty ones never open
/// a level in the parser).
pub fn nesting(r: &Reply) -> usize {
    let children: Box<dyn Iterator<Item = &Reply>> = match r {
        Reply::Array(v) | Reply::Set(v) | Reply::Push(v) => Box::new(v.iter()),
        Reply::Map(p) => Box::new(p.iter().flat_map(|(k, v)| [k, v])),
        _ => return 0,
    };
    let mut any = false;
    let mut deepest = 0;
    for c in children {
        any = true;
        deepest = deepest.max(nesting(c));
    }
    if any {
        deepest + 1
    } else {
        0
    }
}

fn small_string(u: &mut Unstructured<'_>) -> ArbResult<String> {
    let len = u.int_in_range(0..=24)?;
    (0..len)
        .map(|_| Ok(char::from(u.int_in_range(0x20u8..=0x7e)?)))
        .collect()
}

fn small_bytes(u: &mut Unstructured<'_>) -> ArbResult<Bytes> {
    let len = u.int_in_range(0..=48)?;
    Ok(Bytes::copy_from_slice(u.bytes(len)?))
}

/// A reply drawn from `u`, aggregates at most `depth` deep.
pub fn arbitrary_reply(u: &mut Unstructured<'_>, depth: usize) -> ArbResult<Reply> {
    let kinds = if depth == 0 { 12 } else { 16 };
    Ok(match u.choose_index(kinds)? {
        0 => Reply::Status(small_string(u)?.into()),
        1 => Reply::Error(small_string(u)?.into()),
        2 => Reply::Integer(u.arbitrary()?),
        3 => Reply::Bulk(small_bytes(u)?),
        4 => Reply::Nil,
        5 => Reply::NilArray,
        6 => Reply::Double(f64::from_bits(u.arbitrary()?)),
        7 => Reply::Double(*u.choose(&[
            0.0,
            -0.0,
            1.5,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            1e300,
            5e-324,
        ])?),
        8 => Reply::Bool(u.arbitrary()?),
        9 => Reply::Verbatim {
            format: *u.choose(&[*b"txt", *b"mkd"])?,
            text: small_bytes(u)?,
        },
        10 => {
            let digits = u.int_in_range(1..=40)?;
            let mut s = String::new();
            if u.arbitrary()? {
                s.push('-');
            }
            s.push(char::from(u.int_in_range(b'1'..=b'9')?));
            for _ in 1..digits {
                s.push(char::from(u.int_in_range(b'0'..=b'9')?));
            }
            Reply::BigNumber(s)
        }
        11 => Reply::Bulk(Bytes::from_static(b"\r\n$-1\r\n*")),
        k => {
            let n = u.int_in_range(0..=5)?;
            let mut items = Vec::with_capacity(n);
            for _ in 0..n {
                items.push(arbitrary_reply(u, depth - 1)?);
            }
            match k {
                12 => Reply::Array(items),
                13 => Reply::Set(items),
                14 => Reply::Push(items),
                _ => {
                    let mut pairs = Vec::with_capacity(n);
                    for key in items {
                        pairs.push((key, arbitrary_reply(u, depth - 1)?));
                    }
                    Reply::Map(pairs)
                }
            }
        }
    })
}

/// Fuzz target: encode -> parse round trip of generated replies, strict
/// prefixes incomplete, the nesting limit enforced; then the raw input
/// through the frame parser, which must not panic.
pub fn frame_roundtrip(data: &[u8]) {
    let mut u = Unstructured::new(data);
    if let Ok((reply, chunk)) = generated(&mut u) {
        check_round_trip(&reply, chunk);
    }
    let chunk = data.first().map_or(1, |&b| usize::from(b % 16) + 1);
    let _ = parse_frames(data, chunk);
}

fn generated(u: &mut Unstructured<'_>) -> ArbResult<(Reply, usize)> {
    let mut reply = arbitrary_reply(u, 5)?;
    // Sometimes bury it deep enough to reach (or pass) the nesting limit.
    // (A marker byte, not `ratio`: exhausted input must not pick the slow path.)
    if u.arbitrary::<u8>()? == b'*' {
        for _ in 0..u.int_in_range(100..=FRAME_NESTING_MAX + 8)? {
            reply = Reply::Array(vec![reply]);
        }
    }
    let chunk = u.int_in_range(1..=64)?;
    Ok((reply, chunk))
}

/// Check every round-trip property of `reply` at one chunk size.
pub fn check_round_trip(reply: &Reply, chunk: usize) {
    for proto in [Protocol::Resp3, Protocol::Resp2] {
        let wire = encode_to_vec(reply, proto);
        let want = match proto {
            Protocol::Resp3 => normalize_resp3(reply),
            Protocol::Resp2 => degrade_to_resp2(reply),
        };
        let parsed = parse_frames(&wire, chunk);
        if nesting(&want) > FRAME_NESTING_MAX {
            assert!(parsed.is_err(), "nesting {} accepted", nesting(&want));
            continue;
        }
        let (got, partial) = parsed.unwrap_or_else(|e| panic!("{proto:?}: {e} on {wire:?}"));
        assert!(!partial, "{proto:?}: trailing bytes");
        assert_eq!(got.len(), 1, "{proto:?}: {got:?}");
        assert!(
            same_reply(&got[0], &want),
            "{proto:?}\n got {:?}\nwant {want:?}",
            got[0]
        );
        assert_eq!(
            encode_to_vec(&got[0], proto),
            wire,
            "{proto:?}: re-encoding differs"
        );
        // Strict prefixes are incomplete, never an error or a reply. (All of
        // them for small frames, a spread of 32 for large ones; the proptest checks them all.)
        let step = (wire.len() / 32).max(1);
        for end in (0..wire.len()).step_by(step) {
            let mut parser = FrameParser::default();
            let mut buf = BytesMut::from(&wire[..end]);
            assert_eq!(
                parser.next_frame(&mut buf),
                Ok(None),
                "{proto:?}: prefix {end} of {wire:?}"
            );
        }
    }
}
