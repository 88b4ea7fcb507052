//! A roster as spreadsheets (`houniao export` over HTTP) and the comparison of two
//! publications (`houniao diff`): both name patients, so they are for schedulers and
//! the call centre.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use houniao::Roster;
use houniao::agenda::Language;
use houniao::export::{csv::to_csv, workbook, xlsx::to_xlsx};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;

use super::{ApiResult, Shared, authorise};
use crate::server::auth::Access;
use crate::server::error::ApiError;
use crate::server::state::AppState;

/// Which spreadsheet.
#[derive(Debug, Deserialize, IntoParams)]
pub(super) struct ExportQuery {
    /// `xlsx` (every sheet) or `csv` (one sheet: `sheet` is required).
    #[param(pattern = "^(xlsx|csv)$")]
    format: String,
    /// Only this sheet: a site id, `mdt`, `surgeries`, `bookings`.
    sheet: Option<String>,
    /// `zh-CN` or `en` (default: the instance's language); any `zh…` or `en…` tag.
    #[param(pattern = "^([zZ][hH]|[eE][nN])(-.*)?$")]
    lang: Option<String>,
}

fn unprocessable(detail: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", detail)
}

/// A roster as a spreadsheet: a rota per site (rooms × the week's sessions), MDT seats,
/// surgeries, and the bookings per session for the front desk (scheduler or call centre).
#[utoipa::path(get, path = "/rosters/{id}/export", params(("id" = String, Path, description = "roster id"), ExportQuery),
    responses((status = 200, description = "the workbook (XLSX), or one sheet of it (CSV)",
            content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv"))),
        (status = 403, description = "neither a scheduler nor the call centre (`forbidden`)"),
        (status = 404, description = "no such roster"),
        (status = 422, description = "`invalid_request`: an unknown language or sheet (the sheets are named), or CSV without `sheet`")))]
pub(super) async fn export_roster(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<ExportQuery>,
) -> ApiResult<Response> {
    authorise(&state, &headers, Access::Patients)?;
    let (instance_id, json) = state
        .store
        .roster(&id)?
        .ok_or_else(|| ApiError::not_found("roster", &id))?;
    let instance = state.instance(&instance_id)?;
    let roster = Roster::from_json_str(&json).map_err(ApiError::internal)?;
    let lang = match query.lang.as_deref() {
        None => Language::of(&instance),
        Some(tag) => Language::parse(tag)
            .ok_or_else(|| unprocessable(format!("unknown language \"{tag}\" (zh-CN or en)")))?,
    };
    let mut book = workbook(&instance, &roster, lang)
        .map_err(|error| ApiError::internal(error.to_string()))?;
    if let Some(sheet) = &query.sheet {
        if book.sheet(sheet).is_none() {
            return Err(unprocessable(format!(
                "no sheet \"{sheet}\" (the sheets: {})",
                book.names().join(", ")
            )));
        }
        book.sheets.retain(|s| &s.name == sheet);
    }
    let name = query.sheet.as_deref().unwrap_or("roster");
    match query.format.as_str() {
        "xlsx" => Ok((
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{id}.xlsx\""),
                ),
            ],
            to_xlsx(&book).map_err(ApiError::internal)?,
        )
            .into_response()),
        "csv" => match book.sheets.as_slice() {
            [one] => Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{id}.{name}.csv\""),
                    ),
                ],
                to_csv(one),
            )
                .into_response()),
            _ => Err(unprocessable(format!(
                "CSV holds one sheet: name it with sheet= ({})",
                book.names().join(", ")
            ))),
        },
        other => Err(unprocessable(format!(
            "unknown format \"{other}\" (xlsx or csv)"
        ))),
    }
}

/// Which publications to compare.
#[derive(Debug, Deserialize, IntoParams)]
pub(super) struct DiffQuery {
    /// The earlier publication's version (default: the one before `to`).
    from: Option<i64>,
    /// The later publication's version (default: the current one).
    to: Option<i64>,
    /// Only this specialist's changes and patients.
    specialist: Option<String>,
}

/// What changed for whom between two publications of an instance (scheduler or call
/// centre): per specialist the activities added, removed and moved; per patient the
/// bookings moved. The calendar feeds change exactly where this says.
#[utoipa::path(get, path = "/instances/{id}/diff", params(("id" = String, Path, description = "instance id"), DiffQuery),
    responses((status = 200, description = "`from`, `to` and the changes: `specialists`, `patients`", body = Object),
        (status = 403, description = "neither a scheduler nor the call centre (`forbidden`)"),
        (status = 404, description = "no such instance or publication"),
        (status = 409, description = "`no_earlier_publication`: nothing to compare with"),
        (status = 422, description = "an unknown specialist")))]
pub(super) async fn diff_publications(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<DiffQuery>,
) -> ApiResult<Json<Value>> {
    authorise(&state, &headers, Access::Patients)?;
    let instance = state.instance(&id)?;
    let publications = state.store.publications(&id)?;
    let position = |version: i64| {
        publications
            .iter()
            .position(|p| p.version == version)
            .ok_or_else(|| ApiError::not_found("publication", &version.to_string()))
    };
    let to = match query.to {
        Some(version) => position(version)?,
        None => publications
            .len()
            .checked_sub(1)
            .ok_or_else(|| ApiError::not_found("publication of instance", &id))?,
    };
    let from = match query.from {
        Some(version) => position(version)?,
        None => to.checked_sub(1).ok_or_else(|| {
            ApiError::conflict(
                "no_earlier_publication",
                "there is no earlier publication to compare with",
            )
        })?,
    };
    let old = roster_of(&state, &publications[from].roster_id)?;
    let new = roster_of(&state, &publications[to].roster_id)?;
    let changes = houniao::diff::diff(&instance, &old, &new, query.specialist.as_deref()).map_err(
        |error| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_id",
                error.to_string(),
            )
        },
    )?;
    Ok(Json(json!({
        "from": publications[from],
        "to": publications[to],
        "specialists": changes.specialists,
        "patients": changes.patients,
    })))
}

fn roster_of(state: &AppState, roster_id: &str) -> ApiResult<Roster> {
    let (_, json) = state
        .store
        .roster(roster_id)?
        .ok_or_else(|| ApiError::internal("a published roster is missing"))?;
    Roster::from_json_str(&json).map_err(ApiError::internal)
}
