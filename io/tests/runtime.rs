//! The runtime in-process: several workers, a Unix socket, cross-worker
//! kills (idle timeout decided on worker 0 for clients of worker 1), and the
//! shutdown handle.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use keyrs_core::config::Config;
use keyrs_core::engine::{Engine, ServerInfo};
use keyrs_io::FastLock;
use keyrs_io::{Runtime, RuntimeOptions, SharedEngine, ShutdownHandle};

/// Ports for this file's servers (the e2e suite draws from 7400-7489).
const PORTS: std::ops::RangeInclusive<u16> = 7490..=7499;

/// Ports not yet handed to any test of this process.
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
    unix: Option<std::path::PathBuf>,
    _dir: tempfile::TempDir,
}

impl Running {
    fn start(threads: usize, cfg: Config, with_tcp: bool) -> Running {
        let dir = tempfile::tempdir().unwrap();
        let unix = dir.path().join("keyrs.sock");
        let engine = Arc::new(FastLock::new(Engine::new(
            cfg.clone(),
            ServerInfo::default(),
            7,
        )));
        let mut last_err = None;
        while let Some(port) = next_port() {
            let opts = RuntimeOptions {
                threads,
                port: if with_tcp { port } else { 0 },
                unix_socket: Some(unix.clone()),
                ..RuntimeOptions::from_config(&cfg)
            };
            // A plain bind first: SO_REUSEPORT would happily share a port
            // another process's runtime holds. (Within this process,
            // `next_port` never hands a port out twice, so two tests probing
            // at the same moment cannot both take it.)
            if with_tcp && std::net::TcpListener::bind(("127.0.0.1", port)).is_err() {
                continue;
            }
            match Runtime::bind(Arc::clone(&engine), &opts) {
                Ok(rt) => {
                    let handle = rt.shutdown_handle();
                    let thread = std::thread::spawn(move || rt.run());
                    return Running {
                        engine,
                        handle,
                        thread: Some(thread),
                        port,
                        unix: Some(unix),
                        _dir: dir,
                    };
                }
                Err(e) => last_err = Some(e),
            }
        }
        panic!("could not bind: {last_err:?}");
    }

    fn tcp(&self) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s
    }

    fn stop(&mut self) -> std::io::Result<()> {
        self.handle.shutdown();
        self.thread
            .take()
            .expect("running")
            .join()
            .expect("no panic")
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.thread.is_some() {
            let _ = self.stop();
        }
    }
}

fn roundtrip(s: &mut (impl Read + Write), req: &[u8], want: &[u8]) {
    s.write_all(req).unwrap();
    let mut got = vec![0u8; want.len()];
    s.read_exact(&mut got).unwrap();
    assert_eq!(got, want, "reply to {:?}", String::from_utf8_lossy(req));
}

fn read_eof(s: &mut impl Read) -> Vec<u8> {
    let mut rest = Vec::new();
    let _ = s.read_to_end(&mut rest);
    rest
}

#[test]
fn two_workers_share_the_port_and_the_keyspace() {
    let mut rt = Running::start(2, Config::default(), true);
    let mut clients: Vec<TcpStream> = (0..24).map(|_| rt.tcp()).collect();
    for (i, c) in clients.iter_mut().enumerate() {
        let req = format!("SET k{i} v{i}\r\n");
        roundtrip(c, req.as_bytes(), b"+OK\r\n");
    }
    for (i, c) in clients.iter_mut().enumerate() {
        let j = (i + 1) % 24;
        let want = format!("$2\r\nv{j}\r\n");
        let want = if j >= 10 {
            format!("$3\r\nv{j}\r\n")
        } else {
            want
        };
        roundtrip(c, format!("GET k{j}\r\n").as_bytes(), want.as_bytes());
    }
    let threads: std::collections::BTreeSet<usize> = rt
        .engine
        .lock()
        .clients
        .iter()
        .map(|c| c.conn.thread)
        .collect();
    assert_eq!(
        threads.into_iter().collect::<Vec<_>>(),
        vec![0, 1],
        "SO_REUSEPORT spreads 24 connections over both workers"
    );
    rt.stop().expect("clean stop");
    assert_eq!(
        rt.engine.lock().clients.len(),
        0,
        "every client forgotten at shutdown"
    );
    for c in &mut clients {
        assert!(read_eof(c).is_empty());
    }
}

#[test]
fn idle_timeout_kills_clients_of_every_worker() {
    let mut cfg = Config::default();
    cfg.set_option("timeout", &["1".to_string()])
        .expect("valid timeout");
    let rt = Running::start(2, cfg, true);
    let mut clients: Vec<TcpStream> = (0..12).map(|_| rt.tcp()).collect();
    for c in &mut clients {
        roundtrip(c, b"PING\r\n", b"+PONG\r\n");
    }
    let started = Instant::now();
    for c in &mut clients {
        assert!(read_eof(c).is_empty());
    }
    assert!(started.elapsed() < Duration::from_secs(8));
    let deadline = Instant::now() + Duration::from_secs(5);
    while !rt.engine.lock().clients.is_empty() {
        assert!(Instant::now() < deadline, "killed clients still registered");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn unix_socket_serves_and_is_removed_at_shutdown() {
    let mut rt = Running::start(1, Config::default(), false);
    let path = rt.unix.clone().unwrap();
    let mut s = UnixStream::connect(&path).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    roundtrip(
        &mut s,
        b"*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\nb\r\n",
        b"+OK\r\n",
    );
    roundtrip(&mut s, b"GET a\r\n", b"$1\r\nb\r\n");
    let addr = rt
        .engine
        .lock()
        .clients
        .iter()
        .next()
        .unwrap()
        .conn
        .addr
        .clone();
    assert!(addr.contains("keyrs.sock"), "{addr}");
    rt.stop().unwrap();
    assert!(!path.exists(), "socket file removed");
}

#[test]
fn maxclients_is_enforced_by_the_engine() {
    let mut cfg = Config::default();
    cfg.set_option("maxclients", &["1".to_string()])
        .expect("valid maxclients");
    let rt = Running::start(1, cfg, true);
    let mut first = rt.tcp();
    roundtrip(&mut first, b"PING\r\n", b"+PONG\r\n");
    let mut second = rt.tcp();
    assert_eq!(
        read_eof(&mut second),
        b"-ERR max number of clients reached\r\n"
    );
    assert_eq!(rt.engine.lock().stats.rejected_connections, 1);
    roundtrip(&mut first, b"PING\r\n", b"+PONG\r\n");
}

#[test]
fn client_state_has_connection_facts() {
    let rt = Running::start(1, Config::default(), true);
    let mut c = rt.tcp();
    // A partial command stays in the query buffer.
    roundtrip(&mut c, b"PING\r\n*2\r\n$3\r\nGET\r\n$1\r\n", b"+PONG\r\n");
    let engine = rt.engine.lock();
    let state = engine.clients.iter().next().unwrap();
    assert!(state.conn.fd >= 0);
    assert!(state.conn.addr.starts_with("127.0.0.1:"));
    assert_eq!(state.conn.laddr, format!("127.0.0.1:{}", rt.port));
    assert_eq!(state.last_cmd.to_string(), "ping");
}

#[test]
fn nothing_to_listen_on_is_an_error() {
    let engine = Arc::new(FastLock::new(Engine::new(
        Config::default(),
        ServerInfo::default(),
        1,
    )));
    let opts = RuntimeOptions {
        port: 0,
        ..RuntimeOptions::from_config(&Config::default())
    };
    assert!(Runtime::bind(engine, &opts).is_err());
}

#[test]
fn slow_reader_output_is_bounded_and_complete() {
    let rt = Running::start(1, Config::default(), true);
    let mut c = rt.tcp();
    let value = vec![b'z'; 1024 * 1024];
    let mut set = b"*3\r\n$3\r\nSET\r\n$1\r\nv\r\n$1048576\r\n".to_vec();
    set.extend_from_slice(&value);
    set.extend_from_slice(b"\r\n");
    roundtrip(&mut c, &set, b"+OK\r\n");
    // 100 MB of replies asked for, none read for a while.
    let gets = b"GET v\r\n".repeat(100);
    c.write_all(&gets).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let omem = rt.engine.lock().clients.iter().next().unwrap().omem;
    let bound = keyrs_io::conn::OUTPUT_PAUSE_BYTES + value.len() + 64;
    assert!(omem > 0, "some output is waiting");
    assert!(
        omem <= bound,
        "output {omem} exceeds the pause bound {bound}"
    );
    let mut reply = vec![0u8; value.len() + b"$1048576\r\n\r\n".len()];
    for _ in 0..100 {
        c.read_exact(&mut reply).unwrap();
        assert!(reply.starts_with(b"$1048576\r\nzzz"));
    }
    roundtrip(&mut c, b"PING\r\n", b"+PONG\r\n");
}

#[test]
fn cron_refreshes_host_figures() {
    let rt = Running::start(1, Config::default(), true);
    let deadline = Instant::now() + Duration::from_secs(5);
    while rt.engine.lock().host.used_memory_rss == 0 {
        assert!(Instant::now() < deadline, "RSS never sampled");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Read one bulk-string reply.
fn read_bulk(s: &mut impl Read) -> String {
    let mut header = Vec::new();
    let mut byte = [0u8; 1];
    while !header.ends_with(b"\r\n") {
        s.read_exact(&mut byte).unwrap();
        header.push(byte[0]);
    }
    let text = String::from_utf8(header).unwrap();
    let len: usize = text.trim_end().strip_prefix('$').unwrap().parse().unwrap();
    let mut body = vec![0u8; len + 2];
    s.read_exact(&mut body).unwrap();
    String::from_utf8(body[..len].to_vec()).unwrap()
}

#[test]
fn info_shows_the_engine_lock_figures() {
    let rt = Running::start(2, Config::default(), true);
    let mut clients: Vec<TcpStream> = (0..8).map(|_| rt.tcp()).collect();
    for c in &mut clients {
        roundtrip(c, b"SET k v\r\n", b"+OK\r\n");
    }
    let c = &mut clients[0];
    c.write_all(b"INFO stats\r\n").unwrap();
    let stats = read_bulk(c);
    // The batch running INFO holds the lock, so at least 1.
    let contention: u64 = stats
        .split("\r\n")
        .find_map(|l| l.strip_prefix("instantaneous_lock_contention:"))
        .expect("instantaneous_lock_contention")
        .parse()
        .unwrap();
    assert!(contention >= 1, "{stats}");
    assert!(stats.contains("\r\navg_lock_contention:"), "{stats}");
    c.write_all(b"INFO cpu\r\n").unwrap();
    let cpu = read_bulk(c);
    assert!(cpu.contains("\r\nlong_lock_waits:"), "{cpu}");
    // Every batch took the lock through the ticket lock.
    let s = rt.engine.stats();
    assert!(s.acquisitions >= 10, "{s:?}");
    assert!(s.contended <= s.acquisitions && s.long_waits <= s.contended);
}
