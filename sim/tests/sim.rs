//! Simulation tests: one keyrs node, several random clients, virtual time.
//! Run with `cargo sim` (they need `--cfg madsim`; without it this file is empty).
#![cfg(madsim)]

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use keyrs_core::config::Config;
use keyrs_core::resp::Reply;
use keyrs_sim::client::{random_client, Conn, Trace};
use keyrs_sim::node::{lock, new_engine, serve, SharedEngine};
use madsim::runtime::{Handle, Runtime};

const NODE_IP: [u8; 4] = [10, 0, 0, 1];

fn node_addr() -> SocketAddr {
    SocketAddr::new(IpAddr::from(NODE_IP), keyrs_sim::NODE_PORT)
}

/// Start a node on its own simulated host and give it time to bind.
async fn start_node(config: Config) -> SharedEngine {
    let engine = new_engine(config);
    let node = Handle::current()
        .create_node()
        .name("keyrs")
        .ip(IpAddr::from(NODE_IP))
        .build();
    let e = engine.clone();
    node.spawn(async move {
        if let Err(err) = serve(e, node_addr()).await {
            panic!("node failed: {err}");
        }
    });
    madsim::time::sleep(Duration::from_millis(50)).await;
    engine
}

/// Run `f` on a fresh simulated client host (the test's own main node has
/// no network address) and wait for it.
async fn on_client_host<F>(i: u8, f: F) -> F::Output
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    Handle::current()
        .create_node()
        .name(format!("client-{i}"))
        .ip(IpAddr::from([10, 0, 1, i + 1]))
        .build()
        .spawn(f)
        .await
        .expect("client task")
}

/// Run `clients` random clients of `batches` batches each against one node
/// under `seed`, on a fresh runtime in its own thread (madsim's runtime is
/// per thread), and return each client's trace.
fn simulate(seed: u64, clients: usize, batches: usize) -> Vec<Trace> {
    std::thread::spawn(move || {
        let rt = Runtime::with_seed_and_config(seed, madsim::Config::default());
        rt.block_on(async move {
            start_node(Config::default()).await;
            let joins: Vec<_> = (0..clients)
                .map(|i| {
                    madsim::task::spawn(on_client_host(
                        i as u8,
                        random_client(node_addr(), batches),
                    ))
                })
                .collect();
            let mut traces = Vec::new();
            for j in joins {
                traces.push(j.await.expect("client task").expect("client i/o"));
            }
            traces
        })
    })
    .join()
    .expect("simulation thread")
}

#[test]
fn same_seed_same_trace_different_seed_different_trace() {
    let seed = std::env::var("MADSIM_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(42);
    let a = simulate(seed, 4, 25);
    let b = simulate(seed, 4, 25);
    assert_eq!(a.len(), 4);
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        assert!(!x.received.is_empty(), "client {i} got no replies");
        assert_eq!(
            x.sent, y.sent,
            "seed {seed}: client {i} sent different bytes"
        );
        assert_eq!(
            x.received, y.received,
            "seed {seed}: client {i} received different bytes"
        );
    }
    // Every reply was well-formed and the workload hit real commands.
    let replies: Vec<&Reply> = a.iter().flat_map(|t| &t.replies).collect();
    assert!(replies.iter().any(|r| matches!(r, Reply::Bulk(_))));
    assert!(replies.iter().any(|r| matches!(r, Reply::Integer(_))));
    let c = simulate(seed + 1, 4, 25);
    assert_ne!(
        a.iter().map(|t| &t.received).collect::<Vec<_>>(),
        c.iter().map(|t| &t.received).collect::<Vec<_>>(),
        "seeds {seed} and {} gave the same trace",
        seed + 1
    );
}

#[madsim::test]
async fn key_with_px_expires_actively_in_virtual_time() {
    let engine = start_node(Config::default()).await;
    on_client_host(0, px_client(engine)).await;
}

async fn px_client(engine: SharedEngine) {
    let mut c = Conn::connect(node_addr()).await.unwrap();
    let set = c.call(&[b"SET", b"temp", b"v", b"PX", b"500"]).await;
    assert_eq!(set.unwrap(), Reply::ok());
    // Simulated network latency has passed since the SET, but not 500 ms.
    match c.call(&[b"PTTL", b"temp"]).await.unwrap() {
        Reply::Integer(ms) => assert!((1..=500).contains(&ms), "PTTL {ms}"),
        other => panic!("PTTL replied {other:?}"),
    }
    assert_eq!(c.call(&[b"GET", b"temp"]).await.unwrap(), Reply::bulk("v"));
    assert_eq!(c.call(&[b"DBSIZE"]).await.unwrap(), Reply::Integer(1));
    madsim::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(lock(&engine).dbs[0].len(), 1, "expired too early");
    // Nothing touches the key from here on: only active expiry can remove it.
    madsim::time::sleep(Duration::from_millis(1000)).await;
    {
        let e = lock(&engine);
        assert_eq!(e.dbs[0].len(), 0, "key not actively expired");
        assert_eq!(e.stats.expired_keys, 1);
    }
    // DBSIZE does not expire lazily, so this confirms the same over the wire.
    assert_eq!(c.call(&[b"DBSIZE"]).await.unwrap(), Reply::Integer(0));
}

#[madsim::test]
async fn pipelined_random_clients_get_one_reply_per_command() {
    start_node(Config::default()).await;
    let trace = on_client_host(0, random_client(node_addr(), 30))
        .await
        .unwrap();
    let commands = {
        let mut p = keyrs_core::resp::RequestParser::default();
        let mut buf = bytes::BytesMut::from(&trace.sent[..]);
        let mut n = 0;
        while let Ok(Some(_)) = p.next_command(&mut buf) {
            n += 1;
        }
        n
    };
    assert_eq!(trace.replies.len(), commands);
    assert!(commands >= 30);
}

#[madsim::test]
async fn chunker_splits_at_random_points() {
    let mut single_bytes = 0;
    let mut whole = 0;
    for len in 1..200 {
        let pieces = keyrs_sim::chunker::random_pieces(len);
        assert_eq!(pieces.iter().sum::<usize>(), len);
        assert!(pieces.iter().all(|&n| n >= 1));
        single_bytes += pieces.iter().filter(|&&n| n == 1).count();
        whole += usize::from(pieces.len() == 1);
    }
    assert!(single_bytes > 50, "{single_bytes} one-byte pieces");
    assert!(whole > 10 && whole < 150, "{whole} unsplit writes");
    assert!(keyrs_sim::chunker::random_pieces(0).is_empty());
}

#[madsim::test]
async fn idle_clients_are_closed_after_timeout_in_virtual_time() {
    let mut config = Config::default();
    config
        .set_option("timeout", &["2".to_string()])
        .expect("timeout option");
    assert_eq!(config.timeout_secs, 2);
    let engine = start_node(config).await;
    on_client_host(0, async move {
        let mut idle = Conn::connect(node_addr()).await.unwrap();
        let mut busy = Conn::connect(node_addr()).await.unwrap();
        assert_eq!(idle.call(&[b"PING"]).await.unwrap(), Reply::status("PONG"));
        for _ in 0..6 {
            madsim::time::sleep(Duration::from_millis(500)).await;
            assert_eq!(busy.call(&[b"PING"]).await.unwrap(), Reply::status("PONG"));
        }
        // 3 s idle > timeout 2: the server has closed it.
        let read = madsim::time::timeout(Duration::from_secs(1), idle.read_reply()).await;
        let err = read.expect("idle connection still open").unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
        assert_eq!(lock(&engine).clients.len(), 1);
        assert_eq!(busy.call(&[b"PING"]).await.unwrap(), Reply::status("PONG"));
    })
    .await;
}
