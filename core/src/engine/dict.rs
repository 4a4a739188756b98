//! The hash table behind the keyspace: chained buckets, power-of-two sizes,
//! incremental rehashing and Redis's reverse-binary SCAN cursor.
//!
//! Why our own table: SCAN promises that every key present for the whole
//! iteration is returned at least once, even when the table grows or shrinks
//! between calls. That promise needs a key to live in exactly one bucket,
//! `hash & mask`, so a cursor over bucket indices stays meaningful across
//! resizes. Open-addressing tables (hashbrown) cannot give that.
//!
//! Layout: two bucket arrays (`ht[0]`, and `ht[1]` while a resize is in
//! progress). A resize allocates `ht[1]` and then moves a few buckets per
//! write operation (and per [`Dict::rehash_steps`] call from the cron), so a
//! 1M-key table never stalls on one big copy. Lookups consult both tables
//! while rehashing; inserts go to `ht[1]`.
//!
//! Each entry is one heap node `{key, value, next}`; buckets are single
//! pointers (`Option<Box<_>>` has the null-pointer niche), so an entry costs
//! one allocation plus one bucket word at load factor 1. The key type is a
//! parameter ([`DictKey`]): `Bytes` by default, [`SmallKey`] for the keyspace,
//! whose node (key inline, 24-byte value, 8 bytes of access metadata, next)
//! is then exactly 64 bytes, one allocator size class.

use std::hash::BuildHasher;

use bytes::Bytes;

use super::smallkey::SmallKey;

/// What a dict can store its keys as.
pub trait DictKey: Clone + std::fmt::Debug {
    /// The key's bytes (what is hashed and compared).
    fn key_bytes(&self) -> &[u8];
    /// Store a key received as `Bytes`.
    fn from_bytes(b: Bytes) -> Self;
    /// Store a copy of `b`.
    fn from_slice(b: &[u8]) -> Self;
    /// Hand a removed key back as `Bytes`.
    fn into_bytes(self) -> Bytes;
}

impl DictKey for Bytes {
    fn key_bytes(&self) -> &[u8] {
        self
    }
    fn from_bytes(b: Bytes) -> Self {
        b
    }
    fn from_slice(b: &[u8]) -> Self {
        Bytes::copy_from_slice(b)
    }
    fn into_bytes(self) -> Bytes {
        self
    }
}

impl DictKey for SmallKey {
    fn key_bytes(&self) -> &[u8] {
        self.as_slice()
    }
    fn from_bytes(b: Bytes) -> Self {
        SmallKey::from(b)
    }
    fn from_slice(b: &[u8]) -> Self {
        SmallKey::from_slice(b)
    }
    fn into_bytes(self) -> Bytes {
        SmallKey::into_bytes(self)
    }
}

/// The hasher: fast, seeded from the engine's seed (never from global randomness).
pub type DictHasher = foldhash::fast::FixedState;

/// Smallest non-empty table (Redis's `DICT_HT_INITIAL_SIZE`).
const INITIAL_SIZE: usize = 4;

/// A table is shrunk when fewer than this percentage of its buckets' worth of
/// entries remain (Redis's `HASHTABLE_MIN_FILL`).
const MIN_FILL_PERCENT: usize = 10;

/// Buckets moved per write operation while rehashing (Redis moves one).
const REHASH_BUCKETS_PER_OP: usize = 1;

/// Empty buckets one rehash step may skip per bucket it was asked to move,
/// so a step over a sparse region stays bounded (as Redis's `empty_visits`).
const EMPTY_VISITS_PER_BUCKET: usize = 10;

/// One entry: the key, its value and the rest of the bucket's chain.
#[derive(Debug, Clone)]
struct Node<V, K> {
    key: K,
    value: V,
    next: Link<V, K>,
}

type Link<V, K> = Option<Box<Node<V, K>>>;

/// One bucket array. `buckets.len()` is zero or a power of two.
#[derive(Debug, Clone)]
struct Table<V, K> {
    buckets: Vec<Link<V, K>>,
    used: usize,
}

impl<V, K> Table<V, K> {
    fn empty() -> Self {
        Table {
            buckets: Vec::new(),
            used: 0,
        }
    }

    fn with_size(size: usize) -> Self {
        let mut buckets = Vec::with_capacity(size);
        buckets.resize_with(size, || None);
        Table { buckets, used: 0 }
    }

    fn size(&self) -> usize {
        self.buckets.len()
    }

    /// Mask for bucket indices (0 for an unallocated table).
    fn mask(&self) -> u64 {
        (self.buckets.len() as u64).wrapping_sub(1)
    }

    fn bucket_of(&self, hash: u64) -> usize {
        (hash & self.mask()) as usize
    }

    /// Drop every chain iteratively (a long chain must not recurse deeply).
    fn clear(&mut self) {
        for b in &mut self.buckets {
            let mut cur = b.take();
            while let Some(mut node) = cur {
                cur = node.next.take();
            }
        }
        self.buckets = Vec::new();
        self.used = 0;
    }
}

/// A map from byte-string keys to `V` with a SCAN cursor that survives resizes.
#[derive(Clone)]
pub struct Dict<V, K: DictKey = Bytes> {
    hasher: DictHasher,
    ht: [Table<V, K>; 2],
    /// Next bucket of `ht[0]` to move while rehashing; `None` when not rehashing.
    rehash_idx: Option<usize>,
    /// The bucket layout is frozen (no resize, no rehash step) while a
    /// point-in-time snapshot walks the table by cursor: see
    /// [`Dict::set_layout_frozen`].
    frozen: bool,
}

impl<V, K: DictKey> std::fmt::Debug for Dict<V, K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dict")
            .field("len", &self.len())
            .field("size0", &self.ht[0].size())
            .field("size1", &self.ht[1].size())
            .field("rehash_idx", &self.rehash_idx)
            .finish()
    }
}

impl<V, K: DictKey> Drop for Dict<V, K> {
    fn drop(&mut self) {
        self.clear();
    }
}

/// Walk one chain.
fn chain<V, K>(link: &Link<V, K>) -> impl Iterator<Item = &Node<V, K>> {
    std::iter::successors(link.as_deref(), |n| n.next.as_deref())
}

/// Reverse the bits of a cursor (SCAN increments the high bits first).
fn rev(v: u64) -> u64 {
    v.reverse_bits()
}

/// A tiny deterministic generator (splitmix64) for the extra draws
/// [`Dict::random_entry`] needs from its one input number.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl<V> Dict<V> {
    /// An empty dict with `Bytes` keys whose hashing is derived from `seed`.
    pub fn new(seed: u64) -> Self {
        Dict::new_keyed(seed)
    }
}

impl<V, K: DictKey> Dict<V, K> {
    /// An empty dict storing its keys as `K`, hashing derived from `seed`.
    pub fn new_keyed(seed: u64) -> Self {
        Dict {
            hasher: DictHasher::with_seed(seed),
            ht: [Table::empty(), Table::empty()],
            rehash_idx: None,
            frozen: false,
        }
    }

    /// Freeze (or thaw) the bucket layout: while frozen, no resize starts and
    /// an ongoing one makes no progress, so chains grow instead. A snapshot
    /// walking the table with [`Dict::scan_step`] then knows exactly which
    /// keys its cursor has passed ([`Dict::scan_passed`]), as Redis avoids
    /// resizing while a fork child iterates. An unallocated table may still
    /// get its first buckets (it had no keys to walk).
    pub fn set_layout_frozen(&mut self, frozen: bool) {
        self.frozen = frozen;
    }

    /// Has a walk of [`Dict::scan_step`] calls that returned `cursor` (from a
    /// first call with 0) already emitted `key`'s bucket? Exact only while
    /// the layout stayed frozen since the walk began; a cursor of 0 means
    /// the walk has not started (a finished walk is the caller's to know).
    pub fn scan_passed(&self, cursor: u64, key: &[u8]) -> bool {
        // scan_step visits the smaller table's buckets in reverse-binary
        // order (with their expansions in the larger one) and returns the
        // next such bucket, so the passed buckets are those that come
        // earlier in that order.
        let small = match self.rehash_idx {
            Some(_) if self.ht[1].size() < self.ht[0].size() => &self.ht[1],
            _ => &self.ht[0],
        };
        if small.size() == 0 {
            return false;
        }
        let m = small.mask();
        rev(self.hash(key) & m) < rev(cursor & m)
    }

    fn hash(&self, key: &[u8]) -> u64 {
        self.hasher.hash_one(key)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.ht[0].used + self.ht[1].used
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Total buckets allocated (both tables): what SCAN walks, and what the
    /// memory estimate counts.
    pub fn buckets(&self) -> usize {
        self.ht[0].size() + self.ht[1].size()
    }

    /// True while a resize is moving entries from the old table to the new.
    pub fn is_rehashing(&self) -> bool {
        self.rehash_idx.is_some()
    }

    /// Tables to search: both while rehashing.
    fn table_count(&self) -> usize {
        if self.rehash_idx.is_some() {
            2
        } else {
            1
        }
    }

    fn find(&self, key: &[u8]) -> Option<&Node<V, K>> {
        if self.is_empty() {
            return None;
        }
        let h = self.hash(key);
        for t in &self.ht[..self.table_count()] {
            if t.size() == 0 {
                continue;
            }
            if let Some(n) = chain(&t.buckets[t.bucket_of(h)]).find(|n| n.key.key_bytes() == key) {
                return Some(n);
            }
        }
        None
    }

    /// Find `key` whose hash is `h` (hashed once by the caller).
    fn find_mut_hashed(&mut self, key: &[u8], h: u64) -> Option<&mut Node<V, K>> {
        if self.is_empty() {
            return None;
        }
        let tables = self.table_count();
        for t in &mut self.ht[..tables] {
            if t.size() == 0 {
                continue;
            }
            let idx = t.bucket_of(h);
            let mut cur = t.buckets[idx].as_deref_mut();
            while let Some(n) = cur {
                if n.key.key_bytes() == key {
                    return Some(n);
                }
                cur = n.next.as_deref_mut();
            }
        }
        None
    }

    /// Prefetch, stage 1: start loading the bucket slot `key` hashes to.
    /// A batch of commands prefetches all its keys' buckets, then all
    /// their first nodes ([`Dict::prefetch_node`]), then their values
    /// ([`Dict::prefetch_value`]), so the cache misses of a batch overlap
    /// instead of stalling one command after another. `hint` receives the
    /// address to load (the runtime issues the CPU's prefetch instruction:
    /// this crate has no `unsafe`); a wrong guess costs a wasted load.
    pub fn prefetch_bucket(&self, key: &[u8], hint: &impl Fn(*const u8)) {
        if self.is_empty() {
            return;
        }
        let h = self.hash(key);
        for t in &self.ht[..self.table_count()] {
            if let Some(slot) = t.buckets.get(t.bucket_of(h)) {
                hint(std::ptr::from_ref(slot).cast());
            }
        }
    }

    /// Prefetch, stage 2: start loading the first node of `key`'s bucket
    /// (its key, value and link: one allocation).
    pub fn prefetch_node(&self, key: &[u8], hint: &impl Fn(*const u8)) {
        if self.is_empty() {
            return;
        }
        let h = self.hash(key);
        for t in &self.ht[..self.table_count()] {
            if let Some(Some(node)) = t.buckets.get(t.bucket_of(h)) {
                hint(std::ptr::from_ref(&**node).cast());
            }
        }
    }

    /// Prefetch, stage 3: find `key` (its node should be cached by now)
    /// and start loading what `target` says its value points to.
    pub fn prefetch_value(
        &self,
        key: &[u8],
        target: impl Fn(&V) -> Option<*const u8>,
        hint: &impl Fn(*const u8),
    ) {
        if let Some(p) = self.find(key).and_then(|n| target(&n.value)) {
            hint(p);
        }
    }

    /// Look up a key.
    pub fn get(&self, key: &[u8]) -> Option<&V> {
        self.find(key).map(|n| &n.value)
    }

    /// Look up a key mutably. Also advances an ongoing rehash by a step, as
    /// every Redis lookup does.
    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut V> {
        self.rehash_on_op();
        if self.is_empty() {
            return None;
        }
        let h = self.hash(key);
        self.find_mut_hashed(key, h).map(|n| &mut n.value)
    }

    /// Look up the stored key and its value.
    pub fn get_key_value(&self, key: &[u8]) -> Option<(&K, &V)> {
        self.find(key).map(|n| (&n.key, &n.value))
    }

    /// True if the key is present.
    pub fn contains_key(&self, key: &[u8]) -> bool {
        self.find(key).is_some()
    }

    /// Insert or replace; returns the old value (the stored key is kept).
    pub fn insert(&mut self, key: Bytes, value: V) -> Option<V> {
        self.rehash_on_op();
        let h = self.hash(&key);
        if let Some(n) = self.find_mut_hashed(&key, h) {
            return Some(std::mem::replace(&mut n.value, value));
        }
        self.insert_new(K::from_bytes(key), h, value);
        None
    }

    /// Insert or replace with the key given as a slice: copied only when the
    /// key is new (the hot path of SET, whose key is in the request buffer).
    pub fn insert_slice(&mut self, key: &[u8], value: V) -> Option<V> {
        self.rehash_on_op();
        let h = self.hash(key);
        if let Some(n) = self.find_mut_hashed(key, h) {
            return Some(std::mem::replace(&mut n.value, value));
        }
        self.insert_new(K::from_slice(key), h, value);
        None
    }

    /// Link a new node for a key known to be absent, hashed to `h`.
    fn insert_new(&mut self, key: K, h: u64, value: V) {
        self.expand_if_needed();
        // While rehashing, new entries go to the new table so the old one
        // only ever drains.
        let t = if self.rehash_idx.is_some() {
            &mut self.ht[1]
        } else {
            &mut self.ht[0]
        };
        let idx = t.bucket_of(h);
        let next = t.buckets[idx].take();
        t.buckets[idx] = Some(Box::new(Node { key, value, next }));
        t.used += 1;
    }

    /// Remove a key, returning the stored key and value. Shrinks the table
    /// when it becomes sparse.
    pub fn remove(&mut self, key: &[u8]) -> Option<(K, V)> {
        if self.is_empty() {
            return None;
        }
        self.rehash_on_op();
        let h = self.hash(key);
        let tables = self.table_count();
        let mut removed = None;
        for t in &mut self.ht[..tables] {
            if t.size() == 0 {
                continue;
            }
            let idx = t.bucket_of(h);
            if let Some(node) = unlink(&mut t.buckets[idx], key) {
                t.used -= 1;
                removed = Some((node.key, node.value));
                break;
            }
        }
        if removed.is_some() {
            self.shrink_if_needed();
        }
        removed
    }

    /// Remove everything and release the buckets.
    pub fn clear(&mut self) {
        self.ht[0].clear();
        self.ht[1].clear();
        self.rehash_idx = None;
    }

    /// Iterate entries (old table first while rehashing, then bucket order).
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.ht
            .iter()
            .flat_map(|t| t.buckets.iter())
            .flat_map(chain)
            .map(|n| (&n.key, &n.value))
    }

    /// Iterate keys.
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.iter().map(|(k, _)| k)
    }

    /// A pseudo-random entry, chosen with `r` (from the engine's seeded RNG).
    ///
    /// As Redis: pick random non-empty buckets, then a random element of the
    /// chain. Expected O(1) because the table is kept at least ~10% full;
    /// after a bounded number of misses it falls back to walking from a
    /// random bucket, so it always terminates.
    pub fn random_entry(&self, r: u64) -> Option<(&K, &V)> {
        if self.is_empty() {
            return None;
        }
        let mut state = r;
        let start = self.rehash_idx.unwrap_or(0);
        let s0 = self.ht[0].size();
        let total = if self.rehash_idx.is_some() {
            s0 + self.ht[1].size()
        } else {
            s0
        };
        // Buckets below `start` in the old table are known empty.
        let span = total.saturating_sub(start).max(1);
        let bucket_at = |i: usize| -> &Link<V, K> {
            if i < s0 {
                &self.ht[0].buckets[i]
            } else {
                &self.ht[1].buckets[i - s0]
            }
        };
        let mut found = None;
        for _ in 0..1024 {
            let i = start + (splitmix(&mut state) % span as u64) as usize;
            let b = bucket_at(i);
            if b.is_some() {
                found = Some(b);
                break;
            }
        }
        let bucket = match found {
            Some(b) => b,
            None => {
                let first = start + (splitmix(&mut state) % span as u64) as usize;
                let i = (0..span)
                    .map(|k| start + (first - start + k) % span)
                    .find(|&i| bucket_at(i).is_some())?;
                bucket_at(i)
            }
        };
        let len = chain(bucket).count();
        let pick = (splitmix(&mut state) % len.max(1) as u64) as usize;
        chain(bucket).nth(pick).map(|n| (&n.key, &n.value))
    }

    /// One SCAN call over the dict: run [`Dict::scan_step`] until at least
    /// `count` entries were emitted, `count * 10 + 1` steps were made, or the
    /// cursor came back to 0; returns the next cursor (0: done). This is the
    /// loop Redis's SCAN runs around `dictScan`.
    pub fn scan(&self, cursor: u64, count: usize, mut f: impl FnMut(&K, &V)) -> u64 {
        let count = count.max(1);
        let mut max_iterations = count.saturating_mul(10);
        let mut emitted = 0usize;
        let mut cursor = cursor;
        loop {
            cursor = self.scan_step(cursor, |k, v| {
                emitted += 1;
                f(k, v)
            });
            if cursor == 0 || max_iterations == 0 || emitted >= count {
                return cursor;
            }
            max_iterations -= 1;
        }
    }

    /// Redis's `dictScan`: emit every entry of the bucket(s) the cursor
    /// names and return the next cursor (0 once the whole space was covered).
    ///
    /// The cursor counts in reverse bit order, so buckets are visited in an
    /// order that stays valid when the table doubles or halves: the buckets
    /// a visited index expands into (or folds from) were visited too. While
    /// rehashing, the cursor's bucket in the smaller table and all its
    /// expansions in the larger one are emitted together.
    pub fn scan_step(&self, cursor: u64, mut f: impl FnMut(&K, &V)) -> u64 {
        if self.is_empty() {
            return 0;
        }
        let mut v = cursor;
        let mut emit = |link: &Link<V, K>| {
            for n in chain(link) {
                f(&n.key, &n.value);
            }
        };
        if self.rehash_idx.is_none() {
            let t0 = &self.ht[0];
            let m0 = t0.mask();
            emit(&t0.buckets[(v & m0) as usize]);
            v |= !m0;
            v = rev(rev(v).wrapping_add(1));
        } else {
            let (small, big) = if self.ht[0].size() <= self.ht[1].size() {
                (&self.ht[0], &self.ht[1])
            } else {
                (&self.ht[1], &self.ht[0])
            };
            let m0 = small.mask();
            let m1 = big.mask();
            emit(&small.buckets[(v & m0) as usize]);
            loop {
                emit(&big.buckets[(v & m1) as usize]);
                v |= !m1;
                v = rev(rev(v).wrapping_add(1));
                if v & (m0 ^ m1) == 0 {
                    break;
                }
            }
        }
        v
    }

    /// [`Dict::scan_step`] with mutable access to the values (a snapshot
    /// walk clears its per-entry marks as it passes them).
    pub fn scan_step_mut(&mut self, cursor: u64, mut f: impl FnMut(&K, &mut V)) -> u64 {
        fn emit<V, K, F: FnMut(&K, &mut V)>(link: &mut Link<V, K>, f: &mut F) {
            let mut cur = link.as_deref_mut();
            while let Some(n) = cur {
                f(&n.key, &mut n.value);
                cur = n.next.as_deref_mut();
            }
        }
        if self.is_empty() {
            return 0;
        }
        let mut v = cursor;
        if self.rehash_idx.is_none() {
            let m0 = self.ht[0].mask();
            emit(&mut self.ht[0].buckets[(v & m0) as usize], &mut f);
            v |= !m0;
            v = rev(rev(v).wrapping_add(1));
        } else {
            let (si, bi) = if self.ht[0].size() <= self.ht[1].size() {
                (0, 1)
            } else {
                (1, 0)
            };
            let m0 = self.ht[si].mask();
            let m1 = self.ht[bi].mask();
            emit(&mut self.ht[si].buckets[(v & m0) as usize], &mut f);
            loop {
                emit(&mut self.ht[bi].buckets[(v & m1) as usize], &mut f);
                v |= !m1;
                v = rev(rev(v).wrapping_add(1));
                if v & (m0 ^ m1) == 0 {
                    break;
                }
            }
        }
        v
    }

    /// Advance an ongoing rehash by up to `buckets` buckets (the cron calls
    /// this so an idle table still finishes resizing). Returns true if more
    /// work remains.
    pub fn rehash_steps(&mut self, buckets: usize) -> bool {
        let Some(mut idx) = self.rehash_idx else {
            return false;
        };
        if self.frozen {
            return true;
        }
        let mut empty_visits = buckets.saturating_mul(EMPTY_VISITS_PER_BUCKET);
        let mut left = buckets;
        while left > 0 && self.ht[0].used > 0 {
            while idx < self.ht[0].size() && self.ht[0].buckets[idx].is_none() {
                idx += 1;
                empty_visits = empty_visits.saturating_sub(1);
                if empty_visits == 0 {
                    self.rehash_idx = Some(idx);
                    return true;
                }
            }
            if idx >= self.ht[0].size() {
                break;
            }
            let mut cur = self.ht[0].buckets[idx].take();
            while let Some(mut node) = cur {
                cur = node.next.take();
                let h = self.hasher.hash_one(node.key.key_bytes());
                let t1 = &mut self.ht[1];
                let j = t1.bucket_of(h);
                node.next = t1.buckets[j].take();
                t1.buckets[j] = Some(node);
                t1.used += 1;
                self.ht[0].used -= 1;
            }
            idx += 1;
            left -= 1;
        }
        if self.ht[0].used == 0 {
            let new = std::mem::replace(&mut self.ht[1], Table::empty());
            self.ht[0] = new;
            self.rehash_idx = None;
            // Deletes during the resize may have left the new table sparse
            // already; Redis's cron would notice, so do we.
            self.shrink_if_needed();
            self.rehash_idx.is_some()
        } else {
            self.rehash_idx = Some(idx);
            true
        }
    }

    fn rehash_on_op(&mut self) {
        if self.rehash_idx.is_some() {
            self.rehash_steps(REHASH_BUCKETS_PER_OP);
        }
    }

    /// Grow at load factor 1 (Redis's rule, with resizing always allowed:
    /// there is no fork whose copy-on-write pages we must spare).
    fn expand_if_needed(&mut self) {
        if self.rehash_idx.is_some() {
            return;
        }
        let t0 = &self.ht[0];
        if t0.size() == 0 {
            self.resize_to(INITIAL_SIZE);
        } else if t0.used >= t0.size() && !self.frozen {
            self.resize_to(t0.used.saturating_add(1));
        }
    }

    /// Shrink when under 10% full, to the smallest power of two holding
    /// every entry (Redis's `htNeedsResize` + `dictResize`).
    fn shrink_if_needed(&mut self) {
        if self.rehash_idx.is_some() || self.frozen {
            return;
        }
        let t0 = &self.ht[0];
        if t0.size() > INITIAL_SIZE && t0.used.saturating_mul(100) / t0.size() < MIN_FILL_PERCENT {
            self.resize_to(t0.used);
        }
    }

    /// Start moving to a table of `target` rounded up to a power of two.
    fn resize_to(&mut self, target: usize) {
        let size = target
            .max(INITIAL_SIZE)
            .checked_next_power_of_two()
            .unwrap_or(1 << (usize::BITS - 1));
        if size == self.ht[0].size() {
            return;
        }
        if self.ht[0].size() == 0 || self.ht[0].used == 0 {
            self.ht[0].clear();
            self.ht[0] = Table::with_size(size);
            return;
        }
        self.ht[1] = Table::with_size(size);
        self.rehash_idx = Some(0);
    }
}

/// Unlink the node holding `key` from the chain at `link`.
fn unlink<V, K: DictKey>(link: &mut Link<V, K>, key: &[u8]) -> Option<Box<Node<V, K>>> {
    let mut cur = link;
    loop {
        match cur {
            None => return None,
            Some(node) if node.key.key_bytes() == key => {
                let mut node = cur.take()?;
                *cur = node.next.take();
                return Some(node);
            }
            Some(node) => cur = &mut node.next,
        }
    }
}

#[cfg(test)]
#[path = "dict_tests.rs"]
mod tests;
