//! The scheduler's instances: the list of stored instances with the upload form (TOML
//! or JSON, pasted or read from a file in the browser; every validation error listed
//! by its field path), and one instance's page: its summary, pins and publications,
//! with the form that starts a solve. Uploading and starting a solve go through the
//! same functions as the API's `POST /instances` and `POST /instances/{id}/solves`.

use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Local, NaiveDate};
use houniao::pins::PinRef;
use houniao::summary::InstanceSummary;
use serde::Deserialize;

use super::{Chrome, MessagePage, check_csrf, guard, message, render};
use crate::server::api::instances::{UploadError, add_instance, looks_like_json};
use crate::server::api::solves::start_job;
use crate::server::auth::Access;
use crate::server::error::ApiError;
use crate::server::state::AppState;
use crate::web::i18n::Tr;
use crate::web::session::Session;

/// A stored instance as the list shows it.
struct Row {
    id: String,
    name: String,
    created_by: String,
    created_at: String,
    published_version: Option<i64>,
    /// The roster of the current publication.
    published_roster: Option<String>,
}

/// One validation error of an upload.
struct Problem {
    path: String,
    message: String,
    hint: Option<String>,
}

#[derive(Template)]
#[template(path = "instances.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    can_upload: bool,
    /// The text sent, shown again when it was refused.
    text: String,
    /// Why an upload was refused, with its errors.
    refused: Option<String>,
    problems: Vec<Problem>,
}

/// A moment stored as RFC 3339, as the users write it, in the server's time zone:
/// `2026年3月3日 周二 14:05` / `Tue 3 Mar 14:05`.
pub(super) fn moment(tr: Tr, stored: &str) -> String {
    match DateTime::parse_from_rfc3339(stored) {
        Ok(at) => {
            let at = at.with_timezone(&Local);
            format!("{} {}", tr.date(at.date_naive()), at.format("%H:%M"))
        }
        Err(_) => stored.to_string(),
    }
}

/// A page for a failure of the service or a missing record (404 and 5xx), in words.
pub(super) fn failure(tr: Tr, session: &Session, error: &ApiError) -> Response {
    if error.status == StatusCode::NOT_FOUND {
        return message(
            tr,
            Some(session),
            StatusCode::NOT_FOUND,
            "error.not_found_title",
            "error.not_found",
        );
    }
    let text = if error.status.is_server_error() {
        tr.t("instances.failed").to_string()
    } else {
        error.detail.clone()
    };
    let page = MessagePage {
        chrome: Chrome::new(tr, Some(session), tr.t("instances.refused_title"), ""),
        text,
    };
    render(&page, error.status)
}

fn list_page(
    state: &AppState,
    headers: &HeaderMap,
    session: &Session,
    text: String,
    refused: Option<(String, Vec<Problem>)>,
) -> Result<ListPage, Response> {
    let tr = Tr::of(headers);
    let current = state
        .store
        .current_publications()
        .map_err(|e| failure(tr, session, &e.into()))?;
    let rows = state
        .store
        .instances()
        .map_err(|e| failure(tr, session, &e.into()))?
        .into_iter()
        .map(|row| Row {
            published_roster: current
                .iter()
                .find(|p| p.instance_id == row.id)
                .map(|p| p.roster_id.clone()),
            created_at: moment(tr, &row.created_at),
            id: row.id,
            name: row.name,
            created_by: row.created_by,
            published_version: row.published_version,
        })
        .collect();
    let (refused, problems) = match refused {
        Some((detail, problems)) => (Some(detail), problems),
        None => (None, Vec::new()),
    };
    Ok(ListPage {
        chrome: Chrome::new(tr, Some(session), tr.t("instances.title"), "/app/instances"),
        rows,
        can_upload: session.admits(Access::Schedule),
        text,
        refused,
        problems,
    })
}

/// `GET /app/instances`: the stored instances; the upload form for schedulers.
pub async fn list(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let session = match guard(&state, &headers, "/app/instances", Access::Read) {
        Ok(session) => session,
        Err(response) => return response,
    };
    match list_page(&state, &headers, &session, String::new(), None) {
        Ok(page) => render(&page, StatusCode::OK),
        Err(response) => response,
    }
}

/// The upload form's fields.
#[derive(Debug, Deserialize)]
pub struct UploadForm {
    csrf: Option<String>,
    /// The instance file's text (the file input fills it in the browser).
    text: Option<String>,
}

/// `POST /app/instances`: stores the instance and opens its page; a refused file
/// shows the list again with every error by its field path (422).
pub async fn upload(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    form: Result<Form<UploadForm>, FormRejection>,
) -> Response {
    let session = match guard(&state, &headers, "/app/instances", Access::Schedule) {
        Ok(session) => session,
        Err(response) => return response,
    };
    let tr = Tr::of(&headers);
    let form = form.map(|Form(form)| form).ok();
    let csrf = form.as_ref().and_then(|f| f.csrf.as_deref());
    if let Err(response) = check_csrf(&headers, &session, csrf) {
        return response;
    }
    let text = form.and_then(|f| f.text).unwrap_or_default();
    let refused = if text.trim().is_empty() {
        (tr.t("instances.upload_empty").to_string(), Vec::new())
    } else {
        let (worker, sent, actor) = (state.clone(), text.clone(), session.caller.name.clone());
        let stored = tokio::task::spawn_blocking(move || {
            add_instance(&worker, &sent, looks_like_json(&sent), &actor)
        })
        .await
        .unwrap_or_else(|join| Err(UploadError::Failed(ApiError::internal(join))));
        match stored {
            Ok((id, _)) => {
                return Redirect::to(&format!("/app/instances/{}", path_part(&id))).into_response();
            }
            Err(UploadError::Failed(error)) => return failure(tr, &session, &error),
            Err(UploadError::Invalid { detail, problems }) => (
                detail,
                problems
                    .into_iter()
                    .map(|d| Problem {
                        path: d.path,
                        message: d.message,
                        hint: d.hint,
                    })
                    .collect(),
            ),
        }
    };
    match list_page(&state, &headers, &session, text, Some(refused)) {
        Ok(page) => render(&page, StatusCode::UNPROCESSABLE_ENTITY),
        Err(response) => response,
    }
}

/// An id as one segment of a URL path.
pub(super) fn path_part(id: &str) -> String {
    id.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// A publication as the instance's page shows it.
struct PublicationView {
    version: i64,
    roster_id: String,
    published_at: String,
    published_by: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "instances_show.html")]
struct ShowPage {
    chrome: Chrome,
    id: String,
    name: String,
    created_by: String,
    created_at: String,
    format: String,
    /// (label, value) of the summary.
    figures: Vec<(String, String)>,
    pins: Vec<PinRef>,
    pins_from_api: bool,
    publications: Vec<PublicationView>,
    can_solve: bool,
    default_time_limit: f64,
    max_time_limit: f64,
    /// The time limit asked for when it was refused.
    time_limit: String,
    solve_refused: Option<String>,
}

/// The summary in words and figures: one row per subject, each count after its name
/// (`Hospitals 1 · Community centres 1`), so that no language needs plurals.
fn figures(tr: Tr, summary: &InstanceSummary) -> Vec<(String, String)> {
    let date = |text: &str| {
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_or_else(|_| text.to_string(), |d| tr.date(d))
    };
    let counts = |items: &[(&'static str, String)]| {
        items
            .iter()
            .map(|(key, n)| format!("{} {n}", tr.t(key)))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    let with = |n: String, key: &'static str, m: String| format!("{n} ({} {m})", tr.t(key));
    let sessions: Vec<&str> = summary.sessions.iter().map(|s| tr.session(s)).collect();
    let [hub, hospital, community] = summary.sites.map(|n| n.to_string());
    let [clinic, meeting, theatre] = summary.rooms.map(|n| n.to_string());
    let grades: Vec<String> = summary
        .surgeries_by_grade
        .iter()
        .enumerate()
        .map(|(i, n)| format!("{} {}: {n}", tr.t("instances.summary.grade"), i + 1))
        .collect();
    let figure = |key: &'static str, value: String| (tr.t(key).to_string(), value);
    vec![
        figure(
            "instances.summary.period",
            format!("{} – {}", date(&summary.start), date(&summary.end)),
        ),
        figure("instances.summary.weeks", summary.weeks.to_string()),
        figure(
            "instances.summary.open_dates",
            summary.open_dates.to_string(),
        ),
        figure("instances.summary.sessions", sessions.join(" · ")),
        figure(
            "instances.summary.sites",
            counts(&[
                ("instances.summary.hubs", hub),
                ("instances.summary.hospitals", hospital),
                ("instances.summary.communities", community),
            ]),
        ),
        figure(
            "instances.summary.rooms",
            counts(&[
                ("instances.summary.clinics", clinic),
                ("instances.summary.meeting_rooms", meeting),
                ("instances.summary.theatres", theatre),
            ]),
        ),
        figure(
            "instances.summary.specialists",
            counts(&[
                (
                    "instances.summary.visiting",
                    summary.visiting_specialists.to_string(),
                ),
                (
                    "instances.summary.local",
                    summary.local_specialists.to_string(),
                ),
                (
                    "instances.summary.disciplines",
                    summary.disciplines.to_string(),
                ),
            ]),
        ),
        figure(
            "instances.summary.residencies",
            with(
                summary.residencies.to_string(),
                "instances.summary.days_on_site",
                summary.residency_days.to_string(),
            ),
        ),
        figure(
            "instances.summary.studios",
            with(
                summary.studios.to_string(),
                "instances.summary.sessions_wanted",
                summary.studio_sessions.to_string(),
            ),
        ),
        figure(
            "instances.summary.mdt_boards",
            with(
                summary.mdt_boards.to_string(),
                "instances.summary.meetings_wanted",
                summary.mdt_meetings.to_string(),
            ),
        ),
        figure(
            "instances.summary.clinic_sessions",
            summary.clinic_sessions.to_string(),
        ),
        figure("instances.summary.surgeries", grades.join(" · ")),
        figure(
            "instances.summary.requests",
            counts(&[
                (
                    "instances.summary.named",
                    with(
                        summary.named_requests.to_string(),
                        "instances.summary.substitute_ok",
                        summary.substitute_ok_requests.to_string(),
                    ),
                ),
                (
                    "instances.summary.by_discipline",
                    summary.discipline_requests.to_string(),
                ),
            ]),
        ),
        figure(
            "instances.summary.pins",
            counts(&[
                ("instances.summary.pins_kept", summary.pins.to_string()),
                ("instances.summary.forbids", summary.forbids.to_string()),
            ]),
        ),
        figure("instances.summary.warnings", summary.warnings.to_string()),
    ]
}

fn show_page(
    state: &AppState,
    headers: &HeaderMap,
    session: &Session,
    id: &str,
    time_limit: Option<String>,
    solve_refused: Option<String>,
) -> Result<ShowPage, Response> {
    let tr = Tr::of(headers);
    let fail = |error: ApiError| failure(tr, session, &error);
    let source = state.source(id).map_err(fail)?;
    let instance = state.instance(id).map_err(fail)?;
    let current = source.row.published_version;
    let publications = state
        .store
        .publications(id)
        .map_err(|e| fail(e.into()))?
        .into_iter()
        .rev()
        .map(|p| PublicationView {
            current: Some(p.version) == current,
            version: p.version,
            roster_id: p.roster_id,
            published_at: moment(tr, &p.published_at),
            published_by: p.published_by,
        })
        .collect();
    let limits = &state.config.solver;
    Ok(ShowPage {
        chrome: Chrome::new(
            tr,
            Some(session),
            &source.row.name,
            &format!("/app/instances/{}", path_part(id)),
        ),
        id: id.to_string(),
        name: source.row.name.clone(),
        created_by: source.row.created_by.clone(),
        created_at: moment(tr, &source.row.created_at),
        format: source.row.format.to_uppercase(),
        figures: figures(tr, &InstanceSummary::of(&instance)),
        pins: instance
            .pins
            .iter()
            .map(|pin| PinRef::of(&instance, pin))
            .collect(),
        pins_from_api: source.pins.is_some(),
        publications,
        can_solve: session.admits(Access::Schedule),
        default_time_limit: limits.default_time_limit,
        max_time_limit: limits.max_time_limit,
        time_limit: time_limit.unwrap_or_else(|| limits.default_time_limit.to_string()),
        solve_refused,
    })
}

/// `GET /app/instances/{id}`: the instance's summary, pins and publications; the solve
/// form for schedulers.
pub async fn show(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let path = format!("/app/instances/{}", path_part(&id));
    let session = match guard(&state, &headers, &path, Access::Read) {
        Ok(session) => session,
        Err(response) => return response,
    };
    match show_page(&state, &headers, &session, &id, None, None) {
        Ok(page) => render(&page, StatusCode::OK),
        Err(response) => response,
    }
}

/// The solve form's fields.
#[derive(Debug, Deserialize)]
pub struct SolveForm {
    csrf: Option<String>,
    /// Seconds (empty: the service's default).
    time_limit: Option<String>,
}

/// `POST /app/instances/{id}/solve`: starts a solve job as `POST
/// /instances/{id}/solves` does and opens its progress page; a time limit out of range
/// shows the instance's page again with the reason (422).
pub async fn solve(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<SolveForm>, FormRejection>,
) -> Response {
    let path = format!("/app/instances/{}", path_part(&id));
    let session = match guard(&state, &headers, &path, Access::Schedule) {
        Ok(session) => session,
        Err(response) => return response,
    };
    let tr = Tr::of(&headers);
    let form = form.map(|Form(form)| form).ok();
    let csrf = form.as_ref().and_then(|f| f.csrf.as_deref());
    if let Err(response) = check_csrf(&headers, &session, csrf) {
        return response;
    }
    let asked = form
        .and_then(|f| f.time_limit)
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    let refuse = |reason: String, asked: Option<String>| match show_page(
        &state,
        &headers,
        &session,
        &id,
        asked,
        Some(reason),
    ) {
        Ok(page) => render(&page, StatusCode::UNPROCESSABLE_ENTITY),
        Err(response) => response,
    };
    let time_limit = match asked.as_deref().map(str::parse::<f64>) {
        None => None,
        Some(Ok(seconds)) if seconds.is_finite() => Some(seconds),
        Some(_) => return refuse(tr.t("instances.solve.not_a_number").to_string(), asked),
    };
    match start_job(&state, &id, time_limit, None, &session.caller.name) {
        Ok(job) => Redirect::to(&format!("/app/solves/{}", path_part(&job))).into_response(),
        Err(error) if error.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let reason = format!(
                "{} (0, {}]",
                tr.t("instances.solve.out_of_range"),
                state.config.solver.max_time_limit
            );
            refuse(reason, asked)
        }
        Err(error) => failure(tr, &session, &error),
    }
}
