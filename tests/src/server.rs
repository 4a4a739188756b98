//! One spawned server process: keyrs-server or redis-server.

use std::fs::File;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::raw::RawClient;
use crate::{binary, on_path, ports};

/// How long a server may take to answer its first PING.
pub const START_TIMEOUT: Duration = Duration::from_secs(20);

/// Which server program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// Our keyrs-server.
    Keyrs,
    /// A real redis-server from PATH (the reference for differential tests).
    Redis,
}

/// A running server on 127.0.0.1; killed (SIGKILL) when dropped.
#[derive(Debug)]
pub struct Server {
    child: Option<Child>,
    port: u16,
    flavor: Flavor,
    dir: tempfile::TempDir,
    log_path: PathBuf,
    exit: Option<ExitStatus>,
}

impl Server {
    /// Start keyrs-server with `args` (options such as `--maxclients 2`);
    /// panics if it does not come up.
    pub fn start(args: &[&str]) -> Server {
        Server::try_start(Flavor::Keyrs, None, args).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Start keyrs-server with a config file first, then `args`.
    pub fn start_with_config(config: &Path, args: &[&str]) -> Server {
        Server::try_start(Flavor::Keyrs, Some(config), args).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Start a real redis-server (no persistence) with `args`; `None` when
    /// redis-server is not on PATH.
    pub fn start_redis(args: &[&str]) -> Option<Server> {
        on_path("redis-server")?;
        Some(Server::try_start(Flavor::Redis, None, args).unwrap_or_else(|e| panic!("{e}")))
    }

    /// Start keyrs-server with `args` and extra environment variables
    /// (`AWS_ENDPOINT_URL` for the S3 tests); panics if it does not come up.
    pub fn start_env(args: &[&str], env: &[(String, String)]) -> Server {
        Server::try_start_env(Flavor::Keyrs, None, args, env).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Start `flavor` on a free port, retrying on another port if the one
    /// picked was taken in the meantime.
    pub fn try_start(
        flavor: Flavor,
        config: Option<&Path>,
        args: &[&str],
    ) -> Result<Server, String> {
        Server::try_start_env(flavor, config, args, &[])
    }

    /// [`Server::try_start`] with extra environment variables for the process.
    pub fn try_start_env(
        flavor: Flavor,
        config: Option<&Path>,
        args: &[&str],
        env: &[(String, String)],
    ) -> Result<Server, String> {
        let mut last = String::new();
        for _ in 0..5 {
            match Server::spawn_once(flavor, config, args, env, ports::free_port()) {
                Ok(s) => return Ok(s),
                Err(e) => {
                    let retry = e.contains("in use");
                    last = e;
                    if !retry {
                        break;
                    }
                }
            }
        }
        Err(last)
    }

    fn spawn_once(
        flavor: Flavor,
        config: Option<&Path>,
        args: &[&str],
        env: &[(String, String)],
        port: u16,
    ) -> Result<Server, String> {
        let dir = tempfile::Builder::new()
            .prefix("keyrs-e2e-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        let log_path = dir.path().join("server.log");
        let log = File::create(&log_path).map_err(|e| e.to_string())?;
        let log2 = log.try_clone().map_err(|e| e.to_string())?;
        let program = match flavor {
            Flavor::Keyrs => binary::keyrs_server(),
            Flavor::Redis => PathBuf::from("redis-server"),
        };
        let mut cmd = Command::new(&program);
        if let Some(c) = config {
            cmd.arg(c);
        }
        cmd.args(["--port", &port.to_string()]);
        if flavor == Flavor::Redis {
            cmd.args(["--save", "", "--appendonly", "no", "--daemonize", "no"]);
        }
        cmd.args(args)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2);
        let child = cmd
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
        let mut server = Server {
            child: Some(child),
            port,
            flavor,
            dir,
            log_path,
            exit: None,
        };
        server.wait_ready()?;
        Ok(server)
    }

    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + START_TIMEOUT;
        while Instant::now() < deadline {
            if let Some(status) = self.try_wait() {
                return Err(format!(
                    "{:?} server exited with {status} before answering PING; log:\n{}",
                    self.flavor,
                    self.log()
                ));
            }
            if ping(self.port) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(format!(
            "{:?} server did not answer PING within {START_TIMEOUT:?}; log:\n{}",
            self.flavor,
            self.log()
        ))
    }

    /// The TCP port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Which program this is.
    pub fn flavor(&self) -> Flavor {
        self.flavor
    }

    /// The process id.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The server's working directory (a temporary directory).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// `redis://127.0.0.1:port/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// A synchronous `redis` crate connection.
    pub fn redis(&self) -> redis::Connection {
        redis::Client::open(self.url())
            .and_then(|c| c.get_connection())
            .unwrap_or_else(|e| panic!("redis connection to {}: {e}", self.url()))
    }

    /// A raw TCP connection.
    pub fn raw(&self) -> RawClient {
        RawClient::connect(self.port).unwrap_or_else(|e| panic!("connect to {}: {e}", self.port))
    }

    /// Everything the server printed (stdout and stderr).
    pub fn log(&self) -> String {
        let mut s = String::new();
        if let Ok(mut f) = File::open(&self.log_path) {
            let _ = f.read_to_string(&mut s);
        }
        s
    }

    /// Send SIGTERM.
    pub fn terminate(&self) {
        self.signal(rustix::process::Signal::TERM);
    }

    /// Send SIGINT.
    pub fn interrupt(&self) {
        self.signal(rustix::process::Signal::INT);
    }

    fn signal(&self, sig: rustix::process::Signal) {
        let Some(pid) = self
            .pid()
            .and_then(|p| rustix::process::Pid::from_raw(p as i32))
        else {
            return;
        };
        if self.exit.is_none() {
            let _ = rustix::process::kill_process(pid, sig);
        }
    }

    /// The exit status, if it has exited.
    pub fn try_wait(&mut self) -> Option<ExitStatus> {
        if self.exit.is_none() {
            if let Some(child) = self.child.as_mut() {
                self.exit = child.try_wait().ok().flatten();
            }
        }
        self.exit
    }

    /// Wait up to `timeout` for the process to exit.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(s) = self.try_wait() {
                return Some(s);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            if self.exit.is_none() {
                let _ = child.kill();
            }
            let _ = child.wait();
        }
    }
}

/// Does 127.0.0.1:`port` answer PING with +PONG?
pub fn ping(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_millis(200),
    ) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
    if s.write_all(b"PING\r\n").is_err() {
        return false;
    }
    // A server with requirepass answers -NOAUTH, one loading its dataset
    // -LOADING: up all the same.
    let mut buf = [0u8; 64];
    match s.read(&mut buf) {
        Ok(n) => {
            buf[..n].starts_with(b"+PONG")
                || buf[..n].starts_with(b"-NOAUTH")
                || buf[..n].starts_with(b"-LOADING")
        }
        Err(_) => false,
    }
}
