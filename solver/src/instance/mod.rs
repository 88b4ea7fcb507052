//! The validated instance of PROBLEM.md §1–2: every default applied, every reference
//! resolved to an index, every date and weekday parsed.
//!
//! Build one with [`Instance::from_path`], [`Instance::from_toml_str`] or
//! [`Instance::from_json_str`]; they read the file ([`load`]), then validate it as a
//! whole (`build`, `feasibility`), reporting every problem with its field path.

mod build;
mod feasibility;
pub mod load;
pub mod raw;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{Datelike, NaiveDate, Weekday};

use crate::calendar::{Calendar, SlotSet, WeeklyPattern};
use crate::diagnostics::Diagnostic;
use crate::objective::TermValues;

pub use load::{InstanceError, SourceFormat};

macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub usize);

        impl $name {
            /// The position in its list.
            pub fn index(self) -> usize {
                self.0
            }
        }
    };
}

index_type!(
    /// Position of a site in [`Instance::sites`].
    SiteIx
);
index_type!(
    /// Position of a room in [`Instance::rooms`].
    RoomIx
);
index_type!(
    /// Position of a specialist in [`Instance::specialists`].
    SpecialistIx
);
index_type!(
    /// Position of a studio in [`Instance::studios`].
    StudioIx
);
index_type!(
    /// Position of an MDT board in [`Instance::mdt_boards`].
    BoardIx
);
index_type!(
    /// Position of a surgery in [`Instance::surgeries`].
    SurgeryIx
);
index_type!(
    /// Position of a request in [`Instance::requests`].
    RequestIx
);

/// What kind of place a site is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiteKind {
    /// A top or district centre.
    Hub,
    /// A regional hospital.
    Hospital,
    /// A community health centre or street station.
    Community,
}

impl SiteKind {
    /// File spellings, in order.
    pub const NAMES: [&'static str; 3] = ["hub", "hospital", "community"];
}

/// A place where specialists work.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// Unique id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Hub, hospital or community.
    pub kind: SiteKind,
}

/// Travel time between two sites (symmetric).
#[derive(Debug, Clone, PartialEq)]
pub struct Travel {
    /// One end.
    pub from: SiteIx,
    /// The other end.
    pub to: SiteIx,
    /// Minutes needed between the end of one session and the start of the next.
    pub minutes: u32,
}

/// What a room is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoomKind {
    /// Clinic and studio sessions.
    Clinic,
    /// MDT meetings.
    Meeting,
    /// Surgeries.
    Theatre,
}

impl RoomKind {
    /// File spellings, in order.
    pub const NAMES: [&'static str; 3] = ["clinic", "meeting", "theatre"];

    /// The file spelling.
    pub fn name(self) -> &'static str {
        match self {
            RoomKind::Clinic => "clinic",
            RoomKind::Meeting => "meeting",
            RoomKind::Theatre => "theatre",
        }
    }
}

/// A clinic room, meeting room or theatre.
#[derive(Debug, Clone, PartialEq)]
pub struct Room {
    /// Unique id.
    pub id: String,
    /// Where it is.
    pub site: SiteIx,
    /// What it is for.
    pub kind: RoomKind,
    /// Its tags; a room fits a requirement when these include all required tags.
    pub tags: Vec<String>,
    /// Slots in which it cannot be used.
    pub unavailable: SlotSet,
    /// Theatre minutes per slot; `None` means the session length.
    pub capacity_minutes: Option<u32>,
}

impl Room {
    /// Whether the room's tags include every required tag.
    pub fn has_tags(&self, required: &[String]) -> bool {
        required.iter().all(|tag| self.tags.contains(tag))
    }

    /// Theatre minutes available in a session of `session_minutes` minutes.
    pub fn capacity_in(&self, session_minutes: u32) -> u32 {
        self.capacity_minutes.unwrap_or(session_minutes)
    }
}

/// A doctor: a visiting expert or local staff.
#[derive(Debug, Clone, PartialEq)]
pub struct Specialist {
    /// Unique id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Whether they visit from another institution (presence and day cost apply).
    pub visiting: bool,
    /// Home institution.
    pub home: String,
    /// Sites where they may work (non-empty).
    pub sites: Vec<SiteIx>,
    /// Their disciplines (non-empty); the first is the default for requests and studios.
    pub disciplines: Vec<String>,
    /// Highest surgery grade they may perform (0–4).
    pub surgery_grade: u8,
    /// Weekly availability.
    pub available: WeeklyPattern,
    /// Dates and slots they are away.
    pub unavailable: SlotSet,
    /// Most activities in a week.
    pub max_sessions_per_week: Option<u32>,
    /// Most activities in a day.
    pub max_sessions_per_day: Option<u32>,
    /// Patients per clinic session.
    pub clinic_capacity: u32,
    /// Money per on-site day (visiting only).
    pub day_cost: f64,
    /// Weekly slots they prefer not to work.
    pub avoid: WeeklyPattern,
}

impl Specialist {
    /// Whether they may work at the site.
    pub fn works_at(&self, site: SiteIx) -> bool {
        self.sites.contains(&site)
    }

    /// Whether they have the discipline.
    pub fn has_discipline(&self, discipline: &str) -> bool {
        self.disciplines.iter().any(|d| d == discipline)
    }

    /// Available in the slot: its weekday-session is in `available` and the slot is not
    /// `unavailable`. (Whether the date is open is the calendar's business.)
    pub fn is_available(&self, date: NaiveDate, session: usize) -> bool {
        self.available.contains(date.weekday(), session)
            && !self.unavailable.contains(date, session)
    }

    /// Whether the slot is one they `avoid`.
    pub fn avoids(&self, date: NaiveDate, session: usize) -> bool {
        self.avoid.contains(date.weekday(), session)
    }
}

/// A visiting specialist's weekly stay at one site.
#[derive(Debug, Clone, PartialEq)]
pub struct Residency {
    /// The visiting specialist.
    pub specialist: SpecialistIx,
    /// Where they stay.
    pub site: SiteIx,
    /// On-site dates per week.
    pub days_per_week: u32,
    /// Fixed weekdays (exactly `days_per_week`), when given.
    pub days: Option<Vec<Weekday>>,
    /// Chosen days must be consecutive open dates.
    pub consecutive: bool,
    /// Chosen days must fall on the same weekdays every week.
    pub same_days_every_week: bool,
    /// The 0-based weeks it applies to, sorted.
    pub weeks: Vec<u32>,
}

/// A named-doctor studio: the lead teaches with apprentices at their side.
#[derive(Debug, Clone, PartialEq)]
pub struct Studio {
    /// Unique id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The lead specialist.
    pub lead: SpecialistIx,
    /// Where the studio is.
    pub site: SiteIx,
    /// The discipline its sessions count as.
    pub discipline: String,
    /// Wanted sessions per week.
    pub sessions_per_week: u32,
    /// Tags the clinic room must have.
    pub room_tags: Vec<String>,
    /// Specialists who may attend as apprentices.
    pub apprentices: Vec<SpecialistIx>,
    /// Apprentices needed in each session.
    pub min_apprentices: u32,
}

/// A disease MDT board: one specialist of each required discipline at once.
#[derive(Debug, Clone, PartialEq)]
pub struct MdtBoard {
    /// Unique id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Where it meets.
    pub site: SiteIx,
    /// Required disciplines (distinct).
    pub required: Vec<String>,
    /// Required disciplines whose participant may join by video.
    pub remote_ok: Vec<String>,
    /// Wanted meetings per week.
    pub meetings_per_week: u32,
    /// Allowed session indices.
    pub sessions: Vec<usize>,
    /// Tags the meeting room must have.
    pub room_tags: Vec<String>,
}

impl MdtBoard {
    /// Whether a participant of the discipline may join remotely.
    pub fn allows_remote(&self, discipline: &str) -> bool {
        self.remote_ok.iter().any(|d| d == discipline)
    }
}

/// Wanted clinic sessions of a discipline at a site per week.
#[derive(Debug, Clone, PartialEq)]
pub struct ClinicDemand {
    /// The site.
    pub site: SiteIx,
    /// The discipline.
    pub discipline: String,
    /// Wanted sessions per week.
    pub sessions_per_week: u32,
    /// Tags the clinic room must have.
    pub room_tags: Vec<String>,
}

/// An operation waiting for a slot.
#[derive(Debug, Clone, PartialEq)]
pub struct Surgery {
    /// Unique id.
    pub id: String,
    /// Opaque patient reference.
    pub patient: String,
    /// The discipline.
    pub discipline: String,
    /// The named surgeon, if any.
    pub surgeon: Option<SpecialistIx>,
    /// Grade 1–4.
    pub grade: u8,
    /// Duration.
    pub minutes: u32,
    /// Tags the theatre must have.
    pub room_tags: Vec<String>,
    /// Required site, if any.
    pub site: Option<SiteIx>,
    /// Earliest date.
    pub release: NaiveDate,
    /// Due date (lateness is penalised, not forbidden).
    pub due: NaiveDate,
    /// Priority 1–5.
    pub priority: u8,
}

/// A patient's à-la-carte request for a clinic appointment.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Unique id.
    pub id: String,
    /// Opaque patient reference.
    pub patient: String,
    /// The named specialist, if any.
    pub specialist: Option<SpecialistIx>,
    /// The discipline (given, or the named specialist's first).
    pub discipline: String,
    /// Allowed sites; `None` means any.
    pub sites: Option<Vec<SiteIx>>,
    /// First acceptable date.
    pub earliest: NaiveDate,
    /// Last acceptable date.
    pub latest: NaiveDate,
    /// Whether another specialist of the discipline will do.
    pub substitute_ok: bool,
    /// Priority 1–5.
    pub priority: u8,
    /// The site (a community centre) that referred the patient, if one did.
    pub referred_by: Option<SiteIx>,
}

impl Request {
    /// Whether the site is allowed.
    pub fn allows_site(&self, site: SiteIx) -> bool {
        self.sites
            .as_ref()
            .is_none_or(|sites| sites.contains(&site))
    }
}

/// A validated instance. Fields are public for reading; build it only through the
/// constructors so that every invariant documented on the fields holds.
#[derive(Debug, Clone)]
pub struct Instance {
    /// The instance name (rosters refer to it).
    pub name: String,
    /// The horizon.
    pub calendar: Calendar,
    /// `[[sites]]`.
    pub sites: Vec<Site>,
    /// `[[travel]]`.
    pub travel: Vec<Travel>,
    /// `[[rooms]]`.
    pub rooms: Vec<Room>,
    /// `[[specialists]]`.
    pub specialists: Vec<Specialist>,
    /// `[[residencies]]`.
    pub residencies: Vec<Residency>,
    /// `[[studios]]`.
    pub studios: Vec<Studio>,
    /// `[[mdt_boards]]`.
    pub mdt_boards: Vec<MdtBoard>,
    /// `[[clinic_demand]]`.
    pub clinic_demand: Vec<ClinicDemand>,
    /// `[[surgeries]]`.
    pub surgeries: Vec<Surgery>,
    /// `[[requests]]`.
    pub requests: Vec<Request>,
    /// Objective weights with defaults applied.
    pub weights: TermValues,
    /// `[[pins]]`: the scheduler's decisions, hard constraints (docs/format.md § Pins).
    pub pins: Vec<crate::pins::Pin>,
    /// `[[pools]]` of specialists' sessions: places held for referrals (docs/format.md
    /// § Pools).
    pub pools: Vec<crate::pools::Pool>,
    /// `[[resources]]`: bookable sessions held by no specialist (docs/format.md
    /// § Resources).
    pub resources: Vec<crate::resources::Resource>,
    /// The `[[requests]]` that ask for a resource, in file order; [`Instance::requests`]
    /// holds the others.
    pub resource_requests: Vec<crate::resources::ResourceRequest>,
    /// `[[pools]]` of resources' sessions.
    pub resource_pools: Vec<crate::pools::Pool<crate::resources::ResourceIx>>,
    /// Warnings found while validating (the instance is usable).
    pub warnings: Vec<Diagnostic>,
    ids: IdIndex,
    /// For each of `requests`, its position in the file's `[[requests]]`.
    request_positions: Vec<usize>,
}

#[derive(Debug, Clone, Default)]
struct IdIndex {
    sites: BTreeMap<String, SiteIx>,
    rooms: BTreeMap<String, RoomIx>,
    specialists: BTreeMap<String, SpecialistIx>,
    studios: BTreeMap<String, StudioIx>,
    boards: BTreeMap<String, BoardIx>,
    surgeries: BTreeMap<String, SurgeryIx>,
    requests: BTreeMap<String, RequestIx>,
}

impl Instance {
    /// Reads and validates an instance file (TOML or JSON, chosen by extension, else by content).
    pub fn from_path(path: &Path) -> Result<Instance, InstanceError> {
        let text = std::fs::read_to_string(path).map_err(|source| InstanceError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Instance::from_str_as(&text, SourceFormat::detect(path, &text))
    }

    /// Reads and validates TOML text.
    pub fn from_toml_str(text: &str) -> Result<Instance, InstanceError> {
        Instance::from_str_as(text, SourceFormat::Toml)
    }

    /// Reads and validates JSON text.
    pub fn from_json_str(text: &str) -> Result<Instance, InstanceError> {
        Instance::from_str_as(text, SourceFormat::Json)
    }

    /// Reads and validates text in the given format.
    pub fn from_str_as(text: &str, format: SourceFormat) -> Result<Instance, InstanceError> {
        let (raw, unknown_fields) = load::parse(text, format)?;
        build::build(&raw, unknown_fields)
    }

    /// Validates an instance in its raw form (as a file holds it) and builds it.
    pub fn from_raw(raw: &raw::RawInstance) -> Result<Instance, InstanceError> {
        build::build(raw, Vec::new())
    }

    /// The site with this id.
    pub fn site_ix(&self, id: &str) -> Option<SiteIx> {
        self.ids.sites.get(id).copied()
    }
    /// The room with this id.
    pub fn room_ix(&self, id: &str) -> Option<RoomIx> {
        self.ids.rooms.get(id).copied()
    }
    /// The specialist with this id.
    pub fn specialist_ix(&self, id: &str) -> Option<SpecialistIx> {
        self.ids.specialists.get(id).copied()
    }
    /// The studio with this id.
    pub fn studio_ix(&self, id: &str) -> Option<StudioIx> {
        self.ids.studios.get(id).copied()
    }
    /// The MDT board with this id.
    pub fn board_ix(&self, id: &str) -> Option<BoardIx> {
        self.ids.boards.get(id).copied()
    }
    /// The surgery with this id.
    pub fn surgery_ix(&self, id: &str) -> Option<SurgeryIx> {
        self.ids.surgeries.get(id).copied()
    }
    /// The request with this id.
    pub fn request_ix(&self, id: &str) -> Option<RequestIx> {
        self.ids.requests.get(id).copied()
    }

    /// The field path of a request in the file (`requests[4]`): resource requests share
    /// the file's list, so positions in [`Instance::requests`] may differ from it.
    pub fn request_path(&self, ix: RequestIx) -> String {
        let position = self.request_positions.get(ix.0).copied().unwrap_or(ix.0);
        format!("requests[{position}]")
    }

    /// The site at an index.
    pub fn site(&self, ix: SiteIx) -> &Site {
        &self.sites[ix.0]
    }
    /// The room at an index.
    pub fn room(&self, ix: RoomIx) -> &Room {
        &self.rooms[ix.0]
    }
    /// The specialist at an index.
    pub fn specialist(&self, ix: SpecialistIx) -> &Specialist {
        &self.specialists[ix.0]
    }

    /// Travel minutes between two different sites, if they may be combined in a day.
    pub fn travel_minutes(&self, a: SiteIx, b: SiteIx) -> Option<u32> {
        self.travel
            .iter()
            .find(|t| (t.from == a && t.to == b) || (t.from == b && t.to == a))
            .map(|t| t.minutes)
    }

    /// Whether the specialist is free of calendar and availability limits in the slot:
    /// the date is open and the specialist is available then.
    pub fn can_work(&self, specialist: SpecialistIx, date: NaiveDate, session: usize) -> bool {
        self.calendar.is_open(date) && self.specialist(specialist).is_available(date, session)
    }

    /// Who may do a surgery (rule 8): the named surgeon when their grade suffices, or,
    /// when none is named, everyone with its discipline and a sufficient grade.
    pub fn qualified_surgeons(&self, surgery: SurgeryIx) -> Vec<SpecialistIx> {
        let surgery = &self.surgeries[surgery.0];
        let qualified = |s: &SpecialistIx| self.specialist(*s).surgery_grade >= surgery.grade;
        match surgery.surgeon {
            Some(named) => Some(named).into_iter().filter(qualified).collect(),
            None => (0..self.specialists.len())
                .map(SpecialistIx)
                .filter(|s| qualified(s) && self.specialist(*s).has_discipline(&surgery.discipline))
                .collect(),
        }
    }

    /// Whether the specialist can be on site on the date: open and available for at
    /// least one session.
    pub fn can_be_on_site(&self, specialist: SpecialistIx, date: NaiveDate) -> bool {
        (0..self.calendar.sessions().len()).any(|session| self.can_work(specialist, date, session))
    }

    /// Every discipline someone holds, sorted.
    pub fn disciplines(&self) -> Vec<&str> {
        let mut all: Vec<&str> = self
            .specialists
            .iter()
            .flat_map(|s| s.disciplines.iter().map(String::as_str))
            .collect();
        all.sort_unstable();
        all.dedup();
        all
    }
}
