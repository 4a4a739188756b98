//! The replication commands: REPLICAOF/SLAVEOF, REPLCONF, PSYNC/SYNC,
//! ROLE, WAIT. PSYNC and SYNC are answered by the driver, which takes the
//! connection over ([`Engine::repl`]'s `handoffs`).

use bytes::Bytes;

use super::state::{Handoff, PsyncDecision, ReplConf};
use super::Waiter;
use crate::engine::commands::{int_arg, is_kw, NOT_INTEGER, SYNTAX_ERROR};
use crate::engine::table::{acl, flags, CommandDoc, CommandSpec};
use crate::engine::{Call, Engine, ReplyMode};
use crate::resp::{parse_i64, Reply};

/// REPLICAOF host port | NO ONE (and SLAVEOF); KeyDB's REPLICAOF REMOVE
/// host port. With `active-replica` a master is followed as an active
/// one: added under `multi-master`, replacing the others otherwise.
fn replicaof(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let argc = call.argv.len();
    if argc == 4 && is_kw(call.arg(1), "remove") {
        return replicaof_remove(e, call);
    }
    if argc != 3 {
        return Reply::err(format!(
            "wrong number of arguments for '{}' command",
            String::from_utf8_lossy(call.arg(0)).to_lowercase()
        ));
    }
    if is_kw(call.arg(1), "no") && is_kw(call.arg(2), "one") {
        if e.repl.is_replica() || !e.repl.actives.is_empty() {
            tracing::info!(
                "MASTER MODE enabled (user request from 'id={}')",
                call.client
            );
            e.repl_clear_active_masters();
            e.repl_unset_master();
            // CONFIG REWRITE writes what the server does now.
            let no_one = ["no".to_string(), "one".to_string()];
            let _ = e.config.set_option("replicaof", &no_one);
        }
        return Reply::ok();
    }
    let Some(port) = master_port(call.arg(2)) else {
        return Reply::err("Invalid master port");
    };
    let host = String::from_utf8_lossy(call.arg(1)).into_owned();
    if e.is_active_replica() {
        if !e.repl_add_active_master(host.clone(), port) {
            return Reply::status("OK Already connected to specified master");
        }
        tracing::info!(
            "REPLICAOF {host}:{port} enabled as an active master (user request from 'id={}')",
            call.client
        );
        let masters = e.repl_masters_for_config();
        e.config.set_masters(masters);
        return Reply::ok();
    }
    if let Some(m) = &e.repl.master {
        if m.host.eq_ignore_ascii_case(&host) && m.port == port {
            tracing::info!("REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.");
            return Reply::status("OK Already connected to specified master");
        }
    }
    tracing::info!(
        "REPLICAOF {host}:{port} enabled (user request from 'id={}')",
        call.client
    );
    let _ = e
        .config
        .set_option("replicaof", &[host.clone(), port.to_string()]);
    e.repl_set_master(host, port);
    Reply::ok()
}

fn master_port(arg: &[u8]) -> Option<u16> {
    parse_i64(arg)
        .filter(|p| (0..=65535).contains(p))
        .map(|p| p as u16)
}

/// REPLICAOF REMOVE host port (KeyDB): stop following one active master.
fn replicaof_remove(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let Some(port) = master_port(call.arg(3)) else {
        return Reply::err("Invalid master port");
    };
    let host = String::from_utf8_lossy(call.arg(2)).into_owned();
    if !e.repl_remove_active_master(&host, port) {
        return Reply::error(super::actives::NO_SUCH_MASTER);
    }
    tracing::info!(
        "REPLICAOF REMOVE {host}:{port} (user request from 'id={}')",
        call.client
    );
    let masters = e.repl_masters_for_config();
    e.config.set_masters(masters);
    Reply::ok()
}

/// REPLCONF option value [option value ...].
fn replconf(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    if call.argv.len().is_multiple_of(2) {
        return Reply::error(SYNTAX_ERROR);
    }
    let mut conf = e.repl.confs.get(&call.client).cloned().unwrap_or_default();
    let mut answer = None;
    for pair in call.argv[1..].chunks(2) {
        let (opt, val) = (&pair[0], &pair[1]);
        if is_kw(opt, "listening-port") {
            match parse_i64(val) {
                Some(p) => conf.port = u16::try_from(p).unwrap_or(0),
                None => return Reply::error(NOT_INTEGER),
            }
        } else if is_kw(opt, "capa") {
            if is_kw(val, "eof") {
                conf.capa_eof = true;
            } else if is_kw(val, "psync2") {
                conf.capa_psync2 = true;
            }
        } else if is_kw(opt, "ack") || is_kw(opt, "getack") {
            // ACKs reach the driver's replica reader, GETACK the link;
            // from an ordinary client they are ignored, without reply.
            silence(e, call);
            return Reply::ok();
        } else if is_kw(opt, "uuid") {
            // KeyDB: the replica's node id; the answer is ours.
            conf.uuid = Some(String::from_utf8_lossy(val).into_owned());
            answer = Some(Reply::Status(e.node_uuid().to_string().into()));
        } else if is_kw(opt, "ip-address") || is_kw(opt, "rdb-only") {
            // Accepted; the address comes from the connection.
        } else {
            return Reply::err(format!(
                "Unrecognized REPLCONF option: {}",
                String::from_utf8_lossy(opt)
            ));
        }
    }
    e.repl.confs.insert(call.client, conf);
    if let Some(a) = answer {
        return a;
    }
    if e.is_active_replica() && call.argv[1..].chunks(2).any(|p| is_kw(&p[0], "capa")) {
        // KeyDB tells a replica it talks to an active replica.
        return Reply::status("OK active-replica");
    }
    Reply::ok()
}

/// The reply of this command is not sent (the driver answers, or nobody).
fn silence(e: &mut Engine, call: &Call<'_>) {
    if let Some(c) = e.clients.get_mut(call.client) {
        if c.reply_mode == ReplyMode::On {
            c.reply_mode = ReplyMode::SkipThis;
        }
    }
}

/// PSYNC replid offset.
fn psync(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    sync_generic(e, call, false)
}

/// SYNC (the old full-sync-only protocol).
fn sync(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    sync_generic(e, call, true)
}

fn sync_generic(e: &mut Engine, call: &mut Call<'_>, legacy: bool) -> Reply {
    if e.repl_is_replica_client(call.client) {
        return Reply::ok();
    }
    if e.repl.is_replica() && !e.repl.link_up() {
        return Reply::error("NOMASTERLINK Can't SYNC while not connected with my master");
    }
    let decision = if legacy {
        PsyncDecision::Full
    } else {
        // An offset that is no number means a full resync, as in Redis.
        let offset = parse_i64(call.arg(2)).unwrap_or(-1);
        let replid = String::from_utf8_lossy(call.arg(1)).into_owned();
        let d = e.repl.decide(&replid, offset);
        match d {
            PsyncDecision::Continue { .. } => e.repl.sync_partial_ok += 1,
            PsyncDecision::Full if replid != "?" => e.repl.sync_partial_err += 1,
            PsyncDecision::Full => {}
        }
        d
    };
    if decision == PsyncDecision::Full {
        e.repl.sync_full += 1;
    }
    let size = e.repl_backlog_size();
    e.repl.ensure_backlog(size);
    e.prop.set_enabled(true);
    let conf: ReplConf = e.repl.confs.remove(&call.client).unwrap_or_default();
    let h = Handoff {
        client: call.client,
        decision,
        legacy,
        conf,
    };
    e.repl_attach(&h, call.now);
    e.repl.handoffs.push(h);
    // The driver writes the answer (+FULLRESYNC/+CONTINUE) itself.
    if let Some(c) = e.clients.get_mut(call.client) {
        c.reply_mode = ReplyMode::Off;
    }
    Reply::ok()
}

/// A replica's ROLE entry for one master: `role`, host, port, link state
/// and the offset applied (-1 while the link is down).
fn role_entry(role: &'static str, m: &super::state::MasterInfo, offset: i64) -> Reply {
    Reply::Array(vec![
        Reply::bulk(role),
        Reply::bulk(m.host.as_bytes()),
        Reply::Integer(i64::from(m.port)),
        Reply::bulk(m.status.name()),
        Reply::Integer(offset),
    ])
}

/// ROLE.
fn role(e: &mut Engine, _call: &mut Call<'_>) -> Reply {
    if !e.repl.actives.is_empty() {
        // KeyDB: "active-replica" entries, one array per master when there
        // are several.
        let entry = |m: &super::state::ActiveMaster| {
            let offset = match &m.position {
                Some((_, off)) if m.link.is_up() => *off as i64,
                _ => -1,
            };
            role_entry("active-replica", &m.link, offset)
        };
        let mut all: Vec<Reply> = e.repl.actives.iter().map(entry).collect();
        if all.len() == 1 {
            return all.remove(0);
        }
        return Reply::Array(all);
    }
    match &e.repl.master {
        Some(m) => {
            let offset = if m.is_up() { e.repl.offset as i64 } else { -1 };
            role_entry("slave", m, offset)
        }
        None => {
            let replicas = e
                .repl
                .replicas
                .iter()
                .filter(|r| r.phase == super::ReplicaPhase::Online)
                .map(|r| {
                    Reply::Array(vec![
                        Reply::bulk(r.ip.as_bytes()),
                        Reply::bulk(r.port.to_string()),
                        Reply::bulk(r.ack_offset.to_string()),
                    ])
                })
                .collect();
            Reply::Array(vec![
                Reply::bulk("master"),
                Reply::Integer(e.repl.offset as i64),
                Reply::Array(replicas),
            ])
        }
    }
}

/// WAIT numreplicas timeout.
fn wait(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    if e.repl.is_replica() {
        return Reply::err("WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.");
    }
    let needed = match int_arg(call.arg(1)) {
        Ok(n) => n,
        Err(err) => return err,
    };
    let timeout = match int_arg(call.arg(2)) {
        Ok(t) if t < 0 => return Reply::err("timeout is negative"),
        Ok(t) => t as u64,
        Err(_) => return Reply::err("timeout is not an integer or out of range"),
    };
    // Everything this client wrote is in the stream once drained: the
    // target is the offset after the pending bytes.
    let target = e.repl.offset + e.prop.pending() as u64;
    let acked = e.repl.acked(target);
    if e.in_exec || acked as i64 >= needed || e.repl.backlog.is_none() {
        return Reply::Integer(acked as i64);
    }
    let deadline_ms = (timeout > 0).then(|| call.now.ms().saturating_add(timeout));
    e.repl.waiters.push(Waiter {
        client: call.client,
        offset: target,
        needed: usize::try_from(needed).unwrap_or(usize::MAX),
        deadline_ms,
    });
    e.repl.getack_wanted = true;
    e.block_client(
        call,
        Vec::<Bytes>::new(),
        None,
        Reply::Integer(acked as i64),
    )
}

const fn doc(summary: &'static str, since: &'static str, group: &'static str) -> CommandDoc {
    CommandDoc {
        summary,
        since,
        group,
        complexity: "O(1)",
    }
}

/// The replication commands' table (flags as Redis 7.0's COMMAND INFO).
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::keyless(
        "replicaof",
        -3,
        flags::ADMIN | flags::NOSCRIPT | flags::STALE | flags::NO_ASYNC_LOADING,
        acl::ADMIN | acl::SLOW | acl::DANGEROUS,
        replicaof,
        doc(
            "Make the server a replica of another instance, or promote it as master.",
            "5.0.0",
            "server",
        ),
    ),
    CommandSpec::keyless(
        "slaveof",
        -3,
        flags::ADMIN | flags::NOSCRIPT | flags::STALE | flags::NO_ASYNC_LOADING,
        acl::ADMIN | acl::SLOW | acl::DANGEROUS,
        replicaof,
        doc(
            "Make the server a replica of another instance, or promote it as master.",
            "1.0.0",
            "server",
        ),
    ),
    CommandSpec::keyless(
        "replconf",
        -1,
        flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::ALLOW_BUSY,
        acl::ADMIN | acl::SLOW | acl::DANGEROUS,
        replconf,
        doc(
            "An internal command for configuring the replication stream",
            "3.0.0",
            "server",
        ),
    ),
    CommandSpec::keyless(
        "psync",
        -3,
        flags::ADMIN | flags::NOSCRIPT | flags::NO_ASYNC_LOADING | flags::NO_MULTI,
        acl::ADMIN | acl::SLOW | acl::DANGEROUS,
        psync,
        doc(
            "Internal command used for replication",
            "2.8.0",
            "server",
        ),
    ),
    CommandSpec::keyless(
        "sync",
        1,
        flags::ADMIN | flags::NOSCRIPT | flags::NO_ASYNC_LOADING | flags::NO_MULTI,
        acl::ADMIN | acl::SLOW | acl::DANGEROUS,
        sync,
        doc(
            "Internal command used for replication",
            "1.0.0",
            "server",
        ),
    ),
    CommandSpec::keyless(
        "role",
        1,
        flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::FAST,
        acl::ADMIN | acl::FAST | acl::DANGEROUS,
        role,
        doc(
            "Return the role of the instance in the context of replication",
            "2.8.12",
            "server",
        ),
    ),
    CommandSpec::keyless(
        "wait",
        3,
        flags::NOSCRIPT,
        acl::SLOW | acl::CONNECTION,
        wait,
        doc(
            "Wait for the synchronous replication of all the write commands sent in the context of the current connection",
            "3.0.0",
            "generic",
        ),
    ),
];
