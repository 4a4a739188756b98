//! Keyspace notifications, differentially: the same command sequence, touching
//! every data type, runs on keyrs and on a real redis-server with
//! `notify-keyspace-events KEA`; a pattern subscriber on each captures the
//! `__keyspace@*__` and `__keyevent@*__` messages, and the two captures must be
//! byte for byte equal (event names, order, channels, keys).
//!
//! Skipped with a note when redis-server is not on PATH, unless
//! `KEYRS_REQUIRE_REDIS=1`, when it fails.

use std::time::{Duration, Instant};

use keyrs_tests::{RawClient, Server};

/// Commands over every type, including deletes of emptied containers,
/// renames, expiry set/removed, stores, and commands that change nothing
/// (which must publish nothing).
const SCRIPT: &[&[&str]] = &[
    &["SET", "s", "1"],
    &["APPEND", "s", "2"],
    &["INCRBY", "s", "5"],
    &["INCRBYFLOAT", "s", "0.5"],
    &["SETRANGE", "s", "0", "x"],
    &["SET", "n", "1", "NX"],
    &["SET", "n", "2", "NX"],
    &["EXPIRE", "n", "100"],
    &["PERSIST", "n"],
    &["RENAME", "n", "n2"],
    &["COPY", "n2", "n3"],
    &["MOVE", "n3", "1"],
    &["DEL", "n2", "missing"],
    &["LPUSH", "l", "a", "b", "c"],
    &["RPUSH", "l", "d"],
    &["LPOP", "l"],
    &["LSET", "l", "0", "z"],
    &["LINSERT", "l", "BEFORE", "z", "y"],
    &["LREM", "l", "1", "y"],
    &["LTRIM", "l", "0", "1"],
    &["LMOVE", "l", "l2", "LEFT", "RIGHT"],
    &["RPOP", "l"],
    &["RPOP", "l2"],
    &["HSET", "h", "f", "1", "g", "2"],
    &["HINCRBY", "h", "f", "3"],
    &["HINCRBYFLOAT", "h", "g", "1.5"],
    &["HDEL", "h", "f", "nofield"],
    &["HDEL", "h", "g"],
    &["SADD", "st", "1", "2", "3"],
    &["SREM", "st", "1"],
    &["SMOVE", "st", "st2", "2"],
    &["SADD", "st3", "9"],
    &["SINTERSTORE", "dst", "st", "st3"],
    &["SUNIONSTORE", "dst", "st", "st3"],
    &["SPOP", "st"],
    &["ZADD", "z", "1", "a", "2", "b", "3", "c"],
    &["ZINCRBY", "z", "5", "a"],
    &["ZREM", "z", "b"],
    &["ZREMRANGEBYSCORE", "z", "0", "3"],
    &["ZUNIONSTORE", "zu", "1", "z"],
    &["ZPOPMIN", "z"],
    &["ZRANGESTORE", "zr", "zu", "0", "-1"],
    &["XADD", "x", "1-1", "f", "v"],
    &["XGROUP", "CREATE", "x", "g", "0"],
    &["XTRIM", "x", "MAXLEN", "0"],
    &["XDEL", "x", "1-1"],
    &["SETBIT", "b", "7", "1"],
    &["BITOP", "NOT", "b2", "b"],
    &["PFADD", "hll", "a", "b"],
    &["PFMERGE", "hll2", "hll"],
    &["GEOADD", "geo", "13.361389", "38.115556", "Palermo"],
    &["SORT", "zu", "ALPHA", "STORE", "sorted"],
    &["GETDEL", "s"],
    &["FLUSHDB"],
    // The last event, so the capture knows when to stop.
    &["SET", "end", "1"],
];

fn capture(server: &Server) -> Vec<u8> {
    let mut sub = server.raw();
    sub.send_command(&[b"PSUBSCRIBE", b"__key*__:*"]).unwrap();
    let _ = sub.read_reply().unwrap();
    let mut c: RawClient = server.raw();
    c.call(&[b"CONFIG", b"SET", b"notify-keyspace-events", b"KEA"])
        .unwrap();
    for cmd in SCRIPT {
        let args: Vec<&[u8]> = cmd.iter().map(|a| a.as_bytes()).collect();
        c.call(&args).unwrap();
    }
    // Read messages until the keyevent for the final SET arrives.
    let mut out = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        assert!(
            Instant::now() < deadline,
            "no final event from {:?}",
            server.flavor()
        );
        let msg = sub.read_reply().unwrap();
        let done = msg
            .windows(b"__keyevent@0__:set\r\n$3\r\nend".len())
            .any(|w| w == b"__keyevent@0__:set\r\n$3\r\nend");
        out.extend_from_slice(&msg);
        if done {
            return out;
        }
    }
}

#[test]
fn keyspace_events_match_redis() {
    let Some(redis) = Server::start_redis(&[]) else {
        if std::env::var("KEYRS_REQUIRE_REDIS").is_ok_and(|v| v == "1") {
            panic!("redis-server is not on PATH and KEYRS_REQUIRE_REDIS=1");
        }
        println!("note: redis-server not on PATH, skipping the notification differential test");
        return;
    };
    let keyrs = Server::start(&[]);
    let theirs = capture(&redis);
    let ours = capture(&keyrs);
    let show = |b: &[u8]| String::from_utf8_lossy(b).replace("\r\n", " ");
    for event in [
        "lpush",
        "linsert",
        "ltrim",
        "hincrbyfloat",
        "srem",
        "sunionstore",
        "zunionstore",
        "xgroup-create",
        "setbit",
        "pfadd",
        "sortstore",
        "rename_to",
        "move_from",
        "persist",
        "del",
    ] {
        let needle = format!("__keyevent@0__:{event}\r\n");
        assert!(
            theirs.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "redis capture lacks {event}: {}",
            show(&theirs)
        );
    }
    assert_eq!(show(&ours), show(&theirs));
}
