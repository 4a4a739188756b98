//! A TCP proxy the test controls, for partitioning real server processes:
//! it listens on a port from the harness's range and forwards every accepted
//! connection to a target port on 127.0.0.1, byte for byte in both
//! directions. [`Proxy::cut`] drops every live connection and makes new ones
//! fail (closed right after accept) until [`Proxy::heal`]; dropping the
//! proxy stops it and closes everything.
//!
//! Plain std threads: one accept thread, two copy threads per connection.
//! The target may be set after the proxy starts ([`Proxy::unbound`] and
//! [`Proxy::set_target`]), because a node's peers need the proxy's port in
//! their configuration before the node itself exists; until a target is set
//! connections are refused the same way as while cut.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::ports;

/// How long a connection to the target may take before the client's
/// connection is closed instead.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// Copy buffer size per direction.
const BUF: usize = 16 * 1024;

/// The state the accept thread and the copy threads share with the handle.
#[derive(Debug, Default)]
struct Shared {
    /// Target port (0 = none yet).
    target: AtomicU64,
    /// Cut: live connections were dropped and new ones are closed at accept.
    cut: AtomicBool,
    /// Set by `Drop`: the accept thread exits.
    stop: AtomicBool,
    /// Live connections: both sockets of each, so `cut` can shut them down
    /// from outside the copy threads (which sit in blocking reads).
    live: Mutex<Vec<Link>>,
    /// Next link id.
    next_id: AtomicU64,
    /// Connections accepted and forwarded (for tests and diagnostics).
    forwarded: AtomicU64,
    /// Connections closed at accept because the proxy was cut or unbound.
    refused: AtomicU64,
}

/// One forwarded connection: the client side and the target side.
#[derive(Debug)]
struct Link {
    id: u64,
    client: TcpStream,
    upstream: TcpStream,
}

impl Link {
    fn close(&self) {
        let _ = self.client.shutdown(Shutdown::Both);
        let _ = self.upstream.shutdown(Shutdown::Both);
    }
}

/// A running proxy; stopped (every connection closed) when dropped.
#[derive(Debug)]
pub struct Proxy {
    port: u16,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl Proxy {
    /// A proxy on a free port forwarding to 127.0.0.1:`target`.
    pub fn start(target: u16) -> Proxy {
        let p = Proxy::unbound();
        p.set_target(target);
        p
    }

    /// A proxy on a free port with no target yet: it accepts and closes
    /// every connection until [`Proxy::set_target`].
    pub fn unbound() -> Proxy {
        let (listener, port) = bind_free();
        let shared = Arc::new(Shared::default());
        let s = Arc::clone(&shared);
        let accept = std::thread::Builder::new()
            .name(format!("proxy-{port}"))
            .spawn(move || accept_loop(listener, s))
            .expect("spawn the proxy's accept thread");
        Proxy {
            port,
            shared,
            accept: Some(accept),
        }
    }

    /// The port the proxy listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Forward new connections to 127.0.0.1:`target` from now on (live
    /// connections keep their old target).
    pub fn set_target(&self, target: u16) {
        self.shared
            .target
            .store(u64::from(target), Ordering::SeqCst);
    }

    /// The current target port, if any.
    pub fn target(&self) -> Option<u16> {
        match self.shared.target.load(Ordering::SeqCst) {
            0 => None,
            t => u16::try_from(t).ok(),
        }
    }

    /// Drop every live connection and refuse new ones until [`Proxy::heal`].
    pub fn cut(&self) {
        // Set the flag first so a connection accepted concurrently is either
        // refused or already registered (and then closed below).
        self.shared.cut.store(true, Ordering::SeqCst);
        let live = lock(&self.shared.live);
        for link in live.iter() {
            link.close();
        }
    }

    /// Forward new connections again.
    pub fn heal(&self) {
        self.shared.cut.store(false, Ordering::SeqCst);
    }

    /// Is the proxy cut?
    pub fn is_cut(&self) -> bool {
        self.shared.cut.load(Ordering::SeqCst)
    }

    /// Connections currently forwarded.
    pub fn live_connections(&self) -> usize {
        lock(&self.shared.live).len()
    }

    /// Connections forwarded since the start.
    pub fn forwarded(&self) -> u64 {
        self.shared.forwarded.load(Ordering::SeqCst)
    }

    /// Connections closed at accept (cut or no target) since the start.
    pub fn refused(&self) -> u64 {
        self.shared.refused.load(Ordering::SeqCst)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.cut.store(true, Ordering::SeqCst);
        for link in lock(&self.shared.live).iter() {
            link.close();
        }
        // Wake the accept thread, blocked in accept(), with one connection.
        let _ = TcpStream::connect_timeout(
            &SocketAddr::from(([127, 0, 0, 1], self.port)),
            Duration::from_secs(1),
        );
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

/// Lock, ignoring poisoning (a panicking copy thread must not wedge the test).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Bind a listener on a port from the harness's range (retrying on the rare
/// race where another process takes the port between check and bind).
fn bind_free() -> (TcpListener, u16) {
    let mut last = None;
    for _ in 0..20 {
        let port = ports::free_port();
        match TcpListener::bind(("127.0.0.1", port)) {
            Ok(l) => return (l, port),
            Err(e) => last = Some(e),
        }
    }
    panic!("proxy: cannot bind a free port: {last:?}");
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let accepted = listener.accept();
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok((client, _)) = accepted else {
            // Transient accept errors (EMFILE, aborted handshakes): back off.
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        let target = shared.target.load(Ordering::SeqCst);
        if shared.cut.load(Ordering::SeqCst) || target == 0 {
            refuse(&shared, client);
            continue;
        }
        let Ok(target) = u16::try_from(target) else {
            refuse(&shared, client);
            continue;
        };
        let upstream = match TcpStream::connect_timeout(
            &SocketAddr::from(([127, 0, 0, 1], target)),
            CONNECT_TIMEOUT,
        ) {
            Ok(u) => u,
            Err(_) => {
                // The target is down (a node being restarted): the client
                // sees its connection closed, as if the node refused it.
                refuse(&shared, client);
                continue;
            }
        };
        // An error here (cloning a socket, spawning a thread) drops both
        // sockets: the client sees a closed connection, as at a cut.
        let _ = forward(&shared, client, upstream);
    }
}

fn refuse(shared: &Shared, client: TcpStream) {
    shared.refused.fetch_add(1, Ordering::SeqCst);
    let _ = client.shutdown(Shutdown::Both);
}

/// Register the connection and start its two copy threads.
fn forward(shared: &Arc<Shared>, client: TcpStream, upstream: TcpStream) -> io::Result<()> {
    let _ = client.set_nodelay(true);
    let _ = upstream.set_nodelay(true);
    let id = shared.next_id.fetch_add(1, Ordering::SeqCst);
    let running = Arc::new(AtomicU8::new(2));
    {
        let mut live = lock(&shared.live);
        // Checked under the lock `cut` takes: either cut sees this link, or
        // this sees the flag.
        if shared.cut.load(Ordering::SeqCst) {
            drop(live);
            let _ = upstream.shutdown(Shutdown::Both);
            refuse(shared, client);
            return Ok(());
        }
        live.push(Link {
            id,
            client: client.try_clone()?,
            upstream: upstream.try_clone()?,
        });
    }
    shared.forwarded.fetch_add(1, Ordering::SeqCst);
    let pairs = [
        (client.try_clone()?, upstream.try_clone()?),
        (upstream, client),
    ];
    for (from, to) in pairs {
        let s = Arc::clone(shared);
        let running = Arc::clone(&running);
        std::thread::Builder::new()
            .name(format!("proxy-link-{id}"))
            .spawn(move || {
                pump(from, to);
                if running.fetch_sub(1, Ordering::SeqCst) == 1 {
                    lock(&s.live).retain(|l| l.id != id);
                }
            })?;
    }
    Ok(())
}

/// Copy `from` to `to` until either side ends, then close both so the
/// other direction ends too (a half-open link would hide a cut).
fn pump(mut from: TcpStream, mut to: TcpStream) {
    let mut buf = vec![0u8; BUF];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = from.shutdown(Shutdown::Both);
    let _ = to.shutdown(Shutdown::Both);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    /// A tiny echo server on a free port; runs until the process ends.
    fn echo_server() -> u16 {
        let (listener, port) = bind_free();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut c) = conn else { continue };
                std::thread::spawn(move || {
                    let mut buf = [0u8; 4096];
                    loop {
                        match c.read(&mut buf) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => {
                                if c.write_all(&buf[..n]).is_err() {
                                    return;
                                }
                            }
                        }
                    }
                });
            }
        });
        port
    }

    fn connect(port: u16) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", port)).expect("connect to the proxy");
        s.set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        s
    }

    /// Send `msg` and read back as many bytes; Err if the link is down.
    fn roundtrip(s: &mut TcpStream, msg: &[u8]) -> io::Result<Vec<u8>> {
        s.write_all(msg)?;
        let mut got = vec![0u8; msg.len()];
        s.read_exact(&mut got)?;
        Ok(got)
    }

    /// Is the connection closed by the peer (EOF or reset) within 5 s?
    fn closed(s: &mut TcpStream) -> bool {
        let mut b = [0u8; 1];
        matches!(s.read(&mut b), Ok(0) | Err(_))
    }

    fn wait(what: &str, mut f: impl FnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if f() {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        panic!("timed out waiting for {what}");
    }

    #[test]
    fn forwards_both_directions() {
        let echo = echo_server();
        let p = Proxy::start(echo);
        assert_ne!(p.port(), echo);
        assert_eq!(p.target(), Some(echo));
        let mut a = connect(p.port());
        let mut b = connect(p.port());
        assert_eq!(roundtrip(&mut a, b"hello").unwrap(), b"hello");
        // A payload larger than one copy buffer arrives whole and in order.
        let big: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        assert_eq!(roundtrip(&mut b, &big).unwrap(), big);
        assert_eq!(roundtrip(&mut a, b"again").unwrap(), b"again");
        assert_eq!(p.forwarded(), 2);
        assert_eq!(p.live_connections(), 2);
        // A client closing its side ends the link in the proxy too.
        drop(a);
        wait("the closed link to be forgotten", || {
            p.live_connections() == 1
        });
    }

    #[test]
    fn cut_drops_live_links_and_refuses_new_ones_until_heal() {
        let echo = echo_server();
        let p = Proxy::start(echo);
        let mut a = connect(p.port());
        assert_eq!(roundtrip(&mut a, b"x").unwrap(), b"x");

        p.cut();
        assert!(p.is_cut());
        assert!(closed(&mut a), "a live link survived the cut");
        wait("no live links", || p.live_connections() == 0);
        // New connections are accepted by the kernel but closed at once.
        let mut b = connect(p.port());
        assert!(closed(&mut b), "a new link got through a cut proxy");
        assert!(p.refused() >= 1);

        p.heal();
        assert!(!p.is_cut());
        let mut c = connect(p.port());
        assert_eq!(roundtrip(&mut c, b"healed").unwrap(), b"healed");
        assert_eq!(p.forwarded(), 2);
    }

    #[test]
    fn unbound_refuses_until_a_target_is_set_and_drop_closes_links() {
        let echo = echo_server();
        let p = Proxy::unbound();
        assert_eq!(p.target(), None);
        let mut a = connect(p.port());
        assert!(closed(&mut a), "an unbound proxy forwarded a link");
        p.set_target(echo);
        let mut b = connect(p.port());
        assert_eq!(roundtrip(&mut b, b"bound").unwrap(), b"bound");

        let port = p.port();
        drop(p);
        assert!(closed(&mut b), "a link survived the proxy");
        // Nothing listens on the port any more.
        assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
    }

    #[test]
    fn a_dead_target_closes_the_client() {
        // A port that was free a moment ago, so (most likely) nothing
        // listens there: the proxy cannot connect and closes the client.
        let dead = ports::free_port();
        let p = Proxy::start(dead);
        let mut a = connect(p.port());
        assert!(closed(&mut a));
        wait("the refusal to be counted", || p.refused() == 1);
        assert_eq!(p.forwarded(), 0);
    }
}
