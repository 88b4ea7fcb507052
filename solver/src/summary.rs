//! What an instance holds, in figures a scheduler recognises: sites and rooms, who
//! visits, and the weekly demand (residency days, studio sessions, MDT meetings,
//! clinic sessions, surgeries, requests).

use serde::Serialize;

use crate::instance::{Instance, RoomKind, SiteKind};

/// Counts describing an instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstanceSummary {
    /// Instance name.
    pub name: String,
    /// First date.
    pub start: String,
    /// Last date.
    pub end: String,
    /// Weeks in the horizon.
    pub weeks: u32,
    /// Open dates in the horizon.
    pub open_dates: usize,
    /// Session ids of a day.
    pub sessions: Vec<String>,
    /// Sites by kind: hub, hospital, community.
    pub sites: [usize; 3],
    /// Rooms by kind: clinic, meeting, theatre.
    pub rooms: [usize; 3],
    /// Visiting specialists.
    pub visiting_specialists: usize,
    /// Local specialists.
    pub local_specialists: usize,
    /// Distinct disciplines.
    pub disciplines: usize,
    /// Residencies.
    pub residencies: usize,
    /// Residency on-site dates per week, summed over residencies and weeks.
    pub residency_days: u32,
    /// Studios.
    pub studios: usize,
    /// Studio sessions wanted over the horizon.
    pub studio_sessions: u32,
    /// MDT boards.
    pub mdt_boards: usize,
    /// MDT meetings wanted over the horizon.
    pub mdt_meetings: u32,
    /// Clinic sessions wanted over the horizon.
    pub clinic_sessions: u32,
    /// Surgeries by grade 1–4.
    pub surgeries_by_grade: [usize; 4],
    /// Requests naming a specialist.
    pub named_requests: usize,
    /// Of those, how many accept a substitute.
    pub substitute_ok_requests: usize,
    /// Requests naming only a discipline.
    pub discipline_requests: usize,
    /// Pins the roster must contain (docs/format.md § Pins).
    pub pins: usize,
    /// Forbids: patterns the roster must not contain.
    pub forbids: usize,
    /// Warnings found by validation.
    pub warnings: usize,
}

impl InstanceSummary {
    /// Summarises an instance.
    pub fn of(instance: &Instance) -> InstanceSummary {
        let weeks = instance.calendar.weeks();
        let count_sites = |kind| instance.sites.iter().filter(|s| s.kind == kind).count();
        let count_rooms = |kind| instance.rooms.iter().filter(|r| r.kind == kind).count();
        let mut surgeries_by_grade = [0; 4];
        for surgery in &instance.surgeries {
            surgeries_by_grade[usize::from(surgery.grade.clamp(1, 4)) - 1] += 1;
        }
        let named = instance.requests.iter().filter(|r| r.specialist.is_some());
        InstanceSummary {
            name: instance.name.clone(),
            start: instance.calendar.start().to_string(),
            end: instance.calendar.end().to_string(),
            weeks,
            open_dates: instance.calendar.open_dates().len(),
            sessions: instance
                .calendar
                .sessions()
                .iter()
                .map(|s| s.id.clone())
                .collect(),
            sites: [
                count_sites(SiteKind::Hub),
                count_sites(SiteKind::Hospital),
                count_sites(SiteKind::Community),
            ],
            rooms: [
                count_rooms(RoomKind::Clinic),
                count_rooms(RoomKind::Meeting),
                count_rooms(RoomKind::Theatre),
            ],
            visiting_specialists: instance.specialists.iter().filter(|s| s.visiting).count(),
            local_specialists: instance.specialists.iter().filter(|s| !s.visiting).count(),
            disciplines: instance.disciplines().len(),
            residencies: instance.residencies.len(),
            residency_days: instance
                .residencies
                .iter()
                .map(|r| r.days_per_week * r.weeks.len() as u32)
                .sum(),
            studios: instance.studios.len(),
            studio_sessions: instance
                .studios
                .iter()
                .map(|s| s.sessions_per_week)
                .sum::<u32>()
                * weeks,
            mdt_boards: instance.mdt_boards.len(),
            mdt_meetings: instance
                .mdt_boards
                .iter()
                .map(|b| b.meetings_per_week)
                .sum::<u32>()
                * weeks,
            clinic_sessions: instance
                .clinic_demand
                .iter()
                .map(|c| c.sessions_per_week)
                .sum::<u32>()
                * weeks,
            surgeries_by_grade,
            named_requests: named.clone().count(),
            substitute_ok_requests: named.filter(|r| r.substitute_ok).count(),
            discipline_requests: instance
                .requests
                .iter()
                .filter(|r| r.specialist.is_none())
                .count(),
            pins: instance.pins.iter().filter(|p| !p.forbid).count(),
            forbids: instance.pins.iter().filter(|p| p.forbid).count(),
            warnings: instance.warnings.len(),
        }
    }
}
