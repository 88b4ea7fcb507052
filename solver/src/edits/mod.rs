//! Checked edits for a drag-and-drop roster board: a list of [`Edit`]s applied to a
//! copy of a roster (the *draft*), which is then judged by the reference checker
//! exactly as `houniao check` would judge it, with the objective recomputed and
//! compared term by term with the original.
//!
//! ```
//! use houniao::edits::{Edit, EntryRef, Target, apply_edits};
//! use houniao::{Instance, Roster};
//!
//! let instance = Instance::from_toml_str(include_str!("../../../instances/example-week.toml"))?;
//! let roster = Roster::from_json_str(include_str!("../../tests/data/roster.example.json"))?;
//! // Drag Zhao's MDT seat from Wednesday to Thursday afternoon: the meeting breaks.
//! let edit: Edit = serde_json::from_str(
//!     r#"{"op": "move",
//!         "entry": {"specialist": "zhao-path", "date": "2026-03-04", "session": "pm"},
//!         "to": {"date": "2026-03-05"}}"#,
//! )?;
//! let outcome = apply_edits(&instance, &roster, &[edit])?;
//! assert_eq!(outcome.broken_rules(), vec![houniao::check::Rule::Mdt]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What an edit moves
//!
//! Edits apply in order, each to the draft as the earlier ones left it; an [`EntryRef`]
//! names an `assignments` entry by specialist, date and session (and activity, when the
//! draft double-books that slot). What hangs on an entry goes with it:
//!
//! - a **clinic** or **studio lead** entry takes its `bookings` along: same new
//!   specialist, date, session and site, with `substitute` set for the new holder
//!   (whether the new holder and slot can serve each request is the checker's to say);
//! - a **studio lead** entry takes the session's apprentice entries (same studio, date
//!   and session) to the new date, session and room; an apprentice entry moves alone;
//! - an **MDT seat** moves alone: the meeting it leaves and the one it lands in are
//!   the checker's to judge. A room given to a remote seat is set; the seat stays remote;
//! - a **surgery** entry takes its surgeon's `surgeries` entries of that slot: new
//!   date, session and surgeon, the new theatre when a room is given (the entry's site
//!   becomes the theatre's), and start times kept at the same offset from the start of
//!   the session.
//!
//! A new room brings its site (clinic, studio, on-site MDT). [`Edit::Swap`] exchanges
//! the date and session of two entries, and their rooms when both have a room of the
//! same kind (for a surgery entry, the one theatre of its surgeries in that slot); each
//! keeps its specialist. [`Edit::Remove`] removes the entry with what hangs on it (a
//! studio lead's whole session; its bookings and surgeries become unserved and
//! unscheduled). [`Edit::Add`] adds the entry as given (an on-site entry with a room but
//! no site gets the room's site).
//!
//! # Presence
//!
//! The draft's `presence` is recomputed once all edits are applied: a visiting
//! specialist is listed on site wherever the draft gives them an on-site activity;
//! entries of the original with no activity there (idle days the roster chose) stay;
//! entries whose activities moved away are dropped unless a residency needs the day
//! (a fixed day of it, or a chosen day without which its week falls short). See
//! `presence.rs` for the precise reading.
//!
//! # Pins
//!
//! The draft has its own pin list: the instance's `[[pins]]` (ids written out), changed
//! by [`Edit::Pin`] and [`Edit::Unpin`]. When it changed, it is validated as a whole the
//! way the file's are, and the draft is judged against the instance with those pins.
//!
//! # The verdict
//!
//! [`EditOutcome::violations`] is exactly `check::check(instance with the draft's pins,
//! &draft).violations`; the draft's objective, terms and unmet list (with reasons) are
//! recomputed, so a valid draft passes `houniao check` (against the instance with its
//! pins) with no discrepancy. Edits that cannot be applied at all (an entry the draft
//! does not have, an unknown id, an unpin of an unknown pin, a pin that does not
//! validate) give an [`EditError`] instead; nothing panics on any input.

mod apply;
mod error;
mod pins;
mod presence;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use error::EditError;

use crate::check::{Rule, Violation, check_and_shortfalls, evaluate};
use crate::instance::Instance;
use crate::instance::raw::RawPin;
use crate::objective::{Term, TermValues};
use crate::roster::{Activity, Assignment, Roster, RosterStatus, Unmet};

/// One change made on the board. JSON: `{"op": "move", "entry": {…}, "to": {…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Edit {
    /// Move an assignment (and what hangs on it) to another date, session, room and/or
    /// specialist; fields of `to` left out stay as they are.
    Move {
        /// The entry to move.
        entry: EntryRef,
        /// Where to.
        #[serde(default)]
        to: Target,
    },
    /// Exchange the slots (date, session and, when both have one of the same kind,
    /// room) of two assignments.
    Swap {
        /// One entry.
        a: EntryRef,
        /// The other.
        b: EntryRef,
    },
    /// Add an assignments entry.
    Add {
        /// The entry, as the roster format writes it.
        assignment: Assignment,
    },
    /// Remove an assignment and what hangs on it.
    Remove {
        /// The entry to remove.
        entry: EntryRef,
    },
    /// Add a pin or forbid to the draft's pin list (file form of `[[pins]]`).
    Pin {
        /// The pin; without an id it gets its position in the draft's list.
        pin: Box<RawPin>,
    },
    /// Remove a pin or forbid from the draft's pin list.
    Unpin {
        /// Its id (a pin without a file id is known by its position: "0", "1", …).
        id: String,
    },
}

/// An `assignments` entry of the draft: unique per specialist and slot in a valid
/// roster; `activity` tells apart the entries of a double-booked slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryRef {
    /// Specialist id.
    pub specialist: String,
    /// The date.
    pub date: NaiveDate,
    /// Session id.
    pub session: String,
    /// The entry's activity, needed only when several entries share the slot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity: Option<Activity>,
}

/// Where a moved entry goes; absent fields keep the entry's own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// The new date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// The new session id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// The new room id (its site comes with it; a theatre for a surgery entry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<String>,
    /// The new specialist id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub specialist: Option<String>,
}

/// The draft after the edits, and the checker's verdict on it.
#[derive(Debug, Clone, Serialize)]
pub struct EditOutcome {
    /// The edited roster: presence recomputed, objective, terms and unmet (with
    /// reasons) recomputed; status `feasible` when valid, `error` when it breaks a
    /// hard rule. The original's bound (and so the gap) is kept only while the pins are
    /// unchanged and the draft is valid.
    pub draft: Roster,
    /// The draft's pin list, in file form, every pin with its id.
    pub pins: Vec<RawPin>,
    /// Exactly what `check` reports for the draft against the instance with `pins`.
    pub violations: Vec<Violation>,
    /// The §4 terms of the original roster, recomputed from it.
    pub terms_before: TermValues,
    /// The §4 terms of the draft.
    pub terms_after: TermValues,
    /// `terms_after − terms_before`, term by term.
    pub delta: TermValues,
    /// The original's objective, recomputed.
    pub objective_before: f64,
    /// The draft's objective.
    pub objective_after: f64,
    /// `objective_after − objective_before`.
    pub objective_delta: f64,
}

impl EditOutcome {
    /// The draft breaks no hard rule.
    pub fn is_valid(&self) -> bool {
        self.violations.is_empty()
    }

    /// The rules the draft breaks, each once, in rule order.
    pub fn broken_rules(&self) -> Vec<Rule> {
        let mut rules: Vec<Rule> = self.violations.iter().map(|v| v.rule).collect();
        rules.sort();
        rules.dedup();
        rules
    }
}

/// The instance's pins as a draft's pin list holds them: in file form, every id written
/// out. A draft whose [`EditOutcome::pins`] equals this carries the instance's pins;
/// one that differs has its own.
pub fn instance_pins(instance: &Instance) -> Vec<RawPin> {
    instance
        .pins
        .iter()
        .map(|pin| crate::pins::draft::to_raw(instance, pin))
        .collect()
}

/// `instance` with its pins replaced by a draft's pin list ([`EditOutcome::pins`]),
/// validated the way the file's `[[pins]]` are: the instance to apply further edits to
/// that draft with, or to check it against before publishing. A list that does not
/// validate is [`EditError::InvalidPin`] (paths `pins[i].field`, no edit).
pub fn with_draft_pins(instance: &Instance, pins: &[RawPin]) -> Result<Instance, EditError> {
    crate::pins::draft::with_pins(instance, pins).map_err(|diagnostics| EditError::InvalidPin {
        edit: None,
        diagnostics,
    })
}

/// Applies `edits` in order to a copy of `roster` and judges the result (see the
/// module documentation for what each edit moves).
pub fn apply_edits(
    instance: &Instance,
    roster: &Roster,
    edits: &[Edit],
) -> Result<EditOutcome, EditError> {
    let mut draft = roster.clone();
    let mut pin_list = pins::DraftPins::of(instance);
    for (k, edit) in edits.iter().enumerate() {
        match edit {
            Edit::Move { entry, to } => apply::move_entry(instance, &mut draft, k, entry, to)?,
            Edit::Swap { a, b } => apply::swap(instance, &mut draft, k, a, b)?,
            Edit::Add { assignment } => apply::add(instance, &mut draft, k, assignment)?,
            Edit::Remove { entry } => apply::remove(&mut draft, k, entry)?,
            Edit::Pin { pin } => pin_list.pin(k, pin),
            Edit::Unpin { id } => pin_list.unpin(k, id)?,
        }
    }
    let pins_changed = pin_list.changed();
    let (judge, pins) = pin_list.finish(instance)?;
    let judge: &Instance = &judge;
    draft.presence = presence::recompute(instance, roster, &draft);

    let (terms_before, _) = evaluate(instance, roster);
    // One pass of the checker gives the verdict, the terms and the unmet demand: the
    // violations do not depend on the figures and unmet list the draft states, which
    // are filled in from that pass.
    let (report, shortfalls) = check_and_shortfalls(judge, &draft);
    let terms_after = report.terms;
    let violations = report.violations;
    draft.objective = terms_after.total();
    draft.objective_terms = terms_after;
    draft.seconds = None;
    let reasons = crate::reasons::explain_all(judge, &draft, &shortfalls);
    draft.unmet = shortfalls
        .into_iter()
        .zip(reasons)
        .map(|(shortfall, reason)| Unmet {
            kind: shortfall.kind,
            ids: shortfall.ids,
            week: shortfall.week,
            missing: shortfall.missing,
            reason,
        })
        .collect();
    let valid = violations.is_empty();
    draft.status = if valid {
        RosterStatus::Feasible
    } else {
        RosterStatus::Error
    };
    draft.bound = roster
        .bound
        .filter(|_| valid && !pins_changed)
        .map(|bound| bound.min(draft.objective));
    draft.gap = draft
        .bound
        .map(|bound| (draft.objective - bound) / draft.objective.abs().max(1.0));

    let mut delta = TermValues::default();
    for term in Term::ALL {
        delta[term] = terms_after[term] - terms_before[term];
    }
    let (objective_before, objective_after) = (terms_before.total(), terms_after.total());
    Ok(EditOutcome {
        draft,
        pins,
        violations,
        terms_before,
        terms_after,
        delta,
        objective_before,
        objective_after,
        objective_delta: objective_after - objective_before,
    })
}
