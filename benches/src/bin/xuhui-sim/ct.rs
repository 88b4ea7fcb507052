//! The Xuhui CT desk for four weeks, with and without the community pool:
//! every open day, outpatients and community referrals ask for a CT in the next days and
//! take the best place the desk gives them; some cancel before their session. Reports
//! the wait of referrals and of general patients, how many go unserved, and how much of
//! the held places referrals use.
//!
//! Rates assumed (and why): 39 general outpatient CT requests and 6 community referrals
//! per open day against 40 CT places a day (two scanners, two sessions, ten places):
//! with the 12 % who cancel, about as many bookings stay as there are places, a desk
//! running full, as a chest hospital's scanners do; referrals at about 2.3
//! per centre per week (the seed's ~30,000 first screenings a year across 13 centres,
//! of which a high-risk few are sent to CT); each request accepts the 5 days after the
//! day it is made; 12 % of bookings are cancelled ahead, at a uniformly random time
//! before the session (outpatient imaging cancels 10–20 % of appointments).

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use houniao::booking::{BookingBook, Ledger, PatientRequest};
use houniao::{Instance, Roster};
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::arrivals::{Demand, arrivals};
use super::{WEEKS, mean, percentile, starts};

const GENERAL_PER_DAY: usize = 39;
const REFERRALS_PER_DAY: usize = 6;
const WINDOW_DAYS: i64 = 5;
const CANCEL_RATE: f64 = 0.12;

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

fn run(instance: &Instance, roster: &Roster, seed: u64) -> Figures {
    let demand = Demand {
        general: GENERAL_PER_DAY,
        referrals: REFERRALS_PER_DAY,
        cancel_rate: CANCEL_RATE,
        opt_in: None,
    };
    let arrivals = arrivals(instance, demand, &mut StdRng::seed_from_u64(seed));
    let instance = Arc::new(instance.clone());
    let mut book =
        BookingBook::open(instance.clone(), roster, Ledger::new(&instance.name)).expect("opens");
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
                            let starts = starts(&instance, &confirmation.option.session);
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

/// Runs the desk with and without the pool and prints a table of both.
pub fn report(
    with_pool: &Instance,
    with_pool_roster: &Roster,
    without_pool: &Instance,
    without_pool_roster: &Roster,
    seed: u64,
) {
    let held_places: usize = {
        let instance = with_pool;
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
        "CT desk: {WEEKS} weeks, {GENERAL_PER_DAY} general + {REFERRALS_PER_DAY} referral CT requests a day, window {WINDOW_DAYS} days, {:.0} % cancelled ahead, seed {seed}",
        CANCEL_RATE * 100.0
    );
    println!(
        "| variant | referral wait, mean (p90) | general wait, mean (p90) | referrals unserved | general unserved | held places used by referrals | cancellations |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (name, instance, roster) in [
        ("with the pool", with_pool, with_pool_roster),
        ("without the pool", without_pool, without_pool_roster),
    ] {
        let f = run(instance, roster, seed);
        let with_pool = !instance.resource_pools.is_empty();
        let referrals = f.referral_waits.len() + f.referral_unserved;
        let general = f.general_waits.len() + f.general_unserved;
        let held = if with_pool {
            format!(
                "{} of {held_places} ({:.0} %); {} released to others",
                f.held_taken_by_referrals,
                100.0 * f.held_taken_by_referrals as f64 / held_places.max(1) as f64,
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
