//! CLIENT and its subcommands: naming, listing and killing connections, the
//! reply mode.

use bytes::Bytes;

use super::connection::set_client_name;
use super::{int_arg, is_kw, SYNTAX_ERROR};
use crate::engine::client::{ClientState, ReplyMode};
use crate::engine::table::{acl, flags, CommandDoc, CommandSpec};
use crate::engine::{Call, ClientId, Effect, Engine};
use crate::resp::{parse_i64, Reply};

/// A client's type, as CLIENT LIST TYPE and CLIENT KILL TYPE filter on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientType {
    /// An ordinary client.
    Normal,
    /// Our master's replication link.
    Master,
    /// A replica attached to us.
    Replica,
    /// A client in the pub/sub context.
    PubSub,
}

impl ClientType {
    /// Parse a type name (`slave` is an alias of `replica`).
    pub fn parse(name: &[u8]) -> Option<ClientType> {
        if is_kw(name, "normal") {
            Some(ClientType::Normal)
        } else if is_kw(name, "master") {
            Some(ClientType::Master)
        } else if is_kw(name, "replica") || is_kw(name, "slave") {
            Some(ClientType::Replica)
        } else if is_kw(name, "pubsub") {
            Some(ClientType::PubSub)
        } else {
            None
        }
    }

    /// The type of `c`: replication links are known to `repl`.
    pub fn of(c: &ClientState, repl: &crate::repl::ReplState) -> ClientType {
        if repl.is_master_client(c.id) {
            ClientType::Master
        } else if repl.replicas.iter().any(|r| r.client == c.id) {
            ClientType::Replica
        } else if c.is_pubsub() {
            ClientType::PubSub
        } else {
            ClientType::Normal
        }
    }
}

fn unknown_type(name: &[u8]) -> Reply {
    Reply::err(format!(
        "Unknown client type '{}'",
        String::from_utf8_lossy(name)
    ))
}

/// Bytes of a command's arguments (CLIENT LIST `argv-mem` of the caller).
fn argv_bytes(argv: &[Bytes]) -> usize {
    argv.iter().map(|a| a.len()).sum()
}

/// A CLIENT LIST / CLIENT INFO text reply: verbatim `txt` in RESP3, a bulk
/// string in RESP2.
fn text_reply(s: String) -> Reply {
    Reply::Verbatim {
        format: *b"txt",
        text: Bytes::from(s),
    }
}

fn client_container(_e: &mut Engine, call: &mut Call<'_>) -> Reply {
    Reply::err(format!(
        "unknown subcommand '{}'. Try CLIENT HELP.",
        crate::engine::truncate_lossy(call.argv.get(1).map_or(&[][..], |a| a), 128)
    ))
}

fn id(_e: &mut Engine, call: &mut Call<'_>) -> Reply {
    Reply::Integer(call.client as i64)
}

fn setname(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    match set_client_name(e, call.client, call.arg(2)) {
        Ok(()) => Reply::ok(),
        Err(r) => r,
    }
}

fn getname(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    match e.clients.get(call.client).and_then(|c| c.name.clone()) {
        Some(n) => Reply::Bulk(n),
        None => Reply::Nil,
    }
}

fn info(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let argv_mem = argv_bytes(call.argv);
    match e.clients.get(call.client) {
        Some(c) => {
            let mut line = c.info_line(call.now, argv_mem);
            line.push('\n');
            text_reply(line)
        }
        None => Reply::err("no such client"),
    }
}

fn list(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let argv = call.argv;
    let mut type_filter = None;
    let mut ids: Option<Vec<ClientId>> = None;
    if argv.len() == 4 && is_kw(&argv[2], "type") {
        match ClientType::parse(&argv[3]) {
            Some(t) => type_filter = Some(t),
            None => return unknown_type(&argv[3]),
        }
    } else if argv.len() >= 4 && is_kw(&argv[2], "id") {
        let mut v = Vec::with_capacity(argv.len() - 3);
        for a in &argv[3..] {
            match parse_i64(a) {
                // Non-positive ids are valid syntax that match nobody.
                Some(n) => v.push(u64::try_from(n).unwrap_or(0)),
                None => return Reply::err("Invalid client ID"),
            }
        }
        ids = Some(v);
    } else if argv.len() != 2 {
        return Reply::error(SYNTAX_ERROR);
    }
    let argv_mem = argv_bytes(argv);
    let line_of = |c: &ClientState| {
        let mem = if c.id == call.client { argv_mem } else { 0 };
        let mut line = c.info_line(call.now, mem);
        line.push('\n');
        line
    };
    let mut out = String::new();
    match ids {
        Some(ids) => {
            for id in ids {
                if let Some(c) = e.clients.get(id) {
                    out.push_str(&line_of(c));
                }
            }
        }
        None => {
            for c in e.clients.iter() {
                if type_filter.is_none_or(|t| ClientType::of(c, &e.repl) == t) {
                    out.push_str(&line_of(c));
                }
            }
        }
    }
    text_reply(out)
}

/// CLIENT KILL's filters (the new form); a client must match all given.
#[derive(Default)]
struct KillFilter {
    id: Option<ClientId>,
    addr: Option<Bytes>,
    laddr: Option<Bytes>,
    user: Option<Bytes>,
    ctype: Option<ClientType>,
    skipme: bool,
}

impl KillFilter {
    fn matches(&self, c: &ClientState, repl: &crate::repl::ReplState) -> bool {
        self.id.is_none_or(|id| c.id == id)
            && self
                .addr
                .as_ref()
                .is_none_or(|a| c.conn.addr.as_bytes() == &a[..])
            && self
                .laddr
                .as_ref()
                .is_none_or(|a| c.conn.laddr.as_bytes() == &a[..])
            && self
                .user
                .as_ref()
                .is_none_or(|u| c.user.as_bytes() == &u[..])
            && self.ctype.is_none_or(|t| ClientType::of(c, repl) == t)
    }

    fn parse(args: &[Bytes]) -> Result<KillFilter, Reply> {
        let mut f = KillFilter {
            skipme: true,
            ..KillFilter::default()
        };
        let mut pairs = args.chunks(2);
        for pair in &mut pairs {
            let [opt, val] = pair else {
                return Err(Reply::error(SYNTAX_ERROR));
            };
            if is_kw(opt, "id") {
                match parse_i64(val) {
                    Some(n) if n > 0 => f.id = Some(n as u64),
                    _ => return Err(Reply::err("client-id should be greater than 0")),
                }
            } else if is_kw(opt, "type") {
                f.ctype = Some(ClientType::parse(val).ok_or_else(|| unknown_type(val))?);
            } else if is_kw(opt, "addr") {
                f.addr = Some(val.clone());
            } else if is_kw(opt, "laddr") {
                f.laddr = Some(val.clone());
            } else if is_kw(opt, "user") {
                // `default` is the only user keyrs knows.
                if &val[..] != b"default" {
                    return Err(Reply::err(format!(
                        "No such user '{}'",
                        String::from_utf8_lossy(val)
                    )));
                }
                f.user = Some(val.clone());
            } else if is_kw(opt, "skipme") {
                if is_kw(val, "yes") {
                    f.skipme = true;
                } else if is_kw(val, "no") {
                    f.skipme = false;
                } else {
                    return Err(Reply::error(SYNTAX_ERROR));
                }
            } else {
                return Err(Reply::error(SYNTAX_ERROR));
            }
        }
        Ok(f)
    }
}

/// Close `victim`: the caller itself only after its reply is written.
fn kill_one(call: &mut Call<'_>, victim: ClientId) {
    if victim == call.client {
        call.effects.push(Effect::CloseAfterReply);
    } else {
        call.effects.push(Effect::KillClient(victim));
    }
}

fn kill(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    if call.argv.len() == 3 {
        // Old form: CLIENT KILL ip:port, which may also kill the caller.
        let addr = call.arg(2);
        let victim = e
            .clients
            .iter()
            .find(|c| c.conn.addr.as_bytes() == &addr[..])
            .map(|c| c.id);
        return match victim {
            Some(v) => {
                e.repl_kill(v);
                kill_one(call, v);
                Reply::ok()
            }
            None => Reply::err("No such client"),
        };
    }
    let filter = match KillFilter::parse(&call.argv[2..]) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let victims: Vec<ClientId> = e
        .clients
        .iter()
        .filter(|c| filter.matches(c, &e.repl) && !(filter.skipme && c.id == call.client))
        .map(|c| c.id)
        .collect();
    for &v in &victims {
        // Replication links belong to no worker: the driver drops them.
        e.repl_kill(v);
        kill_one(call, v);
    }
    Reply::Integer(victims.len() as i64)
}

fn no_evict(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let on = if is_kw(call.arg(2), "on") {
        true
    } else if is_kw(call.arg(2), "off") {
        false
    } else {
        return Reply::error(SYNTAX_ERROR);
    };
    if let Some(c) = e.clients.get_mut(call.client) {
        c.no_evict = on;
    }
    Reply::ok()
}

fn reply(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let Some(c) = e.clients.get_mut(call.client) else {
        return Reply::err("no such client");
    };
    let mode = call.arg(2);
    if is_kw(mode, "on") {
        c.reply_mode = ReplyMode::On;
    } else if is_kw(mode, "off") {
        c.reply_mode = ReplyMode::Off;
    } else if is_kw(mode, "skip") {
        // SKIP under OFF changes nothing: everything is silenced already.
        if c.reply_mode != ReplyMode::Off {
            c.reply_mode = ReplyMode::Skip;
        }
    } else {
        return Reply::error(SYNTAX_ERROR);
    }
    // Dispatch drops this reply unless the mode is now ON.
    Reply::ok()
}

fn getredir(_e: &mut Engine, _call: &mut Call<'_>) -> Reply {
    // Tracking is never on, so there is no redirection.
    Reply::Integer(-1)
}

fn trackinginfo(_e: &mut Engine, _call: &mut Call<'_>) -> Reply {
    Reply::Map(vec![
        (
            Reply::bulk_static(b"flags"),
            Reply::Set(vec![Reply::bulk_static(b"off")]),
        ),
        (Reply::bulk_static(b"redirect"), Reply::Integer(-1)),
        (Reply::bulk_static(b"prefixes"), Reply::Array(Vec::new())),
    ])
}

fn caching(_e: &mut Engine, _call: &mut Call<'_>) -> Reply {
    Reply::err(
        "CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or \
         OPTOUT mode enabled",
    )
}

fn tracking(_e: &mut Engine, call: &mut Call<'_>) -> Reply {
    if is_kw(call.arg(2), "off") {
        // Turning off tracking that was never on is a no-op in Redis too.
        Reply::ok()
    } else if is_kw(call.arg(2), "on") {
        Reply::err("CLIENT TRACKING is not supported by keyrs yet")
    } else {
        Reply::error(SYNTAX_ERROR)
    }
}

fn unblock(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let id = match int_arg(call.arg(2)) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let mut error = false;
    if let Some(reason) = call.argv.get(3) {
        if is_kw(reason, "error") {
            error = true;
        } else if !is_kw(reason, "timeout") {
            return Reply::err("CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
        }
    }
    // The blocked client gets its timeout reply (or the UNBLOCKED error).
    let done = u64::try_from(id).is_ok_and(|id| e.unblock_client(id, error));
    Reply::Integer(i64::from(done))
}

fn pause(_e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let Some(ms) = parse_i64(call.arg(2)) else {
        return Reply::err("timeout is not an integer or out of range");
    };
    if ms < 0 {
        return Reply::err("timeout is negative");
    }
    if let Some(mode) = call.argv.get(3) {
        if !is_kw(mode, "write") && !is_kw(mode, "all") {
            return Reply::err("CLIENT PAUSE mode must be WRITE or ALL");
        }
    }
    Reply::err("CLIENT PAUSE is not supported by keyrs yet")
}

fn unpause(_e: &mut Engine, _call: &mut Call<'_>) -> Reply {
    // Nothing can be paused (CLIENT PAUSE is refused), so nothing to resume.
    Reply::ok()
}

/// CLIENT HELP's lines, as Redis 7.0 prints them.
const HELP: &[&str] = &[
    "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CACHING (YES|NO)",
    "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
    "GETREDIR",
    "    Return the client ID we are redirecting to when tracking is enabled.",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made from the specified address",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made to specified local address",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Kill connections by type.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "UNPAUSE",
    "    Stop the current client pause, resuming traffic.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Suspend all, or just write, clients for <timeout> milliseconds.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Unblock the specified blocked client.",
    "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
    "         [OPTIN] [OPTOUT] [NOLOOP]",
    "    Control server assisted client side caching.",
    "TRACKINGINFO",
    "    Report tracking status for the current connection.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
    "HELP",
    "    Prints this help.",
];

/// A help reply: one status line per entry.
pub fn help_reply(lines: &[&'static str]) -> Reply {
    Reply::Array(lines.iter().map(|l| Reply::status(l)).collect())
}

fn help(_e: &mut Engine, _call: &mut Call<'_>) -> Reply {
    help_reply(HELP)
}

const fn doc(summary: &'static str, since: &'static str, complexity: &'static str) -> CommandDoc {
    CommandDoc {
        summary,
        since,
        group: "connection",
        complexity,
    }
}

/// Flags of the ordinary CLIENT subcommands.
const SUB: u64 = flags::NOSCRIPT | flags::LOADING | flags::STALE;
/// Flags of the administrative ones (LIST, KILL, PAUSE, ...).
const ADMIN_SUB: u64 = flags::ADMIN | SUB;
/// ACL categories of the ordinary subcommands.
const SUB_ACL: u64 = acl::SLOW | acl::CONNECTION;
/// ACL categories of the administrative ones.
const ADMIN_ACL: u64 = acl::ADMIN | acl::SLOW | acl::DANGEROUS | acl::CONNECTION;

/// CLIENT's subcommands.
pub const SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::keyless("caching", 3, SUB, SUB_ACL, caching, doc("Instruct the server about tracking or not keys in the next request", "6.0.0", "O(1)")),
    CommandSpec::keyless("getname", 2, SUB, SUB_ACL, getname, doc("Get the current connection name", "2.6.9", "O(1)")),
    CommandSpec::keyless("getredir", 2, SUB, SUB_ACL, getredir, doc("Get tracking notifications redirection client ID if any", "6.0.0", "O(1)")),
    CommandSpec::keyless("help", 2, flags::LOADING | flags::STALE, SUB_ACL, help, doc("Show helpful text about the different subcommands", "5.0.0", "O(1)")),
    CommandSpec::keyless("id", 2, SUB, SUB_ACL, id, doc("Returns the client ID for the current connection", "5.0.0", "O(1)")),
    CommandSpec::keyless("info", 2, SUB, SUB_ACL, info, doc("Returns information about the current client connection.", "6.2.0", "O(1)")),
    CommandSpec::keyless("kill", -3, ADMIN_SUB, ADMIN_ACL, kill, doc("Kill the connection of a client", "2.4.0", "O(N) where N is the number of client connections")),
    CommandSpec::keyless("list", -2, ADMIN_SUB, ADMIN_ACL, list, doc("Get the list of client connections", "2.4.0", "O(N) where N is the number of client connections")),
    CommandSpec::keyless("no-evict", 3, ADMIN_SUB, ADMIN_ACL, no_evict, doc("Set client eviction mode for the current connection", "7.0.0", "O(1)")),
    CommandSpec::keyless("pause", -3, ADMIN_SUB, ADMIN_ACL, pause, doc("Stop processing commands from clients for some time", "2.9.50", "O(1)")),
    CommandSpec::keyless("reply", 3, SUB, SUB_ACL, reply, doc("Instruct the server whether to reply to commands", "3.2.0", "O(1)")),
    CommandSpec::keyless("setname", 3, SUB, SUB_ACL, setname, doc("Set the current connection name", "2.6.9", "O(1)")),
    CommandSpec::keyless("tracking", -3, SUB, SUB_ACL, tracking, doc("Enable or disable server assisted client side caching support", "6.0.0", "O(1). Some options may introduce additional complexity.")),
    CommandSpec::keyless("trackinginfo", 2, SUB, SUB_ACL, trackinginfo, doc("Return information about server assisted client side caching for the current connection", "6.2.0", "O(1)")),
    CommandSpec::keyless("unblock", -3, ADMIN_SUB, ADMIN_ACL, unblock, doc("Unblock a client blocked in a blocking command from a different connection", "5.0.0", "O(log N) where N is the number of client connections")),
    CommandSpec::keyless("unpause", 2, ADMIN_SUB, ADMIN_ACL, unpause, doc("Resume processing of clients that were paused", "6.2.0", "O(N) Where N is the number of paused clients")),
];

/// The CLIENT group's table.
pub const COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "client",
    arity: -2,
    flags: 0,
    acl: acl::SLOW,
    first_key: 0,
    last_key: 0,
    key_step: 0,
    handler: client_container,
    subcommands: SUBCOMMANDS,
    doc: doc(
        "A container for client connection commands",
        "2.4.0",
        "Depends on subcommand.",
    ),
}];
