//! Pins through the real binary: `validate` and `summary` show them, `solve` honours
//! them and `check` verifies them (rule 11), conflicting pins are named (text and
//! JSON), `repair --freeze-until` keeps the past.

mod common;

use common::{houniao, root, text};

const EXAMPLE: &str = "instances/example-week.toml";

/// The example with `pins` appended, written to `dir`.
fn pinned(dir: &tempfile::TempDir, name: &str, pins: &str) -> String {
    let base = std::fs::read_to_string(root().join(EXAMPLE)).expect("example");
    let path = dir.path().join(name);
    std::fs::write(&path, format!("{base}\n{pins}\n")).expect("write");
    path.to_str().expect("utf-8").to_string()
}

const THURSDAY_MDT: &str = r#"[[pins]]
id = "thursday-mdt"
note = "the pathologist dials in on Thursdays"
board = "breast-mdt"
date = "2026-03-05"
session = "pm""#;

#[test]
fn a_pinned_solve_meets_its_pins_and_the_unpinned_roster_breaks_rule_11() {
    let dir = tempfile::tempdir().expect("tempdir");
    let instance = pinned(&dir, "pinned.toml", THURSDAY_MDT);
    let summary = houniao(&["summary", &instance]);
    assert_eq!(summary.status.code(), Some(0), "{}", text(&summary));
    assert!(
        String::from_utf8_lossy(&summary.stdout).contains("1 to keep, 0 forbidden"),
        "{}",
        text(&summary)
    );
    let roster = dir.path().join("roster.json");
    let solved = houniao(&["solve", &instance, "-o", roster.to_str().expect("utf-8")]);
    assert_eq!(solved.status.code(), Some(0), "{}", text(&solved));
    let checked = houniao(&["check", &instance, roster.to_str().expect("utf-8")]);
    assert_eq!(checked.status.code(), Some(0), "{}", text(&checked));
    // The worked example's optimal roster holds the meeting on Tuesday.
    let unpinned = houniao(&["check", &instance, "solver/tests/data/roster.example.json"]);
    assert_eq!(unpinned.status.code(), Some(1), "{}", text(&unpinned));
    let out = String::from_utf8_lossy(&unpinned.stdout);
    assert!(out.contains("rule 11 (pins)"), "{}", text(&unpinned));
    assert!(out.contains("\"thursday-mdt\""), "{}", text(&unpinned));
    assert!(out.contains("pathologist"), "{}", text(&unpinned));
}

#[test]
fn an_impossible_pin_combination_is_rejected_with_its_field_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let instance = pinned(
        &dir,
        "bad.toml",
        "[[pins]]\nactivity = \"clinic\"\nboard = \"breast-mdt\"\n",
    );
    let output = houniao(&["validate", &instance]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("pins[0].board"),
        "{}",
        text(&output)
    );
}

#[test]
fn conflicting_pins_are_named_in_text_and_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let instance = pinned(
        &dir,
        "conflict.toml",
        r#"[[pins]]
specialist = "liu-jun"
date = "2026-03-05"
session = "pm"
activity = "clinic"
[[pins]]
board = "breast-mdt"
specialist = "liu-jun"
date = "2026-03-05"
session = "pm""#,
    );
    let output = houniao(&["solve", &instance, "--time-limit", "20"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(
        out.contains("pins 0 and 1 cannot both hold"),
        "{}",
        text(&output)
    );
    assert!(
        out.contains("rule 1 (one thing at a time)"),
        "{}",
        text(&output)
    );
    let json = houniao(&["solve", &instance, "--time-limit", "20", "--format", "json"]);
    assert_eq!(json.status.code(), Some(1), "{}", text(&json));
    let answer: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(answer["error"], "pin_conflict");
    let ids: Vec<&str> = answer["conflict"]["pins"]
        .as_array()
        .expect("pins")
        .iter()
        .map(|p| p["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, ["0", "1"]);
    assert_eq!(answer["conflict"]["rules"][0], "one_thing_at_a_time");
}

#[test]
fn repair_freeze_until_keeps_the_published_past() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repaired = dir.path().join("repaired.json");
    let output = houniao(&[
        "repair",
        EXAMPLE,
        "solver/tests/data/roster.example.json",
        "--change",
        "instances/scenarios/example-xi-away-tuesday.toml",
        "--freeze-until",
        "2026-03-03",
        "--keep-assignment",
        "0",
        "-o",
        repaired.to_str().expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let read = |path: &std::path::Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(path).expect("roster")).expect("JSON")
    };
    let before = read(&root().join("solver/tests/data/roster.example.json"));
    let after = read(&repaired);
    for list in ["presence", "assignments", "surgeries", "bookings"] {
        let monday = |roster: &serde_json::Value| -> Vec<String> {
            roster[list]
                .as_array()
                .expect("list")
                .iter()
                .filter(|e| e["date"] == "2026-03-02")
                .map(|e| e.to_string())
                .collect()
        };
        assert_eq!(monday(&after), monday(&before), "{list}");
    }
    let bad = houniao(&[
        "repair",
        EXAMPLE,
        "solver/tests/data/roster.example.json",
        "--change",
        "instances/scenarios/example-xi-away-tuesday.toml",
        "--freeze-until",
        "2027-01-01",
    ]);
    assert_eq!(bad.status.code(), Some(1), "{}", text(&bad));
    assert!(
        String::from_utf8_lossy(&bad.stdout).contains("outside the horizon"),
        "{}",
        text(&bad)
    );
}
