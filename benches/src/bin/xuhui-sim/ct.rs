//! Four weeks of the Xuhui CT desk (seed 001), with and without the community pool:
//! every open day, outpatients and community referrals ask for a CT in the next days and
//! take the best place the desk gives them; some cancel before their session. Reports
//! the wait of referrals and of general patients, how many go unserved, and how much of
//! the held places referrals use.
//!
//! ```text
//! cargo run --release -p houniao-benches --bin xuhui-sim [SEED]
//! ```
//!
//! Rates assumed (and why): 32 general outpatient CT requests and 6 community referrals
//! per open day against 40 CT places a day (two scanners, two sessions, ten places),
//! i.e. a desk running full, as a chest hospital's scanners do; referrals at about 2.3
//! per centre per week (the seed's ~30,000 first screenings a year across 13 centres,
//! of which a high-risk few are sent to CT); each request accepts the 5 days after the
//! day it is made; 12 % of bookings are cancelled ahead, at a uniformly random time
//! before the session (outpatient imaging cancels 10–20 % of appointments).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use houniao::Instance;
use houniao::booking::{BookingBook, Ledger, PatientRequest, from_session_clock};
use houniao::instance::SourceFormat;
use houniao::instance::load::parse;
use houniao::solve::{SolveOptions, solve};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const GENERAL_PER_DAY: usize = 32;
const REFERRALS_PER_DAY: usize = 6;
const WINDOW_DAYS: i64 = 5;
const CANCEL_RATE: f64 = 0.12;
const WEEKS: i64 = 4;

/// One patient asking for a CT.
#[derive(Debug, Clone)]
struct Arrival {
    at: DateTime<Utc>,
    asked_on: NaiveDate,
    referred_by: Option<String>,
    /// Whether, and how far between booking and session (0–1), they cancel.
    cancels_at: Option<f64>,
}

#[derive(Debug, Clone)]
enum Event {
    Arrive(usize),
    Cancel(String),
}

#[derive(Debug, Default)]
struct Figures {
    general_waits: Vec<i64>,
    referral_waits: Vec<i64>,
    general_unserved: usize,
    referral_unserved: usize,
    held_taken: usize,
    held_taken_by_referrals: usize,
    cancelled: usize,
}

fn mean(values: &[i64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.iter().sum::<i64>() as f64 / values.len() as f64
}

fn percentile(values: &[i64], p: f64) -> i64 {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    sorted
        .get(((sorted.len() as f64 - 1.0) * p).round() as usize)
        .copied()
        .unwrap_or(0)
}

/// The Xuhui week stretched to four weeks, without its requests (the desk takes them),
/// with or without the CT pool.
fn instance(with_pool: bool) -> Instance {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let text = std::fs::read_to_string(root.join("instances/xuhui-screening.toml"))
        .expect("the shipped Xuhui instance");
    let (mut raw, _) = parse(&text, SourceFormat::Toml).expect("parses");
    if let Some(horizon) = raw.horizon.as_mut() {
        horizon.weeks = Some(WEEKS);
    }
    raw.requests.clear();
    if !with_pool {
        raw.pools.retain(|pool| pool.resource.is_none());
    }
    Instance::from_raw(&raw).expect("valid")
}

fn arrivals(instance: &Instance, seed: u64) -> Vec<Arrival> {
    let mut rng = StdRng::seed_from_u64(seed);
    let centres: Vec<String> = instance
        .sites
        .iter()
        .filter(|s| s.kind == houniao::instance::SiteKind::Community)
        .map(|s| s.id.clone())
        .collect();
    let mut out = Vec::new();
    // Requests are made on every open day of the horizon but the last.
    let days: Vec<NaiveDate> = instance.calendar.dates().collect();
    for day in &days[..days.len().saturating_sub(1)] {
        let opening = from_session_clock(day.and_hms_opt(8, 0, 0).expect("time"));
        let count = GENERAL_PER_DAY + REFERRALS_PER_DAY;
        for k in 0..count {
            let referred_by =
                (k >= GENERAL_PER_DAY).then(|| centres[rng.random_range(0..centres.len())].clone());
            let cancels_at = rng
                .random_bool(CANCEL_RATE)
                .then(|| rng.random_range(0.0..1.0));
            out.push(Arrival {
                at: opening + Duration::minutes(rng.random_range(0..540)),
                asked_on: *day,
                referred_by,
                cancels_at,
            });
        }
    }
    out.sort_by_key(|a| a.at);
    out
}

fn run(with_pool: bool, seed: u64) -> Figures {
    let instance = instance(with_pool);
    let options = SolveOptions {
        time_limit: 30.0,
        threads: 1,
        ..SolveOptions::default()
    };
    let roster = solve(&instance, options, &mut |_| {}, &AtomicBool::new(false))
        .expect("solves")
        .roster;
    let arrivals = arrivals(&instance, seed);
    let instance = Arc::new(instance);
    let mut book =
        BookingBook::open(instance.clone(), &roster, Ledger::new(&instance.name)).expect("opens");
    let mut events: BTreeMap<(DateTime<Utc>, usize), Event> = arrivals
        .iter()
        .enumerate()
        .map(|(i, a)| ((a.at, i), Event::Arrive(i)))
        .collect();
    let mut figures = Figures::default();
    let mut sequence = arrivals.len();
    while let Some(((at, _), event)) = events.pop_first() {
        book.set_clock(Some(at));
        match event {
            Event::Arrive(i) => {
                let arrival = &arrivals[i];
                let earliest = arrival.asked_on + Duration::days(1);
                let request = PatientRequest {
                    patient: format!("P-{i}"),
                    specialist: None,
                    discipline: None,
                    sites: Vec::new(),
                    earliest,
                    latest: earliest + Duration::days(WINDOW_DAYS - 1),
                    substitute_ok: false,
                    priority: 1,
                    referred_by: arrival.referred_by.clone(),
                    resource: None,
                    resource_kind: Some("ct".into()),
                };
                match book.book_best(&request, at) {
                    Ok(confirmation) => {
                        let wait = (confirmation.option.session.date - arrival.asked_on).num_days();
                        if arrival.referred_by.is_some() {
                            figures.referral_waits.push(wait);
                        } else {
                            figures.general_waits.push(wait);
                        }
                        if confirmation.booking.pool.is_some() {
                            figures.held_taken += 1;
                            if arrival.referred_by.is_some() {
                                figures.held_taken_by_referrals += 1;
                            }
                        }
                        if let Some(fraction) = arrival.cancels_at {
                            let session = &confirmation.option.session;
                            let start = instance
                                .calendar
                                .session_index(&session.session)
                                .map(|s| instance.calendar.sessions()[s].start)
                                .expect("session");
                            let starts = from_session_clock(session.date.and_time(start));
                            let span = (starts - at - Duration::hours(2)).num_minutes().max(0);
                            let when = at + Duration::minutes((span as f64 * fraction) as i64);
                            events.insert(
                                (when, sequence),
                                Event::Cancel(confirmation.booking.id.clone()),
                            );
                            sequence += 1;
                        }
                    }
                    Err(_) if arrival.referred_by.is_some() => figures.referral_unserved += 1,
                    Err(_) => figures.general_unserved += 1,
                }
            }
            Event::Cancel(id) => {
                if book.cancel(&id, at).is_ok() {
                    figures.cancelled += 1;
                }
            }
        }
    }
    figures
}

fn main() {
    let seed = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let held_per_week: usize = {
        let instance = instance(true);
        let ct1 = instance.resource_ix("ct-1").expect("ct-1");
        let places = instance.resource_pool_of(ct1).map_or(0, |p| p.places) as usize;
        let sessions = instance
            .calendar
            .dates()
            .flat_map(|d| (0..instance.calendar.sessions().len()).map(move |s| (d, s)))
            .filter(|(d, s)| instance.resource_runs(ct1, *d, *s))
            .count();
        places * sessions
    };
    println!(
        "xuhui-sim: {WEEKS} weeks, {GENERAL_PER_DAY} general + {REFERRALS_PER_DAY} referral CT requests a day, window {WINDOW_DAYS} days, {:.0} % cancelled ahead, seed {seed}",
        CANCEL_RATE * 100.0
    );
    println!(
        "| variant | referral wait, mean (p90) | general wait, mean (p90) | referrals unserved | general unserved | held places used by referrals | cancellations |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (name, with_pool) in [("with the pool", true), ("without the pool", false)] {
        let f = run(with_pool, seed);
        let referrals = f.referral_waits.len() + f.referral_unserved;
        let general = f.general_waits.len() + f.general_unserved;
        let held = if with_pool {
            format!(
                "{} of {held_per_week} ({:.0} %); {} released to others",
                f.held_taken_by_referrals,
                100.0 * f.held_taken_by_referrals as f64 / held_per_week.max(1) as f64,
                f.held_taken - f.held_taken_by_referrals
            )
        } else {
            "—".into()
        };
        println!(
            "| {name} | {:.2} d ({} d) | {:.2} d ({} d) | {} of {referrals} | {} of {general} | {held} | {} |",
            mean(&f.referral_waits),
            percentile(&f.referral_waits, 0.9),
            mean(&f.general_waits),
            percentile(&f.general_waits, 0.9),
            f.referral_unserved,
            f.general_unserved,
            f.cancelled
        );
    }
}
