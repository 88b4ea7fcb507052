//! The optimizer on the worked example of PROBLEM.md: optimal, objective 60, and the
//! reference checker agrees with every figure of the roster.

use std::sync::atomic::AtomicBool;

use houniao::Instance;
use houniao::check::check;
use houniao::solve::{RosterSource, SolveOptions, SolveStatus, solve};

#[test]
fn the_example_solves_to_optimal_60() {
    let instance =
        Instance::from_toml_str(include_str!("../../instances/example-week.toml")).expect("valid");
    let options = SolveOptions {
        time_limit: 20.0,
        threads: 1,
        ..SolveOptions::default()
    };
    let report = solve(&instance, options, &mut |_| {}, &AtomicBool::new(false)).expect("solves");
    let checked = check(&instance, &report.roster);
    assert!(checked.passed(), "{checked:#?}");
    assert_eq!(report.status, SolveStatus::Optimal);
    assert_eq!(report.source, RosterSource::Milp);
    assert_eq!(report.roster.objective, 60.0);
    assert_eq!(report.roster.objective_terms.total(), 60.0);
    assert_eq!(report.bound, Some(60.0));
    assert_eq!(report.roster.gap, Some(0.0));
    // 57 in visiting-day cost, 3 in waiting days (PROBLEM.md §6).
    let terms = &report.roster.objective_terms;
    assert_eq!(terms[houniao::objective::Term::VisitingDayCost], 57.0);
    assert_eq!(terms[houniao::objective::Term::WaitDay], 3.0);
    assert!(report.roster.unmet.is_empty(), "{:?}", report.roster.unmet);
}
