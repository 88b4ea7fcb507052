//! The planners' what-if form (`/app/whatif`): an instance, the shipped scenarios that
//! apply to it (each tried with `Scenario::apply` on its raw form), one scenario of
//! their own (pasted, read from a file, or composed from `[[changes]]` skeletons of the
//! 14 change kinds), near-base and the time limit. Running it starts a what-if job
//! through the API's own function and opens the job's page (`whatif_job`).

use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use houniao::Instance;
use houniao::instance::SourceFormat;
use houniao::instance::raw::RawInstance;
use houniao::scenario::Scenario;
use serde::Deserialize;
use serde_json::Value;

use super::{Chrome, check_csrf, guard, message, render};
use crate::server::api::whatif_jobs;
use crate::server::auth::Access;
use crate::server::error::ApiError;
use crate::server::state::AppState;
use crate::web::i18n::Tr;
use crate::web::session::Session;

/// The shipped scenarios (`instances/scenarios/`): file stem and text.
const SHIPPED: &[(&str, &str)] = &[
    (
        "beilun-theatre-closed",
        include_str!("../../../../instances/scenarios/beilun-theatre-closed.toml"),
    ),
    (
        "example-xi-away-tuesday",
        include_str!("../../../../instances/scenarios/example-xi-away-tuesday.toml"),
    ),
    (
        "ningde-expert-leaves",
        include_str!("../../../../instances/scenarios/ningde-expert-leaves.toml"),
    ),
    (
        "ningde-extra-oncologist",
        include_str!("../../../../instances/scenarios/ningde-extra-oncologist.toml"),
    ),
    (
        "ningde-requests-plus-20",
        include_str!("../../../../instances/scenarios/ningde-requests-plus-20.toml"),
    ),
    (
        "ningde-residencies-2-days",
        include_str!("../../../../instances/scenarios/ningde-residencies-2-days.toml"),
    ),
    (
        "ningde-studios-twice-weekly",
        include_str!("../../../../instances/scenarios/ningde-studios-twice-weekly.toml"),
    ),
    (
        "ningde-surgeries-plus-50",
        include_str!("../../../../instances/scenarios/ningde-surgeries-plus-50.toml"),
    ),
    (
        "ningde-theatre-closed",
        include_str!("../../../../instances/scenarios/ningde-theatre-closed.toml"),
    ),
    (
        "ningde-travel-costlier",
        include_str!("../../../../instances/scenarios/ningde-travel-costlier.toml"),
    ),
    (
        "yangpu-requests-plus-20",
        include_str!("../../../../instances/scenarios/yangpu-requests-plus-20.toml"),
    ),
];

/// The 14 change kinds, as `kind` spells them.
const KINDS: [&str; 14] = [
    "add_specialist",
    "remove_specialist",
    "unavailable",
    "residency",
    "add_room",
    "close_room",
    "clinic_demand",
    "mdt_meetings",
    "studio_cadence",
    "scale_requests",
    "scale_surgeries",
    "add_requests",
    "add_surgeries",
    "weights",
];

/// A shipped scenario as the form offers it.
struct ShippedView {
    id: &'static str,
    name: String,
    description: String,
    checked: bool,
}

/// A change kind with its skeleton for the editor.
struct KindView {
    kind: &'static str,
    label: String,
    skeleton: String,
}

/// A problem of a refused scenario.
struct Problem {
    path: String,
    message: String,
}

#[derive(Template)]
#[template(path = "whatif.html")]
struct WhatIfPage {
    chrome: Chrome,
    /// (id, name) of every stored instance.
    instances: Vec<(String, String)>,
    chosen: Option<String>,
    shipped: Vec<ShippedView>,
    kinds: Vec<KindView>,
    text: String,
    near_base: bool,
    time_limit: String,
    max_time_limit: String,
    refused: Option<String>,
    problems: Vec<Problem>,
}

/// The form's query: the instance chosen.
#[derive(Debug, Default, Deserialize)]
pub struct ChooseQuery {
    instance: Option<String>,
}

/// What the form held, to show it again.
#[derive(Default)]
struct Sent {
    instance: Option<String>,
    shipped: Vec<String>,
    text: String,
    near_base: bool,
    time_limit: Option<String>,
}

/// A page for a failure of the service (5xx) or a missing instance (404).
fn failure(tr: Tr, session: &Session, error: &ApiError) -> Response {
    if error.status == StatusCode::NOT_FOUND {
        return message(
            tr,
            Some(session),
            StatusCode::NOT_FOUND,
            "error.not_found_title",
            "error.not_found",
        );
    }
    tracing::error!(detail = %error.detail, "the what-if page");
    message(
        tr,
        Some(session),
        error.status,
        "whatif.failed_title",
        "whatif.failed",
    )
}

fn page(
    state: &AppState,
    tr: Tr,
    session: &Session,
    sent: Sent,
    refused: Option<&ApiError>,
) -> Result<WhatIfPage, ApiError> {
    let instances: Vec<(String, String)> = state
        .store
        .instances()?
        .into_iter()
        .map(|row| (row.id, row.name))
        .collect();
    let chosen = sent
        .instance
        .filter(|id| instances.iter().any(|(i, _)| i == id))
        .or_else(|| (instances.len() == 1).then(|| instances[0].0.clone()));
    let (shipped, kinds) = match &chosen {
        Some(id) => {
            let raw = state.source(id)?.raw()?;
            let instance = state.instance(id)?;
            (
                applicable(&raw, &sent.shipped),
                KINDS
                    .iter()
                    .map(|&kind| KindView {
                        kind,
                        label: tr.t(kind_key(kind)).to_string(),
                        skeleton: skeleton(tr, kind, &instance),
                    })
                    .collect(),
            )
        }
        None => (Vec::new(), Vec::new()),
    };
    let limits = &state.config.solver;
    let problems = refused
        .and_then(|e| e.extra.as_ref())
        .and_then(|extra| extra.get("problems"))
        .and_then(Value::as_array)
        .map(|problems| {
            problems
                .iter()
                .map(|p| Problem {
                    path: p["path"].as_str().unwrap_or_default().to_string(),
                    message: p["message"].as_str().unwrap_or_default().to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(WhatIfPage {
        chrome: Chrome::new(tr, Some(session), tr.t("whatif.title"), "/app/whatif"),
        instances,
        chosen,
        shipped,
        kinds,
        text: sent.text,
        near_base: sent.near_base,
        time_limit: sent
            .time_limit
            .unwrap_or_else(|| format!("{}", limits.default_time_limit)),
        max_time_limit: format!("{}", limits.max_time_limit),
        refused: refused.map(|e| e.detail.clone()),
        problems,
    })
}

/// The shipped scenarios whose changes apply to an instance (its raw form with the
/// current pins), in file order.
fn applicable(raw: &RawInstance, checked: &[String]) -> Vec<ShippedView> {
    SHIPPED
        .iter()
        .filter_map(|&(id, text)| {
            let scenario = Scenario::from_str_as(text, SourceFormat::Toml).ok()?;
            scenario.apply(raw).ok()?;
            Some(ShippedView {
                id,
                name: scenario.name,
                description: if scenario.description.is_empty() {
                    leading_comment(text)
                } else {
                    scenario.description
                },
                checked: checked.iter().any(|c| c == id),
            })
        })
        .collect()
}

/// The comment a scenario file opens with (what it asks, when it has no description).
fn leading_comment(text: &str) -> String {
    text.lines()
        .map_while(|line| line.strip_prefix('#'))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

fn kind_key(kind: &str) -> &'static str {
    match kind {
        "add_specialist" => "whatif.kind.add_specialist",
        "remove_specialist" => "whatif.kind.remove_specialist",
        "unavailable" => "whatif.kind.unavailable",
        "residency" => "whatif.kind.residency",
        "add_room" => "whatif.kind.add_room",
        "close_room" => "whatif.kind.close_room",
        "clinic_demand" => "whatif.kind.clinic_demand",
        "mdt_meetings" => "whatif.kind.mdt_meetings",
        "studio_cadence" => "whatif.kind.studio_cadence",
        "scale_requests" => "whatif.kind.scale_requests",
        "scale_surgeries" => "whatif.kind.scale_surgeries",
        "add_requests" => "whatif.kind.add_requests",
        "add_surgeries" => "whatif.kind.add_surgeries",
        _ => "whatif.kind.weights",
    }
}

/// A commented `[[changes]]` skeleton of a kind, with ids of the instance filled in
/// where one is needed (the user edits them).
fn skeleton(tr: Tr, kind: &str, instance: &Instance) -> String {
    let first = |ids: Vec<&str>, fallback: &str| -> String {
        ids.first().copied().unwrap_or(fallback).to_string()
    };
    let specialist = first(
        instance
            .specialists
            .iter()
            .filter(|s| s.visiting)
            .chain(&instance.specialists)
            .map(|s| s.id.as_str())
            .collect(),
        "SPECIALIST",
    );
    let room = first(
        instance.rooms.iter().map(|r| r.id.as_str()).collect(),
        "ROOM",
    );
    let site = first(
        instance.sites.iter().map(|s| s.id.as_str()).collect(),
        "SITE",
    );
    let discipline = first(
        instance
            .specialists
            .iter()
            .flat_map(|s| s.disciplines.iter().map(String::as_str))
            .collect(),
        "DISCIPLINE",
    );
    let board = first(
        instance.mdt_boards.iter().map(|b| b.id.as_str()).collect(),
        "BOARD",
    );
    let studio = first(
        instance.studios.iter().map(|s| s.id.as_str()).collect(),
        "STUDIO",
    );
    let home = instance
        .specialists
        .iter()
        .find(|s| s.visiting)
        .map_or("HOME", |s| s.home.as_str());
    let start = instance.calendar.start();
    let day = start.format("%Y-%m-%d");
    let last = instance
        .calendar
        .dates()
        .last()
        .unwrap_or(start)
        .format("%Y-%m-%d");
    let body = match kind {
        "add_specialist" => format!(
            "[changes.specialist]\nid = \"new-expert\"\nname = \"New Expert\"\nvisiting = true\nhome = \"{home}\"\nsites = [\"{site}\"]\ndisciplines = [\"{discipline}\"]\n"
        ),
        "remove_specialist" => format!("specialist = \"{specialist}\"\n"),
        "unavailable" => {
            format!("specialist = \"{specialist}\"\nslots = [\"{day}\", \"{day}:am\"]\n")
        }
        "residency" => format!(
            "specialist = \"{specialist}\"\ndays_per_week = 2\n# days = [\"tue\", \"wed\"]\n# weeks = [0]\n"
        ),
        "add_room" => {
            format!("[changes.room]\nid = \"new-room\"\nsite = \"{site}\"\nkind = \"clinic\"\n")
        }
        "close_room" => format!("room = \"{room}\"\n"),
        "clinic_demand" => {
            format!("site = \"{site}\"\ndiscipline = \"{discipline}\"\nsessions_per_week = 3\n")
        }
        "mdt_meetings" => format!("board = \"{board}\"\nmeetings_per_week = 2\n"),
        "studio_cadence" => format!("studio = \"{studio}\"\nsessions_per_week = 2\n"),
        "scale_requests" | "scale_surgeries" => "factor = 1.2\n".to_string(),
        "add_requests" => format!(
            "[[changes.requests]]\nid = \"new-request\"\npatient = \"P-NEW\"\ndiscipline = \"{discipline}\"\nearliest = \"{day}\"\nlatest = \"{last}\"\n"
        ),
        "add_surgeries" => {
            // Like the instance's first surgery (a discipline that operates).
            let (discipline, grade, minutes) = instance
                .surgeries
                .first()
                .map_or((discipline.as_str(), 1, 60), |s| {
                    (s.discipline.as_str(), s.grade, s.minutes)
                });
            format!(
                "[[changes.surgeries]]\nid = \"new-surgery\"\npatient = \"P-NEW\"\ndiscipline = \"{discipline}\"\ngrade = {grade}\nminutes = {minutes}\nrelease = \"{day}\"\ndue = \"{last}\"\n"
            )
        }
        _ => "[changes.weights]\nvisiting_day_cost = 2\n".to_string(),
    };
    format!(
        "\n# {}\n[[changes]]\nkind = \"{kind}\"\n{body}",
        tr.t(kind_key(kind))
    )
}

/// `GET /app/whatif[?instance=ID]`: the form.
pub async fn form(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(query): Query<ChooseQuery>,
) -> Response {
    let session = match guard(&state, &headers, "/app/whatif", Access::Plan) {
        Ok(session) => session,
        Err(response) => return response,
    };
    let tr = Tr::of(&headers);
    let sent = Sent {
        instance: query.instance,
        near_base: true,
        ..Sent::default()
    };
    let (worker, shown) = (state.clone(), session.clone());
    let built = tokio::task::spawn_blocking(move || page(&worker, tr, &shown, sent, None)).await;
    match built {
        Ok(Ok(page)) => render(&page, StatusCode::OK),
        Ok(Err(error)) => failure(tr, &session, &error),
        Err(join) => failure(tr, &session, &ApiError::internal(join)),
    }
}

/// `POST /app/whatif`: starts the job and opens its page; a refused scenario shows the
/// form again with every problem (422).
pub async fn run(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let session = match guard(&state, &headers, "/app/whatif", Access::Plan) {
        Ok(session) => session,
        Err(response) => return response,
    };
    let tr = Tr::of(&headers);
    let fields = form.map(|Form(fields)| fields).unwrap_or_default();
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    if let Err(response) = check_csrf(&headers, &session, field("csrf").as_deref()) {
        return response;
    }
    let sent = Sent {
        instance: field("instance"),
        shipped: fields
            .iter()
            .filter(|(k, _)| k == "shipped")
            .map(|(_, v)| v.clone())
            .collect(),
        text: field("text").unwrap_or_default(),
        near_base: field("near_base").is_some(),
        time_limit: field("time_limit").filter(|t| !t.trim().is_empty()),
    };
    let mut scenarios: Vec<Value> = sent
        .shipped
        .iter()
        .filter_map(|id| SHIPPED.iter().find(|(s, _)| s == id))
        .map(|(_, text)| Value::String(text.to_string()))
        .collect();
    if !sent.text.trim().is_empty() {
        scenarios.push(Value::String(sent.text.clone()));
    }
    let time_limit = match &sent.time_limit {
        Some(text) => match text.trim().parse::<f64>() {
            Ok(seconds) => Some(seconds),
            Err(_) => Some(-1.0), // refused with the range by the API's check
        },
        None => None,
    };
    let started = match (&sent.instance, scenarios.is_empty()) {
        (None, _) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            tr.t("whatif.no_instance"),
        )),
        (Some(_), true) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            tr.t("whatif.no_scenario"),
        )),
        (Some(id), false) => {
            let (worker, id, actor, near_base) = (
                state.clone(),
                id.clone(),
                session.caller.name.clone(),
                sent.near_base,
            );
            // Applying scenarios validates whole instances: off the async threads (the
            // job itself is spawned onto the runtime from there).
            tokio::task::spawn_blocking(move || {
                whatif_jobs::start(&worker, &actor, &id, &scenarios, time_limit, near_base)
            })
            .await
            .unwrap_or_else(|join| Err(ApiError::internal(join)))
        }
    };
    let refused = match started {
        Ok((job, _)) => return Redirect::to(&format!("/app/whatif/jobs/{job}")).into_response(),
        Err(error) if error.status == StatusCode::UNPROCESSABLE_ENTITY => error,
        Err(error) => return failure(tr, &session, &error),
    };
    let worker = state.clone();
    let shown = session.clone();
    let built =
        tokio::task::spawn_blocking(move || page(&worker, tr, &shown, sent, Some(&refused))).await;
    match built {
        Ok(Ok(page)) => render(&page, StatusCode::UNPROCESSABLE_ENTITY),
        Ok(Err(error)) => failure(tr, &session, &error),
        Err(join) => failure(tr, &session, &ApiError::internal(join)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    #[test]
    fn every_skeleton_reads_and_applies_to_ningde_and_every_shipped_scenario_reads() {
        let text = include_str!("../../../../instances/ningde-regional.toml");
        let (raw, _) = houniao::instance::load::parse(text, SourceFormat::Toml).expect("parses");
        let instance = Instance::from_raw(&raw).expect("valid");
        for lang in [Lang::En, Lang::Zh] {
            let tr = Tr { lang };
            for kind in KINDS {
                let scenario = format!("name = \"t\"\n{}", skeleton(tr, kind, &instance));
                let read = Scenario::from_str_as(&scenario, SourceFormat::Toml);
                let read = read.unwrap_or_else(|e| panic!("{kind}: {e}\n{scenario}"));
                if let Err(e) = read.apply(&raw) {
                    panic!("{kind}: {e} {:?}\n{scenario}", e.problems());
                }
            }
        }
        for (id, text) in SHIPPED {
            assert!(
                Scenario::from_str_as(text, SourceFormat::Toml).is_ok(),
                "{id}"
            );
        }
        // Ningde's eight, and Yangpu's +20% requests, which names no id and so applies
        // to any instance; not Beilun's theatre nor the worked example's expert.
        let offered: Vec<&str> = applicable(&raw, &[]).iter().map(|s| s.id).collect();
        assert_eq!(offered.len(), 9, "{offered:?}");
        assert!(offered.contains(&"yangpu-requests-plus-20"), "{offered:?}");
        assert!(!offered.contains(&"beilun-theatre-closed"), "{offered:?}");
        assert!(!offered.contains(&"example-xi-away-tuesday"), "{offered:?}");
    }
}
