//! LSET, LREM, LTRIM.

use super::{element, list_for_write};
use crate::engine::commands::int_arg;
use crate::engine::{Call, Engine};
use crate::resp::Reply;

/// Delete `key` if its list became empty, with Redis's `del` event.
fn delete_if_emptied(e: &mut Engine, db: usize, key: &[u8], emptied: bool) {
    if emptied {
        e.dbs[db].remove(key);
        e.notify_keyspace_event('g', "del", key, db);
    }
}

/// LSET key index element: "no such key" for a missing key, checked before
/// the type and the index.
pub(super) fn lset(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let key = call.arg(1);
    let l = match list_for_write(e, call.db, key, call.now) {
        Err(err) => return err,
        Ok(None) => return Reply::error("ERR no such key"),
        Ok(Some(l)) => l,
    };
    let index = match int_arg(call.arg(2)) {
        Ok(i) => i,
        Err(err) => return err,
    };
    if !l.set(index, element(call.arg(3))) {
        return Reply::error("ERR index out of range");
    }
    e.signal_modified(call.db, key);
    e.notify_keyspace_event('l', "lset", key, call.db);
    Reply::ok()
}

/// LREM key count element: the number removed. Events only when something
/// was removed.
pub(super) fn lrem(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let count = match int_arg(call.arg(2)) {
        Ok(n) => n,
        Err(err) => return err,
    };
    let key = call.arg(1);
    let (removed, emptied) = match list_for_write(e, call.db, key, call.now) {
        Err(err) => return err,
        Ok(None) => return Reply::Integer(0),
        Ok(Some(l)) => (l.remove(count, call.arg(3)), l.is_empty()),
    };
    if removed > 0 {
        e.signal_modified(call.db, key);
        e.notify_keyspace_event('l', "lrem", key, call.db);
    }
    delete_if_emptied(e, call.db, key, emptied);
    Reply::Integer(removed as i64)
}

/// LTRIM key start stop: OK even for a missing key. As Redis, an existing
/// list always gets the `ltrim` event and a modification signal, even when
/// the range keeps everything.
pub(super) fn ltrim(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let (start, end) = match (int_arg(call.arg(2)), int_arg(call.arg(3))) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(err), _) | (_, Err(err)) => return err,
    };
    let key = call.arg(1);
    let emptied = match list_for_write(e, call.db, key, call.now) {
        Err(err) => return err,
        Ok(None) => return Reply::ok(),
        Ok(Some(l)) => {
            l.trim(start, end);
            l.is_empty()
        }
    };
    e.notify_keyspace_event('l', "ltrim", key, call.db);
    delete_if_emptied(e, call.db, key, emptied);
    e.signal_modified(call.db, key);
    Reply::ok()
}
