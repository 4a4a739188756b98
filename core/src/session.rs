//! Per-connection protocol state: the input buffer and parser, the output
//! buffer. One per client connection, owned by the thread serving it. No
//! socket here: the driver moves bytes in and out.

use bytes::{Bytes, BytesMut};

use crate::resp::limits::ParserLimits;
use crate::resp::{encoder, Protocol, ProtocolError, Reply, RequestParser};

/// Read-buffer size hint: how much the driver should make room for per read.
pub const READ_CHUNK_BYTES: usize = 16 * 1024;

/// One connection's protocol state.
#[derive(Debug, Default)]
pub struct Session {
    input: BytesMut,
    parser: RequestParser,
    output: Vec<u8>,
    sent: usize,
    close_after_reply: bool,
}

impl Session {
    /// A session with the given parser limits.
    pub fn new(limits: ParserLimits) -> Session {
        Session {
            parser: RequestParser::new(limits),
            ..Session::default()
        }
    }

    /// Update the parser limits (CONFIG SET proto-max-bulk-len).
    pub fn set_limits(&mut self, limits: ParserLimits) {
        self.parser.set_limits(limits);
    }

    /// Append received bytes.
    pub fn handle_input(&mut self, bytes: &[u8]) {
        self.input.extend_from_slice(bytes);
    }

    /// The input buffer, for drivers that read straight into it.
    pub fn input_buffer(&mut self) -> &mut BytesMut {
        &mut self.input
    }

    /// Bytes received but not yet parsed into a command.
    pub fn input_len(&self) -> usize {
        self.input.len()
    }

    /// The next complete command, if one has arrived. After a protocol error
    /// the session queues the error reply, marks itself closing, and yields
    /// no more commands.
    pub fn next_command(&mut self) -> Option<Vec<Bytes>> {
        if self.close_after_reply {
            return None;
        }
        match self.parser.next_command(&mut self.input) {
            Ok(cmd) => cmd,
            Err(e) => {
                self.protocol_error(&e);
                None
            }
        }
    }

    /// Like [`Self::next_command`], but a protocol error is handed back instead
    /// of queued. A driver that parses ahead of execution (parse outside the
    /// lock, execute in a batch) uses this so the replies of the commands
    /// parsed before the error go out first, as in Redis. After an `Err` the
    /// parser is beyond repair: call no more parsing methods, and report the
    /// error with [`Self::fail_protocol`] once the earlier replies are queued.
    pub fn try_next_command(&mut self) -> Result<Option<Vec<Bytes>>, ProtocolError> {
        if self.close_after_reply {
            return Ok(None);
        }
        self.parser.next_command(&mut self.input)
    }

    /// Queue the reply for a protocol error that [`Self::try_next_command`]
    /// returned, drop the unparsed input and mark the session closing.
    pub fn fail_protocol(&mut self, e: &ProtocolError) {
        self.protocol_error(e);
    }

    fn protocol_error(&mut self, e: &ProtocolError) {
        tracing::debug!(error = %e, "protocol error, closing connection");
        self.push_reply(&Reply::error(e.reply_text().to_owned()), Protocol::Resp2);
        self.input.clear();
        self.close_after_reply = true;
    }

    /// Queue a reply, encoded for `proto`.
    pub fn push_reply(&mut self, reply: &Reply, proto: Protocol) {
        encoder::encode(reply, proto, &mut self.output);
    }

    /// Queue raw, already-encoded bytes.
    pub fn push_raw(&mut self, bytes: &[u8]) {
        self.output.extend_from_slice(bytes);
    }

    /// Bytes waiting to be written.
    pub fn poll_transmit(&self) -> &[u8] {
        &self.output[self.sent..]
    }

    /// `n` bytes of [`Self::poll_transmit`] were written.
    pub fn advance_transmit(&mut self, n: usize) {
        self.sent += n;
        if self.sent >= self.output.len() {
            self.output.clear();
            self.sent = 0;
        } else if self.sent > 64 * 1024 && self.sent * 2 > self.output.len() {
            // Compact so a slow reader does not make the buffer grow forever.
            self.output.drain(..self.sent);
            self.sent = 0;
        }
    }

    /// Bytes waiting to be written (CLIENT LIST omem, backpressure).
    pub fn pending_output(&self) -> usize {
        self.output.len() - self.sent
    }

    /// Mark the session to close once its output is flushed.
    pub fn close_after_reply(&mut self) {
        self.close_after_reply = true;
    }

    /// Should the driver close once output is flushed?
    pub fn is_closing(&self) -> bool {
        self.close_after_reply
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_error_closes() {
        let mut s = Session::default();
        s.handle_input(b"*1\r\n$-5\r\n");
        assert!(s.next_command().is_none());
        assert!(s.is_closing());
        assert_eq!(
            s.poll_transmit(),
            b"-ERR Protocol error: invalid bulk length\r\n"
        );
    }

    #[test]
    fn deferred_protocol_error_follows_earlier_replies() {
        let mut s = Session::default();
        s.handle_input(b"PING\r\n*1\r\n$-5\r\n");
        let cmd = s.try_next_command().expect("first command parses");
        assert_eq!(cmd, Some(vec![Bytes::from_static(b"PING")]));
        let err = s
            .try_next_command()
            .expect_err("second is a protocol error");
        assert!(
            s.poll_transmit().is_empty(),
            "nothing queued before fail_protocol"
        );
        s.push_reply(&Reply::status("PONG"), Protocol::Resp2);
        s.fail_protocol(&err);
        assert!(s.is_closing());
        assert_eq!(
            s.poll_transmit(),
            b"+PONG\r\n-ERR Protocol error: invalid bulk length\r\n"
        );
        assert_eq!(s.try_next_command(), Ok(None));
    }
}
