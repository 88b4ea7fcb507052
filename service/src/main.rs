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
    Solve(commands::solve::SolveArgs),
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
        Command::Solve(args) => commands::solve::run(&args),
    };
    match result {
        Ok(outcome) => outcome.into(),
        Err(error) => {
            eprintln!("houniao: {error:#}");
            Outcome::Failed.into()
        }
    }
}
