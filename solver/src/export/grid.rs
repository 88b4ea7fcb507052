//! A site's week as a paper rota: one row per room (and one for entries without a
//! room), one column per open date and session; a cell lists one person per line
//! (`Liu Jun · medical-oncology`), under the studio's or board's name.

use chrono::Datelike;

use super::label;
use crate::agenda::{self, AgendaError, Item, Language, Part, View, What};
use crate::calendar::weekday_name;
use crate::instance::Instance;
use crate::roster::Roster;

pub(super) fn site_rota(
    instance: &Instance,
    roster: &Roster,
    site: &str,
    lang: Language,
) -> Result<Vec<Vec<String>>, AgendaError> {
    let items = agenda::items(instance, roster, &View::Site(site.to_string()))?;
    let columns: Vec<(chrono::NaiveDate, &str)> = instance
        .calendar
        .open_dates()
        .into_iter()
        .flat_map(|date| {
            instance
                .calendar
                .sessions()
                .iter()
                .map(move |s| (date, s.id.as_str()))
        })
        .collect();
    let mut header = vec![label(lang, "房间", "Room")];
    header.extend(
        columns
            .iter()
            .map(|(date, session)| format!("{} {date} {session}", weekday(lang, *date))),
    );
    let site_ix = instance.site_ix(site);
    let site_rooms: Vec<&str> = instance
        .rooms
        .iter()
        .filter(|r| Some(r.site) == site_ix)
        .map(|r| r.id.as_str())
        .collect();
    let held = |item: &Item| item.what != What::OnSite && item.session.is_some();
    let known = |room: &Option<String>| room.as_deref().is_some_and(|id| site_rooms.contains(&id));
    let mut rooms: Vec<Option<&str>> = site_rooms.iter().map(|r| Some(*r)).collect();
    if items.iter().any(|i| held(i) && !known(&i.room)) {
        rooms.push(None);
    }
    let mut rows = vec![header];
    for room in &rooms {
        let mut row = vec![match room {
            Some(id) => room_label(instance, id),
            None => label(lang, "（无房间）", "(no room)"),
        }];
        for (date, session) in &columns {
            let cell: Vec<String> = items
                .iter()
                .filter(|i| held(i) && i.date == *date && i.session.as_deref() == Some(session))
                .filter(|i| match room {
                    Some(id) => i.room.as_deref() == Some(id),
                    None => !known(&i.room),
                })
                .flat_map(|i| cell_lines(instance, i, lang))
                .collect();
            row.push(cell.join("\n"));
        }
        rows.push(row);
    }
    Ok(rows)
}

fn room_label(instance: &Instance, id: &str) -> String {
    match instance.room_ix(id) {
        Some(ix) => format!("{id} ({})", instance.room(ix).kind.name()),
        None => id.to_string(),
    }
}

fn weekday(lang: Language, date: chrono::NaiveDate) -> String {
    const CHINESE: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
    match lang {
        Language::Chinese => CHINESE[date.weekday().num_days_from_monday() as usize].to_string(),
        Language::English => {
            let name = weekday_name(date.weekday());
            let mut chars = name.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        }
    }
}

/// One line per person, under the studio's or board's name.
fn cell_lines(instance: &Instance, item: &Item, lang: Language) -> Vec<String> {
    let name = |id: &str| {
        instance
            .specialist_ix(id)
            .map_or(id, |ix| instance.specialist(ix).name.as_str())
            .to_string()
    };
    let mut lines = Vec::new();
    match &item.what {
        What::Studio { studio } => lines.push(
            instance
                .studio_ix(studio)
                .map_or(studio.as_str(), |ix| instance.studios[ix.0].name.as_str())
                .to_string(),
        ),
        What::Mdt { board } => lines.push(
            instance
                .board_ix(board)
                .map_or(board.as_str(), |ix| instance.mdt_boards[ix.0].name.as_str())
                .to_string(),
        ),
        _ => {}
    }
    if item.what == What::Surgery {
        for surgery in &item.surgeries {
            lines.push(format!(
                "{} · {} {}",
                name(&surgery.surgeon),
                surgery.start.as_deref().unwrap_or("--:--"),
                surgery.surgery
            ));
        }
        return lines;
    }
    for person in &item.people {
        let part = match (&person.part, &item.what) {
            (Part::Holder, What::Clinic { discipline }) => discipline.clone(),
            (Part::Lead, _) => label(lang, "导师", "lead"),
            (Part::Apprentice, _) => label(lang, "学员", "apprentice"),
            (Part::Seat { discipline, remote }, _) => {
                if *remote {
                    format!("{discipline} · {}", label(lang, "视频", "video"))
                } else {
                    discipline.clone()
                }
            }
            _ => String::new(),
        };
        lines.push(format!("{} · {part}", name(&person.specialist)));
    }
    lines
}
