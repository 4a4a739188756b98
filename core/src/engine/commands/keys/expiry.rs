//! EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL, PTTL, EXPIRETIME,
//! PEXPIRETIME, PERSIST.

use super::lookup;
use crate::engine::commands::{flatten, int_arg};
use crate::engine::{Call, Engine};
use crate::resp::Reply;
use bytes::Bytes;

/// How Redis 7.0 propagates a key an expiry time deleted: UNLINK with
/// `lazyfree-lazy-expire yes`, else DEL.
pub fn expiry_del_word(e: &Engine) -> Bytes {
    if e.config.get_bool("lazyfree-lazy-expire") == Some(true) {
        Bytes::from_static(b"UNLINK")
    } else {
        Bytes::from_static(b"DEL")
    }
}

/// EXPIRE key seconds [NX|XX|GT|LT].
pub fn expire(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let now = call.now.ms() as i64;
    flatten(expire_generic(e, call, now, true))
}

/// PEXPIRE key milliseconds [NX|XX|GT|LT].
pub fn pexpire(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let now = call.now.ms() as i64;
    flatten(expire_generic(e, call, now, false))
}

/// EXPIREAT key unix-time-seconds [NX|XX|GT|LT].
pub fn expireat(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(expire_generic(e, call, 0, true))
}

/// PEXPIREAT key unix-time-milliseconds [NX|XX|GT|LT].
pub fn pexpireat(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(expire_generic(e, call, 0, false))
}

/// The NX/XX/GT/LT conditions of the EXPIRE family.
#[derive(Debug, Default, Clone, Copy)]
struct Conditions {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
}

fn parse_conditions(args: &[bytes::Bytes]) -> Result<Conditions, Reply> {
    let mut c = Conditions::default();
    for a in args {
        match a.to_ascii_lowercase().as_slice() {
            b"nx" => c.nx = true,
            b"xx" => c.xx = true,
            b"gt" => c.gt = true,
            b"lt" => c.lt = true,
            _ => {
                return Err(Reply::err(format!(
                    "Unsupported option {}",
                    String::from_utf8_lossy(a.split(|&b| b == 0).next().unwrap_or(&[]))
                )))
            }
        }
    }
    if c.nx && (c.xx || c.gt || c.lt) {
        return Err(Reply::err(
            "NX and XX, GT or LT options at the same time are not compatible",
        ));
    }
    if c.gt && c.lt {
        return Err(Reply::err(
            "GT and LT options at the same time are not compatible",
        ));
    }
    Ok(c)
}

/// Redis's `expireGenericCommand`: `basetime_ms` is now for the relative
/// forms and 0 for the absolute ones.
fn expire_generic(
    e: &mut Engine,
    call: &mut Call<'_>,
    basetime_ms: i64,
    seconds: bool,
) -> Result<Reply, Reply> {
    let cond = parse_conditions(&call.argv[3..])?;
    let invalid = || {
        Reply::err(format!(
            "invalid expire time in '{}' command",
            call.spec.name
        ))
    };
    let mut when = int_arg(call.arg(2))?;
    if seconds {
        when = when.checked_mul(1000).ok_or_else(invalid)?;
    }
    when = when.checked_add(basetime_ms).ok_or_else(invalid)?;
    let key = call.arg(1);
    let db = &mut e.dbs[call.db];
    if db.lookup(key, call.now).is_none() {
        return Ok(Reply::Integer(0));
    }
    let current = db.expire_at(key).map(|at| at as i64);
    // A key without TTL counts as an infinite TTL for GT and LT.
    let refused = (cond.nx && current.is_some())
        || (cond.xx && current.is_none())
        || (cond.gt && current.is_none_or(|cur| when <= cur))
        || (cond.lt && current.is_some_and(|cur| when >= cur));
    if refused {
        return Ok(Reply::Integer(0));
    }
    let event = if when <= call.now.ms() as i64 {
        // A time in the past deletes the key (as a DEL, not an expiry).
        db.remove(key);
        "del"
    } else {
        db.set_expire(key, when as u64);
        "expire"
    };
    if e.propagating() {
        // Redis 7.0 propagates a deletion as DEL/UNLINK and a relative
        // expiry as PEXPIREAT with the absolute time (conditions kept).
        if event == "del" {
            e.propagate_as(call.db, vec![expiry_del_word(e), key.clone()]);
        } else if call.spec.name != "pexpireat" {
            let mut argv = call.argv.to_vec();
            argv[0] = Bytes::from_static(b"PEXPIREAT");
            argv[2] = Bytes::from(when.to_string());
            e.propagate_as(call.db, argv);
        }
    }
    e.signal_modified(call.db, key);
    e.notify_keyspace_event('g', event, key, call.db);
    Ok(Reply::Integer(1))
}

/// What the TTL family reports.
#[derive(Clone, Copy)]
enum TtlForm {
    /// Remaining, in seconds (rounded).
    Ttl,
    /// Remaining, in milliseconds.
    Pttl,
    /// Absolute, in seconds (rounded).
    ExpireTime,
    /// Absolute, in milliseconds.
    PexpireTime,
}

fn ttl_generic(e: &mut Engine, call: &mut Call<'_>, form: TtlForm) -> Reply {
    let db = &mut e.dbs[call.db];
    let key = call.arg(1);
    if lookup::read(&mut e.stats, db, key, call.now, false).is_none() {
        e.notify_keyspace_event('m', "keymiss", key, call.db);
        return Reply::Integer(-2);
    }
    let Some(at) = db.expire_at(key) else {
        return Reply::Integer(-1);
    };
    let at = i128::from(at);
    let now = i128::from(call.now.ms());
    let (value, in_ms) = match form {
        TtlForm::Ttl => ((at - now).max(0), false),
        TtlForm::Pttl => ((at - now).max(0), true),
        TtlForm::ExpireTime => (at, false),
        TtlForm::PexpireTime => (at, true),
    };
    let value = if in_ms { value } else { (value + 500) / 1000 };
    Reply::Integer(i64::try_from(value).unwrap_or(i64::MAX))
}

/// TTL key.
pub fn ttl(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    ttl_generic(e, call, TtlForm::Ttl)
}

/// PTTL key.
pub fn pttl(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    ttl_generic(e, call, TtlForm::Pttl)
}

/// EXPIRETIME key.
pub fn expiretime(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    ttl_generic(e, call, TtlForm::ExpireTime)
}

/// PEXPIRETIME key.
pub fn pexpiretime(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    ttl_generic(e, call, TtlForm::PexpireTime)
}

/// PERSIST key.
pub fn persist(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let db = &mut e.dbs[call.db];
    let key = call.arg(1);
    if db.lookup(key, call.now).is_none() {
        return Reply::Integer(0);
    }
    if !db.persist(key) {
        return Reply::Integer(0);
    }
    e.signal_modified(call.db, key);
    e.notify_keyspace_event('g', "persist", key, call.db);
    Reply::Integer(1)
}
