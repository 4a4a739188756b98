//! The runtime: binds listeners, starts one worker per thread, stops them.

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use keyrs_core::config::Config;
use keyrs_core::engine::{ClientId, Engine};
use mio::{Poll, Token, Waker};
use parking_lot::Mutex;

use crate::listener::{self, Listener, TCP_BACKLOG_DEFAULT};
use crate::worker::{Worker, WAKER};

/// The engine as the workers share it. (The fair ticket lock replaces the
/// mutex in a later issue.)
pub type SharedEngine = Arc<Mutex<Engine>>;

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
    /// The AOF writer (fed and flushed by every worker), if persistence
    /// is wired in.
    pub aof: Option<Arc<crate::aof::Aof>>,
}

impl RuntimeOptions {
    /// Options from the configuration: one thread, its bind addresses and port.
    pub fn from_config(cfg: &Config) -> RuntimeOptions {
        RuntimeOptions {
            threads: 1,
            bind: cfg.bind.clone(),
            port: cfg.port,
            tcp_backlog: TCP_BACKLOG_DEFAULT,
            unix_socket: None,
            unix_socket_perm: None,
            aof: None,
        }
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
            aof: opts.aof.clone(),
        });
        let mut workers = Vec::with_capacity(threads);
        for (index, (poll, listeners)) in polls.into_iter().zip(per_worker).enumerate() {
            workers.push(Worker::new(index, poll, listeners, Arc::clone(&shared))?);
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
