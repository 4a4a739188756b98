//! One client connection: its socket, its core [`Session`] and the commands
//! parsed from it that wait for the next batch.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd};

use bytes::Bytes;
use keyrs_core::engine::ClientId;
use keyrs_core::resp::ProtocolError;
use keyrs_core::session::Session;
use mio::event::Source;
use mio::net::{TcpStream, UnixStream};
use mio::{Interest, Registry, Token};

/// Stop reading from (and executing for) a client whose unsent output
/// exceeds this, until the socket drains it below. Bounds the memory one slow
/// reader can pin with a pipeline of large replies.
pub const OUTPUT_PAUSE_BYTES: usize = 4 * 1024 * 1024;

/// At most this many parsed commands wait per connection; the rest stay as
/// bytes in the session's input until the queue drains.
pub const QUEUE_MAX: usize = 1024;

/// At most this many bytes are read from one connection per loop iteration,
/// so one busy client cannot starve the others.
pub const READ_BUDGET_BYTES: usize = 1024 * 1024;

/// A connected socket, TCP or Unix.
#[derive(Debug)]
pub enum Stream {
    /// TCP.
    Tcp(TcpStream),
    /// Unix domain.
    Unix(UnixStream),
}

impl Stream {
    /// The file descriptor number (CLIENT LIST `fd`).
    pub fn fd(&self) -> i64 {
        use std::os::fd::AsRawFd;
        match self {
            Stream::Tcp(s) => i64::from(s.as_raw_fd()),
            Stream::Unix(s) => i64::from(s.as_raw_fd()),
        }
    }
}

impl AsFd for Stream {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            Stream::Tcp(s) => s.as_fd(),
            Stream::Unix(s) => s.as_fd(),
        }
    }
}

// Reads and writes are the raw `recv`/`send` system calls (rustix), not
// the libc wrappers std uses: those are thread-cancellation points, and
// entering and leaving that mode around every call was about 1.5% of the
// server's CPU at pipeline 1.
impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match rustix::net::recv(&*self, buf, rustix::net::RecvFlags::empty()) {
            Ok((n, _)) => Ok(n),
            Err(e) => Err(e.into()),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // NOSIGNAL: a closed peer is an EPIPE error, never a SIGPIPE.
        rustix::net::send(&*self, buf, rustix::net::SendFlags::NOSIGNAL).map_err(Into::into)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Source for Stream {
    fn register(&mut self, r: &Registry, t: Token, i: Interest) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.register(r, t, i),
            Stream::Unix(s) => s.register(r, t, i),
        }
    }

    fn reregister(&mut self, r: &Registry, t: Token, i: Interest) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.reregister(r, t, i),
            Stream::Unix(s) => s.reregister(r, t, i),
        }
    }

    fn deregister(&mut self, r: &Registry) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.deregister(r),
            Stream::Unix(s) => s.deregister(r),
        }
    }
}

/// What a read pass found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadOutcome {
    /// Bytes (maybe none) were read; nothing ended.
    Open,
    /// The peer closed its sending side.
    Eof,
    /// The socket failed.
    Failed,
}

/// One client connection owned by a worker.
#[derive(Debug)]
pub struct Conn {
    /// The socket.
    pub stream: Stream,
    /// Protocol state: input bytes, parser, output bytes.
    pub session: Session,
    /// The engine's id for this client.
    pub client: ClientId,
    /// Parsed commands waiting for the next batch (at most [`QUEUE_MAX`]).
    pub queue: VecDeque<Vec<Bytes>>,
    /// A protocol error met while parsing ahead; reported once the commands
    /// before it have been answered.
    pub protocol_error: Option<ProtocolError>,
    /// The socket may hold unread bytes. mio is edge-triggered: after a
    /// readable event we must read until `WouldBlock` or remember to come back.
    pub read_pending: bool,
    /// The poller reported the peer's side closed (FIN): read until EOF
    /// even after a short read, as no further event will come.
    pub peer_closed: bool,
    /// Parsing stopped because the queue was full, not for lack of input.
    pub parse_more: bool,
    /// The peer closed its side: answer what arrived, then close.
    pub eof: bool,
    /// Close now, without flushing (killed, socket error).
    pub dead: bool,
    /// Listed in the worker's active set.
    pub scheduled: bool,
    /// Blocked by a command (BLPOP...): its queued commands wait until the
    /// engine unblocks it.
    pub blocked: bool,
    /// The last coalescing window this connection was counted in.
    pub window_mark: u32,
}

impl Conn {
    /// A fresh connection for `client`.
    pub fn new(stream: Stream, session: Session, client: ClientId) -> Conn {
        Conn {
            stream,
            session,
            client,
            queue: VecDeque::new(),
            protocol_error: None,
            // Bytes may have arrived before the socket was registered.
            read_pending: true,
            peer_closed: false,
            parse_more: false,
            eof: false,
            dead: false,
            scheduled: false,
            blocked: false,
            window_mark: 0,
        }
    }

    /// Below the output bound: reading and executing may go on.
    pub fn output_has_room(&self) -> bool {
        self.session.pending_output() < OUTPUT_PAUSE_BYTES
    }

    /// No more input will be consumed (closing, failed, or ended).
    fn input_closed(&self) -> bool {
        self.dead || self.eof || self.protocol_error.is_some() || self.session.is_closing()
    }

    /// Should the socket be read now?
    pub fn can_read(&self) -> bool {
        self.read_pending && !self.input_closed() && !self.parse_more && self.output_has_room()
    }

    /// Read up to [`READ_BUDGET_BYTES`] into the session using `scratch`.
    pub fn read(&mut self, scratch: &mut [u8]) -> ReadOutcome {
        let mut budget = READ_BUDGET_BYTES;
        while budget > 0 {
            match self.stream.read(scratch) {
                Ok(0) => {
                    self.read_pending = false;
                    self.eof = true;
                    return ReadOutcome::Eof;
                }
                Ok(n) => {
                    self.session.handle_input(&scratch[..n]);
                    budget = budget.saturating_sub(n);
                    if n < scratch.len() && !self.peer_closed {
                        // A short read emptied the socket's receive queue:
                        // a further read would only return WouldBlock, and
                        // bytes arriving later raise a new (edge) event. Not
                        // asking saves one syscall per connection per loop.
                        // Not once the peer's FIN was reported: its edge
                        // came with the data, so read on to the EOF.
                        self.read_pending = false;
                        return ReadOutcome::Open;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.read_pending = false;
                    return ReadOutcome::Open;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    tracing::debug!(client = self.client, error = %e, "read failed");
                    self.read_pending = false;
                    self.dead = true;
                    return ReadOutcome::Failed;
                }
            }
        }
        ReadOutcome::Open
    }

    /// Parse buffered input into the queue, up to [`QUEUE_MAX`] commands.
    pub fn parse(&mut self) {
        self.parse_more = false;
        if self.dead || self.protocol_error.is_some() || self.session.is_closing() {
            return;
        }
        while self.queue.len() < QUEUE_MAX {
            match self.session.try_next_command() {
                Ok(Some(argv)) => self.queue.push_back(argv),
                Ok(None) => return,
                Err(e) => {
                    tracing::debug!(client = self.client, error = %e, "protocol error");
                    self.protocol_error = Some(e);
                    return;
                }
            }
        }
        self.parse_more = true;
    }

    /// After the queue drained, turn a pending protocol error into its reply.
    pub fn report_protocol_error(&mut self) {
        if self.queue.is_empty() && !self.blocked {
            if let Some(e) = self.protocol_error.take() {
                self.session.fail_protocol(&e);
            }
        }
    }

    /// Write as much pending output as the socket takes.
    pub fn flush(&mut self) {
        while !self.dead && self.session.pending_output() > 0 {
            match self.stream.write(self.session.poll_transmit()) {
                Ok(0) => self.dead = true,
                Ok(n) => self.session.advance_transmit(n),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    tracing::debug!(client = self.client, error = %e, "write failed");
                    self.dead = true;
                }
            }
        }
    }

    /// Nothing more to do: close the socket now.
    pub fn finished(&self) -> bool {
        if self.dead {
            return true;
        }
        let drained = self.session.pending_output() == 0
            && self.queue.is_empty()
            && self.protocol_error.is_none();
        drained && (self.session.is_closing() || self.eof)
    }

    /// Work is possible without a new socket event: keep the connection in
    /// the active set (the worker then polls without sleeping).
    pub fn has_work(&self) -> bool {
        if self.dead {
            return false;
        }
        if self.can_read() {
            return true;
        }
        let runnable = !self.queue.is_empty() || self.parse_more || self.protocol_error.is_some();
        runnable && self.output_has_room() && !self.blocked
    }
}
