//! The keyspace commands: Redis's "generic" group plus the whole-database
//! commands of its "server" group (DBSIZE, SWAPDB, FLUSHDB, FLUSHALL).
//!
//! The table is here; the handlers live in `keys/`, by concern:
//! [`generic`] (DEL, EXISTS, TYPE, KEYS, SCAN, ...), [`rename`] (RENAME,
//! COPY, MOVE), [`expiry`] (EXPIRE and TTL families, PERSIST), [`dbs`]
//! (whole databases) and [`object`] (OBJECT subcommands). Flags, ACL
//! categories, key positions and docs are those Redis 7.0's COMMAND INFO
//! and COMMAND DOCS report.

pub mod dbs;
pub mod expiry;
pub mod generic;
pub mod lookup;
pub mod object;
pub mod rename;

#[cfg(test)]
mod tests;

use crate::engine::table::{acl, flags, CommandDoc, CommandSpec, Handler};

const fn doc(summary: &'static str, since: &'static str, complexity: &'static str) -> CommandDoc {
    CommandDoc {
        summary,
        since,
        group: "generic",
        complexity,
    }
}

const fn server_doc(
    summary: &'static str,
    since: &'static str,
    complexity: &'static str,
) -> CommandDoc {
    CommandDoc {
        summary,
        since,
        group: "server",
        complexity,
    }
}

/// A spec with keys at `first..=last` by `step` (all zero: no keys).
#[allow(clippy::too_many_arguments)]
const fn spec(
    name: &'static str,
    arity: i32,
    flags: u64,
    acl: u64,
    keys: (i32, i32, i32),
    handler: Handler,
    doc: CommandDoc,
) -> CommandSpec {
    CommandSpec {
        name,
        arity,
        flags,
        acl,
        first_key: keys.0,
        last_key: keys.1,
        key_step: keys.2,
        handler,
        subcommands: &[],
        doc,
    }
}

const NO_KEYS: (i32, i32, i32) = (0, 0, 0);
const ONE_KEY: (i32, i32, i32) = (1, 1, 1);
const ALL_KEYS: (i32, i32, i32) = (1, -1, 1);
const TWO_KEYS: (i32, i32, i32) = (1, 2, 1);

/// OBJECT's subcommands.
const OBJECT_SUBCOMMANDS: &[CommandSpec] = &[
    spec(
        "help",
        2,
        flags::LOADING | flags::STALE,
        acl::KEYSPACE | acl::SLOW,
        NO_KEYS,
        object::help,
        doc(
            "Show helpful text about the different subcommands",
            "6.2.0",
            "O(1)",
        ),
    ),
    spec(
        "encoding",
        3,
        flags::READONLY,
        acl::KEYSPACE | acl::READ | acl::SLOW,
        (2, 2, 1),
        object::encoding,
        doc(
            "Inspect the internal encoding of a Redis object",
            "2.2.3",
            "O(1)",
        ),
    ),
    spec(
        "freq",
        3,
        flags::READONLY,
        acl::KEYSPACE | acl::READ | acl::SLOW,
        (2, 2, 1),
        object::freq,
        doc(
            "Get the logarithmic access frequency counter of a Redis object",
            "4.0.0",
            "O(1)",
        ),
    ),
    spec(
        "lastmodified",
        3,
        flags::READONLY,
        acl::KEYSPACE | acl::READ | acl::SLOW,
        (2, 2, 1),
        super::active::object_lastmodified,
        doc(
            "Get the seconds since a key was last modified (KeyDB)",
            "6.0.0",
            "O(1)",
        ),
    ),
    spec(
        "idletime",
        3,
        flags::READONLY,
        acl::KEYSPACE | acl::READ | acl::SLOW,
        (2, 2, 1),
        object::idletime,
        doc(
            "Get the time since a Redis object was last accessed",
            "2.2.3",
            "O(1)",
        ),
    ),
    spec(
        "refcount",
        3,
        flags::READONLY,
        acl::KEYSPACE | acl::READ | acl::SLOW,
        (2, 2, 1),
        object::refcount,
        doc(
            "Get the number of references to the value of the key",
            "2.2.3",
            "O(1)",
        ),
    ),
];

/// The keyspace group's table.
pub const COMMANDS: &[CommandSpec] = &[
    spec(
        "del",
        -2,
        flags::WRITE,
        acl::KEYSPACE | acl::WRITE | acl::SLOW,
        ALL_KEYS,
        generic::del,
        doc(
            "Delete a key",
            "1.0.0",
            "O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).",
        ),
    ),
    spec(
        "unlink",
        -2,
        flags::WRITE | flags::FAST,
        acl::KEYSPACE | acl::WRITE | acl::FAST,
        ALL_KEYS,
        generic::del,
        doc(
            "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.",
            "4.0.0",
            "O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.",
        ),
    ),
    spec(
        "exists",
        -2,
        flags::READONLY | flags::FAST,
        acl::KEYSPACE | acl::READ | acl::FAST,
        ALL_KEYS,
        generic::exists,
        doc(
            "Determine if a key exists",
            "1.0.0",
            "O(N) where N is the number of keys to check.",
        ),
    ),
    spec(
        "type",
        2,
        flags::READONLY | flags::FAST,
        acl::KEYSPACE | acl::READ | acl::FAST,
        ONE_KEY,
        generic::type_,
        doc("Determine the type stored at key", "1.0.0", "O(1)"),
    ),
    spec(
        "touch",
        -2,
        flags::READONLY | flags::FAST,
        acl::KEYSPACE | acl::READ | acl::FAST,
        ALL_KEYS,
        generic::touch,
        doc(
            "Alters the last access time of a key(s). Returns the number of existing keys specified.",
            "3.2.1",
            "O(N) where N is the number of keys that will be touched.",
        ),
    ),
    spec(
        "keys",
        2,
        flags::READONLY,
        acl::KEYSPACE | acl::READ | acl::SLOW | acl::DANGEROUS,
        NO_KEYS,
        generic::keys,
        doc(
            "Find all keys matching the given pattern",
            "1.0.0",
            "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.",
        ),
    ),
    spec(
        "scan",
        -2,
        flags::READONLY,
        acl::KEYSPACE | acl::READ | acl::SLOW,
        NO_KEYS,
        generic::scan,
        doc(
            "Incrementally iterate the keys space",
            "2.8.0",
            "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
        ),
    ),
    spec(
        "randomkey",
        1,
        flags::READONLY,
        acl::KEYSPACE | acl::READ | acl::SLOW,
        NO_KEYS,
        generic::randomkey,
        doc("Return a random key from the keyspace", "1.0.0", "O(1)"),
    ),
    spec(
        "rename",
        3,
        flags::WRITE,
        acl::KEYSPACE | acl::WRITE | acl::SLOW,
        TWO_KEYS,
        rename::rename,
        doc("Rename a key", "1.0.0", "O(1)"),
    ),
    spec(
        "renamenx",
        3,
        flags::WRITE | flags::FAST,
        acl::KEYSPACE | acl::WRITE | acl::FAST,
        TWO_KEYS,
        rename::renamenx,
        doc(
            "Rename a key, only if the new key does not exist",
            "1.0.0",
            "O(1)",
        ),
    ),
    spec(
        "copy",
        -3,
        flags::WRITE | flags::DENYOOM,
        acl::KEYSPACE | acl::WRITE | acl::SLOW,
        TWO_KEYS,
        rename::copy,
        doc(
            "Copy a key",
            "6.2.0",
            "O(N) worst case for collections, where N is the number of nested items. O(1) for string values.",
        ),
    ),
    spec(
        "move",
        3,
        flags::WRITE | flags::FAST,
        acl::KEYSPACE | acl::WRITE | acl::FAST,
        ONE_KEY,
        rename::move_,
        doc("Move a key to another database", "1.0.0", "O(1)"),
    ),
    spec(
        "expire",
        -3,
        flags::WRITE | flags::FAST,
        acl::KEYSPACE | acl::WRITE | acl::FAST,
        ONE_KEY,
        expiry::expire,
        doc("Set a key's time to live in seconds", "1.0.0", "O(1)"),
    ),
    spec(
        "pexpire",
        -3,
        flags::WRITE | flags::FAST,
        acl::KEYSPACE | acl::WRITE | acl::FAST,
        ONE_KEY,
        expiry::pexpire,
        doc(
            "Set a key's time to live in milliseconds",
            "2.6.0",
            "O(1)",
        ),
    ),
    spec(
        "expireat",
        -3,
        flags::WRITE | flags::FAST,
        acl::KEYSPACE | acl::WRITE | acl::FAST,
        ONE_KEY,
        expiry::expireat,
        doc(
            "Set the expiration for a key as a UNIX timestamp",
            "1.2.0",
            "O(1)",
        ),
    ),
    spec(
        "pexpireat",
        -3,
        flags::WRITE | flags::FAST,
        acl::KEYSPACE | acl::WRITE | acl::FAST,
        ONE_KEY,
        expiry::pexpireat,
        doc(
            "Set the expiration for a key as a UNIX timestamp specified in milliseconds",
            "2.6.0",
            "O(1)",
        ),
    ),
    spec(
        "ttl",
        2,
        flags::READONLY | flags::FAST,
        acl::KEYSPACE | acl::READ | acl::FAST,
        ONE_KEY,
        expiry::ttl,
        doc("Get the time to live for a key in seconds", "1.0.0", "O(1)"),
    ),
    spec(
        "pttl",
        2,
        flags::READONLY | flags::FAST,
        acl::KEYSPACE | acl::READ | acl::FAST,
        ONE_KEY,
        expiry::pttl,
        doc(
            "Get the time to live for a key in milliseconds",
            "2.6.0",
            "O(1)",
        ),
    ),
    spec(
        "expiretime",
        2,
        flags::READONLY | flags::FAST,
        acl::KEYSPACE | acl::READ | acl::FAST,
        ONE_KEY,
        expiry::expiretime,
        doc(
            "Get the expiration Unix timestamp for a key",
            "7.0.0",
            "O(1)",
        ),
    ),
    spec(
        "pexpiretime",
        2,
        flags::READONLY | flags::FAST,
        acl::KEYSPACE | acl::READ | acl::FAST,
        ONE_KEY,
        expiry::pexpiretime,
        doc(
            "Get the expiration Unix timestamp for a key in milliseconds",
            "7.0.0",
            "O(1)",
        ),
    ),
    spec(
        "persist",
        2,
        flags::WRITE | flags::FAST,
        acl::KEYSPACE | acl::WRITE | acl::FAST,
        ONE_KEY,
        expiry::persist,
        doc("Remove the expiration from a key", "2.2.0", "O(1)"),
    ),
    CommandSpec {
        name: "object",
        arity: -2,
        flags: 0,
        acl: acl::SLOW,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        handler: object::container,
        subcommands: OBJECT_SUBCOMMANDS,
        doc: doc(
            "A container for object introspection commands",
            "2.2.3",
            "Depends on subcommand.",
        ),
    },
    spec(
        "dbsize",
        1,
        flags::READONLY | flags::FAST,
        acl::KEYSPACE | acl::READ | acl::FAST,
        NO_KEYS,
        dbs::dbsize,
        server_doc(
            "Return the number of keys in the selected database",
            "1.0.0",
            "O(1)",
        ),
    ),
    spec(
        "swapdb",
        3,
        flags::WRITE | flags::FAST,
        acl::KEYSPACE | acl::WRITE | acl::FAST | acl::DANGEROUS,
        NO_KEYS,
        dbs::swapdb,
        server_doc(
            "Swaps two Redis databases",
            "4.0.0",
            "O(N) where N is the count of clients watching or blocking on keys from both databases.",
        ),
    ),
    spec(
        "flushdb",
        -1,
        flags::WRITE,
        acl::KEYSPACE | acl::WRITE | acl::SLOW | acl::DANGEROUS,
        NO_KEYS,
        dbs::flushdb,
        server_doc(
            "Remove all keys from the current database",
            "1.0.0",
            "O(N) where N is the number of keys in the selected database",
        ),
    ),
    spec(
        "flushall",
        -1,
        flags::WRITE,
        acl::KEYSPACE | acl::WRITE | acl::SLOW | acl::DANGEROUS,
        NO_KEYS,
        dbs::flushall,
        server_doc(
            "Remove all keys from all databases",
            "1.0.0",
            "O(N) where N is the total number of keys in all databases",
        ),
    ),
];
