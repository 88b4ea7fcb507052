//! What-if jobs: the comparison of `POST /instances/{id}/whatif` started in the
//! background (202), polled case by case as each solve finishes, and cancellable (the
//! running solve keeps its best roster, the cases not started are skipped). A job runs
//! on a blocking worker holding one solve slot, like the synchronous route. Jobs live in
//! this process's memory only: a restart forgets them (they can be run again); the
//! last [`KEPT`] are kept.
//!
//! The web app's what-if pages start, read and cancel jobs through [`start`],
//! [`WhatIfJobs::get`] and [`cancel`], the same functions as the API.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use houniao::whatif::{Case, CaseResult, WhatIfOptions, compare_watched};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::solves::time_limit;
use super::whatif::{case_json, cases};
use super::{ApiResult, Shared, authorise, json_body, new_id};
use crate::server::auth::Access;
use crate::server::error::ApiError;
use crate::server::state::{AppState, lock};

/// How many jobs are kept in memory (the oldest finished ones go first).
pub const KEPT: usize = 100;

/// A case's outcome as a job keeps it: its result, or why it has no roster.
pub type Outcome = Result<CaseResult, String>;

/// One what-if job.
pub struct WhatIfJob {
    /// The instance compared.
    pub instance: String,
    /// The cases' names, the base first.
    pub names: Vec<String>,
    /// Whether scenarios are solved near the base roster.
    pub near_base: bool,
    /// Seconds per solve.
    pub time_limit: f64,
    /// Who started it.
    pub started_by: String,
    /// When it was started.
    pub started: Instant,
    /// Set to stop it.
    cancel: AtomicBool,
    /// Wakes a job still waiting for a solve slot when it is cancelled.
    wake: tokio::sync::Notify,
    /// Each case's outcome once finished.
    results: Mutex<Vec<Option<Outcome>>>,
    /// Set when the comparison has ended.
    finished: AtomicBool,
    /// Order of creation, for dropping the oldest.
    seq: u64,
}

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    /// Waiting for a solve slot or solving.
    Running,
    /// Every case solved (or failed).
    Done,
    /// Stopped by a cancel: cases not started have no result.
    Cancelled,
}

impl JobStatus {
    /// The API's spelling.
    pub fn name(self) -> &'static str {
        match self {
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Cancelled => "cancelled",
        }
    }
}

impl WhatIfJob {
    /// Where it stands.
    pub fn status(&self) -> JobStatus {
        if !self.finished.load(Ordering::Acquire) {
            JobStatus::Running
        } else if self.cancel.load(Ordering::Relaxed) {
            JobStatus::Cancelled
        } else {
            JobStatus::Done
        }
    }

    /// Reads the outcomes so far (one per case, the base first; `None` not yet).
    pub fn with_results<R>(&self, read: impl FnOnce(&[Option<Outcome>]) -> R) -> R {
        read(&lock(&self.results))
    }

    /// The job as `GET /whatif/jobs/{job}` answers it.
    pub fn to_json(&self, id: &str) -> Value {
        let results: Vec<Value> = self.with_results(|results| {
            results
                .iter()
                .map(|r| r.as_ref().map_or(Value::Null, case_json))
                .collect()
        });
        json!({
            "job": id,
            "instance": self.instance,
            "status": self.status().name(),
            "done": results.iter().filter(|r| !r.is_null()).count(),
            "total": self.names.len(),
            "cases": self.names,
            "near_base": self.near_base,
            "time_limit": self.time_limit,
            "started_by": self.started_by,
            "elapsed_seconds": self.started.elapsed().as_secs_f64(),
            "results": results,
        })
    }
}

/// The what-if jobs of this process.
#[derive(Default)]
pub struct WhatIfJobs {
    by_id: Mutex<BTreeMap<String, Arc<WhatIfJob>>>,
    next: AtomicU64,
}

impl WhatIfJobs {
    /// A job by id.
    pub fn get(&self, id: &str) -> Option<Arc<WhatIfJob>> {
        lock(&self.by_id).get(id).cloned()
    }

    fn insert(&self, id: String, job: Arc<WhatIfJob>) {
        let mut jobs = lock(&self.by_id);
        jobs.insert(id, job);
        while jobs.len() > KEPT {
            let oldest = jobs
                .iter()
                .filter(|(_, j)| j.finished.load(Ordering::Acquire))
                .min_by_key(|(_, j)| j.seq)
                .map(|(id, _)| id.clone());
            match oldest {
                Some(id) => jobs.remove(&id),
                None => break,
            };
        }
    }
}

/// A what-if job to start.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct WhatIfJobBody {
    /// Scenarios (docs/whatif.md), as JSON objects with `name`, `seed`, `changes`, or
    /// as the text of a scenario file (TOML or JSON).
    #[schema(value_type = Vec<super::requests::ScenarioSchema>)]
    scenarios: Vec<Value>,
    /// Seconds per solve (default and maximum from the config; 422 beyond).
    #[schema(exclusive_minimum = 0.0)]
    time_limit: Option<f64>,
    /// Solve each scenario near the base roster (default true), so that the
    /// "differing from base" figures count what the scenario forces to change.
    near_base: Option<bool>,
}

/// Starts a what-if job: the base and each scenario applied to it, checked now (422
/// `invalid_scenario` naming `scenarios[i]`), solved in the background. Returns the
/// job's id and the cases' names.
pub(crate) fn start(
    state: &Arc<AppState>,
    actor: &str,
    instance_id: &str,
    scenarios: &[Value],
    asked_time_limit: Option<f64>,
    near_base: bool,
) -> ApiResult<(String, Vec<String>)> {
    let time_limit = time_limit(state, asked_time_limit)?;
    let cases = cases(state, instance_id, scenarios)?;
    let names: Vec<String> = cases.iter().map(|c| c.name.clone()).collect();
    let job_id = new_id("whatif");
    state.store.log(
        actor,
        "whatif.start",
        instance_id,
        &format!(
            "job {job_id}: {} scenario(s){}",
            cases.len() - 1,
            if near_base { ", near base" } else { "" }
        ),
    )?;
    let job = Arc::new(WhatIfJob {
        instance: instance_id.to_string(),
        names: names.clone(),
        near_base,
        time_limit,
        started_by: actor.to_string(),
        started: Instant::now(),
        cancel: AtomicBool::new(false),
        wake: tokio::sync::Notify::new(),
        results: Mutex::new(vec![None; cases.len()]),
        finished: AtomicBool::new(false),
        seq: state.whatif_jobs.next.fetch_add(1, Ordering::Relaxed),
    });
    state.whatif_jobs.insert(job_id.clone(), job.clone());
    let limits = &state.config.solver;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let options = WhatIfOptions {
        jobs: 1,
        cores: if limits.threads > 0 {
            limits.threads as usize
        } else {
            cores
        },
        time_limit,
        gap: 1e-4,
        near_base,
    };
    tokio::spawn(run(state.clone(), job, cases, options));
    Ok((job_id, names))
}

async fn run(state: Arc<AppState>, job: Arc<WhatIfJob>, cases: Vec<Case>, options: WhatIfOptions) {
    let slot = tokio::select! {
        slot = state.solve_slots.clone().acquire_owned() => slot.ok(),
        () = job.wake.notified() => None,
    };
    if slot.is_some() && !job.cancel.load(Ordering::Relaxed) {
        let worker = job.clone();
        let outcome = tokio::task::spawn_blocking(move || {
            let on_done = |i: usize, result: &Result<CaseResult, houniao::solve::SolveError>| {
                let outcome = match result {
                    Ok(case) => Ok(case.clone()),
                    Err(error) => Err(error.to_string()),
                };
                if let Some(place) = lock(&worker.results).get_mut(i) {
                    *place = Some(outcome);
                }
            };
            compare_watched(&cases, options, &worker.cancel, &on_done)
        })
        .await;
        match outcome {
            // The answer has every difference from the base filled in.
            Ok(results) => {
                let mut kept = lock(&job.results);
                for (place, result) in kept.iter_mut().zip(results) {
                    if let Some(result) = result {
                        *place = Some(result.map_err(|e| e.to_string()));
                    }
                }
            }
            Err(error) => {
                tracing::error!(%error, "a what-if job's worker");
                let mut kept = lock(&job.results);
                for place in kept.iter_mut().filter(|p| p.is_none()) {
                    *place = Some(Err(format!("the comparison stopped: {error}")));
                }
            }
        }
    }
    job.finished.store(true, Ordering::Release);
    drop(slot);
}

/// Cancels a running job: the solve running stops with its best roster, the cases not
/// started are skipped. 404 for an unknown job, 409 `finished` for one that has ended.
pub(crate) fn cancel(state: &AppState, actor: &str, job_id: &str) -> ApiResult<()> {
    let job = state
        .whatif_jobs
        .get(job_id)
        .ok_or_else(|| ApiError::not_found("what-if job", job_id))?;
    if job.status() != JobStatus::Running {
        return Err(ApiError::conflict(
            "finished",
            format!(
                "what-if job {job_id} has already finished ({})",
                job.status().name()
            ),
        ));
    }
    job.cancel.store(true, Ordering::Relaxed);
    job.wake.notify_one();
    state
        .store
        .log(actor, "whatif.cancel", job_id, &job.instance)?;
    Ok(())
}

/// Start a what-if job: the stored instance (with its current pins) and each scenario,
/// solved in the background on a solve slot; poll `GET /whatif/jobs/{job}`. Jobs are
/// kept in memory: a restart forgets them.
#[utoipa::path(post, path = "/instances/{id}/whatif/jobs", params(("id" = String, Path, description = "instance id")),
    request_body = WhatIfJobBody,
    responses((status = 202, description = "started: `{job, cases: [names], poll}`, the base first", body = WhatIfJobStarted),
        (status = 403, description = "not a planner (`forbidden`)"),
        (status = 404, description = "no such instance"),
        (status = 422, description = "a body that does not fit, a time limit out of range, or a scenario naming unknown ids or leaving an invalid instance (`invalid_scenario` with `problems`)")))]
pub(super) async fn start_whatif_job(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let actor = authorise(&state, &headers, Access::Plan)?;
    let body: WhatIfJobBody = json_body(&body)?;
    let near_base = body.near_base.unwrap_or(true);
    // Applying the scenarios validates whole instances: off the async threads (the job
    // itself is spawned onto the runtime from there).
    let worker = state.clone();
    let (job, names) = tokio::task::spawn_blocking(move || {
        start(
            &worker,
            &actor,
            &id,
            &body.scenarios,
            body.time_limit,
            near_base,
        )
    })
    .await
    .map_err(ApiError::internal)??;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "job": job, "cases": names, "poll": format!("/whatif/jobs/{job}") })),
    ))
}

/// A what-if job: `status` (`running`, `done`, `cancelled`), cases `done` of `total`,
/// and `results`, one per case as `POST /instances/{id}/whatif` answers them (`null`
/// for a case not finished, or skipped by a cancel).
#[utoipa::path(get, path = "/whatif/jobs/{job}", params(("job" = String, Path, description = "job id")),
    responses((status = 200, description = "the job", body = Object),
        (status = 404, description = "no such job (or forgotten by a restart)")))]
pub(super) async fn get_whatif_job(
    State(state): Shared,
    headers: HeaderMap,
    Path(job_id): Path<String>,
) -> ApiResult<Json<Value>> {
    authorise(&state, &headers, Access::Read)?;
    let job = state
        .whatif_jobs
        .get(&job_id)
        .ok_or_else(|| ApiError::not_found("what-if job", &job_id))?;
    Ok(Json(job.to_json(&job_id)))
}

/// Cancel a what-if job: the running solve stops with its best roster, the cases not
/// started are skipped.
#[utoipa::path(delete, path = "/whatif/jobs/{job}", params(("job" = String, Path, description = "job id")),
    responses((status = 200, description = "cancelling: `{job, cancelling: true}`", body = super::solves::Cancelling),
        (status = 403, description = "not a planner (`forbidden`)"),
        (status = 404, description = "no such job"),
        (status = 409, description = "already finished (`finished`)")))]
pub(super) async fn cancel_whatif_job(
    State(state): Shared,
    headers: HeaderMap,
    Path(job_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let actor = authorise(&state, &headers, Access::Plan)?;
    cancel(&state, &actor, &job_id)?;
    Ok(Json(json!({ "job": job_id, "cancelling": true })))
}

/// A what-if job started.
#[derive(ToSchema)]
#[allow(dead_code)] // a schema only: the handler builds the answer as JSON
pub(super) struct WhatIfJobStarted {
    /// The job's id.
    job: String,
    /// The cases' names, the base first.
    cases: Vec<String>,
    /// Where to poll it.
    poll: String,
}
