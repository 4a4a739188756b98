//! LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]

use bytes::Bytes;

use super::super::{int_arg, is_kw, SYNTAX_ERROR};
use super::{as_str, lookup_read};
use crate::engine::{Call, Engine};
use crate::resp::Reply;

/// One matched run: `a[a_start..=a_end] == b[b_start..=b_end]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Match {
    /// First byte in the first string.
    pub a_start: usize,
    /// Last byte in the first string.
    pub a_end: usize,
    /// First byte in the second string.
    pub b_start: usize,
    /// Last byte in the second string.
    pub b_end: usize,
}

impl Match {
    fn len(&self) -> usize {
        self.a_end - self.a_start + 1
    }
}

/// The result of the dynamic programme and its walk back.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct LcsResult {
    /// The common subsequence itself.
    pub text: Vec<u8>,
    /// Contiguous runs, from the end of the strings towards their start.
    pub matches: Vec<Match>,
}

/// The longest common subsequence of `a` and `b` as Redis 7.0 picks it: the
/// classic length table, walked back from the end taking a match when the
/// bytes agree, otherwise stepping in `a` only when that keeps a strictly
/// longer subsequence (ties step in `b`). Runs are cut where the walk stops
/// being diagonal. Returns `None` when the table cannot be allocated.
pub(super) fn lcs(a: &[u8], b: &[u8]) -> Option<LcsResult> {
    let width = b.len() + 1;
    let cells = (a.len() + 1).checked_mul(width)?;
    let mut table: Vec<u32> = Vec::new();
    table.try_reserve_exact(cells).ok()?;
    table.resize(cells, 0);
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            table[i * width + j] = if a[i - 1] == b[j - 1] {
                table[(i - 1) * width + j - 1] + 1
            } else {
                table[(i - 1) * width + j].max(table[i * width + j - 1])
            };
        }
    }
    let total = table[a.len() * width + b.len()] as usize;
    let mut text = vec![0u8; total];
    let mut matches = Vec::new();
    let mut run: Option<Match> = None;
    let (mut i, mut j, mut k) = (a.len(), b.len(), total);
    while i > 0 && j > 0 {
        if a[i - 1] == b[j - 1] {
            k -= 1;
            text[k] = a[i - 1];
            i -= 1;
            j -= 1;
            run = Some(match run {
                // The walk is diagonal here, so the run grows backwards.
                Some(m) => Match {
                    a_start: i,
                    b_start: j,
                    ..m
                },
                None => Match {
                    a_start: i,
                    a_end: i,
                    b_start: j,
                    b_end: j,
                },
            });
            if i == 0 || j == 0 {
                matches.extend(run.take());
            }
        } else {
            if table[(i - 1) * width + j] > table[i * width + j - 1] {
                i -= 1;
            } else {
                j -= 1;
            }
            matches.extend(run.take());
        }
    }
    Some(LcsResult { text, matches })
}

/// LCS: the common subsequence (default), its length (LEN) or the matched
/// ranges (IDX, a map in RESP3). Missing keys read as empty strings; a key
/// of another type is refused before the options are read.
pub(super) fn lcs_command(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let mut strings: [Bytes; 2] = [Bytes::new(), Bytes::new()];
    let mut wrong_type = false;
    for (slot, key) in strings.iter_mut().zip(&call.argv[1..3]) {
        if let Some(entry) = lookup_read(e, call, key) {
            match as_str(entry) {
                Ok(s) => *slot = s.to_bytes(),
                Err(_) => wrong_type = true,
            }
        }
    }
    if wrong_type {
        return Reply::err("The specified keys must contain string values");
    }
    let (mut get_idx, mut get_len, mut with_match_len) = (false, false, false);
    let mut min_match_len: i64 = 0;
    let mut i = 3;
    while i < call.argv.len() {
        let opt = call.arg(i);
        let more = i + 1 < call.argv.len();
        if is_kw(opt, "idx") {
            get_idx = true;
        } else if is_kw(opt, "len") {
            get_len = true;
        } else if is_kw(opt, "withmatchlen") {
            with_match_len = true;
        } else if is_kw(opt, "minmatchlen") && more {
            match int_arg(call.arg(i + 1)) {
                Ok(n) => min_match_len = n.max(0),
                Err(err) => return err,
            }
            i += 1;
        } else {
            return Reply::error(SYNTAX_ERROR);
        }
        i += 1;
    }
    if get_idx && get_len {
        return Reply::err("If you want both the length and indexes, please just use IDX.");
    }
    let [a, b] = strings;
    if a.len() >= u32::MAX as usize - 1 || b.len() >= u32::MAX as usize - 1 {
        return Reply::err("String too long for LCS");
    }
    // The table holds (|a|+1)(|b|+1) 32-bit cells; Redis refuses one larger
    // than proto-max-bulk-len bytes.
    let table_bytes = (a.len() as u128 + 1) * (b.len() as u128 + 1) * 4;
    if table_bytes > e.config.proto_max_bulk_len.max(0) as u128 {
        return Reply::err(
            "Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len",
        );
    }
    let Some(result) = lcs(&a, &b) else {
        return Reply::err("Insufficient memory, failed allocating transient memory for LCS");
    };
    let total = result.text.len() as i64;
    if get_idx {
        let matches = result
            .matches
            .iter()
            .filter(|m| m.len() as i64 >= min_match_len)
            .map(|m| {
                let mut item = vec![
                    Reply::Array(vec![
                        Reply::Integer(m.a_start as i64),
                        Reply::Integer(m.a_end as i64),
                    ]),
                    Reply::Array(vec![
                        Reply::Integer(m.b_start as i64),
                        Reply::Integer(m.b_end as i64),
                    ]),
                ];
                if with_match_len {
                    item.push(Reply::Integer(m.len() as i64));
                }
                Reply::Array(item)
            })
            .collect();
        Reply::Map(vec![
            (Reply::bulk_static(b"matches"), Reply::Array(matches)),
            (Reply::bulk_static(b"len"), Reply::Integer(total)),
        ])
    } else if get_len {
        Reply::Integer(total)
    } else {
        Reply::Bulk(Bytes::from(result.text))
    }
}
