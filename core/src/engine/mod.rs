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
pub use stats::{HostStats, ServerInfo, Stats};
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
        Ok(self.clients.add(info, now))
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
        let db = state.db;
        let reply_mode = state.reply_mode;
        let authenticated = state.authenticated;
        let mut effects = Vec::new();
        let reply = match self.resolve(argv) {
            Err(reply) => reply,
            Ok(spec) => {
                if !authenticated
                    && self.config.requirepass.is_some()
                    && spec.flags & table::flags::NO_AUTH == 0
                {
                    Reply::error("NOAUTH Authentication required.")
                } else {
                    if let Some(c) = self.clients.get_mut(client) {
                        c.last_cmd = spec.name;
                    }
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
                    self.stats.record_call(spec.name, reply.is_error());
                    reply
                }
            }
        };
        self.stats.total_commands_processed += 1;
        self.collect_lazy_expired();
        let proto = self.client_proto(client);
        // CLIENT REPLY: OFF suppresses everything, SKIP suppresses this one
        // reply (the command that set SKIP is itself answered... never: Redis
        // suppresses the CLIENT REPLY SKIP reply too).
        let reply = match reply_mode {
            ReplyMode::On => {
                // The command may have just switched the mode.
                match self.clients.get(client).map(|c| c.reply_mode) {
                    Some(ReplyMode::Off) | Some(ReplyMode::Skip) => None,
                    _ => Some(reply),
                }
            }
            ReplyMode::Off => match self.clients.get(client).map(|c| c.reply_mode) {
                Some(ReplyMode::On) => Some(reply),
                _ => None,
            },
            ReplyMode::Skip => {
                if let Some(c) = self.clients.get_mut(client) {
                    if c.reply_mode == ReplyMode::Skip {
                        c.reply_mode = ReplyMode::On;
                    }
                }
                None
            }
        };
        Outcome {
            reply,
            proto,
            effects,
        }
    }

    /// Find the spec for `argv`, or the error reply Redis gives.
    fn resolve(&self, argv: &[Bytes]) -> Result<&'static CommandSpec, Reply> {
        let Some(name) = argv.first() else {
            return Err(Reply::err("empty command"));
        };
        let Some(spec) = self.table.get(name) else {
            return Err(unknown_command(argv));
        };
        let spec = if !spec.subcommands.is_empty() && argv.len() >= 2 {
            match table::find_subcommand(spec, &argv[1]) {
                Some(sub) => sub,
                None => {
                    return Err(Reply::err(format!(
                        "unknown subcommand '{}'. Try {} HELP.",
                        truncate_lossy(&argv[1], 128),
                        String::from_utf8_lossy(name).to_ascii_uppercase()
                    )))
                }
            }
        } else {
            spec
        };
        if !spec.arity_ok(argv.len()) {
            let full = if std::ptr::eq(spec, self.table.get(name).unwrap_or(spec)) {
                spec.name.to_string()
            } else {
                format!(
                    "{}|{}",
                    String::from_utf8_lossy(name).to_ascii_lowercase(),
                    spec.name
                )
            };
            return Err(Reply::err(format!(
                "wrong number of arguments for '{full}' command"
            )));
        }
        Ok(spec)
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
