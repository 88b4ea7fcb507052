//! Waitlist offers of freed places (docs/booking.md § Offers): when a cancellation frees
//! a place, the waitlisted requests it fits are offered it **one at a time in rank
//! order** — the highest priority first, then the one waiting longest, then the one for
//! whom it is the most days sooner than the booking they hold (holding none counts as
//! the most). Each offer holds the place for its entry for the desk's hold time
//! ([`BookingBook::set_offer_hold`], [`DEFAULT_OFFER_HOLD_MINUTES`] by default): nobody
//! else's search or booking can take it meanwhile. Accepting books it and cancels the
//! patient's later booking in the discipline (whose freed place may start the next
//! offer); declining, letting it expire or leaving the waitlist passes it on to the
//! next in rank.
//!
//! A pool's release frees places too: once a pooled session's held places are anyone's
//! (docs/format.md § Pools), those still free are offered the same way, until the
//! session starts.
//!
//! Offers are entries of the [`Ledger`](super::Ledger), so they are saved in the same
//! atomic write as the change that made them. Expiry is evaluated lazily against the
//! desk's clock at every change of the ledger ([`BookingBook::settle_offers`]): an offer
//! past its time holds its place until then, and is then passed on.

use std::cmp::Reverse;
use std::fmt;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::BookingError;
use super::book::{BookingBook, Cancellation, Confirmation, SessionKey};
use super::ledger::SessionRef;
use crate::diagnostics::did_you_mean;
use crate::instance::Request;
use crate::text;
use crate::text::{Arg, DateStyle, Text};

use super::places::session_clock;

/// How long an offer holds its place unless the desk is told otherwise.
pub const DEFAULT_OFFER_HOLD_MINUTES: u32 = 120;

/// Where an offer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferState {
    /// Made, holding its place for the entry until `expires_at`.
    Pending,
    /// The patient took it: booked.
    Accepted,
    /// The patient said no.
    Declined,
    /// Nobody answered in time.
    Expired,
    /// The entry left the waitlist (booked elsewhere, or withdrawn) while it was pending.
    Withdrawn,
}

impl fmt::Display for OfferState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OfferState::Pending => "pending",
            OfferState::Accepted => "accepted",
            OfferState::Declined => "declined",
            OfferState::Expired => "expired",
            OfferState::Withdrawn => "withdrawn",
        })
    }
}

/// A freed place offered to a waitlisted request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    /// `o-0001`, …: unique within the ledger, never reused.
    pub id: String,
    /// The session whose place is offered.
    pub session: SessionRef,
    /// The waitlist entry it is offered to.
    pub entry: String,
    /// When it was made.
    pub offered_at: DateTime<Utc>,
    /// Until when it holds the place.
    pub expires_at: DateTime<Utc>,
    /// Where it stands.
    pub state: OfferState,
    /// When it left `pending` (for an expired offer, its `expires_at`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<DateTime<Utc>>,
    /// The booking made when it was accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking: Option<String>,
    /// Once declined, expired or withdrawn: whether its place has been passed on to the
    /// next in rank (or found nobody to pass to).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub handed_on: bool,
}

impl Offer {
    /// Whether it still holds its place.
    pub fn is_pending(&self) -> bool {
        self.state == OfferState::Pending
    }
}

/// An offer accepted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OfferAcceptance {
    /// The offer, now accepted.
    pub offer: Offer,
    /// The booking made.
    pub confirmation: Confirmation,
    /// The patient's later booking, cancelled (its freed place may have started an
    /// offer: `released.offers`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub released: Option<Cancellation>,
}

/// An offer declined.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OfferDecline {
    /// The offer, now declined.
    pub offer: Offer,
    /// The offer of the same place to the next in rank, if anyone fits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<Offer>,
}

/// How a waitlisted request ranks for a freed place: smaller first.
type Rank = (Reverse<u8>, DateTime<Utc>, Reverse<i64>, String);

impl BookingBook {
    /// How long offers made from now on hold their place.
    pub fn set_offer_hold(&mut self, hold: Duration) {
        self.offer_hold = hold;
    }

    /// How long an offer holds its place.
    pub fn offer_hold(&self) -> Duration {
        self.offer_hold
    }

    /// Every offer made, oldest first.
    pub fn offers(&self) -> &[Offer] {
        &self.ledger().offers
    }

    /// Places of a session held by pending offers.
    pub(super) fn on_offer(&self, key: SessionKey) -> u32 {
        self.offered
            .get(&key)
            .map_or(0, |patients| patients.len() as u32)
    }

    /// Places of a session held by pending offers to other patients than this one (a
    /// patient may take the place offered to them, by accepting or by booking it).
    pub(super) fn on_offer_to_others(&self, key: SessionKey, patient: &str) -> u32 {
        self.offered.get(&key).map_or(0, |patients| {
            patients.iter().filter(|p| p.as_str() != patient).count() as u32
        })
    }

    /// Recounts the places pending offers hold (after any change of an offer).
    pub(super) fn recount_offers(&mut self) {
        let mut offered: std::collections::BTreeMap<SessionKey, Vec<String>> =
            std::collections::BTreeMap::new();
        for offer in self.ledger().offers.iter().filter(|o| o.is_pending()) {
            let patient = self
                .ledger()
                .waitlist
                .iter()
                .find(|w| w.id == offer.entry)
                .map(|w| w.request.patient.clone())
                .unwrap_or_default();
            if let Ok(key) = self.session_key(&offer.session) {
                offered.entry(key).or_default().push(patient);
            }
        }
        self.offered = offered;
    }

    /// Marks the patient's pending offers of the session accepted by a booking made
    /// by hand (`book`) rather than through [`accept_offer`](Self::accept_offer).
    pub(super) fn accepted_by_booking(
        &mut self,
        patient: &str,
        session: &SessionRef,
        booking: &str,
        now: DateTime<Utc>,
    ) {
        let entries: Vec<String> = self
            .ledger()
            .waitlist
            .iter()
            .filter(|w| w.request.patient == patient)
            .map(|w| w.id.clone())
            .collect();
        for offer in self.ledger_mut().offers.iter_mut() {
            if offer.is_pending() && offer.session == *session && entries.contains(&offer.entry) {
                offer.state = OfferState::Accepted;
                offer.closed_at = Some(now);
                offer.booking = Some(booking.to_string());
            }
        }
        self.recount_offers();
    }

    /// Expires the pending offers whose time has come and passes on every place whose
    /// offer was declined, expired or withdrawn. Returns the ids of the offers changed
    /// or made. Every operation that changes the ledger calls it first and last.
    pub fn settle_offers(&mut self, now: DateTime<Utc>) -> Vec<String> {
        let mut changed = Vec::new();
        let mut to_hand_on = Vec::new();
        // A pending offer of a session this roster does not hold (the ledger was kept
        // against an earlier publication) has no place to hold: withdrawn.
        let gone: Vec<usize> = self
            .ledger()
            .offers
            .iter()
            .enumerate()
            .filter(|(_, o)| o.is_pending() && self.session_key(&o.session).is_err())
            .map(|(i, _)| i)
            .collect();
        let offers = &mut self.ledger_mut().offers;
        for i in gone {
            offers[i].state = OfferState::Withdrawn;
            offers[i].closed_at = Some(now);
            offers[i].handed_on = true;
            changed.push(offers[i].id.clone());
        }
        for offer in offers.iter_mut() {
            if offer.is_pending() && offer.expires_at <= now {
                offer.state = OfferState::Expired;
                offer.closed_at = Some(offer.expires_at);
                changed.push(offer.id.clone());
            }
        }
        for offer in offers.iter_mut() {
            if matches!(
                offer.state,
                OfferState::Declined | OfferState::Expired | OfferState::Withdrawn
            ) && !offer.handed_on
            {
                offer.handed_on = true;
                if !changed.contains(&offer.id) {
                    changed.push(offer.id.clone());
                }
                to_hand_on.push(offer.session.clone());
            }
        }
        self.recount_offers();
        for session in to_hand_on {
            if let Ok(key) = self.session_key(&session)
                && let Some(offer) = self.offer_place(key, now)
            {
                changed.push(offer.id);
            }
        }
        for key in self.just_released(now) {
            while let Some(offer) = self.offer_place(key, now) {
                changed.push(offer.id);
            }
        }
        changed
    }

    /// The pooled specialists' sessions whose held places are anyone's at `now` and
    /// still free, and which have not started: a pool's release frees those places for
    /// the waitlist as a cancellation does.
    fn just_released(&self, now: DateTime<Utc>) -> Vec<SessionKey> {
        let clock = session_clock(now);
        let instance = std::sync::Arc::clone(&self.instance);
        instance
            .pools
            .iter()
            .flat_map(|pool| {
                self.sessions_of(pool.holder)
                    .filter(move |&key| {
                        self.release_time(pool, key) <= clock && clock < self.session_start(key)
                    })
                    .filter(|&key| self.split_left(key).1 > 0)
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// Offers a place of the session to the best-ranked waitlisted request it fits, if
    /// any: an active entry with no pending offer, not offered this session before, whose
    /// patient does not hold a place in it and who may take one of its places left.
    pub(super) fn offer_place(&mut self, key: SessionKey, now: DateTime<Utc>) -> Option<Offer> {
        let session = self.session_ref(key);
        let best = self
            .waitlist()
            .filter(|entry| {
                !self
                    .ledger()
                    .offers
                    .iter()
                    .any(|o| o.entry == entry.id && (o.is_pending() || o.session == session))
            })
            .filter_map(|entry| {
                let request = entry.request.resolve(&self.instance, false).ok()?;
                self.serves(&request, key)?;
                if self.holds(&entry.request.patient, key) || self.places_for(&request, key) == 0 {
                    return None;
                }
                Some((self.rank_for(entry, &request, key), entry.id.clone()))
            })
            .min()?;
        let offer = Offer {
            id: self.next_id("o", self.ledger().offers.len()),
            session,
            entry: best.1,
            offered_at: now,
            expires_at: now + self.offer_hold,
            state: OfferState::Pending,
            closed_at: None,
            booking: None,
            handed_on: false,
        };
        self.ledger_mut().offers.push(offer.clone());
        self.recount_offers();
        Some(offer)
    }

    fn rank_for(&self, entry: &super::WaitlistEntry, request: &Request, key: SessionKey) -> Rank {
        let sooner = self
            .later_booking(request, &entry.request.patient, key)
            .map(|(_, later)| (later.1.date - key.1.date).num_days())
            .unwrap_or(i64::MAX);
        (
            Reverse(entry.request.priority),
            entry.added_at,
            Reverse(sooner),
            entry.id.clone(),
        )
    }

    /// The patient's earliest active call-centre booking in the request's discipline
    /// after the session: what accepting an offer of the session releases.
    fn later_booking(
        &self,
        request: &Request,
        patient: &str,
        key: SessionKey,
    ) -> Option<(String, SessionKey)> {
        self.ledger()
            .bookings
            .iter()
            .filter(|b| b.is_active() && b.request.patient == patient)
            .filter_map(|b| {
                let held = self.session_key(&b.session).ok()?;
                (held.1 > key.1 && self.held(held).discipline == request.discipline)
                    .then(|| (b.id.clone(), held))
            })
            .min_by_key(|(id, held)| (held.1, id.clone()))
    }

    fn offer_position(&self, id: &str) -> Result<usize, BookingError> {
        self.ledger()
            .offers
            .iter()
            .position(|o| o.id == id)
            .ok_or_else(|| BookingError::UnknownOffer {
                id: id.to_string(),
                hint: did_you_mean(id, self.ledger().offers.iter().map(|o| o.id.as_str())),
            })
    }

    fn pending_position(&mut self, id: &str, now: DateTime<Utc>) -> Result<usize, BookingError> {
        self.settle_offers(now);
        let position = self.offer_position(id)?;
        let offer = &self.ledger().offers[position];
        if !offer.is_pending() {
            return Err(BookingError::OfferClosed {
                id: id.to_string(),
                state: offer.state,
                at: offer
                    .closed_at
                    .map(|at| at.to_rfc3339())
                    .unwrap_or_default(),
            });
        }
        Ok(position)
    }

    /// Accepts a pending offer: books its place for the entry's request (which leaves
    /// the waitlist) and cancels the patient's later booking in the discipline, whose
    /// freed place may start the next offer. Fails on an offer that is not pending
    /// (expired at `now`, declined, accepted, withdrawn).
    pub fn accept_offer(
        &mut self,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<OfferAcceptance, BookingError> {
        let position = self.pending_position(id, now)?;
        let offer = self.ledger().offers[position].clone();
        let entry = self
            .waitlist()
            .find(|w| w.id == offer.entry)
            .cloned()
            .ok_or_else(|| BookingError::UnknownWaitlistEntry {
                id: offer.entry.clone(),
            })?;
        let request = entry.request.resolve(&self.instance, false)?;
        let key = self.session_key(&offer.session)?;
        let later = self.later_booking(&request, &entry.request.patient, key);
        // Booked while the offer still holds the place for this patient (`book` marks it
        // accepted): closing it first would free the place for a moment, and a change
        // settling offers meanwhile (a pool's release) would offer it to the next.
        let confirmation = self.book(&entry.request, &offer.session, now)?;
        self.ledger_mut().offers[position].booking = Some(confirmation.booking.id.clone());
        self.ledger_mut().offers[position].closed_at = Some(now);
        // The booking is made: releasing the later one cannot undo it. It is an active
        // booking of a session of the roster, so cancelling it does not fail; were it
        // to, the patient would keep both (never lose a place) rather than the change
        // be half reported.
        let released = later.and_then(|(booking, _)| self.cancel(&booking, now).ok());
        self.settle_offers(now);
        Ok(OfferAcceptance {
            offer: self.ledger().offers[position].clone(),
            confirmation,
            released,
        })
    }

    /// Declines a pending offer: its place goes to the next in rank, if anyone fits.
    pub fn decline_offer(
        &mut self,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<OfferDecline, BookingError> {
        let position = self.pending_position(id, now)?;
        self.set_offer_state(position, OfferState::Declined, Some(now));
        let made = self.ledger().offers.len();
        self.settle_offers(now);
        let session = self.ledger().offers[position].session.clone();
        Ok(OfferDecline {
            offer: self.ledger().offers[position].clone(),
            next: self.ledger().offers[made..]
                .iter()
                .find(|o| o.session == session)
                .cloned(),
        })
    }

    fn set_offer_state(&mut self, position: usize, state: OfferState, at: Option<DateTime<Utc>>) {
        let offer = &mut self.ledger_mut().offers[position];
        offer.state = state;
        offer.closed_at = at;
        self.recount_offers();
    }

    /// Why pending offers keep the request out of a session that serves it, for the
    /// first such session: "1 place(s) of Liu Jun's Tue Mar 3 am session are offered to
    /// waitlisted patients until Mar 3 10:00".
    pub(super) fn offered_to_others(&self, request: &Request) -> Option<Text> {
        let mut keys: Vec<SessionKey> = self
            .offered
            .iter()
            .filter(|(key, patients)| !patients.is_empty() && self.serves(request, **key).is_some())
            .map(|(key, _)| *key)
            .collect();
        keys.sort_by_key(|(who, slot)| (*slot, *who));
        keys.into_iter().find_map(|key| {
            if self.places_for(request, key) > 0 || self.pool_places_for(request, key) == 0 {
                return None;
            }
            let session = self.session_ref(key);
            let until = self
                .ledger()
                .offers
                .iter()
                .filter(|o| o.is_pending() && o.session == session)
                .map(|o| o.expires_at)
                .min()?;
            let until = session_clock(until);
            Some(text!(OfferHeldFor {
                places: self.on_offer(key),
                who: &self.instance.specialist(key.0).name,
                day: Arg::Date(key.1.date, DateStyle::Day),
                session: Arg::session(&session.session),
                until: text!(AtTime {
                    date: Arg::month_day(until.date()),
                    time: until.format("%H:%M").to_string(),
                }),
            }))
        })
    }
}
