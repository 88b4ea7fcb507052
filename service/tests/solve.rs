//! `houniao solve` run as a user would: the worked example solves to optimal 60, every
//! shipped instance yields a roster that `houniao check` passes with the same objective,
//! JSON on stdout is undecorated, `-o` writes the file, bad input exits 1 with a reason.

mod common;

use std::path::PathBuf;
use std::process::Output;

use common::{houniao, root, text};

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(output)))
}

#[test]
fn the_example_is_optimal_at_60_and_checks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let roster = dir.path().join("roster.json");
    let roster = roster.to_str().expect("utf-8 path");
    let output = houniao(&[
        "solve",
        "instances/example-week.toml",
        "--time-limit",
        "20",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        output.stderr.is_empty(),
        "stderr must stay quiet off a terminal: {}",
        text(&output)
    );
    let value = json(&output);
    assert_eq!(value["status"], "optimal");
    assert_eq!(value["objective"], 60.0);
    assert_eq!(value["bound"], 60.0);
    assert_eq!(value["gap"], 0.0);
    std::fs::write(roster, &output.stdout).expect("write roster");
    let checked = houniao(&["check", "instances/example-week.toml", roster]);
    assert_eq!(checked.status.code(), Some(0), "{}", text(&checked));
    assert!(
        String::from_utf8_lossy(&checked.stdout)
            .contains("objective 60 (recomputed, matches the roster)")
    );
}

#[test]
fn every_shipped_instance_solves_to_a_roster_that_checks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut instances: Vec<PathBuf> = std::fs::read_dir(root().join("instances"))
        .expect("instances/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    instances.sort();
    assert!(instances.len() >= 5, "{instances:?}");
    for instance in &instances {
        let name = instance
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .into_owned();
        let roster = dir.path().join(format!("{name}.json"));
        let (instance, roster) = (
            instance.to_str().expect("utf-8"),
            roster.to_str().expect("utf-8"),
        );
        let output = houniao(&[
            "solve",
            instance,
            "--time-limit",
            "5",
            "--threads",
            "1",
            "-o",
            roster,
            "--format",
            "json",
        ]);
        assert_eq!(output.status.code(), Some(0), "{name}: {}", text(&output));
        let summary = json(&output);
        assert_eq!(summary["roster"], roster);
        let objective = summary["objective"].as_f64().expect("objective");
        let greedy = summary["greedy_objective"]
            .as_f64()
            .expect("greedy objective");
        assert!(
            objective <= greedy + 1e-6,
            "{name}: MILP {objective} worse than greedy {greedy}"
        );
        let checked = houniao(&["check", instance, roster, "--format", "json"]);
        assert_eq!(checked.status.code(), Some(0), "{name}: {}", text(&checked));
        let report = json(&checked);
        assert_eq!(report["passed"], true, "{name}");
        assert!(
            (report["objective"].as_f64().expect("recomputed") - objective).abs() < 1e-6,
            "{name}"
        );
    }
}

#[test]
fn the_text_summary_shows_days_unmet_and_the_objective() {
    let output = houniao(&[
        "solve",
        "instances/ningde-regional.toml",
        "--time-limit",
        "10",
        "--threads",
        "1",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    for needle in [
        "ningde-regional: ",
        "objective",
        "Ningde Municipal Hospital",
        "clinic ",
        "MDT ",
        "objective term",
        "total",
    ] {
        assert!(stdout.contains(needle), "{needle:?} missing:\n{stdout}");
    }
}

#[test]
fn unmet_demand_comes_with_a_specific_reason() {
    let output = houniao(&[
        "solve",
        "instances/beilun-oncology.toml",
        "--time-limit",
        "5",
        "--threads",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let roster = json(&output);
    let unmet = roster["unmet"].as_array().expect("unmet list");
    assert!(
        !unmet.is_empty(),
        "beilun has requests for experts absent in their window"
    );
    for entry in unmet {
        let reason = entry["reason"].as_str().expect("reason");
        let id = entry["ids"][0].as_str().expect("id");
        assert!(reason.len() > 20, "{id}: reason too thin: {reason:?}");
    }
}

#[test]
fn an_infeasible_instance_exits_1_naming_the_conflict() {
    let output = houniao(&[
        "solve",
        "solver/tests/data/infeasible/residencies-cannot-combine.toml",
        "--time-limit",
        "10",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("no valid roster")
            && stdout.contains("residencies[2]")
            && stdout.contains("residencies[3]"),
        "{stdout}"
    );
}

#[test]
fn an_invalid_instance_lists_its_errors_and_exits_1() {
    let output = houniao(&[
        "solve",
        "solver/tests/data/invalid/unknown-and-duplicate-ids.toml",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("invalid, 6 error(s)"),
        "{}",
        text(&output)
    );
}

#[test]
fn bad_limits_are_usage_errors() {
    for args in [
        ["--time-limit", "-3"],
        ["--time-limit", "soon"],
        ["--gap", "1.5"],
    ] {
        let mut all = vec!["solve", "instances/example-week.toml"];
        all.extend(args);
        let output = houniao(&all);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", text(&output));
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("expected"),
            "{}",
            text(&output)
        );
    }
}

#[test]
fn an_unwritable_output_is_an_io_error() {
    let output = houniao(&[
        "solve",
        "instances/example-week.toml",
        "-o",
        "/nonexistent-dir/roster.json",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("/nonexistent-dir"),
        "{}",
        text(&output)
    );
}
