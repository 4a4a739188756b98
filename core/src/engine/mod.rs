//! The command engine: the shared keyspace and everything a command does to it.
//!
//! The engine is a pure state machine. The caller (a runtime thread holding
//! the global lock, or the simulator) hands it a client id, an argument vector
//! and the current time; it returns an [`Outcome`]: the reply plus
//! [`Effect`]s the runtime must carry out (close a connection, sleep, ...).
//! It never reads a clock, touches a socket or spawns a thread.

pub mod client;
pub mod commands;
pub mod db;
pub mod dict;
pub mod expire;
pub mod signals;
pub mod stats;
pub mod table;
pub mod types;
pub mod value;

use bytes::Bytes;
use rand_xoshiro::rand_core::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::config::Config;
use crate::resp::{Protocol, Reply};
pub use client::{ClientId, ClientRegistry, ClientState, ConnInfo, ReplyMode};
pub use db::Db;
pub use stats::{CmdName, HostStats, ServerInfo, Stats};
pub use table::{CommandSpec, CommandTable};

/// A point in time, handed in by the driver: wall-clock microseconds since
/// the Unix epoch. The engine derives everything time-related from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Time {
    /// Microseconds since the Unix epoch.
    pub unix_us: u64,
}

impl Time {
    /// From milliseconds since the epoch.
    pub const fn from_ms(ms: u64) -> Time {
        Time { unix_us: ms * 1000 }
    }

    /// Milliseconds since the epoch.
    pub const fn ms(self) -> u64 {
        self.unix_us / 1000
    }

    /// Seconds since the epoch.
    pub const fn secs(self) -> u64 {
        self.unix_us / 1_000_000
    }
}

/// Something the driver must do after a command or tick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Close the calling client once its pending replies are written (QUIT,
    /// protocol errors).
    CloseAfterReply,
    /// Close another client now (CLIENT KILL, idle timeout).
    KillClient(ClientId),
    /// Block the whole server for this long (DEBUG SLEEP). The runtime sleeps
    /// holding the lock; the simulator advances virtual time.
    Sleep {
        /// How long, in microseconds.
        duration_us: u64,
    },
    /// The server should shut down (SHUTDOWN).
    Shutdown,
}

/// The result of one command.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The reply to send, or `None` when the client asked for no reply
    /// (CLIENT REPLY OFF/SKIP).
    pub reply: Option<Reply>,
    /// The protocol to encode the reply in (HELLO may just have changed it).
    pub proto: Protocol,
    /// What the driver must do.
    pub effects: Vec<Effect>,
}

/// Everything a command handler needs besides the engine itself.
#[derive(Debug)]
pub struct Call<'a> {
    /// The calling client.
    pub client: ClientId,
    /// The arguments, `argv[0]` being the command name.
    pub argv: &'a [Bytes],
    /// The selected database of the client.
    pub db: usize,
    /// Now.
    pub now: Time,
    /// Effects the handler asks for.
    pub effects: Vec<Effect>,
    /// The spec being run (for error texts that name the command).
    pub spec: &'static CommandSpec,
}

impl Call<'_> {
    /// Argument `i` (dispatch checked the arity, so positions the arity
    /// guarantees are present).
    pub fn arg(&self, i: usize) -> &Bytes {
        &self.argv[i]
    }
}

/// The engine: databases, clients, config, statistics.
#[derive(Debug)]
pub struct Engine {
    /// Command lookup.
    pub table: CommandTable,
    /// The databases (`databases` of them, 16 by default).
    pub dbs: Vec<Db>,
    /// Connected clients.
    pub clients: ClientRegistry,
    /// Live configuration.
    pub config: Config,
    /// Counters for INFO.
    pub stats: Stats,
    /// Facts about the host process, supplied once by the driver.
    pub server: ServerInfo,
    /// Figures the driver refreshes (RSS, CPU time).
    pub host: HostStats,
    /// Seeded randomness: RANDOMKEY, expiry sampling, run id.
    pub rng: Xoshiro256PlusPlus,
    /// When the engine first saw time (for uptime).
    pub start_time: Option<Time>,
    /// The latest time seen.
    pub now: Time,
    /// Whether active expiry runs (DEBUG SET-ACTIVE-EXPIRE).
    pub active_expire_enabled: bool,
    /// Active-expiry cycle state carried between ticks.
    pub expire_state: expire::ExpireState,
}

impl Engine {
    /// A new engine with `config`, host facts and a seed for its randomness.
    pub fn new(config: Config, server: ServerInfo, seed: u64) -> Engine {
        let dbs = (0..config.databases.max(1))
            .map(|_| Db::new(seed))
            .collect();
        Engine {
            table: CommandTable::new(),
            dbs,
            clients: ClientRegistry::default(),
            config,
            stats: Stats::default(),
            server,
            host: HostStats::default(),
            rng: Xoshiro256PlusPlus::seed_from_u64(seed),
            start_time: None,
            now: Time::default(),
            active_expire_enabled: true,
            expire_state: expire::ExpireState::default(),
        }
    }

    /// A random 64-bit number from the engine's seeded generator.
    pub fn random_u64(&mut self) -> u64 {
        self.rng.next_u64()
    }

    fn observe_time(&mut self, now: Time) {
        if self.start_time.is_none() {
            self.start_time = Some(now);
        }
        if now > self.now {
            self.now = now;
        }
    }

    /// Register a new connection. Refuses with Redis's error when `maxclients`
    /// is reached; the driver writes that error and closes.
    pub fn connect(&mut self, info: ConnInfo, now: Time) -> Result<ClientId, Reply> {
        self.observe_time(now);
        if self.clients.len() as u64 >= self.config.maxclients {
            self.stats.rejected_connections += 1;
            return Err(Reply::error("ERR max number of clients reached"));
        }
        self.stats.total_connections_received += 1;
        let id = self.clients.add(info, now);
        // Like Redis's default user with `nopass`: without requirepass a new
        // client starts authenticated, and stays so if a password is set later.
        if let Some(c) = self.clients.get_mut(id) {
            c.authenticated = self.config.requirepass.is_none();
        }
        Ok(id)
    }

    /// Forget a connection (closed by either side).
    pub fn disconnect(&mut self, id: ClientId) {
        self.clients.remove(id);
    }

    /// The protocol a client speaks.
    pub fn client_proto(&self, id: ClientId) -> Protocol {
        self.clients.get(id).map(|c| c.proto).unwrap_or_default()
    }

    /// Execute one command for `client`.
    pub fn execute(&mut self, client: ClientId, argv: &[Bytes], now: Time) -> Outcome {
        self.observe_time(now);
        let Some(state) = self.clients.get_mut(client) else {
            return Outcome {
                reply: Some(Reply::err("no such client")),
                proto: Protocol::Resp2,
                effects: Vec::new(),
            };
        };
        state.last_interaction = now;
        // CLIENT REPLY SKIP silences the command after it: mark this one, so
        // that a CLIENT REPLY ON run now can still lift the silence (Redis).
        if state.reply_mode == ReplyMode::Skip {
            state.reply_mode = ReplyMode::SkipThis;
        }
        let db = state.db;
        let authenticated = state.authenticated;
        let mut effects = Vec::new();
        let reply = match self.resolve(argv) {
            Err(refusal) => {
                // Redis remembers the command even when arity refuses it; an
                // unknown (sub)command leaves `cmd=NULL` in CLIENT LIST.
                let (stat, last) = match refusal.kind {
                    RefusalKind::Unknown => (None, CmdName::NULL),
                    RefusalKind::UnknownSub(parent) => (Some(parent), CmdName::NULL),
                    RefusalKind::Arity(name) => (Some(name), name),
                };
                if let Some(name) = stat {
                    self.stats.record_rejected(name);
                }
                if let Some(c) = self.clients.get_mut(client) {
                    c.last_cmd = last;
                }
                refusal.reply
            }
            Ok((name, spec)) => {
                if let Some(c) = self.clients.get_mut(client) {
                    c.last_cmd = name;
                }
                let pubsub_resp2 = self
                    .clients
                    .get(client)
                    .is_some_and(|c| c.is_pubsub() && c.proto == Protocol::Resp2);
                if !authenticated
                    && self.config.requirepass.is_some()
                    && spec.flags & table::flags::NO_AUTH == 0
                {
                    self.stats.record_rejected(name);
                    Reply::error("NOAUTH Authentication required.")
                } else if pubsub_resp2 && !PUBSUB_CONTEXT_COMMANDS.contains(&name.parent) {
                    // A RESP2 connection in the pub/sub context can only read
                    // messages, so Redis refuses anything else there.
                    self.stats.record_rejected(name);
                    Reply::err(format!(
                        "Can't execute '{name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
                    ))
                } else {
                    let mut call = Call {
                        client,
                        argv,
                        db,
                        now,
                        effects: Vec::new(),
                        spec,
                    };
                    let reply = (spec.handler)(self, &mut call);
                    effects = call.effects;
                    self.stats.record_call(name, reply.is_error());
                    // Redis counts only commands that ran, not refused ones.
                    self.stats.total_commands_processed += 1;
                    reply
                }
            }
        };
        if let Reply::Error(msg) = &reply {
            self.stats.record_error(msg);
        }
        self.collect_lazy_expired();
        let proto = self.client_proto(client);
        // CLIENT REPLY: the mode after the command decides. OFF and a freshly
        // set SKIP silence this reply; SkipThis (not lifted by CLIENT REPLY
        // ON) silences it once and turns back to ON.
        let reply = match self.clients.get_mut(client) {
            Some(c) => match c.reply_mode {
                ReplyMode::On => Some(reply),
                ReplyMode::Off | ReplyMode::Skip => None,
                ReplyMode::SkipThis => {
                    c.reply_mode = ReplyMode::On;
                    None
                }
            },
            None => Some(reply),
        };
        Outcome {
            reply,
            proto,
            effects,
        }
    }

    /// Find the spec for `argv` and its full name, or why dispatch refuses.
    fn resolve(&self, argv: &[Bytes]) -> Result<(CmdName, &'static CommandSpec), Refusal> {
        let Some(name) = argv.first() else {
            return Err(Refusal {
                kind: RefusalKind::Unknown,
                reply: Reply::err("empty command"),
            });
        };
        let Some(parent) = self.table.get(name) else {
            return Err(Refusal {
                kind: RefusalKind::Unknown,
                reply: unknown_command(argv),
            });
        };
        let (full, spec) = if !parent.subcommands.is_empty() && argv.len() >= 2 {
            match table::find_subcommand(parent, &argv[1]) {
                Some(sub) => (
                    CmdName {
                        parent: parent.name,
                        sub: Some(sub.name),
                    },
                    sub,
                ),
                None => {
                    return Err(Refusal {
                        kind: RefusalKind::UnknownSub(CmdName::plain(parent.name)),
                        reply: Reply::err(format!(
                            "unknown subcommand '{}'. Try {} HELP.",
                            truncate_lossy(&argv[1], 128),
                            String::from_utf8_lossy(name).to_ascii_uppercase()
                        )),
                    })
                }
            }
        } else {
            (CmdName::plain(parent.name), parent)
        };
        if !spec.arity_ok(argv.len()) {
            return Err(Refusal {
                kind: RefusalKind::Arity(full),
                reply: Reply::err(format!("wrong number of arguments for '{full}' command")),
            });
        }
        Ok((full, spec))
    }

    /// Move keys that lazy expiry deleted into the statistics.
    fn collect_lazy_expired(&mut self) {
        for db in &mut self.dbs {
            let n = db.take_expired_count();
            self.stats.expired_keys += n;
        }
    }

    /// Periodic work at `hz`: active expiry, client idle timeouts. The driver
    /// calls this `hz` times a second (in virtual time under simulation).
    pub fn tick(&mut self, now: Time) -> Vec<Effect> {
        self.observe_time(now);
        let mut effects = Vec::new();
        if self.active_expire_enabled {
            expire::active_expire_cycle(self, now);
        }
        db::rehash_cron(&mut self.dbs);
        self.collect_lazy_expired();
        if self.config.timeout_secs > 0 {
            let limit_us = self.config.timeout_secs.saturating_mul(1_000_000);
            for c in self.clients.iter() {
                if now.unix_us.saturating_sub(c.last_interaction.unix_us) > limit_us
                    && !c.flags_exempt_from_timeout()
                {
                    effects.push(Effect::KillClient(c.id));
                }
            }
        }
        effects
    }
}

/// Commands a RESP2 client may run while subscribed.
const PUBSUB_CONTEXT_COMMANDS: &[&str] = &[
    "ping",
    "subscribe",
    "ssubscribe",
    "unsubscribe",
    "sunsubscribe",
    "psubscribe",
    "punsubscribe",
    "quit",
    "reset",
];

/// Why dispatch refused a command before running it.
struct Refusal {
    kind: RefusalKind,
    reply: Reply,
}

/// What dispatch knew of the refused command (for INFO commandstats and
/// CLIENT LIST `cmd=`).
enum RefusalKind {
    /// No such command.
    Unknown,
    /// No such subcommand of this container.
    UnknownSub(CmdName),
    /// The command exists; its arity does not fit.
    Arity(CmdName),
}

/// Lossy UTF-8 of at most `max` bytes of `b`.
pub fn truncate_lossy(b: &[u8], max: usize) -> String {
    String::from_utf8_lossy(&b[..b.len().min(max)]).into_owned()
}

/// Redis's unknown-command error, naming up to 128 bytes of arguments.
fn unknown_command(argv: &[Bytes]) -> Reply {
    let mut args = String::new();
    for a in &argv[1..] {
        if args.len() >= 128 {
            break;
        }
        let room = 128 - args.len();
        args.push('\'');
        args.push_str(&truncate_lossy(a, room));
        args.push_str("' ");
    }
    Reply::err(format!(
        "unknown command '{}', with args beginning with: {}",
        truncate_lossy(&argv[0], 128),
        args
    ))
}
