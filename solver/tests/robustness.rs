//! Fuzz-style robustness: truncated and mutated instance and roster files must give a
//! clean error (never a panic), and the checker must survive any roster it can read.

use houniao::check::check;
use houniao::{Instance, InstanceError, Roster};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const INSTANCE: &str = include_str!("../../instances/example-week.toml");
const ROSTER: &str = include_str!("data/roster.example.json");

fn instance_json() -> String {
    let value: serde_json::Value = toml::from_str(INSTANCE).expect("example parses");
    serde_json::to_string_pretty(&value).expect("serialises")
}

/// Ok, or an error whose every problem has a message.
fn assert_clean(result: Result<Instance, InstanceError>, input: &str) {
    if let Err(error) = result {
        let diagnostics = error.diagnostics();
        assert!(
            !diagnostics.is_empty(),
            "no diagnostics for input:\n{input}"
        );
        for diagnostic in diagnostics {
            assert!(
                !diagnostic.message.trim().is_empty(),
                "empty message for input:\n{input}"
            );
        }
        assert!(!error.to_string().is_empty());
    }
}

fn char_boundaries(text: &str) -> impl Iterator<Item = usize> + '_ {
    (0..=text.len()).filter(|i| text.is_char_boundary(*i))
}

#[test]
fn every_truncation_of_the_toml_example_fails_cleanly() {
    for cut in char_boundaries(INSTANCE) {
        let text = &INSTANCE[..cut];
        assert_clean(Instance::from_toml_str(text), text);
    }
}

#[test]
fn every_truncation_of_the_json_example_fails_cleanly() {
    let json = instance_json();
    assert!(
        Instance::from_json_str(&json).is_ok(),
        "the JSON form is valid"
    );
    for cut in char_boundaries(&json).step_by(3) {
        let text = &json[..cut];
        assert_clean(Instance::from_json_str(text), text);
    }
}

const TOKENS: &[&str] = &[
    "\"",
    "[",
    "]",
    "=",
    "\n",
    "{",
    "}",
    ",",
    ":",
    "-1",
    "0",
    "99999999999",
    "1e400",
    "\"\"",
    "\"sat\"",
    "\"2026-02-30\"",
    "\"25:00\"",
    "true",
    "#",
    "\\",
    "é",
    "9999-12-31",
    "\"x:y\"",
];

/// One random edit: replace a span with a token, delete, duplicate or swap lines.
fn mutate(text: &str, rng: &mut StdRng) -> String {
    let lines: Vec<&str> = text.lines().collect();
    match rng.random_range(0..5) {
        0 | 1 => {
            let positions: Vec<usize> = char_boundaries(text).collect();
            let start = positions[rng.random_range(0..positions.len())];
            let end = positions
                .iter()
                .copied()
                .filter(|p| *p >= start)
                .nth(rng.random_range(0..4))
                .unwrap_or(start);
            let token = TOKENS[rng.random_range(0..TOKENS.len())];
            format!("{}{}{}", &text[..start], token, &text[end..])
        }
        2 => {
            let skip = rng.random_range(0..lines.len());
            lines
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, l)| *l)
                .collect::<Vec<_>>()
                .join("\n")
        }
        3 => {
            let twice = rng.random_range(0..lines.len());
            let mut out: Vec<&str> = lines.clone();
            out.insert(twice, lines[twice]);
            out.join("\n")
        }
        _ => {
            let (a, b) = (
                rng.random_range(0..lines.len()),
                rng.random_range(0..lines.len()),
            );
            let mut out = lines.clone();
            out.swap(a, b);
            out.join("\n")
        }
    }
}

#[test]
fn thousands_of_mutated_instances_fail_cleanly() {
    let mut rng = StdRng::seed_from_u64(20260302);
    let json = instance_json();
    for round in 0..3000 {
        let mut text = if round % 3 == 0 {
            json.clone()
        } else {
            INSTANCE.to_string()
        };
        for _ in 0..rng.random_range(1..4) {
            text = mutate(&text, &mut rng);
        }
        let result = if round % 3 == 0 {
            Instance::from_json_str(&text)
        } else {
            Instance::from_toml_str(&text)
        };
        assert_clean(result, &text);
    }
}

#[test]
fn the_checker_survives_mutated_roster_files() {
    let instance = Instance::from_toml_str(INSTANCE).expect("valid");
    let mut rng = StdRng::seed_from_u64(7);
    let mut checked = 0;
    for cut in char_boundaries(ROSTER).step_by(7) {
        assert!(Roster::from_json_str(&ROSTER[..cut]).is_err() || cut == ROSTER.len());
    }
    for _ in 0..3000 {
        let text = mutate(ROSTER, &mut rng);
        if let Ok(roster) = Roster::from_json_str(&text) {
            let report = check(&instance, &roster);
            assert!(report.objective.is_finite());
            checked += 1;
        }
    }
    assert!(
        checked > 100,
        "only {checked} mutated rosters were readable"
    );
}

#[test]
fn the_checker_survives_rosters_with_random_ids_dates_and_sessions() {
    let instance = Instance::from_toml_str(INSTANCE).expect("valid");
    let base = Roster::from_json_str(ROSTER).expect("valid");
    let ids = [
        "liu-jun",
        "xi-xiaowei",
        "chen-gp",
        "ningde",
        "jiaocheng",
        "c-onc",
        "mdt-1",
        "or-2",
        "jc-1",
        "s-001",
        "r-002",
        "breast-mdt",
        "xi-studio",
        "nobody",
    ];
    let sessions = ["am", "pm", "eve"];
    let mut rng = StdRng::seed_from_u64(11);
    let pick = |rng: &mut StdRng| ids[rng.random_range(0..ids.len())].to_string();
    for _ in 0..2000 {
        let mut roster = base.clone();
        for _ in 0..rng.random_range(1..6) {
            let shift = chrono::Days::new(rng.random_range(0..40));
            match rng.random_range(0..6) {
                0 => {
                    let i = rng.random_range(0..roster.assignments.len());
                    roster.assignments[i].specialist = pick(&mut rng);
                    roster.assignments[i].room = Some(pick(&mut rng));
                }
                1 => {
                    let i = rng.random_range(0..roster.assignments.len());
                    roster.assignments[i].date = roster.assignments[i]
                        .date
                        .checked_sub_days(chrono::Days::new(20))
                        .unwrap()
                        + shift;
                    roster.assignments[i].session = sessions[rng.random_range(0..3)].into();
                }
                2 => {
                    let i = rng.random_range(0..roster.presence.len());
                    roster.presence[i].site = pick(&mut rng);
                    roster.presence[i].date = roster.presence[i].date + shift;
                }
                3 => {
                    let i = rng.random_range(0..roster.surgeries.len());
                    roster.surgeries[i].room = pick(&mut rng);
                    roster.surgeries[i].start =
                        Some(["07:00", "23:59", "x", "12:00"][rng.random_range(0..4)].into());
                }
                4 => {
                    let i = rng.random_range(0..roster.bookings.len());
                    roster.bookings[i].specialist = pick(&mut rng);
                    roster.bookings[i].request = pick(&mut rng);
                }
                _ => {
                    let i = rng.random_range(0..roster.assignments.len());
                    roster.assignments[i].board = Some(pick(&mut rng));
                    roster.assignments[i].studio = Some(pick(&mut rng));
                    roster.assignments[i].remote = Some(rng.random_bool(0.5));
                }
            }
        }
        let report = check(&instance, &roster);
        assert!(report.objective.is_finite());
    }
}
