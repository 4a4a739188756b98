//! Stream commands, byte-exact with Redis 7.0 (`t_stream.c`'s behaviour).
//!
//! - `id` parses stream IDs and range bounds;
//! - `write` holds XADD, XTRIM, XDEL, XLEN, XSETID;
//! - `range` holds XRANGE, XREVRANGE;
//! - `read` holds XREAD, XREADGROUP (and the pure read the blocking layer calls);
//! - `group` holds XGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM;
//! - `info` holds XINFO;
//! - `table` holds the command specs.
//!
//! Streams are never deleted when they become empty (as in Redis).
//!
//! Write hooks, as redis-server 7.0.15 calls them (WATCH checked with
//! `tests/data/record/stream_watch.py`): XADD, XDEL, XTRIM and the key
//! creation of XGROUP CREATE ... MKSTREAM signal the key as modified; XSETID
//! and the consumer-group commands (XGROUP, XREADGROUP, XACK, XCLAIM,
//! XAUTOCLAIM) only count changes in `dirty`. XADD signals the key ready
//! for blocked readers, and so does XGROUP DESTROY (its blocked readers get
//! NOGROUP).

mod group;
pub mod id;
mod info;
mod range;
pub mod read;
mod table;
mod write;

pub use table::COMMANDS;

use crate::engine::shared::Shared;
use bytes::Bytes;

use crate::engine::types::stream::{Fields, NodeLimits, Stream, StreamId};
use crate::engine::value::{Value, WRONGTYPE};
use crate::engine::{Call, Engine};
use crate::resp::Reply;

/// A stream ID as a bulk reply.
fn id_reply(id: StreamId) -> Reply {
    Reply::Bulk(id.to_bytes())
}

/// One entry as Redis replies it: `[id, [field, value, ...]]`.
fn entry_reply(id: StreamId, fields: &Fields) -> Reply {
    let mut flat = Vec::with_capacity(fields.len() * 2);
    for (f, v) in fields {
        flat.push(Reply::Bulk(f.clone()));
        flat.push(Reply::Bulk(v.clone()));
    }
    Reply::Array(vec![id_reply(id), Reply::Array(flat)])
}

/// The node limits the configuration asks for.
fn node_limits(e: &Engine) -> NodeLimits {
    NodeLimits {
        max_bytes: e
            .config
            .get_i64("stream-node-max-bytes")
            .map_or(4096, |v| v.max(0) as u64),
        max_entries: e
            .config
            .get_i64("stream-node-max-entries")
            .map_or(100, |v| v.max(0) as u64),
    }
}

/// Look `key` up for reading (counts a keyspace hit or miss, as Redis's
/// `lookupKeyRead`): the stream, `None` when missing, WRONGTYPE otherwise.
fn read_stream<'e>(
    e: &'e mut Engine,
    call: &Call<'_>,
    key: &[u8],
) -> Result<Option<&'e mut Stream>, Reply> {
    let found = e.dbs[call.db].lookup(key, call.now);
    if found.is_some() {
        e.stats.keyspace_hits += 1;
    } else {
        e.stats.keyspace_misses += 1;
    }
    match found {
        None => Ok(None),
        Some(entry) => match &mut entry.value {
            Value::Stream(s) => Ok(Some(s)),
            _ => Err(Reply::error(WRONGTYPE)),
        },
    }
}

/// Look `key` up for writing (no statistics, as `lookupKeyWrite`).
fn write_stream<'e>(
    e: &'e mut Engine,
    call: &Call<'_>,
    key: &[u8],
) -> Result<Option<&'e mut Stream>, Reply> {
    match e.dbs[call.db].lookup(key, call.now) {
        None => Ok(None),
        Some(entry) => match &mut entry.value {
            Value::Stream(s) => Ok(Some(s)),
            _ => Err(Reply::error(WRONGTYPE)),
        },
    }
}

/// Store a new empty stream at `key`.
fn create_stream(e: &mut Engine, call: &Call<'_>, key: &[u8]) {
    e.dbs[call.db].set(
        Bytes::copy_from_slice(key),
        Value::Stream(Shared::new(Stream::new())),
        call.now,
    );
}

/// Redis's `addReplySubcommandSyntaxError`.
fn subcommand_syntax_error(call: &Call<'_>) -> Reply {
    Reply::err(format!(
        "unknown subcommand or wrong number of arguments for '{}'. Try {} HELP.",
        crate::engine::truncate_lossy(&call.argv[1], 128),
        String::from_utf8_lossy(&call.argv[0]).to_ascii_uppercase()
    ))
}

/// Lossy text of an argument for error messages (Redis prints it with `%s`,
/// so it stops at a NUL).
fn text(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

/// The NOGROUP error of XREADGROUP-free commands (XPENDING, XCLAIM, XAUTOCLAIM).
fn no_key_or_group(key: &[u8], group: &[u8]) -> Reply {
    Reply::error(format!(
        "NOGROUP No such key '{}' or consumer group '{}'",
        text(key),
        text(group)
    ))
}

/// Record `n` changes for persistence without touching WATCH (Redis's bare
/// `server.dirty += n`, where it does not signal the key as modified).
fn add_dirty(e: &mut Engine, n: u64) {
    e.stats.dirty += n;
}

#[cfg(test)]
mod tests;
