//! OBJECT ENCODING | FREQ | IDLETIME | REFCOUNT | HELP.

use super::lookup;
use crate::engine::db::Entry;
use crate::engine::value::{StrValue, Value};
use crate::engine::{Call, Engine};
use crate::resp::Reply;

/// Integers below this are shared objects in Redis (`OBJ_SHARED_INTEGERS`).
const SHARED_INTEGERS: i64 = 10_000;

/// The refcount Redis reports for shared objects (`OBJ_SHARED_REFCOUNT`).
const SHARED_REFCOUNT: i64 = i32::MAX as i64;

/// True when `maxmemory-policy` is one of the LFU policies.
fn lfu_policy(e: &Engine) -> bool {
    e.config.maxmemory_policy.ends_with("-lfu")
}

/// Look the key up as OBJECT does (no touch, counting hits and misses).
fn entry<'a>(e: &'a mut Engine, call: &Call<'_>) -> Option<&'a mut Entry> {
    let db = &mut e.dbs[call.db];
    lookup::read(&mut e.stats, db, call.arg(2), call.now, false)
}

/// OBJECT ENCODING key.
pub fn encoding(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    match entry(e, call) {
        Some(en) => Reply::bulk_static(en.value.encoding().as_bytes()),
        None => Reply::Nil,
    }
}

/// OBJECT REFCOUNT key: small integers are shared objects in Redis (with
/// maxmemory unset), every other value has one reference.
pub fn refcount(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    match entry(e, call) {
        Some(en) => match &en.value {
            Value::Str(StrValue::Int(n)) if (0..SHARED_INTEGERS).contains(n) => {
                Reply::Integer(SHARED_REFCOUNT)
            }
            _ => Reply::Integer(1),
        },
        None => Reply::Nil,
    }
}

/// OBJECT IDLETIME key: seconds since the last access; refused under an
/// LFU policy, which does not track access time.
pub fn idletime(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let now_secs = call.now.secs() as u32;
    let access = match entry(e, call) {
        Some(en) => en.access_secs,
        None => return Reply::Nil,
    };
    if lfu_policy(e) {
        return Reply::err(
            "An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
        );
    }
    Reply::Integer(i64::from(now_secs.saturating_sub(access)))
}

/// OBJECT FREQ key: the decayed LFU counter, only under an LFU policy.
pub fn freq(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let now = call.now;
    let counter = match entry(e, call) {
        Some(en) => en.lfu_decayed(now),
        None => return Reply::Nil,
    };
    if !lfu_policy(e) {
        return Reply::err(
            "An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
        );
    }
    Reply::Integer(i64::from(counter))
}

/// OBJECT HELP text, line by line, as Redis's `addReplyHelp` sends it.
const HELP: &[&str] = &[
    "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "ENCODING <key>",
    "    Return the kind of internal representation used in order to store the value",
    "    associated with a <key>.",
    "FREQ <key>",
    "    Return the access frequency index of the <key>. The returned integer is",
    "    proportional to the logarithm of the recent access frequency of the key.",
    "IDLETIME <key>",
    "    Return the idle time of the <key>, that is the approximated number of",
    "    seconds elapsed since the last access to the key.",
    "REFCOUNT <key>",
    "    Return the number of references of the value associated with the specified",
    "    <key>.",
    "HELP",
    "    Prints this help.",
];

/// OBJECT HELP.
pub fn help(_e: &mut Engine, _call: &mut Call<'_>) -> Reply {
    Reply::Array(HELP.iter().map(|l| Reply::status(l)).collect())
}

/// The OBJECT container itself: dispatch answers unknown subcommands, so
/// this only runs if the table and dispatch disagree.
pub fn container(_e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let sub = call
        .argv
        .get(1)
        .map(|a| crate::engine::truncate_lossy(a, 128))
        .unwrap_or_default();
    Reply::err(format!("unknown subcommand '{sub}'. Try OBJECT HELP."))
}
