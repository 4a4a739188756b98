//! Active expiry: Redis 7's adaptive cycle, driven by `Engine::tick`.
//!
//! Lazy expiry (in `Db::lookup`) only reclaims keys somebody touches; this
//! cycle reclaims the rest. Each tick walks the databases round robin; in
//! each it samples up to [`KEYS_PER_LOOP`] keys with a TTL by resuming a
//! SCAN cursor over the `expires` table, deletes the stale ones, and samples
//! again while more than [`ACCEPTABLE_STALE_PERCENT`] of the sample was
//! stale. Redis bounds a cycle by wall time (25% of a tick); the core reads
//! no clock, so it is bounded by a work budget of the same order instead.

use super::dict::Dict;
use super::{Engine, Time};

/// Keys sampled per database per loop at effort 1 (Redis's
/// `ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP`).
pub const KEYS_PER_LOOP: usize = 20;

/// Stale percentage above which a database is sampled again, at effort 1
/// (Redis's `ACTIVE_EXPIRE_CYCLE_ACCEPTABLE_STALE`).
pub const ACCEPTABLE_STALE_PERCENT: usize = 10;

/// Databases visited per cycle unless the previous cycle ran out of budget
/// (Redis's `CRON_DBS_PER_CALL`).
pub const DBS_PER_CALL: usize = 16;

/// Share of a tick the slow cycle may use, in percent, at effort 1 (Redis's
/// `ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC`).
pub const SLOW_TIME_PERCENT: u64 = 25;

/// Work units (a sampled key or a visited bucket, each roughly a
/// microsecond of Redis's time) the cycle may spend per millisecond of its
/// time share.
pub const WORK_UNITS_PER_MS: u64 = 1000;

/// The default `active-expire-effort`.
pub const DEFAULT_EFFORT: u32 = 1;

/// State carried between cycles.
#[derive(Debug, Clone)]
pub struct ExpireState {
    /// The database the next cycle starts at.
    pub next_db: usize,
    /// `active-expire-effort`, 1..=10: more effort samples more keys per
    /// loop, tolerates fewer stale keys and may use more of each tick.
    pub effort: u32,
    /// The last cycle stopped because its budget ran out (Redis's
    /// `timelimit_exit`): the next one visits every database.
    pub budget_exhausted: bool,
    /// Running estimate of the stale share of volatile keys, in percent
    /// (INFO `expired_stale_perc`).
    pub stale_percent: f64,
    /// Cycles that ran out of budget (INFO `expired_time_cap_reached_count`).
    pub budget_exhausted_count: u64,
}

impl Default for ExpireState {
    fn default() -> Self {
        ExpireState {
            next_db: 0,
            effort: DEFAULT_EFFORT,
            budget_exhausted: false,
            stale_percent: 0.0,
            budget_exhausted_count: 0,
        }
    }
}

/// The per-cycle limits derived from `effort` and `hz`, as Redis derives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CycleLimits {
    /// Keys sampled per loop.
    pub keys_per_loop: usize,
    /// Repeat a database while its stale share is above this percentage.
    pub acceptable_stale_percent: usize,
    /// Work units for the whole cycle.
    pub budget: u64,
}

impl CycleLimits {
    /// Limits for `effort` (clamped to 1..=10) at `hz` ticks per second.
    pub fn new(effort: u32, hz: u32) -> CycleLimits {
        let extra = effort.clamp(1, 10) as usize - 1;
        let time_percent = SLOW_TIME_PERCENT + 2 * extra as u64;
        let hz = u64::from(hz.max(1));
        let time_limit_us = (1_000_000 * time_percent / hz / 100).max(1);
        CycleLimits {
            keys_per_loop: KEYS_PER_LOOP + KEYS_PER_LOOP / 4 * extra,
            acceptable_stale_percent: ACCEPTABLE_STALE_PERCENT - extra,
            budget: time_limit_us * WORK_UNITS_PER_MS / 1000,
        }
    }
}

/// One slow active-expiry cycle at `now`.
pub fn active_expire_cycle(engine: &mut Engine, now: Time) {
    let ndb = engine.dbs.len();
    if ndb == 0 {
        return;
    }
    let limits = CycleLimits::new(engine.expire_state.effort, engine.config.hz);
    let mut budget = limits.budget;
    let dbs_per_call = if engine.expire_state.budget_exhausted {
        ndb
    } else {
        DBS_PER_CALL.min(ndb)
    };
    let (mut total_sampled, mut total_expired) = (0u64, 0u64);
    let mut exhausted = false;
    for _ in 0..dbs_per_call {
        if exhausted {
            break;
        }
        let dbi = engine.expire_state.next_db % ndb;
        engine.expire_state.next_db = (dbi + 1) % ndb;
        let db = &mut engine.dbs[dbi];
        loop {
            let num = db.expires.len();
            if num == 0 {
                break;
            }
            // Under 1% full: sampling would mostly hit empty buckets; wait
            // for the table to shrink (Redis does the same).
            let slots = db.expires.buckets();
            if slots > 4 && num.saturating_mul(100) / slots < 1 {
                break;
            }
            let want = num.min(limits.keys_per_loop);
            let max_buckets = want.saturating_mul(20);
            let mut sample = Vec::with_capacity(want + 4);
            let mut checked = 0;
            let mut cursor = db.expires_cursor;
            while sample.len() < want && checked < max_buckets {
                cursor = db
                    .expires
                    .scan_step(cursor, |k, &at| sample.push((k.clone(), at)));
                checked += 1;
            }
            db.expires_cursor = cursor;
            let sampled = sample.len();
            let mut expired = 0;
            for (k, at) in sample {
                if at < now.ms() {
                    db.remove(&k);
                    db.note_expired_key(k);
                    expired += 1;
                }
            }
            total_sampled += sampled as u64;
            total_expired += expired as u64;
            let cost = (sampled + checked) as u64;
            budget = budget.saturating_sub(cost);
            if budget == 0 {
                exhausted = true;
                break;
            }
            let repeat = sampled == 0 || expired * 100 / sampled > limits.acceptable_stale_percent;
            if !repeat {
                break;
            }
        }
    }
    let st = &mut engine.expire_state;
    st.budget_exhausted = exhausted;
    if exhausted {
        st.budget_exhausted_count += 1;
    }
    let current = if total_sampled > 0 {
        total_expired as f64 / total_sampled as f64 * 100.0
    } else {
        0.0
    };
    st.stale_percent = current * 0.05 + st.stale_percent * 0.95;
}

/// Keys with a TTL in `expires` that are stale at `now`, without deleting
/// anything (for tests and DEBUG-style introspection).
pub fn count_stale(expires: &Dict<u64>, now: Time) -> usize {
    expires.iter().filter(|(_, &at)| at < now.ms()).count()
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;
    use crate::config::Config;
    use crate::engine::value::Value;
    use crate::engine::ServerInfo;

    fn engine() -> Engine {
        Engine::new(Config::default(), ServerInfo::default(), 42)
    }

    fn fill(e: &mut Engine, db: usize, n: usize, ttl_at: Option<u64>, prefix: &str) {
        for i in 0..n {
            let k = Bytes::from(format!("{prefix}{i}"));
            e.dbs[db].set(
                k.clone(),
                Value::string(Bytes::from_static(b"v")),
                Time::from_ms(0),
            );
            if let Some(at) = ttl_at {
                e.dbs[db].set_expire(&k, at);
            }
        }
    }

    #[test]
    fn limits_follow_effort_and_hz() {
        let l = CycleLimits::new(1, 10);
        assert_eq!(l.keys_per_loop, 20);
        assert_eq!(l.acceptable_stale_percent, 10);
        assert_eq!(l.budget, 25_000);
        let l = CycleLimits::new(10, 10);
        assert_eq!(l.keys_per_loop, 65);
        assert_eq!(l.acceptable_stale_percent, 1);
        assert_eq!(CycleLimits::new(1, 100).budget, 2_500);
    }

    #[test]
    fn lazy_expiry_on_lookup() {
        let mut e = engine();
        fill(&mut e, 0, 1, Some(1_000), "k");
        assert!(e.dbs[0].lookup(b"k0", Time::from_ms(1_000)).is_some());
        assert!(e.dbs[0].lookup(b"k0", Time::from_ms(1_001)).is_none());
        assert_eq!(e.dbs[0].len(), 0);
        assert_eq!(e.dbs[0].take_expired_count(), 1);
        assert_eq!(e.dbs[0].take_expired_count(), 0);
    }

    #[test]
    fn active_cycle_reclaims_everything_stale_over_ticks() {
        let mut e = engine();
        fill(&mut e, 0, 5_000, Some(1_000), "a");
        fill(&mut e, 3, 3_000, Some(1_000), "b");
        fill(&mut e, 0, 500, Some(10_000), "live");
        fill(&mut e, 0, 500, None, "forever");
        // Nothing is stale yet: one cycle deletes nothing.
        e.tick(Time::from_ms(500));
        assert_eq!(e.dbs[0].len(), 6_000);
        assert_eq!(e.stats.expired_keys, 0);
        let mut t = 1_000;
        let mut ticks = 0;
        while e.dbs[0].len() > 1_000 || !e.dbs[3].is_empty() {
            t += 100;
            e.tick(Time::from_ms(t));
            ticks += 1;
            assert!(ticks < 1_000, "active expiry made no progress");
        }
        assert_eq!(e.dbs[0].len(), 1_000);
        assert_eq!(e.dbs[0].expires.len(), 500);
        assert_eq!(e.stats.expired_keys, 8_000);
        assert_eq!(count_stale(&e.dbs[0].expires, Time::from_ms(t)), 0);
        assert!(e.expire_state.stale_percent > 0.0);
    }

    #[test]
    fn cycle_is_bounded_by_budget() {
        let mut e = engine();
        fill(&mut e, 0, 100_000, Some(1), "x");
        e.tick(Time::from_ms(10));
        let left = e.dbs[0].len();
        // One cycle must not do unbounded work: a budget of 25k units at
        // hz 10 cannot delete all 100k keys.
        assert!(left > 50_000, "left {left}");
        assert!(left < 100_000);
        assert!(e.expire_state.budget_exhausted);
        assert_eq!(e.expire_state.budget_exhausted_count, 1);
    }

    #[test]
    fn stops_when_few_are_stale() {
        let mut e = engine();
        // 2% stale: one loop of 20 samples, then the db is left alone.
        fill(&mut e, 0, 980, Some(1_000_000), "live");
        fill(&mut e, 0, 20, Some(1), "dead");
        e.tick(Time::from_ms(10));
        let dead_left = count_stale(&e.dbs[0].expires, Time::from_ms(10));
        assert!(
            dead_left >= 15,
            "a low stale share must not trigger repeats"
        );
    }

    #[test]
    fn disabled_active_expiry_leaves_keys() {
        let mut e = engine();
        e.active_expire_enabled = false;
        fill(&mut e, 0, 100, Some(1), "x");
        e.tick(Time::from_ms(10));
        assert_eq!(e.dbs[0].len(), 100);
    }

    #[test]
    fn round_robin_over_dbs() {
        let mut e = engine();
        e.config.databases = 32;
        e.dbs = (0..32).map(|_| crate::engine::Db::new(1)).collect();
        fill(&mut e, 31, 10, Some(1), "x");
        // 16 dbs per call: db 31 is reached on the second tick.
        e.tick(Time::from_ms(10));
        assert_eq!(e.dbs[31].len(), 10);
        e.tick(Time::from_ms(20));
        assert_eq!(e.dbs[31].len(), 0);
    }
}
