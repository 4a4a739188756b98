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
    let bad = argv(&["RREPLAY", "nope", "x"]);
    let r = a.e.execute(a.master, &bad, t(1)).reply;
    assert!(matches!(r, Some(Reply::Error(_))));
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
