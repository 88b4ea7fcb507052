//! The green channel (绿色通道, docs/booking.md § Green channel): a positive screening
//! finding becomes a surgery for the next solve, due within a week of the finding
//! (Beilun's promise: surgery within seven days of a community finding), written as a
//! `[[surgeries]]` entry the way the waitlist writes `[[requests]]`, and merged into the
//! instance only when the result validates.

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use super::BookingError;
use crate::diagnostics::{Diagnostic, Severity};
use crate::instance::{Instance, InstanceError};

/// The longest a green-channel surgery may wait after its finding.
pub const MAX_DAYS: u32 = 7;

/// A positive finding that needs an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Opaque patient reference.
    pub patient: String,
    /// When it was found (the surgery's release date).
    pub found: NaiveDate,
    /// The surgical discipline.
    pub discipline: String,
    /// Grade 1–4.
    pub grade: u8,
    /// Expected duration.
    pub minutes: u32,
    /// A named surgeon, if any.
    pub surgeon: Option<String>,
    /// The site it must be done at, if any.
    pub site: Option<String>,
    /// Tags the theatre must have.
    pub room_tags: Vec<String>,
    /// Priority 1–5.
    pub priority: u8,
    /// Due this many days after the finding (1–7).
    pub within_days: u32,
}

/// A `[[surgeries]]` entry as PROBLEM.md §2 spells it.
#[derive(Debug, Serialize)]
struct SurgeryEntry {
    id: String,
    patient: String,
    discipline: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    surgeon: Option<String>,
    grade: u8,
    minutes: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    room_tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    site: Option<String>,
    release: String,
    due: String,
    priority: u8,
}

#[derive(Debug, Serialize)]
struct Surgeries {
    surgeries: Vec<SurgeryEntry>,
}

fn problem(path: &str, message: String) -> BookingError {
    BookingError::MergeInvalid {
        problems: vec![Diagnostic {
            severity: Severity::Error,
            path: path.to_string(),
            message,
            hint: None,
        }],
    }
}

/// The finding as a TOML `[[surgeries]]` fragment with an id unused in the instance
/// (`gc-PATIENT`, then `gc-PATIENT-2`, …).
pub fn surgery_fragment(instance: &Instance, finding: &Finding) -> Result<String, BookingError> {
    if !(1..=MAX_DAYS).contains(&finding.within_days) {
        return Err(problem(
            "within_days",
            format!(
                "a green-channel surgery is due 1 to {MAX_DAYS} days after the finding, not {}",
                finding.within_days
            ),
        ));
    }
    if finding.patient.trim().is_empty() {
        return Err(problem("patient", "a patient reference is required".into()));
    }
    let base = format!("gc-{}", finding.patient);
    let id = (1..)
        .map(|n| {
            if n == 1 {
                base.clone()
            } else {
                format!("{base}-{n}")
            }
        })
        .find(|id| {
            instance.surgery_ix(id).is_none()
                && instance.request_ix(id).is_none()
                && instance.resource_request_ix(id).is_none()
        })
        .expect("an unused id exists");
    let entry = SurgeryEntry {
        id,
        patient: finding.patient.clone(),
        discipline: finding.discipline.clone(),
        surgeon: finding.surgeon.clone(),
        grade: finding.grade,
        minutes: finding.minutes,
        room_tags: finding.room_tags.clone(),
        site: finding.site.clone(),
        release: finding.found.to_string(),
        due: (finding.found + Duration::days(i64::from(finding.within_days))).to_string(),
        priority: finding.priority,
    };
    toml::to_string(&Surgeries {
        surgeries: vec![entry],
    })
    .map_err(|error| problem("", error.to_string()))
}

/// The TOML instance with the finding's surgery appended, checked to be valid.
pub fn merge_finding(
    base: &str,
    instance: &Instance,
    finding: &Finding,
) -> Result<String, BookingError> {
    let fragment = surgery_fragment(instance, finding)?;
    let merged = format!(
        "{}\n\n# green channel: a finding of {} on {}\n{fragment}",
        base.trim_end(),
        finding.patient,
        finding.found
    );
    match Instance::from_toml_str(&merged) {
        Ok(_) => Ok(merged),
        Err(InstanceError::Invalid { diagnostics }) => Err(BookingError::MergeInvalid {
            problems: diagnostics
                .into_iter()
                .filter(|d| d.severity == Severity::Error)
                .collect(),
        }),
        Err(other) => Err(problem("", other.to_string())),
    }
}
