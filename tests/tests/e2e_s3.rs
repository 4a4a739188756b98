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
