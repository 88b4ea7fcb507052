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

use std::path::PathBuf;
use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use houniao::Instance;
use houniao::booking::{Ledger, PatientRequest, SearchResult};
use houniao_benches::call_centre::{
    BOOKING_SEED, BOOKINGS, INSTANCE, Lcg, ROSTER, SearchKind, search_mix, setup,
};
use houniao_benches::service::{
    AGENT, Cpu, Server, agent, fdatasync_probe, ms, percentile, post, workspace_path,
};
use serde_json::{Value, json};

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
    let (id, _) = server.publish(INSTANCE, ROSTER);
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
        let (id, _) = server.publish(INSTANCE, ROSTER);
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
        let (id, _) = server.publish(INSTANCE, ROSTER);
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
