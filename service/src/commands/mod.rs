//! One module per subcommand, plus the shared way of reporting instance errors.

pub mod book;
pub mod calendar;
pub mod check;
pub mod convene;
pub mod desk;
pub mod diff;
pub mod export;
pub mod generate;
pub mod green_channel;
pub mod repair;
pub mod search;
pub mod solve;
pub mod summary;
pub mod trip;
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

/// Reads an instance; `None` when it is invalid (every problem printed).
pub fn open_instance(path: &Path) -> anyhow::Result<Option<houniao::Instance>> {
    match houniao::Instance::from_path(path) {
        Ok(instance) => Ok(Some(instance)),
        Err(error) if is_input_problem(&error) => {
            print_instance_error(path, &error);
            Ok(None)
        }
        Err(error) => Err(error.into()),
    }
}

/// Reads a roster; `None` when it is not one (the reason printed).
pub fn open_roster(path: &Path) -> anyhow::Result<Option<houniao::Roster>> {
    match houniao::Roster::from_path(path) {
        Ok(roster) => Ok(Some(roster)),
        Err(error) if is_input_problem(&error) => {
            println!("{}: not a roster: {error}", path.display());
            Ok(None)
        }
        Err(error) => Err(error.into()),
    }
}

/// The language asked for with `--lang`, else the instance's.
pub fn language(
    asked: Option<&str>,
    instance: &houniao::Instance,
) -> anyhow::Result<houniao::agenda::Language> {
    match asked {
        None => Ok(houniao::agenda::Language::of(instance)),
        Some(tag) => houniao::agenda::Language::parse(tag)
            .ok_or_else(|| anyhow::anyhow!("unknown language \"{tag}\" (use zh-CN or en)")),
    }
}

/// Writes `bytes` to `path` atomically, or to stdout without one.
pub fn write_output(path: Option<&Path>, bytes: &[u8]) -> anyhow::Result<()> {
    use anyhow::Context;
    use std::io::Write;
    match path {
        Some(path) => houniao::files::write_atomically(path, bytes)
            .with_context(|| format!("cannot write {}", path.display())),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(bytes)?;
            stdout.flush()?;
            Ok(())
        }
    }
}
