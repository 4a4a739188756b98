//! The whole keyspace to and from an RDB file, as pure byte streams: the
//! driver only moves bytes between these and the disk.
//!
//! - [`DatasetWriter`]: turns snapshot chunks ([`SnapshotItem`]s, grouped by
//!   database as [`Engine::snapshot_next`] yields them) into RDB bytes with
//!   Redis's aux fields and per-database size hints.
//! - [`DatasetLoader`]: feeds file bytes to the RDB loader and applies what
//!   it reads to the engine a bounded number of keys at a time (so the
//!   driver can release the lock between steps and answer `-LOADING`),
//!   skipping keys that have already expired, as a Redis master does.

use super::rdb::file::{LoadEvent, RdbError, RdbLoader, RdbWriter, StandardAux};
use super::snapshot::SnapshotItem;
use crate::engine::commands::connection::REDIS_VERSION;
use crate::engine::commands::dump::{load_options, save_options};
use crate::engine::{Engine, Time};
use crate::repl::active::{rdbaux, NodeId, Stamp, Version};

/// Writes a dataset as an RDB file, chunk by chunk.
#[derive(Debug)]
pub struct DatasetWriter {
    w: RdbWriter,
    db: Option<usize>,
    sizes: Vec<(u64, u64)>,
    keys: u64,
    /// Active replication: each database's tombstones and flush
    /// tombstone as they were when the file began, not yet written.
    tombs: Vec<Option<DbTombs>>,
    /// Active replication: versions go before each key.
    active: bool,
}

/// What an active node's file says besides its keys, taken at the moment
/// its snapshot begins.
#[derive(Debug, Clone)]
pub struct ActiveAux {
    node: NodeId,
    /// The collection horizon.
    horizon: Stamp,
    /// `keyrs-marks`: the writer marks, ours at our clock (every write of
    /// ours so far is in the file). A restart or a merging peer takes them.
    marks: Vec<u8>,
    /// Where we are in each master's stream (KeyDB's `repl-masters`), so a
    /// restart continues with partial resyncs. Not in a full sync's file:
    /// those positions mean nothing to the receiver.
    positions: Option<String>,
    /// Each database's tombstones and flush tombstone.
    tombs: Vec<Option<DbTombs>>,
}

impl ActiveAux {
    /// Taken from `e` now (`None`: active replication is off). `own_file`:
    /// for our own restart (positions included), not a full sync.
    pub fn capture(e: &Engine, own_file: bool) -> Option<ActiveAux> {
        if !e.active.enabled {
            return None;
        }
        let horizon = e.active_horizon();
        let own = (e.active.writer, e.active.hlc.last());
        let marks = rdbaux::encode_marks(e.active.marks.marks().chain(std::iter::once(own)));
        let positions = Some(e.repl_positions_text()).filter(|p| own_file && !p.is_empty());
        let tombs = e
            .dbs
            .iter()
            .map(|d| {
                let st = d.stamps.as_deref()?;
                let list: Vec<_> = st.tomb_iter().map(|(k, v)| (k.clone(), *v)).collect();
                (!list.is_empty() || st.flushed().is_some()).then_some(DbTombs {
                    tombs: list,
                    flushed: st.flushed(),
                })
            })
            .collect();
        Some(ActiveAux {
            node: e.active.node,
            horizon,
            marks,
            positions,
            tombs,
        })
    }
}

/// One database's tombstones for the file (`keyrs-tomb`, `keyrs-flushed`).
#[derive(Debug, Clone)]
struct DbTombs {
    tombs: Vec<(bytes::Bytes, Version)>,
    flushed: Option<Version>,
}

impl DatasetWriter {
    /// A file with the engine's current settings (`rdbcompression`,
    /// `rdbchecksum`, list node sizes); `sizes` are the (keys, keys with a
    /// TTL) hints per database.
    pub fn new(e: &Engine, sizes: Vec<(u64, u64)>, now: Time) -> DatasetWriter {
        DatasetWriter::with_repl(e, sizes, now, None)
    }

    /// [`DatasetWriter::new`] with Redis's replication aux fields (a full
    /// sync tells the replica which database the stream has selected).
    pub fn with_repl(
        e: &Engine,
        sizes: Vec<(u64, u64)>,
        now: Time,
        repl: Option<super::rdb::file::ReplAux<'_>>,
    ) -> DatasetWriter {
        let active = ActiveAux::capture(e, repl.is_none());
        DatasetWriter::with_aux(e, sizes, now, repl, active)
    }

    /// [`DatasetWriter::with_repl`] with active replication's fields taken
    /// earlier, when the snapshot began (a background save claims its job
    /// later: what the file says must be of the keys' moment).
    pub fn with_aux(
        e: &Engine,
        sizes: Vec<(u64, u64)>,
        now: Time,
        repl: Option<super::rdb::file::ReplAux<'_>>,
        active: Option<ActiveAux>,
    ) -> DatasetWriter {
        DatasetWriter::build(e, sizes, now, repl, active, false)
    }

    /// The RDB preamble of an AOF base (`aof-base:1`) of an active node:
    /// versions, tombstones, marks and horizon as in its RDB files.
    pub fn for_aof_base(
        e: &Engine,
        sizes: Vec<(u64, u64)>,
        now: Time,
        active: Option<ActiveAux>,
    ) -> DatasetWriter {
        DatasetWriter::build(e, sizes, now, None, active, true)
    }

    fn build(
        e: &Engine,
        sizes: Vec<(u64, u64)>,
        now: Time,
        repl: Option<super::rdb::file::ReplAux<'_>>,
        active: Option<ActiveAux>,
        aof_base: bool,
    ) -> DatasetWriter {
        let checksum = e.config.get_bool("rdbchecksum").unwrap_or(true);
        let mut w = RdbWriter::with_save_options(save_options(e), checksum);
        w.standard_aux(&StandardAux {
            redis_ver: REDIS_VERSION,
            redis_bits: usize::BITS,
            ctime: i64::try_from(now.secs()).unwrap_or(i64::MAX),
            used_mem: e.host.used_memory,
            repl,
            aof_base,
        });
        let mut tombs = Vec::new();
        let is_active = active.is_some();
        if let Some(a) = active {
            // keyrs's own field: the writer's id (other loaders skip it).
            w.aux(
                crate::repl::active::node::RDB_AUX_FIELD.as_bytes(),
                &a.node.to_text(),
            );
            if a.horizon != Stamp::ZERO {
                w.aux(
                    rdbaux::HORIZON.as_bytes(),
                    a.horizon.to_decimal().as_bytes(),
                );
            }
            w.aux(rdbaux::MARKS.as_bytes(), &a.marks);
            if let Some(positions) = &a.positions {
                w.aux(b"repl-masters", positions.as_bytes());
            }
            tombs = a.tombs;
        }
        DatasetWriter {
            w,
            db: None,
            sizes,
            keys: 0,
            tombs,
            active: is_active,
        }
    }

    /// Write database `db`'s tombstones if not written yet (the current
    /// section must be `db`'s).
    fn write_tombs(&mut self, db: usize) {
        let Some(t) = self.tombs.get_mut(db).and_then(Option::take) else {
            return;
        };
        if let Some(v) = t.flushed {
            self.w
                .aux(rdbaux::FLUSHED.as_bytes(), &rdbaux::encode_version(v));
        }
        for (k, v) in &t.tombs {
            self.w
                .aux(rdbaux::TOMB.as_bytes(), &rdbaux::encode_tombstone(k, *v));
        }
    }

    /// The (keys, keys with a TTL) of each database now: the size hints for
    /// a save that runs under the lock.
    pub fn sizes_of(e: &Engine) -> Vec<(u64, u64)> {
        e.dbs
            .iter()
            .map(|d| (d.len() as u64, d.expires.len() as u64))
            .collect()
    }

    /// Add keys (consecutive items of one database share its section).
    pub fn add(&mut self, items: &[SnapshotItem]) {
        for it in items {
            if self.db != Some(it.db) {
                let (keys, expires) = self.sizes.get(it.db).copied().unwrap_or((0, 0));
                self.w.select_db(it.db, keys, expires);
                self.db = Some(it.db);
                self.write_tombs(it.db);
            }
            if let (true, Some(v)) = (self.active, it.version) {
                // KeyDB's field (KeyDB reads our stamps), then the origin.
                self.w.aux(
                    rdbaux::MVCC_TSTAMP.as_bytes(),
                    v.stamp.to_decimal().as_bytes(),
                );
                self.w.aux(rdbaux::ORIGIN.as_bytes(), &v.origin.to_text());
            }
            self.w.entry(&it.key, &it.value, it.expire_ms);
            self.keys += 1;
        }
    }

    /// Keys written so far.
    pub fn keys(&self) -> u64 {
        self.keys
    }

    /// Bytes buffered, waiting for [`DatasetWriter::take_output`].
    pub fn buffered(&self) -> usize {
        self.w.buffered()
    }

    /// Drain the bytes produced so far.
    pub fn take_output(&mut self) -> Vec<u8> {
        self.w.take_output()
    }

    /// End the file; the last bytes.
    pub fn finish(mut self) -> Vec<u8> {
        // Databases with tombstones but no key still get their section.
        for db in 0..self.tombs.len() {
            if self.tombs[db].is_some() {
                self.w.select_db(db, 0, 0);
                self.write_tombs(db);
            }
        }
        self.w.finish()
    }
}

/// Write every key of `e` now (the caller holds the engine: nothing changes
/// meanwhile) through `out`, a chunk at a time; `out` may fail (I/O).
pub fn save_all<E>(
    e: &mut Engine,
    now: Time,
    mut out: impl FnMut(&[u8]) -> Result<(), E>,
) -> Result<u64, E> {
    let mut w = DatasetWriter::new(e, DatasetWriter::sizes_of(e), now);
    let id = e.snapshot_begin();
    let mut result = Ok(());
    while let Some(items) = e.snapshot_next(id, 1024) {
        w.add(&items);
        if w.buffered() >= 64 * 1024 {
            result = out(&w.take_output());
            if result.is_err() {
                break;
            }
        }
    }
    e.snapshot_end(id);
    result?;
    let keys = w.keys();
    out(&w.finish())?;
    Ok(keys)
}

/// What a load step got to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadStep {
    /// Feed more bytes (or call [`DatasetLoader::end_of_input`]).
    NeedInput,
    /// The step's key budget is used up; call again.
    More,
    /// The file ended properly.
    Done,
}

/// Facts from the file's aux fields, for the log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileInfo {
    /// `redis-ver`: who wrote the file.
    pub producer_version: Option<String>,
    /// `ctime`: when (Unix seconds).
    pub ctime: Option<u64>,
    /// `used-mem`: memory in use when it was written.
    pub used_mem: Option<u64>,
    /// `repl-stream-db`: the database a master's stream has selected.
    pub repl_stream_db: Option<i64>,
    /// `keyrs-uuid`: the id of the node that wrote the file.
    pub node_id: Option<NodeId>,
}

/// Loads an RDB file into the engine.
#[derive(Debug)]
pub struct DatasetLoader {
    loader: RdbLoader,
    /// Keys added.
    pub loaded: u64,
    /// Keys skipped because they had expired.
    pub expired: u64,
    /// What the aux fields said.
    pub info: FileInfo,
    /// A full-sync merge (active replication): the origin of versions the
    /// file does not name (a KeyDB peer's), and merge rather than replace.
    merge: Option<NodeId>,
    /// `keyrs-origin` read for the next key.
    pending_origin: Option<NodeId>,
    /// The database the file is in.
    cur_db: usize,
    /// Keys or tombstones a merge took from the file.
    pub merged: u64,
    /// `keyrs-horizon`: the writer's collection horizon.
    horizon: Stamp,
    /// `keyrs-marks`: the writer's marks, taken once the file is in.
    marks: Vec<(NodeId, Stamp)>,
    /// A merge under a horizon: the keys the file named, per database
    /// (live or tombstone), to find ours it has dropped.
    named: Vec<std::collections::HashSet<bytes::Bytes>>,
}

impl DatasetLoader {
    /// A loader with the engine's encoding settings and database count.
    pub fn new(e: &mut Engine) -> DatasetLoader {
        let mut loader = RdbLoader::with_options(load_options(e));
        loader.limit_databases(e.dbs.len());
        DatasetLoader {
            loader,
            loaded: 0,
            expired: 0,
            info: FileInfo::default(),
            merge: None,
            pending_origin: None,
            cur_db: 0,
            merged: 0,
            horizon: Stamp::ZERO,
            marks: Vec::new(),
            named: Vec::new(),
        }
    }

    /// A loader for an active replica's full sync from `peer`: nothing is
    /// flushed; each key of the file is taken only if its version beats
    /// what we hold (ties to the higher origin id), its tombstones and
    /// flush tombstones apply the same way, and every key taken is relayed
    /// into our own stream as an RREPLAY'd `KEYDB.MVCCRESTORE` at its own
    /// version (so our replicas get it). Keys without a version (a file
    /// from a node without active replication) have stamp 0 and lose to
    /// any stamped state; a key without `keyrs-origin` is `peer`'s.
    pub fn new_merge(e: &mut Engine, peer: NodeId) -> DatasetLoader {
        let mut l = DatasetLoader::new(e);
        l.merge = Some(peer);
        for d in &mut e.dbs {
            d.enable_stamps();
        }
        l
    }

    /// Is this a merging loader?
    pub fn merging(&self) -> bool {
        self.merge.is_some()
    }

    /// More file bytes.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.loader.feed(bytes);
    }

    /// The whole file was fed.
    pub fn end_of_input(&mut self) {
        self.loader.end_of_input();
    }

    /// Bytes of the file consumed so far.
    pub fn consumed(&self) -> u64 {
        self.loader.consumed()
    }

    /// Apply up to `max_keys` keys to `e`. Keys already expired at `now` are
    /// skipped; a key already present is replaced.
    pub fn step(
        &mut self,
        e: &mut Engine,
        now: Time,
        max_keys: usize,
    ) -> Result<LoadStep, RdbError> {
        let mut n = 0usize;
        while n < max_keys {
            let Some(event) = self.loader.next_event()? else {
                return Ok(LoadStep::NeedInput);
            };
            match event {
                LoadEvent::Aux { key, value } => {
                    let text = String::from_utf8_lossy(&value).into_owned();
                    match &key[..] {
                        b"redis-ver" => self.info.producer_version = Some(text),
                        b"ctime" => self.info.ctime = text.parse().ok(),
                        b"used-mem" => self.info.used_mem = text.parse().ok(),
                        b"repl-stream-db" => self.info.repl_stream_db = text.parse().ok(),
                        b"keyrs-uuid" => self.info.node_id = NodeId::parse(&value).ok(),
                        // Our own file's positions in our masters' streams
                        // (never a peer's: a merge is a peer's file).
                        b"repl-masters" if self.merge.is_none() => {
                            e.repl_restore_positions(&text);
                        }
                        b"keyrs-origin" => self.pending_origin = NodeId::parse(&value).ok(),
                        b"keyrs-tomb" => match rdbaux::parse_tombstone(&value) {
                            Ok((k, v)) => self.tombstone(e, &k, v),
                            Err(err) => tracing::warn!("Ignoring a damaged keyrs-tomb: {}", err.0),
                        },
                        b"keyrs-horizon" => self.horizon = Stamp::parse(&value).unwrap_or_default(),
                        b"keyrs-marks" => match rdbaux::parse_marks(&value) {
                            Ok(m) => self.marks = m,
                            Err(err) => tracing::warn!("Ignoring damaged keyrs-marks: {}", err.0),
                        },
                        b"keyrs-flushed" => match rdbaux::parse_version(&value) {
                            Ok(v) => self.flushed(e, v),
                            Err(err) => {
                                tracing::warn!("Ignoring a damaged keyrs-flushed: {}", err.0)
                            }
                        },
                        _ => {}
                    }
                }
                LoadEvent::Entry {
                    db,
                    key,
                    value,
                    expire_ms,
                } => {
                    n += 1;
                    let origin = self.pending_origin.take();
                    if e.active.enabled || self.merge.is_some() {
                        let mvcc = self.loader.entry_meta().mvcc;
                        self.active_entry(e, db, key, value, expire_ms, mvcc, origin, now);
                        continue;
                    }
                    // A replica keeps them: its master's DELs remove them
                    // (Redis skips expired keys on masters only).
                    if e.repl.master.is_none() && expire_ms.is_some_and(|at| at < now.ms()) {
                        self.expired += 1;
                        continue;
                    }
                    let Some(d) = e.dbs.get_mut(db) else {
                        continue;
                    };
                    d.set(key.clone(), value, now);
                    if let Some(at) = expire_ms {
                        d.set_expire(&key, at);
                    }
                    self.loaded += 1;
                }
                LoadEvent::End => {
                    self.finish_active(e);
                    return Ok(LoadStep::Done);
                }
                LoadEvent::SelectDb(d) => self.cur_db = d,
                LoadEvent::ResizeDb { .. } => {}
                LoadEvent::SubkeyExpire { key, .. } => {
                    tracing::warn!(
                        "Ignoring a member expiry of key '{}': keyrs keeps TTLs per key only",
                        String::from_utf8_lossy(&key)
                    );
                }
            }
        }
        Ok(LoadStep::More)
    }

    /// A key read by an active replica: loaded with its version (our own
    /// file), or merged against ours (a full sync). Expired keys are not
    /// loaded; their state's version becomes a tombstone.
    #[allow(clippy::too_many_arguments)]
    fn active_entry(
        &mut self,
        e: &mut Engine,
        db: usize,
        key: bytes::Bytes,
        value: crate::engine::value::Value,
        expire_ms: Option<u64>,
        mvcc: Option<u64>,
        origin: Option<NodeId>,
        now: Time,
    ) {
        let Some(d) = e.dbs.get_mut(db) else {
            return;
        };
        d.enable_stamps();
        let stamp = Stamp(mvcc.unwrap_or(0));
        let stamped = stamp != Stamp::ZERO;
        let v = Version::new(stamp, origin.or(self.merge).unwrap_or(NodeId::NIL));
        e.active.hlc.observe(stamp);
        let expired = expire_ms.is_some_and(|at| at < now.ms());
        if self.merge.is_none() {
            // Our own file: the state and its version as they were.
            if expired {
                self.expired += 1;
                if let (true, Some(st)) = (stamped, e.dbs[db].stamps.as_deref_mut()) {
                    st.set_tomb(&key, v);
                }
                return;
            }
            let d = &mut e.dbs[db];
            d.set(key.clone(), value, now);
            if let Some(at) = expire_ms {
                d.set_expire(&key, at);
            }
            if let (true, Some(st)) = (stamped, d.stamps.as_deref_mut()) {
                st.set_live(&key, v);
            }
            self.loaded += 1;
            return;
        }
        let own = e.active.node;
        self.name(db, &key);
        let d = &mut e.dbs[db];
        let exists = d.keys.contains_key(&key);
        let Some(st) = d.stamps.as_deref_mut() else {
            return;
        };
        // A key we hold without a version (written before active mode)
        // counts as stamp 0 of ours, so two unstamped copies resolve the
        // same way on both sides (the higher node id wins).
        let unstamped = exists && st.known(&key).is_none();
        if st.decide(&key, v) == crate::repl::active::Decision::Skip
            || (unstamped && Version::new(Stamp::ZERO, own) >= v)
        {
            return;
        }
        self.merged += 1;
        if expired {
            // The file's state is gone: a delete at its version.
            self.expired += 1;
            st.set_tomb(&key, v);
            if d.remove(&key).is_some() {
                e.signal_modified(db, &key);
            }
            if stamped {
                e.active_relay_delete(db, &key, v);
            }
            return;
        }
        st.set_live(&key, v);
        d.set(key.clone(), value, now);
        if let Some(at) = expire_ms {
            d.set_expire(&key, at);
        }
        self.loaded += 1;
        e.signal_modified(db, &key);
        // An unstamped key is not relayed: a stamp-0 MVCCRESTORE would
        // take the envelope's version on arrival.
        if stamped {
            e.active_relay_key(db, &key, v);
        }
    }

    /// The current database, its version table allocated and `v`'s stamp
    /// taken into our clock (every version the file brings goes there).
    fn versioned_db(&self, e: &mut Engine, v: Version) -> Option<usize> {
        let db = self.cur_db;
        e.dbs.get_mut(db)?.enable_stamps();
        e.active.hlc.observe(v.stamp);
        Some(db)
    }

    /// A `keyrs-tomb` record of the current database.
    fn tombstone(&mut self, e: &mut Engine, key: &[u8], v: Version) {
        let Some(db) = self.versioned_db(e, v) else {
            return;
        };
        let d = &mut e.dbs[db];
        let Some(st) = d.stamps.as_deref_mut() else {
            return;
        };
        if self.merge.is_none() {
            st.set_tomb(key, v);
            return;
        }
        let named = bytes::Bytes::copy_from_slice(key);
        self.name(db, &named);
        let d = &mut e.dbs[db];
        let Some(st) = d.stamps.as_deref_mut() else {
            return;
        };
        if st.delete(key, v) == crate::repl::active::Decision::Apply {
            self.merged += 1;
            if d.remove(key).is_some() {
                e.signal_modified(db, key);
            }
            e.active_relay_delete(db, &bytes::Bytes::copy_from_slice(key), v);
        }
    }

    /// A `keyrs-flushed` record of the current database.
    fn flushed(&mut self, e: &mut Engine, v: Version) {
        let Some(db) = self.versioned_db(e, v) else {
            return;
        };
        let d = &mut e.dbs[db];
        let Some(st) = d.stamps.as_deref_mut() else {
            return;
        };
        if self.merge.is_none() {
            st.load_flushed(v);
            return;
        }
        let (decision, survivors) = st.flush(v);
        if decision == crate::repl::active::Decision::Skip {
            return;
        }
        self.merged += 1;
        let doomed: Vec<bytes::Bytes> = d
            .keys
            .iter()
            .map(|(k, _)| k.to_bytes())
            .filter(|k| !survivors.contains(k))
            .collect();
        for k in doomed {
            e.dbs[db].remove(&k);
            e.signal_modified(db, &k);
        }
        e.active_relay_flush(db, v);
    }
}

impl DatasetLoader {
    /// A merge under a horizon notes each key the file names.
    fn name(&mut self, db: usize, key: &bytes::Bytes) {
        if self.merge.is_none() || self.horizon == Stamp::ZERO {
            return;
        }
        if self.named.len() <= db {
            self.named.resize_with(db + 1, Default::default);
        }
        self.named[db].insert(key.clone());
    }

    /// The file is in: take its writer's marks and horizon. Every effect
    /// of a writer up to its mark is in the file (or was beaten by what is),
    /// so it is now here too. A merged file's horizon also says that every
    /// key of ours stamped at or below it and absent from the file was
    /// deleted, its tombstone collected (the writer had every effect at or
    /// below its horizon, ours included): such keys go here too (a node
    /// restarted from an old file catches up this way), relayed to our
    /// replicas as deletes at the horizon.
    fn finish_active(&mut self, e: &mut Engine) {
        if !e.active.enabled && self.merge.is_none() {
            return;
        }
        for (w, s) in std::mem::take(&mut self.marks) {
            e.active.marks.record(w, s);
        }
        let h = self.horizon;
        if h == Stamp::ZERO {
            return;
        }
        if self.merge.is_some() {
            let at = Version::new(h, NodeId::from_bytes([0xff; 16]));
            for db in 0..e.dbs.len() {
                let named = self.named.get(db);
                let Some(st) = e.dbs[db].stamps.as_deref() else {
                    continue;
                };
                let gone: Vec<bytes::Bytes> = st
                    .live_iter()
                    .filter(|(k, v)| {
                        v.stamp != Stamp::ZERO
                            && v.stamp <= h
                            && !named.is_some_and(|n| n.contains(*k))
                    })
                    .map(|(k, _)| k.clone())
                    .collect();
                for k in gone {
                    if let Some(st) = e.dbs[db].stamps.as_deref_mut() {
                        st.forget(&k);
                    }
                    self.merged += 1;
                    if e.dbs[db].remove(&k).is_some() {
                        e.signal_modified(db, &k);
                    }
                    e.active_relay_delete(db, &k, at);
                }
            }
        }
        for d in &mut e.dbs {
            d.enable_stamps();
            if let Some(st) = d.stamps.as_deref_mut() {
                st.raise_horizon(h);
            }
        }
    }
}

/// Load a whole file held in memory into `e` (DEBUG RELOAD, tests).
pub fn load_all(e: &mut Engine, bytes: &[u8], now: Time) -> Result<DatasetLoader, RdbError> {
    let mut l = DatasetLoader::new(e);
    l.feed(bytes);
    l.end_of_input();
    loop {
        match l.step(e, now, usize::MAX)? {
            LoadStep::Done => return Ok(l),
            LoadStep::More => {}
            LoadStep::NeedInput => {
                // end_of_input was given: the loader reports truncation as
                // an error rather than asking again; never loop on it.
                return Err(RdbError::new(
                    l.consumed(),
                    super::rdb::file::ErrorKind::Truncated,
                ));
            }
        }
    }
}

/// The whole dataset as one RDB file in memory (tests, small saves).
pub fn save_to_vec(e: &mut Engine, now: Time) -> Vec<u8> {
    let mut out = Vec::new();
    let r: Result<u64, std::convert::Infallible> = save_all(e, now, |b| {
        out.extend_from_slice(b);
        Ok(())
    });
    let _ = r;
    out
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;
    use crate::config::Config;
    use crate::engine::{ConnInfo, ServerInfo};

    fn engine() -> (Engine, crate::engine::ClientId, Time) {
        let mut e = Engine::new(Config::default(), ServerInfo::default(), 1);
        let now = Time::from_ms(1_700_000_000_000);
        let c = e.connect(ConnInfo::default(), now).expect("connect");
        (e, c, now)
    }

    fn run(e: &mut Engine, c: crate::engine::ClientId, now: Time, args: &[&str]) {
        let argv: Vec<Bytes> = args
            .iter()
            .map(|a| Bytes::copy_from_slice(a.as_bytes()))
            .collect();
        e.execute(c, &argv, now);
    }

    #[test]
    fn save_then_load_restores_every_type_and_ttl() {
        let (mut e, c, now) = engine();
        run(&mut e, c, now, &["SET", "s", "hello"]);
        run(&mut e, c, now, &["SET", "n", "12345"]);
        run(&mut e, c, now, &["RPUSH", "l", "a", "b", "c"]);
        run(&mut e, c, now, &["HSET", "h", "f", "v"]);
        run(&mut e, c, now, &["SADD", "st", "x", "1"]);
        run(&mut e, c, now, &["ZADD", "z", "1.5", "m"]);
        run(&mut e, c, now, &["XADD", "x", "1-1", "f", "v"]);
        run(&mut e, c, now, &["PEXPIRE", "s", "100000"]);
        run(&mut e, c, now, &["SELECT", "5"]);
        run(&mut e, c, now, &["SET", "other", "db"]);
        run(&mut e, c, now, &["SET", "gone", "soon", "PX", "10"]);
        let bytes = save_to_vec(&mut e, now);
        let later = Time::from_ms(now.ms() + 1000);
        let (mut f, _, _) = engine();
        let l = load_all(&mut f, &bytes, later).expect("load");
        assert_eq!(l.loaded, 8);
        assert_eq!(l.expired, 1);
        assert_eq!(l.info.producer_version.as_deref(), Some(REDIS_VERSION));
        for (d, (a, b)) in e.dbs.iter().zip(f.dbs.iter()).enumerate() {
            for (k, entry) in a.keys.iter() {
                if &k[..] == b"gone" {
                    assert!(b.keys.get(k).is_none());
                    continue;
                }
                let got = b.keys.get(k).unwrap_or_else(|| panic!("{d}:{k:?} lost"));
                assert_eq!(got.value, entry.value);
                assert_eq!(b.expire_at(k), a.expire_at(k));
            }
        }
    }

    #[test]
    fn truncated_and_corrupt_files_are_errors() {
        let (mut e, c, now) = engine();
        for i in 0..100 {
            run(&mut e, c, now, &["SET", &format!("k{i}"), "v"]);
        }
        let bytes = save_to_vec(&mut e, now);
        for cut in [0, 5, 9, bytes.len() / 2, bytes.len() - 1] {
            let (mut f, _, _) = engine();
            assert!(
                load_all(&mut f, &bytes[..cut], now).is_err(),
                "cut at {cut}"
            );
        }
        let mut bad = bytes.clone();
        let mid = bad.len() / 2;
        bad[mid] ^= 0x55;
        let (mut f, _, _) = engine();
        assert!(load_all(&mut f, &bad, now).is_err());
    }
}
