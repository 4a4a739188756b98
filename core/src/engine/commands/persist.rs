//! Saving commands: SAVE and BGSAVE (LASTSAVE and SHUTDOWN live with the
//! server commands). The files themselves are written by the driver: see
//! [`crate::persist::state`].

use super::{is_kw, SYNTAX_ERROR};
use crate::engine::table::{acl, flags, CommandDoc, CommandSpec};
use crate::engine::{Call, Engine};
use crate::persist::state::{PersistRequest, SaveReason};
use crate::resp::Reply;

/// SAVE: the driver writes the dataset before the reply leaves (and turns
/// it into `-ERR` if that fails).
fn save(e: &mut Engine, _call: &mut Call<'_>) -> Reply {
    if e.bgsave_in_progress() {
        return Reply::err("Background save already in progress");
    }
    e.request_persist(PersistRequest::Save);
    Reply::ok()
}

/// BGSAVE [SCHEDULE].
fn bgsave(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let schedule = match call.argv.len() {
        1 => false,
        2 if is_kw(call.arg(1), "schedule") => true,
        _ => return Reply::error(SYNTAX_ERROR),
    };
    if e.bgsave_in_progress() {
        return Reply::err("Background save already in progress");
    }
    if e.persist.other_child_active || e.in_exec {
        // As Redis: inside EXEC, or while an AOF rewrite runs, the save
        // waits for the cron (SCHEDULE asks for that explicitly).
        if schedule || e.in_exec {
            e.persist.bgsave_scheduled = true;
            return Reply::status("Background saving scheduled");
        }
        return Reply::err(
            "Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.",
        );
    }
    e.bgsave_start(SaveReason::Command, call.now);
    Reply::status("Background saving started")
}

const fn doc(summary: &'static str, since: &'static str, complexity: &'static str) -> CommandDoc {
    CommandDoc {
        summary,
        since,
        group: "server",
        complexity,
    }
}

/// The saving commands' table.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "save",
        arity: 1,
        flags: flags::ADMIN | flags::NOSCRIPT | flags::NO_ASYNC_LOADING | flags::NO_MULTI,
        acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        handler: save,
        subcommands: &[],
        doc: doc(
            "Synchronously save the dataset to disk",
            "1.0.0",
            "O(N) where N is the total number of keys in all databases",
        ),
    },
    CommandSpec {
        name: "bgsave",
        arity: -1,
        flags: flags::ADMIN | flags::NOSCRIPT | flags::NO_ASYNC_LOADING,
        acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        handler: bgsave,
        subcommands: &[],
        doc: doc("Asynchronously save the dataset to disk", "1.0.0", "O(1)"),
    },
];
