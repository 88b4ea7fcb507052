//! What-if scenarios: a named list of changes applied to a base instance ("one more
//! visiting expert", "residencies cut to 2 days", "theatre closed", "demand up 20%").
//!
//! Changes are applied to the file's raw form ([`RawInstance`]) and the result is
//! validated like any instance, so a scenario can never produce something `validate`
//! would reject. A change that names an unknown id is rejected with every such error
//! listed, each with its path in the scenario file (`changes[2].specialist`).

use std::path::Path;

use rand::seq::index::sample;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::diagnostics::{Diagnostic, Severity, did_you_mean};
use crate::instance::load::{parse, parse_with_unknown};
use crate::instance::raw::{
    RawInstance, RawRequest, RawResource, RawRoom, RawSpecialist, RawSurgery, RawWeights,
};
use crate::instance::{Instance, InstanceError, SourceFormat};

/// A scenario file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// A short name for tables ("ningde: residencies cut to 2 days").
    pub name: String,
    /// What it asks, for people.
    #[serde(default)]
    pub description: String,
    /// Seed of the sampling done by `scale_requests` and `scale_surgeries`.
    #[serde(default)]
    pub seed: u64,
    /// The changes, applied in order.
    #[serde(default)]
    pub changes: Vec<Change>,
}

/// One change to the base instance.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Change {
    /// A new specialist (a full `[[specialists]]` entry).
    AddSpecialist {
        /// The entry.
        specialist: RawSpecialist,
    },
    /// A specialist leaves: their residencies and studios go, they leave apprentice
    /// lists, surgeries naming them may go to any qualified surgeon, and requests
    /// naming them become requests for their discipline.
    RemoveSpecialist {
        /// The specialist's id.
        specialist: String,
    },
    /// A specialist or a room is unavailable on dates or slots.
    Unavailable {
        /// The specialist's id (or give `room`).
        specialist: Option<String>,
        /// The room's id (or give `specialist`).
        room: Option<String>,
        /// `YYYY-MM-DD` or `YYYY-MM-DD:SESSION`.
        slots: Vec<String>,
    },
    /// A residency changes (only the fields given).
    Residency {
        /// The visiting specialist.
        specialist: String,
        /// Which of their residencies (needed when they have several).
        site: Option<String>,
        /// New on-site days per week.
        days_per_week: Option<i64>,
        /// New fixed days (an empty list removes fixed days: the solver chooses).
        days: Option<Vec<String>>,
        /// New weeks (0-based).
        weeks: Option<Vec<i64>>,
    },
    /// A new room (a full `[[rooms]]` entry).
    AddRoom {
        /// The entry.
        room: RawRoom,
    },
    /// A new resource (a full `[[resources]]` entry, docs/format.md § Resources).
    AddResource {
        /// The entry.
        resource: RawResource,
    },
    /// A room closes for the whole horizon.
    CloseRoom {
        /// The room's id.
        room: String,
    },
    /// Clinic demand of a discipline at a site becomes `sessions_per_week` (added when
    /// there is none).
    ClinicDemand {
        /// The site.
        site: String,
        /// The discipline.
        discipline: String,
        /// Wanted sessions per week.
        sessions_per_week: i64,
    },
    /// An MDT board's weekly meetings.
    MdtMeetings {
        /// The board.
        board: String,
        /// Wanted meetings per week.
        meetings_per_week: i64,
    },
    /// A studio's weekly sessions.
    StudioCadence {
        /// The studio.
        studio: String,
        /// Wanted sessions per week.
        sessions_per_week: i64,
    },
    /// Requests scaled by a factor: below 1 a seeded sample is kept, above 1 seeded
    /// copies (new ids and patients) are added.
    ScaleRequests {
        /// The factor (≥ 0).
        factor: f64,
    },
    /// Surgeries scaled by a factor, as requests are.
    ScaleSurgeries {
        /// The factor (≥ 0).
        factor: f64,
    },
    /// Explicit new requests.
    AddRequests {
        /// `[[requests]]` entries.
        requests: Vec<RawRequest>,
    },
    /// Explicit new surgeries.
    AddSurgeries {
        /// `[[surgeries]]` entries.
        surgeries: Vec<RawSurgery>,
    },
    /// Objective weights (only the terms given).
    Weights {
        /// The terms to change.
        weights: RawWeights,
    },
}

/// Why a scenario could not be applied.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The scenario file could not be read or parsed.
    #[error("scenario file: {0}")]
    Unreadable(InstanceError),
    /// The base instance could not be read.
    #[error("base instance: {0}")]
    Base(InstanceError),
    /// Changes name unknown ids or give impossible values; every one is listed.
    #[error("{} error(s) in the scenario's changes", problems.len())]
    InvalidChanges {
        /// Each with its path in the scenario file.
        problems: Vec<Diagnostic>,
    },
    /// The changed instance is not valid (e.g. a residency that can no longer be met).
    #[error("the changed instance is invalid: {}", problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    InvalidResult {
        /// What `validate` says about the changed instance.
        problems: Vec<Diagnostic>,
    },
}

impl ScenarioError {
    /// Every problem, for listing.
    pub fn problems(&self) -> Vec<Diagnostic> {
        match self {
            ScenarioError::Unreadable(e) | ScenarioError::Base(e) => e.diagnostics(),
            ScenarioError::InvalidChanges { problems }
            | ScenarioError::InvalidResult { problems } => problems.clone(),
        }
    }
}

/// A scenario applied: the changed instance and what each change did.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The changed instance, as a file would hold it.
    pub raw: RawInstance,
    /// The changed instance, validated.
    pub instance: Instance,
    /// One line per effect ("removed residency of liu-jun at ningde", …).
    pub log: Vec<String>,
}

impl Scenario {
    /// Reads a scenario file (TOML, or JSON by extension or content).
    pub fn from_path(path: &Path) -> Result<Scenario, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|source| {
            ScenarioError::Unreadable(InstanceError::Io {
                path: path.to_path_buf(),
                source,
            })
        })?;
        Scenario::from_str_as(&text, SourceFormat::detect(path, &text))
    }

    /// Reads scenario text.
    pub fn from_str_as(text: &str, format: SourceFormat) -> Result<Scenario, ScenarioError> {
        parse_with_unknown::<Scenario>(text, format)
            .map(|(scenario, _)| scenario)
            .map_err(ScenarioError::Unreadable)
    }

    /// Applies the changes to a base instance's text.
    pub fn apply_to_text(
        &self,
        base: &str,
        format: SourceFormat,
    ) -> Result<Applied, ScenarioError> {
        let (raw, _) = parse(base, format).map_err(ScenarioError::Base)?;
        self.apply(&raw)
    }

    /// Applies the changes to a base instance's raw form and validates the result.
    pub fn apply(&self, base: &RawInstance) -> Result<Applied, ScenarioError> {
        let mut raw = base.clone();
        let mut log = Vec::new();
        let mut problems = Vec::new();
        let mut rng = rand::rngs::StdRng::seed_from_u64(self.seed);
        for (i, change) in self.changes.iter().enumerate() {
            let mut editor = Editor {
                raw: &mut raw,
                log: &mut log,
                problems: &mut problems,
                path: format!("changes[{i}]"),
            };
            editor.apply(change, &mut rng);
        }
        if !problems.is_empty() {
            return Err(ScenarioError::InvalidChanges { problems });
        }
        match Instance::from_raw(&raw) {
            Ok(instance) => Ok(Applied { raw, instance, log }),
            Err(error) => Err(ScenarioError::InvalidResult {
                problems: error
                    .diagnostics()
                    .into_iter()
                    .filter(|d| d.severity == Severity::Error)
                    .collect(),
            }),
        }
    }
}

/// Applies one change, recording effects and problems.
struct Editor<'a> {
    raw: &'a mut RawInstance,
    log: &'a mut Vec<String>,
    problems: &'a mut Vec<Diagnostic>,
    path: String,
}

fn id_of(id: &Option<String>) -> &str {
    id.as_deref().unwrap_or_default()
}

impl Editor<'_> {
    fn problem(&mut self, field: &str, message: String, hint: Option<String>) {
        self.problems.push(Diagnostic {
            severity: Severity::Error,
            path: format!("{}.{field}", self.path),
            message,
            hint,
        });
    }

    /// The position of an id in a list, or a problem naming the field.
    fn find<T>(
        &mut self,
        list: &[T],
        id: &str,
        what: &str,
        field: &str,
        key: impl Fn(&T) -> &str,
    ) -> Option<usize> {
        let found = list.iter().position(|item| key(item) == id);
        if found.is_none() {
            let hint = did_you_mean(id, list.iter().map(&key));
            self.problem(field, format!("unknown {what} \"{id}\""), hint);
        }
        found
    }

    fn specialist(&mut self, id: &str, field: &str) -> Option<usize> {
        let list = std::mem::take(&mut self.raw.specialists);
        let found = self.find(&list, id, "specialist", field, |s| id_of(&s.id));
        self.raw.specialists = list;
        found
    }

    fn room(&mut self, id: &str, field: &str) -> Option<usize> {
        let list = std::mem::take(&mut self.raw.rooms);
        let found = self.find(&list, id, "room", field, |r| id_of(&r.id));
        self.raw.rooms = list;
        found
    }

    fn non_negative(&mut self, field: &str, value: f64) -> bool {
        let ok = value.is_finite() && value >= 0.0;
        if !ok {
            self.problem(field, format!("factor {value} must be a number ≥ 0"), None);
        }
        ok
    }

    fn apply(&mut self, change: &Change, rng: &mut rand::rngs::StdRng) {
        match change {
            Change::AddSpecialist { specialist } => {
                self.log
                    .push(format!("added specialist {}", id_of(&specialist.id)));
                self.raw.specialists.push(specialist.clone());
            }
            Change::RemoveSpecialist { specialist } => self.remove_specialist(specialist),
            Change::Unavailable {
                specialist,
                room,
                slots,
            } => match (specialist, room) {
                (Some(id), None) => {
                    if let Some(s) = self.specialist(id, "specialist") {
                        self.raw.specialists[s]
                            .unavailable
                            .extend(slots.iter().cloned());
                        self.log
                            .push(format!("{id} unavailable on {}", slots.join(", ")));
                    }
                }
                (None, Some(id)) => {
                    if let Some(r) = self.room(id, "room") {
                        self.raw.rooms[r].unavailable.extend(slots.iter().cloned());
                        self.log
                            .push(format!("room {id} unavailable on {}", slots.join(", ")));
                    }
                }
                _ => self.problem(
                    "specialist",
                    "give exactly one of `specialist` and `room`".into(),
                    None,
                ),
            },
            Change::Residency {
                specialist,
                site,
                days_per_week,
                days,
                weeks,
            } => self.residency(specialist, site.as_deref(), *days_per_week, days, weeks),
            Change::AddRoom { room } => {
                self.log.push(format!("added room {}", id_of(&room.id)));
                self.raw.rooms.push(room.clone());
            }
            Change::AddResource { resource } => {
                self.log
                    .push(format!("added resource {}", id_of(&resource.id)));
                self.raw.resources.push(resource.clone());
            }
            Change::CloseRoom { room } => {
                if let Some(r) = self.room(room, "room") {
                    let dates = self.horizon_dates();
                    self.raw.rooms[r].unavailable.extend(dates);
                    self.log.push(format!("room {room} closed for the horizon"));
                }
            }
            Change::ClinicDemand {
                site,
                discipline,
                sessions_per_week,
            } => {
                let existing = self.raw.clinic_demand.iter_mut().find(|d| {
                    d.site.as_deref() == Some(site) && d.discipline.as_deref() == Some(discipline)
                });
                match existing {
                    Some(demand) => demand.sessions_per_week = Some(*sessions_per_week),
                    None => self
                        .raw
                        .clinic_demand
                        .push(crate::instance::raw::RawClinicDemand {
                            site: Some(site.clone()),
                            discipline: Some(discipline.clone()),
                            sessions_per_week: Some(*sessions_per_week),
                            room_tags: Vec::new(),
                        }),
                }
                self.log.push(format!(
                    "clinic demand {discipline} at {site}: {sessions_per_week} session(s) a week"
                ));
            }
            Change::MdtMeetings {
                board,
                meetings_per_week,
            } => {
                let list = std::mem::take(&mut self.raw.mdt_boards);
                let found = self.find(&list, board, "MDT board", "board", |b| id_of(&b.id));
                self.raw.mdt_boards = list;
                if let Some(b) = found {
                    self.raw.mdt_boards[b].meetings_per_week = Some(*meetings_per_week);
                    self.log
                        .push(format!("{board}: {meetings_per_week} meeting(s) a week"));
                }
            }
            Change::StudioCadence {
                studio,
                sessions_per_week,
            } => {
                let list = std::mem::take(&mut self.raw.studios);
                let found = self.find(&list, studio, "studio", "studio", |s| id_of(&s.id));
                self.raw.studios = list;
                if let Some(s) = found {
                    self.raw.studios[s].sessions_per_week = Some(*sessions_per_week);
                    self.log
                        .push(format!("{studio}: {sessions_per_week} session(s) a week"));
                }
            }
            Change::ScaleRequests { factor } => {
                if self.non_negative("factor", *factor) {
                    let before = self.raw.requests.len();
                    self.raw.requests = scale(&self.raw.requests, *factor, rng, |r, copy| {
                        let mut r = r.clone();
                        r.id = Some(format!("{}-x{copy}", id_of(&r.id)));
                        r.patient = Some(format!("{}-x{copy}", id_of(&r.patient)));
                        r
                    });
                    self.log.push(format!(
                        "requests × {factor}: {before} → {}",
                        self.raw.requests.len()
                    ));
                }
            }
            Change::ScaleSurgeries { factor } => {
                if self.non_negative("factor", *factor) {
                    let before = self.raw.surgeries.len();
                    self.raw.surgeries = scale(&self.raw.surgeries, *factor, rng, |s, copy| {
                        let mut s = s.clone();
                        s.id = Some(format!("{}-x{copy}", id_of(&s.id)));
                        s.patient = Some(format!("{}-x{copy}", id_of(&s.patient)));
                        s
                    });
                    self.log.push(format!(
                        "surgeries × {factor}: {before} → {}",
                        self.raw.surgeries.len()
                    ));
                }
            }
            Change::AddRequests { requests } => {
                self.log
                    .push(format!("added {} request(s)", requests.len()));
                self.raw.requests.extend(requests.iter().cloned());
            }
            Change::AddSurgeries { surgeries } => {
                self.log
                    .push(format!("added {} surgery(ies)", surgeries.len()));
                self.raw.surgeries.extend(surgeries.iter().cloned());
            }
            Change::Weights { weights } => {
                let target = self.raw.weights.get_or_insert_with(RawWeights::default);
                let changed = merge_weights(target, weights);
                self.log.push(format!("weights: {}", changed.join(", ")));
            }
        }
    }

    fn horizon_dates(&self) -> Vec<String> {
        let horizon = self.raw.horizon.as_ref();
        let start = horizon
            .and_then(|h| h.start.as_deref())
            .and_then(crate::calendar::parse_date);
        let weeks = horizon.and_then(|h| h.weeks).unwrap_or(1).clamp(1, 8);
        start
            .map(|start| {
                (0..weeks * 7)
                    .map(|d| (start + chrono::Days::new(d as u64)).to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn remove_specialist(&mut self, id: &str) {
        let Some(s) = self.specialist(id, "specialist") else {
            return;
        };
        let removed = self.raw.specialists.remove(s);
        self.log.push(format!("removed specialist {id}"));
        let named = |field: &Option<String>| field.as_deref() == Some(id);
        let residencies = self.raw.residencies.len();
        self.raw.residencies.retain(|r| !named(&r.specialist));
        if residencies != self.raw.residencies.len() {
            self.log.push(format!(
                "  their {} residency(ies) removed",
                residencies - self.raw.residencies.len()
            ));
        }
        let studios: Vec<String> = self
            .raw
            .studios
            .iter()
            .filter(|st| named(&st.lead))
            .map(|st| id_of(&st.id).to_string())
            .collect();
        self.raw.studios.retain(|st| !named(&st.lead));
        for studio in studios {
            self.log
                .push(format!("  studio {studio} (they led it) removed"));
        }
        for studio in &mut self.raw.studios {
            studio.apprentices.retain(|a| a != id);
        }
        for surgery in &mut self.raw.surgeries {
            if named(&surgery.surgeon) {
                surgery.surgeon = None;
                self.log.push(format!(
                    "  surgery {} now goes to any qualified surgeon",
                    id_of(&surgery.id)
                ));
            }
        }
        let first_discipline = removed
            .disciplines
            .as_ref()
            .and_then(|d| d.first().cloned());
        for request in &mut self.raw.requests {
            if named(&request.specialist) {
                request.specialist = None;
                if request.discipline.is_none() {
                    request.discipline = first_discipline.clone();
                }
                self.log.push(format!(
                    "  request {} now asks for any {} specialist",
                    id_of(&request.id),
                    request.discipline.as_deref().unwrap_or("?")
                ));
            }
        }
    }

    fn residency(
        &mut self,
        specialist: &str,
        site: Option<&str>,
        days_per_week: Option<i64>,
        days: &Option<Vec<String>>,
        weeks: &Option<Vec<i64>>,
    ) {
        if self.specialist(specialist, "specialist").is_none() {
            return;
        }
        let theirs: Vec<usize> = self
            .raw
            .residencies
            .iter()
            .enumerate()
            .filter(|(_, r)| r.specialist.as_deref() == Some(specialist))
            .filter(|(_, r)| site.is_none_or(|site| r.site.as_deref() == Some(site)))
            .map(|(i, _)| i)
            .collect();
        let r = match theirs.as_slice() {
            [one] => *one,
            [] => {
                self.problem(
                    "specialist",
                    format!(
                        "{specialist} has no residency{}",
                        site.map(|s| format!(" at {s}")).unwrap_or_default()
                    ),
                    None,
                );
                return;
            }
            _ => {
                self.problem(
                    "site",
                    format!("{specialist} has several residencies: name the site"),
                    None,
                );
                return;
            }
        };
        let residency = &mut self.raw.residencies[r];
        if let Some(n) = days_per_week {
            residency.days_per_week = Some(n);
        }
        if let Some(days) = days {
            residency.days = (!days.is_empty()).then(|| days.clone());
        } else if days_per_week.is_some() {
            // Fixed days no longer match the new count: let the solver choose them.
            residency.days = None;
        }
        if let Some(weeks) = weeks {
            residency.weeks = Some(weeks.clone());
        }
        self.log.push(format!(
            "residency of {specialist} at {}: {} day(s) a week{}",
            id_of(&residency.site),
            residency.days_per_week.unwrap_or(0),
            residency
                .days
                .as_ref()
                .map(|d| format!(" ({})", d.join(", ")))
                .unwrap_or_default()
        ));
    }
}

/// A seeded subset (factor < 1) or the list plus seeded copies (factor > 1).
fn scale<T: Clone>(
    items: &[T],
    factor: f64,
    rng: &mut rand::rngs::StdRng,
    copy: impl Fn(&T, usize) -> T,
) -> Vec<T> {
    let target = (items.len() as f64 * factor).round() as usize;
    if target <= items.len() {
        let mut keep = sample(rng, items.len(), target).into_vec();
        keep.sort_unstable();
        return keep.into_iter().map(|i| items[i].clone()).collect();
    }
    let mut scaled = items.to_vec();
    for n in 0..target - items.len() {
        let original = &items[rng.random_range(0..items.len())];
        scaled.push(copy(original, n + 1));
    }
    scaled
}

fn merge_weights(target: &mut RawWeights, given: &RawWeights) -> Vec<String> {
    let mut changed = Vec::new();
    macro_rules! merge {
        ($($term:ident),*) => {$(
            if let Some(value) = given.$term {
                target.$term = Some(value);
                changed.push(format!("{} = {value}", stringify!($term)));
            }
        )*};
    }
    merge!(
        unserved_request,
        substitute,
        wait_day,
        unscheduled_surgery,
        surgery_late_day,
        missing_mdt_meeting,
        missing_studio_session,
        unmet_clinic_session,
        visiting_day_cost,
        idle_visiting_session,
        avoided_slot
    );
    changed
}
