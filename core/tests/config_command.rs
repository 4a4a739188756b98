//! CONFIG through the engine: replies compared with the bytes redis-server
//! 7.0 sends (captured from a live server), and CONFIG SET taking effect.

use bytes::Bytes;
use keyrs_core::config::Config;
use keyrs_core::engine::{ConnInfo, Engine, ServerInfo, Time};
use keyrs_core::resp::encoder::encode_to_vec;
use keyrs_core::resp::{Protocol, Reply};

fn engine() -> (Engine, u64) {
    let mut e = Engine::new(Config::default(), ServerInfo::default(), 7);
    let id = e
        .connect(ConnInfo::default(), Time::from_ms(1_000))
        .expect("connect");
    (e, id)
}

fn run(e: &mut Engine, id: u64, args: &[&str]) -> Reply {
    let argv: Vec<Bytes> = args
        .iter()
        .map(|a| Bytes::copy_from_slice(a.as_bytes()))
        .collect();
    e.execute(id, &argv, Time::from_ms(2_000))
        .reply
        .expect("a reply")
}

fn wire(e: &mut Engine, id: u64, args: &[&str]) -> String {
    let proto = e.client_proto(id);
    String::from_utf8(encode_to_vec(&run(e, id, args), proto)).unwrap()
}

#[test]
fn config_get_encodes_as_redis_in_resp2_and_resp3() {
    let (mut e, id) = engine();
    assert_eq!(
        wire(&mut e, id, &["CONFIG", "GET", "hz"]),
        "*2\r\n$2\r\nhz\r\n$2\r\n10\r\n"
    );
    assert_eq!(wire(&mut e, id, &["config", "get", "nosuch"]), "*0\r\n");
    e.clients.get_mut(id).unwrap().proto = Protocol::Resp3;
    assert_eq!(wire(&mut e, id, &["CONFIG", "GET", "nosuch"]), "%0\r\n");
    // Redis's own pair order is its hash table's; compare the pairs.
    let got = wire(&mut e, id, &["CONFIG", "GET", "hz", "maxclients"]);
    assert!(got.starts_with("%2\r\n"), "{got}");
    assert!(got.contains("$2\r\nhz\r\n$2\r\n10\r\n"));
    assert!(got.contains("$10\r\nmaxclients\r\n$5\r\n10000\r\n"));
}

#[test]
fn config_help_and_arity_errors_match_redis() {
    let (mut e, id) = engine();
    let help = wire(&mut e, id, &["CONFIG", "HELP"]);
    assert_eq!(
        help,
        "*11\r\n+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n\
         +GET <pattern>\r\n\
         +    Return parameters matching the glob-like <pattern> and their values.\r\n\
         +SET <directive> <value>\r\n\
         +    Set the configuration <directive> to <value>.\r\n\
         +RESETSTAT\r\n\
         +    Reset statistics reported by the INFO command.\r\n\
         +REWRITE\r\n\
         +    Rewrite the configuration file.\r\n\
         +HELP\r\n\
         +    Prints this help.\r\n"
    );
    assert_eq!(
        wire(&mut e, id, &["CONFIG", "SET", "hz"]),
        "-ERR wrong number of arguments for 'config|set' command\r\n"
    );
    assert_eq!(
        wire(&mut e, id, &["CONFIG", "GET"]),
        "-ERR wrong number of arguments for 'config|get' command\r\n"
    );
    assert_eq!(
        wire(&mut e, id, &["CONFIG"]),
        "-ERR wrong number of arguments for 'config' command\r\n"
    );
    assert_eq!(
        wire(&mut e, id, &["CONFIG", "foo"]),
        "-ERR unknown subcommand 'foo'. Try CONFIG HELP.\r\n"
    );
    assert_eq!(
        wire(&mut e, id, &["CONFIG", "SET", "hz", "10", "maxclients"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        wire(&mut e, id, &["CONFIG", "REWRITE"]),
        "-ERR The server is running without a config file\r\n"
    );
    assert_eq!(
        wire(&mut e, id, &["CONFIG", "SET", "daemonize", "no"]),
        "-ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config\r\n"
    );
}

#[test]
fn config_set_maxclients_applies_live() {
    let (mut e, id) = engine();
    assert_eq!(
        run(&mut e, id, &["CONFIG", "SET", "maxclients", "2"]),
        Reply::ok()
    );
    let second = e.connect(ConnInfo::default(), Time::from_ms(3_000));
    assert!(second.is_ok());
    let third = e.connect(ConnInfo::default(), Time::from_ms(3_000));
    assert_eq!(
        third,
        Err(Reply::error("ERR max number of clients reached"))
    );
}

#[test]
fn config_set_timeout_and_hz_apply_live() {
    let (mut e, id) = engine();
    assert_eq!(
        run(&mut e, id, &["CONFIG", "SET", "timeout", "1", "hz", "50"]),
        Reply::ok()
    );
    assert_eq!(e.config.hz, 50);
    // Idle for more than a second: the next tick closes the client.
    let effects = e.tick(Time::from_ms(4_000));
    assert!(effects.contains(&keyrs_core::engine::Effect::KillClient(id)));
}

#[test]
fn config_set_requirepass_keeps_existing_clients_in() {
    let (mut e, id) = engine();
    assert_eq!(
        run(&mut e, id, &["CONFIG", "SET", "requirepass", "pw"]),
        Reply::ok()
    );
    // The client connected while no password was needed: still allowed.
    assert_eq!(
        run(&mut e, id, &["CONFIG", "GET", "requirepass"]),
        Reply::Map(vec![(Reply::bulk("requirepass"), Reply::bulk("pw"))])
    );
    let other = e
        .connect(ConnInfo::default(), Time::from_ms(3_000))
        .unwrap();
    assert_eq!(
        run(&mut e, other, &["CONFIG", "GET", "hz"]),
        Reply::error("NOAUTH Authentication required.")
    );
}

#[test]
fn config_resetstat_clears_counters() {
    let (mut e, id) = engine();
    run(&mut e, id, &["CONFIG", "GET", "hz"]);
    assert!(e.stats.total_commands_processed > 0);
    assert_eq!(run(&mut e, id, &["CONFIG", "RESETSTAT"]), Reply::ok());
    assert_eq!(
        e.stats.total_commands_processed, 1,
        "RESETSTAT itself is counted after"
    );
    let config_get = keyrs_core::engine::CmdName {
        parent: "config",
        sub: Some("get"),
    };
    assert!(e.stats.commands.contains_key(&keyrs_core::engine::CmdName {
        parent: "config",
        sub: Some("resetstat"),
    }));
    assert!(!e.stats.commands.contains_key(&config_get));
}

#[test]
fn config_rewrite_queues_the_new_file_for_the_driver() {
    let mut files = |p: &str| -> std::io::Result<String> {
        assert_eq!(p, "/etc/keyrs.conf");
        Ok("# mine\nhz 10\n".to_string())
    };
    let cfg =
        keyrs_core::config::load_from_args(&["/etc/keyrs.conf".to_string()], &mut files).unwrap();
    let mut e = Engine::new(cfg, ServerInfo::default(), 7);
    let id = e.connect(ConnInfo::default(), Time::from_ms(1)).unwrap();
    assert_eq!(run(&mut e, id, &["CONFIG", "SET", "hz", "25"]), Reply::ok());
    assert_eq!(run(&mut e, id, &["CONFIG", "REWRITE"]), Reply::ok());
    let (path, text) = e.config.take_pending_rewrite().expect("queued");
    assert_eq!(path, "/etc/keyrs.conf");
    assert!(text.starts_with("# mine\nhz 25\n"), "{text}");
    assert!(e.config.take_pending_rewrite().is_none());
}

/// Each line: a command, a tab, and redis-server 7.0's reply to it in a
/// canonical text form (CONFIG GET pairs sorted, since Redis's order is its
/// hash table's). Captured from a live `redis-server --port N --save ''
/// --appendonly no` by `data/config_diff_capture.py`, replies in order.
const DIFF: &str = include_str!("data/config_diff.tsv");

fn canon(r: &Reply) -> String {
    match r {
        Reply::Status(s) => format!("+{s}"),
        Reply::Error(s) => format!("-{s}"),
        Reply::Integer(n) => format!(":{n}"),
        Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
        Reply::Nil | Reply::NilArray => "nil".into(),
        Reply::Map(pairs) => {
            let mut kv: Vec<(String, String)> = pairs
                .iter()
                .map(|(k, v)| (canon(k), canon(v)))
                // KeyDB's own options are absent from Redis.
                .filter(|(k, _)| {
                    keyrs_core::config::options::lookup(k.as_bytes()).is_none_or(|(i, _)| {
                        !keyrs_core::config::options::OPTIONS[i]
                            .has(keyrs_core::config::options::flag::KEYDB)
                    })
                })
                .collect();
            kv.sort();
            let inner: Vec<String> = kv.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("*{{{}}}", inner.join(","))
        }
        Reply::Array(items) => {
            let inner: Vec<String> = items.iter().map(canon).collect();
            format!("*[{}]", inner.join("|"))
        }
        other => format!("{other:?}"),
    }
}

#[test]
fn config_replies_match_a_live_redis_server() {
    // Redis's built-in bind default (keyrs defaults to loopback only).
    let mut cfg = Config::default();
    cfg.set_option("bind", &["*".to_string(), "-::*".to_string()])
        .unwrap();
    let mut e = Engine::new(cfg, ServerInfo::default(), 7);
    let id = e.connect(ConnInfo::default(), Time::from_ms(1)).unwrap();
    let mut mismatches = Vec::new();
    for line in DIFF.lines() {
        let (cmd, want) = line.split_once('\t').expect("tab");
        let argv = keyrs_core::resp::parser::split_args(cmd.as_bytes()).expect("quotes");
        let reply = e
            .execute(id, &argv, Time::from_ms(2))
            .reply
            .expect("a reply");
        let got = canon(&reply);
        if got != want {
            mismatches.push(format!("{cmd}\n  redis: {want}\n  keyrs: {got}"));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
