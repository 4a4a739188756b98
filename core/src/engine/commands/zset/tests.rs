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
