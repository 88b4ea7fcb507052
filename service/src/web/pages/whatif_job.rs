//! A what-if job's page (`/app/whatif/jobs/{job}`): its progress, polled by htmx every
//! second from a fragment route that stops asking once the job has ended; Cancel; and,
//! as the cases finish, the key figures side by side (the base first, each cell that
//! differs from the base's marked), bar charts of the key figures drawn here as inline
//! SVG, and the table as CSV (`/app/whatif/jobs/{job}.csv`). The job is read and
//! cancelled through the API's own functions.

use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use houniao::solve::SolveStatus;
use houniao::whatif::CaseResult;
use serde::Deserialize;

use super::{Chrome, check_csrf, guard, message, render};
use crate::server::api::whatif_jobs::{self, JobStatus, Outcome, WhatIfJob};
use crate::server::auth::Access;
use crate::server::state::AppState;
use crate::web::i18n::Tr;
use crate::web::session::Session;

/// The labels of [`houniao::kpi::Kpis::rows`], in its order.
const KPI_ROWS: [&str; 17] = [
    "whatif.kpi.served_named",
    "whatif.kpi.served_substitute",
    "whatif.kpi.mean_wait",
    "whatif.kpi.p90_wait",
    "whatif.kpi.surgeries_done",
    "whatif.kpi.surgeries_late",
    "whatif.kpi.mdt_meetings",
    "whatif.kpi.studio_sessions",
    "whatif.kpi.clinic_sessions",
    "whatif.kpi.clinic_short",
    "whatif.kpi.visiting_days",
    "whatif.kpi.visiting_day_cost",
    "whatif.kpi.room_utilisation",
    "whatif.kpi.theatre_utilisation",
    "whatif.kpi.idle_sessions",
    "whatif.kpi.objective",
    "whatif.kpi.gap",
];

/// A case as the page lists it.
struct CaseView {
    name: String,
    /// `whatif.case.*` key of where it stands.
    state: &'static str,
    error: Option<String>,
}

/// One row of the table: its label and one cell per case (value, differs from base).
struct RowView {
    label: String,
    cells: Vec<(String, bool)>,
}

/// One bar of a chart.
struct Bar {
    label: String,
    value: String,
    y: u32,
    width: u32,
    base: bool,
}

/// One chart: its title and bars.
struct Chart {
    title: String,
    height: u32,
    bars: Vec<Bar>,
}

/// Width of the bars' area in a chart.
const BAR_AREA: f64 = 240.0;
/// Height of a bar row.
const ROW: u32 = 34;

/// What the fragment shows of a job.
struct JobView {
    job: String,
    instance: String,
    status_key: &'static str,
    running: bool,
    done: usize,
    total: usize,
    near_base: bool,
    csrf: String,
    cases: Vec<CaseView>,
    names: Vec<String>,
    rows: Vec<RowView>,
    charts: Vec<Chart>,
}

#[derive(Template)]
#[template(path = "whatif_job.html")]
struct JobPage {
    chrome: Chrome,
    tr: Tr,
    view: JobView,
}

#[derive(Template)]
#[template(path = "whatif_live.html")]
struct LiveFragment {
    tr: Tr,
    view: JobView,
}

fn status_key(result: &CaseResult) -> &'static str {
    match result.status {
        SolveStatus::Optimal => "whatif.status.optimal",
        SolveStatus::Feasible { .. } => "whatif.status.feasible",
        SolveStatus::NoSolutionInTime => "whatif.status.greedy",
    }
}

/// Every row of the table, each cell marked when it differs from the base's.
fn rows(tr: Tr, results: &[Option<Outcome>], status: JobStatus) -> Vec<RowView> {
    let empty = |r: &Option<Outcome>| -> String {
        match r {
            None if status == JobStatus::Running => "…".into(),
            None => tr.t("whatif.case.skipped").to_string(),
            Some(Err(_)) => tr.t("whatif.case.failed").to_string(),
            Some(Ok(_)) => String::new(),
        }
    };
    let mut labels: Vec<String> = KPI_ROWS.iter().map(|k| tr.t(k).to_string()).collect();
    labels.extend(
        [
            "whatif.kpi.status",
            "whatif.kpi.assignments_differing",
            "whatif.kpi.bookings_differing",
            "whatif.kpi.seconds",
        ]
        .map(|k| tr.t(k).to_string()),
    );
    // Each case's column of values.
    let columns: Vec<Option<Vec<String>>> = results
        .iter()
        .map(|r| {
            let result = r.as_ref()?.as_ref().ok()?;
            let mut values: Vec<String> = result.kpis.rows().into_iter().map(|(_, v)| v).collect();
            values.push(tr.t(status_key(result)).to_string());
            match result.differs_from_base {
                Some(d) => {
                    values.push(d.assignments.to_string());
                    values.push(d.bookings.to_string());
                }
                None => values.extend(["—".to_string(), "—".to_string()]),
            }
            values.push(format!("{:.1}", result.seconds));
            Some(values)
        })
        .collect();
    let base = columns.first().cloned().flatten();
    labels
        .into_iter()
        .enumerate()
        .map(|(i, label)| RowView {
            label,
            cells: columns
                .iter()
                .zip(results)
                .enumerate()
                .map(|(c, (column, result))| match column {
                    Some(values) => {
                        let value = values.get(i).cloned().unwrap_or_default();
                        // Seconds always differ, and a gap is claimed only by a solve
                        // on its own; counts of differences mark themselves.
                        let differs = c > 0
                            && match i {
                                18 | 19 => value != "0" && value != "—",
                                16 | 20 => false,
                                _ => base
                                    .as_ref()
                                    .is_some_and(|b| b.get(i).is_some_and(|v| *v != value)),
                            };
                        (value, differs)
                    }
                    None => (empty(result), false),
                })
                .collect(),
        })
        .collect()
}

/// The bar charts of the key figures, one bar per solved case.
fn charts(tr: Tr, names: &[String], results: &[Option<Outcome>]) -> Vec<Chart> {
    type Figure = fn(&CaseResult) -> f64;
    let figures: [(&str, Figure, usize); 5] = [
        (
            "whatif.chart.served",
            |r| (r.kpis.served_named + r.kpis.served_substitute) as f64,
            0,
        ),
        ("whatif.chart.mean_wait", |r| r.kpis.mean_wait_days, 2),
        ("whatif.chart.p90_wait", |r| r.kpis.p90_wait_days, 0),
        (
            "whatif.chart.surgeries",
            |r| r.kpis.surgeries_done as f64,
            0,
        ),
        ("whatif.chart.cost", |r| r.kpis.visiting_day_cost, 0),
    ];
    let solved: Vec<(usize, &String, &CaseResult)> = names
        .iter()
        .zip(results)
        .enumerate()
        .filter_map(|(i, (name, r))| Some((i, name, r.as_ref()?.as_ref().ok()?)))
        .collect();
    if solved.is_empty() {
        return Vec::new();
    }
    figures
        .into_iter()
        .map(|(key, figure, digits)| {
            let max = solved
                .iter()
                .map(|(_, _, r)| figure(r))
                .fold(0.0_f64, f64::max);
            let bars = solved
                .iter()
                .enumerate()
                .map(|(row, (i, name, r))| {
                    let value = figure(r);
                    let width = if max > 0.0 {
                        (value / max * BAR_AREA).round()
                    } else {
                        0.0
                    };
                    Bar {
                        label: name.to_string(),
                        value: format!("{value:.digits$}"),
                        y: row as u32 * ROW,
                        width: width.max(if value > 0.0 { 1.0 } else { 0.0 }) as u32,
                        base: *i == 0,
                    }
                })
                .collect::<Vec<_>>();
            Chart {
                title: tr.t(key).to_string(),
                height: bars.len() as u32 * ROW,
                bars,
            }
        })
        .collect()
}

fn view(tr: Tr, session: &Session, id: &str, job: &WhatIfJob) -> JobView {
    let status = job.status();
    job.with_results(|results| JobView {
        job: id.to_string(),
        instance: job.instance.clone(),
        status_key: match status {
            JobStatus::Running => "whatif.job.running",
            JobStatus::Done => "whatif.job.done",
            JobStatus::Cancelled => "whatif.job.cancelled",
        },
        running: status == JobStatus::Running,
        done: results.iter().filter(|r| r.is_some()).count(),
        total: results.len(),
        near_base: job.near_base,
        csrf: session.csrf.clone(),
        cases: job
            .names
            .iter()
            .zip(results)
            .map(|(name, r)| CaseView {
                name: name.clone(),
                state: match r {
                    Some(Ok(_)) => "whatif.case.done",
                    Some(Err(_)) => "whatif.case.failed",
                    None if status == JobStatus::Running => "whatif.case.waiting",
                    None => "whatif.case.skipped",
                },
                error: r.as_ref().and_then(|r| r.as_ref().err().cloned()),
            })
            .collect(),
        names: job.names.clone(),
        rows: if results.iter().any(|r| matches!(r, Some(Ok(_)))) {
            rows(tr, results, status)
        } else {
            Vec::new()
        },
        charts: charts(tr, &job.names, results),
    })
}

/// The job, or the 404 page.
fn find(state: &AppState, tr: Tr, session: &Session, id: &str) -> Result<Arc<WhatIfJob>, Response> {
    state.whatif_jobs.get(id).ok_or_else(|| {
        message(
            tr,
            Some(session),
            StatusCode::NOT_FOUND,
            "whatif.job.unknown_title",
            "whatif.job.unknown",
        )
    })
}

/// `GET /app/whatif/jobs/{job}` (and `{job}.csv`, the table as CSV).
pub async fn show(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let path = format!("/app/whatif/jobs/{id}");
    let session = match guard(&state, &headers, &path, Access::Plan) {
        Ok(session) => session,
        Err(response) => return response,
    };
    let tr = Tr::of(&headers);
    if let Some(id) = id.strip_suffix(".csv") {
        return match find(&state, tr, &session, id) {
            Ok(job) => csv(tr, id, &job),
            Err(response) => response,
        };
    }
    let job = match find(&state, tr, &session, &id) {
        Ok(job) => job,
        Err(response) => return response,
    };
    let page = JobPage {
        chrome: Chrome::new(tr, Some(&session), tr.t("whatif.job.title"), &path),
        tr,
        view: view(tr, &session, &id, &job),
    };
    render(&page, StatusCode::OK)
}

/// `GET /app/whatif/jobs/{job}/live`: the progress and results fragment htmx polls.
pub async fn live(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let path = format!("/app/whatif/jobs/{id}");
    let session = match guard(&state, &headers, &path, Access::Plan) {
        Ok(session) => session,
        Err(response) => return response,
    };
    let tr = Tr::of(&headers);
    let job = match find(&state, tr, &session, &id) {
        Ok(job) => job,
        Err(response) => return response,
    };
    let fragment = LiveFragment {
        tr,
        view: view(tr, &session, &id, &job),
    };
    render(&fragment, StatusCode::OK)
}

/// The cancel form's field.
#[derive(Debug, Deserialize)]
pub struct CancelForm {
    csrf: Option<String>,
}

/// `POST /app/whatif/jobs/{job}/cancel`: stops the job (the API's cancel), back to its
/// page; a job already ended is simply shown.
pub async fn cancel(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<CancelForm>, FormRejection>,
) -> Response {
    let path = format!("/app/whatif/jobs/{id}");
    let session = match guard(&state, &headers, &path, Access::Plan) {
        Ok(session) => session,
        Err(response) => return response,
    };
    let csrf = form.ok().and_then(|Form(f)| f.csrf);
    if let Err(response) = check_csrf(&headers, &session, csrf.as_deref()) {
        return response;
    }
    let tr = Tr::of(&headers);
    if let Err(response) = find(&state, tr, &session, &id) {
        return response;
    }
    match whatif_jobs::cancel(&state, &session.caller.name, &id) {
        Ok(()) => {}
        Err(error) if error.status == StatusCode::CONFLICT => {}
        Err(error) => {
            tracing::error!(detail = %error.detail, "cancelling a what-if job");
            return message(
                tr,
                Some(&session),
                error.status,
                "whatif.failed_title",
                "whatif.failed",
            );
        }
    }
    Redirect::to(&path).into_response()
}

/// The table as CSV: a header row (the label column, then one column per case), then
/// one row per figure, every field quoted.
fn csv(tr: Tr, id: &str, job: &WhatIfJob) -> Response {
    let quote = |text: &str| format!("\"{}\"", text.replace('"', "\"\""));
    let status = job.status();
    let mut out = String::new();
    let mut header = vec![quote(tr.t("whatif.kpi.label"))];
    header.extend(job.names.iter().map(|n| quote(n)));
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    job.with_results(|results| {
        for row in rows(tr, results, status) {
            let mut line = vec![quote(&row.label)];
            line.extend(row.cells.iter().map(|(value, _)| quote(value)));
            out.push_str(&line.join(","));
            out.push_str("\r\n");
        }
    });
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{id}.csv\""))
        .unwrap_or(HeaderValue::from_static("attachment"));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        out,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_for_every_kpi_row() {
        let kpis = houniao::kpi::Kpis {
            requests: 0,
            served_named: 0,
            served_substitute: 0,
            mean_wait_days: 0.0,
            p90_wait_days: 0.0,
            surgeries: 0,
            surgeries_done: 0,
            surgeries_late: 0,
            mdt_meetings_held: 0,
            mdt_meetings_demanded: 0,
            studio_sessions_held: 0,
            studio_sessions_demanded: 0,
            clinic_sessions_held: 0,
            clinic_sessions_demanded: 0,
            clinic_sessions_short: 0,
            visiting_days: 0,
            visiting_day_cost: 0.0,
            room_utilisation: 0.0,
            theatre_utilisation: 0.0,
            idle_visiting_sessions: 0,
            objective: 0.0,
            gap: None,
        };
        assert_eq!(kpis.rows().len(), KPI_ROWS.len());
    }
}
