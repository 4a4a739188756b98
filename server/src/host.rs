//! Facts about this process and the randomness the engine is seeded with.
//! (The engine is pure: the daemon reads the OS and passes values in.)

use keyrs_core::config::Config;
use keyrs_core::engine::ServerInfo;

/// A seed from the OS; falls back to time and pid if the OS refuses.
pub fn random_u64() -> u64 {
    getrandom::u64().unwrap_or_else(|_| {
        let t = keyrs_io::clock::now().unix_us;
        t ^ (u64::from(std::process::id()) << 32) ^ 0x9e37_79b9_7f4a_7c15
    })
}

/// 40 hex characters (INFO `run_id`).
pub fn run_id() -> String {
    let mut bytes = [0u8; 20];
    if getrandom::fill(&mut bytes).is_err() {
        for chunk in bytes.chunks_mut(8) {
            let r = random_u64().to_le_bytes();
            chunk.copy_from_slice(&r[..chunk.len()]);
        }
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `uname -srm` style: `Linux 6.1.0 x86_64`.
pub fn os_string() -> String {
    let read = |p: &str| {
        std::fs::read_to_string(p)
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    };
    let kind = read("/proc/sys/kernel/ostype");
    let release = read("/proc/sys/kernel/osrelease");
    let kind = if kind.is_empty() {
        capitalize(std::env::consts::OS)
    } else {
        kind
    };
    [kind, release, std::env::consts::ARCH.to_owned()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// `path` made absolute (as Redis keeps its config file's path), or as
/// given if it cannot be resolved.
pub fn absolute(path: &str) -> String {
    std::fs::canonicalize(path)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| path.to_owned())
}

/// Everything INFO server reports about the process.
pub fn server_info(cfg: &Config, config_file: Option<&str>) -> ServerInfo {
    ServerInfo {
        pid: std::process::id(),
        tcp_port: cfg.port,
        executable: std::env::current_exe()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        config_file: config_file.map(absolute).unwrap_or_default(),
        run_id: run_id(),
        os: os_string(),
        arch_bits: usize::BITS,
    }
}

/// File descriptors kept aside beyond one per client (listeners, log, files),
/// as Redis's `CONFIG_MIN_RESERVED_FDS`.
pub const RESERVED_FDS: u64 = 32;

/// Make room for `maxclients` connections under RLIMIT_NOFILE, raising the
/// soft limit as far as the hard limit allows. Returns the maxclients that
/// fits: unchanged, or reduced (with Redis's warning) when the OS refuses.
pub fn ensure_fd_limit(maxclients: u64) -> u64 {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let needed = maxclients.saturating_add(RESERVED_FDS);
    let limit = getrlimit(Resource::Nofile);
    // `None` means unlimited.
    let mut current = limit.current.unwrap_or(u64::MAX);
    if current >= needed {
        return maxclients;
    }
    let target = needed.min(limit.maximum.unwrap_or(u64::MAX));
    if target > current {
        let raised = setrlimit(
            Resource::Nofile,
            Rlimit {
                current: Some(target),
                maximum: limit.maximum,
            },
        );
        match raised {
            Ok(()) => {
                current = target;
                if current >= needed {
                    tracing::info!("Increased maximum number of open files to {needed} (it was originally set to {}).", limit.current.unwrap_or(0));
                    return maxclients;
                }
            }
            Err(e) => tracing::warn!(
                "Server can't set maximum open files to {needed} because of OS error: {e}."
            ),
        }
    }
    let reduced = current.saturating_sub(RESERVED_FDS).max(1);
    tracing::warn!(
        "You requested maxclients of {maxclients} requiring at least {needed} max file descriptors."
    );
    tracing::warn!("Current maximum open files is {current}. maxclients has been reduced to {reduced} to compensate for low ulimit. If you need higher maxclients increase 'ulimit -n'.");
    reduced
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids_are_40_hex_and_differ() {
        let a = run_id();
        let b = run_id();
        assert_eq!(a.len(), 40);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn fd_limit_fits_small_maxclients() {
        // A handful of clients always fits the default limits.
        assert_eq!(ensure_fd_limit(10), 10);
        let hard = rustix::process::getrlimit(rustix::process::Resource::Nofile)
            .maximum
            .unwrap_or(u64::MAX);
        if hard < u64::MAX / 2 {
            // Beyond the hard limit maxclients is reduced to what fits.
            let got = ensure_fd_limit(hard + 1000);
            assert!(
                got + RESERVED_FDS <= hard.max(RESERVED_FDS + 1),
                "{got} vs hard {hard}"
            );
        }
    }

    #[test]
    fn info_is_filled() {
        let cfg = Config::default();
        let info = server_info(&cfg, None);
        assert_eq!(info.pid, std::process::id());
        assert_eq!(info.tcp_port, 6379);
        assert!(!info.executable.is_empty());
        assert!(info.os.contains(std::env::consts::ARCH));
        assert_eq!(info.config_file, "");
    }
}
