//! `houniao waitlist add | list | remove | export | offers | accept | decline`: requests
//! the call centre could not place, kept in the booking ledger and exported as
//! `[[requests]]` for the next solve, and the offers of freed places made to them.

use std::path::{Path, PathBuf};

use chrono::Utc;
use clap::Subcommand;
use houniao::booking::{LedgerFile, Offer, WaitlistEntry, export_requests, merge_into_instance};
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
    /// The offers of freed places to waitlisted requests (offers past their time are
    /// expired and passed on first, and the ledger saved).
    Offers {
        #[command(flatten)]
        published: PublishedArgs,
        /// The booking ledger (JSON).
        #[arg(long, value_name = "FILE")]
        book: PathBuf,
        /// Every offer, not only the pending ones.
        #[arg(long)]
        all: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Accept a pending offer: book its place, and cancel the patient's later booking
    /// in the discipline (its place may be offered to the next in rank).
    Accept {
        #[command(flatten)]
        published: PublishedArgs,
        /// The booking ledger (JSON).
        #[arg(long, value_name = "FILE")]
        book: PathBuf,
        /// The offer (o-0001).
        #[arg(value_name = "OFFER")]
        offer: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Decline a pending offer: its place is offered to the next in rank.
    Decline {
        #[command(flatten)]
        published: PublishedArgs,
        /// The booking ledger (JSON).
        #[arg(long, value_name = "FILE")]
        book: PathBuf,
        /// The offer (o-0001).
        #[arg(value_name = "OFFER")]
        offer: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
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
        WaitlistCommand::Offers {
            published,
            book,
            all,
            format,
        } => offers(published, book, *all, *format),
        WaitlistCommand::Accept {
            published,
            book,
            offer,
            format,
        } => accept(published, book, offer, *format),
        WaitlistCommand::Decline {
            published,
            book,
            offer,
            format,
        } => decline(published, book, offer, *format),
    }
}

fn offers(
    published: &PublishedArgs,
    book: &Path,
    all: bool,
    format: Format,
) -> anyhow::Result<Outcome> {
    let mut desk = match desk::open(published, Some(book), Access::Change)? {
        Ok(desk) => desk,
        Err(outcome) => return Ok(outcome),
    };
    let now = desk.book.now();
    if !desk.book.settle_offers(now).is_empty() {
        desk.save()?;
    }
    let shown: Vec<&Offer> = desk
        .book
        .offers()
        .iter()
        .filter(|o| all || o.is_pending())
        .collect();
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&shown)?),
        Format::Text => {
            let pending = shown.iter().filter(|o| o.is_pending()).count();
            println!("{} offer(s), {pending} pending", shown.len());
            for offer in shown {
                println!("  {}", desk::describe_offer(offer));
            }
        }
    }
    Ok(Outcome::Valid)
}

fn accept(
    published: &PublishedArgs,
    book: &Path,
    offer: &str,
    format: Format,
) -> anyhow::Result<Outcome> {
    let mut desk = match desk::open(published, Some(book), Access::Change)? {
        Ok(desk) => desk,
        Err(outcome) => return Ok(outcome),
    };
    let accepted = match desk.book.accept_offer(offer, desk.book.now()) {
        Ok(accepted) => accepted,
        Err(error) => return desk::report(error),
    };
    desk.save()?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&accepted)?),
        Format::Text => {
            let booking = &accepted.confirmation.booking;
            println!(
                "accepted {}: booked {} in {}; {} place(s) left",
                accepted.offer.id,
                booking.id,
                booking.session,
                accepted.confirmation.option.places_left
            );
            if !accepted.confirmation.left_waitlist.is_empty() {
                println!(
                    "  taken off the waitlist: {}",
                    accepted.confirmation.left_waitlist.join(", ")
                );
            }
            if let Some(released) = &accepted.released {
                println!(
                    "  released the later booking {} ({})",
                    released.id, released.session
                );
                for next in &released.offers {
                    println!("  {}", desk::describe_offer(next));
                }
            }
        }
    }
    Ok(Outcome::Valid)
}

fn decline(
    published: &PublishedArgs,
    book: &Path,
    offer: &str,
    format: Format,
) -> anyhow::Result<Outcome> {
    let mut desk = match desk::open(published, Some(book), Access::Change)? {
        Ok(desk) => desk,
        Err(outcome) => return Ok(outcome),
    };
    let declined = match desk.book.decline_offer(offer, desk.book.now()) {
        Ok(declined) => declined,
        Err(error) => return desk::report(error),
    };
    desk.save()?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&declined)?),
        Format::Text => {
            println!(
                "declined {} ({})",
                declined.offer.id, declined.offer.session
            );
            match &declined.next {
                Some(next) => println!("  {}", desk::describe_offer(next)),
                None => println!("  nobody else waiting fits the place: it is free"),
            }
        }
    }
    Ok(Outcome::Valid)
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
