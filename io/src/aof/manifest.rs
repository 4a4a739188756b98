//! Redis 7.0's AOF manifest: which base and incr files make up the AOF.
//!
//! One line per file, `file <name> seq <n> type <b|h|i>`: the base (`b`,
//! at most one), history files awaiting deletion (`h`) and the incr files
//! (`i`) in replay order. Lines starting with `#` are comments.

use std::fmt::Write as _;

/// One file of the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AofFile {
    /// The file name, inside the AOF directory.
    pub name: String,
    /// Its sequence number.
    pub seq: u64,
}

/// The parsed manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    /// The base file (RDB preamble or commands), if any.
    pub base: Option<AofFile>,
    /// Files a rewrite replaced, not yet deleted.
    pub history: Vec<AofFile>,
    /// The incr files, oldest first.
    pub incrs: Vec<AofFile>,
}

impl Manifest {
    /// Parse a manifest's text; the error says which line is wrong.
    pub fn parse(text: &str) -> Result<Manifest, String> {
        let mut m = Manifest::default();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let words: Vec<&str> = line.split_whitespace().collect();
            if !words.len().is_multiple_of(2) {
                return Err(format!("Invalid AOF manifest file format (line {})", n + 1));
            }
            let (mut name, mut seq, mut kind) = (None, None, None);
            for pair in words.chunks(2) {
                match pair[0] {
                    "file" => name = Some(pair[1].to_string()),
                    "seq" => seq = pair[1].parse::<u64>().ok(),
                    "type" => kind = Some(pair[1]),
                    _ => {}
                }
            }
            let (Some(name), Some(seq), Some(kind)) = (name, seq, kind) else {
                return Err(format!("Invalid AOF manifest file format (line {})", n + 1));
            };
            if name.contains('/') || name.contains("..") {
                return Err(format!(
                    "Invalid AOF file name in the manifest (line {})",
                    n + 1
                ));
            }
            let f = AofFile { name, seq };
            match kind {
                "b" => {
                    if m.base.is_some() {
                        return Err("Found duplicate base file information".into());
                    }
                    m.base = Some(f);
                }
                "h" => m.history.push(f),
                "i" => {
                    if m.incrs.last().is_some_and(|last| last.seq >= f.seq) {
                        return Err("Found a non-monotonic sequence number".into());
                    }
                    m.incrs.push(f);
                }
                _ => return Err(format!("Unknown AOF file type (line {})", n + 1)),
            }
        }
        if m.base.is_none() && m.incrs.is_empty() {
            return Err("Found an empty AOF manifest".into());
        }
        Ok(m)
    }

    /// The manifest's text, as Redis 7.0 writes it.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let mut line = |f: &AofFile, t: char| {
            let _ = writeln!(s, "file {} seq {} type {}", f.name, f.seq, t);
        };
        if let Some(b) = &self.base {
            line(b, 'b');
        }
        for h in &self.history {
            line(h, 'h');
        }
        for i in &self.incrs {
            line(i, 'i');
        }
        s
    }

    /// The highest incr sequence number (0 when none).
    pub fn last_incr_seq(&self) -> u64 {
        self.incrs.last().map_or(0, |f| f.seq)
    }

    /// The base's sequence number (0 when none).
    pub fn base_seq(&self) -> u64 {
        self.base.as_ref().map_or(0, |f| f.seq)
    }
}

/// `<appendfilename>.<seq>.incr.aof`
pub fn incr_name(filename: &str, seq: u64) -> String {
    format!("{filename}.{seq}.incr.aof")
}

/// `<appendfilename>.<seq>.base.rdb` (RDB preamble) or `.base.aof`.
pub fn base_name(filename: &str, seq: u64, rdb: bool) -> String {
    let ext = if rdb { "rdb" } else { "aof" };
    format!("{filename}.{seq}.base.{ext}")
}

/// `<appendfilename>.manifest`
pub fn manifest_name(filename: &str) -> String {
    format!("{filename}.manifest")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_redis_format() {
        let text = "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n";
        let m = Manifest::parse(text).expect("parse");
        assert_eq!(m.base_seq(), 1);
        assert_eq!(m.last_incr_seq(), 1);
        assert_eq!(m.render(), text);
    }

    #[test]
    fn refuses_bad_lines() {
        assert!(Manifest::parse("file a seq 1\n").is_err());
        assert!(Manifest::parse("file a seq x type b\n").is_err());
        assert!(Manifest::parse("file ../x seq 1 type b\n").is_err());
        assert!(Manifest::parse("# only a comment\n").is_err());
        assert!(Manifest::parse("file a seq 2 type i\nfile b seq 1 type i\n").is_err());
    }
}
