//! The Pub/Sub registry: who listens on which channel, pattern and shard
//! channel. Message delivery is the engine's (it knows each receiver's
//! protocol and queues [`super::Effect::Deliver`]s); this module only keeps
//! the subscriptions.

use bytes::Bytes;
use hashbrown::HashMap;

use super::ClientId;
use crate::util::glob;

/// The three kinds of subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// SUBSCRIBE.
    Channel,
    /// PSUBSCRIBE.
    Pattern,
    /// SSUBSCRIBE.
    Shard,
}

/// One client's subscriptions, in subscription order.
#[derive(Debug, Default, Clone)]
pub struct ClientSubs {
    /// Channels.
    pub channels: Vec<Bytes>,
    /// Patterns.
    pub patterns: Vec<Bytes>,
    /// Shard channels.
    pub shard: Vec<Bytes>,
}

impl ClientSubs {
    fn list(&self, kind: Kind) -> &Vec<Bytes> {
        match kind {
            Kind::Channel => &self.channels,
            Kind::Pattern => &self.patterns,
            Kind::Shard => &self.shard,
        }
    }

    fn list_mut(&mut self, kind: Kind) -> &mut Vec<Bytes> {
        match kind {
            Kind::Channel => &mut self.channels,
            Kind::Pattern => &mut self.patterns,
            Kind::Shard => &mut self.shard,
        }
    }
}

/// All subscriptions.
#[derive(Debug, Default)]
pub struct PubSub {
    channels: HashMap<Bytes, Vec<ClientId>>,
    patterns: HashMap<Bytes, Vec<ClientId>>,
    shard: HashMap<Bytes, Vec<ClientId>>,
    clients: HashMap<ClientId, ClientSubs>,
}

impl PubSub {
    fn table(&self, kind: Kind) -> &HashMap<Bytes, Vec<ClientId>> {
        match kind {
            Kind::Channel => &self.channels,
            Kind::Pattern => &self.patterns,
            Kind::Shard => &self.shard,
        }
    }

    fn table_mut(&mut self, kind: Kind) -> &mut HashMap<Bytes, Vec<ClientId>> {
        match kind {
            Kind::Channel => &mut self.channels,
            Kind::Pattern => &mut self.patterns,
            Kind::Shard => &mut self.shard,
        }
    }

    /// Subscribe; false if already subscribed.
    pub fn subscribe(&mut self, client: ClientId, kind: Kind, name: &Bytes) -> bool {
        let subs = self.clients.entry(client).or_default();
        if subs.list(kind).contains(name) {
            return false;
        }
        subs.list_mut(kind).push(name.clone());
        self.table_mut(kind)
            .entry(name.clone())
            .or_default()
            .push(client);
        true
    }

    /// Unsubscribe; false if not subscribed.
    pub fn unsubscribe(&mut self, client: ClientId, kind: Kind, name: &[u8]) -> bool {
        let Some(subs) = self.clients.get_mut(&client) else {
            return false;
        };
        let list = subs.list_mut(kind);
        let Some(pos) = list.iter().position(|c| c.as_ref() == name) else {
            return false;
        };
        list.remove(pos);
        let table = self.table_mut(kind);
        if let Some(v) = table.get_mut(name) {
            v.retain(|&c| c != client);
            if v.is_empty() {
                table.remove(name);
            }
        }
        if let Some(s) = self.clients.get(&client) {
            if s.channels.is_empty() && s.patterns.is_empty() && s.shard.is_empty() {
                self.clients.remove(&client);
            }
        }
        true
    }

    /// The names `client` is subscribed to of `kind`, in order.
    pub fn subscriptions(&self, client: ClientId, kind: Kind) -> Vec<Bytes> {
        self.clients
            .get(&client)
            .map(|s| s.list(kind).clone())
            .unwrap_or_default()
    }

    /// How many of `kind` `client` holds.
    pub fn count(&self, client: ClientId, kind: Kind) -> usize {
        self.clients.get(&client).map_or(0, |s| s.list(kind).len())
    }

    /// Channels plus patterns: the count SUBSCRIBE/PSUBSCRIBE replies show.
    pub fn classic_count(&self, client: ClientId) -> usize {
        self.count(client, Kind::Channel) + self.count(client, Kind::Pattern)
    }

    /// Is `client` in subscribed mode (any subscription at all)?
    pub fn is_subscribed(&self, client: ClientId) -> bool {
        self.clients.contains_key(&client)
    }

    /// Drop every subscription of `client` (disconnect, RESET).
    pub fn remove_client(&mut self, client: ClientId) {
        for kind in [Kind::Channel, Kind::Pattern, Kind::Shard] {
            for name in self.subscriptions(client, kind) {
                self.unsubscribe(client, kind, &name);
            }
        }
    }

    /// Subscribers of a channel (or shard channel), in subscription order.
    pub fn subscribers(&self, kind: Kind, channel: &[u8]) -> &[ClientId] {
        self.table(kind).get(channel).map_or(&[], |v| v.as_slice())
    }

    /// (pattern, subscriber) pairs whose pattern matches `channel`.
    pub fn pattern_matches(&self, channel: &[u8]) -> Vec<(Bytes, ClientId)> {
        let mut out = Vec::new();
        for (pat, clients) in &self.patterns {
            if glob::matches(pat, channel, false) {
                out.extend(clients.iter().map(|&c| (pat.clone(), c)));
            }
        }
        out
    }

    /// Active channels (or shard channels) matching `pattern` (all if `None`).
    pub fn active(&self, kind: Kind, pattern: Option<&[u8]>) -> Vec<Bytes> {
        self.table(kind)
            .keys()
            .filter(|c| pattern.is_none_or(|p| glob::matches(p, c, false)))
            .cloned()
            .collect()
    }

    /// Number of distinct patterns subscribed (PUBSUB NUMPAT).
    pub fn pattern_count(&self) -> usize {
        self.patterns.len()
    }

    /// Channels with at least one subscriber (INFO `pubsub_channels`).
    pub fn channel_count(&self) -> usize {
        self.channels.len()
    }

    /// Shard channels with a subscriber (INFO `pubsubshard_channels`).
    pub fn shard_channel_count(&self) -> usize {
        self.shard.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &str) -> Bytes {
        Bytes::copy_from_slice(s.as_bytes())
    }

    #[test]
    fn subscribe_unsubscribe_bookkeeping() {
        let mut p = PubSub::default();
        assert!(p.subscribe(1, Kind::Channel, &b("a")));
        assert!(!p.subscribe(1, Kind::Channel, &b("a")));
        assert!(p.subscribe(2, Kind::Channel, &b("a")));
        assert!(p.subscribe(1, Kind::Pattern, &b("a*")));
        assert_eq!(p.subscribers(Kind::Channel, b"a"), &[1, 2]);
        assert_eq!(p.classic_count(1), 2);
        assert_eq!(p.pattern_matches(b"abc"), vec![(b("a*"), 1)]);
        assert!(p.pattern_matches(b"xbc").is_empty());
        assert!(p.unsubscribe(1, Kind::Channel, b"a"));
        assert!(!p.unsubscribe(1, Kind::Channel, b"a"));
        assert!(p.is_subscribed(1));
        p.remove_client(1);
        assert!(!p.is_subscribed(1));
        assert_eq!(p.pattern_count(), 0);
        assert_eq!(p.active(Kind::Channel, None), vec![b("a")]);
        p.remove_client(2);
        assert!(p.active(Kind::Channel, None).is_empty());
    }
}
