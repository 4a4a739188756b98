//! From a received, stamped command to what the engine must run: the
//! conflict check of [`super::keystamps`] applied to a command's keys, and
//! the command reduced to the keys that won.
//!
//! The engine (`engine::commands::active`) runs [`resolve`] under the lock
//! for each command of an admitted envelope, then executes the result with
//! propagation to its own stream suppressed (the envelope is forwarded as
//! it came). The version bookkeeping is done here, before the run, so the
//! decision and the record cannot drift apart.

use bytes::Bytes;

use std::borrow::BorrowMut;

use super::keystamps::{DbStamps, Decision};
use super::lww::{classify, is_versioned, mvcc_version, Plan};
use super::stamp::Version;

/// What to do with a received command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// Run this command (the received one, or reduced to the keys whose
    /// version lost to the incoming one: e.g. MSET with only the winning
    /// pairs, DEL of only the winning keys).
    Run(Vec<Bytes>),
    /// Every key already holds a newer (or this very) version: run nothing.
    Skip,
    /// FLUSHDB/FLUSHALL won in these databases: remove every key there
    /// except the listed survivors (their state is newer than the flush).
    FlushExcept(Vec<(usize, Vec<Bytes>)>),
    /// Not a keyspace change (MULTI, EXEC, PING...): run as is.
    Control(Vec<Bytes>),
    /// A state-dependent command sent raw (only a KeyDB peer does that; a
    /// keyrs peer ships such writes as whole state). It cannot be
    /// resolved by version; the caller decides (replay blindly as KeyDB,
    /// or refuse).
    Unresolved(Vec<Bytes>),
}

/// Why a command could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadDb(pub usize);

/// Resolve `argv`, received with version `v` for database `db`, against
/// the versions in `dbs` (one table per database), recording the winning
/// versions and tombstones. A `KEYDB.MVCCRESTORE` is checked with the
/// version it carries ([`mvcc_version`]), not `v`.
pub fn resolve<T: BorrowMut<DbStamps>>(
    argv: &[Bytes],
    db: usize,
    dbs: &mut [T],
    v: Version,
) -> Result<Resolved, BadDb> {
    let v = mvcc_version(argv, v.origin).unwrap_or(v);
    let plan = classify(argv);
    if matches!(plan, Plan::Control) {
        return Ok(Resolved::Control(argv.to_vec()));
    }
    if matches!(plan, Plan::State) {
        return Ok(Resolved::Unresolved(argv.to_vec()));
    }
    if matches!(plan, Plan::FlushAll) {
        let mut won = Vec::new();
        for (i, t) in dbs.iter_mut().enumerate() {
            let (d, survivors) = t.borrow_mut().flush(v);
            if d == Decision::Apply {
                won.push((i, survivors));
            }
        }
        return Ok(if won.is_empty() {
            Resolved::Skip
        } else {
            Resolved::FlushExcept(won)
        });
    }
    let table: &mut DbStamps = dbs.get_mut(db).ok_or(BadDb(db))?.borrow_mut();
    Ok(match plan {
        Plan::FlushDb => match table.flush(v) {
            (Decision::Apply, survivors) => Resolved::FlushExcept(vec![(db, survivors)]),
            (Decision::Skip, _) => Resolved::Skip,
        },
        Plan::Delete(keys) if is_versioned(argv) => {
            // KEYRS.MVCCDEL runs whole (its version arguments included).
            let mut won = false;
            for k in &keys {
                won |= table.delete(k, v) == Decision::Apply;
            }
            if won {
                Resolved::Run(argv.to_vec())
            } else {
                Resolved::Skip
            }
        }
        Plan::Delete(keys) => {
            let won: Vec<Bytes> = keys
                .into_iter()
                .filter(|k| table.delete(k, v) == Decision::Apply)
                .collect();
            if won.is_empty() {
                Resolved::Skip
            } else {
                let mut out = Vec::with_capacity(won.len() + 1);
                out.push(argv[0].clone());
                out.extend(won);
                Resolved::Run(out)
            }
        }
        Plan::Whole(_) if argv[0].eq_ignore_ascii_case(b"MSET") => {
            let mut out = vec![argv[0].clone()];
            for pair in argv[1..].chunks_exact(2) {
                if table.put(&pair[0], v) == Decision::Apply {
                    out.extend_from_slice(pair);
                }
            }
            if out.len() == 1 {
                Resolved::Skip
            } else {
                Resolved::Run(out)
            }
        }
        Plan::Whole(keys) => {
            // Single-key whole-value commands (SET, RESTORE, MVCCRESTORE).
            let mut won = false;
            for k in &keys {
                won |= table.put(k, v) == Decision::Apply;
            }
            if won {
                Resolved::Run(argv.to_vec())
            } else {
                Resolved::Skip
            }
        }
        // Returned above; answered without a panic all the same.
        Plan::Control | Plan::State | Plan::FlushAll => Resolved::Unresolved(argv.to_vec()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repl::active::node::NodeId;
    use crate::repl::active::stamp::Stamp;

    fn v(s: u64) -> Version {
        Version::new(Stamp(s), NodeId::from_bytes([1; 16]))
    }

    fn a(words: &str) -> Vec<Bytes> {
        words
            .split(' ')
            .map(|w| Bytes::copy_from_slice(w.as_bytes()))
            .collect()
    }

    fn tables() -> Vec<DbStamps> {
        (0..3).map(DbStamps::new).collect()
    }

    #[test]
    fn set_runs_once_then_older_and_duplicates_skip() {
        let mut t = tables();
        assert_eq!(
            resolve(&a("SET k v"), 0, &mut t, v(5)),
            Ok(Resolved::Run(a("SET k v")))
        );
        assert_eq!(resolve(&a("SET k v"), 0, &mut t, v(5)), Ok(Resolved::Skip));
        assert_eq!(resolve(&a("SET k w"), 0, &mut t, v(4)), Ok(Resolved::Skip));
        assert_eq!(t[0].live(b"k"), Some(v(5)));
        assert_eq!(t[1].live(b"k"), None, "databases are separate");
    }

    #[test]
    fn mset_and_del_are_reduced_to_the_winning_keys() {
        let mut t = tables();
        resolve(&a("SET b x"), 0, &mut t, v(9)).unwrap();
        resolve(&a("DEL d"), 0, &mut t, v(9)).unwrap();
        assert_eq!(
            resolve(&a("MSET a 1 b 2 c 3"), 0, &mut t, v(7)),
            Ok(Resolved::Run(a("MSET a 1 c 3")))
        );
        assert_eq!(
            resolve(&a("DEL a b d e"), 0, &mut t, v(8)),
            Ok(Resolved::Run(a("DEL a e")))
        );
        assert_eq!(
            resolve(&a("MSET b 1 d 2"), 0, &mut t, v(8)),
            Ok(Resolved::Skip)
        );
        assert_eq!(resolve(&a("UNLINK b"), 0, &mut t, v(8)), Ok(Resolved::Skip));
    }

    #[test]
    fn flushes_name_their_survivors() {
        let mut t = tables();
        resolve(&a("SET old x"), 0, &mut t, v(1)).unwrap();
        resolve(&a("SET new x"), 0, &mut t, v(9)).unwrap();
        resolve(&a("SET other x"), 2, &mut t, v(1)).unwrap();
        assert_eq!(
            resolve(&a("FLUSHDB"), 0, &mut t, v(5)),
            Ok(Resolved::FlushExcept(vec![(
                0,
                vec![Bytes::from_static(b"new")]
            )]))
        );
        assert_eq!(resolve(&a("FLUSHDB"), 0, &mut t, v(5)), Ok(Resolved::Skip));
        let Ok(Resolved::FlushExcept(dbs)) = resolve(&a("FLUSHALL"), 0, &mut t, v(6)) else {
            panic!("FLUSHALL won nowhere");
        };
        assert_eq!(
            dbs.iter().map(|(d, _)| *d).collect::<Vec<_>>(),
            vec![0, 1, 2]
        );
        assert_eq!(resolve(&a("FLUSHALL"), 0, &mut t, v(6)), Ok(Resolved::Skip));
    }

    #[test]
    fn control_state_and_bad_db() {
        let mut t = tables();
        assert_eq!(
            resolve(&a("MULTI"), 0, &mut t, v(1)),
            Ok(Resolved::Control(a("MULTI")))
        );
        assert_eq!(
            resolve(&a("INCR k"), 0, &mut t, v(1)),
            Ok(Resolved::Unresolved(a("INCR k")))
        );
        assert_eq!(resolve(&a("SET k v"), 3, &mut t, v(1)), Err(BadDb(3)));
        assert_eq!(resolve(&a("FLUSHDB"), 9, &mut t, v(1)), Err(BadDb(9)));
    }
}

/// Commands resolved by [`resolve`] and run on a tiny string-only keyspace
/// converge whatever the delivery order and duplication.
#[cfg(test)]
mod converge {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;
    use crate::repl::active::node::NodeId;
    use crate::repl::active::stamp::Stamp;

    type Keyspace = Vec<BTreeMap<Bytes, Bytes>>;

    /// Run a resolved command on the model keyspace.
    fn run(ks: &mut Keyspace, db: usize, r: Resolved) {
        match r {
            Resolved::Run(argv) => match &argv[0][..] {
                b"SET" => {
                    ks[db].insert(argv[1].clone(), argv[2].clone());
                }
                b"MSET" => {
                    for p in argv[1..].chunks_exact(2) {
                        ks[db].insert(p[0].clone(), p[1].clone());
                    }
                }
                b"DEL" => {
                    for k in &argv[1..] {
                        ks[db].remove(k);
                    }
                }
                other => panic!("model cannot run {other:?}"),
            },
            Resolved::FlushExcept(dbs) => {
                for (d, keep) in dbs {
                    ks[d].retain(|k, _| keep.contains(k));
                }
            }
            Resolved::Skip => {}
            other => panic!("unexpected {other:?}"),
        }
    }

    fn command() -> impl Strategy<Value = (usize, Vec<Bytes>)> {
        let key = (0u8..4).prop_map(|i| Bytes::from(vec![b'a' + i]));
        let val = (0u8..9).prop_map(|i| Bytes::from(vec![b'0' + i]));
        let b = |s: &'static str| Bytes::from_static(s.as_bytes());
        (
            0usize..2,
            prop_oneof![
                4 => (key.clone(), val.clone()).prop_map(move |(k, v)| vec![b("SET"), k, v]),
                3 => prop::collection::vec((key.clone(), val), 1..4).prop_map(move |ps| {
                    let mut a = vec![b("MSET")];
                    for (k, v) in ps {
                        a.push(k);
                        a.push(v);
                    }
                    a
                }),
                3 => prop::collection::vec(key, 1..3).prop_map(move |ks| {
                    let mut a = vec![b("DEL")];
                    a.extend(ks);
                    a
                }),
                1 => Just(vec![b("FLUSHDB")]),
                1 => Just(vec![b("FLUSHALL")]),
            ],
        )
    }

    proptest! {
        #[test]
        fn resolved_commands_converge(
            (cmds, orders) in prop::collection::vec((command(), 0u64..6, 0u8..3), 1..16)
                .prop_flat_map(|cmds| {
                    let n = cmds.len();
                    let order = (Just((0..n).collect::<Vec<_>>()).prop_shuffle(),
                                 prop::collection::vec((0..n, 0..=n), 0..4));
                    (Just(cmds), prop::collection::vec(order, 3))
                })
        ) {
            // Distinct versions (a stamp is never reused by one origin).
            let mut seen = std::collections::BTreeSet::new();
            let cmds: Vec<((usize, Vec<Bytes>), Version)> = cmds
                .into_iter()
                .filter_map(|(c, s, o)| {
                    let v = Version::new(Stamp(s), NodeId::from_bytes([o; 16]));
                    seen.insert(v).then_some((c, v))
                })
                .collect();
            let mut results = Vec::new();
            for (order, dups) in orders {
                let mut seq: Vec<usize> = order.into_iter().filter(|&i| i < cmds.len()).collect();
                for (i, at) in dups {
                    if i < cmds.len() {
                        seq.insert(at.min(seq.len()), i);
                    }
                }
                let mut ks: Keyspace = vec![BTreeMap::new(); 2];
                let mut tables: Vec<DbStamps> = (0..2).map(DbStamps::new).collect();
                for i in seq {
                    let ((db, argv), v) = &cmds[i];
                    let r = resolve(argv, *db, &mut tables, *v).unwrap();
                    run(&mut ks, *db, r);
                }
                results.push(ks);
            }
            for r in &results[1..] {
                prop_assert_eq!(r, &results[0]);
            }
        }
    }
}
