//! A published roster indexed for the questions asked of it after publication: who is
//! busy when, which clinic and studio sessions are held (and how many bookings each
//! already has), who is on site where, which rooms are used, which MDT meetings sit.
//!
//! Unmet-demand reasons, call-centre booking and urgent MDT convening all read a roster
//! through this index, so that each of them walks the roster once. Entries whose ids
//! do not resolve are skipped: judging them is the checker's job.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use crate::calendar::Slot;
use crate::instance::{BoardIx, Instance, RoomIx, SiteIx, SpecialistIx};
use crate::roster::{Activity, Roster, StudioRole};

/// A clinic session or a studio session led by its holder: a session patients can be
/// booked into (rules 5, 6 and 9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HeldSession {
    /// Where it is held.
    pub site: SiteIx,
    /// Its room, when the roster names one.
    pub room: Option<RoomIx>,
    /// The discipline it is held in (a studio's discipline for a studio session).
    pub discipline: String,
    /// Whether it is a studio session.
    pub studio: bool,
}

/// One seat of a meeting already on the roster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SeatTaken {
    pub who: SpecialistIx,
    pub discipline: String,
    pub remote: bool,
}

/// An MDT meeting already on the roster.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct MeetingHeld {
    pub room: Option<RoomIx>,
    pub seats: Vec<SeatTaken>,
}

/// The roster in instance indices, keyed for look-ups.
#[derive(Debug, Clone, Default)]
pub(crate) struct RosterIndex {
    /// (specialist, slot) pairs with any activity.
    pub busy: BTreeSet<(SpecialistIx, Slot)>,
    /// What each specialist does in each busy slot (`clinic`, `mdt`, …).
    pub activities: BTreeMap<(SpecialistIx, Slot), &'static str>,
    /// Bookable sessions by holder and slot.
    pub sessions: BTreeMap<(SpecialistIx, Slot), HeldSession>,
    /// The roster's own bookings: request id → (holder, slot).
    pub booked: BTreeMap<String, (SpecialistIx, Slot)>,
    /// Bookings per session on the roster.
    pub bookings: BTreeMap<(SpecialistIx, Slot), u32>,
    /// Presence dates of visiting specialists.
    pub on_site: BTreeMap<SpecialistIx, BTreeSet<NaiveDate>>,
    /// Presence sites per visiting specialist and date.
    pub presence_sites: BTreeMap<(SpecialistIx, NaiveDate), BTreeSet<SiteIx>>,
    /// On-site activities per specialist and date: (session, site).
    pub day_activities: BTreeMap<(SpecialistIx, NaiveDate), Vec<(usize, SiteIx)>>,
    /// Rooms in use per slot.
    pub rooms_used: BTreeSet<(RoomIx, Slot)>,
    /// MDT meetings by board and slot.
    pub meetings: BTreeMap<(BoardIx, Slot), MeetingHeld>,
}

impl RosterIndex {
    pub fn new(instance: &Instance, roster: &Roster) -> RosterIndex {
        let mut index = RosterIndex::default();
        let slot_of = |date: NaiveDate, session: &str| instance.calendar.slot(date, session);
        for a in &roster.assignments {
            let (Some(who), Some(slot)) = (
                instance.specialist_ix(&a.specialist),
                slot_of(a.date, &a.session),
            ) else {
                continue;
            };
            index.busy.insert((who, slot));
            index.activities.insert((who, slot), a.activity.name());
            let room = a.room.as_deref().and_then(|r| instance.room_ix(r));
            if let Some(room) = room {
                index.rooms_used.insert((room, slot));
            }
            let site = a.site.as_deref().and_then(|s| instance.site_ix(s));
            if let Some(site) = site.filter(|_| a.is_on_site()) {
                index
                    .day_activities
                    .entry((who, slot.date))
                    .or_default()
                    .push((slot.session, site));
            }
            let held = match (a.activity, a.role) {
                (Activity::Clinic, _) => a.discipline.clone().map(|d| (d, false)),
                (Activity::Studio, Some(StudioRole::Lead)) => a
                    .studio
                    .as_deref()
                    .and_then(|s| instance.studio_ix(s))
                    .map(|s| (instance.studios[s.0].discipline.clone(), true)),
                _ => None,
            };
            if let (Some(site), Some((discipline, studio))) = (site, held) {
                index.sessions.insert(
                    (who, slot),
                    HeldSession {
                        site,
                        room,
                        discipline,
                        studio,
                    },
                );
            }
            if a.activity == Activity::Mdt
                && let Some(board) = a.board.as_deref().and_then(|b| instance.board_ix(b))
            {
                let meeting = index.meetings.entry((board, slot)).or_default();
                meeting.room = meeting.room.or(room);
                meeting.seats.push(SeatTaken {
                    who,
                    discipline: a.discipline.clone().unwrap_or_default(),
                    remote: !a.is_on_site(),
                });
            }
        }
        for b in &roster.bookings {
            if let (Some(who), Some(slot)) = (
                instance.specialist_ix(&b.specialist),
                slot_of(b.date, &b.session),
            ) {
                *index.bookings.entry((who, slot)).or_default() += 1;
                index.booked.insert(b.request.clone(), (who, slot));
            }
        }
        for p in &roster.presence {
            if let (Some(who), Some(site)) = (
                instance.specialist_ix(&p.specialist),
                instance.site_ix(&p.site),
            ) {
                index.on_site.entry(who).or_default().insert(p.date);
                index
                    .presence_sites
                    .entry((who, p.date))
                    .or_default()
                    .insert(site);
            }
        }
        index
    }

    pub fn is_busy(&self, who: SpecialistIx, slot: Slot) -> bool {
        self.busy.contains(&(who, slot))
    }

    /// Activities of the specialist on the date.
    pub fn busy_on(&self, who: SpecialistIx, date: NaiveDate, sessions: usize) -> usize {
        (0..sessions)
            .filter(|session| {
                self.is_busy(
                    who,
                    Slot {
                        date,
                        session: *session,
                    },
                )
            })
            .count()
    }

    /// Sites the specialist is at on the date: presence and on-site activities.
    pub fn sites_on(&self, who: SpecialistIx, date: NaiveDate) -> BTreeSet<SiteIx> {
        let mut sites = self
            .presence_sites
            .get(&(who, date))
            .cloned()
            .unwrap_or_default();
        sites.extend(
            self.day_activities
                .get(&(who, date))
                .into_iter()
                .flatten()
                .map(|(_, site)| *site),
        );
        sites
    }
}
