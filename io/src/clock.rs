//! Wall-clock time for the engine. The engine never reads a clock itself: the
//! runtime reads it here and hands the value in.

use std::time::{SystemTime, UNIX_EPOCH};

use keyrs_core::engine::Time;

/// Now, as microseconds since the Unix epoch. A clock set before 1970 reads
/// as the epoch rather than failing: the engine only needs monotone-ish time.
pub fn now() -> Time {
    let unix_us = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
        .unwrap_or(0);
    Time { unix_us }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_is_after_2020_and_does_not_go_backwards_much() {
        let a = now();
        let b = now();
        // 2020-01-01 in microseconds.
        assert!(a.unix_us > 1_577_836_800_000_000);
        assert!(b >= a);
    }
}
