//! The order-statistic tree behind the `skiplist` encoding: a treap whose
//! nodes carry their subtree size, so insert, delete, rank and select are
//! O(log n) expected, like Redis's skiplist with spans.
//!
//! Nodes live in an arena (`Vec<Node>`, indices instead of pointers, a free
//! list for reuse) so the structure needs no `unsafe` and clones cheaply.
//! Priorities come from a private xorshift generator: deterministic, and
//! invisible to clients, who therefore cannot build a degenerate tree.

use std::cmp::Ordering;

use bytes::Bytes;

/// "No node".
const NIL: u32 = u32::MAX;

/// One element.
#[derive(Debug, Clone)]
struct Node {
    score: f64,
    member: Bytes,
    left: u32,
    right: u32,
    /// Elements in the subtree rooted here (itself included).
    size: u32,
    /// Heap priority: a parent's is never below its children's.
    prio: u32,
}

/// The order of a sorted set: by score, then member bytes.
pub fn cmp_elem(a_score: f64, a_member: &[u8], b_score: f64, b_member: &[u8]) -> Ordering {
    // Scores are never NaN (refused at the door), so partial_cmp is total;
    // -0 and 0 compare equal, as C's `<` makes them in Redis.
    match a_score.partial_cmp(&b_score) {
        Some(Ordering::Equal) | None => a_member.cmp(b_member),
        Some(o) => o,
    }
}

/// A sequence of `(score, member)` kept in sorted-set order, with ranks.
#[derive(Debug, Clone)]
pub struct Tree {
    nodes: Vec<Node>,
    root: u32,
    free: Vec<u32>,
    rng: u64,
}

impl Default for Tree {
    fn default() -> Self {
        Tree::new()
    }
}

impl Tree {
    /// An empty tree.
    pub fn new() -> Tree {
        Tree {
            nodes: Vec::new(),
            root: NIL,
            free: Vec::new(),
            rng: 0x2545_f491_4f6c_dd1d,
        }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.size(self.root) as usize
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.root == NIL
    }

    fn size(&self, n: u32) -> u32 {
        if n == NIL {
            0
        } else {
            self.nodes[n as usize].size
        }
    }

    fn fix(&mut self, n: u32) {
        let (l, r) = {
            let node = &self.nodes[n as usize];
            (node.left, node.right)
        };
        let s = 1 + self.size(l) + self.size(r);
        self.nodes[n as usize].size = s;
    }

    fn next_prio(&mut self) -> u32 {
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng = x;
        (x >> 32) as u32
    }

    fn alloc(&mut self, score: f64, member: Bytes) -> u32 {
        let prio = self.next_prio();
        let node = Node {
            score,
            member,
            left: NIL,
            right: NIL,
            size: 1,
            prio,
        };
        match self.free.pop() {
            Some(i) => {
                self.nodes[i as usize] = node;
                i
            }
            None => {
                self.nodes.push(node);
                (self.nodes.len() - 1) as u32
            }
        }
    }

    fn release(&mut self, n: u32) -> (f64, Bytes) {
        let node = &mut self.nodes[n as usize];
        let member = std::mem::take(&mut node.member);
        node.left = NIL;
        node.right = NIL;
        self.free.push(n);
        (node.score, member)
    }

    /// Split `t` into (nodes for which `before` holds, the rest); `before`
    /// must be monotonic along the order (true then false).
    fn split_by(&mut self, t: u32, before: &impl Fn(f64, &[u8]) -> bool) -> (u32, u32) {
        if t == NIL {
            return (NIL, NIL);
        }
        let node = &self.nodes[t as usize];
        if before(node.score, &node.member) {
            let right = node.right;
            let (a, b) = self.split_by(right, before);
            self.nodes[t as usize].right = a;
            self.fix(t);
            (t, b)
        } else {
            let left = node.left;
            let (a, b) = self.split_by(left, before);
            self.nodes[t as usize].left = b;
            self.fix(t);
            (a, t)
        }
    }

    /// Split `t` into its first `k` elements and the rest.
    fn split_at(&mut self, t: u32, k: u32) -> (u32, u32) {
        if t == NIL {
            return (NIL, NIL);
        }
        let left = self.nodes[t as usize].left;
        let ls = self.size(left);
        if k <= ls {
            let (a, b) = self.split_at(left, k);
            self.nodes[t as usize].left = b;
            self.fix(t);
            (a, t)
        } else {
            let right = self.nodes[t as usize].right;
            let (a, b) = self.split_at(right, k - ls - 1);
            self.nodes[t as usize].right = a;
            self.fix(t);
            (t, b)
        }
    }

    /// Join two trees where every element of `a` precedes every one of `b`.
    fn merge(&mut self, a: u32, b: u32) -> u32 {
        if a == NIL {
            return b;
        }
        if b == NIL {
            return a;
        }
        if self.nodes[a as usize].prio >= self.nodes[b as usize].prio {
            let ar = self.nodes[a as usize].right;
            let m = self.merge(ar, b);
            self.nodes[a as usize].right = m;
            self.fix(a);
            a
        } else {
            let bl = self.nodes[b as usize].left;
            let m = self.merge(a, bl);
            self.nodes[b as usize].left = m;
            self.fix(b);
            b
        }
    }

    /// Insert an element; the caller guarantees the member is not present.
    pub fn insert(&mut self, score: f64, member: Bytes) {
        let (l, r) = self.split_by(self.root, &|s, m| {
            cmp_elem(s, m, score, &member) == Ordering::Less
        });
        let n = self.alloc(score, member);
        let l = self.merge(l, n);
        self.root = self.merge(l, r);
    }

    /// Remove the element `(score, member)`; true if it was there.
    pub fn remove(&mut self, score: f64, member: &[u8]) -> bool {
        let (l, r) = self.split_by(self.root, &|s, m| {
            cmp_elem(s, m, score, member) == Ordering::Less
        });
        let (mid, r) = self.split_by(r, &|s, m| {
            cmp_elem(s, m, score, member) != Ordering::Greater
        });
        let found = mid != NIL;
        if found {
            // `mid` holds exactly the one equal element.
            self.release(mid);
        }
        self.root = self.merge(l, r);
        found
    }

    /// How many elements satisfy `before` (monotonic: true on a prefix).
    pub fn count_before(&self, before: impl Fn(f64, &[u8]) -> bool) -> usize {
        let mut n = self.root;
        let mut count = 0usize;
        while n != NIL {
            let node = &self.nodes[n as usize];
            if before(node.score, &node.member) {
                count += self.size(node.left) as usize + 1;
                n = node.right;
            } else {
                n = node.left;
            }
        }
        count
    }

    /// 0-based rank of `(score, member)` if present.
    pub fn rank(&self, score: f64, member: &[u8]) -> Option<usize> {
        let mut n = self.root;
        let mut before = 0usize;
        while n != NIL {
            let node = &self.nodes[n as usize];
            match cmp_elem(node.score, &node.member, score, member) {
                Ordering::Less => {
                    before += self.size(node.left) as usize + 1;
                    n = node.right;
                }
                Ordering::Greater => n = node.left,
                Ordering::Equal => return Some(before + self.size(node.left) as usize),
            }
        }
        None
    }

    /// The element at 0-based rank `i`.
    pub fn select(&self, i: usize) -> Option<(f64, &Bytes)> {
        let mut n = self.root;
        let mut i = i;
        while n != NIL {
            let node = &self.nodes[n as usize];
            let ls = self.size(node.left) as usize;
            match i.cmp(&ls) {
                Ordering::Less => n = node.left,
                Ordering::Equal => return Some((node.score, &node.member)),
                Ordering::Greater => {
                    i -= ls + 1;
                    n = node.right;
                }
            }
        }
        None
    }

    /// Call `f` on the elements of ranks `start..end` in order.
    pub fn for_range(&self, start: usize, end: usize, mut f: impl FnMut(f64, &Bytes)) {
        self.walk(self.root, 0, start, end, &mut f);
    }

    /// In-order visit of the part of subtree `n` (whose first element has
    /// rank `offset`) that intersects `start..end`.
    fn walk(
        &self,
        n: u32,
        offset: usize,
        start: usize,
        end: usize,
        f: &mut impl FnMut(f64, &Bytes),
    ) {
        if n == NIL || start >= end {
            return;
        }
        let node = &self.nodes[n as usize];
        let ls = self.size(node.left) as usize;
        let here = offset + ls;
        let total = offset + node.size as usize;
        if end <= offset || start >= total {
            return;
        }
        if start < here {
            self.walk(node.left, offset, start, end, f);
        }
        if start <= here && here < end {
            f(node.score, &node.member);
        }
        if end > here + 1 {
            self.walk(node.right, here + 1, start, end, f);
        }
    }

    /// Remove the elements of ranks `start..end`, returning them in order.
    pub fn remove_range(&mut self, start: usize, end: usize) -> Vec<(f64, Bytes)> {
        let len = self.len();
        let end = end.min(len);
        if start >= end {
            return Vec::new();
        }
        let (l, r) = self.split_at(self.root, start as u32);
        let (mid, r) = self.split_at(r, (end - start) as u32);
        let mut out = Vec::with_capacity(end - start);
        self.drain(mid, &mut out);
        self.root = self.merge(l, r);
        out
    }

    /// Free subtree `n`, pushing its elements in order.
    fn drain(&mut self, n: u32, out: &mut Vec<(f64, Bytes)>) {
        if n == NIL {
            return;
        }
        let (l, r) = {
            let node = &self.nodes[n as usize];
            (node.left, node.right)
        };
        self.drain(l, out);
        out.push(self.release(n));
        self.drain(r, out);
    }

    /// Check the structure's invariants (tests).
    #[cfg(test)]
    pub fn check(&self) {
        fn go(t: &Tree, n: u32) -> u32 {
            if n == NIL {
                return 0;
            }
            let node = &t.nodes[n as usize];
            for c in [node.left, node.right] {
                if c != NIL {
                    assert!(t.nodes[c as usize].prio <= node.prio);
                }
            }
            let s = 1 + go(t, node.left) + go(t, node.right);
            assert_eq!(s, node.size);
            s
        }
        go(self, self.root);
        let mut prev: Option<(f64, Bytes)> = None;
        self.for_range(0, self.len(), |s, m| {
            if let Some((ps, pm)) = &prev {
                assert_eq!(cmp_elem(*ps, pm, s, m), Ordering::Less);
            }
            prev = Some((s, m.clone()));
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    /// A model key with the same order: scores are small integers here.
    type Key = (i64, Vec<u8>);

    #[derive(Debug, Clone)]
    enum Op {
        Insert(i64, Vec<u8>),
        Remove(usize),
        RemoveRange(usize, usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (-5i64..5, proptest::collection::vec(b'a'..b'e', 0..3)).prop_map(|(s, m)| Op::Insert(s, m)),
            2 => (0usize..64).prop_map(Op::Remove),
            1 => (0usize..40, 0usize..8).prop_map(|(a, n)| Op::RemoveRange(a, a + n)),
        ]
    }

    proptest! {
        #[test]
        fn matches_btreeset(ops in proptest::collection::vec(op(), 0..200)) {
            let mut t = Tree::new();
            let mut model: BTreeSet<Key> = BTreeSet::new();
            // Members are unique in a zset: the model tracks them.
            for o in ops {
                match o {
                    Op::Insert(s, m) => {
                        if model.iter().any(|(_, mm)| *mm == m) {
                            continue;
                        }
                        model.insert((s, m.clone()));
                        t.insert(s as f64, Bytes::from(m));
                    }
                    Op::Remove(i) => {
                        if model.is_empty() { continue; }
                        let k = model.iter().nth(i % model.len()).unwrap().clone();
                        model.remove(&k);
                        prop_assert!(t.remove(k.0 as f64, &k.1));
                        prop_assert!(!t.remove(k.0 as f64, &k.1));
                    }
                    Op::RemoveRange(a, b) => {
                        let want: Vec<Key> = model.iter().skip(a).take(b.saturating_sub(a)).cloned().collect();
                        for k in &want { model.remove(k); }
                        let got: Vec<Key> = t.remove_range(a, b).into_iter().map(|(s, m)| (s as i64, m.to_vec())).collect();
                        prop_assert_eq!(got, want);
                    }
                }
                t.check();
                prop_assert_eq!(t.len(), model.len());
            }
            let all: Vec<Key> = model.iter().cloned().collect();
            for (i, k) in all.iter().enumerate() {
                prop_assert_eq!(t.rank(k.0 as f64, &k.1), Some(i));
                let (s, m) = t.select(i).unwrap();
                prop_assert_eq!((s as i64, m.to_vec()), k.clone());
                let below = t.count_before(|s, _| s < k.0 as f64);
                prop_assert_eq!(below, all.iter().filter(|x| x.0 < k.0).count());
            }
            prop_assert!(t.select(all.len()).is_none());
            prop_assert_eq!(t.rank(99.0, b"zz"), None);
            for a in 0..all.len() + 2 {
                for b in a..all.len() + 3 {
                    let mut got = Vec::new();
                    t.for_range(a, b, |s, m| got.push((s as i64, m.to_vec())));
                    let want: Vec<Key> = all.iter().skip(a).take(b - a).cloned().collect();
                    prop_assert_eq!(got, want);
                }
            }
        }
    }

    #[test]
    fn large_sequential_inserts_stay_shallow() {
        let mut t = Tree::new();
        for i in 0..100_000 {
            t.insert(i as f64, Bytes::from(format!("m{i}")));
        }
        assert_eq!(t.len(), 100_000);
        assert_eq!(t.rank(5000.0, b"m5000"), Some(5000));
        assert_eq!(t.select(99_999).map(|(s, _)| s), Some(99_999.0));
        let removed = t.remove_range(10, 20);
        assert_eq!(removed.len(), 10);
        assert_eq!(t.select(10).map(|(s, _)| s), Some(20.0));
    }
}
