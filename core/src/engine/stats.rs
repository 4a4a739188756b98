//! Counters and host facts for INFO.

use hashbrown::HashMap;

/// Per-command counters (INFO commandstats).
#[derive(Debug, Default, Clone, Copy)]
pub struct CommandStat {
    /// Times called.
    pub calls: u64,
    /// Times it replied with an error.
    pub failed_calls: u64,
}

/// Server-wide counters.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    /// Commands processed (including refused ones).
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
    pub commands: HashMap<&'static str, CommandStat>,
}

impl Stats {
    /// Count one call of `name`.
    pub fn record_call(&mut self, name: &'static str, failed: bool) {
        let s = self.commands.entry(name).or_default();
        s.calls += 1;
        if failed {
            s.failed_calls += 1;
            self.total_error_replies += 1;
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
}
