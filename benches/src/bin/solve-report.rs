//! Prints the optimizer table of docs/performance.md: per shipped instance the model
//! size, the greedy objective, the time to the first incumbent (with and without the
//! greedy MIP start), the time to a proven 1% gap, and the objective, bound and gap
//! after a solve at the default gap within a time limit.
//!
//! Run: `cargo run --release -p houniao-benches --bin solve-report [-- SECONDS]`
//! (SECONDS: the time limit of the final solve, default 30).

use std::sync::atomic::AtomicBool;

use houniao::solve::{SolveOptions, SolveReport, SolveStatus, solve};
use houniao_benches::{SHIPPED, shipped};

fn run(name: &str, options: SolveOptions) -> SolveReport {
    let instance = shipped(name);
    solve(&instance, options, &mut |_| {}, &AtomicBool::new(false))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn seconds(value: Option<f64>) -> String {
    value.map_or("—".into(), |s| format!("{s:.2} s"))
}

fn main() {
    let limit: f64 = std::env::args()
        .nth(1)
        .map_or(30.0, |a| a.parse().expect("SECONDS is a number"));
    println!(
        "| instance | variables | constraints | greedy | first incumbent (start / no start) | to 1% gap | objective ({limit:.0} s) | bound | gap | status | MILP vs greedy |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for name in SHIPPED {
        let cold = run(
            name,
            SolveOptions {
                time_limit: limit,
                gap: 0.01,
                mip_start: false,
                ..SolveOptions::default()
            },
        );
        let to_one_percent = run(
            name,
            SolveOptions {
                time_limit: limit,
                gap: 0.01,
                ..SolveOptions::default()
            },
        );
        let full = run(
            name,
            SolveOptions {
                time_limit: limit,
                ..SolveOptions::default()
            },
        );
        let greedy = full.greedy_objective.expect("greedy roster");
        let reached = to_one_percent.roster.gap.is_some_and(|g| g <= 0.01);
        let status = match full.status {
            SolveStatus::Optimal => "optimal".to_string(),
            SolveStatus::Feasible { .. } => "feasible".to_string(),
            SolveStatus::NoSolutionInTime => "no MILP solution".to_string(),
        };
        println!(
            "| {name} | {} | {} | {greedy} | {} / {} | {} | {} | {:.1} | {:.2}% | {status} | {:.1}% better |",
            full.stats.variables,
            full.stats.constraints,
            seconds(
                full.first_incumbent_seconds
                    .map(|s| s + full.greedy_seconds)
            ),
            seconds(
                cold.first_incumbent_seconds
                    .map(|s| s + cold.greedy_seconds)
            ),
            if reached {
                seconds(Some(to_one_percent.seconds))
            } else {
                format!("not in {limit:.0} s")
            },
            full.roster.objective,
            full.roster.bound.unwrap_or(f64::NAN),
            100.0 * full.roster.gap.unwrap_or(f64::NAN),
            100.0 * (greedy - full.roster.objective) / greedy.abs().max(1.0),
        );
    }
}
