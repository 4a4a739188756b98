//! String commands. (GET and a basic SET as the seed of the group.)

use crate::engine::table::{acl, flags, CommandDoc, CommandSpec};
use crate::engine::value::{Value, WRONGTYPE};
use crate::engine::{Call, Engine};
use crate::resp::Reply;

fn get(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let db = &mut e.dbs[call.db];
    match db.lookup(call.arg(1), call.now) {
        None => {
            e.stats.keyspace_misses += 1;
            Reply::Nil
        }
        Some(entry) => match &entry.value {
            Value::Str(s) => {
                e.stats.keyspace_hits += 1;
                Reply::Bulk(s.to_bytes())
            }
            #[allow(unreachable_patterns)]
            _ => Reply::error(WRONGTYPE),
        },
    }
}

fn set(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    if call.argv.len() != 3 {
        return Reply::error(super::SYNTAX_ERROR);
    }
    let key = call.arg(1).clone();
    let val = call.arg(2).clone();
    e.dbs[call.db].set(key, Value::string(val), call.now);
    Reply::ok()
}

const fn doc(summary: &'static str, since: &'static str, complexity: &'static str) -> CommandDoc {
    CommandDoc {
        summary,
        since,
        group: "string",
        complexity,
    }
}

/// The string group's table.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "get",
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::READ | acl::STRING | acl::FAST,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        handler: get,
        subcommands: &[],
        doc: doc("Returns the string value of a key.", "1.0.0", "O(1)"),
    },
    CommandSpec {
        name: "set",
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::WRITE | acl::STRING | acl::SLOW,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        handler: set,
        subcommands: &[],
        doc: doc(
            "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.",
            "1.0.0",
            "O(1)",
        ),
    },
];
