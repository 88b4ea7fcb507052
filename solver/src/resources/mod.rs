//! Resources (docs/format.md § Resources): bookable sessions held by no specialist — a
//! CT scanner, an ultrasound room — and the requests that ask for one. A resource
//! runs some of the horizon's sessions on every open date at its site, with `places`
//! per session; a request names the resource (`resource = ID`) or any resource of a
//! kind (`resource_kind = KIND`) at an allowed site. Pools may hold a resource's
//! places for referrals as they hold a specialist's.
//!
//! Resource requests share nothing with specialists, rooms or other requests but the
//! pools of their own resources, so the optimizer serves them as a separate problem
//! ([`assign`]) whose cost and bound add to the rest of the model's.

pub mod assign;

use chrono::NaiveDate;

use crate::calendar::SlotSet;
use crate::instance::{Instance, SiteIx};
use crate::pools::Pool;

/// Position of a resource in [`Instance::resources`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResourceIx(pub usize);

/// Position of a request in [`Instance::resource_requests`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResourceRequestIx(pub usize);

/// A bookable resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// Unique id (distinct from every specialist's, so a session id names one holder).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Where it is.
    pub site: SiteIx,
    /// What kind it is (`ct`, `ultrasound`, …), matched by `resource_kind` requests.
    pub kind: String,
    /// The session indices it runs on open dates, sorted.
    pub sessions: Vec<usize>,
    /// Patients per session.
    pub places: u32,
    /// Dates and slots it does not run.
    pub unavailable: SlotSet,
}

/// What a resource request asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum ResourceTarget {
    /// This resource.
    Resource(ResourceIx),
    /// Any resource of this kind.
    Kind(String),
}

/// A patient's request for a session of a resource.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceRequest {
    /// Unique id (among all requests).
    pub id: String,
    /// Opaque patient reference.
    pub patient: String,
    /// The resource or kind asked for.
    pub target: ResourceTarget,
    /// Allowed sites; `None` means any.
    pub sites: Option<Vec<SiteIx>>,
    /// First acceptable date.
    pub earliest: NaiveDate,
    /// Last acceptable date.
    pub latest: NaiveDate,
    /// Priority 1–5.
    pub priority: u8,
    /// The site (a community centre) that referred the patient, if one did.
    pub referred_by: Option<SiteIx>,
}

impl ResourceRequest {
    /// Whether a session of the resource serves it (resource or kind, and site; not the
    /// date).
    pub fn accepts(&self, instance: &Instance, resource: ResourceIx) -> bool {
        let held = instance.resource(resource);
        let target = match &self.target {
            ResourceTarget::Resource(wanted) => *wanted == resource,
            ResourceTarget::Kind(kind) => held.kind == *kind,
        };
        target
            && self
                .sites
                .as_ref()
                .is_none_or(|sites| sites.contains(&held.site))
    }

    /// What it asks for, as a file would say it (`ct-1`, or `kind ct`).
    pub fn target_label(&self, instance: &Instance) -> String {
        match &self.target {
            ResourceTarget::Resource(ix) => instance.resource(*ix).id.clone(),
            ResourceTarget::Kind(kind) => format!("kind {kind}"),
        }
    }
}

impl Instance {
    /// The resource at an index.
    pub fn resource(&self, ix: ResourceIx) -> &Resource {
        &self.resources[ix.0]
    }

    /// The resource with this id.
    pub fn resource_ix(&self, id: &str) -> Option<ResourceIx> {
        self.resources
            .iter()
            .position(|resource| resource.id == id)
            .map(ResourceIx)
    }

    /// The resource request with this id.
    pub fn resource_request_ix(&self, id: &str) -> Option<ResourceRequestIx> {
        self.resource_requests
            .iter()
            .position(|request| request.id == id)
            .map(ResourceRequestIx)
    }

    /// Whether the resource runs in the slot: the date is open, the session is one of
    /// its own and the slot is not unavailable.
    pub fn resource_runs(&self, resource: ResourceIx, date: NaiveDate, session: usize) -> bool {
        let held = self.resource(resource);
        self.calendar.is_open(date)
            && held.sessions.contains(&session)
            && !held.unavailable.contains(date, session)
    }

    /// The pool holding places of a resource's sessions, if any (at most one).
    pub fn resource_pool_of(&self, resource: ResourceIx) -> Option<&Pool<ResourceIx>> {
        self.resource_pools
            .iter()
            .find(|pool| pool.holder == resource)
    }

    /// The resource pool with this id.
    pub fn resource_pool_by_id(&self, id: &str) -> Option<&Pool<ResourceIx>> {
        self.resource_pools.iter().find(|pool| pool.id == id)
    }

    /// Every resource kind, sorted.
    pub fn resource_kinds(&self) -> Vec<&str> {
        let mut kinds: Vec<&str> = self.resources.iter().map(|r| r.kind.as_str()).collect();
        kinds.sort_unstable();
        kinds.dedup();
        kinds
    }
}
