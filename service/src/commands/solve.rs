//! `houniao solve INSTANCE`: the optimizer (greedy start, then the MILP on HiGHS), the
//! §6 roster written to a file or stdout, and a readable summary: who is where doing
//! what per site and day, the unmet demand with its reasons, the objective breakdown.
//!
//! Progress (elapsed time, incumbent, bound) goes to stderr, and only when stderr is a
//! terminal, so JSON on stdout is never decorated.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use anyhow::Context;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use houniao::roster::{Activity, Assignment, StudioRole};
use houniao::solve::{
    Progress, SolveError, SolveOptions, SolveReport, SolveStatus, Strategy, solve,
};
use houniao::{Instance, Roster};

use super::{is_input_problem, number, print_instance_error};
use crate::{Format, Outcome};

/// What the user asked of a solve (the arguments of `houniao solve`).
#[derive(Debug, clap::Args)]
pub struct SolveArgs {
    /// The instance file (TOML or JSON).
    pub instance: PathBuf,
    /// Wall-clock seconds for the whole solve.
    #[arg(long, default_value_t = 60.0, value_name = "S", value_parser = positive_seconds)]
    pub time_limit: f64,
    /// Relative gap at which to stop: 0.01 stops within 1% of optimal.
    #[arg(long, default_value_t = 1e-4, value_name = "G", value_parser = fraction)]
    pub gap: f64,
    /// Threads HiGHS may use for the plain MILP (0: its default). The large-scale search
    /// always uses two: one for the search, one for the whole model's bound.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub threads: u32,
    /// Optimizer: `milp` (HiGHS on the whole model), `lns` (large-neighbourhood search
    /// on one core, the whole model's bound on the other), or `auto` (lns for models
    /// of 20,000 columns or more).
    #[arg(long, value_enum, default_value_t = StrategyArg::Auto)]
    pub strategy: StrategyArg,
    /// Seed of the large-scale search's choices.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub seed: u64,
    /// Stop the large-scale search after N sub-solves, each limited in nodes, instead
    /// of by time: the same instance and seed then give the same roster.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub work_limit: Option<u64>,
    /// Write the roster (JSON, PROBLEM.md §6) to this file.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Output format: a readable summary, or the roster JSON (a short JSON summary when
    /// `-o` is given).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// `--strategy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StrategyArg {
    /// The plain MILP for models HiGHS finishes, the large-scale search above.
    Auto,
    /// HiGHS's branch and bound on the whole model.
    Milp,
    /// Large-neighbourhood search, with the whole model's bound alongside.
    Lns,
}

impl From<StrategyArg> for Strategy {
    fn from(arg: StrategyArg) -> Self {
        match arg {
            StrategyArg::Auto => Strategy::Auto,
            StrategyArg::Milp => Strategy::Milp,
            StrategyArg::Lns => Strategy::Lns,
        }
    }
}

fn positive_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() && value > 0.0 => Ok(value),
        _ => Err(format!(
            "expected a positive number of seconds, got {text:?}"
        )),
    }
}

fn fraction(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if (0.0..1.0).contains(&value) => Ok(value),
        _ => Err(format!("expected a fraction in [0, 1), got {text:?}")),
    }
}

pub fn run(args: &SolveArgs) -> anyhow::Result<Outcome> {
    let instance = match Instance::from_path(&args.instance) {
        Ok(instance) => instance,
        Err(error) if is_input_problem(&error) => {
            print_instance_error(&args.instance, &error);
            return Ok(Outcome::Invalid);
        }
        Err(error) => return Err(error.into()),
    };
    let options = SolveOptions {
        time_limit: args.time_limit,
        gap: args.gap,
        threads: args.threads,
        strategy: args.strategy.into(),
        seed: args.seed,
        work_limit: args.work_limit,
        ..SolveOptions::default()
    };
    let show_progress = std::io::stderr().is_terminal();
    let mut report_progress = |progress: Progress| {
        if show_progress {
            eprint!("\r{}", progress_line(&progress));
            let _ = std::io::stderr().flush();
        }
    };
    let cancel = AtomicBool::new(false);
    let result = solve(&instance, options, &mut report_progress, &cancel);
    if show_progress {
        eprint!("\r\x1b[2K");
    }
    let report = match result {
        Ok(report) => report,
        Err(SolveError::Highs(error)) => return Err(error.into()),
        Err(SolveError::PinConflict(conflict)) if args.format == Format::Json => {
            let answer = serde_json::json!({
                "error": "pin_conflict",
                "detail": conflict.to_string(),
                "conflict": conflict,
            });
            println!("{}", serde_json::to_string_pretty(&answer)?);
            return Ok(Outcome::Invalid);
        }
        Err(error) => {
            println!("{}: {error}", args.instance.display());
            return Ok(Outcome::Invalid);
        }
    };
    let json = serde_json::to_string_pretty(&report.roster)?;
    if let Some(path) = &args.output {
        write_atomically(path, &json)?;
    }
    match (args.format, &args.output) {
        (Format::Json, None) => println!("{json}"),
        (Format::Json, Some(path)) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&json_summary(&report, path))?
            )
        }
        (Format::Text, output) => print_text(&instance, &report, output.as_deref()),
    }
    Ok(Outcome::Valid)
}

fn progress_line(progress: &Progress) -> String {
    let figure = |value: Option<f64>| value.map_or("—".to_string(), number);
    let gap = match (progress.incumbent, progress.bound) {
        (Some(best), Some(bound)) => {
            format!("  gap {:.2}%", 100.0 * (best - bound) / best.abs().max(1.0))
        }
        _ => String::new(),
    };
    let neighbourhoods = match progress.neighbourhoods {
        0 => String::new(),
        n => format!("  neighbourhoods {n}"),
    };
    format!(
        "solving… {:6.1} s  best {}  bound {}{gap}{neighbourhoods}",
        progress.seconds,
        figure(progress.incumbent),
        figure(progress.bound)
    )
}

/// Writes the roster so that a crash leaves either the old file or the new one.
fn write_atomically(path: &Path, text: &str) -> anyhow::Result<()> {
    houniao::files::write_atomically(path, format!("{text}\n").as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}

fn status_text(report: &SolveReport) -> String {
    match report.status {
        SolveStatus::Optimal => "optimal".into(),
        SolveStatus::Feasible { gap: Some(gap) } => {
            format!("feasible, proven within {:.2}% of optimal", 100.0 * gap)
        }
        SolveStatus::Feasible { gap: None } => "feasible (no bound proven)".into(),
        SolveStatus::NoSolutionInTime => {
            "no MILP solution within the time limit: the greedy roster is returned".into()
        }
    }
}

fn json_summary(report: &SolveReport, path: &Path) -> serde_json::Value {
    serde_json::json!({
        "roster": path.display().to_string(),
        "status": report.status,
        "source": report.source,
        "strategy": report.strategy,
        "neighbourhoods": report.neighbourhoods,
        "improvements": report.improvements,
        "objective": report.roster.objective,
        "bound": report.roster.bound,
        "gap": report.roster.gap,
        "greedy_objective": report.greedy_objective,
        "seconds": report.seconds,
        "first_incumbent_seconds": report.first_incumbent_seconds,
        "variables": report.stats.variables,
        "constraints": report.stats.constraints,
        "unmet": report.roster.unmet.len(),
    })
}

/// Per resource: places booked of those it runs, and the held places referrals took.
fn print_resources(instance: &Instance, roster: &houniao::Roster) {
    if instance.resources.is_empty() {
        return;
    }
    println!("\nresources");
    for (r, resource) in instance.resources.iter().enumerate() {
        let ix = houniao::resources::ResourceIx(r);
        let sessions = instance
            .calendar
            .dates()
            .flat_map(|date| resource.sessions.iter().map(move |s| (date, *s)))
            .filter(|(date, session)| instance.resource_runs(ix, *date, *session))
            .count() as u32;
        let booked: Vec<_> = roster
            .resource_bookings
            .iter()
            .filter(|b| b.resource == resource.id)
            .collect();
        let held = booked.iter().filter(|b| b.pool.is_some()).count();
        let pool = instance
            .resource_pool_of(ix)
            .map(|pool| {
                format!(
                    "; {held} of its {} held places taken by referrals",
                    pool.places * sessions
                )
            })
            .unwrap_or_default();
        println!(
            "  {} ({}): {} of {} places booked in {sessions} sessions{pool}",
            resource.name,
            resource.id,
            booked.len(),
            resource.places * sessions
        );
    }
}

fn print_text(instance: &Instance, report: &SolveReport, output: Option<&Path>) {
    let roster = &report.roster;
    println!(
        "{}: {} — objective {} in {:.2} s",
        roster.instance,
        status_text(report),
        number(roster.objective),
        report.seconds
    );
    let bound = roster.bound.map_or("—".into(), number);
    let greedy = report.greedy_objective.map_or("—".into(), number);
    println!(
        "  bound {bound}, greedy start {greedy}; model {} variables, {} constraints",
        report.stats.variables, report.stats.constraints
    );
    if report.strategy == Strategy::Lns {
        println!(
            "  large-scale search: {} neighbourhoods, {} improved the roster",
            report.neighbourhoods, report.improvements
        );
    }
    if let Some(path) = output {
        println!("  roster written to {}", path.display());
    }
    print_days(instance, roster);
    print_resources(instance, roster);
    if roster.unmet.is_empty() {
        println!("\nevery demand is met");
    } else {
        println!("\nunmet ({}):", roster.unmet.len());
        for unmet in &roster.unmet {
            let week = unmet.week.map(|w| format!(" week {w}")).unwrap_or_default();
            println!(
                "  {} {}{week}: {}",
                unmet.kind.name(),
                unmet.ids.join(" / "),
                unmet.reason
            );
        }
    }
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(["objective term", "value"]);
    for (term, value) in roster.objective_terms.iter() {
        if value != 0.0 {
            table.add_row([term.name().to_string(), number(value)]);
        }
    }
    table.add_row(["total".to_string(), number(roster.objective)]);
    println!("\n{table}");
}

/// What happens at one site: per (date, session index) one line per person.
type DayLines = BTreeMap<(chrono::NaiveDate, Option<usize>), Vec<String>>;

/// One table per site: a row per (date, session) listing who does what there.
fn print_days(instance: &Instance, roster: &Roster) {
    let name = |id: &str| {
        instance
            .specialist_ix(id)
            .map_or(id.to_string(), |s| instance.specialist(s).name.clone())
    };
    let session_order = |session: &str| instance.calendar.session_index(session);
    let mut per_site: BTreeMap<&str, DayLines> = BTreeMap::new();
    let mut remote: Vec<&Assignment> = Vec::new();
    for a in &roster.assignments {
        let Some(site) = a.site.as_deref() else {
            remote.push(a);
            continue;
        };
        if a.activity == Activity::Studio && a.role == Some(StudioRole::Apprentice) {
            continue; // listed with the studio's lead
        }
        let what = match a.activity {
            Activity::Clinic => format!(
                "clinic {} ({})",
                a.discipline.as_deref().unwrap_or(""),
                a.room.as_deref().unwrap_or("")
            ),
            Activity::Studio => {
                let apprentices: Vec<String> = roster
                    .assignments
                    .iter()
                    .filter(|b| {
                        b.studio == a.studio
                            && b.date == a.date
                            && b.session == a.session
                            && b.role == Some(StudioRole::Apprentice)
                    })
                    .map(|b| name(&b.specialist))
                    .collect();
                format!(
                    "studio {} ({}) with {}",
                    a.studio.as_deref().unwrap_or(""),
                    a.room.as_deref().unwrap_or(""),
                    apprentices.join(", ")
                )
            }
            Activity::Mdt => format!(
                "MDT {} as {} ({})",
                a.board.as_deref().unwrap_or(""),
                a.discipline.as_deref().unwrap_or(""),
                a.room.as_deref().unwrap_or("")
            ),
            Activity::Surgery => {
                let cases: Vec<String> = roster
                    .surgeries
                    .iter()
                    .filter(|s| {
                        s.surgeon == a.specialist && s.date == a.date && s.session == a.session
                    })
                    .map(|s| format!("{} in {}", s.surgery, s.room))
                    .collect();
                format!("surgery {}", cases.join(", "))
            }
        };
        per_site
            .entry(site)
            .or_default()
            .entry((a.date, session_order(&a.session)))
            .or_default()
            .push(format!("{}: {what}", name(&a.specialist)));
    }
    for site in &instance.sites {
        let Some(days) = per_site.get(site.id.as_str()) else {
            continue;
        };
        println!("\n{} ({})", site.name, site.id);
        let mut table = Table::new();
        table.load_preset(UTF8_FULL_CONDENSED);
        table.set_header(["date", "session", "who: what"]);
        for ((date, session), lines) in days {
            let session =
                session.map_or("?".into(), |s| instance.calendar.sessions()[s].id.clone());
            table.add_row([
                date.format("%a %Y-%m-%d").to_string(),
                session,
                lines.join("\n"),
            ]);
        }
        println!("{table}");
    }
    if !remote.is_empty() {
        println!("\nremote MDT places:");
        for a in remote {
            println!(
                "  {} {} {}: {} as {}",
                a.date,
                a.session,
                a.board.as_deref().unwrap_or(""),
                name(&a.specialist),
                a.discipline.as_deref().unwrap_or("")
            );
        }
    }
}
