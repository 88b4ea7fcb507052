//! `houniao calendar INSTANCE ROSTER (--specialist ID | --site ID | --board ID)`: the
//! roster as an iCalendar feed (RFC 5545) for a phone's calendar; with `--previous`,
//! the publications before it, so that moved events carry a higher SEQUENCE and
//! removed ones come as cancelled.

use std::path::PathBuf;

use houniao::agenda::View;
use houniao::ical::{CalendarOptions, calendar};

use super::{language, open_instance, open_roster, write_output};
use crate::Outcome;

/// The arguments of `houniao calendar`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("view").required(true).args(["specialist", "site", "board"])))]
pub struct CalendarArgs {
    /// The instance the roster was published for (TOML or JSON).
    pub instance: PathBuf,
    /// The roster (JSON).
    pub roster: PathBuf,
    /// One specialist's activities and days on site.
    #[arg(long, value_name = "ID")]
    pub specialist: Option<String>,
    /// Everything held at one site.
    #[arg(long, value_name = "ID")]
    pub site: Option<String>,
    /// One MDT board's meetings.
    #[arg(long, value_name = "ID")]
    pub board: Option<String>,
    /// An earlier publication of the roster, oldest first (repeat the flag).
    #[arg(long, value_name = "ROSTER")]
    pub previous: Vec<PathBuf>,
    /// Language of the event text: zh-CN or en (default: the instance's).
    #[arg(long, value_name = "TAG")]
    pub lang: Option<String>,
    /// DTSTAMP of the events, RFC 3339 (default: now).
    #[arg(long, value_name = "TIME")]
    pub stamp: Option<chrono::DateTime<chrono::Utc>>,
    /// Write the calendar here (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE.ics")]
    pub output: Option<PathBuf>,
}

pub fn run(args: &CalendarArgs) -> anyhow::Result<Outcome> {
    let view = match (&args.specialist, &args.site, &args.board) {
        (Some(id), _, _) => View::Specialist(id.clone()),
        (_, Some(id), _) => View::Site(id.clone()),
        (_, _, Some(id)) => View::Board(id.clone()),
        _ => anyhow::bail!("name one of --specialist, --site, --board"),
    };
    let Some(instance) = open_instance(&args.instance)? else {
        return Ok(Outcome::Invalid);
    };
    let Some(roster) = open_roster(&args.roster)? else {
        return Ok(Outcome::Invalid);
    };
    let mut previous = Vec::new();
    for path in &args.previous {
        let Some(roster) = open_roster(path)? else {
            return Ok(Outcome::Invalid);
        };
        previous.push(roster);
    }
    let mut options =
        CalendarOptions::for_instance(&instance, args.stamp.unwrap_or_else(chrono::Utc::now));
    options.language = language(args.lang.as_deref(), &instance)?;
    match calendar(&instance, &view, &roster, &previous, &options) {
        Ok(text) => {
            write_output(args.output.as_deref(), text.as_bytes())?;
            Ok(Outcome::Valid)
        }
        Err(error) => {
            eprintln!("houniao: {error}");
            Ok(Outcome::Invalid)
        }
    }
}
