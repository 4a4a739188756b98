//! ZUNION, ZINTER, ZDIFF, ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE, ZINTERCARD:
//! Redis 7.0's `zunionInterDiffGenericCommand`. Plain sets are accepted as
//! inputs, every member scoring 1.

use bytes::Bytes;
use hashbrown::HashMap;

use super::{resp3, scored_reply, store_result};
use crate::engine::commands::{flatten, int_arg, is_kw, SYNTAX_ERROR};
use crate::engine::types::set::Set;
use crate::engine::types::zset::tree::cmp_elem;
use crate::engine::value::{Value, WRONGTYPE};
use crate::engine::{Call, Engine};
use crate::resp::{parse_i64, Reply};
use crate::util::num::parse_double;

/// The set operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Union,
    Inter,
    Diff,
}

/// How scores of a member found in several inputs combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Aggregate {
    Sum,
    Min,
    Max,
}

impl Aggregate {
    /// Redis's `zunionInterAggregate` (an `inf + -inf` sum is 0).
    fn apply(self, target: f64, val: f64) -> f64 {
        match self {
            Aggregate::Sum => {
                let s = target + val;
                if s.is_nan() {
                    0.0
                } else {
                    s
                }
            }
            Aggregate::Min => {
                if val < target {
                    val
                } else {
                    target
                }
            }
            Aggregate::Max => {
                if val > target {
                    val
                } else {
                    target
                }
            }
        }
    }
}

/// One input: its elements (descending, as Redis iterates sorted sets) and
/// a member index, or nothing for a missing key.
struct Source {
    items: Vec<(Bytes, f64)>,
    index: HashMap<Bytes, f64>,
    weight: f64,
}

/// A set's members as zset input (score 1 each, as Redis's `zuiNext`).
fn set_input(s: &Set) -> Vec<(Bytes, f64)> {
    s.members().map(|m| (m, 1.0)).collect()
}

/// ZUNION numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
pub fn zunion(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(generic(e, call, 1, false, Op::Union, false))
}

/// ZINTER numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
pub fn zinter(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(generic(e, call, 1, false, Op::Inter, false))
}

/// ZDIFF numkeys key [key ...] [WITHSCORES]
pub fn zdiff(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(generic(e, call, 1, false, Op::Diff, false))
}

/// ZUNIONSTORE dst numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX]
pub fn zunionstore(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(generic(e, call, 2, true, Op::Union, false))
}

/// ZINTERSTORE dst numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX]
pub fn zinterstore(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(generic(e, call, 2, true, Op::Inter, false))
}

/// ZDIFFSTORE dst numkeys key [key ...]
pub fn zdiffstore(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(generic(e, call, 2, true, Op::Diff, false))
}

/// ZINTERCARD numkeys key [key ...] [LIMIT limit]
pub fn zintercard(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(generic(e, call, 1, false, Op::Inter, true))
}

fn generic(
    e: &mut Engine,
    call: &Call<'_>,
    numkeys_idx: usize,
    store: bool,
    op: Op,
    card_only: bool,
) -> Result<Reply, Reply> {
    let argv = call.argv;
    let setnum = int_arg(&argv[numkeys_idx])?;
    if setnum < 1 {
        return Err(Reply::err(format!(
            "at least 1 input key is needed for '{}' command",
            call.spec.name
        )));
    }
    let first = numkeys_idx + 1;
    let setnum = usize::try_from(setnum)
        .ok()
        .filter(|&n| n <= argv.len() - first)
        .ok_or_else(|| Reply::error(SYNTAX_ERROR))?;
    // Inputs are looked up (and type-checked) before the options parse.
    let mut srcs = Vec::with_capacity(setnum);
    for key in &argv[first..first + setnum] {
        let db = &mut e.dbs[call.db];
        // Redis 7.0 reads the inputs with `lookupKeyRead` even when storing.
        let found = db.lookup(key, call.now);
        if found.is_some() {
            e.stats.keyspace_hits += 1;
        } else {
            e.stats.keyspace_misses += 1;
        }
        let items = match found.map(|en| &en.value) {
            None => Vec::new(),
            Some(Value::ZSet(z)) => {
                let mut v = z.to_vec();
                v.reverse();
                v
            }
            Some(Value::Set(s)) => set_input(s),
            Some(_) => return Err(Reply::error(WRONGTYPE)),
        };
        srcs.push(Source {
            items,
            index: HashMap::new(),
            weight: 1.0,
        });
    }
    let mut aggregate = Aggregate::Sum;
    let mut withscores = false;
    let mut limit: u64 = 0;
    let mut j = first + setnum;
    while j < argv.len() {
        let remaining = argv.len() - j;
        let a = &argv[j];
        if op != Op::Diff && !card_only && remaining > setnum && is_kw(a, "weights") {
            j += 1;
            for src in srcs.iter_mut() {
                src.weight = parse_double(&argv[j])
                    .ok_or_else(|| Reply::err("weight value is not a float"))?;
                j += 1;
            }
        } else if op != Op::Diff && !card_only && remaining >= 2 && is_kw(a, "aggregate") {
            let v = &argv[j + 1];
            aggregate = if is_kw(v, "sum") {
                Aggregate::Sum
            } else if is_kw(v, "min") {
                Aggregate::Min
            } else if is_kw(v, "max") {
                Aggregate::Max
            } else {
                return Err(Reply::error(SYNTAX_ERROR));
            };
            j += 2;
        } else if !store && !card_only && is_kw(a, "withscores") {
            withscores = true;
            j += 1;
        } else if card_only && remaining >= 2 && is_kw(a, "limit") {
            limit = parse_i64(&argv[j + 1])
                .filter(|&n| n >= 0)
                .map(|n| n as u64)
                .ok_or_else(|| Reply::err("LIMIT can't be negative"))?;
            j += 2;
        } else {
            return Err(Reply::error(SYNTAX_ERROR));
        }
    }
    let mut result: Vec<(Bytes, f64)> = Vec::new();
    let mut cardinality: u64 = 0;
    match op {
        Op::Inter => {
            // Smallest input first (a stable sort, as glibc's qsort is for
            // arrays this size): the order scores are summed in.
            srcs.sort_by_key(|s| s.items.len());
            for s in srcs.iter_mut().skip(1) {
                s.index = s.items.iter().cloned().collect();
            }
            if let Some((head, rest)) = srcs.split_first() {
                for (m, s) in &head.items {
                    let mut score = head.weight * s;
                    if score.is_nan() {
                        score = 0.0;
                    }
                    let mut everywhere = true;
                    for other in rest {
                        match other.index.get(m) {
                            Some(v) => score = aggregate.apply(score, v * other.weight),
                            None => {
                                everywhere = false;
                                break;
                            }
                        }
                    }
                    if !everywhere {
                        continue;
                    }
                    if card_only {
                        cardinality += 1;
                        if limit != 0 && cardinality >= limit {
                            break;
                        }
                    } else {
                        result.push((m.clone(), score));
                    }
                }
            }
        }
        Op::Union => {
            srcs.sort_by_key(|s| s.items.len());
            let mut acc: HashMap<Bytes, f64> = HashMap::new();
            let mut order: Vec<Bytes> = Vec::new();
            for src in &srcs {
                for (m, s) in &src.items {
                    let mut score = src.weight * s;
                    if score.is_nan() {
                        score = 0.0;
                    }
                    match acc.get_mut(m) {
                        Some(v) => *v = aggregate.apply(*v, score),
                        None => {
                            acc.insert(m.clone(), score);
                            order.push(m.clone());
                        }
                    }
                }
            }
            result = order
                .into_iter()
                .map(|m| {
                    let s = acc.get(&m).copied().unwrap_or(0.0);
                    (m, s)
                })
                .collect();
        }
        Op::Diff => {
            if let Some((head, rest)) = srcs.split_first_mut() {
                for s in rest.iter_mut() {
                    s.index = s.items.iter().cloned().collect();
                }
                for (m, s) in &head.items {
                    if !rest.iter().any(|o| o.index.contains_key(m)) {
                        result.push((m.clone(), *s));
                    }
                }
            }
        }
    }
    if card_only {
        return Ok(Reply::Integer(
            i64::try_from(cardinality).unwrap_or(i64::MAX),
        ));
    }
    if store {
        let event = match op {
            Op::Union => "zunionstore",
            Op::Inter => "zinterstore",
            Op::Diff => "zdiffstore",
        };
        let dst = argv[1].clone();
        return Ok(store_result(e, call, &dst, result, event));
    }
    result.sort_by(|a, b| cmp_elem(a.1, &a.0, b.1, &b.0));
    Ok(scored_reply(result, withscores, resp3(e, call)))
}
