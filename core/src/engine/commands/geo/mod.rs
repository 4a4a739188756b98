//! Geo commands, byte-exact with Redis 7.0 (`geo.c`'s behaviour). A geo
//! set is a sorted set whose scores are 52-bit geohashes
//! (`engine::types::geohash`); GEOADD is ZADD with encoded scores, and the
//! searches scan the score ranges of the boxes around the centre.

mod table;

pub use table::COMMANDS;

use crate::engine::shared::Shared;
use bytes::Bytes;

use super::hash::lookup_read;
use super::{flatten, is_kw, zset, NOT_INTEGER, SYNTAX_ERROR};
use crate::engine::types::geohash::{self, Search, Shape};
use crate::engine::types::zset::{ScoreRange, ZSet};
use crate::engine::value::{Value, WRONGTYPE};
use crate::engine::{Call, Engine};
use crate::resp::{parse_i64, Protocol, Reply};
use crate::util::num::parse_double;

/// Redis's error for a non-float argument.
const NOT_FLOAT: &str = "ERR value is not a valid float";
/// Redis's error for an unknown distance unit.
const BAD_UNIT: &str = "ERR unsupported unit provided. please use M, KM, FT, MI";
/// Redis's error for a FROMMEMBER/BYMEMBER member that is not in the set.
const NO_MEMBER: &str = "ERR could not decode requested zset member";

/// The geo set at `key` for reading (counts a hit or miss); WRONGTYPE for
/// other types.
fn read<'e>(e: &'e mut Engine, call: &Call<'_>, key: &[u8]) -> Result<Option<&'e ZSet>, Reply> {
    match lookup_read(e, call, key) {
        None => Ok(None),
        Some(Value::ZSet(z)) => Ok(Some(z)),
        Some(_) => Err(Reply::error(WRONGTYPE)),
    }
}

/// Meters per unit, or Redis's unit error.
fn unit(arg: &[u8]) -> Result<f64, Reply> {
    if is_kw(arg, "m") {
        Ok(1.0)
    } else if is_kw(arg, "km") {
        Ok(1000.0)
    } else if is_kw(arg, "ft") {
        Ok(0.3048)
    } else if is_kw(arg, "mi") {
        Ok(1609.34)
    } else {
        Err(Reply::error(BAD_UNIT))
    }
}

/// A float argument (`getDoubleFromObjectOrReply`), `msg` naming it.
fn float(arg: &[u8], msg: &'static str) -> Result<f64, Reply> {
    parse_double(arg).ok_or_else(|| Reply::error(msg))
}

/// A longitude,latitude pair inside the Mercator limits.
fn lon_lat(lon: &[u8], lat: &[u8]) -> Result<(f64, f64), Reply> {
    let lon = float(lon, NOT_FLOAT)?;
    let lat = float(lat, NOT_FLOAT)?;
    if !(geohash::LONG_MIN..=geohash::LONG_MAX).contains(&lon)
        || !(geohash::LAT_MIN..=geohash::LAT_MAX).contains(&lat)
    {
        return Err(Reply::err(format!(
            "invalid longitude,latitude pair {lon:.6},{lat:.6}"
        )));
    }
    Ok((lon, lat))
}

/// A radius and its unit.
fn radius(r: &[u8], u: &[u8]) -> Result<(f64, f64), Reply> {
    let r = float(r, "ERR need numeric radius")?;
    if r < 0.0 {
        return Err(Reply::error("ERR radius cannot be negative"));
    }
    Ok((r, unit(u)?))
}

/// A coordinate reply in Redis's long-double "human" text: a bulk string in
/// RESP2, a RESP3 double with that same text (`addReplyHumanLongDouble`).
fn coord(d: f64, _proto: Protocol) -> Reply {
    Reply::DoubleText(geohash::format_coord(d).into())
}

/// A distance reply: always a bulk string with four decimals.
fn dist_reply(d: f64) -> Reply {
    Reply::Bulk(Bytes::from(geohash::format_distance(d)))
}

/// GEOADD key [NX|XX] [CH] longitude latitude member [...]: ZADD with
/// encoded scores (run through ZADD itself, as Redis does).
pub(super) fn geoadd(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten((|| {
        let argv = call.argv;
        let mut idx = 2;
        let (mut nx, mut xx) = (false, false);
        while idx < argv.len() {
            let a = &argv[idx];
            if is_kw(a, "nx") {
                nx = true;
            } else if is_kw(a, "xx") {
                xx = true;
            } else if !is_kw(a, "ch") {
                break;
            }
            idx += 1;
        }
        if !(argv.len() - idx).is_multiple_of(3) || (xx && nx) {
            return Err(Reply::error(SYNTAX_ERROR));
        }
        let mut zargv: Vec<Bytes> = Vec::with_capacity(idx + (argv.len() - idx) / 3 * 2);
        zargv.push(Bytes::from_static(b"zadd"));
        zargv.extend(argv[1..idx].iter().cloned());
        for triple in argv[idx..].chunks_exact(3) {
            let (lon, lat) = lon_lat(&triple[0], &triple[1])?;
            let score = geohash::score_of(lon, lat).unwrap_or(0);
            zargv.push(Bytes::from(score.to_string()));
            zargv.push(triple[2].clone());
        }
        let Some(spec) = zset::COMMANDS.iter().find(|s| s.name == "zadd") else {
            return Err(Reply::error("ERR zadd unavailable"));
        };
        let mut sub = Call {
            client: call.client,
            argv: &zargv,
            db: call.db,
            now: call.now,
            effects: Vec::new(),
            spec,
            more: Vec::new(),
        };
        let reply = (spec.handler)(e, &mut sub);
        call.effects.append(&mut sub.effects);
        Ok(reply)
    })())
}

/// GEODIST key member1 member2 [M|KM|FT|MI]
pub(super) fn geodist(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten((|| {
        let to_m = match call.argv.len() {
            5 => unit(call.arg(4))?,
            n if n > 5 => return Err(Reply::error(SYNTAX_ERROR)),
            _ => 1.0,
        };
        let Some(z) = read(e, call, call.arg(1))? else {
            return Ok(Reply::Nil);
        };
        let (Some(a), Some(b)) = (z.score(call.arg(2)), z.score(call.arg(3))) else {
            return Ok(Reply::Nil);
        };
        let (lon1, lat1) = geohash::decode_score(a);
        let (lon2, lat2) = geohash::decode_score(b);
        Ok(dist_reply(geohash::distance(lon1, lat1, lon2, lat2) / to_m))
    })())
}

/// GEOHASH key [member ...]
pub(super) fn geohash_cmd(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten((|| {
        let z = read(e, call, call.arg(1))?;
        Ok(Reply::Array(
            call.argv[2..]
                .iter()
                .map(|m| match z.and_then(|z| z.score(m)) {
                    Some(s) => Reply::bulk(geohash::geohash_string(s)),
                    None => Reply::Nil,
                })
                .collect(),
        ))
    })())
}

/// GEOPOS key [member ...]
pub(super) fn geopos(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten((|| {
        let proto = e.client_proto(call.client);
        let z = read(e, call, call.arg(1))?;
        Ok(Reply::Array(
            call.argv[2..]
                .iter()
                .map(|m| match z.and_then(|z| z.score(m)) {
                    Some(s) => {
                        let (lon, lat) = geohash::decode_score(s);
                        Reply::Array(vec![coord(lon, proto), coord(lat, proto)])
                    }
                    None => Reply::NilArray,
                })
                .collect(),
        ))
    })())
}

/// Which search command runs (`geo.c`'s flags).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// GEORADIUS / GEORADIUS_RO: centre from arguments 2 and 3.
    Coords { store: bool },
    /// GEORADIUSBYMEMBER / _RO: centre from member argument 2.
    Member { store: bool },
    /// GEOSEARCH / GEOSEARCHSTORE.
    Search { store: bool },
}

/// One match.
struct Point {
    member: Bytes,
    score: f64,
    dist: f64,
    lon: f64,
    lat: f64,
}

/// The matches of `search` in `z`, scanning the nine boxes in Redis's
/// order; stops at `limit` matches when non-zero (ANY).
fn points(z: &ZSet, search: &Search, limit: usize) -> Vec<Point> {
    let boxes = search.areas();
    let mut out = Vec::new();
    let mut last: Option<usize> = None;
    for (i, b) in boxes.iter().enumerate() {
        if b.is_zero() {
            continue;
        }
        // Redis skips a box equal to the last one scanned, but only once a
        // box other than the centre has been scanned (`last_processed &&`).
        if let Some(l) = last.filter(|&l| l != 0) {
            if boxes[l] == *b {
                continue;
            }
        }
        if limit != 0 && !out.is_empty() && out.len() >= limit {
            break;
        }
        let (min, max) = geohash::score_range(*b);
        let range = ScoreRange {
            min,
            max,
            min_ex: false,
            max_ex: true,
        };
        let (start, end) = z.score_span(&range);
        for rank in start..end {
            let Some((member, score)) = z.get(rank) else {
                break;
            };
            let (lon, lat) = geohash::decode_score(score);
            if let Some(dist) = search.within(lon, lat) {
                out.push(Point {
                    member,
                    score,
                    dist,
                    lon,
                    lat,
                });
            }
            if limit != 0 && out.len() >= limit {
                break;
            }
        }
        last = Some(i);
    }
    out
}

/// The searches (`georadiusGeneric`).
fn search(e: &mut Engine, call: &mut Call<'_>, kind: Kind) -> Result<Reply, Reply> {
    let argv = call.argv;
    let src_idx = if matches!(kind, Kind::Search { store: true }) {
        2
    } else {
        1
    };
    let proto = e.client_proto(call.client);
    let zobj = read(e, call, &argv[src_idx])?;
    let z = zobj;
    let mut center: Option<(f64, f64)> = None;
    let mut shape: Option<(Shape, f64)> = None;
    let mut store: Option<Bytes> = None;
    let mut store_dist = false;
    let base = match kind {
        Kind::Coords { .. } => {
            center = Some(lon_lat(&argv[2], &argv[3])?);
            let (r, u) = radius(&argv[4], &argv[5])?;
            shape = Some((Shape::Radius(r), u));
            6
        }
        Kind::Member { .. } => {
            if let Some(z) = z {
                let Some(s) = z.score(&argv[2]) else {
                    return Err(Reply::error(NO_MEMBER));
                };
                center = Some(geohash::decode_score(s));
                let (r, u) = radius(&argv[3], &argv[4])?;
                shape = Some((Shape::Radius(r), u));
            }
            5
        }
        Kind::Search { store: s } => {
            if s {
                store = Some(argv[1].clone());
                3
            } else {
                2
            }
        }
    };
    let (is_search, search_store, can_store) = match kind {
        Kind::Search { store } => (true, store, false),
        Kind::Coords { store } | Kind::Member { store } => (false, false, store),
    };
    let (mut withdist, mut withhash, mut withcoord) = (false, false, false);
    let (mut frommember, mut fromloc, mut byradius, mut bybox) = (false, false, false, false);
    let mut sort: Option<bool> = None; // Some(true) = ASC
    let mut any = false;
    let mut count: i64 = 0;
    let rest = argv.get(base..).unwrap_or(&[]);
    let mut i = 0;
    while i < rest.len() {
        let a = &rest[i];
        let left = rest.len() - i - 1;
        if is_kw(a, "withdist") {
            withdist = true;
        } else if is_kw(a, "withhash") {
            withhash = true;
        } else if is_kw(a, "withcoord") {
            withcoord = true;
        } else if is_kw(a, "any") {
            any = true;
        } else if is_kw(a, "asc") {
            sort = Some(true);
        } else if is_kw(a, "desc") {
            sort = Some(false);
        } else if is_kw(a, "count") && left >= 1 {
            count = parse_i64(&rest[i + 1]).ok_or_else(|| Reply::error(NOT_INTEGER))?;
            if count <= 0 {
                return Err(Reply::error("ERR COUNT must be > 0"));
            }
            i += 1;
        } else if (is_kw(a, "store") || is_kw(a, "storedist")) && left >= 1 && can_store {
            store = Some(rest[i + 1].clone());
            store_dist = is_kw(a, "storedist");
            i += 1;
        } else if is_kw(a, "storedist") && search_store {
            store_dist = true;
        } else if is_kw(a, "frommember") && left >= 1 && is_search && !fromloc {
            if let Some(z) = z {
                let Some(s) = z.score(&rest[i + 1]) else {
                    return Err(Reply::error(NO_MEMBER));
                };
                center = Some(geohash::decode_score(s));
            }
            frommember = true;
            i += 1;
        } else if is_kw(a, "fromlonlat") && left >= 2 && is_search && !frommember {
            center = Some(lon_lat(&rest[i + 1], &rest[i + 2])?);
            fromloc = true;
            i += 2;
        } else if is_kw(a, "byradius") && left >= 2 && is_search && !bybox {
            let (r, u) = radius(&rest[i + 1], &rest[i + 2])?;
            shape = Some((Shape::Radius(r), u));
            byradius = true;
            i += 2;
        } else if is_kw(a, "bybox") && left >= 3 && is_search && !byradius {
            let w = float(&rest[i + 1], "ERR need numeric width")?;
            let h = float(&rest[i + 2], "ERR need numeric height")?;
            if h < 0.0 || w < 0.0 {
                return Err(Reply::error("ERR height or width cannot be negative"));
            }
            shape = Some((Shape::Box(w, h), unit(&rest[i + 3])?));
            bybox = true;
            i += 3;
        } else {
            return Err(Reply::error(SYNTAX_ERROR));
        }
        i += 1;
    }
    if store.is_some() && (withdist || withhash || withcoord) {
        return Err(Reply::err(format!(
            "{} is not compatible with WITHDIST, WITHHASH and WITHCOORD options",
            if search_store {
                "GEOSEARCHSTORE"
            } else {
                "STORE option in GEORADIUS"
            }
        )));
    }
    let name = String::from_utf8_lossy(&argv[0]).into_owned();
    if is_search && !(frommember || fromloc) {
        return Err(Reply::err(format!(
            "exactly one of FROMMEMBER or FROMLONLAT can be specified for {name}"
        )));
    }
    if is_search && !(byradius || bybox) {
        return Err(Reply::err(format!(
            "exactly one of BYRADIUS and BYBOX can be specified for {name}"
        )));
    }
    if any && count == 0 {
        return Err(Reply::error("ERR the ANY argument requires COUNT argument"));
    }
    let (Some(z), Some((lon, lat)), Some((shape, to_meters))) = (z, center, shape) else {
        // No source key.
        if let Some(dst) = store {
            if e.dbs[call.db].remove(&dst).is_some() {
                e.signal_modified(call.db, &dst);
                e.notify_keyspace_event('g', "del", &dst, call.db);
            }
            return Ok(Reply::Integer(0));
        }
        return Ok(Reply::Array(Vec::new()));
    };
    if count != 0 && sort.is_none() && !any {
        sort = Some(true);
    }
    let s = Search {
        lon,
        lat,
        shape,
        to_meters,
    };
    let limit = if any {
        usize::try_from(count).unwrap_or(usize::MAX)
    } else {
        0
    };
    let mut found = points(z, &s, limit);
    if found.is_empty() && store.is_none() {
        return Ok(Reply::Array(Vec::new()));
    }
    match sort {
        Some(true) => found.sort_by(|a, b| a.dist.total_cmp(&b.dist)),
        Some(false) => found.sort_by(|a, b| b.dist.total_cmp(&a.dist)),
        None => {}
    }
    let returned = if count == 0 {
        found.len()
    } else {
        found
            .len()
            .min(usize::try_from(count).unwrap_or(usize::MAX))
    };
    found.truncate(returned);
    let Some(dst) = store else {
        let options = usize::from(withdist) + usize::from(withhash) + usize::from(withcoord);
        let out = found
            .into_iter()
            .map(|p| {
                let d = p.dist / to_meters;
                if options == 0 {
                    return Reply::Bulk(p.member);
                }
                let mut v = vec![Reply::Bulk(p.member)];
                if withdist {
                    v.push(dist_reply(d));
                }
                if withhash {
                    v.push(Reply::Integer(geohash::score_bits(p.score) as i64));
                }
                if withcoord {
                    v.push(Reply::Array(vec![coord(p.lon, proto), coord(p.lat, proto)]));
                }
                Reply::Array(v)
            })
            .collect();
        return Ok(Reply::Array(out));
    };
    let db = call.db;
    if found.is_empty() {
        if e.dbs[db].remove(&dst).is_some() {
            e.signal_modified(db, &dst);
            e.notify_keyspace_event('g', "del", &dst, db);
        }
        return Ok(Reply::Integer(0));
    }
    let lim = zset::limits(e);
    let max_len = found.iter().map(|p| p.member.len()).max().unwrap_or(0);
    let mut out = ZSet::with_hint(found.len(), max_len, lim);
    for p in found {
        let score = if store_dist {
            p.dist / to_meters
        } else {
            p.score
        };
        out.insert_new(score, p.member, lim);
    }
    let n = i64::try_from(out.len()).unwrap_or(i64::MAX);
    e.dbs[db].set(dst.clone(), Value::ZSet(Shared::new(out)), call.now);
    e.signal_modified(db, &dst);
    let event = if is_search {
        "geosearchstore"
    } else {
        "georadiusstore"
    };
    e.notify_keyspace_event('z', event, &dst, db);
    e.signal_key_ready(db, &dst);
    Ok(Reply::Integer(n))
}

/// GEORADIUS key longitude latitude radius unit [options] [STORE|STOREDIST key]
pub(super) fn georadius(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(search(e, call, Kind::Coords { store: true }))
}

/// GEORADIUS_RO key longitude latitude radius unit [options]
pub(super) fn georadius_ro(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(search(e, call, Kind::Coords { store: false }))
}

/// GEORADIUSBYMEMBER key member radius unit [options] [STORE|STOREDIST key]
pub(super) fn georadiusbymember(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(search(e, call, Kind::Member { store: true }))
}

/// GEORADIUSBYMEMBER_RO key member radius unit [options]
pub(super) fn georadiusbymember_ro(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(search(e, call, Kind::Member { store: false }))
}

/// GEOSEARCH key FROMMEMBER m|FROMLONLAT lon lat BYRADIUS r u|BYBOX w h u [options]
pub(super) fn geosearch(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(search(e, call, Kind::Search { store: false }))
}

/// GEOSEARCHSTORE dst src ... [STOREDIST]
pub(super) fn geosearchstore(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    flatten(search(e, call, Kind::Search { store: true }))
}

#[cfg(test)]
mod tests;
