//! `server-threads N` end to end: many clients on several event loops share
//! one keyspace exactly, transactions stay atomic across threads, and what
//! one thread's client causes (a push, a PUBLISH, CLIENT KILL, a command
//! seen by MONITOR) reaches clients another thread owns. Connection
//! balancing is checked through KeyDB's INFO fields.

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use keyrs_tests::{on_path, RawClient, Server};

fn call(c: &mut RawClient, line: &str) -> String {
    let args: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
    String::from_utf8(c.call(&args).expect("reply")).expect("utf8")
}

/// A bulk reply's payload (INFO, CLIENT INFO).
fn bulk(reply: &str) -> String {
    reply
        .split_once("\r\n")
        .map(|(_, rest)| rest.trim_end_matches("\r\n").to_string())
        .unwrap_or_default()
}

/// `name:value` fields of an INFO reply.
fn info(c: &mut RawClient, section: &str) -> BTreeMap<String, String> {
    bulk(&call(c, &format!("INFO {section}")))
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.to_string(), v.trim().to_string()))
        .collect()
}

/// The thread that owns this connection, from its CLIENT INFO line.
fn thread_of(c: &mut RawClient) -> usize {
    let line = bulk(&call(c, "CLIENT INFO"));
    line.split(' ')
        .find_map(|kv| kv.strip_prefix("thread="))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no thread= in {line}"))
}

/// Poll until `cond` holds, or fail after a few seconds.
fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Wait until only the asking connection is left (the harness's readiness
/// PING connection may still be closing).
fn wait_alone(c: &mut RawClient) {
    eventually("the readiness probe to go", || {
        info(c, "clients")["connected_clients"] == "1"
    });
}

/// Two connections owned by different threads (balancing with
/// `min-clients-per-thread 0` spreads consecutive connections; the extra
/// ones are kept open so the spread is not undone).
fn on_two_threads(server: &Server) -> (RawClient, RawClient, Vec<RawClient>) {
    let mut a = server.raw();
    let ta = thread_of(&mut a);
    let mut spare = Vec::new();
    for _ in 0..8 {
        let mut b = server.raw();
        if thread_of(&mut b) != ta {
            return (a, b, spare);
        }
        spare.push(b);
    }
    panic!("every connection landed on thread {ta}");
}

const FOUR: &[&str] = &["--server-threads", "4", "--min-clients-per-thread", "0"];

#[test]
fn concurrent_incr_on_shared_keys_is_exact() {
    let server = Server::start(FOUR);
    const CLIENTS: usize = 40;
    const ROUNDS: usize = 50;
    const PIPELINE: usize = 5;
    let port = server.port();
    let handles: Vec<_> = (0..CLIENTS)
        .map(|i| {
            std::thread::spawn(move || {
                let mut c = RawClient::connect(port).expect("connect");
                let key = format!("k{}", i % 4);
                let mut batch = Vec::new();
                for _ in 0..PIPELINE {
                    batch.extend_from_slice(format!("INCR {key}\r\nINCR total\r\n").as_bytes());
                }
                for _ in 0..ROUNDS {
                    c.send(&batch).expect("send");
                    for r in c.read_replies(PIPELINE * 2).expect("replies") {
                        assert_eq!(r[0], b':', "{}", String::from_utf8_lossy(&r));
                    }
                }
                thread_of(&mut c)
            })
        })
        .collect();
    let threads: Vec<usize> = handles
        .into_iter()
        .map(|h| h.join().expect("client thread"))
        .collect();
    // The clients really were spread over the event loops.
    let mut used: Vec<usize> = threads.clone();
    used.sort_unstable();
    used.dedup();
    assert!(used.len() > 1, "all clients on one thread: {threads:?}");
    let mut c = server.raw();
    let per_key = (CLIENTS / 4 * ROUNDS * PIPELINE).to_string();
    for k in 0..4 {
        assert_eq!(
            call(&mut c, &format!("GET k{k}")),
            format!("${}\r\n{per_key}\r\n", per_key.len())
        );
    }
    let total = (CLIENTS * ROUNDS * PIPELINE).to_string();
    assert_eq!(
        call(&mut c, "GET total"),
        format!("${}\r\n{total}\r\n", total.len())
    );
}

#[test]
fn multi_exec_is_atomic_across_threads() {
    let server = Server::start(FOUR);
    let port = server.port();
    let stop = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut c = RawClient::connect(port).expect("connect");
                let mut seen = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    c.send(b"MULTI\r\nGET a\r\nGET b\r\nEXEC\r\n")
                        .expect("send");
                    let r = c.read_replies(4).expect("replies");
                    let exec = String::from_utf8(r[3].clone()).expect("utf8");
                    // *2 then two bulks (or nils before the first write).
                    let parts: Vec<&str> = exec.split("\r\n").collect();
                    let (a, b) = if parts[1] == "$-1" {
                        (parts[1], parts[2])
                    } else {
                        (parts[2], parts[4])
                    };
                    assert_eq!(a, b, "a transaction was seen half done: {exec:?}");
                    seen += 1;
                }
                seen
            })
        })
        .collect();
    const WRITERS: usize = 8;
    const TX: usize = 150;
    let writers: Vec<_> = (0..WRITERS)
        .map(|_| {
            std::thread::spawn(move || {
                let mut c = RawClient::connect(port).expect("connect");
                for _ in 0..TX {
                    c.send(b"MULTI\r\nINCR a\r\nINCR b\r\nEXEC\r\n")
                        .expect("send");
                    let r = c.read_replies(4).expect("replies");
                    assert!(
                        r[3].starts_with(b"*2\r\n:"),
                        "{:?}",
                        String::from_utf8_lossy(&r[3])
                    );
                }
            })
        })
        .collect();
    for w in writers {
        w.join().expect("writer");
    }
    stop.store(true, Ordering::Relaxed);
    for r in readers {
        assert!(r.join().expect("reader") > 0);
    }
    let mut c = server.raw();
    let want = (WRITERS * TX).to_string();
    let bulk_want = format!("${}\r\n{want}\r\n", want.len());
    assert_eq!(call(&mut c, "GET a"), bulk_want);
    assert_eq!(call(&mut c, "GET b"), bulk_want);
}

#[test]
fn blpop_is_woken_by_a_push_on_another_thread() {
    let server = Server::start(FOUR);
    let (mut waiter, mut pusher, _spare) = on_two_threads(&server);
    waiter.send(b"BLPOP q 0\r\n").expect("send");
    eventually("the waiter to block", || {
        info(&mut pusher, "clients")["blocked_clients"] == "1"
    });
    assert_eq!(call(&mut pusher, "RPUSH q hello"), ":1\r\n");
    assert_eq!(
        waiter.read_reply().expect("popped"),
        b"*2\r\n$1\r\nq\r\n$5\r\nhello\r\n"
    );
    // The waiter runs commands again, and the list is empty.
    assert_eq!(call(&mut waiter, "LLEN q"), ":0\r\n");
}

#[test]
fn pubsub_reaches_subscribers_on_other_threads() {
    let server = Server::start(FOUR);
    let (mut sub, mut publisher, spare) = on_two_threads(&server);
    assert_eq!(
        call(&mut sub, "SUBSCRIBE news"),
        "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n"
    );
    // Subscribers on every thread the spare connections landed on.
    let mut others = spare;
    for o in &mut others {
        call(o, "PSUBSCRIBE n*");
    }
    let receivers = 1 + others.len();
    assert_eq!(
        call(&mut publisher, "PUBLISH news hi"),
        format!(":{receivers}\r\n")
    );
    assert_eq!(
        sub.read_reply().expect("message"),
        b"*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n"
    );
    for o in &mut others {
        assert_eq!(
            o.read_reply().expect("pmessage"),
            b"*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$2\r\nhi\r\n"
        );
    }
}

#[test]
fn client_kill_closes_a_client_of_another_thread() {
    let server = Server::start(FOUR);
    let (mut victim, mut killer, _spare) = on_two_threads(&server);
    let id = call(&mut victim, "CLIENT ID");
    let id = id.trim_start_matches(':').trim();
    assert_eq!(call(&mut killer, &format!("CLIENT KILL ID {id}")), ":1\r\n");
    let rest = victim
        .read_until_closed(Duration::from_secs(5))
        .expect("closed");
    assert!(rest.is_empty(), "{rest:?}");
    let list = bulk(&call(&mut killer, "CLIENT LIST"));
    assert!(!list.contains(&format!("id={id} ")), "{list}");
}

#[test]
fn monitor_sees_commands_of_every_thread() {
    let server = Server::start(FOUR);
    let (mut monitor, mut other, _spare) = on_two_threads(&server);
    assert_eq!(call(&mut monitor, "MONITOR"), "+OK\r\n");
    let addr = bulk(&call(&mut other, "CLIENT INFO"))
        .split(' ')
        .find_map(|kv| kv.strip_prefix("addr=").map(str::to_string))
        .expect("addr");
    call(&mut other, "SET greeting hello");
    let line = String::from_utf8(monitor.read_reply().expect("line")).expect("utf8");
    // CLIENT INFO itself was run first and shown.
    assert!(
        line.ends_with(&format!(" [0 {addr}] \"CLIENT\" \"INFO\"\r\n")),
        "{line}"
    );
    let line = String::from_utf8(monitor.read_reply().expect("line")).expect("utf8");
    assert!(line.starts_with('+'), "{line}");
    assert!(
        line.ends_with(&format!(" [0 {addr}] \"SET\" \"greeting\" \"hello\"\r\n")),
        "{line}"
    );
    // A monitor may not touch the keyspace.
    assert_eq!(
        call(&mut monitor, "GET greeting"),
        "-ERR Replica can't interact with the keyspace\r\n"
    );
    // Its own PING: the reply first, then the line about it (as Redis).
    assert_eq!(call(&mut monitor, "PING"), "+PONG\r\n");
    let line = String::from_utf8(monitor.read_reply().expect("line")).expect("utf8");
    assert!(line.ends_with("] \"PING\"\r\n"), "{line}");
    let list = bulk(&call(&mut other, "CLIENT LIST"));
    assert!(list.lines().any(|l| l.contains(" flags=O ")), "{list}");
}

#[test]
fn balancing_fills_threads_up_to_min_clients_per_thread() {
    let server = Server::start(&["--server-threads", "4", "--min-clients-per-thread", "2"]);
    let mut first = server.raw();
    wait_alone(&mut first);
    let mut conns = vec![first];
    for _ in 0..5 {
        let mut c = server.raw();
        call(&mut c, "PING");
        conns.push(c);
    }
    // KeyDB: the first thread below the minimum takes a new connection.
    let threads: Vec<usize> = conns.iter_mut().map(thread_of).collect();
    assert_eq!(threads, [0, 0, 1, 1, 2, 2]);
    let fields = info(&mut conns[4], "everything");
    assert_eq!(fields["server_threads"], "4");
    assert_eq!(fields["connected_clients"], "6");
    assert_eq!(fields["current_client_thread"], "2");
    for (t, n) in [(0, "2"), (1, "2"), (2, "2"), (3, "0")] {
        assert_eq!(fields[&format!("thread_{t}_clients")], n, "thread {t}");
    }
    // Once every thread has its minimum, the least loaded takes the next.
    let mut more = Vec::new();
    for _ in 0..2 {
        let mut c = server.raw();
        call(&mut c, "PING");
        more.push(c);
    }
    let threads: Vec<usize> = more.iter_mut().map(thread_of).collect();
    assert_eq!(threads, [3, 3]);
    let mut c = server.raw();
    assert_eq!(thread_of(&mut c), 0, "all equal: the first thread");
    // The settings are startup-only, as in KeyDB, except the minimum.
    assert_eq!(
        call(&mut c, "CONFIG SET server-threads 2"),
        "-ERR CONFIG SET failed (possibly related to argument 'server-threads') - can't set immutable config\r\n"
    );
    assert_eq!(
        call(&mut c, "CONFIG SET min-clients-per-thread 5"),
        "+OK\r\n"
    );
    // Now 3/2/2/2: thread 0 is below the new minimum again and takes the
    // next connection (the least loaded would be thread 1). The cron picks
    // the new value up within a tick.
    std::thread::sleep(Duration::from_millis(500));
    let mut d = server.raw();
    assert_eq!(thread_of(&mut d), 0);
}

#[test]
fn without_balancing_the_accepting_thread_keeps_the_connection() {
    let server = Server::start(&["--server-threads", "4", "--active-client-balancing", "no"]);
    let mut conns: Vec<RawClient> = (0..12).map(|_| server.raw()).collect();
    let fields = info(&mut conns[0], "clients");
    let listed: usize = (0..4)
        .map(|t| {
            fields[&format!("thread_{t}_clients")]
                .parse::<usize>()
                .expect("count")
        })
        .sum();
    assert_eq!(listed.to_string(), fields["connected_clients"]);
    for c in &mut conns {
        assert!(thread_of(c) < 4);
    }
}

#[test]
fn out_of_range_thread_counts_are_refused_at_startup() {
    let err = Server::try_start(
        keyrs_tests::Flavor::Keyrs,
        None,
        &["--server-threads", "17"],
    )
    .expect_err("17 threads");
    assert!(
        err.contains(">>> 'server-threads \"17\"'\nInvalid number of threads specified"),
        "{err}"
    );
    // KeyDB's alias.
    let server = Server::start(&["--io-threads", "3"]);
    let mut c = server.raw();
    assert_eq!(info(&mut c, "cpu")["server_threads"], "3");
    assert_eq!(
        call(&mut c, "CONFIG GET server-threads"),
        "*2\r\n$14\r\nserver-threads\r\n$1\r\n3\r\n"
    );
}

#[test]
fn affinity_pins_without_breaking_service() {
    // Offset 1 (`2` means offset 1) on a small machine may name a missing
    // CPU: the server warns and keeps serving.
    let server = Server::start(&["--server-threads", "2", "--server-thread-affinity", "2"]);
    let mut c = server.raw();
    assert_eq!(call(&mut c, "INCR n"), ":1\r\n");
    assert_eq!(
        call(&mut c, "CONFIG GET server-thread-affinity"),
        "*2\r\n$22\r\nserver-thread-affinity\r\n$1\r\n2\r\n"
    );
}

#[test]
fn redis_benchmark_against_two_threads_stays_correct() {
    let Some(bench) = on_path("redis-benchmark") else {
        eprintln!("redis-benchmark not on PATH; skipped");
        return;
    };
    let server = Server::start(&["--server-threads", "2", "--min-clients-per-thread", "0"]);
    const N: usize = 20_000;
    let out = Command::new(bench)
        .args([
            "-p",
            &server.port().to_string(),
            "-c",
            "20",
            "-P",
            "8",
            "-q",
        ])
        .args(["-n", &N.to_string(), "-t", "set,get,incr,lpush,rpop,sadd"])
        .output()
        .expect("redis-benchmark runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut c = server.raw();
    // Without -r every INCR hits the same key: the count is exact.
    let want = N.to_string();
    assert_eq!(
        call(&mut c, "GET counter:__rand_int__"),
        format!("${}\r\n{want}\r\n", want.len())
    );
    // Every LPUSH added an element, RPOP removed as many.
    assert_eq!(call(&mut c, "LLEN mylist"), ":0\r\n");
    assert_eq!(call(&mut c, "SCARD myset"), ":1\r\n");
    // The SET payload is redis-benchmark's default 3 bytes.
    assert_eq!(call(&mut c, "STRLEN key:__rand_int__"), ":3\r\n");
    wait_alone(&mut c);
    assert_eq!(c.call(&[b"PING"]).expect("pong"), b"+PONG\r\n");
}

#[test]
fn unix_socket_clients_are_balanced_too() {
    use std::io::{Read, Write};
    use std::os::unix::net::UnixStream;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("keyrs.sock");
    let path_text = path.to_str().expect("utf8 path").to_string();
    let server = Server::start(&[
        "--server-threads",
        "2",
        "--min-clients-per-thread",
        "0",
        "--unixsocket",
        &path_text,
    ]);
    let mut tcp = server.raw();
    assert_eq!(call(&mut tcp, "MONITOR"), "+OK\r\n");
    let mut threads = Vec::new();
    let mut socks = Vec::new();
    for _ in 0..3 {
        let mut s = UnixStream::connect(&path).expect("unix connect");
        s.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        s.write_all(b"CLIENT INFO\r\n").expect("send");
        let mut buf = vec![0u8; 4096];
        let mut got = Vec::new();
        while !got.ends_with(b"\n\r\n") {
            let n = s.read(&mut buf).expect("read");
            assert!(n > 0, "closed");
            got.extend_from_slice(&buf[..n]);
        }
        let line = String::from_utf8(got).expect("utf8");
        let thread: usize = line
            .split(' ')
            .find_map(|kv| kv.strip_prefix("thread="))
            .and_then(|v| v.trim().parse().ok())
            .expect("thread=");
        assert!(line.contains(" flags=U "), "{line}");
        threads.push(thread);
        socks.push(s);
    }
    threads.sort_unstable();
    threads.dedup();
    assert_eq!(threads, [0, 1], "unix clients on both threads");
    // MONITOR names them as Redis does.
    let line = String::from_utf8(tcp.read_reply().expect("line")).expect("utf8");
    assert!(
        line.ends_with(&format!(" [0 unix:{path_text}] \"CLIENT\" \"INFO\"\r\n")),
        "{line}"
    );
}

/// `clients` connections each send `rounds` INCRs one at a time (no
/// pipelining: the load event coalescing is for), checking every reply.
fn one_at_a_time_incr(port: u16, clients: usize, rounds: usize) {
    let handles: Vec<_> = (0..clients)
        .map(|_| {
            std::thread::spawn(move || {
                let mut c = RawClient::connect(port).expect("connect");
                for _ in 0..rounds {
                    let r = c.call(&[b"INCR", b"total"]).expect("reply");
                    assert_eq!(r[0], b':', "{}", String::from_utf8_lossy(&r));
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("client thread");
    }
}

#[test]
fn event_coalescing_pauses_under_many_clients_and_loses_nothing() {
    // Coalescing from 4 clients on (the default is 16), on two event loops.
    let server = Server::start(&[
        "--server-threads",
        "2",
        "--min-clients-per-thread",
        "0",
        "--event-coalesce-min-clients",
        "4",
    ]);
    let mut c = server.raw();
    assert_eq!(
        call(&mut c, "CONFIG GET event-coalesce-us"),
        "*2\r\n$17\r\nevent-coalesce-us\r\n$2\r\n30\r\n"
    );
    let pauses = |c: &mut RawClient| -> u64 {
        info(c, "cpu")["event_coalesce_pauses"]
            .parse()
            .expect("a count")
    };
    assert_eq!(pauses(&mut c), 0, "no pause before any load");
    const CLIENTS: usize = 32;
    const ROUNDS: usize = 150;
    one_at_a_time_incr(server.port(), CLIENTS, ROUNDS);
    let want = (CLIENTS * ROUNDS).to_string();
    assert_eq!(
        call(&mut c, "GET total"),
        format!("${}\r\n{want}\r\n", want.len())
    );
    let taken = pauses(&mut c);
    assert!(
        taken > 0,
        "32 clients one request at a time: no pause taken"
    );

    // Turned off, no event loop pauses any more (the cron hands the new
    // value to the event loops within a tick: hz 10).
    assert_eq!(call(&mut c, "CONFIG SET event-coalesce-us 0"), "+OK\r\n");
    std::thread::sleep(Duration::from_millis(1000));
    let before = pauses(&mut c);
    one_at_a_time_incr(server.port(), CLIENTS, ROUNDS);
    let want = (2 * CLIENTS * ROUNDS).to_string();
    assert_eq!(
        call(&mut c, "GET total"),
        format!("${}\r\n{want}\r\n", want.len())
    );
    assert_eq!(pauses(&mut c), before);
    assert!(
        call(&mut c, "CONFIG SET event-coalesce-us 1001").starts_with("-ERR CONFIG SET failed"),
        "the pause is bounded"
    );
}
