//! What the call-centre commands share: the published instance and roster, the ledger
//! file (locked for the whole command), the request flags, and how booking errors and
//! options are shown.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use houniao::booking::{
    Alternative, BookingBook, BookingError, DEFAULT_OFFER_HOLD_MINUTES, Ledger, LedgerFile, Offer,
    OfferState, PatientRequest, SearchResult, SlotOption, from_session_clock, session_clock,
};
use houniao::calendar::parse_date;
use houniao::{Instance, Roster};

use super::{is_input_problem, print_instance_error};
use crate::Outcome;

/// The published roster the call centre books against.
#[derive(Debug, clap::Args)]
pub struct PublishedArgs {
    /// The instance file (TOML or JSON).
    pub instance: PathBuf,
    /// The published roster (JSON, PROBLEM.md §6).
    pub roster: PathBuf,
    /// The desk's clock on the instance's session clock (China Standard Time), e.g.
    /// 2026-03-02T08:00:00: when reserved places are released; default now.
    #[arg(long, value_name = "DATETIME", value_parser = datetime)]
    pub at: Option<NaiveDateTime>,
    /// How long an offer of a freed place to a waitlisted request holds the place, in
    /// minutes (docs/booking.md § Offers).
    #[arg(long, value_name = "MINUTES", default_value_t = DEFAULT_OFFER_HOLD_MINUTES,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub offer_hold_minutes: u32,
}

/// What the patient asks for.
#[derive(Debug, clap::Args)]
pub struct RequestArgs {
    /// The expert the patient names (a specialist id).
    #[arg(long, value_name = "ID", required_unless_present_any = ["discipline", "resource", "resource_kind"])]
    pub specialist: Option<String>,
    /// The discipline wanted (required without --specialist; with it, the discipline a
    /// substitute must have, by default the expert's first).
    #[arg(long, value_name = "DISCIPLINE")]
    pub discipline: Option<String>,
    /// First acceptable date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = date)]
    pub from: NaiveDate,
    /// Last acceptable date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = date)]
    pub to: NaiveDate,
    /// Allowed sites in order of preference (repeat, or separate with commas); default any.
    #[arg(long = "site", value_name = "SITE", value_delimiter = ',')]
    pub sites: Vec<String>,
    /// Another specialist of the discipline will do.
    #[arg(long)]
    pub substitute_ok: bool,
    /// Priority 1 (routine) to 5 (most urgent).
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=5))]
    pub priority: u8,
    /// The community centre (a site id) referring the patient: its referrals may take
    /// the places a pool holds for it.
    #[arg(long, value_name = "SITE")]
    pub referred_by: Option<String>,
    /// A resource (e.g. a CT scanner's id) instead of a specialist or discipline.
    #[arg(long, value_name = "ID", conflicts_with_all = ["specialist", "discipline", "substitute_ok", "resource_kind"])]
    pub resource: Option<String>,
    /// Any resource of this kind (e.g. ct) instead of a specialist or discipline.
    #[arg(long, value_name = "KIND", conflicts_with_all = ["specialist", "discipline", "substitute_ok"])]
    pub resource_kind: Option<String>,
}

impl RequestArgs {
    /// The request for a patient (empty when only searching).
    pub fn request(&self, patient: &str) -> PatientRequest {
        PatientRequest {
            patient: patient.to_string(),
            specialist: self.specialist.clone(),
            discipline: self.discipline.clone(),
            sites: self.sites.clone(),
            earliest: self.from,
            latest: self.to,
            substitute_ok: self.substitute_ok,
            priority: self.priority,
            referred_by: self.referred_by.clone(),
            resource: self.resource.clone(),
            resource_kind: self.resource_kind.clone(),
        }
    }
}

/// Parses a `YYYY-MM-DDTHH:MM[:SS]` flag.
pub fn datetime(text: &str) -> Result<NaiveDateTime, String> {
    ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .ok_or_else(|| format!("expected a date and time YYYY-MM-DDTHH:MM:SS, got {text:?}"))
}

/// Parses a `YYYY-MM-DD` flag.
pub fn date(text: &str) -> Result<NaiveDate, String> {
    parse_date(text).ok_or_else(|| format!("expected a date YYYY-MM-DD, got {text:?}"))
}

/// An open booking book and, when changes are to be saved, its locked ledger file.
pub struct Desk {
    pub book: BookingBook,
    file: Option<LedgerFile>,
}

impl Desk {
    /// Saves the ledger (atomically) to the file it was read from.
    pub fn save(&self) -> anyhow::Result<()> {
        if let Some(file) = &self.file {
            file.save(self.book.ledger())?;
        }
        Ok(())
    }
}

/// How a ledger file is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reading only: waits while someone changes it.
    Read,
    /// Load, change, save: exclusive for the whole command.
    Change,
}

/// Opens instance, roster and ledger. `Ok(Err(outcome))` when the input was invalid
/// (already reported on stdout).
pub fn open(
    published: &PublishedArgs,
    ledger: Option<&Path>,
    access: Access,
) -> anyhow::Result<Result<Desk, Outcome>> {
    let instance = match Instance::from_path(&published.instance) {
        Ok(instance) => instance,
        Err(error) if is_input_problem(&error) => {
            print_instance_error(&published.instance, &error);
            return Ok(Err(Outcome::Invalid));
        }
        Err(error) => return Err(error.into()),
    };
    let roster = match Roster::from_path(&published.roster) {
        Ok(roster) => roster,
        Err(error) if is_input_problem(&error) => {
            println!("{}: not a roster: {error}", published.roster.display());
            return Ok(Err(Outcome::Invalid));
        }
        Err(error) => return Err(error.into()),
    };
    let file = ledger
        .map(|path| match access {
            Access::Read => LedgerFile::lock_shared(path),
            Access::Change => LedgerFile::lock_exclusive(path),
        })
        .transpose()?;
    let loaded = match &file {
        Some(file) => file.load(&instance.name),
        None => Ok(Ledger::new(&instance.name)),
    };
    let opened = loaded.and_then(|ledger| BookingBook::open(Arc::new(instance), &roster, ledger));
    match opened {
        Ok(mut book) => {
            book.set_clock(published.at.map(from_session_clock));
            book.set_offer_hold(chrono::Duration::minutes(i64::from(
                published.offer_hold_minutes,
            )));
            Ok(Ok(Desk { book, file }))
        }
        Err(error) => report(error).map(Err),
    }
}

/// Prints a booking error: input problems on stdout (exit 1), the rest as an error (exit 2).
pub fn report(error: BookingError) -> anyhow::Result<Outcome> {
    if !error.is_input_problem() {
        return Err(error.into());
    }
    match &error {
        BookingError::InvalidRequest { problems } | BookingError::MergeInvalid { problems } => {
            let head = if matches!(error, BookingError::InvalidRequest { .. }) {
                "invalid request"
            } else {
                "the waitlist does not merge into the instance"
            };
            println!("{head}: {} problem(s)", problems.len());
            for problem in problems {
                println!("  {problem}");
            }
        }
        BookingError::Taken { alternatives, .. } => {
            println!("taken: {error}");
            print_result(alternatives, "what can be offered now");
        }
        BookingError::NoOption { result, .. } => {
            println!("nothing to book: no session in the window can take the request");
            print_result(result, "");
        }
        other => println!("{other}"),
    }
    Ok(Outcome::Invalid)
}

/// The options as a table, then the reasons and alternatives.
pub fn print_result(result: &SearchResult, heading: &str) {
    if !heading.is_empty() {
        println!("{heading}:");
    }
    if result.options.is_empty() {
        println!("no option fits the request");
    } else {
        let shown = if result.total > result.options.len() {
            format!(" (best {} shown)", result.options.len())
        } else {
            String::new()
        };
        println!("{} option(s){shown}:", result.total);
        println!("{}", options_table(&result.options));
    }
    if !result.reasons.is_empty() {
        println!("why not: {}", result.reasons.join("; "));
    }
    if !result.alternatives.is_empty() {
        println!("alternatives outside the request:");
        print_alternatives(&result.alternatives);
    }
}

fn print_alternatives(alternatives: &[Alternative]) {
    for alternative in alternatives {
        println!(
            "  {}  ({} place(s) left): {}",
            alternative.option.id, alternative.option.places_left, alternative.note
        );
    }
}

/// One row per option: what to book, when, where, with whom, the wait and places left.
pub fn options_table(options: &[SlotOption]) -> Table {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    let resources = options.iter().all(|o| o.session.resource.is_some());
    table.set_header([
        "#",
        "option",
        "date",
        "session",
        "site",
        if resources { "resource" } else { "specialist" },
        "wait",
        "places",
    ]);
    for (rank, option) in options.iter().enumerate() {
        let who = if option.substitute {
            format!("{} (substitute)", option.specialist_name)
        } else {
            option.specialist_name.clone()
        };
        table.add_row([
            (rank + 1).to_string(),
            option.id.clone(),
            option.session.date.format("%a %Y-%m-%d").to_string(),
            option.session.session.clone(),
            option.site.clone(),
            who,
            format!("{} d", option.wait_days),
            format!("{}/{}", option.places_left, option.capacity),
        ]);
    }
    table
}

/// An offer in one line, times on the session clock: "offered o-0001 (xi-xiaowei@2026-03-03:am)
/// to w-0001 until 2026-03-01 19:00".
pub fn describe_offer(offer: &Offer) -> String {
    let clock = |at| session_clock(at).format("%Y-%m-%d %H:%M");
    match offer.state {
        OfferState::Pending => format!(
            "offered {} ({}) to {} until {}",
            offer.id,
            offer.session,
            offer.entry,
            clock(offer.expires_at)
        ),
        state => format!(
            "{} ({}) to {}: {state}{}{}",
            offer.id,
            offer.session,
            offer.entry,
            offer
                .closed_at
                .map(|at| format!(" at {}", clock(at)))
                .unwrap_or_default(),
            offer
                .booking
                .as_ref()
                .map(|b| format!(", booked {b}"))
                .unwrap_or_default()
        ),
    }
}
