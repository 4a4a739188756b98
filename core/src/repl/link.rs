//! The replica's link to its master as a pure state machine: bytes and
//! time go in, bytes to send and [`LinkEvent`]s come out. The driver owns
//! the socket, loads the RDB and applies the commands.
//!
//! The handshake is Redis 7.0's: `PING`, `AUTH [masteruser] masterauth`,
//! `REPLCONF listening-port <port>`, `REPLCONF capa eof capa psync2`,
//! `PSYNC <replid> <offset>`; then either `+CONTINUE [<replid>]` and the
//! command stream, or `+FULLRESYNC <replid> <offset>`, the RDB (`$<len>`
//! or diskless `$EOF:<40-byte mark>` framing, after any keepalive
//! newlines), then the stream. The link counts the stream's bytes (the
//! replication offset), answers `REPLCONF GETACK` and sends
//! `REPLCONF ACK <offset>` every second.

use bytes::Bytes;

use super::wire::{self, RdbFraming, WireError};

/// What the handshake needs from the configuration.
#[derive(Debug, Clone, Default)]
pub struct LinkConfig {
    /// Our port, announced with `REPLCONF listening-port`.
    pub listening_port: u16,
    /// `masteruser` (AUTH with a user name when set).
    pub masteruser: Option<String>,
    /// `masterauth`.
    pub masterauth: Option<String>,
    /// Our node id, sent as `REPLCONF uuid` (KeyDB active replication).
    pub uuid: Option<String>,
}

/// Where the link is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// PING sent, waiting for its reply.
    Ping,
    /// AUTH sent.
    Auth,
    /// REPLCONF listening-port sent.
    Port,
    /// REPLCONF uuid sent.
    Uuid,
    /// REPLCONF capa sent.
    Capa,
    /// PSYNC sent.
    Psync,
    /// Full resync accepted: waiting for the RDB's `$` line.
    RdbHeader,
    /// Receiving the RDB.
    Rdb,
    /// Receiving the command stream.
    Stream,
    /// The link failed; the driver must drop it.
    Failed,
}

/// Something the driver must act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkEvent {
    /// The master starts a full resync from `offset` under `replid`.
    FullResync {
        /// The master's replication id.
        replid: String,
        /// The offset the RDB corresponds to.
        offset: u64,
    },
    /// The RDB payload begins (`len` when known).
    RdbStart {
        /// Its size with `$<len>` framing.
        len: Option<u64>,
    },
    /// RDB payload bytes, in order.
    RdbData(Vec<u8>),
    /// The RDB payload is complete.
    RdbDone,
    /// A partial resync: the stream continues at our offset; a new
    /// replication id when the master's changed.
    Continue {
        /// The master's id, when it sent one.
        replid: Option<String>,
    },
    /// A command of the stream and the exact bytes it took (to feed our
    /// own backlog). `internal` commands (REPLCONF) are not executed.
    Command {
        /// The arguments.
        argv: Vec<Bytes>,
        /// The command's bytes as received.
        raw: Vec<u8>,
        /// Handled by the link itself (REPLCONF GETACK).
        internal: bool,
    },
    /// The link failed with this reason (logged by the driver).
    Failed(String),
}

/// One replica-to-master link.
#[derive(Debug)]
pub struct ReplicaLink {
    cfg: LinkConfig,
    phase: Phase,
    /// Received; bytes before `start` are consumed (compacted when more
    /// arrives, so consuming many small commands moves no memory).
    inbuf: Vec<u8>,
    start: usize,
    /// To send.
    out: Vec<u8>,
    /// What PSYNC asks for.
    psync_replid: String,
    psync_offset: u64,
    /// The replication offset processed (stream bytes consumed).
    offset: u64,
    /// RDB framing and progress.
    framing: Option<RdbFraming>,
    rdb_left: u64,
    /// With EOF framing: bytes held back (they may be the mark).
    rdb_tail: Vec<u8>,
    /// Milliseconds of the last byte received and the last ACK sent.
    last_io_ms: u64,
    last_ack_ms: u64,
    /// The master's node id, from its answer to `REPLCONF uuid`.
    peer_uuid: Option<String>,
}

impl ReplicaLink {
    /// A new link, connected now: sends PING. `replid`/`offset` are what
    /// PSYNC asks for (our id and last offset: the next byte wanted is
    /// `offset + 1`).
    pub fn new(cfg: LinkConfig, replid: String, offset: u64, now_ms: u64) -> ReplicaLink {
        let mut l = ReplicaLink {
            cfg,
            phase: Phase::Ping,
            inbuf: Vec::new(),
            start: 0,
            out: Vec::new(),
            psync_replid: replid,
            psync_offset: offset,
            offset,
            framing: None,
            rdb_left: 0,
            rdb_tail: Vec::new(),
            last_io_ms: now_ms,
            last_ack_ms: now_ms,
            peer_uuid: None,
        };
        l.send(&["PING"]);
        l
    }

    /// The phase.
    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    /// The replication offset processed.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// When the master last sent anything (ms).
    pub fn last_io_ms(&self) -> u64 {
        self.last_io_ms
    }

    /// Bytes to write to the master (taken).
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.out)
    }

    fn send<A: AsRef<[u8]>>(&mut self, argv: &[A]) {
        self.out.extend_from_slice(&wire::encode(argv));
    }

    /// Bytes arrived from the master.
    pub fn feed(&mut self, bytes: &[u8], now_ms: u64) {
        if !bytes.is_empty() {
            self.last_io_ms = now_ms;
        }
        self.compact();
        self.inbuf.extend_from_slice(bytes);
    }

    /// Time passes: a `REPLCONF ACK` every second once streaming.
    pub fn tick(&mut self, now_ms: u64) {
        if self.phase == Phase::Stream && now_ms.saturating_sub(self.last_ack_ms) >= 1000 {
            self.send_ack(now_ms);
        }
    }

    /// Has the master been silent for longer than `timeout_ms`?
    pub fn timed_out(&self, now_ms: u64, timeout_ms: u64) -> bool {
        now_ms.saturating_sub(self.last_io_ms) > timeout_ms
    }

    fn send_ack(&mut self, now_ms: u64) {
        let off = self.offset.to_string();
        self.send(&["REPLCONF", "ACK", off.as_str()]);
        self.last_ack_ms = now_ms;
    }

    fn fail(&mut self, why: String) -> Option<LinkEvent> {
        self.phase = Phase::Failed;
        self.inbuf.clear();
        self.start = 0;
        Some(LinkEvent::Failed(why))
    }

    /// Take one reply line, if complete.
    fn reply_line(&mut self) -> Result<Option<String>, WireError> {
        let Some((text, used)) = wire::line(&self.inbuf[self.start..])? else {
            return Ok(None);
        };
        let text = String::from_utf8_lossy(text).into_owned();
        self.start += used;
        Ok(Some(text))
    }

    /// The next event, `None` when more input is needed.
    pub fn poll(&mut self, now_ms: u64) -> Option<LinkEvent> {
        loop {
            match self.phase {
                Phase::Failed => return None,
                Phase::Ping
                | Phase::Auth
                | Phase::Port
                | Phase::Uuid
                | Phase::Capa
                | Phase::Psync => {
                    let line = match self.reply_line() {
                        Ok(Some(l)) => l,
                        Ok(None) => return None,
                        Err(e) => return self.fail(e.0),
                    };
                    if let Some(ev) = self.handshake_step(&line) {
                        return Some(ev);
                    }
                }
                Phase::RdbHeader => {
                    let line = match self.reply_line() {
                        Ok(Some(l)) => l,
                        Ok(None) => return None,
                        Err(e) => return self.fail(e.0),
                    };
                    if line.is_empty() {
                        // A keepalive newline while the master prepares the RDB.
                        continue;
                    }
                    match wire::rdb_framing(line.as_bytes()) {
                        Ok(f) => {
                            let len = match f {
                                RdbFraming::Length(n) => Some(n),
                                RdbFraming::Eof(_) => None,
                            };
                            self.rdb_left = len.unwrap_or(0);
                            self.framing = Some(f);
                            self.phase = Phase::Rdb;
                            return Some(LinkEvent::RdbStart { len });
                        }
                        Err(e) => return self.fail(e.0),
                    }
                }
                Phase::Rdb => return self.rdb_step(now_ms),
                Phase::Stream => return self.stream_step(now_ms),
            }
        }
    }

    /// A handshake reply arrived; sends the next step.
    fn handshake_step(&mut self, line: &str) -> Option<LinkEvent> {
        if line.is_empty() {
            // A master keeps the link alive with newlines before answering.
            return None;
        }
        let err = line.starts_with('-');
        match self.phase {
            Phase::Ping => {
                // A master that wants AUTH answers PING with an error we
                // can proceed past (AUTH comes next).
                if err
                    && !line.starts_with("-NOAUTH")
                    && !line.starts_with("-NOPERM")
                    && !line.starts_with("-ERR operation not permitted")
                {
                    return self.fail(format!("Error reply to PING from master: '{line}'"));
                }
                match self.cfg.masterauth.clone() {
                    Some(pass) => {
                        match self.cfg.masteruser.clone() {
                            Some(user) => self.send(&["AUTH", user.as_str(), pass.as_str()]),
                            None => self.send(&["AUTH", pass.as_str()]),
                        }
                        self.phase = Phase::Auth;
                    }
                    None => self.send_port(),
                }
            }
            Phase::Auth => {
                if err {
                    return self.fail(format!("Unable to AUTH to MASTER: {line}"));
                }
                self.send_port();
            }
            Phase::Port => match self.cfg.uuid.clone() {
                Some(id) => {
                    self.send(&["REPLCONF", "uuid", id.as_str()]);
                    self.phase = Phase::Uuid;
                }
                // Non critical: an old master may not know the option.
                None => self.send_capa(),
            },
            Phase::Uuid => {
                // A KeyDB-style master answers with its own id; any other
                // answer (an error from a plain Redis) is not fatal.
                if let Some(id) = line.strip_prefix('+').filter(|id| id.len() == 36) {
                    self.peer_uuid = Some(id.to_string());
                }
                self.send_capa();
            }
            Phase::Capa => {
                let off = (self.psync_offset + 1).to_string();
                let id = self.psync_replid.clone();
                self.send(&["PSYNC", id.as_str(), off.as_str()]);
                self.phase = Phase::Psync;
            }
            Phase::Psync => return self.psync_reply(line),
            _ => {}
        }
        None
    }

    fn send_capa(&mut self) {
        self.send(&["REPLCONF", "capa", "eof", "capa", "psync2"]);
        self.phase = Phase::Capa;
    }

    /// The master's node id, if it answered `REPLCONF uuid`.
    pub fn peer_uuid(&self) -> Option<&str> {
        self.peer_uuid.as_deref()
    }

    fn send_port(&mut self) {
        let port = self.cfg.listening_port.to_string();
        self.send(&["REPLCONF", "listening-port", port.as_str()]);
        self.phase = Phase::Port;
    }

    fn psync_reply(&mut self, line: &str) -> Option<LinkEvent> {
        if let Some(rest) = line.strip_prefix("+FULLRESYNC") {
            let mut words = rest.split_whitespace();
            let replid = words.next().unwrap_or_default().to_string();
            let offset = words.next().and_then(|w| w.parse::<u64>().ok());
            let (40, Some(offset)) = (replid.len(), offset) else {
                return self.fail(format!("Bad +FULLRESYNC reply from master: '{line}'"));
            };
            self.offset = offset;
            self.phase = Phase::RdbHeader;
            return Some(LinkEvent::FullResync { replid, offset });
        }
        if let Some(rest) = line.strip_prefix("+CONTINUE") {
            let id = rest.trim();
            let replid = (id.len() == 40).then(|| id.to_string());
            self.phase = Phase::Stream;
            return Some(LinkEvent::Continue { replid });
        }
        self.fail(format!("Unexpected reply to PSYNC from master: {line}"))
    }

    /// Drop the consumed bytes.
    fn compact(&mut self) {
        if self.start > 0 {
            self.inbuf.drain(..self.start);
            self.start = 0;
        }
    }

    fn rdb_step(&mut self, now_ms: u64) -> Option<LinkEvent> {
        self.compact();
        match self.framing.clone() {
            Some(RdbFraming::Length(_)) => {
                if self.rdb_left == 0 {
                    return self.rdb_finished(now_ms);
                }
                if self.inbuf.is_empty() {
                    return None;
                }
                let n = usize::try_from(self.rdb_left)
                    .unwrap_or(usize::MAX)
                    .min(self.inbuf.len());
                let data: Vec<u8> = self.inbuf.drain(..n).collect();
                self.rdb_left -= n as u64;
                Some(LinkEvent::RdbData(data))
            }
            Some(RdbFraming::Eof(mark)) => {
                if self.inbuf.is_empty() {
                    return None;
                }
                let mut pending = std::mem::take(&mut self.rdb_tail);
                pending.append(&mut self.inbuf);
                if let Some(p) = pending.windows(40).position(|w| w == mark) {
                    self.inbuf = pending.split_off(p + 40);
                    pending.truncate(p);
                    self.framing = Some(RdbFraming::Length(0));
                    self.rdb_left = 0;
                    return Some(LinkEvent::RdbData(pending));
                }
                let keep = pending.len().min(39);
                self.rdb_tail = pending.split_off(pending.len() - keep);
                Some(LinkEvent::RdbData(pending))
            }
            None => self.fail("RDB without framing".into()),
        }
    }

    fn rdb_finished(&mut self, now_ms: u64) -> Option<LinkEvent> {
        self.framing = None;
        self.phase = Phase::Stream;
        // The master learns at once that we are online (Redis acks right
        // after loading).
        self.send_ack(now_ms);
        Some(LinkEvent::RdbDone)
    }

    fn stream_step(&mut self, now_ms: u64) -> Option<LinkEvent> {
        let (argv, used) = match wire::command(&self.inbuf[self.start..]) {
            Ok(Some(c)) => c,
            Ok(None) => return None,
            Err(e) => return self.fail(format!("Protocol error from master: {}", e.0)),
        };
        let raw = self.inbuf[self.start..self.start + used].to_vec();
        self.start += used;
        let internal = argv
            .first()
            .is_some_and(|a| a.eq_ignore_ascii_case(b"replconf"));
        if internal
            && argv
                .get(1)
                .is_some_and(|a| a.eq_ignore_ascii_case(b"getack"))
        {
            // The offset before this command, as Redis acks.
            self.send_ack(now_ms);
        }
        self.offset += used as u64;
        Some(LinkEvent::Command {
            argv,
            raw,
            internal,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(s: &[&str]) -> Vec<u8> {
        wire::encode(s)
    }

    fn drain(l: &mut ReplicaLink) -> Vec<LinkEvent> {
        let mut v = Vec::new();
        while let Some(e) = l.poll(0) {
            v.push(e);
        }
        v
    }

    /// The RDB payload the events carried, in order.
    fn rdb_bytes(events: &[LinkEvent]) -> Vec<u8> {
        events
            .iter()
            .filter_map(|e| match e {
                LinkEvent::RdbData(d) => Some(d.clone()),
                _ => None,
            })
            .flatten()
            .collect()
    }

    fn handshake(auth: bool) -> ReplicaLink {
        let cfg = LinkConfig {
            listening_port: 6380,
            masteruser: None,
            masterauth: auth.then(|| "pw".to_string()),
            uuid: None,
        };
        let mut l = ReplicaLink::new(cfg, "a".repeat(40), 10, 0);
        assert_eq!(l.take_output(), cmd(&["PING"]));
        l.feed(b"+PONG\r\n", 0);
        assert!(drain(&mut l).is_empty());
        if auth {
            assert_eq!(l.take_output(), cmd(&["AUTH", "pw"]));
            l.feed(b"+OK\r\n", 0);
            drain(&mut l);
        }
        assert_eq!(
            l.take_output(),
            cmd(&["REPLCONF", "listening-port", "6380"])
        );
        l.feed(b"+OK\r\n", 0);
        drain(&mut l);
        assert_eq!(
            l.take_output(),
            cmd(&["REPLCONF", "capa", "eof", "capa", "psync2"])
        );
        l.feed(b"+OK\r\n", 0);
        drain(&mut l);
        assert_eq!(l.take_output(), cmd(&["PSYNC", &"a".repeat(40), "11"]));
        l
    }

    #[test]
    fn an_active_link_exchanges_node_ids() {
        let me = "11111111-2222-3333-4444-555555555555";
        let peer = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
        let cfg = LinkConfig {
            listening_port: 7000,
            uuid: Some(me.to_string()),
            ..LinkConfig::default()
        };
        let mut l = ReplicaLink::new(cfg, "?".into(), 0, 0);
        l.feed(b"+PONG\r\n", 0);
        assert!(l.poll(0).is_none());
        l.take_output();
        l.feed(b"+OK\r\n", 0);
        assert!(l.poll(0).is_none());
        assert_eq!(l.take_output(), cmd(&["REPLCONF", "uuid", me]));
        l.feed(format!("+{peer}\r\n").as_bytes(), 0);
        assert!(l.poll(0).is_none());
        assert_eq!(l.peer_uuid(), Some(peer));
        assert_eq!(
            l.take_output(),
            cmd(&["REPLCONF", "capa", "eof", "capa", "psync2"])
        );
        // A master that does not know the option is no failure.
        let cfg = LinkConfig {
            uuid: Some(me.to_string()),
            ..LinkConfig::default()
        };
        let mut l = ReplicaLink::new(cfg, "?".into(), 0, 0);
        l.feed(
            b"+PONG\r\n+OK\r\n-ERR Unrecognized REPLCONF option: uuid\r\n",
            0,
        );
        assert!(l.poll(0).is_none());
        assert_eq!(l.peer_uuid(), None);
        assert!(l
            .take_output()
            .ends_with(&cmd(&["REPLCONF", "capa", "eof", "capa", "psync2"])));
        l.feed(b"+OK\r\n", 0);
        assert!(l.poll(0).is_none());
        assert!(l.take_output().ends_with(&cmd(&["PSYNC", "?", "1"])));
    }

    #[test]
    fn full_resync_with_length_framing_then_stream() {
        let mut l = handshake(true);
        let id = "b".repeat(40);
        let mut input = format!("+FULLRESYNC {id} 100\r\n\n\n$5\r\nREDIS").into_bytes();
        input.extend_from_slice(&cmd(&["SET", "k", "v"]));
        // Byte by byte: the machine must resume anywhere.
        let mut events = Vec::new();
        for b in &input {
            l.feed(std::slice::from_ref(b), 0);
            events.extend(drain(&mut l));
        }
        let data = rdb_bytes(&events);
        assert_eq!(data, b"REDIS");
        assert_eq!(
            events[0],
            LinkEvent::FullResync {
                replid: id,
                offset: 100
            }
        );
        assert!(events.contains(&LinkEvent::RdbDone));
        let last = events.last().unwrap();
        assert!(
            matches!(last, LinkEvent::Command { argv, internal: false, .. } if argv[0] == "SET")
        );
        let set_len = cmd(&["SET", "k", "v"]).len() as u64;
        assert_eq!(l.offset(), 100 + set_len);
        // The first ACK goes out right after the RDB.
        assert_eq!(l.take_output(), cmd(&["REPLCONF", "ACK", "100"]));
    }

    #[test]
    fn diskless_eof_framing_finds_the_mark_across_reads() {
        let mut l = handshake(false);
        let mark: String = "0123456789".repeat(4);
        l.feed(
            format!("+FULLRESYNC {} 7\r\n", "c".repeat(40)).as_bytes(),
            0,
        );
        l.feed(format!("$EOF:{mark}\r\n").as_bytes(), 0);
        let body = b"REDIS0010 payload with 0123456789 in it".to_vec();
        let mut all = body.clone();
        all.extend_from_slice(mark.as_bytes());
        all.extend_from_slice(&cmd(&["PING"]));
        let mut events = Vec::new();
        for chunk in all.chunks(7) {
            l.feed(chunk, 0);
            events.extend(drain(&mut l));
        }
        let data = rdb_bytes(&events);
        assert_eq!(data, body);
        assert!(events.contains(&LinkEvent::RdbStart { len: None }));
        assert!(events.contains(&LinkEvent::RdbDone));
        assert!(
            matches!(events.last().unwrap(), LinkEvent::Command { argv, .. } if argv[0] == "PING")
        );
        assert_eq!(l.offset(), 7 + 14);
    }

    #[test]
    fn continue_getack_and_periodic_acks() {
        let mut l = handshake(false);
        l.feed(format!("+CONTINUE {}\r\n", "d".repeat(40)).as_bytes(), 0);
        assert_eq!(
            drain(&mut l),
            vec![LinkEvent::Continue {
                replid: Some("d".repeat(40))
            }]
        );
        let getack = cmd(&["REPLCONF", "GETACK", "*"]);
        l.feed(&getack, 5);
        let ev = drain(&mut l);
        assert!(matches!(&ev[0], LinkEvent::Command { internal: true, raw, .. } if *raw == getack));
        assert_eq!(l.take_output(), cmd(&["REPLCONF", "ACK", "10"]));
        assert_eq!(l.offset(), 10 + getack.len() as u64);
        l.tick(500);
        assert!(l.take_output().is_empty());
        l.tick(1005);
        let off = l.offset().to_string();
        assert_eq!(l.take_output(), cmd(&["REPLCONF", "ACK", &off]));
        assert!(!l.timed_out(60_000, 60_000));
        assert!(l.timed_out(60_006, 60_000));
    }

    #[test]
    fn errors_fail_the_link() {
        let mut l = ReplicaLink::new(LinkConfig::default(), "?".into(), 0, 0);
        l.feed(b"-ERR unknown\r\n", 0);
        assert!(matches!(drain(&mut l)[..], [LinkEvent::Failed(_)]));
        assert_eq!(l.phase(), &Phase::Failed);
        // NOAUTH on PING is fine: AUTH comes next.
        let cfg = LinkConfig {
            masterauth: Some("x".into()),
            masteruser: Some("u".into()),
            ..LinkConfig::default()
        };
        let mut l = ReplicaLink::new(cfg, "?".into(), 0, 0);
        l.take_output();
        l.feed(b"-NOAUTH Authentication required.\r\n", 0);
        assert!(drain(&mut l).is_empty());
        assert_eq!(l.take_output(), cmd(&["AUTH", "u", "x"]));
        l.feed(b"-WRONGPASS bad\r\n", 0);
        assert!(matches!(drain(&mut l)[..], [LinkEvent::Failed(_)]));
        let mut l = handshake(false);
        l.feed(
            b"-NOMASTERLINK Can't SYNC while not connected with my master\r\n",
            0,
        );
        assert!(matches!(drain(&mut l)[..], [LinkEvent::Failed(_)]));
        let mut l = handshake(false);
        l.feed(
            format!("+FULLRESYNC {} 1\r\n+OK\r\n", "e".repeat(40)).as_bytes(),
            0,
        );
        let ev = drain(&mut l);
        assert!(matches!(ev.last().unwrap(), LinkEvent::Failed(_)));
    }
}
