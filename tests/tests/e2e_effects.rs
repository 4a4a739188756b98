//! Effects that commands ask the runtime to carry out: SHUTDOWN, DEBUG SLEEP,
//! CLIENT KILL of another connection, CLIENT REPLY, HELLO 3 on the wire.

use std::time::Duration;

use keyrs_tests::Server;

#[test]
fn shutdown_command_stops_the_process() {
    let mut server = Server::start(&[]);
    let mut c = server.raw();
    c.send_command(&[b"SHUTDOWN", b"NOSAVE"]).unwrap();
    // A successful SHUTDOWN sends no reply: the connection just closes.
    let rest = c.read_until_closed(Duration::from_secs(10)).unwrap();
    assert!(rest.is_empty(), "unexpected reply {rest:?}");
    let status = server
        .wait_exit(Duration::from_secs(10))
        .expect("exits after SHUTDOWN");
    assert_eq!(status.code(), Some(0));
}

#[test]
fn debug_sleep_replies_and_server_keeps_serving() {
    let server = Server::start(&[]);
    let mut a = server.raw();
    let mut b = server.raw();
    assert_eq!(a.call(&[b"DEBUG", b"SLEEP", b"0.05"]).unwrap(), b"+OK\r\n");
    assert_eq!(b.call(&[b"PING"]).unwrap(), b"+PONG\r\n");
    assert_eq!(a.call(&[b"DEBUG", b"SLEEP", b"abc"]).unwrap(), b"+OK\r\n");
}

#[test]
fn client_kill_closes_the_other_connection() {
    let server = Server::start(&[]);
    let mut victim = server.raw();
    let id = victim.call(&[b"CLIENT", b"ID"]).unwrap();
    let id = String::from_utf8_lossy(&id[1..id.len() - 2]).into_owned();
    let mut killer = server.raw();
    assert_eq!(
        killer
            .call(&[b"CLIENT", b"KILL", b"ID", id.as_bytes()])
            .unwrap(),
        b":1\r\n"
    );
    let rest = victim.read_until_closed(Duration::from_secs(10)).unwrap();
    assert!(rest.is_empty(), "killed client got {rest:?}");
    assert_eq!(
        killer
            .call(&[b"CLIENT", b"KILL", b"ID", id.as_bytes()])
            .unwrap(),
        b":0\r\n",
        "the filter form counts kills; it has no 'No such client' error"
    );
}

#[test]
fn client_reply_off_suppresses_replies_on_the_wire() {
    let server = Server::start(&[]);
    let mut c = server.raw();
    c.send_command(&[b"CLIENT", b"REPLY", b"OFF"]).unwrap();
    c.send_command(&[b"SET", b"k", b"v"]).unwrap();
    c.send_command(&[b"CLIENT", b"REPLY", b"ON"]).unwrap();
    // Only CLIENT REPLY ON answers.
    assert_eq!(c.read_reply().unwrap(), b"+OK\r\n");
    assert_eq!(c.call(&[b"GET", b"k"]).unwrap(), b"$1\r\nv\r\n");
}

#[test]
fn hello_3_switches_the_wire_protocol() {
    let server = Server::start(&[]);
    let mut c = server.raw();
    let hello = c.call(&[b"HELLO", b"3"]).unwrap();
    assert!(
        hello.starts_with(b"%7\r\n"),
        "{:?}",
        String::from_utf8_lossy(&hello)
    );
    assert_eq!(c.call(&[b"GET", b"missing"]).unwrap(), b"_\r\n");
    assert_eq!(c.call(&[b"HELLO", b"2"]).unwrap()[0], b'*');
    assert_eq!(c.call(&[b"GET", b"missing"]).unwrap(), b"$-1\r\n");
}
