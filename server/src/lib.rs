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
pub mod node_id;
pub mod s3;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use keyrs_core::config::{self, Config};
use keyrs_core::engine::Engine;
use keyrs_io::aof::{Aof, AofSettings};
use keyrs_io::{persist, FastLock, Runtime, RuntimeOptions, ShutdownHandle};

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
    if let Err(code) = enter_dir(&mut cfg) {
        return code;
    }
    // KeyDB's S3 backup: a malformed db-s3-object stops start-up, as KeyDB's
    // config check does; otherwise saves upload and a missing file is fetched.
    let s3_object = cfg.get("db-s3-object").unwrap_or_default();
    if let Err(e) = (!s3_object.is_empty())
        .then(|| s3::S3Object::parse(&s3_object))
        .transpose()
    {
        tracing::warn!("{e}");
        eprintln!("{e}");
        return 1;
    }
    persist::set_hooks(s3::hooks(s3_object));
    let mut opts = RuntimeOptions::from_config(&cfg);
    warn_about_threads(opts.threads);
    let aof_settings = AofSettings::from_config(&cfg);
    let mut engine = Engine::new(cfg, info, seed);
    // The node id survives restarts; each start has its own number and a
    // fresh writer id (the origin of the writes this process issues).
    let me = node_id::load_or_create(Path::new("."));
    engine.set_node_id(me.node);
    engine.set_writer(me.writer, me.boot);
    tracing::info!(
        "Node id {}, start {}, writer id {}",
        me.node,
        me.boot,
        me.writer
    );
    let engine = Arc::new(FastLock::new(engine));
    let aof = Aof::new(aof_settings.clone());
    if let Err(e) = aof.spawn_fsync_thread() {
        tracing::warn!("could not start the AOF fsync thread: {e}");
        return 1;
    }
    opts.aof = Some(Arc::clone(&aof));
    let runtime = match Runtime::bind(Arc::clone(&engine), &opts) {
        Ok(rt) => rt,
        Err(e) => {
            tracing::warn!("{e}");
            eprintln!("{e}");
            return 1;
        }
    };
    if let Err(e) = watch_signals(runtime.shutdown_handle(), Arc::clone(&engine)) {
        tracing::warn!("could not install signal handlers: {e}");
        return 1;
    }
    for addr in runtime.tcp_addrs() {
        tracing::debug!(%addr, "listening");
    }
    tracing::info!("Server initialized");
    let saver_stop = Arc::new(AtomicBool::new(false));
    if let Err(e) = persist::spawn_saver(Arc::clone(&engine), Arc::clone(&saver_stop)) {
        tracing::warn!("could not start the saver thread: {e}");
        return 1;
    }
    // On start the AOF wins when enabled, else the RDB file; either is
    // streamed in while clients get -LOADING.
    let load = if aof_settings.enabled {
        keyrs_io::aof::start_loading(&engine, &aof, |why| {
            tracing::warn!("{why}");
            eprintln!("{why}");
            std::process::exit(1);
        })
    } else {
        persist::start_loading(&engine, |failure| {
            tracing::warn!("{}", failure.0);
            std::process::exit(1);
        })
    };
    if let Err(e) = load {
        tracing::warn!("could not start loading: {e}");
        return 1;
    }
    tracing::info!("Ready to accept connections");
    let result = runtime.run();
    aof.shutdown();
    saver_stop.store(true, Ordering::SeqCst);
    persist::remove_temp_files(&engine);
    match result {
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

/// KeyDB's start-up advice on `server-threads`. KeyDB also cuts the count
/// down to the number of cores; keyrs keeps what was configured (threads
/// not pinned to a core share the CPUs harmlessly) and only warns.
fn warn_about_threads(threads: usize) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads > cores {
        tracing::warn!(
            "WARNING: server-threads ({threads}) is greater than this machine's core count ({cores})."
        );
    }
    if threads > 4 {
        tracing::warn!("Warning: server-threads is set to {threads}.  This is above the maximum recommend value of 4, please ensure you've verified this is actually faster on your machine.");
    }
}

/// `dir`: change into it (as Redis) and keep the absolute path for CONFIG
/// GET; an impossible directory stops the server.
fn enter_dir(cfg: &mut Config) -> Result<(), i32> {
    if !cfg.dir.is_empty() {
        if let Err(e) = std::env::set_current_dir(&cfg.dir) {
            tracing::warn!("Can't chdir to '{}': {e}", cfg.dir);
            eprintln!("Can't chdir to '{}': {e}", cfg.dir);
            return Err(1);
        }
    }
    if let Ok(abs) = std::env::current_dir() {
        cfg.dir = abs.display().to_string();
    }
    Ok(())
}

/// SIGINT and SIGTERM request a clean shutdown, logged as Redis logs it;
/// with `save` rules the dataset is saved first, and if that fails the
/// server stays up (Redis's `prepareForShutdown`).
fn watch_signals(handle: ShutdownHandle, engine: keyrs_io::SharedEngine) -> std::io::Result<()> {
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
                if !persist::save_before_exit(&engine) {
                    tracing::warn!("{name} received but errors trying to shut down the server, check the logs for more information");
                    continue;
                }
                handle.shutdown();
            }
        })?;
    Ok(())
}
