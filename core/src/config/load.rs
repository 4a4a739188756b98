//! The config-file parser and the command-line rules of redis-server.
//!
//! redis-server reads an optional config file (first argument, unless it
//! starts with `-`), then turns `--name v1 v2 --name2 v` into extra lines
//! appended after the file, and parses the whole text line by line. Line
//! numbers in errors count over that combined text, exactly as Redis counts.

use std::collections::HashSet;

use super::options::{flag, lookup, OPTIONS};
use super::value::{parse_value, Val};
use super::{Config, ConfigError};

/// Deepest `include` nesting accepted (Redis has no limit and recurses until
/// it crashes on a loop; keyrs refuses instead).
const INCLUDE_DEPTH_MAX: usize = 32;

/// Name shown for lines that came from the command line.
pub const COMMAND_LINE: &str = "(command line)";

/// Directives Redis 7.0 still accepts and ignores (with exactly one argument).
const DEPRECATED: &[&str] = &[
    "list-max-ziplist-entries",
    "list-max-ziplist-value",
    "lua-replicate-commands",
];

/// KeyDB directives handled outside the option table, accepted with any
/// arguments and ignored here (`is-flash-enabled` is a probe the server
/// binary answers; `rdbfuzz-mode` is a test hook).
const KEYDB_NOOPS: &[&str] = &["rdbfuzz-mode", "is-flash-enabled"];

/// Quote `s` as Redis's `sdscatrepr` does, so `split_args` gives it back.
pub fn repr(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for b in s.bytes() {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
    out
}

/// Turn redis-server's arguments after the config file into config lines,
/// with Redis 7.0's rules: `--name` starts a line; the argument after a
/// bare `--name` is always its value, even if it starts with `--`; `--save`
/// with nothing after it (or followed by another option) means `save ""`;
/// a single argument `"--name value"` is taken as a whole line.
pub fn options_text(args: &[String]) -> String {
    let mut options = String::new();
    let mut handled_last = true;
    for (j, a) in args.iter().enumerate() {
        if handled_last && a.starts_with("--") {
            if !options.is_empty() {
                options.push('\n');
            }
            options.push_str(&a[2..]);
            options.push(' ');
            let words = crate::resp::parser::split_args(a.as_bytes()).map_or(0, |w| w.len());
            if words == 1 {
                handled_last = false;
                let last = j + 1 == args.len();
                if a.eq_ignore_ascii_case("--save") {
                    if !last && args[j + 1].starts_with("--") {
                        options.push_str("\"\"");
                        handled_last = true;
                    } else if last {
                        options.push_str("\"\"");
                    }
                }
            } else {
                handled_last = true;
            }
        } else {
            options.push_str(&repr(a));
            options.push(' ');
            handled_last = true;
        }
    }
    options
}

/// Build the configuration from `keyrs-server`'s arguments, exactly as
/// redis-server takes them: an optional config file path first (unless it
/// starts with `-`), then `--option value ...` overrides. `read_file`
/// performs the file I/O (the core has none) for the main file, every
/// `include`, and `-` (standard input, as first or last argument).
pub fn load_from_args(
    args: &[String],
    read_file: &mut dyn FnMut(&str) -> std::io::Result<String>,
) -> Result<Config, ConfigError> {
    let mut cfg = Config::default();
    let mut rest = args;
    let mut text = String::new();
    let mut file_name = COMMAND_LINE.to_string();
    if let Some(first) = args.first() {
        if !first.starts_with('-') {
            text = read_main(first, read_file)?;
            cfg.config_file = Some(first.clone());
            cfg.set_file_text(text.clone());
            file_name = first.clone();
            rest = &args[1..];
        }
    }
    // `-` as the first or last argument: also read standard input.
    let stdin_at = rest
        .iter()
        .enumerate()
        .filter(|(j, a)| {
            a.as_str() == "-" && ((*j == 0 && cfg.config_file.is_none()) || *j + 1 == rest.len())
        })
        .map(|(j, _)| j)
        .next();
    let overrides: Vec<String> = rest
        .iter()
        .enumerate()
        .filter(|(j, _)| Some(*j) != stdin_at)
        .map(|(_, a)| a.clone())
        .collect();
    if stdin_at.is_some() {
        text.push_str(&read_main("-", read_file)?);
    }
    let file_lines = text.split('\n').count();
    text.push('\n');
    text.push_str(&options_text(&overrides));

    let mut loader = Loader {
        cfg: &mut cfg,
        read_file,
        stack: vec![file_name.clone()],
        save_seen: false,
        commands: None,
        module_configs: Vec::new(),
    };
    loader.load_text(&text, &file_name, Some(file_lines))?;
    loader.finish()?;
    Ok(cfg)
}

fn read_main(
    path: &str,
    read_file: &mut dyn FnMut(&str) -> std::io::Result<String>,
) -> Result<String, ConfigError> {
    read_file(path).map_err(|e| open_error(path, &e))
}

/// Redis's message for a config file it cannot open (strerror text, without
/// Rust's "(os error N)" suffix).
fn open_error(path: &str, e: &std::io::Error) -> ConfigError {
    let msg = e.to_string();
    let msg = match msg.find(" (os error") {
        Some(cut) => msg[..cut].to_string(),
        None => msg,
    };
    ConfigError {
        file: path.to_string(),
        line: 0,
        directive: String::new(),
        reason: format!("Fatal error, can't open config file '{path}': {msg}"),
    }
}

/// Parsing state across the main text and its includes.
struct Loader<'a> {
    cfg: &'a mut Config,
    read_file: &'a mut dyn FnMut(&str) -> std::io::Result<String>,
    /// Files being read, outermost first (include loop detection).
    stack: Vec<String>,
    /// A `save` line was seen: later ones append instead of replacing the
    /// defaults.
    save_seen: bool,
    /// Command names as `rename-command` lines left them (built on first use).
    commands: Option<HashSet<String>>,
    /// Module options (`module.option value`), which need a loaded module.
    module_configs: Vec<(String, String)>,
}

impl Loader<'_> {
    /// Parse `text` read from `file`. Lines past `file_lines` came from the
    /// command line.
    fn load_text(
        &mut self,
        text: &str,
        file: &str,
        file_lines: Option<usize>,
    ) -> Result<(), ConfigError> {
        for (i, raw) in text.split('\n').enumerate() {
            let line = raw.trim_matches([' ', '\t', '\r', '\n']);
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let linenum = i + 1;
            let source = match file_lines {
                Some(n) if linenum > n => COMMAND_LINE,
                _ => file,
            };
            let fail = |reason: String| ConfigError {
                file: source.to_string(),
                line: linenum,
                directive: line.to_string(),
                reason,
            };
            let Some(argv) = crate::resp::parser::split_args(line.as_bytes()) else {
                return Err(fail("Unbalanced quotes in configuration line".into()));
            };
            if argv.is_empty() {
                continue;
            }
            let argv: Vec<String> = argv
                .iter()
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            let name = argv[0].to_ascii_lowercase();
            self.directive(&name, &argv[1..]).map_err(|f| match f {
                Failure::Here(reason) => fail(reason),
                Failure::Inner(e) => e,
            })?;
        }
        Ok(())
    }

    /// Apply one directive.
    fn directive(&mut self, name: &str, args: &[String]) -> Result<(), Failure> {
        if let Some((idx, _)) = lookup(name.as_bytes()) {
            return Ok(self.option(idx, args)?);
        }
        let argc = args.len() + 1;
        if DEPRECATED.contains(&name) && argc == 2 {
            return Ok(());
        }
        if KEYDB_NOOPS.contains(&name) {
            return Ok(());
        }
        match name {
            "include" if argc == 2 => self.include(&args[0]),
            "rename-command" if argc == 3 => Ok(self.rename_command(&args[0], &args[1])?),
            "user" if argc >= 2 => {
                self.cfg.acl_users.push(args.to_vec());
                Ok(())
            }
            "loadmodule" if argc >= 2 => {
                self.cfg.load_modules.push(args.to_vec());
                Ok(())
            }
            _ if name.contains('.') => {
                if argc != 2 {
                    return Err("Module config specified without value".into());
                }
                self.module_configs
                    .push((name.to_string(), args[0].clone()));
                Ok(())
            }
            "sentinel" => {
                if argc == 1 {
                    Ok(())
                } else {
                    Err("sentinel directive while not in sentinel mode".into())
                }
            }
            _ => Err("Bad directive or wrong number of arguments".into()),
        }
    }

    /// A registry option line.
    fn option(&mut self, idx: usize, args: &[String]) -> Result<(), String> {
        let def = &OPTIONS[idx];
        if !def.has(flag::MULTI_ARG) && args.len() != 1 {
            return Err("wrong number of arguments".into());
        }
        // As Redis 7: a multi-argument option given one non-empty argument
        // (`save "3600 1"`, `--save "3600 1"`) is split on spaces.
        let split: Vec<String>;
        let args = match args {
            [one] if def.has(flag::MULTI_ARG) && !one.is_empty() => {
                split = one.split(' ').map(str::to_string).collect();
                &split[..]
            }
            _ => args,
        };
        let is_save = def.name == "save";
        let mut v = parse_value(def, self.cfg.value_at(idx), args, is_save && self.save_seen)?;
        if is_save {
            self.save_seen = true;
        }
        match def.name {
            // KeyDB: these must come before any replicaof line.
            "active-replica" | "multi-master" => {
                if !self.cfg.masters().is_empty() {
                    return Err(format!(
                        "{} must be set before any replicaof directive",
                        def.name
                    ));
                }
                if def.name == "active-replica" && v == Val::Bool(true) {
                    let ro = super::options::index_of("replica-read-only");
                    self.cfg.store(ro, Val::Bool(false));
                }
            }
            // KeyDB multi-master: every replicaof line adds a master.
            "replicaof" if self.cfg.get_bool("multi-master") == Some(true) => {
                if let Val::ReplicaOf(new) = &v {
                    if !new.is_empty() {
                        let mut all = self.cfg.masters();
                        all.extend(new.iter().cloned());
                        v = Val::ReplicaOf(all);
                    }
                }
            }
            _ => {}
        }
        self.cfg.store(idx, v);
        Ok(())
    }

    fn include(&mut self, path: &str) -> Result<(), Failure> {
        if self.stack.iter().any(|p| p == path) {
            return Err(format!("Include loop detected: '{path}' is already being read").into());
        }
        if self.stack.len() >= INCLUDE_DEPTH_MAX {
            return Err(format!("Too many nested includes (more than {INCLUDE_DEPTH_MAX})").into());
        }
        let text = (self.read_file)(path).map_err(|e| Failure::Inner(open_error(path, &e)))?;
        self.stack.push(path.to_string());
        let r = self.load_text(&text, path, None);
        self.stack.pop();
        r.map_err(Failure::Inner)
    }

    /// `rename-command from to`: checked against the command table as
    /// renamed so far (an empty `to` removes the command).
    fn rename_command(&mut self, from: &str, to: &str) -> Result<(), String> {
        let names = self.commands.get_or_insert_with(|| {
            crate::engine::table::all_commands()
                .map(|c| c.name.to_string())
                .collect()
        });
        let from_l = from.to_ascii_lowercase();
        if !names.remove(&from_l) {
            return Err("No such command in rename-command".into());
        }
        if !to.is_empty() && !names.insert(to.to_ascii_lowercase()) {
            return Err("Target command name already exists".into());
        }
        self.cfg.rename_commands.push((from_l, to.to_string()));
        Ok(())
    }

    /// Checks after the whole text was read.
    fn finish(&mut self) -> Result<(), ConfigError> {
        let plain = |reason: &str| ConfigError {
            file: String::new(),
            line: 0,
            directive: String::new(),
            reason: reason.to_string(),
        };
        if self.cfg.get_bool("cluster-enabled") == Some(true) && !self.cfg.masters().is_empty() {
            return Err(plain("replicaof directive not allowed in cluster mode"));
        }
        if self.cfg.get_bool("multi-master") == Some(true)
            && self.cfg.get_bool("active-replica") != Some(true)
        {
            return Err(plain("multi-master requires active-replica yes"));
        }
        if !self.module_configs.is_empty() && self.cfg.load_modules.is_empty() {
            return Err(plain(
                "Module Configuration detected without loadmodule directive or no ApplyConfig call: aborting",
            ));
        }
        // Daemonized without a pidfile: Redis writes the default one.
        if self.cfg.daemonize && self.cfg.pidfile.is_empty() {
            let idx = super::options::index_of("pidfile");
            self.cfg.store(idx, Val::Str("/var/run/redis.pid".into()));
        }
        Ok(())
    }
}

/// Why a directive failed: a reason to report against its own line, or an
/// error from an included file that already names its file and line.
enum Failure {
    /// Report this reason for the current line.
    Here(String),
    /// Pass this error through unchanged.
    Inner(ConfigError),
}

impl From<String> for Failure {
    fn from(s: String) -> Self {
        Failure::Here(s)
    }
}

impl From<&str> for Failure {
    fn from(s: &str) -> Self {
        Failure::Here(s.to_string())
    }
}
