//! The active-active swarm: 2-5 nodes with `active-replica yes` in a pair,
//! a ring or a mesh (`multi-master yes`), every option drawn from the
//! seed. Clients write overlapping keys on every node (strings with and
//! without TTLs, DEL, EXPIRE, PERSIST, INCR, APPEND, lists, hashes, MSET)
//! while faults strike: partitions (symmetric, one-way, isolate-one),
//! replication links killed or sent back to an older stream position (so
//! their master replays what they had, duplicated), nodes crashed and
//! restarted (from a snapshot taken at the crash, or empty), clocks skewed
//! and jumping. Mesh forwarding and full-sync relays duplicate messages
//! too. Then the
//! network heals and, within a bounded simulated time, every node must
//! hold the same keyspace, and each key must be in the state of the write
//! with the highest version ever observed: deletes and expiries included,
//! so nothing deleted comes back. Writes lost with a node that crashed
//! without persistence before any peer had them are allowed to be lost.
//!
//! Run with `cargo sim --test active`; `MADSIM_TEST_NUM=5000 cargo sim
//! --test active` runs thousands of seeds, and a failure prints the
//! `MADSIM_TEST_SEED=<n>` that replays it.
#![cfg(madsim)]

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use keyrs_core::config::Config;
use keyrs_core::engine::commands::debug::{dataset_digest, value_digest, Digest20};
use keyrs_core::engine::Engine;
use keyrs_core::persist::dataset::{load_all, save_to_vec};
use keyrs_core::repl::active::{NodeId, Version};
use keyrs_sim::client::Conn;
use keyrs_sim::node::SharedEngine;
use keyrs_sim::node::{clear_clock_skews, lock, new_engine, now_of, serve, set_clock_skew};
use madsim::net::NetSim;
use madsim::rand::{thread_rng, Rng};
use madsim::runtime::{Handle, NodeHandle};

/// How many string keys, lists and hashes the clients share.
const KEYS: usize = 6;

/// `active-tombstone-grace` of every node (ms).
const GRACE_MS: u64 = 8000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Topology {
    Pair,
    Ring,
    Mesh,
}

/// The seed's choices.
#[derive(Debug, Clone)]
struct Plan {
    nodes: usize,
    topology: Topology,
    no_forward: bool,
    /// Per node: restarted from a snapshot taken at the crash.
    persistent: Vec<bool>,
    /// Per node: its clock's offset in ms at the start.
    skew: Vec<i64>,
    /// Client commands per node.
    writes: usize,
}

fn plan() -> Plan {
    let mut rng = thread_rng();
    let topology = match rng.gen_range(0..3) {
        0 => Topology::Pair,
        1 => Topology::Ring,
        _ => Topology::Mesh,
    };
    let nodes = match topology {
        Topology::Pair => 2,
        _ => rng.gen_range(3..=5),
    };
    Plan {
        nodes,
        topology,
        no_forward: topology == Topology::Mesh && rng.gen_bool(0.3),
        persistent: (0..nodes).map(|_| rng.gen_bool(0.5)).collect(),
        skew: (0..nodes).map(|_| rng.gen_range(-400..=400)).collect(),
        writes: rng.gen_range(60..160),
    }
}

fn ip(i: usize) -> IpAddr {
    IpAddr::from([10, 0, 0, i as u8 + 1])
}

fn addr(i: usize) -> SocketAddr {
    SocketAddr::new(ip(i), keyrs_sim::NODE_PORT)
}

/// The nodes node `i` follows.
fn masters_of(p: &Plan, i: usize) -> Vec<usize> {
    match p.topology {
        Topology::Pair => vec![1 - i],
        Topology::Ring => vec![(i + 1) % p.nodes],
        Topology::Mesh => (0..p.nodes).filter(|&j| j != i).collect(),
    }
}

fn config(p: &Plan, i: usize) -> Config {
    let mut cfg = Config::default();
    let yes = |b: bool| vec![if b { "yes" } else { "no" }.to_string()];
    cfg.set_option("active-replica", &yes(true)).unwrap();
    cfg.set_option("multi-master", &yes(p.topology == Topology::Mesh))
        .unwrap();
    cfg.set_option("multi-master-no-forward", &yes(p.no_forward))
        .unwrap();
    // Tombstones go once every node has gone past them by this much: more
    // than node clocks can disagree here (skews of 400 ms, jumps of 300).
    cfg.set_option("active-tombstone-grace", &[GRACE_MS.to_string()])
        .unwrap();
    cfg.set_masters(
        masters_of(p, i)
            .into_iter()
            .map(|j| (ip(j).to_string(), keyrs_sim::NODE_PORT))
            .collect(),
    );
    cfg
}

fn node_id(i: usize) -> NodeId {
    NodeId::from_bytes([i as u8 + 1; 16])
}

/// One simulated node that can crash and come back.
struct Slot {
    handle: NodeHandle,
    /// The running engine (replaced at each restart).
    engine: Arc<Mutex<Option<SharedEngine>>>,
    /// The snapshot a persistent node restarts from.
    disk: Arc<Mutex<Option<Vec<u8>>>>,
    /// Its clock offset, kept across restarts.
    skew: Arc<Mutex<i64>>,
}

impl Slot {
    fn engine(&self) -> SharedEngine {
        self.engine
            .lock()
            .unwrap()
            .clone()
            .expect("the node has started")
    }
}

fn start(p: &Plan, i: usize) -> Slot {
    let engine: Arc<Mutex<Option<SharedEngine>>> = Arc::default();
    let disk: Arc<Mutex<Option<Vec<u8>>>> = Arc::default();
    let skew = Arc::new(Mutex::new(p.skew[i]));
    // How many times it started (each start has its own writer id).
    let boots: Arc<Mutex<u64>> = Arc::default();
    let (e2, d2, s2, cfg) = (engine.clone(), disk.clone(), skew.clone(), config(p, i));
    let b2 = boots.clone();
    let handle = Handle::current()
        .create_node()
        .name(format!("node-{i}"))
        .ip(ip(i))
        .init(move || {
            let (e2, d2, s2, cfg) = (e2.clone(), d2.clone(), s2.clone(), cfg.clone());
            let boot = {
                let mut b = b2.lock().unwrap();
                *b += 1;
                *b
            };
            async move {
                let shared = new_engine(cfg);
                {
                    let mut e = lock(&shared);
                    e.set_node_id(node_id(i));
                    e.set_writer(NodeId::from_random(thread_rng().gen()), boot);
                    set_clock_skew(&e, *s2.lock().unwrap());
                    if let Some(bytes) = d2.lock().unwrap().clone() {
                        let t = now_of(&e);
                        load_all(&mut e, &bytes, t).expect("the snapshot loads");
                    }
                }
                *e2.lock().unwrap() = Some(shared.clone());
                if let Err(err) = serve(shared, addr(i)).await {
                    panic!("node {i} failed: {err}");
                }
            }
        })
        .build();
    Slot {
        handle,
        engine,
        disk,
        skew,
    }
}

/// A key's state: its value's digest and absolute expiry, or none.
type State = Option<(Digest20, Option<u64>)>;

/// What a client saw on a node right after its write, under the node's
/// lock (so version and state belong together).
#[derive(Debug, Clone)]
struct Obs {
    node: usize,
    version: Version,
    state: State,
}

fn observe(e: &Engine, key: &[u8]) -> Option<(Version, State)> {
    let db = &e.dbs[0];
    let version = db.stamps.as_ref()?.known(key)?;
    let state = db
        .keys
        .get(key)
        .map(|entry| (value_digest(&entry.value), db.expire_at(key)));
    Some((version, state))
}

/// One random client command and the keys it writes.
fn command() -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let mut rng = thread_rng();
    let k = |rng: &mut madsim::rand::GlobalRng, p: &str| {
        format!("{p}{}", rng.gen_range(0..KEYS)).into_bytes()
    };
    let v = format!("v{}", rng.gen_range(0..1000u32)).into_bytes();
    let s = k(&mut rng, "k");
    let words: Vec<&[u8]> = match rng.gen_range(0..14) {
        0 | 1 => vec![b"SET", &s, &v],
        2 => {
            let px = rng.gen_range(300..3000u32).to_string();
            return (
                vec![
                    b"SET".to_vec(),
                    s.clone(),
                    v,
                    b"PX".to_vec(),
                    px.into_bytes(),
                ],
                vec![s],
            );
        }
        3 => vec![b"DEL", &s],
        4 => {
            let secs = rng.gen_range(1..3u32).to_string();
            return (
                vec![b"EXPIRE".to_vec(), s.clone(), secs.into_bytes()],
                vec![s],
            );
        }
        5 => vec![b"PERSIST", &s],
        6 => {
            let n = k(&mut rng, "n");
            return (vec![b"INCR".to_vec(), n.clone()], vec![n]);
        }
        7 => vec![b"APPEND", &s, &v],
        8 | 9 => {
            let l = k(&mut rng, "l");
            return (vec![b"LPUSH".to_vec(), l.clone(), v], vec![l]);
        }
        10 => {
            let l = k(&mut rng, "l");
            return (vec![b"RPOP".to_vec(), l.clone()], vec![l]);
        }
        11 => {
            let h = k(&mut rng, "h");
            let f = k(&mut rng, "f");
            return (vec![b"HSET".to_vec(), h.clone(), f, v], vec![h]);
        }
        12 => {
            let h = k(&mut rng, "h");
            let f = k(&mut rng, "f");
            return (vec![b"HDEL".to_vec(), h.clone(), f], vec![h]);
        }
        _ => {
            let s2 = k(&mut rng, "k");
            return (
                vec![b"MSET".to_vec(), s.clone(), v.clone(), s2.clone(), v],
                vec![s, s2],
            );
        }
    };
    let argv = words.iter().map(|w| w.to_vec()).collect();
    (argv, vec![s])
}

type Log = Arc<Mutex<BTreeMap<Vec<u8>, Vec<Obs>>>>;

/// A client of node `i`: writes, and observes what each write left.
async fn client(i: usize, slot_engine: Arc<Mutex<Option<SharedEngine>>>, writes: usize, log: Log) {
    let mut conn: Option<Conn> = None;
    for _ in 0..writes {
        madsim::time::sleep(Duration::from_millis(thread_rng().gen_range(5..60))).await;
        if conn.is_none() {
            conn = Conn::connect(addr(i)).await.ok();
        }
        let Some(c) = conn.as_mut() else {
            continue;
        };
        let (argv, keys) = command();
        let args: Vec<&[u8]> = argv.iter().map(|a| a.as_slice()).collect();
        let Some(engine) = slot_engine.lock().unwrap().clone() else {
            continue;
        };
        // No reply (the node crashed): the write may still have been
        // applied, and shipped or not; what the node held is recorded as
        // possibly lost (the oracle accepts it but does not demand it).
        let reply = c.call(&args).await;
        if std::env::var("SWARM_TRACE").is_ok_and(|k| keys.iter().any(|x| x == k.as_bytes())) {
            let printable: Vec<String> = argv
                .iter()
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            let e = lock(&engine);
            eprintln!(
                "{:?} node {i}: {printable:?} -> {reply:?}; now {:?}",
                madsim::time::Instant::now(),
                keys.iter().map(|k| observe(&e, k)).collect::<Vec<_>>()
            );
        }
        // An answer from a node killed meanwhile does not count.
        let same = slot_engine
            .lock()
            .unwrap()
            .as_ref()
            .is_some_and(|now| Arc::ptr_eq(now, &engine));
        let answered = reply.is_ok() && same;
        if !answered {
            conn = None;
        }
        let e = lock(&engine);
        let mut log = log.lock().unwrap();
        for key in keys {
            if let Some((version, state)) = observe(&e, &key) {
                log.entry(key).or_default().push(Obs {
                    node: if answered { i } else { usize::MAX },
                    version,
                    state,
                });
            }
        }
    }
}

/// The faults, for `rounds` rounds; returns the nodes crashed without
/// persistence and when (for the oracle's lost writes).
async fn faults(p: Plan, slots: Arc<Vec<Slot>>, rounds: usize, log: Log) {
    let net = NetSim::current();
    let ids: Vec<_> = slots.iter().map(|s| s.handle.id()).collect();
    // Stream positions seen (always at command boundaries): a link sent
    // back to one replays what it had applied since, duplicated.
    let mut positions: Vec<(usize, u64, String, u64)> = Vec::new();
    for _ in 0..rounds {
        madsim::time::sleep(Duration::from_millis(thread_rng().gen_range(100..600))).await;
        // Persistent nodes save now and then: a crash may restart one
        // from a file older than what it had (and what its peers
        // collected since). Not without forwarding: there a node's writes
        // reach the others only from itself, and those it lost with its
        // newer data stay only where they landed (README).
        for (i, s) in slots.iter().enumerate() {
            if p.persistent[i] && !p.no_forward && thread_rng().gen_bool(0.3) {
                if let Some(engine) = s.engine.lock().unwrap().clone() {
                    let mut e = lock(&engine);
                    let t = now_of(&e);
                    *s.disk.lock().unwrap() = Some(save_to_vec(&mut e, t));
                }
            }
        }
        for (i, s) in slots.iter().enumerate() {
            if let Some(engine) = s.engine.lock().unwrap().clone() {
                for m in &lock(&engine).repl.actives {
                    if let Some((replid, off)) = &m.position {
                        positions.push((i, m.id, replid.clone(), *off));
                    }
                }
            }
        }
        let what = thread_rng().gen_range(0..7);
        let a = thread_rng().gen_range(0..p.nodes);
        let b = (a + thread_rng().gen_range(1..p.nodes)) % p.nodes;
        let hold = Duration::from_millis(thread_rng().gen_range(100..1500));
        if std::env::var("SWARM_TRACE").is_ok() {
            eprintln!(
                "{:?} fault {what} on {a}->{b} for {hold:?}",
                madsim::time::Instant::now()
            );
        }
        match what {
            // Symmetric partition between two nodes.
            0 => {
                net.clog_link(ids[a], ids[b]);
                net.clog_link(ids[b], ids[a]);
                madsim::time::sleep(hold).await;
                net.unclog_link(ids[a], ids[b]);
                net.unclog_link(ids[b], ids[a]);
            }
            // One way only.
            1 => {
                net.clog_link(ids[a], ids[b]);
                madsim::time::sleep(hold).await;
                net.unclog_link(ids[a], ids[b]);
            }
            // Isolate one node from everybody.
            2 => {
                net.clog_node(ids[a]);
                madsim::time::sleep(hold).await;
                net.unclog_node(ids[a]);
            }
            // Crash and restart.
            3 => {
                let engine = slots[a].engine();
                {
                    let mut e = lock(&engine);
                    let mut disk = slots[a].disk.lock().unwrap();
                    if p.persistent[a]
                        && (p.no_forward || disk.is_none() || thread_rng().gen_bool(0.5))
                    {
                        let t = now_of(&e);
                        *disk = Some(save_to_vec(&mut e, t));
                    } else {
                        // No file, or an older one: what it had since and
                        // no peer has is lost.
                        forget_unshared(&e, a, &slots, &log);
                    }
                }
                // Clients that hear back from the dying node after this
                // see it gone (their write counts as possibly lost).
                *slots[a].engine.lock().unwrap() = None;
                Handle::current().kill(ids[a]);
                madsim::time::sleep(hold).await;
                Handle::current().restart(ids[a]);
            }
            // The replication links of one node are cut (they reconnect).
            4 => {
                let engine = slots[a].engine();
                let mut e = lock(&engine);
                for m in &mut e.repl.actives {
                    m.killed = true;
                }
            }
            // A link goes back to an older position of its master's stream
            // and reconnects: the master replays what it had sent since.
            5 if !positions.is_empty() => {
                let (i, id, replid, off) =
                    positions[thread_rng().gen_range(0..positions.len())].clone();
                let engine = slots[i].engine();
                if let Some(m) = lock(&engine).repl.actives.iter_mut().find(|m| m.id == id) {
                    m.killed = true;
                }
                // Rewind only once the link is down: a live one may still
                // apply what it had read, from the position it had.
                for _ in 0..2000 {
                    madsim::time::sleep(Duration::from_millis(1)).await;
                    let mut e = lock(&engine);
                    let Some(m) = e.repl.actives.iter_mut().find(|m| m.id == id) else {
                        break;
                    };
                    if !m.link.is_up() {
                        if m.position
                            .as_ref()
                            .is_some_and(|(r, o)| *r == replid && *o >= off)
                        {
                            m.position = Some((replid, off));
                        }
                        break;
                    }
                }
            }
            // A clock jumps.
            _ => {
                let jump = thread_rng().gen_range(-300..=300);
                let mut s = slots[a].skew.lock().unwrap();
                *s += jump;
                let engine = slots[a].engine();
                set_clock_skew(&lock(&engine), *s);
            }
        }
    }
}

/// Node `a` crashes without persistence: its writes that no other node
/// knows yet are lost, and the oracle must not expect them.
fn forget_unshared(_e: &Engine, a: usize, slots: &[Slot], log: &Log) {
    let others: Vec<SharedEngine> = slots
        .iter()
        .enumerate()
        .filter(|(j, _)| *j != a)
        .filter_map(|(_, s)| s.engine.lock().unwrap().clone())
        .collect();
    let mut log = log.lock().unwrap();
    for (key, obs) in log.iter_mut() {
        for o in obs.iter_mut().filter(|o| o.node == a) {
            let shared = others.iter().any(|e| {
                lock(e).dbs[0]
                    .stamps
                    .as_ref()
                    .and_then(|s| s.known(key))
                    .is_some_and(|v| v >= o.version)
            });
            if !shared {
                o.node = usize::MAX; // lost
            }
        }
    }
}

#[madsim::test]
async fn active_replicas_converge_through_partitions_crashes_and_skew() {
    clear_clock_skews();
    let p = plan();
    let seed = Handle::current().seed();
    let replay = format!("MADSIM_TEST_SEED={seed} cargo sim --test active ({p:?})");
    let slots: Arc<Vec<Slot>> = Arc::new((0..p.nodes).map(|i| start(&p, i)).collect());
    madsim::time::sleep(Duration::from_millis(300)).await;
    let log: Log = Arc::default();
    let mut clients = Vec::new();
    for i in 0..p.nodes {
        let (engine, log, writes) = (slots[i].engine.clone(), log.clone(), p.writes);
        let host = Handle::current()
            .create_node()
            .name(format!("client-{i}"))
            .ip(IpAddr::from([10, 0, 1, i as u8 + 1]))
            .build();
        clients.push(host.spawn(client(i, engine, writes, log)));
    }
    let fault_host = Handle::current().create_node().name("faults").build();
    let rounds = thread_rng().gen_range(4..12);
    let f = fault_host.spawn(faults(p.clone(), slots.clone(), rounds, log.clone()));
    for c in clients {
        c.await.expect("client");
    }
    f.await.expect("faults");
    // Heal: every link open (the fault task unclogs what it clogged).
    // Within a bounded simulated time the keyspaces must agree.
    let deadline = madsim::time::Instant::now() + Duration::from_secs(30);
    let digests = |slots: &[Slot]| -> Vec<Digest20> {
        slots
            .iter()
            .map(|s| dataset_digest(&lock(&s.engine())))
            .collect()
    };
    loop {
        madsim::time::sleep(Duration::from_millis(500)).await;
        let d = digests(&slots);
        if d.iter().all(|x| *x == d[0]) {
            break;
        }
        if madsim::time::Instant::now() > deadline {
            for (i, s) in slots.iter().enumerate() {
                let engine = s.engine();
                let e = lock(&engine);
                let keys: Vec<String> = e.dbs[0]
                    .keys
                    .iter()
                    .map(|(k, _)| String::from_utf8_lossy(k).into_owned())
                    .collect();
                eprintln!("node {i}: {keys:?} actives={:?}", e.repl.actives);
                eprintln!(
                    "node {i}: offset {} replid {} replicas {:?}",
                    e.repl.offset, e.repl.replid, e.repl.replicas
                );
            }
            dump_differences(&slots, &log.lock().unwrap());
            panic!("the nodes did not converge within 30 s: replay with {replay}");
        }
    }
    check_oracle(&slots, &log.lock().unwrap(), &replay);
    // Quiet and connected, every tombstone is collected once the nodes'
    // heartbeats pass it by the grace; the nodes still agree (TTLs may
    // have expired meanwhile) and still hold what the oracle says.
    let deadline = madsim::time::Instant::now() + Duration::from_millis(GRACE_MS + 30_000);
    loop {
        madsim::time::sleep(Duration::from_millis(500)).await;
        let held: Vec<(usize, bool)> = slots
            .iter()
            .map(|s| {
                let engine = s.engine();
                let e = lock(&engine);
                let tables = e.dbs.iter().filter_map(|d| d.stamps.as_deref());
                let n: usize = tables.clone().map(|st| st.tombstones_len()).sum();
                (n, tables.clone().any(|st| st.flushed().is_some()))
            })
            .collect();
        if held.iter().all(|(n, f)| *n == 0 && !f) {
            break;
        }
        if madsim::time::Instant::now() > deadline {
            for (i, s) in slots.iter().enumerate() {
                let engine = s.engine();
                let e = lock(&engine);
                eprintln!("node {i}: {:?} marks {:?}", held[i], e.active.marks);
            }
            panic!("tombstones were not collected: replay with {replay}");
        }
    }
    let after = digests(&slots);
    assert!(
        after.iter().all(|d| *d == after[0]),
        "the nodes disagree after collection: replay with {replay}"
    );
    check_oracle(&slots, &log.lock().unwrap(), &replay);
}

/// Every key is in the state of its highest-versioned surviving write
/// (or of a lost one with a higher version, delivered before the crash).
fn check_oracle(slots: &[Slot], log: &BTreeMap<Vec<u8>, Vec<Obs>>, replay: &str) {
    let engine = slots[0].engine();
    let e = lock(&engine);
    let now_ms = now_of(&e).ms();
    for (key, obs) in log {
        // One version, one state, wherever it was seen (a key with a TTL
        // may have expired on one node and not yet on another).
        let mut by_version: HashMap<Version, &State> = HashMap::new();
        for o in obs {
            if let Some(prev) = by_version.insert(o.version, &o.state) {
                let agree = match (prev, &o.state) {
                    (Some(a), Some(b)) => a == b,
                    (None, None) => true,
                    (Some((_, ttl)), None) | (None, Some((_, ttl))) => ttl.is_some(),
                };
                assert!(
                    agree,
                    "{}: version {:?} seen as {prev:?} and {:?}; replay with {replay}",
                    String::from_utf8_lossy(key),
                    o.version,
                    o.state
                );
            }
        }
        let Some(best) = obs
            .iter()
            .filter(|o| o.node != usize::MAX)
            .max_by_key(|o| o.version)
        else {
            continue;
        };
        let live = |s: &State| -> State {
            match s {
                Some((_, Some(at))) if *at < now_ms => None,
                other => *other,
            }
        };
        let Some((final_version, final_state)) = observe(&e, key) else {
            // No version at all: a tombstone collected once every peer had
            // it. The key must be gone, as its last write left it (or a
            // later write counted as lost that did reach the peers).
            let lost_delete = obs.iter().any(|o| {
                o.node == usize::MAX && o.version > best.version && live(&o.state).is_none()
            });
            assert!(
                !e.dbs[0].keys.contains_key(key) && (live(&best.state).is_none() || lost_delete),
                "{}: no version on node 0, yet the last write {:?} left it alive; replay with {replay}",
                String::from_utf8_lossy(key),
                best.version
            );
            continue;
        };
        assert!(
            final_version >= best.version,
            "{}: node 0 holds {:?}, older than the write {:?} seen on node {}; replay with {replay}",
            String::from_utf8_lossy(key),
            final_version,
            best.version,
            best.node
        );
        if final_version == best.version {
            // A state with a TTL may have been expired by a node whose
            // clock runs ahead of node 0's (its tombstone then travels).
            let expired_elsewhere =
                live(&final_state).is_none() && matches!(best.state, Some((_, Some(_))));
            assert!(
                expired_elsewhere || live(&final_state) == live(&best.state),
                "{}: the state of the winning write {:?} is {:?}, node 0 holds {:?}; replay with {replay}",
                String::from_utf8_lossy(key),
                best.version,
                best.state,
                final_state
            );
        } else {
            let lost = obs
                .iter()
                .any(|o| o.node == usize::MAX && o.version == final_version);
            if !lost {
                for o in obs {
                    eprintln!("  observed on {}: {:?} {:?}", o.node, o.version, o.state);
                }
            }
            assert!(
                lost,
                "{}: node 0 holds {:?}, a version no client wrote; replay with {replay}",
                String::from_utf8_lossy(key),
                final_version
            );
        }
    }
}

/// On a failure: every key whose version or state differs between nodes,
/// with what the clients observed of it.
fn dump_differences(slots: &[Slot], log: &BTreeMap<Vec<u8>, Vec<Obs>>) {
    let engines: Vec<SharedEngine> = slots.iter().map(Slot::engine).collect();
    let mut keys: Vec<Vec<u8>> = log.keys().cloned().collect();
    keys.sort();
    for key in keys {
        let seen: Vec<Option<(Version, State)>> =
            engines.iter().map(|e| observe(&lock(e), &key)).collect();
        if seen.iter().all(|s| *s == seen[0]) {
            continue;
        }
        eprintln!("{}:", String::from_utf8_lossy(&key));
        for (i, s) in seen.iter().enumerate() {
            eprintln!("  node {i}: {s:?}");
        }
        for o in &log[&key] {
            eprintln!("  observed on {}: {:?} {:?}", o.node, o.version, o.state);
        }
    }
}
