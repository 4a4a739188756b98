//! Fuzz target: the RDB file loader on arbitrary bytes.
//!
//! Byte 0 picks a chunk size (1..=256); the rest is an RDB file. Checked:
//! - loading never panics (every length header is bounded by the input);
//! - feeding the file in chunks yields the same events and the same final
//!   error as feeding it whole;
//! - whatever loads, written again with `RdbWriter` and loaded back, gives
//!   the same keys, values and expiries (writer and loader agree on every
//!   value the loader can produce).

use keyrs_core::engine::value::Value;
use keyrs_core::persist::rdb::file::{LoadEvent, RdbFileError, RdbLoader, RdbOptions, RdbWriter};

/// Every event of `data` fed in pieces of `chunk` bytes, and the error
/// that stopped the load, if any.
pub fn load_chunked(data: &[u8], chunk: usize) -> (Vec<LoadEvent>, Option<RdbFileError>) {
    let mut l = RdbLoader::new();
    let mut events = Vec::new();
    let drain = |l: &mut RdbLoader, events: &mut Vec<LoadEvent>| loop {
        match l.next_event() {
            Ok(Some(ev)) => events.push(ev),
            Ok(None) => return None,
            Err(e) => return Some(e),
        }
    };
    for piece in data.chunks(chunk.max(1)) {
        l.feed(piece);
        if let Some(e) = drain(&mut l, &mut events) {
            return (events, Some(e));
        }
    }
    l.end_of_input();
    let err = drain(&mut l, &mut events);
    (events, err)
}

fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => x.to_bytes() == y.to_bytes(),
        _ => a == b,
    }
}

/// Fuzz target entry point.
pub fn rdb_loader(data: &[u8]) {
    let Some((&first, file)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(first) + 1;
    let whole = load_chunked(file, file.len().max(1));
    let chunked = load_chunked(file, chunk);
    assert_eq!(whole, chunked, "chunk size {chunk} changed the load");
    let (events, err) = whole;
    if err.is_some() {
        return;
    }
    // Write what loaded and load it again.
    let mut w = RdbWriter::new(RdbOptions::default());
    let mut entries = Vec::new();
    let mut db = None;
    for ev in &events {
        if let LoadEvent::Entry {
            db: d,
            key,
            value,
            expire_ms,
        } = ev
        {
            if db != Some(*d) {
                w.select_db(*d, 0, 0);
                db = Some(*d);
            }
            w.entry(key, value, *expire_ms);
            entries.push(ev);
        }
    }
    let bytes = w.finish();
    let (again, err) = load_chunked(&bytes, bytes.len());
    assert!(err.is_none(), "rewritten file refused: {err:?}");
    let again: Vec<&LoadEvent> = again
        .iter()
        .filter(|e| matches!(e, LoadEvent::Entry { .. }))
        .collect();
    assert_eq!(entries.len(), again.len());
    for (a, b) in entries.iter().zip(again) {
        match (a, b) {
            (
                LoadEvent::Entry {
                    db,
                    key,
                    value,
                    expire_ms,
                },
                LoadEvent::Entry {
                    db: db2,
                    key: key2,
                    value: value2,
                    expire_ms: exp2,
                },
            ) => {
                assert_eq!((db, key, expire_ms), (db2, key2, exp2));
                assert!(same_value(value, value2), "{key:?} changed on rewrite");
            }
            _ => unreachable!("filtered to entries"),
        }
    }
}
