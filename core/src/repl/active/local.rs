//! The engine side of active replication for the node's own writes: turning
//! it on, stamping every propagated command, recording its keys' versions
//! and tombstones, and encoding what leaves as KeyDB's RREPLAY envelopes.
//!
//! # What leaves, and why
//!
//! Each propagated command of a unit (a top-level command, an EXEC, a
//! served blocked client) gets **its own stamp** (one `Hlc::tick` each),
//! so an origin's envelopes carry strictly increasing stamps and the
//! receivers' per-origin `>=` dedup (KeyDB's) never mistakes two envelopes
//! for one. No SELECT is written (the database is the envelope's third
//! argument) and **no MULTI/EXEC** wraps a unit: a receiver applies each
//! envelope on its own, under the conflict rule, so a transaction's
//! commands may interleave with other origins' envelopes there. Every
//! envelope is a whole-key state ([`super::lww`]), so the result still
//! converges; what is lost is the transaction's atomicity *across nodes*.
//!
//! [`Plan::State`] commands (INCR, LPUSH, EXPIRE, RENAME...) are not sent
//! as written: for each key the command wrote (found by its key specs, as
//! COMMAND GETKEYSANDFLAGS does, read-only keys left out), the key's state
//! at the unit's end goes as `KEYDB.MVCCRESTORE key stamp pexpire-at-ms
//! <DUMP>` (`-1`: no expiry), or `DEL key` when the key is gone.
//!
//! Expiry deletes without propagating anything: the key leaves a
//! tombstone at its own version ([`DbStamps::expired`]), so the same state
//! cannot come back while any newer write still can.

use bytes::Bytes;

use super::envelope;
use super::keystamps::DbStamps;
use super::lww::{classify, mvcc_version, Plan, MVCCDEL, MVCCFLUSHDB, MVCCRESTORE};
use super::node::NodeId;
use super::stamp::{Stamp, Version};
use super::watermark::Watermarks;
use crate::engine::propagate::encode;
use crate::engine::{ClientId, Engine};

impl Engine {
    /// Set the node's id (the driver reads or creates the persisted one at
    /// start). Until [`Engine::set_writer`] the id is also the writer id.
    /// The watermark tables start over.
    pub fn set_node_id(&mut self, id: NodeId) {
        self.active.node = id;
        self.active.writer = id;
        self.active.marks = Watermarks::new(id, id, self.active.boot);
    }

    /// Set this start's writer id (fresh and random at every start) and
    /// its start number `boot` (one more than the last start's; the driver
    /// keeps the count beside the node id). Call after
    /// [`Engine::set_node_id`]. The watermark tables start over.
    pub fn set_writer(&mut self, writer: NodeId, boot: u64) {
        self.active.writer = writer;
        self.active.boot = boot;
        self.active.marks = Watermarks::new(writer, self.active.node, boot);
    }

    /// The collection horizon (each database holds it for its own refusals;
    /// they are raised together, so the highest is the node's).
    pub fn active_horizon(&self) -> Stamp {
        self.dbs
            .iter()
            .filter_map(|d| d.stamps.as_deref())
            .map(DbStamps::horizon)
            .max()
            .unwrap_or(Stamp::ZERO)
    }

    /// This start's writer id.
    pub fn writer_id(&self) -> NodeId {
        self.active.writer
    }

    /// The node's id.
    pub fn node_id(&self) -> NodeId {
        self.active.node
    }

    /// Turn active replication on (allocate every database's version
    /// table, stamp writes, send RREPLAY) or off (drop the tables).
    pub fn set_active(&mut self, on: bool) {
        self.active.enabled = on;
        self.prop.set_active(on);
        for db in &mut self.dbs {
            if on {
                db.enable_stamps();
            } else {
                db.stamps = None;
            }
        }
    }

    /// Is `active-replica` on?
    pub fn is_active_replica(&self) -> bool {
        self.active.enabled
    }

    /// Is `client` one of our masters (the only clients RREPLAY is taken
    /// from)? The one place that asks; multi-master repoints it.
    pub fn active_is_master_client(&self, client: ClientId) -> bool {
        self.repl.is_master_client(client)
    }

    /// Is `client` the AOF replayer (our own envelopes are applied then)?
    pub(crate) fn active_is_replayer(&self, client: ClientId) -> bool {
        self.persist
            .loading
            .as_ref()
            .is_some_and(|l| l.replayer == Some(client))
    }

    /// Active replication's share of the cron, once a second: send our
    /// heartbeat to our replicas, then drop the tombstones every known node
    /// has gone past by `active-tombstone-grace` ([`Watermarks::floor`]).
    /// A node that knows no other keeps them all: a peer that joins later
    /// may still hold the deleted keys.
    pub(crate) fn active_cron(&mut self, now: crate::engine::Time) {
        if !self.active.enabled
            || self
                .active
                .last_collect_ms
                .is_some_and(|t| now.ms() < t.saturating_add(1000))
        {
            return;
        }
        self.active.last_collect_ms = Some(now.ms());
        self.active_heartbeat();
        if self.dbs.iter().any(|d| d.has_walks()) {
            // A snapshot is being written: its horizon (taken when it
            // began) must cover every tombstone it lacks.
            return;
        }
        let floor = self.active.marks.floor(self.active.hlc.last());
        let grace = self
            .config
            .get_u64("active-tombstone-grace")
            .unwrap_or(5000);
        let cut = Stamp(floor.0.saturating_sub(Stamp::from_ms(grace).0));
        if cut == Stamp::ZERO {
            return;
        }
        let mut dropped = 0;
        for d in &mut self.dbs {
            if let Some(st) = d.stamps.as_deref_mut() {
                dropped += st.collect(cut);
            }
        }
        if dropped > 0 {
            tracing::debug!("collected {dropped} tombstones at or below {cut:?}");
        }
    }

    /// Our heartbeat into the stream, for the replicas only (not the AOF:
    /// it is about this start).
    fn active_heartbeat(&mut self) {
        if self.repl.backlog.is_none() || !self.prop.enabled() {
            return;
        }
        let stamp = self.active_tick();
        let env = self.active_heartbeat_envelope(stamp);
        self.prop.push_repl_only(&env);
    }

    /// Our heartbeat (marks as of now, our own at `stamp`) as the envelope
    /// of our writer stamped `stamp`.
    pub(crate) fn active_heartbeat_envelope(&self, stamp: Stamp) -> Vec<u8> {
        let argv = self.active.marks.heartbeat(stamp).encode();
        self.active_envelope(0, &[argv], stamp)
    }

    /// A new stamp for a local effect.
    fn active_tick(&mut self) -> Stamp {
        let now = self.now;
        self.active.hlc.tick(now)
    }

    /// The version table of `db` (allocated when missing: active is on).
    fn active_table(&mut self, db: usize) -> Option<&mut DbStamps> {
        let d = self.dbs.get_mut(db)?;
        d.enable_stamps();
        d.stamps.as_deref_mut()
    }

    /// A key of `db` expired here: its tombstone is its own version (a key
    /// written again meanwhile keeps the newer write's version).
    pub(crate) fn active_expired(&mut self, db: usize, key: &Bytes) {
        let Some(d) = self.dbs.get_mut(db) else {
            return;
        };
        if d.keys.contains_key(key) {
            return;
        }
        if let Some(st) = d.stamps.as_deref_mut() {
            st.expired(key);
        }
    }

    /// The finished unit leaves as one envelope per command (module doc).
    pub(crate) fn active_flush_unit(&mut self) {
        for (db, argv) in self.prop.take_unit() {
            self.active_ship_local(db, argv);
        }
    }

    /// One local command: stamp, record versions, push its envelope(s).
    fn active_ship_local(&mut self, db: usize, argv: Vec<Bytes>) {
        let own = self.active.writer;
        match classify(&argv) {
            Plan::Control => {
                let stamp = self.active_tick();
                self.active_push(db, &[argv], stamp);
            }
            Plan::Whole(keys) => {
                let stamp = self.active_tick();
                let v = mvcc_version(&argv, own).unwrap_or(Version::new(stamp, own));
                self.active.hlc.observe(v.stamp);
                if let Some(st) = self.active_table(db) {
                    for k in &keys {
                        st.set_live(k, v);
                    }
                }
                self.active_push(db, &[argv], stamp);
            }
            Plan::Delete(keys) => {
                let stamp = self.active_tick();
                let v = mvcc_version(&argv, own).unwrap_or(Version::new(stamp, own));
                if let Some(st) = self.active_table(db) {
                    for k in &keys {
                        st.set_tomb(k, v);
                    }
                }
                self.active_push(db, &[argv], stamp);
            }
            Plan::FlushDb | Plan::FlushAll => {
                let stamp = self.active_tick();
                let v = mvcc_version(&argv, own).unwrap_or(Version::new(stamp, own));
                let all = matches!(classify(&argv), Plan::FlushAll);
                for d in 0..self.dbs.len() {
                    if all || d == db {
                        if let Some(st) = self.active_table(d) {
                            st.flush(v);
                        }
                    }
                }
                self.active_push(db, &[argv], stamp);
            }
            Plan::State => self.active_ship_state(db, argv),
        }
    }

    /// A state-dependent command: each written key's state, per database.
    fn active_ship_state(&mut self, db: usize, argv: Vec<Bytes>) {
        let keys = match self.active_written_keys(db, &argv) {
            Some(k) if !k.is_empty() => k,
            _ => {
                // No key to ship (SWAPDB, or a command whose keys cannot
                // be found): sent as written, replayed as KeyDB does.
                let stamp = self.active_tick();
                self.active_push(db, &[argv], stamp);
                return;
            }
        };
        let mut dbs: Vec<usize> = keys.iter().map(|(d, _)| *d).collect();
        dbs.dedup();
        dbs.sort_unstable();
        dbs.dedup();
        // The command's own database first.
        if let Some(i) = dbs.iter().position(|&d| d == db) {
            dbs[..=i].rotate_right(1);
        }
        let opts = crate::engine::commands::dump::save_options(self);
        for d in dbs {
            let stamp = self.active_tick();
            let v = Version::new(stamp, self.active.writer);
            let mut cmds = Vec::new();
            for (_, k) in keys.iter().filter(|(kd, _)| *kd == d) {
                cmds.push(self.active_state_of(d, k, v, stamp, &opts));
            }
            self.active_push(d, &cmds, stamp);
        }
    }

    /// The command that recreates `key`'s current state of `db` at `v`,
    /// recording that version (or the tombstone) as it goes.
    fn active_state_of(
        &mut self,
        db: usize,
        key: &Bytes,
        v: Version,
        stamp: Stamp,
        opts: &crate::persist::rdb::SaveOptions,
    ) -> Vec<Bytes> {
        let dump = self.dbs[db]
            .keys
            .get(key)
            .map(|e| crate::engine::commands::dump::dump_payload(&e.value, opts));
        let expire = self.dbs[db].expire_at(key);
        let st = self.active_table(db);
        match dump {
            Some(payload) => {
                if let Some(st) = st {
                    st.set_live(key, v);
                }
                let at = expire.map_or_else(|| "-1".to_string(), |ms| ms.to_string());
                vec![
                    Bytes::from_static(MVCCRESTORE.as_bytes()),
                    key.clone(),
                    Bytes::from(stamp.to_decimal()),
                    Bytes::from(at),
                    Bytes::from(payload),
                ]
            }
            None => {
                if let Some(st) = st {
                    st.set_tomb(key, v);
                }
                vec![Bytes::from_static(b"DEL"), key.clone()]
            }
        }
    }

    /// The keys (with their database) a propagated command wrote: its key
    /// specs' keys except read-only ones; MOVE and COPY ... DB also name
    /// the key in the target database. `None`: not found.
    pub(crate) fn active_written_keys(
        &self,
        db: usize,
        argv: &[Bytes],
    ) -> Option<Vec<(usize, Bytes)>> {
        let found = crate::engine::commands::command::keys_of(self, argv).ok()?;
        let mut out: Vec<(usize, Bytes)> = found
            .into_iter()
            .filter(|(_, flags)| !flags.contains(&"RO"))
            .filter_map(|(i, _)| argv.get(i).map(|k| (db, k.clone())))
            .collect();
        let name = argv.first()?;
        let parse_db = |b: &Bytes| {
            crate::resp::parse_i64(b)
                .and_then(|n| usize::try_from(n).ok())
                .filter(|&n| n < self.dbs.len())
        };
        if name.eq_ignore_ascii_case(b"move") && argv.len() == 3 {
            out.push((parse_db(&argv[2])?, argv[1].clone()));
        } else if name.eq_ignore_ascii_case(b"copy") {
            let at = argv
                .iter()
                .skip(3)
                .position(|a| a.eq_ignore_ascii_case(b"db"))
                .map(|p| p + 3);
            if let Some(i) = at {
                let target = parse_db(argv.get(i + 1)?)?;
                for k in out.iter_mut().filter(|(_, k)| *k == argv[2]) {
                    k.0 = target;
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        out.retain(|k| seen.insert(k.clone()));
        Some(out)
    }

    /// Write one envelope (our id, `stamp`) carrying `cmds` for `db`.
    fn active_push(&mut self, db: usize, cmds: &[Vec<Bytes>], stamp: Stamp) {
        if !self.prop.enabled() {
            return;
        }
        let env = self.active_envelope(db, cmds, stamp);
        self.prop.push_raw(&env);
    }

    /// The envelope of our writer carrying `cmds` for `db`, stamped `stamp`.
    fn active_envelope(&self, db: usize, cmds: &[Vec<Bytes>], stamp: Stamp) -> Vec<u8> {
        let mut payload = Vec::new();
        for c in cmds {
            encode(&mut payload, c);
        }
        let db = u32::try_from(db).unwrap_or(u32::MAX);
        envelope::encode(self.active.writer, &payload, db, stamp)
    }

    /// A full-sync merge took the tombstone of `key` in `db` at `v`: relay
    /// it to our own replicas as `KEYRS.MVCCDEL key <stamp> <origin>` in an
    /// envelope of ours.
    pub fn active_relay_delete(&mut self, db: usize, key: &Bytes, v: Version) {
        let cmd = vec![
            Bytes::from_static(MVCCDEL.as_bytes()),
            key.clone(),
            Bytes::from(v.stamp.to_decimal()),
            Bytes::copy_from_slice(&v.origin.to_text()),
        ];
        self.active_relay(db, cmd);
    }

    /// A full-sync merge took a flush tombstone of `db` at `v`: relayed as
    /// `KEYRS.MVCCFLUSHDB <stamp> <origin>`.
    pub fn active_relay_flush(&mut self, db: usize, v: Version) {
        let cmd = vec![
            Bytes::from_static(MVCCFLUSHDB.as_bytes()),
            Bytes::from(v.stamp.to_decimal()),
            Bytes::copy_from_slice(&v.origin.to_text()),
        ];
        self.active_relay(db, cmd);
    }

    /// One relayed command in an envelope of ours (a fresh stamp of ours
    /// for the envelope; the command carries the effect's own version).
    fn active_relay(&mut self, db: usize, cmd: Vec<Bytes>) {
        if !self.prop.enabled() {
            return;
        }
        let stamp = self.active_tick();
        self.active_push(db, &[cmd], stamp);
    }

    /// A full-sync merge took `key` of `db` at version `v` (not ours):
    /// relay its state to our own replicas as an envelope of ours carrying
    /// `KEYDB.MVCCRESTORE key <v.stamp> <expire> <DUMP> <v.origin>`, so
    /// they hold it at its true version.
    pub fn active_relay_key(&mut self, db: usize, key: &Bytes, v: Version) {
        if !self.prop.enabled() {
            return;
        }
        let opts = crate::engine::commands::dump::save_options(self);
        let Some(payload) = self
            .dbs
            .get(db)
            .and_then(|d| d.keys.get(key))
            .map(|e| crate::engine::commands::dump::dump_payload(&e.value, &opts))
        else {
            return;
        };
        let at = self.dbs[db]
            .expire_at(key)
            .map_or_else(|| "-1".to_string(), |ms| ms.to_string());
        let cmd = vec![
            Bytes::from_static(MVCCRESTORE.as_bytes()),
            key.clone(),
            Bytes::from(v.stamp.to_decimal()),
            Bytes::from(at),
            Bytes::from(payload),
            Bytes::copy_from_slice(&v.origin.to_text()),
        ];
        let stamp = self.active_tick();
        self.active_push(db, &[cmd], stamp);
    }
}
