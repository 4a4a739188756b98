//! String command tests. Every expectation is a transcript line recorded
//! from redis-server 7.0.15 (`command => raw RESP reply`, escaped as Python
//! prints bytes), replayed against the engine byte for byte. Facts the
//! engine cannot yet ask through commands (OBJECT ENCODING, TTL, INFO
//! stats) use `@` pseudo-commands whose expectations were read from the
//! same server.

use bytes::Bytes;

use super::lcs::lcs;
use super::range::getrange_bounds;
use crate::config::Config;
use crate::engine::commands::replay::Harness;

#[test]
fn set_options_and_errors() {
    Harness::new().script(
        r#"
        set k v ex 10 => +OK\r\n
        @ttl k => 10
        set k v ex 0 => -ERR invalid expire time in 'set' command\r\n
        set k v ex -1 => -ERR invalid expire time in 'set' command\r\n
        set k v ex abc => -ERR value is not an integer or out of range\r\n
        set k v ex 9223372036854775 => -ERR invalid expire time in 'set' command\r\n
        set k v ex 9223372036854776 => -ERR invalid expire time in 'set' command\r\n
        set k v ex 9223372036854775807 => -ERR invalid expire time in 'set' command\r\n
        set k v px 9223372036854775807 => -ERR invalid expire time in 'set' command\r\n
        set k v px 9223372036854775806 => -ERR invalid expire time in 'set' command\r\n
        @pttl k => 10000
        set k v exat 9223372036854775 => +OK\r\n
        set k v exat 9223372036854776 => -ERR invalid expire time in 'set' command\r\n
        set k v exat 1 => +OK\r\n
        exists k => :0\r\n
        set k v pxat 1 => +OK\r\n
        set k v ex 10 px 10 => -ERR syntax error\r\n
        set k v ex 10 ex 10 => +OK\r\n
        set k v nx xx => -ERR syntax error\r\n
        set k v nx nx => $-1\r\n
        set k v xx xx => +OK\r\n
        set k v keepttl ex 10 => -ERR syntax error\r\n
        set k v ex 10 keepttl => -ERR syntax error\r\n
        set k v get get => $1\r\nv\r\n
        set k v ex => -ERR syntax error\r\n
        set k v foo => -ERR syntax error\r\n
        set k v nx get => $1\r\nv\r\n
        get k => $1\r\nv\r\n
        set k v xx get => $1\r\nv\r\n
        set k2 v xx get => $-1\r\n
        set k2 v nx get => $-1\r\n
        set k2 v2 nx get => $1\r\nv\r\n
        set k v EX 10 GET => $1\r\nv\r\n
        set k v ex 10 nx => $-1\r\n
        set k v keepttl => +OK\r\n
        @ttl k => 10
        set k v => +OK\r\n
        @ttl k => -1
        set k v px 0 => -ERR invalid expire time in 'set' command\r\n
        set k v pxat 0 => -ERR invalid expire time in 'set' command\r\n
        set k v exat 0 => -ERR invalid expire time in 'set' command\r\n
        set k v ex 1.5 => -ERR value is not an integer or out of range\r\n
        set k v ex 9223372036854775808 => -ERR value is not an integer or out of range\r\n
        set k v ex 10 foo => -ERR syntax error\r\n
        set k v foo ex 10 => -ERR syntax error\r\n
        set k v ex 10 ex abc => -ERR value is not an integer or out of range\r\n
        set k v get xx nx => -ERR syntax error\r\n
        set k v nx xx get => -ERR syntax error\r\n
        set => -ERR wrong number of arguments for 'set' command\r\n
        set k => -ERR wrong number of arguments for 'set' command\r\n
        set k v ex 10 px => -ERR syntax error\r\n
        set k v px 5 pxat 5 => -ERR syntax error\r\n
        set k v exat 5 pxat 5 => -ERR syntax error\r\n
        set k v persist => -ERR syntax error\r\n
        "#,
    );
}

#[test]
fn set_expiry_and_keyspace_stats() {
    Harness::new().script(
        r#"
        set s hello => +OK\r\n
        @stats => 0 0
        get s => $5\r\nhello\r\n
        get nope => $-1\r\n
        @stats => 1 1
        set s v get => $5\r\nhello\r\n
        set nope10 v get => $-1\r\n
        @stats => 2 2
        set s v nx => $-1\r\n
        set s v xx => +OK\r\n
        @stats => 2 2
        set s v exat 1 => +OK\r\n
        dbsize => :2\r\n
        exists s => :0\r\n
        set s v px 1 => +OK\r\n
        @sleep 2 => ok
        get s => $-1\r\n
        psetex s 1 v => +OK\r\n
        @sleep 2 => ok
        exists s => :0\r\n
        setex s 10 v => +OK\r\n
        @ttl s => 10
        setex s 0 v => -ERR invalid expire time in 'setex' command\r\n
        setex s 9223372036854776 v => -ERR invalid expire time in 'setex' command\r\n
        setex s 9223372036854775 v => -ERR invalid expire time in 'setex' command\r\n
        setex s 9223372036854 v => +OK\r\n
        psetex s 9223372036854775807 v => -ERR invalid expire time in 'psetex' command\r\n
        psetex s 9223372036854775000 v => -ERR invalid expire time in 'psetex' command\r\n
        psetex s -1 v => -ERR invalid expire time in 'psetex' command\r\n
        setex s abc v => -ERR value is not an integer or out of range\r\n
        setex s 10 => -ERR wrong number of arguments for 'setex' command\r\n
        "#,
    );
}

#[test]
fn encodings_follow_redis() {
    Harness::new().script(
        r#"
        set k 10.5 => +OK\r\n
        @enc k => embstr
        incrbyfloat k 0.1 => $4\r\n10.6\r\n
        @enc k => embstr
        set k 123 => +OK\r\n
        @enc k => int
        append k 4 => :4\r\n
        @enc k => raw
        incr k => :1235\r\n
        @enc k => int
        append n 5 => :1\r\n
        @enc n => int
        set e "" => +OK\r\n
        append e "" => :0\r\n
        @enc e => raw
        get e => $0\r\n\r\n
        append newk "" => :0\r\n
        exists newk => :1\r\n
        @enc newk => embstr
        set big 123456789012345678901 => +OK\r\n
        @enc big => embstr
        set big 12345678901234567890 => +OK\r\n
        @enc big => embstr
        set big 1234567890123456789 => +OK\r\n
        @enc big => int
        set big -9223372036854775808 => +OK\r\n
        @enc big => int
        set big 01 => +OK\r\n
        @enc big => embstr
        set big " 1" => +OK\r\n
        @enc big => embstr
        set big +1 => +OK\r\n
        @enc big => embstr
        set big -0 => +OK\r\n
        @enc big => embstr
        set big 012345678901234567890123456789012345678901234 => +OK\r\n
        @enc big => raw
        set big 01234567890123456789012345678901234567890123 => +OK\r\n
        @enc big => embstr
        getset big 5 => $44\r\n01234567890123456789012345678901234567890123\r\n
        @enc big => int
        getset nn 5 => $-1\r\n
        @enc nn => int
        setnx sn 5 => :1\r\n
        @enc sn => int
        mset m1 5 m2 abc => +OK\r\n
        @enc m1 => int
        @enc m2 => embstr
        setex se 100 5 => +OK\r\n
        @enc se => int
        set s 5 ex 100 => +OK\r\n
        @enc s => int
        set s 5 keepttl => +OK\r\n
        @enc s => int
        getdel s => $1\r\n5\r\n
        @enc s => none
        set big 12345 => +OK\r\n
        append big 6 => :6\r\n
        @enc big => raw
        incr big => :123457\r\n
        @enc big => int
        setrange big 0 9 => :6\r\n
        @enc big => raw
        get big => $6\r\n923457\r\n
        incr big => :923458\r\n
        @enc big => int
        incrbyfloat new 3 => $1\r\n3\r\n
        @enc new => embstr
        set n 12 => +OK\r\n
        setrange n 0 "" => :2\r\n
        @enc n => int
        setrange n 1 3 => :2\r\n
        @enc n => raw
        get n => $2\r\n13\r\n
        set e "" => +OK\r\n
        setrange e 0 "" => :0\r\n
        @enc e => embstr
        "#,
    );
}

#[test]
fn read_commands_count_hits_and_misses() {
    Harness::new().script(
        r#"
        set s hello => +OK\r\n
        mget s nope => *2\r\n$5\r\nhello\r\n$-1\r\n
        @stats => 1 1
        getrange s 0 1 => $2\r\nhe\r\n
        getrange nope 0 1 => $0\r\n\r\n
        substr s 0 1 => $2\r\nhe\r\n
        @stats => 3 2
        strlen s => :5\r\n
        strlen nope => :0\r\n
        @stats => 4 3
        getset s x => $5\r\nhello\r\n
        getset nope2 x => $-1\r\n
        @stats => 5 4
        getdel nope3 => $-1\r\n
        getdel s => $1\r\nx\r\n
        @stats => 6 5
        set s hello => +OK\r\n
        getex s => $5\r\nhello\r\n
        getex nope => $-1\r\n
        @stats => 7 6
        append s x => :6\r\n
        append nope4 x => :1\r\n
        incr nope5 => :1\r\n
        incr s => -ERR value is not an integer or out of range\r\n
        setrange s 0 x => :6\r\n
        setrange nope6 0 x => :1\r\n
        incrbyfloat nope7 1 => $1\r\n1\r\n
        setnx s x => :0\r\n
        setnx nope8 x => :1\r\n
        msetnx s x => :0\r\n
        msetnx nope9 x => :1\r\n
        @stats => 7 6
        lcs s nope => $0\r\n\r\n
        @stats => 8 7
        lcs s s => $6\r\nxellox\r\n
        @stats => 10 7
        "#,
    );
}

#[test]
fn getex_options() {
    Harness::new().script(
        r#"
        set s hello => +OK\r\n
        getex s ex 10 => $5\r\nhello\r\n
        @ttl s => 10
        getex s persist => $5\r\nhello\r\n
        @ttl s => -1
        getex s px 5000 => $5\r\nhello\r\n
        @pttl s => 5000
        getex s exat 1800000000 => $5\r\nhello\r\n
        @ttl s => 100000000
        getex s pxat 1800000000000 => $5\r\nhello\r\n
        getex s ex 0 => -ERR invalid expire time in 'getex' command\r\n
        getex s ex -5 => -ERR invalid expire time in 'getex' command\r\n
        getex s ex abc => -ERR value is not an integer or out of range\r\n
        @stats => 8 0
        getex s ex 10 px 10 => -ERR syntax error\r\n
        @stats => 8 0
        getex s ex 10 ex 20 => $5\r\nhello\r\n
        @ttl s => 20
        getex s persist persist => $5\r\nhello\r\n
        getex s persist ex 10 => -ERR syntax error\r\n
        getex s ex 10 persist => -ERR syntax error\r\n
        getex s foo => -ERR syntax error\r\n
        getex s ex => -ERR syntax error\r\n
        getex s nx => -ERR syntax error\r\n
        getex s keepttl => -ERR syntax error\r\n
        getex s get => -ERR syntax error\r\n
        getex s ex 9223372036854776 => -ERR invalid expire time in 'getex' command\r\n
        getex s exat 9223372036854776 => -ERR invalid expire time in 'getex' command\r\n
        getex s exat 9223372036854775 => $5\r\nhello\r\n
        getex s pxat 1 => $5\r\nhello\r\n
        @enc s => none
        exists s => :0\r\n
        set s hello => +OK\r\n
        getex s exat 1 => $5\r\nhello\r\n
        exists s => :0\r\n
        getex nope ex abc => $-1\r\n
        getex nope ex 10 => $-1\r\n
        getex nope foo => -ERR syntax error\r\n
        set s hello => +OK\r\n
        getex s PERSIST => $5\r\nhello\r\n
        "#,
    );
    let mut h = Harness::new();
    h.script("set s v => +OK\\r\\n\ngetex s pxat 1 => $1\\r\\nv\\r\\n");
    // Deleted by GETEX itself, not by expiry.
    h.script("exists s => :0\\r\\n");
    assert_eq!(h.engine.stats.expired_keys, 0);
}

#[test]
fn mset_msetnx() {
    Harness::new().script(
        r#"
        mset a 1 b => -ERR wrong number of arguments for 'mset' command\r\n
        mset a => -ERR wrong number of arguments for 'mset' command\r\n
        mset a 1 b 2 => +OK\r\n
        mget a b c => *3\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n
        msetnx a 1 b => -ERR wrong number of arguments for 'msetnx' command\r\n
        msetnx x 1 y 2 => :1\r\n
        msetnx x 1 z 2 => :0\r\n
        exists z => :0\r\n
        mset a 1 a 2 => +OK\r\n
        get a => $1\r\n2\r\n
        msetnx q 1 q 2 => :1\r\n
        get q => $1\r\n2\r\n
        append a 123 => :4\r\n
        get a => $4\r\n2123\r\n
        mget => -ERR wrong number of arguments for 'mget' command\r\n
        "#,
    );
}

#[test]
fn ttl_is_kept_or_dropped_as_redis_does() {
    Harness::new().script(
        r#"
        set t v ex 100 => +OK\r\n
        getset t w => $1\r\nv\r\n
        @ttl t => -1
        set t 5 ex 100 => +OK\r\n
        incr t => :6\r\n
        @ttl t => 100
        incrbyfloat t 1.5 => $3\r\n7.5\r\n
        @ttl t => 100
        append t x => :4\r\n
        @ttl t => 100
        setrange t 0 y => :4\r\n
        @ttl t => 100
        getex t persist => $4\r\ny.5x\r\n
        @ttl t => -1
        "#,
    );
}

#[test]
fn incr_family() {
    Harness::new().script(
        r#"
        set x 9223372036854775807 => +OK\r\n
        incr x => -ERR increment or decrement would overflow\r\n
        incrby x 0 => :9223372036854775807\r\n
        set x -9223372036854775808 => +OK\r\n
        decr x => -ERR increment or decrement would overflow\r\n
        decrby x 1 => -ERR increment or decrement would overflow\r\n
        set y 5 => +OK\r\n
        decrby y -9223372036854775808 => -ERR decrement would overflow\r\n
        decrby y 9223372036854775807 => :-9223372036854775802\r\n
        incrby y -9223372036854775808 => -ERR increment or decrement would overflow\r\n
        incrby y abc => -ERR value is not an integer or out of range\r\n
        incrby y 1.5 => -ERR value is not an integer or out of range\r\n
        incrby y " 5" => -ERR value is not an integer or out of range\r\n
        incrby y +5 => -ERR value is not an integer or out of range\r\n
        incrby y 05 => -ERR value is not an integer or out of range\r\n
        set y " 5" => +OK\r\n
        incr y => -ERR value is not an integer or out of range\r\n
        set y 5.0 => +OK\r\n
        incr y => -ERR value is not an integer or out of range\r\n
        set y "" => +OK\r\n
        incr y => -ERR value is not an integer or out of range\r\n
        set y 0005 => +OK\r\n
        incr y => -ERR value is not an integer or out of range\r\n
        incr newint => :1\r\n
        decr nope2 => :-1\r\n
        decrby nope3 -5 => :5\r\n
        set big 12345 => +OK\r\n
        append big 6 => :6\r\n
        incr big => :123457\r\n
        get big => $6\r\n123457\r\n
        incrby big 9223372036854775807 => -ERR increment or decrement would overflow\r\n
        incr => -ERR wrong number of arguments for 'incr' command\r\n
        "#,
    );
}

#[test]
fn incrbyfloat_replies_and_errors() {
    Harness::new().script(
        r#"
        set k 10.5 => +OK\r\n
        incrbyfloat k 0.1 => $4\r\n10.6\r\n
        incrbyfloat k 1e2 => $5\r\n110.6\r\n
        incrbyfloat k inf => -ERR increment would produce NaN or Infinity\r\n
        incrbyfloat k -inf => -ERR increment would produce NaN or Infinity\r\n
        incrbyfloat k nan => -ERR value is not a valid float\r\n
        incrbyfloat k infinity => -ERR increment would produce NaN or Infinity\r\n
        incrbyfloat k INF => -ERR increment would produce NaN or Infinity\r\n
        incrbyfloat k +1 => $5\r\n111.6\r\n
        incrbyfloat k " 1" => -ERR value is not a valid float\r\n
        incrbyfloat k "1 " => -ERR value is not a valid float\r\n
        incrbyfloat k 0x10 => $5\r\n127.6\r\n
        incrbyfloat k 0x1p-2 => $6\r\n127.85\r\n
        incrbyfloat k 0x.8 => $21\r\n128.35000000000000001\r\n
        incrbyfloat k 0x => -ERR value is not a valid float\r\n
        incrbyfloat k 1e => -ERR value is not a valid float\r\n
        incrbyfloat k "" => -ERR value is not a valid float\r\n
        incrbyfloat k 1e5000 => -ERR value is not a valid float\r\n
        incrbyfloat k 1e-5000 => -ERR value is not a valid float\r\n
        incrbyfloat k "1\x00" => -ERR value is not a valid float\r\n
        get k => $21\r\n128.35000000000000001\r\n
        set k inf => +OK\r\n
        incrbyfloat k 1 => -ERR increment would produce NaN or Infinity\r\n
        set f 1 => +OK\r\n
        incrbyfloat f abc => -ERR value is not a valid float\r\n
        incrbyfloat nope abc => -ERR value is not a valid float\r\n
        exists nope => :0\r\n
        set k 5 => +OK\r\n
        incrbyfloat k -5 => $1\r\n0\r\n
        set k -0.0 => +OK\r\n
        incrbyfloat k -0.0 => $1\r\n0\r\n
        incrbyfloat z 0.000003814697265625 => $19\r\n0.00000381469726562\r\n
        incrbyfloat z9 -0.000000000000000001 => $1\r\n0\r\n
        set k 9223372036854775807 => +OK\r\n
        incrbyfloat k 0 => $19\r\n9223372036854775807\r\n
        set k abc => +OK\r\n
        incrbyfloat k 1 => -ERR value is not a valid float\r\n
        "#,
    );
}

#[test]
fn getrange_edges() {
    Harness::new().script(
        r#"
        set s hello => +OK\r\n
        getrange s 0 -1 => $5\r\nhello\r\n
        getrange s 0 -100 => $1\r\nh\r\n
        getrange s -1 -5 => $0\r\n\r\n
        getrange s -5 -1 => $5\r\nhello\r\n
        getrange s -100 -50 => $1\r\nh\r\n
        getrange s -100 -1 => $5\r\nhello\r\n
        getrange s 5 3 => $0\r\n\r\n
        getrange s 3 3 => $1\r\nl\r\n
        getrange s 4 100 => $1\r\no\r\n
        getrange s 5 100 => $0\r\n\r\n
        getrange s 1 -5 => $0\r\n\r\n
        getrange s 1 -4 => $1\r\ne\r\n
        getrange s -9223372036854775808 9223372036854775807 => $5\r\nhello\r\n
        getrange s 9223372036854775807 -9223372036854775808 => $0\r\n\r\n
        getrange s -9223372036854775808 -9223372036854775808 => $1\r\nh\r\n
        getrange s 0 0 => $1\r\nh\r\n
        getrange s a 0 => -ERR value is not an integer or out of range\r\n
        getrange nope a 0 => -ERR value is not an integer or out of range\r\n
        getrange nope 0 b => -ERR value is not an integer or out of range\r\n
        getrange s 0 9223372036854775808 => -ERR value is not an integer or out of range\r\n
        set e "" => +OK\r\n
        getrange e 0 -1 => $0\r\n\r\n
        getrange e 0 0 => $0\r\n\r\n
        getrange e -1 -1 => $0\r\n\r\n
        set n 12345 => +OK\r\n
        getrange n 1 -2 => $3\r\n234\r\n
        getrange n -2 -1 => $2\r\n45\r\n
        substr s 1 2 => $2\r\nel\r\n
        substr s 1 => -ERR wrong number of arguments for 'substr' command\r\n
        "#,
    );
    assert_eq!(getrange_bounds(0, -1, 0), None);
    assert_eq!(getrange_bounds(i64::MIN, i64::MAX, 3), Some((0, 2)));
}

#[test]
fn setrange_and_append_limits() {
    let mut config = Config::default();
    config.proto_max_bulk_len = 1000;
    Harness::with_config(config).script(
        r#"
        setrange s 5 hi => :7\r\n
        get s => $7\r\n\x00\x00\x00\x00\x00hi\r\n
        @enc s => raw
        setrange s -1 x => -ERR offset is out of range\r\n
        setrange s abc x => -ERR value is not an integer or out of range\r\n
        setrange nope 0 "" => :0\r\n
        exists nope => :0\r\n
        setrange nope 100 "" => :0\r\n
        exists nope => :0\r\n
        setrange nope -1 "" => -ERR offset is out of range\r\n
        setrange s 999 "" => :7\r\n
        setrange s 999 x => :1000\r\n
        setrange s 1000 x => -ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n
        setrange s 998 xy => :1000\r\n
        setrange s 999 xy => -ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n
        setrange nope 1000 x => -ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n
        setrange nope 999 xy => -ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n
        setrange nope 1000 "" => :0\r\n
        setrange s 1000 "" => :1000\r\n
        strlen s => :1000\r\n
        append s x => -ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n
        append s "" => :1000\r\n
        setrange nope 9223372036854775807 x => -ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n
        setrange nope 9223372036854775806 xy => -ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n
        setrange s 9223372036854775807 x => -ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n
        setrange s 9223372036854775808 x => -ERR value is not an integer or out of range\r\n
        set e "" => +OK\r\n
        setrange e 2 "" => :0\r\n
        setrange e 2 a => :3\r\n
        get e => $3\r\n\x00\x00a\r\n
        "#,
    );
}

#[test]
fn lcs_replies() {
    Harness::new().script(
        r#"
        mset key1 ohmytext key2 mynewtext => +OK\r\n
        lcs key1 key2 => $6\r\nmytext\r\n
        lcs key1 key2 len => :6\r\n
        lcs key1 key2 idx => *4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n
        lcs key1 key2 idx minmatchlen 4 => *4\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n$3\r\nlen\r\n:6\r\n
        lcs key1 key2 idx minmatchlen 4 withmatchlen => *4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n
        lcs key1 key2 idx withmatchlen => *4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n
        lcs key1 key2 len idx => -ERR If you want both the length and indexes, please just use IDX.\r\n
        lcs key1 key2 idx len => -ERR If you want both the length and indexes, please just use IDX.\r\n
        lcs key1 key2 minmatchlen => -ERR syntax error\r\n
        lcs key1 key2 minmatchlen abc => -ERR value is not an integer or out of range\r\n
        lcs key1 key2 minmatchlen -5 idx => *4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n
        lcs key1 key2 foo => -ERR syntax error\r\n
        lcs key1 key2 len withmatchlen => :6\r\n
        lcs key1 key2 withmatchlen => $6\r\nmytext\r\n
        lcs key1 key2 minmatchlen 100 => $6\r\nmytext\r\n
        lcs key1 nope idx => *4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n
        lcs nope nope2 idx => *4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n
        lcs nope nope2 => $0\r\n\r\n
        lcs nope nope2 len => :0\r\n
        set a 12345 => +OK\r\n
        set b 2345 => +OK\r\n
        lcs a b idx withmatchlen => *4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:1\r\n:4\r\n*2\r\n:0\r\n:3\r\n:4\r\n$3\r\nlen\r\n:4\r\n
        lcs key1 => -ERR wrong number of arguments for 'lcs' command\r\n
        set x abcabc => +OK\r\n
        set y cbacba => +OK\r\n
        lcs x y idx withmatchlen => *4\r\n$7\r\nmatches\r\n*3\r\n*3\r\n*2\r\n:5\r\n:5\r\n*2\r\n:3\r\n:3\r\n:1\r\n*3\r\n*2\r\n:4\r\n:4\r\n*2\r\n:1\r\n:1\r\n:1\r\n*3\r\n*2\r\n:2\r\n:2\r\n*2\r\n:0\r\n:0\r\n:1\r\n$3\r\nlen\r\n:3\r\n
        lcs x y => $3\r\ncbc\r\n
        @resp3 => ok
        get nope => _\r\n
        mget nope nope => *2\r\n_\r\n_\r\n
        set k v get => _\r\n
        set k v nx => _\r\n
        incrbyfloat f 1.5 => $3\r\n1.5\r\n
        getex nope => _\r\n
        lcs key1 key2 idx withmatchlen => %2\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n
        lcs key1 key2 len => :6\r\n
        lcs x y idx => %2\r\n$7\r\nmatches\r\n*3\r\n*2\r\n*2\r\n:5\r\n:5\r\n*2\r\n:3\r\n:3\r\n*2\r\n*2\r\n:4\r\n:4\r\n*2\r\n:1\r\n:1\r\n*2\r\n*2\r\n:2\r\n:2\r\n*2\r\n:0\r\n:0\r\n$3\r\nlen\r\n:3\r\n
        "#,
    );
}

#[test]
fn lcs_table_memory_limit() {
    let mut config = Config::default();
    config.proto_max_bulk_len = 1_048_576;
    let mut h = Harness::with_config(config);
    let set = |h: &mut Harness, k: &str, n: usize, c: u8| {
        h.run(vec![
            Bytes::from_static(b"set"),
            Bytes::copy_from_slice(k.as_bytes()),
            Bytes::from(vec![c; n]),
        ])
    };
    let len = |h: &mut Harness| {
        h.run(vec![
            Bytes::from_static(b"lcs"),
            Bytes::from_static(b"a"),
            Bytes::from_static(b"b"),
            Bytes::from_static(b"len"),
        ])
    };
    // 601 * 601 * 4 > 1048576; 511 * 513 * 4 <= 1048576 (as redis 7.0.15).
    set(&mut h, "a", 600, b'x');
    set(&mut h, "b", 600, b'y');
    assert_eq!(
        len(&mut h),
        "-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\\r\\n"
    );
    set(&mut h, "a", 510, b'x');
    set(&mut h, "b", 512, b'y');
    assert_eq!(len(&mut h), ":0\\r\\n");
}

#[test]
fn lcs_walk_picks_redis_subsequence() {
    let r = lcs(b"ohmytext", b"mynewtext").unwrap();
    assert_eq!(r.text, b"mytext");
    assert_eq!(r.matches.len(), 2);
    let r = lcs(b"", b"abc").unwrap();
    assert!(r.text.is_empty() && r.matches.is_empty());
}

#[test]
fn stored_values_do_not_pin_the_request_buffer() {
    let mut h = Harness::new();
    let request =
        Bytes::from(b"set key a-value-long-enough-to-be-raw-encoded-on-its-own!!".to_vec());
    let argv = vec![request.slice(0..3), request.slice(4..7), request.slice(8..)];
    h.engine.execute(h.client, &argv, h.now);
    drop(argv);
    // Only `request` itself still refers to the buffer.
    assert!(request.is_unique());
}

/// Random command sequences over four keys, recorded from redis-server
/// 7.0.15 (with the server's clock before each command), replayed here. The
/// `_expiry` sessions use millisecond TTLs and pauses, so keys expire
/// mid-session (a recording is only kept if no command straddled a
/// millisecond tick between the clock read and its execution).
#[test]
fn replays_recorded_random_sessions() {
    for transcript in [
        include_str!("../../../../tests/data/strings_redis7_seed1.txt"),
        include_str!("../../../../tests/data/strings_redis7_seed2.txt"),
        include_str!("../../../../tests/data/strings_redis7_seed3.txt"),
        include_str!("../../../../tests/data/strings_redis7_seed6_expiry.txt"),
        include_str!("../../../../tests/data/strings_redis7_seed7_expiry.txt"),
    ] {
        Harness::new().script(transcript);
    }
}

/// Redis keeps a key alive during the very millisecond it expires at
/// (`now > when` expires it), measured against redis-server 7.0.15.
#[test]
fn key_lives_through_its_expiry_millisecond() {
    Harness::new().script(
        r#"
        @time 1700000000000 => ok
        set k v pxat 1700000000010 => +OK\r\n
        @time 1700000000010 => ok
        get k => $1\r\nv\r\n
        @time 1700000000011 => ok
        get k => $-1\r\n
        "#,
    );
}
