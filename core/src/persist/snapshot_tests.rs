//! The snapshot's promise: whatever commands run between its chunks, the
//! items it yields are exactly the keyspace at `snapshot_begin`, each key
//! once. Checked against a copy taken at the start (compared both as values
//! and as their serialized RDB bytes, so copy-on-write cannot fool it).

use std::collections::BTreeMap;

use bytes::Bytes;
use proptest::prelude::*;

use super::*;
use crate::config::Config;
use crate::engine::{ClientId, ConnInfo, ServerInfo, Time};
use crate::persist::rdb::{encode_value, SaveOptions};

/// (db, key) → (value, expiry, the value's RDB bytes).
type Image = BTreeMap<(usize, Bytes), (Value, Option<u64>, Vec<u8>)>;

struct T {
    e: Engine,
    c: ClientId,
    now: Time,
    selected: usize,
}

impl T {
    fn new(seed: u64) -> T {
        let mut e = Engine::new(Config::default(), ServerInfo::default(), seed);
        let now = Time::from_ms(1_700_000_000_000);
        let c = e.connect(ConnInfo::default(), now).expect("connect");
        T {
            e,
            c,
            now,
            selected: 0,
        }
    }

    fn run(&mut self, db: usize, args: &[&str]) {
        if db != self.selected {
            self.exec(&["SELECT", &db.to_string()]);
            self.selected = db;
        }
        self.exec(args);
    }

    fn exec(&mut self, args: &[&str]) {
        let argv: Vec<Bytes> = args
            .iter()
            .map(|a| Bytes::copy_from_slice(a.as_bytes()))
            .collect();
        self.e.execute(self.c, &argv, self.now);
    }

    /// The keyspace now, as the snapshot should reproduce it.
    fn image(&self) -> Image {
        let mut out = Image::new();
        for (d, db) in self.e.dbs.iter().enumerate() {
            for (k, entry) in db.keys.iter() {
                let bytes = encode_value(&entry.value, &SaveOptions::default());
                out.insert(
                    (d, k.to_bytes()),
                    (entry.value.clone(), db.expire_at(k), bytes),
                );
            }
        }
        out
    }

    /// Take up to `n` items of the snapshot into `got`; false once done.
    fn chunk(&mut self, id: SnapshotId, n: usize, got: &mut Vec<SnapshotItem>) -> bool {
        match self.e.snapshot_next(id, n) {
            Some(items) => {
                got.extend(items);
                true
            }
            None => false,
        }
    }
}

fn check(expected: &Image, got: Vec<SnapshotItem>) {
    let mut seen = Image::new();
    for it in got {
        let bytes = encode_value(&it.value, &SaveOptions::default());
        let k = (it.db, it.key.clone());
        assert!(
            seen.insert(k.clone(), (it.value, it.expire_ms, bytes))
                .is_none(),
            "key {k:?} emitted twice"
        );
    }
    let exp_keys: Vec<_> = expected.keys().collect();
    let got_keys: Vec<_> = seen.keys().collect();
    assert_eq!(got_keys, exp_keys, "the snapshot's key set");
    for (k, (v, ttl, bytes)) in expected {
        let (gv, gttl, gbytes) = &seen[k];
        assert_eq!(gttl, ttl, "expiry of {k:?}");
        assert_eq!(gv, v, "value of {k:?}");
        assert_eq!(gbytes, bytes, "serialized value of {k:?}");
    }
}

/// One step of a scenario.
#[derive(Debug, Clone)]
enum Op {
    /// Run a command in a database.
    Cmd(usize, Vec<String>),
    /// Take a chunk of the snapshot.
    Chunk(usize),
    /// Start the second snapshot (once), or take a chunk of it.
    Second(usize),
    /// Start a throwaway snapshot and take a few items, or abandon it.
    Throwaway,
    /// Let time pass (ms) and run the cron (active expiry).
    Tick(u64),
}

const KEYS: usize = 48;

fn key() -> impl Strategy<Value = String> {
    (0..KEYS).prop_map(|i| format!("k{i}"))
}

fn small() -> impl Strategy<Value = String> {
    (0u32..6).prop_map(|i| format!("m{i}"))
}

/// A random write (or read) command touching the keys `k0..k47`.
fn command() -> impl Strategy<Value = Vec<String>> {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    prop_oneof![
        4 => (key(), small()).prop_map(move |(k, v)| s(&["SET", &k, &v])),
        1 => (key(), small()).prop_map(move |(k, v)| s(&["SET", &k, &v, "EX", "100"])),
        1 => (key(), small()).prop_map(move |(k, v)| s(&["SET", &k, &v, "KEEPTTL"])),
        3 => key().prop_map(move |k| s(&["DEL", &k])),
        2 => key().prop_map(move |k| s(&["INCR", &k])),
        1 => (key(), small()).prop_map(move |(k, v)| s(&["APPEND", &k, &v])),
        1 => (key(), 0u32..20).prop_map(move |(k, o)| s(&["SETRANGE", &k, &o.to_string(), "x"])),
        1 => (key(), 0u32..64).prop_map(move |(k, o)| s(&["SETBIT", &k, &o.to_string(), "1"])),
        2 => (key(), small()).prop_map(move |(k, v)| s(&["LPUSH", &k, &v])),
        1 => key().prop_map(move |k| s(&["RPOP", &k])),
        1 => (key(), key()).prop_map(move |(a, b)| s(&["LMOVE", &a, &b, "LEFT", "RIGHT"])),
        2 => (key(), small()).prop_map(move |(k, v)| s(&["SADD", &k, &v])),
        1 => (key(), small()).prop_map(move |(k, v)| s(&["SREM", &k, &v])),
        1 => (key(), key(), small()).prop_map(move |(a, b, m)| s(&["SMOVE", &a, &b, &m])),
        1 => (key(), key(), key()).prop_map(move |(d, a, b)| s(&["SUNIONSTORE", &d, &a, &b])),
        2 => (key(), small(), small()).prop_map(move |(k, f, v)| s(&["HSET", &k, &f, &v])),
        1 => (key(), small()).prop_map(move |(k, f)| s(&["HDEL", &k, &f])),
        1 => (key(), small()).prop_map(move |(k, f)| s(&["HINCRBY", &k, &f, "3"])),
        2 => (key(), 0u32..9, small()).prop_map(move |(k, sc, m)| s(&["ZADD", &k, &sc.to_string(), &m])),
        1 => (key(), small()).prop_map(move |(k, m)| s(&["ZREM", &k, &m])),
        1 => (key(), small()).prop_map(move |(k, v)| s(&["XADD", &k, "*", "f", &v])),
        1 => (key(), small()).prop_map(move |(k, v)| s(&["PFADD", &k, &v])),
        2 => (key(), 1u32..200).prop_map(move |(k, t)| s(&["PEXPIRE", &k, &t.to_string()])),
        1 => key().prop_map(move |k| s(&["PERSIST", &k])),
        1 => key().prop_map(move |k| s(&["GETDEL", &k])),
        1 => key().prop_map(move |k| s(&["GETEX", &k, "PERSIST"])),
        2 => key().prop_map(move |k| s(&["GET", &k])),
        2 => (key(), key()).prop_map(move |(a, b)| s(&["RENAME", &a, &b])),
        1 => (key(), key()).prop_map(move |(a, b)| s(&["RENAMENX", &a, &b])),
        2 => (key(), 0usize..3).prop_map(move |(k, d)| s(&["MOVE", &k, &d.to_string()])),
        1 => (key(), key(), 0usize..3).prop_map(move |(a, b, d)| s(&["COPY", &a, &b, "DB", &d.to_string(), "REPLACE"])),
        1 => (0usize..3, 0usize..3).prop_map(move |(a, b)| s(&["SWAPDB", &a.to_string(), &b.to_string()])),
        1 => Just(s(&["FLUSHDB"])),
        1 => (key(), key()).prop_map(move |(d, k)| s(&["SORT", &k, "ALPHA", "STORE", &d])),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        12 => (0usize..3, command()).prop_map(|(d, c)| Op::Cmd(d, c)),
        4 => (1usize..12).prop_map(Op::Chunk),
        2 => (1usize..12).prop_map(Op::Second),
        1 => Just(Op::Throwaway),
        1 => (0u64..150).prop_map(Op::Tick),
    ]
}

/// Fill three databases from commands, some keys with short TTLs.
fn populate(t: &mut T, setup: &[(usize, Vec<String>)]) {
    for (d, c) in setup {
        let args: Vec<&str> = c.iter().map(String::as_str).collect();
        t.run(*d, &args);
    }
}

fn scenario(seed: u64, setup: Vec<(usize, Vec<String>)>, ops: Vec<Op>) {
    let mut t = T::new(seed);
    populate(&mut t, &setup);
    let expected = t.image();
    let id = t.e.snapshot_begin();
    let mut got = Vec::new();
    let mut done = false;
    // A second snapshot begun mid-walk (it shares databases with the first,
    // so it records names rather than marking entries where the first
    // walks), and throwaway snapshots abandoned half-way (their marks must
    // not survive them).
    let mut second: Option<(SnapshotId, Image, Vec<SnapshotItem>, bool)> = None;
    let mut throwaway: Option<SnapshotId> = None;
    for op in ops {
        match op {
            Op::Cmd(d, c) => {
                let args: Vec<&str> = c.iter().map(String::as_str).collect();
                t.run(d, &args);
            }
            Op::Chunk(n) if !done => done = !t.chunk(id, n, &mut got),
            Op::Chunk(_) => {}
            Op::Second(n) => match &mut second {
                None => second = Some((t.e.snapshot_begin(), t.image(), Vec::new(), false)),
                Some((sid, _, sgot, sdone)) => {
                    if !*sdone {
                        *sdone = !t.chunk(*sid, n, sgot);
                    }
                }
            },
            Op::Throwaway => match throwaway.take() {
                None => {
                    let tid = t.e.snapshot_begin();
                    let mut ignored = Vec::new();
                    t.chunk(tid, 3, &mut ignored);
                    throwaway = Some(tid);
                }
                Some(tid) => t.e.snapshot_end(tid),
            },
            Op::Tick(ms) => {
                t.now = Time::from_ms(t.now.ms() + ms);
                t.e.tick(t.now);
            }
        }
    }
    while t.chunk(id, 7, &mut got) {}
    t.e.snapshot_end(id);
    check(&expected, got);
    if let Some((sid, image, mut sgot, _)) = second {
        while t.chunk(sid, 7, &mut sgot) {}
        t.e.snapshot_end(sid);
        check(&image, sgot);
    }
    if let Some(tid) = throwaway {
        t.e.snapshot_end(tid);
    }
    // Nothing is left behind: no walks, no marks, thawed tables.
    for db in &t.e.dbs {
        assert!(db.walks.is_empty());
        assert!(
            db.keys.iter().all(|(_, e)| !e.snap_skip),
            "a mark outlived its walk"
        );
    }
    assert_eq!(t.e.persist.snapshots.active(), 0);
    // A snapshot after all that is exact too (stale marks would hide keys).
    let expected = t.image();
    let id = t.e.snapshot_begin();
    let mut got = Vec::new();
    while t.chunk(id, 5, &mut got) {}
    t.e.snapshot_end(id);
    check(&expected, got);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn snapshot_is_the_keyspace_at_begin(
        seed in any::<u64>(),
        setup in proptest::collection::vec((0usize..3, command()), 0..120),
        ops in proptest::collection::vec(op(), 0..200),
    ) {
        scenario(seed, setup, ops);
    }
}

#[test]
fn flushall_and_swapdb_mid_walk_keep_the_old_content() {
    let mut t = T::new(7);
    for i in 0..200 {
        t.run(i % 3, &["SET", &format!("k{i}"), &format!("v{i}")]);
    }
    t.run(1, &["PEXPIREAT", "k1", "99999999999999"]);
    let expected = t.image();
    let id = t.e.snapshot_begin();
    let mut got = Vec::new();
    assert!(t.chunk(id, 10, &mut got));
    t.run(0, &["SWAPDB", "0", "2"]);
    assert!(t.chunk(id, 10, &mut got));
    t.exec(&["FLUSHALL"]);
    for i in 0..50 {
        t.run(i % 3, &["SET", &format!("new{i}"), "x"]);
    }
    t.run(0, &["SWAPDB", "1", "0"]);
    while t.chunk(id, 10, &mut got) {}
    t.e.snapshot_end(id);
    check(&expected, got);
}

#[test]
fn tables_stay_put_during_a_walk_and_resize_after() {
    let mut t = T::new(9);
    for i in 0..64 {
        t.run(0, &["SET", &format!("k{i}"), "v"]);
    }
    let buckets = t.e.dbs[0].keys.buckets();
    let expected = t.image();
    let id = t.e.snapshot_begin();
    let mut got = Vec::new();
    assert!(t.chunk(id, 5, &mut got));
    // Growing far past the load factor neither resizes nor rehashes.
    for i in 0..1000 {
        t.run(0, &["SET", &format!("n{i}"), "v"]);
    }
    assert_eq!(t.e.dbs[0].keys.buckets(), buckets);
    while t.chunk(id, 50, &mut got) {}
    t.e.snapshot_end(id);
    check(&expected, got);
    t.run(0, &["SET", "after", "v"]);
    for _ in 0..100 {
        t.e.tick(t.now);
    }
    assert!(t.e.dbs[0].keys.buckets() > buckets);
}

#[test]
fn two_snapshots_at_different_instants() {
    let mut t = T::new(11);
    for i in 0..100 {
        t.run(0, &["SET", &format!("k{i}"), "a"]);
    }
    let first_image = t.image();
    let first = t.e.snapshot_begin();
    let mut first_got = Vec::new();
    assert!(t.chunk(first, 20, &mut first_got));
    for i in 0..100 {
        t.run(0, &["SET", &format!("k{i}"), "b"]);
    }
    t.run(0, &["DEL", "k3", "k50"]);
    let second_image = t.image();
    let second = t.e.snapshot_begin();
    let mut second_got = Vec::new();
    for i in 0..100 {
        t.run(0, &["APPEND", &format!("k{i}"), "c"]);
        t.chunk(first, 3, &mut first_got);
        t.chunk(second, 2, &mut second_got);
    }
    while t.chunk(first, 9, &mut first_got) {}
    while t.chunk(second, 9, &mut second_got) {}
    t.e.snapshot_end(first);
    t.e.snapshot_end(second);
    check(&first_image, first_got);
    check(&second_image, second_got);
}

#[test]
fn abandoned_snapshot_releases_everything() {
    let mut t = T::new(13);
    for i in 0..100 {
        t.run(0, &["SET", &format!("k{i}"), "a"]);
    }
    let id = t.e.snapshot_begin();
    let mut got = Vec::new();
    assert!(t.chunk(id, 5, &mut got));
    for i in 0..100 {
        t.run(0, &["SET", &format!("k{i}"), "b"]);
    }
    t.e.snapshot_end(id);
    assert!(t.e.dbs[0].walks.is_empty());
    assert!(t.e.snapshot_next(id, 5).is_none());
}
