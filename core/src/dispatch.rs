//! What a driver (the io runtime, the simulator) does with an [`Outcome`]:
//! the decisions shared by every driver, so they cannot drift apart.
//!
//! [`apply_outcome`] writes everything meant for the calling connection into
//! its [`Session`] (pushes to itself first, then the reply and further
//! replies, as Redis writes a command's own pushes while it runs) and hands
//! back the rest as [`FollowUps`]: deliveries and unblocks for other clients,
//! kills, sleeps, shutdown. [`split_effects`] does the same for effects with
//! no calling connection (`Engine::tick`).

use bytes::Bytes;

use crate::engine::{ClientId, Effect, Outcome};
use crate::session::Session;

/// Something for another connection, in the order the engine produced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Post {
    /// Append these already-encoded bytes to the client's output.
    Deliver(ClientId, Bytes),
    /// The client's blocking command was answered: run its next commands.
    Unblocked(ClientId),
}

impl Post {
    /// The client the post is for.
    pub fn target(&self) -> ClientId {
        match self {
            Post::Deliver(id, _) | Post::Unblocked(id) => *id,
        }
    }
}

/// What is left for the driver after the caller's own part is applied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FollowUps {
    /// Deliveries and unblocks for other clients, in order.
    pub posts: Vec<Post>,
    /// Other clients to close now (CLIENT KILL, idle timeout). A caller
    /// killing itself is not here: its session closes after the reply.
    pub kills: Vec<ClientId>,
    /// Total time to block the whole server (DEBUG SLEEP), microseconds.
    pub sleep_us: u64,
    /// SHUTDOWN was asked for.
    pub shutdown: bool,
    /// The caller is now blocked: run none of its further commands until an
    /// [`Post::Unblocked`] for it arrives.
    pub blocked: bool,
    /// The caller's session now closes after its reply: the driver should
    /// drop its queued, not yet executed commands.
    pub closing: bool,
}

/// Apply `outcome` of a command run by `me` to `session`; return what the
/// driver must do elsewhere.
pub fn apply_outcome(session: &mut Session, me: ClientId, outcome: Outcome) -> FollowUps {
    let Outcome {
        reply,
        more,
        blocked,
        proto,
        effects,
    } = outcome;
    let mut rest = FollowUps {
        blocked,
        ..FollowUps::default()
    };
    if effects.is_empty() && more.is_empty() {
        // The common case (GET, SET...): just the reply.
        if let Some(reply) = &reply {
            session.push_reply(reply, proto);
        }
        return rest;
    }
    let mut later = Vec::new();
    for effect in effects {
        match effect {
            // Pushes to the caller itself precede its reply.
            Effect::Deliver { client, bytes } if client == me => session.push_raw(&bytes),
            // It cannot be blocked while running a command; nothing to resume.
            Effect::Unblocked(client) if client == me => {}
            other => later.push(other),
        }
    }
    if let Some(reply) = &reply {
        session.push_reply(reply, proto);
    }
    for reply in &more {
        session.push_reply(reply, proto);
    }
    for effect in later {
        match effect {
            // CLIENT KILL of oneself: the reply still goes out.
            Effect::CloseAfterReply => {
                session.close_after_reply();
                rest.closing = true;
            }
            Effect::KillClient(id) if id == me => {
                session.close_after_reply();
                rest.closing = true;
            }
            other => absorb(&mut rest, other),
        }
    }
    rest
}

/// The follow-ups of effects that have no calling connection (`tick`).
pub fn split_effects(effects: Vec<Effect>) -> FollowUps {
    let mut rest = FollowUps::default();
    for effect in effects {
        absorb(&mut rest, effect);
    }
    rest
}

fn absorb(rest: &mut FollowUps, effect: Effect) {
    match effect {
        Effect::Deliver { client, bytes } => rest.posts.push(Post::Deliver(client, bytes)),
        Effect::Unblocked(client) => rest.posts.push(Post::Unblocked(client)),
        Effect::KillClient(id) => rest.kills.push(id),
        Effect::Sleep { duration_us } => rest.sleep_us = rest.sleep_us.saturating_add(duration_us),
        Effect::Shutdown => rest.shutdown = true,
        // Without a calling connection there is nothing to close after.
        Effect::CloseAfterReply => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resp::{Protocol, Reply};

    fn outcome(effects: Vec<Effect>) -> Outcome {
        Outcome {
            reply: Some(Reply::Integer(1)),
            more: vec![Reply::Integer(2)],
            blocked: false,
            proto: Protocol::Resp2,
            effects,
        }
    }

    #[test]
    fn own_pushes_precede_the_reply_and_others_are_posted_in_order() {
        let mut s = Session::default();
        let rest = apply_outcome(
            &mut s,
            7,
            outcome(vec![
                Effect::Deliver {
                    client: 8,
                    bytes: Bytes::from_static(b"a"),
                },
                Effect::Deliver {
                    client: 7,
                    bytes: Bytes::from_static(b"+own\r\n"),
                },
                Effect::Unblocked(8),
                Effect::Unblocked(7),
            ]),
        );
        assert_eq!(s.poll_transmit(), b"+own\r\n:1\r\n:2\r\n");
        assert_eq!(
            rest.posts,
            vec![
                Post::Deliver(8, Bytes::from_static(b"a")),
                Post::Unblocked(8)
            ]
        );
        assert!(!rest.blocked && !rest.closing && !s.is_closing());
    }

    #[test]
    fn killing_oneself_closes_after_the_reply_killing_others_is_a_kill() {
        let mut s = Session::default();
        let rest = apply_outcome(&mut s, 7, outcome(vec![Effect::KillClient(9)]));
        assert_eq!(rest.kills, vec![9]);
        assert!(!s.is_closing());
        let rest = apply_outcome(&mut s, 7, outcome(vec![Effect::KillClient(7)]));
        assert!(rest.kills.is_empty() && rest.closing && s.is_closing());
        assert_eq!(s.poll_transmit(), b":1\r\n:2\r\n:1\r\n:2\r\n");
        let mut s = Session::default();
        let rest = apply_outcome(&mut s, 7, outcome(vec![Effect::CloseAfterReply]));
        assert!(rest.closing && s.is_closing());
    }

    #[test]
    fn blocked_sleep_and_shutdown_are_reported() {
        let mut s = Session::default();
        let mut o = outcome(vec![
            Effect::Sleep { duration_us: 5 },
            Effect::Sleep {
                duration_us: u64::MAX,
            },
            Effect::Shutdown,
        ]);
        o.reply = None;
        o.more.clear();
        o.blocked = true;
        let rest = apply_outcome(&mut s, 1, o);
        assert!(rest.blocked && rest.shutdown);
        assert_eq!(rest.sleep_us, u64::MAX);
        assert!(s.poll_transmit().is_empty());
    }

    #[test]
    fn tick_effects_split_without_a_caller() {
        let rest = split_effects(vec![
            Effect::KillClient(3),
            Effect::Deliver {
                client: 4,
                bytes: Bytes::from_static(b"*-1\r\n"),
            },
            Effect::Unblocked(4),
            Effect::CloseAfterReply,
        ]);
        assert_eq!(rest.kills, vec![3]);
        assert_eq!(rest.posts.len(), 2);
        assert_eq!(rest.posts[1].target(), 4);
    }
}
