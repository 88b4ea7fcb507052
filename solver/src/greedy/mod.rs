//! A constructive heuristic that always produces a valid roster, quickly: the MILP's
//! start solution, its fallback when the time limit hits first, and the baseline it is
//! measured against.
//!
//! It places, in order: residency dates, MDT meetings, studio sessions, surgeries
//! (by priority), clinics for visiting specialists on site, clinic demand, and
//! bookings (opening clinics where that pays), each step choosing the cheapest
//! option by the §4 weights and asking `state::State::can_take` before every move.

mod state;

use chrono::{Datelike, NaiveDate};

use crate::calendar::Slot;
use crate::instance::{Instance, RoomIx, RoomKind, SiteIx, SpecialistIx, StudioIx};
use crate::objective::Term;
use crate::schedule::{Appointment, Clinic, Meeting, Operation, Schedule, Seat, StudioSession};
use state::State;

/// Why the heuristic could not build a roster.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("residency of \"{specialist}\" at \"{site}\" cannot be placed in week {week}: {why}")]
pub struct GreedyError {
    /// The specialist.
    pub specialist: String,
    /// The residency site.
    pub site: String,
    /// The week.
    pub week: u32,
    /// What stood in the way.
    pub why: String,
}

/// Builds a valid schedule.
pub fn build(instance: &Instance) -> Result<Schedule, GreedyError> {
    let mut state = State::new(instance);
    place_residencies(&mut state)?;
    place_meetings(&mut state);
    place_studios(&mut state);
    place_surgeries(&mut state);
    fill_idle_visits(&mut state);
    place_clinic_demand(&mut state);
    place_bookings(&mut state);
    fill_idle_visits(&mut state);
    Ok(state.schedule)
}

fn slots_of_week(instance: &Instance, week: u32) -> Vec<Slot> {
    instance
        .calendar
        .slots()
        .filter(|slot| instance.calendar.week_of(slot.date) == Some(week))
        .collect()
}

/// How much a specialist is wanted on a date: requests naming them whose window holds it.
fn date_appeal(instance: &Instance, who: SpecialistIx, date: NaiveDate) -> usize {
    instance
        .requests
        .iter()
        .filter(|r| r.specialist == Some(who) && r.earliest <= date && date <= r.latest)
        .count()
}

fn place_residencies(state: &mut State<'_>) -> Result<(), GreedyError> {
    let instance = state.instance;
    let open = instance.calendar.open_dates();
    for residency in &instance.residencies {
        let who = residency.specialist;
        let error = |week: u32, why: &str| GreedyError {
            specialist: instance.specialist(who).id.clone(),
            site: instance.site(residency.site).id.clone(),
            week,
            why: why.into(),
        };
        let usable = |state: &State<'_>, date: NaiveDate| {
            instance.can_be_on_site(who, date)
                && state
                    .sites_on(who, date)
                    .iter()
                    .all(|s| *s == residency.site)
        };
        // Candidate weekday sets per week, each a list of dates.
        let candidates = |state: &State<'_>, week: u32| -> Vec<Vec<NaiveDate>> {
            let week_open: Vec<NaiveDate> = open
                .iter()
                .copied()
                .filter(|d| instance.calendar.week_of(*d) == Some(week))
                .collect();
            let dpw = residency.days_per_week as usize;
            if let Some(days) = &residency.days {
                let dates: Vec<NaiveDate> = instance
                    .calendar
                    .week_dates(week)
                    .filter(|d| days.contains(&d.weekday()))
                    .collect();
                return vec![dates];
            }
            let usable_dates: Vec<NaiveDate> = week_open
                .iter()
                .copied()
                .filter(|d| usable(state, *d))
                .collect();
            if residency.consecutive {
                week_open
                    .windows(dpw)
                    .filter(|w| w.iter().all(|d| usable_dates.contains(d)))
                    .map(<[NaiveDate]>::to_vec)
                    .collect()
            } else {
                let mut ranked = usable_dates.clone();
                ranked.sort_by_key(|d| std::cmp::Reverse(date_appeal(instance, who, *d)));
                ranked.truncate(dpw);
                ranked.sort();
                if ranked.len() == dpw {
                    vec![ranked]
                } else {
                    Vec::new()
                }
            }
        };
        let appeal = |dates: &[NaiveDate]| {
            dates
                .iter()
                .map(|d| date_appeal(instance, who, *d))
                .sum::<usize>()
        };
        let weekdays = |dates: &[NaiveDate]| {
            dates
                .iter()
                .map(|d| d.weekday().num_days_from_monday())
                .collect::<Vec<_>>()
        };
        let chosen_weekdays: Option<Vec<u32>> = if residency.days.is_none()
            && residency.same_days_every_week
            && !residency.consecutive
        {
            // Any weekdays usable in every week will do: take the most wanted ones.
            let mut common: Vec<u32> = (0..7).collect();
            for &week in &residency.weeks {
                let usable_days: Vec<u32> = instance
                    .calendar
                    .week_dates(week)
                    .filter(|d| instance.calendar.is_open(*d) && usable(state, *d))
                    .map(|d| d.weekday().num_days_from_monday())
                    .collect();
                common.retain(|d| usable_days.contains(d));
            }
            let total_appeal = |day: u32| {
                residency
                    .weeks
                    .iter()
                    .flat_map(|w| instance.calendar.week_dates(*w))
                    .filter(|d| d.weekday().num_days_from_monday() == day)
                    .map(|d| date_appeal(instance, who, d))
                    .sum::<usize>()
            };
            common.sort_by_key(|d| (std::cmp::Reverse(total_appeal(*d)), *d));
            common.truncate(residency.days_per_week as usize);
            if common.len() < residency.days_per_week as usize {
                return Err(error(
                    residency.weeks.first().copied().unwrap_or(0),
                    "no weekdays work in every week",
                ));
            }
            common.sort();
            Some(common)
        } else if residency.days.is_none() && residency.same_days_every_week {
            let mut common: Option<Vec<Vec<u32>>> = None;
            let mut score: Vec<(Vec<u32>, usize)> = Vec::new();
            for &week in &residency.weeks {
                let options = candidates(state, week);
                let sets: Vec<Vec<u32>> = options.iter().map(|o| weekdays(o)).collect();
                for (set, option) in sets.iter().zip(&options) {
                    match score.iter_mut().find(|(s, _)| s == set) {
                        Some(entry) => entry.1 += appeal(option),
                        None => score.push((set.clone(), appeal(option))),
                    }
                }
                common = Some(match common {
                    None => sets,
                    Some(previous) => previous.into_iter().filter(|s| sets.contains(s)).collect(),
                });
            }
            let common = common.unwrap_or_default();
            let best = score
                .into_iter()
                .filter(|(set, _)| common.contains(set))
                .max_by_key(|(set, value)| (*value, std::cmp::Reverse(set.clone())))
                .map(|(set, _)| set);
            if best.is_none() {
                return Err(error(
                    residency.weeks.first().copied().unwrap_or(0),
                    "no weekdays work in every week",
                ));
            }
            best
        } else {
            None
        };
        for &week in &residency.weeks {
            let options = candidates(state, week);
            let pick = match &chosen_weekdays {
                Some(set) if !residency.consecutive => Some(
                    instance
                        .calendar
                        .week_dates(week)
                        .filter(|d| set.contains(&d.weekday().num_days_from_monday()))
                        .collect(),
                ),
                Some(set) => options.into_iter().find(|o| &weekdays(o) == set),
                None => options
                    .into_iter()
                    .max_by_key(|o| (appeal(o), std::cmp::Reverse(o.clone()))),
            };
            let Some(dates) = pick else {
                return Err(error(week, "no usable dates left"));
            };
            for date in dates {
                if !usable(state, date) {
                    return Err(error(
                        week,
                        &format!("{date} is taken by another residency or not available"),
                    ));
                }
                state.place_residency_day(who, date, residency.site);
            }
        }
    }
    Ok(())
}

fn place_meetings(state: &mut State<'_>) {
    let instance = state.instance;
    for (b, board) in instance.mdt_boards.iter().enumerate() {
        for week in 0..instance.calendar.weeks() {
            for _ in 0..board.meetings_per_week {
                let mut best: Option<(f64, Meeting)> = None;
                for slot in slots_of_week(instance, week) {
                    // A board meets at most once per slot: a meeting is the set of its
                    // places in that slot (PROBLEM.md §6).
                    let already_meets = state
                        .schedule
                        .meetings
                        .iter()
                        .any(|m| m.board.0 == b && m.slot == slot);
                    if !board.sessions.contains(&slot.session) || already_meets {
                        continue;
                    }
                    let Some(room) = (0..instance.rooms.len()).map(RoomIx).find(|r| {
                        let room = instance.room(*r);
                        room.kind == RoomKind::Meeting
                            && room.site == board.site
                            && room.has_tags(&board.room_tags)
                            && state.room_free(*r, slot)
                    }) else {
                        continue;
                    };
                    if let Some((cost, seats)) = staff_meeting(state, b, slot)
                        && best.as_ref().is_none_or(|(c, _)| cost < *c)
                    {
                        best = Some((
                            cost,
                            Meeting {
                                board: crate::instance::BoardIx(b),
                                slot,
                                room,
                                seats,
                            },
                        ));
                    }
                }
                let Some((cost, meeting)) = best else { break };
                if cost >= instance.weights[Term::MissingMdtMeeting] {
                    break;
                }
                for seat in &meeting.seats {
                    let site = (!seat.remote).then_some(board.site);
                    state.take(seat.who, meeting.slot, site);
                }
                state.use_room(meeting.room, meeting.slot);
                state.schedule.meetings.push(meeting);
            }
        }
    }
}

/// The cheapest seats for a board's meeting in a slot (distinct people), and their cost.
fn staff_meeting(state: &State<'_>, b: usize, slot: Slot) -> Option<(f64, Vec<Seat>)> {
    let instance = state.instance;
    let board = &instance.mdt_boards[b];
    let options_for = |discipline: &str| -> Vec<(f64, Seat)> {
        let mut options = Vec::new();
        for (i, person) in instance.specialists.iter().enumerate() {
            let who = SpecialistIx(i);
            if !person.has_discipline(discipline) {
                continue;
            }
            let base = state.avoid_cost(who, slot);
            if person.works_at(board.site) && state.can_take(who, slot, Some(board.site)) {
                let cost = base + state.presence_cost(who, slot.date);
                options.push((
                    cost,
                    Seat {
                        who,
                        discipline: discipline.into(),
                        remote: false,
                    },
                ));
            }
            if board.allows_remote(discipline) && state.can_take(who, slot, None) {
                options.push((
                    base + 0.001,
                    Seat {
                        who,
                        discipline: discipline.into(),
                        remote: true,
                    },
                ));
            }
        }
        options.sort_by(|a, b| a.0.total_cmp(&b.0));
        options
    };
    let mut per_discipline: Vec<(String, Vec<(f64, Seat)>)> = board
        .required
        .iter()
        .map(|d| (d.clone(), options_for(d)))
        .collect();
    per_discipline.sort_by_key(|(_, options)| options.len());
    let mut seats: Vec<Seat> = Vec::new();
    let mut cost = 0.0;
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
            for _ in 0..studio.sessions_per_week {
                let mut best: Option<(f64, StudioSession)> = None;
                for slot in slots_of_week(instance, week) {
                    if !state.can_take(studio.lead, slot, Some(studio.site)) {
                        continue;
                    }
                    let Some(room) = clinic_room(state, studio.site, &studio.room_tags, slot)
                    else {
                        continue;
                    };
                    let mut apprentices: Vec<(f64, SpecialistIx)> = studio
                        .apprentices
                        .iter()
                        .filter(|a| state.can_take(**a, slot, Some(studio.site)))
                        .map(|a| {
                            (
                                state.presence_cost(*a, slot.date) + state.avoid_cost(*a, slot),
                                *a,
                            )
                        })
                        .collect();
                    if apprentices.len() < studio.min_apprentices as usize {
                        continue;
                    }
                    apprentices.sort_by(|a, b| a.0.total_cmp(&b.0));
                    apprentices.truncate(studio.min_apprentices as usize);
                    let cost = state.presence_cost(studio.lead, slot.date)
                        + state.avoid_cost(studio.lead, slot)
                        + apprentices.iter().map(|(c, _)| c).sum::<f64>();
                    if best.as_ref().is_none_or(|(c, _)| cost < *c) {
                        let apprentices = apprentices.into_iter().map(|(_, a)| a).collect();
                        best = Some((
                            cost,
                            StudioSession {
                                studio: StudioIx(s),
                                slot,
                                room,
                                apprentices,
                            },
                        ));
                    }
                }
                let Some((cost, session)) = best else { break };
                if cost >= instance.weights[Term::MissingStudioSession] {
                    break;
                }
                state.take(studio.lead, session.slot, Some(studio.site));
                for apprentice in &session.apprentices {
                    state.take(*apprentice, session.slot, Some(studio.site));
                }
                state.use_room(session.room, session.slot);
                state.schedule.studio_sessions.push(session);
            }
        }
    }
}

/// A free clinic room at the site with the tags, preferring the fewest extra tags.
fn clinic_room(state: &State<'_>, site: SiteIx, tags: &[String], slot: Slot) -> Option<RoomIx> {
    let instance = state.instance;
    (0..instance.rooms.len())
        .map(RoomIx)
        .filter(|r| {
            let room = instance.room(*r);
            room.kind == RoomKind::Clinic
                && room.site == site
                && room.has_tags(tags)
                && state.room_free(*r, slot)
        })
        .min_by_key(|r| instance.room(*r).tags.len())
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
        let surgery = &instance.surgeries[g];
        let priority = f64::from(surgery.priority);
        let surgeons = instance.qualified_surgeons(crate::instance::SurgeryIx(g));
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
                            state.presence_cost(surgeon, slot.date)
                                + state.avoid_cost(surgeon, slot),
                            false,
                        ),
                        None => continue,
                    };
                    let cost = weights[Term::SurgeryLateDay] * priority * late + extra;
                    if best.as_ref().is_none_or(|(c, _, _)| cost < *c) {
                        best = Some((
                            cost,
                            Operation {
                                surgery: crate::instance::SurgeryIx(g),
                                slot,
                                room: room_ix,
                                surgeon,
                            },
                            joins,
                        ));
                    }
                }
            }
        }
        let Some((cost, operation, joins)) = best else {
            continue;
        };
        if cost >= weights[Term::UnscheduledSurgery] * priority {
            continue;
        }
        if !joins {
            let site = instance.room(operation.room).site;
            state.take(operation.surgeon, operation.slot, Some(site));
        }
        state.use_theatre(
            operation.room,
            operation.surgeon,
            operation.slot,
            surgery.minutes,
        );
        state.schedule.operations.push(operation);
    }
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

/// Opens a clinic for `who` in the slot at the site, choosing discipline and room to
/// serve clinic demand first.
fn open_clinic(
    state: &mut State<'_>,
    who: SpecialistIx,
    slot: Slot,
    site: SiteIx,
    preferred: Option<&str>,
) -> bool {
    let instance = state.instance;
    let person = instance.specialist(who);
    let week = instance.calendar.week_of(slot.date).unwrap_or(0);
    let mut choice: Option<(String, RoomIx)> = None;
    let disciplines: Vec<&String> = match preferred {
        Some(p) => person
            .disciplines
            .iter()
            .filter(|d| d.as_str() == p)
            .chain(person.disciplines.iter().filter(|d| d.as_str() != p))
            .collect(),
        None => person.disciplines.iter().collect(),
    };
    for discipline in &disciplines {
        for tags in demand_short(state, site, discipline, week) {
            if let Some(room) = clinic_room(state, site, &tags, slot) {
                choice = Some(((*discipline).clone(), room));
                break;
            }
        }
        if choice.is_some() {
            break;
        }
    }
    if choice.is_none()
        && let Some(room) = clinic_room(state, site, &[], slot)
    {
        choice = Some((
            disciplines
                .first()
                .map(|d| (*d).clone())
                .unwrap_or_default(),
            room,
        ));
    }
    let Some((discipline, room)) = choice else {
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
                    && open_clinic(state, who, slot, site, None)
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
                    if clinic_room(state, demand.site, &demand.room_tags, slot).is_none() {
                        continue;
                    }
                    for (i, person) in instance.specialists.iter().enumerate() {
                        let who = SpecialistIx(i);
                        if !person.has_discipline(&demand.discipline)
                            || !state.can_take(who, slot, Some(demand.site))
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
                if cost >= weight
                    || !open_clinic(state, who, slot, demand.site, Some(&demand.discipline))
                {
                    break;
                }
            }
        }
    }
}

fn place_bookings(state: &mut State<'_>) {
    let instance = state.instance;
    let weights = &instance.weights;
    let mut order: Vec<usize> = (0..instance.requests.len()).collect();
    order.sort_by_key(|r| {
        let request = &instance.requests[*r];
        (
            std::cmp::Reverse(request.priority),
            request.latest,
            request.earliest,
        )
    });
    let mut booked: std::collections::BTreeMap<(SpecialistIx, Slot), u32> =
        std::collections::BTreeMap::new();
    for r in order {
        let request = &instance.requests[r];
        let priority = f64::from(request.priority);
        let eligible = |who: SpecialistIx, discipline: &str| {
            request.specialist == Some(who)
                || ((request.specialist.is_none() || request.substitute_ok)
                    && discipline == request.discipline)
        };
        let cost_of = |who: SpecialistIx, slot: Slot| {
            let substitute = if request.specialist.is_some_and(|n| n != who) {
                weights[Term::Substitute]
            } else {
                0.0
            };
            substitute
                + weights[Term::WaitDay]
                    * priority
                    * (slot.date - request.earliest).num_days() as f64
        };
        let in_window = |slot: &Slot| slot.date >= request.earliest && slot.date <= request.latest;
        // Existing sessions with room.
        let mut best: Option<(f64, SpecialistIx, Slot, Option<SiteIx>)> = None;
        let sessions: Vec<(SpecialistIx, Slot, SiteIx, String)> = state
            .schedule
            .clinics
            .iter()
            .map(|c| {
                (
                    c.who,
                    c.slot,
                    instance.room(c.room).site,
                    c.discipline.clone(),
                )
            })
            .chain(state.schedule.studio_sessions.iter().map(|s| {
                let studio = &instance.studios[s.studio.0];
                (studio.lead, s.slot, studio.site, studio.discipline.clone())
            }))
            .collect();
        for (who, slot, site, discipline) in sessions {
            let used = booked.get(&(who, slot)).copied().unwrap_or(0);
            if in_window(&slot)
                && request.allows_site(site)
                && eligible(who, &discipline)
                && used < instance.specialist(who).clinic_capacity
            {
                let cost = cost_of(who, slot);
                if best.is_none_or(|(c, ..)| cost < c) {
                    best = Some((cost, who, slot, None));
                }
            }
        }
        // New clinics, when cheaper.
        for slot in instance.calendar.slots().filter(in_window) {
            for (i, person) in instance.specialists.iter().enumerate() {
                let who = SpecialistIx(i);
                let discipline = if person.has_discipline(&request.discipline) {
                    request.discipline.as_str()
                } else {
                    person.disciplines[0].as_str()
                };
                if person.clinic_capacity == 0 || !eligible(who, discipline) {
                    continue;
                }
                for &site in &person.sites {
                    if !request.allows_site(site)
                        || !state.can_take(who, slot, Some(site))
                        || clinic_room(state, site, &[], slot).is_none()
                    {
                        continue;
                    }
                    let cost = cost_of(who, slot)
                        + state.presence_cost(who, slot.date)
                        + state.avoid_cost(who, slot);
                    if best.is_none_or(|(c, ..)| cost < c) {
                        best = Some((cost, who, slot, Some(site)));
                    }
                }
            }
        }
        let Some((cost, who, slot, new_site)) = best else {
            continue;
        };
        if cost >= weights[Term::UnservedRequest] * priority {
            continue;
        }
        if let Some(site) = new_site {
            let preferred = if instance.specialist(who).has_discipline(&request.discipline) {
                Some(request.discipline.as_str())
            } else {
                None
            };
            if !open_clinic(state, who, slot, site, preferred) {
                continue;
            }
            // The clinic must be in an eligible discipline for a substitute.
            let held = state
                .schedule
                .clinics
                .last()
                .map(|c| c.discipline.clone())
                .unwrap_or_default();
            if !eligible(who, &held) {
                continue;
            }
        }
        *booked.entry((who, slot)).or_default() += 1;
        state.schedule.appointments.push(Appointment {
            request: crate::instance::RequestIx(r),
            who,
            slot,
        });
    }
}
