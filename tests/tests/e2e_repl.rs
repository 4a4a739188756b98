//! Replication end to end with real processes: a real redis-server
//! replicating from keyrs (diskless and disk framing), keyrs replicating
//! from a real redis-server, a chain master -> replica -> sub-replica, a
//! link cut followed by a partial resync (`sync_partial_ok`), a replica
//! restart, failover by REPLICAOF NO ONE and re-pointing (PSYNC2). Every
//! scenario ends with equal DEBUG DIGESTs on all nodes.
//!
//! The tests that need redis-server skip with a note when it is not on
//! PATH, unless `KEYRS_REQUIRE_REDIS=1`.

use std::time::{Duration, Instant};

use keyrs_tests::{RawClient, Server};

/// How long convergence may take.
const CONVERGE: Duration = Duration::from_secs(30);

fn call(s: &Server, args: &[&str]) -> String {
    let mut c = s.raw();
    call_on(&mut c, args)
}

fn call_on(c: &mut RawClient, args: &[&str]) -> String {
    let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    let r = c.call(&args).expect("reply");
    String::from_utf8_lossy(&r).into_owned()
}

fn info_field(s: &Server, section: &str, field: &str) -> Option<String> {
    let text = call(s, &["INFO", section]);
    let prefix = format!("{field}:");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map(|v| v.trim().to_string())
}

fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + CONVERGE;
    while Instant::now() < deadline {
        if cond() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("timed out waiting for {what}");
}

fn redis_or_skip(args: &[&str]) -> Option<Server> {
    // DEBUG DIGEST is off by default in Redis 7.
    let mut all = vec!["--enable-debug-command", "yes"];
    all.extend_from_slice(args);
    match Server::start_redis(&all) {
        Some(s) => Some(s),
        None => {
            if std::env::var("KEYRS_REQUIRE_REDIS").is_ok_and(|v| v == "1") {
                panic!("redis-server is not on PATH and KEYRS_REQUIRE_REDIS=1");
            }
            println!("note: redis-server not on PATH, skipping");
            None
        }
    }
}

fn link_up(s: &Server) -> bool {
    info_field(s, "replication", "master_link_status").as_deref() == Some("up")
}

fn offset(s: &Server) -> u64 {
    info_field(s, "replication", "master_repl_offset")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn digest(s: &Server) -> String {
    call(s, &["DEBUG", "DIGEST"])
}

/// Wait until every replica reached the master's offset and holds the
/// same keyspace.
fn converged(master: &Server, replicas: &[&Server]) {
    eventually("replicas to catch up", || {
        let m = offset(master);
        replicas.iter().all(|r| link_up(r) && offset(r) == m)
    });
    eventually("equal digests", || {
        let d = digest(master);
        replicas.iter().all(|r| digest(r) == d)
    });
    let d = digest(master);
    assert!(
        !d.contains("0000000000000000000000000000000000000000"),
        "empty dataset: {d}"
    );
}

/// A mix of types, expiries, several databases.
fn write_data(s: &Server, tag: &str, n: usize) {
    let mut c = s.raw();
    for i in 0..n {
        let k = format!("{tag}:{i}");
        call_on(&mut c, &["SET", &format!("{k}:s"), &format!("v{i}")]);
        call_on(
            &mut c,
            &["RPUSH", &format!("{k}:l"), "a", "b", &i.to_string()],
        );
        call_on(&mut c, &["HSET", &format!("{k}:h"), "f", &i.to_string()]);
        call_on(&mut c, &["SADD", &format!("{k}:set"), "x", &i.to_string()]);
        call_on(&mut c, &["ZADD", &format!("{k}:z"), &i.to_string(), "m"]);
        call_on(&mut c, &["INCR", &format!("{tag}:counter")]);
    }
    call_on(&mut c, &["SET", &format!("{tag}:ttl"), "x", "EX", "1000"]);
    call_on(&mut c, &["SELECT", "3"]);
    call_on(&mut c, &["SET", &format!("{tag}:db3"), "y"]);
    call_on(&mut c, &["MULTI"]);
    call_on(&mut c, &["LPUSH", &format!("{tag}:tx"), "1"]);
    call_on(&mut c, &["SPOP", &format!("{tag}:none")]);
    call_on(&mut c, &["EXPIRE", &format!("{tag}:tx"), "500"]);
    call_on(&mut c, &["EXEC"]);
}

fn keyrs(args: &[&str]) -> Server {
    let mut all = vec!["--repl-diskless-sync-delay", "0"];
    all.extend_from_slice(args);
    Server::start(&all)
}

#[test]
fn redis_replicates_from_keyrs_diskless_and_disk() {
    for diskless in ["yes", "no"] {
        let master = keyrs(&["--repl-diskless-sync", diskless]);
        write_data(&master, "before", 50);
        let port = master.port().to_string();
        let Some(replica) = redis_or_skip(&["--replicaof", "127.0.0.1", &port]) else {
            return;
        };
        eventually("the redis replica's link", || link_up(&replica));
        write_data(&master, "after", 20);
        converged(&master, &[&replica]);
        assert_eq!(
            info_field(&master, "replication", "connected_slaves").as_deref(),
            Some("1")
        );
        let slave0 = info_field(&master, "replication", "slave0").unwrap();
        assert!(
            slave0.starts_with(&format!(
                "ip=127.0.0.1,port={},state=online,",
                replica.port()
            )),
            "{slave0}"
        );
        assert_eq!(
            info_field(&master, "stats", "sync_full").as_deref(),
            Some("1")
        );
        let role = call(&master, &["ROLE"]);
        assert!(
            role.contains("master") && role.contains(&replica.port().to_string()),
            "{role}"
        );
    }
}

#[test]
fn keyrs_replicates_from_redis() {
    let Some(master) = redis_or_skip(&["--repl-diskless-sync-delay", "0"]) else {
        return;
    };
    write_data(&master, "before", 50);
    let port = master.port().to_string();
    let replica = keyrs(&["--replicaof", "127.0.0.1", &port]);
    eventually("keyrs's link", || link_up(&replica));
    write_data(&master, "after", 30);
    converged(&master, &[&replica]);
    assert_eq!(
        call(&replica, &["SET", "k", "v"]),
        "-READONLY You can't write against a read only replica.\r\n"
    );
    assert_eq!(
        call(&replica, &["REPLICAOF", "127.0.0.1", &port]),
        "+OK Already connected to specified master\r\n"
    );
    let role = call(&replica, &["ROLE"]);
    assert!(
        role.contains("slave") && role.contains("connected"),
        "{role}"
    );
    let text = call(&replica, &["INFO", "replication"]);
    let names: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split_once(':').map(|(k, _)| k))
        .collect();
    assert_eq!(
        names,
        [
            "role",
            "master_host",
            "master_port",
            "master_link_status",
            "master_last_io_seconds_ago",
            "master_sync_in_progress",
            "slave_read_repl_offset",
            "slave_repl_offset",
            "slave_priority",
            "slave_read_only",
            "replica_announced",
            "connected_slaves",
            "master_failover_state",
            "master_replid",
            "master_replid2",
            "master_repl_offset",
            "second_repl_offset",
            "repl_backlog_active",
            "repl_backlog_size",
            "repl_backlog_first_byte_offset",
            "repl_backlog_histlen",
        ]
    );
    // The replica shares the master's id and offsets (PSYNC2).
    assert_eq!(
        info_field(&replica, "replication", "master_replid"),
        info_field(&master, "replication", "master_replid")
    );
    // A link cut on the replica's side: it continues with a partial resync.
    let partial = info_field(&master, "stats", "sync_partial_ok").unwrap();
    assert_eq!(
        call(&replica, &["CLIENT", "KILL", "TYPE", "master"]),
        ":1\r\n"
    );
    eventually("a partial resync", || {
        info_field(&master, "stats", "sync_partial_ok") != Some(partial.clone())
    });
    write_data(&master, "cut", 10);
    converged(&master, &[&replica]);
}

#[test]
fn keyrs_authenticates_to_a_password_protected_redis_master() {
    let Some(master) = redis_or_skip(&["--requirepass", "s3cret"]) else {
        return;
    };
    let port = master.port().to_string();
    let replica = keyrs(&["--replicaof", "127.0.0.1", &port, "--masterauth", "s3cret"]);
    eventually("the authenticated link", || link_up(&replica));
    let mut c = master.raw();
    assert_eq!(call_on(&mut c, &["AUTH", "s3cret"]), "+OK\r\n");
    call_on(&mut c, &["SET", "guarded", "yes"]);
    eventually("the write on the replica", || {
        call(&replica, &["GET", "guarded"]) == "$3\r\nyes\r\n"
    });
}

#[test]
fn chain_cut_partial_resync_and_restart() {
    let master = keyrs(&[]);
    write_data(&master, "a", 30);
    let mp = master.port().to_string();
    let mid = keyrs(&["--replicaof", "127.0.0.1", &mp]);
    eventually("mid's link", || link_up(&mid));
    let midp = mid.port().to_string();
    let leaf = keyrs(&["--replicaof", "127.0.0.1", &midp]);
    eventually("leaf's link", || link_up(&leaf));
    write_data(&master, "b", 30);
    converged(&master, &[&mid, &leaf]);

    // Cut the master's side of mid's link.
    let before = info_field(&master, "stats", "sync_partial_ok").unwrap();
    let killed = call(&master, &["CLIENT", "KILL", "TYPE", "replica"]);
    assert_eq!(killed, ":1\r\n");
    write_data(&master, "c", 10);
    eventually("a partial resync on the master", || {
        info_field(&master, "stats", "sync_partial_ok") != Some(before.clone())
    });
    assert_eq!(
        info_field(&master, "stats", "sync_full").as_deref(),
        Some("1")
    );
    converged(&master, &[&mid, &leaf]);
    // CLIENT LIST flags the links as Redis does.
    assert!(call(&master, &["CLIENT", "LIST", "TYPE", "replica"]).contains(" flags=S "));
    assert!(call(&mid, &["CLIENT", "LIST", "TYPE", "master"]).contains(" flags=M "));

    // A replica restart (no persistence): a new full sync.
    drop(leaf);
    let leaf = keyrs(&["--replicaof", "127.0.0.1", &midp]);
    write_data(&master, "d", 10);
    converged(&master, &[&mid, &leaf]);
}

#[test]
fn failover_by_replicaof_no_one_and_repointing() {
    // No PING from the old master between the promotion and the
    // re-pointing: the offsets stay equal, so both continue partially.
    let master = keyrs(&["--repl-ping-replica-period", "1000"]);
    let mp = master.port().to_string();
    let r1 = keyrs(&["--replicaof", "127.0.0.1", &mp]);
    let r2 = keyrs(&["--replicaof", "127.0.0.1", &mp]);
    write_data(&master, "a", 40);
    converged(&master, &[&r1, &r2]);
    let old_id = info_field(&master, "replication", "master_replid").unwrap();

    // Promote r1; its old history is its secondary id.
    assert_eq!(call(&r1, &["REPLICAOF", "NO", "ONE"]), "+OK\r\n");
    assert_eq!(
        info_field(&r1, "replication", "role").as_deref(),
        Some("master")
    );
    assert_eq!(
        info_field(&r1, "replication", "master_replid2"),
        Some(old_id)
    );
    call(&r1, &["SET", "after-failover", "1"]);
    // Re-point r2 and the old master at r1: PSYNC2 continues partially.
    let p1 = r1.port().to_string();
    assert_eq!(call(&r2, &["REPLICAOF", "127.0.0.1", &p1]), "+OK\r\n");
    assert_eq!(call(&master, &["REPLICAOF", "127.0.0.1", &p1]), "+OK\r\n");
    write_data(&r1, "b", 20);
    converged(&r1, &[&r2, &master]);
    assert_eq!(
        info_field(&r1, "stats", "sync_partial_ok").as_deref(),
        Some("2")
    );
    assert_eq!(info_field(&r1, "stats", "sync_full").as_deref(), Some("0"));
    assert_eq!(call(&master, &["GET", "after-failover"]), "$1\r\n1\r\n");
}

#[test]
fn replication_commands_answer_as_redis() {
    let s = keyrs(&[]);
    assert_eq!(call(&s, &["REPLICAOF", "NO", "ONE"]), "+OK\r\n");
    assert_eq!(
        call(&s, &["REPLICAOF", "127.0.0.1", "99999"]),
        "-ERR Invalid master port\r\n"
    );
    assert_eq!(
        call(&s, &["REPLCONF", "listening-port"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        call(&s, &["REPLCONF", "nope", "1"]),
        "-ERR Unrecognized REPLCONF option: nope\r\n"
    );
    assert_eq!(call(&s, &["WAIT", "0", "0"]), ":0\r\n");
    assert_eq!(
        call(&s, &["CONFIG", "SET", "min-replicas-to-write", "1"]),
        "+OK\r\n"
    );
    assert_eq!(
        call(&s, &["SET", "k", "v"]),
        "-NOREPLICAS Not enough good replicas to write.\r\n"
    );
    call(&s, &["CONFIG", "SET", "min-replicas-to-write", "0"]);
    let role = call(&s, &["ROLE"]);
    assert_eq!(role, "*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n");
    // A replica of nothing reachable: link down, stale reads allowed,
    // WAIT refused.
    let port = keyrs_tests::ports::free_port().to_string();
    assert_eq!(call(&s, &["REPLICAOF", "127.0.0.1", &port]), "+OK\r\n");
    assert_eq!(
        info_field(&s, "replication", "master_link_status").as_deref(),
        Some("down")
    );
    assert!(call(&s, &["WAIT", "1", "0"])
        .starts_with("-ERR WAIT cannot be used with replica instances."));
    call(&s, &["CONFIG", "SET", "replica-serve-stale-data", "no"]);
    assert_eq!(
        call(&s, &["GET", "k"]),
        "-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.\r\n"
    );
    assert!(call(&s, &["INFO", "replication"]).contains("role:slave"));
}

#[test]
fn wait_counts_acknowledging_replicas() {
    let master = keyrs(&[]);
    let mp = master.port().to_string();
    let r = keyrs(&["--replicaof", "127.0.0.1", &mp]);
    eventually("the link", || link_up(&r));
    let mut c = master.raw();
    call_on(&mut c, &["SET", "w", "1"]);
    assert_eq!(call_on(&mut c, &["WAIT", "1", "5000"]), ":1\r\n");
    // Two replicas cannot ack: WAIT times out with the count it has.
    assert_eq!(call_on(&mut c, &["WAIT", "2", "300"]), ":1\r\n");
}
