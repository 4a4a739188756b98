//! Tests of [`Dict`]: a model test against `std::collections::HashMap`, and
//! the SCAN guarantee under inserts, deletes and resizes between steps.

use std::collections::{HashMap, HashSet};

use bytes::Bytes;
use proptest::prelude::*;

use super::*;

fn key(i: u32) -> Bytes {
    Bytes::from(format!("key:{i}"))
}

/// Scan the whole dict, collecting every emitted key.
fn full_scan<V>(d: &Dict<V>, count: usize) -> Vec<Bytes> {
    let mut out = Vec::new();
    let mut c = 0;
    loop {
        c = d.scan(c, count, |k, _| out.push(k.clone()));
        if c == 0 {
            return out;
        }
    }
}

#[test]
fn basic_ops() {
    let mut d = Dict::new(7);
    assert!(d.is_empty());
    assert_eq!(d.insert(key(1), 10), None);
    assert_eq!(d.insert(key(1), 11), Some(10));
    assert_eq!(d.get(b"key:1"), Some(&11));
    assert_eq!(d.len(), 1);
    *d.get_mut(b"key:1").unwrap() = 12;
    assert_eq!(d.get_key_value(b"key:1"), Some((&key(1), &12)));
    assert!(d.contains_key(b"key:1"));
    assert!(!d.contains_key(b"key:2"));
    assert_eq!(d.remove(b"key:1"), Some((key(1), 12)));
    assert_eq!(d.remove(b"key:1"), None);
    assert!(d.is_empty());
    assert_eq!(d.scan(0, 10, |_, _| panic!("empty")), 0);
    assert!(d.random_entry(3).is_none());
}

#[test]
fn grows_incrementally_and_shrinks_when_sparse() {
    let mut d = Dict::new(1);
    let mut saw_rehash = false;
    for i in 0..10_000 {
        d.insert(key(i), i);
        saw_rehash |= d.is_rehashing();
    }
    assert!(saw_rehash, "growth must go through incremental rehashing");
    while d.rehash_steps(100) {}
    assert_eq!(d.buckets(), 16384);
    for i in 0..10_000 {
        assert_eq!(d.get(&key(i)), Some(&i));
    }
    for i in 0..9_990 {
        d.remove(&key(i));
    }
    while d.rehash_steps(100) {}
    assert_eq!(d.len(), 10);
    // Shrinks happen in steps as the fill drops under 10%; the end state is
    // small, not the 16384 buckets of the peak.
    assert!(d.buckets() <= 128, "buckets {}", d.buckets());
    let mut keys: Vec<_> = d.keys().cloned().collect();
    keys.sort();
    let mut want: Vec<_> = (9_990..10_000).map(key).collect();
    want.sort();
    assert_eq!(keys, want);
}

#[test]
fn one_rehash_step_is_bounded() {
    let mut d = Dict::new(5);
    for i in 0..(1 << 16) {
        d.insert(key(i), ());
    }
    while d.rehash_steps(1000) {}
    // The next insert over the load factor starts a resize but moves only
    // a bucket, leaving almost everything in the old table.
    d.insert(key(1 << 20), ());
    assert!(d.is_rehashing());
    assert!(d.ht[0].used > (1 << 16) - 10);
}

#[test]
fn random_entry_reaches_every_key() {
    let mut d = Dict::new(9);
    for i in 0..50 {
        d.insert(key(i), i);
    }
    let mut seen = HashSet::new();
    for r in 0..5000u64 {
        let (k, v) = d
            .random_entry(r.wrapping_mul(0x2545_f491_4f6c_dd1d))
            .unwrap();
        assert_eq!(d.get(k), Some(v));
        seen.insert(k.clone());
    }
    assert_eq!(seen.len(), 50);
}

#[test]
fn random_entry_works_mid_rehash_and_sparse() {
    let mut d = Dict::new(11);
    for i in 0..4096 {
        d.insert(key(i), ());
    }
    for i in 0..4095 {
        d.remove(&key(i));
    }
    let (k, _) = d.random_entry(42).unwrap();
    assert_eq!(k, &key(4095));
}

#[test]
fn same_seed_same_order() {
    let mut a = Dict::new(3);
    let mut b = Dict::new(3);
    for i in 0..500 {
        a.insert(key(i), ());
        b.insert(key(i), ());
    }
    assert!(a.keys().eq(b.keys()));
}

#[test]
fn scan_covers_all_across_growth() {
    let mut d = Dict::new(2);
    for i in 0..100 {
        d.insert(key(i), ());
    }
    let mut seen = HashSet::new();
    let mut c = 0;
    let mut next = 100;
    loop {
        c = d.scan(c, 3, |k, _| {
            seen.insert(k.clone());
        });
        for _ in 0..20 {
            d.insert(key(next), ());
            next += 1;
        }
        if c == 0 {
            break;
        }
    }
    for i in 0..100 {
        assert!(seen.contains(&key(i)), "missing {i}");
    }
}

#[derive(Debug, Clone)]
enum Op {
    Insert(u16, u32),
    Remove(u16),
    Get(u16),
    GetMut(u16),
    Rehash(u8),
    Clear,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        10 => (0u16..600, any::<u32>()).prop_map(|(k, v)| Op::Insert(k, v)),
        8 => (0u16..600).prop_map(Op::Remove),
        3 => (0u16..600).prop_map(Op::Get),
        2 => (0u16..600).prop_map(Op::GetMut),
        1 => (0u8..8).prop_map(Op::Rehash),
        1 => Just(Op::Clear),
    ]
}

fn k16(i: u16) -> Bytes {
    Bytes::from(format!("k{i}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn model_matches_hashmap(seed: u64, ops in prop::collection::vec(op(), 1..2000)) {
        let mut d = Dict::new(seed);
        let mut m: HashMap<Bytes, u32> = HashMap::new();
        for op in ops {
            match op {
                Op::Insert(k, v) => prop_assert_eq!(d.insert(k16(k), v), m.insert(k16(k), v)),
                Op::Remove(k) => prop_assert_eq!(d.remove(&k16(k)), m.remove_entry(&k16(k))),
                Op::Get(k) => prop_assert_eq!(d.get(&k16(k)), m.get(&k16(k))),
                Op::GetMut(k) => {
                    let a = d.get_mut(&k16(k)).map(|v| { *v = v.wrapping_add(1); *v });
                    let b = m.get_mut(&k16(k)).map(|v| { *v = v.wrapping_add(1); *v });
                    prop_assert_eq!(a, b);
                }
                Op::Rehash(n) => { d.rehash_steps(n as usize); }
                Op::Clear => { d.clear(); m.clear(); }
            }
            prop_assert_eq!(d.len(), m.len());
        }
        let got: HashMap<Bytes, u32> = d.iter().map(|(k, v)| (k.clone(), *v)).collect();
        prop_assert_eq!(got.len(), d.len());
        prop_assert_eq!(&got, &m);
        let scanned: HashSet<Bytes> = full_scan(&d, 7).into_iter().collect();
        prop_assert_eq!(scanned, m.keys().cloned().collect::<HashSet<_>>());
        if !m.is_empty() {
            let (k, v) = d.random_entry(seed).unwrap();
            prop_assert_eq!(m.get(k), Some(v));
        }
    }

    /// Keys present for the whole scan are all returned, whatever inserts,
    /// deletes (of other keys) and resizes happen between SCAN calls.
    #[test]
    fn scan_guarantee(
        seed: u64,
        initial in 0usize..400,
        stable_every in 1usize..5,
        count in 1usize..20,
        steps in prop::collection::vec((0u16..2000, any::<bool>(), 0usize..60), 1..200),
    ) {
        let mut d = Dict::new(seed);
        let mut stable = HashSet::new();
        for i in 0..initial {
            let k = Bytes::from(format!("s{i}"));
            d.insert(k.clone(), ());
            if i % stable_every == 0 {
                stable.insert(k);
            }
        }
        let mut seen = HashSet::new();
        let mut c = 0;
        let mut steps = steps.into_iter();
        let mut calls = 0;
        loop {
            c = d.scan(c, count, |k, _| { seen.insert(k.clone()); });
            calls += 1;
            prop_assert!(calls < 100_000, "scan did not terminate");
            if c == 0 {
                break;
            }
            // Mutate between calls: churn volatile keys, delete the
            // non-stable initial keys (shrinking), or grow a burst.
            if let Some((x, grow, burst)) = steps.next() {
                if grow {
                    for j in 0..burst {
                        d.insert(Bytes::from(format!("v{x}-{j}")), ());
                    }
                } else {
                    for j in 0..burst {
                        d.remove(format!("v{x}-{j}").as_bytes());
                    }
                    let victims: Vec<Bytes> = d
                        .keys()
                        .filter(|k| !stable.contains(*k))
                        .take(burst * 4)
                        .cloned()
                        .collect();
                    for v in victims {
                        d.remove(&v);
                    }
                }
                d.rehash_steps(x as usize % 3);
            }
        }
        for k in &stable {
            prop_assert!(seen.contains(k), "stable key {:?} not returned", k);
        }
    }
}

#[test]
fn entries_stay_compact() {
    // One allocation per entry: key handle, value, next pointer. The
    // expires table's entries (u64 values) must stay at 48 bytes.
    assert_eq!(std::mem::size_of::<Node<u64, Bytes>>(), 48);
    assert_eq!(std::mem::size_of::<Link<u64, Bytes>>(), 8);
    // The keyspace's node: inline key, 32-byte entry, next = one 64-byte
    // size class (with mimalloc, no per-allocation header).
    assert_eq!(
        std::mem::size_of::<Node<crate::engine::db::Entry, crate::engine::smallkey::SmallKey>>(),
        64
    );
}

#[test]
fn scan_count_pages_a_big_table() {
    let mut d = Dict::new(4);
    for i in 0..1000 {
        d.insert(key(i), ());
    }
    let (mut calls, mut c, mut total) = (0, 0, 0);
    loop {
        let mut n = 0;
        c = d.scan(c, 5, |_, _| n += 1);
        calls += 1;
        total += n;
        // At load factor <= 1 a call stops soon after COUNT entries.
        assert!(n < 5 + 16, "one call returned {n}");
        if c == 0 {
            break;
        }
    }
    assert_eq!(total, 1000);
    assert!(calls >= 1000 / 21);
}
