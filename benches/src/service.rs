//! The real HTTP service for the benchmark binaries (`service-load`, `edits-http`):
//! `houniao serve` started as a process on a loopback port with its own SQLite
//! database in a temporary directory, keep-alive clients, percentiles, and the CPU
//! time the server and the clients used (Linux `/proc`).

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::workspace_file;

/// The scheduler's token in the server's config.
pub const SCHEDULER: &str = "tok-scheduler";
/// The call-centre agent's token.
pub const AGENT: &str = "tok-agent";

/// A path in the workspace (the parent of this crate's directory).
pub fn workspace_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative)
}

/// A running `houniao serve` on its own database in a temporary directory, killed
/// when dropped.
pub struct Server {
    /// The server process.
    pub child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// Its directory: config, database, log.
    pub dir: tempfile::TempDir,
}

impl Server {
    /// Starts the server with its database in a new temporary directory.
    pub fn start(binary: &Path) -> Server {
        Server::start_in(binary, None)
    }

    /// Starts the server with its database in a new temporary directory inside
    /// `parent` (the system's temporary directory when `None`): on a tmpfs, say, to see
    /// what the disk's syncs cost.
    pub fn start_in(binary: &Path, parent: Option<&Path>) -> Server {
        let dir = match parent {
            Some(parent) => tempfile::tempdir_in(parent),
            None => tempfile::tempdir(),
        }
        .expect("a temporary directory");
        let mut config = format!(
            "listen = \"127.0.0.1:0\"\ndb = \"{}\"\n",
            dir.path().join("houniao.db").display()
        );
        for (role, token) in [("scheduler", SCHEDULER), ("call_centre", AGENT)] {
            let _ = write!(
                config,
                "[[tokens]]\nname = \"{role}-load\"\nrole = \"{role}\"\ntoken = \"{token}\"\n"
            );
        }
        std::fs::write(dir.path().join("houniao.toml"), config).expect("writes the config");
        let (child, url) = Server::spawn(binary, dir.path());
        Server { child, url, dir }
    }

    /// Starts `houniao serve` on the config in `dir`: the process and its URL.
    fn spawn(binary: &Path, dir: &Path) -> (Child, String) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("server.log"))
            .expect("log file");
        let mut child = Command::new(binary)
            .arg("serve")
            .arg("--config")
            .arg(dir.join("houniao.toml"))
            .current_dir(workspace_path(""))
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "{}: {e} (build it with `cargo build --release -p houniao-service`)",
                    binary.display()
                )
            });
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("reads the server's first line");
        let Some(url) = line.trim().strip_prefix("listening on ") else {
            let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
            panic!("the server did not start: {line:?}\n{log}");
        };
        (child, url.to_string())
    }

    /// Kills the server (SIGKILL: nothing is flushed on the way out) and starts it again
    /// on the same database.
    pub fn kill_and_restart(&mut self, binary: &Path) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let (child, url) = Server::spawn(binary, self.dir.path());
        self.child = child;
        self.url = url;
    }

    /// What the server wrote to its log (stderr) so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// `POST PATH` with a body and a content type: (status, body).
    pub fn post(&self, path: &str, token: &str, content_type: &str, body: &[u8]) -> (u16, Value) {
        let (status, bytes) = post(
            &agent(),
            &format!("{}{path}", self.url),
            token,
            content_type,
            body,
        )
        .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// `GET PATH`: (status, body).
    pub fn get(&self, path: &str, token: &str) -> (u16, Value) {
        let mut response = agent()
            .get(&format!("{}{path}", self.url))
            .header("Authorization", &format!("Bearer {token}"))
            .call()
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let status = response.status().as_u16();
        let value = response.body_mut().read_json().unwrap_or(Value::Null);
        (status, value)
    }

    /// Uploads the shipped instance `name` and a roster file of it (both workspace
    /// paths' contents): (instance id, stored roster id).
    pub fn upload(&self, name: &str, roster: &str) -> (String, String) {
        let instance = workspace_file(&format!("instances/{name}.toml"));
        let (status, body) = self.post(
            "/instances",
            SCHEDULER,
            "application/toml",
            instance.as_bytes(),
        );
        assert_eq!(status, 201, "uploading the instance: {body}");
        let id = body["id"].as_str().expect("an instance id").to_string();
        let roster = workspace_file(roster);
        let (status, body) = self.post(
            &format!("/instances/{id}/rosters"),
            SCHEDULER,
            "application/json",
            roster.as_bytes(),
        );
        assert_eq!(status, 201, "uploading the roster: {body}");
        let roster_id = body["roster_id"].as_str().expect("a roster id").to_string();
        (id, roster_id)
    }

    /// Uploads the instance and its roster and publishes the roster: (instance id,
    /// roster id).
    pub fn publish(&self, name: &str, roster: &str) -> (String, String) {
        let (id, roster_id) = self.upload(name, roster);
        let (status, body) = self.post(
            &format!("/rosters/{roster_id}/publish"),
            SCHEDULER,
            "application/json",
            b"",
        );
        assert_eq!(status, 201, "publishing: {body}");
        (id, roster_id)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A client with its own connection pool (keep-alive); statuses are answers, not errors.
/// No timeout: with one, ureq's resolver spawns a thread per request (even for an IP
/// address), which would be timed as part of every request.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// `POST URL` with a bearer token: the status and the whole body.
pub fn post(
    agent: &ureq::Agent,
    url: &str,
    token: &str,
    content_type: &str,
    body: &[u8],
) -> Result<(u16, Vec<u8>), ureq::Error> {
    let mut response = agent
        .post(url)
        .header("Authorization", &format!("Bearer {token}"))
        .header("Content-Type", content_type)
        .send(body)?;
    let status = response.status().as_u16();
    let bytes = response.body_mut().read_to_vec()?;
    Ok((status, bytes))
}

/// `GET URL` with a bearer token: the status and the whole body.
pub fn get(agent: &ureq::Agent, url: &str, token: &str) -> Result<(u16, Vec<u8>), ureq::Error> {
    let mut response = agent
        .get(url)
        .header("Authorization", &format!("Bearer {token}"))
        .call()?;
    let status = response.status().as_u16();
    let bytes = response.body_mut().read_to_vec()?;
    Ok((status, bytes))
}

/// The nearest-rank percentile of sorted samples.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Milliseconds with two decimals.
pub fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1e3)
}

/// CPU time (user + system, every thread) of a process so far, from `/proc/PID/stat`
/// (Linux; in clock ticks of 10 ms); `None` is this process. `None` elsewhere.
pub fn cpu_time(pid: Option<u32>) -> Option<Duration> {
    let path = match pid {
        Some(pid) => format!("/proc/{pid}/stat"),
        None => "/proc/self/stat".to_string(),
    };
    let stat = std::fs::read_to_string(path).ok()?;
    // Fields after the command name (which may hold spaces): state is field 3, utime 14,
    // stime 15.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// CPU used by the server and by this process (the clients) during a run.
#[derive(Debug, Default, Clone, Copy)]
pub struct Cpu {
    /// The server's.
    pub server: Option<Duration>,
    /// This process's.
    pub clients: Option<Duration>,
    /// Shared by two runs at once (no figure per request).
    pub shared: bool,
}

impl Cpu {
    /// Runs `work`, measuring the CPU time of the server process and of this one.
    pub fn measure<T>(server: u32, work: impl FnOnce() -> T) -> (T, Cpu) {
        let before = (cpu_time(Some(server)), cpu_time(None));
        let result = work();
        let after = (cpu_time(Some(server)), cpu_time(None));
        let used = |a: Option<Duration>, b: Option<Duration>| Some(a?.saturating_sub(b?));
        (
            result,
            Cpu {
                server: used(after.0, before.0),
                clients: used(after.1, before.1),
                shared: false,
            },
        )
    }

    /// Microseconds of server and client CPU per request, and how busy the machine's
    /// cores were, as table cells.
    pub fn cells(&self, requests: usize, seconds: f64) -> String {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
        let per = |d: Option<Duration>| match d {
            Some(d) if !self.shared => {
                format!("{:.0}", d.as_secs_f64() * 1e6 / requests.max(1) as f64)
            }
            _ => "–".to_string(),
        };
        let busy = match (self.server, self.clients) {
            (Some(s), Some(c)) => {
                format!("{:.0}%", (s + c).as_secs_f64() / (seconds * cores) * 100.0)
            }
            _ => "–".to_string(),
        };
        format!("{} | {} | {}", per(self.server), per(self.clients), busy)
    }
}

/// Mean time of a 4 KiB append followed by `fdatasync`, in `dir` (where a server's
/// database lives): the floor under a durable commit.
pub fn fdatasync_probe(dir: &Path) -> Duration {
    let path = dir.join("probe");
    let mut file = std::fs::File::create(&path).expect("probe file");
    let block = [0x5a_u8; 4096];
    let rounds = 200;
    let started = Instant::now();
    for _ in 0..rounds {
        file.write_all(&block).expect("writes");
        file.sync_data().expect("syncs");
    }
    let took = started.elapsed() / rounds;
    drop(file);
    let _ = std::fs::remove_file(&path);
    took
}
