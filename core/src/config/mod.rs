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
    /// `maxmemory-policy` (OBJECT FREQ/IDLETIME depend on LFU vs LRU).
    pub maxmemory_policy: String,
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
            maxmemory_policy: "noeviction".into(),
        }
    }
}

/// A configuration error, reported at start-up as `file:line: reason`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file (or `(command line)`) the directive came from.
    pub file: String,
    /// 1-based line number (0 for the command line).
    pub line: usize,
    /// The offending line's text.
    pub directive: String,
    /// Why it was refused.
    pub reason: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "*** FATAL CONFIG FILE ERROR *** {}:{}: '{}': {}",
            self.file, self.line, self.directive, self.reason
        )
    }
}

impl std::error::Error for ConfigError {}

/// Build the configuration from `keyrs-server`'s arguments, exactly as
/// redis-server takes them: an optional config file path first, then
/// `--option value ...` overrides. `read_file` performs the file I/O (the
/// core has none) for the main file and every `include`.
///
/// Seed implementation: only `--port` and `--bind` overrides. The full
/// parser replaces this body without changing the signature.
pub fn load_from_args(
    args: &[String],
    read_file: &mut dyn FnMut(&str) -> std::io::Result<String>,
) -> Result<Config, ConfigError> {
    let _ = read_file;
    let mut cfg = Config::default();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        let err = |reason: &str| ConfigError {
            file: "(command line)".into(),
            line: 0,
            directive: a.clone(),
            reason: reason.into(),
        };
        match a.as_str() {
            "--port" => {
                let v = args.get(i + 1).ok_or_else(|| err("missing value"))?;
                cfg.port = v.parse().map_err(|_| err("Invalid port"))?;
                i += 2;
            }
            "--bind" => {
                let v = args.get(i + 1).ok_or_else(|| err("missing value"))?;
                cfg.bind = v.split_whitespace().map(str::to_owned).collect();
                i += 2;
            }
            _ => return Err(err("Bad directive or wrong number of arguments")),
        }
    }
    Ok(cfg)
}
