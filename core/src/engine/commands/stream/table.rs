//! The stream group's command table, as Redis 7.0's `COMMAND INFO` and
//! `COMMAND DOCS` describe each command.

use super::{group, info, range, read, write};
use crate::engine::table::{acl, flags, CommandDoc, CommandSpec, Handler};

const fn doc(summary: &'static str, since: &'static str, complexity: &'static str) -> CommandDoc {
    CommandDoc {
        summary,
        since,
        group: "stream",
        complexity,
    }
}

/// A command whose only key is argument 1.
#[allow(clippy::too_many_arguments)]
const fn cmd(
    name: &'static str,
    arity: i32,
    flags: u64,
    acl: u64,
    handler: Handler,
    doc: CommandDoc,
) -> CommandSpec {
    CommandSpec {
        name,
        arity,
        flags,
        acl,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        handler,
        subcommands: &[],
        doc,
    }
}

/// A subcommand whose key is argument 2 (0 for HELP).
const fn sub(
    name: &'static str,
    arity: i32,
    flags: u64,
    acl: u64,
    handler: Handler,
    doc: CommandDoc,
) -> CommandSpec {
    let key = if flags & (flags::WRITE | flags::READONLY) != 0 {
        2
    } else {
        0
    };
    CommandSpec {
        name,
        arity,
        flags,
        acl,
        first_key: key,
        last_key: key,
        key_step: if key == 0 { 0 } else { 1 },
        handler,
        subcommands: &[],
        doc,
    }
}

const HELP_DOC: CommandDoc = doc(
    "Show helpful text about the different subcommands",
    "5.0.0",
    "O(1)",
);

const XGROUP_SUBCOMMANDS: &[CommandSpec] = &[
    sub(
        "create",
        -5,
        flags::WRITE | flags::DENYOOM,
        acl::WRITE | acl::STREAM | acl::SLOW,
        group::xgroup_create,
        doc("Create a consumer group.", "5.0.0", "O(1)"),
    ),
    sub(
        "setid",
        -5,
        flags::WRITE,
        acl::WRITE | acl::STREAM | acl::SLOW,
        group::xgroup_setid,
        doc(
            "Set a consumer group to an arbitrary last delivered ID value.",
            "5.0.0",
            "O(1)",
        ),
    ),
    sub(
        "destroy",
        4,
        flags::WRITE,
        acl::WRITE | acl::STREAM | acl::SLOW,
        group::xgroup_destroy,
        doc(
            "Destroy a consumer group.",
            "5.0.0",
            "O(N) where N is the number of entries in the group's pending entries list (PEL).",
        ),
    ),
    sub(
        "createconsumer",
        5,
        flags::WRITE | flags::DENYOOM,
        acl::WRITE | acl::STREAM | acl::SLOW,
        group::xgroup_createconsumer,
        doc("Create a consumer in a consumer group.", "6.2.0", "O(1)"),
    ),
    sub(
        "delconsumer",
        5,
        flags::WRITE,
        acl::WRITE | acl::STREAM | acl::SLOW,
        group::xgroup_delconsumer,
        doc("Delete a consumer from a consumer group.", "5.0.0", "O(1)"),
    ),
    sub(
        "help",
        2,
        flags::LOADING | flags::STALE,
        acl::STREAM | acl::SLOW,
        group::xgroup_help,
        HELP_DOC,
    ),
];

const XINFO_SUBCOMMANDS: &[CommandSpec] = &[
    sub(
        "consumers",
        4,
        flags::READONLY,
        acl::READ | acl::STREAM | acl::SLOW,
        info::xinfo_consumers,
        doc("List the consumers in a consumer group", "5.0.0", "O(1)"),
    ),
    sub(
        "groups",
        3,
        flags::READONLY,
        acl::READ | acl::STREAM | acl::SLOW,
        info::xinfo_groups,
        doc("List the consumer groups of a stream", "5.0.0", "O(1)"),
    ),
    sub(
        "stream",
        -3,
        flags::READONLY,
        acl::READ | acl::STREAM | acl::SLOW,
        info::xinfo_stream,
        doc("Get information about a stream", "5.0.0", "O(1)"),
    ),
    sub(
        "help",
        2,
        flags::LOADING | flags::STALE,
        acl::STREAM | acl::SLOW,
        info::xinfo_help,
        HELP_DOC,
    ),
];

/// XREAD / XREADGROUP: keys follow the STREAMS keyword (movable keys).
const fn reader(
    name: &'static str,
    arity: i32,
    flags: u64,
    acl: u64,
    doc: CommandDoc,
) -> CommandSpec {
    CommandSpec {
        name,
        arity,
        flags: flags | flags::BLOCKING | flags::MOVABLE_KEYS,
        acl: acl | acl::STREAM | acl::SLOW | acl::BLOCKING,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        handler: read::xread,
        subcommands: &[],
        doc,
    }
}

/// The stream group's table.
pub const COMMANDS: &[CommandSpec] = &[
    cmd(
        "xadd",
        -5,
        flags::WRITE | flags::DENYOOM | flags::FAST,
        acl::WRITE | acl::STREAM | acl::FAST,
        write::xadd,
        doc(
            "Appends a new entry to a stream",
            "5.0.0",
            "O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.",
        ),
    ),
    cmd(
        "xrange",
        -4,
        flags::READONLY,
        acl::READ | acl::STREAM | acl::SLOW,
        range::xrange,
        doc(
            "Return a range of elements in a stream, with IDs matching the specified IDs interval",
            "5.0.0",
            "O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
        ),
    ),
    cmd(
        "xrevrange",
        -4,
        flags::READONLY,
        acl::READ | acl::STREAM | acl::SLOW,
        range::xrevrange,
        doc(
            "Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE",
            "5.0.0",
            "O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
        ),
    ),
    cmd(
        "xlen",
        2,
        flags::READONLY | flags::FAST,
        acl::READ | acl::STREAM | acl::FAST,
        write::xlen,
        doc("Return the number of entries in a stream", "5.0.0", "O(1)"),
    ),
    cmd(
        "xdel",
        -3,
        flags::WRITE | flags::FAST,
        acl::WRITE | acl::STREAM | acl::FAST,
        write::xdel,
        doc(
            "Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.",
            "5.0.0",
            "O(1) for each single item to delete in the stream, regardless of the stream size.",
        ),
    ),
    cmd(
        "xtrim",
        -4,
        flags::WRITE,
        acl::WRITE | acl::STREAM | acl::SLOW,
        write::xtrim,
        doc(
            "Trims the stream to (approximately if '~' is passed) a certain size",
            "5.0.0",
            "O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.",
        ),
    ),
    reader(
        "xread",
        -4,
        flags::READONLY,
        acl::READ,
        doc(
            "Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.",
            "5.0.0",
            "For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data.",
        ),
    ),
    reader(
        "xreadgroup",
        -7,
        flags::WRITE,
        acl::WRITE,
        doc(
            "Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.",
            "5.0.0",
            "For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.",
        ),
    ),
    CommandSpec {
        name: "xgroup",
        arity: -2,
        flags: 0,
        acl: acl::SLOW,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        handler: group::xgroup_container,
        subcommands: XGROUP_SUBCOMMANDS,
        doc: doc(
            "A container for consumer groups commands",
            "5.0.0",
            "Depends on subcommand.",
        ),
    },
    cmd(
        "xack",
        -4,
        flags::WRITE | flags::FAST,
        acl::WRITE | acl::STREAM | acl::FAST,
        group::xack,
        doc(
            "Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL.",
            "5.0.0",
            "O(1) for each message ID processed.",
        ),
    ),
    cmd(
        "xpending",
        -3,
        flags::READONLY,
        acl::READ | acl::STREAM | acl::SLOW,
        group::xpending,
        doc(
            "Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.",
            "5.0.0",
            "O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.",
        ),
    ),
    cmd(
        "xclaim",
        -6,
        flags::WRITE | flags::FAST,
        acl::WRITE | acl::STREAM | acl::FAST,
        group::xclaim,
        doc(
            "Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.",
            "5.0.0",
            "O(log N) with N being the number of messages in the PEL of the consumer group.",
        ),
    ),
    cmd(
        "xautoclaim",
        -6,
        flags::WRITE | flags::FAST,
        acl::WRITE | acl::STREAM | acl::FAST,
        group::xautoclaim,
        doc(
            "Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.",
            "6.2.0",
            "O(1) if COUNT is small.",
        ),
    ),
    CommandSpec {
        name: "xinfo",
        arity: -2,
        flags: 0,
        acl: acl::SLOW,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        handler: info::xinfo_container,
        subcommands: XINFO_SUBCOMMANDS,
        doc: doc(
            "A container for stream introspection commands",
            "5.0.0",
            "Depends on subcommand.",
        ),
    },
    cmd(
        "xsetid",
        -3,
        flags::WRITE | flags::DENYOOM | flags::FAST,
        acl::WRITE | acl::STREAM | acl::FAST,
        write::xsetid,
        doc("An internal command for replicating stream values", "5.0.0", "O(1)"),
    ),
];
