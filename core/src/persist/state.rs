//! The engine's persistence state and the decisions around it: when a
//! background save starts (BGSAVE, `save` rules), what a finished one
//! changes (LASTSAVE, the dirty counter, MISCONF), which commands are
//! refused while saving failed or the dataset is loading.
//!
//! The engine does no I/O: it starts a snapshot and records a job; the
//! driver's saver thread claims the job ([`Engine::bgsave_claim`]), walks the
//! snapshot in chunks under the lock, writes the file and reports back
//! ([`Engine::bgsave_done`]). Work that must happen while the caller waits
//! (SAVE, DEBUG RELOAD, SHUTDOWN's final save) is queued as a
//! [`PersistRequest`] the driver carries out right after the command, before
//! the reply leaves ([`Engine::take_persist_requests`]).

use super::snapshot::{SnapshotId, Snapshots};
use crate::engine::table::{flags, CommandSpec};
use crate::engine::{CmdName, Engine, Time};
use crate::resp::Reply;

/// Seconds a failed background save waits before `save` rules retry
/// (Redis's `CONFIG_BGSAVE_RETRY_DELAY`).
pub const BGSAVE_RETRY_DELAY_SECS: u64 = 5;

/// The error of write commands after a failed background save
/// (`stop-writes-on-bgsave-error`).
pub const MISCONF_ERROR: &str = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";

/// The error of commands not allowed while the dataset loads.
pub const LOADING_ERROR: &str = "LOADING Redis is loading the dataset in memory";

/// Why a background save started (for the driver's log line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveReason {
    /// BGSAVE (or a scheduled one).
    Command,
    /// A `save <seconds> <changes>` rule fired.
    Rule {
        /// The rule's changes.
        changes: u64,
        /// The rule's seconds.
        seconds: u64,
    },
}

/// A background save the engine started and the driver runs.
#[derive(Debug, Clone)]
pub struct BgSave {
    /// The snapshot to walk.
    pub id: SnapshotId,
    /// When it started.
    pub started: Time,
    /// `dirty` when it started: what a success leaves unsaved is the rest.
    pub dirty_at_start: u64,
    /// Keys in the snapshot (INFO `current_save_keys_total`).
    pub keys_total: u64,
    /// Keys written so far (INFO `current_save_keys_processed`).
    pub keys_processed: u64,
    /// Why it started.
    pub reason: SaveReason,
    /// Per database: (keys, keys with a TTL) at the start.
    pub sizes: Vec<(u64, u64)>,
    /// Active replication's file fields at the start.
    pub active: Option<super::dataset::ActiveAux>,
    /// The driver has taken it.
    pub claimed: bool,
}

/// What the driver needs to run a background save.
#[derive(Debug, Clone)]
pub struct BgSaveJob {
    /// The snapshot to walk with [`Engine::snapshot_next`].
    pub id: SnapshotId,
    /// Why it started.
    pub reason: SaveReason,
    /// Per database index: (keys, keys with a TTL) at the start, for the
    /// file's size hints.
    pub sizes: Vec<(u64, u64)>,
    /// Active replication's file fields, taken with the snapshot (pass
    /// them to `DatasetWriter::with_aux`).
    pub active: Option<super::dataset::ActiveAux>,
}

/// Work the driver must do right after a command, while its caller waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersistRequest {
    /// SAVE: write the dataset now. On failure the reply becomes `-ERR`.
    Save,
    /// FLUSHALL with `save` rules: write the (now empty) dataset; the reply
    /// does not depend on it.
    SaveQuietly,
    /// DEBUG RELOAD: save (unless `save` is false), empty the keyspace
    /// (unless `flush` is false) and load the file back.
    Reload {
        /// Save first.
        save: bool,
        /// Empty the databases before loading.
        flush: bool,
    },
    /// SHUTDOWN: save first if `save`; if that fails and not `force`, stay
    /// up and answer the error instead.
    Shutdown {
        /// Save before exiting.
        save: bool,
        /// Exit even if the save fails.
        force: bool,
    },
}

/// Loading progress (INFO `loading_*`).
#[derive(Debug, Clone, Default)]
pub struct Loading {
    /// Unix seconds when loading started.
    pub start_secs: u64,
    /// File size.
    pub total_bytes: u64,
    /// Bytes consumed so far.
    pub loaded_bytes: u64,
    /// Keys loaded so far.
    pub keys_loaded: u64,
    /// Keys skipped because they had expired.
    pub keys_expired: u64,
    /// The client replaying an append-only file into the keyspace (Redis's
    /// fake AOF client): the one client whose commands run while loading.
    pub replayer: Option<crate::engine::ClientId>,
}

/// Everything the engine knows about saving and loading.
#[derive(Debug)]
pub struct PersistState {
    /// Point-in-time snapshots in progress.
    pub snapshots: Snapshots,
    /// Unix seconds of the last successful save; `None`: never (the start
    /// time is reported, as Redis).
    pub last_save: Option<u64>,
    /// Did the last background save succeed (`rdb_last_bgsave_status`)?
    pub last_bgsave_ok: bool,
    /// Duration of the last background save, seconds (-1: none yet).
    pub last_bgsave_secs: i64,
    /// Unix seconds of the last background save attempt.
    pub last_bgsave_try: u64,
    /// Saves started (`rdb_saves`).
    pub rdb_saves: u64,
    /// The background save in progress.
    pub bgsave: Option<BgSave>,
    /// BGSAVE SCHEDULE (or one inside EXEC) is waiting for its turn.
    pub bgsave_scheduled: bool,
    /// Another background job (an AOF rewrite) runs: BGSAVE must wait
    /// (set by the AOF side).
    pub other_child_active: bool,
    /// Loading in progress.
    pub loading: Option<Loading>,
    /// Keys loaded / expired by the last load.
    pub last_load_keys: (u64, u64),
    /// Requests for the driver (see [`PersistRequest`]).
    pub requests: Vec<PersistRequest>,
}

impl Default for PersistState {
    fn default() -> Self {
        PersistState {
            snapshots: Snapshots::default(),
            last_save: None,
            last_bgsave_ok: true,
            last_bgsave_secs: -1,
            last_bgsave_try: 0,
            rdb_saves: 0,
            bgsave: None,
            bgsave_scheduled: false,
            other_child_active: false,
            loading: None,
            last_load_keys: (0, 0),
            requests: Vec::new(),
        }
    }
}

impl Engine {
    /// Unix seconds of the last successful save (LASTSAVE): the start time
    /// until the first save.
    pub fn last_save_secs(&self, now: Time) -> u64 {
        self.persist
            .last_save
            .unwrap_or_else(|| self.start_time.unwrap_or(now).secs())
    }

    /// Start a background save now: snapshot the keyspace and leave the job
    /// for the driver. The caller checked that none is running.
    pub fn bgsave_start(&mut self, reason: SaveReason, now: Time) {
        let sizes = super::dataset::DatasetWriter::sizes_of(self);
        let keys_total = sizes.iter().map(|s| s.0).sum();
        let active = super::dataset::ActiveAux::capture(self, true);
        let id = self.snapshot_begin();
        self.persist.rdb_saves += 1;
        self.persist.last_bgsave_try = now.secs();
        self.persist.bgsave = Some(BgSave {
            id,
            started: now,
            dirty_at_start: self.stats.dirty,
            keys_total,
            keys_processed: 0,
            reason,
            sizes,
            active,
            claimed: false,
        });
    }

    /// The driver's saver thread takes the background save to run, if one
    /// is waiting.
    pub fn bgsave_claim(&mut self) -> Option<BgSaveJob> {
        let job = self.persist.bgsave.as_mut().filter(|j| !j.claimed)?;
        job.claimed = true;
        Some(BgSaveJob {
            id: job.id,
            reason: job.reason,
            sizes: job.sizes.clone(),
            active: job.active.clone(),
        })
    }

    /// The saver wrote `n` more keys.
    pub fn bgsave_progress(&mut self, n: u64) {
        if let Some(job) = &mut self.persist.bgsave {
            job.keys_processed = job.keys_processed.saturating_add(n);
        }
    }

    /// The background save ended (`ok`: the file is in place). Returns its
    /// duration in seconds.
    pub fn bgsave_done(&mut self, ok: bool, now: Time) -> u64 {
        let Some(job) = self.persist.bgsave.take() else {
            return 0;
        };
        self.snapshot_end(job.id);
        let secs = now.secs().saturating_sub(job.started.secs());
        self.persist.last_bgsave_secs = i64::try_from(secs).unwrap_or(i64::MAX);
        self.persist.last_bgsave_ok = ok;
        if ok {
            self.stats.dirty = self.stats.dirty.saturating_sub(job.dirty_at_start);
            self.persist.last_save = Some(now.secs());
        }
        secs
    }

    /// Abandon the background save in progress without judging it (FLUSHALL
    /// kills it, as Redis kills its child): the saver sees
    /// [`Engine::bgsave_is`] turn false and drops its file.
    pub fn bgsave_abort(&mut self) {
        if let Some(job) = self.persist.bgsave.take() {
            self.snapshot_end(job.id);
        }
    }

    /// Is `id` still the background save in progress?
    pub fn bgsave_is(&self, id: SnapshotId) -> bool {
        self.persist.bgsave.as_ref().is_some_and(|j| j.id == id)
    }

    /// A foreground save (SAVE, SHUTDOWN, DEBUG RELOAD, FLUSHALL) succeeded.
    pub fn save_done(&mut self, now: Time) {
        self.stats.dirty = 0;
        self.persist.last_save = Some(now.secs());
        self.persist.last_bgsave_ok = true;
    }

    /// Is a background save running (or waiting for the driver)?
    pub fn bgsave_in_progress(&self) -> bool {
        self.persist.bgsave.is_some()
    }

    /// Queue work for the driver (see [`PersistRequest`]).
    pub fn request_persist(&mut self, req: PersistRequest) {
        self.persist.requests.push(req);
    }

    /// The driver takes the requests queued by the last command.
    pub fn take_persist_requests(&mut self) -> Vec<PersistRequest> {
        std::mem::take(&mut self.persist.requests)
    }

    /// Loading starts (the driver read the file's size): clients now get
    /// `-LOADING` for most commands.
    pub fn loading_start(&mut self, total_bytes: u64, now: Time) {
        self.persist.loading = Some(Loading {
            start_secs: now.secs(),
            total_bytes,
            ..Loading::default()
        });
    }

    /// Loading progress: `bytes` consumed so far, keys added and skipped.
    pub fn loading_progress(&mut self, bytes: u64, loaded: u64, expired: u64) {
        if let Some(l) = &mut self.persist.loading {
            l.loaded_bytes = bytes;
            l.keys_loaded = l.keys_loaded.saturating_add(loaded);
            l.keys_expired = l.keys_expired.saturating_add(expired);
        }
    }

    /// `client` replays the file being loaded: its commands are not
    /// refused with -LOADING.
    pub fn loading_replayer(&mut self, client: crate::engine::ClientId) {
        if let Some(l) = &mut self.persist.loading {
            l.replayer = Some(client);
        }
    }

    /// Loading ended (successfully or not): commands run again.
    pub fn loading_end(&mut self) {
        if let Some(l) = self.persist.loading.take() {
            self.persist.last_load_keys = (l.keys_loaded, l.keys_expired);
        }
    }

    /// Cron: start a scheduled background save or one a `save` rule asks
    /// for (Redis's `serverCron`).
    pub(crate) fn persist_cron(&mut self, now: Time) {
        if self.persist.bgsave.is_some()
            || self.persist.other_child_active
            || self.persist.loading.is_some()
        {
            return;
        }
        let may_retry = self.persist.last_bgsave_ok
            || now.secs().saturating_sub(self.persist.last_bgsave_try) > BGSAVE_RETRY_DELAY_SECS;
        if !may_retry {
            return;
        }
        if self.persist.bgsave_scheduled {
            self.persist.bgsave_scheduled = false;
            self.bgsave_start(SaveReason::Command, now);
            return;
        }
        let since = now.secs().saturating_sub(self.last_save_secs(now));
        let dirty = self.stats.dirty;
        for (seconds, changes) in self.config.save_params() {
            let (seconds, changes) = (seconds.max(0) as u64, changes.max(0) as u64);
            if dirty >= changes && since > seconds {
                tracing::info!("{changes} changes in {seconds} seconds. Saving...");
                self.bgsave_start(SaveReason::Rule { changes, seconds }, now);
                return;
            }
        }
    }

    /// Does the last failed background save forbid writes
    /// (`stop-writes-on-bgsave-error` with `save` rules set)?
    pub fn writes_denied_by_disk_error(&self) -> bool {
        !self.persist.last_bgsave_ok
            && self.config.get_bool("stop-writes-on-bgsave-error") != Some(false)
            && !self.config.save_params().is_empty()
    }

    /// Dispatch's persistence checks before running `spec` for `client`:
    /// MISCONF for writes (and PING, as Redis) after a failed save, LOADING
    /// for commands not allowed while loading. `None`: go ahead.
    pub(crate) fn persist_refusal(
        &self,
        client: crate::engine::ClientId,
        name: CmdName,
        spec: &CommandSpec,
    ) -> Option<Reply> {
        if let Some(l) = &self.persist.loading {
            if spec.flags & flags::LOADING == 0 && l.replayer != Some(client) {
                return Some(Reply::error(LOADING_ERROR));
            }
        }
        if self.writes_denied_by_disk_error() {
            let write = spec.flags & flags::WRITE != 0
                || name.parent == "ping"
                || (name.parent == "exec" && self.queued_writes(client));
            if write {
                return Some(Reply::error(MISCONF_ERROR));
            }
        }
        None
    }

    /// Does `client`'s MULTI queue hold a write command?
    fn queued_writes(&self, client: crate::engine::ClientId) -> bool {
        let Some(m) = self.multi.get(&client) else {
            return false;
        };
        m.queued.iter().any(|argv| {
            argv.first()
                .and_then(|n| self.table.get(n))
                .is_some_and(|s| s.flags & flags::WRITE != 0)
        })
    }
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
