//! Geo command tests: hand-picked cases recorded from redis-server 7.0.15.

use crate::engine::commands::replay::Harness;

/// `record/geo_cases.txt` through `record/transcript.py`.
#[test]
fn hand_picked_cases() {
    Harness::new().script(include_str!("../../../../tests/data/geo_cases_redis7.txt"));
}
