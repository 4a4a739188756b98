//! Batch prefetch (KeyDB's `prefetch-enabled`): before a worker runs the
//! commands it parsed in one loop iteration, the keys they name are looked
//! up in stages (bucket slots, then first nodes, then string values), each
//! stage only hinting the CPU to load the next level. The cache misses of
//! a batch then overlap instead of stalling each command in turn: with 1M
//! keys and pipelined GETs, those misses were about half the server's CPU
//! time (BENCHMARKS.md).

use bytes::Bytes;

use super::client::ClientId;
use super::value::{StrValue, Value};
use super::Engine;

impl Engine {
    /// Prefetch the first key of each command in `batch`, in the database
    /// its client has selected. Only hints: nothing is read for the reply,
    /// no statistics or access times change. `batch` is walked three
    /// times, so it must be cheap to clone. `hint` issues the CPU's
    /// prefetch for an address (the runtime's; this crate has no `unsafe`).
    pub fn prefetch_batch<'a, I, H>(&self, batch: I, hint: H)
    where
        I: Iterator<Item = (ClientId, &'a [Bytes])> + Clone,
        H: Fn(*const u8),
    {
        // One command has nothing to overlap with.
        if batch.clone().nth(1).is_none() || !self.config.prefetch_enabled() {
            return;
        }
        for stage in 0..3 {
            let mut last: Option<(ClientId, usize)> = None;
            for (client, argv) in batch.clone() {
                let Some(key) = argv.get(1) else {
                    continue;
                };
                let db = match last {
                    Some((c, db)) if c == client => db,
                    _ => match self.clients.get(client) {
                        Some(state) => {
                            last = Some((client, state.db));
                            state.db
                        }
                        None => continue,
                    },
                };
                let Some(keys) = self.dbs.get(db).map(|d| &d.keys) else {
                    continue;
                };
                match stage {
                    0 => keys.prefetch_bucket(key, &hint),
                    1 => keys.prefetch_node(key, &hint),
                    _ => keys.prefetch_value(
                        key,
                        |entry| match &entry.value {
                            Value::Str(StrValue::Emb(b)) => Some(b.as_ptr()),
                            Value::Str(StrValue::Raw(v)) => Some(v.as_ptr()),
                            _ => None,
                        },
                        &hint,
                    ),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;
    use crate::config::Config;
    use crate::engine::{ConnInfo, ServerInfo, Time};

    const NOW: Time = Time {
        unix_us: 1_795_273_448_328_411,
    };

    fn argv(line: &str) -> Vec<Bytes> {
        line.split(' ')
            .map(|a| Bytes::copy_from_slice(a.as_bytes()))
            .collect()
    }

    fn client(e: &mut Engine) -> ClientId {
        let info = ConnInfo {
            addr: "127.0.0.1:50000".into(),
            laddr: "127.0.0.1:6379".into(),
            fd: 8,
            thread: 0,
        };
        e.connect(info, NOW).expect("room")
    }

    /// The address of a string key's bytes.
    fn value_ptr(e: &Engine, db: usize, key: &str) -> *const u8 {
        match &e.dbs[db].keys.get(key.as_bytes()).expect("key").value {
            Value::Str(StrValue::Emb(b)) => b.as_ptr(),
            Value::Str(StrValue::Raw(v)) => v.as_ptr(),
            other => panic!("not a string: {other:?}"),
        }
    }

    /// Two clients, the second on database 1, with string keys to fetch.
    fn setup() -> (Engine, ClientId, ClientId) {
        let mut e = Engine::new(Config::default(), ServerInfo::default(), 1);
        let (a, b) = (client(&mut e), client(&mut e));
        let long = "v".repeat(100);
        for line in [format!("SET k1 {long}"), "SET k2 short".into()] {
            e.execute(a, &argv(&line), NOW);
        }
        e.execute(b, &argv("SELECT 1"), NOW);
        e.execute(b, &argv(&format!("SET k3 {long}")), NOW);
        (e, a, b)
    }

    fn hints(e: &Engine, batch: &[(ClientId, Vec<Bytes>)]) -> Vec<*const u8> {
        let seen = RefCell::new(Vec::new());
        let iter = batch.iter().map(|(c, v)| (*c, v.as_slice()));
        e.prefetch_batch(iter, |p| seen.borrow_mut().push(p));
        seen.into_inner()
    }

    #[test]
    fn every_stage_hints_each_key_in_its_clients_database() {
        let (e, a, b) = setup();
        let batch = vec![
            (a, argv("GET k1")),
            (a, argv("PING")),
            (b, argv("GET k3")),
            (a, argv("GET k2")),
        ];
        let got = hints(&e, &batch);
        // Bucket, node and value for each of the three keyed commands.
        assert_eq!(got.len(), 9, "{got:?}");
        let values = &got[6..];
        assert_eq!(
            values,
            &[
                value_ptr(&e, 0, "k1"),
                value_ptr(&e, 1, "k3"),
                value_ptr(&e, 0, "k2")
            ]
        );
    }

    #[test]
    fn a_missing_key_gets_no_value_hint() {
        let (e, a, _) = setup();
        let batch = vec![(a, argv("GET nosuchkey")), (a, argv("GET k1"))];
        let got = hints(&e, &batch);
        assert!(got.contains(&value_ptr(&e, 0, "k1")));
        // Two bucket hints; node hints only for non-empty buckets; one value.
        assert!((3..=5).contains(&got.len()), "{got:?}");
    }

    #[test]
    fn nothing_for_one_command_or_when_disabled() {
        let (mut e, a, _) = setup();
        assert!(hints(&e, &[(a, argv("GET k1"))]).is_empty());
        let batch = vec![(a, argv("GET k1")), (a, argv("GET k2"))];
        assert!(!hints(&e, &batch).is_empty());
        e.execute(a, &argv("CONFIG SET prefetch-enabled no"), NOW);
        assert!(hints(&e, &batch).is_empty());
    }
}
