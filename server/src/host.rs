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

/// Everything INFO server reports about the process.
pub fn server_info(cfg: &Config, config_file: Option<&str>) -> ServerInfo {
    let absolute = |p: &str| {
        std::fs::canonicalize(p)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| p.to_owned())
    };
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
