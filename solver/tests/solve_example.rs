//! The optimizer on the worked example: optimal, objective 60, and the checker agrees.

use std::sync::atomic::AtomicBool;

use houniao::Instance;
use houniao::check::check;
use houniao::solve::{SolveOptions, SolveStatus, solve};

#[test]
fn the_example_solves_to_optimal_60() {
    let instance =
        Instance::from_toml_str(include_str!("../../instances/example-week.toml")).expect("valid");
    let options = SolveOptions {
        time_limit: 20.0,
        gap: 1e-6,
        threads: 1,
    };
    let report = solve(&instance, options, &mut |_| {}, &AtomicBool::new(false)).expect("solves");
    println!("{}", serde_json::to_string_pretty(&report.roster).unwrap());
    println!(
        "greedy {:?} start {:?} model {:?} milp {:?} bound {:?}",
        report.greedy_objective,
        report.start_objective,
        report.model_objective,
        report.milp_objective,
        report.bound
    );
    let checked = check(&instance, &report.roster);
    assert!(checked.passed(), "{:#?}", checked);
    assert_eq!(report.status, SolveStatus::Optimal);
    assert!(
        (report.roster.objective - 60.0).abs() < 1e-6,
        "objective {}",
        report.roster.objective
    );
}
