//! The people: visiting experts and local specialists with their sites, disciplines,
//! availability and limits; named-doctor studios; residencies that can be met.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};

use super::names::{
    COMMUNITY_WEIGHTS, DIAGNOSTIC, DISCIPLINES, GIVEN, GP, HOSPITAL_WEIGHTS, SURGICAL, SURNAMES,
    TOP_HOSPITALS, VISITING_WEIGHTS,
};
use super::{
    Calendar, Model, Person, Residency, SESSIONS, SiteKind, Studio, pick_weighted, weekday,
};

/// The first specialists' disciplines, so that every instance (even of 8) can staff an
/// MDT board at the hub and has a surgeon.
const CORE: [&str; 8] = [
    "oncology",
    "pathology",
    "radiology",
    "thoracic-surgery",
    "general-practice",
    "gastroenterology",
    "breast-surgery",
    "cardiology",
];

/// `count` specialists, about 40% visiting.
pub(super) fn specialists(rng: &mut StdRng, model: &mut Model, count: usize) {
    let visiting_count = (count * 2).div_ceil(5);
    let mut visiting: Vec<bool> = (0..count).map(|i| i < visiting_count).collect();
    visiting.shuffle(rng);
    let mut names = BTreeSet::new();
    let hospitals = model.sites_of_kind(SiteKind::Hospital);
    let site_weights: Vec<f64> = model
        .sites
        .iter()
        .map(|s| match s.kind {
            SiteKind::Hub => 4.0,
            SiteKind::Hospital => 2.5,
            SiteKind::Community => 1.0,
        })
        .collect();
    for (i, is_visiting) in visiting.into_iter().enumerate() {
        let core = CORE.get(i).copied();
        // Main site and first discipline.
        let (main, discipline) = if is_visiting {
            let main = if core.is_some() || hospitals.is_empty() || rng.random_bool(0.55) {
                0
            } else {
                *hospitals.choose(rng).expect("hospitals")
            };
            let discipline =
                core.unwrap_or_else(|| DISCIPLINES[pick_weighted(rng, &VISITING_WEIGHTS)]);
            (main, discipline)
        } else {
            let main = if core.is_some() {
                0
            } else {
                pick_weighted(rng, &site_weights)
            };
            let weights = if model.sites[main].kind == SiteKind::Community {
                &COMMUNITY_WEIGHTS
            } else {
                &HOSPITAL_WEIGHTS
            };
            (
                main,
                core.unwrap_or_else(|| DISCIPLINES[pick_weighted(rng, weights)]),
            )
        };
        let mut disciplines = vec![discipline];
        if discipline == GP && rng.random_bool(0.1) {
            disciplines.push("paediatrics");
        } else if discipline != GP && rng.random_bool(0.12) {
            let second = [
                "oncology",
                "gastroenterology",
                "cardiology",
                "neurology",
                "radiology",
            ]
            .choose(rng)
            .copied()
            .expect("list");
            if second != discipline {
                disciplines.push(second);
            }
        }
        let mut sites = vec![main];
        let neighbours = model.neighbours(main);
        let extra = if is_visiting {
            [0, 1, 2][pick_weighted(rng, &[45.0, 35.0, 20.0])]
        } else {
            usize::from(rng.random_bool(0.2))
        };
        for site in neighbours.choose_multiple(rng, extra) {
            sites.push(*site);
        }
        let surgical = SURGICAL.contains(&discipline);
        let grade = match (surgical, is_visiting) {
            (false, _) => 0,
            (true, true) => {
                if rng.random_bool(0.7) {
                    4
                } else {
                    3
                }
            }
            (true, false) => rng.random_range(1..=3),
        };
        let available = if is_visiting {
            visiting_pattern(rng)
        } else {
            local_pattern(rng)
        };
        let unavailable = unavailable(rng, &model.calendar);
        let mut avoid = Vec::new();
        if rng.random_bool(0.2) {
            for _ in 0..rng.random_range(1..=2) {
                let day = rng.random_range(0..5);
                let session = if rng.random_bool(0.7) {
                    Some(rng.random_range(0..SESSIONS.len()))
                } else {
                    None
                };
                if !avoid.contains(&(day, session)) {
                    avoid.push((day, session));
                }
            }
            avoid.sort_unstable();
        }
        let max_week = match is_visiting {
            true if rng.random_bool(0.35) => Some(rng.random_range(3..=6)),
            false if rng.random_bool(0.15) => Some(rng.random_range(5..=8)),
            _ => None,
        };
        let max_day = rng.random_bool(0.1).then_some(1);
        let capacity = if DIAGNOSTIC.contains(&discipline) {
            0
        } else if is_visiting {
            rng.random_range(2..=4) * 5
        } else {
            rng.random_range(3..=6) * 5
        };
        let home = if is_visiting {
            home_hospital(rng, discipline).to_string()
        } else {
            model.sites[main].name.clone()
        };
        model.people.push(Person {
            id: format!("sp-{:04}", i + 1),
            name: person_name(rng, &mut names),
            visiting: is_visiting,
            home,
            sites,
            disciplines,
            grade,
            available,
            unavailable,
            max_week,
            max_day,
            capacity,
            day_cost: is_visiting.then(|| rng.random_range(6..=30) * 50),
            avoid,
        });
    }
}

/// Visiting experts: the whole week, three mid-week days, four days, or a short
/// stay ending in a half day.
fn visiting_pattern(rng: &mut StdRng) -> [u8; 5] {
    match pick_weighted(rng, &[35.0, 25.0, 20.0, 20.0]) {
        0 => [3; 5],
        1 => {
            let first = rng.random_range(0..3);
            let mut days = [0; 5];
            days[first..first + 3].fill(3);
            days
        }
        2 => {
            let mut days = [3; 5];
            days[rng.random_range(0..5)] = 0;
            days
        }
        _ => {
            let first = rng.random_range(0..3);
            let mut days = [0; 5];
            days[first..first + 2].fill(3);
            days[first + 2] = if rng.random_bool(0.6) { 1 } else { 2 };
            days
        }
    }
}

/// Locals: mostly the whole week; some part-time (a day off or a half day).
fn local_pattern(rng: &mut StdRng) -> [u8; 5] {
    let mut days = [3; 5];
    if rng.random_bool(0.2) {
        let day = rng.random_range(0..5);
        days[day] = if rng.random_bool(0.5) { 0 } else { 1 };
    }
    days
}

/// A quarter of the people are away on a date or a session or two.
fn unavailable(rng: &mut StdRng, calendar: &Calendar) -> Vec<(NaiveDate, Option<usize>)> {
    let mut away = Vec::new();
    if rng.random_bool(0.25) {
        let open = calendar.open_dates();
        for _ in 0..rng.random_range(1..=2) {
            let date = *open.choose(rng).expect("open dates");
            let session = if rng.random_bool(0.6) {
                None
            } else {
                Some(rng.random_range(0..SESSIONS.len()))
            };
            if !away.iter().any(|(d, _)| *d == date) {
                away.push((date, session));
            }
        }
        away.sort_unstable();
    }
    away
}

fn home_hospital(rng: &mut StdRng, discipline: &str) -> &'static str {
    let matching: Vec<&'static str> = TOP_HOSPITALS
        .iter()
        .filter(|(_, sends)| sends.contains(&discipline))
        .map(|(name, _)| *name)
        .collect();
    let general: Vec<&'static str> = TOP_HOSPITALS
        .iter()
        .filter(|(_, sends)| sends.is_empty())
        .map(|(name, _)| *name)
        .collect();
    if !matching.is_empty() && rng.random_bool(0.7) {
        matching.choose(rng).copied().expect("matching")
    } else {
        general.choose(rng).copied().expect("general")
    }
}

fn person_name(rng: &mut StdRng, taken: &mut BTreeSet<String>) -> String {
    for _ in 0..20 {
        let name = format!(
            "Dr. {} {}",
            SURNAMES.choose(rng).expect("surnames"),
            GIVEN.choose(rng).expect("given")
        );
        if taken.insert(name.clone()) {
            return name;
        }
    }
    let name = format!(
        "Dr. {} {} ({})",
        SURNAMES.choose(rng).expect("surnames"),
        GIVEN.choose(rng).expect("given"),
        taken.len() + 1
    );
    taken.insert(name.clone());
    name
}

/// About one studio per 12 specialists: a visiting expert or a senior local
/// specialist teaching one or two local GPs of the studio's site.
pub(super) fn studios(rng: &mut StdRng, model: &mut Model) {
    let count = model.people.len() / 12;
    let mut leads = BTreeSet::new();
    let mut taught = BTreeSet::new();
    let mut sites: Vec<usize> = (0..model.sites.len()).collect();
    for k in 0..count {
        sites.shuffle(rng);
        let chosen = sites.iter().copied().find_map(|site| {
            let apprentices: Vec<usize> = (0..model.people.len())
                .filter(|p| {
                    let person = &model.people[*p];
                    !person.visiting
                        && person.disciplines[0] == GP
                        && person.works_at(site)
                        && !taught.contains(p)
                })
                .collect();
            let leads: Vec<usize> = (0..model.people.len())
                .filter(|p| {
                    let person = &model.people[*p];
                    person.disciplines[0] != GP
                        && person.capacity > 0
                        && person.works_at(site)
                        && !leads.contains(p)
                        && !apprentices.contains(p)
                })
                .collect();
            (!apprentices.is_empty() && !leads.is_empty()).then_some((site, apprentices, leads))
        });
        let Some((site, apprentices, candidates)) = chosen else {
            break;
        };
        let lead = *candidates.choose(rng).expect("leads");
        let many = usize::from(apprentices.len() > 1 && rng.random_bool(0.5));
        let mut chosen: Vec<usize> = apprentices
            .choose_multiple(rng, 1 + many)
            .copied()
            .collect();
        chosen.sort_unstable();
        leads.insert(lead);
        taught.extend(chosen.iter().copied());
        let person = &model.people[lead];
        model.studios.push(Studio {
            id: format!("studio-{:02}", k + 1),
            name: format!("{} named-doctor studio", person.name),
            lead,
            site,
            discipline: person.disciplines[0],
            sessions_per_week: rng.random_range(1..=3),
            apprentices: chosen,
        });
    }
}

/// Residencies for about half the visiting experts: 1–3 days a week at one of their
/// sites (the studio's, for a studio lead), some on fixed weekdays, some over only some
/// weeks. Each is kept only when the calendar lets it be met in every week.
pub(super) fn residencies(rng: &mut StdRng, model: &mut Model) {
    let weeks = model.calendar.weeks;
    for p in 0..model.people.len() {
        let person = &model.people[p];
        if !person.visiting || !rng.random_bool(0.5) {
            continue;
        }
        let site = model
            .studios
            .iter()
            .find(|s| s.lead == p)
            .map_or(person.sites[0], |s| s.site);
        let mut days_per_week = [1, 2, 3][pick_weighted(rng, &[50.0, 30.0, 20.0])];
        let fixed = rng.random_bool(0.4);
        let consecutive = !rng.random_bool(0.3);
        let same_days = !rng.random_bool(0.3);
        let some_weeks = (weeks >= 2 && rng.random_bool(0.25)).then(|| {
            let mut list: Vec<u32> = (0..weeks).filter(|_| rng.random_bool(0.6)).collect();
            if list.is_empty() {
                list.push(rng.random_range(0..weeks));
            }
            list
        });
        let week_list: Vec<u32> = some_weeks.clone().unwrap_or_else(|| (0..weeks).collect());
        while days_per_week > 0 {
            let days = if fixed {
                fixed_days(rng, &model.calendar, person, &week_list, days_per_week)
            } else {
                None
            };
            let residency = Residency {
                person: p,
                site,
                days_per_week,
                days,
                consecutive,
                same_days,
                weeks: some_weeks.clone(),
            };
            if (fixed && residency.days.is_some())
                || (!fixed && can_be_met(&model.calendar, person, &residency, &week_list))
            {
                model.residencies.push(residency);
                break;
            }
            days_per_week -= 1;
        }
    }
}

/// `count` weekdays on which the person can be on site in every listed week.
fn fixed_days(
    rng: &mut StdRng,
    calendar: &Calendar,
    person: &Person,
    weeks: &[u32],
    count: usize,
) -> Option<Vec<usize>> {
    let usable: Vec<usize> = (0..5)
        .filter(|day| {
            person.available_on(*day)
                && weeks.iter().all(|w| {
                    calendar
                        .week_dates(*w)
                        .find(|d| weekday(*d) == *day)
                        .is_some_and(|date| person.can_be_on_site(calendar, date))
                })
        })
        .collect();
    if usable.len() < count {
        return None;
    }
    let mut days: Vec<usize> = usable.choose_multiple(rng, count).copied().collect();
    days.sort_unstable();
    Some(days)
}

/// The validator's test for a residency without fixed days (instance/feasibility.rs).
fn can_be_met(calendar: &Calendar, person: &Person, residency: &Residency, weeks: &[u32]) -> bool {
    let dpw = residency.days_per_week;
    let mut common_windows: Option<BTreeSet<u8>> = None;
    let mut common_usable: u8 = 0x7f;
    let bit = |date: &NaiveDate| 1u8 << weekday(*date);
    for week in weeks {
        let open: Vec<NaiveDate> = calendar
            .week_dates(*week)
            .filter(|d| calendar.is_open(*d))
            .collect();
        let usable: Vec<NaiveDate> = open
            .iter()
            .copied()
            .filter(|d| person.can_be_on_site(calendar, *d))
            .collect();
        if usable.len() < dpw {
            return false;
        }
        common_usable &= usable.iter().fold(0, |m, d| m | bit(d));
        if residency.consecutive {
            let windows: BTreeSet<u8> = open
                .windows(dpw)
                .filter(|w| w.iter().all(|d| usable.contains(d)))
                .map(|w| w.iter().fold(0, |m, d| m | bit(d)))
                .collect();
            if windows.is_empty() {
                return false;
            }
            common_windows = Some(match common_windows {
                None => windows,
                Some(previous) => previous.intersection(&windows).copied().collect(),
            });
        }
    }
    if residency.same_days && weeks.len() > 1 {
        if residency.consecutive {
            common_windows.is_some_and(|w| !w.is_empty())
        } else {
            common_usable.count_ones() as usize >= dpw
        }
    } else {
        true
    }
}
