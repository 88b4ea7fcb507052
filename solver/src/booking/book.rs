//! The booking book: a published roster plus its [`Ledger`], with the places left in
//! every clinic and studio session, and the operations that change the ledger (book,
//! cancel, waitlist). Searching lives in `search`, explanations in `explain`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use super::ledger::{BookingRecord, LEDGER_FORMAT, Ledger, Release, SessionRef, WaitlistEntry};
use super::offers::{DEFAULT_OFFER_HOLD_MINUTES, Offer};
use super::search::{SearchResult, SlotOption};
use super::{BookingError, PatientRequest};
use crate::calendar::Slot;
use crate::check::check;
use crate::diagnostics::did_you_mean;
use crate::instance::{Instance, Request, SpecialistIx};
use crate::roster::Roster;
use crate::roster_index::{HeldSession, RosterIndex};
use crate::text::Text;

use super::places::{HeldPlaces, Place};
use super::resource_desk::ResourcePlaces;

/// A session in indices: who holds it and when.
pub(super) type SessionKey = (SpecialistIx, Slot);

/// A published roster with the bookings made since.
#[derive(Debug, Clone)]
pub struct BookingBook {
    pub(super) instance: Arc<Instance>,
    pub(super) index: RosterIndex,
    ledger: Ledger,
    /// Places taken per session: roster bookings not released, active ledger bookings.
    taken: BTreeMap<SessionKey, u32>,
    /// Bookable sessions per discipline, in time order.
    pub(super) by_discipline: BTreeMap<String, Vec<SessionKey>>,
    /// Roster bookings (request ids) cancelled since publication.
    released: BTreeSet<String>,
    /// Ledger bookings by id: their position in `ledger.bookings`.
    positions: BTreeMap<String, usize>,
    /// Active ledger bookings by (patient, session): their id.
    held: BTreeMap<(String, SessionKey), String>,
    /// Places pools hold that bookings have taken (rule 12).
    pub(super) held_places: HeldPlaces,
    /// The desk's clock: `None` for the system's.
    pub(super) clock: Option<DateTime<Utc>>,
    /// Places held by pending offers, per session: the patients they are offered to.
    pub(super) offered: BTreeMap<SessionKey, Vec<String>>,
    /// How long an offer holds its place.
    pub(super) offer_hold: Duration,
    /// Places taken in resources' sessions (`resource_desk`).
    pub(super) resource_places: ResourcePlaces,
}

/// A booking made.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Confirmation {
    /// The ledger entry.
    pub booking: BookingRecord,
    /// The session booked, with the places left after this booking.
    pub option: SlotOption,
    /// The patient's waitlist entries this booking serves, taken off the waitlist.
    pub left_waitlist: Vec<String>,
}

/// A waitlisted request that a freed place could serve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaitlistMatch {
    /// The waitlist entry.
    pub entry: String,
    /// The freed session, as an option for that entry.
    pub option: SlotOption,
}

/// A booking cancelled.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cancellation {
    /// The booking id (a ledger id, or the request id of a roster booking).
    pub id: String,
    /// The session whose place was freed.
    pub session: SessionRef,
    /// Places left in it now.
    pub places_left: u32,
    /// Waitlisted requests the freed place could serve, oldest first.
    pub waitlist_matches: Vec<WaitlistMatch>,
    /// The offer of the freed place to the best-ranked of them that may take it, if
    /// any (docs/booking.md § Offers), and any other offer this change made.
    pub offers: Vec<Offer>,
}

/// One active booking, from the roster or the call centre.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BookingView {
    /// The ledger id, or the instance request id for a roster booking.
    pub id: String,
    /// `roster` (booked by the solve) or `call_centre`.
    pub origin: &'static str,
    /// Opaque patient reference.
    pub patient: String,
    /// The session.
    pub session: SessionRef,
    /// Site id.
    pub site: String,
    /// Booked with someone other than the named specialist.
    pub substitute: bool,
    /// When it was made (absent for roster bookings: made at publication).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub made_at: Option<DateTime<Utc>>,
}

impl BookingBook {
    /// Opens the book of a published roster: the roster must be for the instance and
    /// pass every hard rule, and the ledger must fit it (every active booking in a
    /// session the roster holds, no session over capacity).
    pub fn open(
        instance: Arc<Instance>,
        roster: &Roster,
        ledger: Ledger,
    ) -> Result<BookingBook, BookingError> {
        if roster.instance != instance.name {
            return Err(BookingError::RosterForOtherInstance {
                roster: roster.instance.clone(),
                instance: instance.name.clone(),
            });
        }
        if ledger.instance != instance.name {
            return Err(BookingError::LedgerForOtherInstance {
                ledger: ledger.instance.clone(),
                instance: instance.name.clone(),
            });
        }
        if ledger.format != LEDGER_FORMAT {
            return Err(BookingError::LedgerDoesNotFit {
                id: "format".into(),
                problem: format!(
                    "format version {} (this houniao reads version {LEDGER_FORMAT})",
                    ledger.format
                ),
            });
        }
        let report = check(&instance, roster);
        if let Some(first) = report.violations.first() {
            return Err(BookingError::InvalidRoster {
                count: report.violations.len(),
                first: first.to_string(),
            });
        }
        let index = RosterIndex::new(&instance, roster);
        let mut by_discipline: BTreeMap<String, Vec<SessionKey>> = BTreeMap::new();
        for (key, held) in &index.sessions {
            by_discipline
                .entry(held.discipline.clone())
                .or_default()
                .push(*key);
        }
        for keys in by_discipline.values_mut() {
            keys.sort_by_key(|(who, slot)| (*slot, *who));
        }
        let resource_places = ResourcePlaces::of_roster(&instance, roster);
        let mut book = BookingBook {
            instance,
            index,
            ledger: Ledger::new(""),
            taken: BTreeMap::new(),
            by_discipline,
            released: BTreeSet::new(),
            positions: BTreeMap::new(),
            held: BTreeMap::new(),
            held_places: HeldPlaces::default(),
            clock: None,
            offered: BTreeMap::new(),
            offer_hold: Duration::minutes(i64::from(DEFAULT_OFFER_HOLD_MINUTES)),
            resource_places,
        };
        book.replay(ledger, roster)?;
        Ok(book)
    }

    /// Rebuilds the places taken from the roster and the ledger, checking the ledger.
    fn replay(&mut self, ledger: Ledger, roster: &Roster) -> Result<(), BookingError> {
        self.taken = self.index.bookings.clone();
        let released: BTreeSet<&str> = ledger.released.iter().map(|r| r.request.as_str()).collect();
        for booking in roster.bookings.iter().filter(|b| b.pool.is_some()) {
            if released.contains(booking.request.as_str()) {
                continue;
            }
            if let (Some(key), Some(r)) = (
                self.index.booked.get(&booking.request).copied(),
                self.instance.request_ix(&booking.request),
            ) {
                let instance = Arc::clone(&self.instance);
                self.count_held(&instance.requests[r.0], key, true);
                self.held_places.roster_held.insert(booking.request.clone());
            }
        }
        for release in &ledger.released {
            if let Some((key, held)) = self.resource_places.roster.get(&release.request).copied() {
                if !self.released.insert(release.request.clone()) {
                    return Err(BookingError::LedgerDoesNotFit {
                        id: release.request.clone(),
                        problem: "cancelled twice".into(),
                    });
                }
                let referrer = self.resource_referrer(&release.request);
                self.release_resource_place(key, held, referrer);
                continue;
            }
            let Some(key) = self.index.booked.get(&release.request).copied() else {
                return Err(BookingError::LedgerDoesNotFit {
                    id: release.request.clone(),
                    problem: "the roster has no booking for this request".into(),
                });
            };
            if !self.released.insert(release.request.clone()) {
                return Err(BookingError::LedgerDoesNotFit {
                    id: release.request.clone(),
                    problem: "cancelled twice".into(),
                });
            }
            self.release_place(key);
        }
        for (position, record) in ledger.bookings.iter().enumerate() {
            if self.positions.insert(record.id.clone(), position).is_some() {
                return Err(BookingError::LedgerDoesNotFit {
                    id: record.id.clone(),
                    problem: "the id is used twice".into(),
                });
            }
            if !record.is_active() {
                continue;
            }
            if let Some(key) = self.resource_key(&record.session) {
                let key = key.map_err(|error| BookingError::LedgerDoesNotFit {
                    id: record.id.clone(),
                    problem: error.to_string(),
                })?;
                let referrer = record
                    .request
                    .referred_by
                    .as_deref()
                    .and_then(|site| self.instance.site_ix(site));
                let instance = Arc::clone(&self.instance);
                self.resource_places
                    .count(&instance, key, record.pool.is_some(), referrer, true);
                continue;
            }
            let key = self.session_key(&record.session).map_err(|error| {
                BookingError::LedgerDoesNotFit {
                    id: record.id.clone(),
                    problem: error.to_string(),
                }
            })?;
            if self.places_left(key) == 0 {
                return Err(BookingError::LedgerDoesNotFit {
                    id: record.id.clone(),
                    problem: format!("{} would be over capacity", record.session),
                });
            }
            *self.taken.entry(key).or_default() += 1;
            if record.pool.is_some() {
                let request = record
                    .request
                    .resolve(&self.instance, false)
                    .map_err(|error| BookingError::LedgerDoesNotFit {
                        id: record.id.clone(),
                        problem: error.to_string(),
                    })?;
                self.count_held(&request, key, true);
            }
            self.held
                .insert((record.request.patient.clone(), key), record.id.clone());
        }
        // A pending offer of a session this roster does not hold holds nothing; the
        // book's next change withdraws it (`settle_offers`).
        for offer in &ledger.offers {
            if !ledger.waitlist.iter().any(|w| w.id == offer.entry) {
                return Err(BookingError::LedgerDoesNotFit {
                    id: offer.id.clone(),
                    problem: format!("no waitlist entry \"{}\"", offer.entry),
                });
            }
            if self.positions.contains_key(&offer.id)
                || ledger.offers.iter().filter(|o| o.id == offer.id).count() > 1
            {
                return Err(BookingError::LedgerDoesNotFit {
                    id: offer.id.clone(),
                    problem: "the id is used twice".into(),
                });
            }
        }
        self.ledger = ledger;
        self.recount_offers();
        Ok(())
    }

    /// The instance.
    pub fn instance(&self) -> &Instance {
        &self.instance
    }

    /// The ledger (to be saved after a change).
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    pub(super) fn ledger_mut(&mut self) -> &mut Ledger {
        &mut self.ledger
    }

    /// Whether the patient holds a call-centre booking in the session.
    pub(super) fn holds(&self, patient: &str, key: SessionKey) -> bool {
        self.held.contains_key(&(patient.to_string(), key))
    }

    /// How many bookable (clinic and studio) sessions the roster holds.
    pub fn session_count(&self) -> usize {
        self.index.sessions.len()
    }

    /// Resolves a session reference to a bookable session of the roster.
    pub(super) fn session_key(&self, session: &SessionRef) -> Result<SessionKey, BookingError> {
        let instance = &self.instance;
        let not_a_session = |why: String| BookingError::NotASession {
            option: session.to_string(),
            why,
        };
        let who = instance.specialist_ix(&session.specialist).ok_or_else(|| {
            let hint = did_you_mean(
                &session.specialist,
                instance.specialists.iter().map(|s| s.id.as_str()),
            )
            .map(|h| format!(" ({h})"))
            .unwrap_or_default();
            not_a_session(format!(
                "unknown specialist \"{}\"{hint}",
                session.specialist
            ))
        })?;
        let index = instance
            .calendar
            .session_index(&session.session)
            .ok_or_else(|| not_a_session(format!("unknown session \"{}\"", session.session)))?;
        let key = (
            who,
            Slot {
                date: session.date,
                session: index,
            },
        );
        if !self.index.sessions.contains_key(&key) {
            let doing = self
                .index
                .activities
                .get(&key)
                .map(|what| {
                    format!(
                        "holds a{} {what} then",
                        if *what == "mdt" { "n" } else { "" }
                    )
                })
                .unwrap_or_else(|| "holds no session then".into());
            return Err(not_a_session(format!(
                "{} {doing} on the published roster",
                instance.specialist(who).name
            )));
        }
        Ok(key)
    }

    /// The reference of a session.
    pub(super) fn session_ref(&self, (who, slot): SessionKey) -> SessionRef {
        SessionRef {
            specialist: self.instance.specialist(who).id.clone(),
            resource: None,
            date: slot.date,
            session: self.instance.calendar.sessions()[slot.session].id.clone(),
        }
    }

    pub(super) fn held(&self, key: SessionKey) -> &HeldSession {
        &self.index.sessions[&key]
    }

    /// Places a session takes: its holder's `clinic_capacity`.
    pub(super) fn capacity(&self, (who, _): SessionKey) -> u32 {
        self.instance.specialist(who).clinic_capacity
    }

    /// Places taken in a session.
    pub(super) fn taken(&self, key: SessionKey) -> u32 {
        self.taken.get(&key).copied().unwrap_or(0)
    }

    /// Places left in a session.
    pub(super) fn places_left(&self, key: SessionKey) -> u32 {
        self.capacity(key).saturating_sub(self.taken(key))
    }

    /// Places left in a session, by reference.
    pub fn places_left_in(&self, session: &SessionRef) -> Result<u32, BookingError> {
        self.session_key(session).map(|key| self.places_left(key))
    }

    fn release_place(&mut self, key: SessionKey) {
        if let Some(taken) = self.taken.get_mut(&key) {
            *taken = taken.saturating_sub(1);
        }
    }

    /// Whether the session can serve the request (rule 9), and as a substitute or not.
    pub(super) fn serves(&self, request: &Request, (who, slot): SessionKey) -> Option<bool> {
        let held = self.index.sessions.get(&(who, slot))?;
        if slot.date < request.earliest
            || slot.date > request.latest
            || !request.allows_site(held.site)
        {
            return None;
        }
        match request.specialist {
            Some(named) if named == who => Some(false),
            Some(_) if request.substitute_ok && held.discipline == request.discipline => Some(true),
            None if held.discipline == request.discipline => Some(false),
            _ => None,
        }
    }

    /// Why the session cannot serve the request, for a clean refusal.
    fn why_not(&self, request: &Request, (who, slot): SessionKey) -> String {
        let instance = &self.instance;
        let held = self.held((who, slot));
        if slot.date < request.earliest || slot.date > request.latest {
            return format!(
                "{} is outside the window {} … {}",
                slot.date, request.earliest, request.latest
            );
        }
        if !request.allows_site(held.site) {
            return format!(
                "it is held at {} ({}), which the patient did not allow",
                instance.site(held.site).name,
                instance.site(held.site).id
            );
        }
        let holder = &instance.specialist(who).name;
        match request.specialist {
            Some(named) if !request.substitute_ok => format!(
                "it is {holder}'s session and the patient wants {} only",
                instance.specialist(named).name
            ),
            _ => format!(
                "{holder} holds it in {}, not {}",
                held.discipline, request.discipline
            ),
        }
    }

    /// Books a chosen option for the request. Fails cleanly when the option does not
    /// fit the request, when the patient already holds a place in it, or when its last
    /// place was taken meanwhile (with the current alternatives).
    pub fn book(
        &mut self,
        request: &PatientRequest,
        option: &SessionRef,
        now: DateTime<Utc>,
    ) -> Result<Confirmation, BookingError> {
        self.settle_offers(now);
        if request.asks_for_resource() {
            return self.book_resource(request, option, now);
        }
        let resolved = request.resolve(&self.instance, true)?;
        let key = self.session_key(option)?;
        let Some(substitute) = self.serves(&resolved, key) else {
            return Err(BookingError::DoesNotFit {
                option: option.to_string(),
                why: self.why_not(&resolved, key),
            });
        };
        if let Some(existing) =
            self.ledger.bookings.iter().find(|b| {
                b.is_active() && b.request.patient == request.patient && b.session == *option
            })
        {
            return Err(BookingError::AlreadyBooked {
                booking: existing.id.clone(),
                option: option.to_string(),
            });
        }
        let Some(place) = self.place_for(&resolved, key) else {
            let alternatives = self.search(request, SearchResult::DEFAULT_LIMIT)?;
            return Err(BookingError::Taken {
                option: option.to_string(),
                capacity: self.capacity(key),
                alternatives: Box::new(alternatives),
            });
        };
        let pool = match place {
            Place::Held => self.instance.pool_of(key.0).map(|p| p.id.clone()),
            Place::General => None,
        };
        if pool.is_some() {
            self.count_held(&resolved, key, true);
        }
        let record = BookingRecord {
            id: self.next_id("b", self.ledger.bookings.len()),
            request: request.clone(),
            session: self.session_ref(key),
            site: self.instance.site(self.held(key).site).id.clone(),
            substitute,
            pool,
            made_at: now,
            cancelled_at: None,
            bundle: None,
        };
        *self.taken.entry(key).or_default() += 1;
        self.positions
            .insert(record.id.clone(), self.ledger.bookings.len());
        self.held
            .insert((request.patient.clone(), key), record.id.clone());
        self.ledger.bookings.push(record.clone());
        self.accepted_by_booking(&request.patient, &record.session, &record.id, now);
        let left_waitlist = self.served_waitlist_entries(&request.patient, key);
        for entry in &left_waitlist {
            self.ledger.leave_waitlist(entry, now)?;
        }
        self.settle_offers(now);
        Ok(Confirmation {
            option: self.option(key, &resolved, substitute),
            booking: record,
            left_waitlist,
        })
    }

    /// Books the best-ranked option of the request's search.
    pub fn book_best(
        &mut self,
        request: &PatientRequest,
        now: DateTime<Utc>,
    ) -> Result<Confirmation, BookingError> {
        if request.asks_for_resource() {
            request.resolve_resource(&self.instance, true)?;
        } else {
            request.resolve(&self.instance, true)?;
        }
        self.settle_offers(now);
        let result = self.search(request, SearchResult::DEFAULT_LIMIT)?;
        match result.options.first() {
            Some(best) => {
                let session = best.session.clone();
                self.book(request, &session, now)
            }
            None => Err(BookingError::NoOption {
                reason: result.reasons.join("; "),
                result: Box::new(result),
            }),
        }
    }

    /// The ledger's bookings, cancelled ones included.
    pub(super) fn ledger_bookings(&self) -> &[BookingRecord] {
        &self.ledger.bookings
    }

    /// The id the next ledger booking gets.
    pub(super) fn next_booking_id(&self) -> String {
        self.next_id("b", self.ledger.bookings.len())
    }

    /// Appends a new booking to the ledger.
    pub(super) fn push_booking(&mut self, record: BookingRecord) {
        self.positions
            .insert(record.id.clone(), self.ledger.bookings.len());
        self.ledger.bookings.push(record);
    }

    /// The id the next one-trip bundle gets.
    pub(super) fn next_bundle_id(&self) -> String {
        let used = |id: &str| {
            self.ledger
                .bookings
                .iter()
                .any(|b| b.bundle.as_deref() == Some(id))
        };
        (1..)
            .map(|n| format!("trip-{n:04}"))
            .find(|id| !used(id))
            .expect("an unused bundle id exists")
    }

    /// Marks a ledger booking as a step of a bundle.
    pub(super) fn set_bundle(&mut self, booking: &str, bundle: &str) {
        if let Some(position) = self.positions.get(booking).copied() {
            self.ledger.bookings[position].bundle = Some(bundle.to_string());
        }
    }

    /// The referring site of an instance resource request.
    fn resource_referrer(&self, request: &str) -> Option<crate::instance::SiteIx> {
        self.instance
            .resource_request_ix(request)
            .and_then(|r| self.instance.resource_requests[r.0].referred_by)
    }

    /// A fresh id `PREFIX-NNNN` that no booking, waitlist entry, offer or instance
    /// request uses.
    pub(super) fn next_id(&self, prefix: &str, used: usize) -> String {
        let taken = |id: &str| {
            self.instance.request_ix(id).is_some()
                || self.positions.contains_key(id)
                || self.ledger.waitlist.iter().any(|w| w.id == id)
                || self.ledger.offers.iter().any(|o| o.id == id)
        };
        (used + 1..)
            .map(|n| format!("{prefix}-{n:04}"))
            .find(|id| !taken(id))
            .expect("an unused id exists")
    }

    /// Cancels a booking: a ledger booking by its id, or a roster booking by its request
    /// id. The place is freed; waitlisted requests it could serve are returned.
    pub fn cancel(&mut self, id: &str, now: DateTime<Utc>) -> Result<Cancellation, BookingError> {
        self.settle_offers(now);
        let made = self.ledger.offers.len();
        let key = if let Some(position) = self.positions.get(id).copied() {
            let record = &mut self.ledger.bookings[position];
            if let Some(at) = record.cancelled_at {
                return Err(BookingError::AlreadyCancelled {
                    id: id.to_string(),
                    at: at.to_rfc3339(),
                });
            }
            record.cancelled_at = Some(now);
            let (session, patient) = (record.session.clone(), record.request.patient.clone());
            let held_by = record.pool.is_some().then(|| record.request.clone());
            if let Some(key) = self.resource_key(&session) {
                let key = key?;
                let referrer = held_by
                    .as_ref()
                    .and_then(|r| r.referred_by.as_deref())
                    .and_then(|site| self.instance.site_ix(site));
                let cancellation = self.release_resource_place(key, held_by.is_some(), referrer);
                return Ok(Cancellation {
                    id: id.to_string(),
                    ..cancellation
                });
            }
            let key = self.session_key(&session)?;
            self.held.remove(&(patient, key));
            if let Some(request) = held_by.and_then(|r| r.resolve(&self.instance, false).ok()) {
                self.count_held(&request, key, false);
            }
            key
        } else if let Some((key, held)) = self.resource_places.roster.get(id).copied() {
            if let Some(release) = self.ledger.released.iter().find(|r| r.request == id) {
                return Err(BookingError::AlreadyCancelled {
                    id: id.to_string(),
                    at: release.cancelled_at.to_rfc3339(),
                });
            }
            self.released.insert(id.to_string());
            self.ledger.released.push(Release {
                request: id.to_string(),
                cancelled_at: now,
            });
            let referrer = self.resource_referrer(id);
            let cancellation = self.release_resource_place(key, held, referrer);
            return Ok(Cancellation {
                id: id.to_string(),
                ..cancellation
            });
        } else if let Some(key) = self.index.booked.get(id).copied() {
            if let Some(release) = self.ledger.released.iter().find(|r| r.request == id) {
                return Err(BookingError::AlreadyCancelled {
                    id: id.to_string(),
                    at: release.cancelled_at.to_rfc3339(),
                });
            }
            self.released.insert(id.to_string());
            if self.held_places.roster_held.contains(id)
                && let Some(r) = self.instance.request_ix(id)
            {
                let instance = Arc::clone(&self.instance);
                self.count_held(&instance.requests[r.0], key, false);
            }
            self.ledger.released.push(Release {
                request: id.to_string(),
                cancelled_at: now,
            });
            key
        } else {
            let known = self
                .ledger
                .bookings
                .iter()
                .map(|b| b.id.as_str())
                .chain(self.index.booked.keys().map(String::as_str));
            return Err(BookingError::UnknownBooking {
                id: id.to_string(),
                hint: did_you_mean(id, known),
            });
        };
        self.release_place(key);
        self.offer_place(key, now);
        self.settle_offers(now);
        Ok(Cancellation {
            id: id.to_string(),
            session: self.session_ref(key),
            places_left: self.places_left(key),
            waitlist_matches: self.waitlist_matches(key),
            offers: self.ledger.offers[made..].to_vec(),
        })
    }

    /// The patient's active waitlist entries that the session serves.
    fn served_waitlist_entries(&self, patient: &str, key: SessionKey) -> Vec<String> {
        self.waitlist_matches(key)
            .into_iter()
            .filter(|matched| {
                self.ledger
                    .waitlist
                    .iter()
                    .any(|w| w.id == matched.entry && w.request.patient == patient)
            })
            .map(|matched| matched.entry)
            .collect()
    }

    fn waitlist_matches(&self, key: SessionKey) -> Vec<WaitlistMatch> {
        self.waitlist()
            .filter_map(|entry| {
                let request = entry.request.resolve(&self.instance, false).ok()?;
                let substitute = self.serves(&request, key)?;
                Some(WaitlistMatch {
                    entry: entry.id.clone(),
                    option: self.option(key, &request, substitute),
                })
            })
            .collect()
    }

    /// Puts a request that cannot be placed on the waitlist, with the reason it could not.
    pub fn join_waitlist(
        &mut self,
        request: &PatientRequest,
        now: DateTime<Utc>,
    ) -> Result<WaitlistEntry, BookingError> {
        request.resolve(&self.instance, true)?;
        self.settle_offers(now);
        let result = self.search(request, 0)?;
        let entry = WaitlistEntry {
            id: self.next_id("w", self.ledger.waitlist.len()),
            request: request.clone(),
            reason: result.reasons.join("; "),
            reason_text: Some(Text::clauses(result.reason_texts.clone())),
            added_at: now,
            removed_at: None,
        };
        self.ledger.waitlist.push(entry.clone());
        Ok(entry)
    }

    /// Takes an entry off the waitlist (booked by hand, or withdrawn).
    pub fn leave_waitlist(
        &mut self,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<WaitlistEntry, BookingError> {
        self.settle_offers(now);
        let entry = self.ledger.leave_waitlist(id, now)?;
        self.settle_offers(now);
        Ok(entry)
    }

    /// The active waitlist, oldest first.
    pub fn waitlist(&self) -> impl Iterator<Item = &WaitlistEntry> {
        self.ledger.waitlist.iter().filter(|w| w.is_active())
    }

    /// Active bookings (roster and call centre), optionally of one session or one
    /// patient, in session order.
    pub fn bookings(
        &self,
        session: Option<&SessionRef>,
        patient: Option<&str>,
    ) -> Result<Vec<BookingView>, BookingError> {
        let wanted = session.map(|s| self.session_key(s)).transpose()?;
        let instance = &self.instance;
        let mut views: Vec<(SessionKey, BookingView)> = Vec::new();
        for (request, key) in &self.index.booked {
            if self.released.contains(request) {
                continue;
            }
            let Some(r) = instance.request_ix(request) else {
                continue;
            };
            let r = &instance.requests[r.0];
            views.push((
                *key,
                BookingView {
                    id: request.clone(),
                    origin: "roster",
                    patient: r.patient.clone(),
                    session: self.session_ref(*key),
                    site: instance.site(self.held(*key).site).id.clone(),
                    substitute: r.specialist.is_some_and(|named| named != key.0),
                    made_at: None,
                },
            ));
        }
        let mut resource_views = Vec::new();
        for record in self.ledger.bookings.iter().filter(|b| b.is_active()) {
            if self.resource_key(&record.session).is_some() {
                if session.is_none_or(|s| s.to_string() == record.session.to_string())
                    && patient.is_none_or(|p| p == record.request.patient)
                {
                    resource_views.push(BookingView {
                        id: record.id.clone(),
                        origin: "call_centre",
                        patient: record.request.patient.clone(),
                        session: record.session.clone(),
                        site: record.site.clone(),
                        substitute: false,
                        made_at: Some(record.made_at),
                    });
                }
                continue;
            }
            let key = self.session_key(&record.session)?;
            views.push((
                key,
                BookingView {
                    id: record.id.clone(),
                    origin: "call_centre",
                    patient: record.request.patient.clone(),
                    session: record.session.clone(),
                    site: record.site.clone(),
                    substitute: record.substitute,
                    made_at: Some(record.made_at),
                },
            ));
        }
        views.retain(|(key, view)| {
            wanted.is_none_or(|w| w == *key) && patient.is_none_or(|p| p == view.patient)
        });
        views.sort_by(|a, b| (a.0.1, a.0.0, &a.1.id).cmp(&(b.0.1, b.0.0, &b.1.id)));
        Ok(views
            .into_iter()
            .map(|(_, view)| view)
            .chain(resource_views)
            .collect())
    }

    /// The first and last dates of the published horizon.
    pub fn horizon(&self) -> (NaiveDate, NaiveDate) {
        (self.instance.calendar.start(), self.instance.calendar.end())
    }
}
