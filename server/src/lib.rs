//! The keyrs-server daemon: command line, configuration, logging, signals,
//! and the wiring of the engine (keyrs-core) to the runtime (keyrs-io).
//!
//! - [`cli`]: `--version`, `--help`, and where the config file is.
//! - [`logging`]: the tracing subscriber for `loglevel` / `logfile`.
//! - [`host`]: facts about this process for INFO, the seed and the run id.
//! - [`s3`]: KeyDB's S3 backup of the RDB file (`db-s3-object`).
#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod cli;
pub mod host;
pub mod logging;
pub mod s3;

use std::sync::Arc;

use keyrs_core::config::{self, Config};
use keyrs_core::engine::Engine;
use keyrs_io::{Runtime, RuntimeOptions, ShutdownHandle};
use parking_lot::Mutex;

/// Run the server with `args` (`args[0]` is the program name) and return the
/// process exit code.
pub fn main_with_args(args: &[String]) -> i32 {
    let rest = args.get(1..).unwrap_or(&[]);
    match cli::parse(rest) {
        cli::Action::Version => {
            println!("{}", cli::version_line());
            return 0;
        }
        cli::Action::Help => {
            // As redis-server: usage on stderr, exit status 1.
            eprint!("{}", cli::usage());
            return 1;
        }
        cli::Action::Serve => {}
    }
    let cfg = match config::load_from_args(rest, &mut |p| std::fs::read_to_string(p)) {
        Ok(cfg) => cfg,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    if let Err(e) = logging::init(&cfg) {
        eprintln!("Can't open the log file: {e}");
        return 1;
    }
    serve(cfg, cli::config_file(rest))
}

/// Bind, serve until SIGINT/SIGTERM or SHUTDOWN, and return the exit code.
fn serve(mut cfg: Config, config_file: Option<String>) -> i32 {
    let seed = host::random_u64();
    let info = host::server_info(&cfg, config_file.as_deref());
    tracing::info!(
        "keyrs-server version={}, bits={}, pid={}, just started",
        env!("CARGO_PKG_VERSION"),
        info.arch_bits,
        info.pid
    );
    if config_file.is_none() {
        tracing::warn!("Warning: no config file specified, using the default config. In order to specify a config file use keyrs-server /path/to/keyrs.conf");
    }
    cfg.maxclients = host::ensure_fd_limit(cfg.maxclients);
    let opts = RuntimeOptions::from_config(&cfg);
    let engine = Arc::new(Mutex::new(Engine::new(cfg, info, seed)));
    let runtime = match Runtime::bind(Arc::clone(&engine), &opts) {
        Ok(rt) => rt,
        Err(e) => {
            tracing::warn!("{e}");
            eprintln!("{e}");
            return 1;
        }
    };
    if let Err(e) = watch_signals(runtime.shutdown_handle()) {
        tracing::warn!("could not install signal handlers: {e}");
        return 1;
    }
    for addr in runtime.tcp_addrs() {
        tracing::debug!(%addr, "listening");
    }
    tracing::info!("Server initialized");
    tracing::info!("Ready to accept connections");
    match runtime.run() {
        Ok(()) => {
            tracing::info!("keyrs is now ready to exit, bye bye...");
            0
        }
        Err(e) => {
            tracing::warn!("event loop failed: {e}");
            1
        }
    }
}

/// SIGINT and SIGTERM request a clean shutdown, logged as Redis logs it.
fn watch_signals(handle: ShutdownHandle) -> std::io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
    std::thread::Builder::new()
        .name("keyrs-signals".into())
        .spawn(move || {
            for sig in signals.forever() {
                let name = if sig == SIGINT { "SIGINT" } else { "SIGTERM" };
                if sig == SIGINT && handle.is_shutting_down() {
                    // As Redis: a second Ctrl-C does not wait for a clean stop.
                    tracing::warn!("You insist... exiting now.");
                    std::process::exit(1);
                }
                tracing::warn!("Received {name} scheduling shutdown...");
                handle.shutdown();
            }
        })?;
    Ok(())
}
