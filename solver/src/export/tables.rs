//! The list sheets: one row per MDT seat, per surgery, per booking, in time order.

use chrono::NaiveDate;

use super::label;
use crate::agenda::Language;
use crate::instance::Instance;
use crate::roster::{Activity, Roster};

type Rows = Vec<Vec<String>>;

fn header(lang: Language, columns: &[(&str, &str)]) -> Vec<String> {
    columns
        .iter()
        .map(|(chinese, english)| label(lang, chinese, english))
        .collect()
}

/// Rows sorted by (date, session in the horizon's order, the rest as text).
fn sorted(instance: &Instance, mut rows: Vec<(NaiveDate, String, Vec<String>)>) -> Rows {
    let order = |session: &str| instance.calendar.session_index(session);
    rows.sort_by(|a, b| (a.0, order(&a.1), &a.2).cmp(&(b.0, order(&b.1), &b.2)));
    rows.into_iter().map(|(_, _, row)| row).collect()
}

fn time(instance: &Instance, session: &str) -> String {
    instance
        .calendar
        .session_index(session)
        .map(|ix| {
            let s = &instance.calendar.sessions()[ix];
            format!("{}–{}", s.start.format("%H:%M"), s.end.format("%H:%M"))
        })
        .unwrap_or_default()
}

fn specialist_name(instance: &Instance, id: &str) -> String {
    instance
        .specialist_ix(id)
        .map_or(id, |ix| instance.specialist(ix).name.as_str())
        .to_string()
}

/// One row per MDT seat.
pub(super) fn meetings(instance: &Instance, roster: &Roster, lang: Language) -> Rows {
    let mut rows = vec![header(
        lang,
        &[
            ("日期", "Date"),
            ("时段", "Session"),
            ("时间", "Time"),
            ("MDT", "Board"),
            ("院区", "Site"),
            ("会议室", "Room"),
            ("专家", "Specialist"),
            ("学科", "Discipline"),
            ("视频参会", "By video"),
        ],
    )];
    let entries = roster
        .assignments
        .iter()
        .filter(|a| a.activity == Activity::Mdt);
    let body = entries
        .map(|a| {
            let board = a.board.clone().unwrap_or_default();
            let meeting = roster.assignments.iter().filter(|b| {
                b.board.as_deref() == Some(&board) && b.date == a.date && b.session == a.session
            });
            let room = meeting
                .clone()
                .find_map(|b| b.room.clone())
                .unwrap_or_default();
            let site = meeting
                .clone()
                .find_map(|b| b.site.clone())
                .unwrap_or_default();
            let remote = a.remote == Some(true);
            let row = vec![
                a.date.to_string(),
                a.session.clone(),
                time(instance, &a.session),
                instance
                    .board_ix(&board)
                    .map_or(board.clone(), |ix| instance.mdt_boards[ix.0].name.clone()),
                site,
                room,
                specialist_name(instance, &a.specialist),
                a.discipline.clone().unwrap_or_default(),
                if remote {
                    label(lang, "是", "yes")
                } else {
                    String::new()
                },
            ];
            (a.date, a.session.clone(), row)
        })
        .collect();
    rows.extend(sorted(instance, body));
    rows
}

/// One row per surgery placed.
pub(super) fn surgeries(instance: &Instance, roster: &Roster, lang: Language) -> Rows {
    let mut rows = vec![header(
        lang,
        &[
            ("日期", "Date"),
            ("时段", "Session"),
            ("开始", "Start"),
            ("手术室", "Theatre"),
            ("院区", "Site"),
            ("手术", "Surgery"),
            ("患者", "Patient"),
            ("术者", "Surgeon"),
            ("分钟", "Minutes"),
            ("等级", "Grade"),
        ],
    )];
    let body = roster
        .surgeries
        .iter()
        .map(|p| {
            let surgery = instance
                .surgery_ix(&p.surgery)
                .map(|ix| &instance.surgeries[ix.0]);
            let site = instance
                .room_ix(&p.room)
                .map(|ix| instance.site(instance.room(ix).site).id.clone())
                .unwrap_or_default();
            let row = vec![
                p.date.to_string(),
                p.session.clone(),
                p.start.clone().unwrap_or_default(),
                p.room.clone(),
                site,
                p.surgery.clone(),
                surgery.map(|s| s.patient.clone()).unwrap_or_default(),
                specialist_name(instance, &p.surgeon),
                surgery.map(|s| s.minutes.to_string()).unwrap_or_default(),
                surgery.map(|s| s.grade.to_string()).unwrap_or_default(),
            ];
            (p.date, p.session.clone(), row)
        })
        .collect();
    rows.extend(sorted(instance, body));
    rows
}

/// One row per booking, by session: the front desk's list.
pub(super) fn bookings(instance: &Instance, roster: &Roster, lang: Language) -> Rows {
    let mut rows = vec![header(
        lang,
        &[
            ("日期", "Date"),
            ("时段", "Session"),
            ("时间", "Time"),
            ("院区", "Site"),
            ("诊室", "Room"),
            ("专家", "Specialist"),
            ("预约", "Request"),
            ("患者", "Patient"),
            ("替诊", "Substitute"),
        ],
    )];
    let body = roster
        .bookings
        .iter()
        .map(|b| {
            let room = roster
                .assignments
                .iter()
                .find(|a| {
                    a.specialist == b.specialist && a.date == b.date && a.session == b.session
                })
                .and_then(|a| a.room.clone())
                .unwrap_or_default();
            let patient = instance
                .request_ix(&b.request)
                .map(|ix| instance.requests[ix.0].patient.clone())
                .unwrap_or_default();
            let row = vec![
                b.date.to_string(),
                b.session.clone(),
                time(instance, &b.session),
                b.site.clone(),
                room,
                specialist_name(instance, &b.specialist),
                b.request.clone(),
                patient,
                if b.substitute {
                    label(lang, "是", "yes")
                } else {
                    String::new()
                },
            ];
            (b.date, b.session.clone(), row)
        })
        .collect();
    rows.extend(sorted(instance, body));
    rows
}
