//! Page handlers and what every page shares: the `Chrome` (language, who is signed
//! in, the CSRF token, the navigation of their role), the guard that sends a browser
//! without a session to the sign-in form and answers a page for the wrong role with a
//! 403 page, and the CSRF check of forms.

// A refused page is the response itself (a redirect or a 403 page), as axum handlers
// return them; boxing it would only add noise at every call.
#![allow(clippy::result_large_err)]

pub mod board;
pub mod desk;
mod desk_view;
pub mod instances;
mod sign_in;
pub mod solves;
pub mod whatif;
pub mod whatif_job;

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::assets;
use super::i18n::Tr;
use super::session::Session;
use crate::server::auth::{Access, Role};
use crate::server::state::AppState;

pub use sign_in::{login, login_form, logout, switch_language};

/// The parts of every page around its content.
pub struct Chrome {
    /// The page's language.
    pub tr: Tr,
    /// The signed-in user's name and role key, if any.
    pub user: Option<(String, &'static str)>,
    /// The session's CSRF token ("" without a session).
    pub csrf: String,
    /// The page's title.
    pub title: String,
    /// The page's path (for the language switch and the current link).
    pub path: String,
    /// The pages the user's role may open: (href, label).
    pub nav: Vec<(String, String)>,
}

impl Chrome {
    /// The chrome of a page for a request.
    pub fn new(tr: Tr, session: Option<&Session>, title: &str, path: &str) -> Chrome {
        Chrome {
            tr,
            user: session.map(|s| (s.caller.name.clone(), role_key(s.caller.role))),
            csrf: session.map(|s| s.csrf.clone()).unwrap_or_default(),
            title: title.to_string(),
            path: path.to_string(),
            nav: session.map(|s| navigation(tr, s)).unwrap_or_default(),
        }
    }

    /// The URL of an embedded asset.
    pub fn asset(&self, name: &str) -> String {
        assets::url(name)
    }
}

fn role_key(role: Role) -> &'static str {
    match role {
        Role::Admin => "common.role.admin",
        Role::Scheduler => "common.role.scheduler",
        Role::CallCentre => "common.role.call_centre",
        Role::Planner => "common.role.planner",
        Role::Viewer => "common.role.viewer",
    }
}

/// The pages a session's role may open, in menu order.
fn navigation(tr: Tr, session: &Session) -> Vec<(String, String)> {
    let mut nav = Vec::new();
    let mut link =
        |href: &str, key: &'static str| nav.push((href.to_string(), tr.t(key).to_string()));
    if session.admits(Access::Read) {
        link("/app/instances", "instances.nav");
    }
    if session.admits(Access::Book) {
        link("/app/desk", "desk.nav");
    }
    if session.admits(Access::Plan) {
        link("/app/whatif", "whatif.nav");
    }
    nav
}

/// Renders a template into a response (a template error is a 500 page, never a panic).
pub fn render(template: &impl Template, status: StatusCode) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, "rendering a page");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be rendered",
            )
                .into_response()
        }
    }
}

/// A page with a title and one sentence (403, 404, CSRF refusals).
#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    chrome: Chrome,
    text: String,
}

/// A message page.
pub fn message(
    tr: Tr,
    session: Option<&Session>,
    status: StatusCode,
    title_key: &str,
    text_key: &str,
) -> Response {
    let page = MessagePage {
        chrome: Chrome::new(tr, session, tr.t(title_key), ""),
        text: tr.t(text_key).to_string(),
    };
    render(&page, status)
}

/// The session of a page request, or the response that sends the browser to sign in
/// (or, for a signed-in user of the wrong role, the 403 page).
pub fn guard(
    state: &AppState,
    headers: &HeaderMap,
    path: &str,
    access: Access,
) -> Result<Session, Response> {
    let tr = Tr::of(headers);
    let Some(session) = state.sessions.of(headers) else {
        let next = urlencoding(path);
        return Err(Redirect::to(&format!("/app/login?next={next}")).into_response());
    };
    if !session.admits(access) {
        return Err(message(
            tr,
            Some(&session),
            StatusCode::FORBIDDEN,
            "error.forbidden_title",
            "error.forbidden",
        ));
    }
    Ok(session)
}

/// Refuses a state-changing request without the session's CSRF token (header
/// `X-CSRF-Token` for htmx, the `csrf` field for forms).
pub fn check_csrf(
    headers: &HeaderMap,
    session: &Session,
    form_field: Option<&str>,
) -> Result<(), Response> {
    let header = headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
    if session.csrf_ok(header.or(form_field)) {
        Ok(())
    } else {
        Err(message(
            Tr::of(headers),
            Some(session),
            StatusCode::FORBIDDEN,
            "error.csrf_title",
            "error.csrf",
        ))
    }
}

/// Percent-encodes a path for a query string.
fn urlencoding(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
}

/// `GET /app/`: the pages of the user's role.
pub async fn home(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let session = match guard(&state, &headers, "/app/", Access::Read) {
        Ok(session) => session,
        Err(response) => return response,
    };
    let tr = Tr::of(&headers);
    let page = HomePage {
        chrome: Chrome::new(tr, Some(&session), tr.t("home.title"), "/app/"),
    };
    render(&page, StatusCode::OK)
}

#[derive(Template)]
#[template(path = "docs.html")]
struct DocsPage {
    swagger_css: String,
    swagger_js: String,
    docs_js: String,
}

/// `GET /docs`: Swagger UI on `/openapi.json`, every file served from here.
pub async fn api_docs() -> Response {
    let page = DocsPage {
        swagger_css: assets::url("swagger-ui.css"),
        swagger_js: assets::url("swagger-ui-bundle.js"),
        docs_js: assets::url("docs.js"),
    };
    render(&page, StatusCode::OK)
}

/// Any other path under `/app/`: a 404 page.
pub async fn not_found(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let session = state.sessions.of(&headers);
    message(
        Tr::of(&headers),
        session.as_ref(),
        StatusCode::NOT_FOUND,
        "error.not_found_title",
        "error.not_found",
    )
}
