//! Residency dates, placed first: the instance fixes how many days a visiting
//! specialist stays at a site each week, and the heuristic chooses which (the days
//! wanted most by requests and pins naming them).

use chrono::{Datelike, NaiveDate};

use super::GreedyError;
use super::state::State;
use crate::instance::{Instance, SiteIx, SpecialistIx};

/// How much a specialist is wanted on a date at a site: requests naming them whose
/// window holds it, and far more, pins asking for them there that day (a forbid keeping
/// them free that day counts against it).
fn date_appeal(instance: &Instance, who: SpecialistIx, date: NaiveDate, site: SiteIx) -> i64 {
    let requests = instance
        .requests
        .iter()
        .filter(|r| r.specialist == Some(who) && r.earliest <= date && date <= r.latest)
        .count();
    i64::try_from(requests).unwrap_or(i64::MAX / 2)
        + super::pins::date_appeal(instance, who, date, site)
}

pub(super) fn place_residencies(state: &mut State<'_>) -> Result<(), GreedyError> {
    let instance = state.instance;
    let open = instance.calendar.open_dates();
    for residency in &instance.residencies {
        let who = residency.specialist;
        let error = |week: u32, why: &str| GreedyError::Residency {
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
                ranked.sort_by_key(|d| {
                    std::cmp::Reverse(date_appeal(instance, who, *d, residency.site))
                });
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
                .map(|d| date_appeal(instance, who, *d, residency.site))
                .sum::<i64>()
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
                    .map(|d| date_appeal(instance, who, d, residency.site))
                    .sum::<i64>()
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
            let mut score: Vec<(Vec<u32>, i64)> = Vec::new();
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
