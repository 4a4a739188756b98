//! Generated from redis-server 7.0.15's `COMMAND` reply (facts, not code):
//! each command's tips and key specifications, which the command table's
//! first/last/step cannot express. Regenerate with
//! `core/tools/gen_command_meta.py` rather than edit by hand.

use super::command::{BeginSearch, CommandMeta, FindKeys, KeySpec};

/// Every Redis 7.0 command (or `container|sub`) with tips or key specs,
/// sorted by name for binary search.
pub const META: &[CommandMeta] = &[
    CommandMeta {
        name: "append",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "insert"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "bitcount",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "bitfield",
        tips: &[],
        key_specs: &[
            KeySpec { notes: Some("This command allows both access and modification of the key"), flags: &["RW", "access", "update", "variable_flags"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "bitfield_ro",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "bitop",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["OW", "update"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(3), find: FindKeys::Range { lastkey: -1, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "bitpos",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "blmove",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
            KeySpec { notes: None, flags: &["RW", "insert"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "blmpop",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "delete"], begin: BeginSearch::Index(2), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } },
        ],
    },
    CommandMeta {
        name: "blpop",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -2, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "brpop",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -2, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "brpoplpush",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
            KeySpec { notes: None, flags: &["RW", "insert"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "bzmpop",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "delete"], begin: BeginSearch::Index(2), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } },
        ],
    },
    CommandMeta {
        name: "bzpopmax",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -2, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "bzpopmin",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -2, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "client|info",
        tips: &["nondeterministic_output"],
        key_specs: &[],
    },
    CommandMeta {
        name: "client|list",
        tips: &["nondeterministic_output"],
        key_specs: &[],
    },
    CommandMeta {
        name: "cluster|bumpepoch",
        tips: &["nondeterministic_output"],
        key_specs: &[],
    },
    CommandMeta {
        name: "cluster|count-failure-reports",
        tips: &["nondeterministic_output"],
        key_specs: &[],
    },
    CommandMeta {
        name: "cluster|getkeysinslot",
        tips: &["nondeterministic_output"],
        key_specs: &[],
    },
    CommandMeta {
        name: "cluster|info",
        tips: &["nondeterministic_output"],
        key_specs: &[],
    },
    CommandMeta {
        name: "cluster|links",
        tips: &["nondeterministic_output"],
        key_specs: &[],
    },
    CommandMeta {
        name: "cluster|nodes",
        tips: &["nondeterministic_output"],
        key_specs: &[],
    },
    CommandMeta {
        name: "cluster|replicas",
        tips: &["nondeterministic_output"],
        key_specs: &[],
    },
    CommandMeta {
        name: "cluster|shards",
        tips: &["nondeterministic_output"],
        key_specs: &[],
    },
    CommandMeta {
        name: "cluster|slaves",
        tips: &["nondeterministic_output"],
        key_specs: &[],
    },
    CommandMeta {
        name: "cluster|slots",
        tips: &["nondeterministic_output"],
        key_specs: &[],
    },
    CommandMeta {
        name: "command",
        tips: &["nondeterministic_output_order"],
        key_specs: &[],
    },
    CommandMeta {
        name: "command|docs",
        tips: &["nondeterministic_output_order"],
        key_specs: &[],
    },
    CommandMeta {
        name: "command|info",
        tips: &["nondeterministic_output_order"],
        key_specs: &[],
    },
    CommandMeta {
        name: "command|list",
        tips: &["nondeterministic_output_order"],
        key_specs: &[],
    },
    CommandMeta {
        name: "config|set",
        tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        key_specs: &[],
    },
    CommandMeta {
        name: "copy",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
            KeySpec { notes: None, flags: &["OW", "update"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "dbsize",
        tips: &["request_policy:all_shards", "response_policy:agg_sum"],
        key_specs: &[],
    },
    CommandMeta {
        name: "decr",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "decrby",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "del",
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        key_specs: &[
            KeySpec { notes: None, flags: &["RM", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -1, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "dump",
        tips: &["nondeterministic_output"],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "eval",
        tips: &[],
        key_specs: &[
            KeySpec { notes: Some("We cannot tell how the keys will be used so we assume the worst, RW and UPDATE"), flags: &["RW", "access", "update"], begin: BeginSearch::Index(2), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } },
        ],
    },
    CommandMeta {
        name: "eval_ro",
        tips: &[],
        key_specs: &[
            KeySpec { notes: Some("We cannot tell how the keys will be used so we assume the worst, RO and ACCESS"), flags: &["RO", "access"], begin: BeginSearch::Index(2), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } },
        ],
    },
    CommandMeta {
        name: "evalsha",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "update"], begin: BeginSearch::Index(2), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } },
        ],
    },
    CommandMeta {
        name: "evalsha_ro",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(2), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } },
        ],
    },
    CommandMeta {
        name: "exists",
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -1, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "expire",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "expireat",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "expiretime",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "fcall",
        tips: &[],
        key_specs: &[
            KeySpec { notes: Some("We cannot tell how the keys will be used so we assume the worst, RW and UPDATE"), flags: &["RW", "access", "update"], begin: BeginSearch::Index(2), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } },
        ],
    },
    CommandMeta {
        name: "fcall_ro",
        tips: &[],
        key_specs: &[
            KeySpec { notes: Some("We cannot tell how the keys will be used so we assume the worst, RO and ACCESS"), flags: &["RO", "access"], begin: BeginSearch::Index(2), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } },
        ],
    },
    CommandMeta {
        name: "flushall",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        key_specs: &[],
    },
    CommandMeta {
        name: "flushdb",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        key_specs: &[],
    },
    CommandMeta {
        name: "function|delete",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        key_specs: &[],
    },
    CommandMeta {
        name: "function|flush",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        key_specs: &[],
    },
    CommandMeta {
        name: "function|kill",
        tips: &["request_policy:all_shards", "response_policy:one_succeeded"],
        key_specs: &[],
    },
    CommandMeta {
        name: "function|list",
        tips: &["nondeterministic_output_order"],
        key_specs: &[],
    },
    CommandMeta {
        name: "function|load",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        key_specs: &[],
    },
    CommandMeta {
        name: "function|restore",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        key_specs: &[],
    },
    CommandMeta {
        name: "function|stats",
        tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
        key_specs: &[],
    },
    CommandMeta {
        name: "geoadd",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "geodist",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "geohash",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "geopos",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "georadius",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
            KeySpec { notes: None, flags: &["OW", "update"], begin: BeginSearch::Keyword { keyword: "STORE", startfrom: 6 }, find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
            KeySpec { notes: None, flags: &["OW", "update"], begin: BeginSearch::Keyword { keyword: "STOREDIST", startfrom: 6 }, find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "georadius_ro",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "georadiusbymember",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
            KeySpec { notes: None, flags: &["OW", "update"], begin: BeginSearch::Keyword { keyword: "STORE", startfrom: 5 }, find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
            KeySpec { notes: None, flags: &["OW", "update"], begin: BeginSearch::Keyword { keyword: "STOREDIST", startfrom: 5 }, find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "georadiusbymember_ro",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "geosearch",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "geosearchstore",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["OW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "get",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "getbit",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "getdel",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "getex",
        tips: &[],
        key_specs: &[
            KeySpec { notes: Some("RW and UPDATE because it changes the TTL"), flags: &["RW", "access", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "getrange",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "getset",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "hdel",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "hexists",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "hget",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "hgetall",
        tips: &["nondeterministic_output_order"],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "hincrby",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "hincrbyfloat",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "hkeys",
        tips: &["nondeterministic_output_order"],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "hlen",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "hmget",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "hmset",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "hrandfield",
        tips: &["nondeterministic_output"],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "hscan",
        tips: &["nondeterministic_output"],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "hset",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "hsetnx",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "insert"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "hstrlen",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "hvals",
        tips: &["nondeterministic_output_order"],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "incr",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "incrby",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "incrbyfloat",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "info",
        tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
        key_specs: &[],
    },
    CommandMeta {
        name: "keys",
        tips: &["request_policy:all_shards", "nondeterministic_output_order"],
        key_specs: &[],
    },
    CommandMeta {
        name: "lastsave",
        tips: &["nondeterministic_output"],
        key_specs: &[],
    },
    CommandMeta {
        name: "latency|doctor",
        tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
        key_specs: &[],
    },
    CommandMeta {
        name: "latency|graph",
        tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
        key_specs: &[],
    },
    CommandMeta {
        name: "latency|histogram",
        tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
        key_specs: &[],
    },
    CommandMeta {
        name: "latency|history",
        tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
        key_specs: &[],
    },
    CommandMeta {
        name: "latency|latest",
        tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
        key_specs: &[],
    },
    CommandMeta {
        name: "latency|reset",
        tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        key_specs: &[],
    },
    CommandMeta {
        name: "lcs",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 1, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "lindex",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "linsert",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "insert"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "llen",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "lmove",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
            KeySpec { notes: None, flags: &["RW", "insert"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "lmpop",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } },
        ],
    },
    CommandMeta {
        name: "lpop",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "lpos",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "lpush",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "insert"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "lpushx",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "insert"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "lrange",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "lrem",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "lset",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "ltrim",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "memory|doctor",
        tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
        key_specs: &[],
    },
    CommandMeta {
        name: "memory|malloc-stats",
        tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
        key_specs: &[],
    },
    CommandMeta {
        name: "memory|purge",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        key_specs: &[],
    },
    CommandMeta {
        name: "memory|stats",
        tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
        key_specs: &[],
    },
    CommandMeta {
        name: "memory|usage",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "mget",
        tips: &["request_policy:multi_shard"],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -1, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "migrate",
        tips: &["nondeterministic_output"],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "delete"], begin: BeginSearch::Index(3), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
            KeySpec { notes: None, flags: &["RW", "access", "delete", "incomplete"], begin: BeginSearch::Keyword { keyword: "KEYS", startfrom: -2 }, find: FindKeys::Range { lastkey: -1, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "module|list",
        tips: &["nondeterministic_output_order"],
        key_specs: &[],
    },
    CommandMeta {
        name: "move",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "mset",
        tips: &["request_policy:multi_shard", "response_policy:all_succeeded"],
        key_specs: &[
            KeySpec { notes: None, flags: &["OW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -1, keystep: 2, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "msetnx",
        tips: &["request_policy:multi_shard", "response_policy:agg_min"],
        key_specs: &[
            KeySpec { notes: None, flags: &["OW", "insert"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -1, keystep: 2, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "object|encoding",
        tips: &["nondeterministic_output"],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "object|freq",
        tips: &["nondeterministic_output"],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "object|idletime",
        tips: &["nondeterministic_output"],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "object|refcount",
        tips: &["nondeterministic_output"],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "persist",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "pexpire",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "pexpireat",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "pexpiretime",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "pfadd",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "insert"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "pfcount",
        tips: &[],
        key_specs: &[
            KeySpec { notes: Some("RW because it may change the internal representation of the key, and propagate to replicas"), flags: &["RW", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -1, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "pfdebug",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "pfmerge",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "insert"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: -1, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "ping",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        key_specs: &[],
    },
    CommandMeta {
        name: "psetex",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["OW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "pttl",
        tips: &["nondeterministic_output"],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "randomkey",
        tips: &["request_policy:all_shards", "nondeterministic_output"],
        key_specs: &[],
    },
    CommandMeta {
        name: "rename",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
            KeySpec { notes: None, flags: &["OW", "update"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "renamenx",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
            KeySpec { notes: None, flags: &["OW", "insert"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "restore",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["OW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "restore-asking",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["OW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "rpop",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "rpoplpush",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
            KeySpec { notes: None, flags: &["RW", "insert"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "rpush",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "insert"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "rpushx",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "insert"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "sadd",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "insert"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "scan",
        tips: &["nondeterministic_output", "request_policy:special"],
        key_specs: &[],
    },
    CommandMeta {
        name: "scard",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "script|exists",
        tips: &["request_policy:all_shards", "response_policy:agg_logical_and"],
        key_specs: &[],
    },
    CommandMeta {
        name: "script|flush",
        tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        key_specs: &[],
    },
    CommandMeta {
        name: "script|kill",
        tips: &["request_policy:all_shards", "response_policy:one_succeeded"],
        key_specs: &[],
    },
    CommandMeta {
        name: "script|load",
        tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        key_specs: &[],
    },
    CommandMeta {
        name: "sdiff",
        tips: &["nondeterministic_output_order"],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -1, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "sdiffstore",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["OW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: -1, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "set",
        tips: &[],
        key_specs: &[
            KeySpec { notes: Some("RW and ACCESS due to the optional `GET` argument"), flags: &["RW", "access", "update", "variable_flags"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "setbit",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "setex",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["OW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "setnx",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["OW", "insert"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "setrange",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "sinter",
        tips: &["nondeterministic_output_order"],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -1, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "sintercard",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } },
        ],
    },
    CommandMeta {
        name: "sinterstore",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: -1, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "sismember",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "slowlog|get",
        tips: &["request_policy:all_nodes", "nondeterministic_output"],
        key_specs: &[],
    },
    CommandMeta {
        name: "slowlog|len",
        tips: &["request_policy:all_nodes", "response_policy:agg_sum", "nondeterministic_output"],
        key_specs: &[],
    },
    CommandMeta {
        name: "slowlog|reset",
        tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        key_specs: &[],
    },
    CommandMeta {
        name: "smembers",
        tips: &["nondeterministic_output_order"],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "smismember",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "smove",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
            KeySpec { notes: None, flags: &["RW", "insert"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "sort",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
            KeySpec { notes: Some("For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort"), flags: &["RO", "access"], begin: BeginSearch::Unknown, find: FindKeys::Unknown },
            KeySpec { notes: Some("For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array"), flags: &["OW", "update"], begin: BeginSearch::Unknown, find: FindKeys::Unknown },
        ],
    },
    CommandMeta {
        name: "sort_ro",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
            KeySpec { notes: Some("For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort"), flags: &["RO", "access"], begin: BeginSearch::Unknown, find: FindKeys::Unknown },
        ],
    },
    CommandMeta {
        name: "spop",
        tips: &["nondeterministic_output"],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "spublish",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["not_key"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "srandmember",
        tips: &["nondeterministic_output"],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "srem",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "sscan",
        tips: &["nondeterministic_output"],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "ssubscribe",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["not_key"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -1, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "strlen",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "substr",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "sunion",
        tips: &["nondeterministic_output_order"],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -1, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "sunionstore",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["OW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: -1, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "sunsubscribe",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["not_key"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -1, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "time",
        tips: &["nondeterministic_output"],
        key_specs: &[],
    },
    CommandMeta {
        name: "touch",
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -1, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "ttl",
        tips: &["nondeterministic_output"],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "type",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "unlink",
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        key_specs: &[
            KeySpec { notes: None, flags: &["RM", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -1, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "wait",
        tips: &["request_policy:all_shards", "response_policy:agg_min"],
        key_specs: &[],
    },
    CommandMeta {
        name: "watch",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -1, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "xack",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "xadd",
        tips: &["nondeterministic_output"],
        key_specs: &[
            KeySpec { notes: Some("UPDATE instead of INSERT because of the optional trimming feature"), flags: &["RW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "xautoclaim",
        tips: &["nondeterministic_output"],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "xclaim",
        tips: &["nondeterministic_output"],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "xdel",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "xgroup|create",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "insert"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "xgroup|createconsumer",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "insert"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "xgroup|delconsumer",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "delete"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "xgroup|destroy",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "delete"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "xgroup|setid",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "update"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "xinfo|consumers",
        tips: &["nondeterministic_output"],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "xinfo|groups",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "xinfo|stream",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "xlen",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "xpending",
        tips: &["nondeterministic_output"],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "xrange",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "xread",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Keyword { keyword: "STREAMS", startfrom: 1 }, find: FindKeys::Range { lastkey: -1, keystep: 1, limit: 2 } },
        ],
    },
    CommandMeta {
        name: "xreadgroup",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Keyword { keyword: "STREAMS", startfrom: 4 }, find: FindKeys::Range { lastkey: -1, keystep: 1, limit: 2 } },
        ],
    },
    CommandMeta {
        name: "xrevrange",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "xsetid",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "xtrim",
        tips: &["nondeterministic_output"],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "zadd",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "zcard",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "zcount",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "zdiff",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } },
        ],
    },
    CommandMeta {
        name: "zdiffstore",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["OW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(2), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } },
        ],
    },
    CommandMeta {
        name: "zincrby",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "zinter",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } },
        ],
    },
    CommandMeta {
        name: "zintercard",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } },
        ],
    },
    CommandMeta {
        name: "zinterstore",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["OW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(2), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } },
        ],
    },
    CommandMeta {
        name: "zlexcount",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "zmpop",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } },
        ],
    },
    CommandMeta {
        name: "zmscore",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "zpopmax",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "zpopmin",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "access", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "zrandmember",
        tips: &["nondeterministic_output"],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "zrange",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "zrangebylex",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "zrangebyscore",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "zrangestore",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["OW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "zrank",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "zrem",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "zremrangebylex",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "zremrangebyrank",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "zremrangebyscore",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RW", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "zrevrange",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "zrevrangebylex",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "zrevrangebyscore",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "zrevrank",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "zscan",
        tips: &["nondeterministic_output"],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "zscore",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
        ],
    },
    CommandMeta {
        name: "zunion",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } },
        ],
    },
    CommandMeta {
        name: "zunionstore",
        tips: &[],
        key_specs: &[
            KeySpec { notes: None, flags: &["OW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 } },
            KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(2), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } },
        ],
    },
];
