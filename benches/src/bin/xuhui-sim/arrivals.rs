//! The stream of patients asking at a desk: each open day of the horizon but the last,
//! so many general patients and so many community referrals (from a centre drawn at
//! random) arrive between 08:00 and 17:00; some will cancel, some would take an offer
//! of something sooner.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use houniao::Instance;
use houniao::booking::from_session_clock;
use rand::Rng;
use rand::rngs::StdRng;

/// How many ask, and how they behave.
#[derive(Debug, Clone, Copy)]
pub struct Demand {
    /// General patients a day.
    pub general: usize,
    /// Community referrals a day.
    pub referrals: usize,
    /// The share who cancel ahead.
    pub cancel_rate: f64,
    /// The share who would join the waitlist for something sooner, where the desk asks.
    pub opt_in: Option<f64>,
}

/// One patient asking.
#[derive(Debug, Clone)]
pub struct Arrival {
    pub at: DateTime<Utc>,
    pub asked_on: NaiveDate,
    pub referred_by: Option<String>,
    /// Whether, and how far between booking and session (0–1), they cancel.
    pub cancels_at: Option<f64>,
    /// Whether they would join the waitlist for something sooner.
    pub opts_in: bool,
}

/// The arrivals of the whole horizon, in time order.
pub fn arrivals(instance: &Instance, demand: Demand, rng: &mut StdRng) -> Vec<Arrival> {
    let centres: Vec<String> = instance
        .sites
        .iter()
        .filter(|s| s.kind == houniao::instance::SiteKind::Community)
        .map(|s| s.id.clone())
        .collect();
    let days: Vec<NaiveDate> = instance.calendar.open_dates();
    let mut out = Vec::new();
    for day in &days[..days.len().saturating_sub(1)] {
        let opening = from_session_clock(day.and_hms_opt(8, 0, 0).expect("time"));
        for k in 0..demand.general + demand.referrals {
            let referred_by =
                (k >= demand.general).then(|| centres[rng.random_range(0..centres.len())].clone());
            let cancels_at = rng
                .random_bool(demand.cancel_rate)
                .then(|| rng.random_range(0.0..1.0));
            let at = opening + Duration::minutes(rng.random_range(0..540));
            let opts_in = demand.opt_in.is_some_and(|p| rng.random_bool(p));
            out.push(Arrival {
                at,
                asked_on: *day,
                referred_by,
                cancels_at,
                opts_in,
            });
        }
    }
    out.sort_by_key(|a| a.at);
    out
}
