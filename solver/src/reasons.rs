//! Why a demand went unmet, in words a scheduler can act on, computed from the
//! instance and the roster (who is on site when, which sessions are full, who is busy).

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};

use crate::calendar::{Slot, weekday_name};
use crate::check::Shortfall;
use crate::instance::{Instance, RoomKind, SiteIx, SpecialistIx};
use crate::roster::{Roster, UnmetKind};
use crate::roster_index::RosterIndex;

/// One sentence per unmet demand, in the order given; the roster is indexed once.
pub fn explain_all(instance: &Instance, roster: &Roster, shortfalls: &[Shortfall]) -> Vec<String> {
    let view = RosterIndex::new(instance, roster);
    shortfalls
        .iter()
        .map(|shortfall| explain(instance, &view, shortfall))
        .collect()
}

/// A sentence explaining one unmet demand.
fn explain(instance: &Instance, view: &RosterIndex, shortfall: &Shortfall) -> String {
    let first = shortfall
        .ids
        .first()
        .map(String::as_str)
        .unwrap_or_default();
    let week = shortfall.week.unwrap_or(0);
    let missing = shortfall.missing.unwrap_or(1);
    match shortfall.kind {
        UnmetKind::Request => instance
            .request_ix(first)
            .map(|r| request_reason(instance, view, r.0))
            .unwrap_or_default(),
        UnmetKind::Surgery => instance
            .surgery_ix(first)
            .map(|g| surgery_reason(instance, view, g.0))
            .unwrap_or_default(),
        UnmetKind::MdtMeeting => instance
            .board_ix(first)
            .map(|b| meeting_reason(instance, view, b.0, week, missing))
            .unwrap_or_default(),
        UnmetKind::StudioSession => instance
            .studio_ix(first)
            .map(|s| studio_reason(instance, view, s.0, week, missing))
            .unwrap_or_default(),
        UnmetKind::ClinicSession => {
            let discipline = shortfall.ids.get(1).map(String::as_str).unwrap_or_default();
            instance
                .site_ix(first)
                .map(|site| clinic_reason(instance, view, site, discipline, week, missing))
                .unwrap_or_default()
        }
    }
}

fn day_label(date: NaiveDate) -> String {
    format!("{} {}", weekday_name(date.weekday()), date.format("%b %-d"))
}

fn weekdays_of(dates: &BTreeSet<NaiveDate>) -> String {
    let mut names: Vec<&str> = Vec::new();
    for date in dates {
        let name = weekday_name(date.weekday());
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names.join(", ")
}

fn request_reason(instance: &Instance, view: &RosterIndex, r: usize) -> String {
    let request = &instance.requests[r];
    let window = format!(
        "{} … {}",
        request.earliest.format("%b %-d"),
        request.latest.format("%b %-d")
    );
    let in_window = |slot: &Slot| slot.date >= request.earliest && slot.date <= request.latest;
    let full_sessions = |who: Option<SpecialistIx>, discipline: Option<&str>| {
        let mut held = 0;
        let mut booked = 0;
        let mut capacity = 0;
        for ((holder, slot), session) in &view.sessions {
            let (site, session_discipline) = (&session.site, &session.discipline);
            if who.is_some_and(|w| w != *holder)
                || discipline.is_some_and(|d| d != session_discipline)
                || !in_window(slot)
                || !request.allows_site(*site)
            {
                continue;
            }
            held += 1;
            booked += view.bookings.get(&(*holder, *slot)).copied().unwrap_or(0);
            capacity += instance.specialist(*holder).clinic_capacity;
        }
        (held, booked, capacity)
    };
    let mut parts = Vec::new();
    if let Some(named) = request.specialist {
        let person = instance.specialist(named);
        let available: Vec<NaiveDate> = instance
            .calendar
            .dates()
            .filter(|d| {
                *d >= request.earliest && *d <= request.latest && instance.can_be_on_site(named, *d)
            })
            .collect();
        let (held, booked, capacity) = full_sessions(Some(named), None);
        if available.is_empty() {
            parts.push(format!(
                "{} is not available on any open date of the window {window}",
                person.name
            ));
        } else if held == 0 {
            let on_site = view.on_site.get(&named).cloned().unwrap_or_default();
            let full_weeks = weeks_at_load_limit(instance, view, named, &available);
            if !full_weeks.is_empty() {
                parts.push(format!(
                    "{} holds no clinic in the window {window}: the week's {} session(s) allowed (max_sessions_per_week) are all used ({})",
                    person.name,
                    person.max_sessions_per_week.unwrap_or(0),
                    full_weeks.join("; ")
                ));
            } else if person.visiting && !on_site.is_empty() {
                parts.push(format!(
                    "{} holds no clinic in the window {window} at an allowed site (on site {} this horizon)",
                    person.name,
                    weekdays_of(&on_site)
                ));
            } else {
                parts.push(format!(
                    "{} holds no clinic in the window {window} at an allowed site",
                    person.name
                ));
            }
        } else {
            parts.push(format!(
                "{}'s {held} clinic session(s) in the window {window} are full ({booked}/{capacity})",
                person.name
            ));
        }
        if !request.substitute_ok {
            parts.push("the patient accepts no substitute".into());
            return parts.join("; ");
        }
    }
    let (held, booked, capacity) = full_sessions(None, Some(&request.discipline));
    let can_serve = instance.specialists.iter().any(|s| {
        s.has_discipline(&request.discipline)
            && s.sites.iter().any(|site| request.allows_site(*site))
    });
    if !can_serve {
        parts.push(format!(
            "no {} specialist works at an allowed site",
            request.discipline
        ));
    } else if held == 0 {
        parts.push(format!(
            "no {} session at an allowed site in the window {window}",
            request.discipline
        ));
    } else {
        parts.push(format!(
            "the {held} {} session(s) at allowed sites in the window are full ({booked}/{capacity})",
            request.discipline
        ));
    }
    parts.join("; ")
}

/// For each week of `dates` in which the specialist already works their weekly maximum:
/// what fills it, e.g. "Tue Mar 3 am clinic, Tue Mar 3 pm mdt".
fn weeks_at_load_limit(
    instance: &Instance,
    view: &RosterIndex,
    who: SpecialistIx,
    dates: &[NaiveDate],
) -> Vec<String> {
    let Some(max) = instance.specialist(who).max_sessions_per_week else {
        return Vec::new();
    };
    let weeks: BTreeSet<u32> = dates
        .iter()
        .filter_map(|d| instance.calendar.week_of(*d))
        .collect();
    weeks
        .into_iter()
        .filter_map(|week| {
            let used: Vec<String> = view
                .activities
                .iter()
                .filter(|((w, slot), _)| {
                    *w == who && instance.calendar.week_of(slot.date) == Some(week)
                })
                .map(|((_, slot), activity)| {
                    format!(
                        "{} {} {activity}",
                        day_label(slot.date),
                        instance.calendar.sessions()[slot.session].id
                    )
                })
                .collect();
            (used.len() as u32 >= max).then(|| used.join(", "))
        })
        .collect()
}

fn surgery_reason(instance: &Instance, view: &RosterIndex, g: usize) -> String {
    let surgery = &instance.surgeries[g];
    let calendar = &instance.calendar;
    let surgeons = instance.qualified_surgeons(crate::instance::SurgeryIx(g));
    let who = match surgery.surgeon {
        Some(named) => instance.specialist(named).name.clone(),
        None => format!(
            "{} {} grade-{} surgeon(s)",
            surgeons.len(),
            surgery.discipline,
            surgery.grade
        ),
    };
    let slots: Vec<Slot> = calendar
        .slots()
        .filter(|slot| {
            slot.date >= surgery.release
                && calendar.sessions()[slot.session].minutes() >= surgery.minutes
        })
        .collect();
    if slots.is_empty() {
        return format!(
            "no session after its release on {} is long enough for {} minutes",
            surgery.release, surgery.minutes
        );
    }
    let free: Vec<&Slot> = slots
        .iter()
        .filter(|slot| {
            surgeons.iter().any(|s| {
                instance.can_work(*s, slot.date, slot.session) && !view.is_busy(*s, **slot)
            })
        })
        .collect();
    let theatres = instance
        .rooms
        .iter()
        .filter(|room| room.kind == RoomKind::Theatre && room.has_tags(&surgery.room_tags))
        .count();
    if free.is_empty() {
        format!(
            "{who} {} free in any slot from {} on; {theatres} theatre(s) fit",
            if surgery.surgeon.is_some() {
                "is not"
            } else {
                "are not"
            },
            surgery.release.format("%b %-d")
        )
    } else {
        format!(
            "{who} {} free in {} slot(s) from {} on, but no fitting theatre ([{}]) had {} minutes left then, or the surgeon could not reach it",
            if surgery.surgeon.is_some() {
                "is"
            } else {
                "are"
            },
            free.len(),
            surgery.release.format("%b %-d"),
            surgery.room_tags.join(", "),
            surgery.minutes
        )
    }
}

fn week_slots(instance: &Instance, week: u32) -> Vec<Slot> {
    instance
        .calendar
        .slots()
        .filter(|s| instance.calendar.week_of(s.date) == Some(week))
        .collect()
}

fn meeting_reason(
    instance: &Instance,
    view: &RosterIndex,
    b: usize,
    week: u32,
    missing: u32,
) -> String {
    let board = &instance.mdt_boards[b];
    let slots: Vec<Slot> = week_slots(instance, week)
        .into_iter()
        .filter(|slot| board.sessions.contains(&slot.session))
        .collect();
    let sessions: Vec<&str> = board
        .sessions
        .iter()
        .map(|s| instance.calendar.sessions()[*s].id.as_str())
        .collect();
    let mut lacking = Vec::new();
    for discipline in &board.required {
        let anyone_free = slots.iter().any(|slot| {
            (0..instance.specialists.len()).map(SpecialistIx).any(|s| {
                let person = instance.specialist(s);
                person.has_discipline(discipline)
                    && (board.allows_remote(discipline) || person.works_at(board.site))
                    && instance.can_work(s, slot.date, slot.session)
                    && !view.is_busy(s, *slot)
            })
        });
        if !anyone_free {
            lacking.push(discipline.as_str());
        }
    }
    let head = format!("{} week {week}: {missing} meeting(s) short", board.id);
    if !lacking.is_empty() {
        return format!(
            "{head}; no {} specialist free in a {} session",
            lacking.join(" or "),
            sessions.join("/")
        );
    }
    format!(
        "{head}; in no {} session of the week are all {} disciplines ({}) free at once with a meeting room",
        sessions.join("/"),
        board.required.len(),
        board.required.join(", ")
    )
}

fn studio_reason(
    instance: &Instance,
    view: &RosterIndex,
    s: usize,
    week: u32,
    missing: u32,
) -> String {
    let studio = &instance.studios[s];
    let lead = instance.specialist(studio.lead);
    let slots = week_slots(instance, week);
    let lead_free: Vec<&Slot> = slots
        .iter()
        .filter(|slot| {
            instance.can_work(studio.lead, slot.date, slot.session)
                && !view.is_busy(studio.lead, **slot)
        })
        .collect();
    let head = format!("{} week {week}: {missing} session(s) short", studio.id);
    if lead_free.is_empty() {
        return format!("{head}; {} is not free in any slot of the week", lead.name);
    }
    let with_apprentices = lead_free
        .iter()
        .filter(|slot| {
            let free = studio
                .apprentices
                .iter()
                .filter(|a| {
                    instance.can_work(**a, slot.date, slot.session) && !view.is_busy(**a, ***slot)
                })
                .count();
            free as u32 >= studio.min_apprentices
        })
        .count();
    if with_apprentices == 0 {
        let days: BTreeSet<NaiveDate> = lead_free.iter().map(|slot| slot.date).collect();
        return format!(
            "{head}; {} is free on {} but not {} of the apprentices at the same time",
            lead.name,
            days.iter()
                .map(|d| day_label(*d))
                .collect::<Vec<_>>()
                .join(", "),
            studio.min_apprentices
        );
    }
    format!(
        "{head}; {} and apprentices are free together in {with_apprentices} slot(s), but {} could not be at {} then (other site that day, residency, travel or load limits) or no room fit",
        lead.name,
        lead.name,
        instance.site(studio.site).name
    )
}

fn clinic_reason(
    instance: &Instance,
    view: &RosterIndex,
    site: SiteIx,
    discipline: &str,
    week: u32,
    missing: u32,
) -> String {
    let site_name = &instance.site(site).name;
    let staff: Vec<SpecialistIx> = (0..instance.specialists.len())
        .map(SpecialistIx)
        .filter(|s| {
            instance.specialist(*s).has_discipline(discipline)
                && instance.specialist(*s).works_at(site)
        })
        .collect();
    let head = format!("{discipline} at {site_name} week {week}: {missing} session(s) short");
    if staff.is_empty() {
        return format!("{head}; no {discipline} specialist works there");
    }
    let free: usize = week_slots(instance, week)
        .iter()
        .map(|slot| {
            staff
                .iter()
                .filter(|s| {
                    instance.can_work(**s, slot.date, slot.session) && !view.is_busy(**s, *slot)
                })
                .count()
        })
        .sum();
    let names: Vec<&str> = staff
        .iter()
        .map(|s| instance.specialist(*s).name.as_str())
        .collect();
    if free == 0 {
        format!(
            "{head}; its specialists ({}) have no free available slot that week",
            names.join(", ")
        )
    } else {
        let rooms_free = week_slots(instance, week)
            .iter()
            .filter(|slot| {
                instance.rooms.iter().enumerate().any(|(i, room)| {
                    room.kind == RoomKind::Clinic
                        && room.site == site
                        && !room.unavailable.contains(slot.date, slot.session)
                        && !view
                            .rooms_used
                            .contains(&(crate::instance::RoomIx(i), **slot))
                })
            })
            .count();
        format!(
            "{head}; {} free specialist-slot(s) of {} remain but using them would break a residency, site or load rule, cost more than the shortfall, or find no free room with the tags ({rooms_free} slot(s) with a free clinic room)",
            free,
            names.join(", ")
        )
    }
}
