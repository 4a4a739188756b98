//! Keyspace command tests. Every expected reply was first observed on a
//! real redis-server 7.0.15 with the same commands.

use bytes::Bytes;

use crate::config::Config;
use crate::engine::{ClientId, ConnInfo, Engine, ServerInfo, Time};
use crate::resp::Reply;

/// A fixed "now": 2023-11-14T22:13:20Z.
const NOW_MS: u64 = 1_700_000_000_000;

struct T {
    e: Engine,
    id: ClientId,
    now: Time,
}

impl T {
    fn new() -> T {
        let mut e = Engine::new(Config::default(), ServerInfo::default(), 7);
        let now = Time::from_ms(NOW_MS);
        let id = e.connect(ConnInfo::default(), now).unwrap();
        T { e, id, now }
    }

    /// Run a command given as separate arguments.
    fn argv(&mut self, args: &[&[u8]]) -> Reply {
        let argv: Vec<Bytes> = args.iter().map(|a| Bytes::copy_from_slice(a)).collect();
        self.e.execute(self.id, &argv, self.now).reply.unwrap()
    }

    /// Run a command given as one space-separated line.
    fn run(&mut self, line: &str) -> Reply {
        let args: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
        self.argv(&args)
    }

    fn advance_ms(&mut self, ms: u64) {
        self.now = Time::from_ms(self.now.ms() + ms);
    }
}

fn int(n: i64) -> Reply {
    Reply::Integer(n)
}

fn ok() -> Reply {
    Reply::ok()
}

fn err(s: &str) -> Reply {
    Reply::error(s.to_owned())
}

fn bulk(s: &str) -> Reply {
    Reply::bulk(s)
}

fn sorted_bulks(r: Reply) -> Vec<Bytes> {
    let Reply::Array(items) = r else {
        panic!("not an array: {r:?}")
    };
    let mut v: Vec<Bytes> = items
        .into_iter()
        .map(|i| match i {
            Reply::Bulk(b) => b,
            other => panic!("not a bulk: {other:?}"),
        })
        .collect();
    v.sort();
    v
}

fn names(v: &[&str]) -> Vec<Bytes> {
    let mut v: Vec<Bytes> = v
        .iter()
        .map(|s| Bytes::copy_from_slice(s.as_bytes()))
        .collect();
    v.sort();
    v
}

const NOT_INT: &str = "ERR value is not an integer or out of range";
const SYNTAX: &str = "ERR syntax error";
const SAME: &str = "ERR source and destination objects are the same";
const RANGE: &str = "ERR DB index is out of range";

#[test]
fn arity_errors() {
    let mut t = T::new();
    for (cmd, name) in [
        ("DEL", "del"),
        ("UNLINK", "unlink"),
        ("EXISTS", "exists"),
        ("TYPE", "type"),
        ("KEYS", "keys"),
        ("SCAN", "scan"),
        ("RENAME a", "rename"),
        ("RENAMENX a", "renamenx"),
        ("COPY a", "copy"),
        ("MOVE a", "move"),
        ("SWAPDB 0", "swapdb"),
        ("EXPIRE a", "expire"),
        ("PEXPIREAT a", "pexpireat"),
        ("TTL", "ttl"),
        ("PERSIST", "persist"),
        ("TOUCH", "touch"),
        ("OBJECT", "object"),
        ("OBJECT ENCODING", "object|encoding"),
        ("OBJECT HELP x", "object|help"),
    ] {
        assert_eq!(
            t.run(cmd),
            err(&format!(
                "ERR wrong number of arguments for '{name}' command"
            )),
            "{cmd}"
        );
    }
    assert_eq!(
        t.run("DBSIZE x"),
        err("ERR wrong number of arguments for 'dbsize' command")
    );
    assert_eq!(
        t.run("RANDOMKEY x"),
        err("ERR wrong number of arguments for 'randomkey' command")
    );
    assert_eq!(
        t.run("OBJECT foo"),
        err("ERR unknown subcommand 'foo'. Try OBJECT HELP.")
    );
}

#[test]
fn del_unlink_exists_type_touch() {
    let mut t = T::new();
    assert_eq!(t.run("SET a 1"), ok());
    assert_eq!(t.run("SET b 2"), ok());
    assert_eq!(t.run("EXISTS a a nokey b"), int(3));
    assert_eq!(t.run("TYPE a"), Reply::status("string"));
    assert_eq!(t.run("TYPE nokey"), Reply::status("none"));
    assert_eq!(t.run("TOUCH a nokey"), int(1));
    assert_eq!(t.run("UNLINK a nokey"), int(1));
    assert_eq!(t.run("DEL a b b"), int(1));
    assert_eq!(t.run("DEL a"), int(0));
    assert_eq!(t.run("DBSIZE"), int(0));
}

#[test]
fn keyspace_hits_and_misses_where_redis_counts_them() {
    let mut t = T::new();
    t.run("SET a 1");
    let cases: &[(&str, u64, u64)] = &[
        ("EXISTS a nokey", 1, 1),
        ("TYPE a", 1, 0),
        ("TYPE nokey", 0, 1),
        ("TTL a", 1, 0),
        ("PTTL nokey", 0, 1),
        ("EXPIRETIME a", 1, 0),
        ("TOUCH a nokey", 1, 1),
        ("OBJECT ENCODING a", 1, 0),
        ("OBJECT ENCODING nokey", 0, 1),
        ("COPY a c", 1, 0),
        ("COPY nokey c", 0, 1),
        ("SCAN 0 TYPE string", 2, 0),
        ("MOVE a 1", 0, 0),
        ("RENAME c z", 0, 0),
        ("DEL nokey", 0, 0),
        ("PERSIST z", 0, 0),
        ("EXPIRE z 100", 0, 0),
        ("KEYS *", 0, 0),
        ("SCAN 0", 0, 0),
        ("RANDOMKEY", 0, 0),
    ];
    for &(cmd, hits, misses) in cases {
        t.e.stats.keyspace_hits = 0;
        t.e.stats.keyspace_misses = 0;
        t.run(cmd);
        assert_eq!(
            (t.e.stats.keyspace_hits, t.e.stats.keyspace_misses),
            (hits, misses),
            "{cmd}"
        );
    }
}

#[test]
fn keys_and_randomkey() {
    let mut t = T::new();
    assert_eq!(t.run("RANDOMKEY"), Reply::Nil);
    assert_eq!(t.run("KEYS *"), Reply::Array(vec![]));
    for k in ["one", "two", "three", "four"] {
        t.run(&format!("SET {k} x"));
    }
    assert_eq!(
        sorted_bulks(t.run("KEYS *")),
        names(&["one", "two", "three", "four"])
    );
    assert_eq!(sorted_bulks(t.run("KEYS t*")), names(&["two", "three"]));
    assert_eq!(
        sorted_bulks(t.run("KEYS *o*")),
        names(&["one", "two", "four"])
    );
    assert_eq!(sorted_bulks(t.run("KEYS ?????")), names(&["three"]));
    let Reply::Bulk(k) = t.run("RANDOMKEY") else {
        panic!()
    };
    assert!(names(&["one", "two", "three", "four"]).contains(&k));
    // Expired keys are neither listed nor picked.
    for k in ["one", "two", "three"] {
        t.run(&format!("PEXPIRE {k} 10"));
    }
    t.advance_ms(20);
    assert_eq!(sorted_bulks(t.run("KEYS *")), names(&["four"]));
    for _ in 0..10 {
        assert_eq!(t.run("RANDOMKEY"), bulk("four"));
    }
}

fn scan_reply(r: Reply) -> (String, Vec<Bytes>) {
    let Reply::Array(mut parts) = r else {
        panic!("not an array: {r:?}")
    };
    assert_eq!(parts.len(), 2);
    let keys = parts.pop().unwrap();
    let Reply::Bulk(c) = parts.pop().unwrap() else {
        panic!()
    };
    let mut keys = sorted_bulks(keys);
    keys.sort();
    (String::from_utf8(c.to_vec()).unwrap(), keys)
}

#[test]
fn scan_errors_and_options() {
    let mut t = T::new();
    t.run("SET a 1");
    assert_eq!(t.run("SCAN 0 COUNT 0"), err(SYNTAX));
    assert_eq!(t.run("SCAN 0 COUNT -1"), err(SYNTAX));
    assert_eq!(t.run("SCAN 0 COUNT x"), err(NOT_INT));
    assert_eq!(t.run("SCAN 0 MATCH"), err(SYNTAX));
    assert_eq!(t.run("SCAN 0 foo bar"), err(SYNTAX));
    assert_eq!(t.run("SCAN 0 TYPE"), err(SYNTAX));
    for bad in [" 5", "5x", "18446744073709551616", "+", "-", "0x10"] {
        assert_eq!(
            t.argv(&[b"SCAN", bad.as_bytes()]),
            err("ERR invalid cursor"),
            "{bad:?}"
        );
    }
    assert_eq!(scan_reply(t.run("SCAN 0 TYPE foo")), ("0".into(), vec![]));
    assert_eq!(
        scan_reply(t.run("SCAN 0 COUNT 10 MATCH * TYPE string")),
        ("0".into(), names(&["a"]))
    );
    assert_eq!(
        scan_reply(t.run("SCAN 0 COUNT 1 count 2")),
        ("0".into(), names(&["a"]))
    );
    assert_eq!(
        scan_reply(t.argv(&[b"SCAN", b""])),
        ("0".into(), names(&["a"]))
    );
    assert_eq!(scan_reply(t.run("SCAN -0")), ("0".into(), names(&["a"])));
    assert_eq!(scan_reply(t.run("SCAN 0 MATCH b*")), ("0".into(), vec![]));
    assert_eq!(
        scan_reply(t.run("SCAN 0 type STRING")),
        ("0".into(), names(&["a"]))
    );
}

#[test]
fn parse_cursor_is_strtoul() {
    use crate::engine::commands::scan::parse_cursor;
    assert_eq!(parse_cursor(b"0"), Some(0));
    assert_eq!(parse_cursor(b""), Some(0));
    assert_eq!(parse_cursor(b"+5"), Some(5));
    assert_eq!(parse_cursor(b"-1"), Some(u64::MAX));
    assert_eq!(parse_cursor(b"-18446744073709551615"), Some(1));
    assert_eq!(parse_cursor(b"18446744073709551615"), Some(u64::MAX));
    assert_eq!(parse_cursor(b"18446744073709551616"), None);
    assert_eq!(parse_cursor(b"5\0junk"), Some(5));
    assert_eq!(parse_cursor(b"\t5"), None);
    assert_eq!(parse_cursor(b"5 "), None);
}

#[test]
fn scan_walks_everything_in_pages() {
    let mut t = T::new();
    for i in 0..1000 {
        t.run(&format!("SET key:{i} {i}"));
    }
    t.run("SET other x");
    let mut seen = std::collections::HashSet::new();
    let mut cursor = "0".to_string();
    let mut calls = 0;
    loop {
        let (next, keys) = scan_reply(t.run(&format!("SCAN {cursor} MATCH key:* COUNT 50")));
        calls += 1;
        for k in keys {
            assert!(k.starts_with(b"key:"));
            seen.insert(k);
        }
        cursor = next;
        if cursor == "0" {
            break;
        }
    }
    assert_eq!(seen.len(), 1000);
    assert!(
        calls >= 10,
        "COUNT 50 over 1001 keys needs many calls, got {calls}"
    );
}

#[test]
fn scan_skips_and_reclaims_expired() {
    let mut t = T::new();
    t.run("SET a 1");
    t.run("SET b 1");
    t.run("PEXPIRE b 5");
    t.advance_ms(10);
    assert_eq!(scan_reply(t.run("SCAN 0")), ("0".into(), names(&["a"])));
    assert_eq!(t.run("DBSIZE"), int(1));
    assert_eq!(t.e.stats.expired_keys, 1);
}

#[test]
fn rename_and_renamenx() {
    let mut t = T::new();
    t.run("SET a 1");
    assert_eq!(t.run("RENAME nokey b"), err("ERR no such key"));
    assert_eq!(t.run("RENAMENX nokey b"), err("ERR no such key"));
    assert_eq!(t.run("RENAME a a"), ok());
    assert_eq!(t.run("RENAMENX a a"), int(0));
    t.run("SET b 2");
    assert_eq!(t.run("RENAMENX a b"), int(0));
    assert_eq!(t.run("RENAME a b"), ok());
    assert_eq!(t.run("GET b"), bulk("1"));
    assert_eq!(t.run("EXISTS a"), int(0));
    // The TTL travels with the value; the replaced key's TTL does not stay.
    t.run("SET c 3");
    t.run("EXPIRE c 100");
    assert_eq!(t.run("RENAMENX c d"), int(1));
    assert_eq!(t.run("TTL d"), int(100));
    t.run("EXPIRE b 50");
    t.run("SET e 5");
    assert_eq!(t.run("RENAME e b"), ok());
    assert_eq!(t.run("TTL b"), int(-1));
}

#[test]
fn copy_command() {
    let mut t = T::new();
    t.run("SET a 1");
    t.run("SET b 2");
    assert_eq!(t.run("COPY a b"), int(0));
    assert_eq!(t.run("COPY a b REPLACE"), int(1));
    assert_eq!(t.run("GET b"), bulk("1"));
    assert_eq!(t.run("COPY a b DB 1"), int(1));
    assert_eq!(t.run("COPY a b DB 16"), err(RANGE));
    assert_eq!(t.run("COPY a b DB -1"), err(RANGE));
    assert_eq!(t.run("COPY a b DB x"), err(NOT_INT));
    assert_eq!(
        t.run("COPY a b DB 9999999999"),
        err("ERR value is out of range, value must between -2147483648 and 2147483647")
    );
    assert_eq!(t.run("COPY a a"), err(SAME));
    assert_eq!(t.run("COPY a a DB 0"), err(SAME));
    assert_eq!(t.run("COPY nokey nokey"), err(SAME));
    assert_eq!(t.run("COPY a b foo"), err(SYNTAX));
    assert_eq!(t.run("COPY a b DB"), err(SYNTAX));
    assert_eq!(t.run("COPY a b replace replace"), int(1));
    assert_eq!(t.run("COPY nokey z"), int(0));
    // Encoding and TTL are copied.
    t.run("SET s hello");
    t.run("EXPIRE s 100");
    assert_eq!(t.run("COPY s s2"), int(1));
    assert_eq!(t.run("OBJECT ENCODING s2"), bulk("embstr"));
    assert_eq!(t.run("TTL s2"), int(100));
    t.run("SELECT 1");
    assert_eq!(t.run("GET b"), bulk("1"));
}

#[test]
fn move_command() {
    let mut t = T::new();
    t.run("SET a 1");
    assert_eq!(t.run("MOVE a 0"), err(SAME));
    assert_eq!(t.run("MOVE nokey 0"), err(SAME));
    assert_eq!(t.run("MOVE a 16"), err(RANGE));
    assert_eq!(t.run("MOVE a -1"), err(RANGE));
    assert_eq!(t.run("MOVE a x"), err(NOT_INT));
    assert_eq!(
        t.run("MOVE a 9999999999"),
        err("ERR value is out of range, value must between -2147483648 and 2147483647")
    );
    t.run("PEXPIRE a 100000");
    assert_eq!(t.run("MOVE a 1"), int(1));
    assert_eq!(t.run("MOVE nokey 1"), int(0));
    assert_eq!(t.run("EXISTS a"), int(0));
    t.run("SET a 1");
    assert_eq!(t.run("MOVE a 1"), int(0));
    t.run("SELECT 1");
    assert_eq!(t.run("PTTL a"), int(100000));
}

#[test]
fn swapdb_dbsize_flush() {
    let mut t = T::new();
    assert_eq!(t.run("SWAPDB 0 16"), err(RANGE));
    assert_eq!(t.run("SWAPDB x 1"), err("ERR invalid first DB index"));
    assert_eq!(t.run("SWAPDB 0 x"), err("ERR invalid second DB index"));
    assert_eq!(
        t.run("SWAPDB 0 9999999999"),
        err("ERR invalid second DB index")
    );
    assert_eq!(t.run("SWAPDB -1 0"), err(RANGE));
    assert_eq!(t.run("SWAPDB 0 0"), ok());
    t.run("SET a 1");
    t.run("SET b 1");
    assert_eq!(t.run("DBSIZE"), int(2));
    assert_eq!(t.run("SWAPDB 0 1"), ok());
    assert_eq!(t.run("DBSIZE"), int(0));
    t.run("SELECT 1");
    assert_eq!(t.run("DBSIZE"), int(2));
    assert_eq!(t.run("FLUSHDB foo"), err(SYNTAX));
    assert_eq!(t.run("FLUSHDB async sync"), err(SYNTAX));
    assert_eq!(t.run("FLUSHALL foo"), err(SYNTAX));
    assert_eq!(t.run("FLUSHDB ASYNC"), ok());
    assert_eq!(t.run("DBSIZE"), int(0));
    t.run("SET x 1");
    t.run("SELECT 2");
    t.run("SET y 1");
    assert_eq!(t.run("FLUSHALL sync"), ok());
    assert!(t.e.dbs.iter().all(|d| d.is_empty()));
    assert_eq!(t.run("FLUSHALL"), ok());
    assert_eq!(t.run("FLUSHDB"), ok());
}

#[test]
fn expire_option_errors() {
    let mut t = T::new();
    t.run("SET a 1");
    let nx = "ERR NX and XX, GT or LT options at the same time are not compatible";
    assert_eq!(t.run("EXPIRE a 100 nx xx"), err(nx));
    assert_eq!(t.run("EXPIRE a 100 nx gt"), err(nx));
    assert_eq!(
        t.run("EXPIRE a 100 gt lt"),
        err("ERR GT and LT options at the same time are not compatible")
    );
    assert_eq!(t.run("EXPIRE a 100 foo"), err("ERR Unsupported option foo"));
    assert_eq!(t.run("EXPIRE a x foo"), err("ERR Unsupported option foo"));
    assert_eq!(t.run("EXPIRE nokey x nx xx"), err(nx));
    assert_eq!(t.run("EXPIRE a x"), err(NOT_INT));
    assert_eq!(t.run("EXPIRE a 100 nx nx"), int(1));
}

#[test]
fn expire_time_limits() {
    let mut t = T::new();
    t.run("SET a 1");
    for (cmd, name) in [
        ("EXPIRE a 9223372036854775807", "expire"),
        ("PEXPIRE a 9223372036854775807", "pexpire"),
        ("EXPIRE a 9223372036854775", "expire"),
        ("EXPIREAT a 9223372036854775807", "expireat"),
        ("PEXPIRE a 9223372036854775000", "pexpire"),
        ("EXPIRE a -9223372036854775808", "expire"),
    ] {
        assert_eq!(
            t.run(cmd),
            err(&format!("ERR invalid expire time in '{name}' command")),
            "{cmd}"
        );
    }
    assert_eq!(t.run("EXISTS a"), int(1));
    assert_eq!(t.run("PEXPIREAT a 9223372036854775807"), int(1));
    assert_eq!(t.run("PEXPIRETIME a"), int(i64::MAX));
    assert_eq!(t.run("EXPIRETIME a"), int(9223372036854776));
    assert_eq!(
        t.run("TTL a"),
        int(((i64::MAX as i128 - NOW_MS as i128 + 500) / 1000) as i64)
    );
}

#[test]
fn expire_conditions() {
    let mut t = T::new();
    t.run("SET a 1");
    assert_eq!(t.run("EXPIRE a 100 gt"), int(0));
    assert_eq!(t.run("EXPIRE a 100 xx"), int(0));
    assert_eq!(t.run("EXPIRE a 100 lt"), int(1));
    assert_eq!(t.run("TTL a"), int(100));
    assert_eq!(t.run("EXPIRE a 50 gt"), int(0));
    assert_eq!(t.run("EXPIRE a 150 gt"), int(1));
    assert_eq!(t.run("EXPIRE a 200 lt"), int(0));
    assert_eq!(t.run("EXPIRE a 100 xx"), int(1));
    assert_eq!(t.run("EXPIRE a 100 nx"), int(0));
    assert_eq!(t.run("EXPIRE nokey 10"), int(0));
    assert_eq!(t.run("TTL a"), int(100));
    assert_eq!(t.run("EXPIRE a +100"), err(NOT_INT));
    assert_eq!(t.argv(&[b"EXPIRE", b"a", b" 100"]), err(NOT_INT));
    // No TTL is an infinite one: GT never passes, LT always does (and a
    // past time then deletes).
    t.run("PERSIST a");
    assert_eq!(t.run("EXPIRE a -1 gt"), int(0));
    assert_eq!(t.run("EXPIRE a -1 lt"), int(1));
    assert_eq!(t.run("EXISTS a"), int(0));
}

#[test]
fn expire_in_the_past_deletes() {
    let mut t = T::new();
    for cmd in [
        "EXPIRE a -1",
        "PEXPIRE a 0",
        "EXPIREAT a 100",
        &format!("PEXPIREAT a {NOW_MS}"),
    ] {
        t.run("SET a 1");
        assert_eq!(t.run(cmd), int(1), "{cmd}");
        assert_eq!(t.run("EXISTS a"), int(0), "{cmd}");
    }
    // Deleted by the command, not expired.
    assert_eq!(t.e.stats.expired_keys, 0);
}

#[test]
fn ttl_family_and_persist() {
    let mut t = T::new();
    assert_eq!(t.run("TTL nokey"), int(-2));
    assert_eq!(t.run("PTTL nokey"), int(-2));
    assert_eq!(t.run("EXPIRETIME nokey"), int(-2));
    assert_eq!(t.run("PEXPIRETIME nokey"), int(-2));
    t.run("SET b 1");
    assert_eq!(t.run("TTL b"), int(-1));
    assert_eq!(t.run("PTTL b"), int(-1));
    assert_eq!(t.run("EXPIRETIME b"), int(-1));
    assert_eq!(t.run("PEXPIRETIME b"), int(-1));
    assert_eq!(t.run("EXPIREAT b 5000000000"), int(1));
    assert_eq!(t.run("EXPIRETIME b"), int(5000000000));
    assert_eq!(t.run("PEXPIRETIME b"), int(5000000000000));
    assert_eq!(t.run("PERSIST b"), int(1));
    assert_eq!(t.run("PERSIST b"), int(0));
    assert_eq!(t.run("PERSIST nokey"), int(0));
    assert_eq!(t.run("TTL b"), int(-1));
    // TTL rounds to the nearest second.
    t.run("PEXPIRE b 1499");
    assert_eq!(t.run("TTL b"), int(1));
    assert_eq!(t.run("PTTL b"), int(1499));
    t.run("PEXPIRE b 1500");
    assert_eq!(t.run("TTL b"), int(2));
    t.advance_ms(1499);
    assert_eq!(t.run("PTTL b"), int(1));
    // As Redis (`now > when`): alive during its expiry millisecond.
    t.advance_ms(1);
    assert_eq!(t.run("PTTL b"), int(0));
    t.advance_ms(1);
    assert_eq!(t.run("PTTL b"), int(-2));
    assert_eq!(t.e.stats.expired_keys, 1);
}

#[test]
fn set_drops_ttl() {
    let mut t = T::new();
    t.run("SET a 1");
    t.run("EXPIRE a 100");
    t.run("SET a 2");
    assert_eq!(t.run("TTL a"), int(-1));
}

#[test]
fn object_subcommands() {
    let mut t = T::new();
    t.run("SET a 1");
    t.run("SET b 10000");
    t.run("SET c -1");
    t.run("SET d hello");
    assert_eq!(t.run("OBJECT ENCODING a"), bulk("int"));
    assert_eq!(t.run("OBJECT ENCODING d"), bulk("embstr"));
    assert_eq!(t.run("OBJECT ENCODING nokey"), Reply::Nil);
    assert_eq!(t.run("OBJECT REFCOUNT a"), int(2147483647));
    assert_eq!(t.run("OBJECT REFCOUNT b"), int(1));
    assert_eq!(t.run("OBJECT REFCOUNT c"), int(1));
    assert_eq!(t.run("OBJECT REFCOUNT d"), int(1));
    assert_eq!(t.run("OBJECT REFCOUNT nokey"), Reply::Nil);
    assert_eq!(t.run("OBJECT IDLETIME nokey"), Reply::Nil);
    assert_eq!(t.run("OBJECT FREQ nokey"), Reply::Nil);
    assert_eq!(
        t.run("OBJECT FREQ a"),
        err("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
    );
    assert_eq!(t.run("OBJECT IDLETIME a"), int(0));
    t.advance_ms(30_000);
    assert_eq!(t.run("OBJECT IDLETIME a"), int(30));
    // OBJECT and TTL do not touch; TOUCH and GET do.
    t.run("TTL a");
    assert_eq!(t.run("OBJECT IDLETIME a"), int(30));
    t.run("TOUCH a");
    assert_eq!(t.run("OBJECT IDLETIME a"), int(0));
    t.e.config.maxmemory_policy = "allkeys-lfu".into();
    // A new key starts at 5; TOUCH above was one access at counter 5,
    // which increments with probability 1.
    assert_eq!(t.run("OBJECT FREQ a"), int(6));
    t.run("SET k v");
    assert_eq!(t.run("OBJECT FREQ k"), int(5));
    for _ in 0..100 {
        t.run("GET k");
    }
    let Reply::Integer(f) = t.run("OBJECT FREQ k") else {
        panic!()
    };
    // Redis 7.0.15 showed 10 after 100 GETs; the growth is logarithmic.
    assert!((8..=13).contains(&f), "freq {f}");
    // Decays by one per idle minute.
    t.advance_ms(3 * 60_000);
    assert_eq!(t.run("OBJECT FREQ k"), int(f - 3));
    assert_eq!(
        t.run("OBJECT IDLETIME a"),
        err("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
    );
    let Reply::Array(help) = t.run("OBJECT HELP") else {
        panic!()
    };
    assert_eq!(help.len(), 15);
    assert_eq!(
        help[0],
        Reply::status("OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
    );
    assert_eq!(help[14], Reply::status("    Prints this help."));
    assert_eq!(t.run("object help"), Reply::Array(help));
}

#[test]
fn command_table_matches_redis() {
    use crate::engine::table::{acl, flags};
    let t = T::new();
    let get = |n: &str| t.e.table.get(n.as_bytes()).unwrap();
    let del = get("del");
    assert_eq!(
        (del.arity, del.first_key, del.last_key, del.key_step),
        (-2, 1, -1, 1)
    );
    assert_eq!(del.flags, flags::WRITE);
    let copy = get("copy");
    assert_eq!(copy.flags, flags::WRITE | flags::DENYOOM);
    assert_eq!((copy.first_key, copy.last_key), (1, 2));
    assert_eq!(
        get("keys").acl,
        acl::KEYSPACE | acl::READ | acl::SLOW | acl::DANGEROUS
    );
    assert_eq!(get("swapdb").doc.group, "server");
    assert_eq!(get("flushall").doc.group, "server");
    assert_eq!(get("dbsize").doc.group, "server");
    assert_eq!(get("move").doc.group, "generic");
    let obj = get("object");
    // Redis's five and KeyDB's LASTMODIFIED.
    assert_eq!(obj.subcommands.len(), 6);
    assert!(crate::engine::table::find_subcommand(obj, b"lastmodified").is_some());
    let enc = crate::engine::table::find_subcommand(obj, b"ENCODING").unwrap();
    assert_eq!((enc.arity, enc.first_key, enc.last_key), (3, 2, 2));
}
