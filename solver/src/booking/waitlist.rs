//! The waitlist as `[[requests]]` for the next solve, so that unmet demand at the call
//! centre drives next week's roster: each waiting entry becomes a request whose id is
//! the entry's id.

use serde::Serialize;

use super::{BookingError, WaitlistEntry};
use crate::diagnostics::{Diagnostic, Severity};
use crate::instance::{Instance, InstanceError, SourceFormat};

/// A `[[requests]]` entry as PROBLEM.md §2 spells it.
#[derive(Debug, Serialize)]
struct RequestEntry<'a> {
    id: &'a str,
    patient: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    specialist: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    discipline: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    sites: &'a [String],
    earliest: String,
    latest: String,
    substitute_ok: bool,
    priority: u8,
}

#[derive(Debug, Serialize)]
struct Requests<'a> {
    requests: Vec<RequestEntry<'a>>,
}

fn entries<'a>(waiting: &[&'a WaitlistEntry]) -> Requests<'a> {
    Requests {
        requests: waiting
            .iter()
            .map(|entry| {
                let r = &entry.request;
                RequestEntry {
                    id: &entry.id,
                    patient: &r.patient,
                    specialist: r.specialist.as_deref(),
                    discipline: r.discipline.as_deref(),
                    sites: &r.sites,
                    earliest: r.earliest.to_string(),
                    latest: r.latest.to_string(),
                    substitute_ok: r.substitute_ok,
                    priority: r.priority,
                }
            })
            .collect(),
    }
}

/// The entries as a TOML fragment of `[[requests]]` tables.
pub fn export_requests(waiting: &[&WaitlistEntry]) -> String {
    toml::to_string(&entries(waiting)).expect("requests serialise to TOML")
}

/// The base instance with the entries appended to its `[[requests]]`, in the base's
/// format, checked to be a valid instance. TOML bases keep their text and comments;
/// the requests are appended at the end.
pub fn merge_into_instance(
    base: &str,
    format: SourceFormat,
    waiting: &[&WaitlistEntry],
) -> Result<String, BookingError> {
    let merged = match format {
        SourceFormat::Toml => {
            let appended = format!(
                "{}\n\n# {} request(s) from the call-centre waitlist\n{}",
                base.trim_end(),
                waiting.len(),
                export_requests(waiting)
            );
            if Instance::from_toml_str(&appended).is_ok() {
                appended
            } else {
                merge_toml_table(base, waiting)?
            }
        }
        SourceFormat::Json => merge_json(base, waiting)?,
    };
    match Instance::from_str_as(&merged, format) {
        Ok(_) => Ok(merged),
        Err(InstanceError::Invalid { diagnostics }) => Err(BookingError::MergeInvalid {
            problems: diagnostics
                .into_iter()
                .filter(|d| d.severity == Severity::Error)
                .collect(),
        }),
        Err(other) => Err(unreadable(other.to_string())),
    }
}

fn unreadable(message: String) -> BookingError {
    BookingError::MergeInvalid {
        problems: vec![Diagnostic {
            severity: Severity::Error,
            path: String::new(),
            message,
            hint: None,
        }],
    }
}

/// Merging through a parsed table, for bases whose `requests` is an inline array.
fn merge_toml_table(base: &str, waiting: &[&WaitlistEntry]) -> Result<String, BookingError> {
    let mut table: toml::Table = toml::from_str(base).map_err(|e| unreadable(e.to_string()))?;
    let added = toml::Value::try_from(entries(waiting)).map_err(|e| unreadable(e.to_string()))?;
    let new = added
        .get("requests")
        .and_then(toml::Value::as_array)
        .cloned()
        .unwrap_or_default();
    match table
        .entry("requests")
        .or_insert_with(|| toml::Value::Array(Vec::new()))
    {
        toml::Value::Array(list) => list.extend(new),
        _ => return Err(unreadable("`requests` is not a list".into())),
    }
    toml::to_string(&table).map_err(|e| unreadable(e.to_string()))
}

fn merge_json(base: &str, waiting: &[&WaitlistEntry]) -> Result<String, BookingError> {
    let mut value: serde_json::Value =
        serde_json::from_str(base).map_err(|e| unreadable(e.to_string()))?;
    let added = serde_json::to_value(entries(waiting)).map_err(|e| unreadable(e.to_string()))?;
    let new = added["requests"].as_array().cloned().unwrap_or_default();
    let Some(object) = value.as_object_mut() else {
        return Err(unreadable("the instance is not a JSON object".into()));
    };
    match object
        .entry("requests")
        .or_insert_with(|| serde_json::Value::Array(Vec::new()))
    {
        serde_json::Value::Array(list) => list.extend(new),
        _ => return Err(unreadable("`requests` is not a list".into())),
    }
    serde_json::to_string_pretty(&value).map_err(|e| unreadable(e.to_string()))
}
