//! KeyDB's active-replication commands: RREPLAY (a master's stamped
//! envelope), KEYDB.MVCCRESTORE (a key's whole state at a version) and
//! OBJECT LASTMODIFIED. The conflict rules are `repl::active`'s; this
//! module runs them against the keyspace.
//!
//! # RREPLAY, step by step
//!
//! 1. Only our master's client (or the AOF being replayed) may send it.
//! 2. Parse and peel KeyDB's forwarding nesting (at most 64 levels).
//! 3. An envelope of our own writer (our id on its path) went round a
//!    loop: never forwarded again, but still resolved by version (a
//!    no-op). Envelopes of an earlier start of ours are another writer's
//!    (see `watermark`). While the AOF is replayed our own envelopes are
//!    applied as our writes.
//! 4. Per-writer marks: a stamp not above the writer's mark came already
//!    (another path, a rewound link). It is still resolved (versions make
//!    that idempotent) but its non-keyspace commands (PUBLISH) do not run
//!    again.
//! 5. The stamp (and every MVCCRESTORE's) enters our hybrid clock.
//! 6. A heartbeat (`KEYRS.HEARTBEAT`, alone in its envelope) is a node's
//!    report for tombstone collection: taken by the watermarks, its marks
//!    adopted when it comes straight from the link's node. Otherwise each
//!    command of the payload goes through `resolve` (versions checked and
//!    recorded at the writer's version) and what won runs in the
//!    envelope's database with its own propagation suppressed.
//! 7. The writer's mark moves. The envelope is forwarded, as received,
//!    into our own stream (unless `multi-master-no-forward`) if it changed
//!    something here (a heartbeat: on its first arrival); a copy that did
//!    not ends its circulation in a mesh or ring, and what beat it reached
//!    our replicas from us already. Heartbeats go to the replicas only,
//!    not the AOF.
//!
//! On a node that is not an active replica (a plain replica of an active
//! one) the payload's commands just run and propagate as usual.

use bytes::Bytes;

use crate::engine::table::{acl, flags, CommandDoc, CommandSpec};
use crate::engine::value::Value;
use crate::engine::{Call, Engine};
use crate::repl::active::envelope::{EnvelopeError, Rreplay};
use crate::repl::active::lww::mvcc_version;
use crate::repl::active::resolve::{resolve, Resolved};
use crate::repl::active::watermark::Heartbeat;
use crate::repl::active::{Admit, DbStamps, Decision, NodeId, Stamp, Version};
use crate::resp::Reply;

/// KeyDB's answer to RREPLAY from a client that is not a master (the
/// texts here are KeyDB's `replicaReplayCommand`/`mvccrestoreCommand`'s).
pub const NOT_FROM_MASTER: &str = "Command must be sent from a master";
/// RREPLAY: the origin is not a 36-character UUID.
pub const BAD_UUID: &str = "Expected UUID arg1";
/// RREPLAY: the database is not an index we have.
pub const BAD_DB: &str = "Invalid database ID";
/// RREPLAY: the stamp is not an unsigned 64-bit integer.
pub const BAD_STAMP: &str = "Invalid MVCC Timestamp";
/// RREPLAY: the payload could not be run.
pub const BAD_PAYLOAD: &str = "Error in rreplay command, please check logs.";
/// KEYDB.MVCCRESTORE: the stamp is not an unsigned 64-bit integer.
pub const BAD_MVCC: &str = "Invalid MVCC Tstamp";
/// KEYDB.MVCCRESTORE: the expiry is not an integer.
pub const BAD_EXPIRE: &str = "Invalid expire";

/// RREPLAY uuid payload [db [stamp]].
fn rreplay(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let replaying = e.active_is_replayer(call.client);
    if !replaying && !e.active_is_master_client(call.client) {
        return Reply::err(NOT_FROM_MASTER);
    }
    // The envelope itself never propagates as a command of ours: it is
    // forwarded verbatim below.
    e.propagate_nothing();
    let outer = match Rreplay::parse(call.argv) {
        Ok(env) => env,
        Err(err) => return envelope_error(err),
    };
    // As KeyDB, the database is checked (and selected for the master's
    // client, whose later envelopes may omit it) before anything else.
    let db = match outer.db {
        None => call.db,
        Some(d) => match usize::try_from(d).ok().filter(|&d| d < e.dbs.len()) {
            Some(d) => d,
            None => return Reply::err(BAD_DB),
        },
    };
    if let Some(c) = e.clients.get_mut(call.client) {
        c.db = db;
    }
    let env = match outer.peel() {
        Ok(p) => p,
        Err(err) => return envelope_error(err),
    };
    let own = e.active.writer;
    let origin = env.origin();
    let stamp = env.inner.stamp;
    // Our own envelope came back (a ring, a mesh): it is not forwarded
    // again, but still resolved: after a restart without our data, writes
    // of ours that were still in flight come back only this way (versions
    // make it a no-op otherwise).
    let looped = env.visited(own) && !replaying;
    let admit = e.active.marks.admit(origin, stamp);
    let seen = looped || (!replaying && admit == Admit::Duplicate);
    // First arrival here (it raises the writer's mark). A heartbeat is
    // forwarded then, so every node hears every node; any other envelope
    // only if it changed something (a plain replica behind us replays what
    // we forward as written, so it must see our changes and nothing else;
    // a writer's marks reach the next node by our heartbeats instead).
    let new = !looped && !replaying && admit == Admit::Apply;
    // A nested (KeyDB-forwarded) envelope names its own database.
    let db = match env.inner.db {
        None => db,
        Some(d) => match usize::try_from(d).ok().filter(|&d| d < e.dbs.len()) {
            Some(d) => d,
            None => return Reply::err(BAD_DB),
        },
    };
    e.active.hlc.observe(stamp);
    let v = Version::new(stamp, origin);
    let mut changed = false;
    let heartbeat = match env.commands.as_slice() {
        [one] if e.active.enabled => Heartbeat::parse(one),
        _ => None,
    };
    let is_heartbeat = heartbeat.is_some();
    if let Some(hb) = heartbeat {
        // Straight from the node at the other end of this link: we have
        // applied its whole stream up to here, so we dominate whatever it
        // did, and take its marks (a mark it got from a merged file, or
        // for an envelope it did not pass on, reaches us this way).
        let direct = e
            .repl
            .actives
            .iter()
            .any(|m| m.link.client == Some(call.client) && m.node_id() == Some(hb.node));
        if direct {
            e.active.marks.adopt(&hb);
        }
        e.active.marks.report(stamp, hb);
    } else {
        for argv in &env.commands {
            match apply_one(e, call, db, argv, v, seen) {
                Ok(c) => changed |= c,
                Err(r) => tracing::warn!("RREPLAY from {origin}: {r:?}"),
            }
        }
    }
    e.active.marks.record(origin, stamp);
    let forward = (changed || (new && is_heartbeat))
        && !looped
        && !replaying
        && e.config.get_bool("multi-master-no-forward") != Some(true)
        && origin != own;
    if forward {
        let bytes = crate::repl::wire::encode(call.argv);
        if is_heartbeat {
            e.prop.push_repl_only(&bytes);
        } else {
            e.prop.forward(&bytes);
        }
    }
    Reply::ok()
}

/// KeyDB's error text for what the envelope's parse refused (the cause
/// goes to the log).
fn envelope_error(err: EnvelopeError) -> Reply {
    match err {
        EnvelopeError::Arity => Reply::err("wrong number of arguments for 'rreplay' command"),
        EnvelopeError::BadUuid => Reply::err(BAD_UUID),
        EnvelopeError::BadDb => Reply::err(BAD_DB),
        EnvelopeError::BadStamp => Reply::err(BAD_STAMP),
        other => {
            tracing::warn!("RREPLAY refused: {other}");
            Reply::err(BAD_PAYLOAD)
        }
    }
}

/// Resolve one received command against the versions and run what won;
/// true if anything ran. `seen`: the envelope probably came already, so
/// a command outside the keyspace (PUBLISH) does not run again.
fn apply_one(
    e: &mut Engine,
    call: &mut Call<'_>,
    db: usize,
    argv: &[Bytes],
    v: Version,
    seen: bool,
) -> Result<bool, Reply> {
    if let Some(mv) = mvcc_version(argv, v.origin) {
        e.active.hlc.observe(mv.stamp);
    }
    if !e.active.enabled {
        return run_inner(e, call, db, argv, false).map(|()| true);
    }
    for d in &mut e.dbs {
        d.enable_stamps();
    }
    if e.dbs.iter().any(|d| d.has_walks()) {
        // Versions are recorded before the run: a snapshot that has not
        // reached these keys takes their state (with the old version) now.
        for (kd, k) in e.active_written_keys(db, argv).unwrap_or_default() {
            e.dbs[kd].preserve_key(&k);
        }
    }
    let resolved = {
        let mut tables: Vec<&mut DbStamps> = e
            .dbs
            .iter_mut()
            .filter_map(|d| d.stamps.as_deref_mut())
            .collect();
        resolve(argv, db, &mut tables, v).map_err(|_| Reply::err("DB index is out of range"))?
    };
    match resolved {
        Resolved::Skip => Ok(false),
        Resolved::Run(a) => {
            run_inner(e, call, db, &a, true)?;
            // A whole state that arrived already expired (SET ... PXAT or
            // MVCCRESTORE with a deadline in the past) left no key: its
            // version must stay as a tombstone, or an older write could
            // still land here while it is refused everywhere else.
            let v = mvcc_version(&a, v.origin).unwrap_or(v);
            for (kd, k) in e.active_written_keys(db, &a).unwrap_or_default() {
                let gone = !e.dbs[kd].keys.contains_key(&k);
                if let Some(st) = e.dbs[kd].stamps.as_deref_mut() {
                    if gone && st.live(&k) == Some(v) {
                        st.set_tomb(&k, v);
                    }
                }
            }
            Ok(true)
        }
        Resolved::Control(a) => {
            // A unit's framing and stream bookkeeping mean nothing here:
            // each envelope is applied on its own.
            let skip = seen
                || a.first().is_none_or(|name| {
                    ["multi", "exec", "select", "replconf", "ping"]
                        .iter()
                        .any(|n| name.eq_ignore_ascii_case(n.as_bytes()))
                });
            if skip {
                Ok(false)
            } else {
                run_inner(e, call, db, &a, true).map(|()| true)
            }
        }
        Resolved::FlushExcept(list) => {
            for (d, keep) in list {
                flush_except(e, d, &keep);
            }
            Ok(true)
        }
        Resolved::Unresolved(a) => {
            // A state-dependent command sent raw (a KeyDB peer): replayed
            // as KeyDB does (once: it is not idempotent), its keys then
            // stamped with the origin's version.
            if seen {
                return Ok(false);
            }
            run_inner(e, call, db, &a, true)?;
            let keys = e.active_written_keys(db, &a).unwrap_or_default();
            for (kd, k) in keys {
                let exists = e.dbs[kd].keys.contains_key(&k);
                if let Some(st) = e.dbs[kd].stamps.as_deref_mut() {
                    if exists {
                        st.set_live(&k, v);
                    } else {
                        st.set_tomb(&k, v);
                    }
                }
            }
            Ok(true)
        }
    }
}

/// Run `argv` in `db` as the calling (master) client; `quiet`: its own
/// propagation is suppressed and versions were recorded already.
fn run_inner(
    e: &mut Engine,
    call: &mut Call<'_>,
    db: usize,
    argv: &[Bytes],
    quiet: bool,
) -> Result<(), Reply> {
    let (name, spec) = e.resolve(argv).map_err(|r| r.reply)?;
    if quiet {
        e.prop.suppress += 1;
    }
    let (was_applying, was_exec) = (e.active.applying, e.in_exec);
    e.active.applying = quiet;
    // A blocking command in the stream must not park the master's client.
    e.in_exec = true;
    let mut more = Vec::new();
    let reply = e.run(
        call.client,
        name,
        spec,
        argv,
        db,
        call.now,
        &mut call.effects,
        &mut more,
    );
    e.in_exec = was_exec;
    e.active.applying = was_applying;
    if quiet {
        e.prop.suppress = e.prop.suppress.saturating_sub(1);
    }
    match reply {
        Reply::Error(_) => Err(reply),
        _ => Ok(()),
    }
}

/// A flush won in `db`: every key goes except `keep` (newer than it).
fn flush_except(e: &mut Engine, db: usize, keep: &[Bytes]) {
    if db >= e.dbs.len() {
        return;
    }
    if keep.is_empty() {
        e.signal_flushed(Some(db));
        e.dbs[db].clear();
        return;
    }
    let doomed: Vec<Bytes> = e.dbs[db]
        .keys
        .iter()
        .map(|(k, _)| k.to_bytes())
        .filter(|k| !keep.contains(k))
        .collect();
    for k in doomed {
        e.dbs[db].remove(&k);
        e.signal_modified(db, &k);
    }
}

/// KEYDB.MVCCRESTORE key stamp expire payload [origin]: `key` takes the
/// DUMP `payload` as its whole state at version (stamp, origin), with
/// `expire` an absolute Unix time in ms (-1: none), unless the key already
/// holds a version at least as new. The origin argument is keyrs's (a
/// full-sync merge relays keys of other origins); without it the origin
/// is the envelope's, or ours for a command sent directly.
fn mvccrestore(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let key = call.arg(1).clone();
    let Some(stamp) = Stamp::parse(call.arg(2)) else {
        return Reply::err(BAD_MVCC);
    };
    let Some(expire) = crate::resp::parse_i64(call.arg(3)) else {
        return Reply::err(BAD_EXPIRE);
    };
    let origin = match call.argv.get(5) {
        None => e.active.writer,
        Some(o) => match NodeId::parse(o) {
            Ok(id) => id,
            Err(_) => return Reply::err("Invalid origin"),
        },
    };
    // The footer is checked for every client (KeyDB skips it for masters
    // and replicas).
    let value = match super::dump::decode_payload(e, call.arg(4)) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (dbi, now) = (call.db, call.now);
    if e.active.enabled && !e.active.applying {
        let v = Version::new(stamp, origin);
        e.active.hlc.observe(stamp);
        let known = e.dbs[dbi].stamps.as_deref().map(|st| st.decide(&key, v));
        if known == Some(Decision::Skip) {
            // Not newer than what the key holds: nothing changes (and
            // nothing propagates).
            return Reply::ok();
        }
    }
    let wakes = matches!(value, Value::List(_) | Value::ZSet(_) | Value::Stream(_));
    // As KeyDB: the key is stored with its deadline even if that passed
    // (expiry then removes it, leaving the tombstone at this version).
    let db = &mut e.dbs[dbi];
    db.set(key.clone(), value, now);
    if let Ok(at) = u64::try_from(expire) {
        db.set_expire(&key, at);
    }
    e.signal_modified(dbi, &key);
    e.notify_keyspace_event('g', "restore", &key, dbi);
    if wakes {
        e.signal_key_ready(dbi, &key);
    }
    Reply::ok()
}

/// The (stamp, origin) arguments of KEYRS.MVCCDEL/MVCCFLUSHDB.
fn version_args(stamp: &Bytes, origin: &Bytes) -> Result<Version, Reply> {
    let stamp = Stamp::parse(stamp).ok_or_else(|| Reply::err(BAD_MVCC))?;
    let origin = NodeId::parse(origin).map_err(|_| Reply::err("Invalid origin"))?;
    Ok(Version::new(stamp, origin))
}

/// KEYRS.MVCCDEL key stamp origin: delete `key` as of version (stamp,
/// origin), unless it holds a newer state; the tombstone stays either way
/// it wins. keyrs's relay of a tombstone a full-sync merge took.
fn mvccdel(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let v = match version_args(call.arg(2), call.arg(3)) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (dbi, key) = (call.db, call.arg(1).clone());
    if e.active.enabled && !e.active.applying {
        e.active.hlc.observe(v.stamp);
        let known = e.dbs[dbi].stamps.as_deref().map(|st| st.decide(&key, v));
        if known == Some(Decision::Skip) {
            return Reply::ok();
        }
    }
    if e.dbs[dbi].remove(&key).is_some() {
        e.notify_keyspace_event('g', "del", &key, dbi);
    }
    // Applied even for an absent key: the tombstone is the change.
    e.signal_modified(dbi, &key);
    Reply::ok()
}

/// KEYRS.MVCCFLUSHDB stamp origin: remove every key of the database older
/// than version (stamp, origin), leaving the flush tombstone. keyrs's relay
/// of a flush a full-sync merge took.
fn mvccflushdb(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let v = match version_args(call.arg(1), call.arg(2)) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let dbi = call.db;
    if !e.active.enabled {
        e.signal_flushed(Some(dbi));
        e.dbs[dbi].clear();
        return Reply::ok();
    }
    e.active.hlc.observe(v.stamp);
    if e.active.applying {
        return Reply::ok();
    }
    e.dbs[dbi].enable_stamps();
    let Some(st) = e.dbs[dbi].stamps.as_deref_mut() else {
        return Reply::ok();
    };
    let (decision, survivors) = st.flush(v);
    if decision == Decision::Apply {
        flush_except(e, dbi, &survivors);
        e.stats.dirty += 1;
    }
    Reply::ok()
}

/// KEYRS.HEARTBEAT node boot [writer node boot mark]...: a peer's report,
/// meaningful only inside its RREPLAY envelope (taken there); run on its own
/// (a plain replica replaying its active master's stream, or a client) it
/// does nothing.
fn heartbeat(_e: &mut Engine, _call: &mut Call<'_>) -> Reply {
    Reply::ok()
}

/// OBJECT LASTMODIFIED key: seconds since the key's version was stamped
/// (KeyDB: `(now_ms - (mvcc >> 20)) / 1000`). A key without a version
/// (active replication off, or written before it was on) counts from
/// stamp 0, the Unix epoch.
pub fn object_lastmodified(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let (dbi, now) = (call.db, call.now);
    let key = call.arg(2).clone();
    if e.dbs[dbi].lookup_no_touch(&key, now).is_none() {
        return Reply::Nil;
    }
    let ms = e.dbs[dbi]
        .stamps
        .as_deref()
        .and_then(|st| st.live(&key))
        .map_or(0, |v| v.stamp.ms());
    Reply::Integer((now.ms().saturating_sub(ms) / 1000) as i64)
}

const fn doc(summary: &'static str, complexity: &'static str) -> CommandDoc {
    CommandDoc {
        summary,
        since: "6.0.0",
        group: "server",
        complexity,
    }
}

/// RREPLAY and KEYDB.MVCCRESTORE (KeyDB's flags and arities; the
/// MVCCRESTORE origin argument makes its arity -5), and keyrs's versioned
/// delete and flush (full-sync merges relay tombstones with them).
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "rreplay",
        arity: -3,
        flags: flags::READONLY | flags::FAST | flags::STALE,
        acl: acl::FAST,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        handler: rreplay,
        subcommands: &[],
        doc: doc("Apply a write replicated from an active replica.", "O(N)"),
    },
    CommandSpec {
        name: "keydb.mvccrestore",
        arity: -5,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::KEYSPACE | acl::WRITE | acl::SLOW | acl::DANGEROUS,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        handler: mvccrestore,
        subcommands: &[],
        doc: doc(
            "Restore a key's serialized value at a replication version.",
            "O(N)",
        ),
    },
    CommandSpec {
        name: "keyrs.mvccdel",
        arity: 4,
        flags: flags::WRITE,
        acl: acl::KEYSPACE | acl::WRITE | acl::SLOW | acl::DANGEROUS,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        handler: mvccdel,
        subcommands: &[],
        doc: doc("Delete a key as of a replication version (keyrs).", "O(1)"),
    },
    CommandSpec {
        name: "keyrs.heartbeat",
        arity: -3,
        flags: flags::FAST | flags::STALE | flags::LOADING,
        acl: acl::FAST | acl::DANGEROUS,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        handler: heartbeat,
        subcommands: &[],
        doc: doc(
            "An active replica's watermark report (keyrs; carried in RREPLAY).",
            "O(N)",
        ),
    },
    CommandSpec {
        name: "keyrs.mvccflushdb",
        arity: 3,
        flags: flags::WRITE,
        acl: acl::KEYSPACE | acl::WRITE | acl::SLOW | acl::DANGEROUS,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        handler: mvccflushdb,
        subcommands: &[],
        doc: doc(
            "Remove the keys older than a replication version (keyrs).",
            "O(N)",
        ),
    },
];
