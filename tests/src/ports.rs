//! Free TCP ports for test servers, drawn round-robin from a range
//! (`KEYRS_TEST_PORTS=lo-hi`, default 7400-7489; keyrs-io's own tests use 7490-7499) so parallel suites that use
//! different ranges never collide. A port is handed out only if it can be
//! bound right now; the spawn helper retries on the rare race.

use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The range in use.
pub fn range() -> (u16, u16) {
    std::env::var("KEYRS_TEST_PORTS")
        .ok()
        .and_then(|s| {
            let (lo, hi) = s.split_once('-')?;
            let (lo, hi) = (lo.trim().parse().ok()?, hi.trim().parse().ok()?);
            (lo <= hi).then_some((lo, hi))
        })
        .unwrap_or((7400, 7489))
}

/// A port in the range that nothing listens on now.
pub fn free_port() -> u16 {
    static NEXT: AtomicUsize = AtomicUsize::new(usize::MAX);
    let (lo, hi) = range();
    let span = usize::from(hi - lo) + 1;
    // Start at a per-process offset so consecutive test binaries do not all
    // begin with the same (possibly TIME_WAIT-laden) port.
    let _ = NEXT.compare_exchange(
        usize::MAX,
        std::process::id() as usize % span,
        Ordering::SeqCst,
        Ordering::SeqCst,
    );
    for _ in 0..span {
        let n = NEXT.fetch_add(1, Ordering::SeqCst) % span;
        let port = lo + n as u16;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port in {lo}-{hi}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_ports_are_in_range_and_bindable() {
        let (lo, hi) = range();
        let a = free_port();
        let b = free_port();
        assert!((lo..=hi).contains(&a) && (lo..=hi).contains(&b));
        assert_ne!(a, b);
        TcpListener::bind(("127.0.0.1", a)).expect("free port binds");
    }
}
