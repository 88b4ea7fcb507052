//! Cross-entity checks on a resolved instance: things that make it impossible to
//! honour (a residency on a closed day, a surgery nobody may do, an MDT board that
//! cannot be staffed) are errors; things that merely cannot be served are warnings.
//!
//! Runs only when [`super::build`] found no error, so instance list positions equal
//! file positions and paths like `residencies[2].days[1]` are exact.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Weekday};

use super::{Instance, MdtBoard, Residency, RoomKind, SiteIx, SpecialistIx};
use crate::calendar::weekday_name;
use crate::diagnostics::{Diagnostics, did_you_mean};

pub(super) fn check(instance: &Instance, d: &mut Diagnostics) {
    for (i, residency) in instance.residencies.iter().enumerate() {
        residency_can_be_met(instance, i, residency, d);
    }
    residencies_do_not_collide(instance, d);
    studios(instance, d);
    mdt_boards(instance, d);
    clinic_demand(instance, d);
    surgeries(instance, d);
    requests(instance, d);
}

fn path(section: &str, index: usize, field: &str) -> String {
    format!("{section}[{index}].{field}")
}

/// Errors when nobody holds the discipline, with a "did you mean".
fn discipline_is_known(
    instance: &Instance,
    discipline: &str,
    at: String,
    d: &mut Diagnostics,
) -> bool {
    let known = instance.disciplines();
    if known.contains(&discipline) {
        return true;
    }
    let hint = did_you_mean(discipline, known.iter().copied());
    d.error_maybe_hint(
        at,
        format!("no specialist has discipline \"{discipline}\""),
        hint,
    );
    false
}

fn week_date(instance: &Instance, week: u32, day: Weekday) -> Option<NaiveDate> {
    instance
        .calendar
        .week_dates(week)
        .find(|date| date.weekday() == day)
}

fn weekday_bit(date: NaiveDate) -> u8 {
    1 << date.weekday().num_days_from_monday()
}

fn residency_can_be_met(instance: &Instance, i: usize, residency: &Residency, d: &mut Diagnostics) {
    let calendar = &instance.calendar;
    let who = residency.specialist;
    let person = instance.specialist(who);
    if let Some(days) = &residency.days {
        for (j, day) in days.iter().enumerate() {
            let at = format!("residencies[{i}].days[{j}]");
            let name = weekday_name(*day);
            if calendar.is_closed_weekday(*day) {
                d.error(at, format!("{name} is a closed weekday"));
                continue;
            }
            if !person.available.contains_any(*day) {
                d.error_maybe_hint(
                    at,
                    format!("\"{}\" is not available on {name}", person.id),
                    Some("add the weekday to the specialist's available list".into()),
                );
                continue;
            }
            for week in &residency.weeks {
                let Some(date) = week_date(instance, *week, *day) else {
                    continue;
                };
                if !calendar.is_open(date) {
                    d.error(
                        at.clone(),
                        format!("{date} ({name}, week {week}) is a holiday; the residency cannot be met that week"),
                    );
                } else if !instance.can_be_on_site(who, date) {
                    d.error(
                        at.clone(),
                        format!(
                            "\"{}\" is unavailable on {date} ({name}, week {week}); the residency cannot be met that week",
                            person.id
                        ),
                    );
                }
            }
        }
        return;
    }
    let dpw = residency.days_per_week as usize;
    let open = calendar.open_dates();
    let mut common_windows: Option<BTreeSet<u8>> = None;
    let mut common_usable: u8 = 0x7f;
    for week in &residency.weeks {
        let week_open: Vec<NaiveDate> = open
            .iter()
            .copied()
            .filter(|date| calendar.week_of(*date) == Some(*week))
            .collect();
        let usable: Vec<NaiveDate> = week_open
            .iter()
            .copied()
            .filter(|date| instance.can_be_on_site(who, *date))
            .collect();
        let at = format!("residencies[{i}].days_per_week");
        if usable.len() < dpw {
            d.error(
                at,
                format!(
                    "week {week} has only {} date(s) on which \"{}\" can be on site, fewer than days_per_week = {dpw}",
                    usable.len(),
                    person.id
                ),
            );
            return;
        }
        common_usable &= usable
            .iter()
            .fold(0, |mask, date| mask | weekday_bit(*date));
        if residency.consecutive {
            let windows: BTreeSet<u8> = week_open
                .windows(dpw)
                .filter(|window| window.iter().all(|date| usable.contains(date)))
                .map(|window| {
                    window
                        .iter()
                        .fold(0, |mask, date| mask | weekday_bit(*date))
                })
                .collect();
            if windows.is_empty() {
                d.error(
                    at,
                    format!(
                        "week {week} has no {dpw} consecutive open dates on which \"{}\" can be on site",
                        person.id
                    ),
                );
                return;
            }
            common_windows = Some(match common_windows {
                None => windows,
                Some(previous) => previous.intersection(&windows).copied().collect(),
            });
        }
    }
    if residency.same_days_every_week && residency.weeks.len() > 1 {
        let feasible = if residency.consecutive {
            common_windows.is_some_and(|windows| !windows.is_empty())
        } else {
            common_usable.count_ones() as usize >= dpw
        };
        if !feasible {
            d.error_maybe_hint(
                format!("residencies[{i}].same_days_every_week"),
                format!(
                    "no choice of {dpw} weekday(s) works for \"{}\" in every week of the residency",
                    person.id
                ),
                Some("set same_days_every_week = false or give fixed days".into()),
            );
        }
    }
}

fn residencies_do_not_collide(instance: &Instance, d: &mut Diagnostics) {
    let residencies = &instance.residencies;
    for (i, a) in residencies.iter().enumerate() {
        for (j, b) in residencies.iter().enumerate().skip(i + 1) {
            if a.specialist != b.specialist {
                continue;
            }
            let shared_weeks: Vec<u32> = a
                .weeks
                .iter()
                .copied()
                .filter(|w| b.weeks.contains(w))
                .collect();
            if shared_weeks.is_empty() {
                continue;
            }
            let who = &instance.specialist(a.specialist).id;
            if a.site == b.site {
                d.error(
                    format!("residencies[{j}]"),
                    format!(
                        "\"{who}\" already has a residency at \"{}\" in week {} (residencies[{i}])",
                        instance.site(a.site).id,
                        shared_weeks[0]
                    ),
                );
                continue;
            }
            if let (Some(days_a), Some(days_b)) = (&a.days, &b.days)
                && let Some(day) = days_a.iter().find(|day| days_b.contains(day))
            {
                d.error(
                    format!("residencies[{j}].days"),
                    format!(
                        "\"{who}\" cannot be at \"{}\" (residencies[{i}]) and at \"{}\" (residencies[{j}]) on {} in week {}",
                        instance.site(a.site).id,
                        instance.site(b.site).id,
                        weekday_name(*day),
                        shared_weeks[0]
                    ),
                );
            }
        }
    }
    // Several residencies of one specialist in one week need enough dates between them.
    for (who, person) in instance.specialists.iter().enumerate() {
        for week in 0..instance.calendar.weeks() {
            let demanded: u32 = residencies
                .iter()
                .filter(|r| r.specialist == SpecialistIx(who) && r.weeks.contains(&week))
                .map(|r| r.days_per_week)
                .sum();
            let usable = instance
                .calendar
                .week_dates(week)
                .filter(|date| instance.can_be_on_site(SpecialistIx(who), *date))
                .count();
            if demanded as usize > usable {
                d.error(
                    format!("specialists[{who}]"),
                    format!(
                        "the residencies of \"{}\" need {demanded} on-site dates in week {week} but only {usable} are open and available",
                        person.id
                    ),
                );
            }
        }
    }
}

fn clinic_room_exists(instance: &Instance, site: SiteIx, tags: &[String]) -> bool {
    instance
        .rooms
        .iter()
        .any(|room| room.kind == RoomKind::Clinic && room.site == site && room.has_tags(tags))
}

fn tag_list(tags: &[String]) -> String {
    if tags.is_empty() {
        "(any tags)".into()
    } else {
        format!("[{}]", tags.join(", "))
    }
}

fn studios(instance: &Instance, d: &mut Diagnostics) {
    for (i, studio) in instance.studios.iter().enumerate() {
        let lead = instance.specialist(studio.lead);
        let site = &instance.site(studio.site).id;
        if !lead.has_discipline(&studio.discipline) {
            d.error(
                path("studios", i, "discipline"),
                format!(
                    "lead \"{}\" does not have discipline \"{}\"",
                    lead.id, studio.discipline
                ),
            );
        }
        if !lead.works_at(studio.site) {
            d.error_maybe_hint(
                path("studios", i, "lead"),
                format!(
                    "lead \"{}\" cannot work at the studio's site \"{site}\"",
                    lead.id
                ),
                Some("add the site to the lead's sites".into()),
            );
        }
        let mut seen = BTreeSet::new();
        for (j, apprentice) in studio.apprentices.iter().enumerate() {
            let person = instance.specialist(*apprentice);
            let at = format!("studios[{i}].apprentices[{j}]");
            if *apprentice == studio.lead {
                d.error(at, format!("\"{}\" is the studio's lead", person.id));
            } else if !seen.insert(*apprentice) {
                d.error(at, format!("\"{}\" is listed twice", person.id));
            } else if !person.works_at(studio.site) {
                d.error_maybe_hint(
                    at,
                    format!(
                        "apprentice \"{}\" cannot be at the studio's site \"{site}\"",
                        person.id
                    ),
                    Some("add the site to the apprentice's sites".into()),
                );
            }
        }
        if studio.min_apprentices as usize > studio.apprentices.len() {
            d.error(
                path("studios", i, "min_apprentices"),
                format!(
                    "needs {} apprentice(s) but the studio lists {}",
                    studio.min_apprentices,
                    studio.apprentices.len()
                ),
            );
        }
        if !clinic_room_exists(instance, studio.site, &studio.room_tags) {
            d.error(
                path("studios", i, "room_tags"),
                format!(
                    "no clinic room at \"{site}\" has tags {}",
                    tag_list(&studio.room_tags)
                ),
            );
        }
    }
}

/// Who could fill each required discipline of a board (on site or, where allowed, remotely).
fn board_candidates(instance: &Instance, board: &MdtBoard) -> Vec<Vec<usize>> {
    board
        .required
        .iter()
        .map(|discipline| {
            instance
                .specialists
                .iter()
                .enumerate()
                .filter(|(_, s)| {
                    s.has_discipline(discipline)
                        && (board.allows_remote(discipline) || s.works_at(board.site))
                })
                .map(|(index, _)| index)
                .collect()
        })
        .collect()
}

/// Which roles a maximum matching of roles to distinct people staffs.
fn max_distinct_staffing(candidates: &[Vec<usize>], people: usize) -> Vec<bool> {
    crate::matching::match_distinct(candidates, people)
        .iter()
        .map(Option::is_some)
        .collect()
}

fn mdt_boards(instance: &Instance, d: &mut Diagnostics) {
    for (i, board) in instance.mdt_boards.iter().enumerate() {
        let site = &instance.site(board.site).id;
        if board.sessions.is_empty() {
            d.error(path("mdt_boards", i, "sessions"), "no allowed sessions");
        }
        let has_room = instance.rooms.iter().any(|room| {
            room.kind == RoomKind::Meeting
                && room.site == board.site
                && room.has_tags(&board.room_tags)
        });
        if !has_room {
            d.error(
                path("mdt_boards", i, "room_tags"),
                format!(
                    "no meeting room at \"{site}\" has tags {}",
                    tag_list(&board.room_tags)
                ),
            );
        }
        let candidates = board_candidates(instance, board);
        let mut all_have_someone = true;
        for (j, (discipline, who)) in board.required.iter().zip(&candidates).enumerate() {
            let at = format!("mdt_boards[{i}].required[{j}]");
            if !discipline_is_known(instance, discipline, at.clone(), d) {
                all_have_someone = false;
            } else if who.is_empty() {
                all_have_someone = false;
                d.error_maybe_hint(
                    at,
                    format!("nobody with discipline \"{discipline}\" can work at \"{site}\""),
                    Some(
                        "add the site to such a specialist, or list the discipline in remote_ok"
                            .into(),
                    ),
                );
            }
        }
        if all_have_someone {
            let staffed = max_distinct_staffing(&candidates, instance.specialists.len());
            let short: Vec<&str> = board
                .required
                .iter()
                .zip(&staffed)
                .filter(|(_, ok)| !**ok)
                .map(|(discipline, _)| discipline.as_str())
                .collect();
            if !short.is_empty() {
                d.error(
                    path("mdt_boards", i, "required"),
                    format!(
                        "the board needs {} distinct participants but the same people would have to cover {}",
                        board.required.len(),
                        short.join(", ")
                    ),
                );
            }
        }
    }
}

fn clinic_demand(instance: &Instance, d: &mut Diagnostics) {
    for (i, demand) in instance.clinic_demand.iter().enumerate() {
        let site = &instance.site(demand.site).id;
        if discipline_is_known(
            instance,
            &demand.discipline,
            path("clinic_demand", i, "discipline"),
            d,
        ) && !instance
            .specialists
            .iter()
            .any(|s| s.has_discipline(&demand.discipline) && s.works_at(demand.site))
        {
            d.error(
                path("clinic_demand", i, "discipline"),
                format!(
                    "nobody with discipline \"{}\" can work at \"{site}\"",
                    demand.discipline
                ),
            );
        }
        if !clinic_room_exists(instance, demand.site, &demand.room_tags) {
            d.error(
                path("clinic_demand", i, "room_tags"),
                format!(
                    "no clinic room at \"{site}\" has tags {}",
                    tag_list(&demand.room_tags)
                ),
            );
        }
    }
}

fn surgeries(instance: &Instance, d: &mut Diagnostics) {
    let sessions = instance.calendar.sessions();
    let longest = sessions.iter().map(|s| s.minutes()).max().unwrap_or(0);
    for (i, surgery) in instance.surgeries.iter().enumerate() {
        if surgery.minutes > longest {
            d.error(
                path("surgeries", i, "minutes"),
                format!(
                    "{} minutes is longer than every session (the longest is {longest} minutes)",
                    surgery.minutes
                ),
            );
            continue;
        }
        let theatre_sites: BTreeSet<SiteIx> = instance
            .rooms
            .iter()
            .filter(|room| {
                room.kind == RoomKind::Theatre
                    && room.has_tags(&surgery.room_tags)
                    && surgery.site.is_none_or(|site| site == room.site)
                    && sessions.iter().any(|s| {
                        s.minutes() >= surgery.minutes
                            && room.capacity_in(s.minutes()) >= surgery.minutes
                    })
            })
            .map(|room| room.site)
            .collect();
        if theatre_sites.is_empty() {
            let place = surgery
                .site
                .map(|site| format!(" at \"{}\"", instance.site(site).id))
                .unwrap_or_default();
            d.error(
                path("surgeries", i, "room_tags"),
                format!(
                    "no theatre{place} has tags {} and room for {} minutes",
                    tag_list(&surgery.room_tags),
                    surgery.minutes
                ),
            );
            continue;
        }
        let reaches_theatre =
            |who: &super::Specialist| who.sites.iter().any(|site| theatre_sites.contains(site));
        match surgery.surgeon {
            Some(named) => {
                let surgeon = instance.specialist(named);
                if surgeon.surgery_grade < surgery.grade {
                    d.error(
                        path("surgeries", i, "surgeon"),
                        format!(
                            "named surgeon \"{}\" has surgery_grade {} but the surgery is grade {}",
                            surgeon.id, surgeon.surgery_grade, surgery.grade
                        ),
                    );
                } else if !reaches_theatre(surgeon) {
                    d.error(
                        path("surgeries", i, "surgeon"),
                        format!(
                            "named surgeon \"{}\" cannot work at any site with a fitting theatre",
                            surgeon.id
                        ),
                    );
                }
            }
            None => {
                if !discipline_is_known(
                    instance,
                    &surgery.discipline,
                    path("surgeries", i, "discipline"),
                    d,
                ) {
                    continue;
                }
                let qualified = instance.specialists.iter().any(|s| {
                    s.has_discipline(&surgery.discipline)
                        && s.surgery_grade >= surgery.grade
                        && reaches_theatre(s)
                });
                if !qualified {
                    let best = instance
                        .specialists
                        .iter()
                        .filter(|s| s.has_discipline(&surgery.discipline))
                        .map(|s| s.surgery_grade)
                        .max()
                        .unwrap_or(0);
                    d.error(
                        path("surgeries", i, "grade"),
                        format!(
                            "no {} surgeon with surgery_grade ≥ {} can reach a fitting theatre (the best grade in the discipline is {best})",
                            surgery.discipline, surgery.grade
                        ),
                    );
                }
            }
        }
        if surgery.release > instance.calendar.end() {
            d.warning(
                path("surgeries", i, "release"),
                format!(
                    "released on {} after the horizon ends ({}); it cannot be scheduled",
                    surgery.release,
                    instance.calendar.end()
                ),
            );
        }
    }
}

fn requests(instance: &Instance, d: &mut Diagnostics) {
    let calendar = &instance.calendar;
    for (i, request) in instance.requests.iter().enumerate() {
        let at = instance.request_path(crate::instance::RequestIx(i));
        if (request.specialist.is_none() || request.substitute_ok)
            && !discipline_is_known(instance, &request.discipline, format!("{at}.discipline"), d)
        {
            continue;
        }
        if request.latest < calendar.start() || request.earliest > calendar.end() {
            d.warning(
                at.clone(),
                format!(
                    "its window {} … {} lies outside the horizon ({} … {}); it cannot be served",
                    request.earliest,
                    request.latest,
                    calendar.start(),
                    calendar.end()
                ),
            );
        }
        if let Some(named) = request.specialist
            && !request.substitute_ok
        {
            let person = instance.specialist(named);
            if !person.sites.iter().any(|site| request.allows_site(*site)) {
                d.warning(
                    format!("{at}.sites"),
                    format!(
                        "\"{}\" works at none of the allowed sites; it cannot be served",
                        person.id
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::max_distinct_staffing;

    #[test]
    fn staffing_needs_distinct_people() {
        // Two roles, one person able to do both: one role stays unstaffed.
        assert_eq!(
            max_distinct_staffing(&[vec![0], vec![0]], 1),
            vec![true, false]
        );
        // Augmenting path: role 0 can move from person 0 to person 1.
        assert_eq!(
            max_distinct_staffing(&[vec![0, 1], vec![0]], 2),
            vec![true, true]
        );
    }
}
