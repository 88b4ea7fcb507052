//! Urgent MDT ("convene within the hour"): from a given time on, the earliest slots in
//! which a board can sit, gathered from the published roster without changing anyone
//! else's day.
//!
//! A slot qualifies when the board already meets then (the case joins that meeting), or
//! when a meeting room of the board's site with its tags is free and each required
//! discipline has a distinct participant who can join: free then (open, available, no
//! activity on the roster), within their load limits, and either on site (a visiting
//! specialist already at the board's site that date; local staff working there, with
//! any other site of their day reachable in the travel time) or remote where the board
//! allows it. On-site participants are preferred to remote ones. Every gathering keeps
//! the roster valid: [`Gathering::assignments`] gives the §6 entries to add.

use chrono::NaiveDate;
use serde::Serialize;

use super::BookingError;
use super::book::BookingBook;
use super::explain::day;
use crate::calendar::{Slot, minutes_between};
use crate::diagnostics::did_you_mean;
use crate::instance::{BoardIx, MdtBoard, RoomIx, RoomKind, SiteIx, SpecialistIx};
use crate::matching::match_distinct;
use crate::roster::{Activity, Assignment};

/// What to look for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConveneOptions {
    /// How many slots to return.
    pub count: usize,
}

impl Default for ConveneOptions {
    fn default() -> Self {
        ConveneOptions { count: 3 }
    }
}

/// Whether the board already meets in the slot or would sit ad hoc.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GatheringKind {
    /// The roster already has the board's meeting then: add the case to it.
    Scheduled,
    /// A new meeting of free people in a free room.
    AdHoc,
}

/// One participant of a gathering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Participant {
    /// Specialist id.
    pub specialist: String,
    /// Display name.
    pub name: String,
    /// The required discipline they sit for.
    pub discipline: String,
    /// Joins by video.
    pub remote: bool,
}

/// A slot in which the board can sit, with its room and people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gathering {
    /// Scheduled or ad hoc.
    pub kind: GatheringKind,
    /// The date.
    pub date: NaiveDate,
    /// The session id.
    pub session: String,
    /// The meeting room id.
    pub room: String,
    /// One participant per required discipline, in the board's order.
    pub participants: Vec<Participant>,
}

impl Gathering {
    /// The §6 `mdt` assignments an ad-hoc gathering adds to the roster (none for a
    /// scheduled one: it is already there).
    pub fn assignments(&self, board: &str, site: &str) -> Vec<Assignment> {
        if self.kind == GatheringKind::Scheduled {
            return Vec::new();
        }
        self.participants
            .iter()
            .map(|p| Assignment {
                specialist: p.specialist.clone(),
                date: self.date,
                session: self.session.clone(),
                activity: Activity::Mdt,
                site: (!p.remote).then(|| site.to_string()),
                room: Some(self.room.clone()),
                discipline: Some(p.discipline.clone()),
                studio: None,
                role: None,
                board: Some(board.to_string()),
                remote: Some(p.remote),
            })
            .collect()
    }
}

/// The answer to a convene.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConveneOutcome {
    /// The board id.
    pub board: String,
    /// The board's site id.
    pub site: String,
    /// The earliest slots found, in time order.
    pub gatherings: Vec<Gathering>,
    /// Why each earlier allowed slot (from the given time on) did not qualify.
    pub passed_over: Vec<String>,
}

/// Whether and how a specialist can take a seat in a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seat {
    OnSite,
    Remote,
}

impl BookingBook {
    /// The earliest `options.count` slots from `from` (a date, and a session index on
    /// that date) in which the board can sit; see the module docs for the rules.
    pub fn convene(
        &self,
        board: &str,
        from: NaiveDate,
        from_session: Option<&str>,
        options: ConveneOptions,
    ) -> Result<ConveneOutcome, BookingError> {
        let instance = &self.instance;
        let board_ix = instance
            .board_ix(board)
            .ok_or_else(|| BookingError::UnknownBoard {
                id: board.to_string(),
                hint: did_you_mean(board, instance.mdt_boards.iter().map(|b| b.id.as_str())),
            })?;
        let first_session =
            match from_session {
                None => 0,
                Some(id) => instance.calendar.session_index(id).ok_or_else(|| {
                    BookingError::InvalidRequest {
                        problems: vec![crate::diagnostics::Diagnostic {
                            severity: crate::diagnostics::Severity::Error,
                            path: "from".into(),
                            message: format!("unknown session \"{id}\""),
                            hint: did_you_mean(
                                id,
                                instance.calendar.sessions().iter().map(|s| s.id.as_str()),
                            ),
                        }],
                    }
                })?,
            };
        let start = Slot {
            date: from,
            session: first_session,
        };
        let spec = &instance.mdt_boards[board_ix.0];
        let mut outcome = ConveneOutcome {
            board: spec.id.clone(),
            site: instance.site(spec.site).id.clone(),
            gatherings: Vec::new(),
            passed_over: Vec::new(),
        };
        for slot in instance.calendar.slots() {
            if outcome.gatherings.len() >= options.count {
                break;
            }
            if slot < start || !spec.sessions.contains(&slot.session) {
                continue;
            }
            match self.gather(board_ix, slot) {
                Ok(gathering) => outcome.gatherings.push(gathering),
                Err(why) => outcome.passed_over.push(format!(
                    "{} {}: {why}",
                    day(slot.date),
                    instance.calendar.sessions()[slot.session].id
                )),
            }
        }
        Ok(outcome)
    }

    /// The board's meeting in the slot: the scheduled one, or an ad-hoc one; or why not.
    fn gather(&self, board: BoardIx, slot: Slot) -> Result<Gathering, String> {
        let instance = &self.instance;
        let spec = &instance.mdt_boards[board.0];
        let session = instance.calendar.sessions()[slot.session].id.clone();
        let person = |who: SpecialistIx, discipline: &str, remote: bool| Participant {
            specialist: instance.specialist(who).id.clone(),
            name: instance.specialist(who).name.clone(),
            discipline: discipline.to_string(),
            remote,
        };
        if let Some(meeting) = self.index.meetings.get(&(board, slot)) {
            return Ok(Gathering {
                kind: GatheringKind::Scheduled,
                date: slot.date,
                session,
                room: meeting
                    .room
                    .map(|r| instance.room(r).id.clone())
                    .unwrap_or_default(),
                participants: spec
                    .required
                    .iter()
                    .filter_map(|discipline| {
                        meeting
                            .seats
                            .iter()
                            .find(|seat| seat.discipline == *discipline)
                    })
                    .map(|seat| person(seat.who, &seat.discipline, seat.remote))
                    .collect(),
            });
        }
        let room = self
            .free_meeting_room(spec, slot)
            .ok_or_else(|| "no fitting meeting room is free".to_string())?;
        let people = instance.specialists.len();
        let seats: Vec<Vec<(SpecialistIx, Seat)>> = spec
            .required
            .iter()
            .map(|discipline| {
                let mut able: Vec<(SpecialistIx, Seat)> = (0..people)
                    .map(SpecialistIx)
                    .filter(|who| instance.specialist(*who).has_discipline(discipline))
                    .filter_map(|who| {
                        self.seat_for(who, slot, spec, discipline)
                            .map(|seat| (who, seat))
                    })
                    .collect();
                able.sort_by_key(|(who, seat)| (*seat == Seat::Remote, *who));
                able
            })
            .collect();
        let empty: Vec<&str> = spec
            .required
            .iter()
            .zip(&seats)
            .filter(|(_, able)| able.is_empty())
            .map(|(discipline, _)| discipline.as_str())
            .collect();
        if !empty.is_empty() {
            let why: Vec<String> = empty
                .iter()
                .map(|discipline| {
                    format!(
                        "nobody free for {discipline}{}",
                        self.why_nobody(spec, slot, discipline)
                    )
                })
                .collect();
            return Err(why.join("; "));
        }
        let candidates: Vec<Vec<usize>> = seats
            .iter()
            .map(|able| able.iter().map(|(who, _)| who.0).collect())
            .collect();
        let filled = match_distinct(&candidates, people);
        let mut participants = Vec::new();
        for ((discipline, able), holder) in spec.required.iter().zip(&seats).zip(&filled) {
            let Some(holder) = holder else {
                return Err(format!(
                    "the free people cannot fill all {} seats with distinct participants ({discipline} is left empty)",
                    spec.required.len()
                ));
            };
            let (who, seat) = able
                .iter()
                .find(|(who, _)| who.0 == *holder)
                .expect("the holder is a candidate");
            participants.push(person(*who, discipline, *seat == Seat::Remote));
        }
        Ok(Gathering {
            kind: GatheringKind::AdHoc,
            date: slot.date,
            session,
            room: instance.room(room).id.clone(),
            participants,
        })
    }

    fn free_meeting_room(&self, board: &MdtBoard, slot: Slot) -> Option<RoomIx> {
        self.instance
            .rooms
            .iter()
            .enumerate()
            .map(|(i, room)| (RoomIx(i), room))
            .find(|(ix, room)| {
                room.kind == RoomKind::Meeting
                    && room.site == board.site
                    && room.has_tags(&board.room_tags)
                    && !room.unavailable.contains(slot.date, slot.session)
                    && !self.index.rooms_used.contains(&(*ix, slot))
            })
            .map(|(ix, _)| ix)
    }

    /// How the specialist can sit for the discipline in the slot, if at all.
    fn seat_for(
        &self,
        who: SpecialistIx,
        slot: Slot,
        board: &MdtBoard,
        discipline: &str,
    ) -> Option<Seat> {
        if self.unavailable_because(who, slot).is_some() {
            return None;
        }
        if self.can_be_at(who, slot, board.site) {
            Some(Seat::OnSite)
        } else if board.allows_remote(discipline) {
            Some(Seat::Remote)
        } else {
            None
        }
    }

    /// Why the specialist cannot take any activity in the slot (closed, unavailable,
    /// busy, load limit), or `None` when they can.
    fn unavailable_because(&self, who: SpecialistIx, slot: Slot) -> Option<String> {
        let instance = &self.instance;
        let person = instance.specialist(who);
        if !instance.can_work(who, slot.date, slot.session) {
            return Some("is not available".into());
        }
        if let Some(what) = self.index.activities.get(&(who, slot)) {
            return Some(format!("has {what} then"));
        }
        let sessions = instance.calendar.sessions().len();
        if let Some(max) = person.max_sessions_per_day
            && self.index.busy_on(who, slot.date, sessions) >= max as usize
        {
            return Some(format!("already works {max} session(s) that day"));
        }
        if let (Some(max), Some(week)) = (
            person.max_sessions_per_week,
            instance.calendar.week_of(slot.date),
        ) {
            let worked: usize = instance
                .calendar
                .week_dates(week)
                .map(|date| self.index.busy_on(who, date, sessions))
                .sum();
            if worked >= max as usize {
                return Some(format!("already works {max} session(s) that week"));
            }
        }
        None
    }

    /// Whether the specialist can be at `site` in the slot without changing their day:
    /// a visiting specialist must already be there that date; anyone must keep to two
    /// sites a day with the travel time between them (rule 2).
    fn can_be_at(&self, who: SpecialistIx, slot: Slot, site: SiteIx) -> bool {
        let instance = &self.instance;
        let person = instance.specialist(who);
        if !person.works_at(site) {
            return false;
        }
        let sites = self.index.sites_on(who, slot.date);
        if person.visiting
            && !self
                .index
                .presence_sites
                .get(&(who, slot.date))
                .is_some_and(|present| present.contains(&site))
        {
            return false;
        }
        let others: Vec<SiteIx> = sites.into_iter().filter(|s| *s != site).collect();
        match others.as_slice() {
            [] => true,
            [other] => {
                let Some(travel) = instance.travel_minutes(*other, site) else {
                    return false;
                };
                let sessions = instance.calendar.sessions();
                self.index
                    .day_activities
                    .get(&(who, slot.date))
                    .into_iter()
                    .flatten()
                    .filter(|(_, at)| at != &site)
                    .all(|(session, _)| {
                        let gap = if *session < slot.session {
                            minutes_between(sessions[*session].end, sessions[slot.session].start)
                        } else {
                            minutes_between(sessions[slot.session].end, sessions[*session].start)
                        };
                        gap >= travel
                    })
            }
            _ => false,
        }
    }

    /// `: Liu Jun has clinic then; Zhao is not available` for a discipline nobody can sit for.
    fn why_nobody(&self, board: &MdtBoard, slot: Slot, discipline: &str) -> String {
        let instance = &self.instance;
        let reasons: Vec<String> = (0..instance.specialists.len())
            .map(SpecialistIx)
            .filter(|who| {
                let person = instance.specialist(*who);
                person.has_discipline(discipline)
                    && (person.works_at(board.site) || board.allows_remote(discipline))
            })
            .take(3)
            .map(|who| {
                let name = &instance.specialist(who).name;
                match self.unavailable_because(who, slot) {
                    Some(why) => format!("{name} {why}"),
                    None => format!("{name} is not on site at {}", instance.site(board.site).id),
                }
            })
            .collect();
        if reasons.is_empty() {
            String::new()
        } else {
            format!(" ({})", reasons.join("; "))
        }
    }
}
