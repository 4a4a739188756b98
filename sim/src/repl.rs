//! Replication between simulated nodes, over the same core pieces the real
//! runtime uses: the master's side of a replica connection (after the
//! PSYNC command handed it over: a full sync from a snapshot or the
//! backlog from the replica's offset, ACKs read back) and the replica's
//! link (`ReplicaLink` driven over madsim TCP, events applied by the core
//! `Applier`).

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use keyrs_core::engine::{ClientId, ConnInfo};
use keyrs_core::persist::dataset::save_to_vec;
use keyrs_core::repl::actives::{LinkPlan, LinkTarget};
use keyrs_core::repl::apply::Applier;
use keyrs_core::repl::link::{LinkConfig, ReplicaLink};
use keyrs_core::repl::state::ReplicaPhase;
use keyrs_core::repl::{parse_ack, wire, Handoff, LinkStatus, PsyncDecision};
use madsim::net::TcpStream;
use tokio::io::{AsyncReadExt, AsyncWrite};

use crate::chunker::write_chunked;
use crate::node::{lock, now_of, Peer, SharedEngine};

/// How long an idle sender or link waits before looking again.
const IDLE: Duration = Duration::from_millis(5);

/// Serve a replica whose PSYNC the engine accepted, until it goes or is
/// killed. `peer` is the connection's state (its input holds the ACKs).
pub async fn serve_replica<W: AsyncWrite + Unpin>(
    engine: &SharedEngine,
    peer: &Arc<Mutex<Peer>>,
    wr: &mut W,
    id: ClientId,
    h: Handoff,
) -> std::io::Result<()> {
    let mut next = match h.decision {
        PsyncDecision::Continue { from } => {
            let line = format!("+CONTINUE {}\r\n", lock(engine).repl.replid);
            write_chunked(wr, line.as_bytes()).await?;
            from
        }
        PsyncDecision::Full => {
            let (head, rdb, offset) = {
                let mut e = lock(engine);
                let _ = e.take_propagated();
                let offset = e.repl.offset;
                e.prop.reset_db();
                let t = now_of(&e);
                let rdb = save_to_vec(&mut e, t);
                let head = format!(
                    "+FULLRESYNC {} {offset}\r\n${}\r\n",
                    e.repl.replid,
                    rdb.len()
                );
                (head, rdb, offset)
            };
            write_chunked(wr, head.as_bytes()).await?;
            write_chunked(wr, &rdb).await?;
            offset + 1
        }
    };
    loop {
        let chunk = {
            let mut e = lock(engine);
            let mut st = peer.lock().unwrap_or_else(|p| p.into_inner());
            if st.killed || st.eof {
                return Ok(());
            }
            let input = st.session.input_buffer();
            while let Ok(Some((argv, used))) = wire::command(input) {
                let _ = input.split_to(used);
                if let Some(off) = parse_ack(&argv) {
                    let t = now_of(&e);
                    e.repl_ack(id, off, t);
                }
            }
            drop(st);
            if let Some(r) = e.repl.replicas.iter_mut().find(|r| r.client == id) {
                if r.killed {
                    return Ok(());
                }
                if r.phase != ReplicaPhase::Online {
                    r.phase = ReplicaPhase::Online;
                }
            }
            let _ = e.take_propagated();
            e.repl
                .backlog
                .as_ref()
                .and_then(|b| b.read_from(next, 4096))
        };
        match chunk {
            // Fell behind the backlog: dropped, it will resync.
            None => return Ok(()),
            Some(c) if c.is_empty() => madsim::time::sleep(IDLE).await,
            Some(c) => {
                write_chunked(wr, &c).await?;
                next += c.len() as u64;
            }
        }
    }
}

/// Follow `engine`'s masters (REPLICAOF; several for an active replica)
/// for ever: one task per master connects, syncs, applies and reconnects
/// after a cut; a task ends when its master is no longer wanted.
pub async fn replica_loop(engine: SharedEngine, me: SocketAddr) {
    let running: Arc<Mutex<HashSet<LinkTarget>>> = Arc::default();
    loop {
        let plans = lock(&engine).repl_link_plans();
        for plan in plans {
            if !running
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(plan.target)
            {
                continue;
            }
            let (engine, running) = (engine.clone(), running.clone());
            madsim::task::spawn(async move {
                follow(&engine, &plan, me).await;
                running
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(&plan.target);
            });
        }
        madsim::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn follow(engine: &SharedEngine, plan: &LinkPlan, me: SocketAddr) {
    let t = plan.target;
    while lock(engine).repl_target_alive(t) {
        if let Ok(addr) = format!("{}:{}", plan.host, plan.port).parse::<SocketAddr>() {
            if let Ok(stream) = TcpStream::connect(addr).await {
                if let Err(why) = run_link(engine, stream, addr, me, t).await {
                    tracing::debug!("simulated link ended: {why}");
                }
            }
        }
        {
            let mut e = lock(engine);
            let n = now_of(&e);
            e.repl_target_status(t, LinkStatus::Connect, n);
            e.repl_target_take_killed(t);
        }
        madsim::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn run_link(
    engine: &SharedEngine,
    stream: TcpStream,
    master: SocketAddr,
    me: SocketAddr,
    t: LinkTarget,
) -> Result<(), String> {
    let (replid, offset, uuid, start_ms) = {
        let mut e = lock(engine);
        let n = now_of(&e);
        e.repl_target_status(t, LinkStatus::Handshake, n);
        let (replid, offset) = e.repl_target_psync(t);
        let uuid = matches!(t, LinkTarget::Active(_)).then(|| e.node_uuid().to_string());
        (replid, offset, uuid, n.ms())
    };
    let cfg = LinkConfig {
        listening_port: me.port(),
        uuid,
        ..LinkConfig::default()
    };
    let mut l = ReplicaLink::new(cfg, replid, offset, start_ms);
    let info = ConnInfo {
        addr: master.to_string(),
        laddr: me.to_string(),
        fd: -1,
        thread: 0,
    };
    let mut applier = Applier::new(t, info);
    let (mut rd, mut wr) = tokio::io::split(stream);
    let mut buf = vec![0u8; 4096];
    let mut peer_known = false;
    let result = loop {
        let out = l.take_output();
        if !out.is_empty() {
            if let Err(e) = write_chunked(&mut wr, &out).await {
                break Err(e.to_string());
            }
        }
        {
            let mut e = lock(engine);
            if !e.repl_target_alive(t) {
                break Ok(());
            }
            if e.repl_target_take_killed(t) {
                break Err("killed".into());
            }
            if !peer_known {
                if let Some(id) = l.peer_uuid() {
                    peer_known = true;
                    e.repl_target_peer_uuid(t, id.to_string());
                }
            }
        }
        match madsim::time::timeout(Duration::from_millis(50), rd.read(&mut buf)).await {
            Ok(Ok(0)) => break Err("master closed the link".into()),
            Ok(Ok(n)) => l.feed(&buf[..n], now_of(&lock(engine)).ms()),
            Ok(Err(e)) => break Err(e.to_string()),
            Err(_) => {}
        }
        let mut e = lock(engine);
        let t_now = now_of(&e);
        l.tick(t_now.ms());
        if l.timed_out(t_now.ms(), 60_000) {
            break Err("timeout".into());
        }
        let mut failed = None;
        while let Some(ev) = l.poll(t_now.ms()) {
            if let Err(why) = applier.apply(&mut e, ev, t_now) {
                failed = Some(why);
                break;
            }
        }
        let _ = e.take_propagated();
        if let Some(why) = failed {
            break Err(why);
        }
    };
    applier.abandon(&mut lock(engine));
    result
}
