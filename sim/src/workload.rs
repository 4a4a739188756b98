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

/// One random command (argv, name first).
pub fn random_command() -> Vec<Vec<u8>> {
    let mut rng = thread_rng();
    let rng = &mut rng;
    let k = key(rng);
    let words: Vec<Vec<u8>> = match rng.gen_range(0..24) {
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
