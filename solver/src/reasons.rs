//! Why a demand went unmet, in words a scheduler can act on, computed from the
//! instance and the roster (who is on site when, which sessions are full, who is busy).

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Weekday};

use crate::calendar::Slot;
use crate::check::Shortfall;
use crate::instance::{Instance, RoomKind, SiteIx, SpecialistIx};
use crate::roster::{Roster, UnmetKind};
use crate::roster_index::RosterIndex;
use crate::text;
use crate::text::{Arg, DateStyle, Key, Separator, Text};

/// One sentence per unmet demand, in the order given; the roster is indexed once.
pub fn explain_all(instance: &Instance, roster: &Roster, shortfalls: &[Shortfall]) -> Vec<String> {
    explain_all_texts(instance, roster, shortfalls)
        .iter()
        .map(|text| text.as_ref().map(ToString::to_string).unwrap_or_default())
        .collect()
}

/// [`explain_all`] as messages, to be written in any language (`None` for a shortfall
/// whose ids the instance does not know).
pub fn explain_all_texts(
    instance: &Instance,
    roster: &Roster,
    shortfalls: &[Shortfall],
) -> Vec<Option<Text>> {
    let view = RosterIndex::new(instance, roster);
    shortfalls
        .iter()
        .map(|shortfall| {
            explain(instance, &view, shortfall).or_else(|| {
                let first = shortfall.ids.first()?;
                let request = instance.resource_request_ix(first)?;
                (shortfall.kind == UnmetKind::Request)
                    .then(|| resource_request_reason(instance, roster, request))
            })
        })
        .collect()
}

/// Why a resource request is not booked: no session of what it asks for at an allowed
/// site in its window, or every such session is full (and how many places pools hold
/// for referrals it cannot take).
fn resource_request_reason(
    instance: &Instance,
    roster: &Roster,
    request: crate::resources::ResourceRequestIx,
) -> Text {
    use crate::resources::{ResourceIx, ResourceTarget};
    let request = &instance.resource_requests[request.0];
    let window = text!(WindowRange {
        earliest: Arg::month_day(request.earliest),
        latest: Arg::month_day(request.latest),
    });
    let wanted = match &request.target {
        ResourceTarget::Resource(ix) => Arg::from(format!("\"{}\"", instance.resource(*ix).id)),
        ResourceTarget::Kind(kind) => Arg::from(text!(ResourceKindWanted { kind: kind })),
    };
    let mut sessions = 0u32;
    let mut held_from_it = 0u32;
    let mut referrers = BTreeSet::new();
    for (r, resource) in instance.resources.iter().enumerate() {
        let ix = ResourceIx(r);
        if !request.accepts(instance, ix) {
            continue;
        }
        let pool = instance
            .resource_pool_of(ix)
            .filter(|pool| !pool.admits_referral(request.referred_by));
        for date in instance.calendar.dates() {
            if date < request.earliest || date > request.latest {
                continue;
            }
            for &session in &resource.sessions {
                if !instance.resource_runs(ix, date, session) {
                    continue;
                }
                sessions += 1;
                if let Some(pool) = pool {
                    let session_id = &instance.calendar.sessions()[session].id;
                    let held_taken = roster
                        .resource_bookings
                        .iter()
                        .filter(|b| {
                            b.resource == resource.id
                                && b.date == date
                                && b.session == *session_id
                                && b.pool.is_some()
                        })
                        .count() as u32;
                    held_from_it += pool.places.saturating_sub(held_taken);
                    referrers.extend(pool.referrers.iter().map(|s| instance.site(*s).id.as_str()));
                }
            }
        }
    }
    if sessions == 0 {
        return text!(ResourceNoSession {
            wanted: wanted,
            window: window,
        });
    }
    if held_from_it > 0 {
        return text!(ResourceSessionsFullHeld {
            sessions: sessions,
            wanted: wanted,
            window: window,
            held: held_from_it,
            sites: Arg::ids(referrers.into_iter(), Separator::Comma),
        });
    }
    text!(ResourceSessionsFull {
        sessions: sessions,
        wanted: wanted,
        window: window,
    })
}

/// A sentence explaining one unmet demand.
fn explain(instance: &Instance, view: &RosterIndex, shortfall: &Shortfall) -> Option<Text> {
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
            .map(|r| request_reason(instance, view, r.0)),
        UnmetKind::Surgery => instance
            .surgery_ix(first)
            .map(|g| surgery_reason(instance, view, g.0)),
        UnmetKind::MdtMeeting => instance
            .board_ix(first)
            .map(|b| meeting_reason(instance, view, b.0, week, missing)),
        UnmetKind::StudioSession => instance
            .studio_ix(first)
            .map(|s| studio_reason(instance, view, s.0, week, missing)),
        UnmetKind::ClinicSession => {
            let discipline = shortfall.ids.get(1).map(String::as_str).unwrap_or_default();
            instance
                .site_ix(first)
                .map(|site| clinic_reason(instance, view, site, discipline, week, missing))
        }
    }
}

fn day_label(date: NaiveDate) -> Arg {
    Arg::Date(date, DateStyle::FileDay)
}

/// The weekdays of some dates, in the order first seen (`mon, wed`).
fn weekdays_of(dates: &BTreeSet<NaiveDate>) -> Arg {
    let mut days: Vec<Weekday> = Vec::new();
    for date in dates {
        if !days.contains(&date.weekday()) {
            days.push(date.weekday());
        }
    }
    Arg::List(
        days.into_iter()
            .map(|day| Arg::Weekday {
                day,
                file_style: true,
            })
            .collect(),
        Separator::Comma,
    )
}

fn request_reason(instance: &Instance, view: &RosterIndex, r: usize) -> Text {
    let request = &instance.requests[r];
    let window = text!(WindowRange {
        earliest: Arg::month_day(request.earliest),
        latest: Arg::month_day(request.latest),
    });
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
            parts.push(text!(NamedUnavailableInWindow {
                who: &person.name,
                window: &window
            }));
        } else if held == 0 {
            let on_site = view.on_site.get(&named).cloned().unwrap_or_default();
            let full_weeks = weeks_at_load_limit(instance, view, named, &available);
            if !full_weeks.is_empty() {
                parts.push(text!(NamedLoadFull {
                    who: &person.name,
                    window: &window,
                    max: person.max_sessions_per_week.unwrap_or(0),
                    weeks: Arg::List(full_weeks, Separator::Semicolon),
                }));
            } else if person.visiting && !on_site.is_empty() {
                parts.push(text!(NamedNoClinicOnSite {
                    who: &person.name,
                    window: &window,
                    weekdays: weekdays_of(&on_site),
                }));
            } else {
                parts.push(text!(NamedNoClinic {
                    who: &person.name,
                    window: &window
                }));
            }
        } else {
            parts.push(text!(NamedSessionsFull {
                who: &person.name,
                held: held,
                window: &window,
                booked: booked,
                capacity: capacity,
            }));
        }
        if !request.substitute_ok {
            parts.push(text!(NoSubstitute));
            return Text::clauses(parts);
        }
    }
    let (held, booked, capacity) = full_sessions(None, Some(&request.discipline));
    let can_serve = instance.specialists.iter().any(|s| {
        s.has_discipline(&request.discipline)
            && s.sites.iter().any(|site| request.allows_site(*site))
    });
    if !can_serve {
        parts.push(text!(NoDisciplineSpecialistAtSites {
            discipline: &request.discipline
        }));
    } else if held == 0 {
        parts.push(text!(NoDisciplineSessionInWindow {
            discipline: &request.discipline,
            window: &window,
        }));
    } else {
        parts.push(text!(DisciplineSessionsFull {
            held: held,
            discipline: &request.discipline,
            booked: booked,
            capacity: capacity,
        }));
    }
    Text::clauses(parts)
}

/// For each week of `dates` in which the specialist already works their weekly maximum:
/// what fills it, e.g. "tue Mar 3 am clinic, tue Mar 3 pm mdt".
fn weeks_at_load_limit(
    instance: &Instance,
    view: &RosterIndex,
    who: SpecialistIx,
    dates: &[NaiveDate],
) -> Vec<Arg> {
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
            let used: Vec<Text> = view
                .activities
                .iter()
                .filter(|((w, slot), _)| {
                    *w == who && instance.calendar.week_of(slot.date) == Some(week)
                })
                .map(|((_, slot), activity)| {
                    text!(UsedSession {
                        day: day_label(slot.date),
                        session: Arg::session(&instance.calendar.sessions()[slot.session].id),
                        activity: text::activity(activity),
                    })
                })
                .collect();
            (used.len() as u32 >= max).then(|| Arg::list(used, Separator::Comma))
        })
        .collect()
}

fn surgery_reason(instance: &Instance, view: &RosterIndex, g: usize) -> Text {
    let surgery = &instance.surgeries[g];
    let calendar = &instance.calendar;
    let surgeons = instance.qualified_surgeons(crate::instance::SurgeryIx(g));
    let who = match surgery.surgeon {
        Some(named) => Arg::from(&instance.specialist(named).name),
        None => Arg::from(text!(SurgeonsCount {
            count: surgeons.len(),
            discipline: &surgery.discipline,
            grade: surgery.grade,
        })),
    };
    let slots: Vec<Slot> = calendar
        .slots()
        .filter(|slot| {
            slot.date >= surgery.release
                && calendar.sessions()[slot.session].minutes() >= surgery.minutes
        })
        .collect();
    if slots.is_empty() {
        return text!(NoSessionLongEnough {
            release: surgery.release,
            minutes: surgery.minutes,
        });
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
    let one = surgery.surgeon.is_some();
    let from = Arg::month_day(surgery.release);
    if free.is_empty() {
        let key = if one {
            Key::SurgeonNeverFree
        } else {
            Key::SurgeonsNeverFree
        };
        Text::new(key)
            .with("who", who)
            .with("from", from)
            .with("theatres", theatres)
    } else {
        let key = if one {
            Key::SurgeonFreeNoTheatre
        } else {
            Key::SurgeonsFreeNoTheatre
        };
        Text::new(key)
            .with("who", who)
            .with("count", free.len())
            .with("from", from)
            .with("tags", Arg::ids(&surgery.room_tags, Separator::Comma))
            .with("minutes", surgery.minutes)
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
) -> Text {
    let board = &instance.mdt_boards[b];
    let slots: Vec<Slot> = week_slots(instance, week)
        .into_iter()
        .filter(|slot| board.sessions.contains(&slot.session))
        .collect();
    let sessions = Arg::List(
        board
            .sessions
            .iter()
            .map(|s| Arg::session(&instance.calendar.sessions()[*s].id))
            .collect(),
        Separator::Slash,
    );
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
    let head = text!(MeetingsShort {
        board: &board.id,
        week: week,
        missing: missing,
    });
    if !lacking.is_empty() {
        return text!(MeetingLacksDiscipline {
            head: head,
            disciplines: Arg::ids(lacking, Separator::Or),
            sessions: sessions,
        });
    }
    text!(MeetingNoCommonSlot {
        head: head,
        sessions: sessions,
        count: board.required.len(),
        disciplines: Arg::ids(&board.required, Separator::Comma),
    })
}

fn studio_reason(
    instance: &Instance,
    view: &RosterIndex,
    s: usize,
    week: u32,
    missing: u32,
) -> Text {
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
    let head = text!(StudioSessionsShort {
        studio: &studio.id,
        week: week,
        missing: missing,
    });
    if lead_free.is_empty() {
        return text!(StudioLeadNeverFree {
            head: head,
            lead: &lead.name
        });
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
        return text!(StudioApprenticesBusy {
            head: head,
            lead: &lead.name,
            days: Arg::List(
                days.iter().map(|d| day_label(*d)).collect(),
                Separator::Comma
            ),
            min: studio.min_apprentices,
        });
    }
    text!(StudioCannotBeThere {
        head: head,
        lead: &lead.name,
        count: with_apprentices,
        site: &instance.site(studio.site).name,
    })
}

fn clinic_reason(
    instance: &Instance,
    view: &RosterIndex,
    site: SiteIx,
    discipline: &str,
    week: u32,
    missing: u32,
) -> Text {
    let site_name = &instance.site(site).name;
    let staff: Vec<SpecialistIx> = (0..instance.specialists.len())
        .map(SpecialistIx)
        .filter(|s| {
            instance.specialist(*s).has_discipline(discipline)
                && instance.specialist(*s).works_at(site)
        })
        .collect();
    let head = text!(ClinicSessionsShort {
        discipline: discipline,
        site: site_name,
        week: week,
        missing: missing,
    });
    if staff.is_empty() {
        return text!(ClinicNoStaff {
            head: head,
            discipline: discipline
        });
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
        text!(ClinicStaffBusy {
            head: head,
            names: Arg::ids(&names, Separator::Comma),
        })
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
        text!(ClinicCannotPlace {
            head: head,
            free: free,
            names: Arg::ids(&names, Separator::Comma),
            rooms: rooms_free,
        })
    }
}
