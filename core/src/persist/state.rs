//! The engine's persistence state: snapshots in progress, the last save,
//! a background save being run by the driver, loading progress.

use super::snapshot::Snapshots;

/// Everything the engine knows about saving and loading.
#[derive(Debug, Default)]
pub struct PersistState {
    /// Point-in-time snapshots in progress.
    pub snapshots: Snapshots,
}
