//! The atomic ticket lock under `loom`: every interleaving (up to a
//! preemption bound) of a few threads, checked against the pure
//! `TicketLockSpec`. Compiled only with `--cfg loom`:
//!
//! ```text
//! RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom \
//!     cargo test -p keyrs-io --release --test loom_fastlock
//! ```
//!
//! The locks use a spin limit of 0 or 1, so waiters park almost at once and
//! the park/unpark hand-off (a lost wake-up would show as a loom deadlock) is
//! explored as well as the spinning path.
#![cfg(loom)]

use keyrs_core::lock::{Request, Ticket, TicketLockSpec};
use keyrs_io::fastlock::{Acquired, FastLock, RawFastLock, Unlocked};
use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::thread;

/// A bounded exploration: small enough for CI (all models well under two
/// minutes on two cores in release mode).
fn check(bound: usize, f: impl Fn() + Sync + Send + 'static) {
    let mut b = loom::model::Builder::new();
    b.preemption_bound = Some(bound);
    b.check(f);
}

/// Read, then write, through loom's cell: loom reports any access not
/// ordered after the previous one by happens-before (a data race), so this
/// fails if the lock let two threads in at once or did not publish writes.
fn bump(cell: &UnsafeCell<usize>) {
    // SAFETY: called only while holding the lock around `cell`; loom checks
    // that claim.
    let v = cell.with(|p| unsafe { *p });
    // SAFETY: as above.
    cell.with_mut(|p| unsafe { *p = v + 1 });
}

#[test]
fn mutual_exclusion_and_publication() {
    for spins in [0, 1] {
        check(3, move || {
            let lock = Arc::new(FastLock::with_spin_limit(UnsafeCell::new(0usize), spins));
            let handles: Vec<_> = (0..2)
                .map(|_| {
                    let lock = Arc::clone(&lock);
                    thread::spawn(move || bump(&lock.lock()))
                })
                .collect();
            for h in handles {
                h.join().unwrap();
            }
            let g = lock.lock();
            // SAFETY: the lock is held.
            let total = g.with(|p| unsafe { *p });
            assert_eq!(total, 2);
            assert_eq!(lock.contention(), 1);
        });
    }
}

#[test]
fn tickets_are_served_in_order_as_the_spec_says() {
    check(3, || {
        let lock = Arc::new(RawFastLock::with_spin_limit(0));
        // Tickets in the order the critical sections ran.
        let served = Arc::new(UnsafeCell::new(Vec::<u32>::new()));
        assert_eq!(lock.lock(), Acquired::Ticket(0));
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let lock = Arc::clone(&lock);
                let served = Arc::clone(&served);
                thread::spawn(move || {
                    let Acquired::Ticket(t) = lock.lock() else {
                        panic!("a fresh thread cannot recurse")
                    };
                    // SAFETY: inside the lock.
                    served.with_mut(|p| unsafe { (*p).push(t) });
                    assert_eq!(lock.unlock(), Ok(Unlocked::Free));
                })
            })
            .collect();
        // SAFETY: inside the lock.
        served.with_mut(|p| unsafe { (*p).push(0) });
        assert_eq!(lock.unlock(), Ok(Unlocked::Free));
        for h in handles {
            h.join().unwrap();
        }
        // SAFETY: every other thread has been joined.
        let order = served.with(|p| unsafe { (*p).clone() });
        assert_eq!(order.len(), 3);
        // Replay on the spec: tickets handed out in ticket order (that is
        // what the atomic increment did), then each thread polls in the
        // order the real lock served them; the spec must grant every poll.
        let mut spec = TicketLockSpec::new();
        let mut by_ticket = order.clone();
        by_ticket.sort_unstable();
        for &t in &by_ticket {
            assert_eq!(
                spec.request(t as usize),
                Ok(Request::Queued(Ticket(u64::from(t))))
            );
        }
        for &t in &order {
            assert_eq!(spec.poll(t as usize, Ticket(u64::from(t))), Ok(true));
            spec.release(t as usize).unwrap();
        }
        assert_eq!(spec.contention(), 0);
    });
}

#[test]
fn nested_levels_keep_the_lock() {
    check(3, || {
        let lock = Arc::new(FastLock::with_spin_limit(UnsafeCell::new(0usize), 1));
        let other = {
            let lock = Arc::clone(&lock);
            thread::spawn(move || {
                // Either before, between or after the holder's levels: never
                // inside them (loom would see the unordered cell access).
                if let Some(g) = lock.try_lock() {
                    bump(&g);
                    true
                } else {
                    bump(&lock.lock());
                    false
                }
            })
        };
        {
            let mut g = lock.lock();
            {
                let n = g.nest();
                assert_eq!(n.depth(), 2);
                bump(&n);
            }
            // The nested level is gone; the lock is still held.
            assert_eq!(g.depth(), 1);
            bump(&g);
        }
        other.join().unwrap();
        let g = lock.lock();
        // SAFETY: the lock is held.
        assert_eq!(g.with(|p| unsafe { *p }), 3);
    });
}

#[test]
fn raw_recursion_and_foreign_unlock() {
    check(3, || {
        let lock = Arc::new(RawFastLock::with_spin_limit(0));
        let cell = Arc::new(UnsafeCell::new(0usize));
        let other = {
            let lock = Arc::clone(&lock);
            let cell = Arc::clone(&cell);
            thread::spawn(move || {
                // Not the holder: an unlock is refused (unless it already
                // holds, which it does not).
                assert!(lock.unlock().is_err());
                lock.lock();
                bump(&cell);
                assert_eq!(lock.unlock(), Ok(Unlocked::Free));
            })
        };
        lock.lock();
        assert_eq!(lock.lock(), Acquired::Recursed { depth: 2 });
        assert!(lock.try_lock());
        bump(&cell);
        assert_eq!(lock.unlock(), Ok(Unlocked::StillHeld { depth: 2 }));
        bump(&cell);
        assert_eq!(lock.unlock(), Ok(Unlocked::StillHeld { depth: 1 }));
        bump(&cell);
        assert_eq!(lock.unlock(), Ok(Unlocked::Free));
        other.join().unwrap();
        // SAFETY: the other thread has been joined.
        assert_eq!(cell.with(|p| unsafe { *p }), 4);
    });
}

#[test]
fn try_lock_never_waits() {
    check(3, || {
        let lock = Arc::new(FastLock::with_spin_limit(UnsafeCell::new(0usize), 0));
        let held = lock.lock();
        // The holder keeps the lock until the prober is joined: a try_lock
        // that waited would deadlock, which loom reports.
        let prober = {
            let lock = Arc::clone(&lock);
            thread::spawn(move || lock.try_lock().is_some())
        };
        assert!(!prober.join().unwrap());
        drop(held);
        // Free and nobody waiting: it succeeds, from any thread.
        let prober = {
            let lock = Arc::clone(&lock);
            thread::spawn(move || {
                let g = lock.try_lock();
                assert!(g.is_some());
                if let Some(g) = g {
                    bump(&g);
                }
            })
        };
        prober.join().unwrap();
        assert_eq!(lock.stats().acquisitions, 2);
    });
}

#[test]
fn try_lock_races_a_waiter_without_breaking_exclusion() {
    check(2, || {
        let lock = Arc::new(FastLock::with_spin_limit(UnsafeCell::new(0usize), 0));
        let waiter = {
            let lock = Arc::clone(&lock);
            thread::spawn(move || bump(&lock.lock()))
        };
        let prober = {
            let lock = Arc::clone(&lock);
            thread::spawn(move || match lock.try_lock() {
                Some(g) => {
                    bump(&g);
                    1
                }
                None => 0,
            })
        };
        waiter.join().unwrap();
        let extra = prober.join().unwrap();
        let g = lock.lock();
        // SAFETY: the lock is held.
        assert_eq!(g.with(|p| unsafe { *p }), 1 + extra);
    });
}
