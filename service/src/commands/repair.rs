//! `houniao repair INSTANCE ROSTER --change SCENARIO [--bookings LEDGER]`: a roster for
//! the changed instance that changes the published one as little as possible, what
//! moved, and which patients the call centre must call.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use anyhow::Context;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use houniao::Roster;
use houniao::booking::LedgerFile;
use houniao::check::check;
use houniao::files::write_atomically;
use houniao::repair::{RepairError, RepairOptions, RepairWeights, repair};
use houniao::scenario::{Scenario, ScenarioError};
use houniao::solve::{SolveError, SolveOptions};

use super::{is_input_problem, number};
use crate::{Format, Outcome};

/// The arguments of `houniao repair`.
#[derive(Debug, clap::Args)]
pub struct RepairArgs {
    /// The instance the roster was published for (TOML or JSON).
    pub instance: PathBuf,
    /// The published roster (JSON).
    pub roster: PathBuf,
    /// What changed (a scenario file, e.g. a specialist unavailable on a date).
    #[arg(long, value_name = "SCENARIO")]
    pub change: PathBuf,
    /// The call-centre booking ledger kept since publication; it is re-booked into the
    /// new roster (written to --bookings-out, or in place with --update-bookings).
    #[arg(long, value_name = "LEDGER")]
    pub bookings: Option<PathBuf>,
    /// Write the repaired roster here (atomically).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write the changed instance (TOML) here, to check the roster against it.
    #[arg(long, value_name = "FILE")]
    pub instance_out: Option<PathBuf>,
    /// Write the re-booked ledger here.
    #[arg(long, value_name = "FILE", conflicts_with = "update_bookings")]
    pub bookings_out: Option<PathBuf>,
    /// Replace the ledger given with --bookings by the re-booked one.
    #[arg(long, requires = "bookings")]
    pub update_bookings: bool,
    /// Worth of keeping one published assignment (stability weight).
    #[arg(long, default_value_t = RepairWeights::default().keep_assignment, value_name = "W")]
    pub keep_assignment: f64,
    /// Worth of keeping one booking (stability weight).
    #[arg(long, default_value_t = RepairWeights::default().keep_booking, value_name = "W")]
    pub keep_booking: f64,
    /// Keep every published entry dated before this date exactly as it is (YYYY-MM-DD):
    /// re-planning never rewrites the past.
    #[arg(long, value_name = "DATE")]
    pub freeze_until: Option<chrono::NaiveDate>,
    /// Wall-clock seconds for the solve.
    #[arg(long, default_value_t = 60.0, value_name = "S")]
    pub time_limit: f64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub fn run(args: &RepairArgs) -> anyhow::Result<Outcome> {
    let text = std::fs::read_to_string(&args.instance)
        .with_context(|| format!("cannot read {}", args.instance.display()))?;
    let format = houniao::instance::SourceFormat::detect(&args.instance, &text);
    let applied =
        match Scenario::from_path(&args.change).and_then(|s| s.apply_to_text(&text, format)) {
            Ok(applied) => applied,
            Err(ScenarioError::Base(error) | ScenarioError::Unreadable(error))
                if !is_input_problem(&error) =>
            {
                return Err(error.into());
            }
            Err(error) => {
                println!("{}: {error}", args.change.display());
                for problem in error.problems() {
                    println!("  {problem}");
                }
                return Ok(Outcome::Invalid);
            }
        };
    let published = match Roster::from_path(&args.roster) {
        Ok(roster) => roster,
        Err(error) if is_input_problem(&error) => {
            println!("{}: not a roster: {error}", args.roster.display());
            return Ok(Outcome::Invalid);
        }
        Err(error) => return Err(error.into()),
    };
    let ledger_file = args
        .bookings
        .as_deref()
        .map(LedgerFile::lock_exclusive)
        .transpose()?;
    let ledger = ledger_file
        .as_ref()
        .map(|file| file.load(&applied.instance.name))
        .transpose()?;
    let options = SolveOptions {
        time_limit: args.time_limit,
        ..SolveOptions::default()
    };
    let plan = RepairOptions {
        weights: RepairWeights {
            keep_assignment: args.keep_assignment,
            keep_booking: args.keep_booking,
        },
        freeze_until: args.freeze_until,
    };
    let outcome = match repair(
        &applied.instance,
        &published,
        ledger.as_ref(),
        plan,
        options,
        &mut |_| {},
        &AtomicBool::new(false),
    ) {
        Ok(outcome) => outcome,
        Err(RepairError::Solve(SolveError::Highs(error))) => return Err(error.into()),
        Err(error) => {
            println!("{}: {error}", args.change.display());
            return Ok(Outcome::Invalid);
        }
    };
    let roster = &outcome.report.roster;
    if let Some(path) = &args.output {
        let json = serde_json::to_string_pretty(roster)?;
        write_atomically(path, format!("{json}\n").as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &args.instance_out {
        let toml = toml::to_string(&applied.raw).context("the changed instance as TOML")?;
        write_atomically(path, toml.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if let (Some(rebooked), Some(file)) = (&outcome.ledger, &ledger_file) {
        if args.update_bookings {
            file.save(rebooked)?;
        } else if let Some(path) = &args.bookings_out {
            let json = serde_json::to_string_pretty(rebooked)?;
            write_atomically(path, format!("{json}\n").as_bytes())
                .with_context(|| format!("writing {}", path.display()))?;
        }
    }
    let valid = check(&applied.instance, roster).passed();
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "scenario": applied.log,
                "objective": roster.objective,
                "published_objective": published.objective,
                "status": outcome.report.status,
                "moves": outcome.moves,
                "calls": outcome.calls,
                "valid": valid,
            }))?
        ),
        Format::Text => {
            println!(
                "repaired for: {}",
                if applied.log.is_empty() {
                    "no change".to_string()
                } else {
                    applied.log.join("; ")
                }
            );
            println!(
                "objective {} (published {}); {} assignment(s) changed, {} patient(s) to call{}",
                number(roster.objective),
                number(published.objective),
                outcome.moves.len(),
                outcome.calls.len(),
                args.output
                    .as_ref()
                    .map(|p| format!("; roster written to {}", p.display()))
                    .unwrap_or_default()
            );
            if !outcome.moves.is_empty() {
                let mut table = Table::new();
                table.load_preset(UTF8_FULL_CONDENSED);
                table.set_header(["date", "session", "specialist", "before", "after"]);
                for m in &outcome.moves {
                    table.add_row([
                        m.date.format("%a %Y-%m-%d").to_string(),
                        m.session.clone(),
                        m.specialist.clone(),
                        m.before.clone().unwrap_or_else(|| "—".into()),
                        m.after.clone().unwrap_or_else(|| "—".into()),
                    ]);
                }
                println!("{table}");
            }
            if !outcome.calls.is_empty() {
                println!("patients to call:");
                for call in &outcome.calls {
                    println!(
                        "  {} (patient {}): {} → {}",
                        call.booking,
                        call.patient,
                        call.before,
                        call.after
                            .as_ref()
                            .map_or("unplaced".to_string(), ToString::to_string)
                    );
                }
            }
        }
    }
    Ok(if valid {
        Outcome::Valid
    } else {
        Outcome::Invalid
    })
}
