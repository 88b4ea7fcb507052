//! One-trip bundles (只跑一次, docs/booking.md § One trip): a patient's steps — a CT,
//! then the screening clinic — searched as one ranked option and booked all or none.
//! Each step is a request of its own (a resource, a specialist or a discipline, with its
//! window); each step's session starts after the previous step's, and every step falls
//! within `within_days` of the first (0: the same day). Booking takes every step's place
//! under the same exclusive hold of the book as a single booking (the CLI's ledger lock,
//! the service's instance lock), so two agents racing for the last CT slot of a bundle
//! cannot both have it; when any step fails, the book is as it was.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::book::{BookingBook, Cancellation, Confirmation};
use super::ledger::SessionRef;
use super::search::SlotOption;
use super::{BookingError, PatientRequest};
use crate::diagnostics::{Diagnostic, Severity};

/// Most steps in a bundle.
pub const MAX_STEPS: usize = 4;
/// Step options looked at per step when combining.
const OPTIONS_PER_STEP: usize = 200;

/// What the patient asks for: the steps in order, and how close together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundleRequest {
    /// Opaque patient reference (required to book).
    #[serde(default)]
    pub patient: String,
    /// The steps, in the order they happen.
    pub steps: Vec<PatientRequest>,
    /// Every step within this many days of the first (0: the same day).
    #[serde(default)]
    pub within_days: u32,
}

/// One way to make the trip: a session for each step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BundleOption {
    /// What to pass to `book_bundle`: the steps' option ids joined by `+`.
    pub id: String,
    /// Each step's session.
    pub steps: Vec<SlotOption>,
    /// Days from the first step to the last.
    pub span_days: i64,
}

/// The ranked ways to make the trip.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BundleSearch {
    /// Earliest first, then the shortest span.
    pub options: Vec<BundleOption>,
    /// When there is none: which step had no session, or that no combination fits.
    pub reasons: Vec<String>,
}

/// A bundle booked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BundleConfirmation {
    /// The bundle id (`trip-0001`), to cancel it as one.
    pub bundle: String,
    /// Each step's booking.
    pub steps: Vec<Confirmation>,
}

impl BundleRequest {
    /// Each step as a request of the bundle's patient.
    fn steps_for_patient(&self) -> Vec<PatientRequest> {
        self.steps
            .iter()
            .map(|step| PatientRequest {
                patient: self.patient.clone(),
                ..step.clone()
            })
            .collect()
    }

    fn check_shape(&self) -> Result<(), BookingError> {
        if (2..=MAX_STEPS).contains(&self.steps.len()) {
            return Ok(());
        }
        Err(BookingError::InvalidRequest {
            problems: vec![Diagnostic {
                severity: Severity::Error,
                path: "steps".into(),
                message: format!(
                    "a bundle has 2 to {MAX_STEPS} steps, not {}",
                    self.steps.len()
                ),
                hint: None,
            }],
        })
    }
}

/// The session's place in time, for ordering steps.
fn slot_of(book: &BookingBook, option: &SlotOption) -> (chrono::NaiveDate, usize) {
    let session = book
        .instance()
        .calendar
        .session_index(&option.session.session)
        .unwrap_or(usize::MAX);
    (option.session.date, session)
}

impl BookingBook {
    /// The ways to make the trip, earliest first (at most `limit`).
    pub fn search_bundle(
        &self,
        bundle: &BundleRequest,
        limit: usize,
    ) -> Result<BundleSearch, BookingError> {
        bundle.check_shape()?;
        let mut per_step = Vec::new();
        let mut reasons = Vec::new();
        for (i, step) in bundle.steps_for_patient().iter().enumerate() {
            let found = self
                .search(step, OPTIONS_PER_STEP)
                .map_err(|error| match error {
                    BookingError::InvalidRequest { problems } => BookingError::InvalidRequest {
                        problems: problems
                            .into_iter()
                            .map(|p| Diagnostic {
                                path: format!("steps[{i}].{}", p.path),
                                ..p
                            })
                            .collect(),
                    },
                    other => other,
                })?;
            if found.options.is_empty() {
                reasons.push(format!("step {}: {}", i + 1, found.reasons.join("; ")));
            }
            per_step.push(found.options);
        }
        let mut options = Vec::new();
        if reasons.is_empty() {
            self.combine(&per_step, bundle.within_days, &mut Vec::new(), &mut options);
            if options.is_empty() {
                reasons.push(format!(
                    "no sessions of the steps follow one another within {} day(s)",
                    bundle.within_days
                ));
            }
        }
        options.sort_by(|a, b| {
            let first = |o: &BundleOption| slot_of(self, &o.steps[0]);
            first(a)
                .cmp(&first(b))
                .then(a.span_days.cmp(&b.span_days))
                .then(a.id.cmp(&b.id))
        });
        options.truncate(limit);
        Ok(BundleSearch { options, reasons })
    }

    /// Every combination of one option per step in time order within the span.
    fn combine(
        &self,
        per_step: &[Vec<SlotOption>],
        within_days: u32,
        chosen: &mut Vec<SlotOption>,
        out: &mut Vec<BundleOption>,
    ) {
        if out.len() >= OPTIONS_PER_STEP {
            return;
        }
        let step = chosen.len();
        if step == per_step.len() {
            let span_days = (chosen[step - 1].session.date - chosen[0].session.date).num_days();
            out.push(BundleOption {
                id: chosen
                    .iter()
                    .map(|o| o.id.as_str())
                    .collect::<Vec<_>>()
                    .join("+"),
                steps: chosen.clone(),
                span_days,
            });
            return;
        }
        for option in &per_step[step] {
            if let Some(previous) = chosen.last() {
                let first = chosen[0].session.date;
                if slot_of(self, option) <= slot_of(self, previous)
                    || (option.session.date - first).num_days() > i64::from(within_days)
                {
                    continue;
                }
            }
            chosen.push(option.clone());
            self.combine(per_step, within_days, chosen, out);
            chosen.pop();
        }
    }

    /// Books every step of the bundle — the option given (`a+b`), or the best — or none.
    pub fn book_bundle(
        &mut self,
        bundle: &BundleRequest,
        option: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<BundleConfirmation, BookingError> {
        bundle.check_shape()?;
        let sessions: Vec<SessionRef> = match option {
            Some(id) => id
                .split('+')
                .map(|part| {
                    part.parse::<SessionRef>()
                        .map_err(|why| BookingError::NotASession {
                            option: id.to_string(),
                            why,
                        })
                })
                .collect::<Result<_, _>>()?,
            None => match self.search_bundle(bundle, 1)?.options.into_iter().next() {
                Some(best) => best.steps.into_iter().map(|s| s.session).collect(),
                None => {
                    return Err(BookingError::NoBundle {
                        reasons: self.search_bundle(bundle, 1)?.reasons,
                    });
                }
            },
        };
        if sessions.len() != bundle.steps.len() {
            return Err(BookingError::NotASession {
                option: option.unwrap_or_default().to_string(),
                why: format!(
                    "{} session(s) for {} step(s)",
                    sessions.len(),
                    bundle.steps.len()
                ),
            });
        }
        let within = self.bundle_fits(&sessions, bundle.within_days);
        if let Err(why) = within {
            return Err(BookingError::DoesNotFit {
                option: option.unwrap_or_default().to_string(),
                why,
            });
        }
        let before = self.clone();
        let bundle_id = self.next_bundle_id();
        let mut steps = Vec::new();
        for (request, session) in bundle.steps_for_patient().iter().zip(&sessions) {
            match self.book(request, session, now) {
                Ok(confirmation) => steps.push(confirmation),
                Err(error) => {
                    *self = before;
                    return Err(error);
                }
            }
        }
        for confirmation in &mut steps {
            confirmation.booking.bundle = Some(bundle_id.clone());
            self.set_bundle(&confirmation.booking.id, &bundle_id);
        }
        Ok(BundleConfirmation {
            bundle: bundle_id,
            steps,
        })
    }

    /// Whether the sessions follow one another within the span.
    fn bundle_fits(&self, sessions: &[SessionRef], within_days: u32) -> Result<(), String> {
        let order = |s: &SessionRef| {
            (
                s.date,
                self.instance()
                    .calendar
                    .session_index(&s.session)
                    .unwrap_or(usize::MAX),
            )
        };
        for pair in sessions.windows(2) {
            if order(&pair[1]) <= order(&pair[0]) {
                return Err(format!("{} does not come after {}", pair[1], pair[0]));
            }
        }
        let span = (sessions[sessions.len() - 1].date - sessions[0].date).num_days();
        if span > i64::from(within_days) {
            return Err(format!(
                "the steps span {span} day(s), more than the {within_days} asked for"
            ));
        }
        Ok(())
    }

    /// Cancels every step of a bundle still active.
    pub fn cancel_bundle(
        &mut self,
        bundle: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Cancellation>, BookingError> {
        let ids: Vec<String> = self
            .ledger_bookings()
            .iter()
            .filter(|b| b.bundle.as_deref() == Some(bundle) && b.is_active())
            .map(|b| b.id.clone())
            .collect();
        if ids.is_empty() {
            let known = self
                .ledger_bookings()
                .iter()
                .filter_map(|b| b.bundle.as_deref());
            return Err(BookingError::UnknownBooking {
                id: bundle.to_string(),
                hint: crate::diagnostics::did_you_mean(bundle, known),
            });
        }
        let before = self.clone();
        let mut cancelled = Vec::new();
        for id in ids {
            match self.cancel(&id, now) {
                Ok(cancellation) => cancelled.push(cancellation),
                Err(error) => {
                    *self = before;
                    return Err(error);
                }
            }
        }
        Ok(cancelled)
    }
}
