//! Random interleavings: 2 or 3 active engines in a full mesh (each
//! replicates from every other, forwarding what it applies), random
//! writes on random nodes at increasing times, their streams delivered
//! envelope by envelope in random order per link (each link stays FIFO),
//! with duplicate deliveries and full syncs (a merge of the sender's RDB,
//! the stream going on from there), then a heal that delivers everything. Every
//! node must end with the same live keyspace, and no write of a node may
//! ever be applied by itself.

use proptest::prelude::*;

use super::engine_tests::Node;
use crate::engine::commands::debug::dataset_digest;
use crate::repl::wire;

const KEYS: &[&str] = &["a", "b", "c"];

fn op() -> impl Strategy<Value = Vec<String>> {
    let k = prop::sample::select(KEYS).prop_map(str::to_string);
    let v = (0u8..5).prop_map(|i| format!("v{i}"));
    let s = |w: &[&str]| w.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    prop_oneof![
        4 => (k.clone(), v.clone()).prop_map(move |(k, v)| s(&["SET", &k, &v])),
        2 => k.clone().prop_map(move |k| s(&["DEL", &k])),
        2 => k.clone().prop_map(move |k| s(&["INCR", &k])),
        2 => (k.clone(), v.clone()).prop_map(move |(k, v)| s(&["APPEND", &k, &v])),
        2 => (k.clone(), v.clone()).prop_map(move |(k, v)| s(&["LPUSH", &k, &v])),
        2 => (k.clone(), v.clone()).prop_map(move |(k, v)| s(&["HSET", &k, "f", &v])),
        1 => k.clone().prop_map(move |k| s(&["EXPIRE", &k, "1000"])),
        1 => (k.clone(), v.clone()).prop_map(move |(k, v)| s(&["SET", &k, &v, "PX", "30"])),
        1 => k.clone().prop_map(move |k| s(&["PERSIST", &k])),
        1 => (k.clone(), k.clone()).prop_map(move |(a, b)| s(&["RENAME", &a, &b])),
        1 => Just(s(&["SELECT", "1"])),
        1 => Just(s(&["SELECT", "0"])),
        1 => Just(s(&["FLUSHDB"])),
        1 => Just(s(&["MULTI"])),
        2 => Just(s(&["EXEC"])),
        1 => (k.clone(), v.clone()).prop_map(move |(k, v)| s(&["MSET", &k, &v, "c", &v])),
        1 => (k.clone(), v.clone()).prop_map(move |(k, v)| s(&["SETNX", &k, &v])),
        1 => k.clone().prop_map(move |k| s(&["GETDEL", &k])),
        1 => (k.clone(), v.clone()).prop_map(move |(k, v)| s(&["SADD", &k, &v])),
        1 => (k.clone(), v).prop_map(move |(k, v)| s(&["ZADD", &k, "1", &v])),
        1 => k.prop_map(move |k| s(&["PEXPIRE", &k, "20"])),
    ]
}

/// One step of the schedule.
#[derive(Debug, Clone)]
enum Step {
    /// A client write on a node, `dt` ms after the previous step.
    Write(usize, u64, Vec<String>),
    /// Deliver the next envelope of link from -> to (and maybe again).
    Deliver(usize, usize, bool),
    /// A node's cron runs (active expiry, tombstone collection).
    Tick(usize, u64),
    /// The link from -> to full-syncs: `to` merges `from`'s RDB and the
    /// stream continues from that point (what it skipped is in the file).
    FullSync(usize, usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        8 => (0usize..3, 0u64..15, op()).prop_map(|(n, dt, o)| Step::Write(n, dt, o)),
        8 => (0usize..3, 0usize..3, any::<bool>()).prop_map(|(a, b, d)| Step::Deliver(a, b, d)),
        1 => (0usize..3, 0usize..3).prop_map(|(a, b)| Step::FullSync(a, b)),
        1 => (0usize..3, 0u64..40).prop_map(|(n, dt)| Step::Tick(n, dt)),
    ]
}

struct Mesh {
    nodes: Vec<Node>,
    /// Every byte each node ever put in its stream, split in envelopes.
    sent: Vec<Vec<Vec<u8>>>,
    /// links[from][to]: envelopes of `from` delivered to `to`.
    next: Vec<Vec<usize>>,
    now: u64,
}

impl Mesh {
    fn collect(&mut self) {
        for (i, n) in self.nodes.iter_mut().enumerate() {
            let mut out: &[u8] = &n.out();
            let bytes = out.to_vec();
            out = &bytes;
            while let Ok(Some((_, used))) = wire::command(out) {
                self.sent[i].push(out[..used].to_vec());
                out = &out[used..];
            }
        }
    }

    fn deliver(&mut self, from: usize, to: usize, twice: bool) -> bool {
        self.collect();
        let i = self.next[from][to];
        let Some(env) = self.sent[from].get(i).cloned() else {
            return false;
        };
        self.next[from][to] += 1;
        self.nodes[to].deliver(self.now, &env);
        if twice {
            self.nodes[to].deliver(self.now, &env);
        }
        true
    }

    fn full_sync(&mut self, from: usize, to: usize) {
        use crate::persist::dataset::{save_to_vec, DatasetLoader, LoadStep};
        self.collect();
        let now = crate::engine::Time::from_ms(1_700_000_000_000 + self.now);
        let file = save_to_vec(&mut self.nodes[from].e, now);
        self.next[from][to] = self.sent[from].len();
        let peer = self.nodes[from].e.node_id();
        let e = &mut self.nodes[to].e;
        let mut l = DatasetLoader::new_merge(e, peer);
        l.feed(&file);
        l.end_of_input();
        while l.step(e, now, 5).unwrap() != LoadStep::Done {}
    }

    fn heal(&mut self) {
        loop {
            let mut moved = false;
            let n = self.nodes.len();
            for from in 0..n {
                for to in 0..n {
                    if from != to {
                        while self.deliver(from, to, false) {
                            moved = true;
                        }
                    }
                }
            }
            if !moved {
                return;
            }
        }
    }

    /// Each node's keyspace once every deadline passed at one common time.
    fn live_digests(&mut self, at: u64) -> Vec<[u8; 20]> {
        self.nodes
            .iter_mut()
            .map(|n| {
                // A transaction left open would queue the probes.
                n.run(at, &["DISCARD"]);
                for db in ["0", "1"] {
                    n.run(at, &["SELECT", db]);
                    for k in KEYS {
                        n.run(at, &["EXISTS", k]);
                    }
                }
                dataset_digest(&n.e)
            })
            .collect()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_interleavings_converge(
        size in 2usize..=3,
        steps in prop::collection::vec(step(), 1..60),
    ) {
        let nodes: Vec<Node> = (0..size).map(|i| Node::new(i as u8 + 1)).collect();
        let mut m = Mesh {
            nodes,
            sent: vec![Vec::new(); size],
            next: vec![vec![0; size]; size],
            now: 1,
        };
        for s in &steps {
            match s {
                Step::Write(n, dt, words) => {
                    m.now += dt;
                    let words: Vec<&str> = words.iter().map(String::as_str).collect();
                    let now = m.now;
                    m.nodes[n % size].run(now, &words);
                }
                Step::Deliver(a, b, twice) => {
                    let (a, b) = (a % size, b % size);
                    if a != b {
                        m.deliver(a, b, *twice);
                    }
                }
                Step::Tick(n, dt) => {
                    m.now += dt;
                    let now = crate::engine::Time::from_ms(1_700_000_000_000 + m.now);
                    let _ = m.nodes[n % size].e.tick(now);
                }
                Step::FullSync(a, b) => {
                    let (a, b) = (a % size, b % size);
                    if a != b {
                        m.full_sync(a, b);
                    }
                }
            }
        }
        m.now += 1;
        m.heal();
        let at = m.now + 10_000;
        let digests = m.live_digests(at);
        // Expiring may not send anything (local expiry): still healed.
        m.collect();
        for (i, log) in m.sent.iter().enumerate() {
            for to in 0..size {
                if to != i {
                    prop_assert_eq!(m.next[i][to], log.len(), "undelivered after the heal");
                }
            }
        }
        for d in &digests[1..] {
            prop_assert_eq!(d, &digests[0]);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever a master sends as RREPLAY (or MVCCRESTORE/MVCCDEL), the
    /// engine answers without panicking.
    #[test]
    fn received_envelopes_never_panic(
        words in prop::collection::vec(
            prop_oneof![
                Just("SET".to_string()), Just("DEL".to_string()), Just("k".to_string()),
                Just("FLUSHALL".to_string()), Just("MSET".to_string()), Just("INCR".to_string()),
                Just("KEYDB.MVCCRESTORE".to_string()), Just("KEYRS.MVCCDEL".to_string()),
                Just("KEYRS.MVCCFLUSHDB".to_string()), Just("RREPLAY".to_string()),
                Just("MULTI".to_string()), Just("EXEC".to_string()), Just("-1".to_string()),
                Just("0".to_string()), Just("99999999999999999999".to_string()),
                "[a-z0-9-]{0,40}",
            ],
            0..8,
        ),
        db in prop::option::of(0u32..20),
        stamp in prop::option::of(any::<u64>()),
        raw in prop::collection::vec(any::<u8>(), 0..40),
    ) {
        let mut n = Node::new(1);
        n.run(1, &["SET", "k", "v"]);
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        let mut payload = wire::encode(&words);
        payload.extend_from_slice(&raw);
        let origin = super::engine_tests::id(2).to_string();
        let mut env: Vec<Vec<u8>> = vec![b"RREPLAY".to_vec(), origin.into_bytes(), payload];
        if let Some(d) = db {
            env.push(d.to_string().into_bytes());
            if let Some(s) = stamp {
                env.push(s.to_string().into_bytes());
            }
        }
        n.deliver_raw(2, &wire::encode(&env));
        let mut direct = words.clone();
        direct.insert(0, "KEYDB.MVCCRESTORE");
        n.run(3, &direct);
        let _ = n.out();
    }
}
