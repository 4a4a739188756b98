//! A raw TCP client: write any bytes, read back whole RESP replies as bytes.
//! For what the `redis` crate cannot send (inline commands, broken protocol,
//! huge pipelines in one write) or would hide (exact reply bytes).

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use keyrs_core::resp::frame::parse_frame;

/// Default wait for a reply.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(20);

/// One raw connection.
#[derive(Debug)]
pub struct RawClient {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl RawClient {
    /// Connect to 127.0.0.1:`port`.
    pub fn connect(port: u16) -> io::Result<RawClient> {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_nodelay(true)?;
        Ok(RawClient {
            stream,
            buf: Vec::new(),
        })
    }

    /// The socket, for tests that need it directly.
    pub fn stream(&mut self) -> &mut TcpStream {
        &mut self.stream
    }

    /// Write all of `bytes`.
    pub fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)
    }

    /// Send `args` as one RESP multibulk command.
    pub fn send_command(&mut self, args: &[&[u8]]) -> io::Result<()> {
        self.send(&encode_command(args))
    }

    /// Read one whole reply (all its bytes, nested elements included).
    pub fn read_reply(&mut self) -> io::Result<Vec<u8>> {
        self.read_reply_within(REPLY_TIMEOUT)
    }

    /// [`RawClient::read_reply`] waiting at most `timeout` (a timeout is an
    /// error; a late reply then stays unread on the connection).
    pub fn read_reply_within(&mut self, timeout: Duration) -> io::Result<Vec<u8>> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(n) = frame_len(&self.buf) {
                return Ok(self.buf.drain(..n).collect());
            }
            if self.fill(deadline)? == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!(
                        "connection closed with a partial reply: {:?}",
                        String::from_utf8_lossy(&self.buf)
                    ),
                ));
            }
        }
    }

    /// Send a command and read its reply.
    pub fn call(&mut self, args: &[&[u8]]) -> io::Result<Vec<u8>> {
        self.send_command(args)?;
        self.read_reply()
    }

    /// Read `n` replies.
    pub fn read_replies(&mut self, n: usize) -> io::Result<Vec<Vec<u8>>> {
        (0..n).map(|_| self.read_reply()).collect()
    }

    /// Read until the server closes the connection (or `timeout` passes, an
    /// error). Returns everything received that was not read as a reply yet.
    pub fn read_until_closed(&mut self, timeout: Duration) -> io::Result<Vec<u8>> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.fill(deadline) {
                Ok(0) => return Ok(std::mem::take(&mut self.buf)),
                Ok(_) => {}
                // A reset after the server's last bytes also means closed.
                Err(e) if e.kind() == io::ErrorKind::ConnectionReset => {
                    return Ok(std::mem::take(&mut self.buf))
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Read once into the buffer; `Ok(0)` on EOF.
    fn fill(&mut self, deadline: Instant) -> io::Result<usize> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "reply timed out"));
        }
        self.stream.set_read_timeout(Some(left))?;
        let mut chunk = [0u8; 64 * 1024];
        let n = match self.stream.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                return Err(io::Error::new(io::ErrorKind::TimedOut, "reply timed out"))
            }
            Err(e) => return Err(e),
        };
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n)
    }
}

/// `args` as a RESP multibulk command.
pub fn encode_command(args: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Length of the first complete RESP2/RESP3 reply in `buf`, or `None` if it
/// has not fully arrived (or is not RESP). The core's frame parser decides,
/// so the harness reads replies exactly as the fuzzed parser does.
pub fn frame_len(buf: &[u8]) -> Option<usize> {
    parse_frame(buf).ok().flatten().map(|(_, len)| len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames() {
        assert_eq!(frame_len(b"+OK\r\n"), Some(5));
        assert_eq!(frame_len(b"+OK\r"), None);
        assert_eq!(frame_len(b"$3\r\nabc\r\n+x"), Some(9));
        assert_eq!(frame_len(b"$3\r\nab"), None);
        assert_eq!(frame_len(b"$-1\r\n"), Some(5));
        assert_eq!(frame_len(b"*2\r\n:1\r\n$1\r\na\r\n"), Some(15));
        assert_eq!(frame_len(b"*2\r\n:1\r\n"), None);
        assert_eq!(frame_len(b"%1\r\n+a\r\n:1\r\n"), Some(12));
        assert_eq!(frame_len(b"*-1\r\n"), Some(5));
        assert_eq!(frame_len(b"?\r\n"), None);
    }

    #[test]
    fn encodes_commands() {
        assert_eq!(
            encode_command(&[b"GET", b"k"]),
            b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n".to_vec()
        );
    }
}
