//! The node's identity on disk: `keyrs-node.id` in the data directory,
//! read at start or created once (KeyDB draws a new id at every start, so
//! its peers take a restarted node for a stranger; keyrs keeps it).

use std::path::Path;

use keyrs_core::repl::active::node::{NodeId, ID_FILE};

/// The id kept in `dir`, or a new one written there. An unreadable or
/// damaged file is replaced (logged): the node then starts as a new one.
pub fn load_or_create(dir: &Path) -> NodeId {
    let path = dir.join(ID_FILE);
    match std::fs::read(&path) {
        Ok(bytes) => match NodeId::decode_file(&bytes) {
            Ok(id) => return id,
            Err(e) => tracing::warn!("{}: {e}; a new node id replaces it", path.display()),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => tracing::warn!("Can't read {}: {e}", path.display()),
    }
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        bytes[..8].copy_from_slice(&crate::host::random_u64().to_le_bytes());
        bytes[8..].copy_from_slice(&crate::host::random_u64().to_le_bytes());
    }
    let id = NodeId::from_random(bytes);
    let tmp = dir.join(format!("{ID_FILE}.tmp"));
    if let Err(e) = keyrs_io::atomic_file::replace(&path, &tmp, &id.encode_file()) {
        tracing::warn!("Can't write {}: {e}", path.display());
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_is_created_once_and_kept() {
        let dir = std::env::temp_dir().join(format!("keyrs-node-id-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let _ = std::fs::remove_file(dir.join(ID_FILE));
        let first = load_or_create(&dir);
        assert_eq!(load_or_create(&dir), first, "read back");
        std::fs::write(dir.join(ID_FILE), b"garbage").unwrap();
        let fresh = load_or_create(&dir);
        assert_ne!(fresh, first, "a damaged file gives a new id");
        assert_eq!(load_or_create(&dir), fresh);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
