//! The HTTP API: one handler per route, each documented for the OpenAPI document (the
//! router and the document are built from the same `routes!` lists, so no route can be
//! served undocumented). Handlers authorise, call the library, persist, and shape JSON.

use std::sync::atomic::Ordering;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use houniao::booking::{ConveneOptions, PatientRequest, SessionRef};
use houniao::instance::SourceFormat;
use houniao::solve::{SolveOptions, SolveStatus, solve};
use houniao::{Instance, InstanceError, Roster};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Access;
use super::error::ApiError;
use super::state::{AppState, Job, Published, lock};
use super::store::{LedgerChanges, LedgerWrite};

type Shared = State<Arc<AppState>>;
type ApiResult<T> = Result<T, ApiError>;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "houniao",
        description = "Scheduling visiting specialists: instances, solves, published rosters, call-centre booking and urgent MDT convening. Every route but /healthz, /openapi.json and /docs needs `Authorization: Bearer TOKEN`; errors are JSON `{error, detail}`."
    ),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Every route, documented.
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(healthz))
        .routes(routes!(metrics))
        .routes(routes!(upload_instance, list_instances))
        .routes(routes!(get_instance))
        .routes(routes!(start_solve))
        .routes(routes!(get_solve, cancel_solve))
        .routes(routes!(upload_roster))
        .routes(routes!(get_roster))
        .routes(routes!(publish_roster))
        .routes(routes!(search))
        .routes(routes!(book, list_bookings))
        .routes(routes!(cancel_booking))
        .routes(routes!(join_waitlist, list_waitlist))
        .routes(routes!(leave_waitlist))
        .routes(routes!(convene))
        .routes(routes!(whatif))
        .routes(routes!(audit_log))
}

fn authorise(state: &AppState, headers: &HeaderMap, access: Access) -> ApiResult<String> {
    state.tokens.authorise(headers, access).map(|c| c.name)
}

/// A JSON request body, read after the caller is authorised (so that a 401/403 never
/// depends on the body); a body that does not fit is a 422 naming the field.
fn json_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut reader).map_err(|error| {
        let path = error.path().to_string();
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            format!("the request body does not fit: {}", error.inner()),
        )
        .with(json!({ "problems": [{ "severity": "error", "path": if path == "." { String::new() } else { path }, "message": error.inner().to_string() }] }))
    })
}

fn new_id(prefix: &str) -> String {
    let bytes: [u8; 6] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}-{hex}")
}

/// Liveness: the service answers and its database is reachable.
#[utoipa::path(get, path = "/healthz", security(()), responses((status = 200, description = "healthy", body = Object)))]
async fn healthz(State(state): Shared) -> ApiResult<Json<Value>> {
    let instances = state.store.instances()?.len();
    Ok(Json(json!({ "status": "ok", "instances": instances })))
}

/// Prometheus metrics (text format).
#[utoipa::path(get, path = "/metrics", responses((status = 200, description = "metrics in the Prometheus text format", body = String, content_type = "text/plain")))]
async fn metrics(State(state): Shared, headers: HeaderMap) -> ApiResult<Response> {
    authorise(&state, &headers, Access::Read)?;
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response())
}

/// Upload an instance (TOML, or JSON with `Content-Type: application/json`). Every
/// validation error comes back in one 422 with its field path.
#[utoipa::path(post, path = "/instances",
    request_body(content = String, description = "the instance file (PROBLEM.md §2), TOML or JSON", content_type = "text/plain"),
    responses(
        (status = 201, description = "stored", body = Object),
        (status = 422, description = "invalid: `problems` lists every error with its field path", body = Object),
    ))]
async fn upload_instance(
    State(state): Shared,
    headers: HeaderMap,
    body: String,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let actor = authorise(&state, &headers, Access::Schedule)?;
    let json_body = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"))
        || body.trim_start().starts_with('{');
    let format = if json_body {
        SourceFormat::Json
    } else {
        SourceFormat::Toml
    };
    let instance = Instance::from_str_as(&body, format).map_err(|error| {
        let problems: Vec<_> = error
            .diagnostics()
            .into_iter()
            .filter(|d| d.severity == houniao::diagnostics::Severity::Error)
            .collect();
        let detail = match &error {
            InstanceError::Invalid { .. } => format!("{} error(s) in the instance", problems.len()),
            other => other.to_string(),
        };
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_instance", detail)
            .with(json!({ "problems": problems }))
    })?;
    let mut id = instance.name.clone();
    let taken: Vec<String> = state.store.instances()?.into_iter().map(|r| r.id).collect();
    let mut n = 2;
    while taken.contains(&id) {
        id = format!("{}-{n}", instance.name);
        n += 1;
    }
    let format_name = if json_body { "json" } else { "toml" };
    state
        .store
        .add_instance(&id, &instance.name, format_name, &body, &actor)?;
    let summary = houniao::summary::InstanceSummary::of(&instance);
    lock(&state.instances).insert(id.clone(), Arc::new(instance));
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": id, "summary": summary })),
    ))
}

/// List the stored instances.
#[utoipa::path(get, path = "/instances", responses((status = 200, description = "instances", body = [super::store::InstanceRow])))]
async fn list_instances(State(state): Shared, headers: HeaderMap) -> ApiResult<Json<Value>> {
    authorise(&state, &headers, Access::Read)?;
    Ok(Json(json!(state.store.instances()?)))
}

/// One instance: its record, summary and publications.
#[utoipa::path(get, path = "/instances/{id}", params(("id" = String, Path, description = "instance id")),
    responses((status = 200, description = "the instance", body = Object), (status = 404, description = "no such instance")))]
async fn get_instance(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    authorise(&state, &headers, Access::Read)?;
    let (row, _) = state
        .store
        .instance(&id)?
        .ok_or_else(|| ApiError::not_found("instance", &id))?;
    let instance = state.instance(&id)?;
    let current = state.published(&id).ok().map(|published| {
        let guard = published.read().unwrap_or_else(|p| p.into_inner());
        json!({ "version": guard.version, "roster_id": guard.roster_id, "bookable_sessions": guard.book.session_count() })
    });
    Ok(Json(json!({
        "instance": row,
        "current": current,
        "summary": houniao::summary::InstanceSummary::of(&instance),
        "publications": state.store.publications(&id)?,
    })))
}

/// Solve options.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct SolveBody {
    /// Wall-clock seconds (default and maximum from the service's config).
    time_limit: Option<f64>,
    /// Relative gap at which to stop (default 1e-4).
    gap: Option<f64>,
}

/// Start a solve job: 202 with its id; poll `GET /solves/{job}`.
#[utoipa::path(post, path = "/instances/{id}/solves", params(("id" = String, Path, description = "instance id")),
    request_body(content = SolveBody, description = "optional limits"),
    responses((status = 202, description = "started", body = Object), (status = 404, description = "no such instance")))]
async fn start_solve(
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
    let instance = state.instance(&id)?;
    let limits = &state.config.solver;
    let time_limit = body.time_limit.unwrap_or(limits.default_time_limit);
    if !(time_limit > 0.0 && time_limit <= limits.max_time_limit) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            format!(
                "time_limit must be in (0, {}] seconds, got {time_limit}",
                limits.max_time_limit
            ),
        ));
    }
    let gap = body.gap.unwrap_or(1e-4);
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
        &id,
        &json!({ "time_limit": time_limit, "gap": gap }).to_string(),
        &actor,
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
        id,
        instance,
        options,
        job,
    ));
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "job": job_id, "status": "queued", "poll": format!("/solves/{job_id}") })),
    ))
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
                Err(e) => {
                    state
                        .store
                        .finish_solve(&job_id, "failed", None, None, Some(&e.to_string()))
                }
            }
            .map(|()| status)
        }
        Ok(Err(error)) => state
            .store
            .finish_solve(&job_id, "failed", None, None, Some(&error.to_string()))
            .map(|()| "failed"),
        Err(join) => state
            .store
            .finish_solve(&job_id, "failed", None, None, Some(&join.to_string()))
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

/// A solve job: status, live progress while it runs, the roster id when done.
#[utoipa::path(get, path = "/solves/{job}", params(("job" = String, Path, description = "job id")),
    responses((status = 200, description = "the job", body = super::store::SolveRow), (status = 404, description = "no such job")))]
async fn get_solve(
    State(state): Shared,
    headers: HeaderMap,
    Path(job_id): Path<String>,
) -> ApiResult<Json<Value>> {
    authorise(&state, &headers, Access::Read)?;
    let row = state
        .store
        .solve(&job_id)?
        .ok_or_else(|| ApiError::not_found("solve job", &job_id))?;
    let mut value = json!(row);
    if let Some(job) = lock(&state.jobs).get(&job_id) {
        let progress = *lock(&job.progress);
        value["progress"] = json!({
            "elapsed_seconds": job.started.elapsed().as_secs_f64(),
            "milp_seconds": progress.map(|p| p.seconds),
            "incumbent": progress.and_then(|p| p.incumbent),
            "bound": progress.and_then(|p| p.bound),
            "neighbourhoods": progress.map(|p| p.neighbourhoods),
        });
    }
    Ok(Json(value))
}

/// Cancel a solve job: it stops at once and keeps the best roster found.
#[utoipa::path(delete, path = "/solves/{job}", params(("job" = String, Path, description = "job id")),
    responses((status = 202, description = "cancelling", body = Object), (status = 404, description = "no such job"), (status = 409, description = "already finished")))]
async fn cancel_solve(
    State(state): Shared,
    headers: HeaderMap,
    Path(job_id): Path<String>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let actor = authorise(&state, &headers, Access::Schedule)?;
    let job = lock(&state.jobs).get(&job_id).cloned();
    match job {
        Some(job) => {
            job.cancel.store(true, Ordering::Relaxed);
            state.store.log(&actor, "solve.cancel", &job_id, "")?;
            Ok((
                StatusCode::ACCEPTED,
                Json(json!({ "job": job_id, "cancelling": true })),
            ))
        }
        None => match state.store.solve(&job_id)? {
            Some(row) => Err(ApiError::conflict(
                "finished",
                format!("solve job {job_id} has already finished ({})", row.status),
            )),
            None => Err(ApiError::not_found("solve job", &job_id)),
        },
    }
}

/// Upload a roster made elsewhere (PROBLEM.md §6 JSON) for an instance; it must pass
/// every hard rule (422 lists the violations). Publish it with `/rosters/{id}/publish`.
#[utoipa::path(post, path = "/instances/{id}/rosters", params(("id" = String, Path, description = "instance id")),
    request_body(content = Object, description = "the roster (PROBLEM.md §6)"),
    responses((status = 201, description = "stored: its id and recomputed objective", body = Object),
        (status = 422, description = "not a roster of this instance, or it breaks hard rules: `violations`")))]
async fn upload_roster(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let actor = authorise(&state, &headers, Access::Schedule)?;
    let instance = state.instance(&id)?;
    let text = String::from_utf8_lossy(&body);
    let roster = Roster::from_json_str(&text).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_roster",
            e.to_string(),
        )
    })?;
    let report = houniao::check::check(&instance, &roster);
    if !report.is_valid() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_roster",
            format!("the roster breaks {} hard rule(s)", report.violations.len()),
        )
        .with(json!({ "violations": report.violations })));
    }
    let roster_id = new_id("roster");
    let json = serde_json::to_string(&roster).map_err(ApiError::internal)?;
    state.store.add_roster(&roster_id, &id, &json, &actor)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "roster_id": roster_id,
            "objective": report.objective,
            "discrepancies": report.discrepancies,
        })),
    ))
}

/// A roster (PROBLEM.md §6).
#[utoipa::path(get, path = "/rosters/{id}", params(("id" = String, Path, description = "roster id")),
    responses((status = 200, description = "the roster", body = Object), (status = 404, description = "no such roster")))]
async fn get_roster(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    authorise(&state, &headers, Access::Read)?;
    let (_, roster) = state
        .store
        .roster(&id)?
        .ok_or_else(|| ApiError::not_found("roster", &id))?;
    Ok(([(header::CONTENT_TYPE, "application/json")], roster).into_response())
}

/// Publish a roster: it becomes the one the call centre books against. Earlier
/// publications stay; the instance's bookings carry over and must fit the new roster
/// (409 names the first that does not).
#[utoipa::path(post, path = "/rosters/{id}/publish", params(("id" = String, Path, description = "roster id")),
    responses((status = 201, description = "published", body = super::store::Publication),
        (status = 404, description = "no such roster"),
        (status = 409, description = "the instance's bookings do not fit this roster")))]
async fn publish_roster(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let actor = authorise(&state, &headers, Access::Schedule)?;
    let (instance_id, text) = state
        .store
        .roster(&id)?
        .ok_or_else(|| ApiError::not_found("roster", &id))?;
    let roster = Roster::from_json_str(&text).map_err(ApiError::internal)?;
    let worker = state.clone();
    let published = tokio::task::spawn_blocking(move || -> ApiResult<_> {
        // Bookings must not be made between reading the ledger and switching books.
        let mut publications = worker.published.write().unwrap_or_else(|p| p.into_inner());
        let book = worker.open_book(&instance_id, &roster)?;
        let publication = worker.store.publish(&instance_id, &id, &actor)?;
        publications.insert(
            instance_id,
            Arc::new(RwLock::new(Published {
                version: publication.version,
                roster_id: id,
                book,
                failed: Default::default(),
            })),
        );
        Ok(publication)
    })
    .await
    .map_err(ApiError::internal)??;
    Ok((StatusCode::CREATED, Json(json!(published))))
}

/// What a patient asks for (a `[[requests]]` entry).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct RequestBody {
    /// Opaque patient reference (required to book or waitlist).
    #[serde(default)]
    patient: String,
    /// The named specialist's id.
    specialist: Option<String>,
    /// The discipline (required without a specialist).
    discipline: Option<String>,
    /// Allowed sites in order of preference; empty: any.
    #[serde(default)]
    sites: Vec<String>,
    /// First acceptable date.
    earliest: NaiveDate,
    /// Last acceptable date.
    latest: NaiveDate,
    /// Another specialist of the discipline will do.
    #[serde(default)]
    substitute_ok: bool,
    /// Priority 1–5.
    #[serde(default = "one")]
    priority: u8,
    /// Search: most options to return (default 10).
    limit: Option<usize>,
    /// Book: the option id to book (`specialist@date:session`); default the best.
    option: Option<String>,
}

fn one() -> u8 {
    1
}

impl RequestBody {
    fn request(&self) -> PatientRequest {
        PatientRequest {
            patient: self.patient.clone(),
            specialist: self.specialist.clone(),
            discipline: self.discipline.clone(),
            sites: self.sites.clone(),
            earliest: self.earliest,
            latest: self.latest,
            substitute_ok: self.substitute_ok,
            priority: self.priority,
        }
    }
}

/// Search the published roster: ranked options, or why not and the alternatives.
#[utoipa::path(post, path = "/instances/{id}/search", params(("id" = String, Path, description = "instance id")),
    request_body = RequestBody,
    responses((status = 200, description = "options, reasons, alternatives", body = Object),
        (status = 409, description = "nothing published yet"),
        (status = 422, description = "invalid request, every problem with its field")))]
async fn search(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    authorise(&state, &headers, Access::Book)?;
    let body: RequestBody = json_body(&body)?;
    let published = state.published(&id)?;
    let guard = published.read().unwrap_or_else(|p| p.into_inner());
    let result = guard
        .book
        .search(&body.request(), body.limit.unwrap_or(10))?;
    state
        .metrics
        .bookings
        .with_label_values(&[
            "search",
            if result.options.is_empty() {
                "none"
            } else {
                "found"
            },
        ])
        .inc();
    Ok(Json(json!(result)))
}

/// The ledger entries one change touched, to be written (ids), and the audit target.
#[derive(Debug, Default)]
struct Touched {
    target: String,
    bookings: Vec<String>,
    releases: Vec<String>,
    waitlist: Vec<String>,
}

/// A kind of ledger change: its audit action and its `houniao_bookings_total` labels.
#[derive(Debug, Clone, Copy)]
struct LedgerOperation {
    audit: &'static str,
    metric: &'static str,
    done: &'static str,
}

impl LedgerOperation {
    const BOOK: LedgerOperation = LedgerOperation {
        audit: "booking.create",
        metric: "book",
        done: "booked",
    };
    const CANCEL: LedgerOperation = LedgerOperation {
        audit: "booking.cancel",
        metric: "cancel",
        done: "cancelled",
    };
    const WAITLIST_ADD: LedgerOperation = LedgerOperation {
        audit: "waitlist.add",
        metric: "waitlist_add",
        done: "added",
    };
    const WAITLIST_REMOVE: LedgerOperation = LedgerOperation {
        audit: "waitlist.remove",
        metric: "waitlist_remove",
        done: "removed",
    };
}

/// Changes the ledger of an instance's published book on a blocking worker: the change
/// in memory under the book's write lock, its rows queued for the ledger writer before
/// the lock is released (so commits keep the order of changes), then the answer once
/// the rows are on disk. Searches are not held up by the disk write. A failed write
/// fails the book closed: it may hold what the database does not.
async fn change_ledger(
    state: &Arc<AppState>,
    id: String,
    actor: String,
    operation: LedgerOperation,
    change: impl FnOnce(&mut houniao::booking::BookingBook) -> ApiResult<(Value, Touched)>
    + Send
    + 'static,
) -> ApiResult<Value> {
    let published = state.published(&id)?;
    let worker = state.clone();
    let result = tokio::task::spawn_blocking(move || -> ApiResult<Value> {
        let (answer, written) = {
            let mut guard = published.write().unwrap_or_else(|p| p.into_inner());
            if guard.failed.load(Ordering::Relaxed) {
                return Err(storage_failed());
            }
            let (answer, touched) = change(&mut guard.book)?;
            fn ids(list: &[String]) -> Vec<&str> {
                list.iter().map(String::as_str).collect()
            }
            let rows = LedgerChanges::of(
                guard.book.ledger(),
                &ids(&touched.bookings),
                &ids(&touched.releases),
                &ids(&touched.waitlist),
            )
            .rows();
            let written = worker.ledger_writer.queue(LedgerWrite {
                instance_id: id,
                rows,
                actor,
                action: operation.audit,
                target: touched.target,
            });
            (answer, written)
        };
        let outcome = written
            .recv()
            .unwrap_or_else(|_| Err("the ledger writer has stopped".into()));
        match outcome {
            Ok(()) => Ok(answer),
            Err(error) => {
                published
                    .read()
                    .unwrap_or_else(|p| p.into_inner())
                    .failed
                    .store(true, Ordering::Relaxed);
                tracing::error!("ledger write failed: {error}");
                Err(storage_failed())
            }
        }
    })
    .await
    .map_err(ApiError::internal)?;
    let outcome = match &result {
        Ok(_) => operation.done,
        Err(error) => error.error,
    };
    state
        .metrics
        .bookings
        .with_label_values(&[operation.metric, outcome])
        .inc();
    result
}

fn storage_failed() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "storage_failed",
        "a booking could not be written to the database; no booking was acknowledged \
         that is not on disk; restart the service once the disk is fixed",
    )
}

/// Book a patient: the best option, or `option`. 409 `taken` (with what can be offered
/// now) when the last place went meanwhile. The booking is on disk before the 201.
#[utoipa::path(post, path = "/instances/{id}/bookings", params(("id" = String, Path, description = "instance id")),
    request_body = RequestBody,
    responses((status = 201, description = "booked", body = Object),
        (status = 409, description = "taken meanwhile, or nothing to book: `alternatives`"),
        (status = 422, description = "invalid request, or an option that does not fit it")))]
async fn book(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let actor = authorise(&state, &headers, Access::Book)?;
    let body: RequestBody = json_body(&body)?;
    let option: Option<SessionRef> =
        body.option
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(|e: String| {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", e)
            })?;
    let outcome = change_ledger(&state, id, actor, LedgerOperation::BOOK, move |book| {
        let request = body.request();
        let now = Utc::now();
        let confirmation = match &option {
            Some(option) => book.book(&request, option, now),
            None => book.book_best(&request, now),
        }?;
        let touched = Touched {
            target: confirmation.booking.id.clone(),
            bookings: vec![confirmation.booking.id.clone()],
            waitlist: confirmation.left_waitlist.clone(),
            ..Touched::default()
        };
        Ok((json!(confirmation), touched))
    })
    .await?;
    Ok((StatusCode::CREATED, Json(outcome)))
}

/// Filters for listing bookings.
#[derive(Debug, Deserialize, IntoParams)]
struct BookingFilter {
    /// Only this session (`specialist@date:session`).
    session: Option<String>,
    /// Only this patient.
    patient: Option<String>,
}

/// Active bookings (the roster's and the call centre's), of one session or patient.
#[utoipa::path(get, path = "/instances/{id}/bookings", params(("id" = String, Path, description = "instance id"), BookingFilter),
    responses((status = 200, description = "bookings", body = Object)))]
async fn list_bookings(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(filter): Query<BookingFilter>,
) -> ApiResult<Json<Value>> {
    authorise(&state, &headers, Access::Book)?;
    let session: Option<SessionRef> = filter
        .session
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(ApiError::bad_request)?;
    let published = state.published(&id)?;
    let guard = published.read().unwrap_or_else(|p| p.into_inner());
    let bookings = guard
        .book
        .bookings(session.as_ref(), filter.patient.as_deref())?;
    Ok(Json(json!(bookings)))
}

/// Cancel a booking (a call-centre id `b-0001`, or the request id of a roster booking).
#[utoipa::path(delete, path = "/instances/{id}/bookings/{booking}",
    params(("id" = String, Path, description = "instance id"), ("booking" = String, Path, description = "booking id")),
    responses((status = 200, description = "cancelled: the freed session and waitlisted requests it fits", body = Object),
        (status = 404, description = "no such booking"), (status = 409, description = "already cancelled")))]
async fn cancel_booking(
    State(state): Shared,
    headers: HeaderMap,
    Path((id, booking)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let actor = authorise(&state, &headers, Access::Book)?;
    let outcome = change_ledger(&state, id, actor, LedgerOperation::CANCEL, move |book| {
        let cancellation = book.cancel(&booking, Utc::now())?;
        let touched = Touched {
            target: booking.clone(),
            bookings: vec![booking.clone()],
            releases: vec![booking],
            ..Touched::default()
        };
        Ok((json!(cancellation), touched))
    })
    .await?;
    Ok(Json(outcome))
}

/// Put a request on the waitlist (it feeds the next solve).
#[utoipa::path(post, path = "/instances/{id}/waitlist", params(("id" = String, Path, description = "instance id")),
    request_body = RequestBody,
    responses((status = 201, description = "waitlisted, with the reason it cannot be placed now", body = Object)))]
async fn join_waitlist(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let actor = authorise(&state, &headers, Access::Book)?;
    let body: RequestBody = json_body(&body)?;
    let entry = change_ledger(
        &state,
        id,
        actor,
        LedgerOperation::WAITLIST_ADD,
        move |book| {
            let entry = book.join_waitlist(&body.request(), Utc::now())?;
            let touched = Touched {
                target: entry.id.clone(),
                waitlist: vec![entry.id.clone()],
                ..Touched::default()
            };
            Ok((json!(entry), touched))
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(entry)))
}

/// The waiting requests; `?format=toml` gives them as `[[requests]]` for the next solve.
#[utoipa::path(get, path = "/instances/{id}/waitlist", params(("id" = String, Path, description = "instance id"), WaitlistFormat),
    responses((status = 200, description = "waiting requests (JSON, or TOML `[[requests]]`)", body = Object)))]
async fn list_waitlist(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(format): Query<WaitlistFormat>,
) -> ApiResult<Response> {
    authorise(&state, &headers, Access::Book)?;
    let published = state.published(&id)?;
    let guard = published.read().unwrap_or_else(|p| p.into_inner());
    let waiting = guard.book.ledger().waiting();
    Ok(match format.format.as_deref() {
        Some("toml") => (
            [(header::CONTENT_TYPE, "application/toml")],
            houniao::booking::export_requests(&waiting),
        )
            .into_response(),
        _ => Json(json!(waiting)).into_response(),
    })
}

/// How to list the waitlist.
#[derive(Debug, Deserialize, IntoParams)]
struct WaitlistFormat {
    /// `json` (default) or `toml`.
    format: Option<String>,
}

/// Take a request off the waitlist.
#[utoipa::path(delete, path = "/instances/{id}/waitlist/{entry}",
    params(("id" = String, Path, description = "instance id"), ("entry" = String, Path, description = "waitlist entry id")),
    responses((status = 200, description = "removed", body = Object), (status = 404, description = "not on the waitlist")))]
async fn leave_waitlist(
    State(state): Shared,
    headers: HeaderMap,
    Path((id, entry)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let actor = authorise(&state, &headers, Access::Book)?;
    let removed = change_ledger(
        &state,
        id,
        actor,
        LedgerOperation::WAITLIST_REMOVE,
        move |book| {
            let removed = book.leave_waitlist(&entry, Utc::now())?;
            let touched = Touched {
                target: entry.clone(),
                waitlist: vec![entry],
                ..Touched::default()
            };
            Ok((json!(removed), touched))
        },
    )
    .await?;
    Ok(Json(removed))
}

/// An urgent MDT request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ConveneBody {
    /// The board id.
    board: String,
    /// From this date.
    from: NaiveDate,
    /// From this session of that date (default its first).
    session: Option<String>,
    /// How many slots (default 3).
    count: Option<usize>,
}

/// Urgent MDT: the earliest slots in which the board can sit, and who would join.
#[utoipa::path(post, path = "/instances/{id}/convene", params(("id" = String, Path, description = "instance id")),
    request_body = ConveneBody,
    responses((status = 200, description = "gatherings and slots passed over", body = Object), (status = 404, description = "no such board")))]
async fn convene(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    authorise(&state, &headers, Access::Book)?;
    let body: ConveneBody = json_body(&body)?;
    let published = state.published(&id)?;
    let guard = published.read().unwrap_or_else(|p| p.into_inner());
    let outcome = guard.book.convene(
        &body.board,
        body.from,
        body.session.as_deref(),
        ConveneOptions {
            count: body.count.unwrap_or(3),
        },
    )?;
    Ok(Json(json!(outcome)))
}

/// A what-if comparison.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct WhatIfBody {
    /// Scenarios (docs/whatif.md), as JSON objects with `name`, `seed`, `changes`.
    #[schema(value_type = Vec<Object>)]
    scenarios: Vec<Value>,
    /// Seconds per solve (default and maximum from the config).
    time_limit: Option<f64>,
}

/// What-if: the stored instance and each scenario solved (one at a time on the solve
/// workers), one column of key figures each (docs/kpis.md). Answers when all are solved.
#[utoipa::path(post, path = "/instances/{id}/whatif", params(("id" = String, Path, description = "instance id")),
    request_body = WhatIfBody,
    responses((status = 200, description = "one result per case, the base first", body = Object),
        (status = 422, description = "a scenario names unknown ids or leaves an invalid instance: `problems`")))]
async fn whatif(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let actor = authorise(&state, &headers, Access::Plan)?;
    let body: WhatIfBody = json_body(&body)?;
    let (_, source) = state
        .store
        .instance(&id)?
        .ok_or_else(|| ApiError::not_found("instance", &id))?;
    let base = state.instance(&id)?;
    let format = if source.trim_start().starts_with('{') {
        SourceFormat::Json
    } else {
        SourceFormat::Toml
    };
    let mut cases = vec![houniao::whatif::Case {
        name: "base".into(),
        instance: (*base).clone(),
    }];
    for (i, value) in body.scenarios.iter().enumerate() {
        let scenario: houniao::scenario::Scenario =
            serde_json::from_value(value.clone()).map_err(|e| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_scenario",
                    format!("scenarios[{i}]: {e}"),
                )
            })?;
        let applied = scenario.apply_to_text(&source, format).map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_scenario",
                format!("scenarios[{i}] ({}): {e}", scenario.name),
            )
            .with(json!({ "problems": e.problems() }))
        })?;
        cases.push(houniao::whatif::Case {
            name: scenario.name,
            instance: applied.instance,
        });
    }
    let limits = &state.config.solver;
    let time_limit = body
        .time_limit
        .unwrap_or(limits.default_time_limit)
        .clamp(0.1, limits.max_time_limit);
    let _slot = state
        .solve_slots
        .clone()
        .acquire_owned()
        .await
        .map_err(ApiError::internal)?;
    state.store.log(
        &actor,
        "whatif.run",
        &id,
        &format!("{} scenario(s)", cases.len() - 1),
    )?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let options = houniao::whatif::WhatIfOptions {
        jobs: 1,
        cores: if limits.threads > 0 {
            limits.threads as usize
        } else {
            cores
        },
        time_limit,
        gap: 1e-4,
        near_base: false,
    };
    let results = tokio::task::spawn_blocking(move || houniao::whatif::compare(&cases, options))
        .await
        .map_err(ApiError::internal)?;
    let results: Vec<Value> = results
        .into_iter()
        .map(|r| match r {
            Ok(result) => json!(result),
            Err(error) => json!({ "error": error.to_string() }),
        })
        .collect();
    Ok(Json(json!(results)))
}

/// The audit log (admin): who did what, when; newest last.
#[utoipa::path(get, path = "/audit", params(AuditQuery),
    responses((status = 200, description = "audit entries", body = Object), (status = 403, description = "not an admin token")))]
async fn audit_log(
    State(state): Shared,
    headers: HeaderMap,
    Query(query): Query<AuditQuery>,
) -> ApiResult<Json<Value>> {
    authorise(&state, &headers, Access::Admin)?;
    Ok(Json(json!(
        state.store.audit_log(query.limit.unwrap_or(100))?
    )))
}

/// How much of the audit log.
#[derive(Debug, Deserialize, IntoParams)]
struct AuditQuery {
    /// Most entries (default 100).
    limit: Option<usize>,
}

/// The interactive API documentation (RapiDoc over `/openapi.json`).
pub async fn docs_page() -> Html<&'static str> {
    Html(
        r#"<!doctype html>
<html><head><meta charset="utf-8"><title>houniao API</title>
<script type="module" src="https://unpkg.com/rapidoc/dist/rapidoc-min.js"></script></head>
<body><rapi-doc spec-url="/openapi.json" render-style="read" allow-try="true"
 show-header="false" allow-authentication="true"></rapi-doc>
<noscript>The API is described by <a href="/openapi.json">/openapi.json</a> (OpenAPI 3).</noscript>
</body></html>"#,
    )
}
