//! Event coalescing: a short pause before polling again, when many clients
//! keep a worker busy with a few requests at a time.
//!
//! With many clients and no pipelining, a fast event loop finds one or two
//! requests each time it polls: it then pays a poll, and often a sleep and a
//! wake-up, for each request, and each reply wakes the client's own loop for
//! a single reply. Pausing a few microseconds before the next poll lets the
//! requests of several clients gather, so one poll, one wake-up and one
//! batch serve them all. The replies already sent are not held back; only
//! the next requests wait (at most the pause). Measured in BENCHMARKS.md:
//! at 50 clients without pipelining it cuts server CPU per operation by a
//! fifth or more.
//!
//! The pause is only taken when it can pay: at least
//! `event-coalesce-min-clients` connections sent requests within the last
//! [`WINDOW`] (so one client's round trips never wait), the last poll found
//! work, and it found fewer ready sockets than a quarter of those clients (a
//! worker that is itself the bottleneck finds many and never pauses).

use std::time::{Duration, Instant};

/// How long the count of clients that sent requests is gathered.
pub const WINDOW: Duration = Duration::from_millis(1);

/// The settings a decision is taken with (`CONFIG SET` may change them
/// between two decisions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// The pause (`event-coalesce-us`); zero turns coalescing off.
    pub pause: Duration,
    /// `event-coalesce-min-clients`.
    pub min_clients: usize,
}

impl Settings {
    /// Is coalescing on at all?
    pub fn enabled(&self) -> bool {
        !self.pause.is_zero()
    }
}

/// The coalescing decision of one worker: how many clients it serves.
#[derive(Debug)]
pub struct Coalescer {
    /// The current window's number; a connection remembers the last window
    /// it was counted in.
    window: u32,
    window_start: Instant,
    /// Distinct connections read in the current window.
    seen: usize,
    /// Distinct connections read in the last complete window.
    recent: usize,
}

impl Coalescer {
    /// A coalescer starting its first window at `now`.
    pub fn new(now: Instant) -> Coalescer {
        Coalescer {
            window: 1,
            window_start: now,
            seen: 0,
            recent: 0,
        }
    }

    /// A connection was read; `mark` is its memory of the last window it
    /// was counted in.
    pub fn note_read(&mut self, mark: &mut u32) {
        if *mark != self.window {
            *mark = self.window;
            self.seen += 1;
        }
    }

    /// Before a poll that would block: how long to pause first, if at all.
    /// `ready` is the number of events the previous poll returned.
    pub fn pause_before_poll(
        &mut self,
        now: Instant,
        ready: usize,
        settings: Settings,
    ) -> Option<Duration> {
        let elapsed = now.saturating_duration_since(self.window_start);
        if elapsed >= WINDOW {
            // A window that ended long ago (the worker slept) says nothing
            // about the clients now.
            self.recent = if elapsed < 2 * WINDOW { self.seen } else { 0 };
            self.seen = 0;
            self.window = self.window.wrapping_add(1).max(1);
            self.window_start = now;
        }
        let clients = self.recent.max(self.seen);
        let pay = settings.enabled()
            && clients >= settings.min_clients.max(1)
            && ready > 0
            && ready < (clients / 4).max(1);
        pay.then_some(settings.pause)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAUSE: Duration = Duration::from_micros(30);

    fn settings(min_clients: usize) -> Settings {
        Settings {
            pause: PAUSE,
            min_clients,
        }
    }

    /// A coalescer that saw `clients` distinct connections in one window;
    /// returns it and the time the window ends.
    fn after_window(clients: u32) -> (Coalescer, Instant) {
        let t0 = Instant::now();
        let mut c = Coalescer::new(t0);
        let mut marks = vec![0u32; clients as usize];
        for m in marks.iter_mut() {
            c.note_read(m);
            c.note_read(m); // a second read in the window counts once
        }
        let t1 = t0 + WINDOW;
        (c, t1)
    }

    #[test]
    fn many_clients_with_few_ready_pause() {
        let (mut c, t1) = after_window(50);
        assert_eq!(c.pause_before_poll(t1, 2, settings(32)), Some(PAUSE));
    }

    #[test]
    fn few_clients_never_pause() {
        let (mut c, t1) = after_window(31);
        assert_eq!(c.pause_before_poll(t1, 1, settings(32)), None);
        let (mut c, t1) = after_window(1);
        assert_eq!(c.pause_before_poll(t1, 1, settings(32)), None);
    }

    #[test]
    fn a_busy_worker_that_finds_many_ready_does_not_pause() {
        let (mut c, t1) = after_window(50);
        assert_eq!(c.pause_before_poll(t1, 12, settings(32)), None);
        assert_eq!(c.pause_before_poll(t1, 50, settings(32)), None);
        assert!(c.pause_before_poll(t1, 11, settings(32)).is_some());
    }

    #[test]
    fn an_empty_poll_blocks_instead() {
        let (mut c, t1) = after_window(50);
        assert_eq!(c.pause_before_poll(t1, 0, settings(32)), None);
    }

    #[test]
    fn a_stale_window_is_forgotten() {
        let (mut c, t1) = after_window(50);
        // The worker slept for a long time since the window ended.
        assert_eq!(c.pause_before_poll(t1 + 5 * WINDOW, 1, settings(32)), None);
    }

    #[test]
    fn the_count_starts_again_each_window() {
        let (mut c, t1) = after_window(50);
        assert!(c.pause_before_poll(t1, 1, settings(32)).is_some());
        // The next window sees no reads at all: the clients went away.
        assert_eq!(c.pause_before_poll(t1 + WINDOW, 1, settings(32)), None);
    }

    #[test]
    fn the_current_window_counts_before_it_completes() {
        let t0 = Instant::now();
        let mut c = Coalescer::new(t0);
        let mut marks = [0u32; 8];
        for m in marks.iter_mut() {
            c.note_read(m);
        }
        assert!(c.pause_before_poll(t0, 1, settings(8)).is_some());
    }

    #[test]
    fn zero_pause_is_off() {
        let t0 = Instant::now();
        let mut c = Coalescer::new(t0);
        let mut marks = [0u32; 8];
        for m in marks.iter_mut() {
            c.note_read(m);
        }
        let off = Settings {
            pause: Duration::ZERO,
            min_clients: 1,
        };
        assert!(!off.enabled());
        assert_eq!(c.pause_before_poll(t0, 1, off), None);
        let on = Settings {
            pause: Duration::from_micros(10),
            min_clients: 1,
        };
        assert!(on.enabled());
        assert_eq!(
            c.pause_before_poll(t0, 1, on),
            Some(Duration::from_micros(10))
        );
    }
}
