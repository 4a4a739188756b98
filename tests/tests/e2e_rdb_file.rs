//! keyrs -> RDB file -> redis-server 7.0: a file written by keyrs's
//! `RdbWriter` passes `redis-check-rdb` and loads into a real redis-server
//! with every key's type, encoding, content (its DUMP payload decoded by
//! keyrs) and expiry as written. Skipped when redis-server is not on PATH.

use std::collections::BTreeMap;
use std::process::Command;

use bytes::Bytes;
use keyrs_core::config::Config;
use keyrs_core::engine::value::Value;
use keyrs_core::engine::{ConnInfo, Engine, ServerInfo, Time};
use keyrs_core::persist::rdb::file::{RdbOptions, RdbWriter, StandardAux};
use keyrs_core::persist::rdb::{decode_value, LoadOptions, SaveOptions};
use keyrs_tests::{on_path, Server};

const T0: Time = Time {
    unix_us: 1_795_273_448_328_411,
};

/// Year 2100: far enough that redis-server keeps the keys on load.
const FUTURE_MS: u64 = 4_102_444_800_000;

type Keyspace = BTreeMap<(usize, Bytes), (Value, Option<u64>)>;

/// A keyspace with every type in every encoding, built by running
/// commands on a keyrs engine (so values are exactly what keyrs holds).
fn keyspace() -> Keyspace {
    let info = ServerInfo {
        pid: 1,
        tcp_port: 6379,
        executable: "keyrs-server".into(),
        config_file: String::new(),
        run_id: "0".repeat(40),
        os: "Linux".into(),
        arch_bits: 64,
    };
    let mut e = Engine::new(Config::default(), info, 3);
    let c = e
        .connect(
            ConnInfo {
                addr: "127.0.0.1:1".into(),
                laddr: "127.0.0.1:6379".into(),
                fd: 1,
                thread: 0,
            },
            T0,
        )
        .expect("client");
    let mut run = |args: Vec<String>| {
        let argv: Vec<Bytes> = args.iter().map(|a| Bytes::from(a.clone())).collect();
        let out = e.execute(c, &argv, T0);
        if let Some(keyrs_core::resp::Reply::Error(err)) = &out.reply {
            panic!("{args:?}: {err}");
        }
    };
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    run(s(&["set", "s:int", "12345"]));
    run(s(&["set", "s:i64", "-9223372036854775808"]));
    run(s(&["set", "s:emb", "hello world"]));
    run(vec!["set".into(), "s:raw".into(), "r".repeat(60)]);
    run(vec!["set".into(), "s:lzf".into(), "xyz".repeat(300)]);
    run(s(&["set", "s:empty", ""]));
    run(s(&["rpush", "l:small", "a", "1", "-300"]));
    run(s(&["hset", "h:lp", "f1", "v1", "f2", "22"]));
    run(s(&["sadd", "set:int", "1", "-5", "70000", "9000000000"]));
    run(s(&["sadd", "set:str", "a", "b"]));
    run(s(&[
        "zadd", "z:lp", "1", "a", "2.5", "b", "-inf", "c", "0.1", "d",
    ]));
    for i in 0..2000 {
        run(vec![
            "rpush".into(),
            "l:big".into(),
            format!("item-{i}-{}", "p".repeat(i % 50)),
        ]);
        run(vec!["lpush".into(), "l:ints".into(), i.to_string()]);
    }
    for i in 0..200 {
        run(vec![
            "hset".into(),
            "h:table".into(),
            format!("f{i}"),
            i.to_string(),
        ]);
        run(vec!["sadd".into(), "set:table".into(), format!("m{i}")]);
        run(vec![
            "zadd".into(),
            "z:skip".into(),
            format!("{i}.5"),
            format!("m{i}"),
        ]);
    }
    run(vec![
        "hset".into(),
        "h:bigval".into(),
        "f".into(),
        "v".repeat(100),
    ]);
    for i in 0..600 {
        run(vec!["sadd".into(), "set:intbig".into(), i.to_string()]);
    }
    for i in 1..=220 {
        let f = if i % 4 == 0 { "other" } else { "f" };
        let id = format!("{}-{}", 500 + i / 9, i % 9);
        run(vec!["xadd".into(), "x".into(), id, f.into(), i.to_string()]);
    }
    run(s(&["xdel", "x", "501-0", "503-3"]));
    run(s(&["xgroup", "create", "x", "g1", "0"]));
    run(s(&["xgroup", "create", "x", "g2", "$"]));
    run(s(&["xgroup", "createconsumer", "x", "g2", "idle"]));
    run(s(&[
        "xreadgroup",
        "group",
        "g1",
        "alice",
        "count",
        "4",
        "streams",
        "x",
        ">",
    ]));
    run(s(&[
        "xreadgroup",
        "group",
        "g1",
        "bob",
        "count",
        "2",
        "streams",
        "x",
        ">",
    ]));
    run(s(&["xack", "x", "g1", "500-2"]));
    run(vec![
        "pexpireat".into(),
        "s:emb".into(),
        (FUTURE_MS + 1).to_string(),
    ]);
    run(vec![
        "pexpireat".into(),
        "x".into(),
        (FUTURE_MS + 2).to_string(),
    ]);
    run(s(&["select", "5"]));
    run(s(&["set", "s:emb", "db five"]));
    run(vec![
        "pexpireat".into(),
        "s:emb".into(),
        (FUTURE_MS + 3).to_string(),
    ]);
    run(s(&["hset", "h:lp", "x", "y"]));
    let mut ks = BTreeMap::new();
    for (db, d) in e.dbs.iter().enumerate() {
        for (k, entry) in d.keys.iter() {
            ks.insert((db, k.to_bytes()), (entry.value.clone(), d.expire_at(k)));
        }
    }
    ks
}

fn write(ks: &Keyspace, save: SaveOptions, checksum: bool) -> Vec<u8> {
    let mut w = RdbWriter::with_save_options(save, checksum);
    w.standard_aux(&StandardAux {
        redis_ver: "7.0.15",
        redis_bits: 64,
        ctime: 1_795_273_448,
        used_mem: 1 << 20,
        repl: None,
        aof_base: false,
    });
    let mut file = w.take_output();
    for db in 0..16 {
        let keys: Vec<_> = ks.iter().filter(|((d, _), _)| *d == db).collect();
        if keys.is_empty() {
            continue;
        }
        let expires = keys.iter().filter(|(_, (_, e))| e.is_some()).count();
        w.select_db(db, keys.len() as u64, expires as u64);
        for ((_, k), (v, exp)) in keys {
            w.entry(k, v, *exp);
        }
        file.extend(w.take_output());
    }
    file.extend(w.finish());
    file
}

fn check_in_redis(ks: &Keyspace, file: &[u8], checksum: bool, label: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("keyrs.rdb");
    std::fs::write(&path, file).expect("write rdb");
    if let Some(check) = on_path("redis-check-rdb") {
        let out = Command::new(check)
            .arg(&path)
            .output()
            .expect("redis-check-rdb");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("RDB looks OK"),
            "{label}: redis-check-rdb:\n{text}"
        );
        let keys = format!("[info] {} keys read", ks.len());
        assert!(text.contains(&keys), "{label}: {keys}?\n{text}");
        if checksum {
            assert!(text.contains("Checksum OK"), "{label}:\n{text}");
        }
    } else {
        println!("note: redis-check-rdb not on PATH, skipping it");
    }
    let dir_s = dir.path().to_str().expect("utf-8 path");
    let Some(server) = Server::start_redis(&["--dir", dir_s, "--dbfilename", "keyrs.rdb"]) else {
        println!("note: redis-server not on PATH, skipping");
        return;
    };
    let mut con = server.redis();
    for db in 0..16usize {
        redis::cmd("SELECT").arg(db).exec(&mut con).unwrap();
        let n: usize = redis::cmd("DBSIZE").query(&mut con).unwrap();
        let want = ks.keys().filter(|(d, _)| *d == db).count();
        assert_eq!(n, want, "{label}: keys in db {db}");
    }
    for ((db, key), (value, exp)) in ks {
        redis::cmd("SELECT").arg(*db).exec(&mut con).unwrap();
        let ty: String = redis::cmd("TYPE").arg(&key[..]).query(&mut con).unwrap();
        assert_eq!(ty, value.type_name(), "{label}: type of {key:?}");
        let enc: String = redis::cmd("OBJECT")
            .arg("ENCODING")
            .arg(&key[..])
            .query(&mut con)
            .unwrap();
        let want_enc = match value {
            // Strings get their encoding from their content on load.
            Value::Str(s) => Value::string(s.to_bytes()).encoding(),
            v => v.encoding(),
        };
        assert_eq!(enc, want_enc, "{label}: encoding of {key:?}");
        let at: i64 = redis::cmd("PEXPIRETIME")
            .arg(&key[..])
            .query(&mut con)
            .unwrap();
        assert_eq!(u64::try_from(at).ok(), *exp, "{label}: expiry of {key:?}");
        let payload: Vec<u8> = redis::cmd("DUMP").arg(&key[..]).query(&mut con).unwrap();
        let body = &payload[..payload.len() - 10];
        let back = decode_value(body, &LoadOptions::default()).expect("redis's DUMP decodes");
        let same = match (value, &back) {
            (Value::Str(a), Value::Str(b)) => a.to_bytes() == b.to_bytes(),
            _ => *value == back,
        };
        assert!(same, "{label}: content of {key:?} differs in redis");
    }
}

#[test]
fn keyrs_rdb_loads_into_redis() {
    if on_path("redis-server").is_none() {
        println!("note: redis-server not on PATH, skipping");
        return;
    }
    let ks = keyspace();
    check_in_redis(
        &ks,
        &write(&ks, SaveOptions::default(), true),
        true,
        "defaults",
    );
    let plain = SaveOptions {
        compression: false,
        ..SaveOptions::default()
    };
    check_in_redis(
        &ks,
        &write(&ks, plain, false),
        false,
        "no compression, no checksum",
    );
    let compressed_nodes = SaveOptions {
        compression: true,
        list_fill: 16,
        list_compress_depth: 1,
    };
    check_in_redis(
        &ks,
        &write(&ks, compressed_nodes, true),
        true,
        "compressed list nodes",
    );
}

/// The contract's constructor (`RdbWriter::new`) and a file with the
/// replication aux fields and LRU/LFU hints, as a replica's full sync or
/// an LFU-policy server would write: redis-server loads it.
#[test]
fn contract_writer_with_repl_aux_and_hints_loads_into_redis() {
    if on_path("redis-server").is_none() {
        println!("note: redis-server not on PATH, skipping");
        return;
    }
    let mut w = RdbWriter::new(RdbOptions {
        compression: true,
        checksum: true,
    });
    w.standard_aux(&StandardAux {
        redis_ver: "7.0.15",
        redis_bits: 64,
        ctime: 1_795_273_448,
        used_mem: 1 << 20,
        repl: Some(keyrs_core::persist::rdb::file::ReplAux {
            stream_db: 0,
            repl_id: "0123456789abcdef0123456789abcdef01234567",
            offset: 12345,
        }),
        aof_base: false,
    });
    w.aux(b"lua", b"return 1");
    w.select_db(1, 2, 1);
    let v = Value::string(Bytes::from_static(b"value"));
    let meta = keyrs_core::persist::rdb::file::ObjectMeta {
        idle_secs: Some(30),
        freq: Some(5),
    };
    w.entry_with_meta(b"a", &v, Some(FUTURE_MS), meta);
    w.entry(b"b", &v, None);
    let file = w.finish();
    let mut ks = BTreeMap::new();
    ks.insert((1, Bytes::from_static(b"a")), (v.clone(), Some(FUTURE_MS)));
    ks.insert((1, Bytes::from_static(b"b")), (v, None));
    check_in_redis(&ks, &file, true, "contract writer");
}
