//! CONFIG GET / SET / RESETSTAT / REWRITE / HELP.
//!
//! The option semantics live in [`crate::config`]; this module turns
//! arguments into calls and results into Redis's replies. CONFIG SET applies
//! live: the typed fields the engine and runtime read (`maxclients`, `hz`,
//! `timeout`, `requirepass`, ...) change at once.

use crate::engine::table::{acl, flags, CommandDoc, CommandSpec};
use crate::engine::{Call, Engine};
use crate::resp::Reply;

/// Is the calling client on a loopback address or the Unix socket (what
/// `enable-protected-configs local` allows)?
fn client_is_local(e: &Engine, call: &Call<'_>) -> bool {
    e.clients.get(call.client).is_some_and(|c| {
        let a = c.conn.addr.as_str();
        a.is_empty()
            || a.starts_with('/')
            || a.starts_with("127.")
            || a.starts_with("[::1]")
            || a.starts_with("::1")
    })
}

fn config_get(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let patterns: Vec<&[u8]> = call.argv[2..].iter().map(|a| a.as_ref()).collect();
    let pairs = e.config.config_get(&patterns);
    Reply::Map(
        pairs
            .into_iter()
            .map(|(k, v)| (Reply::bulk(k), Reply::bulk(v)))
            .collect(),
    )
}

fn config_set(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    if call.argv.len() & 1 != 0 {
        return Reply::error(super::SYNTAX_ERROR);
    }
    let pairs: Vec<(&[u8], &[u8])> = call.argv[2..]
        .chunks(2)
        .map(|p| (p[0].as_ref(), p[1].as_ref()))
        .collect();
    let allowed = {
        let local = client_is_local(e, call);
        e.config.protected_configs_allowed(local)
    };
    let had_password = e.config.requirepass.is_some();
    match e.config.config_set(&pairs, allowed) {
        Ok(()) => {
            // Clients that connected while no password was needed were
            // authenticated then (as in Redis, where the default user had
            // `nopass`); a new password does not log them out.
            if !had_password && e.config.requirepass.is_some() {
                let ids: Vec<_> = e.clients.iter().map(|c| c.id).collect();
                for id in ids {
                    if let Some(c) = e.clients.get_mut(id) {
                        c.authenticated = true;
                    }
                }
            }
            Reply::ok()
        }
        Err(text) => Reply::err(text),
    }
}

fn config_resetstat(e: &mut Engine, _call: &mut Call<'_>) -> Reply {
    e.stats.reset();
    Reply::ok()
}

fn config_rewrite(e: &mut Engine, _call: &mut Call<'_>) -> Reply {
    let Some(path) = e.config.config_file.clone() else {
        return Reply::err("The server is running without a config file");
    };
    let old = e.config.config_file_text().unwrap_or_default().to_string();
    e.config.queue_rewrite(path, &old);
    Reply::ok()
}

/// CONFIG HELP's lines after the header.
const HELP: &[&str] = &[
    "GET <pattern>",
    "    Return parameters matching the glob-like <pattern> and their values.",
    "SET <directive> <value>",
    "    Set the configuration <directive> to <value>.",
    "RESETSTAT",
    "    Reset statistics reported by the INFO command.",
    "REWRITE",
    "    Rewrite the configuration file.",
    "HELP",
    "    Prints this help.",
];

fn config_help(_e: &mut Engine, _call: &mut Call<'_>) -> Reply {
    let mut lines = vec![Reply::status(
        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    )];
    lines.extend(HELP.iter().map(|l| Reply::status(l)));
    Reply::Array(lines)
}

/// Reached only when dispatch found no subcommand (it answers those errors
/// itself); kept for completeness.
fn config_container(_e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let sub = call
        .argv
        .get(1)
        .map(|a| crate::engine::truncate_lossy(a, 128))
        .unwrap_or_default();
    Reply::err(format!("unknown subcommand '{sub}'. Try CONFIG HELP."))
}

const fn doc(summary: &'static str, since: &'static str, complexity: &'static str) -> CommandDoc {
    CommandDoc {
        summary,
        since,
        group: "server",
        complexity,
    }
}

const ADMIN_FLAGS: u64 = flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE;
const ADMIN_ACL: u64 = acl::ADMIN | acl::SLOW | acl::DANGEROUS;

const SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::keyless(
        "get",
        -3,
        ADMIN_FLAGS,
        ADMIN_ACL,
        config_get,
        doc(
            "Get the values of configuration parameters",
            "2.0.0",
            "O(N) when N is the number of configuration parameters provided",
        ),
    ),
    CommandSpec::keyless(
        "set",
        -4,
        ADMIN_FLAGS,
        ADMIN_ACL,
        config_set,
        doc(
            "Set configuration parameters to the given values",
            "2.0.0",
            "O(N) when N is the number of configuration parameters provided",
        ),
    ),
    CommandSpec::keyless(
        "resetstat",
        2,
        ADMIN_FLAGS,
        ADMIN_ACL,
        config_resetstat,
        doc("Reset the stats returned by INFO", "2.0.0", "O(1)"),
    ),
    CommandSpec::keyless(
        "rewrite",
        2,
        ADMIN_FLAGS,
        ADMIN_ACL,
        config_rewrite,
        doc(
            "Rewrite the configuration file with the in memory configuration",
            "2.8.0",
            "O(1)",
        ),
    ),
    CommandSpec::keyless(
        "help",
        2,
        flags::LOADING | flags::STALE,
        acl::SLOW,
        config_help,
        doc(
            "Show helpful text about the different subcommands",
            "5.0.0",
            "O(1)",
        ),
    ),
];

/// The CONFIG container's table.
pub const COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "config",
    arity: -2,
    flags: 0,
    acl: acl::SLOW,
    first_key: 0,
    last_key: 0,
    key_step: 0,
    handler: config_container,
    subcommands: SUBCOMMANDS,
    doc: doc(
        "A container for server configuration commands",
        "2.0.0",
        "Depends on subcommand.",
    ),
}];
