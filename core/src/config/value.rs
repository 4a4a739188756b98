//! Option values: parsing a directive's arguments into a value, and
//! rendering a value the way `CONFIG GET` shows it. Error texts are Redis
//! 7.0's, which both the config-file loader and `CONFIG SET` report.

use super::options::{Kind, NumDef, NumFmt, OptionDef, Special, StrCheck};

/// One output-buffer class limit (`client-output-buffer-limit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObufLimit {
    /// Hard limit in bytes (0: none).
    pub hard_bytes: u64,
    /// Soft limit in bytes (0: none).
    pub soft_bytes: u64,
    /// Seconds the soft limit may be exceeded.
    pub soft_seconds: i64,
}

/// Client classes of `client-output-buffer-limit`, in CONFIG GET order.
pub const OBUF_CLASSES: [&str; 3] = ["normal", "slave", "pubsub"];

/// Default output-buffer limits (normal, replica, pubsub).
pub const OBUF_DEFAULTS: [ObufLimit; 3] = [
    ObufLimit {
        hard_bytes: 0,
        soft_bytes: 0,
        soft_seconds: 0,
    },
    ObufLimit {
        hard_bytes: 256 * 1024 * 1024,
        soft_bytes: 64 * 1024 * 1024,
        soft_seconds: 60,
    },
    ObufLimit {
        hard_bytes: 32 * 1024 * 1024,
        soft_bytes: 8 * 1024 * 1024,
        soft_seconds: 60,
    },
];

/// A stored option value.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// `yes`/`no`.
    Bool(bool),
    /// Any numeric option, as Redis's `long long` (memory options may hold
    /// values above `i64::MAX`, kept as their two's complement).
    Num(i64),
    /// An enumeration's value.
    Enum(i32),
    /// A set of flag bits.
    Flags(u32),
    /// A string.
    Str(String),
    /// `save` pairs of (seconds, changes).
    Save(Vec<(i64, i64)>),
    /// `client-output-buffer-limit`, per class.
    Obuf([ObufLimit; 3]),
    /// `oom-score-adj-values`.
    Oom([i64; 3]),
    /// `notify-keyspace-events` bits.
    Notify(u32),
    /// A list of words (`bind`, KeyDB lists).
    List(Vec<String>),
    /// `latency-tracking-info-percentiles`.
    Floats(Vec<f64>),
    /// `replicaof`: the masters' hosts and ports (KeyDB's multi-master
    /// allows several; empty: this is a master).
    ReplicaOf(Vec<(String, u16)>),
    /// `server-thread-affinity`: off, or on with a CPU offset.
    Affinity(Option<usize>),
}

/// The value an option starts with.
pub fn default_value(def: &OptionDef) -> Val {
    match def.kind {
        Kind::Bool(d) => Val::Bool(d),
        Kind::Num(nd) => Val::Num(nd.default),
        Kind::Enum(_, d) => Val::Enum(d),
        Kind::Flags(_, d) => Val::Flags(d),
        Kind::Str(d, _) => Val::Str(d.to_string()),
        Kind::Special(sp) => match sp {
            Special::Dir => Val::Str(String::new()),
            Special::Save => Val::Save(vec![(3600, 1), (300, 100), (60, 10000)]),
            Special::ClientOutputBufferLimit => Val::Obuf(OBUF_DEFAULTS),
            Special::OomScoreAdjValues => Val::Oom([0, 200, 800]),
            Special::NotifyKeyspaceEvents => Val::Notify(0),
            Special::Bind => Val::List(vec!["127.0.0.1".into()]),
            Special::ReplicaOf => Val::ReplicaOf(Vec::new()),
            Special::LatencyPercentiles => Val::Floats(vec![50.0, 99.0, 99.9]),
            Special::ThreadAffinity => Val::Affinity(None),
            Special::WordList => Val::List(Vec::new()),
        },
    }
}

/// Redis's `memtoull`: leading digits (possibly none, meaning 0) and an
/// optional unit `b`, `k`, `kb`, `m`, `mb`, `g`, `gb` (any case); `k` is
/// 1000 and `kb` 1024. Too many digits saturate; the unit product wraps, as
/// in Redis.
pub fn parse_memory(s: &str) -> Option<u64> {
    let digits_end = s
        .bytes()
        .position(|c| !c.is_ascii_digit())
        .unwrap_or(s.len());
    let (digits, unit) = s.split_at(digits_end);
    let mul: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    let mut v: u64 = 0;
    for c in digits.bytes() {
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(c - b'0')))
            .unwrap_or(u64::MAX);
    }
    Some(v.wrapping_mul(mul))
}

/// Redis's `string2ll` rules.
fn parse_ll(s: &str) -> Option<i64> {
    crate::resp::parse_i64(s.as_bytes())
}

fn parse_numeric(nd: &NumDef, s: &str) -> Result<i64, String> {
    if matches!(nd.fmt, NumFmt::Memory | NumFmt::MemoryPercent) {
        if let Some(v) = parse_memory(s) {
            return Ok(v as i64);
        }
    }
    if nd.fmt == NumFmt::MemoryPercent && s.len() > 1 && s.ends_with('%') {
        if let Some(v) = parse_ll(&s[..s.len() - 1]).filter(|v| *v >= 0) {
            return Ok(-v);
        }
    }
    if nd.fmt == NumFmt::Octal {
        // strtoll(.., 8) with nothing left over: optional sign and octal digits.
        let body = s.strip_prefix(['+', '-']).unwrap_or(s);
        let neg = s.starts_with('-');
        if !body.is_empty() && body.bytes().all(|c| (b'0'..=b'7').contains(&c)) {
            if let Ok(v) = i64::from_str_radix(body, 8) {
                return Ok(if neg { -v } else { v });
            }
        }
    }
    if nd.fmt == NumFmt::Int {
        if let Some(v) = parse_ll(s) {
            return Ok(v);
        }
    }
    Err(match nd.fmt {
        NumFmt::MemoryPercent => "argument must be a memory or percent value",
        NumFmt::Memory => "argument must be a memory value",
        NumFmt::Octal => "argument couldn't be parsed as an octal number",
        NumFmt::Int => "argument couldn't be parsed into an integer",
    }
    .to_string())
}

fn check_bounds(nd: &NumDef, v: i64) -> Result<(), String> {
    if nd.unsigned {
        let u = v as u64;
        let lo = nd.min as u64;
        if u > nd.max || u < lo {
            return Err(if nd.fmt == NumFmt::Octal {
                format!("argument must be between {lo:o} and {:o} inclusive", nd.max)
            } else {
                format!("argument must be between {lo} and {} inclusive", nd.max)
            });
        }
    } else if nd.fmt == NumFmt::MemoryPercent && v < 0 {
        if v < nd.min {
            return Err(format!(
                "percentage argument must be less or equal to {}",
                nd.min.unsigned_abs()
            ));
        }
    } else if v < nd.min || (v as i128) > nd.max as i128 {
        return Err(format!(
            "argument must be between {} and {} inclusive",
            nd.min, nd.max
        ));
    }
    Ok(())
}

fn one_of_error(names: impl Iterator<Item = &'static str>) -> String {
    let list: Vec<&str> = names.collect();
    format!(
        "argument(s) must be one of the following: {}",
        list.join(", ")
    )
}

fn is_base_name(s: &str) -> bool {
    !s.contains('/')
}

fn check_str(check: StrCheck, v: &str) -> Result<(), String> {
    let err = |m: &str| Err(m.to_string());
    match check {
        StrCheck::Any => Ok(()),
        StrCheck::DbFilename if !is_base_name(v) => {
            err("dbfilename can't be a path, just a filename")
        }
        StrCheck::AofFilename if v.is_empty() => err("appendfilename can't be empty"),
        StrCheck::AofFilename if !is_base_name(v) => {
            err("appendfilename can't be a path, just a filename")
        }
        StrCheck::AofDirname if v.is_empty() => err("appenddirname can't be empty"),
        StrCheck::AofDirname if !is_base_name(v) => {
            err("appenddirname can't be a path, just a dirname")
        }
        StrCheck::Hostname if v.len() >= 256 => err("Hostnames must be less than 256 characters"),
        StrCheck::Hostname
            if !v
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.') =>
        {
            err("Hostnames may only contain alphanumeric characters, hyphens or dots")
        }
        StrCheck::ProcTitle if !valid_proc_title(v) => {
            err("template format is invalid or contains unknown variables")
        }
        _ => Ok(()),
    }
}

/// A process title template may use only these variables, and must not
/// expand to nothing.
fn valid_proc_title(t: &str) -> bool {
    const VARS: &[&str] = &[
        "{title}",
        "{listen-addr}",
        "{server-mode}",
        "{port}",
        "{tls-port}",
        "{unixsocket}",
        "{config-file}",
    ];
    let mut rest = t;
    let mut literal = String::new();
    while let Some(open) = rest.find('{') {
        literal.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            return false;
        };
        let var = &rest[open..open + close + 1];
        if !VARS.contains(&var) {
            return false;
        }
        rest = &rest[open + close + 1..];
    }
    literal.push_str(rest);
    if literal.contains('}') {
        return false;
    }
    !t.trim().is_empty()
}

/// Notify-keyspace-events class letters, in rendering order, with their bits.
const NOTIFY_CLASSES: &[(char, u32)] = &[
    ('g', 1 << 0),
    ('$', 1 << 1),
    ('l', 1 << 2),
    ('s', 1 << 3),
    ('h', 1 << 4),
    ('z', 1 << 5),
    ('x', 1 << 6),
    ('e', 1 << 7),
    ('t', 1 << 8),
    ('d', 1 << 9),
    ('n', 1 << 10),
];
/// `K`: keyspace channel.
pub const NOTIFY_KEYSPACE: u32 = 1 << 11;
/// `E`: keyevent channel.
pub const NOTIFY_KEYEVENT: u32 = 1 << 12;
/// `m`: key misses.
pub const NOTIFY_KEY_MISS: u32 = 1 << 13;
/// `A`: the classes `g$lshzxetd` (not `n` or `m`).
pub const NOTIFY_ALL: u32 = (1 << 10) - 1;

/// Parse `notify-keyspace-events` letters into bits.
pub fn parse_notify(s: &str) -> Option<u32> {
    let mut bits = 0;
    for c in s.chars() {
        bits |= match c {
            'A' => NOTIFY_ALL,
            'K' => NOTIFY_KEYSPACE,
            'E' => NOTIFY_KEYEVENT,
            'm' => NOTIFY_KEY_MISS,
            _ => NOTIFY_CLASSES.iter().find(|(l, _)| *l == c)?.1,
        };
    }
    Some(bits)
}

/// Render notify bits as Redis does (`AKE`, `gK`, ...).
pub fn render_notify(bits: u32) -> String {
    let mut out = String::new();
    if bits & NOTIFY_ALL == NOTIFY_ALL {
        out.push('A');
    } else {
        for (l, bit) in NOTIFY_CLASSES {
            if bits & bit != 0 {
                out.push(*l);
            }
        }
    }
    if bits & NOTIFY_KEYSPACE != 0 {
        out.push('K');
    }
    if bits & NOTIFY_KEYEVENT != 0 {
        out.push('E');
    }
    if bits & NOTIFY_KEY_MISS != 0 {
        out.push('m');
    }
    out
}

/// C's `strtoll(s, &end, 10)` requiring `end` at the end of `s`: optional
/// leading spaces and sign, at least... nothing (an empty string is 0, as
/// strtoll returns 0 and consumes nothing, leaving `*end == '\0'`).
fn strtoll_full(s: &str) -> Option<i64> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty() {
        // Nothing converted: strtoll leaves end at the start of the string.
        return if s.is_empty() { Some(0) } else { None };
    }
    if !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut v: i64 = 0;
    for c in digits.bytes() {
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(c - b'0')))
            .unwrap_or(i64::MAX);
    }
    Some(if neg {
        v.checked_neg().unwrap_or(i64::MIN)
    } else {
        v
    })
}

/// Format a percentile as `%f` with trailing zeros (and a bare point) removed.
fn format_percentile(p: f64) -> String {
    let s = format!("{p:.6}");
    let s = s.trim_end_matches('0');
    s.trim_end_matches('.').to_string()
}

/// Parse a directive's arguments into the option's new value. `current` is
/// needed by options that update only part of their value
/// (`client-output-buffer-limit`); `save_append` makes `save` append to
/// `current` (second and later `save` lines of a config file).
pub fn parse_value(
    def: &OptionDef,
    current: &Val,
    args: &[String],
    save_append: bool,
) -> Result<Val, String> {
    let one = || -> Result<&str, String> {
        match args {
            [a] => Ok(a.as_str()),
            _ => Err("wrong number of arguments".to_string()),
        }
    };
    match def.kind {
        Kind::Bool(_) => {
            let a = one()?;
            if a.eq_ignore_ascii_case("yes") {
                Ok(Val::Bool(true))
            } else if a.eq_ignore_ascii_case("no") {
                Ok(Val::Bool(false))
            } else {
                Err("argument must be 'yes' or 'no'".into())
            }
        }
        Kind::Num(nd) => {
            let parsed = parse_numeric(&nd, one()?).and_then(|v| check_bounds(&nd, v).map(|()| v));
            match parsed {
                Ok(v) => Ok(Val::Num(v)),
                // KeyDB's own text for a thread count it cannot use (a
                // non-number counts as 0, as its atoi does).
                Err(_) if def.name == "server-threads" => {
                    Err("Invalid number of threads specified".into())
                }
                Err(e) => Err(e),
            }
        }
        Kind::Enum(values, _) => {
            let a = one()?;
            values
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(a))
                .map(|(_, v)| Val::Enum(*v))
                .ok_or_else(|| one_of_error(values.iter().map(|(n, _)| *n)))
        }
        Kind::Flags(values, _) => {
            if args.is_empty() {
                return Err(one_of_error(values.iter().map(|(n, _)| *n)));
            }
            let mut bits = 0;
            for a in args {
                bits |= values
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(a))
                    .map(|(_, v)| *v)
                    .ok_or_else(|| one_of_error(values.iter().map(|(n, _)| *n)))?;
            }
            // SAVE | NOSAVE together make no sense (shutdown flags).
            if bits & 1 != 0 && bits & 2 != 0 {
                return Err("shutdown options SAVE and NOSAVE can't be used simultaneously".into());
            }
            Ok(Val::Flags(bits))
        }
        Kind::Str(_, check) => {
            let a = one()?;
            check_str(check, a)?;
            Ok(Val::Str(a.to_string()))
        }
        Kind::Special(sp) => parse_special(sp, current, args, save_append),
    }
}

fn parse_special(
    sp: Special,
    current: &Val,
    args: &[String],
    save_append: bool,
) -> Result<Val, String> {
    match sp {
        Special::Dir => match args {
            [a] if a.is_empty() => Err("No such file or directory".into()),
            [a] => Ok(Val::Str(a.clone())),
            _ => Err("wrong number of arguments".into()),
        },
        Special::Save => {
            // `save ""` means "no rules" and always clears them.
            let explicit_empty = args.len() == 1 && args[0].is_empty();
            let args: &[String] = if explicit_empty { &[] } else { args };
            if args.len() & 1 != 0 {
                return Err("Invalid save parameters".into());
            }
            let mut pairs = Vec::with_capacity(args.len() / 2);
            for pair in args.chunks(2) {
                let secs = strtoll_full(&pair[0]).filter(|v| *v >= 1);
                let changes = strtoll_full(&pair[1]).filter(|v| *v >= 0);
                match (secs, changes) {
                    (Some(s), Some(c)) => pairs.push((s, c)),
                    _ => return Err("Invalid save parameters".into()),
                }
            }
            // Later `save` lines of a file add to the earlier ones.
            if save_append && !explicit_empty {
                if let Val::Save(prev) = current {
                    let mut all = prev.clone();
                    all.extend(pairs);
                    return Ok(Val::Save(all));
                }
            }
            Ok(Val::Save(pairs))
        }
        Special::ClientOutputBufferLimit => {
            if args.len() & 3 != 0 {
                return Err("Wrong number of arguments in buffer limit configuration.".into());
            }
            let mut limits = match current {
                Val::Obuf(l) => *l,
                _ => OBUF_DEFAULTS,
            };
            let mut updates = Vec::new();
            for chunk in args.chunks(4) {
                let class = match chunk[0].to_ascii_lowercase().as_str() {
                    "normal" => 0,
                    "slave" | "replica" => 1,
                    "pubsub" => 2,
                    _ => {
                        return Err(
                            "Invalid client class specified in buffer limit configuration.".into(),
                        )
                    }
                };
                let hard = parse_memory(&chunk[1]);
                let soft = parse_memory(&chunk[2]);
                let secs = strtoll_full(&chunk[3]).filter(|v| *v >= 0 && *v <= i64::from(i32::MAX));
                match (hard, soft, secs) {
                    (Some(h), Some(s), Some(t)) => updates.push((
                        class,
                        ObufLimit {
                            hard_bytes: h,
                            soft_bytes: s,
                            soft_seconds: t,
                        },
                    )),
                    _ => {
                        return Err("Error in hard, soft or soft_seconds setting in buffer limit configuration.".into())
                    }
                }
            }
            for (class, l) in updates {
                limits[class] = l;
            }
            Ok(Val::Obuf(limits))
        }
        Special::OomScoreAdjValues => {
            if args.len() != 3 {
                return Err("wrong number of arguments".into());
            }
            let mut v = [0i64; 3];
            for (slot, a) in v.iter_mut().zip(args) {
                *slot = strtoll_full(a)
                    .filter(|x| (-2000..=2000).contains(x))
                    .ok_or(
                        "Invalid oom-score-adj-values, elements must be between -2000 and 2000.",
                    )?;
            }
            Ok(Val::Oom(v))
        }
        Special::NotifyKeyspaceEvents => match args {
            [a] => parse_notify(a)
                .map(Val::Notify)
                .ok_or_else(|| "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.".into()),
            _ => Err("wrong number of arguments".into()),
        },
        Special::Bind => {
            if args.len() > 16 {
                return Err("Too many bind addresses specified.".into());
            }
            if args.len() == 1 && args[0].is_empty() {
                return Ok(Val::List(Vec::new()));
            }
            Ok(Val::List(args.to_vec()))
        }
        Special::ReplicaOf => match args {
            [h, p] => {
                if h.eq_ignore_ascii_case("no") && p.eq_ignore_ascii_case("one") {
                    return Ok(Val::ReplicaOf(Vec::new()));
                }
                let port = strtoll_full(p)
                    .filter(|v| (0..=65535).contains(v))
                    .ok_or("Invalid master port")?;
                Ok(Val::ReplicaOf(vec![(h.clone(), port as u16)]))
            }
            _ => Err("wrong number of arguments".into()),
        },
        Special::LatencyPercentiles => {
            if args.len() == 1 && args[0].is_empty() {
                return Ok(Val::Floats(Vec::new()));
            }
            let mut out = Vec::with_capacity(args.len());
            for a in args {
                let p = parse_double(a)
                    .ok_or("Invalid latency-tracking-info-percentiles parameters")?;
                if !(0.0..=100.0).contains(&p) {
                    return Err(
                        "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"
                            .into(),
                    );
                }
                out.push(p);
            }
            Ok(Val::Floats(out))
        }
        Special::ThreadAffinity => match args {
            [a] if a.eq_ignore_ascii_case("true") => Ok(Val::Affinity(Some(0))),
            [a] if a.eq_ignore_ascii_case("false") => Ok(Val::Affinity(None)),
            [a] => match a.parse::<usize>() {
                Ok(n) if n > 0 => Ok(Val::Affinity(Some(n - 1))),
                _ => Err(
                    "Unknown argument: server-thread-affinity expects either true or false".into(),
                ),
            },
            _ => Err("wrong number of arguments".into()),
        },
        Special::WordList => {
            if args.len() == 1 && args[0].is_empty() {
                return Ok(Val::List(Vec::new()));
            }
            Ok(Val::List(args.to_vec()))
        }
    }
}

/// `string2d`: a finite-or-infinite number, no spaces, not NaN.
fn parse_double(s: &str) -> Option<f64> {
    if s.is_empty() || s.starts_with(char::is_whitespace) || s.ends_with(char::is_whitespace) {
        return None;
    }
    let v: f64 = s.parse().ok()?;
    (!v.is_nan()).then_some(v)
}

/// Render a value the way `CONFIG GET` shows it.
pub fn render(def: &OptionDef, v: &Val) -> String {
    match (v, def.kind) {
        (Val::Bool(b), _) => if *b { "yes" } else { "no" }.to_string(),
        (Val::Num(n), Kind::Num(nd)) => match nd.fmt {
            NumFmt::MemoryPercent if *n < 0 => format!("{}%", n.unsigned_abs()),
            NumFmt::Memory | NumFmt::MemoryPercent => (*n as u64).to_string(),
            NumFmt::Octal => format!("{n:o}"),
            NumFmt::Int => n.to_string(),
        },
        (Val::Num(n), _) => n.to_string(),
        (Val::Enum(e), Kind::Enum(values, _)) => values
            .iter()
            .find(|(_, v)| v == e)
            .map(|(n, _)| (*n).to_string())
            .unwrap_or_else(|| "unknown".into()),
        (Val::Enum(e), _) => e.to_string(),
        (Val::Flags(bits), Kind::Flags(values, _)) => {
            if *bits == 0 {
                return values
                    .iter()
                    .find(|(_, v)| *v == 0)
                    .map(|(n, _)| (*n).to_string())
                    .unwrap_or_default();
            }
            values
                .iter()
                .filter(|(_, v)| *v != 0 && bits & v == *v)
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(" ")
        }
        (Val::Flags(bits), _) => bits.to_string(),
        (Val::Str(s), _) => s.clone(),
        (Val::Save(pairs), _) => pairs
            .iter()
            .map(|(s, c)| format!("{s} {c}"))
            .collect::<Vec<_>>()
            .join(" "),
        (Val::Obuf(limits), _) => OBUF_CLASSES
            .iter()
            .zip(limits)
            .map(|(c, l)| format!("{c} {} {} {}", l.hard_bytes, l.soft_bytes, l.soft_seconds))
            .collect::<Vec<_>>()
            .join(" "),
        (Val::Oom(v), _) => format!("{} {} {}", v[0], v[1], v[2]),
        (Val::Notify(bits), _) => render_notify(*bits),
        (Val::List(words), _) => words.join(" "),
        (Val::Floats(ps), _) => ps
            .iter()
            .map(|p| format_percentile(*p))
            .collect::<Vec<_>>()
            .join(" "),
        (Val::ReplicaOf(masters), _) => masters
            .iter()
            .map(|(h, p)| format!("{h} {p}"))
            .collect::<Vec<_>>()
            .join(" "),
        (Val::Affinity(a), _) => match a {
            None => "false".into(),
            Some(0) => "true".into(),
            Some(off) => (off.saturating_add(1)).to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::options::{lookup, OPTIONS};

    fn def(name: &str) -> &'static OptionDef {
        &OPTIONS[lookup(name.as_bytes()).unwrap().0]
    }

    fn set(name: &str, args: &[&str]) -> Result<String, String> {
        let d = def(name);
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        parse_value(d, &default_value(d), &args, false).map(|v| render(d, &v))
    }

    #[test]
    fn memory_units_match_redis() {
        for (s, v) in [
            ("1k", 1000),
            ("1K", 1000),
            ("1kb", 1024),
            ("1KB", 1024),
            ("1Kb", 1024),
            ("1m", 1_000_000),
            ("1mb", 1_048_576),
            ("1g", 1_000_000_000),
            ("1gb", 1_073_741_824),
            ("1b", 1),
            ("05", 5),
            ("", 0),
            ("18446744073709551616", u64::MAX),
        ] {
            assert_eq!(parse_memory(s), Some(v), "{s}");
        }
        for s in ["1.5mb", "-1", "+5", " 5", "5 ", "1kk", "1tb", "0x10", "-0"] {
            assert_eq!(parse_memory(s), None, "{s}");
        }
        // Redis wraps the unit product.
        assert_eq!(
            parse_memory("18446744073709551615k"),
            Some(18446744073709550616)
        );
    }

    #[test]
    fn numeric_errors_and_bounds_match_redis() {
        assert_eq!(
            set("hz", &["+5"]).unwrap_err(),
            "argument couldn't be parsed into an integer"
        );
        assert_eq!(
            set("hz", &["05"]).unwrap_err(),
            "argument couldn't be parsed into an integer"
        );
        assert_eq!(
            set("maxclients", &["0"]).unwrap_err(),
            "argument must be between 1 and 4294967295 inclusive"
        );
        assert_eq!(
            set("hash-max-listpack-entries", &["-9223372036854775808"]).unwrap_err(),
            "argument must be between 0 and 9223372036854775807 inclusive"
        );
        assert_eq!(
            set("hash-max-listpack-value", &["99999999999999999999"]).unwrap_err(),
            "argument must be between 0 and 9223372036854775807 inclusive"
        );
        assert_eq!(
            set("list-max-listpack-size", &["-9223372036854775808"]).unwrap_err(),
            "argument must be between -2147483648 and 2147483647 inclusive"
        );
        assert_eq!(
            set("maxmemory", &["-1"]).unwrap_err(),
            "argument must be a memory value"
        );
        assert_eq!(
            set("maxmemory", &["99999999999999999999"]).unwrap(),
            "18446744073709551615"
        );
        assert_eq!(set("maxmemory", &["1gb"]).unwrap(), "1073741824");
        assert_eq!(set("maxmemory-clients", &["5%"]).unwrap(), "5%");
        assert_eq!(set("maxmemory-clients", &["0%"]).unwrap(), "0");
        assert_eq!(
            set("maxmemory-clients", &["99999999999999999999"]).unwrap(),
            "1%"
        );
        assert_eq!(
            set("maxmemory-clients", &["101%"]).unwrap_err(),
            "percentage argument must be less or equal to 100"
        );
        assert_eq!(
            set("maxmemory-clients", &["x"]).unwrap_err(),
            "argument must be a memory or percent value"
        );
        assert_eq!(set("unixsocketperm", &["0700"]).unwrap(), "700");
        assert_eq!(
            set("unixsocketperm", &["999"]).unwrap_err(),
            "argument couldn't be parsed as an octal number"
        );
        assert_eq!(
            set("unixsocketperm", &["1000"]).unwrap_err(),
            "argument must be between 0 and 777 inclusive"
        );
    }

    #[test]
    fn enums_flags_and_bools() {
        assert_eq!(set("loglevel", &["WARNING"]).unwrap(), "warning");
        assert_eq!(set("oom-score-adj", &["relative"]).unwrap(), "yes");
        assert_eq!(
            set("appendfsync", &["x"]).unwrap_err(),
            "argument(s) must be one of the following: everysec, always, no"
        );
        assert_eq!(set("activerehashing", &["YES"]).unwrap(), "yes");
        assert_eq!(
            set("activerehashing", &["1"]).unwrap_err(),
            "argument must be 'yes' or 'no'"
        );
        assert_eq!(
            set("shutdown-on-sigint", &["now", "nosave", "force"]).unwrap(),
            "nosave now force"
        );
        assert_eq!(
            set("shutdown-on-sigint", &["default", "now"]).unwrap(),
            "now"
        );
        assert_eq!(
            set("shutdown-on-sigint", &["save", "nosave"]).unwrap_err(),
            "shutdown options SAVE and NOSAVE can't be used simultaneously"
        );
        assert_eq!(
            set("hz", &["1", "2"]).unwrap_err(),
            "wrong number of arguments"
        );
    }

    #[test]
    fn specials_render_like_redis() {
        for (flags, shown) in [
            ("KEA", "AKE"),
            ("Kg", "gK"),
            ("xeKEtmdn$lshzg", "AKEm"),
            ("Kn", "nK"),
            ("nm", "nm"),
            ("KEAn", "AKE"),
            ("Kdg", "gdK"),
            ("Kl$", "$lK"),
            ("", ""),
        ] {
            assert_eq!(
                set("notify-keyspace-events", &[flags]).unwrap(),
                shown,
                "{flags}"
            );
        }
        assert_eq!(
            set("notify-keyspace-events", &["y"]).unwrap_err(),
            "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."
        );
        assert_eq!(
            set("client-output-buffer-limit", &["normal", "1k", "2mb", "3"]).unwrap(),
            "normal 1000 2097152 3 slave 268435456 67108864 60 pubsub 33554432 8388608 60"
        );
        assert_eq!(
            set("client-output-buffer-limit", &["master", "1", "2", "3"]).unwrap_err(),
            "Invalid client class specified in buffer limit configuration."
        );
        assert_eq!(
            set("client-output-buffer-limit", &["normal", "1", "2", "-3"]).unwrap_err(),
            "Error in hard, soft or soft_seconds setting in buffer limit configuration."
        );
        assert_eq!(
            set("save", &["100", "10", "200", "20"]).unwrap(),
            "100 10 200 20"
        );
        assert_eq!(set("save", &[""]).unwrap(), "");
        assert_eq!(
            set("save", &["0", "10"]).unwrap_err(),
            "Invalid save parameters"
        );
        assert_eq!(
            set("oom-score-adj-values", &["1", "2", "3"]).unwrap(),
            "1 2 3"
        );
        assert_eq!(
            set("oom-score-adj-values", &["1", "2", "3000"]).unwrap_err(),
            "Invalid oom-score-adj-values, elements must be between -2000 and 2000."
        );
        assert_eq!(
            set(
                "latency-tracking-info-percentiles",
                &["1e1", "0.5", "33.333333333"]
            )
            .unwrap(),
            "10 0.5 33.333333"
        );
        assert_eq!(set("latency-tracking-info-percentiles", &[""]).unwrap(), "");
        assert_eq!(
            set("replicaof", &["127.0.0.1", "6380"]).unwrap(),
            "127.0.0.1 6380"
        );
        assert_eq!(set("replicaof", &["no", "one"]).unwrap(), "");
        assert_eq!(
            set("replicaof", &["h", "70000"]).unwrap_err(),
            "Invalid master port"
        );
        assert_eq!(set("server-thread-affinity", &["true"]).unwrap(), "true");
        assert_eq!(set("server-thread-affinity", &["3"]).unwrap(), "3");
        assert!(set("server-thread-affinity", &["maybe"]).is_err());
        assert_eq!(
            set("dbfilename", &["a/b"]).unwrap_err(),
            "dbfilename can't be a path, just a filename"
        );
        assert_eq!(
            set("cluster-announce-hostname", &["a_b"]).unwrap_err(),
            "Hostnames may only contain alphanumeric characters, hyphens or dots"
        );
        assert_eq!(
            set("proc-title-template", &["{foo}"]).unwrap_err(),
            "template format is invalid or contains unknown variables"
        );
        assert_eq!(
            set(
                "bind",
                &[
                    "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14",
                    "15", "16", "17"
                ]
            )
            .unwrap_err(),
            "Too many bind addresses specified."
        );
    }
}
