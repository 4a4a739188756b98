//! Blocking commands: BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN,
//! BZPOPMAX, BZMPOP (XREAD/XREADGROUP BLOCK join when streams land).
//!
//! Each handler does what its non-blocking sibling does when a key has
//! data (same keyspace step, same events), and otherwise parks the client
//! with [`Engine::block_client`]. When a key becomes ready the engine runs
//! the handler again for the parked client (see `engine/blocking.rs`), so
//! serving and the first attempt share one code path. Inside MULTI (or any
//! context that must not block) the command answers its empty reply at once.

use bytes::Bytes;

use super::list::{move_between_keys, mpop_keys, parse_mpop, parse_where};
use super::zset::pop::{bzpop_reply, mpop_reply, parse_mpop_args, pop_first, End};
use crate::engine::blocking::parse_timeout_secs;
use crate::engine::table::{acl, flags, CommandDoc, CommandSpec};
use crate::engine::types::list::Where;
use crate::engine::{Call, Engine};
use crate::resp::Reply;

/// LMPOP/BLMPOP popped `n` elements of `key`: replayed as `LPOP|RPOP key n`
/// (Redis 7.0).
pub fn propagate_list_mpop(e: &mut Engine, db: usize, key: &Bytes, end: Where, n: usize) {
    let word: &'static [u8] = match end {
        Where::Head => b"LPOP",
        Where::Tail => b"RPOP",
    };
    propagate_pop(e, db, word, key, n);
}

/// ZMPOP/BZMPOP popped `n` members of `key`: replayed as
/// `ZPOPMIN|ZPOPMAX key n` (Redis 7.0).
pub fn propagate_zset_mpop(e: &mut Engine, db: usize, key: &Bytes, end: End, n: usize) {
    let word: &'static [u8] = match end {
        End::Min => b"ZPOPMIN",
        End::Max => b"ZPOPMAX",
    };
    propagate_pop(e, db, word, key, n);
}

/// Propagate `<word> key n`.
fn propagate_pop(e: &mut Engine, db: usize, word: &'static [u8], key: &Bytes, n: usize) {
    e.propagate_as(
        db,
        vec![
            Bytes::from_static(word),
            key.clone(),
            Bytes::from(n.to_string()),
        ],
    );
}

/// BLPOP/BRPOP key [key ...] timeout: `[key, element]` from the first
/// non-empty list, or block on all the keys.
fn bpop_generic(e: &mut Engine, call: &mut Call<'_>, end: Where) -> Reply {
    let last = call.argv.len() - 1;
    let deadline = match parse_timeout_secs(&call.argv[last], call.now) {
        Ok(d) => d,
        Err(err) => return err,
    };
    let keys = &call.argv[1..last];
    match mpop_keys(e, call.db, keys, end, 1, call.now) {
        Err(err) => err,
        Ok(Some((key, mut items))) => match items.pop() {
            Some(v) => {
                let word: &'static [u8] = match end {
                    Where::Head => b"LPOP",
                    Where::Tail => b"RPOP",
                };
                e.propagate_as(call.db, vec![Bytes::from_static(word), key.clone()]);
                Reply::Array(vec![Reply::Bulk(key), Reply::Bulk(v)])
            }
            None => Reply::NilArray,
        },
        Ok(None) => e.block_client(call, keys.to_vec(), deadline, Reply::NilArray),
    }
}

/// BLPOP key [key ...] timeout
fn blpop(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    bpop_generic(e, call, Where::Head)
}

/// BRPOP key [key ...] timeout
fn brpop(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    bpop_generic(e, call, Where::Tail)
}

/// BLMOVE / BRPOPLPUSH: move one element when the source has one, else
/// block on the source.
fn bmove_generic(
    e: &mut Engine,
    call: &mut Call<'_>,
    from: Where,
    to: Where,
    timeout: &Bytes,
) -> Reply {
    let deadline = match parse_timeout_secs(timeout, call.now) {
        Ok(d) => d,
        Err(err) => return err,
    };
    let (src, dst) = (call.arg(1), call.arg(2));
    match move_between_keys(e, call.db, src, dst, from, to, call.now) {
        Err(err) => err,
        Ok(Some(v)) => {
            // Served: replayed as the non-blocking move.
            let argv = if call.argv.len() == 6 {
                let mut a = call.argv[..5].to_vec();
                a[0] = Bytes::from_static(b"LMOVE");
                a
            } else {
                vec![Bytes::from_static(b"RPOPLPUSH"), src.clone(), dst.clone()]
            };
            e.propagate_as(call.db, argv);
            Reply::Bulk(v)
        }
        Ok(None) => e.block_client(call, vec![src.clone()], deadline, Reply::Nil),
    }
}

/// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout: the directions
/// are checked before the timeout.
fn blmove(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let from = match parse_where(call.arg(3)) {
        Ok(w) => w,
        Err(err) => return err,
    };
    let to = match parse_where(call.arg(4)) {
        Ok(w) => w,
        Err(err) => return err,
    };
    let timeout = call.arg(5).clone();
    bmove_generic(e, call, from, to, &timeout)
}

/// BRPOPLPUSH source destination timeout
fn brpoplpush(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let timeout = call.arg(3).clone();
    bmove_generic(e, call, Where::Tail, Where::Head, &timeout)
}

/// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]: the
/// timeout is checked first, then the LMPOP arguments.
fn blmpop(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let deadline = match parse_timeout_secs(call.arg(1), call.now) {
        Ok(d) => d,
        Err(err) => return err,
    };
    let args = match parse_mpop(call.argv, 2) {
        Ok(a) => a,
        Err(err) => return err,
    };
    let keys = &call.argv[args.keys.clone()];
    match mpop_keys(e, call.db, keys, args.end, args.count, call.now) {
        Err(err) => err,
        Ok(Some((key, items))) => {
            propagate_list_mpop(e, call.db, &key, args.end, items.len());
            Reply::Array(vec![
                Reply::Bulk(key),
                Reply::Array(items.into_iter().map(Reply::Bulk).collect()),
            ])
        }
        Ok(None) => e.block_client(call, keys.to_vec(), deadline, Reply::NilArray),
    }
}

/// BZPOPMIN/BZPOPMAX key [key ...] timeout: `[key, member, score]` from
/// the first non-empty sorted set, or block on all the keys.
fn bzpop_generic(e: &mut Engine, call: &mut Call<'_>, end: End) -> Reply {
    let last = call.argv.len() - 1;
    let deadline = match parse_timeout_secs(&call.argv[last], call.now) {
        Ok(d) => d,
        Err(err) => return err,
    };
    let keys = &call.argv[1..last];
    match pop_first(e, call.db, keys, call.now, end, 1) {
        Err(err) => err,
        Ok(Some((key, mut items))) => match items.pop() {
            Some((member, score)) => {
                let word: &'static [u8] = match end {
                    End::Min => b"ZPOPMIN",
                    End::Max => b"ZPOPMAX",
                };
                e.propagate_as(call.db, vec![Bytes::from_static(word), key.clone()]);
                bzpop_reply(key, member, score)
            }
            None => Reply::NilArray,
        },
        Ok(None) => e.block_client(call, keys.to_vec(), deadline, Reply::NilArray),
    }
}

/// BZPOPMIN key [key ...] timeout
fn bzpopmin(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    bzpop_generic(e, call, End::Min)
}

/// BZPOPMAX key [key ...] timeout
fn bzpopmax(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    bzpop_generic(e, call, End::Max)
}

/// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
fn bzmpop(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let deadline = match parse_timeout_secs(call.arg(1), call.now) {
        Ok(d) => d,
        Err(err) => return err,
    };
    let (keys, end, count) = match parse_mpop_args(call.argv, 2) {
        Ok(a) => a,
        Err(err) => return err,
    };
    match pop_first(e, call.db, keys, call.now, end, count) {
        Err(err) => err,
        Ok(Some((key, items))) => {
            propagate_zset_mpop(e, call.db, &key, end, items.len());
            mpop_reply(key, items)
        }
        Ok(None) => e.block_client(call, keys.to_vec(), deadline, Reply::NilArray),
    }
}

const fn doc(summary: &'static str, since: &'static str, complexity: &'static str) -> CommandDoc {
    CommandDoc {
        summary,
        since,
        group: "list",
        complexity,
    }
}

/// The blocking commands' table (COMMAND INFO as Redis 7.0.15).
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "blpop",
        arity: -3,
        flags: flags::WRITE | flags::NOSCRIPT | flags::BLOCKING,
        acl: acl::WRITE | acl::LIST | acl::SLOW | acl::BLOCKING,
        first_key: 1,
        last_key: -2,
        key_step: 1,
        handler: blpop,
        subcommands: &[],
        doc: doc(
            "Remove and get the first element in a list, or block until one is available",
            "2.0.0",
            "O(N) where N is the number of provided keys.",
        ),
    },
    CommandSpec {
        name: "brpop",
        arity: -3,
        flags: flags::WRITE | flags::NOSCRIPT | flags::BLOCKING,
        acl: acl::WRITE | acl::LIST | acl::SLOW | acl::BLOCKING,
        first_key: 1,
        last_key: -2,
        key_step: 1,
        handler: brpop,
        subcommands: &[],
        doc: doc(
            "Remove and get the last element in a list, or block until one is available",
            "2.0.0",
            "O(N) where N is the number of provided keys.",
        ),
    },
    CommandSpec {
        name: "blmove",
        arity: 6,
        flags: flags::WRITE | flags::DENYOOM | flags::NOSCRIPT | flags::BLOCKING,
        acl: acl::WRITE | acl::LIST | acl::SLOW | acl::BLOCKING,
        first_key: 1,
        last_key: 2,
        key_step: 1,
        handler: blmove,
        subcommands: &[],
        doc: doc(
            "Pop an element from a list, push it to another list and return it; or block until one is available",
            "6.2.0",
            "O(1)",
        ),
    },
    CommandSpec {
        name: "brpoplpush",
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM | flags::NOSCRIPT | flags::BLOCKING,
        acl: acl::WRITE | acl::LIST | acl::SLOW | acl::BLOCKING,
        first_key: 1,
        last_key: 2,
        key_step: 1,
        handler: brpoplpush,
        subcommands: &[],
        doc: doc(
            "Pop an element from a list, push it to another list and return it; or block until one is available",
            "2.2.0",
            "O(1)",
        ),
    },
    CommandSpec {
        name: "blmpop",
        arity: -5,
        flags: flags::WRITE | flags::BLOCKING | flags::MOVABLE_KEYS,
        acl: acl::WRITE | acl::LIST | acl::SLOW | acl::BLOCKING,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        handler: blmpop,
        subcommands: &[],
        doc: doc(
            "Pop elements from a list, or block until one is available",
            "7.0.0",
            "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
        ),
    },
    CommandSpec {
        name: "bzpopmin",
        arity: -3,
        flags: flags::WRITE | flags::NOSCRIPT | flags::BLOCKING | flags::FAST,
        acl: acl::WRITE | acl::SORTEDSET | acl::FAST | acl::BLOCKING,
        first_key: 1,
        last_key: -2,
        key_step: 1,
        handler: bzpopmin,
        subcommands: &[],
        doc: zdoc(
            "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available",
            "5.0.0",
            "O(log(N)) with N being the number of elements in the sorted set.",
        ),
    },
    CommandSpec {
        name: "bzpopmax",
        arity: -3,
        flags: flags::WRITE | flags::NOSCRIPT | flags::BLOCKING | flags::FAST,
        acl: acl::WRITE | acl::SORTEDSET | acl::FAST | acl::BLOCKING,
        first_key: 1,
        last_key: -2,
        key_step: 1,
        handler: bzpopmax,
        subcommands: &[],
        doc: zdoc(
            "Remove and return the member with the highest score from one or more sorted sets, or block until one is available",
            "5.0.0",
            "O(log(N)) with N being the number of elements in the sorted set.",
        ),
    },
    CommandSpec {
        name: "bzmpop",
        arity: -5,
        flags: flags::WRITE | flags::BLOCKING | flags::MOVABLE_KEYS,
        acl: acl::WRITE | acl::SORTEDSET | acl::SLOW | acl::BLOCKING,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        handler: bzmpop,
        subcommands: &[],
        doc: zdoc(
            "Remove and return members with scores in a sorted set or block until one is available",
            "7.0.0",
            "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
        ),
    },
];

const fn zdoc(summary: &'static str, since: &'static str, complexity: &'static str) -> CommandDoc {
    CommandDoc {
        summary,
        since,
        group: "sorted-set",
        complexity,
    }
}
