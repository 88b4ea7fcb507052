//! Rule 11 in the model (docs/model.md § Pins): the columns whose value 1 puts an
//! entry matching a pin into the roster, and the rows that make a pin hold (at least
//! one such entry) or a forbid hold (none).
//!
//! A candidate is a conjunction of factors, each a sum of columns of which at most one
//! is 1 (a clinic, a studio session in a given room, the specialist's session at a
//! site…). Most candidates are one column; an apprentice or seat in a named room and a
//! booking at a named site need two factors, joined by a witness column for a pin.
//! Where a roster entry's fields depend on more than the columns say (a remote place
//! in an all-remote meeting carries the room), a pin's candidates are a subset and a
//! forbid's a superset of the exact set: the model never accepts a roster the checker
//! rejects.

use good_lp::{Variable, constraint};

use super::{Builder, ClassIx, sum};
use crate::calendar::Slot;
use crate::pins::{AssignmentPattern, BookingPattern, Pattern, Pin, SurgeryPattern};
use crate::roster::{Activity, StudioRole};

/// Columns whose sum says whether an entry with one part of a pattern exists.
type Factor = Vec<Variable>;

/// A way for a pin to hold: every factor at 1.
type Candidate = Vec<Factor>;

impl Builder<'_> {
    fn slot_matches(date: Option<chrono::NaiveDate>, session: Option<usize>, slot: Slot) -> bool {
        date.is_none_or(|d| d == slot.date) && session.is_none_or(|s| s == slot.session)
    }

    /// Whether a column of `class` in `slot` can be in the pattern's room: the room's
    /// class (its own, or a frozen pin's shared one) with the room open then.
    fn room_matches(
        &self,
        room: Option<crate::instance::RoomIx>,
        class: ClassIx,
        slot: Slot,
    ) -> bool {
        room.is_none_or(|r| {
            self.classes.class_of(r) == Some(class)
                && !self
                    .instance
                    .room(r)
                    .unavailable
                    .contains(slot.date, slot.session)
        })
    }

    /// Every way the model can put an entry matching the pin into the roster (for a
    /// forbid, a superset where the columns cannot tell).
    fn candidates(&self, pin: &Pin) -> Vec<Candidate> {
        match &pin.pattern {
            Pattern::Assignment(p) => self.assignment_candidates(p, pin.forbid),
            Pattern::Surgery(p) => self.surgery_candidates(p),
            Pattern::Booking(p) => self.booking_candidates(p),
        }
    }

    fn assignment_candidates(&self, p: &AssignmentPattern, forbid: bool) -> Vec<Candidate> {
        let instance = self.instance;
        let classes = &self.classes;
        let class_of_room = p.room.and_then(|r| classes.class_of(r));
        let mut out: Vec<Candidate> = Vec::new();
        for activity in p.activities() {
            match activity {
                Activity::Clinic => {
                    for ((who, slot, class, d), var) in &self.vars.clinic {
                        let person = instance.specialist(*who);
                        if p.specialist.is_none_or(|s| s == *who)
                            && Self::slot_matches(p.date, p.session, *slot)
                            && p.site.is_none_or(|s| s == classes.classes[class.0].site)
                            && self.room_matches(p.room, *class, *slot)
                            && p.discipline
                                .as_ref()
                                .is_none_or(|x| *x == person.disciplines[*d])
                        {
                            out.push(vec![vec![*var]]);
                        }
                    }
                }
                Activity::Studio => {
                    for ((st, slot, class), var) in &self.vars.studio {
                        let studio = &instance.studios[st.0];
                        if p.role != Some(StudioRole::Apprentice)
                            && p.studio.is_none_or(|s| s == *st)
                            && p.specialist.is_none_or(|s| s == studio.lead)
                            && Self::slot_matches(p.date, p.session, *slot)
                            && p.site.is_none_or(|s| s == studio.site)
                            && self.room_matches(p.room, *class, *slot)
                            && p.discipline
                                .as_ref()
                                .is_none_or(|x| *x == studio.discipline)
                        {
                            out.push(vec![vec![*var]]);
                        }
                    }
                    for ((st, slot, apprentice), var) in &self.vars.apprentice {
                        let studio = &instance.studios[st.0];
                        if p.role == Some(StudioRole::Lead)
                            || p.discipline.is_some()
                            || p.studio.is_some_and(|s| s != *st)
                            || p.specialist.is_some_and(|s| s != *apprentice)
                            || !Self::slot_matches(p.date, p.session, *slot)
                            || p.site.is_some_and(|s| s != studio.site)
                        {
                            continue;
                        }
                        match class_of_room {
                            None if p.room.is_none() => out.push(vec![vec![*var]]),
                            Some(class) if self.room_matches(p.room, class, *slot) => {
                                if let Some(session) = self.vars.studio.get(&(*st, *slot, class)) {
                                    out.push(vec![vec![*var], vec![*session]]);
                                }
                            }
                            _ => {}
                        }
                    }
                }
                Activity::Mdt => out.extend(self.mdt_candidates(p, forbid)),
                Activity::Surgery => {
                    for ((who, slot, site), var) in &self.vars.operating {
                        if p.specialist.is_none_or(|s| s == *who)
                            && Self::slot_matches(p.date, p.session, *slot)
                            && p.site.is_none_or(|s| s == *site)
                        {
                            out.push(vec![vec![*var]]);
                        }
                    }
                }
            }
        }
        out
    }

    fn mdt_candidates(&self, p: &AssignmentPattern, forbid: bool) -> Vec<Candidate> {
        let instance = self.instance;
        let class_of_room = p.room.and_then(|r| self.classes.class_of(r));
        let mut out: Vec<Candidate> = Vec::new();
        let seat_fields = p.specialist.is_some()
            || p.discipline.is_some()
            || p.remote.is_some()
            || p.site.is_some();
        if !seat_fields {
            // A held meeting always has its room and one entry per seat.
            for ((b, slot, class), var) in &self.vars.meeting {
                if p.board.is_none_or(|x| x == *b)
                    && Self::slot_matches(p.date, p.session, *slot)
                    && self.room_matches(p.room, *class, *slot)
                {
                    out.push(vec![vec![*var]]);
                }
            }
            return out;
        }
        for ((b, slot, d, who, remote), var) in &self.vars.seat {
            let board = &instance.mdt_boards[b.0];
            if p.board.is_some_and(|x| x != *b)
                || p.specialist.is_some_and(|s| s != *who)
                || !Self::slot_matches(p.date, p.session, *slot)
                || p.discipline
                    .as_ref()
                    .is_some_and(|x| *x != board.required[*d])
                || p.remote.is_some_and(|r| r != *remote)
                || p.site.is_some_and(|s| *remote || s != board.site)
            {
                continue;
            }
            if p.room.is_none() {
                out.push(vec![vec![*var]]);
                continue;
            }
            // A remote place carries the room only when the whole meeting is remote:
            // a pin does not count on it, a forbid rules it out.
            if *remote && !forbid {
                continue;
            }
            if let Some(meeting) = class_of_room
                .filter(|c| self.room_matches(p.room, *c, *slot))
                .and_then(|c| self.vars.meeting.get(&(*b, *slot, c)))
            {
                out.push(vec![vec![*var], vec![*meeting]]);
            }
        }
        out
    }

    fn surgery_candidates(&self, p: &SurgeryPattern) -> Vec<Candidate> {
        self.vars
            .operation
            .iter()
            .filter(|((g, slot, room, surgeon), _)| {
                p.surgery.is_none_or(|x| x == *g)
                    && Self::slot_matches(p.date, p.session, *slot)
                    && p.room.is_none_or(|r| r == *room)
                    && p.surgeon.is_none_or(|s| s == *surgeon)
            })
            .map(|(_, var)| vec![vec![*var]])
            .collect()
    }

    fn booking_candidates(&self, p: &BookingPattern) -> Vec<Candidate> {
        let instance = self.instance;
        let named = instance.requests[p.request.0].specialist;
        let mut out = Vec::new();
        for ((r, who, slot), var) in &self.vars.booking {
            if *r != p.request
                || p.specialist.is_some_and(|s| s != *who)
                || !Self::slot_matches(p.date, p.session, *slot)
                || p.substitute
                    .is_some_and(|sub| named.is_some_and(|n| n != *who) != sub)
            {
                continue;
            }
            let Some(site) = p.site else {
                out.push(vec![vec![*var]]);
                continue;
            };
            // The booking's site is that of its holder's session in the slot.
            let sessions: Factor = self
                .activities
                .get(&(*who, *slot))
                .into_iter()
                .flatten()
                .filter(|a| a.session && a.site == Some(site))
                .map(|a| a.var)
                .collect();
            if !sessions.is_empty() {
                out.push(vec![vec![*var], sessions]);
            }
        }
        out
    }

    /// The rows of every pin of the instance, each pin's rows as one group.
    pub(super) fn pins(&mut self) {
        let instance = self.instance;
        for (i, pin) in instance.pins.iter().enumerate() {
            let start = self.constraints.len();
            let candidates = self.candidates(pin);
            self.pin_candidates.push(candidates.len());
            if pin.forbid {
                let mut singles: Vec<Variable> = Vec::new();
                for candidate in candidates {
                    if let [factor] = candidate.as_slice() {
                        singles.extend(factor.iter().copied());
                    } else {
                        let parts = candidate.len() as f64 - 1.0;
                        let all = sum(candidate.iter().flatten());
                        self.constraints.push(constraint!(all <= parts));
                    }
                }
                singles.sort_by_key(|v| self.columns[v]);
                singles.dedup();
                if !singles.is_empty() {
                    self.constraints.push(constraint!(sum(&singles) == 0));
                }
            } else if !candidates.is_empty() {
                let mut held: Vec<Variable> = Vec::new();
                for candidate in candidates {
                    if let [factor] = candidate.as_slice() {
                        held.extend(factor.iter().copied());
                        continue;
                    }
                    let witness = self.binary();
                    for factor in &candidate {
                        self.constraints.push(constraint!(witness <= sum(factor)));
                    }
                    self.vars.pin_witness.push((witness, candidate));
                    held.push(witness);
                }
                held.sort_by_key(|v| self.columns[v]);
                held.dedup();
                self.constraints.push(constraint!(sum(&held) >= 1));
            }
            self.row_groups
                .push((super::RowGroup::Pin(i), start..self.constraints.len()));
        }
    }
}
