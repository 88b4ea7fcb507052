//! Pins in the greedy heuristic (rule 11, `crate::pins`): the positive pins placed
//! right after the residencies, and the final check that the roster meets them all
//! (the forbids every placement asks are in `entries`).
//!
//! Positive pins are placed surgeries first, then assignments, then bookings (a
//! booking joins a session pinned before it), each group in file order after the more
//! specific ones, every pin the cheapest placement matching it that the hard rules
//! and the forbids allow, unless the schedule holds a match already. Meetings and
//! studio sessions placed for one pin seat the people other pins want in that slot.

use std::cmp::Reverse;

use chrono::NaiveDate;

use super::bookings::book_request;
use super::entries::{
    booking_matches, holds, meeting_views, operating_view, studio_entry, studio_views,
    surgery_matches,
};
use super::state::State;
use super::{
    ClinicWant, GreedyError, best_meeting, best_operation, best_studio_session, clinic_choice,
    do_operation, fits_clinic, hold_meeting, hold_studio, open_clinic,
};
use crate::calendar::Slot;
use crate::instance::{BoardIx, Instance, RoomKind, SiteIx, SpecialistIx, StudioIx, SurgeryIx};
use crate::pins::{AssignmentPattern, Pattern, Pin, SurgeryPattern};
use crate::roster::{Activity, RosterStatus, StudioRole};
use crate::schedule::{Meeting, Operation, Provenance, Seat, StudioSession};

/// The site a pin puts its people at, when it tells (a remote place has none).
fn pin_site(instance: &Instance, pin: &Pin) -> Option<SiteIx> {
    match &pin.pattern {
        Pattern::Assignment(p) if p.remote == Some(true) => None,
        Pattern::Assignment(p) => p
            .site
            .or(p.room.map(|r| instance.room(r).site))
            .or(p.studio.map(|s| instance.studios[s.0].site))
            .or(p.board.map(|b| instance.mdt_boards[b.0].site)),
        Pattern::Surgery(p) => p
            .room
            .map(|r| instance.room(r).site)
            .or(p.surgery.and_then(|g| instance.surgeries[g.0].site)),
        Pattern::Booking(p) => p.site,
    }
}

/// Whether a pin naming no specialist needs `who` among few: a board's meeting needs
/// its disciplines, a studio its people, a surgery its qualified surgeons, a booking of
/// a named request its specialist.
fn may_need(instance: &Instance, pin: &Pin, who: SpecialistIx) -> bool {
    let person = instance.specialist(who);
    match &pin.pattern {
        Pattern::Assignment(p) => {
            let discipline_ok = p
                .discipline
                .as_ref()
                .is_none_or(|d| person.has_discipline(d));
            match (p.board, p.studio) {
                (Some(b), _) => {
                    discipline_ok
                        && instance.mdt_boards[b.0]
                            .required
                            .iter()
                            .any(|d| person.has_discipline(d))
                }
                (None, Some(s)) => {
                    let studio = &instance.studios[s.0];
                    studio.lead == who || studio.apprentices.contains(&who)
                }
                (None, None) => false,
            }
        }
        Pattern::Surgery(p) => p
            .surgery
            .is_some_and(|g| instance.qualified_surgeons(g).contains(&who)),
        Pattern::Booking(p) => instance.requests[p.request.0].specialist == Some(who),
    }
}

/// What pins say about `who` being at `site` on `date` for a residency: +1000 per pin
/// asking for them that day there (or nowhere in particular), +100 per pin that day
/// that may need them (`may_need`), −1000 per pin asking for them elsewhere and per
/// forbid keeping them free all day.
pub(super) fn date_appeal(
    instance: &Instance,
    who: SpecialistIx,
    date: NaiveDate,
    site: SiteIx,
) -> i64 {
    instance
        .pins
        .iter()
        .filter(|pin| pin.date() == Some(date))
        .map(|pin| {
            let whole_day = matches!(&pin.pattern, Pattern::Assignment(p) if *p == AssignmentPattern {
                specialist: Some(who),
                date: Some(date),
                ..AssignmentPattern::default()
            });
            let elsewhere = pin_site(instance, pin).is_some_and(|at| at != site);
            match (pin.specialist(), pin.forbid) {
                (Some(named), _) if named != who => 0,
                (Some(_), true) if whole_day => -1000,
                (Some(_), true) => 0,
                (Some(_), false) if elsewhere => -1000,
                (Some(_), false) => 1000,
                (None, false) if !elsewhere && may_need(instance, pin, who) => 100,
                (None, _) => 0,
            }
        })
        .sum()
}

/// How many fields a pattern names (more first: the specific pins are placed before
/// the general ones they may satisfy).
fn named_fields(pin: &Pin) -> usize {
    match &pin.pattern {
        Pattern::Assignment(p) => [
            p.specialist.is_some(),
            p.date.is_some(),
            p.session.is_some(),
            p.activity.is_some(),
            p.site.is_some(),
            p.room.is_some(),
            p.discipline.is_some(),
            p.studio.is_some(),
            p.role.is_some(),
            p.board.is_some(),
            p.remote.is_some(),
        ]
        .iter()
        .filter(|x| **x)
        .count(),
        Pattern::Surgery(p) => [
            p.surgery.is_some(),
            p.date.is_some(),
            p.session.is_some(),
            p.room.is_some(),
            p.surgeon.is_some(),
        ]
        .iter()
        .filter(|x| **x)
        .count(),
        Pattern::Booking(p) => [
            p.specialist.is_some(),
            p.date.is_some(),
            p.session.is_some(),
            p.site.is_some(),
            p.substitute.is_some(),
        ]
        .iter()
        .filter(|x| **x)
        .count(),
    }
}

/// Places an entry for every positive pin the schedule does not meet yet.
pub(super) fn place_pins(state: &mut State<'_>) {
    let instance = state.instance;
    let mut order: Vec<&Pin> = instance.pins.iter().filter(|p| !p.forbid).collect();
    let group = |pin: &Pin| match pin.pattern {
        Pattern::Surgery(_) => 0,
        Pattern::Assignment(_) => 1,
        Pattern::Booking(_) => 2,
    };
    order.sort_by_key(|pin| (group(pin), Reverse(named_fields(pin))));
    for pin in order {
        if holds(state, pin) {
            continue;
        }
        match &pin.pattern {
            Pattern::Assignment(p) => place_assignment(state, p),
            Pattern::Surgery(p) => place_surgery(state, p),
            Pattern::Booking(p) => {
                book_request(
                    state,
                    p.request,
                    &|who, slot, site| booking_matches(instance, p, who, slot, site),
                    true,
                );
            }
        }
    }
}

/// The open slots the date and session allow.
fn slots_matching(
    instance: &Instance,
    date: Option<NaiveDate>,
    session: Option<usize>,
) -> Vec<Slot> {
    instance
        .calendar
        .slots()
        .filter(|slot| {
            date.is_none_or(|d| d == slot.date) && session.is_none_or(|s| s == slot.session)
        })
        .collect()
}

/// The surgery (of those the pattern allows, not done yet) whose best matching
/// placement gains most.
fn place_surgery(state: &mut State<'_>, p: &SurgeryPattern) {
    let instance = state.instance;
    let mut best: Option<(f64, Operation, bool)> = None;
    for g in (0..instance.surgeries.len()).filter(|g| p.surgery.is_none_or(|x| x.0 == *g)) {
        let gain = instance.weights[crate::objective::Term::UnscheduledSurgery]
            * f64::from(instance.surgeries[g].priority);
        let accept = |op: &Operation| surgery_matches(p, op);
        if let Some((cost, op, joins)) = best_operation(state, SurgeryIx(g), &accept)
            && best.as_ref().is_none_or(|(c, ..)| cost - gain < *c)
        {
            best = Some((cost - gain, op, joins));
        }
    }
    if let Some((_, op, joins)) = best {
        do_operation(state, op, joins);
    }
}

/// A placement that makes an assignment pin hold.
enum Placement {
    Clinic(SpecialistIx, Slot, SiteIx),
    Studio(StudioSession),
    /// An apprentice joins the studio session at this index of the schedule.
    Apprentice(usize, SpecialistIx),
    Meeting(Meeting),
    Operation(Operation, bool),
}

/// Places the cheapest clinic, studio session, MDT meeting or surgery whose entries
/// match the pattern (none matching a forbid).
fn place_assignment(state: &mut State<'_>, p: &AssignmentPattern) {
    let mut best: Option<(f64, Placement)> = None;
    for activity in p.activities() {
        let option = match activity {
            Activity::Clinic => clinic_option(state, p),
            Activity::Studio => studio_option(state, p),
            Activity::Mdt => meeting_option(state, p),
            Activity::Surgery => operating_option(state, p),
        };
        if let Some((cost, placement)) = option
            && best.as_ref().is_none_or(|(c, _)| cost < *c)
        {
            best = Some((cost, placement));
        }
    }
    let Some((_, placement)) = best else { return };
    match placement {
        Placement::Clinic(who, slot, site) => {
            let want = ClinicWant {
                room: p.room,
                discipline: p.discipline.as_deref(),
            };
            open_clinic(state, who, slot, site, p.discipline.as_deref(), want);
        }
        Placement::Studio(session) => hold_studio(state, session),
        Placement::Apprentice(index, who) => {
            let Some(session) = state.schedule.studio_sessions.get(index) else {
                return;
            };
            let (slot, studio) = (session.slot, session.studio);
            state.take(who, slot, Some(state.instance.studios[studio.0].site));
            if let Some(session) = state.schedule.studio_sessions.get_mut(index) {
                session.apprentices.push(who);
            }
        }
        Placement::Meeting(meeting) => hold_meeting(state, meeting),
        Placement::Operation(op, joins) => do_operation(state, op, joins),
    }
}

fn clinic_option(state: &State<'_>, p: &AssignmentPattern) -> Option<(f64, Placement)> {
    let instance = state.instance;
    let mut candidates: Vec<(f64, SpecialistIx, Slot, SiteIx)> = Vec::new();
    let slots = slots_matching(instance, p.date, p.session);
    let room_site = p.room.map(|r| instance.room(r).site);
    for (i, person) in instance.specialists.iter().enumerate() {
        let who = SpecialistIx(i);
        if p.specialist.is_some_and(|s| s != who)
            || p.discipline
                .as_ref()
                .is_some_and(|d| !person.has_discipline(d))
        {
            continue;
        }
        for &slot in &slots {
            for &site in &person.sites {
                if p.site.is_some_and(|s| s != site)
                    || room_site.is_some_and(|s| s != site)
                    || p.room
                        .is_some_and(|r| !fits_clinic(state, r, site, &[], slot))
                    || !state.can_take(who, slot, Some(site))
                {
                    continue;
                }
                let cost = state.presence_cost(who, slot.date) + state.avoid_cost(who, slot);
                candidates.push((cost, who, slot, site));
            }
        }
    }
    candidates.sort_by(|a, b| a.0.total_cmp(&b.0));
    let want = ClinicWant {
        room: p.room,
        discipline: p.discipline.as_deref(),
    };
    candidates
        .into_iter()
        .find(|(_, who, slot, site)| {
            clinic_choice(state, *who, *slot, *site, want.discipline, want).is_some()
        })
        .map(|(cost, who, slot, site)| (cost, Placement::Clinic(who, slot, site)))
}

/// Apprentices other pins want in a session of studio `s` in the slot.
fn pinned_apprentices(state: &State<'_>, s: usize, slot: Slot) -> Vec<SpecialistIx> {
    let studio = &state.instance.studios[s];
    let mut wanted = Vec::new();
    for pin in state.instance.pins.iter().filter(|pin| !pin.forbid) {
        if let Pattern::Assignment(p) = &pin.pattern
            && p.studio == Some(StudioIx(s))
            && p.date == Some(slot.date)
            && p.session == Some(slot.session)
            && p.role != Some(StudioRole::Lead)
            && let Some(who) = p.specialist
            && studio.apprentices.contains(&who)
            && !wanted.contains(&who)
        {
            wanted.push(who);
        }
    }
    wanted
}

fn studio_option(state: &State<'_>, p: &AssignmentPattern) -> Option<(f64, Placement)> {
    let instance = state.instance;
    let mut best: Option<(f64, Placement)> = None;
    let slots = slots_matching(instance, p.date, p.session);
    for (s, studio) in instance.studios.iter().enumerate() {
        if p.studio.is_some_and(|x| x.0 != s) || p.site.is_some_and(|x| x != studio.site) {
            continue;
        }
        let apprentice = p.specialist.filter(|who| studio.apprentices.contains(who));
        for &slot in &slots {
            let mut option: Option<(f64, Placement)> = None;
            let existing = state
                .schedule
                .studio_sessions
                .iter()
                .position(|x| x.studio.0 == s && x.slot == slot);
            if let Some(index) = existing {
                // Join the session held already.
                let session = &state.schedule.studio_sessions[index];
                if let Some(who) = apprentice
                    && !session.apprentices.contains(&who)
                    && state.can_take(who, slot, Some(studio.site))
                    && !state.forbids.apprentice(s, slot, session.room, who)
                    && studio_entry(instance, s, slot, session.room, who).matches(p)
                {
                    let cost = state.presence_cost(who, slot.date) + state.avoid_cost(who, slot);
                    option = Some((cost, Placement::Apprentice(index, who)));
                }
            } else {
                let mut wanted = pinned_apprentices(state, s, slot);
                if let Some(who) = apprentice
                    && !wanted.contains(&who)
                {
                    wanted.insert(0, who);
                }
                if let Some((cost, session)) = best_studio_session(state, s, slot, p.room, &wanted)
                    && studio_views(instance, &session)
                        .iter()
                        .any(|v| v.matches(p))
                {
                    option = Some((cost, Placement::Studio(session)));
                }
            }
            if let Some((cost, placement)) = option
                && best.as_ref().is_none_or(|(c, _)| cost < *c)
            {
                best = Some((cost, placement));
            }
        }
    }
    best
}

/// Seats other pins want in a meeting of board `b` in the slot.
fn pinned_seats(state: &State<'_>, b: usize, slot: Slot) -> Vec<Seat> {
    let instance = state.instance;
    let board = &instance.mdt_boards[b];
    let mut seats: Vec<Seat> = Vec::new();
    for pin in instance.pins.iter().filter(|pin| !pin.forbid) {
        let Pattern::Assignment(p) = &pin.pattern else {
            continue;
        };
        let Some(who) = p.specialist else { continue };
        if p.board != Some(BoardIx(b))
            || p.date != Some(slot.date)
            || p.session != Some(slot.session)
            || seats.iter().any(|s| s.who == who)
        {
            continue;
        }
        let person = instance.specialist(who);
        let discipline = board.required.iter().find(|d| {
            person.has_discipline(d)
                && p.discipline.as_ref().is_none_or(|x| x == *d)
                && seats.iter().all(|s| s.discipline != **d)
        });
        if let Some(discipline) = discipline {
            seats.push(Seat {
                who,
                discipline: discipline.clone(),
                remote: p.remote.unwrap_or(!person.works_at(board.site)),
            });
        }
    }
    seats
}

/// The seats `who` could take in a meeting of board `b` that the pattern allows.
fn seat_choices(
    state: &State<'_>,
    b: usize,
    who: SpecialistIx,
    p: &AssignmentPattern,
) -> Vec<Seat> {
    let instance = state.instance;
    let board = &instance.mdt_boards[b];
    let person = instance.specialist(who);
    let mut choices = Vec::new();
    for discipline in &board.required {
        if !person.has_discipline(discipline)
            || p.discipline.as_ref().is_some_and(|d| d != discipline)
        {
            continue;
        }
        for remote in [false, true] {
            let possible = if remote {
                board.allows_remote(discipline) && p.site.is_none()
            } else {
                person.works_at(board.site)
            };
            if possible && p.remote.is_none_or(|r| r == remote) {
                choices.push(Seat {
                    who,
                    discipline: discipline.clone(),
                    remote,
                });
            }
        }
    }
    choices
}

fn meeting_option(state: &State<'_>, p: &AssignmentPattern) -> Option<(f64, Placement)> {
    let instance = state.instance;
    let mut best: Option<(f64, Placement)> = None;
    let slots = slots_matching(instance, p.date, p.session);
    let seat_named = p.discipline.is_some() || p.remote.is_some() || p.site.is_some();
    for (b, board) in instance.mdt_boards.iter().enumerate() {
        if p.board.is_some_and(|x| x.0 != b)
            || p.site.is_some_and(|s| s != board.site)
            || p.room.is_some_and(|r| {
                instance.room(r).kind != RoomKind::Meeting || instance.room(r).site != board.site
            })
            || p.discipline
                .as_ref()
                .is_some_and(|d| !board.required.contains(d))
        {
            continue;
        }
        for &slot in slots
            .iter()
            .filter(|slot| board.sessions.contains(&slot.session))
        {
            let others = pinned_seats(state, b, slot);
            // The pin's own seat: none (any meeting may match), or each it allows.
            let mut choices: Vec<Option<Seat>> = Vec::new();
            match p.specialist {
                Some(who) => choices.extend(seat_choices(state, b, who, p).into_iter().map(Some)),
                None => {
                    choices.push(None);
                    if seat_named {
                        for who in (0..instance.specialists.len()).map(SpecialistIx) {
                            choices.extend(seat_choices(state, b, who, p).into_iter().map(Some));
                        }
                    }
                }
            }
            for choice in choices {
                let fixed: Vec<Seat> = choice.iter().cloned().collect();
                let compatible = |s: &&Seat| {
                    choice
                        .as_ref()
                        .is_none_or(|c| c.who != s.who && c.discipline != s.discipline)
                };
                let with_others: Vec<Seat> = fixed
                    .iter()
                    .chain(others.iter().filter(compatible))
                    .cloned()
                    .collect();
                let matching = |(_, m): &(f64, Meeting)| {
                    meeting_views(instance, m).iter().any(|v| v.matches(p))
                };
                let found = best_meeting(state, b, slot, p.room, &with_others)
                    .filter(matching)
                    .or_else(|| best_meeting(state, b, slot, p.room, &fixed).filter(matching));
                if let Some((cost, meeting)) = found {
                    if best.as_ref().is_none_or(|(c, _)| cost < *c) {
                        best = Some((cost, Placement::Meeting(meeting)));
                    }
                    if choice.is_none() {
                        // Any meeting of this slot matches: no seat needs forcing.
                        break;
                    }
                }
            }
        }
    }
    best
}

fn operating_option(state: &State<'_>, p: &AssignmentPattern) -> Option<(f64, Placement)> {
    let instance = state.instance;
    let mut order: Vec<usize> = (0..instance.surgeries.len()).collect();
    order.sort_by_key(|g| {
        (
            Reverse(instance.surgeries[*g].priority),
            instance.surgeries[*g].due,
        )
    });
    let accept = |op: &Operation| operating_view(instance, op).matches(p);
    let mut best: Option<(f64, Placement)> = None;
    for g in order {
        if let Some((cost, op, joins)) = best_operation(state, SurgeryIx(g), &accept)
            && best.as_ref().is_none_or(|(c, _)| cost < *c)
        {
            best = Some((cost, Placement::Operation(op, joins)));
        }
    }
    best
}

/// Why a pin is missed, as far as the heuristic can tell.
fn why_missed(state: &State<'_>, pin: &Pin) -> String {
    let instance = state.instance;
    if pin.forbid {
        return "an entry of its roster matches it".into();
    }
    match &pin.pattern {
        Pattern::Booking(p) if state.is_booked(p.request) => format!(
            "request \"{}\" is booked into another session",
            instance.requests[p.request.0].id
        ),
        Pattern::Booking(_) => "no clinic or studio session that matches it can take the \
                                booking (or be opened) within the hard rules and the forbids"
            .into(),
        Pattern::Surgery(p)
            if p.surgery
                .is_some_and(|g| state.schedule.operations.iter().any(|op| op.surgery == g)) =>
        {
            "the surgery is done in another slot, theatre or by another surgeon".into()
        }
        Pattern::Surgery(_) => "no theatre, qualified surgeon and slot that match it are free \
                                within the hard rules and the forbids"
            .into(),
        Pattern::Assignment(_) => "no clinic, studio session, MDT meeting or surgery that \
                                   matches it fits: its people, rooms or slots are taken by \
                                   other pins, unavailable, or forbidden"
            .into(),
    }
}

/// The first pin the schedule's roster misses (by [`Pin::is_met`], the checker's
/// truth), as an error.
pub(super) fn check_pins(state: &State<'_>) -> Result<(), GreedyError> {
    let instance = state.instance;
    if instance.pins.is_empty() {
        return Ok(());
    }
    let roster = state.schedule.to_roster(
        instance,
        Provenance {
            status: RosterStatus::Feasible,
            bound: None,
            seconds: 0.0,
        },
    );
    match instance
        .pins
        .iter()
        .find(|pin| !pin.is_met(instance, &roster))
    {
        None => Ok(()),
        Some(pin) => Err(GreedyError::Pin {
            id: pin.id.clone(),
            label: pin.label(),
            pattern: pin.describe(instance),
            why: why_missed(state, pin),
        }),
    }
}
