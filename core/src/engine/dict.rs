//! The hash table behind the keyspace.
//!
//! Baseline: a `hashbrown` map with a seeded, deterministic hasher (the same
//! seed gives the same iteration order, which the simulator relies on).
//! SCAN's cursor guarantee needs a table whose buckets we control; see
//! [`Dict::scan`].

use bytes::Bytes;
use hashbrown::HashMap;

/// The hasher: fast, seeded from the engine's seed (never from global randomness).
pub type DictHasher = foldhash::fast::FixedState;

/// A map from byte-string keys to `V`.
#[derive(Debug, Clone)]
pub struct Dict<V> {
    map: HashMap<Bytes, V, DictHasher>,
}

impl<V> Dict<V> {
    /// An empty dict whose hashing is derived from `seed`.
    pub fn new(seed: u64) -> Self {
        Dict {
            map: HashMap::with_hasher(DictHasher::with_seed(seed)),
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Look up a key.
    pub fn get(&self, key: &[u8]) -> Option<&V> {
        self.map.get(key)
    }

    /// Look up a key mutably.
    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut V> {
        self.map.get_mut(key)
    }

    /// Look up the stored key and its value.
    pub fn get_key_value(&self, key: &[u8]) -> Option<(&Bytes, &V)> {
        self.map.get_key_value(key)
    }

    /// Insert or replace; returns the old value.
    pub fn insert(&mut self, key: Bytes, value: V) -> Option<V> {
        self.map.insert(key, value)
    }

    /// Remove a key, returning the stored key and value.
    pub fn remove(&mut self, key: &[u8]) -> Option<(Bytes, V)> {
        self.map.remove_entry(key)
    }

    /// True if the key is present.
    pub fn contains_key(&self, key: &[u8]) -> bool {
        self.map.contains_key(key)
    }

    /// Remove everything.
    pub fn clear(&mut self) {
        self.map.clear();
    }

    /// Iterate entries (in hash order).
    pub fn iter(&self) -> impl Iterator<Item = (&Bytes, &V)> {
        self.map.iter()
    }

    /// Iterate keys.
    pub fn keys(&self) -> impl Iterator<Item = &Bytes> {
        self.map.keys()
    }

    /// A pseudo-random entry, chosen with `r` (from the engine's seeded RNG).
    pub fn random_entry(&self, r: u64) -> Option<(&Bytes, &V)> {
        if self.map.is_empty() {
            return None;
        }
        let i = (r % self.map.len() as u64) as usize;
        self.map.iter().nth(i)
    }

    /// One SCAN step: call `f` for the entries behind `cursor` and return the
    /// next cursor (0 when done).
    ///
    /// Baseline only (walks by position): issue #2's custom table replaces it
    /// with Redis's reverse-binary bucket cursor.
    pub fn scan(&self, cursor: u64, count: usize, mut f: impl FnMut(&Bytes, &V)) -> u64 {
        let start = cursor as usize;
        let mut n = 0;
        for (k, v) in self.map.iter().skip(start).take(count.max(1)) {
            f(k, v);
            n += 1;
        }
        let next = start + n;
        if n == 0 || next >= self.map.len() {
            0
        } else {
            next as u64
        }
    }
}
