//! KeyDB's global lock ("fastlock") as a pure state machine: a fair FIFO
//! ticket lock that the thread holding it may take again (recursion).
//!
//! This is the specification the real lock in `keyrs-io` (`fastlock.rs`,
//! built on atomics) is checked against by its `loom` suite, and the lock the
//! simulator's worker tasks take. It has no atomics and no waiting: a thread
//! *requests* a ticket, then *polls* until the lock serves that ticket, as a
//! spinning thread would re-read the ticket word.
//!
//! The numbers follow KeyDB's `fastlock`: `avail` is the next ticket to hand
//! out, `active` the ticket being served (the owner's ticket while the lock is
//! held; equal to `avail` when nobody holds or waits). `avail - active` is
//! therefore how many threads hold or wait for the lock, the figure KeyDB
//! reports as lock contention.

use std::collections::VecDeque;
use std::fmt;

/// A thread (worker) as the lock knows it: any number unique per thread.
pub type ThreadRef = usize;

/// A ticket: the place in line a thread took with [`TicketLockSpec::request`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ticket(pub u64);

/// What [`TicketLockSpec::request`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// The caller already held the lock: its depth went up, no ticket taken.
    Recursed {
        /// The nesting depth after this request.
        depth: u32,
    },
    /// The caller is in line with this ticket; [`TicketLockSpec::poll`] tells
    /// when it is served.
    Queued(Ticket),
}

/// What [`TicketLockSpec::release`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Released {
    /// One level of recursion was undone; the caller still holds the lock.
    StillHeld {
        /// The nesting depth left.
        depth: u32,
    },
    /// The lock was given up; the next ticket is now served.
    Free,
}

/// Misuse of the lock. The real lock cannot be misused this way through its
/// safe API; the spec reports it instead of panicking so tests can drive it
/// with arbitrary operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockError {
    /// `release` by a thread that does not hold the lock.
    NotOwner {
        /// The thread that tried.
        thread: ThreadRef,
    },
    /// `request` by a thread that is already waiting in line (a thread waits
    /// for at most one ticket at a time).
    AlreadyWaiting {
        /// The thread that tried.
        thread: ThreadRef,
    },
    /// `poll` of a ticket this thread does not hold or wait with.
    UnknownTicket {
        /// The thread that polled.
        thread: ThreadRef,
        /// The ticket it named.
        ticket: Ticket,
    },
    /// The recursion depth would overflow `u32`.
    DepthOverflow,
}

impl fmt::Display for LockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LockError::NotOwner { thread } => {
                write!(f, "thread {thread} released a lock it does not hold")
            }
            LockError::AlreadyWaiting { thread } => {
                write!(
                    f,
                    "thread {thread} requested a ticket while already waiting"
                )
            }
            LockError::UnknownTicket { thread, ticket } => {
                write!(
                    f,
                    "thread {thread} polled ticket {} it does not hold",
                    ticket.0
                )
            }
            LockError::DepthOverflow => f.write_str("lock recursion depth overflow"),
        }
    }
}

impl std::error::Error for LockError {}

/// The fair FIFO ticket lock as a state machine (see the module docs).
#[derive(Debug, Clone, Default)]
pub struct TicketLockSpec {
    /// Next ticket to hand out (KeyDB's `m_avail`).
    avail: u64,
    /// Ticket being served (KeyDB's `m_active`).
    active: u64,
    /// The holder and its ticket.
    owner: Option<(ThreadRef, Ticket)>,
    /// Nesting depth of the holder; 0 when free.
    depth: u32,
    /// Waiting threads in ticket order (tickets `active..avail` minus the owner's).
    waiting: VecDeque<(ThreadRef, Ticket)>,
}

impl TicketLockSpec {
    /// A free lock; the first ticket is 0.
    pub fn new() -> TicketLockSpec {
        TicketLockSpec::default()
    }

    /// Lock: the owner re-locking goes one level deeper without a ticket;
    /// anyone else takes the next ticket and waits for it to be served.
    pub fn request(&mut self, thread: ThreadRef) -> Result<Request, LockError> {
        if self.owner_thread() == Some(thread) {
            self.depth = self.depth.checked_add(1).ok_or(LockError::DepthOverflow)?;
            return Ok(Request::Recursed { depth: self.depth });
        }
        if self.waiting.iter().any(|&(t, _)| t == thread) {
            return Err(LockError::AlreadyWaiting { thread });
        }
        let ticket = Ticket(self.avail);
        self.avail += 1;
        self.waiting.push_back((thread, ticket));
        Ok(Request::Queued(ticket))
    }

    /// Has `thread`'s `ticket` been served? When the lock is free and the
    /// ticket is the one served, the thread becomes the owner (depth 1).
    /// Polling again once owning keeps answering `true`.
    pub fn poll(&mut self, thread: ThreadRef, ticket: Ticket) -> Result<bool, LockError> {
        if self.owner == Some((thread, ticket)) {
            return Ok(true);
        }
        if !self.waiting.contains(&(thread, ticket)) {
            return Err(LockError::UnknownTicket { thread, ticket });
        }
        if self.owner.is_some() || ticket.0 != self.active {
            return Ok(false);
        }
        // Tickets are served in order, so the served ticket heads the line.
        let head = self.waiting.pop_front();
        debug_assert_eq!(head, Some((thread, ticket)));
        self.owner = Some((thread, ticket));
        self.depth = 1;
        Ok(true)
    }

    /// Unlock one level; at depth 0 the lock is free and the next ticket is
    /// served. Only the owner may release.
    pub fn release(&mut self, thread: ThreadRef) -> Result<Released, LockError> {
        if self.owner_thread() != Some(thread) {
            return Err(LockError::NotOwner { thread });
        }
        self.depth -= 1;
        if self.depth > 0 {
            return Ok(Released::StillHeld { depth: self.depth });
        }
        self.owner = None;
        self.active += 1;
        Ok(Released::Free)
    }

    /// Lock without waiting: succeeds when the caller already holds the lock
    /// (one level deeper) or when nobody holds or waits for it; otherwise
    /// fails without taking a ticket.
    pub fn try_lock(&mut self, thread: ThreadRef) -> bool {
        if self.owner_thread() == Some(thread) {
            return match self.depth.checked_add(1) {
                Some(d) => {
                    self.depth = d;
                    true
                }
                None => false,
            };
        }
        if self.avail != self.active {
            return false;
        }
        let ticket = Ticket(self.avail);
        self.avail += 1;
        self.owner = Some((thread, ticket));
        self.depth = 1;
        true
    }

    /// The thread holding the lock.
    pub fn owner(&self) -> Option<ThreadRef> {
        self.owner_thread()
    }

    fn owner_thread(&self) -> Option<ThreadRef> {
        self.owner.map(|(t, _)| t)
    }

    /// The holder's nesting depth (0 when free).
    pub fn depth(&self) -> u32 {
        self.depth
    }

    /// The threads waiting, in the order they will be served.
    pub fn waiting(&self) -> impl Iterator<Item = ThreadRef> + '_ {
        self.waiting.iter().map(|&(t, _)| t)
    }

    /// The ticket being served (the owner's while held).
    pub fn now_serving(&self) -> Ticket {
        Ticket(self.active)
    }

    /// The ticket the next request will get.
    pub fn next_ticket(&self) -> Ticket {
        Ticket(self.avail)
    }

    /// Threads holding or waiting for the lock (`avail - active`), KeyDB's
    /// lock-contention figure.
    pub fn contention(&self) -> u64 {
        self.avail - self.active
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn uncontended_lock_and_release() {
        let mut l = TicketLockSpec::new();
        assert_eq!(l.request(1), Ok(Request::Queued(Ticket(0))));
        assert_eq!(l.contention(), 1);
        assert_eq!(l.poll(1, Ticket(0)), Ok(true));
        assert_eq!(l.owner(), Some(1));
        assert_eq!(l.depth(), 1);
        assert_eq!(l.release(1), Ok(Released::Free));
        assert_eq!(l.owner(), None);
        assert_eq!(l.contention(), 0);
        assert_eq!(l.now_serving(), Ticket(1));
    }

    #[test]
    fn waiters_are_served_in_ticket_order() {
        let mut l = TicketLockSpec::new();
        assert!(l.try_lock(9));
        let Ok(Request::Queued(t2)) = l.request(2) else {
            panic!("queued")
        };
        let Ok(Request::Queued(t1)) = l.request(1) else {
            panic!("queued")
        };
        assert_eq!(l.waiting().collect::<Vec<_>>(), vec![2, 1]);
        assert_eq!(l.contention(), 3);
        // Thread 1 is later in line: not served even after the release.
        assert_eq!(l.poll(1, t1), Ok(false));
        assert_eq!(l.release(9), Ok(Released::Free));
        assert_eq!(l.poll(1, t1), Ok(false));
        assert_eq!(l.poll(2, t2), Ok(true));
        assert_eq!(l.release(2), Ok(Released::Free));
        assert_eq!(l.poll(1, t1), Ok(true));
    }

    #[test]
    fn owner_recurses_without_a_ticket() {
        let mut l = TicketLockSpec::new();
        assert!(l.try_lock(1));
        assert_eq!(l.request(1), Ok(Request::Recursed { depth: 2 }));
        assert!(l.try_lock(1));
        assert_eq!(l.depth(), 3);
        assert_eq!(l.next_ticket(), Ticket(1));
        assert_eq!(l.release(1), Ok(Released::StillHeld { depth: 2 }));
        assert_eq!(l.release(1), Ok(Released::StillHeld { depth: 1 }));
        assert_eq!(l.release(1), Ok(Released::Free));
        assert_eq!(l.release(1), Err(LockError::NotOwner { thread: 1 }));
    }

    #[test]
    fn try_lock_fails_when_held_or_awaited_and_takes_no_ticket() {
        let mut l = TicketLockSpec::new();
        assert!(l.try_lock(1));
        assert!(!l.try_lock(2));
        assert_eq!(l.next_ticket(), Ticket(1));
        let Ok(Request::Queued(t)) = l.request(3) else {
            panic!("queued")
        };
        l.release(1).unwrap();
        // Free, but thread 3 waits: try_lock must not jump the line.
        assert_eq!(l.owner(), None);
        assert!(!l.try_lock(2));
        assert_eq!(l.poll(3, t), Ok(true));
    }

    #[test]
    fn misuse_is_an_error() {
        let mut l = TicketLockSpec::new();
        assert_eq!(l.release(4), Err(LockError::NotOwner { thread: 4 }));
        let Ok(Request::Queued(t)) = l.request(1) else {
            panic!("queued")
        };
        assert_eq!(l.request(1), Err(LockError::AlreadyWaiting { thread: 1 }));
        assert_eq!(
            l.poll(2, t),
            Err(LockError::UnknownTicket {
                thread: 2,
                ticket: t
            })
        );
        assert_eq!(l.release(1), Err(LockError::NotOwner { thread: 1 }));
        assert!(l.poll(1, t).unwrap());
        assert_eq!(l.release(2), Err(LockError::NotOwner { thread: 2 }));
        assert!(!LockError::NotOwner { thread: 2 }.to_string().is_empty());
    }

    /// One step of a random schedule over `THREADS` threads.
    #[derive(Debug, Clone)]
    enum Op {
        Request(usize),
        Poll(usize),
        Release(usize),
        TryLock(usize),
    }

    const THREADS: usize = 4;

    fn op() -> impl Strategy<Value = Op> {
        let t = 0..THREADS;
        prop_oneof![
            t.clone().prop_map(Op::Request),
            t.clone().prop_map(Op::Poll),
            t.clone().prop_map(Op::Release),
            t.prop_map(Op::TryLock),
        ]
    }

    /// The model: a queue of waiting threads, an owner and a depth.
    #[derive(Default)]
    struct Model {
        queue: VecDeque<usize>,
        owner: Option<usize>,
        depth: u32,
    }

    proptest! {
        /// Against the model: at most one owner, owners in request order,
        /// recursion depth counted, misuse rejected, never a panic.
        #[test]
        fn spec_matches_queue_model(ops in proptest::collection::vec(op(), 0..200)) {
            let mut l = TicketLockSpec::new();
            let mut m = Model::default();
            let mut tickets: [Option<Ticket>; THREADS] = [None; THREADS];
            let mut requested: Vec<usize> = Vec::new();
            let mut served: Vec<usize> = Vec::new();
            for op in ops {
                match op {
                    Op::Request(t) => {
                        let r = l.request(t);
                        if m.owner == Some(t) {
                            m.depth += 1;
                            prop_assert_eq!(r, Ok(Request::Recursed { depth: m.depth }));
                        } else if m.queue.contains(&t) {
                            prop_assert_eq!(r, Err(LockError::AlreadyWaiting { thread: t }));
                        } else {
                            let Ok(Request::Queued(ticket)) = r else {
                                return Err(TestCaseError::fail("expected a ticket"));
                            };
                            tickets[t] = Some(ticket);
                            m.queue.push_back(t);
                            requested.push(t);
                        }
                    }
                    Op::Poll(t) => {
                        let Some(ticket) = tickets[t] else { continue };
                        let got = l.poll(t, ticket);
                        if m.owner == Some(t) {
                            prop_assert_eq!(got, Ok(true));
                        } else if m.owner.is_none() && m.queue.front() == Some(&t) {
                            prop_assert_eq!(got, Ok(true));
                            m.queue.pop_front();
                            m.owner = Some(t);
                            m.depth = 1;
                            served.push(t);
                        } else if m.queue.contains(&t) {
                            prop_assert_eq!(got, Ok(false));
                        } else {
                            prop_assert!(got.is_err());
                        }
                    }
                    Op::Release(t) => {
                        let r = l.release(t);
                        if m.owner == Some(t) {
                            m.depth -= 1;
                            if m.depth == 0 {
                                m.owner = None;
                                tickets[t] = None;
                                prop_assert_eq!(r, Ok(Released::Free));
                            } else {
                                prop_assert_eq!(r, Ok(Released::StillHeld { depth: m.depth }));
                            }
                        } else {
                            prop_assert_eq!(r, Err(LockError::NotOwner { thread: t }));
                        }
                    }
                    Op::TryLock(t) => {
                        let got = l.try_lock(t);
                        if m.owner == Some(t) {
                            prop_assert!(got);
                            m.depth += 1;
                        } else if m.owner.is_none() && m.queue.is_empty() {
                            prop_assert!(got);
                            m.owner = Some(t);
                            m.depth = 1;
                            // A try-lock takes its turn at once: served as requested.
                            requested.push(t);
                            served.push(t);
                        } else {
                            prop_assert!(!got);
                        }
                    }
                }
                prop_assert_eq!(l.owner(), m.owner);
                prop_assert_eq!(l.depth(), m.depth);
                prop_assert_eq!(l.waiting().collect::<Vec<_>>(), Vec::from(m.queue.clone()));
                let holders = u64::from(m.owner.is_some()) + m.queue.len() as u64;
                prop_assert_eq!(l.contention(), holders);
            }
            // FIFO: the service order is a prefix of the request order.
            prop_assert_eq!(&requested[..served.len()], &served[..]);
        }
    }
}
