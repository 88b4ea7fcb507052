//! `houniao summary INSTANCE`: validate, then show what the instance holds.

use std::path::Path;

use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use houniao::Instance;
use houniao::summary::InstanceSummary;

use super::{is_input_problem, print_instance_error};
use crate::{Format, Outcome};

pub fn run(path: &Path, format: Format) -> anyhow::Result<Outcome> {
    let instance = match Instance::from_path(path) {
        Ok(instance) => instance,
        Err(error) if is_input_problem(&error) => {
            print_instance_error(path, &error);
            return Ok(Outcome::Invalid);
        }
        Err(error) => return Err(error.into()),
    };
    let summary = InstanceSummary::of(&instance);
    if format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
        return Ok(Outcome::Valid);
    }
    println!(
        "{} — valid; {} … {} ({} week(s), {} open dates, sessions {})",
        summary.name,
        summary.start,
        summary.end,
        summary.weeks,
        summary.open_dates,
        summary.sessions.join(", ")
    );
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(["what", "how many", "detail"]);
    let [hubs, hospitals, communities] = summary.sites;
    let [clinics, meetings, theatres] = summary.rooms;
    let [g1, g2, g3, g4] = summary.surgeries_by_grade;
    let mut rows: Vec<[String; 3]> = vec![
        row(
            "sites",
            instance.sites.len(),
            format!("{hubs} hub, {hospitals} hospital, {communities} community"),
        ),
        row(
            "rooms",
            instance.rooms.len(),
            format!("{clinics} clinic, {meetings} meeting, {theatres} theatre"),
        ),
        row(
            "specialists",
            instance.specialists.len(),
            format!(
                "{} visiting, {} local, {} disciplines",
                summary.visiting_specialists, summary.local_specialists, summary.disciplines
            ),
        ),
        row(
            "residencies",
            summary.residencies,
            format!("{} on-site days over the horizon", summary.residency_days),
        ),
        row(
            "studios",
            summary.studios,
            format!("{} sessions wanted", summary.studio_sessions),
        ),
        row(
            "MDT boards",
            summary.mdt_boards,
            format!("{} meetings wanted", summary.mdt_meetings),
        ),
        row(
            "clinic demand",
            instance.clinic_demand.len(),
            format!("{} sessions wanted", summary.clinic_sessions),
        ),
        row(
            "surgeries",
            instance.surgeries.len(),
            format!("grade 1: {g1}, 2: {g2}, 3: {g3}, 4: {g4}"),
        ),
        row(
            "requests",
            instance.requests.len(),
            format!(
                "{} name an expert ({} accept a substitute), {} a discipline",
                summary.named_requests, summary.substitute_ok_requests, summary.discipline_requests
            ),
        ),
    ];
    if !instance.pins.is_empty() {
        rows.push(row(
            "pins",
            instance.pins.len(),
            format!("{} to keep, {} forbidden", summary.pins, summary.forbids),
        ));
    }
    for cells in rows {
        table.add_row(cells);
    }
    println!("{table}");
    for warning in &instance.warnings {
        println!("  {warning}");
    }
    Ok(Outcome::Valid)
}

fn row(what: &str, count: usize, detail: String) -> [String; 3] {
    [what.to_string(), count.to_string(), detail]
}
