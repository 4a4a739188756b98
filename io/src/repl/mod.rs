//! Replication's I/O half (the decisions are `keyrs_core::repl`).
//!
//! - [`master`]: a replica's connection after PSYNC/SYNC, taken over from
//!   its worker: a sender thread (full sync from a fork-free snapshot, then
//!   the backlog from the replica's offset) and a reader thread (REPLCONF
//!   ACKs).
//! - [`replica`]: our link to our master: one thread connecting, driving
//!   the core `ReplicaLink`, loading the RDB and applying the stream as the
//!   master's client.
//!
//! One drain of the propagation stream feeds the AOF and the backlog: the
//! worker calls [`after_batch`] after the AOF took its share; senders sleep
//! on [`wait_for_data`] until a drain grew the backlog.

pub mod master;
pub mod replica;

use std::time::Duration;

use keyrs_core::dispatch::{self, Post};
use keyrs_core::engine::{Effect, Engine};
use parking_lot::{Condvar, Mutex};

use crate::runtime::Shared;

/// Bumped whenever the backlog grows.
static FED: Mutex<u64> = Mutex::new(0);
static FED_CV: Condvar = Condvar::new();

/// Wake every sender.
pub fn notify() {
    *FED.lock() += 1;
    FED_CV.notify_all();
}

/// The current feed count (read before looking at the backlog).
pub fn fed_count() -> u64 {
    *FED.lock()
}

/// Sleep until the backlog grows past `seen` or `timeout` passes.
pub fn wait_for_data(seen: u64, timeout: Duration) {
    let mut g = FED.lock();
    if *g == seen {
        FED_CV.wait_for(&mut g, timeout);
    }
}

/// Under the engine lock, after the AOF took the propagation stream (or
/// when there is no AOF): drain what is left into the backlog and wake the
/// senders if it grew.
pub fn after_batch(e: &mut Engine) {
    if e.prop.pending() > 0 || e.repl.getack_wanted {
        // `take_propagated` feeds the backlog (and a GETACK WAIT asked
        // for); nobody else wants the bytes.
        let _ = e.take_propagated();
    }
    if e.repl.fed {
        e.repl.fed = false;
        notify();
    }
}

/// Effects of a command run outside any worker (the master's stream on a
/// replica, an ACK serving WAIT): deliveries and unblocks go to the
/// workers that own their clients.
pub(crate) fn route_effects(shared: &Shared, e: &Engine, effects: Vec<Effect>) {
    if effects.is_empty() {
        return;
    }
    let follow = dispatch::split_effects(effects);
    let mut per: Vec<Vec<Post>> = vec![Vec::new(); shared.post_inboxes.len()];
    for p in follow.posts {
        if let Some(owner) = e.clients.get(p.target()).map(|c| c.conn.thread) {
            if let Some(q) = per.get_mut(owner) {
                q.push(p);
            }
        }
    }
    for (to, posts) in per.into_iter().enumerate() {
        shared.post(to, posts);
    }
}
