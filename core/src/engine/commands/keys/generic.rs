//! DEL, UNLINK, EXISTS, TYPE, TOUCH, RANDOMKEY, KEYS, SCAN.

use crate::engine::commands::scan::{cursor_arg, parse_opts, reply as scan_reply, ScanOpts};

use super::lookup;
use crate::engine::commands::flatten;
use crate::engine::{Call, Engine};
use crate::resp::Reply;
use crate::util::glob;

/// DEL and UNLINK: both free memory inline (there is no background thread
/// in the core; UNLINK's difference is only where the freeing happens).
pub fn del(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let mut n = 0;
    for k in &call.argv[1..] {
        let db = &mut e.dbs[call.db];
        // An expired key is reclaimed as expired, not counted as deleted.
        db.expire_for_write(k, call.now);
        if db.remove(k).is_some() {
            n += 1;
            e.signal_modified(call.db, k);
            e.notify_keyspace_event('g', "del", k, call.db);
        }
    }
    Reply::Integer(n)
}

/// EXISTS: counts repeated keys once per mention.
pub fn exists(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let mut n = 0;
    for k in &call.argv[1..] {
        if lookup::read(&mut e.stats, &mut e.dbs[call.db], k, call.now, false).is_some() {
            n += 1;
        } else {
            e.notify_keyspace_event('m', "keymiss", k, call.db);
        }
    }
    Reply::Integer(n)
}

/// TOUCH: like EXISTS but updates the access time.
pub fn touch(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let mut n = 0;
    for k in &call.argv[1..] {
        if lookup::read(&mut e.stats, &mut e.dbs[call.db], k, call.now, true).is_some() {
            n += 1;
        } else {
            e.notify_keyspace_event('m', "keymiss", k, call.db);
        }
    }
    Reply::Integer(n)
}

/// TYPE: a status reply, `none` for a missing key.
pub fn type_(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let db = &mut e.dbs[call.db];
    match lookup::read(&mut e.stats, db, call.arg(1), call.now, false) {
        Some(entry) => Reply::status(entry.value.type_name()),
        None => {
            e.notify_keyspace_event('m', "keymiss", call.arg(1), call.db);
            Reply::status("none")
        }
    }
}

/// RANDOMKEY: a random live key; expired keys met on the way are reclaimed
/// (each try either answers or deletes a key, so the loop ends).
pub fn randomkey(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    loop {
        let r = e.random_u64();
        let db = &mut e.dbs[call.db];
        let Some((k, _)) = db.keys.random_entry(r) else {
            return Reply::Nil;
        };
        let k = k.to_bytes();
        if db.expire_if_needed(&k, call.now) {
            continue;
        }
        return Reply::Bulk(k);
    }
}

/// KEYS: every live key matching the pattern (expired ones are skipped,
/// not deleted, as Redis 7.0 does).
pub fn keys(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let db = &e.dbs[call.db];
    let pattern = call.arg(1);
    let all = pattern.as_ref() == b"*";
    let out = db
        .keys
        .keys()
        .filter(|k| all || glob::matches(pattern, k, false))
        .filter(|k| !db.is_expired(k, call.now))
        .map(|k| Reply::Bulk(k.to_bytes()))
        .collect();
    Reply::Array(out)
}

/// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type].
pub fn scan(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(scan_inner(e, call))
}

fn scan_inner(e: &mut Engine, call: &mut Call<'_>) -> Result<Reply, Reply> {
    let cursor = cursor_arg(call.arg(1))?;
    let ScanOpts {
        count,
        pattern,
        type_name,
    } = parse_opts(call.argv, 2, true)?;
    let db = &mut e.dbs[call.db];
    let mut found = Vec::new();
    let next = db.keys.scan(cursor, count, |k, _| found.push(k.to_bytes()));
    let mut out = Vec::with_capacity(found.len());
    for k in found {
        if let Some(p) = &pattern {
            if !glob::matches(p, &k, false) {
                continue;
            }
        }
        if let Some(t) = &type_name {
            // Redis looks the key up for its type (counting a hit or miss,
            // and expiring it); a reclaimed key's type is "none".
            let name = lookup::read(&mut e.stats, db, &k, call.now, false)
                .map_or("none", |entry| entry.value.type_name());
            if !t.eq_ignore_ascii_case(name.as_bytes()) {
                continue;
            }
        }
        if db.expire_if_needed(&k, call.now) {
            continue;
        }
        out.push(Reply::Bulk(k));
    }
    Ok(scan_reply(next, out))
}
