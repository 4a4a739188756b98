//! Listening sockets, built with socket2 so every TCP listener carries
//! SO_REUSEADDR (restart while old connections linger in TIME_WAIT) and
//! SO_REUSEPORT (one listener per worker thread on the same address; the
//! kernel spreads incoming connections across them).
//!
//! A consequence of SO_REUSEPORT worth knowing: a second keyrs-server run by
//! the same user on the same port binds successfully instead of failing with
//! "Address already in use", and the two share incoming connections.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};

use mio::event::Source;
use mio::net::{TcpListener, UnixListener};
use mio::{Interest, Registry, Token};
use socket2::{Domain, Protocol, Socket, Type};

use crate::conn::Stream;

/// Redis's default `tcp-backlog`.
pub const TCP_BACKLOG_DEFAULT: i32 = 511;

/// One address of the `bind` directive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BindAddr {
    /// The address to bind.
    pub ip: IpAddr,
    /// A `-` prefix: failing to bind it (e.g. no IPv6) is not fatal.
    pub optional: bool,
}

/// Parse a `bind` word as Redis does: a `-` prefix marks it optional, `*`
/// means every IPv4 address and `::*` every IPv6 address.
pub fn parse_bind(word: &str) -> Result<BindAddr, String> {
    let (optional, addr) = match word.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, word),
    };
    let ip = match addr {
        "*" => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        "::*" => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        "localhost" => IpAddr::V4(Ipv4Addr::LOCALHOST),
        other => other
            .parse()
            .map_err(|_| format!("Invalid bind address '{word}'"))?,
    };
    Ok(BindAddr { ip, optional })
}

/// A socket for `addr` with SO_REUSEADDR (and SO_REUSEPORT when asked).
fn tcp_socket(addr: SocketAddr, reuse_port: bool) -> io::Result<Socket> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_address(true)?;
    if reuse_port {
        socket.set_reuse_port(true)?;
    }
    if addr.is_ipv6() {
        // As Redis: `::` must not also claim the IPv4 port (a separate `*`
        // bind may want it).
        socket.set_only_v6(true)?;
    }
    Ok(socket)
}

/// A non-blocking TCP listener on `addr` with SO_REUSEADDR, and with
/// SO_REUSEPORT when `reuse_port` (several workers of this process, each
/// with its own listener on the same address).
pub fn bind_tcp(addr: SocketAddr, backlog: i32, reuse_port: bool) -> io::Result<TcpListener> {
    let socket = tcp_socket(addr, reuse_port)?;
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(backlog)?;
    Ok(TcpListener::from_std(socket.into()))
}

/// Fail with `AddrInUse` when anything already listens on `addr`, including
/// another process's SO_REUSEPORT listener that our own SO_REUSEPORT bind
/// would silently join (splitting clients between two servers). A probe
/// bind without SO_REUSEPORT, dropped at once.
pub fn ensure_unclaimed(addr: SocketAddr) -> io::Result<()> {
    tcp_socket(addr, false)?.bind(&addr.into())
}

/// A Unix-domain listener at `path`; a stale socket file is removed first
/// (as Redis does), and `perm` (e.g. `0o700`) applied when given.
pub fn bind_unix(path: &Path, perm: Option<u32>) -> io::Result<UnixListener> {
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let listener = UnixListener::bind(path)?;
    if let Some(mode) = perm {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    Ok(listener)
}

/// A worker's listening socket.
#[derive(Debug)]
pub enum Listener {
    /// TCP.
    Tcp(TcpListener),
    /// Unix domain; the path is removed when the listener is dropped.
    Unix(UnixListener, PathBuf),
}

impl Listener {
    /// Accept one connection: the stream, the peer's and our address text.
    pub fn accept(&self) -> io::Result<(Stream, String, String)> {
        match self {
            Listener::Tcp(l) => {
                let (s, peer) = l.accept()?;
                // Replies are small and latency matters more than packet count.
                if let Err(e) = s.set_nodelay(true) {
                    tracing::debug!(error = %e, "TCP_NODELAY failed");
                }
                let local = s.local_addr().map(|a| a.to_string()).unwrap_or_default();
                Ok((Stream::Tcp(s), peer.to_string(), local))
            }
            Listener::Unix(l, path) => {
                let (s, _) = l.accept()?;
                // CLIENT LIST shows Unix peers as `path:0` on both sides.
                let name = format!("{}:0", path.display());
                Ok((Stream::Unix(s), name.clone(), name))
            }
        }
    }

    /// The TCP address, for listeners that have one.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        match self {
            Listener::Tcp(l) => l.local_addr().ok(),
            Listener::Unix(..) => None,
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Listener::Unix(_, path) = self {
            let _ = std::fs::remove_file(path);
        }
    }
}

impl Source for Listener {
    fn register(&mut self, r: &Registry, t: Token, i: Interest) -> io::Result<()> {
        match self {
            Listener::Tcp(l) => l.register(r, t, i),
            Listener::Unix(l, _) => l.register(r, t, i),
        }
    }

    fn reregister(&mut self, r: &Registry, t: Token, i: Interest) -> io::Result<()> {
        match self {
            Listener::Tcp(l) => l.reregister(r, t, i),
            Listener::Unix(l, _) => l.reregister(r, t, i),
        }
    }

    fn deregister(&mut self, r: &Registry) -> io::Result<()> {
        match self {
            Listener::Tcp(l) => l.deregister(r),
            Listener::Unix(l, _) => l.deregister(r),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bind_words() {
        assert_eq!(
            parse_bind("127.0.0.1"),
            Ok(BindAddr {
                ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
                optional: false
            })
        );
        assert_eq!(
            parse_bind("-::1"),
            Ok(BindAddr {
                ip: IpAddr::V6(Ipv6Addr::LOCALHOST),
                optional: true
            })
        );
        assert_eq!(
            parse_bind("*").map(|b| b.ip),
            Ok(Ipv4Addr::UNSPECIFIED.into())
        );
        assert_eq!(
            parse_bind("::*").map(|b| b.ip),
            Ok(Ipv6Addr::UNSPECIFIED.into())
        );
        assert!(parse_bind("nonsense").is_err());
    }

    #[test]
    fn two_listeners_share_a_port_with_reuseport() {
        let a = bind_tcp("127.0.0.1:0".parse().expect("addr"), 16, true).expect("first bind");
        let addr = a.local_addr().expect("local addr");
        let b = bind_tcp(addr, 16, true).expect("second bind on the same port");
        assert_eq!(b.local_addr().expect("local addr"), addr);
        // But a probe sees the port as taken, so a second server refuses it.
        let err = ensure_unclaimed(addr).expect_err("port is claimed");
        assert_eq!(err.kind(), io::ErrorKind::AddrInUse);
    }

    #[test]
    fn without_reuseport_a_second_bind_fails() {
        let a = bind_tcp("127.0.0.1:0".parse().expect("addr"), 16, false).expect("first bind");
        let addr = a.local_addr().expect("local addr");
        let err = bind_tcp(addr, 16, true).expect_err("second bind");
        assert_eq!(err.kind(), io::ErrorKind::AddrInUse);
        drop(a);
        ensure_unclaimed(addr).expect("free again once closed");
    }
}
