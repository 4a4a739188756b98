//! SORT and SORT_RO, byte-exact with Redis 7.0 (`sort.c`'s behaviour).
//!
//! The source is a list, set or sorted set; elements are ordered by their
//! own value or by keys derived from a BY pattern, numerically (C `strtod`
//! rules) or with ALPHA byte order, then LIMITed and either answered
//! (optionally through GET patterns) or STOREd as a list.

use crate::engine::shared::Shared;
use std::cmp::Ordering;

use bytes::{Bytes, BytesMut};

use super::hash::lookup_read;
use super::{flatten, is_kw, NOT_INTEGER, SYNTAX_ERROR};
use crate::engine::table::{acl, flags, CommandDoc, CommandSpec};
use crate::engine::types::list::List;
use crate::engine::value::{Value, WRONGTYPE};
use crate::engine::{Call, Engine};
use crate::resp::{parse_i64, Reply};
use crate::util::num::parse_double;

const fn doc(summary: &'static str, since: &'static str, complexity: &'static str) -> CommandDoc {
    CommandDoc {
        summary,
        since,
        group: "generic",
        complexity,
    }
}

/// SORT's table.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "sort",
        arity: -2,
        flags: flags::WRITE | flags::DENYOOM | flags::MOVABLE_KEYS,
        acl: acl::WRITE | acl::SET | acl::SORTEDSET | acl::LIST | acl::SLOW | acl::DANGEROUS,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        handler: sort,
        subcommands: &[],
        doc: doc("Sort the elements in a list, set or sorted set", "1.0.0", "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N)."),
    },
    CommandSpec {
        name: "sort_ro",
        arity: -2,
        flags: flags::READONLY | flags::MOVABLE_KEYS,
        acl: acl::READ | acl::SET | acl::SORTEDSET | acl::LIST | acl::SLOW | acl::DANGEROUS,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        handler: sort_ro,
        subcommands: &[],
        doc: doc("Sort the elements in a list, set or sorted set. Read-only variant of SORT.", "7.0.0", "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N)."),
    },
];

/// SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA] [STORE destination]
fn sort(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(sort_generic(e, call, false))
}

/// SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA]
fn sort_ro(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(sort_generic(e, call, true))
}

/// The parsed options of one SORT call.
#[derive(Default)]
struct Options {
    desc: bool,
    alpha: bool,
    limit_start: i64,
    limit_count: i64,
    store: Option<Bytes>,
    by: Option<Bytes>,
    /// BY a pattern without `*`: keep the source's own order.
    dont_sort: bool,
    gets: Vec<Bytes>,
}

/// The bytes C string functions see: up to the first NUL. Redis matches
/// `*`, `->` and `#` in patterns with `strchr`/`strstr`.
fn c_str(b: &[u8]) -> &[u8] {
    match b.iter().position(|&c| c == 0) {
        Some(i) => &b[..i],
        None => b,
    }
}

/// Parse SORT's options (everything after the key), in Redis's order of
/// checks: the first bad option answers.
fn parse(call: &Call<'_>, readonly: bool) -> Result<Options, Reply> {
    let mut o = Options {
        limit_count: -1,
        ..Options::default()
    };
    let argv = &call.argv;
    let mut j = 2;
    while j < argv.len() {
        let left = argv.len() - j - 1;
        let a = &argv[j];
        if is_kw(a, "asc") {
            o.desc = false;
        } else if is_kw(a, "desc") {
            o.desc = true;
        } else if is_kw(a, "alpha") {
            o.alpha = true;
        } else if is_kw(a, "limit") && left >= 2 {
            let not_int = || Reply::error(NOT_INTEGER);
            o.limit_start = parse_i64(&argv[j + 1]).ok_or_else(not_int)?;
            o.limit_count = parse_i64(&argv[j + 2]).ok_or_else(not_int)?;
            j += 2;
        } else if !readonly && is_kw(a, "store") && left >= 1 {
            o.store = Some(argv[j + 1].clone());
            j += 1;
        } else if is_kw(a, "by") && left >= 1 {
            let pat = &argv[j + 1];
            o.by = Some(pat.clone());
            o.dont_sort = !c_str(pat).contains(&b'*');
            j += 1;
        } else if is_kw(a, "get") && left >= 1 {
            o.gets.push(argv[j + 1].clone());
            j += 1;
        } else {
            return Err(Reply::error(SYNTAX_ERROR));
        }
        j += 1;
    }
    Ok(o)
}

/// Redis's `lookupKeyByPattern`: `#` is the element itself; otherwise the
/// first `*` is replaced by the element and the key read (counting hits
/// and misses); `key->field` reads a hash field. Missing keys, wrong
/// types and patterns without `*` give `None`.
fn lookup_pattern(e: &mut Engine, call: &Call<'_>, pattern: &[u8], elem: &Bytes) -> Option<Bytes> {
    let cpat = c_str(pattern);
    if cpat == b"#" {
        return Some(elem.clone());
    }
    let star = cpat.iter().position(|&c| c == b'*')?;
    let after = &cpat[star + 1..];
    let field_at = after
        .windows(2)
        .position(|w| w == b"->")
        .map(|i| star + 1 + i)
        .filter(|&f| f + 2 < cpat.len());
    let (key_end, field) = match field_at {
        Some(f) => (f, Some(&pattern[f + 2..])),
        None => (pattern.len(), None),
    };
    let mut key = BytesMut::with_capacity(key_end + elem.len());
    key.extend_from_slice(&pattern[..star]);
    key.extend_from_slice(elem);
    key.extend_from_slice(&pattern[star + 1..key_end]);
    match (lookup_read(e, call, &key)?, field) {
        (Value::Hash(h), Some(f)) => h.get(f).cloned(),
        (Value::Str(s), None) => Some(s.to_bytes()),
        _ => None,
    }
}

/// C's `strtod` as SORT uses it: the text up to the first NUL, leading
/// white space skipped, and all of the rest must be the number (an empty
/// string is 0, as `strtod` consumes nothing and stops at the NUL).
fn sort_score(b: &[u8]) -> Option<f64> {
    let s = c_str(b);
    if s.is_empty() {
        return Some(0.0);
    }
    let start = s
        .iter()
        .position(|c| !matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))?;
    parse_double(&s[start..])
}

/// One element being sorted with what it sorts by.
struct Item {
    elem: Bytes,
    score: f64,
    cmp: Option<Bytes>,
}

/// Redis's `sortCompare` for the current options (before DESC).
fn compare(a: &Item, b: &Item, o: &Options) -> Ordering {
    if !o.alpha {
        match a.score.partial_cmp(&b.score) {
            Some(Ordering::Equal) | None => a.elem.cmp(&b.elem),
            Some(ord) => ord,
        }
    } else if o.by.is_some() {
        match (&a.cmp, &b.cmp) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            // strcoll in the C locale when answering: stops at NUL.
            (Some(x), Some(y)) if o.store.is_none() => c_str(x).cmp(c_str(y)),
            (Some(x), Some(y)) => x.cmp(y),
        }
    } else if o.store.is_none() {
        c_str(&a.elem).cmp(c_str(&b.elem))
    } else {
        a.elem.cmp(&b.elem)
    }
}

/// The elements of the source in the order SORT loads them, and whether
/// the LIMIT range was already applied (the no-sort fast path of ordered
/// types).
fn load(value: Option<&Value>, o: &Options, start: usize, end: usize) -> (Vec<Bytes>, bool) {
    match value {
        None => (Vec::new(), false),
        Some(Value::List(l)) if o.dont_sort => {
            let n = end - start;
            let v = if o.desc {
                l.iter().rev().skip(start).take(n).cloned().collect()
            } else {
                l.iter().skip(start).take(n).cloned().collect()
            };
            (v, true)
        }
        Some(Value::List(l)) => (l.iter().cloned().collect(), false),
        Some(Value::Set(s)) => (s.members().collect(), false),
        // A sorted set BY nosort keeps its score order (and reads only the
        // LIMIT range); otherwise its members are loaded to be sorted.
        Some(Value::ZSet(z)) if o.dont_sort => {
            let n = end - start;
            let len = z.len();
            let v = if o.desc {
                let hi = len.saturating_sub(start);
                let mut v: Vec<Bytes> = z
                    .range(hi.saturating_sub(n), hi)
                    .into_iter()
                    .map(|(m, _)| m)
                    .collect();
                v.reverse();
                v
            } else {
                z.range(start, end).into_iter().map(|(m, _)| m).collect()
            };
            (v, true)
        }
        Some(Value::ZSet(z)) => (z.to_vec().into_iter().map(|(m, _)| m).collect(), false),
        Some(_) => (Vec::new(), false),
    }
}

/// Both SORT forms.
fn sort_generic(e: &mut Engine, call: &mut Call<'_>, readonly: bool) -> Result<Reply, Reply> {
    let mut o = parse(call, readonly)?;
    let key = call.arg(1).clone();
    let (len, is_set) = match lookup_read(e, call, &key) {
        None => (0, false),
        Some(Value::List(l)) => (l.len(), false),
        Some(Value::Set(s)) => (s.len(), true),
        Some(Value::ZSet(z)) => (z.len(), false),
        Some(_) => return Err(Reply::error(WRONGTYPE)),
    };
    // A set has no order of its own: when storing, sort it so replicas agree.
    if o.dont_sort && is_set && o.store.is_some() {
        o.dont_sort = false;
        o.alpha = true;
        o.by = None;
    }
    let len_i = i64::try_from(len).unwrap_or(i64::MAX);
    let start = o.limit_start.clamp(0, len_i);
    let count = o.limit_count.clamp(-1, len_i);
    let end = if count < 0 {
        len_i
    } else {
        start.saturating_add(count).min(len_i)
    };
    let (mut start, mut end) = (
        usize::try_from(start).unwrap_or(0),
        usize::try_from(end).unwrap_or(0),
    );
    let source = e.dbs[call.db].keys.get(&key[..]).map(|en| &en.value);
    let (elems, ranged) = load(source, &o, start, end);
    if ranged {
        end -= start;
        start = 0;
    }
    let mut items: Vec<Item> = elems
        .into_iter()
        .map(|elem| Item {
            elem,
            score: 0.0,
            cmp: None,
        })
        .collect();
    let mut conversion_error = false;
    if !o.dont_sort {
        for item in &mut items {
            let by_val = match &o.by {
                Some(pat) => match lookup_pattern(e, call, pat, &item.elem) {
                    Some(v) => v,
                    None => continue,
                },
                None => item.elem.clone(),
            };
            if o.alpha {
                if o.by.is_some() {
                    item.cmp = Some(by_val);
                }
            } else {
                match sort_score(&by_val) {
                    Some(s) => item.score = s,
                    None => conversion_error = true,
                }
            }
        }
        items.sort_by(|a, b| {
            let ord = compare(a, b, &o);
            if o.desc {
                ord.reverse()
            } else {
                ord
            }
        });
    }
    if conversion_error {
        return Err(Reply::error(
            "ERR One or more scores can't be converted into double",
        ));
    }
    let picked = items.get(start..end).unwrap_or(&[]);
    let Some(dst) = o.store.clone() else {
        let mut out = Vec::with_capacity(picked.len() * o.gets.len().max(1));
        for item in picked {
            if o.gets.is_empty() {
                out.push(Reply::Bulk(item.elem.clone()));
            }
            for pat in &o.gets {
                out.push(match lookup_pattern(e, call, pat, &item.elem) {
                    Some(v) => Reply::Bulk(v),
                    None => Reply::Nil,
                });
            }
        }
        return Ok(Reply::Array(out));
    };
    let mut stored = Vec::new();
    for item in picked {
        if o.gets.is_empty() {
            stored.push(item.elem.clone());
        }
        for pat in &o.gets {
            stored.push(lookup_pattern(e, call, pat, &item.elem).unwrap_or_default());
        }
    }
    let n = stored.len();
    if n > 0 {
        let list: List = stored.into_iter().collect();
        e.dbs[call.db].set(dst.clone(), Value::List(Shared::new(list)), call.now);
        e.signal_modified(call.db, &dst);
        e.notify_keyspace_event('l', "sortstore", &dst, call.db);
    } else if e.dbs[call.db].remove(&dst).is_some() {
        e.signal_modified(call.db, &dst);
        e.notify_keyspace_event('g', "del", &dst, call.db);
    }
    Ok(Reply::Integer(i64::try_from(n).unwrap_or(i64::MAX)))
}

#[cfg(test)]
mod tests;
