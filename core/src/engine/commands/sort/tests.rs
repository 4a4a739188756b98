//! SORT tests: hand-picked cases recorded from redis-server 7.0.15.

use crate::engine::commands::replay::Harness;

/// `record/sort_cases.txt` through `record/transcript.py`.
#[test]
fn hand_picked_cases() {
    Harness::new().script(include_str!("../../../../tests/data/sort_cases_redis7.txt"));
}

/// BY and GET lookups count keyspace hits and misses as Redis's
/// `lookupKeyRead` does (checked with INFO stats on redis-server 7.0).
#[test]
fn pattern_lookups_count_hits_and_misses() {
    let mut h = Harness::new();
    h.script(
        "rpush l 1 2 3 => :3\\r\\n
         set w_1 5 => +OK\\r\\n
         hset h_2 f x => :1\\r\\n
         @stats => 0 0
         sort l by w_* get h_*->f get # => *6\\r\\n$1\\r\\nx\\r\\n$1\\r\\n2\\r\\n$-1\\r\\n$1\\r\\n3\\r\\n$-1\\r\\n$1\\r\\n1\\r\\n
         @stats => 3 4",
    );
}

/// A sorted set or any other type never panics the command, whatever the
/// options (a smoke test over option combinations).
#[test]
fn option_combinations_never_panic() {
    let mut h = Harness::new();
    h.script("rpush l b a 3 => :3\\r\\n");
    h.script("sadd s 3 1 x => :3\\r\\n");
    let opts = [
        "",
        "desc",
        "alpha",
        "limit 0 1",
        "limit -1 -1",
        "limit 5 5",
        "by nosort",
        "by w_*",
        "get #",
        "get w_*->x",
        "store d",
    ];
    for key in ["l", "s", "missing"] {
        for a in opts {
            for b in opts {
                let cmd = format!("sort {key} {a} {b}");
                let argv = crate::engine::commands::replay::split(cmd.trim());
                let _ = h.run(argv);
            }
        }
    }
}

/// Sorted sets: `record/sort_zset_cases.txt` through `record/transcript.py`
/// (BY nosort keeps score order and reads only the LIMIT range).
#[test]
fn sorted_set_cases() {
    Harness::new().script(include_str!(
        "../../../../tests/data/sort_zset_cases_redis7.txt"
    ));
}
