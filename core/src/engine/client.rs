//! Per-connection state the engine keeps: what CLIENT LIST shows and what
//! commands consult (selected db, protocol, name, reply mode).

use bytes::Bytes;
use hashbrown::HashMap;

use super::stats::CmdName;
use super::Time;
use crate::resp::Protocol;

/// A client's id, as CLIENT ID reports it. Never reused.
pub type ClientId = u64;

/// What the driver knows about a new connection.
#[derive(Debug, Clone, Default)]
pub struct ConnInfo {
    /// Peer address `ip:port` (or the socket path).
    pub addr: String,
    /// Local address `ip:port`.
    pub laddr: String,
    /// File descriptor number (shown by CLIENT LIST; -1 for none).
    pub fd: i64,
    /// The event-loop thread that owns the connection.
    pub thread: usize,
}

/// CLIENT REPLY mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReplyMode {
    /// Replies are sent.
    #[default]
    On,
    /// No replies are sent.
    Off,
    /// The next command's reply is not sent.
    Skip,
    /// The running command follows a SKIP: its reply is dropped unless it
    /// turns replies back ON (dispatch sets and clears this).
    SkipThis,
}

/// One connected client.
#[derive(Debug, Clone)]
pub struct ClientState {
    /// CLIENT ID.
    pub id: ClientId,
    /// Connection facts from the driver.
    pub conn: ConnInfo,
    /// CLIENT SETNAME.
    pub name: Option<Bytes>,
    /// Selected database.
    pub db: usize,
    /// RESP version (HELLO).
    pub proto: Protocol,
    /// When it connected.
    pub created: Time,
    /// When it last sent a command.
    pub last_interaction: Time,
    /// The last command run (CLIENT LIST `cmd=`).
    pub last_cmd: CmdName,
    /// CLIENT REPLY.
    pub reply_mode: ReplyMode,
    /// CLIENT NO-EVICT.
    pub no_evict: bool,
    /// A replication link: `S` (a replica of ours) or `M` (our master), as
    /// CLIENT LIST shows it.
    pub repl_flag: Option<char>,
    /// Passed AUTH (or no password is set).
    pub authenticated: bool,
    /// ACL user name.
    pub user: String,
    /// Query buffer bytes, as last reported by the driver (CLIENT LIST qbuf).
    pub qbuf: usize,
    /// Output bytes pending, as last reported by the driver (CLIENT LIST omem).
    pub omem: usize,
    /// Channels subscribed (SUBSCRIBE); set by the pub/sub commands.
    pub sub: usize,
    /// Patterns subscribed (PSUBSCRIBE).
    pub psub: usize,
    /// Shard channels subscribed (SSUBSCRIBE).
    pub ssub: usize,
    /// Commands queued while in MULTI, `None` outside a transaction.
    pub multi: Option<usize>,
    /// Parked by a blocking command (CLIENT LIST flag `b`); kept in step by
    /// the engine's blocking table.
    pub blocked: bool,
    /// In MONITOR mode (CLIENT LIST flag `O`); kept in step by the engine's
    /// monitor list.
    pub monitor: bool,
}

/// The reply buffer size CLIENT LIST reports (`rbs`): Redis's initial
/// per-client reply buffer. keyrs buffers replies in the session, so this is
/// the figure clients expect rather than a measurement.
pub const REPLY_BUFFER_BYTES: usize = 1024;

impl ClientState {
    /// Clients exempt from the idle `timeout` (replicas, masters, blocked,
    /// pub/sub clients, as in Redis). A monitor counts as a replica.
    pub fn flags_exempt_from_timeout(&self) -> bool {
        self.is_pubsub() || self.blocked || self.monitor
    }

    /// Subscribed to anything: the RESP2 pub/sub context, where PING answers
    /// with an array and only (un)subscribe commands are allowed.
    pub fn is_pubsub(&self) -> bool {
        self.sub + self.psub + self.ssub > 0
    }

    /// The CLIENT LIST `flags=` letters, in Redis's order (`N` for none).
    pub fn flag_letters(&self) -> String {
        let mut f = String::new();
        if self.monitor {
            f.push('O');
        }
        if let Some(flag) = self.repl_flag {
            f.push(flag);
        }
        if self.is_pubsub() {
            f.push('P');
        }
        if self.multi.is_some() {
            f.push('x');
        }
        if self.blocked {
            f.push('b');
        }
        if self.conn.addr.starts_with('/') {
            // Unix-domain peers are recorded as `<path>:0`.
            f.push('U');
        }
        if self.no_evict {
            f.push('e');
        }
        if f.is_empty() {
            f.push('N');
        }
        f
    }

    /// One CLIENT LIST / CLIENT INFO line (without the trailing newline), in
    /// Redis 7.0's field order, then keyrs's `thread=` (the event-loop thread
    /// that owns the connection; KeyDB shows none, and a field appended at
    /// the end leaves Redis parsers working). `argv_mem` is the size of the arguments of
    /// the command the client is running (0 for idle clients, as in Redis
    /// where argv is freed between commands).
    pub fn info_line(&self, now: Time, argv_mem: usize) -> String {
        let age = now.secs().saturating_sub(self.created.secs());
        let idle = now.secs().saturating_sub(self.last_interaction.secs());
        let name = self
            .name
            .as_ref()
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .unwrap_or_default();
        let multi = match self.multi {
            Some(n) => n as i64,
            None => -1,
        };
        let tot_mem = REPLY_BUFFER_BYTES + self.qbuf + self.omem + argv_mem;
        format!(
            "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} \
             sub={} psub={} ssub={} multi={} qbuf={} qbuf-free=0 argv-mem={} \
             multi-mem=0 rbs={} rbp=0 obl=0 oll=0 omem={} tot-mem={} events=r \
             cmd={} user={} redir=-1 resp={} thread={}",
            self.id,
            self.conn.addr,
            self.conn.laddr,
            self.conn.fd,
            name,
            age,
            idle,
            self.flag_letters(),
            self.db,
            self.sub,
            self.psub,
            self.ssub,
            multi,
            self.qbuf,
            argv_mem,
            REPLY_BUFFER_BYTES,
            self.omem,
            tot_mem,
            self.last_cmd,
            self.user,
            self.proto.number(),
            self.conn.thread,
        )
    }
}

/// All connected clients by id.
#[derive(Debug, Default)]
pub struct ClientRegistry {
    clients: HashMap<ClientId, ClientState>,
    next_id: ClientId,
}

impl ClientRegistry {
    /// Add a client and return its fresh id.
    pub fn add(&mut self, conn: ConnInfo, now: Time) -> ClientId {
        self.next_id += 1;
        let id = self.next_id;
        self.clients.insert(
            id,
            ClientState {
                id,
                conn,
                name: None,
                db: 0,
                proto: Protocol::Resp2,
                created: now,
                last_interaction: now,
                last_cmd: CmdName::NULL,
                reply_mode: ReplyMode::On,
                no_evict: false,
                repl_flag: None,
                authenticated: false,
                user: "default".into(),
                qbuf: 0,
                omem: 0,
                sub: 0,
                psub: 0,
                ssub: 0,
                multi: None,
                blocked: false,
                monitor: false,
            },
        );
        id
    }

    /// Remove a client.
    pub fn remove(&mut self, id: ClientId) -> Option<ClientState> {
        self.clients.remove(&id)
    }

    /// Look up a client.
    pub fn get(&self, id: ClientId) -> Option<&ClientState> {
        self.clients.get(&id)
    }

    /// Look up a client mutably.
    pub fn get_mut(&mut self, id: ClientId) -> Option<&mut ClientState> {
        self.clients.get_mut(&id)
    }

    /// Number of connected clients.
    pub fn len(&self) -> usize {
        self.clients.len()
    }

    /// True when nobody is connected.
    pub fn is_empty(&self) -> bool {
        self.clients.is_empty()
    }

    /// All clients, in id order (CLIENT LIST order).
    pub fn iter(&self) -> impl Iterator<Item = &ClientState> {
        let mut v: Vec<&ClientState> = self.clients.values().collect();
        v.sort_by_key(|c| c.id);
        v.into_iter()
    }
}
