//! MONITOR: the calling client starts seeing every command the server runs
//! (the lines are built by `engine::monitor`).

use crate::engine::client::ReplyMode;
use crate::engine::table::{acl, flags, CommandDoc, CommandSpec};
use crate::engine::{Call, Engine};
use crate::resp::Reply;

/// MONITOR
fn monitor(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    if e.in_exec {
        // Redis: a transaction expects one reply per command, and a monitor
        // never stops replying.
        return Reply::err("MONITOR isn't allowed for DENY BLOCKING client");
    }
    if !e.monitors.add(call.client) {
        // Already monitoring: Redis answers nothing at all.
        if let Some(c) = e.clients.get_mut(call.client) {
            if c.reply_mode == ReplyMode::On {
                c.reply_mode = ReplyMode::SkipThis;
            }
        }
        return Reply::ok();
    }
    if let Some(c) = e.clients.get_mut(call.client) {
        c.monitor = true;
    }
    Reply::ok()
}

/// The MONITOR table.
pub const COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "monitor",
    arity: 1,
    flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE,
    acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS,
    first_key: 0,
    last_key: 0,
    key_step: 0,
    handler: monitor,
    subcommands: &[],
    doc: CommandDoc {
        summary: "Listen for all requests received by the server in real time",
        since: "1.0.0",
        group: "server",
        complexity: "O(1)",
    },
}];
