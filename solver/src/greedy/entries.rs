//! The roster entries a placement will become (`schedule.rs` `to_roster`), in indices,
//! and the instance's forbids matched against them before every placement (rule 11,
//! `crate::pins`).
//!
//! A clinic is one assignment; a studio session the lead's (with the discipline) and
//! each apprentice's (without); an MDT meeting one per seat, a remote seat without
//! site, and without room unless the whole meeting is remote; a surgery a `surgeries`
//! entry and its surgeon's `surgery` assignment (site only); a booking a `bookings`
//! entry at its session's site. Matching mirrors the patterns' own `matches` field by
//! field (ids are unique, so an index names what its id names): the checker's truth
//! and the heuristic's agree.

use std::collections::BTreeMap;

use super::state::State;
use crate::calendar::Slot;
use crate::instance::{
    BoardIx, Instance, RequestIx, RoomIx, SiteIx, SpecialistIx, StudioIx, SurgeryIx,
};
use crate::pins::{AssignmentPattern, BookingPattern, Pattern, Pin, SurgeryPattern};
use crate::roster::{Activity, StudioRole};
use crate::schedule::{Appointment, Clinic, Meeting, Operation, Seat, StudioSession};

/// An `assignments` entry in indices.
#[derive(Debug, Clone, Copy)]
pub(super) struct AssignmentView<'e> {
    who: SpecialistIx,
    slot: Slot,
    activity: Activity,
    site: Option<SiteIx>,
    room: Option<RoomIx>,
    discipline: Option<&'e str>,
    studio: Option<StudioIx>,
    role: Option<StudioRole>,
    board: Option<BoardIx>,
    remote: Option<bool>,
}

impl AssignmentView<'_> {
    fn new(who: SpecialistIx, slot: Slot, activity: Activity) -> Self {
        AssignmentView {
            who,
            slot,
            activity,
            site: None,
            room: None,
            discipline: None,
            studio: None,
            role: None,
            board: None,
            remote: None,
        }
    }

    /// [`AssignmentPattern::matches`] on the entry this view becomes.
    pub(super) fn matches(&self, p: &AssignmentPattern) -> bool {
        p.specialist.is_none_or(|s| s == self.who)
            && p.date.is_none_or(|d| d == self.slot.date)
            && p.session.is_none_or(|s| s == self.slot.session)
            && p.activity.is_none_or(|a| a == self.activity)
            && p.site.is_none_or(|s| self.site == Some(s))
            && p.room.is_none_or(|r| self.room == Some(r))
            && p.discipline
                .as_deref()
                .is_none_or(|d| self.discipline == Some(d))
            && p.studio.is_none_or(|s| self.studio == Some(s))
            && p.role.is_none_or(|r| self.role == Some(r))
            && p.board.is_none_or(|b| self.board == Some(b))
            && p.remote.is_none_or(|r| self.remote == Some(r))
    }
}

fn clinic_view<'e>(instance: &Instance, clinic: &'e Clinic) -> AssignmentView<'e> {
    let site = instance.room(clinic.room).site;
    clinic_entry(
        clinic.who,
        clinic.slot,
        site,
        clinic.room,
        &clinic.discipline,
    )
}

fn clinic_entry<'e>(
    who: SpecialistIx,
    slot: Slot,
    site: SiteIx,
    room: RoomIx,
    discipline: &'e str,
) -> AssignmentView<'e> {
    AssignmentView {
        site: Some(site),
        room: Some(room),
        discipline: Some(discipline),
        ..AssignmentView::new(who, slot, Activity::Clinic)
    }
}

pub(super) fn studio_entry(
    instance: &Instance,
    s: usize,
    slot: Slot,
    room: RoomIx,
    who: SpecialistIx,
) -> AssignmentView<'_> {
    let studio = &instance.studios[s];
    let lead = who == studio.lead;
    AssignmentView {
        site: Some(studio.site),
        room: Some(room),
        discipline: lead.then_some(studio.discipline.as_str()),
        studio: Some(StudioIx(s)),
        role: Some(if lead {
            StudioRole::Lead
        } else {
            StudioRole::Apprentice
        }),
        ..AssignmentView::new(who, slot, Activity::Studio)
    }
}

pub(super) fn studio_views<'e>(
    instance: &'e Instance,
    session: &StudioSession,
) -> Vec<AssignmentView<'e>> {
    let s = session.studio.0;
    let lead = instance.studios[s].lead;
    std::iter::once(lead)
        .chain(session.apprentices.iter().copied())
        .map(|who| studio_entry(instance, s, session.slot, session.room, who))
        .collect()
}

/// A seat's entry; `room` is the meeting's room when the entry carries it.
fn seat_entry<'e>(
    instance: &Instance,
    b: usize,
    slot: Slot,
    room: Option<RoomIx>,
    seat: &'e Seat,
) -> AssignmentView<'e> {
    AssignmentView {
        site: (!seat.remote).then_some(instance.mdt_boards[b].site),
        room,
        discipline: Some(seat.discipline.as_str()),
        board: Some(BoardIx(b)),
        remote: Some(seat.remote),
        ..AssignmentView::new(seat.who, slot, Activity::Mdt)
    }
}

pub(super) fn meeting_views<'e>(
    instance: &Instance,
    meeting: &'e Meeting,
) -> Vec<AssignmentView<'e>> {
    let everyone_remote = meeting.seats.iter().all(|seat| seat.remote);
    meeting
        .seats
        .iter()
        .map(|seat| {
            let room = (!seat.remote || everyone_remote).then_some(meeting.room);
            seat_entry(instance, meeting.board.0, meeting.slot, room, seat)
        })
        .collect()
}

pub(super) fn operating_view(
    instance: &Instance,
    operation: &Operation,
) -> AssignmentView<'static> {
    AssignmentView {
        site: Some(instance.room(operation.room).site),
        ..AssignmentView::new(operation.surgeon, operation.slot, Activity::Surgery)
    }
}

/// [`SurgeryPattern::matches`] on a placed surgery.
pub(super) fn surgery_matches(p: &SurgeryPattern, operation: &Operation) -> bool {
    p.surgery.is_none_or(|g| g == operation.surgery)
        && p.date.is_none_or(|d| d == operation.slot.date)
        && p.session.is_none_or(|s| s == operation.slot.session)
        && p.room.is_none_or(|r| r == operation.room)
        && p.surgeon.is_none_or(|s| s == operation.surgeon)
}

/// [`BookingPattern::matches`] on a booking of the request with `who` in the slot at
/// the site.
pub(super) fn booking_matches(
    instance: &Instance,
    p: &BookingPattern,
    who: SpecialistIx,
    slot: Slot,
    site: SiteIx,
) -> bool {
    let named = instance.requests[p.request.0].specialist;
    p.specialist.is_none_or(|s| s == who)
        && p.date.is_none_or(|d| d == slot.date)
        && p.session.is_none_or(|s| s == slot.session)
        && p.site.is_none_or(|s| s == site)
        && p.substitute
            .is_none_or(|sub| sub == named.is_some_and(|n| n != who))
}

/// The site of the holder's clinic or studio session in the slot (a booking's site).
fn session_site(state: &State<'_>, who: SpecialistIx, slot: Slot) -> Option<SiteIx> {
    let instance = state.instance;
    let schedule = &state.schedule;
    schedule
        .clinics
        .iter()
        .find(|c| c.who == who && c.slot == slot)
        .map(|c| instance.room(c.room).site)
        .or_else(|| {
            schedule
                .studio_sessions
                .iter()
                .find(|s| s.slot == slot && instance.studios[s.studio.0].lead == who)
                .map(|s| instance.studios[s.studio.0].site)
        })
}

/// The instance's forbids, by what they match, indexed for the placements' questions.
pub(super) struct Forbids<'a> {
    instance: &'a Instance,
    /// Assignment forbids by the specialist they name (`None`: anyone).
    assignments: BTreeMap<Option<SpecialistIx>, Vec<&'a AssignmentPattern>>,
    /// Surgery forbids by the surgery they name.
    surgeries: BTreeMap<Option<SurgeryIx>, Vec<&'a SurgeryPattern>>,
    /// Booking forbids by request.
    bookings: BTreeMap<RequestIx, Vec<&'a BookingPattern>>,
}

impl<'a> Forbids<'a> {
    pub fn new(instance: &'a Instance) -> Self {
        let mut forbids = Forbids {
            instance,
            assignments: BTreeMap::new(),
            surgeries: BTreeMap::new(),
            bookings: BTreeMap::new(),
        };
        for pin in instance.pins.iter().filter(|p| p.forbid) {
            match &pin.pattern {
                Pattern::Assignment(p) => {
                    forbids.assignments.entry(p.specialist).or_default().push(p);
                }
                Pattern::Surgery(p) => forbids.surgeries.entry(p.surgery).or_default().push(p),
                Pattern::Booking(p) => forbids.bookings.entry(p.request).or_default().push(p),
            }
        }
        forbids
    }

    /// Whether any assignment forbid exists.
    pub fn any_assignment(&self) -> bool {
        !self.assignments.is_empty()
    }

    /// Whether a forbid matches the entry.
    fn entry(&self, view: &AssignmentView<'_>) -> bool {
        [Some(view.who), None].iter().any(|key| {
            self.assignments
                .get(key)
                .is_some_and(|ps| ps.iter().any(|p| view.matches(p)))
        })
    }

    /// A clinic of `who` in the slot, room and discipline.
    pub fn clinic(
        &self,
        who: SpecialistIx,
        slot: Slot,
        site: SiteIx,
        room: RoomIx,
        discipline: &str,
    ) -> bool {
        self.entry(&clinic_entry(who, slot, site, room, discipline))
    }

    /// The lead's entry of a session of studio `s`.
    pub fn studio_lead(&self, s: usize, slot: Slot, room: RoomIx) -> bool {
        let lead = self.instance.studios[s].lead;
        self.entry(&studio_entry(self.instance, s, slot, room, lead))
    }

    /// An apprentice's entry of a session of studio `s`.
    pub fn apprentice(&self, s: usize, slot: Slot, room: RoomIx, who: SpecialistIx) -> bool {
        self.entry(&studio_entry(self.instance, s, slot, room, who))
    }

    /// A seat of a meeting of board `b` in the room, as far as the seat alone tells (a
    /// remote seat carries the room only in an all-remote meeting: see
    /// [`Forbids::meeting`]).
    pub fn seat(&self, b: usize, slot: Slot, room: RoomIx, seat: &Seat) -> bool {
        let room = (!seat.remote).then_some(room);
        self.entry(&seat_entry(self.instance, b, slot, room, seat))
    }

    /// Any entry of the whole meeting.
    pub fn meeting(&self, meeting: &Meeting) -> bool {
        meeting_views(self.instance, meeting)
            .iter()
            .any(|v| self.entry(v))
    }

    /// The surgery's `surgeries` entry or its surgeon's `surgery` assignment.
    pub fn operation(&self, operation: &Operation) -> bool {
        [Some(operation.surgery), None].iter().any(|key| {
            self.surgeries
                .get(key)
                .is_some_and(|ps| ps.iter().any(|p| surgery_matches(p, operation)))
        }) || self.entry(&operating_view(self.instance, operation))
    }

    /// A booking of request `r` with `who` in the slot at the site.
    pub fn booking(&self, r: RequestIx, who: SpecialistIx, slot: Slot, site: SiteIx) -> bool {
        self.bookings.get(&r).is_some_and(|ps| {
            ps.iter()
                .any(|p| booking_matches(self.instance, p, who, slot, site))
        })
    }
}

/// Every assignment entry the schedule will have.
fn assignment_views<'s>(state: &'s State<'_>) -> Vec<AssignmentView<'s>> {
    let instance = state.instance;
    let schedule = &state.schedule;
    let mut views: Vec<AssignmentView<'s>> = Vec::new();
    views.extend(schedule.clinics.iter().map(|c| clinic_view(instance, c)));
    for session in &schedule.studio_sessions {
        views.extend(studio_views(instance, session));
    }
    for meeting in &schedule.meetings {
        views.extend(meeting_views(instance, meeting));
    }
    views.extend(
        schedule
            .operations
            .iter()
            .map(|op| operating_view(instance, op)),
    );
    views
}

/// Whether the schedule so far has an entry matching the pattern.
pub(super) fn holds(state: &State<'_>, pin: &Pin) -> bool {
    let instance = state.instance;
    match &pin.pattern {
        Pattern::Assignment(p) => assignment_views(state).iter().any(|v| v.matches(p)),
        Pattern::Surgery(p) => state
            .schedule
            .operations
            .iter()
            .any(|op| surgery_matches(p, op)),
        Pattern::Booking(p) => state.schedule.appointments.iter().any(|a: &Appointment| {
            a.request == p.request
                && session_site(state, a.who, a.slot)
                    .is_some_and(|site| booking_matches(instance, p, a.who, a.slot, site))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pins::Pin;
    use crate::roster::{Assignment, Roster, RosterStatus};
    use crate::schedule::Provenance;

    /// The pattern naming the chosen fields of an entry (0 specialist … 10 remote).
    fn pattern_of(instance: &Instance, a: &Assignment, fields: &[usize]) -> AssignmentPattern {
        let on = |f: usize| fields.contains(&f);
        AssignmentPattern {
            specialist: instance.specialist_ix(&a.specialist).filter(|_| on(0)),
            date: Some(a.date).filter(|_| on(1)),
            session: instance
                .calendar
                .session_index(&a.session)
                .filter(|_| on(2)),
            activity: Some(a.activity).filter(|_| on(3)),
            site: a
                .site
                .as_deref()
                .and_then(|s| instance.site_ix(s))
                .filter(|_| on(4)),
            room: a
                .room
                .as_deref()
                .and_then(|r| instance.room_ix(r))
                .filter(|_| on(5)),
            discipline: a.discipline.clone().filter(|_| on(6)),
            studio: a
                .studio
                .as_deref()
                .and_then(|s| instance.studio_ix(s))
                .filter(|_| on(7)),
            role: a.role.filter(|_| on(8)),
            board: a
                .board
                .as_deref()
                .and_then(|b| instance.board_ix(b))
                .filter(|_| on(9)),
            remote: a.remote.filter(|_| on(10)),
        }
    }

    /// A pin with the pattern (made from one the file format gives, whatever fields a
    /// pin carries besides).
    fn pin(text: &str, pattern: Pattern) -> Pin {
        let with_pin = format!("{text}\n[[pins]]\nid = \"t\"\nactivity = \"clinic\"\n");
        let template = Instance::from_toml_str(&with_pin).expect("valid").pins[0].clone();
        Pin {
            pattern,
            forbid: false,
            ..template
        }
    }

    /// The views match exactly the roster entries `Pin::matching_entries` matches:
    /// patterns made of one or two fields of an entry, or one field each of two
    /// entries (mostly matching nothing).
    #[test]
    fn views_agree_with_the_roster_entries() {
        for text in [
            include_str!("../../../instances/example-week.toml"),
            include_str!("../../../instances/ningde-regional.toml"),
            include_str!("../../../instances/yangpu-studios.toml"),
        ] {
            let instance = Instance::from_toml_str(text).expect("valid");
            let mut state = State::new(&instance);
            state.schedule = super::super::build(&instance).expect("greedy");
            let roster: Roster = state.schedule.to_roster(
                &instance,
                Provenance {
                    status: RosterStatus::Feasible,
                    bound: None,
                    seconds: 0.0,
                },
            );
            let template = pin(text, Pattern::Assignment(AssignmentPattern::default()));
            let agree = |pattern: Pattern| {
                let pin = Pin {
                    pattern,
                    ..template.clone()
                };
                assert_eq!(
                    holds(&state, &pin),
                    pin.matching_entries(&instance, &roster) > 0,
                    "{}",
                    pin.describe(&instance)
                );
            };
            let entries = &roster.assignments;
            for (i, a) in entries.iter().enumerate() {
                let next = &entries[(i + 1) % entries.len()];
                for f in 0..11 {
                    agree(Pattern::Assignment(pattern_of(&instance, a, &[f])));
                    for g in f + 1..11 {
                        agree(Pattern::Assignment(pattern_of(&instance, a, &[f, g])));
                        let mut mixed = pattern_of(&instance, a, &[f]);
                        let other = pattern_of(&instance, next, &[g]);
                        mixed.specialist = mixed.specialist.or(other.specialist);
                        mixed.date = mixed.date.or(other.date);
                        mixed.session = mixed.session.or(other.session);
                        mixed.activity = mixed.activity.or(other.activity);
                        mixed.site = mixed.site.or(other.site);
                        mixed.room = mixed.room.or(other.room);
                        mixed.discipline = mixed.discipline.or(other.discipline);
                        mixed.studio = mixed.studio.or(other.studio);
                        mixed.role = mixed.role.or(other.role);
                        mixed.board = mixed.board.or(other.board);
                        mixed.remote = mixed.remote.or(other.remote);
                        agree(Pattern::Assignment(mixed));
                    }
                }
                agree(Pattern::Assignment(pattern_of(
                    &instance,
                    a,
                    &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
                )));
                // `remote = false` matches only on-site MDT places (other entries have no `remote`).
                agree(Pattern::Assignment(AssignmentPattern {
                    remote: Some(false),
                    ..pattern_of(&instance, a, &[0, 1])
                }));
            }
            let surgeries = &roster.surgeries;
            for (i, s) in surgeries.iter().enumerate() {
                let next = &surgeries[(i + 1) % surgeries.len()];
                agree(Pattern::Surgery(SurgeryPattern {
                    surgery: instance.surgery_ix(&s.surgery),
                    date: Some(s.date),
                    room: instance.room_ix(&s.room),
                    ..SurgeryPattern::default()
                }));
                agree(Pattern::Surgery(SurgeryPattern {
                    surgeon: instance.specialist_ix(&next.surgeon),
                    session: instance.calendar.session_index(&s.session),
                    date: Some(s.date),
                    ..SurgeryPattern::default()
                }));
            }
            let bookings = &roster.bookings;
            for (i, b) in bookings.iter().enumerate() {
                let next = &bookings[(i + 1) % bookings.len()];
                let request = instance.request_ix(&b.request).expect("request");
                for (site, substitute, who) in [
                    (Some(&b.site), Some(b.substitute), Some(&b.specialist)),
                    (Some(&next.site), None, None),
                    (None, Some(!b.substitute), None),
                    (None, None, Some(&next.specialist)),
                ] {
                    agree(Pattern::Booking(BookingPattern {
                        request,
                        specialist: who.and_then(|w| instance.specialist_ix(w)),
                        date: Some(b.date),
                        session: instance.calendar.session_index(&b.session),
                        site: site.and_then(|s| instance.site_ix(s)),
                        substitute,
                    }));
                }
            }
        }
    }
}
