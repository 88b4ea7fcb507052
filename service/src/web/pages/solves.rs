//! A solve job's page: its live figures (elapsed seconds, incumbent, bound, gap,
//! neighbourhoods) from a server-sent event stream while it runs, a Cancel button for
//! schedulers, and once it is over the outcome: the roster made with its objective by
//! term and the way to its board, or why it failed (a pin conflict by its message).
//! The job is read through the same function as the API's `GET /solves/{job}`, and
//! cancelled through the same one as `DELETE /solves/{job}`.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use futures_util::stream::{self, Stream};
use houniao::Roster;
use houniao::objective::Term;
use serde::Deserialize;
use serde_json::json;

use super::instances::{failure, moment, path_part};
use super::{Chrome, check_csrf, guard, render};
use crate::server::api::solves::{JobProgress, cancel_job, job};
use crate::server::auth::Access;
use crate::server::state::AppState;
use crate::server::store::SolveRow;
use crate::web::i18n::Tr;

/// How often the stream reports a running job.
const EVERY: Duration = Duration::from_millis(500);

/// A finished job's outcome.
struct Outcome {
    roster_id: Option<String>,
    objective: Option<String>,
    /// (term, value) of the roster's objective.
    terms: Vec<(String, String)>,
    /// Why it failed, for people.
    failure: Option<String>,
    /// The failure is pins that cannot all hold.
    pin_conflict: bool,
}

#[derive(Template)]
#[template(path = "solve.html")]
struct SolvePage {
    chrome: Chrome,
    job: String,
    instance_id: String,
    started_at: String,
    status: String,
    running: bool,
    progress: Figures,
    can_cancel: bool,
    outcome: Option<Outcome>,
}

/// The live figures as shown (`–` when not known yet).
struct Figures {
    elapsed: String,
    incumbent: String,
    bound: String,
    gap: String,
    neighbourhoods: String,
}

impl Figures {
    fn of(progress: Option<&JobProgress>) -> Figures {
        let number = |value: Option<f64>, digits: usize| {
            value.map_or_else(|| "–".to_string(), |v| format!("{v:.digits$}"))
        };
        Figures {
            elapsed: number(progress.map(|p| p.elapsed_seconds), 1),
            incumbent: number(progress.and_then(|p| p.incumbent), 2),
            bound: number(progress.and_then(|p| p.bound), 2),
            gap: progress
                .and_then(JobProgress::gap)
                .map_or_else(|| "–".to_string(), |g| format!("{:.2} %", 100.0 * g)),
            neighbourhoods: progress
                .and_then(|p| p.neighbourhoods)
                .map_or_else(|| "–".to_string(), |n| n.to_string()),
        }
    }
}

/// A job's status in words.
fn status_label(tr: Tr, status: &str) -> String {
    let key = match status {
        "queued" => "instances.status.queued",
        "running" => "instances.status.running",
        "done" => "instances.status.done",
        "failed" => "instances.status.failed",
        "cancelled" => "instances.status.cancelled",
        "interrupted" => "instances.status.interrupted",
        other => return other.to_string(),
    };
    tr.t(key).to_string()
}

/// An objective term's name in words.
fn term_label(tr: Tr, term: Term) -> &'static str {
    match term {
        Term::UnservedRequest => tr.t("instances.term.unserved_request"),
        Term::Substitute => tr.t("instances.term.substitute"),
        Term::WaitDay => tr.t("instances.term.wait_day"),
        Term::UnscheduledSurgery => tr.t("instances.term.unscheduled_surgery"),
        Term::SurgeryLateDay => tr.t("instances.term.surgery_late_day"),
        Term::MissingMdtMeeting => tr.t("instances.term.missing_mdt_meeting"),
        Term::MissingStudioSession => tr.t("instances.term.missing_studio_session"),
        Term::UnmetClinicSession => tr.t("instances.term.unmet_clinic_session"),
        Term::VisitingDayCost => tr.t("instances.term.visiting_day_cost"),
        Term::IdleVisitingSession => tr.t("instances.term.idle_visiting_session"),
        Term::AvoidedSlot => tr.t("instances.term.avoided_slot"),
    }
}

/// Why a job failed, for people (a pin conflict in the page's language), if it did.
fn failure_text(tr: Tr, row: &SolveRow) -> Option<String> {
    match row.status.as_str() {
        "failed" => Some(match &row.detail_text {
            Some(text) => tr.text(text),
            None => row
                .detail
                .clone()
                .or_else(|| row.error.clone())
                .unwrap_or_default(),
        }),
        "interrupted" => Some(tr.t("instances.solve.interrupted").to_string()),
        _ => None,
    }
}

/// What a finished job made, or why it failed.
fn outcome(state: &AppState, tr: Tr, row: &SolveRow) -> Outcome {
    let roster = row.roster_id.as_deref().and_then(|id| {
        let (_, text) = state.store.roster(id).ok().flatten()?;
        Roster::from_json_str(&text).ok()
    });
    let terms = roster.as_ref().map_or_else(Vec::new, |roster| {
        roster
            .objective_terms
            .iter()
            .map(|(term, value)| (term_label(tr, term).to_string(), format!("{value:.2}")))
            .collect()
    });
    Outcome {
        roster_id: row.roster_id.clone(),
        objective: roster.map(|r| format!("{:.2}", r.objective)),
        terms,
        failure: failure_text(tr, row),
        pin_conflict: row.error.as_deref() == Some("pin_conflict"),
    }
}

/// `GET /app/solves/{job}`: the job's figures (live while it runs) or its outcome.
pub async fn show(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(job_id): Path<String>,
) -> Response {
    let path = format!("/app/solves/{}", path_part(&job_id));
    let session = match guard(&state, &headers, &path, Access::Read) {
        Ok(session) => session,
        Err(response) => return response,
    };
    let tr = Tr::of(&headers);
    let (row, progress) = match job(&state, &job_id) {
        Ok(found) => found,
        Err(error) => return failure(tr, &session, &error),
    };
    let running = progress.is_some();
    let page = SolvePage {
        chrome: Chrome::new(tr, Some(&session), tr.t("instances.solve.title"), &path),
        job: row.id.clone(),
        instance_id: row.instance_id.clone(),
        started_at: moment(tr, &row.created_at),
        status: status_label(tr, &row.status),
        running,
        progress: Figures::of(progress.as_ref()),
        can_cancel: running && session.admits(Access::Schedule),
        outcome: (!running).then(|| outcome(&state, tr, &row)),
    };
    render(&page, StatusCode::OK)
}

/// One event of the stream: the figures of a running job, or the job's end (and then
/// the stream ends).
fn event(state: &AppState, tr: Tr, job_id: &str) -> (Event, bool) {
    match job(state, job_id) {
        Ok((row, Some(progress))) => {
            let data = json!({
                "status": row.status,
                "status_label": status_label(tr, &row.status),
                "elapsed_seconds": progress.elapsed_seconds,
                "incumbent": progress.incumbent,
                "bound": progress.bound,
                "gap": progress.gap(),
                "neighbourhoods": progress.neighbourhoods,
            });
            (
                Event::default().event("progress").data(data.to_string()),
                false,
            )
        }
        Ok((row, None)) => {
            let data = json!({
                "status": row.status,
                "status_label": status_label(tr, &row.status),
                "roster_id": row.roster_id,
                "objective": row.summary.as_ref().and_then(|s| s.get("objective")).cloned(),
                "cancelled": row.summary.as_ref().and_then(|s| s.get("cancelled")).cloned(),
                "error": row.error,
                "detail": failure_text(tr, &row),
            });
            (Event::default().event("done").data(data.to_string()), true)
        }
        Err(error) => {
            let data = json!({ "status": "failed", "error": error.error, "detail": error.detail });
            (Event::default().event("done").data(data.to_string()), true)
        }
    }
}

/// `GET /app/solves/{job}/events` (`text/event-stream`): every half second a
/// `progress` event (elapsed seconds, incumbent, bound, gap, neighbourhoods) while the
/// job runs, then one `done` event (status, objective, roster id, or the failure).
pub async fn events(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(job_id): Path<String>,
) -> Response {
    let path = format!("/app/solves/{}", path_part(&job_id));
    let session = match guard(&state, &headers, &path, Access::Read) {
        Ok(session) => session,
        Err(response) => return response,
    };
    let tr = Tr::of(&headers);
    if let Err(error) = job(&state, &job_id) {
        return failure(tr, &session, &error);
    }
    Sse::new(progress_stream(state, tr, job_id))
        .keep_alive(KeepAlive::default())
        .into_response()
}

fn progress_stream(
    state: Arc<AppState>,
    tr: Tr,
    job_id: String,
) -> impl Stream<Item = Result<Event, Infallible>> {
    // (first event, ended)
    stream::unfold((true, false), move |(first, ended)| {
        let state = state.clone();
        let job_id = job_id.clone();
        async move {
            if ended {
                return None;
            }
            if !first {
                tokio::time::sleep(EVERY).await;
            }
            let (event, ended) = event(&state, tr, &job_id);
            Some((Ok(event), (false, ended)))
        }
    })
}

/// The cancel form's field.
#[derive(Debug, Deserialize)]
pub struct CancelForm {
    csrf: Option<String>,
}

/// `POST /app/solves/{job}/cancel`: stops the job as `DELETE /solves/{job}` does (it
/// keeps the best roster found) and shows its page again; a job already over is shown
/// as it ended.
pub async fn cancel(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(job_id): Path<String>,
    form: Result<Form<CancelForm>, FormRejection>,
) -> Response {
    let path = format!("/app/solves/{}", path_part(&job_id));
    let session = match guard(&state, &headers, &path, Access::Schedule) {
        Ok(session) => session,
        Err(response) => return response,
    };
    let csrf = form.as_ref().ok().and_then(|Form(f)| f.csrf.as_deref());
    if let Err(response) = check_csrf(&headers, &session, csrf) {
        return response;
    }
    match cancel_job(&state, &job_id, &session.caller.name) {
        Ok(()) => Redirect::to(&path).into_response(),
        Err(error) if error.status == StatusCode::CONFLICT => Redirect::to(&path).into_response(),
        Err(error) => failure(Tr::of(&headers), &session, &error),
    }
}
