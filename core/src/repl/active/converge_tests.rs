//! Convergence by simulation: N nodes receive the same stamped effects in
//! different orders, with duplicates, local expiry and tombstone
//! collection, and must all end equal to the oracle "per key, the state of
//! the highest-versioned effect, deletes and flushes included".

use std::collections::BTreeMap;

use bytes::Bytes;
use proptest::prelude::*;

use super::keystamps::{DbStamps, Decision};
use super::node::NodeId;
use super::stamp::{Stamp, Version};
use super::watermark::{Admit, Watermarks};

const DBS: usize = 2;

/// A key's whole state: its value and absolute deadline (ms).
type State = (Bytes, Option<u64>);

#[derive(Debug, Clone)]
enum Op {
    Put { db: usize, key: Bytes, state: State },
    Del { db: usize, keys: Vec<Bytes> },
    FlushDb { db: usize },
    FlushAll,
}

#[derive(Debug, Clone)]
struct Effect {
    v: Version,
    op: Op,
}

/// One simulated node: the keyspace and the active-mode side tables.
struct Node {
    stamps: Vec<DbStamps>,
    data: Vec<BTreeMap<Bytes, State>>,
}

impl Node {
    fn new(seed: u64) -> Node {
        Node {
            stamps: (0..DBS).map(|d| DbStamps::new(seed + d as u64)).collect(),
            data: vec![BTreeMap::new(); DBS],
        }
    }

    fn apply(&mut self, e: &Effect) {
        match &e.op {
            Op::Put { db, key, state } => {
                if self.stamps[*db].put(key, e.v) == Decision::Apply {
                    self.data[*db].insert(key.clone(), state.clone());
                }
            }
            Op::Del { db, keys } => {
                for k in keys {
                    if self.stamps[*db].delete(k, e.v) == Decision::Apply {
                        self.data[*db].remove(k);
                    }
                }
            }
            Op::FlushDb { db } => self.flush(*db, e.v),
            Op::FlushAll => {
                for db in 0..DBS {
                    self.flush(db, e.v);
                }
            }
        }
    }

    fn flush(&mut self, db: usize, v: Version) {
        let (d, survivors) = self.stamps[db].flush(v);
        if d == Decision::Apply {
            self.data[db].retain(|k, _| survivors.contains(k));
        }
    }

    /// Local active expiry at local time `now`.
    fn expire(&mut self, now: u64) {
        for db in 0..DBS {
            let dead: Vec<Bytes> = self.data[db]
                .iter()
                .filter(|(_, (_, d))| d.is_some_and(|d| d < now))
                .map(|(k, _)| k.clone())
                .collect();
            for k in dead {
                self.stamps[db].expired(&k);
                self.data[db].remove(&k);
            }
        }
    }

    fn collect(&mut self, floor: Stamp) {
        for s in &mut self.stamps {
            s.collect(floor);
        }
    }

    /// What a client sees at time `now`.
    fn view(&self, now: u64) -> Vec<BTreeMap<Bytes, Bytes>> {
        self.data
            .iter()
            .map(|m| {
                m.iter()
                    .filter(|(_, (_, d))| d.is_none_or(|d| d >= now))
                    .map(|(k, (v, _))| (k.clone(), v.clone()))
                    .collect()
            })
            .collect()
    }
}

/// The oracle: per key, the highest-versioned effect touching it.
fn oracle(effects: &[Effect], keys: &[Bytes], now: u64) -> Vec<BTreeMap<Bytes, Bytes>> {
    (0..DBS)
        .map(|db| {
            let mut out = BTreeMap::new();
            for key in keys {
                let mut best: Option<(Version, Option<&State>)> = None;
                for e in effects {
                    let touch = match &e.op {
                        Op::Put {
                            db: d,
                            key: k,
                            state,
                        } if *d == db && k == key => Some(Some(state)),
                        Op::Del { db: d, keys } if *d == db && keys.contains(key) => Some(None),
                        Op::FlushDb { db: d } if *d == db => Some(None),
                        Op::FlushAll => Some(None),
                        _ => None,
                    };
                    if let Some(t) = touch {
                        if best.is_none_or(|(bv, _)| e.v > bv) {
                            best = Some((e.v, t));
                        }
                    }
                }
                if let Some((_, Some((val, deadline)))) = best {
                    if deadline.is_none_or(|d| d >= now) {
                        out.insert(key.clone(), val.clone());
                    }
                }
            }
            out
        })
        .collect()
}

fn key_pool() -> Vec<Bytes> {
    (0..4).map(|i| Bytes::from(format!("k{i}"))).collect()
}

fn op_strategy() -> impl Strategy<Value = Op> {
    let key = (0usize..4).prop_map(|i| key_pool()[i].clone());
    prop_oneof![
        6 => (0..DBS, key.clone(), 0u8..8, prop::option::of(0u64..100)).prop_map(|(db, key, val, d)| Op::Put {
            db,
            key,
            state: (Bytes::from(vec![val]), d),
        }),
        3 => (0..DBS, prop::collection::vec(key, 1..3)).prop_map(|(db, keys)| Op::Del { db, keys }),
        1 => (0..DBS).prop_map(|db| Op::FlushDb { db }),
        1 => Just(Op::FlushAll),
    ]
}

fn node_id(i: usize) -> NodeId {
    NodeId::from_random([i as u8 + 1; 16])
}

/// Effects with distinct versions (stamps from a small range, so equal
/// stamps with different origins are frequent).
fn effects_strategy(nodes: usize) -> impl Strategy<Value = Vec<Effect>> {
    prop::collection::vec((0u64..12, 0..nodes, op_strategy()), 1..24).prop_map(|raw| {
        let mut seen = std::collections::BTreeSet::new();
        raw.into_iter()
            .filter_map(|(s, o, op)| {
                let v = Version::new(Stamp(s), node_id(o));
                seen.insert(v).then_some(Effect { v, op })
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any order, any duplicates, local expiry at any point: every node
    /// ends with the oracle's keyspace.
    #[test]
    fn any_order_with_duplicates_converges(
        (effects, orders, expiries) in (2usize..5).prop_flat_map(|n| effects_strategy(n).prop_flat_map(move |effects| {
            let len = effects.len();
            let order = Just((0..len).collect::<Vec<_>>()).prop_shuffle();
            let dups = prop::collection::vec((0..len, 0..=len), 0..6);
            let orders = prop::collection::vec((order, dups), n);
            let expiries = prop::collection::vec(prop::collection::vec((0..=len, 0u64..120), 0..3), n);
            (Just(effects), orders, expiries)
        }))
    ) {
        let keys = key_pool();
        let now = 120;
        let expected = oracle(&effects, &keys, now);
        for (i, ((order, dups), exp)) in orders.into_iter().zip(expiries).enumerate() {
            let mut seq = order;
            for (e, at) in dups {
                seq.insert(at.min(seq.len()), e);
            }
            let mut node = Node::new(i as u64 * 7);
            let mut local_time = 0;
            for (step, idx) in seq.iter().enumerate() {
                for &(at, t) in &exp {
                    if at == step {
                        local_time = local_time.max(t);
                        node.expire(local_time);
                    }
                }
                node.apply(&effects[*idx]);
            }
            node.expire(now);
            prop_assert_eq!(node.view(now), expected.clone(), "node {}", i);
        }
    }

    /// Each origin's effects arrive in stamp order on every path (FIFO
    /// links), interleaved at random and repeated (mesh duplicates); the
    /// receiver dedups with the per-origin watermark, and collects
    /// tombstones at its stability floor at random moments. No deleted key
    /// comes back, and every node ends equal to the oracle.
    #[test]
    fn fifo_delivery_with_dedup_and_collection_converges(
        nodes in 2usize..5,
        raw in prop::collection::vec((0..4usize, 1u64..4, op_strategy()), 1..30),
        picks in prop::collection::vec(prop::collection::vec((0..4usize, any::<bool>(), any::<bool>()), 0..120), 4),
    ) {
        // Per-origin strictly increasing stamps (each origin's HLC).
        let mut clocks = vec![0u64; nodes];
        let mut per_origin: Vec<Vec<Effect>> = vec![Vec::new(); nodes];
        for (o, gap, op) in raw {
            let o = o % nodes;
            clocks[o] += gap;
            per_origin[o].push(Effect { v: Version::new(Stamp(clocks[o]), node_id(o)), op });
        }
        let all: Vec<Effect> = per_origin.iter().flatten().cloned().collect();
        let keys = key_pool();
        let expected = oracle(&all, &keys, 0);
        for me in 0..nodes {
            let mut node = Node::new(me as u64);
            let mut marks = Watermarks::new(node_id(me), node_id(me), 1);
            // This node's own stability: every origin's effects up to its
            // mark are here (the floor's share this node reports).
            let stable = |marks: &Watermarks, own: Stamp| {
                (0..nodes)
                    .filter(|&o| o != me)
                    .map(|o| marks.received(node_id(o)))
                    .fold(own, Stamp::min)
            };
            let mut next = vec![0usize; nodes];
            let mut own_clock = Stamp::ZERO;
            let deliver = |node: &mut Node, marks: &mut Watermarks, own_clock: &mut Stamp, e: &Effect| {
                match marks.admit(e.v.origin, e.v.stamp) {
                    Admit::Own => {
                        // Our own write: applied locally when it ran, at its stamp.
                        if e.v.stamp > *own_clock {
                            node.apply(e);
                            *own_clock = e.v.stamp;
                        }
                    }
                    Admit::Duplicate => {}
                    Admit::Apply => {
                        node.apply(e);
                        marks.record(e.v.origin, e.v.stamp);
                    }
                }
            };
            // Random interleaving of the per-origin FIFO queues, with
            // redelivery of already-seen effects and random collection.
            for &(o, redeliver, collect) in &picks[me % picks.len()] {
                let o = o % nodes;
                if redeliver && next[o] > 0 {
                    let e = per_origin[o][next[o] - 1].clone();
                    deliver(&mut node, &mut marks, &mut own_clock, &e);
                } else if let Some(e) = per_origin[o].get(next[o]).cloned() {
                    deliver(&mut node, &mut marks, &mut own_clock, &e);
                    next[o] += 1;
                }
                if collect {
                    let floor = stable(&marks, own_clock);
                    node.collect(floor);
                }
            }
            // Drain what is left, in order, collecting after each.
            for o in 0..nodes {
                while let Some(e) = per_origin[o].get(next[o]).cloned() {
                    deliver(&mut node, &mut marks, &mut own_clock, &e);
                    next[o] += 1;
                    let floor = stable(&marks, own_clock);
                    node.collect(floor);
                }
            }
            prop_assert_eq!(node.view(0), expected.clone(), "node {}", me);
        }
    }
}

/// The scenario of KeyDB #447/#83: a key deleted on one side of a
/// partition while the other side wrote it earlier; after the heal both
/// sides keep it deleted, whichever side's traffic arrives first.
#[test]
fn delete_during_partition_stays_deleted() {
    let (a, b) = (node_id(0), node_id(1));
    let set_b = Effect {
        v: Version::new(Stamp(10), b),
        op: Op::Put {
            db: 0,
            key: Bytes::from_static(b"k"),
            state: (Bytes::from_static(b"old"), None),
        },
    };
    let del_a = Effect {
        v: Version::new(Stamp(20), a),
        op: Op::Del {
            db: 0,
            keys: vec![Bytes::from_static(b"k")],
        },
    };
    for order in [[&set_b, &del_a], [&del_a, &set_b]] {
        let mut n = Node::new(0);
        for e in order {
            n.apply(e);
        }
        assert!(n.view(0)[0].is_empty(), "the key came back");
    }
}
