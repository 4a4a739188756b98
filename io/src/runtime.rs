//! The runtime: binds listeners, starts one worker per thread, stops them.

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use keyrs_core::config::Config;
use keyrs_core::engine::{ClientId, Engine};
use mio::{Poll, Token, Waker};
use parking_lot::Mutex;

use crate::fastlock::FastLock;
use crate::listener::{self, Listener, TCP_BACKLOG_DEFAULT};
use crate::worker::{Worker, WAKER};

/// The engine as the workers share it, behind KeyDB's fair ticket lock.
pub type SharedEngine = Arc<FastLock<Engine>>;

/// What to listen on and how many threads to run.
#[derive(Debug, Clone)]
pub struct RuntimeOptions {
    /// Event-loop threads; each accepts on its own SO_REUSEPORT listeners.
    pub threads: usize,
    /// `bind` words (`127.0.0.1`, `-::1`, `*`).
    pub bind: Vec<String>,
    /// TCP port; 0 means no TCP listener (as Redis's `port 0`).
    pub port: u16,
    /// `tcp-backlog`.
    pub tcp_backlog: i32,
    /// `unixsocket`: a Unix-domain socket path, served by the first worker.
    pub unix_socket: Option<PathBuf>,
    /// `unixsocketperm`.
    pub unix_socket_perm: Option<u32>,
    /// `server-thread-affinity`: pin worker `i` to CPU `i + offset` when set.
    pub affinity_offset: Option<usize>,
    /// `active-client-balancing`: hand accepted connections to the least
    /// loaded worker (KeyDB's default) instead of keeping them where the
    /// kernel put them.
    pub active_client_balancing: bool,
    /// `min-clients-per-thread` at start (CONFIG SET changes it later: the
    /// workers re-read it from the engine's config).
    pub min_clients_per_thread: usize,
    /// `event-coalesce-us` at start (CONFIG SET changes it later, as
    /// `min-clients-per-thread`).
    pub event_coalesce_us: u64,
    /// `event-coalesce-min-clients` at start.
    pub event_coalesce_min_clients: usize,
    /// The AOF writer (fed and flushed by every worker), if persistence
    /// is wired in.
    pub aof: Option<Arc<crate::aof::Aof>>,
}

impl RuntimeOptions {
    /// Options from the configuration: `server-threads` and the KeyDB
    /// threading options, the bind addresses and port, `unixsocket`.
    pub fn from_config(cfg: &Config) -> RuntimeOptions {
        RuntimeOptions {
            threads: cfg.server_threads.clamp(1, THREADS_MAX),
            bind: cfg.bind.clone(),
            port: cfg.port,
            tcp_backlog: TCP_BACKLOG_DEFAULT,
            unix_socket: (!cfg.unixsocket.is_empty()).then(|| PathBuf::from(&cfg.unixsocket)),
            // 0 (the default) leaves the socket's mode alone, as Redis.
            unix_socket_perm: cfg
                .get_u64("unixsocketperm")
                .filter(|&m| m != 0)
                .and_then(|m| u32::try_from(m).ok()),
            affinity_offset: cfg
                .server_thread_affinity
                .then_some(cfg.server_thread_affinity_offset),
            active_client_balancing: cfg.get_bool("active-client-balancing").unwrap_or(true),
            min_clients_per_thread: cfg
                .get_u64("min-clients-per-thread")
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(MIN_CLIENTS_PER_THREAD_DEFAULT),
            event_coalesce_us: cfg.get_u64("event-coalesce-us").unwrap_or(0),
            event_coalesce_min_clients: cfg
                .get_u64("event-coalesce-min-clients")
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(usize::MAX),
            aof: None,
        }
    }
}

/// KeyDB's `MAX_EVENT_LOOPS`: the most `server-threads` accepts.
pub const THREADS_MAX: usize = 16;

/// KeyDB's `min-clients-per-thread` default.
pub const MIN_CLIENTS_PER_THREAD_DEFAULT: usize = 20;

/// A connection accepted by one worker and handed to another (connection
/// balancing): the receiving worker registers it with the engine.
#[derive(Debug)]
pub(crate) struct Handover {
    /// The socket.
    pub stream: crate::conn::Stream,
    /// Peer and local address text and fd (its `thread` is set on arrival).
    pub info: keyrs_core::engine::ConnInfo,
}

/// Per-worker load, read lock-free by every worker's accept balancing.
#[derive(Debug, Default)]
pub(crate) struct Load {
    /// Connections the worker owns (registered with the engine).
    pub clients: AtomicUsize,
    /// Connections handed to it and not yet registered.
    pub in_flight: AtomicUsize,
}

impl Load {
    /// KeyDB's score: clients plus accepts in flight.
    pub fn score(&self) -> usize {
        self.clients
            .load(Ordering::Relaxed)
            .saturating_add(self.in_flight.load(Ordering::Relaxed))
    }
}

/// Event coalescing settings (see [`crate::coalesce`]), shared by the
/// workers and refreshed from the config by worker 0's cron.
#[derive(Debug)]
pub(crate) struct CoalesceSettings {
    /// `event-coalesce-us`.
    pub pause_us: AtomicU64,
    /// `event-coalesce-min-clients`.
    pub min_clients: AtomicUsize,
    /// Pauses taken by all workers (INFO `event_coalesce_pauses`).
    pub pauses: AtomicU64,
}

impl CoalesceSettings {
    /// The settings as they are now.
    pub fn current(&self) -> crate::coalesce::Settings {
        crate::coalesce::Settings {
            pause: std::time::Duration::from_micros(self.pause_us.load(Ordering::Relaxed)),
            min_clients: self.min_clients.load(Ordering::Relaxed),
        }
    }
}

/// Connection balancing settings, shared by the workers.
#[derive(Debug)]
pub(crate) struct Balancing {
    /// `active-client-balancing`.
    pub enabled: bool,
    /// `min-clients-per-thread`, refreshed from the config by worker 0's
    /// cron (it is settable at run time).
    pub min_clients: AtomicUsize,
}

impl Balancing {
    /// KeyDB's choice for a new connection: the first worker whose score is
    /// below `min-clients-per-thread`, else the least loaded one.
    pub fn choose(&self, loads: &[Load]) -> usize {
        let min = self.min_clients.load(Ordering::Relaxed);
        let mut best = (0, usize::MAX);
        for (i, l) in loads.iter().enumerate() {
            let score = l.score();
            if score < min {
                return i;
            }
            if score < best.1 {
                best = (i, score);
            }
        }
        best.0
    }
}

/// State every worker reaches.
#[derive(Debug)]
pub(crate) struct Shared {
    /// The keyspace and everything else that decides.
    pub engine: SharedEngine,
    /// Set once; every worker leaves its loop when it sees it.
    pub shutdown: AtomicBool,
    /// One waker per worker, by index.
    pub wakers: Vec<Waker>,
    /// Clients to close, posted to the worker that owns them (CLIENT KILL and
    /// timeouts decided on another thread).
    pub kill_inboxes: Vec<Mutex<Vec<ClientId>>>,
    /// Deliveries (Pub/Sub messages, blocked clients' replies) and unblock
    /// notices for clients another worker owns, posted by the worker whose
    /// batch produced them, in order.
    pub post_inboxes: Vec<Mutex<Vec<Post>>>,
    /// Connections handed over by another worker's balancing, by receiver.
    pub handovers: Vec<Mutex<Vec<Handover>>>,
    /// Each worker's load, by index.
    pub loads: Vec<Load>,
    /// Connection balancing settings.
    pub balancing: Balancing,
    /// Event coalescing settings.
    pub coalesce: CoalesceSettings,
    /// The AOF writer, if any.
    pub aof: Option<Arc<crate::aof::Aof>>,
}

/// Something for a client owned by another worker (the core's decision type,
/// shared with the simulator).
pub(crate) use keyrs_core::dispatch::Post;

impl Shared {
    /// Ask every worker to stop and wake them.
    pub fn request_shutdown(&self) {
        self.shutdown.store(true, Ordering::SeqCst);
        for w in &self.wakers {
            if let Err(e) = w.wake() {
                tracing::warn!(error = %e, "could not wake a worker for shutdown");
            }
        }
    }

    /// Post kills to every worker except `from` (the caller did not own them).
    pub fn post_kills(&self, from: usize, ids: &[ClientId]) {
        if ids.is_empty() {
            return;
        }
        for (i, inbox) in self.kill_inboxes.iter().enumerate() {
            if i == from {
                continue;
            }
            inbox.lock().extend_from_slice(ids);
            if let Some(w) = self.wakers.get(i) {
                let _ = w.wake();
            }
        }
    }

    /// Hand an accepted connection to worker `to` (counted in its load
    /// until it registers it) and wake it.
    pub fn hand_over(&self, to: usize, h: Handover) {
        if let (Some(inbox), Some(load)) = (self.handovers.get(to), self.loads.get(to)) {
            load.in_flight.fetch_add(1, Ordering::Relaxed);
            inbox.lock().push(h);
            if let Some(w) = self.wakers.get(to) {
                let _ = w.wake();
            }
        }
    }

    /// Post to worker `to` and wake it.
    pub fn post(&self, to: usize, posts: Vec<Post>) {
        if posts.is_empty() {
            return;
        }
        if let Some(inbox) = self.post_inboxes.get(to) {
            inbox.lock().extend(posts);
            if let Some(w) = self.wakers.get(to) {
                let _ = w.wake();
            }
        }
    }

    /// True once shutdown was requested.
    pub fn is_shutting_down(&self) -> bool {
        self.shutdown.load(Ordering::SeqCst)
    }
}

/// Stops a running [`Runtime`] from anywhere (a signal thread, a test).
#[derive(Debug, Clone)]
pub struct ShutdownHandle {
    shared: Arc<Shared>,
}

impl ShutdownHandle {
    /// Make every worker leave its loop; [`Runtime::run`] then returns.
    pub fn shutdown(&self) {
        self.shared.request_shutdown();
    }

    /// True once shutdown was requested (by a handle or the SHUTDOWN command).
    pub fn is_shutting_down(&self) -> bool {
        self.shared.is_shutting_down()
    }
}

/// Bound listeners and ready workers; [`Runtime::run`] serves until shutdown.
#[derive(Debug)]
pub struct Runtime {
    shared: Arc<Shared>,
    workers: Vec<Worker>,
    tcp_addrs: Vec<SocketAddr>,
}

impl Runtime {
    /// Bind every listener for every worker. Fails (before serving anything)
    /// when a non-optional address cannot be bound, or nothing is bound.
    pub fn bind(engine: SharedEngine, opts: &RuntimeOptions) -> io::Result<Runtime> {
        let threads = opts.threads.max(1);
        let mut polls = Vec::with_capacity(threads);
        let mut wakers = Vec::with_capacity(threads);
        for _ in 0..threads {
            let poll = Poll::new()?;
            wakers.push(Waker::new(poll.registry(), Token(WAKER))?);
            polls.push(poll);
        }
        let mut per_worker: Vec<Vec<Listener>> = (0..threads).map(|_| Vec::new()).collect();
        let mut tcp_addrs = Vec::new();
        if opts.port != 0 {
            for word in &opts.bind {
                let b = listener::parse_bind(word)
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
                let addr = SocketAddr::new(b.ip, opts.port);
                // SO_REUSEPORT only to let our own workers share the address;
                // probed first so another server's listener is never joined.
                let shared = threads > 1;
                let first = if shared {
                    listener::ensure_unclaimed(addr)
                        .and_then(|()| listener::bind_tcp(addr, opts.tcp_backlog, true))
                } else {
                    listener::bind_tcp(addr, opts.tcp_backlog, false)
                };
                match first {
                    Ok(first) => {
                        let bound = first.local_addr()?;
                        per_worker[0].push(Listener::Tcp(first));
                        // The other workers join the same address via SO_REUSEPORT.
                        for listeners in per_worker.iter_mut().skip(1) {
                            listeners.push(Listener::Tcp(listener::bind_tcp(
                                bound,
                                opts.tcp_backlog,
                                true,
                            )?));
                        }
                        tcp_addrs.push(bound);
                    }
                    Err(e) if b.optional => {
                        tracing::warn!(%addr, error = %e, "skipping optional bind address");
                    }
                    Err(e) => {
                        return Err(io::Error::new(
                            e.kind(),
                            format!(
                                "Could not create server TCP listening socket {addr}: bind: {e}"
                            ),
                        ))
                    }
                }
            }
        }
        if let Some(path) = &opts.unix_socket {
            let l = listener::bind_unix(path, opts.unix_socket_perm).map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("Failed opening Unix socket {}: {e}", path.display()),
                )
            })?;
            per_worker[0].push(Listener::Unix(l, path.clone()));
        }
        if per_worker[0].is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "Configured to not listen anywhere, exiting.",
            ));
        }
        let shared = Arc::new(Shared {
            engine,
            shutdown: AtomicBool::new(false),
            wakers,
            kill_inboxes: (0..threads).map(|_| Mutex::new(Vec::new())).collect(),
            post_inboxes: (0..threads).map(|_| Mutex::new(Vec::new())).collect(),
            handovers: (0..threads).map(|_| Mutex::new(Vec::new())).collect(),
            loads: (0..threads).map(|_| Load::default()).collect(),
            balancing: Balancing {
                enabled: opts.active_client_balancing && threads > 1,
                min_clients: AtomicUsize::new(opts.min_clients_per_thread),
            },
            coalesce: CoalesceSettings {
                pause_us: AtomicU64::new(opts.event_coalesce_us),
                min_clients: AtomicUsize::new(opts.event_coalesce_min_clients),
                pauses: AtomicU64::new(0),
            },
            aof: opts.aof.clone(),
        });
        let mut workers = Vec::with_capacity(threads);
        for (index, (poll, listeners)) in polls.into_iter().zip(per_worker).enumerate() {
            let cpu = opts.affinity_offset.map(|off| index.saturating_add(off));
            workers.push(Worker::new(
                index,
                poll,
                listeners,
                Arc::clone(&shared),
                cpu,
            )?);
        }
        Ok(Runtime {
            shared,
            workers,
            tcp_addrs,
        })
    }

    /// The TCP addresses actually bound (one per bind address).
    pub fn tcp_addrs(&self) -> &[SocketAddr] {
        &self.tcp_addrs
    }

    /// A handle that stops the runtime.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle {
            shared: Arc::clone(&self.shared),
        }
    }

    /// Serve until shutdown: workers 1.. on their own threads, worker 0 on the
    /// calling thread. Returns the first worker error, after stopping the rest.
    pub fn run(self) -> io::Result<()> {
        let mut workers = self.workers.into_iter();
        let Some(first) = workers.next() else {
            return Ok(());
        };
        crate::repl::replica::spawn(Arc::clone(&self.shared))?;
        let mut handles = Vec::new();
        for w in workers {
            let shared = Arc::clone(&self.shared);
            let name = format!("keyrs-worker-{}", w.index());
            handles.push(std::thread::Builder::new().name(name).spawn(move || {
                let r = w.run();
                if r.is_err() {
                    shared.request_shutdown();
                }
                r
            })?);
        }
        let mut result = first.run();
        if result.is_err() {
            self.shared.request_shutdown();
        }
        for h in handles {
            let r = h
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("worker thread panicked")));
            if result.is_ok() {
                result = r;
            }
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loads(scores: &[(usize, usize)]) -> Vec<Load> {
        scores
            .iter()
            .map(|&(clients, in_flight)| Load {
                clients: AtomicUsize::new(clients),
                in_flight: AtomicUsize::new(in_flight),
            })
            .collect()
    }

    fn balancing(min: usize) -> Balancing {
        Balancing {
            enabled: true,
            min_clients: AtomicUsize::new(min),
        }
    }

    #[test]
    fn the_first_thread_below_the_minimum_wins() {
        let l = loads(&[(5, 0), (1, 0), (0, 0)]);
        assert_eq!(balancing(2).choose(&l), 1);
        assert_eq!(balancing(6).choose(&l), 0);
    }

    #[test]
    fn otherwise_the_least_loaded_counting_handovers_in_flight() {
        let l = loads(&[(3, 0), (1, 2), (2, 0)]);
        assert_eq!(balancing(0).choose(&l), 2);
        let l = loads(&[(3, 0), (3, 0)]);
        assert_eq!(balancing(1).choose(&l), 0, "ties go to the first");
    }
}
