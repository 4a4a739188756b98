//! LLEN, LRANGE, LINDEX, LPOS.

use super::{bulk_array, list_for_read, SYNTAX_ERROR};
use crate::engine::commands::{int_arg, is_kw};
use crate::engine::types::list::PosOptions;
use crate::engine::{Call, Engine};
use crate::resp::{parse_i64, Reply};

/// LLEN key: 0 for a missing key.
pub(super) fn llen(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    match list_for_read(e, call.db, call.arg(1), call.now) {
        Err(err) => err,
        Ok(None) => Reply::Integer(0),
        Ok(Some(l)) => Reply::Integer(l.len() as i64),
    }
}

/// LRANGE key start stop: the indices are parsed before the key is looked
/// up, so a bad index is reported even for a missing key.
pub(super) fn lrange(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let (start, end) = match (int_arg(call.arg(2)), int_arg(call.arg(3))) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(err), _) | (_, Err(err)) => return err,
    };
    match list_for_read(e, call.db, call.arg(1), call.now) {
        Err(err) => err,
        Ok(None) => Reply::Array(Vec::new()),
        Ok(Some(l)) => bulk_array(l.range(start, end)),
    }
}

/// LINDEX key index: the key is looked up first (a missing key answers nil
/// whatever the index), then the index parsed.
pub(super) fn lindex(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let l = match list_for_read(e, call.db, call.arg(1), call.now) {
        Err(err) => return err,
        Ok(None) => return Reply::Nil,
        Ok(Some(l)) => l,
    };
    match int_arg(call.arg(2)) {
        Err(err) => err,
        Ok(i) => l.get(i).cloned().map_or(Reply::Nil, Reply::Bulk),
    }
}

/// Parse one of LPOS's non-negative options: any non-integer or negative
/// value gets the option's own error text.
fn non_negative(arg: &[u8], err: &'static str) -> Result<i64, Reply> {
    parse_i64(arg)
        .filter(|&n| n >= 0)
        .ok_or_else(|| Reply::error(err))
}

/// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]. Options
/// are all validated before the key is looked up; repeated options take
/// the last value.
pub(super) fn lpos(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let mut opts = PosOptions::default();
    let argv = call.argv;
    let mut j = 3;
    while j < argv.len() {
        let more = j + 1 < argv.len();
        let opt = &argv[j];
        if is_kw(opt, "rank") && more {
            j += 1;
            opts.rank = match int_arg(&argv[j]) {
                Ok(0) => return Reply::error(
                    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
                ),
                Ok(n) => n,
                Err(err) => return err,
            };
        } else if is_kw(opt, "count") && more {
            j += 1;
            match non_negative(&argv[j], "ERR COUNT can't be negative") {
                Ok(n) => opts.count = Some(n),
                Err(err) => return err,
            }
        } else if is_kw(opt, "maxlen") && more {
            j += 1;
            match non_negative(&argv[j], "ERR MAXLEN can't be negative") {
                Ok(n) => opts.maxlen = n,
                Err(err) => return err,
            }
        } else {
            return Reply::error(SYNTAX_ERROR);
        }
        j += 1;
    }
    let l = match list_for_read(e, call.db, call.arg(1), call.now) {
        Err(err) => return err,
        Ok(None) if opts.count.is_some() => return Reply::Array(Vec::new()),
        Ok(None) => return Reply::Nil,
        Ok(Some(l)) => l,
    };
    let found = l.positions(call.arg(2), opts);
    if opts.count.is_some() {
        Reply::Array(
            found
                .into_iter()
                .map(|i| Reply::Integer(i as i64))
                .collect(),
        )
    } else {
        found
            .first()
            .map_or(Reply::Nil, |&i| Reply::Integer(i as i64))
    }
}
