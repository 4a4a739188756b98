//! A deterministic simulation of replication in the pure core: one master
//! engine, replicas driving [`ReplicaLink`]s, the master's side of each
//! connection played by the real PSYNC/REPLCONF commands plus a sender
//! that ships snapshots and backlog bytes in random chunks. Links are cut
//! at random; replicas must converge to the master's keyspace, continuing
//! with partial resyncs whenever the backlog covers the gap.

use bytes::Bytes;

use super::apply::Applier;
use super::link::{LinkConfig, ReplicaLink};
use super::state::PsyncDecision;
use super::wire;
use crate::config::Config;
use crate::engine::commands::debug::dataset_digest;
use crate::engine::{ClientId, ConnInfo, Engine, ServerInfo, Time};
use crate::persist::dataset::save_to_vec;
use crate::resp::{encoder, Protocol};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The master's side of one replica connection.
struct Conn {
    /// The replica's client on the master.
    client: ClientId,
    /// Bytes from the replica not yet parsed.
    from_replica: Vec<u8>,
    /// Bytes to the replica not yet delivered.
    to_replica: Vec<u8>,
    /// The next backlog offset to send, once streaming.
    next: Option<u64>,
}

struct Replica {
    e: Engine,
    link: Option<(ReplicaLink, Conn)>,
    applier: Option<Applier>,
}

fn now(step: u64) -> Time {
    Time::from_ms(1_700_000_000_000 + step)
}

fn argv(words: &[&str]) -> Vec<Bytes> {
    words
        .iter()
        .map(|w| Bytes::copy_from_slice(w.as_bytes()))
        .collect()
}

fn master_write(m: &mut Engine, c: ClientId, rng: &mut Rng, t: Time) {
    let k = format!("k{}", rng.below(40));
    let v = rng.below(1000).to_string();
    let cmd = match rng.below(8) {
        0 => argv(&["SET", &k, &v]),
        1 => argv(&["INCR", &format!("n{}", rng.below(5))]),
        2 => argv(&["RPUSH", &format!("l{}", rng.below(5)), &v]),
        3 => argv(&["DEL", &k]),
        4 => argv(&["SELECT", &rng.below(3).to_string()]),
        5 => argv(&["HSET", &format!("h{}", rng.below(5)), &k, &v]),
        6 => argv(&["SADD", &format!("s{}", rng.below(5)), &v]),
        _ => argv(&["EXPIRE", &k, "1000"]),
    };
    m.execute(c, &cmd, t);
}

/// The master answers what the replica sent (handshake commands run as
/// real commands; PSYNC hands the connection to this sender).
fn master_serve(m: &mut Engine, conn: &mut Conn, t: Time) {
    while let Ok(Some((args, used))) = wire::command(&conn.from_replica) {
        conn.from_replica.drain(..used);
        if args.is_empty() {
            continue;
        }
        if let Some(off) = super::parse_ack(&args) {
            m.repl_ack(conn.client, off, t);
            continue;
        }
        let out = m.execute(conn.client, &args, t);
        if let Some(r) = out.reply {
            conn.to_replica
                .extend_from_slice(&encoder::encode_to_vec(&r, Protocol::Resp2));
        }
        for h in std::mem::take(&mut m.repl.handoffs) {
            match h.decision {
                PsyncDecision::Continue { from } => {
                    let line = format!("+CONTINUE {}\r\n", m.repl.replid);
                    conn.to_replica.extend_from_slice(line.as_bytes());
                    conn.next = Some(from);
                }
                PsyncDecision::Full => {
                    let _ = m.take_propagated();
                    let offset = m.repl.offset;
                    m.prop.reset_db();
                    let rdb = save_to_vec(m, t);
                    let head = format!(
                        "+FULLRESYNC {} {offset}\r\n${}\r\n",
                        m.repl.replid,
                        rdb.len()
                    );
                    conn.to_replica.extend_from_slice(head.as_bytes());
                    conn.to_replica.extend_from_slice(&rdb);
                    conn.next = Some(offset + 1);
                }
            }
        }
    }
}

/// The replica applies what its link produced.
fn replica_apply(r: &mut Replica, t: Time) -> Result<(), String> {
    loop {
        let Some((link, _)) = r.link.as_mut() else {
            return Ok(());
        };
        let Some(ev) = link.poll(t.ms()) else {
            return Ok(());
        };
        let applier = r.applier.as_mut().ok_or("no applier")?;
        if let Some(out) = applier.apply(&mut r.e, ev, t)? {
            if let Some(crate::resp::Reply::Error(e)) = out.reply {
                return Err(format!("master command failed: {e}"));
            }
        }
    }
}

fn connect(m: &mut Engine, r: &mut Replica, t: Time) {
    let client = m.connect(ConnInfo::default(), t).unwrap();
    let link = ReplicaLink::new(
        LinkConfig {
            listening_port: 1,
            ..LinkConfig::default()
        },
        r.e.repl.replid.clone(),
        r.e.repl.offset,
        t.ms(),
    );
    r.applier = Some(Applier::new(
        super::actives::LinkTarget::Single(r.e.repl.generation),
        ConnInfo::default(),
    ));
    r.link = Some((
        link,
        Conn {
            client,
            from_replica: Vec::new(),
            to_replica: Vec::new(),
            next: None,
        },
    ));
}

fn cut(m: &mut Engine, r: &mut Replica, t: Time) {
    if let Some((_, conn)) = r.link.take() {
        m.repl_detach(conn.client);
        m.disconnect(conn.client);
    }
    if let Some(mut a) = r.applier.take() {
        a.abandon(&mut r.e);
    }
    let g = r.e.repl.generation;
    r.e.repl_link_status(g, super::LinkStatus::Connect, t);
}

fn run(seed: u64, replicas: usize, backlog: &str, steps: u64) -> (u64, u64) {
    let mut rng = Rng(seed | 1);
    let mut m = Engine::new(Config::default(), ServerInfo::default(), seed);
    let set = m
        .config
        .config_set(&[(&b"repl-backlog-size"[..], backlog.as_bytes())], true);
    assert!(set.is_ok());
    let writer = m.connect(ConnInfo::default(), now(0)).unwrap();
    let mut rs: Vec<Replica> = (0..replicas)
        .map(|i| {
            let mut e = Engine::new(
                Config::default(),
                ServerInfo::default(),
                seed + 1 + i as u64,
            );
            e.repl_set_master("master".into(), 1);
            Replica {
                e,
                link: None,
                applier: None,
            }
        })
        .collect();
    for step in 0..steps {
        let t = now(step);
        let writing = step < steps - 200;
        if writing {
            for _ in 0..rng.below(4) {
                master_write(&mut m, writer, &mut rng, t);
            }
        }
        let _ = m.take_propagated();
        for r in &mut rs {
            if r.link.is_none() {
                connect(&mut m, r, t);
            }
            if writing && rng.below(100) == 0 {
                cut(&mut m, r, t);
                continue;
            }
            let (link, conn) = r.link.as_mut().unwrap();
            conn.from_replica.extend_from_slice(&link.take_output());
            master_serve(&mut m, conn, t);
            if let Some(next) = conn.next {
                let b = m.repl.backlog.as_ref().unwrap();
                match b.read_from(next, 1 + rng.below(300) as usize) {
                    Some(bytes) => {
                        conn.next = Some(next + bytes.len() as u64);
                        conn.to_replica.extend_from_slice(&bytes);
                    }
                    // Fell out of the backlog: the master drops it.
                    None => {
                        cut(&mut m, r, t);
                        continue;
                    }
                }
            }
            let n = (1 + rng.below(400) as usize).min(conn.to_replica.len());
            let chunk: Vec<u8> = conn.to_replica.drain(..n).collect();
            link.feed(&chunk, t.ms());
            link.tick(t.ms());
            if let Err(why) = replica_apply(r, t) {
                panic!("seed {seed} step {step}: {why}");
            }
        }
    }
    let want = dataset_digest(&m);
    for (i, r) in rs.iter().enumerate() {
        assert!(r.e.repl.link_up(), "seed {seed}: replica {i} not up");
        assert_eq!(
            r.e.repl.offset, m.repl.offset,
            "seed {seed}: replica {i} offset"
        );
        assert_eq!(
            dataset_digest(&r.e),
            want,
            "seed {seed}: replica {i} keyspace"
        );
    }
    (m.repl.sync_full, m.repl.sync_partial_ok)
}

#[test]
fn replicas_converge_through_cuts_with_partial_resyncs() {
    for seed in 1..6u64 {
        let (full, partial) = run(seed * 7919, 3, "1mb", 1500);
        assert!(partial > 0, "seed {seed}: no partial resync");
        // One full sync per replica at first (again only when a cut came
        // before the first sync finished): a big backlog covers the rest.
        assert!((3..=6).contains(&full), "seed {seed}: {full} full syncs");
    }
}

#[test]
fn a_small_backlog_forces_full_resyncs_and_still_converges() {
    let (full, _) = run(42, 2, "64", 1500);
    assert!(full > 2, "full syncs: {full}");
}

#[test]
fn replicaof_is_what_config_rewrite_writes() {
    let mut e = Engine::new(Config::default(), ServerInfo::default(), 3);
    let c = e.connect(ConnInfo::default(), now(0)).unwrap();
    let reply = |e: &mut Engine, words: &[&str]| e.execute(c, &argv(words), now(1)).reply;
    assert_eq!(
        reply(&mut e, &["REPLICAOF", "127.0.0.1", "6390"]),
        Some(crate::resp::Reply::ok())
    );
    let text = crate::config::rewrite::rewrite(&e.config, "");
    assert!(text.contains("replicaof 127.0.0.1 6390"), "{text}");
    assert_eq!(
        reply(&mut e, &["SLAVEOF", "127.0.0.1", "6390"]),
        Some(crate::resp::Reply::status(
            "OK Already connected to specified master"
        ))
    );
    reply(&mut e, &["REPLICAOF", "NO", "ONE"]);
    let text = crate::config::rewrite::rewrite(&e.config, "");
    assert!(!text.contains("replicaof"), "{text}");
    assert!(!e.repl.is_replica());
}

/// Run `words` as `client` at `t` and return the reply.
fn call(e: &mut Engine, client: ClientId, t: Time, words: &[&str]) -> crate::resp::Reply {
    e.execute(client, &argv(words), t).reply.expect("a reply")
}

#[test]
fn a_replica_leaves_expiry_to_its_master() {
    use crate::resp::Reply;
    let mut r = Engine::new(Config::default(), ServerInfo::default(), 5);
    r.repl_set_master("10.0.0.1".into(), 6379);
    let g = r.repl.generation;
    let master = r
        .repl_link_up(g, ConnInfo::default(), now(0))
        .expect("the master's client");
    let user = r.connect(ConnInfo::default(), now(0)).unwrap();
    let at = (now(100).ms()).to_string();
    call(&mut r, master, now(0), &["SET", "k", "v", "PXAT", &at]);
    // Past its time the key is missing to our clients, but it stays.
    assert_eq!(call(&mut r, user, now(200), &["GET", "k"]), Reply::Nil);
    assert_eq!(
        call(&mut r, user, now(200), &["EXISTS", "k"]),
        Reply::Integer(0)
    );
    for step in 200..260 {
        r.tick(now(step));
    }
    assert_eq!(call(&mut r, user, now(300), &["DBSIZE"]), Reply::Integer(1));
    // The master still had it (its last millisecond): its writes find it.
    assert_eq!(
        call(&mut r, master, now(300), &["APPEND", "k", "x"]),
        Reply::Integer(2)
    );
    assert_eq!(
        call(&mut r, master, now(300), &["PERSIST", "k"]),
        Reply::Integer(1)
    );
    assert_eq!(
        call(&mut r, user, now(300), &["GET", "k"]),
        Reply::Bulk(Bytes::from_static(b"vx"))
    );
    // A key only the master's DEL removes.
    call(&mut r, master, now(300), &["SET", "j", "v", "PXAT", &at]);
    assert_eq!(call(&mut r, user, now(300), &["DBSIZE"]), Reply::Integer(2));
    call(&mut r, master, now(300), &["DEL", "j"]);
    assert_eq!(call(&mut r, user, now(300), &["DBSIZE"]), Reply::Integer(1));
    // Promoted, it expires keys itself again.
    call(&mut r, master, now(300), &["SET", "j", "v", "PXAT", &at]);
    call(&mut r, user, now(300), &["REPLICAOF", "NO", "ONE"]);
    assert_eq!(call(&mut r, user, now(300), &["GET", "j"]), Reply::Nil);
    assert_eq!(call(&mut r, user, now(300), &["DBSIZE"]), Reply::Integer(1));
}

#[test]
fn an_aof_replay_expires_nothing_until_it_ends() {
    use crate::resp::Reply;
    let mut e = Engine::new(Config::default(), ServerInfo::default(), 6);
    let replayer = e.connect(ConnInfo::default(), now(0)).unwrap();
    e.loading_start(0, now(0));
    e.loading_replayer(replayer);
    let at = now(100).ms().to_string();
    // As Redis loads it: the APPEND found the key when it was written.
    call(&mut e, replayer, now(500), &["SET", "k", "v", "PXAT", &at]);
    assert_eq!(
        call(&mut e, replayer, now(500), &["APPEND", "k", "x"]),
        Reply::Integer(2)
    );
    e.loading_end();
    let user = e.connect(ConnInfo::default(), now(500)).unwrap();
    assert_eq!(call(&mut e, user, now(500), &["GET", "k"]), Reply::Nil);
    assert_eq!(call(&mut e, user, now(500), &["DBSIZE"]), Reply::Integer(0));
}
