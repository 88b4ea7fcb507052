//! The call centre against the published roster: search, book, list and cancel
//! bookings, the waitlist, and urgent MDT convening. Every ledger change goes through
//! [`change_ledger`]: in memory under the book's lock, then on disk before the answer.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use houniao::booking::{
    Cancellation, Confirmation, ConveneOptions, ConveneOutcome, Offer, OfferState, PatientRequest,
    SearchResult, SessionRef, WaitlistEntry,
};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

use super::requests::{BookingRequest, SearchRequest};
use super::{ApiResult, Shared, authorise, json_body};
use crate::server::auth::Access;
use crate::server::error::ApiError;
use crate::server::state::AppState;
use crate::server::store::{LedgerChanges, LedgerWrite};

/// What a patient asks for (a `[[requests]]` entry).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RequestBody {
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
    #[serde(default = "one", deserialize_with = "super::whole::number")]
    priority: u8,
    /// The referring site (a community centre): its referrals may take the places a
    /// pool holds for it; `places_left` of each option counts the places this caller
    /// may take.
    referred_by: Option<String>,
    /// A resource's id (a CT scanner) instead of a specialist or discipline; options are
    /// `resource@date:session`.
    resource: Option<String>,
    /// Any resource of this kind (`ct`) instead of a specialist or discipline.
    resource_kind: Option<String>,
    /// Search: most options to return (default 10).
    #[serde(default, deserialize_with = "super::whole::optional")]
    limit: Option<usize>,
    /// Book: the option id to book (`specialist@date:session`); default the best.
    option: Option<String>,
}

pub(super) fn one() -> u8 {
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
            referred_by: self.referred_by.clone(),
            resource: self.resource.clone(),
            resource_kind: self.resource_kind.clone(),
        }
    }
}

/// Search the published roster: ranked options, or why not and the alternatives.
#[utoipa::path(post, path = "/instances/{id}/search", params(("id" = String, Path, description = "instance id")),
    request_body = SearchRequest,
    responses((status = 200, description = "options, reasons, alternatives", body = Object),
        (status = 403, description = "not the call centre (`forbidden`)"),
        (status = 409, description = "nothing published yet (`not_published`)"),
        (status = 422, description = "`invalid_request`: the body does not fit, or names what the instance does not have (an unknown specialist, discipline or site), or a window that ends before it starts; every problem with its field")))]
pub(super) async fn search(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    authorise(&state, &headers, Access::Book)?;
    let body: RequestBody = json_body(&body)?;
    let result = search_published(&state, &id, &body.request(), body.limit.unwrap_or(10))?;
    Ok(Json(json!(result)))
}

/// Searches the current publication of an instance (the core of `POST /search`, shared
/// with the web desk): ranked options, or why not and the alternatives.
pub(crate) fn search_published(
    state: &AppState,
    id: &str,
    request: &PatientRequest,
    limit: usize,
) -> ApiResult<SearchResult> {
    let published = state.published(id)?;
    let guard = published.read().unwrap_or_else(|p| p.into_inner());
    let result = guard.book.search(request, limit)?;
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
    Ok(result)
}

/// The ledger entries one change touched, to be written (ids), and the audit target.
#[derive(Debug, Default)]
pub(super) struct Touched {
    pub target: String,
    pub bookings: Vec<String>,
    pub releases: Vec<String>,
    pub waitlist: Vec<String>,
}

/// A kind of ledger change: its audit action and its `houniao_bookings_total` labels.
#[derive(Debug, Clone, Copy)]
pub(super) struct LedgerOperation {
    pub audit: &'static str,
    pub metric: &'static str,
    pub done: &'static str,
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
    const OFFER_ACCEPT: LedgerOperation = LedgerOperation {
        audit: "offer.accept",
        metric: "offer_accept",
        done: "accepted",
    };
    const OFFER_DECLINE: LedgerOperation = LedgerOperation {
        audit: "offer.decline",
        metric: "offer_decline",
        done: "declined",
    };
    /// Offers expired and passed on by the clock alone: only the offers' own lines.
    const OFFER_SETTLE: LedgerOperation = LedgerOperation {
        audit: "",
        metric: "",
        done: "settled",
    };
}

/// Changes the ledger of an instance's published book on a blocking worker: the change
/// in memory under the book's write lock, its rows queued for the ledger writer before
/// the lock is released (so commits keep the order of changes), then the answer once
/// the rows are on disk. Searches are not held up by the disk write. A failed write
/// fails the book closed: it may hold what the database does not.
///
/// Offers the change made or closed (a cancellation's offer, offers expired at this
/// change and passed on) are found by comparing the book's offers before and after,
/// and written in the same transaction, each with its audit line; offers settled by a
/// change that then failed are written on their own, so memory never runs ahead of
/// the database.
pub(super) async fn change_ledger<T: Send + 'static>(
    state: &Arc<AppState>,
    id: String,
    actor: String,
    operation: LedgerOperation,
    change: impl FnOnce(&mut houniao::booking::BookingBook) -> ApiResult<(T, Touched)> + Send + 'static,
) -> ApiResult<T> {
    let published = state.published(&id)?;
    let worker = state.clone();
    let result = tokio::task::spawn_blocking(move || -> ApiResult<T> {
        let (answer, written) = {
            let mut guard = published.write().unwrap_or_else(|p| p.into_inner());
            if guard.failed.load(Ordering::Relaxed) {
                return Err(storage_failed());
            }
            let before: Vec<Offer> = guard.book.offers().to_vec();
            let outcome = change(&mut guard.book);
            let offers = changed_offers(&before, guard.book.offers());
            count_offers(&worker, &offers);
            let (answer, touched, action) = match outcome {
                Ok((answer, touched)) => (Ok(answer), touched, operation.audit),
                Err(error) if offers.is_empty() => return Err(error),
                Err(error) => (Err(error), Touched::default(), ""),
            };
            fn ids(list: &[String]) -> Vec<&str> {
                list.iter().map(String::as_str).collect()
            }
            let offer_ids: Vec<&str> = offers.iter().map(|c| c.offer.id.as_str()).collect();
            let rows = LedgerChanges::of(
                guard.book.ledger(),
                &ids(&touched.bookings),
                &ids(&touched.releases),
                &ids(&touched.waitlist),
                &offer_ids,
            )
            .rows();
            if rows.is_empty() && action.is_empty() {
                return answer;
            }
            let written = worker.ledger_writer.queue(LedgerWrite {
                instance_id: id,
                rows,
                actor,
                action,
                target: touched.target,
                audits: offers.iter().filter_map(OfferChange::audit).collect(),
            });
            (answer, written)
        };
        let outcome = written
            .recv()
            .unwrap_or_else(|_| Err("the ledger writer has stopped".into()));
        match outcome {
            Ok(()) => answer,
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
    if !operation.metric.is_empty() {
        let outcome = match &result {
            Ok(_) => operation.done,
            Err(error) => error.error,
        };
        state
            .metrics
            .bookings
            .with_label_values(&[operation.metric, outcome])
            .inc();
    }
    result
}

/// An offer a change made or changed.
struct OfferChange {
    offer: Offer,
    /// Its state before (`None`: made by the change).
    was: Option<OfferState>,
}

impl OfferChange {
    /// What happened to it, as `houniao_offers_total{event}` counts it: `made`, or the
    /// state it entered; `None` when only its bookkeeping changed.
    fn event(&self) -> Option<&'static str> {
        match self.was {
            None => Some("made"),
            Some(was) if was == self.offer.state => None,
            Some(_) => Some(match self.offer.state {
                OfferState::Pending => "reopened",
                OfferState::Accepted => "accepted",
                OfferState::Declined => "declined",
                OfferState::Expired => "expired",
                OfferState::Withdrawn => "withdrawn",
            }),
        }
    }

    /// Its audit line: `offer.made` (detail: the entry and session) or `offer.STATE`.
    fn audit(&self) -> Option<(&'static str, String, String)> {
        let action = match self.event()? {
            "made" => "offer.made",
            "accepted" => "offer.accepted",
            "declined" => "offer.declined",
            "expired" => "offer.expired",
            "withdrawn" => "offer.withdrawn",
            _ => "offer.reopened",
        };
        let detail = format!(
            "{} {} until {}",
            self.offer.entry,
            self.offer.session,
            self.offer.expires_at.to_rfc3339()
        );
        Some((action, self.offer.id.clone(), detail))
    }
}

/// The offers that differ between two states of a book's offers (which only grow).
fn changed_offers(before: &[Offer], after: &[Offer]) -> Vec<OfferChange> {
    after
        .iter()
        .enumerate()
        .filter(|(i, offer)| before.get(*i) != Some(*offer))
        .map(|(i, offer)| OfferChange {
            offer: offer.clone(),
            was: before.get(i).map(|o| o.state),
        })
        .collect()
}

fn count_offers(state: &AppState, changes: &[OfferChange]) {
    for event in changes.iter().filter_map(OfferChange::event) {
        state.metrics.offers.with_label_values(&[event]).inc();
    }
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
    request_body = BookingRequest,
    responses((status = 201, description = "booked: the booking, and the waitlist entries it ended", body = Object),
        (status = 403, description = "not the call centre (`forbidden`)"),
        (status = 409, description = "`taken` meanwhile, or nothing to book (`no_option`), with `alternatives`; `not_published`: nothing published yet"),
        (status = 422, description = "`invalid_request` as for a search; `does_not_fit`: an option that does not fit the request, or no session of the roster"),
        (status = 503, description = "`storage_failed`: the ledger could not be written; this instance takes no more changes until a restart")))]
pub(super) async fn book(
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
    let confirmation = book_published(&state, id, actor, body.request(), option).await?;
    Ok((StatusCode::CREATED, Json(json!(confirmation))))
}

/// Books a request into the current publication of an instance: `option`, or the best
/// (the core of `POST /bookings`, shared with the web desk). On disk before it returns.
pub(crate) async fn book_published(
    state: &Arc<AppState>,
    id: String,
    actor: String,
    request: PatientRequest,
    option: Option<SessionRef>,
) -> ApiResult<Confirmation> {
    change_ledger(state, id, actor, LedgerOperation::BOOK, move |book| {
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
        Ok((confirmation, touched))
    })
    .await
}

/// Filters for listing bookings.
#[derive(Debug, Deserialize, IntoParams)]
pub(super) struct BookingFilter {
    /// Only this session (`specialist@date:session`; the pattern is
    /// `requests::SESSION_REF_PATTERN`'s).
    #[param(
        pattern = r"^[^@]+@[0-9]{4}-((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31):[^@]+$"
    )]
    session: Option<String>,
    /// Only this patient.
    patient: Option<String>,
}

/// Active bookings (the roster's and the call centre's), of one session or patient.
#[utoipa::path(get, path = "/instances/{id}/bookings", params(("id" = String, Path, description = "instance id"), BookingFilter),
    responses((status = 200, description = "the active bookings, the roster's (`origin` `roster`) and the call centre's", body = [Object]),
        (status = 400, description = "`bad_request`: a `session` that is not `SPECIALIST@YYYY-MM-DD:SESSION`"),
        (status = 403, description = "not the call centre (`forbidden`)"),
        (status = 409, description = "nothing published yet (`not_published`)"),
        (status = 422, description = "`does_not_fit`: the `session` is not one of the roster's bookable sessions")))]
pub(super) async fn list_bookings(
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
        (status = 403, description = "not the call centre (`forbidden`)"),
        (status = 404, description = "no such instance or booking"), (status = 409, description = "`already_cancelled`, or nothing published yet (`not_published`)"),
        (status = 503, description = "`storage_failed`: the ledger could not be written")))]
pub(super) async fn cancel_booking(
    State(state): Shared,
    headers: HeaderMap,
    Path((id, booking)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let actor = authorise(&state, &headers, Access::Book)?;
    let cancellation = cancel_published(&state, id, actor, booking).await?;
    Ok(Json(json!(cancellation)))
}

/// Cancels a booking of the current publication of an instance (the core of `DELETE
/// /bookings/{booking}`, shared with the web desk).
pub(crate) async fn cancel_published(
    state: &Arc<AppState>,
    id: String,
    actor: String,
    booking: String,
) -> ApiResult<Cancellation> {
    change_ledger(state, id, actor, LedgerOperation::CANCEL, move |book| {
        let cancellation = book.cancel(&booking, Utc::now())?;
        let touched = Touched {
            target: booking.clone(),
            bookings: vec![booking.clone()],
            releases: vec![booking],
            ..Touched::default()
        };
        Ok((cancellation, touched))
    })
    .await
}

/// Put a request on the waitlist (it feeds the next solve).
#[utoipa::path(post, path = "/instances/{id}/waitlist", params(("id" = String, Path, description = "instance id")),
    request_body = BookingRequest,
    responses((status = 201, description = "waitlisted, with the reason it cannot be placed now", body = Object),
        (status = 403, description = "not the call centre (`forbidden`)"),
        (status = 409, description = "nothing published yet (`not_published`)"),
        (status = 422, description = "`invalid_request` as for a search"),
        (status = 503, description = "`storage_failed`: the ledger could not be written")))]
pub(super) async fn join_waitlist(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let actor = authorise(&state, &headers, Access::Book)?;
    let body: RequestBody = json_body(&body)?;
    let entry = waitlist_published(&state, id, actor, body.request()).await?;
    Ok((StatusCode::CREATED, Json(json!(entry))))
}

/// Puts a request on the waitlist of the current publication of an instance (the core
/// of `POST /waitlist`, shared with the web desk).
pub(crate) async fn waitlist_published(
    state: &Arc<AppState>,
    id: String,
    actor: String,
    request: PatientRequest,
) -> ApiResult<WaitlistEntry> {
    change_ledger(
        state,
        id,
        actor,
        LedgerOperation::WAITLIST_ADD,
        move |book| {
            let entry = book.join_waitlist(&request, Utc::now())?;
            let touched = Touched {
                target: entry.id.clone(),
                waitlist: vec![entry.id.clone()],
                ..Touched::default()
            };
            Ok((entry, touched))
        },
    )
    .await
}

/// The waiting requests; `?format=toml` gives them as `[[requests]]` for the next solve.
#[utoipa::path(get, path = "/instances/{id}/waitlist", params(("id" = String, Path, description = "instance id"), WaitlistFormat),
    responses((status = 200, description = "the waiting requests: JSON, or with `format=toml` as `[[requests]]` for the next solve",
            content((Vec<Object> = "application/json"), (String = "application/toml"))),
        (status = 403, description = "not the call centre (`forbidden`)"),
        (status = 409, description = "nothing published yet (`not_published`)")))]
pub(super) async fn list_waitlist(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(format): Query<WaitlistFormat>,
) -> ApiResult<Response> {
    authorise(&state, &headers, Access::Book)?;
    let published = state.published(&id)?;
    let guard = published.read().unwrap_or_else(|p| p.into_inner());
    let waiting = guard.book.ledger().waiting();
    Ok(match format.format {
        Some(ListFormat::Toml) => (
            [(header::CONTENT_TYPE, "application/toml")],
            houniao::booking::export_requests(&waiting),
        )
            .into_response(),
        _ => Json(json!(waiting)).into_response(),
    })
}

/// How to list the waitlist.
#[derive(Debug, Deserialize, IntoParams)]
pub(super) struct WaitlistFormat {
    /// `json` (default) or `toml`.
    #[param(inline)]
    format: Option<ListFormat>,
}

/// The waitlist's formats.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub(super) enum ListFormat {
    /// JSON (the default).
    Json,
    /// TOML `[[requests]]`.
    Toml,
}

/// Take a request off the waitlist.
#[utoipa::path(delete, path = "/instances/{id}/waitlist/{entry}",
    params(("id" = String, Path, description = "instance id"), ("entry" = String, Path, description = "waitlist entry id")),
    responses((status = 200, description = "removed", body = Object),
        (status = 403, description = "not the call centre (`forbidden`)"),
        (status = 404, description = "no such instance, or not on the waitlist"),
        (status = 409, description = "nothing published yet (`not_published`)"),
        (status = 503, description = "`storage_failed`: the ledger could not be written")))]
pub(super) async fn leave_waitlist(
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
pub(super) struct ConveneBody {
    /// The board id.
    board: String,
    /// From this date.
    from: NaiveDate,
    /// From this session of that date (default its first).
    session: Option<String>,
    /// How many slots (default 3).
    #[serde(default, deserialize_with = "super::whole::optional")]
    count: Option<usize>,
}

/// Urgent MDT: the earliest slots in which the board can sit, and who would join.
#[utoipa::path(post, path = "/instances/{id}/convene", params(("id" = String, Path, description = "instance id")),
    request_body = ConveneBody,
    responses((status = 200, description = "gatherings and slots passed over", body = Object),
        (status = 403, description = "not the call centre (`forbidden`)"),
        (status = 404, description = "no such instance or board"),
        (status = 409, description = "nothing published yet (`not_published`)"),
        (status = 422, description = "`invalid_request`: an unknown session")))]
pub(super) async fn convene(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    authorise(&state, &headers, Access::Book)?;
    let body: ConveneBody = json_body(&body)?;
    let outcome = convene_published(
        &state,
        &id,
        &body.board,
        body.from,
        body.session.as_deref(),
        body.count.unwrap_or(3),
    )?;
    Ok(Json(json!(outcome)))
}

/// The earliest slots in which a board can sit on the current publication of an
/// instance (the core of `POST /convene`, shared with the web desk).
pub(crate) fn convene_published(
    state: &AppState,
    id: &str,
    board: &str,
    from: NaiveDate,
    session: Option<&str>,
    count: usize,
) -> ApiResult<ConveneOutcome> {
    let published = state.published(id)?;
    let guard = published.read().unwrap_or_else(|p| p.into_inner());
    Ok(guard
        .book
        .convene(board, from, session, ConveneOptions { count })?)
}

/// An error answer: a short machine-readable kind and what happened, for people.
#[derive(Debug, serde::Serialize, ToSchema)]
pub(super) struct ErrorBody {
    /// `not_found`, `offer_closed`, `taken`, `storage_failed`, …
    error: String,
    /// What happened.
    detail: String,
}

/// A session as the booking answers name it.
#[derive(Debug, serde::Serialize, ToSchema)]
pub(super) struct SessionView {
    /// The specialist holding it.
    specialist: String,
    /// The date.
    date: NaiveDate,
    /// The session id (`am`, `pm`).
    session: String,
}

/// A freed place offered to a waitlisted request (docs/booking.md § Offers); the same
/// shape as the offers in a cancellation's answer.
#[derive(Debug, serde::Serialize, ToSchema)]
pub(crate) struct OfferView {
    /// `o-0001`, …
    id: String,
    /// The session whose place is offered.
    #[schema(value_type = SessionView)]
    session: SessionRef,
    /// The waitlist entry it is offered to.
    entry: String,
    /// When it was made.
    #[schema(value_type = String, format = DateTime)]
    offered_at: DateTime<Utc>,
    /// Until when it holds the place.
    #[schema(value_type = String, format = DateTime)]
    expires_at: DateTime<Utc>,
    /// `pending`, `accepted`, `declined`, `expired` or `withdrawn`.
    #[schema(value_type = String)]
    state: OfferState,
    /// When it left `pending`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    closed_at: Option<DateTime<Utc>>,
    /// The booking made when it was accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    booking: Option<String>,
}

impl From<&Offer> for OfferView {
    fn from(offer: &Offer) -> OfferView {
        OfferView {
            id: offer.id.clone(),
            session: offer.session.clone(),
            entry: offer.entry.clone(),
            offered_at: offer.offered_at,
            expires_at: offer.expires_at,
            state: offer.state,
            closed_at: offer.closed_at,
            booking: offer.booking.clone(),
        }
    }
}

/// An offer accepted.
#[derive(Debug, serde::Serialize, ToSchema)]
pub(super) struct AcceptedView {
    /// The offer, now `accepted`.
    offer: OfferView,
    /// The booking made (`b-0001`).
    booking: String,
    /// Places left in the session after it.
    places_left: u32,
    /// Waitlist entries the booking took off the waitlist.
    left_waitlist: Vec<String>,
    /// The patient's later booking in the discipline, cancelled.
    #[serde(skip_serializing_if = "Option::is_none")]
    released: Option<String>,
    /// Offers the released place started (to the next in rank).
    next_offers: Vec<OfferView>,
}

/// An offer declined.
#[derive(Debug, serde::Serialize, ToSchema)]
pub(super) struct DeclinedView {
    /// The offer, now `declined`.
    offer: OfferView,
    /// The offer of the same place to the next in rank, if anyone fits.
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<OfferView>,
}

/// Which offers to list.
#[derive(Debug, Deserialize, IntoParams)]
pub(super) struct OfferFilter {
    /// Only offers in this state; default all.
    #[param(inline)]
    state: Option<OfferStateFilter>,
}

/// An offer's state, as the list's filter names it.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub(super) enum OfferStateFilter {
    /// Holding its place, waiting for an answer.
    Pending,
    /// Taken: booked.
    Accepted,
    /// Refused.
    Declined,
    /// Not answered in time.
    Expired,
    /// Its entry left the waitlist meanwhile.
    Withdrawn,
}

impl From<OfferStateFilter> for OfferState {
    fn from(filter: OfferStateFilter) -> Self {
        match filter {
            OfferStateFilter::Pending => OfferState::Pending,
            OfferStateFilter::Accepted => OfferState::Accepted,
            OfferStateFilter::Declined => OfferState::Declined,
            OfferStateFilter::Expired => OfferState::Expired,
            OfferStateFilter::Withdrawn => OfferState::Withdrawn,
        }
    }
}

/// Offers of freed places to waitlisted requests, oldest first. Offers past their time
/// are expired (and passed on) by the service's ticker within
/// [`OFFER_TICK`](crate::server::OFFER_TICK), or at the next change of the ledger.
#[utoipa::path(get, path = "/instances/{id}/offers", params(("id" = String, Path, description = "instance id"), OfferFilter),
    responses((status = 200, description = "offers, oldest first", body = [OfferView]),
        (status = 400, description = "a state that is not one of the list", body = ErrorBody),
        (status = 401, description = "no or unknown token", body = ErrorBody),
        (status = 403, description = "the token may not book", body = ErrorBody),
        (status = 409, description = "nothing published yet: `not_published`", body = ErrorBody)))]
pub(super) async fn list_offers(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(filter): Query<OfferFilter>,
) -> ApiResult<Json<Vec<OfferView>>> {
    authorise(&state, &headers, Access::Book)?;
    let wanted = filter.state.map(OfferState::from);
    let published = state.published(&id)?;
    let guard = published.read().unwrap_or_else(|p| p.into_inner());
    Ok(Json(
        guard
            .book
            .offers()
            .iter()
            .filter(|o| wanted.is_none_or(|w| o.state == w))
            .map(OfferView::from)
            .collect(),
    ))
}

/// Accept a pending offer: books its place for the waitlisted request and cancels the
/// patient's later booking in the discipline, whose freed place may be offered to the
/// next in rank. On disk before the answer.
#[utoipa::path(post, path = "/instances/{id}/offers/{offer}/accept",
    params(("id" = String, Path, description = "instance id"), ("offer" = String, Path, description = "offer id (o-0001)")),
    responses((status = 200, description = "booked", body = AcceptedView),
        (status = 401, description = "no or unknown token", body = ErrorBody),
        (status = 403, description = "the token may not book", body = ErrorBody),
        (status = 404, description = "no such offer, or its entry left the waitlist: `not_found`", body = ErrorBody),
        (status = 409, description = "the offer is not pending (accepted, declined, expired, withdrawn): `offer_closed`; nothing published: `not_published`; the patient already holds the session: `already_booked`", body = ErrorBody),
        (status = 503, description = "the booking could not be written: `storage_failed`", body = ErrorBody)))]
pub(super) async fn accept_offer(
    State(state): Shared,
    headers: HeaderMap,
    Path((id, offer)): Path<(String, String)>,
) -> ApiResult<Json<AcceptedView>> {
    let actor = authorise(&state, &headers, Access::Book)?;
    let accepted = change_ledger(
        &state,
        id,
        actor,
        LedgerOperation::OFFER_ACCEPT,
        move |book| {
            let accepted = book.accept_offer(&offer, Utc::now())?;
            let booking = accepted.confirmation.booking.id.clone();
            let released = accepted.released.as_ref().map(|r| r.id.clone());
            let touched = Touched {
                target: offer.clone(),
                bookings: std::iter::once(booking.clone())
                    .chain(released.clone())
                    .collect(),
                releases: released.clone().into_iter().collect(),
                waitlist: accepted.confirmation.left_waitlist.clone(),
            };
            let view = AcceptedView {
                offer: OfferView::from(&accepted.offer),
                booking,
                places_left: accepted.confirmation.option.places_left,
                left_waitlist: accepted.confirmation.left_waitlist.clone(),
                released,
                next_offers: accepted
                    .released
                    .iter()
                    .flat_map(|r| r.offers.iter().map(OfferView::from))
                    .collect(),
            };
            Ok((view, touched))
        },
    )
    .await?;
    Ok(Json(accepted))
}

/// Decline a pending offer: its place is offered to the next in rank, if anyone fits.
#[utoipa::path(post, path = "/instances/{id}/offers/{offer}/decline",
    params(("id" = String, Path, description = "instance id"), ("offer" = String, Path, description = "offer id (o-0001)")),
    responses((status = 200, description = "declined, and the next offer", body = DeclinedView),
        (status = 401, description = "no or unknown token", body = ErrorBody),
        (status = 403, description = "the token may not book", body = ErrorBody),
        (status = 404, description = "no such offer: `not_found`", body = ErrorBody),
        (status = 409, description = "the offer is not pending: `offer_closed`; nothing published: `not_published`", body = ErrorBody),
        (status = 503, description = "the change could not be written: `storage_failed`", body = ErrorBody)))]
pub(super) async fn decline_offer(
    State(state): Shared,
    headers: HeaderMap,
    Path((id, offer)): Path<(String, String)>,
) -> ApiResult<Json<DeclinedView>> {
    let actor = authorise(&state, &headers, Access::Book)?;
    let declined = change_ledger(
        &state,
        id,
        actor,
        LedgerOperation::OFFER_DECLINE,
        move |book| {
            let declined = book.decline_offer(&offer, Utc::now())?;
            let view = DeclinedView {
                offer: OfferView::from(&declined.offer),
                next: declined.next.as_ref().map(OfferView::from),
            };
            Ok((
                view,
                Touched {
                    target: offer,
                    ..Touched::default()
                },
            ))
        },
    )
    .await?;
    Ok(Json(declined))
}

/// Expires the offers of an instance's publication whose time has come and passes their
/// places on, written like any change (the service's ticker calls it).
pub(crate) async fn settle_offers(state: &Arc<AppState>, id: String) -> ApiResult<()> {
    change_ledger(
        state,
        id,
        "houniao".into(),
        LedgerOperation::OFFER_SETTLE,
        |book| {
            book.settle_offers(Utc::now());
            Ok(((), Touched::default()))
        },
    )
    .await
}
