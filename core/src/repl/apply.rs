//! What a replica does with its link's events: empty the keyspace and load
//! the RDB (in bounded steps), adopt the master's id and offset, register
//! the master's client, run the stream's commands as that client and keep
//! their exact bytes in our backlog. Shared by the io runtime, the
//! simulator and the tests, so they all apply a master's stream alike.

use super::actives::LinkTarget;
use super::link::LinkEvent;
use crate::engine::{ConnInfo, Engine, Outcome, Time};
use crate::persist::dataset::{DatasetLoader, LoadStep};

/// Keys loaded per step.
const LOAD_STEP_KEYS: usize = 5000;

/// One link's application state.
#[derive(Debug)]
pub struct Applier {
    target: LinkTarget,
    master: ConnInfo,
    loader: Option<DatasetLoader>,
    full: Option<(String, u64)>,
    /// The loader reached the file's end (before the framing's end).
    loaded: bool,
}

impl Applier {
    /// For the link `target`, connected as `master` (the master client's
    /// address facts).
    pub fn new(target: LinkTarget, master: ConnInfo) -> Applier {
        Applier {
            target,
            master,
            loader: None,
            full: None,
            loaded: false,
        }
    }

    /// Is an RDB being loaded?
    pub fn loading(&self) -> bool {
        self.loader.is_some()
    }

    /// Apply one event. A stream command's outcome comes back for the
    /// driver to carry out its effects; an error ends the link.
    pub fn apply(
        &mut self,
        e: &mut Engine,
        ev: LinkEvent,
        now: Time,
    ) -> Result<Option<Outcome>, String> {
        if !e.repl_target_alive(self.target) {
            return Err("REPLICAOF changed the master".into());
        }
        let generation = match self.target {
            LinkTarget::Single(g) => g,
            LinkTarget::Active(id) => return self.apply_active(e, id, ev, now),
        };
        match ev {
            LinkEvent::FullResync { replid, offset } => {
                tracing::info!("Full resync from master: {replid}:{offset}");
                self.full = Some((replid, offset));
            }
            LinkEvent::RdbStart { len } => {
                match len {
                    Some(n) => tracing::info!(
                        "MASTER <-> REPLICA sync: receiving {n} bytes from master to disk"
                    ),
                    None => tracing::info!(
                        "MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk"
                    ),
                }
                tracing::info!("MASTER <-> REPLICA sync: Flushing old data");
                e.repl_full_sync_begin(generation, len, now);
                e.loading_start(len.unwrap_or(0), now);
                tracing::info!("MASTER <-> REPLICA sync: Loading DB in memory");
                self.loader = Some(DatasetLoader::new(e));
                self.loaded = false;
            }
            LinkEvent::RdbData(data) => {
                if let Some(m) = &mut e.repl.master {
                    m.sync_read += data.len() as u64;
                    m.last_io = Some(now);
                }
                self.feed_rdb(e, &data, now)?;
            }
            LinkEvent::RdbDone => {
                let (ld, replid, offset) = self.finish_rdb(e, now)?;
                e.loading_end();
                let size = e.repl_backlog_size();
                e.repl.adopt_master(replid, offset, size);
                e.repl.master_db = ld
                    .info
                    .repl_stream_db
                    .and_then(|d| usize::try_from(d).ok())
                    .unwrap_or(0);
                e.repl_link_up(generation, self.master.clone(), now);
                if e.aof.enabled {
                    // The AOF must start from the new dataset (Redis
                    // restarts it after a full sync): rewrite it.
                    e.aof.rewrite_requested = true;
                }
                tracing::info!(
                    "MASTER <-> REPLICA sync: Finished with success ({} keys)",
                    ld.loaded
                );
            }
            LinkEvent::Continue { replid } => {
                tracing::info!(
                    "MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization."
                );
                if let Some(id) = replid {
                    if id != e.repl.replid {
                        tracing::info!("Master replication ID changed to {id}");
                        e.repl.master_id_changed(id);
                        // Sub-replicas reconnect to learn the new id.
                        e.repl.kill_replicas();
                    }
                }
                let size = e.repl_backlog_size();
                e.repl.ensure_backlog(size);
                e.repl_link_up(generation, self.master.clone(), now);
                tracing::info!("Successful partial resynchronization with master.");
            }
            LinkEvent::Command {
                argv,
                raw,
                internal,
            } => {
                let out = self.run_command(e, &argv, internal, now);
                e.repl_apply_master_bytes(&raw, now);
                return Ok(out);
            }
            LinkEvent::Failed(why) => return Err(why),
        }
        Ok(None)
    }

    /// A stream command runs as the link's master client (REPLCONF, which
    /// the link handles itself, does not).
    fn run_command(
        &self,
        e: &mut Engine,
        argv: &[bytes::Bytes],
        internal: bool,
        now: Time,
    ) -> Option<Outcome> {
        if internal || argv.is_empty() {
            return None;
        }
        let client = e.repl_target_client(self.target)?;
        Some(e.execute(client, argv, now))
    }

    /// RDB bytes of a full sync: loaded as far as they go.
    fn feed_rdb(&mut self, e: &mut Engine, data: &[u8], now: Time) -> Result<(), String> {
        let Some(ld) = self.loader.as_mut() else {
            return Err("RDB data without a sync".into());
        };
        ld.feed(data);
        if !self.loaded {
            self.loaded = load_steps(e, ld, now, false)?;
        }
        Ok(())
    }

    /// The full sync's RDB ended: the rest is loaded. Returns the loader
    /// and the master's id and offset the RDB stands for.
    fn finish_rdb(
        &mut self,
        e: &mut Engine,
        now: Time,
    ) -> Result<(DatasetLoader, String, u64), String> {
        let (Some(mut ld), Some((replid, offset))) = (self.loader.take(), self.full.take()) else {
            return Err("RDB end without a sync".into());
        };
        ld.end_of_input();
        if !self.loaded {
            load_steps(e, &mut ld, now, true)?;
        }
        Ok((ld, replid, offset))
    }

    /// [`Applier::apply`] for an active replica's link `id`: a full sync
    /// merges the master's keys into ours without flushing or refusing
    /// clients (`-LOADING`), and the stream is applied without feeding our
    /// backlog (a received RREPLAY forwards itself).
    fn apply_active(
        &mut self,
        e: &mut Engine,
        id: u64,
        ev: LinkEvent,
        now: Time,
    ) -> Result<Option<Outcome>, String> {
        match ev {
            LinkEvent::FullResync { replid, offset } => {
                tracing::info!("Full resync from active master: {replid}:{offset}");
                self.full = Some((replid, offset));
            }
            LinkEvent::RdbStart { len } => {
                tracing::info!("MASTER <-> REPLICA sync: merging the master's dataset into ours");
                e.repl_active_sync_begin(id, len, now);
                self.loader = Some(merge_loader(e, id));
                self.loaded = false;
            }
            LinkEvent::RdbData(data) => {
                e.repl_active_sync_read(id, data.len(), now);
                self.feed_rdb(e, &data, now)?;
            }
            LinkEvent::RdbDone => {
                let (ld, replid, offset) = self.finish_rdb(e, now)?;
                e.repl_active_set_position(id, replid, offset);
                e.repl_target_link_up(self.target, self.master.clone(), now);
                tracing::info!(
                    "MASTER <-> REPLICA sync: Finished with success ({} keys merged)",
                    ld.loaded
                );
            }
            LinkEvent::Continue { replid } => {
                if let Some(r) = replid {
                    e.repl_active_rename(id, r);
                }
                e.repl_target_link_up(self.target, self.master.clone(), now);
                tracing::info!("Successful partial resynchronization with active master.");
            }
            LinkEvent::Command {
                argv,
                raw,
                internal,
            } => {
                let out = self.run_command(e, &argv, internal, now);
                e.repl_active_advance(id, raw.len(), now);
                return Ok(out);
            }
            LinkEvent::Failed(why) => return Err(why),
        }
        Ok(None)
    }

    /// The link ended: a load in progress stops.
    pub fn abandon(&mut self, e: &mut Engine) {
        let single = matches!(self.target, LinkTarget::Single(_));
        if self.loader.take().is_some() && single && e.persist.loading.is_some() {
            e.loading_end();
        }
        self.full = None;
    }
}

/// The loader of an active link's full sync: the master's keys merged
/// into ours, versions the file does not carry (a KeyDB master's) taken
/// as the master's own.
fn merge_loader(e: &mut Engine, id: u64) -> DatasetLoader {
    let peer = e
        .repl
        .actives
        .iter()
        .find(|m| m.id == id)
        .and_then(|m| m.node_id())
        .unwrap_or(crate::repl::active::NodeId::NIL);
    DatasetLoader::new_merge(e, peer)
}

/// Apply what the loader can; true once the file's end was read.
fn load_steps(
    e: &mut Engine,
    ld: &mut DatasetLoader,
    now: Time,
    finished: bool,
) -> Result<bool, String> {
    loop {
        let (before_loaded, before_expired) = (ld.loaded, ld.expired);
        let step = ld.step(e, now, LOAD_STEP_KEYS);
        e.loading_progress(
            ld.consumed(),
            ld.loaded - before_loaded,
            ld.expired - before_expired,
        );
        match step {
            Ok(LoadStep::More) => {}
            Ok(LoadStep::Done) => return Ok(true),
            Ok(LoadStep::NeedInput) if finished => {
                return Err(
                    "Failed trying to load the MASTER synchronization DB from socket: short read"
                        .into(),
                )
            }
            Ok(LoadStep::NeedInput) => return Ok(false),
            Err(err) => {
                return Err(format!(
                    "Failed trying to load the MASTER synchronization DB from socket: {err}"
                ))
            }
        }
    }
}
