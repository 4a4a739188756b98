//! The list type: a double-ended queue of byte strings with the index
//! arithmetic of Redis 7.0's list commands.
//!
//! Redis 7.0 stores every list as a quicklist (a linked list of listpacks of
//! at most `list-max-listpack-size` each) and `OBJECT ENCODING` answers
//! `quicklist` for all of them, however short: the `listpack` encoding for
//! small lists only arrived in Redis 7.2. The node layout is invisible to
//! every command, so the representation here is a ring buffer
//! ([`VecDeque`]): O(1) push and pop at both ends, O(1) indexing, and O(N)
//! middle insertion/removal exactly where Redis is O(N) too.
//!
//! Elements are stored byte for byte. Redis's listpack keeps canonical
//! integers as integers, but only strings that round-trip exactly (its
//! `string2ll` rules), so comparisons by bytes (LREM, LPOS, LINSERT) give the
//! same answers.
//!
//! The free functions [`pop`] and [`move_element`] are what the list
//! commands and the blocking commands (BLPOP, BLMOVE, BLMPOP) share.

use std::collections::VecDeque;

use bytes::Bytes;

/// An end of a list: LEFT is the head, RIGHT the tail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Where {
    /// The head (LEFT, index 0).
    Head,
    /// The tail (RIGHT, index -1).
    Tail,
}

impl Where {
    /// Parse Redis's `LEFT` / `RIGHT` argument (case-insensitive).
    pub fn parse(arg: &[u8]) -> Option<Where> {
        if arg.eq_ignore_ascii_case(b"left") {
            Some(Where::Head)
        } else if arg.eq_ignore_ascii_case(b"right") {
            Some(Where::Tail)
        } else {
            None
        }
    }

    /// The keyspace event a pop from this end publishes.
    pub fn pop_event(self) -> &'static str {
        match self {
            Where::Head => "lpop",
            Where::Tail => "rpop",
        }
    }

    /// The keyspace event a push to this end publishes.
    pub fn push_event(self) -> &'static str {
        match self {
            Where::Head => "lpush",
            Where::Tail => "rpush",
        }
    }
}

/// A list value. Never empty while stored in a database: commands delete
/// the key when they remove its last element, as Redis does.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct List {
    items: VecDeque<Bytes>,
}

/// LPOS options, already validated (see [`List::positions`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PosOptions {
    /// RANK: which match to start from; negative searches from the tail.
    /// Never zero (the command refuses it).
    pub rank: i64,
    /// COUNT: how many matches to return, 0 for all. `None` when the option
    /// was not given (the reply is then a single index or nil).
    pub count: Option<i64>,
    /// MAXLEN: compare at most this many elements, 0 for no limit.
    pub maxlen: i64,
}

impl Default for PosOptions {
    fn default() -> Self {
        PosOptions {
            rank: 1,
            count: None,
            maxlen: 0,
        }
    }
}

impl List {
    /// An empty list (to be filled before it is stored).
    pub fn new() -> List {
        List::default()
    }

    /// `OBJECT ENCODING` name: always `quicklist` in Redis 7.0.
    pub fn encoding(&self) -> &'static str {
        "quicklist"
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when there are no elements.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The elements from head to tail.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Bytes> + ExactSizeIterator {
        self.items.iter()
    }

    /// Add `value` at `end`.
    pub fn push(&mut self, end: Where, value: Bytes) {
        match end {
            Where::Head => self.items.push_front(value),
            Where::Tail => self.items.push_back(value),
        }
    }

    /// Remove and return the element at `end`.
    pub fn pop(&mut self, end: Where) -> Option<Bytes> {
        match end {
            Where::Head => self.items.pop_front(),
            Where::Tail => self.items.pop_back(),
        }
    }

    /// Position of Redis index `index` (negative counts from the tail),
    /// if it is inside the list.
    fn resolve(&self, index: i64) -> Option<usize> {
        let len = self.items.len() as i64;
        let i = if index < 0 {
            len.checked_add(index)?
        } else {
            index
        };
        (0..len).contains(&i).then_some(i as usize)
    }

    /// The element at Redis index `index` (LINDEX).
    pub fn get(&self, index: i64) -> Option<&Bytes> {
        self.items.get(self.resolve(index)?)
    }

    /// Replace the element at Redis index `index` (LSET); false when the
    /// index is out of range.
    pub fn set(&mut self, index: i64, value: Bytes) -> bool {
        match self.resolve(index).and_then(|i| self.items.get_mut(i)) {
            Some(slot) => {
                *slot = value;
                true
            }
            None => false,
        }
    }

    /// The positions `start..=end` select after Redis's LRANGE/LTRIM
    /// normalisation (negative from the tail, clamped to the list), or
    /// `None` for an empty selection.
    pub fn normalize_range(&self, start: i64, end: i64) -> Option<(usize, usize)> {
        let len = self.items.len() as i64;
        let mut start = if start < 0 {
            len.saturating_add(start)
        } else {
            start
        };
        let mut end = if end < 0 {
            len.saturating_add(end)
        } else {
            end
        };
        if start < 0 {
            start = 0;
        }
        if start > end || start >= len {
            return None;
        }
        if end >= len {
            end = len - 1;
        }
        Some((start as usize, end as usize))
    }

    /// The elements LRANGE `start` `end` returns.
    pub fn range(&self, start: i64, end: i64) -> Vec<Bytes> {
        match self.normalize_range(start, end) {
            Some((s, e)) => self.items.range(s..=e).cloned().collect(),
            None => Vec::new(),
        }
    }

    /// LTRIM: keep only `start..=end` (Redis indices); returns how many
    /// elements were removed. An empty selection empties the list.
    pub fn trim(&mut self, start: i64, end: i64) -> usize {
        let len = self.items.len();
        match self.normalize_range(start, end) {
            Some((s, e)) => {
                self.items.truncate(e + 1);
                self.items.drain(..s);
                len - self.items.len()
            }
            None => {
                self.items.clear();
                len
            }
        }
    }

    /// LINSERT: put `value` before (`Where::Head`) or after (`Where::Tail`)
    /// the first element equal to `pivot`, searching from the head. Returns
    /// false when there is no such element.
    pub fn insert(&mut self, side: Where, pivot: &[u8], value: Bytes) -> bool {
        let Some(at) = self.items.iter().position(|x| x[..] == *pivot) else {
            return false;
        };
        let at = match side {
            Where::Head => at,
            Where::Tail => at + 1,
        };
        self.items.insert(at, value);
        true
    }

    /// LREM: remove elements equal to `value`: the first `count` from the
    /// head when positive, the last `|count|` from the tail when negative,
    /// all when zero. Returns how many were removed.
    pub fn remove(&mut self, count: i64, value: &[u8]) -> usize {
        let limit = match count.unsigned_abs() {
            0 => usize::MAX,
            n => usize::try_from(n).unwrap_or(usize::MAX),
        };
        let mut removed = 0usize;
        if count >= 0 {
            self.items.retain(|x| {
                if removed < limit && x[..] == *value {
                    removed += 1;
                    false
                } else {
                    true
                }
            });
        } else {
            // Mark from the tail, then drop the marked positions in one pass.
            let mut doomed = vec![false; self.items.len()];
            for (i, x) in self.items.iter().enumerate().rev() {
                if removed == limit {
                    break;
                }
                if x[..] == *value {
                    doomed[i] = true;
                    removed += 1;
                }
            }
            let mut i = 0;
            self.items.retain(|_| {
                let keep = !doomed[i];
                i += 1;
                keep
            });
        }
        removed
    }

    /// LPOS: indexes (from the head) of the elements equal to `value`, as
    /// Redis 7.0 selects them: skip the first `rank - 1` matches (scanning
    /// from the tail for a negative rank), stop after `count` (0: all) and
    /// after comparing `maxlen` elements (0: all). Without COUNT at most one
    /// index is returned.
    ///
    /// Redis negates a negative rank and computes `matches - rank + 1` in C
    /// `long`s; for RANK -9223372036854775808 both wrap, so every match
    /// qualifies and COUNT never stops the scan. The same wrapping
    /// arithmetic is used here so that corner answers identically.
    pub fn positions(&self, value: &[u8], opts: PosOptions) -> Vec<usize> {
        let from_tail = opts.rank < 0;
        let rank = if from_tail {
            opts.rank.wrapping_neg()
        } else {
            opts.rank
        };
        let len = self.items.len();
        let mut out = Vec::new();
        let mut matches: i64 = 0;
        let limit = if opts.maxlen > 0 {
            usize::try_from(opts.maxlen).unwrap_or(usize::MAX)
        } else {
            usize::MAX
        };
        let order: Box<dyn Iterator<Item = (usize, &Bytes)>> = if from_tail {
            Box::new(self.items.iter().enumerate().rev())
        } else {
            Box::new(self.items.iter().enumerate())
        };
        for (pos, x) in order.take(limit) {
            debug_assert!(pos < len);
            if x[..] != *value {
                continue;
            }
            matches += 1;
            if matches < rank {
                continue;
            }
            out.push(pos);
            match opts.count {
                None => break,
                Some(count) => {
                    let found = matches.wrapping_sub(rank).wrapping_add(1);
                    if count != 0 && found >= count {
                        break;
                    }
                }
            }
        }
        out
    }
}

impl FromIterator<Bytes> for List {
    fn from_iter<I: IntoIterator<Item = Bytes>>(iter: I) -> Self {
        List {
            items: iter.into_iter().collect(),
        }
    }
}

/// Pop up to `count` elements from `end` of `list`, in pop order (for the
/// tail: last element first), as LPOP/RPOP with COUNT, LMPOP and BLMPOP
/// reply them. `count` 0 pops nothing.
pub fn pop(list: &mut List, end: Where, count: usize) -> Vec<Bytes> {
    let n = count.min(list.len());
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        match list.pop(end) {
            Some(x) => out.push(x),
            None => break,
        }
    }
    out
}

/// The LMOVE / RPOPLPUSH / BLMOVE data step between two distinct lists: pop
/// from `from` of `src`, push at `to` of `dst`, and return the moved
/// element (`None` when `src` is empty). For a source that is also the
/// destination, use [`rotate`]. Keyspace bookkeeping (creating the
/// destination, deleting an emptied source, events) is the caller's: see
/// `engine::commands::list::move_between_keys`.
pub fn move_element(src: &mut List, dst: &mut List, from: Where, to: Where) -> Option<Bytes> {
    let value = src.pop(from)?;
    dst.push(to, value.clone());
    Some(value)
}

/// LMOVE with the same key as source and destination: pop at `from`, push
/// back at `to` (a rotation when the ends differ), returning the element.
pub fn rotate(list: &mut List, from: Where, to: Where) -> Option<Bytes> {
    let value = list.pop(from)?;
    list.push(to, value.clone());
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn list(items: &[&str]) -> List {
        items
            .iter()
            .map(|s| Bytes::copy_from_slice(s.as_bytes()))
            .collect()
    }

    fn strs(v: &[Bytes]) -> Vec<String> {
        v.iter()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .collect()
    }

    fn all(l: &List) -> Vec<String> {
        l.iter()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .collect()
    }

    #[test]
    fn push_pop_both_ends() {
        let mut l = List::new();
        l.push(Where::Tail, Bytes::from_static(b"b"));
        l.push(Where::Head, Bytes::from_static(b"a"));
        l.push(Where::Tail, Bytes::from_static(b"c"));
        assert_eq!(all(&l), ["a", "b", "c"]);
        assert_eq!(l.pop(Where::Tail).as_deref(), Some(&b"c"[..]));
        assert_eq!(l.pop(Where::Head).as_deref(), Some(&b"a"[..]));
        assert_eq!(l.len(), 1);
        assert_eq!(l.encoding(), "quicklist");
    }

    #[test]
    fn indexes_count_from_either_end() {
        let mut l = list(&["a", "b", "c"]);
        assert_eq!(l.get(0).map(|b| &b[..]), Some(&b"a"[..]));
        assert_eq!(l.get(-1).map(|b| &b[..]), Some(&b"c"[..]));
        assert_eq!(l.get(-3).map(|b| &b[..]), Some(&b"a"[..]));
        assert!(l.get(3).is_none());
        assert!(l.get(-4).is_none());
        assert!(l.get(i64::MIN).is_none());
        assert!(l.get(i64::MAX).is_none());
        assert!(l.set(-2, Bytes::from_static(b"x")));
        assert!(!l.set(3, Bytes::from_static(b"x")));
        assert_eq!(all(&l), ["a", "x", "c"]);
    }

    #[test]
    fn ranges_and_trims_as_redis() {
        let l = list(&["a", "b", "c", "d"]);
        assert_eq!(strs(&l.range(0, -1)), ["a", "b", "c", "d"]);
        assert_eq!(strs(&l.range(-100, 100)), ["a", "b", "c", "d"]);
        assert_eq!(strs(&l.range(i64::MIN, i64::MAX)), ["a", "b", "c", "d"]);
        assert_eq!(strs(&l.range(1, 2)), ["b", "c"]);
        assert!(l.range(3, 2).is_empty());
        assert!(l.range(4, 10).is_empty());
        assert!(l.range(-100, -50).is_empty());
        let mut t = l.clone();
        assert_eq!(t.trim(1, -2), 2);
        assert_eq!(all(&t), ["b", "c"]);
        let mut t = l.clone();
        assert_eq!(t.trim(5, 1), 4);
        assert!(t.is_empty());
    }

    #[test]
    fn insert_before_and_after_first_pivot() {
        let mut l = list(&["a", "p", "p"]);
        assert!(l.insert(Where::Head, b"p", Bytes::from_static(b"x")));
        assert!(l.insert(Where::Tail, b"p", Bytes::from_static(b"y")));
        assert!(!l.insert(Where::Tail, b"zz", Bytes::from_static(b"y")));
        assert_eq!(all(&l), ["a", "x", "p", "y", "p"]);
    }

    #[test]
    fn remove_by_direction_and_count() {
        let base = list(&["a", "b", "a", "c", "a"]);
        let mut l = base.clone();
        assert_eq!(l.remove(2, b"a"), 2);
        assert_eq!(all(&l), ["b", "c", "a"]);
        let mut l = base.clone();
        assert_eq!(l.remove(-2, b"a"), 2);
        assert_eq!(all(&l), ["a", "b", "c"]);
        let mut l = base.clone();
        assert_eq!(l.remove(0, b"a"), 3);
        assert_eq!(all(&l), ["b", "c"]);
        let mut l = base.clone();
        assert_eq!(l.remove(i64::MIN, b"a"), 3);
        assert_eq!(l.remove(1, b"zz"), 0);
    }

    #[test]
    fn positions_follow_redis_including_rank_min() {
        // Expectations from redis-server 7.0.15 for the list a b c a b c a.
        let l = list(&["a", "b", "c", "a", "b", "c", "a"]);
        let o = |rank, count, maxlen| PosOptions {
            rank,
            count,
            maxlen,
        };
        assert_eq!(l.positions(b"a", o(1, None, 0)), [0]);
        assert_eq!(l.positions(b"a", o(-1, None, 0)), [6]);
        assert_eq!(l.positions(b"a", o(-1, Some(0), 0)), [6, 3, 0]);
        assert_eq!(l.positions(b"a", o(2, Some(2), 5)), [3]);
        assert!(l.positions(b"a", o(-2, None, 3)).is_empty());
        assert_eq!(l.positions(b"a", o(-2, None, 4)), [3]);
        assert_eq!(l.positions(b"a", o(i64::MIN, None, 0)), [6]);
        assert_eq!(l.positions(b"a", o(i64::MIN, Some(1), 0)), [6, 3, 0]);
        assert!(l.positions(b"a", o(-i64::MAX, Some(1), 0)).is_empty());
        assert!(l.positions(b"a", o(i64::MAX, None, 0)).is_empty());
        assert!(l.positions(b"z", o(1, Some(1), 0)).is_empty());
    }

    #[test]
    fn pop_many_and_moves() {
        let mut l = list(&["a", "b", "c"]);
        assert_eq!(strs(&pop(&mut l, Where::Tail, 2)), ["c", "b"]);
        assert_eq!(strs(&pop(&mut l, Where::Head, 10)), ["a"]);
        assert!(pop(&mut l, Where::Head, 10).is_empty());
        let mut src = list(&["a", "b"]);
        let mut dst = list(&["x"]);
        let v = move_element(&mut src, &mut dst, Where::Tail, Where::Head);
        assert_eq!(v.as_deref(), Some(&b"b"[..]));
        assert_eq!(all(&dst), ["b", "x"]);
        let mut one = list(&["a", "b", "c"]);
        assert_eq!(
            rotate(&mut one, Where::Head, Where::Tail).as_deref(),
            Some(&b"a"[..])
        );
        assert_eq!(all(&one), ["b", "c", "a"]);
        let mut empty = List::new();
        assert!(rotate(&mut empty, Where::Head, Where::Tail).is_none());
        assert!(move_element(&mut empty, &mut one, Where::Head, Where::Tail).is_none());
    }

    /// One step of a random workload.
    #[derive(Debug, Clone)]
    enum Op {
        Push(bool, u8),
        Pop(bool),
        Set(i64, u8),
        Trim(i64, i64),
        Insert(bool, u8, u8),
        Remove(i64, u8),
    }

    fn op() -> impl Strategy<Value = Op> {
        let idx = prop_oneof![-12i64..12, any::<i64>()];
        prop_oneof![
            (any::<bool>(), 0u8..4).prop_map(|(h, v)| Op::Push(h, v)),
            any::<bool>().prop_map(Op::Pop),
            (idx.clone(), 0u8..4).prop_map(|(i, v)| Op::Set(i, v)),
            (idx.clone(), idx.clone()).prop_map(|(a, b)| Op::Trim(a, b)),
            (any::<bool>(), 0u8..4, 0u8..4).prop_map(|(a, p, v)| Op::Insert(a, p, v)),
            (idx, 0u8..4).prop_map(|(c, v)| Op::Remove(c, v)),
        ]
    }

    /// Redis index → model position.
    fn model_index(len: usize, i: i64) -> Option<usize> {
        let len = len as i128;
        let i = i128::from(i);
        let i = if i < 0 { len + i } else { i };
        (0..len).contains(&i).then_some(i as usize)
    }

    proptest! {
        /// The deque agrees with a plain Vec model using wide arithmetic.
        #[test]
        fn matches_vec_model(ops in proptest::collection::vec(op(), 0..60)) {
            let mut l = List::new();
            let mut m: Vec<u8> = Vec::new();
            let b = |v: u8| Bytes::copy_from_slice(&[b'a' + v]);
            for op in ops {
                match op {
                    Op::Push(head, v) => {
                        if head { l.push(Where::Head, b(v)); m.insert(0, v); }
                        else { l.push(Where::Tail, b(v)); m.push(v); }
                    }
                    Op::Pop(head) => {
                        let got = l.pop(if head { Where::Head } else { Where::Tail });
                        let want = if head { (!m.is_empty()).then(|| m.remove(0)) } else { m.pop() };
                        prop_assert_eq!(got, want.map(b));
                    }
                    Op::Set(i, v) => {
                        let want = model_index(m.len(), i);
                        prop_assert_eq!(l.set(i, b(v)), want.is_some());
                        if let Some(p) = want { m[p] = v; }
                    }
                    Op::Trim(s, e) => {
                        let len = m.len() as i128;
                        let (s, e) = (i128::from(s), i128::from(e));
                        let s2 = (if s < 0 { len + s } else { s }).max(0);
                        let e2 = if e < 0 { len + e } else { e };
                        let keep: Vec<u8> = if s2 > e2 || s2 >= len { Vec::new() } else {
                            m[s2 as usize..=(e2.min(len - 1)) as usize].to_vec()
                        };
                        let removed = m.len() - keep.len();
                        prop_assert_eq!(l.trim(s as i64, e as i64), removed);
                        m = keep;
                    }
                    Op::Insert(after, p, v) => {
                        let pos = m.iter().position(|&x| x == p);
                        let side = if after { Where::Tail } else { Where::Head };
                        prop_assert_eq!(l.insert(side, &[b'a' + p], b(v)), pos.is_some());
                        if let Some(p) = pos { m.insert(if after { p + 1 } else { p }, v); }
                    }
                    Op::Remove(c, v) => {
                        let limit = if c == 0 { usize::MAX } else { c.unsigned_abs() as usize };
                        let mut removed = 0;
                        if c >= 0 {
                            let mut out = Vec::new();
                            for &x in &m { if x == v && removed < limit { removed += 1; } else { out.push(x); } }
                            m = out;
                        } else {
                            let mut out = Vec::new();
                            for &x in m.iter().rev() { if x == v && removed < limit { removed += 1; } else { out.push(x); } }
                            out.reverse();
                            m = out;
                        }
                        prop_assert_eq!(l.remove(c, &[b'a' + v]), removed);
                    }
                }
                let got: Vec<u8> = l.iter().map(|x| x[0] - b'a').collect();
                prop_assert_eq!(&got, &m);
            }
        }

        /// LPOS agrees with a direct model of "the rank-th match onwards".
        #[test]
        fn positions_match_model(
            items in proptest::collection::vec(0u8..3, 0..30),
            rank in prop_oneof![-5i64..=-1, 1i64..=5],
            count in proptest::option::of(0i64..4),
            maxlen in 0i64..35,
            v in 0u8..3,
        ) {
            let l: List = items.iter().map(|&x| Bytes::copy_from_slice(&[x])).collect();
            let scanned: Vec<usize> = if rank > 0 {
                (0..items.len()).collect()
            } else {
                (0..items.len()).rev().collect()
            };
            let limit = if maxlen == 0 { usize::MAX } else { maxlen as usize };
            let hits: Vec<usize> = scanned.into_iter().take(limit).filter(|&i| items[i] == v).collect();
            let skip = (rank.unsigned_abs() - 1) as usize;
            let want: Vec<usize> = match count {
                None => hits.into_iter().skip(skip).take(1).collect(),
                Some(0) => hits.into_iter().skip(skip).collect(),
                Some(c) => hits.into_iter().skip(skip).take(c as usize).collect(),
            };
            prop_assert_eq!(l.positions(&[v], PosOptions { rank, count, maxlen }), want);
        }
    }
}
