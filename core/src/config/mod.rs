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
    /// `loglevel`: debug, verbose, notice, warning (or nothing).
    pub loglevel: String,
    /// `logfile`: where the log goes; empty means standard output.
    pub logfile: String,
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
            loglevel: "notice".into(),
            logfile: String::new(),
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
/// Seed implementation (the runtime branch's stop-gap until the full parser
/// lands): a config file of `directive value...` lines and `--directive
/// value...` overrides, for the handful of directives below. The full parser
/// replaces this body without changing the signature.
pub fn load_from_args(
    args: &[String],
    read_file: &mut dyn FnMut(&str) -> std::io::Result<String>,
) -> Result<Config, ConfigError> {
    let mut cfg = Config::default();
    let mut rest = args;
    if let Some(first) = args.first() {
        if !first.starts_with("--") {
            let text = read_file(first).map_err(|e| ConfigError {
                file: first.clone(),
                line: 0,
                directive: String::new(),
                reason: format!("Fatal error, can't open config file '{first}': {e}"),
            })?;
            for (n, line) in text.lines().enumerate() {
                let words: Vec<String> = line.split_whitespace().map(str::to_owned).collect();
                if words.is_empty() || words[0].starts_with('#') {
                    continue;
                }
                seed_apply(&mut cfg, &words).map_err(|reason| ConfigError {
                    file: first.clone(),
                    line: n + 1,
                    directive: line.to_owned(),
                    reason,
                })?;
            }
            rest = &args[1..];
        }
    }
    let mut i = 0;
    while i < rest.len() {
        let mut words = vec![rest[i].trim_start_matches("--").to_owned()];
        i += 1;
        while i < rest.len() && !rest[i].starts_with("--") {
            words.push(rest[i].clone());
            i += 1;
        }
        seed_apply(&mut cfg, &words).map_err(|reason| ConfigError {
            file: "(command line)".into(),
            line: 0,
            directive: words.join(" "),
            reason,
        })?;
    }
    Ok(cfg)
}

/// Apply one directive (seed subset).
fn seed_apply(cfg: &mut Config, words: &[String]) -> Result<(), String> {
    let bad = || "Bad directive or wrong number of arguments".to_owned();
    let name = words.first().ok_or_else(bad)?.to_ascii_lowercase();
    if name == "bind" {
        cfg.bind = words[1..].to_vec();
        return if cfg.bind.is_empty() {
            Err(bad())
        } else {
            Ok(())
        };
    }
    let [_, v] = words else { return Err(bad()) };
    let int = |what: &str| -> Result<u64, String> {
        v.parse::<u64>().map_err(|_| format!("Invalid {what}"))
    };
    match name.as_str() {
        "port" => cfg.port = v.parse().map_err(|_| "Invalid port".to_owned())?,
        "maxclients" => cfg.maxclients = int("maxclients")?,
        "timeout" => cfg.timeout_secs = int("timeout")?,
        "hz" => cfg.hz = int("hz")?.clamp(1, 500) as u32,
        "databases" => cfg.databases = int("databases")? as usize,
        "loglevel" => cfg.loglevel = v.to_ascii_lowercase(),
        "logfile" => cfg.logfile = v.clone(),
        _ => return Err(bad()),
    }
    Ok(())
}
