//! A simulated keyrs node: the production core (`Engine`, `Session`) behind
//! a madsim TCP listener, with the engine's periodic `tick` driven by
//! virtual time.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, UNIX_EPOCH};

use keyrs_core::config::Config;
use keyrs_core::dispatch::{apply_outcome, split_effects, Post};
use keyrs_core::engine::{ClientId, ConnInfo, Engine, ServerInfo, Time};
use keyrs_core::session::Session;
use madsim::net::{TcpListener, TcpStream};
use tokio::io::AsyncReadExt;
use tokio::sync::Notify;

use crate::chunker::write_chunked;

/// The engine shared by every connection of a node (the simulator's stand-in
/// for the runtime's global lock). Never held across an `.await`.
pub type SharedEngine = Arc<Mutex<Engine>>;

/// One live connection's state that other connections' commands (and the
/// tick) reach: its session (output for `Deliver`), whether it is blocked,
/// killed or at end of input, and the wake-up of its driving task.
#[derive(Default)]
pub struct Peer {
    /// The connection's protocol state.
    pub session: Session,
    /// Parked by a blocking command.
    pub blocked: bool,
    /// Killed by the engine.
    pub killed: bool,
    /// The peer closed its side.
    pub eof: bool,
    /// PSYNC made it a replica: the connection now streams replication.
    pub handoff: Option<keyrs_core::repl::Handoff>,
}

/// A connection as the node's registry holds it.
#[derive(Clone)]
struct PeerHandle {
    state: Arc<Mutex<Peer>>,
    wake: Arc<Notify>,
}

/// Every live connection of a node, by client id.
type Peers = Arc<Mutex<HashMap<ClientId, PeerHandle>>>;

fn lock_any<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Lock the engine; a panic in another task already fails the test, so a
/// poisoned lock is used as is.
pub fn lock(engine: &SharedEngine) -> MutexGuard<'_, Engine> {
    engine.lock().unwrap_or_else(|e| e.into_inner())
}

/// The simulated wall clock, as the engine wants it.
pub fn now() -> Time {
    let since_epoch = madsim::time::TimeHandle::current()
        .now_time()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Time {
        unix_us: u64::try_from(since_epoch.as_micros()).unwrap_or(u64::MAX),
    }
}

thread_local! {
    /// Per-engine clock offsets in ms (by the engine's address; madsim runs
    /// a simulation on one thread). Cleared by [`clear_clock_skews`] at the
    /// start of a test, since thread-locals outlive a seed.
    static SKEWS: std::cell::RefCell<HashMap<usize, i64>> = std::cell::RefCell::new(HashMap::new());
}

fn engine_key(e: &Engine) -> usize {
    e as *const Engine as usize
}

/// Make `e`'s clock run `ms` ahead (negative: behind) of the simulated
/// wall clock: every time the simulator hands this engine is shifted.
pub fn set_clock_skew(e: &Engine, ms: i64) {
    SKEWS.with(|s| s.borrow_mut().insert(engine_key(e), ms));
}

/// Forget every clock offset (call at a test's start).
pub fn clear_clock_skews() {
    SKEWS.with(|s| s.borrow_mut().clear());
}

/// The time as `e`'s own (possibly skewed) clock reads it.
pub fn now_of(e: &Engine) -> Time {
    let skew = SKEWS.with(|s| s.borrow().get(&engine_key(e)).copied().unwrap_or(0));
    let t = now();
    let us = i128::from(t.unix_us) + i128::from(skew) * 1000;
    Time {
        unix_us: u64::try_from(us.max(0)).unwrap_or(u64::MAX),
    }
}

/// A new engine with `config`, seeded from the simulation's RNG.
pub fn new_engine(config: Config) -> SharedEngine {
    let seed = madsim::rand::random::<u64>();
    let server = ServerInfo {
        tcp_port: crate::NODE_PORT,
        run_id: format!("{seed:040x}"),
        ..ServerInfo::default()
    };
    Arc::new(Mutex::new(Engine::new(config, server, seed)))
}

/// Serve `engine` on `addr` until the node is killed: accept connections and
/// run the `hz` tick.
pub async fn serve(engine: SharedEngine, addr: SocketAddr) -> std::io::Result<()> {
    let listener = TcpListener::bind(addr).await?;
    let peers = Peers::default();
    madsim::task::spawn(tick_loop(engine.clone(), peers.clone()));
    madsim::task::spawn(crate::repl::replica_loop(engine.clone(), addr));
    loop {
        let (stream, peer) = listener.accept().await?;
        let info = ConnInfo {
            addr: peer.to_string(),
            laddr: addr.to_string(),
            fd: -1,
            thread: 0,
        };
        let engine = engine.clone();
        let peers = peers.clone();
        madsim::task::spawn(async move {
            if let Err(e) = connection(engine, peers, stream, info).await {
                tracing::debug!(error = %e, "simulated connection ended with an error");
            }
        });
    }
}

/// Call `Engine::tick` `hz` times per virtual second and carry out its
/// effects (idle kills, blocked clients timing out).
async fn tick_loop(engine: SharedEngine, peers: Peers) {
    loop {
        let hz = u64::from(lock(&engine).config.hz.clamp(1, 500));
        madsim::time::sleep(Duration::from_micros(1_000_000 / hz)).await;
        let mut e = lock(&engine);
        let t = now_of(&e);
        let rest = split_effects(e.tick(t));
        // The propagation stream feeds the replication backlog.
        let _ = e.take_propagated();
        follow_up(&mut e, &peers, rest.posts, &rest.kills);
    }
}

/// Carry out posts and kills for other connections, as the io runtime's
/// router does: bytes to the target's output, unblocks resume its commands,
/// kills close it; each touched connection is woken.
fn follow_up(engine: &mut Engine, peers: &Peers, posts: Vec<Post>, kills: &[ClientId]) {
    let peers = lock_any(peers);
    for post in posts {
        let Some(p) = peers.get(&post.target()) else {
            continue;
        };
        {
            let mut st = lock_any(&p.state);
            match post {
                Post::Deliver(_, bytes) => st.session.push_raw(&bytes),
                Post::Unblocked(_) => st.blocked = false,
            }
        }
        p.wake.notify_one();
    }
    for id in kills {
        if let Some(p) = peers.get(id) {
            lock_any(&p.state).killed = true;
            p.wake.notify_one();
            engine.disconnect(*id);
        }
    }
}

/// One client connection: a reader task feeds the session; this task runs
/// its commands (unless blocked) and writes its output in random chunks,
/// whenever input, a delivery or an unblock wakes it.
async fn connection(
    engine: SharedEngine,
    peers: Peers,
    stream: TcpStream,
    info: ConnInfo,
) -> std::io::Result<()> {
    let connected = {
        let mut e = lock(&engine);
        let t = now_of(&e);
        e.connect(info, t)
    };
    let mut stream = stream;
    let id = match connected {
        Ok(id) => id,
        Err(reply) => {
            let mut s = Session::default();
            s.push_reply(&reply, keyrs_core::resp::Protocol::Resp2);
            return write_chunked(&mut stream, s.poll_transmit()).await;
        }
    };
    let handle = PeerHandle {
        state: Arc::default(),
        wake: Arc::new(Notify::new()),
    };
    lock_any(&peers).insert(id, handle.clone());
    let (mut rd, mut wr) = tokio::io::split(stream);
    let reader = {
        let handle = handle.clone();
        madsim::task::spawn(async move {
            let mut buf = vec![0u8; 4096];
            loop {
                let n = rd.read(&mut buf).await.unwrap_or(0);
                {
                    let mut st = lock_any(&handle.state);
                    if n == 0 {
                        st.eof = true;
                    } else {
                        st.session.handle_input(&buf[..n]);
                    }
                }
                handle.wake.notify_one();
                if n == 0 {
                    return;
                }
            }
        })
    };
    let result = drive(&engine, &peers, &handle, &mut wr, id).await;
    reader.abort();
    lock_any(&peers).remove(&id);
    let mut e = lock(&engine);
    e.repl_detach(id);
    e.disconnect(id);
    drop(e);
    // Dropping both halves closes the stream: the peer reads end-of-file.
    result
}

async fn drive<W: tokio::io::AsyncWrite + Unpin>(
    engine: &SharedEngine,
    peers: &Peers,
    handle: &PeerHandle,
    wr: &mut W,
    id: ClientId,
) -> std::io::Result<()> {
    loop {
        handle.wake.notified().await;
        let sleep_us = {
            let mut e = lock(engine);
            run_queued(&mut e, peers, handle, id)
        };
        if sleep_us > 0 {
            madsim::time::sleep(Duration::from_micros(sleep_us)).await;
        }
        loop {
            let (out, closing, killed) = {
                let st = lock_any(&handle.state);
                (
                    st.session.poll_transmit().to_vec(),
                    st.session.is_closing(),
                    st.killed,
                )
            };
            if killed {
                tracing::debug!(id, "connection killed by the engine");
                return Ok(());
            }
            if out.is_empty() {
                if closing {
                    return Ok(());
                }
                break;
            }
            write_chunked(wr, &out).await?;
            lock_any(&handle.state).session.advance_transmit(out.len());
        }
        let handoff = lock_any(&handle.state).handoff.take();
        if let Some(h) = handoff {
            return crate::repl::serve_replica(engine, &handle.state, wr, id, h).await;
        }
        // Every parsed command has run (or the client is blocked and its
        // peer gone, which frees it as in Redis).
        if lock_any(&handle.state).eof {
            return Ok(());
        }
    }
}

/// Run the connection's parsed commands until it blocks, closes or runs out
/// (the caller holds the engine lock); returns the DEBUG SLEEP time.
fn run_queued(engine: &mut Engine, peers: &Peers, handle: &PeerHandle, id: ClientId) -> u64 {
    let mut sleep_us = 0u64;
    loop {
        let rest = {
            let mut st = lock_any(&handle.state);
            if st.blocked || st.killed || st.session.is_closing() {
                break;
            }
            let Some(argv) = st.session.next_command() else {
                break;
            };
            let t = now_of(engine);
            let outcome = engine.execute(id, &argv, t);
            let rest = apply_outcome(&mut st.session, id, outcome);
            st.blocked = rest.blocked;
            // One drain of the propagation stream feeds the backlog.
            let _ = engine.take_propagated();
            if let Some(i) = engine.repl.handoffs.iter().position(|h| h.client == id) {
                st.handoff = Some(engine.repl.handoffs.remove(i));
                st.blocked = true;
            }
            rest
        };
        sleep_us = sleep_us.saturating_add(rest.sleep_us);
        follow_up(engine, peers, rest.posts, &rest.kills);
    }
    sleep_us
}
