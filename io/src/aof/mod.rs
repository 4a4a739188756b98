//! The append-only file, as Redis 7.0 keeps it: a directory
//! (`appenddirname`) holding a base file, incr files and a manifest naming
//! them ([`manifest`]).
//!
//! Writing: the engine records every write in its propagation stream; at
//! the end of each batch, still under the engine lock, the worker moves
//! that stream into [`Aof`]'s buffer ([`Aof::after_batch`]), so the buffer
//! holds writes in the engine's execution order across threads. After the
//! lock is released and before any reply of the batch is written, the
//! worker calls [`Aof::flush`]: the buffer goes to the incr file, and with
//! `appendfsync always` it is fsynced first, so no acknowledged write can
//! be lost. Any worker whose batch follows another's writes flushes too
//! (the buffer is shared), so even a read that saw a write is not answered
//! before that write is on disk. `everysec` fsyncs from a background
//! thread once a second; `no` leaves it to the OS.
//!
//! Rewriting (BGREWRITEAOF, auto rewrite, `CONFIG SET appendonly yes`):
//! under the engine lock the current incr file is closed, a new one opened
//! and listed in the manifest, and a point-in-time snapshot begun; a
//! background thread walks the snapshot (taking the lock only per chunk)
//! into a new base file (RDB with `aof-use-rdb-preamble yes`, else
//! commands), then swaps in a manifest naming the new base and the incr
//! files opened since, and deletes the old files.
//!
//! Loading at start is [`load`].

pub mod load;
pub mod manifest;

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use keyrs_core::config::Config;
use keyrs_core::engine::commands::dump::dump_payload;
use keyrs_core::engine::propagate::encode;
use keyrs_core::engine::value::Value;
use keyrs_core::engine::{Engine, Time};
use keyrs_core::persist::dataset::{ActiveAux, DatasetWriter};
use keyrs_core::persist::rdb::file::{RdbOptions, RdbWriter};
use keyrs_core::persist::rdb::SaveOptions;
use parking_lot::Mutex;

use crate::clock;
use crate::runtime::SharedEngine;
use manifest::{base_name, incr_name, manifest_name, AofFile, Manifest};

/// `appendfsync`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fsync {
    /// After every batch, before its replies.
    Always,
    /// Once a second, from a background thread.
    EverySec,
    /// Never explicitly.
    No,
}

/// The AOF options, read from the configuration.
#[derive(Debug, Clone)]
pub struct AofSettings {
    /// `appendonly`.
    pub enabled: bool,
    /// `dir`/`appenddirname`.
    pub dir: PathBuf,
    /// `appendfilename`.
    pub filename: String,
    /// `appendfsync`.
    pub fsync: Fsync,
    /// `aof-load-truncated`.
    pub load_truncated: bool,
    /// `aof-use-rdb-preamble`.
    pub rdb_preamble: bool,
    /// `auto-aof-rewrite-percentage` (0: off).
    pub auto_percentage: u64,
    /// `auto-aof-rewrite-min-size`, bytes.
    pub auto_min_size: u64,
    /// `aof-timestamp-enabled`: a `#TS:<unix seconds>` annotation line goes
    /// before the first write of each new second (Redis 7.0's format).
    pub timestamps: bool,
}

impl AofSettings {
    /// The settings `cfg` holds now.
    pub fn from_config(cfg: &Config) -> AofSettings {
        let dirname = cfg
            .get("appenddirname")
            .unwrap_or_else(|| "appendonlydir".into());
        let fsync = match cfg.get("appendfsync").as_deref() {
            Some("always") => Fsync::Always,
            Some("no") => Fsync::No,
            _ => Fsync::EverySec,
        };
        AofSettings {
            enabled: cfg.get_bool("appendonly").unwrap_or(false),
            dir: Path::new(&cfg.dir).join(dirname),
            filename: cfg
                .get("appendfilename")
                .unwrap_or_else(|| "appendonly.aof".into()),
            fsync,
            load_truncated: cfg.get_bool("aof-load-truncated").unwrap_or(true),
            rdb_preamble: cfg.get_bool("aof-use-rdb-preamble").unwrap_or(true),
            auto_percentage: cfg.get_u64("auto-aof-rewrite-percentage").unwrap_or(100),
            auto_min_size: cfg.get_u64("auto-aof-rewrite-min-size").unwrap_or(64 << 20),
            timestamps: cfg.get_bool("aof-timestamp-enabled").unwrap_or(false),
        }
    }
}

/// The open AOF.
#[derive(Debug)]
struct Active {
    /// The incr file being appended to.
    file: File,
    /// What the manifest on disk says (or will say once the first rewrite
    /// finishes, while `manifest_pending`).
    manifest: Manifest,
    /// No manifest is on disk yet (the first rewrite writes it).
    manifest_pending: bool,
    /// Stream bytes not yet written.
    buf: Vec<u8>,
    /// Written but not yet fsynced.
    unsynced: bool,
    /// Base plus incr files, bytes.
    total_size: u64,
    /// Size after the last rewrite or load (auto rewrite grows from it).
    base_size: u64,
    /// Incr files from this seq on were opened after the running rewrite's
    /// snapshot began (`None`: no rewrite runs).
    rewrite_from_seq: Option<u64>,
    /// A failed write is retried; reported as `aof_last_write_status`.
    write_failed: bool,
}

#[derive(Debug)]
struct State {
    settings: AofSettings,
    active: Option<Active>,
    /// The second of the last `#TS` annotation written.
    last_ts: u64,
}

/// The AOF writer shared by the workers.
#[derive(Debug)]
pub struct Aof {
    state: Mutex<State>,
    /// Something was appended and not yet written and (with `always`)
    /// fsynced: the worker about to reply must flush first.
    pending: AtomicBool,
    /// `appendfsync always`, readable without the lock.
    always: AtomicBool,
    /// Stop the fsync thread.
    stopping: AtomicBool,
}

impl Aof {
    /// An AOF writer with `settings`, not open yet ([`Aof::open`]).
    pub fn new(settings: AofSettings) -> Arc<Aof> {
        let always = settings.fsync == Fsync::Always;
        Arc::new(Aof {
            state: Mutex::new(State {
                settings,
                active: None,
                last_ts: 0,
            }),
            pending: AtomicBool::new(false),
            always: AtomicBool::new(always),
            stopping: AtomicBool::new(false),
        })
    }

    /// The settings in use.
    pub fn settings(&self) -> AofSettings {
        self.state.lock().settings.clone()
    }

    /// Start appending after a load at start-up. With the manifest of an
    /// existing AOF the last incr file is reopened; without one (a fresh
    /// start) a first base is written synchronously from the keyspace, as
    /// Redis 7.0 creates `<name>.1.base.rdb` and `<name>.1.incr.aof`.
    pub fn open(
        self: &Arc<Self>,
        engine: &SharedEngine,
        loaded: Option<(Manifest, u64, u64)>,
    ) -> io::Result<()> {
        let dir = self.state.lock().settings.dir.clone();
        fs::create_dir_all(&dir)?;
        match loaded {
            Some((mut manifest, base_size, total_size)) => {
                let filename = self.state.lock().settings.filename.clone();
                if manifest.incrs.is_empty() {
                    let seq = 1.max(manifest.base_seq());
                    manifest.incrs.push(AofFile {
                        name: incr_name(&filename, seq),
                        seq,
                    });
                    write_manifest(&dir, &filename, &manifest)?;
                }
                let last = manifest
                    .incrs
                    .last()
                    .map(|f| f.name.clone())
                    .unwrap_or_default();
                let file = OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(dir.join(&last))?;
                // Old history files a crash left behind.
                for h in std::mem::take(&mut manifest.history) {
                    let _ = fs::remove_file(dir.join(&h.name));
                }
                {
                    let mut st = self.state.lock();
                    st.active = Some(Active {
                        file,
                        manifest,
                        manifest_pending: false,
                        buf: Vec::new(),
                        unsynced: false,
                        total_size,
                        base_size: total_size.max(base_size),
                        rewrite_from_seq: None,
                        write_failed: false,
                    });
                }
                let mut e = engine.lock();
                e.prop.set_enabled(true);
                self.publish_status(&mut e);
                Ok(())
            }
            None => {
                let id = {
                    let mut e = engine.lock();
                    self.start_rewrite(&mut e)?
                };
                self.run_rewrite(engine, id)?;
                // Creating the first base at start is not a background
                // rewrite for INFO (Redis 7.0 does it synchronously).
                let mut e = engine.lock();
                e.aof.rewrites = 0;
                e.aof.last_rewrite_time_sec = -1;
                Ok(())
            }
        }
    }

    /// Under the engine lock, at the end of a batch (and of a tick):
    /// take the propagation stream, react to CONFIG SET appendonly and
    /// BGREWRITEAOF, start an auto rewrite, refresh INFO's figures.
    pub fn after_batch(self: &Arc<Self>, engine: &mut Engine, shared: &SharedEngine, tick: bool) {
        if engine.prop.pending() > 0 {
            let bytes = engine.take_propagated();
            let mut st = self.state.lock();
            let st = &mut *st;
            if let Some(a) = st.active.as_mut() {
                if st.settings.timestamps {
                    let secs = clock::now().secs();
                    if secs > st.last_ts {
                        a.buf
                            .extend_from_slice(format!("#TS:{secs}\r\n").as_bytes());
                        st.last_ts = secs;
                    }
                }
                a.buf.extend_from_slice(&bytes);
                self.pending.store(true, Ordering::Release);
            }
        }
        if tick {
            self.follow_config(engine, shared);
        }
        if engine.aof.rewrite_requested && !engine.aof.rewrite_in_progress {
            engine.aof.rewrite_requested = false;
            if self.state.lock().active.is_some() {
                self.spawn_rewrite(engine, shared);
            }
        }
        if tick {
            self.publish_status(engine);
        }
    }

    /// CONFIG SET appendonly / appendfsync / auto-rewrite options, and the
    /// auto rewrite check (from the cron).
    fn follow_config(self: &Arc<Self>, engine: &mut Engine, shared: &SharedEngine) {
        let new = AofSettings::from_config(&engine.config);
        let (was_on, auto) = {
            let mut st = self.state.lock();
            let was_on = st.settings.enabled;
            st.settings.fsync = new.fsync;
            st.settings.load_truncated = new.load_truncated;
            st.settings.rdb_preamble = new.rdb_preamble;
            st.settings.auto_percentage = new.auto_percentage;
            st.settings.auto_min_size = new.auto_min_size;
            st.settings.timestamps = new.timestamps;
            st.settings.enabled = new.enabled;
            self.always
                .store(new.fsync == Fsync::Always, Ordering::Release);
            let auto = st.active.as_ref().is_some_and(|a| {
                a.rewrite_from_seq.is_none()
                    && new.auto_percentage > 0
                    && a.total_size > new.auto_min_size
                    && a.base_size > 0
                    && (a.total_size - a.base_size).saturating_mul(100) / a.base_size
                        >= new.auto_percentage
            });
            (was_on, auto)
        };
        if new.enabled && !was_on {
            // CONFIG SET appendonly yes: start with a rewrite, as Redis.
            tracing::info!("Background append only file rewriting started");
            self.spawn_rewrite(engine, shared);
        } else if !new.enabled && was_on {
            self.flush();
            self.state.lock().active = None;
            // Replication may still need the stream.
            let keep = engine.repl_wants_stream();
            engine.prop.set_enabled(keep);
            engine.aof.enabled = false;
        } else if auto && !engine.aof.rewrite_in_progress {
            tracing::info!("Starting automatic rewriting of AOF");
            self.spawn_rewrite(engine, shared);
        }
    }

    /// Copy the writer's figures into the engine for INFO.
    fn publish_status(&self, engine: &mut Engine) {
        let st = self.state.lock();
        match &st.active {
            Some(a) => {
                engine.aof.enabled = true;
                engine.aof.current_size = a.total_size;
                engine.aof.base_size = a.base_size;
                engine.aof.buffer_length = a.buf.len() as u64;
                engine.aof.last_write_failed = a.write_failed;
            }
            None => engine.aof.enabled = false,
        }
    }

    /// Write what the batches appended; with `always`, fsync it too.
    /// Called before replies are written, outside the engine lock.
    pub fn flush(&self) {
        if !self.pending.load(Ordering::Acquire) {
            return;
        }
        let mut st = self.state.lock();
        let always = self.always.load(Ordering::Acquire);
        if let Some(a) = st.active.as_mut() {
            write_buf(a);
            if always && a.write_failed {
                // Replies must not acknowledge what is not on disk.
                tracing::warn!("Can't persist AOF for write error when the AOF fsync policy is 'always'. Exiting...");
                std::process::exit(1);
            }
            if always && a.unsynced && !a.write_failed {
                match a.file.sync_data() {
                    Ok(()) => a.unsynced = false,
                    Err(e) => {
                        tracing::warn!("Can't persist AOF for fsync error when the AOF fsync policy is 'always': {e}. Exiting...");
                        std::process::exit(1);
                    }
                }
            }
            if a.buf.is_empty() && (!always || !a.unsynced) {
                self.pending.store(false, Ordering::Release);
            }
        } else {
            self.pending.store(false, Ordering::Release);
        }
    }

    /// The `everysec` thread: fsync once a second while anything is unsynced.
    pub fn spawn_fsync_thread(self: &Arc<Self>) -> io::Result<()> {
        let me = Arc::clone(self);
        std::thread::Builder::new()
            .name("keyrs-aof-fsync".into())
            .spawn(move || {
                while !me.stopping.load(Ordering::Acquire) {
                    std::thread::sleep(Duration::from_millis(1000));
                    // The fsync runs outside the lock (on a second handle
                    // of the file), so batches never wait for the disk.
                    let to_sync = {
                        let mut st = me.state.lock();
                        let fsync = st.settings.fsync;
                        match st.active.as_mut() {
                            Some(a) if fsync != Fsync::Always => {
                                write_buf(a);
                                if fsync == Fsync::EverySec && a.unsynced {
                                    a.unsynced = false;
                                    a.file.try_clone().ok()
                                } else {
                                    None
                                }
                            }
                            _ => None,
                        }
                    };
                    if let Some(f) = to_sync {
                        if let Err(e) = f.sync_data() {
                            tracing::warn!("AOF fsync failed: {e}");
                        }
                    }
                }
            })?;
        Ok(())
    }

    /// Shutdown: write and fsync everything.
    pub fn shutdown(&self) {
        self.stopping.store(true, Ordering::Release);
        let mut st = self.state.lock();
        if let Some(a) = st.active.as_mut() {
            write_buf(a);
            if let Err(e) = a.file.sync_all() {
                tracing::warn!("AOF fsync at shutdown failed: {e}");
            }
        }
    }

    /// Start a rewrite from a worker: begin it under the lock, run it on
    /// a thread of its own.
    fn spawn_rewrite(self: &Arc<Self>, engine: &mut Engine, shared: &SharedEngine) {
        let id = match self.start_rewrite(engine) {
            Ok(id) => id,
            Err(e) => {
                tracing::warn!("Can't rewrite append only file in background: {e}");
                engine.aof.last_rewrite_ok = false;
                engine.aof.rewrites_consecutive_failures += 1;
                return;
            }
        };
        let snapshot = id.snapshot;
        let me = Arc::clone(self);
        let shared = Arc::clone(shared);
        let spawned = std::thread::Builder::new()
            .name("keyrs-aof-rewrite".into())
            .spawn(move || {
                if let Err(e) = me.run_rewrite(&shared, id) {
                    tracing::warn!("Background AOF rewrite failed: {e}");
                }
            });
        if let Err(e) = spawned {
            tracing::warn!("Can't start the AOF rewrite thread: {e}");
            engine.snapshot_end(snapshot);
            engine.aof.rewrite_in_progress = false;
        }
    }

    /// Under the engine lock: switch appends to a new incr file, record it,
    /// and begin the snapshot the new base is written from.
    fn start_rewrite(&self, engine: &mut Engine) -> io::Result<RewriteId> {
        // Everything up to here belongs to the old incr file.
        if engine.prop.pending() > 0 {
            let bytes = engine.take_propagated();
            if let Some(a) = self.state.lock().active.as_mut() {
                a.buf.extend_from_slice(&bytes);
            }
        }
        let mut st = self.state.lock();
        let settings = st.settings.clone();
        fs::create_dir_all(&settings.dir)?;
        let (mut manifest, pending) = match st.active.as_mut() {
            Some(a) => {
                write_buf(a);
                a.file.sync_data()?;
                (a.manifest.clone(), a.manifest_pending)
            }
            // Turned on at runtime: a manifest left from an earlier run
            // only continues the numbering; it is replaced (and its files
            // deleted) when the new base is done, as Redis 7.0 does.
            None => {
                let on_disk =
                    fs::read_to_string(settings.dir.join(manifest_name(&settings.filename)))
                        .ok()
                        .and_then(|t| Manifest::parse(&t).ok())
                        .unwrap_or_default();
                (on_disk, true)
            }
        };
        let seq = manifest.last_incr_seq() + 1;
        let name = incr_name(&settings.filename, seq);
        let file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .open(settings.dir.join(&name))?;
        manifest.incrs.push(AofFile { name, seq });
        if !pending {
            write_manifest(&settings.dir, &settings.filename, &manifest)?;
        }
        let (total, base) = st
            .active
            .as_ref()
            .map_or((0, 0), |a| (a.total_size, a.base_size));
        st.active = Some(Active {
            file,
            manifest,
            manifest_pending: pending,
            buf: Vec::new(),
            unsynced: false,
            total_size: total,
            base_size: base,
            rewrite_from_seq: Some(seq),
            write_failed: false,
        });
        drop(st);
        // The new incr file starts with a SELECT.
        engine.prop.set_enabled(true);
        engine.prop.reset_db();
        engine.aof.rewrite_in_progress = true;
        engine.aof.rewrite_started = Some(engine.now);
        let active = ActiveAux::capture(engine, true);
        let sizes = DatasetWriter::sizes_of(engine);
        let snapshot = engine.snapshot_begin();
        Ok(RewriteId {
            snapshot,
            started: Instant::now(),
            now: engine.now,
            active,
            sizes,
        })
    }

    /// Write the base from the snapshot (taking the engine lock per
    /// chunk), then swap the manifest and delete the replaced files.
    fn run_rewrite(&self, engine: &SharedEngine, id: RewriteId) -> io::Result<()> {
        let settings = self.state.lock().settings.clone();
        let result = write_base(engine, &settings, &id);
        {
            let mut e = engine.lock();
            e.snapshot_end(id.snapshot);
        }
        let outcome =
            result.and_then(|(tmp, base_size)| self.install_base(&settings, &tmp, base_size));
        let mut e = engine.lock();
        e.aof.rewrite_in_progress = false;
        e.aof.rewrite_started = None;
        match &outcome {
            Ok(()) => {
                e.aof.rewrites += 1;
                e.aof.last_rewrite_ok = true;
                e.aof.rewrites_consecutive_failures = 0;
                e.aof.last_rewrite_time_sec = id.started.elapsed().as_secs() as i64;
                tracing::info!("Background AOF rewrite finished successfully");
            }
            Err(_) => {
                e.aof.last_rewrite_ok = false;
                e.aof.rewrites_consecutive_failures += 1;
                if let Some(a) = self.state.lock().active.as_mut() {
                    a.rewrite_from_seq = None;
                }
            }
        }
        self.publish_status(&mut e);
        outcome
    }

    /// Rename the new base into place, write the new manifest, delete the
    /// old base and the incr files it covers.
    fn install_base(&self, settings: &AofSettings, tmp: &Path, base_size: u64) -> io::Result<()> {
        let mut st = self.state.lock();
        let Some(a) = st.active.as_mut() else {
            // AOF turned off meanwhile.
            let _ = fs::remove_file(tmp);
            return Ok(());
        };
        let from = a.rewrite_from_seq.unwrap_or(0);
        let seq = a.manifest.base_seq() + 1;
        let name = base_name(&settings.filename, seq, settings.rdb_preamble);
        fs::rename(tmp, settings.dir.join(&name))?;
        let mut old: Vec<AofFile> = a.manifest.base.take().into_iter().collect();
        let (keep, gone): (Vec<AofFile>, Vec<AofFile>) =
            a.manifest.incrs.drain(..).partition(|f| f.seq >= from);
        old.extend(gone);
        a.manifest.incrs = keep;
        a.manifest.base = Some(AofFile { name, seq });
        write_manifest(&settings.dir, &settings.filename, &a.manifest)?;
        a.manifest_pending = false;
        a.rewrite_from_seq = None;
        let incr_bytes: u64 = a
            .manifest
            .incrs
            .iter()
            .filter_map(|f| fs::metadata(settings.dir.join(&f.name)).ok())
            .map(|m| m.len())
            .sum::<u64>()
            + a.buf.len() as u64;
        a.total_size = base_size + incr_bytes;
        a.base_size = a.total_size;
        for f in old {
            if let Err(e) = fs::remove_file(settings.dir.join(&f.name)) {
                tracing::warn!("Can't remove the old AOF file {}: {e}", f.name);
            }
        }
        Ok(())
    }
}

/// A rewrite begun under the lock.
#[derive(Debug, Clone)]
struct RewriteId {
    snapshot: keyrs_core::persist::snapshot::SnapshotId,
    started: Instant,
    now: Time,
    /// Active replication's file fields at the snapshot's start (an active
    /// node's base is always an RDB preamble that carries them).
    active: Option<ActiveAux>,
    /// (keys, keys with a TTL) per database at the start.
    sizes: Vec<(u64, u64)>,
}

/// Append the buffer to the incr file; a failure keeps the bytes for the
/// next try.
fn write_buf(a: &mut Active) {
    if a.buf.is_empty() {
        return;
    }
    match a.file.write_all(&a.buf) {
        Ok(()) => {
            a.total_size += a.buf.len() as u64;
            a.buf.clear();
            a.unsynced = true;
            a.write_failed = false;
        }
        Err(e) => {
            if !a.write_failed {
                tracing::warn!("Error writing to the AOF file: {e}");
            }
            a.write_failed = true;
        }
    }
}

/// Write `manifest` atomically: a temporary file, fsync, rename, fsync
/// of the directory.
fn write_manifest(dir: &Path, filename: &str, manifest: &Manifest) -> io::Result<()> {
    let name = manifest_name(filename);
    crate::atomic_file::replace(
        &dir.join(&name),
        &dir.join(format!("temp-{name}")),
        manifest.render().as_bytes(),
    )
}

/// Walk the snapshot into a temporary base file; returns its path and size.
fn write_base(
    engine: &SharedEngine,
    settings: &AofSettings,
    id: &RewriteId,
) -> io::Result<(PathBuf, u64)> {
    if id.active.is_some() {
        return write_active_base(engine, settings, id);
    }
    let (tmp, mut file) = create_base_temp(settings)?;
    let mut size = 0u64;
    let (save_opts, compression) = {
        let e = engine.lock();
        let c = e.config.get_bool("rdbcompression").unwrap_or(true);
        (SaveOptions::default(), c)
    };
    let mut rdb = settings.rdb_preamble.then(|| {
        let mut w = RdbWriter::new(RdbOptions {
            compression,
            checksum: true,
        });
        w.aux(b"redis-ver", b"7.0.15");
        w.aux(b"redis-bits", b"64");
        w.aux(b"ctime", id.now.secs().to_string().as_bytes());
        w.aux(b"aof-base", b"1");
        w
    });
    let mut db_now: Option<usize> = None;
    let mut cmds = Vec::new();
    if rdb.is_none() && settings.timestamps {
        // A commands base starts with the rewrite's time, as Redis's.
        cmds.extend_from_slice(format!("#TS:{}\r\n", id.now.secs()).as_bytes());
    }
    loop {
        let chunk = engine.lock().snapshot_next(id.snapshot, 256);
        let Some(items) = chunk else { break };
        for item in items {
            match rdb.as_mut() {
                Some(w) => {
                    if db_now != Some(item.db) {
                        w.select_db(item.db, 0, 0);
                        db_now = Some(item.db);
                    }
                    w.entry(&item.key, &item.value, item.expire_ms);
                }
                None => {
                    if db_now != Some(item.db) {
                        encode(
                            &mut cmds,
                            &[b"SELECT".as_slice(), item.db.to_string().as_bytes()],
                        );
                        db_now = Some(item.db);
                    }
                    value_commands(&mut cmds, &item.key, &item.value, &save_opts);
                    if let Some(at) = item.expire_ms {
                        encode(
                            &mut cmds,
                            &[
                                b"PEXPIREAT".as_slice(),
                                &item.key,
                                at.to_string().as_bytes(),
                            ],
                        );
                    }
                }
            }
        }
        let out = match rdb.as_mut() {
            Some(w) => w.take_output(),
            None => std::mem::take(&mut cmds),
        };
        size += out.len() as u64;
        file.write_all(&out)?;
    }
    if let Some(w) = rdb {
        let out = w.finish();
        size += out.len() as u64;
        file.write_all(&out)?;
    }
    sync_base(file)?;
    Ok((tmp, size))
}

/// The temp file a rewrite writes its base to (renamed into place once
/// complete), buffered.
fn create_base_temp(settings: &AofSettings) -> io::Result<(PathBuf, io::BufWriter<File>)> {
    let tmp = settings
        .dir
        .join(format!("temp-rewriteaof-bg-{}.aof", std::process::id()));
    let file = io::BufWriter::new(File::create(&tmp)?);
    Ok((tmp, file))
}

/// Flush the base's buffer and sync it to disk before it replaces the old.
fn sync_base(file: io::BufWriter<File>) -> io::Result<()> {
    let f = file.into_inner().map_err(|e| e.into_error())?;
    f.sync_all()
}

/// An active node's base: always an RDB preamble, written as its RDB files
/// are (versions before each key, tombstones, marks, horizon), so a restart
/// from the AOF keeps what conflict resolution and tombstone collection
/// need (a commands base, or a plain preamble, would leave every key
/// unstamped).
fn write_active_base(
    engine: &SharedEngine,
    settings: &AofSettings,
    id: &RewriteId,
) -> io::Result<(PathBuf, u64)> {
    let (tmp, mut file) = create_base_temp(settings)?;
    let mut size = 0u64;
    let mut w = {
        let e = engine.lock();
        DatasetWriter::for_aof_base(&e, id.sizes.clone(), id.now, id.active.clone())
    };
    loop {
        let chunk = engine.lock().snapshot_next(id.snapshot, 256);
        let Some(items) = chunk else { break };
        w.add(&items);
        let out = w.take_output();
        size += out.len() as u64;
        file.write_all(&out)?;
    }
    let out = w.finish();
    size += out.len() as u64;
    file.write_all(&out)?;
    sync_base(file)?;
    Ok((tmp, size))
}

/// The command(s) that recreate `value` at `key` in a commands base:
/// strings as SET, every other type as RESTORE of its DUMP payload (one
/// command per key, exact encodings, stream groups included).
fn value_commands(out: &mut Vec<u8>, key: &Bytes, value: &Value, opts: &SaveOptions) {
    match value {
        Value::Str(s) => encode(out, &[b"SET".as_slice(), key, &s.to_bytes()]),
        other => {
            let payload = dump_payload(other, opts);
            encode(out, &[b"RESTORE".as_slice(), key, b"0", &payload]);
        }
    }
}

/// Load the AOF named by the settings at start-up, on a thread of its own,
/// while the server already answers: clients get -LOADING (INFO shows the
/// progress) until the files are replayed and appending has started
/// ([`Aof::open`]). `on_failure` gets the reason a load or the open failed
/// (the server then exits, as Redis does).
pub fn start_loading(
    engine: &SharedEngine,
    aof: &Arc<Aof>,
    on_failure: impl FnOnce(String) + Send + 'static,
) -> io::Result<()> {
    let settings = aof.settings();
    let size = load::total_size(&settings.dir, &settings.filename);
    engine.lock().loading_start(size, clock::now());
    let engine = Arc::clone(engine);
    let aof = Arc::clone(aof);
    std::thread::Builder::new()
        .name("keyrs-aof-loader".into())
        .spawn(move || {
            let started = Instant::now();
            let result = load::load(
                &*engine,
                &settings.dir,
                &settings.filename,
                settings.load_truncated,
                clock::now(),
            );
            let failure = match result {
                Ok(l) => {
                    let loaded = l.manifest.map(|m| (m, l.base_size, l.total_size));
                    if loaded.is_some() {
                        tracing::info!(
                            "DB loaded from append only file: {:.3} seconds ({} commands)",
                            started.elapsed().as_secs_f64(),
                            l.commands
                        );
                    }
                    // Appending starts before clients may write.
                    aof.open(&engine, loaded)
                        .err()
                        .map(|e| format!("Can't open the append-only file: {e}"))
                }
                Err(why) => Some(why),
            };
            engine.lock().loading_end();
            if let Some(why) = failure {
                on_failure(why);
            }
        })
        .map(drop)
}
