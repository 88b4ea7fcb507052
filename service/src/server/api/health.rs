//! Liveness and metrics: `/healthz` (no token) and `/metrics` (Prometheus text).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::{ApiResult, Shared, authorise};
use crate::server::auth::Access;

/// Liveness: the service answers and its database is reachable.
#[utoipa::path(get, path = "/healthz", security(()), responses((status = 200, description = "healthy", body = Health, example = json!({"status": "ok", "instances": 1}))))]
pub(super) async fn healthz(State(state): Shared) -> ApiResult<Json<Value>> {
    let instances = state.store.instances()?.len();
    Ok(Json(json!({ "status": "ok", "instances": instances })))
}

/// Prometheus metrics (text format).
#[utoipa::path(get, path = "/metrics", responses((status = 200, description = "metrics in the Prometheus text format", body = String, content_type = "text/plain")))]
pub(super) async fn metrics(State(state): Shared, headers: HeaderMap) -> ApiResult<Response> {
    authorise(&state, &headers, Access::Read)?;
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response())
}

/// The answer of `/healthz`.
#[derive(ToSchema)]
#[allow(dead_code)] // a schema only: the handler builds the answer as JSON
pub(super) struct Health {
    /// `ok`.
    #[schema(pattern = "^ok$")]
    status: String,
    /// How many instances are stored.
    #[schema(minimum = 0)]
    instances: u64,
}
