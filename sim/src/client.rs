//! Simulated clients: connect to a node, send commands in random chunks,
//! read replies with the core's frame parser, and record every byte.

use std::io;
use std::net::SocketAddr;

use bytes::BytesMut;
use keyrs_core::resp::frame::FrameParser;
use keyrs_core::resp::Reply;
use madsim::net::TcpStream;
use madsim::rand::{thread_rng, Rng};
use tokio::io::AsyncReadExt;

use crate::chunker::write_chunked;
use crate::workload::{encode_request, random_command};

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
}

/// Run `batches` pipelined batches of 1..=5 random commands against `addr`,
/// pausing a random (virtual) while between batches.
pub async fn random_client(addr: SocketAddr, batches: usize) -> io::Result<Trace> {
    let mut conn = Conn::connect(addr).await?;
    let mut replies = Vec::new();
    for _ in 0..batches {
        let n = thread_rng().gen_range(1..=5);
        let mut wire = Vec::new();
        for _ in 0..n {
            wire.extend(encode_request(&random_command()));
        }
        conn.send(&wire).await?;
        for _ in 0..n {
            replies.push(conn.read_reply().await?);
        }
        let pause_ms = thread_rng().gen_range(0..300);
        madsim::time::sleep(std::time::Duration::from_millis(pause_ms)).await;
    }
    Ok(Trace {
        sent: conn.sent,
        received: conn.received,
        replies,
    })
}
