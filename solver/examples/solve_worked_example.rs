//! The library in a few lines: load an instance, solve it, check the roster against the
//! hard rules and print what it costs. Run it from the workspace root with
//!
//! ```text
//! cargo run --release -p houniao --example solve_worked_example [INSTANCE.toml]
//! ```
//!
//! Without an argument it solves the worked example of PROBLEM.md (objective 60).

use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use houniao::Instance;
use houniao::check::check;
use houniao::solve::{SolveOptions, solve};

fn main() -> ExitCode {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "instances/example-week.toml".to_owned());
    let instance = match std::fs::read_to_string(&path)
        .map_err(|error| error.to_string())
        .and_then(|text| Instance::from_toml_str(&text).map_err(|error| error.to_string()))
    {
        Ok(instance) => instance,
        Err(error) => {
            eprintln!("{path}: {error}");
            return ExitCode::from(2);
        }
    };
    let options = SolveOptions {
        time_limit: 30.0,
        ..SolveOptions::default()
    };
    let stop = AtomicBool::new(false);
    let report = match solve(&instance, options, &mut |_| {}, &stop) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("{path}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let checked = check(&instance, &report.roster);
    println!(
        "{path}: {:?}, objective {}, bound {:?}, {} unmet, check {}",
        report.status,
        report.roster.objective,
        report.bound,
        report.roster.unmet.len(),
        if checked.passed() { "passed" } else { "FAILED" }
    );
    for violation in &checked.violations {
        println!("  {violation}");
    }
    if checked.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
