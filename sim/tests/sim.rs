//! Simulation tests: one keyrs node, several random clients, virtual time.
//! Run with `cargo sim` (they need `--cfg madsim`; without it this file is empty).
#![cfg(madsim)]

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use keyrs_core::config::Config;
use keyrs_core::resp::Reply;
use keyrs_sim::client::{random_client, subscriber, Conn, Trace};
use keyrs_sim::node::{lock, new_engine, serve, SharedEngine};
use keyrs_sim::workload::channel_name;
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

/// Messages each subscriber collected, and its raw received bytes.
type Inbox = (Vec<(Vec<u8>, Vec<u8>)>, Vec<u8>);

/// Run `clients` random clients of `batches` batches each against one node
/// under `seed`, with two subscribers (to channels 0,1 and 1,2) listening,
/// on a fresh runtime in its own thread (madsim's runtime is per thread).
/// Checks that every PUBLISH reached each subscriber of its channel exactly
/// once; returns each client's trace and each subscriber's received bytes.
fn simulate(seed: u64, clients: usize, batches: usize) -> (Vec<Trace>, Vec<Vec<u8>>) {
    std::thread::spawn(move || {
        let rt = Runtime::with_seed_and_config(seed, madsim::Config::default());
        rt.block_on(run_clients(clients, batches))
    })
    .join()
    .expect("simulation thread")
}

async fn run_clients(clients: usize, batches: usize) -> (Vec<Trace>, Vec<Vec<u8>>) {
    start_node(Config::default()).await;
    let subscriptions = [vec![0usize, 1], vec![1, 2]];
    let mut subs = Vec::new();
    for (i, chans) in subscriptions.iter().enumerate() {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let names = chans.iter().map(|&c| channel_name(c)).collect();
        subs.push(madsim::task::spawn(on_client_host(
            100 + i as u8,
            subscriber(node_addr(), names, b"stop".to_vec(), tx),
        )));
        rx.await.expect("subscriber ready");
    }
    let joins: Vec<_> = (0..clients)
        .map(|i| madsim::task::spawn(on_client_host(i as u8, random_client(node_addr(), batches))))
        .collect();
    let mut traces = Vec::new();
    for j in joins {
        traces.push(j.await.expect("client task").expect("client i/o"));
    }
    on_client_host(99, async {
        let mut c = Conn::connect(node_addr()).await.unwrap();
        let n = c.call(&[b"PUBLISH", b"stop", b"now"]).await.unwrap();
        assert_eq!(n, Reply::Integer(2));
    })
    .await;
    let mut inboxes: Vec<Inbox> = Vec::new();
    for s in subs {
        inboxes.push(s.await.expect("subscriber task").expect("subscriber i/o"));
    }
    for (ch, msg, receivers) in traces.iter().flat_map(|t| &t.published) {
        let mut expected = 0;
        for (chans, (got, _)) in subscriptions.iter().zip(&inboxes) {
            let subscribed = chans.iter().any(|&c| channel_name(c) == *ch);
            expected += i64::from(subscribed);
            let copies = got.iter().filter(|(c, m)| c == ch && m == msg).count();
            assert_eq!(
                copies,
                usize::from(subscribed),
                "copies of a message on {ch:?}"
            );
        }
        assert_eq!(*receivers, expected, "PUBLISH receivers");
    }
    for (chans, (got, _)) in subscriptions.iter().zip(&inboxes) {
        for (i, (c, m)) in got.iter().enumerate() {
            assert!(
                chans.iter().any(|&x| channel_name(x) == *c),
                "unsubscribed channel"
            );
            assert!(
                !got[..i].contains(&(c.clone(), m.clone())),
                "duplicate message"
            );
        }
    }
    (traces, inboxes.into_iter().map(|(_, raw)| raw).collect())
}

#[test]
fn same_seed_same_trace_different_seed_different_trace() {
    let seed = std::env::var("MADSIM_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(42);
    let (a, sub_a) = simulate(seed, 4, 25);
    let (b, sub_b) = simulate(seed, 4, 25);
    assert_eq!(
        sub_a, sub_b,
        "seed {seed}: subscribers received different bytes"
    );
    assert!(
        a.iter().any(|t| !t.published.is_empty()),
        "nothing published"
    );
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
    // ... and the new kinds: a BLPOP that got an element or timed out, an
    // EXEC that ran.
    assert!(replies.iter().any(|r| matches!(r, Reply::NilArray)));
    assert!(replies
        .iter()
        .any(|r| matches!(r, Reply::Array(a) if a.len() == 2 && matches!(&a[0], Reply::Bulk(k) if k.starts_with(b"list:")))));
    let (c, _) = simulate(seed + 1, 4, 25);
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

#[madsim::test]
async fn random_clients_with_subscribers_blocking_and_transactions() {
    run_clients(3, 12).await;
}

#[madsim::test]
async fn blpop_is_woken_by_another_clients_push_or_times_out_once() {
    start_node(Config::default()).await;
    on_client_host(0, async {
        let mut waiter = Conn::connect(node_addr()).await.unwrap();
        let mut pusher = Conn::connect(node_addr()).await.unwrap();
        waiter
            .send(b"*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n*1\r\n$4\r\nPING\r\n")
            .await
            .unwrap();
        madsim::time::sleep(Duration::from_millis(300)).await;
        // Blocked: the PING behind the BLPOP has not run.
        let early = madsim::time::timeout(Duration::from_millis(10), waiter.read_reply()).await;
        assert!(early.is_err(), "blocked client answered {early:?}");
        assert_eq!(
            pusher.call(&[b"RPUSH", b"q", b"x"]).await.unwrap(),
            Reply::Integer(1)
        );
        let got = waiter.read_reply().await.unwrap();
        assert_eq!(got, Reply::Array(vec![Reply::bulk("q"), Reply::bulk("x")]));
        assert_eq!(waiter.read_reply().await.unwrap(), Reply::status("PONG"));
        let t0 = keyrs_sim::node::now().ms();
        assert_eq!(
            waiter.call(&[b"BRPOP", b"q", b"0.2"]).await.unwrap(),
            Reply::NilArray
        );
        assert!(keyrs_sim::node::now().ms() - t0 >= 200);
        let extra = madsim::time::timeout(Duration::from_millis(500), waiter.read_reply()).await;
        assert!(extra.is_err(), "second reply {extra:?}");
    })
    .await;
}
