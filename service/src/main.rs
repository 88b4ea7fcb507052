//! The `houniao` command: a thin layer over the `houniao` library that turns its
//! results into text or JSON and its errors into messages and exit codes
//! (0 = fine, 1 = the input is invalid, 2 = usage or I/O error).

mod commands;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Scheduling visiting ("migratory") hospital specialists.
///
/// Exit status: 0 when everything checked is valid, 1 when something is invalid,
/// 2 on usage or I/O errors.
#[derive(Debug, Parser)]
#[command(name = "houniao", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate instance files (TOML or JSON) and list every problem with its field path.
    Validate {
        /// Instance files to validate.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<std::path::PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Check a roster against its instance: every hard rule, the objective recomputed.
    Check {
        /// The instance file (TOML or JSON).
        instance: std::path::PathBuf,
        /// The roster file (JSON, the format of PROBLEM.md §6).
        roster: std::path::PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Solve an instance: the roster minimising the objective, with a proven bound.
    ///
    /// A greedy roster is built first (the MILP's start, and the answer if HiGHS finds
    /// nothing better in time); then the exact MILP runs until it proves the gap or
    /// hits the time limit. Progress goes to stderr when it is a terminal.
    Solve {
        /// The instance file (TOML or JSON).
        instance: std::path::PathBuf,
        /// Wall-clock seconds for the whole solve.
        #[arg(long, default_value_t = 60.0, value_name = "S", value_parser = positive_seconds)]
        time_limit: f64,
        /// Relative gap at which to stop: 0.01 stops within 1% of optimal.
        #[arg(long, default_value_t = 1e-4, value_name = "G", value_parser = fraction)]
        gap: f64,
        /// Threads HiGHS may use (0: its default).
        #[arg(long, default_value_t = 0, value_name = "N")]
        threads: u32,
        /// Write the roster (JSON, PROBLEM.md §6) to this file.
        #[arg(short, long, value_name = "FILE")]
        output: Option<std::path::PathBuf>,
        /// Output format: a readable summary, or the roster JSON (a short JSON summary when
        /// `-o` is given).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Validate an instance and summarise what it holds.
    Summary {
        /// The instance file (TOML or JSON).
        instance: std::path::PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Readable text and tables.
    #[value(alias = "table")]
    Text,
    /// One JSON document on stdout.
    Json,
}

/// What a command concluded, as an exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Everything valid.
    Valid,
    /// Something invalid (reported on stdout).
    Invalid,
    /// Could not do the job (reported on stderr).
    Failed,
}

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> ExitCode {
        match outcome {
            Outcome::Valid => ExitCode::SUCCESS,
            Outcome::Invalid => ExitCode::from(1),
            Outcome::Failed => ExitCode::from(2),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Validate { files, format } => commands::validate::run(&files, format),
        Command::Check {
            instance,
            roster,
            format,
        } => commands::check::run(&instance, &roster, format),
        Command::Summary { instance, format } => commands::summary::run(&instance, format),
        Command::Solve {
            instance,
            time_limit,
            gap,
            threads,
            output,
            format,
        } => commands::solve::run(&commands::solve::SolveArgs {
            instance,
            time_limit,
            gap,
            threads,
            output,
            format,
        }),
    };
    match result {
        Ok(outcome) => outcome.into(),
        Err(error) => {
            eprintln!("houniao: {error:#}");
            Outcome::Failed.into()
        }
    }
}

fn positive_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() && value > 0.0 => Ok(value),
        _ => Err(format!(
            "expected a positive number of seconds, got {text:?}"
        )),
    }
}

fn fraction(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if (0.0..1.0).contains(&value) => Ok(value),
        _ => Err(format!("expected a fraction in [0, 1), got {text:?}")),
    }
}
