//! Server configuration: the live values the engine and runtime consult.
//!
//! - [`options`]: the registry of every directive (Redis 7.0's and KeyDB's).
//! - [`value`]: parsing directive arguments and rendering CONFIG GET values.
//! - [`load`]: the redis.conf / keydb.conf parser and the command line.
//! - [`rewrite`]: CONFIG REWRITE's new file text.
//!
//! [`Config`] keeps every option's value in the registry's order, plus typed
//! fields for what engine and runtime code reads on hot paths (`port`, `hz`,
//! `maxclients`, ...). The two are kept in step: CONFIG SET and the loader
//! update the typed fields after every change, and CONFIG GET first picks
//! up any typed field the runtime changed directly.

pub mod load;
pub mod options;
pub mod rewrite;
pub mod value;

pub use load::load_from_args;
use options::{flag, index_of, lookup, Kind, OptionDef, OPTIONS};

/// The index of an option read on a hot path (every write, every batch),
/// found once per call site rather than by a lookup per read.
macro_rules! hot_index {
    ($name:literal) => {{
        static INDEX: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
        *INDEX.get_or_init(|| index_of($name))
    }};
}
use value::{default_value, parse_value, render, Val};

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
    /// `maxmemory-policy`.
    pub maxmemory_policy: String,
    /// `loglevel`: debug, verbose, notice or warning.
    pub loglevel: String,
    /// `logfile` (empty: standard output).
    pub logfile: String,
    /// `dir`: the working directory. The driver changes into it and stores
    /// the absolute path back here (CONFIG GET shows the absolute path).
    pub dir: String,
    /// `dbfilename`.
    pub dbfilename: String,
    /// `daemonize`.
    pub daemonize: bool,
    /// `pidfile` (empty: none).
    pub pidfile: String,
    /// `server-threads` (alias `io-threads`): event-loop threads, 1..=16.
    pub server_threads: usize,
    /// `server-thread-affinity`: pin event-loop threads to CPUs.
    pub server_thread_affinity: bool,
    /// First CPU for thread 0 when `server_thread_affinity` is on
    /// (`server-thread-affinity N` means offset N-1).
    pub server_thread_affinity_offset: usize,
    /// `unixsocket` (empty: none).
    pub unixsocket: String,
    /// Path of the config file the server started with, if any (CONFIG
    /// REWRITE needs one).
    pub config_file: Option<String>,
    /// `rename-command old new` directives, in file order (empty `new`:
    /// the command is removed).
    pub rename_commands: Vec<(String, String)>,
    /// `user ...` directives (ACL rules), each as its arguments.
    pub acl_users: Vec<Vec<String>>,
    /// `loadmodule path args...` directives.
    pub load_modules: Vec<Vec<String>>,
    /// Every option's value, indexed like [`options::OPTIONS`].
    values: Vec<Val>,
    /// A CONFIG REWRITE waiting for the driver: (path, new file text).
    pending_rewrite: Option<(String, String)>,
    /// The config file's text as loaded (or last rewritten).
    file_text: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        let mut cfg = Config {
            port: 6379,
            bind: vec!["127.0.0.1".into()],
            databases: 16,
            hz: 10,
            timeout_secs: 0,
            maxclients: 10000,
            requirepass: None,
            proto_max_bulk_len: crate::resp::limits::BULK_MAX_BYTES_DEFAULT,
            maxmemory_policy: "noeviction".into(),
            loglevel: "notice".into(),
            logfile: String::new(),
            dir: String::new(),
            dbfilename: "dump.rdb".into(),
            daemonize: false,
            pidfile: String::new(),
            server_threads: 1,
            server_thread_affinity: false,
            server_thread_affinity_offset: 0,
            unixsocket: String::new(),
            config_file: None,
            rename_commands: Vec::new(),
            acl_users: Vec::new(),
            load_modules: Vec::new(),
            values: OPTIONS.iter().map(default_value).collect(),
            pending_rewrite: None,
            file_text: None,
        };
        cfg.apply_typed();
        cfg
    }
}

/// A configuration error, reported at start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file (or `(command line)`) the directive came from.
    pub file: String,
    /// 1-based line number, counted as Redis counts it (0: not tied to a line).
    pub line: usize,
    /// The offending line's text.
    pub directive: String,
    /// Why it was refused.
    pub reason: String,
}

impl std::fmt::Display for ConfigError {
    /// Redis's fatal config error report (what redis-server prints to stderr).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            return write!(f, "{}", self.reason);
        }
        write!(
            f,
            "\n*** FATAL CONFIG FILE ERROR (keyrs {}) ***\n\
             Reading the configuration file {}, at line {}\n>>> '{}'\n{}",
            env!("CARGO_PKG_VERSION"),
            self.file,
            self.line,
            self.directive,
            self.reason
        )
    }
}

impl std::error::Error for ConfigError {}

/// Why CONFIG SET refused: the whole error text after `ERR `.
pub type SetError = String;

impl Config {
    /// The stored value of option `idx`.
    pub(crate) fn value_at(&self, idx: usize) -> &Val {
        &self.values[idx]
    }

    /// Replace option `idx`'s value and refresh the typed fields.
    pub(crate) fn store(&mut self, idx: usize, v: Val) {
        self.values[idx] = v;
        self.apply_option_effects(idx);
        self.apply_typed();
    }

    /// Side effects of a new value that Redis applies on set (hz is capped
    /// to 1..=500).
    fn apply_option_effects(&mut self, idx: usize) {
        if OPTIONS[idx].name == "hz" {
            if let Val::Num(hz) = &mut self.values[idx] {
                *hz = (*hz).clamp(1, 500);
            }
        }
    }

    fn num(&self, name: &str) -> i64 {
        self.num_at(index_of(name))
    }

    fn num_at(&self, idx: usize) -> i64 {
        match self.values[idx] {
            Val::Num(n) => n,
            _ => 0,
        }
    }

    fn string(&self, name: &str) -> String {
        match &self.values[index_of(name)] {
            Val::Str(s) => s.clone(),
            _ => String::new(),
        }
    }

    fn boolean(&self, name: &str) -> bool {
        self.boolean_at(index_of(name))
    }

    fn boolean_at(&self, idx: usize) -> bool {
        matches!(self.values[idx], Val::Bool(true))
    }

    /// Copy registry values into the typed fields.
    fn apply_typed(&mut self) {
        self.port = u16::try_from(self.num("port")).unwrap_or(6379);
        if let Val::List(b) = &self.values[index_of("bind")] {
            self.bind = b.clone();
        }
        self.databases = usize::try_from(self.num("databases")).unwrap_or(16);
        self.hz = u32::try_from(self.num("hz")).unwrap_or(10);
        self.timeout_secs = u64::try_from(self.num("timeout")).unwrap_or(0);
        self.maxclients = u64::try_from(self.num("maxclients")).unwrap_or(10000);
        let pass = self.string("requirepass");
        self.requirepass = (!pass.is_empty()).then_some(pass);
        self.proto_max_bulk_len = self.num("proto-max-bulk-len");
        self.maxmemory_policy = self.get("maxmemory-policy").unwrap_or_default();
        self.loglevel = self.get("loglevel").unwrap_or_default();
        self.logfile = self.string("logfile");
        self.dir = self.string("dir");
        self.dbfilename = self.string("dbfilename");
        self.daemonize = self.boolean("daemonize");
        self.pidfile = self.string("pidfile");
        self.server_threads = usize::try_from(self.num("server-threads")).unwrap_or(1);
        if let Val::Affinity(a) = self.values[index_of("server-thread-affinity")] {
            self.server_thread_affinity = a.is_some();
            self.server_thread_affinity_offset = a.unwrap_or(0);
        }
        self.unixsocket = self.string("unixsocket");
    }

    /// Copy the typed fields back into the registry, in case runtime code
    /// changed one directly (e.g. the driver storing the absolute `dir`).
    fn capture_typed(&mut self) {
        let set = |cfg: &mut Config, name: &str, v: Val| {
            let idx = index_of(name);
            cfg.values[idx] = v;
        };
        set(self, "port", Val::Num(i64::from(self.port)));
        set(self, "bind", Val::List(self.bind.clone()));
        set(
            self,
            "databases",
            Val::Num(i64::try_from(self.databases).unwrap_or(i64::MAX)),
        );
        set(self, "hz", Val::Num(i64::from(self.hz)));
        set(
            self,
            "timeout",
            Val::Num(i64::try_from(self.timeout_secs).unwrap_or(i64::MAX)),
        );
        set(
            self,
            "maxclients",
            Val::Num(i64::try_from(self.maxclients).unwrap_or(i64::MAX)),
        );
        set(
            self,
            "requirepass",
            Val::Str(self.requirepass.clone().unwrap_or_default()),
        );
        set(
            self,
            "proto-max-bulk-len",
            Val::Num(self.proto_max_bulk_len),
        );
        for (name, text) in [
            ("maxmemory-policy", self.maxmemory_policy.clone()),
            ("loglevel", self.loglevel.clone()),
        ] {
            let idx = index_of(name);
            if let Kind::Enum(values, _) = OPTIONS[idx].kind {
                if let Some((_, v)) = values.iter().find(|(n, _)| n.eq_ignore_ascii_case(&text)) {
                    self.values[idx] = Val::Enum(*v);
                }
            }
        }
        set(self, "logfile", Val::Str(self.logfile.clone()));
        set(self, "dir", Val::Str(self.dir.clone()));
        set(self, "dbfilename", Val::Str(self.dbfilename.clone()));
        set(self, "daemonize", Val::Bool(self.daemonize));
        set(self, "pidfile", Val::Str(self.pidfile.clone()));
        set(
            self,
            "server-threads",
            Val::Num(i64::try_from(self.server_threads).unwrap_or(1)),
        );
        set(
            self,
            "server-thread-affinity",
            Val::Affinity(
                self.server_thread_affinity
                    .then_some(self.server_thread_affinity_offset),
            ),
        );
        set(self, "unixsocket", Val::Str(self.unixsocket.clone()));
    }

    /// An option's value as CONFIG GET renders it, by name or alias.
    pub fn get(&self, name: &str) -> Option<String> {
        let (idx, _) = lookup(name.as_bytes())?;
        Some(render(&OPTIONS[idx], &self.values[idx]))
    }

    /// A numeric option's raw value (memory options above `i64::MAX` come
    /// back negative, as their two's complement: read them with [`Config::get_u64`]).
    pub fn get_i64(&self, name: &str) -> Option<i64> {
        match self.values.get(lookup(name.as_bytes())?.0)? {
            Val::Num(n) => Some(*n),
            _ => None,
        }
    }

    /// A numeric option as unsigned (`maxmemory`, `maxstorage`, ...).
    pub fn get_u64(&self, name: &str) -> Option<u64> {
        self.get_i64(name).map(|n| n as u64)
    }

    /// A boolean option's value.
    pub fn get_bool(&self, name: &str) -> Option<bool> {
        match self.values.get(lookup(name.as_bytes())?.0)? {
            Val::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// `min-replicas-to-write`, read on every write command.
    pub fn min_replicas_to_write(&self) -> u64 {
        self.num_at(hot_index!("min-replicas-to-write")) as u64
    }

    /// `prefetch-enabled` (KeyDB), read once per batch of commands.
    pub fn prefetch_enabled(&self) -> bool {
        self.boolean_at(hot_index!("prefetch-enabled"))
    }

    /// `notify-keyspace-events` as bits (see [`value::NOTIFY_ALL`] and friends),
    /// read on every write command.
    pub fn notify_keyspace_events(&self) -> u32 {
        match self.values[hot_index!("notify-keyspace-events")] {
            Val::Notify(bits) => bits,
            _ => 0,
        }
    }

    /// `save` rules as (seconds, changes) pairs.
    pub fn save_params(&self) -> Vec<(i64, i64)> {
        match &self.values[index_of("save")] {
            Val::Save(p) => p.clone(),
            _ => Vec::new(),
        }
    }

    /// `client-output-buffer-limit` for normal, replica and pubsub clients.
    pub fn client_output_buffer_limits(&self) -> [value::ObufLimit; 3] {
        match &self.values[index_of("client-output-buffer-limit")] {
            Val::Obuf(l) => *l,
            _ => value::OBUF_DEFAULTS,
        }
    }

    /// The masters from `replicaof` (several under KeyDB's multi-master).
    pub fn masters(&self) -> Vec<(String, u16)> {
        match &self.values[index_of("replicaof")] {
            Val::ReplicaOf(m) => m.clone(),
            _ => Vec::new(),
        }
    }

    /// Replace the `replicaof` masters (REPLICAOF on an active replica
    /// keeps the whole list, for CONFIG REWRITE).
    pub fn set_masters(&mut self, masters: Vec<(String, u16)>) {
        self.capture_typed();
        self.store(index_of("replicaof"), Val::ReplicaOf(masters));
    }

    /// Set one option from directive arguments, as a config-file line would
    /// (immutability is not checked). Returns Redis's reason on error.
    pub fn set_option(&mut self, name: &str, args: &[String]) -> Result<(), String> {
        let (idx, _) = lookup(name.as_bytes())
            .ok_or_else(|| "Bad directive or wrong number of arguments".to_string())?;
        let def = &OPTIONS[idx];
        if !def.has(flag::MULTI_ARG) && args.len() != 1 {
            return Err("wrong number of arguments".into());
        }
        self.capture_typed();
        let v = parse_value(def, &self.values[idx], args, false)?;
        self.store(idx, v);
        Ok(())
    }

    /// CONFIG GET: the (name, value) pairs matching any of `patterns`, each
    /// option once. A pattern without glob characters is an exact,
    /// case-insensitive name and is echoed as given; patterns match
    /// case-insensitively and skip hidden options.
    pub fn config_get(&mut self, patterns: &[&[u8]]) -> Vec<(String, String)> {
        self.capture_typed();
        let mut out: Vec<(String, String)> = Vec::new();
        let present = |out: &[(String, String)], name: &[u8]| {
            out.iter()
                .any(|(n, _)| n.as_bytes().eq_ignore_ascii_case(name))
        };
        for pat in patterns {
            if !pat.iter().any(|c| matches!(c, b'[' | b'*' | b'?')) {
                if present(&out, pat) {
                    continue;
                }
                if let Some((idx, _)) = lookup(pat) {
                    out.push((
                        String::from_utf8_lossy(pat).into_owned(),
                        render(&OPTIONS[idx], &self.values[idx]),
                    ));
                }
                continue;
            }
            for (idx, def) in OPTIONS.iter().enumerate() {
                if def.has(flag::HIDDEN) {
                    continue;
                }
                for name in std::iter::once(def.name).chain(def.alias) {
                    if !present(&out, name.as_bytes())
                        && crate::util::glob::matches(pat, name.as_bytes(), true)
                    {
                        out.push((name.to_string(), render(def, &self.values[idx])));
                    }
                }
            }
        }
        out
    }

    /// CONFIG SET with Redis 7.0's all-or-nothing rules. `pairs` are the
    /// (name, value) arguments; `protected_allowed` says whether this client
    /// may change protected options (`enable-protected-configs`). On error
    /// nothing changed and the text after `ERR ` is returned.
    pub fn config_set(
        &mut self,
        pairs: &[(&[u8], &[u8])],
        protected_allowed: bool,
    ) -> Result<(), SetError> {
        let failed = |name: &str, why: &str| {
            format!("CONFIG SET failed (possibly related to argument '{name}') - {why}")
        };
        // Phase 1: every name must exist and be settable, once.
        let mut chosen: Vec<(usize, bool)> = Vec::with_capacity(pairs.len());
        for (name, _) in pairs {
            let Some(found) = lookup(name) else {
                return Err(format!(
                    "Unknown option or number of arguments for CONFIG SET - '{}'",
                    String::from_utf8_lossy(name)
                ));
            };
            let def = &OPTIONS[found.0];
            let shown = String::from_utf8_lossy(name);
            if def.has(flag::IMMUTABLE) {
                return Err(failed(&shown, "can't set immutable config"));
            }
            if def.has(flag::PROTECTED) && !protected_allowed {
                return Err(failed(&shown, "can't set protected config"));
            }
            if chosen.contains(&found) {
                return Err(failed(&shown, "duplicate parameter"));
            }
            chosen.push(found);
        }
        // Phase 2: parse and set in order; restore everything on failure.
        self.capture_typed();
        let backup = self.values.clone();
        for ((idx, is_alias), (_, value)) in chosen.iter().zip(pairs) {
            let def: &OptionDef = &OPTIONS[*idx];
            let value = String::from_utf8_lossy(value).into_owned();
            let args: Vec<String> = if def.has(flag::MULTI_ARG) {
                if value.is_empty() {
                    Vec::new()
                } else {
                    value.split(' ').map(str::to_owned).collect()
                }
            } else {
                vec![value]
            };
            match parse_value(def, &self.values[*idx], &args, false) {
                Ok(v) => {
                    self.values[*idx] = v;
                    self.apply_option_effects(*idx);
                }
                Err(why) => {
                    self.values = backup;
                    let name = if *is_alias {
                        def.alias.unwrap_or(def.name)
                    } else {
                        def.name
                    };
                    return Err(failed(name, &why));
                }
            }
        }
        self.apply_typed();
        Ok(())
    }

    /// Does `enable-protected-configs` let a client change protected
    /// options (`dir`, `dbfilename`)? `local` clients pass under `local`.
    pub fn protected_configs_allowed(&self, client_is_local: bool) -> bool {
        match self.values[index_of("enable-protected-configs")] {
            Val::Enum(1) => true,
            Val::Enum(2) => client_is_local,
            _ => false,
        }
    }

    /// CONFIG REWRITE: compute the new file text from `old_text` (the config
    /// file's current content) and queue it for the driver, which takes it
    /// with [`Config::take_pending_rewrite`] and writes it atomically.
    pub fn queue_rewrite(&mut self, path: String, old_text: &str) {
        self.capture_typed();
        let text = rewrite::rewrite(self, old_text);
        self.file_text = Some(text.clone());
        self.pending_rewrite = Some((path, text));
    }

    /// The queued CONFIG REWRITE output, if any: (path, new file text).
    pub fn take_pending_rewrite(&mut self) -> Option<(String, String)> {
        self.pending_rewrite.take()
    }

    /// The text of the config file as last loaded or rewritten (kept so that
    /// CONFIG REWRITE can preserve comments without reading the disk).
    pub fn config_file_text(&self) -> Option<&str> {
        self.file_text.as_deref()
    }

    /// Remember the config file's text (the loader calls this).
    pub(crate) fn set_file_text(&mut self, text: String) {
        self.file_text = Some(text);
    }
}

#[cfg(test)]
mod tests;
