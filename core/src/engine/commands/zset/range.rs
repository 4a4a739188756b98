//! The ZRANGE family and ZREMRANGEBY{RANK,SCORE,LEX}, as Redis 7.0's
//! `zrangeGenericCommand` / `zremrangeGenericCommand`.

use bytes::Bytes;

use super::{
    after_removal, parse_lex_range, parse_score_range, read, remove_if_empty, resp3, scored_reply,
    store_result, write, MINMAX_NOT_FLOAT, MINMAX_NOT_LEX,
};
use crate::engine::commands::{flatten, int_arg, is_kw, SYNTAX_ERROR};
use crate::engine::types::zset::{LexRange, ScoreRange, ZSet};
use crate::engine::{Call, Engine};
use crate::resp::Reply;

/// How the range arguments are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum By {
    /// Not fixed by the command: ZRANGE's BYSCORE/BYLEX may choose.
    Auto,
    Rank,
    Score,
    Lex,
}

/// Which end the range is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dir {
    /// Not fixed by the command: ZRANGE's REV may choose.
    Auto,
    Forward,
    Reverse,
}

/// A parsed range request.
enum Spec {
    Rank(i64, i64),
    Score(ScoreRange),
    Lex(LexRange),
}

/// ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]
pub fn zrange(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(generic(e, call, 1, None, By::Auto, Dir::Auto))
}

/// ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]
pub fn zrangestore(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let dst = call.arg(1).clone();
    flatten(generic(e, call, 2, Some(dst), By::Auto, Dir::Auto))
}

/// ZREVRANGE key start stop [WITHSCORES]
pub fn zrevrange(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(generic(e, call, 1, None, By::Rank, Dir::Reverse))
}

/// ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]
pub fn zrangebyscore(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(generic(e, call, 1, None, By::Score, Dir::Forward))
}

/// ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]
pub fn zrevrangebyscore(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(generic(e, call, 1, None, By::Score, Dir::Reverse))
}

/// ZRANGEBYLEX key min max [LIMIT offset count]
pub fn zrangebylex(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(generic(e, call, 1, None, By::Lex, Dir::Forward))
}

/// ZREVRANGEBYLEX key max min [LIMIT offset count]
pub fn zrevrangebylex(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(generic(e, call, 1, None, By::Lex, Dir::Reverse))
}

/// Redis's `zrangeGenericCommand`: options, then conflicts, then the range,
/// then the key.
fn generic(
    e: &mut Engine,
    call: &Call<'_>,
    key_idx: usize,
    store: Option<Bytes>,
    mut by: By,
    mut dir: Dir,
) -> Result<Reply, Reply> {
    let argv = call.argv;
    let key = &argv[key_idx];
    let mut min_idx = key_idx + 1;
    let mut max_idx = key_idx + 2;
    let mut withscores = false;
    let mut offset: i64 = 0;
    let mut limit: i64 = -1;
    let mut j = key_idx + 3;
    while j < argv.len() {
        let left = argv.len() - j - 1;
        let a = &argv[j];
        if store.is_none() && is_kw(a, "withscores") {
            withscores = true;
        } else if is_kw(a, "limit") && left >= 2 {
            offset = int_arg(&argv[j + 1])?;
            limit = int_arg(&argv[j + 2])?;
            j += 2;
        } else if dir == Dir::Auto && is_kw(a, "rev") {
            dir = Dir::Reverse;
        } else if by == By::Auto && is_kw(a, "bylex") {
            by = By::Lex;
        } else if by == By::Auto && is_kw(a, "byscore") {
            by = By::Score;
        } else {
            return Err(Reply::error(SYNTAX_ERROR));
        }
        j += 1;
    }
    if dir == Dir::Auto {
        dir = Dir::Forward;
    }
    if by == By::Auto {
        by = By::Rank;
    }
    if limit != -1 && by == By::Rank {
        return Err(Reply::err(
            "syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
        ));
    }
    if withscores && by == By::Lex {
        return Err(Reply::err(
            "syntax error, WITHSCORES not supported in combination with BYLEX",
        ));
    }
    let reverse = dir == Dir::Reverse;
    if reverse && by != By::Rank {
        // The range is given as max, min.
        std::mem::swap(&mut min_idx, &mut max_idx);
    }
    let spec = match by {
        By::Score => Spec::Score(
            parse_score_range(&argv[min_idx], &argv[max_idx])
                .ok_or_else(|| Reply::error(MINMAX_NOT_FLOAT))?,
        ),
        By::Lex => Spec::Lex(
            parse_lex_range(&argv[min_idx], &argv[max_idx])
                .ok_or_else(|| Reply::error(MINMAX_NOT_LEX))?,
        ),
        By::Rank | By::Auto => Spec::Rank(int_arg(&argv[min_idx])?, int_arg(&argv[max_idx])?),
    };
    let items = match read(e, call, key)? {
        None => Vec::new(),
        Some(z) => select(z, &spec, reverse, offset, limit),
    };
    match store {
        Some(dst) => Ok(store_result(e, call, &dst, items, "zrangestore")),
        None => Ok(scored_reply(items, withscores, resp3(e, call))),
    }
}

/// The elements a range request names, in reply order.
fn select(z: &ZSet, spec: &Spec, reverse: bool, offset: i64, limit: i64) -> Vec<(Bytes, f64)> {
    let len = z.len();
    let (start, end) = match spec {
        Spec::Rank(start, end) => {
            let Some((a, b)) = rank_span(*start, *end, len) else {
                return Vec::new();
            };
            if reverse {
                let mut v = z.range(len - 1 - b, len - a);
                v.reverse();
                return v;
            }
            return z.range(a, b + 1);
        }
        Spec::Score(r) => z.score_span(r),
        Spec::Lex(r) => z.lex_span(r),
    };
    // Redis skips `offset` elements one by one (`while (ln && offset--)`):
    // a negative offset skips everything; a negative limit takes all.
    let Ok(offset) = usize::try_from(offset) else {
        return Vec::new();
    };
    let avail = (end - start).saturating_sub(offset);
    let take = usize::try_from(limit).map_or(avail, |l| l.min(avail));
    if take == 0 {
        return Vec::new();
    }
    if reverse {
        let hi = end - offset;
        let mut v = z.range(hi - take, hi);
        v.reverse();
        v
    } else {
        let lo = start + offset;
        z.range(lo, lo + take)
    }
}

/// Redis's rank sanitising: negative indexes count from the end; `None`
/// for an empty range, else inclusive `(start, end)` within `0..len`.
fn rank_span(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let llen = len as i64;
    let mut start = if start < 0 {
        start.saturating_add(llen)
    } else {
        start
    };
    let mut end = if end < 0 {
        end.saturating_add(llen)
    } else {
        end
    };
    if start < 0 {
        start = 0;
    }
    if start > end || start >= llen {
        return None;
    }
    if end >= llen {
        end = llen - 1;
    }
    Some((start as usize, end as usize))
}

/// ZREMRANGEBYRANK key start stop
pub fn zremrangebyrank(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(remrange(e, call, By::Rank))
}

/// ZREMRANGEBYSCORE key min max
pub fn zremrangebyscore(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(remrange(e, call, By::Score))
}

/// ZREMRANGEBYLEX key min max
pub fn zremrangebylex(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(remrange(e, call, By::Lex))
}

fn remrange(e: &mut Engine, call: &Call<'_>, by: By) -> Result<Reply, Reply> {
    let (min, max) = (call.arg(2), call.arg(3));
    let (spec, event) = match by {
        By::Score => (
            Spec::Score(parse_score_range(min, max).ok_or_else(|| Reply::error(MINMAX_NOT_FLOAT))?),
            "zremrangebyscore",
        ),
        By::Lex => (
            Spec::Lex(parse_lex_range(min, max).ok_or_else(|| Reply::error(MINMAX_NOT_LEX))?),
            "zremrangebylex",
        ),
        By::Rank | By::Auto => (Spec::Rank(int_arg(min)?, int_arg(max)?), "zremrangebyrank"),
    };
    let key = call.arg(1);
    let db = call.db;
    let Some(z) = write(&mut e.dbs[db], key, call.now)? else {
        return Ok(Reply::Integer(0));
    };
    let (a, b) = match &spec {
        Spec::Rank(s, t) => match rank_span(*s, *t, z.len()) {
            Some((a, b)) => (a, b + 1),
            None => return Ok(Reply::Integer(0)),
        },
        Spec::Score(r) => z.score_span(r),
        Spec::Lex(r) => z.lex_span(r),
    };
    let removed = z.remove_range(a, b).len();
    if removed > 0 {
        let gone = remove_if_empty(&mut e.dbs[db], key);
        after_removal(e, db, key, event, gone);
    }
    Ok(Reply::Integer(removed as i64))
}
