//! Frozen days (`repair --freeze-until DATE`): every entry of the published roster
//! dated before DATE becomes a pin, and every other entry those dates could get a
//! forbid, so re-planning never rewrites the past. A frozen pin's room is matched by
//! its room class (a room of its own for every pinned room would multiply the model's
//! columns); the published rooms come back because the frozen slots hold exactly the
//! published users of each class and extraction hands out the reference's rooms first.
//! Presence on those dates is held by the model (`Stability::frozen_until`).

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::{AssignmentPattern, BookingPattern, Pattern, Pin, SurgeryPattern};
use crate::instance::Instance;
use crate::roster::Roster;

/// Why the past of a roster cannot be frozen into an instance.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FreezeError {
    /// A published entry before the date names something the instance no longer has.
    #[error(
        "the published {list}[{index}] on {date} names {what} \"{id}\", which the instance \
         no longer has; freeze an earlier date or restore it"
    )]
    UnknownId {
        /// `assignments`, `surgeries` or `bookings`.
        list: &'static str,
        /// Position in that list.
        index: usize,
        /// Its date.
        date: NaiveDate,
        /// What kind of id.
        what: &'static str,
        /// The id.
        id: String,
    },
    /// The date lies outside the instance's horizon.
    #[error("--freeze-until {date} is outside the horizon ({start} to {end})")]
    OutsideHorizon {
        /// The date asked for.
        date: NaiveDate,
        /// The horizon's first date.
        start: NaiveDate,
        /// Its last date.
        end: NaiveDate,
    },
}

/// The pins and forbids that keep every entry of `published` dated before `until`.
pub fn frozen_pins(
    instance: &Instance,
    published: &Roster,
    until: NaiveDate,
) -> Result<Vec<Pin>, FreezeError> {
    let calendar = &instance.calendar;
    if until < calendar.start() || until > calendar.end() + chrono::Duration::days(1) {
        return Err(FreezeError::OutsideHorizon {
            date: until,
            start: calendar.start(),
            end: calendar.end(),
        });
    }
    let frozen = |date: NaiveDate| date < until;
    let mut pins = Vec::new();
    let note = Some(format!("published before {until}"));
    let push = |pins: &mut Vec<Pin>, forbid: bool, pattern: Pattern| {
        pins.push(Pin {
            id: format!("frozen-{}", pins.len()),
            note: note.clone(),
            forbid,
            pattern,
            frozen: true,
        });
    };
    let unknown = |list, index, date, what, id: &str| FreezeError::UnknownId {
        list,
        index,
        date,
        what,
        id: id.to_string(),
    };
    let mut busy: BTreeSet<(usize, NaiveDate, usize)> = BTreeSet::new();
    for (i, a) in published.assignments.iter().enumerate() {
        if !frozen(a.date) {
            continue;
        }
        let who = instance
            .specialist_ix(&a.specialist)
            .ok_or_else(|| unknown("assignments", i, a.date, "specialist", &a.specialist))?;
        let session = calendar
            .session_index(&a.session)
            .ok_or_else(|| unknown("assignments", i, a.date, "session", &a.session))?;
        let site = match &a.site {
            Some(id) => Some(
                instance
                    .site_ix(id)
                    .ok_or_else(|| unknown("assignments", i, a.date, "site", id))?,
            ),
            None => None,
        };
        let studio = match &a.studio {
            Some(id) => Some(
                instance
                    .studio_ix(id)
                    .ok_or_else(|| unknown("assignments", i, a.date, "studio", id))?,
            ),
            None => None,
        };
        let board = match &a.board {
            Some(id) => Some(
                instance
                    .board_ix(id)
                    .ok_or_else(|| unknown("assignments", i, a.date, "MDT board", id))?,
            ),
            None => None,
        };
        let room = match &a.room {
            Some(id) => Some(
                instance
                    .room_ix(id)
                    .ok_or_else(|| unknown("assignments", i, a.date, "room", id))?,
            ),
            None => None,
        };
        busy.insert((who.0, a.date, session));
        push(
            &mut pins,
            false,
            Pattern::Assignment(AssignmentPattern {
                specialist: Some(who),
                date: Some(a.date),
                session: Some(session),
                activity: Some(a.activity),
                site,
                room,
                discipline: a.discipline.clone(),
                studio,
                role: a.role,
                board,
                remote: a.remote,
            }),
        );
    }
    let mut done: BTreeSet<(usize, NaiveDate)> = BTreeSet::new();
    for (i, s) in published.surgeries.iter().enumerate() {
        if !frozen(s.date) {
            continue;
        }
        let surgery = instance
            .surgery_ix(&s.surgery)
            .ok_or_else(|| unknown("surgeries", i, s.date, "surgery", &s.surgery))?;
        let session = calendar
            .session_index(&s.session)
            .ok_or_else(|| unknown("surgeries", i, s.date, "session", &s.session))?;
        let room = instance
            .room_ix(&s.room)
            .ok_or_else(|| unknown("surgeries", i, s.date, "room", &s.room))?;
        let surgeon = instance
            .specialist_ix(&s.surgeon)
            .ok_or_else(|| unknown("surgeries", i, s.date, "specialist", &s.surgeon))?;
        done.insert((surgery.0, s.date));
        push(
            &mut pins,
            false,
            Pattern::Surgery(SurgeryPattern {
                surgery: Some(surgery),
                date: Some(s.date),
                session: Some(session),
                room: Some(room),
                surgeon: Some(surgeon),
            }),
        );
    }
    let mut booked: BTreeSet<usize> = BTreeSet::new();
    for (i, b) in published.bookings.iter().enumerate() {
        if !frozen(b.date) {
            continue;
        }
        let request = instance
            .request_ix(&b.request)
            .ok_or_else(|| unknown("bookings", i, b.date, "request", &b.request))?;
        let specialist = instance
            .specialist_ix(&b.specialist)
            .ok_or_else(|| unknown("bookings", i, b.date, "specialist", &b.specialist))?;
        let session = calendar
            .session_index(&b.session)
            .ok_or_else(|| unknown("bookings", i, b.date, "session", &b.session))?;
        booked.insert(request.0);
        push(
            &mut pins,
            false,
            Pattern::Booking(BookingPattern {
                request,
                specialist: Some(specialist),
                date: Some(b.date),
                session: Some(session),
                site: None,
                substitute: None,
            }),
        );
    }
    // Nothing new in the past: no other activity, surgery or booking on those dates.
    let past: Vec<NaiveDate> = calendar
        .open_dates()
        .into_iter()
        .filter(|d| frozen(*d))
        .collect();
    for (s, _) in instance.specialists.iter().enumerate() {
        for &date in &past {
            for session in 0..calendar.sessions().len() {
                if !busy.contains(&(s, date, session))
                    && instance.can_work(crate::instance::SpecialistIx(s), date, session)
                {
                    push(
                        &mut pins,
                        true,
                        Pattern::Assignment(AssignmentPattern {
                            specialist: Some(crate::instance::SpecialistIx(s)),
                            date: Some(date),
                            session: Some(session),
                            ..AssignmentPattern::default()
                        }),
                    );
                }
            }
        }
    }
    for (g, surgery) in instance.surgeries.iter().enumerate() {
        for &date in past.iter().filter(|d| **d >= surgery.release) {
            if !done.contains(&(g, date)) {
                push(
                    &mut pins,
                    true,
                    Pattern::Surgery(SurgeryPattern {
                        surgery: Some(crate::instance::SurgeryIx(g)),
                        date: Some(date),
                        ..SurgeryPattern::default()
                    }),
                );
            }
        }
    }
    for (r, request) in instance.requests.iter().enumerate() {
        if booked.contains(&r) {
            continue;
        }
        for &date in past
            .iter()
            .filter(|d| **d >= request.earliest && **d <= request.latest)
        {
            push(
                &mut pins,
                true,
                Pattern::Booking(BookingPattern {
                    request: crate::instance::RequestIx(r),
                    specialist: None,
                    date: Some(date),
                    session: None,
                    site: None,
                    substitute: None,
                }),
            );
        }
    }
    Ok(pins)
}
