//! Server configuration: the live values the engine and runtime consult.
//!
//! (Seed: typed fields for what the engine uses. The option registry behind
//! CONFIG GET/SET and the redis.conf parser grow here.)

/// The live configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// `port`.
    pub port: u16,
    /// `bind` addresses.
    pub bind: Vec<String>,
    /// `databases`.
    pub databases: usize,
    /// `hz`: how often `Engine::tick` runs per second.
    pub hz: u32,
    /// `timeout`: idle seconds before a client is closed (0: never).
    pub timeout_secs: u64,
    /// `maxclients`.
    pub maxclients: u64,
    /// `requirepass`.
    pub requirepass: Option<String>,
    /// `proto-max-bulk-len`.
    pub proto_max_bulk_len: i64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            port: 6379,
            bind: vec!["127.0.0.1".into()],
            databases: 16,
            hz: 10,
            timeout_secs: 0,
            maxclients: 10000,
            requirepass: None,
            proto_max_bulk_len: crate::resp::limits::BULK_MAX_BYTES_DEFAULT,
        }
    }
}
