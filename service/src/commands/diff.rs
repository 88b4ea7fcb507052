//! `houniao diff INSTANCE OLD_ROSTER NEW_ROSTER`: what changed for whom between two
//! publications: per specialist the activities added, removed and moved, and the
//! patients whose booking moved (who to call).

use std::path::PathBuf;

use houniao::agenda::{Item, What};
use houniao::diff::{BookedAt, RosterDiff, diff};

use super::{open_instance, open_roster};
use crate::{Format, Outcome};

/// The arguments of `houniao diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The instance (TOML or JSON).
    pub instance: PathBuf,
    /// The roster published before (JSON).
    pub old_roster: PathBuf,
    /// The roster published now (JSON).
    pub new_roster: PathBuf,
    /// Only this specialist's changes and patients.
    #[arg(long, value_name = "ID")]
    pub specialist: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub fn run(args: &DiffArgs) -> anyhow::Result<Outcome> {
    let Some(instance) = open_instance(&args.instance)? else {
        return Ok(Outcome::Invalid);
    };
    let (Some(old), Some(new)) = (
        open_roster(&args.old_roster)?,
        open_roster(&args.new_roster)?,
    ) else {
        return Ok(Outcome::Invalid);
    };
    let changes = match diff(&instance, &old, &new, args.specialist.as_deref()) {
        Ok(changes) => changes,
        Err(error) => {
            println!("{error}");
            return Ok(Outcome::Invalid);
        }
    };
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&changes)?),
        Format::Text => print_text(&changes),
    }
    Ok(Outcome::Valid)
}

fn print_text(changes: &RosterDiff) {
    if changes.is_empty() {
        println!("no changes");
        return;
    }
    for person in &changes.specialists {
        println!("{} ({})", person.name, person.specialist);
        for moved in &person.moved {
            println!(
                "  moved    {}: {} → {}",
                what(&moved.before),
                when_where(&moved.before),
                when_where(&moved.after)
            );
        }
        for item in &person.removed {
            println!("  removed  {}: {}", what(item), when_where(item));
        }
        for item in &person.added {
            println!("  added    {}: {}", what(item), when_where(item));
        }
    }
    if !changes.patients.is_empty() {
        println!("patients to call");
        for call in &changes.patients {
            println!(
                "  {} {}: {} → {}",
                call.request,
                call.patient.as_deref().unwrap_or("?"),
                booked(call.before.as_ref(), "not booked"),
                booked(call.after.as_ref(), "unplaced")
            );
        }
    }
}

fn what(item: &Item) -> String {
    match &item.what {
        What::Clinic { discipline } => format!("clinic {discipline}"),
        What::Studio { studio } => format!("studio {studio}"),
        What::Mdt { board } => format!("mdt {board}"),
        What::Surgery => "surgery list".to_string(),
        What::OnSite => "on site".to_string(),
    }
}

fn when_where(item: &Item) -> String {
    let mut text = item.date.to_string();
    if let Some(session) = &item.session {
        text = format!("{text} {session}");
    }
    let place = match (&item.room, &item.site) {
        _ if item.remote => Some("by video".to_string()),
        (Some(room), Some(site)) => Some(format!("{room}@{site}")),
        (None, Some(site)) => Some(site.clone()),
        (Some(room), None) => Some(room.clone()),
        (None, None) => None,
    };
    if let Some(place) = place {
        text = format!("{text} {place}");
    }
    let surgeries: Vec<String> = item
        .surgeries
        .iter()
        .map(|s| format!("{} {}", s.start.as_deref().unwrap_or("--:--"), s.surgery))
        .collect();
    if !surgeries.is_empty() {
        text = format!("{text} ({})", surgeries.join(", "));
    }
    text
}

fn booked(at: Option<&BookedAt>, none: &str) -> String {
    match at {
        Some(at) => format!("{} at {}", at.session, at.site),
        None => none.to_string(),
    }
}
