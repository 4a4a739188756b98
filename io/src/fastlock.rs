//! KeyDB's global lock ("fastlock") on atomics: a fair FIFO ticket lock that
//! the holding thread may take again, spinning with a pause hint for a
//! bounded count and then parking until its ticket is served.
//!
//! The pure specification is [`keyrs_core::lock::TicketLockSpec`]; the `loom`
//! suite (`io/tests/loom_fastlock.rs`, run with `RUSTFLAGS="--cfg loom"`)
//! explores this code's interleavings against it.
//!
//! Two layers:
//! - [`RawFastLock`] guards no data, so its recursive `lock`/`unlock`, keyed
//!   on the calling thread as KeyDB's is, are safe to expose as they are.
//! - [`FastLock<T>`] adds the data and hands out a [`FastLockGuard`] with
//!   `&mut T`. A second guard from the same thread would be a second `&mut`
//!   to the same `T`, so [`FastLock::lock`] is *not* re-entrant: recursion
//!   goes through [`FastLockGuard::nest`], which borrows the outer guard
//!   mutably for as long as the inner level lives — the borrow checker keeps
//!   exactly one usable `&mut T` while the depth is counted as KeyDB counts it.
//!
//! The ticket word holds `active` (the ticket served; the owner's while held)
//! in its low 32 bits and `avail` (the next ticket) in its high 32 bits, so
//! `try_lock` can take a free lock with one compare-and-swap and
//! `avail - active` is the number of threads holding or waiting, the figure
//! KeyDB samples as lock contention.

use std::cell::UnsafeCell;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

use crate::sync::{spin_loop, thread_local, AtomicU32, AtomicU64, Ordering, Parker};

/// Spins (each with a pause hint) before a waiter parks. KeyDB spins far
/// longer (2^20) before its futex sleep; with more workers than cores a short
/// spin wastes less CPU that the holder could use. A batch holds the lock
/// for tens to hundreds of microseconds, so a waiter rarely wins by spinning
/// long: 2^8 pauses (BENCHMARKS.md, `server-threads 2`) lost 10% of CPU
/// efficiency against one thread where 2^12 lost 13%, most of it at P16.
pub const DEFAULT_SPIN_LIMIT: u32 = 1 << 8;

/// How many contention samples [`FastLock::sample_contention`] averages
/// (KeyDB keeps a ring of recent samples for `avg_lock_contention`).
pub const CONTENTION_SAMPLES: usize = 64;

const AVAIL_ONE: u64 = 1 << 32;

fn active(word: u64) -> u32 {
    word as u32
}

fn avail(word: u64) -> u32 {
    (word >> 32) as u32
}

/// A number unique to the calling thread, never 0 (0 means "no owner").
fn current_thread() -> u64 {
    // A plain std counter even under loom: it only hands out distinct numbers
    // and is not part of what loom checks.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    thread_local! {
        static ID: u64 = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    ID.with(|id| *id)
}

/// How a [`RawFastLock::lock`] was satisfied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acquired {
    /// The caller held the lock already; its depth is now `depth`.
    Recursed {
        /// Nesting depth after this lock.
        depth: u32,
    },
    /// The caller took `ticket` and has now been served.
    Ticket(u32),
}

/// What [`RawFastLock::unlock`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unlocked {
    /// One level undone; the caller still holds the lock at `depth`.
    StillHeld {
        /// Nesting depth left.
        depth: u32,
    },
    /// The lock is free and the next ticket served.
    Free,
}

/// `unlock` by a thread that does not hold the lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotOwner;

impl std::fmt::Display for NotOwner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("unlock by a thread that does not hold the lock")
    }
}

impl std::error::Error for NotOwner {}

/// Counters of a lock, for INFO. All relaxed: they are statistics.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LockStats {
    /// Non-recursive acquisitions (`lock` and successful `try_lock`).
    pub acquisitions: u64,
    /// Acquisitions that found the lock held or awaited and had to wait.
    pub contended: u64,
    /// Acquisitions that spun past the limit and parked (KeyDB's
    /// `long_lock_waits`).
    pub long_waits: u64,
    /// Threads holding or waiting right now (`avail - active`; KeyDB's
    /// `instantaneous_lock_contention`).
    pub contention: u32,
    /// Mean of the recent [`FastLock::sample_contention`] samples (KeyDB's
    /// `avg_lock_contention`); 0 before any sample.
    pub avg_contention: f64,
}

/// The ticket lock without data (see the module docs).
#[derive(Debug)]
pub struct RawFastLock {
    /// `active` (low 32 bits) and `avail` (high 32 bits).
    ticket: AtomicU64,
    /// The holder's [`current_thread`] number, 0 when free. Read relaxed for
    /// the recursion check: a thread only ever finds its own number here if it
    /// wrote it itself and has not yet cleared it.
    owner: AtomicU64,
    /// Nesting depth; read and written only by the holder.
    depth: AtomicU32,
    /// Waiters that are parked or about to park; the releaser wakes only when
    /// this is non-zero, so uncontended unlocks never touch the parker.
    parked: AtomicU32,
    spin_limit: u32,
    parker: Parker,
    acquisitions: AtomicU64,
    contended: AtomicU64,
    long_waits: AtomicU64,
}

impl Default for RawFastLock {
    fn default() -> Self {
        RawFastLock::new()
    }
}

impl RawFastLock {
    /// A free lock with [`DEFAULT_SPIN_LIMIT`].
    pub fn new() -> RawFastLock {
        RawFastLock::with_spin_limit(DEFAULT_SPIN_LIMIT)
    }

    /// A free lock whose waiters park after `spins` spins (0: park at once).
    pub fn with_spin_limit(spins: u32) -> RawFastLock {
        RawFastLock {
            ticket: AtomicU64::new(0),
            owner: AtomicU64::new(0),
            depth: AtomicU32::new(0),
            parked: AtomicU32::new(0),
            spin_limit: spins,
            parker: Parker::new(),
            acquisitions: AtomicU64::new(0),
            contended: AtomicU64::new(0),
            long_waits: AtomicU64::new(0),
        }
    }

    fn key(&self) -> usize {
        self as *const RawFastLock as usize
    }

    /// True when the calling thread holds the lock.
    pub fn is_held_by_current_thread(&self) -> bool {
        self.owner.load(Ordering::Relaxed) == current_thread()
    }

    /// Lock, waiting in ticket order; the holder re-locking only deepens.
    ///
    /// # Panics
    /// If the holder nests more than `u32::MAX` levels.
    pub fn lock(&self) -> Acquired {
        let me = current_thread();
        if self.owner.load(Ordering::Relaxed) == me {
            return Acquired::Recursed {
                depth: self.deepen(),
            };
        }
        let prev = self.ticket.fetch_add(AVAIL_ONE, Ordering::AcqRel);
        let mine = avail(prev);
        if active(prev) != mine {
            self.contended.fetch_add(1, Ordering::Relaxed);
            self.wait_for(mine);
        }
        self.take(me);
        Acquired::Ticket(mine)
    }

    /// Lock without ever waiting: succeeds if the caller holds the lock (one
    /// level deeper) or nobody holds or waits for it; never takes a ticket
    /// otherwise.
    pub fn try_lock(&self) -> bool {
        let me = current_thread();
        if self.owner.load(Ordering::Relaxed) == me {
            self.deepen();
            return true;
        }
        let word = self.ticket.load(Ordering::Relaxed);
        if active(word) != avail(word) {
            return false;
        }
        let taken = word.wrapping_add(AVAIL_ONE);
        if self
            .ticket
            .compare_exchange(word, taken, Ordering::AcqRel, Ordering::Relaxed)
            .is_err()
        {
            return false;
        }
        self.take(me);
        true
    }

    /// Undo one level; at depth 0 serve the next ticket and wake its thread
    /// if it parked. Only the holder may unlock.
    pub fn unlock(&self) -> Result<Unlocked, NotOwner> {
        if self.owner.load(Ordering::Relaxed) != current_thread() {
            return Err(NotOwner);
        }
        let depth = self.depth.load(Ordering::Relaxed).saturating_sub(1);
        self.depth.store(depth, Ordering::Relaxed);
        if depth > 0 {
            return Ok(Unlocked::StillHeld { depth });
        }
        self.owner.store(0, Ordering::Relaxed);
        // Only the holder changes `active`, so this read is exact. Adding 1
        // must not carry into `avail` when `active` wraps.
        let current = active(self.ticket.load(Ordering::Relaxed));
        let delta = if current == u32::MAX {
            1u64.wrapping_sub(AVAIL_ONE)
        } else {
            1
        };
        let next = active(self.ticket.fetch_add(delta, Ordering::SeqCst)).wrapping_add(1);
        // A read-modify-write, not a load: together with the waiter's RMWs
        // (increment `parked`, then re-read the ticket with an RMW) one of
        // the two sides is guaranteed to see the other (see `wait_for`).
        if self.parked.fetch_add(0, Ordering::SeqCst) > 0 {
            self.parker.unpark(self.key(), next as usize);
        }
        Ok(Unlocked::Free)
    }

    /// Current figures (without the sampled average).
    pub fn stats(&self) -> LockStats {
        LockStats {
            acquisitions: self.acquisitions.load(Ordering::Relaxed),
            contended: self.contended.load(Ordering::Relaxed),
            long_waits: self.long_waits.load(Ordering::Relaxed),
            contention: self.contention(),
            avg_contention: 0.0,
        }
    }

    /// Threads holding or waiting for the lock right now.
    pub fn contention(&self) -> u32 {
        let word = self.ticket.load(Ordering::Relaxed);
        avail(word).wrapping_sub(active(word))
    }

    /// Waiters currently parked (or about to park).
    pub fn parked(&self) -> u32 {
        self.parked.load(Ordering::Relaxed)
    }

    fn deepen(&self) -> u32 {
        let depth = self.depth.load(Ordering::Relaxed);
        let Some(depth) = depth.checked_add(1) else {
            panic!("fastlock recursion depth overflow");
        };
        self.depth.store(depth, Ordering::Relaxed);
        depth
    }

    fn take(&self, me: u64) {
        self.owner.store(me, Ordering::Relaxed);
        self.depth.store(1, Ordering::Relaxed);
        self.acquisitions.fetch_add(1, Ordering::Relaxed);
    }

    /// Spin until `mine` is served, parking after the spin limit.
    fn wait_for(&self, mine: u32) {
        let mut spins = 0u32;
        let mut slept = false;
        loop {
            if active(self.ticket.load(Ordering::Acquire)) == mine {
                break;
            }
            if spins < self.spin_limit {
                spins += 1;
                spin_loop();
                continue;
            }
            // Announce before the final check. The check is an RMW so it
            // reads the latest ticket word: either it sees the release that
            // served us, or that release's RMW on `parked` sees our increment
            // and wakes us (the parker's lock orders the wake after our
            // enqueue).
            self.parked.fetch_add(1, Ordering::SeqCst);
            self.parker.park(self.key(), mine as usize, || {
                active(self.ticket.fetch_add(0, Ordering::SeqCst)) != mine
            });
            self.parked.fetch_sub(1, Ordering::SeqCst);
            slept = true;
        }
        if slept {
            self.long_waits.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The ticket lock with the data it guards (see the module docs).
pub struct FastLock<T: ?Sized> {
    raw: RawFastLock,
    /// Contention samples for the average, a ring written by one thread (the
    /// cron's) at a time; plain std atomics because they are statistics, not
    /// part of the lock protocol loom checks.
    samples: [std::sync::atomic::AtomicU32; CONTENTION_SAMPLES],
    sample_count: std::sync::atomic::AtomicU64,
    data: UnsafeCell<T>,
}

// SAFETY: the lock hands out access to `T` to one thread at a time (a guard
// exists only while the ticket is held, and guards are not `Send`), so sharing
// a `FastLock<T>` is like sharing a `Mutex<T>`: it needs `T: Send` only.
unsafe impl<T: ?Sized + Send> Sync for FastLock<T> {}
// SAFETY: moving the lock moves the `T` it owns; no thread-bound state moves
// with it (a lock that is moved cannot be held, as holding borrows it).
unsafe impl<T: ?Sized + Send> Send for FastLock<T> {}

impl<T: ?Sized> std::fmt::Debug for FastLock<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FastLock")
            .field("raw", &self.raw)
            .finish_non_exhaustive()
    }
}

impl<T: Default> Default for FastLock<T> {
    fn default() -> Self {
        FastLock::new(T::default())
    }
}

impl<T> FastLock<T> {
    /// `value` behind a free lock with [`DEFAULT_SPIN_LIMIT`].
    pub fn new(value: T) -> FastLock<T> {
        FastLock::with_spin_limit(value, DEFAULT_SPIN_LIMIT)
    }

    /// `value` behind a free lock whose waiters park after `spins` spins.
    pub fn with_spin_limit(value: T, spins: u32) -> FastLock<T> {
        FastLock {
            raw: RawFastLock::with_spin_limit(spins),
            samples: std::array::from_fn(|_| std::sync::atomic::AtomicU32::new(0)),
            sample_count: std::sync::atomic::AtomicU64::new(0),
            data: UnsafeCell::new(value),
        }
    }

    /// The data, when nobody else can hold the lock.
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> FastLock<T> {
    /// Lock, waiting in ticket order (spin, then park).
    ///
    /// # Panics
    /// If the calling thread already holds the lock: a second guard would be
    /// a second `&mut T`. Nest through [`FastLockGuard::nest`] instead.
    pub fn lock(&self) -> FastLockGuard<'_, T> {
        assert!(
            !self.raw.is_held_by_current_thread(),
            "FastLock::lock re-entered by its holder; use FastLockGuard::nest"
        );
        self.raw.lock();
        FastLockGuard::new(self)
    }

    /// Lock only if nobody holds or waits for the lock; never waits. `None`
    /// also when the calling thread holds it already (see [`FastLock::lock`]).
    pub fn try_lock(&self) -> Option<FastLockGuard<'_, T>> {
        if self.raw.is_held_by_current_thread() || !self.raw.try_lock() {
            return None;
        }
        Some(FastLockGuard::new(self))
    }

    /// Exclusive access without locking: `&mut self` proves nobody holds it.
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }

    /// Record how many threads hold or wait right now, for the average in
    /// [`FastLock::stats`]. Call it from one thread, not holding the lock
    /// (KeyDB samples from a thread outside the lock).
    pub fn sample_contention(&self) {
        use std::sync::atomic::Ordering::Relaxed;
        let n = self.sample_count.fetch_add(1, Relaxed);
        let slot = (n % CONTENTION_SAMPLES as u64) as usize;
        self.samples[slot].store(self.raw.contention(), Relaxed);
    }

    /// Acquisition counters, current contention and the sampled average.
    pub fn stats(&self) -> LockStats {
        use std::sync::atomic::Ordering::Relaxed;
        let mut s = self.raw.stats();
        let taken = self
            .sample_count
            .load(Relaxed)
            .min(CONTENTION_SAMPLES as u64) as usize;
        if taken > 0 {
            let sum: u64 = self.samples[..taken]
                .iter()
                .map(|a| u64::from(a.load(Relaxed)))
                .sum();
            s.avg_contention = sum as f64 / taken as f64;
        }
        s
    }

    /// Threads holding or waiting right now.
    pub fn contention(&self) -> u32 {
        self.raw.contention()
    }

    /// Waiters currently parked (or about to park).
    pub fn parked(&self) -> u32 {
        self.raw.parked()
    }
}

/// Exclusive access to a [`FastLock`]'s data; unlocks when dropped. Not
/// `Send`: the lock is owned by the thread that took it.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct FastLockGuard<'a, T: ?Sized> {
    lock: &'a FastLock<T>,
    _not_send: PhantomData<*const ()>,
}

impl<'a, T: ?Sized> FastLockGuard<'a, T> {
    fn new(lock: &'a FastLock<T>) -> Self {
        FastLockGuard {
            lock,
            _not_send: PhantomData,
        }
    }

    /// Take the lock one level deeper (KeyDB's recursion), for code that
    /// locks again while its caller holds the lock. The outer guard is
    /// mutably borrowed while the returned level lives, so there is still
    /// only one `&mut T`; dropping it undoes the level.
    pub fn nest(&mut self) -> NestedGuard<'_, 'a, T> {
        let got = self.lock.raw.lock();
        debug_assert!(matches!(got, Acquired::Recursed { .. }));
        NestedGuard { outer: self }
    }

    /// The recursion depth the holder is at (1 for a plain guard).
    pub fn depth(&self) -> u32 {
        self.lock.raw.depth.load(Ordering::Relaxed)
    }
}

impl<T: ?Sized> Deref for FastLockGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: a guard exists only while this thread holds the lock (it
        // was created right after acquiring it and releases on drop), no
        // other guard for this lock exists meanwhile (`lock`/`try_lock`
        // refuse the holder, `nest` borrows this guard), so no `&mut T`
        // aliases this shared borrow, which is tied to `&self`.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> DerefMut for FastLockGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`; the `&mut self` borrow makes this the only
        // reference derived from the guard while it lives.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized> Drop for FastLockGuard<'_, T> {
    fn drop(&mut self) {
        let r = self.lock.raw.unlock();
        debug_assert_eq!(r, Ok(Unlocked::Free));
    }
}

impl<T: ?Sized + std::fmt::Debug> std::fmt::Debug for FastLockGuard<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

/// One extra level of a held [`FastLock`] (see [`FastLockGuard::nest`]).
pub struct NestedGuard<'g, 'a, T: ?Sized> {
    outer: &'g mut FastLockGuard<'a, T>,
}

impl<'a, T: ?Sized> NestedGuard<'_, 'a, T> {
    /// The recursion depth including this level.
    pub fn depth(&self) -> u32 {
        self.outer.depth()
    }

    /// One more level (depth + 1), borrowing this one.
    pub fn nest(&mut self) -> NestedGuard<'_, 'a, T> {
        self.outer.nest()
    }
}

impl<T: ?Sized> Deref for NestedGuard<'_, '_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.outer
    }
}

impl<T: ?Sized> DerefMut for NestedGuard<'_, '_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.outer
    }
}

impl<T: ?Sized> Drop for NestedGuard<'_, '_, T> {
    fn drop(&mut self) {
        let r = self.outer.lock.raw.unlock();
        debug_assert!(matches!(r, Ok(Unlocked::StillHeld { .. })));
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    #[test]
    fn threads_times_increments_is_exact() {
        const THREADS: usize = 4;
        const EACH: u64 = 20_000;
        // A short spin so some waiters park too.
        let lock = Arc::new(FastLock::with_spin_limit(0u64, 16));
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                let lock = Arc::clone(&lock);
                std::thread::spawn(move || {
                    for _ in 0..EACH {
                        let mut g = lock.lock();
                        // A read, then a write: lost updates would show.
                        let v = *g;
                        *g = v + 1;
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(*lock.lock(), THREADS as u64 * EACH);
        let s = lock.stats();
        assert_eq!(s.acquisitions, THREADS as u64 * EACH + 1);
        assert!(s.contended <= s.acquisitions);
        assert!(s.long_waits <= s.contended);
        assert_eq!(lock.contention(), 0);
    }

    #[test]
    fn try_lock_never_waits_and_takes_no_ticket() {
        let lock = Arc::new(FastLock::new(5));
        let g = lock.lock();
        let other = Arc::clone(&lock);
        // From another thread: held, so None at once.
        let got = std::thread::spawn(move || other.try_lock().map(|g| *g))
            .join()
            .unwrap();
        assert_eq!(got, None);
        // The holder itself gets None too (a second guard would alias).
        assert!(lock.try_lock().is_none());
        assert_eq!(lock.contention(), 1);
        drop(g);
        assert_eq!(lock.try_lock().map(|g| *g), Some(5));
        assert_eq!(lock.stats().acquisitions, 2);
    }

    #[test]
    fn try_lock_fails_while_someone_waits() {
        let lock = Arc::new(FastLock::new(()));
        let g = lock.lock();
        let waiter = {
            let lock = Arc::clone(&lock);
            std::thread::spawn(move || drop(lock.lock()))
        };
        while lock.contention() < 2 {
            std::thread::yield_now();
        }
        // Free or not, a waiter is in line: try_lock must not jump it.
        let prober = {
            let lock = Arc::clone(&lock);
            std::thread::spawn(move || lock.try_lock().is_some())
        };
        assert!(!prober.join().unwrap());
        drop(g);
        waiter.join().unwrap();
        assert!(lock.try_lock().is_some());
    }

    #[test]
    fn nested_levels_count_depth_and_release_last() {
        let lock = Arc::new(FastLock::new(0));
        let mut g = lock.lock();
        assert_eq!(g.depth(), 1);
        {
            let mut n = g.nest();
            *n += 1;
            assert_eq!(n.depth(), 2);
            let mut n2 = n.nest();
            *n2 += 1;
            assert_eq!(n2.depth(), 3);
        }
        assert_eq!(g.depth(), 1);
        // Still held after the nested levels are gone.
        let other = Arc::clone(&lock);
        assert!(std::thread::spawn(move || other.try_lock().is_none())
            .join()
            .unwrap());
        assert_eq!(*g, 2);
        drop(g);
        assert_eq!(lock.contention(), 0);
    }

    #[test]
    #[should_panic(expected = "re-entered")]
    fn relocking_from_the_holder_is_refused() {
        let lock = FastLock::new(0);
        let _g = lock.lock();
        let _h = lock.lock();
    }

    #[test]
    fn raw_lock_recurses_and_rejects_foreign_unlock() {
        let lock = Arc::new(RawFastLock::new());
        assert_eq!(lock.lock(), Acquired::Ticket(0));
        assert_eq!(lock.lock(), Acquired::Recursed { depth: 2 });
        assert!(lock.try_lock());
        let other = Arc::clone(&lock);
        assert_eq!(
            std::thread::spawn(move || other.unlock()).join().unwrap(),
            Err(NotOwner)
        );
        assert_eq!(lock.unlock(), Ok(Unlocked::StillHeld { depth: 2 }));
        assert_eq!(lock.unlock(), Ok(Unlocked::StillHeld { depth: 1 }));
        assert_eq!(lock.unlock(), Ok(Unlocked::Free));
        assert_eq!(lock.unlock(), Err(NotOwner));
        assert_eq!(lock.lock(), Acquired::Ticket(1));
        assert_eq!(lock.unlock(), Ok(Unlocked::Free));
    }

    #[test]
    fn waiter_parks_after_the_spin_limit_and_is_woken() {
        let lock = Arc::new(FastLock::new(0u32));
        let g = lock.lock();
        let waiter = {
            let lock = Arc::clone(&lock);
            std::thread::spawn(move || {
                let mut g = lock.lock();
                *g += 1;
            })
        };
        // Hold until the waiter has exhausted its spins and parked, however
        // slowly it gets CPU time.
        let deadline = Instant::now() + Duration::from_secs(60);
        while lock.parked() == 0 {
            assert!(Instant::now() < deadline, "waiter never parked");
            std::thread::sleep(Duration::from_millis(1));
        }
        drop(g);
        waiter.join().unwrap();
        assert_eq!(*lock.lock(), 1);
        let s = lock.stats();
        assert_eq!(s.long_waits, 1);
        assert_eq!(s.contended, 1);
        assert_eq!(lock.parked(), 0);
    }

    #[test]
    fn waiters_are_served_in_ticket_order() {
        // Each waiter records its ticket position on entry; they must enter
        // in the order they queued.
        let lock = Arc::new(FastLock::with_spin_limit(Vec::new(), 8));
        let g = lock.lock();
        let mut handles = Vec::new();
        for i in 0..4usize {
            let lock2 = Arc::clone(&lock);
            handles.push(std::thread::spawn(move || lock2.lock().push(i)));
            // Wait until this thread has taken its ticket before the next.
            while lock.contention() < i as u32 + 2 {
                std::thread::yield_now();
            }
        }
        drop(g);
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(*lock.lock(), vec![0, 1, 2, 3]);
    }

    #[test]
    fn contention_average_over_samples() {
        let lock = Arc::new(FastLock::new(()));
        assert_eq!(lock.stats().avg_contention, 0.0);
        lock.sample_contention();
        let g = lock.lock();
        lock.sample_contention();
        assert_eq!(lock.stats().avg_contention, 0.5);
        assert_eq!(lock.stats().contention, 1);
        drop(g);
        for _ in 0..CONTENTION_SAMPLES {
            lock.sample_contention();
        }
        assert_eq!(lock.stats().avg_contention, 0.0);
    }

    #[test]
    fn active_wraps_without_carrying_into_avail() {
        let lock = RawFastLock::new();
        // Start just below the wrap: active = avail = u32::MAX.
        lock.ticket.store(
            (u64::from(u32::MAX) << 32) | u64::from(u32::MAX),
            Ordering::Relaxed,
        );
        assert_eq!(lock.lock(), Acquired::Ticket(u32::MAX));
        assert_eq!(lock.unlock(), Ok(Unlocked::Free));
        let word = lock.ticket.load(Ordering::Relaxed);
        assert_eq!((active(word), avail(word)), (0, 0));
        assert_eq!(lock.lock(), Acquired::Ticket(0));
        assert_eq!(lock.contention(), 1);
        assert_eq!(lock.unlock(), Ok(Unlocked::Free));
    }
}
