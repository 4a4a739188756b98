//! Simulated clients: connect to a node, send commands in random chunks,
//! read replies with the core's frame parser, and record every byte.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::BytesMut;
use keyrs_core::resp::frame::FrameParser;
use keyrs_core::resp::Reply;
use madsim::net::TcpStream;
use madsim::rand::{thread_rng, Rng};
use tokio::io::AsyncReadExt;

use crate::chunker::write_chunked;
use crate::node::now;
use crate::workload::{blocking_timeout_ms, encode_request, random_unit};

/// A connection to a simulated node.
pub struct Conn {
    stream: TcpStream,
    parser: FrameParser,
    buf: BytesMut,
    /// Every request byte sent, in order.
    pub sent: Vec<u8>,
    /// Every reply byte received, in order.
    pub received: Vec<u8>,
}

impl Conn {
    /// Connect to `addr`.
    pub async fn connect(addr: SocketAddr) -> io::Result<Conn> {
        Ok(Conn {
            stream: TcpStream::connect(addr).await?,
            parser: FrameParser::default(),
            buf: BytesMut::new(),
            sent: Vec::new(),
            received: Vec::new(),
        })
    }

    /// Send already-encoded requests, in random chunks.
    pub async fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.sent.extend_from_slice(bytes);
        write_chunked(&mut self.stream, bytes).await
    }

    /// Read the next reply.
    pub async fn read_reply(&mut self) -> io::Result<Reply> {
        let mut chunk = [0u8; 4096];
        loop {
            match self.parser.next_frame(&mut self.buf) {
                Ok(Some(reply)) => return Ok(reply),
                Ok(None) => {}
                Err(e) => return Err(io::Error::new(io::ErrorKind::InvalidData, e)),
            }
            let n = self.stream.read(&mut chunk).await?;
            if n == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            self.received.extend_from_slice(&chunk[..n]);
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// Send one command and wait for its reply.
    pub async fn call(&mut self, argv: &[&[u8]]) -> io::Result<Reply> {
        let argv: Vec<Vec<u8>> = argv.iter().map(|a| a.to_vec()).collect();
        self.send(&encode_request(&argv)).await?;
        self.read_reply().await
    }
}

/// What a client saw: the raw bytes both ways and the parsed replies.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Trace {
    /// Every request byte sent.
    pub sent: Vec<u8>,
    /// Every reply byte received.
    pub received: Vec<u8>,
    /// The replies, one per command, in order.
    pub replies: Vec<Reply>,
    /// Top-level PUBLISH commands: channel, message, receivers replied.
    pub published: Vec<(Vec<u8>, Vec<u8>, i64)>,
}

/// Check one reply against its command: a BLPOP/BRPOP answers the element
/// or nil, EXEC an array or nil (WATCH failed). Panics (failing the
/// simulation, with its seed) otherwise.
fn check_reply(argv: &[Vec<u8>], reply: &Reply) {
    let name = argv
        .first()
        .map(|a| a.to_ascii_uppercase())
        .unwrap_or_default();
    match name.as_slice() {
        b"BLPOP" | b"BRPOP" => assert!(
            matches!(reply, Reply::NilArray | Reply::Nil | Reply::Error(_))
                || matches!(reply, Reply::Array(a) if a.len() == 2),
            "{} replied {reply:?}",
            String::from_utf8_lossy(&name)
        ),
        b"EXEC" => assert!(
            matches!(reply, Reply::Array(_) | Reply::NilArray | Reply::Nil),
            "EXEC replied {reply:?}"
        ),
        _ => {}
    }
}

/// Run `batches` pipelined batches of 1..=3 random units (single commands
/// or transactions) against `addr`, pausing a random (virtual) while between
/// batches. Checks each BLPOP/EXEC reply, that a BLPOP answered nil only
/// after its (virtual) timeout, and that no reply arrives beyond one per
/// command.
pub async fn random_client(addr: SocketAddr, batches: usize) -> io::Result<Trace> {
    let mut conn = Conn::connect(addr).await?;
    let mut replies = Vec::new();
    let mut published = Vec::new();
    let mut in_multi = false;
    for _ in 0..batches {
        let units = thread_rng().gen_range(1..=3);
        let commands: Vec<Vec<Vec<u8>>> = (0..units).flat_map(|_| random_unit()).collect();
        let mut wire = Vec::new();
        for argv in &commands {
            wire.extend(encode_request(argv));
        }
        let started = now().ms();
        conn.send(&wire).await?;
        for argv in &commands {
            let reply = conn.read_reply().await?;
            let name = argv[0].to_ascii_uppercase();
            if in_multi && name != b"EXEC" && name != b"DISCARD" {
                // Queued: answered inside EXEC's array.
                assert!(
                    matches!(reply, Reply::Status(_) | Reply::Error(_)),
                    "queued command replied {reply:?}"
                );
                replies.push(reply);
                continue;
            }
            in_multi = name == b"MULTI";
            check_reply(argv, &reply);
            if let (Some(ms), Reply::NilArray | Reply::Nil) = (blocking_timeout_ms(argv), &reply) {
                let waited = now().ms().saturating_sub(started);
                assert!(waited >= ms, "BLPOP timed out after {waited} ms < {ms} ms");
            }
            if argv[0] == b"PUBLISH" {
                if let Reply::Integer(n) = reply {
                    published.push((argv[1].clone(), argv[2].clone(), n));
                }
            }
            replies.push(reply);
        }
        let pause_ms = thread_rng().gen_range(0..300);
        madsim::time::sleep(std::time::Duration::from_millis(pause_ms)).await;
    }
    // Exactly one reply per command: nothing more comes (a late second
    // reply of a BLPOP would arrive within its longest timeout).
    let extra = madsim::time::timeout(Duration::from_millis(1500), conn.read_reply()).await;
    assert!(extra.is_err(), "reply beyond one per command: {extra:?}");
    Ok(Trace {
        sent: conn.sent,
        received: conn.received,
        replies,
        published,
    })
}

/// A subscriber: SUBSCRIBE to `channels` and `stop`, signal `ready` once
/// confirmed, then collect (channel, message) until a message on `stop`.
pub async fn subscriber(
    addr: SocketAddr,
    channels: Vec<Vec<u8>>,
    stop: Vec<u8>,
    ready: tokio::sync::oneshot::Sender<()>,
) -> io::Result<(Vec<(Vec<u8>, Vec<u8>)>, Vec<u8>)> {
    let mut conn = Conn::connect(addr).await?;
    let mut argv = vec![b"SUBSCRIBE".to_vec()];
    argv.extend(channels.iter().cloned());
    argv.push(stop.clone());
    conn.send(&encode_request(&argv)).await?;
    for _ in 1..argv.len() {
        let r = conn.read_reply().await?;
        assert!(
            matches!(&r, Reply::Array(a) if a.first() == Some(&Reply::bulk("subscribe"))),
            "SUBSCRIBE replied {r:?}"
        );
    }
    let _ = ready.send(());
    let mut got = Vec::new();
    loop {
        let r = conn.read_reply().await?;
        let Reply::Array(parts) = &r else {
            panic!("subscriber got {r:?}");
        };
        match parts.as_slice() {
            [Reply::Bulk(kind), Reply::Bulk(ch), Reply::Bulk(msg)] if &kind[..] == b"message" => {
                if ch[..] == stop[..] {
                    return Ok((got, conn.received));
                }
                got.push((ch.to_vec(), msg.to_vec()));
            }
            _ => panic!("subscriber got {r:?}"),
        }
    }
}
