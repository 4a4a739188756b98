//! Active replication through whole engines: two and three `Engine`s, each
//! an active replica of the others, exchanging their propagated bytes by
//! hand (what a link would carry), in chosen or random orders.

use bytes::Bytes;

use super::envelope;
use super::node::NodeId;
use super::stamp::Stamp;
use crate::config::Config;
use crate::engine::commands::debug::dataset_digest;
use crate::engine::{ClientId, ConnInfo, Engine, ServerInfo, Time};
use crate::repl::wire;
use crate::resp::Reply;

const T0: u64 = 1_700_000_000_000;

fn t(ms: u64) -> Time {
    Time::from_ms(T0 + ms)
}

fn argv(words: &[&str]) -> Vec<Bytes> {
    words
        .iter()
        .map(|w| Bytes::copy_from_slice(w.as_bytes()))
        .collect()
}

pub(super) struct Node {
    pub e: Engine,
    user: ClientId,
    master: ClientId,
}

pub(super) fn id(b: u8) -> NodeId {
    NodeId::from_bytes([b; 16])
}

impl Node {
    /// An active replica with id `[b; 16]`, its stream collected, with a
    /// master client (the link's) to feed envelopes through.
    pub fn new(b: u8) -> Node {
        let mut cfg = Config::default();
        cfg.set_option("active-replica", &["yes".into()]).unwrap();
        cfg.set_option("replica-read-only", &["no".into()]).unwrap();
        let mut e = Engine::new(cfg, ServerInfo::default(), u64::from(b));
        assert!(e.is_active_replica());
        e.set_node_id(id(b));
        e.prop.set_enabled(true);
        e.repl_set_master("peer".into(), 1);
        let generation = e.repl.generation;
        let master = e
            .repl_link_up(generation, ConnInfo::default(), t(0))
            .unwrap();
        let user = e.connect(ConnInfo::default(), t(0)).unwrap();
        Node { e, user, master }
    }

    /// A client command at `ms`.
    pub fn run(&mut self, ms: u64, words: &[&str]) -> Option<Reply> {
        self.e.execute(self.user, &argv(words), t(ms)).reply
    }

    /// What this node's stream carries now.
    pub fn out(&mut self) -> Vec<u8> {
        self.e.take_propagated()
    }

    /// Feed a peer's stream bytes through the master client at `ms`.
    pub fn deliver(&mut self, ms: u64, mut bytes: &[u8]) {
        while let Ok(Some((args, used))) = wire::command(bytes) {
            bytes = &bytes[used..];
            if !args.is_empty() {
                let out = self.e.execute(self.master, &args, t(ms));
                if let Some(Reply::Error(err)) = out.reply {
                    panic!("RREPLAY refused: {err}");
                }
            }
        }
        assert!(bytes.is_empty(), "incomplete stream");
    }

    /// Feed a stream as the master, whatever each command answers.
    pub fn deliver_raw(&mut self, ms: u64, mut bytes: &[u8]) {
        while let Ok(Some((args, used))) = wire::command(bytes) {
            bytes = &bytes[used..];
            if !args.is_empty() {
                self.e.execute(self.master, &args, t(ms));
            }
        }
    }

    pub fn get(&mut self, ms: u64, key: &str) -> Option<Reply> {
        self.run(ms, &["GET", key])
    }

    pub fn digest(&self) -> [u8; 20] {
        dataset_digest(&self.e)
    }
}

fn commands(bytes: &[u8]) -> Vec<Vec<Bytes>> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while let Ok(Some((args, used))) = wire::command(rest) {
        rest = &rest[used..];
        out.push(args);
    }
    out
}

fn bulk(s: &str) -> Option<Reply> {
    Some(Reply::Bulk(Bytes::copy_from_slice(s.as_bytes())))
}

#[test]
fn a_local_set_leaves_as_keydbs_exact_envelope() {
    let mut a = Node::new(1);
    a.run(5, &["SET", "k", "v"]);
    let got = a.out();
    let inner = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n";
    let stamp = ((T0 + 5) << 20).to_string();
    let mut want = Vec::new();
    want.extend_from_slice(b"*5\r\n$7\r\nRREPLAY\r\n$36\r\n");
    want.extend_from_slice(b"01010101-0101-0101-0101-010101010101");
    want.extend_from_slice(format!("\r\n${}\r\n", inner.len()).as_bytes());
    want.extend_from_slice(inner);
    want.extend_from_slice(format!("\r\n$1\r\n0\r\n${}\r\n{stamp}\r\n", stamp.len()).as_bytes());
    assert_eq!(got, want, "{}", String::from_utf8_lossy(&got));
}

#[test]
fn every_command_gets_its_own_increasing_stamp_and_no_multi() {
    let mut a = Node::new(1);
    a.run(5, &["MULTI"]);
    a.run(5, &["SET", "a", "1"]);
    a.run(5, &["SELECT", "2"]);
    a.run(5, &["SET", "b", "2"]);
    a.run(5, &["EXEC"]);
    let envs: Vec<envelope::Rreplay> = commands(&a.out())
        .iter()
        .map(|c| envelope::Rreplay::parse(c).unwrap())
        .collect();
    assert_eq!(
        envs.len(),
        2,
        "one envelope per command, no MULTI/EXEC/SELECT"
    );
    assert_eq!(envs[0].db, Some(0));
    assert_eq!(envs[1].db, Some(2));
    assert!(envs[1].stamp > envs[0].stamp);
    assert_eq!(envs[0].stamp, Stamp::from_ms(T0 + 5));
    for e in &envs {
        let inner = e.commands().unwrap();
        assert_eq!(inner.len(), 1);
        assert_eq!(inner[0][0], Bytes::from_static(b"SET"));
    }
}

#[test]
fn state_commands_ship_the_keys_whole_state() {
    let mut a = Node::new(1);
    a.run(1, &["RPUSH", "l", "x", "y"]);
    a.run(2, &["INCR", "n"]);
    a.run(3, &["PEXPIRE", "l", "100000"]);
    a.run(4, &["RENAME", "n", "m"]);
    let cmds: Vec<Vec<Vec<Bytes>>> = commands(&a.out())
        .iter()
        .map(|c| envelope::Rreplay::parse(c).unwrap().commands().unwrap())
        .collect();
    let names: Vec<Vec<String>> = cmds
        .iter()
        .map(|env| {
            env.iter()
                .map(|c| {
                    format!(
                        "{} {}",
                        String::from_utf8_lossy(&c[0]),
                        String::from_utf8_lossy(&c[1])
                    )
                })
                .collect()
        })
        .collect();
    assert_eq!(
        names,
        vec![
            vec!["KEYDB.MVCCRESTORE l".to_string()],
            vec!["KEYDB.MVCCRESTORE n".to_string()],
            vec!["KEYDB.MVCCRESTORE l".to_string()],
            vec!["DEL n".to_string(), "KEYDB.MVCCRESTORE m".to_string()],
        ]
    );
    // The expiry travels as an absolute time in ms; no expiry is -1.
    assert_eq!(cmds[0][0][3], Bytes::from_static(b"-1"));
    assert_eq!(cmds[2][0][3], Bytes::from((T0 + 3 + 100_000).to_string()));
    // The restore's stamp is the envelope's.
    let env = envelope::Rreplay::parse(
        &commands(&{
            let mut b = Node::new(2);
            b.run(9, &["APPEND", "s", "x"]);
            b.out()
        })[0],
    )
    .unwrap();
    assert_eq!(
        env.commands().unwrap()[0][2],
        Bytes::from(env.stamp.to_decimal())
    );
}

#[test]
fn concurrent_sets_converge_to_the_higher_stamp() {
    let mut a = Node::new(1);
    let mut b = Node::new(2);
    a.run(10, &["SET", "k", "from-a"]);
    b.run(11, &["SET", "k", "from-b"]);
    let (oa, ob) = (a.out(), b.out());
    a.deliver(20, &ob);
    b.deliver(20, &oa);
    assert_eq!(a.get(21, "k"), bulk("from-b"));
    assert_eq!(b.get(21, "k"), bulk("from-b"));
    // The receiver keeps the origin's stamp, not its apply time.
    let v = a.e.dbs[0].stamps.as_ref().unwrap().live(b"k").unwrap();
    assert_eq!(v.stamp, Stamp::from_ms(T0 + 11));
    assert_eq!(v.origin, id(2));
    // The same millisecond: the higher origin id wins on both.
    a.run(30, &["SET", "t", "from-a"]);
    b.run(30, &["SET", "t", "from-b"]);
    let (oa, ob) = (a.out(), b.out());
    a.deliver(31, &ob);
    b.deliver(31, &oa);
    assert_eq!(a.get(32, "t"), bulk("from-b"));
    assert_eq!(b.get(32, "t"), bulk("from-b"));
    assert_eq!(a.digest(), b.digest());
}

#[test]
fn a_delete_during_a_partition_is_not_resurrected() {
    let mut a = Node::new(1);
    let mut b = Node::new(2);
    a.run(1, &["SET", "k", "v1"]);
    let oa = a.out();
    b.deliver(2, &oa);
    // Partition: A overwrites, B deletes later.
    a.run(10, &["SET", "k", "old"]);
    b.run(20, &["DEL", "k"]);
    let (oa, ob) = (a.out(), b.out());
    // Heal, in both orders.
    a.deliver(30, &ob);
    b.deliver(30, &oa);
    assert_eq!(a.get(31, "k"), None.or(Some(Reply::Nil)));
    assert_eq!(b.get(31, "k"), Some(Reply::Nil));
    assert_eq!(a.digest(), b.digest());
    // A write after the delete does bring it back, everywhere.
    a.run(40, &["SET", "k", "new"]);
    let oa = a.out();
    b.deliver(41, &oa);
    assert_eq!(b.get(42, "k"), bulk("new"));
}

#[test]
fn state_dependent_conflicts_converge() {
    let scripts: &[(&[&str], &[&str])] = &[
        (&["INCR", "k"], &["INCRBY", "k", "5"]),
        (&["APPEND", "k", "aa"], &["APPEND", "k", "bb"]),
        (&["LPUSH", "k", "a1", "a2"], &["RPUSH", "k", "b1"]),
        (&["HSET", "k", "f", "a"], &["HSET", "k", "g", "b"]),
        (&["EXPIRE", "k", "1000"], &["SET", "k", "fresh"]),
        (&["PERSIST", "k"], &["EXPIRE", "k", "50"]),
        (&["DEL", "k"], &["APPEND", "k", "zz"]),
    ];
    for (i, (wa, wb)) in scripts.iter().enumerate() {
        for a_later in [false, true] {
            let mut a = Node::new(1);
            let mut b = Node::new(2);
            // A common starting value of the right type.
            let base: &[&str] = match wa[0] {
                "LPUSH" => &["RPUSH", "k", "base"],
                "HSET" => &["HSET", "k", "base", "0"],
                "INCR" => &["SET", "k", "10"],
                "PERSIST" => &["SET", "k", "base", "EX", "1000"],
                _ => &["SET", "k", "base"],
            };
            a.run(1, base);
            let oa = a.out();
            b.deliver(2, &oa);
            assert_eq!(a.digest(), b.digest(), "script {i}: base");
            let (ta, tb) = if a_later { (11, 10) } else { (10, 11) };
            a.run(ta, wa);
            b.run(tb, wb);
            let (oa, ob) = (a.out(), b.out());
            a.deliver(20, &ob);
            b.deliver(20, &oa);
            assert_eq!(a.digest(), b.digest(), "script {i} a_later={a_later}");
            // The later writer's result is what both hold.
            let mut solo = Node::new(3);
            solo.run(1, base);
            let winner = if a_later { wa } else { wb };
            solo.run(11, winner);
            assert_eq!(
                a.digest(),
                solo.digest(),
                "script {i}: the later write wins whole"
            );
        }
    }
}

#[test]
fn own_envelopes_break_the_loop_and_duplicates_are_idempotent() {
    let mut a = Node::new(1);
    let mut b = Node::new(2);
    a.run(1, &["SET", "k", "v"]);
    a.run(2, &["INCR", "n"]);
    let oa = a.out();
    // Our own writes coming back round a loop: no change, nothing forwarded.
    let before = a.digest();
    a.deliver(3, &oa);
    assert_eq!(a.digest(), before);
    assert!(a.out().is_empty(), "an own envelope is not forwarded");
    // B applies and forwards once; the same bytes again change nothing
    // and are not forwarded again.
    b.deliver(3, &oa);
    let fwd = b.out();
    assert_eq!(fwd, oa, "forwarded exactly as received");
    let d = b.digest();
    b.deliver(4, &oa);
    assert_eq!(b.digest(), d);
    assert!(b.out().is_empty(), "a duplicate is not forwarded");
    assert_eq!(a.digest(), b.digest());
    // The counter did not double on the duplicate.
    assert_eq!(b.run(5, &["GET", "n"]), bulk("1"));
}

#[test]
fn three_nodes_in_a_ring_and_a_mesh_converge() {
    // Ring a -> b -> c -> a: each forwards what it applied.
    let mut n = [Node::new(1), Node::new(2), Node::new(3)];
    n[0].run(1, &["SET", "x", "a"]);
    n[1].run(2, &["SET", "x", "b"]);
    n[2].run(3, &["RPUSH", "l", "c"]);
    n[0].run(4, &["DEL", "x"]);
    for round in 0..4 {
        let outs: Vec<Vec<u8>> = n.iter_mut().map(Node::out).collect();
        for i in 0..3 {
            n[(i + 1) % 3].deliver(10 + round, &outs[i]);
        }
    }
    assert!(
        n.iter_mut().all(|x| x.out().is_empty()),
        "the ring went quiet"
    );
    assert_eq!(n[0].digest(), n[1].digest());
    assert_eq!(n[1].digest(), n[2].digest());
    assert_eq!(n[2].get(20, "x"), Some(Reply::Nil));
    // Mesh: everyone delivers to everyone, forwarded copies included.
    let mut n = [Node::new(1), Node::new(2), Node::new(3)];
    n[0].run(1, &["SET", "k", "a"]);
    n[1].run(1, &["SET", "k", "b"]);
    n[2].run(2, &["HSET", "h", "f", "c"]);
    for round in 0..4 {
        let outs: Vec<Vec<u8>> = n.iter_mut().map(Node::out).collect();
        for (i, o) in outs.iter().enumerate() {
            for (j, node) in n.iter_mut().enumerate() {
                if i != j {
                    node.deliver(10 + round, o);
                }
            }
        }
    }
    assert_eq!(n[0].digest(), n[1].digest());
    assert_eq!(n[1].digest(), n[2].digest());
    assert_eq!(n[0].get(20, "k"), bulk("b"));
}

#[test]
fn expiry_is_local_leaves_a_tombstone_and_propagates_nothing() {
    let mut a = Node::new(1);
    let mut b = Node::new(2);
    a.run(1, &["SET", "k", "v", "PX", "100"]);
    let oa = a.out();
    let inner = envelope::Rreplay::parse(&commands(&oa)[0])
        .unwrap()
        .commands()
        .unwrap();
    assert_eq!(inner[0][3], Bytes::from_static(b"PXAT"), "absolute expiry");
    b.deliver(2, &oa);
    assert_eq!(b.out(), oa, "forwarded");
    // Both expire on their own, lazily or actively, and send nothing.
    assert_eq!(a.get(200, "k"), Some(Reply::Nil));
    b.e.tick(t(300));
    assert_eq!(
        b.e.dbs[0].len(),
        0,
        "active expiry runs on an active replica"
    );
    let (oa, ob) = (a.out(), b.out());
    assert!(
        oa.is_empty() && ob.is_empty(),
        "{} / {}",
        String::from_utf8_lossy(&oa),
        String::from_utf8_lossy(&ob)
    );
    let tomb = a.e.dbs[0].stamps.as_ref().unwrap().tombstone(b"k").unwrap();
    assert_eq!(
        tomb.stamp,
        Stamp::from_ms(T0 + 1),
        "the expired state's own version"
    );
    assert_eq!(
        b.e.dbs[0].stamps.as_ref().unwrap().tombstone(b"k"),
        Some(tomb)
    );
}

#[test]
fn flush_tombstones_keep_only_newer_keys() {
    let mut a = Node::new(1);
    let mut b = Node::new(2);
    a.run(1, &["SET", "old", "1"]);
    b.run(5, &["SET", "newer", "2"]);
    a.run(3, &["FLUSHALL"]);
    let (oa, ob) = (a.out(), b.out());
    a.deliver(10, &ob);
    b.deliver(10, &oa);
    assert_eq!(a.digest(), b.digest());
    assert_eq!(b.get(11, "newer"), bulk("2"));
    assert_eq!(b.get(11, "old"), Some(Reply::Nil));
}

#[test]
fn rreplay_is_refused_to_ordinary_clients_and_checks_its_input() {
    let mut a = Node::new(1);
    let env = envelope::encode(id(2), &wire::encode(&["SET", "k", "v"]), 0, Stamp(5));
    let args = commands(&env).remove(0);
    let r = a.e.execute(a.user, &args, t(1)).reply;
    assert_eq!(
        r,
        Some(Reply::err(crate::engine::commands::active::NOT_FROM_MASTER))
    );
    assert_eq!(a.get(1, "k"), Some(Reply::Nil));
    use crate::engine::commands::active as cmds;
    let uuid = id(2).to_string();
    let set = String::from_utf8(wire::encode(&["SET", "k", "v"])).unwrap();
    for (words, want) in [
        (vec!["RREPLAY", "nope", "x"], cmds::BAD_UUID),
        (vec!["RREPLAY", &uuid, &set, "16"], cmds::BAD_DB),
        (vec!["RREPLAY", &uuid, &set, "-1"], cmds::BAD_DB),
        (vec!["RREPLAY", &uuid, &set, "0", "x"], cmds::BAD_STAMP),
        (vec!["RREPLAY", &uuid, "*1\r\n$3\r\nGE"], cmds::BAD_PAYLOAD),
    ] {
        let r = a.e.execute(a.master, &argv(&words), t(1)).reply;
        assert_eq!(r, Some(Reply::err(want)), "{words:?}");
    }
    let r = a.e.execute(
        a.user,
        &argv(&["KEYDB.MVCCRESTORE", "k", "-1", "-1", "p"]),
        t(1),
    );
    assert_eq!(r.reply, Some(Reply::err(cmds::BAD_MVCC)));
    let r = a.e.execute(
        a.user,
        &argv(&["KEYDB.MVCCRESTORE", "k", "1", "x", "p"]),
        t(1),
    );
    assert_eq!(r.reply, Some(Reply::err(cmds::BAD_EXPIRE)));
    // An envelope's database sticks to the master's client (KeyDB).
    let env = envelope::encode(id(2), &wire::encode(&["SET", "k", "v"]), 5, Stamp(9));
    a.deliver(2, &env);
    let c = a.e.clients.get(a.master).unwrap();
    assert_eq!(c.db, 5);
    let r = a.e.execute(a.user, &argv(&["RREPLAY", "x"]), t(1)).reply;
    assert_eq!(
        r,
        Some(Reply::err(
            "wrong number of arguments for 'rreplay' command"
        ))
    );
}

#[test]
fn mvccrestore_checks_versions_and_lastmodified_reports_the_stamp() {
    let mut a = Node::new(1);
    a.run(1_000, &["SET", "k", "v"]);
    let _ = a.out();
    let Some(Reply::Bulk(dump)) = a.run(1_000, &["DUMP", "k"]) else {
        panic!("no dump");
    };
    let older = Stamp::from_ms(T0 + 500).to_decimal();
    let newer = Stamp::from_ms(T0 + 2_000).to_decimal();
    let mut cmd = argv(&["KEYDB.MVCCRESTORE", "j", &older, "-1"]);
    cmd.push(dump.clone());
    a.e.execute(a.user, &cmd, t(3_000));
    assert_eq!(a.get(3_000, "j"), bulk("v"), "absent key: restored");
    a.run(4_000, &["SET", "k", "changed"]);
    let mut cmd = argv(&["KEYDB.MVCCRESTORE", "k", &older, "-1"]);
    cmd.push(dump.clone());
    a.e.execute(a.user, &cmd, t(4_000));
    assert_eq!(a.get(4_000, "k"), bulk("changed"), "older version refused");
    let mut cmd = argv(&["KEYDB.MVCCRESTORE", "j", &newer, &(T0 + 10_000).to_string()]);
    cmd.push(dump);
    a.e.execute(a.user, &cmd, t(4_000));
    assert_eq!(a.run(4_000, &["PTTL", "j"]), Some(Reply::Integer(6_000)));
    assert_eq!(
        a.run(9_500, &["OBJECT", "LASTMODIFIED", "j"]),
        Some(Reply::Integer(7)),
        "seconds since the stamp's millisecond"
    );
    assert_eq!(
        a.run(9_500, &["OBJECT", "LASTMODIFIED", "nope"]),
        Some(Reply::Nil)
    );
}

/// Load `rdb` (a peer's full sync) into `n` as a merge.
fn merge(n: &mut Node, rdb: &[u8], peer: NodeId, ms: u64) -> u64 {
    use crate::persist::dataset::{DatasetLoader, LoadStep};
    let mut l = DatasetLoader::new_merge(&mut n.e, peer);
    l.feed(rdb);
    l.end_of_input();
    loop {
        match l.step(&mut n.e, t(ms), 7).unwrap() {
            LoadStep::Done => return l.merged,
            LoadStep::More => {}
            LoadStep::NeedInput => panic!("short file"),
        }
    }
}

fn rdb(n: &mut Node, ms: u64) -> Vec<u8> {
    crate::persist::dataset::save_to_vec(&mut n.e, t(ms))
}

/// Two nodes that diverged while apart, then full-synced both ways.
fn diverged() -> (Node, Node) {
    let mut a = Node::new(1);
    let mut b = Node::new(2);
    a.run(1, &["SET", "x", "1"]);
    a.run(1, &["SET", "z", "doomed"]);
    a.run(1, &["RPUSH", "l", "base"]);
    let oa = a.out();
    b.deliver(2, &oa);
    let _ = b.out();
    // Apart: conflicting writes, deletes on one side, new keys, a db 3 key.
    a.run(10, &["SET", "x", "from-a"]);
    b.run(11, &["SET", "x", "from-b"]);
    a.run(12, &["DEL", "z"]);
    b.run(9, &["APPEND", "z", "-old-write"]);
    b.run(13, &["RPUSH", "l", "b"]);
    a.run(14, &["LPUSH", "l", "a"]);
    b.run(15, &["SET", "only-b", "1"]);
    a.run(15, &["SELECT", "3"]);
    a.run(16, &["SET", "only-a", "1", "PX", "1000000"]);
    a.run(16, &["SELECT", "0"]);
    let _ = (a.out(), b.out());
    (a, b)
}

#[test]
fn merge_loads_of_diverged_datasets_converge_both_ways() {
    for a_first in [true, false] {
        let (mut a, mut b) = diverged();
        let (ra, rb) = (rdb(&mut a, 20), rdb(&mut b, 20));
        if a_first {
            merge(&mut a, &rb, id(2), 21);
            merge(&mut b, &ra, id(1), 22);
        } else {
            merge(&mut b, &ra, id(1), 21);
            merge(&mut a, &rb, id(2), 22);
        }
        assert_eq!(a.digest(), b.digest(), "a_first={a_first}");
        assert_eq!(a.get(30, "x"), bulk("from-b"));
        assert_eq!(
            a.get(30, "z"),
            Some(Reply::Nil),
            "the delete is newer than b's write"
        );
        assert_eq!(b.get(30, "z"), Some(Reply::Nil), "the tombstone travelled");
        assert_eq!(
            b.run(30, &["LRANGE", "l", "0", "-1"]),
            Some(Reply::Array(vec![
                Reply::Bulk(Bytes::from_static(b"a")),
                Reply::Bulk(Bytes::from_static(b"base"))
            ])),
            "the later list state, whole"
        );
        assert_eq!(b.get(30, "only-b"), bulk("1"));
        b.run(30, &["SELECT", "3"]);
        assert_eq!(b.get(30, "only-a"), bulk("1"));
        assert!(b.run(30, &["PTTL", "only-a"]) != Some(Reply::Integer(-1)));
        // Versions came along: a stamp equal to the origin's.
        let v = b.e.dbs[0].stamps.as_ref().unwrap().live(b"l").unwrap();
        assert_eq!((v.stamp, v.origin), (Stamp::from_ms(T0 + 14), id(1)));
        // Merging the same file again changes nothing.
        let d = b.digest();
        assert_eq!(merge(&mut b, &ra, id(1), 40), 0);
        assert_eq!(b.digest(), d);
    }
}

#[test]
fn a_merge_relays_the_keys_it_took_at_their_own_versions() {
    let (mut a, mut b) = diverged();
    let rb = rdb(&mut b, 20);
    let _ = a.out();
    merge(&mut a, &rb, id(2), 21);
    let relayed = a.out();
    let envs: Vec<envelope::Rreplay> = commands(&relayed)
        .iter()
        .map(|c| envelope::Rreplay::parse(c).unwrap())
        .collect();
    assert!(!envs.is_empty());
    for env in &envs {
        assert_eq!(env.origin, id(1), "relayed under our own id");
        let c = &env.commands().unwrap()[0];
        assert_eq!(c[0], Bytes::from_static(b"KEYDB.MVCCRESTORE"));
        assert_eq!(
            c[5],
            Bytes::copy_from_slice(&id(2).to_text()),
            "the key's origin"
        );
    }
    let keys: Vec<Bytes> = envs
        .iter()
        .map(|e| e.commands().unwrap()[0][1].clone())
        .collect();
    assert!(
        keys.contains(&Bytes::from_static(b"x")) && keys.contains(&Bytes::from_static(b"only-b"))
    );
    // A replica of a that had a's state gets b's winners at b's versions.
    let mut c = Node::new(3);
    let ra_before = {
        let (mut a2, _) = diverged();
        rdb(&mut a2, 20)
    };
    merge(&mut c, &ra_before, id(1), 21);
    c.deliver(22, &relayed);
    assert_eq!(c.get(23, "x"), bulk("from-b"));
    let v = c.e.dbs[0].stamps.as_ref().unwrap().live(b"x").unwrap();
    assert_eq!((v.stamp, v.origin), (Stamp::from_ms(T0 + 11), id(2)));
}

#[test]
fn an_own_rdb_reload_keeps_versions_and_tombstones() {
    let (mut a, _) = diverged();
    a.run(17, &["FLUSHDB"]);
    a.run(18, &["SET", "after", "flush"]);
    let bytes = rdb(&mut a, 20);
    let mut f = Node::new(1);
    crate::persist::dataset::load_all(&mut f.e, &bytes, t(21)).unwrap();
    assert_eq!(f.digest(), a.digest());
    for d in [0, 3] {
        let (sa, sf) = (
            a.e.dbs[d].stamps.as_ref().unwrap(),
            f.e.dbs[d].stamps.as_ref().unwrap(),
        );
        assert_eq!(sa.flushed(), sf.flushed(), "db {d}");
        let mut la: Vec<_> = sa.live_iter().map(|(k, v)| (k.clone(), *v)).collect();
        let mut lf: Vec<_> = sf.live_iter().map(|(k, v)| (k.clone(), *v)).collect();
        la.sort();
        lf.sort();
        assert_eq!(la, lf, "db {d}");
        let mut ta: Vec<_> = sa.tomb_iter().map(|(k, v)| (k.clone(), *v)).collect();
        let mut tf: Vec<_> = sf.tomb_iter().map(|(k, v)| (k.clone(), *v)).collect();
        ta.sort();
        tf.sort();
        assert_eq!(ta, tf, "db {d}");
    }
    assert!(a.e.dbs[0].stamps.as_ref().unwrap().flushed().is_some());
    // The clock resumes past every stamp it loaded.
    assert!(f.e.active.hlc.last() >= Stamp::from_ms(T0 + 18));
    // A KeyDB-style mvcc-tstamp is what the file carries before each key.
    let needle = b"mvcc-tstamp";
    assert!(bytes.windows(needle.len()).any(|w| w == needle));
}

#[test]
fn a_full_sync_snapshot_taken_while_envelopes_apply_pairs_values_with_their_versions() {
    use crate::persist::dataset::DatasetWriter;
    let mut a = Node::new(1);
    let mut b = Node::new(2);
    for i in 0..50 {
        b.run(1, &["SET", &format!("k{i}"), "old"]);
    }
    let ob = b.out();
    a.deliver(2, &ob);
    // b starts a full sync's snapshot...
    let sizes = DatasetWriter::sizes_of(&b.e);
    let mut w = DatasetWriter::with_repl(&b.e, sizes, t(3), None);
    let snap = b.e.snapshot_begin();
    // ...then applies a's newer writes before the walk reaches the keys.
    for i in 0..50 {
        a.run(5, &["SET", &format!("k{i}"), "new"]);
    }
    a.run(6, &["DEL", "k7"]);
    let oa = a.out();
    b.deliver(7, &oa);
    while let Some(items) = b.e.snapshot_next(snap, 3) {
        w.add(&items);
    }
    b.e.snapshot_end(snap);
    let file = w.finish();
    // A new peer merges the file, then gets b's stream from the
    // snapshot's point on (the forwarded envelopes).
    let mut c = Node::new(3);
    merge(&mut c, &file, id(2), 8);
    let after = b.out();
    c.deliver(9, &after);
    assert_eq!(c.digest(), b.digest());
    assert_eq!(c.get(10, "k3"), bulk("new"));
    assert_eq!(c.get(10, "k7"), Some(Reply::Nil));
}

#[test]
fn keydb_options_read_back_and_active_follows_the_config() {
    let mut e = Engine::new(Config::default(), ServerInfo::default(), 1);
    assert!(!e.is_active_replica());
    assert!(
        e.dbs.iter().all(|d| d.stamps.is_none()),
        "nothing allocated when off"
    );
    let c = e.connect(ConnInfo::default(), t(0)).unwrap();
    let got = e
        .execute(
            c,
            &argv(&[
                "CONFIG",
                "GET",
                "active-replica",
                "multi-master",
                "multi-master-no-forward",
                "replica-quorum",
                "allow-write-during-load",
            ]),
            t(0),
        )
        .reply;
    let Some(Reply::Map(items)) = got else {
        panic!("{got:?}");
    };
    let text = |r: &Reply| match r {
        Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
        other => format!("{other:?}"),
    };
    let mut pairs: Vec<(String, String)> = items.iter().map(|(k, v)| (text(k), text(v))).collect();
    pairs.sort();
    assert_eq!(
        pairs,
        vec![
            ("active-replica".into(), "no".into()),
            ("allow-write-during-load".into(), "no".into()),
            ("multi-master".into(), "no".into()),
            ("multi-master-no-forward".into(), "no".into()),
            ("replica-quorum".into(), "-1".into()),
        ]
    );
    // Off: writes propagate as before (no envelope).
    e.prop.set_enabled(true);
    e.execute(c, &argv(&["SET", "k", "v"]), t(1));
    let out = e.take_propagated();
    assert!(
        out.starts_with(b"*2\r\n$6\r\nSELECT"),
        "{}",
        String::from_utf8_lossy(&out)
    );
    // The option turns it on when the engine starts.
    let mut cfg = Config::default();
    cfg.set_option("active-replica", &["yes".into()]).unwrap();
    let e = Engine::new(cfg, ServerInfo::default(), 1);
    assert!(e.is_active_replica());
    assert!(e.dbs.iter().all(|d| d.stamps.is_some()));
}

/// `n`'s heartbeat envelope now (what its cron feeds its replicas).
fn heartbeat_of(n: &mut Node, ms: u64) -> Vec<u8> {
    let stamp = n.e.active.hlc.tick(t(ms));
    n.e.active_heartbeat_envelope(stamp)
}

/// Nodes 1 and 2, each at its first start with writer 11 or 12.
fn pair_with_writers() -> (Node, Node) {
    let mut a = Node::new(1);
    let mut b = Node::new(2);
    a.e.set_writer(id(11), 1);
    b.e.set_writer(id(12), 1);
    (a, b)
}

#[test]
fn tombstones_are_collected_once_every_node_reported_past_them() {
    let (mut a, mut b) = pair_with_writers();
    let tombs = |n: &Node| n.e.dbs[0].stamps.as_ref().unwrap().tombstones_len();
    a.run(1, &["SET", "k", "v"]);
    a.run(2, &["DEL", "k"]);
    let oa = a.out();
    a.e.tick(t(10_000));
    assert_eq!(tombs(&a), 1, "no other node known: kept");
    b.deliver(3, &oa);
    assert_eq!(tombs(&b), 1);
    // b hears of a's writer only from a's heartbeat; until then b's
    // report says nothing of a's writes.
    let hb = heartbeat_of(&mut b, 4);
    a.deliver(4, &hb);
    a.e.tick(t(20_000));
    assert_eq!(tombs(&a), 1, "b's report lacks a's writer");
    let hb = heartbeat_of(&mut a, 5);
    b.deliver(5, &hb);
    let hb = heartbeat_of(&mut b, 6);
    a.deliver(6, &hb);
    // Both have reported past the delete, but the grace (5 s by default)
    // is counted from the floor, which is at the heartbeats (T0+6 ms).
    a.e.tick(t(30_000));
    assert_eq!(tombs(&a), 1, "within the grace");
    a.e.config
        .set_option("active-tombstone-grace", &["0".into()])
        .unwrap();
    a.e.active.last_collect_ms = None;
    a.e.tick(t(30_001));
    assert_eq!(tombs(&a), 0, "collected");
    assert!(a.e.dbs[0].stamps.as_ref().unwrap().horizon() >= Stamp::from_ms(T0 + 2));
    // A late copy of the SET (a rewound link replaying it) cannot bring
    // the key back: the horizon refuses it.
    a.deliver(30_002, &oa);
    assert_eq!(a.get(30_002, "k"), Some(Reply::Nil));
    // b, still holding its tombstone, agrees.
    assert_eq!(a.digest(), b.digest());
}

#[test]
fn a_node_restarted_from_an_old_file_drops_what_its_peer_collected() {
    // b saved a file while it held k; a later deleted k, both collected
    // the tombstone; b restarts from its old file and full-syncs from a:
    // a's file no longer names k, but its horizon covers k's version.
    let (mut a, mut b) = pair_with_writers();
    a.run(1, &["SET", "k", "v"]);
    a.run(1, &["SET", "keep", "v"]);
    let sets = a.out();
    b.deliver(2, &sets);
    let old_b = crate::persist::dataset::save_to_vec(&mut b.e, t(3));
    a.run(4, &["DEL", "k"]);
    let oa = a.out();
    b.deliver(5, &oa);
    for n in [&mut a, &mut b] {
        n.e.config
            .set_option("active-tombstone-grace", &["0".into()])
            .unwrap();
    }
    for ms in [6, 7, 8] {
        let hb = heartbeat_of(&mut a, ms);
        b.deliver(ms, &hb);
        let hb = heartbeat_of(&mut b, ms);
        a.deliver(ms, &hb);
    }
    a.e.tick(t(9));
    assert_eq!(a.e.dbs[0].stamps.as_ref().unwrap().tombstones_len(), 0);
    // b restarts (a new writer) from its old file: k is back there.
    let mut b2 = Node::new(2);
    b2.e.set_writer(id(13), 2);
    crate::persist::dataset::load_all(&mut b2.e, &old_b, t(10)).unwrap();
    assert_eq!(b2.get(10, "k"), Some(Reply::Bulk(Bytes::from_static(b"v"))));
    // Full sync from a: a merge that drops k.
    let file = crate::persist::dataset::save_to_vec(&mut a.e, t(11));
    let mut l = crate::persist::dataset::DatasetLoader::new_merge(&mut b2.e, id(1));
    l.feed(&file);
    l.end_of_input();
    while l.step(&mut b2.e, t(11), usize::MAX).unwrap() != crate::persist::dataset::LoadStep::Done {
    }
    assert_eq!(
        b2.get(12, "k"),
        Some(Reply::Nil),
        "deleted and collected: gone"
    );
    assert_eq!(
        b2.get(12, "keep"),
        Some(Reply::Bulk(Bytes::from_static(b"v")))
    );
    assert_eq!(a.digest(), b2.digest());
    // And b2 now refuses a late copy of k's old state too.
    b2.deliver(13, &sets);
    assert_eq!(b2.get(13, "k"), Some(Reply::Nil));
}

#[test]
fn move_copy_and_swapdb_reach_the_peer() {
    let mut a = Node::new(1);
    let mut b = Node::new(2);
    a.run(1, &["SET", "k", "v"]);
    a.run(2, &["MOVE", "k", "1"]);
    a.run(3, &["SET", "src", "s"]);
    a.run(4, &["COPY", "src", "dst", "DB", "2"]);
    let oa = a.out();
    // MOVE: a DEL in db 0 and the key's state in db 1, two envelopes.
    let dbs: Vec<Option<u32>> = commands(&oa)
        .iter()
        .map(|c| envelope::Rreplay::parse(c).unwrap().db)
        .collect();
    assert_eq!(dbs, vec![Some(0), Some(0), Some(1), Some(0), Some(2)]);
    b.deliver(5, &oa);
    assert_eq!(a.digest(), b.digest());
    b.run(6, &["SELECT", "1"]);
    assert_eq!(b.get(6, "k"), bulk("v"));
    b.run(6, &["SELECT", "2"]);
    assert_eq!(b.get(6, "dst"), bulk("s"));
    // SWAPDB travels as written and is replayed.
    a.run(7, &["SWAPDB", "0", "2"]);
    let oa = a.out();
    b.deliver(8, &oa);
    assert_eq!(a.digest(), b.digest());
}

#[test]
fn a_merge_relays_deletes_and_flushes_so_a_chain_converges() {
    // b's own replica d holds b's data; b merges a's file (which deleted
    // z and flushed db 4), and d must follow through b's relays alone.
    let (mut a, mut b) = diverged();
    b.run(12, &["SELECT", "4"]);
    b.run(12, &["SET", "old4", "x"]);
    b.run(12, &["SELECT", "0"]);
    let _ = b.out();
    a.run(17, &["SELECT", "4"]);
    a.run(17, &["FLUSHDB"]);
    a.run(17, &["SELECT", "0"]);
    let _ = a.out();
    let mut d = Node::new(4);
    let rb = rdb(&mut b, 18);
    merge(&mut d, &rb, id(2), 19);
    assert_eq!(d.digest(), b.digest());
    let ra = rdb(&mut a, 20);
    let _ = b.out();
    merge(&mut b, &ra, id(1), 21);
    let relayed = b.out();
    let names: Vec<Bytes> = commands(&relayed)
        .iter()
        .map(|c| envelope::Rreplay::parse(c).unwrap().commands().unwrap()[0][0].clone())
        .collect();
    assert!(
        names.contains(&Bytes::from_static(b"KEYRS.MVCCDEL")),
        "{names:?}"
    );
    assert!(
        names.contains(&Bytes::from_static(b"KEYRS.MVCCFLUSHDB")),
        "{names:?}"
    );
    d.deliver(22, &relayed);
    assert_eq!(b.get(23, "z"), Some(Reply::Nil));
    assert_eq!(d.get(23, "z"), Some(Reply::Nil));
    assert_eq!(d.digest(), b.digest());
    // The tombstone keeps a's version on d too.
    let tomb = d.e.dbs[0].stamps.as_ref().unwrap().tombstone(b"z").unwrap();
    assert_eq!((tomb.stamp, tomb.origin), (Stamp::from_ms(T0 + 12), id(1)));
}

#[test]
fn unstamped_keys_on_both_sides_resolve_to_the_higher_node_id() {
    let mut a = Node::new(1);
    let mut b = Node::new(2);
    for (n, v) in [(&mut a, "from-a"), (&mut b, "from-b")] {
        // Data from before active replication was turned on.
        n.e.set_active(false);
        n.run(1, &["SET", "u", v]);
        n.run(1, &["SET", &format!("only-{v}"), "1"]);
        n.e.set_active(true);
        let _ = n.out();
    }
    let (ra, rb) = (rdb(&mut a, 2), rdb(&mut b, 2));
    merge(&mut a, &rb, id(2), 3);
    merge(&mut b, &ra, id(1), 3);
    assert_eq!(a.digest(), b.digest());
    assert_eq!(a.get(4, "u"), bulk("from-b"));
    assert_eq!(b.get(4, "only-from-a"), bulk("1"));
}

#[test]
fn keydb_nested_envelopes_apply_at_the_origins_version_and_loops_stop() {
    let mut b = Node::new(2);
    let inner = envelope::encode(id(1), &wire::encode(&["SET", "k", "v"]), 0, Stamp(1 << 40));
    let nested = envelope::encode(id(3), &inner, 0, Stamp(5 << 40));
    b.deliver(1, &nested);
    assert_eq!(b.get(2, "k"), bulk("v"));
    let v = b.e.dbs[0].stamps.as_ref().unwrap().live(b"k").unwrap();
    assert_eq!((v.stamp, v.origin), (Stamp(1 << 40), id(1)));
    assert_eq!(b.out(), nested, "forwarded as received");
    assert_eq!(b.e.active.marks.received(id(1)), Stamp(1 << 40));
    // An envelope that already went through b (b wrapped it) is not
    // forwarded again; it is still resolved by version (a b restarted
    // without its data gets its in-flight writes back only this way), so
    // its newer write applies and an older one would not.
    let inner = envelope::encode(id(1), &wire::encode(&["SET", "k", "w"]), 0, Stamp(2 << 40));
    let via_b = envelope::encode(id(2), &inner, 0, Stamp(6 << 40));
    let looped = envelope::encode(id(3), &via_b, 0, Stamp(7 << 40));
    b.deliver(3, &looped);
    assert_eq!(b.get(4, "k"), bulk("w"));
    assert!(b.out().is_empty(), "a looped envelope is not forwarded");
    let inner = envelope::encode(
        id(1),
        &wire::encode(&["SET", "k", "old"]),
        0,
        Stamp(1 << 39),
    );
    let via_b = envelope::encode(id(2), &inner, 0, Stamp(8 << 40));
    b.deliver(3, &envelope::encode(id(3), &via_b, 0, Stamp(9 << 40)));
    assert_eq!(b.get(5, "k"), bulk("w"));
    assert!(b.out().is_empty());
}

#[test]
fn an_aof_of_envelopes_replays_into_the_same_keyspace_and_versions() {
    let mut a = Node::new(1);
    let mut b = Node::new(2);
    b.run(1, &["SET", "k", "from-b"]);
    let ob = b.out();
    a.run(2, &["RPUSH", "l", "x"]);
    a.deliver(3, &ob);
    a.run(4, &["DEL", "gone"]);
    a.run(5, &["INCR", "n"]);
    // What a's AOF got: its own envelopes and the forwarded one.
    let aof = a.out();
    let mut f = Node::new(1);
    let replayer = f.e.connect(ConnInfo::default(), t(10)).unwrap();
    f.e.loading_start(0, t(10));
    f.e.loading_replayer(replayer);
    let mut rest: &[u8] = &aof;
    while let Ok(Some((args, used))) = wire::command(rest) {
        rest = &rest[used..];
        let r = f.e.execute(replayer, &args, t(10)).reply;
        assert_eq!(r, Some(Reply::ok()), "{args:?}");
    }
    f.e.loading_end();
    assert_eq!(f.digest(), a.digest());
    let (sa, sf) = (
        a.e.dbs[0].stamps.as_ref().unwrap(),
        f.e.dbs[0].stamps.as_ref().unwrap(),
    );
    for k in [&b"k"[..], b"l", b"n"] {
        assert_eq!(sa.live(k), sf.live(k));
    }
    assert_eq!(sa.tombstone(b"gone"), sf.tombstone(b"gone"));
    assert!(f.out().is_empty(), "a replay forwards nothing");
}
