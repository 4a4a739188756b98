//! MONITOR through `Engine::execute`: what monitors receive, what they may
//! run, and the per-thread INFO fields. Expected lines were taken from a
//! real redis-server 7.0.15 (MONITOR over a raw socket).

use bytes::Bytes;
use keyrs_core::config::Config;
use keyrs_core::engine::{ClientId, ConnInfo, Effect, Engine, Outcome, ServerInfo, Time};
use keyrs_core::resp::encoder::encode_to_vec;

const T0: Time = Time {
    unix_us: 1_795_289_855_745_922,
};

fn connect(e: &mut Engine, port: u16, thread: usize) -> ClientId {
    e.connect(
        ConnInfo {
            addr: format!("127.0.0.1:{port}"),
            laddr: "127.0.0.1:6379".into(),
            fd: 8,
            thread,
        },
        T0,
    )
    .expect("room for clients")
}

fn run(e: &mut Engine, id: ClientId, args: &[&[u8]]) -> Outcome {
    let argv: Vec<Bytes> = args.iter().map(|a| Bytes::copy_from_slice(a)).collect();
    e.execute(id, &argv, T0)
}

fn reply(o: &Outcome) -> Option<String> {
    o.reply
        .as_ref()
        .map(|r| String::from_utf8_lossy(&encode_to_vec(r, o.proto)).into_owned())
}

/// The lines delivered to `to` by an outcome.
fn lines_for(o: &Outcome, to: ClientId) -> Vec<String> {
    o.effects
        .iter()
        .filter_map(|e| match e {
            Effect::Deliver { client, bytes } if *client == to => {
                Some(String::from_utf8_lossy(bytes).into_owned())
            }
            _ => None,
        })
        .collect()
}

fn setup() -> (Engine, ClientId, ClientId) {
    let mut e = Engine::new(Config::default(), ServerInfo::default(), 1);
    let m = connect(&mut e, 50024, 1);
    let c = connect(&mut e, 50036, 0);
    assert_eq!(
        reply(&run(&mut e, m, &[b"MONITOR"])).as_deref(),
        Some("+OK\r\n")
    );
    (e, m, c)
}

#[test]
fn monitors_see_commands_as_redis_shows_them() {
    let (mut e, m, c) = setup();
    let o = run(&mut e, c, &[b"SET", b"a", b"x\ny\x01\"q"]);
    assert_eq!(
        lines_for(&o, m),
        ["+1795289855.745922 [0 127.0.0.1:50036] \"SET\" \"a\" \"x\\ny\\x01\\\"q\"\r\n"]
    );
    let o = run(&mut e, c, &[b"AUTH", b"foo"]);
    assert_eq!(
        lines_for(&o, m),
        ["+1795289855.745922 [0 127.0.0.1:50036] \"AUTH\" \"(redacted)\"\r\n"]
    );
    // SELECT shows the db it selected; later commands too.
    let o = run(&mut e, c, &[b"SELECT", b"3"]);
    assert_eq!(
        lines_for(&o, m),
        ["+1795289855.745922 [3 127.0.0.1:50036] \"SELECT\" \"3\"\r\n"]
    );
    // Admin commands, unknown commands and arity errors are not shown.
    for args in [
        &[&b"CONFIG"[..], b"GET", b"port"][..],
        &[b"DEBUG", b"SLEEP", b"0"],
        &[b"FOO"],
        &[b"GET"],
        &[b"MONITOR"],
    ] {
        let o = run(&mut e, c, args);
        assert!(lines_for(&o, m).is_empty(), "{args:?}");
    }
}

#[test]
fn transactions_show_each_command_then_exec() {
    let (mut e, m, c) = setup();
    assert_eq!(lines_for(&run(&mut e, c, &[b"MULTI"]), m).len(), 1);
    // Queued commands are shown when EXEC runs them, not when queued.
    assert!(lines_for(&run(&mut e, c, &[b"SET", b"b", b"1"]), m).is_empty());
    let o = run(&mut e, c, &[b"EXEC"]);
    let lines = lines_for(&o, m);
    assert_eq!(lines.len(), 2);
    assert!(lines[0].ends_with("\"SET\" \"b\" \"1\"\r\n"));
    assert!(lines[1].ends_with("\"EXEC\"\r\n"));
    // MONITOR inside a transaction is refused when EXEC runs it.
    run(&mut e, c, &[b"MULTI"]);
    assert_eq!(
        reply(&run(&mut e, c, &[b"MONITOR"])).as_deref(),
        Some("+QUEUED\r\n")
    );
    assert_eq!(
        reply(&run(&mut e, c, &[b"EXEC"])).as_deref(),
        Some("*1\r\n-ERR MONITOR isn't allowed for DENY BLOCKING client\r\n")
    );
}

#[test]
fn a_monitor_is_a_replica_until_reset() {
    let (mut e, m, c) = setup();
    // A second MONITOR answers nothing.
    assert_eq!(reply(&run(&mut e, m, &[b"MONITOR"])), None);
    assert_eq!(
        reply(&run(&mut e, m, &[b"GET", b"a"])).as_deref(),
        Some("-ERR Replica can't interact with the keyspace\r\n")
    );
    // It sees its own PING, after the reply (as Redis writes it).
    let o = run(&mut e, m, &[b"PING"]);
    assert_eq!(reply(&o).as_deref(), Some("+PONG\r\n"));
    assert!(lines_for(&o, m).is_empty());
    let more: Vec<Vec<u8>> = o.more.iter().map(|r| encode_to_vec(r, o.proto)).collect();
    assert_eq!(
        more,
        [b"+1795289855.745922 [0 127.0.0.1:50024] \"PING\"\r\n".to_vec()]
    );
    let list = reply(&run(&mut e, c, &[b"CLIENT", b"LIST"])).expect("list");
    assert!(list.contains(&format!("id={m} ")) && list.contains(" flags=O "));
    assert!(list.contains(" resp=2 thread=1\n"), "{list}");
    assert_eq!(
        reply(&run(&mut e, m, &[b"RESET"])).as_deref(),
        Some("+RESET\r\n")
    );
    assert_eq!(
        reply(&run(&mut e, m, &[b"GET", b"a"])).as_deref(),
        Some("$-1\r\n")
    );
    assert!(lines_for(&run(&mut e, c, &[b"PING"]), m).is_empty());
    // A monitor that disconnects stops receiving.
    run(&mut e, m, &[b"MONITOR"]);
    e.disconnect(m);
    assert!(run(&mut e, c, &[b"PING"]).effects.is_empty());
}

#[test]
fn info_reports_threads_and_the_callers_thread() {
    let mut cfg = Config::default();
    cfg.server_threads = 3;
    let mut e = Engine::new(cfg, ServerInfo::default(), 1);
    let a = connect(&mut e, 1, 2);
    connect(&mut e, 2, 2);
    connect(&mut e, 3, 0);
    let text = reply(&run(&mut e, a, &[b"INFO", b"clients"])).expect("info");
    assert!(text.contains("connected_clients:3\r\n"));
    assert!(text.contains(
        "current_client_thread:2\r\nthread_0_clients:1\r\nthread_1_clients:0\r\nthread_2_clients:2\r\n"
    ));
    let text = reply(&run(&mut e, a, &[b"INFO", b"cpu"])).expect("info");
    assert!(text.contains("used_cpu_user_children:0.000000\r\nserver_threads:3\r\n"));
}
