//! A roster seen as the items of one calendar: one specialist's activities, one site's,
//! or one board's meetings. Calendar feeds ([`crate::ical`]) and the comparison of two
//! publications ([`crate::diff`]) both read a roster through these items.
//!
//! Every item has a `key`, unique within its view and stable across publications for
//! the same entry (the view, what it is, who or where, date and session), and a
//! `group` (the key without the time) that tells which removed and added items are the
//! same activity moved. Items never name a patient.

mod build;
mod labels;

use chrono::NaiveDate;
use serde::Serialize;

use crate::diagnostics::did_you_mean;
use crate::instance::Instance;
use crate::roster::Roster;

pub use labels::{Language, Text};

/// Whose calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    /// One specialist's activities and on-site days.
    Specialist(String),
    /// Everything held at one site.
    Site(String),
    /// One MDT board's meetings.
    Board(String),
}

impl View {
    /// `specialist`, `site` or `board`.
    pub fn kind(&self) -> &'static str {
        match self {
            View::Specialist(_) => "specialist",
            View::Site(_) => "site",
            View::Board(_) => "board",
        }
    }

    /// The id of the specialist, site or board.
    pub fn id(&self) -> &str {
        match self {
            View::Specialist(id) | View::Site(id) | View::Board(id) => id,
        }
    }

    /// Checks that the id names a specialist, site or board of the instance.
    pub fn check(&self, instance: &Instance) -> Result<(), AgendaError> {
        let (known, ids): (bool, Vec<&str>) = match self {
            View::Specialist(id) => (
                instance.specialist_ix(id).is_some(),
                instance.specialists.iter().map(|s| s.id.as_str()).collect(),
            ),
            View::Site(id) => (
                instance.site_ix(id).is_some(),
                instance.sites.iter().map(|s| s.id.as_str()).collect(),
            ),
            View::Board(id) => (
                instance.board_ix(id).is_some(),
                instance.mdt_boards.iter().map(|b| b.id.as_str()).collect(),
            ),
        };
        if known {
            return Ok(());
        }
        Err(AgendaError::Unknown {
            kind: self.kind(),
            id: self.id().to_string(),
            hint: did_you_mean(self.id(), ids),
        })
    }
}

/// Why a roster cannot be shown as a calendar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgendaError {
    /// The view names an id the instance does not have.
    #[error("unknown {kind} \"{id}\"{}", hint.as_ref().map(|h| format!(" ({h})")).unwrap_or_default())]
    Unknown {
        /// `specialist`, `site` or `board`.
        kind: &'static str,
        /// The id asked for.
        id: String,
        /// "did you mean …", when an id is close.
        hint: Option<String>,
    },
    /// A roster entry names a session the instance's horizon does not have.
    #[error("the roster names session \"{session}\" on {date}, which the instance does not have")]
    UnknownSession {
        /// The session id.
        session: String,
        /// The entry's date.
        date: NaiveDate,
    },
    /// The roster was made for another instance.
    #[error("the roster is for instance \"{roster}\", not \"{instance}\"")]
    OtherInstance {
        /// The roster's `instance`.
        roster: String,
        /// The instance's `name`.
        instance: String,
    },
}

/// What an item is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "activity", rename_all = "snake_case")]
pub enum What {
    /// A clinic session in a discipline, held by `people[0]`.
    Clinic {
        /// The discipline.
        discipline: String,
    },
    /// A studio session: the lead and the apprentices present.
    Studio {
        /// Studio id.
        studio: String,
    },
    /// An MDT meeting: every seat, on site or by video.
    Mdt {
        /// Board id.
        board: String,
    },
    /// A surgery list: the surgeries of one surgeon (or one theatre) in one session.
    Surgery,
    /// A visiting specialist's day on site (a travel day), all day.
    OnSite,
}

impl What {
    /// The activity's name as in the roster, `on_site` for a day on site.
    pub fn name(&self) -> &'static str {
        match self {
            What::Clinic { .. } => "clinic",
            What::Studio { .. } => "studio",
            What::Mdt { .. } => "mdt",
            What::Surgery => "surgery",
            What::OnSite => "on_site",
        }
    }
}

/// Someone's part in an item.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// Holds the clinic, or is the visitor on site.
    Holder,
    /// Leads the studio session.
    Lead,
    /// Attends the studio session as an apprentice.
    Apprentice,
    /// A seat at the meeting in a discipline.
    Seat {
        /// The seat's discipline.
        discipline: String,
        /// Joins by video.
        remote: bool,
    },
    /// Operates.
    Surgeon,
}

/// One person in an item.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Participant {
    /// Their part (people sort by it first: the lead before the apprentices).
    pub part: Part,
    /// Specialist id.
    pub specialist: String,
}

/// One surgery of a list (never the patient).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ListedSurgery {
    /// Planned start (HH:MM), when the roster gives one.
    pub start: Option<String>,
    /// Surgery id.
    pub surgery: String,
    /// Theatre id.
    pub theatre: String,
    /// The surgeon.
    pub surgeon: String,
    /// Planned minutes, from the instance.
    pub minutes: Option<u32>,
}

/// One calendar item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// Unique in its view and stable across publications, e.g. `clinic/2026-03-03/am`.
    pub key: String,
    /// What it is without the time: removed and added items of one group are moves.
    pub group: String,
    /// The date.
    pub date: NaiveDate,
    /// The session id; none for an all-day item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// What it is.
    #[serde(flatten)]
    pub what: What,
    /// Where (none for a specialist who joins an MDT by video).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// The room or theatre, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub room: Option<String>,
    /// Whether the view's specialist joins by video.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub remote: bool,
    /// Who takes part, sorted.
    pub people: Vec<Participant>,
    /// The surgeries of a surgery list, by start.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub surgeries: Vec<ListedSurgery>,
}

impl Item {
    /// Whether two items say the same, keys aside.
    pub fn same_content(&self, other: &Item) -> bool {
        Item {
            key: String::new(),
            group: String::new(),
            ..self.clone()
        } == Item {
            key: String::new(),
            group: String::new(),
            ..other.clone()
        }
    }
}

/// The items of `view` in `roster`, by date, session and key.
pub fn items(instance: &Instance, roster: &Roster, view: &View) -> Result<Vec<Item>, AgendaError> {
    view.check(instance)?;
    if roster.instance != instance.name {
        return Err(AgendaError::OtherInstance {
            roster: roster.instance.clone(),
            instance: instance.name.clone(),
        });
    }
    let mut items = build::items(instance, roster, view)?;
    let session_order = |item: &Item| {
        item.session
            .as_deref()
            .and_then(|s| instance.calendar.session_index(s))
    };
    items.sort_by(|a, b| {
        (a.date, session_order(a), &a.key).cmp(&(b.date, session_order(b), &b.key))
    });
    Ok(items)
}

#[cfg(test)]
pub(crate) mod tests;
