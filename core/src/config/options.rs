//! The option registry: every configuration directive keyrs accepts, with
//! its aliases, value type, bounds, default and mutability.
//!
//! The table covers every option `CONFIG GET *` lists on Redis 7.0 plus the
//! hidden ones an exact name still reaches, and KeyDB's own options. Bounds,
//! defaults and flags were checked against a running redis-server 7.0 (out of
//! range `CONFIG SET`s reveal the bounds, immutable ones refuse).

/// Option flags.
pub mod flag {
    /// `CONFIG SET` refuses it ("can't set immutable config").
    pub const IMMUTABLE: u8 = 1 << 0;
    /// `CONFIG SET` refuses it unless `enable-protected-configs` allows.
    pub const PROTECTED: u8 = 1 << 1;
    /// Only an exact name reaches it; patterns skip it.
    pub const HIDDEN: u8 = 1 << 2;
    /// Takes several arguments (`save 900 1`); `CONFIG SET` splits its value on spaces.
    pub const MULTI_ARG: u8 = 1 << 3;
    /// A KeyDB option that Redis lacks.
    pub const KEYDB: u8 = 1 << 4;
}

/// How a numeric option is written and read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumFmt {
    /// A plain decimal integer (`string2ll` rules).
    Int,
    /// A memory size with optional unit (`1gb`, `100mb`, `5k`).
    Memory,
    /// A memory size or a percentage (`10%`), the latter stored negated.
    MemoryPercent,
    /// An octal number (`unixsocketperm 700`).
    Octal,
}

/// A numeric option's parameters.
#[derive(Debug, Clone, Copy)]
pub struct NumDef {
    /// Smallest accepted value.
    pub min: i64,
    /// Largest accepted value (for `unsigned`, compared as unsigned).
    pub max: u64,
    /// Default value.
    pub default: i64,
    /// Textual form.
    pub fmt: NumFmt,
    /// Bounds are compared as unsigned numbers, as Redis does for its
    /// `unsigned int`, `size_t` and `unsigned long long` options.
    pub unsigned: bool,
}

/// Options whose parsing and rendering is their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    /// `dir`: the working directory.
    Dir,
    /// `save <seconds> <changes> ...`.
    Save,
    /// `client-output-buffer-limit <class> <hard> <soft> <seconds> ...`.
    ClientOutputBufferLimit,
    /// `oom-score-adj-values <master> <replica> <bgchild>`.
    OomScoreAdjValues,
    /// `notify-keyspace-events <flags>`.
    NotifyKeyspaceEvents,
    /// `bind <addr> ...`.
    Bind,
    /// `replicaof <host> <port>` / `replicaof no one`.
    ReplicaOf,
    /// `latency-tracking-info-percentiles <p> ...`.
    LatencyPercentiles,
    /// KeyDB `server-thread-affinity true|false|<N>`.
    ThreadAffinity,
    /// A list of words kept as given (KeyDB `storage-provider`, TLS lists).
    WordList,
}

/// A string option's validation rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrCheck {
    /// Anything goes.
    Any,
    /// `dbfilename`: a bare file name.
    DbFilename,
    /// `appendfilename`: a non-empty bare file name.
    AofFilename,
    /// `appenddirname`: a non-empty bare directory name.
    AofDirname,
    /// `cluster-announce-hostname`: letters, digits, `-` and `.`.
    Hostname,
    /// `proc-title-template`: only known `{variables}`.
    ProcTitle,
}

/// What kind of value an option holds.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// `yes` / `no`, with its default.
    Bool(bool),
    /// A number.
    Num(NumDef),
    /// One of several names (`(name, value)`; several names may share a
    /// value, the first one is what CONFIG GET shows), with the default value.
    Enum(&'static [(&'static str, i32)], i32),
    /// A set of flag names, several allowed at once (`shutdown-on-sigint`).
    Flags(&'static [(&'static str, u32)], u32),
    /// A string with its default and check.
    Str(&'static str, StrCheck),
    /// Parsed by its own rules.
    Special(Special),
}

/// One option of the registry.
#[derive(Debug, Clone, Copy)]
pub struct OptionDef {
    /// Canonical name.
    pub name: &'static str,
    /// Alternative name (`slaveof` for `replicaof`).
    pub alias: Option<&'static str>,
    /// Bits of [`flag`].
    pub flags: u8,
    /// Value type.
    pub kind: Kind,
}

impl OptionDef {
    /// Does the option carry flag bit `f`?
    pub const fn has(&self, f: u8) -> bool {
        self.flags & f != 0
    }
}

const INT_MAX: u64 = i32::MAX as u64;
const LONG_MAX: u64 = i64::MAX as u64;
const UINT_MAX: u64 = u32::MAX as u64;
const ULLONG_MAX: u64 = u64::MAX;

const fn b(name: &'static str, alias: Option<&'static str>, flags: u8, d: bool) -> OptionDef {
    OptionDef {
        name,
        alias,
        flags,
        kind: Kind::Bool(d),
    }
}

const fn s(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u8,
    d: &'static str,
) -> OptionDef {
    OptionDef {
        name,
        alias,
        flags,
        kind: Kind::Str(d, StrCheck::Any),
    }
}

const fn sc(name: &'static str, flags: u8, d: &'static str, check: StrCheck) -> OptionDef {
    OptionDef {
        name,
        alias: None,
        flags,
        kind: Kind::Str(d, check),
    }
}

const fn e(
    name: &'static str,
    flags: u8,
    values: &'static [(&'static str, i32)],
    d: i32,
) -> OptionDef {
    OptionDef {
        name,
        alias: None,
        flags,
        kind: Kind::Enum(values, d),
    }
}

#[allow(clippy::too_many_arguments)]
const fn n(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u8,
    min: i64,
    max: u64,
    default: i64,
    fmt: NumFmt,
    unsigned: bool,
) -> OptionDef {
    OptionDef {
        name,
        alias,
        flags,
        kind: Kind::Num(NumDef {
            min,
            max,
            default,
            fmt,
            unsigned,
        }),
    }
}

/// A signed plain integer option.
const fn i(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u8,
    min: i64,
    max: u64,
    d: i64,
) -> OptionDef {
    n(name, alias, flags, min, max, d, NumFmt::Int, false)
}

const fn sp(name: &'static str, alias: Option<&'static str>, flags: u8, k: Special) -> OptionDef {
    OptionDef {
        name,
        alias,
        flags,
        kind: Kind::Special(k),
    }
}

const IMM: u8 = flag::IMMUTABLE;
const HID: u8 = flag::HIDDEN;
const MULTI: u8 = flag::MULTI_ARG;
const KDB: u8 = flag::KEYDB;
const MB: i64 = 1024 * 1024;

/// `maxmemory-policy` names.
pub const MAXMEMORY_POLICIES: &[(&str, i32)] = &[
    ("volatile-lru", 0),
    ("volatile-lfu", 1),
    ("volatile-random", 2),
    ("volatile-ttl", 3),
    ("allkeys-lru", 4),
    ("allkeys-lfu", 5),
    ("allkeys-random", 6),
    ("noeviction", 7),
];

/// `loglevel` names.
pub const LOGLEVELS: &[(&str, i32)] =
    &[("debug", 0), ("verbose", 1), ("notice", 2), ("warning", 3)];

const SUPERVISED: &[(&str, i32)] = &[("upstart", 0), ("systemd", 1), ("auto", 2), ("no", 3)];
const SYSLOG_FACILITY: &[(&str, i32)] = &[
    ("user", 0),
    ("local0", 1),
    ("local1", 2),
    ("local2", 3),
    ("local3", 4),
    ("local4", 5),
    ("local5", 6),
    ("local6", 7),
    ("local7", 8),
];
const DISKLESS_LOAD: &[(&str, i32)] = &[("disabled", 0), ("on-empty-db", 1), ("swapdb", 2)];
const APPENDFSYNC: &[(&str, i32)] = &[("everysec", 0), ("always", 1), ("no", 2)];
const OOM_SCORE_ADJ: &[(&str, i32)] = &[("no", 0), ("yes", 1), ("relative", 1), ("absolute", 2)];
const ACL_PUBSUB: &[(&str, i32)] = &[("allchannels", 1), ("resetchannels", 0)];
const SANITIZE: &[(&str, i32)] = &[("no", 0), ("yes", 1), ("clients", 2)];
/// `enable-protected-configs` (and the debug/module command switches) names.
pub const PROTECTED_ACTION: &[(&str, i32)] = &[("no", 0), ("yes", 1), ("local", 2)];
const ENDPOINT_TYPE: &[(&str, i32)] = &[("ip", 0), ("hostname", 1), ("unknown-endpoint", 2)];
const PROPAGATION_ERROR: &[(&str, i32)] = &[("ignore", 0), ("panic", 1), ("panic-on-replicas", 2)];
const TLS_AUTH: &[(&str, i32)] = &[("no", 0), ("yes", 1), ("optional", 2)];
const STORAGE_CACHE_MODE: &[(&str, i32)] = &[("writethrough", 0), ("writeback", 1)];
/// `shutdown-on-sigint` / `shutdown-on-sigterm` flag names.
pub const SHUTDOWN_FLAGS: &[(&str, u32)] = &[
    ("default", 0),
    ("save", 1),
    ("nosave", 2),
    ("now", 4),
    ("force", 8),
];

/// Every option, in the order `CONFIG GET` lists them (Redis's own order is
/// its hash table's, random per process, so no client can rely on one).
pub static OPTIONS: &[OptionDef] = &[
    // Booleans.
    b("rdbchecksum", None, IMM, true),
    b("daemonize", None, IMM, false),
    b("io-threads-do-reads", None, IMM, false),
    b("always-show-logo", None, IMM, false),
    b("protected-mode", None, 0, true),
    b("rdbcompression", None, 0, true),
    b("rdb-del-sync-files", None, 0, false),
    b("activerehashing", None, 0, true),
    b("stop-writes-on-bgsave-error", None, 0, true),
    b("set-proc-title", None, IMM, true),
    b("dynamic-hz", None, 0, true),
    b("lazyfree-lazy-eviction", None, 0, false),
    b("lazyfree-lazy-expire", None, 0, false),
    b("lazyfree-lazy-server-del", None, 0, false),
    b("lazyfree-lazy-user-del", None, 0, false),
    b("lazyfree-lazy-user-flush", None, 0, false),
    b("repl-disable-tcp-nodelay", None, 0, false),
    b("repl-diskless-sync", None, 0, true),
    b("aof-rewrite-incremental-fsync", None, 0, true),
    b("no-appendfsync-on-rewrite", None, 0, false),
    b("cluster-require-full-coverage", None, 0, true),
    b("rdb-save-incremental-fsync", None, 0, true),
    b("aof-load-truncated", None, 0, true),
    b("aof-use-rdb-preamble", None, 0, true),
    b("aof-timestamp-enabled", None, 0, false),
    b(
        "cluster-replica-no-failover",
        Some("cluster-slave-no-failover"),
        0,
        false,
    ),
    b("replica-lazy-flush", Some("slave-lazy-flush"), 0, false),
    b(
        "replica-serve-stale-data",
        Some("slave-serve-stale-data"),
        0,
        true,
    ),
    b("replica-read-only", Some("slave-read-only"), 0, true),
    b(
        "replica-ignore-maxmemory",
        Some("slave-ignore-maxmemory"),
        0,
        true,
    ),
    b("jemalloc-bg-thread", None, 0, true),
    b("activedefrag", None, 0, false),
    b("syslog-enabled", None, IMM, false),
    b("cluster-enabled", None, IMM, false),
    b("appendonly", None, 0, false),
    b("cluster-allow-reads-when-down", None, 0, false),
    b("cluster-allow-pubsubshard-when-down", None, 0, true),
    b("crash-log-enabled", None, 0, true),
    b("crash-memcheck-enabled", None, 0, true),
    b("use-exit-on-panic", None, HID, false),
    b("disable-thp", None, IMM, true),
    b("cluster-allow-replica-migration", None, 0, true),
    b("replica-announced", None, 0, true),
    b("latency-tracking", None, 0, true),
    b("aof-disable-auto-gc", None, 0, false),
    b("replica-ignore-disk-write-errors", None, 0, false),
    // Strings.
    s("aclfile", None, IMM, ""),
    s("unixsocket", None, IMM, ""),
    s("pidfile", None, IMM, ""),
    s("replica-announce-ip", Some("slave-announce-ip"), 0, ""),
    s("masteruser", None, 0, ""),
    s("cluster-announce-ip", None, 0, ""),
    s("cluster-config-file", None, IMM, "nodes.conf"),
    sc("cluster-announce-hostname", 0, "", StrCheck::Hostname),
    s("syslog-ident", None, IMM, "redis"),
    sc(
        "dbfilename",
        flag::PROTECTED,
        "dump.rdb",
        StrCheck::DbFilename,
    ),
    sc(
        "appendfilename",
        IMM,
        "appendonly.aof",
        StrCheck::AofFilename,
    ),
    sc("appenddirname", IMM, "appendonlydir", StrCheck::AofDirname),
    s("server_cpulist", None, IMM, ""),
    s("bio_cpulist", None, IMM, ""),
    s("aof_rewrite_cpulist", None, IMM, ""),
    s("bgsave_cpulist", None, IMM, ""),
    s("ignore-warnings", None, 0, ""),
    sc(
        "proc-title-template",
        0,
        "{title} {listen-addr} {server-mode}",
        StrCheck::ProcTitle,
    ),
    s("bind-source-addr", None, 0, ""),
    s("logfile", None, IMM, ""),
    s("masterauth", None, 0, ""),
    s("requirepass", None, 0, ""),
    // Enumerations.
    e("supervised", IMM, SUPERVISED, 3),
    e("syslog-facility", IMM, SYSLOG_FACILITY, 1),
    e("repl-diskless-load", 0, DISKLESS_LOAD, 0),
    e("loglevel", 0, LOGLEVELS, 2),
    e("maxmemory-policy", 0, MAXMEMORY_POLICIES, 7),
    e("appendfsync", 0, APPENDFSYNC, 0),
    e("oom-score-adj", 0, OOM_SCORE_ADJ, 0),
    e("acl-pubsub-default", 0, ACL_PUBSUB, 0),
    e("sanitize-dump-payload", 0, SANITIZE, 0),
    e("enable-protected-configs", IMM, PROTECTED_ACTION, 0),
    e("enable-debug-command", IMM, PROTECTED_ACTION, 0),
    e("enable-module-command", IMM, PROTECTED_ACTION, 0),
    e("cluster-preferred-endpoint-type", 0, ENDPOINT_TYPE, 0),
    e("propagation-error-behavior", 0, PROPAGATION_ERROR, 0),
    OptionDef {
        name: "shutdown-on-sigint",
        alias: None,
        flags: MULTI,
        kind: Kind::Flags(SHUTDOWN_FLAGS, 0),
    },
    OptionDef {
        name: "shutdown-on-sigterm",
        alias: None,
        flags: MULTI,
        kind: Kind::Flags(SHUTDOWN_FLAGS, 0),
    },
    // Integers.
    i("databases", None, IMM, 1, INT_MAX, 16),
    i("port", None, 0, 0, 65535, 6379),
    i("auto-aof-rewrite-percentage", None, 0, 0, INT_MAX, 100),
    i(
        "cluster-replica-validity-factor",
        Some("cluster-slave-validity-factor"),
        0,
        0,
        INT_MAX,
        10,
    ),
    i(
        "list-max-listpack-size",
        Some("list-max-ziplist-size"),
        0,
        i32::MIN as i64,
        INT_MAX,
        -2,
    ),
    i("tcp-keepalive", None, 0, 0, INT_MAX, 300),
    i("cluster-migration-barrier", None, 0, 0, INT_MAX, 1),
    i("active-defrag-cycle-min", None, 0, 1, 99, 1),
    i("active-defrag-cycle-max", None, 0, 1, 99, 25),
    i("active-defrag-threshold-lower", None, 0, 0, 1000, 10),
    i("active-defrag-threshold-upper", None, 0, 0, 1000, 100),
    i("lfu-log-factor", None, 0, 0, INT_MAX, 10),
    i("lfu-decay-time", None, 0, 0, INT_MAX, 1),
    i(
        "replica-priority",
        Some("slave-priority"),
        0,
        0,
        INT_MAX,
        100,
    ),
    i("repl-diskless-sync-delay", None, 0, 0, INT_MAX, 5),
    i("maxmemory-samples", None, 0, 1, INT_MAX, 5),
    i("maxmemory-eviction-tenacity", None, 0, 0, 100, 10),
    i("timeout", None, 0, 0, INT_MAX, 0),
    i(
        "replica-announce-port",
        Some("slave-announce-port"),
        0,
        0,
        65535,
        0,
    ),
    i("tcp-backlog", None, IMM, 0, INT_MAX, 511),
    i("cluster-port", None, IMM, 0, 65535, 0),
    i("cluster-announce-bus-port", None, 0, 0, 65535, 0),
    i("cluster-announce-port", None, 0, 0, 65535, 0),
    i("cluster-announce-tls-port", None, 0, 0, 65535, 0),
    i("repl-timeout", None, 0, 1, INT_MAX, 60),
    i(
        "repl-ping-replica-period",
        Some("repl-ping-slave-period"),
        0,
        1,
        INT_MAX,
        10,
    ),
    i("list-compress-depth", None, 0, 0, INT_MAX, 0),
    i("rdb-key-save-delay", None, HID, i32::MIN as i64, INT_MAX, 0),
    i("key-load-delay", None, HID, i32::MIN as i64, INT_MAX, 0),
    i("active-expire-effort", None, 0, 1, 10, 1),
    i("hz", None, 0, 0, INT_MAX, 10),
    i(
        "min-replicas-to-write",
        Some("min-slaves-to-write"),
        0,
        0,
        INT_MAX,
        0,
    ),
    i(
        "min-replicas-max-lag",
        Some("min-slaves-max-lag"),
        0,
        0,
        INT_MAX,
        10,
    ),
    i("watchdog-period", None, HID, 0, INT_MAX, 0),
    i("shutdown-timeout", None, 0, 0, INT_MAX, 10),
    i("repl-diskless-sync-max-replicas", None, 0, 0, INT_MAX, 0),
    n(
        "socket-mark-id",
        None,
        IMM,
        0,
        UINT_MAX,
        0,
        NumFmt::Int,
        true,
    ),
    n("maxclients", None, 0, 1, UINT_MAX, 10000, NumFmt::Int, true),
    n(
        "unixsocketperm",
        None,
        IMM,
        0,
        0o777,
        0,
        NumFmt::Octal,
        true,
    ),
    i("active-defrag-max-scan-fields", None, 0, 1, LONG_MAX, 1000),
    i("slowlog-max-len", None, 0, 0, LONG_MAX, 128),
    i("acllog-max-len", None, 0, 0, LONG_MAX, 128),
    i(
        "busy-reply-threshold",
        Some("lua-time-limit"),
        0,
        0,
        LONG_MAX,
        5000,
    ),
    i("cluster-node-timeout", None, 0, 0, LONG_MAX, 15000),
    i("slowlog-log-slower-than", None, 0, -1, LONG_MAX, 10000),
    i("latency-monitor-threshold", None, 0, 0, LONG_MAX, 0),
    n(
        "proto-max-bulk-len",
        None,
        0,
        MB,
        LONG_MAX,
        512 * MB,
        NumFmt::Memory,
        false,
    ),
    i("stream-node-max-entries", None, 0, 0, LONG_MAX, 100),
    n(
        "repl-backlog-size",
        None,
        0,
        1,
        LONG_MAX,
        MB,
        NumFmt::Memory,
        false,
    ),
    n("maxmemory", None, 0, 0, ULLONG_MAX, 0, NumFmt::Memory, true),
    n(
        "cluster-link-sendbuf-limit",
        None,
        0,
        0,
        ULLONG_MAX,
        0,
        NumFmt::Memory,
        true,
    ),
    n(
        "hash-max-listpack-entries",
        Some("hash-max-ziplist-entries"),
        0,
        0,
        LONG_MAX,
        512,
        NumFmt::Int,
        true,
    ),
    n(
        "set-max-intset-entries",
        None,
        0,
        0,
        LONG_MAX,
        512,
        NumFmt::Int,
        true,
    ),
    n(
        "zset-max-listpack-entries",
        Some("zset-max-ziplist-entries"),
        0,
        0,
        LONG_MAX,
        128,
        NumFmt::Int,
        true,
    ),
    n(
        "active-defrag-ignore-bytes",
        None,
        0,
        1,
        LONG_MAX,
        100 * MB,
        NumFmt::Memory,
        true,
    ),
    n(
        "hash-max-listpack-value",
        Some("hash-max-ziplist-value"),
        0,
        0,
        LONG_MAX,
        64,
        NumFmt::Memory,
        true,
    ),
    n(
        "stream-node-max-bytes",
        None,
        0,
        0,
        LONG_MAX,
        4096,
        NumFmt::Memory,
        true,
    ),
    n(
        "zset-max-listpack-value",
        Some("zset-max-ziplist-value"),
        0,
        0,
        LONG_MAX,
        64,
        NumFmt::Memory,
        true,
    ),
    n(
        "hll-sparse-max-bytes",
        None,
        0,
        0,
        LONG_MAX,
        3000,
        NumFmt::Memory,
        true,
    ),
    n(
        "tracking-table-max-keys",
        None,
        0,
        0,
        LONG_MAX,
        1_000_000,
        NumFmt::Int,
        true,
    ),
    n(
        "client-query-buffer-limit",
        None,
        0,
        MB,
        LONG_MAX,
        1024 * MB,
        NumFmt::Memory,
        true,
    ),
    n(
        "maxmemory-clients",
        None,
        0,
        -100,
        LONG_MAX,
        0,
        NumFmt::MemoryPercent,
        false,
    ),
    i("repl-backlog-ttl", None, 0, 0, LONG_MAX, 3600),
    n(
        "auto-aof-rewrite-min-size",
        None,
        0,
        0,
        LONG_MAX,
        64 * MB,
        NumFmt::Memory,
        false,
    ),
    i(
        "loading-process-events-interval-bytes",
        None,
        HID,
        1024,
        INT_MAX,
        2 * MB,
    ),
    // TLS.
    i("tls-port", None, 0, 0, 65535, 0),
    i("tls-session-cache-size", None, 0, 0, INT_MAX, 20 * 1024),
    i("tls-session-cache-timeout", None, 0, 0, INT_MAX, 300),
    b("tls-cluster", None, 0, false),
    b("tls-replication", None, 0, false),
    e("tls-auth-clients", 0, TLS_AUTH, 1),
    b("tls-prefer-server-ciphers", None, 0, false),
    b("tls-session-caching", None, 0, true),
    s("tls-cert-file", None, 0, ""),
    s("tls-key-file", None, 0, ""),
    s("tls-key-file-pass", None, 0, ""),
    s("tls-client-cert-file", None, 0, ""),
    s("tls-client-key-file", None, 0, ""),
    s("tls-client-key-file-pass", None, 0, ""),
    s("tls-dh-params-file", None, 0, ""),
    s("tls-ca-cert-file", None, 0, ""),
    s("tls-ca-cert-dir", None, 0, ""),
    s("tls-protocols", None, 0, ""),
    s("tls-ciphers", None, 0, ""),
    s("tls-ciphersuites", None, 0, ""),
    // Special.
    sp("dir", None, flag::PROTECTED, Special::Dir),
    sp("save", None, MULTI, Special::Save),
    sp(
        "client-output-buffer-limit",
        None,
        MULTI,
        Special::ClientOutputBufferLimit,
    ),
    sp(
        "oom-score-adj-values",
        None,
        MULTI,
        Special::OomScoreAdjValues,
    ),
    sp(
        "notify-keyspace-events",
        None,
        0,
        Special::NotifyKeyspaceEvents,
    ),
    sp("bind", None, MULTI, Special::Bind),
    sp(
        "replicaof",
        Some("slaveof"),
        IMM | MULTI,
        Special::ReplicaOf,
    ),
    sp(
        "latency-tracking-info-percentiles",
        None,
        MULTI,
        Special::LatencyPercentiles,
    ),
    // KeyDB: threading.
    i("server-threads", Some("io-threads"), IMM, 1, 16, 1),
    sp(
        "server-thread-affinity",
        None,
        IMM | KDB,
        Special::ThreadAffinity,
    ),
    i("min-clients-per-thread", None, KDB, 0, 400, 20),
    // keyrs: pause this long before polling again when many clients each
    // send a few requests (io/src/coalesce.rs); 0 turns it off.
    i("event-coalesce-us", None, KDB, 0, 1000, 30),
    i("event-coalesce-min-clients", None, KDB, 1, INT_MAX, 16),
    i("replica-weighting-factor", None, KDB, 1, INT_MAX, 2),
    b("active-client-balancing", None, IMM | KDB, true),
    b("time-thread-priority", None, IMM | KDB, false),
    // KeyDB: concurrency.
    b("enable-async-commands", None, KDB, false),
    b("enable-async-rehash", None, KDB, true),
    i("max-snapshot-slip", None, KDB, 0, 5000, 400),
    b("prefetch-enabled", None, KDB, true),
    b("multithread-load-enabled", None, KDB, false),
    b("use-fork", None, KDB, true),
    // KeyDB: replication.
    b("active-replica", None, IMM | KDB, false),
    b("multi-master", None, IMM | KDB, false),
    b("multi-master-no-forward", None, KDB, false),
    i("replica-quorum", None, KDB, -1, INT_MAX, -1),
    b("allow-write-during-load", None, KDB, false),
    // keyrs: tombstones stay this many ms past the point every peer has.
    i("active-tombstone-grace", None, KDB, 0, INT_MAX, 5000),
    b("enable-keydb-fastsync", None, KDB, false),
    n(
        "repl-backlog-disk-reserve",
        None,
        IMM | KDB,
        0,
        LONG_MAX,
        0,
        NumFmt::Memory,
        false,
    ),
    b("force-backlog-disk-reserve", None, KDB, false),
    // KeyDB: storage.
    sp(
        "storage-provider",
        None,
        IMM | MULTI | KDB,
        Special::WordList,
    ),
    s("storage-provider-options", None, IMM | KDB, ""),
    e("storage-cache-mode", IMM | KDB, STORAGE_CACHE_MODE, 0),
    i("storage-flush-period", None, KDB, 1, 10000, 500),
    n(
        "maxstorage",
        None,
        KDB,
        0,
        ULLONG_MAX,
        0,
        NumFmt::Memory,
        true,
    ),
    b("delete-on-evict", None, KDB, false),
    b("flash-disable-key-cache", None, IMM | KDB, false),
    s("scratch-file-path", None, IMM | KDB, ""),
    // KeyDB: persistence.
    s("db-s3-object", None, KDB, ""),
    b("allow-rdb-resize-op", None, KDB, true),
    i(
        "loading-process-events-interval-keys",
        None,
        KDB,
        0,
        LONG_MAX,
        8192,
    ),
    // KeyDB: operations.
    i("maxclients-reserved", None, KDB, 0, 100, 0),
    i("overload-protect-percent", None, KDB, 0, 200, 0),
    i("force-eviction-percent", None, KDB, 0, 100, 0),
    b("soft-shutdown", None, KDB, false),
    s("availability-zone", None, KDB, ""),
    b("enable-motd", None, KDB, true),
    s("version-override", None, IMM | KDB, ""),
    i("max-rand-count", None, KDB, 0, LONG_MAX / 2, i64::MAX / 2),
    i("semi-ordered-set-bucket-size", None, KDB, 0, 1024, 0),
    sp("tls-allowlist", None, MULTI | KDB, Special::WordList),
    sp(
        "tls-auditlog-blocklist",
        None,
        MULTI | KDB,
        Special::WordList,
    ),
    b("tls-rotation", None, KDB, false),
    b("testmode", None, IMM | KDB, false),
];

/// The longest option name or alias (a longer name cannot be an option).
const NAME_MAX: usize = 64;

/// Every option's lower-case name and alias, to its index and whether it
/// is the alias: built on first use. The server reads options on hot paths
/// (`min-replicas-to-write` on every write), so a scan of the table is
/// too slow.
fn by_name() -> &'static hashbrown::HashMap<&'static [u8], (usize, bool), foldhash::fast::FixedState>
{
    static MAP: std::sync::OnceLock<
        hashbrown::HashMap<&'static [u8], (usize, bool), foldhash::fast::FixedState>,
    > = std::sync::OnceLock::new();
    MAP.get_or_init(|| {
        let mut map = hashbrown::HashMap::with_capacity_and_hasher(
            OPTIONS.len() * 2,
            foldhash::fast::FixedState::default(),
        );
        // Names first, so a name that were also another option's alias
        // would win (the first match of the old table scan).
        for (idx, o) in OPTIONS.iter().enumerate() {
            map.entry(o.name.as_bytes()).or_insert((idx, false));
        }
        for (idx, o) in OPTIONS.iter().enumerate() {
            if let Some(a) = o.alias {
                map.entry(a.as_bytes()).or_insert((idx, true));
            }
        }
        map
    })
}

/// Find an option by name or alias, case-insensitively. Returns its index
/// in [`OPTIONS`] and whether `name` was the alias.
pub fn lookup(name: &[u8]) -> Option<(usize, bool)> {
    if name.len() > NAME_MAX {
        return None;
    }
    let mut lower = [0u8; NAME_MAX];
    let lower = &mut lower[..name.len()];
    lower.copy_from_slice(name);
    lower.make_ascii_lowercase();
    by_name().get(&*lower).copied()
}

/// The index of an option known to exist (used for typed fields).
pub(crate) fn index_of(name: &str) -> usize {
    match lookup(name.as_bytes()) {
        Some((idx, _)) => idx,
        None => {
            debug_assert!(false, "option {name} missing from the registry");
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_fits_the_lookup_buffer_and_is_found_in_any_case() {
        for (idx, o) in OPTIONS.iter().enumerate() {
            assert!(o.name.len() <= NAME_MAX, "{}", o.name);
            assert_eq!(lookup(o.name.as_bytes()), Some((idx, false)));
            let upper = o.name.to_ascii_uppercase();
            assert_eq!(lookup(upper.as_bytes()), Some((idx, false)));
            if let Some(a) = o.alias {
                assert!(a.len() <= NAME_MAX, "{a}");
                assert_eq!(lookup(a.as_bytes()), Some((idx, true)));
            }
        }
        assert_eq!(lookup(&[b'a'; NAME_MAX + 1]), None);
        assert_eq!(lookup(b""), None);
    }

    #[test]
    fn names_are_unique_and_lower_case() {
        let mut seen = std::collections::HashSet::new();
        for o in OPTIONS {
            for name in std::iter::once(o.name).chain(o.alias) {
                assert_eq!(name, name.to_ascii_lowercase());
                assert!(seen.insert(name), "duplicate option name {name}");
            }
        }
    }

    #[test]
    fn lookup_finds_names_and_aliases_case_insensitively() {
        let (a, alias_a) = lookup(b"REPLICAOF").unwrap();
        let (b2, alias_b) = lookup(b"slaveof").unwrap();
        assert_eq!(a, b2);
        assert!(!alias_a && alias_b);
        assert_eq!(
            OPTIONS[lookup(b"io-threads").unwrap().0].name,
            "server-threads"
        );
        assert!(lookup(b"no-such-option").is_none());
    }
}
