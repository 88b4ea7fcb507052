//! The scheduler's roster board (`/app/rosters/{id}/board`): one site-week as rooms ×
//! slots, or people × slots, with the unmet demand and its reasons, the objective by
//! term and the roster's publication state; schedulers pin and unpin entries, drag them
//! (or use the "Move…" form) to preview a checked move, keep it as a draft, publish a
//! draft and start a re-solve. `print` is the same roster on A4 pages.
//!
//! `view` lays the roster out, `edits` holds the actions (through the API's own code:
//! `api::edits::judge`/`store_draft`, `api::rosters::publish`, `api::solves::start_job`),
//! `print` the print view. The library judges every change; nothing here does.

// A refused page is the response itself, as axum handlers return them.
#![allow(clippy::result_large_err)]

mod changes;
mod edits;
mod print;
mod view;

use std::sync::{Arc, Mutex, OnceLock};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use houniao::check::{Rule, Shortfall};
use houniao::instance::SiteIx;
use houniao::instance::raw::RawPin;
use houniao::objective::Term;
use houniao::roster::UnmetKind;
use houniao::{Instance, Roster};
use serde::Deserialize;

use super::{Chrome, guard, message, render};
use crate::server::auth::Access;
use crate::server::state::{AppState, lock};
use crate::server::store::RosterRow;
use crate::web::i18n::{Lang, Tr};
use crate::web::session::Session;

pub use edits::{edit, move_form, preview, publish, resolve};
pub use print::print;
use view::{Focus, Grid, Index, Layout};

/// A stored roster with its instance (with a draft's own pins, when it has them).
struct Loaded {
    id: String,
    cached: Arc<Cached>,
}

impl std::ops::Deref for Loaded {
    type Target = Cached;
    fn deref(&self) -> &Cached {
        &self.cached
    }
}

/// What reading a roster gives, kept for the next request: rosters are never changed
/// once stored (an edit makes a new draft), so only the instance (whose pins may be
/// replaced) is looked up again each time, and a draft's own pins are applied again
/// only when it changed.
struct Cached {
    row: RosterRow,
    roster: Roster,
    /// The instance it was judged against, and the one with the draft's pins.
    base: Arc<Instance>,
    instance: Arc<Instance>,
}

/// Rosters read lately, by id, oldest first.
type Cache = Mutex<Vec<(String, Arc<Cached>)>>;

/// The rosters read lately (a few dozen at most; the board reads the same ones again).
fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(Vec::new()))
}

const CACHED: usize = 32;

/// The session, translator and roster of a board page for a user with `access`; the
/// sign-in redirect, the 403 page or [`load`]'s refusal otherwise.
fn open(
    state: &AppState,
    headers: &HeaderMap,
    path: &str,
    access: Access,
    id: &str,
) -> Result<(Session, Tr, Loaded), Response> {
    let session = guard(state, headers, path, access)?;
    let tr = Tr::of(headers);
    let loaded = load(state, tr, &session, id)?;
    Ok((session, tr, loaded))
}

/// Reads roster `id`; a 404 page when there is none, a 500 page when it cannot be read.
fn load(state: &AppState, tr: Tr, session: &Session, id: &str) -> Result<Loaded, Response> {
    let failed = |status| {
        message(
            tr,
            Some(session),
            status,
            "error.not_found_title",
            if status == StatusCode::NOT_FOUND {
                "board.no_roster"
            } else {
                "board.unreadable"
            },
        )
    };
    let hit = lock(cache())
        .iter()
        .find(|(key, _)| key == id)
        .map(|(_, cached)| cached.clone());
    let base = match hit.as_ref().map(|c| c.row.instance_id.clone()) {
        Some(instance_id) => state.instance(&instance_id).ok(),
        None => None,
    };
    if let (Some(cached), Some(base)) = (&hit, &base)
        && Arc::ptr_eq(&cached.base, base)
    {
        return Ok(Loaded {
            id: id.to_string(),
            cached: cached.clone(),
        });
    }
    let row = match hit.map(|c| c.row.clone()) {
        Some(row) => row,
        None => match state.store.roster_row(id) {
            Ok(Some(row)) => row,
            Ok(None) => return Err(failed(StatusCode::NOT_FOUND)),
            Err(error) => {
                tracing::error!(%error, "reading a roster for the board");
                return Err(failed(StatusCode::INTERNAL_SERVER_ERROR));
            }
        },
    };
    let read = || -> Result<Cached, String> {
        let roster = Roster::from_json_str(&row.roster).map_err(|e| e.to_string())?;
        let base = state
            .instance(&row.instance_id)
            .map_err(|e| e.detail.clone())?;
        let instance = match &row.pins {
            Some(json) => {
                let pins: Vec<RawPin> = serde_json::from_str(json).map_err(|e| e.to_string())?;
                Arc::new(houniao::edits::with_draft_pins(&base, &pins).map_err(|e| e.to_string())?)
            }
            None => base.clone(),
        };
        Ok(Cached {
            row: row.clone(),
            roster,
            base,
            instance,
        })
    };
    match read() {
        Ok(cached) => {
            let cached = Arc::new(cached);
            let mut entries = lock(cache());
            entries.retain(|(key, _)| key != id);
            if entries.len() >= CACHED {
                entries.remove(0);
            }
            entries.push((id.to_string(), cached.clone()));
            Ok(Loaded {
                id: id.to_string(),
                cached,
            })
        }
        Err(error) => {
            tracing::error!(%error, "reading roster {id} for the board");
            Err(failed(StatusCode::INTERNAL_SERVER_ERROR))
        }
    }
}

/// The board's query: `?view=site&site=ID&week=N` or `?view=specialist&specialist=ID&week=N`.
#[derive(Debug, Default, Deserialize)]
pub struct BoardQuery {
    view: Option<String>,
    site: Option<String>,
    specialist: Option<String>,
    week: Option<String>,
    /// A notice after an action (`published`).
    done: Option<String>,
}

impl BoardQuery {
    fn focus(&self, loaded: &Loaded) -> Focus {
        Focus::read(
            &loaded.instance,
            &loaded.roster,
            self.view.as_deref(),
            self.site.as_deref().filter(|s| !s.is_empty()),
            self.specialist.as_deref().filter(|s| !s.is_empty()),
            self.week.as_deref().and_then(|w| w.parse().ok()),
        )
    }
}

/// The query string that shows `focus` again (after an action).
fn back_query(instance: &Instance, focus: &Focus) -> String {
    let mut query = match focus.layout {
        Layout::Site => "view=site".to_string(),
        Layout::Specialist => "view=specialist".to_string(),
    };
    if let Some(site) = focus.site {
        query.push_str(&format!("&site={}", instance.site(site).id));
    }
    if let Some(specialist) = focus.specialist {
        query.push_str(&format!(
            "&specialist={}",
            instance.specialist(specialist).id
        ));
    }
    query.push_str(&format!("&week={}", focus.week));
    query
}

/// An option of a switcher.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// An unmet demand as the board lists it.
struct UnmetRow {
    kind: String,
    ids: String,
    week: String,
    missing: String,
    reason: String,
}

/// One objective term.
struct TermRow {
    name: String,
    value: String,
}

/// A broken hard rule of a draft.
struct ViolationRow {
    rule: String,
    when: String,
    message: String,
}

/// A notice above the board: `good` (done) or not (refused).
struct Notice {
    good: bool,
    text: String,
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    chrome: Chrome,
    id: String,
    instance_id: String,
    instance_name: String,
    /// The publication state, in words.
    state_line: String,
    draft: bool,
    parent: Option<String>,
    own_pins: bool,
    /// Published now (no publish button).
    current: bool,
    can_schedule: bool,
    interactive: bool,
    site_layout: bool,
    sites: Vec<Choice>,
    specialists: Vec<Choice>,
    weeks: Vec<Choice>,
    grid: Grid,
    unmet: Vec<UnmetRow>,
    terms: Vec<TermRow>,
    objective: String,
    violations: Vec<ViolationRow>,
    /// What it changes against the current publication (none when it is that one).
    changes: Option<changes::Changes>,
    notice: Option<Notice>,
    back: String,
    board_css: String,
    board_js: String,
}

/// The catalogue key of a term's name.
fn term_key(term: Term) -> String {
    format!("board.term.{}", term.name())
}

/// The reason of each unmet entry in the page's language: as the roster states it in
/// English; in Chinese, explained again from the instance and roster (the stated
/// reason when the entry names ids the instance does not know).
fn unmet_reasons(tr: Tr, instance: &Instance, roster: &Roster) -> Vec<String> {
    if tr.lang == Lang::En {
        return roster.unmet.iter().map(|u| u.reason.clone()).collect();
    }
    let shortfalls: Vec<Shortfall> = roster
        .unmet
        .iter()
        .map(|u| Shortfall {
            kind: u.kind,
            ids: u.ids.clone(),
            week: u.week,
            missing: u.missing,
        })
        .collect();
    houniao::reasons::explain_all_texts(instance, roster, &shortfalls)
        .iter()
        .zip(&roster.unmet)
        .map(|(text, u)| {
            text.as_ref()
                .map_or_else(|| u.reason.clone(), |t| tr.text(t))
        })
        .collect()
}

/// The catalogue key of a rule's name.
fn rule_key(rule: Rule) -> String {
    let name = serde_json::to_value(rule)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    format!("board.rule.{name}")
}

/// The catalogue key of an unmet kind.
fn unmet_key(kind: UnmetKind) -> String {
    format!("board.unmet.{}", kind.name())
}

/// A number as the board writes it (no trailing zeros).
fn number(value: f64) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    if rounded == rounded.trunc() {
        format!("{rounded:.0}")
    } else {
        format!("{rounded}")
    }
}

/// The publication state of a roster, in words; and whether it is the current one.
fn publication_state(state: &AppState, tr: Tr, loaded: &Loaded) -> (String, bool) {
    let publications = state
        .store
        .publications(&loaded.row.instance_id)
        .unwrap_or_default();
    let current = publications.last();
    let mine = publications.iter().rev().find(|p| p.roster_id == loaded.id);
    match (mine, current) {
        (Some(mine), Some(current)) if mine.version == current.version => (
            format!(
                "{} {} · {} {} · {}",
                tr.t("board.state.published"),
                mine.version,
                tr.t("board.state.by"),
                mine.published_by,
                mine.published_at
            ),
            true,
        ),
        (Some(mine), Some(current)) => (
            format!(
                "{} {} · {} {}",
                tr.t("board.state.superseded"),
                mine.version,
                tr.t("board.state.current_is"),
                current.version
            ),
            false,
        ),
        _ if loaded.row.draft => (tr.t("board.state.draft").to_string(), false),
        _ => (tr.t("board.state.unpublished").to_string(), false),
    }
}

/// The board page of a loaded roster.
fn board_page(
    state: &AppState,
    tr: Tr,
    session: &Session,
    loaded: &Loaded,
    focus: &Focus,
    notice: Option<Notice>,
) -> BoardPage {
    let instance = &*loaded.instance;
    let roster = &loaded.roster;
    let index = Index::new(instance, roster);
    let grid = match (focus.layout, focus.site) {
        (Layout::Site, Some(site)) => index.site_grid(tr, site, focus.week),
        (Layout::Site, None) => index.site_grid(tr, SiteIx(0), focus.week),
        (Layout::Specialist, _) => index.people_grid(tr, focus),
    };
    let sites = instance
        .sites
        .iter()
        .enumerate()
        .map(|(k, s)| Choice {
            value: s.id.clone(),
            label: s.name.clone(),
            selected: focus.site == Some(SiteIx(k)),
        })
        .collect();
    let specialists = instance
        .specialists
        .iter()
        .enumerate()
        .map(|(k, s)| Choice {
            value: s.id.clone(),
            label: s.name.clone(),
            selected: focus.specialist.map(|x| x.0) == Some(k),
        })
        .collect();
    let weeks = (0..instance.calendar.weeks())
        .map(|w| {
            let first = instance
                .calendar
                .week_dates(w)
                .next()
                .unwrap_or(instance.calendar.start());
            Choice {
                value: w.to_string(),
                label: format!("{} {} · {}", tr.t("board.week"), w + 1, tr.date(first)),
                selected: w == focus.week,
            }
        })
        .collect();
    let reasons = unmet_reasons(tr, instance, roster);
    let unmet = roster
        .unmet
        .iter()
        .zip(reasons)
        .map(|(u, reason)| UnmetRow {
            kind: tr.t(&unmet_key(u.kind)).to_string(),
            ids: u.ids.join(", "),
            week: u.week.map(|w| (w + 1).to_string()).unwrap_or_default(),
            missing: u.missing.map(|m| m.to_string()).unwrap_or_default(),
            reason,
        })
        .collect();
    let terms = roster
        .objective_terms
        .iter()
        .map(|(term, value)| TermRow {
            name: tr.t(&term_key(term)).to_string(),
            value: number(value),
        })
        .collect();
    // A draft may break hard rules: they are listed (the checker's words).
    let violations = if loaded.row.draft {
        houniao::check::check(instance, roster)
            .violations
            .into_iter()
            .map(|v| ViolationRow {
                rule: tr.t(&rule_key(v.rule)).to_string(),
                when: match (v.date, v.session.as_deref()) {
                    (Some(date), Some(session)) => tr.slot(date, session),
                    (Some(date), None) => tr.date(date),
                    _ => String::new(),
                },
                message: tr.text(&v.text),
            })
            .collect()
    } else {
        Vec::new()
    };
    let (state_line, current) = publication_state(state, tr, loaded);
    let back = back_query(instance, focus);
    let path = format!("/app/rosters/{}/board?{back}", loaded.id);
    BoardPage {
        chrome: Chrome::new(tr, Some(session), tr.t("board.title"), &path),
        id: loaded.id.clone(),
        instance_id: loaded.row.instance_id.clone(),
        instance_name: instance.name.clone(),
        state_line,
        draft: loaded.row.draft,
        parent: loaded.row.parent_id.clone(),
        own_pins: loaded.row.pins.is_some(),
        current,
        can_schedule: session.admits(Access::Schedule),
        interactive: true,
        site_layout: focus.layout == Layout::Site,
        sites,
        specialists,
        weeks,
        grid,
        unmet,
        terms,
        objective: number(roster.objective),
        violations,
        changes: changes::against_current(state, tr, session, loaded),
        notice,
        back,
        board_css: super::assets::url("board.css"),
        board_js: super::assets::url("board.js"),
    }
}

/// `GET /app/rosters/{id}/board`: the board (Read).
pub async fn board(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<BoardQuery>,
) -> Response {
    let path = format!("/app/rosters/{id}/board");
    let (session, tr, loaded) = match open(&state, &headers, &path, Access::Read, &id) {
        Ok(opened) => opened,
        Err(response) => return response,
    };
    let focus = query.focus(&loaded);
    let notice = match query.done.as_deref() {
        Some("published") => Some(Notice {
            good: true,
            text: tr.t("board.published").to_string(),
        }),
        Some("kept") => Some(Notice {
            good: true,
            text: tr.t("board.kept").to_string(),
        }),
        _ => None,
    };
    let page = board_page(&state, tr, &session, &loaded, &focus, notice);
    render(&page, StatusCode::OK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::{Lang, keys};

    #[test]
    fn every_term_rule_and_unmet_kind_has_a_name_in_both_languages() {
        let mut wanted: Vec<String> = Term::ALL.into_iter().map(term_key).collect();
        wanted.extend(
            [
                Rule::Free,
                Rule::OneThingAtATime,
                Rule::WhereTheyMayBe,
                Rule::Load,
                Rule::Presence,
                Rule::Clinic,
                Rule::Studio,
                Rule::Mdt,
                Rule::Surgery,
                Rule::Booking,
                Rule::References,
                Rule::Pin,
                Rule::Pool,
                Rule::Format,
            ]
            .into_iter()
            .map(rule_key),
        );
        wanted.extend(
            [
                UnmetKind::Request,
                UnmetKind::Surgery,
                UnmetKind::MdtMeeting,
                UnmetKind::StudioSession,
                UnmetKind::ClinicSession,
            ]
            .into_iter()
            .map(unmet_key),
        );
        for lang in [Lang::En, Lang::Zh] {
            let have = keys(lang);
            let missing: Vec<&String> = wanted.iter().filter(|k| !have.contains(k)).collect();
            assert!(missing.is_empty(), "{}: {missing:?}", lang.tag());
        }
    }

    #[test]
    fn numbers_drop_trailing_zeros() {
        assert_eq!(number(60.0), "60");
        assert_eq!(number(57.004), "57");
        assert_eq!(number(-2.5), "-2.5");
    }
}
