//! MDT boards, clinic demand, surgeries, requests and the objective's weights.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use crate::diagnostics::did_you_mean;
use crate::instance::raw::{RawClinicDemand, RawMdtBoard, RawRequest, RawSurgery, RawWeights};
use crate::instance::{ClinicDemand, MdtBoard, Request, SiteIx, Specialist, Surgery};
use crate::objective::{Term, TermValues};

use super::{Builder, MAX_COUNT, at, item, optional_ref};

/// The fields every `[[requests]]` entry has, checked (`None`: a problem reported).
pub(super) struct RequestShared {
    pub sites: Option<Vec<SiteIx>>,
    pub earliest: Option<NaiveDate>,
    pub latest: Option<NaiveDate>,
    pub priority: Option<u8>,
    pub referred_by: Option<Option<SiteIx>>,
}

impl Builder {
    pub(super) fn mdt_boards(&mut self, raw: &[RawMdtBoard]) -> Vec<MdtBoard> {
        raw.iter()
            .enumerate()
            .filter_map(|(i, b)| {
                let path = |field| at("mdt_boards", i, field);
                let site = self.required_site(&b.site, &path("site"));
                if b.required.is_empty() {
                    self.d.error(path("required"), "no required disciplines");
                }
                let mut seen = BTreeSet::new();
                for (j, discipline) in b.required.iter().enumerate() {
                    if !seen.insert(discipline) {
                        self.d.error(
                            item(&path("required"), j),
                            format!("discipline \"{discipline}\" is listed twice"),
                        );
                    }
                }
                for (j, discipline) in b.remote_ok.iter().enumerate() {
                    if !b.required.contains(discipline) {
                        let hint = did_you_mean(discipline, b.required.iter().map(String::as_str))
                            .unwrap_or_else(|| "remote_ok must be a subset of required".into());
                        self.d.error_hint(
                            item(&path("remote_ok"), j),
                            format!("\"{discipline}\" is not a required discipline"),
                            hint,
                        );
                    }
                }
                let meetings_per_week = self.integer(
                    b.meetings_per_week,
                    &path("meetings_per_week"),
                    0,
                    MAX_COUNT,
                    None,
                );
                let sessions = match &b.sessions {
                    None => (0..self.calendar.sessions().len()).collect(),
                    Some(ids) => self.session_ids(ids, &path("sessions")),
                };
                let id = b.id.clone()?;
                Some(MdtBoard {
                    name: b.name.clone().unwrap_or_else(|| id.clone()),
                    id,
                    site: site?,
                    required: b.required.clone(),
                    remote_ok: b.remote_ok.clone(),
                    meetings_per_week: meetings_per_week?,
                    sessions,
                    room_tags: b.room_tags.clone(),
                })
            })
            .collect()
    }

    pub(super) fn session_ids(&mut self, ids: &[String], path: &str) -> Vec<usize> {
        let mut indices = BTreeSet::new();
        for (i, id) in ids.iter().enumerate() {
            match self.calendar.session_index(id) {
                Some(index) => {
                    indices.insert(index);
                }
                None => {
                    let known: Vec<&str> = self
                        .calendar
                        .sessions()
                        .iter()
                        .map(|s| s.id.as_str())
                        .collect();
                    let hint = did_you_mean(id, known.iter().copied())
                        .unwrap_or_else(|| format!("sessions are {}", known.join(", ")));
                    self.d
                        .error_hint(item(path, i), format!("unknown session \"{id}\""), hint);
                }
            }
        }
        indices.into_iter().collect()
    }

    pub(super) fn clinic_demand(&mut self, raw: &[RawClinicDemand]) -> Vec<ClinicDemand> {
        raw.iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let path = |field| at("clinic_demand", i, field);
                let site = self.required_site(&c.site, &path("site"));
                let discipline = self.required_text(&c.discipline, &path("discipline"));
                let sessions_per_week = self.integer(
                    c.sessions_per_week,
                    &path("sessions_per_week"),
                    0,
                    MAX_COUNT,
                    None,
                );
                Some(ClinicDemand {
                    site: site?,
                    discipline: discipline?,
                    sessions_per_week: sessions_per_week?,
                    room_tags: c.room_tags.clone(),
                })
            })
            .collect()
    }

    pub(super) fn surgeries(&mut self, raw: &[RawSurgery]) -> Vec<Surgery> {
        raw.iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let path = |field| at("surgeries", i, field);
                let patient = self.required_text(&s.patient, &path("patient"));
                let discipline = self.required_text(&s.discipline, &path("discipline"));
                let surgeon = s
                    .surgeon
                    .as_ref()
                    .map(|id| self.specialist_ref(id, &path("surgeon")));
                let grade = self.integer(s.grade, &path("grade"), 1, 4, None);
                let minutes = self.integer(s.minutes, &path("minutes"), 1, 24 * 60, None);
                let site = s.site.as_ref().map(|id| self.site_ref(id, &path("site")));
                let release = self.required_date(&s.release, &path("release"));
                let due = self.required_date(&s.due, &path("due"));
                let priority = self.integer(s.priority, &path("priority"), 1, 5, Some(1));
                if let (Some(release), Some(due)) = (release, due)
                    && due < release
                {
                    self.d.error(
                        path("due"),
                        format!("due date {due} is before the release date {release}"),
                    );
                }
                Some(Surgery {
                    id: s.id.clone()?,
                    patient: patient?,
                    discipline: discipline?,
                    surgeon: optional_ref(surgeon)?,
                    grade: u8::try_from(grade?).ok()?,
                    minutes: minutes?,
                    room_tags: s.room_tags.clone(),
                    site: optional_ref(site)?,
                    release: release?,
                    due: due?,
                    priority: u8::try_from(priority?).ok()?,
                })
            })
            .collect()
    }

    pub(super) fn requests(
        &mut self,
        raw: &[RawRequest],
        specialists: &[Specialist],
    ) -> Vec<Request> {
        raw.iter()
            .enumerate()
            .filter(|(_, r)| !r.asks_for_resource())
            .filter_map(|(i, r)| {
                let path = |field| at("requests", i, field);
                let patient = self.required_text(&r.patient, &path("patient"));
                let specialist = r
                    .specialist
                    .as_ref()
                    .map(|id| self.specialist_ref(id, &path("specialist")));
                let discipline = match (&r.discipline, &specialist) {
                    (Some(discipline), _) => Some(discipline.clone()),
                    (None, Some(Some(named))) => specialists
                        .get(named.0)
                        .and_then(|s| s.disciplines.first().cloned()),
                    (None, Some(None)) => None,
                    (None, None) => {
                        self.d.error_hint(
                            path("discipline"),
                            "missing required field",
                            "a request that names no specialist needs a discipline",
                        );
                        None
                    }
                };
                let shared = self.request_shared(i, r);
                Some(Request {
                    id: r.id.clone()?,
                    patient: patient?,
                    specialist: optional_ref(specialist)?,
                    discipline: discipline?,
                    sites: shared.sites,
                    earliest: shared.earliest?,
                    latest: shared.latest?,
                    substitute_ok: r.substitute_ok.unwrap_or(false),
                    priority: shared.priority?,
                    referred_by: shared.referred_by?,
                })
            })
            .collect()
    }

    /// Checks the fields every `[[requests]]` entry has, whatever it asks for (a
    /// specialist, a discipline or a resource): sites, window, priority, referring site.
    pub(super) fn request_shared(&mut self, i: usize, r: &RawRequest) -> RequestShared {
        let path = |field| at("requests", i, field);
        let sites = r.sites.as_ref().map(|ids| {
            if ids.is_empty() {
                self.d.error_hint(
                    path("sites"),
                    "no allowed sites",
                    "leave the field out to allow any site",
                );
            }
            self.site_list(ids, &path("sites"))
        });
        let earliest = self.required_date(&r.earliest, &path("earliest"));
        let latest = self.required_date(&r.latest, &path("latest"));
        if let (Some(earliest), Some(latest)) = (earliest, latest)
            && latest < earliest
        {
            self.d.error(
                path("latest"),
                format!("latest date {latest} is before the earliest date {earliest}"),
            );
        }
        let priority = self.integer(r.priority, &path("priority"), 1, 5, Some(1));
        let referred_by = optional_ref(
            r.referred_by
                .as_ref()
                .map(|site| self.site_ref(site, &path("referred_by"))),
        );
        RequestShared {
            sites,
            earliest,
            latest,
            priority: priority.and_then(|p| u8::try_from(p).ok()),
            referred_by,
        }
    }

    pub(super) fn weights(&mut self, raw: Option<&RawWeights>) -> TermValues {
        let mut weights = TermValues::default_weights();
        let Some(raw) = raw else {
            return weights;
        };
        let given = [
            raw.unserved_request,
            raw.substitute,
            raw.wait_day,
            raw.unscheduled_surgery,
            raw.surgery_late_day,
            raw.missing_mdt_meeting,
            raw.missing_studio_session,
            raw.unmet_clinic_session,
            raw.visiting_day_cost,
            raw.idle_visiting_session,
            raw.avoided_slot,
        ];
        for (term, value) in Term::ALL.into_iter().zip(given) {
            let Some(value) = value else { continue };
            if value.is_finite() && value >= 0.0 {
                weights[term] = value;
            } else {
                self.d.error(
                    format!("weights.{}", term.name()),
                    format!("{value} is out of range (must be a number ≥ 0)"),
                );
            }
        }
        weights
    }
}
