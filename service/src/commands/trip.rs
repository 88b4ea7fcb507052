//! `houniao trip`: the one-trip pathway (只跑一次) at the call centre — a CT and then the
//! screening clinic, searched as one ranked option, and with `--book` booked all or none
//! (the ledger locked for the whole command, as for `houniao book`). Cancel the trip
//! with `houniao cancel … trip-0001`.

use std::path::PathBuf;

use houniao::booking::{BundleRequest, PatientRequest};

use super::desk::{self, Access, PublishedArgs};
use crate::{Format, Outcome};

/// The arguments of `houniao trip`.
#[derive(Debug, clap::Args)]
pub struct TripArgs {
    #[command(flatten)]
    pub published: PublishedArgs,
    /// A step, in order (repeat): `resource-kind:ct`, `resource:ct-1`,
    /// `specialist:zhang-wei` or `discipline:lung-screening`.
    #[arg(long = "step", value_name = "WHAT:ID", required = true, value_parser = step)]
    pub steps: Vec<Step>,
    /// First acceptable date of every step (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = desk::date)]
    pub from: chrono::NaiveDate,
    /// Last acceptable date of every step (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = desk::date)]
    pub to: chrono::NaiveDate,
    /// Every step within this many days of the first (0: the same day).
    #[arg(long, default_value_t = 0, value_name = "DAYS")]
    pub within_days: u32,
    /// The community centre referring the patient (its pools' held places).
    #[arg(long, value_name = "SITE")]
    pub referred_by: Option<String>,
    /// Priority 1 (routine) to 5 (most urgent).
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=5))]
    pub priority: u8,
    /// Book the trip into this ledger (JSON; created if missing); without it, search.
    #[arg(long, value_name = "FILE", requires = "patient")]
    pub book: Option<PathBuf>,
    /// The patient's opaque reference (to book).
    #[arg(long, value_name = "REF")]
    pub patient: Option<String>,
    /// The trip option to book (`A+B` from the search); default the best.
    #[arg(long, value_name = "OPTION", requires = "book")]
    pub option: Option<String>,
    /// Most options to show.
    #[arg(long, default_value_t = 5)]
    pub limit: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// One step as the flag gives it.
#[derive(Debug, Clone)]
pub struct Step {
    what: &'static str,
    id: String,
}

fn step(text: &str) -> Result<Step, String> {
    let (what, id) = text
        .split_once(':')
        .ok_or_else(|| format!("expected WHAT:ID (e.g. resource-kind:ct), got {text:?}"))?;
    let what = match what {
        "resource-kind" => "resource_kind",
        "resource" => "resource",
        "specialist" => "specialist",
        "discipline" => "discipline",
        other => {
            return Err(format!(
                "unknown step kind {other:?} (resource-kind, resource, specialist or discipline)"
            ));
        }
    };
    if id.is_empty() {
        return Err(format!("no id in step {text:?}"));
    }
    Ok(Step {
        what,
        id: id.to_string(),
    })
}

impl TripArgs {
    fn bundle(&self) -> BundleRequest {
        let steps = self
            .steps
            .iter()
            .map(|step| {
                let given = |field: &str| (step.what == field).then(|| step.id.clone());
                PatientRequest {
                    patient: String::new(),
                    specialist: given("specialist"),
                    discipline: given("discipline"),
                    sites: Vec::new(),
                    earliest: self.from,
                    latest: self.to,
                    // A named specialist's colleague will do for a pathway step.
                    substitute_ok: step.what == "specialist",
                    priority: self.priority,
                    referred_by: self.referred_by.clone(),
                    resource: given("resource"),
                    resource_kind: given("resource_kind"),
                }
            })
            .collect();
        BundleRequest {
            patient: self.patient.clone().unwrap_or_default(),
            steps,
            within_days: self.within_days,
        }
    }
}

pub fn run(args: &TripArgs) -> anyhow::Result<Outcome> {
    let access = if args.book.is_some() {
        Access::Change
    } else {
        Access::Read
    };
    let mut desk = match desk::open(&args.published, args.book.as_deref(), access)? {
        Ok(desk) => desk,
        Err(outcome) => return Ok(outcome),
    };
    let bundle = args.bundle();
    if args.book.is_none() {
        let found = match desk.book.search_bundle(&bundle, args.limit) {
            Ok(found) => found,
            Err(error) => return desk::report(error),
        };
        match args.format {
            Format::Json => println!("{}", serde_json::to_string_pretty(&found)?),
            Format::Text => {
                if found.options.is_empty() {
                    println!("no trip fits: {}", found.reasons.join("; "));
                }
                for (rank, option) in found.options.iter().enumerate() {
                    let steps: Vec<String> = option
                        .steps
                        .iter()
                        .map(|s| {
                            format!(
                                "{} {} {} ({} left)",
                                s.specialist_name,
                                s.session.date.format("%a %Y-%m-%d"),
                                s.session.session,
                                s.places_left
                            )
                        })
                        .collect();
                    println!("{}. {}  [{}]", rank + 1, steps.join(" + "), option.id);
                }
            }
        }
        return Ok(Outcome::Valid);
    }
    let now = desk.book.now();
    let booked = match desk.book.book_bundle(&bundle, args.option.as_deref(), now) {
        Ok(booked) => booked,
        Err(error) => return desk::report(error),
    };
    desk.save()?;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&booked)?),
        Format::Text => {
            println!("booked trip {}:", booked.bundle);
            for step in &booked.steps {
                println!(
                    "  {} {} on {} {} at {}",
                    step.booking.id,
                    step.option.specialist_name,
                    step.option.session.date.format("%a %Y-%m-%d"),
                    step.option.session.session,
                    step.option.site_name
                );
            }
        }
    }
    Ok(Outcome::Valid)
}
