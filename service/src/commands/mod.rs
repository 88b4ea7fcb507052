//! One module per subcommand, plus the shared way of reporting instance errors.

pub mod book;
pub mod check;
pub mod convene;
pub mod desk;
pub mod generate;
pub mod repair;
pub mod search;
pub mod solve;
pub mod summary;
pub mod validate;
pub mod waitlist;
pub mod whatif;

use std::path::Path;

use houniao::InstanceError;
use houniao::diagnostics::Severity;

/// Whether the error is about the input's content (exit 1) rather than I/O (exit 2).
pub fn is_input_problem(error: &InstanceError) -> bool {
    !matches!(error, InstanceError::Io { .. })
}

/// Prints every problem of an unreadable or invalid file, one per line.
pub fn print_instance_error(file: &Path, error: &InstanceError) {
    match error {
        InstanceError::Invalid { diagnostics } => {
            let errors = diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count();
            let warnings = diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Warning)
                .count();
            println!(
                "{}: invalid, {errors} error(s){}",
                file.display(),
                if warnings > 0 {
                    format!(", {warnings} warning(s)")
                } else {
                    String::new()
                }
            );
            for diagnostic in diagnostics {
                println!("  {diagnostic}");
            }
        }
        other => println!("{}: {other}", file.display()),
    }
}

/// An objective figure: whole numbers without decimals, others with two.
pub fn number(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}
