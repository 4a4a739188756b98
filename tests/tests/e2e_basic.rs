//! Commands over real sockets: the redis crate and raw bytes.

use std::time::Duration;

use keyrs_tests::raw::encode_command;
use keyrs_tests::Server;
use redis::Commands;

#[test]
fn set_get_del_exists_dbsize_with_redis_crate() {
    let server = Server::start(&[]);
    let mut con = server.redis();
    let () = con.set("k", "v").expect("SET");
    let v: Option<String> = con.get("k").expect("GET");
    assert_eq!(v.as_deref(), Some("v"));
    let n: i64 = con.exists("k").expect("EXISTS");
    assert_eq!(n, 1);
    let size: i64 = redis::cmd("DBSIZE").query(&mut con).expect("DBSIZE");
    assert_eq!(size, 1);
    let deleted: i64 = con.del(&["k", "missing"]).expect("DEL");
    assert_eq!(deleted, 1);
    let v: Option<String> = con.get("k").expect("GET");
    assert_eq!(v, None);
    let echoed: String = redis::cmd("ECHO").arg("hi").query(&mut con).expect("ECHO");
    assert_eq!(echoed, "hi");
}

#[test]
fn select_keeps_databases_apart() {
    let server = Server::start(&[]);
    let mut c = server.raw();
    assert_eq!(c.call(&[b"SET", b"k", b"db0"]).unwrap(), b"+OK\r\n");
    assert_eq!(c.call(&[b"SELECT", b"1"]).unwrap(), b"+OK\r\n");
    assert_eq!(c.call(&[b"GET", b"k"]).unwrap(), b"$-1\r\n");
    assert_eq!(
        c.call(&[b"SELECT", b"16"]).unwrap(),
        b"-ERR DB index is out of range\r\n"
    );
    assert_eq!(c.call(&[b"SELECT", b"0"]).unwrap(), b"+OK\r\n");
    assert_eq!(c.call(&[b"GET", b"k"]).unwrap(), b"$3\r\ndb0\r\n");
}

#[test]
fn pipeline_of_1000_commands_in_one_write() {
    let server = Server::start(&[]);
    let mut c = server.raw();
    let mut batch = Vec::new();
    for i in 0..1000 {
        let k = format!("key:{i}");
        let v = format!("value:{i}");
        batch.extend(encode_command(&[b"SET", k.as_bytes(), v.as_bytes()]));
    }
    for i in 0..1000 {
        let k = format!("key:{i}");
        batch.extend(encode_command(&[b"GET", k.as_bytes()]));
    }
    c.send(&batch).expect("one write");
    let replies = c.read_replies(2000).expect("2000 replies");
    for r in &replies[..1000] {
        assert_eq!(r, b"+OK\r\n");
    }
    for (i, r) in replies[1000..].iter().enumerate() {
        let v = format!("value:{i}");
        assert_eq!(
            r,
            format!("${}\r\n{v}\r\n", v.len()).as_bytes(),
            "reply {i}"
        );
    }
    assert_eq!(c.call(&[b"DBSIZE"]).unwrap(), b":1000\r\n");
}

#[test]
fn ten_megabyte_value_round_trips() {
    let server = Server::start(&[]);
    let mut con = server.redis();
    let value: Vec<u8> = (0..10 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
    let () = con.set("big", &value).expect("SET 10 MB");
    let back: Vec<u8> = con.get("big").expect("GET 10 MB");
    assert_eq!(back.len(), value.len());
    assert!(back == value, "10 MB value came back different");
}

#[test]
fn large_replies_to_a_slow_reader_all_arrive() {
    // 64 GETs of a 1 MB value: far beyond the output pause bound, so the
    // server must stop, wait for the socket to drain, and resume.
    let server = Server::start(&[]);
    let mut c = server.raw();
    let value = vec![b'x'; 1024 * 1024];
    assert_eq!(c.call(&[b"SET", b"v", &value]).unwrap(), b"+OK\r\n");
    let mut batch = Vec::new();
    for _ in 0..64 {
        batch.extend(encode_command(&[b"GET", b"v"]));
    }
    batch.extend(encode_command(&[b"PING"]));
    c.send(&batch).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    for _ in 0..64 {
        let r = c.read_reply().unwrap();
        assert_eq!(r.len(), value.len() + b"$1048576\r\n\r\n".len());
    }
    assert_eq!(c.read_reply().unwrap(), b"+PONG\r\n");
}

#[test]
fn inline_commands() {
    let server = Server::start(&[]);
    let mut c = server.raw();
    c.send(b"PING\r\n").unwrap();
    assert_eq!(c.read_reply().unwrap(), b"+PONG\r\n");
    c.send(b"SET \"a key\" 'a value'\n").unwrap();
    assert_eq!(c.read_reply().unwrap(), b"+OK\r\n");
    c.send(b"  \r\nGET \"a key\"\r\n").unwrap();
    assert_eq!(c.read_reply().unwrap(), b"$7\r\na value\r\n");
    c.send(b"EXISTS \"a key\" nope\r\nDBSIZE\r\n").unwrap();
    assert_eq!(
        c.read_replies(2).unwrap(),
        vec![b":1\r\n".to_vec(), b":1\r\n".to_vec()]
    );
}

#[test]
fn unknown_command_and_arity_errors_keep_the_connection() {
    let server = Server::start(&[]);
    let mut c = server.raw();
    assert_eq!(
        c.call(&[b"NOSUCH", b"a"]).unwrap(),
        b"-ERR unknown command 'NOSUCH', with args beginning with: 'a' \r\n"
    );
    assert_eq!(
        c.call(&[b"GET"]).unwrap(),
        b"-ERR wrong number of arguments for 'get' command\r\n"
    );
    assert_eq!(c.call(&[b"PING"]).unwrap(), b"+PONG\r\n");
}

#[test]
fn protocol_error_replies_then_closes() {
    let server = Server::start(&[]);
    let mut c = server.raw();
    // A good command first: its reply must come before the error.
    c.send(b"PING\r\n*1\r\n$-5\r\n").unwrap();
    assert_eq!(c.read_reply().unwrap(), b"+PONG\r\n");
    assert_eq!(
        c.read_reply().unwrap(),
        b"-ERR Protocol error: invalid bulk length\r\n"
    );
    let rest = c.read_until_closed(Duration::from_secs(10)).unwrap();
    assert!(rest.is_empty(), "nothing after the error: {rest:?}");

    let mut c = server.raw();
    c.send(b"*1\r\nx\r\n").unwrap();
    assert_eq!(
        c.read_reply().unwrap(),
        b"-ERR Protocol error: expected '$', got 'x'\r\n"
    );
    assert!(c
        .read_until_closed(Duration::from_secs(10))
        .unwrap()
        .is_empty());

    // The server is still fine for others.
    assert_eq!(server.raw().call(&[b"PING"]).unwrap(), b"+PONG\r\n");
}

#[test]
fn quit_replies_ok_and_closes_ignoring_the_rest() {
    let server = Server::start(&[]);
    let mut c = server.raw();
    c.send(b"SET a 1\r\nQUIT\r\nSET b 2\r\n").unwrap();
    assert_eq!(c.read_reply().unwrap(), b"+OK\r\n");
    assert_eq!(c.read_reply().unwrap(), b"+OK\r\n");
    assert!(c
        .read_until_closed(Duration::from_secs(10))
        .unwrap()
        .is_empty());
    let mut c = server.raw();
    assert_eq!(c.call(&[b"EXISTS", b"a", b"b"]).unwrap(), b":1\r\n");
}

#[test]
fn commands_sent_before_a_half_close_are_answered() {
    let server = Server::start(&[]);
    let mut c = server.raw();
    c.send(b"SET a 1\r\nGET a\r\n").unwrap();
    c.stream().shutdown(std::net::Shutdown::Write).unwrap();
    let all = c.read_until_closed(Duration::from_secs(10)).unwrap();
    assert_eq!(all, b"+OK\r\n$1\r\n1\r\n");
}

#[test]
fn byte_at_a_time_input_is_parsed() {
    let server = Server::start(&[]);
    let mut c = server.raw();
    for b in encode_command(&[b"SET", b"slow", b"bytes"]) {
        c.send(&[b]).unwrap();
    }
    assert_eq!(c.read_reply().unwrap(), b"+OK\r\n");
    assert_eq!(c.call(&[b"GET", b"slow"]).unwrap(), b"$5\r\nbytes\r\n");
}

#[test]
fn many_concurrent_clients() {
    let server = Server::start(&[]);
    let port = server.port();
    let threads: Vec<_> = (0..32)
        .map(|t| {
            std::thread::spawn(move || {
                let mut c = keyrs_tests::RawClient::connect(port).expect("connect");
                for i in 0..200 {
                    let k = format!("t{t}:k{i}");
                    let v = format!("{t}-{i}");
                    assert_eq!(
                        c.call(&[b"SET", k.as_bytes(), v.as_bytes()]).unwrap(),
                        b"+OK\r\n"
                    );
                    let got = c.call(&[b"GET", k.as_bytes()]).unwrap();
                    assert_eq!(got, format!("${}\r\n{v}\r\n", v.len()).as_bytes());
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("client thread");
    }
    assert_eq!(server.raw().call(&[b"DBSIZE"]).unwrap(), b":6400\r\n");
}
