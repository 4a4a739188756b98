//! The node's identity on disk: `keyrs-node.id` in the data directory,
//! read at start or created once (KeyDB draws a new id at every start, so
//! its peers take a restarted node for a stranger; keyrs keeps it).
//!
//! Besides the durable id, every start gets:
//! - a start counter, `boot` (1 at the first start, then 2, 3, ...), kept
//!   in the same file so it survives restarts and only ever grows;
//! - a fresh random writer id, the origin of every version and envelope the
//!   node issues while this process runs (never stored: a restarted node
//!   must not reuse the origin of writes its peers may have collected
//!   tombstones for).
//!
//! The file holds the id on its first line and `boot <n>` on the second.
//! A file of the id line alone (written before the counter existed) loads
//! as boot 0, so its next start is boot 1.

use std::path::Path;

use keyrs_core::repl::active::node::{NodeId, ID_FILE};

/// What one start of the server is: the durable node id, this start's
/// number and this start's writer id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    /// The id kept across restarts (REPLCONF uuid, the RDB aux field).
    pub node: NodeId,
    /// This start's number: one more than the previous start's.
    pub boot: u64,
    /// A fresh random id for the writes this process issues.
    pub writer: NodeId,
}

/// The prefix of the file's second line.
const BOOT_PREFIX: &str = "boot ";

/// Read the id file: the node id and the last start's number (0 for a file
/// without a counter). `None` when the contents are damaged in any way.
fn decode(contents: &[u8]) -> Option<(NodeId, u64)> {
    let text = std::str::from_utf8(contents).ok()?;
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let id = NodeId::decode_file(lines.next()?.as_bytes()).ok()?;
    let boot = match lines.next() {
        None => 0,
        Some(line) => {
            let n = line.strip_prefix(BOOT_PREFIX)?.trim();
            // Digits only: `u64::from_str` would also take a leading '+'.
            if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            n.parse().ok()?
        }
    };
    // Anything after the counter is not something keyrs wrote.
    if lines.next().is_some() {
        return None;
    }
    Some((id, boot))
}

/// The file's contents for `id` at start `boot`.
fn encode(id: NodeId, boot: u64) -> Vec<u8> {
    let mut v = id.encode_file();
    v.extend_from_slice(format!("{BOOT_PREFIX}{boot}\n").as_bytes());
    v
}

/// A fresh random id (the OS's randomness; time and pid if it refuses).
fn random_id() -> NodeId {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        bytes[..8].copy_from_slice(&crate::host::random_u64().to_le_bytes());
        bytes[8..].copy_from_slice(&crate::host::random_u64().to_le_bytes());
    }
    NodeId::from_random(bytes)
}

/// The id kept in `dir` (or a new one), this start's number (the last one
/// plus one), written back to `dir`, and a fresh writer id. An unreadable
/// or damaged file is replaced (logged): the node then starts as a new one,
/// at boot 1. A counter that cannot be persisted is logged too: the next
/// start would repeat this boot number, but its writer id still differs.
pub fn load_or_create(dir: &Path) -> Identity {
    let path = dir.join(ID_FILE);
    let known = match std::fs::read(&path) {
        Ok(bytes) => {
            let known =
                decode(&bytes).and_then(|(id, boot)| boot.checked_add(1).map(|next| (id, next)));
            if known.is_none() {
                tracing::warn!(
                    "{}: not a node id and start counter; a new node id replaces it",
                    path.display()
                );
            }
            known
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            tracing::warn!("Can't read {}: {e}", path.display());
            None
        }
    };
    let (node, boot) = known.unwrap_or_else(|| (random_id(), 1));
    let tmp = dir.join(format!("{ID_FILE}.tmp"));
    if let Err(e) = keyrs_io::atomic_file::replace(&path, &tmp, &encode(node, boot)) {
        tracing::warn!("Can't write {}: {e}", path.display());
    }
    // Equal ids are a 2^-122 event, but a writer id must never pass for
    // the node's own durable id.
    let writer = std::iter::repeat_with(random_id)
        .find(|w| *w != node)
        .unwrap_or(NodeId::NIL);
    Identity { node, boot, writer }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory for one test (removed by the caller).
    fn test_dir(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("keyrs-node-id-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn the_id_is_created_once_and_kept() {
        let dir = test_dir("kept");
        let first = load_or_create(&dir);
        assert_eq!(first.boot, 1, "the first start");
        let again = load_or_create(&dir);
        assert_eq!(again.node, first.node, "read back");
        std::fs::write(dir.join(ID_FILE), b"garbage").unwrap();
        let fresh = load_or_create(&dir);
        assert_ne!(fresh.node, first.node, "a damaged file gives a new id");
        assert_eq!(fresh.boot, 1, "a new id starts over");
        assert_eq!(load_or_create(&dir).node, fresh.node);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_start_counter_grows_and_every_start_has_its_own_writer() {
        let dir = test_dir("boot");
        let starts: Vec<Identity> = (0..4).map(|_| load_or_create(&dir)).collect();
        let boots: Vec<u64> = starts.iter().map(|s| s.boot).collect();
        assert_eq!(boots, [1, 2, 3, 4]);
        assert!(starts.iter().all(|s| s.node == starts[0].node));
        let writers: std::collections::BTreeSet<NodeId> = starts.iter().map(|s| s.writer).collect();
        assert_eq!(writers.len(), starts.len(), "a writer id was reused");
        assert!(!writers.contains(&starts[0].node));
        assert!(!writers.contains(&NodeId::NIL));
        // The file says what the last start was.
        let text = std::fs::read_to_string(dir.join(ID_FILE)).unwrap();
        assert_eq!(text, format!("{}\nboot 4\n", starts[0].node));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_file_without_a_counter_loads_as_boot_zero() {
        let dir = test_dir("old");
        let id = NodeId::from_random([7; 16]);
        // What keyrs wrote before the counter existed.
        std::fs::write(dir.join(ID_FILE), id.encode_file()).unwrap();
        let start = load_or_create(&dir);
        assert_eq!((start.node, start.boot), (id, 1));
        assert_eq!(load_or_create(&dir).boot, 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn damaged_counters_are_refused() {
        let id = NodeId::from_random([9; 16]);
        let text = id.to_string();
        assert_eq!(
            decode(format!("{text}\nboot 12\n").as_bytes()),
            Some((id, 12))
        );
        assert_eq!(
            decode(format!("  {text}  \r\n boot 3 \r\n\n").as_bytes()),
            Some((id, 3))
        );
        for bad in [
            format!("{text}\nboot\n"),
            format!("{text}\nboot -1\n"),
            format!("{text}\nboot +1\n"),
            format!("{text}\nboot x\n"),
            format!("{text}\nboot 99999999999999999999999\n"),
            format!("{text}\nstart 3\n"),
            format!("{text}\nboot 3\nmore\n"),
            format!("{}\nboot 3\n", NodeId::NIL),
            "boot 3\n".to_string(),
            String::new(),
        ] {
            assert_eq!(decode(bad.as_bytes()), None, "{bad:?}");
        }
        assert_eq!(decode(&[0xff, 0xfe]), None);
    }

    #[test]
    fn a_damaged_or_exhausted_counter_gives_a_new_id() {
        let dir = test_dir("damaged");
        let first = load_or_create(&dir);
        let path = dir.join(ID_FILE);
        std::fs::write(&path, format!("{}\nboot many\n", first.node)).unwrap();
        let fresh = load_or_create(&dir);
        assert_ne!(fresh.node, first.node);
        assert_eq!(fresh.boot, 1);
        // The largest counter cannot grow: a new identity instead.
        std::fs::write(&path, format!("{}\nboot {}\n", fresh.node, u64::MAX)).unwrap();
        let wrapped = load_or_create(&dir);
        assert_ne!(wrapped.node, fresh.node);
        assert_eq!(wrapped.boot, 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
