//! `houniao green-channel`: a positive screening finding becomes a surgery due within a
//! week, for the next solve — printed as a `[[surgeries]]` entry, or merged into a copy
//! of the instance (`-o`) that is checked to validate.

use std::path::PathBuf;

use houniao::Instance;
use houniao::booking::green_channel::{Finding, MAX_DAYS, merge_finding, surgery_fragment};

use super::desk;
use super::print_instance_error;
use crate::Outcome;

/// The arguments of `houniao green-channel`.
#[derive(Debug, clap::Args)]
pub struct GreenChannelArgs {
    /// The instance file (TOML) the next solve reads.
    pub instance: PathBuf,
    /// The patient's opaque reference.
    #[arg(long, value_name = "REF")]
    pub patient: String,
    /// The date of the finding (YYYY-MM-DD): the surgery's release date.
    #[arg(long, value_name = "DATE", value_parser = desk::date)]
    pub found: chrono::NaiveDate,
    /// The surgical discipline.
    #[arg(long, value_name = "DISCIPLINE")]
    pub discipline: String,
    /// Surgery grade 1–4.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=4))]
    pub grade: u8,
    /// Expected minutes.
    #[arg(long, value_name = "MINUTES", value_parser = clap::value_parser!(u32).range(1..=1440))]
    pub minutes: u32,
    /// A named surgeon (a specialist id).
    #[arg(long, value_name = "ID")]
    pub surgeon: Option<String>,
    /// The site it must be done at.
    #[arg(long, value_name = "SITE")]
    pub site: Option<String>,
    /// Tags the theatre must have (repeat, or separate with commas).
    #[arg(long = "room-tag", value_name = "TAG", value_delimiter = ',')]
    pub room_tags: Vec<String>,
    /// Priority 1–5 (default 4: green-channel patients come before routine lists).
    #[arg(long, default_value_t = 4, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=5))]
    pub priority: u8,
    /// Due this many days after the finding (1 to 7).
    #[arg(long, default_value_t = MAX_DAYS, value_name = "DAYS")]
    pub within_days: u32,
    /// Write the instance with the surgery added here (checked to validate); without
    /// it, print the `[[surgeries]]` entry.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: &GreenChannelArgs) -> anyhow::Result<Outcome> {
    let text = match std::fs::read_to_string(&args.instance) {
        Ok(text) => text,
        Err(error) => {
            println!("{}: {error}", args.instance.display());
            return Ok(Outcome::Failed);
        }
    };
    let instance = match Instance::from_toml_str(&text) {
        Ok(instance) => instance,
        Err(error) => {
            print_instance_error(&args.instance, &error);
            return Ok(Outcome::Invalid);
        }
    };
    let finding = Finding {
        patient: args.patient.clone(),
        found: args.found,
        discipline: args.discipline.clone(),
        grade: args.grade,
        minutes: args.minutes,
        surgeon: args.surgeon.clone(),
        site: args.site.clone(),
        room_tags: args.room_tags.clone(),
        priority: args.priority,
        within_days: args.within_days,
    };
    let result = match &args.output {
        None => surgery_fragment(&instance, &finding).map(|fragment| print!("{fragment}")),
        Some(path) => merge_finding(&text, &instance, &finding).map(|merged| {
            std::fs::write(path, merged).map(|()| {
                println!(
                    "{} with the green-channel surgery of {} (due {} day(s) after {}) written to {}",
                    instance.name,
                    args.patient,
                    args.within_days,
                    args.found,
                    path.display()
                )
            })
        })
        .and_then(|written| {
            written.map_err(|error| houniao::booking::BookingError::Io {
                path: path.clone(),
                source: error,
            })
        }),
    };
    match result {
        Ok(()) => Ok(Outcome::Valid),
        Err(error) => desk::report(error),
    }
}
