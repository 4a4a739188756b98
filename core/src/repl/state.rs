//! What the engine knows about replication: our replication ids and
//! offset (PSYNC2), the backlog, the replicas attached to us, and the link
//! to our master as the driver reports it.

use super::backlog::Backlog;
use crate::engine::{ClientId, Time};

/// A replica's progress as INFO shows it (`state=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplicaPhase {
    /// Waiting for the full sync's snapshot to start.
    WaitBgsave,
    /// Receiving the RDB.
    SendBulk,
    /// Receiving the stream.
    Online,
}

impl ReplicaPhase {
    /// Redis's name.
    pub fn name(self) -> &'static str {
        match self {
            ReplicaPhase::WaitBgsave => "wait_bgsave",
            ReplicaPhase::SendBulk => "send_bulk",
            ReplicaPhase::Online => "online",
        }
    }
}

/// A replica attached to us.
#[derive(Debug, Clone)]
pub struct ReplicaEntry {
    /// Its client id (the connection that sent PSYNC).
    pub client: ClientId,
    /// Its address.
    pub ip: String,
    /// `REPLCONF listening-port`.
    pub port: u16,
    /// Where it is.
    pub phase: ReplicaPhase,
    /// The last `REPLCONF ACK` offset.
    pub ack_offset: u64,
    /// When it last acked.
    pub ack_time: Time,
    /// CLIENT KILL (or a role change) asked the driver to drop it.
    pub killed: bool,
}

/// What the handshake told us of a connection before PSYNC.
#[derive(Debug, Clone, Default)]
pub struct ReplConf {
    /// `listening-port`.
    pub port: u16,
    /// `capa eof`: diskless framing understood.
    pub capa_eof: bool,
    /// `capa psync2`.
    pub capa_psync2: bool,
    /// `REPLCONF uuid`: the replica's node id (KeyDB active replication).
    pub uuid: Option<String>,
}

/// How a PSYNC is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PsyncDecision {
    /// `+CONTINUE`: stream from this offset (the first byte it lacks).
    Continue {
        /// The first offset to send.
        from: u64,
    },
    /// `+FULLRESYNC`: a full sync is needed.
    Full,
}

/// A connection the driver must take over as a replica.
#[derive(Debug, Clone)]
pub struct Handoff {
    /// The client that sent PSYNC/SYNC.
    pub client: ClientId,
    /// Partial or full.
    pub decision: PsyncDecision,
    /// Old-style SYNC (no `+FULLRESYNC` line, `$<len>` framing).
    pub legacy: bool,
    /// Its REPLCONF facts.
    pub conf: ReplConf,
}

/// The link to our master, as the driver reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkStatus {
    /// Not connected (ROLE: `connect`).
    Connect,
    /// Connecting (ROLE: `connecting`).
    Connecting,
    /// Handshake (ROLE: `handshake`).
    Handshake,
    /// Receiving the RDB (ROLE: `sync`).
    Sync,
    /// Streaming (ROLE: `connected`).
    Connected,
}

impl LinkStatus {
    /// The ROLE name.
    pub fn name(self) -> &'static str {
        match self {
            LinkStatus::Connect => "connect",
            LinkStatus::Connecting => "connecting",
            LinkStatus::Handshake => "handshake",
            LinkStatus::Sync => "sync",
            LinkStatus::Connected => "connected",
        }
    }
}

/// Our master, when we are a replica.
#[derive(Debug, Clone)]
pub struct MasterInfo {
    /// `master_host`.
    pub host: String,
    /// `master_port`.
    pub port: u16,
    /// Link state.
    pub status: LinkStatus,
    /// When the master last sent anything.
    pub last_io: Option<Time>,
    /// When the link went down (`None`: never up).
    pub down_since: Option<Time>,
    /// The master's client (commands it sends run as this client).
    pub client: Option<ClientId>,
    /// RDB bytes expected and read during a sync.
    pub sync_total: Option<u64>,
    /// RDB bytes read so far.
    pub sync_read: u64,
}

impl MasterInfo {
    /// A master to follow, not connected yet.
    pub fn new(host: String, port: u16) -> MasterInfo {
        MasterInfo {
            host,
            port,
            status: LinkStatus::Connect,
            last_io: None,
            down_since: None,
            client: None,
            sync_total: None,
            sync_read: 0,
        }
    }

    /// Is the link streaming?
    pub fn is_up(&self) -> bool {
        self.status == LinkStatus::Connected
    }

    /// The link's state changed: its times follow. True when a link that
    /// was up went down (its master client must go).
    pub fn set_status(&mut self, status: LinkStatus, now: Time) -> bool {
        let was_up = self.is_up();
        self.status = status;
        if status == LinkStatus::Connected {
            self.last_io = Some(now);
            self.down_since = None;
        } else if was_up {
            self.down_since = Some(now);
        }
        was_up && status != LinkStatus::Connected
    }

    /// A full sync begins (`len`: the RDB's size when announced).
    pub fn begin_sync(&mut self, len: Option<u64>, now: Time) {
        self.status = LinkStatus::Sync;
        self.sync_total = len;
        self.sync_read = 0;
        self.last_io = Some(now);
    }
}

/// One master of an active replica (KeyDB's `active-replica`): we follow
/// it while staying a master ourselves, with our own replication id,
/// offset and backlog. Several under `multi-master`.
#[derive(Debug, Clone)]
pub struct ActiveMaster {
    /// The link's id: stable while the master is in the list, so a link
    /// of a removed (or re-added) master knows it is stale.
    pub id: u64,
    /// The link as a plain replica's (address, state, client, sync).
    pub link: MasterInfo,
    /// Its replication id and the last offset of its stream we applied:
    /// a reconnection asks PSYNC to continue from there (`None`: no sync
    /// yet, so a full one).
    pub position: Option<(String, u64)>,
    /// Its node id, as it answered `REPLCONF uuid`.
    pub uuid: Option<String>,
    /// CLIENT KILL TYPE master: the driver drops the link.
    pub killed: bool,
    /// The database its stream had selected (kept across reconnections).
    pub db: usize,
}

impl ActiveMaster {
    /// Its node id, once its `REPLCONF uuid` answer was a well-formed one.
    pub fn node_id(&self) -> Option<crate::repl::active::NodeId> {
        let uuid = self.uuid.as_deref()?;
        crate::repl::active::NodeId::parse(uuid.as_bytes()).ok()
    }
}

/// The engine-owned replication state.
#[derive(Debug, Clone)]
pub struct ReplState {
    /// `master_replid`.
    pub replid: String,
    /// `master_replid2` (all zeros when none).
    pub replid2: String,
    /// `second_repl_offset` (-1 when none).
    pub second_offset: i64,
    /// `master_repl_offset`.
    pub offset: u64,
    /// The backlog, once a replica attached (or we synced from a master).
    pub backlog: Option<Backlog>,
    /// When the last replica left (for `repl-backlog-ttl`).
    pub no_replicas_since: Option<Time>,
    /// Attached replicas, in attach order.
    pub replicas: Vec<ReplicaEntry>,
    /// REPLCONF facts of connections not yet replicas.
    pub confs: hashbrown::HashMap<ClientId, ReplConf>,
    /// Connections the driver must take over.
    pub handoffs: Vec<Handoff>,
    /// Our master, when we replicate.
    pub master: Option<MasterInfo>,
    /// Bumped at every REPLICAOF: the driver drops a link of an older one.
    pub generation: u64,
    /// `sync_full`, `sync_partial_ok`, `sync_partial_err`.
    pub sync_full: u64,
    /// See `sync_full`.
    pub sync_partial_ok: u64,
    /// See `sync_full`.
    pub sync_partial_err: u64,
    /// When the master last pinged its replicas.
    pub last_ping: Option<Time>,
    /// The stream grew since the driver last looked (wake the senders).
    pub fed: bool,
    /// Clients parked by WAIT.
    pub waiters: Vec<super::Waiter>,
    /// WAIT wants a `REPLCONF GETACK *` after the next drained writes.
    pub getack_wanted: bool,
    /// CLIENT KILL TYPE master: the driver drops the link.
    pub master_killed: bool,
    /// The database our master's stream has selected (kept across a
    /// reconnection, as Redis keeps its cached master).
    pub master_db: usize,
    /// An active replica's masters (empty otherwise; `master` stays `None`
    /// for an active replica: it is a master that also follows others).
    pub actives: Vec<ActiveMaster>,
    /// The next [`ActiveMaster::id`].
    pub next_active_id: u64,
}

/// 40 zeros: no id.
pub const NO_ID: &str = "0000000000000000000000000000000000000000";

/// A 40-hex-digit replication id from two random words.
pub fn make_id(mut rand: impl FnMut() -> u64) -> String {
    let mut s = String::with_capacity(40);
    while s.len() < 40 {
        s.push_str(&format!("{:016x}", rand()));
    }
    s.truncate(40);
    s
}

impl ReplState {
    /// A master with id `replid`, no backlog yet.
    pub fn new(replid: String) -> ReplState {
        ReplState {
            replid,
            replid2: NO_ID.to_string(),
            second_offset: -1,
            offset: 0,
            backlog: None,
            no_replicas_since: None,
            replicas: Vec::new(),
            confs: hashbrown::HashMap::new(),
            handoffs: Vec::new(),
            master: None,
            generation: 0,
            sync_full: 0,
            sync_partial_ok: 0,
            sync_partial_err: 0,
            last_ping: None,
            fed: false,
            waiters: Vec::new(),
            getack_wanted: false,
            master_killed: false,
            master_db: 0,
            actives: Vec::new(),
            next_active_id: 1,
        }
    }

    /// Are we a replica?
    pub fn is_replica(&self) -> bool {
        self.master.is_some()
    }

    /// Is our master link up?
    pub fn link_up(&self) -> bool {
        self.master.as_ref().is_some_and(MasterInfo::is_up)
    }

    /// The client our master's commands run as.
    pub fn master_client(&self) -> Option<ClientId> {
        self.master.as_ref().and_then(|m| m.client)
    }

    /// Is `client` the link of one of our masters (the plain one or an
    /// active replica's)?
    pub fn is_master_client(&self, client: ClientId) -> bool {
        self.master_client() == Some(client)
            || self.actives.iter().any(|m| m.link.client == Some(client))
    }

    /// Active masters whose link is up.
    pub fn active_links_up(&self) -> usize {
        self.actives.iter().filter(|m| m.link.is_up()).count()
    }

    /// Create the backlog if there is none (a replica attaches).
    pub fn ensure_backlog(&mut self, size: usize) {
        if self.backlog.is_none() {
            self.backlog = Some(Backlog::new(size, self.offset));
        }
    }

    /// Append stream bytes: the offset moves only while a backlog exists,
    /// as in Redis.
    pub fn feed(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        if let Some(b) = &mut self.backlog {
            b.feed(bytes);
            self.offset = b.end_offset();
            self.fed = true;
        }
    }

    /// Decide a `PSYNC <replid> <offset>` (offset: the first byte wanted).
    pub fn decide(&self, replid: &str, offset: i64) -> PsyncDecision {
        let Ok(from) = u64::try_from(offset) else {
            return PsyncDecision::Full;
        };
        let id_ok = replid == self.replid
            || (replid == self.replid2
                && replid != NO_ID
                && i64::try_from(from).is_ok_and(|f| f <= self.second_offset));
        match &self.backlog {
            Some(b) if id_ok && b.covers(from) => PsyncDecision::Continue { from },
            _ => PsyncDecision::Full,
        }
    }

    /// We stop following a master (REPLICAOF NO ONE) or change masters:
    /// our history keeps its id as the secondary, so replicas that synced
    /// with the old id can continue (PSYNC2).
    pub fn shift_replid(&mut self, new_id: String) {
        self.replid2 = std::mem::replace(&mut self.replid, new_id);
        self.second_offset = i64::try_from(self.offset)
            .unwrap_or(i64::MAX)
            .saturating_add(1);
    }

    /// A full sync from our master completed: we now share its history
    /// from `offset` on, with a fresh backlog.
    pub fn adopt_master(&mut self, replid: String, offset: u64, backlog_size: usize) {
        self.replid = replid;
        self.replid2 = NO_ID.to_string();
        self.second_offset = -1;
        self.offset = offset;
        self.backlog = Some(Backlog::new(backlog_size, offset));
    }

    /// A partial resync with a master whose id changed.
    pub fn master_id_changed(&mut self, replid: String) {
        if replid != self.replid {
            self.shift_replid(replid);
        }
    }

    /// Replicas whose last ack is within `max_lag` seconds.
    pub fn good_replicas(&self, now: Time, max_lag: u64) -> usize {
        self.replicas
            .iter()
            .filter(|r| {
                r.phase == ReplicaPhase::Online
                    && now.secs().saturating_sub(r.ack_time.secs()) <= max_lag
            })
            .count()
    }

    /// Replicas that acked at least `offset`.
    pub fn acked(&self, offset: u64) -> usize {
        self.replicas
            .iter()
            .filter(|r| r.phase == ReplicaPhase::Online && r.ack_offset >= offset)
            .count()
    }

    /// Ask the driver to drop every attached replica.
    pub fn kill_replicas(&mut self) {
        for r in &mut self.replicas {
            r.killed = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> ReplState {
        ReplState::new("a".repeat(40))
    }

    #[test]
    fn psync_continues_only_within_the_backlog_and_history() {
        let mut s = state();
        assert_eq!(
            s.decide(&"a".repeat(40), 1),
            PsyncDecision::Full,
            "no backlog"
        );
        s.feed(b"ignored");
        assert_eq!(s.offset, 0, "no backlog: the offset does not move");
        s.ensure_backlog(10);
        s.feed(b"0123456789abc");
        assert_eq!(s.offset, 13);
        let id = "a".repeat(40);
        assert_eq!(s.decide(&id, 14), PsyncDecision::Continue { from: 14 });
        assert_eq!(s.decide(&id, 4), PsyncDecision::Continue { from: 4 });
        assert_eq!(s.decide(&id, 3), PsyncDecision::Full, "fell out");
        assert_eq!(s.decide(&id, 15), PsyncDecision::Full, "the future");
        assert_eq!(s.decide("?", -1), PsyncDecision::Full);
        assert_eq!(s.decide(&"b".repeat(40), 14), PsyncDecision::Full);
    }

    #[test]
    fn psync2_after_promotion() {
        let mut s = state();
        s.ensure_backlog(100);
        s.feed(b"abcdef");
        s.shift_replid("b".repeat(40));
        assert_eq!((s.replid2.as_str(), s.second_offset), (&*"a".repeat(40), 7));
        s.feed(b"gh");
        // A replica of the old master at offset 6 continues under the old id.
        assert_eq!(
            s.decide(&"a".repeat(40), 7),
            PsyncDecision::Continue { from: 7 }
        );
        // One that claims history of the old id past the switch cannot.
        assert_eq!(s.decide(&"a".repeat(40), 8), PsyncDecision::Full);
        assert_eq!(
            s.decide(&"b".repeat(40), 9),
            PsyncDecision::Continue { from: 9 }
        );
    }

    #[test]
    fn ids_are_forty_hex_digits() {
        let mut n = 0u64;
        let id = make_id(|| {
            n += 0x1234_5678_9abc_def1;
            n
        });
        assert_eq!(id.len(), 40);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn good_replicas_count_lag() {
        let mut s = state();
        let t = Time::from_ms(100_000);
        for (i, ack) in [99_000u64, 80_000].iter().enumerate() {
            s.replicas.push(ReplicaEntry {
                client: i as u64,
                ip: "127.0.0.1".into(),
                port: 1,
                phase: ReplicaPhase::Online,
                ack_offset: i as u64 * 10,
                ack_time: Time::from_ms(*ack),
                killed: false,
            });
        }
        assert_eq!(s.good_replicas(t, 10), 1);
        assert_eq!(s.good_replicas(t, 30), 2);
        assert_eq!(s.acked(5), 1);
    }
}
