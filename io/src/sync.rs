//! The synchronisation primitives [`crate::fastlock`] is built on, taken from
//! `loom` when compiled with `--cfg loom` (so the loom suite explores the very
//! same lock code) and from `std` / `parking_lot_core` otherwise.

#[cfg(loom)]
pub(crate) use loom::hint::spin_loop;
#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicU32, AtomicU64, Ordering};
#[cfg(loom)]
pub(crate) use loom::thread_local;

#[cfg(not(loom))]
pub(crate) use std::hint::spin_loop;
#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
#[cfg(not(loom))]
pub(crate) use std::thread_local;

/// Where a waiter sleeps once spinning has gone on too long, and how the
/// releasing thread wakes it. Both sides hold one lock (parking_lot's bucket
/// lock, or a mutex under loom) while checking the ticket word and
/// enqueueing / waking, so a wake-up is never lost between the check and the
/// sleep.
#[cfg(not(loom))]
#[derive(Debug, Default)]
pub(crate) struct Parker;

#[cfg(not(loom))]
impl Parker {
    /// A parker (all state lives in parking_lot's global table).
    pub(crate) fn new() -> Parker {
        Parker
    }

    /// Sleep on `key` with `token` while `still_waiting()` holds when checked
    /// under the park lock. May return spuriously; callers re-check.
    pub(crate) fn park(&self, key: usize, token: usize, still_waiting: impl Fn() -> bool) {
        // SAFETY: `parking_lot_core::park` requires that the key is an address
        // we control (it is the address of the lock that owns this parker, so
        // no other code parks on it with other meanings) and that the
        // callbacks neither panic nor call into parking_lot. `still_waiting`
        // is a single atomic read and the other callbacks are empty.
        unsafe {
            parking_lot_core::park(
                key,
                still_waiting,
                || {},
                |_, _| {},
                parking_lot_core::ParkToken(token),
                None,
            );
        }
    }

    /// Wake the thread parked on `key` with `token`, if any.
    pub(crate) fn unpark(&self, key: usize, token: usize) {
        // SAFETY: same key discipline as `park`; the filter and callback only
        // compare integers and return tokens, they do not panic or park.
        unsafe {
            parking_lot_core::unpark_filter(
                key,
                |t| {
                    if t.0 == token {
                        parking_lot_core::FilterOp::Unpark
                    } else {
                        parking_lot_core::FilterOp::Skip
                    }
                },
                |_| parking_lot_core::DEFAULT_UNPARK_TOKEN,
            );
        }
    }
}

/// Under loom: a mutex and condition variable with the same contract (the
/// check and the sleep happen under the mutex the waker also takes). Every
/// waiter is woken; those not served sleep again.
#[cfg(loom)]
#[derive(Debug, Default)]
pub(crate) struct Parker {
    mutex: loom::sync::Mutex<()>,
    cond: loom::sync::Condvar,
}

#[cfg(loom)]
impl Parker {
    pub(crate) fn new() -> Parker {
        Parker::default()
    }

    pub(crate) fn park(&self, _key: usize, _token: usize, still_waiting: impl Fn() -> bool) {
        let guard = self.mutex.lock().unwrap_or_else(|e| e.into_inner());
        if still_waiting() {
            let _guard = self.cond.wait(guard).unwrap_or_else(|e| e.into_inner());
        }
    }

    pub(crate) fn unpark(&self, _key: usize, _token: usize) {
        let _guard = self.mutex.lock().unwrap_or_else(|e| e.into_inner());
        self.cond.notify_all();
    }
}
