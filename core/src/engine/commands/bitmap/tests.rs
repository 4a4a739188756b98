//! Bitmap command tests: transcripts recorded from redis-server 7.0.15
//! (`command => raw RESP reply`), replayed against the engine byte for
//! byte with the string tests' harness.

use crate::engine::commands::string::tests::Harness;

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
