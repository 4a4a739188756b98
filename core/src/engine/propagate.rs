//! The propagation stream: what every executed write did, as the RESP
//! commands that reproduce it (Redis's `propagate`/`alsoPropagate`).
//!
//! The AOF appends it to the incr file; replication (later) feeds replicas
//! from it. The rule is Redis's `dirty` rule: a command whose run moved
//! `stats.dirty` is propagated with its own argv, unless the handler asked
//! for an alternative ([`Engine::propagate_as`]: relative expiries become
//! absolute, SPOP becomes SREM, a served BLPOP becomes LPOP...). The
//! commands of one execution unit (a top-level command, EXEC, a served
//! blocked client) are wrapped in MULTI/EXEC when there is more than one,
//! as Redis 7.0 does. A SELECT precedes a command whose database differs
//! from the previous one. Keys deleted by expiry are written at once as
//! DEL (or UNLINK with `lazyfree-lazy-expire yes`).
//!
//! Collection is off until a consumer turns it on
//! ([`Propagation::set_enabled`]), so the hot path pays one branch.
//!
//! With `active-replica` on, units are collected even without a consumer
//! (every write must be stamped) and leave differently: each command as
//! its own RREPLAY envelope with its own stamp, no SELECT and no MULTI/EXEC
//! around them (the database is in the envelope; see
//! `repl::active::local`). Expired keys then leave a tombstone and no DEL.

use bytes::Bytes;

use super::Engine;

/// One propagated command and its database.
type Op = (usize, Vec<Bytes>);

/// The engine-owned propagation log.
#[derive(Debug, Default)]
pub struct Propagation {
    /// Whether a consumer takes the stream.
    enabled: bool,
    /// Whether units are collected: `enabled`, or active replication
    /// (which stamps every write even with no consumer).
    collect: bool,
    /// Active replication: units leave as stamped RREPLAY envelopes.
    active: bool,
    /// Commands run while this is non-zero propagate nothing (an applied
    /// RREPLAY's commands: the envelope is forwarded instead).
    pub(crate) suppress: u32,
    /// Encoded commands not yet taken by the driver.
    out: Vec<u8>,
    /// Byte ranges of `out` for the replicas only, not the AOF (active
    /// replication's heartbeats: they are about this start of the node).
    repl_only: Vec<std::ops::Range<usize>>,
    /// The database the last written command ran in (`None`: a SELECT
    /// must precede the next command).
    last_db: Option<usize>,
    /// Nesting of execution units (EXEC runs commands inside its own run).
    depth: u32,
    /// Commands of the current execution unit.
    unit: Vec<Op>,
    /// The running command's alternative propagation, if it asked for one.
    alt: Option<Vec<Op>>,
    /// Commands are being replayed from the AOF: they are obeyed as
    /// written (Redis's `mustObeyClient`), e.g. an exact XADD trim with LIMIT.
    obeying: bool,
}

/// What [`Engine::prop_enter`] saved of the enclosing command.
#[derive(Debug)]
pub struct Frame {
    dirty: u64,
    outer_alt: Option<Vec<Op>>,
}

impl Propagation {
    /// Is the stream collected?
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Turn collection on or off; turning it off drops what was not taken.
    pub fn set_enabled(&mut self, on: bool) {
        self.enabled = on;
        self.collect = on || self.active;
        if !on {
            self.out.clear();
            self.repl_only.clear();
            self.unit.clear();
            self.alt = None;
        }
        self.last_db = None;
    }

    /// Are units collected (a consumer, or active replication)?
    pub fn collecting(&self) -> bool {
        self.collect
    }

    /// Active replication on or off: units are collected and stamped.
    pub fn set_active(&mut self, on: bool) {
        self.active = on;
        self.collect = on || self.enabled;
    }

    /// Is the stream in active (RREPLAY) form?
    pub fn active(&self) -> bool {
        self.active
    }

    /// Append already-encoded bytes (an envelope forwarded as received),
    /// if a consumer takes the stream.
    pub fn forward(&mut self, bytes: &[u8]) {
        if self.enabled {
            self.out.extend_from_slice(bytes);
        }
    }

    /// Append raw bytes built by the engine (active envelopes).
    pub(crate) fn push_raw(&mut self, bytes: &[u8]) {
        if self.enabled {
            self.out.extend_from_slice(bytes);
        }
    }

    /// Append bytes for the replicas only (the AOF never sees them), in
    /// order with the rest of the stream.
    pub(crate) fn push_repl_only(&mut self, bytes: &[u8]) {
        if self.enabled {
            let start = self.out.len();
            self.out.extend_from_slice(bytes);
            self.repl_only.push(start..self.out.len());
        }
    }

    /// Take the finished unit (active mode encodes it itself).
    pub(crate) fn take_unit(&mut self) -> Vec<(usize, Vec<Bytes>)> {
        std::mem::take(&mut self.unit)
    }

    /// Commands now come from the AOF (or, later, a master) and are
    /// obeyed as written.
    pub fn set_obeying(&mut self, on: bool) {
        self.obeying = on;
    }

    /// See [`Propagation::set_obeying`].
    pub fn obeying(&self) -> bool {
        self.obeying
    }

    /// Forget the database context: the next command is preceded by a
    /// SELECT (a new AOF file starts).
    pub fn reset_db(&mut self) {
        self.last_db = None;
    }

    /// Bytes waiting to be taken.
    pub fn pending(&self) -> usize {
        self.out.len()
    }

    /// Append one command, with a SELECT first when its database differs.
    fn write(&mut self, db: Option<usize>, argv: &[Bytes]) {
        if let Some(db) = db {
            if self.last_db != Some(db) {
                let n = db.to_string();
                encode(&mut self.out, &[b"SELECT", n.as_bytes()]);
                self.last_db = Some(db);
            }
        }
        encode(&mut self.out, argv);
    }

    /// Write the finished unit: one command as is, several inside
    /// MULTI/EXEC.
    fn flush_unit(&mut self) {
        let unit = std::mem::take(&mut self.unit);
        let wrap = unit.len() > 1;
        if wrap {
            encode(&mut self.out, &[b"MULTI"]);
        }
        for (db, argv) in &unit {
            self.write(Some(*db), argv);
        }
        if wrap {
            encode(&mut self.out, &[b"EXEC"]);
        }
    }
}

/// Append `argv` as a RESP multibulk to `out`.
pub fn encode<A: AsRef<[u8]>>(out: &mut Vec<u8>, argv: &[A]) {
    out.push(b'*');
    out.extend_from_slice(argv.len().to_string().as_bytes());
    out.extend_from_slice(b"\r\n");
    for a in argv {
        let a = a.as_ref();
        out.push(b'$');
        out.extend_from_slice(a.len().to_string().as_bytes());
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

impl Engine {
    /// Take the propagated commands collected so far (in execution order).
    /// The same bytes go to the replication backlog (one stream for the
    /// AOF and the replicas).
    pub fn take_propagated(&mut self) -> Vec<u8> {
        let mut out = std::mem::take(&mut self.prop.out);
        if self.repl.backlog.is_some() {
            self.repl_feed_propagated(&out);
        }
        let skip = std::mem::take(&mut self.prop.repl_only);
        if !skip.is_empty() {
            let mut kept = Vec::with_capacity(out.len());
            let mut at = 0;
            for r in skip {
                kept.extend_from_slice(&out[at..r.start]);
                at = r.end;
            }
            kept.extend_from_slice(&out[at..]);
            out = kept;
        }
        out
    }

    /// Is the propagation stream collected? Handlers check it before
    /// building an alternative propagation.
    pub fn propagating(&self) -> bool {
        self.prop.collect
    }

    /// The running command propagates `argv` (in `db`) instead of its own
    /// argv; called several times, every call is propagated in order.
    pub fn propagate_as(&mut self, db: usize, argv: Vec<Bytes>) {
        if !self.prop.collect {
            return;
        }
        self.prop.alt.get_or_insert_with(Vec::new).push((db, argv));
    }

    /// The running command propagates nothing even though it changed the
    /// keyspace counters.
    pub fn propagate_nothing(&mut self) {
        if self.prop.collect {
            self.prop.alt.get_or_insert_with(Vec::new);
        }
    }

    /// A key of `db` was deleted by expiry: DEL (or UNLINK) at once.
    pub(crate) fn propagate_expired(&mut self, db: usize, key: &Bytes) {
        if self.prop.active {
            // Every node expires on its own: a tombstone, no DEL.
            self.active_expired(db, key);
            return;
        }
        if !self.prop.enabled {
            return;
        }
        let word: &'static [u8] = if self.config.get_bool("lazyfree-lazy-expire") == Some(true) {
            b"UNLINK"
        } else {
            b"DEL"
        };
        self.prop
            .write(Some(db), &[Bytes::from_static(word), key.clone()]);
    }

    /// Start running a command (or a served blocked client's command).
    pub(crate) fn prop_enter(&mut self) -> Frame {
        self.prop.depth += 1;
        Frame {
            dirty: self.stats.dirty,
            outer_alt: self.prop.alt.take(),
        }
    }

    /// A command finished: record its propagation in the unit, and write
    /// the unit when it is the outermost. `verbatim` is false for commands
    /// that never propagate themselves (EXEC, whose commands did).
    pub(crate) fn prop_leave(&mut self, frame: Frame, db: usize, argv: &[Bytes], verbatim: bool) {
        let alt = std::mem::replace(&mut self.prop.alt, frame.outer_alt);
        self.prop.depth = self.prop.depth.saturating_sub(1);
        if !self.prop.collect || self.prop.suppress > 0 {
            return;
        }
        match alt {
            Some(ops) => self.prop.unit.extend(ops),
            None if verbatim && self.stats.dirty > frame.dirty => {
                self.prop.unit.push((db, argv.to_vec()));
            }
            None => {}
        }
        if self.prop.depth == 0 && !self.prop.unit.is_empty() {
            if self.prop.active {
                self.active_flush_unit();
            } else {
                self.prop.flush_unit();
            }
        }
    }
}

#[cfg(test)]
#[path = "propagate_tests.rs"]
mod tests;
