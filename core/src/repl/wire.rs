//! The replication stream's framing: RESP multibulk commands with the
//! number of bytes each took (offsets count bytes), status lines, and the
//! RDB transfer preamble.

use bytes::Bytes;

/// The longest line accepted (a status reply, a bulk header).
pub const MAX_LINE: usize = 64 * 1024;

/// Most arguments in one streamed command.
pub const MAX_ARGS: usize = 1 << 20;

/// Largest single argument (Redis's `proto-max-bulk-len` default).
pub const MAX_BULK: usize = 512 * 1024 * 1024;

/// Why a stream could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError(pub String);

/// One line ending in `\r\n` (or `\n`) at the start of `buf`: its text
/// without the terminator and the bytes it took.
pub fn line(buf: &[u8]) -> Result<Option<(&[u8], usize)>, WireError> {
    match buf.iter().position(|&b| b == b'\n') {
        Some(nl) => {
            let end = if nl > 0 && buf[nl - 1] == b'\r' {
                nl - 1
            } else {
                nl
            };
            Ok(Some((&buf[..end], nl + 1)))
        }
        None if buf.len() > MAX_LINE => Err(WireError("line too long".into())),
        None => Ok(None),
    }
}

fn number(text: &[u8]) -> Result<i64, WireError> {
    std::str::from_utf8(text)
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or_else(|| {
            WireError(format!(
                "bad number '{}'",
                String::from_utf8_lossy(&text[..text.len().min(32)])
            ))
        })
}

/// One multibulk command at the start of `buf`: its arguments and the bytes
/// it took, `None` when incomplete. Lone newlines before it (keepalives) are
/// counted in the bytes taken and yield an empty argument list.
pub fn command(buf: &[u8]) -> Result<Option<(Vec<Bytes>, usize)>, WireError> {
    let Some((head, mut pos)) = line(buf)? else {
        return Ok(None);
    };
    if head.is_empty() {
        return Ok(Some((Vec::new(), pos)));
    }
    if head[0] != b'*' {
        // An inline command (Redis masters only send multibulk, but accept it).
        let args = head
            .split(|&b| b == b' ')
            .filter(|a| !a.is_empty())
            .map(Bytes::copy_from_slice)
            .collect();
        return Ok(Some((args, pos)));
    }
    let n = number(&head[1..])?;
    if n <= 0 {
        return Ok(Some((Vec::new(), pos)));
    }
    let n = usize::try_from(n)
        .ok()
        .filter(|&n| n <= MAX_ARGS)
        .ok_or_else(|| WireError("too many arguments".into()))?;
    let mut args = Vec::with_capacity(n.min(1024));
    for _ in 0..n {
        let Some((h, used)) = line(&buf[pos..])? else {
            return Ok(None);
        };
        if h.first() != Some(&b'$') {
            return Err(WireError("expected '$'".into()));
        }
        let len = usize::try_from(number(&h[1..])?)
            .ok()
            .filter(|&l| l <= MAX_BULK)
            .ok_or_else(|| WireError("bad bulk length".into()))?;
        let start = pos + used;
        let end = start
            .checked_add(len)
            .and_then(|e| e.checked_add(2))
            .ok_or_else(|| WireError("bad bulk length".into()))?;
        if buf.len() < end {
            return Ok(None);
        }
        args.push(Bytes::copy_from_slice(&buf[start..start + len]));
        pos = end;
    }
    Ok(Some((args, pos)))
}

/// The RDB transfer's framing, from the `$` line a master sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RdbFraming {
    /// `$<len>`: exactly this many bytes follow.
    Length(u64),
    /// `$EOF:<40 bytes>`: the payload ends with these 40 bytes.
    Eof([u8; 40]),
}

/// Parse the `$` line (without terminator).
pub fn rdb_framing(head: &[u8]) -> Result<RdbFraming, WireError> {
    if let Some(mark) = head.strip_prefix(b"$EOF:") {
        let mark: [u8; 40] = mark
            .try_into()
            .map_err(|_| WireError("bad EOF mark".into()))?;
        return Ok(RdbFraming::Eof(mark));
    }
    let Some(len) = head.strip_prefix(b"$") else {
        return Err(WireError(format!(
            "Bad protocol from MASTER, the first byte is not '$' (we received '{}'), are you sure the host and port are right?",
            String::from_utf8_lossy(&head[..head.len().min(64)])
        )));
    };
    let len = u64::try_from(number(len)?).map_err(|_| WireError("bad RDB length".into()))?;
    Ok(RdbFraming::Length(len))
}

/// Encode a command (as the master's stream and the handshake do).
pub fn encode<A: AsRef<[u8]>>(argv: &[A]) -> Vec<u8> {
    let mut out = Vec::new();
    crate::engine::propagate::encode(&mut out, argv);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_report_their_length() {
        let s = encode(&["SET", "k", "v"]);
        let mut buf = s.clone();
        buf.extend_from_slice(b"*1\r\n$4\r\nPI");
        let (args, n) = command(&buf).unwrap().unwrap();
        assert_eq!(args, vec!["SET", "k", "v"]);
        assert_eq!(n, s.len());
        assert_eq!(command(&buf[n..]).unwrap(), None, "incomplete");
        for cut in 0..s.len() {
            assert_eq!(command(&s[..cut]).unwrap(), None, "cut at {cut}");
        }
    }

    #[test]
    fn keepalive_newlines_and_bad_input() {
        assert_eq!(command(b"\n*1").unwrap(), Some((Vec::new(), 1)));
        assert!(command(b"*x\r\n").is_err());
        assert!(command(b"*1\r\n+a\r\n").is_err());
        assert!(command(b"*1\r\n$-5\r\n").is_err());
        assert!(command(b"*1\r\n$99999999999999999999\r\n").is_err());
        let (args, _) = command(b"PING\r\n").unwrap().unwrap();
        assert_eq!(args, vec!["PING"]);
    }

    #[test]
    fn rdb_preambles() {
        assert_eq!(rdb_framing(b"$123").unwrap(), RdbFraming::Length(123));
        let mark = [b'a'; 40];
        let mut head = b"$EOF:".to_vec();
        head.extend_from_slice(&mark);
        assert_eq!(rdb_framing(&head).unwrap(), RdbFraming::Eof(mark));
        assert!(rdb_framing(b"$EOF:short").is_err());
        assert!(rdb_framing(b"-ERR x").is_err());
        assert!(rdb_framing(b"$-1").is_err());
    }
}
