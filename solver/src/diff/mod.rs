//! What changed for whom between two publications of a roster: per specialist the
//! activities added, removed and moved (their calendar items, [`crate::agenda`],
//! paired by [`pair`]), and per patient the bookings moved, i.e. who to call.
//!
//! The calendar feeds derive SEQUENCE and cancellations from the same pairing
//! ([`crate::ical::history`]), so a feed changes exactly where this list says.

mod pair;

use serde::Serialize;

use crate::agenda::{self, AgendaError, Item, View};
use crate::booking::SessionRef;
use crate::instance::Instance;
use crate::roster::{Booking, Roster};

pub use pair::{Change, pair};

/// An activity at another time or place, or with other people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Moved {
    /// As it was.
    pub before: Item,
    /// As it is now.
    pub after: Item,
}

/// One specialist's changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpecialistChanges {
    /// Specialist id.
    pub specialist: String,
    /// Their name.
    pub name: String,
    /// Activities only in the new roster.
    pub added: Vec<Item>,
    /// Activities only in the old roster.
    pub removed: Vec<Item>,
    /// Activities in both, changed.
    pub moved: Vec<Moved>,
}

/// A booking whose session changed: the patient to call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookingChange {
    /// Request id.
    pub request: String,
    /// The patient reference of the request (from the instance).
    pub patient: Option<String>,
    /// The session before, if booked.
    pub before: Option<BookedAt>,
    /// The session now, if booked.
    pub after: Option<BookedAt>,
}

/// Where a booking is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookedAt {
    /// The session.
    #[serde(flatten)]
    pub session: SessionRef,
    /// Its site.
    pub site: String,
    /// With someone other than the named specialist.
    pub substitute: bool,
}

/// What changed between two rosters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RosterDiff {
    /// Specialists with any change, in the instance's order.
    pub specialists: Vec<SpecialistChanges>,
    /// Bookings moved, added or dropped, by request id.
    pub patients: Vec<BookingChange>,
}

impl RosterDiff {
    /// Nothing changed.
    pub fn is_empty(&self) -> bool {
        self.specialists.is_empty() && self.patients.is_empty()
    }
}

/// Compares `old` with `new`, for every specialist or only `only`.
pub fn diff(
    instance: &Instance,
    old: &Roster,
    new: &Roster,
    only: Option<&str>,
) -> Result<RosterDiff, AgendaError> {
    let ids: Vec<&str> = match only {
        Some(id) => {
            View::Specialist(id.to_string()).check(instance)?;
            vec![id]
        }
        None => instance.specialists.iter().map(|s| s.id.as_str()).collect(),
    };
    let mut specialists = Vec::new();
    for id in ids {
        let view = View::Specialist(id.to_string());
        let before = agenda::items(instance, old, &view)?;
        let after = agenda::items(instance, new, &view)?;
        let mut changes = SpecialistChanges {
            specialist: id.to_string(),
            name: instance
                .specialist_ix(id)
                .map_or(id, |ix| instance.specialist(ix).name.as_str())
                .to_string(),
            added: Vec::new(),
            removed: Vec::new(),
            moved: Vec::new(),
        };
        for change in pair(&before, &after) {
            match change {
                Change::Kept { .. } => {}
                Change::Moved { before, after } => changes.moved.push(Moved {
                    before: before.clone(),
                    after: after.clone(),
                }),
                Change::Removed(item) => changes.removed.push(item.clone()),
                Change::Added(item) => changes.added.push(item.clone()),
            }
        }
        if !(changes.added.is_empty() && changes.removed.is_empty() && changes.moved.is_empty()) {
            specialists.push(changes);
        }
    }
    let patients = booking_changes(instance, old, new)
        .into_iter()
        .filter(|change| {
            only.is_none_or(|id| {
                [&change.before, &change.after]
                    .into_iter()
                    .flatten()
                    .any(|at| at.session.specialist == id)
            })
        })
        .collect();
    Ok(RosterDiff {
        specialists,
        patients,
    })
}

fn booking_changes(instance: &Instance, old: &Roster, new: &Roster) -> Vec<BookingChange> {
    let at = |b: &Booking| BookedAt {
        session: SessionRef {
            specialist: b.specialist.clone(),
            resource: None,
            date: b.date,
            session: b.session.clone(),
        },
        site: b.site.clone(),
        substitute: b.substitute,
    };
    let by_request = |roster: &Roster| {
        roster
            .bookings
            .iter()
            .map(|b| (b.request.clone(), at(b)))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let (before, after) = (by_request(old), by_request(new));
    let mut requests: Vec<&String> = before.keys().chain(after.keys()).collect();
    requests.sort();
    requests.dedup();
    requests
        .into_iter()
        .filter(|r| before.get(*r) != after.get(*r))
        .map(|request| BookingChange {
            request: request.clone(),
            patient: instance
                .request_ix(request)
                .map(|ix| instance.requests[ix.0].patient.clone()),
            before: before.get(request).cloned(),
            after: after.get(request).cloned(),
        })
        .collect()
}

#[cfg(test)]
mod tests;
