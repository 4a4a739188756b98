//! Sorted-set command tests. Every expectation was read from redis-server
//! 7.0.15: the random sessions in `core/tests/data/zset_redis7_*.txt`
//! (recorded by `core/tests/data/record/zset_session.py`) replay byte for
//! byte, and the hand-written scripts below were checked with
//! `record/transcript.py`.

use crate::engine::commands::string::tests::Harness;

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
