//! From [`RawInstance`] to [`Instance`]: apply the defaults of PROBLEM.md §1–2, parse
//! dates, times and references, resolve ids, and record every problem with its field
//! path. Cross-entity checks that need the resolved instance live in
//! [`super::feasibility`].

mod demand;
mod fields;
mod people;
mod places;
mod refs;
mod resources;
mod values;

use std::collections::BTreeSet;

use chrono::{NaiveDate, Weekday};

use super::raw::RawInstance;
use super::{IdIndex, Instance, InstanceError};
use crate::calendar::Calendar;
use crate::diagnostics::Diagnostics;

/// Field names of each section, for "did you mean" on unknown fields.
const KNOWN_FIELDS: &[(&str, &[&str])] = &[
    (
        "",
        &[
            "name",
            "horizon",
            "sites",
            "travel",
            "rooms",
            "specialists",
            "residencies",
            "studios",
            "mdt_boards",
            "clinic_demand",
            "surgeries",
            "requests",
            "weights",
            "pins",
            "pools",
            "resources",
        ],
    ),
    (
        "resources",
        &[
            "id",
            "name",
            "site",
            "kind",
            "sessions",
            "places",
            "unavailable",
        ],
    ),
    (
        "pools",
        &[
            "id",
            "specialist",
            "resource",
            "places",
            "for",
            "quota",
            "release_hours",
        ],
    ),
    (
        "pins",
        &[
            "id",
            "note",
            "forbid",
            "specialist",
            "date",
            "session",
            "activity",
            "site",
            "room",
            "discipline",
            "studio",
            "role",
            "board",
            "remote",
            "surgery",
            "surgeon",
            "request",
            "substitute",
        ],
    ),
    (
        "horizon",
        &["start", "weeks", "sessions", "closed_weekdays", "holidays"],
    ),
    ("horizon.sessions", &["id", "start", "end"]),
    ("sites", &["id", "name", "kind"]),
    ("travel", &["from", "to", "minutes"]),
    (
        "rooms",
        &[
            "id",
            "site",
            "kind",
            "tags",
            "unavailable",
            "capacity_minutes",
        ],
    ),
    (
        "specialists",
        &[
            "id",
            "name",
            "visiting",
            "home",
            "sites",
            "disciplines",
            "surgery_grade",
            "available",
            "unavailable",
            "max_sessions_per_week",
            "max_sessions_per_day",
            "clinic_capacity",
            "day_cost",
            "avoid",
        ],
    ),
    (
        "residencies",
        &[
            "specialist",
            "site",
            "days_per_week",
            "days",
            "consecutive",
            "same_days_every_week",
            "weeks",
        ],
    ),
    (
        "studios",
        &[
            "id",
            "name",
            "lead",
            "site",
            "discipline",
            "sessions_per_week",
            "room_tags",
            "apprentices",
            "min_apprentices",
        ],
    ),
    (
        "mdt_boards",
        &[
            "id",
            "name",
            "site",
            "required",
            "remote_ok",
            "meetings_per_week",
            "sessions",
            "room_tags",
        ],
    ),
    (
        "clinic_demand",
        &["site", "discipline", "sessions_per_week", "room_tags"],
    ),
    (
        "surgeries",
        &[
            "id",
            "patient",
            "discipline",
            "surgeon",
            "grade",
            "minutes",
            "room_tags",
            "site",
            "release",
            "due",
            "priority",
        ],
    ),
    (
        "requests",
        &[
            "id",
            "patient",
            "specialist",
            "discipline",
            "sites",
            "earliest",
            "latest",
            "substitute_ok",
            "priority",
            "referred_by",
            "resource",
            "resource_kind",
        ],
    ),
    (
        "weights",
        &[
            "unserved_request",
            "substitute",
            "wait_day",
            "unscheduled_surgery",
            "surgery_late_day",
            "missing_mdt_meeting",
            "missing_studio_session",
            "unmet_clinic_session",
            "visiting_day_cost",
            "idle_visiting_session",
            "avoided_slot",
        ],
    ),
];

/// Upper bound for weekly counts (sessions, meetings, apprentices, loads): far above
/// any real week, low enough that sums over a horizon cannot overflow.
const MAX_COUNT: i64 = 1_000;
/// Upper bound for patients per clinic session.
const MAX_CAPACITY: i64 = 10_000;

/// Validates a parsed file and builds the instance, or lists every problem.
pub(super) fn build(
    raw: &RawInstance,
    unknown_fields: Vec<String>,
) -> Result<Instance, InstanceError> {
    let mut builder = Builder {
        d: Diagnostics::default(),
        calendar: Calendar::new(
            NaiveDate::MIN,
            1,
            Calendar::default_sessions(),
            &[Weekday::Sat, Weekday::Sun],
            BTreeSet::new(),
        ),
        ids: IdIndex::default(),
        calendar_built: false,
    };
    for path in &unknown_fields {
        builder.unknown_field(path);
    }
    let name = builder.required_text(&raw.name, "name").unwrap_or_default();
    match &raw.horizon {
        Some(horizon) => builder.calendar(horizon),
        None => builder.d.error_hint(
            "horizon",
            "missing required section",
            "add [horizon] with start and weeks",
        ),
    }
    builder.index_ids(raw);

    let sites = builder.sites(&raw.sites);
    let travel = builder.travel(&raw.travel);
    let rooms = builder.rooms(&raw.rooms);
    let specialists = builder.specialists(&raw.specialists);
    let residencies = builder.residencies(&raw.residencies, &specialists);
    let studios = builder.studios(&raw.studios, &specialists);
    let mdt_boards = builder.mdt_boards(&raw.mdt_boards);
    let clinic_demand = builder.clinic_demand(&raw.clinic_demand);
    let surgeries = builder.surgeries(&raw.surgeries);
    let requests = builder.requests(&raw.requests, &specialists);
    let resources = builder.resources(&raw.resources);
    let resource_requests: Vec<_> = raw
        .requests
        .iter()
        .enumerate()
        .filter(|(_, r)| r.asks_for_resource())
        .filter_map(|(i, r)| builder.resource_request(i, r, &resources))
        .collect();
    let request_positions: Vec<usize> = raw
        .requests
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.asks_for_resource())
        .map(|(i, _)| i)
        .collect();
    let weights = builder.weights(raw.weights.as_ref());

    // Cross-entity checks need every entity and the calendar; they still run after
    // errors that left all of those standing (an unknown field, a bad weight…).
    let complete = builder.calendar_built
        && sites.len() == raw.sites.len()
        && travel.len() == raw.travel.len()
        && rooms.len() == raw.rooms.len()
        && specialists.len() == raw.specialists.len()
        && residencies.len() == raw.residencies.len()
        && studios.len() == raw.studios.len()
        && mdt_boards.len() == raw.mdt_boards.len()
        && clinic_demand.len() == raw.clinic_demand.len()
        && surgeries.len() == raw.surgeries.len()
        && requests.len() == request_positions.len()
        && resources.len() == raw.resources.len()
        && requests.len() + resource_requests.len() == raw.requests.len();
    let Builder {
        mut d,
        calendar,
        ids,
        ..
    } = builder;
    if !complete {
        d.note_skipped_cross_checks();
        return Err(InstanceError::Invalid {
            diagnostics: d.into_vec(),
        });
    }
    let mut instance = Instance {
        name,
        calendar,
        sites,
        travel,
        rooms,
        specialists,
        residencies,
        studios,
        mdt_boards,
        clinic_demand,
        surgeries,
        requests,
        weights,
        pins: Vec::new(),
        pools: Vec::new(),
        resources,
        resource_requests,
        resource_pools: Vec::new(),
        warnings: Vec::new(),
        ids,
        request_positions,
    };
    super::feasibility::check(&instance, &mut d);
    instance.pins = crate::pins::build::build(&raw.pins, &instance, &mut d);
    (instance.pools, instance.resource_pools) =
        crate::pools::build::build(&raw.pools, &instance, &mut d);
    if d.has_errors() {
        return Err(InstanceError::Invalid {
            diagnostics: d.into_vec(),
        });
    }
    instance.warnings = d.into_vec();
    Ok(instance)
}

struct Builder {
    d: Diagnostics,
    calendar: Calendar,
    ids: IdIndex,
    calendar_built: bool,
}

fn at(section: &str, index: usize, field: &str) -> String {
    if field.is_empty() {
        format!("{section}[{index}]")
    } else {
        format!("{section}[{index}].{field}")
    }
}

/// An optional reference: absent is fine (`Some(None)`), given but unresolved fails.
fn optional_ref<T>(reference: Option<Option<T>>) -> Option<Option<T>> {
    match reference {
        None => Some(None),
        Some(resolved) => resolved.map(Some),
    }
}

fn item(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}
