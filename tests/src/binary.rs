//! Locating (and building) the keyrs-server binary. `CARGO_BIN_EXE_*` only
//! exists for binaries of the test's own package, so the harness finds
//! `target/<profile>/keyrs-server` next to the running test executable and
//! runs `cargo build -p keyrs-server` once per test process to make sure it
//! is current (a no-op when it is).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Path of the keyrs-server binary to test.
pub fn keyrs_server() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(locate_and_build).clone()
}

fn locate_and_build() -> PathBuf {
    if let Some(p) = std::env::var_os("KEYRS_SERVER_BIN") {
        return PathBuf::from(p);
    }
    let profile_dir = profile_dir();
    let bin = profile_dir.join("keyrs-server");
    if std::env::var_os("KEYRS_TESTS_NO_BUILD").is_some() && bin.is_file() {
        return bin;
    }
    match build(&profile_dir) {
        Ok(()) => {}
        Err(e) if bin.is_file() => {
            eprintln!("keyrs-tests: building keyrs-server failed ({e}); using the existing binary");
        }
        Err(e) => panic!("keyrs-tests: cannot build keyrs-server: {e}"),
    }
    assert!(bin.is_file(), "keyrs-server not found at {}", bin.display());
    bin
}

/// `target/<profile>`: the test executable lives in `target/<profile>/deps`.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("path of the test executable");
    let deps = exe.parent().expect("test executable has a directory");
    let dir = if deps.file_name().is_some_and(|n| n == "deps") {
        deps.parent().unwrap_or(deps)
    } else {
        deps
    };
    dir.to_path_buf()
}

fn build(profile_dir: &Path) -> Result<(), String> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("no workspace directory")?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(workspace)
        .args(["build", "-q", "-p", "keyrs-server"]);
    if profile_dir.file_name().is_some_and(|n| n == "release") {
        cmd.arg("--release");
    }
    if let Some(target) = profile_dir.parent() {
        cmd.env("CARGO_TARGET_DIR", target);
    }
    let status = cmd.status().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("cargo build exited with {status}"))
    }
}
