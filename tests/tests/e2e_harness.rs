//! The harness itself: both flavors start, answer, and agree on the basics.

use keyrs_tests::{Flavor, Server};

#[test]
fn keyrs_and_redis_agree_on_basic_replies() {
    let keyrs = Server::start(&[]);
    assert_eq!(keyrs.flavor(), Flavor::Keyrs);
    let Some(redis) = Server::start_redis(&[]) else {
        println!("note: redis-server not on PATH, skipping the comparison");
        return;
    };
    assert_eq!(redis.flavor(), Flavor::Redis);
    assert_ne!(keyrs.port(), redis.port());
    let script: &[&[&[u8]]] = &[
        &[b"PING"],
        &[b"PING", b"hello"],
        &[b"ECHO", b"x y"],
        &[b"SET", b"k", b"v"],
        &[b"GET", b"k"],
        &[b"GET", b"missing"],
        &[b"EXISTS", b"k", b"k", b"missing"],
        &[b"DBSIZE"],
        &[b"SELECT", b"abc"],
        &[b"DEL", b"k"],
        &[b"GET"],
        &[b"NOSUCHCOMMAND", b"arg"],
    ];
    let mut a = keyrs.raw();
    let mut b = redis.raw();
    for cmd in script {
        let ours = a.call(cmd).unwrap();
        let theirs = b.call(cmd).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&theirs),
            "command {:?}",
            cmd.iter()
                .map(|x| String::from_utf8_lossy(x))
                .collect::<Vec<_>>()
        );
    }
}

#[test]
fn dropping_a_server_kills_it() {
    let server = Server::start(&[]);
    let port = server.port();
    let pid = server.pid().unwrap();
    drop(server);
    assert!(!keyrs_tests::server::ping(port));
    // `Drop` kills and reaps: not even a zombie is left in /proc.
    assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists());
}
