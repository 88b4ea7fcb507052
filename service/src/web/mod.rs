//! The web app, served by `houniao serve` under `/app/` (docs/web.md): server-rendered
//! pages (askama templates in `service/templates/`) with htmx for partial updates,
//! every asset compiled in. Signing in takes one of the API's tokens and keeps the
//! same roles; pages and actions are allowed to exactly the roles the API allows.
//!
//! `session` signs in and guards forms against CSRF, `i18n` holds both languages,
//! `assets` the embedded files, `pages` the handlers. The library does the work;
//! nothing here decides a scheduling question.

pub mod assets;
pub mod i18n;
mod pages;
pub mod session;

use std::sync::Arc;

use axum::Router;
use axum::response::Redirect;
use axum::routing::{get, post};

use crate::server::state::AppState;

/// The web app's routes (mounted beside the API by `server::app`).
pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/app/") }))
        .route("/app", get(|| async { Redirect::to("/app/") }))
        .route("/app/", get(pages::home))
        .route("/app/login", get(pages::login_form).post(pages::login))
        .route("/app/logout", post(pages::logout))
        .route("/app/lang/{tag}", get(pages::switch_language))
        .route("/app/desk", get(pages::desk::desk))
        .route("/app/desk/search", post(pages::desk::search))
        .route("/app/desk/book", post(pages::desk::book))
        .route("/app/desk/waitlist", post(pages::desk::waitlist))
        .route("/app/desk/cancel", post(pages::desk::cancel))
        .route("/app/desk/convene", post(pages::desk::convene))
        .route(
            "/app/instances",
            get(pages::instances::list).post(pages::instances::upload),
        )
        .route("/app/instances/{id}", get(pages::instances::show))
        .route("/app/instances/{id}/solve", post(pages::instances::solve))
        .route("/app/solves/{job}", get(pages::solves::show))
        .route("/app/solves/{job}/events", get(pages::solves::events))
        .route("/app/solves/{job}/cancel", post(pages::solves::cancel))
        .route("/app/rosters/{id}/board", get(pages::board::board))
        .route("/app/rosters/{id}/print", get(pages::board::print))
        .route("/app/rosters/{id}/edits", post(pages::board::edit))
        .route(
            "/app/rosters/{id}/edits/preview",
            post(pages::board::preview),
        )
        .route("/app/rosters/{id}/edits/form", get(pages::board::move_form))
        .route("/app/rosters/{id}/publish", post(pages::board::publish))
        .route("/app/rosters/{id}/resolve", post(pages::board::resolve))
        .route(
            "/app/whatif",
            get(pages::whatif::form).post(pages::whatif::run),
        )
        .route("/app/whatif/jobs/{job}", get(pages::whatif_job::show))
        .route("/app/whatif/jobs/{job}/live", get(pages::whatif_job::live))
        .route(
            "/app/whatif/jobs/{job}/cancel",
            post(pages::whatif_job::cancel),
        )
        .route("/app/assets/{version}/{name}", get(assets::serve))
        .route("/docs", get(pages::api_docs))
        .route("/app/{*rest}", get(pages::not_found))
}
