//! Saving decisions as Redis 7.0 makes them (replies checked against a real
//! redis-server 7.0.15).

use bytes::Bytes;

use super::*;
use crate::config::Config;
use crate::engine::{ClientId, ConnInfo, Effect, ServerInfo};

struct T {
    e: Engine,
    c: ClientId,
    now: Time,
}

impl T {
    fn new() -> T {
        let mut e = Engine::new(Config::default(), ServerInfo::default(), 5);
        let now = Time::from_ms(1_700_000_000_000);
        let c = e.connect(ConnInfo::default(), now).expect("connect");
        let mut t = T { e, c, now };
        // Redis's default rules would save on their own; tests add theirs.
        t.rules("");
        t
    }

    fn outcome(&mut self, line: &str) -> crate::engine::Outcome {
        let argv: Vec<Bytes> = line
            .split(' ')
            .map(|a| Bytes::copy_from_slice(a.as_bytes()))
            .collect();
        self.e.execute(self.c, &argv, self.now)
    }

    fn run(&mut self, line: &str) -> Reply {
        self.outcome(line).reply.unwrap_or(Reply::Nil)
    }

    fn info(&mut self, field: &str) -> String {
        let Reply::Verbatim { text: b, .. } = self.run("INFO persistence") else {
            panic!("INFO reply");
        };
        let text = String::from_utf8(b.to_vec()).expect("utf8");
        let prefix = format!("{field}:");
        text.lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .unwrap_or_else(|| panic!("no {field} in {text}"))
            .to_string()
    }

    fn rules(&mut self, rules: &str) {
        let mut args: Vec<String> = rules.split_whitespace().map(String::from).collect();
        if args.is_empty() {
            args.push(String::new());
        }
        self.e.config.set_option("save", &args).expect("save rules");
    }

    fn later(&mut self, secs: u64) {
        self.now = Time::from_ms(self.now.ms() + secs * 1000);
    }
}

fn err(text: &str) -> Reply {
    Reply::error(text.to_string())
}

#[test]
fn bgsave_replies_and_refusals() {
    let mut t = T::new();
    t.run("SET a 1");
    assert_eq!(t.run("BGSAVE x"), err("ERR syntax error"));
    assert_eq!(t.run("BGSAVE SCHEDULE x"), err("ERR syntax error"));
    assert_eq!(t.run("BGSAVE"), Reply::status("Background saving started"));
    assert_eq!(t.info("rdb_bgsave_in_progress"), "1");
    assert_eq!(t.info("current_save_keys_total"), "1");
    assert_eq!(
        t.run("BGSAVE"),
        err("ERR Background save already in progress")
    );
    assert_eq!(
        t.run("BGSAVE SCHEDULE"),
        err("ERR Background save already in progress")
    );
    assert_eq!(
        t.run("SAVE"),
        err("ERR Background save already in progress")
    );
    // The driver claims it once.
    let job = t.e.bgsave_claim().expect("job");
    assert!(t.e.bgsave_claim().is_none());
    assert_eq!(job.reason, SaveReason::Command);
    assert_eq!(job.sizes[0], (1, 0));
    t.later(2);
    t.e.bgsave_done(true, t.now);
    assert_eq!(t.info("rdb_bgsave_in_progress"), "0");
    assert_eq!(t.info("rdb_last_bgsave_time_sec"), "2");
    assert_eq!(t.info("rdb_last_save_time"), t.now.secs().to_string());
    assert_eq!(t.run("LASTSAVE"), Reply::Integer(t.now.secs() as i64));
}

#[test]
fn bgsave_while_another_job_runs_waits_when_scheduled() {
    let mut t = T::new();
    t.e.persist.other_child_active = true;
    assert_eq!(
        t.run("BGSAVE"),
        err("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.")
    );
    assert_eq!(
        t.run("BGSAVE SCHEDULE"),
        Reply::status("Background saving scheduled")
    );
    t.e.tick(t.now);
    assert!(!t.e.bgsave_in_progress());
    t.e.persist.other_child_active = false;
    t.e.tick(t.now);
    assert!(t.e.bgsave_in_progress());
}

#[test]
fn bgsave_inside_exec_is_scheduled() {
    let mut t = T::new();
    t.run("MULTI");
    t.run("BGSAVE");
    assert_eq!(
        t.run("EXEC"),
        Reply::Array(vec![Reply::status("Background saving scheduled")])
    );
    t.e.tick(t.now);
    assert!(t.e.bgsave_in_progress());
}

#[test]
fn dirty_counts_only_changes_after_the_snapshot() {
    let mut t = T::new();
    t.run("SET a 1");
    t.run("SET b 1");
    assert_eq!(t.info("rdb_changes_since_last_save"), "2");
    t.run("BGSAVE");
    t.run("SET c 1");
    t.e.bgsave_done(true, t.now);
    assert_eq!(t.info("rdb_changes_since_last_save"), "1");
    // A failed one changes nothing but the status.
    t.run("BGSAVE");
    t.e.bgsave_done(false, t.now);
    assert_eq!(t.info("rdb_changes_since_last_save"), "1");
    assert_eq!(t.info("rdb_last_bgsave_status"), "err");
    assert_eq!(t.info("rdb_saves"), "2");
}

#[test]
fn save_rules_fire_from_the_cron() {
    let mut t = T::new();
    t.rules("10 2");
    t.e.tick(t.now);
    t.run("SET a 1");
    t.later(20);
    t.e.tick(t.now);
    assert!(!t.e.bgsave_in_progress(), "one change is below the rule");
    t.run("SET b 1");
    t.e.tick(t.now);
    let job = t.e.bgsave_claim().expect("rule started a save");
    assert_eq!(
        job.reason,
        SaveReason::Rule {
            changes: 2,
            seconds: 10
        }
    );
    t.e.bgsave_done(true, t.now);
    // Right after a save the rule waits for its seconds again.
    t.run("SET c 1");
    t.run("SET d 1");
    t.e.tick(t.now);
    assert!(!t.e.bgsave_in_progress());
    t.later(11);
    t.e.tick(t.now);
    assert!(t.e.bgsave_in_progress());
}

#[test]
fn failed_save_retries_after_the_delay_and_denies_writes() {
    let mut t = T::new();
    t.run("SET a 1");
    assert_eq!(t.run("BGSAVE"), Reply::status("Background saving started"));
    t.e.bgsave_done(false, t.now);
    // Without save rules, writes go on (as Redis).
    assert_eq!(t.run("SET a 2"), Reply::ok());
    t.rules("1 1");
    let misconf = err(MISCONF_ERROR);
    assert_eq!(t.run("SET a 3"), misconf);
    assert_eq!(t.run("PING"), misconf);
    assert_eq!(t.run("GET a"), Reply::Bulk(Bytes::from_static(b"2")));
    // Inside MULTI the write is refused and EXEC aborts.
    t.run("MULTI");
    assert_eq!(t.run("SET a 4"), misconf);
    assert!(matches!(t.run("EXEC"), Reply::Error(e) if e.starts_with("EXECABORT")));
    // stop-writes-on-bgsave-error no lifts it.
    t.run("CONFIG SET stop-writes-on-bgsave-error no");
    assert_eq!(t.run("SET a 5"), Reply::ok());
    t.run("CONFIG SET stop-writes-on-bgsave-error yes");
    // The cron retries only after the delay.
    t.later(1);
    t.e.tick(t.now);
    assert!(!t.e.bgsave_in_progress());
    t.later(BGSAVE_RETRY_DELAY_SECS + 1);
    t.e.tick(t.now);
    assert!(t.e.bgsave_in_progress());
    t.e.bgsave_done(true, t.now);
    assert_eq!(t.run("SET a 6"), Reply::ok());
}

#[test]
fn loading_refuses_most_commands() {
    let mut t = T::new();
    t.e.loading_start(1000, t.now);
    let loading = err(LOADING_ERROR);
    assert_eq!(t.run("GET a"), loading);
    assert_eq!(t.run("SET a 1"), loading);
    // PING has no `loading` flag in Redis 7.0 either.
    assert_eq!(t.run("PING"), loading);
    assert_eq!(t.run("LASTSAVE"), Reply::Integer(t.now.secs() as i64));
    assert_eq!(t.info("loading"), "1");
    t.e.loading_progress(500, 10, 2);
    assert_eq!(t.info("loading_loaded_bytes"), "500");
    assert_eq!(t.info("loading_total_bytes"), "1000");
    assert_eq!(t.info("loading_loaded_perc"), "50.00");
    t.e.loading_end();
    assert_eq!(t.run("GET a"), Reply::Nil);
    assert_eq!(t.info("loading"), "0");
    assert_eq!(t.info("rdb_last_load_keys_loaded"), "10");
    assert_eq!(t.info("rdb_last_load_keys_expired"), "2");
}

#[test]
fn save_shutdown_flushall_and_reload_ask_the_driver() {
    let mut t = T::new();
    assert_eq!(t.run("SAVE"), Reply::ok());
    assert_eq!(t.e.take_persist_requests(), vec![PersistRequest::Save]);
    // No rules: SHUTDOWN does not save unless asked.
    let out = t.outcome("SHUTDOWN");
    assert!(out.effects.contains(&Effect::Shutdown));
    assert!(t.e.take_persist_requests().is_empty());
    t.outcome("SHUTDOWN SAVE");
    assert_eq!(
        t.e.take_persist_requests(),
        vec![PersistRequest::Shutdown {
            save: true,
            force: false
        }]
    );
    t.rules("100 1");
    t.outcome("SHUTDOWN FORCE");
    assert_eq!(
        t.e.take_persist_requests(),
        vec![PersistRequest::Shutdown {
            save: true,
            force: true
        }]
    );
    t.outcome("SHUTDOWN NOSAVE");
    assert!(t.e.take_persist_requests().is_empty());
    // FLUSHALL kills a running background save and saves the empty set.
    t.run("SET a 1");
    t.run("BGSAVE");
    t.run("FLUSHALL");
    assert!(!t.e.bgsave_in_progress());
    assert_eq!(t.e.persist.snapshots.active(), 0);
    assert_eq!(
        t.e.take_persist_requests(),
        vec![PersistRequest::SaveQuietly]
    );
    assert_eq!(
        t.run("DEBUG RELOAD x"),
        err("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.")
    );
    assert_eq!(t.run("DEBUG RELOAD NOSAVE merge"), Reply::ok());
    assert_eq!(
        t.e.take_persist_requests(),
        vec![PersistRequest::Reload {
            save: false,
            flush: true
        }]
    );
}
