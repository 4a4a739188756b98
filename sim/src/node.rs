//! A simulated keyrs node: the production core (`Engine`, `Session`) behind
//! a madsim TCP listener, with the engine's periodic `tick` driven by
//! virtual time.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, UNIX_EPOCH};

use keyrs_core::config::Config;
use keyrs_core::engine::{ClientId, ConnInfo, Effect, Engine, ServerInfo, Time};
use keyrs_core::session::Session;
use madsim::net::{TcpListener, TcpStream};
use tokio::io::AsyncReadExt;
use tokio::sync::Notify;

use crate::chunker::write_chunked;

/// The engine shared by every connection of a node (the simulator's stand-in
/// for the runtime's global lock). Never held across an `.await`.
pub type SharedEngine = Arc<Mutex<Engine>>;

/// How the node closes a connection the engine asked to kill (idle
/// timeout): each live connection's wake-up, by client id.
type Killers = Arc<Mutex<HashMap<ClientId, Arc<Notify>>>>;

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
    let killers = Killers::default();
    madsim::task::spawn(tick_loop(engine.clone(), killers.clone()));
    loop {
        let (stream, peer) = listener.accept().await?;
        let info = ConnInfo {
            addr: peer.to_string(),
            laddr: addr.to_string(),
            fd: -1,
            thread: 0,
        };
        let engine = engine.clone();
        let killers = killers.clone();
        madsim::task::spawn(async move {
            if let Err(e) = connection(engine, killers, stream, info).await {
                tracing::debug!(error = %e, "simulated connection ended with an error");
            }
        });
    }
}

/// Call `Engine::tick` `hz` times per virtual second and carry out its
/// effects.
async fn tick_loop(engine: SharedEngine, killers: Killers) {
    loop {
        let hz = u64::from(lock(&engine).config.hz.clamp(1, 500));
        madsim::time::sleep(Duration::from_micros(1_000_000 / hz)).await;
        let effects = lock(&engine).tick(now());
        for effect in effects {
            match effect {
                Effect::KillClient(id) => {
                    let killer = killers
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .remove(&id);
                    if let Some(k) = killer {
                        k.notify_one();
                    }
                }
                other => tracing::debug!(?other, "tick effect not simulated"),
            }
        }
    }
}

/// One client connection: bytes in, commands through the engine, replies out
/// in random chunks.
async fn connection(
    engine: SharedEngine,
    killers: Killers,
    mut stream: TcpStream,
    info: ConnInfo,
) -> std::io::Result<()> {
    let connected = lock(&engine).connect(info, now());
    let id = match connected {
        Ok(id) => id,
        Err(reply) => {
            let mut s = Session::default();
            s.push_reply(&reply, keyrs_core::resp::Protocol::Resp2);
            return write_chunked(&mut stream, s.poll_transmit()).await;
        }
    };
    let kill = Arc::new(Notify::new());
    killers
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(id, kill.clone());
    let result = tokio::select! {
        r = drive(&engine, &mut stream, id) => r,
        () = kill.notified() => {
            tracing::debug!(id, "connection killed by the engine");
            Ok(())
        }
    };
    killers
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&id);
    lock(&engine).disconnect(id);
    // Dropping the stream closes it: the peer reads end-of-file.
    result
}

async fn drive(engine: &SharedEngine, stream: &mut TcpStream, id: u64) -> std::io::Result<()> {
    let mut session = Session::default();
    let mut buf = vec![0u8; 4096];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        session.handle_input(&buf[..n]);
        let mut sleep_us = 0u64;
        while let Some(argv) = session.next_command() {
            let outcome = lock(engine).execute(id, &argv, now());
            if let Some(reply) = &outcome.reply {
                session.push_reply(reply, outcome.proto);
            }
            // Further replies (SUBSCRIBE of several channels).
            for reply in &outcome.more {
                session.push_reply(reply, outcome.proto);
            }
            for effect in outcome.effects {
                match effect {
                    Effect::CloseAfterReply => session.close_after_reply(),
                    Effect::Sleep { duration_us } => sleep_us += duration_us,
                    other => tracing::debug!(?other, "effect not simulated"),
                }
            }
        }
        if sleep_us > 0 {
            madsim::time::sleep(Duration::from_micros(sleep_us)).await;
        }
        let out = session.poll_transmit().to_vec();
        write_chunked(stream, &out).await?;
        session.advance_transmit(out.len());
        if session.is_closing() {
            return Ok(());
        }
    }
}
