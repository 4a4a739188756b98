//! Counters and host facts for INFO.

use std::fmt;

use hashbrown::HashMap;

/// A command's full name as Redis prints it in INFO commandstats and
/// CLIENT LIST `cmd=`: `get`, or `client|list` for a subcommand. Two static
/// strings, so recording a call never allocates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CmdName {
    /// The top-level command (`client`).
    pub parent: &'static str,
    /// The subcommand (`list`), if any.
    pub sub: Option<&'static str>,
}

impl CmdName {
    /// A top-level command.
    pub const fn plain(name: &'static str) -> CmdName {
        CmdName {
            parent: name,
            sub: None,
        }
    }

    /// What CLIENT LIST shows before a client ran anything.
    pub const NULL: CmdName = CmdName::plain("NULL");
}

impl fmt::Display for CmdName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.sub {
            Some(sub) => write!(f, "{}|{}", self.parent, sub),
            None => f.write_str(self.parent),
        }
    }
}

/// Per-command counters (INFO commandstats).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CommandStat {
    /// Times called.
    pub calls: u64,
    /// Microseconds spent (stays 0: the pure engine reads no clock).
    pub usec: u64,
    /// Times refused before running (arity, authentication, unknown
    /// subcommand): Redis counts these apart from `calls`.
    pub rejected_calls: u64,
    /// Times it ran and replied with an error.
    pub failed_calls: u64,
}

/// Server-wide counters.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    /// Commands run (refused ones, by arity, authentication or as unknown,
    /// are not counted, as in Redis).
    pub total_commands_processed: u64,
    /// Connections accepted.
    pub total_connections_received: u64,
    /// Connections refused by maxclients.
    pub rejected_connections: u64,
    /// Keys removed by expiry.
    pub expired_keys: u64,
    /// Changes since the last save (Redis `server.dirty`).
    pub dirty: u64,
    /// Keys evicted by maxmemory.
    pub evicted_keys: u64,
    /// Successful key lookups.
    pub keyspace_hits: u64,
    /// Failed key lookups.
    pub keyspace_misses: u64,
    /// Error replies sent.
    pub total_error_replies: u64,
    /// Per command.
    pub commands: HashMap<CmdName, CommandStat>,
    /// Error replies by their code (the first word: `ERR`, `WRONGTYPE`, ...),
    /// for INFO errorstats.
    pub errors: HashMap<String, u64>,
}

/// Redis stops tracking new error codes past this many distinct ones (a
/// client could otherwise grow the table without bound).
pub const ERROR_CODES_MAX: usize = 128;

impl Stats {
    /// Count one executed call of `name`; `failed` when it replied an error.
    pub fn record_call(&mut self, name: CmdName, failed: bool) {
        let s = self.commands.entry(name).or_default();
        s.calls += 1;
        if failed {
            s.failed_calls += 1;
        }
    }

    /// Count a call of `name` refused before it ran.
    pub fn record_rejected(&mut self, name: CmdName) {
        self.commands.entry(name).or_default().rejected_calls += 1;
    }

    /// Count one error reply with text `msg` (its code is the first word).
    pub fn record_error(&mut self, msg: &str) {
        self.total_error_replies += 1;
        let code = msg.split(' ').next().unwrap_or("");
        if let Some(n) = self.errors.get_mut(code) {
            *n += 1;
        } else if self.errors.len() < ERROR_CODES_MAX {
            self.errors.insert(code.to_owned(), 1);
        }
    }

    /// CONFIG RESETSTAT.
    pub fn reset(&mut self) {
        *self = Stats::default();
    }
}

/// Facts about the process, fixed at start-up by the driver.
#[derive(Debug, Default, Clone)]
pub struct ServerInfo {
    /// Process id.
    pub pid: u32,
    /// Listening TCP port.
    pub tcp_port: u16,
    /// Path of the executable.
    pub executable: String,
    /// Path of the config file, or empty.
    pub config_file: String,
    /// 40 hex characters identifying this run.
    pub run_id: String,
    /// `uname -srm` style OS string.
    pub os: String,
    /// 64 or 32.
    pub arch_bits: u32,
}

/// Figures the driver refreshes from the OS / allocator.
#[derive(Debug, Default, Clone, Copy)]
pub struct HostStats {
    /// Resident set size in bytes.
    pub used_memory_rss: u64,
    /// Bytes allocated by the process, if known.
    pub used_memory: u64,
    /// Peak of `used_memory`.
    pub used_memory_peak: u64,
    /// System CPU seconds consumed.
    pub used_cpu_sys: f64,
    /// User CPU seconds consumed.
    pub used_cpu_user: f64,
    /// Engine-lock acquisitions that had to sleep (KeyDB's `long_lock_waits`).
    pub long_lock_waits: u64,
    /// Threads holding or waiting for the engine lock when the current batch
    /// took it (KeyDB's `instantaneous_lock_contention`; 1 when uncontended).
    pub lock_contention: u64,
    /// Mean contention over the recent cron samples, taken outside the lock
    /// (KeyDB's `avg_lock_contention`).
    pub avg_lock_contention: f64,
    /// Pauses the event loops took to let requests gather
    /// (`event-coalesce-us`; keyrs only).
    pub event_coalesce_pauses: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_are_first_word() {
        let mut s = Stats::default();
        s.record_error("ERR syntax error");
        s.record_error("WRONGTYPE Operation against a key");
        s.record_error("ERR x");
        assert_eq!(s.errors.get("ERR"), Some(&2));
        assert_eq!(s.errors.get("WRONGTYPE"), Some(&1));
        assert_eq!(s.total_error_replies, 3);
    }

    #[test]
    fn names_print_like_redis() {
        let n = CmdName {
            parent: "client",
            sub: Some("list"),
        };
        assert_eq!(n.to_string(), "client|list");
        assert_eq!(CmdName::plain("get").to_string(), "get");
    }
}
