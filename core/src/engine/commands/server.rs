//! Server commands: TIME, LASTSAVE, SHUTDOWN.

use bytes::Bytes;

use super::{is_kw, SYNTAX_ERROR};
use crate::engine::client::ReplyMode;
use crate::engine::table::{acl, flags, CommandDoc, CommandSpec};
use crate::engine::{Call, Effect, Engine, Time};
use crate::persist::state::PersistRequest;
use crate::resp::Reply;

fn time(_e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let secs = call.now.unix_us / 1_000_000;
    let micros = call.now.unix_us % 1_000_000;
    let mut b = itoa::Buffer::new();
    let s = Bytes::copy_from_slice(b.format(secs).as_bytes());
    let u = Bytes::copy_from_slice(b.format(micros).as_bytes());
    Reply::Array(vec![Reply::Bulk(s), Reply::Bulk(u)])
}

/// Unix seconds of the last successful save (LASTSAVE, INFO
/// rdb_last_save_time); the start time for a server that never saved.
pub fn last_save_secs(e: &Engine, now: Time) -> u64 {
    e.last_save_secs(now)
}

fn lastsave(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    Reply::Integer(last_save_secs(e, call.now) as i64)
}

fn shutdown(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let (mut nosave, mut save, mut abort) = (false, false, false);
    let (mut other, mut force) = (false, false);
    for a in &call.argv[1..] {
        if is_kw(a, "nosave") {
            nosave = true;
        } else if is_kw(a, "save") {
            save = true;
        } else if is_kw(a, "now") {
            other = true;
        } else if is_kw(a, "force") {
            other = true;
            force = true;
        } else if is_kw(a, "abort") {
            abort = true;
        } else {
            return Reply::error(SYNTAX_ERROR);
        }
    }
    if (abort && (nosave || save || other)) || (nosave && save) {
        return Reply::error(SYNTAX_ERROR);
    }
    if abort {
        // keyrs shuts down at once (no waiting for replicas to catch up), so
        // there is never a shutdown in progress to abort.
        return Reply::err("No shutdown in progress.");
    }
    // As Redis: save when asked to, or when `save` rules are configured
    // unless NOSAVE. The driver saves before stopping; if that fails (and
    // not FORCE) it stays up and answers the error.
    if save || (!nosave && !e.config.save_params().is_empty()) {
        e.request_persist(PersistRequest::Shutdown { save: true, force });
    }
    call.effects.push(Effect::Shutdown);
    // On success Redis exits without answering: silence this reply the way
    // CLIENT REPLY SKIP does.
    if let Some(c) = e.clients.get_mut(call.client) {
        if c.reply_mode == ReplyMode::On {
            c.reply_mode = ReplyMode::SkipThis;
        }
    }
    Reply::ok()
}

const fn doc(summary: &'static str, since: &'static str, complexity: &'static str) -> CommandDoc {
    CommandDoc {
        summary,
        since,
        group: "server",
        complexity,
    }
}

/// The server group's table.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "time",
        arity: 1,
        flags: flags::LOADING | flags::STALE | flags::FAST,
        acl: acl::FAST,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        handler: time,
        subcommands: &[],
        doc: doc("Return the current server time", "2.6.0", "O(1)"),
    },
    CommandSpec {
        name: "lastsave",
        arity: 1,
        flags: flags::LOADING | flags::STALE | flags::FAST,
        acl: acl::ADMIN | acl::FAST | acl::DANGEROUS,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        handler: lastsave,
        subcommands: &[],
        doc: doc(
            "Get the UNIX time stamp of the last successful save to disk",
            "1.0.0",
            "O(1)",
        ),
    },
    CommandSpec {
        name: "shutdown",
        arity: -1,
        flags: flags::ADMIN
            | flags::NOSCRIPT
            | flags::LOADING
            | flags::STALE
            | flags::NO_MULTI
            | flags::SENTINEL
            | flags::ALLOW_BUSY,
        acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        handler: shutdown,
        subcommands: &[],
        doc: doc(
            "Synchronously save the dataset to disk and then shut down the server",
            "1.0.0",
            "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)",
        ),
    },
];
