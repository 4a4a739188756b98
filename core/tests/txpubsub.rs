//! Transactions, WATCH, Pub/Sub, keyspace notifications and the blocking
//! framework through `Engine::execute`. Every expected wire text was first
//! observed on redis-server 7.0.15.

use bytes::Bytes;
use keyrs_core::config::Config;
use keyrs_core::engine::{ClientId, ConnInfo, Effect, Engine, ServerInfo, Time};
use keyrs_core::resp::encoder::encode_to_vec;
use keyrs_core::resp::Protocol;

const NOW_MS: u64 = 1_700_000_000_000;

struct T {
    e: Engine,
    now: Time,
}

/// What one command produced, rendered as wire text.
struct Out {
    /// The reply (and further replies), in the caller's protocol.
    reply: String,
    /// Deliveries, as (client, text), in order.
    delivered: Vec<(ClientId, String)>,
    unblocked: Vec<ClientId>,
    blocked: bool,
}

impl T {
    fn new() -> T {
        let e = Engine::new(Config::default(), ServerInfo::default(), 7);
        T {
            e,
            now: Time::from_ms(NOW_MS),
        }
    }

    fn client(&mut self) -> ClientId {
        self.e.connect(ConnInfo::default(), self.now).unwrap()
    }

    fn exec(&mut self, id: ClientId, line: &str) -> Out {
        let argv: Vec<Bytes> = line
            .split(' ')
            .map(|a| Bytes::copy_from_slice(a.as_bytes()))
            .collect();
        let out = self.e.execute(id, &argv, self.now);
        let mut reply = String::new();
        for r in out.reply.iter().chain(out.more.iter()) {
            reply.push_str(&String::from_utf8(encode_to_vec(r, out.proto)).unwrap());
        }
        let mut delivered = Vec::new();
        let mut unblocked = Vec::new();
        for eff in out.effects {
            match eff {
                Effect::Deliver { client, bytes } => {
                    delivered.push((client, String::from_utf8(bytes.to_vec()).unwrap()))
                }
                Effect::Unblocked(c) => unblocked.push(c),
                _ => {}
            }
        }
        Out {
            reply,
            delivered,
            unblocked,
            blocked: out.blocked,
        }
    }

    /// Just the reply text.
    fn run(&mut self, id: ClientId, line: &str) -> String {
        self.exec(id, line).reply
    }

    fn advance_ms(&mut self, ms: u64) {
        self.now = Time::from_ms(self.now.ms() + ms);
    }
}

#[test]
fn multi_exec_discard_errors() {
    let mut t = T::new();
    let c = t.client();
    assert_eq!(t.run(c, "EXEC"), "-ERR EXEC without MULTI\r\n");
    assert_eq!(t.run(c, "DISCARD"), "-ERR DISCARD without MULTI\r\n");
    assert_eq!(t.run(c, "MULTI"), "+OK\r\n");
    assert_eq!(t.run(c, "MULTI"), "-ERR MULTI calls can not be nested\r\n");
    assert_eq!(
        t.run(c, "WATCH x"),
        "-ERR WATCH inside MULTI is not allowed\r\n"
    );
    assert_eq!(t.run(c, "SET a 1"), "+QUEUED\r\n");
    assert_eq!(t.run(c, "INCR a"), "+QUEUED\r\n");
    assert_eq!(t.run(c, "GET a"), "+QUEUED\r\n");
    assert_eq!(t.run(c, "EXEC"), "*3\r\n+OK\r\n:2\r\n$1\r\n2\r\n");
    // Nothing queued ran before EXEC.
    assert_eq!(t.run(c, "MULTI"), "+OK\r\n");
    assert_eq!(t.run(c, "SET a 5"), "+QUEUED\r\n");
    assert_eq!(t.run(c, "DISCARD"), "+OK\r\n");
    assert_eq!(t.run(c, "GET a"), "$1\r\n2\r\n");
}

#[test]
fn queued_errors_abort_exec() {
    let mut t = T::new();
    let c = t.client();
    t.run(c, "MULTI");
    assert_eq!(t.run(c, "SET a 1"), "+QUEUED\r\n");
    assert_eq!(
        t.run(c, "FOO"),
        "-ERR unknown command 'FOO', with args beginning with: \r\n"
    );
    assert_eq!(
        t.run(c, "GET"),
        "-ERR wrong number of arguments for 'get' command\r\n"
    );
    assert_eq!(
        t.run(c, "EXEC"),
        "-EXECABORT Transaction discarded because of previous errors.\r\n"
    );
    assert_eq!(t.run(c, "GET a"), "$-1\r\n");
    // EXEC with arguments aborts and discards the transaction.
    t.run(c, "MULTI");
    assert_eq!(
        t.run(c, "EXEC x"),
        "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n"
    );
    assert_eq!(t.run(c, "EXEC"), "-ERR EXEC without MULTI\r\n");
    // Runtime errors inside EXEC do not abort the others.
    t.run(c, "MULTI");
    t.run(c, "SET s x");
    t.run(c, "INCR s");
    t.run(c, "SET t y");
    assert_eq!(
        t.run(c, "EXEC"),
        "*3\r\n+OK\r\n-ERR value is not an integer or out of range\r\n+OK\r\n"
    );
}

#[test]
fn watch_from_another_client_fails_exec() {
    let mut t = T::new();
    let (a, b) = (t.client(), t.client());
    t.run(a, "SET k 1");
    assert_eq!(t.run(a, "WATCH k"), "+OK\r\n");
    t.run(b, "SET k 2");
    t.run(a, "MULTI");
    t.run(a, "SET k 3");
    assert_eq!(t.run(a, "EXEC"), "*-1\r\n");
    assert_eq!(t.run(a, "GET k"), "$1\r\n2\r\n");
    // After EXEC the watch is gone: the next transaction runs.
    t.run(b, "SET k 4");
    t.run(a, "MULTI");
    t.run(a, "SET k 5");
    assert_eq!(t.run(a, "EXEC"), "*1\r\n+OK\r\n");
    // An untouched watch lets EXEC through; UNWATCH forgets a touched one.
    t.run(a, "WATCH k");
    t.run(a, "MULTI");
    assert_eq!(t.run(a, "EXEC"), "*0\r\n");
    t.run(a, "WATCH k");
    t.run(b, "DEL k");
    t.run(a, "UNWATCH");
    t.run(a, "MULTI");
    assert_eq!(t.run(a, "EXEC"), "*0\r\n");
    // A failed write (wrong type, NX refused) is no change.
    t.run(b, "SET k 1");
    t.run(a, "WATCH k");
    t.run(b, "SETNX k 2");
    t.run(a, "MULTI");
    assert_eq!(t.run(a, "EXEC"), "*0\r\n");
}

#[test]
fn watched_key_expiring_fails_exec() {
    let mut t = T::new();
    let a = t.client();
    t.run(a, "SET k 1 PX 100");
    t.run(a, "WATCH k");
    t.advance_ms(200);
    t.run(a, "MULTI");
    t.run(a, "PING");
    assert_eq!(t.run(a, "EXEC"), "*-1\r\n");
    // Lazily expired by a read in between: also a change.
    t.run(a, "SET k 1 PX 100");
    t.run(a, "WATCH k");
    t.advance_ms(200);
    assert_eq!(t.run(a, "GET k"), "$-1\r\n");
    t.run(a, "MULTI");
    assert_eq!(t.run(a, "EXEC"), "*-1\r\n");
    // Already expired when watched: its deletion is no change.
    t.run(a, "SET k 1 PX 100");
    t.e.active_expire_enabled = false;
    t.advance_ms(200);
    t.run(a, "WATCH k");
    assert_eq!(t.run(a, "GET k"), "$-1\r\n");
    t.run(a, "MULTI");
    assert_eq!(t.run(a, "EXEC"), "*0\r\n");
}

#[test]
fn flush_and_swapdb_touch_existing_watched_keys_only() {
    let mut t = T::new();
    let (a, b) = (t.client(), t.client());
    t.run(a, "SET k 1");
    t.run(a, "WATCH k nokey");
    t.run(b, "FLUSHALL");
    t.run(a, "MULTI");
    assert_eq!(t.run(a, "EXEC"), "*-1\r\n");
    t.run(a, "WATCH nokey");
    t.run(b, "FLUSHDB");
    t.run(a, "MULTI");
    assert_eq!(t.run(a, "EXEC"), "*0\r\n");
    t.run(b, "SELECT 1");
    t.run(b, "SET k other");
    t.run(a, "WATCH k");
    t.run(b, "SWAPDB 0 1");
    t.run(a, "MULTI");
    assert_eq!(t.run(a, "EXEC"), "*-1\r\n");
}

#[test]
fn subscribe_replies_and_subscribed_mode_rules() {
    let mut t = T::new();
    let c = t.client();
    assert_eq!(
        t.run(c, "SUBSCRIBE a b"),
        "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n"
    );
    assert_eq!(
        t.run(c, "GET x"),
        "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n"
    );
    assert_eq!(
        t.run(c, "CONFIG GET hz"),
        "-ERR Can't execute 'config|get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n"
    );
    assert_eq!(
        t.run(c, "EXEC"),
        "-EXECABORT Transaction discarded because of: Can't execute 'exec': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n"
    );
    assert_eq!(t.run(c, "PING"), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
    assert_eq!(t.run(c, "PING hi"), "*2\r\n$4\r\npong\r\n$2\r\nhi\r\n");
    assert_eq!(
        t.run(c, "UNSUBSCRIBE"),
        "*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:0\r\n"
    );
    assert_eq!(t.run(c, "PING"), "+PONG\r\n");
    assert_eq!(
        t.run(c, "PSUBSCRIBE p*"),
        "*3\r\n$10\r\npsubscribe\r\n$2\r\np*\r\n:1\r\n"
    );
    assert_eq!(
        t.run(c, "PUNSUBSCRIBE x"),
        "*3\r\n$12\r\npunsubscribe\r\n$1\r\nx\r\n:1\r\n"
    );
    assert_eq!(
        t.run(c, "UNSUBSCRIBE"),
        "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:1\r\n"
    );
    assert_eq!(
        t.run(c, "SSUBSCRIBE s"),
        "*3\r\n$10\r\nssubscribe\r\n$1\r\ns\r\n:1\r\n"
    );
    assert_eq!(
        t.run(c, "SUNSUBSCRIBE"),
        "*3\r\n$12\r\nsunsubscribe\r\n$1\r\ns\r\n:0\r\n"
    );
    assert_eq!(
        t.run(c, "PUNSUBSCRIBE"),
        "*3\r\n$12\r\npunsubscribe\r\n$2\r\np*\r\n:0\r\n"
    );
    assert_eq!(
        t.run(c, "SUNSUBSCRIBE"),
        "*3\r\n$12\r\nsunsubscribe\r\n$-1\r\n:0\r\n"
    );
    assert_eq!(t.run(c, "GET x"), "$-1\r\n");
}

#[test]
fn publish_delivers_in_each_receivers_protocol() {
    let mut t = T::new();
    let (r2, r3, p) = (t.client(), t.client(), t.client());
    t.run(r2, "SUBSCRIBE ch");
    t.run(r2, "PSUBSCRIBE c*");
    // (HELLO lives with the server commands; set the protocol directly.)
    t.e.clients.get_mut(r3).unwrap().proto = Protocol::Resp3;
    assert_eq!(
        t.run(r3, "SUBSCRIBE ch"),
        ">3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n"
    );
    let out = t.exec(p, "PUBLISH ch hi");
    assert_eq!(out.reply, ":3\r\n");
    assert_eq!(
        out.delivered,
        vec![
            (
                r2,
                "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n".to_string()
            ),
            (
                r3,
                ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n".to_string()
            ),
            (
                r2,
                "*4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nch\r\n$2\r\nhi\r\n".to_string()
            ),
        ]
    );
    // A RESP3 client may publish to itself: the push comes with its reply.
    let own = t.exec(r3, "PUBLISH ch x");
    assert_eq!(own.reply, ":3\r\n");
    assert!(own.delivered.iter().any(|(c, _)| *c == r3));
    assert_eq!(
        t.run(p, "PUBSUB NUMSUB ch nope"),
        "*4\r\n$2\r\nch\r\n:2\r\n$4\r\nnope\r\n:0\r\n"
    );
    assert_eq!(t.run(p, "PUBSUB NUMPAT"), ":1\r\n");
    assert_eq!(t.run(p, "PUBSUB CHANNELS"), "*1\r\n$2\r\nch\r\n");
    assert_eq!(t.run(p, "PUBSUB CHANNELS x*"), "*0\r\n");
    assert_eq!(
        t.run(p, "PUBSUB CHANNELS a b"),
        "-ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.\r\n"
    );
    assert_eq!(
        t.run(p, "PUBSUB FOO"),
        "-ERR unknown subcommand 'FOO'. Try PUBSUB HELP.\r\n"
    );
    assert_eq!(
        t.run(p, "PUBSUB NUMPAT x"),
        "-ERR wrong number of arguments for 'pubsub|numpat' command\r\n"
    );
    // Shard channels are apart from classic ones.
    t.run(r3, "SSUBSCRIBE ch");
    let out = t.exec(p, "SPUBLISH ch m");
    assert_eq!(out.reply, ":1\r\n");
    assert_eq!(
        out.delivered,
        vec![(
            r3,
            ">3\r\n$8\r\nsmessage\r\n$2\r\nch\r\n$1\r\nm\r\n".to_string()
        )]
    );
    assert_eq!(
        t.run(p, "PUBSUB SHARDNUMSUB ch"),
        "*2\r\n$2\r\nch\r\n:1\r\n"
    );
    // Disconnecting drops subscriptions.
    t.e.disconnect(r2);
    assert_eq!(t.run(p, "PUBLISH ch z"), ":1\r\n");
}

/// Keyspace events of a command, as "channel payload" strings.
fn events(out: &Out) -> Vec<String> {
    out.delivered
        .iter()
        .map(|(_, text)| {
            let parts: Vec<&str> = text.split("\r\n").collect();
            // *4 $8 pmessage $n pattern $n channel $n payload
            format!("{} {}", parts[6], parts[8])
        })
        .collect()
}

#[test]
fn keyspace_events_as_redis() {
    let mut t = T::new();
    let (c, sub) = (t.client(), t.client());
    t.run(c, "CONFIG SET notify-keyspace-events KEA");
    t.run(sub, "PSUBSCRIBE __key*__:*");
    let ev = |t: &mut T, line: &str| events(&t.exec(c, line));
    assert_eq!(
        ev(&mut t, "SET a 1"),
        ["__keyspace@0__:a set", "__keyevent@0__:set a"]
    );
    assert_eq!(
        ev(&mut t, "SET b 1 EX 100"),
        [
            "__keyspace@0__:b set",
            "__keyevent@0__:set b",
            "__keyspace@0__:b expire",
            "__keyevent@0__:expire b"
        ]
    );
    assert!(ev(&mut t, "SETNX a 1").is_empty());
    assert_eq!(
        ev(&mut t, "INCRBY m 2"),
        ["__keyspace@0__:m incrby", "__keyevent@0__:incrby m"]
    );
    assert_eq!(
        ev(&mut t, "INCRBYFLOAT m 1.5"),
        [
            "__keyspace@0__:m incrbyfloat",
            "__keyevent@0__:incrbyfloat m"
        ]
    );
    assert_eq!(
        ev(&mut t, "APPEND k x"),
        ["__keyspace@0__:k append", "__keyevent@0__:append k"]
    );
    assert_eq!(
        ev(&mut t, "SETRANGE k 3 ab"),
        ["__keyspace@0__:k setrange", "__keyevent@0__:setrange k"]
    );
    assert_eq!(
        ev(&mut t, "GETDEL m"),
        ["__keyspace@0__:m del", "__keyevent@0__:del m"]
    );
    assert!(ev(&mut t, "GETEX a PERSIST").is_empty());
    assert_eq!(
        ev(&mut t, "PERSIST b"),
        ["__keyspace@0__:b persist", "__keyevent@0__:persist b"]
    );
    assert_eq!(
        ev(&mut t, "EXPIRE b 0"),
        ["__keyspace@0__:b del", "__keyevent@0__:del b"]
    );
    assert_eq!(
        ev(&mut t, "RENAME a z"),
        [
            "__keyspace@0__:a rename_from",
            "__keyevent@0__:rename_from a",
            "__keyspace@0__:z rename_to",
            "__keyevent@0__:rename_to z"
        ]
    );
    assert_eq!(
        ev(&mut t, "MOVE z 1"),
        [
            "__keyspace@0__:z move_from",
            "__keyevent@0__:move_from z",
            "__keyspace@1__:z move_to",
            "__keyevent@1__:move_to z"
        ]
    );
    assert_eq!(
        ev(&mut t, "COPY k k2"),
        ["__keyspace@0__:k2 copy_to", "__keyevent@0__:copy_to k2"]
    );
    assert_eq!(
        ev(&mut t, "DEL k k2 nokey"),
        [
            "__keyspace@0__:k del",
            "__keyevent@0__:del k",
            "__keyspace@0__:k2 del",
            "__keyevent@0__:del k2"
        ]
    );
    // Lazy expiry announces `expired` before the command's own events.
    t.e.active_expire_enabled = false;
    t.run(c, "SET e 1 PX 10");
    t.advance_ms(50);
    assert_eq!(
        ev(&mut t, "SET e 2"),
        [
            "__keyspace@0__:e expired",
            "__keyevent@0__:expired e",
            "__keyspace@0__:e set",
            "__keyevent@0__:set e"
        ]
    );
    // FLUSHALL publishes nothing.
    assert!(ev(&mut t, "FLUSHALL").is_empty());
}

#[test]
fn new_and_class_filtering() {
    let mut t = T::new();
    let (c, sub) = (t.client(), t.client());
    t.run(sub, "PSUBSCRIBE __key*__:*");
    // Disabled by default.
    assert!(t.exec(c, "SET a 1").delivered.is_empty());
    t.run(c, "CONFIG SET notify-keyspace-events KEn$");
    assert_eq!(
        events(&t.exec(c, "SET b 1")),
        [
            "__keyspace@0__:b new",
            "__keyevent@0__:new b",
            "__keyspace@0__:b set",
            "__keyevent@0__:set b"
        ]
    );
    assert_eq!(
        events(&t.exec(c, "RENAME b a")),
        ["__keyspace@0__:a new", "__keyevent@0__:new a"]
    );
    t.run(c, "CONFIG SET notify-keyspace-events Eg");
    assert_eq!(events(&t.exec(c, "DEL a")), ["__keyevent@0__:del a"]);
}

#[test]
fn active_expiry_publishes_expired_from_tick() {
    let mut t = T::new();
    let (c, sub) = (t.client(), t.client());
    t.run(c, "CONFIG SET notify-keyspace-events Ex");
    t.run(sub, "SUBSCRIBE __keyevent@0__:expired");
    t.run(c, "SET k v PX 10");
    t.advance_ms(100);
    let effects = t.e.tick(t.now);
    let delivered: Vec<_> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Deliver { client, bytes } => Some((*client, bytes.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        delivered,
        vec![(
            sub,
            Bytes::from_static(
                b"*3\r\n$7\r\nmessage\r\n$22\r\n__keyevent@0__:expired\r\n$1\r\nk\r\n"
            )
        )]
    );
}

#[test]
fn subscribed_clients_are_exempt_from_timeout() {
    let mut t = T::new();
    let (idle, sub) = (t.client(), t.client());
    t.run(idle, "CONFIG SET timeout 1");
    t.run(sub, "SUBSCRIBE x");
    t.advance_ms(5_000);
    let kills: Vec<_> =
        t.e.tick(t.now)
            .into_iter()
            .filter_map(|e| match e {
                Effect::KillClient(id) => Some(id),
                _ => None,
            })
            .collect();
    assert_eq!(kills, vec![idle]);
}

#[test]
fn client_that_is_not_blocked_cannot_be_unblocked() {
    let mut t = T::new();
    let c = t.client();
    assert!(!t.e.unblock_client(c, false));
    let out = t.exec(c, "PING");
    assert!(!out.blocked && out.unblocked.is_empty());
}

/// Deliveries of an outcome, to one client.
fn to(out: &Out, id: ClientId) -> Vec<String> {
    out.delivered
        .iter()
        .filter(|(c, _)| *c == id)
        .map(|(_, t)| t.clone())
        .collect()
}

#[test]
fn blpop_serves_at_once_or_blocks_until_a_push() {
    let mut t = T::new();
    let (w, p) = (t.client(), t.client());
    t.run(p, "RPUSH l a");
    assert_eq!(t.run(w, "BLPOP l 0"), "*2\r\n$1\r\nl\r\n$1\r\na\r\n");
    let out = t.exec(w, "BLPOP nothing l 0");
    assert!(out.blocked);
    assert_eq!(out.reply, "");
    assert!(t.e.blocking.is_blocked(w));
    let out = t.exec(p, "LPUSH l x y");
    assert_eq!(out.reply, ":2\r\n");
    assert_eq!(to(&out, w), ["*2\r\n$1\r\nl\r\n$1\r\ny\r\n"]);
    assert_eq!(out.unblocked, [w]);
    assert!(!t.e.blocking.is_blocked(w));
    assert_eq!(t.run(p, "LRANGE l 0 -1"), "*1\r\n$1\r\nx\r\n");
}

#[test]
fn waiters_are_served_first_come_first_served() {
    let mut t = T::new();
    let (a, b, c, p) = (t.client(), t.client(), t.client(), t.client());
    assert!(t.exec(a, "BRPOP l 0").blocked);
    assert!(t.exec(b, "BLPOP l 0").blocked);
    assert!(t.exec(c, "BLPOP other l 0").blocked);
    let out = t.exec(p, "RPUSH l 1 2");
    assert_eq!(to(&out, a), ["*2\r\n$1\r\nl\r\n$1\r\n2\r\n"]);
    assert_eq!(to(&out, b), ["*2\r\n$1\r\nl\r\n$1\r\n1\r\n"]);
    assert!(to(&out, c).is_empty());
    assert_eq!(out.unblocked, [a, b]);
    // The list is gone; c keeps waiting and is next.
    assert_eq!(t.run(p, "EXISTS l"), ":0\r\n");
    let out = t.exec(p, "RPUSH l 3");
    assert_eq!(to(&out, c), ["*2\r\n$1\r\nl\r\n$1\r\n3\r\n"]);
}

#[test]
fn blocked_pop_woken_by_multi_exec_after_the_transaction() {
    let mut t = T::new();
    let (w, p) = (t.client(), t.client());
    assert!(t.exec(w, "BLPOP l 0").blocked);
    t.run(p, "MULTI");
    t.run(p, "RPUSH l a b");
    t.run(p, "LPOP l");
    let out = t.exec(p, "EXEC");
    assert_eq!(out.reply, "*2\r\n:2\r\n$1\r\na\r\n");
    // Served once the whole transaction ran: it sees b, not a.
    assert_eq!(to(&out, w), ["*2\r\n$1\r\nl\r\n$1\r\nb\r\n"]);
}

#[test]
fn blocking_commands_do_not_block_inside_multi() {
    let mut t = T::new();
    let c = t.client();
    t.run(c, "MULTI");
    t.run(c, "BLPOP l 0");
    t.run(c, "BLMOVE l l2 LEFT RIGHT 0");
    t.run(c, "BLMPOP 0 1 l LEFT");
    t.run(c, "BRPOPLPUSH l l2 0");
    let out = t.exec(c, "EXEC");
    assert!(!out.blocked);
    assert_eq!(out.reply, "*4\r\n*-1\r\n$-1\r\n*-1\r\n$-1\r\n");
}

#[test]
fn timeouts_answer_a_null_array_from_tick() {
    let mut t = T::new();
    let (a, b) = (t.client(), t.client());
    assert!(t.exec(a, "BLPOP l 0.5").blocked);
    assert!(t.exec(b, "BLMOVE l l2 LEFT RIGHT 1").blocked);
    t.advance_ms(500);
    assert!(t.e.tick(t.now).is_empty());
    t.advance_ms(1);
    let effects = t.e.tick(t.now);
    assert_eq!(
        effects,
        vec![
            Effect::Deliver {
                client: a,
                bytes: Bytes::from_static(b"*-1\r\n")
            },
            Effect::Unblocked(a)
        ]
    );
    t.advance_ms(500);
    let effects = t.e.tick(t.now);
    assert_eq!(
        effects,
        vec![
            Effect::Deliver {
                client: b,
                bytes: Bytes::from_static(b"*-1\r\n")
            },
            Effect::Unblocked(b)
        ]
    );
    // Timeout 0 waits forever.
    assert!(t.exec(a, "BLPOP l 0").blocked);
    t.advance_ms(1_000_000_000);
    assert!(t.e.tick(t.now).is_empty());
}

#[test]
fn timeout_and_argument_errors() {
    let mut t = T::new();
    let c = t.client();
    for (line, want) in [
        (
            "BLPOP l abc",
            "-ERR timeout is not a float or out of range\r\n",
        ),
        ("BLPOP l -1", "-ERR timeout is negative\r\n"),
        ("BLPOP l inf", "-ERR timeout is negative\r\n"),
        ("BLPOP l 1e300", "-ERR timeout is negative\r\n"),
        (
            "BLMPOP abc 1 l LEFT",
            "-ERR timeout is not a float or out of range\r\n",
        ),
        (
            "BLMPOP 0 0 l LEFT",
            "-ERR numkeys should be greater than 0\r\n",
        ),
        ("BLMOVE l l2 FOO RIGHT 0", "-ERR syntax error\r\n"),
        (
            "BLMOVE l l2 LEFT RIGHT abc",
            "-ERR timeout is not a float or out of range\r\n",
        ),
        (
            "BLPOP l",
            "-ERR wrong number of arguments for 'blpop' command\r\n",
        ),
    ] {
        assert_eq!(t.run(c, line), want, "{line}");
    }
    t.run(c, "SET s x");
    assert_eq!(
        t.run(c, "BLPOP s 0"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    t.run(c, "RPUSH l a b");
    assert_eq!(
        t.run(c, "BLMPOP 0 2 x l RIGHT COUNT 5"),
        "*2\r\n$1\r\nl\r\n*2\r\n$1\r\nb\r\n$1\r\na\r\n"
    );
}

#[test]
fn blmove_chains_to_the_next_waiter() {
    let mut t = T::new();
    let (a, b, p) = (t.client(), t.client(), t.client());
    assert!(t.exec(a, "BLMOVE src mid RIGHT LEFT 0").blocked);
    assert!(t.exec(b, "BRPOP mid 0").blocked);
    let out = t.exec(p, "LPUSH src v");
    assert_eq!(to(&out, a), ["$1\r\nv\r\n"]);
    assert_eq!(to(&out, b), ["*2\r\n$3\r\nmid\r\n$1\r\nv\r\n"]);
    assert_eq!(t.run(p, "EXISTS src mid"), ":0\r\n");
}

#[test]
fn wrong_type_keeps_waiting_and_client_unblock() {
    let mut t = T::new();
    let (w, p) = (t.client(), t.client());
    assert!(t.exec(w, "BLPOP k 0").blocked);
    // A string under the key is no list: still blocked.
    t.run(p, "SET k x");
    t.run(p, "RENAME k k2");
    assert!(t.e.blocking.is_blocked(w));
    let id = w.to_string();
    let out = t.exec(p, &format!("CLIENT UNBLOCK {id}"));
    assert_eq!(out.reply, ":1\r\n");
    assert_eq!(to(&out, w), ["*-1\r\n"]);
    assert_eq!(out.unblocked, [w]);
    assert_eq!(t.run(p, &format!("CLIENT UNBLOCK {id}")), ":0\r\n");
    assert!(t.exec(w, "BLPOP k 0").blocked);
    let out = t.exec(p, &format!("CLIENT UNBLOCK {id} ERROR"));
    assert_eq!(
        to(&out, w),
        ["-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"]
    );
    // A disconnecting waiter is forgotten.
    assert!(t.exec(w, "BLPOP k3 0").blocked);
    t.e.disconnect(w);
    let out = t.exec(p, "RPUSH k3 a");
    assert!(out.delivered.is_empty());
    assert_eq!(t.run(p, "LLEN k3"), ":1\r\n");
}

#[test]
fn blocked_clients_are_exempt_from_timeout() {
    let mut t = T::new();
    let (idle, w) = (t.client(), t.client());
    t.run(idle, "CONFIG SET timeout 1");
    assert!(t.exec(w, "BLPOP l 0").blocked);
    t.advance_ms(5_000);
    let kills: Vec<_> =
        t.e.tick(t.now)
            .into_iter()
            .filter_map(|e| match e {
                Effect::KillClient(id) => Some(id),
                _ => None,
            })
            .collect();
    assert_eq!(kills, vec![idle]);
}

#[test]
fn info_and_client_list_show_blocked_and_subscribed_clients() {
    let mut t = T::new();
    let (a, b, c) = (t.client(), t.client(), t.client());
    t.run(b, "SUBSCRIBE x");
    assert!(t.exec(c, "BLPOP zz 10").blocked);
    let info = t.run(a, "INFO clients");
    assert!(info.contains("blocked_clients:1\r\n"), "{info}");
    assert!(info.contains("clients_in_timeout_table:1\r\n"), "{info}");
    let stats = t.run(a, "INFO stats");
    assert!(stats.contains("pubsub_channels:1\r\n"), "{stats}");
    let list = t.run(a, "CLIENT LIST");
    assert!(
        list.contains("flags=P db=0 sub=1 psub=0 ssub=0 multi=-1"),
        "{list}"
    );
    assert!(
        list.contains("flags=b db=0 sub=0 psub=0 ssub=0 multi=-1"),
        "{list}"
    );
    assert!(list.contains("cmd=blpop"), "{list}");
    t.run(a, "MULTI");
    t.run(a, "PING");
    t.run(a, "PING");
    let out = t.exec(a, "CLIENT LIST");
    assert_eq!(out.reply, "+QUEUED\r\n");
    let list = t.run(a, "EXEC");
    assert!(list.contains("flags=x"), "{list}");
}

#[test]
fn sorted_set_blocking_pops() {
    let mut t = T::new();
    let (w, p) = (t.client(), t.client());
    for (line, want) in [
        (
            "BZPOPMAX z abc",
            "-ERR timeout is not a float or out of range\r\n",
        ),
        (
            "BZMPOP abc 1 z MIN",
            "-ERR timeout is not a float or out of range\r\n",
        ),
        (
            "BZMPOP 0 0 z MIN",
            "-ERR numkeys should be greater than 0\r\n",
        ),
        ("BZMPOP 0 1 z FOO", "-ERR syntax error\r\n"),
    ] {
        assert_eq!(t.run(w, line), want, "{line}");
    }
    t.run(p, "ZADD z 1 a 2 b 3 c");
    assert_eq!(
        t.run(w, "BZPOPMIN z 0"),
        "*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n"
    );
    assert_eq!(
        t.run(w, "BZPOPMAX x z 0"),
        "*3\r\n$1\r\nz\r\n$1\r\nc\r\n$1\r\n3\r\n"
    );
    assert_eq!(
        t.run(w, "BZMPOP 0 1 z MIN COUNT 5"),
        "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"
    );
    t.run(w, "MULTI");
    t.run(w, "BZPOPMIN z 0");
    t.run(w, "BZMPOP 0 1 z MAX");
    assert_eq!(t.run(w, "EXEC"), "*2\r\n*-1\r\n*-1\r\n");
    t.run(p, "SET s x");
    assert_eq!(
        t.run(w, "BZPOPMIN s 0"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    // Parked, then woken by ZADD; RESP3 sees the score as a double.
    t.e.clients.get_mut(w).unwrap().proto = Protocol::Resp3;
    assert!(t.exec(w, "BZPOPMIN z 0").blocked);
    let out = t.exec(p, "ZADD z 1.5 a");
    assert_eq!(to(&out, w), ["*3\r\n$1\r\nz\r\n$1\r\na\r\n,1.5\r\n"]);
    assert!(t.exec(w, "BZMPOP 1 2 y z MAX").blocked);
    t.advance_ms(1001);
    let effects = t.e.tick(t.now);
    assert_eq!(
        effects,
        vec![
            Effect::Deliver {
                client: w,
                bytes: Bytes::from_static(b"_\r\n")
            },
            Effect::Unblocked(w)
        ]
    );
}

#[test]
fn keymiss_events_where_redis_sends_them() {
    let mut t = T::new();
    let (c, sub) = (t.client(), t.client());
    t.run(c, "CONFIG SET notify-keyspace-events Km");
    t.run(sub, "PSUBSCRIBE __key*__:*");
    let ev = |t: &mut T, line: &str| events(&t.exec(c, line));
    let miss = |k: &str| format!("__keyspace@0__:{k} keymiss");
    for (line, keys) in [
        ("GET nokey", vec!["nokey"]),
        ("MGET n1 n2", vec!["n1", "n2"]),
        ("STRLEN nokey", vec!["nokey"]),
        ("EXISTS nokey", vec!["nokey"]),
        ("TYPE nokey", vec!["nokey"]),
        ("TTL nokey", vec!["nokey"]),
        ("OBJECT ENCODING nokey", vec![]),
        ("GETRANGE nokey 0 1", vec!["nokey"]),
        ("COPY nokey x", vec!["nokey"]),
        ("RENAME nokey x", vec![]),
        ("GETDEL nokey", vec!["nokey"]),
        ("GETEX nokey", vec!["nokey"]),
        ("APPEND k v", vec![]),
        ("INCR nokey2", vec![]),
        ("SET nk v GET", vec!["nk"]),
        ("LCS nokey nokey3", vec!["nokey", "nokey3"]),
    ] {
        let want: Vec<String> = keys.iter().map(|k| miss(k)).collect();
        assert_eq!(ev(&mut t, line), want, "{line}");
    }
}

#[test]
fn stream_readers_block_and_wake() {
    let mut t = T::new();
    let (w, p) = (t.client(), t.client());
    t.run(p, "XADD s 1-1 f v");
    // `$` is resolved when the reader blocks: it gets only the new entry.
    assert!(t.exec(w, "XREAD BLOCK 0 STREAMS s $").blocked);
    let out = t.exec(p, "XADD s 2-1 a b");
    assert_eq!(
        to(&out, w),
        ["*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n"]
    );
    // XREAD waits survive a deletion; a timeout ends them.
    assert!(t.exec(w, "XREAD BLOCK 300 STREAMS s $").blocked);
    let out = t.exec(p, "DEL s");
    assert!(to(&out, w).is_empty());
    t.advance_ms(301);
    assert_eq!(
        t.e.tick(t.now),
        vec![
            Effect::Deliver {
                client: w,
                bytes: Bytes::from_static(b"*-1\r\n")
            },
            Effect::Unblocked(w)
        ]
    );
    // XREADGROUP: the key deleted or overwritten, or the group destroyed.
    for (action, want) in [
        ("DEL s", "-UNBLOCKED the stream key no longer exists\r\n"),
        ("SET s x", "-UNBLOCKED the stream key no longer exists\r\n"),
        (
            "XGROUP DESTROY s g",
            "-NOGROUP the consumer group this client was blocked on no longer exists\r\n",
        ),
    ] {
        t.run(p, "DEL s");
        t.run(p, "XADD s 1-1 f v");
        t.run(p, "XGROUP CREATE s g $");
        assert!(
            t.exec(w, "XREADGROUP GROUP g c BLOCK 0 STREAMS s >")
                .blocked
        );
        let out = t.exec(p, action);
        assert_eq!(to(&out, w), [want], "{action}");
    }
    // Inside MULTI: the null array at once.
    t.run(w, "MULTI");
    t.run(w, "XREAD BLOCK 0 STREAMS s2 $");
    assert_eq!(t.run(w, "EXEC"), "*1\r\n*-1\r\n");
}
