//! Signing in and out, and the language switch.

use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{Chrome, check_csrf, render};
use crate::server::state::AppState;
use crate::web::i18n::{Lang, Tr};
use crate::web::session::session_cookie;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    next: String,
    unknown: bool,
    signed_out: bool,
}

/// Query of the sign-in form.
#[derive(Debug, Default, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    signed_out: Option<u8>,
}

/// Only paths of this app are followed after signing in (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with("/app/") && !path.starts_with("//") => path.to_string(),
        _ => "/app/".to_string(),
    }
}

/// `GET /app/login`.
pub async fn login_form(headers: HeaderMap, Query(query): Query<LoginQuery>) -> Response {
    let tr = Tr::of(&headers);
    let page = LoginPage {
        chrome: Chrome::new(tr, None, tr.t("login.title"), "/app/login"),
        next: safe_next(query.next.as_deref()),
        unknown: false,
        signed_out: query.signed_out.is_some(),
    };
    render(&page, StatusCode::OK)
}

/// The sign-in form's fields.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    token: String,
    next: Option<String>,
}

/// `POST /app/login`: a known token starts a session; an unknown one shows the form
/// again with a message (401).
pub async fn login(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let tr = Tr::of(&headers);
    let next = safe_next(form.next.as_deref());
    let Some(caller) = state.tokens.caller(&form.token) else {
        let page = LoginPage {
            chrome: Chrome::new(tr, None, tr.t("login.title"), "/app/login"),
            next,
            unknown: true,
            signed_out: false,
        };
        return render(&page, StatusCode::UNAUTHORIZED);
    };
    let name = caller.name.clone();
    let (id, _) = state.sessions.start(caller);
    if let Err(error) = state.store.log(&name, "web.sign_in", "", "") {
        tracing::warn!(%error, "audit of a sign-in");
    }
    let mut response = Redirect::to(&next).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(Some(&id), &headers));
    response
}

/// The sign-out form's field.
#[derive(Debug, Deserialize)]
pub struct LogoutForm {
    csrf: Option<String>,
}

/// `POST /app/logout`.
pub async fn logout(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(form): Form<LogoutForm>,
) -> Response {
    if let Some(session) = state.sessions.of(&headers) {
        if let Err(response) = check_csrf(&headers, &session, form.csrf.as_deref()) {
            return response;
        }
        state.sessions.end(&headers);
    }
    let mut response = Redirect::to("/app/login?signed_out=1").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(None, &headers));
    response
}

/// Query of the language switch.
#[derive(Debug, Default, Deserialize)]
pub struct BackQuery {
    back: Option<String>,
}

/// `GET /app/lang/{tag}?back=PATH`: remembers the language in a cookie (a preference,
/// not a change of any record) and goes back.
pub async fn switch_language(Path(tag): Path<String>, Query(query): Query<BackQuery>) -> Response {
    let lang = Lang::parse(&tag).unwrap_or(Lang::En);
    let back = match query.back.as_deref() {
        Some(path) if path == "/app/login" => path.to_string(),
        other => safe_next(other),
    };
    let mut response = Redirect::to(&back).into_response();
    if let Ok(cookie) = HeaderValue::from_str(&format!(
        "lang={}; Path=/; SameSite=Strict; Max-Age=31536000",
        lang.tag()
    )) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}
