//! LPOP, RPOP, LMPOP, LMOVE, RPOPLPUSH.

use super::{bulk_array, move_between_keys, mpop_keys, parse_mpop, parse_where, pop_from_key};
use crate::engine::types::list::Where;
use crate::engine::{Call, Engine};
use crate::resp::{parse_i64, Reply};

/// Redis's `getPositiveLongFromObjectOrReply` error without a custom text
/// (given for non-integers too).
const NOT_POSITIVE: &str = "ERR value is out of range, must be positive";

/// Redis's `popGenericCommand`: `LPOP key [count]`. Without a count the
/// reply is one bulk string (nil for a missing key); with one it is an
/// array (null array for a missing key, empty array for a count of 0).
fn pop_generic(e: &mut Engine, call: &Call<'_>, end: Where) -> Reply {
    if call.argv.len() > 3 {
        return Reply::err(format!(
            "wrong number of arguments for '{}' command",
            call.spec.name
        ));
    }
    let count = match call.argv.get(2) {
        None => None,
        Some(arg) => match parse_i64(arg).filter(|&n| n >= 0) {
            Some(n) => Some(usize::try_from(n).unwrap_or(usize::MAX)),
            None => return Reply::error(NOT_POSITIVE),
        },
    };
    match pop_from_key(e, call.db, call.arg(1), end, count, call.now) {
        Err(err) => err,
        Ok(None) if count.is_some() => Reply::NilArray,
        Ok(None) => Reply::Nil,
        Ok(Some(items)) if count.is_some() => bulk_array(items),
        Ok(Some(items)) => items.into_iter().next().map_or(Reply::Nil, Reply::Bulk),
    }
}

/// LPOP key [count]
pub(super) fn lpop(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    pop_generic(e, call, Where::Head)
}

/// RPOP key [count]
pub(super) fn rpop(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    pop_generic(e, call, Where::Tail)
}

/// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]: `[key, [elements]]`
/// from the first non-empty list, or a null array.
pub(super) fn lmpop(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let args = match parse_mpop(call.argv, 1) {
        Ok(a) => a,
        Err(err) => return err,
    };
    let keys = &call.argv[args.keys.clone()];
    match mpop_keys(e, call.db, keys, args.end, args.count, call.now) {
        Err(err) => err,
        Ok(None) => Reply::NilArray,
        Ok(Some((key, items))) => {
            crate::engine::commands::blocking::propagate_list_mpop(
                e,
                call.db,
                &key,
                args.end,
                items.len(),
            );
            Reply::Array(vec![Reply::Bulk(key), bulk_array(items)])
        }
    }
}

/// Redis's `lmoveGenericCommand` reply: the moved element or nil.
fn lmove_generic(e: &mut Engine, call: &Call<'_>, from: Where, to: Where) -> Reply {
    match move_between_keys(e, call.db, call.arg(1), call.arg(2), from, to, call.now) {
        Err(err) => err,
        Ok(None) => Reply::Nil,
        Ok(Some(v)) => Reply::Bulk(v),
    }
}

/// LMOVE source destination LEFT|RIGHT LEFT|RIGHT: both directions are
/// parsed before any key is looked up.
pub(super) fn lmove(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let from = match parse_where(call.arg(3)) {
        Ok(w) => w,
        Err(err) => return err,
    };
    let to = match parse_where(call.arg(4)) {
        Ok(w) => w,
        Err(err) => return err,
    };
    lmove_generic(e, call, from, to)
}

/// RPOPLPUSH source destination: LMOVE source destination RIGHT LEFT.
pub(super) fn rpoplpush(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    lmove_generic(e, call, Where::Tail, Where::Head)
}
