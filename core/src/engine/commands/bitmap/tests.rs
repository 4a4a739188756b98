//! Bitmap command tests: transcripts recorded from redis-server 7.0.15
//! (`command => raw RESP reply`), replayed against the engine byte for
//! byte with the string tests' harness.

use bytes::Bytes;

use crate::engine::commands::replay::Harness;

/// Random sessions of every bitmap command (valid and invalid arguments)
/// mixed with SET/APPEND/EXPIRE/OBJECT ENCODING, recorded with
/// `tests/data/record/bits_session.py`.
#[test]
fn replays_recorded_random_sessions() {
    for transcript in [
        include_str!("../../../../tests/data/bits_redis7_seed1.txt"),
        include_str!("../../../../tests/data/bits_redis7_seed2.txt"),
        include_str!("../../../../tests/data/bits_redis7_seed3.txt"),
        include_str!("../../../../tests/data/bits_redis7_seed4.txt"),
    ] {
        Harness::new().script(transcript);
    }
}

/// Keyspace hits/misses and the change counter after each bitmap and
/// HyperLogLog command, read
/// from redis-server 7.0.15's INFO (`keyspace_hits`, `keyspace_misses`,
/// the `rdb_changes_since_last_save` delta) after `CONFIG RESETSTAT`.
/// A change is counted only when a bit or register really changed (or the
/// key was created or grew), as Redis 7.0 does.
#[test]
fn keyspace_stats_and_change_counts() {
    let rows: &[(&str, &str, u64, u64, u64)] = &[
        ("setbit a 7 1", ":0\\r\\n", 0, 0, 1),
        ("setbit a 7 1", ":1\\r\\n", 0, 0, 0),
        ("setbit a 7 0", ":1\\r\\n", 0, 0, 1),
        ("setbit a 100 0", ":0\\r\\n", 0, 0, 1),
        ("getbit a 0", ":0\\r\\n", 1, 0, 0),
        ("getbit missing 0", ":0\\r\\n", 1, 1, 0),
        ("bitcount a", ":0\\r\\n", 2, 1, 0),
        ("bitcount missing", ":0\\r\\n", 2, 2, 0),
        ("bitpos a 1", ":-1\\r\\n", 3, 2, 0),
        ("bitpos missing 1", ":-1\\r\\n", 3, 3, 0),
        ("bitop or d a missing", ":13\\r\\n", 4, 4, 1),
        ("bitop and d missing", ":0\\r\\n", 4, 5, 1),
        ("bitop and d missing", ":0\\r\\n", 4, 6, 0),
        ("bitfield a get u8 0", "*1\\r\\n:0\\r\\n", 5, 6, 0),
        ("bitfield missing get u8 0", "*1\\r\\n:0\\r\\n", 5, 7, 0),
        ("bitfield a set u8 0 0", "*1\\r\\n:0\\r\\n", 5, 7, 0),
        (
            "bitfield a set u8 0 1 set u8 8 1 incrby u8 0 1",
            "*3\\r\\n:0\\r\\n:0\\r\\n:2\\r\\n",
            5,
            7,
            3,
        ),
        ("bitfield a incrby u8 1000 0", "*1\\r\\n:0\\r\\n", 5, 7, 1),
        ("bitfield_ro a get u8 0", "*1\\r\\n:2\\r\\n", 6, 7, 0),
        ("pfadd h", ":1\\r\\n", 6, 7, 1),
        ("pfadd h x", ":1\\r\\n", 6, 7, 1),
        ("pfadd h x", ":0\\r\\n", 6, 7, 0),
        ("pfcount h", ":1\\r\\n", 7, 7, 1),
        ("pfcount h", ":1\\r\\n", 8, 7, 0),
        ("pfcount h missing", ":1\\r\\n", 9, 8, 0),
        ("pfadd h y z", ":1\\r\\n", 9, 8, 2),
        ("pfcount h", ":3\\r\\n", 10, 8, 1),
        ("pfmerge h", "+OK\\r\\n", 11, 8, 1),
        ("pfmerge h2 h missing", "+OK\\r\\n", 12, 10, 1),
        ("pfmerge h2 h", "+OK\\r\\n", 14, 10, 1),
        ("pfdebug todense h", ":1\\r\\n", 14, 10, 1),
        ("pfdebug todense h", ":0\\r\\n", 14, 10, 0),
        ("pfdebug encoding h", "+dense\\r\\n", 14, 10, 0),
        ("pfdebug getreg h2", "*16384\\r\\n:0", 14, 10, 1),
    ];
    let mut h = Harness::new();
    for &(cmd, want, hits, misses, dirty) in rows {
        let argv = cmd
            .split(' ')
            .map(|a| Bytes::copy_from_slice(a.as_bytes()))
            .collect();
        let before = h.engine.stats.dirty;
        let got = h.run(argv);
        assert!(got.starts_with(want), "{cmd}: {got}");
        let stats = &h.engine.stats;
        assert_eq!(
            (stats.keyspace_hits, stats.keyspace_misses),
            (hits, misses),
            "{cmd}"
        );
        assert_eq!(stats.dirty - before, dirty, "{cmd}");
    }
}

/// Recorded edge cases: BITPOS's not-found rules with and without an end,
/// BIT ranges, empty and integer-encoded strings, encodings after writes,
/// BITOP's TTL/encoding/deletion, BITFIELD overflow corner cases (Redis's
/// wrapping intermediate arithmetic) and the proto-max-bulk-len limit.
#[test]
fn replays_recorded_edge_cases() {
    Harness::new().script(include_str!("../../../../tests/data/bits_edges_redis7.txt"));
}

/// Every bitmap and HLL command against a list (error precedence: argument
/// errors that Redis checks before the lookup come first).
#[test]
fn wrong_type_replies() {
    Harness::new().script(include_str!(
        "../../../../tests/data/bits_wrongtype_redis7.txt"
    ));
}

/// RESP3: a failed BITFIELD write answers null.
#[test]
fn bitfield_fail_is_null_in_resp3() {
    Harness::new().script(
        r"
        @resp3 => ok
        bitfield k overflow fail incrby u2 0 10 set u2 0 1 => *2\r\n_\r\n:0\r\n
        ",
    );
}

mod never_panic {
    use bytes::Bytes;
    use proptest::prelude::*;

    use crate::engine::commands::replay::Harness;

    fn arg() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            prop::sample::select(vec![
                "0",
                "1",
                "-1",
                "7",
                "8",
                "63",
                "64",
                "65",
                "#0",
                "#1",
                "#-1",
                "#",
                "i64",
                "u63",
                "u64",
                "i1",
                "u1",
                "i8",
                "get",
                "set",
                "incrby",
                "overflow",
                "wrap",
                "sat",
                "fail",
                "bit",
                "byte",
                "and",
                "or",
                "xor",
                "not",
                "a",
                "b",
                "h",
                "8388607",
                "8388608",
                "9223372036854775807",
                "-9223372036854775808",
            ])
            .prop_map(|s| s.as_bytes().to_vec()),
            prop::collection::vec(any::<u8>(), 0..24),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Random argument soups for every bitmap and HLL command (plus SET
        /// and APPEND to produce odd strings and broken HLLs) never panic.
        #[test]
        fn random_commands_never_panic(
            cmds in prop::collection::vec(
                (
                    prop::sample::select(vec![
                        "setbit", "getbit", "bitcount", "bitpos", "bitop", "bitfield",
                        "bitfield_ro", "pfadd", "pfcount", "pfmerge", "pfdebug", "set", "append",
                        "setrange",
                    ]),
                    prop::collection::vec(arg(), 0..8),
                ),
                1..40,
            )
        ) {
            let mut h = Harness::new();
            // Offsets stay within 1MB so the test does not allocate 512MB.
            h.engine.config.proto_max_bulk_len = 1 << 20;
            for (name, args) in cmds {
                let mut argv = vec![Bytes::from_static(name.as_bytes())];
                argv.extend(args.into_iter().map(Bytes::from));
                let _ = h.run(argv);
            }
        }
    }
}
