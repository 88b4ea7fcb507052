//! A constructive heuristic that always produces a valid roster, quickly: the MILP's
//! start solution, its fallback when the time limit hits first, and the baseline it is
//! measured against.
//!
//! It places, in order: residency dates, the instance's pins (`pins`), MDT meetings,
//! studio sessions, surgeries (by priority), clinics for visiting specialists on site,
//! clinic demand, and bookings (opening clinics where that pays), each step choosing
//! the cheapest option by the §4 weights and asking `state::State::can_take` and the
//! forbids (`State::forbids`) before every move. A roster missing a pin is an error.

mod bookings;
mod entries;
mod pins;
mod residencies;
mod state;

use chrono::NaiveDate;

use crate::calendar::Slot;
use crate::instance::{Instance, RoomIx, RoomKind, SiteIx, SpecialistIx, StudioIx, SurgeryIx};
use crate::objective::Term;
use crate::schedule::{Clinic, Meeting, Operation, Schedule, Seat, StudioSession};
use state::State;

/// Why the heuristic could not build a roster.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GreedyError {
    /// A residency's dates could not be placed.
    #[error("residency of \"{specialist}\" at \"{site}\" cannot be placed in week {week}: {why}")]
    Residency {
        /// The specialist.
        specialist: String,
        /// The residency site.
        site: String,
        /// The week.
        week: u32,
        /// What stood in the way.
        why: String,
    },
    /// A pin (or forbid) of the instance does not hold in the heuristic's roster.
    #[error("{label} [{pattern}] cannot be met by the greedy heuristic: {why}")]
    Pin {
        /// The pin's id.
        id: String,
        /// `pin 3 (note)` / `forbid "x"`, as [`crate::pins::Pin::label`] writes it.
        label: String,
        /// The pattern, as the file writes it.
        pattern: String,
        /// What stood in the way.
        why: String,
    },
}

/// Builds a valid schedule that meets every pin of the instance.
pub fn build(instance: &Instance) -> Result<Schedule, GreedyError> {
    let mut state = State::new(instance);
    residencies::place_residencies(&mut state)?;
    pins::place_pins(&mut state);
    place_meetings(&mut state);
    place_studios(&mut state);
    place_surgeries(&mut state);
    fill_idle_visits(&mut state);
    place_clinic_demand(&mut state);
    bookings::place_bookings(&mut state);
    fill_idle_visits(&mut state);
    pins::check_pins(&state)?;
    Ok(state.schedule)
}

fn slots_of_week(instance: &Instance, week: u32) -> Vec<Slot> {
    instance
        .calendar
        .slots()
        .filter(|slot| instance.calendar.week_of(slot.date) == Some(week))
        .collect()
}

fn place_meetings(state: &mut State<'_>) {
    let instance = state.instance;
    for (b, board) in instance.mdt_boards.iter().enumerate() {
        for week in 0..instance.calendar.weeks() {
            // Meetings placed for pins count.
            let held = state
                .schedule
                .meetings
                .iter()
                .filter(|m| m.board.0 == b && instance.calendar.week_of(m.slot.date) == Some(week))
                .count();
            for _ in held..board.meetings_per_week as usize {
                let mut best: Option<(f64, Meeting)> = None;
                for slot in slots_of_week(instance, week) {
                    if let Some((cost, meeting)) = best_meeting(state, b, slot, None, &[])
                        && best.as_ref().is_none_or(|(c, _)| cost < *c)
                    {
                        best = Some((cost, meeting));
                    }
                }
                let Some((cost, meeting)) = best else { break };
                if cost >= instance.weights[Term::MissingMdtMeeting] {
                    break;
                }
                hold_meeting(state, meeting);
            }
        }
    }
}

/// The cheapest meeting of board `b` in the slot, in the first free fitting meeting room
/// (`room` when given) where it can be staffed around the `fixed` seats without
/// matching a forbid, and its cost.
fn best_meeting(
    state: &State<'_>,
    b: usize,
    slot: Slot,
    room: Option<RoomIx>,
    fixed: &[Seat],
) -> Option<(f64, Meeting)> {
    let instance = state.instance;
    let board = &instance.mdt_boards[b];
    // A board meets at most once per slot: a meeting is the set of its places in that
    // slot (PROBLEM.md §6).
    let already_meets = state
        .schedule
        .meetings
        .iter()
        .any(|m| m.board.0 == b && m.slot == slot);
    if !board.sessions.contains(&slot.session) || already_meets {
        return None;
    }
    let rooms = (0..instance.rooms.len()).map(RoomIx).filter(|r| {
        let fits = instance.room(*r);
        room.is_none_or(|wanted| wanted == *r)
            && fits.kind == RoomKind::Meeting
            && fits.site == board.site
            && fits.has_tags(&board.room_tags)
            && state.room_free(*r, slot)
    });
    for room in rooms {
        if let Some((cost, seats)) = staff_meeting(state, b, slot, room, fixed) {
            let meeting = Meeting {
                board: crate::instance::BoardIx(b),
                slot,
                room,
                seats,
            };
            if !state.forbids.meeting(&meeting) {
                return Some((cost, meeting));
            }
        }
        if !state.forbids.any_assignment() {
            // Without forbids the room changes nothing: staffing fails in every room.
            return None;
        }
    }
    None
}

/// Places a meeting found by [`best_meeting`].
fn hold_meeting(state: &mut State<'_>, meeting: Meeting) {
    let site = state.instance.mdt_boards[meeting.board.0].site;
    for seat in &meeting.seats {
        state.take(seat.who, meeting.slot, (!seat.remote).then_some(site));
    }
    state.use_room(meeting.room, meeting.slot);
    state.schedule.meetings.push(meeting);
}

/// The cheapest seats for a board's meeting in a slot and room (distinct people, the
/// `fixed` seats among them, no seat matching a forbid), and their cost.
fn staff_meeting(
    state: &State<'_>,
    b: usize,
    slot: Slot,
    room: RoomIx,
    fixed: &[Seat],
) -> Option<(f64, Vec<Seat>)> {
    let instance = state.instance;
    let board = &instance.mdt_boards[b];
    let seat_cost = |seat: &Seat| -> Option<f64> {
        let person = instance.specialist(seat.who);
        let base = state.avoid_cost(seat.who, slot);
        let allowed = person.has_discipline(&seat.discipline)
            && !state.forbids.seat(b, slot, room, seat)
            && if seat.remote {
                board.allows_remote(&seat.discipline) && state.can_take(seat.who, slot, None)
            } else {
                person.works_at(board.site) && state.can_take(seat.who, slot, Some(board.site))
            };
        match (allowed, seat.remote) {
            (false, _) => None,
            (true, true) => Some(base + 0.001),
            (true, false) => Some(base + state.presence_cost(seat.who, slot.date)),
        }
    };
    let mut seats: Vec<Seat> = Vec::new();
    let mut cost = 0.0;
    for seat in fixed {
        if !board.required.contains(&seat.discipline)
            || seats
                .iter()
                .any(|s| s.who == seat.who || s.discipline == seat.discipline)
        {
            return None;
        }
        cost += seat_cost(seat)?;
        seats.push(seat.clone());
    }
    let options_for = |discipline: &str| -> Vec<(f64, Seat)> {
        let mut options = Vec::new();
        for (i, person) in instance.specialists.iter().enumerate() {
            let who = SpecialistIx(i);
            if !person.has_discipline(discipline) {
                continue;
            }
            for remote in [false, true] {
                let seat = Seat {
                    who,
                    discipline: discipline.into(),
                    remote,
                };
                if let Some(c) = seat_cost(&seat) {
                    options.push((c, seat));
                }
            }
        }
        options.sort_by(|a, b| a.0.total_cmp(&b.0));
        options
    };
    let mut per_discipline: Vec<(String, Vec<(f64, Seat)>)> = board
        .required
        .iter()
        .filter(|d| fixed.iter().all(|seat| seat.discipline != **d))
        .map(|d| (d.clone(), options_for(d)))
        .collect();
    per_discipline.sort_by_key(|(_, options)| options.len());
    for (_, options) in per_discipline {
        let (c, seat) = options
            .into_iter()
            .find(|(_, seat)| seats.iter().all(|s| s.who != seat.who))?;
        cost += c;
        seats.push(seat);
    }
    seats.sort_by(|a, b| a.discipline.cmp(&b.discipline));
    Some((cost, seats))
}

fn place_studios(state: &mut State<'_>) {
    let instance = state.instance;
    for (s, studio) in instance.studios.iter().enumerate() {
        for week in 0..instance.calendar.weeks() {
            // Sessions placed for pins count.
            let held = state
                .schedule
                .studio_sessions
                .iter()
                .filter(|x| x.studio.0 == s && instance.calendar.week_of(x.slot.date) == Some(week))
                .count();
            for _ in held..studio.sessions_per_week as usize {
                let mut best: Option<(f64, StudioSession)> = None;
                for slot in slots_of_week(instance, week) {
                    if let Some((cost, session)) = best_studio_session(state, s, slot, None, &[])
                        && best.as_ref().is_none_or(|(c, _)| cost < *c)
                    {
                        best = Some((cost, session));
                    }
                }
                let Some((cost, session)) = best else { break };
                if cost >= instance.weights[Term::MissingStudioSession] {
                    break;
                }
                hold_studio(state, session);
            }
        }
    }
}

/// The cheapest session of studio `s` in the slot, in the free fitting clinic room with
/// the fewest extra tags (`room` when given) where no entry matches a forbid, with the
/// `wanted` apprentices who can come and the cheapest others up to `min_apprentices`.
fn best_studio_session(
    state: &State<'_>,
    s: usize,
    slot: Slot,
    room: Option<RoomIx>,
    wanted: &[SpecialistIx],
) -> Option<(f64, StudioSession)> {
    let instance = state.instance;
    let studio = &instance.studios[s];
    if state
        .schedule
        .studio_sessions
        .iter()
        .any(|x| x.studio.0 == s && x.slot == slot)
        || !state.can_take(studio.lead, slot, Some(studio.site))
    {
        return None;
    }
    let mut rooms: Vec<RoomIx> = (0..instance.rooms.len())
        .map(RoomIx)
        .filter(|r| {
            room.is_none_or(|wanted| wanted == *r)
                && fits_clinic(state, *r, studio.site, &studio.room_tags, slot)
        })
        .collect();
    rooms.sort_by_key(|r| instance.room(*r).tags.len());
    for room in rooms {
        if state.forbids.studio_lead(s, slot, room) {
            continue;
        }
        let mut apprentices: Vec<(bool, f64, SpecialistIx)> = studio
            .apprentices
            .iter()
            .filter(|a| {
                state.can_take(**a, slot, Some(studio.site))
                    && !state.forbids.apprentice(s, slot, room, **a)
            })
            .map(|a| {
                (
                    !wanted.contains(a),
                    state.presence_cost(*a, slot.date) + state.avoid_cost(*a, slot),
                    *a,
                )
            })
            .collect();
        if apprentices.len() < studio.min_apprentices as usize {
            continue;
        }
        apprentices.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let coming = apprentices.iter().filter(|(other, ..)| !other).count();
        apprentices.truncate(coming.max(studio.min_apprentices as usize));
        let cost = state.presence_cost(studio.lead, slot.date)
            + state.avoid_cost(studio.lead, slot)
            + apprentices.iter().map(|(_, c, _)| c).sum::<f64>();
        let apprentices = apprentices.into_iter().map(|(.., a)| a).collect();
        return Some((
            cost,
            StudioSession {
                studio: StudioIx(s),
                slot,
                room,
                apprentices,
            },
        ));
    }
    None
}

/// Places a studio session found by [`best_studio_session`].
fn hold_studio(state: &mut State<'_>, session: StudioSession) {
    let site = state.instance.studios[session.studio.0].site;
    state.take(
        state.instance.studios[session.studio.0].lead,
        session.slot,
        Some(site),
    );
    for apprentice in &session.apprentices {
        state.take(*apprentice, session.slot, Some(site));
    }
    state.use_room(session.room, session.slot);
    state.schedule.studio_sessions.push(session);
}

/// Whether a clinic room at the site with the tags is free in the slot.
fn fits_clinic(state: &State<'_>, r: RoomIx, site: SiteIx, tags: &[String], slot: Slot) -> bool {
    let room = state.instance.room(r);
    room.kind == RoomKind::Clinic
        && room.site == site
        && room.has_tags(tags)
        && state.room_free(r, slot)
}

/// A free clinic room at the site with the tags that `keep` accepts, preferring the
/// fewest extra tags.
fn clinic_room(
    state: &State<'_>,
    site: SiteIx,
    tags: &[String],
    slot: Slot,
    keep: impl Fn(RoomIx) -> bool,
) -> Option<RoomIx> {
    (0..state.instance.rooms.len())
        .map(RoomIx)
        .filter(|r| fits_clinic(state, *r, site, tags, slot) && keep(*r))
        .min_by_key(|r| state.instance.room(*r).tags.len())
}

fn place_surgeries(state: &mut State<'_>) {
    let instance = state.instance;
    let weights = &instance.weights;
    let mut order: Vec<usize> = (0..instance.surgeries.len()).collect();
    order.sort_by_key(|g| {
        (
            std::cmp::Reverse(instance.surgeries[*g].priority),
            instance.surgeries[*g].due,
        )
    });
    for g in order {
        let priority = f64::from(instance.surgeries[g].priority);
        let Some((cost, operation, joins)) = best_operation(state, SurgeryIx(g), &|_| true) else {
            continue;
        };
        if cost >= weights[Term::UnscheduledSurgery] * priority {
            continue;
        }
        do_operation(state, operation, joins);
    }
}

/// The cheapest placement of a surgery not yet done that `accept`s and no forbid
/// matches, its cost (lateness, and presence and avoidance for a surgeon not yet
/// operating in the slot) and whether the surgeon already operates there (`joins`).
fn best_operation(
    state: &State<'_>,
    surgery_ix: SurgeryIx,
    accept: &dyn Fn(&Operation) -> bool,
) -> Option<(f64, Operation, bool)> {
    let instance = state.instance;
    let weights = &instance.weights;
    if state
        .schedule
        .operations
        .iter()
        .any(|op| op.surgery == surgery_ix)
    {
        return None;
    }
    let surgery = &instance.surgeries[surgery_ix.0];
    let priority = f64::from(surgery.priority);
    let surgeons = instance.qualified_surgeons(surgery_ix);
    let mut best: Option<(f64, Operation, bool)> = None;
    for slot in instance.calendar.slots() {
        if slot.date < surgery.release
            || instance.calendar.sessions()[slot.session].minutes() < surgery.minutes
        {
            continue;
        }
        let late = (slot.date - surgery.due).num_days().max(0) as f64;
        for (r, room) in instance.rooms.iter().enumerate() {
            let room_ix = RoomIx(r);
            if room.kind != RoomKind::Theatre
                || !room.has_tags(&surgery.room_tags)
                || surgery.site.is_some_and(|site| site != room.site)
                || room.unavailable.contains(slot.date, slot.session)
                || state.theatre_left(room_ix, slot) < surgery.minutes
            {
                continue;
            }
            for &surgeon in &surgeons {
                let (extra, joins) = match state.operating_left(surgeon, slot, room.site) {
                    Some(left) if left >= surgery.minutes => (0.0, true),
                    Some(_) => continue,
                    None if state.can_take(surgeon, slot, Some(room.site)) => (
                        state.presence_cost(surgeon, slot.date) + state.avoid_cost(surgeon, slot),
                        false,
                    ),
                    None => continue,
                };
                let cost = weights[Term::SurgeryLateDay] * priority * late + extra;
                if best.as_ref().is_none_or(|(c, _, _)| cost < *c) {
                    let operation = Operation {
                        surgery: surgery_ix,
                        slot,
                        room: room_ix,
                        surgeon,
                    };
                    if accept(&operation) && !state.forbids.operation(&operation) {
                        best = Some((cost, operation, joins));
                    }
                }
            }
        }
    }
    best
}

/// Places a surgery found by [`best_operation`].
fn do_operation(state: &mut State<'_>, operation: Operation, joins: bool) {
    let instance = state.instance;
    if !joins {
        let site = instance.room(operation.room).site;
        state.take(operation.surgeon, operation.slot, Some(site));
    }
    state.use_theatre(
        operation.room,
        operation.surgeon,
        operation.slot,
        instance.surgeries[operation.surgery.0].minutes,
    );
    state.schedule.operations.push(operation);
}

/// Clinic sessions per (site, discipline, week) wanted and not yet held, by room tags.
fn demand_short(state: &State<'_>, site: SiteIx, discipline: &str, week: u32) -> Vec<Vec<String>> {
    let instance = state.instance;
    let mut short = Vec::new();
    for demand in &instance.clinic_demand {
        if demand.site != site || demand.discipline != discipline {
            continue;
        }
        let held = held_sessions(state, site, discipline, week, &demand.room_tags);
        for _ in held..demand.sessions_per_week as usize {
            short.push(demand.room_tags.clone());
        }
    }
    short
}

fn held_sessions(
    state: &State<'_>,
    site: SiteIx,
    discipline: &str,
    week: u32,
    tags: &[String],
) -> usize {
    let instance = state.instance;
    let schedule = &state.schedule;
    let in_week = |slot: &Slot| instance.calendar.week_of(slot.date) == Some(week);
    let clinics = schedule
        .clinics
        .iter()
        .filter(|c| {
            in_week(&c.slot)
                && c.discipline == discipline
                && instance.room(c.room).site == site
                && instance.room(c.room).has_tags(tags)
        })
        .count();
    let studios = schedule
        .studio_sessions
        .iter()
        .filter(|s| {
            let studio = &instance.studios[s.studio.0];
            in_week(&s.slot)
                && studio.discipline == discipline
                && studio.site == site
                && instance.room(s.room).has_tags(tags)
        })
        .count();
    clinics + studios
}

/// What a clinic opened for a pin must be: its room and discipline, when named.
#[derive(Debug, Clone, Copy, Default)]
struct ClinicWant<'p> {
    /// The room.
    room: Option<RoomIx>,
    /// The discipline.
    discipline: Option<&'p str>,
}

/// The discipline and room of a clinic for `who` in the slot at the site (serving clinic
/// demand first, `preferred` discipline first), as `want` asks and no forbid matches.
fn clinic_choice(
    state: &State<'_>,
    who: SpecialistIx,
    slot: Slot,
    site: SiteIx,
    preferred: Option<&str>,
    want: ClinicWant<'_>,
) -> Option<(String, RoomIx)> {
    let instance = state.instance;
    let person = instance.specialist(who);
    let week = instance.calendar.week_of(slot.date).unwrap_or(0);
    let disciplines: Vec<&String> = match preferred {
        Some(p) => person
            .disciplines
            .iter()
            .filter(|d| d.as_str() == p)
            .chain(person.disciplines.iter().filter(|d| d.as_str() != p))
            .collect(),
        None => person.disciplines.iter().collect(),
    };
    let disciplines: Vec<&String> = disciplines
        .into_iter()
        .filter(|d| want.discipline.is_none_or(|w| w == d.as_str()))
        .collect();
    let keep = |discipline: &str, r: RoomIx| {
        want.room.is_none_or(|w| w == r) && !state.forbids.clinic(who, slot, site, r, discipline)
    };
    for discipline in &disciplines {
        for tags in demand_short(state, site, discipline, week) {
            if let Some(room) = clinic_room(state, site, &tags, slot, |r| keep(discipline, r)) {
                return Some(((*discipline).clone(), room));
            }
        }
    }
    disciplines.iter().find_map(|discipline| {
        clinic_room(state, site, &[], slot, |r| keep(discipline, r))
            .map(|room| ((*discipline).clone(), room))
    })
}

/// Opens a clinic for `who` in the slot at the site, choosing discipline and room to
/// serve clinic demand first (see [`clinic_choice`]).
fn open_clinic(
    state: &mut State<'_>,
    who: SpecialistIx,
    slot: Slot,
    site: SiteIx,
    preferred: Option<&str>,
    want: ClinicWant<'_>,
) -> bool {
    let Some((discipline, room)) = clinic_choice(state, who, slot, site, preferred, want) else {
        return false;
    };
    state.take(who, slot, Some(site));
    state.use_room(room, slot);
    state.schedule.clinics.push(Clinic {
        who,
        slot,
        room,
        discipline,
    });
    true
}

/// Visiting specialists on site should not sit idle: give their free slots a clinic.
fn fill_idle_visits(state: &mut State<'_>) {
    let instance = state.instance;
    if instance.weights[Term::IdleVisitingSession] <= 0.0 {
        return;
    }
    let days: Vec<(SpecialistIx, NaiveDate)> = state
        .schedule
        .presence
        .iter()
        .map(|(who, date, _)| (*who, *date))
        .collect();
    for (who, date) in days {
        for session in 0..instance.calendar.sessions().len() {
            let slot = Slot { date, session };
            if state.avoid_cost(who, slot) >= instance.weights[Term::IdleVisitingSession] {
                continue;
            }
            for site in state.sites_on(who, date) {
                if state.can_take(who, slot, Some(site))
                    && open_clinic(state, who, slot, site, None, ClinicWant::default())
                {
                    break;
                }
            }
        }
    }
}

fn place_clinic_demand(state: &mut State<'_>) {
    let instance = state.instance;
    let weight = instance.weights[Term::UnmetClinicSession];
    for demand in &instance.clinic_demand {
        for week in 0..instance.calendar.weeks() {
            // Clinics a forbid refused: the next best is tried instead.
            let mut refused: Vec<(SpecialistIx, Slot)> = Vec::new();
            while held_sessions(
                state,
                demand.site,
                &demand.discipline,
                week,
                &demand.room_tags,
            ) < demand.sessions_per_week as usize
            {
                let mut best: Option<(f64, SpecialistIx, Slot)> = None;
                for slot in slots_of_week(instance, week) {
                    if clinic_room(state, demand.site, &demand.room_tags, slot, |_| true).is_none()
                    {
                        continue;
                    }
                    for (i, person) in instance.specialists.iter().enumerate() {
                        let who = SpecialistIx(i);
                        if !person.has_discipline(&demand.discipline)
                            || !state.can_take(who, slot, Some(demand.site))
                            || refused.contains(&(who, slot))
                        {
                            continue;
                        }
                        let cost =
                            state.presence_cost(who, slot.date) + state.avoid_cost(who, slot);
                        if best.is_none_or(|(c, _, _)| cost < c) {
                            best = Some((cost, who, slot));
                        }
                    }
                }
                let Some((cost, who, slot)) = best else { break };
                if cost >= weight {
                    break;
                }
                let preferred = Some(demand.discipline.as_str());
                if !open_clinic(
                    state,
                    who,
                    slot,
                    demand.site,
                    preferred,
                    ClinicWant::default(),
                ) {
                    refused.push((who, slot));
                }
            }
        }
    }
}
