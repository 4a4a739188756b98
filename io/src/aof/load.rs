//! Loading the AOF at start: the manifest, the base (an RDB preamble or
//! commands), then every incr file, replayed through the engine by a
//! client of its own, as Redis's fake client.
//!
//! A command cut short at the end of the last file is a truncation: with
//! `aof-load-truncated yes` it is logged and the file truncated to the last
//! whole command (before an unfinished MULTI), as Redis 7.0 does;
//! otherwise loading fails with Redis's advice. Bytes that are not a
//! multibulk command, or truncation of a file that is not the last, fail
//! with a clear message. Nothing here panics on file content.

use std::fs::{self, OpenOptions};
use std::ops::DerefMut;
use std::path::Path;

use bytes::BytesMut;
use keyrs_core::engine::{ConnInfo, Engine, Time};
use keyrs_core::persist::dataset::{DatasetLoader, LoadStep};
use keyrs_core::persist::rdb::file::{LoadEvent, RdbLoader};
use keyrs_core::resp::{ParserLimits, Reply, RequestParser};

use super::manifest::{manifest_name, Manifest};
use crate::fastlock::{FastLock, FastLockGuard};

/// Commands replayed per hold of the engine lock when loading behind the
/// shared lock: between holds, clients get their -LOADING replies.
const COMMANDS_PER_LOCK: u64 = 512;

/// How the loader reaches the engine: owned outright, or through the
/// shared lock, taken afresh every [`COMMANDS_PER_LOCK`] commands (the
/// guard is dropped between), so the server answers while it loads.
pub trait Access {
    /// What [`Access::engine`] hands out.
    type Guard<'a>: DerefMut<Target = Engine>
    where
        Self: 'a;
    /// The engine, for a while.
    fn engine(&mut self) -> Self::Guard<'_>;
}

impl Access for &mut Engine {
    type Guard<'a>
        = &'a mut Engine
    where
        Self: 'a;
    fn engine(&mut self) -> &mut Engine {
        self
    }
}

impl Access for &FastLock<Engine> {
    type Guard<'a>
        = FastLockGuard<'a, Engine>
    where
        Self: 'a;
    fn engine(&mut self) -> FastLockGuard<'_, Engine> {
        self.lock()
    }
}

/// The total size of the files the manifest in `dir` lists (0 without a
/// manifest): the loading progress's denominator.
pub fn total_size(dir: &Path, filename: &str) -> u64 {
    let Ok(text) = fs::read_to_string(dir.join(manifest_name(filename))) else {
        return 0;
    };
    let Ok(manifest) = Manifest::parse(&text) else {
        return 0;
    };
    manifest
        .base
        .iter()
        .map(|b| &b.name)
        .chain(manifest.incrs.iter().map(|i| &i.name))
        .filter_map(|name| fs::metadata(dir.join(name)).ok())
        .map(|m| m.len())
        .sum()
}

/// What a successful load found.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The manifest, or `None` when there was no AOF to load.
    pub manifest: Option<Manifest>,
    /// Bytes of the base file.
    pub base_size: u64,
    /// Bytes of base and incr files together.
    pub total_size: u64,
    /// Keys loaded from the base RDB plus commands replayed.
    pub commands: u64,
}

/// Read the manifest in `dir` and replay its files into `engine`.
/// `Ok(Loaded{manifest: None, ..})` when the directory holds no manifest.
pub fn load<A: Access>(
    engine: A,
    dir: &Path,
    filename: &str,
    load_truncated: bool,
    now: Time,
) -> Result<Loaded, String> {
    let mpath = dir.join(manifest_name(filename));
    let text = match fs::read_to_string(&mpath) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Loaded::default()),
        Err(e) => {
            return Err(format!(
                "Can't open the AOF manifest {}: {e}",
                mpath.display()
            ))
        }
    };
    let manifest = Manifest::parse(&text)?;
    let mut loaded = Loaded::default();
    let mut replay = Replay::new(engine, now);
    let files: Vec<(String, bool)> = manifest
        .base
        .iter()
        .map(|b| (b.name.clone(), true))
        .chain(manifest.incrs.iter().map(|i| (i.name.clone(), false)))
        .collect();
    let last = files.len().saturating_sub(1);
    let result = (|| {
        for (i, (name, is_base)) in files.iter().enumerate() {
            let path = dir.join(name);
            let data = match fs::read(&path) {
                Ok(d) => d,
                // Redis 7.0 tolerates a missing empty incr file only when it is
                // the last; any other missing file is fatal.
                Err(e) => {
                    return Err(format!(
                        "The AOF file {name} doesn't exist or can't be opened: {e}"
                    ))
                }
            };
            let size = data.len() as u64;
            if *is_base {
                loaded.base_size = size;
            }
            loaded.total_size += size;
            replay.progress(loaded.total_size - size);
            let mut body: &[u8] = &data;
            let mut offset = 0u64;
            if data.starts_with(b"REDIS") {
                let used = replay.rdb(&data, name)?;
                loaded.commands += replay.keys;
                body = &data[used..];
                offset = used as u64;
            }
            if let Some(cut) = replay.commands(body, offset, name, i == last, load_truncated)? {
                // Truncate the last file to its last whole command.
                let f = OpenOptions::new()
                    .write(true)
                    .open(&path)
                    .and_then(|f| f.set_len(cut).map(|()| f))
                    .and_then(|f| f.sync_all());
                if let Err(e) = f {
                    return Err(format!("Error truncating the AOF file {name}: {e}"));
                }
                loaded.total_size -= size - cut;
                tracing::warn!("AOF {name} loaded anyway because aof-load-truncated is enabled");
            }
        }
        Ok(())
    })();
    loaded.commands += replay.commands;
    replay.progress(loaded.total_size);
    replay.finish();
    result?;
    loaded.manifest = Some(manifest);
    Ok(loaded)
}

/// The replaying client and its counters.
struct Replay<A: Access> {
    access: A,
    client: u64,
    now: Time,
    commands: u64,
    keys: u64,
}

impl<A: Access> Replay<A> {
    fn new(mut access: A, now: Time) -> Replay<A> {
        let mut engine = access.engine();
        let client = engine.connect(ConnInfo::default(), now).unwrap_or_default();
        if let Some(c) = engine.clients.get_mut(client) {
            // The fake client bypasses AUTH, as Redis's.
            c.authenticated = true;
        }
        engine.prop.set_obeying(true);
        engine.loading_replayer(client);
        drop(engine);
        Replay {
            access,
            client,
            now,
            commands: 0,
            keys: 0,
        }
    }

    /// INFO's `loading_loaded_bytes`: `bytes` of the files are replayed.
    fn progress(&mut self, bytes: u64) {
        self.access.engine().loading_progress(bytes, 0, 0);
    }

    fn finish(mut self) {
        let mut engine = self.access.engine();
        engine.prop.set_obeying(false);
        engine.disconnect(self.client);
    }

    /// Load an RDB preamble; returns how many bytes it took.
    fn rdb(&mut self, data: &[u8], name: &str) -> Result<usize, String> {
        if self.access.engine().is_active_replica() {
            return self.rdb_active(data, name);
        }
        let mut loader = RdbLoader::new();
        let mut engine = self.access.engine();
        loader.limit_databases(engine.dbs.len());
        loader.feed(data);
        loader.end_of_input();
        loop {
            match loader.next_event() {
                Ok(Some(LoadEvent::Entry {
                    db,
                    key,
                    value,
                    expire_ms,
                })) => {
                    if self.keys % COMMANDS_PER_LOCK == COMMANDS_PER_LOCK - 1 {
                        drop(engine);
                        engine = self.access.engine();
                    }
                    let Some(d) = engine.dbs.get_mut(db) else {
                        return Err(format!(
                            "Bad file format reading the append only file {name}: database {db} out of range"
                        ));
                    };
                    d.set(key.clone(), value, self.now);
                    if let Some(at) = expire_ms {
                        d.set_expire(&key, at);
                    }
                    self.keys += 1;
                }
                Ok(Some(LoadEvent::End)) => break,
                Ok(Some(_)) => {}
                Ok(None) => {
                    return Err(format!(
                        "Unexpected end of file reading the RDB preamble of the AOF file {name}"
                    ))
                }
                Err(e) => {
                    return Err(format!(
                        "Bad file format reading the RDB preamble of the AOF file {name}: {e}"
                    ))
                }
            }
        }
        usize::try_from(loader.consumed())
            .map_err(|_| format!("Bad RDB preamble size in the AOF file {name}"))
    }

    /// An active node's preamble: loaded as its RDB files are (versions,
    /// tombstones, marks and horizon; an expired key becomes the tombstone
    /// of its version).
    fn rdb_active(&mut self, data: &[u8], name: &str) -> Result<usize, String> {
        let mut engine = self.access.engine();
        let mut loader = DatasetLoader::new(&mut engine);
        loader.feed(data);
        loader.end_of_input();
        loop {
            match loader.step(&mut engine, self.now, COMMANDS_PER_LOCK as usize) {
                Ok(LoadStep::Done) => break,
                Ok(LoadStep::More) => {
                    drop(engine);
                    engine = self.access.engine();
                }
                Ok(LoadStep::NeedInput) => {
                    return Err(format!(
                        "Unexpected end of file reading the RDB preamble of the AOF file {name}"
                    ))
                }
                Err(e) => {
                    return Err(format!(
                        "Bad file format reading the RDB preamble of the AOF file {name}: {e}"
                    ))
                }
            }
        }
        self.keys += loader.loaded;
        usize::try_from(loader.consumed())
            .map_err(|_| format!("Bad RDB preamble size in the AOF file {name}"))
    }

    /// Replay the commands of `body` (starting at `start` in file `name`).
    /// `Ok(Some(len))`: the file was truncated and should be cut to `len`.
    fn commands(
        &mut self,
        body: &[u8],
        start: u64,
        name: &str,
        is_last: bool,
        load_truncated: bool,
    ) -> Result<Option<u64>, String> {
        let limits = ParserLimits {
            max_bulk_len: i64::MAX,
            ..ParserLimits::default()
        };
        let mut parser = RequestParser::new(limits);
        let mut buf = BytesMut::from(body);
        let total = body.len() as u64;
        // Offset just after the last whole command, and before an open MULTI.
        let mut valid = start;
        let mut before_multi: Option<u64> = None;
        let mut engine = self.access.engine();
        loop {
            if parser.is_idle() && buf.first() == Some(&b'#') {
                // An annotation (`#TS:<secs>` with aof-timestamp-enabled):
                // skipped whole, as Redis does; one cut short is a
                // truncation like a partial command.
                match buf.iter().position(|&b| b == b'\n') {
                    Some(nl) => {
                        let _ = buf.split_to(nl + 1);
                        valid = start + total - buf.len() as u64;
                        continue;
                    }
                    None => break,
                }
            }
            if parser.is_idle() && !buf.is_empty() && buf[0] != b'*' {
                let at = start + total - buf.len() as u64;
                return Err(format!(
                    "Bad file format reading the append only file {name} (offset {at}): make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>"
                ));
            }
            let cmd_start = start + total - buf.len() as u64;
            match parser.next_command(&mut buf) {
                Ok(Some(argv)) => {
                    valid = start + total - buf.len() as u64;
                    let name_lc = argv.first().map(|a| a.to_ascii_lowercase());
                    if name_lc.as_deref() == Some(&b"multi"[..]) {
                        before_multi = Some(cmd_start);
                    } else if name_lc.as_deref() == Some(&b"exec"[..]) {
                        before_multi = None;
                    }
                    // Let clients in between batches, though never inside a
                    // transaction (its commands would see -LOADING replies
                    // meanwhile, harmlessly, but MULTI state is ours alone).
                    if self.commands % COMMANDS_PER_LOCK == COMMANDS_PER_LOCK - 1
                        && before_multi.is_none()
                    {
                        drop(engine);
                        engine = self.access.engine();
                    }
                    let out = engine.execute(self.client, &argv, self.now);
                    if let Some(Reply::Error(text)) = &out.reply {
                        if text.starts_with("ERR unknown command") {
                            return Err(format!(
                                "Unknown command '{}' reading the append only file {name}",
                                String::from_utf8_lossy(argv.first().map_or(&[][..], |a| a))
                            ));
                        }
                    }
                    self.commands += 1;
                }
                Ok(None) => break,
                Err(e) => {
                    return Err(format!(
                    "Bad file format reading the append only file {name} (offset {cmd_start}): {}",
                    e.reply_text()
                ))
                }
            }
        }
        let partial = !parser.is_idle() || !buf.is_empty();
        let open_multi = before_multi;
        if !partial && open_multi.is_none() {
            return Ok(None);
        }
        // Drop a transaction the file never closed.
        engine.discard_transaction(self.client);
        let cut = open_multi.unwrap_or(valid);
        if open_multi.is_some() {
            tracing::warn!("Revert incomplete MULTI/EXEC transaction in AOF file {name}");
        }
        if !is_last {
            return Err(format!(
                "Unexpected end of file reading the append only file {name}, which is not the last one: the AOF is corrupted"
            ));
        }
        if !load_truncated {
            return Err(format!(
                "Unexpected end of file reading the append only file {name}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server."
            ));
        }
        tracing::warn!("!!! Warning: short read while loading the AOF file {name}!!!");
        tracing::warn!("!!! Truncating the AOF {name} at offset {cut} !!!");
        Ok(Some(cut))
    }
}
