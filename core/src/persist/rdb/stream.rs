//! Streams in RDB as Redis 7.0 writes them (`RDB_TYPE_STREAM_LISTPACKS_2`):
//!
//! - the macro nodes: count, then per node its master ID (16 bytes,
//!   big-endian ms and seq) and its listpack;
//! - length, last ID, first ID, largest deleted ID, entries added;
//! - the consumer groups: name, last delivered ID, entries read (-1 as
//!   2^64-1), the PEL (raw 16-byte IDs, 8-byte LE delivery time, delivery
//!   count), then each consumer: name, 8-byte LE seen time, its PEL IDs.
//!
//! A node listpack holds the master entry (`live`, `deleted`, field count,
//! the fields, `0`) then each entry: flags (1 deleted, 2 same fields as the
//! master), ms and seq differences from the master ID, the field count and
//! fields unless flag 2, the values, and the entry's element count.

use std::collections::{BTreeMap, BTreeSet};

use bytes::Bytes;

use super::listpack::{self, Item};
use super::string::{write_len, write_string, Reader};
use super::{RdbError, SaveOptions};
use crate::engine::types::stream::{
    Consumer, ConsumerGroup, Fields, PendingEntry, Stream, StreamId, ENTRIES_READ_INVALID,
};

const FLAG_DELETED: i64 = 1;
const FLAG_SAMEFIELDS: i64 = 2;

fn int_text(n: i64) -> Vec<u8> {
    itoa::Buffer::new().format(n).as_bytes().to_vec()
}

fn write_id(out: &mut Vec<u8>, id: StreamId) {
    write_len(out, id.ms);
    write_len(out, id.seq);
}

/// The listpack of one node.
fn node_listpack(
    master: StreamId,
    master_fields: &[Bytes],
    live: u64,
    deleted: u64,
    slots: &[(StreamId, &Fields, bool)],
) -> Vec<u8> {
    let mut items: Vec<Vec<u8>> = Vec::new();
    items.push(int_text(live as i64));
    items.push(int_text(deleted as i64));
    items.push(int_text(master_fields.len() as i64));
    items.extend(master_fields.iter().map(|f| f.to_vec()));
    items.push(int_text(0));
    for (id, fields, del) in slots {
        let same = master_fields.len() == fields.len()
            && master_fields
                .iter()
                .zip(fields.iter())
                .all(|(m, (f, _))| m == f);
        let flags = if *del { FLAG_DELETED } else { 0 } | if same { FLAG_SAMEFIELDS } else { 0 };
        items.push(int_text(flags));
        items.push(int_text(id.ms.wrapping_sub(master.ms) as i64));
        items.push(int_text(id.seq.wrapping_sub(master.seq) as i64));
        let n = fields.len() as i64;
        if !same {
            items.push(int_text(n));
        }
        for (f, v) in fields.iter() {
            if !same {
                items.push(f.to_vec());
            }
            items.push(v.to_vec());
        }
        items.push(int_text(if same { n + 3 } else { n * 2 + 4 }));
    }
    listpack::encode(items.iter().map(|v| &v[..]))
}

/// Append `s`'s RDB type byte and body.
pub fn encode(out: &mut Vec<u8>, s: &Stream, opts: &SaveOptions) {
    out.push(super::types::STREAM_LISTPACKS_2);
    let nodes: Vec<_> = s.raw_nodes().collect();
    write_len(out, nodes.len() as u64);
    for n in &nodes {
        write_string(out, &n.master.key_bytes(), opts.compression);
        let lp = node_listpack(n.master, n.master_fields, n.live, n.deleted, &n.slots);
        write_string(out, &lp, opts.compression);
    }
    write_len(out, s.len());
    write_id(out, s.last_id);
    write_id(out, s.first_id);
    write_id(out, s.max_deleted_entry_id);
    write_len(out, s.entries_added);
    write_len(out, s.groups.len() as u64);
    for (name, g) in &s.groups {
        write_string(out, name, opts.compression);
        write_id(out, g.last_id);
        write_len(out, g.entries_read as u64);
        write_len(out, g.pel.len() as u64);
        for (id, p) in &g.pel {
            out.extend_from_slice(&id.key_bytes());
            out.extend_from_slice(&p.delivery_time.to_le_bytes());
            write_len(out, p.delivery_count);
        }
        write_len(out, g.consumers.len() as u64);
        for (cname, c) in &g.consumers {
            write_string(out, cname, opts.compression);
            out.extend_from_slice(&c.seen_time.to_le_bytes());
            write_len(out, c.pel.len() as u64);
            for id in &c.pel {
                out.extend_from_slice(&id.key_bytes());
            }
        }
    }
}

fn corrupt(why: &'static str) -> RdbError {
    RdbError::Corrupt(why)
}

fn raw_id(b: &[u8]) -> Result<StreamId, RdbError> {
    if b.len() != 16 {
        return Err(corrupt("bad stream ID key"));
    }
    let mut ms = [0u8; 8];
    let mut seq = [0u8; 8];
    ms.copy_from_slice(&b[..8]);
    seq.copy_from_slice(&b[8..]);
    Ok(StreamId::new(
        u64::from_be_bytes(ms),
        u64::from_be_bytes(seq),
    ))
}

fn read_id(r: &mut Reader<'_>) -> Result<StreamId, RdbError> {
    Ok(StreamId::new(r.length()?, r.length()?))
}

fn read_ms(r: &mut Reader<'_>) -> Result<u64, RdbError> {
    let b = r.bytes(8)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(b);
    Ok(u64::from_le_bytes(a))
}

/// Walk a node listpack into its master fields and slots.
#[allow(clippy::type_complexity)]
fn parse_node(
    master: StreamId,
    lp: &[u8],
) -> Result<(Vec<Bytes>, Vec<(StreamId, Fields, bool)>), RdbError> {
    let items = listpack::decode(lp)?;
    let mut it = items.into_iter();
    let int = |it: &mut std::vec::IntoIter<Item>| match it.next() {
        Some(Item::Int(n)) => Ok(n),
        _ => Err(corrupt("bad stream node")),
    };
    let bytes = |it: &mut std::vec::IntoIter<Item>| match it.next() {
        Some(i) => Ok(Bytes::from(i.into_bytes())),
        None => Err(corrupt("bad stream node")),
    };
    let live = int(&mut it)?;
    let deleted = int(&mut it)?;
    let nfields = usize::try_from(int(&mut it)?).map_err(|_| corrupt("bad stream node"))?;
    if nfields > it.len() {
        return Err(corrupt("bad stream node"));
    }
    let mut master_fields = Vec::with_capacity(nfields);
    for _ in 0..nfields {
        master_fields.push(bytes(&mut it)?);
    }
    if int(&mut it)? != 0 {
        return Err(corrupt("bad stream master entry"));
    }
    let mut slots = Vec::new();
    let (mut seen_live, mut seen_deleted) = (0i64, 0i64);
    while it.len() > 0 {
        let flags = int(&mut it)?;
        if flags & !(FLAG_DELETED | FLAG_SAMEFIELDS) != 0 {
            return Err(corrupt("bad stream entry flags"));
        }
        let ms = master.ms.wrapping_add(int(&mut it)? as u64);
        let seq = master.seq.wrapping_add(int(&mut it)? as u64);
        let same = flags & FLAG_SAMEFIELDS != 0;
        let n = if same {
            nfields
        } else {
            usize::try_from(int(&mut it)?).map_err(|_| corrupt("bad stream entry"))?
        };
        if n > it.len() {
            return Err(corrupt("bad stream entry"));
        }
        let mut fields = Vec::with_capacity(n);
        for i in 0..n {
            let f = if same {
                master_fields
                    .get(i)
                    .cloned()
                    .ok_or(corrupt("bad stream entry"))?
            } else {
                bytes(&mut it)?
            };
            fields.push((f, bytes(&mut it)?));
        }
        let want = if same { n as i64 + 3 } else { n as i64 * 2 + 4 };
        if int(&mut it)? != want {
            return Err(corrupt("bad stream entry count"));
        }
        let del = flags & FLAG_DELETED != 0;
        if del {
            seen_deleted += 1;
        } else {
            seen_live += 1;
        }
        slots.push((StreamId::new(ms, seq), fields, del));
    }
    if seen_live != live || seen_deleted != deleted {
        return Err(corrupt("stream node counters disagree"));
    }
    Ok((master_fields, slots))
}

/// Read a `RDB_TYPE_STREAM_LISTPACKS_2` body, or with `v1` the older
/// `RDB_TYPE_STREAM_LISTPACKS` (Redis 5-6.2), which lacks the first and
/// largest deleted IDs, the added count and the groups' read counters:
/// those are derived as Redis 7.0 derives them (first live ID, 0-0, the
/// length, the estimated distance of the group's last ID).
pub fn decode(r: &mut Reader<'_>, v1: bool) -> Result<Stream, RdbError> {
    let mut s = Stream::new();
    // A node takes at least its 17-byte key and a listpack length byte.
    let nodes = r.count(18)?;
    for _ in 0..nodes {
        let master = raw_id(&r.string()?)?;
        let lp = r.string()?;
        let (fields, slots) = parse_node(master, &lp)?;
        s.push_raw_node(master, fields, slots).map_err(corrupt)?;
    }
    if r.length()? != s.len() {
        return Err(corrupt("stream length disagrees with its nodes"));
    }
    s.last_id = read_id(r)?;
    if v1 {
        s.first_id = s.first_live_id().unwrap_or(StreamId::MIN);
        s.max_deleted_entry_id = StreamId::MIN;
        s.entries_added = s.len();
    } else {
        s.first_id = read_id(r)?;
        s.max_deleted_entry_id = read_id(r)?;
        s.entries_added = r.length()?;
    }
    if s.last_live_id().is_some_and(|id| id > s.last_id) {
        return Err(corrupt("stream last ID below its entries"));
    }
    let ngroups = r.count(4)?;
    for _ in 0..ngroups {
        let name = Bytes::from(r.string()?);
        let last_id = read_id(r)?;
        let entries_read = if v1 {
            s.estimate_distance(last_id)
                .map_or(ENTRIES_READ_INVALID, |d| d as i64)
        } else {
            r.length()? as i64
        };
        let mut g = ConsumerGroup::new(last_id, entries_read);
        let npel = r.count(25)?;
        for _ in 0..npel {
            let id = raw_id(r.bytes(16)?)?;
            let delivery_time = read_ms(r)?;
            let delivery_count = r.length()?;
            let entry = PendingEntry {
                consumer: Bytes::new(),
                delivery_time,
                delivery_count,
            };
            if g.pel.insert(id, entry).is_some() {
                return Err(corrupt("duplicate PEL entry"));
            }
        }
        let nconsumers = r.count(10)?;
        let mut consumers = BTreeMap::new();
        let mut owned: BTreeSet<StreamId> = BTreeSet::new();
        for _ in 0..nconsumers {
            let cname = Bytes::from(r.string()?);
            let seen_time = read_ms(r)?;
            let n = r.count(16)?;
            let mut pel = BTreeSet::new();
            for _ in 0..n {
                let id = raw_id(r.bytes(16)?)?;
                let p = g
                    .pel
                    .get_mut(&id)
                    .ok_or(corrupt("consumer PEL entry not in group PEL"))?;
                if !owned.insert(id) {
                    return Err(corrupt("PEL entry owned twice"));
                }
                p.consumer = cname.clone();
                pel.insert(id);
            }
            if consumers
                .insert(cname, Consumer { seen_time, pel })
                .is_some()
            {
                return Err(corrupt("duplicate consumer"));
            }
        }
        if owned.len() != g.pel.len() {
            return Err(corrupt("PEL entry without a consumer"));
        }
        g.consumers = consumers;
        if s.groups.insert(name, g).is_some() {
            return Err(corrupt("duplicate consumer group"));
        }
    }
    Ok(s)
}
