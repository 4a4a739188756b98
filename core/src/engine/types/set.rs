//! The set type, with Redis 7.0's two encodings (7.0 has no set listpack;
//! that arrived in 7.2).
//!
//! - `intset`: a sorted vector of `i64` while every member is a canonical
//!   decimal integer and there are at most `set-max-intset-entries` of them.
//!   Iteration is ascending, which is why SMEMBERS of such a set is sorted.
//! - `hashtable`: our [`Dict`] with members as keys. A set never converts back.

use bytes::Bytes;

use crate::engine::dict::Dict;
use crate::resp::parse_i64;

/// A set value.
#[derive(Debug, Clone)]
pub enum Set {
    /// Small all-integer set, ascending (`intset`).
    Intset(Vec<i64>),
    /// Anything else (`hashtable`).
    Table(Dict<()>),
}

impl Default for Set {
    fn default() -> Self {
        Set::Intset(Vec::new())
    }
}

impl PartialEq for Set {
    /// Same members, whatever the encoding.
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.members().all(|m| other.contains(&m))
    }
}

/// Decimal text of an intset member.
fn int_bytes(n: i64) -> Bytes {
    Bytes::copy_from_slice(itoa::Buffer::new().format(n).as_bytes())
}

impl Set {
    /// An empty set encoded as Redis's `setTypeCreate` would for a first
    /// member `first`: `intset` if it is an integer, else `hashtable`.
    pub fn for_member(first: &[u8], seed: u64) -> Set {
        if parse_i64(first).is_some() {
            Set::Intset(Vec::new())
        } else {
            Set::Table(Dict::new(seed))
        }
    }

    /// An empty `intset` (what SINTERSTORE/SUNIONSTORE/SDIFFSTORE start from).
    pub fn new() -> Set {
        Set::default()
    }

    /// `OBJECT ENCODING` name.
    pub fn encoding(&self) -> &'static str {
        match self {
            Set::Intset(_) => "intset",
            Set::Table(_) => "hashtable",
        }
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        match self {
            Set::Intset(v) => v.len(),
            Set::Table(d) => d.len(),
        }
    }

    /// True when empty (the key must then be deleted).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Is `member` in the set?
    pub fn contains(&self, member: &[u8]) -> bool {
        match self {
            Set::Intset(v) => parse_i64(member).is_some_and(|n| v.binary_search(&n).is_ok()),
            Set::Table(d) => d.contains_key(member),
        }
    }

    /// Convert to `hashtable` (one way).
    pub fn convert_to_table(&mut self, seed: u64) {
        if let Set::Intset(v) = self {
            let mut d = Dict::new(seed);
            for &n in v.iter() {
                d.insert(int_bytes(n), ());
            }
            *self = Set::Table(d);
        }
    }

    /// Add `member`; true if it was new. An `intset` converts when the
    /// member is not an integer or the set would exceed `max_intset`
    /// members (Redis's `setTypeAdd`).
    pub fn add(&mut self, member: &[u8], max_intset: usize, seed: u64) -> bool {
        if let Set::Intset(v) = self {
            match parse_i64(member) {
                Some(n) => {
                    return match v.binary_search(&n) {
                        Ok(_) => false,
                        Err(i) => {
                            v.insert(i, n);
                            if v.len() > max_intset {
                                self.convert_to_table(seed);
                            }
                            true
                        }
                    };
                }
                None => self.convert_to_table(seed),
            }
        }
        match self {
            Set::Table(d) => {
                if d.contains_key(member) {
                    false
                } else {
                    d.insert(Bytes::copy_from_slice(member), ());
                    true
                }
            }
            Set::Intset(_) => false,
        }
    }

    /// Remove `member`; true if it was present.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        match self {
            Set::Intset(v) => match parse_i64(member).map(|n| v.binary_search(&n)) {
                Some(Ok(i)) => {
                    v.remove(i);
                    true
                }
                _ => false,
            },
            Set::Table(d) => d.remove(member).is_some(),
        }
    }

    /// Every member: ascending for an `intset`, table order otherwise.
    pub fn members(&self) -> Box<dyn Iterator<Item = Bytes> + '_> {
        match self {
            Set::Intset(v) => Box::new(v.iter().map(|&n| int_bytes(n))),
            Set::Table(d) => Box::new(d.keys().cloned()),
        }
    }

    /// A pseudo-random member chosen with `r` (engine's seeded RNG).
    pub fn random_member(&self, r: u64) -> Option<Bytes> {
        match self {
            Set::Intset(v) => {
                if v.is_empty() {
                    return None;
                }
                v.get((r % v.len() as u64) as usize).map(|&n| int_bytes(n))
            }
            Set::Table(d) => d.random_entry(r).map(|(k, _)| k.clone()),
        }
    }

    /// Remove and return a pseudo-random member.
    pub fn pop_random(&mut self, r: u64) -> Option<Bytes> {
        let m = self.random_member(r)?;
        self.remove(&m);
        Some(m)
    }

    /// One SSCAN step: an `intset` is emitted whole with cursor 0 (as
    /// Redis); a table runs Redis's bounded loop (`count` members, at most
    /// `count * 10` bucket steps).
    pub fn scan(&self, cursor: u64, count: usize, mut f: impl FnMut(Bytes)) -> u64 {
        match self {
            Set::Intset(v) => {
                for &n in v {
                    f(int_bytes(n));
                }
                0
            }
            Set::Table(d) => d.scan(cursor, count, |k, _| f(k.clone())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    #[test]
    fn intset_until_a_string_or_too_many() {
        let mut s = Set::for_member(b"3", 1);
        assert!(s.add(b"3", 3, 1));
        assert!(s.add(b"-1", 3, 1));
        assert!(!s.add(b"3", 3, 1));
        assert!(s.add(b"2", 3, 1));
        assert_eq!(s.encoding(), "intset");
        let m: Vec<_> = s.members().collect();
        assert_eq!(
            m,
            vec![Bytes::from("-1"), Bytes::from("2"), Bytes::from("3")]
        );
        // "01" and "-0" are not canonical integers: they force a table.
        let mut t = s.clone();
        assert!(t.add(b"01", 3, 1));
        assert_eq!(t.encoding(), "hashtable");
        assert!(t.contains(b"01") && t.contains(b"3") && !t.contains(b"1"));
        assert!(s.add(b"4", 3, 1));
        assert_eq!(s.encoding(), "hashtable");
        assert_eq!(Set::for_member(b"a", 1).encoding(), "hashtable");
        assert_eq!(Set::for_member(b"-0", 1).encoding(), "hashtable");
        assert!(!s.remove(b"9") && s.remove(b"4"));
        assert_eq!(s.encoding(), "hashtable");
    }

    proptest! {
        /// A set behaves as a model set under any adds/removes/pops.
        #[test]
        fn behaves_as_a_set(ops in prop::collection::vec((0u8..4, 0u8..20, any::<u64>()), 0..300)) {
            let mut s = Set::new();
            let mut model = BTreeSet::new();
            for (op, m, r) in ops {
                let member = if m < 14 { format!("{}", i64::from(m) - 7) } else { format!("x{m}") };
                match op {
                    0 | 1 => prop_assert_eq!(s.add(member.as_bytes(), 8, 5), model.insert(member.clone())),
                    2 => prop_assert_eq!(s.remove(member.as_bytes()), model.remove(&member)),
                    _ => match s.pop_random(r) {
                        Some(p) => prop_assert!(model.remove(std::str::from_utf8(&p).unwrap())),
                        None => prop_assert!(model.is_empty()),
                    },
                }
                prop_assert_eq!(s.len(), model.len());
                let got: BTreeSet<String> = s.members().map(|b| String::from_utf8(b.to_vec()).unwrap()).collect();
                prop_assert_eq!(&got, &model);
                if let Set::Intset(v) = &s {
                    prop_assert!(v.windows(2).all(|w| w[0] < w[1]));
                    prop_assert!(v.len() <= 8);
                }
            }
        }
    }
}
