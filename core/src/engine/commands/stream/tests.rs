//! Stream command tests. Every expectation is a transcript line recorded
//! from redis-server 7.0.15 (`command => raw RESP reply`, escaped as Python
//! prints bytes), replayed against the engine byte for byte. `@time ms`
//! sets the clock (the server's clock before the next command), `@resp3`
//! switches the client to RESP3.

use bytes::Bytes;

use crate::engine::commands::replay::{split, Harness};
use crate::engine::Time;
use crate::resp::Protocol;

/// Replay a stream transcript through the shared harness. A line starting
/// with `~ ` is a command whose reply shows a time and during which the
/// server's clock ticked: it runs, but its reply is not compared.
fn replay(h: &mut Harness, text: &str) {
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match line.strip_prefix("~ ") {
            Some(rest) => {
                let (cmd, _) = rest.split_once(" => ").expect("cmd => reply");
                h.run(split(cmd));
            }
            None => h.script(line),
        }
    }
}

/// Random sessions over two streams, a string and a missing key, recorded
/// from redis-server 7.0.15 (`record/stream_session.py`), replayed here:
/// every `streams_redis7_*.txt` in the test data directory.
#[test]
fn replays_recorded_random_sessions() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("test data dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("streams_redis7_") && n.ends_with(".txt"))
        })
        .collect();
    files.sort();
    assert!(files.len() >= 4, "recorded sessions missing");
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read transcript");
        eprintln!("replaying {}", f.display());
        replay(&mut Harness::new(), &text);
    }
}

/// Run one command in `h` and return the escaped RESP reply.
fn run(h: &mut Harness, cmd: &str) -> String {
    h.run(split(cmd))
}

/// `*` takes the clock's millisecond; a clock behind the last ID (or equal
/// to it) continues its sequence, as Redis's `streamNextID`.
#[test]
fn auto_ids_follow_the_clock() {
    let mut h = Harness::new();
    h.now = Time::from_ms(1_000);
    assert_eq!(run(&mut h, "XADD s * f v"), "$6\\r\\n1000-0\\r\\n");
    assert_eq!(run(&mut h, "XADD s * f v"), "$6\\r\\n1000-1\\r\\n");
    h.now = Time::from_ms(999);
    assert_eq!(run(&mut h, "XADD s * f v"), "$6\\r\\n1000-2\\r\\n");
    h.now = Time::from_ms(1_005);
    assert_eq!(run(&mut h, "XADD s * f v"), "$6\\r\\n1005-0\\r\\n");
    assert_eq!(run(&mut h, "XADD s 1005-* f v"), "$6\\r\\n1005-1\\r\\n");
    assert_eq!(run(&mut h, "XADD s 2000-* f v"), "$6\\r\\n2000-0\\r\\n");
    assert_eq!(
        run(&mut h, "XADD s 1999-* f v"),
        "-ERR The ID specified in XADD is equal or smaller than the target stream top item\\r\\n"
    );
}

/// With BLOCK and nothing to read, a client that may not block (inside
/// MULTI) gets the null array; otherwise the blocking layer parks it
/// (engine/blocking.rs, tested in core/tests/txpubsub.rs), using
/// `read::parse_read` / `read::serve_read`.
#[test]
fn block_without_data_is_the_null_array_and_parse_resolves_dollar() {
    let mut h = Harness::new();
    assert_eq!(run(&mut h, "XADD s 5-1 f v"), "$3\\r\\n5-1\\r\\n");
    assert_eq!(run(&mut h, "MULTI"), "+OK\\r\\n");
    assert_eq!(run(&mut h, "XREAD BLOCK 100 STREAMS s $"), "+QUEUED\\r\\n");
    assert_eq!(run(&mut h, "EXEC"), "*1\\r\\n*-1\\r\\n");
    assert_eq!(
        run(&mut h, "XREAD BLOCK 100 STREAMS s 0"),
        "*1\\r\\n*2\\r\\n$1\\r\\ns\\r\\n*1\\r\\n*2\\r\\n$3\\r\\n5-1\\r\\n*2\\r\\n$1\\r\\nf\\r\\n$1\\r\\nv\\r\\n"
    );
    let argv = split("XREAD COUNT 3 BLOCK 100 STREAMS s other $ $");
    let spec = h.engine.table.get(b"xread").expect("xread");
    let call = crate::engine::Call {
        client: h.client,
        argv: &argv,
        db: 0,
        now: h.now,
        effects: Vec::new(),
        spec,
        more: Vec::new(),
    };
    let req = super::read::parse_read(&mut h.engine, &call).expect("parses");
    use super::read::ReadFrom;
    use crate::engine::types::stream::StreamId;
    assert_eq!(req.block_deadline_ms, Some(h.now.ms() + 100));
    assert_eq!(req.count, 3);
    assert_eq!(
        req.from,
        vec![
            ReadFrom::After(StreamId::new(5, 1)),
            ReadFrom::After(StreamId::MIN)
        ]
    );
    let served = super::read::serve_read(&mut h.engine, 0, h.now, Protocol::Resp2, &req);
    assert_eq!(served, None);
    assert_eq!(run(&mut h, "XADD s 6-1 f v"), "$3\\r\\n6-1\\r\\n");
    let served = super::read::serve_read(&mut h.engine, 0, h.now, Protocol::Resp2, &req);
    assert!(served.is_some());
}

/// Writes count in `dirty` as Redis counts them; failed or no-op commands
/// do not.
#[test]
fn writes_count_dirty_only_when_something_changed() {
    let mut h = Harness::new();
    let dirty = |h: &Harness| h.engine.stats.dirty;
    run(&mut h, "XADD s 1-1 f v");
    run(&mut h, "XADD s 2-1 f v");
    run(&mut h, "XADD s 3-1 f v");
    let d0 = dirty(&h);
    run(&mut h, "XADD s 1-1 f v");
    run(&mut h, "XDEL s 9-9");
    run(&mut h, "XTRIM s MAXLEN 10");
    assert_eq!(dirty(&h), d0);
    run(&mut h, "XDEL s 1-1 2-1");
    assert_eq!(dirty(&h), d0 + 2);
    run(&mut h, "XGROUP CREATE s g 0");
    run(&mut h, "XGROUP CREATE s g 0");
    assert_eq!(dirty(&h), d0 + 3);
}

mod no_panics {
    use proptest::prelude::*;

    use super::*;

    const NAMES: &[&str] = &[
        "XADD",
        "XRANGE",
        "XREVRANGE",
        "XLEN",
        "XDEL",
        "XTRIM",
        "XREAD",
        "XREADGROUP",
        "XGROUP",
        "XACK",
        "XPENDING",
        "XCLAIM",
        "XAUTOCLAIM",
        "XINFO",
        "XSETID",
    ];
    const WORDS: &[&str] = &[
        "s",
        "t",
        "g",
        "c",
        "*",
        "$",
        ">",
        "-",
        "+",
        "~",
        "=",
        "(",
        "(0",
        "0",
        "0-0",
        "1",
        "1-*",
        "5-2",
        "9-9",
        "18446744073709551615-18446744073709551615",
        "18446744073709551615-*",
        "-1",
        "9223372036854775807",
        "-9223372036854775808",
        "MAXLEN",
        "MINID",
        "LIMIT",
        "NOMKSTREAM",
        "COUNT",
        "BLOCK",
        "STREAMS",
        "GROUP",
        "NOACK",
        "CREATE",
        "SETID",
        "DESTROY",
        "CREATECONSUMER",
        "DELCONSUMER",
        "MKSTREAM",
        "ENTRIESREAD",
        "IDLE",
        "TIME",
        "RETRYCOUNT",
        "FORCE",
        "JUSTID",
        "LASTID",
        "STREAM",
        "GROUPS",
        "CONSUMERS",
        "FULL",
        "HELP",
        "ENTRIESADDED",
        "MAXDELETEDID",
        "f",
        "v",
        "",
    ];

    fn command() -> impl Strategy<Value = Vec<Bytes>> {
        (
            0..NAMES.len(),
            proptest::collection::vec(0..WORDS.len(), 0..12),
        )
            .prop_map(|(n, ws)| {
                let mut v = vec![Bytes::from_static(NAMES[n].as_bytes())];
                v.extend(
                    ws.into_iter()
                        .map(|w| Bytes::from_static(WORDS[w].as_bytes())),
                );
                v
            })
    }

    /// Mostly well-formed commands, so random sequences reach deep states
    /// (groups, PELs, tombstones, trims) before the odd argument.
    fn valid_command() -> impl Strategy<Value = Vec<Bytes>> {
        const IDS: &[&str] = &[
            "1-0", "1-1", "2-0", "3-5", "7", "9-9", "0-1", "(2", "-", "+",
        ];
        const TEMPLATES: &[&str] = &[
            "XADD s # f v",
            "XADD s MAXLEN ~ 2 # f v g w",
            "XADD s MINID = # # f v",
            "XADD t # a 1",
            "XDEL s # #",
            "XTRIM s MINID ~ # LIMIT 1",
            "XTRIM s MAXLEN = 1",
            "XGROUP CREATE s g # MKSTREAM",
            "XGROUP CREATE s h $ ENTRIESREAD 1",
            "XGROUP SETID s g # ENTRIESREAD 2",
            "XGROUP DESTROY s h",
            "XGROUP CREATECONSUMER s g c",
            "XGROUP DELCONSUMER s g d",
            "XREADGROUP GROUP g c COUNT 2 STREAMS s >",
            "XREADGROUP GROUP g d NOACK STREAMS s t > >",
            "XREADGROUP GROUP g c STREAMS s #",
            "XREAD COUNT 1 STREAMS s t # $",
            "XACK s g # #",
            "XPENDING s g IDLE 0 # # 5 c",
            "XPENDING s g",
            "XCLAIM s g d 0 # # FORCE RETRYCOUNT 3 LASTID #",
            "XCLAIM s g c 0 # JUSTID IDLE 5",
            "XAUTOCLAIM s g d 0 # COUNT 2",
            "XINFO STREAM s FULL COUNT 2",
            "XINFO GROUPS s",
            "XINFO CONSUMERS s g",
            "XSETID s # ENTRIESADDED 40 MAXDELETEDID #",
            "XRANGE s # # COUNT 3",
            "XREVRANGE s # #",
        ];
        (
            0..TEMPLATES.len(),
            proptest::collection::vec(0..IDS.len(), 4),
        )
            .prop_map(|(t, ids)| {
                let mut k = 0;
                TEMPLATES[t]
                    .split(' ')
                    .map(|w| {
                        if w == "#" {
                            k += 1;
                            Bytes::from_static(IDS[ids[(k - 1) % 4]].as_bytes())
                        } else {
                            Bytes::from_static(w.as_bytes())
                        }
                    })
                    .collect()
            })
    }

    proptest! {
        /// Mostly valid stream workloads never panic and never leave a
        /// stream whose node structure disagrees with its length.
        #[test]
        fn random_workloads_never_panic(cmds in proptest::collection::vec(prop_oneof![4 => valid_command(), 1 => command()], 1..120), step in 0u64..3) {
            let mut h = Harness::new();
            for argv in cmds {
                h.now = Time::from_ms(h.now.ms() + step);
                let out = h.engine.execute(h.client, &argv, h.now);
                prop_assert!(out.reply.is_some());
                if let Some(e) = h.engine.dbs[0].keys.get(b"s") {
                    if let crate::engine::value::Value::Stream(st) = &e.value {
                        let live: u64 = st.node_summary().iter().map(|n| n.1).sum();
                        prop_assert_eq!(live, st.len());
                        for g in st.groups.values() {
                            let owned: usize = g.consumers.values().map(|c| c.pel.len()).sum();
                            prop_assert_eq!(owned, g.pel.len());
                        }
                    }
                }
            }
        }

        /// Any sequence of stream commands over a few keys, in either
        /// protocol, answers without panicking.
        #[test]
        fn random_commands_never_panic(cmds in proptest::collection::vec(command(), 1..80), resp3 in any::<bool>(), step in 0u64..5) {
            let mut h = Harness::new();
            if resp3 {
                if let Some(c) = h.engine.clients.get_mut(h.client) {
                    c.proto = Protocol::Resp3;
                }
            }
            for argv in cmds {
                h.now = Time::from_ms(h.now.ms() + step);
                let out = h.engine.execute(h.client, &argv, h.now);
                prop_assert!(out.reply.is_some());
            }
        }
    }
}

/// Keyspace hits and misses as redis-server 7.0.15 counts them (read with
/// INFO stats after each command): XREAD / XREADGROUP look every key up
/// twice, write commands never count.
#[test]
fn keyspace_statistics_follow_redis() {
    let mut h = Harness::new();
    run(&mut h, "XADD s 1 a b");
    run(&mut h, "XGROUP CREATE s g 0");
    let stats = |h: &Harness| (h.engine.stats.keyspace_hits, h.engine.stats.keyspace_misses);
    let base = stats(&h);
    for (cmd, hits, misses) in [
        ("XREAD STREAMS s nos 0 0", 2, 2),
        ("XREADGROUP GROUP g c STREAMS s >", 4, 2),
        ("XPENDING s g", 5, 2),
        ("XACK s g 1", 6, 2),
        ("XCLAIM s g c 0 1", 7, 2),
        ("XAUTOCLAIM s g c 0 0", 8, 2),
        ("XINFO STREAM s", 9, 2),
        ("XLEN s", 10, 2),
        ("XRANGE s - +", 11, 2),
        ("XADD s 2 a b", 11, 2),
        ("XGROUP SETID s g 0", 11, 2),
        ("XDEL s 2", 11, 2),
        ("XTRIM s MAXLEN 5", 11, 2),
    ] {
        run(&mut h, cmd);
        assert_eq!(stats(&h), (base.0 + hits, base.1 + misses), "{cmd}");
    }
}

/// A blocked XREADGROUP ends with Redis 7.0.15's errors when its group or
/// stream goes away (checked against the server with a blocked redis-cli);
/// XREAD keeps waiting.
#[test]
fn blocked_group_readers_see_their_stream_or_group_vanish() {
    use super::read::{blocked_reader_gone, key_positions, parse_read};
    let mut h = Harness::new();
    run(&mut h, "XGROUP CREATE s g $ MKSTREAM");
    let argv = split("XREADGROUP GROUP g c BLOCK 0 STREAMS s >");
    let spec = h.engine.table.get(b"xreadgroup").expect("xreadgroup");
    let call = crate::engine::Call {
        client: h.client,
        argv: &argv,
        db: 0,
        now: h.now,
        effects: Vec::new(),
        spec,
        more: Vec::new(),
    };
    let req = parse_read(&mut h.engine, &call).expect("parses");
    assert_eq!(key_positions(&argv), vec![7]);
    assert_eq!(blocked_reader_gone(&h.engine, 0, &req), None);
    run(&mut h, "XGROUP DESTROY s g");
    assert_eq!(
        blocked_reader_gone(&h.engine, 0, &req),
        Some(crate::resp::Reply::error(
            "NOGROUP the consumer group this client was blocked on no longer exists"
        ))
    );
    run(&mut h, "DEL s");
    assert_eq!(
        blocked_reader_gone(&h.engine, 0, &req),
        Some(crate::resp::Reply::error(
            "UNBLOCKED the stream key no longer exists"
        ))
    );
    assert_eq!(
        key_positions(&split("XREAD COUNT 1 STREAMS a b 0 0")),
        vec![4, 5]
    );
    assert!(key_positions(&split("XREAD STREAMS a b 0")).is_empty());
}

/// DEBUG DIGEST / DIGEST-VALUE of streams equal redis-server 7.0.15's
/// (entries mixed as `ms.seq` then fields and values; groups left out).
#[test]
fn digests_match_redis() {
    replay(
        &mut Harness::new(),
        include_str!("../../../../tests/data/streams_redis7_digest.txt"),
    );
}
