//! The command engine: the shared keyspace and everything a command does to it.
//!
//! The engine is a pure state machine. The caller (a runtime thread holding
//! the global lock, or the simulator) hands it a client id, an argument vector
//! and the current time; it returns an [`Outcome`]: the reply plus
//! [`Effect`]s the runtime must carry out (close a connection, sleep, ...).
//! It never reads a clock, touches a socket or spawns a thread.

pub mod blocking;
pub mod client;
pub mod commands;
pub mod db;
pub mod dict;
pub mod expire;
pub mod monitor;
pub mod prefetch;
pub mod propagate;
pub mod pubsub;
pub mod shared;
pub mod signals;
pub mod smallkey;
pub mod stats;
pub mod table;
pub mod types;
pub mod value;
pub mod watch;

use bytes::Bytes;
use hashbrown::HashMap;
use rand_xoshiro::rand_core::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::config::Config;
use crate::resp::{Protocol, Reply};
pub use client::{ClientId, ClientRegistry, ClientState, ConnInfo, ReplyMode};
pub use db::{Db, ExpiryMode};
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
    /// Write these bytes (already encoded in the target's protocol) to
    /// `client`'s connection: a Pub/Sub message, keyspace event, or the
    /// reply of a blocked client. The target may be the caller (its RESP3
    /// push then goes out before the command's reply, as in Redis) or a
    /// connection owned by another thread.
    Deliver {
        /// The receiving client.
        client: ClientId,
        /// The encoded message.
        bytes: Bytes,
    },
    /// `client` was blocked (see [`Outcome::blocked`]) and is now answered
    /// (its reply came as a `Deliver` just before): feed it commands again.
    Unblocked(ClientId),
}

/// The result of one command.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The reply to send, or `None` when the client asked for no reply
    /// (CLIENT REPLY OFF/SKIP) or is now blocked.
    pub reply: Option<Reply>,
    /// Further replies after `reply`, in order (SUBSCRIBE a b c answers
    /// once per channel). Suppressed together with `reply`.
    pub more: Vec<Reply>,
    /// The command blocked the client (BLPOP on an empty list): no reply
    /// now; the driver must not run its next commands until an
    /// [`Effect::Unblocked`] for it arrives.
    pub blocked: bool,
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
    /// Replies after the one the handler returns (SUBSCRIBE of several
    /// channels).
    pub more: Vec<Reply>,
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
    /// WATCHed keys and clients whose transaction a change failed.
    pub watches: watch::Watches,
    /// Clients inside MULTI and their queued commands.
    pub multi: HashMap<ClientId, watch::MultiState>,
    /// Pub/Sub subscriptions.
    pub pubsub: pubsub::PubSub,
    /// Clients parked by blocking commands.
    pub blocking: blocking::Blocking,
    /// Effects for other clients (deliveries, unblocks) produced while a
    /// command or tick runs; moved into its outcome.
    pub outbox: Vec<Effect>,
    /// EXEC is running its queued commands (blocking commands do not block).
    pub in_exec: bool,
    /// Clients in MONITOR mode.
    pub monitors: monitor::Monitors,
    /// The propagation stream (AOF, replication).
    pub prop: propagate::Propagation,
    /// The AOF as the driver reports it (INFO, BGREWRITEAOF).
    pub aof: commands::aof::AofStatus,
    /// Snapshots, saves, loading: what INFO persistence reports.
    pub persist: crate::persist::PersistState,
    /// Where bulk replies copied out of the keyspace are carved from
    /// ([`Reply::bulk_in`]): GET allocates nothing per command.
    pub reply_arena: bytes::BytesMut,
    /// Replication: ids, offsets, backlog, replicas, our master.
    pub repl: crate::repl::ReplState,
    /// Active replication (`active-replica`): node id, clock, watermarks.
    pub active: crate::repl::active::ActiveState,
}

impl Engine {
    /// A new engine with `config`, host facts and a seed for its randomness.
    pub fn new(config: Config, server: ServerInfo, seed: u64) -> Engine {
        let dbs = (0..config.databases.max(1))
            .map(|_| Db::new(seed))
            .collect();
        let mut e = Engine {
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
            watches: watch::Watches::default(),
            multi: HashMap::new(),
            pubsub: pubsub::PubSub::default(),
            blocking: blocking::Blocking::default(),
            outbox: Vec::new(),
            in_exec: false,
            monitors: monitor::Monitors::default(),
            prop: propagate::Propagation::default(),
            aof: commands::aof::AofStatus::new(),
            persist: crate::persist::PersistState::default(),
            reply_arena: bytes::BytesMut::new(),
            repl: crate::repl::ReplState::new(crate::repl::state::make_id({
                // A generator of its own: the engine's sequence stays as it was.
                let mut r = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x7265_706c_6964);
                move || r.next_u64()
            })),
            active: crate::repl::active::ActiveState::new({
                // A provisional id from the seed until the driver sets the
                // persisted one (`set_node_id`); its own generator again.
                let mut r = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x6e6f_6465_6964);
                let mut b = [0u8; 16];
                r.fill_bytes(&mut b);
                crate::repl::active::NodeId::from_random(b)
            }),
        };
        if e.config.get_bool("active-replica") == Some(true) {
            e.set_active(true);
        }
        let masters = e.config.masters();
        if e.is_active_replica() {
            for (host, port) in masters {
                e.repl_add_active_master(host, port);
            }
        } else if let Some((host, port)) = masters.into_iter().next() {
            e.repl_set_master(host, port);
        }
        e
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
        self.reset_client_state(id);
        self.clients.remove(id);
    }

    /// Drop a client's transaction, watches, subscriptions and blocked
    /// state (disconnect; RESET).
    pub fn reset_client_state(&mut self, id: ClientId) {
        self.discard_transaction(id);
        self.pubsub.remove_client(id);
        self.blocking.remove(id);
        self.monitors.remove(id);
        if let Some(c) = self.clients.get_mut(id) {
            c.monitor = false;
            c.sub = 0;
            c.psub = 0;
            c.ssub = 0;
            c.blocked = false;
        }
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
                more: Vec::new(),
                blocked: false,
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
        let mode = self.expiry_mode_for(client);
        if self.dbs.first().is_some_and(|d| d.expiry != mode) {
            for db in &mut self.dbs {
                db.expiry = mode;
            }
        }
        let mut effects = Vec::new();
        let mut more = Vec::new();
        let reply = self.dispatch(client, argv, now, &mut effects, &mut more);
        if let Reply::Error(msg) = &reply {
            self.stats.record_error(msg);
        }
        self.collect_lazy_expired();
        self.serve_blocked(now);
        let blocked = self.blocking.is_blocked(client);
        // Deliveries to the caller go first (a RESP3 push precedes the
        // reply of the command that caused it), the rest after.
        if !self.outbox.is_empty() {
            effects.splice(0..0, self.outbox.drain(..));
        }
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
        let reply = if blocked { None } else { reply };
        if reply.is_none() {
            more.clear();
        }
        // A monitor's own command is shown to it after the reply.
        let echo = self.monitors.take_echo();
        if reply.is_some() {
            more.extend(echo.into_iter().map(|l| Reply::Status(l.into())));
        }
        Outcome {
            reply,
            more,
            blocked,
            proto,
            effects,
        }
    }

    /// Resolve and run one command for `client`, applying the auth,
    /// subscribed-mode and MULTI queueing rules.
    fn dispatch(
        &mut self,
        client: ClientId,
        argv: &[Bytes],
        now: Time,
        effects: &mut Vec<Effect>,
        more: &mut Vec<Reply>,
    ) -> Reply {
        let (name, spec) = match self.resolve(argv) {
            Ok(found) => found,
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
                return self.reject(client, argv, refusal.reply);
            }
        };
        let Some(state) = self.clients.get_mut(client) else {
            return Reply::err("no such client");
        };
        state.last_cmd = name;
        let (db, authenticated) = (state.db, state.authenticated);
        let pubsub_resp2 = state.is_pubsub() && state.proto == Protocol::Resp2;
        let monitoring = state.monitor;
        if !authenticated
            && self.config.requirepass.is_some()
            && spec.flags & table::flags::NO_AUTH == 0
        {
            self.stats.record_rejected(name);
            return self.reject(
                client,
                argv,
                Reply::error("NOAUTH Authentication required."),
            );
        }
        if monitoring && spec.flags & KEYSPACE_FLAGS != 0 {
            // A monitor is flagged a replica in Redis, and replicas may not
            // touch the keyspace.
            self.stats.record_rejected(name);
            return self.reject(
                client,
                argv,
                Reply::err("Replica can't interact with the keyspace"),
            );
        }
        if let Some(refusal) = self.persist_refusal(client, name, spec) {
            self.stats.record_rejected(name);
            return self.reject(client, argv, refusal);
        }
        if let Some(refusal) = self.repl_refusal(client, spec) {
            self.stats.record_rejected(name);
            return self.reject(client, argv, refusal);
        }
        if pubsub_resp2 && !PUBSUB_CONTEXT_COMMANDS.contains(&name.parent) {
            // A RESP2 connection in the pub/sub context can only read
            // messages, so Redis refuses anything else there.
            self.stats.record_rejected(name);
            let msg = format!(
                "Can't execute '{name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
            );
            return self.reject(client, argv, Reply::err(msg));
        }
        if !self.multi.is_empty() && self.multi.contains_key(&client) {
            if spec.flags & table::flags::NO_MULTI != 0 {
                return self.reject(
                    client,
                    argv,
                    Reply::err("Command not allowed inside a transaction"),
                );
            }
            if !NOT_QUEUED_IN_MULTI.contains(&name.parent) {
                let mut queued = 0;
                if let Some(m) = self.multi.get_mut(&client) {
                    m.queued.push(argv.to_vec());
                    queued = m.queued.len();
                }
                if let Some(c) = self.clients.get_mut(client) {
                    c.multi = Some(queued);
                }
                return Reply::status("QUEUED");
            }
        }
        self.run(client, name, spec, argv, db, now, effects, more)
    }

    /// Run a resolved command's handler (from dispatch, EXEC, or serving a
    /// blocked client).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn run(
        &mut self,
        client: ClientId,
        name: CmdName,
        spec: &'static CommandSpec,
        argv: &[Bytes],
        db: usize,
        now: Time,
        effects: &mut Vec<Effect>,
        more: &mut Vec<Reply>,
    ) -> Reply {
        let mut call = Call {
            client,
            argv,
            db,
            now,
            effects: Vec::new(),
            spec,
            more: Vec::new(),
        };
        let frame = self.prop_enter();
        let reply = (spec.handler)(self, &mut call);
        if !self.monitors.is_empty() && spec.flags & MONITOR_HIDDEN == 0 {
            self.feed_monitors(client, argv, now);
        }
        // Expired keys met by the command are propagated (as DEL) before it.
        self.drain_expired();
        self.prop_leave(frame, db, argv, name.parent != "exec");
        effects.append(&mut call.effects);
        more.append(&mut call.more);
        self.stats.record_call(name, reply.is_error());
        // Redis counts only commands that ran, not refused or queued ones.
        self.stats.total_commands_processed += 1;
        reply
    }

    /// Show a command that just ran to every monitor (one line, encoded
    /// once, delivered through the outbox to whichever thread owns each).
    fn feed_monitors(&mut self, client: ClientId, argv: &[Bytes], now: Time) {
        let Some(c) = self.clients.get(client) else {
            return;
        };
        let bytes = monitor::line(now, c.db, &c.conn.addr, argv);
        let mut echo = false;
        for &m in self.monitors.ids() {
            if m == client {
                echo = true;
                continue;
            }
            self.outbox.push(Effect::Deliver {
                client: m,
                bytes: bytes.clone(),
            });
        }
        if echo {
            self.monitors.push_echo(&bytes);
        }
    }

    /// A command refused before running: inside MULTI the transaction is
    /// flagged to abort; EXEC itself answers EXECABORT and discards it.
    fn reject(&mut self, client: ClientId, argv: &[Bytes], reply: Reply) -> Reply {
        let is_exec = argv
            .first()
            .is_some_and(|n| n.eq_ignore_ascii_case(b"exec"));
        if is_exec {
            self.discard_transaction(client);
            if let Reply::Error(text) = &reply {
                let text = text.strip_prefix("ERR ").unwrap_or(text);
                return Reply::error(format!(
                    "EXECABORT Transaction discarded because of: {text}"
                ));
            }
        } else if let Some(m) = self.multi.get_mut(&client) {
            m.aborted = true;
        }
        reply
    }

    /// Leave MULTI (if in it) and forget the watched keys.
    pub fn discard_transaction(&mut self, client: ClientId) {
        self.multi.remove(&client);
        self.watches.unwatch_all(client);
        if let Some(c) = self.clients.get_mut(client) {
            c.multi = None;
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
        if !self.dbs.iter().any(Db::has_expired) {
            return;
        }
        self.drain_expired_now();
        for db in &mut self.dbs {
            let n = db.take_expired_count();
            self.stats.expired_keys += n;
        }
    }

    /// How lazy expiry treats keys for `client`'s command (Redis's
    /// `expireIfNeeded`): a master deletes expired keys; a replica hides
    /// them from its clients; its master's commands, and an AOF being
    /// replayed, see every key as it is.
    fn expiry_mode_for(&self, client: ClientId) -> ExpiryMode {
        // An active replica expires its keys itself, as a master does (no
        // DEL travels: each node expires from the absolute deadline).
        if self.repl.master.is_none() || self.active.enabled {
            let replaying = self
                .persist
                .loading
                .as_ref()
                .is_some_and(|l| l.replayer == Some(client));
            return if replaying {
                ExpiryMode::Keep
            } else {
                ExpiryMode::Delete
            };
        }
        if self.repl.master_client() == Some(client) {
            ExpiryMode::Keep
        } else {
            ExpiryMode::Hide
        }
    }

    /// Periodic work at `hz`: active expiry, client idle timeouts. The driver
    /// calls this `hz` times a second (in virtual time under simulation).
    pub fn tick(&mut self, now: Time) -> Vec<Effect> {
        self.observe_time(now);
        let mut effects = Vec::new();
        // A replica leaves expiry to its master's DELs (Redis runs the
        // active cycle on masters only).
        if self.active_expire_enabled && (self.repl.master.is_none() || self.active.enabled) {
            expire::active_expire_cycle(self, now);
        }
        db::rehash_cron(&mut self.dbs);
        self.persist_cron(now);
        self.collect_lazy_expired();
        self.repl_cron(now);
        self.active_cron(now);
        self.expire_blocked(now);
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
        effects.append(&mut self.outbox);
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

/// Commands MONITOR does not show (Redis: admin and skip_monitor ones).
const MONITOR_HIDDEN: u64 = table::flags::ADMIN | table::flags::SKIP_MONITOR;

/// Commands that touch the keyspace, refused to a monitor (a replica).
const KEYSPACE_FLAGS: u64 =
    table::flags::READONLY | table::flags::WRITE | table::flags::MAY_REPLICATE;

/// Commands that run at once inside MULTI instead of being queued.
const NOT_QUEUED_IN_MULTI: &[&str] = &["exec", "discard", "multi", "watch", "quit", "reset"];

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
