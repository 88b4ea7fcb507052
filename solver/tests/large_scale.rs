//! The large-scale search (`Strategy::Lns`: fix-and-optimize LNS with the whole MILP's
//! bound alongside) against the reference checker and the proven optimum: on small
//! generated instances its rosters pass `check` with the objective they state, no worse
//! than greedy, with a bound and gap that keep PROBLEM.md §5's meaning; on
//! `instances/bench/net-30-1w.toml` it reaches the optimum the plain MILP proves and its
//! bound never exceeds it; under a work limit the same input and seed give the same
//! roster; cancelling from the progress callback returns the best roster so far; the
//! progress it reports is monotone; and `Strategy::Auto` keeps small instances on the
//! plain MILP.

use std::sync::atomic::{AtomicBool, Ordering};

use houniao::Instance;
use houniao::check::{CheckReport, check};
use houniao::generate::{GenerateOptions, generate};
use houniao::objective::same_value;
use houniao::solve::{
    Progress, RosterSource, SolveOptions, SolveReport, SolveStatus, Strategy, solve,
};

fn instance_file(relative: &str) -> Instance {
    let path = format!("{}/../instances/{relative}", env!("CARGO_MANIFEST_DIR"));
    Instance::from_path(std::path::Path::new(&path))
        .unwrap_or_else(|e| panic!("{relative} is a valid instance: {e}"))
}

fn bench(name: &str) -> Instance {
    instance_file(&format!("bench/{name}.toml"))
}

fn first_problems(report: &CheckReport) -> String {
    let violations: Vec<String> = report
        .violations
        .iter()
        .take(5)
        .map(ToString::to_string)
        .collect();
    let discrepancies: Vec<String> = report
        .discrepancies
        .iter()
        .take(5)
        .map(ToString::to_string)
        .collect();
    format!("violations {violations:#?}, discrepancies {discrepancies:#?}")
}

/// Options of a large-scale search.
fn lns(seed: u64, work_limit: Option<u64>, time_limit: f64) -> SolveOptions {
    SolveOptions {
        time_limit,
        strategy: Strategy::Lns,
        seed,
        work_limit,
        ..SolveOptions::default()
    }
}

fn solve_quietly(instance: &Instance, options: SolveOptions) -> SolveReport {
    solve(instance, options, &mut |_| {}, &AtomicBool::new(false))
        .unwrap_or_else(|e| panic!("{} solves: {e}", instance.name))
}

/// The roster passes the checker with the objective it states; the bound is below it
/// and the gap is §5's `(objective − bound) / max(1, |objective|)`, as the status says.
fn assert_sound(what: &str, instance: &Instance, report: &SolveReport) {
    let roster = &report.roster;
    let checked = check(instance, roster);
    assert!(
        checked.passed(),
        "{what}: the roster ({:?}) fails the checker: {}",
        report.source,
        first_problems(&checked)
    );
    assert!(
        (roster.objective - checked.objective).abs() <= 1e-6,
        "{what}: the roster states {} but the checker computes {}",
        roster.objective,
        checked.objective
    );
    assert_eq!(
        report.bound, roster.bound,
        "{what}: report and roster bound"
    );
    match roster.bound {
        Some(bound) => {
            assert!(
                bound <= roster.objective + 1e-6,
                "{what}: bound {bound} above the objective {}",
                roster.objective
            );
            let gap = roster.gap.expect("a gap with the bound");
            let expected = (roster.objective - bound) / roster.objective.abs().max(1.0);
            assert!(
                (gap - expected).abs() <= 1e-9,
                "{what}: gap {gap}, but (objective − bound)/max(1,|objective|) = {expected}"
            );
        }
        None => assert_eq!(roster.gap, None, "{what}: a gap without a bound"),
    }
    match report.status {
        SolveStatus::Optimal => {
            assert!(
                roster.gap.is_some_and(|g| g <= 1e-4),
                "{what}: optimal with gap {:?}",
                roster.gap
            );
            assert_eq!(roster.status, houniao::roster::RosterStatus::Optimal);
        }
        SolveStatus::Feasible { gap } => {
            assert_eq!(gap, roster.gap, "{what}: the status's gap");
            assert_eq!(roster.status, houniao::roster::RosterStatus::Feasible);
        }
        SolveStatus::NoSolutionInTime => {}
    }
}

fn assert_no_worse_than_greedy(what: &str, report: &SolveReport) {
    let greedy = report
        .greedy_objective
        .expect("the greedy heuristic succeeds");
    assert!(
        report.roster.objective <= greedy + 1e-6,
        "{what}: objective {} is worse than greedy's {greedy}",
        report.roster.objective
    );
}

/// The plain MILP, run to a proven optimum.
fn exact_milp() -> SolveOptions {
    SolveOptions {
        time_limit: 60.0,
        gap: 1e-9,
        threads: 1,
        strategy: Strategy::Milp,
        ..SolveOptions::default()
    }
}

/// A work-limited search runs its `limit` sub-solves unless the bound proved its
/// roster optimal first.
fn assert_work_done(what: &str, report: &SolveReport, limit: u64) {
    assert!(
        report.neighbourhoods <= limit,
        "{what}: {} neighbourhoods over the work limit {limit}",
        report.neighbourhoods
    );
    assert!(report.improvements <= report.neighbourhoods, "{what}");
    if report.status != SolveStatus::Optimal {
        assert_eq!(
            report.neighbourhoods, limit,
            "{what}: stopped early without proving optimality ({:?})",
            report.status
        );
    }
}

/// The roster as JSON without the figures that depend on the bound thread's timing.
fn timing_free(report: &SolveReport) -> serde_json::Value {
    let mut roster = report.roster.clone();
    roster.seconds = Some(0.0);
    roster.bound = None;
    roster.gap = None;
    roster.status = houniao::roster::RosterStatus::Feasible;
    serde_json::to_value(&roster).expect("roster JSON")
}

#[test]
fn lns_rosters_pass_the_checker_on_generated_instances() {
    let recipes = [
        (1, 16, 40, 6),
        (2, 20, 50, 8),
        (3, 24, 60, 8),
        (4, 30, 80, 10),
    ];
    for (seed, specialists, requests, surgeries) in recipes {
        let options = GenerateOptions {
            specialists,
            weeks: 1,
            requests,
            surgeries,
            sites: None,
            seed,
        };
        let text = generate(&options).expect("generates");
        let instance = Instance::from_toml_str(&text)
            .unwrap_or_else(|e| panic!("generated instance {options:?} is invalid: {e}"));
        let what = format!("generated {options:?}");
        let report = solve_quietly(&instance, lns(seed, Some(6), 60.0));
        assert_eq!(report.strategy, Strategy::Lns, "{what}");
        assert_eq!(report.source, RosterSource::Lns, "{what}");
        assert_work_done(&what, &report, 6);
        assert_sound(&what, &instance, &report);
        assert_no_worse_than_greedy(&what, &report);
        if specialists <= 20 {
            // Small enough for the plain MILP to prove the optimum in a moment.
            let exact = solve_quietly(&instance, exact_milp());
            assert_eq!(exact.status, SolveStatus::Optimal, "{what}: MILP");
            let optimum = exact.roster.objective;
            assert!(
                report.roster.objective >= optimum - 1e-6,
                "{what}: LNS objective {} below the proven optimum {optimum}",
                report.roster.objective
            );
            if let Some(bound) = report.roster.bound {
                assert!(
                    bound <= optimum + 1e-6,
                    "{what}: LNS bound {bound} above the proven optimum {optimum}"
                );
            }
        }
        if let Some(model) = report.model_objective {
            assert!(
                same_value(model, report.roster.objective),
                "{what}: the model values the roster at {model}, the checker at {}",
                report.roster.objective
            );
        }
    }
}

#[test]
fn lns_reaches_the_optimum_on_a_small_instance() {
    let instance = bench("net-30-1w");
    let exact = solve_quietly(&instance, exact_milp());
    assert_eq!(exact.strategy, Strategy::Milp);
    assert_eq!(
        exact.status,
        SolveStatus::Optimal,
        "the MILP proves net-30-1w"
    );
    assert_sound("net-30-1w MILP", &instance, &exact);
    let optimum = exact.roster.objective;
    // The independent CP-SAT model proves the same optimum (benches/cpsat/README.md).
    assert!((optimum - 1034.0).abs() <= 1e-6, "MILP optimum {optimum}");

    // Seed 0 reaches it after 15 sub-solves (where the bound proves it); 12 are short.
    let report = solve_quietly(&instance, lns(0, Some(30), 120.0));
    assert_eq!(report.strategy, Strategy::Lns);
    assert_work_done("net-30-1w LNS", &report, 30);
    assert_sound("net-30-1w LNS", &instance, &report);
    assert_no_worse_than_greedy("net-30-1w LNS", &report);
    if let Some(bound) = report.roster.bound {
        assert!(
            bound <= optimum + 1e-6,
            "LNS bound {bound} above the proven optimum {optimum}"
        );
    }
    assert!(
        (report.roster.objective - optimum).abs() <= 1e-6,
        "LNS ends at {} after {} neighbourhoods ({} improved), the optimum is {optimum}",
        report.roster.objective,
        report.neighbourhoods,
        report.improvements
    );
}

#[test]
fn work_limited_lns_is_reproducible() {
    let instance = bench("net-30-1w");
    let options = lns(5, Some(8), 120.0);
    let first = solve_quietly(&instance, options);
    let second = solve_quietly(&instance, options);
    assert_sound("net-30-1w first run", &instance, &first);
    assert_sound("net-30-1w second run", &instance, &second);
    // How many sub-solves ran can differ when the bound proves optimality early (its
    // timing varies); the roster cannot.
    assert_work_done("net-30-1w first run", &first, 8);
    assert_work_done("net-30-1w second run", &second, 8);
    assert_eq!(
        timing_free(&first),
        timing_free(&second),
        "two runs with seed 5 and work limit 8 differ (objectives {} and {})",
        first.roster.objective,
        second.roster.objective
    );

    // A generated instance too, with another seed.
    let text = generate(&GenerateOptions {
        specialists: 24,
        weeks: 1,
        requests: 60,
        surgeries: 8,
        sites: None,
        seed: 11,
    })
    .expect("generates");
    let instance = Instance::from_toml_str(&text).expect("valid generated instance");
    let options = lns(11, Some(6), 120.0);
    let first = solve_quietly(&instance, options);
    let second = solve_quietly(&instance, options);
    assert_sound("generated seed 11 first run", &instance, &first);
    assert_eq!(
        timing_free(&first),
        timing_free(&second),
        "two runs on generated seed 11 with work limit 6 differ (objectives {} and {})",
        first.roster.objective,
        second.roster.objective
    );
}

#[test]
fn cancel_during_lns_returns_the_best_roster() {
    // The whole MILP does not finish net-60-2w quickly, so the search is still running
    // when the callback cancels it.
    let instance = bench("net-60-2w");
    let cancel = AtomicBool::new(false);
    let mut cancelled_at: Option<u64> = None;
    let mut on_progress = |progress: Progress| {
        if progress.neighbourhoods >= 2 && cancelled_at.is_none() {
            cancelled_at = Some(progress.neighbourhoods);
            cancel.store(true, Ordering::Relaxed);
        }
    };
    let report = solve(&instance, lns(1, None, 120.0), &mut on_progress, &cancel)
        .expect("a cancelled search still returns a roster");
    let cancelled_at = cancelled_at.expect("the search reported two neighbourhoods");
    assert_eq!(report.strategy, Strategy::Lns);
    assert_sound("net-60-2w cancelled", &instance, &report);
    assert_no_worse_than_greedy("net-60-2w cancelled", &report);
    // The sub-solve running when the flag was set is counted; none starts after it.
    assert!(
        (2..=cancelled_at + 1).contains(&report.neighbourhoods),
        "cancelled at {cancelled_at} neighbourhoods, the report says {}",
        report.neighbourhoods
    );
}

#[test]
fn auto_keeps_small_instances_on_the_milp() {
    let instance = instance_file("example-week.toml");
    let report = solve_quietly(&instance, SolveOptions::default());
    assert_eq!(report.strategy, Strategy::Milp);
    assert_eq!(report.neighbourhoods, 0);
    assert_sound("example-week", &instance, &report);
    assert_eq!(report.status, SolveStatus::Optimal);
    assert!(
        (report.roster.objective - 60.0).abs() <= 1e-6,
        "{}",
        report.roster.objective
    );
}

#[test]
fn lns_progress_reports_neighbourhoods() {
    let instance = bench("net-30-1w");
    let mut seen: Vec<Progress> = Vec::new();
    let report = solve(
        &instance,
        lns(2, Some(10), 120.0),
        &mut |progress| seen.push(progress),
        &AtomicBool::new(false),
    )
    .expect("solves");
    assert_sound("net-30-1w progress run", &instance, &report);
    assert!(!seen.is_empty(), "no progress reported");
    let greedy = report.greedy_objective.expect("greedy");
    for pair in seen.windows(2) {
        let (before, after) = (&pair[0], &pair[1]);
        assert!(
            after.neighbourhoods >= before.neighbourhoods,
            "neighbourhoods went from {} to {}",
            before.neighbourhoods,
            after.neighbourhoods
        );
        if let (Some(a), Some(b)) = (before.incumbent, after.incumbent) {
            assert!(b <= a + 1e-6, "the incumbent rose from {a} to {b}");
        }
        assert!(after.seconds >= before.seconds);
    }
    for progress in &seen {
        assert!(progress.neighbourhoods <= report.neighbourhoods);
        if let Some(incumbent) = progress.incumbent {
            assert!(
                incumbent <= greedy + 1e-6,
                "incumbent {incumbent} above greedy"
            );
            assert!(incumbent >= report.roster.objective - 1e-6);
        }
    }
    assert!(
        seen.iter().any(|p| p.neighbourhoods > 0),
        "no neighbourhood reported: {seen:?}"
    );
    assert!(
        seen.iter().all(|p| p.incumbent.is_some()),
        "the search always has an incumbent: {seen:?}"
    );
}

#[test]
fn the_search_honours_pins_and_forbids() {
    let path = format!(
        "{}/../instances/bench/net-30-1w.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("net-30");
    let base = Instance::from_toml_str(&text).expect("valid");
    let unpinned = solve_quietly(&base, lns(1, Some(10), 60.0)).roster;
    let clinics: Vec<_> = unpinned
        .assignments
        .iter()
        .filter(|a| a.activity == houniao::roster::Activity::Clinic)
        .collect();
    assert!(clinics.len() >= 3, "net-30 holds clinics");
    let (freed, kept, closed) = (
        clinics[0],
        clinics[clinics.len() / 2],
        clinics[clinics.len() - 1],
    );
    let pins = format!(
        r#"
[[pins]]
id = "away"
forbid = true
specialist = "{}"
date = "{}"
session = "{}"
[[pins]]
id = "kept"
specialist = "{}"
date = "{}"
session = "{}"
activity = "clinic"
room = "{}"
discipline = "{}"
[[pins]]
id = "closed"
forbid = true
room = "{}"
date = "{}"
"#,
        freed.specialist,
        freed.date,
        freed.session,
        kept.specialist,
        kept.date,
        kept.session,
        kept.room.as_deref().expect("room"),
        kept.discipline.as_deref().expect("discipline"),
        closed.room.as_deref().expect("room"),
        closed.date,
    );
    let pinned = Instance::from_toml_str(&format!("{text}\n{pins}")).expect("pins valid");
    let report = solve_quietly(&pinned, lns(1, Some(10), 60.0));
    assert_eq!(
        report.source,
        RosterSource::Lns,
        "the greedy start meets the pins"
    );
    assert_sound("net-30 pinned", &pinned, &report);
    let roster = &report.roster;
    assert!(
        !roster
            .assignments
            .iter()
            .any(|a| a.specialist == freed.specialist
                && a.date == freed.date
                && a.session == freed.session)
    );
    assert!(roster.assignments.iter().any(|a| a == kept));
    assert!(
        !roster
            .assignments
            .iter()
            .any(|a| a.room == closed.room && a.date == closed.date)
    );
}
