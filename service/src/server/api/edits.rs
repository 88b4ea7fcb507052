//! Checked edits for the roster board (`POST /rosters/{id}/edits`): a list of the
//! library's [`Edit`]s applied to a stored roster by [`houniao::edits::apply_edits`],
//! the result stored as a new **draft** roster (not published, not necessarily valid)
//! with its parent and, when it differs from the instance's, its own pin list, and
//! answered with the checker's verdict and the objective delta by term.
//!
//! The handler is thin: the library applies and judges; this module picks the pins to
//! judge by (the instance's current ones, or a draft's own), stores the draft and
//! shapes the answer. The work runs on a blocking thread and holds no lock bookings
//! wait on (the database's connection only for the read and the write).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use houniao::Roster;
use houniao::diagnostics::{Diagnostic, Severity};
use houniao::edits::{Edit, EditError, EditOutcome, apply_edits, instance_pins, with_draft_pins};
use houniao::instance::raw::RawPin;
use houniao::objective::TermValues;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{ApiResult, Shared, authorise, json_body, new_id};
use crate::server::auth::Access;
use crate::server::error::ApiError;
use crate::server::state::AppState;
use crate::server::store::{NewDraft, RosterRow};

/// The body of `POST /rosters/{id}/edits`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct EditsRequest {
    /// The edits, applied in order, each to the draft as the earlier ones left it:
    /// `{"op": "move", "entry": {"specialist", "date", "session", "activity"?}, "to":
    /// {"date"?, "session"?, "room"?, "specialist"?}}`, `{"op": "swap", "a": entry,
    /// "b": entry}`, `{"op": "add", "assignment": {…}}` (a roster `assignments`
    /// entry), `{"op": "remove", "entry": entry}`, `{"op": "pin", "pin": {…}}` (a
    /// `[[pins]]` entry), `{"op": "unpin", "id": "…"}`.
    #[schema(value_type = Vec<super::requests::EditSchema>)]
    edits: Vec<Edit>,
}

/// One broken hard rule of the draft, as `houniao check` reports it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(super) struct Violation {
    /// The rule (`one_thing_at_a_time`, `mdt`, `pin`, …).
    rule: String,
    /// The date concerned, when there is one.
    date: Option<String>,
    /// The session concerned, when there is one.
    session: Option<String>,
    /// What is wrong, naming the ids involved.
    message: String,
}

/// The answer of `POST /rosters/{id}/edits`: the stored draft and the checker's verdict.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(super) struct EditsAnswer {
    /// The draft's id: read it with `GET /rosters/{id}`, edit it further, publish it.
    roster_id: String,
    /// The roster the edits were applied to.
    parent: String,
    /// The draft breaks no hard rule (it can be published, the ledger permitting).
    valid: bool,
    /// Every hard violation, exactly what `check` reports for the draft against the
    /// instance with the draft's pins.
    #[schema(value_type = Vec<Violation>)]
    violations: Vec<houniao::check::Violation>,
    /// The parent's objective, recomputed.
    objective_before: f64,
    /// The draft's objective.
    objective_after: f64,
    /// `objective_after − objective_before`.
    objective_delta: f64,
    /// The change of each §4 term (weighted), by term name.
    #[schema(value_type = std::collections::BTreeMap<String, f64>)]
    delta: TermValues,
    /// The draft's pin list differs from the instance's current pins: it is stored with
    /// the draft (in `pins`), edits of the draft are judged by it, and publishing the
    /// draft makes it the instance's pins.
    pins_changed: bool,
    /// The draft's own pin list (`[[pins]]` entries, each with its id), when
    /// `pins_changed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pins: Option<Vec<RawPin>>,
    /// The draft roster (PROBLEM.md §6): presence, objective, terms and unmet
    /// recomputed; status `feasible`, or `error` when it breaks a hard rule.
    #[schema(value_type = Object)]
    draft: Roster,
}

/// Apply checked edits to a stored roster (a solve's, an upload's, a repair's or a
/// draft) and store the result as a new draft: not published, kept even when it breaks
/// hard rules, so that the board can show and fix them. The edits are judged with the
/// instance's current pins, or with a draft's own pins when `id` is a draft that has
/// them. Publish a valid draft with `POST /rosters/{id}/publish`.
#[utoipa::path(post, path = "/rosters/{id}/edits", params(("id" = String, Path, description = "roster id (any stored roster of the instance, drafts included)")),
    request_body(content = EditsRequest, description = "the edits, in the library's JSON form (houniao::edits::Edit)",
        example = json!({"edits": [{"op": "move", "entry": {"specialist": "zhao-path", "date": "2026-03-04", "session": "pm"}, "to": {"date": "2026-03-05"}}]})),
    responses((status = 201, description = "the draft, stored (audit `roster.edit`), with the verdict and the objective delta", body = EditsAnswer),
        (status = 403, description = "not a scheduler (`forbidden`)"),
        (status = 404, description = "no such roster"),
        (status = 422, description = "`invalid_request`: the body is not a list of edits (`problems` with the path); `invalid_edit`: an edit cannot be applied (an entry the draft does not have, an unknown id, a date outside the horizon, an unpin of an unknown pin, a pin that does not validate): `kind`, `edit` (its position), `path` (`edits[1].to.room`) and `problems`")))]
pub(super) async fn edit_roster(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<EditsAnswer>)> {
    let actor = authorise(&state, &headers, Access::Schedule)?;
    let request: EditsRequest = json_body(&body)?;
    let worker = state.clone();
    let answer = tokio::task::spawn_blocking(move || edit(&worker, &id, &request.edits, &actor))
        .await
        .map_err(ApiError::internal)??;
    Ok((StatusCode::CREATED, Json(answer)))
}

/// Edits applied to a stored roster and judged by the library, nothing stored: what
/// `POST /rosters/{id}/edits` stores, and what the web board's preview shows.
pub(crate) struct Judged {
    /// The roster edited.
    pub row: RosterRow,
    /// The draft and the checker's verdict.
    pub outcome: EditOutcome,
    /// The draft's pin list differs from the instance's current pins.
    pub pins_changed: bool,
}

/// Applies and judges the edits (with the instance's current pins, or a draft's own).
pub(crate) fn judge(state: &AppState, id: &str, edits: &[Edit]) -> ApiResult<Judged> {
    let row = state
        .store
        .roster_row(id)?
        .ok_or_else(|| ApiError::not_found("roster", id))?;
    let instance = state.instance(&row.instance_id)?;
    // Written by the service: read without the reader's unknown-field and path
    // tracking, which cost more than the edit's check on a large roster.
    let roster: Roster = serde_json::from_str(&row.roster).map_err(ApiError::internal)?;
    // A draft with its own pins is judged by them; any other roster by the instance's.
    let own = match &row.pins {
        Some(json) => {
            let pins: Vec<RawPin> = serde_json::from_str(json).map_err(ApiError::internal)?;
            Some(with_draft_pins(&instance, &pins).map_err(invalid_edit)?)
        }
        None => None,
    };
    let outcome =
        apply_edits(own.as_ref().unwrap_or(&instance), &roster, edits).map_err(invalid_edit)?;
    let pins_changed = outcome.pins != instance_pins(&instance);
    Ok(Judged {
        row,
        outcome,
        pins_changed,
    })
}

/// Stores judged edits of roster `id` as a new draft (audit `roster.edit`): its id.
pub(crate) fn store_draft(
    state: &AppState,
    id: &str,
    edits: usize,
    judged: &Judged,
    actor: &str,
) -> ApiResult<String> {
    let draft_id = new_id("roster");
    let json = serde_json::to_string(&judged.outcome.draft).map_err(ApiError::internal)?;
    let pins = if judged.pins_changed {
        Some(serde_json::to_string(&judged.outcome.pins).map_err(ApiError::internal)?)
    } else {
        None
    };
    let draft = NewDraft {
        id: &draft_id,
        instance_id: &judged.row.instance_id,
        parent: id,
        roster: &json,
        pins: pins.as_deref(),
    };
    let detail = audit_detail(id, edits, &judged.outcome, judged.pins_changed);
    state.store.add_draft(&draft, actor, &detail)?;
    Ok(draft_id)
}

/// Applies and judges the edits, stores the draft: the answer.
fn edit(state: &AppState, id: &str, edits: &[Edit], actor: &str) -> ApiResult<EditsAnswer> {
    let judged = judge(state, id, edits)?;
    let draft_id = store_draft(state, id, edits.len(), &judged, actor)?;
    let Judged {
        outcome,
        pins_changed,
        ..
    } = judged;
    Ok(EditsAnswer {
        roster_id: draft_id,
        parent: id.to_string(),
        valid: outcome.is_valid(),
        violations: outcome.violations,
        objective_before: outcome.objective_before,
        objective_after: outcome.objective_after,
        objective_delta: outcome.objective_delta,
        delta: outcome.delta,
        pins_changed,
        pins: pins_changed.then_some(outcome.pins),
        draft: outcome.draft,
    })
}

/// The `roster.edit` audit line: the parent, how many edits, the verdict.
fn audit_detail(parent: &str, edits: usize, outcome: &EditOutcome, pins_changed: bool) -> String {
    let verdict = if outcome.is_valid() {
        "valid".to_string()
    } else {
        let rules: Vec<String> = outcome
            .broken_rules()
            .iter()
            .map(|rule| json!(rule).as_str().unwrap_or_default().to_string())
            .collect();
        format!("breaks {}", rules.join(", "))
    };
    let pins = if pins_changed { "; own pins" } else { "" };
    format!("{edits} edit(s) on {parent}: {verdict}{pins}")
}

/// 422 `invalid_edit`: what the library's [`EditError`] says, with the position of the
/// edit, the path of the field (`edits[1].to.room`), and the problems by path.
fn invalid_edit(error: EditError) -> ApiError {
    let detail = error.to_string();
    let kind = json!(error)["error"].clone();
    let problem = |edit: usize, field: &str, hint: Option<String>| {
        let path = format!("edits[{edit}].{field}");
        let message = detail
            .strip_prefix(&format!("{path}: "))
            .unwrap_or(&detail)
            .to_string();
        (
            Some(edit),
            path.clone(),
            vec![Diagnostic {
                severity: Severity::Error,
                path,
                message,
                hint,
            }],
        )
    };
    let (edit, path, problems) = match error {
        EditError::UnknownEntry { edit, field, .. }
        | EditError::AmbiguousEntry { edit, field, .. }
        | EditError::OutsideHorizon { edit, field, .. } => problem(edit, &field, None),
        EditError::UnknownId {
            edit, field, hint, ..
        } => problem(edit, &field, hint),
        EditError::UnknownPin { edit, .. } => problem(edit, "id", None),
        EditError::InvalidPin { edit, diagnostics } => {
            let path = diagnostics
                .first()
                .map(|d| d.path.clone())
                .unwrap_or_default();
            (edit, path, diagnostics)
        }
    };
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_edit", detail).with(json!({
        "kind": kind,
        "edit": edit,
        "path": path,
        "problems": problems,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_error_names_its_edit_and_field() {
        let error = EditError::UnknownId {
            edit: 1,
            field: "to.room".into(),
            what: "room".into(),
            id: "c-brest".into(),
            hint: Some("did you mean \"c-breast\"?".into()),
        };
        let api = invalid_edit(error);
        assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(api.error, "invalid_edit");
        let extra = api.extra.expect("extra");
        assert_eq!(extra["kind"], "unknown_id");
        assert_eq!(extra["edit"], 1);
        assert_eq!(extra["path"], "edits[1].to.room");
        assert_eq!(extra["problems"][0]["path"], "edits[1].to.room");
        assert_eq!(
            extra["problems"][0]["message"],
            "unknown room \"c-brest\" (did you mean \"c-breast\"?)"
        );
        assert_eq!(extra["problems"][0]["hint"], "did you mean \"c-breast\"?");
    }

    #[test]
    fn pins_that_do_not_validate_keep_their_own_paths() {
        let error = EditError::InvalidPin {
            edit: Some(2),
            diagnostics: vec![Diagnostic {
                severity: Severity::Error,
                path: "edits[2].pin.specialist".into(),
                message: "unknown specialist \"x\"".into(),
                hint: None,
            }],
        };
        let extra = invalid_edit(error).extra.expect("extra");
        assert_eq!(extra["kind"], "invalid_pin");
        assert_eq!(extra["edit"], 2);
        assert_eq!(extra["path"], "edits[2].pin.specialist");
    }
}
