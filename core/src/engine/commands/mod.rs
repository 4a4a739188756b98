//! Command implementations, one module per command group. Each module
//! exports `COMMANDS: &[CommandSpec]`; [`GROUPS`] lists them all.

pub mod active;
pub mod aof;
pub mod bitmap;
pub mod blocking;
pub mod client;
pub mod command;
mod command_docs;
mod command_meta;
pub mod config;
pub mod connection;
pub mod debug;
pub mod dump;
pub mod geo;
pub mod hash;
pub mod hll;
pub mod info;
pub mod keys;
pub mod list;
pub mod memory;
pub mod monitor;
pub mod multi;
pub mod persist;
pub mod pubsub;
#[cfg(test)]
pub(crate) mod replay;
pub mod scan;
pub mod server;
pub mod set;
pub mod sort;
pub mod stream;
pub mod string;
pub mod zset;

use bytes::Bytes;

use super::table::CommandSpec;
use crate::resp::{parse_i64, Reply};

/// Every group's table.
pub const GROUPS: &[&[CommandSpec]] = &[
    connection::COMMANDS,
    string::COMMANDS,
    keys::COMMANDS,
    config::COMMANDS,
    client::COMMANDS,
    info::COMMANDS,
    server::COMMANDS,
    aof::COMMANDS,
    persist::COMMANDS,
    command::COMMANDS,
    debug::COMMANDS,
    list::COMMANDS,
    hash::COMMANDS,
    set::COMMANDS,
    zset::COMMANDS,
    bitmap::COMMANDS,
    hll::COMMANDS,
    stream::COMMANDS,
    multi::COMMANDS,
    blocking::COMMANDS,
    pubsub::COMMANDS,
    sort::COMMANDS,
    geo::COMMANDS,
    memory::COMMANDS,
    monitor::COMMANDS,
    dump::COMMANDS,
    active::COMMANDS,
    crate::repl::commands::COMMANDS,
];

/// Redis's error for a malformed or out-of-range integer argument.
pub const NOT_INTEGER: &str = "ERR value is not an integer or out of range";

/// Redis's generic syntax error.
pub const SYNTAX_ERROR: &str = "ERR syntax error";

/// Parse an integer argument, or Redis's "not an integer" error.
pub fn int_arg(b: &Bytes) -> Result<i64, Reply> {
    parse_i64(b).ok_or_else(|| Reply::error(NOT_INTEGER))
}

/// Case-insensitive comparison of an argument with an ASCII keyword.
pub fn is_kw(arg: &[u8], kw: &str) -> bool {
    arg.eq_ignore_ascii_case(kw.as_bytes())
}

/// Turn a `Result<Reply, Reply>` into the reply, error or not.
pub fn flatten(r: Result<Reply, Reply>) -> Reply {
    r.unwrap_or_else(|e| e)
}
