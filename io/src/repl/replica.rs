//! Our link to our master (REPLICAOF / `replicaof`): one thread that
//! connects, drives `keyrs_core::repl::link::ReplicaLink`, loads the RDB
//! (the keyspace is emptied first; clients get `-LOADING` meanwhile) and
//! applies the stream as the master's client, whose writes a read-only
//! replica accepts. The exact bytes the master sent feed our own backlog,
//! so sub-replicas and a later promotion continue from the same offsets.
//! The link is retried every second while we are a replica. An active
//! replica (KeyDB's `active-replica`) runs one such link per master it
//! follows; see `keyrs_core::repl::actives` for how those differ.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use std::collections::HashSet;

use keyrs_core::engine::ConnInfo;
use keyrs_core::repl::actives::{LinkPlan, LinkTarget};
use keyrs_core::repl::apply::Applier;
use keyrs_core::repl::link::{LinkConfig, ReplicaLink};
use keyrs_core::repl::LinkStatus;

use crate::clock;
use crate::runtime::Shared;
use parking_lot::Mutex;

/// How long a connect attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Read timeout: how often the link looks at time and configuration.
const POLL: Duration = Duration::from_millis(100);

/// Start the supervisor thread: it starts one link thread per master to
/// follow (the plain master, or each active master) and each link thread
/// ends when its master is no longer wanted.
pub(crate) fn spawn(shared: Arc<Shared>) -> io::Result<()> {
    std::thread::Builder::new()
        .name("keyrs-repl-link".into())
        .spawn(move || supervise(&shared))?;
    Ok(())
}

fn supervise(shared: &Arc<Shared>) {
    let running: Arc<Mutex<HashSet<LinkTarget>>> = Arc::default();
    while !shared.is_shutting_down() {
        let plans = {
            let e = shared.engine.lock();
            // Not while the server loads its own files at start: a full
            // sync would race the replay (Redis connects once loaded).
            if e.persist.loading.is_some() {
                Vec::new()
            } else {
                e.repl_link_plans()
            }
        };
        for plan in plans {
            if !running.lock().insert(plan.target) {
                continue;
            }
            let (shared, mine) = (shared.clone(), running.clone());
            let target = plan.target;
            let started = std::thread::Builder::new()
                .name("keyrs-repl-master".into())
                .spawn(move || {
                    follow(&shared, &plan);
                    mine.lock().remove(&plan.target);
                });
            if let Err(e) = started {
                tracing::warn!("Can't start a replication link thread: {e}");
                running.lock().remove(&target);
            }
        }
        std::thread::sleep(POLL);
    }
}

/// Follow one master until it is no longer wanted: connect, sync, apply,
/// reconnect once a second after a failure.
fn follow(shared: &Arc<Shared>, plan: &LinkPlan) {
    let t = plan.target;
    while !shared.is_shutting_down() && shared.engine.lock().repl_target_alive(t) {
        tracing::info!("Connecting to MASTER {}:{}", plan.host, plan.port);
        if let Err(why) = link(shared, &plan.host, plan.port, t) {
            tracing::warn!("{why}");
        }
        {
            let mut e = shared.engine.lock();
            e.repl_target_status(t, LinkStatus::Connect, clock::now());
            e.repl_target_take_killed(t);
        }
        // Retry once a second, at once after a REPLICAOF.
        for _ in 0..10 {
            if shared.is_shutting_down() || !shared.engine.lock().repl_target_alive(t) {
                break;
            }
            std::thread::sleep(POLL);
        }
    }
}

fn now_ms() -> u64 {
    clock::now().ms()
}

/// One connection to the master, until it fails or REPLICAOF moves on.
fn link(shared: &Arc<Shared>, host: &str, port: u16, t: LinkTarget) -> Result<(), String> {
    {
        let mut e = shared.engine.lock();
        e.repl_target_status(t, LinkStatus::Connecting, clock::now());
    }
    let addr = (host, port)
        .to_socket_addrs()
        .map_err(|e| format!("Unable to connect to MASTER: {e}"))?
        .next()
        .ok_or_else(|| "Unable to connect to MASTER: no address".to_string())?;
    let mut stream = TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT)
        .map_err(|e| format!("Error condition on socket for SYNC: {e}"))?;
    tracing::info!("MASTER <-> REPLICA sync started");
    let _ = stream.set_nodelay(true);
    stream
        .set_read_timeout(Some(POLL))
        .map_err(|e| e.to_string())?;
    let (cfg, replid, offset, timeout_ms) = {
        let mut e = shared.engine.lock();
        e.repl_target_status(t, LinkStatus::Handshake, clock::now());
        let nonempty = |v: Option<String>| v.filter(|s| !s.is_empty());
        let cfg = LinkConfig {
            listening_port: e.config.port,
            masteruser: nonempty(e.config.get("masteruser")),
            masterauth: nonempty(e.config.get("masterauth")),
            uuid: matches!(t, LinkTarget::Active(_)).then(|| e.node_uuid().to_string()),
        };
        let timeout = e.config.get_u64("repl-timeout").unwrap_or(60).max(1);
        let (replid, offset) = e.repl_target_psync(t);
        (cfg, replid, offset, timeout * 1000)
    };
    let local = stream
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let mut l = ReplicaLink::new(cfg, replid, offset, now_ms());
    let master = ConnInfo {
        addr: format!("{host}:{port}"),
        laddr: local,
        fd: -1,
        thread: 0,
    };
    let mut applier = Applier::new(t, master);
    let result = drive(shared, &mut stream, &mut l, &mut applier, t, timeout_ms);
    applier.abandon(&mut shared.engine.lock());
    result
}

/// Exchange bytes with the master and apply the events, until the link
/// fails or REPLICAOF moves on.
fn drive(
    shared: &Arc<Shared>,
    stream: &mut TcpStream,
    l: &mut ReplicaLink,
    applier: &mut Applier,
    t: LinkTarget,
    timeout_ms: u64,
) -> Result<(), String> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut peer_known = false;
    loop {
        let out = l.take_output();
        if !out.is_empty() {
            stream
                .write_all(&out)
                .map_err(|e| format!("Error writing to MASTER: {e}"))?;
        }
        {
            let mut e = shared.engine.lock();
            if shared.is_shutting_down() || !e.repl_target_alive(t) {
                return Ok(());
            }
            if e.repl_target_take_killed(t) {
                return Err("Connection with master lost (killed).".into());
            }
            if !peer_known {
                if let Some(id) = l.peer_uuid() {
                    peer_known = true;
                    if id == e.node_uuid() {
                        return Err("Replication link to ourselves (same node id): ignored".into());
                    }
                    e.repl_target_peer_uuid(t, id.to_string());
                }
            }
        }
        match stream.read(&mut buf) {
            Ok(0) => return Err("Connection with master lost.".into()),
            Ok(n) => l.feed(&buf[..n], now_ms()),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) => {}
            Err(e) => return Err(format!("Error reading from MASTER: {e}")),
        }
        let now = now_ms();
        l.tick(now);
        if l.timed_out(now, timeout_ms) {
            return Err("MASTER timeout: no data nor PING received...".into());
        }
        let mut events = Vec::new();
        while let Some(ev) = l.poll(now) {
            events.push(ev);
        }
        if events.is_empty() {
            continue;
        }
        let mut e = shared.engine.lock();
        for ev in events {
            if let Some(mut out) = applier.apply(&mut e, ev, clock::now())? {
                // FLUSHALL's save and friends, as after a client's command.
                crate::persist::after_command(&mut e, &mut out);
                super::route_effects(shared, &e, out.effects);
            }
        }
        if let Some(aof) = &shared.aof {
            aof.after_batch(&mut e, &shared.engine, false);
        }
        super::after_batch(&mut e);
    }
}
