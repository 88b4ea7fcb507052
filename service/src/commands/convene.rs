//! `houniao convene INSTANCE ROSTER --board ID --from DATE[:SESSION]`: the earliest
//! slots in which an MDT board can sit at short notice, with who would join.

use chrono::NaiveDate;
use houniao::booking::{ConveneOptions, GatheringKind};

use super::desk::{self, Access, PublishedArgs};
use crate::{Format, Outcome};

/// The arguments of `houniao convene`.
#[derive(Debug, clap::Args)]
pub struct ConveneArgs {
    #[command(flatten)]
    pub published: PublishedArgs,
    /// The MDT board to convene.
    #[arg(long, value_name = "ID")]
    pub board: String,
    /// From when: a date, or a date and session (2026-03-04:pm).
    #[arg(long, value_name = "DATE[:SESSION]", value_parser = from)]
    pub from: (NaiveDate, Option<String>),
    /// How many slots to find.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub count: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

fn from(text: &str) -> Result<(NaiveDate, Option<String>), String> {
    let (date, session) = match text.split_once(':') {
        Some((date, session)) => (date, Some(session.to_string())),
        None => (text, None),
    };
    Ok((desk::date(date)?, session))
}

pub fn run(args: &ConveneArgs) -> anyhow::Result<Outcome> {
    let desk = match desk::open(&args.published, None, Access::Read)? {
        Ok(desk) => desk,
        Err(outcome) => return Ok(outcome),
    };
    let (date, session) = &args.from;
    let outcome = match desk.book.convene(
        &args.board,
        *date,
        session.as_deref(),
        ConveneOptions { count: args.count },
    ) {
        Ok(outcome) => outcome,
        Err(error) => return desk::report(error),
    };
    if args.format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&outcome)?);
        return Ok(Outcome::Valid);
    }
    let instance = desk.book.instance();
    let board = instance
        .board_ix(&outcome.board)
        .map(|b| &instance.mdt_boards[b.0]);
    println!(
        "{} ({}) at {}, from {}{}: {} slot(s) found",
        outcome.board,
        board.map_or("", |b| b.name.as_str()),
        outcome.site,
        date.format("%a %Y-%m-%d"),
        session
            .as_deref()
            .map(|s| format!(" {s}"))
            .unwrap_or_default(),
        outcome.gatherings.len()
    );
    for (rank, gathering) in outcome.gatherings.iter().enumerate() {
        let what = match gathering.kind {
            GatheringKind::Scheduled => "the board already meets: add the case",
            GatheringKind::AdHoc => "ad hoc: everyone below is free",
        };
        println!(
            "{}. {} {} in {} ({what})",
            rank + 1,
            gathering.date.format("%a %Y-%m-%d"),
            gathering.session,
            gathering.room
        );
        for p in &gathering.participants {
            println!(
                "     {}: {} ({}){}",
                p.discipline,
                p.name,
                p.specialist,
                if p.remote { ", by video" } else { "" }
            );
        }
    }
    if !outcome.passed_over.is_empty() {
        println!("passed over:");
        for why in &outcome.passed_over {
            println!("  {why}");
        }
    }
    Ok(if outcome.gatherings.is_empty() {
        Outcome::Invalid
    } else {
        Outcome::Valid
    })
}
