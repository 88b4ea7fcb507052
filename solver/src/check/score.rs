//! §4 recomputed from the roster alone, and the unmet demand §6 requires the roster
//! to list (compared with the roster's own `unmet`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::Discrepancy;
use super::resolve::Resolved;
use crate::calendar::Slot;
use crate::instance::{Instance, RoomIx, SiteIx, SpecialistIx};
use crate::objective::{Term, TermValues};
use crate::roster::{Activity, Roster, StudioRole, UnmetKind};

/// The recomputed terms plus what is unmet, by kind.
pub(super) struct Score {
    pub terms: TermValues,
    unserved_requests: Vec<usize>,
    /// Positions in [`Instance::resource_requests`].
    unserved_resource_requests: Vec<usize>,
    unscheduled_surgeries: Vec<usize>,
    /// (board, week) → meetings missing.
    missing_meetings: BTreeMap<(usize, u32), u32>,
    /// (studio, week) → sessions missing.
    missing_studio: BTreeMap<(usize, u32), u32>,
    /// (site, discipline, week) → clinic sessions missing, summed over demands.
    missing_clinic: BTreeMap<(SiteIx, String, u32), u32>,
}

/// A clinic-like session that can count for clinic demand.
struct HeldSession {
    slot: Slot,
    site: SiteIx,
    room: RoomIx,
    discipline: String,
}

pub(super) fn score(instance: &Instance, resolved: &Resolved<'_>) -> Score {
    let w = &instance.weights;
    let calendar = &instance.calendar;
    let mut terms = TermValues::default();

    // Requests: the first booking of each request counts.
    let mut served = BTreeSet::new();
    for booked in &resolved.bookings {
        if !served.insert(booked.request) {
            continue;
        }
        let request = &instance.requests[booked.request.0];
        let priority = f64::from(request.priority);
        if request.specialist.is_some_and(|named| named != booked.who) {
            terms[Term::Substitute] += w[Term::Substitute];
        }
        let wait = (booked.slot.date - request.earliest).num_days().max(0) as f64;
        terms[Term::WaitDay] += w[Term::WaitDay] * priority * wait;
    }
    let unserved_requests: Vec<usize> = (0..instance.requests.len())
        .filter(|i| !served.contains(&crate::instance::RequestIx(*i)))
        .collect();
    for i in &unserved_requests {
        terms[Term::UnservedRequest] +=
            w[Term::UnservedRequest] * f64::from(instance.requests[*i].priority);
    }
    // Resource requests count as requests (docs/format.md § Resources).
    let mut served_resource = BTreeSet::new();
    for booked in &resolved.resource_bookings {
        if !served_resource.insert(booked.request.0) {
            continue;
        }
        let request = &instance.resource_requests[booked.request.0];
        let wait = (booked.slot.date - request.earliest).num_days().max(0) as f64;
        terms[Term::WaitDay] += w[Term::WaitDay] * f64::from(request.priority) * wait;
    }
    let unserved_resource_requests: Vec<usize> = (0..instance.resource_requests.len())
        .filter(|i| !served_resource.contains(i))
        .collect();
    for i in &unserved_resource_requests {
        terms[Term::UnservedRequest] +=
            w[Term::UnservedRequest] * f64::from(instance.resource_requests[*i].priority);
    }

    // Surgeries: the first placement of each surgery counts.
    let mut done = BTreeSet::new();
    for op in &resolved.surgeries {
        if !done.insert(op.surgery.0) {
            continue;
        }
        let surgery = &instance.surgeries[op.surgery.0];
        let late = (op.slot.date - surgery.due).num_days().max(0) as f64;
        terms[Term::SurgeryLateDay] += w[Term::SurgeryLateDay] * f64::from(surgery.priority) * late;
    }
    let unscheduled_surgeries: Vec<usize> = (0..instance.surgeries.len())
        .filter(|i| !done.contains(i))
        .collect();
    for i in &unscheduled_surgeries {
        terms[Term::UnscheduledSurgery] +=
            w[Term::UnscheduledSurgery] * f64::from(instance.surgeries[*i].priority);
    }

    // Meetings and studio sessions held, per week.
    let mut meetings: BTreeSet<(usize, Slot)> = BTreeSet::new();
    let mut studio_sessions: BTreeSet<(usize, Slot)> = BTreeSet::new();
    let mut held: Vec<HeldSession> = Vec::new();
    for placed in &resolved.assignments {
        match placed.raw.activity {
            Activity::Mdt => {
                if let Some(board) = placed.board {
                    meetings.insert((board.0, placed.slot));
                }
            }
            Activity::Studio => {
                if let Some(studio) = placed.studio {
                    studio_sessions.insert((studio.0, placed.slot));
                    if placed.raw.role == Some(StudioRole::Lead)
                        && let (Some(site), Some(room)) = (placed.site, placed.room)
                    {
                        held.push(HeldSession {
                            slot: placed.slot,
                            site,
                            room,
                            discipline: instance.studios[studio.0].discipline.clone(),
                        });
                    }
                }
            }
            Activity::Clinic => {
                if let (Some(site), Some(room), Some(discipline)) =
                    (placed.site, placed.room, &placed.raw.discipline)
                {
                    held.push(HeldSession {
                        slot: placed.slot,
                        site,
                        room,
                        discipline: discipline.clone(),
                    });
                }
            }
            Activity::Surgery => {}
        }
    }
    let count_in_week = |set: &BTreeSet<(usize, Slot)>, id: usize, week: u32| {
        set.iter()
            .filter(|(i, slot)| *i == id && calendar.week_of(slot.date) == Some(week))
            .count() as u32
    };
    let mut missing_meetings = BTreeMap::new();
    for (b, board) in instance.mdt_boards.iter().enumerate() {
        for week in 0..calendar.weeks() {
            let short = board
                .meetings_per_week
                .saturating_sub(count_in_week(&meetings, b, week));
            if short > 0 {
                terms[Term::MissingMdtMeeting] += w[Term::MissingMdtMeeting] * f64::from(short);
                missing_meetings.insert((b, week), short);
            }
        }
    }
    let mut missing_studio = BTreeMap::new();
    for (s, studio) in instance.studios.iter().enumerate() {
        for week in 0..calendar.weeks() {
            let short =
                studio
                    .sessions_per_week
                    .saturating_sub(count_in_week(&studio_sessions, s, week));
            if short > 0 {
                terms[Term::MissingStudioSession] +=
                    w[Term::MissingStudioSession] * f64::from(short);
                missing_studio.insert((s, week), short);
            }
        }
    }
    let mut missing_clinic: BTreeMap<(SiteIx, String, u32), u32> = BTreeMap::new();
    for demand in &instance.clinic_demand {
        for week in 0..calendar.weeks() {
            let count = held
                .iter()
                .filter(|h| {
                    h.site == demand.site
                        && h.discipline == demand.discipline
                        && calendar.week_of(h.slot.date) == Some(week)
                        && instance.room(h.room).has_tags(&demand.room_tags)
                })
                .count() as u32;
            let short = demand.sessions_per_week.saturating_sub(count);
            if short > 0 {
                terms[Term::UnmetClinicSession] += w[Term::UnmetClinicSession] * f64::from(short);
                *missing_clinic
                    .entry((demand.site, demand.discipline.clone(), week))
                    .or_default() += short;
            }
        }
    }

    // Visiting specialists: on-site dates, idle sessions; everyone: avoided slots.
    let mut on_site_dates: BTreeSet<(SpecialistIx, NaiveDate)> = BTreeSet::new();
    for entry in &resolved.presence {
        on_site_dates.insert((entry.who, entry.raw.date));
    }
    for placed in &resolved.assignments {
        if placed.raw.is_on_site() && instance.specialist(placed.who).visiting {
            on_site_dates.insert((placed.who, placed.slot.date));
        }
    }
    let busy: BTreeSet<(SpecialistIx, Slot)> = resolved
        .assignments
        .iter()
        .map(|p| (p.who, p.slot))
        .collect();
    for (who, date) in &on_site_dates {
        let person = instance.specialist(*who);
        if !person.visiting {
            continue;
        }
        terms[Term::VisitingDayCost] += w[Term::VisitingDayCost] * person.day_cost;
        for session in 0..calendar.sessions().len() {
            let slot = Slot {
                date: *date,
                session,
            };
            if calendar.is_open(*date)
                && person.is_available(*date, session)
                && !busy.contains(&(*who, slot))
            {
                terms[Term::IdleVisitingSession] += w[Term::IdleVisitingSession];
            }
        }
    }
    for (who, slot) in &busy {
        if instance.specialist(*who).avoids(slot.date, slot.session) {
            terms[Term::AvoidedSlot] += w[Term::AvoidedSlot];
        }
    }

    Score {
        terms,
        unserved_requests,
        unserved_resource_requests,
        unscheduled_surgeries,
        missing_meetings,
        missing_studio,
        missing_clinic,
    }
}

impl Score {
    /// Every unmet demand of §6, in a fixed order: requests, surgeries, then per week
    /// MDT meetings, studio sessions and clinic sessions.
    pub(super) fn shortfalls(&self, instance: &Instance) -> Vec<Shortfall> {
        let mut out = Vec::new();
        for i in &self.unserved_requests {
            out.push(Shortfall {
                kind: UnmetKind::Request,
                ids: vec![instance.requests[*i].id.clone()],
                week: None,
                missing: None,
            });
        }
        for i in &self.unserved_resource_requests {
            out.push(Shortfall {
                kind: UnmetKind::Request,
                ids: vec![instance.resource_requests[*i].id.clone()],
                week: None,
                missing: None,
            });
        }
        for i in &self.unscheduled_surgeries {
            out.push(Shortfall {
                kind: UnmetKind::Surgery,
                ids: vec![instance.surgeries[*i].id.clone()],
                week: None,
                missing: None,
            });
        }
        for ((b, week), missing) in &self.missing_meetings {
            out.push(Shortfall {
                kind: UnmetKind::MdtMeeting,
                ids: vec![instance.mdt_boards[*b].id.clone()],
                week: Some(*week),
                missing: Some(*missing),
            });
        }
        for ((s, week), missing) in &self.missing_studio {
            out.push(Shortfall {
                kind: UnmetKind::StudioSession,
                ids: vec![instance.studios[*s].id.clone()],
                week: Some(*week),
                missing: Some(*missing),
            });
        }
        for ((site, discipline, week), missing) in &self.missing_clinic {
            out.push(Shortfall {
                kind: UnmetKind::ClinicSession,
                ids: vec![instance.site(*site).id.clone(), discipline.clone()],
                week: Some(*week),
                missing: Some(*missing),
            });
        }
        out
    }
}

/// One unmet demand as §6 lists it, without its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortfall {
    /// What kind of demand.
    pub kind: UnmetKind,
    /// The ids it concerns (see [`crate::roster::Unmet::ids`]).
    pub ids: Vec<String>,
    /// The week, for weekly demands.
    pub week: Option<u32>,
    /// How many are missing, for counted demands.
    pub missing: Option<u32>,
}

/// §6: one `unmet` entry per unmet demand, with the right counts and a reason.
pub(super) fn compare_unmet(
    instance: &Instance,
    roster: &Roster,
    score: &Score,
    out: &mut Vec<Discrepancy>,
) {
    let mut report = |message: String| {
        out.push(Discrepancy {
            subject: "unmet".into(),
            message,
        });
    };
    for entry in &roster.unmet {
        if entry.reason.trim().is_empty() {
            report(format!(
                "the {:?} entry for {} gives no reason",
                entry.kind,
                entry.ids.join(", ")
            ));
        }
    }
    let listed = |kind: UnmetKind, id: &str| {
        roster
            .unmet
            .iter()
            .any(|u| u.kind == kind && u.ids.iter().any(|x| x == id))
    };
    let unserved: BTreeSet<&str> = score
        .unserved_requests
        .iter()
        .map(|i| instance.requests[*i].id.as_str())
        .chain(
            score
                .unserved_resource_requests
                .iter()
                .map(|i| instance.resource_requests[*i].id.as_str()),
        )
        .collect();
    for id in &unserved {
        if !listed(UnmetKind::Request, id) {
            report(format!(
                "request \"{id}\" is not booked but not listed as unmet"
            ));
        }
    }
    let unscheduled: BTreeSet<&str> = score
        .unscheduled_surgeries
        .iter()
        .map(|i| instance.surgeries[*i].id.as_str())
        .collect();
    for id in &unscheduled {
        if !listed(UnmetKind::Surgery, id) {
            report(format!(
                "surgery \"{id}\" is not done but not listed as unmet"
            ));
        }
    }
    for entry in &roster.unmet {
        let first = entry.ids.first().map(String::as_str).unwrap_or("");
        match entry.kind {
            UnmetKind::Request if !unserved.contains(first) => {
                report(format!(
                    "request \"{first}\" is listed as unmet but is booked or unknown"
                ));
            }
            UnmetKind::Surgery if !unscheduled.contains(first) => {
                report(format!(
                    "surgery \"{first}\" is listed as unmet but is done or unknown"
                ));
            }
            _ => {}
        }
    }
    let stated = |kind: UnmetKind, ids: &[&str], week: u32| -> u32 {
        roster
            .unmet
            .iter()
            .filter(|u| {
                u.kind == kind
                    && u.week == Some(week)
                    && u.ids.iter().map(String::as_str).eq(ids.iter().copied())
            })
            .map(|u| u.missing.unwrap_or(1))
            .sum()
    };
    let mut expected: Vec<(UnmetKind, Vec<String>, u32, u32)> = Vec::new();
    for ((b, week), missing) in &score.missing_meetings {
        expected.push((
            UnmetKind::MdtMeeting,
            vec![instance.mdt_boards[*b].id.clone()],
            *week,
            *missing,
        ));
    }
    for ((s, week), missing) in &score.missing_studio {
        expected.push((
            UnmetKind::StudioSession,
            vec![instance.studios[*s].id.clone()],
            *week,
            *missing,
        ));
    }
    for ((site, discipline, week), missing) in &score.missing_clinic {
        expected.push((
            UnmetKind::ClinicSession,
            vec![instance.site(*site).id.clone(), discipline.clone()],
            *week,
            *missing,
        ));
    }
    for (kind, ids, week, missing) in &expected {
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let given = stated(*kind, &ids, *week);
        if given != *missing {
            report(format!(
                "{kind:?} [{}] week {week}: {missing} missing, the roster lists {given}",
                ids.join(", ")
            ));
        }
    }
    for entry in &roster.unmet {
        if matches!(entry.kind, UnmetKind::Request | UnmetKind::Surgery) {
            continue;
        }
        let known = expected.iter().any(|(kind, ids, week, _)| {
            *kind == entry.kind && Some(*week) == entry.week && ids.iter().eq(entry.ids.iter())
        });
        if !known {
            report(format!(
                "{:?} [{}] is listed as unmet but nothing is missing there",
                entry.kind,
                entry.ids.join(", ")
            ));
        }
    }
}
