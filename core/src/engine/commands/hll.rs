//! HyperLogLog commands (PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST),
//! byte-exact with Redis 7.0. The representation lives in
//! [`crate::engine::types::hll`]; this module handles keys, errors, the
//! cardinality cache and the write hooks.
//!
//! A HyperLogLog is an ordinary string value: any command that touches it
//! rewrites it as a `raw` string (Redis unshares the value first, even when
//! nothing changes), and PFCOUNT refreshing the cache is a modification.

use bytes::Bytes;

use crate::engine::table::{acl, flags, CommandDoc, CommandSpec};
use crate::engine::types::hll;
use crate::engine::value::{StrValue, Value, WRONGTYPE};
use crate::engine::{Call, Engine};
use crate::resp::Reply;

/// Redis's error for a string that is not a HyperLogLog.
pub const NOT_HLL: &str = "WRONGTYPE Key is not a valid HyperLogLog string value.";
/// Redis's error for a HyperLogLog whose registers do not decode.
pub const CORRUPT: &str = "INVALIDOBJ Corrupted HLL object detected";

/// The bytes of an existing value if it is a HyperLogLog, else the error
/// Redis gives (WRONGTYPE for other types, the HLL error for other strings;
/// integer-encoded strings are never HyperLogLogs).
fn hll_bytes(value: &Value) -> Result<Bytes, Reply> {
    match value {
        Value::Str(s) if s.as_slice().is_some_and(hll::is_valid) => Ok(s.to_bytes()),
        Value::Str(_) => Err(Reply::error(NOT_HLL)),
        _ => Err(Reply::error(WRONGTYPE)),
    }
}

/// Look a key up for reading, counting a keyspace hit or miss.
fn lookup_read_value(e: &mut Engine, call: &Call<'_>, key: &[u8]) -> Option<Value> {
    let found = e.dbs[call.db]
        .lookup(key, call.now)
        .map(|en| en.value.clone());
    if found.is_some() {
        e.stats.keyspace_hits += 1;
    } else {
        e.stats.keyspace_misses += 1;
    }
    found
}

/// Replace the value of an existing key in place (TTL kept), as a `raw`
/// string.
fn put_raw(e: &mut Engine, call: &Call<'_>, key: &[u8], bytes: Vec<u8>) {
    let value = Value::Str(StrValue::raw(Bytes::from(bytes)));
    e.dbs[call.db].set_keep_ttl(Bytes::copy_from_slice(key), value, call.now);
}

/// `hll-sparse-max-bytes`.
fn sparse_max_bytes(e: &Engine) -> usize {
    let n = e.config.get_i64("hll-sparse-max-bytes").unwrap_or(3000);
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// PFADD key [element ...]: 1 if the key was created or a register changed.
fn pfadd(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let key = call.arg(1);
    let max = sparse_max_bytes(e);
    let db = &mut e.dbs[call.db];
    // Counts like Redis's `updated`: the creation plus each changed
    // register (each one is a change for persistence).
    let (updated, corrupt) = match db.lookup(key, call.now) {
        None => {
            let mut bytes = hll::new_sparse();
            let (changed, corrupt) = add_all(&mut bytes, &call.argv[2..], max);
            hll::invalidate_cache(&mut bytes);
            let value = Value::Str(StrValue::raw(Bytes::from(bytes)));
            db.set(Bytes::copy_from_slice(key), value, call.now);
            (changed + 1, corrupt)
        }
        Some(entry) => {
            if let Err(err) = hll_bytes(&entry.value) {
                return err;
            }
            let Value::Str(s) = &mut entry.value else {
                return Reply::error(WRONGTYPE);
            };
            // Modified in place: the buffer is reused when nothing else
            // holds it. The value is rewritten (and becomes `raw`) even
            // when nothing changed or the object turned out corrupt
            // half-way, as Redis does.
            let mut bytes: Vec<u8> = s.take_mut().into();
            let (changed, corrupt) = add_all(&mut bytes, &call.argv[2..], max);
            if changed > 0 && !corrupt {
                hll::invalidate_cache(&mut bytes);
            }
            *s = StrValue::raw(Bytes::from(bytes));
            (changed, corrupt)
        }
    };
    if corrupt {
        return Reply::error(CORRUPT);
    }
    if updated > 0 {
        e.signal_modified(call.db, key);
        e.stats.dirty += updated - 1;
        e.notify_keyspace_event('$', "pfadd", key, call.db);
        Reply::Integer(1)
    } else {
        Reply::Integer(0)
    }
}

/// Add `elements` to `hll`: the number of registers changed, and whether
/// the HLL turned out corrupt (adding stops there).
fn add_all(hll: &mut Vec<u8>, elements: &[Bytes], max: usize) -> (u64, bool) {
    let mut changed = 0;
    for element in elements {
        match hll::add(hll, element, max) {
            Ok(c) => changed += u64::from(c),
            Err(hll::Corrupt) => return (changed, true),
        }
    }
    (changed, false)
}

/// PFCOUNT key [key ...]: the cached or recomputed cardinality of one
/// HyperLogLog, or the cardinality of the union of several.
fn pfcount(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    if call.argv.len() > 2 {
        let mut max = vec![0u8; hll::REGISTERS];
        for key in &call.argv[1..] {
            let Some(value) = lookup_read_value(e, call, key) else {
                continue;
            };
            let bytes = match hll_bytes(&value) {
                Ok(b) => b,
                Err(err) => return err,
            };
            if hll::merge_into(&mut max, &bytes).is_err() {
                return Reply::error(CORRUPT);
            }
        }
        return Reply::Integer(hll::count_registers(&max) as i64);
    }
    let key = call.arg(1).clone();
    let Some(value) = lookup_read_value(e, call, &key) else {
        return Reply::Integer(0);
    };
    let mut bytes = match hll_bytes(&value) {
        Ok(b) => b.to_vec(),
        Err(err) => return err,
    };
    let (card, refreshed) = match hll::cached_card(&bytes) {
        Some(card) => (card, false),
        None => match hll::count(&bytes) {
            Ok(card) => {
                hll::set_cached_card(&mut bytes, card);
                (card, true)
            }
            Err(hll::Corrupt) => {
                put_raw(e, call, &key, bytes);
                return Reply::error(CORRUPT);
            }
        },
    };
    put_raw(e, call, &key, bytes);
    if refreshed {
        // Refreshing the cache modifies the string (no keyspace event).
        e.signal_modified(call.db, &key);
    }
    Reply::Integer(card as i64)
}

/// PFMERGE destkey [sourcekey ...]: the union of all, destkey included,
/// into destkey (dense if any input is dense).
fn pfmerge(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let mut max = vec![0u8; hll::REGISTERS];
    let mut use_dense = false;
    for key in &call.argv[1..] {
        let Some(value) = lookup_read_value(e, call, key) else {
            continue;
        };
        let bytes = match hll_bytes(&value) {
            Ok(b) => b,
            Err(err) => return err,
        };
        use_dense |= bytes.get(4) == Some(&hll::DENSE);
        if hll::merge_into(&mut max, &bytes).is_err() {
            return Reply::error(CORRUPT);
        }
    }
    let dest = call.arg(1).clone();
    let existing = e.dbs[call.db]
        .lookup(&dest, call.now)
        .and_then(|en| hll_bytes(&en.value).ok());
    let mut bytes = existing.map_or_else(hll::new_sparse, |b| b.to_vec());
    if use_dense && hll::sparse_to_dense(&mut bytes).is_err() {
        put_raw(e, call, &dest, bytes);
        return Reply::error(CORRUPT);
    }
    let limit = sparse_max_bytes(e);
    for (i, &m) in max.iter().enumerate() {
        if m != 0 {
            // Redis ignores a corrupt destination here (it was merged
            // above, so it decodes).
            let _ = hll::set_register(&mut bytes, i, m, limit);
        }
    }
    hll::invalidate_cache(&mut bytes);
    put_raw(e, call, &dest, bytes);
    e.signal_modified(call.db, &dest);
    // Redis reports a merge as a mass PFADD.
    e.notify_keyspace_event('$', "pfadd", &dest, call.db);
    Reply::status("OK")
}

/// PFSELFTEST: checks the register encodings and the estimator against a
/// model, as Redis's self test does; "OK" or an error naming the failure.
fn pfselftest(e: &mut Engine, _call: &mut Call<'_>) -> Reply {
    let mut regs = hll::new_sparse();
    let mut dense = hll::new_sparse();
    if hll::sparse_to_dense(&mut dense).is_err() {
        return Reply::err("TESTFAILED sparse to dense conversion");
    }
    let mut model = vec![0u8; hll::REGISTERS];
    for _ in 0..1000 {
        let r = e.random_u64();
        let index = (r as usize) % hll::REGISTERS;
        let count = ((r >> 32) % 52) as u8 + 1;
        model[index] = model[index].max(count);
        let _ = hll::set_register(&mut regs, index, count, 3000);
        let _ = hll::set_register(&mut dense, index, count, usize::MAX);
    }
    match (hll::registers(&regs), hll::registers(&dense)) {
        (Ok(a), Ok(b)) if a == model && b == model => Reply::status("OK"),
        _ => Reply::error("ERR TESTFAILED Register error"),
    }
}

/// True for a sparse HLL value.
fn value_is_sparse(value: &Value) -> bool {
    hll_bytes(value).is_ok_and(|b| b.get(4) == Some(&hll::SPARSE))
}

/// PFDEBUG GETREG|DECODE|ENCODING|TODENSE key: internal inspection.
fn pfdebug(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let sub = call.arg(1).to_ascii_lowercase();
    let key = call.arg(2).clone();
    let Some(value) = e.dbs[call.db]
        .lookup(&key, call.now)
        .map(|en| en.value.clone())
    else {
        return Reply::err("The specified key does not exist");
    };
    let mut bytes = match hll_bytes(&value) {
        Ok(b) => b.to_vec(),
        Err(err) => return err,
    };
    match sub.as_slice() {
        b"getreg" => {
            if hll::sparse_to_dense(&mut bytes).is_err() {
                return Reply::error(CORRUPT);
            }
            let was_sparse = value_is_sparse(&value);
            put_raw(e, call, &key, bytes.clone());
            if was_sparse {
                // Redis counts the conversion as a change (no WATCH signal).
                e.stats.dirty += 1;
            }
            let regs = &bytes[hll::HDR_SIZE..];
            Reply::Array(
                (0..hll::REGISTERS)
                    .map(|i| Reply::Integer(i64::from(hll::dense_get(regs, i))))
                    .collect(),
            )
        }
        b"decode" => match hll::decode_sparse(&bytes) {
            Some(text) => {
                put_raw(e, call, &key, bytes);
                Reply::Bulk(Bytes::from(text))
            }
            None => Reply::err("HLL encoding is not sparse"),
        },
        b"encoding" => Reply::status(if bytes[4] == hll::DENSE {
            "dense"
        } else {
            "sparse"
        }),
        b"todense" => {
            let was_sparse = bytes[4] == hll::SPARSE;
            if hll::sparse_to_dense(&mut bytes).is_err() {
                return Reply::error(CORRUPT);
            }
            put_raw(e, call, &key, bytes);
            if was_sparse {
                e.stats.dirty += 1;
            }
            Reply::Integer(i64::from(was_sparse))
        }
        _ => Reply::err(format!(
            "Unknown PFDEBUG subcommand '{}'",
            String::from_utf8_lossy(call.arg(1))
        )),
    }
}

const fn doc(summary: &'static str, complexity: &'static str) -> CommandDoc {
    CommandDoc {
        summary,
        since: "2.8.9",
        group: "hyperloglog",
        complexity,
    }
}

/// The HyperLogLog group's table, as Redis 7.0's `COMMAND INFO`.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "pfadd",
        arity: -2,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::WRITE | acl::HYPERLOGLOG | acl::FAST,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        handler: pfadd,
        subcommands: &[],
        doc: doc(
            "Adds the specified elements to the specified HyperLogLog.",
            "O(1) to add every element.",
        ),
    },
    CommandSpec {
        name: "pfcount",
        arity: -2,
        flags: flags::READONLY,
        acl: acl::READ | acl::HYPERLOGLOG | acl::SLOW,
        first_key: 1,
        last_key: -1,
        key_step: 1,
        handler: pfcount,
        subcommands: &[],
        doc: doc(
            "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).",
            "O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.",
        ),
    },
    CommandSpec {
        name: "pfmerge",
        arity: -2,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::WRITE | acl::HYPERLOGLOG | acl::SLOW,
        first_key: 1,
        last_key: -1,
        key_step: 1,
        handler: pfmerge,
        subcommands: &[],
        doc: doc(
            "Merge N different HyperLogLogs into a single one.",
            "O(N) to merge N HyperLogLogs, but with high constant times.",
        ),
    },
    CommandSpec {
        name: "pfdebug",
        arity: 3,
        flags: flags::WRITE | flags::DENYOOM | flags::ADMIN,
        acl: acl::WRITE | acl::HYPERLOGLOG | acl::ADMIN | acl::SLOW | acl::DANGEROUS,
        first_key: 2,
        last_key: 2,
        key_step: 1,
        handler: pfdebug,
        subcommands: &[],
        doc: doc("Internal commands for debugging HyperLogLog values", "N/A"),
    },
    CommandSpec {
        name: "pfselftest",
        arity: 1,
        flags: flags::ADMIN,
        acl: acl::HYPERLOGLOG | acl::ADMIN | acl::SLOW | acl::DANGEROUS,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        handler: pfselftest,
        subcommands: &[],
        doc: doc("An internal command for testing HyperLogLog values", "N/A"),
    },
];

#[cfg(test)]
mod tests;
