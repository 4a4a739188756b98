//! Stamps: KeyDB's 64-bit MVCC timestamp format, produced by a hybrid
//! logical clock, and the total order of versions.
//!
//! A [`Stamp`] is `(unix_ms << 20) | counter`, the layout KeyDB puts in its
//! `mvcc-tstamp` RDB field and its RREPLAY envelope, so the two interoperate
//! on the wire. KeyDB only reads its own wall clock; keyrs's [`Hlc`] takes
//! the maximum of the local clock and every stamp it received, so a stamp is
//! never behind anything its node has seen (a node whose clock runs late
//! still stamps its writes after the writes it applied: causality holds
//! whatever the skew).
//!
//! A [`Version`] pairs a stamp with the origin node's id. Two nodes can mint
//! the same stamp; comparing `(stamp, origin)` breaks the tie the same way
//! on every node, so "the highest version wins" is a total order.

use std::fmt;

use super::node::NodeId;
use crate::engine::Time;

/// Bits of the logical counter below the milliseconds (KeyDB's `MVCC_MS_SHIFT`).
pub const MS_SHIFT: u32 = 20;

/// Mask of the counter bits.
pub const COUNTER_MASK: u64 = (1 << MS_SHIFT) - 1;

/// A 64-bit hybrid-logical-clock stamp: `(ms << 20) | counter`.
///
/// Stamp 0 means "no stamp" on the wire (KeyDB sends it for legacy
/// commands), and it is also the version of a key written before active
/// replication was on: it loses to every real stamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Stamp(pub u64);

impl Stamp {
    /// No stamp: older than everything.
    pub const ZERO: Stamp = Stamp(0);

    /// The first stamp of a millisecond (counter 0). Milliseconds beyond
    /// what 44 bits hold saturate (year 2527).
    pub fn from_ms(ms: u64) -> Stamp {
        Stamp(
            ms.checked_shl(MS_SHIFT)
                .filter(|s| s >> MS_SHIFT == ms)
                .unwrap_or(!COUNTER_MASK),
        )
    }

    /// The wall-clock milliseconds part (OBJECT LASTMODIFIED's base).
    pub fn ms(self) -> u64 {
        self.0 >> MS_SHIFT
    }

    /// The logical counter part.
    pub fn counter(self) -> u64 {
        self.0 & COUNTER_MASK
    }

    /// Decimal, as the RREPLAY envelope and the `mvcc-tstamp` field carry it.
    pub fn to_decimal(self) -> String {
        self.0.to_string()
    }

    /// Parse the decimal form (digits only, no sign, no overflow).
    pub fn parse(text: &[u8]) -> Option<Stamp> {
        if text.is_empty() || text.len() > 20 || !text.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(text)
            .ok()?
            .parse::<u64>()
            .ok()
            .map(Stamp)
    }
}

impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A hybrid logical clock: the last stamp issued or observed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Hlc {
    last: Stamp,
}

impl Hlc {
    /// A clock that has issued and seen nothing.
    pub fn new() -> Hlc {
        Hlc::default()
    }

    /// A clock restored from the highest stamp a node persisted, so a
    /// restarted node with a clock that went back never reissues a stamp.
    pub fn resume(last: Stamp) -> Hlc {
        Hlc { last }
    }

    /// The last stamp issued or observed.
    pub fn last(&self) -> Stamp {
        self.last
    }

    /// A new stamp at `now`: the wall clock's first stamp of this
    /// millisecond when the clock is ahead, otherwise one more than the last
    /// (the counter carries into the milliseconds, as KeyDB's does). Strictly
    /// greater than every earlier stamp and every observed one, except at
    /// `u64::MAX`, where the clock stays (2^64 stamps: never in practice).
    pub fn tick(&mut self, now: Time) -> Stamp {
        let wall = Stamp::from_ms(now.ms());
        let next = Stamp(self.last.0.saturating_add(1));
        self.last = wall.max(next);
        self.last
    }

    /// A stamp arrived from another node: later ticks are issued after it.
    pub fn observe(&mut self, received: Stamp) {
        self.last = self.last.max(received);
    }
}

/// A key state's version: its stamp, ties broken by the origin node's id.
/// The derived order compares the stamp first, then the origin's 16 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    /// When (in the hybrid clock) the state was written.
    pub stamp: Stamp,
    /// The node where the write ran.
    pub origin: NodeId,
}

impl Version {
    /// The version of state that has no stamp (written before active
    /// replication was on): loses to every stamped write.
    pub const UNSTAMPED: Version = Version {
        stamp: Stamp::ZERO,
        origin: NodeId::NIL,
    };

    /// A version.
    pub fn new(stamp: Stamp, origin: NodeId) -> Version {
        Version { stamp, origin }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn layout_is_keydbs() {
        let s = Stamp::from_ms(1_700_000_000_123);
        assert_eq!(s.0, 1_700_000_000_123u64 << 20);
        assert_eq!(s.ms(), 1_700_000_000_123);
        assert_eq!(Stamp(s.0 | 7).counter(), 7);
        assert_eq!(Stamp::from_ms(u64::MAX).counter(), 0);
        assert_eq!(Stamp::parse(b"42"), Some(Stamp(42)));
        for bad in [
            &b""[..],
            b"-1",
            b"+1",
            b"1a",
            b"18446744073709551616",
            b" 1",
        ] {
            assert_eq!(Stamp::parse(bad), None, "{:?}", bad);
        }
        assert_eq!(
            Stamp::parse(Stamp(u64::MAX).to_decimal().as_bytes()),
            Some(Stamp(u64::MAX))
        );
    }

    #[test]
    fn same_millisecond_counts_then_wall_clock_resets() {
        let mut c = Hlc::new();
        let t = Time::from_ms(1000);
        let a = c.tick(t);
        let b = c.tick(t);
        assert_eq!(a, Stamp::from_ms(1000));
        assert_eq!(b.0, a.0 + 1);
        let d = c.tick(Time::from_ms(1001));
        assert_eq!(d, Stamp::from_ms(1001));
        // A clock that jumps back keeps counting from the last stamp.
        let e = c.tick(Time::from_ms(5));
        assert_eq!(e.0, d.0 + 1);
    }

    #[test]
    fn saturates_at_the_top() {
        let mut c = Hlc::resume(Stamp(u64::MAX));
        assert_eq!(c.tick(Time::from_ms(1)), Stamp(u64::MAX));
    }

    proptest! {
        /// Whatever the wall clock does (jumps back, stands still) and
        /// whatever arrives from other nodes, every tick is strictly after
        /// the previous tick and after every stamp observed before it.
        #[test]
        fn monotonic_and_never_behind_received(
            steps in prop::collection::vec((0u64..1u64 << 42, prop::option::of(0u64..u64::MAX >> 2)), 1..200)
        ) {
            let mut c = Hlc::new();
            let mut floor = Stamp::ZERO;
            let mut prev: Option<Stamp> = None;
            for (ms, received) in steps {
                if let Some(r) = received {
                    c.observe(Stamp(r));
                    floor = floor.max(Stamp(r));
                }
                let s = c.tick(Time::from_ms(ms));
                if let Some(p) = prev {
                    prop_assert!(s > p);
                }
                prop_assert!(s > floor);
                prop_assert!(s >= Stamp::from_ms(ms));
                prev = Some(s);
                floor = floor.max(s);
            }
        }

        /// The winner among equal and unequal stamps is the same whatever
        /// order a node meets the candidates in.
        #[test]
        fn ties_resolve_identically(
            cands in prop::collection::vec((0u64..4, 0u8..4), 1..12),
            rot in 0usize..12,
        ) {
            let vs: Vec<Version> = cands
                .iter()
                .map(|&(s, o)| Version::new(Stamp(s), NodeId::from_bytes([o; 16])))
                .collect();
            let fold = |it: &mut dyn Iterator<Item = &Version>| {
                it.fold(None::<Version>, |best, v| Some(best.map_or(*v, |b| b.max(*v))))
            };
            let forward = fold(&mut vs.iter());
            let backward = fold(&mut vs.iter().rev());
            let mut rotated = vs.clone();
            let n = rotated.len();
            rotated.rotate_left(rot % n);
            let rotated = fold(&mut rotated.iter());
            prop_assert_eq!(forward, backward);
            prop_assert_eq!(forward, rotated);
            // The winner has the highest stamp, and among those the highest origin.
            let w = forward.unwrap();
            prop_assert!(vs.iter().all(|v| v.stamp < w.stamp || (v.stamp == w.stamp && v.origin <= w.origin)));
        }
    }
}
