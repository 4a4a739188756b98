//! Active expiry: Redis's adaptive sampling cycle, driven by `Engine::tick`.

use super::{Engine, Time};

/// Keys sampled per database per loop (Redis's `ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP`).
pub const KEYS_PER_LOOP: usize = 20;

/// State carried between cycles.
#[derive(Debug, Default, Clone)]
pub struct ExpireState {
    /// The database the next cycle starts at.
    pub next_db: usize,
}

/// One active-expiry cycle: sample keys with a TTL in each database, delete
/// the expired ones, and repeat on a database while more than a quarter of
/// the sample was expired (bounded by a work budget instead of wall time,
/// since the engine reads no clock).
pub fn active_expire_cycle(engine: &mut Engine, now: Time) {
    let ndb = engine.dbs.len();
    if ndb == 0 {
        return;
    }
    let mut budget = 16 * KEYS_PER_LOOP;
    for i in 0..ndb {
        let dbi = (engine.expire_state.next_db + i) % ndb;
        loop {
            if engine.dbs[dbi].expires.is_empty() || budget == 0 {
                break;
            }
            let mut expired = 0;
            let mut sampled = 0;
            for _ in 0..KEYS_PER_LOOP.min(engine.dbs[dbi].expires.len()) {
                let r = engine.random_u64();
                let db = &mut engine.dbs[dbi];
                let Some((k, &at)) = db.expires.random_entry(r) else {
                    break;
                };
                sampled += 1;
                budget = budget.saturating_sub(1);
                if at < now.ms() {
                    let k = k.clone();
                    db.remove(&k);
                    db.note_expired();
                    expired += 1;
                }
            }
            if sampled == 0 || expired * 4 <= sampled {
                break;
            }
        }
    }
    engine.expire_state.next_db = (engine.expire_state.next_db + 1) % ndb;
}
