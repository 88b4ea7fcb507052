//! `houniao whatif`, `houniao scenario` and `houniao repair` as planners and schedulers
//! run them: the comparison table in every format, scenario errors listed, and a repair
//! whose roster passes `houniao check` against the changed instance.

mod common;

use std::process::Output;

use common::{houniao, text};

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

const NINGDE: &str = "instances/ningde-regional.toml";

#[test]
fn whatif_prints_one_column_per_scenario_in_every_format() {
    let args = [
        "whatif",
        NINGDE,
        "instances/scenarios/ningde-residencies-2-days.toml",
        "instances/scenarios/ningde-theatre-closed.toml",
        "--jobs",
        "2",
        "--time-limit",
        "20",
    ];
    let mut csv_args = args.to_vec();
    csv_args.extend(["--format", "csv"]);
    let output = houniao(&csv_args);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let csv = stdout(&output);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "\"kpi\",\"base\",\"ningde: residencies cut to 2 days\",\"ningde: theatre or-1 closed\""
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("\"visiting on-site days\",\"35\",\"26\",")),
        "{csv}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("\"assignments differing from base\",\"—\",")),
        "{csv}"
    );
    // The same run twice gives the same table.
    assert_eq!(stdout(&houniao(&csv_args)), csv);

    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let output = houniao(&json_args);
    let results: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("json");
    assert_eq!(results.as_array().expect("cases").len(), 3);
    assert_eq!(results[1]["kpis"]["visiting_days"], 26);

    let output = houniao(&args);
    assert!(stdout(&output).contains("│ KPI"), "{}", text(&output));
}

#[test]
fn scenario_errors_are_listed_and_the_changed_instance_validates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broken = dir.path().join("broken.toml");
    std::fs::write(
        &broken,
        "name = \"typos\"\n[[changes]]\nkind = \"remove_specialist\"\nspecialist = \"zhou-mni\"\n[[changes]]\nkind = \"close_room\"\nroom = \"or-9\"\n",
    )
    .expect("write");
    let output = houniao(&["whatif", NINGDE, broken.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let out = stdout(&output);
    assert!(
        out.contains(
            "changes[0].specialist: unknown specialist \"zhou-mni\" (did you mean \"zhou-min\"?)"
        ),
        "{out}"
    );
    assert!(
        out.contains("changes[1].room: unknown room \"or-9\""),
        "{out}"
    );

    let changed = dir.path().join("changed.toml");
    let output = houniao(&[
        "scenario",
        NINGDE,
        "instances/scenarios/ningde-extra-oncologist.toml",
        "-o",
        changed.to_str().expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        stdout(&output).contains("added specialist qian-hong"),
        "{}",
        text(&output)
    );
    let output = houniao(&["validate", changed.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        stdout(&output).contains("31 specialists"),
        "{}",
        text(&output)
    );
}

#[test]
fn repair_keeps_everything_it_can_and_its_roster_checks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let roster = dir.path().join("repaired.json");
    let changed = dir.path().join("changed.toml");
    let output = houniao(&[
        "repair",
        "instances/example-week.toml",
        "solver/tests/data/roster.example.json",
        "--change",
        "instances/scenarios/example-xi-away-tuesday.toml",
        "-o",
        roster.to_str().expect("utf-8"),
        "--instance-out",
        changed.to_str().expect("utf-8"),
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let answer: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("json");
    let moved: Vec<&str> = answer["moves"]
        .as_array()
        .expect("moves")
        .iter()
        .map(|m| m["specialist"].as_str().unwrap_or_default())
        .collect();
    assert!(
        moved.iter().all(|s| ["xi-xiaowei", "chen-gp"].contains(s)),
        "{moved:?}"
    );
    assert_eq!(answer["calls"][0]["booking"], "r-003");
    let output = houniao(&[
        "check",
        changed.to_str().expect("utf-8"),
        roster.to_str().expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));

    // A change that leaves no valid instance is reported, not solved.
    let output = houniao(&[
        "repair",
        "instances/example-week.toml",
        "solver/tests/data/roster.example.json",
        "--change",
        "solver/tests/data/scenarios/example-liu-jun-away-wednesday.toml",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        stdout(&output).contains("the residency cannot be met that week"),
        "{}",
        text(&output)
    );
}
