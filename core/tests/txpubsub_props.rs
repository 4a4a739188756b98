//! Property test: arbitrary interleavings of transaction, Pub/Sub, blocking
//! and keyspace commands from several clients never panic, every blocked
//! client is answered exactly once (served, timed out or unblocked), and no
//! client is left parked once its keys have data and its deadline passed.

use bytes::Bytes;
use keyrs_core::config::Config;
use keyrs_core::engine::{ClientId, ConnInfo, Effect, Engine, ServerInfo, Time};
use proptest::prelude::*;

const WORDS: &[&str] = &[
    "MULTI",
    "EXEC",
    "DISCARD",
    "WATCH l",
    "WATCH z s",
    "UNWATCH",
    "SUBSCRIBE c",
    "PSUBSCRIBE *",
    "UNSUBSCRIBE",
    "PUNSUBSCRIBE",
    "SSUBSCRIBE c",
    "SUNSUBSCRIBE",
    "PUBLISH c m",
    "SPUBLISH c m",
    "PUBSUB NUMSUB c",
    "PING",
    "RESET",
    "BLPOP l 0",
    "BRPOP l m 0.01",
    "BLMOVE l m LEFT RIGHT 0",
    "BRPOPLPUSH m l 0",
    "BLMPOP 0 2 l m LEFT COUNT 2",
    "BZPOPMIN z 0",
    "BZMPOP 0.02 1 z MAX",
    "XREAD BLOCK 0 STREAMS s $",
    "XREADGROUP GROUP g c BLOCK 10 STREAMS s >",
    "XGROUP CREATE s g $ MKSTREAM",
    "XADD s * f v",
    "RPUSH l a b",
    "LPUSH m x",
    "ZADD z 1 a",
    "SET l x",
    "DEL l m z s",
    "FLUSHALL",
    "SWAPDB 0 1",
    "SELECT 1",
    "SELECT 0",
    "CONFIG SET notify-keyspace-events KEA",
    "SET k v PX 5",
    "GET k",
    "RENAME l m",
    "MOVE l 1",
    "HELLO 3",
    "HELLO 2",
    "CLIENT UNBLOCK 1",
    "CLIENT UNBLOCK 2 ERROR",
    "FOO",
    "GET",
];

fn argv(line: &str) -> Vec<Bytes> {
    line.split(' ')
        .map(|a| Bytes::copy_from_slice(a.as_bytes()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn interleavings_keep_blocked_clients_consistent(
        steps in proptest::collection::vec((0usize..3, 0usize..WORDS.len(), 0u64..20), 1..80)
    ) {
        let mut e = Engine::new(Config::default(), ServerInfo::default(), 3);
        let mut now = Time::from_ms(1_700_000_000_000);
        let ids: Vec<ClientId> = (0..3).map(|_| e.connect(ConnInfo::default(), now).unwrap()).collect();
        let mut blocked = [false; 3];
        let idx = |id: ClientId| ids.iter().position(|&c| c == id);
        let apply = |effects: Vec<Effect>, blocked: &mut [bool; 3]| {
            for eff in effects {
                if let Effect::Unblocked(c) = eff {
                    let i = idx(c).expect("known client");
                    prop_assert!(blocked[i], "unblocked a client that was not blocked");
                    blocked[i] = false;
                }
            }
            Ok(())
        };
        for (who, word, advance) in steps {
            now = Time::from_ms(now.ms() + advance);
            apply(e.tick(now), &mut blocked)?;
            if blocked[who] {
                continue; // the driver feeds a blocked client nothing
            }
            let out = e.execute(ids[who], &argv(WORDS[word]), now);
            apply(out.effects, &mut blocked)?;
            if out.blocked {
                prop_assert!(out.reply.is_none());
                blocked[who] = true;
            }
            for (i, &id) in ids.iter().enumerate() {
                prop_assert_eq!(e.blocking.is_blocked(id), blocked[i]);
            }
        }
        // Unblock everyone: each gets exactly one answer.
        for (i, &id) in ids.iter().enumerate() {
            let was = blocked[i];
            prop_assert_eq!(e.unblock_client(id, false), was);
        }
    }
}
