//! Solve jobs: started on a blocking worker (`solver.max_concurrent` at a time), polled
//! with live progress, cancelled keeping the best roster found.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use houniao::Instance;
use houniao::solve::{SolveError, SolveOptions, SolveStatus, solve};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::{ApiResult, Shared, authorise, json_body, new_id};
use crate::server::auth::Access;
use crate::server::error::ApiError;
use crate::server::state::{AppState, Job, lock};
use crate::server::store::{SolveFailure, SolveRow};

/// Solve options.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct SolveBody {
    /// Wall-clock seconds (default and maximum from the service's config).
    #[schema(exclusive_minimum = 0.0)]
    time_limit: Option<f64>,
    /// Relative gap at which to stop (default 1e-4).
    #[schema(minimum = 0.0, exclusive_maximum = 1.0)]
    gap: Option<f64>,
}

/// A job started.
#[derive(ToSchema)]
#[allow(dead_code)] // a schema only: the handler builds the answer as JSON
pub(super) struct SolveStarted {
    /// The job's id.
    job: String,
    /// `queued`.
    status: String,
    /// Where to poll it.
    poll: String,
}

/// A job asked to stop.
#[derive(ToSchema)]
#[allow(dead_code)] // a schema only
pub(crate) struct Cancelling {
    /// The job's id.
    job: String,
    /// `true`.
    cancelling: bool,
}

/// Start a solve job: 202 with its id; poll `GET /solves/{job}`.
#[utoipa::path(post, path = "/instances/{id}/solves", params(("id" = String, Path, description = "instance id")),
    request_body(content = Option<SolveBody>, description = "optional limits (an empty body: the defaults)"),
    responses((status = 202, description = "started: the job's id and where to poll it", body = SolveStarted,
            example = json!({"job": "solve-e1f8510f539c", "status": "queued", "poll": "/solves/solve-e1f8510f539c"})),
        (status = 403, description = "not a scheduler (`forbidden`)"),
        (status = 404, description = "no such instance"),
        (status = 422, description = "`invalid_request`: a body that does not fit, or a time limit or gap out of range")))]
pub(super) async fn start_solve(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let actor = authorise(&state, &headers, Access::Schedule)?;
    let body: SolveBody = if body.is_empty() {
        SolveBody::default()
    } else {
        json_body(&body)?
    };
    let job_id = start_job(&state, &id, body.time_limit, body.gap, &actor)?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "job": job_id, "status": "queued", "poll": format!("/solves/{job_id}") })),
    ))
}

/// Starts a solve job of an instance (the time limit and gap asked for, or the
/// defaults) on a blocking worker; returns the job's id. Both the API and the web app's
/// solve form call this.
pub(crate) fn start_job(
    state: &Arc<AppState>,
    id: &str,
    time_limit: Option<f64>,
    gap: Option<f64>,
    actor: &str,
) -> ApiResult<String> {
    let instance = state.instance(id)?;
    let limits = &state.config.solver;
    let time_limit = self::time_limit(state, time_limit)?;
    let gap = gap.unwrap_or(1e-4);
    if !(0.0..1.0).contains(&gap) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            format!("gap must be in [0, 1), got {gap}"),
        ));
    }
    let options = SolveOptions {
        time_limit,
        gap,
        threads: limits.threads,
        ..SolveOptions::default()
    };
    let job_id = new_id("solve");
    state.store.add_solve(
        &job_id,
        id,
        &json!({ "time_limit": time_limit, "gap": gap }).to_string(),
        actor,
    )?;
    let job = Arc::new(Job {
        cancel: Default::default(),
        progress: Default::default(),
        started: Instant::now(),
    });
    lock(&state.jobs).insert(job_id.clone(), job.clone());
    tokio::spawn(run_solve(
        state.clone(),
        job_id.clone(),
        id.to_string(),
        instance,
        options,
        job,
    ));
    Ok(job_id)
}

/// The time limit asked for, or the config's default; 422 outside (0, the config's
/// maximum].
pub(crate) fn time_limit(state: &AppState, asked: Option<f64>) -> ApiResult<f64> {
    let limits = &state.config.solver;
    let time_limit = asked.unwrap_or(limits.default_time_limit);
    if time_limit > 0.0 && time_limit <= limits.max_time_limit {
        Ok(time_limit)
    } else {
        Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            format!(
                "time_limit must be in (0, {}] seconds, got {time_limit}",
                limits.max_time_limit
            ),
        ))
    }
}

/// How a failed solve is stored: pins that cannot all hold as `pin_conflict` with the
/// conflict, anything else by its message.
fn failure(error: &SolveError) -> SolveFailure {
    match error {
        SolveError::PinConflict(conflict) => SolveFailure {
            error: "pin_conflict".into(),
            detail: Some(conflict.to_string()),
            conflict: serde_json::to_value(conflict).ok(),
            detail_text: Some(conflict.text()),
        },
        other => SolveFailure::message(other.to_string()),
    }
}

async fn run_solve(
    state: Arc<AppState>,
    job_id: String,
    instance_id: String,
    instance: Arc<Instance>,
    options: SolveOptions,
    job: Arc<Job>,
) {
    let Ok(_slot) = state.solve_slots.clone().acquire_owned().await else {
        return;
    };
    if job.cancel.load(Ordering::Relaxed) {
        let _ = state
            .store
            .finish_solve(&job_id, "cancelled", None, None, None);
        lock(&state.jobs).remove(&job_id);
        return;
    }
    let _ = state.store.solve_running(&job_id);
    let worker_job = job.clone();
    let started = Instant::now();
    let outcome = tokio::task::spawn_blocking(move || {
        let mut progress = |p: houniao::solve::Progress| {
            *lock(&worker_job.progress) = Some(p);
        };
        solve(&instance, options, &mut progress, &worker_job.cancel)
    })
    .await;
    let seconds = started.elapsed().as_secs_f64();
    let cancelled = job.cancel.load(Ordering::Relaxed);
    let result = match outcome {
        Ok(Ok(report)) => {
            let roster_id = new_id("roster");
            let summary = json!({
                "status": report.status,
                "objective": report.roster.objective,
                "bound": report.roster.bound,
                "gap": report.roster.gap,
                "seconds": report.seconds,
                "unmet": report.roster.unmet.len(),
                "cancelled": cancelled,
            });
            let status = if matches!(report.status, SolveStatus::NoSolutionInTime) && cancelled {
                "cancelled"
            } else {
                "done"
            };
            match serde_json::to_string(&report.roster) {
                Ok(json) => state.store.finish_solve(
                    &job_id,
                    status,
                    Some((&roster_id, &instance_id, &json)),
                    Some(&summary),
                    None,
                ),
                Err(e) => state.store.finish_solve(
                    &job_id,
                    "failed",
                    None,
                    None,
                    Some(&SolveFailure::message(e.to_string())),
                ),
            }
            .map(|()| status)
        }
        Ok(Err(error)) => state
            .store
            .finish_solve(&job_id, "failed", None, None, Some(&failure(&error)))
            .map(|()| "failed"),
        Err(join) => state
            .store
            .finish_solve(
                &job_id,
                "failed",
                None,
                None,
                Some(&SolveFailure::message(join.to_string())),
            )
            .map(|()| "failed"),
    };
    match result {
        Ok(status) => state
            .metrics
            .solves
            .with_label_values(&[status])
            .observe(seconds),
        Err(error) => tracing::error!("recording solve {job_id}: {error}"),
    }
    lock(&state.jobs).remove(&job_id);
}

/// A solve job: status, live progress while it runs, the roster id when done; a
/// failed job says why (`error`), pins that cannot all hold as `error: "pin_conflict"`
/// with the `conflict`.
#[utoipa::path(get, path = "/solves/{job}", params(("job" = String, Path, description = "job id")),
    responses((status = 200, description = "the job", body = crate::server::store::SolveRow), (status = 404, description = "no such job")))]
pub(super) async fn get_solve(
    State(state): Shared,
    headers: HeaderMap,
    Path(job_id): Path<String>,
) -> ApiResult<Json<Value>> {
    authorise(&state, &headers, Access::Read)?;
    let (row, progress) = job(&state, &job_id)?;
    let mut value = json!(row);
    if let Some(progress) = progress {
        value["progress"] = json!(progress);
    }
    Ok(Json(value))
}

/// The live progress of a running job.
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct JobProgress {
    /// Seconds since the job started.
    pub elapsed_seconds: f64,
    /// Seconds of the MILP, once it reports.
    pub milp_seconds: Option<f64>,
    /// The best objective found so far (model units).
    pub incumbent: Option<f64>,
    /// The best proven lower bound so far.
    pub bound: Option<f64>,
    /// Neighbourhoods the large-scale search has tried.
    pub neighbourhoods: Option<u64>,
}

impl JobProgress {
    /// `(incumbent − bound) / max(1, |incumbent|)`, when both are known.
    pub fn gap(&self) -> Option<f64> {
        let (incumbent, bound) = (self.incumbent?, self.bound?);
        Some(((incumbent - bound) / incumbent.abs().max(1.0)).max(0.0))
    }
}

/// A solve job as stored, and its live progress while it runs in this process. Both
/// the API and the web app's progress stream read jobs through this.
pub(crate) fn job(state: &AppState, job_id: &str) -> ApiResult<(SolveRow, Option<JobProgress>)> {
    let row = state
        .store
        .solve(job_id)?
        .ok_or_else(|| ApiError::not_found("solve job", job_id))?;
    let progress = lock(&state.jobs).get(job_id).map(|job| {
        let progress = *lock(&job.progress);
        JobProgress {
            elapsed_seconds: job.started.elapsed().as_secs_f64(),
            milp_seconds: progress.map(|p| p.seconds),
            incumbent: progress.and_then(|p| p.incumbent),
            bound: progress.and_then(|p| p.bound),
            neighbourhoods: progress.map(|p| p.neighbourhoods),
        }
    });
    Ok((row, progress))
}

/// Cancel a solve job: it stops at once and keeps the best roster found.
#[utoipa::path(delete, path = "/solves/{job}", params(("job" = String, Path, description = "job id")),
    responses((status = 202, description = "cancelling", body = Cancelling, example = json!({"job": "solve-e1f8510f539c", "cancelling": true})),
        (status = 403, description = "not a scheduler (`forbidden`)"),
        (status = 404, description = "no such job"), (status = 409, description = "already finished (`finished`)")))]
pub(super) async fn cancel_solve(
    State(state): Shared,
    headers: HeaderMap,
    Path(job_id): Path<String>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let actor = authorise(&state, &headers, Access::Schedule)?;
    cancel_job(&state, &job_id, &actor)?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "job": job_id, "cancelling": true })),
    ))
}

/// Asks a running job to stop (it keeps the best roster found); 409 when it has
/// finished, 404 when there is no such job. Both the API and the web app call this.
pub(crate) fn cancel_job(state: &AppState, job_id: &str, actor: &str) -> ApiResult<()> {
    let job = lock(&state.jobs).get(job_id).cloned();
    match job {
        Some(job) => {
            job.cancel.store(true, Ordering::Relaxed);
            state.store.log(actor, "solve.cancel", job_id, "")?;
            Ok(())
        }
        None => match state.store.solve(job_id)? {
            Some(row) => Err(ApiError::conflict(
                "finished",
                format!("solve job {job_id} has already finished ({})", row.status),
            )),
            None => Err(ApiError::not_found("solve job", job_id)),
        },
    }
}
