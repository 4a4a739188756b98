//! Registry and loader tests: defaults against a real redis-server 7.0,
//! config-file syntax, includes, the command line, errors, CONFIG SET rules.

use std::collections::HashMap;

use super::*;

/// `CONFIG GET *` of `redis-server --port N` (7.0.15), minus `port`, `bind`
/// and `dir`, which depend on how it was started.
const REDIS70_DEFAULTS: &str = include_str!("testdata/redis70_defaults.tsv");

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// A `read_file` over an in-memory set of files.
fn files(list: &[(&str, &str)]) -> impl FnMut(&str) -> std::io::Result<String> {
    let map: HashMap<String, String> = list
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |path: &str| {
        map.get(path).cloned().ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory")
        })
    }
}

fn load(argv: &[&str], fs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    load_from_args(&args(argv), &mut files(fs))
}

fn load_file(text: &str) -> Result<Config, ConfigError> {
    load(&["my.conf"], &[("my.conf", text)])
}

fn err_of(r: Result<Config, ConfigError>) -> (String, usize, String, String) {
    let e = r.expect_err("expected a config error");
    (e.file, e.line, e.directive, e.reason)
}

#[test]
fn every_redis70_option_exists_with_redis_default() {
    let mut cfg = Config::default();
    cfg.set_option("daemonize", &args(&["no"])).unwrap();
    let all: HashMap<String, String> = cfg.config_get(&[b"*"]).into_iter().collect();
    for line in REDIS70_DEFAULTS.lines() {
        let (name, want) = line.split_once('\t').unwrap_or((line, ""));
        let got = all
            .get(name)
            .unwrap_or_else(|| panic!("CONFIG GET * lacks {name}"));
        assert_eq!(got, want, "default of {name}");
    }
}

#[test]
fn hidden_options_need_an_exact_name() {
    let mut cfg = Config::default();
    let all = cfg.config_get(&[b"*"]);
    assert!(!all.iter().any(|(n, _)| n == "use-exit-on-panic"));
    let exact = cfg.config_get(&[b"use-exit-on-panic", b"key-load-delay"]);
    assert_eq!(
        exact,
        vec![
            ("use-exit-on-panic".to_string(), "no".to_string()),
            ("key-load-delay".to_string(), "0".to_string())
        ]
    );
}

#[test]
fn config_get_dedups_and_echoes_exact_names() {
    let mut cfg = Config::default();
    assert_eq!(
        cfg.config_get(&[b"HZ", b"Hz", b"hz"]),
        vec![("HZ".to_string(), "10".to_string())]
    );
    let got = cfg.config_get(&[b"h*", b"HZ"]);
    assert_eq!(
        got.iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("hz"))
            .count(),
        1
    );
    assert!(got.iter().any(|(n, _)| n == "hash-max-ziplist-entries"));
    assert!(cfg.config_get(&[b"nosuch"]).is_empty());
    let ro = cfg.config_get(&[b"*-read-only"]);
    let names: Vec<&str> = ro.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["replica-read-only", "slave-read-only"]);
}

#[test]
fn config_set_errors_match_redis() {
    let mut cfg = Config::default();
    let set = |cfg: &mut Config, pairs: &[(&str, &str)]| {
        let p: Vec<(&[u8], &[u8])> = pairs
            .iter()
            .map(|(a, b)| (a.as_bytes(), b.as_bytes()))
            .collect();
        cfg.config_set(&p, false)
    };
    assert_eq!(
        set(&mut cfg, &[("hz", "10"), ("nosuch", "1")]).unwrap_err(),
        "Unknown option or number of arguments for CONFIG SET - 'nosuch'"
    );
    assert_eq!(
        set(&mut cfg, &[("nosuch", "1"), ("daemonize", "yes")]).unwrap_err(),
        "Unknown option or number of arguments for CONFIG SET - 'nosuch'"
    );
    assert_eq!(
        set(&mut cfg, &[("daemonize", "yes"), ("nosuch", "1")]).unwrap_err(),
        "CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"
    );
    assert_eq!(
        set(&mut cfg, &[("hz", "10"), ("HZ", "11")]).unwrap_err(),
        "CONFIG SET failed (possibly related to argument 'HZ') - duplicate parameter"
    );
    assert_eq!(
        set(&mut cfg, &[("dbfilename", "x")]).unwrap_err(),
        "CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config"
    );
    // An alias and its option are different entries, as in Redis.
    assert!(set(
        &mut cfg,
        &[("slave-read-only", "yes"), ("replica-read-only", "yes")]
    )
    .is_ok());
    // All or nothing: hz must not change when maxclients fails.
    assert_eq!(
        set(&mut cfg, &[("hz", "20"), ("maxclients", "x")]).unwrap_err(),
        "CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer"
    );
    assert_eq!(cfg.hz, 10);
    assert_eq!(
        set(&mut cfg, &[("slave-priority", "x")]).unwrap_err(),
        "CONFIG SET failed (possibly related to argument 'slave-priority') - argument couldn't be parsed into an integer"
    );
    // Multi-argument values split on single spaces.
    assert_eq!(
        set(&mut cfg, &[("save", "10  5")]).unwrap_err(),
        "CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"
    );
    set(
        &mut cfg,
        &[
            ("save", "100 10 200 20"),
            ("hz", "1000"),
            ("maxclients", "5"),
        ],
    )
    .unwrap();
    assert_eq!(cfg.get("save").unwrap(), "100 10 200 20");
    assert_eq!((cfg.hz, cfg.maxclients), (500, 5));
    set(
        &mut cfg,
        &[("hz", "0"), ("timeout", "7"), ("requirepass", "pw")],
    )
    .unwrap();
    assert_eq!((cfg.hz, cfg.timeout_secs), (1, 7));
    assert_eq!(cfg.requirepass.as_deref(), Some("pw"));
    set(&mut cfg, &[("requirepass", "")]).unwrap();
    assert_eq!(cfg.requirepass, None);
}

#[test]
fn typed_fields_changed_directly_show_in_config_get() {
    let mut cfg = Config::default();
    assert_eq!(cfg.get("dir").unwrap(), "");
    // The driver stores the absolute directory after changing into it.
    cfg.dir = "/data".into();
    cfg.port = 7000;
    let got = cfg.config_get(&[b"dir", b"port"]);
    assert_eq!(
        got,
        vec![
            ("dir".to_string(), "/data".to_string()),
            ("port".to_string(), "7000".to_string())
        ]
    );
}

#[test]
fn file_syntax_quoting_comments_and_units() {
    let cfg = load_file(
        "# a comment\n\
         \x20 # indented comment\n\
         \n\
         port 7000\r\n\
         \tmaxmemory 1mb   \n\
         requirepass \"p a\\\"ss\\x41\"\n\
         logfile 'my log'\n\
         proto-max-bulk-len 2GB\n\
         HZ 1000\n\
         save 10 1\n\
         save 20 2\n\
         bind 127.0.0.1 ::1\n\
         daemonize YES\n",
    )
    .unwrap();
    assert_eq!(cfg.port, 7000);
    assert_eq!(cfg.get_u64("maxmemory"), Some(1 << 20));
    assert_eq!(cfg.requirepass.as_deref(), Some("p a\"ssA"));
    assert_eq!(cfg.logfile, "my log");
    assert_eq!(cfg.proto_max_bulk_len, 2 << 30);
    assert_eq!(cfg.hz, 500, "hz is capped at 500");
    assert_eq!(cfg.save_params(), vec![(10, 1), (20, 2)]);
    assert_eq!(cfg.bind, ["127.0.0.1", "::1"]);
    assert!(cfg.daemonize);
    assert_eq!(cfg.pidfile, "/var/run/redis.pid");
    assert_eq!(cfg.config_file.as_deref(), Some("my.conf"));
}

#[test]
fn file_errors_carry_line_and_redis_reason() {
    assert_eq!(
        err_of(load_file("port 7399\nhz abc\n")),
        (
            "my.conf".into(),
            2,
            "hz abc".into(),
            "argument couldn't be parsed into an integer".into()
        )
    );
    let cases = [
        ("nosuch 1", "Bad directive or wrong number of arguments"),
        ("daemonize maybe", "argument must be 'yes' or 'no'"),
        ("maxmemory 1x", "argument must be a memory value"),
        ("hz 1 2", "wrong number of arguments"),
        ("port \"7399", "Unbalanced quotes in configuration line"),
        ("save 1", "Invalid save parameters"),
        ("databases 0", "argument must be between 1 and 2147483647 inclusive"),
        // KeyDB's texts for its threading directives.
        ("io-threads 0", "Invalid number of threads specified"),
        ("server-threads many", "Invalid number of threads specified"),
        ("dbfilename a/b", "dbfilename can't be a path, just a filename"),
        ("rename-command nosuchcmd x", "No such command in rename-command"),
        ("replicaof a", "wrong number of arguments"),
        ("sentinel foo", "sentinel directive while not in sentinel mode"),
        ("foo.bar", "Module config specified without value"),
        (
            "maxmemory-policy foo",
            "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction",
        ),
        (
            "server-thread-affinity maybe",
            "Unknown argument: server-thread-affinity expects either true or false",
        ),
    ];
    for (line, reason) in cases {
        let (_, n, d, r) = err_of(load_file(&format!("# header\n{line}\n")));
        assert_eq!((n, d.as_str(), r.as_str()), (2, line, reason), "{line}");
    }
}

#[test]
fn error_display_is_redis_fatal_report() {
    let e = load_file("port 7399\nhz abc\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "\n*** FATAL CONFIG FILE ERROR (keyrs {}) ***\n\
             Reading the configuration file {}, at line 2\n>>> 'hz abc'\n\
             argument couldn't be parsed into an integer",
            env!("CARGO_PKG_VERSION"),
            e.file
        )
    );
}

#[test]
fn command_line_lines_are_numbered_as_redis_does() {
    // No file: the options start on line 2.
    let (f, n, d, _) = err_of(load(&["--hz", "abc"], &[]));
    assert_eq!(
        (f.as_str(), n, d.as_str()),
        ("(command line)", 2, "hz \"abc\"")
    );
    let (_, n, _, _) = err_of(load(&["--port", "7399", "--hz", "abc"], &[]));
    assert_eq!(n, 3);
    // After a file of "port 7399\n\n" (3 lines counting the empty last one).
    let (f, n, _, _) = err_of(load(
        &["ok.conf", "--hz", "abc"],
        &[("ok.conf", "port 7399\n\n")],
    ));
    assert_eq!((f.as_str(), n), ("(command line)", 4));
    // `--save` followed by an option means `save ""`.
    let (_, n, _, _) = err_of(load(&["--port", "7399", "--save", "--hz", "q"], &[]));
    assert_eq!(n, 4);
    // The argument after a bare option name is its value, even with `--`.
    let (_, _, d, r) = err_of(load(&["--port", "7399", "--requirepass", "--hz", "q"], &[]));
    assert_eq!(
        (d.as_str(), r.as_str()),
        ("requirepass \"--hz\" \"q\"", "wrong number of arguments")
    );
    // A stray value with no option before it is a line of its own.
    let (_, n, d, r) = err_of(load(
        &["ok.conf", "x", "--hz", "1"],
        &[("ok.conf", "port 1\n\n")],
    ));
    assert_eq!(
        (n, d.as_str(), r.as_str()),
        (4, "\"x\"", "Bad directive or wrong number of arguments")
    );
    // A first argument starting with '-' is not a file.
    let (_, n, d, _) = err_of(load(&["-x", "--hz", "q"], &[]));
    assert_eq!((n, d.as_str()), (2, "\"-x\""));
    // "--name value" as one argument is a whole line.
    let (_, _, d, _) = err_of(load(&["--port", "7399", "--hz q"], &[]));
    assert_eq!(d, "hz q");
}

#[test]
fn command_line_overrides_the_file() {
    let cfg = load(
        &[
            "k.conf",
            "--port",
            "7001",
            "--bind",
            "1.2.3.4",
            "::1",
            "--save",
            "",
            "--requirepass",
            "a b",
        ],
        &[("k.conf", "port 7000\nsave 60 1\n")],
    )
    .unwrap();
    assert_eq!(cfg.port, 7001);
    assert_eq!(cfg.bind, ["1.2.3.4", "::1"]);
    assert!(cfg.save_params().is_empty());
    assert_eq!(cfg.requirepass.as_deref(), Some("a b"));
    let cfg = load_file("save 60 1\nsave \"\"\nsave 10 1\n").unwrap();
    assert_eq!(cfg.save_params(), vec![(10, 1)]);
    // A bare `save` after others adds nothing; alone it clears the defaults.
    assert_eq!(
        load_file("save 60 1\nsave\n").unwrap().save_params(),
        vec![(60, 1)]
    );
    assert!(load_file("save\n").unwrap().save_params().is_empty());
    // One quoted argument is split on spaces, as Redis 7 does for every
    // multi-argument option (`--save "3600 1"` on the command line too).
    assert_eq!(
        load_file("save \"3600 1 60 5\"\n").unwrap().save_params(),
        vec![(3600, 1), (60, 5)]
    );
    assert!(load_file("save \"3600  1\"\n").is_err(), "an empty word");
    let cfg = load(&["--save"], &[]).unwrap();
    assert!(cfg.save_params().is_empty());
    let cfg = load(&["--port", "7002", "-"], &[("-", "hz 20\n")]).unwrap();
    assert_eq!((cfg.port, cfg.hz), (7002, 20));
}

#[test]
fn includes_are_read_in_place_and_loops_refused() {
    let cfg = load(
        &["main.conf"],
        &[
            ("main.conf", "port 7000\ninclude extra.conf\nhz 30\n"),
            ("extra.conf", "port 7100\nhz 40\nmaxclients 7\n"),
        ],
    )
    .unwrap();
    assert_eq!((cfg.port, cfg.hz, cfg.maxclients), (7100, 30, 7));

    let (f, n, d, r) = err_of(load(
        &["main.conf"],
        &[
            ("main.conf", "port 1\ninclude bad.conf\n"),
            ("bad.conf", "\n\nhz x\n"),
        ],
    ));
    assert_eq!(
        (f.as_str(), n, d.as_str(), r.as_str()),
        (
            "bad.conf",
            3,
            "hz x",
            "argument couldn't be parsed into an integer"
        )
    );

    let (_, n, _, r) = err_of(load(
        &["a.conf"],
        &[
            ("a.conf", "include b.conf\n"),
            ("b.conf", "port 1\ninclude a.conf\n"),
        ],
    ));
    assert_eq!(n, 2);
    assert!(r.starts_with("Include loop detected"), "{r}");

    let e = load(&["a.conf"], &[("a.conf", "include missing.conf\n")]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Fatal error, can't open config file 'missing.conf': No such file or directory"
    );
    let e = load(&["missing.conf"], &[]).unwrap_err();
    assert_eq!(e.line, 0);
}

#[test]
fn other_directives_are_kept() {
    let cfg = load_file(
        "rename-command get fetch\n\
         rename-command set \"\"\n\
         user alice on >pw ~* +@all\n\
         loadmodule /x.so a b\n\
         list-max-ziplist-entries 5\n\
         lua-replicate-commands yes\n\
         sentinel\n\
         rdbfuzz-mode\n",
    )
    .unwrap();
    assert_eq!(
        cfg.rename_commands,
        vec![
            ("get".to_string(), "fetch".to_string()),
            ("set".to_string(), String::new())
        ]
    );
    assert_eq!(
        cfg.acl_users,
        vec![args(&["alice", "on", ">pw", "~*", "+@all"])]
    );
    assert_eq!(cfg.load_modules, vec![args(&["/x.so", "a", "b"])]);
    let (_, n, _, r) = err_of(load_file(
        "rename-command get fetch\nrename-command get again\n",
    ));
    assert_eq!((n, r.as_str()), (2, "No such command in rename-command"));
    let (_, _, _, r) = err_of(load_file("rename-command get set\n"));
    assert_eq!(r, "Target command name already exists");
    let e = load_file("foo.bar 1\n").unwrap_err();
    assert_eq!(
        e.reason,
        "Module Configuration detected without loadmodule directive or no ApplyConfig call: aborting"
    );
}

#[test]
fn keydb_options_are_accepted_validated_and_stored() {
    let cfg = load_file(
        "server-threads 4\n\
         server-thread-affinity 3\n\
         active-replica yes\n\
         multi-master yes\n\
         replicaof 10.0.0.1 6379\n\
         replicaof 10.0.0.2 6380\n\
         min-clients-per-thread 10\n\
         replica-weighting-factor 3\n\
         active-client-balancing no\n\
         enable-async-commands yes\n\
         storage-provider flash /var/flash\n\
         db-s3-object s3://bucket/dump.rdb\n",
    )
    .unwrap();
    assert_eq!(cfg.server_threads, 4);
    assert!(cfg.server_thread_affinity);
    assert_eq!(cfg.server_thread_affinity_offset, 2);
    assert_eq!(
        cfg.masters(),
        vec![
            ("10.0.0.1".to_string(), 6379),
            ("10.0.0.2".to_string(), 6380)
        ]
    );
    assert_eq!(
        cfg.get("replica-read-only").unwrap(),
        "no",
        "active-replica implies it"
    );
    assert_eq!(cfg.get("io-threads").unwrap(), "4");
    assert_eq!(cfg.get("storage-provider").unwrap(), "flash /var/flash");
    assert_eq!(cfg.get("db-s3-object").unwrap(), "s3://bucket/dump.rdb");
    assert_eq!(cfg.get_i64("min-clients-per-thread"), Some(10));
    assert_eq!(cfg.get_bool("enable-async-commands"), Some(true));

    let (_, n, _, r) = err_of(load_file("server-threads 17\n"));
    assert_eq!((n, r.as_str()), (1, "Invalid number of threads specified"));
    let (_, n, _, r) = err_of(load_file("replicaof h 1\nactive-replica yes\n"));
    assert_eq!(n, 2);
    assert!(r.contains("before any replicaof"), "{r}");
    assert!(load_file("multi-master yes\n").is_err());
    // Without multi-master a later replicaof replaces the master.
    let cfg = load_file("replicaof a 1\nreplicaof b 2\n").unwrap();
    assert_eq!(cfg.masters(), vec![("b".to_string(), 2)]);
    let cfg = load_file("replicaof a 1\nreplicaof no one\n").unwrap();
    assert!(cfg.masters().is_empty());
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn loader_never_panics(text in "(?s).{0,300}") {
            let _ = load_file(&text);
        }

        #[test]
        fn command_line_never_panics(argv in proptest::collection::vec("(?s).{0,20}", 0..8)) {
            let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
            let _ = load(&argv, &[]);
        }

        #[test]
        fn config_set_is_all_or_nothing(
            idx in 0..options::OPTIONS.len(),
            value in "(?s).{0,40}",
            other in 0..options::OPTIONS.len(),
        ) {
            let mut cfg = Config::default();
            let before = cfg.config_get(&[b"*"]);
            let a = options::OPTIONS[idx].name.as_bytes();
            let b = options::OPTIONS[other].name.as_bytes();
            let pairs: [(&[u8], &[u8]); 2] = [(b, b"not-a-valid-value-for-most"), (a, value.as_bytes())];
            if cfg.config_set(&pairs, true).is_err() {
                prop_assert_eq!(cfg.config_get(&[b"*"]), before);
            }
            // Whatever was stored renders, and re-setting the rendered value
            // of a settable option is accepted.
            let shown = cfg.get(options::OPTIONS[idx].name).unwrap();
            let def = &options::OPTIONS[idx];
            // (`dir` is never empty on a real server; keyrs's driver fills it.)
            let unset_dir = def.name == "dir" && shown.is_empty();
            if !def.has(options::flag::IMMUTABLE) && !unset_dir {
                prop_assert!(
                    cfg.config_set(&[(a, shown.as_bytes())], true).is_ok(),
                    "{} {:?}", def.name, shown
                );
            }
        }
    }
}
