//! The `houniao` command: a thin layer over the `houniao` library that turns its
//! results into text or JSON and its errors into messages and exit codes
//! (0 = fine, 1 = the input is invalid, 2 = usage or I/O error).

mod commands;
mod server;
mod web;

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
    /// Find the sessions of a published roster that can take a patient, best first.
    ///
    /// Ranking: the named expert first (substitutes only with --substitute-ok, after
    /// them), then the earliest date and session, then the order of --site, then the
    /// most places left. When the expert cannot be had in the window the answer says
    /// why and offers the nearest alternatives outside it.
    Search(commands::search::SearchArgs),
    /// Book a patient into a session of a published roster (the best, or --option).
    ///
    /// Fails cleanly (exit 1, with the alternatives) when the place was taken
    /// meanwhile. The ledger file is locked while it is read, changed and atomically
    /// written, so concurrent agents never lose a booking.
    Book(commands::book::BookArgs),
    /// Cancel a booking (a ledger id, or the request id of a roster booking), or a
    /// whole one-trip bundle (trip-0001).
    Cancel(commands::book::CancelArgs),
    /// The one-trip pathway: steps (a CT, then the screening clinic) searched as one
    /// option and, with --book, booked all or none.
    Trip(commands::trip::TripArgs),
    /// The green channel: a positive screening finding as a surgery due within a week,
    /// for the next solve (a surgeries entry, or -o: the instance with it added).
    GreenChannel(commands::green_channel::GreenChannelArgs),
    /// List the active bookings, of one session or one patient.
    Bookings(commands::book::BookingsArgs),
    /// The waitlist: requests that could not be placed, exported for the next solve.
    #[command(subcommand)]
    Waitlist(commands::waitlist::WaitlistCommand),
    /// Urgent MDT: the earliest slots in which a board can sit, and who would join.
    Convene(commands::convene::ConveneArgs),
    /// Compare what-if scenarios: the base and each scenario solved, one table of KPIs.
    ///
    /// Solves run in parallel (--jobs), sharing the cores with HiGHS's threads. Each
    /// column also says how many assignments and bookings differ from the base roster.
    Whatif(commands::whatif::WhatIfArgs),
    /// Re-plan a published roster after a change, moving as little as possible.
    ///
    /// Reports every assignment that moved and every patient to call (old slot, new
    /// slot or unplaced); re-books the call-centre ledger into the new roster.
    Repair(commands::repair::RepairArgs),
    /// A roster as an iCalendar feed (RFC 5545) of one specialist, site or board.
    ///
    /// Stable UIDs from the entries' keys; with --previous, events a later publication
    /// changed have a higher SEQUENCE and removed ones come as STATUS:CANCELLED.
    Calendar(commands::calendar::CalendarArgs),
    /// A roster as spreadsheets: a rota per site, MDT seats, surgeries, bookings.
    Export(commands::export::ExportArgs),
    /// What changed for whom between two rosters: activities moved, patients to call.
    Diff(commands::diff::DiffArgs),
    /// Apply a scenario to an instance: what changed, and the changed instance (-o).
    Scenario(commands::whatif::ScenarioArgs),
    /// Run the HTTP service: instances, solves, published rosters, booking, convening.
    ///
    /// Defaults: listen on 127.0.0.1:8080, store in ./houniao.db. Without any token
    /// configured, an admin token is created on the first start and printed once.
    Serve(server::ServeArgs),
    /// Generate a valid instance shaped like the seed networks (seeded, reproducible).
    ///
    /// One hub, county hospitals and community centres; visiting experts with
    /// residencies, studios, MDT boards, clinic demand, surgeries and requests. The
    /// same options give the same bytes; the first line of the file is the command
    /// that regenerates it. Prints to stdout without -o.
    Generate(commands::generate::GenerateArgs),
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

/// Makes a closed stdout (`houniao … | head`) end the program quietly, as `cat` does,
/// instead of with a panic message: `println!` panics when the reader has gone.
fn quiet_when_the_reader_goes_away() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

fn main() -> ExitCode {
    quiet_when_the_reader_goes_away();
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
        Command::Search(args) => commands::search::run(&args),
        Command::Book(args) => commands::book::run(&args),
        Command::Cancel(args) => commands::book::cancel(&args),
        Command::Trip(args) => commands::trip::run(&args),
        Command::GreenChannel(args) => commands::green_channel::run(&args),
        Command::Bookings(args) => commands::book::list(&args),
        Command::Waitlist(command) => commands::waitlist::run(&command),
        Command::Convene(args) => commands::convene::run(&args),
        Command::Whatif(args) => commands::whatif::run(&args),
        Command::Scenario(args) => commands::whatif::apply(&args),
        Command::Repair(args) => commands::repair::run(&args),
        Command::Calendar(args) => commands::calendar::run(&args),
        Command::Export(args) => commands::export::run(&args),
        Command::Diff(args) => commands::diff::run(&args),
        Command::Generate(args) => commands::generate::run(&args),
        Command::Serve(args) => server::run(&args).map(|()| Outcome::Valid),
    };
    match result {
        Ok(outcome) => outcome.into(),
        Err(error) => {
            eprintln!("houniao: {error:#}");
            Outcome::Failed.into()
        }
    }
}
