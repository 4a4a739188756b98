//! RENAME, RENAMENX, COPY, MOVE: commands that carry a value (and its TTL)
//! to another name or database.

use super::lookup::{self, SAME_OBJECT};
use crate::engine::commands::{flatten, is_kw, SYNTAX_ERROR};
use crate::engine::db::Entry;
use crate::engine::{Call, Engine};
use crate::resp::Reply;

/// RENAME key newkey.
pub fn rename(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    rename_generic(e, call, false)
}

/// RENAMENX key newkey.
pub fn renamenx(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    rename_generic(e, call, true)
}

fn rename_generic(e: &mut Engine, call: &mut Call<'_>, nx: bool) -> Reply {
    let db = &mut e.dbs[call.db];
    let (src, dst) = (call.arg(1), call.arg(2));
    if db.lookup(src, call.now).is_none() {
        return Reply::err("no such key");
    }
    // Renaming a key to itself changes nothing, but the key must exist.
    if src == dst {
        return if nx { Reply::Integer(0) } else { Reply::ok() };
    }
    let expire = db.expire_at(src);
    if db.lookup(dst, call.now).is_some() {
        if nx {
            return Reply::Integer(0);
        }
        db.remove(dst);
    }
    let Some(entry) = db.remove(src) else {
        return Reply::err("no such key");
    };
    db.insert_entry(dst.clone(), entry);
    if let Some(at) = expire {
        db.set_expire(dst, at);
    }
    // As Redis: the destination is added anew (`new`), then both ends are
    // announced.
    e.notify_keyspace_event('n', "new", dst, call.db);
    e.signal_modified(call.db, src);
    e.signal_modified(call.db, dst);
    e.notify_keyspace_event('g', "rename_from", src, call.db);
    e.notify_keyspace_event('g', "rename_to", dst, call.db);
    e.signal_key_ready(call.db, dst);
    if nx {
        Reply::Integer(1)
    } else {
        Reply::ok()
    }
}

/// COPY source destination [DB destination-db] [REPLACE].
pub fn copy(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(copy_inner(e, call))
}

fn copy_inner(e: &mut Engine, call: &mut Call<'_>) -> Result<Reply, Reply> {
    let (src, dst) = (call.arg(1), call.arg(2));
    let mut dst_db = call.db;
    let mut replace = false;
    let mut j = 3;
    while j < call.argv.len() {
        let opt = &call.argv[j];
        if is_kw(opt, "replace") {
            replace = true;
        } else if is_kw(opt, "db") && j + 1 < call.argv.len() {
            dst_db = lookup::db_index(&call.argv[j + 1], e.dbs.len())?;
            j += 1;
        } else {
            return Err(Reply::error(SYNTAX_ERROR));
        }
        j += 1;
    }
    if dst_db == call.db && src == dst {
        return Err(Reply::error(SAME_OBJECT));
    }
    let sdb = &mut e.dbs[call.db];
    let Some(entry) = lookup::read(&mut e.stats, sdb, src, call.now, true) else {
        e.notify_keyspace_event('m', "keymiss", src, call.db);
        return Ok(Reply::Integer(0));
    };
    // A copy is a new object: same value and encoding, fresh access time.
    let value = entry.value.clone();
    let expire = sdb.expire_at(src);
    let ddb = &mut e.dbs[dst_db];
    if ddb.lookup(dst, call.now).is_some() {
        if !replace {
            return Ok(Reply::Integer(0));
        }
        ddb.remove(dst);
    }
    ddb.set(dst.clone(), value, call.now);
    if let Some(at) = expire {
        ddb.set_expire(dst, at);
    }
    e.notify_keyspace_event('n', "new", dst, dst_db);
    e.signal_modified(dst_db, dst);
    e.notify_keyspace_event('g', "copy_to", dst, dst_db);
    e.signal_key_ready(dst_db, dst);
    Ok(Reply::Integer(1))
}

/// MOVE key db.
pub fn move_(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(move_inner(e, call))
}

fn move_inner(e: &mut Engine, call: &mut Call<'_>) -> Result<Reply, Reply> {
    let key = call.arg(1);
    let dst_db = lookup::db_index(call.arg(2), e.dbs.len())?;
    if dst_db == call.db {
        return Err(Reply::error(SAME_OBJECT));
    }
    let sdb = &mut e.dbs[call.db];
    if sdb.lookup(key, call.now).is_none() {
        return Ok(Reply::Integer(0));
    }
    let expire = sdb.expire_at(key);
    if e.dbs[dst_db].lookup(key, call.now).is_some() {
        return Ok(Reply::Integer(0));
    }
    let Some(entry): Option<Entry> = e.dbs[call.db].remove(key) else {
        return Ok(Reply::Integer(0));
    };
    let ddb = &mut e.dbs[dst_db];
    ddb.insert_entry(key.clone(), entry);
    if let Some(at) = expire {
        ddb.set_expire(key, at);
    }
    e.notify_keyspace_event('n', "new", key, dst_db);
    e.signal_modified(call.db, key);
    e.signal_modified(dst_db, key);
    e.notify_keyspace_event('g', "move_from", key, call.db);
    e.notify_keyspace_event('g', "move_to", key, dst_db);
    e.signal_key_ready(dst_db, key);
    Ok(Reply::Integer(1))
}
