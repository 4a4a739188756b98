//! The command table: one static [`CommandSpec`] per command drives dispatch,
//! arity errors, key extraction and `COMMAND INFO` / `COMMAND DOCS`.
//!
//! Each command group module (`commands/string.rs`, ...) exports its own
//! `COMMANDS` slice; [`all_commands`] concatenates them, so adding a command
//! touches only its group's module.

use bytes::Bytes;
use hashbrown::HashMap;

use super::Call;
use super::Engine;
use crate::resp::Reply;

/// A command implementation.
pub type Handler = fn(&mut Engine, &mut Call<'_>) -> Reply;

/// Command flags, as bits; names as `COMMAND INFO` prints them.
pub mod flags {
    /// May modify the keyspace.
    pub const WRITE: u64 = 1 << 0;
    /// Only reads.
    pub const READONLY: u64 = 1 << 1;
    /// May grow memory: refused under OOM.
    pub const DENYOOM: u64 = 1 << 2;
    /// Administrative.
    pub const ADMIN: u64 = 1 << 3;
    /// Pub/sub related.
    pub const PUBSUB: u64 = 1 << 4;
    /// Not allowed from scripts.
    pub const NOSCRIPT: u64 = 1 << 5;
    /// May block the client.
    pub const BLOCKING: u64 = 1 << 6;
    /// Allowed while loading.
    pub const LOADING: u64 = 1 << 7;
    /// Allowed on a stale replica.
    pub const STALE: u64 = 1 << 8;
    /// Not shown to MONITOR.
    pub const SKIP_MONITOR: u64 = 1 << 9;
    /// Not logged to the slowlog.
    pub const SKIP_SLOWLOG: u64 = 1 << 10;
    /// O(1) or O(log N).
    pub const FAST: u64 = 1 << 11;
    /// Allowed before authentication.
    pub const NO_AUTH: u64 = 1 << 12;
    /// May replicate even though not a write.
    pub const MAY_REPLICATE: u64 = 1 << 13;
    /// Not allowed inside MULTI.
    pub const NO_MULTI: u64 = 1 << 14;
    /// Key positions depend on arguments.
    pub const MOVABLE_KEYS: u64 = 1 << 15;
    /// Allowed while a script is busy.
    pub const ALLOW_BUSY: u64 = 1 << 16;
    /// Has no mandatory keys.
    pub const NO_MANDATORY_KEYS: u64 = 1 << 17;
    /// Allowed in sentinel mode (kept for COMMAND output fidelity).
    pub const SENTINEL: u64 = 1 << 18;
    /// Refused while loading asynchronously (replica diskless load).
    pub const NO_ASYNC_LOADING: u64 = 1 << 19;

    /// Names in `COMMAND INFO` order.
    pub const NAMES: &[(u64, &str)] = &[
        (WRITE, "write"),
        (READONLY, "readonly"),
        (DENYOOM, "denyoom"),
        (ADMIN, "admin"),
        (PUBSUB, "pubsub"),
        (NOSCRIPT, "noscript"),
        (BLOCKING, "blocking"),
        (LOADING, "loading"),
        (STALE, "stale"),
        (SKIP_MONITOR, "skip_monitor"),
        (SKIP_SLOWLOG, "skip_slowlog"),
        (FAST, "fast"),
        (NO_AUTH, "no_auth"),
        (MAY_REPLICATE, "may_replicate"),
        (NO_MANDATORY_KEYS, "no_mandatory_keys"),
        (NO_ASYNC_LOADING, "no_async_loading"),
        (NO_MULTI, "no_multi"),
        (MOVABLE_KEYS, "movablekeys"),
        (ALLOW_BUSY, "allow_busy"),
    ];
}

/// ACL categories, as bits; names without the `@`.
pub mod acl {
    /// Keyspace commands.
    pub const KEYSPACE: u64 = 1 << 0;
    /// Reads data.
    pub const READ: u64 = 1 << 1;
    /// Writes data.
    pub const WRITE: u64 = 1 << 2;
    /// Set commands.
    pub const SET: u64 = 1 << 3;
    /// Sorted set commands.
    pub const SORTEDSET: u64 = 1 << 4;
    /// List commands.
    pub const LIST: u64 = 1 << 5;
    /// Hash commands.
    pub const HASH: u64 = 1 << 6;
    /// String commands.
    pub const STRING: u64 = 1 << 7;
    /// Bitmap commands.
    pub const BITMAP: u64 = 1 << 8;
    /// HyperLogLog commands.
    pub const HYPERLOGLOG: u64 = 1 << 9;
    /// Geo commands.
    pub const GEO: u64 = 1 << 10;
    /// Stream commands.
    pub const STREAM: u64 = 1 << 11;
    /// Pub/sub commands.
    pub const PUBSUB: u64 = 1 << 12;
    /// Administrative commands.
    pub const ADMIN: u64 = 1 << 13;
    /// Fast commands.
    pub const FAST: u64 = 1 << 14;
    /// Slow commands.
    pub const SLOW: u64 = 1 << 15;
    /// Blocking commands.
    pub const BLOCKING: u64 = 1 << 16;
    /// Dangerous commands.
    pub const DANGEROUS: u64 = 1 << 17;
    /// Connection commands.
    pub const CONNECTION: u64 = 1 << 18;
    /// Transaction commands.
    pub const TRANSACTION: u64 = 1 << 19;
    /// Scripting commands.
    pub const SCRIPTING: u64 = 1 << 20;

    /// Names in Redis's order.
    pub const NAMES: &[(u64, &str)] = &[
        (KEYSPACE, "keyspace"),
        (READ, "read"),
        (WRITE, "write"),
        (SET, "set"),
        (SORTEDSET, "sortedset"),
        (LIST, "list"),
        (HASH, "hash"),
        (STRING, "string"),
        (BITMAP, "bitmap"),
        (HYPERLOGLOG, "hyperloglog"),
        (GEO, "geo"),
        (STREAM, "stream"),
        (PUBSUB, "pubsub"),
        (ADMIN, "admin"),
        (FAST, "fast"),
        (SLOW, "slow"),
        (BLOCKING, "blocking"),
        (DANGEROUS, "dangerous"),
        (CONNECTION, "connection"),
        (TRANSACTION, "transaction"),
        (SCRIPTING, "scripting"),
    ];
}

/// Documentation fields for `COMMAND DOCS`.
#[derive(Debug, Clone, Copy)]
pub struct CommandDoc {
    /// One-line summary.
    pub summary: &'static str,
    /// Redis version that introduced the command.
    pub since: &'static str,
    /// Command group (`string`, `generic`, `connection`, `server`, ...).
    pub group: &'static str,
    /// Time complexity text.
    pub complexity: &'static str,
}

/// One command (or subcommand) of the table.
#[derive(Debug, Clone, Copy)]
pub struct CommandSpec {
    /// Lower-case name (`get`, or the subcommand's own name such as `getname`).
    pub name: &'static str,
    /// Redis arity: positive is exact, negative is a minimum (`-2`: 2 or more),
    /// counting the command name (and for subcommands, the container name).
    pub arity: i32,
    /// Bits of [`flags`].
    pub flags: u64,
    /// ACL category bits of [`acl`].
    pub acl: u64,
    /// First key position (0: no keys).
    pub first_key: i32,
    /// Last key position (-1: the last argument).
    pub last_key: i32,
    /// Step between keys.
    pub key_step: i32,
    /// Implementation; for a container (CONFIG, CLIENT, ...) this is called
    /// only when no subcommand matched, and usually answers the unknown
    /// subcommand error.
    pub handler: Handler,
    /// Subcommands (`CLIENT LIST`, ...); empty for plain commands.
    pub subcommands: &'static [CommandSpec],
    /// Documentation.
    pub doc: CommandDoc,
}

impl CommandSpec {
    /// A command or subcommand without key arguments or subcommands of its
    /// own (most server and connection subcommands).
    pub const fn keyless(
        name: &'static str,
        arity: i32,
        flags: u64,
        acl: u64,
        handler: Handler,
        doc: CommandDoc,
    ) -> CommandSpec {
        CommandSpec {
            name,
            arity,
            flags,
            acl,
            first_key: 0,
            last_key: 0,
            key_step: 0,
            handler,
            subcommands: &[],
            doc,
        }
    }

    /// Does `argc` (including the name) satisfy the arity?
    pub fn arity_ok(&self, argc: usize) -> bool {
        let argc = argc as i64;
        let a = i64::from(self.arity);
        if a > 0 {
            argc == a
        } else {
            argc >= -a
        }
    }

    /// Key positions of `argv` by first/last/step (not movable-key commands).
    pub fn key_positions(&self, argc: usize) -> impl Iterator<Item = usize> {
        let first = self.first_key.max(0) as usize;
        let last = if self.last_key < 0 {
            (argc as i64 + i64::from(self.last_key)).max(0) as usize
        } else {
            self.last_key as usize
        };
        let step = self.key_step.max(1) as usize;
        #[allow(clippy::reversed_empty_ranges)] // deliberately empty: no keys
        let range = if first == 0 {
            1..=0
        } else {
            first..=last.min(argc.saturating_sub(1))
        };
        range.step_by(step)
    }
}

/// All command groups' tables, concatenated.
pub fn all_commands() -> impl Iterator<Item = &'static CommandSpec> {
    super::commands::GROUPS.iter().flat_map(|g| g.iter())
}

/// Name → spec lookup, built once per engine.
#[derive(Debug)]
pub struct CommandTable {
    /// Keyed by the name's bytes, so a lookup needs no UTF-8 check.
    by_name: HashMap<&'static [u8], &'static CommandSpec>,
}

impl Default for CommandTable {
    fn default() -> Self {
        Self::new()
    }
}

impl CommandTable {
    /// Index every command of [`all_commands`].
    pub fn new() -> Self {
        let mut by_name = HashMap::new();
        for spec in all_commands() {
            let prev = by_name.insert(spec.name.as_bytes(), spec);
            debug_assert!(prev.is_none(), "duplicate command {}", spec.name);
        }
        CommandTable { by_name }
    }

    /// Look up a command by name, case-insensitively, without allocating.
    pub fn get(&self, name: &[u8]) -> Option<&'static CommandSpec> {
        let mut buf = [0u8; 64];
        let lower = buf.get_mut(..name.len())?;
        for (d, s) in lower.iter_mut().zip(name) {
            *d = s.to_ascii_lowercase();
        }
        self.by_name.get(&*lower).copied()
    }

    /// Number of top-level commands.
    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    /// True if no command is registered.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// Iterate top-level commands (in no particular order).
    pub fn iter(&self) -> impl Iterator<Item = &'static CommandSpec> + '_ {
        self.by_name.values().copied()
    }
}

/// Find a subcommand of `parent` by name, case-insensitively.
pub fn find_subcommand(parent: &'static CommandSpec, name: &[u8]) -> Option<&'static CommandSpec> {
    parent
        .subcommands
        .iter()
        .find(|s| s.name.as_bytes().eq_ignore_ascii_case(name))
}

/// The argument vector as given to a command.
pub type Argv = [Bytes];
