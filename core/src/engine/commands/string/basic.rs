//! GET, MGET, STRLEN, GETDEL, GETSET, SETNX, MSET, MSETNX, APPEND.

use bytes::{Bytes, BytesMut};

use super::{
    as_str, as_str_mut, bulk_or_nil, check_string_length, lookup_read, lookup_write, read_string,
    read_string_reply, store, written,
};
use crate::engine::value::StrValue;
use crate::engine::{Call, Engine};
use crate::resp::Reply;

/// GET key
pub(super) fn get(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    read_string_reply(e, call, call.arg(1))
}

/// MGET key [key ...]: values of other types read as nil, never an error.
pub(super) fn mget(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let replies = call.argv[1..]
        .iter()
        .map(|key| match lookup_read(e, call, key) {
            Some(entry) => match as_str(entry) {
                Ok(s) => Reply::Bulk(s.to_bytes()),
                Err(_) => Reply::Nil,
            },
            None => Reply::Nil,
        })
        .collect();
    Reply::Array(replies)
}

/// STRLEN key
pub(super) fn strlen(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    match lookup_read(e, call, call.arg(1)) {
        None => Reply::Integer(0),
        Some(entry) => match as_str(entry) {
            Ok(s) => Reply::Integer(s.len() as i64),
            Err(err) => err,
        },
    }
}

/// GETDEL key
pub(super) fn getdel(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let key = call.arg(1);
    match read_string(e, call, key) {
        Ok(Some(v)) => {
            e.dbs[call.db].remove(key);
            // Replayed as a plain deletion (Redis 7.0).
            e.propagate_as(call.db, vec![Bytes::from_static(b"DEL"), key.clone()]);
            e.signal_modified(call.db, key);
            e.notify_keyspace_event('g', "del", key, call.db);
            Reply::Bulk(v)
        }
        Ok(None) => Reply::Nil,
        Err(err) => err,
    }
}

/// GETSET key value: the old value; the new one replaces it and its TTL.
pub(super) fn getset(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let key = call.arg(1);
    match read_string(e, call, key) {
        Ok(old) => {
            store(e, call, key, StrValue::from_arg(call.arg(2)));
            // Replayed as SET (Redis 7.0).
            e.propagate_as(
                call.db,
                vec![Bytes::from_static(b"SET"), key.clone(), call.arg(2).clone()],
            );
            written(e, call, key, "set");
            bulk_or_nil(old)
        }
        Err(err) => err,
    }
}

/// SETNX key value
pub(super) fn setnx(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let key = call.arg(1);
    if lookup_write(e, call, key).is_some() {
        return Reply::Integer(0);
    }
    store(e, call, key, StrValue::from_arg(call.arg(2)));
    written(e, call, key, "set");
    Reply::Integer(1)
}

/// The arity error MSET and MSETNX give for an odd number of arguments.
fn pairs_arity_error(call: &Call<'_>) -> Option<Reply> {
    (call.argv.len() & 1 == 0).then(|| {
        Reply::err(format!(
            "wrong number of arguments for '{}' command",
            call.spec.name
        ))
    })
}

/// MSET key value [key value ...]
pub(super) fn mset(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    if let Some(err) = pairs_arity_error(call) {
        return err;
    }
    for pair in call.argv[1..].chunks_exact(2) {
        store(e, call, &pair[0], StrValue::from_arg(&pair[1]));
        written(e, call, &pair[0], "set");
    }
    Reply::ok()
}

/// MSETNX key value [key value ...]: all or nothing, refused if any key
/// exists (of any type).
pub(super) fn msetnx(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    if let Some(err) = pairs_arity_error(call) {
        return err;
    }
    let pairs = call.argv[1..].chunks_exact(2);
    if pairs
        .clone()
        .any(|pair| lookup_write(e, call, &pair[0]).is_some())
    {
        return Reply::Integer(0);
    }
    for pair in pairs {
        store(e, call, &pair[0], StrValue::from_arg(&pair[1]));
        written(e, call, &pair[0], "set");
    }
    Reply::Integer(1)
}

/// APPEND key value: creates the key as SET would (so `int` encoding is
/// possible); appending to an existing value always leaves it `raw`.
pub(super) fn append(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let key = call.arg(1);
    let tail = call.arg(2);
    let max_len = e.config.proto_max_bulk_len;
    let Some(entry) = lookup_write(e, call, key) else {
        store(e, call, key, StrValue::from_arg(tail));
        written(e, call, key, "append");
        return Reply::Integer(tail.len() as i64);
    };
    let s = match as_str_mut(entry) {
        Ok(s) => s,
        Err(err) => return err,
    };
    let total = s.len().checked_add(tail.len());
    if let Err(err) = check_string_length(max_len, total) {
        return err;
    }
    let mut buf: BytesMut = s.take_mut();
    buf.extend_from_slice(tail);
    let len = buf.len();
    *s = StrValue::raw(buf.freeze());
    written(e, call, key, "append");
    Reply::Integer(len as i64)
}
