//! Specialists, residencies and studios.

use std::collections::BTreeSet;

use chrono::Weekday;

use crate::instance::raw::{RawResidency, RawSpecialist, RawStudio};
use crate::instance::{Residency, Specialist, SpecialistIx, Studio};

use super::{Builder, MAX_CAPACITY, MAX_COUNT, at, item};

impl Builder {
    pub(super) fn specialists(&mut self, raw: &[RawSpecialist]) -> Vec<Specialist> {
        raw.iter()
            .enumerate()
            .filter_map(|(i, s)| self.specialist(i, s))
            .collect()
    }

    pub(super) fn specialist(&mut self, i: usize, s: &RawSpecialist) -> Option<Specialist> {
        let path = |field| at("specialists", i, field);
        let sites = match self.required(&s.sites, &path("sites")) {
            Some(list) if list.is_empty() => {
                self.d.error_hint(
                    path("sites"),
                    "no sites",
                    "list at least one site where they may work",
                );
                None
            }
            Some(list) => Some(self.site_list(list, &path("sites"))),
            None => None,
        };
        let disciplines = match self.required(&s.disciplines, &path("disciplines")) {
            Some(list) if list.is_empty() => {
                self.d.error(path("disciplines"), "no disciplines");
                None
            }
            Some(list) => {
                for (j, discipline) in list.iter().enumerate() {
                    if discipline.trim().is_empty() {
                        self.d
                            .error(item(&path("disciplines"), j), "must not be empty");
                    }
                }
                Some(list.clone())
            }
            None => None,
        };
        let surgery_grade = self.integer(s.surgery_grade, &path("surgery_grade"), 0, 4, Some(0));
        let default_available = ["mon", "tue", "wed", "thu", "fri"].map(String::from);
        let available = self.weekly_pattern(
            s.available.as_deref().unwrap_or(&default_available),
            &path("available"),
        );
        let unavailable = self.slot_set(&s.unavailable, &path("unavailable"));
        let max_sessions_per_week = s.max_sessions_per_week.and_then(|v| {
            self.integer(Some(v), &path("max_sessions_per_week"), 0, MAX_COUNT, None)
        });
        let max_sessions_per_day = s
            .max_sessions_per_day
            .and_then(|v| self.integer(Some(v), &path("max_sessions_per_day"), 0, MAX_COUNT, None));
        let clinic_capacity = self.integer(
            s.clinic_capacity,
            &path("clinic_capacity"),
            0,
            MAX_CAPACITY,
            Some(20),
        );
        let visiting = s.visiting.unwrap_or(false);
        let day_cost = s.day_cost.unwrap_or(0.0);
        if !day_cost.is_finite() || day_cost < 0.0 {
            self.d.error(
                path("day_cost"),
                format!("{day_cost} is out of range (must be at least 0)"),
            );
        } else if day_cost > 0.0 && !visiting {
            self.d.warning(
                path("day_cost"),
                "day_cost applies to visiting specialists only; it is ignored here",
            );
        }
        let avoid = self.weekly_pattern(&s.avoid, &path("avoid"));
        let id = s.id.clone()?;
        Some(Specialist {
            name: s.name.clone().unwrap_or_else(|| id.clone()),
            id,
            visiting,
            home: s.home.clone().unwrap_or_default(),
            sites: sites?,
            disciplines: disciplines?,
            surgery_grade: u8::try_from(surgery_grade?).ok()?,
            available,
            unavailable,
            max_sessions_per_week,
            max_sessions_per_day,
            clinic_capacity: clinic_capacity?,
            day_cost,
            avoid,
        })
    }

    pub(super) fn residencies(
        &mut self,
        raw: &[RawResidency],
        specialists: &[Specialist],
    ) -> Vec<Residency> {
        raw.iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let path = |field| at("residencies", i, field);
                let specialist = self
                    .required(&r.specialist, &path("specialist"))
                    .cloned()
                    .and_then(|id| self.specialist_ref(&id, &path("specialist")));
                let site = self.required_site(&r.site, &path("site"));
                if let (Some(who), Some(site)) = (specialist, site)
                    && let Some(person) = specialists.get(who.0)
                {
                    if !person.visiting {
                        self.d.error_hint(
                            path("specialist"),
                            format!("\"{}\" is not visiting", person.id),
                            "residencies are for visiting specialists (visiting = true)",
                        );
                    }
                    if !person.works_at(site) {
                        self.d.error_hint(
                            path("site"),
                            format!(
                                "\"{}\" is not among the sites of \"{}\"",
                                r.site.as_deref().unwrap_or_default(),
                                person.id
                            ),
                            "add it to the specialist's sites",
                        );
                    }
                }
                let days_per_week =
                    self.integer(r.days_per_week, &path("days_per_week"), 1, 7, None);
                let days = r.days.as_ref().map(|texts| {
                    let days: Vec<Weekday> = texts
                        .iter()
                        .enumerate()
                        .filter_map(|(j, text)| self.weekday(text, &item(&path("days"), j)))
                        .collect();
                    let distinct: BTreeSet<u32> =
                        days.iter().map(|d| d.num_days_from_monday()).collect();
                    if distinct.len() != days.len() {
                        self.d.error(path("days"), "a weekday is listed twice");
                    }
                    if let Some(expected) = days_per_week
                        && texts.len() != expected as usize
                    {
                        self.d.error(
                            path("days"),
                            format!(
                                "lists {} weekday(s) but days_per_week is {expected}",
                                texts.len()
                            ),
                        );
                    }
                    days
                });
                let weeks = self.weeks(r.weeks.as_deref(), &path("weeks"));
                Some(Residency {
                    specialist: specialist?,
                    site: site?,
                    days_per_week: days_per_week?,
                    days,
                    consecutive: r.consecutive.unwrap_or(true),
                    same_days_every_week: r.same_days_every_week.unwrap_or(true),
                    weeks,
                })
            })
            .collect()
    }

    pub(super) fn weeks(&mut self, weeks: Option<&[i64]>, path: &str) -> Vec<u32> {
        let horizon_weeks = self.calendar.weeks();
        let Some(list) = weeks else {
            return (0..horizon_weeks).collect();
        };
        let mut result = BTreeSet::new();
        for (i, week) in list.iter().enumerate() {
            if *week < 0 || *week >= i64::from(horizon_weeks) {
                self.d.error(
                    item(path, i),
                    format!(
                        "week {week} is out of range (the horizon has weeks 0 to {})",
                        horizon_weeks - 1
                    ),
                );
            } else if !result.insert(*week as u32) {
                self.d
                    .error(item(path, i), format!("week {week} is listed twice"));
            }
        }
        result.into_iter().collect()
    }

    pub(super) fn studios(&mut self, raw: &[RawStudio], specialists: &[Specialist]) -> Vec<Studio> {
        raw.iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let path = |field| at("studios", i, field);
                let lead = self
                    .required(&s.lead, &path("lead"))
                    .cloned()
                    .and_then(|id| self.specialist_ref(&id, &path("lead")));
                let site = self.required_site(&s.site, &path("site"));
                let sessions_per_week = self.integer(
                    s.sessions_per_week,
                    &path("sessions_per_week"),
                    0,
                    MAX_COUNT,
                    None,
                );
                let apprentices: Vec<SpecialistIx> = s
                    .apprentices
                    .iter()
                    .enumerate()
                    .filter_map(|(j, id)| self.specialist_ref(id, &item(&path("apprentices"), j)))
                    .collect();
                let min_apprentices = self.integer(
                    s.min_apprentices,
                    &path("min_apprentices"),
                    0,
                    MAX_COUNT,
                    Some(1),
                );
                let discipline = match (&s.discipline, lead.and_then(|l| specialists.get(l.0))) {
                    (Some(discipline), _) => Some(discipline.clone()),
                    (None, Some(lead)) => lead.disciplines.first().cloned(),
                    (None, None) => None,
                };
                let id = s.id.clone()?;
                Some(Studio {
                    name: s.name.clone().unwrap_or_else(|| id.clone()),
                    id,
                    lead: lead?,
                    site: site?,
                    discipline: discipline?,
                    sessions_per_week: sessions_per_week?,
                    room_tags: s.room_tags.clone(),
                    apprentices,
                    min_apprentices: min_apprentices?,
                })
            })
            .collect()
    }
}
