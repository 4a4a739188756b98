//! INCR, DECR, INCRBY, DECRBY, INCRBYFLOAT. All keep the key's TTL.

use bytes::Bytes;

use super::super::{int_arg, NOT_INTEGER};
use super::{as_str_mut, lookup_write, store, written};
use crate::engine::value::StrValue;
use crate::engine::{Call, Engine};
use crate::resp::Reply;
use crate::util::num::LongDouble;

/// Redis's error when an integer result leaves the `i64` range.
const OVERFLOW: &str = "ERR increment or decrement would overflow";

/// Redis's error for a value or increment that is not a float.
const NOT_FLOAT: &str = "ERR value is not a valid float";

/// Add `delta` to the integer at the key (0 when missing): Redis's
/// `incrDecrCommand`. The result is always `int` encoded.
fn incr_decr(e: &mut Engine, call: &Call<'_>, delta: i64) -> Reply {
    let key = call.arg(1);
    let Some(entry) = lookup_write(e, call, key) else {
        store(e, call, key, StrValue::Int(delta));
        written(e, call, key, "incrby");
        return Reply::Integer(delta);
    };
    let s = match as_str_mut(entry) {
        Ok(s) => s,
        Err(err) => return err,
    };
    let Some(current) = s.as_i64() else {
        return Reply::error(NOT_INTEGER);
    };
    let Some(next) = current.checked_add(delta) else {
        return Reply::error(OVERFLOW);
    };
    *s = StrValue::Int(next);
    written(e, call, key, "incrby");
    Reply::Integer(next)
}

/// INCR key
pub(super) fn incr(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    incr_decr(e, call, 1)
}

/// DECR key
pub(super) fn decr(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    incr_decr(e, call, -1)
}

/// INCRBY key increment (the increment is parsed before the key is read).
pub(super) fn incrby(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    match int_arg(call.arg(2)) {
        Ok(n) => incr_decr(e, call, n),
        Err(err) => err,
    }
}

/// DECRBY key decrement. Negating `i64::MIN` is refused up front with its
/// own message.
pub(super) fn decrby(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    match int_arg(call.arg(2)) {
        Ok(i64::MIN) => Reply::err("decrement would overflow"),
        Ok(n) => incr_decr(e, call, -n),
        Err(err) => err,
    }
}

/// INCRBYFLOAT key increment: `long double` arithmetic, the result printed
/// with `%.17Lf` less trailing zeros and stored as a plain string (`embstr`
/// or `raw`, never `int`). The key's type is checked before either number
/// is parsed.
pub(super) fn incrbyfloat(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let key = call.arg(1);
    let incr_arg = call.arg(2);
    let entry = lookup_write(e, call, key);
    let current = match entry {
        None => None,
        Some(entry) => match as_str_mut(entry) {
            Ok(s) => Some(s),
            Err(err) => return err,
        },
    };
    let value = match current.as_deref() {
        None => LongDouble::ZERO,
        Some(StrValue::Int(n)) => LongDouble::from_i64(*n),
        Some(s @ (StrValue::Emb(_) | StrValue::Raw(_))) => {
            match s.as_slice().and_then(LongDouble::parse) {
                Some(v) => v,
                None => return Reply::error(NOT_FLOAT),
            }
        }
    };
    let Some(incr) = LongDouble::parse(incr_arg) else {
        return Reply::error(NOT_FLOAT);
    };
    let sum = value.add(incr);
    if !sum.is_finite() {
        return Reply::err("increment would produce NaN or Infinity");
    }
    let text = Bytes::from(sum.format_human());
    let new = StrValue::created(text.clone());
    match current {
        Some(s) => *s = new,
        None => store(e, call, key, new),
    }
    written(e, call, key, "incrbyfloat");
    // Replayed float arithmetic could round differently: propagate the
    // result, keeping the TTL (Redis 7.0's `SET key value KEEPTTL`).
    e.propagate_as(
        call.db,
        vec![
            Bytes::from_static(b"SET"),
            key.clone(),
            text.clone(),
            Bytes::from_static(b"KEEPTTL"),
        ],
    );
    Reply::Bulk(text)
}
