//! Reserved referral pools (docs/format.md § Pools): places of a specialist's sessions
//! held for patients referred by listed community centres (专用号源池). A pool does not add
//! places; it holds `places` of each bookable session (clinic or studio lead) for
//! referrals from its `for` sites, at most `quota` a week from each centre. The booking
//! that takes a held place names the pool (`pool = ID` in the roster and the ledger), so
//! that `check` can verify rule 12 from the roster alone. Reserved places still free
//! `release_hours` before the session starts become general — on the booking desk,
//! whose clock is real; a roster is planned before any session starts, so for the
//! optimizer and the checker the reservation always holds.

pub mod build;

use chrono::{Duration, NaiveDateTime};

use crate::instance::{Instance, Request, SiteIx, SpecialistIx};

/// A pool of reserved places of a specialist's sessions (`Pool`) or of a resource's
/// (`Pool<ResourceIx>`, docs/format.md § Resources).
#[derive(Debug, Clone, PartialEq)]
pub struct Pool<H = SpecialistIx> {
    /// Unique id.
    pub id: String,
    /// Whose sessions it holds places of.
    pub holder: H,
    /// Places held in each of their bookable sessions.
    pub places: u32,
    /// The referring sites whose patients may take a held place.
    pub referrers: Vec<SiteIx>,
    /// At most this many held places a week for each referring site.
    pub quota: Option<u32>,
    /// Held places still free this many hours before the session become general.
    pub release_hours: u32,
}

impl<H> Pool<H> {
    /// Whether the request may take a held place (it was referred by a listed site).
    pub fn admits(&self, request: &Request) -> bool {
        self.admits_referral(request.referred_by)
    }

    /// Whether a patient referred by this site (or by none) may take a held place.
    pub fn admits_referral(&self, referred_by: Option<SiteIx>) -> bool {
        referred_by.is_some_and(|site| self.referrers.contains(&site))
    }

    /// When the held places of a session starting at `start` become anyone's (both on
    /// the session clock).
    pub fn release_time(&self, start: NaiveDateTime) -> NaiveDateTime {
        start - Duration::hours(i64::from(self.release_hours))
    }

    /// Held places a referring site may still take in a week in which it has taken
    /// `taken`.
    pub fn quota_left(&self, taken: u32) -> u32 {
        self.quota
            .map_or(u32::MAX, |quota| quota.saturating_sub(taken))
    }
}

impl Instance {
    /// The pool holding places of a specialist's sessions, if any (at most one).
    pub fn pool_of(&self, who: SpecialistIx) -> Option<&Pool> {
        self.pools.iter().find(|pool| pool.holder == who)
    }

    /// The pool with this id.
    pub fn pool_by_id(&self, id: &str) -> Option<&Pool> {
        self.pools.iter().find(|pool| pool.id == id)
    }
}
