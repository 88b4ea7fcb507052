//! Pins, partial pins and forbids (docs/format.md § Pins) on the worked example and on
//! Ningde: each kind changes the roster as asked and the roster passes `check`; pins
//! that cannot hold are named with the rules they break; the checker's rule 11.

use std::sync::atomic::AtomicBool;

use houniao::Instance;
use houniao::check::{Rule, check};
use houniao::roster::Roster;
use houniao::solve::{SolveError, SolveOptions, SolveReport, solve};

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A shipped instance with `pins` (TOML `[[pins]]` entries) appended.
fn pinned(name: &str, pins: &str) -> Result<Instance, houniao::InstanceError> {
    let text = std::fs::read_to_string(root().join("instances").join(name)).unwrap();
    Instance::from_toml_str(&format!("{text}\n{pins}\n"))
}

fn solved(instance: &Instance) -> Result<SolveReport, SolveError> {
    let options = SolveOptions {
        time_limit: 60.0,
        threads: 1,
        ..SolveOptions::default()
    };
    solve(instance, options, &mut |_| {}, &AtomicBool::new(false))
}

/// Solves, asserts the roster passes `check` (rule 11 included), returns it.
fn valid_roster(instance: &Instance) -> Roster {
    let report = solved(instance).unwrap_or_else(|e| panic!("no roster: {e}"));
    let checked = check(instance, &report.roster);
    assert!(
        checked.passed(),
        "{:?} {:?}",
        checked.violations,
        checked.discrepancies
    );
    report.roster
}

fn conflict(instance: &Instance) -> houniao::pins::conflicts::PinConflict {
    match solved(instance) {
        Err(SolveError::PinConflict(conflict)) => conflict,
        other => panic!(
            "expected a pin conflict, got {:?}",
            other.map(|r| r.roster.objective)
        ),
    }
}

const EXAMPLE_OPTIMUM: f64 = 60.0;

#[test]
fn the_mdt_meeting_moves_to_thursday_afternoon_whoever_sits() {
    let instance = pinned(
        "example-week.toml",
        r#"[[pins]]
note = "the pathologist dials in on Thursdays"
activity = "mdt"
board = "breast-mdt"
date = "2026-03-05"
session = "pm""#,
    )
    .unwrap();
    let roster = valid_roster(&instance);
    let meeting: Vec<_> = roster
        .assignments
        .iter()
        .filter(|a| a.board.as_deref() == Some("breast-mdt"))
        .collect();
    assert_eq!(meeting.len(), 4, "one place per required discipline");
    assert!(
        meeting
            .iter()
            .all(|a| a.date.to_string() == "2026-03-05" && a.session == "pm")
    );
    assert!(roster.objective >= EXAMPLE_OPTIMUM);
}

#[test]
fn a_full_pin_appears_exactly() {
    let instance = pinned(
        "example-week.toml",
        r#"[[pins]]
id = "director"
specialist = "liu-jun"
date = "2026-03-03"
session = "pm"
activity = "clinic"
room = "c-onc"
discipline = "medical-oncology""#,
    )
    .unwrap();
    let roster = valid_roster(&instance);
    let entry = roster
        .assignments
        .iter()
        .find(|a| {
            a.specialist == "liu-jun" && a.date.to_string() == "2026-03-03" && a.session == "pm"
        })
        .expect("the pinned slot is used");
    assert_eq!(entry.activity, houniao::roster::Activity::Clinic);
    assert_eq!(entry.room.as_deref(), Some("c-onc"));
    assert_eq!(entry.site.as_deref(), Some("ningde"));
    // Liu Jun was the MDT's oncologist on Tuesday afternoon: the meeting moved.
    assert!(roster.objective >= EXAMPLE_OPTIMUM);
}

#[test]
fn a_person_and_day_pin_leaves_slot_room_and_activity_free() {
    let instance = pinned(
        "example-week.toml",
        r#"[[pins]]
specialist = "xi-xiaowei"
date = "2026-03-04""#,
    )
    .unwrap();
    let roster = valid_roster(&instance);
    assert!(
        roster
            .assignments
            .iter()
            .any(|a| a.specialist == "xi-xiaowei" && a.date.to_string() == "2026-03-04")
    );
    assert!(roster.objective >= EXAMPLE_OPTIMUM);
}

#[test]
fn a_forbidden_theatre_day_is_unused() {
    let instance = pinned(
        "example-week.toml",
        r#"[[pins]]
note = "theatre 2 is cleaned"
forbid = true
room = "or-2"
date = "2026-03-02""#,
    )
    .unwrap();
    let roster = valid_roster(&instance);
    assert!(
        !roster
            .surgeries
            .iter()
            .any(|s| s.room == "or-2" && s.date.to_string() == "2026-03-02")
    );
    // s-001 was done on Monday in or-2 in the unpinned optimum.
    assert!(roster.surgeries.iter().any(|s| s.surgery == "s-001"));
    assert!(roster.objective >= EXAMPLE_OPTIMUM);
}

#[test]
fn a_promised_patient_is_booked_as_promised() {
    let instance = pinned(
        "example-week.toml",
        r#"[[pins]]
request = "r-003"
specialist = "xi-xiaowei"
date = "2026-03-04"
session = "am""#,
    )
    .unwrap();
    let roster = valid_roster(&instance);
    let booking = roster
        .bookings
        .iter()
        .find(|b| b.request == "r-003")
        .expect("booked");
    assert_eq!(
        (
            booking.specialist.as_str(),
            booking.date.to_string(),
            booking.session.as_str()
        ),
        ("xi-xiaowei", "2026-03-04".to_string(), "am")
    );
    assert!(roster.objective >= EXAMPLE_OPTIMUM);
}

#[test]
fn a_forbidden_person_day_stays_free() {
    // Liu Jun's residency keeps him on site on Wednesday: he sits idle there.
    let instance = pinned(
        "example-week.toml",
        r#"[[pins]]
forbid = true
specialist = "liu-jun"
date = "2026-03-04""#,
    )
    .unwrap();
    let roster = valid_roster(&instance);
    assert!(
        !roster
            .assignments
            .iter()
            .any(|a| a.specialist == "liu-jun" && a.date.to_string() == "2026-03-04")
    );
    assert!(roster.objective >= EXAMPLE_OPTIMUM);
}

#[test]
fn an_unavailable_specialist_is_named() {
    let instance = pinned(
        "example-week.toml",
        r#"[[pins]]
specialist = "xi-xiaowei"
date = "2026-03-02""#,
    )
    .unwrap();
    let conflict = conflict(&instance);
    assert_eq!(conflict.pins.len(), 1);
    assert_eq!(conflict.pins[0].id, "0");
    let text = conflict.to_string();
    assert!(
        text.contains("xi-xiaowei") && text.contains("unavailable"),
        "{text}"
    );
}

#[test]
fn two_pins_in_one_slot_are_named_with_rule_one() {
    let instance = pinned(
        "example-week.toml",
        r#"[[pins]]
specialist = "liu-jun"
date = "2026-03-05"
session = "pm"
activity = "clinic"
[[pins]]
specialist = "wang-rad"
date = "2026-03-02"
[[pins]]
board = "breast-mdt"
specialist = "liu-jun"
date = "2026-03-05"
session = "pm""#,
    )
    .unwrap();
    let conflict = conflict(&instance);
    let ids: Vec<&str> = conflict.pins.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["0", "2"], "{conflict}");
    assert!(
        conflict.rules.contains(&Rule::OneThingAtATime),
        "{conflict}"
    );
    assert!(
        conflict.to_string().contains("two activities at once"),
        "{conflict}"
    );
}

#[test]
fn a_pin_against_a_fixed_residency_day_is_named_with_rule_four() {
    // Liu Jun's residency is Tue–Thu at Ningde, his only site: no Monday there.
    let instance = pinned(
        "example-week.toml",
        r#"[[pins]]
specialist = "liu-jun"
date = "2026-03-02""#,
    )
    .unwrap();
    let conflict = conflict(&instance);
    assert_eq!(conflict.pins.len(), 1, "{conflict}");
    assert!(conflict.rules.contains(&Rule::Presence), "{conflict}");
    assert!(conflict.to_string().contains("residenc"), "{conflict}");
}

#[test]
fn a_forbid_of_the_only_qualified_surgeon_is_named() {
    let instance = pinned(
        "example-week.toml",
        r#"[[pins]]
surgery = "s-001"
[[pins]]
specialist = "wang-rad"
date = "2026-03-03"
[[pins]]
forbid = true
surgeon = "liu-jun-breast""#,
    )
    .unwrap();
    let conflict = conflict(&instance);
    let ids: Vec<&str> = conflict.pins.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["0", "2"], "{conflict}");
    assert!(conflict.to_string().contains("only by"), "{conflict}");
}

#[test]
fn the_checker_reports_a_missing_pin_and_a_matched_forbid() {
    let unpinned = Instance::from_path(&root().join("instances/example-week.toml")).unwrap();
    let roster = valid_roster(&unpinned);
    let instance = pinned(
        "example-week.toml",
        r#"[[pins]]
id = "thursday-mdt"
board = "breast-mdt"
date = "2026-03-05"
[[pins]]
id = "no-monday-surgery"
forbid = true
room = "or-2"
date = "2026-03-02""#,
    )
    .unwrap();
    let report = check(&instance, &roster);
    let pins: Vec<&str> = report
        .violations
        .iter()
        .filter(|v| v.rule == Rule::Pin)
        .map(|v| v.message.as_str())
        .collect();
    assert_eq!(pins.len(), 2, "{pins:?}");
    assert!(pins[0].contains("\"thursday-mdt\"") && pins[0].contains("no matching entry"));
    assert!(pins[1].contains("\"no-monday-surgery\"") && pins[1].contains("matched by 1 entry"));
}

#[test]
fn validation_names_impossible_combinations_by_field_path() {
    let error = pinned(
        "example-week.toml",
        r#"[[pins]]
board = "breast-mdt"
activity = "clinic"
[[pins]]
specialist = "liu-jnu"
[[pins]]
surgery = "s-001"
specialist = "liu-jun-breast"
[[pins]]
room = "mdt-1"
activity = "clinic"
[[pins]]
id = "dup"
date = "2026-03-03"
[[pins]]
id = "dup"
date = "2026-03-07""#,
    )
    .unwrap_err();
    let text: String = error
        .diagnostics()
        .iter()
        .map(|d| format!("{d}\n"))
        .collect();
    for expected in [
        "pins[0].board",
        "pins[1].specialist: unknown specialist \"liu-jnu\" (did you mean \"liu-jun\"?)",
        "pins[2].specialist",
        "use `surgeon`",
        "pins[3].room",
        "pins[5].id: duplicate pin id \"dup\"",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn every_kind_of_pin_at_once_on_ningde() {
    let instance = pinned(
        "ningde-regional.toml",
        r#"[[pins]]
id = "breast-thursday"
activity = "mdt"
board = "breast-mdt"
date = "2026-03-05"
session = "pm"
[[pins]]
id = "zhou-wednesday"
specialist = "zhou-min"
date = "2026-03-04"
session = "am"
activity = "clinic"
room = "c-onc-2"
[[pins]]
id = "or-2-cleaned"
forbid = true
room = "or-2"
date = "2026-03-04"
[[pins]]
id = "promised"
request = "r-03"
specialist = "zhou-min"
date = "2026-03-05"
session = "am"
[[pins]]
id = "lin-friday"
specialist = "lin-jie"
date = "2026-03-06"
[[pins]]
id = "he-thursday-morning-free"
forbid = true
specialist = "he-jing"
date = "2026-03-05"
session = "am""#,
    )
    .unwrap();
    let roster = valid_roster(&instance);
    let on = |a: &houniao::roster::Assignment, date: &str, session: &str| {
        a.date.to_string() == date && a.session == session
    };
    let breast: Vec<_> = roster
        .assignments
        .iter()
        .filter(|a| a.board.as_deref() == Some("breast-mdt"))
        .collect();
    assert!(!breast.is_empty() && breast.iter().all(|a| on(a, "2026-03-05", "pm")));
    assert!(roster.assignments.iter().any(|a| a.specialist == "zhou-min"
        && on(a, "2026-03-04", "am")
        && a.room.as_deref() == Some("c-onc-2")));
    assert!(
        !roster
            .surgeries
            .iter()
            .any(|s| s.room == "or-2" && s.date.to_string() == "2026-03-04")
    );
    assert!(roster.bookings.iter().any(|b| b.request == "r-03"
        && b.specialist == "zhou-min"
        && b.date.to_string() == "2026-03-05"
        && b.session == "am"));
    assert!(
        roster
            .assignments
            .iter()
            .any(|a| a.specialist == "lin-jie" && a.date.to_string() == "2026-03-06")
    );
    assert!(
        !roster
            .assignments
            .iter()
            .any(|a| a.specialist == "he-jing" && on(a, "2026-03-05", "am"))
    );
    let unpinned =
        Roster::from_path(&root().join("instances/rosters/ningde-regional.roster.json")).unwrap();
    assert!(roster.objective >= unpinned.objective - 1e-6);
}
