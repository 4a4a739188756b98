//! The stream against what redis-server 7.0.15 wrote to its incr AOF file
//! for the same commands (`appendonly yes`, `appendfsync always`; recorded
//! by hand from `cat` of the file, absolute times recomputed from this
//! harness's clock).

use bytes::Bytes;

use crate::engine::commands::replay::Harness;
use crate::engine::{ConnInfo, Time};

/// Split a stream into one line per command, arguments joined by spaces.
fn lines(stream: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(stream).into_owned();
    let mut parts = text.split("\r\n");
    let mut out = Vec::new();
    while let Some(head) = parts.next() {
        if head.is_empty() {
            continue;
        }
        let n: usize = head
            .strip_prefix('*')
            .expect("multibulk")
            .parse()
            .expect("count");
        let mut words = Vec::new();
        for _ in 0..n {
            let _len = parts.next().expect("length");
            words.push(parts.next().expect("arg").to_string());
        }
        out.push(words.join(" "));
    }
    out
}

fn harness() -> Harness {
    let mut h = Harness::new();
    h.engine.prop.set_enabled(true);
    h
}

fn cmd(h: &mut Harness, line: &str) {
    let argv: Vec<Bytes> = line
        .split_whitespace()
        .map(|w| Bytes::copy_from_slice(w.as_bytes()))
        .collect();
    h.engine.execute(h.client, &argv, h.now);
}

/// Run `script` (one command per line) and return the stream as lines.
fn stream(h: &mut Harness, script: &str) -> Vec<String> {
    for line in script.lines().map(str::trim).filter(|l| !l.is_empty()) {
        cmd(h, line);
    }
    lines(&h.engine.take_propagated())
}

fn at(h: &Harness, plus_ms: u64) -> String {
    (h.now.ms() + plus_ms).to_string()
}

#[test]
fn off_by_default_and_costs_nothing() {
    let mut h = Harness::new();
    cmd(&mut h, "set a 1");
    assert!(h.engine.take_propagated().is_empty());
}

#[test]
fn writes_verbatim_reads_and_no_ops_nothing() {
    let mut h = harness();
    let got = stream(
        &mut h,
        "set a 1
         get a
         del nokey
         persist a
         setrange n 0 x
         sadd s a b
         srandmember s 2
         set k v xx exat 1795289706
         select 3
         set c 1
         select 0
         flushdb",
    );
    assert_eq!(
        got,
        [
            "SELECT 0",
            "set a 1",
            "setrange n 0 x",
            "sadd s a b",
            "SELECT 3",
            "set c 1",
            "SELECT 0",
            "flushdb"
        ]
    );
}

#[test]
fn relative_expiries_become_absolute() {
    let mut h = harness();
    let got = stream(
        &mut h,
        "set a 2 ex 100
         setex b 100 x
         psetex b2 100 x
         expire a 50
         set k 1
         expire k 100 nx
         pexpireat k 1895289732114 gt
         getex a px 1000
         set p 1 ex 10
         getex p persist
         getex p persist
         expire a -1
         set g 1
         getex g exat 1
         set x 1 get
         set y 1 pxat 1895289732114 nx get",
    );
    assert_eq!(
        got,
        [
            "SELECT 0".to_string(),
            format!("SET a 2 PXAT {}", at(&h, 100_000)),
            format!("SET b x PXAT {}", at(&h, 100_000)),
            format!("SET b2 x PXAT {}", at(&h, 100)),
            format!("PEXPIREAT a {}", at(&h, 50_000)),
            "set k 1".into(),
            format!("PEXPIREAT k {} nx", at(&h, 100_000)),
            "pexpireat k 1895289732114 gt".into(),
            format!("PEXPIREAT a {}", at(&h, 1000)),
            format!("SET p 1 PXAT {}", at(&h, 10_000)),
            "PERSIST p".into(),
            "DEL a".into(),
            "set g 1".into(),
            "DEL g".into(),
            "set x 1".into(),
            "SET y 1 PXAT 1895289732114".into(),
        ]
    );
}

#[test]
fn non_deterministic_commands_are_rewritten() {
    let mut h = harness();
    let got = stream(
        &mut h,
        "incrbyfloat f 1.5
         hincrbyfloat h f 2.5
         set a 1
         getset a 2
         getdel a
         sadd s a b c
         spop s
         spop s 5
         rpush l a b c d
         blpop l 0
         blmove l l2 left right 0
         brpoplpush l l3 0
         rpush q 1 2 3
         lmpop 1 q right count 2
         blmpop 0 1 q left count 5
         zadd z 1 a 2 b 3 c
         bzpopmin z 0
         bzmpop 0 1 z max count 1
         zmpop 1 z min count 10",
    );
    assert_eq!(got.len(), 20, "{got:?}");
    assert_eq!(
        got[..7],
        [
            "SELECT 0",
            "SET f 1.5 KEEPTTL",
            "HSET h f 2.5",
            "set a 1",
            "SET a 2",
            "DEL a",
            "sadd s a b c"
        ]
    );
    assert!(got[7].starts_with("SREM s "), "{}", got[7]);
    assert_eq!(
        got[8..],
        [
            "DEL s",
            "rpush l a b c d",
            "LPOP l",
            "LMOVE l l2 left right",
            "RPOPLPUSH l l3",
            "rpush q 1 2 3",
            "RPOP q 2",
            "LPOP q 1",
            "zadd z 1 a 2 b 3 c",
            "ZPOPMIN z",
            "ZPOPMAX z 1",
            "ZPOPMIN z 1",
        ]
    );
}

#[test]
fn spop_with_count_is_srem_per_member_in_a_transaction() {
    let mut h = harness();
    cmd(&mut h, "sadd s a b c d e f");
    h.engine.take_propagated();
    let got = stream(&mut h, "spop s 2");
    assert_eq!(got.len(), 4, "{got:?}");
    assert_eq!(got[0], "MULTI");
    assert!(got[1].starts_with("SREM s ") && got[2].starts_with("SREM s "));
    assert_eq!(got[3], "EXEC");
}

#[test]
fn transactions_wrap_only_several_writes() {
    let mut h = harness();
    let got = stream(
        &mut h,
        "multi
         set x 1
         incr y
         exec
         multi
         set x 1
         exec
         multi
         get x
         exec
         multi
         set x 1
         select 2
         set y 1
         exec
         select 0
         set z 1",
    );
    assert_eq!(
        got,
        [
            "MULTI", "SELECT 0", "set x 1", "incr y", "EXEC", "set x 1", "MULTI", "set x 1",
            "SELECT 2", "set y 1", "EXEC", "SELECT 0", "set z 1"
        ]
    );
}

#[test]
fn expired_keys_are_deleted_before_the_command_that_met_them() {
    let mut h = harness();
    let got = stream(&mut h, "set e 1 px 1\nset e2 1 px 1");
    assert_eq!(got.len(), 3);
    h.now = Time::from_ms(h.now.ms() + 10);
    let got = stream(&mut h, "get e\nset e2 3");
    assert_eq!(got, ["DEL e", "DEL e2", "set e2 3"]);
    // The active cycle propagates too.
    cmd(&mut h, "set a 1 px 5");
    h.engine.take_propagated();
    h.now = Time::from_ms(h.now.ms() + 1000);
    h.engine.tick(h.now);
    assert_eq!(lines(&h.engine.take_propagated()), ["DEL a"]);
}

#[test]
fn lazyfree_lazy_expire_makes_unlink() {
    let mut h = harness();
    cmd(&mut h, "config set lazyfree-lazy-expire yes");
    let got = stream(&mut h, "set a 1\nexpire a -5");
    assert_eq!(got, ["SELECT 0", "set a 1", "UNLINK a"]);
}

#[test]
fn served_blocked_pop_follows_the_push() {
    let mut h = harness();
    let other = h
        .engine
        .connect(ConnInfo::default(), h.now)
        .expect("connect");
    let argv: Vec<Bytes> = [&b"blpop"[..], b"w", b"0"].map(Bytes::from_static).to_vec();
    let out = h.engine.execute(other, &argv, h.now);
    assert!(out.blocked);
    let got = stream(&mut h, "rpush w a b");
    assert_eq!(got, ["SELECT 0", "rpush w a b", "LPOP w"]);
}

#[test]
fn keyspace_wide_commands_and_restore() {
    let mut h = harness();
    cmd(&mut h, "set r 1");
    let dump = h.engine.execute(
        h.client,
        &[&b"dump"[..], b"r"].map(Bytes::from_static),
        h.now,
    );
    let Some(crate::resp::Reply::Bulk(payload)) = dump.reply else {
        panic!("dump")
    };
    h.engine.take_propagated();
    let restore = |ttl: &'static str| {
        vec![
            Bytes::from_static(b"restore"),
            Bytes::from_static(b"r2"),
            Bytes::from_static(ttl.as_bytes()),
            payload.clone(),
            Bytes::from_static(b"replace"),
        ]
    };
    h.engine.execute(h.client, &restore("5000"), h.now);
    h.engine.execute(h.client, &restore("0"), h.now);
    let got = h.engine.take_propagated();
    let want_ttl = at(&h, 5000);
    let text = String::from_utf8_lossy(&got).into_owned();
    assert!(
        text.contains(&format!("${}\r\n{want_ttl}\r\n", want_ttl.len())) && text.contains("ABSTTL"),
        "{text:?}"
    );
    let got = stream(
        &mut h,
        "swapdb 0 1\nswapdb 0 1\nmove r 5\ncopy r2 r9\nflushall",
    );
    assert_eq!(
        got,
        [
            "swapdb 0 1",
            "swapdb 0 1",
            "move r 5",
            "copy r2 r9",
            "flushall"
        ]
    );
}
