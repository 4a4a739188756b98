//! The keyrs-server process: flags, config errors, signals.

use std::process::Command;
use std::time::Duration;

use keyrs_tests::binary::keyrs_server;
use keyrs_tests::Server;

#[test]
fn version_flag_names_keyrs() {
    for flag in ["--version", "-v"] {
        let out = Command::new(keyrs_server()).arg(flag).output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.starts_with("keyrs-server v="), "{text}");
        assert!(text.contains("bits=64"), "{text}");
        for other in ["Redis", "KeyDB", "Valkey"] {
            assert!(!text.contains(other), "{text}");
        }
    }
}

#[test]
fn help_flag_prints_usage() {
    let out = Command::new(keyrs_server()).arg("--help").output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "redis-server exits 1 after --help"
    );
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("Usage: ./keyrs-server"), "{text}");
}

#[test]
fn sigterm_shuts_down_cleanly() {
    let mut server = Server::start(&[]);
    let mut c = server.raw();
    assert_eq!(c.call(&[b"PING"]).unwrap(), b"+PONG\r\n");
    server.terminate();
    let status = server
        .wait_exit(Duration::from_secs(10))
        .expect("exits after SIGTERM");
    assert_eq!(status.code(), Some(0), "log:\n{}", server.log());
    assert!(
        server
            .log()
            .contains("Received SIGTERM scheduling shutdown..."),
        "log:\n{}",
        server.log()
    );
    // Our connection was closed by the shutdown.
    assert!(c
        .read_until_closed(Duration::from_secs(5))
        .unwrap()
        .is_empty());
}

#[test]
fn sigint_shuts_down_cleanly() {
    let mut server = Server::start(&[]);
    server.interrupt();
    let status = server
        .wait_exit(Duration::from_secs(10))
        .expect("exits after SIGINT");
    assert_eq!(status.code(), Some(0));
    assert!(server
        .log()
        .contains("Received SIGINT scheduling shutdown..."));
}

#[test]
fn bad_config_file_exits_1_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("bad.conf");
    std::fs::write(&conf, "# a comment\nport 7777\nno-such-directive yes\n").unwrap();
    let out = Command::new(keyrs_server()).arg(&conf).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.conf"), "{err}");
    assert!(err.contains("at line 3"), "line number missing: {err}");
    assert!(err.contains("no-such-directive"), "{err}");
}

#[test]
fn bad_option_on_command_line_exits_1() {
    let out = Command::new(keyrs_server())
        .args(["--port", "not-a-port"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!out.stderr.is_empty());
}

#[test]
fn missing_config_file_exits_1() {
    let out = Command::new(keyrs_server())
        .arg("/nonexistent/keyrs.conf")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/keyrs.conf"));
}

#[test]
fn config_file_and_overrides_apply() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("ok.conf");
    std::fs::write(&conf, "databases 4\nloglevel verbose\n").unwrap();
    let server = Server::start_with_config(&conf, &[]);
    let mut c = server.raw();
    assert_eq!(c.call(&[b"SELECT", b"3"]).unwrap(), b"+OK\r\n");
    assert_eq!(
        c.call(&[b"SELECT", b"4"]).unwrap(),
        b"-ERR DB index is out of range\r\n"
    );
}

#[test]
fn logfile_receives_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("keyrs.log");
    let log_arg = log.display().to_string();
    let mut server = Server::start(&["--logfile", &log_arg]);
    server.terminate();
    assert_eq!(
        server
            .wait_exit(Duration::from_secs(10))
            .and_then(|s| s.code()),
        Some(0)
    );
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("Ready to accept connections"), "{text}");
    assert!(
        text.contains("Received SIGTERM scheduling shutdown..."),
        "{text}"
    );
}

#[test]
fn port_in_use_by_another_program_exits_1() {
    // A plain listener (no SO_REUSEPORT) holds the port: bind must fail.
    let port = keyrs_tests::ports::free_port();
    let _holder = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    let port = port.to_string();
    let out = Command::new(keyrs_server())
        .args(["--port", &port])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("in use"), "{err}");
}

#[test]
fn a_second_keyrs_server_on_the_same_port_exits_1() {
    // SO_REUSEPORT must not let a second server silently share the port and
    // split the clients (Redis refuses with "Address already in use").
    let first = Server::start(&[]);
    let port = first.port().to_string();
    let out = Command::new(keyrs_server())
        .args(["--port", &port])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("in use"), "{err}");
}

#[test]
fn config_rewrite_writes_the_file_even_after_a_dir_change() {
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let conf = dir.path().join("rw.conf");
    std::fs::write(&conf, "# keep this comment\ndatabases 4\n").unwrap();
    let data_arg = data.path().display().to_string();
    // `dir` moves the working directory away from the config file's.
    let server = Server::start_with_config(&conf, &["--dir", &data_arg]);
    let mut c = server.raw();
    assert_eq!(
        c.call(&[b"CONFIG", b"SET", b"maxmemory-policy", b"allkeys-lru"])
            .unwrap(),
        b"+OK\r\n"
    );
    assert_eq!(c.call(&[b"CONFIG", b"REWRITE"]).unwrap(), b"+OK\r\n");
    // Written by the worker right after the batch: wait for it briefly.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let text = loop {
        let text = std::fs::read_to_string(&conf).unwrap();
        if text.contains("maxmemory-policy allkeys-lru") || std::time::Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert!(text.contains("maxmemory-policy allkeys-lru"), "{text}");
    assert!(text.contains("# keep this comment"), "{text}");
    assert!(text.contains("databases 4"), "{text}");
    // No temporary file left beside it.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "rw.conf")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
