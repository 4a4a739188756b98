//! RDB files on disk: the I/O half of SAVE, BGSAVE, DEBUG RELOAD, the
//! final save of SHUTDOWN/SIGTERM and loading at start.
//!
//! The decisions (when to save, what a result changes) are the engine's
//! (`keyrs_core::persist::state`); the bytes come from
//! `keyrs_core::persist::dataset`. Here: files, fsync, renames, threads and
//! Redis's log lines.
//!
//! - Foreground saves run under the engine lock ([`save_now`]).
//! - Background saves run on the saver thread ([`spawn_saver`]): it claims
//!   the job the engine started, then loops { lock, take a chunk of the
//!   point-in-time snapshot, unlock, encode, write } into a temp file,
//!   fsyncs it and renames it over `dbfilename` in `dir`. No fork, and the
//!   memory overhead is only the values written meanwhile.
//! - Loading at start streams the file in steps under the lock while the
//!   workers answer `-LOADING` ([`start_loading`]).
//!
//! Hooks for other storage (S3): [`Hooks::after_save`] runs after every
//! successful local save with the file's path (a failure fails the save, as
//! KeyDB's S3 upload does; the local file stays); [`Hooks::fetch_missing`]
//! runs at start when the local file is missing or unreadable and may put
//! one in place.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use keyrs_core::config::Config;
use keyrs_core::engine::{Effect, Engine, Outcome, Time};
use keyrs_core::persist::dataset::{self, DatasetLoader, DatasetWriter, LoadStep};
use keyrs_core::persist::state::{PersistRequest, SaveReason};
use keyrs_core::resp::Reply;

use crate::clock;
use crate::runtime::SharedEngine;

/// Called after a save put the file at the given path, with the current
/// configuration (e.g. upload it when `db-s3-object` is set). An error makes
/// the save count as failed (SAVE answers `-ERR`, BGSAVE reports an error).
/// Never called with the engine lock held by the caller's thread for a
/// background save; a foreground save (SAVE) holds it, so the hook must not
/// lock the engine.
pub type AfterSave = dyn Fn(&Path, &Config) -> Result<(), String> + Send + Sync;

/// Called at start when the file at the given path is missing or
/// unreadable: `Ok(true)` if it put a file there to load, `Ok(false)` if
/// there is nothing to fetch, `Err(reason)` if fetching failed — loading then
/// fails, so a server never starts empty and later overwrites the remote copy.
pub type FetchMissing = dyn Fn(&Path) -> Result<bool, String> + Send + Sync;

/// Extension points for other storage, installed once at start.
#[derive(Default, Clone)]
pub struct Hooks {
    /// After every successful save (foreground or background).
    pub after_save: Option<Arc<AfterSave>>,
    /// Before loading, when the local file is missing or unreadable.
    pub fetch_missing: Option<Arc<FetchMissing>>,
}

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hooks")
            .field("after_save", &self.after_save.is_some())
            .field("fetch_missing", &self.fetch_missing.is_some())
            .finish()
    }
}

static HOOKS: OnceLock<Hooks> = OnceLock::new();

/// Install the hooks (once, before serving); false if already installed.
pub fn set_hooks(hooks: Hooks) -> bool {
    HOOKS.set(hooks).is_ok()
}

fn hooks() -> Hooks {
    HOOKS.get().cloned().unwrap_or_default()
}

/// Bytes written to the file between buffer drains.
const WRITE_CHUNK: usize = 1 << 20;

/// Encoded bytes handed to the file at a time (small enough to stay in
/// cache, so the encoder's buffer never grows by copying much).
const ENCODE_CHUNK: usize = 64 * 1024;

/// Keys the saver takes per lock (a chunk is a few microseconds of work).
const SAVE_CHUNK_KEYS: usize = 1000;

/// Keys the loader applies per lock, so clients get `-LOADING` promptly.
const LOAD_STEP_KEYS: usize = 5000;

/// File bytes read per loader step.
const LOAD_READ_BYTES: usize = 1 << 20;

/// How often the saver thread looks for a job.
const SAVER_POLL: Duration = Duration::from_millis(10);

/// `dir`/`dbfilename`.
pub fn rdb_path(e: &Engine) -> PathBuf {
    dir_of(e).join(&e.config.dbfilename)
}

fn dir_of(e: &Engine) -> PathBuf {
    if e.config.dir.is_empty() {
        PathBuf::from(".")
    } else {
        PathBuf::from(&e.config.dir)
    }
}

/// The working directory, for Redis's log lines.
fn cwd() -> String {
    std::env::current_dir()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "unknown".into())
}

/// A temp file being written, removed unless renamed into place.
struct TempFile {
    path: PathBuf,
    name: String,
    out: io::BufWriter<File>,
    kept: bool,
}

impl TempFile {
    fn create(dir: &Path, name: String) -> io::Result<TempFile> {
        let path = dir.join(&name);
        match File::create(&path) {
            Ok(f) => Ok(TempFile {
                path,
                name,
                out: io::BufWriter::with_capacity(WRITE_CHUNK, f),
                kept: false,
            }),
            Err(e) => {
                tracing::warn!(
                    "Failed opening the temp RDB file {name} (in server root dir {}) for saving: {e}",
                    cwd()
                );
                Err(e)
            }
        }
    }

    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes).inspect_err(|e| {
            tracing::warn!("Write error saving DB on disk: {e}");
        })
    }

    /// Flush, fsync and rename over `dest`.
    fn commit(mut self, dest: &Path) -> io::Result<()> {
        let synced = self
            .out
            .flush()
            .and_then(|()| self.out.get_ref().sync_all());
        if let Err(e) = synced {
            tracing::warn!("Write error saving DB on disk: {e}");
            return Err(e);
        }
        if let Err(e) = fs::rename(&self.path, dest) {
            tracing::warn!(
                "Error moving temp DB file {} on the final destination {} (in server root dir {}): {e}",
                self.name,
                dest.display(),
                cwd()
            );
            return Err(e);
        }
        self.kept = true;
        // The rename is durable once the directory is synced too.
        if let Some(dir) = dest.parent() {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.kept {
            let _ = fs::remove_file(&self.path);
        }
    }
}

fn fg_temp_name() -> String {
    format!("temp-{}.rdb", std::process::id())
}

fn bg_temp_name() -> String {
    format!("temp-bg-{}.rdb", std::process::id())
}

/// Save the whole dataset now, under the lock (SAVE and friends). Logs as
/// Redis does; on success records it in the engine and runs the
/// after-save hook.
pub fn save_now(e: &mut Engine) -> io::Result<PathBuf> {
    let now = clock::now();
    let dest = rdb_path(e);
    // Redis counts every attempt (`rdb_saves`).
    e.persist.rdb_saves += 1;
    let mut tmp = TempFile::create(&dir_of(e), fg_temp_name())?;
    dataset::save_all(e, now, |b| tmp.write(b))?;
    tmp.commit(&dest)?;
    tracing::info!("DB saved on disk");
    if let Some(h) = hooks().after_save {
        h(&dest, &e.config).map_err(io::Error::other)?;
    }
    e.save_done(now);
    Ok(dest)
}

/// Carry out what the last command asked of the driver (SAVE, DEBUG
/// RELOAD, SHUTDOWN's save, FLUSHALL's save), adjusting its outcome. The
/// caller holds the engine lock and has not sent the reply yet.
pub fn after_command(e: &mut Engine, out: &mut Outcome) {
    if e.persist.requests.is_empty() {
        return;
    }
    for req in e.take_persist_requests() {
        match req {
            PersistRequest::Save => {
                if save_now(e).is_err() {
                    replace_reply(out, Reply::error("ERR"));
                }
            }
            PersistRequest::SaveQuietly => {
                // FLUSHALL keeps its change count for propagation (Redis).
                let dirty = e.stats.dirty;
                let _ = save_now(e);
                e.stats.dirty = dirty;
            }
            PersistRequest::Reload { save, flush } => {
                if let Err(reply) = reload(e, save, flush) {
                    replace_reply(out, reply);
                }
            }
            PersistRequest::Shutdown { save, force } => {
                if save {
                    tracing::info!("Saving the final RDB snapshot before exiting.");
                    if save_now(e).is_err() {
                        tracing::warn!("Error trying to save the DB, can't exit.");
                        if !force {
                            tracing::warn!(
                                "Errors trying to shut down the server. Check the logs for more information."
                            );
                            out.effects.retain(|x| *x != Effect::Shutdown);
                            out.reply =
                                Some(Reply::error("ERR Errors trying to SHUTDOWN. Check logs."));
                        }
                    }
                }
            }
        }
    }
}

/// Replace a reply that is going out (not one CLIENT REPLY silenced).
fn replace_reply(out: &mut Outcome, reply: Reply) {
    if out.reply.is_some() {
        out.reply = Some(reply);
    }
}

/// DEBUG RELOAD: save, empty, load back.
fn reload(e: &mut Engine, save: bool, flush: bool) -> Result<(), Reply> {
    if save && save_now(e).is_err() {
        return Err(Reply::error("ERR"));
    }
    let path = rdb_path(e);
    if flush {
        for db in &mut e.dbs {
            db.clear();
        }
    }
    let loaded = fs::read(&path)
        .map_err(|err| err.to_string())
        .and_then(|bytes| {
            dataset::load_all(e, &bytes, clock::now()).map_err(|err| err.to_string())
        });
    match loaded {
        Ok(_) => {
            tracing::warn!("DB reloaded by DEBUG RELOAD");
            Ok(())
        }
        Err(why) => {
            tracing::warn!("Error loading {}: {why}", path.display());
            Err(Reply::error(
                "ERR Error trying to load the RDB dump, check server logs.",
            ))
        }
    }
}

/// The final save on SIGTERM/SIGINT when `save` rules exist (Redis's
/// `prepareForShutdown`). False: saving failed, the server must stay up.
pub fn save_before_exit(engine: &SharedEngine) -> bool {
    let mut e = engine.lock();
    if e.config.save_params().is_empty() {
        return true;
    }
    tracing::info!("Saving the final RDB snapshot before exiting.");
    if save_now(&mut e).is_err() {
        tracing::warn!("Error trying to save the DB, can't exit.");
        return false;
    }
    true
}

/// Remove the saver's temp file (a background save cut short by exit).
pub fn remove_temp_files(engine: &SharedEngine) {
    let dir = dir_of(&engine.lock());
    let _ = fs::remove_file(dir.join(bg_temp_name()));
}

/// Start the saver thread: it runs every background save the engine
/// starts, until `stop` is set.
pub fn spawn_saver(engine: SharedEngine, stop: Arc<AtomicBool>) -> io::Result<()> {
    std::thread::Builder::new()
        .name("keyrs-saver".into())
        .spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                let job = engine.lock().bgsave_claim();
                match job {
                    Some(job) => run_bgsave(&engine, job),
                    None => std::thread::sleep(SAVER_POLL),
                }
            }
        })?;
    Ok(())
}

/// One background save, from claim to report.
fn run_bgsave(engine: &SharedEngine, job: keyrs_core::persist::state::BgSaveJob) {
    let started = Instant::now();
    match job.reason {
        SaveReason::Command | SaveReason::Rule { .. } => {
            tracing::info!("Background saving started");
        }
    }
    let result = match write_bgsave(engine, &job) {
        // The after-save hook (S3 upload) runs while the save still counts
        // as in progress, as in KeyDB's child, and its failure is the save's.
        Ok(Some(dest)) => after_save_unlocked(engine, &dest).map(|()| Some(dest)),
        other => other,
    };
    let mut e = engine.lock();
    if !e.bgsave_is(job.id) {
        // FLUSHALL (or SHUTDOWN) ended it: as Redis's killed child.
        tracing::warn!("Background saving terminated by signal 10");
        return;
    }
    let now = clock::now();
    match result {
        Ok(Some(_)) => {
            e.bgsave_done(true, now);
            drop(e);
            tracing::info!(
                "Background saving terminated with success ({} ms)",
                started.elapsed().as_millis()
            );
        }
        Ok(None) => {
            tracing::warn!("Background saving terminated by signal 10");
        }
        Err(_) => {
            e.bgsave_done(false, now);
            tracing::warn!("Background saving error");
        }
    }
}

/// Run the after-save hook for a background save, outside the lock (it may
/// upload for a long time) with a copy of the configuration.
fn after_save_unlocked(engine: &SharedEngine, dest: &Path) -> io::Result<()> {
    let Some(h) = hooks().after_save else {
        return Ok(());
    };
    let config = engine.lock().config.clone();
    h(dest, &config).map_err(io::Error::other)
}

/// Write the snapshot to a temp file and rename it into place. `Ok(None)`:
/// the save was abandoned meanwhile.
fn write_bgsave(
    engine: &SharedEngine,
    job: &keyrs_core::persist::state::BgSaveJob,
) -> io::Result<Option<PathBuf>> {
    let (mut w, mut tmp, dest) = {
        let e = engine.lock();
        let w = DatasetWriter::with_aux(
            &e,
            job.sizes.clone(),
            clock::now(),
            None,
            job.active.clone(),
        );
        let tmp = TempFile::create(&dir_of(&e), bg_temp_name())?;
        (w, tmp, rdb_path(&e))
    };
    let mut reported = 0u64;
    loop {
        let chunk = {
            let mut e = engine.lock();
            if !e.bgsave_is(job.id) {
                return Ok(None);
            }
            e.bgsave_progress(w.keys() - reported);
            reported = w.keys();
            e.snapshot_next(job.id, SAVE_CHUNK_KEYS)
        };
        let Some(items) = chunk else { break };
        // Encoding happens outside the lock: the items share their values
        // with the keyspace, which copies a container before changing it.
        w.add(&items);
        drop(items);
        if w.buffered() >= ENCODE_CHUNK {
            tmp.write(&w.take_output())?;
        }
    }
    tmp.write(&w.finish())?;
    // The rename happens under the lock, so a FLUSHALL that abandoned this
    // save (and wrote its own file) is never overwritten by it.
    let e = engine.lock();
    if !e.bgsave_is(job.id) {
        return Ok(None);
    }
    tmp.commit(&dest)?;
    drop(e);
    tracing::info!("DB saved on disk");
    Ok(Some(dest))
}

/// Why loading at start failed (the server must exit non-zero).
#[derive(Debug)]
pub struct LoadFailure(pub String);

/// Load `dir`/`dbfilename` at start, if there is one (the caller skips this
/// when the AOF is enabled: the AOF side loads instead). Marks the engine
/// as loading at once, then loads on a thread in steps under the lock, so
/// workers started meanwhile answer `-LOADING`. `on_failure` runs (on that
/// thread) when the file is corrupt; the server should log and exit.
pub fn start_loading(
    engine: &SharedEngine,
    on_failure: impl FnOnce(LoadFailure) + Send + 'static,
) -> io::Result<()> {
    let path = rdb_path(&engine.lock());
    let file = match File::open(&path) {
        Ok(f) => f,
        Err(err) => {
            let fetched = match hooks().fetch_missing.map(|h| h(&path)) {
                Some(Ok(fetched)) => fetched,
                Some(Err(why)) => {
                    on_failure(LoadFailure(format!(
                        "Fatal error loading the DB: {why}. Exiting."
                    )));
                    return Ok(());
                }
                None => false,
            };
            match File::open(&path) {
                Ok(f) if fetched => f,
                _ if err.kind() == io::ErrorKind::NotFound => return Ok(()),
                _ => {
                    on_failure(LoadFailure(format!(
                        "Fatal error loading the DB: {err}. Exiting."
                    )));
                    return Ok(());
                }
            }
        }
    };
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    engine.lock().loading_start(size, clock::now());
    let engine = Arc::clone(engine);
    std::thread::Builder::new()
        .name("keyrs-loader".into())
        .spawn(move || {
            let started = Instant::now();
            let result = match load_file(&engine, file) {
                Err(why) => retry_from_remote(&engine, &path, &why).unwrap_or(Err(why)),
                ok => ok,
            };
            match result {
                Ok(l) => {
                    let mut e = engine.lock();
                    e.loading_progress(l.consumed(), 0, 0);
                    e.loading_end();
                    drop(e);
                    tracing::info!(
                        "Done loading RDB, keys loaded: {}, keys expired: {}.",
                        l.loaded,
                        l.expired
                    );
                    tracing::info!(
                        "DB loaded from disk: {:.3} seconds",
                        started.elapsed().as_secs_f64()
                    );
                }
                Err(why) => {
                    engine.lock().loading_end();
                    on_failure(LoadFailure(why));
                }
            }
        })?;
    Ok(())
}

/// KeyDB: a local file that fails to load falls back to the remote copy.
/// `None` when there is none (no hook, or nothing stored): the local
/// failure stands. Otherwise the keyspace is emptied of what the bad file
/// put there and the fetched file is loaded in its place.
fn retry_from_remote(
    engine: &SharedEngine,
    path: &Path,
    why: &str,
) -> Option<Result<DatasetLoader, String>> {
    let h = hooks().fetch_missing?;
    match h(path) {
        Ok(true) => tracing::warn!("{why} Loading the remote copy instead."),
        Ok(false) => return None,
        Err(msg) => return Some(Err(format!("Fatal error loading the DB: {msg}. Exiting."))),
    }
    for db in &mut engine.lock().dbs {
        db.clear();
    }
    Some(
        File::open(path)
            .map_err(|err| format!("Fatal error loading the DB: {err}. Exiting."))
            .and_then(|file| load_file(engine, file)),
    )
}

/// Stream `file` into the engine.
fn load_file(engine: &SharedEngine, mut file: File) -> Result<DatasetLoader, String> {
    let mut loader = DatasetLoader::new(&mut engine.lock());
    let mut buf = vec![0u8; LOAD_READ_BYTES];
    let mut logged_header = false;
    let mut eof = false;
    loop {
        let mut e = engine.lock();
        let now = clock::now();
        let (before_loaded, before_expired) = (loader.loaded, loader.expired);
        let step = loader.step(&mut e, now, LOAD_STEP_KEYS);
        e.loading_progress(
            loader.consumed(),
            loader.loaded - before_loaded,
            loader.expired - before_expired,
        );
        drop(e);
        if !logged_header {
            if let Some(v) = &loader.info.producer_version {
                logged_header = true;
                log_file_info(&loader, v, now);
            }
        }
        match step {
            Ok(LoadStep::Done) => return Ok(loader),
            Ok(LoadStep::More) => {}
            Ok(LoadStep::NeedInput) if eof => {
                return Err(
                    "Short read or OOM loading DB. Unrecoverable error, aborting now.".into(),
                )
            }
            Ok(LoadStep::NeedInput) => {
                let n = read_some(&mut file, &mut buf)
                    .map_err(|err| format!("Fatal error loading the DB: {err}. Exiting."))?;
                if n == 0 {
                    eof = true;
                    loader.end_of_input();
                } else {
                    loader.feed(&buf[..n]);
                }
            }
            Err(err) => {
                return Err(format!(
                    "Internal error in RDB reading: {err}. Unrecoverable error, aborting now."
                ))
            }
        }
    }
}

fn read_some(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match file.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            r => return r,
        }
    }
}

/// Redis's lines about the file being loaded.
fn log_file_info(loader: &DatasetLoader, version: &str, now: Time) {
    tracing::info!("Loading RDB produced by version {version}");
    if let Some(ctime) = loader.info.ctime {
        let age = now.secs().saturating_sub(ctime);
        tracing::info!("RDB age {age} seconds");
    }
    if let Some(mem) = loader.info.used_mem {
        tracing::info!(
            "RDB memory usage when created {:.2} Mb",
            mem as f64 / (1024.0 * 1024.0)
        );
    }
}
