//! The real `houniao` binary, run as a user would: exit codes, messages, formats.

mod common;

use std::process::Output;

use common::{houniao, root, text};

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

const EXAMPLE: &str = "instances/example-week.toml";
const ROSTER: &str = "solver/tests/data/roster.example.json";

#[test]
fn every_shipped_instance_validates() {
    let mut args = vec!["validate"];
    let files: Vec<String> = std::fs::read_dir(root().join("instances"))
        .expect("instances/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| {
            p.strip_prefix(root())
                .expect("inside")
                .display()
                .to_string()
        })
        .collect();
    assert!(
        files.len() >= 5,
        "expected the five seed instances, found {files:?}"
    );
    args.extend(files.iter().map(String::as_str));
    let output = houniao(&args);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(
        stdout(&output).matches(": valid (").count(),
        files.len(),
        "{}",
        text(&output)
    );
}

#[test]
fn a_broken_instance_lists_all_its_errors_with_paths_and_exits_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broken = std::fs::read_to_string(root().join(EXAMPLE))
        .expect("example")
        .replacen(
            "sites = [\"ningde\", \"jiaocheng\"]",
            "sites = [\"ningdee\", \"jiaocheng\"]",
            1,
        )
        .replacen("grade = 3", "grade = 7", 1)
        .replacen("priority = 2", "priority = 0", 1)
        .replacen("day_cost = 1200", "day_cots = 1200", 1);
    let path = dir.path().join("broken.toml");
    std::fs::write(&path, broken).expect("write");
    let output = houniao(&["validate", path.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let out = stdout(&output);
    for expected in [
        "invalid, 4 error(s)",
        "specialists[2].sites[0]: unknown site \"ningdee\" (did you mean \"ningde\"?)",
        "surgeries[1].grade: 7 is out of range (must be 1 to 4)",
        "requests[0].priority: 0 is out of range (must be 1 to 5)",
        "specialists[2].day_cots: unknown field \"day_cots\" (did you mean \"day_cost\"?)",
    ] {
        assert!(
            out.contains(expected),
            "missing {expected:?} in\n{}",
            text(&output)
        );
    }
}

#[test]
fn a_syntax_error_gives_line_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, "name = \"x\"\n\n[horizon\nstart = \"2026-03-02\"\n").expect("write");
    let output = houniao(&["validate", path.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        stdout(&output).contains("line 3, column 9: TOML error"),
        "{}",
        text(&output)
    );
}

#[test]
fn json_instances_validate_like_toml_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let toml_text = std::fs::read_to_string(root().join(EXAMPLE)).expect("example");
    let value: serde_json::Value = toml::from_str(&toml_text).expect("toml");
    let path = dir.path().join("example.json");
    std::fs::write(&path, serde_json::to_string_pretty(&value).expect("json")).expect("write");
    let output = houniao(&[
        "validate",
        path.to_str().expect("utf-8"),
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    assert_eq!(report[0]["status"], "valid");
}

#[test]
fn a_missing_file_is_an_io_error_with_exit_2() {
    let output = houniao(&["validate", "no/such/file.toml"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read no/such/file.toml"));
}

#[test]
fn usage_errors_exit_2_with_help() {
    let output = houniao(&["validate"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let output = houniao(&["--help"]);
    assert_eq!(output.status.code(), Some(0));
    for command in ["validate", "check", "summary"] {
        assert!(stdout(&output).contains(command), "{}", text(&output));
    }
}

#[test]
fn check_reports_the_example_valid_with_objective_60() {
    let output = houniao(&["check", EXAMPLE, ROSTER]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let out = stdout(&output);
    assert!(out.contains("valid: every hard rule holds"), "{out}");
    assert!(
        out.contains("objective 60 (recomputed, matches the roster)"),
        "{out}"
    );
}

#[test]
fn check_names_the_rule_date_and_session_of_a_violation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut roster: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join(ROSTER)).expect("roster"))
            .expect("json");
    let assignments = roster["assignments"].as_array_mut().expect("assignments");
    assignments.retain(|a| a["specialist"] != "zhao-path");
    let path = dir.path().join("roster.json");
    std::fs::write(&path, roster.to_string()).expect("write");
    let output = houniao(&["check", EXAMPLE, path.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        stdout(&output).contains("[rule 7 (MDT meeting)] 2026-03-04 pm: MDT \"breast-mdt\" meeting has no participant for pathology"),
        "{}",
        text(&output)
    );
}

#[test]
fn check_json_output_carries_terms_and_violations() {
    let output = houniao(&["check", EXAMPLE, ROSTER, "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    assert_eq!(report["valid"], true);
    assert_eq!(report["objective"], 60.0);
    assert_eq!(report["terms"]["wait_day"], 3.0);
    assert_eq!(report["violations"].as_array().map(Vec::len), Some(0));
}

#[test]
fn check_rejects_a_roster_that_is_not_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("roster.json");
    std::fs::write(
        &path,
        "{\"instance\": \"example-week\", \"status\": \"optimal\",",
    )
    .expect("write");
    let output = houniao(&["check", EXAMPLE, path.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        stdout(&output).contains("not a roster: line 1"),
        "{}",
        text(&output)
    );
}

#[test]
fn summary_shows_what_an_instance_holds() {
    let output = houniao(&["summary", "instances/ningde-regional.toml"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let out = stdout(&output);
    for row in [
        "residencies",
        "studios",
        "MDT boards",
        "surgeries",
        "requests",
    ] {
        assert!(out.contains(row), "{}", text(&output));
    }
    let output = houniao(&["summary", EXAMPLE, "--format", "json"]);
    let summary: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    assert_eq!(summary["visiting_specialists"], 3);
    assert_eq!(summary["mdt_meetings"], 1);
}

#[test]
fn a_reader_that_goes_away_ends_the_output_quietly() {
    // `houniao solve … | head -1`: the pipe closes before houniao has written.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_houniao"))
        .args(["solve", EXAMPLE, "--time-limit", "5"])
        .current_dir(root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawns");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("finishes");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(output.stderr.is_empty(), "{}", text(&output));
}
