//! `houniao whatif BASE SCENARIO...`: the base and each scenario solved side by side,
//! one table of key figures; and `houniao scenario BASE SCENARIO`: a scenario applied,
//! what it changed, and the changed instance.

use std::path::{Path, PathBuf};

use anyhow::Context;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use houniao::Instance;
use houniao::instance::SourceFormat;
use houniao::scenario::{Scenario, ScenarioError};
use houniao::whatif::{Case, CaseResult, WhatIfOptions, compare};

use super::{is_input_problem, print_instance_error};
use crate::Outcome;

/// How the comparison is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TableFormat {
    /// A table for people.
    #[value(alias = "text")]
    Table,
    /// One JSON document.
    Json,
    /// Comma-separated values, one KPI per line.
    Csv,
}

/// The arguments of `houniao whatif`.
#[derive(Debug, clap::Args)]
pub struct WhatIfArgs {
    /// The base instance (TOML or JSON).
    pub base: PathBuf,
    /// Scenario files (TOML), each compared with the base.
    #[arg(required = true, value_name = "SCENARIO")]
    pub scenarios: Vec<PathBuf>,
    /// Solves at once (default: one per core); the cores are shared among them.
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Wall-clock seconds per solve.
    #[arg(long, default_value_t = 30.0, value_name = "S")]
    pub time_limit: f64,
    /// Relative gap at which a solve may stop.
    #[arg(long, default_value_t = 1e-4, value_name = "G")]
    pub gap: f64,
    /// Solve each scenario close to the base roster (as `houniao repair` would), so that
    /// "differing from base" counts what the scenario forces to change.
    #[arg(long)]
    pub near_base: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TableFormat::Table)]
    pub format: TableFormat,
}

fn base_text(path: &Path) -> anyhow::Result<(String, SourceFormat)> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let format = SourceFormat::detect(path, &text);
    Ok((text, format))
}

fn report_scenario_error(path: &Path, error: &ScenarioError) {
    let problems = error.problems();
    println!("{}: {error}", path.display());
    if problems.len() > 1
        || !error.to_string().contains(
            &problems
                .first()
                .map(ToString::to_string)
                .unwrap_or_default(),
        )
    {
        for problem in problems {
            println!("  {problem}");
        }
    }
}

pub fn run(args: &WhatIfArgs) -> anyhow::Result<Outcome> {
    let base = match Instance::from_path(&args.base) {
        Ok(instance) => instance,
        Err(error) if is_input_problem(&error) => {
            print_instance_error(&args.base, &error);
            return Ok(Outcome::Invalid);
        }
        Err(error) => return Err(error.into()),
    };
    let (text, format) = base_text(&args.base)?;
    let mut cases = vec![Case {
        name: "base".into(),
        instance: base,
    }];
    let mut invalid = false;
    for path in &args.scenarios {
        let applied = Scenario::from_path(path).and_then(|s| {
            s.apply_to_text(&text, format)
                .map(|applied| (s.name.clone(), applied))
        });
        match applied {
            Ok((name, applied)) => cases.push(Case {
                name,
                instance: applied.instance,
            }),
            Err(error) => {
                report_scenario_error(path, &error);
                invalid = true;
            }
        }
    }
    if invalid {
        return Ok(Outcome::Invalid);
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let options = WhatIfOptions {
        jobs: args.jobs.unwrap_or(cores),
        cores,
        time_limit: args.time_limit,
        gap: args.gap,
        near_base: args.near_base,
    };
    let results = compare(&cases, options);
    let mut solved = Vec::new();
    for (case, result) in cases.iter().zip(results) {
        match result {
            Ok(result) => solved.push(result),
            Err(error) => {
                println!("{}: no roster: {error}", case.name);
                invalid = true;
            }
        }
    }
    match args.format {
        TableFormat::Json => println!("{}", serde_json::to_string_pretty(&solved)?),
        TableFormat::Csv => print_csv(&solved),
        TableFormat::Table => print_table(&solved),
    }
    Ok(if invalid {
        Outcome::Invalid
    } else {
        Outcome::Valid
    })
}

fn rows(results: &[CaseResult]) -> Vec<(String, Vec<String>)> {
    let mut rows: Vec<(String, Vec<String>)> = Vec::new();
    for (i, result) in results.iter().enumerate() {
        let mut figures = result.kpis.rows();
        let status = match result.status {
            houniao::solve::SolveStatus::Optimal => "optimal".to_string(),
            houniao::solve::SolveStatus::Feasible { .. } => "feasible".into(),
            houniao::solve::SolveStatus::NoSolutionInTime => "greedy (time limit)".into(),
        };
        let (assignments, bookings) = match result.differs_from_base {
            Some(d) => (d.assignments.to_string(), d.bookings.to_string()),
            None => ("—".into(), "—".into()),
        };
        figures.push(("status", status));
        figures.push(("assignments differing from base", assignments));
        figures.push(("bookings differing from base", bookings));
        for (j, (name, value)) in figures.into_iter().enumerate() {
            if i == 0 {
                rows.push((name.to_string(), Vec::new()));
            }
            rows[j].1.push(value);
        }
    }
    rows
}

fn print_table(results: &[CaseResult]) {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    let mut header = vec!["KPI".to_string()];
    header.extend(results.iter().map(|r| r.name.clone()));
    table.set_header(header);
    for (name, values) in rows(results) {
        let mut row = vec![name];
        row.extend(values);
        table.add_row(row);
    }
    println!("{table}");
}

fn print_csv(results: &[CaseResult]) {
    let quote = |text: &str| format!("\"{}\"", text.replace('"', "\"\""));
    let mut header = vec![quote("kpi")];
    header.extend(results.iter().map(|r| quote(&r.name)));
    println!("{}", header.join(","));
    for (name, values) in rows(results) {
        let mut line = vec![quote(&name)];
        line.extend(values.iter().map(|v| quote(v)));
        println!("{}", line.join(","));
    }
}

/// The arguments of `houniao scenario`.
#[derive(Debug, clap::Args)]
pub struct ScenarioArgs {
    /// The base instance (TOML or JSON).
    pub base: PathBuf,
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Write the changed instance (TOML) to this file, atomically.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn apply(args: &ScenarioArgs) -> anyhow::Result<Outcome> {
    let (text, format) = base_text(&args.base)?;
    let applied = Scenario::from_path(&args.scenario).and_then(|s| {
        s.apply_to_text(&text, format)
            .map(|applied| (s.name.clone(), applied))
    });
    let (name, applied) = match applied {
        Ok(applied) => applied,
        Err(ScenarioError::Base(error)) if !is_input_problem(&error) => return Err(error.into()),
        Err(error) => {
            report_scenario_error(&args.scenario, &error);
            return Ok(Outcome::Invalid);
        }
    };
    println!(
        "{name}: {} change(s) applied, the instance is valid",
        applied.log.len()
    );
    for line in &applied.log {
        println!("  {line}");
    }
    if let Some(path) = &args.output {
        let toml = toml::to_string(&applied.raw).context("writing the changed instance as TOML")?;
        houniao::files::write_atomically(path, toml.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
        println!("changed instance written to {}", path.display());
    }
    Ok(Outcome::Valid)
}
