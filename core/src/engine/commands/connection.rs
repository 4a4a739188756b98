//! Connection commands: PING, ECHO, QUIT, SELECT, HELLO, AUTH, RESET.

use bytes::Bytes;

use super::{int_arg, is_kw, SYNTAX_ERROR};
use crate::engine::client::ReplyMode;
use crate::engine::table::{acl, flags, CommandDoc, CommandSpec};
use crate::engine::{Call, ClientId, Effect, Engine};
use crate::resp::{Protocol, Reply};

/// The Redis version keyrs reports (HELLO, INFO): clients gate features on
/// it, so it names the Redis release whose behaviour keyrs reproduces.
pub const REDIS_VERSION: &str = "7.0.15";

/// Redis's error for a client name with forbidden bytes.
pub const BAD_CLIENT_NAME: &str =
    "ERR Client names cannot contain spaces, newlines or special characters.";

/// Redis's error for a failed password check.
pub const WRONGPASS: &str = "WRONGPASS invalid username-password pair or user is disabled.";

/// A client name may hold only printable ASCII other than space ('!'..='~').
pub fn valid_client_name(name: &[u8]) -> bool {
    name.iter().all(|&b| (b'!'..=b'~').contains(&b))
}

/// Set (or with an empty name, clear) a client's name, validating it.
pub fn set_client_name(e: &mut Engine, client: ClientId, name: &Bytes) -> Result<(), Reply> {
    if !valid_client_name(name) {
        return Err(Reply::error(BAD_CLIENT_NAME));
    }
    if let Some(c) = e.clients.get_mut(client) {
        c.name = if name.is_empty() {
            None
        } else {
            Some(name.clone())
        };
    }
    Ok(())
}

/// Check `user`/`pass` against the only user keyrs has, `default`: without
/// `requirepass` it is `nopass` (any password works), with it the password
/// must match. On success the client is authenticated as that user.
fn authenticate(e: &mut Engine, client: ClientId, user: &[u8], pass: &[u8]) -> Result<(), Reply> {
    if user != b"default" {
        return Err(Reply::error(WRONGPASS));
    }
    let ok = match &e.config.requirepass {
        None => true,
        Some(p) => p.as_bytes() == pass,
    };
    if !ok {
        return Err(Reply::error(WRONGPASS));
    }
    if let Some(c) = e.clients.get_mut(client) {
        c.authenticated = true;
        c.user = "default".into();
    }
    Ok(())
}

fn ping(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    if call.argv.len() > 2 {
        return Reply::err("wrong number of arguments for 'ping' command");
    }
    let arg = call.argv.get(1).cloned();
    // A RESP2 client in the pub/sub context can only read arrays shaped like
    // messages, so Redis answers ["pong", arg-or-empty] there.
    let pubsub = e
        .clients
        .get(call.client)
        .is_some_and(|c| c.is_pubsub() && c.proto == Protocol::Resp2);
    if pubsub {
        return Reply::Array(vec![
            Reply::bulk_static(b"pong"),
            Reply::Bulk(arg.unwrap_or_default()),
        ]);
    }
    match arg {
        None => Reply::status("PONG"),
        Some(a) => Reply::Bulk(a),
    }
}

fn echo(_e: &mut Engine, call: &mut Call<'_>) -> Reply {
    Reply::Bulk(call.arg(1).clone())
}

fn quit(_e: &mut Engine, call: &mut Call<'_>) -> Reply {
    call.effects.push(Effect::CloseAfterReply);
    Reply::ok()
}

fn select(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let idx = match int_arg(call.arg(1)) {
        Ok(n) => n,
        Err(r) => return r,
    };
    // Redis reads the index as a C int.
    if idx < i64::from(i32::MIN) || idx > i64::from(i32::MAX) {
        return Reply::err("value is out of range, value must between -2147483648 and 2147483647");
    }
    if idx < 0 || idx as usize >= e.dbs.len() {
        return Reply::err("DB index is out of range");
    }
    if let Some(c) = e.clients.get_mut(call.client) {
        c.db = idx as usize;
    }
    Reply::ok()
}

fn auth(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let res = match call.argv.len() {
        2 => {
            if e.config.requirepass.is_none() {
                return Reply::err(
                    "AUTH <password> called without any password configured for the default user. \
                     Are you sure your configuration is correct?",
                );
            }
            authenticate(e, call.client, b"default", call.arg(1))
        }
        3 => authenticate(e, call.client, call.arg(1), call.arg(2)),
        _ => return Reply::error(SYNTAX_ERROR),
    };
    match res {
        Ok(()) => Reply::ok(),
        Err(r) => r,
    }
}

/// HELLO's reply: the server's identity and this connection's facts.
pub fn hello_reply(e: &Engine, client: ClientId) -> Reply {
    let proto = e.client_proto(client);
    Reply::Map(vec![
        (Reply::bulk_static(b"server"), Reply::bulk_static(b"redis")),
        (
            Reply::bulk_static(b"version"),
            Reply::bulk_static(REDIS_VERSION.as_bytes()),
        ),
        (Reply::bulk_static(b"proto"), Reply::Integer(proto.number())),
        (Reply::bulk_static(b"id"), Reply::Integer(client as i64)),
        (
            Reply::bulk_static(b"mode"),
            Reply::bulk_static(b"standalone"),
        ),
        (Reply::bulk_static(b"role"), Reply::bulk_static(b"master")),
        (Reply::bulk_static(b"modules"), Reply::Array(Vec::new())),
    ])
}

fn hello(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let mut proto = None;
    if let Some(v) = call.argv.get(1) {
        let ver = match crate::resp::parse_i64(v) {
            Some(n) => n,
            None => return Reply::err("Protocol version is not an integer or out of range"),
        };
        proto = match ver {
            2 => Some(Protocol::Resp2),
            3 => Some(Protocol::Resp3),
            _ => return Reply::error("NOPROTO unsupported protocol version"),
        };
    }
    // Redis applies the options in order as it reads them: a later syntax
    // error does not undo an earlier AUTH or SETNAME.
    let mut j = 2;
    while j < call.argv.len() {
        let opt = &call.argv[j];
        let more = call.argv.len() - 1 - j;
        if is_kw(opt, "auth") && more >= 2 {
            if let Err(r) = authenticate(e, call.client, &call.argv[j + 1], &call.argv[j + 2]) {
                return r;
            }
            j += 3;
        } else if is_kw(opt, "setname") && more >= 1 {
            if let Err(r) = set_client_name(e, call.client, &call.argv[j + 1]) {
                return r;
            }
            j += 2;
        } else {
            return Reply::err(format!(
                "Syntax error in HELLO option '{}'",
                String::from_utf8_lossy(opt)
            ));
        }
    }
    let authenticated = e
        .clients
        .get(call.client)
        .is_some_and(|c| c.authenticated || e.config.requirepass.is_none());
    if !authenticated {
        return Reply::error(
            "NOAUTH HELLO must be called with the client already authenticated, otherwise the \
             HELLO AUTH <user> <pass> option can be used to authenticate the client and select \
             the RESP protocol version at the same time",
        );
    }
    if let (Some(p), Some(c)) = (proto, e.clients.get_mut(call.client)) {
        c.proto = p;
    }
    hello_reply(e, call.client)
}

fn reset(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let nopass = e.config.requirepass.is_none();
    // Leaves MULTI, forgets WATCHes, drops every subscription.
    e.reset_client_state(call.client);
    if let Some(c) = e.clients.get_mut(call.client) {
        c.db = 0;
        c.proto = Protocol::Resp2;
        c.name = None;
        c.reply_mode = ReplyMode::On;
        c.no_evict = false;
        c.multi = None;
        c.user = "default".into();
        c.authenticated = nopass;
    }
    Reply::status("RESET")
}

const fn doc(summary: &'static str, since: &'static str, complexity: &'static str) -> CommandDoc {
    CommandDoc {
        summary,
        since,
        group: "connection",
        complexity,
    }
}

/// Flags Redis gives the commands a client may send before authenticating.
const PRE_AUTH: u64 = flags::NOSCRIPT
    | flags::LOADING
    | flags::STALE
    | flags::FAST
    | flags::NO_AUTH
    | flags::ALLOW_BUSY;

/// The connection group's table.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "ping",
        arity: -1,
        flags: flags::FAST | flags::SENTINEL,
        acl: acl::FAST | acl::CONNECTION,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        handler: ping,
        subcommands: &[],
        doc: doc("Ping the server", "1.0.0", "O(1)"),
    },
    CommandSpec {
        name: "echo",
        arity: 2,
        flags: flags::LOADING | flags::STALE | flags::FAST,
        acl: acl::FAST | acl::CONNECTION,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        handler: echo,
        subcommands: &[],
        doc: doc("Echo the given string", "1.0.0", "O(1)"),
    },
    CommandSpec {
        name: "quit",
        arity: -1,
        flags: PRE_AUTH,
        acl: acl::FAST | acl::CONNECTION,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        handler: quit,
        subcommands: &[],
        doc: doc("Close the connection", "1.0.0", "O(1)"),
    },
    CommandSpec {
        name: "select",
        arity: 2,
        flags: flags::LOADING | flags::STALE | flags::FAST,
        acl: acl::FAST | acl::CONNECTION,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        handler: select,
        subcommands: &[],
        doc: doc(
            "Change the selected database for the current connection",
            "1.0.0",
            "O(1)",
        ),
    },
    CommandSpec {
        name: "auth",
        arity: -2,
        flags: PRE_AUTH | flags::SENTINEL,
        acl: acl::FAST | acl::CONNECTION,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        handler: auth,
        subcommands: &[],
        doc: doc(
            "Authenticate to the server",
            "1.0.0",
            "O(N) where N is the number of passwords defined for the user",
        ),
    },
    CommandSpec {
        name: "hello",
        arity: -1,
        flags: PRE_AUTH | flags::SENTINEL,
        acl: acl::FAST | acl::CONNECTION,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        handler: hello,
        subcommands: &[],
        doc: doc("Handshake with Redis", "6.0.0", "O(1)"),
    },
    CommandSpec {
        name: "reset",
        arity: 1,
        flags: PRE_AUTH | flags::SENTINEL,
        acl: acl::FAST | acl::CONNECTION,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        handler: reset,
        subcommands: &[],
        doc: doc("Reset the connection", "6.2.0", "O(1)"),
    },
];
