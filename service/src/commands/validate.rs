//! `houniao validate FILE...`: every problem of every file, with field paths.

use std::path::PathBuf;

use houniao::Instance;
use houniao::diagnostics::Diagnostic;
use houniao::summary::InstanceSummary;
use serde_json::json;

use super::{is_input_problem, print_instance_error};
use crate::{Format, Outcome};

pub fn run(files: &[PathBuf], format: Format) -> anyhow::Result<Outcome> {
    let mut outcome = Outcome::Valid;
    let mut reports = Vec::new();
    for file in files {
        match Instance::from_path(file) {
            Ok(instance) => {
                let summary = InstanceSummary::of(&instance);
                if format == Format::Text {
                    println!(
                        "{}: valid ({}: {} week(s), {} sites, {} specialists, {} residencies, {} studios, {} MDT boards, {} surgeries, {} requests)",
                        file.display(),
                        instance.name,
                        summary.weeks,
                        instance.sites.len(),
                        instance.specialists.len(),
                        instance.residencies.len(),
                        instance.studios.len(),
                        instance.mdt_boards.len(),
                        instance.surgeries.len(),
                        instance.requests.len(),
                    );
                    if !instance.resources.is_empty() {
                        println!(
                            "  {} resource(s) ({}), {} resource request(s), {} pool(s)",
                            instance.resources.len(),
                            instance.resource_kinds().join(", "),
                            instance.resource_requests.len(),
                            instance.pools.len() + instance.resource_pools.len(),
                        );
                    }
                    for warning in &instance.warnings {
                        println!("  {warning}");
                    }
                }
                reports.push(report(file, "valid", &instance.warnings));
            }
            Err(error) => {
                let status = if is_input_problem(&error) {
                    outcome = outcome.max_with(Outcome::Invalid);
                    "invalid"
                } else {
                    outcome = Outcome::Failed;
                    "unreadable"
                };
                if format == Format::Text {
                    if status == "invalid" {
                        print_instance_error(file, &error);
                    } else {
                        eprintln!("houniao: {error}");
                    }
                }
                reports.push(report(file, status, &error.diagnostics()));
            }
        }
    }
    if format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    }
    Ok(outcome)
}

fn report(file: &std::path::Path, status: &str, problems: &[Diagnostic]) -> serde_json::Value {
    json!({ "file": file.display().to_string(), "status": status, "problems": problems })
}

impl Outcome {
    /// The worse of two outcomes.
    pub fn max_with(self, other: Outcome) -> Outcome {
        let rank = |o: Outcome| match o {
            Outcome::Valid => 0,
            Outcome::Invalid => 1,
            Outcome::Failed => 2,
        };
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }
}
