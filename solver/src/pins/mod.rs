//! The scheduler's own decisions (`[[pins]]`, docs/format.md § Pins): patterns a roster
//! must contain (a pin) or must not contain (a forbid), checked by `check` (rule 11)
//! and enforced by every optimizer.
//!
//! A pin names any subset of the fields of one roster entry (PROBLEM.md §6). Which
//! list it matches follows from its fields: `request` → `bookings`; `surgery`,
//! `surgeon` or a theatre as `room` → `surgeries`; otherwise `assignments`. A pin is
//! met when at least one entry of that list has every value it names; a forbid when
//! none has.
//!
//! `build` validates the file's pins (field paths, unknown ids, impossible
//! combinations); `conflicts` explains a set of pins that cannot all hold;
//! `freeze` turns the past of a published roster into pins.

pub(crate) mod build;
pub mod conflicts;
pub(crate) mod draft;
pub mod freeze;

use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;

use crate::instance::{
    BoardIx, Instance, RequestIx, RoomIx, SiteIx, SpecialistIx, StudioIx, SurgeryIx,
};
use crate::roster::{Activity, Assignment, Booking, Roster, StudioRole, SurgeryPlacement};
use crate::text::{Key, Text};

/// One validated pin or forbid.
#[derive(Debug, Clone, PartialEq)]
pub struct Pin {
    /// Its id: the file's `id`, or its position in `[[pins]]` ("0", "1", …).
    pub id: String,
    /// Why it is there.
    pub note: Option<String>,
    /// `true`: no entry may match (a forbid).
    pub forbid: bool,
    /// What it matches.
    pub pattern: Pattern,
    /// Made by freezing a published roster's past ([`freeze`]), not written by a user.
    pub frozen: bool,
}

/// The entry a pin describes, by the list it matches.
#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    /// An `assignments` entry.
    Assignment(AssignmentPattern),
    /// A `surgeries` entry.
    Surgery(SurgeryPattern),
    /// A `bookings` entry.
    Booking(BookingPattern),
}

/// Fields of an `assignments` entry; `None` matches anything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AssignmentPattern {
    /// Who.
    pub specialist: Option<SpecialistIx>,
    /// The date.
    pub date: Option<NaiveDate>,
    /// The session (index into the horizon's sessions).
    pub session: Option<usize>,
    /// What they do.
    pub activity: Option<Activity>,
    /// Where (absent on remote MDT places).
    pub site: Option<SiteIx>,
    /// The clinic or meeting room.
    pub room: Option<RoomIx>,
    /// The discipline.
    pub discipline: Option<String>,
    /// The studio.
    pub studio: Option<StudioIx>,
    /// Lead or apprentice.
    pub role: Option<StudioRole>,
    /// The MDT board.
    pub board: Option<BoardIx>,
    /// Joins by video.
    pub remote: Option<bool>,
}

/// Fields of a `surgeries` entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SurgeryPattern {
    /// The surgery.
    pub surgery: Option<SurgeryIx>,
    /// The date.
    pub date: Option<NaiveDate>,
    /// The session.
    pub session: Option<usize>,
    /// The theatre.
    pub room: Option<RoomIx>,
    /// The surgeon.
    pub surgeon: Option<SpecialistIx>,
}

/// Fields of a `bookings` entry (the request is always named).
#[derive(Debug, Clone, PartialEq)]
pub struct BookingPattern {
    /// The request.
    pub request: RequestIx,
    /// Who holds the session.
    pub specialist: Option<SpecialistIx>,
    /// The date.
    pub date: Option<NaiveDate>,
    /// The session.
    pub session: Option<usize>,
    /// The site.
    pub site: Option<SiteIx>,
    /// Booked with someone other than the named specialist.
    pub substitute: Option<bool>,
}

impl AssignmentPattern {
    /// The activities an entry matching this pattern can have: the one named, or those
    /// the other fields allow (a board means MDT, a studio or role means studio, a room
    /// or discipline rules out surgery).
    pub fn activities(&self) -> Vec<Activity> {
        let all = [
            Activity::Clinic,
            Activity::Studio,
            Activity::Mdt,
            Activity::Surgery,
        ];
        all.into_iter()
            .filter(|a| self.activity.is_none_or(|named| named == *a))
            .filter(|a| {
                let mdt_only = self.board.is_some() || self.remote.is_some();
                let studio_only = self.studio.is_some() || self.role.is_some();
                match a {
                    Activity::Clinic => !mdt_only && !studio_only,
                    Activity::Studio => !mdt_only,
                    Activity::Mdt => !studio_only,
                    Activity::Surgery => {
                        !mdt_only
                            && !studio_only
                            && self.room.is_none()
                            && self.discipline.is_none()
                    }
                }
            })
            .collect()
    }

    /// Whether a roster entry has every value the pattern names.
    pub fn matches(&self, instance: &Instance, entry: &Assignment) -> bool {
        let same = |given: &Option<String>, wanted: Option<&str>| match wanted {
            None => true,
            Some(wanted) => given.as_deref() == Some(wanted),
        };
        self.specialist
            .is_none_or(|s| instance.specialist(s).id == entry.specialist)
            && self.date.is_none_or(|d| d == entry.date)
            && self
                .session
                .is_none_or(|s| instance.calendar.sessions()[s].id == entry.session)
            && self.activity.is_none_or(|a| a == entry.activity)
            && same(&entry.site, self.site.map(|s| instance.site(s).id.as_str()))
            && same(&entry.room, self.room.map(|r| instance.room(r).id.as_str()))
            && same(&entry.discipline, self.discipline.as_deref())
            && same(
                &entry.studio,
                self.studio.map(|s| instance.studios[s.0].id.as_str()),
            )
            && self.role.is_none_or(|r| entry.role == Some(r))
            && same(
                &entry.board,
                self.board.map(|b| instance.mdt_boards[b.0].id.as_str()),
            )
            && self.remote.is_none_or(|r| entry.remote == Some(r))
    }
}

impl SurgeryPattern {
    /// Whether a surgeries entry has every value the pattern names.
    pub fn matches(&self, instance: &Instance, entry: &SurgeryPlacement) -> bool {
        self.surgery
            .is_none_or(|g| instance.surgeries[g.0].id == entry.surgery)
            && self.date.is_none_or(|d| d == entry.date)
            && self
                .session
                .is_none_or(|s| instance.calendar.sessions()[s].id == entry.session)
            && self.room.is_none_or(|r| instance.room(r).id == entry.room)
            && self
                .surgeon
                .is_none_or(|s| instance.specialist(s).id == entry.surgeon)
    }
}

impl BookingPattern {
    /// Whether a bookings entry has every value the pattern names.
    pub fn matches(&self, instance: &Instance, entry: &Booking) -> bool {
        instance.requests[self.request.0].id == entry.request
            && self
                .specialist
                .is_none_or(|s| instance.specialist(s).id == entry.specialist)
            && self.date.is_none_or(|d| d == entry.date)
            && self
                .session
                .is_none_or(|s| instance.calendar.sessions()[s].id == entry.session)
            && self.site.is_none_or(|s| instance.site(s).id == entry.site)
            && self.substitute.is_none_or(|s| s == entry.substitute)
    }
}

impl Pin {
    /// How many entries of the roster match the pattern.
    pub fn matching_entries(&self, instance: &Instance, roster: &Roster) -> usize {
        match &self.pattern {
            Pattern::Assignment(p) => roster
                .assignments
                .iter()
                .filter(|a| p.matches(instance, a))
                .count(),
            Pattern::Surgery(p) => roster
                .surgeries
                .iter()
                .filter(|s| p.matches(instance, s))
                .count(),
            Pattern::Booking(p) => roster
                .bookings
                .iter()
                .filter(|b| p.matches(instance, b))
                .count(),
        }
    }

    /// Whether the roster meets the pin (holds a match) or the forbid (holds none).
    pub fn is_met(&self, instance: &Instance, roster: &Roster) -> bool {
        (self.matching_entries(instance, roster) > 0) != self.forbid
    }

    /// `pin 3` / `forbid 3` / `pin "zhou-tuesday"`, with its note.
    pub fn label(&self) -> String {
        self.label_text().to_string()
    }

    /// [`Pin::label`] as a message to be written in any language.
    pub fn label_text(&self) -> Text {
        let id = if self.id.chars().all(|c| c.is_ascii_digit()) {
            self.id.clone()
        } else {
            format!("\"{}\"", self.id)
        };
        let key = match (self.forbid, self.note.is_some()) {
            (false, false) => Key::PinLabel,
            (true, false) => Key::ForbidLabel,
            (false, true) => Key::PinLabelNoted,
            (true, true) => Key::ForbidLabelNoted,
        };
        let label = Text::new(key).with("id", id);
        match &self.note {
            Some(note) => label.with("note", note),
            None => label,
        }
    }

    /// The pattern as the file would write it: `specialist = "zhou-min", date = …`.
    pub fn describe(&self, instance: &Instance) -> String {
        let mut fields: Vec<String> = Vec::new();
        let mut put = |name: &str, value: String| fields.push(format!("{name} = {value}"));
        let quoted = |text: &str| format!("\"{text}\"");
        let session = |s: usize| quoted(&instance.calendar.sessions()[s].id);
        match &self.pattern {
            Pattern::Assignment(p) => {
                if let Some(s) = p.specialist {
                    put("specialist", quoted(&instance.specialist(s).id));
                }
                if let Some(d) = p.date {
                    put("date", quoted(&d.to_string()));
                }
                if let Some(s) = p.session {
                    put("session", session(s));
                }
                if let Some(a) = p.activity {
                    put("activity", quoted(a.name()));
                }
                if let Some(s) = p.site {
                    put("site", quoted(&instance.site(s).id));
                }
                if let Some(r) = p.room {
                    put("room", quoted(&instance.room(r).id));
                }
                if let Some(d) = &p.discipline {
                    put("discipline", quoted(d));
                }
                if let Some(s) = p.studio {
                    put("studio", quoted(&instance.studios[s.0].id));
                }
                if let Some(r) = p.role {
                    put("role", quoted(role_name(r)));
                }
                if let Some(b) = p.board {
                    put("board", quoted(&instance.mdt_boards[b.0].id));
                }
                if let Some(r) = p.remote {
                    put("remote", r.to_string());
                }
            }
            Pattern::Surgery(p) => {
                if let Some(g) = p.surgery {
                    put("surgery", quoted(&instance.surgeries[g.0].id));
                }
                if let Some(d) = p.date {
                    put("date", quoted(&d.to_string()));
                }
                if let Some(s) = p.session {
                    put("session", session(s));
                }
                if let Some(r) = p.room {
                    put("room", quoted(&instance.room(r).id));
                }
                if let Some(s) = p.surgeon {
                    put("surgeon", quoted(&instance.specialist(s).id));
                }
            }
            Pattern::Booking(p) => {
                put("request", quoted(&instance.requests[p.request.0].id));
                if let Some(s) = p.specialist {
                    put("specialist", quoted(&instance.specialist(s).id));
                }
                if let Some(d) = p.date {
                    put("date", quoted(&d.to_string()));
                }
                if let Some(s) = p.session {
                    put("session", session(s));
                }
                if let Some(s) = p.site {
                    put("site", quoted(&instance.site(s).id));
                }
                if let Some(s) = p.substitute {
                    put("substitute", s.to_string());
                }
            }
        }
        fields.join(", ")
    }

    /// The specialist the pattern names (the surgeon of a surgery pattern).
    pub fn specialist(&self) -> Option<SpecialistIx> {
        match &self.pattern {
            Pattern::Assignment(p) => p.specialist,
            Pattern::Surgery(p) => p.surgeon,
            Pattern::Booking(p) => p.specialist,
        }
    }

    /// The date the pattern names.
    pub fn date(&self) -> Option<NaiveDate> {
        match &self.pattern {
            Pattern::Assignment(p) => p.date,
            Pattern::Surgery(p) => p.date,
            Pattern::Booking(p) => p.date,
        }
    }

    /// The session the pattern names.
    pub fn session(&self) -> Option<usize> {
        match &self.pattern {
            Pattern::Assignment(p) => p.session,
            Pattern::Surgery(p) => p.session,
            Pattern::Booking(p) => p.session,
        }
    }

    /// The clinic, meeting or theatre room the pattern names.
    pub fn room(&self) -> Option<RoomIx> {
        match &self.pattern {
            Pattern::Assignment(p) => p.room,
            Pattern::Surgery(p) => p.room,
            Pattern::Booking(_) => None,
        }
    }
}

/// `lead` / `apprentice`.
pub fn role_name(role: StudioRole) -> &'static str {
    match role {
        StudioRole::Lead => "lead",
        StudioRole::Apprentice => "apprentice",
    }
}

/// A pin as reported: id, note, and what it asks, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PinRef {
    /// The pin's id.
    pub id: String,
    /// Its note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// `true` for a forbid.
    pub forbid: bool,
    /// The pattern, as the file writes it.
    pub pattern: String,
}

impl PinRef {
    /// The report form of a pin.
    pub fn of(instance: &Instance, pin: &Pin) -> PinRef {
        PinRef {
            id: pin.id.clone(),
            note: pin.note.clone(),
            forbid: pin.forbid,
            pattern: pin.describe(instance),
        }
    }
}

impl fmt::Display for PinRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.forbid { "forbid" } else { "pin" };
        write!(f, "{kind} {} [{}]", self.id, self.pattern)?;
        if let Some(note) = &self.note {
            write!(f, " ({note})")?;
        }
        Ok(())
    }
}
