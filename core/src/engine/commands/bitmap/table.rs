//! The bitmap group's command table, as Redis 7.0's `COMMAND INFO` and
//! `COMMAND DOCS` describe each command.

use super::bitfield::{bitfield, bitfield_ro};
use super::{bitcount, bitop, bitpos, getbit, setbit};
use crate::engine::table::{acl, flags, CommandDoc, CommandSpec};

const fn doc(summary: &'static str, since: &'static str, complexity: &'static str) -> CommandDoc {
    CommandDoc {
        summary,
        since,
        group: "bitmap",
        complexity,
    }
}

/// The bitmap group's table.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "setbit",
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::WRITE | acl::BITMAP | acl::SLOW,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        handler: setbit,
        subcommands: &[],
        doc: doc("Sets or clears the bit at offset in the string value stored at key", "2.2.0", "O(1)"),
    },
    CommandSpec {
        name: "getbit",
        arity: 3,
        flags: flags::READONLY | flags::FAST,
        acl: acl::READ | acl::BITMAP | acl::FAST,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        handler: getbit,
        subcommands: &[],
        doc: doc("Returns the bit value at offset in the string value stored at key", "2.2.0", "O(1)"),
    },
    CommandSpec {
        name: "bitcount",
        arity: -2,
        flags: flags::READONLY,
        acl: acl::READ | acl::BITMAP | acl::SLOW,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        handler: bitcount,
        subcommands: &[],
        doc: doc("Count set bits in a string", "2.6.0", "O(N)"),
    },
    CommandSpec {
        name: "bitpos",
        arity: -3,
        flags: flags::READONLY,
        acl: acl::READ | acl::BITMAP | acl::SLOW,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        handler: bitpos,
        subcommands: &[],
        doc: doc("Find first bit set or clear in a string", "2.8.7", "O(N)"),
    },
    CommandSpec {
        name: "bitop",
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::WRITE | acl::BITMAP | acl::SLOW,
        first_key: 2,
        last_key: -1,
        key_step: 1,
        handler: bitop,
        subcommands: &[],
        doc: doc("Perform bitwise operations between strings", "2.6.0", "O(N)"),
    },
    CommandSpec {
        name: "bitfield",
        arity: -2,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::WRITE | acl::BITMAP | acl::SLOW,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        handler: bitfield,
        subcommands: &[],
        doc: doc("Perform arbitrary bitfield integer operations on strings", "3.2.0", "O(1) for each subcommand specified"),
    },
    CommandSpec {
        name: "bitfield_ro",
        arity: -2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::READ | acl::BITMAP | acl::FAST,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        handler: bitfield_ro,
        subcommands: &[],
        doc: doc("Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD", "6.0.0", "O(1) for each subcommand specified"),
    },
];
