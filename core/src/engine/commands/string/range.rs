//! GETRANGE (and SUBSTR), SETRANGE.

use bytes::{Bytes, BytesMut};

use super::super::int_arg;
use super::{as_str, as_str_mut, check_string_length, lookup_read, lookup_write, store, written};
use crate::engine::value::StrValue;
use crate::engine::{Call, Engine};
use crate::resp::Reply;

/// The byte range GETRANGE returns for `start..=end` of a `len`-byte string,
/// with Redis 7.0's rules: negative indexes count from the end and clamp to
/// 0, `end` clamps to the last byte, and two negative indexes with
/// `start > end` give the empty string.
pub(super) fn getrange_bounds(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let len_i = i64::try_from(len).ok()?;
    if start < 0 && end < 0 && start > end {
        return None;
    }
    let start = if start < 0 { len_i + start } else { start }.max(0);
    let end = if end < 0 { len_i + end } else { end }.max(0);
    let end = end.min(len_i - 1);
    if len == 0 || start > end {
        return None;
    }
    Some((start as usize, end as usize))
}

/// GETRANGE key start end (SUBSTR is the same command under its old name).
/// Both indexes are parsed before the key is looked up.
pub(super) fn getrange(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let (start, end) = match (int_arg(call.arg(2)), int_arg(call.arg(3))) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(err), _) | (_, Err(err)) => return err,
    };
    let value = match lookup_read(e, call, call.arg(1)) {
        None => return Reply::Bulk(Bytes::new()),
        Some(entry) => match as_str(entry) {
            Ok(s) => s.to_bytes(),
            Err(err) => return err,
        },
    };
    match getrange_bounds(start, end, value.len()) {
        Some((s, e)) => Reply::Bulk(value.slice(s..=e)),
        None => Reply::Bulk(Bytes::new()),
    }
}

/// SETRANGE key offset value: overwrite from `offset`, zero-padding a short
/// or missing string. An empty `value` changes nothing (and creates no key)
/// and answers the current length.
pub(super) fn setrange(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let key = call.arg(1);
    let patch = call.arg(3);
    let offset = match int_arg(call.arg(2)) {
        Ok(n) if n >= 0 => n,
        Ok(_) => return Reply::err("offset is out of range"),
        Err(err) => return err,
    };
    let max_len = e.config.proto_max_bulk_len;
    let total = usize::try_from(offset)
        .ok()
        .and_then(|o| o.checked_add(patch.len()));
    let Some(entry) = lookup_write(e, call, key) else {
        if patch.is_empty() {
            return Reply::Integer(0);
        }
        if let Err(err) = check_string_length(max_len, total) {
            return err;
        }
        let mut buf = BytesMut::new();
        write_at(&mut buf, offset as usize, patch);
        let len = buf.len();
        store(e, call, key, StrValue::raw(buf.freeze()));
        written(e, call, key, "setrange");
        return Reply::Integer(len as i64);
    };
    let s = match as_str_mut(entry) {
        Ok(s) => s,
        Err(err) => return err,
    };
    if patch.is_empty() {
        return Reply::Integer(s.len() as i64);
    }
    if let Err(err) = check_string_length(max_len, total) {
        return err;
    }
    let mut buf = s.take_mut();
    write_at(&mut buf, offset as usize, patch);
    let len = buf.len();
    *s = StrValue::raw(buf.freeze());
    written(e, call, key, "setrange");
    Reply::Integer(len as i64)
}

/// Copy `patch` into `buf` at `offset`, growing `buf` with zero bytes first
/// if it is shorter than `offset + patch.len()`.
fn write_at(buf: &mut BytesMut, offset: usize, patch: &[u8]) {
    let end = offset + patch.len();
    if buf.len() < end {
        buf.resize(end, 0);
    }
    buf[offset..end].copy_from_slice(patch);
}
