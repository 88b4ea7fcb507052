//! Validating `[[pins]]`: each pin's list (assignments, surgeries, bookings) from its
//! fields, ids resolved with "did you mean", fields that no entry of that list can
//! combine rejected with their path, duplicate pin ids.

use std::collections::BTreeMap;

use crate::diagnostics::{Diagnostics, did_you_mean};
use crate::instance::raw::RawPin;
use crate::instance::{Instance, RoomKind};
use crate::roster::{Activity, StudioRole};

use super::{AssignmentPattern, BookingPattern, Pattern, Pin, SurgeryPattern};

/// Fields each list's entries have (besides `id`, `note`, `forbid`).
const ASSIGNMENT_FIELDS: &[&str] = &[
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
];
const SURGERY_FIELDS: &[&str] = &["surgery", "date", "session", "room", "surgeon"];
const BOOKING_FIELDS: &[&str] = &[
    "request",
    "specialist",
    "date",
    "session",
    "site",
    "substitute",
];

/// Every pin of the file, or diagnostics for those that are wrong.
pub(crate) fn build(raw: &[RawPin], instance: &Instance, d: &mut Diagnostics) -> Vec<Pin> {
    let mut first: BTreeMap<String, usize> = BTreeMap::new();
    let mut pins = Vec::new();
    for (i, pin) in raw.iter().enumerate() {
        let path = |field: &str| format!("pins[{i}].{field}");
        let id = match &pin.id {
            Some(id) if id.trim().is_empty() => {
                d.error(path("id"), "must not be empty");
                continue;
            }
            Some(id) => id.clone(),
            None => i.to_string(),
        };
        if let Some(previous) = first.get(&id) {
            d.error_hint(
                path("id"),
                format!("duplicate pin id \"{id}\" (first used by pins[{previous}])"),
                "give every pin its own id, or leave `id` out to use its position",
            );
            continue;
        }
        first.insert(id.clone(), i);
        let mut resolver = Resolver { instance, d, i };
        if let Some(pattern) = resolver.pattern(pin) {
            pins.push(Pin {
                id,
                note: pin.note.clone().filter(|n| !n.trim().is_empty()),
                forbid: pin.forbid.unwrap_or(false),
                pattern,
                frozen: false,
            });
        }
    }
    pins
}

struct Resolver<'a> {
    instance: &'a Instance,
    d: &'a mut Diagnostics,
    i: usize,
}

/// The fields a raw pin names, by file name.
fn named_fields(pin: &RawPin) -> Vec<&'static str> {
    let present = [
        ("specialist", pin.specialist.is_some()),
        ("date", pin.date.is_some()),
        ("session", pin.session.is_some()),
        ("activity", pin.activity.is_some()),
        ("site", pin.site.is_some()),
        ("room", pin.room.is_some()),
        ("discipline", pin.discipline.is_some()),
        ("studio", pin.studio.is_some()),
        ("role", pin.role.is_some()),
        ("board", pin.board.is_some()),
        ("remote", pin.remote.is_some()),
        ("surgery", pin.surgery.is_some()),
        ("surgeon", pin.surgeon.is_some()),
        ("start", pin.start.is_some()),
        ("request", pin.request.is_some()),
        ("substitute", pin.substitute.is_some()),
    ];
    present
        .into_iter()
        .filter(|(_, on)| *on)
        .map(|(name, _)| name)
        .collect()
}

impl Resolver<'_> {
    fn path(&self, field: &str) -> String {
        format!("pins[{}].{field}", self.i)
    }

    fn error(&mut self, field: &str, message: impl Into<String>) {
        let path = self.path(field);
        self.d.error(path, message);
    }

    fn error_hint(&mut self, field: &str, message: impl Into<String>, hint: impl Into<String>) {
        let path = self.path(field);
        self.d.error_hint(path, message, hint);
    }

    fn pattern(&mut self, pin: &RawPin) -> Option<Pattern> {
        let fields = named_fields(pin);
        if fields.is_empty() {
            let path = format!("pins[{}]", self.i);
            self.d.error_hint(
                path,
                "the pin names no field of a roster entry",
                "name at least one of specialist, date, session, activity, site, room, \
                 discipline, studio, role, board, remote, surgery, surgeon, request",
            );
            return None;
        }
        if pin.start.is_some() {
            self.error_hint(
                "start",
                "a surgery's start time cannot be pinned",
                "start times follow from the order of the theatre's list; pin the surgery's \
                 date, session and room",
            );
            return None;
        }
        let theatre = pin
            .room
            .as_deref()
            .and_then(|r| self.instance.room_ix(r))
            .is_some_and(|r| self.instance.room(r).kind == RoomKind::Theatre);
        let (list, allowed) = if pin.request.is_some() {
            ("bookings", BOOKING_FIELDS)
        } else if pin.surgery.is_some() || pin.surgeon.is_some() || theatre {
            ("surgeries", SURGERY_FIELDS)
        } else {
            ("assignments", ASSIGNMENT_FIELDS)
        };
        let mut ok = true;
        for field in &fields {
            if !allowed.contains(field) {
                let hint = match (*field, list) {
                    ("specialist", "surgeries") => {
                        "a surgeries entry names its surgeon: use `surgeon`".to_string()
                    }
                    ("activity", "surgeries") => {
                        "a pin naming a theatre, a surgery or a surgeon matches `surgeries` \
                         entries, which have no activity"
                            .to_string()
                    }
                    _ => format!("a `{list}` entry has only {}", allowed.join(", ")),
                };
                self.error_hint(
                    field,
                    format!("a pin matching `{list}` entries cannot name `{field}`"),
                    hint,
                );
                ok = false;
            }
        }
        if !ok {
            return None;
        }
        match list {
            "bookings" => self.booking(pin).map(Pattern::Booking),
            "surgeries" => self.surgery(pin).map(Pattern::Surgery),
            _ => self.assignment(pin).map(Pattern::Assignment),
        }
    }

    fn reference<T: Copy>(
        &mut self,
        field: &str,
        value: Option<&str>,
        what: &str,
        lookup: impl Fn(&str) -> Option<T>,
        known: Vec<&str>,
    ) -> Result<Option<T>, ()> {
        let Some(id) = value else { return Ok(None) };
        match lookup(id) {
            Some(found) => Ok(Some(found)),
            None => {
                let hint = did_you_mean(id, known);
                let path = self.path(field);
                self.d
                    .error_maybe_hint(path, format!("unknown {what} \"{id}\""), hint);
                Err(())
            }
        }
    }

    fn specialist(
        &mut self,
        field: &str,
        value: Option<&str>,
    ) -> Result<Option<crate::instance::SpecialistIx>, ()> {
        let instance = self.instance;
        self.reference(
            field,
            value,
            "specialist",
            |id| instance.specialist_ix(id),
            instance.specialists.iter().map(|s| s.id.as_str()).collect(),
        )
    }

    fn site(&mut self, value: Option<&str>) -> Result<Option<crate::instance::SiteIx>, ()> {
        let instance = self.instance;
        self.reference(
            "site",
            value,
            "site",
            |id| instance.site_ix(id),
            instance.sites.iter().map(|s| s.id.as_str()).collect(),
        )
    }

    fn room(&mut self, value: Option<&str>) -> Result<Option<crate::instance::RoomIx>, ()> {
        let instance = self.instance;
        self.reference(
            "room",
            value,
            "room",
            |id| instance.room_ix(id),
            instance.rooms.iter().map(|r| r.id.as_str()).collect(),
        )
    }

    /// The date, which must be an open date of the horizon (a forbid may name a closed
    /// one: it holds trivially).
    fn date(&mut self, value: Option<&str>, forbid: bool) -> Result<Option<chrono::NaiveDate>, ()> {
        let Some(text) = value else { return Ok(None) };
        let calendar = &self.instance.calendar;
        let Some(date) = crate::calendar::parse_date(text) else {
            self.error_hint(
                "date",
                format!("\"{text}\" is not a date"),
                "write dates as YYYY-MM-DD, e.g. \"2026-03-02\"",
            );
            return Err(());
        };
        if !calendar.contains(date) {
            self.error(
                "date",
                format!(
                    "{date} is outside the horizon ({} to {})",
                    calendar.start(),
                    calendar.end()
                ),
            );
            return Err(());
        }
        if !calendar.is_open(date) && !forbid {
            self.error_hint(
                "date",
                format!("{date} is a closed date: nothing is scheduled on it"),
                "pin an open date, or make the pin a forbid",
            );
            return Err(());
        }
        Ok(Some(date))
    }

    fn session(&mut self, value: Option<&str>) -> Result<Option<usize>, ()> {
        let Some(id) = value else { return Ok(None) };
        let calendar = &self.instance.calendar;
        match calendar.session_index(id) {
            Some(s) => Ok(Some(s)),
            None => {
                let hint = did_you_mean(id, calendar.sessions().iter().map(|s| s.id.as_str()));
                let path = self.path("session");
                self.d
                    .error_maybe_hint(path, format!("unknown session \"{id}\""), hint);
                Err(())
            }
        }
    }

    fn assignment(&mut self, pin: &RawPin) -> Option<AssignmentPattern> {
        let instance = self.instance;
        let forbid = pin.forbid.unwrap_or(false);
        let specialist = self.specialist("specialist", pin.specialist.as_deref());
        let date = self.date(pin.date.as_deref(), forbid);
        let session = self.session(pin.session.as_deref());
        let site = self.site(pin.site.as_deref());
        let room = self.room(pin.room.as_deref());
        let studio = self.reference(
            "studio",
            pin.studio.as_deref(),
            "studio",
            |id| instance.studio_ix(id),
            instance.studios.iter().map(|s| s.id.as_str()).collect(),
        );
        let board = self.reference(
            "board",
            pin.board.as_deref(),
            "MDT board",
            |id| instance.board_ix(id),
            instance.mdt_boards.iter().map(|b| b.id.as_str()).collect(),
        );
        let activity = match pin.activity.as_deref() {
            None => Ok(None),
            Some("clinic") => Ok(Some(Activity::Clinic)),
            Some("studio") => Ok(Some(Activity::Studio)),
            Some("mdt") => Ok(Some(Activity::Mdt)),
            Some("surgery") => Ok(Some(Activity::Surgery)),
            Some(other) => {
                let hint = did_you_mean(other, ["clinic", "studio", "mdt", "surgery"]);
                let path = self.path("activity");
                self.d
                    .error_maybe_hint(path, format!("unknown activity \"{other}\""), hint);
                Err(())
            }
        };
        let role = match pin.role.as_deref() {
            None => Ok(None),
            Some("lead") => Ok(Some(StudioRole::Lead)),
            Some("apprentice") => Ok(Some(StudioRole::Apprentice)),
            Some(other) => {
                let hint = did_you_mean(other, ["lead", "apprentice"]);
                let path = self.path("role");
                self.d
                    .error_maybe_hint(path, format!("unknown role \"{other}\""), hint);
                Err(())
            }
        };
        let pattern = AssignmentPattern {
            specialist: specialist.ok()?,
            date: date.ok()?,
            session: session.ok()?,
            activity: activity.ok()?,
            site: site.ok()?,
            room: room.ok()?,
            discipline: pin.discipline.clone(),
            studio: studio.ok()?,
            role: role.ok()?,
            board: board.ok()?,
            remote: pin.remote,
        };
        self.assignment_combination(&pattern).then_some(pattern)
    }

    /// Rejects fields no single assignments entry can have together.
    fn assignment_combination(&mut self, p: &AssignmentPattern) -> bool {
        let instance = self.instance;
        let errors_before = self.d.error_count();
        let wrong = |this: &mut Self, field: &str, message: String| {
            this.error(field, message);
        };
        let mdt_field = if p.board.is_some() {
            Some("board")
        } else if p.remote.is_some() {
            Some("remote")
        } else {
            None
        };
        let studio_field = if p.studio.is_some() {
            Some("studio")
        } else if p.role.is_some() {
            Some("role")
        } else {
            None
        };
        if let (Some(m), Some(s)) = (mdt_field, studio_field) {
            wrong(
                self,
                s,
                format!(
                    "`{s}` belongs to studio entries and `{m}` to MDT entries: no entry has both"
                ),
            );
        }
        if let Some(activity) = p.activity {
            let clash = match activity {
                Activity::Mdt => studio_field,
                Activity::Studio => mdt_field,
                Activity::Clinic => mdt_field.or(studio_field),
                Activity::Surgery => mdt_field
                    .or(studio_field)
                    .or(p.room.map(|_| "room"))
                    .or(p.discipline.as_ref().map(|_| "discipline")),
            };
            if let Some(field) = clash {
                wrong(
                    self,
                    field,
                    format!(
                        "a {} entry has no `{field}` (activity = \"{}\")",
                        activity.name(),
                        activity.name()
                    ),
                );
            }
        }
        if p.role == Some(StudioRole::Apprentice) && p.discipline.is_some() {
            wrong(
                self,
                "discipline",
                "an apprentice's studio entry has no discipline (the lead's entry has it)".into(),
            );
        }
        if p.remote == Some(true) {
            if p.site.is_some() {
                wrong(
                    self,
                    "site",
                    "a remote MDT place has no site (remote = true)".into(),
                );
            }
            if p.room.is_some() {
                wrong(
                    self,
                    "room",
                    "a remote MDT place has no room unless the whole meeting is remote; pin the \
                     meeting's room without `remote`"
                        .into(),
                );
            }
        }
        if let Some(r) = p.room {
            let room = instance.room(r);
            let activities = p.activities();
            let fits = activities.iter().any(|a| match a {
                Activity::Clinic | Activity::Studio => room.kind == RoomKind::Clinic,
                Activity::Mdt => room.kind == RoomKind::Meeting,
                Activity::Surgery => false,
            });
            if !fits && !activities.is_empty() {
                let wanted: Vec<&str> = activities.iter().map(|a| a.name()).collect();
                wrong(
                    self,
                    "room",
                    format!(
                        "\"{}\" is a {} room, which holds no {} entry",
                        room.id,
                        room.kind.name(),
                        wanted.join(" or ")
                    ),
                );
            }
            if let Some(site) = p.site
                && site != room.site
            {
                wrong(
                    self,
                    "room",
                    format!(
                        "room \"{}\" is at \"{}\", not at site \"{}\"",
                        room.id,
                        instance.site(room.site).id,
                        instance.site(site).id
                    ),
                );
            }
        }
        if let Some(s) = p.specialist {
            let person = instance.specialist(s);
            if let Some(site) = p.site
                && !person.works_at(site)
            {
                wrong(
                    self,
                    "site",
                    format!(
                        "\"{}\" does not work at \"{}\" (their sites: {})",
                        person.id,
                        instance.site(site).id,
                        site_list(instance, &person.sites)
                    ),
                );
            }
            if let Some(r) = p.room
                && !person.works_at(instance.room(r).site)
            {
                wrong(
                    self,
                    "room",
                    format!(
                        "room \"{}\" is at \"{}\", where \"{}\" does not work",
                        instance.room(r).id,
                        instance.site(instance.room(r).site).id,
                        person.id
                    ),
                );
            }
            if let Some(discipline) = &p.discipline
                && !person.has_discipline(discipline)
            {
                wrong(
                    self,
                    "discipline",
                    format!(
                        "\"{}\" has no discipline \"{discipline}\" (theirs: {})",
                        person.id,
                        person.disciplines.join(", ")
                    ),
                );
            }
        }
        if let Some(st) = p.studio {
            let studio = &instance.studios[st.0];
            if let Some(site) = p.site
                && site != studio.site
            {
                wrong(
                    self,
                    "site",
                    format!(
                        "studio \"{}\" is at \"{}\"",
                        studio.id,
                        instance.site(studio.site).id
                    ),
                );
            }
            if let Some(s) = p.specialist {
                let lead = studio.lead == s;
                let apprentice = studio.apprentices.contains(&s);
                let id = &instance.specialist(s).id;
                match p.role {
                    Some(StudioRole::Lead) if !lead => wrong(
                        self,
                        "specialist",
                        format!(
                            "\"{id}\" does not lead studio \"{}\" (its lead is \"{}\")",
                            studio.id,
                            instance.specialist(studio.lead).id
                        ),
                    ),
                    Some(StudioRole::Apprentice) if !apprentice => wrong(
                        self,
                        "specialist",
                        format!("\"{id}\" is not an apprentice of studio \"{}\"", studio.id),
                    ),
                    _ if !lead && !apprentice => wrong(
                        self,
                        "specialist",
                        format!(
                            "\"{id}\" is neither the lead nor an apprentice of studio \"{}\"",
                            studio.id
                        ),
                    ),
                    _ => {}
                }
            }
            if let Some(discipline) = &p.discipline
                && *discipline != studio.discipline
            {
                wrong(
                    self,
                    "discipline",
                    format!(
                        "studio \"{}\" works in \"{}\"",
                        studio.id, studio.discipline
                    ),
                );
            }
        }
        if let Some(b) = p.board {
            let board = &instance.mdt_boards[b.0];
            if let Some(site) = p.site
                && site != board.site
            {
                wrong(
                    self,
                    "site",
                    format!(
                        "board \"{}\" meets at \"{}\"",
                        board.id,
                        instance.site(board.site).id
                    ),
                );
            }
            if let Some(r) = p.room
                && instance.room(r).site != board.site
            {
                wrong(
                    self,
                    "room",
                    format!(
                        "board \"{}\" meets at \"{}\", room \"{}\" is at \"{}\"",
                        board.id,
                        instance.site(board.site).id,
                        instance.room(r).id,
                        instance.site(instance.room(r).site).id
                    ),
                );
            }
            if let Some(discipline) = &p.discipline
                && !board.required.contains(discipline)
            {
                wrong(
                    self,
                    "discipline",
                    format!(
                        "board \"{}\" seats {}, not \"{discipline}\"",
                        board.id,
                        board.required.join(", ")
                    ),
                );
            }
            if let Some(session) = p.session
                && !board.sessions.contains(&session)
            {
                wrong(
                    self,
                    "session",
                    format!(
                        "board \"{}\" does not meet in session \"{}\"",
                        board.id,
                        instance.calendar.sessions()[session].id
                    ),
                );
            }
        }
        self.d.error_count() == errors_before
    }

    fn surgery(&mut self, pin: &RawPin) -> Option<SurgeryPattern> {
        let instance = self.instance;
        let forbid = pin.forbid.unwrap_or(false);
        let surgery = self.reference(
            "surgery",
            pin.surgery.as_deref(),
            "surgery",
            |id| instance.surgery_ix(id),
            instance.surgeries.iter().map(|s| s.id.as_str()).collect(),
        );
        let date = self.date(pin.date.as_deref(), forbid);
        let session = self.session(pin.session.as_deref());
        let room = self.room(pin.room.as_deref());
        let surgeon = self.specialist("surgeon", pin.surgeon.as_deref());
        let pattern = SurgeryPattern {
            surgery: surgery.ok()?,
            date: date.ok()?,
            session: session.ok()?,
            room: room.ok()?,
            surgeon: surgeon.ok()?,
        };
        if let Some(r) = pattern.room
            && instance.room(r).kind != RoomKind::Theatre
        {
            self.error(
                "room",
                format!(
                    "\"{}\" is a {} room; surgeries are done in theatres",
                    instance.room(r).id,
                    instance.room(r).kind.name()
                ),
            );
            return None;
        }
        if let (Some(g), Some(r)) = (pattern.surgery, pattern.room) {
            let surgery = &instance.surgeries[g.0];
            if surgery
                .site
                .is_some_and(|site| site != instance.room(r).site)
            {
                self.error(
                    "room",
                    format!(
                        "surgery \"{}\" is done at \"{}\", theatre \"{}\" is elsewhere",
                        surgery.id,
                        surgery.site.map_or("", |s| instance.site(s).id.as_str()),
                        instance.room(r).id
                    ),
                );
                return None;
            }
        }
        Some(pattern)
    }

    fn booking(&mut self, pin: &RawPin) -> Option<BookingPattern> {
        let instance = self.instance;
        let forbid = pin.forbid.unwrap_or(false);
        let request = self.reference(
            "request",
            pin.request.as_deref(),
            "request",
            |id| instance.request_ix(id),
            instance.requests.iter().map(|r| r.id.as_str()).collect(),
        );
        let specialist = self.specialist("specialist", pin.specialist.as_deref());
        let date = self.date(pin.date.as_deref(), forbid);
        let session = self.session(pin.session.as_deref());
        let site = self.site(pin.site.as_deref());
        let pattern = BookingPattern {
            request: request.ok()??,
            specialist: specialist.ok()?,
            date: date.ok()?,
            session: session.ok()?,
            site: site.ok()?,
            substitute: pin.substitute,
        };
        let named = instance.requests[pattern.request.0].specialist;
        if pattern.substitute == Some(true) && named.is_none() {
            self.error(
                "substitute",
                format!(
                    "request \"{}\" names no specialist, so no booking of it is a substitute",
                    instance.requests[pattern.request.0].id
                ),
            );
            return None;
        }
        if let (Some(s), Some(substitute), Some(named)) =
            (pattern.specialist, pattern.substitute, named)
            && (s != named) != substitute
        {
            self.error(
                "substitute",
                format!(
                    "a booking with \"{}\" {} a substitute for request \"{}\"",
                    instance.specialist(s).id,
                    if substitute { "is not" } else { "is" },
                    instance.requests[pattern.request.0].id
                ),
            );
            return None;
        }
        Some(pattern)
    }
}

fn site_list(instance: &Instance, sites: &[crate::instance::SiteIx]) -> String {
    sites
        .iter()
        .map(|s| instance.site(*s).id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
