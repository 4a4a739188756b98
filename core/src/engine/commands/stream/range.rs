//! XRANGE, XREVRANGE.

use super::id::{range_end, range_start};
use super::{entry_reply, read_stream};
use crate::engine::commands::{int_arg, is_kw, SYNTAX_ERROR};
use crate::engine::{Call, Engine};
use crate::resp::Reply;

/// XRANGE key start end [COUNT count]
pub fn xrange(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    range_generic(e, call, false)
}

/// XREVRANGE key end start [COUNT count]
pub fn xrevrange(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    range_generic(e, call, true)
}

/// Redis's `xrangeGenericCommand`: bounds, then COUNT, then the key.
fn range_generic(e: &mut Engine, call: &mut Call<'_>, rev: bool) -> Reply {
    let argv = call.argv;
    let (start_arg, end_arg) = if rev {
        (&argv[3], &argv[2])
    } else {
        (&argv[2], &argv[3])
    };
    let start = match range_start(start_arg) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let end = match range_end(end_arg) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let mut count: i64 = -1;
    let mut j = 4;
    while j < argv.len() {
        if is_kw(&argv[j], "COUNT") && j + 1 < argv.len() {
            count = match int_arg(&argv[j + 1]) {
                Ok(n) => n.max(0),
                Err(r) => return r,
            };
            j += 2;
        } else {
            return Reply::error(SYNTAX_ERROR);
        }
    }
    let key = argv[1].clone();
    let s = match read_stream(e, call, &key) {
        Err(r) => return r,
        Ok(None) => return Reply::Array(Vec::new()),
        Ok(Some(_)) if count == 0 => return Reply::NilArray,
        Ok(Some(s)) => s,
    };
    let limit = if count < 0 {
        usize::MAX
    } else {
        count as usize
    };
    Reply::Array(
        s.range(start, end, rev)
            .take(limit)
            .map(|(id, f)| entry_reply(id, f))
            .collect(),
    )
}
