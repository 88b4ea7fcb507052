//! An instance's pins (docs/format.md § Pins): read, and replaced as a whole. The pins
//! written in the uploaded file are the instance's first pins; a replacement is
//! validated with the instance exactly as the file's `[[pins]]` would be (every
//! problem with its field path, `pins[3].room`), stored, and swapped into the parsed
//! instance, so that every later solve and repair holds it.
//!
//! [`Replacement`] is that path (validate, then store, then swap) for the other route
//! that replaces pins: publishing a draft roster that carries its own pin list.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use houniao::Instance;
use houniao::diagnostics::{Diagnostic, Severity};
use houniao::instance::raw::RawPin;
use houniao::pins::PinRef;
use serde_json::{Value, json};

use super::requests::PinEntry;
use super::{ApiResult, Shared, authorise, json_value};
use crate::server::auth::Access;
use crate::server::error::ApiError;
use crate::server::state::{AppState, lock};
use crate::server::store::PinsRow;

/// The instance's pins: each `[[pins]]` entry (JSON) with its id filled in (its own, or
/// its position), where they come from (`file` or `api`), and who set them.
#[utoipa::path(get, path = "/instances/{id}/pins", params(("id" = String, Path, description = "instance id")),
    responses((status = 200, description = "`pins`: the entries, each with its `id`; `source`: `file` (as uploaded) or `api` (set with PUT, with `updated_at` and `updated_by`)", body = Object),
        (status = 404, description = "no such instance")))]
pub(super) async fn get_pins(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    authorise(&state, &headers, Access::Read)?;
    let source = state.source(&id)?;
    Ok(Json(listing(&id, source.raw()?.pins, source.pins.as_ref())))
}

/// The pins as GET shows them: each with its id filled in.
fn listing(id: &str, pins: Vec<RawPin>, row: Option<&PinsRow>) -> Value {
    let pins: Vec<RawPin> = pins
        .into_iter()
        .enumerate()
        .map(|(i, mut pin)| {
            pin.id.get_or_insert_with(|| i.to_string());
            pin
        })
        .collect();
    let mut answer = json!({
        "instance": id,
        "source": if row.is_some() { "api" } else { "file" },
        "pins": pins,
    });
    if let Some(row) = row {
        answer["updated_at"] = json!(row.updated_at);
        answer["updated_by"] = json!(row.updated_by);
    }
    answer
}

/// Replace the instance's pins: the body is the whole new list of `[[pins]]` entries
/// (JSON; `[]` removes them all). They are validated with the instance (422
/// `invalid_pins`, every problem with its path `pins[i].field`), stored, and hold for
/// every later solve and repair. Whether they can all hold together is found by the
/// next solve (a failed job with `error: "pin_conflict"`).
#[utoipa::path(put, path = "/instances/{id}/pins", params(("id" = String, Path, description = "instance id")),
    request_body(content = Vec<PinEntry>, description = "the new `[[pins]]` entries (docs/format.md § Pins): any subset of one roster entry's fields, with `id`, `note`, `forbid`"),
    responses((status = 200, description = "stored: the pins as GET shows them, what was `added` and `removed` (each with its id and pattern), and the pins' `warnings`", body = Object),
        (status = 403, description = "not a scheduler (`forbidden`)"),
        (status = 404, description = "no such instance"),
        (status = 422, description = "`invalid_pins`: entries that name what the instance does not have, or nothing a roster entry can hold; `problems` lists every one with its field path")))]
pub(super) async fn put_pins(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let actor = authorise(&state, &headers, Access::Schedule)?;
    let entries: Vec<Value> = json_value(&body)?;
    let (pins, unreadable, problems) = read_pins(&entries);
    let worker = state.clone();
    let replaced = tokio::task::spawn_blocking(move || -> ApiResult<_> {
        // One replacement at a time, so the database and the cache change together.
        let _writing = lock(&worker.pin_writes);
        let replacement = Replacement::prepare(&worker, &id, pins, &unreadable, problems)?;
        let row = worker.store.replace_pins(
            &id,
            &replacement.json,
            &actor,
            &replacement.audit_detail(),
        )?;
        replacement.swap_in(&worker);
        Ok(replacement.answer(&row))
    })
    .await
    .map_err(ApiError::internal)??;
    Ok(Json(replaced))
}

/// A validated replacement of an instance's pins, ready to be stored: the new list,
/// the instance rebuilt with it, and what changed. Make it, store it, then install it,
/// all while holding `AppState::pin_writes`.
pub(super) struct Replacement {
    /// The instance.
    id: String,
    /// The new list, as sent.
    pins: Vec<RawPin>,
    /// The new list as stored (JSON).
    pub json: String,
    /// The instance rebuilt from its text with the new list.
    pub instance: Arc<Instance>,
    /// The pins before and after.
    old: Vec<PinRef>,
    new: Vec<PinRef>,
    /// The new pins' warnings.
    warnings: Vec<Diagnostic>,
}

impl Replacement {
    /// Validates `pins` with the stored instance exactly as the file's `[[pins]]`
    /// would be: 422 `invalid_pins` with every problem (those found reading the
    /// entries, `problems`, first; entries in `unreadable` stand in by their id only).
    pub(super) fn prepare(
        state: &AppState,
        id: &str,
        pins: Vec<RawPin>,
        unreadable: &[usize],
        mut problems: Vec<Diagnostic>,
    ) -> ApiResult<Replacement> {
        let source = state.source(id)?;
        let mut raw = source.raw()?;
        raw.pins = pins.clone();
        let built = Instance::from_raw(&raw);
        if let Err(error) = &built {
            // What the entries that could not be read stand in for is not theirs.
            problems.extend(error.diagnostics().into_iter().filter(|d| {
                d.severity == Severity::Error
                    && entry_of(&d.path).is_none_or(|i| !unreadable.contains(&i))
            }));
        }
        if !problems.is_empty() {
            problems.sort_by_key(|d| entry_of(&d.path).unwrap_or(usize::MAX));
            return Err(invalid_pins(problems));
        }
        let instance = built.map_err(ApiError::internal)?;
        let old = state.instance(id)?;
        let old: Vec<PinRef> = old.pins.iter().map(|p| PinRef::of(&old, p)).collect();
        let new: Vec<PinRef> = instance
            .pins
            .iter()
            .map(|p| PinRef::of(&instance, p))
            .collect();
        let warnings: Vec<Diagnostic> = instance
            .warnings
            .iter()
            .filter(|d| d.path.starts_with("pins"))
            .cloned()
            .collect();
        let json = serde_json::to_string(&pins).map_err(ApiError::internal)?;
        Ok(Replacement {
            id: id.to_string(),
            pins,
            json,
            instance: Arc::new(instance),
            old,
            new,
            warnings,
        })
    }

    /// The `pins.replace` audit line: what was added and removed.
    pub(super) fn audit_detail(&self) -> String {
        audit_detail(&self.old, &self.new)
    }

    /// Once stored: the rebuilt instance becomes the parsed instance every later
    /// solve, what-if and repair reads.
    pub(super) fn swap_in(&self, state: &AppState) {
        lock(&state.instances).insert(self.id.clone(), self.instance.clone());
    }

    /// The answer of a PUT, once stored (`row`): the pins as GET shows them, what was
    /// added and removed, the warnings.
    fn answer(self, row: &PinsRow) -> Value {
        let added: Vec<&PinRef> = self.new.iter().filter(|p| !self.old.contains(p)).collect();
        let removed: Vec<&PinRef> = self.old.iter().filter(|p| !self.new.contains(p)).collect();
        let mut answer = listing(&self.id, self.pins.clone(), Some(row));
        answer["added"] = json!(added);
        answer["removed"] = json!(removed);
        answer["warnings"] = json!(self.warnings);
        answer
    }
}

/// 422 `invalid_pins` with every problem.
fn invalid_pins(problems: Vec<Diagnostic>) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_pins",
        format!("{} problem(s) in the pins", problems.len()),
    )
    .with(json!({ "problems": problems }))
}

/// The body's entries as `RawPin`s, the positions of those that could not be read, and
/// the problems: a value of the wrong type, or a field no pin has, with its path
/// (`pins[2].remote`, `pins[0].specalist`). An entry that cannot be read stands in the
/// list as a pin with its id only, so that the others keep their positions (and ids)
/// and are validated too.
fn read_pins(entries: &[Value]) -> (Vec<RawPin>, Vec<usize>, Vec<Diagnostic>) {
    let mut pins = Vec::new();
    let mut unreadable = Vec::new();
    let mut problems = Vec::new();
    let problem = |path: String, message: String| Diagnostic {
        severity: Severity::Error,
        path,
        message,
        hint: None,
    };
    for (i, entry) in entries.iter().enumerate() {
        let pin: RawPin = match serde_path_to_error::deserialize(entry) {
            Ok(pin) => pin,
            Err(error) => {
                let field = error.path().to_string();
                let path = if field == "." {
                    format!("pins[{i}]")
                } else {
                    format!("pins[{i}].{field}")
                };
                problems.push(problem(path, error.inner().to_string()));
                unreadable.push(i);
                pins.push(RawPin {
                    id: entry.get("id").and_then(Value::as_str).map(str::to_string),
                    ..RawPin::default()
                });
                continue;
            }
        };
        // A field the pin does not have comes back missing from its serialisation.
        let known = serde_json::to_value(&pin).unwrap_or_default();
        if let Some(fields) = entry.as_object() {
            for (name, value) in fields {
                if !value.is_null() && known.get(name).is_none() {
                    problems.push(problem(
                        format!("pins[{i}].{name}"),
                        format!("unknown field `{name}`"),
                    ));
                }
            }
        }
        pins.push(pin);
    }
    (pins, unreadable, problems)
}

/// The entry a problem's path is in: `pins[3].room` → 3.
fn entry_of(path: &str) -> Option<usize> {
    let rest = path.strip_prefix("pins[")?;
    rest[..rest.find(']')?].parse().ok()
}

/// The audit line of a replacement: the pins added and removed, with their patterns.
fn audit_detail(old: &[PinRef], new: &[PinRef]) -> String {
    let list = |pins: Vec<&PinRef>| {
        if pins.is_empty() {
            "none".to_string()
        } else {
            pins.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        }
    };
    format!(
        "added: {}; removed: {}",
        list(new.iter().filter(|p| !old.contains(p)).collect()),
        list(old.iter().filter(|p| !new.contains(p)).collect())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_of_the_wrong_shape_are_named_by_path() {
        let entries: Vec<Value> = serde_json::from_str(
            r#"[{"board": "b"}, {"remote": "yes"}, 3, {"specalist": "x", "note": null}]"#,
        )
        .expect("json");
        let (pins, unreadable, problems) = read_pins(&entries);
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["pins[1].remote", "pins[2]", "pins[3].specalist"]);
        assert_eq!((pins.len(), unreadable), (4, vec![1, 2]));
        assert_eq!(pins[0].board.as_deref(), Some("b"));
        assert_eq!(entry_of("pins[12].room"), Some(12));
        assert_eq!(entry_of("pins[3]"), Some(3));
        assert_eq!(entry_of("name"), None);
    }

    #[test]
    fn the_audit_line_lists_added_and_removed_pins() {
        let pin = |id: &str, pattern: &str| PinRef {
            id: id.into(),
            note: None,
            forbid: false,
            pattern: pattern.into(),
        };
        let old = [
            pin("0", "date = \"2026-03-02\""),
            pin("1", "room = \"or-2\""),
        ];
        let new = [
            pin("1", "room = \"or-2\""),
            pin("mdt", "board = \"breast-mdt\""),
        ];
        assert_eq!(
            audit_detail(&old, &new),
            "added: pin mdt [board = \"breast-mdt\"]; removed: pin 0 [date = \"2026-03-02\"]"
        );
        assert_eq!(audit_detail(&[], &[]), "added: none; removed: none");
    }
}
