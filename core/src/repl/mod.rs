//! Replication (Redis's PSYNC protocol), the pure half.
//!
//! - [`backlog`]: the circular replication backlog addressed by offset.
//! - [`state`]: replication ids and offsets (PSYNC2), attached replicas,
//!   the PSYNC decision, our master link's status.
//! - [`link`]: the replica's link to its master as a state machine (bytes
//!   and time in, bytes and events out), driven by keyrs-io and the
//!   simulator.
//! - [`wire`]: the stream's framing.
//! - [`commands`]: REPLICAOF/SLAVEOF, REPLCONF, PSYNC/SYNC, ROLE, WAIT.
//! - [`info`]: INFO replication.
//! - [`active`]: active-active replication groundwork (stamps, conflict
//!   resolution, tombstones, RREPLAY); not wired into the engine yet.
//!
//! The master's stream is the engine's propagation stream: whatever the
//! driver drains with [`Engine::take_propagated`] (for the AOF too) is
//! appended to the backlog at the same time, so the AOF and the replicas
//! see one stream. A replica instead feeds its backlog with the exact
//! bytes its master sent ([`Engine::repl_apply_master_bytes`]), so its
//! offsets stay equal to the master's and sub-replicas can continue
//! partial resyncs with it (chains, failover).

pub mod active;
pub mod actives;
pub mod apply;
pub mod backlog;
pub mod commands;
pub mod info;
pub mod link;
pub mod state;
pub mod wire;

use bytes::Bytes;

use crate::engine::table::{flags, CommandSpec};
use crate::engine::{ClientId, Engine, Time};
use crate::resp::Reply;
pub use state::{Handoff, LinkStatus, PsyncDecision, ReplState, ReplicaPhase};

/// Redis's error for writes on a read-only replica.
pub const READONLY_ERROR: &str = "READONLY You can't write against a read only replica.";
/// Redis's error when `min-replicas-to-write` is not met.
pub const NOREPLICAS_ERROR: &str = "NOREPLICAS Not enough good replicas to write.";
/// Redis's error for a stale replica with `replica-serve-stale-data no`.
pub const MASTERDOWN_ERROR: &str =
    "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";

/// A client parked by WAIT.
#[derive(Debug, Clone)]
pub struct Waiter {
    /// The client.
    pub client: ClientId,
    /// The offset its writes reached.
    pub offset: u64,
    /// Replicas it wants.
    pub needed: usize,
    /// When it gives up (`None`: never).
    pub deadline_ms: Option<u64>,
}

impl Engine {
    /// `repl-backlog-size` in bytes.
    pub fn repl_backlog_size(&self) -> usize {
        self.config
            .get_u64("repl-backlog-size")
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(1 << 20)
    }

    /// The stream is collected while AOF or replication needs it.
    pub fn repl_wants_stream(&self) -> bool {
        self.repl.backlog.is_some()
    }

    /// Dispatch's replication checks before running `spec` for `client`:
    /// READONLY on a replica, MASTERDOWN on a stale one, NOREPLICAS when
    /// `min-replicas-to-write` is not met. `None`: go ahead.
    pub(crate) fn repl_refusal(&self, client: ClientId, spec: &CommandSpec) -> Option<Reply> {
        let write = spec.flags & flags::WRITE != 0;
        if !self.repl.actives.is_empty() {
            // An active replica takes writes; with the links to too few of
            // its masters up it may refuse to serve (KeyDB's quorum).
            if self.repl.is_master_client(client) {
                return None;
            }
            if !self.repl_global_link_up()
                && spec.flags & flags::STALE == 0
                && self.config.get_bool("replica-serve-stale-data") == Some(false)
            {
                return Some(Reply::error(MASTERDOWN_ERROR));
            }
        }
        if self.repl.is_replica() {
            if self.repl.master_client() == Some(client) {
                return None;
            }
            if !self.repl.link_up()
                && spec.flags & flags::STALE == 0
                && self.config.get_bool("replica-serve-stale-data") == Some(false)
            {
                return Some(Reply::error(MASTERDOWN_ERROR));
            }
            if write && self.config.get_bool("replica-read-only") != Some(false) {
                return Some(Reply::error(READONLY_ERROR));
            }
            return None;
        }
        if write {
            let min = self.config.min_replicas_to_write();
            if min > 0 {
                let lag = self.config.get_u64("min-replicas-max-lag").unwrap_or(10);
                if (self.repl.good_replicas(self.now, lag) as u64) < min {
                    return Some(Reply::error(NOREPLICAS_ERROR));
                }
            }
        }
        None
    }

    /// Called by [`Engine::take_propagated`]: the drained bytes go to the
    /// backlog too (a master only; a replica's backlog holds its master's
    /// bytes).
    pub(crate) fn repl_feed_propagated(&mut self, bytes: &[u8]) {
        if self.repl.is_replica() {
            return;
        }
        self.repl.feed(bytes);
        if self.repl.getack_wanted {
            self.repl.getack_wanted = false;
            let getack = wire::encode(&["REPLCONF", "GETACK", "*"]);
            self.repl.feed(&getack);
        }
    }

    /// Stream bytes from our master were applied: they go to our backlog
    /// unchanged (for sub-replicas), moving our offset with the master's.
    pub fn repl_apply_master_bytes(&mut self, raw: &[u8], now: Time) {
        self.repl.feed(raw);
        if let Some(m) = &mut self.repl.master {
            m.last_io = Some(now);
        }
    }

    /// Start following `host:port` (REPLICAOF, the `replicaof` option).
    pub fn repl_set_master(&mut self, host: String, port: u16) {
        self.repl.generation += 1;
        self.repl_drop_master_client();
        self.repl.master = Some(state::MasterInfo::new(host, port));
    }

    /// Stop following our master (REPLICAOF NO ONE): a new replication id,
    /// the old one kept as the secondary (PSYNC2).
    pub fn repl_unset_master(&mut self) {
        if self.repl.master.is_none() {
            return;
        }
        self.repl.generation += 1;
        self.repl_drop_master_client();
        self.repl.master = None;
        let id = state::make_id(|| self.random_u64());
        self.repl.shift_replid(id);
        if self.repl.backlog.is_some() {
            // We now feed our backlog from our own writes.
            self.prop.set_enabled(true);
        }
        // Sub-replicas reconnect to learn the new id (and continue).
        self.repl.kill_replicas();
    }

    fn repl_drop_master_client(&mut self) {
        if let Some(id) = self.repl.master.as_mut().and_then(|m| m.client.take()) {
            if let Some(c) = self.clients.get(id) {
                self.repl.master_db = c.db;
            }
            self.disconnect(id);
        }
    }

    /// The driver's link to our master changed state.
    pub fn repl_link_status(&mut self, generation: u64, status: LinkStatus, now: Time) {
        if generation != self.repl.generation {
            return;
        }
        let went_down = self
            .repl
            .master
            .as_mut()
            .is_some_and(|m| m.set_status(status, now));
        if went_down {
            self.repl_drop_master_client();
        }
    }

    /// The link is streaming: register the master's client. Returns it.
    pub fn repl_link_up(
        &mut self,
        generation: u64,
        info: crate::engine::ConnInfo,
        now: Time,
    ) -> Option<ClientId> {
        if generation != self.repl.generation {
            return None;
        }
        self.repl_drop_master_client();
        let id = self.clients.add(info, now);
        let db = self.repl.master_db.min(self.dbs.len().saturating_sub(1));
        if let Some(c) = self.clients.get_mut(id) {
            c.authenticated = true;
            // The stream goes on in the database it had selected.
            c.db = db;
            c.repl_flag = Some('M');
        }
        self.repl_link_status(generation, LinkStatus::Connected, now);
        if let Some(m) = &mut self.repl.master {
            m.client = Some(id);
            m.sync_total = None;
        }
        Some(id)
    }

    /// A full sync with our master begins: empty the keyspace. Sub-replicas
    /// must resync with us afterwards.
    pub fn repl_full_sync_begin(&mut self, generation: u64, len: Option<u64>, now: Time) {
        if generation != self.repl.generation {
            return;
        }
        self.repl.master_db = 0;
        for db in &mut self.dbs {
            db.clear();
        }
        self.repl.kill_replicas();
        if let Some(m) = &mut self.repl.master {
            m.begin_sync(len, now);
        }
    }

    /// Replication's share of the cron: the master's PING to its replicas
    /// every `repl-ping-replica-period`, the backlog's time to live, WAIT
    /// deadlines.
    pub(crate) fn repl_cron(&mut self, now: Time) {
        if !self.repl.is_replica() && !self.repl.replicas.is_empty() {
            let period = self
                .config
                .get_u64("repl-ping-replica-period")
                .unwrap_or(10)
                .max(1);
            let due = self
                .repl
                .last_ping
                .is_none_or(|t| now.secs().saturating_sub(t.secs()) >= period);
            if due {
                self.repl.last_ping = Some(now);
                // A PING depends on no database, so it may precede
                // propagated bytes the driver has not drained yet.
                self.repl.feed(&wire::encode(&["PING"]));
            }
        }
        if self.repl.replicas.is_empty() && self.repl.backlog.is_some() && !self.repl.is_replica() {
            let ttl = self.config.get_u64("repl-backlog-ttl").unwrap_or(3600);
            let since = *self.repl.no_replicas_since.get_or_insert(now);
            if ttl > 0 && now.secs().saturating_sub(since.secs()) >= ttl {
                // As Redis: a new id, since the history is gone.
                let id = state::make_id(|| self.random_u64());
                self.repl.replid = id;
                self.repl.replid2 = state::NO_ID.to_string();
                self.repl.second_offset = -1;
                self.repl.backlog = None;
                self.repl.no_replicas_since = None;
            }
        } else if !self.repl.replicas.is_empty() {
            self.repl.no_replicas_since = None;
        }
        let size = self.repl_backlog_size();
        if let Some(b) = &mut self.repl.backlog {
            if b.size() != size {
                b.resize(size);
            }
        }
        self.repl_serve_waiters(now);
    }

    /// The database a full sync's RDB should announce as the stream's
    /// (`repl-stream-db`): a replica's stream is its master's bytes.
    pub fn repl_stream_db(&self) -> i64 {
        match self
            .repl
            .master_client()
            .and_then(|id| self.clients.get(id))
        {
            Some(c) => c.db as i64,
            None if self.repl.is_replica() => self.repl.master_db as i64,
            None => 0,
        }
    }

    /// A replica acknowledged `offset`.
    pub fn repl_ack(&mut self, client: ClientId, offset: u64, now: Time) {
        if let Some(r) = self.repl.replicas.iter_mut().find(|r| r.client == client) {
            r.ack_offset = r.ack_offset.max(offset);
            r.ack_time = now;
            if r.phase == ReplicaPhase::SendBulk {
                r.phase = ReplicaPhase::Online;
            }
        }
        self.repl_serve_waiters(now);
    }

    /// Answer WAIT clients whose replicas acked enough, or whose time ran out.
    pub fn repl_serve_waiters(&mut self, now: Time) {
        if self.repl.waiters.is_empty() {
            return;
        }
        let waiters = std::mem::take(&mut self.repl.waiters);
        for w in waiters {
            if !self.blocking.is_blocked(w.client) {
                continue; // gone, or CLIENT UNBLOCK answered it
            }
            let acked = self.repl.acked(w.offset);
            let expired = w.deadline_ms.is_some_and(|d| now.ms() >= d);
            if acked >= w.needed || expired {
                self.blocking.remove(w.client);
                if let Some(c) = self.clients.get_mut(w.client) {
                    c.blocked = false;
                }
                self.deliver(w.client, &Reply::Integer(acked as i64));
                self.outbox.push(crate::engine::Effect::Unblocked(w.client));
            } else {
                self.repl.waiters.push(w);
            }
        }
    }

    /// The driver took over a replica's connection; it is attached now.
    pub fn repl_attach(&mut self, h: &Handoff, now: Time) {
        let ip = self
            .clients
            .get(h.client)
            .map(|c| {
                let a = &c.conn.addr;
                a.rsplit_once(':')
                    .map(|(ip, _)| ip.to_string())
                    .unwrap_or_else(|| a.clone())
            })
            .unwrap_or_default();
        let phase = match h.decision {
            PsyncDecision::Full => ReplicaPhase::WaitBgsave,
            PsyncDecision::Continue { .. } => ReplicaPhase::Online,
        };
        if let Some(c) = self.clients.get_mut(h.client) {
            c.repl_flag = Some('S');
        }
        self.repl.replicas.retain(|r| r.client != h.client);
        self.repl.replicas.push(state::ReplicaEntry {
            client: h.client,
            ip,
            port: h.conf.port,
            phase,
            ack_offset: 0,
            ack_time: now,
            killed: false,
        });
        self.repl.no_replicas_since = None;
    }

    /// A replica's connection ended: forget it and its client.
    pub fn repl_detach(&mut self, client: ClientId) {
        let before = self.repl.replicas.len();
        self.repl.replicas.retain(|r| r.client != client);
        if self.repl.replicas.len() != before {
            self.disconnect(client);
        }
        self.repl.confs.remove(&client);
    }

    /// CLIENT KILL of a client no worker owns: a replica's or our master's
    /// link. True if it was one (the driver drops it).
    pub fn repl_kill(&mut self, client: ClientId) -> bool {
        if let Some(r) = self.repl.replicas.iter_mut().find(|r| r.client == client) {
            r.killed = true;
            return true;
        }
        if self.repl.master_client() == Some(client) {
            self.repl.master_killed = true;
            return true;
        }
        if let Some(m) = self
            .repl
            .actives
            .iter_mut()
            .find(|m| m.link.client == Some(client))
        {
            m.killed = true;
            return true;
        }
        false
    }

    /// Is `client` one of our replicas (CLIENT LIST/KILL TYPE replica)?
    pub fn repl_is_replica_client(&self, client: ClientId) -> bool {
        self.repl.replicas.iter().any(|r| r.client == client)
    }
}

/// A helper for the driver: the argv of a REPLCONF ACK, if `argv` is one.
pub fn parse_ack(argv: &[Bytes]) -> Option<u64> {
    if argv.len() >= 3
        && argv[0].eq_ignore_ascii_case(b"replconf")
        && argv[1].eq_ignore_ascii_case(b"ack")
    {
        std::str::from_utf8(&argv[2]).ok()?.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests;
