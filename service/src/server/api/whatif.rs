//! What-if comparisons: the stored instance (with its current pins) and each scenario
//! solved on a solve worker, one result of key figures per case. Scenarios are read
//! here for re-planning too ([`scenario`], [`applied`]).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use houniao::instance::SourceFormat;
use houniao::instance::raw::RawInstance;
use houniao::scenario::{Applied, Scenario};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::{ApiResult, Shared, authorise, json_body};
use crate::server::auth::Access;
use crate::server::error::ApiError;
use crate::server::state::AppState;

/// A what-if comparison.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct WhatIfBody {
    /// Scenarios (docs/whatif.md), as JSON objects with `name`, `seed`, `changes`, or
    /// as the text of a scenario file (TOML or JSON).
    #[schema(value_type = Vec<super::requests::ScenarioSchema>)]
    scenarios: Vec<Value>,
    /// Seconds per solve (default and maximum from the config; 422 beyond).
    #[schema(exclusive_minimum = 0.0)]
    time_limit: Option<f64>,
}

/// What-if: the stored instance and each scenario solved (one at a time on the solve
/// workers), one column of key figures each (docs/kpis.md). Answers when all are solved.
#[utoipa::path(post, path = "/instances/{id}/whatif", params(("id" = String, Path, description = "instance id")),
    request_body = WhatIfBody,
    responses((status = 200, description = "one result per case, the base first: its name, key figures (`kpis`, docs/kpis.md) and how it differs from the base", body = [Object]),
        (status = 403, description = "not a planner (`forbidden`)"),
        (status = 422, description = "`invalid_request`: a body that does not fit or a time limit out of range; `invalid_scenario`: a scenario names unknown ids or leaves an invalid instance (`problems`)")))]
pub(super) async fn whatif(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let actor = authorise(&state, &headers, Access::Plan)?;
    let body: WhatIfBody = json_body(&body)?;
    let cases = cases(&state, &id, &body.scenarios)?;
    let limits = &state.config.solver;
    let time_limit = super::solves::time_limit(&state, body.time_limit)?;
    let _slot = state
        .solve_slots
        .clone()
        .acquire_owned()
        .await
        .map_err(ApiError::internal)?;
    state.store.log(
        &actor,
        "whatif.run",
        &id,
        &format!("{} scenario(s)", cases.len() - 1),
    )?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let options = houniao::whatif::WhatIfOptions {
        jobs: 1,
        cores: if limits.threads > 0 {
            limits.threads as usize
        } else {
            cores
        },
        time_limit,
        gap: 1e-4,
        near_base: false,
    };
    let results = tokio::task::spawn_blocking(move || houniao::whatif::compare(&cases, options))
        .await
        .map_err(ApiError::internal)?;
    let results: Vec<Value> = results
        .into_iter()
        .map(|r| case_json(&r.map_err(|e| e.to_string())))
        .collect();
    Ok(Json(json!(results)))
}

/// The cases of a comparison: the stored instance (with its current pins) as `base`,
/// then each scenario applied to it; 422 `invalid_scenario` naming `scenarios[i]`.
pub(crate) fn cases(
    state: &AppState,
    id: &str,
    scenarios: &[Value],
) -> ApiResult<Vec<houniao::whatif::Case>> {
    let raw = state.source(id)?.raw()?;
    let base = state.instance(id)?;
    let mut cases = vec![houniao::whatif::Case {
        name: "base".into(),
        instance: (*base).clone(),
    }];
    for (i, value) in scenarios.iter().enumerate() {
        let path = format!("scenarios[{i}]");
        let scenario = scenario(value, &path)?;
        let applied = applied(&scenario, &raw, &path)?;
        cases.push(houniao::whatif::Case {
            name: scenario.name,
            instance: applied.instance,
        });
    }
    Ok(cases)
}

/// One case's result as the API answers it: the key figures, status, differences from
/// the base and seconds, or `{error}` when the case has no roster.
pub(crate) fn case_json(result: &Result<houniao::whatif::CaseResult, String>) -> Value {
    match result {
        Ok(result) => json!(result),
        Err(error) => json!({ "error": error }),
    }
}

/// A scenario from a request: a JSON object, or the text of a scenario file (JSON when
/// it starts with `{`, else TOML); 422 `invalid_scenario` naming `path` otherwise.
pub(crate) fn scenario(value: &Value, path: &str) -> ApiResult<Scenario> {
    let read = match value {
        Value::String(text) => {
            let format = if text.trim_start().starts_with('{') {
                SourceFormat::Json
            } else {
                SourceFormat::Toml
            };
            Scenario::from_str_as(text, format).map_err(|e| e.to_string())
        }
        other => serde_json::from_value(other.clone()).map_err(|e| e.to_string()),
    };
    read.map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_scenario",
            format!("{path}: {e}"),
        )
    })
}

/// A scenario applied to an instance's raw form (with its current pins); 422
/// `invalid_scenario` with every problem when it names unknown ids or leaves an
/// invalid instance.
pub(crate) fn applied(scenario: &Scenario, raw: &RawInstance, path: &str) -> ApiResult<Applied> {
    scenario.apply(raw).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_scenario",
            format!("{path} ({}): {e}", scenario.name),
        )
        .with(json!({ "problems": e.problems() }))
    })
}
