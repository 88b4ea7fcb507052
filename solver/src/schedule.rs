//! A schedule in the solver's own terms (indices, concrete rooms), as both the greedy
//! heuristic and the MILP produce it, and its conversion into the §6 [`Roster`]:
//! assignments in a stable order, surgery start times, the unmet list with reasons,
//! and the objective terms recomputed by the checker's scorer.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate};

use crate::calendar::Slot;
use crate::check::evaluate;
use crate::instance::{
    BoardIx, Instance, RequestIx, RoomIx, SiteIx, SpecialistIx, StudioIx, SurgeryIx,
};
use crate::reasons;
use crate::roster::{
    Activity, Assignment, Booking, Presence, Roster, RosterStatus, StudioRole, SurgeryPlacement,
    Unmet,
};

/// A clinic session.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Clinic {
    /// Who holds it.
    pub who: SpecialistIx,
    /// When.
    pub slot: Slot,
    /// Which clinic room.
    pub room: RoomIx,
    /// In which of their disciplines.
    pub discipline: String,
}

/// A studio session.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct StudioSession {
    /// The studio (its lead holds the session).
    pub studio: StudioIx,
    /// When.
    pub slot: Slot,
    /// Which clinic room.
    pub room: RoomIx,
    /// Who attends as apprentice.
    pub apprentices: Vec<SpecialistIx>,
}

/// One seat of an MDT meeting.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Seat {
    /// Who takes it.
    pub who: SpecialistIx,
    /// For which required discipline.
    pub discipline: String,
    /// Joins by video.
    pub remote: bool,
}

/// An MDT meeting.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Meeting {
    /// The board.
    pub board: BoardIx,
    /// When.
    pub slot: Slot,
    /// Which meeting room.
    pub room: RoomIx,
    /// One seat per required discipline.
    pub seats: Vec<Seat>,
}

/// A surgery placed in a theatre.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Operation {
    /// The surgery.
    pub surgery: SurgeryIx,
    /// When.
    pub slot: Slot,
    /// Which theatre.
    pub room: RoomIx,
    /// Who operates.
    pub surgeon: SpecialistIx,
}

/// A request booked into a session.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Appointment {
    /// The request.
    pub request: RequestIx,
    /// Who holds the session.
    pub who: SpecialistIx,
    /// When.
    pub slot: Slot,
    /// It takes a place the specialist's pool holds (rule 12).
    pub held: bool,
}

/// Every decision of a roster, in indices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schedule {
    /// Visiting specialists on site (date, site).
    pub presence: BTreeSet<(SpecialistIx, NaiveDate, SiteIx)>,
    /// Clinic sessions.
    pub clinics: Vec<Clinic>,
    /// Studio sessions.
    pub studio_sessions: Vec<StudioSession>,
    /// MDT meetings.
    pub meetings: Vec<Meeting>,
    /// Surgeries done.
    pub operations: Vec<Operation>,
    /// Requests booked.
    pub appointments: Vec<Appointment>,
}

/// How a roster came about, for its header fields.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Provenance {
    /// Status to report.
    pub status: RosterStatus,
    /// Best proven lower bound, if any.
    pub bound: Option<f64>,
    /// Wall seconds spent.
    pub seconds: f64,
}

impl Schedule {
    /// A roster read back into indices of `instance` (which may differ from the one the
    /// roster was made for): entries naming ids the instance lacks are left out.
    pub fn from_roster(instance: &Instance, roster: &Roster) -> Schedule {
        let slot_of = |date: NaiveDate, session: &str| instance.calendar.slot(date, session);
        let mut schedule = Schedule::default();
        for p in &roster.presence {
            if let (Some(who), Some(site)) = (
                instance.specialist_ix(&p.specialist),
                instance.site_ix(&p.site),
            ) {
                schedule.presence.insert((who, p.date, site));
            }
        }
        let mut studios: BTreeMap<(StudioIx, Slot), StudioSession> = BTreeMap::new();
        let mut meetings: BTreeMap<(BoardIx, Slot), Meeting> = BTreeMap::new();
        for a in &roster.assignments {
            let (Some(who), Some(slot)) = (
                instance.specialist_ix(&a.specialist),
                slot_of(a.date, &a.session),
            ) else {
                continue;
            };
            let room = a.room.as_deref().and_then(|r| instance.room_ix(r));
            match a.activity {
                Activity::Clinic => {
                    if let (Some(room), Some(discipline)) = (room, &a.discipline) {
                        schedule.clinics.push(Clinic {
                            who,
                            slot,
                            room,
                            discipline: discipline.clone(),
                        });
                    }
                }
                Activity::Studio => {
                    let (Some(studio), Some(room)) = (
                        a.studio.as_deref().and_then(|s| instance.studio_ix(s)),
                        room,
                    ) else {
                        continue;
                    };
                    let session = studios.entry((studio, slot)).or_insert(StudioSession {
                        studio,
                        slot,
                        room,
                        apprentices: Vec::new(),
                    });
                    if a.role == Some(StudioRole::Apprentice) {
                        session.apprentices.push(who);
                    }
                }
                Activity::Mdt => {
                    let Some(board) = a.board.as_deref().and_then(|b| instance.board_ix(b)) else {
                        continue;
                    };
                    let meeting = meetings.entry((board, slot)).or_insert(Meeting {
                        board,
                        slot,
                        room: RoomIx(usize::MAX),
                        seats: Vec::new(),
                    });
                    if let Some(room) = room {
                        meeting.room = room;
                    }
                    meeting.seats.push(Seat {
                        who,
                        discipline: a.discipline.clone().unwrap_or_default(),
                        remote: !a.is_on_site(),
                    });
                }
                Activity::Surgery => {}
            }
        }
        schedule.studio_sessions = studios.into_values().collect();
        schedule.meetings = meetings
            .into_values()
            .filter(|m| m.room != RoomIx(usize::MAX))
            .collect();
        for p in &roster.surgeries {
            if let (Some(surgery), Some(slot), Some(room), Some(surgeon)) = (
                instance.surgery_ix(&p.surgery),
                slot_of(p.date, &p.session),
                instance.room_ix(&p.room),
                instance.specialist_ix(&p.surgeon),
            ) {
                schedule.operations.push(Operation {
                    surgery,
                    slot,
                    room,
                    surgeon,
                });
            }
        }
        for b in &roster.bookings {
            if let (Some(request), Some(who), Some(slot)) = (
                instance.request_ix(&b.request),
                instance.specialist_ix(&b.specialist),
                slot_of(b.date, &b.session),
            ) {
                schedule.appointments.push(Appointment {
                    request,
                    who,
                    slot,
                    held: b.pool.is_some(),
                });
            }
        }
        schedule
    }

    /// The §6 roster of this schedule, with unmet reasons and recomputed terms.
    pub fn to_roster(&self, instance: &Instance, provenance: Provenance) -> Roster {
        let calendar = &instance.calendar;
        let session_id = |slot: Slot| calendar.sessions()[slot.session].id.clone();
        let id = |who: SpecialistIx| instance.specialist(who).id.clone();
        let site_of = |room: RoomIx| instance.room(room).site;
        let mut assignments = Vec::new();
        let base = |who: SpecialistIx, slot: Slot, activity: Activity| Assignment {
            specialist: id(who),
            date: slot.date,
            session: session_id(slot),
            activity,
            site: None,
            room: None,
            discipline: None,
            studio: None,
            role: None,
            board: None,
            remote: None,
        };
        for clinic in &self.clinics {
            assignments.push(Assignment {
                site: Some(instance.site(site_of(clinic.room)).id.clone()),
                room: Some(instance.room(clinic.room).id.clone()),
                discipline: Some(clinic.discipline.clone()),
                ..base(clinic.who, clinic.slot, Activity::Clinic)
            });
        }
        for session in &self.studio_sessions {
            let studio = &instance.studios[session.studio.0];
            let site = Some(instance.site(studio.site).id.clone());
            let room = Some(instance.room(session.room).id.clone());
            assignments.push(Assignment {
                site: site.clone(),
                room: room.clone(),
                discipline: Some(studio.discipline.clone()),
                studio: Some(studio.id.clone()),
                role: Some(StudioRole::Lead),
                ..base(studio.lead, session.slot, Activity::Studio)
            });
            for apprentice in &session.apprentices {
                assignments.push(Assignment {
                    site: site.clone(),
                    room: room.clone(),
                    studio: Some(studio.id.clone()),
                    role: Some(StudioRole::Apprentice),
                    ..base(*apprentice, session.slot, Activity::Studio)
                });
            }
        }
        for meeting in &self.meetings {
            let board = &instance.mdt_boards[meeting.board.0];
            let everyone_remote = meeting.seats.iter().all(|seat| seat.remote);
            for seat in &meeting.seats {
                let on_site = !seat.remote;
                assignments.push(Assignment {
                    site: on_site.then(|| instance.site(board.site).id.clone()),
                    // An all-remote meeting still has its room (docs/format.md, reading 1).
                    room: (on_site || everyone_remote)
                        .then(|| instance.room(meeting.room).id.clone()),
                    discipline: Some(seat.discipline.clone()),
                    board: Some(board.id.clone()),
                    remote: Some(seat.remote),
                    ..base(seat.who, meeting.slot, Activity::Mdt)
                });
            }
        }
        let operating: BTreeSet<(SpecialistIx, Slot, SiteIx)> = self
            .operations
            .iter()
            .map(|op| (op.surgeon, op.slot, site_of(op.room)))
            .collect();
        for (who, slot, site) in operating {
            assignments.push(Assignment {
                site: Some(instance.site(site).id.clone()),
                ..base(who, slot, Activity::Surgery)
            });
        }
        assignments.sort_by(|a, b| {
            (a.date, &a.session, &a.specialist).cmp(&(b.date, &b.session, &b.specialist))
        });

        let presence = self
            .presence
            .iter()
            .map(|(who, date, site)| Presence {
                specialist: id(*who),
                date: *date,
                site: instance.site(*site).id.clone(),
            })
            .collect();

        let session_site: BTreeMap<(SpecialistIx, Slot), SiteIx> = self
            .clinics
            .iter()
            .map(|c| ((c.who, c.slot), site_of(c.room)))
            .chain(self.studio_sessions.iter().map(|s| {
                let studio = &instance.studios[s.studio.0];
                ((studio.lead, s.slot), studio.site)
            }))
            .collect();
        let mut bookings: Vec<Booking> = self
            .appointments
            .iter()
            .filter_map(|a| {
                let request = &instance.requests[a.request.0];
                let site = session_site.get(&(a.who, a.slot))?;
                Some(Booking {
                    request: request.id.clone(),
                    specialist: id(a.who),
                    date: a.slot.date,
                    session: session_id(a.slot),
                    site: instance.site(*site).id.clone(),
                    substitute: request.specialist.is_some_and(|named| named != a.who),
                    pool: a
                        .held
                        .then(|| instance.pool_of(a.who).map(|p| p.id.clone()))
                        .flatten(),
                })
            })
            .collect();
        bookings.sort_by(|a, b| a.request.cmp(&b.request));

        let mut roster = Roster {
            instance: instance.name.clone(),
            status: provenance.status,
            objective: 0.0,
            bound: provenance.bound,
            gap: None,
            seconds: Some(provenance.seconds),
            presence,
            assignments,
            surgeries: surgery_placements(instance, &self.operations),
            bookings,
            resource_bookings: Vec::new(),
            unmet: Vec::new(),
            objective_terms: Default::default(),
        };
        score_and_explain(instance, &mut roster);
        roster
    }
}

/// Fills in what a roster's entries imply: the objective and its terms (by the checker),
/// the gap against its bound, and every unmet demand with its reason.
pub(crate) fn score_and_explain(instance: &Instance, roster: &mut Roster) {
    let (terms, shortfalls) = evaluate(instance, roster);
    roster.objective = terms.total();
    roster.objective_terms = terms;
    if let Some(bound) = roster.bound {
        // A bound can only be as good as the objective it proves.
        let bound = bound.min(roster.objective);
        roster.bound = Some(bound);
        roster.gap = Some((roster.objective - bound) / roster.objective.abs().max(1.0));
    }
    let reasons = reasons::explain_all(instance, roster, &shortfalls);
    roster.unmet = shortfalls
        .into_iter()
        .zip(reasons)
        .map(|(shortfall, reason)| Unmet {
            reason,
            kind: shortfall.kind,
            ids: shortfall.ids,
            week: shortfall.week,
            missing: shortfall.missing,
        })
        .collect();
}

/// Placements with start times: surgeries of a slot run back to back in their theatre
/// and for their surgeon; a surgery that cannot be sequenced so gets no start time.
fn surgery_placements(instance: &Instance, operations: &[Operation]) -> Vec<SurgeryPlacement> {
    let mut ordered: Vec<&Operation> = operations.iter().collect();
    ordered.sort_by_key(|op| (op.slot, op.room, op.surgeon, op.surgery));
    let mut theatre_free = BTreeMap::new();
    let mut surgeon_free = BTreeMap::new();
    ordered
        .into_iter()
        .map(|op| {
            let surgery = &instance.surgeries[op.surgery.0];
            let session = &instance.calendar.sessions()[op.slot.session];
            let theatre_at = *theatre_free
                .entry((op.room, op.slot))
                .or_insert(session.start);
            let surgeon_at = *surgeon_free
                .entry((op.surgeon, op.slot))
                .or_insert(session.start);
            let start = theatre_at.max(surgeon_at);
            let end = start + Duration::minutes(i64::from(surgery.minutes));
            let fits = end <= session.end && end > start;
            if fits {
                theatre_free.insert((op.room, op.slot), end);
                surgeon_free.insert((op.surgeon, op.slot), end);
            }
            SurgeryPlacement {
                surgery: surgery.id.clone(),
                date: op.slot.date,
                session: session.id.clone(),
                room: instance.room(op.room).id.clone(),
                surgeon: instance.specialist(op.surgeon).id.clone(),
                start: fits.then(|| start.format("%H:%M").to_string()),
            }
        })
        .collect()
}
