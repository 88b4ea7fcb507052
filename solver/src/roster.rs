//! The roster format of PROBLEM.md §6: what a solve produces and `check` reads.
//!
//! Every field the format defines is here; unknown fields are ignored on reading so
//! that rosters from other tools with extra fields still check.

use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::instance::{InstanceError, SourceFormat};
use crate::objective::TermValues;

/// How a roster came about (§5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RosterStatus {
    /// Proven optimal.
    Optimal,
    /// Valid, not proven optimal.
    Feasible,
    /// No valid roster exists.
    Infeasible,
    /// The solve failed.
    Error,
}

/// A schedule for an instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Roster {
    /// The instance's `name`.
    pub instance: String,
    /// How it came about.
    pub status: RosterStatus,
    /// The objective value (§4).
    pub objective: f64,
    /// Best proven lower bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bound: Option<f64>,
    /// `(objective − bound) / max(1, |objective|)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gap: Option<f64>,
    /// Wall-clock seconds of the solve.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
    /// On-site dates of visiting specialists.
    #[serde(default)]
    pub presence: Vec<Presence>,
    /// One entry per (specialist, date, session) that holds an activity.
    #[serde(default)]
    pub assignments: Vec<Assignment>,
    /// One entry per surgery done.
    #[serde(default)]
    pub surgeries: Vec<SurgeryPlacement>,
    /// One entry per served request.
    #[serde(default)]
    pub bookings: Vec<Booking>,
    /// One entry per served request for a resource (docs/format.md § Resources).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resource_bookings: Vec<ResourceBooking>,
    /// One entry per unmet demand.
    #[serde(default)]
    pub unmet: Vec<Unmet>,
    /// The §4 terms, summing to `objective`.
    pub objective_terms: TermValues,
}

impl Roster {
    /// Reads a roster JSON file.
    pub fn from_path(path: &Path) -> Result<Roster, InstanceError> {
        let text = std::fs::read_to_string(path).map_err(|source| InstanceError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Roster::from_json_str(&text)
    }

    /// Reads roster JSON text.
    pub fn from_json_str(text: &str) -> Result<Roster, InstanceError> {
        crate::instance::load::parse_with_unknown::<Roster>(text, SourceFormat::Json)
            .map(|(roster, _ignored)| roster)
    }
}

/// A visiting specialist on site at a site on a date.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Presence {
    /// Specialist id.
    pub specialist: String,
    /// The date.
    pub date: NaiveDate,
    /// Site id.
    pub site: String,
}

/// What an assignment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Activity {
    /// A clinic session (rule 5).
    Clinic,
    /// A studio session, as lead or apprentice (rule 6).
    Studio,
    /// An MDT meeting place (rule 7).
    Mdt,
    /// One or more surgeries (rule 8).
    Surgery,
}

impl Activity {
    /// The file spelling.
    pub fn name(self) -> &'static str {
        match self {
            Activity::Clinic => "clinic",
            Activity::Studio => "studio",
            Activity::Mdt => "mdt",
            Activity::Surgery => "surgery",
        }
    }
}

/// A specialist's part in a studio session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StudioRole {
    /// The studio's lead.
    Lead,
    /// An attending apprentice.
    Apprentice,
}

/// One specialist's activity in one slot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    /// Specialist id.
    pub specialist: String,
    /// The date.
    pub date: NaiveDate,
    /// Session id.
    pub session: String,
    /// What they do.
    pub activity: Activity,
    /// Site id (absent only for remote MDT places).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// Room id (clinic, studio, on-site MDT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<String>,
    /// Discipline (clinic, studio lead, MDT place).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discipline: Option<String>,
    /// Studio id (studio).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub studio: Option<String>,
    /// Lead or apprentice (studio).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<StudioRole>,
    /// Board id (MDT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub board: Option<String>,
    /// Joins by video (MDT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<bool>,
}

impl Assignment {
    /// Whether the specialist is physically at `site` for it (everything but a remote MDT place).
    pub fn is_on_site(&self) -> bool {
        !(self.activity == Activity::Mdt && self.remote == Some(true))
    }
}

/// Where and when a surgery is done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurgeryPlacement {
    /// Surgery id.
    pub surgery: String,
    /// The date.
    pub date: NaiveDate,
    /// Session id.
    pub session: String,
    /// Theatre id.
    pub room: String,
    /// Surgeon id.
    pub surgeon: String,
    /// Start time (HH:MM), when planned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
}

/// A request booked into a clinic or studio session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booking {
    /// Request id.
    pub request: String,
    /// The specialist holding the session.
    pub specialist: String,
    /// The date.
    pub date: NaiveDate,
    /// Session id.
    pub session: String,
    /// Site id.
    pub site: String,
    /// Booked with someone other than the named specialist.
    pub substitute: bool,
    /// The pool whose held place it takes (docs/format.md § Pools), if it takes one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<String>,
}

/// A request served in a session of a resource (docs/format.md § Resources).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceBooking {
    /// Request id.
    pub request: String,
    /// The resource id.
    pub resource: String,
    /// The date.
    pub date: NaiveDate,
    /// Session id.
    pub session: String,
    /// Site id (the resource's).
    pub site: String,
    /// The pool whose held place it takes, if it takes one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<String>,
}

/// What kind of demand went unmet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnmetKind {
    /// A request not booked.
    Request,
    /// A surgery not done.
    Surgery,
    /// MDT meetings short of `meetings_per_week`.
    MdtMeeting,
    /// Studio sessions short of `sessions_per_week`.
    StudioSession,
    /// Clinic sessions short of a clinic demand.
    ClinicSession,
}

impl UnmetKind {
    /// The file spelling.
    pub fn name(self) -> &'static str {
        match self {
            UnmetKind::Request => "request",
            UnmetKind::Surgery => "surgery",
            UnmetKind::MdtMeeting => "mdt_meeting",
            UnmetKind::StudioSession => "studio_session",
            UnmetKind::ClinicSession => "clinic_session",
        }
    }
}

/// An unmet demand and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unmet {
    /// What kind.
    pub kind: UnmetKind,
    /// The ids it concerns (request, surgery, board, studio; site and discipline for clinic demand).
    #[serde(default)]
    pub ids: Vec<String>,
    /// The week, for weekly demands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub week: Option<u32>,
    /// How many are missing, for counted demands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<u32>,
    /// A reason a scheduler can act on.
    #[serde(default)]
    pub reason: String,
}
