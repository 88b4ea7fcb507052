//! The audit log (admin only): who did what, when.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

use super::{ApiResult, Shared, authorise};
use crate::server::auth::Access;

/// The audit log (admin): who did what, when; newest last.
#[utoipa::path(get, path = "/audit", params(AuditQuery),
    responses((status = 200, description = "the newest `limit` entries, oldest first", body = [AuditEntry],
            example = json!([{"seq": 3, "at": "2026-03-01T08:00:03.120+00:00", "actor": "scheduler-user", "action": "roster.publish", "target": "roster-91b8a27f11ac", "detail": "ningde-regional v1"}])),
        (status = 403, description = "not an admin token (`forbidden`)")))]
pub(super) async fn audit_log(
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
pub(super) struct AuditQuery {
    /// Most entries (default 100).
    limit: Option<usize>,
}

/// One entry of the audit log.
#[derive(ToSchema)]
#[allow(dead_code)] // a schema only: the store builds the entries as JSON
pub(super) struct AuditEntry {
    /// Increasing.
    seq: i64,
    /// When (RFC 3339).
    at: String,
    /// The token's name.
    actor: String,
    /// What was done (`instance.upload`, `roster.publish`, `booking.create`, …).
    action: String,
    /// The id it was done to.
    target: String,
    /// More, for people.
    detail: String,
}
