//! Calendars and rotas of every shipped roster: each specialist's feed parses (the
//! `ical` crate) with one event per assignment and day on site, and the rotas and lists
//! of the workbook hold every entry exactly once.

use std::collections::BTreeMap;

use chrono::TimeZone;
use houniao::agenda::{Language, View};
use houniao::export::{SheetKind, workbook};
use houniao::ical::{CalendarOptions, calendar};
use houniao::roster::Activity;
use houniao::{Instance, Roster};

fn shipped() -> Vec<(String, Instance, Roster)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    [
        "beilun-oncology",
        "fenghua-county",
        "ningde-regional",
        "yangpu-studios",
        "xuhui-screening",
    ]
    .iter()
    .map(|name| {
        let instance =
            Instance::from_path(&root.join(format!("instances/{name}.toml"))).expect("instance");
        let roster = Roster::from_path(&root.join(format!("instances/rosters/{name}.roster.json")))
            .expect("roster");
        (name.to_string(), instance, roster)
    })
    .collect()
}

#[test]
fn every_specialist_feed_has_one_event_per_activity() {
    for (name, instance, roster) in shipped() {
        let stamp = chrono::Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        let options = CalendarOptions::for_instance(&instance, stamp);
        for specialist in &instance.specialists {
            let view = View::Specialist(specialist.id.clone());
            let text = calendar(&instance, &view, &roster, &[], &options).expect("a calendar");
            let parsed = ical::IcalParser::new(text.as_bytes())
                .next()
                .expect("one calendar")
                .expect("parses");
            let expected = roster
                .assignments
                .iter()
                .filter(|a| a.specialist == specialist.id)
                .count()
                + roster
                    .presence
                    .iter()
                    .filter(|p| p.specialist == specialist.id)
                    .count();
            assert_eq!(parsed.events.len(), expected, "{name} {}", specialist.id);
            assert!(text.split_terminator("\r\n").all(|line| line.len() <= 75));
        }
    }
}

#[test]
fn every_entry_is_once_in_the_rotas_and_lists() {
    for (name, instance, roster) in shipped() {
        let book = workbook(&instance, &roster, Language::English).expect("a workbook");
        // Rota lines per (column header, person): one per clinic, studio place and MDT
        // seat, one per surgery for its surgeon.
        let mut lines: BTreeMap<(String, String), usize> = BTreeMap::new();
        for sheet in book.sheets.iter().filter(|s| s.kind == SheetKind::Grid) {
            for row in &sheet.rows[1..] {
                for (c, cell) in row.iter().enumerate().skip(1) {
                    for line in cell.lines().filter(|l| l.contains(" · ")) {
                        let who = line.split(" · ").next().expect("a name").to_string();
                        *lines.entry((sheet.rows[0][c].clone(), who)).or_default() += 1;
                    }
                }
            }
        }
        let name_of = |id: &str| {
            instance
                .specialists
                .iter()
                .find(|s| s.id == id)
                .map(|s| s.name.clone())
                .expect("known")
        };
        let column = |date: chrono::NaiveDate, session: &str| {
            let header = &book.sheets[0].rows[0];
            header
                .iter()
                .find(|h| h.ends_with(&format!("{date} {session}")))
                .cloned()
                .expect("a column")
        };
        let mut expected: BTreeMap<(String, String), usize> = BTreeMap::new();
        for a in roster
            .assignments
            .iter()
            .filter(|a| a.activity != Activity::Surgery)
        {
            *expected
                .entry((column(a.date, &a.session), name_of(&a.specialist)))
                .or_default() += 1;
        }
        for s in &roster.surgeries {
            *expected
                .entry((column(s.date, &s.session), name_of(&s.surgeon)))
                .or_default() += 1;
        }
        assert_eq!(lines, expected, "{name}");
        let rows = |sheet: &str| book.sheet(sheet).expect(sheet).rows.len() - 1;
        let seats = roster
            .assignments
            .iter()
            .filter(|a| a.activity == Activity::Mdt)
            .count();
        assert_eq!(rows("mdt"), seats, "{name}");
        assert_eq!(rows("surgeries"), roster.surgeries.len(), "{name}");
        assert_eq!(rows("bookings"), roster.bookings.len(), "{name}");
    }
}
