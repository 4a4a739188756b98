//! Per-origin and per-peer watermarks: RREPLAY dedup and loop breaking,
//! and the floor below which tombstones can be collected.
//!
//! Every origin stamps its writes with a hybrid clock, so its effects are
//! in increasing stamp order, and every link carries them in that order
//! (a stream is FIFO). `received[o]`, the highest stamp of origin `o`
//! applied here, therefore means "every effect of `o` up to this stamp has
//! been seen here", whatever path (direct, or forwarded through a ring) it
//! came by. That gives two things:
//!
//! - **dedup** ([`Watermarks::admit`]): an envelope from `o` not above
//!   `received[o]` is a copy that took another path (mesh): drop it. This
//!   is KeyDB's rule (`stored >= mvcc` drops; stamp 0 is never deduped).
//!   An envelope whose origin is our own id went round a loop: drop it too,
//!   and never forward it.
//! - **stability** ([`Watermarks::stable`]): the minimum of `received[o]`
//!   over every known node (our own clock for ourselves). No effect at or
//!   below it can arrive any more. Idle nodes must still send their clock
//!   now and then (a heartbeat stamp) or they hold everyone's floor down.
//!
//! Dedup works on stamps, so an origin must give every envelope its own
//! stamp (one tick per envelope; a MULTI/EXEC unit travels as one envelope
//! with one stamp): two envelopes sharing a stamp would look like one
//! arriving twice.
//!
//! A tombstone may go once *we* cannot receive anything older (our
//! stability) **and** every known peer has said the same about itself
//! (`acked[p]`, the stability each peer reports): otherwise a peer still
//! holding the deleted key could later full-sync it back to us, with no
//! tombstone left to refuse it. [`Watermarks::collect_floor`] is the
//! minimum of both. A known peer that never reported holds the floor at 0.

use std::collections::BTreeMap;

use super::node::NodeId;
use super::stamp::Stamp;

/// What to do with a received envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admit {
    /// Our own write, back through a loop: reply OK, do not apply, do not forward.
    Own,
    /// Already applied (it came by another path): drop silently.
    Duplicate,
    /// New: apply it, then [`Watermarks::record`] it.
    Apply,
}

/// The watermark tables of one node.
#[derive(Debug, Clone)]
pub struct Watermarks {
    own: NodeId,
    /// Origin → highest stamp applied here.
    received: BTreeMap<NodeId, Stamp>,
    /// Peer → the stability it last reported.
    acked: BTreeMap<NodeId, Stamp>,
    /// The nodes taking part (configured masters, peers that handshook).
    known: BTreeMap<NodeId, ()>,
}

impl Watermarks {
    /// Tables for node `own`, knowing no peer yet.
    pub fn new(own: NodeId) -> Watermarks {
        Watermarks {
            own,
            received: BTreeMap::new(),
            acked: BTreeMap::new(),
            known: BTreeMap::new(),
        }
    }

    /// Our own id.
    pub fn own(&self) -> NodeId {
        self.own
    }

    /// A node takes part from now on (its writes and acks count).
    pub fn add_peer(&mut self, peer: NodeId) {
        if peer != self.own {
            self.known.insert(peer, ());
        }
    }

    /// A node left the set for good (REPLICAOF REMOVE of the last path to
    /// it): it no longer holds the collection floor down.
    pub fn remove_peer(&mut self, peer: NodeId) {
        self.known.remove(&peer);
        self.acked.remove(&peer);
    }

    /// Known peers.
    pub fn peers(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.known.keys().copied()
    }

    /// The highest stamp of `origin` applied here.
    pub fn received(&self, origin: NodeId) -> Stamp {
        self.received.get(&origin).copied().unwrap_or(Stamp::ZERO)
    }

    /// Should an envelope from `origin` with `stamp` be applied? Pure: see
    /// [`Watermarks::record`].
    pub fn admit(&self, origin: NodeId, stamp: Stamp) -> Admit {
        if origin == self.own {
            Admit::Own
        } else if stamp != Stamp::ZERO && self.received(origin) >= stamp {
            Admit::Duplicate
        } else {
            Admit::Apply
        }
    }

    /// An envelope from `origin` with `stamp` was applied.
    pub fn record(&mut self, origin: NodeId, stamp: Stamp) {
        if origin == self.own {
            return;
        }
        let e = self.received.entry(origin).or_insert(Stamp::ZERO);
        *e = (*e).max(stamp);
    }

    /// Peer `peer` reports its stability (it can receive nothing at or
    /// below `stamp` any more). Reports only move forward.
    pub fn ack(&mut self, peer: NodeId, stamp: Stamp) {
        if peer == self.own || !self.known.contains_key(&peer) {
            return;
        }
        let e = self.acked.entry(peer).or_insert(Stamp::ZERO);
        *e = (*e).max(stamp);
    }

    /// Our stability: nothing at or below it can still arrive here.
    /// `clock` is our hybrid clock's last stamp (our own future writes are
    /// above it).
    pub fn stable(&self, clock: Stamp) -> Stamp {
        self.known
            .keys()
            .map(|p| self.received(*p))
            .fold(clock, Stamp::min)
    }

    /// Tombstones at or below this can be collected (0: none).
    pub fn collect_floor(&self, clock: Stamp) -> Stamp {
        self.known
            .keys()
            .map(|p| self.acked.get(p).copied().unwrap_or(Stamp::ZERO))
            .fold(self.stable(clock), Stamp::min)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(b: u8) -> NodeId {
        NodeId::from_bytes([b; 16])
    }

    #[test]
    fn own_envelopes_break_the_loop() {
        let w = Watermarks::new(id(1));
        assert_eq!(w.admit(id(1), Stamp(5)), Admit::Own);
        assert_eq!(w.admit(id(1), Stamp::ZERO), Admit::Own);
    }

    #[test]
    fn per_origin_dedup_as_keydb() {
        let mut w = Watermarks::new(id(1));
        assert_eq!(w.admit(id(2), Stamp(5)), Admit::Apply);
        w.record(id(2), Stamp(5));
        assert_eq!(w.admit(id(2), Stamp(5)), Admit::Duplicate);
        assert_eq!(w.admit(id(2), Stamp(4)), Admit::Duplicate);
        assert_eq!(w.admit(id(2), Stamp(6)), Admit::Apply);
        assert_eq!(
            w.admit(id(3), Stamp(1)),
            Admit::Apply,
            "origins are independent"
        );
        assert_eq!(
            w.admit(id(2), Stamp::ZERO),
            Admit::Apply,
            "unstamped: never deduped"
        );
        w.record(id(2), Stamp(3));
        assert_eq!(w.received(id(2)), Stamp(5), "marks never go back");
    }

    #[test]
    fn floor_waits_for_every_peer_both_ways() {
        let mut w = Watermarks::new(id(1));
        assert_eq!(w.collect_floor(Stamp(100)), Stamp(100), "alone: own clock");
        w.add_peer(id(2));
        w.add_peer(id(3));
        w.add_peer(id(1));
        assert_eq!(w.peers().count(), 2, "self is not a peer");
        assert_eq!(w.stable(Stamp(100)), Stamp::ZERO);
        w.record(id(2), Stamp(50));
        w.record(id(3), Stamp(70));
        assert_eq!(w.stable(Stamp(100)), Stamp(50));
        assert_eq!(w.collect_floor(Stamp(100)), Stamp::ZERO, "no acks yet");
        w.ack(id(2), Stamp(60));
        w.ack(id(3), Stamp(40));
        assert_eq!(w.collect_floor(Stamp(100)), Stamp(40));
        w.ack(id(3), Stamp(30));
        assert_eq!(
            w.collect_floor(Stamp(100)),
            Stamp(40),
            "acks only move forward"
        );
        w.ack(id(9), Stamp(1));
        assert_eq!(
            w.collect_floor(Stamp(100)),
            Stamp(40),
            "unknown peers are ignored"
        );
        w.remove_peer(id(3));
        assert_eq!(w.collect_floor(Stamp(100)), Stamp(50));
        assert_eq!(w.collect_floor(Stamp(45)), Stamp(45), "own clock bounds it");
    }
}
