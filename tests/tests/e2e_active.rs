//! Active-active replication and multi-master with real `keyrs-server`
//! processes on loopback (issue 7, item 6). Every replication link goes
//! through a [`Proxy`] the test controls, so a test can partition nodes
//! (cut both directions of a pair, or isolate one node from a mesh) and heal
//! them again; nodes are killed with SIGKILL and restarted on their data
//! directory. Each scenario ends with equal DEBUG DIGESTs on every node,
//! polled against a deadline (never a blind sleep), and prints every node's
//! INFO replication, a keyspace diff and its log tail when it fails.
//!
//! Topology: node i reaches node j through `links[i][j]`, a proxy that
//! forwards to node j's port; node i's configuration has one
//! `replicaof 127.0.0.1 <links[i][j] port>` line per peer j (repeated
//! `--replicaof` arguments become repeated config lines). Clients talk to
//! the nodes directly.
//!
//! What is asserted (KeyDB's failures this must not repeat are in
//! shared/reference/keydb.md §8):
//! - a pair written on both sides converges, also under concurrent writes
//!   to the same keys while connected;
//! - a key SET on both sides during a partition ends with the later write on
//!   both (KeyDB #366 ends with the two values swapped);
//! - a DEL during a partition is not undone by an older write from the other
//!   side, nor by a node that held the key on disk while it was down
//!   (KeyDB #447, #83, #390);
//! - INCR/APPEND/LPUSH/HSET conflicts converge (KeyDB #111);
//! - a node killed with SIGKILL keeps its node id (`keyrs-node.id`) and the
//!   healthy peer never answers -LOADING meanwhile (KeyDB #365);
//! - a restarted node resumes with a partial resync (KeyDB #679);
//! - a 4-node multi-master mesh converges after an isolate-one partition.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use keyrs_tests::{Proxy, RawClient, Server};

/// How long convergence (or a link coming up) may take.
const CONVERGE: Duration = Duration::from_secs(20);

/// Poll interval for every wait.
const POLL: Duration = Duration::from_millis(50);

/// Consecutive equal digest polls (spaced [`STABLE_GAP`] apart) that count
/// as converged, so a momentary equality in the middle of a bad replay is
/// not taken for the end state.
const STABLE_POLLS: usize = 3;
const STABLE_GAP: Duration = Duration::from_millis(150);

/// The node-id file in a node's data directory.
const NODE_ID_FILE: &str = "keyrs-node.id";

// ---------------------------------------------------------------------------
// Talking to a node

/// Send one command on `c` and return the reply as text.
fn cmd(c: &mut RawClient, args: &[&str]) -> String {
    let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    let r = c
        .call(&args)
        .unwrap_or_else(|e| panic!("no reply to {args:?}: {e}"));
    String::from_utf8_lossy(&r).into_owned()
}

/// How long a poll or a diagnostic command may wait for its reply: a node
/// stuck in a replication storm must fail the test quickly, not after the
/// harness's 20 s per reply.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// One command on a fresh connection to `s`, waiting at most
/// [`PROBE_TIMEOUT`]; the error says what went wrong.
fn probe(s: &Server, args: &[&str]) -> Result<String, String> {
    let mut c = RawClient::connect(s.port()).map_err(|e| format!("<connect: {e}>"))?;
    let a: Vec<&[u8]> = args.iter().map(|x| x.as_bytes()).collect();
    c.send_command(&a).map_err(|e| format!("<send: {e}>"))?;
    c.read_reply_within(PROBE_TIMEOUT)
        .map(|r| String::from_utf8_lossy(&r).into_owned())
        .map_err(|e| format!("<no reply to {args:?}: {e}>"))
}

/// A field of `INFO <section>` on `s` (None also when it does not answer).
fn info_field(s: &Server, section: &str, field: &str) -> Option<String> {
    let text = probe(s, &["INFO", section]).ok()?;
    let prefix = format!("{field}:");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map(|v| v.trim().to_string())
}

/// A numeric INFO field (0 when absent).
fn info_u64(s: &Server, section: &str, field: &str) -> u64 {
    info_field(s, section, field)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// DEBUG DIGEST of `s`, or the reason it did not answer (never equal to a
/// real digest).
fn digest(s: &Server) -> String {
    probe(s, &["DEBUG", "DIGEST"]).unwrap_or_else(|e| format!("{e} (port {})", s.port()))
}

/// A reply value as text, when it is a string of some kind or an integer.
fn text(v: &redis::Value) -> Option<String> {
    match v {
        redis::Value::BulkString(b) => Some(String::from_utf8_lossy(b).into_owned()),
        redis::Value::SimpleString(s) => Some(s.clone()),
        redis::Value::Okay => Some("OK".into()),
        redis::Value::Int(i) => Some(i.to_string()),
        _ => None,
    }
}

/// Every string and integer in a reply, depth first.
fn flatten(v: &redis::Value, out: &mut Vec<String>) {
    match v {
        redis::Value::Array(items) | redis::Value::Set(items) => {
            items.iter().for_each(|i| flatten(i, out));
        }
        other => out.extend(text(other)),
    }
}

/// The whole keyspace of db 0 as `key -> "type:value"`, collections in a
/// canonical order, with whether the key has a TTL: for diffs and for
/// asserting values. Small keyspaces only (KEYS *).
fn keyspace(s: &Server) -> BTreeMap<String, String> {
    let mut con = s.redis();
    let _ = con.set_read_timeout(Some(PROBE_TIMEOUT));
    let q = |con: &mut redis::Connection, args: &[&str]| -> redis::Value {
        let mut c = redis::cmd(args[0]);
        for a in &args[1..] {
            c.arg(*a);
        }
        c.query(con).unwrap_or(redis::Value::Nil)
    };
    let mut keys = Vec::new();
    flatten(&q(&mut con, &["KEYS", "*"]), &mut keys);
    let mut out = BTreeMap::new();
    // A diagnostic: a bounded number of keys and of elements per key.
    keys.truncate(500);
    for k in keys {
        let ty = text(&q(&mut con, &["TYPE", &k])).unwrap_or_default();
        if ty == "none" {
            // Expired (or deleted) between KEYS and TYPE.
            continue;
        }
        let mut items = Vec::new();
        let value = match ty.as_str() {
            "string" => text(&q(&mut con, &["GET", &k])).unwrap_or_default(),
            "list" => {
                flatten(&q(&mut con, &["LRANGE", &k, "0", "99"]), &mut items);
                let len = text(&q(&mut con, &["LLEN", &k])).unwrap_or_default();
                format!("[{len}] {}", items.join(","))
            }
            "hash" => {
                let mut pairs = Vec::new();
                flatten(&q(&mut con, &["HGETALL", &k]), &mut pairs);
                let mut kv: Vec<String> = pairs.chunks(2).map(|c| c.join("=")).collect();
                kv.sort();
                kv.join(",")
            }
            "set" => {
                flatten(&q(&mut con, &["SMEMBERS", &k]), &mut items);
                items.sort();
                items.join(",")
            }
            "zset" => {
                flatten(
                    &q(&mut con, &["ZRANGE", &k, "0", "-1", "WITHSCORES"]),
                    &mut items,
                );
                items.join(",")
            }
            other => format!("<{other}>"),
        };
        let ttl = text(&q(&mut con, &["PTTL", &k])).unwrap_or_default();
        let ttl = if ttl == "-1" { "" } else { " (ttl)" };
        let mut value = format!("{ty}:{value}{ttl}");
        if value.len() > 300 {
            let cut = (0..=300)
                .rev()
                .find(|&i| value.is_char_boundary(i))
                .unwrap_or(0);
            value.truncate(cut);
            value.push_str("...");
        }
        out.insert(k, value);
    }
    out
}

// ---------------------------------------------------------------------------
// A cluster of nodes linked through proxies

/// One node: its process (None while killed), data directory and arguments.
struct Node {
    server: Option<Server>,
    dir: tempfile::TempDir,
    args: Vec<String>,
}

/// N nodes, each an active replica of every other one through a proxy.
struct Cluster {
    nodes: Vec<Node>,
    /// `links[i][j]`: the proxy node i's link to node j goes through
    /// (`None` on the diagonal).
    links: Vec<Vec<Option<Proxy>>>,
}

impl Cluster {
    /// A full mesh of `n` nodes: `active-replica yes` (and `multi-master
    /// yes` when `multi_master`), each node `replicaof` every other one,
    /// plus `extra` arguments for every node.
    fn mesh(n: usize, multi_master: bool, extra: &[&str]) -> Cluster {
        Cluster::linked(n, multi_master, extra, |i, j| i != j)
    }

    /// `n` nodes where node i replicates node j when `edge(i, j)`.
    fn linked(
        n: usize,
        multi_master: bool,
        extra: &[&str],
        edge: impl Fn(usize, usize) -> bool,
    ) -> Cluster {
        let links: Vec<Vec<Option<Proxy>>> = (0..n)
            .map(|i| {
                (0..n)
                    .map(|j| (i != j && edge(i, j)).then(Proxy::unbound))
                    .collect()
            })
            .collect();
        let mut nodes = Vec::new();
        for (i, row) in links.iter().enumerate() {
            let dir = tempfile::Builder::new()
                .prefix("keyrs-active-")
                .tempdir()
                .expect("a data directory");
            // KeyDB's ordering rule: active-replica (and multi-master)
            // before any replicaof line.
            let mut args: Vec<String> = vec!["--active-replica".into(), "yes".into()];
            if multi_master {
                args.extend(["--multi-master".into(), "yes".into()]);
            }
            // A full sync starts at once instead of after Redis's default
            // 5 s wait for more replicas (keeps each test short).
            args.extend(["--repl-diskless-sync-delay".into(), "0".into()]);
            args.extend(extra.iter().map(|s| s.to_string()));
            args.extend([
                "--dir".into(),
                dir.path().to_str().expect("utf-8 temp dir").into(),
            ]);
            for (j, link) in row.iter().enumerate() {
                if let Some(p) = link {
                    debug_assert_ne!(i, j);
                    args.extend([
                        "--replicaof".into(),
                        "127.0.0.1".into(),
                        p.port().to_string(),
                    ]);
                }
            }
            nodes.push(Node {
                server: None,
                dir,
                args,
            });
        }
        let mut c = Cluster { nodes, links };
        for i in 0..n {
            c.start(i);
        }
        c
    }

    /// Two active replicas of each other.
    fn pair(extra: &[&str]) -> Cluster {
        Cluster::mesh(2, false, extra)
    }

    fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Node `i`'s running server.
    fn node(&self, i: usize) -> &Server {
        self.nodes[i]
            .server
            .as_ref()
            .unwrap_or_else(|| panic!("node {i} is not running"))
    }

    fn raw(&self, i: usize) -> RawClient {
        self.node(i).raw()
    }

    fn running(&self) -> Vec<usize> {
        (0..self.len())
            .filter(|&i| self.nodes[i].server.is_some())
            .collect()
    }

    /// Start node `i` (again) with its arguments and data directory, and
    /// point every peer's proxy towards it at its new port.
    fn start(&mut self, i: usize) {
        assert!(self.nodes[i].server.is_none(), "node {i} already runs");
        let args: Vec<&str> = self.nodes[i].args.iter().map(String::as_str).collect();
        let s = Server::start(&args);
        for row in &self.links {
            if let Some(p) = &row[i] {
                p.set_target(s.port());
            }
        }
        self.nodes[i].server = Some(s);
        // The harness counts -LOADING as up; wait until the node's own
        // files are loaded, so what a test reads next is the loaded state.
        self.wait(&format!("node {i} to finish loading"), |c| {
            info_field(c.node(i), "persistence", "loading").as_deref() == Some("0")
        });
    }

    /// Kill node `i` with SIGKILL (what dropping a harness Server does) and
    /// wait for it to exit.
    fn kill(&mut self, i: usize) {
        let s = self.nodes[i].server.take().expect("node runs");
        let pid = s.pid();
        drop(s);
        assert!(pid.is_some(), "node {i} had no process");
    }

    /// Node `i`'s data directory.
    fn dir(&self, i: usize) -> PathBuf {
        self.nodes[i].dir.path().to_path_buf()
    }

    /// The proxy ports node `i` is configured to replicate from.
    fn master_ports(&self, i: usize) -> BTreeSet<String> {
        self.links[i]
            .iter()
            .flatten()
            .map(|p| p.port().to_string())
            .collect()
    }

    /// Cut both directions between `a` and `b`.
    fn cut_pair(&self, a: usize, b: usize) {
        for (x, y) in [(a, b), (b, a)] {
            if let Some(p) = &self.links[x][y] {
                p.cut();
            }
        }
    }

    /// Cut every link into and out of node `i`.
    fn isolate(&self, i: usize) {
        for j in 0..self.len() {
            if j != i {
                self.cut_pair(i, j);
            }
        }
    }

    fn heal_all(&self) {
        self.links.iter().flatten().flatten().for_each(Proxy::heal);
    }

    /// Every running node's INFO replication and log tail, for failures.
    fn report(&self) -> String {
        let mut out = String::new();
        for i in self.running() {
            let s = self.node(i);
            let info = probe(s, &["INFO", "replication"]).unwrap_or_else(|e| e);
            out.push_str(&format!(
                "\n===== node {i} (port {}, links {:?}) INFO replication:\n{info}",
                s.port(),
                self.master_ports(i),
            ));
            let log = s.log();
            let tail: Vec<&str> = log.lines().rev().take(25).collect();
            out.push_str(&format!("----- node {i} log tail:\n"));
            for l in tail.iter().rev() {
                out.push_str(l);
                out.push('\n');
            }
        }
        out
    }

    /// Which keys differ between the running nodes (first 20).
    fn keyspace_diff(&self) -> String {
        let running = self.running();
        let spaces: Vec<BTreeMap<String, String>> =
            running.iter().map(|&i| keyspace(self.node(i))).collect();
        let all: BTreeSet<&String> = spaces.iter().flat_map(|s| s.keys()).collect();
        let mut out = String::new();
        let mut shown = 0;
        for k in all {
            let vals: Vec<Option<&String>> = spaces.iter().map(|s| s.get(k)).collect();
            if vals.windows(2).any(|w| w[0] != w[1]) {
                shown += 1;
                if shown > 20 {
                    out.push_str("...\n");
                    break;
                }
                out.push_str(&format!("{k}:"));
                for (i, v) in running.iter().zip(&vals) {
                    out.push_str(&format!(" node{i}={v:?}"));
                }
                out.push('\n');
            }
        }
        if shown == 0 {
            // Same visible values: compare what the digest sees per key
            // (a TTL flag, an encoding, a key expired but not reclaimed).
            let keys: Vec<&String> = spaces
                .first()
                .map(|s| s.keys().collect())
                .unwrap_or_default();
            for k in keys.iter().take(500) {
                let dv: Vec<String> = running
                    .iter()
                    .map(|&i| {
                        probe(self.node(i), &["DEBUG", "DIGEST-VALUE", k]).unwrap_or_else(|e| e)
                    })
                    .collect();
                if dv.windows(2).any(|w| w[0] != w[1]) {
                    shown += 1;
                    if shown > 20 {
                        break;
                    }
                    out.push_str(&format!("{k}: same value, DIGEST-VALUE differs: {dv:?}\n"));
                }
            }
            for &i in &running {
                let ks = probe(self.node(i), &["INFO", "keyspace"]).unwrap_or_else(|e| e);
                let ks: Vec<&str> = ks.lines().filter(|l| l.starts_with("db")).collect();
                out.push_str(&format!("node{i} INFO keyspace: {ks:?}\n"));
            }
        }
        out
    }

    fn fail(&self, what: &str) -> ! {
        let digests: Vec<String> = self
            .running()
            .iter()
            .map(|&i| format!("node{i}={}", digest(self.node(i)).trim()))
            .collect();
        panic!(
            "{what}\ndigests: {}\nkeys that differ:\n{}{}",
            digests.join(" "),
            self.keyspace_diff(),
            self.report()
        );
    }

    /// Wait until `cond` holds, or fail with the cluster's state.
    fn wait(&self, what: &str, mut cond: impl FnMut(&Cluster) -> bool) {
        let deadline = Instant::now() + CONVERGE;
        while Instant::now() < deadline {
            if cond(self) {
                return;
            }
            std::thread::sleep(POLL);
        }
        self.fail(&format!("timed out after {CONVERGE:?} waiting for {what}"));
    }

    /// Is node `i` linked to every master it is configured with?
    fn links_up(&self, i: usize) -> bool {
        let s = self.node(i);
        let want = self.master_ports(i).len().to_string();
        info_field(s, "replication", "master_global_link_status").as_deref() == Some("up")
            && info_field(s, "replication", "connected_masters").as_deref() == Some(&want)
    }

    /// Wait until every running node is linked to all its masters.
    fn wait_links_up(&self) {
        self.wait("every replication link up", |c| {
            c.running().iter().all(|&i| c.links_up(i))
        });
    }

    /// Wait until every running node holds the same keyspace (equal DEBUG
    /// DIGEST on [`STABLE_POLLS`] polls in a row) and return the digest.
    fn wait_converged(&self, what: &str) -> String {
        let deadline = Instant::now() + CONVERGE;
        let mut stable = 0;
        let mut last = String::new();
        while Instant::now() < deadline {
            let ds: Vec<String> = self
                .running()
                .iter()
                .map(|&i| digest(self.node(i)))
                .collect();
            if ds.windows(2).all(|w| w[0] == w[1]) {
                if ds[0] == last {
                    stable += 1;
                } else {
                    stable = 1;
                    last = ds[0].clone();
                }
                if stable >= STABLE_POLLS {
                    return last;
                }
                std::thread::sleep(STABLE_GAP);
            } else {
                stable = 0;
                std::thread::sleep(POLL);
            }
        }
        self.fail(&format!(
            "{what}: no convergence within {CONVERGE:?} (equal DEBUG DIGEST on every node)"
        ));
    }

    /// `cmd` on node `i` over a fresh connection.
    fn call(&self, i: usize, args: &[&str]) -> String {
        cmd(&mut self.raw(i), args)
    }

    /// Wait until node `i`'s `master_global_link_status` is `down` (after a
    /// cut: the node noticed).
    fn wait_link_down(&self, i: usize) {
        self.wait(&format!("node {i} to see its links down"), |c| {
            info_field(c.node(i), "replication", "master_global_link_status").as_deref()
                == Some("down")
        });
    }
}

// ---------------------------------------------------------------------------
// Random writes

/// xorshift64*: enough randomness for workloads; the seed is printed so a
/// failure can be rerun (`KEYRS_ACTIVE_SEED`).
struct Rng(u64);

impl Rng {
    fn from_env_or_clock(test: &str) -> Rng {
        let seed = std::env::var("KEYRS_ACTIVE_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(1, |d| d.as_nanos() as u64)
            });
        println!("{test}: seed {seed} (rerun with KEYRS_ACTIVE_SEED={seed})");
        Rng(seed | 1)
    }

    fn fork(&mut self) -> Rng {
        Rng(self.next() | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One random write over a small shared keyspace, keys grouped by type so
/// most commands meet a key of their type (a WRONGTYPE error is fine too:
/// it is the same on every node).
fn random_write(rng: &mut Rng, tag: &str, n: u64) -> Vec<String> {
    let k = rng.below(6);
    let v = format!("{tag}-{n}");
    let s = |a: &[&str]| a.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    match rng.below(17) {
        0 => s(&["SET", &format!("str:{k}"), &v]),
        1 => s(&["APPEND", &format!("str:{k}"), &v]),
        2 => s(&["DEL", &format!("str:{k}")]),
        3 => s(&["INCR", &format!("num:{k}")]),
        4 => s(&["INCRBY", &format!("num:{k}"), &rng.below(100).to_string()]),
        5 => s(&["DEL", &format!("num:{k}")]),
        6 => s(&["LPUSH", &format!("list:{k}"), &v]),
        7 => s(&["RPUSH", &format!("list:{k}"), &v, "x"]),
        8 => s(&["LPOP", &format!("list:{k}")]),
        9 => s(&[
            "HSET",
            &format!("hash:{k}"),
            &format!("f{}", rng.below(4)),
            &v,
        ]),
        10 => s(&["HDEL", &format!("hash:{k}"), &format!("f{}", rng.below(4))]),
        11 => s(&["HINCRBY", &format!("hash:{k}"), "counter", "1"]),
        12 => s(&["SADD", &format!("set:{k}"), &format!("m{}", rng.below(8))]),
        13 => s(&[
            "ZADD",
            &format!("zset:{k}"),
            &rng.below(50).to_string(),
            &format!("m{}", rng.below(8)),
        ]),
        // Long TTLs only: nothing may expire during the test, so digests
        // compare state, not lazy-expiry timing.
        14 => s(&["SET", &format!("ttl:{k}"), &v, "EX", "1000"]),
        15 => s(&[
            "MSET",
            &format!("str:{k}"),
            &v,
            &format!("str:{}", rng.below(6)),
            &v,
        ]),
        _ => s(&["EXPIRE", &format!("str:{k}"), "2000"]),
    }
}

/// `ops` random writes on `port` from a fresh connection; returns the error
/// replies other than WRONGTYPE (expected none) and a lost connection.
fn write_random(port: u16, mut rng: Rng, tag: String, ops: u64) -> Vec<String> {
    let mut c = RawClient::connect(port).expect("connect");
    let mut errors = Vec::new();
    for n in 0..ops {
        let args = random_write(&mut rng, &tag, n);
        let refs: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        match c.call(&refs) {
            Ok(r) if r.starts_with(b"-") && !r.starts_with(b"-WRONGTYPE") => {
                errors.push(format!(
                    "{args:?} -> {}",
                    String::from_utf8_lossy(&r).trim()
                ));
            }
            Ok(_) => {}
            Err(e) => {
                errors.push(format!("{args:?} -> {e} (port {port})"));
                break;
            }
        }
    }
    errors
}

/// Run [`write_random`] on several nodes at once.
fn write_random_on(c: &Cluster, nodes: &[usize], rng: &mut Rng, phase: &str, ops: u64) {
    let handles: Vec<_> = nodes
        .iter()
        .map(|&i| {
            let port = c.node(i).port();
            let r = rng.fork();
            let tag = format!("{phase}{i}");
            std::thread::spawn(move || write_random(port, r, tag, ops))
        })
        .collect();
    for h in handles {
        let errors = h.join().expect("writer thread");
        if !errors.is_empty() {
            c.fail(&format!(
                "{} unexpected error replies, first: {:?}",
                errors.len(),
                &errors[..errors.len().min(5)]
            ));
        }
    }
}

/// Sleep long enough that the next write gets a later wall-clock
/// millisecond than the previous one (stamps are `ms << 20 | counter`).
fn next_millisecond() {
    std::thread::sleep(Duration::from_millis(5));
}

/// A client that keeps issuing SET and GET on one node until stopped and
/// records every error reply (or lost connection): the healthy peer of a
/// restarting node must never answer -LOADING.
struct Hammer {
    stop: Arc<AtomicBool>,
    handle: std::thread::JoinHandle<(u64, Vec<String>)>,
}

impl Hammer {
    fn start(port: u16, tag: &'static str) -> Hammer {
        let stop = Arc::new(AtomicBool::new(false));
        let s = Arc::clone(&stop);
        let handle = std::thread::spawn(move || {
            let mut c = RawClient::connect(port).expect("connect");
            let mut errors = Vec::new();
            let mut n = 0u64;
            while !s.load(Ordering::SeqCst) {
                let key = format!("{tag}:{}", n % 50);
                let val = n.to_string();
                for args in [
                    vec!["SET", key.as_str(), val.as_str()],
                    vec!["GET", key.as_str()],
                ] {
                    let a: Vec<&[u8]> = args.iter().map(|x| x.as_bytes()).collect();
                    match c.call(&a) {
                        Ok(r) if r.starts_with(b"-") => {
                            errors.push(format!("{args:?} -> {}", String::from_utf8_lossy(&r)))
                        }
                        Ok(_) => {}
                        Err(e) => {
                            errors.push(format!("{args:?} -> connection error {e}"));
                            return (n, errors);
                        }
                    }
                }
                n += 1;
                std::thread::sleep(Duration::from_millis(2));
            }
            (n, errors)
        });
        Hammer { stop, handle }
    }

    /// Stop and return (rounds, errors).
    fn finish(self) -> (u64, Vec<String>) {
        self.stop.store(true, Ordering::SeqCst);
        self.handle.join().expect("hammer thread")
    }
}

/// Node `i`'s durable id: the first line of its id file (the second line
/// is the start counter, which changes at every start).
fn node_id(c: &Cluster, i: usize) -> Option<String> {
    std::fs::read_to_string(c.dir(i).join(NODE_ID_FILE))
        .ok()
        .and_then(|s| s.lines().next().map(|l| l.trim().to_string()))
}

/// Node `i`'s start counter (`boot <n>`, the id file's second line).
fn node_boot(c: &Cluster, i: usize) -> Option<u64> {
    std::fs::read_to_string(c.dir(i).join(NODE_ID_FILE))
        .ok()?
        .lines()
        .find_map(|l| l.trim().strip_prefix("boot ")?.parse().ok())
}

// ---------------------------------------------------------------------------
// a. A pair

#[test]
fn pair_reports_active_replica_in_info_and_role() {
    let c = Cluster::pair(&[]);
    c.wait_links_up();
    for i in 0..2 {
        let s = c.node(i);
        let field = |f: &str| info_field(s, "replication", f);
        assert_eq!(field("role").as_deref(), Some("active-replica"), "node {i}");
        assert_eq!(field("connected_masters").as_deref(), Some("1"));
        assert_eq!(field("master_global_link_status").as_deref(), Some("up"));
        assert_eq!(field("master_host").as_deref(), Some("127.0.0.1"));
        let peer = c.links[i][1 - i].as_ref().expect("link").port().to_string();
        assert_eq!(field("master_port"), Some(peer.clone()));
        assert_eq!(field("master_link_status").as_deref(), Some("up"));
        // The peer is also this node's replica.
        assert_eq!(field("connected_slaves").as_deref(), Some("1"));

        // ROLE: "active-replica" where Redis says "slave", then the master.
        let role: redis::Value = redis::cmd("ROLE")
            .query(&mut s.redis())
            .expect("ROLE answers");
        let mut flat = Vec::new();
        flatten(&role, &mut flat);
        assert_eq!(flat.first().map(String::as_str), Some("active-replica"));
        assert!(flat.contains(&"127.0.0.1".to_string()), "ROLE {flat:?}");
        assert!(flat.contains(&peer), "ROLE names the master port: {flat:?}");
    }

    // A cut is visible in INFO on both sides.
    c.cut_pair(0, 1);
    c.wait_link_down(0);
    c.wait_link_down(1);
    assert_eq!(
        info_field(c.node(0), "replication", "connected_masters").as_deref(),
        Some("0")
    );
    c.heal_all();
    c.wait_links_up();

    // Each node's id is in its data directory, and they differ.
    for i in 0..2 {
        let id = node_id(&c, i).unwrap_or_else(|| panic!("node {i} has no {NODE_ID_FILE}"));
        assert!(!id.is_empty());
    }
    assert_ne!(node_id(&c, 0), node_id(&c, 1), "two nodes, one id");
}

#[test]
fn pair_writes_on_both_sides_converge() {
    let mut rng = Rng::from_env_or_clock("pair_writes_on_both_sides_converge");
    let c = Cluster::pair(&[]);
    c.wait_links_up();
    // Keys only one side writes reach the other.
    for i in 0..2 {
        let mut r = c.raw(i);
        for n in 0..20 {
            cmd(&mut r, &["SET", &format!("only{i}:{n}"), &format!("v{n}")]);
        }
        cmd(&mut r, &["RPUSH", &format!("only{i}:list"), "a", "b", "c"]);
    }
    // Both sides write the same keys at the same time.
    write_random_on(&c, &[0, 1], &mut rng, "live", 400);
    let d = c.wait_converged("concurrent writes on a connected pair");
    assert_ne!(d.trim(), "+0000000000000000000000000000000000000000");
    for i in 0..2 {
        assert_eq!(c.call(i, &["GET", "only0:7"]), "$2\r\nv7\r\n");
        assert_eq!(c.call(i, &["GET", "only1:19"]), "$3\r\nv19\r\n");
        assert_eq!(
            c.call(i, &["LRANGE", "only1:list", "0", "-1"]),
            "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"
        );
    }
}

#[test]
fn pair_concurrent_set_during_cut_ends_with_the_later_write() {
    let c = Cluster::pair(&[]);
    c.wait_links_up();
    c.call(0, &["SET", "k", "before"]);
    c.wait_converged("the first write");

    c.cut_pair(0, 1);
    c.wait_link_down(0);
    c.wait_link_down(1);
    // Node 0 writes first, node 1 a few milliseconds later: node 1's stamp
    // is higher, so its value must win everywhere. Several keys, with the
    // order alternating, so neither side wins by being node 0 or node 1.
    for n in 0..6 {
        let (first, second) = if n % 2 == 0 { (0, 1) } else { (1, 0) };
        let key = format!("k{n}");
        c.call(first, &["SET", &key, &format!("older-from-{first}")]);
        next_millisecond();
        c.call(second, &["SET", &key, &format!("newer-from-{second}")]);
    }
    c.call(0, &["SET", "k", "from-0"]);
    next_millisecond();
    c.call(1, &["SET", "k", "from-1"]);
    assert_eq!(c.call(0, &["GET", "k"]), "$6\r\nfrom-0\r\n");

    c.heal_all();
    c.wait_links_up();
    c.wait_converged("a SET conflict after a partition");
    for i in 0..2 {
        assert_eq!(c.call(i, &["GET", "k"]), "$6\r\nfrom-1\r\n", "node {i}");
        for n in 0..6 {
            let second = if n % 2 == 0 { 1 } else { 0 };
            let want = format!("newer-from-{second}");
            assert_eq!(
                c.call(i, &["GET", &format!("k{n}")]),
                format!("${}\r\n{want}\r\n", want.len()),
                "node {i} key k{n}"
            );
        }
    }

    // The same conflict while connected (KeyDB #366 swaps the values):
    // two writes racing on the live link converge as well.
    let p0 = c.node(0).port();
    let p1 = c.node(1).port();
    let racers: Vec<_> = [(p0, "race-0"), (p1, "race-1")]
        .into_iter()
        .map(|(port, val)| {
            std::thread::spawn(move || {
                let mut r = RawClient::connect(port).expect("connect");
                for n in 0..200 {
                    cmd(&mut r, &["SET", "raced", &format!("{val}-{n}")]);
                }
            })
        })
        .collect();
    racers.into_iter().for_each(|h| h.join().expect("racer"));
    c.wait_converged("SETs racing on a live link");
}

#[test]
fn pair_delete_during_cut_is_not_resurrected() {
    let c = Cluster::pair(&[]);
    c.wait_links_up();
    for k in ["del-after-set", "del-only", "set-after-del", "del-list"] {
        c.call(0, &["SET", k, "original"]);
    }
    c.call(0, &["DEL", "del-list"]);
    c.call(0, &["RPUSH", "del-list", "a", "b"]);
    c.call(1, &["HSET", "del-hash", "f", "v"]);
    c.wait_converged("the initial keys");

    c.cut_pair(0, 1);
    c.wait_link_down(0);
    c.wait_link_down(1);
    // An older write on node 1, then a DEL on node 0: the DEL wins.
    c.call(1, &["SET", "del-after-set", "older-write"]);
    c.call(1, &["RPUSH", "del-list", "c"]);
    c.call(1, &["HSET", "del-hash", "g", "w"]);
    c.call(1, &["SET", "new-then-deleted", "older-write"]);
    next_millisecond();
    assert_eq!(
        c.call(0, &["DEL", "del-after-set", "del-list", "del-hash"]),
        ":3\r\n"
    );
    // A DEL of a key the other side never touches again.
    assert_eq!(c.call(0, &["DEL", "del-only"]), ":1\r\n");
    // A key node 0 never had: its DEL deletes nothing here, yet it is newer
    // than node 1's SET. Both answers are defensible; only convergence is
    // asserted for it below.
    c.call(0, &["DEL", "new-then-deleted"]);
    // A DEL first, then a newer SET on the other side: the SET wins.
    assert_eq!(c.call(0, &["DEL", "set-after-del"]), ":1\r\n");
    next_millisecond();
    c.call(1, &["SET", "set-after-del", "newer-write"]);

    c.heal_all();
    c.wait_links_up();
    c.wait_converged("deletes after a partition");
    for i in 0..2 {
        for k in ["del-after-set", "del-only", "del-list", "del-hash"] {
            assert_eq!(
                c.call(i, &["EXISTS", k]),
                ":0\r\n",
                "node {i}: deleted key {k} came back"
            );
        }
        assert_eq!(
            c.call(i, &["GET", "set-after-del"]),
            "$11\r\nnewer-write\r\n",
            "node {i}"
        );
    }

    // The tombstones stay effective after the link is up again: an old
    // value cannot come back through a later full merge either (the link
    // is cut and healed once more, with no writes in between).
    c.cut_pair(0, 1);
    c.wait_link_down(0);
    c.heal_all();
    c.wait_links_up();
    c.wait_converged("a second heal");
    for i in 0..2 {
        assert_eq!(c.call(i, &["EXISTS", "del-after-set"]), ":0\r\n");
    }
}

#[test]
fn pair_flushall_and_expiry_during_cut_beat_older_writes() {
    let c = Cluster::pair(&[]);
    c.wait_links_up();
    for k in ["flushed-a", "flushed-b", "expiring"] {
        c.call(0, &["SET", k, "original"]);
    }
    c.wait_converged("the initial keys");

    c.cut_pair(0, 1);
    c.wait_link_down(0);
    c.wait_link_down(1);
    // Older writes on node 1.
    c.call(1, &["SET", "flushed-a", "older-write"]);
    c.call(1, &["SET", "created-before-flush", "older-write"]);
    c.call(1, &["SET", "expiring", "older-write"]);
    next_millisecond();
    // Newer on node 0: a FLUSHALL, then a key with a short TTL.
    assert_eq!(c.call(0, &["FLUSHALL"]), "+OK\r\n");
    c.call(0, &["SET", "expiring", "short-lived", "PX", "150"]);
    next_millisecond();
    // Newest on node 1: a write after the flush survives it.
    c.call(1, &["SET", "written-after-flush", "newest"]);
    // Wait for the expiry on node 0 (polled).
    c.wait("the short TTL to pass", |c| {
        c.call(0, &["EXISTS", "expiring"]) == ":0\r\n"
    });

    c.heal_all();
    c.wait_links_up();
    c.wait_converged("a FLUSHALL and an expiry after a partition");
    for i in 0..2 {
        for k in ["flushed-a", "flushed-b", "created-before-flush", "expiring"] {
            assert_eq!(
                c.call(i, &["EXISTS", k]),
                ":0\r\n",
                "node {i}: {k} survived a newer FLUSHALL or expiry"
            );
        }
        assert_eq!(
            c.call(i, &["GET", "written-after-flush"]),
            "$6\r\nnewest\r\n",
            "node {i}"
        );
    }
}

#[test]
fn pair_replicaof_remove_and_add_at_runtime() {
    let c = Cluster::pair(&[]);
    c.wait_links_up();
    let p01 = c.links[0][1].as_ref().expect("link").port().to_string();
    // Node 0 stops following node 1; node 1 still follows node 0.
    assert_eq!(
        c.call(0, &["REPLICAOF", "REMOVE", "127.0.0.1", &p01]),
        "+OK\r\n"
    );
    // No masters left: a plain master, as KeyDB reports it.
    c.wait("node 0 without masters", |c| {
        info_field(c.node(0), "replication", "role").as_deref() == Some("master")
    });
    // Removing it twice is an error.
    assert!(c
        .call(0, &["REPLICAOF", "REMOVE", "127.0.0.1", &p01])
        .starts_with('-'));
    c.call(0, &["SET", "from-0", "x"]);
    c.call(1, &["SET", "from-1", "y"]);
    c.wait("node 0's write on node 1", |c| {
        c.call(1, &["GET", "from-0"]) == "$1\r\nx\r\n"
    });
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        c.call(0, &["EXISTS", "from-1"]),
        ":0\r\n",
        "node 0 still applies node 1's writes after REPLICAOF REMOVE"
    );

    // Following node 1 again brings its write over.
    assert_eq!(c.call(0, &["REPLICAOF", "127.0.0.1", &p01]), "+OK\r\n");
    c.wait_links_up();
    c.wait_converged("the pair after REPLICAOF REMOVE and re-adding");
    assert_eq!(c.call(0, &["GET", "from-1"]), "$1\r\ny\r\n");
    assert_eq!(
        info_field(c.node(0), "replication", "role").as_deref(),
        Some("active-replica")
    );
}

#[test]
fn pair_conflicting_incr_append_lpush_hset_converge() {
    let c = Cluster::pair(&[]);
    c.wait_links_up();
    let mut r0 = c.raw(0);
    cmd(&mut r0, &["SET", "counter", "10"]);
    cmd(&mut r0, &["SET", "text", "base"]);
    cmd(&mut r0, &["RPUSH", "list", "base"]);
    cmd(&mut r0, &["HSET", "hash", "shared", "base", "keep", "1"]);
    cmd(&mut r0, &["SADD", "set", "base"]);
    cmd(&mut r0, &["ZADD", "zset", "1", "base"]);
    c.wait_converged("the initial values");

    c.cut_pair(0, 1);
    c.wait_link_down(0);
    c.wait_link_down(1);
    for round in 0..3 {
        for i in 0..2 {
            let mut r = c.raw(i);
            let tag = format!("n{i}r{round}");
            cmd(&mut r, &["INCRBY", "counter", &(i + 1).to_string()]);
            cmd(&mut r, &["APPEND", "text", &format!("+{tag}")]);
            cmd(&mut r, &["LPUSH", "list", &tag]);
            cmd(&mut r, &["HSET", "hash", "shared", &tag, &tag, "x"]);
            cmd(&mut r, &["HINCRBY", "hash", "keep", "1"]);
            cmd(&mut r, &["SADD", "set", &tag]);
            cmd(&mut r, &["ZINCRBY", "zset", "1", "base"]);
            // A key each side creates on its own.
            cmd(&mut r, &["INCR", "fresh-counter"]);
            next_millisecond();
        }
    }
    c.heal_all();
    c.wait_links_up();
    c.wait_converged("INCR/APPEND/LPUSH/HSET conflicts");

    // Every key ends as the state its highest-stamped write left: node 1
    // wrote last in every round, so its whole values win (not a sum, not
    // an interleaving of both sides' replays).
    for i in 0..2 {
        assert_eq!(c.call(i, &["GET", "counter"]), "$2\r\n16\r\n", "node {i}");
        assert_eq!(
            c.call(i, &["GET", "fresh-counter"]),
            "$1\r\n3\r\n",
            "node {i}"
        );
        assert_eq!(
            c.call(i, &["GET", "text"]),
            "$19\r\nbase+n1r0+n1r1+n1r2\r\n",
            "node {i}"
        );
        assert_eq!(
            c.call(i, &["LRANGE", "list", "0", "-1"]),
            "*4\r\n$4\r\nn1r2\r\n$4\r\nn1r1\r\n$4\r\nn1r0\r\n$4\r\nbase\r\n",
            "node {i}"
        );
        assert_eq!(c.call(i, &["HGET", "hash", "shared"]), "$4\r\nn1r2\r\n");
        assert_eq!(c.call(i, &["ZSCORE", "zset", "base"]), "$1\r\n4\r\n");
    }

    // The same ops racing on a live link converge too.
    let mut rng = Rng::from_env_or_clock("pair_conflicting_incr_append_lpush_hset_converge");
    write_random_on(&c, &[0, 1], &mut rng, "racing", 300);
    c.wait_converged("conflicts racing on a live link");
}

// ---------------------------------------------------------------------------
// b. Restarts

/// Fill both nodes, kill node 1 with SIGKILL, delete and write on node 0
/// while node 1 is down, restart node 1, and let the pair link again: node
/// 1 keeps its id, the DEL is not undone by node 1's disk copy, the pair
/// converges, and node 0 answered every command meanwhile. With `isolated`
/// node 1 restarts cut off first, and the test checks it loaded its own
/// files before the heal; without, it links to node 0 at once (KeyDB #365's
/// case). `before_kill` runs after the common data is written (SAVE for the
/// RDB variant), `after_kill` while node 1 is down, `after_sync` once both
/// directions synced and the hammer stopped (before the final digests).
fn restart_scenario(
    extra: &[&str],
    isolated: bool,
    before_kill: impl FnOnce(&Cluster),
    after_kill: impl FnOnce(&Cluster),
    after_sync: impl FnOnce(&Cluster),
) -> Cluster {
    let mut c = Cluster::pair(extra);
    c.wait_links_up();
    for i in 0..2 {
        let mut r = c.raw(i);
        for n in 0..50 {
            cmd(&mut r, &["SET", &format!("w{i}:{n}"), &format!("{i}-{n}")]);
        }
        cmd(&mut r, &["RPUSH", &format!("list{i}"), "a", "b"]);
        cmd(&mut r, &["HSET", &format!("hash{i}"), "f", "v"]);
    }
    c.call(1, &["SET", "doomed", "on-disk-of-node-1"]);
    c.call(1, &["SET", "rewritten", "old"]);
    c.wait_converged("data on both nodes before the kill");
    let id = node_id(&c, 1).expect("node 1 has a node id file");
    before_kill(&c);

    let hammer = Hammer::start(c.node(0).port(), "live");
    c.kill(1);
    // While node 1 is down: a DEL of a key node 1 holds on disk, and a
    // newer value for another.
    assert_eq!(c.call(0, &["DEL", "doomed"]), ":1\r\n");
    c.call(0, &["SET", "rewritten", "new"]);
    c.call(0, &["SET", "written-while-down", "yes"]);
    after_kill(&c);

    if isolated {
        c.isolate(1);
    }
    c.start(1);
    assert_eq!(
        node_id(&c, 1).as_deref(),
        Some(id.as_str()),
        "node 1's id changed across a restart"
    );
    if isolated {
        // What node 1 holds now is what it loaded itself.
        assert_eq!(
            c.call(1, &["GET", "doomed"]),
            "$17\r\non-disk-of-node-1\r\n",
            "node 1 did not load its own data"
        );
        assert_eq!(c.call(1, &["EXISTS", "written-while-down"]), ":0\r\n");
    }

    c.heal_all();
    c.wait_links_up();
    // Keep the healthy node busy until both directions finished syncing
    // (the window where KeyDB answers -LOADING), and a little past it;
    // digests are compared once the writes stop.
    c.wait("both syncs to finish", |c| {
        (0..2).all(|i| {
            info_field(c.node(i), "replication", "master_sync_in_progress").as_deref() == Some("0")
                && info_field(c.node(i), "persistence", "loading").as_deref() == Some("0")
        })
    });
    std::thread::sleep(Duration::from_millis(300));
    let (rounds, errors) = hammer.finish();
    if !errors.is_empty() {
        c.fail(&format!(
            "the healthy node answered errors while its peer restarted \
             ({} of {rounds} rounds; KeyDB #365 is -LOADING here): {:?}",
            errors.len(),
            &errors[..errors.len().min(10)]
        ));
    }
    assert!(rounds > 10, "the hammer barely ran ({rounds} rounds)");
    after_sync(&c);
    c.wait_converged("the pair after node 1's restart");
    for i in 0..2 {
        assert_eq!(
            c.call(i, &["EXISTS", "doomed"]),
            ":0\r\n",
            "node {i}: a key deleted while node 1 was down came back (KeyDB #390/#83)"
        );
        assert_eq!(c.call(i, &["GET", "rewritten"]), "$3\r\nnew\r\n");
        assert_eq!(c.call(i, &["GET", "written-while-down"]), "$3\r\nyes\r\n");
        assert_eq!(c.call(i, &["GET", "w1:49"]), "$4\r\n1-49\r\n");
    }
    // Both sides still know each other as distinct nodes.
    assert_ne!(node_id(&c, 0), node_id(&c, 1));
    c
}

#[test]
fn pair_restart_after_sigkill_with_aof_keeps_node_id_and_converges() {
    let c = restart_scenario(
        &[
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--save",
            "",
        ],
        true,
        |_| {},
        |_| {},
        |_| {},
    );
    // The restarted node kept writing its AOF: a second SIGKILL loses
    // nothing of what it converged to.
    let mut c = c;
    let d = c.wait_converged("before the second kill");
    c.kill(1);
    c.isolate(1);
    c.start(1);
    let restarted = digest(c.node(1));
    if restarted != d {
        c.fail("node 1's AOF does not hold the converged state");
    }
    c.heal_all();
    c.wait_links_up();
    c.wait_converged("after the second restart");
}

/// Keys of the bulk the RDB restart makes the healthy node merge.
const BULK_KEYS: &str = "50000";

#[test]
fn pair_restart_after_sigkill_with_rdb_keeps_node_id_resyncs_partially_and_converges() {
    let mut partial_before = 0;
    let c = restart_scenario(
        &["--appendonly", "no", "--save", ""],
        false,
        |c| {
            // A bulk only node 1 holds (DEBUG POPULATE does not propagate),
            // in db 9: after the restart node 0 merges it from node 1's
            // full sync while the hammer runs on node 0, a window of a
            // good fraction of a second where KeyDB answers -LOADING.
            let mut r = c.raw(1);
            assert_eq!(cmd(&mut r, &["SELECT", "9"]), "+OK\r\n");
            assert_eq!(
                cmd(&mut r, &["DEBUG", "POPULATE", BULK_KEYS, "bulk", "16"]),
                "+OK\r\n"
            );
            assert_eq!(c.call(1, &["SAVE"]), "+OK\r\n");
            // Written after the save: lost from node 1's disk, but node 0
            // holds them and sends them back.
            c.call(1, &["SET", "after-save", "from-1"]);
            c.call(1, &["SET", "w1:49", "1-49"]);
            c.wait("the post-save writes on node 0", |c| {
                c.call(0, &["GET", "after-save"]) == "$6\r\nfrom-1\r\n"
            });
        },
        |c| {
            partial_before = info_u64(c.node(0), "stats", "sync_partial_ok");
        },
        |c| {
            let mut r0 = c.raw(0);
            assert_eq!(cmd(&mut r0, &["SELECT", "9"]), "+OK\r\n");
            assert_eq!(
                cmd(&mut r0, &["DBSIZE"]),
                format!(":{BULK_KEYS}\r\n"),
                "node 0 did not merge node 1's bulk"
            );
            // Drop the bulk everywhere (a replicated FLUSHDB of db 9), so
            // the final digests are quick.
            let mut r1 = c.raw(1);
            assert_eq!(cmd(&mut r1, &["SELECT", "9"]), "+OK\r\n");
            assert_eq!(cmd(&mut r1, &["FLUSHDB"]), "+OK\r\n");
        },
    );
    for i in 0..2 {
        assert_eq!(c.call(i, &["GET", "after-save"]), "$6\r\nfrom-1\r\n");
    }
    // KeyDB #679: node 1 saved its position in node 0's stream in the
    // RDB, so it resumes with a partial resync instead of a full one.
    let partial_after = info_u64(c.node(0), "stats", "sync_partial_ok");
    if partial_after <= partial_before {
        c.fail(&format!(
            "node 1 did not resume its link to node 0 with a partial resync \
             (node 0 sync_partial_ok {partial_before} -> {partial_after}, sync_full {})",
            info_u64(c.node(0), "stats", "sync_full")
        ));
    }
}

// ---------------------------------------------------------------------------
// c. A four-node multi-master mesh

#[test]
fn mesh_of_four_converges_after_isolating_one_node() {
    let mut rng = Rng::from_env_or_clock("mesh_of_four_converges_after_isolating_one_node");
    let c = Cluster::mesh(4, true, &[]);
    c.wait_links_up();
    for i in 0..4 {
        let s = c.node(i);
        assert_eq!(
            info_field(s, "replication", "role").as_deref(),
            Some("active-replica")
        );
        assert_eq!(
            info_field(s, "replication", "connected_masters").as_deref(),
            Some("3")
        );
        // One master_port plus master_1_port and master_2_port: the three
        // proxies this node replicates from.
        let ports: BTreeSet<String> = ["master_port", "master_1_port", "master_2_port"]
            .iter()
            .filter_map(|f| info_field(s, "replication", f))
            .collect();
        assert_eq!(ports, c.master_ports(i), "node {i}'s master_N_port fields");
        let role: redis::Value = redis::cmd("ROLE")
            .query(&mut s.redis())
            .expect("ROLE answers");
        let mut flat = Vec::new();
        flatten(&role, &mut flat);
        assert!(flat.iter().any(|x| x == "active-replica"), "ROLE {flat:?}");
        for p in c.master_ports(i) {
            assert!(flat.contains(&p), "ROLE lacks master port {p}: {flat:?}");
        }
    }

    // Connected: all four write the same keys.
    write_random_on(&c, &[0, 1, 2, 3], &mut rng, "a", 150);
    c.wait_converged("the connected mesh");

    // Isolate one node; everyone keeps writing.
    let lonely = rng.below(4) as usize;
    let other = (lonely + 1 + rng.below(3) as usize) % 4;
    println!("isolating node {lonely}; deleting on node {other}");
    c.call(lonely, &["SET", "mesh-doomed", "before"]);
    c.call(lonely, &["SET", "mesh-lww", "before"]);
    c.wait_converged("the keys the partition fights over");
    c.isolate(lonely);
    c.wait_link_down(lonely);
    write_random_on(&c, &[0, 1, 2, 3], &mut rng, "b", 150);
    // The isolated node writes first; the majority's DEL and SET are newer.
    c.call(lonely, &["SET", "mesh-doomed", "stale"]);
    c.call(lonely, &["SET", "mesh-lww", "stale"]);
    next_millisecond();
    assert_eq!(c.call(other, &["DEL", "mesh-doomed"]), ":1\r\n");
    c.call(other, &["SET", "mesh-lww", "fresh"]);
    // The majority stays connected and converges without the lonely node.
    {
        let majority: Vec<usize> = (0..4).filter(|&i| i != lonely).collect();
        let deadline = Instant::now() + CONVERGE;
        loop {
            let ds: BTreeSet<String> = majority.iter().map(|&i| digest(c.node(i))).collect();
            if ds.len() == 1 {
                break;
            }
            if Instant::now() > deadline {
                c.fail("the connected majority did not converge during the partition");
            }
            std::thread::sleep(POLL);
        }
    }

    c.heal_all();
    c.wait_links_up();
    c.wait_converged("the mesh after the partition healed");
    for i in 0..4 {
        assert_eq!(
            c.call(i, &["EXISTS", "mesh-doomed"]),
            ":0\r\n",
            "node {i}: the isolated node resurrected a deleted key"
        );
        assert_eq!(
            c.call(i, &["GET", "mesh-lww"]),
            "$5\r\nfresh\r\n",
            "node {i}"
        );
    }

    // And once more with every node writing right after the heal.
    write_random_on(&c, &[0, 1, 2, 3], &mut rng, "c", 100);
    c.wait_converged("the healed mesh under writes");
}

// ---------------------------------------------------------------------------
// The proxy under a plain replication link (no active replication needed)

/// A plain master -> replica link through a proxy: a cut is seen by the
/// replica, writes made meanwhile arrive after the heal by a partial resync.
/// Proves the partition machinery the tests above rely on.
#[test]
fn proxy_partitions_a_plain_replication_link() {
    let master = Server::start(&[]);
    let link = Proxy::start(master.port());
    let replica = Server::start(&["--replicaof", "127.0.0.1", &link.port().to_string()]);
    let field = |s: &Server, sec: &str, f: &str| info_field(s, sec, f);
    let wait = |what: &str, cond: &dyn Fn() -> bool| {
        let deadline = Instant::now() + CONVERGE;
        while !cond() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(POLL);
        }
    };
    let up = || field(&replica, "replication", "master_link_status").as_deref() == Some("up");
    wait("the link", &up);
    cmd(&mut master.raw(), &["SET", "a", "1"]);
    wait("the first write", &|| digest(&master) == digest(&replica));

    link.cut();
    wait("the replica to see the cut", &|| !up());
    cmd(&mut master.raw(), &["SET", "b", "2"]);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(cmd(&mut replica.raw(), &["EXISTS", "b"]), ":0\r\n");
    assert!(link.refused() >= 1 || link.live_connections() == 0);

    link.heal();
    wait("the link back", &up);
    wait("the write made during the cut", &|| {
        digest(&master) == digest(&replica)
    });
    assert_eq!(field(&master, "stats", "sync_full").as_deref(), Some("1"));
    assert_eq!(
        field(&master, "stats", "sync_partial_ok").as_deref(),
        Some("1")
    );
}

// ---------------------------------------------------------------------------
// d. A chain: forwarding through the middle node

/// 0 <-> 1 <-> 2, no link between 0 and 2: node 1 forwards what it
/// receives (RREPLAY with bounded nesting), so writes on either end reach
/// the other, and a conflict between the ends resolves the same everywhere.
#[test]
fn chain_of_three_forwards_through_the_middle() {
    let c = Cluster::linked(3, true, &[], |i, j| i.abs_diff(j) == 1);
    c.wait_links_up();
    c.call(0, &["SET", "from-0", "a"]);
    c.call(2, &["RPUSH", "from-2", "x", "y"]);
    c.wait_converged("writes on both ends of a chain");
    assert_eq!(c.call(2, &["GET", "from-0"]), "$1\r\na\r\n");
    assert_eq!(c.call(0, &["LLEN", "from-2"]), ":2\r\n");

    // Cut 0 from 1; both ends write the same key, node 2 later.
    c.cut_pair(0, 1);
    c.wait_link_down(0);
    c.call(0, &["SET", "ends", "older-from-0"]);
    c.call(0, &["DEL", "from-2"]);
    next_millisecond();
    c.call(2, &["SET", "ends", "newer-from-2"]);
    c.wait("node 1 to get node 2's write", |c| {
        c.call(1, &["GET", "ends"]) == "$12\r\nnewer-from-2\r\n"
    });
    c.heal_all();
    c.wait_links_up();
    c.wait_converged("the chain after a cut");
    for i in 0..3 {
        assert_eq!(
            c.call(i, &["GET", "ends"]),
            "$12\r\nnewer-from-2\r\n",
            "node {i}"
        );
        assert_eq!(c.call(i, &["EXISTS", "from-2"]), ":0\r\n", "node {i}");
    }
}

/// With `multi-master-no-forward yes` a node does not re-forward what it
/// received (KeyDB: only safe in a full mesh): in a chain, the ends do not
/// see each other's writes, while direct neighbours do.
#[test]
fn chain_with_no_forward_keeps_writes_one_hop() {
    let c = Cluster::linked(3, true, &["--multi-master-no-forward", "yes"], |i, j| {
        i.abs_diff(j) == 1
    });
    c.wait_links_up();
    c.call(0, &["SET", "one-hop", "a"]);
    c.wait("node 1 to get node 0's write", |c| {
        c.call(1, &["GET", "one-hop"]) == "$1\r\na\r\n"
    });
    // Node 1 applied it; give a forward (that must not happen) time to land.
    c.call(1, &["SET", "marker", "m"]);
    c.wait("node 2 to get node 1's own write", |c| {
        c.call(2, &["GET", "marker"]) == "$1\r\nm\r\n"
    });
    assert_eq!(
        c.call(2, &["EXISTS", "one-hop"]),
        ":0\r\n",
        "node 1 forwarded a write with multi-master-no-forward yes"
    );
}

// ---------------------------------------------------------------------------
// e. More restarts

/// A node without any persistence comes back empty: it keeps its id (the
/// id file is not the dataset), its empty full sync deletes nothing on the
/// healthy peer (a merge, never a flush), and it refills from the peer.
#[test]
fn pair_restart_without_persistence_refills_from_the_peer() {
    let mut c = Cluster::pair(&["--appendonly", "no", "--save", ""]);
    c.wait_links_up();
    for n in 0..30 {
        c.call(n % 2, &["SET", &format!("k{n}"), &n.to_string()]);
    }
    c.call(1, &["HSET", "h", "f", "v"]);
    let before = c.wait_converged("the pair before the kill");
    let id = node_id(&c, 1).expect("node 1's id");
    c.kill(1);
    c.isolate(1);
    c.start(1);
    assert_eq!(c.call(1, &["DBSIZE"]), ":0\r\n", "no persistence, no data");
    assert_eq!(node_id(&c, 1), Some(id), "node 1's id changed");
    c.heal_all();
    c.wait_links_up();
    let after = c.wait_converged("the pair after an empty restart");
    assert_eq!(after, before, "the empty node's sync changed the dataset");
    assert_eq!(c.call(0, &["DBSIZE"]), ":31\r\n");
}

/// Three multi-master nodes under writes; one is killed with SIGKILL and
/// comes back on its AOF while the others keep writing; then all three
/// write again and converge.
#[test]
fn mesh_node_killed_under_writes_rejoins() {
    let mut rng = Rng::from_env_or_clock("mesh_node_killed_under_writes_rejoins");
    let mut c = Cluster::mesh(
        3,
        true,
        &[
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--save",
            "",
        ],
    );
    c.wait_links_up();
    write_random_on(&c, &[0, 1, 2], &mut rng, "a", 100);
    c.wait_converged("the mesh before the kill");
    let id = node_id(&c, 2).expect("node 2's id");

    c.kill(2);
    write_random_on(&c, &[0, 1], &mut rng, "b", 100);
    c.call(0, &["SET", "while-2-was-down", "yes"]);
    c.start(2);
    assert_eq!(node_id(&c, 2), Some(id), "node 2's id changed");
    write_random_on(&c, &[0, 1, 2], &mut rng, "c", 100);
    c.wait_links_up();
    c.wait_converged("the mesh after node 2 rejoined");
    assert_eq!(c.call(2, &["GET", "while-2-was-down"]), "$3\r\nyes\r\n");
}

// ---------------------------------------------------------------------------
// f. Partitions that come and go under continuous writes

/// Writers keep hitting all four nodes of a multi-master mesh while the
/// test cuts and heals links at random moments (isolate one node, cut one
/// pair, heal everything), so writes are in flight at every transition;
/// after the last heal the mesh converges.
#[test]
fn mesh_converges_after_random_partitions_under_continuous_writes() {
    chaos(
        "mesh_converges_after_random_partitions_under_continuous_writes",
        false,
    );
}

/// The same with SIGKILLs: at most one node down at a time, restarted on
/// its AOF a few steps later; its writer reconnects through its own
/// client-side proxy (retargeted at the new port).
#[test]
fn mesh_converges_after_random_partitions_and_kills_under_continuous_writes() {
    chaos(
        "mesh_converges_after_random_partitions_and_kills_under_continuous_writes",
        true,
    );
}

/// Writers keep hitting all four nodes of a multi-master mesh while the
/// test cuts and heals links at random moments (isolate one node, cut one
/// pair, heal everything, and with `kills` SIGKILL one node and restart it
/// later), so writes are in flight at every transition; after the last
/// heal the mesh converges. A write whose reply was lost to a kill may or
/// may not have happened; every node must still agree.
fn chaos(test: &str, kills: bool) {
    let mut rng = Rng::from_env_or_clock(test);
    let mut c = Cluster::mesh(
        4,
        true,
        &[
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--save",
            "",
        ],
    );
    c.wait_links_up();
    // Clients reach node i through front[i], so a restarted node (on a new
    // port) is reached at the same address.
    let front: Vec<Proxy> = (0..4).map(|i| Proxy::start(c.node(i).port())).collect();
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|i| {
            let port = front[i].port();
            let mut r = rng.fork();
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut conn: Option<RawClient> = None;
                let mut errors = Vec::new();
                let mut n = 0u64;
                while !stop.load(Ordering::SeqCst) {
                    let Some(cl) = conn.as_mut() else {
                        conn = RawClient::connect(port).ok();
                        std::thread::sleep(Duration::from_millis(20));
                        continue;
                    };
                    // One write in ten is a transaction of two.
                    if r.below(10) == 0 {
                        let a = random_write(&mut r, &format!("w{i}"), n);
                        let b = random_write(&mut r, &format!("w{i}"), n);
                        let mut bytes = keyrs_tests::raw::encode_command(&[b"MULTI"]);
                        for args in [&a, &b] {
                            let refs: Vec<&[u8]> = args.iter().map(|x| x.as_bytes()).collect();
                            bytes.extend(keyrs_tests::raw::encode_command(&refs));
                        }
                        bytes.extend(keyrs_tests::raw::encode_command(&[b"EXEC"]));
                        match cl.send(&bytes).and_then(|()| cl.read_replies(4)) {
                            Ok(replies) => {
                                if !replies[3].starts_with(b"*") {
                                    errors.push(format!(
                                        "MULTI {a:?} {b:?} -> {:?}",
                                        String::from_utf8_lossy(&replies.concat())
                                    ));
                                }
                            }
                            Err(_) => conn = None,
                        }
                        n += 1;
                        continue;
                    }
                    // One write in five races an expiry.
                    let args = if r.below(5) == 0 {
                        ttl_write(&mut r, &format!("w{i}"), n)
                    } else {
                        random_write(&mut r, &format!("w{i}"), n)
                    };
                    let refs: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
                    match cl.call(&refs) {
                        Ok(r) if r.starts_with(b"-") && !r.starts_with(b"-WRONGTYPE") => {
                            errors.push(format!("{args:?} -> {}", String::from_utf8_lossy(&r)))
                        }
                        Ok(_) => {}
                        // The node was killed (or its front cut): reconnect.
                        Err(_) => conn = None,
                    }
                    n += 1;
                    std::thread::sleep(Duration::from_millis(1));
                }
                (n, errors)
            })
        })
        .collect();

    let mut down: Option<(usize, u32)> = None;
    for step in 0..10 {
        if let Some((i, since)) = down {
            if step - since >= 2 {
                println!("step {step}: restart node {i}");
                c.start(i);
                front[i].set_target(c.node(i).port());
                down = None;
                continue;
            }
        }
        match rng.below(if kills { 4 } else { 3 }) {
            0 => {
                let i = rng.below(4) as usize;
                println!("step {step}: isolate node {i}");
                c.isolate(i);
            }
            1 => {
                let a = rng.below(4) as usize;
                let b = (a + 1 + rng.below(3) as usize) % 4;
                println!("step {step}: cut {a} <-> {b}");
                c.cut_pair(a, b);
            }
            3 if down.is_none() => {
                let i = rng.below(4) as usize;
                println!("step {step}: SIGKILL node {i}");
                c.kill(i);
                down = Some((i, step));
            }
            _ => {
                println!("step {step}: heal");
                c.heal_all();
            }
        }
        std::thread::sleep(Duration::from_millis(200 + rng.below(400)));
    }
    if let Some((i, _)) = down {
        println!("end: restart node {i}");
        c.start(i);
        front[i].set_target(c.node(i).port());
    }
    c.heal_all();
    c.wait_links_up();
    // Writes continue across the final heal for a moment, then stop.
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::SeqCst);
    let mut total = 0;
    for h in writers {
        let (n, errors) = h.join().expect("writer");
        total += n;
        if !errors.is_empty() {
            c.fail(&format!(
                "{} unexpected error replies, first: {:?}",
                errors.len(),
                &errors[..errors.len().min(5)]
            ));
        }
    }
    println!("{total} writes");
    c.wait_converged("the mesh after random partitions under writes");
}

// ---------------------------------------------------------------------------
// g. A plain replica behind an active pair

/// A plain keyrs replica of node 0 (no active-replica) gets everything
/// the pair converges to, writes made on node 1 and conflict outcomes
/// included (it applies the relayed RREPLAYs as plain commands).
#[test]
fn plain_replica_behind_an_active_pair_follows_the_converged_state() {
    let mut rng = Rng::from_env_or_clock("plain_replica_behind_an_active_pair");
    let c = Cluster::pair(&[]);
    c.wait_links_up();
    let p0 = c.node(0).port().to_string();
    let replica = Server::start(&["--replicaof", "127.0.0.1", &p0]);
    let deadline = Instant::now() + CONVERGE;
    while info_field(&replica, "replication", "master_link_status").as_deref() != Some("up") {
        assert!(Instant::now() < deadline, "the plain replica's link");
        std::thread::sleep(POLL);
    }
    write_random_on(&c, &[0, 1], &mut rng, "a", 150);
    // A conflict across a cut, decided by the later write on node 1.
    c.cut_pair(0, 1);
    c.wait_link_down(0);
    c.call(0, &["SET", "decided", "older-0"]);
    next_millisecond();
    c.call(1, &["SET", "decided", "newer-1"]);
    c.heal_all();
    c.wait_links_up();
    let d = c.wait_converged("the pair");
    let deadline = Instant::now() + CONVERGE;
    loop {
        let r = digest(&replica);
        if r == d && digest(c.node(0)) == d {
            break;
        }
        if Instant::now() > deadline {
            c.fail(&format!(
                "the plain replica did not follow the pair: replica {} pair {}\nreplica INFO:\n{}",
                r.trim(),
                d.trim(),
                probe(&replica, &["INFO", "replication"]).unwrap_or_else(|e| e)
            ));
        }
        std::thread::sleep(POLL);
    }
    assert_eq!(
        cmd(&mut replica.raw(), &["GET", "decided"]),
        "$7\r\nnewer-1\r\n"
    );
}

// ---------------------------------------------------------------------------
// h. Short TTLs: expiry is local on every node

/// One random write on a few keys that carry short TTLs: expiries race
/// with SET, PERSIST, INCR and APPEND from both sides.
fn ttl_write(rng: &mut Rng, tag: &str, n: u64) -> Vec<String> {
    let k = format!("t:{}", rng.below(5));
    let ms = (20 + rng.below(300)).to_string();
    let v = format!("{tag}-{n}");
    let s = |a: &[&str]| a.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    match rng.below(7) {
        0 => s(&["SET", &k, &v, "PX", &ms]),
        1 => s(&["PEXPIRE", &k, &ms]),
        2 => s(&["PERSIST", &k]),
        3 => s(&["SET", &k, &v]),
        4 => s(&["APPEND", &k, "+"]),
        5 => s(&["SET", &k, &n.to_string(), "PX", &ms]),
        _ => s(&["DEL", &k]),
    }
}

#[test]
fn pair_short_ttls_converge() {
    let mut rng = Rng::from_env_or_clock("pair_short_ttls_converge");
    let c = Cluster::pair(&[]);
    c.wait_links_up();
    let run = |c: &Cluster, rng: &mut Rng, phase: &str| {
        let handles: Vec<_> = (0..2)
            .map(|i| {
                let port = c.node(i).port();
                let mut r = rng.fork();
                let tag = format!("{phase}{i}");
                std::thread::spawn(move || {
                    let mut cl = RawClient::connect(port).expect("connect");
                    let mut errors = Vec::new();
                    for n in 0..300 {
                        let args = ttl_write(&mut r, &tag, n);
                        let refs: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
                        match cl.call(&refs) {
                            Ok(rep) if rep.starts_with(b"-") => errors
                                .push(format!("{args:?} -> {}", String::from_utf8_lossy(&rep))),
                            Ok(_) => {}
                            Err(e) => {
                                errors.push(format!("{args:?} -> {e}"));
                                break;
                            }
                        }
                        std::thread::sleep(Duration::from_millis(1));
                    }
                    errors
                })
            })
            .collect();
        for h in handles {
            let errors = h.join().expect("writer");
            if !errors.is_empty() {
                c.fail(&format!(
                    "{} unexpected error replies, first: {:?}",
                    errors.len(),
                    &errors[..errors.len().min(5)]
                ));
            }
        }
    };
    run(&c, &mut rng, "live");
    c.wait_converged("short TTLs on a connected pair");
    c.cut_pair(0, 1);
    c.wait_link_down(0);
    run(&c, &mut rng, "cut");
    c.heal_all();
    c.wait_links_up();
    c.wait_converged("short TTLs after a partition");
    // Whatever is left has the same remaining TTL (within the time the
    // two reads take) on both nodes.
    for k in 0..5 {
        let key = format!("t:{k}");
        let a: i64 = c.call(0, &["PTTL", &key]).trim()[1..].parse().unwrap_or(-9);
        let b: i64 = c.call(1, &["PTTL", &key]).trim()[1..].parse().unwrap_or(-9);
        assert!(
            (a < 0 && a == b) || (a >= 0 && b >= 0 && a.abs_diff(b) < 200) || a == -2 || b == -2,
            "{key}: PTTL {a} on node 0, {b} on node 1"
        );
    }
}

// ---------------------------------------------------------------------------
// i. Tombstone collection

/// The tombstone grace the collection tests run with (ms): short, so
/// collection happens within a few heartbeats.
const GRACE_MS: u64 = 300;

/// How long collection may take: a heartbeat a second from every peer,
/// the grace, and a slow machine.
const COLLECT: Duration = Duration::from_secs(30);

/// `active_tombstones` of INFO replication (None when absent: not an
/// active node, or a build without collection).
fn tombstones(s: &Server) -> Option<u64> {
    info_field(s, "replication", "active_tombstones")?
        .parse()
        .ok()
}

/// `active_tombstone_horizon` of INFO replication.
fn horizon(s: &Server) -> Option<u64> {
    info_field(s, "replication", "active_tombstone_horizon")?
        .parse()
        .ok()
}

/// The writer id this run of `s` logged at start.
fn writer_id(s: &Server) -> Option<String> {
    let log = s.log();
    let line = log.lines().rev().find(|l| l.contains("writer id "))?;
    let (_, rest) = line.split_once("writer id ")?;
    rest.split_whitespace().next().map(str::to_string)
}

/// Wait until every running node holds no tombstone and each `(node,
/// floor)` of `above` reports a collection horizon above `floor`.
fn wait_collected(c: &Cluster, what: &str, above: &[(usize, u64)]) {
    let deadline = Instant::now() + COLLECT;
    while Instant::now() < deadline {
        let empty = c
            .running()
            .iter()
            .all(|&i| tombstones(c.node(i)) == Some(0));
        let advanced = above
            .iter()
            .all(|&(i, floor)| horizon(c.node(i)).is_some_and(|h| h > floor));
        if empty && advanced {
            let hs: Vec<Option<u64>> = c.running().iter().map(|&i| horizon(c.node(i))).collect();
            println!(
                "{what}: collected after {:?}, horizons {hs:?}",
                COLLECT.saturating_sub(deadline.saturating_duration_since(Instant::now()))
            );
            return;
        }
        std::thread::sleep(POLL * 4);
    }
    c.fail(&format!(
        "timed out after {COLLECT:?} waiting for {what}: active_tombstones:0 on every node \
         and active_tombstone_horizon above {above:?} (node, floor)"
    ));
}

/// What the deletion workload leaves, per db (0 and 1): keys that must
/// exist and keys that must not.
struct Expect {
    live: [BTreeSet<String>; 2],
    gone: [BTreeSet<String>; 2],
}

impl Expect {
    /// `key` of `db` was deleted.
    fn delete(&mut self, db: usize, key: &str) {
        self.live[db].remove(key);
        self.gone[db].insert(key.to_string());
    }
}

/// Send `cmds` on node `i` in db `db` as one pipeline; every reply must be
/// a non-error.
fn pipeline(c: &Cluster, i: usize, db: usize, cmds: &[Vec<String>]) {
    let mut r = c.raw(i);
    assert_eq!(cmd(&mut r, &["SELECT", &db.to_string()]), "+OK\r\n");
    let mut bytes = Vec::new();
    for args in cmds {
        let a: Vec<&[u8]> = args.iter().map(|x| x.as_bytes()).collect();
        bytes.extend(keyrs_tests::raw::encode_command(&a));
    }
    r.send(&bytes).expect("send the pipeline");
    let replies = r.read_replies(cmds.len()).expect("the pipeline's replies");
    for (args, rep) in cmds.iter().zip(&replies) {
        if rep.starts_with(b"-") {
            c.fail(&format!(
                "node {i}: {args:?} -> {}",
                String::from_utf8_lossy(rep).trim()
            ));
        }
    }
}

/// Build a command from words.
fn words(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

/// Keys per node in the deletion workload.
const TOMB_KEYS: usize = 160;

/// Write keys on every node, then delete a few hundred of them in every
/// way a key disappears (DEL, multi-key DEL, UNLINK, a delete of a key
/// another node wrote, HDEL of the last fields, expiry, FLUSHDB of db 1,
/// a DEL in db 1 after the flush); returns what must be left.
fn deletion_workload(c: &Cluster) -> Expect {
    let n = c.len();
    let mut expect = Expect {
        live: [BTreeSet::new(), BTreeSet::new()],
        gone: [BTreeSet::new(), BTreeSet::new()],
    };
    for i in 0..n {
        let mut cmds = Vec::new();
        for k in 0..TOMB_KEYS {
            let key = format!("g{i}:{k}");
            cmds.push(words(&["SET", &key, &format!("v{k}")]));
            expect.live[0].insert(key);
        }
        for k in 0..20 {
            let key = format!("h{i}:{k}");
            cmds.push(words(&["HSET", &key, "a", "1", "b", "2"]));
            expect.live[0].insert(key);
        }
        for k in 0..30 {
            // Expires on its own, on every node.
            let key = format!("x{i}:{k}");
            cmds.push(words(&["SET", &key, "short", "PX", "300"]));
            expect.gone[0].insert(key);
        }
        pipeline(c, i, 0, &cmds);
    }
    let flushed: Vec<Vec<String>> = (0..40)
        .map(|k| words(&["SET", &format!("f:{k}"), "doomed"]))
        .collect();
    pipeline(c, 0, 1, &flushed);
    for k in 0..40 {
        expect.gone[1].insert(format!("f:{k}"));
    }
    c.wait_converged("the keys before the deletions");

    for i in 0..n {
        let next = (i + 1) % n;
        let mut cmds = Vec::new();
        // One multi-key DEL of a batch of own keys.
        let batch: Vec<String> = (0..TOMB_KEYS)
            .filter(|k| k % 4 == 0)
            .map(|k| format!("g{i}:{k}"))
            .collect();
        let mut del = vec!["DEL".to_string()];
        del.extend(batch.iter().cloned());
        cmds.push(del);
        batch.iter().for_each(|k| expect.delete(0, k));
        for k in (0..TOMB_KEYS).filter(|k| k % 4 == 1) {
            let key = format!("g{i}:{k}");
            cmds.push(words(&["UNLINK", &key]));
            expect.delete(0, &key);
        }
        // Keys the next node wrote.
        for k in (0..TOMB_KEYS).filter(|k| k % 4 == 2) {
            let key = format!("g{next}:{k}");
            cmds.push(words(&["DEL", &key]));
            expect.delete(0, &key);
        }
        for k in (0..TOMB_KEYS).filter(|k| k % 8 == 3) {
            let key = format!("g{i}:{k}");
            cmds.push(words(&["PEXPIRE", &key, "200"]));
            expect.delete(0, &key);
        }
        for k in (0..20).filter(|k| k % 2 == 0) {
            let key = format!("h{i}:{k}");
            cmds.push(words(&["HDEL", &key, "a", "b"]));
            expect.delete(0, &key);
        }
        pipeline(c, i, 0, &cmds);
    }
    // Db 1: a FLUSHDB on the last node, then (once node 0 applied it) a
    // key that survives and one deleted after the flush.
    pipeline(c, n - 1, 1, &[words(&["FLUSHDB"])]);
    c.wait("node 0 to apply the FLUSHDB", |c| {
        let mut r = c.raw(0);
        cmd(&mut r, &["SELECT", "1"]);
        cmd(&mut r, &["DBSIZE"]) == ":0\r\n"
    });
    pipeline(
        c,
        0,
        1,
        &[
            words(&["SET", "f:after", "kept"]),
            words(&["SET", "f:late", "v"]),
        ],
    );
    expect.live[1].insert("f:after".into());
    expect.gone[1].insert("f:late".into());
    let sent = Instant::now();
    pipeline(c, 0, 1, &[words(&["DEL", "f:late"])]);
    let held = tombstones(c.node(0));
    let elapsed = sent.elapsed();
    println!("right after the last DEL ({elapsed:?}): node 0 holds {held:?} tombstones");
    // A tombstone is collected only once every peer is GRACE_MS past it:
    // read within that time, the DEL's tombstone is still held.
    if elapsed < Duration::from_millis(GRACE_MS / 2) && held.is_none_or(|t| t == 0) {
        c.fail(&format!(
            "node 0 reports active_tombstones {held:?} right after a DEL"
        ));
    }
    // Every deleted or expiring key gone on every node (reading an expired
    // key reclaims it, so its tombstone exists before collection is
    // awaited).
    let gone: Vec<&str> = expect.gone[0].iter().map(String::as_str).collect();
    c.wait(
        "the deleted and expiring keys to be gone on every node",
        |c| {
            c.running().iter().all(|&i| {
                let mut a = vec!["EXISTS"];
                a.extend(gone.iter().copied());
                c.call(i, &a) == ":0\r\n"
            })
        },
    );
    expect
}

/// Every running node holds exactly `expect`'s live keys (DBSIZE and
/// EXISTS) and none of its deleted ones.
fn check_state(c: &Cluster, expect: &Expect, what: &str) {
    for i in c.running() {
        let mut r = c.raw(i);
        for db in 0..2 {
            assert_eq!(cmd(&mut r, &["SELECT", &db.to_string()]), "+OK\r\n");
            for chunk in expect.gone[db].iter().collect::<Vec<_>>().chunks(100) {
                let mut a = vec!["EXISTS"];
                a.extend(chunk.iter().map(|k| k.as_str()));
                let got = cmd(&mut r, &a);
                if got != ":0\r\n" {
                    c.fail(&format!(
                        "{what}: node {i} db {db}: deleted keys are back (EXISTS {got:?} \
                         over {chunk:?})"
                    ));
                }
            }
            let live: Vec<&str> = expect.live[db].iter().map(String::as_str).collect();
            for chunk in live.chunks(100) {
                let mut a = vec!["EXISTS"];
                a.extend(chunk);
                let got = cmd(&mut r, &a);
                if got != format!(":{}\r\n", chunk.len()) {
                    c.fail(&format!(
                        "{what}: node {i} db {db}: live keys missing (EXISTS {got:?} of {})",
                        chunk.len()
                    ));
                }
            }
            let size = cmd(&mut r, &["DBSIZE"]);
            if size != format!(":{}\r\n", live.len()) {
                c.fail(&format!(
                    "{what}: node {i} db {db}: DBSIZE {size:?}, expected {}",
                    live.len()
                ));
            }
        }
    }
}

/// Run the deletion workload and wait for its tombstones to be collected
/// on every node; the nodes converge on the expected keyspace.
fn collect_all(c: &Cluster) -> Expect {
    c.wait_links_up();
    let expect = deletion_workload(c);
    let all: Vec<(usize, u64)> = (0..c.len()).map(|i| (i, 0)).collect();
    wait_collected(c, "the deletion workload's tombstones", &all);
    c.wait_converged("the nodes after tombstone collection");
    check_state(c, &expect, "after collection");
    expect
}

/// SIGKILL node `i` after collection (`before_kill` first: SAVE for the
/// RDB variant) and restart it on its files: same node id, next start
/// number, new writer id; the nodes converge with every deleted key still
/// absent and no tombstone left. Then the restarted node deletes keys
/// under its new writer id, and those tombstones are collected too.
fn restart_after_collection(
    c: &mut Cluster,
    i: usize,
    expect: &mut Expect,
    before_kill: impl FnOnce(&Cluster),
) {
    let id = node_id(c, i).expect("an id file");
    let boot = node_boot(c, i).expect("a start counter in the id file");
    let writer = writer_id(c.node(i)).expect("the log names the writer id");
    let others: Vec<usize> = (0..c.len()).filter(|&j| j != i).collect();
    before_kill(c);
    let floors: Vec<(usize, u64)> = others
        .iter()
        .map(|&j| (j, horizon(c.node(j)).unwrap_or(0)))
        .collect();
    c.kill(i);
    c.start(i);
    assert_eq!(node_id(c, i), Some(id.clone()), "node {i}'s id changed");
    assert_eq!(node_boot(c, i), Some(boot + 1), "node {i}'s start counter");
    let new_writer = writer_id(c.node(i)).expect("the log names the writer id");
    assert_ne!(new_writer, writer, "a restart reused the writer id");
    assert_ne!(new_writer, id, "the writer id is the node id");
    c.wait_links_up();
    let none_above: Vec<(usize, u64)> = floors.iter().map(|&(j, _)| (j, 0)).collect();
    wait_collected(c, "tombstones after the restart", &none_above);
    c.wait_converged("the nodes after a restart past collection");
    check_state(c, expect, "after the restart");

    for &(j, floor) in &floors {
        let now = horizon(c.node(j)).unwrap_or(0);
        assert!(
            now >= floor,
            "node {j}'s active_tombstone_horizon went back from {floor} to {now}"
        );
    }

    // Deletes under the new writer id are collected as well.
    let floors: Vec<(usize, u64)> = others
        .iter()
        .map(|&j| (j, horizon(c.node(j)).unwrap_or(0)))
        .collect();
    let victims: Vec<String> = expect.live[0]
        .iter()
        .filter(|k| k.starts_with(&format!("g{i}:")))
        .take(10)
        .cloned()
        .collect();
    assert!(!victims.is_empty());
    let mut del = vec!["DEL".to_string()];
    del.extend(victims.iter().cloned());
    pipeline(c, i, 0, &[del]);
    victims.iter().for_each(|k| expect.delete(0, k));
    wait_collected(c, "the restarted node's new tombstones", &floors);
    c.wait_converged("the nodes after deletes by the restarted node");
    check_state(c, expect, "after deletes by the restarted node");
}

/// The AOF, fsynced at every write.
const AOF_ARGS: [&str; 6] = [
    "--appendonly",
    "yes",
    "--appendfsync",
    "always",
    "--save",
    "",
];

/// Grace and AOF arguments for a collection test.
fn tomb_args(persistence: &[&str]) -> Vec<String> {
    let mut a = words(&["--active-tombstone-grace", &GRACE_MS.to_string()]);
    a.extend(words(persistence));
    a
}

#[test]
fn tombstones_are_collected_and_deleted_keys_stay_deleted() {
    let args = tomb_args(&AOF_ARGS);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut c = Cluster::pair(&args);
    let mut expect = collect_all(&c);
    restart_after_collection(&mut c, 1, &mut expect, |_| {});
}

#[test]
fn tombstones_collected_before_an_rdb_restart_stay_collected() {
    let args = tomb_args(&["--appendonly", "no", "--save", "3600", "1"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut c = Cluster::pair(&args);
    let mut expect = collect_all(&c);
    restart_after_collection(&mut c, 0, &mut expect, |c| {
        assert_eq!(c.call(0, &["SAVE"]), "+OK\r\n");
    });
}

/// A ring (each node follows the next; no multi-master): a node hears the
/// others' writes and heartbeats only through forwarding.
#[test]
fn tombstones_are_collected_in_a_ring_of_three() {
    let args = tomb_args(&AOF_ARGS);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut c = Cluster::linked(3, false, &args, |i, j| j == (i + 1) % 3);
    let mut expect = collect_all(&c);
    restart_after_collection(&mut c, 2, &mut expect, |_| {});
}

/// A node restarts from an RDB saved before keys were deleted and their
/// tombstones collected (the classic way a collected delete comes back):
/// the copies it loads are older than its peer's collection horizon, and
/// the keys stay deleted on both nodes once they link again.
#[test]
fn a_restart_from_an_rdb_older_than_a_collection_does_not_resurrect_keys() {
    let args = tomb_args(&["--appendonly", "no", "--save", ""]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut c = Cluster::pair(&args);
    c.wait_links_up();
    let mut expect = Expect {
        live: [BTreeSet::new(), BTreeSet::new()],
        gone: [BTreeSet::new(), BTreeSet::new()],
    };
    for (i, prefix) in [(0, "old"), (1, "keep")] {
        let cmds: Vec<Vec<String>> = (0..100)
            .map(|k| {
                let key = format!("{prefix}:{k}");
                expect.live[0].insert(key.clone());
                words(&["SET", &key, "v"])
            })
            .collect();
        pipeline(&c, i, 0, &cmds);
    }
    c.wait_converged("the keys before node 1's save");
    assert_eq!(c.call(1, &["SAVE"]), "+OK\r\n");

    // Deletes on both sides after the save, collected everywhere.
    let mut dels = [vec!["DEL".to_string()], vec!["DEL".to_string()]];
    for k in 0..100 {
        let key = format!("old:{k}");
        if k % 4 != 3 {
            dels[usize::from(k % 4 == 1)].push(key.clone());
            expect.delete(0, &key);
        }
    }
    for k in 0..10 {
        let key = format!("keep:{k}");
        dels[0].push(key.clone());
        expect.delete(0, &key);
    }
    for (i, del) in dels.iter().enumerate() {
        pipeline(&c, i, 0, std::slice::from_ref(del));
    }
    wait_collected(&c, "the deletes' tombstones", &[(0, 0), (1, 0)]);
    c.wait_converged("the pair after collection");
    check_state(&c, &expect, "after collection");

    // Node 1 comes back on its old RDB, cut off first: it holds the
    // deleted keys again.
    c.kill(1);
    c.isolate(1);
    c.start(1);
    assert_eq!(
        c.call(1, &["EXISTS", "old:0", "old:1", "keep:0"]),
        ":3\r\n",
        "node 1 did not load its RDB from before the deletes"
    );
    c.heal_all();
    c.wait_links_up();
    c.wait_converged("the pair after a restart from an old RDB");
    check_state(
        &c,
        &expect,
        "after a restart from an RDB older than the collection",
    );
    wait_collected(&c, "tombstones after the old-RDB restart", &[]);
    check_state(&c, &expect, "once collected again");
}

/// A multi-master mesh of three: every node hears every other directly.
#[test]
fn tombstones_are_collected_in_a_mesh_of_three() {
    let args = tomb_args(&["--appendonly", "no", "--save", "3600", "1"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut c = Cluster::mesh(3, true, &args);
    let mut expect = collect_all(&c);
    restart_after_collection(&mut c, 1, &mut expect, |c| {
        assert_eq!(c.call(1, &["SAVE"]), "+OK\r\n");
    });
}

/// Keys a node holds without a version (DEBUG POPULATE writes outside
/// active stamping) reach a peer by full sync even once that peer has a
/// collection horizon: an unstamped key is not a late copy of a collected
/// delete. (Once `DbStamps::decide` refused it: the merge took 0 keys and
/// the pair never converged.)
#[test]
fn unstamped_keys_reach_a_peer_that_has_a_horizon() {
    let args = tomb_args(&["--appendonly", "no", "--save", ""]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut c = Cluster::pair(&args);
    c.wait_links_up();
    c.call(0, &["SET", "deleted", "v"]);
    c.wait_converged("the key to delete");
    c.call(0, &["DEL", "deleted"]);
    wait_collected(&c, "the DEL's tombstone", &[(0, 0), (1, 0)]);
    // Node 1 restarts on an RDB holding unstamped keys; node 0 full-syncs
    // from it (node 1's stream is new).
    let mut r = c.raw(1);
    assert_eq!(cmd(&mut r, &["SELECT", "9"]), "+OK\r\n");
    assert_eq!(
        cmd(&mut r, &["DEBUG", "POPULATE", "100", "bulk", "8"]),
        "+OK\r\n"
    );
    assert_eq!(c.call(1, &["SAVE"]), "+OK\r\n");
    c.kill(1);
    c.start(1);
    c.wait_links_up();
    c.wait("node 0 to merge node 1's unstamped keys", |c| {
        let mut r = c.raw(0);
        cmd(&mut r, &["SELECT", "9"]);
        cmd(&mut r, &["DBSIZE"]) == ":100\r\n"
    });
    c.wait_converged("the pair after the merge");
}

/// An active node's AOF base (after BGREWRITEAOF) keeps what its RDB files
/// keep: a node restarted from it, cut off from its peer, still holds its
/// keys at their versions (OBJECT LASTMODIFIED counts from their stamps,
/// not from the epoch as for an unstamped key) and its tombstones.
#[test]
fn an_aof_rewrite_keeps_versions_and_tombstones() {
    let args = words(&["--active-tombstone-grace", "3600000"]);
    let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
    all.extend(AOF_ARGS);
    let mut c = Cluster::pair(&all);
    c.wait_links_up();
    for k in 0..20 {
        assert_eq!(c.call(0, &["SET", &format!("k{k}"), "v"]), "+OK\r\n");
    }
    assert_eq!(c.call(0, &["DEL", "k0", "k1"]), ":2\r\n");
    c.wait_converged("the writes");
    let tombs_before = info_u64(c.node(0), "replication", "active_tombstones");
    assert!(tombs_before >= 2, "{tombs_before}");
    assert!(c.call(0, &["BGREWRITEAOF"]).starts_with('+'));
    c.wait("the rewrite", |c| {
        info_field(c.node(0), "persistence", "aof_rewrite_in_progress").as_deref() == Some("0")
            && info_u64(c.node(0), "persistence", "aof_rewrites") >= 1
    });
    c.isolate(0);
    c.kill(0);
    c.start(0);
    let age = c.call(0, &["OBJECT", "LASTMODIFIED", "k5"]);
    let secs: u64 = age
        .trim_start_matches(':')
        .trim()
        .parse()
        .expect("an integer");
    assert!(secs < 3600, "k5 lost its version: {age:?}");
    assert_eq!(
        info_u64(c.node(0), "replication", "active_tombstones"),
        tombs_before,
        "tombstones after the restart"
    );
    c.heal_all();
    c.wait_converged("after the restart");
}
