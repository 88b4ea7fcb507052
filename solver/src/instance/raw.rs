//! The instance file exactly as written (TOML or JSON, same structure): plain serde
//! structs with loose types, so that the builder can report every problem with its
//! field path instead of stopping at the first.
//!
//! Required fields are `Option` here and reported as missing by the builder; numbers
//! are wide signed integers so that out-of-range values get our message, not serde's.

use serde::{Deserialize, Serialize};

/// A whole instance file.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[allow(missing_docs)]
pub struct RawInstance {
    pub name: Option<String>,
    pub horizon: Option<RawHorizon>,
    #[serde(default)]
    pub sites: Vec<RawSite>,
    #[serde(default)]
    pub travel: Vec<RawTravel>,
    #[serde(default)]
    pub rooms: Vec<RawRoom>,
    #[serde(default)]
    pub specialists: Vec<RawSpecialist>,
    #[serde(default)]
    pub residencies: Vec<RawResidency>,
    #[serde(default)]
    pub studios: Vec<RawStudio>,
    #[serde(default)]
    pub mdt_boards: Vec<RawMdtBoard>,
    #[serde(default)]
    pub clinic_demand: Vec<RawClinicDemand>,
    #[serde(default)]
    pub surgeries: Vec<RawSurgery>,
    #[serde(default)]
    pub requests: Vec<RawRequest>,
    pub weights: Option<RawWeights>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pins: Vec<RawPin>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pools: Vec<RawPool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<RawResource>,
}

/// `[[resources]]`: a bookable resource held by no specialist (a CT scanner).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[allow(missing_docs)]
pub struct RawResource {
    pub id: Option<String>,
    pub name: Option<String>,
    pub site: Option<String>,
    pub kind: Option<String>,
    pub sessions: Option<Vec<String>>,
    pub places: Option<i64>,
    #[serde(default)]
    pub unavailable: Vec<String>,
}

/// `[[pools]]`: places of a specialist's sessions reserved for referrals.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[allow(missing_docs)]
pub struct RawPool {
    pub id: Option<String>,
    pub specialist: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    pub places: Option<i64>,
    #[serde(rename = "for", default)]
    pub referrers: Vec<String>,
    pub quota: Option<i64>,
    pub release_hours: Option<i64>,
}

/// `[horizon]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[allow(missing_docs)]
pub struct RawHorizon {
    pub start: Option<String>,
    pub weeks: Option<i64>,
    pub sessions: Option<Vec<RawSession>>,
    pub closed_weekdays: Option<Vec<String>>,
    #[serde(default)]
    pub holidays: Vec<String>,
}

/// One entry of `horizon.sessions`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[allow(missing_docs)]
pub struct RawSession {
    pub id: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
}

/// `[[sites]]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[allow(missing_docs)]
pub struct RawSite {
    pub id: Option<String>,
    pub name: Option<String>,
    pub kind: Option<String>,
}

/// `[[travel]]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[allow(missing_docs)]
pub struct RawTravel {
    pub from: Option<String>,
    pub to: Option<String>,
    pub minutes: Option<i64>,
}

/// `[[rooms]]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[allow(missing_docs)]
pub struct RawRoom {
    pub id: Option<String>,
    pub site: Option<String>,
    pub kind: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub unavailable: Vec<String>,
    pub capacity_minutes: Option<i64>,
}

/// `[[specialists]]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[allow(missing_docs)]
pub struct RawSpecialist {
    pub id: Option<String>,
    pub name: Option<String>,
    pub visiting: Option<bool>,
    pub home: Option<String>,
    pub sites: Option<Vec<String>>,
    pub disciplines: Option<Vec<String>>,
    pub surgery_grade: Option<i64>,
    pub available: Option<Vec<String>>,
    #[serde(default)]
    pub unavailable: Vec<String>,
    pub max_sessions_per_week: Option<i64>,
    pub max_sessions_per_day: Option<i64>,
    pub clinic_capacity: Option<i64>,
    pub day_cost: Option<f64>,
    #[serde(default)]
    pub avoid: Vec<String>,
}

/// `[[residencies]]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[allow(missing_docs)]
pub struct RawResidency {
    pub specialist: Option<String>,
    pub site: Option<String>,
    pub days_per_week: Option<i64>,
    pub days: Option<Vec<String>>,
    pub consecutive: Option<bool>,
    pub same_days_every_week: Option<bool>,
    pub weeks: Option<Vec<i64>>,
}

/// `[[studios]]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[allow(missing_docs)]
pub struct RawStudio {
    pub id: Option<String>,
    pub name: Option<String>,
    pub lead: Option<String>,
    pub site: Option<String>,
    pub discipline: Option<String>,
    pub sessions_per_week: Option<i64>,
    #[serde(default)]
    pub room_tags: Vec<String>,
    #[serde(default)]
    pub apprentices: Vec<String>,
    pub min_apprentices: Option<i64>,
}

/// `[[mdt_boards]]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[allow(missing_docs)]
pub struct RawMdtBoard {
    pub id: Option<String>,
    pub name: Option<String>,
    pub site: Option<String>,
    #[serde(default)]
    pub required: Vec<String>,
    #[serde(default)]
    pub remote_ok: Vec<String>,
    pub meetings_per_week: Option<i64>,
    pub sessions: Option<Vec<String>>,
    #[serde(default)]
    pub room_tags: Vec<String>,
}

/// `[[clinic_demand]]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[allow(missing_docs)]
pub struct RawClinicDemand {
    pub site: Option<String>,
    pub discipline: Option<String>,
    pub sessions_per_week: Option<i64>,
    #[serde(default)]
    pub room_tags: Vec<String>,
}

/// `[[surgeries]]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[allow(missing_docs)]
pub struct RawSurgery {
    pub id: Option<String>,
    pub patient: Option<String>,
    pub discipline: Option<String>,
    pub surgeon: Option<String>,
    pub grade: Option<i64>,
    pub minutes: Option<i64>,
    #[serde(default)]
    pub room_tags: Vec<String>,
    pub site: Option<String>,
    pub release: Option<String>,
    pub due: Option<String>,
    pub priority: Option<i64>,
}

/// `[[requests]]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[allow(missing_docs)]
pub struct RawRequest {
    pub id: Option<String>,
    pub patient: Option<String>,
    pub specialist: Option<String>,
    pub discipline: Option<String>,
    pub sites: Option<Vec<String>>,
    pub earliest: Option<String>,
    pub latest: Option<String>,
    pub substitute_ok: Option<bool>,
    pub priority: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referred_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_kind: Option<String>,
}

impl RawRequest {
    /// Whether it asks for a resource (`resource` or `resource_kind`) rather than a
    /// specialist or discipline.
    pub fn asks_for_resource(&self) -> bool {
        self.resource.is_some() || self.resource_kind.is_some()
    }
}

/// `[weights]`: every §4 term, each optional.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[allow(missing_docs)]
pub struct RawWeights {
    pub unserved_request: Option<f64>,
    pub substitute: Option<f64>,
    pub wait_day: Option<f64>,
    pub unscheduled_surgery: Option<f64>,
    pub surgery_late_day: Option<f64>,
    pub missing_mdt_meeting: Option<f64>,
    pub missing_studio_session: Option<f64>,
    pub unmet_clinic_session: Option<f64>,
    pub visiting_day_cost: Option<f64>,
    pub idle_visiting_session: Option<f64>,
    pub avoided_slot: Option<f64>,
}

/// `[[pins]]`: any subset of a roster entry's fields (docs/format.md § Pins).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[allow(missing_docs)]
pub struct RawPin {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forbid: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub specialist: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discipline: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub studio: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub board: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surgery: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surgeon: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substitute: Option<bool>,
}
