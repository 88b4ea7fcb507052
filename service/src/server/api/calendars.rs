//! Calendar feeds and their keys. Calendar apps poll a URL and cannot send a bearer
//! header, so each feed URL carries its own key (`?key=`): made by a scheduler for one
//! specialist, site or board of an instance (one live key per calendar; a new one
//! revokes the old), stored hashed, listed and revoked through the API, audited. A feed
//! answers 404 for a missing, wrong or revoked key alike; the request log names the
//! route template only, never the key.
//!
//! A feed is the instance's current publication as iCalendar ([`houniao::ical`]), with
//! every earlier publication as its history: moved events have a higher SEQUENCE,
//! removed ones come as `STATUS:CANCELLED`. DTSTAMP is the current publication's time.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use houniao::Roster;
use houniao::agenda::{Language, View};
use houniao::ical::{CalendarOptions, calendar};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

use super::requests::FeedKeyTarget;
use super::{ApiResult, Shared, authorise, json_body, new_id};
use crate::server::auth::{self, Access};
use crate::server::error::ApiError;
use crate::server::state::AppState;
use crate::server::store::FeedKeyRow;

/// Whose calendar a key opens: exactly one of the three.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct NewFeedKey {
    /// A specialist id.
    specialist: Option<String>,
    /// A site id.
    site: Option<String>,
    /// An MDT board id.
    board: Option<String>,
}

/// The URL path segment of a view's feeds.
fn plural(kind: &str) -> &'static str {
    match kind {
        "specialist" => "specialists",
        "site" => "sites",
        _ => "boards",
    }
}

/// Make a feed key for one specialist, site or board of an instance (scheduler). The
/// answer holds the key and the feed's path once; only its hash is kept. A calendar
/// that had a key gets a new one and the old stops working.
#[utoipa::path(post, path = "/instances/{id}/feed-keys", params(("id" = String, Path, description = "instance id")),
    request_body(content = FeedKeyTarget, description = "`{\"specialist\": ID}`, `{\"site\": ID}` or `{\"board\": ID}`"),
    responses((status = 201, description = "the key's id, the key and the feed's path", body = FeedKeyCreated),
        (status = 403, description = "not a scheduler (`forbidden`)"),
        (status = 404, description = "no such instance"),
        (status = 422, description = "`invalid_request`: not exactly one of specialist, site, board; or an id the instance does not have")))]
pub(super) async fn create_feed_key(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let actor = authorise(&state, &headers, Access::Schedule)?;
    let asked: NewFeedKey = json_body(&body)?;
    let instance = state.instance(&id)?;
    let view = match (asked.specialist, asked.site, asked.board) {
        (Some(target), None, None) => View::Specialist(target),
        (None, Some(target), None) => View::Site(target),
        (None, None, Some(target)) => View::Board(target),
        _ => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                "name exactly one of specialist, site, board",
            ));
        }
    };
    view.check(&instance).map_err(|error| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_id",
            error.to_string(),
        )
    })?;
    let key = auth::generate();
    let row = FeedKeyRow {
        id: new_id("feed"),
        instance_id: id.clone(),
        kind: view.kind().to_string(),
        target: view.id().to_string(),
        created_at: String::new(),
        created_by: actor,
        revoked_at: None,
    };
    state.store.add_feed_key(&row, &auth::hash(&key))?;
    let path = format!(
        "/calendars/{}/{}.ics?key={key}",
        plural(&row.kind),
        row.target
    );
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "id": row.id,
            "instance_id": id,
            "kind": row.kind,
            "target": row.target,
            "key": key,
            "path": path,
        })),
    ))
}

/// The feed keys of an instance, live and revoked (scheduler); never the keys.
#[utoipa::path(get, path = "/instances/{id}/feed-keys", params(("id" = String, Path, description = "instance id")),
    responses((status = 200, description = "the keys, newest first", body = [FeedKeyRow]),
        (status = 403, description = "not a scheduler (`forbidden`)"),
        (status = 404, description = "no such instance")))]
pub(super) async fn list_feed_keys(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<FeedKeyRow>>> {
    authorise(&state, &headers, Access::Schedule)?;
    state.instance(&id)?;
    Ok(Json(state.store.feed_keys(&id)?))
}

/// Revoke a feed key (scheduler): its feed answers 404 from now on.
#[utoipa::path(delete, path = "/feed-keys/{id}", params(("id" = String, Path, description = "feed key id")),
    responses((status = 200, description = "revoked (or already was: `was_live` false)", body = FeedKeyRevoked,
            example = json!({"id": "fk-3a1b2c4d5e6f", "revoked": true, "was_live": true})),
        (status = 403, description = "not a scheduler (`forbidden`)"),
        (status = 404, description = "no such key")))]
pub(super) async fn revoke_feed_key(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let actor = authorise(&state, &headers, Access::Schedule)?;
    match state.store.revoke_feed_key(&id, &actor)? {
        None => Err(ApiError::not_found("feed key", &id)),
        Some(now) => Ok(Json(json!({ "id": id, "revoked": true, "was_live": now }))),
    }
}

/// The key of a feed URL.
#[derive(Debug, Deserialize, IntoParams)]
pub(super) struct FeedQuery {
    /// The feed key made with `POST /instances/{id}/feed-keys`.
    key: Option<String>,
    /// `zh-CN` or `en` (default: the instance's language); any `zh…` or `en…` tag.
    #[param(pattern = "^([zZ][hH]|[eE][nN])(-.*)?$")]
    lang: Option<String>,
}

/// A specialist's calendar (iCalendar) of the current publication.
#[utoipa::path(get, path = "/calendars/specialists/{file}", security(()),
    params(("file" = String, Path, description = "`SPECIALIST_ID.ics`"), FeedQuery),
    responses((status = 200, description = "the calendar (iCalendar)", body = String, content_type = "text/calendar"),
        (status = 404, description = "no such calendar, or a missing, wrong or revoked key"),
        (status = 422, description = "`invalid_request`: an unknown language")))]
pub(super) async fn specialist_feed(
    State(state): Shared,
    Path(file): Path<String>,
    Query(query): Query<FeedQuery>,
) -> ApiResult<Response> {
    on_a_worker(state, "specialist", file, query).await
}

/// A site's calendar (iCalendar) of the current publication.
#[utoipa::path(get, path = "/calendars/sites/{file}", security(()),
    params(("file" = String, Path, description = "`SITE_ID.ics`"), FeedQuery),
    responses((status = 200, description = "the calendar (iCalendar)", body = String, content_type = "text/calendar"),
        (status = 404, description = "no such calendar, or a missing, wrong or revoked key"),
        (status = 422, description = "`invalid_request`: an unknown language")))]
pub(super) async fn site_feed(
    State(state): Shared,
    Path(file): Path<String>,
    Query(query): Query<FeedQuery>,
) -> ApiResult<Response> {
    on_a_worker(state, "site", file, query).await
}

/// An MDT board's calendar (iCalendar) of the current publication.
#[utoipa::path(get, path = "/calendars/boards/{file}", security(()),
    params(("file" = String, Path, description = "`BOARD_ID.ics`"), FeedQuery),
    responses((status = 200, description = "the calendar (iCalendar)", body = String, content_type = "text/calendar"),
        (status = 404, description = "no such calendar, or a missing, wrong or revoked key"),
        (status = 422, description = "`invalid_request`: an unknown language")))]
pub(super) async fn board_feed(
    State(state): Shared,
    Path(file): Path<String>,
    Query(query): Query<FeedQuery>,
) -> ApiResult<Response> {
    on_a_worker(state, "board", file, query).await
}

/// The feed, written on a blocking worker (it reads and pairs every publication).
async fn on_a_worker(
    state: std::sync::Arc<AppState>,
    kind: &'static str,
    file: String,
    query: FeedQuery,
) -> ApiResult<Response> {
    tokio::task::spawn_blocking(move || feed(&state, kind, &file, &query))
        .await
        .map_err(ApiError::internal)?
}

/// One answer for every way a feed cannot be had, so a key cannot be probed.
fn no_calendar() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such calendar")
}

fn feed(state: &AppState, kind: &str, file: &str, query: &FeedQuery) -> ApiResult<Response> {
    let target = file.strip_suffix(".ics").ok_or_else(no_calendar)?;
    let key = query.key.as_deref().ok_or_else(no_calendar)?;
    let row = state
        .store
        .live_feed_key(&auth::hash(key))?
        .filter(|row| row.kind == kind && row.target == target)
        .ok_or_else(no_calendar)?;
    let instance = state.instance(&row.instance_id)?;
    let publications = state.store.publications(&row.instance_id)?;
    let current = publications.last().ok_or_else(no_calendar)?;
    let mut rosters = Vec::with_capacity(publications.len());
    for publication in &publications {
        let (_, json) = state
            .store
            .roster(&publication.roster_id)?
            .ok_or_else(|| ApiError::internal("a published roster is missing"))?;
        rosters.push(Roster::from_json_str(&json).map_err(ApiError::internal)?);
    }
    let now = rosters.pop().ok_or_else(no_calendar)?;
    let stamp = chrono::DateTime::parse_from_rfc3339(&current.published_at)
        .map_err(ApiError::internal)?
        .with_timezone(&chrono::Utc);
    let mut options = CalendarOptions::for_instance(&instance, stamp);
    options.domain = format!("{}.houniao", row.instance_id);
    if let Some(tag) = &query.lang {
        options.language = Language::parse(tag).ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                format!("unknown language \"{tag}\" (zh-CN or en)"),
            )
        })?;
    }
    let view = match kind {
        "specialist" => View::Specialist(row.target),
        "site" => View::Site(row.target),
        _ => View::Board(row.target),
    };
    let text = calendar(&instance, &view, &now, &rosters, &options)
        .map_err(|error| ApiError::internal(error.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        text,
    )
        .into_response())
}

/// A feed key made: shown once (only its hash is kept).
#[derive(ToSchema)]
#[allow(dead_code)] // a schema only: the handler builds the answer as JSON
pub(super) struct FeedKeyCreated {
    /// The key's id (to revoke it).
    id: String,
    /// The instance.
    instance_id: String,
    /// `specialist`, `site` or `board`.
    kind: String,
    /// The specialist's, site's or board's id.
    target: String,
    /// The key itself.
    key: String,
    /// The feed's path, with the key.
    path: String,
}

/// A feed key revoked.
#[derive(ToSchema)]
#[allow(dead_code)] // a schema only
pub(super) struct FeedKeyRevoked {
    /// The key's id.
    id: String,
    /// `true`.
    revoked: bool,
    /// Whether it was live until now (`false`: it had been revoked before).
    was_live: bool,
}
