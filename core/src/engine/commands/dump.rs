//! DUMP and RESTORE: a value as Redis 7.0's serialization payload (the RDB
//! value encoding, the RDB version as 2 bytes LE, a CRC-64 of all that as
//! 8 bytes LE), so values move between keyrs and redis-server both ways.
//! The encoding itself lives in [`crate::persist::rdb`].

use bytes::Bytes;

use super::keys::lookup;
use super::{flatten, int_arg, is_kw, SYNTAX_ERROR};
use crate::engine::table::{acl, flags, CommandDoc, CommandSpec};
use crate::engine::types::hash::HashLimits;
use crate::engine::value::Value;
use crate::engine::{Call, Engine};
use crate::persist::crc64::crc64;
use crate::persist::rdb::{self, LoadOptions, SaveOptions, RDB_VERSION};
use crate::resp::Reply;

/// RESTORE's answer to a payload whose footer does not check out.
pub const BAD_PAYLOAD: &str = "ERR DUMP payload version or checksum are wrong";
/// RESTORE's answer to a payload that does not decode.
pub const BAD_FORMAT: &str = "ERR Bad data format";
/// RESTORE's answer when the key exists and REPLACE was not given.
pub const BUSYKEY: &str = "BUSYKEY Target key name already exists.";

/// The save options from the live config.
pub fn save_options(e: &Engine) -> SaveOptions {
    let d = SaveOptions::default();
    SaveOptions {
        compression: e.config.get_bool("rdbcompression").unwrap_or(d.compression),
        list_fill: e
            .config
            .get_i64("list-max-listpack-size")
            .unwrap_or(d.list_fill),
        list_compress_depth: e
            .config
            .get_i64("list-compress-depth")
            .unwrap_or(d.list_compress_depth),
    }
}

/// The load options from the live config, with a fresh table seed.
pub fn load_options(e: &mut Engine) -> LoadOptions {
    let d = LoadOptions::default();
    let limit = |e: &Engine, name: &str, dflt: usize| {
        e.config
            .get_i64(name)
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(dflt)
    };
    LoadOptions {
        hash: HashLimits {
            max_entries: limit(e, "hash-max-listpack-entries", d.hash.max_entries),
            max_value: limit(e, "hash-max-listpack-value", d.hash.max_value),
        },
        set_max_intset: limit(e, "set-max-intset-entries", d.set_max_intset),
        seed: e.random_u64(),
    }
}

/// The DUMP payload of `value`, or `None` for a type not yet encodable.
pub fn dump_payload(value: &Value, opts: &SaveOptions) -> Option<Vec<u8>> {
    let mut out = rdb::encode_value(value, opts)?;
    out.extend_from_slice(&RDB_VERSION.to_le_bytes());
    let sum = crc64(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    Some(out)
}

/// Check a payload's footer as Redis's `verifyDumpPayload`: at least 10
/// bytes, an RDB version Redis 7.0 can read, and a matching CRC-64.
pub fn verify_payload(p: &[u8]) -> bool {
    let Some(footer_at) = p.len().checked_sub(10) else {
        return false;
    };
    let version = u16::from_le_bytes([p[footer_at], p[footer_at + 1]]);
    if version > RDB_VERSION {
        return false;
    }
    let (body, sum) = p.split_at(p.len() - 8);
    crc64(body).to_le_bytes() == sum
}

/// DUMP key.
fn dump(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let opts = save_options(e);
    let db = &mut e.dbs[call.db];
    let Some(entry) = lookup::read(&mut e.stats, db, call.arg(1), call.now, true) else {
        return Reply::Nil;
    };
    match dump_payload(&entry.value, &opts) {
        Some(p) => Reply::Bulk(Bytes::from(p)),
        None => {
            tracing::warn!(
                kind = entry.value.type_name(),
                "DUMP of a type without an RDB encoding"
            );
            Reply::err("DUMP of this value type is not supported yet")
        }
    }
}

/// RESTORE's options after parsing.
struct RestoreArgs {
    replace: bool,
    absttl: bool,
    idle_secs: Option<i64>,
    freq: Option<i64>,
}

fn parse_options(argv: &[Bytes]) -> Result<RestoreArgs, Reply> {
    let mut a = RestoreArgs {
        replace: false,
        absttl: false,
        idle_secs: None,
        freq: None,
    };
    let mut j = 4;
    while j < argv.len() {
        let opt = &argv[j];
        let has_more = j + 1 < argv.len();
        if is_kw(opt, "replace") {
            a.replace = true;
        } else if is_kw(opt, "absttl") {
            a.absttl = true;
        } else if is_kw(opt, "idletime") && has_more && a.freq.is_none() {
            let n = int_arg(&argv[j + 1])?;
            if n < 0 {
                return Err(Reply::err("Invalid IDLETIME value, must be >= 0"));
            }
            a.idle_secs = Some(n);
            j += 1;
        } else if is_kw(opt, "freq") && has_more && a.idle_secs.is_none() {
            let n = int_arg(&argv[j + 1])?;
            if !(0..=255).contains(&n) {
                return Err(Reply::err("Invalid FREQ value, must be >= 0 and <= 255"));
            }
            a.freq = Some(n);
            j += 1;
        } else {
            return Err(Reply::error(SYNTAX_ERROR));
        }
        j += 1;
    }
    Ok(a)
}

/// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds]
/// [FREQ frequency], checking in Redis's order: options, existing key,
/// TTL, footer, then the value itself.
fn restore(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(restore_inner(e, call))
}

fn restore_inner(e: &mut Engine, call: &mut Call<'_>) -> Result<Reply, Reply> {
    let args = parse_options(call.argv)?;
    let key = call.arg(1).clone();
    let (dbi, now) = (call.db, call.now);
    if !args.replace && e.dbs[dbi].lookup_no_touch(&key, now).is_some() {
        return Err(Reply::error(BUSYKEY));
    }
    let ttl = int_arg(call.arg(2))?;
    if ttl < 0 {
        return Err(Reply::err("Invalid TTL value, must be >= 0"));
    }
    let payload = call.arg(3);
    if !verify_payload(payload) {
        return Err(Reply::error(BAD_PAYLOAD));
    }
    let opts = load_options(e);
    // Redis reads the value from the whole payload, footer included.
    let value = rdb::decode_value(payload, &opts).map_err(|err| {
        tracing::debug!(%err, "RESTORE payload rejected");
        Reply::error(BAD_FORMAT)
    })?;
    let deleted = args.replace && e.dbs[dbi].remove(&key).is_some();
    let expire_at = match ttl {
        0 => None,
        t if args.absttl => Some(t as u64),
        t => Some((t as u64).saturating_add(now.ms())),
    };
    if let Some(at) = expire_at {
        if at <= now.ms() {
            // Already expired: the key is not created (and a replaced one
            // is gone).
            if deleted {
                e.signal_modified(dbi, &key);
                e.notify_keyspace_event('g', "del", &key, dbi);
            }
            return Ok(Reply::ok());
        }
    }
    let db = &mut e.dbs[dbi];
    db.set(key.clone(), value, now);
    if let Some(at) = expire_at {
        db.set_expire(&key, at);
    }
    if let Some(entry) = db.keys.get_mut(&key) {
        if let Some(idle) = args.idle_secs {
            let idle = u64::try_from(idle).unwrap_or(0);
            entry.access_secs = now.secs().saturating_sub(idle) as u32;
        }
        if let Some(freq) = args.freq {
            entry.lfu_counter = u8::try_from(freq).unwrap_or(u8::MAX);
        }
    }
    e.signal_modified(dbi, &key);
    e.notify_keyspace_event('g', "restore", &key, dbi);
    Ok(Reply::ok())
}

const fn doc(summary: &'static str, since: &'static str, complexity: &'static str) -> CommandDoc {
    CommandDoc {
        summary,
        since,
        group: "generic",
        complexity,
    }
}

/// DUMP and RESTORE.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "dump",
        arity: 2,
        flags: flags::READONLY,
        acl: acl::KEYSPACE | acl::READ | acl::SLOW,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        handler: dump,
        subcommands: &[],
        doc: doc(
            "Return a serialized version of the value stored at the specified key.",
            "2.6.0",
            "O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).",
        ),
    },
    CommandSpec {
        name: "restore",
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::KEYSPACE | acl::WRITE | acl::SLOW | acl::DANGEROUS,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        handler: restore,
        subcommands: &[],
        doc: doc(
            "Create a key using the provided serialized value, previously obtained using DUMP.",
            "2.6.0",
            "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).",
        ),
    },
];
