//! Re-planning after publication ("Dr. Liu cannot travel next Tuesday"): a roster valid
//! for the changed instance that changes the published one as little as possible, and
//! the list of what moved and which patients must be called.
//!
//! The MILP is solved with a bonus for every published decision it keeps
//! ([`Stability`]): `keep_assignment` per clinic, studio or MDT place and surgery kept
//! in its slot, `keep_booking` per booking kept, and per call-centre booking a session
//! holds. With the defaults a kept booking outweighs any new one (`unserved_request`
//! × priority 5 = 500 < 1000), and an unaffected person's assignment is moved only when
//! that gains more than 30 in the §4 objective. The call-centre ledger is then re-booked
//! into the new roster: each booking in its old session when it still exists, else the
//! best session for its request, else unplaced.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use chrono::NaiveDate;
use serde::Serialize;

use crate::booking::{BookingBook, Ledger, OfferState, SessionRef};
use crate::instance::Instance;
use crate::roster::{Assignment, Roster};
use crate::schedule::Schedule;
use crate::solve::{Progress, SolveError, SolveOptions, SolveReport, Stability, solve_near};

/// What keeping the published roster is worth (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RepairWeights {
    /// Per published assignment kept.
    pub keep_assignment: f64,
    /// Per booking kept, and per call-centre booking a kept session holds.
    pub keep_booking: f64,
}

impl Default for RepairWeights {
    fn default() -> Self {
        RepairWeights {
            keep_assignment: 30.0,
            keep_booking: 1000.0,
        }
    }
}

/// How a repair works: what keeping the published roster is worth, and which days
/// are history.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct RepairOptions {
    /// The keeping bonuses.
    pub weights: RepairWeights,
    /// Every published entry dated before this date is kept exactly as it is (and
    /// nothing is added on those dates).
    pub freeze_until: Option<NaiveDate>,
}

/// Why a repair could not be made.
#[derive(Debug, thiserror::Error)]
pub enum RepairError {
    /// The past cannot be frozen into the changed instance.
    #[error(transparent)]
    Freeze(#[from] crate::pins::freeze::FreezeError),
    /// The changed instance (with the frozen past) has no roster.
    #[error(transparent)]
    Solve(#[from] SolveError),
}

/// One (specialist, date, session) whose activity changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Move {
    /// Specialist id.
    pub specialist: String,
    /// The date.
    pub date: NaiveDate,
    /// The session id.
    pub session: String,
    /// What they did on the published roster, if anything.
    pub before: Option<String>,
    /// What they do now, if anything.
    pub after: Option<String>,
}

/// A patient whose appointment changed: the call centre must call them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatientCall {
    /// The request id (roster bookings) or the ledger's booking id.
    pub booking: String,
    /// Opaque patient reference.
    pub patient: String,
    /// Where they were booked.
    pub before: SessionRef,
    /// Where they are booked now; `None`: unplaced.
    pub after: Option<SessionRef>,
}

/// The repaired roster and what changed.
#[derive(Debug, Clone)]
pub struct RepairOutcome {
    /// The solve of the changed instance near the published roster.
    pub report: SolveReport,
    /// Assignments that changed, in date, session, specialist order.
    pub moves: Vec<Move>,
    /// Patients to call.
    pub calls: Vec<PatientCall>,
    /// The ledger re-booked into the new roster (ids kept), when one was given.
    pub ledger: Option<Ledger>,
}

/// Repairs a published roster for a changed instance. `ledger` holds the call-centre
/// bookings made since publication.
pub fn repair(
    changed: &Instance,
    published: &Roster,
    ledger: Option<&Ledger>,
    plan: RepairOptions,
    options: SolveOptions,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<RepairOutcome, RepairError> {
    let weights = plan.weights;
    let frozen_instance;
    let changed = match plan.freeze_until {
        Some(until) => {
            let mut instance = changed.clone();
            instance
                .pins
                .extend(crate::pins::freeze::frozen_pins(changed, published, until)?);
            frozen_instance = instance;
            &frozen_instance
        }
        None => changed,
    };
    let released: BTreeSet<&str> = ledger
        .into_iter()
        .flat_map(|l| l.released.iter().map(|r| r.request.as_str()))
        .collect();
    let mut reference = Schedule::from_roster(changed, published);
    reference
        .appointments
        .retain(|a| !released.contains(changed.requests[a.request.0].id.as_str()));
    let mut held_bookings: BTreeMap<_, u32> = BTreeMap::new();
    for record in ledger
        .into_iter()
        .flat_map(|l| &l.bookings)
        .filter(|b| b.is_active())
    {
        let session = &record.session;
        if let (Some(who), Some(slot)) = (
            changed.specialist_ix(&session.specialist),
            changed.calendar.slot(session.date, &session.session),
        ) {
            *held_bookings.entry((who, slot)).or_default() += 1;
        }
    }
    let stability = Stability {
        reference,
        keep_assignment: weights.keep_assignment,
        keep_booking: weights.keep_booking,
        held_bookings,
        frozen_until: plan.freeze_until,
    };
    let report = solve_near(changed, options, Some(&stability), progress, cancel)?;
    let moves = moves(published, &report.roster);
    let mut calls = roster_calls(changed, published, &report.roster, &released);
    let ledger = match ledger {
        Some(ledger) => {
            let (rebooked, ledger_calls) =
                rebook(changed, &report.roster, ledger, plan.freeze_until);
            calls.extend(ledger_calls);
            Some(rebooked)
        }
        None => None,
    };
    Ok(RepairOutcome {
        report,
        moves,
        calls,
        ledger,
    })
}

fn describe(a: &Assignment) -> String {
    let mut text = a.activity.name().to_string();
    for part in [&a.board, &a.studio, &a.discipline, &a.room, &a.site]
        .into_iter()
        .flatten()
    {
        text.push(' ');
        text.push_str(part);
    }
    if a.remote == Some(true) {
        text.push_str(" (remote)");
    }
    text
}

/// Assignments that differ between two rosters, per (specialist, date, session).
pub fn moves(before: &Roster, after: &Roster) -> Vec<Move> {
    type Key = (NaiveDate, String, String);
    let index = |roster: &Roster| -> BTreeMap<Key, String> {
        roster
            .assignments
            .iter()
            .map(|a| {
                (
                    (a.date, a.session.clone(), a.specialist.clone()),
                    describe(a),
                )
            })
            .collect()
    };
    let (old, new) = (index(before), index(after));
    let keys: BTreeSet<&Key> = old.keys().chain(new.keys()).collect();
    keys.into_iter()
        .filter(|k| old.get(*k) != new.get(*k))
        .map(|(date, session, specialist)| {
            let key = (*date, session.clone(), specialist.clone());
            Move {
                specialist: specialist.clone(),
                date: *date,
                session: session.clone(),
                before: old.get(&key).cloned(),
                after: new.get(&key).cloned(),
            }
        })
        .collect()
}

fn roster_calls(
    changed: &Instance,
    before: &Roster,
    after: &Roster,
    released: &BTreeSet<&str>,
) -> Vec<PatientCall> {
    let session = |b: &crate::roster::Booking| SessionRef {
        specialist: b.specialist.clone(),
        resource: None,
        date: b.date,
        session: b.session.clone(),
    };
    let now: BTreeMap<&str, SessionRef> = after
        .bookings
        .iter()
        .map(|b| (b.request.as_str(), session(b)))
        .collect();
    before
        .bookings
        .iter()
        .filter(|b| !released.contains(b.request.as_str()))
        .filter_map(|b| {
            let old = session(b);
            let new = now.get(b.request.as_str()).cloned();
            (new.as_ref() != Some(&old)).then(|| PatientCall {
                booking: b.request.clone(),
                patient: changed
                    .request_ix(&b.request)
                    .map(|r| changed.requests[r.0].patient.clone())
                    .unwrap_or_default(),
                before: old,
                after: new,
            })
        })
        .collect()
}

/// The ledger's active bookings re-booked into the new roster (old session first, else
/// the best for their request, never on a frozen date), ids and times kept; and the
/// calls for those that moved.
fn rebook(
    changed: &Instance,
    roster: &Roster,
    ledger: &Ledger,
    freeze_until: Option<NaiveDate>,
) -> (Ledger, Vec<PatientCall>) {
    let mut calls = Vec::new();
    let mut kept = Ledger {
        bookings: Vec::new(),
        released: Vec::new(),
        ..ledger.clone()
    };
    let Ok(mut book) = BookingBook::open(
        Arc::new(changed.clone()),
        roster,
        Ledger::new(&changed.name),
    ) else {
        return (kept, calls);
    };
    // A pending offer of a session the new roster does not hold is withdrawn (its
    // place is gone); one of a session it holds keeps holding its place.
    for offer in kept.offers.iter_mut().filter(|o| o.is_pending()) {
        if book.places_left_in(&offer.session).is_err() {
            offer.state = OfferState::Withdrawn;
            offer.closed_at = Some(offer.offered_at);
            offer.handed_on = true;
        }
    }
    // Ledger ids of the re-booked entries, by the id the new book gave them.
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    for record in ledger.bookings.iter().filter(|b| b.is_active()) {
        // A moved booking goes to a session after the frozen days, never into the past.
        let mut request = record.request.clone();
        if let Some(until) = freeze_until {
            request.earliest = request.earliest.max(until);
        }
        let made = book
            .book(&record.request, &record.session, record.made_at)
            .or_else(|_| book.book_best(&request, record.made_at));
        match made {
            Ok(confirmation) => {
                if confirmation.booking.session != record.session {
                    calls.push(PatientCall {
                        booking: record.id.clone(),
                        patient: record.request.patient.clone(),
                        before: record.session.clone(),
                        after: Some(confirmation.booking.session.clone()),
                    });
                }
                ids.insert(confirmation.booking.id, record.id.clone());
            }
            Err(_) => calls.push(PatientCall {
                booking: record.id.clone(),
                patient: record.request.patient.clone(),
                before: record.session.clone(),
                after: None,
            }),
        }
    }
    let booked_now: BTreeSet<&str> = roster.bookings.iter().map(|b| b.request.as_str()).collect();
    kept.released = ledger
        .released
        .iter()
        .filter(|r| booked_now.contains(r.request.as_str()))
        .cloned()
        .collect();
    kept.bookings = ledger
        .bookings
        .iter()
        .filter(|b| !b.is_active())
        .cloned()
        .chain(book.ledger().bookings.iter().map(|b| {
            let mut b = b.clone();
            if let Some(old) = ids.get(&b.id) {
                b.id = old.clone();
            }
            b
        }))
        .collect();
    (kept, calls)
}
