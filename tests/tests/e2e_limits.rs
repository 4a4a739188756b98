//! maxclients and the idle timeout, end to end.

use std::time::{Duration, Instant};

use keyrs_tests::Server;

#[test]
fn maxclients_refuses_with_redis_error_and_frees_slots() {
    let server = Server::start(&["--maxclients", "2"]);
    let mut a = server.raw();
    let mut b = server.raw();
    assert_eq!(a.call(&[b"PING"]).unwrap(), b"+PONG\r\n");
    assert_eq!(b.call(&[b"PING"]).unwrap(), b"+PONG\r\n");

    let mut refused = server.raw();
    let got = refused.read_until_closed(Duration::from_secs(10)).unwrap();
    assert_eq!(got, b"-ERR max number of clients reached\r\n");

    // The two admitted clients still work.
    assert_eq!(a.call(&[b"SET", b"k", b"v"]).unwrap(), b"+OK\r\n");
    assert_eq!(b.call(&[b"GET", b"k"]).unwrap(), b"$1\r\nv\r\n");

    // Closing one frees its slot.
    drop(a);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut c = server.raw();
        match c.call(&[b"PING"]) {
            Ok(r) if r == b"+PONG\r\n" => break,
            other => {
                assert!(Instant::now() < deadline, "slot never freed: {other:?}");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

#[test]
fn idle_clients_are_closed_after_timeout() {
    let server = Server::start(&["--timeout", "1"]);
    let mut idle = server.raw();
    assert_eq!(idle.call(&[b"PING"]).unwrap(), b"+PONG\r\n");
    let started = Instant::now();
    let rest = idle.read_until_closed(Duration::from_secs(10)).unwrap();
    let waited = started.elapsed();
    assert!(rest.is_empty());
    assert!(
        waited >= Duration::from_millis(900),
        "closed too early: {waited:?}"
    );

    // A client that keeps talking stays.
    let mut busy = server.raw();
    for _ in 0..8 {
        assert_eq!(busy.call(&[b"PING"]).unwrap(), b"+PONG\r\n");
        std::thread::sleep(Duration::from_millis(300));
    }
}
