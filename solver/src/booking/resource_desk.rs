//! The booking desk for resources (docs/format.md § Resources): a patient asks for a CT
//! slot (`resource = ID` or `resource_kind = KIND`) in a window; every session the
//! resource runs in the window is an option with the places that caller may take — a
//! referral from a pool's site may take the places the pool holds (within its site's
//! weekly quota), anyone may once they are released `release_hours` before the session
//! (the desk's clock). Bookings are ledger records like clinic bookings, whose session
//! names the resource; they are cancelled by id like any other.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::book::{BookingBook, Cancellation, Confirmation};
use super::ledger::{BookingRecord, SessionRef};
use super::places::session_clock;
use super::search::{SearchResult, SlotOption};
use super::{BookingError, PatientRequest};
use crate::calendar::Slot;
use crate::diagnostics::{Diagnostic, Severity, did_you_mean};
use crate::instance::{Instance, SiteIx};
use crate::pools::Pool;
use crate::resources::{ResourceIx, ResourceRequest, ResourceTarget};
use crate::roster::Roster;
use crate::text;
use crate::text::{Arg, DateStyle, Separator};

/// A resource's session in indices.
pub(super) type ResourceKey = (ResourceIx, Slot);

/// Places taken in resources' sessions: all, held ones, held ones per referring site and
/// week; and the roster's resource bookings not cancelled.
#[derive(Debug, Clone, Default)]
pub(super) struct ResourcePlaces {
    taken: BTreeMap<ResourceKey, u32>,
    held: BTreeMap<ResourceKey, u32>,
    per_week: BTreeMap<(ResourceIx, SiteIx, u32), u32>,
    /// Roster resource bookings by request id: their session, and whether held.
    pub(super) roster: BTreeMap<String, (ResourceKey, bool)>,
}

impl ResourcePlaces {
    /// The places the roster's resource bookings take.
    pub(super) fn of_roster(instance: &Instance, roster: &Roster) -> ResourcePlaces {
        let mut places = ResourcePlaces::default();
        for booking in &roster.resource_bookings {
            let (Some(resource), Some(session), Some(request)) = (
                instance.resource_ix(&booking.resource),
                instance.calendar.session_index(&booking.session),
                instance.resource_request_ix(&booking.request),
            ) else {
                continue;
            };
            let key = (
                resource,
                Slot {
                    date: booking.date,
                    session,
                },
            );
            let referrer = instance.resource_requests[request.0].referred_by;
            places.count(instance, key, booking.pool.is_some(), referrer, true);
            places
                .roster
                .insert(booking.request.clone(), (key, booking.pool.is_some()));
        }
        places
    }

    /// Counts a place taken (`taken`) or given back.
    pub(super) fn count(
        &mut self,
        instance: &Instance,
        key: ResourceKey,
        held: bool,
        referrer: Option<SiteIx>,
        taken: bool,
    ) {
        let change = |n: &mut u32| {
            if taken {
                *n += 1;
            } else {
                *n = n.saturating_sub(1);
            }
        };
        change(self.taken.entry(key).or_default());
        if held {
            change(self.held.entry(key).or_default());
            if let (Some(site), Some(week)) = (referrer, instance.calendar.week_of(key.1.date)) {
                change(self.per_week.entry((key.0, site, week)).or_default());
            }
        }
    }
}

/// Which place a resource booking takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    General,
    Held,
}

impl PatientRequest {
    /// Checks a request for a resource against the instance, every problem with its
    /// field.
    pub(crate) fn resolve_resource(
        &self,
        instance: &Instance,
        needs_patient: bool,
    ) -> Result<ResourceRequest, BookingError> {
        let mut problems = Vec::new();
        let mut problem = |path: &str, message: String, hint: Option<String>| {
            problems.push(Diagnostic {
                severity: Severity::Error,
                path: path.to_string(),
                message,
                hint,
            })
        };
        if needs_patient && self.patient.trim().is_empty() {
            problem("patient", "a patient reference is required".into(), None);
        }
        for (field, given) in [
            ("specialist", self.specialist.is_some()),
            ("discipline", self.discipline.is_some()),
            ("substitute_ok", self.substitute_ok),
        ] {
            if given {
                problem(
                    field,
                    format!("a request for a resource has no {field}"),
                    Some("ask for a specialist or discipline, or for a resource".into()),
                );
            }
        }
        let target = match (&self.resource, &self.resource_kind) {
            (Some(_), Some(_)) => {
                problem(
                    "resource_kind",
                    "name a resource or a resource kind, not both".into(),
                    None,
                );
                None
            }
            (Some(id), None) => match instance.resource_ix(id) {
                Some(ix) => Some(ResourceTarget::Resource(ix)),
                None => {
                    problem(
                        "resource",
                        format!("unknown resource \"{id}\""),
                        did_you_mean(id, instance.resources.iter().map(|r| r.id.as_str())),
                    );
                    None
                }
            },
            (None, Some(kind)) => {
                if instance.resources.iter().any(|r| r.kind == *kind) {
                    Some(ResourceTarget::Kind(kind.clone()))
                } else {
                    problem(
                        "resource_kind",
                        format!("no resource is of kind \"{kind}\""),
                        did_you_mean(kind, instance.resource_kinds()),
                    );
                    None
                }
            }
            (None, None) => None,
        };
        let (sites, referred_by) = self.resolve_shared(instance, &mut problem);
        match (problems.is_empty(), target) {
            (true, Some(target)) => Ok(ResourceRequest {
                id: String::new(),
                patient: self.patient.clone(),
                target,
                sites: (!sites.is_empty()).then_some(sites),
                earliest: self.earliest,
                latest: self.latest,
                priority: self.priority,
                referred_by,
            }),
            _ => Err(BookingError::InvalidRequest { problems }),
        }
    }
}

impl BookingBook {
    /// The resource session a reference names, if it names one the resource runs.
    pub(super) fn resource_key(
        &self,
        session: &SessionRef,
    ) -> Option<Result<ResourceKey, BookingError>> {
        let instance = &self.instance;
        let resource = instance.resource_ix(session.holder())?;
        let not_a_session = |why: String| BookingError::NotASession {
            option: session.to_string(),
            why,
        };
        let Some(index) = instance.calendar.session_index(&session.session) else {
            return Some(Err(not_a_session(format!(
                "unknown session \"{}\"",
                session.session
            ))));
        };
        if !instance.resource_runs(resource, session.date, index) {
            return Some(Err(not_a_session(format!(
                "{} does not run then",
                instance.resource(resource).name
            ))));
        }
        Some(Ok((
            resource,
            Slot {
                date: session.date,
                session: index,
            },
        )))
    }

    fn resource_ref(&self, (resource, slot): ResourceKey) -> SessionRef {
        SessionRef {
            specialist: String::new(),
            resource: Some(self.instance.resource(resource).id.clone()),
            date: slot.date,
            session: self.instance.calendar.sessions()[slot.session].id.clone(),
        }
    }

    fn resource_pool(&self, resource: ResourceIx) -> Option<&Pool<ResourceIx>> {
        self.instance.resource_pool_of(resource)
    }

    /// (general places left, held places left) of a resource's session now.
    fn resource_split(&self, key: ResourceKey) -> (u32, u32) {
        let places = self.instance.resource(key.0).places;
        let taken = self.resource_places.taken.get(&key).copied().unwrap_or(0);
        let Some(pool) = self.resource_pool(key.0) else {
            return (places.saturating_sub(taken), 0);
        };
        let held = self.resource_places.held.get(&key).copied().unwrap_or(0);
        let general = (places - pool.places).saturating_sub(taken - held.min(taken));
        (general, pool.places.saturating_sub(held))
    }

    fn resource_released(&self, key: ResourceKey) -> bool {
        self.resource_pool(key.0).is_some_and(|pool| {
            let start = key
                .1
                .date
                .and_time(self.instance.calendar.sessions()[key.1.session].start);
            session_clock(self.now()) >= pool.release_time(start)
        })
    }

    fn resource_quota_left(&self, request: &ResourceRequest, key: ResourceKey) -> u32 {
        let Some(pool) = self.resource_pool(key.0) else {
            return 0;
        };
        let (Some(site), Some(week)) = (
            request.referred_by,
            self.instance.calendar.week_of(key.1.date),
        ) else {
            return 0;
        };
        pool.quota_left(
            self.resource_places
                .per_week
                .get(&(key.0, site, week))
                .copied()
                .unwrap_or(0),
        )
    }

    fn resource_place_for(&self, request: &ResourceRequest, key: ResourceKey) -> Option<Place> {
        let (general, held) = self.resource_split(key);
        let Some(pool) = self.resource_pool(key.0) else {
            return (general > 0).then_some(Place::General);
        };
        if pool.admits_referral(request.referred_by)
            && held > 0
            && self.resource_quota_left(request, key) > 0
        {
            Some(Place::Held)
        } else if general > 0 {
            Some(Place::General)
        } else if held > 0 && self.resource_released(key) {
            Some(Place::Held)
        } else {
            None
        }
    }

    fn resource_places_for(&self, request: &ResourceRequest, key: ResourceKey) -> u32 {
        let (general, held) = self.resource_split(key);
        let Some(pool) = self.resource_pool(key.0) else {
            return general;
        };
        if self.resource_released(key) {
            general + held
        } else if pool.admits_referral(request.referred_by) {
            general + held.min(self.resource_quota_left(request, key))
        } else {
            general
        }
    }

    /// Every session of a resource the request accepts, in its window, in time order.
    fn resource_sessions(&self, request: &ResourceRequest) -> Vec<ResourceKey> {
        let instance = &self.instance;
        let mut keys = Vec::new();
        for r in 0..instance.resources.len() {
            let resource = ResourceIx(r);
            if !request.accepts(instance, resource) {
                continue;
            }
            for date in instance.calendar.dates() {
                if date < request.earliest || date > request.latest {
                    continue;
                }
                for session in 0..instance.calendar.sessions().len() {
                    if instance.resource_runs(resource, date, session) {
                        keys.push((resource, Slot { date, session }));
                    }
                }
            }
        }
        keys.sort_by_key(|(resource, slot)| (*slot, *resource));
        keys
    }

    fn resource_option(&self, key: ResourceKey, request: &ResourceRequest) -> SlotOption {
        let instance = &self.instance;
        let resource = instance.resource(key.0);
        let session = self.resource_ref(key);
        SlotOption {
            id: session.to_string(),
            specialist_name: resource.name.clone(),
            site: instance.site(resource.site).id.clone(),
            site_name: instance.site(resource.site).name.clone(),
            room: None,
            discipline: resource.kind.clone(),
            studio: false,
            wait_days: (key.1.date - request.earliest).num_days(),
            substitute: false,
            places_left: self.resource_places_for(request, key),
            capacity: resource.places,
            session,
        }
    }

    /// The sessions of the resource (or kind) that can take the request, earliest
    /// first, with the places this caller may take; when none can, why.
    pub(super) fn search_resource(
        &self,
        request: &PatientRequest,
        limit: usize,
    ) -> Result<SearchResult, BookingError> {
        let resolved = request.resolve_resource(&self.instance, false)?;
        let sessions = self.resource_sessions(&resolved);
        let fitting: Vec<ResourceKey> = sessions
            .iter()
            .copied()
            .filter(|key| self.resource_places_for(&resolved, *key) > 0)
            .collect();
        let reason_texts = if fitting.is_empty() {
            self.resource_reasons(&resolved, &sessions)
        } else {
            Vec::new()
        };
        Ok(SearchResult {
            total: fitting.len(),
            options: fitting
                .into_iter()
                .take(limit)
                .map(|key| self.resource_option(key, &resolved))
                .collect(),
            reasons: reason_texts.iter().map(ToString::to_string).collect(),
            reason_texts,
            alternatives: Vec::new(),
        })
    }

    fn resource_reasons(
        &self,
        request: &ResourceRequest,
        sessions: &[ResourceKey],
    ) -> Vec<crate::text::Text> {
        let instance = &self.instance;
        let wanted = match &request.target {
            ResourceTarget::Resource(ix) => Arg::from(format!("\"{}\"", instance.resource(*ix).id)),
            ResourceTarget::Kind(kind) => Arg::from(text!(ResourceKindWanted { kind: kind })),
        };
        let window = text!(WindowRange {
            earliest: Arg::month_day(request.earliest),
            latest: Arg::month_day(request.latest),
        });
        if sessions.is_empty() {
            return vec![text!(ResourceNoSession {
                wanted: wanted,
                window: window,
            })];
        }
        let mut reasons = vec![text!(ResourceSessionsFull {
            sessions: sessions.len(),
            wanted: wanted,
            window: window,
        })];
        // A referral whose site has used its quota hears so; anyone else hears of the
        // first session whose held places keep them out, and until when.
        if let Some((key, pool)) = sessions.iter().find_map(|key| {
            let pool = self.resource_pool(key.0)?;
            let (_, held) = self.resource_split(*key);
            (held > 0
                && pool.admits_referral(request.referred_by)
                && self.resource_quota_left(request, *key) == 0)
                .then_some((*key, pool))
        }) {
            let (Some(site), Some(quota), Some(week)) = (
                request.referred_by,
                pool.quota,
                instance.calendar.week_of(key.1.date),
            ) else {
                return reasons;
            };
            reasons.push(text!(PoolQuotaUsed {
                site: &instance.site(site).name,
                quota: quota,
                pool: &pool.id,
                week: week,
            }));
        } else if let Some((key, pool, held)) = sessions.iter().find_map(|key| {
            let pool = self.resource_pool(key.0)?;
            let (_, held) = self.resource_split(*key);
            (held > 0).then_some((*key, pool, held))
        }) {
            let start = key
                .1
                .date
                .and_time(instance.calendar.sessions()[key.1.session].start);
            let until = pool.release_time(start);
            reasons.push(text!(PoolHeldFor {
                places: held,
                who: &instance.resource(key.0).name,
                day: Arg::Date(key.1.date, DateStyle::Day),
                session: Arg::session(&instance.calendar.sessions()[key.1.session].id),
                sites: Arg::ids(
                    pool.referrers
                        .iter()
                        .map(|s| instance.site(*s).name.as_str()),
                    Separator::Comma
                ),
                until: text!(AtTime {
                    date: Arg::month_day(until.date()),
                    time: until.format("%H:%M").to_string(),
                }),
            }));
        }
        reasons
    }

    /// Books a resource's session for the request: all checks of a clinic booking, on
    /// the resource's places and pool.
    pub(super) fn book_resource(
        &mut self,
        request: &PatientRequest,
        option: &SessionRef,
        now: DateTime<Utc>,
    ) -> Result<Confirmation, BookingError> {
        let resolved = request.resolve_resource(&self.instance, true)?;
        let key = match self.resource_key(option) {
            Some(key) => key?,
            None => {
                return Err(BookingError::NotASession {
                    option: option.to_string(),
                    why: format!("\"{}\" is not a resource", option.holder()),
                });
            }
        };
        let resource = self.instance.resource(key.0);
        if !resolved.accepts(&self.instance, key.0)
            || key.1.date < resolved.earliest
            || key.1.date > resolved.latest
        {
            return Err(BookingError::DoesNotFit {
                option: option.to_string(),
                why: format!(
                    "the patient asked for {} at an allowed site between {} and {}",
                    resolved.target_label(&self.instance),
                    resolved.earliest,
                    resolved.latest
                ),
            });
        }
        let session = self.resource_ref(key);
        if let Some(existing) = self
            .ledger_bookings()
            .iter()
            .find(|b| b.is_active() && b.request.patient == request.patient && b.session == session)
        {
            return Err(BookingError::AlreadyBooked {
                booking: existing.id.clone(),
                option: option.to_string(),
            });
        }
        let Some(place) = self.resource_place_for(&resolved, key) else {
            let alternatives = self.search_resource(request, SearchResult::DEFAULT_LIMIT)?;
            return Err(BookingError::Taken {
                option: option.to_string(),
                capacity: resource.places,
                alternatives: Box::new(alternatives),
            });
        };
        let held = place == Place::Held;
        let pool = held
            .then(|| self.resource_pool(key.0).map(|p| p.id.clone()))
            .flatten();
        let site = self.instance.site(resource.site).id.clone();
        let instance = std::sync::Arc::clone(&self.instance);
        self.resource_places
            .count(&instance, key, held, resolved.referred_by, true);
        let record = BookingRecord {
            id: self.next_booking_id(),
            request: request.clone(),
            session,
            site,
            substitute: false,
            pool,
            made_at: now,
            cancelled_at: None,
            bundle: None,
        };
        self.push_booking(record.clone());
        Ok(Confirmation {
            option: self.resource_option(key, &resolved),
            booking: record,
            left_waitlist: Vec::new(),
        })
    }

    /// Gives back the place of a resource booking (a ledger record or a roster booking)
    /// being cancelled.
    pub(super) fn release_resource_place(
        &mut self,
        key: ResourceKey,
        held: bool,
        referrer: Option<SiteIx>,
    ) -> Cancellation {
        let instance = std::sync::Arc::clone(&self.instance);
        self.resource_places
            .count(&instance, key, held, referrer, false);
        Cancellation {
            id: String::new(),
            session: self.resource_ref(key),
            places_left: {
                let (general, held) = self.resource_split(key);
                general + held
            },
            waitlist_matches: Vec::new(),
            offers: Vec::new(),
        }
    }
}
