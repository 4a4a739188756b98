//! INFO: the server's state as `# Section` blocks of `field:value` lines,
//! with Redis 7.0's sections, field names and field order. Fields keyrs has
//! no counterpart for (forks, Lua, defragmentation, ...) carry the value an
//! idle Redis reports, so tools that parse them keep working.

use std::fmt::Write as _;

use bytes::Bytes;

use super::connection::REDIS_VERSION;
use super::is_kw;
use crate::engine::table::{acl, flags, CommandDoc, CommandSpec};
use crate::engine::{Call, ClientId, Engine, Time};
use crate::resp::Reply;

/// Every section in output order, and whether `INFO` / `INFO default`
/// includes it (`all` and `everything` include all of them).
const SECTIONS: &[(&str, bool)] = &[
    ("server", true),
    ("clients", true),
    ("memory", true),
    ("persistence", true),
    ("stats", true),
    ("replication", true),
    ("cpu", true),
    ("modules", true),
    ("commandstats", false),
    ("errorstats", true),
    ("latencystats", false),
    ("cluster", true),
    ("keyspace", true),
];

/// Keys with a TTL that INFO keyspace looks at to average TTLs (bounding the
/// work of one INFO call; Redis also reports an estimate).
const AVG_TTL_SAMPLE: usize = 1024;

/// Redis's LRU clock: seconds, wrapping at 24 bits (INFO lru_clock, DEBUG
/// OBJECT lru).
pub fn lru_clock(now: Time) -> u64 {
    now.secs() & ((1 << 24) - 1)
}

/// Redis's `bytesToHuman`: `1.50K`, `23.54G`, plain bytes below 1024.
pub fn bytes_to_human(n: u64) -> String {
    const UNITS: &[(u32, char)] = &[(1, 'K'), (2, 'M'), (3, 'G'), (4, 'T'), (5, 'P')];
    if n < 1024 {
        return format!("{n}B");
    }
    for &(p, unit) in UNITS {
        let base = 1024f64.powi(p as i32);
        if (n as f64) < base * 1024.0 || unit == 'P' {
            return format!("{:.2}{}", n as f64 / base, unit);
        }
    }
    format!("{n}B")
}

/// Which sections `args` (the words after INFO) select, as flags in
/// [`SECTIONS`] order. Unknown names select nothing, as in Redis.
fn selected(args: &[Bytes]) -> [bool; SECTIONS.len()] {
    let mut sel = [false; SECTIONS.len()];
    if args.is_empty() {
        for (s, &(_, default)) in sel.iter_mut().zip(SECTIONS) {
            *s = default;
        }
        return sel;
    }
    for a in args {
        if is_kw(a, "all") || is_kw(a, "everything") {
            sel = [true; SECTIONS.len()];
        } else if is_kw(a, "default") {
            for (s, &(_, default)) in sel.iter_mut().zip(SECTIONS) {
                *s |= default;
            }
        } else if let Some(i) = SECTIONS.iter().position(|(n, _)| is_kw(a, n)) {
            sel[i] = true;
        }
    }
    sel
}

/// Builds one section's lines.
struct Section {
    text: String,
}

impl Section {
    fn new(title: &str) -> Section {
        Section {
            text: format!("# {title}\r\n"),
        }
    }

    fn field(&mut self, name: &str, value: impl std::fmt::Display) -> &mut Self {
        // Writing to a String cannot fail.
        let _ = write!(self.text, "{name}:{value}\r\n");
        self
    }
}

fn server(e: &Engine, now: Time) -> Section {
    let mut s = Section::new("Server");
    let uptime = now
        .secs()
        .saturating_sub(e.start_time.unwrap_or(now).secs());
    s.field("redis_version", REDIS_VERSION)
        .field("redis_git_sha1", "00000000")
        .field("redis_git_dirty", 0)
        .field("redis_build_id", "0")
        .field("redis_mode", "standalone")
        .field("os", &e.server.os)
        .field("arch_bits", e.server.arch_bits)
        .field("monotonic_clock", "POSIX clock_gettime")
        .field("multiplexing_api", "epoll")
        .field("atomicvar_api", "c11-builtin")
        .field("gcc_version", "0.0.0")
        .field("process_id", e.server.pid)
        .field("process_supervised", "no")
        .field("run_id", &e.server.run_id)
        .field("tcp_port", e.server.tcp_port)
        .field("server_time_usec", now.unix_us)
        .field("uptime_in_seconds", uptime)
        .field("uptime_in_days", uptime / 86400)
        .field("hz", e.config.hz)
        .field("configured_hz", e.config.hz)
        .field("lru_clock", lru_clock(now))
        .field("executable", &e.server.executable)
        .field("config_file", &e.server.config_file)
        .field("io_threads_active", 0);
    s
}

fn clients(e: &Engine, caller: Option<ClientId>) -> Section {
    let mut s = Section::new("Clients");
    let max_in = e.clients.iter().map(|c| c.qbuf).max().unwrap_or(0);
    let max_out = e.clients.iter().map(|c| c.omem).max().unwrap_or(0);
    // Redis counts replicas apart (connected_slaves).
    s.field(
        "connected_clients",
        e.clients.len().saturating_sub(e.repl.replicas.len()),
    )
    .field("cluster_connections", 0)
    .field("maxclients", e.config.maxclients)
    .field("client_recent_max_input_buffer", max_in)
    .field("client_recent_max_output_buffer", max_out)
    .field("blocked_clients", e.blocking.len())
    .field("tracking_clients", 0)
    .field("clients_in_timeout_table", e.blocking.with_deadline());
    // KeyDB's per-thread figures: the caller's thread and each thread's
    // client count, from the one registry every thread updates.
    let threads = e.config.server_threads.max(1);
    let mut per_thread = vec![0usize; threads];
    for c in e.clients.iter() {
        if let Some(n) = per_thread.get_mut(c.conn.thread) {
            *n += 1;
        }
    }
    let current = caller
        .and_then(|id| e.clients.get(id))
        .map_or(0, |c| c.conn.thread);
    s.field("current_client_thread", current);
    for (i, n) in per_thread.iter().enumerate() {
        s.field(&format!("thread_{i}_clients"), n);
    }
    s
}

fn ratio(a: u64, b: u64) -> String {
    if b == 0 {
        "0.00".into()
    } else {
        format!("{:.2}", a as f64 / b as f64)
    }
}

fn memory(e: &Engine) -> Section {
    let mut s = Section::new("Memory");
    let h = &e.host;
    let used = h.used_memory;
    let peak = h.used_memory_peak.max(used);
    let rss = h.used_memory_rss;
    let peak_perc = if peak == 0 {
        0.0
    } else {
        used as f64 * 100.0 / peak as f64
    };
    s.field("used_memory", used)
        .field("used_memory_human", bytes_to_human(used))
        .field("used_memory_rss", rss)
        .field("used_memory_rss_human", bytes_to_human(rss))
        .field("used_memory_peak", peak)
        .field("used_memory_peak_human", bytes_to_human(peak))
        .field("used_memory_peak_perc", format!("{peak_perc:.2}%"))
        .field("used_memory_overhead", 0)
        .field("used_memory_startup", 0)
        .field("used_memory_dataset", used)
        .field(
            "used_memory_dataset_perc",
            if used == 0 { "0.00%" } else { "100.00%" },
        )
        .field("allocator_allocated", used)
        .field("allocator_active", used)
        .field("allocator_resident", rss)
        .field("total_system_memory", 0)
        .field("total_system_memory_human", "0B")
        .field("used_memory_lua", 0)
        .field("used_memory_vm_eval", 0)
        .field("used_memory_lua_human", "0B")
        .field("used_memory_scripts_eval", 0)
        .field("number_of_cached_scripts", 0)
        .field("number_of_functions", 0)
        .field("number_of_libraries", 0)
        .field("used_memory_vm_functions", 0)
        .field("used_memory_vm_total", 0)
        .field("used_memory_vm_total_human", "0B")
        .field("used_memory_functions", 0)
        .field("used_memory_scripts", 0)
        .field("used_memory_scripts_human", "0B")
        .field("maxmemory", 0)
        .field("maxmemory_human", "0B")
        .field("maxmemory_policy", "noeviction")
        .field("allocator_frag_ratio", "1.00")
        .field("allocator_frag_bytes", 0)
        .field("allocator_rss_ratio", ratio(rss, used))
        .field("allocator_rss_bytes", rss.saturating_sub(used))
        .field("rss_overhead_ratio", "1.00")
        .field("rss_overhead_bytes", 0)
        .field("mem_fragmentation_ratio", ratio(rss, used))
        .field("mem_fragmentation_bytes", rss.saturating_sub(used))
        .field("mem_not_counted_for_evict", 0)
        .field("mem_replication_backlog", 0)
        .field("mem_total_replication_buffers", 0)
        .field("mem_clients_slaves", 0)
        .field("mem_clients_normal", 0)
        .field("mem_cluster_links", 0)
        .field("mem_aof_buffer", 0)
        .field("mem_allocator", "libc")
        .field("active_defrag_running", 0)
        .field("lazyfree_pending_objects", 0)
        .field("lazyfreed_objects", 0);
    s
}

fn persistence(e: &Engine, now: Time) -> Section {
    let mut s = Section::new("Persistence");
    let last_save = super::server::last_save_secs(e, now);
    let p = &e.persist;
    let bg = p.bgsave.as_ref();
    let (processed, total) = bg.map_or((0, 0), |b| (b.keys_processed, b.keys_total));
    let perc = if total > 0 {
        processed as f64 * 100.0 / total as f64
    } else {
        0.0
    };
    let current_secs = bg.map_or(-1, |b| {
        i64::try_from(now.secs().saturating_sub(b.started.secs())).unwrap_or(i64::MAX)
    });
    s.field("loading", u8::from(p.loading.is_some()))
        .field("async_loading", 0)
        .field("current_cow_peak", 0)
        .field("current_cow_size", 0)
        .field("current_cow_size_age", 0)
        .field("current_fork_perc", format!("{perc:.2}"))
        .field("current_save_keys_processed", processed)
        .field("current_save_keys_total", total)
        .field("rdb_changes_since_last_save", e.stats.dirty)
        .field("rdb_bgsave_in_progress", u8::from(bg.is_some()))
        .field("rdb_last_save_time", last_save)
        .field(
            "rdb_last_bgsave_status",
            if p.last_bgsave_ok { "ok" } else { "err" },
        )
        .field("rdb_last_bgsave_time_sec", p.last_bgsave_secs)
        .field("rdb_current_bgsave_time_sec", current_secs)
        .field("rdb_saves", p.rdb_saves)
        .field("rdb_last_cow_size", 0)
        .field("rdb_last_load_keys_expired", p.last_load_keys.1)
        .field("rdb_last_load_keys_loaded", p.last_load_keys.0);
    for (name, value) in super::aof::info_fields(e, now) {
        s.field(name, value);
    }
    s.field("module_fork_in_progress", 0)
        .field("module_fork_last_cow_size", 0);
    for (name, value) in super::aof::info_enabled_fields(e) {
        s.field(name, value);
    }
    if let Some(l) = &p.loading {
        // As Redis: progress fields only while loading.
        let elapsed = now.secs().saturating_sub(l.start_secs);
        let perc = if l.total_bytes > 0 {
            l.loaded_bytes as f64 * 100.0 / l.total_bytes as f64
        } else {
            0.0
        };
        let eta = if l.loaded_bytes > 0 && elapsed > 0 {
            let rate = l.loaded_bytes as f64 / elapsed as f64;
            (l.total_bytes.saturating_sub(l.loaded_bytes) as f64 / rate) as u64
        } else {
            1
        };
        s.field("loading_start_time", l.start_secs)
            .field("loading_total_bytes", l.total_bytes)
            .field("loading_rdb_used_mem", 0)
            .field("loading_loaded_bytes", l.loaded_bytes)
            .field("loading_loaded_perc", format!("{perc:.2}"))
            .field("loading_eta_seconds", eta);
    }
    s
}

fn stats(e: &Engine) -> Section {
    let mut s = Section::new("Stats");
    let st = &e.stats;
    s.field("total_connections_received", st.total_connections_received)
        .field("total_commands_processed", st.total_commands_processed)
        .field("instantaneous_ops_per_sec", 0)
        .field("total_net_input_bytes", 0)
        .field("total_net_output_bytes", 0)
        .field("total_net_repl_input_bytes", 0)
        .field("total_net_repl_output_bytes", 0)
        .field("instantaneous_input_kbps", "0.00")
        .field("instantaneous_output_kbps", "0.00")
        .field("instantaneous_input_repl_kbps", "0.00")
        .field("instantaneous_output_repl_kbps", "0.00")
        .field("rejected_connections", st.rejected_connections)
        .field("sync_full", e.repl.sync_full)
        .field("sync_partial_ok", e.repl.sync_partial_ok)
        .field("sync_partial_err", e.repl.sync_partial_err)
        .field("expired_keys", st.expired_keys)
        .field("expired_stale_perc", "0.00")
        .field("expired_time_cap_reached_count", 0)
        .field("expire_cycle_cpu_milliseconds", 0)
        .field("evicted_keys", st.evicted_keys)
        .field("evicted_clients", 0)
        .field("total_eviction_exceeded_time", 0)
        .field("current_eviction_exceeded_time", 0)
        .field("keyspace_hits", st.keyspace_hits)
        .field("keyspace_misses", st.keyspace_misses)
        .field("pubsub_channels", e.pubsub.channel_count())
        .field("pubsub_patterns", e.pubsub.pattern_count())
        .field("pubsubshard_channels", e.pubsub.shard_channel_count())
        .field("latest_fork_usec", 0)
        .field("total_forks", 0)
        .field("migrate_cached_sockets", 0)
        .field("slave_expires_tracked_keys", 0)
        .field("active_defrag_hits", 0)
        .field("active_defrag_misses", 0)
        .field("active_defrag_key_hits", 0)
        .field("active_defrag_key_misses", 0)
        .field("total_active_defrag_time", 0)
        .field("current_active_defrag_time", 0)
        .field("tracking_total_keys", 0)
        .field("tracking_total_items", 0)
        .field("tracking_total_prefixes", 0)
        .field("unexpected_error_replies", 0)
        .field("total_error_replies", st.total_error_replies)
        .field("dump_payload_sanitizations", 0)
        .field("total_reads_processed", 0)
        .field("total_writes_processed", 0)
        .field("io_threaded_reads_processed", 0)
        .field("io_threaded_writes_processed", 0)
        .field("reply_buffer_shrinks", 0)
        .field("reply_buffer_expands", 0)
        // KeyDB's engine-lock figures (after Redis 7.0's own fields).
        .field("instantaneous_lock_contention", e.host.lock_contention)
        .field(
            "avg_lock_contention",
            format!("{:.6}", e.host.avg_lock_contention),
        );
    s
}

fn replication(e: &Engine, now: Time) -> Section {
    let mut s = Section::new("Replication");
    for (k, v) in crate::repl::info::fields(e, now) {
        s.field(&k, v);
    }
    s
}

fn cpu(e: &Engine) -> Section {
    let mut s = Section::new("CPU");
    let h = &e.host;
    s.field("used_cpu_sys", format!("{:.6}", h.used_cpu_sys))
        .field("used_cpu_user", format!("{:.6}", h.used_cpu_user))
        .field("used_cpu_sys_children", "0.000000")
        .field("used_cpu_user_children", "0.000000")
        // KeyDB puts its thread count here, between the children's and
        // the main thread's figures.
        .field("server_threads", e.config.server_threads.max(1))
        .field("long_lock_waits", h.long_lock_waits)
        .field("event_coalesce_pauses", h.event_coalesce_pauses)
        .field("used_cpu_sys_main_thread", format!("{:.6}", h.used_cpu_sys))
        .field(
            "used_cpu_user_main_thread",
            format!("{:.6}", h.used_cpu_user),
        );
    s
}

fn commandstats(e: &Engine) -> Section {
    let mut s = Section::new("Commandstats");
    let mut v: Vec<_> = e.stats.commands.iter().collect();
    v.sort_by_key(|(name, _)| **name);
    for (name, st) in v {
        let per_call = if st.calls == 0 {
            0.0
        } else {
            st.usec as f64 / st.calls as f64
        };
        s.field(
            &format!("cmdstat_{name}"),
            format!(
                "calls={},usec={},usec_per_call={:.2},rejected_calls={},failed_calls={}",
                st.calls, st.usec, per_call, st.rejected_calls, st.failed_calls
            ),
        );
    }
    s
}

fn errorstats(e: &Engine) -> Section {
    let mut s = Section::new("Errorstats");
    let mut v: Vec<_> = e.stats.errors.iter().collect();
    v.sort();
    for (code, n) in v {
        s.field(&format!("errorstat_{code}"), format!("count={n}"));
    }
    s
}

fn keyspace(e: &Engine, now: Time) -> Section {
    let mut s = Section::new("Keyspace");
    for (i, db) in e.dbs.iter().enumerate() {
        if db.is_empty() {
            continue;
        }
        let mut sum: u128 = 0;
        let mut n: u128 = 0;
        for (_, &at) in db.expires.iter().take(AVG_TTL_SAMPLE) {
            sum += u128::from(at.saturating_sub(now.ms()));
            n += 1;
        }
        let avg = sum.checked_div(n).unwrap_or(0);
        s.field(
            &format!("db{i}"),
            format!(
                "keys={},expires={},avg_ttl={}",
                db.len(),
                db.expires.len(),
                avg
            ),
        );
    }
    s
}

/// The INFO text for the sections `args` select.
pub fn info_string(e: &Engine, args: &[Bytes], now: Time) -> String {
    info_string_for(e, args, now, None)
}

/// The INFO text as `caller` asked for it (its thread is
/// `current_client_thread`).
pub fn info_string_for(e: &Engine, args: &[Bytes], now: Time, caller: Option<ClientId>) -> String {
    let sel = selected(args);
    let mut out: Vec<String> = Vec::new();
    for (i, &(name, _)) in SECTIONS.iter().enumerate() {
        if !sel[i] {
            continue;
        }
        let sec = match name {
            "server" => server(e, now),
            "clients" => clients(e, caller),
            "memory" => memory(e),
            "persistence" => persistence(e, now),
            "stats" => stats(e),
            "replication" => replication(e, now),
            "cpu" => cpu(e),
            "modules" => Section::new("Modules"),
            "commandstats" => commandstats(e),
            "errorstats" => errorstats(e),
            // Per-command latency histograms need timings the pure engine
            // does not take; the section is present but empty.
            "latencystats" => Section::new("Latencystats"),
            "cluster" => {
                let mut s = Section::new("Cluster");
                s.field("cluster_enabled", 0);
                s
            }
            _ => keyspace(e, now),
        };
        out.push(sec.text);
    }
    out.join("\r\n")
}

fn info(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let text = info_string_for(e, &call.argv[1..], call.now, Some(call.client));
    Reply::Verbatim {
        format: *b"txt",
        text: Bytes::from(text),
    }
}

/// The INFO group's table.
pub const COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "info",
    arity: -1,
    flags: flags::LOADING | flags::STALE | flags::SENTINEL,
    acl: acl::SLOW | acl::DANGEROUS,
    first_key: 0,
    last_key: 0,
    key_step: 0,
    handler: info,
    subcommands: &[],
    doc: CommandDoc {
        summary: "Get information and statistics about the server",
        since: "1.0.0",
        group: "server",
        complexity: "O(1)",
    },
}];
