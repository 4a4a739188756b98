//! Random command sequences for simulated clients: a small key pool so
//! commands collide, a mix of valid and invalid arguments, and commands the
//! server may not implement yet (their error replies are deterministic too).

use madsim::rand::{thread_rng, Rng};

/// How many distinct keys the workload touches.
pub const KEY_POOL: usize = 8;

fn key(rng: &mut impl Rng) -> Vec<u8> {
    format!("key:{}", rng.gen_range(0..KEY_POOL)).into_bytes()
}

fn value(rng: &mut impl Rng) -> Vec<u8> {
    match rng.gen_range(0..5) {
        0 => rng.gen_range(-1000i64..1000).to_string().into_bytes(),
        1 => Vec::new(),
        2 => (0..rng.gen_range(1..64)).map(|_| rng.gen::<u8>()).collect(),
        3 => i64::MAX.to_string().into_bytes(),
        _ => format!("v{}", rng.gen::<u32>()).into_bytes(),
    }
}

/// How many distinct lists (BLPOP targets) the workload touches: few, so
/// pushes often wake a blocked client.
pub const LIST_POOL: usize = 3;

/// How many Pub/Sub channels the workload publishes to.
pub const CHANNELS: usize = 3;

fn list(rng: &mut impl Rng) -> Vec<u8> {
    format!("list:{}", rng.gen_range(0..LIST_POOL)).into_bytes()
}

/// A Pub/Sub channel of the workload.
pub fn channel_name(i: usize) -> Vec<u8> {
    format!("ch:{i}").into_bytes()
}

fn channel(rng: &mut impl Rng) -> Vec<u8> {
    channel_name(rng.gen_range(0..CHANNELS))
}

/// A BLPOP timeout in seconds: small, sometimes fractional.
fn blocking_timeout(rng: &mut impl Rng) -> Vec<u8> {
    match rng.gen_range(0..3) {
        0 => b"0.1".to_vec(),
        1 => b"0.25".to_vec(),
        _ => b"1".to_vec(),
    }
}

/// The timeout of a BLPOP/BRPOP `argv` (its last argument), in ms.
pub fn blocking_timeout_ms(argv: &[Vec<u8>]) -> Option<u64> {
    let name = argv.first()?.to_ascii_uppercase();
    if name != b"BLPOP" && name != b"BRPOP" {
        return None;
    }
    let secs: f64 = std::str::from_utf8(argv.last()?).ok()?.parse().ok()?;
    Some((secs * 1000.0) as u64)
}

/// A unit of commands sent together: mostly one random command, sometimes
/// a transaction (`WATCH`, `MULTI`, valid commands, `EXEC` or `DISCARD`),
/// whose queued commands never block (BLPOP in MULTI does not wait).
pub fn random_unit() -> Vec<Vec<Vec<u8>>> {
    let mut rng = thread_rng();
    if !rng.gen_ratio(1, 8) {
        return vec![random_command()];
    }
    let mut unit = Vec::new();
    if rng.gen() {
        unit.push(vec![b"WATCH".to_vec(), key(&mut rng), list(&mut rng)]);
    }
    unit.push(vec![b"MULTI".to_vec()]);
    for _ in 0..rng.gen_range(0..4) {
        let mut c = random_command();
        // Wrong arity would abort the EXEC; keep the queued commands valid.
        if c.len() == 1 && c[0] == b"GET" {
            c = vec![b"INCR".to_vec(), key(&mut rng)];
        }
        unit.push(c);
    }
    unit.push(if rng.gen_ratio(1, 5) {
        vec![b"DISCARD".to_vec()]
    } else {
        vec![b"EXEC".to_vec()]
    });
    unit
}

/// One random command (argv, name first).
pub fn random_command() -> Vec<Vec<u8>> {
    let mut rng = thread_rng();
    let rng = &mut rng;
    let k = key(rng);
    let words: Vec<Vec<u8>> = match rng.gen_range(0..32) {
        0..=2 => {
            let mut v = vec![b"SET".to_vec(), k, value(rng)];
            match rng.gen_range(0..6) {
                0 => v.extend([b"EX".to_vec(), rng.gen_range(1..5u32).to_string().into()]),
                1 => v.extend([b"PX".to_vec(), rng.gen_range(1..3000u32).to_string().into()]),
                2 => v.push(if rng.gen() {
                    b"NX".to_vec()
                } else {
                    b"XX".to_vec()
                }),
                3 => v.extend([b"PX".to_vec(), b"-1".to_vec()]),
                _ => {}
            }
            v
        }
        3..=5 => vec![b"GET".to_vec(), k],
        6 => vec![b"DEL".to_vec(), k, key(rng)],
        7 => vec![b"EXISTS".to_vec(), k, key(rng), key(rng)],
        8 => vec![b"DBSIZE".to_vec()],
        9 => vec![b"INCR".to_vec(), k],
        10 => vec![b"INCRBY".to_vec(), k, value(rng)],
        11 => vec![b"PTTL".to_vec(), k],
        12 => vec![b"APPEND".to_vec(), k, value(rng)],
        13 => vec![b"PING".to_vec()],
        14 => vec![b"ECHO".to_vec(), value(rng)],
        15 => vec![
            b"EXPIRE".to_vec(),
            k,
            rng.gen_range(-1..3i32).to_string().into(),
        ],
        16 => vec![
            b"PEXPIRE".to_vec(),
            k,
            rng.gen_range(1..2000u32).to_string().into(),
        ],
        17 => vec![b"PERSIST".to_vec(), k],
        18 => vec![b"MSET".to_vec(), k, value(rng), key(rng), value(rng)],
        19 => vec![b"MGET".to_vec(), k, key(rng)],
        20 => vec![b"GETSET".to_vec(), k, value(rng)],
        21 => vec![b"TYPE".to_vec(), k],
        22 => vec![b"DECRBY".to_vec(), k, value(rng)],
        23 => vec![b"LPUSH".to_vec(), list(rng), value(rng), value(rng)],
        24 => vec![b"RPUSH".to_vec(), list(rng), value(rng)],
        25 => vec![b"LPOP".to_vec(), list(rng)],
        26 => vec![b"LRANGE".to_vec(), list(rng), b"0".to_vec(), b"-1".to_vec()],
        27 => vec![b"LLEN".to_vec(), list(rng)],
        28 | 29 => {
            let name = if rng.gen() {
                b"BLPOP".to_vec()
            } else {
                b"BRPOP".to_vec()
            };
            vec![name, list(rng), list(rng), blocking_timeout(rng)]
        }
        30 => vec![
            b"PUBLISH".to_vec(),
            channel(rng),
            format!("m{}", rng.gen::<u64>()).into_bytes(),
        ],
        // Wrong arity on purpose.
        _ => vec![b"GET".to_vec()],
    };
    words
}

/// Encode `argv` as a request: a multibulk, or (when every argument is a
/// plain word) sometimes an inline command.
pub fn encode_request(argv: &[Vec<u8>]) -> Vec<u8> {
    let plain = argv
        .iter()
        .all(|a| !a.is_empty() && a.iter().all(|b| b.is_ascii_alphanumeric() || *b == b':'));
    if plain && thread_rng().gen_ratio(1, 4) {
        let mut out = argv.join(&b' ');
        out.extend_from_slice(b"\r\n");
        return out;
    }
    let mut out = format!("*{}\r\n", argv.len()).into_bytes();
    for a in argv {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}
