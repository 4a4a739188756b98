//! Replication in virtual time: a master node and replica nodes (one of
//! them chained behind another) linked by the core's `ReplicaLink`, random
//! writes, links cut from both sides at random moments, one replica killed
//! and restarted empty; every replica must
//! converge to the master's keyspace, with partial resyncs after the cuts.
//! Run with `cargo sim`.
#![cfg(madsim)]

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use keyrs_core::config::Config;
use keyrs_core::engine::commands::debug::dataset_digest;
use keyrs_sim::client::Conn;
use keyrs_sim::node::{lock, new_engine, serve, SharedEngine};
use keyrs_sim::workload::random_command;
use madsim::rand::{thread_rng, Rng};
use madsim::runtime::Handle;

fn addr(i: u8) -> SocketAddr {
    SocketAddr::new(IpAddr::from([10, 0, 0, i]), keyrs_sim::NODE_PORT)
}

async fn start(i: u8, master: Option<u8>) -> SharedEngine {
    let engine = new_engine(Config::default());
    if let Some(m) = master {
        lock(&engine).repl_set_master(addr(m).ip().to_string(), keyrs_sim::NODE_PORT);
    }
    let node = Handle::current()
        .create_node()
        .name(format!("node-{i}"))
        .ip(addr(i).ip())
        .build();
    let e = engine.clone();
    node.spawn(async move {
        if let Err(err) = serve(e, addr(i)).await {
            panic!("node failed: {err}");
        }
    });
    madsim::time::sleep(Duration::from_millis(50)).await;
    engine
}

/// A replica whose node can be killed and restarted (empty again: it has
/// no persistence, so it full-syncs); the slot holds its current engine.
fn restartable(
    i: u8,
    master: u8,
) -> (
    madsim::runtime::NodeHandle,
    Arc<Mutex<Option<SharedEngine>>>,
) {
    let slot: Arc<Mutex<Option<SharedEngine>>> = Arc::default();
    let s = slot.clone();
    let node = Handle::current()
        .create_node()
        .name(format!("node-{i}"))
        .ip(addr(i).ip())
        .init(move || {
            let s = s.clone();
            async move {
                let engine = new_engine(Config::default());
                lock(&engine).repl_set_master(addr(master).ip().to_string(), keyrs_sim::NODE_PORT);
                *s.lock().unwrap() = Some(engine.clone());
                if let Err(err) = serve(engine, addr(i)).await {
                    panic!("node failed: {err}");
                }
            }
        })
        .build();
    (node, slot)
}

#[madsim::test]
async fn replicas_and_a_chain_converge_through_link_cuts() {
    let master = start(1, None).await;
    let replicas = [
        start(2, Some(1)).await,
        start(3, Some(1)).await,
        start(4, Some(2)).await,
    ];
    let (node5, slot5) = restartable(5, 1);
    let client = Handle::current()
        .create_node()
        .name("client")
        .ip(IpAddr::from([10, 0, 1, 1]))
        .build();
    let writes = client.spawn(async move {
        let mut m = Conn::connect(addr(1)).await.unwrap();
        let mut r2 = Conn::connect(addr(2)).await.unwrap();
        for round in 0..300 {
            let argv = random_command();
            let args: Vec<&[u8]> = argv.iter().map(|a| a.as_slice()).collect();
            let blocking = args
                .first()
                .is_some_and(|c| c.first().is_some_and(|b| b.eq_ignore_ascii_case(&b'b')));
            if !blocking {
                m.call(&args).await.unwrap();
            }
            if round % 40 == 20 {
                let cut: u8 = thread_rng().gen_range(0..2);
                if cut == 0 {
                    m.call(&[b"CLIENT", b"KILL", b"TYPE", b"replica"])
                        .await
                        .unwrap();
                } else {
                    r2.call(&[b"CLIENT", b"KILL", b"TYPE", b"master"])
                        .await
                        .unwrap();
                }
            }
            madsim::time::sleep(Duration::from_millis(thread_rng().gen_range(0..20))).await;
        }
    });
    // Kill a replica in the middle of the writes and bring it back empty.
    madsim::time::sleep(Duration::from_millis(thread_rng().gen_range(200..1500))).await;
    Handle::current().kill(node5.id());
    madsim::time::sleep(Duration::from_millis(300)).await;
    Handle::current().restart(node5.id());
    writes.await.unwrap();
    madsim::time::sleep(Duration::from_secs(5)).await;
    let (want, offset, partial) = {
        let e = lock(&master);
        (dataset_digest(&e), e.repl.offset, e.repl.sync_partial_ok)
    };
    let restarted = slot5.lock().unwrap().clone().expect("node 5 runs");
    for (i, r) in replicas.iter().chain([&restarted]).enumerate() {
        let e = lock(r);
        assert!(e.repl.link_up(), "replica {i} is not linked");
        assert_eq!(e.repl.offset, offset, "replica {i} offset");
        assert_eq!(dataset_digest(&e), want, "replica {i} keyspace");
    }
    assert!(partial > 0, "no partial resync after the cuts");
}
