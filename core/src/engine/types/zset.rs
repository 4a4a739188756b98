//! The sorted-set type: members with scores, ordered by score then member
//! bytes, with Redis 7.0's two encodings:
//!
//! - `listpack`: a sorted vector, while the set has at most
//!   `zset-max-listpack-entries` members of at most `zset-max-listpack-value`
//!   bytes (small sets are scanned linearly, as Redis does);
//! - `skiplist`: an order-statistic [`tree::Tree`] (O(log n) insert, delete,
//!   rank, select) plus a member → score [`Dict`] (O(1) ZSCORE, and ZSCAN's
//!   reverse-binary cursor).
//!
//! A set converts to `skiplist` as soon as it outgrows either threshold and
//! never converts back on its own (as Redis); stores (ZUNIONSTORE & co.)
//! choose the encoding for their final size. Everything here is pure: the
//! commands in `engine/commands/zset/` read the thresholds from the config.

pub mod tree;

use std::cmp::Ordering;

use bytes::Bytes;

use self::tree::{cmp_elem, Tree};
use crate::engine::dict::Dict;

/// The encoding thresholds (`zset-max-listpack-entries` / `-value`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most members a `listpack` set holds.
    pub max_entries: usize,
    /// Longest member (bytes) a `listpack` set holds.
    pub max_value: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entries: 128,
            max_value: 64,
        }
    }
}

/// The `skiplist` encoding: ordered elements plus the member index.
#[derive(Debug, Clone)]
pub struct Indexed {
    tree: Tree,
    dict: Dict<f64>,
}

/// Seed of the member dictionaries (their hashing need not be secret: the
/// keyspace dictionary protects the server; this only spreads buckets).
const DICT_SEED: u64 = 0x7a5e_7000_0000_0001;

impl Indexed {
    fn new() -> Indexed {
        Indexed {
            tree: Tree::new(),
            dict: Dict::new(DICT_SEED),
        }
    }
}

/// A sorted set value.
#[derive(Debug, Clone)]
pub enum ZSet {
    /// Small: `(score, member)` sorted by [`cmp_elem`].
    Listpack(Vec<(f64, Bytes)>),
    /// Large: tree + dictionary.
    Skiplist(Box<Indexed>),
}

impl Default for ZSet {
    fn default() -> Self {
        ZSet::Listpack(Vec::new())
    }
}

impl PartialEq for ZSet {
    /// Equal when they hold the same elements (whatever the encoding).
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.range(0, self.len()) == other.range(0, other.len())
    }
}

/// ZADD's condition flags (`NX`, `XX`, `GT`, `LT`, `INCR`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AddFlags {
    /// Only add new members.
    pub nx: bool,
    /// Only update existing members.
    pub xx: bool,
    /// Only update when the new score is greater.
    pub gt: bool,
    /// Only update when the new score is less.
    pub lt: bool,
    /// Add the score to the current one.
    pub incr: bool,
}

/// What [`ZSet::add`] did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AddResult {
    /// A new member, with this score.
    Added(f64),
    /// An existing member's score changed to this.
    Updated(f64),
    /// The member's score was already this (no change).
    Same(f64),
    /// Nothing happened (NX on an existing member, XX on a missing one,
    /// GT/LT refused).
    Nop,
    /// The resulting score would be NaN (INCR of `inf` by `-inf`).
    Nan,
}

/// One end of a score range (`(1.5`, `-inf`...).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreRange {
    /// Lower bound.
    pub min: f64,
    /// Upper bound.
    pub max: f64,
    /// Lower bound excluded.
    pub min_ex: bool,
    /// Upper bound excluded.
    pub max_ex: bool,
}

impl ScoreRange {
    /// Is `s` at or above the lower bound?
    pub fn gte_min(&self, s: f64) -> bool {
        if self.min_ex {
            s > self.min
        } else {
            s >= self.min
        }
    }

    /// Is `s` at or below the upper bound?
    pub fn lte_max(&self, s: f64) -> bool {
        if self.max_ex {
            s < self.max
        } else {
            s <= self.max
        }
    }

    /// Redis's `zslIsInRange` emptiness test: a range that can hold nothing.
    pub fn is_empty(&self) -> bool {
        self.min > self.max || (self.min == self.max && (self.min_ex || self.max_ex))
    }
}

/// One end of a lex range (`-`, `+`, `[a`, `(a`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LexBound {
    /// `-`: below everything.
    Min,
    /// `+`: above everything.
    Max,
    /// `[x`: inclusive.
    Incl(Bytes),
    /// `(x`: exclusive.
    Excl(Bytes),
}

/// A lex range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexRange {
    /// Lower end.
    pub min: LexBound,
    /// Upper end.
    pub max: LexBound,
}

impl LexRange {
    /// Is `m` at or above the lower end?
    pub fn gte_min(&self, m: &[u8]) -> bool {
        match &self.min {
            LexBound::Min => true,
            LexBound::Max => false,
            LexBound::Incl(b) => m >= &b[..],
            LexBound::Excl(b) => m > &b[..],
        }
    }

    /// Is `m` at or below the upper end?
    pub fn lte_max(&self, m: &[u8]) -> bool {
        match &self.max {
            LexBound::Min => false,
            LexBound::Max => true,
            LexBound::Incl(b) => m <= &b[..],
            LexBound::Excl(b) => m < &b[..],
        }
    }

    /// Redis's `zslIsInLexRange` emptiness test.
    pub fn is_empty(&self) -> bool {
        match (&self.min, &self.max) {
            (LexBound::Max, _) | (_, LexBound::Min) => true,
            (LexBound::Min, _) | (_, LexBound::Max) => false,
            (a, b) => {
                let (av, aex) = bound_bytes(a);
                let (bv, bex) = bound_bytes(b);
                match av.cmp(bv) {
                    Ordering::Greater => true,
                    Ordering::Equal => aex || bex,
                    Ordering::Less => false,
                }
            }
        }
    }
}

/// A score as the `listpack` encoding keeps it: Redis stores scores there
/// as text, and `-0` comes back as the integer 0 (the `skiplist` encoding
/// keeps the double's sign).
fn listpack_score(s: f64) -> f64 {
    if s == 0.0 {
        0.0
    } else {
        s
    }
}

fn bound_bytes(b: &LexBound) -> (&[u8], bool) {
    match b {
        LexBound::Incl(v) => (v, false),
        LexBound::Excl(v) => (v, true),
        LexBound::Min | LexBound::Max => (&[], false),
    }
}

impl ZSet {
    /// An empty `listpack` set.
    pub fn new() -> ZSet {
        ZSet::default()
    }

    /// An empty set encoded for an expected final `len` and longest member
    /// (Redis's choice when it builds a set whose size it knows).
    pub fn with_hint(len: usize, max_member_len: usize, limits: Limits) -> ZSet {
        if len <= limits.max_entries && max_member_len <= limits.max_value {
            ZSet::new()
        } else {
            ZSet::Skiplist(Box::new(Indexed::new()))
        }
    }

    /// `OBJECT ENCODING` name.
    pub fn encoding(&self) -> &'static str {
        match self {
            ZSet::Listpack(_) => "listpack",
            ZSet::Skiplist(_) => "skiplist",
        }
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        match self {
            ZSet::Listpack(v) => v.len(),
            ZSet::Skiplist(s) => s.tree.len(),
        }
    }

    /// True when empty (a stored zset never is).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The score of `member`.
    pub fn score(&self, member: &[u8]) -> Option<f64> {
        match self {
            ZSet::Listpack(v) => v.iter().find(|(_, m)| m == member).map(|(s, _)| *s),
            ZSet::Skiplist(s) => s.dict.get(member).copied(),
        }
    }

    /// Convert to `skiplist` (one-way).
    pub fn convert_to_skiplist(&mut self) {
        if let ZSet::Listpack(v) = self {
            let mut ix = Indexed::new();
            for (s, m) in std::mem::take(v) {
                ix.dict.insert(m.clone(), s);
                ix.tree.insert(s, m);
            }
            *self = ZSet::Skiplist(Box::new(ix));
        }
    }

    /// Convert a `skiplist` set back to `listpack` if it fits the limits
    /// (what Redis does to the result of a store command).
    pub fn shrink_if_fits(&mut self, limits: Limits) {
        if let ZSet::Skiplist(ix) = self {
            let fits = ix.tree.len() <= limits.max_entries
                && ix.dict.keys().all(|m| m.len() <= limits.max_value);
            if fits {
                let v = self.range(0, self.len());
                *self =
                    ZSet::Listpack(v.into_iter().map(|(m, s)| (listpack_score(s), m)).collect());
            }
        }
    }

    /// Insert a member known to be absent, converting the encoding first
    /// if the set would outgrow `listpack`.
    pub fn insert_new(&mut self, score: f64, member: Bytes, limits: Limits) {
        if let ZSet::Listpack(v) = self {
            if v.len() + 1 > limits.max_entries || member.len() > limits.max_value {
                self.convert_to_skiplist();
            }
        }
        match self {
            ZSet::Listpack(v) => {
                let score = listpack_score(score);
                let at =
                    v.partition_point(|(s, m)| cmp_elem(*s, m, score, &member) == Ordering::Less);
                v.insert(at, (score, member));
            }
            ZSet::Skiplist(ix) => {
                ix.dict.insert(member.clone(), score);
                ix.tree.insert(score, member);
            }
        }
    }

    /// Remove `member`; its score if it was there.
    pub fn remove(&mut self, member: &[u8]) -> Option<f64> {
        match self {
            ZSet::Listpack(v) => {
                let i = v.iter().position(|(_, m)| m == member)?;
                Some(v.remove(i).0)
            }
            ZSet::Skiplist(ix) => {
                let (_, s) = ix.dict.remove(member)?;
                ix.tree.remove(s, member);
                Some(s)
            }
        }
    }

    /// Change an existing member's score.
    fn rescore(&mut self, member: &[u8], old: f64, new: f64) {
        match self {
            ZSet::Listpack(v) => {
                if let Some(i) = v.iter().position(|(_, m)| m == member) {
                    let new = listpack_score(new);
                    let (_, m) = v.remove(i);
                    let at =
                        v.partition_point(|(s, mm)| cmp_elem(*s, mm, new, &m) == Ordering::Less);
                    v.insert(at, (new, m));
                }
            }
            ZSet::Skiplist(ix) => {
                if let Some((k, _)) = ix.dict.get_key_value(member) {
                    let k = k.clone();
                    ix.tree.remove(old, member);
                    ix.tree.insert(new, k.clone());
                    ix.dict.insert(k, new);
                }
            }
        }
    }

    /// ZADD of one pair under `flags` (Redis's `zsetAdd`).
    pub fn add(&mut self, score: f64, member: &[u8], flags: AddFlags, limits: Limits) -> AddResult {
        if score.is_nan() {
            return AddResult::Nan;
        }
        match self.score(member) {
            Some(cur) => {
                if flags.nx {
                    return AddResult::Nop;
                }
                let mut new = score;
                if flags.incr {
                    new += cur;
                    if new.is_nan() {
                        return AddResult::Nan;
                    }
                }
                if (flags.lt && new >= cur) || (flags.gt && new <= cur) {
                    return AddResult::Nop;
                }
                // C's `!=`: -0 and 0 are the same score, so no update.
                #[allow(clippy::float_cmp)]
                if new != cur {
                    self.rescore(member, cur, new);
                    AddResult::Updated(new)
                } else {
                    AddResult::Same(new)
                }
            }
            None if !flags.xx => {
                self.insert_new(score, Bytes::copy_from_slice(member), limits);
                AddResult::Added(score)
            }
            None => AddResult::Nop,
        }
    }

    /// 0-based rank of `member` in ascending order.
    pub fn rank(&self, member: &[u8]) -> Option<usize> {
        match self {
            ZSet::Listpack(v) => v.iter().position(|(_, m)| m == member),
            ZSet::Skiplist(ix) => {
                let s = *ix.dict.get(member)?;
                ix.tree.rank(s, member)
            }
        }
    }

    /// The element at rank `i`.
    pub fn get(&self, i: usize) -> Option<(Bytes, f64)> {
        match self {
            ZSet::Listpack(v) => v.get(i).map(|(s, m)| (m.clone(), *s)),
            ZSet::Skiplist(ix) => ix.tree.select(i).map(|(s, m)| (m.clone(), s)),
        }
    }

    /// Elements of ranks `start..end` (clamped), ascending.
    pub fn range(&self, start: usize, end: usize) -> Vec<(Bytes, f64)> {
        let end = end.min(self.len());
        if start >= end {
            return Vec::new();
        }
        match self {
            ZSet::Listpack(v) => v[start..end].iter().map(|(s, m)| (m.clone(), *s)).collect(),
            ZSet::Skiplist(ix) => {
                let mut out = Vec::with_capacity(end - start);
                ix.tree
                    .for_range(start, end, |s, m| out.push((m.clone(), s)));
                out
            }
        }
    }

    /// Remove ranks `start..end` (clamped), returning them ascending.
    pub fn remove_range(&mut self, start: usize, end: usize) -> Vec<(Bytes, f64)> {
        let end = end.min(self.len());
        if start >= end {
            return Vec::new();
        }
        match self {
            ZSet::Listpack(v) => v.drain(start..end).map(|(s, m)| (m, s)).collect(),
            ZSet::Skiplist(ix) => {
                let gone = ix.tree.remove_range(start, end);
                gone.into_iter()
                    .map(|(s, m)| {
                        ix.dict.remove(&m);
                        (m, s)
                    })
                    .collect()
            }
        }
    }

    /// How many leading elements satisfy `before` (true on a prefix).
    fn count_before(&self, before: impl Fn(f64, &[u8]) -> bool) -> usize {
        match self {
            ZSet::Listpack(v) => v.partition_point(|(s, m)| before(*s, m)),
            ZSet::Skiplist(ix) => ix.tree.count_before(before),
        }
    }

    /// Ranks `start..end` of the elements inside a score range.
    pub fn score_span(&self, r: &ScoreRange) -> (usize, usize) {
        if r.is_empty() {
            return (0, 0);
        }
        let start = self.count_before(|s, _| !r.gte_min(s));
        let end = self.count_before(|s, _| r.lte_max(s));
        (start, end.max(start))
    }

    /// Ranks `start..end` of the elements inside a lex range (meaningful
    /// when all scores are equal, as in Redis).
    pub fn lex_span(&self, r: &LexRange) -> (usize, usize) {
        if r.is_empty() {
            return (0, 0);
        }
        let start = self.count_before(|_, m| !r.gte_min(m));
        let end = self.count_before(|_, m| r.lte_max(m));
        (start, end.max(start))
    }

    /// Every element, ascending.
    pub fn to_vec(&self) -> Vec<(Bytes, f64)> {
        self.range(0, self.len())
    }

    /// ZSCAN step: `listpack` sets return everything with cursor 0;
    /// `skiplist` sets scan their dictionary with Redis's cursor.
    pub fn scan(&self, cursor: u64, count: usize, mut f: impl FnMut(&Bytes, f64)) -> u64 {
        match self {
            ZSet::Listpack(v) => {
                for (s, m) in v {
                    f(m, *s);
                }
                0
            }
            ZSet::Skiplist(ix) => ix.dict.scan(cursor, count, |m, s| f(m, *s)),
        }
    }

    /// What Redis's DEBUG DIGEST / DIGEST-VALUE hashes per element: the
    /// member bytes and the score as `%.17g` text (`-0` only survives in
    /// the `skiplist` encoding, as in Redis). The value digest is
    /// `mix(zero, type code 3 as big-endian u32)`, then for each element
    /// `e = mix(mix(zero, member), score_text)` XORed in as `xor(d, e)`
    /// (checked against redis-server 7.0.15: `ZADD z 1 a 2.5 b -0 c 0.1 d`
    /// has DIGEST-VALUE b15e1780adc0dc6606b1af9d71a6d6643850d286).
    pub fn digest_items(&self) -> impl Iterator<Item = (Bytes, String)> {
        self.to_vec()
            .into_iter()
            .map(|(m, s)| (m, crate::util::num::format_double(s)))
    }

    /// Longest member, in bytes.
    pub fn max_member_len(&self) -> usize {
        match self {
            ZSet::Listpack(v) => v.iter().map(|(_, m)| m.len()).max().unwrap_or(0),
            ZSet::Skiplist(ix) => ix.dict.keys().map(|m| m.len()).max().unwrap_or(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn b(s: &str) -> Bytes {
        Bytes::copy_from_slice(s.as_bytes())
    }

    #[test]
    fn converts_past_thresholds() {
        let lim = Limits {
            max_entries: 3,
            max_value: 4,
        };
        let mut z = ZSet::new();
        for (i, m) in ["a", "b", "c"].iter().enumerate() {
            z.insert_new(i as f64, b(m), lim);
        }
        assert_eq!(z.encoding(), "listpack");
        z.insert_new(9.0, b("d"), lim);
        assert_eq!(z.encoding(), "skiplist");
        let mut y = ZSet::new();
        y.insert_new(1.0, b("toolong"), lim);
        assert_eq!(y.encoding(), "skiplist");
        z.remove(b"d");
        assert_eq!(z.encoding(), "skiplist");
        z.shrink_if_fits(lim);
        assert_eq!(z.encoding(), "listpack");
        assert_eq!(z.rank(b"c"), Some(2));
    }

    #[test]
    fn add_flags_follow_zsetadd() {
        let lim = Limits::default();
        let mut z = ZSet::new();
        let f = AddFlags::default();
        assert_eq!(z.add(1.0, b"a", f, lim), AddResult::Added(1.0));
        assert_eq!(z.add(1.0, b"a", f, lim), AddResult::Same(1.0));
        assert_eq!(z.add(-0.0, b"z", f, lim), AddResult::Added(-0.0));
        assert_eq!(z.add(0.0, b"z", f, lim), AddResult::Same(0.0));
        let gt = AddFlags { gt: true, ..f };
        assert_eq!(z.add(0.5, b"a", gt, lim), AddResult::Nop);
        assert_eq!(z.add(2.0, b"a", gt, lim), AddResult::Updated(2.0));
        let incr = AddFlags { incr: true, ..f };
        assert_eq!(
            z.add(f64::INFINITY, b"a", incr, lim),
            AddResult::Updated(f64::INFINITY)
        );
        assert_eq!(z.add(f64::NEG_INFINITY, b"a", incr, lim), AddResult::Nan);
        let xx = AddFlags { xx: true, ..f };
        assert_eq!(z.add(1.0, b"new", xx, lim), AddResult::Nop);
        let nx = AddFlags { nx: true, ..f };
        assert_eq!(z.add(5.0, b"a", nx, lim), AddResult::Nop);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Add(i8, u8),
        Rem(u8),
        RemRange(u8, u8),
    }

    proptest! {
        /// Both encodings agree with a map model on every query.
        #[test]
        fn encodings_match_model(ops in proptest::collection::vec(prop_oneof![
            4 => (any::<i8>(), 0u8..40).prop_map(|(s, m)| Op::Add(s % 6, m)),
            2 => (0u8..40).prop_map(Op::Rem),
            1 => (0u8..20, 0u8..6).prop_map(|(a, n)| Op::RemRange(a, n)),
        ], 0..150), max_entries in 0usize..20) {
            let lim = Limits { max_entries, max_value: 64 };
            let mut z = ZSet::new();
            let mut model: BTreeMap<Vec<u8>, i8> = BTreeMap::new();
            let sorted = |m: &BTreeMap<Vec<u8>, i8>| {
                let mut v: Vec<(Bytes, f64)> = m.iter().map(|(k, s)| (Bytes::from(k.clone()), f64::from(*s))).collect();
                v.sort_by(|a, b| cmp_elem(a.1, &a.0, b.1, &b.0));
                v
            };
            for op in ops {
                match op {
                    Op::Add(s, m) => {
                        let key = format!("m{m}").into_bytes();
                        let r = z.add(f64::from(s), &key, AddFlags::default(), lim);
                        match model.insert(key, s) {
                            None => prop_assert_eq!(r, AddResult::Added(f64::from(s))),
                            Some(old) if old == s => prop_assert_eq!(r, AddResult::Same(f64::from(s))),
                            Some(_) => prop_assert_eq!(r, AddResult::Updated(f64::from(s))),
                        }
                    }
                    Op::Rem(m) => {
                        let key = format!("m{m}").into_bytes();
                        prop_assert_eq!(z.remove(&key), model.remove(&key).map(f64::from));
                    }
                    Op::RemRange(a, n) => {
                        let want: Vec<(Bytes, f64)> = sorted(&model).into_iter().skip(a.into()).take(n.into()).collect();
                        for (m, _) in &want { model.remove(&m[..]); }
                        prop_assert_eq!(z.remove_range(a.into(), usize::from(a) + usize::from(n)), want);
                    }
                }
                if z.len() > max_entries {
                    prop_assert_eq!(z.encoding(), "skiplist");
                }
            }
            let all = sorted(&model);
            prop_assert_eq!(z.to_vec(), all.clone());
            for (i, (m, s)) in all.iter().enumerate() {
                prop_assert_eq!(z.rank(m), Some(i));
                prop_assert_eq!(z.score(m), Some(*s));
                prop_assert_eq!(z.get(i), Some((m.clone(), *s)));
            }
            for lo in -7i8..7 {
                for hi in lo - 1..7 {
                    for (min_ex, max_ex) in [(false, false), (true, false), (false, true), (true, true)] {
                        let r = ScoreRange { min: lo.into(), max: hi.into(), min_ex, max_ex };
                        let (a, b) = z.score_span(&r);
                        let want: Vec<_> = all.iter().filter(|(_, s)| r.gte_min(*s) && r.lte_max(*s)).cloned().collect();
                        prop_assert_eq!(z.range(a, b), want);
                    }
                }
            }
            let mut seen = Vec::new();
            let mut cursor = 0;
            loop {
                cursor = z.scan(cursor, 3, |m, s| seen.push((m.clone(), s)));
                if cursor == 0 { break; }
            }
            seen.sort_by(|a, b| cmp_elem(a.1, &a.0, b.1, &b.0));
            seen.dedup();
            prop_assert_eq!(seen, all);
        }
    }
}
