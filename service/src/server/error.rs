//! Errors as the API shows them: a status code and a JSON body `{error, detail}` (plus
//! the field problems of a 422, or the alternatives of a 409). Client errors say what
//! is wrong; internal ones are logged and shown without internals.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use houniao::booking::BookingError;
use serde_json::{Value, json};

/// An error response.
#[derive(Debug)]
pub struct ApiError {
    /// The status.
    pub status: StatusCode,
    /// A short machine-readable kind (`not_found`, `taken`, …).
    pub error: &'static str,
    /// What happened, for people.
    pub detail: String,
    /// More, merged into the body (`problems`, `alternatives`).
    pub extra: Option<Value>,
}

impl ApiError {
    /// A plain error.
    pub fn new(status: StatusCode, error: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError {
            status,
            error,
            detail: detail.into(),
            extra: None,
        }
    }

    /// 401.
    pub fn unauthorised(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorised", detail)
    }

    /// 403.
    pub fn forbidden(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    /// 404.
    pub fn not_found(what: &str, id: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no {what} \"{id}\""),
        )
    }

    /// 400.
    pub fn bad_request(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", detail)
    }

    /// 409.
    pub fn conflict(error: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, error, detail)
    }

    /// 500: logged in full, shown without internals.
    pub fn internal(error: impl std::fmt::Display) -> ApiError {
        tracing::error!("internal error: {error}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the service failed; the error is in its log",
        )
    }

    /// With more fields in the body.
    pub fn with(mut self, extra: Value) -> ApiError {
        self.extra = Some(extra);
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({ "error": self.error, "detail": self.detail });
        if let (Some(Value::Object(extra)), Some(object)) = (self.extra, body.as_object_mut()) {
            object.extend(extra);
        }
        (self.status, axum::Json(body)).into_response()
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(error: rusqlite::Error) -> ApiError {
        ApiError::internal(error)
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(error: anyhow::Error) -> ApiError {
        ApiError::internal(error)
    }
}

impl From<BookingError> for ApiError {
    fn from(error: BookingError) -> ApiError {
        let detail = error.to_string();
        match error {
            BookingError::InvalidRequest { problems } | BookingError::MergeInvalid { problems } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", detail)
                    .with(json!({ "problems": problems }))
            }
            BookingError::Taken { alternatives, .. } => {
                ApiError::conflict("taken", detail).with(json!({ "alternatives": alternatives }))
            }
            BookingError::NoOption { result, .. } => {
                ApiError::conflict("no_option", detail).with(json!({ "alternatives": result }))
            }
            BookingError::NoBundle { reasons } => {
                ApiError::conflict("no_bundle", detail).with(json!({ "reasons": reasons }))
            }
            BookingError::AlreadyBooked { .. } => ApiError::conflict("already_booked", detail),
            BookingError::OfferClosed { .. } => ApiError::conflict("offer_closed", detail),
            BookingError::AlreadyCancelled { .. } => {
                ApiError::conflict("already_cancelled", detail)
            }
            BookingError::LedgerDoesNotFit { .. } => {
                ApiError::conflict("ledger_does_not_fit", detail)
            }
            BookingError::DoesNotFit { .. } | BookingError::NotASession { .. } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "does_not_fit", detail)
            }
            BookingError::UnknownBooking { .. }
            | BookingError::UnknownWaitlistEntry { .. }
            | BookingError::UnknownOffer { .. }
            | BookingError::UnknownBoard { .. } => {
                ApiError::new(StatusCode::NOT_FOUND, "not_found", detail)
            }
            BookingError::RosterForOtherInstance { .. }
            | BookingError::InvalidRoster { .. }
            | BookingError::LedgerForOtherInstance { .. } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_roster", detail)
            }
            BookingError::Io { .. } | BookingError::CorruptLedger { .. } => {
                ApiError::internal(detail)
            }
        }
    }
}
