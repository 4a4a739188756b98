//! Per-connection state the engine keeps: what CLIENT LIST shows and what
//! commands consult (selected db, protocol, name, reply mode).

use bytes::Bytes;
use hashbrown::HashMap;

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
    /// Name of the last command run.
    pub last_cmd: &'static str,
    /// CLIENT REPLY.
    pub reply_mode: ReplyMode,
    /// CLIENT NO-EVICT.
    pub no_evict: bool,
    /// Passed AUTH (or no password is set).
    pub authenticated: bool,
    /// ACL user name.
    pub user: String,
    /// Query buffer bytes, as last reported by the driver (CLIENT LIST qbuf).
    pub qbuf: usize,
    /// Output bytes pending, as last reported by the driver (CLIENT LIST omem).
    pub omem: usize,
}

impl ClientState {
    /// Clients exempt from the idle `timeout` (replicas, masters, blocked,
    /// pub/sub clients, as in Redis). None of those exist yet.
    pub fn flags_exempt_from_timeout(&self) -> bool {
        false
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
                last_cmd: "NULL",
                reply_mode: ReplyMode::On,
                no_evict: false,
                authenticated: false,
                user: "default".into(),
                qbuf: 0,
                omem: 0,
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
