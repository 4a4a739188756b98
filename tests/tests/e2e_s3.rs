//! KeyDB's S3 backup (`db-s3-object`) against a local S3 server (moto):
//! the client module directly here; the server's SAVE/startup wiring below.
//! Skipped when moto is not installed, unless `KEYRS_REQUIRE_S3=1`.

use keyrs_server::s3::{S3Client, S3Error, S3Object, S3Settings};
use keyrs_tests::moto::{self, Moto};

fn client(moto: &Moto, access: &str, secret: &str) -> S3Client {
    let settings = S3Settings::from_vars(&|name| match name {
        "AWS_ENDPOINT_URL" => Some(moto.endpoint()),
        "AWS_REGION" => Some("us-east-1".into()),
        _ => None,
    });
    S3Client::new(settings, access, secret, None).unwrap()
}

#[test]
fn client_uploads_and_downloads_through_a_temp_file() {
    let Some(moto) = Moto::start(false) else {
        return;
    };
    moto.create_bucket("keyrs-backup");
    let c = client(&moto, moto::ACCESS_KEY, moto::SECRET_KEY);
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("dump.rdb");
    let bytes: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&local, &bytes).unwrap();

    let obj = S3Object::parse("s3://keyrs-backup/nested/dir/dump.rdb").unwrap();
    c.upload(&local, &obj).unwrap();
    assert_eq!(
        moto.get_object("keyrs-backup", "nested/dir/dump.rdb")
            .as_deref(),
        Some(&bytes[..])
    );

    let fresh = dir.path().join("restored.rdb");
    assert_eq!(c.download(&obj, &fresh).unwrap(), bytes.len() as u64);
    assert_eq!(std::fs::read(&fresh).unwrap(), bytes);
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");

    // A missing object is NotFound and leaves the target untouched.
    std::fs::write(&fresh, b"keep me").unwrap();
    let missing = S3Object::parse("s3://keyrs-backup/nope.rdb").unwrap();
    assert!(matches!(
        c.download(&missing, &fresh),
        Err(S3Error::NotFound)
    ));
    assert_eq!(std::fs::read(&fresh).unwrap(), b"keep me");

    // A missing bucket is an error with S3's code, not "nothing stored".
    let nobucket = S3Object::parse("s3://no-such-bucket/dump.rdb").unwrap();
    let e = c.upload(&local, &nobucket).unwrap_err();
    assert!(e.to_string().contains("NoSuchBucket"), "{e}");
    let e = c.download(&nobucket, &fresh).unwrap_err();
    assert!(e.to_string().contains("NoSuchBucket"), "{e}");
    assert_eq!(std::fs::read(&fresh).unwrap(), b"keep me");
}

#[test]
fn client_uploads_large_files_in_parts() {
    let Some(moto) = Moto::start(false) else {
        return;
    };
    moto.create_bucket("keyrs-big");
    let c = client(&moto, moto::ACCESS_KEY, moto::SECRET_KEY);
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("dump.rdb");
    // Over the multipart threshold (8 MiB): two parts.
    let bytes: Vec<u8> = (0..(9u32 << 20))
        .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
        .collect();
    std::fs::write(&local, &bytes).unwrap();
    let obj = S3Object::parse("s3://keyrs-big/dump.rdb").unwrap();
    c.upload(&local, &obj).unwrap();
    let back = dir.path().join("back.rdb");
    c.download(&obj, &back).unwrap();
    assert!(std::fs::read(&back).unwrap() == bytes, "round trip differs");
}

#[test]
fn client_reports_bad_credentials_with_the_s3_code() {
    let Some(moto) = Moto::start(true) else {
        return;
    };
    let c = client(&moto, "AKIANOTAREALKEY00000", "wrong-secret");
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("dump.rdb");
    std::fs::write(&local, b"REDIS0010 local copy").unwrap();
    let obj = S3Object::parse("s3://keyrs-backup/dump.rdb").unwrap();
    let e = c.upload(&local, &obj).unwrap_err();
    assert!(
        matches!(&e, S3Error::Service { status: 403, code, .. } if code == "InvalidAccessKeyId"),
        "{e:?}"
    );
    assert!(e.to_string().contains("InvalidAccessKeyId"), "{e}");
    // A failed download does not touch the local file.
    let e = c.download(&obj, &local).unwrap_err();
    assert!(e.to_string().contains("InvalidAccessKeyId"), "{e}");
    assert_eq!(std::fs::read(&local).unwrap(), b"REDIS0010 local copy");
}

#[test]
fn client_reports_an_unreachable_endpoint() {
    // No moto needed: a port nothing listens on.
    let port = keyrs_tests::ports::free_port();
    let settings = S3Settings::from_vars(&|name| match name {
        "AWS_ENDPOINT_URL" => Some(format!("http://127.0.0.1:{port}")),
        _ => None,
    });
    let c = S3Client::new(settings, "a", "b", None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("dump.rdb");
    std::fs::write(&local, b"x").unwrap();
    let obj = S3Object::parse("s3://bucket/dump.rdb").unwrap();
    let e = c.upload(&local, &obj).unwrap_err();
    assert!(matches!(e, S3Error::Transport(_)), "{e:?}");
    assert!(e.to_string().starts_with("S3 request failed:"), "{e}");
}

// ---- the server: SAVE uploads, a fresh data dir restores, bad keys ----

use std::time::{Duration, Instant};

use keyrs_tests::{Flavor, Server};

const OBJECT: &str = "s3://keyrs-e2e/backups/dump.rdb";

/// The reply, or the error reply's text.
fn cmd(s: &Server, args: &[&str]) -> Result<redis::Value, String> {
    let mut c = s.redis();
    let mut command = redis::cmd(args[0]);
    for a in &args[1..] {
        command.arg(*a);
    }
    command
        .query::<redis::Value>(&mut c)
        .map_err(|e| e.to_string())
}

/// GET, once the server has finished loading its data set (a server that
/// just started answers -LOADING while it streams the RDB file in).
fn get(s: &Server, key: &str) -> Option<String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match redis::cmd("GET").arg(key).query(&mut s.redis()) {
            Err(e) if e.code() == Some("LOADING") && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            r => return r.unwrap(),
        }
    }
}

/// Wait until `f` holds (a background save's upload finishes on its own).
fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn save_uploads_and_a_fresh_data_dir_restores_from_s3() {
    let Some(moto) = Moto::start(false) else {
        return;
    };
    moto.create_bucket("keyrs-e2e");
    let env = moto.env();
    let first = Server::start_env(&["--db-s3-object", OBJECT], &env);
    for i in 0..100 {
        let k = format!("key:{i}");
        let v = format!("value-{i}");
        assert_eq!(cmd(&first, &["SET", &k, &v]), Ok(redis::Value::Okay));
    }
    cmd(&first, &["RPUSH", "list", "a", "b", "c"]).unwrap();
    assert_eq!(cmd(&first, &["SAVE"]), Ok(redis::Value::Okay));
    let local = std::fs::read(first.dir().join("dump.rdb")).expect("local dump.rdb");
    assert!(local.starts_with(b"REDIS"), "not an RDB file");
    // SAVE uploads before it answers: the object is there, byte for byte.
    assert_eq!(
        moto.get_object("keyrs-e2e", "backups/dump.rdb").as_deref(),
        Some(&local[..]),
        "uploaded object differs from the local file; log:\n{}",
        first.log()
    );
    assert!(first.log().contains("DB saved on S3"), "{}", first.log());

    // BGSAVE uploads from its background thread.
    cmd(&first, &["SET", "after-bgsave", "yes"]).unwrap();
    cmd(&first, &["BGSAVE"]).unwrap();
    eventually("the BGSAVE upload", || {
        let local = std::fs::read(first.dir().join("dump.rdb")).unwrap_or_default();
        moto.get_object("keyrs-e2e", "backups/dump.rdb").as_deref() == Some(&local[..])
            && first.log().matches("DB saved on S3").count() >= 2
    });
    drop(first);

    // A new server in an empty directory: no local file, so S3's copy loads.
    let second = Server::start_env(&["--db-s3-object", OBJECT], &env);
    assert_eq!(get(&second, "key:0").as_deref(), Some("value-0"));
    assert_eq!(get(&second, "key:99").as_deref(), Some("value-99"));
    assert_eq!(get(&second, "after-bgsave").as_deref(), Some("yes"));
    let list: Vec<String> = redis::cmd("LRANGE")
        .arg("list")
        .arg(0)
        .arg(-1)
        .query(&mut second.redis())
        .unwrap();
    assert_eq!(list, ["a", "b", "c"]);
    assert!(
        second.dir().join("dump.rdb").exists(),
        "download kept as the local file"
    );
    assert!(
        second.log().contains("Loading the DB from S3"),
        "{}",
        second.log()
    );
}

#[test]
fn no_object_yet_starts_empty() {
    let Some(moto) = Moto::start(false) else {
        return;
    };
    moto.create_bucket("keyrs-e2e");
    let s = Server::start_env(&["--db-s3-object", OBJECT], &moto.env());
    assert_eq!(cmd(&s, &["DBSIZE"]), Ok(redis::Value::Int(0)));
    assert!(s.log().contains("No DB on S3 yet"), "{}", s.log());
}

#[test]
fn bad_credentials_fail_the_upload_but_keep_the_local_file() {
    let Some(moto) = Moto::start(true) else {
        return;
    };
    let env: Vec<(String, String)> = vec![
        ("AWS_ENDPOINT_URL".into(), moto.endpoint()),
        ("AWS_ACCESS_KEY_ID".into(), "AKIANOTAREALKEY00000".into()),
        ("AWS_SECRET_ACCESS_KEY".into(), "wrong".into()),
        ("AWS_REGION".into(), "us-east-1".into()),
    ];
    // No local file and S3 refuses: start-up fails loudly rather than start
    // empty and later overwrite a good backup.
    let e =
        Server::try_start_env(Flavor::Keyrs, None, &["--db-s3-object", OBJECT], &env).unwrap_err();
    assert!(e.contains("InvalidAccessKeyId"), "{e}");

    // With S3 off at start, then on: SAVE writes the file, the upload fails
    // with S3's code in the log, the reply is an error, the server goes on.
    let s = Server::start_env(&[], &env);
    cmd(&s, &["SET", "k", "v"]).unwrap();
    cmd(&s, &["CONFIG", "SET", "db-s3-object", OBJECT]).unwrap();
    let reply = cmd(&s, &["SAVE"]);
    assert!(reply.is_err(), "{reply:?}");
    let local = std::fs::read(s.dir().join("dump.rdb")).expect("local file kept");
    assert!(local.starts_with(b"REDIS"));
    let log = s.log();
    assert!(log.contains("Failed to save the DB on S3"), "{log}");
    assert!(log.contains("InvalidAccessKeyId"), "{log}");
    assert_eq!(get(&s, "k").as_deref(), Some("v"));
    assert_eq!(
        cmd(&s, &["PING"]),
        Ok(redis::Value::SimpleString("PONG".into()))
    );
}

#[test]
fn sigterm_save_uploads_and_a_corrupt_local_file_falls_back_to_s3() {
    let Some(moto) = Moto::start(false) else {
        return;
    };
    moto.create_bucket("keyrs-e2e");
    let env = moto.env();
    let mut first = Server::start_env(&["--db-s3-object", OBJECT, "--save", "3600", "1"], &env);
    cmd(&first, &["SET", "k", "from-s3"]).unwrap();
    // The final save on SIGTERM uploads too.
    first.terminate();
    let status = first.wait_exit(Duration::from_secs(30)).expect("exit");
    assert!(status.success(), "{status}; log:\n{}", first.log());
    let local = std::fs::read(first.dir().join("dump.rdb")).expect("final save");
    assert_eq!(
        moto.get_object("keyrs-e2e", "backups/dump.rdb").as_deref(),
        Some(&local[..]),
        "log:\n{}",
        first.log()
    );

    // A local file that does not load: the S3 copy replaces it.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("dump.rdb"), b"REDIS0010\xfa\x09corrupt").unwrap();
    let dir_arg = dir.path().to_str().unwrap();
    let second = Server::start_env(&["--db-s3-object", OBJECT, "--dir", dir_arg], &env);
    assert_eq!(get(&second, "k").as_deref(), Some("from-s3"));
    let log = second.log();
    assert!(log.contains("Loading the remote copy instead"), "{log}");
    assert_eq!(std::fs::read(dir.path().join("dump.rdb")).unwrap(), local);

    // Without db-s3-object a corrupt file still stops the server.
    std::fs::write(dir.path().join("dump.rdb"), b"REDIS0010\xfa\x09corrupt").unwrap();
    let e = Server::try_start_env(Flavor::Keyrs, None, &["--dir", dir_arg], &env).unwrap_err();
    assert!(e.contains("exited"), "{e}");
}
