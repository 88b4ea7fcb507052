//! The HTTP API: one handler per route, each documented for the OpenAPI document (the
//! router and the document are built from the same `routes!` lists, so no route can be
//! served undocumented). Handlers authorise, call the library, persist, and shape JSON.
//!
//! One module per job: [`health`] (liveness, metrics), [`instances`], [`pins`],
//! [`solves`], [`rosters`] (upload, read, publish), [`edits`] (checked edits making
//! draft rosters), [`repairs`] (re-planning a publication), [`booking`] (the call
//! centre), [`whatif`], [`audit`], [`calendars`] (feed keys and iCalendar feeds),
//! [`exports`] (spreadsheets, the comparison of two publications). This module
//! holds the router, the OpenAPI document and the helpers every handler uses:
//! [`authorise`] first, then [`json_body`].

mod audit;
pub(crate) mod booking;
mod calendars;
pub(crate) mod edits;
mod examples;
mod exports;
mod health;
pub(crate) mod instances;
pub(crate) mod openapi;
mod pins;
mod repairs;
mod requests;
pub(crate) mod rosters;
pub(crate) mod solves;
mod trips;
mod whatif;
pub(crate) mod whatif_jobs;

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::json;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Access;
use super::error::ApiError;
use super::state::AppState;

/// The state every handler extracts.
type Shared = State<Arc<AppState>>;
/// A handler's result: its answer, or an error response.
type ApiResult<T> = Result<T, ApiError>;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "houniao",
        description = "Scheduling visiting specialists: instances, solves, published rosters, call-centre booking and urgent MDT convening. Every route but /healthz, /openapi.json, /docs and the calendar feeds needs `Authorization: Bearer TOKEN`; errors are JSON `{error, detail}` (`ErrorBody`)."
    ),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The whole document: the routes' own annotations, then the answers common to every
/// route of a kind and the links ([`openapi`]), which need every route in place.
pub fn document(
    router: OpenApiRouter<Arc<AppState>>,
) -> (axum::Router<Arc<AppState>>, utoipa::openapi::OpenApi) {
    use utoipa::Modify;
    let (router, mut openapi) = router.split_for_parts();
    openapi::CommonResponses.modify(&mut openapi);
    openapi::Links.modify(&mut openapi);
    (router, openapi)
}

/// Every route, documented.
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::healthz))
        .routes(routes!(health::metrics))
        .routes(routes!(
            instances::upload_instance,
            instances::list_instances
        ))
        .routes(routes!(instances::get_instance))
        .routes(routes!(pins::get_pins, pins::put_pins))
        .routes(routes!(solves::start_solve))
        .routes(routes!(solves::get_solve, solves::cancel_solve))
        .routes(routes!(rosters::upload_roster))
        .routes(routes!(rosters::get_roster))
        .routes(routes!(rosters::publish_roster))
        .routes(routes!(edits::edit_roster))
        .routes(routes!(booking::search))
        .routes(routes!(booking::book, booking::list_bookings))
        .routes(routes!(booking::cancel_booking))
        .routes(routes!(booking::join_waitlist, booking::list_waitlist))
        .routes(routes!(booking::leave_waitlist))
        .routes(routes!(booking::list_offers))
        .routes(routes!(booking::accept_offer))
        .routes(routes!(booking::decline_offer))
        .routes(routes!(booking::convene))
        .routes(routes!(trips::search_trips))
        .routes(routes!(trips::book_trip))
        .routes(routes!(trips::cancel_trip))
        .routes(routes!(whatif::whatif))
        .routes(routes!(whatif_jobs::start_whatif_job))
        .routes(routes!(
            whatif_jobs::get_whatif_job,
            whatif_jobs::cancel_whatif_job
        ))
        .routes(routes!(repairs::repair))
        .routes(routes!(audit::audit_log))
        .routes(routes!(
            calendars::create_feed_key,
            calendars::list_feed_keys
        ))
        .routes(routes!(calendars::revoke_feed_key))
        .routes(routes!(calendars::specialist_feed))
        .routes(routes!(calendars::site_feed))
        .routes(routes!(calendars::board_feed))
        .routes(routes!(exports::export_roster))
        .routes(routes!(exports::diff_publications))
}

/// The caller's name, if their token admits them to `access` (401/403 otherwise).
fn authorise(state: &AppState, headers: &HeaderMap, access: Access) -> ApiResult<String> {
    state.tokens.authorise(headers, access).map(|c| c.name)
}

/// A JSON object as the request body, read after the caller is authorised (so that a
/// 401/403 never depends on the body); a body that does not fit is a 422 naming the
/// field. Only an object: serde would also read a struct from an array of its fields
/// (`[null, null]`), which the document does not allow.
fn json_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            "the request body must be a JSON object",
        )
        .with(json!({ "problems": [{ "severity": "error", "path": "", "message": "expected a JSON object" }] })));
    }
    json_value(bytes)
}

/// A JSON request body of any shape (a list: `PUT /instances/{id}/pins`), as
/// [`json_body`] reads it.
fn json_value<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut reader).map_err(|error| {
        let path = error.path().to_string();
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            format!("the request body does not fit: {}", error.inner()),
        )
        .with(json!({ "problems": [{ "severity": "error", "path": if path == "." { String::new() } else { path }, "message": error.inner().to_string() }] }))
    })
}

/// A fresh random id: `prefix-` and 12 hex digits.
fn new_id(prefix: &str) -> String {
    let bytes: [u8; 6] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}-{hex}")
}

/// Whole numbers in request bodies, as JSON Schema counts them: `3` and `3.0` alike
/// (the document says `integer`, which admits both; serde alone refuses `3.0`).
pub(crate) mod whole {
    use serde::de::Error;
    use serde::{Deserialize, Deserializer};

    /// A whole number that fits `T`.
    pub fn number<'de, D: Deserializer<'de>, T: TryFrom<u64>>(d: D) -> Result<T, D::Error> {
        let value = serde_json::Number::deserialize(d)?;
        let whole = value.as_u64().or_else(|| {
            value
                .as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= u64::MAX as f64)
                .map(|f| f as u64)
        });
        whole.and_then(|n| T::try_from(n).ok()).ok_or_else(|| {
            D::Error::custom(format!("expected a whole number in range, got {value}"))
        })
    }

    /// An optional whole number (`null` or absent: none).
    pub fn optional<'de, D: Deserializer<'de>, T: TryFrom<u64>>(
        d: D,
    ) -> Result<Option<T>, D::Error> {
        #[derive(Deserialize)]
        struct Whole<T: TryFrom<u64>>(#[serde(deserialize_with = "number")] T);
        Ok(Option::<Whole<T>>::deserialize(d)?.map(|Whole(n)| n))
    }

    #[cfg(test)]
    mod tests {
        #[derive(Debug, serde::Deserialize)]
        struct Body {
            #[serde(deserialize_with = "super::number")]
            priority: u8,
            #[serde(default, deserialize_with = "super::optional")]
            limit: Option<usize>,
        }

        fn read(text: &str) -> Result<Body, String> {
            serde_json::from_str(text).map_err(|e| e.to_string())
        }

        #[test]
        fn whole_numbers_are_read_with_or_without_a_fraction_of_zero() {
            let body = read(r#"{"priority": 3.0, "limit": 10}"#).expect("reads");
            assert_eq!((body.priority, body.limit), (3, Some(10)));
            let body = read(r#"{"priority": 2, "limit": null}"#).expect("reads");
            assert_eq!((body.priority, body.limit), (2, None));
            assert_eq!(read(r#"{"priority": 1}"#).expect("reads").limit, None);
            for bad in [
                r#"{"priority": 2.5}"#,
                r#"{"priority": -1}"#,
                r#"{"priority": 256}"#,
                r#"{"priority": "2"}"#,
                r#"{"priority": 1, "limit": 1e300}"#,
            ] {
                assert!(read(bad).is_err(), "{bad}");
            }
        }
    }
}
