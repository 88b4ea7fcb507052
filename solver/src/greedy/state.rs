//! The partial roster the greedy heuristic grows, and the one question it asks
//! before every step: may this specialist take this slot at this site without breaking
//! a hard rule (free, one thing at a time, sites and travel, load, presence and
//! residencies)? Rooms, theatre minutes and bookings per session are tracked here too,
//! and the instance's forbids, which every placement asks (`super::entries::Forbids`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::entries::Forbids;
use crate::calendar::{Slot, minutes_between};
use crate::instance::{Instance, RequestIx, RoomIx, SiteIx, SpecialistIx};
use crate::objective::Term;
use crate::schedule::{Appointment, Schedule};

/// The growing schedule with the indexes needed to keep it valid.
pub(super) struct State<'a> {
    pub instance: &'a Instance,
    pub schedule: Schedule,
    /// The instance's forbids, indexed.
    pub forbids: Forbids<'a>,
    busy: BTreeSet<(SpecialistIx, Slot)>,
    /// On-site activities per specialist and date: (session, site).
    day_activities: BTreeMap<(SpecialistIx, NaiveDate), Vec<(usize, SiteIx)>>,
    /// Sites per specialist and date (presence and on-site activities).
    day_sites: BTreeMap<(SpecialistIx, NaiveDate), BTreeSet<SiteIx>>,
    /// Dates placed by a residency: (specialist, date) → residency site.
    residency_days: BTreeMap<(SpecialistIx, NaiveDate), SiteIx>,
    rooms_used: BTreeSet<(RoomIx, Slot)>,
    theatre_minutes: BTreeMap<(RoomIx, Slot), u32>,
    /// Surgeons operating: (surgeon, slot) → (site, minutes used).
    operating: BTreeMap<(SpecialistIx, Slot), (SiteIx, u32)>,
    /// Bookings per session: (holder, slot) → requests booked.
    booked: BTreeMap<(SpecialistIx, Slot), u32>,
    /// Requests booked.
    booked_requests: BTreeSet<RequestIx>,
    /// Bookings that take a pool's held place, per session.
    held: BTreeMap<(SpecialistIx, Slot), u32>,
    /// Held places taken per (pool, referring site, week).
    held_by_week: BTreeMap<(usize, SiteIx, u32), u32>,
}

impl<'a> State<'a> {
    pub fn new(instance: &'a Instance) -> Self {
        State {
            instance,
            schedule: Schedule::default(),
            forbids: Forbids::new(instance),
            busy: BTreeSet::new(),
            day_activities: BTreeMap::new(),
            day_sites: BTreeMap::new(),
            residency_days: BTreeMap::new(),
            rooms_used: BTreeSet::new(),
            theatre_minutes: BTreeMap::new(),
            operating: BTreeMap::new(),
            booked: BTreeMap::new(),
            booked_requests: BTreeSet::new(),
            held: BTreeMap::new(),
            held_by_week: BTreeMap::new(),
        }
    }

    pub fn is_busy(&self, who: SpecialistIx, slot: Slot) -> bool {
        self.busy.contains(&(who, slot))
    }

    /// Sites the specialist is at on a date so far.
    pub fn sites_on(&self, who: SpecialistIx, date: NaiveDate) -> Vec<SiteIx> {
        self.day_sites
            .get(&(who, date))
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default()
    }

    pub fn room_free(&self, room: RoomIx, slot: Slot) -> bool {
        !self.rooms_used.contains(&(room, slot))
            && !self
                .instance
                .room(room)
                .unavailable
                .contains(slot.date, slot.session)
    }

    pub fn theatre_left(&self, room: RoomIx, slot: Slot) -> u32 {
        let length = self.instance.calendar.sessions()[slot.session].minutes();
        let used = self
            .theatre_minutes
            .get(&(room, slot))
            .copied()
            .unwrap_or(0);
        self.instance
            .room(room)
            .capacity_in(length)
            .saturating_sub(used)
    }

    /// Minutes left for a surgeon already operating in the slot at the site.
    pub fn operating_left(&self, who: SpecialistIx, slot: Slot, site: SiteIx) -> Option<u32> {
        let length = self.instance.calendar.sessions()[slot.session].minutes();
        self.operating
            .get(&(who, slot))
            .filter(|(at, _)| *at == site)
            .map(|(_, used)| length.saturating_sub(*used))
    }

    /// Whether `who` may take `slot`, on site at `site` or remotely (`None`).
    pub fn can_take(&self, who: SpecialistIx, slot: Slot, site: Option<SiteIx>) -> bool {
        let instance = self.instance;
        if !instance.can_work(who, slot.date, slot.session) || self.is_busy(who, slot) {
            return false;
        }
        if !self.load_allows(who, slot) {
            return false;
        }
        match site {
            None => true,
            Some(site) => self.site_allows(who, slot, site),
        }
    }

    fn load_allows(&self, who: SpecialistIx, slot: Slot) -> bool {
        let person = self.instance.specialist(who);
        let calendar = &self.instance.calendar;
        let sessions = calendar.sessions().len();
        if let Some(max) = person.max_sessions_per_day {
            let today = (0..sessions)
                .filter(|k| {
                    self.is_busy(
                        who,
                        Slot {
                            date: slot.date,
                            session: *k,
                        },
                    )
                })
                .count();
            if today >= max as usize {
                return false;
            }
        }
        if let (Some(max), Some(week)) = (person.max_sessions_per_week, calendar.week_of(slot.date))
        {
            let this_week = calendar
                .week_dates(week)
                .flat_map(|date| (0..sessions).map(move |session| Slot { date, session }))
                .filter(|s| self.is_busy(who, *s))
                .count();
            if this_week >= max as usize {
                return false;
            }
        }
        true
    }

    fn site_allows(&self, who: SpecialistIx, slot: Slot, site: SiteIx) -> bool {
        let instance = self.instance;
        let person = instance.specialist(who);
        if !person.works_at(site) {
            return false;
        }
        if let Some(residency_site) = self.residency_days.get(&(who, slot.date))
            && *residency_site != site
        {
            return false;
        }
        let sites = self.sites_on(who, slot.date);
        if !sites.contains(&site) {
            match sites.as_slice() {
                [] => {}
                [other] if instance.travel_minutes(*other, site).is_some() => {}
                _ => return false,
            }
            if person.visiting && !self.presence_addable(who, slot.date, site) {
                return false;
            }
        }
        let sessions = instance.calendar.sessions();
        for (session, other) in self
            .day_activities
            .get(&(who, slot.date))
            .into_iter()
            .flatten()
        {
            if *other == site {
                continue;
            }
            let Some(travel) = instance.travel_minutes(*other, site) else {
                return false;
            };
            let gap = if *session < slot.session {
                minutes_between(sessions[*session].end, sessions[slot.session].start)
            } else {
                minutes_between(sessions[slot.session].end, sessions[*session].start)
            };
            if gap < travel {
                return false;
            }
        }
        true
    }

    /// A visiting specialist may gain a presence at a site on a date unless a residency
    /// of theirs fixes their dates at that site that week.
    fn presence_addable(&self, who: SpecialistIx, date: NaiveDate, site: SiteIx) -> bool {
        let week = self.instance.calendar.week_of(date);
        !self.instance.residencies.iter().any(|r| {
            r.specialist == who && r.site == site && week.is_some_and(|w| r.weeks.contains(&w))
        })
    }

    /// What a new on-site date of a visiting specialist costs, or 0 when already there.
    pub fn presence_cost(&self, who: SpecialistIx, date: NaiveDate) -> f64 {
        let person = self.instance.specialist(who);
        if !person.visiting || self.day_sites.contains_key(&(who, date)) {
            return 0.0;
        }
        let weights = &self.instance.weights;
        let other_sessions = (0..self.instance.calendar.sessions().len())
            .filter(|k| person.is_available(date, *k))
            .count()
            .saturating_sub(1);
        weights[Term::VisitingDayCost] * person.day_cost
            + weights[Term::IdleVisitingSession] * other_sessions as f64
    }

    /// The cost of working in a slot the specialist avoids.
    pub fn avoid_cost(&self, who: SpecialistIx, slot: Slot) -> f64 {
        if self
            .instance
            .specialist(who)
            .avoids(slot.date, slot.session)
        {
            self.instance.weights[Term::AvoidedSlot]
        } else {
            0.0
        }
    }

    /// Records a residency date (presence without activity yet).
    pub fn place_residency_day(&mut self, who: SpecialistIx, date: NaiveDate, site: SiteIx) {
        self.residency_days.insert((who, date), site);
        self.add_presence(who, date, site);
    }

    fn add_presence(&mut self, who: SpecialistIx, date: NaiveDate, site: SiteIx) {
        self.day_sites.entry((who, date)).or_default().insert(site);
        if self.instance.specialist(who).visiting {
            self.schedule.presence.insert((who, date, site));
        }
    }

    /// Takes the slot for `who` (checked with [`State::can_take`] first).
    pub fn take(&mut self, who: SpecialistIx, slot: Slot, site: Option<SiteIx>) {
        self.busy.insert((who, slot));
        if let Some(site) = site {
            self.day_activities
                .entry((who, slot.date))
                .or_default()
                .push((slot.session, site));
            self.add_presence(who, slot.date, site);
        }
    }

    pub fn use_room(&mut self, room: RoomIx, slot: Slot) {
        self.rooms_used.insert((room, slot));
    }

    /// Records a surgery's minutes in its theatre and for its surgeon.
    pub fn use_theatre(&mut self, room: RoomIx, surgeon: SpecialistIx, slot: Slot, minutes: u32) {
        *self.theatre_minutes.entry((room, slot)).or_default() += minutes;
        let site = self.instance.room(room).site;
        self.operating.entry((surgeon, slot)).or_insert((site, 0)).1 += minutes;
    }

    /// Requests booked into the holder's session in the slot so far.
    pub fn bookings_in(&self, who: SpecialistIx, slot: Slot) -> u32 {
        self.booked.get(&(who, slot)).copied().unwrap_or(0)
    }

    /// Whether the request is booked already.
    pub fn is_booked(&self, request: RequestIx) -> bool {
        self.booked_requests.contains(&request)
    }

    /// Whether the request can have a place in the session, and which: a general one
    /// (`Some(false)`), else one its pool holds for its referring site (`Some(true)`:
    /// rule 12, within the site's weekly quota).
    pub fn place_for(&self, request: RequestIx, who: SpecialistIx, slot: Slot) -> Option<bool> {
        let instance = self.instance;
        let capacity = instance.specialist(who).clinic_capacity;
        let total = self.bookings_in(who, slot);
        let Some(pool) = instance.pool_of(who) else {
            return (total < capacity).then_some(false);
        };
        let held = self.held.get(&(who, slot)).copied().unwrap_or(0);
        if total - held + pool.places < capacity {
            return Some(false);
        }
        let request = &instance.requests[request.0];
        let within_quota = match (
            pool.quota,
            request.referred_by,
            instance.calendar.week_of(slot.date),
        ) {
            (None, _, _) => true,
            (Some(quota), Some(site), Some(week)) => {
                let p = self.pool_index(who);
                self.held_by_week
                    .get(&(p, site, week))
                    .copied()
                    .unwrap_or(0)
                    < quota
            }
            _ => false,
        };
        (pool.admits(request) && held < pool.places && within_quota).then_some(true)
    }

    fn pool_index(&self, who: SpecialistIx) -> usize {
        self.instance
            .pools
            .iter()
            .position(|pool| pool.holder == who)
            .unwrap_or(usize::MAX)
    }

    /// Records a booking (its place found by [`State::place_for`] first).
    pub fn book(&mut self, appointment: Appointment) {
        *self
            .booked
            .entry((appointment.who, appointment.slot))
            .or_default() += 1;
        if appointment.held {
            *self
                .held
                .entry((appointment.who, appointment.slot))
                .or_default() += 1;
            let request = &self.instance.requests[appointment.request.0];
            if let (Some(site), Some(week)) = (
                request.referred_by,
                self.instance.calendar.week_of(appointment.slot.date),
            ) {
                let p = self.pool_index(appointment.who);
                *self.held_by_week.entry((p, site, week)).or_default() += 1;
            }
        }
        self.booked_requests.insert(appointment.request);
        self.schedule.appointments.push(appointment);
    }
}
