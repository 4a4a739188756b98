//! Glob-style pattern matching with Redis's `stringmatchlen` rules, used by
//! KEYS, SCAN MATCH, CONFIG GET, PUBSUB patterns.
//!
//! `*` any run, `?` any byte, `[abc]` / `[^abc]` / `[a-z]` classes, `\x`
//! escapes. Recursion on `*` is bounded so hostile patterns cannot blow the
//! stack or run forever.

/// Deepest `*` nesting explored before giving up (no match), as Redis 7.
const NESTING_MAX: usize = 1000;

/// Does `string` match `pattern`? `nocase` folds ASCII case.
pub fn matches(pattern: &[u8], string: &[u8], nocase: bool) -> bool {
    let mut skip_longer = false;
    match_impl(pattern, string, nocase, &mut skip_longer, 0)
}

fn eq(a: u8, b: u8, nocase: bool) -> bool {
    if nocase {
        a.eq_ignore_ascii_case(&b)
    } else {
        a == b
    }
}

fn match_impl(
    mut p: &[u8],
    mut s: &[u8],
    nocase: bool,
    skip_longer: &mut bool,
    nesting: usize,
) -> bool {
    if nesting > NESTING_MAX {
        return false;
    }
    while !p.is_empty() && !s.is_empty() {
        match p[0] {
            b'*' => {
                while p.len() > 1 && p[1] == b'*' {
                    p = &p[1..];
                }
                if p.len() == 1 {
                    return true;
                }
                while !s.is_empty() {
                    if match_impl(&p[1..], s, nocase, skip_longer, nesting + 1) {
                        return true;
                    }
                    if *skip_longer {
                        // A shorter suffix cannot match once a longer failed for lack of input.
                        return false;
                    }
                    s = &s[1..];
                }
                *skip_longer = true;
                return false;
            }
            b'?' => {
                s = &s[1..];
            }
            b'[' => {
                p = &p[1..];
                let not = p.first() == Some(&b'^');
                if not {
                    p = &p[1..];
                }
                let mut matched = false;
                loop {
                    if p.is_empty() {
                        // Unterminated class: Redis steps back onto the last byte.
                        break;
                    }
                    if p[0] == b'\\' && p.len() >= 2 {
                        p = &p[1..];
                        if eq(p[0], s[0], nocase) {
                            matched = true;
                        }
                    } else if p[0] == b']' {
                        break;
                    } else if p.len() >= 3 && p[1] == b'-' {
                        let (mut start, mut end, mut c) = (p[0], p[2], s[0]);
                        if start > end {
                            std::mem::swap(&mut start, &mut end);
                        }
                        if nocase {
                            start = start.to_ascii_lowercase();
                            end = end.to_ascii_lowercase();
                            c = c.to_ascii_lowercase();
                        }
                        p = &p[2..];
                        if c >= start && c <= end {
                            matched = true;
                        }
                    } else if eq(p[0], s[0], nocase) {
                        matched = true;
                    }
                    p = &p[1..];
                }
                if p.is_empty() {
                    // Redis: `pattern--` so the final `pattern++` leaves it at the end.
                    if not == matched {
                        return false;
                    }
                    s = &s[1..];
                    return match_rest_empty(p, s);
                }
                if not == matched {
                    return false;
                }
                s = &s[1..];
            }
            b'\\' if p.len() >= 2 => {
                p = &p[1..];
                if !eq(p[0], s[0], nocase) {
                    return false;
                }
                s = &s[1..];
            }
            c => {
                if !eq(c, s[0], nocase) {
                    return false;
                }
                s = &s[1..];
            }
        }
        p = &p[1..];
        if s.is_empty() {
            while p.first() == Some(&b'*') {
                p = &p[1..];
            }
            break;
        }
    }
    p.is_empty() && s.is_empty()
}

fn match_rest_empty(p: &[u8], s: &[u8]) -> bool {
    p.is_empty() && s.is_empty()
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn basics() {
        let m = |p: &str, s: &str| matches(p.as_bytes(), s.as_bytes(), false);
        // As Redis: the empty string matches no pattern, not even "*" (KEYS and
        // SCAN special-case a lone "*" themselves).
        assert!(!m("*", ""));
        assert!(m("*", "anything"));
        assert!(m("h?llo", "hello"));
        assert!(!m("h?llo", "hllo"));
        assert!(m("h*llo", "heeeello"));
        assert!(m("h[ae]llo", "hallo"));
        assert!(!m("h[ae]llo", "hillo"));
        assert!(m("h[^e]llo", "hallo"));
        assert!(!m("h[^e]llo", "hello"));
        assert!(m("h[a-b]llo", "hbllo"));
        assert!(m("h\\*llo", "h*llo"));
        assert!(!m("h\\*llo", "hello"));
        assert!(m("key:*", "key:1"));
        assert!(!m("key:*", "key"));
        assert!(m("*a*b*c", "xxaxxbxxc"));
        assert!(matches(b"MAX*", b"maxclients", true));
    }

    #[test]
    fn hostile_pattern_terminates() {
        let p = "a*".repeat(50) + "b";
        let s = "a".repeat(60);
        assert!(!matches(p.as_bytes(), s.as_bytes(), false));
    }
}
