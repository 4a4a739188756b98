//! Connection commands: PING, ECHO, QUIT, SELECT.

use super::{flatten, int_arg};
use crate::engine::table::{acl, flags, CommandDoc, CommandSpec};
use crate::engine::{Call, Effect, Engine};
use crate::resp::Reply;

fn ping(_e: &mut Engine, call: &mut Call<'_>) -> Reply {
    match call.argv.len() {
        1 => Reply::status("PONG"),
        2 => Reply::Bulk(call.arg(1).clone()),
        _ => Reply::err("wrong number of arguments for 'ping' command"),
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
    flatten((|| {
        let idx = int_arg(call.arg(1))
            .map_err(|_| Reply::err("value is not an integer or out of range"))?;
        if idx < 0 || idx as usize >= e.dbs.len() {
            return Err(Reply::err("DB index is out of range"));
        }
        if let Some(c) = e.clients.get_mut(call.client) {
            c.db = idx as usize;
        }
        Ok(Reply::ok())
    })())
}

const fn doc(summary: &'static str, since: &'static str, complexity: &'static str) -> CommandDoc {
    CommandDoc {
        summary,
        since,
        group: "connection",
        complexity,
    }
}

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
        doc: doc("Returns the server's liveliness response.", "1.0.0", "O(1)"),
    },
    CommandSpec {
        name: "echo",
        arity: 2,
        flags: flags::FAST,
        acl: acl::FAST | acl::CONNECTION,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        handler: echo,
        subcommands: &[],
        doc: doc("Returns the given string.", "1.0.0", "O(1)"),
    },
    CommandSpec {
        name: "quit",
        arity: -1,
        flags: flags::ALLOW_BUSY | flags::NO_AUTH | flags::LOADING | flags::STALE | flags::FAST,
        acl: acl::FAST | acl::CONNECTION,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        handler: quit,
        subcommands: &[],
        doc: doc("Closes the connection.", "1.0.0", "O(1)"),
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
        doc: doc("Changes the selected database.", "1.0.0", "O(1)"),
    },
];
