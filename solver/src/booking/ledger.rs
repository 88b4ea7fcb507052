//! What happened since a roster was published: bookings made (and cancelled), roster
//! bookings cancelled, and the waitlist. Plain data, serialised as the ledger file.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::text::Text;

use super::offers::{Offer, OfferState};
use super::{BookingError, PatientRequest};
use crate::calendar::parse_date;

/// The ledger file's format version.
pub const LEDGER_FORMAT: u32 = 1;

/// A bookable session, as callers name it: `liu-jun@2026-03-03:am`, or a resource's
/// `ct-1@2026-03-03:am` (resource and specialist ids are distinct).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SessionRef {
    /// The specialist holding the session (empty, and absent in JSON, for a resource's).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub specialist: String,
    /// The resource whose session it is (docs/format.md § Resources).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// The date.
    pub date: NaiveDate,
    /// The session id.
    pub session: String,
}

impl SessionRef {
    /// The id of whoever holds the session: the resource's, else the specialist's.
    pub fn holder(&self) -> &str {
        self.resource.as_deref().unwrap_or(&self.specialist)
    }
}

impl fmt::Display for SessionRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}:{}", self.holder(), self.date, self.session)
    }
}

impl FromStr for SessionRef {
    type Err = String;

    /// Reads `HOLDER@YYYY-MM-DD:SESSION` as a specialist's session; the booking book
    /// reads a resource's id there as the resource's session.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || format!("\"{text}\" is not an option id (SPECIALIST@YYYY-MM-DD:SESSION)");
        let (specialist, slot) = text.rsplit_once('@').ok_or_else(bad)?;
        let (date, session) = slot.split_once(':').ok_or_else(bad)?;
        let date = parse_date(date).ok_or_else(bad)?;
        if specialist.is_empty() || session.is_empty() {
            return Err(bad());
        }
        Ok(SessionRef {
            specialist: specialist.to_string(),
            resource: None,
            date,
            session: session.to_string(),
        })
    }
}

/// A booking made at the call centre.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingRecord {
    /// `b-0001`, …: unique within the ledger, never reused.
    pub id: String,
    /// What the patient asked for.
    pub request: PatientRequest,
    /// The session booked.
    pub session: SessionRef,
    /// The session's site id.
    pub site: String,
    /// Booked with someone other than the named specialist.
    pub substitute: bool,
    /// The pool whose held place it took (docs/format.md § Pools), if it took one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<String>,
    /// When it was made.
    pub made_at: DateTime<Utc>,
    /// When it was cancelled, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_at: Option<DateTime<Utc>>,
    /// The one-trip bundle it is a step of (`trip-0001`), booked and cancelled as one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle: Option<String>,
}

impl BookingRecord {
    /// Whether it still holds its place.
    pub fn is_active(&self) -> bool {
        self.cancelled_at.is_none()
    }
}

/// A booking of the published roster (an instance request) cancelled since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    /// The instance request whose roster booking was cancelled.
    pub request: String,
    /// When.
    pub cancelled_at: DateTime<Utc>,
}

/// A request that could not be placed, waiting for the next roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitlistEntry {
    /// `w-0001`, …: unique within the ledger; the request id when exported.
    pub id: String,
    /// What the patient asked for.
    pub request: PatientRequest,
    /// Why it could not be placed when it joined.
    #[serde(default)]
    pub reason: String,
    /// The same reason as a message, to be written in any language; only on the
    /// entry [`BookingBook::join_waitlist`](super::BookingBook::join_waitlist) returns
    /// (the ledger keeps the English).
    #[serde(skip)]
    pub reason_text: Option<Text>,
    /// When it joined.
    pub added_at: DateTime<Utc>,
    /// When it left the waitlist (booked by hand, or withdrawn), if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed_at: Option<DateTime<Utc>>,
}

impl WaitlistEntry {
    /// Whether it is still waiting.
    pub fn is_active(&self) -> bool {
        self.removed_at.is_none()
    }
}

/// Everything since publication, for one instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    /// Format version ([`LEDGER_FORMAT`]).
    pub format: u32,
    /// The instance's `name`.
    pub instance: String,
    /// Bookings made, in the order made (cancelled ones stay, marked).
    #[serde(default)]
    pub bookings: Vec<BookingRecord>,
    /// Roster bookings cancelled.
    #[serde(default)]
    pub released: Vec<Release>,
    /// Requests waiting for the next roster (removed ones stay, marked).
    #[serde(default)]
    pub waitlist: Vec<WaitlistEntry>,
    /// Freed places offered to waitlisted requests, in the order made (docs/booking.md
    /// § Offers); absent from ledgers that never made one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offers: Vec<Offer>,
}

impl Ledger {
    /// An empty ledger for an instance.
    pub fn new(instance: &str) -> Ledger {
        Ledger {
            format: LEDGER_FORMAT,
            instance: instance.to_string(),
            bookings: Vec::new(),
            released: Vec::new(),
            waitlist: Vec::new(),
            offers: Vec::new(),
        }
    }

    /// The offers still holding their place, oldest first.
    pub fn pending_offers(&self) -> Vec<&Offer> {
        self.offers.iter().filter(|o| o.is_pending()).collect()
    }

    /// The active waitlist, oldest first.
    pub fn waiting(&self) -> Vec<&WaitlistEntry> {
        self.waitlist.iter().filter(|w| w.is_active()).collect()
    }

    /// Takes an entry off the waitlist (booked by hand, or withdrawn); its pending
    /// offer, if any, is withdrawn (its place is passed on at the book's next change).
    pub fn leave_waitlist(
        &mut self,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<WaitlistEntry, BookingError> {
        let entry = self
            .waitlist
            .iter_mut()
            .find(|w| w.id == id && w.is_active())
            .ok_or_else(|| BookingError::UnknownWaitlistEntry { id: id.to_string() })?;
        entry.removed_at = Some(now);
        let entry = entry.clone();
        for offer in self
            .offers
            .iter_mut()
            .filter(|o| o.entry == entry.id && o.is_pending())
        {
            offer.state = OfferState::Withdrawn;
            offer.closed_at = Some(now);
        }
        Ok(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_refs_round_trip_and_reject_garbage() {
        let text = "liu-jun@2026-03-03:am";
        let parsed: SessionRef = text.parse().unwrap();
        assert_eq!(parsed.specialist, "liu-jun");
        assert_eq!(parsed.to_string(), text);
        for bad in [
            "liu-jun",
            "liu-jun@2026-03-03",
            "@2026-03-03:am",
            "x@2026-3-3:am",
            "x@2026-03-03:",
        ] {
            assert!(bad.parse::<SessionRef>().is_err(), "{bad}");
        }
    }
}
