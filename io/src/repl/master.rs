//! The master's side of one replica connection, after PSYNC/SYNC.
//!
//! The worker that ran PSYNC hands the socket over (with any replies it
//! had not written yet); the engine already attached the replica and
//! decided between a partial and a full resync. Here:
//!
//! - partial: `+CONTINUE <replid>`, then the backlog from the offset asked;
//! - full: after `repl-diskless-sync-delay` (diskless), a point-in-time
//!   snapshot begins under the lock at the current offset (no fork; writes
//!   go on and reach the backlog meanwhile), `+FULLRESYNC <replid>
//!   <offset>`, the RDB (diskless `$EOF:<mark>` framing when the replica
//!   announced `capa eof` and `repl-diskless-sync` is on, else `$<len>`
//!   with the file built in memory), then the backlog from that offset.
//!
//! A reader thread takes the replica's `REPLCONF ACK`s. The connection ends
//! when the replica goes, CLIENT KILL marks it, it falls out of the backlog
//! or the server stops.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use keyrs_core::engine::Engine;
use keyrs_core::persist::dataset::DatasetWriter;
use keyrs_core::persist::rdb::file::ReplAux;
use keyrs_core::repl::state::ReplicaPhase;
use keyrs_core::repl::{self, wire, Handoff, PsyncDecision};

use crate::clock;
use crate::runtime::Shared;

/// Keys taken from the snapshot per lock.
const SYNC_CHUNK_KEYS: usize = 1000;
/// Encoded RDB bytes written at a time.
const SEND_CHUNK: usize = 64 * 1024;
/// Backlog bytes copied per lock.
const STREAM_CHUNK: usize = 1 << 20;
/// How long a sender sleeps when there is nothing new.
const IDLE_WAIT: Duration = Duration::from_millis(100);

/// Take over a replica's connection: start its sender and reader threads.
pub(crate) fn spawn(shared: Arc<Shared>, stream: TcpStream, pending: Vec<u8>, h: Handoff) {
    let id = h.client;
    let spawned = std::thread::Builder::new()
        .name("keyrs-repl-out".into())
        .spawn({
            let shared = Arc::clone(&shared);
            move || {
                let addr = stream
                    .peer_addr()
                    .map(|a| a.to_string())
                    .unwrap_or_default();
                if let Err(e) = serve(&shared, &stream, &pending, &h) {
                    tracing::warn!("Connection with replica {addr} lost: {e}");
                } else {
                    tracing::info!("Connection with replica {addr} closed");
                }
                let _ = stream.shutdown(Shutdown::Both);
                shared.engine.lock().repl_detach(id);
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("Can't start the replica sender thread: {e}");
        shared.engine.lock().repl_detach(id);
    }
}

fn killed(e: &Engine, client: u64) -> bool {
    e.repl
        .replicas
        .iter()
        .find(|r| r.client == client)
        .is_none_or(|r| r.killed)
}

fn set_phase(e: &mut Engine, client: u64, phase: ReplicaPhase) {
    if let Some(r) = e.repl.replicas.iter_mut().find(|r| r.client == client) {
        r.phase = phase;
        if phase == ReplicaPhase::Online {
            r.ack_time = clock::now();
        }
    }
}

fn serve(shared: &Arc<Shared>, stream: &TcpStream, pending: &[u8], h: &Handoff) -> io::Result<()> {
    stream.set_nonblocking(false)?;
    let _ = stream.set_nodelay(true);
    let timeout = {
        let e = shared.engine.lock();
        e.config.get_u64("repl-timeout").unwrap_or(60).max(1)
    };
    stream.set_write_timeout(Some(Duration::from_secs(timeout)))?;
    let mut out = stream.try_clone()?;
    out.write_all(pending)?;
    spawn_reader(Arc::clone(shared), stream.try_clone()?, h.client);
    let mut next = match h.decision {
        PsyncDecision::Continue { from } => {
            let replid = shared.engine.lock().repl.replid.clone();
            let line = if h.conf.capa_psync2 {
                format!("+CONTINUE {replid}\r\n")
            } else {
                "+CONTINUE\r\n".to_string()
            };
            out.write_all(line.as_bytes())?;
            tracing::info!(
                "Partial resynchronization request from {} accepted, sending the backlog starting from offset {from}.",
                stream.peer_addr().map(|a| a.to_string()).unwrap_or_default()
            );
            from
        }
        PsyncDecision::Full => {
            let (offset, eof_framing) = full_sync(shared, &mut out, h)?;
            if eof_framing {
                // A diskless replica finds the end mark only at the end of
                // what it read: the stream waits for its first ACK.
                wait_first_ack(shared, h.client)?;
            }
            offset + 1
        }
    };
    set_phase(&mut shared.engine.lock(), h.client, ReplicaPhase::Online);
    loop {
        if shared.is_shutting_down() {
            return Ok(());
        }
        let seen = super::fed_count();
        let chunk = {
            let e = shared.engine.lock();
            if killed(&e, h.client) {
                return Ok(());
            }
            let silent = e
                .repl
                .replicas
                .iter()
                .find(|r| r.client == h.client)
                .is_some_and(|r| clock::now().secs().saturating_sub(r.ack_time.secs()) > timeout);
            if silent {
                return Err(io::Error::other("Disconnecting timedout replica"));
            }
            e.repl
                .backlog
                .as_ref()
                .and_then(|b| b.read_from(next, STREAM_CHUNK))
        };
        match chunk {
            None => {
                return Err(io::Error::other(
                    "the replica fell behind the replication backlog",
                ))
            }
            Some(c) if c.is_empty() => super::wait_for_data(seen, IDLE_WAIT),
            Some(c) => {
                out.write_all(&c)?;
                next += c.len() as u64;
            }
        }
    }
}

/// Wait until the replica acked once (its phase turns online).
fn wait_first_ack(shared: &Arc<Shared>, client: u64) -> io::Result<()> {
    loop {
        {
            let e = shared.engine.lock();
            if killed(&e, client) || shared.is_shutting_down() {
                return Err(io::Error::other("replica gone before its first ACK"));
            }
            let online = e
                .repl
                .replicas
                .iter()
                .any(|r| r.client == client && r.phase == ReplicaPhase::Online);
            if online {
                return Ok(());
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The full sync: returns the offset the RDB corresponds to and whether
/// it went with diskless (EOF mark) framing.
fn full_sync(shared: &Arc<Shared>, out: &mut TcpStream, h: &Handoff) -> io::Result<(u64, bool)> {
    let (diskless, delay) = {
        let e = shared.engine.lock();
        (
            e.config.get_bool("repl-diskless-sync").unwrap_or(true),
            e.config.get_u64("repl-diskless-sync-delay").unwrap_or(5),
        )
    };
    let eof_framing = diskless && h.conf.capa_eof && !h.legacy;
    if eof_framing && delay > 0 {
        // Let more replicas arrive (each still gets its own snapshot).
        let mut waited = Duration::ZERO;
        while waited < Duration::from_secs(delay) {
            if shared.is_shutting_down() || killed(&shared.engine.lock(), h.client) {
                return Err(io::Error::other("abandoned"));
            }
            std::thread::sleep(IDLE_WAIT);
            waited += IDLE_WAIT;
        }
    }
    let (snapshot, mut w, offset, replid) = {
        let mut e = shared.engine.lock();
        let now = clock::now();
        // Everything a master propagated so far belongs before the
        // snapshot (a replica's stream is its master's bytes only).
        let pending = if e.repl.is_replica() {
            0
        } else {
            e.prop.pending() as u64
        };
        let offset = e.repl.offset + pending;
        let sizes = DatasetWriter::sizes_of(&e);
        let replid = e.repl.replid.clone();
        let aux = ReplAux {
            stream_db: e.repl_stream_db(),
            repl_id: &replid,
            offset: i64::try_from(offset).unwrap_or(i64::MAX),
        };
        let w = DatasetWriter::with_repl(&e, sizes, now, Some(aux));
        let snapshot = e.snapshot_begin();
        // The stream after the snapshot starts with a SELECT.
        e.prop.reset_db();
        set_phase(&mut e, h.client, ReplicaPhase::SendBulk);
        (snapshot, w, offset, replid.clone())
    };
    tracing::info!(
        "Starting BGSAVE for SYNC with target: {}",
        if eof_framing {
            "replicas sockets"
        } else {
            "disk"
        }
    );
    let result = (move || -> io::Result<()> {
        if !h.legacy {
            out.write_all(format!("+FULLRESYNC {replid} {offset}\r\n").as_bytes())?;
        }
        let mark = eof_mark();
        let mut whole = Vec::new();
        if eof_framing {
            out.write_all(format!("$EOF:{mark}\r\n").as_bytes())?;
        }
        loop {
            let chunk = {
                let mut e = shared.engine.lock();
                if killed(&e, h.client) {
                    return Err(io::Error::other("replica killed during sync"));
                }
                e.snapshot_next(snapshot, SYNC_CHUNK_KEYS)
            };
            let Some(items) = chunk else { break };
            w.add(&items);
            drop(items);
            if w.buffered() >= SEND_CHUNK {
                let bytes = w.take_output();
                if eof_framing {
                    out.write_all(&bytes)?;
                } else {
                    whole.extend_from_slice(&bytes);
                }
            }
        }
        let tail = w.finish();
        if eof_framing {
            out.write_all(&tail)?;
            out.write_all(mark.as_bytes())?;
        } else {
            whole.extend_from_slice(&tail);
            out.write_all(format!("${}\r\n", whole.len()).as_bytes())?;
            out.write_all(&whole)?;
        }
        Ok(())
    })();
    shared.engine.lock().snapshot_end(snapshot);
    result?;
    tracing::info!("Synchronization with replica succeeded");
    Ok((offset, eof_framing))
}

/// 40 random hex characters ending a diskless transfer.
fn eof_mark() -> String {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    let word = || {
        let mut h = RandomState::new().build_hasher();
        h.write_u128(clock::now().unix_us as u128);
        h.finish()
    };
    repl::state::make_id(word)
}

/// Read the replica's ACKs until the connection ends.
fn spawn_reader(shared: Arc<Shared>, mut stream: TcpStream, client: u64) {
    let spawned = std::thread::Builder::new()
        .name("keyrs-repl-ack".into())
        .spawn(move || {
            let mut buf = vec![0u8; 16 * 1024];
            let mut input: Vec<u8> = Vec::new();
            loop {
                let n = match stream.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(_) => break,
                };
                input.extend_from_slice(&buf[..n]);
                loop {
                    match wire::command(&input) {
                        Ok(Some((argv, used))) => {
                            input.drain(..used);
                            if let Some(off) = repl::parse_ack(&argv) {
                                let mut e = shared.engine.lock();
                                e.repl_ack(client, off, clock::now());
                                let effects = std::mem::take(&mut e.outbox);
                                super::route_effects(&shared, &e, effects);
                            }
                        }
                        Ok(None) => break,
                        Err(_) => {
                            shared.engine.lock().repl_kill(client);
                            return;
                        }
                    }
                }
            }
            shared.engine.lock().repl_kill(client);
        });
    if let Err(e) = spawned {
        tracing::warn!("Can't start the replica reader thread: {e}");
    }
}
