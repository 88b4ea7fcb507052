//! Places a caller may take (rule 12 at the desk, docs/format.md § Pools): a pooled
//! specialist's session keeps `places` of its places for referrals from the pool's
//! sites, each site within its weekly quota, until `release_hours` before the session
//! starts; then they are anyone's. The desk's clock is the system's, or one the caller
//! sets ([`BookingBook::set_clock`]); the session clock is China Standard Time (UTC+8).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveDateTime, Utc};

use super::book::{BookingBook, SessionKey};
use crate::instance::{Request, SiteIx, SpecialistIx};
use crate::pools::Pool;
use crate::text;
use crate::text::{Arg, DateStyle, Separator, Text};

/// The offset of the instance's session clock from UTC.
pub const SESSION_CLOCK_OFFSET_HOURS: i32 = 8;

/// Held places taken: per session, and per (specialist, referring site, week).
#[derive(Debug, Clone, Default)]
pub(super) struct HeldPlaces {
    per_session: BTreeMap<SessionKey, u32>,
    per_week: BTreeMap<(SpecialistIx, SiteIx, u32), u32>,
    /// Roster bookings (request ids) that take a held place.
    pub roster_held: BTreeSet<String>,
}

/// Which place a booking takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    /// One the pool leaves general (or a session without a pool).
    General,
    /// One the pool holds (for a referral, or released).
    Held,
}

/// A UTC instant on the session clock.
pub fn session_clock(at: DateTime<Utc>) -> NaiveDateTime {
    at.naive_utc() + Duration::hours(i64::from(SESSION_CLOCK_OFFSET_HOURS))
}

/// A time on the session clock as a UTC instant.
pub fn from_session_clock(at: NaiveDateTime) -> DateTime<Utc> {
    (at - Duration::hours(i64::from(SESSION_CLOCK_OFFSET_HOURS))).and_utc()
}

impl BookingBook {
    /// Sets the desk's clock: `Some(instant)` to read the book as at that instant (what
    /// `--at` does), `None` for the system clock.
    pub fn set_clock(&mut self, at: Option<DateTime<Utc>>) {
        self.clock = at;
    }

    /// The desk's current time.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.unwrap_or_else(Utc::now)
    }

    /// When the held places of a session become anyone's, on the session clock.
    pub(super) fn release_time(&self, pool: &Pool, key: SessionKey) -> NaiveDateTime {
        pool.release_time(self.session_start(key))
    }

    /// When a session starts, on the session clock.
    pub(super) fn session_start(&self, (_, slot): SessionKey) -> NaiveDateTime {
        slot.date
            .and_time(self.instance.calendar.sessions()[slot.session].start)
    }

    fn pool_at(&self, key: SessionKey) -> Option<&Pool> {
        self.instance.pool_of(key.0)
    }

    fn held_taken(&self, key: SessionKey) -> u32 {
        self.held_places.per_session.get(&key).copied().unwrap_or(0)
    }

    /// Held places the request's site may still take this week.
    fn quota_left(&self, pool: &Pool, request: &Request, key: SessionKey) -> u32 {
        let (Some(site), Some(week)) = (
            request.referred_by,
            self.instance.calendar.week_of(key.1.date),
        ) else {
            return 0;
        };
        pool.quota_left(
            self.held_places
                .per_week
                .get(&(key.0, site, week))
                .copied()
                .unwrap_or(0),
        )
    }

    /// (general places left, held places left) of a session now.
    pub(super) fn split_left(&self, key: SessionKey) -> (u32, u32) {
        let capacity = self.capacity(key);
        let taken = self.taken(key);
        let Some(pool) = self.pool_at(key) else {
            return (capacity.saturating_sub(taken), 0);
        };
        let held_taken = self.held_taken(key);
        let general = (capacity - pool.places).saturating_sub(taken - held_taken.min(taken));
        (general, pool.places.saturating_sub(held_taken))
    }

    /// Whether the session's held places are anyone's now.
    pub(super) fn released(&self, key: SessionKey) -> bool {
        self.pool_at(key)
            .is_some_and(|pool| session_clock(self.now()) >= self.release_time(pool, key))
    }

    /// The places of a session the request may take now: those its pool lets it take,
    /// less those pending offers hold (docs/booking.md § Offers).
    pub(super) fn places_for(&self, request: &Request, key: SessionKey) -> u32 {
        self.pool_places_for(request, key)
            .saturating_sub(self.on_offer_to_others(key, &request.patient))
    }

    /// The places of a session the request may take now, pending offers aside.
    pub(super) fn pool_places_for(&self, request: &Request, key: SessionKey) -> u32 {
        let (general, held) = self.split_left(key);
        let Some(pool) = self.pool_at(key) else {
            return general;
        };
        if self.released(key) {
            general + held
        } else if pool.admits(request) {
            general + held.min(self.quota_left(pool, request, key))
        } else {
            general
        }
    }

    /// The place the request would take in the session now, if any: a referral takes a
    /// held place first (keeping general ones for others), anyone else a general one,
    /// then a released held one.
    pub(super) fn place_for(&self, request: &Request, key: SessionKey) -> Option<Place> {
        if self.places_for(request, key) == 0 {
            return None;
        }
        let (general, held) = self.split_left(key);
        let Some(pool) = self.pool_at(key) else {
            return (general > 0).then_some(Place::General);
        };
        if pool.admits(request) && held > 0 && self.quota_left(pool, request, key) > 0 {
            Some(Place::Held)
        } else if general > 0 {
            Some(Place::General)
        } else if held > 0 && self.released(key) {
            Some(Place::Held)
        } else {
            None
        }
    }

    /// Why held places keep the request out of a session that serves it, for the first
    /// such session: "15 places of Liu Jun's Mon Mar 2 am session are held for referrals
    /// from Jiaocheng until Mar 1 08:00".
    pub(super) fn held_for_others(&self, request: &Request) -> Option<Text> {
        let mut keys: Vec<SessionKey> = self
            .index
            .sessions
            .keys()
            .copied()
            .filter(|key| self.serves(request, *key).is_some())
            .collect();
        keys.sort_by_key(|(who, slot)| (*slot, *who));
        keys.into_iter().find_map(|key| {
            let pool = self.pool_at(key)?;
            let (_, held) = self.split_left(key);
            if held == 0 || self.pool_places_for(request, key) > 0 {
                return None;
            }
            let until = self.release_time(pool, key);
            Some(text!(PoolHeldFor {
                places: held,
                who: &self.instance.specialist(key.0).name,
                day: Arg::Date(key.1.date, DateStyle::Day),
                session: Arg::session(&self.instance.calendar.sessions()[key.1.session].id),
                sites: Arg::ids(
                    pool.referrers
                        .iter()
                        .map(|s| self.instance.site(*s).name.as_str()),
                    Separator::Comma
                ),
                until: text!(AtTime {
                    date: Arg::month_day(until.date()),
                    time: until.format("%H:%M").to_string(),
                }),
            }))
        })
    }

    /// Counts a held place taken (`taken` = true) or given back.
    pub(super) fn count_held(&mut self, request: &Request, key: SessionKey, taken: bool) {
        let week = self.instance.calendar.week_of(key.1.date);
        let change = |n: &mut u32| {
            if taken {
                *n += 1;
            } else {
                *n = n.saturating_sub(1);
            }
        };
        change(self.held_places.per_session.entry(key).or_default());
        if let (Some(site), Some(week)) = (request.referred_by, week) {
            change(
                self.held_places
                    .per_week
                    .entry((key.0, site, week))
                    .or_default(),
            );
        }
    }
}
