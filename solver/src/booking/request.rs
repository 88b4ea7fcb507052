//! What a caller asks for: the fields of a `[[requests]]` entry (PROBLEM.md §2), read
//! from a phone call instead of a file, and validated the same way.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::diagnostics::{Diagnostic, Severity, did_you_mean};
use crate::instance::{Instance, Request, SiteIx};

use super::BookingError;

/// A patient's ask: a named expert or a discipline, a window, allowed sites.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientRequest {
    /// Opaque patient reference (required to book or join the waitlist, not to search).
    #[serde(default)]
    pub patient: String,
    /// The named specialist's id, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub specialist: Option<String>,
    /// The discipline (required when no specialist is named; otherwise defaults to the
    /// named specialist's first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discipline: Option<String>,
    /// Allowed sites in order of preference; empty means any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sites: Vec<String>,
    /// First acceptable date.
    pub earliest: NaiveDate,
    /// Last acceptable date.
    pub latest: NaiveDate,
    /// Whether another specialist of the discipline will do.
    #[serde(default)]
    pub substitute_ok: bool,
    /// Priority 1–5.
    #[serde(default = "default_priority")]
    pub priority: u8,
    /// The site (a community centre) that refers the patient, if one does: its referrals
    /// may take the places a pool holds for it (docs/format.md § Pools).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referred_by: Option<String>,
    /// A resource's id (a CT scanner) instead of a specialist or discipline
    /// (docs/format.md § Resources).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// Any resource of this kind (`ct`) instead of a specialist or discipline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_kind: Option<String>,
}

fn default_priority() -> u8 {
    1
}

impl PatientRequest {
    /// Whether it asks for a resource (`resource` or `resource_kind`).
    pub fn asks_for_resource(&self) -> bool {
        self.resource.is_some() || self.resource_kind.is_some()
    }

    /// A request for a named specialist in a window (no substitute, any site, priority 1).
    pub fn for_specialist(specialist: &str, earliest: NaiveDate, latest: NaiveDate) -> Self {
        PatientRequest {
            patient: String::new(),
            specialist: Some(specialist.to_string()),
            discipline: None,
            sites: Vec::new(),
            earliest,
            latest,
            substitute_ok: false,
            priority: 1,
            referred_by: None,
            resource: None,
            resource_kind: None,
        }
    }

    /// A request for any specialist of a discipline in a window.
    pub fn for_discipline(discipline: &str, earliest: NaiveDate, latest: NaiveDate) -> Self {
        PatientRequest {
            specialist: None,
            discipline: Some(discipline.to_string()),
            ..PatientRequest::for_specialist("", earliest, latest)
        }
    }

    /// The same request for a patient.
    pub fn with_patient(mut self, patient: &str) -> Self {
        self.patient = patient.to_string();
        self
    }

    /// Checks the request against the instance and resolves its ids, reporting every
    /// problem with its field. `needs_patient` is set when booking or waitlisting.
    pub(crate) fn resolve(
        &self,
        instance: &Instance,
        needs_patient: bool,
    ) -> Result<Request, BookingError> {
        let mut problems = Vec::new();
        let mut problem = |path: &str, message: String, hint: Option<String>| {
            problems.push(Diagnostic {
                severity: Severity::Error,
                path: path.to_string(),
                message,
                hint,
            })
        };
        if needs_patient && self.patient.trim().is_empty() {
            problem("patient", "a patient reference is required".into(), None);
        }
        if self.asks_for_resource() {
            problem(
                "resource",
                "this takes requests for a specialist or discipline, not for a resource".into(),
                Some("a resource is searched and booked (search, book) and cancelled by id".into()),
            );
        }
        let specialist = match self.specialist.as_deref() {
            None => None,
            Some(id) => match instance.specialist_ix(id) {
                Some(ix) => Some(ix),
                None => {
                    let known = instance.specialists.iter().map(|s| s.id.as_str());
                    problem(
                        "specialist",
                        format!("unknown specialist \"{id}\""),
                        did_you_mean(id, known),
                    );
                    None
                }
            },
        };
        let discipline = match (&self.discipline, specialist) {
            (Some(discipline), _) => {
                if !instance
                    .specialists
                    .iter()
                    .any(|s| s.has_discipline(discipline))
                {
                    problem(
                        "discipline",
                        format!("no specialist has the discipline \"{discipline}\""),
                        did_you_mean(discipline, instance.disciplines()),
                    );
                }
                discipline.clone()
            }
            (None, Some(named)) => instance.specialist(named).disciplines[0].clone(),
            (None, None) => {
                if self.specialist.is_none() && !self.asks_for_resource() {
                    problem(
                        "discipline",
                        "name a specialist or a discipline".into(),
                        None,
                    );
                }
                String::new()
            }
        };
        let (sites, referred_by) = self.resolve_shared(instance, &mut problem);
        if !problems.is_empty() {
            return Err(BookingError::InvalidRequest { problems });
        }
        Ok(Request {
            id: String::new(),
            patient: self.patient.clone(),
            specialist,
            discipline,
            sites: (!sites.is_empty()).then_some(sites),
            earliest: self.earliest,
            latest: self.latest,
            substitute_ok: self.substitute_ok,
            priority: self.priority,
            referred_by,
        })
    }

    /// Checks the fields every request has, whatever it asks for (the sites, the
    /// window, the referring site, the priority), each problem with its field: the
    /// sites and the referring site resolved.
    pub(super) fn resolve_shared(
        &self,
        instance: &Instance,
        problem: &mut impl FnMut(&str, String, Option<String>),
    ) -> (Vec<SiteIx>, Option<SiteIx>) {
        let mut sites = Vec::new();
        for (i, id) in self.sites.iter().enumerate() {
            match instance.site_ix(id) {
                Some(site) if sites.contains(&site) => problem(
                    &format!("sites[{i}]"),
                    format!("site \"{id}\" is listed twice"),
                    None,
                ),
                Some(site) => sites.push(site),
                None => problem(
                    &format!("sites[{i}]"),
                    format!("unknown site \"{id}\""),
                    did_you_mean(id, instance.sites.iter().map(|s| s.id.as_str())),
                ),
            }
        }
        if self.latest < self.earliest {
            problem(
                "latest",
                format!(
                    "the window ends ({}) before it starts ({})",
                    self.latest, self.earliest
                ),
                None,
            );
        }
        let referred_by = self.referred_by.as_ref().and_then(|id| {
            let site = instance.site_ix(id);
            if site.is_none() {
                problem(
                    "referred_by",
                    format!("unknown site \"{id}\""),
                    did_you_mean(id, instance.sites.iter().map(|s| s.id.as_str())),
                );
            }
            site
        });
        if !(1..=5).contains(&self.priority) {
            problem(
                "priority",
                format!("priority {} is not in 1–5", self.priority),
                None,
            );
        }
        (sites, referred_by)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_date;

    fn example() -> Instance {
        Instance::from_toml_str(include_str!("../../../instances/example-week.toml"))
            .expect("example is valid")
    }

    #[test]
    fn every_problem_is_listed_with_its_field() {
        let instance = example();
        let request = PatientRequest {
            patient: String::new(),
            specialist: Some("liu-jnu".into()),
            discipline: Some("oncolgy".into()),
            sites: vec!["ningde".into(), "jiaochen".into(), "ningde".into()],
            earliest: parse_date("2026-03-06").unwrap(),
            latest: parse_date("2026-03-02").unwrap(),
            substitute_ok: false,
            priority: 9,
            referred_by: None,
            resource: None,
            resource_kind: None,
        };
        let Err(BookingError::InvalidRequest { problems }) = request.resolve(&instance, true)
        else {
            panic!("expected an invalid request");
        };
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "patient",
                "specialist",
                "discipline",
                "sites[1]",
                "sites[2]",
                "latest",
                "priority"
            ]
        );
        assert_eq!(
            problems[1].hint.as_deref(),
            Some("did you mean \"liu-jun\"?")
        );
        assert_eq!(
            problems[3].hint.as_deref(),
            Some("did you mean \"jiaocheng\"?")
        );
    }

    #[test]
    fn the_discipline_defaults_to_the_named_specialists_first() {
        let instance = example();
        let day = parse_date("2026-03-02").unwrap();
        let request = PatientRequest::for_specialist("liu-jun-breast", day, day)
            .resolve(&instance, false)
            .unwrap();
        assert_eq!(request.discipline, "breast-surgery");
        assert_eq!(request.sites, None);
        let nothing = PatientRequest {
            specialist: None,
            ..PatientRequest::for_specialist("", day, day)
        };
        assert!(nothing.resolve(&instance, false).is_err());
    }
}
