//! The call-centre agent's desk, `/app/desk`: pick a published instance
//! (`?instance=ID`), search for a patient (a named expert or a discipline, a window,
//! sites in preference order, substitute or not), book an option with one key, or read
//! out why nothing fits and the alternatives and put the request on the waitlist;
//! cancel a booking by id; convene an urgent MDT.
//!
//! Every action is the API's own core (`server::api::booking`: the same search, book,
//! cancel, waitlist and convene functions the JSON routes call), allowed to the same
//! roles (`Access::Book`), and every state change checks the CSRF token. An htmx call
//! (`HX-Request`) gets the outcome alone, to swap in; a plain form post gets the whole
//! page with the outcome in place, so the desk works without script too.

use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use houniao::Instance;
use houniao::booking::{PatientRequest, SessionRef};
use serde::Deserialize;

use super::desk_view::{
    BookedView, CancelledView, ConvenedView, DeskContext, FormValues, Outcome, ProblemView,
    RequestForm, SITE_CHOICES, SearchView, WaitlistedView, expert_id,
};
use super::{Chrome, check_csrf, guard, render};
use crate::server::api::booking as core;
use crate::server::auth::Access;
use crate::server::error::ApiError;
use crate::server::state::AppState;
use crate::web::i18n::Tr;
use crate::web::session::Session;

/// Options a search shows (the API's default).
const LIMIT: usize = 10;

/// The labels of the ordered site choices.
const SITE_KEYS: [&str; SITE_CHOICES] = [
    "desk.site_choice.1",
    "desk.site_choice.2",
    "desk.site_choice.3",
];

/// Where on the page an outcome goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Panel {
    Search,
    Cancel,
    Convene,
}

#[derive(Template)]
#[template(path = "desk.html")]
struct DeskPage {
    chrome: Chrome,
    tr: Tr,
    csrf: String,
    /// Instances with a current publication: (id, version).
    published: Vec<(String, i64)>,
    /// The chosen instance's lists, when one is chosen and published.
    context: Option<DeskContext>,
    /// `?instance=` named one without a publication.
    unknown: Option<String>,
    /// The chosen instance id ("" for none).
    instance: String,
    form: FormValues,
    /// The ordered site choices: (index, field number, label key).
    choices: Vec<(usize, usize, &'static str)>,
    /// The convene form's values: (board, from, session).
    convene: (String, String, String),
    search_outcome: Option<Outcome>,
    cancel_outcome: Option<Outcome>,
    convene_outcome: Option<Outcome>,
}

#[derive(Template)]
#[template(path = "desk_outcome.html")]
struct OutcomeFragment {
    tr: Tr,
    csrf: String,
    instance: String,
    outcome: Outcome,
}

/// The query of `GET /app/desk`.
#[derive(Debug, Default, Deserialize)]
pub struct DeskQuery {
    instance: Option<String>,
}

/// The instances with a current publication, by id.
fn published(state: &AppState) -> Vec<(String, i64)> {
    state
        .published
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .map(|(id, p)| {
            (
                id.clone(),
                p.read().unwrap_or_else(|p| p.into_inner()).version,
            )
        })
        .collect()
}

/// The published instance an action is on (refused when it has no publication), for
/// the names and lists the desk shows.
fn instance_of(state: &AppState, id: &str) -> Result<Arc<Instance>, ApiError> {
    state.published(id)?;
    state.instance(id)
}

/// The lists of a published instance's desk.
fn context_of(state: &AppState, tr: Tr, id: &str) -> Option<DeskContext> {
    let instance = instance_of(state, id).ok()?;
    Some(DeskContext::of(tr, id, &instance))
}

impl DeskPage {
    fn new(
        tr: Tr,
        session: &Session,
        path: &str,
        state: &AppState,
        chosen: Option<&str>,
    ) -> DeskPage {
        let published = published(state);
        let chosen = chosen
            .map(str::to_string)
            .or_else(|| match published.as_slice() {
                [(only, _)] => Some(only.clone()),
                _ => None,
            });
        let context = chosen.as_deref().and_then(|id| context_of(state, tr, id));
        let unknown = chosen.clone().filter(|_| context.is_none());
        let form = context
            .as_ref()
            .map(FormValues::empty)
            .unwrap_or_else(|| FormValues {
                sites: vec![String::new(); SITE_CHOICES],
                ..FormValues::default()
            });
        let convene = (
            String::new(),
            context
                .as_ref()
                .map(|c| c.horizon.0.to_string())
                .unwrap_or_default(),
            String::new(),
        );
        DeskPage {
            chrome: Chrome::new(tr, Some(session), tr.t("desk.title"), path),
            tr,
            csrf: session.csrf.clone(),
            published,
            instance: chosen.unwrap_or_default(),
            context,
            unknown,
            form,
            choices: SITE_KEYS
                .iter()
                .enumerate()
                .map(|(n, key)| (n, n + 1, *key))
                .collect(),
            convene,
            search_outcome: None,
            cancel_outcome: None,
            convene_outcome: None,
        }
    }

    /// The page's path with its instance.
    fn path(instance: &str) -> String {
        format!("/app/desk?instance={}", super::urlencoding(instance))
    }
}

/// `GET /app/desk[?instance=ID]`: the desk (Book role, as the booking API).
pub async fn desk(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(query): Query<DeskQuery>,
) -> Response {
    let path = query
        .instance
        .as_deref()
        .map_or_else(|| "/app/desk".to_string(), DeskPage::path);
    let session = match guard(&state, &headers, &path, Access::Book) {
        Ok(session) => session,
        Err(response) => return response,
    };
    let tr = Tr::of(&headers);
    let page = DeskPage::new(tr, &session, &path, &state, query.instance.as_deref());
    let status = if page.unknown.is_some() {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    };
    render(&page, status)
}

/// The session of a desk action (Book role) with its CSRF token checked.
/// An htmx call without a live session (it expired, or the service restarted) is told
/// to load the sign-in page (`HX-Redirect`) rather than swap it into the desk.
fn admit(state: &AppState, headers: &HeaderMap, csrf: Option<&str>) -> Result<Session, Response> {
    if headers.contains_key("hx-request") && state.sessions.of(headers).is_none() {
        return Err((
            [("hx-redirect", "/app/login?next=/app/desk")],
            StatusCode::OK,
        )
            .into_response());
    }
    let session = guard(state, headers, "/app/desk", Access::Book)?;
    check_csrf(headers, &session, csrf)?;
    Ok(session)
}

/// Answers an action: the outcome alone to htmx (200, so that htmx swaps it in), the
/// whole page with it in its panel to a plain form (with the outcome's status).
#[allow(clippy::too_many_arguments)]
fn answer(
    state: &AppState,
    headers: &HeaderMap,
    session: &Session,
    instance: &str,
    panel: Panel,
    form: Option<FormValues>,
    convene: Option<(String, String, String)>,
    outcome: Outcome,
    status: StatusCode,
) -> Response {
    let tr = Tr::of(headers);
    if headers.contains_key("hx-request") {
        let fragment = OutcomeFragment {
            tr,
            csrf: session.csrf.clone(),
            instance: instance.to_string(),
            outcome,
        };
        return render(&fragment, StatusCode::OK);
    }
    let path = DeskPage::path(instance);
    let mut page = DeskPage::new(tr, session, &path, state, Some(instance));
    if let Some(form) = form {
        page.form = form;
    }
    if let Some(convene) = convene {
        page.convene = convene;
    }
    match panel {
        Panel::Search => page.search_outcome = Some(outcome),
        Panel::Cancel => page.cancel_outcome = Some(outcome),
        Panel::Convene => page.convene_outcome = Some(outcome),
    }
    render(&page, status)
}

/// A refusal as an outcome, with its status.
fn problem(error: &ApiError) -> (Outcome, StatusCode) {
    (Outcome::Problem(ProblemView::of(error)), error.status)
}

/// A refusal of the desk's own (a field the form needs), in the page's language.
fn invalid(tr: Tr, key: &'static str) -> (Outcome, StatusCode) {
    (
        Outcome::Problem(ProblemView {
            title_key: "desk.error.invalid_request",
            detail: tr.t(key).to_string(),
        }),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

/// The patient's request from the form: the expert resolved to an id, the dates read.
fn request_of(
    tr: Tr,
    instance: &Instance,
    form: &RequestForm,
) -> Result<PatientRequest, (Outcome, StatusCode)> {
    let patient = form.patient.trim();
    if patient.is_empty() {
        return Err(invalid(tr, "desk.error.patient_required"));
    }
    let specialist = expert_id(instance, &form.expert);
    let discipline = Some(form.discipline.trim())
        .filter(|d| !d.is_empty())
        .map(str::to_string);
    if specialist.is_none() && discipline.is_none() {
        return Err(invalid(tr, "desk.error.expert_or_discipline"));
    }
    let (Some(earliest), Some(latest)) = (date(&form.earliest), date(&form.latest)) else {
        return Err(invalid(tr, "desk.error.dates"));
    };
    Ok(PatientRequest {
        patient: patient.to_string(),
        specialist,
        discipline,
        sites: form.site_list(),
        earliest,
        latest,
        substitute_ok: form.substitute(),
        priority: 1,
        referred_by: Some(form.referred_by.trim())
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        resource: None,
        resource_kind: None,
    })
}

/// The search of a request, as the desk shows it.
fn search_view(
    state: &AppState,
    tr: Tr,
    instance: &Instance,
    id: &str,
    request: &PatientRequest,
) -> (Outcome, StatusCode) {
    match core::search_published(state, id, request, LIMIT) {
        Ok(result) => (
            Outcome::Search(SearchView::of(tr, instance, id, request, &result)),
            StatusCode::OK,
        ),
        Err(error) => problem(&error),
    }
}

/// `POST /app/desk/search`: ranked options, or why not, the alternatives and the
/// waitlist button.
pub async fn search(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(form): Form<RequestForm>,
) -> Response {
    let session = match admit(&state, &headers, form.csrf.as_deref()) {
        Ok(session) => session,
        Err(response) => return response,
    };
    let tr = Tr::of(&headers);
    let (outcome, status) = match instance_of(&state, &form.instance) {
        Err(error) => problem(&error),
        Ok(instance) => match request_of(tr, &instance, &form) {
            Err(refused) => refused,
            Ok(request) => search_view(&state, tr, &instance, &form.instance, &request),
        },
    };
    let values = FormValues::of(&form);
    answer(
        &state,
        &headers,
        &session,
        &form.instance,
        Panel::Search,
        Some(values),
        None,
        outcome,
        status,
    )
}

/// `POST /app/desk/book`: books the option chosen (or the best) → the confirmation
/// with the booking id; when the place went meanwhile, what can be offered now.
pub async fn book(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(form): Form<RequestForm>,
) -> Response {
    let session = match admit(&state, &headers, form.csrf.as_deref()) {
        Ok(session) => session,
        Err(response) => return response,
    };
    let tr = Tr::of(&headers);
    let (outcome, status) = match instance_of(&state, &form.instance) {
        Err(error) => problem(&error),
        Ok(instance) => match request_of(tr, &instance, &form) {
            Err(refused) => refused,
            Ok(request) => book_request(&state, tr, &instance, &form, &session, request).await,
        },
    };
    answer(
        &state,
        &headers,
        &session,
        &form.instance,
        Panel::Search,
        Some(FormValues::of(&form)),
        None,
        outcome,
        status,
    )
}

async fn book_request(
    state: &Arc<AppState>,
    tr: Tr,
    instance: &Instance,
    form: &RequestForm,
    session: &Session,
    request: PatientRequest,
) -> (Outcome, StatusCode) {
    let option = match form.option.trim() {
        "" => None,
        text => match text.parse::<SessionRef>() {
            Ok(option) => Some(option),
            Err(_) => return invalid(tr, "desk.error.option"),
        },
    };
    let booked = core::book_published(
        state,
        form.instance.clone(),
        session.caller.name.clone(),
        request.clone(),
        option,
    )
    .await;
    match booked {
        Ok(confirmation) => (
            Outcome::Booked(BookedView::of(tr, &confirmation)),
            StatusCode::OK,
        ),
        Err(error) if error.error == "taken" || error.error == "no_option" => {
            // What can be offered now: the search again, after the place went.
            let (outcome, _) = search_view(state, tr, instance, &form.instance, &request);
            let outcome = match outcome {
                Outcome::Search(mut view) => {
                    view.taken = error.error == "taken";
                    Outcome::Search(view)
                }
                other => other,
            };
            (outcome, error.status)
        }
        Err(error) => problem(&error),
    }
}

/// `POST /app/desk/waitlist`: puts the request on the waitlist (it feeds the next
/// solve) → the entry id and the reason recorded.
pub async fn waitlist(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(form): Form<RequestForm>,
) -> Response {
    let session = match admit(&state, &headers, form.csrf.as_deref()) {
        Ok(session) => session,
        Err(response) => return response,
    };
    let tr = Tr::of(&headers);
    let (outcome, status) = match instance_of(&state, &form.instance) {
        Err(error) => problem(&error),
        Ok(instance) => match request_of(tr, &instance, &form) {
            Err(refused) => refused,
            Ok(request) => {
                let joined = core::waitlist_published(
                    &state,
                    form.instance.clone(),
                    session.caller.name.clone(),
                    request,
                )
                .await;
                match joined {
                    Ok(entry) => (
                        Outcome::Waitlisted(WaitlistedView::of(tr, &entry)),
                        StatusCode::OK,
                    ),
                    Err(error) => problem(&error),
                }
            }
        },
    };
    answer(
        &state,
        &headers,
        &session,
        &form.instance,
        Panel::Search,
        Some(FormValues::of(&form)),
        None,
        outcome,
        status,
    )
}

/// The cancel form.
#[derive(Debug, Deserialize)]
pub struct CancelForm {
    csrf: Option<String>,
    #[serde(default)]
    instance: String,
    #[serde(default)]
    booking: String,
}

/// `POST /app/desk/cancel`: cancels a booking by id → the freed session and the
/// waitlisted requests it could serve.
pub async fn cancel(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(form): Form<CancelForm>,
) -> Response {
    let session = match admit(&state, &headers, form.csrf.as_deref()) {
        Ok(session) => session,
        Err(response) => return response,
    };
    let tr = Tr::of(&headers);
    let booking = form.booking.trim().to_string();
    let (outcome, status) = match instance_of(&state, &form.instance) {
        Err(error) => problem(&error),
        Ok(_) if booking.is_empty() => invalid(tr, "desk.error.booking_required"),
        Ok(instance) => {
            let cancelled = core::cancel_published(
                &state,
                form.instance.clone(),
                session.caller.name.clone(),
                booking,
            )
            .await;
            match cancelled {
                Ok(cancellation) => (
                    Outcome::Cancelled(CancelledView::of(tr, &instance, &cancellation)),
                    StatusCode::OK,
                ),
                Err(error) => problem(&error),
            }
        }
    };
    answer(
        &state,
        &headers,
        &session,
        &form.instance,
        Panel::Cancel,
        None,
        None,
        outcome,
        status,
    )
}

/// The urgent-MDT form.
#[derive(Debug, Deserialize)]
pub struct ConveneForm {
    csrf: Option<String>,
    #[serde(default)]
    instance: String,
    #[serde(default)]
    board: String,
    #[serde(default)]
    from: String,
    /// From this session of that date ("" for its first).
    #[serde(default)]
    session: String,
    /// How many slots ("" for 3).
    #[serde(default)]
    count: String,
}

/// `POST /app/desk/convene`: the earliest slots in which the board can sit.
pub async fn convene(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(form): Form<ConveneForm>,
) -> Response {
    let session = match admit(&state, &headers, form.csrf.as_deref()) {
        Ok(session) => session,
        Err(response) => return response,
    };
    let tr = Tr::of(&headers);
    let count = match form.count.trim() {
        "" => Some(3),
        text => text.parse::<usize>().ok().filter(|n| (1..=20).contains(n)),
    };
    let (outcome, status) = match (instance_of(&state, &form.instance), date(&form.from), count) {
        (Err(error), _, _) => problem(&error),
        (Ok(_), None, _) => invalid(tr, "desk.error.from"),
        (Ok(_), _, None) => invalid(tr, "desk.error.count"),
        (Ok(instance), Some(from), Some(count)) => {
            let session = Some(form.session.trim()).filter(|s| !s.is_empty());
            match core::convene_published(&state, &form.instance, &form.board, from, session, count)
            {
                Ok(outcome) => (
                    Outcome::Convened(ConvenedView::of(tr, &instance, &outcome)),
                    StatusCode::OK,
                ),
                Err(error) => problem(&error),
            }
        }
    };
    let values = (form.board.clone(), form.from.clone(), form.session.clone());
    answer(
        &state,
        &headers,
        &session,
        &form.instance,
        Panel::Convene,
        None,
        Some(values),
        outcome,
        status,
    )
}
