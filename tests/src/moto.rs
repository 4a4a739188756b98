//! A local S3 server for the S3 backup tests: moto's server mode
//! (`python3 -m moto.server`, from PyPI's `moto[server]`), started on a free
//! port and killed on drop.
//!
//! Tests skip (returning `None`) when moto is not installed, unless
//! `KEYRS_REQUIRE_S3=1` (set by CI), which makes its absence a failure.

use std::fs::File;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::ports;

/// Credentials moto accepts when it does not check them.
pub const ACCESS_KEY: &str = "testing";
/// See [`ACCESS_KEY`].
pub const SECRET_KEY: &str = "testing";

/// moto without auth checks takes any signature, but treats a request with
/// no `Authorization` at all as anonymous (private objects: 403).
const ANY_AUTH: &str = "Authorization: AWS4-HMAC-SHA256 \
    Credential=testing/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00";

/// A running moto server; killed when dropped.
#[derive(Debug)]
pub struct Moto {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
    log_path: PathBuf,
}

impl Moto {
    /// Start moto. With `check_auth`, moto verifies every request's
    /// credentials (IAM auth: only keys created through its IAM API pass, so
    /// any other key is refused with `InvalidAccessKeyId`); without, anything
    /// goes. `None` (after printing why) when python3 or moto is missing and
    /// `KEYRS_REQUIRE_S3` is not `1`; panics when it is.
    pub fn start(check_auth: bool) -> Option<Moto> {
        let required = std::env::var("KEYRS_REQUIRE_S3").as_deref() == Ok("1");
        let available = Command::new("python3")
            .args(["-c", "import moto.server, flask"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !available {
            let msg = "python3 with moto[server] is not installed \
                       (python3 -m pip install 'moto[server]')";
            if required {
                panic!("KEYRS_REQUIRE_S3=1 but {msg}");
            }
            eprintln!("SKIPPED: {msg}");
            return None;
        }
        let mut last = String::new();
        for _ in 0..3 {
            match Moto::spawn(ports::free_port(), check_auth) {
                Ok(m) => return Some(m),
                Err(e) => last = e,
            }
        }
        panic!("moto server did not start: {last}");
    }

    fn spawn(port: u16, check_auth: bool) -> Result<Moto, String> {
        let dir = tempfile::Builder::new()
            .prefix("keyrs-moto-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        let log_path = dir.path().join("moto.log");
        let log = File::create(&log_path).map_err(|e| e.to_string())?;
        let log2 = log.try_clone().map_err(|e| e.to_string())?;
        let mut cmd = Command::new("python3");
        cmd.args([
            "-m",
            "moto.server",
            "-H",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log2);
        if check_auth {
            cmd.env("INITIAL_NO_AUTH_ACTION_COUNT", "0");
        } else {
            cmd.env_remove("INITIAL_NO_AUTH_ACTION_COUNT");
        }
        let child = cmd
            .spawn()
            .map_err(|e| format!("cannot run python3: {e}"))?;
        let mut moto = Moto {
            child,
            port,
            _dir: dir,
            log_path,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(Some(status)) = moto.child.try_wait() {
                return Err(format!("moto exited with {status}; log:\n{}", moto.log()));
            }
            if moto.request("GET", "/", b"").is_ok() {
                // moto loads its S3 (and auth) code on the first S3 request,
                // which takes seconds on a busy machine: pay that here, not
                // inside a server's start-up timeout.
                moto.request("GET", "/keyrs-warm-up/x", b"")?;
                return Ok(moto);
            }
            if Instant::now() > deadline {
                return Err(format!("moto not ready in 30 s; log:\n{}", moto.log()));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `http://127.0.0.1:port`, for `AWS_ENDPOINT_URL`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Environment for a keyrs-server that talks to this moto.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("AWS_ENDPOINT_URL".into(), self.endpoint()),
            ("AWS_ACCESS_KEY_ID".into(), ACCESS_KEY.into()),
            ("AWS_SECRET_ACCESS_KEY".into(), SECRET_KEY.into()),
            ("AWS_REGION".into(), "us-east-1".into()),
        ]
    }

    /// Create `bucket` (path-style PUT; needs a moto without auth checks).
    pub fn create_bucket(&self, bucket: &str) {
        let (status, body) = self
            .request("PUT", &format!("/{bucket}"), b"")
            .unwrap_or_else(|e| panic!("create bucket: {e}"));
        assert_eq!(status, 200, "create bucket {bucket}: {body:?}");
    }

    /// The object's bytes, `None` when absent (needs a moto without auth checks).
    pub fn get_object(&self, bucket: &str, key: &str) -> Option<Vec<u8>> {
        let (status, body) = self
            .request("GET", &format!("/{bucket}/{key}"), b"")
            .unwrap_or_else(|e| panic!("get object: {e}"));
        match status {
            200 => Some(body),
            404 => None,
            _ => panic!(
                "get {bucket}/{key}: HTTP {status}: {}",
                String::from_utf8_lossy(&body)
            ),
        }
    }

    /// Store an object directly (needs a moto without auth checks).
    pub fn put_object(&self, bucket: &str, key: &str, bytes: &[u8]) {
        let (status, body) = self
            .request("PUT", &format!("/{bucket}/{key}"), bytes)
            .unwrap_or_else(|e| panic!("put object: {e}"));
        assert_eq!(status, 200, "put {bucket}/{key}: {body:?}");
    }

    /// One HTTP/1.1 request with `Connection: close`; returns status and body.
    fn request(&self, method: &str, path: &str, body: &[u8]) -> Result<(u16, Vec<u8>), String> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).map_err(|e| e.to_string())?;
        s.set_read_timeout(Some(Duration::from_secs(30)))
            .map_err(|e| e.to_string())?;
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n{ANY_AUTH}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.port,
            body.len()
        );
        s.write_all(head.as_bytes()).map_err(|e| e.to_string())?;
        s.write_all(body).map_err(|e| e.to_string())?;
        let mut reply = Vec::new();
        s.read_to_end(&mut reply).map_err(|e| e.to_string())?;
        parse_response(&reply)
    }

    /// What moto printed.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Status and body of a whole HTTP/1.1 response (Content-Length or
/// chunked body, or everything up to the close).
fn parse_response(reply: &[u8]) -> Result<(u16, Vec<u8>), String> {
    let end = reply
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no end of headers")?;
    let head = String::from_utf8_lossy(&reply[..end]).to_string();
    let body = &reply[end + 4..];
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line: {head}"))?;
    let header = |name: &str| {
        head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    };
    if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        let mut out = Vec::new();
        let mut rest = body;
        loop {
            let line_end = rest
                .windows(2)
                .position(|w| w == b"\r\n")
                .ok_or("bad chunk")?;
            let size_text = String::from_utf8_lossy(&rest[..line_end]).to_string();
            let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
                .map_err(|e| format!("chunk size {size_text:?}: {e}"))?;
            rest = &rest[line_end + 2..];
            if size == 0 {
                return Ok((status, out));
            }
            out.extend_from_slice(rest.get(..size).ok_or("short chunk")?);
            rest = rest.get(size + 2..).ok_or("short chunk")?;
        }
    }
    match header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        Some(n) => Ok((status, body.get(..n).ok_or("short body")?.to_vec())),
        None => Ok((status, body.to_vec())),
    }
}
