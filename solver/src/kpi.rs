//! The key figures of a roster, as planners compare them across what-if scenarios.
//! Every figure is defined here and only here; docs/kpis.md explains each.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;

use crate::instance::{Instance, RoomKind};
use crate::objective::Term;
use crate::roster::{Activity, Roster, StudioRole};

/// The key figures of one roster of one instance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Kpis {
    /// Requests in the instance.
    pub requests: usize,
    /// Requests booked with the named specialist (or, unnamed, with anyone).
    pub served_named: usize,
    /// Requests booked with a substitute.
    pub served_substitute: usize,
    /// Mean days from `earliest` to the booking, over booked requests.
    pub mean_wait_days: f64,
    /// 90th percentile (nearest rank) of the same.
    pub p90_wait_days: f64,
    /// Surgeries in the instance.
    pub surgeries: usize,
    /// Surgeries done within the horizon.
    pub surgeries_done: usize,
    /// Surgeries done after their due date.
    pub surgeries_late: usize,
    /// MDT meetings held.
    pub mdt_meetings_held: usize,
    /// MDT meetings wanted (Σ `meetings_per_week` over the boards' weeks).
    pub mdt_meetings_demanded: usize,
    /// Studio sessions held.
    pub studio_sessions_held: usize,
    /// Studio sessions wanted.
    pub studio_sessions_demanded: usize,
    /// Clinic and studio sessions held (each counted once).
    pub clinic_sessions_held: usize,
    /// Clinic sessions wanted by `clinic_demand` (Σ `sessions_per_week` × weeks).
    pub clinic_sessions_demanded: usize,
    /// Clinic sessions short of demand (the `unmet_clinic_session` count).
    pub clinic_sessions_short: usize,
    /// Visiting specialists' on-site dates.
    pub visiting_days: usize,
    /// Their cost (Σ `day_cost`, in money, unweighted).
    pub visiting_day_cost: f64,
    /// Used share of clinic and meeting room slots that are open and available.
    pub room_utilisation: f64,
    /// Used share of theatre minutes in open, available slots.
    pub theatre_utilisation: f64,
    /// Slots in which a visiting specialist is on site, available, and idle.
    pub idle_visiting_sessions: usize,
    /// The roster's objective.
    pub objective: f64,
    /// Its proven relative gap, when known.
    pub gap: Option<f64>,
}

impl Kpis {
    /// The figures as (name, value) rows for tables, in the order of docs/kpis.md.
    pub fn rows(&self) -> Vec<(&'static str, String)> {
        let share = |part: usize, whole: usize| format!("{part}/{whole}");
        let percent = |value: f64| format!("{:.1}%", 100.0 * value);
        let number = |value: f64| {
            if value.fract() == 0.0 {
                format!("{value:.0}")
            } else {
                format!("{value:.2}")
            }
        };
        vec![
            (
                "requests served (named)",
                share(self.served_named, self.requests),
            ),
            (
                "requests served (substitute)",
                share(self.served_substitute, self.requests),
            ),
            ("mean wait (days)", format!("{:.2}", self.mean_wait_days)),
            ("p90 wait (days)", number(self.p90_wait_days)),
            ("surgeries done", share(self.surgeries_done, self.surgeries)),
            ("surgeries late", self.surgeries_late.to_string()),
            (
                "MDT meetings held / wanted",
                share(self.mdt_meetings_held, self.mdt_meetings_demanded),
            ),
            (
                "studio sessions held / wanted",
                share(self.studio_sessions_held, self.studio_sessions_demanded),
            ),
            (
                "clinic sessions held / demanded",
                share(self.clinic_sessions_held, self.clinic_sessions_demanded),
            ),
            (
                "clinic sessions short of demand",
                self.clinic_sessions_short.to_string(),
            ),
            ("visiting on-site days", self.visiting_days.to_string()),
            ("visiting day cost", number(self.visiting_day_cost)),
            ("room utilisation", percent(self.room_utilisation)),
            ("theatre utilisation", percent(self.theatre_utilisation)),
            (
                "idle visiting sessions",
                self.idle_visiting_sessions.to_string(),
            ),
            ("objective", number(self.objective)),
            ("gap", self.gap.map_or("—".into(), percent)),
        ]
    }
}

/// Computes the key figures (meaningful for rosters that pass `check`).
pub fn kpis(instance: &Instance, roster: &Roster) -> Kpis {
    let calendar = &instance.calendar;
    let weeks = calendar.weeks() as usize;
    let waits: Vec<i64> = roster
        .bookings
        .iter()
        .filter_map(|b| {
            let r = instance.request_ix(&b.request)?;
            Some((b.date - instance.requests[r.0].earliest).num_days())
        })
        .collect();
    let mut sorted = waits.clone();
    sorted.sort_unstable();
    let p90 = if sorted.is_empty() {
        0.0
    } else {
        let rank = ((0.9 * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
        sorted[rank - 1] as f64
    };
    let mean = if waits.is_empty() {
        0.0
    } else {
        waits.iter().sum::<i64>() as f64 / waits.len() as f64
    };
    let late = roster
        .surgeries
        .iter()
        .filter(|p| {
            instance
                .surgery_ix(&p.surgery)
                .is_some_and(|g| p.date > instance.surgeries[g.0].due)
        })
        .count();
    let distinct = |activity: Activity, key: fn(&crate::roster::Assignment) -> Option<&String>| {
        roster
            .assignments
            .iter()
            .filter(|a| a.activity == activity)
            .filter_map(|a| key(a).map(|k| (k.clone(), a.date, a.session.clone())))
            .collect::<BTreeSet<_>>()
            .len()
    };
    let meetings = distinct(Activity::Mdt, |a| a.board.as_ref());
    let studio_sessions = distinct(Activity::Studio, |a| a.studio.as_ref());
    let clinic_sessions = roster
        .assignments
        .iter()
        .filter(|a| {
            a.activity == Activity::Clinic
                || (a.activity == Activity::Studio && a.role == Some(StudioRole::Lead))
        })
        .count();
    let weights = &instance.weights;
    let (terms, _) = crate::check::evaluate(instance, roster);
    let short = if weights[Term::UnmetClinicSession] > 0.0 {
        (terms[Term::UnmetClinicSession] / weights[Term::UnmetClinicSession]).round() as usize
    } else {
        0
    };
    let visiting_days: BTreeSet<(&str, NaiveDate)> = roster
        .presence
        .iter()
        .map(|p| (p.specialist.as_str(), p.date))
        .collect();
    let day_cost: f64 = visiting_days
        .iter()
        .filter_map(|(s, _)| instance.specialist_ix(s))
        .map(|s| instance.specialist(s).day_cost)
        .sum();
    let busy: BTreeSet<(&str, NaiveDate, &str)> = roster
        .assignments
        .iter()
        .map(|a| (a.specialist.as_str(), a.date, a.session.as_str()))
        .collect();
    let idle = visiting_days
        .iter()
        .filter_map(|(s, date)| instance.specialist_ix(s).map(|ix| (*s, ix, *date)))
        .map(|(id, who, date)| {
            (0..calendar.sessions().len())
                .filter(|k| instance.can_work(who, date, *k))
                .filter(|k| !busy.contains(&(id, date, calendar.sessions()[*k].id.as_str())))
                .count()
        })
        .sum();
    Kpis {
        requests: instance.requests.len(),
        served_named: roster.bookings.iter().filter(|b| !b.substitute).count(),
        served_substitute: roster.bookings.iter().filter(|b| b.substitute).count(),
        mean_wait_days: mean,
        p90_wait_days: p90,
        surgeries: instance.surgeries.len(),
        surgeries_done: roster.surgeries.len(),
        surgeries_late: late,
        mdt_meetings_held: meetings,
        mdt_meetings_demanded: instance
            .mdt_boards
            .iter()
            .map(|b| b.meetings_per_week as usize * weeks)
            .sum(),
        studio_sessions_held: studio_sessions,
        studio_sessions_demanded: instance
            .studios
            .iter()
            .map(|s| s.sessions_per_week as usize * weeks)
            .sum(),
        clinic_sessions_held: clinic_sessions,
        clinic_sessions_demanded: instance
            .clinic_demand
            .iter()
            .map(|d| d.sessions_per_week as usize * weeks)
            .sum(),
        clinic_sessions_short: short,
        visiting_days: visiting_days.len(),
        visiting_day_cost: day_cost,
        room_utilisation: room_utilisation(instance, roster),
        theatre_utilisation: theatre_utilisation(instance, roster),
        idle_visiting_sessions: idle,
        objective: roster.objective,
        gap: roster.gap,
    }
}

fn room_utilisation(instance: &Instance, roster: &Roster) -> f64 {
    let calendar = &instance.calendar;
    let available: usize = instance
        .rooms
        .iter()
        .filter(|r| r.kind != RoomKind::Theatre)
        .map(|room| {
            calendar
                .slots()
                .filter(|s| !room.unavailable.contains(s.date, s.session))
                .count()
        })
        .sum();
    let used: BTreeSet<(&str, NaiveDate, &str)> = roster
        .assignments
        .iter()
        .filter(|a| a.activity != Activity::Surgery)
        .filter_map(|a| Some((a.room.as_deref()?, a.date, a.session.as_str())))
        .collect();
    ratio(used.len() as f64, available as f64)
}

fn theatre_utilisation(instance: &Instance, roster: &Roster) -> f64 {
    let calendar = &instance.calendar;
    let capacity: f64 = instance
        .rooms
        .iter()
        .filter(|r| r.kind == RoomKind::Theatre)
        .map(|room| {
            calendar
                .slots()
                .filter(|s| !room.unavailable.contains(s.date, s.session))
                .map(|s| f64::from(room.capacity_in(calendar.sessions()[s.session].minutes())))
                .sum::<f64>()
        })
        .sum();
    let used: f64 = roster
        .surgeries
        .iter()
        .filter_map(|p| instance.surgery_ix(&p.surgery))
        .map(|g| f64::from(instance.surgeries[g.0].minutes))
        .sum();
    ratio(used, capacity)
}

fn ratio(part: f64, whole: f64) -> f64 {
    if whole > 0.0 { part / whole } else { 0.0 }
}

/// How a roster differs from a base roster: assignments (per specialist and slot) and
/// bookings (per request) that are not the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// (specialist, date, session) whose assignment differs, or exists on one side only.
    pub assignments: usize,
    /// Requests booked differently, or booked on one side only.
    pub bookings: usize,
}

/// Compares a roster with a base roster.
pub fn difference(base: &Roster, other: &Roster) -> Difference {
    type Key = (String, NaiveDate, String);
    let index = |roster: &Roster| -> BTreeMap<Key, String> {
        roster
            .assignments
            .iter()
            .map(|a| {
                (
                    (a.specialist.clone(), a.date, a.session.clone()),
                    serde_json::to_string(a).unwrap_or_default(),
                )
            })
            .collect()
    };
    let bookings = |roster: &Roster| -> BTreeMap<String, (String, NaiveDate, String)> {
        roster
            .bookings
            .iter()
            .map(|b| {
                (
                    b.request.clone(),
                    (b.specialist.clone(), b.date, b.session.clone()),
                )
            })
            .collect()
    };
    Difference {
        assignments: changed(&index(base), &index(other)),
        bookings: changed(&bookings(base), &bookings(other)),
    }
}

fn changed<K: Ord, V: PartialEq>(a: &BTreeMap<K, V>, b: &BTreeMap<K, V>) -> usize {
    let keys: BTreeSet<&K> = a.keys().chain(b.keys()).collect();
    keys.into_iter().filter(|k| a.get(*k) != b.get(*k)).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worked_example_in_figures() {
        let instance =
            Instance::from_toml_str(include_str!("../../instances/example-week.toml")).unwrap();
        let roster =
            Roster::from_json_str(include_str!("../tests/data/roster.example.json")).unwrap();
        let k = kpis(&instance, &roster);
        assert_eq!((k.requests, k.served_named, k.served_substitute), (3, 3, 0));
        // Waits of 1, 0 and 1 days (the objective's 3 weighs r-001 by its priority 2).
        assert!((k.mean_wait_days - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(k.p90_wait_days, 1.0);
        assert_eq!((k.surgeries_done, k.surgeries_late), (2, 0));
        assert_eq!((k.mdt_meetings_held, k.mdt_meetings_demanded), (1, 1));
        assert_eq!((k.studio_sessions_held, k.studio_sessions_demanded), (1, 1));
        assert_eq!((k.clinic_sessions_held, k.clinic_sessions_demanded), (8, 5));
        assert_eq!(k.clinic_sessions_short, 0);
        // 3 + 2 days of the Liu Juns, 1 of Xi Xiaowei (two sites, one date).
        assert_eq!((k.visiting_days, k.visiting_day_cost), (6, 5700.0));
        assert_eq!(k.idle_visiting_sessions, 0);
        assert_eq!(k.objective, 60.0);
        // 2 surgeries of 150 + 90 minutes in or-2's 9 open slots of 240 minutes.
        assert!((k.theatre_utilisation - 240.0 / (9.0 * 240.0)).abs() < 1e-9);
        assert_eq!(
            difference(&roster, &roster),
            Difference {
                assignments: 0,
                bookings: 0
            }
        );
        let mut moved = roster.clone();
        moved.bookings[0].session = "pm".into();
        moved.assignments.pop();
        assert_eq!(
            difference(&roster, &moved),
            Difference {
                assignments: 1,
                bookings: 1
            }
        );
    }
}
