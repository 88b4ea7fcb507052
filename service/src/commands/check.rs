//! `houniao check INSTANCE ROSTER`: every violated rule, then the recomputed objective
//! beside the roster's stated one.

use std::path::Path;

use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use houniao::check::{CheckReport, check};
use houniao::objective::same_value;
use houniao::{Instance, Roster};
use serde_json::json;

use super::{is_input_problem, number, print_instance_error};
use crate::{Format, Outcome};

pub fn run(instance_path: &Path, roster_path: &Path, format: Format) -> anyhow::Result<Outcome> {
    let instance = match Instance::from_path(instance_path) {
        Ok(instance) => instance,
        Err(error) if is_input_problem(&error) => {
            print_instance_error(instance_path, &error);
            return Ok(Outcome::Invalid);
        }
        Err(error) => return Err(error.into()),
    };
    let roster = match Roster::from_path(roster_path) {
        Ok(roster) => roster,
        Err(error) if is_input_problem(&error) => {
            println!("{}: not a roster: {error}", roster_path.display());
            return Ok(Outcome::Invalid);
        }
        Err(error) => return Err(error.into()),
    };
    let report = check(&instance, &roster);
    match format {
        Format::Json => print_json(&roster, &report)?,
        Format::Text => print_text(&roster, &report),
    }
    Ok(if report.passed() {
        Outcome::Valid
    } else {
        Outcome::Invalid
    })
}

fn print_json(roster: &Roster, report: &CheckReport) -> anyhow::Result<()> {
    let value = json!({
        "valid": report.is_valid(),
        "passed": report.passed(),
        "violations": report.violations,
        "objective": report.objective,
        "stated_objective": roster.objective,
        "terms": report.terms,
        "stated_terms": roster.objective_terms,
        "discrepancies": report.discrepancies,
    });
    println!("{}", serde_json::to_string_pretty(&value)?);
    Ok(())
}

fn print_text(roster: &Roster, report: &CheckReport) {
    println!(
        "roster for \"{}\": {} assignments, {} presence entries, {} surgeries, {} bookings, {} unmet",
        roster.instance,
        roster.assignments.len(),
        roster.presence.len(),
        roster.surgeries.len(),
        roster.bookings.len(),
        roster.unmet.len()
    );
    if !roster.resource_bookings.is_empty() {
        println!("  and {} resource bookings", roster.resource_bookings.len());
    }
    if report.is_valid() {
        println!("valid: every hard rule holds");
    } else {
        let rules: Vec<String> = report
            .broken_rules()
            .iter()
            .map(ToString::to_string)
            .collect();
        println!(
            "INVALID: {} violation(s) of {}",
            report.violations.len(),
            rules.join(", ")
        );
        for violation in &report.violations {
            println!("  {violation}");
        }
    }
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(["objective term", "recomputed", "stated", ""]);
    for (term, value) in report.terms.iter() {
        let stated = roster.objective_terms[term];
        let mark = if same_value(value, stated) {
            ""
        } else {
            "differs"
        };
        table.add_row([
            term.name().to_string(),
            number(value),
            number(stated),
            mark.into(),
        ]);
    }
    let mark = if same_value(report.objective, roster.objective) {
        ""
    } else {
        "differs"
    };
    table.add_row([
        "total".into(),
        number(report.objective),
        number(roster.objective),
        mark.to_string(),
    ]);
    println!("{table}");
    for discrepancy in &report.discrepancies {
        println!("  mismatch: {discrepancy}");
    }
    if report.passed() {
        println!(
            "objective {} (recomputed, matches the roster)",
            number(report.objective)
        );
    } else if report.is_valid() {
        println!(
            "the roster is valid but its stated figures disagree ({} mismatch(es))",
            report.discrepancies.len()
        );
    }
}
