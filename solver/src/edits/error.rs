//! Edits that cannot be applied at all. Everything else — a double booking, an
//! unqualified surgeon, a broken meeting — is applied and reported by the checker as
//! a violation of the draft.

use chrono::NaiveDate;
use serde::Serialize;

use crate::diagnostics::Diagnostic;

/// Why a list of edits could not be applied. `edit` is the 0-based position of the
/// offending edit in the list; `field` the path of the field inside it (`entry`,
/// `to.room`, `assignment.board`, …), so that `edits[{edit}].{field}` names it.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum EditError {
    /// No assignments entry of the draft has this specialist, date and session.
    #[error(
        "edits[{edit}].{field}: the draft has no assignment of \"{specialist}\" on {date} {session}{}",
        activity_suffix(.activity.as_deref())
    )]
    UnknownEntry {
        /// Position of the edit.
        edit: usize,
        /// `entry`, `a` or `b`.
        field: String,
        /// The specialist asked for.
        specialist: String,
        /// The date asked for.
        date: NaiveDate,
        /// The session asked for.
        session: String,
        /// The activity asked for, when given.
        activity: Option<String>,
    },
    /// Several entries match (the draft double-books the specialist in that slot).
    #[error(
        "edits[{edit}].{field}: {count} assignments of \"{specialist}\" on {date} {session} match; \
         name the `activity` to pick one"
    )]
    AmbiguousEntry {
        /// Position of the edit.
        edit: usize,
        /// `entry`, `a` or `b`.
        field: String,
        /// The specialist asked for.
        specialist: String,
        /// The date asked for.
        date: NaiveDate,
        /// The session asked for.
        session: String,
        /// How many entries match.
        count: usize,
    },
    /// An id the instance does not have.
    #[error("edits[{edit}].{field}: unknown {what} \"{id}\"{}", hint_suffix(.hint.as_deref()))]
    UnknownId {
        /// Position of the edit.
        edit: usize,
        /// Path of the field, e.g. `to.room`.
        field: String,
        /// What kind of id: `specialist`, `session`, `room`, `site`, `studio`, `MDT board`.
        what: String,
        /// The id given.
        id: String,
        /// "did you mean …?", when a known id is close.
        hint: Option<String>,
    },
    /// A date outside the instance's horizon.
    #[error("edits[{edit}].{field}: {date} is outside the horizon ({start} to {end})")]
    OutsideHorizon {
        /// Position of the edit.
        edit: usize,
        /// Path of the field.
        field: String,
        /// The date given.
        date: NaiveDate,
        /// The horizon's first date.
        start: NaiveDate,
        /// Its last date.
        end: NaiveDate,
    },
    /// `unpin` of an id the draft's pin list does not hold.
    #[error("edits[{edit}].id: the draft has no pin \"{id}\" (its pins: {})", known_list(.known))]
    UnknownPin {
        /// Position of the edit.
        edit: usize,
        /// The id given.
        id: String,
        /// The ids the draft's pin list holds.
        known: Vec<String>,
    },
    /// The draft's pin list does not validate. Paths of pins added by an edit read
    /// `edits[k].pin.field`; those of the instance's own pins `pins[i].field`.
    #[error("{}", diagnostics_list(.diagnostics))]
    InvalidPin {
        /// The first edit whose pin is at fault, when one is.
        edit: Option<usize>,
        /// The validation errors, with their paths.
        diagnostics: Vec<Diagnostic>,
    },
}

fn activity_suffix(activity: Option<&str>) -> String {
    activity.map(|a| format!(" ({a})")).unwrap_or_default()
}

fn hint_suffix(hint: Option<&str>) -> String {
    hint.map(|h| format!(" ({h})")).unwrap_or_default()
}

fn known_list(known: &[String]) -> String {
    if known.is_empty() {
        "none".to_string()
    } else {
        known.join(", ")
    }
}

fn diagnostics_list(diagnostics: &[Diagnostic]) -> String {
    if diagnostics.is_empty() {
        return "the draft's pins do not validate".to_string();
    }
    diagnostics
        .iter()
        .map(Diagnostic::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
