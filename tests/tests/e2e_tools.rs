//! Redis's own tools against keyrs-server, when they are installed.

use std::process::Command;

use keyrs_tests::{on_path, Server};

fn tool(name: &str) -> Option<std::path::PathBuf> {
    let p = on_path(name);
    if p.is_none() {
        println!("note: {name} not on PATH, skipping");
    }
    p
}

#[test]
fn redis_cli_works() {
    let Some(cli) = tool("redis-cli") else {
        return;
    };
    let server = Server::start(&[]);
    let port = server.port().to_string();
    let run = |args: &[&str]| {
        let out = Command::new(&cli)
            .args(["-p", &port])
            .args(args)
            .output()
            .expect("run redis-cli");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(run(&["PING"]), "PONG\n");
    assert_eq!(run(&["SET", "greeting", "hello world"]), "OK\n");
    assert_eq!(run(&["GET", "greeting"]), "hello world\n");
    assert_eq!(run(&["EXISTS", "greeting", "nope"]), "1\n");
    assert_eq!(run(&["DBSIZE"]), "1\n");
    assert_eq!(run(&["DEL", "greeting"]), "1\n");
    assert_eq!(run(&["GET", "greeting"]), "\n");
    // Piped input: several commands on one connection.
    let mut child = Command::new(&cli)
        .args(["-p", &port])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(b"SET a 1\nGET a\nSELECT 2\nGET a\n")
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "OK\n1\nOK\n\n");
}

#[test]
fn redis_benchmark_set_get() {
    let Some(bench) = tool("redis-benchmark") else {
        return;
    };
    let server = Server::start(&[]);
    let out = Command::new(bench)
        .args(["-p", &server.port().to_string()])
        .args(["-t", "set,get", "-n", "10000", "-q"])
        .output()
        .expect("run redis-benchmark");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    for test in ["SET", "GET"] {
        let line = text
            .lines()
            .map(|l| l.rsplit('\r').next().unwrap_or(l))
            .find(|l| l.starts_with(&format!("{test}: ")))
            .unwrap_or_else(|| panic!("no {test} line in:\n{text}"));
        assert!(line.contains("requests per second"), "{line}");
    }
    // Every SET landed: the benchmark's key exists and the server is healthy.
    let mut c = server.raw();
    assert_eq!(
        c.call(&[b"EXISTS", b"key:__rand_int__"]).unwrap(),
        b":1\r\n"
    );
}
