//! `houniao waitlist add | list | remove | export`: requests the call centre could not
//! place, kept in the booking ledger and exported as `[[requests]]` for the next solve.

use std::path::{Path, PathBuf};

use chrono::Utc;
use clap::Subcommand;
use houniao::booking::{LedgerFile, WaitlistEntry, export_requests, merge_into_instance};
use houniao::files::write_atomically;
use houniao::instance::SourceFormat;

use super::desk::{self, Access, PublishedArgs, RequestArgs};
use crate::{Format, Outcome};

/// The waitlist subcommands.
#[derive(Debug, Subcommand)]
pub enum WaitlistCommand {
    /// Put a request on the waitlist (with the reason it cannot be placed now).
    Add {
        #[command(flatten)]
        published: PublishedArgs,
        /// The booking ledger (JSON; created if missing).
        #[arg(long, value_name = "FILE")]
        book: PathBuf,
        /// The patient's opaque reference.
        #[arg(long, value_name = "REF")]
        patient: String,
        #[command(flatten)]
        request: RequestArgs,
    },
    /// List the requests waiting.
    List {
        /// The booking ledger (JSON).
        #[arg(long, value_name = "FILE")]
        book: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Take a request off the waitlist (booked by hand, or withdrawn).
    Remove {
        /// The booking ledger (JSON).
        #[arg(long, value_name = "FILE")]
        book: PathBuf,
        /// The waitlist entry (w-0001).
        #[arg(value_name = "ENTRY")]
        entry: String,
    },
    /// Export the waiting requests as `[[requests]]` for the next roster solve.
    Export {
        /// The booking ledger (JSON).
        #[arg(long, value_name = "FILE")]
        book: PathBuf,
        /// Append the requests to this instance (TOML or JSON) and write the whole,
        /// checked to be valid; without it, print only the `[[requests]]` tables.
        #[arg(long, value_name = "INSTANCE")]
        into: Option<PathBuf>,
        /// Write to this file (atomically) instead of stdout.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

pub fn run(command: &WaitlistCommand) -> anyhow::Result<Outcome> {
    match command {
        WaitlistCommand::Add {
            published,
            book,
            patient,
            request,
        } => add(published, book, &request.request(patient)),
        WaitlistCommand::List { book, format } => list(book, *format),
        WaitlistCommand::Remove { book, entry } => remove(book, entry),
        WaitlistCommand::Export { book, into, output } => {
            export(book, into.as_deref(), output.as_deref())
        }
    }
}

fn add(
    published: &PublishedArgs,
    book: &Path,
    request: &houniao::booking::PatientRequest,
) -> anyhow::Result<Outcome> {
    let mut desk = match desk::open(published, Some(book), Access::Change)? {
        Ok(desk) => desk,
        Err(outcome) => return Ok(outcome),
    };
    let entry = match desk.book.join_waitlist(request, desk.book.now()) {
        Ok(entry) => entry,
        Err(error) => return desk::report(error),
    };
    desk.save()?;
    println!(
        "waitlisted {}{}",
        entry.id,
        if entry.reason.is_empty() {
            " (note: the request can be booked now: see `houniao search`)".to_string()
        } else {
            format!(": {}", entry.reason)
        }
    );
    Ok(Outcome::Valid)
}

fn list(book: &Path, format: Format) -> anyhow::Result<Outcome> {
    let file = LedgerFile::lock_shared(book)?;
    let ledger = file.load("")?;
    let waiting = ledger.waiting();
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&waiting)?),
        Format::Text => {
            println!("{} request(s) waiting", waiting.len());
            for entry in waiting {
                println!("  {}", describe(entry));
            }
        }
    }
    Ok(Outcome::Valid)
}

fn describe(entry: &WaitlistEntry) -> String {
    let r = &entry.request;
    let who = r
        .specialist
        .clone()
        .or_else(|| r.discipline.clone())
        .unwrap_or_default();
    format!(
        "{} {who} {} … {} priority {} (since {}){}",
        entry.id,
        r.earliest,
        r.latest,
        r.priority,
        entry.added_at.format("%Y-%m-%d %H:%M UTC"),
        if entry.reason.is_empty() {
            String::new()
        } else {
            format!(": {}", entry.reason)
        }
    )
}

fn remove(book: &Path, id: &str) -> anyhow::Result<Outcome> {
    let file = LedgerFile::lock_exclusive(book)?;
    let mut ledger = file.load("")?;
    match ledger.leave_waitlist(id, Utc::now()) {
        Ok(entry) => {
            file.save(&ledger)?;
            println!("removed {} from the waitlist", entry.id);
            Ok(Outcome::Valid)
        }
        Err(error) => desk::report(error),
    }
}

fn export(book: &Path, into: Option<&Path>, output: Option<&Path>) -> anyhow::Result<Outcome> {
    let file = LedgerFile::lock_shared(book)?;
    let ledger = file.load("")?;
    let waiting = ledger.waiting();
    let text = match into {
        None => export_requests(&waiting),
        Some(base_path) => {
            let base = std::fs::read_to_string(base_path)
                .map_err(|e| anyhow::anyhow!("{}: {e}", base_path.display()))?;
            match merge_into_instance(&base, SourceFormat::detect(base_path, &base), &waiting) {
                Ok(merged) => merged,
                Err(error) => return desk::report(error),
            }
        }
    };
    match output {
        Some(path) => {
            write_atomically(path, text.as_bytes())
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            eprintln!(
                "{} waiting request(s) written to {}",
                waiting.len(),
                path.display()
            );
        }
        None => print!("{text}"),
    }
    Ok(Outcome::Valid)
}
