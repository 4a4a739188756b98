//! Pub/Sub: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, SSUBSCRIBE,
//! SUNSUBSCRIBE, PUBLISH, SPUBLISH, PUBSUB.
//!
//! Confirmations are pushes (`>` in RESP3, arrays in RESP2), one per
//! channel: the first is the handler's reply, the rest go in `call.more`.
//! The subscribed-mode command restriction of RESP2 lives in dispatch.

use bytes::Bytes;

use crate::engine::pubsub::Kind;
use crate::engine::table::{acl, flags, CommandDoc, CommandSpec};
use crate::engine::{Call, Engine};
use crate::resp::Reply;

/// One subscribe/unsubscribe confirmation.
fn confirmation(word: &'static str, name: Option<Bytes>, count: usize) -> Reply {
    Reply::Push(vec![
        Reply::bulk_static(word.as_bytes()),
        name.map_or(Reply::Nil, Reply::Bulk),
        Reply::Integer(count as i64),
    ])
}

/// Return the first reply, the others in `call.more`.
fn replies(call: &mut Call<'_>, mut v: Vec<Reply>) -> Reply {
    if v.is_empty() {
        return Reply::Array(Vec::new());
    }
    let first = v.remove(0);
    call.more = v;
    first
}

/// The count a confirmation of `kind` shows: shard subscriptions are
/// counted apart; channels and patterns together.
fn count(e: &Engine, client: u64, kind: Kind) -> usize {
    match kind {
        Kind::Shard => e.pubsub.count(client, Kind::Shard),
        _ => e.pubsub.classic_count(client),
    }
}

/// Mirror the registry's counts into the client (CLIENT LIST, the RESP2
/// pub/sub context, timeout exemption).
fn sync_counts(e: &mut Engine, client: u64) {
    let (sub, psub, ssub) = (
        e.pubsub.count(client, Kind::Channel),
        e.pubsub.count(client, Kind::Pattern),
        e.pubsub.count(client, Kind::Shard),
    );
    if let Some(c) = e.clients.get_mut(client) {
        c.sub = sub;
        c.psub = psub;
        c.ssub = ssub;
    }
}

fn subscribe_generic(e: &mut Engine, call: &mut Call<'_>, kind: Kind, word: &'static str) -> Reply {
    let mut out = Vec::with_capacity(call.argv.len() - 1);
    for name in &call.argv[1..] {
        let name = Bytes::copy_from_slice(name);
        e.pubsub.subscribe(call.client, kind, &name);
        sync_counts(e, call.client);
        out.push(confirmation(word, Some(name), count(e, call.client, kind)));
    }
    replies(call, out)
}

fn unsubscribe_generic(
    e: &mut Engine,
    call: &mut Call<'_>,
    kind: Kind,
    word: &'static str,
) -> Reply {
    let names: Vec<Bytes> = if call.argv.len() > 1 {
        call.argv[1..].to_vec()
    } else {
        e.pubsub.subscriptions(call.client, kind)
    };
    if names.is_empty() {
        return confirmation(word, None, count(e, call.client, kind));
    }
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        e.pubsub.unsubscribe(call.client, kind, &name);
        sync_counts(e, call.client);
        let name = Bytes::copy_from_slice(&name);
        out.push(confirmation(word, Some(name), count(e, call.client, kind)));
    }
    replies(call, out)
}

/// SUBSCRIBE channel [channel ...]
fn subscribe(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    subscribe_generic(e, call, Kind::Channel, "subscribe")
}

/// UNSUBSCRIBE [channel ...]
fn unsubscribe(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    unsubscribe_generic(e, call, Kind::Channel, "unsubscribe")
}

/// PSUBSCRIBE pattern [pattern ...]
fn psubscribe(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    subscribe_generic(e, call, Kind::Pattern, "psubscribe")
}

/// PUNSUBSCRIBE [pattern ...]
fn punsubscribe(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    unsubscribe_generic(e, call, Kind::Pattern, "punsubscribe")
}

/// SSUBSCRIBE shardchannel [shardchannel ...]
fn ssubscribe(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    subscribe_generic(e, call, Kind::Shard, "ssubscribe")
}

/// SUNSUBSCRIBE [shardchannel ...]
fn sunsubscribe(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    unsubscribe_generic(e, call, Kind::Shard, "sunsubscribe")
}

/// PUBLISH channel message: the number of receivers.
fn publish(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let n = e.publish(Kind::Channel, call.arg(1), call.arg(2));
    Reply::Integer(n as i64)
}

/// SPUBLISH shardchannel message
fn spublish(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let n = e.publish(Kind::Shard, call.arg(1), call.arg(2));
    Reply::Integer(n as i64)
}

/// PUBSUB with an unknown subcommand (dispatch answers those itself).
fn pubsub_container(_e: &mut Engine, call: &mut Call<'_>) -> Reply {
    Reply::err(format!(
        "unknown subcommand '{}'. Try PUBSUB HELP.",
        crate::engine::truncate_lossy(call.argv.get(1).map_or(&[][..], |a| a), 128)
    ))
}

/// CHANNELS / SHARDCHANNELS take at most one pattern.
fn channels_generic(e: &mut Engine, call: &mut Call<'_>, kind: Kind) -> Reply {
    if call.argv.len() > 3 {
        return Reply::err(format!(
            "unknown subcommand or wrong number of arguments for '{}'. Try PUBSUB HELP.",
            String::from_utf8_lossy(call.arg(1))
        ));
    }
    let pattern = call.argv.get(2).map(|p| p.as_ref());
    Reply::Array(
        e.pubsub
            .active(kind, pattern)
            .into_iter()
            .map(Reply::Bulk)
            .collect(),
    )
}

fn channels(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    channels_generic(e, call, Kind::Channel)
}

fn shardchannels(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    channels_generic(e, call, Kind::Shard)
}

fn numsub_generic(e: &mut Engine, call: &mut Call<'_>, kind: Kind) -> Reply {
    let mut out = Vec::with_capacity((call.argv.len() - 2) * 2);
    for ch in &call.argv[2..] {
        out.push(Reply::Bulk(ch.clone()));
        out.push(Reply::Integer(e.pubsub.subscribers(kind, ch).len() as i64));
    }
    Reply::Array(out)
}

fn numsub(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    numsub_generic(e, call, Kind::Channel)
}

fn shardnumsub(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    numsub_generic(e, call, Kind::Shard)
}

fn numpat(e: &mut Engine, _call: &mut Call<'_>) -> Reply {
    Reply::Integer(e.pubsub.pattern_count() as i64)
}

fn help(_e: &mut Engine, _call: &mut Call<'_>) -> Reply {
    const LINES: &[&str] = &[
        "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default: '*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
        "HELP",
        "    Prints this help.",
    ];
    Reply::Array(LINES.iter().map(|l| Reply::status(l)).collect())
}

const fn doc(summary: &'static str, since: &'static str, complexity: &'static str) -> CommandDoc {
    CommandDoc {
        summary,
        since,
        group: "pubsub",
        complexity,
    }
}

/// Flags of the (un)subscribe family.
const SUB_FLAGS: u64 = flags::PUBSUB | flags::NOSCRIPT | flags::LOADING | flags::STALE;

const fn spec(
    name: &'static str,
    arity: i32,
    flags: u64,
    acl: u64,
    keys: (i32, i32, i32),
    handler: crate::engine::table::Handler,
    doc: CommandDoc,
) -> CommandSpec {
    CommandSpec {
        name,
        arity,
        flags,
        acl,
        first_key: keys.0,
        last_key: keys.1,
        key_step: keys.2,
        handler,
        subcommands: &[],
        doc,
    }
}

const SUB_ACL: u64 = acl::PUBSUB | acl::SLOW;
const NO_KEYS: (i32, i32, i32) = (0, 0, 0);
const PS_FLAGS: u64 = flags::PUBSUB | flags::LOADING | flags::STALE;

/// PUBSUB's subcommands.
const PUBSUB_SUBCOMMANDS: &[CommandSpec] = &[
    spec("channels", -2, PS_FLAGS, SUB_ACL, NO_KEYS, channels, doc("List active channels", "2.8.0", "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)")),
    spec("help", 2, flags::LOADING | flags::STALE, acl::SLOW, NO_KEYS, help, doc("Show helpful text about the different subcommands", "6.2.0", "O(1)")),
    spec("numpat", 2, PS_FLAGS, SUB_ACL, NO_KEYS, numpat, doc("Get the count of unique patterns pattern subscriptions", "2.8.0", "O(1)")),
    spec("numsub", -2, PS_FLAGS, SUB_ACL, NO_KEYS, numsub, doc("Get the count of subscribers for channels", "2.8.0", "O(N) for the NUMSUB subcommand, where N is the number of requested channels")),
    spec("shardchannels", -2, PS_FLAGS, SUB_ACL, NO_KEYS, shardchannels, doc("List active shard channels", "7.0.0", "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).")),
    spec("shardnumsub", -2, PS_FLAGS, SUB_ACL, NO_KEYS, shardnumsub, doc("Get the count of subscribers for shard channels", "7.0.0", "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels")),
];

/// The pubsub group's table.
pub const COMMANDS: &[CommandSpec] = &[
    spec("subscribe", -2, SUB_FLAGS, SUB_ACL, NO_KEYS, subscribe, doc("Listen for messages published to the given channels", "2.0.0", "O(N) where N is the number of channels to subscribe to.")),
    spec("unsubscribe", -1, SUB_FLAGS, SUB_ACL, NO_KEYS, unsubscribe, doc("Stop listening for messages posted to the given channels", "2.0.0", "O(N) where N is the number of clients already subscribed to a channel.")),
    spec("psubscribe", -2, SUB_FLAGS, SUB_ACL, NO_KEYS, psubscribe, doc("Listen for messages published to channels matching the given patterns", "2.0.0", "O(N) where N is the number of patterns the client is already subscribed to.")),
    spec("punsubscribe", -1, SUB_FLAGS, SUB_ACL, NO_KEYS, punsubscribe, doc("Stop listening for messages posted to channels matching the given patterns", "2.0.0", "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).")),
    spec("ssubscribe", -2, SUB_FLAGS, SUB_ACL, (1, -1, 1), ssubscribe, doc("Listen for messages published to the given shard channels", "7.0.0", "O(N) where N is the number of shard channels to subscribe to.")),
    spec("sunsubscribe", -1, SUB_FLAGS, SUB_ACL, (1, -1, 1), sunsubscribe, doc("Stop listening for messages posted to the given shard channels", "7.0.0", "O(N) where N is the number of clients already subscribed to a shard channel.")),
    spec("publish", 3, PS_FLAGS | flags::FAST, acl::PUBSUB | acl::FAST, NO_KEYS, publish, doc("Post a message to a channel", "2.0.0", "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).")),
    spec("spublish", 3, PS_FLAGS | flags::FAST, acl::PUBSUB | acl::FAST, (1, 1, 1), spublish, doc("Post a message to a shard channel", "7.0.0", "O(N) where N is the number of clients subscribed to the receiving shard channel.")),
    CommandSpec {
        name: "pubsub",
        arity: -2,
        flags: 0,
        acl: acl::SLOW,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        handler: pubsub_container,
        subcommands: PUBSUB_SUBCOMMANDS,
        doc: doc("A container for Pub/Sub commands", "2.8.0", "Depends on subcommand."),
    },
];
