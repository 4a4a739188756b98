//! DEL, UNLINK, EXISTS, TYPE, TOUCH, RANDOMKEY, KEYS, SCAN.

use bytes::Bytes;

use super::lookup;
use crate::engine::commands::{flatten, is_kw, NOT_INTEGER, SYNTAX_ERROR};
use crate::engine::{Call, Engine};
use crate::resp::{parse_i64, Reply};
use crate::util::glob;

/// DEL and UNLINK: both free memory inline (there is no background thread
/// in the core; UNLINK's difference is only where the freeing happens).
pub fn del(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let mut n = 0;
    for k in &call.argv[1..] {
        let db = &mut e.dbs[call.db];
        // An expired key is reclaimed as expired, not counted as deleted.
        db.expire_if_needed(k, call.now);
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
        let k = k.clone();
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
        .map(|k| Reply::Bulk(k.clone()))
        .collect();
    Reply::Array(out)
}

/// Parse a SCAN cursor as Redis does with `strtoul`: optional sign (a
/// negative value wraps), no leading whitespace, nothing after the digits,
/// an empty string is 0, overflow is an error. C strings end at a NUL byte.
pub fn parse_cursor(arg: &[u8]) -> Option<u64> {
    let s = match arg.iter().position(|&b| b == 0) {
        Some(nul) => &arg[..nul],
        None => arg,
    };
    let Some(&first) = s.first() else {
        return Some(0);
    };
    if matches!(first, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r') {
        return None;
    }
    let (neg, digits) = match first {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: u64 = 0;
    for &d in digits {
        v = v.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    Some(if neg { v.wrapping_neg() } else { v })
}

/// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type].
pub fn scan(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(scan_inner(e, call))
}

fn scan_inner(e: &mut Engine, call: &mut Call<'_>) -> Result<Reply, Reply> {
    let cursor = parse_cursor(call.arg(1)).ok_or_else(|| Reply::err("invalid cursor"))?;
    let mut count: usize = 10;
    let mut pattern: Option<&Bytes> = None;
    let mut type_name: Option<&Bytes> = None;
    let mut i = 2;
    while i < call.argv.len() {
        let left = call.argv.len() - i;
        let opt = &call.argv[i];
        if is_kw(opt, "count") && left >= 2 {
            let n = parse_i64(&call.argv[i + 1]).ok_or_else(|| Reply::error(NOT_INTEGER))?;
            if n < 1 {
                return Err(Reply::error(SYNTAX_ERROR));
            }
            count = usize::try_from(n).unwrap_or(usize::MAX);
        } else if is_kw(opt, "match") && left >= 2 {
            pattern = Some(&call.argv[i + 1]);
        } else if is_kw(opt, "type") && left >= 2 {
            type_name = Some(&call.argv[i + 1]);
        } else {
            return Err(Reply::error(SYNTAX_ERROR));
        }
        i += 2;
    }
    let pattern = pattern.filter(|p| p.as_ref() != b"*");
    let db = &mut e.dbs[call.db];
    let mut found = Vec::new();
    let next = db.keys.scan(cursor, count, |k, _| found.push(k.clone()));
    let mut out = Vec::with_capacity(found.len());
    for k in found {
        if let Some(p) = pattern {
            if !glob::matches(p, &k, false) {
                continue;
            }
        }
        if let Some(t) = type_name {
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
    Ok(Reply::Array(vec![
        Reply::Bulk(Bytes::from(next.to_string())),
        Reply::Array(out),
    ]))
}
