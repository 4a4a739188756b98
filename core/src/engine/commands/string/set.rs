//! SET, SETEX, PSETEX, GETEX: the shared option grammar and expiry rules.

use bytes::Bytes;

use super::super::{int_arg, is_kw, SYNTAX_ERROR};
use super::{
    as_str, bulk_or_nil, lookup_read, lookup_write, read_string, store, store_as, written, Store,
};
use crate::engine::value::StrValue;
use crate::engine::{Call, Engine};
use crate::resp::Reply;

/// How an expiry argument is to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ExpireUnit {
    /// EX: seconds from now.
    Ex,
    /// PX: milliseconds from now.
    Px,
    /// EXAT: absolute Unix seconds.
    ExAt,
    /// PXAT: absolute Unix milliseconds.
    PxAt,
}

impl ExpireUnit {
    fn is_relative(self) -> bool {
        matches!(self, ExpireUnit::Ex | ExpireUnit::Px)
    }

    fn in_seconds(self) -> bool {
        matches!(self, ExpireUnit::Ex | ExpireUnit::ExAt)
    }
}

/// The options of SET or GETEX after the grammar check.
#[derive(Debug, Default)]
struct Options<'a> {
    nx: bool,
    xx: bool,
    get: bool,
    keepttl: bool,
    persist: bool,
    expire: Option<(ExpireUnit, &'a Bytes)>,
}

/// Which command's grammar to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Grammar {
    /// SET: NX XX GET KEEPTTL EX PX EXAT PXAT.
    Set,
    /// GETEX: PERSIST EX PX EXAT PXAT.
    GetEx,
}

/// Parse Redis's extended SET/GETEX arguments. An option may repeat (the
/// last expiry wins) but may not meet a conflicting one (NX with XX, two
/// different expiry units, KEEPTTL or PERSIST with an expiry); anything else
/// is a syntax error. Only the grammar is checked here: expiry values are
/// validated later, in Redis's order.
fn parse_options(args: &[Bytes], grammar: Grammar) -> Result<Options<'_>, Reply> {
    let syntax = || Reply::error(SYNTAX_ERROR);
    let mut o = Options::default();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        let unit_other_than = |o: &Options<'_>, unit: ExpireUnit| {
            o.keepttl || o.persist || matches!(o.expire, Some((u, _)) if u != unit)
        };
        let set = grammar == Grammar::Set;
        if set && is_kw(a, "nx") && !o.xx {
            o.nx = true;
        } else if set && is_kw(a, "xx") && !o.nx {
            o.xx = true;
        } else if set && is_kw(a, "get") {
            o.get = true;
        } else if set && is_kw(a, "keepttl") && o.expire.is_none() {
            o.keepttl = true;
        } else if !set && is_kw(a, "persist") && o.expire.is_none() {
            o.persist = true;
        } else {
            let unit = if is_kw(a, "ex") {
                ExpireUnit::Ex
            } else if is_kw(a, "px") {
                ExpireUnit::Px
            } else if is_kw(a, "exat") {
                ExpireUnit::ExAt
            } else if is_kw(a, "pxat") {
                ExpireUnit::PxAt
            } else {
                return Err(syntax());
            };
            let value = args.get(i + 1).ok_or_else(syntax)?;
            if unit_other_than(&o, unit) {
                return Err(syntax());
            }
            o.expire = Some((unit, value));
            i += 1;
        }
        i += 1;
    }
    Ok(o)
}

/// Redis's `getExpireMillisecondsOrReply`: the absolute expiry in Unix ms
/// for `arg` read in `unit`, or Redis's error naming the command. Zero and
/// negative values, seconds that overflow when scaled to milliseconds, and
/// relative times that overflow when added to now are all refused.
pub(super) fn expire_at_ms(call: &Call<'_>, arg: &Bytes, unit: ExpireUnit) -> Result<u64, Reply> {
    let invalid = || {
        Reply::err(format!(
            "invalid expire time in '{}' command",
            call.spec.name
        ))
    };
    let mut ms = int_arg(arg)?;
    if ms <= 0 {
        return Err(invalid());
    }
    if unit.in_seconds() {
        ms = ms.checked_mul(1000).ok_or_else(invalid)?;
    }
    if unit.is_relative() {
        let now = i64::try_from(call.now.ms()).map_err(|_| invalid())?;
        ms = ms.checked_add(now).ok_or_else(invalid)?;
    }
    Ok(ms as u64)
}

/// The heart of SET, SETEX and PSETEX (Redis's `setGenericCommand`).
fn set_generic(
    e: &mut Engine,
    call: &Call<'_>,
    key: &Bytes,
    value: &Bytes,
    opts: &Options<'_>,
) -> Reply {
    let expire_at = match opts.expire {
        Some((unit, arg)) => match expire_at_ms(call, arg, unit) {
            Ok(at) => Some(at),
            Err(err) => return err,
        },
        None => None,
    };
    let old = if opts.get {
        match read_string(e, call, key) {
            Ok(v) => Some(v),
            Err(err) => return err,
        }
    } else {
        None
    };
    // Plain SET (no NX/XX) needs no separate lookup: the store below finds
    // the key once and records the access Redis's `lookupKeyWrite` would.
    let plain = !opts.nx && !opts.xx;
    let found = !plain && lookup_write(e, call, key).is_some();
    if (opts.nx && found) || (opts.xx && !found) {
        return match old {
            Some(v) => bulk_or_nil(v),
            None => Reply::Nil,
        };
    }
    let v = StrValue::from_arg(value);
    if opts.keepttl {
        if plain {
            e.dbs[call.db].touch(key, call.now);
        }
        store_as(e, call, key, v, Store::KeepTtl);
    } else if plain {
        store_as(e, call, key, v, Store::ReplaceTouching);
    } else {
        store(e, call, key, v);
    }
    written(e, call, key, "set");
    if e.propagating() {
        // Redis 7.0 propagates any expiry as `SET key value PXAT ms` and
        // drops GET (the reply is not replayed).
        if let Some(at) = expire_at {
            e.propagate_as(
                call.db,
                vec![
                    Bytes::from_static(b"SET"),
                    key.clone(),
                    value.clone(),
                    Bytes::from_static(b"PXAT"),
                    Bytes::from(at.to_string()),
                ],
            );
        } else if opts.get {
            let argv = call
                .argv
                .iter()
                .enumerate()
                .filter(|(i, a)| *i < 3 || !a.eq_ignore_ascii_case(b"get"))
                .map(|(_, a)| a.clone())
                .collect();
            e.propagate_as(call.db, argv);
        }
    }
    if let Some(at) = expire_at {
        e.dbs[call.db].set_expire(key, at);
        e.notify_keyspace_event('g', "expire", key, call.db);
    }
    match old {
        Some(v) => bulk_or_nil(v),
        None => Reply::ok(),
    }
}

/// SET key value [NX | XX] [GET] [EX s | PX ms | EXAT ts | PXAT ms-ts | KEEPTTL]
pub(super) fn set(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    match parse_options(&call.argv[3..], Grammar::Set) {
        Ok(opts) => set_generic(e, call, call.arg(1), call.arg(2), &opts),
        Err(err) => err,
    }
}

/// SETEX key seconds value
pub(super) fn setex(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let opts = Options {
        expire: Some((ExpireUnit::Ex, call.arg(2))),
        ..Options::default()
    };
    set_generic(e, call, call.arg(1), call.arg(3), &opts)
}

/// PSETEX key milliseconds value
pub(super) fn psetex(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let opts = Options {
        expire: Some((ExpireUnit::Px, call.arg(2))),
        ..Options::default()
    };
    set_generic(e, call, call.arg(1), call.arg(3), &opts)
}

/// GETEX key [EX s | PX ms | EXAT ts | PXAT ms-ts | PERSIST]. A missing key
/// answers nil before the expiry value is even checked; an absolute expiry
/// already in the past deletes the key (not counted as an expiry).
pub(super) fn getex(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let opts = match parse_options(&call.argv[2..], Grammar::GetEx) {
        Ok(o) => o,
        Err(err) => return err,
    };
    let key = call.arg(1);
    let value = match lookup_read(e, call, key) {
        None => return Reply::Nil,
        Some(entry) => match as_str(entry) {
            Ok(s) => s.to_bytes(),
            Err(err) => return err,
        },
    };
    let db = &mut e.dbs[call.db];
    if let Some((unit, arg)) = opts.expire {
        let at = match expire_at_ms(call, arg, unit) {
            Ok(at) => at,
            Err(err) => return err,
        };
        let event = if !unit.is_relative() && at <= call.now.ms() {
            db.remove(key);
            "del"
        } else {
            db.set_expire(key, at);
            "expire"
        };
        if e.propagating() {
            let argv = if event == "del" {
                vec![
                    crate::engine::commands::keys::expiry::expiry_del_word(e),
                    key.clone(),
                ]
            } else {
                vec![
                    Bytes::from_static(b"PEXPIREAT"),
                    key.clone(),
                    Bytes::from(at.to_string()),
                ]
            };
            e.propagate_as(call.db, argv);
        }
        e.signal_modified(call.db, key);
        e.notify_keyspace_event('g', event, key, call.db);
    } else if opts.persist && db.persist(key) {
        e.propagate_as(call.db, vec![Bytes::from_static(b"PERSIST"), key.clone()]);
        e.signal_modified(call.db, key);
        e.notify_keyspace_event('g', "persist", key, call.db);
    }
    Reply::Bulk(value)
}
