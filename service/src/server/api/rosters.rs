//! Rosters: uploaded (checked against every hard rule), read, and published (versioned;
//! the instance's ledger must fit the new roster).

use std::sync::{Arc, RwLock};

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use houniao::Roster;
use serde_json::{Value, json};

use super::{ApiResult, Shared, authorise, new_id};
use crate::server::auth::Access;
use crate::server::error::ApiError;
use crate::server::state::Published;

/// Upload a roster made elsewhere (PROBLEM.md §6 JSON) for an instance; it must pass
/// every hard rule (422 lists the violations). Publish it with `/rosters/{id}/publish`.
#[utoipa::path(post, path = "/instances/{id}/rosters", params(("id" = String, Path, description = "instance id")),
    request_body(content = Object, description = "the roster (PROBLEM.md §6)"),
    responses((status = 201, description = "stored: its id and recomputed objective", body = Object),
        (status = 422, description = "not a roster of this instance, or it breaks hard rules: `violations`")))]
pub(super) async fn upload_roster(
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
pub(super) async fn get_roster(
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
    responses((status = 201, description = "published", body = crate::server::store::Publication),
        (status = 404, description = "no such roster"),
        (status = 409, description = "the instance's bookings do not fit this roster")))]
pub(super) async fn publish_roster(
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
