//! From [`RawInstance`] to [`Instance`]: apply the defaults of PROBLEM.md §1–2, parse
//! dates, times and references, resolve ids, and record every problem with its field
//! path. Cross-entity checks that need the resolved instance live in
//! [`super::feasibility`].

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, Weekday};

use super::raw::{
    RawClinicDemand, RawHorizon, RawInstance, RawMdtBoard, RawRequest, RawResidency, RawRoom,
    RawSite, RawSpecialist, RawStudio, RawSurgery, RawTravel, RawWeights,
};
use super::{
    BoardIx, ClinicDemand, IdIndex, Instance, InstanceError, MdtBoard, Request, RequestIx,
    Residency, Room, RoomIx, RoomKind, Site, SiteIx, SiteKind, Specialist, SpecialistIx, Studio,
    StudioIx, Surgery, SurgeryIx, Travel,
};
use crate::calendar::{
    Calendar, Session, SlotSet, WEEKDAYS, WeeklyPattern, parse_date, parse_time, parse_weekday,
};
use crate::diagnostics::{Diagnostics, did_you_mean};
use crate::objective::{Term, TermValues};

/// Field names of each section, for "did you mean" on unknown fields.
const KNOWN_FIELDS: &[(&str, &[&str])] = &[
    (
        "",
        &[
            "name",
            "horizon",
            "sites",
            "travel",
            "rooms",
            "specialists",
            "residencies",
            "studios",
            "mdt_boards",
            "clinic_demand",
            "surgeries",
            "requests",
            "weights",
            "pins",
        ],
    ),
    (
        "pins",
        &[
            "id",
            "note",
            "forbid",
            "specialist",
            "date",
            "session",
            "activity",
            "site",
            "room",
            "discipline",
            "studio",
            "role",
            "board",
            "remote",
            "surgery",
            "surgeon",
            "request",
            "substitute",
        ],
    ),
    (
        "horizon",
        &["start", "weeks", "sessions", "closed_weekdays", "holidays"],
    ),
    ("horizon.sessions", &["id", "start", "end"]),
    ("sites", &["id", "name", "kind"]),
    ("travel", &["from", "to", "minutes"]),
    (
        "rooms",
        &[
            "id",
            "site",
            "kind",
            "tags",
            "unavailable",
            "capacity_minutes",
        ],
    ),
    (
        "specialists",
        &[
            "id",
            "name",
            "visiting",
            "home",
            "sites",
            "disciplines",
            "surgery_grade",
            "available",
            "unavailable",
            "max_sessions_per_week",
            "max_sessions_per_day",
            "clinic_capacity",
            "day_cost",
            "avoid",
        ],
    ),
    (
        "residencies",
        &[
            "specialist",
            "site",
            "days_per_week",
            "days",
            "consecutive",
            "same_days_every_week",
            "weeks",
        ],
    ),
    (
        "studios",
        &[
            "id",
            "name",
            "lead",
            "site",
            "discipline",
            "sessions_per_week",
            "room_tags",
            "apprentices",
            "min_apprentices",
        ],
    ),
    (
        "mdt_boards",
        &[
            "id",
            "name",
            "site",
            "required",
            "remote_ok",
            "meetings_per_week",
            "sessions",
            "room_tags",
        ],
    ),
    (
        "clinic_demand",
        &["site", "discipline", "sessions_per_week", "room_tags"],
    ),
    (
        "surgeries",
        &[
            "id",
            "patient",
            "discipline",
            "surgeon",
            "grade",
            "minutes",
            "room_tags",
            "site",
            "release",
            "due",
            "priority",
        ],
    ),
    (
        "requests",
        &[
            "id",
            "patient",
            "specialist",
            "discipline",
            "sites",
            "earliest",
            "latest",
            "substitute_ok",
            "priority",
        ],
    ),
    (
        "weights",
        &[
            "unserved_request",
            "substitute",
            "wait_day",
            "unscheduled_surgery",
            "surgery_late_day",
            "missing_mdt_meeting",
            "missing_studio_session",
            "unmet_clinic_session",
            "visiting_day_cost",
            "idle_visiting_session",
            "avoided_slot",
        ],
    ),
];

/// Upper bound for weekly counts (sessions, meetings, apprentices, loads): far above
/// any real week, low enough that sums over a horizon cannot overflow.
const MAX_COUNT: i64 = 1_000;
/// Upper bound for patients per clinic session.
const MAX_CAPACITY: i64 = 10_000;

/// Validates a parsed file and builds the instance, or lists every problem.
pub(super) fn build(
    raw: &RawInstance,
    unknown_fields: Vec<String>,
) -> Result<Instance, InstanceError> {
    let mut builder = Builder {
        d: Diagnostics::default(),
        calendar: Calendar::new(
            NaiveDate::MIN,
            1,
            Calendar::default_sessions(),
            &[Weekday::Sat, Weekday::Sun],
            BTreeSet::new(),
        ),
        ids: IdIndex::default(),
        calendar_built: false,
    };
    for path in &unknown_fields {
        builder.unknown_field(path);
    }
    let name = builder.required_text(&raw.name, "name").unwrap_or_default();
    match &raw.horizon {
        Some(horizon) => builder.calendar(horizon),
        None => builder.d.error_hint(
            "horizon",
            "missing required section",
            "add [horizon] with start and weeks",
        ),
    }
    builder.index_ids(raw);

    let sites = builder.sites(&raw.sites);
    let travel = builder.travel(&raw.travel);
    let rooms = builder.rooms(&raw.rooms);
    let specialists = builder.specialists(&raw.specialists);
    let residencies = builder.residencies(&raw.residencies, &specialists);
    let studios = builder.studios(&raw.studios, &specialists);
    let mdt_boards = builder.mdt_boards(&raw.mdt_boards);
    let clinic_demand = builder.clinic_demand(&raw.clinic_demand);
    let surgeries = builder.surgeries(&raw.surgeries);
    let requests = builder.requests(&raw.requests, &specialists);
    let weights = builder.weights(raw.weights.as_ref());

    // Cross-entity checks need every entity and the calendar; they still run after
    // errors that left all of those standing (an unknown field, a bad weight…).
    let complete = builder.calendar_built
        && sites.len() == raw.sites.len()
        && travel.len() == raw.travel.len()
        && rooms.len() == raw.rooms.len()
        && specialists.len() == raw.specialists.len()
        && residencies.len() == raw.residencies.len()
        && studios.len() == raw.studios.len()
        && mdt_boards.len() == raw.mdt_boards.len()
        && clinic_demand.len() == raw.clinic_demand.len()
        && surgeries.len() == raw.surgeries.len()
        && requests.len() == raw.requests.len();
    let Builder {
        mut d,
        calendar,
        ids,
        ..
    } = builder;
    if !complete {
        d.note_skipped_cross_checks();
        return Err(InstanceError::Invalid {
            diagnostics: d.into_vec(),
        });
    }
    let mut instance = Instance {
        name,
        calendar,
        sites,
        travel,
        rooms,
        specialists,
        residencies,
        studios,
        mdt_boards,
        clinic_demand,
        surgeries,
        requests,
        weights,
        pins: Vec::new(),
        warnings: Vec::new(),
        ids,
    };
    super::feasibility::check(&instance, &mut d);
    instance.pins = crate::pins::build::build(&raw.pins, &instance, &mut d);
    if d.has_errors() {
        return Err(InstanceError::Invalid {
            diagnostics: d.into_vec(),
        });
    }
    instance.warnings = d.into_vec();
    Ok(instance)
}

struct Builder {
    d: Diagnostics,
    calendar: Calendar,
    ids: IdIndex,
    calendar_built: bool,
}

fn at(section: &str, index: usize, field: &str) -> String {
    if field.is_empty() {
        format!("{section}[{index}]")
    } else {
        format!("{section}[{index}].{field}")
    }
}

/// An optional reference: absent is fine (`Some(None)`), given but unresolved fails.
fn optional_ref<T>(reference: Option<Option<T>>) -> Option<Option<T>> {
    match reference {
        None => Some(None),
        Some(resolved) => resolved.map(Some),
    }
}

fn item(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

impl Builder {
    fn unknown_field(&mut self, path: &str) {
        let (parent, field) = path.rsplit_once('.').unwrap_or(("", path));
        let section: String = parent
            .split('.')
            .map(|part| part.split('[').next().unwrap_or(part))
            .collect::<Vec<_>>()
            .join(".");
        let known = KNOWN_FIELDS
            .iter()
            .find(|(name, _)| *name == section)
            .map(|(_, fields)| *fields)
            .unwrap_or(&[]);
        let hint = did_you_mean(field, known.iter().copied());
        self.d
            .error_maybe_hint(path, format!("unknown field \"{field}\""), hint);
    }

    fn required_text(&mut self, value: &Option<String>, path: &str) -> Option<String> {
        match value {
            None => {
                self.d.error(path, "missing required field");
                None
            }
            Some(text) if text.trim().is_empty() => {
                self.d.error(path, "must not be empty");
                None
            }
            Some(text) => Some(text.clone()),
        }
    }

    fn required<'v, T>(&mut self, value: &'v Option<T>, path: &str) -> Option<&'v T> {
        if value.is_none() {
            self.d.error(path, "missing required field");
        }
        value.as_ref()
    }

    /// An integer in `lo..=hi`, or `default` when absent (`None` default: required).
    fn integer(
        &mut self,
        value: Option<i64>,
        path: &str,
        lo: i64,
        hi: i64,
        default: Option<i64>,
    ) -> Option<u32> {
        let value = match (value, default) {
            (Some(v), _) => v,
            (None, Some(d)) => d,
            (None, None) => {
                self.d.error(path, "missing required field");
                return None;
            }
        };
        if value < lo || value > hi {
            self.d.error(
                path,
                format!("{value} is out of range (must be {lo} to {hi})"),
            );
            return None;
        }
        u32::try_from(value).ok()
    }

    fn date(&mut self, text: &str, path: &str) -> Option<NaiveDate> {
        let date = parse_date(text);
        if date.is_none() {
            self.d.error_hint(
                path,
                format!("\"{text}\" is not a date"),
                "write dates as YYYY-MM-DD, e.g. \"2026-03-02\"",
            );
        }
        date
    }

    fn required_date(&mut self, value: &Option<String>, path: &str) -> Option<NaiveDate> {
        let text = self.required(value, path)?;
        self.date(text, path)
    }

    fn calendar(&mut self, horizon: &RawHorizon) {
        let start = self.required_date(&horizon.start, "horizon.start");
        let weeks = self.integer(horizon.weeks, "horizon.weeks", 1, 8, None);
        let sessions = match &horizon.sessions {
            None => Calendar::default_sessions(),
            Some(list) => self.sessions(list),
        };
        let closed_texts: Vec<String> = horizon
            .closed_weekdays
            .clone()
            .unwrap_or_else(|| vec!["sat".into(), "sun".into()]);
        let closed: Vec<Weekday> = closed_texts
            .iter()
            .enumerate()
            .filter_map(|(i, text)| self.weekday(text, &item("horizon.closed_weekdays", i)))
            .collect();
        let holidays: BTreeSet<NaiveDate> = horizon
            .holidays
            .iter()
            .enumerate()
            .filter_map(|(i, text)| self.date(text, &item("horizon.holidays", i)))
            .collect();
        let (Some(start), Some(weeks)) = (start, weeks) else {
            return;
        };
        if start.year() < 1900 || start.year() > 9000 {
            self.d.error(
                "horizon.start",
                format!("{start} is out of range (years 1900 to 9000)"),
            );
            return;
        }
        let calendar = Calendar::new(start, weeks, sessions, &closed, holidays);
        for (i, holiday) in horizon.holidays.iter().enumerate() {
            if let Some(date) = parse_date(holiday).filter(|d| !calendar.contains(*d)) {
                self.d.warning(
                    item("horizon.holidays", i),
                    format!(
                        "{date} is outside the horizon ({} … {}); it has no effect",
                        calendar.start(),
                        calendar.end()
                    ),
                );
            }
        }
        if calendar.open_dates().is_empty() {
            self.d
                .error("horizon", "every date of the horizon is closed");
        }
        self.calendar = calendar;
        self.calendar_built = true;
    }

    fn sessions(&mut self, list: &[super::raw::RawSession]) -> Vec<Session> {
        if list.is_empty() {
            self.d.error_hint(
                "horizon.sessions",
                "no sessions",
                "list at least one, or leave the field out for am/pm",
            );
        }
        let mut sessions: Vec<Session> = Vec::new();
        let mut seen = BTreeSet::new();
        for (i, raw) in list.iter().enumerate() {
            let path = item("horizon.sessions", i);
            let id = self.required_text(&raw.id, &format!("{path}.id"));
            let start = self.time(&raw.start, &format!("{path}.start"));
            let end = self.time(&raw.end, &format!("{path}.end"));
            if let Some(id) = &id
                && !seen.insert(id.clone())
            {
                self.d.error(
                    format!("{path}.id"),
                    format!("duplicate session id \"{id}\""),
                );
            }
            if id.as_deref().is_some_and(|id| id.contains(':')) {
                self.d
                    .error(format!("{path}.id"), "session ids must not contain ':'");
            }
            let (Some(id), Some(start), Some(end)) = (id, start, end) else {
                continue;
            };
            // Bad sessions are still kept so that references to them resolve and the
            // user sees this error, not a cascade of "unknown session" ones.
            if end <= start {
                self.d.error(
                    format!("{path}.end"),
                    format!(
                        "session \"{id}\" ends ({}) before it starts ({})",
                        end.format("%H:%M"),
                        start.format("%H:%M")
                    ),
                );
            } else if let Some(previous) = sessions.last()
                && start < previous.end
            {
                self.d.error_hint(
                    format!("{path}.start"),
                    format!(
                        "session \"{id}\" starts at {} before session \"{}\" ends at {}",
                        start.format("%H:%M"),
                        previous.id,
                        previous.end.format("%H:%M")
                    ),
                    "sessions must be listed in time order without overlap",
                );
            }
            sessions.push(Session { id, start, end });
        }
        sessions
    }

    fn time(&mut self, value: &Option<String>, path: &str) -> Option<chrono::NaiveTime> {
        let text = self.required(value, path)?;
        let time = parse_time(text);
        if time.is_none() {
            self.d.error_hint(
                path,
                format!("\"{text}\" is not a time"),
                "write times as HH:MM, e.g. \"08:00\"",
            );
        }
        time
    }

    fn weekday(&mut self, text: &str, path: &str) -> Option<Weekday> {
        let day = parse_weekday(text);
        if day.is_none() {
            let names = WEEKDAYS.map(crate::calendar::weekday_name);
            let hint = did_you_mean(text, names).unwrap_or_else(|| "use mon … sun".into());
            self.d
                .error_hint(path, format!("\"{text}\" is not a weekday"), hint);
        }
        day
    }

    fn weekly_pattern(&mut self, texts: &[String], path: &str) -> WeeklyPattern {
        let mut pattern = WeeklyPattern::empty(self.calendar.sessions().len());
        for (i, text) in texts.iter().enumerate() {
            match self.calendar.parse_weekday_ref(text) {
                Ok(reference) => pattern.insert(reference),
                Err(error) => self.d.error_hint(
                    item(path, i),
                    error.to_string(),
                    "write \"tue\" or \"tue:pm\"",
                ),
            }
        }
        pattern
    }

    fn slot_set(&mut self, texts: &[String], path: &str) -> SlotSet {
        let mut set = SlotSet::default();
        for (i, text) in texts.iter().enumerate() {
            match self.calendar.parse_slot_ref(text) {
                Ok(reference) => {
                    if self.calendar.start() != NaiveDate::MIN
                        && !self.calendar.contains(reference.date)
                    {
                        self.d.warning(
                            item(path, i),
                            format!(
                                "{} is outside the horizon ({} … {}); it has no effect",
                                reference.date,
                                self.calendar.start(),
                                self.calendar.end()
                            ),
                        );
                    }
                    set.insert(reference);
                }
                Err(error) => self.d.error_hint(
                    item(path, i),
                    error.to_string(),
                    "write \"2026-03-02\" or \"2026-03-02:am\"",
                ),
            }
        }
        set
    }

    /// Builds the id maps of every section, reporting missing and duplicate ids.
    fn index_ids(&mut self, raw: &RawInstance) {
        fn index<T: Copy>(
            d: &mut Diagnostics,
            section: &str,
            ids: impl Iterator<Item = Option<String>>,
            make: fn(usize) -> T,
        ) -> BTreeMap<String, T> {
            let mut map = BTreeMap::new();
            let mut first: BTreeMap<String, usize> = BTreeMap::new();
            for (i, id) in ids.enumerate() {
                let path = at(section, i, "id");
                match id {
                    None => d.error(path, "missing required field"),
                    Some(id) if id.trim().is_empty() => d.error(path, "must not be empty"),
                    Some(id) => {
                        if let Some(previous) = first.get(&id) {
                            d.error(
                                path,
                                format!(
                                    "duplicate id \"{id}\" (first used at {})",
                                    at(section, *previous, "id")
                                ),
                            );
                        } else {
                            first.insert(id.clone(), i);
                            map.insert(id, make(i));
                        }
                    }
                }
            }
            map
        }
        let d = &mut self.d;
        self.ids.sites = index(d, "sites", raw.sites.iter().map(|x| x.id.clone()), SiteIx);
        self.ids.rooms = index(d, "rooms", raw.rooms.iter().map(|x| x.id.clone()), RoomIx);
        self.ids.specialists = index(
            d,
            "specialists",
            raw.specialists.iter().map(|x| x.id.clone()),
            SpecialistIx,
        );
        self.ids.studios = index(
            d,
            "studios",
            raw.studios.iter().map(|x| x.id.clone()),
            StudioIx,
        );
        self.ids.boards = index(
            d,
            "mdt_boards",
            raw.mdt_boards.iter().map(|x| x.id.clone()),
            BoardIx,
        );
        self.ids.surgeries = index(
            d,
            "surgeries",
            raw.surgeries.iter().map(|x| x.id.clone()),
            SurgeryIx,
        );
        self.ids.requests = index(
            d,
            "requests",
            raw.requests.iter().map(|x| x.id.clone()),
            RequestIx,
        );
    }

    fn site_ref(&mut self, id: &str, path: &str) -> Option<SiteIx> {
        let found = self.ids.sites.get(id).copied();
        if found.is_none() {
            let hint = did_you_mean(id, self.ids.sites.keys().map(String::as_str));
            self.d
                .error_maybe_hint(path, format!("unknown site \"{id}\""), hint);
        }
        found
    }

    fn required_site(&mut self, value: &Option<String>, path: &str) -> Option<SiteIx> {
        let id = self.required(value, path)?;
        self.site_ref(id, path)
    }

    fn site_list(&mut self, ids: &[String], path: &str) -> Vec<SiteIx> {
        ids.iter()
            .enumerate()
            .filter_map(|(i, id)| self.site_ref(id, &item(path, i)))
            .collect()
    }

    fn specialist_ref(&mut self, id: &str, path: &str) -> Option<SpecialistIx> {
        let found = self.ids.specialists.get(id).copied();
        if found.is_none() {
            let hint = did_you_mean(id, self.ids.specialists.keys().map(String::as_str));
            self.d
                .error_maybe_hint(path, format!("unknown specialist \"{id}\""), hint);
        }
        found
    }

    fn kind<T: Copy>(
        &mut self,
        value: &Option<String>,
        path: &str,
        names: &[&'static str],
        kinds: &[T],
    ) -> Option<T> {
        let text = self.required(value, path)?;
        match names.iter().position(|name| name == text) {
            Some(i) => Some(kinds[i]),
            None => {
                let hint = did_you_mean(text, names.iter().copied())
                    .unwrap_or_else(|| format!("one of {}", names.join(", ")));
                self.d
                    .error_hint(path, format!("unknown kind \"{text}\""), hint);
                None
            }
        }
    }

    fn sites(&mut self, raw: &[RawSite]) -> Vec<Site> {
        raw.iter()
            .enumerate()
            .filter_map(|(i, site)| {
                let id = site.id.clone()?;
                let kind = self.kind(
                    &site.kind,
                    &at("sites", i, "kind"),
                    &SiteKind::NAMES,
                    &[SiteKind::Hub, SiteKind::Hospital, SiteKind::Community],
                )?;
                Some(Site {
                    name: site.name.clone().unwrap_or_else(|| id.clone()),
                    id,
                    kind,
                })
            })
            .collect()
    }

    fn travel(&mut self, raw: &[RawTravel]) -> Vec<Travel> {
        let mut seen: BTreeMap<(SiteIx, SiteIx), usize> = BTreeMap::new();
        let mut travel = Vec::new();
        for (i, entry) in raw.iter().enumerate() {
            let from = self.required_site(&entry.from, &at("travel", i, "from"));
            let to = self.required_site(&entry.to, &at("travel", i, "to"));
            let minutes =
                self.integer(entry.minutes, &at("travel", i, "minutes"), 0, 24 * 60, None);
            let (Some(from), Some(to), Some(minutes)) = (from, to, minutes) else {
                continue;
            };
            if from == to {
                self.d
                    .error(at("travel", i, "to"), "travel from a site to itself");
                continue;
            }
            let key = (from.min(to), from.max(to));
            if let Some(first) = seen.insert(key, i) {
                self.d.error(
                    at("travel", i, ""),
                    format!("travel between these sites is already given at travel[{first}]"),
                );
                continue;
            }
            travel.push(Travel { from, to, minutes });
        }
        travel
    }

    fn rooms(&mut self, raw: &[RawRoom]) -> Vec<Room> {
        raw.iter()
            .enumerate()
            .filter_map(|(i, room)| {
                let site = self.required_site(&room.site, &at("rooms", i, "site"));
                let kind = self.kind(
                    &room.kind,
                    &at("rooms", i, "kind"),
                    &RoomKind::NAMES,
                    &[RoomKind::Clinic, RoomKind::Meeting, RoomKind::Theatre],
                );
                let unavailable = self.slot_set(&room.unavailable, &at("rooms", i, "unavailable"));
                let capacity_minutes = match room.capacity_minutes {
                    None => None,
                    Some(value) => self.integer(
                        Some(value),
                        &at("rooms", i, "capacity_minutes"),
                        1,
                        24 * 60,
                        None,
                    ),
                };
                if capacity_minutes.is_some() && kind.is_some_and(|k| k != RoomKind::Theatre) {
                    self.d.warning(
                        at("rooms", i, "capacity_minutes"),
                        "capacity_minutes applies to theatres only; it is ignored here",
                    );
                }
                Some(Room {
                    id: room.id.clone()?,
                    site: site?,
                    kind: kind?,
                    tags: room.tags.clone(),
                    unavailable,
                    capacity_minutes,
                })
            })
            .collect()
    }

    fn specialists(&mut self, raw: &[RawSpecialist]) -> Vec<Specialist> {
        raw.iter()
            .enumerate()
            .filter_map(|(i, s)| self.specialist(i, s))
            .collect()
    }

    fn specialist(&mut self, i: usize, s: &RawSpecialist) -> Option<Specialist> {
        let path = |field| at("specialists", i, field);
        let sites = match self.required(&s.sites, &path("sites")) {
            Some(list) if list.is_empty() => {
                self.d.error_hint(
                    path("sites"),
                    "no sites",
                    "list at least one site where they may work",
                );
                None
            }
            Some(list) => Some(self.site_list(list, &path("sites"))),
            None => None,
        };
        let disciplines = match self.required(&s.disciplines, &path("disciplines")) {
            Some(list) if list.is_empty() => {
                self.d.error(path("disciplines"), "no disciplines");
                None
            }
            Some(list) => {
                for (j, discipline) in list.iter().enumerate() {
                    if discipline.trim().is_empty() {
                        self.d
                            .error(item(&path("disciplines"), j), "must not be empty");
                    }
                }
                Some(list.clone())
            }
            None => None,
        };
        let surgery_grade = self.integer(s.surgery_grade, &path("surgery_grade"), 0, 4, Some(0));
        let default_available = ["mon", "tue", "wed", "thu", "fri"].map(String::from);
        let available = self.weekly_pattern(
            s.available.as_deref().unwrap_or(&default_available),
            &path("available"),
        );
        let unavailable = self.slot_set(&s.unavailable, &path("unavailable"));
        let max_sessions_per_week = s.max_sessions_per_week.and_then(|v| {
            self.integer(Some(v), &path("max_sessions_per_week"), 0, MAX_COUNT, None)
        });
        let max_sessions_per_day = s
            .max_sessions_per_day
            .and_then(|v| self.integer(Some(v), &path("max_sessions_per_day"), 0, MAX_COUNT, None));
        let clinic_capacity = self.integer(
            s.clinic_capacity,
            &path("clinic_capacity"),
            0,
            MAX_CAPACITY,
            Some(20),
        );
        let visiting = s.visiting.unwrap_or(false);
        let day_cost = s.day_cost.unwrap_or(0.0);
        if !day_cost.is_finite() || day_cost < 0.0 {
            self.d.error(
                path("day_cost"),
                format!("{day_cost} is out of range (must be at least 0)"),
            );
        } else if day_cost > 0.0 && !visiting {
            self.d.warning(
                path("day_cost"),
                "day_cost applies to visiting specialists only; it is ignored here",
            );
        }
        let avoid = self.weekly_pattern(&s.avoid, &path("avoid"));
        let id = s.id.clone()?;
        Some(Specialist {
            name: s.name.clone().unwrap_or_else(|| id.clone()),
            id,
            visiting,
            home: s.home.clone().unwrap_or_default(),
            sites: sites?,
            disciplines: disciplines?,
            surgery_grade: u8::try_from(surgery_grade?).ok()?,
            available,
            unavailable,
            max_sessions_per_week,
            max_sessions_per_day,
            clinic_capacity: clinic_capacity?,
            day_cost,
            avoid,
        })
    }

    fn residencies(&mut self, raw: &[RawResidency], specialists: &[Specialist]) -> Vec<Residency> {
        raw.iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let path = |field| at("residencies", i, field);
                let specialist = self
                    .required(&r.specialist, &path("specialist"))
                    .cloned()
                    .and_then(|id| self.specialist_ref(&id, &path("specialist")));
                let site = self.required_site(&r.site, &path("site"));
                if let (Some(who), Some(site)) = (specialist, site)
                    && let Some(person) = specialists.get(who.0)
                {
                    if !person.visiting {
                        self.d.error_hint(
                            path("specialist"),
                            format!("\"{}\" is not visiting", person.id),
                            "residencies are for visiting specialists (visiting = true)",
                        );
                    }
                    if !person.works_at(site) {
                        self.d.error_hint(
                            path("site"),
                            format!(
                                "\"{}\" is not among the sites of \"{}\"",
                                r.site.as_deref().unwrap_or_default(),
                                person.id
                            ),
                            "add it to the specialist's sites",
                        );
                    }
                }
                let days_per_week =
                    self.integer(r.days_per_week, &path("days_per_week"), 1, 7, None);
                let days = r.days.as_ref().map(|texts| {
                    let days: Vec<Weekday> = texts
                        .iter()
                        .enumerate()
                        .filter_map(|(j, text)| self.weekday(text, &item(&path("days"), j)))
                        .collect();
                    let distinct: BTreeSet<u32> =
                        days.iter().map(|d| d.num_days_from_monday()).collect();
                    if distinct.len() != days.len() {
                        self.d.error(path("days"), "a weekday is listed twice");
                    }
                    if let Some(expected) = days_per_week
                        && texts.len() != expected as usize
                    {
                        self.d.error(
                            path("days"),
                            format!(
                                "lists {} weekday(s) but days_per_week is {expected}",
                                texts.len()
                            ),
                        );
                    }
                    days
                });
                let weeks = self.weeks(r.weeks.as_deref(), &path("weeks"));
                Some(Residency {
                    specialist: specialist?,
                    site: site?,
                    days_per_week: days_per_week?,
                    days,
                    consecutive: r.consecutive.unwrap_or(true),
                    same_days_every_week: r.same_days_every_week.unwrap_or(true),
                    weeks,
                })
            })
            .collect()
    }

    fn weeks(&mut self, weeks: Option<&[i64]>, path: &str) -> Vec<u32> {
        let horizon_weeks = self.calendar.weeks();
        let Some(list) = weeks else {
            return (0..horizon_weeks).collect();
        };
        let mut result = BTreeSet::new();
        for (i, week) in list.iter().enumerate() {
            if *week < 0 || *week >= i64::from(horizon_weeks) {
                self.d.error(
                    item(path, i),
                    format!(
                        "week {week} is out of range (the horizon has weeks 0 to {})",
                        horizon_weeks - 1
                    ),
                );
            } else if !result.insert(*week as u32) {
                self.d
                    .error(item(path, i), format!("week {week} is listed twice"));
            }
        }
        result.into_iter().collect()
    }

    fn studios(&mut self, raw: &[RawStudio], specialists: &[Specialist]) -> Vec<Studio> {
        raw.iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let path = |field| at("studios", i, field);
                let lead = self
                    .required(&s.lead, &path("lead"))
                    .cloned()
                    .and_then(|id| self.specialist_ref(&id, &path("lead")));
                let site = self.required_site(&s.site, &path("site"));
                let sessions_per_week = self.integer(
                    s.sessions_per_week,
                    &path("sessions_per_week"),
                    0,
                    MAX_COUNT,
                    None,
                );
                let apprentices: Vec<SpecialistIx> = s
                    .apprentices
                    .iter()
                    .enumerate()
                    .filter_map(|(j, id)| self.specialist_ref(id, &item(&path("apprentices"), j)))
                    .collect();
                let min_apprentices = self.integer(
                    s.min_apprentices,
                    &path("min_apprentices"),
                    0,
                    MAX_COUNT,
                    Some(1),
                );
                let discipline = match (&s.discipline, lead.and_then(|l| specialists.get(l.0))) {
                    (Some(discipline), _) => Some(discipline.clone()),
                    (None, Some(lead)) => lead.disciplines.first().cloned(),
                    (None, None) => None,
                };
                let id = s.id.clone()?;
                Some(Studio {
                    name: s.name.clone().unwrap_or_else(|| id.clone()),
                    id,
                    lead: lead?,
                    site: site?,
                    discipline: discipline?,
                    sessions_per_week: sessions_per_week?,
                    room_tags: s.room_tags.clone(),
                    apprentices,
                    min_apprentices: min_apprentices?,
                })
            })
            .collect()
    }

    fn mdt_boards(&mut self, raw: &[RawMdtBoard]) -> Vec<MdtBoard> {
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

    fn session_ids(&mut self, ids: &[String], path: &str) -> Vec<usize> {
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

    fn clinic_demand(&mut self, raw: &[RawClinicDemand]) -> Vec<ClinicDemand> {
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

    fn surgeries(&mut self, raw: &[RawSurgery]) -> Vec<Surgery> {
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

    fn requests(&mut self, raw: &[RawRequest], specialists: &[Specialist]) -> Vec<Request> {
        raw.iter()
            .enumerate()
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
                Some(Request {
                    id: r.id.clone()?,
                    patient: patient?,
                    specialist: optional_ref(specialist)?,
                    discipline: discipline?,
                    sites,
                    earliest: earliest?,
                    latest: latest?,
                    substitute_ok: r.substitute_ok.unwrap_or(false),
                    priority: u8::try_from(priority?).ok()?,
                })
            })
            .collect()
    }

    fn weights(&mut self, raw: Option<&RawWeights>) -> TermValues {
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
