//! HyperLogLog command tests: transcripts recorded from redis-server
//! 7.0.15, replayed byte for byte (GET on HLL keys checks the raw bytes).

use bytes::Bytes;

use crate::engine::commands::replay::Harness;

/// Random PFADD/PFCOUNT/PFMERGE sessions, with raw GETs, corrupted copies
/// SET back, SETBIT/APPEND on HLLs and hll-sparse-max-bytes changes,
/// recorded with `tests/data/record/bits_session.py`.
#[test]
fn replays_recorded_random_sessions() {
    for transcript in [
        include_str!("../../../../tests/data/hll_redis7_seed1.txt"),
        include_str!("../../../../tests/data/hll_redis7_seed2.txt"),
        include_str!("../../../../tests/data/hll_redis7_seed3.txt"),
    ] {
        Harness::new().script(transcript);
    }
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// HyperLogLogs created by redis-server (sparse and dense, cache valid)
/// SET into keyrs keep working: PFADD of the next elements, PFCOUNT and GET
/// then agree with what redis-server answered for the same continuation
/// (`tests/data/hll_bulk_redis7.tsv`).
#[test]
fn hll_bytes_from_redis_keep_working() {
    let data = include_str!("../../../../tests/data/hll_bulk_redis7.tsv");
    let rows: Vec<Vec<&str>> = data.lines().map(|l| l.split('\t').collect()).collect();
    for pair in rows.windows(2).take(12) {
        let (from, to) = (&pair[0], &pair[1]);
        let n0: u64 = from[0].parse().unwrap();
        let n1: u64 = to[0].parse().unwrap();
        let mut h = Harness::new();
        let set = vec![
            Bytes::from_static(b"set"),
            Bytes::from_static(b"h"),
            Bytes::from(unhex(from[3])),
        ];
        assert_eq!(h.run(set), "+OK\\r\\n");
        let mut add = vec![Bytes::from_static(b"pfadd"), Bytes::from_static(b"h")];
        add.extend((n0..n1).map(|i| Bytes::from(format!("e{i}"))));
        assert_eq!(h.run(add), ":1\\r\\n", "pfadd {n0}..{n1}");
        let count = h.run(vec![
            Bytes::from_static(b"pfcount"),
            Bytes::from_static(b"h"),
        ]);
        assert_eq!(count, format!(":{}\\r\\n", to[1]), "count at {n1}");
        let Some(crate::engine::value::Value::Str(s)) =
            h.engine.dbs[0].keys.get(&b"h"[..]).map(|e| &e.value)
        else {
            panic!("h is a string");
        };
        assert_eq!(s.to_bytes(), Bytes::from(unhex(to[3])), "bytes at {n1}");
        assert_eq!(s.encoding(), "raw");
    }
}
