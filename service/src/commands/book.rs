//! `houniao book`, `houniao cancel` and `houniao bookings`: changing and listing the
//! booking ledger of a published roster. Every change holds the ledger's lock from
//! reading to the atomic save, so concurrent agents never lose a booking.

use std::path::PathBuf;

use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use houniao::booking::{BookingError, SessionRef};

use super::desk::{self, Access, PublishedArgs, RequestArgs};
use crate::{Format, Outcome};

/// The arguments of `houniao book`.
#[derive(Debug, clap::Args)]
pub struct BookArgs {
    #[command(flatten)]
    pub published: PublishedArgs,
    /// The booking ledger (JSON; created if missing).
    #[arg(long, value_name = "FILE")]
    pub book: PathBuf,
    /// The patient's opaque reference.
    #[arg(long, value_name = "REF")]
    pub patient: String,
    #[command(flatten)]
    pub request: RequestArgs,
    /// The option to book (an id from `houniao search`, SPECIALIST@DATE:SESSION);
    /// default the best-ranked one.
    #[arg(long, value_name = "OPTION", value_parser = option)]
    pub option: Option<SessionRef>,
    /// When nothing can be booked, put the request on the waitlist.
    #[arg(long)]
    pub or_waitlist: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

fn option(text: &str) -> Result<SessionRef, String> {
    text.parse()
}

pub fn run(args: &BookArgs) -> anyhow::Result<Outcome> {
    let mut desk = match desk::open(&args.published, Some(&args.book), Access::Change)? {
        Ok(desk) => desk,
        Err(outcome) => return Ok(outcome),
    };
    let request = args.request.request(&args.patient);
    let now = desk.book.now();
    let booked = match &args.option {
        Some(option) => desk.book.book(&request, option, now),
        None => desk.book.book_best(&request, now),
    };
    let confirmation = match booked {
        Ok(confirmation) => confirmation,
        Err(BookingError::NoOption { reason, .. }) if args.or_waitlist => {
            let entry = match desk.book.join_waitlist(&request, now) {
                Ok(entry) => entry,
                Err(error) => return desk::report(error),
            };
            desk.save()?;
            match args.format {
                Format::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "booked": false,
                        "waitlist": entry,
                    }))?
                ),
                Format::Text => println!(
                    "nothing to book ({reason}); waitlisted as {} in {}",
                    entry.id,
                    args.book.display()
                ),
            }
            return Ok(Outcome::Invalid);
        }
        Err(error) => {
            if args.format == Format::Json {
                print_json_error(&error)?;
                return Ok(if error.is_input_problem() {
                    Outcome::Invalid
                } else {
                    Outcome::Failed
                });
            }
            return desk::report(error);
        }
    };
    desk.save()?;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&confirmation)?),
        Format::Text => {
            let option = &confirmation.option;
            println!(
                "booked {}: {}{} on {} {} at {} ({}{}); {} of {} place(s) left",
                confirmation.booking.id,
                option.specialist_name,
                if option.substitute {
                    " (substitute)"
                } else {
                    ""
                },
                option.session.date.format("%a %Y-%m-%d"),
                option.session.session,
                option.site_name,
                option.site,
                option
                    .room
                    .as_ref()
                    .map(|room| format!(", room {room}"))
                    .unwrap_or_default(),
                option.places_left,
                option.capacity
            );
            if !confirmation.left_waitlist.is_empty() {
                println!(
                    "  taken off the waitlist: {}",
                    confirmation.left_waitlist.join(", ")
                );
            }
        }
    }
    Ok(Outcome::Valid)
}

/// A refused booking as JSON (`{error, detail, alternatives}`) for scripts.
fn print_json_error(error: &BookingError) -> anyhow::Result<()> {
    let kind = match error {
        BookingError::Taken { .. } => "taken",
        BookingError::DoesNotFit { .. } => "does_not_fit",
        BookingError::NotASession { .. } => "not_a_session",
        BookingError::AlreadyBooked { .. } => "already_booked",
        BookingError::NoOption { .. } => "no_option",
        BookingError::InvalidRequest { .. } => "invalid_request",
        _ => "error",
    };
    let mut value = serde_json::json!({ "error": kind, "detail": error.to_string() });
    match error {
        BookingError::Taken { alternatives, .. } => {
            value["alternatives"] = serde_json::to_value(alternatives)?
        }
        BookingError::NoOption { result, .. } => {
            value["alternatives"] = serde_json::to_value(result)?
        }
        BookingError::InvalidRequest { problems } => {
            value["problems"] = serde_json::to_value(problems)?
        }
        _ => {}
    }
    println!("{}", serde_json::to_string_pretty(&value)?);
    Ok(())
}

/// The arguments of `houniao cancel`.
#[derive(Debug, clap::Args)]
pub struct CancelArgs {
    #[command(flatten)]
    pub published: PublishedArgs,
    /// The booking ledger (JSON).
    #[arg(long, value_name = "FILE")]
    pub book: PathBuf,
    /// The booking to cancel: a ledger id (b-0001) or the request id of a roster booking.
    #[arg(value_name = "BOOKING")]
    pub booking: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub fn cancel(args: &CancelArgs) -> anyhow::Result<Outcome> {
    let mut desk = match desk::open(&args.published, Some(&args.book), Access::Change)? {
        Ok(desk) => desk,
        Err(outcome) => return Ok(outcome),
    };
    if args.booking.starts_with("trip-") {
        let cancelled = match desk.book.cancel_bundle(&args.booking, desk.book.now()) {
            Ok(cancelled) => cancelled,
            Err(error) => return desk::report(error),
        };
        desk.save()?;
        match args.format {
            Format::Json => println!("{}", serde_json::to_string_pretty(&cancelled)?),
            Format::Text => {
                println!("cancelled trip {}:", args.booking);
                for step in &cancelled {
                    println!(
                        "  {}: {} has {} place(s) left",
                        step.id, step.session, step.places_left
                    );
                }
            }
        }
        return Ok(Outcome::Valid);
    }
    let cancellation = match desk.book.cancel(&args.booking, desk.book.now()) {
        Ok(cancellation) => cancellation,
        Err(error) => return desk::report(error),
    };
    desk.save()?;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&cancellation)?),
        Format::Text => {
            println!(
                "cancelled {}: {} has {} place(s) left",
                cancellation.id, cancellation.session, cancellation.places_left
            );
            for matched in &cancellation.waitlist_matches {
                println!(
                    "  waitlisted {} fits the freed place ({}{})",
                    matched.entry,
                    matched.option.id,
                    if matched.option.substitute {
                        ", as a substitute"
                    } else {
                        ""
                    }
                );
            }
            for offer in &cancellation.offers {
                println!("  {}", desk::describe_offer(offer));
            }
        }
    }
    Ok(Outcome::Valid)
}

/// The arguments of `houniao bookings`.
#[derive(Debug, clap::Args)]
pub struct BookingsArgs {
    #[command(flatten)]
    pub published: PublishedArgs,
    /// The booking ledger (JSON); without it, the roster's own bookings.
    #[arg(long, value_name = "FILE")]
    pub book: Option<PathBuf>,
    /// Only the bookings of this session (SPECIALIST@DATE:SESSION).
    #[arg(long, value_name = "OPTION", value_parser = option)]
    pub session: Option<SessionRef>,
    /// Only the bookings of this patient.
    #[arg(long, value_name = "REF")]
    pub patient: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub fn list(args: &BookingsArgs) -> anyhow::Result<Outcome> {
    let desk = match desk::open(&args.published, args.book.as_deref(), Access::Read)? {
        Ok(desk) => desk,
        Err(outcome) => return Ok(outcome),
    };
    let bookings = match desk
        .book
        .bookings(args.session.as_ref(), args.patient.as_deref())
    {
        Ok(bookings) => bookings,
        Err(error) => return desk::report(error),
    };
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&bookings)?),
        Format::Text => {
            println!("{} active booking(s)", bookings.len());
            if bookings.is_empty() {
                return Ok(Outcome::Valid);
            }
            let mut table = Table::new();
            table.load_preset(UTF8_FULL_CONDENSED);
            table.set_header([
                "booking",
                "from",
                "patient",
                "session",
                "site",
                "substitute",
            ]);
            for b in &bookings {
                table.add_row([
                    b.id.clone(),
                    b.origin.to_string(),
                    b.patient.clone(),
                    b.session.to_string(),
                    b.site.clone(),
                    if b.substitute { "yes" } else { "" }.to_string(),
                ]);
            }
            println!("{table}");
        }
    }
    Ok(Outcome::Valid)
}
