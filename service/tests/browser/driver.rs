//! Headless Chromium for the browser tests: `chromedriver` started on a free loopback
//! port, one WebDriver session with a fresh profile, Chromium's performance log to
//! see every request a page makes, and helpers that wait for what a person would see.
//! Everything started here is stopped when the [`Browser`] is dropped, also when a
//! test fails.

use std::io::Write;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// How long a page may take to show what a test waits for. Generous: the machine is
/// shared and a debug build is slow; no test measures time with it.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// The Chromium binary (Debian's `chromium`), or `HOUNIAO_CHROMIUM`.
fn chromium() -> PathBuf {
    std::env::var_os("HOUNIAO_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// `chromedriver` (Debian's `chromium-driver`), or `HOUNIAO_CHROMEDRIVER`.
fn chromedriver() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("HOUNIAO_CHROMEDRIVER") {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin")])
        .map(|dir| dir.join("chromedriver"))
        .find(|candidate| candidate.is_file())
}

/// Whether the browser tests can run here. When Chromium or chromedriver is missing
/// they fail, unless `HOUNIAO_SKIP_BROWSER=1` allows skipping outside CI: then this
/// says so loudly and answers false. In CI (`CI=true`) they always run.
pub fn available() -> bool {
    let driver = chromedriver();
    let browser = chromium();
    let missing: Vec<String> = [
        (!browser.is_file()).then(|| format!("Chromium ({})", browser.display())),
        driver
            .is_none()
            .then(|| "chromedriver (not on PATH)".to_string()),
    ]
    .into_iter()
    .flatten()
    .collect();
    if missing.is_empty() {
        return true;
    }
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let may_skip = std::env::var("HOUNIAO_SKIP_BROWSER").is_ok_and(|v| v == "1");
    let install = "apt-get install chromium chromium-driver (./dev test installs them)";
    if may_skip && !in_ci {
        // Straight to the process's stderr: the test harness captures eprintln!.
        let notice = format!(
            "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
             !!! BROWSER TESTS SKIPPED: missing {}.\n\
             !!! HOUNIAO_SKIP_BROWSER=1 allowed it; the web app was NOT tested in a\n\
             !!! browser. Install with: {install}\n\
             !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n",
            missing.join(" and ")
        );
        let _ = std::io::stderr().write_all(notice.as_bytes());
        return false;
    }
    panic!(
        "the browser tests need {}: {install}; set HOUNIAO_SKIP_BROWSER=1 to skip them \
         outside CI",
        missing.join(" and ")
    );
}

/// A free port on the loopback interface (the listener is closed before chromedriver
/// binds it).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free loopback port")
}

/// A running chromedriver and one headless Chromium session.
pub struct Browser {
    /// The WebDriver client.
    pub client: Client,
    /// The server the pages come from, `http://127.0.0.1:PORT`.
    pub origin: String,
    driver: Child,
    driver_url: String,
    session: Option<String>,
    /// Every URL a page of this session asked for, from the performance log.
    requests: Vec<String>,
    /// (URL, HTTP status) of every response the pages received.
    responses: Vec<(String, u64)>,
    profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium for pages of `origin`.
    pub async fn start(origin: &str) -> Browser {
        let driver_path = chromedriver().expect("chromedriver (checked by available())");
        let port = free_port();
        let profile = tempfile::tempdir().expect("profile dir");
        let log = std::fs::File::create(profile.path().join("chromedriver.log")).expect("log");
        let driver = Command::new(&driver_path)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .stdin(Stdio::null())
            // Its own process group: Chromium's processes are stopped with it.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", driver_path.display()));
        let driver_url = format!("http://127.0.0.1:{port}");
        let mut browser = Browser {
            client: wait_and_connect(&driver_url, profile.path()).await,
            origin: origin.trim_end_matches('/').to_string(),
            driver,
            driver_url,
            session: None,
            requests: Vec::new(),
            responses: Vec::new(),
            profile,
        };
        browser.session = browser.client.session_id().await.ok().flatten();
        // Chromium's own start tab is no page of ours: forget what it loaded.
        browser
            .client
            .goto("about:blank")
            .await
            .expect("a blank page");
        browser.drain_log().await;
        browser.requests.clear();
        browser.responses.clear();
        browser
    }

    /// Opens `path` of the server.
    pub async fn open(&self, path: &str) {
        let url = format!("{}{path}", self.origin);
        self.client
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("opening {url}: {e}"));
    }

    /// The first element matching a CSS selector, waited for.
    pub async fn find(&self, css: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(e) => panic!(
                "no {css} on {}: {e}\n{}",
                self.url().await,
                self.text().await
            ),
        }
    }

    /// Every element matching a CSS selector now.
    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        self.client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_default()
    }

    /// The page's URL now.
    pub async fn url(&self) -> String {
        self.client
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default()
    }

    /// The visible text of the page's body now.
    pub async fn text(&self) -> String {
        match self.client.find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Runs a script in the page and answers its value.
    pub async fn script(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Runs an asynchronous script (it calls its last argument with its answer).
    pub async fn script_async(&self, script: &str) -> Value {
        self.client
            .execute_async(script, Vec::new())
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Waits until the page's visible text contains `wanted`; answers the text.
    pub async fn wait_for_text(&self, wanted: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let text = self.text().await;
            if text.contains(wanted) {
                return text;
            }
            if Instant::now() > deadline {
                panic!(
                    "{wanted:?} never appeared on {}; the page says:\n{text}",
                    self.url().await
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until a script answers `true`.
    pub async fn wait_until(&self, what: &str, script: &str) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if self.script(script, Vec::new()).await == Value::Bool(true) {
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "never true: {what} on {}; the page says:\n{}",
                    self.url().await,
                    self.text().await
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the page's URL path is `path` (after a form's redirect).
    pub async fn wait_for_path(&self, path: &str) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let url = self.url().await;
            if url
                .strip_prefix(&self.origin)
                .is_some_and(|rest| rest.split(['?', '#']).next() == Some(path))
            {
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "never reached {path}; still on {url}:\n{}",
                    self.text().await
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Signs in through the sign-in form with `token` and waits for the page after it.
    pub async fn sign_in(&self, token: &str) {
        self.open("/app/login").await;
        let field = self.find("input#token").await;
        field.send_keys(token).await.expect("types the token");
        self.find("form[action='/app/login'] button[type=submit]")
            .await
            .click()
            .await
            .expect("submits");
        self.wait_until(
            "signed in",
            "return document.querySelector(\"form[action='/app/logout']\") !== null",
        )
        .await;
    }

    /// Signs out with the header's button and waits for the sign-in page.
    pub async fn sign_out(&self) {
        self.find("form[action='/app/logout'] button")
            .await
            .click()
            .await
            .expect("signs out");
        self.wait_for_path("/app/login").await;
    }

    /// A PNG of the window as it is.
    pub async fn screenshot(&self) -> Vec<u8> {
        self.client.screenshot().await.expect("screenshot")
    }

    /// Reads what Chromium logged since the last call: the URL of every request a page
    /// sent and the status of every response, kept for [`Browser::assert_only_origin`].
    async fn drain_log(&mut self) {
        let Some(session) = &self.session else {
            panic!("no WebDriver session id: cannot read the performance log");
        };
        let url = format!("{}/session/{session}/se/log", self.driver_url);
        let entries = tokio::task::spawn_blocking(move || {
            let mut response = ureq::post(&url)
                .send_json(json!({ "type": "performance" }))
                .unwrap_or_else(|e| panic!("reading the performance log: {e}"));
            response.body_mut().read_json::<Value>().expect("log json")
        })
        .await
        .expect("log reader");
        for entry in entries["value"].as_array().into_iter().flatten() {
            let Some(message) = entry["message"].as_str() else {
                continue;
            };
            let Ok(message) = serde_json::from_str::<Value>(message) else {
                continue;
            };
            let params = &message["message"]["params"];
            match message["message"]["method"].as_str() {
                Some("Network.requestWillBeSent") => {
                    if let Some(url) = params["request"]["url"].as_str() {
                        self.requests.push(url.to_string());
                    }
                }
                Some("Network.responseReceived") => {
                    if let (Some(url), Some(status)) = (
                        params["response"]["url"].as_str(),
                        params["response"]["status"].as_u64(),
                    ) {
                        self.responses.push((url.to_string(), status));
                    }
                }
                _ => {}
            }
        }
    }

    /// The status of the last response for a URL of the server's `path` (query
    /// included when given).
    pub async fn status_of(&mut self, path: &str) -> Option<u64> {
        self.drain_log().await;
        let url = format!("{}{path}", self.origin);
        self.responses
            .iter()
            .rev()
            .find(|(u, _)| *u == url)
            .map(|(_, status)| *status)
    }

    /// Every URL the pages asked for so far.
    pub async fn requests(&mut self) -> Vec<String> {
        self.drain_log().await;
        self.requests.clone()
    }

    /// Asserts that no page asked for anything from another host: every request the
    /// performance log saw is on the server's origin (or data held by the page
    /// itself: `data:`, `blob:`, `about:`). Answers how many requests there were.
    pub async fn assert_only_origin(&mut self) -> usize {
        self.drain_log().await;
        let foreign: Vec<&String> = self
            .requests
            .iter()
            .filter(|url| {
                let own = url.starts_with(&format!("{}/", self.origin)) || **url == self.origin;
                let local_data = ["data:", "blob:", "about:"]
                    .iter()
                    .any(|scheme| url.starts_with(scheme));
                !own && !local_data
            })
            .collect();
        assert!(
            foreign.is_empty(),
            "pages asked other hosts for: {foreign:#?}"
        );
        // The page's own view agrees (resource timing sees what the log may miss).
        let resources = self
            .script(
                "return performance.getEntriesByType('resource').map(e => e.name)",
                Vec::new(),
            )
            .await;
        for name in resources.as_array().into_iter().flatten() {
            let name = name.as_str().unwrap_or_default();
            assert!(
                name.starts_with(&self.origin) || name.starts_with("data:"),
                "{} loaded {name}",
                self.url().await
            );
        }
        self.requests.len()
    }

    /// chromedriver's log, for failure messages.
    pub fn driver_log(&self) -> String {
        std::fs::read_to_string(self.profile.path().join("chromedriver.log")).unwrap_or_default()
    }
}

/// The capabilities of a headless Chromium with a fresh profile and a performance log.
fn capabilities(profile: &Path) -> serde_json::Map<String, Value> {
    let args = [
        "--headless".to_string(),
        "--no-sandbox".to_string(),
        "--disable-gpu".to_string(),
        "--disable-quic".to_string(),
        "--no-first-run".to_string(),
        "--disable-background-networking".to_string(),
        "--disable-component-update".to_string(),
        "--disable-sync".to_string(),
        format!("--user-data-dir={}", profile.join("chromium").display()),
        "--window-size=1400,1000".to_string(),
        // English unless a page is switched, whatever the machine's locale.
        "--lang=en-US".to_string(),
    ];
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium().display().to_string(),
            "args": args,
        },
        "goog:loggingPrefs": { "performance": "ALL" },
    });
    match capabilities {
        Value::Object(map) => map,
        _ => unreachable!("an object"),
    }
}

/// Waits for chromedriver to answer, then opens a session.
async fn wait_and_connect(driver_url: &str, profile: &Path) -> Client {
    let status = format!("{driver_url}/status");
    let deadline = Instant::now() + PATIENCE;
    loop {
        let probe = status.clone();
        let ready = tokio::task::spawn_blocking(move || {
            ureq::get(&probe)
                .call()
                .ok()
                .and_then(|mut r| r.body_mut().read_json::<Value>().ok())
                .is_some_and(|v| v["value"]["ready"] == true)
        })
        .await
        .unwrap_or(false);
        if ready {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "chromedriver did not answer at {status}; its log: {}",
            std::fs::read_to_string(profile.join("chromedriver.log")).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(capabilities(profile))
        .connect(driver_url)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "no Chromium session: {e}; chromedriver's log: {}",
                std::fs::read_to_string(profile.join("chromedriver.log")).unwrap_or_default()
            )
        })
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ends the session (Chromium quits), then chromedriver and anything left of its
        // process group.
        if let Some(session) = &self.session {
            let _ = ureq::delete(&format!("{}/session/{session}", self.driver_url))
                .config()
                .timeout_global(Some(Duration::from_secs(10)))
                .build()
                .call();
        }
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
