//! Process figures for INFO (RSS, CPU time), read from `/proc` on Linux.
//! Where `/proc` is missing the previous figures are kept.

use keyrs_core::engine::HostStats;

use crate::fastlock::LockStats;

/// Refresh `prev` with the current RSS and CPU times of this process.
pub fn sample(prev: HostStats) -> HostStats {
    let mut s = prev;
    if let Some(rss) = read_rss_bytes() {
        s.used_memory_rss = rss;
    }
    if let Some((user, sys)) = read_cpu_secs() {
        s.used_cpu_user = user;
        s.used_cpu_sys = sys;
    }
    s.used_memory_peak = s.used_memory_peak.max(s.used_memory);
    s
}

/// Copy the engine lock's figures into the engine's host stats. Called by
/// each batch right after taking the lock, so INFO shows the contention at
/// the moment its batch locked (at least 1: the batch itself).
pub fn record_lock(host: &mut HostStats, lock: &LockStats) {
    host.long_lock_waits = lock.long_waits;
    host.lock_contention = u64::from(lock.contention);
    host.avg_lock_contention = lock.avg_contention;
}

/// Resident set size: the second field of `/proc/self/statm`, in pages.
fn read_rss_bytes() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/statm").ok()?;
    parse_statm_rss_pages(&text).map(|pages| pages.saturating_mul(page_size()))
}

fn page_size() -> u64 {
    rustix::param::page_size() as u64
}

fn parse_statm_rss_pages(text: &str) -> Option<u64> {
    text.split_whitespace().nth(1)?.parse().ok()
}

/// User and system CPU seconds from `/proc/self/stat` (fields 14 and 15, in
/// clock ticks).
fn read_cpu_secs() -> Option<(f64, f64)> {
    let text = std::fs::read_to_string("/proc/self/stat").ok()?;
    let (utime, stime) = parse_stat_cpu_ticks(&text)?;
    let hz = rustix::param::clock_ticks_per_second().max(1) as f64;
    Some((utime as f64 / hz, stime as f64 / hz))
}

/// The command name (field 2) is in parentheses and may itself contain spaces
/// or parentheses, so fields are counted from the last `)`.
fn parse_stat_cpu_ticks(text: &str) -> Option<(u64, u64)> {
    let after = &text[text.rfind(')')? + 1..];
    let mut fields = after.split_whitespace();
    // After ')' comes field 3 (state); utime is field 14, stime field 15.
    let utime = fields.nth(11)?.parse().ok()?;
    let stime = fields.next()?.parse().ok()?;
    Some((utime, stime))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_statm() {
        assert_eq!(parse_statm_rss_pages("1000 250 30 1 0 100 0\n"), Some(250));
        assert_eq!(parse_statm_rss_pages(""), None);
    }

    #[test]
    fn parses_stat_with_odd_command_name() {
        let line = "42 (a b) c) S 1 42 42 0 -1 4194560 100 0 0 0 17 5 0 0 20 0 1 0 1 2 3";
        assert_eq!(parse_stat_cpu_ticks(line), Some((17, 5)));
    }

    #[test]
    fn lock_figures_reach_host_stats() {
        let lock = crate::fastlock::FastLock::new(());
        lock.sample_contention();
        let g = lock.lock();
        let mut h = HostStats::default();
        record_lock(&mut h, &lock.stats());
        drop(g);
        assert_eq!(h.lock_contention, 1);
        assert_eq!(h.avg_lock_contention, 0.0);
        assert_eq!(h.long_lock_waits, 0);
    }

    #[test]
    fn sample_reads_this_process() {
        let s = sample(HostStats::default());
        if std::path::Path::new("/proc/self/statm").exists() {
            assert!(s.used_memory_rss > 0);
        }
    }
}
