//! Prints the checked-edits-over-HTTP figures of docs/performance.md: `houniao serve`
//! started as a process on a loopback port (its own SQLite database in a temporary
//! directory), the beilun-oncology instance and its roster uploaded and published, then
//! the one drag-and-drop move of `houniao_benches::board::one_move` (the move timed by
//! `edits-latency`) sent as `POST /rosters/{id}/edits` over one keep-alive connection,
//! request after request, each storing a new draft.
//!
//! The first answer is compared with `houniao::edits::apply_edits` in this process
//! (violations, objective delta, the draft). Then, after untimed warm-up requests,
//!
//! - **edits**: the move, timed by the client from sending the request to having read
//!   the whole answer (which carries the draft, as large as the roster), and by the
//!   server (its request log's `latency_ms`: routing, authorisation, the work, the
//!   answer serialised; not the socket);
//! - **read**: `GET /rosters/{id}` of a draft, an answer of the same size without the
//!   work: what the transport and the JSON cost.
//!
//! With the server's and the client's CPU per request (Linux `/proc`: both share the
//! machine's cores) and the time of a 4 KiB append + `fdatasync` where the database is.
//! `--db-dir /dev/shm` puts the database on a tmpfs, where a sync costs nothing: the
//! difference is what durable draft storage costs. Nothing is asserted but the first
//! answer: it is a measurement.
//!
//! Run (the release binary first):
//!
//! ```sh
//! cargo build --release -p houniao-service
//! cargo run --release -p houniao-benches --bin edits-http -- [--requests 1000] [--db-dir DIR] [--houniao PATH]
//! ```

use std::path::PathBuf;
use std::time::{Duration, Instant};

use houniao::edits::apply_edits;
use houniao_benches::board::{INSTANCE, ROSTER, load, one_move};
use houniao_benches::service::{
    Cpu, SCHEDULER, Server, agent, fdatasync_probe, get, ms, percentile, post, workspace_path,
};
use serde_json::{Value, json};

/// Untimed requests before each run.
const WARM_UP: usize = 50;
/// A server time counted as slow.
const SLOW: Duration = Duration::from_millis(10);

/// What to run.
struct Options {
    houniao: PathBuf,
    requests: usize,
    db_dir: Option<PathBuf>,
}

impl Options {
    fn parse() -> Options {
        let mut options = Options {
            houniao: workspace_path("target/release/houniao"),
            requests: 1000,
            db_dir: None,
        };
        let mut args = std::env::args().skip(1);
        while let Some(flag) = args.next() {
            let mut value = || {
                args.next()
                    .unwrap_or_else(|| usage(&format!("{flag} needs a value")))
            };
            match flag.as_str() {
                "--houniao" => options.houniao = PathBuf::from(value()),
                "--requests" => {
                    options.requests = match value().parse() {
                        Ok(n) if n > 0 => n,
                        _ => usage("--requests needs a positive number"),
                    }
                }
                "--db-dir" => options.db_dir = Some(PathBuf::from(value())),
                "-h" | "--help" => usage(""),
                other => usage(&format!("unknown argument {other:?}")),
            }
        }
        options
    }
}

fn usage(problem: &str) -> ! {
    if !problem.is_empty() {
        eprintln!("edits-http: {problem}");
    }
    eprintln!("usage: edits-http [--houniao PATH] [--requests 1000] [--db-dir DIR]");
    std::process::exit(2)
}

/// A run's latencies (sorted) and the CPU it used.
struct Run {
    name: &'static str,
    latencies: Vec<Duration>,
    errors: usize,
    seconds: f64,
    cpu: Cpu,
}

/// `requests` timed calls of `call` (which answers whether it got the expected status)
/// after the warm-up.
fn run(
    name: &'static str,
    server: &Server,
    requests: usize,
    mut call: impl FnMut() -> bool,
) -> Run {
    for _ in 0..WARM_UP {
        call();
    }
    let ((mut latencies, errors, seconds), cpu) = Cpu::measure(server.child.id(), || {
        let mut latencies = Vec::with_capacity(requests);
        let mut errors = 0;
        let started = Instant::now();
        for _ in 0..requests {
            let sent = Instant::now();
            if call() {
                latencies.push(sent.elapsed());
            } else {
                errors += 1;
            }
        }
        (latencies, errors, started.elapsed().as_secs_f64())
    });
    latencies.sort_unstable();
    Run {
        name,
        latencies,
        errors,
        seconds,
        cpu,
    }
}

/// The server's own latency of each `route` request in its log (`latency_ms`), in log
/// order.
fn server_latencies(log: &str, route: &str) -> Vec<Duration> {
    log.lines()
        .filter(|line| line.contains(&format!("route={route} ")))
        .filter_map(|line| {
            let rest = line.split_once("latency_ms=")?.1;
            let number: String = rest
                .trim_start_matches('"')
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            number.parse::<f64>().ok()
        })
        .map(|ms| Duration::from_secs_f64(ms / 1e3))
        .collect()
}

fn row(name: &str, l: &[Duration], errors: usize, cells: &str) {
    let mean = l.iter().sum::<Duration>() / l.len().max(1) as u32;
    println!(
        "| {name} | {} | {} | {} | {} | {} | {} | {errors} | {cells} |",
        l.len(),
        ms(mean),
        ms(percentile(l, 50.0)),
        ms(percentile(l, 90.0)),
        ms(percentile(l, 99.0)),
        ms(l.last().copied().unwrap_or_default()),
    );
}

fn main() {
    let options = Options::parse();
    assert!(
        options.houniao.exists(),
        "{} is missing: run `cargo build --release -p houniao-service` (or pass --houniao PATH)",
        options.houniao.display()
    );
    let (instance, roster) = load();
    let edits = one_move(&instance, &roster);
    let expected = apply_edits(&instance, &roster, &edits).expect("the move applies");
    let body = serde_json::to_vec(&json!({ "edits": edits })).expect("the body serialises");

    let server = Server::start_in(&options.houniao, options.db_dir.as_deref());
    let sync = fdatasync_probe(server.dir.path());
    let (_, roster_id) = server.publish(INSTANCE, ROSTER);
    let endpoint = format!("{}/rosters/{roster_id}/edits", server.url);
    let client = agent();

    // The first answer, against the library's.
    let (status, bytes) =
        post(&client, &endpoint, SCHEDULER, "application/json", &body).expect("an answer");
    let answer: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["violations"], json!(expected.violations));
    assert_eq!(
        answer["objective_delta"].as_f64(),
        Some(expected.objective_delta)
    );
    assert_eq!(answer["draft"], json!(expected.draft));
    let draft_id = answer["roster_id"]
        .as_str()
        .expect("a draft id")
        .to_string();
    println!(
        "{INSTANCE}: {} assignments, {} bookings; POST /rosters/{{id}}/edits with {} ({} bytes): 201, \
         the library's answer (breaks {:?}, objective delta {}); answers {:.1} KiB",
        roster.assignments.len(),
        roster.bookings.len(),
        String::from_utf8_lossy(&body),
        body.len(),
        expected.broken_rules(),
        expected.objective_delta,
        bytes.len() as f64 / 1024.0
    );
    println!(
        "database in {}: 4 KiB append + fdatasync {} ms (mean of 200)",
        server.dir.path().display(),
        ms(sync)
    );
    println!();

    let edit_run = run(
        "POST /rosters/{id}/edits (one move)",
        &server,
        options.requests,
        || {
            matches!(
                post(&client, &endpoint, SCHEDULER, "application/json", &body),
                Ok((201, _))
            )
        },
    );
    let read_url = format!("{}/rosters/{draft_id}", server.url);
    let read_run = run(
        "GET /rosters/{id} (a draft)",
        &server,
        options.requests,
        || matches!(get(&client, &read_url, SCHEDULER), Ok((200, _))),
    );
    // The server's own figures: the timed edits are the last `requests` in its log.
    let mut logged = server_latencies(&server.log(), "/rosters/{id}/edits");
    let mut logged = logged.split_off(logged.len().saturating_sub(options.requests));
    // Where the slow ones are (periodic ones are the database's WAL checkpoints).
    let slow: Vec<usize> = logged
        .iter()
        .enumerate()
        .filter(|(_, d)| **d > SLOW)
        .map(|(i, _)| i)
        .collect();
    let mut gaps: Vec<usize> = slow.windows(2).map(|w| w[1] - w[0]).collect();
    gaps.sort_unstable();
    logged.sort_unstable();

    println!(
        "{} requests after {WARM_UP} untimed, one client on one keep-alive connection, latency in ms:",
        options.requests
    );
    println!();
    println!(
        "| what | requests | mean | p50 | p90 | p99 | max | errors | server CPU µs/request | client CPU µs/request | cores busy |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for run in [&edit_run, &read_run] {
        let cells = run.cpu.cells(run.latencies.len() + run.errors, run.seconds);
        row(run.name, &run.latencies, run.errors, &cells);
    }
    row(
        "… the edits as the server's log times them",
        &logged,
        0,
        "– | – | –",
    );
    println!();
    println!(
        "edits the server took over {} ms for: {} of {}; requests between them: median {}, least {}",
        ms(SLOW),
        slow.len(),
        logged.len(),
        gaps.get(gaps.len() / 2)
            .map_or("–".to_string(), ToString::to_string),
        gaps.first().map_or("–".to_string(), ToString::to_string),
    );
}
