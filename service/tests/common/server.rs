//! The real service for the tests: `houniao serve` started as a process on a loopback
//! port with its own database, one token per role, and HTTP calls to it. Included by
//! the test crates that need it (`#[path = "common/server.rs"] mod harness;`).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::root;

/// One token per role: (role, token).
pub const TOKENS: [(&str, &str); 5] = [
    ("admin", "tok-admin"),
    ("scheduler", "tok-scheduler"),
    ("call_centre", "tok-agent"),
    ("planner", "tok-planner"),
    ("viewer", "tok-viewer"),
];

/// A running `houniao serve` on its own database, killed when dropped.
pub struct Server {
    /// The server process.
    pub child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// Its directory: config, database, log.
    pub dir: PathBuf,
}

impl Server {
    pub fn start_in(dir: &Path, extra_config: &str) -> Server {
        Server::start_with_solver(dir, extra_config, "default_time_limit = 10.0")
    }

    /// [`Server::start_in`] with the config's `[solver]` table as given.
    pub fn start_with_solver(dir: &Path, extra_config: &str, solver: &str) -> Server {
        let mut config = format!(
            "listen = \"127.0.0.1:0\"\ndb = \"{}\"\n{extra_config}\n[solver]\n{solver}\n",
            dir.join("houniao.db").display()
        );
        for (role, token) in TOKENS {
            config.push_str(&format!(
                "[[tokens]]\nname = \"{role}-user\"\nrole = \"{role}\"\ntoken = \"{token}\"\n"
            ));
        }
        let config_path = dir.join("houniao.toml");
        std::fs::write(&config_path, config).expect("config");
        let mut child = Command::new(env!("CARGO_BIN_EXE_houniao"))
            .args(["serve", "--config", config_path.to_str().expect("utf-8")])
            .current_dir(root())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(
                std::fs::File::create(dir.join("server.log")).expect("log file"),
            ))
            .spawn()
            .expect("starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("reads");
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| {
                panic!(
                    "no address in {line:?}; log: {}",
                    std::fs::read_to_string(dir.join("server.log")).unwrap_or_default()
                )
            })
            .to_string();
        Server {
            child,
            url,
            dir: dir.to_path_buf(),
        }
    }

    pub fn agent() -> ureq::Agent {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into()
    }

    /// `METHOD PATH` with a token (or none) and an optional JSON body: (status, body).
    pub fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let url = format!("{}{path}", self.url);
        let agent = Self::agent();
        let auth = token.map(|t| format!("Bearer {t}"));
        let result = match method {
            "GET" | "DELETE" => {
                let mut request = if method == "GET" {
                    agent.get(&url)
                } else {
                    agent.delete(&url)
                };
                if let Some(auth) = &auth {
                    request = request.header("Authorization", auth);
                }
                request.call()
            }
            _ => {
                let mut request = if method == "POST" {
                    agent.post(&url)
                } else {
                    agent.put(&url)
                };
                if let Some(auth) = &auth {
                    request = request.header("Authorization", auth);
                }
                match body {
                    Some(body) => request.send_json(body),
                    None => request.send_empty(),
                }
            }
        };
        let mut response = result.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().expect("body");
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, value)
    }

    pub fn upload(&self, token: &str, text: &str) -> (u16, Value) {
        let mut response = Self::agent()
            .post(&format!("{}/instances", self.url))
            .header("Authorization", &format!("Bearer {token}"))
            .header("Content-Type", "application/toml")
            .send(text)
            .expect("uploads");
        let status = response.status().as_u16();
        let body: Value = response.body_mut().read_json().expect("json");
        (status, body)
    }

    /// Starts a solve of an instance (10 s at most) and waits for the job to end: the
    /// job as it ended (`done`, `failed`, …).
    pub fn solve(&self, id: &str) -> Value {
        let (status, started) = self.call(
            "POST",
            &format!("/instances/{id}/solves"),
            Some("tok-scheduler"),
            Some(json!({ "time_limit": 10 })),
        );
        assert_eq!(status, 202, "{started}");
        let job = started["job"].as_str().expect("job id");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let (_, solve) = self.call("GET", &format!("/solves/{job}"), Some("tok-viewer"), None);
            match solve["status"].as_str() {
                Some("queued" | "running") if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                Some("queued" | "running") => panic!("solve still running after 60 s: {solve}"),
                _ => return solve,
            }
        }
    }

    /// Uploads the example, solves it, publishes the roster: the instance id.
    pub fn publish_example(&self) -> String {
        let example =
            std::fs::read_to_string(root().join("instances/example-week.toml")).expect("example");
        let (status, body) = self.upload("tok-scheduler", &example);
        assert_eq!(status, 201, "{body}");
        let id = body["id"].as_str().expect("id").to_string();
        let solve = self.solve(&id);
        assert_eq!(solve["status"], "done", "{solve}");
        let roster = solve["roster_id"].as_str().expect("roster").to_string();
        let (status, publication) = self.call(
            "POST",
            &format!("/rosters/{roster}/publish"),
            Some("tok-scheduler"),
            None,
        );
        assert_eq!(status, 201, "{publication}");
        id
    }

    /// Uploads the example and publishes the worked example's roster: the instance id.
    pub fn publish_example_roster(&self) -> String {
        self.publish_roster(
            "instances/example-week.toml",
            "solver/tests/data/roster.example.json",
            Some(60.0),
        )
    }

    /// Uploads a shipped instance and publishes a shipped roster of it (paths from the
    /// repository's root), checking its objective when given: the instance id.
    pub fn publish_roster(&self, instance: &str, roster: &str, objective: Option<f64>) -> String {
        let text = std::fs::read_to_string(root().join(instance)).expect("instance");
        let (status, body) = self.upload("tok-scheduler", &text);
        assert_eq!(status, 201, "{body}");
        let id = body["id"].as_str().expect("id").to_string();
        let roster: Value =
            serde_json::from_str(&std::fs::read_to_string(root().join(roster)).expect("roster"))
                .expect("json");
        let (status, stored) = self.call(
            "POST",
            &format!("/instances/{id}/rosters"),
            Some("tok-scheduler"),
            Some(roster),
        );
        assert_eq!(status, 201, "{stored}");
        if let Some(objective) = objective {
            assert_eq!(stored["objective"], objective);
        }
        let roster = stored["roster_id"].as_str().expect("roster id");
        let (status, publication) = self.call(
            "POST",
            &format!("/rosters/{roster}/publish"),
            Some("tok-scheduler"),
            None,
        );
        assert_eq!(status, 201, "{publication}");
        id
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
