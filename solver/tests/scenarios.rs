//! What-if scenarios: every change type applied to the worked example and visible in
//! the changed instance; unknown ids listed all at once; an impossible scenario named
//! clearly; seeded sampling and the whole comparison deterministic; every shipped
//! scenario applies to its network.

use houniao::instance::SourceFormat;
use houniao::scenario::{Scenario, ScenarioError};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use houniao::whatif::{Case, WhatIfOptions, compare, compare_watched};

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn example_text() -> String {
    std::fs::read_to_string(root().join("instances/example-week.toml")).expect("example")
}

fn scenario(text: &str) -> Scenario {
    Scenario::from_str_as(text, SourceFormat::Toml).expect("scenario parses")
}

#[test]
fn every_change_type_is_applied_and_visible() {
    let changes = r#"
name = "everything at once"
seed = 3

[[changes]]
kind = "add_specialist"
[changes.specialist]
id = "qian-hong"
visiting = true
sites = ["ningde"]
disciplines = ["medical-oncology"]
day_cost = 1500

[[changes]]
kind = "add_specialist"
[changes.specialist]
id = "lin-gyn"
sites = ["ningde", "jiaocheng"]
disciplines = ["gynecology"]
surgery_grade = 3

[[changes]]
kind = "remove_specialist"
specialist = "xi-xiaowei"

[[changes]]
kind = "unavailable"
specialist = "wang-rad"
slots = ["2026-03-02", "2026-03-03:am"]

[[changes]]
kind = "unavailable"
room = "c-onc"
slots = ["2026-03-06:pm"]

[[changes]]
kind = "residency"
specialist = "liu-jun"
days_per_week = 2
days = ["tue", "wed"]

[[changes]]
kind = "add_room"
[changes.room]
id = "c-onc-2"
site = "ningde"
kind = "clinic"
tags = ["oncology"]

[[changes]]
kind = "close_room"
room = "or-2"

[[changes]]
kind = "add_room"
[changes.room]
id = "or-3"
site = "ningde"
kind = "theatre"
tags = ["laparoscopy"]

[[changes]]
kind = "clinic_demand"
site = "ningde"
discipline = "medical-oncology"
sessions_per_week = 5

[[changes]]
kind = "clinic_demand"
site = "ningde"
discipline = "radiology"
sessions_per_week = 1

[[changes]]
kind = "mdt_meetings"
board = "breast-mdt"
meetings_per_week = 2

[[changes]]
kind = "add_requests"
[[changes.requests]]
id = "r-100"
patient = "P-100"
specialist = "qian-hong"
earliest = "2026-03-02"
latest = "2026-03-06"

[[changes]]
kind = "add_surgeries"
[[changes.surgeries]]
id = "s-100"
patient = "P-101"
discipline = "breast-surgery"
grade = 2
minutes = 60
release = "2026-03-02"
due = "2026-03-06"

[[changes]]
kind = "scale_surgeries"
factor = 2.0

[[changes]]
kind = "weights"
[changes.weights]
unserved_request = 250
"#;
    let applied = scenario(changes)
        .apply_to_text(&example_text(), SourceFormat::Toml)
        .expect("applies");
    let instance = &applied.instance;
    // Specialists: one added, one removed with what hung on her.
    assert!(instance.specialist_ix("qian-hong").is_some());
    assert!(instance.specialist_ix("xi-xiaowei").is_none());
    assert!(instance.studios.is_empty(), "her studio went with her");
    let r003 = &instance.requests[instance.request_ix("r-003").expect("kept").0];
    assert_eq!(
        (r003.specialist, r003.discipline.as_str()),
        (None, "gynecology")
    );
    let s002 = &instance.surgeries[instance.surgery_ix("s-002").expect("kept").0];
    assert_eq!(s002.surgeon, None);
    // Availability of people and rooms.
    let date = |d: &str| houniao::calendar::parse_date(d).expect("date");
    let wang = instance.specialist(instance.specialist_ix("wang-rad").expect("wang"));
    assert!(!wang.is_available(date("2026-03-02"), 1));
    assert!(!wang.is_available(date("2026-03-03"), 0) && wang.is_available(date("2026-03-03"), 1));
    let c_onc = instance.room(instance.room_ix("c-onc").expect("room"));
    assert!(c_onc.unavailable.contains(date("2026-03-06"), 1));
    let or2 = instance.room(instance.room_ix("or-2").expect("room"));
    assert!(
        instance
            .calendar
            .slots()
            .all(|s| or2.unavailable.contains(s.date, s.session))
    );
    assert!(instance.room_ix("c-onc-2").is_some() && instance.room_ix("or-3").is_some());
    // The residency, the demand, the board, the requests, surgeries and weights.
    let liu = instance.specialist_ix("liu-jun").expect("liu");
    let residency = instance
        .residencies
        .iter()
        .find(|r| r.specialist == liu)
        .expect("residency");
    assert_eq!(residency.days_per_week, 2);
    assert_eq!(residency.days.as_ref().map(Vec::len), Some(2));
    let demand = |discipline: &str| {
        instance
            .clinic_demand
            .iter()
            .find(|d| d.discipline == discipline)
            .map(|d| d.sessions_per_week)
    };
    assert_eq!(
        (demand("medical-oncology"), demand("radiology")),
        (Some(5), Some(1))
    );
    assert_eq!(instance.mdt_boards[0].meetings_per_week, 2);
    assert!(instance.request_ix("r-100").is_some());
    assert_eq!(instance.surgeries.len(), 6, "3 surgeries doubled");
    assert_eq!(
        instance.weights[houniao::objective::Term::UnservedRequest],
        250.0
    );
    assert_eq!(instance.weights[houniao::objective::Term::Substitute], 20.0);
    assert!(
        applied
            .log
            .iter()
            .any(|l| l.contains("studio xi-studio (they led it) removed"))
    );
}

#[test]
fn a_studio_cadence_and_a_smaller_sample_of_requests() {
    let applied = scenario(
        r#"
name = "fewer"
seed = 11
[[changes]]
kind = "studio_cadence"
studio = "xi-studio"
sessions_per_week = 2
[[changes]]
kind = "scale_requests"
factor = 0.67
"#,
    )
    .apply_to_text(&example_text(), SourceFormat::Toml)
    .expect("applies");
    assert_eq!(applied.instance.studios[0].sessions_per_week, 2);
    assert_eq!(applied.instance.requests.len(), 2);
}

#[test]
fn seeded_sampling_is_the_same_every_time_and_differs_by_seed() {
    let text =
        std::fs::read_to_string(root().join("instances/yangpu-studios.toml")).expect("yangpu");
    let ids = |seed: u64, factor: f64| -> Vec<String> {
        scenario(&format!(
            "name = \"s\"\nseed = {seed}\n[[changes]]\nkind = \"scale_requests\"\nfactor = {factor}\n"
        ))
        .apply_to_text(&text, SourceFormat::Toml)
        .expect("applies")
        .instance
        .requests
        .iter()
        .map(|r| format!("{}:{}", r.id, r.patient))
        .collect()
    };
    assert_eq!(ids(7, 1.2), ids(7, 1.2));
    assert_eq!(ids(7, 1.2).len(), 48);
    assert_ne!(ids(7, 0.5), ids(8, 0.5));
    assert_eq!(ids(7, 0.5).len(), 20);
}

#[test]
fn unknown_ids_are_all_listed_with_their_paths() {
    let error = scenario(
        r#"
name = "typos"
[[changes]]
kind = "remove_specialist"
specialist = "liu-jnu"
[[changes]]
kind = "close_room"
room = "or-22"
[[changes]]
kind = "mdt_meetings"
board = "brest-mdt"
meetings_per_week = 2
[[changes]]
kind = "scale_requests"
factor = -1
"#,
    )
    .apply_to_text(&example_text(), SourceFormat::Toml)
    .unwrap_err();
    let ScenarioError::InvalidChanges { problems } = &error else {
        panic!("expected invalid changes, got {error}");
    };
    let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "changes[0].specialist: unknown specialist \"liu-jnu\" (did you mean \"liu-jun\"?)",
            "changes[1].room: unknown room \"or-22\" (did you mean \"or-2\"?)",
            "changes[2].board: unknown MDT board \"brest-mdt\" (did you mean \"breast-mdt\"?)",
            "changes[3].factor: factor -1 must be a number ≥ 0",
        ]
    );
    // A misspelt field of a change is a parse error naming it.
    let unreadable = Scenario::from_str_as(
        "name = \"x\"\n[[changes]]\nkind = \"close_room\"\nrooom = \"or-2\"\n",
        SourceFormat::Toml,
    )
    .unwrap_err();
    assert!(unreadable.to_string().contains("rooom"), "{unreadable}");
}

#[test]
fn an_impossible_scenario_says_what_breaks() {
    let path = root().join("solver/tests/data/scenarios/example-liu-jun-away-wednesday.toml");
    let error = Scenario::from_path(&path)
        .expect("reads")
        .apply_to_text(&example_text(), SourceFormat::Toml)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "the changed instance is invalid: residencies[0].days[1]: \"liu-jun\" is unavailable on 2026-03-04 (wed, week 0); the residency cannot be met that week"
    );
}

#[test]
fn every_shipped_scenario_applies_to_its_network() {
    let mut seen = 0;
    for entry in std::fs::read_dir(root().join("instances/scenarios")).expect("scenarios") {
        let path = entry.expect("entry").path();
        let file = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let network = file.split('-').next().unwrap_or_default();
        let base = std::fs::read_dir(root().join("instances"))
            .expect("instances")
            .map(|e| e.expect("entry").path())
            .find(|p| {
                p.extension().is_some_and(|e| e == "toml")
                    && p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with(&format!("{network}-")))
            })
            .unwrap_or_else(|| panic!("{file}: no base instance for {network}"));
        let text = std::fs::read_to_string(&base).expect("base");
        let scenario = Scenario::from_path(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
        let applied = scenario
            .apply_to_text(&text, SourceFormat::Toml)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(!applied.log.is_empty(), "{file} changed nothing");
        seen += 1;
    }
    assert!(seen >= 4, "only {seen} shipped scenarios");
}

#[test]
fn the_comparison_is_deterministic() {
    let text =
        std::fs::read_to_string(root().join("instances/ningde-regional.toml")).expect("ningde");
    let base = houniao::Instance::from_toml_str(&text).expect("valid");
    let cut =
        Scenario::from_path(&root().join("instances/scenarios/ningde-residencies-2-days.toml"))
            .expect("reads")
            .apply_to_text(&text, SourceFormat::Toml)
            .expect("applies");
    let cases = vec![
        Case {
            name: "base".into(),
            instance: base,
        },
        Case {
            name: "cut".into(),
            instance: cut.instance,
        },
    ];
    let options = WhatIfOptions {
        jobs: 2,
        cores: 2,
        time_limit: 30.0,
        gap: 1e-4,
        near_base: false,
    };
    // Everything but the wall seconds must be the same.
    let run = || {
        let results: Vec<_> = compare(&cases, options)
            .into_iter()
            .map(|r| {
                let mut result = r.expect("solves");
                result.seconds = 0.0;
                result
            })
            .collect();
        serde_json::to_string(&results).expect("json")
    };
    let first = run();
    assert_eq!(first, run());
    let results: serde_json::Value = serde_json::from_str(&first).expect("json");
    // Fewer on-site days when every residency loses a day.
    assert!(
        results[1]["kpis"]["visiting_days"].as_u64() < results[0]["kpis"]["visiting_days"].as_u64(),
        "{results}"
    );
    let independent = results[1]["differs_from_base"]["assignments"]
        .as_u64()
        .expect("count");
    assert!(independent > 0);
    // Near the base roster, the scenario changes fewer assignments, and still only
    // what it must: every on-site day it drops is gone, nothing else need move.
    let near: Vec<_> = compare(
        &cases,
        WhatIfOptions {
            near_base: true,
            ..options
        },
    )
    .into_iter()
    .map(|r| r.expect("solves"))
    .collect();
    let near_count = near[1].differs_from_base.expect("compared").assignments as u64;
    assert!(near_count < independent, "{near_count} vs {independent}");
    assert_eq!(near[1].kpis.visiting_days, 26);
}

/// The worked example and it with Xi Xiaowei away on Tuesday, twice: four cases.
fn example_cases() -> Vec<Case> {
    let text = example_text();
    let base = houniao::Instance::from_toml_str(&text).expect("valid");
    let away =
        Scenario::from_path(&root().join("instances/scenarios/example-xi-away-tuesday.toml"))
            .expect("reads")
            .apply_to_text(&text, SourceFormat::Toml)
            .expect("applies");
    let mut cases = vec![Case {
        name: "base".into(),
        instance: base,
    }];
    for i in 0..3 {
        cases.push(Case {
            name: format!("away {i}"),
            instance: away.instance.clone(),
        });
    }
    cases
}

const QUICK: WhatIfOptions = WhatIfOptions {
    jobs: 2,
    cores: 2,
    time_limit: 5.0,
    gap: 1e-4,
    near_base: true,
};

#[test]
fn a_watched_comparison_tells_of_each_case_once_and_a_cancel_skips_the_rest() {
    let cases = example_cases();
    // Cancelled before it starts: nothing is solved, nobody is told.
    let told = Mutex::new(Vec::new());
    let on_done =
        |i: usize, _: &Result<houniao::whatif::CaseResult, houniao::solve::SolveError>| {
            told.lock().expect("lock").push(i);
        };
    let cancelled = AtomicBool::new(true);
    let results = compare_watched(&cases, QUICK, &cancelled, &on_done);
    assert_eq!(results.len(), 4);
    assert!(results.iter().all(Option::is_none));
    assert!(told.lock().expect("lock").is_empty());

    // Not cancelled, near the base and independently: each case told once, with what
    // the answer holds, the scenarios compared with the base by then (near the base).
    for near_base in [true, false] {
        let options = WhatIfOptions { near_base, ..QUICK };
        let seen = Mutex::new(Vec::new());
        let on_done =
            |i: usize, r: &Result<houniao::whatif::CaseResult, houniao::solve::SolveError>| {
                let result = r.as_ref().expect("solves");
                if near_base && i > 0 {
                    assert!(result.differs_from_base.is_some(), "case {i}");
                }
                seen.lock().expect("lock").push((i, result.name.clone()));
            };
        let never = AtomicBool::new(false);
        let results = compare_watched(&cases, options, &never, &on_done);
        let mut seen = seen.into_inner().expect("lock");
        seen.sort();
        let names: Vec<(usize, String)> = cases
            .iter()
            .enumerate()
            .map(|(i, c)| (i, c.name.clone()))
            .collect();
        assert_eq!(seen, names, "near_base {near_base}");
        for (i, result) in results.iter().enumerate() {
            let result = result.as_ref().expect("solved").as_ref().expect("a roster");
            assert_eq!(result.name, cases[i].name);
            assert_eq!(result.differs_from_base.is_some(), i > 0);
        }
    }

    // Cancelled when the base is done: the base keeps its roster, the rest is skipped
    // (one at a time, so no scenario had started).
    let cancel = AtomicBool::new(false);
    let on_done =
        |i: usize, _: &Result<houniao::whatif::CaseResult, houniao::solve::SolveError>| {
            if i == 0 {
                cancel.store(true, Ordering::Relaxed);
            }
        };
    let results = compare_watched(
        &cases,
        WhatIfOptions { jobs: 1, ..QUICK },
        &cancel,
        &on_done,
    );
    assert!(matches!(results[0], Some(Ok(_))));
    assert!(
        results[1..].iter().all(Option::is_none),
        "skipped after the cancel"
    );
    // compare is the same comparison, never cancelled.
    assert_eq!(compare(&cases[..2], QUICK).len(), 2);
}
