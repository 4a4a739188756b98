//! Protocol properties: the reply encoder and the frame parser agree, the
//! frame parser never errors on a strict prefix of a valid encoding, and the
//! request parser is indifferent to how its input is chunked.

use std::borrow::Cow;

use bytes::{Bytes, BytesMut};
use keyrs_core::resp::encoder::encode_to_vec;
use keyrs_core::resp::frame::{degrade_to_resp2, normalize_resp3, same_reply, FrameParser};
use keyrs_core::resp::{Protocol, Reply, RequestParser};
use proptest::prelude::*;

/// Any leaf reply. Statuses and errors may hold CR/LF (the encoder replaces
/// them; the normalisation functions model that).
fn leaf() -> impl Strategy<Value = Reply> {
    prop_oneof![
        "[ -~\r\n]{0,20}".prop_map(|s| Reply::Status(Cow::Owned(s))),
        "[ -~\r\n]{0,20}".prop_map(|s| Reply::Error(Cow::Owned(s))),
        any::<i64>().prop_map(Reply::Integer),
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(|v| Reply::Bulk(Bytes::from(v))),
        Just(Reply::Nil),
        Just(Reply::NilArray),
        any::<f64>().prop_map(Reply::Double),
        prop_oneof![
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY),
            Just(f64::NAN),
            Just(-0.0),
            Just(f64::MIN_POSITIVE),
            Just(f64::MAX)
        ]
        .prop_map(Reply::Double),
        any::<bool>().prop_map(Reply::Bool),
        ("[a-z]{3}", proptest::collection::vec(any::<u8>(), 0..30)).prop_map(|(f, t)| {
            let mut format = [0u8; 3];
            format.copy_from_slice(f.as_bytes());
            Reply::Verbatim {
                format,
                text: Bytes::from(t),
            }
        }),
        "-?[1-9][0-9]{0,40}".prop_map(Reply::BigNumber),
    ]
}

/// Any reply, nested a few levels.
fn reply() -> impl Strategy<Value = Reply> {
    leaf().prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Reply::Array),
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Reply::Set),
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Reply::Push),
            proptest::collection::vec((inner.clone(), inner), 0..4).prop_map(Reply::Map),
        ]
    })
}

/// Feed `input` to a fresh frame parser in the given chunk sizes, collecting
/// every reply; the error, if any, ends the stream.
fn frames_chunked(input: &[u8], chunks: &[usize]) -> Result<Vec<Reply>, String> {
    let mut p = FrameParser::default();
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    let mut rest = input;
    let mut sizes = chunks.iter().cycle();
    while !rest.is_empty() {
        let n = (*sizes.next().unwrap_or(&1)).clamp(1, rest.len());
        buf.extend_from_slice(&rest[..n]);
        rest = &rest[n..];
        while let Some(r) = p.next_frame(&mut buf).map_err(|e| e.message)? {
            out.push(r);
        }
    }
    if !p.is_idle() || !buf.is_empty() {
        return Err("trailing partial frame".into());
    }
    Ok(out)
}

fn all_same(a: &[Reply], b: &[Reply]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_reply(x, y))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// (a) encode -> parse gives the reply back: as is for RESP3 (modulo
    /// the two nulls sharing `_`), in its degraded form for RESP2. Several
    /// replies back to back, under random chunking.
    #[test]
    fn encode_parse_round_trip(
        replies in proptest::collection::vec(reply(), 1..4),
        chunks in proptest::collection::vec(1usize..17, 1..8),
    ) {
        for proto in [Protocol::Resp3, Protocol::Resp2] {
            let mut wire = Vec::new();
            for r in &replies {
                wire.extend(encode_to_vec(r, proto));
            }
            let want: Vec<Reply> = replies
                .iter()
                .map(|r| match proto {
                    Protocol::Resp3 => normalize_resp3(r),
                    Protocol::Resp2 => degrade_to_resp2(r),
                })
                .collect();
            let got = frames_chunked(&wire, &chunks).map_err(TestCaseError::fail)?;
            prop_assert!(all_same(&got, &want), "{:?}\n got {:?}\nwant {:?}", proto, got, want);
            // The parse re-encodes to the same bytes.
            let mut again = Vec::new();
            for r in &got {
                again.extend(encode_to_vec(r, proto));
            }
            prop_assert_eq!(again, wire);
        }
    }

    /// (b) every strict prefix of an encoding is incomplete, never an error
    /// and never a reply.
    #[test]
    fn strict_prefixes_are_incomplete(r in reply()) {
        for proto in [Protocol::Resp3, Protocol::Resp2] {
            let wire = encode_to_vec(&r, proto);
            for end in 0..wire.len() {
                let mut p = FrameParser::default();
                let mut buf = BytesMut::from(&wire[..end]);
                match p.next_frame(&mut buf) {
                    Ok(None) => {}
                    other => prop_assert!(false, "prefix {} of {:?}: {:?}", end, wire, other),
                }
            }
        }
    }

    /// (c) the request parser yields the same commands (and the same error)
    /// under every chunking of a stream of multibulk and inline commands.
    #[test]
    fn request_parser_ignores_chunking(
        cmds in proptest::collection::vec(command(), 1..6),
        chunks in proptest::collection::vec(1usize..23, 1..10),
    ) {
        let mut wire = Vec::new();
        let mut want = Vec::new();
        for (args, inline) in &cmds {
            if *inline {
                wire.extend(encode_inline(args));
            } else {
                wire.extend(encode_multibulk(args));
            }
            want.push(args.iter().map(|a| Bytes::copy_from_slice(a)).collect::<Vec<_>>());
        }
        let whole = requests_chunked(&wire, &[wire.len().max(1)]);
        let (got, err) = requests_chunked(&wire, &chunks);
        prop_assert_eq!(err, None);
        prop_assert_eq!(&got, &want);
        prop_assert_eq!(whole, (want, None));
    }

    /// (c') on arbitrary bytes (valid or not), chunking changes nothing:
    /// the same commands, then the same error or the same need for more.
    #[test]
    fn request_parser_garbage_ignores_chunking(
        wire in proptest::collection::vec(
            prop_oneof![
                Just(b'*'), Just(b'$'), Just(b'\r'), Just(b'\n'), Just(b'"'), Just(b'\''),
                Just(b' '), Just(b'\\'), Just(b'1'), Just(b'0'), Just(b'-'), Just(b'a'),
                any::<u8>()
            ],
            0..200,
        ),
        chunks in proptest::collection::vec(1usize..9, 1..10),
    ) {
        let whole = requests_chunked(&wire, &[wire.len().max(1)]);
        prop_assert_eq!(requests_chunked(&wire, &chunks), whole);
    }
}

/// A command: its arguments and whether to send it inline (only when every
/// argument survives inline splitting unquoted).
fn command() -> impl Strategy<Value = (Vec<Vec<u8>>, bool)> {
    prop_oneof![
        proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..12), 1..6)
            .prop_map(|a| (a, false)),
        proptest::collection::vec("[a-zA-Z0-9:_.-]{1,10}", 1..6).prop_map(|a| {
            let inline = !a[0].starts_with('*');
            (a.into_iter().map(String::into_bytes).collect(), inline)
        }),
    ]
}

fn encode_multibulk(args: &[Vec<u8>]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend(format!("${}\r\n", a.len()).into_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn encode_inline(args: &[Vec<u8>]) -> Vec<u8> {
    let mut out = args.join(&b' ');
    out.extend_from_slice(b"\r\n");
    out
}

/// Commands parsed from `input` fed in the given chunk sizes, and the
/// protocol error that stopped parsing, if any.
fn requests_chunked(input: &[u8], chunks: &[usize]) -> (Vec<Vec<Bytes>>, Option<String>) {
    let mut p = RequestParser::default();
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    let mut rest = input;
    let mut sizes = chunks.iter().cycle();
    while !rest.is_empty() {
        let n = (*sizes.next().unwrap_or(&1)).clamp(1, rest.len());
        buf.extend_from_slice(&rest[..n]);
        rest = &rest[n..];
        loop {
            match p.next_command(&mut buf) {
                Ok(Some(c)) => out.push(c),
                Ok(None) => break,
                Err(e) => return (out, Some(e.message)),
            }
        }
    }
    (out, None)
}
