//! Replacing a small file so that a crash leaves the old content or the
//! new, never half of one (the AOF manifest, CONFIG REWRITE's config file).

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;

/// Write `bytes` to `tmp`, fsync it, rename it over `target` and fsync the
/// directory, so the rename is durable too. `tmp` must be in `target`'s
/// directory (a rename does not cross file systems); it is removed if any
/// step fails.
pub fn replace(target: &Path, tmp: &Path, bytes: &[u8]) -> io::Result<()> {
    let result = File::create(tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .and_then(|()| fs::rename(tmp, target));
    if result.is_err() {
        let _ = fs::remove_file(tmp);
        return result;
    }
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_content_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("f.conf");
        let tmp = dir.path().join("f.conf.tmp");
        fs::write(&target, "old").unwrap();
        replace(&target, &tmp, b"new").unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        assert!(!tmp.exists());
    }

    #[test]
    fn a_failed_write_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("f.conf");
        fs::write(&target, "old").unwrap();
        // The temporary file's directory does not exist: creating it fails.
        let tmp = dir.path().join("missing").join("f.tmp");
        assert!(replace(&target, &tmp, b"new").is_err());
        assert_eq!(fs::read_to_string(&target).unwrap(), "old");
    }
}
