//! The print view (`/app/rosters/{id}/print?view=site|specialist`): the roster on A4
//! pages, one site-week or one specialist-week per page, without buttons.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use houniao::instance::{SiteIx, SpecialistIx};
use serde::Deserialize;

use super::view::{Focus, Grid, Index, Layout};
use super::{open, publication_state};
use crate::server::auth::Access;
use crate::server::state::AppState;
use crate::web::pages::{Chrome, render};

/// The print view's query.
#[derive(Debug, Default, Deserialize)]
pub struct PrintQuery {
    view: Option<String>,
}

/// One printed page.
struct Section {
    heading: String,
    grid: Grid,
}

#[derive(Template)]
#[template(path = "board_print.html")]
struct PrintPage {
    chrome: Chrome,
    instance_name: String,
    state_line: String,
    sections: Vec<Section>,
    board_css: String,
    /// Chips carry no buttons here.
    interactive: bool,
    can_schedule: bool,
    id: String,
}

/// `GET /app/rosters/{id}/print` (Read).
pub async fn print(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<PrintQuery>,
) -> Response {
    let path = format!("/app/rosters/{id}/print");
    let (session, tr, loaded) = match open(&state, &headers, &path, Access::Read, &id) {
        Ok(opened) => opened,
        Err(response) => return response,
    };
    let instance = &*loaded.instance;
    let index = Index::new(instance, &loaded.roster);
    let weeks = 0..instance.calendar.weeks();
    let week_label = |week: u32| {
        let first = instance
            .calendar
            .week_dates(week)
            .next()
            .unwrap_or(instance.calendar.start());
        format!("{} {} · {}", tr.t("board.week"), week + 1, tr.date(first))
    };
    let by_people = query.view.as_deref() == Some("specialist");
    let mut sections = Vec::new();
    if by_people {
        for person in (0..instance.specialists.len()).map(SpecialistIx) {
            for week in weeks.clone() {
                let focus = Focus {
                    layout: Layout::Specialist,
                    site: None,
                    specialist: Some(person),
                    week,
                };
                sections.push(Section {
                    heading: format!(
                        "{} · {}",
                        instance.specialist(person).name,
                        week_label(week)
                    ),
                    grid: index.people_grid(tr, &focus),
                });
            }
        }
    } else {
        for site in (0..instance.sites.len()).map(SiteIx) {
            for week in weeks.clone() {
                sections.push(Section {
                    heading: format!("{} · {}", instance.site(site).name, week_label(week)),
                    grid: index.site_grid(tr, site, week),
                });
            }
        }
    }
    let (state_line, _) = publication_state(&state, tr, &loaded);
    let page = PrintPage {
        chrome: Chrome::new(tr, Some(&session), tr.t("board.print_title"), &path),
        instance_name: instance.name.clone(),
        state_line,
        sections,
        board_css: crate::web::assets::url("board.css"),
        interactive: false,
        can_schedule: false,
        id,
    };
    render(&page, StatusCode::OK)
}
