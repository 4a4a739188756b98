//! Sorted-set command tests. Every expectation was read from redis-server
//! 7.0.15: the random sessions in `core/tests/data/zset_redis7_*.txt`
//! (recorded by `core/tests/data/record/zset_session.py`) replay byte for
//! byte, and the hand-written scripts below were checked with
//! `record/transcript.py`.

use crate::engine::commands::replay::Harness;

fn replay(text: &str) {
    Harness::new().script(text);
}

#[test]
fn recorded_session_seed1() {
    replay(include_str!("../../../../tests/data/zset_redis7_seed1.txt"));
}

#[test]
fn recorded_session_seed2() {
    replay(include_str!("../../../../tests/data/zset_redis7_seed2.txt"));
}

#[test]
fn recorded_session_seed3() {
    replay(include_str!("../../../../tests/data/zset_redis7_seed3.txt"));
}

#[test]
fn recorded_session_resp3() {
    replay(include_str!(
        "../../../../tests/data/zset_redis7_seed4_resp3.txt"
    ));
}

#[test]
fn options_and_errors() {
    replay(include_str!(
        "../../../../tests/data/zset_hand_options_errors.txt"
    ));
}

#[test]
fn pops_randmember_and_set_operations() {
    replay(include_str!(
        "../../../../tests/data/zset_hand_pops_setops.txt"
    ));
}

#[test]
fn resp3_nests_score_pairs() {
    replay(include_str!("../../../../tests/data/zset_hand_resp3.txt"));
}

#[test]
fn encodings_follow_thresholds_and_stores() {
    replay(include_str!(
        "../../../../tests/data/zset_hand_encodings.txt"
    ));
}

#[test]
fn ranges_limits_and_float_bounds() {
    replay(include_str!("../../../../tests/data/zset_hand_ranges.txt"));
}

#[test]
fn negative_zero_per_encoding() {
    replay(include_str!("../../../../tests/data/zset_hand_negzero.txt"));
}

/// The bulk payloads of an escaped RESP2 reply (members and scores here
/// are plain ASCII without CR/LF).
fn bulks(reply: &str) -> Vec<String> {
    reply
        .split("\\r\\n")
        .filter(|t| !t.is_empty() && !t.starts_with('*') && !t.starts_with('$'))
        .map(str::to_string)
        .collect()
}

fn cmd(h: &mut Harness, line: &str) -> String {
    h.run(crate::engine::commands::replay::split(line))
}

#[test]
fn randmember_draws_follow_the_count_rules() {
    let mut h = Harness::new();
    cmd(&mut h, "zadd z 1 a 2 b 3 c 4 d 5 e");
    let mut big = String::from("zadd big");
    for i in 0..200 {
        big.push_str(&format!(" {i} m{i}"));
    }
    cmd(&mut h, &big);
    let members = ["a", "b", "c", "d", "e"];
    let mut seen_negative = std::collections::HashSet::new();
    for _ in 0..200 {
        // Positive counts: distinct members (both the "drop some" and the
        // "draw some" strategies).
        for (count, key) in [(1, "z"), (3, "z"), (4, "z"), (10, "big"), (150, "big")] {
            let got = bulks(&cmd(&mut h, &format!("zrandmember {key} {count}")));
            assert_eq!(got.len(), count);
            let distinct: std::collections::HashSet<_> = got.iter().collect();
            assert_eq!(distinct.len(), count, "{got:?}");
            if key == "z" {
                assert!(got.iter().all(|m| members.contains(&m.as_str())));
            }
        }
        // Negative counts: repetitions allowed, exactly |count| answers.
        let got = bulks(&cmd(&mut h, "zrandmember z -8 withscores"));
        assert_eq!(got.len(), 16);
        for pair in got.chunks(2) {
            let i = members.iter().position(|m| *m == pair[0]).unwrap();
            assert_eq!(pair[1], (i + 1).to_string());
            seen_negative.insert(pair[0].clone());
        }
        let one = bulks(&cmd(&mut h, "zrandmember z"));
        assert_eq!(one.len(), 1);
        assert!(members.contains(&one[0].as_str()));
    }
    assert_eq!(seen_negative.len(), 5, "every member gets drawn");
}

#[test]
fn only_real_changes_count_as_modifications() {
    let mut h = Harness::new();
    let dirty = |h: &Harness| h.engine.stats.dirty;
    let steps: &[(&str, bool)] = &[
        ("zadd z 1 a 2 b", true),
        ("zadd z 1 a", false),
        ("zadd z nx 5 a", false),
        ("zadd z xx 1 nope", false),
        ("zadd z gt 0 a", false),
        ("zadd z incr 0 a", false),
        ("zadd z incr 1 a", true),
        ("zincrby z 0 b", false),
        ("zrem z nope", false),
        ("zrem z a", true),
        ("zremrangebyscore z 10 20", false),
        ("zremrangebyrank z 5 6", false),
        ("zpopmin z 0", false),
        ("zpopmin nokey", false),
        ("zunionstore d 1 nokey", false),
        ("zunionstore d 1 z", true),
        ("zunionstore d 1 nokey", true),
        ("zrangestore d nokey 0 -1", false),
        ("zpopmax z", true),
    ];
    for (line, changes) in steps {
        let before = dirty(&h);
        cmd(&mut h, line);
        assert_eq!(dirty(&h) > before, *changes, "{line}");
    }
    assert_eq!(cmd(&mut h, "exists z d"), ":0\\r\\n");
}

#[test]
fn nan_increment_keeps_the_set_unchanged() {
    Harness::new().script(
        r#"
        zadd z inf a => :1\r\n
        zincrby z -inf a => -ERR resulting score is not a number (NaN)\r\n
        zadd z incr -inf a => -ERR resulting score is not a number (NaN)\r\n
        zscore z a => $3\r\ninf\r\n
        zadd z gt incr 1 a => $-1\r\n
        zadd z lt incr -1 a => $-1\r\n
        zadd z xx ch incr 1 a => $3\r\ninf\r\n
        zadd z ch 1 a 2 b => :2\r\n
        zadd z gt ch 0 a 3 b 4 c => :2\r\n
        zadd z lt xx ch 0 a 3 b 4 c => :1\r\n
        zrange z 0 -1 withscores => *6\r\n$1\r\na\r\n$1\r\n0\r\n$1\r\nb\r\n$1\r\n3\r\n$1\r\nc\r\n$1\r\n4\r\n
        "#,
    );
}

/// Plain sets as ZUNION/ZINTER/ZDIFF inputs (score 1 each).
#[test]
fn recorded_session_with_set_inputs() {
    replay(include_str!(
        "../../../../tests/data/zset_redis7_seed5_sets.txt"
    ));
}

#[test]
fn keyspace_hits_and_misses_as_redis_counts_them() {
    replay(include_str!(
        "../../../../tests/data/zset_hand_keyspace_stats.txt"
    ));
}

mod no_panics {
    use super::*;
    use bytes::Bytes;
    use proptest::prelude::*;

    const NAMES: &[&str] = &[
        "zadd",
        "zincrby",
        "zrem",
        "zcard",
        "zcount",
        "zscore",
        "zmscore",
        "zrank",
        "zrevrank",
        "zrange",
        "zrangestore",
        "zrevrange",
        "zrangebyscore",
        "zrevrangebyscore",
        "zrangebylex",
        "zrevrangebylex",
        "zlexcount",
        "zremrangebyrank",
        "zremrangebyscore",
        "zremrangebylex",
        "zpopmin",
        "zpopmax",
        "zmpop",
        "zrandmember",
        "zunion",
        "zunionstore",
        "zinter",
        "zinterstore",
        "zintercard",
        "zdiff",
        "zdiffstore",
        "zscan",
        "set",
    ];
    const WORDS: &[&str] = &[
        "k",
        "k2",
        "s",
        "0",
        "1",
        "-1",
        "2",
        "3",
        "-3",
        "100",
        "inf",
        "-inf",
        "(1",
        "[a",
        "(a",
        "-",
        "+",
        "nan",
        "",
        "withscores",
        "limit",
        "rev",
        "byscore",
        "bylex",
        "nx",
        "xx",
        "gt",
        "lt",
        "ch",
        "incr",
        "weights",
        "aggregate",
        "sum",
        "min",
        "max",
        "count",
        "match",
        "*",
        "9223372036854775807",
        "-9223372036854775808",
        "4611686018427387904",
        "1e308",
        "a",
        "b",
        "\x00",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Arbitrary sorted-set command sequences never panic, and the
        /// structure never keeps an empty zset.
        #[test]
        fn random_commands(cmds in proptest::collection::vec(
            (0..NAMES.len(), proptest::collection::vec(0..WORDS.len(), 0..9)), 1..60),
            small in any::<bool>()) {
            let mut h = Harness::new();
            if small {
                h.run(crate::engine::commands::replay::split("config set zset-max-listpack-entries 2"));
            }
            for (name, args) in cmds {
                let mut argv = vec![Bytes::from_static(NAMES[name].as_bytes())];
                argv.extend(args.into_iter().map(|i| Bytes::from_static(WORDS[i].as_bytes())));
                h.run(argv);
                for key in [&b"k"[..], b"k2"] {
                    if let Some(en) = h.engine.dbs[0].keys.get(key) {
                        if let crate::engine::value::Value::ZSet(z) = &en.value {
                            prop_assert!(!z.is_empty());
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn float_parsing_of_scores_and_bounds() {
    replay(include_str!(
        "../../../../tests/data/zset_hand_float_parsing.txt"
    ));
}

#[test]
fn recorded_session_mostly_skiplist() {
    replay(include_str!(
        "../../../../tests/data/zset_redis7_seed6_small.txt"
    ));
}

#[test]
fn debug_digest_matches_redis() {
    replay(include_str!("../../../../tests/data/zset_hand_digest.txt"));
}

#[test]
fn command_getkeys_and_info() {
    replay(include_str!("../../../../tests/data/zset_hand_command.txt"));
}

#[test]
fn sets_as_inputs_score_one() {
    replay(include_str!(
        "../../../../tests/data/zset_hand_set_inputs.txt"
    ));
}
