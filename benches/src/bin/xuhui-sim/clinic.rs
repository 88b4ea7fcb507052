//! Dr. Zhang's screening clinic for four weeks, with and without the community pool
//! (six of its twenty places a morning held for the 13 centres' referrals, two per
//! centre a week, released a day ahead) and with and without waitlist offers of freed
//! places (docs/booking.md § Offers). Reports the wait of referrals and of general
//! patients, how many go unserved, what the offers did (made, accepted, days sooner for
//! the waitlisted) and how much of the held places referrals use.
//!
//! Rates assumed (and why): 15 general patients and 4 community referrals ask each open
//! day for the clinic's 20 places a morning, a clinic running nearly full, as a named
//! expert's does; referrals at about 1.5 per centre per week (the seed's screening
//! programme sends its high-risk findings on to the chest hospital's clinic); each
//! accepts any morning of the 10 days after the day it asks and takes the earliest;
//! 15 % cancel ahead, at a uniformly random time before their session (outpatient
//! clinics lose 10–20 % of appointments to cancellation). With offers, a patient who
//! could not be booked joins the waitlist, and 70 % of those booked later than the
//! first day they accept join it for something sooner (Fast Pass is opt-in); an offered
//! patient accepts 50 % of the time and declines 30 %, each answering 5–100 minutes
//! after the call, and 20 % do not answer within the two-hour hold (short-notice
//! places suit some patients and not others).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use houniao::booking::{BookingBook, Ledger, OfferState, PatientRequest, SessionRef};
use houniao::{Instance, Roster};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::arrivals::{Arrival, Demand, arrivals};
use super::{SCREENING, WEEKS, mean, percent, percentile, starts};

const GENERAL_PER_DAY: usize = 20;
const REFERRALS_PER_DAY: usize = 4;
const WINDOW_DAYS: i64 = 10;
const CANCEL_RATE: f64 = 0.15;
const OPT_IN: f64 = 0.7;
const ACCEPT: f64 = 0.5;
const DECLINE: f64 = 0.3;

#[derive(Debug, Clone)]
enum Event {
    Arrive(usize),
    Cancel(usize),
    Answer { offer: String, accept: bool },
}

/// What a patient holds.
#[derive(Debug, Clone, Default)]
struct Patient {
    booking: Option<(String, SessionRef)>,
    entry: Option<String>,
    cancelled: bool,
}

#[derive(Debug, Default)]
struct Figures {
    general_waits: Vec<i64>,
    referral_waits: Vec<i64>,
    general_unserved: usize,
    referral_unserved: usize,
    waitlisted: usize,
    days_sooner: Vec<i64>,
    served_from_waitlist: usize,
    offers: usize,
    accepted: usize,
    declined: usize,
    expired: usize,
    held_taken_by_referrals: usize,
    cancelled: usize,
}

fn patient_of(id: &str) -> usize {
    id.trim_start_matches("C-")
        .parse()
        .expect("a simulated patient")
}

struct Desk {
    instance: Arc<Instance>,
    book: BookingBook,
    arrivals: Vec<Arrival>,
    patients: Vec<Patient>,
    events: BTreeMap<(DateTime<Utc>, usize), Event>,
    sequence: usize,
    offers_seen: usize,
    rng: StdRng,
    figures: Figures,
    with_offers: bool,
}

impl Desk {
    fn schedule(&mut self, at: DateTime<Utc>, event: Event) {
        self.events.insert((at, self.sequence), event);
        self.sequence += 1;
    }

    fn request(&self, i: usize, latest: NaiveDate) -> PatientRequest {
        let arrival = &self.arrivals[i];
        PatientRequest {
            patient: format!("C-{i}"),
            referred_by: arrival.referred_by.clone(),
            ..PatientRequest::for_specialist(
                SCREENING,
                arrival.asked_on + Duration::days(1),
                latest,
            )
        }
    }

    fn join_waitlist(&mut self, i: usize, latest: NaiveDate, at: DateTime<Utc>) {
        let request = self.request(i, latest);
        let entry = self.book.join_waitlist(&request, at).expect("joins");
        self.patients[i].entry = Some(entry.id);
        self.figures.waitlisted += 1;
    }

    fn arrive(&mut self, i: usize, at: DateTime<Utc>) {
        let earliest = self.arrivals[i].asked_on + Duration::days(1);
        let latest = earliest + Duration::days(WINDOW_DAYS - 1);
        match self.book.book_best(&self.request(i, latest), at) {
            Ok(confirmation) => {
                let date = confirmation.option.session.date;
                self.patients[i].booking = Some((
                    confirmation.booking.id.clone(),
                    confirmation.option.session.clone(),
                ));
                if let Some(fraction) = self.arrivals[i].cancels_at {
                    let starts = starts(&self.instance, &confirmation.option.session);
                    let span = (starts - at - Duration::hours(2)).num_minutes().max(0);
                    let when = at + Duration::minutes((span as f64 * fraction) as i64);
                    self.schedule(when, Event::Cancel(i));
                }
                if self.with_offers && self.arrivals[i].opts_in && date > earliest {
                    self.join_waitlist(i, date - Duration::days(1), at);
                }
            }
            Err(_) if self.with_offers => self.join_waitlist(i, latest, at),
            Err(_) => {}
        }
    }

    fn cancel(&mut self, i: usize, at: DateTime<Utc>) {
        let patient = &mut self.patients[i];
        if let Some(entry) = patient.entry.take() {
            // Already off the waitlist (served by an offer) is fine.
            let _ = self.book.leave_waitlist(&entry, at);
        }
        if let Some((id, session)) = self.patients[i].booking.take() {
            if starts(&self.instance, &session) > at {
                self.book.cancel(&id, at).expect("cancels");
                self.patients[i].cancelled = true;
                self.figures.cancelled += 1;
            } else {
                // The session has begun: they came after all.
                self.patients[i].booking = Some((id, session));
            }
        }
    }

    fn answer(&mut self, offer: &str, accept: bool, at: DateTime<Utc>) {
        if !accept {
            // An offer withdrawn meanwhile (the patient cancelled) has nothing to decline.
            let _ = self.book.decline_offer(offer, at);
            return;
        }
        // Withdrawn meanwhile (the patient cancelled, or booked it by hand): nothing to take.
        let Ok(accepted) = self.book.accept_offer(offer, at) else {
            return;
        };
        let i = patient_of(&accepted.confirmation.booking.request.patient);
        let session = accepted.confirmation.option.session.clone();
        match self.patients[i].booking.take() {
            Some((_, before)) => self
                .figures
                .days_sooner
                .push((before.date - session.date).num_days()),
            None => self.figures.served_from_waitlist += 1,
        }
        self.patients[i].booking = Some((accepted.confirmation.booking.id.clone(), session));
        self.patients[i].entry = None;
    }

    /// What the service's ticker does (expire and pass on offers), then each new offer
    /// gets its patient's answer, or none.
    fn after(&mut self, at: DateTime<Utc>) {
        self.book.settle_offers(at);
        let new: Vec<_> = self.book.offers()[self.offers_seen..]
            .iter()
            .filter(|o| o.is_pending())
            .map(|o| (o.id.clone(), o.offered_at))
            .collect();
        self.offers_seen = self.book.offers().len();
        for (offer, offered_at) in new {
            let roll: f64 = self.rng.random_range(0.0..1.0);
            let after = offered_at + Duration::minutes(self.rng.random_range(5..=100));
            if roll < ACCEPT {
                self.schedule(
                    after,
                    Event::Answer {
                        offer,
                        accept: true,
                    },
                );
            } else if roll < ACCEPT + DECLINE {
                self.schedule(
                    after,
                    Event::Answer {
                        offer,
                        accept: false,
                    },
                );
            }
        }
    }

    fn run(mut self) -> Figures {
        while let Some(((at, _), event)) = self.events.pop_first() {
            self.book.set_clock(Some(at));
            match event {
                Event::Arrive(i) => self.arrive(i, at),
                Event::Cancel(i) => self.cancel(i, at),
                Event::Answer { offer, accept } => self.answer(&offer, accept, at),
            }
            self.after(at);
        }
        self.finish()
    }

    fn finish(mut self) -> Figures {
        let mut figures = std::mem::take(&mut self.figures);
        for (arrival, patient) in self.arrivals.iter().zip(&self.patients) {
            if patient.cancelled {
                continue;
            }
            let referral = arrival.referred_by.is_some();
            match (&patient.booking, referral) {
                (Some((_, session)), true) => figures
                    .referral_waits
                    .push((session.date - arrival.asked_on).num_days()),
                (Some((_, session)), false) => figures
                    .general_waits
                    .push((session.date - arrival.asked_on).num_days()),
                (None, true) => figures.referral_unserved += 1,
                (None, false) => figures.general_unserved += 1,
            }
        }
        let offers = self.book.offers();
        figures.offers = offers.len();
        let count = |state| offers.iter().filter(|o| o.state == state).count();
        figures.accepted = count(OfferState::Accepted);
        figures.declined = count(OfferState::Declined);
        figures.expired = count(OfferState::Expired);
        figures.held_taken_by_referrals = self
            .book
            .ledger()
            .bookings
            .iter()
            .filter(|b| b.is_active() && b.pool.is_some() && b.request.referred_by.is_some())
            .count();
        figures
    }
}

fn run(instance: &Instance, roster: &Roster, with_offers: bool, seed: u64) -> Figures {
    let instance = Arc::new(instance.clone());
    let demand = Demand {
        general: GENERAL_PER_DAY,
        referrals: REFERRALS_PER_DAY,
        cancel_rate: CANCEL_RATE,
        opt_in: Some(OPT_IN),
    };
    // A stream of its own, so that the CT desk's arrivals are those it had alone.
    let mut stream = StdRng::seed_from_u64(seed.wrapping_add(0x5eed_c11c));
    let arrivals = arrivals(&instance, demand, &mut stream);
    let book =
        BookingBook::open(instance.clone(), roster, Ledger::new(&instance.name)).expect("opens");
    let events = arrivals
        .iter()
        .enumerate()
        .map(|(i, a)| ((a.at, i), Event::Arrive(i)))
        .collect();
    Desk {
        patients: vec![Patient::default(); arrivals.len()],
        sequence: arrivals.len(),
        instance,
        book,
        arrivals,
        events,
        offers_seen: 0,
        rng: StdRng::seed_from_u64(seed.wrapping_add(0x0ff3)),
        figures: Figures::default(),
        with_offers,
    }
    .run()
}

/// The clinic's held places over the horizon: its pool's places in each of its
/// sessions in the roster.
fn held_places(instance: &Instance, roster: &Roster) -> usize {
    let Some(pool) = instance
        .specialist_ix(SCREENING)
        .and_then(|who| instance.pool_of(who))
    else {
        return 0;
    };
    let sessions: BTreeSet<_> = roster
        .assignments
        .iter()
        .filter(|a| a.specialist == SCREENING && a.activity == houniao::roster::Activity::Clinic)
        .map(|a| (a.date, a.session.clone()))
        .collect();
    pool.places as usize * sessions.len()
}

/// Runs the clinic in four variants and prints a table of them.
pub fn report(
    with_pool: &Instance,
    with_pool_roster: &Roster,
    without_pool: &Instance,
    without_pool_roster: &Roster,
    seed: u64,
) {
    println!(
        "Screening clinic: {WEEKS} weeks, {GENERAL_PER_DAY} general + {REFERRALS_PER_DAY} referral requests a day for 20 places a morning, window {WINDOW_DAYS} days, {:.0} % cancelled ahead; offers: {:.0} % opt in, {:.0} % accept, {:.0} % decline, the rest no answer in the 2 h hold; seed {seed}",
        CANCEL_RATE * 100.0,
        OPT_IN * 100.0,
        ACCEPT * 100.0,
        DECLINE * 100.0
    );
    println!(
        "| variant | referral wait, mean (p90) | general wait, mean (p90) | referrals unserved | general unserved | waitlisted | moved sooner: patients, mean days sooner | served from the waitlist | offers: accepted / declined / expired of made | held places used by referrals | cancellations |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    let variants = [
        ("pool, offers", with_pool, with_pool_roster, true),
        ("pool, no offers", with_pool, with_pool_roster, false),
        ("no pool, offers", without_pool, without_pool_roster, true),
        (
            "no pool, no offers",
            without_pool,
            without_pool_roster,
            false,
        ),
    ];
    for (name, instance, roster, with_offers) in variants {
        let f = run(instance, roster, with_offers, seed);
        let referrals = f.referral_waits.len() + f.referral_unserved;
        let general = f.general_waits.len() + f.general_unserved;
        let held = held_places(instance, roster);
        let held = if held > 0 {
            format!(
                "{} of {held} ({:.0} %)",
                f.held_taken_by_referrals,
                percent(f.held_taken_by_referrals, held)
            )
        } else {
            "—".into()
        };
        let offers = if with_offers {
            format!(
                "{} / {} / {} of {} ({:.0} % accepted)",
                f.accepted,
                f.declined,
                f.expired,
                f.offers,
                percent(f.accepted, f.offers)
            )
        } else {
            "—".into()
        };
        println!(
            "| {name} | {:.2} d ({} d) | {:.2} d ({} d) | {} of {referrals} | {} of {general} | {} | {}, {:.2} d | {} | {offers} | {held} | {} |",
            mean(&f.referral_waits),
            percentile(&f.referral_waits, 0.9),
            mean(&f.general_waits),
            percentile(&f.general_waits, 0.9),
            f.referral_unserved,
            f.general_unserved,
            f.waitlisted,
            f.days_sooner.len(),
            mean(&f.days_sooner),
            f.served_from_waitlist,
            f.cancelled
        );
    }
}
