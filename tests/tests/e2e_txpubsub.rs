//! Transactions and Pub/Sub over real sockets: WATCH from two connections,
//! MULTI/EXEC, a RESP2 and a RESP3 subscriber, keyspace notifications.
//! Expected bytes as redis-server 7.0.15 sends them.

use keyrs_tests::Server;

fn call(c: &mut keyrs_tests::RawClient, line: &str) -> String {
    let args: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
    String::from_utf8(c.call(&args).expect("reply")).unwrap()
}

fn next(c: &mut keyrs_tests::RawClient) -> String {
    String::from_utf8(c.read_reply().expect("message")).unwrap()
}

#[test]
fn watch_from_two_connections() {
    let server = Server::start(&[]);
    let (mut a, mut b) = (server.raw(), server.raw());
    assert_eq!(call(&mut a, "SET k 1"), "+OK\r\n");
    assert_eq!(call(&mut a, "WATCH k"), "+OK\r\n");
    assert_eq!(call(&mut b, "INCR k"), ":2\r\n");
    assert_eq!(call(&mut a, "MULTI"), "+OK\r\n");
    assert_eq!(call(&mut a, "INCR k"), "+QUEUED\r\n");
    assert_eq!(call(&mut a, "EXEC"), "*-1\r\n");
    assert_eq!(call(&mut a, "GET k"), "$1\r\n2\r\n");
    // Untouched: the transaction runs.
    assert_eq!(call(&mut a, "WATCH k"), "+OK\r\n");
    assert_eq!(call(&mut a, "MULTI"), "+OK\r\n");
    assert_eq!(call(&mut a, "INCR k"), "+QUEUED\r\n");
    assert_eq!(call(&mut b, "GET k"), "$1\r\n2\r\n");
    assert_eq!(call(&mut a, "EXEC"), "*1\r\n:3\r\n");
}

#[test]
fn multi_exec_pipelined_and_execabort() {
    let server = Server::start(&[]);
    let mut c = server.raw();
    c.send(b"MULTI\r\nSET a 1\r\nINCR a\r\nGET a\r\nEXEC\r\n")
        .unwrap();
    let replies = c.read_replies(5).unwrap();
    assert_eq!(replies[0], b"+OK\r\n");
    assert_eq!(replies[1], b"+QUEUED\r\n");
    assert_eq!(replies[4], b"*3\r\n+OK\r\n:2\r\n$1\r\n2\r\n");
    c.send(b"MULTI\r\nNOPE\r\nEXEC\r\n").unwrap();
    let replies = c.read_replies(3).unwrap();
    assert_eq!(
        replies[1],
        b"-ERR unknown command 'NOPE', with args beginning with: \r\n"
    );
    assert_eq!(
        replies[2],
        b"-EXECABORT Transaction discarded because of previous errors.\r\n"
    );
    assert_eq!(call(&mut c, "EXEC"), "-ERR EXEC without MULTI\r\n");
}

#[test]
fn pubsub_with_a_resp2_and_a_resp3_subscriber() {
    let server = Server::start(&[]);
    let (mut s2, mut s3, mut p) = (server.raw(), server.raw(), server.raw());
    s2.send(b"SUBSCRIBE news other\r\n").unwrap();
    assert_eq!(
        next(&mut s2),
        "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n"
    );
    assert_eq!(
        next(&mut s2),
        "*3\r\n$9\r\nsubscribe\r\n$5\r\nother\r\n:2\r\n"
    );
    assert!(call(&mut s3, "HELLO 3").starts_with("%7\r\n"));
    assert_eq!(
        call(&mut s3, "PSUBSCRIBE n*"),
        ">3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:1\r\n"
    );
    assert_eq!(call(&mut p, "PUBLISH news hello"), ":2\r\n");
    assert_eq!(
        next(&mut s2),
        "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n"
    );
    assert_eq!(
        next(&mut s3),
        ">4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$5\r\nhello\r\n"
    );
    // RESP2 subscribed mode refuses ordinary commands; RESP3 does not.
    assert_eq!(
        call(&mut s2, "GET x"),
        "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n"
    );
    assert_eq!(call(&mut s2, "PING"), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
    assert_eq!(call(&mut s3, "GET x"), "_\r\n");
    // The RESP3 subscriber publishing to itself gets the push first.
    s3.send(b"PUBLISH nx me\r\n").unwrap();
    assert_eq!(
        next(&mut s3),
        ">4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$2\r\nnx\r\n$2\r\nme\r\n"
    );
    assert_eq!(next(&mut s3), ":1\r\n");
    assert_eq!(
        call(&mut p, "PUBSUB NUMSUB news other nx"),
        "*6\r\n$4\r\nnews\r\n:1\r\n$5\r\nother\r\n:1\r\n$2\r\nnx\r\n:0\r\n"
    );
    // A closed subscriber no longer counts.
    drop(s2);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let n = call(&mut p, "PUBLISH news again");
        if n == ":1\r\n" {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "subscriber not dropped"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // RESET leaves the pub/sub context.
    let mut r = server.raw();
    call(&mut r, "PSUBSCRIBE x*");
    assert_eq!(call(&mut p, "PUBSUB NUMPAT"), ":2\r\n");
    assert_eq!(call(&mut r, "RESET"), "+RESET\r\n");
    assert_eq!(call(&mut r, "GET x"), "$-1\r\n");
    assert_eq!(call(&mut p, "PUBSUB NUMPAT"), ":1\r\n");
}

#[test]
fn keyspace_notifications_reach_a_pattern_subscriber() {
    let server = Server::start(&[]);
    let (mut sub, mut c) = (server.raw(), server.raw());
    assert_eq!(
        call(&mut c, "CONFIG SET notify-keyspace-events KEA"),
        "+OK\r\n"
    );
    call(&mut sub, "PSUBSCRIBE __key*__:*");
    assert_eq!(call(&mut c, "SET foo bar"), "+OK\r\n");
    assert_eq!(
        next(&mut sub),
        "*4\r\n$8\r\npmessage\r\n$10\r\n__key*__:*\r\n$18\r\n__keyspace@0__:foo\r\n$3\r\nset\r\n"
    );
    assert_eq!(
        next(&mut sub),
        "*4\r\n$8\r\npmessage\r\n$10\r\n__key*__:*\r\n$18\r\n__keyevent@0__:set\r\n$3\r\nfoo\r\n"
    );
    assert_eq!(call(&mut c, "PEXPIRE foo 30"), ":1\r\n");
    let mut seen = Vec::new();
    for _ in 0..4 {
        let m = next(&mut sub);
        let parts: Vec<&str> = m.split("\r\n").collect();
        seen.push(format!("{} {}", parts[6], parts[8]));
    }
    // The active cycle deletes it: `expired` without anyone reading it.
    assert_eq!(
        seen,
        [
            "__keyspace@0__:foo expire",
            "__keyevent@0__:expire foo",
            "__keyspace@0__:foo expired",
            "__keyevent@0__:expired foo"
        ]
    );
}

#[test]
fn blpop_woken_by_another_clients_lpush() {
    let server = Server::start(&[]);
    let (mut w, mut p) = (server.raw(), server.raw());
    w.send(b"BLPOP q 0\r\nPING\r\n").unwrap();
    // Nothing comes back while blocked, not even the pipelined PING.
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert_eq!(call(&mut p, "LPUSH q job"), ":1\r\n");
    assert_eq!(next(&mut w), "*2\r\n$1\r\nq\r\n$3\r\njob\r\n");
    assert_eq!(next(&mut w), "+PONG\r\n");
    assert_eq!(call(&mut p, "EXISTS q"), ":0\r\n");
}

#[test]
fn blpop_woken_by_multi_exec() {
    let server = Server::start(&[]);
    let (mut w, mut p) = (server.raw(), server.raw());
    w.send(b"BLPOP q 0\r\n").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    p.send(b"MULTI\r\nRPUSH q a b\r\nLPOP q\r\nEXEC\r\n")
        .unwrap();
    let replies = p.read_replies(4).unwrap();
    assert_eq!(replies[3], b"*2\r\n:2\r\n$1\r\na\r\n");
    assert_eq!(next(&mut w), "*2\r\n$1\r\nq\r\n$1\r\nb\r\n");
}

#[test]
fn blpop_timeout_and_resp3_null() {
    let server = Server::start(&[]);
    let mut w = server.raw();
    let start = std::time::Instant::now();
    assert_eq!(call(&mut w, "BLPOP q 0.2"), "*-1\r\n");
    let waited = start.elapsed();
    assert!(
        waited >= std::time::Duration::from_millis(190),
        "{waited:?}"
    );
    assert!(waited < std::time::Duration::from_secs(3), "{waited:?}");
    assert!(call(&mut w, "HELLO 3").starts_with("%7\r\n"));
    assert_eq!(call(&mut w, "BRPOPLPUSH q q2 0.1"), "_\r\n");
}

#[test]
fn blocked_clients_are_served_in_arrival_order() {
    let server = Server::start(&[]);
    let mut waiters: Vec<_> = (0..3).map(|_| server.raw()).collect();
    let mut p = server.raw();
    for w in &mut waiters {
        w.send(b"BLPOP q 0\r\n").unwrap();
        // Make the arrival order certain.
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(call(&mut p, "RPUSH q 1 2 3"), ":3\r\n");
    for (i, w) in waiters.iter_mut().enumerate() {
        let want = format!("*2\r\n$1\r\nq\r\n$1\r\n{}\r\n", i + 1);
        assert_eq!(next(w), want);
    }
    // CLIENT UNBLOCK from another connection.
    let mut w = server.raw();
    let id = call(&mut w, "CLIENT ID");
    let id = id.trim_start_matches(':').trim_end();
    w.send(b"BLPOP q 0\r\n").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(50));
    assert_eq!(
        call(&mut p, &format!("CLIENT UNBLOCK {id} ERROR")),
        ":1\r\n"
    );
    assert_eq!(
        next(&mut w),
        "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"
    );
}
