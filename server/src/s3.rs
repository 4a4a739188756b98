//! KeyDB's S3 backup (`db-s3-object s3://bucket/path`): after a save the RDB
//! file is uploaded to the object; at startup, when the local file is missing
//! or unreadable, the object is downloaded and loaded instead.
//!
//! KeyDB shells out to the `aws` CLI; we use the rust-s3 crate's blocking
//! client instead, configured from the same standard AWS environment the CLI
//! reads:
//! - credentials: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
//!   `AWS_SESSION_TOKEN` (else the shared credentials file / `AWS_PROFILE`, web
//!   identity, container and instance-metadata providers, in the SDKs' order);
//! - region: `AWS_REGION`, else `AWS_DEFAULT_REGION`, else `us-east-1`;
//! - endpoint override for S3-compatible stores: `AWS_ENDPOINT_URL_S3`, else
//!   `AWS_ENDPOINT_URL` (both ignored when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`
//!   is true). With an override, requests use path-style addressing
//!   (`endpoint/bucket/key`), which every S3-compatible store accepts;
//!   `AWS_S3_ADDRESSING_STYLE=virtual|path` forces one style.
//!
//! Every function here blocks (network and file I/O): callers run them where
//! blocking is acceptable (SAVE, the BGSAVE thread, shutdown, startup).

use std::fmt;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use keyrs_core::config::Config;

use s3::creds::Credentials;
use s3::error::S3Error as ClientError;
use s3::{Bucket, Region};

/// Files at least this large are uploaded in parts (multipart upload), so
/// memory stays bounded; smaller ones go in one PUT.
const MULTIPART_THRESHOLD: u64 = s3::bucket::CHUNK_SIZE as u64;

/// Where the backup lives: the parsed value of `db-s3-object`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Object {
    /// Bucket name.
    pub bucket: String,
    /// Object key inside the bucket (no leading `/`).
    pub key: String,
}

impl S3Object {
    /// Parse `s3://bucket/path/to/object`.
    pub fn parse(url: &str) -> Result<S3Object, S3Error> {
        let bad = |why: &str| S3Error::BadUrl {
            url: url.to_string(),
            reason: why.to_string(),
        };
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| bad("it must start with s3://"))?;
        let (bucket, key) = rest
            .split_once('/')
            .ok_or_else(|| bad("it names no object after the bucket"))?;
        if bucket.is_empty() {
            return Err(bad("the bucket name is empty"));
        }
        // S3 bucket names: 3..63 of lowercase letters, digits, '.', '-'
        // (older buckets may also hold '_' and capitals, still reachable).
        if bucket.len() < 3 || bucket.len() > 63 {
            return Err(bad("a bucket name has 3 to 63 characters"));
        }
        if !bucket
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
        {
            return Err(bad(
                "a bucket name holds only letters, digits, '.', '-' and '_'",
            ));
        }
        if key.is_empty() || key.ends_with('/') {
            return Err(bad("it names no object after the bucket"));
        }
        if key.len() > 1024 {
            return Err(bad("an object key has at most 1024 bytes"));
        }
        if key.chars().any(char::is_control) {
            return Err(bad("the object key holds a control character"));
        }
        Ok(S3Object {
            bucket: bucket.to_string(),
            key: key.to_string(),
        })
    }
}

impl fmt::Display for S3Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.key)
    }
}

/// Why an S3 transfer failed.
#[derive(Debug)]
pub enum S3Error {
    /// `db-s3-object` is not `s3://bucket/path`.
    BadUrl {
        /// The value given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No usable credentials, region or endpoint in the environment.
    Setup(String),
    /// The service refused the request (bad credentials, missing bucket, ...).
    Service {
        /// HTTP status.
        status: u16,
        /// S3's error code (`InvalidAccessKeyId`, `NoSuchBucket`, ...), or
        /// empty when the reply carried none (HEAD replies have no body).
        code: String,
        /// S3's message, or the body's start when it was not S3's XML.
        message: String,
    },
    /// The object does not exist (a first start: nothing to restore).
    NotFound,
    /// Network or protocol failure (endpoint unreachable, TLS, timeout).
    Transport(String),
    /// Reading or writing a local file failed.
    Io {
        /// The file.
        path: PathBuf,
        /// What happened.
        error: io::Error,
    },
}

impl fmt::Display for S3Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            S3Error::BadUrl { url, reason } => write!(
                f,
                "invalid db-s3-object '{url}': {reason} (expected s3://bucket/path)"
            ),
            S3Error::Setup(msg) => write!(f, "S3 configuration error: {msg}"),
            S3Error::Service {
                status,
                code,
                message,
            } => {
                if code.is_empty() {
                    write!(f, "S3 error (HTTP {status}): {message}")
                } else {
                    write!(f, "S3 error {code} (HTTP {status}): {message}")
                }
            }
            S3Error::NotFound => write!(f, "S3 object not found"),
            S3Error::Transport(msg) => write!(f, "S3 request failed: {msg}"),
            S3Error::Io { path, error } => write!(f, "{}: {error}", path.display()),
        }
    }
}

impl std::error::Error for S3Error {}

/// Map the client's error to ours, pulling S3's `<Code>` and `<Message>` out
/// of an error body so a log line says `InvalidAccessKeyId`, not an XML dump.
fn map_client_error(e: ClientError) -> S3Error {
    match e {
        ClientError::HttpFailWithBody(status, body) => service_error(status, &body),
        ClientError::HttpFail => S3Error::Service {
            status: 0,
            code: String::new(),
            message: "the request returned a non-2xx status".into(),
        },
        ClientError::Credentials(c) => S3Error::Setup(format!("credentials: {c}")),
        ClientError::Region(r) => S3Error::Setup(format!("region: {r}")),
        ClientError::UrlParse(u) => S3Error::Setup(format!("endpoint URL: {u}")),
        other => S3Error::Transport(other.to_string()),
    }
}

/// An error reply: S3's XML `<Error><Code>..</Code><Message>..</Message>`.
fn service_error(status: u16, body: &str) -> S3Error {
    let code = xml_field(body, "Code").unwrap_or_default();
    if status == 404 && (code.is_empty() || code == "NoSuchKey") {
        return S3Error::NotFound;
    }
    let message = match xml_field(body, "Message") {
        Some(m) => m,
        None if body.trim().is_empty() => http_reason(status).to_string(),
        // Not S3's XML (a proxy's page?): show its start, bounded.
        None => body.trim().chars().take(200).collect(),
    };
    S3Error::Service {
        status,
        code,
        message,
    }
}

/// The text of the first `<name>...</name>` element, with XML's five
/// predefined entities decoded.
fn xml_field(body: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = body.find(&open)?.checked_add(open.len())?;
    let len = body.get(start..)?.find(&close)?;
    let raw = body.get(start..start.checked_add(len)?)?;
    Some(
        raw.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&"),
    )
}

fn http_reason(status: u16) -> &'static str {
    match status {
        301 => "moved permanently (wrong region?)",
        400 => "bad request",
        403 => "access denied",
        404 => "not found",
        500 => "internal server error",
        503 => "service unavailable",
        _ => "request failed",
    }
}

/// The client settings, read from the AWS environment variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Settings {
    /// Region name.
    pub region: String,
    /// Endpoint override (`AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`).
    pub endpoint: Option<String>,
    /// Path-style addressing (`endpoint/bucket/key`).
    pub path_style: bool,
}

impl S3Settings {
    /// Read the settings through `var` (`std::env::var` in production; a map
    /// in tests).
    pub fn from_vars(var: &dyn Fn(&str) -> Option<String>) -> S3Settings {
        let nonempty = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let region = nonempty("AWS_REGION")
            .or_else(|| nonempty("AWS_DEFAULT_REGION"))
            .unwrap_or_else(|| "us-east-1".to_string());
        let ignore_endpoints = nonempty("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let endpoint = if ignore_endpoints {
            None
        } else {
            nonempty("AWS_ENDPOINT_URL_S3").or_else(|| nonempty("AWS_ENDPOINT_URL"))
        };
        let path_style = match nonempty("AWS_S3_ADDRESSING_STYLE").as_deref() {
            Some(s) if s.eq_ignore_ascii_case("path") => true,
            Some(s) if s.eq_ignore_ascii_case("virtual") => false,
            _ => endpoint.is_some(),
        };
        S3Settings {
            region,
            endpoint,
            path_style,
        }
    }

    /// The settings from this process's environment.
    pub fn from_env() -> S3Settings {
        S3Settings::from_vars(&|name| std::env::var(name).ok())
    }

    fn region(&self) -> Result<Region, S3Error> {
        match &self.endpoint {
            Some(endpoint) => {
                let endpoint = endpoint.trim_end_matches('/');
                if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
                    return Err(S3Error::Setup(format!(
                        "endpoint URL '{endpoint}' must start with http:// or https://"
                    )));
                }
                Ok(Region::Custom {
                    region: self.region.clone(),
                    endpoint: endpoint.to_string(),
                })
            }
            None => self
                .region
                .parse::<Region>()
                .map_err(|e| S3Error::Setup(format!("region '{}': {e}", self.region))),
        }
    }
}

/// A configured S3 client: settings plus credentials.
#[derive(Debug, Clone)]
pub struct S3Client {
    settings: S3Settings,
    credentials: Credentials,
}

impl S3Client {
    /// Settings and credentials from this process's AWS environment (the
    /// credential chain: variables, then profile, web identity, container,
    /// instance metadata).
    pub fn from_env() -> Result<S3Client, S3Error> {
        let credentials = Credentials::default().map_err(|e| {
            S3Error::Setup(format!(
                "no AWS credentials ({e}); set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            ))
        })?;
        Ok(S3Client {
            settings: S3Settings::from_env(),
            credentials,
        })
    }

    /// Explicit settings and static keys (tests, tools).
    pub fn new(
        settings: S3Settings,
        access_key: &str,
        secret_key: &str,
        session_token: Option<&str>,
    ) -> Result<S3Client, S3Error> {
        let credentials = Credentials::new(
            Some(access_key),
            Some(secret_key),
            None,
            session_token,
            None,
        )
        .map_err(|e| S3Error::Setup(format!("credentials: {e}")))?;
        Ok(S3Client {
            settings,
            credentials,
        })
    }

    /// The bucket handle for `obj`.
    fn bucket(&self, obj: &S3Object) -> Result<Box<Bucket>, S3Error> {
        let region = self.settings.region()?;
        let bucket =
            Bucket::new(&obj.bucket, region, self.credentials.clone()).map_err(map_client_error)?;
        Ok(if self.settings.path_style {
            bucket.with_path_style()
        } else {
            bucket
        })
    }

    /// Upload the file at `local` to `obj`, replacing the object.
    pub fn upload(&self, local: &Path, obj: &S3Object) -> Result<(), S3Error> {
        let io_err = |error| S3Error::Io {
            path: local.to_path_buf(),
            error,
        };
        let mut file = File::open(local).map_err(io_err)?;
        let size = file.metadata().map_err(io_err)?.len();
        let bucket = self.bucket(obj)?;
        tracing::debug!("uploading {} ({size} bytes) to {obj}", local.display());
        if size < MULTIPART_THRESHOLD {
            let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            io::Read::read_to_end(&mut file, &mut bytes).map_err(io_err)?;
            bucket
                .put_object(&obj.key, &bytes)
                .map_err(map_client_error)?;
        } else {
            upload_in_parts(&bucket, &mut file, &obj.key).map_err(|e| match e {
                S3Error::Io { error, .. } => io_err(error),
                e => e,
            })?;
        }
        Ok(())
    }

    /// Download `obj` into `local`: the bytes go to a temporary file beside
    /// it, which replaces `local` only once complete, so a failed transfer
    /// never clobbers a good file. Returns the size;
    /// [`S3Error::NotFound`] when the object is absent.
    pub fn download(&self, obj: &S3Object, local: &Path) -> Result<u64, S3Error> {
        let bucket = self.bucket(obj)?;
        let tmp = temp_path(local);
        let io_err = |path: &Path, error| S3Error::Io {
            path: path.to_path_buf(),
            error,
        };
        let result = (|| {
            let mut file = File::create(&tmp).map_err(|e| io_err(&tmp, e))?;
            let status = bucket
                .get_object_to_writer(&obj.key, &mut file)
                .map_err(map_client_error)?;
            if !(200..300).contains(&status) {
                return Err(service_error(status, ""));
            }
            file.flush().map_err(|e| io_err(&tmp, e))?;
            file.sync_all().map_err(|e| io_err(&tmp, e))?;
            let size = file.metadata().map_err(|e| io_err(&tmp, e))?.len();
            std::fs::rename(&tmp, local).map_err(|e| io_err(local, e))?;
            Ok(size)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }
}

/// A multipart upload of `file`, one [`MULTIPART_THRESHOLD`]-sized part at
/// a time, aborted on failure so no orphaned parts are billed. Our own loop
/// rather than the client's streaming upload, because S3-compatible stores
/// (moto among them) name the completion reply's root element differently
/// and the client's strict check would call a finished upload a failure.
fn upload_in_parts(bucket: &Bucket, file: &mut File, key: &str) -> Result<(), S3Error> {
    const CONTENT_TYPE: &str = "application/octet-stream";
    let init = bucket
        .initiate_multipart_upload(key, CONTENT_TYPE)
        .map_err(map_client_error)?;
    let upload_id = init.upload_id;
    let result = (|| {
        let mut parts = Vec::new();
        let mut buf = vec![0u8; s3::bucket::CHUNK_SIZE];
        loop {
            let n = read_full(file, &mut buf).map_err(|error| S3Error::Io {
                path: PathBuf::new(),
                error,
            })?;
            if n == 0 && !parts.is_empty() {
                break;
            }
            let number = u32::try_from(parts.len() + 1)
                .map_err(|_| S3Error::Setup("too many parts".into()))?;
            let part = bucket
                .put_multipart_chunk(&buf[..n], key, number, &upload_id, CONTENT_TYPE)
                .map_err(map_client_error)?;
            parts.push(part);
            if n < buf.len() {
                break;
            }
        }
        match bucket.complete_multipart_upload(key, &upload_id, parts) {
            Ok(reply) if (200..300).contains(&reply.status_code()) => Ok(()),
            Ok(reply) => Err(service_error(
                reply.status_code(),
                &String::from_utf8_lossy(reply.as_slice()),
            )),
            Err(ClientError::HttpFailWithBody(status, body))
                if (200..300).contains(&status) && completed(&body) =>
            {
                Ok(())
            }
            Err(e) => Err(map_client_error(e)),
        }
    })();
    if result.is_err() {
        if let Err(e) = bucket.abort_upload(key, &upload_id) {
            tracing::debug!("aborting the multipart upload of {key} failed: {e}");
        }
    }
    result
}

/// Does a 2xx CompleteMultipartUpload reply say it completed? (S3 may answer
/// 200 with an `<Error>` document when completion fails late.)
fn completed(body: &str) -> bool {
    body.contains("<CompleteMultipartUpload") && !body.contains("<Error>")
}

/// Fill `buf` from `r` as far as it goes; fewer bytes only at end of input.
fn read_full(r: &mut impl io::Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Upload the file at `local` to `obj` with the environment's settings and
/// credentials ([`S3Client::from_env`]).
pub fn upload(local: &Path, obj: &S3Object) -> Result<(), S3Error> {
    S3Client::from_env()?.upload(local, obj)
}

/// Download `obj` into `local` with the environment's settings and
/// credentials (see [`S3Client::download`]).
pub fn download(obj: &S3Object, local: &Path) -> Result<u64, S3Error> {
    S3Client::from_env()?.download(obj, local)
}

/// `dir/temp-s3-<pid>-<name>`, beside `local` so the rename stays on one
/// file system.
fn temp_path(local: &Path) -> PathBuf {
    let name = local
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "dump.rdb".into());
    local.with_file_name(format!("temp-s3-{}-{name}", std::process::id()))
}

/// After a successful save of `local`: upload it when `db_s3_object` (the
/// option's current value) is set. Logs the outcome; the error tells the
/// caller the save as a whole failed, as KeyDB counts it.
pub fn after_save(local: &Path, db_s3_object: &str) -> Result<(), S3Error> {
    if db_s3_object.is_empty() {
        return Ok(());
    }
    let result = S3Object::parse(db_s3_object).and_then(|obj| upload(local, &obj));
    match &result {
        Ok(()) => tracing::info!("DB saved on S3 ({db_s3_object})"),
        Err(e) => tracing::warn!(
            "Failed to save the DB on S3 ({db_s3_object}): {e}; the local file {} is kept",
            local.display()
        ),
    }
    result
}

/// What [`before_load`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Restore {
    /// Nothing configured, or the local file is there: load `local` as usual.
    UseLocal,
    /// The object was downloaded to this path: load it.
    Downloaded(PathBuf),
    /// The object does not exist either: start empty.
    NothingStored,
}

/// Before loading at startup: when the local RDB at `local` is missing (or
/// `local_unreadable`: it cannot be opened) and `db_s3_object` is set, fetch
/// the object into `local`; the download replaces it only once complete.
/// Errors (bad credentials, network) are for the caller to treat as a load
/// failure, so a server never starts empty and then overwrites a good backup
/// with an empty save.
pub fn before_load(
    local: &Path,
    local_unreadable: bool,
    db_s3_object: &str,
) -> Result<Restore, S3Error> {
    if db_s3_object.is_empty() || (local.exists() && !local_unreadable) {
        return Ok(Restore::UseLocal);
    }
    let obj = S3Object::parse(db_s3_object)?;
    let dest = local.to_path_buf();
    tracing::info!("Loading the DB from S3 ({obj})");
    match download(&obj, &dest) {
        Ok(size) => {
            tracing::info!("DB downloaded from S3: {size} bytes to {}", dest.display());
            Ok(Restore::Downloaded(dest))
        }
        Err(S3Error::NotFound) => {
            tracing::info!("No DB on S3 yet ({obj}): starting empty");
            Ok(Restore::NothingStored)
        }
        Err(e) => {
            tracing::warn!("Failed to load the DB from S3 ({obj}): {e}");
            Err(e)
        }
    }
}

/// The persistence hooks that make the server keep its RDB file in S3:
/// upload after every save while `db-s3-object` (read at save time, so
/// `CONFIG SET` applies) is set; at start, fetch the object named by
/// `startup_object` when the local file is missing or unreadable.
pub fn hooks(startup_object: String) -> keyrs_io::persist::Hooks {
    keyrs_io::persist::Hooks {
        after_save: Some(Arc::new(|path: &Path, config: &Config| {
            let object = config.get("db-s3-object").unwrap_or_default();
            after_save(path, &object).map_err(|e| e.to_string())
        })),
        fetch_missing: Some(Arc::new(move |path: &Path| {
            match before_load(path, true, &startup_object) {
                Ok(Restore::Downloaded(_)) => Ok(true),
                Ok(Restore::UseLocal | Restore::NothingStored) => Ok(false),
                // The caller appends its own full stop.
                Err(e) => Err(e.to_string().trim_end_matches('.').to_string()),
            }
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn parses_bucket_and_key() {
        let o = S3Object::parse("s3://my-bucket/backups/dump.rdb").unwrap();
        assert_eq!(o.bucket, "my-bucket");
        assert_eq!(o.key, "backups/dump.rdb");
        assert_eq!(o.to_string(), "s3://my-bucket/backups/dump.rdb");
    }

    #[test]
    fn rejects_malformed_urls() {
        for (url, why) in [
            ("my-bucket/dump.rdb", "must start with s3://"),
            ("http://b.example/x", "must start with s3://"),
            ("s3://", "names no object"),
            ("s3://bucket", "names no object"),
            ("s3://bucket/", "names no object"),
            ("s3://bucket/dir/", "names no object"),
            ("s3:///key", "bucket name is empty"),
            ("s3://ab/key", "3 to 63"),
            ("s3://bad bucket/key", "only letters"),
            ("s3://bucket/a\nb", "control character"),
        ] {
            let e = S3Object::parse(url).unwrap_err();
            let text = e.to_string();
            assert!(matches!(e, S3Error::BadUrl { .. }), "{url}: {e:?}");
            assert!(text.contains(why), "{url}: {text}");
            assert!(text.contains("expected s3://bucket/path"), "{text}");
        }
    }

    #[test]
    fn maps_s3_error_bodies() {
        let body =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InvalidAccessKeyId</Code>\
            <Message>The AWS Access Key Id you provided does not exist in our records.</Message>\
            <RequestId>1</RequestId></Error>";
        let e = map_client_error(ClientError::HttpFailWithBody(403, body.into()));
        assert_eq!(
            e.to_string(),
            "S3 error InvalidAccessKeyId (HTTP 403): The AWS Access Key Id you provided does not exist in our records."
        );
        let e = service_error(
            403,
            "<Error><Code>SignatureDoesNotMatch</Code><Message>a &amp; b &lt;c&gt;</Message></Error>",
        );
        assert_eq!(
            e.to_string(),
            "S3 error SignatureDoesNotMatch (HTTP 403): a & b <c>"
        );
    }

    #[test]
    fn maps_missing_objects_and_bare_statuses() {
        assert!(matches!(
            service_error(
                404,
                "<Error><Code>NoSuchKey</Code><Message>x</Message></Error>"
            ),
            S3Error::NotFound
        ));
        assert!(matches!(service_error(404, ""), S3Error::NotFound));
        // A missing bucket is a configuration error, not "nothing stored".
        let e = service_error(
            404,
            "<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>",
        );
        assert_eq!(
            e.to_string(),
            "S3 error NoSuchBucket (HTTP 404): The specified bucket does not exist"
        );
        assert_eq!(
            service_error(403, "").to_string(),
            "S3 error (HTTP 403): access denied"
        );
        assert_eq!(
            service_error(502, "<html>bad gateway</html>").to_string(),
            "S3 error (HTTP 502): <html>bad gateway</html>"
        );
    }

    fn settings(vars: &[(&str, &str)]) -> S3Settings {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        S3Settings::from_vars(&move |name| map.get(name).cloned())
    }

    #[test]
    fn reads_region_and_endpoint_from_the_aws_variables() {
        let s = settings(&[]);
        assert_eq!(s.region, "us-east-1");
        assert_eq!(s.endpoint, None);
        assert!(!s.path_style);
        assert!(matches!(s.region().unwrap(), Region::UsEast1));

        let s = settings(&[("AWS_DEFAULT_REGION", "eu-west-1")]);
        assert_eq!(s.region, "eu-west-1");
        let s = settings(&[
            ("AWS_DEFAULT_REGION", "eu-west-1"),
            ("AWS_REGION", "us-west-2"),
        ]);
        assert_eq!(s.region, "us-west-2");

        let s = settings(&[("AWS_ENDPOINT_URL", "http://127.0.0.1:9000/")]);
        assert_eq!(s.endpoint.as_deref(), Some("http://127.0.0.1:9000/"));
        assert!(s.path_style);
        match s.region().unwrap() {
            Region::Custom { region, endpoint } => {
                assert_eq!(region, "us-east-1");
                assert_eq!(endpoint, "http://127.0.0.1:9000");
            }
            other => panic!("{other:?}"),
        }
        let s = settings(&[
            ("AWS_ENDPOINT_URL", "http://a:1"),
            ("AWS_ENDPOINT_URL_S3", "http://b:2"),
        ]);
        assert_eq!(s.endpoint.as_deref(), Some("http://b:2"));
        let s = settings(&[
            ("AWS_ENDPOINT_URL", "http://a:1"),
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
        ]);
        assert_eq!(s.endpoint, None);
        let s = settings(&[
            ("AWS_ENDPOINT_URL", "http://a:1"),
            ("AWS_S3_ADDRESSING_STYLE", "virtual"),
        ]);
        assert!(!s.path_style);
        let s = settings(&[("AWS_S3_ADDRESSING_STYLE", "path")]);
        assert!(s.path_style);
        let e = settings(&[("AWS_ENDPOINT_URL", "127.0.0.1:9000")])
            .region()
            .unwrap_err();
        assert!(e.to_string().contains("must start with http://"), "{e}");
    }

    #[test]
    fn before_load_keeps_a_readable_local_file() {
        let dir = tempfile::tempdir().unwrap();
        let local = dir.path().join("dump.rdb");
        std::fs::write(&local, b"REDIS0010").unwrap();
        // No network needed: a present, readable file wins, and an empty
        // option means no S3 at all.
        assert_eq!(
            before_load(&local, false, "s3://bucket/key").unwrap(),
            Restore::UseLocal
        );
        assert_eq!(before_load(&local, true, "").unwrap(), Restore::UseLocal);
        assert!(matches!(
            before_load(&local, true, "not-a-url"),
            Err(S3Error::BadUrl { .. })
        ));
    }

    #[test]
    fn temp_file_sits_beside_the_target() {
        let t = temp_path(Path::new("/data/dump.rdb"));
        assert_eq!(t.parent(), Some(Path::new("/data")));
        assert!(t
            .file_name()
            .unwrap()
            .to_string_lossy()
            .ends_with("-dump.rdb"));
    }
}
