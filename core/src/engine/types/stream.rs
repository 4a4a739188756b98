//! The stream type: entries ordered by ID, packed into macro nodes the way
//! Redis 7.0 packs them into listpacks hanging off a radix tree, plus the
//! consumer groups.
//!
//! Why model the nodes at all: approximate trimming (`MAXLEN ~`, `MINID ~`)
//! removes whole nodes only, node boundaries depend on
//! `stream-node-max-entries` and on the listpack's byte size
//! (`stream-node-max-bytes`), and `XINFO STREAM` reports the node count
//! (`radix-tree-keys`) and the radix tree's size (`radix-tree-nodes`). So a
//! node here tracks exactly what Redis's listpack holds: the master fields,
//! every entry including the ones flagged deleted, the live and deleted
//! counters, and the encoded byte size.

use std::collections::{BTreeMap, BTreeSet};

use bytes::Bytes;

/// A stream entry ID: milliseconds and sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct StreamId {
    /// Milliseconds part.
    pub ms: u64,
    /// Sequence part.
    pub seq: u64,
}

impl StreamId {
    /// `0-0`.
    pub const MIN: StreamId = StreamId { ms: 0, seq: 0 };
    /// The largest ID.
    pub const MAX: StreamId = StreamId {
        ms: u64::MAX,
        seq: u64::MAX,
    };

    /// A new ID.
    pub const fn new(ms: u64, seq: u64) -> StreamId {
        StreamId { ms, seq }
    }

    /// The next ID, or `None` past the largest (Redis's `streamIncrID`).
    pub fn incr(self) -> Option<StreamId> {
        if self.seq == u64::MAX {
            if self.ms == u64::MAX {
                None
            } else {
                Some(StreamId::new(self.ms + 1, 0))
            }
        } else {
            Some(StreamId::new(self.ms, self.seq + 1))
        }
    }

    /// The previous ID, or `None` before `0-0` (Redis's `streamDecrID`).
    pub fn decr(self) -> Option<StreamId> {
        if self.seq == 0 {
            if self.ms == 0 {
                None
            } else {
                Some(StreamId::new(self.ms - 1, u64::MAX))
            }
        } else {
            Some(StreamId::new(self.ms, self.seq - 1))
        }
    }

    /// True for `0-0`.
    pub fn is_zero(self) -> bool {
        self == StreamId::MIN
    }

    /// `ms-seq` as bytes.
    pub fn to_bytes(self) -> Bytes {
        Bytes::from(format!("{}-{}", self.ms, self.seq))
    }

    /// The 16-byte big-endian key Redis files the ID under in its radix trees.
    pub fn key_bytes(self) -> [u8; 16] {
        let mut k = [0u8; 16];
        k[..8].copy_from_slice(&self.ms.to_be_bytes());
        k[8..].copy_from_slice(&self.seq.to_be_bytes());
        k
    }
}

impl std::fmt::Display for StreamId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

/// A field/value pair list of one entry.
pub type Fields = Vec<(Bytes, Bytes)>;

/// Redis's `SCG_INVALID_ENTRIES_READ`: a group's read counter is unknown.
pub const ENTRIES_READ_INVALID: i64 = -1;

/// The largest listpack a node may grow to (Redis's `STREAM_LISTPACK_MAX_SIZE`).
pub const LISTPACK_MAX_BYTES: u64 = 1 << 30;

/// Bytes a listpack element takes for an integer value (encoding plus
/// back-length), as Redis's listpack encodes integers.
pub fn lp_int_bytes(v: i64) -> usize {
    let enc = if (0..=127).contains(&v) {
        1
    } else if (-4096..=4095).contains(&v) {
        2
    } else if (-32768..=32767).contains(&v) {
        3
    } else if (-8_388_608..=8_388_607).contains(&v) {
        4
    } else if (-2_147_483_648..=2_147_483_647).contains(&v) {
        5
    } else {
        9
    };
    enc + lp_backlen_bytes(enc)
}

/// Bytes of a listpack element's back-length for an encoding of `len` bytes.
fn lp_backlen_bytes(len: usize) -> usize {
    if len <= 127 {
        1
    } else if len < 16383 {
        2
    } else if len < 2_097_151 {
        3
    } else if len < 268_435_455 {
        4
    } else {
        5
    }
}

/// Bytes a listpack element takes for a string (strings that are canonical
/// integers are stored as integers, as `lpAppend` does).
pub fn lp_str_bytes(s: &[u8]) -> usize {
    if let Some(v) = crate::resp::parse_i64(s) {
        return lp_int_bytes(v);
    }
    let n = s.len();
    let enc = if n < 64 {
        1 + n
    } else if n < 4096 {
        2 + n
    } else {
        5 + n
    };
    enc + lp_backlen_bytes(enc)
}

/// Listpack header (total bytes, element count) plus the end marker.
const LP_OVERHEAD: usize = 6 + 1;

/// One entry slot inside a node (live or flagged deleted).
#[derive(Debug, Clone, PartialEq)]
struct Slot {
    id: StreamId,
    fields: Fields,
    deleted: bool,
}

/// A macro node: what one listpack of Redis's stream radix tree holds.
#[derive(Debug, Clone, PartialEq)]
struct Node {
    /// The fields of the entry that created the node; later entries with the
    /// same fields are stored compressed (values only).
    master_fields: Vec<Bytes>,
    /// Every entry ever appended to the node, in ID order.
    slots: Vec<Slot>,
    /// Live entries.
    live: u64,
    /// Entries flagged deleted.
    deleted: u64,
    /// Encoded bytes except the live/deleted counters (which change size).
    fixed_bytes: usize,
}

impl Node {
    /// The listpack's total size in bytes (`lpBytes`).
    fn bytes(&self) -> usize {
        self.fixed_bytes
            + lp_int_bytes(i64::try_from(self.live).unwrap_or(i64::MAX))
            + lp_int_bytes(i64::try_from(self.deleted).unwrap_or(i64::MAX))
    }

    /// Index of the slot holding `id`.
    fn find(&self, id: StreamId) -> Option<usize> {
        self.slots.binary_search_by(|s| s.id.cmp(&id)).ok()
    }
}

/// One macro node as [`Stream::raw_nodes`] shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RawNode<'a> {
    /// The node's key: the ID of its first entry ever.
    pub master: StreamId,
    /// The fields of that first entry.
    pub master_fields: &'a [Bytes],
    /// Live entries.
    pub live: u64,
    /// Entries flagged deleted.
    pub deleted: u64,
    /// Every slot: ID, fields, flagged deleted.
    pub slots: Vec<(StreamId, &'a Fields, bool)>,
}

/// A pending (delivered, not acknowledged) entry of a consumer group.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingEntry {
    /// The consumer owning it.
    pub consumer: Bytes,
    /// Last delivery, unix ms.
    pub delivery_time: u64,
    /// Deliveries so far.
    pub delivery_count: u64,
}

/// A consumer of a group.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Consumer {
    /// Last time the consumer was seen (read or claimed), unix ms.
    pub seen_time: u64,
    /// IDs of the group's pending entries this consumer owns.
    pub pel: BTreeSet<StreamId>,
}

/// A consumer group.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsumerGroup {
    /// The last ID delivered to the group.
    pub last_id: StreamId,
    /// Logical read counter ([`ENTRIES_READ_INVALID`] when unknown).
    pub entries_read: i64,
    /// Pending entries by ID.
    pub pel: BTreeMap<StreamId, PendingEntry>,
    /// Consumers by name (byte order, as Redis's radix tree).
    pub consumers: BTreeMap<Bytes, Consumer>,
}

impl ConsumerGroup {
    /// A fresh group delivering after `last_id`.
    pub fn new(last_id: StreamId, entries_read: i64) -> ConsumerGroup {
        ConsumerGroup {
            last_id,
            entries_read,
            pel: BTreeMap::new(),
            consumers: BTreeMap::new(),
        }
    }

    /// Add a consumer seen at `now_ms`; false if it already exists.
    pub fn create_consumer(&mut self, name: &[u8], now_ms: u64) -> bool {
        if self.consumers.contains_key(name) {
            return false;
        }
        self.consumers.insert(
            Bytes::copy_from_slice(name),
            Consumer {
                seen_time: now_ms,
                pel: BTreeSet::new(),
            },
        );
        true
    }

    /// Remove a consumer and its pending entries; returns how many it had.
    pub fn delete_consumer(&mut self, name: &[u8]) -> Option<usize> {
        let c = self.consumers.remove(name)?;
        for id in &c.pel {
            self.pel.remove(id);
        }
        Some(c.pel.len())
    }

    /// Acknowledge `id`: drop it from the group's and its owner's PEL.
    pub fn ack(&mut self, id: StreamId) -> bool {
        match self.pel.remove(&id) {
            Some(p) => {
                if let Some(c) = self.consumers.get_mut(&p.consumer) {
                    c.pel.remove(&id);
                }
                true
            }
            None => false,
        }
    }

    /// Hand pending entry `id` to `consumer` (which must exist), creating
    /// the PEL record if missing; the caller sets time and count.
    pub fn assign(&mut self, id: StreamId, consumer: &Bytes) -> &mut PendingEntry {
        let prev = self.pel.get(&id).map(|p| p.consumer.clone());
        if let Some(prev) = prev {
            if prev != consumer {
                if let Some(c) = self.consumers.get_mut(&prev) {
                    c.pel.remove(&id);
                }
            }
        }
        if let Some(c) = self.consumers.get_mut(consumer) {
            c.pel.insert(id);
        }
        let p = self.pel.entry(id).or_insert_with(|| PendingEntry {
            consumer: consumer.clone(),
            delivery_time: 0,
            delivery_count: 1,
        });
        p.consumer = consumer.clone();
        p
    }
}

/// How to trim (XADD's and XTRIM's MAXLEN / MINID).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrimStrategy {
    /// Keep at most this many entries.
    MaxLen(u64),
    /// Drop entries with IDs below this one.
    MinId(StreamId),
}

/// A full trim request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trim {
    /// What to keep.
    pub strategy: TrimStrategy,
    /// `~`: remove whole nodes only.
    pub approx: bool,
    /// Most entries to remove (0: no limit).
    pub limit: u64,
}

/// Node limits from the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeLimits {
    /// `stream-node-max-bytes` (0: no limit).
    pub max_bytes: u64,
    /// `stream-node-max-entries` (0: no limit).
    pub max_entries: u64,
}

impl Default for NodeLimits {
    fn default() -> Self {
        NodeLimits {
            max_bytes: 4096,
            max_entries: 100,
        }
    }
}

/// Why an append failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppendError {
    /// The ID is not greater than the last one (or the sequence is exhausted).
    NotGreater,
    /// The fields and values are larger than a node may be.
    TooLarge,
}

/// How the ID of an appended entry is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewId {
    /// `*`: from the clock (unix ms given).
    Auto(u64),
    /// `ms-*`: this millisecond, next free sequence.
    Ms(u64),
    /// `ms-seq`.
    Explicit(StreamId),
}

/// A stream value.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stream {
    /// Macro nodes by master ID (the ID of the node's first entry ever).
    nodes: BTreeMap<StreamId, Node>,
    /// Live entries.
    length: u64,
    /// The last ID ever generated.
    pub last_id: StreamId,
    /// The first live entry's ID (0-0 when empty).
    pub first_id: StreamId,
    /// The largest ID ever deleted.
    pub max_deleted_entry_id: StreamId,
    /// Entries ever added.
    pub entries_added: u64,
    /// Consumer groups by name (byte order).
    pub groups: BTreeMap<Bytes, ConsumerGroup>,
}

impl Stream {
    /// An empty stream.
    pub fn new() -> Stream {
        Stream::default()
    }

    /// `OBJECT ENCODING` name.
    pub fn encoding(&self) -> &'static str {
        "stream"
    }

    /// Live entries.
    pub fn len(&self) -> u64 {
        self.length
    }

    /// True when no live entries.
    pub fn is_empty(&self) -> bool {
        self.length == 0
    }

    /// Number of macro nodes (XINFO's `radix-tree-keys`).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Nodes of the radix tree holding the macro nodes (XINFO's
    /// `radix-tree-nodes`): Redis's rax keeps a canonical compressed trie
    /// over the 16-byte master IDs, so the count follows from the keys.
    pub fn rax_node_count(&self) -> usize {
        let keys: Vec<[u8; 16]> = self.nodes.keys().map(|k| k.key_bytes()).collect();
        if keys.is_empty() {
            return 1;
        }
        trie_nodes(&keys, 0)
    }

    /// Append an entry (Redis's `streamAppendItem`); returns its ID.
    pub fn append(
        &mut self,
        new_id: NewId,
        fields: Fields,
        limits: NodeLimits,
    ) -> Result<StreamId, AppendError> {
        let id = match new_id {
            NewId::Explicit(id) => id,
            NewId::Ms(ms) => {
                if self.last_id.ms == ms {
                    if self.last_id.seq == u64::MAX {
                        return Err(AppendError::NotGreater);
                    }
                    StreamId::new(ms, self.last_id.seq + 1)
                } else {
                    StreamId::new(ms, 0)
                }
            }
            NewId::Auto(now_ms) => {
                if now_ms > self.last_id.ms {
                    StreamId::new(now_ms, 0)
                } else {
                    self.last_id.incr().ok_or(AppendError::NotGreater)?
                }
            }
        };
        if id <= self.last_id {
            return Err(AppendError::NotGreater);
        }
        let total: u64 = fields.iter().map(|(f, v)| (f.len() + v.len()) as u64).sum();
        if total > LISTPACK_MAX_BYTES {
            return Err(AppendError::TooLarge);
        }
        let max_bytes = if limits.max_bytes == 0 || limits.max_bytes > LISTPACK_MAX_BYTES {
            LISTPACK_MAX_BYTES
        } else {
            limits.max_bytes
        };
        // Is there a tail node with room?
        let mut tail = self.nodes.iter_mut().next_back().map(|(k, n)| (*k, n));
        if let Some((_, node)) = &tail {
            let full = node.bytes() as u64 + total >= max_bytes
                || (limits.max_entries != 0 && node.live + node.deleted >= limits.max_entries);
            if full {
                tail = None;
            }
        }
        match tail {
            Some((master, node)) => {
                let same = node.master_fields.len() == fields.len()
                    && node
                        .master_fields
                        .iter()
                        .zip(fields.iter())
                        .all(|(m, (f, _))| m == f);
                node.fixed_bytes += slot_bytes(id, master, &fields, same);
                node.live += 1;
                node.slots.push(Slot {
                    id,
                    fields,
                    deleted: false,
                });
            }
            None => {
                let mut fixed = LP_OVERHEAD;
                fixed += lp_int_bytes(fields.len() as i64);
                for (f, _) in &fields {
                    fixed += lp_str_bytes(f);
                }
                fixed += lp_int_bytes(0);
                fixed += slot_bytes(id, id, &fields, true);
                let node = Node {
                    master_fields: fields.iter().map(|(f, _)| f.clone()).collect(),
                    slots: vec![Slot {
                        id,
                        fields,
                        deleted: false,
                    }],
                    live: 1,
                    deleted: 0,
                    fixed_bytes: fixed,
                };
                self.nodes.insert(id, node);
            }
        }
        self.length += 1;
        self.entries_added = self.entries_added.wrapping_add(1);
        self.last_id = id;
        if self.length == 1 {
            self.first_id = id;
        }
        Ok(id)
    }

    /// The master ID of the node that would hold `id`.
    fn node_key_for(&self, id: StreamId) -> Option<StreamId> {
        self.nodes.range(..=id).next_back().map(|(k, _)| *k)
    }

    /// The fields of live entry `id`.
    pub fn get(&self, id: StreamId) -> Option<&Fields> {
        let key = self.node_key_for(id)?;
        let node = self.nodes.get(&key)?;
        let slot = &node.slots[node.find(id)?];
        (!slot.deleted).then_some(&slot.fields)
    }

    /// True if live entry `id` exists.
    pub fn contains(&self, id: StreamId) -> bool {
        self.get(id).is_some()
    }

    /// Delete live entry `id` (flag it; drop its node once nothing in it is
    /// live). Does not update `first_id` / `max_deleted_entry_id`: XDEL does.
    fn delete_slot(&mut self, id: StreamId) -> bool {
        let Some(key) = self.node_key_for(id) else {
            return false;
        };
        let Some(node) = self.nodes.get_mut(&key) else {
            return false;
        };
        let Some(i) = node.find(id) else {
            return false;
        };
        if node.slots[i].deleted {
            return false;
        }
        if node.live == 1 {
            self.nodes.remove(&key);
        } else {
            node.slots[i].deleted = true;
            node.live -= 1;
            node.deleted += 1;
        }
        self.length -= 1;
        true
    }

    /// XDEL of several IDs: returns how many were deleted, updating the
    /// first ID and the largest deleted ID as Redis does.
    pub fn delete_ids(&mut self, ids: &[StreamId]) -> u64 {
        let mut deleted = 0;
        let mut first_entry = false;
        for &id in ids {
            if self.delete_slot(id) {
                if id == self.first_id {
                    first_entry = true;
                }
                if id > self.max_deleted_entry_id {
                    self.max_deleted_entry_id = id;
                }
                deleted += 1;
            }
        }
        if deleted > 0 {
            if self.length == 0 {
                self.first_id = StreamId::MIN;
            } else if first_entry {
                self.first_id = self.first_live_id().unwrap_or(StreamId::MIN);
            }
        }
        deleted
    }

    /// The first live ID.
    pub fn first_live_id(&self) -> Option<StreamId> {
        self.range(StreamId::MIN, StreamId::MAX, false)
            .next()
            .map(|(id, _)| id)
    }

    /// The last live ID (Redis's `streamLastValidID`).
    pub fn last_live_id(&self) -> Option<StreamId> {
        self.range(StreamId::MIN, StreamId::MAX, true)
            .next()
            .map(|(id, _)| id)
    }

    /// Live entries with `start <= id <= end`, ascending or descending.
    pub fn range(
        &self,
        start: StreamId,
        end: StreamId,
        rev: bool,
    ) -> Box<dyn Iterator<Item = (StreamId, &Fields)> + '_> {
        if start > end {
            return Box::new(std::iter::empty());
        }
        let first_node = self.node_key_for(start).unwrap_or(StreamId::MIN);
        let nodes = self.nodes.range(first_node..=end).map(|(_, n)| n);
        let live = move |s: &'_ Slot| !s.deleted && s.id >= start && s.id <= end;
        if rev {
            Box::new(
                nodes
                    .rev()
                    .flat_map(move |n| n.slots.iter().rev().filter(move |s| live(s)))
                    .map(|s| (s.id, &s.fields)),
            )
        } else {
            Box::new(
                nodes
                    .flat_map(move |n| n.slots.iter().filter(move |s| live(s)))
                    .map(|s| (s.id, &s.fields)),
            )
        }
    }

    /// Trim (Redis's `streamTrim`); returns how many entries were removed.
    pub fn trim(&mut self, t: Trim) -> u64 {
        let mut deleted: u64 = 0;
        loop {
            if let TrimStrategy::MaxLen(max) = t.strategy {
                if self.length <= max {
                    break;
                }
            }
            let Some((&key, node)) = self.nodes.iter_mut().next() else {
                break;
            };
            let entries = node.live;
            if t.limit != 0 && deleted.saturating_add(entries) > t.limit {
                break;
            }
            let remove_node = match t.strategy {
                TrimStrategy::MaxLen(max) => self.length - entries >= max,
                TrimStrategy::MinId(min) => node.slots.last().is_none_or(|s| s.id < min),
            };
            if remove_node {
                self.nodes.remove(&key);
                self.length -= entries;
                deleted += entries;
                continue;
            }
            if t.approx {
                break;
            }
            let mut from_node = 0;
            for slot in node.slots.iter_mut() {
                let stop = match t.strategy {
                    TrimStrategy::MaxLen(max) => self.length <= max,
                    TrimStrategy::MinId(min) => slot.id >= min,
                };
                if stop {
                    break;
                }
                if !slot.deleted {
                    slot.deleted = true;
                    from_node += 1;
                    self.length -= 1;
                }
            }
            node.live -= from_node;
            node.deleted += from_node;
            deleted += from_node;
            break;
        }
        self.first_id = if self.length == 0 {
            StreamId::MIN
        } else {
            self.first_live_id().unwrap_or(StreamId::MIN)
        };
        deleted
    }

    /// True if a deleted entry may lie in `start..=end` (Redis's
    /// `streamRangeHasTombstones`).
    pub fn range_has_tombstones(&self, start: StreamId, end: StreamId) -> bool {
        if self.length == 0 || self.max_deleted_entry_id.is_zero() {
            return false;
        }
        if self.first_id > self.max_deleted_entry_id {
            return false;
        }
        start <= self.max_deleted_entry_id && self.max_deleted_entry_id <= end
    }

    /// The logical read counter of `id` when it can be known (Redis's
    /// `streamEstimateDistanceFromFirstEverEntry`).
    pub fn estimate_distance(&self, id: StreamId) -> Option<u64> {
        if self.entries_added == 0 {
            return Some(0);
        }
        if self.length == 0 && id <= self.last_id {
            return Some(self.entries_added);
        }
        if id == self.last_id {
            return Some(self.entries_added);
        }
        if id > self.last_id {
            return None;
        }
        if self.max_deleted_entry_id.is_zero() || self.max_deleted_entry_id < self.first_id {
            if id < self.first_id {
                return Some(self.entries_added.saturating_sub(self.length));
            }
            if id == self.first_id {
                return Some(
                    self.entries_added
                        .saturating_sub(self.length)
                        .saturating_add(1),
                );
            }
        }
        None
    }

    /// A group's lag, when known (Redis's `streamReplyWithCGLag`).
    pub fn group_lag(&self, g: &ConsumerGroup) -> Option<i64> {
        if self.entries_added == 0 {
            return Some(0);
        }
        if g.entries_read != ENTRIES_READ_INVALID
            && !self.range_has_tombstones(g.last_id, StreamId::MAX)
        {
            return Some((self.entries_added as i64).wrapping_sub(g.entries_read));
        }
        self.estimate_distance(g.last_id)
            .map(|r| (self.entries_added as i64).wrapping_sub(r as i64))
    }

    /// Note that a group was served entry `id` (Redis's bookkeeping in
    /// `streamReplyWithRange`): advance its last ID and read counter.
    pub fn advance_group(&mut self, group: &[u8], id: StreamId) {
        let tomb = self.range_has_tombstones(id, StreamId::MAX);
        let est = self.estimate_distance(id);
        let added = self.entries_added;
        let Some(g) = self.groups.get_mut(group) else {
            return;
        };
        if id > g.last_id {
            if g.entries_read != ENTRIES_READ_INVALID && !tomb {
                g.entries_read = g.entries_read.wrapping_add(1);
            } else if added != 0 {
                g.entries_read = est.map_or(ENTRIES_READ_INVALID, |v| v as i64);
            }
            g.last_id = id;
        }
    }

    /// Every macro node as its listpack holds it (for RDB encoding): the
    /// master ID, the master fields, and every slot as (ID, fields,
    /// flagged deleted).
    pub fn raw_nodes(&self) -> impl Iterator<Item = RawNode<'_>> {
        self.nodes.iter().map(|(k, n)| RawNode {
            master: *k,
            master_fields: &n.master_fields,
            live: n.live,
            deleted: n.deleted,
            slots: n
                .slots
                .iter()
                .map(|s| (s.id, &s.fields, s.deleted))
                .collect(),
        })
    }

    /// Append a node read from an RDB file after the existing ones. Slots
    /// must be in ascending ID order, above every slot already held, not
    /// below `master`, with at least one live; the stream's live count
    /// grows by the node's. The metadata fields (`last_id`...) are the
    /// caller's to set.
    pub fn push_raw_node(
        &mut self,
        master: StreamId,
        master_fields: Vec<Bytes>,
        slots: Vec<(StreamId, Fields, bool)>,
    ) -> Result<(), &'static str> {
        let floor = self
            .nodes
            .values()
            .next_back()
            .and_then(|n| n.slots.last())
            .map(|s| s.id);
        let mut prev: Option<StreamId> = floor;
        let mut fixed = LP_OVERHEAD + lp_int_bytes(master_fields.len() as i64) + lp_int_bytes(0);
        for f in &master_fields {
            fixed += lp_str_bytes(f);
        }
        let (mut live, mut deleted) = (0u64, 0u64);
        let mut out = Vec::with_capacity(slots.len());
        for (id, fields, del) in slots {
            if id < master || prev.is_some_and(|p| id <= p) {
                return Err("stream IDs out of order");
            }
            prev = Some(id);
            let same = master_fields.len() == fields.len()
                && master_fields
                    .iter()
                    .zip(fields.iter())
                    .all(|(m, (f, _))| m == f);
            fixed += slot_bytes(id, master, &fields, same);
            if del {
                deleted += 1;
            } else {
                live += 1;
            }
            out.push(Slot {
                id,
                fields,
                deleted: del,
            });
        }
        if live == 0 || self.nodes.contains_key(&master) {
            return Err("empty or repeated stream node");
        }
        self.nodes.insert(
            master,
            Node {
                master_fields,
                slots: out,
                live,
                deleted,
                fixed_bytes: fixed,
            },
        );
        self.length += live;
        Ok(())
    }

    /// The node layout, for tests and debugging: (master ID, live, deleted, bytes).
    pub fn node_summary(&self) -> Vec<(StreamId, u64, u64, usize)> {
        self.nodes
            .iter()
            .map(|(k, n)| (*k, n.live, n.deleted, n.bytes()))
            .collect()
    }
}

/// Bytes one entry adds to a node whose master ID is `master`.
fn slot_bytes(id: StreamId, master: StreamId, fields: &Fields, same: bool) -> usize {
    let mut b = lp_int_bytes(if same { 2 } else { 0 });
    b += lp_int_bytes(id.ms.wrapping_sub(master.ms) as i64);
    b += lp_int_bytes(id.seq.wrapping_sub(master.seq) as i64);
    let n = fields.len() as i64;
    if !same {
        b += lp_int_bytes(n);
    }
    for (f, v) in fields {
        if !same {
            b += lp_str_bytes(f);
        }
        b += lp_str_bytes(v);
    }
    let lp_count = if same { n + 3 } else { n * 2 + 4 };
    b + lp_int_bytes(lp_count)
}

/// Nodes of a compressed radix tree over sorted distinct `keys` of equal
/// length, below a node at byte `depth` (every key shares `keys[..depth]`).
fn trie_nodes(keys: &[[u8; 16]], depth: usize) -> usize {
    if depth >= 16 {
        return 1; // the leaf holding the key
    }
    let (Some(first), Some(last)) = (keys.first(), keys.last()) else {
        return 0;
    };
    // Sorted keys: the common prefix of all is that of the first and last.
    let mut lcp = depth;
    while lcp < 16 && first[lcp] == last[lcp] {
        lcp += 1;
    }
    if lcp > depth {
        // A compressed node spelling the shared bytes.
        return 1 + trie_nodes(keys, lcp);
    }
    // A branching node: one child per distinct next byte.
    let mut total = 1;
    let mut i = 0;
    while i < keys.len() {
        let b = keys[i][depth];
        let mut j = i;
        while j < keys.len() && keys[j][depth] == b {
            j += 1;
        }
        total += trie_nodes(&keys[i..j], depth + 1);
        i = j;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(pairs: &[(&str, &str)]) -> Fields {
        pairs
            .iter()
            .map(|(a, b)| (Bytes::from(a.to_string()), Bytes::from(b.to_string())))
            .collect()
    }

    #[test]
    fn ids_increment_and_decrement_at_the_edges() {
        assert_eq!(StreamId::new(1, u64::MAX).incr(), Some(StreamId::new(2, 0)));
        assert_eq!(StreamId::MAX.incr(), None);
        assert_eq!(StreamId::new(2, 0).decr(), Some(StreamId::new(1, u64::MAX)));
        assert_eq!(StreamId::MIN.decr(), None);
    }

    #[test]
    fn listpack_sizes() {
        assert_eq!(lp_int_bytes(0), 2);
        assert_eq!(lp_int_bytes(127), 2);
        assert_eq!(lp_int_bytes(128), 3);
        assert_eq!(lp_int_bytes(-1), 3);
        assert_eq!(lp_int_bytes(i64::MAX), 10);
        assert_eq!(lp_str_bytes(b"abc"), 5);
        assert_eq!(lp_str_bytes(b"12"), 2);
        assert_eq!(lp_str_bytes(&[b'x'; 64]), 67);
    }

    #[test]
    fn single_entry_rax_has_two_nodes() {
        let mut s = Stream::new();
        assert_eq!(s.rax_node_count(), 1);
        s.append(
            NewId::Explicit(StreamId::new(1, 1)),
            f(&[("a", "1")]),
            NodeLimits::default(),
        )
        .unwrap();
        assert_eq!(s.rax_node_count(), 2);
    }

    #[test]
    fn nodes_split_at_max_entries_and_approx_trim_removes_whole_nodes() {
        let mut s = Stream::new();
        let lim = NodeLimits {
            max_bytes: 0,
            max_entries: 10,
        };
        for i in 1..=35 {
            s.append(NewId::Explicit(StreamId::new(i, 0)), f(&[("f", "v")]), lim)
                .unwrap();
        }
        assert_eq!(s.node_count(), 4);
        let removed = s.trim(Trim {
            strategy: TrimStrategy::MaxLen(12),
            approx: true,
            limit: 0,
        });
        assert_eq!(removed, 20);
        assert_eq!(s.len(), 15);
        assert_eq!(s.first_id, StreamId::new(21, 0));
        let removed = s.trim(Trim {
            strategy: TrimStrategy::MaxLen(12),
            approx: false,
            limit: 0,
        });
        assert_eq!(removed, 3);
        assert_eq!(s.first_id, StreamId::new(24, 0));
    }

    #[test]
    fn range_matches_a_model_after_deletes() {
        let mut s = Stream::new();
        let mut model = BTreeMap::new();
        let lim = NodeLimits {
            max_bytes: 4096,
            max_entries: 7,
        };
        for i in 1..=60u64 {
            let id = StreamId::new(i / 3, i % 3);
            s.append(NewId::Explicit(id), f(&[("k", "v")]), lim)
                .unwrap();
            model.insert(id, ());
        }
        let del: Vec<StreamId> = (1..=60u64)
            .filter(|i| i % 4 == 0 || (14..=22).contains(i))
            .map(|i| StreamId::new(i / 3, i % 3))
            .collect();
        assert_eq!(s.delete_ids(&del), del.len() as u64);
        for d in &del {
            model.remove(d);
        }
        let a = StreamId::new(3, 1);
        let b = StreamId::new(15, 0);
        let got: Vec<StreamId> = s.range(a, b, false).map(|(id, _)| id).collect();
        let want: Vec<StreamId> = model.range(a..=b).map(|(k, _)| *k).collect();
        assert_eq!(got, want);
        let got: Vec<StreamId> = s.range(a, b, true).map(|(id, _)| id).collect();
        let want: Vec<StreamId> = model.range(a..=b).rev().map(|(k, _)| *k).collect();
        assert_eq!(got, want);
        assert_eq!(s.len(), model.len() as u64);
    }
}

#[cfg(test)]
mod model_tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    #[derive(Debug, Clone)]
    enum Op {
        Add(u64, u64, u8),
        Del(u64, u64),
        Trim(bool, u64),
        MinId(u64, bool),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            6 => (0u64..3, 0u64..4, 0u8..3).prop_map(|(a, b, c)| Op::Add(a, b, c)),
            2 => (0u64..80, 0u64..4).prop_map(|(a, b)| Op::Del(a, b)),
            1 => (any::<bool>(), 0u64..30).prop_map(|(a, b)| Op::Trim(a, b)),
            1 => (0u64..80, any::<bool>()).prop_map(|(a, b)| Op::MinId(a, b)),
        ]
    }

    proptest! {
        /// The node structure always agrees with a plain ordered map: same
        /// entries in both directions, same length and first ID; exact
        /// trims match the model, approximate ones never remove more.
        #[test]
        fn stream_matches_an_ordered_map(ops in proptest::collection::vec(op(), 1..200), max_entries in 0u64..6, max_bytes in prop_oneof![Just(0u64), Just(60), Just(4096)]) {
            let lim = NodeLimits { max_bytes, max_entries };
            let mut s = Stream::new();
            let mut model: BTreeMap<StreamId, u8> = BTreeMap::new();
            let mut ms = 0u64;
            for o in ops {
                match o {
                    Op::Add(step, seq, v) => {
                        ms += step;
                        let id = StreamId::new(ms, seq);
                        let fields = vec![(Bytes::from_static(b"f"), Bytes::from(vec![b'x'; usize::from(v) * 7]))];
                        let last = s.last_id;
                        let r = s.append(NewId::Explicit(id), fields, lim);
                        prop_assert_eq!(r.is_ok(), id > last);
                        if r.is_ok() {
                            model.insert(id, v);
                        }
                    }
                    Op::Del(a, b) => {
                        let id = StreamId::new(a, b);
                        let n = s.delete_ids(&[id]);
                        prop_assert_eq!(n, u64::from(model.remove(&id).is_some()));
                    }
                    Op::Trim(approx, max) => {
                        let before = model.len() as u64;
                        let n = s.trim(Trim { strategy: TrimStrategy::MaxLen(max), approx, limit: 0 });
                        for _ in 0..n {
                            let k = *model.keys().next().unwrap();
                            model.remove(&k);
                        }
                        if !approx {
                            prop_assert_eq!(model.len() as u64, before.min(max));
                        } else {
                            prop_assert!(model.len() as u64 >= before.min(max));
                        }
                    }
                    Op::MinId(a, approx) => {
                        let min = StreamId::new(a, 0);
                        let n = s.trim(Trim { strategy: TrimStrategy::MinId(min), approx, limit: 0 });
                        let below: Vec<StreamId> = model.range(..min).map(|(k, _)| *k).collect();
                        if !approx {
                            prop_assert_eq!(n, below.len() as u64);
                        }
                        for k in below.iter().take(n as usize) {
                            model.remove(k);
                        }
                    }
                }
                prop_assert_eq!(s.len(), model.len() as u64);
                let got: Vec<StreamId> = s.range(StreamId::MIN, StreamId::MAX, false).map(|(id, _)| id).collect();
                let want: Vec<StreamId> = model.keys().copied().collect();
                prop_assert_eq!(&got, &want);
                let rev: Vec<StreamId> = s.range(StreamId::MIN, StreamId::MAX, true).map(|(id, _)| id).collect();
                let want_rev: Vec<StreamId> = model.keys().rev().copied().collect();
                prop_assert_eq!(rev, want_rev);
                prop_assert_eq!(s.first_id, model.keys().next().copied().unwrap_or(StreamId::MIN));
                let live: u64 = s.node_summary().iter().map(|n| n.1).sum();
                prop_assert_eq!(live, s.len());
                if max_entries > 0 {
                    prop_assert!(s.node_summary().iter().all(|n| n.1 + n.2 <= max_entries));
                }
            }
        }
    }
}
