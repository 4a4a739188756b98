//! One event-loop thread: its poll, listeners and connections.
//!
//! Each iteration:
//! 1. wait for socket events (not at all when work is already pending, at
//!    most until the next `hz` tick otherwise), after a short pause when
//!    many clients each sent a request or two (`crate::coalesce`);
//! 2. accept, read and parse, without the engine lock;
//! 3. take the lock once: forget closed clients, register accepted ones,
//!    prefetch the keys of the batch, execute the queued commands of every
//!    ready session (encoding replies into its output), run the cron tick
//!    when due, apply effects;
//! 4. release the lock and write.

use std::io;
use std::num::NonZeroU64;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hashbrown::HashMap;
use keyrs_core::dispatch;
use keyrs_core::engine::{ClientId, ConnInfo, Engine, HostStats, Time};
use keyrs_core::resp::{encoder, ParserLimits, Protocol, Reply};
use keyrs_core::session::{Session, READ_CHUNK_BYTES};
use mio::{Events, Interest, Poll, Token};
use slab::Slab;

use crate::clock;
use crate::coalesce::Coalescer;
use crate::conn::{Conn, ReadOutcome, Stream};
use crate::host;
use crate::listener::Listener;
use crate::runtime::{Handover, Post, Shared};

/// The waker's token.
pub(crate) const WAKER: usize = 0;
/// Listener `i` has token `LISTENER_BASE + i`.
const LISTENER_BASE: usize = 1;
/// Connection slab key `k` has token `CONN_BASE + k`.
const CONN_BASE: usize = 1 << 16;
/// Connections accepted per listener event before the others get a turn.
const ACCEPTS_PER_EVENT_MAX: usize = 1000;

/// A connection accepted but not yet known to the engine.
#[derive(Debug)]
struct Accepted {
    stream: Stream,
    info: ConnInfo,
}

/// Kills decided while executing: (the client whose command asked, target).
type Kill = (Option<ClientId>, ClientId);

/// One event loop. Owns its connections; shares only the engine.
#[derive(Debug)]
pub struct Worker {
    index: usize,
    poll: Poll,
    listeners: Vec<Listener>,
    /// Listener `i` may have connections waiting (edge-triggered, like
    /// `Conn::read_pending`): set by its event, cleared by `WouldBlock`.
    accept_pending: Vec<bool>,
    conns: Slab<Conn>,
    by_client: HashMap<ClientId, usize>,
    shared: Arc<Shared>,
    /// Only worker 0 runs the engine's cron.
    runs_cron: bool,
    next_tick: Instant,
    /// The latest process figures, sampled outside the lock.
    host: HostStats,
    scratch: Vec<u8>,
    accepted: Vec<Accepted>,
    /// Clients closed outside the lock, to forget in the next batch.
    to_disconnect: Vec<ClientId>,
    /// Connections with something to do this iteration (slab keys).
    active: Vec<usize>,
    /// The CPU to pin this worker's thread to (`server-thread-affinity`).
    cpu: Option<usize>,
    /// `min-clients-per-thread` as the cron last read it from the config.
    min_clients_seen: Option<usize>,
    /// Connections that became replicas (PSYNC/SYNC) in this batch.
    handoffs: Vec<keyrs_core::repl::Handoff>,
    /// How many clients it serves, for pausing before the next poll
    /// (`event-coalesce-us`).
    coalesce: Coalescer,
}

impl Worker {
    pub(crate) fn new(
        index: usize,
        poll: Poll,
        mut listeners: Vec<Listener>,
        shared: Arc<Shared>,
        cpu: Option<usize>,
    ) -> io::Result<Worker> {
        for (i, l) in listeners.iter_mut().enumerate() {
            poll.registry()
                .register(l, Token(LISTENER_BASE + i), Interest::READABLE)?;
        }
        Ok(Worker {
            index,
            poll,
            accept_pending: vec![false; listeners.len()],
            listeners,
            conns: Slab::new(),
            by_client: HashMap::new(),
            shared,
            runs_cron: index == 0,
            next_tick: Instant::now(),
            host: HostStats::default(),
            scratch: vec![0; READ_CHUNK_BYTES * 4],
            accepted: Vec::new(),
            to_disconnect: Vec::new(),
            active: Vec::new(),
            cpu,
            min_clients_seen: None,
            handoffs: Vec::new(),
            coalesce: Coalescer::new(Instant::now()),
        })
    }

    /// This worker's index (0 runs the cron).
    pub fn index(&self) -> usize {
        self.index
    }

    /// Run until shutdown is requested.
    pub fn run(mut self) -> io::Result<()> {
        tracing::debug!(worker = self.index, "event loop started");
        if let Some(cpu) = self.cpu {
            pin_to_cpu(self.index, cpu);
        }
        let mut events = Events::with_capacity(1024);
        let mut fine_slack = false;
        let mut ready = 0;
        while !self.shared.is_shutting_down() {
            let mut timeout = self.poll_timeout();
            let settings = self.shared.coalesce.current();
            if timeout != Some(Duration::ZERO) && settings.enabled() {
                if !fine_slack {
                    fine_timer_slack(self.index);
                    fine_slack = true;
                }
                let now = Instant::now();
                if let Some(pause) = self.coalesce.pause_before_poll(now, ready, settings) {
                    // Let more clients' requests gather; then take what is
                    // there without blocking (an empty poll blocks next time).
                    std::thread::sleep(pause);
                    timeout = Some(Duration::ZERO);
                    self.shared.coalesce.pauses.fetch_add(1, Ordering::Relaxed);
                }
            }
            match self.poll.poll(&mut events, timeout) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
            ready = 0;
            for ev in events.iter() {
                ready += 1;
                let t = ev.token().0;
                if t == WAKER {
                    // Kill inboxes are read in the batch; shutdown by the loop test.
                } else if t >= CONN_BASE {
                    let key = t - CONN_BASE;
                    if let Some(c) = self.conns.get_mut(key) {
                        if ev.is_readable() || ev.is_read_closed() || ev.is_error() {
                            c.read_pending = true;
                        }
                        if ev.is_read_closed() || ev.is_error() {
                            c.peer_closed = true;
                        }
                        self.schedule(key);
                    }
                } else if let Some(i) = t.checked_sub(LISTENER_BASE) {
                    if let Some(p) = self.accept_pending.get_mut(i) {
                        *p = true;
                    }
                }
            }
            for i in 0..self.listeners.len() {
                if self.accept_pending[i] {
                    self.accept(i);
                }
            }
            self.read_phase();
            self.batch();
            // The AOF is written (and with `always` fsynced) before any
            // reply of the batch goes out.
            if let Some(aof) = &self.shared.aof {
                aof.flush();
            }
            self.write_phase();
        }
        self.close_all();
        tracing::debug!(worker = self.index, "event loop stopped");
        Ok(())
    }

    fn poll_timeout(&self) -> Option<Duration> {
        if !self.active.is_empty()
            || !self.to_disconnect.is_empty()
            || !self.accepted.is_empty()
            || self.accept_pending.iter().any(|&p| p)
        {
            return Some(Duration::ZERO);
        }
        if self.runs_cron {
            return Some(self.next_tick.saturating_duration_since(Instant::now()));
        }
        None
    }

    fn schedule(&mut self, key: usize) {
        if let Some(c) = self.conns.get_mut(key) {
            if !c.scheduled {
                c.scheduled = true;
                self.active.push(key);
            }
        }
    }

    /// Accept up to [`ACCEPTS_PER_EVENT_MAX`] connections from one listener;
    /// `accept_pending` stays set when more may wait.
    fn accept(&mut self, listener: usize) {
        let Some(l) = self.listeners.get(listener) else {
            return;
        };
        for _ in 0..ACCEPTS_PER_EVENT_MAX {
            match l.accept() {
                Ok((stream, addr, laddr)) => {
                    let shared = &self.shared;
                    let target = if shared.balancing.enabled {
                        shared.balancing.choose(&shared.loads)
                    } else {
                        self.index
                    };
                    let info = ConnInfo {
                        addr,
                        laddr,
                        fd: stream.fd(),
                        thread: target,
                    };
                    tracing::debug!("Accepted {}", info.addr);
                    if target == self.index {
                        shared.loads[target]
                            .in_flight
                            .fetch_add(1, Ordering::Relaxed);
                        self.accepted.push(Accepted { stream, info });
                    } else {
                        // KeyDB's balancing: the least loaded worker owns it.
                        shared.hand_over(target, Handover { stream, info });
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.accept_pending[listener] = false;
                    return;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    // EMFILE and friends: the connection stays queued in the
                    // kernel; the next listener event retries (no busy loop).
                    tracing::warn!("Accepting client connection: {e}");
                    self.accept_pending[listener] = false;
                    return;
                }
            }
        }
    }

    /// Read and parse every active connection that may read, lock-free. A
    /// connection that ended with nothing left to answer closes at once (as
    /// Redis frees a client on EOF), so its slot is free for this batch's
    /// accepts.
    fn read_phase(&mut self) {
        let mut ended = Vec::new();
        for i in 0..self.active.len() {
            let key = self.active[i];
            let Some(c) = self.conns.get_mut(key) else {
                continue;
            };
            if c.can_read() {
                self.coalesce.note_read(&mut c.window_mark);
                match c.read(&mut self.scratch) {
                    ReadOutcome::Open => {}
                    ReadOutcome::Eof => {
                        tracing::debug!("Client closed connection id={}", c.client)
                    }
                    ReadOutcome::Failed => {
                        ended.push(key);
                        continue;
                    }
                }
            }
            if c.queue.len() < crate::conn::QUEUE_MAX {
                c.parse();
            }
            if c.finished() {
                ended.push(key);
            }
        }
        for key in ended {
            self.close(key);
        }
    }

    /// Does this iteration need the engine?
    fn needs_lock(&self, tick_due: bool) -> bool {
        tick_due
            || !self.accepted.is_empty()
            || !self.to_disconnect.is_empty()
            || !self.shared.kill_inboxes[self.index].lock().is_empty()
            || !self.shared.post_inboxes[self.index].lock().is_empty()
            || !self.shared.handovers[self.index].lock().is_empty()
            || self.active.iter().any(|&k| {
                self.conns.get(k).is_some_and(|c| {
                    !c.dead
                        && !c.blocked
                        && (!c.queue.is_empty() || c.protocol_error.is_some())
                        && c.output_has_room()
                })
            })
    }

    /// The one lock window of an iteration.
    fn batch(&mut self) {
        let tick_due = self.runs_cron && Instant::now() >= self.next_tick;
        if !self.needs_lock(tick_due) {
            return;
        }
        // Sampled before locking: reading /proc is a syscall others need not wait for.
        if tick_due {
            self.host = host::sample(self.host);
            self.shared.engine.sample_contention();
        }
        let shared = Arc::clone(&self.shared);
        let mut engine = shared.engine.lock();
        host::record_lock(&mut engine.host, &shared.engine.stats());
        engine.host.event_coalesce_pauses = shared.coalesce.pauses.load(Ordering::Relaxed);
        let mut now = clock::now();
        let mut kills: Vec<Kill> = Vec::new();
        let mut shutdown = false;

        let posted: Vec<ClientId> = std::mem::take(&mut *shared.kill_inboxes[self.index].lock());
        for id in posted {
            if let Some(&key) = self.by_client.get(&id) {
                self.kill_local(&mut engine, key);
            }
        }
        for id in self.to_disconnect.drain(..) {
            engine.disconnect(id);
        }
        let inbox: Vec<Post> = std::mem::take(&mut *shared.post_inboxes[self.index].lock());
        let mut foreign_posts: Vec<Vec<Post>> = vec![Vec::new(); shared.post_inboxes.len()];
        self.route(&engine, inbox, &mut foreign_posts);
        let handed: Vec<Handover> = std::mem::take(&mut *shared.handovers[self.index].lock());
        for Handover { stream, mut info } in handed {
            info.thread = self.index;
            self.accepted.push(Accepted { stream, info });
        }
        self.register_accepted(&mut engine, now);

        {
            // KeyDB's prefetch-enabled: the batch's keys are brought into
            // the cache together before any command runs.
            let conns = &self.conns;
            let batch = self
                .active
                .iter()
                .filter_map(|&k| conns.get(k))
                .filter(|c| !c.dead && !c.blocked)
                .flat_map(|c| c.queue.iter().map(move |argv| (c.client, argv.as_slice())));
            engine.prefetch_batch(batch, crate::prefetch::hint);
        }
        let mut posts = Vec::new();
        for i in 0..self.active.len() {
            let key = self.active[i];
            let Some(c) = self.conns.get_mut(key) else {
                continue;
            };
            if c.dead || c.blocked || !c.output_has_room() {
                continue;
            }
            execute_queued(
                &mut engine,
                c,
                &mut now,
                &mut kills,
                &mut shutdown,
                &mut posts,
            );
            if !engine.repl.handoffs.is_empty() {
                self.handoffs.append(&mut engine.repl.handoffs);
            }
            // Delivered before the next connection runs, so what a later
            // command of the batch causes reaches a client after this.
            self.route(&engine, std::mem::take(&mut posts), &mut foreign_posts);
        }

        if tick_due {
            engine.host = self.host;
            let follow = dispatch::split_effects(engine.tick(now));
            for id in follow.kills {
                tracing::debug!(client = id, "closing idle client");
                kills.push((None, id));
            }
            if follow.sleep_us > 0 {
                std::thread::sleep(Duration::from_micros(follow.sleep_us));
            }
            shutdown |= follow.shutdown;
            posts.extend(follow.posts);
            self.route(&engine, std::mem::take(&mut posts), &mut foreign_posts);
            // A CONFIG SET of min-clients-per-thread reaches the balancing
            // (which reads it lock-free); the first tick only notes the
            // configured value, the runtime started with its own option.
            let min_clients = engine
                .config
                .get_u64("min-clients-per-thread")
                .and_then(|n| usize::try_from(n).ok());
            if let Some(n) = min_clients {
                if self.min_clients_seen.is_some_and(|seen| seen != n) {
                    shared.balancing.min_clients.store(n, Ordering::Relaxed);
                }
                self.min_clients_seen = Some(n);
            }
            if let Some(us) = engine.config.get_u64("event-coalesce-us") {
                shared.coalesce.pause_us.store(us, Ordering::Relaxed);
            }
            if let Some(n) = engine.config.get_u64("event-coalesce-min-clients") {
                let n = usize::try_from(n).unwrap_or(usize::MAX);
                shared.coalesce.min_clients.store(n, Ordering::Relaxed);
            }
            let hz = engine.config.hz.clamp(1, 500);
            self.next_tick = Instant::now() + Duration::from_micros(1_000_000 / u64::from(hz));
        }

        let mut foreign = Vec::new();
        for (issuer, target) in kills {
            match self.by_client.get(&target).copied() {
                Some(key) if issuer == Some(target) => {
                    // CLIENT KILL of oneself: the reply still goes out.
                    if let Some(c) = self.conns.get_mut(key) {
                        c.session.close_after_reply();
                        c.queue.clear();
                        c.parse_more = false;
                    }
                }
                Some(key) => self.kill_local(&mut engine, key),
                None => foreign.push(target),
            }
        }
        if let Some(aof) = &shared.aof {
            aof.after_batch(&mut engine, &shared.engine, tick_due);
        }
        // The same drain feeds the replication backlog.
        crate::repl::after_batch(&mut engine);
        let rewrite = engine.config.take_pending_rewrite();
        drop(engine);
        if let Some((path, text)) = rewrite {
            write_config(&path, &text);
        }
        self.take_over_replicas();
        for (to, p) in foreign_posts.into_iter().enumerate() {
            shared.post(to, p);
        }
        shared.post_kills(self.index, &foreign);
        if shutdown {
            tracing::warn!("User requested shutdown...");
            shared.request_shutdown();
        }
    }

    /// Hand connections that sent PSYNC/SYNC to replication threads (with
    /// any replies not written yet); the engine keeps their clients.
    fn take_over_replicas(&mut self) {
        for h in std::mem::take(&mut self.handoffs) {
            let Some(key) = self.by_client.remove(&h.client) else {
                continue;
            };
            self.shared.loads[self.index]
                .clients
                .fetch_sub(1, Ordering::Relaxed);
            if !self.conns.contains(key) {
                continue;
            }
            let mut c = self.conns.remove(key);
            if c.scheduled {
                self.active.retain(|&k| k != key);
            }
            let _ = self.poll.registry().deregister(&mut c.stream);
            let pending = c.session.poll_transmit().to_vec();
            match c.stream {
                Stream::Tcp(t) => crate::repl::master::spawn(
                    Arc::clone(&self.shared),
                    std::net::TcpStream::from(t),
                    pending,
                    h,
                ),
                Stream::Unix(_) => self.shared.engine.lock().repl_detach(h.client),
            }
        }
    }

    /// Apply deliveries and unblocks to our own connections; queue the
    /// others for the worker that owns the client (the engine knows it).
    fn route(&mut self, engine: &Engine, posts: Vec<Post>, foreign: &mut [Vec<Post>]) {
        for post in posts {
            let target = post.target();
            if let Some(&key) = self.by_client.get(&target) {
                if let Some(c) = self.conns.get_mut(key) {
                    match post {
                        Post::Deliver(_, bytes) => {
                            c.session.push_raw(&bytes);
                            if over_pubsub_hard_limit(engine, c) {
                                // As Redis: a subscriber (or monitor) that does
                                // not read is dropped rather than buffered
                                // without bound.
                                tracing::warn!(
                                    "Client id={} scheduled to be closed ASAP for overcoming of output buffer limits.",
                                    c.client
                                );
                                c.dead = true;
                            }
                        }
                        Post::Unblocked(_) => c.blocked = false,
                    }
                }
                self.schedule(key);
            } else if let Some(owner) = engine.clients.get(target).map(|c| c.conn.thread) {
                if let Some(q) = foreign.get_mut(owner) {
                    if owner != self.index {
                        q.push(post);
                    }
                }
            }
        }
    }

    /// Close a connection of ours now; the engine forgets it at once (the
    /// caller holds the lock).
    fn kill_local(&mut self, engine: &mut Engine, key: usize) {
        if let Some(c) = self.conns.get_mut(key) {
            c.dead = true;
            engine.disconnect(c.client);
            if self.by_client.remove(&c.client).is_some() {
                self.shared.loads[self.index]
                    .clients
                    .fetch_sub(1, Ordering::Relaxed);
            }
            self.schedule(key);
        }
    }

    /// Introduce accepted sockets to the engine (maxclients is decided there).
    fn register_accepted(&mut self, engine: &mut Engine, now: Time) {
        let limits = ParserLimits {
            max_bulk_len: engine.config.proto_max_bulk_len,
            ..ParserLimits::default()
        };
        let shared = Arc::clone(&self.shared);
        let load = &shared.loads[self.index];
        for Accepted { mut stream, info } in std::mem::take(&mut self.accepted) {
            load.in_flight.fetch_sub(1, Ordering::Relaxed);
            match engine.connect(info, now) {
                Ok(id) => {
                    let entry = self.conns.vacant_entry();
                    let key = entry.key();
                    let registered = self.poll.registry().register(
                        &mut stream,
                        Token(CONN_BASE + key),
                        Interest::READABLE | Interest::WRITABLE,
                    );
                    if let Err(e) = registered {
                        tracing::warn!(error = %e, "could not register a client socket");
                        engine.disconnect(id);
                        continue;
                    }
                    if let (Some(cpu), Stream::Tcp(tcp)) = (self.cpu, &stream) {
                        // As KeyDB with affinity on: SO_INCOMING_CPU steers the
                        // socket's packets to the CPU its owner is pinned to.
                        if let Err(e) = socket2::SockRef::from(tcp).set_cpu_affinity(cpu) {
                            tracing::debug!(error = %e, "SO_INCOMING_CPU failed");
                        }
                    }
                    entry.insert(Conn::new(stream, Session::new(limits), id));
                    self.by_client.insert(id, key);
                    load.clients.fetch_add(1, Ordering::Relaxed);
                    self.schedule(key);
                }
                Err(reply) => {
                    tracing::warn!("Error registering fd event for the new client: max number of clients reached");
                    refuse(stream, &reply);
                }
            }
        }
    }

    /// Flush output, close finished connections, keep those with work active.
    fn write_phase(&mut self) {
        let active = std::mem::take(&mut self.active);
        for key in active {
            let Some(c) = self.conns.get_mut(key) else {
                continue;
            };
            c.scheduled = false;
            c.flush();
            if c.finished() {
                self.close(key);
            } else if c.has_work() {
                c.scheduled = true;
                self.active.push(key);
            }
        }
    }

    /// Drop a connection. A client still known to the engine is forgotten in
    /// the next batch.
    fn close(&mut self, key: usize) {
        if self.conns.contains(key) {
            let mut c = self.conns.remove(key);
            if c.scheduled {
                // The slab reuses keys: a stale entry would alias a new client.
                self.active.retain(|&k| k != key);
            }
            let _ = self.poll.registry().deregister(&mut c.stream);
            if self.by_client.remove(&c.client).is_some() {
                self.shared.loads[self.index]
                    .clients
                    .fetch_sub(1, Ordering::Relaxed);
                self.to_disconnect.push(c.client);
            }
            tracing::debug!(client = c.client, "connection closed");
        }
    }

    /// Shutdown: drop every connection and forget them in the engine.
    fn close_all(&mut self) {
        let keys: Vec<usize> = self.conns.iter().map(|(k, _)| k).collect();
        for key in keys {
            self.close(key);
        }
        let mut engine = self.shared.engine.lock();
        for id in self.to_disconnect.drain(..) {
            engine.disconnect(id);
        }
        for Accepted { stream, .. } in self.accepted.drain(..) {
            drop(stream);
        }
        for Handover { stream, .. } in self.shared.handovers[self.index].lock().drain(..) {
            drop(stream);
        }
    }
}

/// Execute a connection's queued commands (the caller holds the lock),
/// stopping early when its output passes the bound or it starts closing.
fn execute_queued(
    engine: &mut Engine,
    c: &mut Conn,
    now: &mut Time,
    kills: &mut Vec<Kill>,
    shutdown: &mut bool,
    posts: &mut Vec<Post>,
) {
    while c.output_has_room() && !c.session.is_closing() && !c.blocked {
        let Some(argv) = c.queue.pop_front() else {
            break;
        };
        let mut out = engine.execute(c.client, &argv, *now);
        // SAVE, DEBUG RELOAD, SHUTDOWN's save: file work before the reply.
        crate::persist::after_command(engine, &mut out);
        let follow = dispatch::apply_outcome(&mut c.session, c.client, out);
        posts.extend(follow.posts);
        kills.extend(follow.kills.into_iter().map(|id| (Some(c.client), id)));
        if follow.blocked {
            c.blocked = true;
        }
        if follow.closing {
            c.queue.clear();
            c.parse_more = false;
        }
        if follow.sleep_us > 0 {
            // DEBUG SLEEP blocks the whole server, as in Redis.
            std::thread::sleep(Duration::from_micros(follow.sleep_us));
            *now = clock::now();
        }
        *shutdown |= follow.shutdown;
    }
    c.report_protocol_error();
    if let Some(state) = engine.clients.get_mut(c.client) {
        state.qbuf = c.session.input_len();
        state.omem = c.session.pending_output();
    }
}

/// Has a subscriber's or monitor's unsent output passed the hard
/// `client-output-buffer-limit` of its class (pubsub; replica for a monitor,
/// which Redis counts as one)? (The soft limit is not enforced yet.)
fn over_pubsub_hard_limit(engine: &Engine, c: &Conn) -> bool {
    let class = match engine.clients.get(c.client) {
        Some(s) if s.monitor => 1,
        Some(s) if s.is_pubsub() => 2,
        _ => return false,
    };
    let hard = engine.config.client_output_buffer_limits()[class].hard_bytes;
    hard > 0 && c.session.pending_output() as u64 > hard
}

/// Write the refusal (maxclients) best-effort and close.
fn refuse(mut stream: Stream, reply: &Reply) {
    use std::io::Write;
    let bytes = encoder::encode_to_vec(reply, Protocol::Resp2);
    if let Err(e) = stream.write_all(&bytes) {
        tracing::debug!(error = %e, "could not send the refusal");
    }
}

/// Pin the calling thread to `cpu` (`server-thread-affinity`); a failure
/// (no such CPU, not allowed) is logged and the thread runs unpinned.
/// Ask for a 1 µs timer slack on this thread: the default 50 µs would
/// stretch every coalescing pause (asked once, when coalescing is first on).
fn fine_timer_slack(worker: usize) {
    if let Err(e) = rustix::thread::set_current_timer_slack(NonZeroU64::new(1_000)) {
        tracing::debug!(worker, error = %e, "timer slack not set");
    }
}

fn pin_to_cpu(worker: usize, cpu: usize) {
    let pinned = core_affinity::set_for_current(core_affinity::CoreId { id: cpu });
    if pinned {
        tracing::debug!(worker, cpu, "thread pinned");
    } else {
        tracing::warn!(
            worker,
            cpu,
            "could not set the thread affinity to CPU {cpu}"
        );
    }
}

/// CONFIG REWRITE's new file text, replacing the file atomically (a
/// temporary file beside it, renamed over it). A failure is logged (the
/// command has already answered).
fn write_config(path: &str, text: &str) {
    let target = std::path::Path::new(path);
    let tmp = target.with_file_name(format!(
        ".{}.tmp-{}",
        target
            .file_name()
            .map_or_else(|| "keyrs.conf".into(), |n| n.to_string_lossy()),
        std::process::id()
    ));
    match crate::atomic_file::replace(target, &tmp, text.as_bytes()) {
        Ok(()) => tracing::info!("CONFIG REWRITE executed with success."),
        Err(e) => tracing::warn!("CONFIG REWRITE failed: {e}"),
    }
}
