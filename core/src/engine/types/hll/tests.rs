//! HyperLogLog representation tests: estimates and raw bytes recorded from
//! redis-server 7.0.15 at growing cardinalities, and property tests of the
//! sparse/dense encodings against a plain register array.

use proptest::prelude::*;

use super::*;

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Adds "e0".."e{N-1}" (and "g0".. to a second HLL) exactly as
/// `tests/data/record/hll_bulk.py` did against redis-server, comparing at
/// each checkpoint: PFCOUNT, the union PFCOUNT of both keys, and the raw
/// string (GET after PFCOUNT stored the cache), sparse and dense alike.
#[test]
fn matches_redis_estimates_and_bytes_at_growing_cardinalities() {
    let data = include_str!("../../../../tests/data/hll_bulk_redis7.tsv");
    let mut h = new_sparse();
    let mut g = new_sparse();
    let (mut added, mut gadded) = (0u64, 0u64);
    for line in data.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let n: u64 = f[0].parse().unwrap();
        while added < n {
            // Redis invalidates the cache on every PFADD that changes a
            // register; the count below does not read the cache.
            add(&mut h, format!("e{added}").as_bytes(), 3000).unwrap();
            added += 1;
        }
        while gadded < n / 2 {
            add(&mut g, format!("g{gadded}").as_bytes(), 3000).unwrap();
            gadded += 1;
        }
        let card = count(&h).unwrap();
        assert_eq!(card.to_string(), f[1], "PFCOUNT at {n}");
        let mut max = vec![0u8; REGISTERS];
        merge_into(&mut max, &h).unwrap();
        merge_into(&mut max, &g).unwrap();
        assert_eq!(count_registers(&max).to_string(), f[2], "union at {n}");
        set_cached_card(&mut h, card);
        assert_eq!(hex(&h), f[3], "bytes at {n}");
        assert_eq!(cached_card(&h), Some(card));
    }
}

/// Register and value per element, read from redis-server 7.0.15 with
/// `PFADD t <el>` + `PFDEBUG DECODE t` (covers every MurmurHash64A tail
/// length and the 8-byte block loop).
#[test]
fn pat_len_matches_redis() {
    for (el, reg, val) in [
        ("", 5938, 2),
        ("a", 12711, 2),
        ("ab", 719, 1),
        ("abc", 9474, 1),
        ("abcd", 11070, 8),
        ("abcde", 3726, 4),
        ("abcdef", 13647, 2),
        ("abcdefg", 5634, 2),
        ("abcdefgh", 1383, 1),
        ("abcdefghi", 6903, 1),
        ("abcdefghijklmnopq", 4271, 1),
    ] {
        assert_eq!(pat_len(el.as_bytes()), (reg, val), "{el:?}");
        let mut h = new_sparse();
        add(&mut h, el.as_bytes(), 3000).unwrap();
        let text = format!("Z:{reg} v:{val},1 Z:{}", REGISTERS - reg - 1);
        assert_eq!(decode_sparse(&h), Some(text));
    }
}

#[test]
fn fresh_hll_layout() {
    let h = new_sparse();
    assert_eq!(
        h,
        b"HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff"
    );
    assert!(is_valid(&h));
    assert_eq!(cached_card(&h), Some(0));
    assert_eq!(count(&h), Ok(0));
    let mut d = h.clone();
    sparse_to_dense(&mut d).unwrap();
    assert_eq!(d.len(), DENSE_SIZE);
    assert!(is_valid(&d));
    assert!(!is_valid(&d[..DENSE_SIZE - 1]));
    assert!(!is_valid(
        b"HYLL\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff"
    ));
}

#[test]
fn corrupt_sparse_is_detected() {
    // Registers sum to less than 16384.
    let mut h = new_sparse();
    h.truncate(HDR_SIZE + 1);
    h[HDR_SIZE] = 0x00;
    assert_eq!(count(&h), Err(Corrupt));
    assert_eq!(sparse_to_dense(&mut h.clone()), Err(Corrupt));
    let mut max = vec![0u8; REGISTERS];
    assert_eq!(merge_into(&mut max, &h), Err(Corrupt));
    // A VAL running past the last register.
    let mut h = new_sparse();
    h.push(0x83);
    assert_eq!(merge_into(&mut max, &h), Err(Corrupt));
}

proptest! {
    /// Any sequence of register updates leaves a sparse HLL that decodes
    /// to the model's registers (and stays within 16384 registers), and
    /// converts to a dense HLL with the same registers and estimate.
    #[test]
    fn sparse_updates_match_a_register_model(
        updates in prop::collection::vec((0usize..REGISTERS, 1u8..=52), 0..400),
        clustered in any::<bool>(),
        max_bytes in prop::sample::select(vec![20usize, 100, 300, 3000, 100_000]),
    ) {
        let mut h = new_sparse();
        let mut model = vec![0u8; REGISTERS];
        for (i, c) in updates {
            // Clustered indexes exercise VAL splits and merges.
            let i = if clustered { i % 64 } else { i };
            let changed = set_register(&mut h, i, c, max_bytes).unwrap();
            prop_assert_eq!(changed, c > model[i]);
            model[i] = model[i].max(c);
            prop_assert!(is_valid(&h));
            if h[4] == SPARSE {
                prop_assert!(h.len() <= max_bytes.max(HDR_SIZE + 2));
            }
        }
        prop_assert_eq!(registers(&h).unwrap(), model.clone());
        let sparse_count = count(&h).unwrap();
        prop_assert_eq!(sparse_count, count_registers(&model));
        let mut d = h.clone();
        sparse_to_dense(&mut d).unwrap();
        prop_assert_eq!(registers(&d).unwrap(), model);
        prop_assert_eq!(count(&d).unwrap(), sparse_count);
    }

    /// Decoding never panics on arbitrary bytes after a valid header.
    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..64), enc in 0u8..2) {
        let mut h = b"HYLL".to_vec();
        h.push(enc);
        h.extend_from_slice(&[0; 11]);
        h.extend_from_slice(&body);
        let _ = count(&h);
        let mut max = vec![0u8; REGISTERS];
        let _ = merge_into(&mut max, &h);
        let _ = decode_sparse(&h);
        let mut c = h.clone();
        let _ = add(&mut c, b"x", 3000);
        let _ = sparse_to_dense(&mut h);
    }
}
