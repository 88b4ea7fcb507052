//! Rosters: uploaded (checked against every hard rule), read, and published (versioned;
//! the roster must pass every hard rule — a draft's with its own pins, which it then
//! makes the instance's — and the instance's ledger must fit it).

use std::sync::{Arc, RwLock};

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use houniao::Roster;
use houniao::booking::BookingBook;
use houniao::check::Violation;
use houniao::instance::raw::RawPin;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::pins::Replacement;
use super::{ApiResult, Shared, authorise, new_id};
use crate::server::auth::Access;
use crate::server::error::ApiError;
use crate::server::state::{AppState, Published, lock};
use crate::server::store::{PinsWrite, Publication};

/// Upload a roster made elsewhere (PROBLEM.md §6 JSON) for an instance; it must pass
/// every hard rule (422 lists the violations). Publish it with `/rosters/{id}/publish`.
#[utoipa::path(post, path = "/instances/{id}/rosters", params(("id" = String, Path, description = "instance id")),
    request_body(content = Object, description = "the roster (PROBLEM.md §6, docs/format.md § Rosters); whether it is one of this instance, and keeps every hard rule, only the checker can say: the 422"),
    responses((status = 201, description = "stored: its id, the recomputed objective, and where the roster's own figures differ", body = RosterStored),
        (status = 403, description = "not a scheduler (`forbidden`)"),
        (status = 422, description = "`invalid_roster`: not a roster, not one of this instance, or it breaks hard rules (`violations`)")))]
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

/// Publish a roster: it becomes the one the call centre books against. It must pass
/// every hard rule of the instance with its current pins — a draft made by checked
/// edits, of the instance with the draft's pins (422 `invalid_roster` with the
/// `violations`); a draft with its own pin list makes that list the instance's pins, in
/// the same transaction as the publication (as `PUT /instances/{id}/pins` would, audit
/// `pins.replace`). Earlier publications stay; the instance's bookings carry over and
/// must fit the new roster (409 names the first that does not).
#[utoipa::path(post, path = "/rosters/{id}/publish", params(("id" = String, Path, description = "roster id")),
    responses((status = 201, description = "published", body = crate::server::store::Publication),
        (status = 403, description = "not a scheduler (`forbidden`)"),
        (status = 404, description = "no such roster"),
        (status = 409, description = "the instance's bookings do not fit this roster: `ledger_does_not_fit`"),
        (status = 422, description = "`invalid_roster`: it breaks hard rules (a pin included), listed in `violations`; `invalid_pins`: a draft's own pins no longer validate")))]
pub(super) async fn publish_roster(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let actor = authorise(&state, &headers, Access::Schedule)?;
    let published = publish(&state, &id, &actor).await?;
    Ok((StatusCode::CREATED, Json(json!(published))))
}

/// Publishes roster `id` (what `POST /rosters/{id}/publish` does; the web board's
/// "Publish" calls it too).
pub(crate) async fn publish(
    state: &Arc<AppState>,
    id: &str,
    actor: &str,
) -> ApiResult<Publication> {
    let (id, actor) = (id.to_string(), actor.to_string());
    let row = state
        .store
        .roster_row(&id)?
        .ok_or_else(|| ApiError::not_found("roster", &id))?;
    let roster = Roster::from_json_str(&row.roster).map_err(ApiError::internal)?;
    let own_pins: Option<Vec<RawPin>> = row
        .pins
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(ApiError::internal)?;
    let instance_id = row.instance_id;
    let what = match (row.draft, &row.parent_id) {
        (true, Some(parent)) => format!("the draft (edited from {parent})"),
        _ => "the roster".to_string(),
    };
    let worker = state.clone();
    tokio::task::spawn_blocking(move || -> ApiResult<_> {
        // A draft's own pins replace the instance's: one replacement at a time.
        let _writing = own_pins.is_some().then(|| lock(&worker.pin_writes));
        let replacement = own_pins
            .map(|pins| Replacement::prepare(&worker, &instance_id, pins, &[], Vec::new()))
            .transpose()?;
        let judge = match &replacement {
            Some(replacement) => replacement.instance.clone(),
            None => worker.instance(&instance_id)?,
        };
        // Judged before taking the lock bookings wait on.
        let report = houniao::check::check(&judge, &roster);
        if !report.is_valid() {
            return Err(invalid_roster(&what, &report.violations));
        }
        // Bookings must not be made between reading the ledger and switching books.
        let mut publications = worker.published.write().unwrap_or_else(|p| p.into_inner());
        let book = match &replacement {
            Some(replacement) => {
                let ledger = worker.store.ledger(&instance_id, &judge.name)?;
                worker.with_offer_hold(BookingBook::open(
                    replacement.instance.clone(),
                    &roster,
                    ledger,
                )?)
            }
            None => worker.open_book(&instance_id, &roster)?,
        };
        let detail = replacement.as_ref().map(Replacement::audit_detail);
        let pins = replacement
            .as_ref()
            .zip(detail.as_deref())
            .map(|(replacement, detail)| PinsWrite {
                pins: &replacement.json,
                detail,
            });
        let publication = worker.store.publish(&instance_id, &id, &actor, pins)?;
        if let Some(replacement) = &replacement {
            replacement.swap_in(&worker);
        }
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
    .map_err(ApiError::internal)?
}

/// 422 `invalid_roster`: `what` (the roster, the draft) breaks hard rules, every
/// violation listed.
fn invalid_roster(what: &str, violations: &[Violation]) -> ApiError {
    let first = violations
        .first()
        .map(ToString::to_string)
        .unwrap_or_default();
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_roster",
        format!(
            "{what} breaks {} hard rule(s) (first: {first})",
            violations.len()
        ),
    )
    .with(json!({ "violations": violations }))
}

/// The answer to a roster upload.
#[derive(ToSchema)]
#[allow(dead_code)] // a schema only: the handler builds the answer as JSON
pub(super) struct RosterStored {
    /// The roster's id.
    roster_id: String,
    /// The objective, recomputed by the checker.
    objective: f64,
    /// Where the roster's own figures (its `objective`, …) differ from the checker's.
    #[schema(value_type = Vec<Object>)]
    discrepancies: Vec<Value>,
}
