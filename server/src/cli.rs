//! The command line: the few flags handled before any configuration.

/// What the command line asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Print the version line.
    Version,
    /// Print usage.
    Help,
    /// Load the configuration and serve.
    Serve,
}

/// Decide from the arguments after the program name. As redis-server, the
/// flags count only as the sole argument.
pub fn parse(args: &[String]) -> Action {
    match args {
        [one] if one == "-v" || one == "--version" => Action::Version,
        [one] if one == "-h" || one == "--help" => Action::Help,
        _ => Action::Serve,
    }
}

/// The config file path, when the first argument is one (not `--option`).
pub fn config_file(args: &[String]) -> Option<String> {
    args.first().filter(|a| !a.starts_with("--")).cloned()
}

/// `--version` output, shaped like redis-server's. It names keyrs only, so
/// tools that sniff the version line do not mistake us for Redis or KeyDB.
pub fn version_line() -> String {
    format!(
        "keyrs-server v={} sha={}:0 malloc=libc bits={} build=keyrs",
        env!("CARGO_PKG_VERSION"),
        option_env!("KEYRS_GIT_SHA").unwrap_or("00000000"),
        usize::BITS
    )
}

/// `--help` output.
pub fn usage() -> String {
    "Usage: ./keyrs-server [/path/to/keyrs.conf] [options]
       ./keyrs-server -v or --version
       ./keyrs-server -h or --help

Examples:
       ./keyrs-server (run the server with default conf)
       ./keyrs-server /etc/keyrs/6379.conf
       ./keyrs-server --port 7777
       ./keyrs-server /etc/mykeyrs.conf --loglevel verbose

"
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn flags_only_as_sole_argument() {
        assert_eq!(parse(&args(&["-v"])), Action::Version);
        assert_eq!(parse(&args(&["--version"])), Action::Version);
        assert_eq!(parse(&args(&["--help"])), Action::Help);
        assert_eq!(parse(&args(&["-h"])), Action::Help);
        assert_eq!(parse(&args(&[])), Action::Serve);
        assert_eq!(parse(&args(&["--port", "1"])), Action::Serve);
    }

    #[test]
    fn config_file_is_a_leading_path() {
        assert_eq!(
            config_file(&args(&["a.conf", "--port", "1"])),
            Some("a.conf".into())
        );
        assert_eq!(config_file(&args(&["--port", "1"])), None);
    }

    #[test]
    fn version_names_keyrs_only() {
        let v = version_line();
        assert!(v.starts_with("keyrs-server v="));
        for other in ["Redis", "KeyDB", "Valkey"] {
            assert!(!v.contains(other));
        }
    }
}
