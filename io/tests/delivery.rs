//! Deliveries across workers: a message published by a client of one worker
//! reaches subscribers owned by every worker, in their own protocol.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use keyrs_core::config::Config;
use keyrs_core::engine::{Engine, ServerInfo};
use keyrs_io::FastLock;
use keyrs_io::{Runtime, RuntimeOptions, SharedEngine, ShutdownHandle};

/// Ports for this file's servers; a plain bind is tried first, so a port
/// another suite holds is skipped.
const PORTS: std::ops::RangeInclusive<u16> = 7470..=7489;

/// Ports not yet handed to any test of this process: a plain-bind probe
/// alone races with a parallel test probing the same port, and SO_REUSEPORT
/// would then let both runtimes share it.
static NEXT_PORT: AtomicU16 = AtomicU16::new(*PORTS.start());

/// The next port of [`PORTS`] no other test of this process has had.
fn next_port() -> Option<u16> {
    let port = NEXT_PORT.fetch_add(1, Ordering::Relaxed);
    PORTS.contains(&port).then_some(port)
}

struct Running {
    engine: SharedEngine,
    handle: ShutdownHandle,
    thread: Option<JoinHandle<std::io::Result<()>>>,
    port: u16,
}

impl Running {
    fn start(threads: usize) -> Running {
        let cfg = Config::default();
        let engine = Arc::new(FastLock::new(Engine::new(
            cfg.clone(),
            ServerInfo::default(),
            7,
        )));
        while let Some(port) = next_port() {
            if std::net::TcpListener::bind(("127.0.0.1", port)).is_err() {
                continue;
            }
            // Balancing with no minimum spreads consecutive connections
            // over the workers (KeyDB's default minimum of 20 would keep
            // these few clients on worker 0).
            let opts = RuntimeOptions {
                threads,
                port,
                min_clients_per_thread: 0,
                ..RuntimeOptions::from_config(&cfg)
            };
            if let Ok(rt) = Runtime::bind(Arc::clone(&engine), &opts) {
                let handle = rt.shutdown_handle();
                let thread = std::thread::spawn(move || rt.run());
                return Running {
                    engine,
                    handle,
                    thread: Some(thread),
                    port,
                };
            }
        }
        panic!("no free port in {PORTS:?}");
    }

    fn tcp(&self) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.handle.shutdown();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn expect(s: &mut TcpStream, want: &[u8]) {
    let mut got = vec![0u8; want.len()];
    s.read_exact(&mut got).unwrap();
    assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(want));
}

#[test]
fn publish_reaches_subscribers_on_every_worker() {
    let rt = Running::start(2);
    let mut subs: Vec<TcpStream> = (0..16).map(|_| rt.tcp()).collect();
    for (i, s) in subs.iter_mut().enumerate() {
        if i % 2 == 1 {
            s.write_all(b"HELLO 3\r\n").unwrap();
            // The HELLO map: read up to its last field.
            let mut buf = [0u8; 512];
            let mut seen = Vec::new();
            while !seen.ends_with(b"modules\r\n*0\r\n") {
                let n = s.read(&mut buf).unwrap();
                assert!(n > 0, "closed during HELLO");
                seen.extend_from_slice(&buf[..n]);
            }
        }
        s.write_all(b"SUBSCRIBE ch\r\n").unwrap();
        let head: &[u8] = if i % 2 == 1 { b">" } else { b"*" };
        let mut want = head.to_vec();
        want.extend_from_slice(b"3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n");
        expect(s, &want);
    }
    let threads: std::collections::BTreeSet<usize> = rt
        .engine
        .lock()
        .clients
        .iter()
        .map(|c| c.conn.thread)
        .collect();
    assert_eq!(threads.len(), 2, "subscribers on both workers");
    let mut publisher = rt.tcp();
    publisher.write_all(b"PUBLISH ch hi\r\n").unwrap();
    expect(&mut publisher, b":16\r\n");
    for (i, s) in subs.iter_mut().enumerate() {
        let head: &[u8] = if i % 2 == 1 { b">" } else { b"*" };
        let mut want = head.to_vec();
        want.extend_from_slice(b"3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n");
        expect(s, &want);
    }
}

#[test]
fn blocked_clients_on_both_workers_are_woken() {
    let rt = Running::start(2);
    let mut waiters: Vec<TcpStream> = (0..12).map(|_| rt.tcp()).collect();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    for (i, w) in waiters.iter_mut().enumerate() {
        w.write_all(b"BLPOP q 0\r\nPING\r\n").unwrap();
        // One at a time, so the arrival order is certain across workers.
        while rt.engine.lock().blocking.len() < i + 1 {
            assert!(std::time::Instant::now() < deadline, "not blocked");
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    let mut p = rt.tcp();
    let threads: std::collections::BTreeSet<usize> = rt
        .engine
        .lock()
        .clients
        .iter()
        .map(|c| c.conn.thread)
        .collect();
    assert_eq!(threads.len(), 2, "waiters on both workers");
    let items: Vec<String> = (0..12).map(|i| format!("v{i:02}")).collect();
    let cmd = format!("RPUSH q {}\r\n", items.join(" "));
    p.write_all(cmd.as_bytes()).unwrap();
    expect(&mut p, b":12\r\n");
    let mut got = Vec::new();
    for w in &mut waiters {
        let mut buf = vec![0u8; "*2\r\n$1\r\nq\r\n$3\r\nv00\r\n+PONG\r\n".len()];
        w.read_exact(&mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert!(text.ends_with("+PONG\r\n"), "{text:?}");
        got.push(text[15..18].to_string());
    }
    // Served in arrival (FIFO) order.
    assert_eq!(got, items);
}

#[test]
fn a_subscriber_that_does_not_read_is_dropped_at_the_hard_limit() {
    let rt = Running::start(1);
    let mut admin = rt.tcp();
    let cmd = b"*4\r\n$6\r\nCONFIG\r\n$3\r\nSET\r\n$26\r\nclient-output-buffer-limit\r\n$14\r\npubsub 1mb 0 0\r\n";
    admin.write_all(cmd).unwrap();
    expect(&mut admin, b"+OK\r\n");
    let mut sub = rt.tcp();
    sub.write_all(b"SUBSCRIBE ch\r\n").unwrap();
    expect(&mut sub, b"*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n");
    // The subscriber never reads again: 64 MB of messages cannot all fit
    // in socket buffers, so its pending output passes 1 MB.
    let payload = "x".repeat(256 * 1024);
    let publish = format!(
        "*3\r\n$7\r\nPUBLISH\r\n$2\r\nch\r\n${}\r\n{payload}\r\n",
        payload.len()
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        admin.write_all(publish.as_bytes()).unwrap();
        let mut reply = [0u8; 4];
        admin.read_exact(&mut reply).unwrap();
        if &reply == b":0\r\n" {
            break; // dropped: nobody is subscribed any more
        }
        assert_eq!(&reply, b":1\r\n");
        assert!(std::time::Instant::now() < deadline, "never dropped");
    }
    assert_eq!(rt.engine.lock().clients.len(), 1);
}

#[test]
fn a_monitor_that_does_not_read_is_dropped_at_the_replica_hard_limit() {
    let rt = Running::start(2);
    let mut admin = rt.tcp();
    let cmd = b"*4\r\n$6\r\nCONFIG\r\n$3\r\nSET\r\n$26\r\nclient-output-buffer-limit\r\n$15\r\nreplica 1mb 0 0\r\n";
    admin.write_all(cmd).unwrap();
    expect(&mut admin, b"+OK\r\n");
    let mut monitor = rt.tcp();
    monitor.write_all(b"MONITOR\r\n").unwrap();
    expect(&mut monitor, b"+OK\r\n");
    // The monitor never reads again; every SET adds a 256 KB line to it.
    let payload = "x".repeat(256 * 1024);
    let set = format!(
        "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n${}\r\n{payload}\r\n",
        payload.len()
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        admin.write_all(set.as_bytes()).unwrap();
        expect(&mut admin, b"+OK\r\n");
        if rt.engine.lock().monitors.is_empty() {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "never dropped");
    }
    // Only the admin connection is left.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while rt.engine.lock().clients.len() != 1 {
        assert!(std::time::Instant::now() < deadline, "monitor not closed");
        std::thread::sleep(Duration::from_millis(10));
    }
}
