//! Replay the committed fuzz corpora (and crash regressions) on stable
//! Rust: every file under `fuzz/corpus/<target>/` goes through its target.

use std::fs;
use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(target);
    let mut n = 0;
    for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("corpus entry").path();
        if path.is_file()
            && !path
                .file_name()
                .is_some_and(|f| f.to_string_lossy().starts_with('.'))
        {
            let data = fs::read(&path).expect("corpus file");
            eprintln!("replaying {}", path.display());
            run(&data);
            n += 1;
        }
    }
    assert!(
        n >= 3,
        "{target}: only {n} corpus files in {}",
        dir.display()
    );
}

#[test]
fn request_parser_corpus() {
    replay("request_parser", keyrs_fuzz::request_parser);
}

#[test]
fn frame_roundtrip_corpus() {
    replay("frame_roundtrip", keyrs_fuzz::frame_roundtrip);
}

#[test]
fn engine_corpus() {
    replay("engine", keyrs_fuzz::engine::engine);
}

#[test]
fn rdb_loader_corpus() {
    replay("rdb_loader", keyrs_fuzz::rdb::rdb_loader);
}
