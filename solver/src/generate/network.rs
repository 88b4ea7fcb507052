//! The network: the hub, county hospitals and community centres on a map, travel
//! between nearby sites, and each site's clinic rooms, meeting rooms and theatres, in
//! numbers that make rooms bind on busy days.

use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

use super::names::{CITIES, STREETS, TOWNS};
use super::{Model, Room, RoomKind, SESSIONS, Site, SiteKind, Travel};

pub(super) struct Network {
    pub(super) sites: Vec<Site>,
    pub(super) travel: Vec<Travel>,
}

/// Longest drive still entered as travel (minutes).
const MAX_TRAVEL: u32 = 90;

/// `count` sites: one hub, about a third of the rest hospitals, the others community
/// centres near a hospital or the hub; travel between sites within 90 minutes.
pub(super) fn sites(rng: &mut StdRng, count: usize) -> Network {
    let hospitals = if count <= 2 {
        1
    } else {
        ((count - 1) / 3).max(1)
    };
    let city = CITIES[rng.random_range(0..CITIES.len())];
    let mut sites = Vec::with_capacity(count);
    let mut places: Vec<(i64, i64)> = Vec::with_capacity(count);
    sites.push(Site {
        id: "site-hub".into(),
        code: "hub".into(),
        name: format!("{city} Central Hospital"),
        kind: SiteKind::Hub,
    });
    places.push((0, 0));
    let town_offset = rng.random_range(0..TOWNS.len());
    for h in 0..hospitals {
        let name = numbered(TOWNS[(town_offset + h) % TOWNS.len()], h / TOWNS.len());
        sites.push(Site {
            id: format!("site-h{:02}", h + 1),
            code: format!("h{:02}", h + 1),
            name: format!("{name} County People's Hospital"),
            kind: SiteKind::Hospital,
        });
        // 35–70 km from the hub.
        places.push(point_at(rng, (0, 0), 35, 70));
    }
    let street_offset = rng.random_range(0..STREETS.len());
    for c in 0..count - 1 - hospitals {
        let name = numbered(
            STREETS[(street_offset + c) % STREETS.len()],
            c / STREETS.len(),
        );
        // Round-robin over hub and hospitals, the hub taking every other one.
        let parent = if c % 2 == 0 {
            0
        } else {
            1 + (c / 2) % hospitals
        };
        sites.push(Site {
            id: format!("site-c{:02}", c + 1),
            code: format!("c{:02}", c + 1),
            name: format!("{name} Community Health Service Centre"),
            kind: SiteKind::Community,
        });
        places.push(point_at(rng, places[parent], 6, 25));
    }
    let mut travel = Vec::new();
    for a in 0..count {
        for b in a + 1..count {
            let (dx, dy) = (places[a].0 - places[b].0, places[a].1 - places[b].1);
            let km = ((dx * dx + dy * dy) as f64).sqrt();
            let minutes = (km * 1.1 + 10.0).round() as u32;
            if minutes <= MAX_TRAVEL {
                travel.push(Travel {
                    from: a,
                    to: b,
                    minutes: minutes.max(15),
                });
            }
        }
    }
    Network { sites, travel }
}

fn numbered(name: &str, round: usize) -> String {
    if round == 0 {
        name.to_string()
    } else {
        format!("{name} {}", round + 1)
    }
}

/// A point between `near` and `far` km (integer grid) from `centre`.
fn point_at(rng: &mut StdRng, centre: (i64, i64), near: i64, far: i64) -> (i64, i64) {
    loop {
        let (dx, dy) = (rng.random_range(-far..=far), rng.random_range(-far..=far));
        let d2 = dx * dx + dy * dy;
        if d2 >= near * near && d2 <= far * far {
            return (centre.0 + dx, centre.1 + dy);
        }
    }
}

/// Theatre tag sets, cycled per site.
const THEATRE_TAGS: [&[&str]; 3] = [
    &["general", "laparoscopy"],
    &["general", "thoracoscopy"],
    &["general"],
];

/// Rooms of every site. Clinic rooms for a little under half the specialists who may
/// work there (so rooms bind when the experts come on the same days), with teaching,
/// oncology and paediatric rooms where studios and staff need them; a video meeting
/// room per two MDT boards; theatres at the hub and hospitals for about 1.6 times the
/// expected surgery minutes.
pub(super) fn rooms(rng: &mut StdRng, model: &mut Model, surgeries: usize) {
    let open_slots = model.calendar.open_dates().len() * SESSIONS.len();
    let theatre_sites: Vec<usize> = (0..model.sites.len())
        .filter(|s| model.sites[*s].kind != SiteKind::Community)
        .collect();
    // 150 minutes per surgery on average, 240-minute sessions.
    let wanted = (surgeries * 150 * 16).div_ceil(10 * 240 * open_slots.max(1));
    let theatres_total = wanted.max(theatre_sites.len());
    let mut rooms = Vec::new();
    for site in 0..model.sites.len() {
        let kind = model.sites[site].kind;
        let load = |only: Option<&str>| -> f64 {
            model
                .people
                .iter()
                .filter(|p| p.works_at(site) && p.capacity > 0)
                .filter(|p| only.is_none_or(|d| p.has(d)))
                .map(|p| 1.0 / p.sites.len() as f64)
                .sum()
        };
        let share = if kind == SiteKind::Community {
            0.5
        } else {
            0.45
        };
        let general = ((load(None) * share).ceil() as usize).max(1);
        let studios = model.studios.iter().filter(|s| s.site == site).count();
        let teaching = studios.div_ceil(3);
        let (oncology, paediatric) = if kind == SiteKind::Community {
            (0, 0)
        } else {
            let onc = load(Some("oncology"));
            (
                (onc / 3.0).ceil() as usize,
                usize::from(load(Some("paediatrics")) > 0.0),
            )
        };
        let clinics = general.max(teaching + oncology + paediatric + 1);
        let code = model.sites[site].code.clone();
        for k in 0..clinics {
            let tags: Vec<&'static str> = if k < teaching {
                vec!["teaching", "general"]
            } else if k < teaching + oncology {
                vec!["onc", "general"]
            } else if k < teaching + oncology + paediatric {
                vec!["paeds", "general"]
            } else {
                vec!["general"]
            };
            rooms.push(room(
                format!("{code}-c{:02}", k + 1),
                site,
                RoomKind::Clinic,
                tags,
            ));
        }
        let boards = model.boards.iter().filter(|b| b.site == site).count();
        let meetings = if boards > 0 {
            boards.div_ceil(2)
        } else {
            usize::from(kind != SiteKind::Community)
        };
        for k in 0..meetings {
            rooms.push(room(
                format!("{code}-m{:02}", k + 1),
                site,
                RoomKind::Meeting,
                vec!["video"],
            ));
        }
        if let Some(position) = theatre_sites.iter().position(|s| *s == site) {
            // The hub takes half of the theatres beyond one per site.
            let extra = theatres_total - theatre_sites.len();
            let hub_extra = extra.div_ceil(2);
            let others = theatre_sites.len() - 1;
            let count = 1 + if position == 0 {
                hub_extra
            } else {
                let rest = extra - hub_extra;
                rest / others + usize::from(position - 1 < rest % others.max(1))
            };
            for k in 0..count {
                let mut theatre = room(
                    format!("{code}-t{:02}", k + 1),
                    site,
                    RoomKind::Theatre,
                    THEATRE_TAGS[k % THEATRE_TAGS.len()].to_vec(),
                );
                theatre.capacity_minutes = Some(240);
                rooms.push(theatre);
            }
        }
    }
    // A few rooms are closed for one slot (maintenance, a training day).
    let open = model.calendar.open_dates();
    for room in &mut rooms {
        if rng.random_bool(0.08)
            && let Some(date) = open.choose(rng)
        {
            room.unavailable
                .push((*date, rng.random_range(0..SESSIONS.len())));
        }
    }
    model.rooms = rooms;
}

fn room(id: String, site: usize, kind: RoomKind, tags: Vec<&'static str>) -> Room {
    Room {
        id,
        site,
        kind,
        tags,
        unavailable: Vec::new(),
        capacity_minutes: None,
    }
}
