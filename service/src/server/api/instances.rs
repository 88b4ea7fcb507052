//! Instances: upload (TOML or JSON, every validation error with its field path), list,
//! and one instance with its summary, current roster and publications.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use houniao::instance::SourceFormat;
use houniao::{Instance, InstanceError};
use serde_json::{Value, json};

use super::{ApiResult, Shared, authorise};
use crate::server::auth::Access;
use crate::server::error::ApiError;
use crate::server::state::lock;

/// Upload an instance (TOML, or JSON with `Content-Type: application/json`). Every
/// validation error comes back in one 422 with its field path.
#[utoipa::path(post, path = "/instances",
    request_body(content = String, description = "the instance file (PROBLEM.md §2), TOML or JSON", content_type = "text/plain"),
    responses(
        (status = 201, description = "stored", body = Object),
        (status = 422, description = "invalid: `problems` lists every error with its field path", body = Object),
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
    responses((status = 200, description = "the instance", body = Object), (status = 404, description = "no such instance")))]
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
        "summary": houniao::summary::InstanceSummary::of(&instance),
        "publications": state.store.publications(&id)?,
    })))
}
