//! Connection and server commands driven through `Engine::execute` with
//! several clients. Every expected reply was first taken from a real
//! redis-server 7.0.15 (raw RESP bytes over a socket).

use bytes::Bytes;
use keyrs_core::config::Config;
use keyrs_core::engine::{ClientId, ConnInfo, Effect, Engine, Outcome, ServerInfo, Time};
use keyrs_core::resp::encoder::encode_to_vec;

const T0: Time = Time {
    unix_us: 1_795_273_448_328_411,
};

fn engine_with(config: Config) -> Engine {
    let info = ServerInfo {
        pid: 4242,
        tcp_port: 6379,
        executable: "/usr/bin/keyrs-server".into(),
        config_file: String::new(),
        run_id: "2df0e853fa73396ed12197a56d946eeb5c76880d".into(),
        os: "Linux 6.1 x86_64".into(),
        arch_bits: 64,
    };
    Engine::new(config, info, 7)
}

fn engine() -> Engine {
    engine_with(Config::default())
}

fn connect(e: &mut Engine, port: u16) -> ClientId {
    e.connect(
        ConnInfo {
            addr: format!("127.0.0.1:{port}"),
            laddr: "127.0.0.1:6379".into(),
            fd: 8,
            thread: 0,
        },
        T0,
    )
    .expect("room for clients")
}

fn argv(args: &[&str]) -> Vec<Bytes> {
    args.iter()
        .map(|a| Bytes::copy_from_slice(a.as_bytes()))
        .collect()
}

fn exec_at(e: &mut Engine, id: ClientId, args: &[&str], now: Time) -> Outcome {
    e.execute(id, &argv(args), now)
}

/// The reply as wire bytes in the protocol the outcome names, or `None`
/// when the reply was suppressed.
fn wire(e: &mut Engine, id: ClientId, args: &[&str]) -> Option<String> {
    let out = exec_at(e, id, args, T0);
    out.reply
        .map(|r| String::from_utf8_lossy(&encode_to_vec(&r, out.proto)).into_owned())
}

fn w(e: &mut Engine, id: ClientId, args: &[&str]) -> String {
    wire(e, id, args).expect("a reply")
}

const HELLO2: &str = "*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:2\r\n$2\r\nid\r\n:1\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n";
const HELLO3: &str = "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:1\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n";

#[test]
fn hello_switches_protocol_and_validates() {
    let mut e = engine();
    let c = connect(&mut e, 50000);
    assert_eq!(w(&mut e, c, &["HELLO"]), HELLO2);
    // The reply to HELLO 3 is already RESP3.
    assert_eq!(w(&mut e, c, &["HELLO", "3"]), HELLO3);
    assert_eq!(w(&mut e, c, &["GET", "nokey"]), "_\r\n");
    assert_eq!(w(&mut e, c, &["HELLO", "2"]), HELLO2);
    assert_eq!(w(&mut e, c, &["GET", "nokey"]), "$-1\r\n");
    for bad in ["4", "1", "-1"] {
        assert_eq!(
            w(&mut e, c, &["HELLO", bad]),
            "-NOPROTO unsupported protocol version\r\n"
        );
    }
    assert_eq!(
        w(&mut e, c, &["HELLO", "abc"]),
        "-ERR Protocol version is not an integer or out of range\r\n"
    );
    assert_eq!(
        w(&mut e, c, &["HELLO", "4", "FOO"]),
        "-NOPROTO unsupported protocol version\r\n"
    );
    assert_eq!(
        w(&mut e, c, &["HELLO", "3", "FOO"]),
        "-ERR Syntax error in HELLO option 'FOO'\r\n"
    );
    // A failed HELLO leaves the protocol alone.
    assert_eq!(w(&mut e, c, &["GET", "nokey"]), "$-1\r\n");
    assert_eq!(
        w(&mut e, c, &["HELLO", "3", "AUTH"]),
        "-ERR Syntax error in HELLO option 'AUTH'\r\n"
    );
    assert_eq!(
        w(&mut e, c, &["HELLO", "3", "AUTH", "a"]),
        "-ERR Syntax error in HELLO option 'AUTH'\r\n"
    );
    assert_eq!(
        w(&mut e, c, &["HELLO", "3", "SETNAME", "a b"]),
        "-ERR Client names cannot contain spaces, newlines or special characters.\r\n"
    );
    // Options apply in order: AUTH fails before a bad SETNAME is looked at,
    // and a SETNAME sticks even when a later option is a syntax error.
    assert_eq!(
        w(
            &mut e,
            c,
            &["HELLO", "3", "AUTH", "foo", "x", "SETNAME", "a b"]
        ),
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
    );
    assert_eq!(
        w(
            &mut e,
            c,
            &["HELLO", "3", "SETNAME", "a b", "AUTH", "foo", "x"]
        ),
        "-ERR Client names cannot contain spaces, newlines or special characters.\r\n"
    );
    assert_eq!(
        w(&mut e, c, &["HELLO", "3", "SETNAME", "ok", "FOO"]),
        "-ERR Syntax error in HELLO option 'FOO'\r\n"
    );
    assert_eq!(w(&mut e, c, &["CLIENT", "GETNAME"]), "$2\r\nok\r\n");
    // Without requirepass the default user takes any password.
    assert_eq!(
        w(
            &mut e,
            c,
            &["HELLO", "3", "AUTH", "default", "x", "SETNAME", "n2"]
        ),
        HELLO3
    );
    assert_eq!(w(&mut e, c, &["CLIENT", "GETNAME"]), "$2\r\nn2\r\n");
    assert_eq!(w(&mut e, c, &["HELLO", "3", "SETNAME", ""]), HELLO3);
    assert_eq!(w(&mut e, c, &["CLIENT", "GETNAME"]), "_\r\n");
}

#[test]
fn auth_without_and_with_requirepass() {
    let mut e = engine();
    let c = connect(&mut e, 50000);
    assert_eq!(
        w(&mut e, c, &["AUTH", "x"]),
        "-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n"
    );
    assert_eq!(w(&mut e, c, &["AUTH", "default", "x"]), "+OK\r\n");
    assert_eq!(
        w(&mut e, c, &["AUTH", "foo", "x"]),
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
    );
    assert_eq!(
        w(&mut e, c, &["AUTH", "a", "b", "c"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        w(&mut e, c, &["AUTH"]),
        "-ERR wrong number of arguments for 'auth' command\r\n"
    );

    let mut config = Config::default();
    config
        .set_option("requirepass", &["secret".to_string()])
        .expect("valid requirepass");
    let mut e = engine_with(config);
    let c = connect(&mut e, 50001);
    let noauth = "-NOAUTH Authentication required.\r\n";
    assert_eq!(w(&mut e, c, &["PING"]), noauth);
    assert_eq!(w(&mut e, c, &["CLIENT", "ID"]), noauth);
    assert_eq!(
        w(&mut e, c, &["HELLO", "3"]),
        "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n"
    );
    assert_eq!(
        w(&mut e, c, &["HELLO", "4", "AUTH", "foo", "x"]),
        "-NOPROTO unsupported protocol version\r\n"
    );
    let wrongpass = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";
    assert_eq!(w(&mut e, c, &["AUTH", "x"]), wrongpass);
    assert_eq!(w(&mut e, c, &["AUTH", "default", "x"]), wrongpass);
    assert_eq!(
        w(&mut e, c, &["AUTH", "a", "b", "c"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(w(&mut e, c, &["QUIT", "x"]), "+OK\r\n");
    assert_eq!(
        w(&mut e, c, &["HELLO", "3", "AUTH", "default", "secret"]),
        HELLO3.replace(":1\r\n$4\r\nmode", &format!(":{c}\r\n$4\r\nmode"))
    );
    assert_eq!(w(&mut e, c, &["PING"]), "+PONG\r\n");
    // RESET logs the client out again.
    assert_eq!(w(&mut e, c, &["RESET"]), "+RESET\r\n");
    assert_eq!(w(&mut e, c, &["PING"]), noauth);
    assert_eq!(w(&mut e, c, &["AUTH", "secret"]), "+OK\r\n");
    assert_eq!(w(&mut e, c, &["PING"]), "+PONG\r\n");
    // Another client is not affected by this one's AUTH.
    let d = connect(&mut e, 50002);
    assert_eq!(w(&mut e, d, &["ECHO", "a"]), noauth);
}

#[test]
fn reset_restores_connection_defaults() {
    let mut e = engine();
    let c = connect(&mut e, 50000);
    assert!(w(&mut e, c, &["HELLO", "3"]).starts_with("%7"));
    assert_eq!(w(&mut e, c, &["SELECT", "3"]), "+OK\r\n");
    assert_eq!(w(&mut e, c, &["CLIENT", "SETNAME", "x"]), "+OK\r\n");
    assert_eq!(w(&mut e, c, &["CLIENT", "NO-EVICT", "on"]), "+OK\r\n");
    assert_eq!(wire(&mut e, c, &["CLIENT", "REPLY", "OFF"]), None);
    assert_eq!(wire(&mut e, c, &["PING"]), None);
    assert_eq!(w(&mut e, c, &["RESET"]), "+RESET\r\n");
    assert_eq!(w(&mut e, c, &["GET", "nokey"]), "$-1\r\n");
    assert_eq!(w(&mut e, c, &["CLIENT", "GETNAME"]), "$-1\r\n");
    let st = e.clients.get(c).expect("client");
    assert_eq!(st.db, 0);
    assert!(!st.no_evict);
    assert_eq!(
        w(&mut e, c, &["RESET", "x"]),
        "-ERR wrong number of arguments for 'reset' command\r\n"
    );
}

#[test]
fn client_reply_modes_follow_redis() {
    let mut e = engine();
    let c = connect(&mut e, 50000);
    let seq: &[(&[&str], Option<&str>)] = &[
        (&["CLIENT", "REPLY", "SKIP"], None),
        (&["CLIENT", "REPLY", "ON"], Some("+OK\r\n")),
        (&["CLIENT", "REPLY", "SKIP"], None),
        (&["CLIENT", "REPLY", "SKIP"], None),
        (&["PING", "1"], None),
        (&["PING", "2"], Some("$1\r\n2\r\n")),
        (&["CLIENT", "REPLY", "OFF"], None),
        (&["CLIENT", "REPLY", "SKIP"], None),
        (&["PING", "3"], None),
        (&["CLIENT", "REPLY", "ON"], Some("+OK\r\n")),
        (&["CLIENT", "REPLY", "SKIP"], None),
        (&["CLIENT", "REPLY", "OFF"], None),
        (&["PING", "4"], None),
        (&["CLIENT", "REPLY", "ON"], Some("+OK\r\n")),
        (&["CLIENT", "REPLY", "foo"], Some("-ERR syntax error\r\n")),
        (
            &["CLIENT", "REPLY"],
            Some("-ERR wrong number of arguments for 'client|reply' command\r\n"),
        ),
    ];
    for (args, want) in seq {
        assert_eq!(wire(&mut e, c, args).as_deref(), *want, "{args:?}");
    }
}

#[test]
fn client_names_ids_and_errors() {
    let mut e = engine();
    let c = connect(&mut e, 50000);
    assert_eq!(w(&mut e, c, &["CLIENT", "ID"]), format!(":{c}\r\n"));
    assert_eq!(w(&mut e, c, &["CLIENT", "GETNAME"]), "$-1\r\n");
    let bad = "-ERR Client names cannot contain spaces, newlines or special characters.\r\n";
    assert_eq!(w(&mut e, c, &["CLIENT", "SETNAME", "a b"]), bad);
    assert_eq!(w(&mut e, c, &["CLIENT", "SETNAME", "é"]), bad);
    assert_eq!(w(&mut e, c, &["CLIENT", "SETNAME", "a\nb"]), bad);
    assert_eq!(w(&mut e, c, &["CLIENT", "SETNAME", "~!@"]), "+OK\r\n");
    assert_eq!(w(&mut e, c, &["CLIENT", "GETNAME"]), "$3\r\n~!@\r\n");
    assert_eq!(
        w(&mut e, c, &["CLIENT", "FOO"]),
        "-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n"
    );
    assert_eq!(
        w(&mut e, c, &["CLIENT"]),
        "-ERR wrong number of arguments for 'client' command\r\n"
    );
    assert_eq!(
        w(&mut e, c, &["CLIENT", "ID", "x"]),
        "-ERR wrong number of arguments for 'client|id' command\r\n"
    );
    assert_eq!(
        w(&mut e, c, &["CLIENT", "NO-EVICT", "foo"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(w(&mut e, c, &["CLIENT", "GETREDIR"]), ":-1\r\n");
    assert_eq!(
        w(&mut e, c, &["CLIENT", "TRACKINGINFO"]),
        "*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n"
    );
    assert_eq!(
        w(&mut e, c, &["CLIENT", "CACHING", "yes"]),
        "-ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled\r\n"
    );
    assert_eq!(w(&mut e, c, &["CLIENT", "UNBLOCK", "5"]), ":0\r\n");
    assert_eq!(w(&mut e, c, &["CLIENT", "UNBLOCK", "5", "error"]), ":0\r\n");
    assert_eq!(
        w(&mut e, c, &["CLIENT", "UNBLOCK", "abc"]),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(
        w(&mut e, c, &["CLIENT", "UNBLOCK", "5", "foo"]),
        "-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n"
    );
    assert_eq!(
        w(&mut e, c, &["CLIENT", "PAUSE", "abc"]),
        "-ERR timeout is not an integer or out of range\r\n"
    );
    assert_eq!(
        w(&mut e, c, &["CLIENT", "PAUSE", "-1"]),
        "-ERR timeout is negative\r\n"
    );
    assert_eq!(
        w(&mut e, c, &["CLIENT", "PAUSE", "10", "foo"]),
        "-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n"
    );
    assert_eq!(w(&mut e, c, &["CLIENT", "UNPAUSE"]), "+OK\r\n");
    assert_eq!(
        w(&mut e, c, &["CLIENT", "TRACKING", "foo"]),
        "-ERR syntax error\r\n"
    );
    let help = w(&mut e, c, &["CLIENT", "HELP"]);
    assert!(help.starts_with(
        "*48\r\n+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CACHING (YES|NO)\r\n"
    ));
    assert!(help.ends_with("+HELP\r\n+    Prints this help.\r\n"));
}

/// CLIENT LIST field names in Redis 7.0.15's order, then keyrs's `thread`.
const LIST_FIELDS: &[&str] = &[
    "id",
    "addr",
    "laddr",
    "fd",
    "name",
    "age",
    "idle",
    "flags",
    "db",
    "sub",
    "psub",
    "ssub",
    "multi",
    "qbuf",
    "qbuf-free",
    "argv-mem",
    "multi-mem",
    "rbs",
    "rbp",
    "obl",
    "oll",
    "omem",
    "tot-mem",
    "events",
    "cmd",
    "user",
    "redir",
    "resp",
    "thread",
];

fn fields(line: &str) -> Vec<(String, String)> {
    line.trim_end()
        .split(' ')
        .map(|kv| {
            let (k, v) = kv.split_once('=').expect("k=v");
            (k.to_string(), v.to_string())
        })
        .collect()
}

#[test]
fn client_list_and_info_lines() {
    let mut e = engine();
    let a = connect(&mut e, 50000);
    let b = connect(&mut e, 50001);
    assert_eq!(w(&mut e, b, &["CLIENT", "SETNAME", "bee"]), "+OK\r\n");
    assert_eq!(w(&mut e, b, &["SELECT", "2"]), "+OK\r\n");
    let later = Time {
        unix_us: T0.unix_us + 5_000_000,
    };
    let out = exec_at(&mut e, a, &["CLIENT", "LIST"], later);
    let text = match out.reply {
        Some(keyrs_core::resp::Reply::Verbatim { text, .. }) => text,
        other => panic!("not verbatim: {other:?}"),
    };
    let text = String::from_utf8(text.to_vec()).expect("utf8");
    let lines: Vec<&str> = text.split_terminator('\n').collect();
    assert_eq!(lines.len(), 2);
    let la = fields(lines[0]);
    let lb = fields(lines[1]);
    let names: Vec<&str> = la.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, LIST_FIELDS);
    let get = |f: &[(String, String)], k: &str| {
        f.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .expect(k)
    };
    assert_eq!(get(&la, "id"), a.to_string());
    assert_eq!(get(&la, "addr"), "127.0.0.1:50000");
    assert_eq!(get(&la, "laddr"), "127.0.0.1:6379");
    assert_eq!(get(&la, "name"), "");
    assert_eq!(get(&la, "age"), "5");
    assert_eq!(get(&la, "flags"), "N");
    assert_eq!(get(&la, "multi"), "-1");
    assert_eq!(get(&la, "argv-mem"), "10");
    assert_eq!(get(&la, "cmd"), "client|list");
    assert_eq!(get(&la, "user"), "default");
    assert_eq!(get(&la, "redir"), "-1");
    assert_eq!(get(&la, "resp"), "2");
    assert_eq!(get(&lb, "name"), "bee");
    assert_eq!(get(&lb, "db"), "2");
    assert_eq!(get(&lb, "idle"), "5");
    assert_eq!(get(&lb, "cmd"), "select");
    assert_eq!(get(&lb, "argv-mem"), "0");

    // CLIENT INFO: the caller's own line; RESP3 gets a verbatim string.
    assert!(w(&mut e, b, &["HELLO", "3"]).starts_with("%7"));
    assert_eq!(w(&mut e, b, &["CLIENT", "NO-EVICT", "on"]), "+OK\r\n");
    let info = w(&mut e, b, &["CLIENT", "INFO"]);
    assert!(info.starts_with('='), "{info}");
    assert!(info.contains(&format!("txt:id={b} addr=127.0.0.1:50001 ")));
    assert!(info.contains(" flags=e db=2 "));
    assert!(info.ends_with(" cmd=client|info user=default redir=-1 resp=3 thread=0\n\r\n"));

    // Filters.
    let only_b = w(&mut e, a, &["CLIENT", "LIST", "ID", &b.to_string(), "999"]);
    assert!(only_b.contains("name=bee") && !only_b.contains("addr=127.0.0.1:50000"));
    assert_eq!(w(&mut e, a, &["CLIENT", "LIST", "ID", "0"]), "$0\r\n\r\n");
    assert_eq!(w(&mut e, a, &["CLIENT", "LIST", "ID", "-1"]), "$0\r\n\r\n");
    assert_eq!(
        w(&mut e, a, &["CLIENT", "LIST", "ID", "abc"]),
        "-ERR Invalid client ID\r\n"
    );
    assert_eq!(
        w(&mut e, a, &["CLIENT", "LIST", "TYPE", "pubsub"]),
        "$0\r\n\r\n"
    );
    assert_eq!(
        w(&mut e, a, &["CLIENT", "LIST", "TYPE", "master"]),
        "$0\r\n\r\n"
    );
    assert_eq!(
        w(&mut e, a, &["CLIENT", "LIST", "TYPE", "slave"]),
        "$0\r\n\r\n"
    );
    assert_eq!(
        w(&mut e, a, &["CLIENT", "LIST", "TYPE", "foo"]),
        "-ERR Unknown client type 'foo'\r\n"
    );
    for bad in [
        &["CLIENT", "LIST", "foo"][..],
        &["CLIENT", "LIST", "TYPE"],
        &["CLIENT", "LIST", "ID"],
        &["CLIENT", "LIST", "TYPE", "normal", "ID", "3"],
    ] {
        assert_eq!(w(&mut e, a, bad), "-ERR syntax error\r\n", "{bad:?}");
    }
    let normal = w(&mut e, a, &["CLIENT", "LIST", "TYPE", "normal"]);
    assert_eq!(normal.matches(" addr=").count(), 2);
}

#[test]
fn client_kill_forms() {
    let mut e = engine();
    let a = connect(&mut e, 50000);
    let b = connect(&mut e, 50001);
    let cases: &[(&[&str], &str)] = &[
        (&["CLIENT", "KILL", "1.2.3.4:5"], "-ERR No such client\r\n"),
        (&["CLIENT", "KILL", "ID"], "-ERR No such client\r\n"),
        (&["CLIENT", "KILL", "ID", "999"], ":0\r\n"),
        (
            &["CLIENT", "KILL", "ID", "abc"],
            "-ERR client-id should be greater than 0\r\n",
        ),
        (
            &["CLIENT", "KILL", "ID", "0"],
            "-ERR client-id should be greater than 0\r\n",
        ),
        (&["CLIENT", "KILL", "ADDR", "1.2.3.4:5"], ":0\r\n"),
        (&["CLIENT", "KILL", "LADDR", "x"], ":0\r\n"),
        (
            &["CLIENT", "KILL", "USER", "nouser"],
            "-ERR No such user 'nouser'\r\n",
        ),
        (
            &["CLIENT", "KILL", "TYPE", "foo"],
            "-ERR Unknown client type 'foo'\r\n",
        ),
        (
            &["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "maybe"],
            "-ERR syntax error\r\n",
        ),
        // MAXAGE arrived in Redis 7.4.
        (
            &["CLIENT", "KILL", "MAXAGE", "100"],
            "-ERR syntax error\r\n",
        ),
        (&["CLIENT", "KILL", "a", "b", "c"], "-ERR syntax error\r\n"),
        (
            &["CLIENT", "KILL", "ID", "1", "ID"],
            "-ERR syntax error\r\n",
        ),
        (&["CLIENT", "KILL", "TYPE", "master"], ":0\r\n"),
        (
            &["CLIENT", "KILL", "SKIPME", "no", "TYPE", "pubsub"],
            ":0\r\n",
        ),
        (
            &["CLIENT", "KILL"],
            "-ERR wrong number of arguments for 'client|kill' command\r\n",
        ),
    ];
    for (args, want) in cases {
        let out = exec_at(&mut e, a, args, T0);
        let got =
            String::from_utf8(encode_to_vec(&out.reply.expect("reply"), out.proto)).expect("utf8");
        assert_eq!(&got, want, "{args:?}");
        assert!(out.effects.is_empty(), "{args:?}");
    }
    // Another client, by id: a kill effect for it.
    let out = exec_at(&mut e, a, &["CLIENT", "KILL", "ID", &b.to_string()], T0);
    assert_eq!(out.reply, Some(keyrs_core::resp::Reply::Integer(1)));
    assert_eq!(out.effects, vec![Effect::KillClient(b)]);
    // USER default skips the caller by default...
    let out = exec_at(&mut e, a, &["CLIENT", "KILL", "USER", "default"], T0);
    assert_eq!(out.reply, Some(keyrs_core::resp::Reply::Integer(1)));
    assert_eq!(out.effects, vec![Effect::KillClient(b)]);
    // ...and with SKIPME no the caller is closed after its reply.
    let out = exec_at(
        &mut e,
        a,
        &["CLIENT", "KILL", "ID", &a.to_string(), "SKIPME", "no"],
        T0,
    );
    assert_eq!(out.reply, Some(keyrs_core::resp::Reply::Integer(1)));
    assert_eq!(out.effects, vec![Effect::CloseAfterReply]);
    // Old form by address.
    let out = exec_at(&mut e, a, &["CLIENT", "KILL", "127.0.0.1:50001"], T0);
    assert_eq!(out.reply, Some(keyrs_core::resp::Reply::ok()));
    assert_eq!(out.effects, vec![Effect::KillClient(b)]);
    let out = exec_at(&mut e, a, &["CLIENT", "KILL", "127.0.0.1:50000"], T0);
    assert_eq!(out.reply, Some(keyrs_core::resp::Reply::ok()));
    assert_eq!(out.effects, vec![Effect::CloseAfterReply]);
}

#[test]
fn ping_echo_select_quit() {
    let mut e = engine();
    let c = connect(&mut e, 50000);
    assert_eq!(w(&mut e, c, &["PING"]), "+PONG\r\n");
    assert_eq!(w(&mut e, c, &["PING", "x"]), "$1\r\nx\r\n");
    assert_eq!(
        w(&mut e, c, &["PING", "a", "b"]),
        "-ERR wrong number of arguments for 'ping' command\r\n"
    );
    assert_eq!(
        w(&mut e, c, &["ECHO"]),
        "-ERR wrong number of arguments for 'echo' command\r\n"
    );
    assert_eq!(
        w(&mut e, c, &["SELECT", "16"]),
        "-ERR DB index is out of range\r\n"
    );
    assert_eq!(
        w(&mut e, c, &["SELECT", "-1"]),
        "-ERR DB index is out of range\r\n"
    );
    for bad in ["a", "1.5", " 1", "01"] {
        assert_eq!(
            w(&mut e, c, &["SELECT", bad]),
            "-ERR value is not an integer or out of range\r\n"
        );
    }
    for big in ["99999999999", "2147483648", "-2147483649"] {
        assert_eq!(
            w(&mut e, c, &["SELECT", big]),
            "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n"
        );
    }
    // In the RESP2 pub/sub context PING answers like a message.
    e.clients.get_mut(c).expect("client").sub = 1;
    assert_eq!(w(&mut e, c, &["PING"]), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
    assert_eq!(
        w(&mut e, c, &["PING", "x"]),
        "*2\r\n$4\r\npong\r\n$1\r\nx\r\n"
    );
    e.clients.get_mut(c).expect("client").sub = 0;
    let out = exec_at(&mut e, c, &["QUIT"], T0);
    assert_eq!(out.reply, Some(keyrs_core::resp::Reply::ok()));
    assert_eq!(out.effects, vec![Effect::CloseAfterReply]);
}

#[test]
fn time_and_shutdown() {
    let mut e = engine();
    let c = connect(&mut e, 50000);
    assert_eq!(
        w(&mut e, c, &["TIME"]),
        "*2\r\n$10\r\n1795273448\r\n$6\r\n328411\r\n"
    );
    assert_eq!(
        w(&mut e, c, &["TIME", "x"]),
        "-ERR wrong number of arguments for 'time' command\r\n"
    );
    for bad in [
        &["SHUTDOWN", "FOO"][..],
        &["SHUTDOWN", "NOSAVE", "SAVE"],
        &["SHUTDOWN", "NOW", "FORCE", "ABORT"],
    ] {
        assert_eq!(w(&mut e, c, bad), "-ERR syntax error\r\n");
    }
    assert_eq!(
        w(&mut e, c, &["SHUTDOWN", "ABORT"]),
        "-ERR No shutdown in progress.\r\n"
    );
    assert_eq!(w(&mut e, c, &["LASTSAVE"]), ":1795273448\r\n");
    assert_eq!(
        w(&mut e, c, &["LASTSAVE", "x"]),
        "-ERR wrong number of arguments for 'lastsave' command\r\n"
    );
    // A successful SHUTDOWN is not answered: the server just goes away.
    let out = exec_at(&mut e, c, &["SHUTDOWN", "NOSAVE", "NOW"], T0);
    assert_eq!(out.effects, vec![Effect::Shutdown]);
    assert_eq!(out.reply, None);
    assert_eq!(w(&mut e, c, &["PING"]), "+PONG\r\n");
}

fn section_headers(text: &str) -> Vec<&str> {
    text.lines().filter(|l| l.starts_with('#')).collect()
}

fn info_text(e: &mut Engine, c: ClientId, args: &[&str]) -> String {
    match exec_at(e, c, args, T0).reply {
        Some(keyrs_core::resp::Reply::Verbatim { format, text }) => {
            assert_eq!(&format, b"txt");
            String::from_utf8(text.to_vec()).expect("utf8")
        }
        other => panic!("not verbatim: {other:?}"),
    }
}

#[test]
fn info_sections_and_counters() {
    let mut e = engine();
    let c = connect(&mut e, 50000);
    let default = [
        "# Server",
        "# Clients",
        "# Memory",
        "# Persistence",
        "# Stats",
        "# Replication",
        "# CPU",
        "# Modules",
        "# Errorstats",
        "# Cluster",
        "# Keyspace",
    ];
    assert_eq!(section_headers(&info_text(&mut e, c, &["INFO"])), default);
    assert_eq!(
        section_headers(&info_text(&mut e, c, &["INFO", "default"])),
        default
    );
    assert_eq!(
        section_headers(&info_text(&mut e, c, &["INFO", "everything"])),
        [
            "# Server",
            "# Clients",
            "# Memory",
            "# Persistence",
            "# Stats",
            "# Replication",
            "# CPU",
            "# Modules",
            "# Commandstats",
            "# Errorstats",
            "# Latencystats",
            "# Cluster",
            "# Keyspace",
        ]
    );
    assert_eq!(info_text(&mut e, c, &["INFO", "foo"]), "");
    assert_eq!(
        w(&mut e, c, &["INFO", "modules"]),
        "$11\r\n# Modules\r\n\r\n"
    );
    assert_eq!(
        w(&mut e, c, &["INFO", "cluster"]),
        "$30\r\n# Cluster\r\ncluster_enabled:0\r\n\r\n"
    );
    // Sections come in Redis's order whatever the argument order.
    let two = info_text(&mut e, c, &["INFO", "KEYSPACE", "server"]);
    assert!(two.starts_with("# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:00000000\r\n"));
    assert!(two.ends_with("io_threads_active:0\r\n\r\n# Keyspace\r\n"));

    // Keyspace lines.
    w(&mut e, c, &["SET", "a", "1"]);
    w(&mut e, c, &["SELECT", "2"]);
    w(&mut e, c, &["SET", "b", "1"]);
    assert!(e.dbs[2].set_expire(b"b", T0.ms() + 100_000));
    assert_eq!(
        info_text(&mut e, c, &["INFO", "keyspace"]),
        "# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\ndb2:keys=1,expires=1,avg_ttl=100000\r\n"
    );

    // Errors: counted by code; refused calls are rejected, not failed.
    let d = connect(&mut e, 50001);
    w(&mut e, d, &["FOO"]);
    w(&mut e, d, &["GET", "a", "b"]);
    w(&mut e, d, &["CLIENT", "NOPE"]);
    w(&mut e, d, &["CLIENT", "KILL", "nobody"]);
    w(&mut e, d, &["HELLO", "9"]);
    let stats = info_text(&mut e, d, &["INFO", "commandstats", "errorstats"]);
    assert!(stats.contains(
        "cmdstat_get:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0\r\n"
    ));
    assert!(stats.contains(
        "cmdstat_client:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0\r\n"
    ));
    assert!(stats.contains(
        "cmdstat_client|kill:calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=1\r\n"
    ));
    assert!(stats.contains(
        "cmdstat_set:calls=2,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0\r\n"
    ));
    assert!(
        stats.ends_with("# Errorstats\r\nerrorstat_ERR:count=4\r\nerrorstat_NOPROTO:count=1\r\n")
    );
    let st = info_text(&mut e, d, &["INFO", "stats"]);
    assert!(st.contains("\r\ntotal_error_replies:5\r\n"));
    assert!(st.contains("\r\ntotal_connections_received:2\r\n"));
    // Refused commands (FOO, GET arity, CLIENT NOPE) are not processed ones:
    // 9 INFO + 3 SET/SELECT + CLIENT KILL + HELLO 9 ran before this INFO,
    // which is not counted until it is done.
    assert!(st.contains("\r\ntotal_commands_processed:14\r\n"), "{st}");
    let cl = info_text(&mut e, d, &["INFO", "clients"]);
    assert!(cl.starts_with(
        "# Clients\r\nconnected_clients:2\r\ncluster_connections:0\r\nmaxclients:10000\r\n"
    ));
    let sv = info_text(&mut e, d, &["INFO", "server"]);
    assert!(sv.contains("\r\nrun_id:2df0e853fa73396ed12197a56d946eeb5c76880d\r\ntcp_port:6379\r\nserver_time_usec:1795273448328411\r\nuptime_in_seconds:0\r\nuptime_in_days:0\r\nhz:10\r\nconfigured_hz:10\r\nlru_clock:111336\r\n"));
}

/// COMMAND INFO get, byte for byte from redis-server 7.0.15 (RESP2).
const GET_INFO2: &str = "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n";

#[test]
fn command_introspection() {
    let mut e = engine();
    let c = connect(&mut e, 50000);
    assert_eq!(w(&mut e, c, &["COMMAND", "INFO", "get"]), GET_INFO2);
    assert_eq!(
        w(&mut e, c, &["COMMAND", "INFO", "nosuch"]),
        "*1\r\n$-1\r\n"
    );
    assert_eq!(
        w(&mut e, c, &["COMMAND", "INFO", "client|nosuch"]),
        "*1\r\n$-1\r\n"
    );
    let id_info = "*1\r\n*10\r\n$9\r\nclient|id\r\n:2\r\n*3\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@slow\r\n+@connection\r\n*0\r\n*0\r\n*0\r\n";
    assert_eq!(w(&mut e, c, &["COMMAND", "INFO", "client|id"]), id_info);
    assert_eq!(w(&mut e, c, &["COMMAND", "INFO", "CLIENT|ID"]), id_info);
    for name in ["hello", "auth", "reset", "quit"] {
        let got = w(&mut e, c, &["COMMAND", "INFO", name]);
        assert!(
            got.contains("*6\r\n+noscript\r\n+loading\r\n+stale\r\n+fast\r\n+no_auth\r\n+allow_busy\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@fast\r\n+@connection\r\n*0\r\n*0\r\n*0\r\n"),
            "{name}: {got}"
        );
    }
    assert_eq!(
        w(&mut e, c, &["COMMAND", "INFO", "debug"]),
        "*1\r\n*10\r\n$5\r\ndebug\r\n:-2\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n"
    );
    assert_eq!(
        w(&mut e, c, &["COMMAND", "INFO", "ping"]),
        "*1\r\n*10\r\n$4\r\nping\r\n:-1\r\n*1\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@fast\r\n+@connection\r\n*2\r\n$25\r\nrequest_policy:all_shards\r\n$29\r\nresponse_policy:all_succeeded\r\n*0\r\n*0\r\n"
    );
    assert_eq!(
        w(&mut e, c, &["COMMAND", "GETKEYSANDFLAGS", "del", "a", "b"]),
        "*2\r\n*2\r\n$1\r\na\r\n*2\r\n+RM\r\n+delete\r\n*2\r\n$1\r\nb\r\n*2\r\n+RM\r\n+delete\r\n"
    );
    assert_eq!(
        w(&mut e, c, &["COMMAND", "GETKEYSANDFLAGS", "set", "a", "b"]),
        "*1\r\n*2\r\n$1\r\na\r\n*2\r\n+OW\r\n+update\r\n"
    );
    assert_eq!(
        w(
            &mut e,
            c,
            &["COMMAND", "GETKEYSANDFLAGS", "set", "a", "b", "GET"]
        ),
        "*1\r\n*2\r\n$1\r\na\r\n*3\r\n+RW\r\n+access\r\n+update\r\n"
    );
    // RESP3: sets for flags, categories, tips, key specs and subcommands.
    assert!(w(&mut e, c, &["HELLO", "3"]).starts_with("%7"));
    assert_eq!(
        w(&mut e, c, &["COMMAND", "INFO", "nosuch", "get"]),
        "*2\r\n_\r\n*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n~3\r\n+@read\r\n+@string\r\n+@fast\r\n~0\r\n~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n"
    );
    assert_eq!(
        w(&mut e, c, &["COMMAND", "GETKEYSANDFLAGS", "get", "a"]),
        "*1\r\n*2\r\n$1\r\na\r\n~2\r\n+RO\r\n+access\r\n"
    );
    assert_eq!(
        w(&mut e, c, &["COMMAND", "DOCS", "client|id"]),
        "%1\r\n$9\r\nclient|id\r\n%4\r\n$7\r\nsummary\r\n$48\r\nReturns the client ID for the current connection\r\n$5\r\nsince\r\n$5\r\n5.0.0\r\n$5\r\ngroup\r\n$10\r\nconnection\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n"
    );
    assert!(w(&mut e, c, &["HELLO", "2"]).starts_with("*14"));
    assert_eq!(w(&mut e, c, &["COMMAND", "DOCS", "nosuch"]), "*0\r\n");
    assert_eq!(
        w(&mut e, c, &["COMMAND", "GETKEYS", "get", "a"]),
        "*1\r\n$1\r\na\r\n"
    );
    let cases: &[(&[&str], &str)] = &[
        (
            &["COMMAND", "GETKEYS", "ping"],
            "-ERR wrong number of arguments for 'command|getkeys' command\r\n",
        ),
        (
            &["COMMAND", "GETKEYS", "ping", "x"],
            "-ERR The command has no key arguments\r\n",
        ),
        (
            &["COMMAND", "GETKEYS", "client", "list"],
            "-ERR The command has no key arguments\r\n",
        ),
        (
            &["COMMAND", "GETKEYS", "get", "a", "b"],
            "-ERR Invalid number of arguments specified for command\r\n",
        ),
        (
            &["COMMAND", "GETKEYS", "nosuch", "a"],
            "-ERR Invalid command specified\r\n",
        ),
        // A zero key count yields no keys at all (even ZUNIONSTORE's
        // destination), as redis-server 7.0.15 answers.
        (
            &["COMMAND", "GETKEYS", "zunionstore", "d", "0", "a"],
            "-ERR Invalid arguments specified for command\r\n",
        ),
        (
            &["COMMAND", "GETKEYS", "lmpop", "0", "a", "left"],
            "-ERR Invalid arguments specified for command\r\n",
        ),
        (
            &["COMMAND", "GETKEYS", "lmpop", "1", "a", "left"],
            "*1\r\n$1\r\na\r\n",
        ),
        (&["COMMAND", "LIST", "FILTERBY", "module", "x"], "*0\r\n"),
        (
            &["COMMAND", "LIST", "FILTERBY", "aclcat", "nosuch"],
            "*0\r\n",
        ),
        (
            &["COMMAND", "LIST", "FILTERBY", "foo", "x"],
            "-ERR syntax error\r\n",
        ),
        (&["COMMAND", "LIST", "FILTERBY"], "-ERR syntax error\r\n"),
        (&["COMMAND", "LIST", "x"], "-ERR syntax error\r\n"),
        (
            &["COMMAND", "COUNT", "x"],
            "-ERR wrong number of arguments for 'command|count' command\r\n",
        ),
        (
            &["COMMAND", "x"],
            "-ERR unknown subcommand 'x'. Try COMMAND HELP.\r\n",
        ),
    ];
    for (args, want) in cases {
        assert_eq!(&w(&mut e, c, args), want, "{args:?}");
    }
    let n = e.table.len();
    assert_eq!(w(&mut e, c, &["COMMAND", "COUNT"]), format!(":{n}\r\n"));
    assert!(w(&mut e, c, &["COMMAND"]).starts_with(&format!("*{n}\r\n*10\r\n")));
    let pat = w(
        &mut e,
        c,
        &["COMMAND", "LIST", "FILTERBY", "pattern", "cl*"],
    );
    assert!(pat.contains("$6\r\nclient\r\n") && pat.contains("$11\r\nclient|list\r\n"));
    let conn = w(
        &mut e,
        c,
        &["COMMAND", "LIST", "FILTERBY", "aclcat", "connection"],
    );
    assert!(conn.contains("$11\r\nclient|list\r\n") && conn.contains("$5\r\nhello\r\n"));
    assert!(!conn.contains("$6\r\nclient\r\n"));
    assert!(w(&mut e, c, &["COMMAND", "HELP"]).starts_with(
        "*21\r\n+COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
    ));
}

#[test]
fn debug_digests_match_redis() {
    let mut e = engine();
    let c = connect(&mut e, 50000);
    let zero = "+0000000000000000000000000000000000000000\r\n";
    assert_eq!(w(&mut e, c, &["DEBUG", "DIGEST"]), zero);
    w(&mut e, c, &["SET", "a", "hello"]);
    assert_eq!(
        w(&mut e, c, &["DEBUG", "DIGEST"]),
        "+7bba0c6c0ba7cf343554878a513cce31a28c4abb\r\n"
    );
    assert_eq!(
        w(&mut e, c, &["DEBUG", "DIGEST-VALUE", "a", "nosuch"]),
        format!("*2\r\n+36b23a1456b2dce2c3ed252c456761301dba8060\r\n{zero}")
    );
    // The data set of the redis-server session: a = "hellox" (after APPEND),
    // n = 12345, big = 65 x's; then a gets a TTL.
    w(&mut e, c, &["SET", "a", "hellox"]);
    w(&mut e, c, &["SET", "n", "12345"]);
    let big = "x".repeat(65);
    w(&mut e, c, &["SET", "big", &big]);
    assert_eq!(
        w(&mut e, c, &["DEBUG", "DIGEST"]),
        "+0e9a26ba230e93b1c315d141561e4156b5297d20\r\n"
    );
    assert!(e.dbs[0].set_expire(b"a", T0.ms() + 1_000_000));
    assert_eq!(
        w(&mut e, c, &["DEBUG", "DIGEST"]),
        "+a48bfab3d6be7f8bcdfdf88ec235daac768cd743\r\n"
    );
    assert_eq!(
        w(&mut e, c, &["DEBUG", "DIGEST-VALUE", "a", "n", "big"]),
        "*3\r\n+4e2c40a883df4f6abfa6bc77e5094849596547be\r\n+e1cf90774e995ae03de66e8109dc5cb9d9c2dc83\r\n+bff60ea8ba82bccdc2517a985192d7e5b0984677\r\n"
    );
    assert_eq!(w(&mut e, c, &["DEBUG", "DIGEST-VALUE"]), "*0\r\n");
    // The same data in another db digests differently.
    let mut e2 = engine();
    let c2 = connect(&mut e2, 50000);
    w(&mut e2, c2, &["SELECT", "1"]);
    w(&mut e2, c2, &["SET", "a", "hello"]);
    assert_ne!(
        w(&mut e2, c2, &["DEBUG", "DIGEST"]),
        "+7bba0c6c0ba7cf343554878a513cce31a28c4abb\r\n"
    );
}

#[test]
fn debug_object_sleep_and_errors() {
    let mut e = engine();
    let c = connect(&mut e, 50000);
    w(&mut e, c, &["SET", "n", "70000"]);
    let obj = w(&mut e, c, &["DEBUG", "OBJECT", "n"]);
    assert!(obj.starts_with("+Value at:0x"), "{obj}");
    assert!(
        obj.ends_with(
            " refcount:1 encoding:int serializedlength:5 lru:111336 lru_seconds_idle:0\r\n"
        ),
        "{obj}"
    );
    w(&mut e, c, &["SET", "s", "1"]);
    let later = Time {
        unix_us: T0.unix_us + 3_000_000,
    };
    let out = exec_at(&mut e, c, &["DEBUG", "OBJECT", "s"], later);
    let obj =
        String::from_utf8(encode_to_vec(&out.reply.expect("reply"), out.proto)).expect("utf8");
    assert!(
        obj.ends_with(" refcount:2147483647 encoding:int serializedlength:2 lru:111336 lru_seconds_idle:3\r\n"),
        "{obj}"
    );
    w(&mut e, c, &["SET", "e", ""]);
    assert!(
        w(&mut e, c, &["DEBUG", "OBJECT", "e"]).contains(" encoding:embstr serializedlength:1 ")
    );
    assert_eq!(
        w(&mut e, c, &["DEBUG", "OBJECT", "nosuch"]),
        "-ERR no such key\r\n"
    );
    let out = exec_at(&mut e, c, &["DEBUG", "SLEEP", "0.1"], T0);
    assert_eq!(out.reply, Some(keyrs_core::resp::Reply::ok()));
    assert_eq!(
        out.effects,
        vec![Effect::Sleep {
            duration_us: 100_000
        }]
    );
    for arg in ["0", "abc", "-1", "inf"] {
        let out = exec_at(&mut e, c, &["DEBUG", "SLEEP", arg], T0);
        assert_eq!(out.reply, Some(keyrs_core::resp::Reply::ok()), "{arg}");
        assert!(out.effects.is_empty(), "{arg}");
    }
    assert_eq!(
        w(&mut e, c, &["DEBUG", "SET-ACTIVE-EXPIRE", "0"]),
        "+OK\r\n"
    );
    assert!(!e.active_expire_enabled);
    assert_eq!(
        w(&mut e, c, &["DEBUG", "SET-ACTIVE-EXPIRE", "2"]),
        "+OK\r\n"
    );
    assert!(e.active_expire_enabled);
    assert_eq!(
        w(&mut e, c, &["DEBUG", "SET-ACTIVE-EXPIRE", "x"]),
        "+OK\r\n"
    );
    assert!(!e.active_expire_enabled);
    for (args, name) in [
        (&["DEBUG", "FOO"][..], "FOO"),
        (&["DEBUG", "DIGEST", "x"], "DIGEST"),
        (&["DEBUG", "OBJECT"], "OBJECT"),
        (&["DEBUG", "OBJECT", "a", "b"], "OBJECT"),
        (&["DEBUG", "SLEEP"], "SLEEP"),
        (&["DEBUG", "SET-ACTIVE-EXPIRE"], "SET-ACTIVE-EXPIRE"),
        (&["DEBUG", "HELP", "x"], "HELP"),
    ] {
        assert_eq!(
            w(&mut e, c, args),
            format!("-ERR unknown subcommand or wrong number of arguments for '{name}'. Try DEBUG HELP.\r\n")
        );
    }
    assert_eq!(
        w(&mut e, c, &["DEBUG"]),
        "-ERR wrong number of arguments for 'debug' command\r\n"
    );
}

#[test]
fn pubsub_context_refuses_other_commands_in_resp2() {
    let mut e = engine();
    let c = connect(&mut e, 50000);
    // As if SUBSCRIBE c had run (the pub/sub commands set this count).
    e.clients.get_mut(c).expect("client").sub = 1;
    assert_eq!(
        w(&mut e, c, &["CLIENT", "LIST"]),
        "-ERR Can't execute 'client|list': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n"
    );
    assert_eq!(
        w(&mut e, c, &["HELLO", "3"]),
        "-ERR Can't execute 'hello': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n"
    );
    // Arity and unknown-command errors come first.
    assert_eq!(
        w(&mut e, c, &["GET"]),
        "-ERR wrong number of arguments for 'get' command\r\n"
    );
    assert_eq!(
        w(&mut e, c, &["FOO"]),
        "-ERR unknown command 'FOO', with args beginning with: \r\n"
    );
    assert_eq!(w(&mut e, c, &["PING"]), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
    // RESP3 connections may run anything while subscribed.
    e.clients.get_mut(c).expect("client").proto = keyrs_core::resp::Protocol::Resp3;
    assert_eq!(w(&mut e, c, &["PING"]), "+PONG\r\n");
    assert!(w(&mut e, c, &["CLIENT", "LIST"]).starts_with("="));
}

#[test]
fn client_list_cmd_tracks_refused_commands_like_redis() {
    let mut e = engine();
    let a = connect(&mut e, 50000);
    let b = connect(&mut e, 50001);
    let cmd_of_a = |e: &mut Engine| {
        let list = w(e, b, &["CLIENT", "LIST", "ID", &a.to_string()]);
        list.split(' ')
            .find_map(|kv| kv.strip_prefix("cmd="))
            .expect("cmd field")
            .to_string()
    };
    assert_eq!(cmd_of_a(&mut e), "NULL");
    // Taken from CLIENT LIST of a second redis-server connection.
    let seq: &[(&[&str], &str)] = &[
        (&["GET"], "get"),
        (&["FOO"], "NULL"),
        (&["PING"], "ping"),
        (&["CLIENT", "NOPE"], "NULL"),
        (&["AUTH", "x"], "auth"),
        (&["CLIENT", "ID"], "client|id"),
    ];
    for (args, want) in seq {
        w(&mut e, a, args);
        assert_eq!(cmd_of_a(&mut e), *want, "{args:?}");
    }
}

/// `redis-cli info everything` of redis-server 7.0.15, field names only
/// (per-command, per-error and per-db lines removed), sections as `#Name`,
/// plus KeyDB's threading fields (`server_threads`,
/// `current_client_thread`, `thread_<i>_clients`).
const REDIS_INFO_FIELDS: &str = "#Server redis_version redis_git_sha1 redis_git_dirty redis_build_id redis_mode os arch_bits monotonic_clock multiplexing_api atomicvar_api gcc_version process_id process_supervised run_id tcp_port server_time_usec uptime_in_seconds uptime_in_days hz configured_hz lru_clock executable config_file io_threads_active #Clients connected_clients cluster_connections maxclients client_recent_max_input_buffer client_recent_max_output_buffer blocked_clients tracking_clients clients_in_timeout_table current_client_thread thread_0_clients #Memory used_memory used_memory_human used_memory_rss used_memory_rss_human used_memory_peak used_memory_peak_human used_memory_peak_perc used_memory_overhead used_memory_startup used_memory_dataset used_memory_dataset_perc allocator_allocated allocator_active allocator_resident total_system_memory total_system_memory_human used_memory_lua used_memory_vm_eval used_memory_lua_human used_memory_scripts_eval number_of_cached_scripts number_of_functions number_of_libraries used_memory_vm_functions used_memory_vm_total used_memory_vm_total_human used_memory_functions used_memory_scripts used_memory_scripts_human maxmemory maxmemory_human maxmemory_policy allocator_frag_ratio allocator_frag_bytes allocator_rss_ratio allocator_rss_bytes rss_overhead_ratio rss_overhead_bytes mem_fragmentation_ratio mem_fragmentation_bytes mem_not_counted_for_evict mem_replication_backlog mem_total_replication_buffers mem_clients_slaves mem_clients_normal mem_cluster_links mem_aof_buffer mem_allocator active_defrag_running lazyfree_pending_objects lazyfreed_objects #Persistence loading async_loading current_cow_peak current_cow_size current_cow_size_age current_fork_perc current_save_keys_processed current_save_keys_total rdb_changes_since_last_save rdb_bgsave_in_progress rdb_last_save_time rdb_last_bgsave_status rdb_last_bgsave_time_sec rdb_current_bgsave_time_sec rdb_saves rdb_last_cow_size rdb_last_load_keys_expired rdb_last_load_keys_loaded aof_enabled aof_rewrite_in_progress aof_rewrite_scheduled aof_last_rewrite_time_sec aof_current_rewrite_time_sec aof_last_bgrewrite_status aof_rewrites aof_rewrites_consecutive_failures aof_last_write_status aof_last_cow_size module_fork_in_progress module_fork_last_cow_size #Stats total_connections_received total_commands_processed instantaneous_ops_per_sec total_net_input_bytes total_net_output_bytes total_net_repl_input_bytes total_net_repl_output_bytes instantaneous_input_kbps instantaneous_output_kbps instantaneous_input_repl_kbps instantaneous_output_repl_kbps rejected_connections sync_full sync_partial_ok sync_partial_err expired_keys expired_stale_perc expired_time_cap_reached_count expire_cycle_cpu_milliseconds evicted_keys evicted_clients total_eviction_exceeded_time current_eviction_exceeded_time keyspace_hits keyspace_misses pubsub_channels pubsub_patterns pubsubshard_channels latest_fork_usec total_forks migrate_cached_sockets slave_expires_tracked_keys active_defrag_hits active_defrag_misses active_defrag_key_hits active_defrag_key_misses total_active_defrag_time current_active_defrag_time tracking_total_keys tracking_total_items tracking_total_prefixes unexpected_error_replies total_error_replies dump_payload_sanitizations total_reads_processed total_writes_processed io_threaded_reads_processed io_threaded_writes_processed reply_buffer_shrinks reply_buffer_expands #Replication role connected_slaves master_failover_state master_replid master_replid2 master_repl_offset second_repl_offset repl_backlog_active repl_backlog_size repl_backlog_first_byte_offset repl_backlog_histlen #CPU used_cpu_sys used_cpu_user used_cpu_sys_children used_cpu_user_children server_threads used_cpu_sys_main_thread used_cpu_user_main_thread #Modules #Commandstats #Errorstats #Latencystats #Cluster cluster_enabled #Keyspace";

/// KeyDB's engine-lock fields, which Redis lacks (checked on their own below).
const KEYDB_LOCK_FIELDS: [&str; 3] = [
    "instantaneous_lock_contention",
    "avg_lock_contention",
    "long_lock_waits",
];

/// keyrs's own INFO fields (after KeyDB's in # CPU).
const KEYRS_FIELDS: [&str; 1] = ["event_coalesce_pauses"];

#[test]
fn info_has_keydb_lock_fields_where_keydb_puts_them() {
    let mut e = engine();
    let c = connect(&mut e, 50000);
    e.host.long_lock_waits = 7;
    e.host.lock_contention = 3;
    e.host.avg_lock_contention = 0.25;
    e.host.event_coalesce_pauses = 5;
    let stats = info_text(&mut e, c, &["INFO", "stats"]);
    assert!(
        stats.contains("\r\ninstantaneous_lock_contention:3\r\n"),
        "{stats}"
    );
    assert!(
        stats.contains("\r\navg_lock_contention:0.250000\r\n"),
        "{stats}"
    );
    let cpu = info_text(&mut e, c, &["INFO", "cpu"]);
    assert!(
        cpu.contains(
            "\r\nused_cpu_user_children:0.000000\r\nserver_threads:1\r\nlong_lock_waits:7\r\nevent_coalesce_pauses:5\r\n"
        ),
        "{cpu}"
    );
}

#[test]
fn info_everything_has_redis_fields_in_order() {
    let mut e = engine();
    let c = connect(&mut e, 50000);
    let text = info_text(&mut e, c, &["INFO", "everything"]);
    let names: Vec<String> = text
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .filter(|l| {
            !l.starts_with("cmdstat_") && !l.starts_with("errorstat_") && !l.starts_with("db")
        })
        .map(|l| match l.strip_prefix("# ") {
            Some(section) => format!("#{section}"),
            None => l.split(':').next().unwrap_or("").to_string(),
        })
        .filter(|name| !KEYDB_LOCK_FIELDS.contains(&name.as_str()))
        .filter(|name| !KEYRS_FIELDS.contains(&name.as_str()))
        .collect();
    assert_eq!(names.join(" "), REDIS_INFO_FIELDS);
    // Every line is `name:value` or a header; sections are separated by one
    // blank line and the text ends with a line end.
    assert!(text.ends_with("\r\n") && !text.ends_with("\r\n\r\n"));
    assert!(!text.contains("\r\n\r\n\r\n"));
}

#[test]
fn command_docs_are_redis_70_docs() {
    let mut e = engine();
    let c = connect(&mut e, 50000);
    // Byte for byte from redis-server 7.0.15, RESP2 then RESP3.
    assert_eq!(w(&mut e, c, &["COMMAND", "DOCS", "set"]), "*2\r\n$3\r\nset\r\n*12\r\n$7\r\nsummary\r\n$29\r\nSet the string value of a key\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$7\r\nhistory\r\n*4\r\n*2\r\n$6\r\n2.6.12\r\n$44\r\nAdded the `EX`, `PX`, `NX` and `XX` options.\r\n*2\r\n$5\r\n6.0.0\r\n$27\r\nAdded the `KEEPTTL` option.\r\n*2\r\n$5\r\n6.2.0\r\n$42\r\nAdded the `GET`, `EXAT` and `PXAT` option.\r\n*2\r\n$5\r\n7.0.0\r\n$55\r\nAllowed the `NX` and `GET` options to be used together.\r\n$9\r\narguments\r\n*5\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n*4\r\n$4\r\nname\r\n$5\r\nvalue\r\n$4\r\ntype\r\n$6\r\nstring\r\n*10\r\n$4\r\nname\r\n$9\r\ncondition\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n$5\r\nflags\r\n*1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n*6\r\n$4\r\nname\r\n$2\r\nnx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nNX\r\n*6\r\n$4\r\nname\r\n$2\r\nxx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nXX\r\n*10\r\n$4\r\nname\r\n$3\r\nget\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$3\r\nGET\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n$5\r\nflags\r\n*1\r\n+optional\r\n*8\r\n$4\r\nname\r\n$10\r\nexpiration\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nflags\r\n*1\r\n+optional\r\n$9\r\narguments\r\n*5\r\n*8\r\n$4\r\nname\r\n$7\r\nseconds\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$2\r\nEX\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n*8\r\n$4\r\nname\r\n$12\r\nmilliseconds\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$2\r\nPX\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n*8\r\n$4\r\nname\r\n$17\r\nunix-time-seconds\r\n$4\r\ntype\r\n$9\r\nunix-time\r\n$5\r\ntoken\r\n$4\r\nEXAT\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n*8\r\n$4\r\nname\r\n$22\r\nunix-time-milliseconds\r\n$4\r\ntype\r\n$9\r\nunix-time\r\n$5\r\ntoken\r\n$4\r\nPXAT\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n*8\r\n$4\r\nname\r\n$7\r\nkeepttl\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$7\r\nKEEPTTL\r\n$5\r\nsince\r\n$5\r\n6.0.0\r\n");
    assert_eq!(w(&mut e, c, &["COMMAND", "DOCS", "ping", "nosuch"]), "*2\r\n$4\r\nping\r\n*10\r\n$7\r\nsummary\r\n$15\r\nPing the server\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$10\r\nconnection\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$7\r\nmessage\r\n$4\r\ntype\r\n$6\r\nstring\r\n$5\r\nflags\r\n*1\r\n+optional\r\n");
    assert!(w(&mut e, c, &["HELLO", "3"]).starts_with("%7"));
    assert_eq!(w(&mut e, c, &["COMMAND", "DOCS", "set"]), "%1\r\n$3\r\nset\r\n%6\r\n$7\r\nsummary\r\n$29\r\nSet the string value of a key\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$7\r\nhistory\r\n~4\r\n*2\r\n$6\r\n2.6.12\r\n$44\r\nAdded the `EX`, `PX`, `NX` and `XX` options.\r\n*2\r\n$5\r\n6.0.0\r\n$27\r\nAdded the `KEEPTTL` option.\r\n*2\r\n$5\r\n6.2.0\r\n$42\r\nAdded the `GET`, `EXAT` and `PXAT` option.\r\n*2\r\n$5\r\n7.0.0\r\n$55\r\nAllowed the `NX` and `GET` options to be used together.\r\n$9\r\narguments\r\n*5\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n%2\r\n$4\r\nname\r\n$5\r\nvalue\r\n$4\r\ntype\r\n$6\r\nstring\r\n%5\r\n$4\r\nname\r\n$9\r\ncondition\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n$5\r\nflags\r\n~1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n%3\r\n$4\r\nname\r\n$2\r\nnx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nNX\r\n%3\r\n$4\r\nname\r\n$2\r\nxx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nXX\r\n%5\r\n$4\r\nname\r\n$3\r\nget\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$3\r\nGET\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n$5\r\nflags\r\n~1\r\n+optional\r\n%4\r\n$4\r\nname\r\n$10\r\nexpiration\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nflags\r\n~1\r\n+optional\r\n$9\r\narguments\r\n*5\r\n%4\r\n$4\r\nname\r\n$7\r\nseconds\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$2\r\nEX\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n%4\r\n$4\r\nname\r\n$12\r\nmilliseconds\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$2\r\nPX\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n%4\r\n$4\r\nname\r\n$17\r\nunix-time-seconds\r\n$4\r\ntype\r\n$9\r\nunix-time\r\n$5\r\ntoken\r\n$4\r\nEXAT\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n%4\r\n$4\r\nname\r\n$22\r\nunix-time-milliseconds\r\n$4\r\ntype\r\n$9\r\nunix-time\r\n$5\r\ntoken\r\n$4\r\nPXAT\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n%4\r\n$4\r\nname\r\n$7\r\nkeepttl\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$7\r\nKEEPTTL\r\n$5\r\nsince\r\n$5\r\n6.0.0\r\n");
}

#[test]
fn debug_protocol_error_populate() {
    let mut e = engine();
    let c = connect(&mut e, 50000);
    // From redis-server 7.0.15, RESP2.
    let resp2: &[(&str, &str)] = &[
        ("string", "$11\r\nHello World\r\n"),
        ("integer", ":12345\r\n"),
        ("double", "$5\r\n3.141\r\n"),
        ("bignum", "$37\r\n1234567999999999999999999999999999999\r\n"),
        ("null", "$-1\r\n"),
        ("array", "*3\r\n:0\r\n:1\r\n:2\r\n"),
        ("set", "*3\r\n:0\r\n:1\r\n:2\r\n"),
        ("map", "*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n"),
        ("attrib", "$39\r\nSome real reply following the attribute\r\n"),
        ("push", "-ERR RESP2 is not supported by this command\r\n"),
        ("verbatim", "$25\r\nThis is a verbatim\nstring\r\n"),
        ("true", ":1\r\n"),
        ("false", ":0\r\n"),
        ("foo", "-ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false\r\n"),
    ];
    for (t, want) in resp2 {
        assert_eq!(&w(&mut e, c, &["DEBUG", "PROTOCOL", t]), want, "{t}");
    }
    assert!(w(&mut e, c, &["HELLO", "3"]).starts_with("%7"));
    let resp3: &[(&str, &str)] = &[
        ("double", ",3.141\r\n"),
        ("bignum", "(1234567999999999999999999999999999999\r\n"),
        ("null", "_\r\n"),
        ("set", "~3\r\n:0\r\n:1\r\n:2\r\n"),
        ("map", "%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n"),
        ("verbatim", "=29\r\ntxt:This is a verbatim\nstring\r\n"),
        ("true", "#t\r\n"),
    ];
    for (t, want) in resp3 {
        assert_eq!(&w(&mut e, c, &["DEBUG", "PROTOCOL", t]), want, "{t}");
    }
    assert!(w(&mut e, c, &["HELLO", "2"]).starts_with("*14"));
    assert_eq!(w(&mut e, c, &["DEBUG", "ERROR", "foo"]), "-foo\r\n");
    assert_eq!(
        w(&mut e, c, &["DEBUG", "ERROR", "-WRONG x"]),
        "--WRONG x\r\n"
    );
    assert_eq!(w(&mut e, c, &["DEBUG", "LOG", "hello"]), "+OK\r\n");

    assert_eq!(w(&mut e, c, &["DEBUG", "POPULATE", "3"]), "+OK\r\n");
    assert_eq!(w(&mut e, c, &["DBSIZE"]), ":3\r\n");
    assert_eq!(w(&mut e, c, &["GET", "key:0"]), "$7\r\nvalue:0\r\n");
    assert_eq!(
        w(&mut e, c, &["DEBUG", "POPULATE", "2", "pfx", "10"]),
        "+OK\r\n"
    );
    assert_eq!(w(&mut e, c, &["GET", "pfx:1"]), "$10\r\nvalue:1\0\0\0\r\n");
    assert_eq!(
        w(&mut e, c, &["DEBUG", "POPULATE", "2", "pfx2", "3"]),
        "+OK\r\n"
    );
    assert_eq!(w(&mut e, c, &["GET", "pfx2:1"]), "$3\r\nval\r\n");
    assert_eq!(
        w(&mut e, c, &["DEBUG", "POPULATE", "1", "p", "0"]),
        "+OK\r\n"
    );
    assert_eq!(w(&mut e, c, &["GET", "p:0"]), "$7\r\nvalue:0\r\n");
    // Existing keys are kept.
    assert_eq!(w(&mut e, c, &["SET", "key:1", "mine"]), "+OK\r\n");
    assert_eq!(w(&mut e, c, &["DEBUG", "POPULATE", "3"]), "+OK\r\n");
    assert_eq!(w(&mut e, c, &["GET", "key:1"]), "$4\r\nmine\r\n");
    let not_positive = "-ERR value is out of range, must be positive\r\n";
    for bad in [
        &["DEBUG", "POPULATE", "-1"][..],
        &["DEBUG", "POPULATE", "abc"],
        &["DEBUG", "POPULATE", "1", "p", "abc"],
        &["DEBUG", "POPULATE", "1", "p", "-1"],
    ] {
        assert_eq!(w(&mut e, c, bad), not_positive, "{bad:?}");
    }
    let dobj = w(&mut e, c, &["DEBUG", "OBJECT", "pfx:1"]);
    assert!(
        dobj.contains(" encoding:embstr serializedlength:11 "),
        "{dobj}"
    );
    for (args, name) in [
        (&["DEBUG", "POPULATE", "1", "a", "b", "c"][..], "POPULATE"),
        (&["DEBUG", "POPULATE"], "POPULATE"),
        (&["DEBUG", "ERROR"], "ERROR"),
        (&["DEBUG", "PROTOCOL"], "PROTOCOL"),
    ] {
        assert_eq!(
            w(&mut e, c, args),
            format!("-ERR unknown subcommand or wrong number of arguments for '{name}'. Try DEBUG HELP.\r\n")
        );
    }
}

/// GEOPOS/WITHCOORD coordinates in RESP3 are doubles carrying Redis's
/// long-double text (`addReplyHumanLongDouble`), not `%.17g`; bytes as
/// redis-server 7.0.15 sends them.
#[test]
fn geo_coordinates_in_resp3_use_long_double_text() {
    let mut e = engine_with(Config::default());
    let c = connect(&mut e, 50100);
    w(
        &mut e,
        c,
        &[
            "GEOADD",
            "g",
            "13.361389",
            "38.115556",
            "Palermo",
            "15.087269",
            "37.502669",
            "Catania",
        ],
    );
    assert_eq!(
        w(&mut e, c, &["GEOPOS", "g", "Palermo"]),
        "*1\r\n*2\r\n$20\r\n13.36138933897018433\r\n$20\r\n38.11555639549629859\r\n"
    );
    assert!(w(&mut e, c, &["HELLO", "3"]).starts_with("%7"));
    assert_eq!(
        w(&mut e, c, &["GEOPOS", "g", "Palermo"]),
        "*1\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n"
    );
    assert_eq!(
        w(
            &mut e,
            c,
            &["GEORADIUS", "g", "15", "37", "200", "km", "WITHCOORD"]
        ),
        "*2\r\n*2\r\n$7\r\nPalermo\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n\
         *2\r\n$7\r\nCatania\r\n*2\r\n,15.08726745843887329\r\n,37.50266842333162032\r\n"
    );
}
