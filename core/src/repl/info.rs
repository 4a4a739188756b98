//! INFO replication, field for field as Redis 7.0 prints it.

use super::state::{LinkStatus, MasterInfo, ReplicaPhase};
use crate::engine::{Engine, Time};

/// The section's fields in order.
pub fn fields(e: &Engine, now: Time) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = Vec::new();
    let mut add = |k: &str, v: String| f.push((k.to_string(), v));
    let r = &e.repl;
    if !r.actives.is_empty() {
        active_fields(e, now, &mut add);
    }
    match &r.master {
        None if !r.actives.is_empty() => {}
        None => add("role", "master".into()),
        Some(m) => {
            add("role", "slave".into());
            link_fields(m, r.offset, now, true, &mut add);
            replica_tail(e, &mut add);
        }
    }
    add("connected_slaves", r.replicas.len().to_string());
    for (i, s) in r.replicas.iter().enumerate() {
        let lag = match s.phase {
            ReplicaPhase::Online => now.secs().saturating_sub(s.ack_time.secs()),
            _ => 0,
        };
        add(
            &format!("slave{i}"),
            format!(
                "ip={},port={},state={},offset={},lag={}",
                s.ip,
                s.port,
                s.phase.name(),
                s.ack_offset,
                lag
            ),
        );
    }
    add("master_failover_state", "no-failover".into());
    add("master_replid", r.replid.clone());
    add("master_replid2", r.replid2.clone());
    add("master_repl_offset", r.offset.to_string());
    add("second_repl_offset", r.second_offset.to_string());
    match &r.backlog {
        Some(b) => {
            add("repl_backlog_active", "1".into());
            add("repl_backlog_size", b.size().to_string());
            add(
                "repl_backlog_first_byte_offset",
                b.first_byte_offset().to_string(),
            );
            add("repl_backlog_histlen", b.histlen().to_string());
        }
        None => {
            add("repl_backlog_active", "0".into());
            add("repl_backlog_size", e.repl_backlog_size().to_string());
            add("repl_backlog_first_byte_offset", "0".into());
            add("repl_backlog_histlen", "0".into());
        }
    }
    f
}

/// The fields every kind of replica ends its part with.
fn replica_tail(e: &Engine, add: &mut impl FnMut(&str, String)) {
    let prio = e
        .config
        .get("replica-priority")
        .unwrap_or_else(|| "100".into());
    add("slave_priority", prio);
    let ro = e.config.get_bool("replica-read-only") != Some(false);
    add("slave_read_only", u8::from(ro).to_string());
    let announced = e.config.get_bool("replica-announced") != Some(false);
    add("replica_announced", u8::from(announced).to_string());
}

/// An active replica's part (KeyDB): `role:active-replica`, the quorum-aware
/// global status, then each master's fields; the second and later masters'
/// names carry a `master_<n>_` prefix.
fn active_fields(e: &Engine, now: Time, add: &mut impl FnMut(&str, String)) {
    let r = &e.repl;
    add("role", "active-replica".into());
    let global = if e.repl_global_link_up() {
        "up"
    } else {
        "down"
    };
    add("master_global_link_status", global.into());
    add("connected_masters", r.active_links_up().to_string());
    // keyrs: tombstones held, and the floor they were last collected at.
    let tombs: usize = e
        .dbs
        .iter()
        .filter_map(|d| d.stamps.as_deref())
        .map(|st| st.tombstones_len())
        .sum();
    add("active_tombstones", tombs.to_string());
    add("active_tombstone_horizon", e.active_horizon().0.to_string());
    for (i, m) in r.actives.iter().enumerate() {
        let name = |field: &str| -> String {
            if i == 0 {
                field.to_string()
            } else {
                let rest = field.strip_prefix("master_").unwrap_or(field);
                format!("master_{i}_{rest}")
            }
        };
        let offset = m.position.as_ref().map_or(0, |(_, o)| *o);
        link_fields(&m.link, offset, now, false, &mut |k, v| add(&name(k), v));
    }
    replica_tail(e, add);
}

/// One master's link fields, as a replica prints them (`offset`: the
/// stream offset applied). `progress`: during a sync, also the bytes left,
/// the percentage and the last I/O, as Redis prints for its one master
/// (an active replica's per-master lines print the byte counts only).
fn link_fields(
    m: &MasterInfo,
    offset: u64,
    now: Time,
    progress: bool,
    add: &mut impl FnMut(&str, String),
) {
    let up = m.is_up();
    add("master_host", m.host.clone());
    add("master_port", m.port.to_string());
    add("master_link_status", if up { "up" } else { "down" }.into());
    let last_io = match m.last_io {
        Some(t) if up => now.secs().saturating_sub(t.secs()) as i64,
        _ => -1,
    };
    add("master_last_io_seconds_ago", last_io.to_string());
    let syncing = m.status == LinkStatus::Sync;
    add("master_sync_in_progress", u8::from(syncing).to_string());
    add("slave_read_repl_offset", offset.to_string());
    add("slave_repl_offset", offset.to_string());
    if syncing {
        let total = m.sync_total.map_or(-1, |t| t as i64);
        add("master_sync_total_bytes", total.to_string());
        add("master_sync_read_bytes", m.sync_read.to_string());
        if progress {
            let left = if total < 0 {
                -1
            } else {
                total - m.sync_read as i64
            };
            add("master_sync_left_bytes", left.to_string());
            let perc = if total > 0 {
                m.sync_read as f64 * 100.0 / total as f64
            } else {
                0.0
            };
            add("master_sync_perc", format!("{perc:.2}"));
            let io = m.last_io.map_or(0, |t| now.secs().saturating_sub(t.secs()));
            add("master_sync_last_io_seconds_ago", io.to_string());
        }
    }
    if !up {
        let since = match m.down_since {
            Some(t) => now.secs().saturating_sub(t.secs()) as i64,
            None => -1,
        };
        add("master_link_down_since_seconds", since.to_string());
    }
}
