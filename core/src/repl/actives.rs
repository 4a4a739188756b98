//! KeyDB active replication's links (`active-replica yes`): a node follows
//! any number of masters (one, or several with `multi-master yes`) while
//! staying a master itself. Unlike a plain replica it keeps its own
//! replication id, offset and backlog; what it applies from a master does
//! not go to its backlog verbatim (a received RREPLAY forwards itself).
//! Each master has a link id and its own PSYNC position (the master's id
//! and the last offset applied), so a cut link continues with a partial
//! resync.
//!
//! [`LinkTarget`] names either kind of link, so the io runtime and the
//! simulator drive both through the same calls.

use super::state::{ActiveMaster, LinkStatus, MasterInfo};
use crate::engine::{ClientId, ConnInfo, Engine, Time};

/// The link a driver (thread or simulated task) serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkTarget {
    /// A plain replica's one master, for this REPLICAOF generation.
    Single(u64),
    /// An active replica's master with this [`ActiveMaster::id`].
    Active(u64),
}

/// What a driver needs to connect a link.
#[derive(Debug, Clone)]
pub struct LinkPlan {
    /// The master's host.
    pub host: String,
    /// The master's port.
    pub port: u16,
    /// The link.
    pub target: LinkTarget,
}

/// "REPLICAOF REMOVE" of a master we do not follow.
pub const NO_SUCH_MASTER: &str = "ERR Master not found";

impl Engine {
    /// Our node id as text (`REPLCONF uuid`, the origin of our writes).
    pub fn node_uuid(&self) -> String {
        self.active.node.to_string()
    }

    /// The links a driver should run now: the plain master's, or every
    /// active master's.
    pub fn repl_link_plans(&self) -> Vec<LinkPlan> {
        let mut plans: Vec<LinkPlan> = self
            .repl
            .actives
            .iter()
            .map(|m| LinkPlan {
                host: m.link.host.clone(),
                port: m.link.port,
                target: LinkTarget::Active(m.id),
            })
            .collect();
        if let Some(m) = &self.repl.master {
            plans.push(LinkPlan {
                host: m.host.clone(),
                port: m.port,
                target: LinkTarget::Single(self.repl.generation),
            });
        }
        plans
    }

    /// Follow `host:port` as an active replica: added to the masters under
    /// `multi-master`, replacing them otherwise. False when it was
    /// already one.
    pub fn repl_add_active_master(&mut self, host: String, port: u16) -> bool {
        if self
            .repl
            .actives
            .iter()
            .any(|m| m.link.port == port && m.link.host.eq_ignore_ascii_case(&host))
        {
            return false;
        }
        if self.config.get_bool("multi-master") != Some(true) {
            self.repl_clear_active_masters();
        }
        let id = self.repl.next_active_id;
        self.repl.next_active_id += 1;
        self.repl.actives.push(ActiveMaster {
            id,
            link: MasterInfo::new(host, port),
            position: None,
            uuid: None,
            killed: false,
            db: 0,
        });
        // Our stream (own writes, forwarded envelopes) must be collected
        // even before a replica attaches: the master we follow follows us.
        let size = self.repl_backlog_size();
        self.repl.ensure_backlog(size);
        self.prop.set_enabled(true);
        true
    }

    /// REPLICAOF REMOVE host port: stop following one master.
    pub fn repl_remove_active_master(&mut self, host: &str, port: u16) -> bool {
        let Some(i) = self
            .repl
            .actives
            .iter()
            .position(|m| m.link.port == port && m.link.host.eq_ignore_ascii_case(host))
        else {
            return false;
        };
        let m = self.repl.actives.remove(i);
        if let Some(c) = m.link.client {
            self.disconnect(c);
        }
        // It no longer holds tombstone collection here (unless another
        // node still reports it: it is learnt again).
        if let Some(id) = m.node_id() {
            self.active.marks.forget_node(id);
        }
        true
    }

    /// Stop following every active master (REPLICAOF NO ONE).
    pub fn repl_clear_active_masters(&mut self) {
        for m in std::mem::take(&mut self.repl.actives) {
            if let Some(c) = m.link.client {
                self.disconnect(c);
            }
        }
    }

    /// The masters we follow now, as CONFIG REWRITE should write them.
    pub fn repl_masters_for_config(&self) -> Vec<(String, u16)> {
        if !self.repl.actives.is_empty() {
            return self
                .repl
                .actives
                .iter()
                .map(|m| (m.link.host.clone(), m.link.port))
                .collect();
        }
        self.repl
            .master
            .iter()
            .map(|m| (m.host.clone(), m.port))
            .collect()
    }

    fn active_mut(&mut self, id: u64) -> Option<&mut ActiveMaster> {
        self.repl.actives.iter_mut().find(|m| m.id == id)
    }

    /// Is the link still wanted (REPLICAOF did not move on)?
    pub fn repl_target_alive(&self, t: LinkTarget) -> bool {
        match t {
            LinkTarget::Single(g) => self.repl.master.is_some() && self.repl.generation == g,
            LinkTarget::Active(id) => self.repl.actives.iter().any(|m| m.id == id),
        }
    }

    /// Did CLIENT KILL ask to drop the link? Clears the request.
    pub fn repl_target_take_killed(&mut self, t: LinkTarget) -> bool {
        match t {
            LinkTarget::Single(_) => std::mem::take(&mut self.repl.master_killed),
            LinkTarget::Active(id) => self
                .active_mut(id)
                .is_some_and(|m| std::mem::take(&mut m.killed)),
        }
    }

    /// What the link's PSYNC asks for: an id and the last offset it has
    /// (the next byte wanted is one past it).
    pub fn repl_target_psync(&self, t: LinkTarget) -> (String, u64) {
        match t {
            LinkTarget::Single(_) => (self.repl.replid.clone(), self.repl.offset),
            LinkTarget::Active(id) => self
                .repl
                .actives
                .iter()
                .find(|m| m.id == id)
                .and_then(|m| m.position.clone())
                .unwrap_or_else(|| ("?".to_string(), 0)),
        }
    }

    /// The link's state changed.
    pub fn repl_target_status(&mut self, t: LinkTarget, status: LinkStatus, now: Time) {
        let id = match t {
            LinkTarget::Single(g) => return self.repl_link_status(g, status, now),
            LinkTarget::Active(id) => id,
        };
        let mut drop_client = None;
        if let Some(m) = self.active_mut(id) {
            m.link.set_status(status, now);
            if status != LinkStatus::Connected {
                drop_client = m.link.client.take();
            }
        }
        if let Some(c) = drop_client {
            if let Some(st) = self.clients.get(c) {
                let db = st.db;
                if let Some(m) = self.active_mut(id) {
                    m.db = db;
                }
            }
            self.disconnect(c);
        }
    }

    /// The link streams: register the master's client (its commands run
    /// as it). Returns it.
    pub fn repl_target_link_up(
        &mut self,
        t: LinkTarget,
        info: ConnInfo,
        now: Time,
    ) -> Option<ClientId> {
        let id = match t {
            LinkTarget::Single(g) => return self.repl_link_up(g, info, now),
            LinkTarget::Active(id) => id,
        };
        let db = self.active_mut(id)?.db;
        if let Some(old) = self.active_mut(id).and_then(|m| m.link.client.take()) {
            self.disconnect(old);
        }
        let client = self.clients.add(info, now);
        let db = db.min(self.dbs.len().saturating_sub(1));
        if let Some(c) = self.clients.get_mut(client) {
            c.authenticated = true;
            c.db = db;
            c.repl_flag = Some('M');
        }
        self.repl_target_status(t, LinkStatus::Connected, now);
        if let Some(m) = self.active_mut(id) {
            m.link.client = Some(client);
            m.link.sync_total = None;
        }
        Some(client)
    }

    /// The client the link's commands run as.
    pub fn repl_target_client(&self, t: LinkTarget) -> Option<ClientId> {
        match t {
            LinkTarget::Single(_) => self.repl.master_client(),
            LinkTarget::Active(id) => self
                .repl
                .actives
                .iter()
                .find(|m| m.id == id)
                .and_then(|m| m.link.client),
        }
    }

    /// The master's node id arrived (its answer to `REPLCONF uuid`).
    pub fn repl_target_peer_uuid(&mut self, t: LinkTarget, uuid: String) {
        if let LinkTarget::Active(id) = t {
            if let Ok(node) = crate::repl::active::NodeId::parse(uuid.as_bytes()) {
                self.active.marks.know_node(node);
            }
            if let Some(m) = self.active_mut(id) {
                m.uuid = Some(uuid);
            }
        }
    }

    /// An active link's full sync begins: nothing is flushed (the RDB is
    /// merged key by key) and we keep serving.
    pub(crate) fn repl_active_sync_begin(&mut self, id: u64, len: Option<u64>, now: Time) {
        if let Some(m) = self.active_mut(id) {
            m.link.begin_sync(len, now);
        }
    }

    /// RDB bytes arrived on an active link.
    pub(crate) fn repl_active_sync_read(&mut self, id: u64, n: usize, now: Time) {
        if let Some(m) = self.active_mut(id) {
            m.link.sync_read += n as u64;
            m.link.last_io = Some(now);
        }
    }

    /// Where an active link's master's stream is: after a full sync its
    /// id and offset, then moved by every applied command.
    pub(crate) fn repl_active_set_position(&mut self, id: u64, replid: String, offset: u64) {
        if let Some(m) = self.active_mut(id) {
            m.position = Some((replid, offset));
        }
    }

    /// Stream bytes from an active link's master were applied.
    pub(crate) fn repl_active_advance(&mut self, id: u64, n: usize, now: Time) {
        if let Some(m) = self.active_mut(id) {
            if let Some((_, off)) = &mut m.position {
                *off += n as u64;
            }
            m.link.last_io = Some(now);
        }
    }

    /// The master answered PSYNC with a new id (`+CONTINUE <id>`).
    pub(crate) fn repl_active_rename(&mut self, id: u64, replid: String) {
        if let Some(m) = self.active_mut(id) {
            if let Some((old, _)) = &mut m.position {
                *old = replid;
            }
        }
    }

    /// KeyDB's `repl-masters` RDB field: `replid:offset:host:port:db;` for
    /// each master we have a position in.
    pub fn repl_positions_text(&self) -> String {
        let mut out = String::new();
        for m in &self.repl.actives {
            if let Some((replid, off)) = &m.position {
                let db = m
                    .link
                    .client
                    .and_then(|c| self.clients.get(c))
                    .map_or(m.db, |c| c.db);
                out.push_str(&format!(
                    "{replid}:{off}:{}:{}:{db};",
                    m.link.host, m.link.port
                ));
            }
        }
        out
    }

    /// Take back the positions of [`Engine::repl_positions_text`] for the
    /// masters we follow (read from our own RDB at start): the links then
    /// ask to continue where the file's data ends. Damaged entries and
    /// masters no longer followed are skipped.
    pub fn repl_restore_positions(&mut self, text: &str) {
        for entry in text.split(';').filter(|s| !s.is_empty()) {
            // The host may hold ':' (IPv6): replid and offset lead, port
            // and db trail.
            let mut head = entry.splitn(3, ':');
            let (Some(replid), Some(off), Some(rest)) = (head.next(), head.next(), head.next())
            else {
                continue;
            };
            let mut tail = rest.rsplitn(3, ':');
            let (Some(db), Some(port), Some(host)) = (tail.next(), tail.next(), tail.next()) else {
                continue;
            };
            let (Ok(off), Ok(port), Ok(db)) = (off.parse::<u64>(), port.parse::<u16>(), db.parse())
            else {
                continue;
            };
            if let Some(m) = self
                .repl
                .actives
                .iter_mut()
                .find(|m| m.link.port == port && m.link.host.eq_ignore_ascii_case(host))
            {
                m.position = Some((replid.to_string(), off));
                m.db = db;
            }
        }
    }

    /// `master_global_link_status`: up when at least `replica-quorum`
    /// masters are linked (-1: all of them).
    pub fn repl_global_link_up(&self) -> bool {
        let up = self.repl.active_links_up();
        let quorum = self.config.get_i64("replica-quorum").unwrap_or(-1);
        match usize::try_from(quorum) {
            Ok(q) => up >= q.min(self.repl.actives.len()),
            Err(_) => up == self.repl.actives.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::engine::ServerInfo;

    fn engine(multi: bool) -> Engine {
        let mut cfg = Config::default();
        let yes = |b: bool| vec![if b { "yes" } else { "no" }.to_string()];
        cfg.set_option("active-replica", &yes(true)).unwrap();
        cfg.set_option("multi-master", &yes(multi)).unwrap();
        Engine::new(cfg, ServerInfo::default(), 1)
    }

    #[test]
    fn multi_master_adds_and_single_replaces() {
        let mut e = engine(true);
        assert!(e.repl_add_active_master("a".into(), 1));
        assert!(e.repl_add_active_master("b".into(), 2));
        assert!(!e.repl_add_active_master("A".into(), 1), "already there");
        assert_eq!(e.repl_link_plans().len(), 2);
        assert!(!e.repl.is_replica(), "an active replica is a master too");
        assert!(e.repl_remove_active_master("a", 1));
        assert!(!e.repl_remove_active_master("a", 1));
        assert_eq!(e.repl_masters_for_config(), vec![("b".to_string(), 2)]);

        let mut e = engine(false);
        e.repl_add_active_master("a".into(), 1);
        e.repl_add_active_master("b".into(), 2);
        assert_eq!(e.repl_masters_for_config(), vec![("b".to_string(), 2)]);
    }

    #[test]
    fn positions_survive_a_save_and_load() {
        let mut e = engine(true);
        e.repl_add_active_master("10.0.0.1".into(), 6379);
        e.repl_add_active_master("::1".into(), 7000);
        let ids: Vec<u64> = e.repl.actives.iter().map(|m| m.id).collect();
        e.repl_active_set_position(ids[0], "a".repeat(40), 1234);
        e.repl_active_set_position(ids[1], "b".repeat(40), 5);
        e.repl.actives[1].db = 3;
        let text = e.repl_positions_text();
        assert_eq!(
            text,
            format!(
                "{}:1234:10.0.0.1:6379:0;{}:5:::1:7000:3;",
                "a".repeat(40),
                "b".repeat(40)
            )
        );
        let bytes = crate::persist::dataset::save_to_vec(&mut e, Time::from_ms(1));
        let mut fresh = engine(true);
        fresh.repl_add_active_master("10.0.0.1".into(), 6379);
        fresh.repl_add_active_master("::1".into(), 7000);
        crate::persist::dataset::load_all(&mut fresh, &bytes, Time::from_ms(2)).unwrap();
        assert_eq!(fresh.repl_positions_text(), text);
        fresh.repl_restore_positions("garbage;x:y:z;");
        assert_eq!(fresh.repl_positions_text(), text, "damage is skipped");
    }

    #[test]
    fn a_link_keeps_its_position_and_client_db_across_cuts() {
        let mut e = engine(true);
        e.repl_add_active_master("a".into(), 1);
        let t = LinkTarget::Active(e.repl.actives[0].id);
        let now = Time::from_ms(1_000);
        assert_eq!(e.repl_target_psync(t), ("?".to_string(), 0));
        e.repl_active_set_position(e.repl.actives[0].id, "x".repeat(40), 100);
        let c = e.repl_target_link_up(t, ConnInfo::default(), now).unwrap();
        assert!(e.repl.is_master_client(c));
        e.repl_active_advance(e.repl.actives[0].id, 20, now);
        e.clients.get_mut(c).unwrap().db = 3;
        e.repl_target_status(t, LinkStatus::Connect, now);
        assert!(!e.repl.is_master_client(c), "dropped with the link");
        assert_eq!(e.repl_target_psync(t), ("x".repeat(40), 120));
        let c = e.repl_target_link_up(t, ConnInfo::default(), now).unwrap();
        assert_eq!(e.clients.get(c).unwrap().db, 3);
        assert!(e.repl_global_link_up());
        e.repl_add_active_master("b".into(), 2);
        assert!(!e.repl_global_link_up(), "quorum -1: all masters");
        e.config
            .config_set(&[(&b"replica-quorum"[..], &b"1"[..])], true)
            .unwrap();
        assert!(e.repl_global_link_up());
    }
}
