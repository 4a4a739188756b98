//! Generic keyspace commands. (DEL, EXISTS, DBSIZE as the seed of the group.)

use crate::engine::table::{acl, flags, CommandDoc, CommandSpec};
use crate::engine::{Call, Engine};
use crate::resp::Reply;

fn del(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let db = &mut e.dbs[call.db];
    let mut n = 0;
    for k in &call.argv[1..] {
        db.expire_if_needed(k, call.now);
        if db.remove(k).is_some() {
            n += 1;
        }
    }
    Reply::Integer(n)
}

fn exists(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let db = &mut e.dbs[call.db];
    let mut n = 0;
    for k in &call.argv[1..] {
        if db.lookup_no_touch(k, call.now).is_some() {
            n += 1;
        }
    }
    Reply::Integer(n)
}

fn dbsize(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    Reply::Integer(e.dbs[call.db].len() as i64)
}

const fn doc(summary: &'static str, since: &'static str, complexity: &'static str) -> CommandDoc {
    CommandDoc {
        summary,
        since,
        group: "generic",
        complexity,
    }
}

/// The generic (keyspace) group's table.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "del",
        arity: -2,
        flags: flags::WRITE,
        acl: acl::KEYSPACE | acl::WRITE | acl::SLOW,
        first_key: 1,
        last_key: -1,
        key_step: 1,
        handler: del,
        subcommands: &[],
        doc: doc(
            "Deletes one or more keys.",
            "1.0.0",
            "O(N) where N is the number of keys that will be removed.",
        ),
    },
    CommandSpec {
        name: "exists",
        arity: -2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::KEYSPACE | acl::READ | acl::FAST,
        first_key: 1,
        last_key: -1,
        key_step: 1,
        handler: exists,
        subcommands: &[],
        doc: doc(
            "Determines whether one or more keys exist.",
            "1.0.0",
            "O(N) where N is the number of keys to check.",
        ),
    },
    CommandSpec {
        name: "dbsize",
        arity: 1,
        flags: flags::READONLY | flags::FAST,
        acl: acl::KEYSPACE | acl::READ | acl::FAST,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        handler: dbsize,
        subcommands: &[],
        doc: doc(
            "Returns the number of keys in the database.",
            "1.0.0",
            "O(1)",
        ),
    },
];
