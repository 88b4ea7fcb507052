//! The audit log (admin only): who did what, when.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;

use super::{ApiResult, Shared, authorise};
use crate::server::auth::Access;

/// The audit log (admin): who did what, when; newest last.
#[utoipa::path(get, path = "/audit", params(AuditQuery),
    responses((status = 200, description = "audit entries", body = Object), (status = 403, description = "not an admin token")))]
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
