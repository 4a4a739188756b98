//! Geo command tests: hand-picked cases recorded from redis-server 7.0.15.

use crate::engine::commands::replay::Harness;

/// `record/geo_cases.txt` through `record/transcript.py`.
#[test]
fn hand_picked_cases() {
    Harness::new().script(include_str!("../../../../tests/data/geo_cases_redis7.txt"));
}

/// Random sessions (`record/geo_session.py SEED 300 | transcript.py`): 200
/// clustered and global points, searches of every shape and option mix,
/// unsorted replies included (Redis's box scan order). Seed 1 runs with
/// `zset-max-listpack-entries 4`, seed 2 with the default limit (both end
/// up skiplists at 200 points; the small-set listpack path is in the cases).
#[test]
fn random_session_seed1() {
    Harness::new().script(include_str!("../../../../tests/data/geo_redis7_seed1.txt"));
}

/// See [`random_session_seed1`].
#[test]
fn random_session_seed2() {
    Harness::new().script(include_str!("../../../../tests/data/geo_redis7_seed2.txt"));
}

/// Infinite and huge radii and boxes, poles, zero sizes and foreign
/// scores (`record/geo_extreme.txt`).
#[test]
fn extreme_arguments() {
    Harness::new().script(include_str!(
        "../../../../tests/data/geo_extreme_redis7.txt"
    ));
}
