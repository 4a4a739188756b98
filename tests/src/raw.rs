//! A raw TCP client: write any bytes, read back whole RESP replies as bytes.
//! For what the `redis` crate cannot send (inline commands, broken protocol,
//! huge pipelines in one write) or would hide (exact reply bytes).

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Default wait for a reply.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(20);

/// How deep aggregate replies may nest before [`frame_len`] gives up.
const NESTING_MAX: usize = 64;

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
        let deadline = Instant::now() + REPLY_TIMEOUT;
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
/// has not fully arrived (or is not RESP).
pub fn frame_len(buf: &[u8]) -> Option<usize> {
    frame_len_at(buf, 0, 0)
}

fn line_end(buf: &[u8], from: usize) -> Option<usize> {
    let rel = buf.get(from..)?.windows(2).position(|w| w == b"\r\n")?;
    Some(from + rel)
}

fn frame_len_at(buf: &[u8], start: usize, depth: usize) -> Option<usize> {
    if depth > NESTING_MAX {
        return None;
    }
    let kind = *buf.get(start)?;
    let eol = line_end(buf, start + 1)?;
    let header = std::str::from_utf8(&buf[start + 1..eol]).ok()?;
    let after = eol + 2;
    match kind {
        b'+' | b'-' | b':' | b'_' | b',' | b'#' | b'(' => Some(after),
        b'$' | b'=' | b'!' => {
            let n: i64 = header.parse().ok()?;
            if n < 0 {
                return Some(after);
            }
            let end = after
                .checked_add(usize::try_from(n).ok()?)?
                .checked_add(2)?;
            (buf.len() >= end).then_some(end)
        }
        b'*' | b'~' | b'>' | b'%' | b'|' => {
            let n: i64 = header.parse().ok()?;
            if n < 0 {
                return Some(after);
            }
            let per = if kind == b'%' || kind == b'|' { 2 } else { 1 };
            let count = usize::try_from(n).ok()?.checked_mul(per)?;
            let mut pos = after;
            for _ in 0..count {
                pos = frame_len_at(buf, pos, depth + 1)?;
            }
            if kind == b'|' {
                // An attribute precedes the reply it annotates.
                return frame_len_at(buf, pos, depth + 1);
            }
            Some(pos)
        }
        _ => None,
    }
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
