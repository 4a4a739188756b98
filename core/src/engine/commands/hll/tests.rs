//! HyperLogLog command tests: transcripts recorded from redis-server
//! 7.0.15, replayed byte for byte (GET on HLL keys checks the raw bytes).

use crate::engine::commands::string::tests::Harness;

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
