//! Instances: upload (TOML or JSON, every validation error with its field path), list,
//! and one instance with its summary, current roster and publications.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use houniao::diagnostics::Diagnostic;
use houniao::instance::SourceFormat;
use houniao::summary::InstanceSummary;
use houniao::{Instance, InstanceError};
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::{ApiResult, Shared, authorise};
use crate::server::auth::Access;
use crate::server::error::ApiError;
use crate::server::state::{AppState, lock};
use crate::server::store::{InstanceRow, Publication};

/// Upload an instance (TOML, or JSON with `Content-Type: application/json`). Every
/// validation error comes back in one 422 with its field path.
#[utoipa::path(post, path = "/instances",
    request_body(content = String, description = "the instance file (PROBLEM.md §2, docs/format.md), TOML or JSON; its rules are the library's, beyond what a schema says: an instance that breaks them is a 422", content_type = "text/plain"),
    responses(
        (status = 201, description = "stored: its id (the instance's `name`, or `name-2`, … when taken) and summary", body = InstanceCreated),
        (status = 403, description = "not a scheduler (`forbidden`)"),
        (status = 422, description = "`invalid_instance`: not TOML or JSON, or it breaks the format's rules; `problems` lists every error with its field path"),
    ))]
pub(super) async fn upload_instance(
    State(state): Shared,
    headers: HeaderMap,
    body: String,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let actor = authorise(&state, &headers, Access::Schedule)?;
    let json_body = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"))
        || looks_like_json(&body);
    let (id, summary) = add_instance(&state, &body, json_body, &actor)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": id, "summary": summary })),
    ))
}

/// Whether an upload's text is JSON rather than TOML (it opens with `{`).
pub(crate) fn looks_like_json(text: &str) -> bool {
    text.trim_start().starts_with('{')
}

/// Why an upload was not stored.
pub(crate) enum UploadError {
    /// The file breaks the rules: what is wrong overall, and every error with its
    /// field path.
    Invalid {
        /// For people: how many errors, or the syntax error.
        detail: String,
        /// The errors, in file order.
        problems: Vec<Diagnostic>,
    },
    /// The service failed (the database).
    Failed(ApiError),
}

impl From<ApiError> for UploadError {
    fn from(error: ApiError) -> UploadError {
        UploadError::Failed(error)
    }
}

impl From<rusqlite::Error> for UploadError {
    fn from(error: rusqlite::Error) -> UploadError {
        UploadError::Failed(error.into())
    }
}

impl From<UploadError> for ApiError {
    fn from(error: UploadError) -> ApiError {
        match error {
            UploadError::Invalid { detail, problems } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_instance", detail)
                    .with(json!({ "problems": problems }))
            }
            UploadError::Failed(error) => error,
        }
    }
}

/// Validates an uploaded instance (TOML, or JSON when `json`) and stores it as sent,
/// under its name (or `name-2`, … when taken); returns its id and summary. Both the
/// API's upload and the web app's form call this.
pub(crate) fn add_instance(
    state: &AppState,
    text: &str,
    json: bool,
    actor: &str,
) -> Result<(String, InstanceSummary), UploadError> {
    let format = if json {
        SourceFormat::Json
    } else {
        SourceFormat::Toml
    };
    let instance = Instance::from_str_as(text, format).map_err(|error| {
        let problems: Vec<_> = error
            .diagnostics()
            .into_iter()
            .filter(|d| d.severity == houniao::diagnostics::Severity::Error)
            .collect();
        let detail = match &error {
            InstanceError::Invalid { .. } => format!("{} error(s) in the instance", problems.len()),
            other => other.to_string(),
        };
        UploadError::Invalid { detail, problems }
    })?;
    let mut id = instance.name.clone();
    let taken: Vec<String> = state.store.instances()?.into_iter().map(|r| r.id).collect();
    let mut n = 2;
    while taken.contains(&id) {
        id = format!("{}-{n}", instance.name);
        n += 1;
    }
    let format_name = if json { "json" } else { "toml" };
    state
        .store
        .add_instance(&id, &instance.name, format_name, text, actor)?;
    let summary = InstanceSummary::of(&instance);
    lock(&state.instances).insert(id.clone(), Arc::new(instance));
    Ok((id, summary))
}

/// List the stored instances.
#[utoipa::path(get, path = "/instances", responses((status = 200, description = "instances", body = [crate::server::store::InstanceRow])))]
pub(super) async fn list_instances(
    State(state): Shared,
    headers: HeaderMap,
) -> ApiResult<Json<Value>> {
    authorise(&state, &headers, Access::Read)?;
    Ok(Json(json!(state.store.instances()?)))
}

/// One instance: its record, summary and publications.
#[utoipa::path(get, path = "/instances/{id}", params(("id" = String, Path, description = "instance id")),
    responses((status = 200, description = "the instance", body = InstanceDetail), (status = 404, description = "no such instance")))]
pub(super) async fn get_instance(
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
        "summary": InstanceSummary::of(&instance),
        "publications": state.store.publications(&id)?,
    })))
}

/// The answer to an upload.
#[derive(ToSchema)]
#[allow(dead_code)] // a schema only: the handler builds the answer as JSON
pub(super) struct InstanceCreated {
    /// The instance's id in the service.
    id: String,
    /// Its size: sites, specialists, sessions, requests, … (`houniao summary`).
    #[schema(value_type = Object)]
    summary: Value,
}

/// One instance, as `GET /instances/{id}` shows it.
#[derive(ToSchema)]
#[allow(dead_code)] // a schema only: the handler builds the answer as JSON
pub(super) struct InstanceDetail {
    /// Its record.
    instance: InstanceRow,
    /// The publication the call centre books against, if any.
    current: Option<Current>,
    /// Its size (`houniao summary`).
    #[schema(value_type = Object)]
    summary: Value,
    /// Every publication, oldest first.
    publications: Vec<Publication>,
}

/// The current publication of an instance.
#[derive(ToSchema)]
#[allow(dead_code)] // a schema only
pub(super) struct Current {
    /// Its version.
    version: i64,
    /// The roster published.
    roster_id: String,
    /// Sessions the call centre can book.
    #[schema(minimum = 0)]
    bookable_sessions: u64,
}
