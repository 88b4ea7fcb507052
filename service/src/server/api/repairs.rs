//! Re-planning a publication ("Dr. Xi cannot come on Wednesday"): the instance with its
//! current pins, changed by an optional scenario, solved near the current publication
//! and its live ledger (`houniao::repair`), with the days before `freeze_until` kept
//! exactly. The repaired roster is stored, not published: a scheduler looks at what
//! moved and whom to call, then publishes it with `/rosters/{id}/publish`.

use std::sync::atomic::AtomicBool;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::NaiveDate;
use houniao::Roster;
use houniao::pins::freeze::FreezeError;
use houniao::repair::{RepairError, RepairOptions, RepairWeights, repair as replan};
use houniao::solve::{SolveError, SolveOptions};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::solves::time_limit;
use super::whatif::{applied, scenario};
use super::{ApiResult, Shared, authorise, json_body, new_id};
use crate::server::auth::Access;
use crate::server::error::ApiError;

/// A re-plan of the current publication.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RepairBody {
    /// What changed: a scenario (docs/whatif.md) as a JSON object, or the text of a
    /// scenario file (TOML or JSON). None: the instance as it is now (its current pins).
    #[schema(value_type = Option<super::requests::ScenarioSchema>)]
    scenario: Option<Value>,
    /// Keep every published entry dated before this date (`YYYY-MM-DD`, within the
    /// horizon) exactly as it is: re-planning never rewrites the past.
    #[schema(value_type = Option<String>, format = Date)]
    freeze_until: Option<NaiveDate>,
    /// Wall-clock seconds for the solve (default and maximum from the config).
    #[schema(exclusive_minimum = 0.0)]
    time_limit: Option<f64>,
    /// Worth of keeping one published assignment (default 30).
    #[schema(minimum = 0.0)]
    keep_assignment: Option<f64>,
    /// Worth of keeping one booking (default 1000).
    #[schema(minimum = 0.0)]
    keep_booking: Option<f64>,
}

/// Re-plan the current publication: a roster for the instance (with its pins, changed
/// by `scenario`) that changes the published one as little as possible and re-books the
/// live ledger; with `freeze_until`, every published entry before that date stays
/// exactly as it is. The roster is stored (not published); the answer lists what moved
/// and which patients must be called.
#[utoipa::path(post, path = "/instances/{id}/repairs", params(("id" = String, Path, description = "instance id")),
    request_body(content = Option<RepairBody>, description = "what changed, the frozen past, limits (all optional; an empty body: none)"),
    responses((status = 201, description = "repaired: `roster_id` (stored, not published), `objective`, `moves`, `calls`", body = Object),
        (status = 403, description = "not a scheduler (`forbidden`)"),
        (status = 404, description = "no such instance"),
        (status = 409, description = "the instance has no published roster (`not_published`)"),
        (status = 422, description = "a bad body or date, a scenario that does not apply (`invalid_scenario` with `problems`), a freeze outside the horizon or a past that no longer fits (`invalid_freeze`), pins that cannot all hold (`pin_conflict` with `conflict`), or no roster at all (`infeasible`, `no_solution_in_time`)")))]
pub(super) async fn repair(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let actor = authorise(&state, &headers, Access::Schedule)?;
    let body: RepairBody = if body.iter().all(u8::is_ascii_whitespace) {
        RepairBody::default()
    } else {
        json_body(&body)?
    };
    let source = state.source(&id)?;
    // The publication and its ledger as they are now; bookings made meanwhile are the
    // call centre's to move when the repaired roster is published.
    let (version, published_id, ledger) = {
        let published = state.published(&id)?;
        let guard = published.read().unwrap_or_else(|p| p.into_inner());
        (
            guard.version,
            guard.roster_id.clone(),
            guard.book.ledger().clone(),
        )
    };
    let time_limit = time_limit(&state, body.time_limit)?;
    let defaults = RepairWeights::default();
    let weights = RepairWeights {
        keep_assignment: weight("keep_assignment", body.keep_assignment)?
            .unwrap_or(defaults.keep_assignment),
        keep_booking: weight("keep_booking", body.keep_booking)?.unwrap_or(defaults.keep_booking),
    };
    let (changed, log) = match &body.scenario {
        Some(value) => {
            let scenario = scenario(value, "scenario")?;
            let applied = applied(&scenario, &source.raw()?, "scenario")?;
            let name = scenario.name;
            (applied.instance, Some((name, applied.log)))
        }
        None => ((*state.instance(&id)?).clone(), None),
    };
    let (_, text) = state
        .store
        .roster(&published_id)?
        .ok_or_else(|| ApiError::internal(format!("published roster {published_id} is gone")))?;
    let published = Roster::from_json_str(&text).map_err(ApiError::internal)?;
    let published_objective = published.objective;
    let plan = RepairOptions {
        weights,
        freeze_until: body.freeze_until,
    };
    let options = SolveOptions {
        time_limit,
        threads: state.config.solver.threads,
        ..SolveOptions::default()
    };
    let _slot = state
        .solve_slots
        .clone()
        .acquire_owned()
        .await
        .map_err(ApiError::internal)?;
    let (outcome, changed) = tokio::task::spawn_blocking(move || {
        let outcome = replan(
            &changed,
            &published,
            Some(&ledger),
            plan,
            options,
            &mut |_| {},
            &AtomicBool::new(false),
        );
        (outcome, changed)
    })
    .await
    .map_err(ApiError::internal)?;
    let outcome = outcome.map_err(repair_error)?;
    let roster = &outcome.report.roster;
    // With a scenario, the roster is for the changed instance: it can be published
    // only if it also holds for the stored one.
    let stored = state.instance(&id)?;
    let valid_for_instance = match &log {
        Some(_) => houniao::check::check(&stored, roster).is_valid(),
        None => houniao::check::check(&changed, roster).is_valid(),
    };
    let roster_id = new_id("roster");
    let json = serde_json::to_string(roster).map_err(ApiError::internal)?;
    let detail = format!(
        "instance {id}, publication {version} ({published_id}); {}; freeze until {}; {} move(s), {} call(s)",
        log.as_ref()
            .map_or("no scenario".to_string(), |(name, _)| format!(
                "scenario \"{name}\""
            )),
        body.freeze_until
            .map_or("none".to_string(), |d| d.to_string()),
        outcome.moves.len(),
        outcome.calls.len()
    );
    state
        .store
        .add_repaired_roster(&roster_id, &id, &json, &actor, &detail)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "roster_id": roster_id,
            "objective": roster.objective,
            "status": outcome.report.status,
            "published": { "version": version, "roster_id": published_id, "objective": published_objective },
            "freeze_until": body.freeze_until,
            "scenario": log.map(|(name, log)| json!({ "name": name, "changes": log })),
            "moves": outcome.moves,
            "calls": outcome.calls,
            "valid_for_instance": valid_for_instance,
        })),
    ))
}

/// A keeping weight, when given: finite and not negative (422 otherwise).
fn weight(name: &str, value: Option<f64>) -> ApiResult<Option<f64>> {
    match value {
        Some(w) if !(w.is_finite() && w >= 0.0) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            format!("{name} must be a number ≥ 0, got {w}"),
        )),
        other => Ok(other),
    }
}

/// Why no repaired roster: the past cannot be frozen, pins cannot all hold, no roster.
fn repair_error(error: RepairError) -> ApiError {
    let detail = error.to_string();
    let unprocessable =
        |kind| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, kind, detail.clone());
    match error {
        RepairError::Freeze(FreezeError::OutsideHorizon { date, start, end }) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_freeze",
            format!("freeze_until {date} is outside the horizon ({start} to {end})"),
        )
        .with(json!({ "problems": [{
            "severity": "error",
            "path": "freeze_until",
            "message": format!("outside the horizon ({start} to {end})"),
        }] })),
        RepairError::Freeze(FreezeError::UnknownId { .. }) => unprocessable("invalid_freeze"),
        RepairError::Solve(SolveError::PinConflict(conflict)) => {
            unprocessable("pin_conflict").with(json!({ "conflict": conflict }))
        }
        RepairError::Solve(SolveError::Infeasible(_)) => unprocessable("infeasible"),
        RepairError::Solve(SolveError::NoSolutionInTime(..)) => {
            unprocessable("no_solution_in_time")
        }
        RepairError::Solve(SolveError::Highs(error)) => ApiError::internal(error),
    }
}
