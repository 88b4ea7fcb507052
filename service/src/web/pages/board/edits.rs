//! The board's actions, each through the API's own code: pin and unpin a chip, keep a
//! move (`api::edits::judge` + `store_draft`, as `POST /rosters/{id}/edits`), preview
//! a move without storing anything (`judge` alone), the keyboard "Move…" form, publish
//! (`api::rosters::publish`) and re-solve (`api::solves::start_job`). All need the
//! Schedule role and the session's CSRF token.

use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use houniao::edits::{Edit, EntryRef, Target};
use houniao::instance::RoomKind;
use houniao::instance::raw::RawPin;
use houniao::objective::Term;
use houniao::roster::{Activity, Assignment, Roster};
use serde::Deserialize;

use super::{
    BoardQuery, Choice, Notice, TermRow, ViolationRow, board_page, load, number, open, rule_key,
    term_key,
};
use crate::server::api::{edits as api_edits, rosters as api_rosters, solves as api_solves};
use crate::server::auth::Access;
use crate::server::error::ApiError;
use crate::server::state::AppState;
use crate::web::i18n::Tr;
use crate::web::pages::{check_csrf, guard, render};
use crate::web::session::Session;

/// The fields of every board action (forms, htmx calls and the drag-and-drop preview).
#[derive(Debug, Default, Deserialize)]
pub struct EditForm {
    csrf: Option<String>,
    /// `pin`, `unpin` or `move`.
    op: Option<String>,
    specialist: Option<String>,
    date: Option<String>,
    session: Option<String>,
    activity: Option<String>,
    /// The pin to remove (`unpin`).
    pin: Option<String>,
    to_date: Option<String>,
    to_session: Option<String>,
    to_room: Option<String>,
    to_specialist: Option<String>,
    /// The board's query to come back to.
    back: Option<String>,
}

fn given(field: &Option<String>) -> Option<String> {
    field
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

impl EditForm {
    /// The board's query to return to (only the characters a board query has).
    fn back(&self) -> String {
        self.back
            .as_deref()
            .unwrap_or("")
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || "=&_-.".contains(*c))
            .collect()
    }

    fn entry(&self) -> Result<EntryRef, String> {
        let specialist = given(&self.specialist).ok_or("specialist")?;
        let date = given(&self.date)
            .and_then(|d| d.parse::<NaiveDate>().ok())
            .ok_or("date")?;
        let session = given(&self.session).ok_or("session")?;
        let activity = match given(&self.activity) {
            Some(name) => Some(parse_activity(&name).ok_or("activity")?),
            None => None,
        };
        Ok(EntryRef {
            specialist,
            date,
            session,
            activity,
        })
    }

    /// The edit the form asks for; `roster` gives a pinned entry its every field.
    fn edit(&self, roster: &Roster) -> Result<Edit, String> {
        match self.op.as_deref() {
            Some("pin") => {
                let entry = self.entry()?;
                let found = roster
                    .assignments
                    .iter()
                    .find(|a| {
                        a.specialist == entry.specialist
                            && a.date == entry.date
                            && a.session == entry.session
                            && entry.activity.is_none_or(|x| x == a.activity)
                    })
                    .ok_or("entry")?;
                Ok(Edit::Pin {
                    pin: Box::new(full_pin(found)),
                })
            }
            Some("unpin") => Ok(Edit::Unpin {
                id: given(&self.pin).ok_or("pin")?,
            }),
            Some("move") => {
                let to_date = match given(&self.to_date) {
                    Some(d) => Some(d.parse::<NaiveDate>().map_err(|_| "to_date")?),
                    None => None,
                };
                Ok(Edit::Move {
                    entry: self.entry()?,
                    to: Target {
                        date: to_date,
                        session: given(&self.to_session),
                        room: given(&self.to_room),
                        specialist: given(&self.to_specialist),
                    },
                })
            }
            _ => Err("op".to_string()),
        }
    }

    /// The hidden fields that send this move again (to keep it).
    fn hidden(&self) -> Vec<(&'static str, String)> {
        let fields = [
            ("op", &self.op),
            ("specialist", &self.specialist),
            ("date", &self.date),
            ("session", &self.session),
            ("activity", &self.activity),
            ("pin", &self.pin),
            ("to_date", &self.to_date),
            ("to_session", &self.to_session),
            ("to_room", &self.to_room),
            ("to_specialist", &self.to_specialist),
        ];
        fields
            .into_iter()
            .filter_map(|(name, value)| given(value).map(|v| (name, v)))
            .chain(std::iter::once(("back", self.back())))
            .collect()
    }
}

fn parse_activity(name: &str) -> Option<Activity> {
    serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
}

/// A pin of every field of an entry (what "Pin" on a chip keeps).
fn full_pin(a: &Assignment) -> RawPin {
    RawPin {
        specialist: Some(a.specialist.clone()),
        date: Some(a.date.to_string()),
        session: Some(a.session.clone()),
        activity: Some(a.activity.name().to_string()),
        site: a.site.clone(),
        room: a.room.clone(),
        discipline: a.discipline.clone(),
        studio: a.studio.clone(),
        role: a.role.map(|r| houniao::pins::role_name(r).to_string()),
        board: a.board.clone(),
        remote: a.remote,
        note: Some("board".to_string()),
        ..RawPin::default()
    }
}

fn is_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request")
}

/// Sends the browser to a page: `HX-Redirect` for htmx, 303 otherwise.
fn go_to(headers: &HeaderMap, to: &str) -> Response {
    if is_htmx(headers) {
        let mut response = StatusCode::OK.into_response();
        if let Ok(value) = HeaderValue::from_str(to) {
            response.headers_mut().insert("hx-redirect", value);
        }
        response
    } else {
        Redirect::to(to).into_response()
    }
}

/// The session of a Schedule action with a valid CSRF token, or the refusal.
fn allowed(
    state: &AppState,
    headers: &HeaderMap,
    path: &str,
    csrf: Option<&str>,
) -> Result<Session, Response> {
    let session = guard(state, headers, path, Access::Schedule)?;
    check_csrf(headers, &session, csrf)?;
    Ok(session)
}

/// The board of roster `id` again, with a notice (a refusal), at `status`.
fn board_with(
    state: &AppState,
    tr: Tr,
    session: &Session,
    id: &str,
    back: &str,
    notice: Notice,
    status: StatusCode,
) -> Response {
    let loaded = match load(state, tr, session, id) {
        Ok(loaded) => loaded,
        Err(response) => return response,
    };
    let query = parse_back(back);
    let focus = query.focus(&loaded);
    render(
        &board_page(state, tr, session, &loaded, &focus, Some(notice)),
        status,
    )
}

/// The board query in a `back` string.
fn parse_back(back: &str) -> BoardQuery {
    let mut query = BoardQuery::default();
    for pair in back.split('&') {
        let Some((key, value)) = pair.split_once('=') else {
            continue;
        };
        let value = Some(value.to_string());
        match key {
            "view" => query.view = value,
            "site" => query.site = value,
            "specialist" => query.specialist = value,
            "week" => query.week = value,
            _ => {}
        }
    }
    query
}

/// The refusal text of an API error.
fn refusal(tr: Tr, heading: &str, error: &ApiError) -> String {
    if error.status.is_server_error() {
        tr.t("board.failed").to_string()
    } else {
        format!("{heading}: {}", error.detail)
    }
}

/// `POST /app/rosters/{id}/edits` (Schedule): pin, unpin or move, stored as a new draft
/// through the API's code; the board moves to the draft.
pub async fn edit(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<EditForm>,
) -> Response {
    let path = format!("/app/rosters/{id}/board");
    let session = match allowed(&state, &headers, &path, form.csrf.as_deref()) {
        Ok(session) => session,
        Err(response) => return response,
    };
    let tr = Tr::of(&headers);
    let loaded = match load(&state, tr, &session, &id) {
        Ok(loaded) => loaded,
        Err(response) => return response,
    };
    let back = form.back();
    let edit = match form.edit(&loaded.roster) {
        Ok(edit) => edit,
        Err(field) => {
            let text = format!("{}: {field}", tr.t("board.bad_form"));
            return refuse(&state, tr, &session, &headers, &id, &back, text);
        }
    };
    let actor = session.caller.name.clone();
    let worker = state.clone();
    let parent = id.clone();
    let stored = tokio::task::spawn_blocking(move || {
        let edits = [edit];
        let judged = api_edits::judge(&worker, &parent, &edits)?;
        api_edits::store_draft(&worker, &parent, edits.len(), &judged, &actor)
    })
    .await
    .map_err(ApiError::internal)
    .and_then(|r| r);
    match stored {
        Ok(draft) => go_to(
            &headers,
            &format!("/app/rosters/{draft}/board?{back}&done=kept"),
        ),
        Err(error) => {
            let text = refusal(tr, tr.t("board.not_applied"), &error);
            refuse(&state, tr, &session, &headers, &id, &back, text)
        }
    }
}

/// A refused action: for htmx a fragment in the preview panel (200, so htmx shows it),
/// otherwise the board with the refusal (422).
fn refuse(
    state: &AppState,
    tr: Tr,
    session: &Session,
    headers: &HeaderMap,
    id: &str,
    back: &str,
    text: String,
) -> Response {
    if is_htmx(headers) {
        let fragment = PreviewFragment {
            tr,
            id: id.to_string(),
            csrf: session.csrf.clone(),
            valid: false,
            error: Some(text),
            described: String::new(),
            violations: Vec::new(),
            delta: Vec::new(),
            objective_delta: String::new(),
            fields: Vec::new(),
        };
        render(&fragment, StatusCode::OK)
    } else {
        board_with(
            state,
            tr,
            session,
            id,
            back,
            Notice { good: false, text },
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    }
}

#[derive(Template)]
#[template(path = "board_preview.html")]
struct PreviewFragment {
    tr: Tr,
    id: String,
    csrf: String,
    valid: bool,
    /// The move could not be applied at all.
    error: Option<String>,
    /// The move in words.
    described: String,
    violations: Vec<ViolationRow>,
    /// The terms that change.
    delta: Vec<TermRow>,
    objective_delta: String,
    /// The hidden fields that keep the move.
    fields: Vec<(&'static str, String)>,
}

/// The move in words: who, from where to where.
fn describe(tr: Tr, form: &EditForm) -> String {
    let slot = |date: &Option<String>, session: &Option<String>| -> String {
        match (
            given(date).and_then(|d| d.parse::<NaiveDate>().ok()),
            given(session),
        ) {
            (Some(date), Some(session)) => tr.slot(date, &session),
            (Some(date), None) => tr.date(date),
            (None, Some(session)) => tr.session(&session).to_string(),
            (None, None) => String::new(),
        }
    };
    let from = slot(&form.date, &form.session);
    let to_date = given(&form.to_date).or_else(|| given(&form.date));
    let to_session = given(&form.to_session).or_else(|| given(&form.session));
    let mut to = slot(&to_date, &to_session);
    if let Some(room) = given(&form.to_room) {
        to.push_str(&format!(" · {room}"));
    }
    if let Some(person) = given(&form.to_specialist) {
        to.push_str(&format!(" · {person}"));
    }
    format!(
        "{} {from} → {to}",
        given(&form.specialist).unwrap_or_default()
    )
}

/// `POST /app/rosters/{id}/edits/preview` (Schedule): the move applied and judged by
/// the library, nothing stored; a fragment with the broken rules (red) or the objective
/// delta by term (green), and "Keep this change".
pub async fn preview(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<EditForm>,
) -> Response {
    let path = format!("/app/rosters/{id}/board");
    let session = match allowed(&state, &headers, &path, form.csrf.as_deref()) {
        Ok(session) => session,
        Err(response) => return response,
    };
    let tr = Tr::of(&headers);
    let mut fragment = PreviewFragment {
        tr,
        id: id.clone(),
        csrf: session.csrf.clone(),
        valid: false,
        error: None,
        described: describe(tr, &form),
        violations: Vec::new(),
        delta: Vec::new(),
        objective_delta: String::new(),
        fields: form.hidden(),
    };
    let edit = match form.op.as_deref() {
        Some("move") => form.edit(&empty()),
        _ => Err("op".to_string()),
    };
    let edit = match edit {
        Ok(edit) => edit,
        Err(field) => {
            fragment.error = Some(format!("{}: {field}", tr.t("board.bad_form")));
            return render(&fragment, StatusCode::OK);
        }
    };
    let worker = state.clone();
    let judged = tokio::task::spawn_blocking(move || api_edits::judge(&worker, &id, &[edit]))
        .await
        .map_err(ApiError::internal)
        .and_then(|r| r);
    match judged {
        Ok(judged) => {
            let outcome = &judged.outcome;
            fragment.valid = outcome.is_valid();
            fragment.violations = outcome
                .violations
                .iter()
                .map(|v| ViolationRow {
                    rule: tr.t(&rule_key(v.rule)).to_string(),
                    when: match (v.date, v.session.as_deref()) {
                        (Some(date), Some(session)) => tr.slot(date, session),
                        (Some(date), None) => tr.date(date),
                        _ => String::new(),
                    },
                    message: tr.text(&v.text),
                })
                .collect();
            fragment.delta = Term::ALL
                .into_iter()
                .filter(|t| outcome.delta[*t].abs() > 1e-9)
                .map(|t| TermRow {
                    name: tr.t(&term_key(t)).to_string(),
                    value: signed(outcome.delta[t]),
                })
                .collect();
            fragment.objective_delta = signed(outcome.objective_delta);
        }
        Err(error) if error.status == StatusCode::NOT_FOUND => {
            fragment.error = Some(tr.t("board.no_roster").to_string());
            fragment.fields.clear();
        }
        Err(error) => {
            fragment.error = Some(refusal(tr, tr.t("board.not_applied"), &error));
            fragment.fields.clear();
        }
    }
    render(&fragment, StatusCode::OK)
}

/// A roster with nothing in it (a move needs no roster to be read from the form).
fn empty() -> Roster {
    Roster {
        instance: String::new(),
        status: houniao::roster::RosterStatus::Feasible,
        objective: 0.0,
        bound: None,
        gap: None,
        seconds: None,
        presence: Vec::new(),
        assignments: Vec::new(),
        surgeries: Vec::new(),
        bookings: Vec::new(),
        resource_bookings: Vec::new(),
        unmet: Vec::new(),
        objective_terms: Default::default(),
    }
}

/// A change with its sign.
fn signed(value: f64) -> String {
    let text = number(value);
    if value > 0.0 && !text.starts_with('-') && text != "0" {
        format!("+{text}")
    } else {
        text
    }
}

/// The entry of the keyboard "Move…" form.
#[derive(Debug, Default, Deserialize)]
pub struct EntryQuery {
    specialist: Option<String>,
    date: Option<String>,
    session: Option<String>,
    activity: Option<String>,
    back: Option<String>,
}

#[derive(Template)]
#[template(path = "board_move.html")]
struct MoveForm {
    tr: Tr,
    id: String,
    csrf: String,
    /// The entry in words.
    described: String,
    fields: Vec<(&'static str, String)>,
    dates: Vec<Choice>,
    sessions: Vec<Choice>,
    rooms: Vec<Choice>,
    specialists: Vec<Choice>,
}

/// `GET /app/rosters/{id}/edits/form` (Schedule): the keyboard alternative to dragging —
/// date, session, room and specialist selects that preview the move like a drop.
pub async fn move_form(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<EntryQuery>,
) -> Response {
    let path = format!("/app/rosters/{id}/board");
    let (session, tr, loaded) = match open(&state, &headers, &path, Access::Schedule, &id) {
        Ok(opened) => opened,
        Err(response) => return response,
    };
    let instance = &*loaded.instance;
    let form = EditForm {
        op: Some("move".into()),
        specialist: query.specialist.clone(),
        date: query.date.clone(),
        session: query.session.clone(),
        activity: query.activity.clone(),
        back: query.back.clone(),
        ..EditForm::default()
    };
    let entry = form.entry().ok().and_then(|entry| {
        loaded.roster.assignments.iter().find(|a| {
            a.specialist == entry.specialist
                && a.date == entry.date
                && a.session == entry.session
                && entry.activity.is_none_or(|x| x == a.activity)
        })
    });
    let Some(entry) = entry else {
        let fragment = PreviewFragment {
            tr,
            id,
            csrf: session.csrf.clone(),
            valid: false,
            error: Some(tr.t("board.no_entry").to_string()),
            described: String::new(),
            violations: Vec::new(),
            delta: Vec::new(),
            objective_delta: String::new(),
            fields: Vec::new(),
        };
        return render(&fragment, StatusCode::OK);
    };
    let kind = match entry.activity {
        Activity::Clinic | Activity::Studio => RoomKind::Clinic,
        Activity::Mdt => RoomKind::Meeting,
        Activity::Surgery => RoomKind::Theatre,
    };
    let current_room = entry.room.clone().or_else(|| {
        loaded
            .roster
            .surgeries
            .iter()
            .find(|s| {
                s.surgeon == entry.specialist && s.date == entry.date && s.session == entry.session
            })
            .map(|s| s.room.clone())
    });
    let calendar = &instance.calendar;
    let dates = calendar
        .open_dates()
        .into_iter()
        .map(|d| Choice {
            value: d.to_string(),
            label: tr.date(d),
            selected: d == entry.date,
        })
        .collect();
    let sessions = calendar
        .sessions()
        .iter()
        .map(|s| Choice {
            value: s.id.clone(),
            label: tr.session(&s.id).to_string(),
            selected: s.id == entry.session,
        })
        .collect();
    let rooms = instance
        .rooms
        .iter()
        .filter(|r| r.kind == kind)
        .map(|r| Choice {
            value: r.id.clone(),
            label: format!("{} · {}", r.id, instance.site(r.site).name),
            selected: current_room.as_deref() == Some(r.id.as_str()),
        })
        .collect();
    let specialists = instance
        .specialists
        .iter()
        .map(|s| Choice {
            value: s.id.clone(),
            label: s.name.clone(),
            selected: s.id == entry.specialist,
        })
        .collect();
    let fields = vec![
        ("op", "move".to_string()),
        ("specialist", entry.specialist.clone()),
        ("date", entry.date.to_string()),
        ("session", entry.session.clone()),
        ("activity", entry.activity.name().to_string()),
        ("back", form.back()),
    ];
    let page = MoveForm {
        tr,
        id,
        csrf: session.csrf.clone(),
        described: format!(
            "{} · {} · {}",
            entry.specialist,
            tr.t(super::view::activity_key(entry.activity)),
            tr.slot(entry.date, &entry.session)
        ),
        fields,
        dates,
        sessions,
        rooms,
        specialists,
    };
    render(&page, StatusCode::OK)
}

/// The fields of publish and re-solve.
#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
    csrf: Option<String>,
    back: Option<String>,
}

impl ActionForm {
    fn back(&self) -> String {
        EditForm {
            back: self.back.clone(),
            ..EditForm::default()
        }
        .back()
    }
}

/// `POST /app/rosters/{id}/publish` (Schedule): publishes through the API's code; a
/// refusal (bookings that no longer fit, broken rules) is shown on the board.
pub async fn publish(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<ActionForm>,
) -> Response {
    let path = format!("/app/rosters/{id}/board");
    let session = match allowed(&state, &headers, &path, form.csrf.as_deref()) {
        Ok(session) => session,
        Err(response) => return response,
    };
    let tr = Tr::of(&headers);
    let back = form.back();
    match api_rosters::publish(&state, &id, &session.caller.name).await {
        Ok(_) => go_to(
            &headers,
            &format!("/app/rosters/{id}/board?{back}&done=published"),
        ),
        Err(error) => {
            let status = if error.status.is_client_error() {
                error.status
            } else {
                StatusCode::INTERNAL_SERVER_ERROR
            };
            let text = refusal(tr, tr.t("board.not_published"), &error);
            board_with(
                &state,
                tr,
                &session,
                &id,
                &back,
                Notice { good: false, text },
                status,
            )
        }
    }
}

/// `POST /app/rosters/{id}/resolve` (Schedule): starts a solve of the roster's instance
/// with its pins (the API's solve start) and goes to the solve's page.
pub async fn resolve(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<ActionForm>,
) -> Response {
    let path = format!("/app/rosters/{id}/board");
    let session = match allowed(&state, &headers, &path, form.csrf.as_deref()) {
        Ok(session) => session,
        Err(response) => return response,
    };
    let tr = Tr::of(&headers);
    let back = form.back();
    let instance_id = match state.store.roster_row(&id) {
        Ok(Some(row)) => row.instance_id,
        Ok(None) | Err(_) => {
            return board_with(
                &state,
                tr,
                &session,
                &id,
                &back,
                Notice {
                    good: false,
                    text: tr.t("board.no_roster").to_string(),
                },
                StatusCode::NOT_FOUND,
            );
        }
    };
    match api_solves::start_job(&state, &instance_id, None, None, &session.caller.name) {
        Ok(job) => go_to(&headers, &format!("/app/solves/{job}")),
        Err(error) => {
            let text = refusal(tr, tr.t("board.not_started"), &error);
            board_with(
                &state,
                tr,
                &session,
                &id,
                &back,
                Notice { good: false, text },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}
