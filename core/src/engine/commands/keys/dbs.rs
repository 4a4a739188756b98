//! Whole-database commands (Redis's "server" group): DBSIZE, SWAPDB,
//! FLUSHDB, FLUSHALL.

use crate::engine::commands::{is_kw, SYNTAX_ERROR};
use crate::engine::{Call, Engine};
use crate::resp::{parse_i64, Reply};

/// DBSIZE: keys in the selected database, expired-but-unreclaimed included.
pub fn dbsize(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    Reply::Integer(e.dbs[call.db].len() as i64)
}

/// A SWAPDB index: a 32-bit integer (else `bad`), then in range.
fn swap_index(arg: &[u8], bad: &str, ndb: usize) -> Result<usize, Reply> {
    let n = parse_i64(arg)
        .filter(|&n| i32::try_from(n).is_ok())
        .ok_or_else(|| Reply::err(bad))?;
    usize::try_from(n)
        .ok()
        .filter(|&i| i < ndb)
        .ok_or_else(|| Reply::err("DB index is out of range"))
}

/// SWAPDB index1 index2: exchanges the two keyspaces (with their TTLs);
/// clients keep their selected index and so see the other data.
pub fn swapdb(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let ndb = e.dbs.len();
    let a = match swap_index(call.arg(1), "invalid first DB index", ndb) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let b = match swap_index(call.arg(2), "invalid second DB index", ndb) {
        Ok(b) => b,
        Err(r) => return r,
    };
    e.signal_swapped(a, b);
    e.dbs.swap(a, b);
    // Keys now visible in either database may satisfy blocked clients.
    for d in [a, b] {
        let keys: Vec<bytes::Bytes> = e.blocking_keys(d);
        for k in keys {
            e.signal_key_ready(d, &k);
        }
    }
    Reply::ok()
}

/// The optional ASYNC|SYNC argument of FLUSHDB/FLUSHALL. Both free inline
/// here: the core has no background thread to hand memory to.
fn flush_mode_ok(call: &Call<'_>) -> bool {
    match call.argv.len() {
        1 => true,
        2 => is_kw(call.arg(1), "async") || is_kw(call.arg(1), "sync"),
        _ => false,
    }
}

/// FLUSHDB [ASYNC|SYNC].
pub fn flushdb(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    if !flush_mode_ok(call) {
        return Reply::error(SYNTAX_ERROR);
    }
    e.signal_flushed(Some(call.db));
    e.dbs[call.db].clear();
    Reply::ok()
}

/// FLUSHALL [ASYNC|SYNC].
pub fn flushall(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    if !flush_mode_ok(call) {
        return Reply::error(SYNTAX_ERROR);
    }
    e.signal_flushed(None);
    for db in &mut e.dbs {
        db.clear();
    }
    // As Redis: a background save in progress is killed, and with `save`
    // rules the (empty) dataset is saved at once.
    e.bgsave_abort();
    if !e.config.save_params().is_empty() {
        e.request_persist(crate::persist::state::PersistRequest::SaveQuietly);
    }
    Reply::ok()
}
