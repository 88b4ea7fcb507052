//! Four weeks of the Xuhui desks (seed 001): the CT desk with and without the community
//! pool (`ct`), and Dr. Zhang's screening clinic with and without the pool and with and
//! without waitlist offers of freed places (`clinic`). Each day outpatients and
//! community referrals ask for a place in the next days and take the best the desk
//! gives them; some cancel before their session.
//!
//! ```text
//! cargo run --release -p houniao-benches --bin xuhui-sim [SEED]
//! ```
//!
//! The rates each desk assumes, and why, are in its module; docs/performance.md
//! § Xuhui has the figures.

mod arrivals;
mod clinic;
mod ct;

use std::sync::atomic::AtomicBool;

use chrono::{DateTime, NaiveDate, Utc};
use houniao::booking::{SessionRef, from_session_clock};
use houniao::instance::SourceFormat;
use houniao::instance::load::parse;
use houniao::instance::raw::RawPin;
use houniao::solve::{SolveOptions, solve};
use houniao::{Instance, Roster};

/// How many weeks are simulated.
pub const WEEKS: i64 = 4;

/// The screening clinic's specialist, rostered every weekday morning.
pub const SCREENING: &str = "zhang-wei";

/// The Xuhui week stretched to four weeks, without its requests (the desks take them),
/// with the screening clinic pinned to every weekday morning (nothing else would open
/// its sessions: the roster is solved without requests), with or without the pools.
pub fn instance(with_pool: bool) -> Instance {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let text = std::fs::read_to_string(root.join("instances/xuhui-screening.toml"))
        .expect("the shipped Xuhui instance");
    let (mut raw, _) = parse(&text, SourceFormat::Toml).expect("parses");
    if let Some(horizon) = raw.horizon.as_mut() {
        horizon.weeks = Some(WEEKS);
    }
    raw.requests.clear();
    if !with_pool {
        raw.pools.clear();
    }
    let dates: Vec<NaiveDate> = Instance::from_raw(&raw)
        .expect("valid")
        .calendar
        .open_dates();
    raw.pins.extend(dates.iter().map(|date| RawPin {
        specialist: Some(SCREENING.into()),
        date: Some(date.to_string()),
        session: Some("am".into()),
        activity: Some("clinic".into()),
        site: Some("chest".into()),
        ..RawPin::default()
    }));
    Instance::from_raw(&raw).expect("valid")
}

/// The instance's roster, solved.
pub fn roster(instance: &Instance) -> Roster {
    let options = SolveOptions {
        time_limit: 30.0,
        threads: 1,
        ..SolveOptions::default()
    };
    solve(instance, options, &mut |_| {}, &AtomicBool::new(false))
        .expect("solves")
        .roster
}

/// When a session starts, as a UTC instant.
pub fn starts(instance: &Instance, session: &SessionRef) -> DateTime<Utc> {
    let start = instance
        .calendar
        .session_index(&session.session)
        .map(|s| instance.calendar.sessions()[s].start)
        .expect("session");
    from_session_clock(session.date.and_time(start))
}

/// The mean of whole days.
pub fn mean(values: &[i64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.iter().sum::<i64>() as f64 / values.len() as f64
}

/// The `p` quantile of whole days (nearest rank).
pub fn percentile(values: &[i64], p: f64) -> i64 {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    sorted
        .get(((sorted.len() as f64 - 1.0) * p).round() as usize)
        .copied()
        .unwrap_or(0)
}

/// A percentage, "0" when there is nothing to divide.
pub fn percent(part: usize, whole: usize) -> f64 {
    100.0 * part as f64 / whole.max(1) as f64
}

fn main() {
    let seed = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let with_pool = instance(true);
    let without_pool = instance(false);
    let rosters = [roster(&with_pool), roster(&without_pool)];
    ct::report(&with_pool, &rosters[0], &without_pool, &rosters[1], seed);
    println!();
    clinic::report(&with_pool, &rosters[0], &without_pool, &rosters[1], seed);
}
