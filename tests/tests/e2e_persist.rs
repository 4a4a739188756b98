//! RDB persistence end to end: SAVE/BGSAVE files that a restart loads back,
//! a BGSAVE under concurrent writes that holds exactly one instant, save
//! rules, MISCONF, -LOADING, DEBUG RELOAD, SHUTDOWN SAVE/NOSAVE, and bad
//! files refused with an error instead of a panic.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use keyrs_tests::{Flavor, RawClient, Server};

/// Send a command, return the raw reply as text.
fn call(c: &mut RawClient, args: &[&str]) -> String {
    let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    let r = c.call(&args).expect("reply");
    String::from_utf8_lossy(&r).into_owned()
}

/// SHUTDOWN (with `args`): Redis answers nothing and closes.
fn shutdown(c: &mut RawClient, args: &[&str]) -> String {
    let mut argv: Vec<&[u8]> = vec![b"SHUTDOWN"];
    argv.extend(args.iter().map(|a| a.as_bytes()));
    c.send_command(&argv).expect("send");
    let rest = c
        .read_until_closed(Duration::from_secs(30))
        .expect("closed");
    String::from_utf8_lossy(&rest).into_owned()
}

/// One INFO field.
fn info_field(c: &mut RawClient, field: &str) -> String {
    let text = call(c, &["INFO", "persistence"]);
    let prefix = format!("{field}:");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {field} in {text}"))
        .trim()
        .to_string()
}

/// A server keeping its files in `dir` (which outlives it).
fn server_in(dir: &Path, extra: &[&str]) -> Server {
    let d = dir.to_str().expect("utf8 dir");
    let mut args = vec!["--dir", d];
    args.extend_from_slice(extra);
    Server::start(&args)
}

/// Wait until `f` holds (or fail after `secs`).
fn wait_for(secs: u64, what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("timed out waiting for {what}");
}

fn wait_bgsave_done(c: &mut RawClient) {
    wait_for(60, "the background save", || {
        info_field(c, "rdb_bgsave_in_progress") == "0"
    });
}

/// A dataset with every type, encodings big and small, and TTLs.
fn fill_every_type(c: &mut RawClient) {
    let ok = |r: String| assert!(!r.starts_with('-'), "{r}");
    ok(call(c, &["SET", "str", "hello world"]));
    ok(call(c, &["SET", "int", "-12345"]));
    ok(call(c, &["SET", "long", &"x".repeat(5000)]));
    ok(call(c, &["SET", "ttl", "v", "EX", "1000"]));
    ok(call(c, &["RPUSH", "list", "a", "b", "1", "2"]));
    for i in 0..300 {
        ok(call(c, &["RPUSH", "biglist", &format!("element-{i}")]));
        ok(call(
            c,
            &["HSET", "bighash", &format!("f{i}"), &format!("v{i}")],
        ));
        ok(call(c, &["SADD", "bigset", &format!("m{i}")]));
        ok(call(
            c,
            &["ZADD", "bigzset", &i.to_string(), &format!("m{i}")],
        ));
    }
    ok(call(c, &["HSET", "hash", "a", "1", "b", "2"]));
    ok(call(c, &["SADD", "intset", "1", "2", "3"]));
    ok(call(c, &["SADD", "set", "a", "b"]));
    ok(call(c, &["ZADD", "zset", "1.5", "a", "-2", "b"]));
    ok(call(c, &["XADD", "stream", "1-1", "f", "v"]));
    ok(call(c, &["XADD", "stream", "2-1", "g", "w"]));
    ok(call(c, &["XGROUP", "CREATE", "stream", "grp", "0"]));
    ok(call(
        c,
        &[
            "XREADGROUP",
            "GROUP",
            "grp",
            "alice",
            "COUNT",
            "1",
            "STREAMS",
            "stream",
            ">",
        ],
    ));
    ok(call(c, &["PFADD", "hll", "a", "b", "c"]));
    ok(call(c, &["SETBIT", "bits", "100", "1"]));
    ok(call(c, &["PEXPIRE", "hash", "5000000"]));
    ok(call(c, &["SELECT", "3"]));
    ok(call(c, &["SET", "in-db3", "yes"]));
    ok(call(c, &["SELECT", "0"]));
}

#[test]
fn save_then_restart_restores_every_type() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (digest, ttl) = {
        let mut server = server_in(dir.path(), &["--save", ""]);
        let mut c = server.raw();
        fill_every_type(&mut c);
        let digest = call(&mut c, &["DEBUG", "DIGEST"]);
        let ttl = call(&mut c, &["PEXPIRETIME", "hash"]);
        let before = call(&mut c, &["LASTSAVE"]);
        assert_eq!(call(&mut c, &["SAVE"]), "+OK\r\n");
        assert!(dir.path().join("dump.rdb").is_file());
        assert_eq!(info_field(&mut c, "rdb_changes_since_last_save"), "0");
        assert!(call(&mut c, &["LASTSAVE"]) >= before);
        assert_eq!(shutdown(&mut c, &["NOSAVE"]), "");
        server.wait_exit(Duration::from_secs(10)).expect("exit");
        (digest, ttl)
    };
    let server = server_in(dir.path(), &["--save", ""]);
    let mut c = server.raw();
    wait_for(30, "loading", || info_field(&mut c, "loading") == "0");
    assert_eq!(call(&mut c, &["DEBUG", "DIGEST"]), digest);
    assert_eq!(call(&mut c, &["PEXPIRETIME", "hash"]), ttl);
    assert_eq!(call(&mut c, &["GET", "str"]), "$11\r\nhello world\r\n");
    assert_eq!(
        call(&mut c, &["OBJECT", "ENCODING", "int"]),
        "$3\r\nint\r\n"
    );
    assert_eq!(
        call(&mut c, &["XPENDING", "stream", "grp"]).lines().nth(1),
        Some(":1")
    );
    assert_eq!(call(&mut c, &["SELECT", "3"]), "+OK\r\n");
    assert_eq!(call(&mut c, &["GET", "in-db3"]), "$3\r\nyes\r\n");
    assert_eq!(info_field(&mut c, "rdb_last_load_keys_loaded"), "17");
    let log = server.log();
    assert!(
        log.contains("Loading RDB produced by version 7.0.15"),
        "{log}"
    );
    assert!(log.contains("DB loaded from disk:"), "{log}");
}

#[test]
fn bgsave_under_concurrent_writes_holds_one_instant() {
    let dir = tempfile::tempdir().expect("tempdir");
    const KEYS: usize = 200_000;
    let mut server = server_in(dir.path(), &["--save", ""]);
    let mut c = server.raw();
    assert_eq!(
        call(&mut c, &["DEBUG", "POPULATE", &KEYS.to_string()]),
        "+OK\r\n"
    );
    call(&mut c, &["SET", "pair:a", "0"]);
    call(&mut c, &["SET", "pair:b", "0"]);
    // The snapshot's instant: between the two INCRs of one pipeline.
    c.send(
        &[
            keyrs_tests::raw::encode_command(&[b"INCR", b"counter"]),
            keyrs_tests::raw::encode_command(&[b"BGSAVE"]),
            keyrs_tests::raw::encode_command(&[b"INCR", b"counter"]),
        ]
        .concat(),
    )
    .expect("send");
    let replies = c.read_replies(3).expect("replies");
    assert_eq!(replies[0], b":1\r\n");
    assert_eq!(replies[1], b"+Background saving started\r\n");
    assert_eq!(replies[2], b":2\r\n");
    // Writers change everything the snapshot must not see.
    let stop = Arc::new(AtomicBool::new(false));
    let writes = Arc::new(AtomicU64::new(0));
    let port = server.port();
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let (stop, writes) = (Arc::clone(&stop), Arc::clone(&writes));
            std::thread::spawn(move || {
                let mut c = RawClient::connect(port).expect("connect");
                let mut i = w;
                while !stop.load(Ordering::SeqCst) {
                    let k = format!("key:{}", (i * 7919) % KEYS);
                    call(&mut c, &["SET", &k, "changed"]);
                    call(
                        &mut c,
                        &["DEL", &format!("key:{}", (i * 104_729 + 3) % KEYS)],
                    );
                    call(&mut c, &["SET", &format!("new:{i}"), "x"]);
                    call(&mut c, &["INCR", "counter"]);
                    // Two keys always written together keep equal values.
                    call(&mut c, &["MULTI"]);
                    call(&mut c, &["INCR", "pair:a"]);
                    call(&mut c, &["INCR", "pair:b"]);
                    call(&mut c, &["EXEC"]);
                    writes.fetch_add(1, Ordering::SeqCst);
                    i += 2;
                }
            })
        })
        .collect();
    let mut writes_during_save = 0;
    let mut seen_in_progress = false;
    wait_for(120, "the background save", || {
        let busy = info_field(&mut c, "rdb_bgsave_in_progress") == "1";
        if busy {
            seen_in_progress = true;
            writes_during_save = writes.load(Ordering::SeqCst);
        }
        !busy
    });
    stop.store(true, Ordering::SeqCst);
    for w in writers {
        w.join().expect("writer");
    }
    assert_eq!(info_field(&mut c, "rdb_last_bgsave_status"), "ok");
    assert!(
        seen_in_progress && writes_during_save > 0,
        "the save finished before any concurrent write ({writes_during_save})"
    );
    let pair_now = call(&mut c, &["GET", "pair:a"]);
    assert_ne!(pair_now, "$1\r\n0\r\n", "the writers ran");
    shutdown(&mut c, &["NOSAVE"]);
    server.wait_exit(Duration::from_secs(10));
    drop(server);

    let server = server_in(dir.path(), &["--save", ""]);
    let mut c = server.raw();
    wait_for(60, "loading", || info_field(&mut c, "loading") == "0");
    assert_eq!(call(&mut c, &["GET", "counter"]), "$1\r\n1\r\n");
    assert_eq!(call(&mut c, &["GET", "pair:a"]), "$1\r\n0\r\n");
    assert_eq!(call(&mut c, &["GET", "pair:b"]), "$1\r\n0\r\n");
    assert_eq!(
        call(&mut c, &["DBSIZE"]),
        format!(":{}\r\n", KEYS + 3),
        "exactly the keys of the instant"
    );
    assert_eq!(call(&mut c, &["EXISTS", "new:0"]), ":0\r\n");
    for i in (0..KEYS).step_by(997) {
        let want = format!("value:{i}");
        let got = call(&mut c, &["GET", &format!("key:{i}")]);
        assert_eq!(got, format!("${}\r\n{want}\r\n", want.len()));
    }
}

#[test]
fn save_rules_trigger_a_background_save() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = server_in(dir.path(), &["--save", "1", "2"]);
    let mut c = server.raw();
    let first = call(&mut c, &["LASTSAVE"]);
    call(&mut c, &["SET", "a", "1"]);
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(
        info_field(&mut c, "rdb_saves"),
        "0",
        "one change is below the rule"
    );
    call(&mut c, &["SET", "b", "1"]);
    wait_for(10, "the rule's save", || {
        info_field(&mut c, "rdb_saves") == "1"
            && info_field(&mut c, "rdb_bgsave_in_progress") == "0"
    });
    assert!(dir.path().join("dump.rdb").is_file());
    assert_ne!(call(&mut c, &["LASTSAVE"]), first);
    assert_eq!(info_field(&mut c, "rdb_changes_since_last_save"), "0");
    assert!(
        server.log().contains("2 changes in 1 seconds. Saving..."),
        "{}",
        server.log()
    );
}

#[test]
fn failed_bgsave_turns_writes_into_misconf() {
    let root = tempfile::tempdir().expect("tempdir");
    let dir = root.path().join("doomed");
    std::fs::create_dir(&dir).expect("mkdir");
    let mut server = server_in(&dir, &["--save", "3600", "1"]);
    let mut c = server.raw();
    call(&mut c, &["SET", "a", "1"]);
    std::fs::remove_dir_all(&dir).expect("rm");
    assert_eq!(call(&mut c, &["SAVE"]), "-ERR\r\n");
    assert_eq!(call(&mut c, &["BGSAVE"]), "+Background saving started\r\n");
    wait_bgsave_done(&mut c);
    assert_eq!(info_field(&mut c, "rdb_last_bgsave_status"), "err");
    let misconf = "-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.\r\n";
    assert_eq!(call(&mut c, &["SET", "a", "2"]), misconf);
    assert_eq!(call(&mut c, &["GET", "a"]), "$1\r\n1\r\n");
    assert_eq!(
        call(&mut c, &["SHUTDOWN"]),
        "-ERR Errors trying to SHUTDOWN. Check logs.\r\n"
    );
    assert_eq!(
        call(
            &mut c,
            &["CONFIG", "SET", "stop-writes-on-bgsave-error", "no"]
        ),
        "+OK\r\n"
    );
    assert_eq!(call(&mut c, &["SET", "a", "3"]), "+OK\r\n");
    let log = server.log();
    assert!(log.contains("Failed opening the temp RDB file"), "{log}");
    assert!(log.contains("Background saving error"), "{log}");
    assert!(
        log.contains("Error trying to save the DB, can't exit."),
        "{log}"
    );
    shutdown(&mut c, &["NOSAVE"]);
    assert!(server.wait_exit(Duration::from_secs(10)).is_some());
}

#[test]
fn clients_get_loading_during_a_long_load() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let mut server = server_in(dir.path(), &["--save", ""]);
        let mut c = server.raw();
        call(&mut c, &["DEBUG", "POPULATE", "600000"]);
        assert_eq!(call(&mut c, &["SAVE"]), "+OK\r\n");
        shutdown(&mut c, &["NOSAVE"]);
        server.wait_exit(Duration::from_secs(10));
    }
    let server = server_in(dir.path(), &["--save", ""]);
    let mut c = server.raw();
    let got = call(&mut c, &["GET", "key:1"]);
    assert_eq!(got, "-LOADING Redis is loading the dataset in memory\r\n");
    assert_eq!(info_field(&mut c, "loading"), "1");
    let total: u64 = info_field(&mut c, "loading_total_bytes")
        .parse()
        .expect("number");
    assert_eq!(
        total,
        std::fs::metadata(dir.path().join("dump.rdb"))
            .expect("file")
            .len()
    );
    wait_for(120, "loading", || info_field(&mut c, "loading") == "0");
    assert_eq!(call(&mut c, &["DBSIZE"]), ":600000\r\n");
    assert_eq!(info_field(&mut c, "rdb_last_load_keys_loaded"), "600000");
}

#[test]
fn debug_reload_loads_the_file_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = server_in(dir.path(), &["--save", ""]);
    let mut c = server.raw();
    fill_every_type(&mut c);
    let digest = call(&mut c, &["DEBUG", "DIGEST"]);
    assert_eq!(call(&mut c, &["DEBUG", "RELOAD"]), "+OK\r\n");
    assert_eq!(call(&mut c, &["DEBUG", "DIGEST"]), digest);
    // NOSAVE loads what the file holds, not what memory holds.
    call(&mut c, &["SET", "str", "changed"]);
    call(&mut c, &["SET", "extra", "1"]);
    assert_eq!(call(&mut c, &["DEBUG", "RELOAD", "NOSAVE"]), "+OK\r\n");
    assert_eq!(call(&mut c, &["DEBUG", "DIGEST"]), digest);
    assert_eq!(call(&mut c, &["EXISTS", "extra"]), ":0\r\n");
    assert_eq!(
        call(&mut c, &["DEBUG", "RELOAD", "bogus"]),
        "-ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.\r\n"
    );
    assert!(server.log().contains("DB reloaded by DEBUG RELOAD"));
}

#[test]
fn shutdown_save_and_nosave() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("dump.rdb");
    // No rules: plain SHUTDOWN and NOSAVE write nothing.
    let mut server = server_in(dir.path(), &["--save", ""]);
    let mut c = server.raw();
    call(&mut c, &["SET", "a", "1"]);
    assert_eq!(shutdown(&mut c, &["NOSAVE"]), "");
    assert!(server.wait_exit(Duration::from_secs(10)).is_some());
    assert!(!file.exists());
    // SHUTDOWN SAVE writes the file before exiting.
    let mut server = server_in(dir.path(), &["--save", ""]);
    let mut c = server.raw();
    call(&mut c, &["SET", "a", "1"]);
    assert_eq!(shutdown(&mut c, &["SAVE"]), "");
    assert!(server.wait_exit(Duration::from_secs(10)).is_some());
    assert!(file.is_file());
    // With rules, SIGTERM saves too.
    let mut server = server_in(dir.path(), &["--save", "3600", "1"]);
    let mut c = server.raw();
    wait_for(30, "loading", || info_field(&mut c, "loading") == "0");
    assert_eq!(call(&mut c, &["GET", "a"]), "$1\r\n1\r\n");
    call(&mut c, &["SET", "b", "2"]);
    server.terminate();
    let status = server.wait_exit(Duration::from_secs(10)).expect("exit");
    assert!(status.success(), "{status}");
    let server = server_in(dir.path(), &["--save", ""]);
    let mut c = server.raw();
    wait_for(30, "loading", || info_field(&mut c, "loading") == "0");
    assert_eq!(call(&mut c, &["GET", "b"]), "$1\r\n2\r\n");
}

#[test]
fn corrupt_or_truncated_files_stop_the_server_cleanly() {
    // A real file, cut short.
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let mut server = server_in(dir.path(), &["--save", ""]);
        let mut c = server.raw();
        fill_every_type(&mut c);
        assert_eq!(call(&mut c, &["SAVE"]), "+OK\r\n");
        shutdown(&mut c, &["NOSAVE"]);
        server.wait_exit(Duration::from_secs(10));
    }
    let good = std::fs::read(dir.path().join("dump.rdb")).expect("read");
    let mut flipped = good.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0xff;
    for (label, bytes) in [
        ("truncated", &good[..good.len() / 2]),
        ("garbage", &b"this is not an rdb file at all"[..]),
        ("flipped", &flipped[..]),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("dump.rdb"), bytes).expect("write");
        let d = dir.path().to_str().expect("utf8");
        let outcome = Server::try_start(Flavor::Keyrs, None, &["--dir", d, "--save", ""]);
        let log = match outcome {
            Err(e) => e,
            Ok(mut s) => {
                let status = s.wait_exit(Duration::from_secs(30)).expect("must exit");
                assert!(!status.success(), "{label}: {status}");
                s.log()
            }
        };
        assert!(
            log.contains("exited with exit status: 1") || log.contains("RDB"),
            "{label}: {log}"
        );
        assert!(!log.contains("panicked"), "{label}: {log}");
        assert!(
            log.contains("Short read")
                || log.contains("bad RDB file")
                || log.contains("Internal error"),
            "{label}: {log}"
        );
    }
}
