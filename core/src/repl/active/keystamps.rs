//! Per-key versions and tombstones for one database, and the
//! conflict-resolving apply decision.
//!
//! # Storage, and what it costs
//!
//! A key's version ([`Version`]: 8-byte stamp + 16-byte origin) is **not**
//! in the keyspace's `Entry` or dict node. [`DbStamps`] is a side table,
//! keyed by the key's bytes like `Db::expires`, and a database only has one
//! while `active-replica` is on (the engine will hold it as an
//! `Option<Box<DbStamps>>`: 8 bytes per *database*). With active
//! replication off nothing is allocated, so bytes per key are exactly what
//! BENCHMARKS.md measures (Entry stays 32 bytes, the node 64).
//!
//! The price is paid in active mode only: a second hash lookup per write
//! and about one dict node plus the key's bytes plus 24 bytes per stamped
//! key, instead of the 8 bytes an in-node field would cost. Putting the
//! stamp in `Entry` would grow every node for every user (the entry has no
//! padding left), which the project ruled out; a later optimisation can
//! intern origins (a `u16` index into the peer table) to shrink the value.
//!
//! Keys present in the keyspace but absent here (written before active mode
//! was turned on, or loaded from an RDB without `mvcc-tstamp`) have version
//! [`Version::UNSTAMPED`], which loses to every stamped write.
//!
//! # Tombstones
//!
//! A delete (DEL/UNLINK, expiry, the source of RENAME/MOVE, a collection
//! emptied by its last removal) leaves a tombstone: the key and the delete's
//! version, in their own table. A write older than the tombstone is skipped,
//! so a write that was in flight (or on the other side of a partition)
//! cannot bring a deleted key back (KeyDB #447, #83, #390). FLUSHDB and
//! FLUSHALL leave one database-wide tombstone ([`DbStamps::flushed`]): every
//! key whose version is older is gone, every later-arriving write older than
//! it is skipped, keys with newer versions survive.
//!
//! Tombstones are collected by [`DbStamps::collect`] once every node has
//! every effect at or below a stamp floor (see `watermark::Watermarks::floor`);
//! the floor becomes the table's *horizon*, below which a key with no
//! version refuses effects, so a late copy cannot bring a collected key back.
//!
//! # The rule
//!
//! An incoming effect with version `v` on key `k` applies iff `v` is
//! greater than `k`'s live version or tombstone, and greater than the
//! database's flush tombstone ([`DbStamps::decide`]). Equal versions are the
//! same effect arriving twice: skipped, so duplicates are harmless. Since
//! every effect is a whole-key state (see `lww`), the keyspace after any set
//! of effects, delivered in any order with any duplicates, is per key "the
//! state of the highest-versioned effect, deletes and flushes included".

use bytes::Bytes;

use super::stamp::{Stamp, Version};
use crate::engine::dict::Dict;

/// Whether an incoming effect applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Newer than all the key knows: apply it.
    Apply,
    /// Not newer than the key's state, its tombstone, or a flush: drop it.
    Skip,
}

/// The versions of one database's keys in active mode.
#[derive(Debug, Clone)]
pub struct DbStamps {
    /// Key → version of its current state.
    live: Dict<Version>,
    /// Deleted key → version of the delete.
    tombs: Dict<Version>,
    /// The newest FLUSHDB/FLUSHALL applied to this database.
    flushed: Option<Version>,
    /// The highest floor tombstones were collected at: a key with no
    /// version here refuses effects at or below it (its tombstone, if it
    /// had one, may be gone).
    horizon: Stamp,
}

impl DbStamps {
    /// An empty table (`seed` as the database's tables).
    pub fn new(seed: u64) -> DbStamps {
        DbStamps {
            live: Dict::new(seed ^ 0x5bd1_e995_0000_0001),
            tombs: Dict::new(seed ^ 0x5bd1_e995_0000_0002),
            flushed: None,
            horizon: Stamp::ZERO,
        }
    }

    /// The collection horizon (see [`DbStamps::collect`]).
    pub fn horizon(&self) -> Stamp {
        self.horizon
    }

    /// Raise the collection horizon (a file or a merged peer's).
    pub fn raise_horizon(&mut self, h: Stamp) {
        self.horizon = self.horizon.max(h);
    }

    /// The version of `key`'s live state, if stamped.
    pub fn live(&self, key: &[u8]) -> Option<Version> {
        self.live.get(key).copied()
    }

    /// The tombstone of `key`, if any.
    pub fn tombstone(&self, key: &[u8]) -> Option<Version> {
        self.tombs.get(key).copied()
    }

    /// The database-wide flush tombstone.
    pub fn flushed(&self) -> Option<Version> {
        self.flushed
    }

    /// Stamped live keys.
    pub fn live_len(&self) -> usize {
        self.live.len()
    }

    /// Tombstones held (not counting the flush tombstone).
    pub fn tombstones_len(&self) -> usize {
        self.tombs.len()
    }

    /// The newest thing known about `key`: its live version or its
    /// tombstone (never both), or the flush tombstone if newer.
    pub fn known(&self, key: &[u8]) -> Option<Version> {
        self.with_flush(self.own(key))
    }

    /// The key's own live version or tombstone.
    fn own(&self, key: &[u8]) -> Option<Version> {
        self.live(key).or_else(|| self.tombstone(key))
    }

    /// `own`, or the flush tombstone if newer.
    fn with_flush(&self, own: Option<Version>) -> Option<Version> {
        match (own, self.flushed) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }

    /// Does an effect of version `v` on `key` apply? A key with no
    /// version of its own refuses everything at or below the horizon: every
    /// node had those effects when tombstones were collected, so one that
    /// arrives now is a copy of something this key's collected delete beat.
    pub fn decide(&self, key: &[u8], v: Version) -> Decision {
        let own = self.own(key);
        // An unstamped state (written before active mode, or by a node
        // without it) was never collected over: the horizon does not apply.
        if own.is_none() && v.stamp != Stamp::ZERO && v.stamp <= self.horizon {
            return Decision::Skip;
        }
        match self.with_flush(own) {
            Some(k) if k >= v => Decision::Skip,
            _ => Decision::Apply,
        }
    }

    /// A write of `key`'s whole state at version `v`. On
    /// [`Decision::Apply`] the version is recorded (any tombstone dropped)
    /// and the caller must store the new state; on `Skip` it must not.
    pub fn put(&mut self, key: &[u8], v: Version) -> Decision {
        let d = self.decide(key, v);
        if d == Decision::Apply {
            self.tombs.remove(key);
            self.live.insert_slice(key, v);
        }
        d
    }

    /// A local write set `key`'s state at `v`: recorded whatever the key
    /// held (the caller already changed the keyspace).
    pub fn set_live(&mut self, key: &[u8], v: Version) {
        self.tombs.remove(key);
        self.live.insert_slice(key, v);
    }

    /// A local write removed `key` at `v` (its tombstone is `v`).
    pub fn set_tomb(&mut self, key: &[u8], v: Version) {
        self.live.remove(key);
        self.tombs.insert_slice(key, v);
    }

    /// Every stamped key and its version (RDB writer).
    pub fn live_iter(&self) -> impl Iterator<Item = (&Bytes, &Version)> {
        self.live.iter()
    }

    /// Every tombstone (RDB writer).
    pub fn tomb_iter(&self) -> impl Iterator<Item = (&Bytes, &Version)> {
        self.tombs.iter()
    }

    /// Load a flush tombstone (RDB): kept if newer than the one held.
    pub fn load_flushed(&mut self, v: Version) {
        if self.flushed.is_none_or(|f| f < v) {
            self.flushed = Some(v);
        }
    }

    /// A delete of `key` at version `v`. On [`Decision::Apply`] the caller
    /// must remove the key (it may already be absent: the tombstone is
    /// recorded anyway, so an older write arriving later is refused).
    pub fn delete(&mut self, key: &[u8], v: Version) -> Decision {
        let d = self.decide(key, v);
        if d == Decision::Apply {
            self.live.remove(key);
            self.tombs.insert_slice(key, v);
        }
        d
    }

    /// Drop `key`'s live version, leaving no tombstone (the key went below
    /// the horizon, which refuses for it).
    pub fn forget(&mut self, key: &[u8]) {
        self.live.remove(key);
    }

    /// The key's state expired here (each node expires on its own, from
    /// the absolute deadline that is part of the state): a tombstone at the
    /// version of the state that expired, so the state cannot come back
    /// while a newer write still can. Returns that version.
    pub fn expired(&mut self, key: &[u8]) -> Version {
        let v = self.live.remove(key).map_or(Version::UNSTAMPED, |(_, v)| v);
        if v != Version::UNSTAMPED {
            self.tombs.insert_slice(key, v);
        }
        v
    }

    /// FLUSHDB (or this database's part of FLUSHALL) at version `v`. On
    /// [`Decision::Apply`] the versions older than `v` are dropped and the
    /// returned keys are the ones whose state is newer than the flush: the
    /// caller keeps those and removes every other key (stamped or not).
    pub fn flush(&mut self, v: Version) -> (Decision, Vec<Bytes>) {
        if self.flushed.is_some_and(|f| f >= v) {
            return (Decision::Skip, Vec::new());
        }
        self.flushed = Some(v);
        let survivors: Vec<(Bytes, Version)> = self
            .live
            .iter()
            .filter(|(_, ver)| **ver > v)
            .map(|(k, ver)| (k.clone(), *ver))
            .collect();
        let tombs: Vec<(Bytes, Version)> = self
            .tombs
            .iter()
            .filter(|(_, ver)| **ver > v)
            .map(|(k, ver)| (k.clone(), *ver))
            .collect();
        self.live.clear();
        self.tombs.clear();
        for (k, ver) in tombs {
            self.tombs.insert(k, ver);
        }
        let keys = survivors.iter().map(|(k, _)| k.clone()).collect();
        for (k, ver) in survivors {
            self.live.insert(k, ver);
        }
        (Decision::Apply, keys)
    }

    /// Drop tombstones (and the flush tombstone) at or below `floor`, every
    /// node having every effect at or below it; the horizon rises to
    /// `floor`, so a copy of such an effect arriving late is still refused
    /// by a key without a version. Returns how many were dropped.
    pub fn collect(&mut self, floor: Stamp) -> usize {
        if floor == Stamp::ZERO {
            return 0;
        }
        self.raise_horizon(floor);
        let dead: Vec<Bytes> = self
            .tombs
            .iter()
            .filter(|(_, v)| v.stamp <= floor)
            .map(|(k, _)| k.clone())
            .collect();
        for k in &dead {
            self.tombs.remove(k);
        }
        if self.flushed.is_some_and(|f| f.stamp <= floor) {
            self.flushed = None;
        }
        dead.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repl::active::node::NodeId;

    fn v(stamp: u64, origin: u8) -> Version {
        Version::new(Stamp(stamp), NodeId::from_bytes([origin; 16]))
    }

    #[test]
    fn off_costs_nothing_per_key() {
        // The keyspace's entry is untouched by active mode, and the planned
        // per-database handle is one pointer (null while off).
        assert_eq!(std::mem::size_of::<crate::engine::db::Entry>(), 32);
        assert_eq!(std::mem::size_of::<Option<Box<DbStamps>>>(), 8);
    }

    #[test]
    fn newer_wins_older_and_duplicates_skip() {
        let mut t = DbStamps::new(1);
        assert_eq!(t.put(b"k", v(10, 1)), Decision::Apply);
        assert_eq!(t.put(b"k", v(10, 1)), Decision::Skip, "duplicate");
        assert_eq!(t.put(b"k", v(9, 9)), Decision::Skip, "older");
        assert_eq!(t.put(b"k", v(10, 2)), Decision::Apply, "tie: higher origin");
        assert_eq!(t.put(b"k", v(10, 1)), Decision::Skip, "tie: lower origin");
        assert_eq!(t.live(b"k"), Some(v(10, 2)));
    }

    #[test]
    fn tombstones_stop_resurrection() {
        let mut t = DbStamps::new(1);
        assert_eq!(t.put(b"k", v(5, 1)), Decision::Apply);
        assert_eq!(t.delete(b"k", v(7, 2)), Decision::Apply);
        assert_eq!(t.live(b"k"), None);
        assert_eq!(t.tombstone(b"k"), Some(v(7, 2)));
        assert_eq!(
            t.put(b"k", v(6, 3)),
            Decision::Skip,
            "write from before the delete"
        );
        // A delete of a key never seen still leaves its tombstone.
        assert_eq!(t.delete(b"never", v(3, 1)), Decision::Apply);
        assert_eq!(t.put(b"never", v(2, 1)), Decision::Skip);
        assert_eq!(t.put(b"k", v(8, 1)), Decision::Apply);
        assert_eq!(t.tombstone(b"k"), None);
        assert_eq!(t.tombstones_len(), 1);
    }

    #[test]
    fn expiry_tombstone_is_the_expired_states_version() {
        let mut t = DbStamps::new(1);
        t.put(b"k", v(5, 1));
        assert_eq!(t.expired(b"k"), v(5, 1));
        assert_eq!(t.put(b"k", v(5, 1)), Decision::Skip, "the same state again");
        assert_eq!(t.put(b"k", v(4, 1)), Decision::Skip);
        assert_eq!(t.put(b"k", v(6, 1)), Decision::Apply);
        assert_eq!(t.expired(b"unstamped"), Version::UNSTAMPED);
        assert_eq!(t.tombstone(b"unstamped"), None);
    }

    #[test]
    fn flush_keeps_only_newer_state() {
        let mut t = DbStamps::new(1);
        t.put(b"old", v(5, 1));
        t.put(b"new", v(20, 1));
        t.delete(b"gone_old", v(4, 1));
        t.delete(b"gone_new", v(21, 1));
        let (d, survivors) = t.flush(v(10, 2));
        assert_eq!(d, Decision::Apply);
        assert_eq!(survivors, vec![Bytes::from_static(b"new")]);
        assert_eq!(t.live(b"old"), None);
        assert_eq!(t.tombstone(b"gone_old"), None, "subsumed by the flush");
        assert_eq!(t.tombstone(b"gone_new"), Some(v(21, 1)));
        assert_eq!(
            t.put(b"old", v(9, 9)),
            Decision::Skip,
            "older than the flush"
        );
        assert_eq!(t.put(b"old", v(11, 1)), Decision::Apply);
        assert_eq!(t.flush(v(10, 2)).0, Decision::Skip, "duplicate flush");
        assert_eq!(t.flush(v(9, 2)).0, Decision::Skip, "older flush");
    }

    #[test]
    fn collect_drops_only_at_or_below_the_floor() {
        let mut t = DbStamps::new(1);
        t.delete(b"a", v(5, 1));
        t.delete(b"b", v(6, 1));
        t.delete(b"c", v(7, 1));
        t.flush(v(4, 1));
        assert_eq!(t.collect(Stamp::ZERO), 0);
        assert_eq!(t.collect(Stamp(6)), 2);
        assert_eq!(t.tombstone(b"c"), Some(v(7, 1)));
        assert_eq!(t.flushed(), None);
        assert_eq!(t.collect(Stamp(6)), 0);
        // The horizon refuses late copies of collected-over effects on keys
        // with no version, and nothing newer.
        assert_eq!(t.horizon(), Stamp(6));
        assert_eq!(
            t.put(b"a", v(4, 9)),
            Decision::Skip,
            "older than the delete"
        );
        assert_eq!(t.put(b"fresh", v(6, 9)), Decision::Skip);
        assert_eq!(t.put(b"fresh", v(7, 9)), Decision::Apply);
        assert_eq!(t.put(b"c", v(8, 1)), Decision::Apply, "has its tombstone");
        assert_eq!(
            t.put(b"unstamped", v(0, 9)),
            Decision::Apply,
            "an unstamped state is not below the horizon"
        );
        t.raise_horizon(Stamp(2));
        assert_eq!(t.horizon(), Stamp(6), "never lowered");
    }
}
