//! Prints the HTTP service figures of docs/performance.md: `houniao serve` started as
//! a process on a loopback port (its own SQLite database in a temporary directory), the
//! beilun-oncology instance and its published roster uploaded and published, then
//!
//! - **search load**: the server's ledger is brought to the state of the library-level
//!   `booking-report` (the same 2,000 seeded bookings, replayed one by one through
//!   `POST /instances/{id}/bookings` with their `option`), every answer to the seeded
//!   search mix of `houniao_benches::call_centre` is compared once with the library's,
//!   then C client threads (each with its own keep-alive connection) send the mix to
//!   `POST /instances/{id}/search` for a fixed time;
//! - **booking load**: on a fresh server per C, C client threads book seeded discipline
//!   requests (distinct patient refs, no `option`: the best is booked) until the target
//!   number of bookings is acknowledged (201) or the requests run out; then the server
//!   is killed (SIGKILL) and started again on its database, and the bookings it lists
//!   are counted against the 201s;
//! - **mixed**: on one more fresh server, M clients search while M others book.
//!
//! For each run it also reports the CPU time the server and this process (the clients)
//! used per request, from `/proc` (Linux), since both share the machine's cores.
//! Latencies are measured by the client, from sending the request to having read the
//! whole answer. Nothing is asserted: it is a measurement.
//!
//! Run (the release binary first):
//!
//! ```sh
//! cargo build --release -p houniao-service
//! cargo run --release -p houniao-benches --bin service-load -- [OPTIONS]
//! ```
//!
//! Options: `--houniao PATH` (default `target/release/houniao` of the workspace),
//! `--clients 1,8,32` (client threads of each run), `--seconds 5` (length of a search
//! run), `--bookings 2000` (booking target of a booking run), `--mixed 8` (M of the
//! mixed run; 0 skips it). `RUST_LOG`, if set, is passed on to the server (by default
//! it logs one line per request to its stderr, which goes to a file).

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use houniao::Instance;
use houniao::booking::{Ledger, PatientRequest, SearchResult};
use houniao_benches::call_centre::{
    BOOKING_SEED, BOOKINGS, INSTANCE, Lcg, ROSTER, SearchKind, search_mix, setup,
};
use houniao_benches::workspace_file;
use serde_json::{Value, json};

/// The scheduler's token in the server's config.
const SCHEDULER: &str = "tok-scheduler";
/// The call-centre agent's token.
const AGENT: &str = "tok-agent";
/// Seed of the booking load's requests (the library's booking seed, moved on by one).
const LOAD_SEED: u64 = BOOKING_SEED + 1;
/// Booking requests generated per booking wanted: the run stops when they run out.
const REQUESTS_PER_BOOKING: usize = 5;

/// What to run.
struct Options {
    houniao: PathBuf,
    clients: Vec<usize>,
    seconds: f64,
    bookings: usize,
    mixed: usize,
}

impl Options {
    fn parse() -> Options {
        let mut options = Options {
            houniao: workspace_path("target/release/houniao"),
            clients: vec![1, 8, 32],
            seconds: 5.0,
            bookings: BOOKINGS,
            mixed: 8,
        };
        let mut args = std::env::args().skip(1);
        while let Some(flag) = args.next() {
            let mut value = || {
                args.next()
                    .unwrap_or_else(|| usage(&format!("{flag} needs a value")))
            };
            match flag.as_str() {
                "--houniao" => options.houniao = PathBuf::from(value()),
                "--clients" => {
                    options.clients = value()
                        .split(',')
                        .map(|c| match c.trim().parse() {
                            Ok(n) if n > 0 => n,
                            _ => usage(&format!("--clients: {c:?} is not a positive number")),
                        })
                        .collect();
                }
                "--seconds" => {
                    options.seconds = match value().parse() {
                        Ok(s) if s > 0.0 => s,
                        _ => usage("--seconds needs a positive number"),
                    }
                }
                "--bookings" => {
                    options.bookings = value()
                        .parse()
                        .unwrap_or_else(|_| usage("--bookings needs a number"));
                }
                "--mixed" => {
                    options.mixed = value()
                        .parse()
                        .unwrap_or_else(|_| usage("--mixed needs a number"));
                }
                "-h" | "--help" => usage(""),
                other => usage(&format!("unknown argument {other:?}")),
            }
        }
        options
    }
}

fn usage(problem: &str) -> ! {
    if !problem.is_empty() {
        eprintln!("service-load: {problem}");
    }
    eprintln!(
        "usage: service-load [--houniao PATH] [--clients 1,8,32] [--seconds 5] [--bookings 2000] [--mixed 8]"
    );
    std::process::exit(2)
}

/// A path in the workspace (the parent of this crate's directory).
fn workspace_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative)
}

/// A running `houniao serve` on its own database in a temporary directory, killed
/// when dropped.
struct Server {
    child: Child,
    url: String,
    dir: tempfile::TempDir,
}

impl Server {
    fn start(binary: &Path) -> Server {
        let dir = tempfile::tempdir().expect("a temporary directory");
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
    fn kill_and_restart(&mut self, binary: &Path) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let (child, url) = Server::spawn(binary, self.dir.path());
        self.child = child;
        self.url = url;
    }

    /// `POST PATH` with a body and a content type: (status, body).
    fn post(&self, path: &str, token: &str, content_type: &str, body: &[u8]) -> (u16, Value) {
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
    fn get(&self, path: &str, token: &str) -> (u16, Value) {
        let mut response = agent()
            .get(&format!("{}{path}", self.url))
            .header("Authorization", &format!("Bearer {token}"))
            .call()
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let status = response.status().as_u16();
        let value = response.body_mut().read_json().unwrap_or(Value::Null);
        (status, value)
    }

    /// Uploads the instance and its roster and publishes the roster: the instance id.
    fn publish(&self) -> String {
        let instance = workspace_file(&format!("instances/{INSTANCE}.toml"));
        let (status, body) = self.post(
            "/instances",
            SCHEDULER,
            "application/toml",
            instance.as_bytes(),
        );
        assert_eq!(status, 201, "uploading the instance: {body}");
        let id = body["id"].as_str().expect("an instance id").to_string();
        let roster = workspace_file(ROSTER);
        let (status, body) = self.post(
            &format!("/instances/{id}/rosters"),
            SCHEDULER,
            "application/json",
            roster.as_bytes(),
        );
        assert_eq!(status, 201, "uploading the roster: {body}");
        let roster_id = body["roster_id"].as_str().expect("a roster id");
        let (status, body) = self.post(
            &format!("/rosters/{roster_id}/publish"),
            SCHEDULER,
            "application/json",
            b"",
        );
        assert_eq!(status, 201, "publishing: {body}");
        id
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
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// `POST URL` with a bearer token: the status and the whole body.
fn post(
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

/// The nearest-rank percentile of sorted samples.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1e3)
}

/// CPU time (user + system, every thread) of a process so far, from `/proc/PID/stat`
/// (Linux; in clock ticks of 10 ms). `None` elsewhere.
fn cpu_time(pid: Option<u32>) -> Option<Duration> {
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
struct Cpu {
    server: Option<Duration>,
    clients: Option<Duration>,
    /// Shared by two runs at once (no figure per request).
    shared: bool,
}

impl Cpu {
    /// Runs `work`, measuring the CPU time of the server process and of this one.
    fn measure<T>(server: u32, work: impl FnOnce() -> T) -> (T, Cpu) {
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
    fn cells(&self, requests: usize, seconds: f64) -> String {
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

/// One search run.
struct SearchRun {
    /// Client threads (and what else ran).
    clients: String,
    seconds: f64,
    latencies: Vec<Duration>,
    errors: usize,
    cpu: Cpu,
}

/// C clients send the mix (each starting at its own place in it) while `during` runs
/// (a sleep, or a booking load); requests in flight then finish and count.
fn search_load<T>(
    url: &str,
    id: &str,
    bodies: &[Vec<u8>],
    clients: usize,
    during: impl FnOnce() -> T,
) -> (SearchRun, T) {
    let endpoint = format!("{url}/instances/{id}/search");
    let ready = Barrier::new(clients + 1);
    let stop = AtomicBool::new(false);
    let (results, seconds, outcome) = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..clients)
            .map(|client| {
                let (endpoint, ready, stop) = (&endpoint, &ready, &stop);
                scope.spawn(move || {
                    let agent = agent();
                    let mut next = client * bodies.len() / clients;
                    // Opens the connection before the clock starts.
                    let _ = post(&agent, endpoint, AGENT, "application/json", &bodies[next]);
                    let (mut latencies, mut errors) = (Vec::new(), 0);
                    ready.wait();
                    while !stop.load(Ordering::Relaxed) {
                        let body = &bodies[next % bodies.len()];
                        next += 1;
                        let started = Instant::now();
                        match post(&agent, endpoint, AGENT, "application/json", body) {
                            Ok((200, _)) => latencies.push(started.elapsed()),
                            _ => errors += 1,
                        }
                    }
                    (latencies, errors)
                })
            })
            .collect();
        ready.wait();
        let started = Instant::now();
        let outcome = during();
        stop.store(true, Ordering::Relaxed);
        let results: Vec<(Vec<Duration>, usize)> = workers
            .into_iter()
            .map(|w| w.join().expect("a client thread"))
            .collect();
        (results, started.elapsed().as_secs_f64(), outcome)
    });
    let mut latencies: Vec<Duration> = results.iter().flat_map(|r| r.0.clone()).collect();
    latencies.sort_unstable();
    let run = SearchRun {
        clients: clients.to_string(),
        seconds,
        errors: results.iter().map(|r| r.1).sum(),
        latencies,
        cpu: Cpu::default(),
    };
    (run, outcome)
}

/// One booking run: latencies by outcome.
#[derive(Default)]
struct BookingRun {
    clients: usize,
    seconds: f64,
    /// 201: booked, on disk.
    created: Vec<Duration>,
    /// 409 `no_option`: nothing in the request's window and sites.
    no_option: Vec<Duration>,
    /// Anything else (other statuses, transport errors).
    other: usize,
    /// Why the run stopped.
    stopped: String,
    /// Call-centre bookings the service lists after it was killed (SIGKILL) and
    /// started again on its database.
    listed: usize,
    /// Free places left (every discipline over the whole horizon).
    places_left: u64,
    /// CPU used.
    cpu: Cpu,
}

/// C clients book `requests` in order (each takes the next) until `target` are booked
/// or the requests run out.
fn booking_load(
    url: &str,
    id: &str,
    requests: &[Vec<u8>],
    clients: usize,
    target: usize,
) -> BookingRun {
    let endpoint = format!("{url}/instances/{id}/bookings");
    let next = AtomicUsize::new(0);
    let booked = AtomicUsize::new(0);
    let ready = Barrier::new(clients + 1);
    let (results, seconds) = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..clients)
            .map(|_| {
                let (endpoint, next, booked, ready) = (&endpoint, &next, &booked, &ready);
                scope.spawn(move || {
                    let agent = agent();
                    // Opens the connection (GET of the bookings: nothing is booked).
                    let _ = agent
                        .get(&format!("{endpoint}?patient=nobody"))
                        .header("Authorization", &format!("Bearer {AGENT}"))
                        .call()
                        .and_then(|mut r| r.body_mut().read_to_vec());
                    let mut run = BookingRun::default();
                    ready.wait();
                    while booked.load(Ordering::Relaxed) < target {
                        let Some(body) = requests.get(next.fetch_add(1, Ordering::Relaxed)) else {
                            break;
                        };
                        let started = Instant::now();
                        let outcome = post(&agent, endpoint, AGENT, "application/json", body);
                        let took = started.elapsed();
                        match outcome {
                            Ok((201, _)) => {
                                booked.fetch_add(1, Ordering::Relaxed);
                                run.created.push(took);
                            }
                            Ok((409, answer))
                                if serde_json::from_slice::<Value>(&answer)
                                    .is_ok_and(|v| v["error"] == "no_option") =>
                            {
                                run.no_option.push(took);
                            }
                            _ => run.other += 1,
                        }
                    }
                    run
                })
            })
            .collect();
        ready.wait();
        let started = Instant::now();
        let results: Vec<BookingRun> = workers
            .into_iter()
            .map(|w| w.join().expect("a client thread"))
            .collect();
        (results, started.elapsed().as_secs_f64())
    });
    let mut run = BookingRun {
        clients,
        seconds,
        stopped: if booked.load(Ordering::Relaxed) >= target {
            "target reached"
        } else {
            "requests ran out"
        }
        .to_string(),
        ..BookingRun::default()
    };
    for result in results {
        run.created.extend(result.created);
        run.no_option.extend(result.no_option);
        run.other += result.other;
    }
    run.created.sort_unstable();
    run.no_option.sort_unstable();
    run
}

/// The call-centre bookings the service lists for the instance.
fn listed_bookings(server: &Server, id: &str) -> usize {
    let (status, bookings) = server.get(&format!("/instances/{id}/bookings"), AGENT);
    assert_eq!(status, 200, "listing bookings: {bookings}");
    bookings
        .as_array()
        .expect("a list")
        .iter()
        .filter(|b| b["origin"] != "roster")
        .count()
}

/// Free places: every discipline searched over the whole horizon through the API.
fn places_left(server: &Server, id: &str, instance: &Instance) -> u64 {
    let (start, end) = (instance.calendar.start(), instance.calendar.end());
    instance
        .disciplines()
        .into_iter()
        .map(|discipline| {
            let mut request = json!(PatientRequest::for_discipline(discipline, start, end));
            request["limit"] = json!(100_000);
            let (status, result) = server.post(
                &format!("/instances/{id}/search"),
                AGENT,
                "application/json",
                request.to_string().as_bytes(),
            );
            assert_eq!(status, 200, "searching {discipline}: {result}");
            result["options"].as_array().map_or(0, |o| {
                o.iter().filter_map(|o| o["places_left"].as_u64()).sum()
            })
        })
        .sum()
}

/// The booking load's requests: a discipline, a window of one to all open days, a third
/// with one to three allowed sites in order of preference; patient refs `LOAD-C-NNNNN`.
fn booking_requests(instance: &Instance, clients: usize, count: usize) -> Vec<Vec<u8>> {
    let dates: Vec<NaiveDate> = instance.calendar.open_dates();
    let disciplines = instance.disciplines();
    let sites: Vec<&str> = instance.sites.iter().map(|s| s.id.as_str()).collect();
    let mut random = Lcg::new(LOAD_SEED);
    (1..=count)
        .map(|n| {
            let first = random.below(dates.len());
            let last = first + random.below(dates.len() - first);
            let discipline = random.pick(&disciplines);
            let mut request = PatientRequest::for_discipline(discipline, dates[first], dates[last])
                .with_patient(&format!("LOAD-{clients}-{n:05}"));
            if random.below(3) == 0 {
                let mut left = sites.clone();
                let wanted = 1 + random.below(3.min(left.len()));
                request.sites = (0..wanted)
                    .map(|_| left.remove(random.below(left.len())).to_string())
                    .collect();
            }
            serde_json::to_vec(&request).expect("a request serialises")
        })
        .collect()
}

/// Replays a ledger's bookings one by one, each with its `option` (the session it
/// holds): the server's book then holds what the library's does.
fn replay(server: &Server, id: &str, ledger: &Ledger) -> BookingRun {
    let agent = agent();
    let endpoint = format!("{}/instances/{id}/bookings", server.url);
    let mut run = BookingRun {
        clients: 1,
        stopped: "ledger replayed".to_string(),
        ..BookingRun::default()
    };
    let started = Instant::now();
    for record in &ledger.bookings {
        let mut body = json!(record.request);
        body["option"] = json!(record.session.to_string());
        let body = body.to_string();
        let sent = Instant::now();
        let outcome = post(
            &agent,
            &endpoint,
            AGENT,
            "application/json",
            body.as_bytes(),
        );
        match outcome {
            Ok((201, _)) => run.created.push(sent.elapsed()),
            _ => run.other += 1,
        }
    }
    run.seconds = started.elapsed().as_secs_f64();
    run.created.sort_unstable();
    run
}

/// Mean seconds of a 4 KiB append followed by `fdatasync`, in the directory the
/// servers' databases live in: the floor under a durable commit.
fn fdatasync_probe(dir: &Path) -> Duration {
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

fn main() {
    let options = Options::parse();
    let binary = options.houniao.clone();
    assert!(
        binary.exists(),
        "{} is missing: run `cargo build --release -p houniao-service` (or pass --houniao PATH)",
        binary.display()
    );
    let instance = houniao_benches::shipped(INSTANCE);

    // The library's state and mix (as booking-report makes them).
    let library = setup(BOOKINGS);
    let mix = search_mix(&library.book);
    let bodies: Vec<Vec<u8>> = mix
        .iter()
        .map(|(_, request)| serde_json::to_vec(request).expect("a request serialises"))
        .collect();

    let server = Server::start(&binary);
    let sync = fdatasync_probe(server.dir.path());
    let id = server.publish();
    let (mut replayed, cpu) = Cpu::measure(server.child.id(), || {
        replay(&server, &id, library.book.ledger())
    });
    replayed.cpu = cpu;
    // One untimed pass: each answer compared with the library's.
    let agent = agent();
    let endpoint = format!("{}/instances/{id}/search", server.url);
    let mut differ = 0;
    let mut answer_bytes = 0;
    for ((_, request), body) in mix.iter().zip(&bodies) {
        let expected = json!(
            library
                .book
                .search(request, SearchResult::DEFAULT_LIMIT)
                .expect("a valid request")
        );
        match post(&agent, &endpoint, AGENT, "application/json", body) {
            Ok((200, bytes)) => {
                answer_bytes += bytes.len();
                if serde_json::from_slice::<Value>(&bytes).ok() != Some(expected) {
                    differ += 1;
                }
            }
            _ => differ += 1,
        }
    }
    let kinds: Vec<&str> = SearchKind::ALL.iter().map(|k| k.name()).collect();
    println!(
        "search mix: {} requests ({}), answers {:.1} KiB on average; {} of {} answers differ from the library's",
        mix.len(),
        kinds.join(", "),
        answer_bytes as f64 / mix.len() as f64 / 1024.0,
        differ,
        mix.len()
    );
    println!(
        "replayed {} library bookings one by one with their option: {} × 201, {} other, in {:.2} s",
        library.book.ledger().bookings.len(),
        replayed.created.len(),
        replayed.other,
        replayed.seconds
    );
    println!(
        "4 KiB append + fdatasync in the database's directory: {} ms (mean of 200)",
        ms(sync)
    );
    println!();

    let duration = Duration::from_secs_f64(options.seconds);
    let mut searches: Vec<SearchRun> = options
        .clients
        .iter()
        .map(|&clients| {
            let ((mut run, ()), cpu) = Cpu::measure(server.child.id(), || {
                search_load(&server.url, &id, &bodies, clients, || {
                    std::thread::sleep(duration);
                })
            });
            run.cpu = cpu;
            run
        })
        .collect();
    drop(server);

    let mut bookings = vec![replayed];
    for &clients in &options.clients {
        let mut server = Server::start(&binary);
        let id = server.publish();
        let requests = booking_requests(
            &instance,
            clients,
            options.bookings.max(1) * REQUESTS_PER_BOOKING,
        );
        let (mut run, cpu) = Cpu::measure(server.child.id(), || {
            booking_load(&server.url, &id, &requests, clients, options.bookings)
        });
        run.cpu = cpu;
        server.kill_and_restart(&binary);
        run.listed = listed_bookings(&server, &id);
        run.places_left = places_left(&server, &id, &instance);
        bookings.push(run);
    }
    if options.mixed > 0 {
        // Searches while bookings are made, on a fresh server: the same mix, the same
        // kind of booking requests.
        let clients = options.mixed;
        let mut server = Server::start(&binary);
        let id = server.publish();
        let requests = booking_requests(
            &instance,
            clients,
            options.bookings.max(1) * REQUESTS_PER_BOOKING,
        );
        let ((mut search, mut booking), cpu) = Cpu::measure(server.child.id(), || {
            search_load(&server.url, &id, &bodies, clients, || {
                booking_load(&server.url, &id, &requests, clients, options.bookings)
            })
        });
        // The CPU of both halves together: only how busy the cores were is shown.
        search.cpu = Cpu {
            shared: true,
            ..cpu
        };
        booking.cpu = search.cpu;
        search.clients = format!("{clients}, while {clients} book");
        booking.stopped = format!("{}, while {clients} search", booking.stopped);
        server.kill_and_restart(&binary);
        booking.listed = listed_bookings(&server, &id);
        booking.places_left = places_left(&server, &id, &instance);
        searches.push(search);
        bookings.push(booking);
    }

    println!(
        "search: POST /instances/{{id}}/search, {} s per run, the mix above (server book = library book with {} bookings), latency in ms:",
        options.seconds, library.bookings
    );
    println!();
    println!(
        "| clients | searches | searches/s | p50 | p90 | p99 | max | errors | server CPU µs/search | client CPU µs/search | cores busy |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for run in &searches {
        let l = &run.latencies;
        println!(
            "| {} | {} | {:.0} | {} | {} | {} | {} | {} | {} |",
            run.clients,
            l.len(),
            l.len() as f64 / run.seconds,
            ms(percentile(l, 50.0)),
            ms(percentile(l, 90.0)),
            ms(percentile(l, 99.0)),
            ms(l.last().copied().unwrap_or_default()),
            run.errors,
            run.cpu.cells(l.len() + run.errors, run.seconds)
        );
    }
    println!();
    println!(
        "bookings: POST /instances/{{id}}/bookings (a fresh server per run; the first row is the replay above), latency of the 201s in ms:"
    );
    println!();
    println!(
        "| clients | requests | 201 | 409 no_option | other | seconds | bookings/s | p50 | p90 | p99 | max | 409 p50 | listed after kill -9 + restart | places left | stopped | server CPU µs/request | client CPU µs/request | cores busy |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for run in &bookings {
        let c = &run.created;
        let requests = c.len() + run.no_option.len() + run.other;
        let (listed, left) = if run.stopped == "ledger replayed" {
            ("–".to_string(), "–".to_string())
        } else {
            (run.listed.to_string(), run.places_left.to_string())
        };
        println!(
            "| {} | {} | {} | {} | {} | {:.2} | {:.0} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            run.clients,
            requests,
            c.len(),
            run.no_option.len(),
            run.other,
            run.seconds,
            c.len() as f64 / run.seconds,
            ms(percentile(c, 50.0)),
            ms(percentile(c, 90.0)),
            ms(percentile(c, 99.0)),
            ms(c.last().copied().unwrap_or_default()),
            ms(percentile(&run.no_option, 50.0)),
            listed,
            left,
            run.stopped,
            run.cpu.cells(requests, run.seconds)
        );
    }
}
