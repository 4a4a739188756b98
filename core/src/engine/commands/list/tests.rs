//! List command tests. Every expectation was first read from redis-server
//! 7.0.15 (hand-written transcripts via `core/tests/data/record/transcript.py`,
//! random sessions via `record/list_session.py`) and is replayed against
//! the engine byte for byte.

use bytes::Bytes;

use super::{move_between_keys, mpop_keys, parse_mpop, pop_from_key};
use crate::engine::commands::replay::{split, Harness};
use crate::engine::types::list::Where;

#[test]
fn push_and_read() {
    Harness::new().script(
        r#"
        rpush l a b c => :3\r\n
        lpush l x y => :5\r\n
        lrange l 0 -1 => *5\r\n$1\r\ny\r\n$1\r\nx\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n
        object encoding l => $9\r\nquicklist\r\n
        type l => +list\r\n
        lpushx nokey a b => :0\r\n
        rpushx nokey a b => :0\r\n
        exists nokey => :0\r\n
        rpushx l z => :6\r\n
        llen l => :6\r\n
        llen nokey => :0\r\n
        lindex l -1 => $1\r\nz\r\n
        lindex l 6 => $-1\r\n
        lindex l abc => -ERR value is not an integer or out of range\r\n
        lindex nokey abc => $-1\r\n
        rpush l => -ERR wrong number of arguments for 'rpush' command\r\n
        lrange nokey a 1 => -ERR value is not an integer or out of range\r\n
        lrange nokey 0 -1 => *0\r\n
        "#,
    );
}

#[test]
fn ranges_and_trims() {
    Harness::new().script(
        r#"
        rpush l b c a b c a => :6\r\n
        lrange l -100 100 => *6\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n
        lrange l 3 2 => *0\r\n
        lrange l -9223372036854775808 9223372036854775807 => *6\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n
        ltrim l 1 -2 => +OK\r\n
        lrange l 0 -1 => *4\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n
        ltrim l 5 1 => +OK\r\n
        exists l => :0\r\n
        ltrim nokey a 1 => -ERR value is not an integer or out of range\r\n
        ltrim nokey 0 1 => +OK\r\n
        "#,
    );
}

#[test]
fn pops_with_and_without_count() {
    Harness::new().script(
        r#"
        rpush l a b c d e => :5\r\n
        lpop l => $1\r\na\r\n
        rpop l 2 => *2\r\n$1\r\ne\r\n$1\r\nd\r\n
        lpop l 0 => *0\r\n
        lpop l 10 => *2\r\n$1\r\nb\r\n$1\r\nc\r\n
        exists l => :0\r\n
        lpop l => $-1\r\n
        lpop nokey 0 => *-1\r\n
        lpop nokey abc => -ERR value is out of range, must be positive\r\n
        lpop nokey -1 => -ERR value is out of range, must be positive\r\n
        lpop l 1 2 => -ERR wrong number of arguments for 'lpop' command\r\n
        @resp3 => ok
        lpop nokey => _\r\n
        rpop nokey 1 => _\r\n
        "#,
    );
}

#[test]
fn lset_linsert_lrem() {
    Harness::new().script(
        r#"
        set s x => +OK\r\n
        rpush l2 x => :1\r\n
        linsert l2 before y z => :-1\r\n
        linsert l2 BEFORE x w => :2\r\n
        linsert l2 after x z => :3\r\n
        lrange l2 0 -1 => *3\r\n$1\r\nw\r\n$1\r\nx\r\n$1\r\nz\r\n
        lset l2 3 q => -ERR index out of range\r\n
        lset l2 -4 q => -ERR index out of range\r\n
        lset l2 -3 q => +OK\r\n
        lset l2 abc q => -ERR value is not an integer or out of range\r\n
        lset s 0 q => -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
        lset s abc q => -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
        lset nokey abc x => -ERR no such key\r\n
        linsert s before a b => -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
        linsert s middle a b => -ERR syntax error\r\n
        linsert nokey before a b => :0\r\n
        linsert nokey middle a b => -ERR syntax error\r\n
        lrem s 1 a => -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
        lrem s a a => -ERR value is not an integer or out of range\r\n
        lrem nokey a x => -ERR value is not an integer or out of range\r\n
        rpush l a b c a b c a => :7\r\n
        lrem l -9223372036854775808 a => :3\r\n
        lrem l -1 b => :1\r\n
        lrange l 0 -1 => *3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nc\r\n
        lrem l 0 c => :2\r\n
        lrem l 0 b => :1\r\n
        exists l => :0\r\n
        "#,
    );
}

#[test]
fn lpos_options_and_errors() {
    Harness::new().script(
        r#"
        rpush l a b c a b c a => :7\r\n
        lpos l a rank -9223372036854775808 => :6\r\n
        lpos l a rank 9223372036854775807 => $-1\r\n
        lpos l a rank -1 => :6\r\n
        lpos l a rank -1 count 0 => *3\r\n:6\r\n:3\r\n:0\r\n
        lpos l a rank 2 count 2 maxlen 5 => *1\r\n:3\r\n
        lpos l a count -1 => -ERR COUNT can't be negative\r\n
        lpos l a maxlen -1 => -ERR MAXLEN can't be negative\r\n
        lpos l a rank 0 => -ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n
        lpos l a rank => -ERR syntax error\r\n
        lpos l a foo => -ERR syntax error\r\n
        lpos nokey a => $-1\r\n
        lpos nokey a count 1 => *0\r\n
        lpos nokey a rank 0 => -ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n
        lpos l z count 1 => *0\r\n
        lpos l a rank -9223372036854775808 count 1 => *3\r\n:6\r\n:3\r\n:0\r\n
        lpos l a rank -9223372036854775808 count 0 => *3\r\n:6\r\n:3\r\n:0\r\n
        lpos l a rank -9223372036854775807 count 1 => *0\r\n
        lpos l a rank abc => -ERR value is not an integer or out of range\r\n
        lpos l a count abc => -ERR COUNT can't be negative\r\n
        lpos l a maxlen abc => -ERR MAXLEN can't be negative\r\n
        lpos l a rank 1 rank -1 => :6\r\n
        lpos l a count 1 count 0 => *3\r\n:0\r\n:3\r\n:6\r\n
        lpos l a RANK -2 MAXLEN 3 => $-1\r\n
        lpos l a RANK -2 MAXLEN 4 => :3\r\n
        lpos l a count 0 maxlen 0 => *3\r\n:0\r\n:3\r\n:6\r\n
        set s x => +OK\r\n
        lpos s a => -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
        lpos s a rank 0 => -ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n
        lpos s a count 1 => -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
        "#,
    );
}

#[test]
fn lmpop_errors_and_replies() {
    Harness::new().script(
        r#"
        rpush l a b c a b c a => :7\r\n
        lmpop 9223372036854775807 a left => -ERR syntax error\r\n
        lmpop 0 a left => -ERR numkeys should be greater than 0\r\n
        lmpop -1 a left => -ERR numkeys should be greater than 0\r\n
        lmpop abc a left => -ERR numkeys should be greater than 0\r\n
        lmpop 2 a left => -ERR syntax error\r\n
        lmpop 1 a middle => -ERR syntax error\r\n
        lmpop 1 a left count 0 => -ERR count should be greater than 0\r\n
        lmpop 1 a left count 1 count 1 => -ERR syntax error\r\n
        lmpop 1 l left count => -ERR syntax error\r\n
        lmpop 1 l left count 2 => *2\r\n$1\r\nl\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n
        lmpop 2 nokey l right count 20 => *2\r\n$1\r\nl\r\n*5\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nc\r\n
        lmpop 1 l left => *-1\r\n
        set s x => +OK\r\n
        lmpop 1 s left => -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
        lmpop 2 nokey s left => -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
        rpush l a => :1\r\n
        lmpop 2 l s left => *2\r\n$1\r\nl\r\n*1\r\n$1\r\na\r\n
        @resp3 => ok
        lmpop 1 l left => _\r\n
        "#,
    );
}

#[test]
fn lmove_and_rpoplpush() {
    Harness::new().script(
        r#"
        rpush l a b c a b c => :6\r\n
        set s x => +OK\r\n
        lmove s l left left => -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
        lmove l s left left => -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
        lmove nokey s left left => $-1\r\n
        lmove nokey l up left => -ERR syntax error\r\n
        lmove l l left right => $1\r\na\r\n
        lrange l 0 -1 => *6\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n
        rpoplpush l l => $1\r\na\r\n
        lrange l 0 -1 => *6\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n
        rpush one x => :1\r\n
        lmove one one right left => $1\r\nx\r\n
        lrange one 0 -1 => *1\r\n$1\r\nx\r\n
        lmove one dst right left => $1\r\nx\r\n
        exists one => :0\r\n
        lrange dst 0 -1 => *1\r\n$1\r\nx\r\n
        rpoplpush l dst => $1\r\nc\r\n
        lmove l dst LEFT RIGHT => $1\r\na\r\n
        lrange dst 0 -1 => *3\r\n$1\r\nc\r\n$1\r\nx\r\n$1\r\na\r\n
        "#,
    );
}

/// Read commands count keyspace hits and misses (as `lookupKeyRead`);
/// write commands do not. Counts read from redis-server 7.0.15's INFO
/// after the same sequence.
#[test]
fn read_commands_count_hits_and_misses() {
    Harness::new().script(
        r#"
        rpush l a b c => :3\r\n
        llen l => :3\r\n
        llen nokey => :0\r\n
        lrange l 0 -1 => *3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n
        lrange nokey 0 -1 => *0\r\n
        lindex l 0 => $1\r\na\r\n
        lindex nokey 0 => $-1\r\n
        lpos l a => :0\r\n
        lpos nokey a => $-1\r\n
        lpop l => $1\r\na\r\n
        lset l 0 x => +OK\r\n
        lrem l 0 x => :1\r\n
        ltrim l 0 -1 => +OK\r\n
        linsert l before b z => :-1\r\n
        lmove l m left left => $1\r\nc\r\n
        lmpop 2 nokey l left => *-1\r\n
        set s x => +OK\r\n
        llen s => -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
        @stats => 5 4
        "#,
    );
}

/// Random command sequences (valid and invalid, over four lists and a
/// string key) recorded from redis-server 7.0.15, replayed here; the third
/// session speaks RESP3.
#[test]
fn replays_recorded_random_sessions() {
    for transcript in [
        include_str!("../../../../tests/data/lists_redis7_seed1.txt"),
        include_str!("../../../../tests/data/lists_redis7_seed2.txt"),
        include_str!("../../../../tests/data/lists_redis7_seed3_resp3.txt"),
    ] {
        Harness::new().script(transcript);
    }
}

/// String commands against a list key, recorded by the strings work for
/// when lists existed (WRONGTYPE and which error wins).
#[test]
fn string_commands_against_a_list() {
    Harness::new().script(include_str!(
        "../../../../tests/data/strings_wrongtype_redis7.txt"
    ));
}

/// Modifications are signalled (the `dirty` counter moves) and non-changes
/// are not.
#[test]
fn modifications_are_signalled_only_when_something_changed() {
    let mut h = Harness::new();
    let dirty_after = |h: &mut Harness, cmd: &str| {
        let before = h.engine.stats.dirty;
        h.run(split(cmd));
        h.engine.stats.dirty - before
    };
    assert!(dirty_after(&mut h, "rpush l a b c") > 0);
    assert_eq!(dirty_after(&mut h, "lpushx nokey a"), 0);
    assert_eq!(dirty_after(&mut h, "linsert l before zz x"), 0);
    assert!(dirty_after(&mut h, "linsert l before b x") > 0);
    assert_eq!(dirty_after(&mut h, "lrem l 0 zz"), 0);
    assert!(dirty_after(&mut h, "lrem l 0 x") > 0);
    assert_eq!(dirty_after(&mut h, "lset l 9 x"), 0);
    assert!(dirty_after(&mut h, "lset l 0 x") > 0);
    assert_eq!(dirty_after(&mut h, "lpop l 0"), 0);
    assert_eq!(dirty_after(&mut h, "lpop nokey"), 0);
    assert!(dirty_after(&mut h, "lpop l") > 0);
    assert_eq!(dirty_after(&mut h, "lmove nokey l left left"), 0);
    assert!(dirty_after(&mut h, "lmove l m left left") > 0);
    assert_eq!(dirty_after(&mut h, "lmpop 1 nokey left"), 0);
    assert!(dirty_after(&mut h, "lmpop 1 m left") > 0);
    // LTRIM signals even when it keeps everything, as Redis does.
    assert!(dirty_after(&mut h, "ltrim l 0 -1") > 0);
    assert_eq!(dirty_after(&mut h, "ltrim nokey 0 -1"), 0);
}

#[test]
fn stored_elements_do_not_pin_the_request_buffer() {
    let mut h = Harness::new();
    let request = Bytes::from(b"rpush key element".to_vec());
    let argv = vec![
        request.slice(0..5),
        request.slice(6..9),
        request.slice(10..),
    ];
    h.engine.execute(h.client, &argv, h.now);
    drop(argv);
    assert!(request.is_unique());
}

/// The keyspace-level helpers the blocking commands call.
#[test]
fn blocking_helpers() {
    let mut h = Harness::new();
    let now = h.now;
    h.run(split("rpush a 1 2 3"));
    h.run(split("set s x"));
    let e = &mut h.engine;
    assert_eq!(
        pop_from_key(e, 0, b"nokey", Where::Head, None, now),
        Ok(None)
    );
    assert!(pop_from_key(e, 0, b"s", Where::Head, None, now).is_err());
    assert_eq!(
        pop_from_key(e, 0, b"a", Where::Tail, Some(2), now),
        Ok(Some(vec![
            Bytes::from_static(b"3"),
            Bytes::from_static(b"2")
        ]))
    );
    assert_eq!(
        move_between_keys(e, 0, b"a", b"b", Where::Head, Where::Tail, now),
        Ok(Some(Bytes::from_static(b"1")))
    );
    assert!(e.dbs[0].keys.get(b"a").is_none());
    assert!(move_between_keys(e, 0, b"b", b"s", Where::Head, Where::Tail, now).is_err());
    let keys = [Bytes::from_static(b"nokey"), Bytes::from_static(b"b")];
    assert_eq!(
        mpop_keys(e, 0, &keys, Where::Head, 5, now),
        Ok(Some((
            Bytes::from_static(b"b"),
            vec![Bytes::from_static(b"1")]
        )))
    );
    assert_eq!(mpop_keys(e, 0, &keys, Where::Head, 5, now), Ok(None));
    // BLMPOP's layout: timeout first, numkeys at 2.
    let args = parse_mpop(&split("blmpop 0 2 x y right count 3"), 2).unwrap();
    assert_eq!(args.keys, 3..5);
    assert_eq!(args.end, Where::Tail);
    assert_eq!(args.count, 3);
}

mod no_panics {
    use bytes::Bytes;
    use proptest::prelude::*;

    use crate::engine::commands::replay::Harness;
    use crate::engine::value::Value;

    /// Any argument a client could send to a list command.
    fn arg() -> impl Strategy<Value = Bytes> {
        prop_oneof![
            prop::sample::select(vec![
                "a",
                "b",
                "s",
                "left",
                "RIGHT",
                "before",
                "after",
                "count",
                "rank",
                "maxlen",
                "0",
                "1",
                "-1",
                "2",
                "-2",
                "3",
                "",
                "x",
                "9223372036854775807",
                "-9223372036854775808",
                "18446744073709551616",
            ])
            .prop_map(|s| Bytes::from_static(s.as_bytes())),
            any::<i64>().prop_map(|n| Bytes::from(n.to_string())),
            proptest::collection::vec(any::<u8>(), 0..4).prop_map(Bytes::from),
        ]
    }

    fn command() -> impl Strategy<Value = Vec<Bytes>> {
        let name = prop::sample::select(vec![
            "lpush",
            "rpush",
            "lpushx",
            "rpushx",
            "lpop",
            "rpop",
            "llen",
            "lrange",
            "lindex",
            "lset",
            "linsert",
            "lrem",
            "ltrim",
            "lpos",
            "lmove",
            "rpoplpush",
            "lmpop",
            "set",
        ]);
        (name, proptest::collection::vec(arg(), 0..8)).prop_map(|(n, mut args)| {
            args.insert(0, Bytes::from_static(n.as_bytes()));
            args
        })
    }

    proptest! {
        /// Arbitrary list commands never panic, always answer, and never
        /// leave an empty list in the keyspace.
        #[test]
        fn arbitrary_commands(cmds in proptest::collection::vec(command(), 1..40)) {
            let mut h = Harness::new();
            for argv in cmds {
                let out = h.engine.execute(h.client, &argv, h.now);
                prop_assert!(out.reply.is_some());
                for (_, entry) in h.engine.dbs[0].keys.iter() {
                    if let Value::List(l) = &entry.value {
                        prop_assert!(!l.is_empty());
                    }
                }
            }
        }
    }
}

/// DEBUG DIGEST mixes a list's elements head to tail; digests read from
/// redis-server 7.0.15 for the same data.
#[test]
fn debug_digest_of_lists() {
    Harness::new().script(
        r#"
        rpush l a b 1 "" xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx -5 01 => :7\r\n
        debug digest-value l => *1\r\n+44fb3f6460956db75c6ce1021dcd402d7cd488eb\r\n
        debug digest => +2d36b2d85b6e9b070673e1a7b64867b34af42e92\r\n
        expire l 100 => :1\r\n
        debug digest => +885a0f525a607bd671bdcfefb9a9eb3999bb3f73\r\n
        rpush m 1 => :1\r\n
        debug digest-value l m nokey => *3\r\n+a27ec19bbcac87e39d7a0afa58a78fb6667ac968\r\n+d944b698cb33b33319dabaa22974ac8b38340762\r\n+0000000000000000000000000000000000000000\r\n
        debug digest => +91000ad58b878e0dc45e4ee3b9ecfc0fc909b138\r\n
        "#,
    );
}

/// Key extraction for the list commands (LMPOP's keys depend on numkeys).
#[test]
fn command_getkeys() {
    Harness::new().script(
        r#"
        command getkeys lmpop 2 a b left count 3 => *2\r\n$1\r\na\r\n$1\r\nb\r\n
        command getkeys lmove a b left right => *2\r\n$1\r\na\r\n$1\r\nb\r\n
        command getkeys rpush k a b => *1\r\n$1\r\nk\r\n
        command getkeys lmpop 0 a left => -ERR Invalid arguments specified for command\r\n
        "#,
    );
}
