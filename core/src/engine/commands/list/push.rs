//! LPUSH, RPUSH, LPUSHX, RPUSHX, LINSERT.

use super::{create_list, element, list_for_write, SYNTAX_ERROR};
use crate::engine::commands::is_kw;
use crate::engine::types::list::{List, Where};
use crate::engine::{Call, Engine};
use crate::resp::Reply;

/// Redis's `pushGenericCommand`: push every element of `argv[2..]` at
/// `end` in argument order; `existing_only` is the X variants (no key, no
/// push, reply 0). One `lpush`/`rpush` event per command, not per element.
fn push_generic(e: &mut Engine, call: &Call<'_>, end: Where, existing_only: bool) -> Reply {
    let key = call.arg(1);
    let values = &call.argv[2..];
    let len = match list_for_write(e, call.db, key, call.now) {
        Err(err) => return err,
        Ok(Some(l)) => {
            for v in values {
                l.push(end, element(v));
            }
            l.len()
        }
        Ok(None) if existing_only => return Reply::Integer(0),
        Ok(None) => {
            let mut l = List::new();
            for v in values {
                l.push(end, element(v));
            }
            let len = l.len();
            create_list(e, call.db, key, l, call.now);
            len
        }
    };
    e.signal_modified(call.db, key);
    e.notify_keyspace_event('l', end.push_event(), key, call.db);
    e.signal_key_ready(call.db, key);
    Reply::Integer(len as i64)
}

/// LPUSH key element [element ...]
pub(super) fn lpush(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    push_generic(e, call, Where::Head, false)
}

/// RPUSH key element [element ...]
pub(super) fn rpush(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    push_generic(e, call, Where::Tail, false)
}

/// LPUSHX key element [element ...]
pub(super) fn lpushx(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    push_generic(e, call, Where::Head, true)
}

/// RPUSHX key element [element ...]
pub(super) fn rpushx(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    push_generic(e, call, Where::Tail, true)
}

/// LINSERT key BEFORE|AFTER pivot element: the new length, 0 for a missing
/// key, -1 when the pivot is absent. The direction is checked before the
/// key (a bad one is a syntax error even on a missing or mistyped key).
pub(super) fn linsert(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let side = if is_kw(call.arg(2), "after") {
        Where::Tail
    } else if is_kw(call.arg(2), "before") {
        Where::Head
    } else {
        return Reply::error(SYNTAX_ERROR);
    };
    let key = call.arg(1);
    let len = match list_for_write(e, call.db, key, call.now) {
        Err(err) => return err,
        Ok(None) => return Reply::Integer(0),
        Ok(Some(l)) => {
            if !l.insert(side, call.arg(3), element(call.arg(4))) {
                return Reply::Integer(-1);
            }
            l.len()
        }
    };
    e.signal_modified(call.db, key);
    e.notify_keyspace_event('l', "linsert", key, call.db);
    e.signal_key_ready(call.db, key);
    Reply::Integer(len as i64)
}
