//! `houniao calendar`, `houniao export` and `houniao diff` run as a user would: the
//! feed read back by the `ical` crate, the workbook by `calamine`.

mod common;

use std::collections::BTreeMap;

use calamine::Reader;
use common::{houniao, root, text};

const EXAMPLE: &str = "instances/example-week.toml";
const ROSTER: &str = "solver/tests/data/roster.example.json";
/// `houniao repair` of the example with Xi Xiaowei away on Tuesday.
const REPAIRED: &str = "solver/tests/data/roster.example-xi-away.json";

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// (UID, SEQUENCE, STATUS) of every event.
fn events(ics: &str) -> Vec<(String, String, String)> {
    let calendar = ical::IcalParser::new(ics.as_bytes())
        .next()
        .expect("a calendar")
        .expect("parses");
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
            (value("UID"), value("SEQUENCE"), value("STATUS"))
        })
        .collect()
}

#[test]
fn a_specialist_calendar_has_one_event_per_activity_and_updates_across_publications() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("xi.ics");
    let args = [
        "calendar",
        EXAMPLE,
        ROSTER,
        "--specialist",
        "xi-xiaowei",
        "--stamp",
        "2026-03-01T09:00:00Z",
        "-o",
        file.to_str().expect("utf-8"),
    ];
    let output = houniao(&args);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let first = std::fs::read_to_string(&file).expect("written");
    // Two days on site (Jiaocheng, Ningde), the studio session, the surgery list.
    let before = events(&first);
    assert_eq!(before.len(), 4, "{first}");
    // Unfolded, the studio's summary names her apprentice.
    assert!(first.replace("\r\n ", "").contains(
        "SUMMARY;LANGUAGE=en:Studio: Xi Xiaowei Gynecology Studio · apprentice Chen (community GP)\r\n"
    ));

    let output = houniao(&[
        "calendar",
        EXAMPLE,
        REPAIRED,
        "--previous",
        ROSTER,
        "--specialist",
        "xi-xiaowei",
        "--stamp",
        "2026-03-02T09:00:00Z",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let after = events(&stdout(&output));
    // Every event of the first publication is still there under its UID, changed.
    for (uid, _, _) in &before {
        let (_, sequence, _) = after.iter().find(|e| &e.0 == uid).expect("same UID");
        assert_eq!(sequence, "1", "{uid}");
    }
    assert!(
        after
            .iter()
            .all(|(_, _, status)| status == "CONFIRMED" || status == "CANCELLED")
    );
}

#[test]
fn an_unknown_id_is_an_error_with_a_suggestion() {
    let output = houniao(&["calendar", EXAMPLE, ROSTER, "--board", "breast"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("unknown board \"breast\" (did you mean \"breast-mdt\"?)"),
        "{}",
        text(&output)
    );
    let output = houniao(&["calendar", EXAMPLE, ROSTER]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "one view is required: {}",
        text(&output)
    );
}

#[test]
fn the_workbook_opens_with_calamine_and_lists_every_entry_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("rota.xlsx");
    let output = houniao(&[
        "export",
        EXAMPLE,
        ROSTER,
        "--format",
        "xlsx",
        "-o",
        file.to_str().expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&file).expect("opens");
    assert_eq!(
        book.sheet_names(),
        ["ningde", "jiaocheng", "mdt", "surgeries", "bookings"]
    );
    let roster = houniao::Roster::from_path(&root().join(ROSTER)).expect("roster");
    let column = |book: &mut calamine::Xlsx<_>, sheet: &str, c: u32| -> Vec<String> {
        let range = book.worksheet_range(sheet).expect("sheet");
        (1..range.height() as u32)
            .map(|r| {
                range
                    .get_value((r, c))
                    .map(|v| v.to_string())
                    .unwrap_or_default()
            })
            .collect()
    };
    let mut requests = column(&mut book, "bookings", 6);
    requests.sort();
    assert_eq!(requests, ["r-001", "r-002", "r-003"]);
    assert_eq!(column(&mut book, "surgeries", 5), ["s-001", "s-002"]);
    assert_eq!(column(&mut book, "mdt", 7).len(), 4, "four seats");
    // The rotas: each assignment's person in one cell of its slot's column.
    let mut cells: BTreeMap<String, usize> = BTreeMap::new();
    for sheet in ["ningde", "jiaocheng"] {
        let range = book.worksheet_range(sheet).expect("sheet");
        for r in 1..range.height() as u32 {
            for c in 1..range.width() as u32 {
                let cell = range
                    .get_value((r, c))
                    .map(|v| v.to_string())
                    .unwrap_or_default();
                let header = range.get_value((0, c)).expect("header").to_string();
                for line in cell.lines().filter(|l| l.contains(" · ")) {
                    let name = line.split(" · ").next().expect("name");
                    *cells.entry(format!("{header} {name}")).or_default() += 1;
                }
            }
        }
    }
    let with_surgeries: usize = cells.values().sum();
    // One line per clinic, studio place and MDT seat; one per surgery for surgeons.
    let expected = roster
        .assignments
        .iter()
        .filter(|a| a.activity != houniao::roster::Activity::Surgery)
        .count()
        + roster.surgeries.len();
    assert_eq!(with_surgeries, expected, "{cells:?}");
    assert!(cells.values().all(|n| *n == 1), "{cells:?}");
}

#[test]
fn csv_gives_one_sheet_or_one_file_per_sheet() {
    let output = houniao(&[
        "export", EXAMPLE, ROSTER, "--format", "csv", "--sheet", "bookings",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let csv = stdout(&output);
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert!(
        csv.starts_with("Date,Session,Time,Site,Room,Specialist,Request,Patient,Substitute\r\n")
    );
    assert!(csv.contains(",r-003,P-2233,"));
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("rota.csv");
    let output = houniao(&[
        "export",
        EXAMPLE,
        ROSTER,
        "--format",
        "csv",
        "-o",
        file.to_str().expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(dir.path().join("rota.ningde.csv").exists());
    assert!(dir.path().join("rota.bookings.csv").exists());
    let output = houniao(&[
        "export", EXAMPLE, ROSTER, "--format", "csv", "--sheet", "nope",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
}

#[test]
fn diff_of_the_repair_names_xi_xiaowei_her_apprentice_and_patient_r_003() {
    let output = houniao(&["diff", EXAMPLE, ROSTER, REPAIRED, "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let diff: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let who: Vec<&str> = diff["specialists"]
        .as_array()
        .expect("specialists")
        .iter()
        .map(|s| s["specialist"].as_str().expect("id"))
        .collect();
    assert_eq!(who, ["xi-xiaowei", "chen-gp"]);
    let patients: Vec<&str> = diff["patients"]
        .as_array()
        .expect("patients")
        .iter()
        .map(|p| p["request"].as_str().expect("id"))
        .collect();
    assert_eq!(patients, ["r-003"]);
    assert_eq!(diff["patients"][0]["patient"], "P-2233");

    let output = houniao(&["diff", EXAMPLE, ROSTER, REPAIRED]);
    let text_out = stdout(&output);
    assert!(text_out.contains("Xi Xiaowei (xi-xiaowei)\n"), "{text_out}");
    assert!(text_out.contains("  moved    studio xi-studio: 2026-03-03 am jc-1@jiaocheng → "));
    assert!(
        text_out
            .contains("patients to call\n  r-003 P-2233: xi-xiaowei@2026-03-03:am at jiaocheng → ")
    );
    assert!(!text_out.contains("liu-jun"), "{text_out}");

    let output = houniao(&["diff", EXAMPLE, ROSTER, ROSTER]);
    assert_eq!(stdout(&output), "no changes\n");
    let output = houniao(&["diff", EXAMPLE, ROSTER, REPAIRED, "--specialist", "chen"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(stdout(&output).contains("did you mean \"chen-gp\"?"));
}
