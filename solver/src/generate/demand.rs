//! What must be scheduled: MDT boards over disciplines that distinct people can staff,
//! weekly clinic demand in proportion to the staff of each site, surgeries placed
//! where one of their surgeons reaches a fitting theatre, and patients' requests
//! (popular experts asked for far more than the rest).

use std::collections::BTreeSet;

use chrono::Duration;
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};

use super::names::{BOARDS, DIAGNOSTIC, DISCIPLINES};
use super::{Board, Demand, Model, Request, RoomKind, SiteKind, Surgery, pick_weighted, priority};

/// About one MDT board per 25 specialists (at least one), the first at the hub, later
/// ones alternating between the hub and the hospitals. Every required discipline gets
/// its own person who can sit at the board's site (or join remotely, for pathology and
/// radiology), so the validator's staffing matching always succeeds.
pub(super) fn boards(rng: &mut StdRng, model: &mut Model) {
    let count = (model.people.len() / 25).max(1);
    let hospitals = model.sites_of_kind(SiteKind::Hospital);
    for b in 0..count {
        let site = if b % 2 == 1 && !hospitals.is_empty() {
            hospitals[(b / 2) % hospitals.len()]
        } else {
            0
        };
        let (name, core) = BOARDS[b % BOARDS.len()];
        let target = rng.random_range(4..=8usize);
        let mut order: Vec<&'static str> = core.to_vec();
        let mut others: Vec<&'static str> = DISCIPLINES
            .iter()
            .copied()
            .filter(|d| !core.contains(d))
            .collect();
        others.shuffle(rng);
        order.extend(others);
        let staffed = |site: usize, rng: &mut StdRng| {
            let mut required = Vec::new();
            let mut seated = BTreeSet::new();
            for discipline in &order {
                if required.len() >= target {
                    break;
                }
                let remote = DIAGNOSTIC.contains(discipline);
                let candidates: Vec<usize> = (0..model.people.len())
                    .filter(|p| {
                        let person = &model.people[*p];
                        person.has(discipline)
                            && (remote || person.works_at(site))
                            && !seated.contains(p)
                    })
                    .collect();
                if let Some(p) = candidates.choose(rng) {
                    seated.insert(*p);
                    required.push(*discipline);
                }
            }
            required
        };
        let mut chosen = (site, staffed(site, rng));
        if chosen.1.len() < 4 && site != 0 {
            chosen = (0, staffed(0, rng));
        }
        let (site, required) = chosen;
        if required.len() < 2 {
            continue;
        }
        let remote_ok = required
            .iter()
            .copied()
            .filter(|d| DIAGNOSTIC.contains(d))
            .collect();
        let round = b / BOARDS.len();
        let mut name = name.to_string();
        if site != 0 {
            name = format!("{name} ({})", model.sites[site].name);
        }
        if round > 0 {
            name = format!("{name}, team {}", round + 1);
        }
        model.boards.push(Board {
            id: format!("mdt-{:02}", b + 1),
            name,
            site,
            required,
            remote_ok,
            sessions: if rng.random_bool(0.7) {
                vec!["pm"]
            } else {
                vec!["am", "pm"]
            },
        });
    }
}

/// Weekly clinic sessions per site and discipline, about 1–2 per specialist of the
/// discipline working there (visiting experts counted by their share of sites), at
/// most half the site's clinic-room slots in all.
pub(super) fn clinic_demand(rng: &mut StdRng, model: &mut Model) {
    let slots_per_week = model.calendar.open_dates().len() / model.calendar.weeks as usize * 2;
    for site in 0..model.sites.len() {
        let clinic_rooms: Vec<&Vec<&'static str>> = model
            .rooms
            .iter()
            .filter(|r| r.site == site && r.kind == RoomKind::Clinic)
            .map(|r| &r.tags)
            .collect();
        let mut budget = (clinic_rooms.len() * slots_per_week / 2) as u32;
        for discipline in DISCIPLINES {
            if DIAGNOSTIC.contains(&discipline) {
                continue;
            }
            let load: f64 = model
                .people
                .iter()
                .filter(|p| p.works_at(site) && p.has(discipline) && p.capacity > 0)
                .map(|p| 1.0 / p.sites.len() as f64)
                .sum();
            if load == 0.0 || rng.random_bool(0.15) {
                continue;
            }
            let wanted = ((load * rng.random_range(1.0..2.0)).round() as u32).clamp(1, 12);
            let sessions = wanted.min(budget);
            if sessions == 0 {
                break;
            }
            budget -= sessions;
            let has_tag = |tag: &str| clinic_rooms.iter().any(|tags| tags.contains(&tag));
            let room_tags = match discipline {
                "oncology" if has_tag("onc") && rng.random_bool(0.7) => vec!["onc"],
                "paediatrics" if has_tag("paeds") && rng.random_bool(0.7) => vec!["paeds"],
                _ if rng.random_bool(0.2) => vec!["general"],
                _ => Vec::new(),
            };
            model.demand.push(Demand {
                site,
                discipline,
                sessions_per_week: sessions,
                room_tags,
            });
        }
    }
}

/// Surgery lengths (minutes) and how often each is drawn.
const MINUTES: [u32; 8] = [60, 90, 120, 150, 180, 210, 240, 75];
const MINUTE_WEIGHTS: [f64; 8] = [10.0, 18.0, 22.0, 18.0, 14.0, 8.0, 5.0, 5.0];

/// `count` surgeries, each built around one surgeon (visiting surgeons twice as often)
/// and a theatre at one of that surgeon's sites: grade at most the surgeon's, tags a
/// subset of the theatre's, the surgeon named on about a third.
pub(super) fn surgeries(rng: &mut StdRng, model: &mut Model, count: usize) {
    let surgeons: Vec<(usize, Vec<usize>)> = (0..model.people.len())
        .filter(|p| model.people[*p].grade > 0)
        .filter_map(|p| {
            let theatres: Vec<usize> = (0..model.rooms.len())
                .filter(|r| {
                    let room = &model.rooms[*r];
                    room.kind == RoomKind::Theatre && model.people[p].works_at(room.site)
                })
                .collect();
            (!theatres.is_empty()).then_some((p, theatres))
        })
        .collect();
    if surgeons.is_empty() {
        return;
    }
    let weights: Vec<f64> = surgeons
        .iter()
        .map(|(p, _)| if model.people[*p].visiting { 2.0 } else { 1.0 })
        .collect();
    // Released on an open date, leaving at least two more open dates in the horizon.
    let open = model.calendar.open_dates();
    let releases = &open[..open.len().saturating_sub(2).max(1)];
    for k in 0..count {
        let (p, theatres) = &surgeons[pick_weighted(rng, &weights)];
        let surgeon = &model.people[*p];
        let theatre = &model.rooms[*theatres.choose(rng).expect("theatres")];
        let grade = surgeon
            .grade
            .saturating_sub([0, 1, 2][pick_weighted(rng, &[50.0, 30.0, 20.0])])
            .max(1);
        let room_tags = match pick_weighted(rng, &[40.0, 40.0, 20.0]) {
            0 => Vec::new(),
            1 => vec![*theatre.tags.last().expect("theatre tags")],
            _ => vec!["general"],
        };
        let release = *releases.choose(rng).expect("open dates");
        let due = release + Duration::days(rng.random_range(3..=14));
        model.surgeries.push(Surgery {
            id: format!("s-{:04}", k + 1),
            patient: format!("ps-{:04}", k + 1),
            discipline: surgeon.disciplines[0],
            surgeon: rng.random_bool(0.35).then_some(*p),
            grade,
            minutes: MINUTES[pick_weighted(rng, &MINUTE_WEIGHTS)],
            room_tags,
            site: rng.random_bool(0.3).then_some(theatre.site),
            release,
            due,
            priority: priority(rng),
        });
    }
}

/// `count` requests: 45% name a specialist (popular visiting experts far more often;
/// 30% of those accept a substitute), the rest a discipline in proportion to who holds
/// it; windows of 2–10 days starting on any date up to the last open one (always
/// holding an open date); 30% limited to 1–3 sites.
pub(super) fn requests(rng: &mut StdRng, model: &mut Model, count: usize) {
    let bookable: Vec<usize> = (0..model.people.len())
        .filter(|p| model.people[*p].capacity > 0)
        .collect();
    if bookable.is_empty() {
        return;
    }
    let popularity: Vec<f64> = bookable
        .iter()
        .map(|p| {
            let x: f64 = rng.random_range(0.1..1.0);
            if model.people[*p].visiting {
                4.0 * x * x * x
            } else {
                x * x
            }
        })
        .collect();
    let open = model.calendar.open_dates();
    let last = *open.last().expect("open dates");
    let last_open = (last - model.calendar.start).num_days();
    for k in 0..count {
        let named = rng.random_bool(0.45);
        let (specialist, discipline, home_sites) = if named {
            let p = bookable[pick_weighted(rng, &popularity)];
            (Some(p), None, model.people[p].sites.clone())
        } else {
            let p = *bookable.choose(rng).expect("bookable");
            let person = &model.people[p];
            let discipline = *person
                .disciplines
                .iter()
                .filter(|d| !DIAGNOSTIC.contains(d))
                .collect::<Vec<_>>()
                .choose(rng)
                .copied()
                .unwrap_or(&person.disciplines[0]);
            let sites: Vec<usize> = (0..model.sites.len())
                .filter(|s| {
                    model
                        .people
                        .iter()
                        .any(|q| q.works_at(*s) && q.has(discipline) && q.capacity > 0)
                })
                .collect();
            (None, Some(discipline), sites)
        };
        let sites = (rng.random_bool(0.3)).then(|| {
            let first = *home_sites.choose(rng).expect("a site");
            let mut sites = vec![first];
            let extra = rng.random_range(0..=2);
            for s in model.neighbours(first).choose_multiple(rng, extra) {
                sites.push(*s);
            }
            sites.sort_unstable();
            sites
        });
        // The window starts no later than the last open date and holds an open date.
        let earliest = model.calendar.date(rng.random_range(0..=last_open));
        let mut latest = earliest + Duration::days(rng.random_range(1..=9));
        if let Some(next) = open.iter().find(|d| **d >= earliest)
            && latest < *next
        {
            latest = *next;
        }
        model.requests.push(Request {
            id: format!("r-{:05}", k + 1),
            patient: format!("p-{:05}", k + 1),
            specialist,
            discipline,
            sites,
            earliest,
            latest,
            substitute_ok: named && rng.random_bool(0.3),
            priority: priority(rng),
        });
    }
}
