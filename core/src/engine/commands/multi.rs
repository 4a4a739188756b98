//! Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH.
//!
//! Queueing itself is dispatch's job (engine/mod.rs): once a client is in
//! MULTI, every command but EXEC/DISCARD/MULTI/WATCH/QUIT/RESET is checked
//! (unknown, arity, subscribed mode...) and queued; a refusal flags the
//! transaction so EXEC answers EXECABORT. EXEC runs the queue inside one
//! `execute`, which the driver calls holding the engine lock: nothing
//! interleaves, as in Redis.

use super::super::watch::MultiState;
use crate::engine::table::{acl, flags, CommandDoc, CommandSpec};
use crate::engine::{Call, Engine};
use crate::resp::Reply;

/// MULTI
fn multi(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    if e.multi.contains_key(&call.client) {
        return Reply::err("MULTI calls can not be nested");
    }
    e.multi.insert(call.client, MultiState::default());
    if let Some(c) = e.clients.get_mut(call.client) {
        c.multi = Some(0);
    }
    Reply::ok()
}

/// DISCARD
fn discard(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    if !e.multi.contains_key(&call.client) {
        return Reply::err("DISCARD without MULTI");
    }
    e.discard_transaction(call.client);
    Reply::ok()
}

/// WATCH key [key ...]
fn watch(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    if e.multi.contains_key(&call.client) {
        return Reply::err("WATCH inside MULTI is not allowed");
    }
    for key in &call.argv[1..] {
        let expired = e.dbs[call.db].is_expired(key, call.now);
        e.watches.watch(call.client, call.db, key, expired);
    }
    Reply::ok()
}

/// UNWATCH
fn unwatch(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    e.watches.unwatch_all(call.client);
    Reply::ok()
}

/// EXEC: nil when a watched key changed (or expired) since WATCH, else the
/// replies of the queued commands in order.
fn exec(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let client = call.client;
    let Some(state) = e.multi.get(&client).cloned() else {
        return Reply::err("EXEC without MULTI");
    };
    if state.aborted {
        e.discard_transaction(client);
        return Reply::error("EXECABORT Transaction discarded because of previous errors.");
    }
    // A watched key that was alive at WATCH and is logically expired now
    // changed, even if nothing reclaimed it yet (Redis's isWatchedKeyExpired).
    let expired_since = e.watches.keys_of(client).iter().any(|(db, key)| {
        !e.watches.watched_expired(client, *db, key)
            && e.dbs.get(*db).is_some_and(|d| d.is_expired(key, call.now))
    });
    let dirty = expired_since || e.watches.is_dirty(client);
    e.discard_transaction(client);
    if dirty {
        return Reply::NilArray;
    }
    // CLIENT LIST inside the transaction still shows `flags=x multi=<n>`.
    if let Some(c) = e.clients.get_mut(client) {
        c.multi = Some(state.queued.len());
    }
    e.in_exec = true;
    let mut replies = Vec::with_capacity(state.queued.len());
    for argv in &state.queued {
        let db = e.clients.get(client).map_or(call.db, |c| c.db);
        let reply = match e.resolve(argv) {
            Ok((name, spec)) => {
                let mut more = Vec::new();
                let r = e.run(
                    client,
                    name,
                    spec,
                    argv,
                    db,
                    call.now,
                    &mut call.effects,
                    &mut more,
                );
                replies.push(r);
                replies.append(&mut more);
                continue;
            }
            Err(refusal) => refusal.reply,
        };
        replies.push(reply);
    }
    e.in_exec = false;
    if let Some(c) = e.clients.get_mut(client) {
        c.multi = None;
    }
    Reply::Array(replies)
}

const fn doc(summary: &'static str, complexity: &'static str) -> CommandDoc {
    CommandDoc {
        summary,
        since: "1.2.0",
        group: "transactions",
        complexity,
    }
}

/// Flags every transaction command shares.
const TX_FLAGS: u64 = flags::NOSCRIPT | flags::LOADING | flags::STALE;

/// The transactions group's table.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "multi",
        arity: 1,
        flags: TX_FLAGS | flags::FAST | flags::ALLOW_BUSY,
        acl: acl::FAST | acl::TRANSACTION,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        handler: multi,
        subcommands: &[],
        doc: doc("Starts a transaction.", "O(1)"),
    },
    CommandSpec {
        name: "exec",
        arity: 1,
        flags: TX_FLAGS | flags::SKIP_SLOWLOG,
        acl: acl::SLOW | acl::TRANSACTION,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        handler: exec,
        subcommands: &[],
        doc: doc(
            "Executes all commands in a transaction.",
            "Depends on commands in the transaction",
        ),
    },
    CommandSpec {
        name: "discard",
        arity: 1,
        flags: TX_FLAGS | flags::FAST | flags::ALLOW_BUSY,
        acl: acl::FAST | acl::TRANSACTION,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        handler: discard,
        subcommands: &[],
        doc: doc(
            "Discards a transaction.",
            "O(N), when N is the number of queued commands",
        ),
    },
    CommandSpec {
        name: "watch",
        arity: -2,
        flags: TX_FLAGS | flags::FAST | flags::ALLOW_BUSY,
        acl: acl::FAST | acl::TRANSACTION,
        first_key: 1,
        last_key: -1,
        key_step: 1,
        handler: watch,
        subcommands: &[],
        doc: CommandDoc {
            summary: "Monitors changes to keys to determine the execution of a transaction.",
            since: "2.2.0",
            group: "transactions",
            complexity: "O(1) for every key.",
        },
    },
    CommandSpec {
        name: "unwatch",
        arity: 1,
        flags: TX_FLAGS | flags::FAST | flags::ALLOW_BUSY,
        acl: acl::FAST | acl::TRANSACTION,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        handler: unwatch,
        subcommands: &[],
        doc: CommandDoc {
            summary: "Forgets about watched keys of a transaction.",
            since: "2.2.0",
            group: "transactions",
            complexity: "O(1)",
        },
    },
];
