//! Per-writer watermarks: RREPLAY dedup and loop breaking, the heartbeats
//! nodes exchange, and the floor below which tombstones can be collected.
//!
//! # Writers, not nodes
//!
//! A node's versions and envelopes carry its **writer id**: a fresh id at
//! every start (the node id itself is kept across restarts, for handshakes
//! and INFO). A writer stamps its envelopes with a hybrid clock, so they
//! leave in increasing stamp order, and every link carries them in that
//! order (a stream is FIFO). Every change of a node's keyspace leaves in its
//! own stream (local writes, envelopes that changed something, what a
//! full-sync merge took); an envelope it does not forward was beaten by a
//! state it had already sent. So when `received[w] = s` here, every effect
//! of `w` up to `s` is *dominated* here: applied, or beaten by a newer
//! state this node holds, whatever path it came by.
//!
//! Marks also travel hop by hop: a heartbeat that comes straight from the
//! node at the other end of a link (not forwarded) vouches for that node's
//! whole state, which the link's stream has given us, so we take its marks
//! ([`Watermarks::adopt`]); so does a merged full-sync file.
//!
//! That claim dies with the writer: a node that restarts may have lost
//! writes it had already sent to some peers but not others, so its new
//! start must not vouch for them. Hence one writer per start; the old
//! writer is *dead* (its node reported a later `boot`) and counts as
//! complete once every node reports the same mark for it (nothing of it is
//! left for anyone to receive).
//!
//! # Dedup and loops ([`Watermarks::admit`])
//!
//! An envelope from `w` not above `received[w]` took another path (mesh)
//! or was replayed after a link rewind: it changes nothing and is not
//! forwarded. Our own writer's envelope came round a loop: never forwarded.
//!
//! # Heartbeats and the collection floor ([`Watermarks::floor`])
//!
//! Every second each node sends a heartbeat ([`HEARTBEAT`], inside an
//! RREPLAY of its writer): its node id, its boot, and for every writer it
//! knows, the writer's node and boot and its mark here (its own writer's
//! mark is its clock: it has all its own writes). Heartbeats are forwarded
//! like any envelope, so every node learns every node's report.
//!
//! The floor is the minimum, over every writer not complete, of its mark
//! on every node (ours and each node's last report). Every effect at or
//! below it is dominated on every node, so a tombstone at or below it has
//! nothing left to refuse... except a write of a writer nobody has heard
//! of yet (a node that just started, whose clock is behind). The engine
//! therefore collects only tombstones `active-tombstone-grace` below the
//! floor: a starting node's stamps follow its wall clock, so that margin
//! must exceed how far node clocks disagree.
//!
//! No floor (0) while any known node has not reported from its current
//! start, or while we know no other node: a peer that joins later may
//! still hold the deleted keys.

use std::collections::{BTreeMap, BTreeSet};

use bytes::Bytes;

use super::node::NodeId;
use super::stamp::Stamp;

/// The heartbeat command carried inside an RREPLAY envelope.
pub const HEARTBEAT: &str = "KEYRS.HEARTBEAT";

/// What to do with a received envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admit {
    /// Our own writer's, back through a loop: resolve, never forward.
    Own,
    /// Not above the writer's mark: it came already (another path, a
    /// rewound link); not forwarded.
    Duplicate,
    /// New: apply, forward, then [`Watermarks::record`] it.
    Apply,
}

/// Which start of which node a writer id belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriterOf {
    /// The node (its durable id).
    pub node: NodeId,
    /// The node's start number.
    pub boot: u64,
}

/// A node's heartbeat: who it is and its mark for every writer it knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heartbeat {
    /// The reporting node.
    pub node: NodeId,
    /// Its start number.
    pub boot: u64,
    /// Writer, whose it is, its mark on the reporting node.
    pub writers: Vec<(NodeId, WriterOf, Stamp)>,
}

impl Heartbeat {
    /// The command's words: `KEYRS.HEARTBEAT node boot [writer node boot mark]...`.
    pub fn encode(&self) -> Vec<Bytes> {
        let mut argv = vec![
            Bytes::from_static(HEARTBEAT.as_bytes()),
            Bytes::copy_from_slice(&self.node.to_text()),
            Bytes::from(self.boot.to_string()),
        ];
        for (w, of, mark) in &self.writers {
            argv.push(Bytes::copy_from_slice(&w.to_text()));
            argv.push(Bytes::copy_from_slice(&of.node.to_text()));
            argv.push(Bytes::from(of.boot.to_string()));
            argv.push(Bytes::from(mark.to_decimal()));
        }
        argv
    }

    /// Parse the command's words (`None`: not a well-formed heartbeat).
    pub fn parse(argv: &[Bytes]) -> Option<Heartbeat> {
        if argv.len() < 3 || !(argv.len() - 3).is_multiple_of(4) {
            return None;
        }
        if !argv[0].eq_ignore_ascii_case(HEARTBEAT.as_bytes()) {
            return None;
        }
        let num = |b: &Bytes| std::str::from_utf8(b).ok()?.parse::<u64>().ok();
        let node = NodeId::parse(&argv[1]).ok()?;
        let boot = num(&argv[2])?;
        let mut writers = Vec::with_capacity((argv.len() - 3) / 4);
        for c in argv[3..].chunks_exact(4) {
            let w = NodeId::parse(&c[0]).ok()?;
            let of = WriterOf {
                node: NodeId::parse(&c[1]).ok()?,
                boot: num(&c[2])?,
            };
            writers.push((w, of, Stamp::parse(&c[3])?));
        }
        Some(Heartbeat {
            node,
            boot,
            writers,
        })
    }
}

/// A node's last report.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Report {
    boot: u64,
    /// The heartbeat envelope's stamp (orders reports of one start).
    stamp: Stamp,
    marks: BTreeMap<NodeId, Stamp>,
}

/// The watermark tables of one node.
#[derive(Debug, Clone)]
pub struct Watermarks {
    /// Our writer id (this start's).
    own: NodeId,
    /// Our node id.
    node: NodeId,
    /// Our start number.
    boot: u64,
    /// Writer → highest stamp received (or vouched for by a merged file).
    received: BTreeMap<NodeId, Stamp>,
    /// Every writer heard of, ours included.
    writers: BTreeMap<NodeId, WriterOf>,
    /// Node → its last heartbeat (other nodes only).
    reports: BTreeMap<NodeId, Report>,
    /// Nodes known by handshake (our masters): they must report too, even
    /// before we hear of a writer of theirs (a KeyDB peer never does).
    peers: BTreeSet<NodeId>,
}

impl Watermarks {
    /// Tables for writer `own` of `node`'s start `boot`, knowing nobody.
    pub fn new(own: NodeId, node: NodeId, boot: u64) -> Watermarks {
        let mut writers = BTreeMap::new();
        writers.insert(own, WriterOf { node, boot });
        Watermarks {
            own,
            node,
            boot,
            received: BTreeMap::new(),
            writers,
            reports: BTreeMap::new(),
            peers: BTreeSet::new(),
        }
    }

    /// Our writer id.
    pub fn own(&self) -> NodeId {
        self.own
    }

    /// The highest stamp of `writer` received here.
    pub fn received(&self, writer: NodeId) -> Stamp {
        self.received.get(&writer).copied().unwrap_or(Stamp::ZERO)
    }

    /// Every mark (for the RDB: a restart or a merging peer takes them).
    pub fn marks(&self) -> impl Iterator<Item = (NodeId, Stamp)> + '_ {
        self.received.iter().map(|(w, s)| (*w, *s))
    }

    /// Should an envelope from `writer` with `stamp` be applied? Pure: see
    /// [`Watermarks::record`].
    pub fn admit(&self, writer: NodeId, stamp: Stamp) -> Admit {
        if writer == self.own {
            Admit::Own
        } else if stamp != Stamp::ZERO && self.received(writer) >= stamp {
            Admit::Duplicate
        } else {
            Admit::Apply
        }
    }

    /// An envelope from `writer` with `stamp` was applied (or a file that
    /// dominates `writer`'s effects up to `stamp` was merged).
    pub fn record(&mut self, writer: NodeId, stamp: Stamp) {
        if writer == self.own {
            return;
        }
        let e = self.received.entry(writer).or_insert(Stamp::ZERO);
        *e = (*e).max(stamp);
    }

    /// Take the marks of a heartbeat that came straight from its node, on
    /// a link whose stream we applied up to it (see the module doc).
    pub fn adopt(&mut self, hb: &Heartbeat) {
        for (w, _, mark) in &hb.writers {
            self.record(*w, *mark);
        }
    }

    /// A master's node id, from its handshake: it takes part.
    pub fn know_node(&mut self, node: NodeId) {
        if node != self.node {
            self.peers.insert(node);
        }
    }

    /// Learn whose `writer` is (the first answer stands: ids are random).
    pub fn learn(&mut self, writer: NodeId, of: WriterOf) {
        self.writers.entry(writer).or_insert(of);
    }

    /// Our heartbeat, `clock` being our hybrid clock's last stamp.
    pub fn heartbeat(&self, clock: Stamp) -> Heartbeat {
        let writers = self
            .writers
            .iter()
            .map(|(w, of)| {
                let mark = if *w == self.own {
                    clock
                } else {
                    self.received(*w)
                };
                (*w, *of, mark)
            })
            .collect();
        Heartbeat {
            node: self.node,
            boot: self.boot,
            writers,
        }
    }

    /// A heartbeat arrived in an envelope stamped `stamp`. Our own node's
    /// (an earlier start's, looped back) only teaches writers.
    pub fn report(&mut self, stamp: Stamp, hb: Heartbeat) {
        for (w, of, _) in &hb.writers {
            self.learn(*w, *of);
        }
        if hb.node == self.node {
            return;
        }
        let newer = self
            .reports
            .get(&hb.node)
            .is_none_or(|r| (hb.boot, stamp) > (r.boot, r.stamp));
        if newer {
            let marks = hb.writers.iter().map(|(w, _, m)| (*w, *m)).collect();
            self.reports.insert(
                hb.node,
                Report {
                    boot: hb.boot,
                    stamp,
                    marks,
                },
            );
        }
    }

    /// A node left for good (REPLICAOF REMOVE of it): its writers and
    /// report no longer hold the floor down. It is learnt again if its
    /// heartbeats still arrive.
    pub fn forget_node(&mut self, node: NodeId) {
        if node == self.node {
            return;
        }
        self.reports.remove(&node);
        self.peers.remove(&node);
        self.writers.retain(|_, of| of.node != node);
    }

    /// Other nodes known.
    pub fn nodes(&self) -> BTreeSet<NodeId> {
        self.writers
            .values()
            .map(|of| of.node)
            .chain(self.peers.iter().copied())
            .filter(|n| *n != self.node)
            .collect()
    }

    /// Each node's current start: the highest boot heard of.
    fn live_boots(&self) -> BTreeMap<NodeId, u64> {
        let mut live: BTreeMap<NodeId, u64> = BTreeMap::new();
        let mut see = |n: NodeId, b: u64| {
            let e = live.entry(n).or_insert(b);
            *e = (*e).max(b);
        };
        see(self.node, self.boot);
        for of in self.writers.values() {
            see(of.node, of.boot);
        }
        for (n, r) in &self.reports {
            see(*n, r.boot);
        }
        live
    }

    /// The collection floor (module doc): every effect at or below it is
    /// dominated on every known node. [`Stamp::ZERO`]: none.
    pub fn floor(&self, clock: Stamp) -> Stamp {
        let others = self.nodes();
        if others.is_empty() {
            return Stamp::ZERO;
        }
        let live = self.live_boots();
        let mut reports = Vec::with_capacity(others.len());
        for n in &others {
            match self.reports.get(n) {
                Some(r) if Some(&r.boot) == live.get(n) => reports.push(r),
                // Not heard from its current start: it may have lost what
                // its earlier start had.
                _ => return Stamp::ZERO,
            }
        }
        let mut floor = clock;
        for (w, of) in &self.writers {
            let mine = if *w == self.own {
                clock
            } else {
                self.received(*w)
            };
            let marks: Vec<Stamp> = std::iter::once(mine)
                .chain(
                    reports
                        .iter()
                        .map(|r| r.marks.get(w).copied().unwrap_or(Stamp::ZERO)),
                )
                .collect();
            let dead = live.get(&of.node).is_some_and(|b| of.boot < *b);
            if dead && marks.iter().all(|m| *m == mine) {
                // Nothing of it is left for anyone to receive.
                continue;
            }
            floor = marks.into_iter().fold(floor, Stamp::min);
        }
        floor
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(b: u8) -> NodeId {
        NodeId::from_bytes([b; 16])
    }

    /// Node `n`'s writer of start `boot`.
    fn wr(n: u8, boot: u64) -> NodeId {
        NodeId::from_bytes([n.wrapping_mul(16).wrapping_add(boot as u8); 16])
    }

    fn of(n: u8, boot: u64) -> WriterOf {
        WriterOf { node: id(n), boot }
    }

    fn hb(n: u8, boot: u64, marks: &[(NodeId, WriterOf, u64)]) -> Heartbeat {
        Heartbeat {
            node: id(n),
            boot,
            writers: marks.iter().map(|(w, o, m)| (*w, *o, Stamp(*m))).collect(),
        }
    }

    #[test]
    fn own_envelopes_break_the_loop() {
        let w = Watermarks::new(wr(1, 1), id(1), 1);
        assert_eq!(w.admit(wr(1, 1), Stamp(5)), Admit::Own);
        assert_eq!(w.admit(wr(1, 1), Stamp::ZERO), Admit::Own);
        assert_eq!(
            w.admit(wr(1, 0), Stamp(5)),
            Admit::Apply,
            "our earlier start's writer is someone else's"
        );
    }

    #[test]
    fn per_writer_dedup_as_keydb() {
        let mut w = Watermarks::new(wr(1, 1), id(1), 1);
        assert_eq!(w.admit(wr(2, 1), Stamp(5)), Admit::Apply);
        w.record(wr(2, 1), Stamp(5));
        assert_eq!(w.admit(wr(2, 1), Stamp(5)), Admit::Duplicate);
        assert_eq!(w.admit(wr(2, 1), Stamp(4)), Admit::Duplicate);
        assert_eq!(w.admit(wr(2, 1), Stamp(6)), Admit::Apply);
        assert_eq!(w.admit(wr(3, 1), Stamp(1)), Admit::Apply);
        assert_eq!(w.admit(wr(2, 1), Stamp::ZERO), Admit::Apply, "unstamped");
        w.record(wr(2, 1), Stamp(3));
        assert_eq!(w.received(wr(2, 1)), Stamp(5), "marks never go back");
    }

    #[test]
    fn heartbeats_round_trip_and_bad_ones_are_refused() {
        let h = hb(2, 7, &[(wr(2, 7), of(2, 7), 99), (wr(3, 1), of(3, 1), 5)]);
        assert_eq!(Heartbeat::parse(&h.encode()), Some(h.clone()));
        let mut argv = h.encode();
        argv.pop();
        assert_eq!(Heartbeat::parse(&argv), None, "a truncated entry");
        let mut argv = h.encode();
        argv[2] = Bytes::from_static(b"-1");
        assert_eq!(Heartbeat::parse(&argv), None);
        assert_eq!(Heartbeat::parse(&[Bytes::from_static(b"PING")]), None);
    }

    #[test]
    fn floor_waits_for_every_node_and_takes_the_lowest_mark() {
        let mut w = Watermarks::new(wr(1, 1), id(1), 1);
        assert_eq!(w.floor(Stamp(100)), Stamp::ZERO, "alone: nothing");
        w.record(wr(2, 1), Stamp(50));
        w.learn(wr(2, 1), of(2, 1));
        assert_eq!(w.floor(Stamp(100)), Stamp::ZERO, "node 2 never reported");
        // Node 2 reports; it knows node 3, so node 3 must report too.
        w.report(
            Stamp(60),
            hb(
                2,
                1,
                &[
                    (wr(2, 1), of(2, 1), 60),
                    (wr(1, 1), of(1, 1), 40),
                    (wr(3, 1), of(3, 1), 30),
                ],
            ),
        );
        assert_eq!(w.nodes().len(), 2);
        assert_eq!(w.floor(Stamp(100)), Stamp::ZERO, "node 3 never reported");
        w.record(wr(3, 1), Stamp(80));
        w.report(
            Stamp(90),
            hb(
                3,
                1,
                &[
                    (wr(3, 1), of(3, 1), 90),
                    (wr(1, 1), of(1, 1), 70),
                    (wr(2, 1), of(2, 1), 55),
                ],
            ),
        );
        // Writer 3: node 2 has it up to 30 only.
        assert_eq!(w.floor(Stamp(100)), Stamp(30));
        w.report(
            Stamp(61),
            hb(
                2,
                1,
                &[
                    (wr(2, 1), of(2, 1), 61),
                    (wr(1, 1), of(1, 1), 45),
                    (wr(3, 1), of(3, 1), 85),
                ],
            ),
        );
        // Writer 1 (ours) is at 45 on node 2; writer 2 at 50 here.
        assert_eq!(w.floor(Stamp(100)), Stamp(45));
        assert_eq!(w.floor(Stamp(20)), Stamp(20), "our clock bounds it");
        // An older report of node 2 does not replace the newer one.
        w.report(Stamp(10), hb(2, 1, &[(wr(2, 1), of(2, 1), 1)]));
        assert_eq!(w.floor(Stamp(100)), Stamp(45));
        // A node forgotten no longer holds it down.
        w.forget_node(id(2));
        assert_eq!(w.nodes().len(), 1);
        // A master known only by its handshake (a KeyDB peer) must report.
        w.know_node(id(9));
        assert_eq!(w.floor(Stamp(100)), Stamp::ZERO);
        w.know_node(id(1));
        assert_eq!(w.nodes().len(), 2, "not ourselves");
    }

    #[test]
    fn a_restarted_node_holds_the_floor_until_it_reports_and_its_old_writer_completes() {
        let mut w = Watermarks::new(wr(1, 1), id(1), 1);
        w.record(wr(2, 1), Stamp(50));
        w.report(
            Stamp(50),
            hb(2, 1, &[(wr(2, 1), of(2, 1), 50), (wr(1, 1), of(1, 1), 50)]),
        );
        assert_eq!(w.floor(Stamp(100)), Stamp(50));
        // Node 2 restarts as writer (2, 2); its first envelope arrives
        // (learnt through someone's heartbeat) before its own report.
        w.learn(wr(2, 2), of(2, 2));
        w.record(wr(2, 2), Stamp(70));
        assert_eq!(
            w.floor(Stamp(100)),
            Stamp::ZERO,
            "node 2's report is from its earlier start"
        );
        // Its new start reports: it has writer (2, 1) only up to 40 (it
        // lost 41..50, which we hold): the old writer is not complete.
        w.report(
            Stamp(75),
            hb(
                2,
                2,
                &[
                    (wr(2, 2), of(2, 2), 75),
                    (wr(2, 1), of(2, 1), 40),
                    (wr(1, 1), of(1, 1), 60),
                ],
            ),
        );
        assert_eq!(w.floor(Stamp(100)), Stamp(40));
        // Once it has what we have of its old writer, that writer is done.
        w.report(
            Stamp(80),
            hb(
                2,
                2,
                &[
                    (wr(2, 2), of(2, 2), 80),
                    (wr(2, 1), of(2, 1), 50),
                    (wr(1, 1), of(1, 1), 60),
                ],
            ),
        );
        assert_eq!(w.floor(Stamp(100)), Stamp(60));
    }

    #[test]
    fn our_own_earlier_start_is_a_dead_writer_we_may_lack() {
        // We restarted as (1, 2); node 2 holds writes of our (1, 1) up to
        // 30, we hold none: the floor stays at 0 until we get them.
        let mut w = Watermarks::new(wr(1, 2), id(1), 2);
        w.record(wr(2, 1), Stamp(90));
        w.report(
            Stamp(90),
            hb(
                2,
                1,
                &[
                    (wr(2, 1), of(2, 1), 90),
                    (wr(1, 1), of(1, 1), 30),
                    (wr(1, 2), of(1, 2), 80),
                ],
            ),
        );
        assert_eq!(w.floor(Stamp(100)), Stamp::ZERO);
        w.record(wr(1, 1), Stamp(30));
        assert_eq!(w.floor(Stamp(100)), Stamp(80));
        // A heartbeat of our earlier start, looped back, is no report.
        w.report(Stamp(5), hb(1, 1, &[(wr(1, 1), of(1, 1), 5)]));
        assert_eq!(w.floor(Stamp(100)), Stamp(80));
    }
}
