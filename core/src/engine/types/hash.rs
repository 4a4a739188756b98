//! The hash type, with Redis 7.0's two encodings.
//!
//! - `listpack`: a small vector of `(field, value)` pairs in insertion
//!   order. Redis walks its listpack front to back, so HGETALL/HKEYS/HVALS/
//!   HSCAN of a small hash answer in insertion order; we must too.
//! - `hashtable`: our [`Dict`], once the hash holds more than
//!   `hash-max-listpack-entries` fields or any field or value longer than
//!   `hash-max-listpack-value` bytes. A hash never converts back (as Redis).

use bytes::Bytes;

use crate::engine::dict::Dict;

/// The thresholds that decide the encoding (from the live config).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashLimits {
    /// `hash-max-listpack-entries`.
    pub max_entries: usize,
    /// `hash-max-listpack-value`.
    pub max_value: usize,
}

impl Default for HashLimits {
    /// Redis 7.0.15's defaults (512 entries, 64 bytes).
    fn default() -> Self {
        HashLimits {
            max_entries: 512,
            max_value: 64,
        }
    }
}

/// A hash value.
#[derive(Debug, Clone)]
pub enum Hash {
    /// Small: pairs in insertion order (`listpack`).
    Listpack(Vec<(Bytes, Bytes)>),
    /// Large: field → value (`hashtable`).
    Table(Dict<Bytes>),
}

impl Default for Hash {
    fn default() -> Self {
        Hash::Listpack(Vec::new())
    }
}

impl PartialEq for Hash {
    /// Same fields with the same values, whatever the encoding or order.
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|(f, v)| other.get(f) == Some(v))
    }
}

impl Hash {
    /// An empty hash (`listpack`, as Redis creates every hash).
    pub fn new() -> Hash {
        Hash::default()
    }

    /// `OBJECT ENCODING` name.
    pub fn encoding(&self) -> &'static str {
        match self {
            Hash::Listpack(_) => "listpack",
            Hash::Table(_) => "hashtable",
        }
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        match self {
            Hash::Listpack(v) => v.len(),
            Hash::Table(d) => d.len(),
        }
    }

    /// True when there are no fields (the key must then be deleted).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value of `field`.
    pub fn get(&self, field: &[u8]) -> Option<&Bytes> {
        match self {
            Hash::Listpack(v) => v.iter().find(|(f, _)| f[..] == *field).map(|(_, v)| v),
            Hash::Table(d) => d.get(field),
        }
    }

    /// True if `field` is present.
    pub fn contains(&self, field: &[u8]) -> bool {
        self.get(field).is_some()
    }

    /// Convert to `hashtable` (one way, as Redis's `hashTypeConvert`).
    /// `seed` keys the new table's hashing.
    pub fn convert_to_table(&mut self, seed: u64) {
        if let Hash::Listpack(v) = self {
            let mut d = Dict::new(seed);
            for (f, val) in v.drain(..) {
                d.insert(f, val);
            }
            *self = Hash::Table(d);
        }
    }

    /// Set `field` to `value`; true if the field is new. Converts to
    /// `hashtable` first when either is longer than the value limit, and
    /// after inserting when the entry count exceeds the limit (Redis's
    /// `hashTypeSet`). `seed` is used only if a table is created.
    pub fn set(&mut self, field: Bytes, value: Bytes, limits: HashLimits, seed: u64) -> bool {
        if matches!(self, Hash::Listpack(_))
            && (field.len() > limits.max_value || value.len() > limits.max_value)
        {
            self.convert_to_table(seed);
        }
        let added = match self {
            Hash::Listpack(v) => match v.iter_mut().find(|(f, _)| *f == field) {
                Some(slot) => {
                    slot.1 = value;
                    false
                }
                None => {
                    v.push((field, value));
                    true
                }
            },
            Hash::Table(d) => d.insert(field, value).is_none(),
        };
        if matches!(self, Hash::Listpack(v) if v.len() > limits.max_entries) {
            self.convert_to_table(seed);
        }
        added
    }

    /// Remove `field`; true if it was present. A `listpack` keeps the order
    /// of the remaining pairs.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        match self {
            Hash::Listpack(v) => match v.iter().position(|(f, _)| f[..] == *field) {
                Some(i) => {
                    v.remove(i);
                    true
                }
                None => false,
            },
            Hash::Table(d) => d.remove(field).is_some(),
        }
    }

    /// Every pair, in Redis's iteration order for a `listpack` (insertion
    /// order) and table order otherwise.
    pub fn iter(&self) -> Box<dyn Iterator<Item = (&Bytes, &Bytes)> + '_> {
        match self {
            Hash::Listpack(v) => Box::new(v.iter().map(|(f, v)| (f, v))),
            Hash::Table(d) => Box::new(d.iter()),
        }
    }

    /// A pseudo-random pair chosen with `r` (from the engine's seeded RNG).
    pub fn random_pair(&self, r: u64) -> Option<(&Bytes, &Bytes)> {
        match self {
            Hash::Listpack(v) => {
                if v.is_empty() {
                    return None;
                }
                v.get((r % v.len() as u64) as usize).map(|(f, v)| (f, v))
            }
            Hash::Table(d) => d.random_entry(r),
        }
    }

    /// One HSCAN step from `cursor`: emits pairs and returns the next
    /// cursor. A `listpack` is emitted whole with cursor 0 (as Redis). For a
    /// table, `count` bounds the work as Redis's loop does: it counts reply
    /// items, two per pair.
    pub fn scan(&self, cursor: u64, count: usize, mut f: impl FnMut(&Bytes, &Bytes)) -> u64 {
        match self {
            Hash::Listpack(v) => {
                for (k, val) in v {
                    f(k, val);
                }
                0
            }
            Hash::Table(d) => {
                let mut items = 0usize;
                let mut left = count.saturating_mul(10);
                let mut cursor = cursor;
                loop {
                    cursor = d.scan_step(cursor, |k, val| {
                        items += 2;
                        f(k, val)
                    });
                    if cursor == 0 || left == 0 || items >= count {
                        return cursor;
                    }
                    left -= 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn b(s: &str) -> Bytes {
        Bytes::copy_from_slice(s.as_bytes())
    }

    #[test]
    fn listpack_keeps_insertion_order_and_converts_past_limits() {
        let lim = HashLimits {
            max_entries: 3,
            max_value: 4,
        };
        let mut h = Hash::new();
        assert!(h.set(b("b"), b("1"), lim, 1));
        assert!(h.set(b("a"), b("2"), lim, 1));
        assert!(!h.set(b("b"), b("3"), lim, 1));
        let order: Vec<_> = h.iter().map(|(f, v)| (f.clone(), v.clone())).collect();
        assert_eq!(order, vec![(b("b"), b("3")), (b("a"), b("2"))]);
        assert_eq!(h.encoding(), "listpack");
        assert!(h.set(b("c"), b("4444"), lim, 1));
        assert_eq!(h.encoding(), "listpack");
        assert!(h.set(b("d"), b("1"), lim, 1));
        assert_eq!(h.encoding(), "hashtable");
        assert_eq!(h.len(), 4);
        let mut long = Hash::new();
        long.set(b("f"), b("55555"), lim, 1);
        assert_eq!(long.encoding(), "hashtable");
        let mut long_field = Hash::new();
        long_field.set(b("fffff"), b("1"), lim, 1);
        assert_eq!(long_field.encoding(), "hashtable");
        // Never converts back.
        assert!(long.remove(b"f"));
        assert_eq!(long.encoding(), "hashtable");
        assert!(long.is_empty());
    }

    #[test]
    fn table_scan_covers_everything() {
        let lim = HashLimits {
            max_entries: 2,
            max_value: 64,
        };
        let mut h = Hash::new();
        for i in 0..200 {
            h.set(b(&format!("f{i}")), b(&i.to_string()), lim, 9);
        }
        let mut seen = HashMap::new();
        let mut cursor = 0;
        loop {
            cursor = h.scan(cursor, 10, |f, v| {
                seen.insert(f.clone(), v.clone());
            });
            if cursor == 0 {
                break;
            }
        }
        assert_eq!(seen.len(), 200);
        assert_eq!(seen.get(&b("f7")), Some(&b("7")));
    }

    proptest! {
        /// The hash behaves as a map whatever its encoding, and its
        /// encoding is the one Redis would pick.
        #[test]
        fn behaves_as_a_map(ops in prop::collection::vec((0u8..3, 0u8..12, 0usize..8), 0..200)) {
            let lim = HashLimits { max_entries: 6, max_value: 5 };
            let mut h = Hash::new();
            let mut model: Vec<(Bytes, Bytes)> = Vec::new();
            let mut converted = false;
            for (op, f, vlen) in ops {
                let field = b(&format!("f{f}"));
                match op {
                    0 | 1 => {
                        let value = Bytes::from(vec![b'v'; vlen]);
                        let was_new = !model.iter().any(|(k, _)| *k == field);
                        prop_assert_eq!(h.set(field.clone(), value.clone(), lim, 3), was_new);
                        if vlen > lim.max_value { converted = true; }
                        match model.iter_mut().find(|(k, _)| *k == field) {
                            Some(slot) => slot.1 = value,
                            None => model.push((field, value)),
                        }
                        if model.len() > lim.max_entries { converted = true; }
                    }
                    _ => {
                        let had = model.iter().position(|(k, _)| *k == field);
                        prop_assert_eq!(h.remove(&field), had.is_some());
                        if let Some(i) = had { model.remove(i); }
                    }
                }
                prop_assert_eq!(h.len(), model.len());
                prop_assert_eq!(h.encoding(), if converted { "hashtable" } else { "listpack" });
                if !converted {
                    let got: Vec<_> = h.iter().map(|(f, v)| (f.clone(), v.clone())).collect();
                    prop_assert_eq!(&got, &model);
                }
                for (k, v) in &model {
                    prop_assert_eq!(h.get(k), Some(v));
                }
            }
        }
    }
}
