use chrono::TimeZone;

use super::*;
use crate::agenda::tests::example;
use crate::roster::Activity;

fn options(instance: &Instance) -> CalendarOptions {
    let stamp = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
    CalendarOptions::for_instance(instance, stamp)
}

/// (UID, SEQUENCE, STATUS, DTSTART) of every event, read by the `ical` crate.
fn parsed(text: &str) -> Vec<(String, u32, String, String)> {
    let mut calendars = ical::IcalParser::new(text.as_bytes());
    let calendar = calendars.next().expect("a calendar").expect("parses");
    assert!(calendars.next().is_none());
    assert_eq!(calendar.timezones.len(), 1);
    calendar
        .events
        .iter()
        .map(|event| {
            let value = |name: &str| {
                event
                    .properties
                    .iter()
                    .find(|p| p.name == name)
                    .and_then(|p| p.value.clone())
                    .unwrap_or_default()
            };
            (
                value("UID"),
                value("SEQUENCE").parse().expect("a number"),
                value("STATUS"),
                value("DTSTART"),
            )
        })
        .collect()
}

/// The example with Liu Jun's Thursday-morning clinic moved to Friday and his
/// Thursday-afternoon one dropped.
fn republished(roster: &Roster) -> Roster {
    let mut next = roster.clone();
    let thursday = |a: &crate::roster::Assignment, session: &str| {
        a.specialist == "liu-jun" && a.date.to_string() == "2026-03-05" && a.session == session
    };
    for entry in next.assignments.iter_mut().filter(|a| thursday(a, "am")) {
        entry.date = "2026-03-06".parse().unwrap();
    }
    next.assignments.retain(|a| !thursday(a, "pm"));
    next
}

#[test]
fn one_event_per_activity_with_the_session_clock_in_shanghai_time() {
    let (instance, roster) = example();
    let view = View::Specialist("liu-jun".into());
    let text = calendar(&instance, &view, &roster, &[], &options(&instance)).unwrap();
    let events = parsed(&text);
    let activities = roster
        .assignments
        .iter()
        .filter(|a| a.specialist == "liu-jun")
        .count()
        + roster
            .presence
            .iter()
            .filter(|p| p.specialist == "liu-jun")
            .count();
    assert_eq!(events.len(), activities);
    assert!(text.contains("DTSTART;TZID=Asia/Shanghai:20260303T080000\r\n"));
    assert!(text.contains("DTEND;TZID=Asia/Shanghai:20260303T120000\r\n"));
    assert!(text.contains("DTSTART;VALUE=DATE:20260303\r\nDTEND;VALUE=DATE:20260304\r\n"));
    assert!(text.contains("DTSTAMP:20260301T090000Z\r\n"));
    assert!(text.contains("TZOFFSETTO:+0800\r\n"));
    assert!(text.contains("UID:specialist/liu-jun/clinic/2026-03-03/am@example-week.houniao\r\n"));
    assert!(
        events
            .iter()
            .all(|(_, seq, status, _)| *seq == 0 && status == "CONFIRMED")
    );
    assert!(
        !text.replace("\r\n", "").contains('\n'),
        "every line ends in CRLF"
    );
}

#[test]
fn uids_are_the_same_in_two_exports_of_one_roster() {
    let (instance, roster) = example();
    for view in [
        View::Specialist("xi-xiaowei".into()),
        View::Site("ningde".into()),
        View::Board("breast-mdt".into()),
    ] {
        let uids = |_| {
            parsed(&calendar(&instance, &view, &roster, &[], &options(&instance)).unwrap())
                .into_iter()
                .map(|e| e.0)
                .collect::<Vec<_>>()
        };
        let first = uids(());
        assert!(!first.is_empty());
        assert_eq!(first, uids(()));
        let unique: std::collections::BTreeSet<_> = first.iter().collect();
        assert_eq!(unique.len(), first.len(), "{view:?}");
    }
}

#[test]
fn a_republication_bumps_the_moved_event_and_cancels_the_removed_one() {
    let (instance, roster) = example();
    let next = republished(&roster);
    let view = View::Specialist("liu-jun".into());
    let before = parsed(&calendar(&instance, &view, &roster, &[], &options(&instance)).unwrap());
    let after = parsed(
        &calendar(
            &instance,
            &view,
            &next,
            std::slice::from_ref(&roster),
            &options(&instance),
        )
        .unwrap(),
    );
    assert_eq!(
        before.len(),
        after.len(),
        "the removed event stays, cancelled"
    );
    let moved_uid = "specialist/liu-jun/clinic/2026-03-05/am@example-week.houniao";
    let removed_uid = "specialist/liu-jun/clinic/2026-03-05/pm@example-week.houniao";
    for (uid, sequence, status, start) in &after {
        let old = before.iter().find(|e| &e.0 == uid).expect("same UIDs");
        if uid == moved_uid {
            assert_eq!((*sequence, status.as_str()), (1, "CONFIRMED"));
            assert_eq!(start, "20260306T080000");
        } else if uid == removed_uid {
            assert_eq!((*sequence, status.as_str()), (1, "CANCELLED"));
        } else {
            assert_eq!(
                old,
                &(uid.clone(), *sequence, status.clone(), start.clone())
            );
        }
    }
    // A third publication equal to the second changes nothing more.
    let again = parsed(
        &calendar(
            &instance,
            &view,
            &next,
            &[roster.clone(), next.clone()],
            &options(&instance),
        )
        .unwrap(),
    );
    assert_eq!(again, after);
}

#[test]
fn a_removed_entry_that_comes_back_is_revived_under_its_uid() {
    let (instance, roster) = example();
    let view = View::Specialist("liu-jun".into());
    let next = republished(&roster);
    let events = events(&instance, &view, &roster, &[roster.clone(), next], "d").unwrap();
    let back = events
        .iter()
        .find(|e| e.uid == "specialist/liu-jun/clinic/2026-03-05/pm@d")
        .unwrap();
    assert_eq!((back.sequence, back.cancelled), (2, false));
    // The clinic moved to Friday came back to Thursday: its own UID, one more change.
    let moved = events
        .iter()
        .find(|e| e.uid == "specialist/liu-jun/clinic/2026-03-05/am@d")
        .unwrap();
    assert_eq!(
        (moved.sequence, moved.item.date.to_string().as_str()),
        (2, "2026-03-05")
    );
    assert_eq!(events.iter().filter(|e| e.cancelled).count(), 0);
}

#[test]
fn long_chinese_descriptions_fold_at_75_octets_and_parse_back() {
    let (mut instance, roster) = example();
    instance.mdt_boards[0].name =
        "乳腺癌多学科诊疗团队（宁德市医院，每周三下午；含病理、影像）".into();
    for specialist in &mut instance.specialists {
        specialist.name = format!("{}（上海市第一人民医院，驻点专家）", specialist.id);
    }
    let mut options = options(&instance);
    options.language = Language::of(&instance);
    assert_eq!(options.language, Language::Chinese);
    let view = View::Board("breast-mdt".into());
    let text = calendar(&instance, &view, &roster, &[], &options).unwrap();
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    for line in text.split_terminator("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line}", line.len());
        assert!(!line.contains('\n') && !line.contains('\r'));
    }
    assert!(text.contains("\r\n "), "something was folded");
    let mut calendars = ical::IcalParser::new(text.as_bytes());
    let calendar = calendars.next().unwrap().unwrap();
    let event = &calendar.events[0];
    let value = |name: &str| {
        event
            .properties
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.clone())
            .unwrap()
    };
    assert_eq!(
        value("SUMMARY"),
        escape("MDT: 乳腺癌多学科诊疗团队（宁德市医院，每周三下午；含病理、影像）")
    );
    let description = value("DESCRIPTION");
    assert!(
        description.contains("成员: liu-jun（上海市第一人民医院，驻点专家） (medical-oncology)\\n")
    );
}

#[test]
fn a_remote_seat_says_by_video_and_where_the_meeting_sits() {
    let (instance, mut roster) = example();
    for entry in roster.assignments.iter_mut() {
        if entry.specialist == "zhao-path" && entry.activity == Activity::Mdt {
            entry.remote = Some(true);
            entry.site = None;
            entry.room = None;
        }
    }
    let view = View::Specialist("zhao-path".into());
    let text = calendar(&instance, &view, &roster, &[], &options(&instance)).unwrap();
    assert!(
        text.contains("SUMMARY;LANGUAGE=en:MDT: Breast cancer MDT (by video)\r\n"),
        "{text}"
    );
    assert!(text.contains("LOCATION;LANGUAGE=en:Video\r\n"));
    let unfolded = text.replace("\r\n ", "");
    assert!(
        unfolded.contains("Meeting room: mdt-1\\, Ningde Municipal Hospital"),
        "{unfolded}"
    );
}
