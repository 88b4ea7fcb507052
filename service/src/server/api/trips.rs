//! One-trip bundles over HTTP (docs/booking.md § One trip): search the ways to make a
//! trip, book one all or none (every step's row in one ledger transaction, on disk
//! before the 201), and cancel it as one.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{NaiveDate, Utc};
use houniao::booking::{BundleRequest, PatientRequest};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::booking::{LedgerOperation, Touched, change_ledger};
use super::{ApiResult, Shared, authorise, json_body};
use crate::server::auth::Access;
use crate::server::state::AppState;

/// One step of a trip: what it asks for (one of specialist, discipline, resource,
/// resource_kind); the window, priority and referral are the trip's.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct TripStep {
    /// A named specialist (a colleague of the discipline will do).
    specialist: Option<String>,
    /// A discipline.
    discipline: Option<String>,
    /// A resource's id (a CT scanner).
    resource: Option<String>,
    /// Any resource of this kind (`ct`).
    resource_kind: Option<String>,
    /// Allowed sites in order of preference; empty: any.
    #[serde(default)]
    sites: Vec<String>,
}

/// A trip: its steps in order, the window every step falls in, and how close together.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct TripBody {
    /// Opaque patient reference (required to book).
    #[serde(default)]
    patient: String,
    /// 2 to 4 steps, in the order they happen.
    steps: Vec<TripStep>,
    /// First acceptable date of every step.
    earliest: NaiveDate,
    /// Last acceptable date of every step.
    latest: NaiveDate,
    /// Every step within this many days of the first (0: the same day).
    #[serde(default)]
    within_days: u32,
    /// Priority 1–5.
    #[serde(default = "super::booking::one")]
    priority: u8,
    /// The referring community centre (its pools' held places).
    referred_by: Option<String>,
    /// Search: most options (default 5).
    limit: Option<usize>,
    /// Book: the trip option (`A+B`); default the best.
    option: Option<String>,
}

impl TripBody {
    fn bundle(&self) -> BundleRequest {
        BundleRequest {
            patient: self.patient.clone(),
            within_days: self.within_days,
            steps: self
                .steps
                .iter()
                .map(|step| PatientRequest {
                    patient: self.patient.clone(),
                    specialist: step.specialist.clone(),
                    discipline: step.discipline.clone(),
                    sites: step.sites.clone(),
                    earliest: self.earliest,
                    latest: self.latest,
                    substitute_ok: step.specialist.is_some(),
                    priority: self.priority,
                    referred_by: self.referred_by.clone(),
                    resource: step.resource.clone(),
                    resource_kind: step.resource_kind.clone(),
                })
                .collect(),
        }
    }
}

const TRIP_BOOK: LedgerOperation = LedgerOperation {
    audit: "trip.create",
    metric: "trip_book",
    done: "booked",
};
const TRIP_CANCEL: LedgerOperation = LedgerOperation {
    audit: "trip.cancel",
    metric: "trip_cancel",
    done: "cancelled",
};

/// The ways to make a trip on the published roster, earliest first.
#[utoipa::path(post, path = "/instances/{id}/trips/search", params(("id" = String, Path, description = "instance id")),
    request_body = TripBody,
    responses((status = 200, description = "trip options (each step's session), or the reasons there is none", body = Object),
        (status = 422, description = "invalid trip: `problems` with `steps[i].field` paths")))]
pub(super) async fn search_trips(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    authorise(&state, &headers, Access::Book)?;
    let body: TripBody = json_body(&body)?;
    let published = state.published(&id)?;
    let guard = published.read().unwrap_or_else(|p| p.into_inner());
    let found = guard
        .book
        .search_bundle(&body.bundle(), body.limit.unwrap_or(5))?;
    Ok(Json(json!(found)))
}

/// Book a trip all or none: every step's booking is on disk before the 201.
#[utoipa::path(post, path = "/instances/{id}/trips", params(("id" = String, Path, description = "instance id")),
    request_body = TripBody,
    responses((status = 201, description = "booked: the trip id and each step's booking", body = Object),
        (status = 409, description = "a step's place was taken meanwhile, or no sessions make the trip"),
        (status = 422, description = "invalid trip, or an option that does not fit it")))]
pub(super) async fn book_trip(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let actor = authorise(&state, &headers, Access::Book)?;
    let body: TripBody = json_body(&body)?;
    let booked = book_trip_published(&state, id, actor, body).await?;
    Ok((StatusCode::CREATED, Json(booked)))
}

async fn book_trip_published(
    state: &Arc<AppState>,
    id: String,
    actor: String,
    body: TripBody,
) -> ApiResult<Value> {
    change_ledger(state, id, actor, TRIP_BOOK, move |book| {
        let booked = book.book_bundle(&body.bundle(), body.option.as_deref(), Utc::now())?;
        let touched = Touched {
            target: booked.bundle.clone(),
            bookings: booked.steps.iter().map(|s| s.booking.id.clone()).collect(),
            ..Touched::default()
        };
        Ok((json!(booked), touched))
    })
    .await
}

/// Cancel every step of a trip.
#[utoipa::path(delete, path = "/instances/{id}/trips/{trip}",
    params(("id" = String, Path, description = "instance id"), ("trip" = String, Path, description = "trip id (trip-0001)")),
    responses((status = 200, description = "cancelled: each step's freed session", body = Object),
        (status = 404, description = "no such trip")))]
pub(super) async fn cancel_trip(
    State(state): Shared,
    headers: HeaderMap,
    Path((id, trip)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let actor = authorise(&state, &headers, Access::Book)?;
    let cancelled = change_ledger(&state, id, actor, TRIP_CANCEL, move |book| {
        let cancelled = book.cancel_bundle(&trip, Utc::now())?;
        let touched = Touched {
            target: trip.clone(),
            bookings: cancelled.iter().map(|c| c.id.clone()).collect(),
            ..Touched::default()
        };
        Ok((cancelled, touched))
    })
    .await?;
    Ok(Json(json!(cancelled)))
}
