//! Applying `move`, `swap`, `add` and `remove` to the draft's entries, with what hangs
//! on each entry (bookings, a studio session's apprentices, a surgeon's surgeries).
//!
//! A move or swap is first planned on the draft as it stands — every entry it touches,
//! with its new value — and then written, so that the two halves of a swap never see
//! each other's effect (a swap of one specialist's two slots moves each slot's bookings
//! exactly once).

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveTime};

use super::{EditError, EntryRef, Target};
use crate::calendar::{minutes_between, parse_time};
use crate::diagnostics::did_you_mean;
use crate::instance::{Instance, RoomIx};
use crate::roster::{Activity, Assignment, Booking, Roster, StudioRole, SurgeryPlacement};

/// Where an entry goes: every field resolved.
struct Dest {
    date: NaiveDate,
    session: String,
    specialist: String,
    /// The new room and its site, when the room changes.
    room: Option<(String, String)>,
}

/// Every entry a move touches, with its new value.
#[derive(Default)]
struct Plan {
    assignments: Vec<(usize, Assignment)>,
    bookings: Vec<(usize, Booking)>,
    surgeries: Vec<(usize, SurgeryPlacement)>,
}

impl Plan {
    fn write(self, draft: &mut Roster) {
        for (i, entry) in self.assignments {
            draft.assignments[i] = entry;
        }
        for (i, entry) in self.bookings {
            draft.bookings[i] = entry;
        }
        for (i, entry) in self.surgeries {
            draft.surgeries[i] = entry;
        }
    }
}

/// The position of the one assignments entry `entry` names.
pub(super) fn find(
    draft: &Roster,
    edit: usize,
    field: &str,
    entry: &EntryRef,
) -> Result<usize, EditError> {
    let mut found = draft.assignments.iter().enumerate().filter(|(_, a)| {
        a.specialist == entry.specialist
            && a.date == entry.date
            && a.session == entry.session
            && entry.activity.is_none_or(|wanted| wanted == a.activity)
    });
    let first = found.next().map(|(i, _)| i);
    let more = found.count();
    match first {
        None => Err(EditError::UnknownEntry {
            edit,
            field: field.to_string(),
            specialist: entry.specialist.clone(),
            date: entry.date,
            session: entry.session.clone(),
            activity: entry.activity.map(|a| a.name().to_string()),
        }),
        Some(_) if more > 0 => Err(EditError::AmbiguousEntry {
            edit,
            field: field.to_string(),
            specialist: entry.specialist.clone(),
            date: entry.date,
            session: entry.session.clone(),
            count: more + 1,
        }),
        Some(i) => Ok(i),
    }
}

/// Checks the ids and the date of `to`; the room's id comes back resolved.
fn check_target(
    instance: &Instance,
    edit: usize,
    to: &Target,
) -> Result<Option<RoomIx>, EditError> {
    if let Some(date) = to.date {
        check_date(instance, edit, "to.date", date)?;
    }
    if let Some(session) = &to.session {
        check_session(instance, edit, "to.session", session)?;
    }
    if let Some(specialist) = &to.specialist {
        check_specialist(instance, edit, "to.specialist", specialist)?;
    }
    to.room
        .as_deref()
        .map(|room| check_room(instance, edit, "to.room", room))
        .transpose()
}

/// `move`: the entry to `to`'s date, session, room and specialist (absent fields stay).
pub(super) fn move_entry(
    instance: &Instance,
    draft: &mut Roster,
    edit: usize,
    entry: &EntryRef,
    to: &Target,
) -> Result<(), EditError> {
    let at = find(draft, edit, "entry", entry)?;
    let room = check_target(instance, edit, to)?;
    let old = &draft.assignments[at];
    let dest = Dest {
        date: to.date.unwrap_or(old.date),
        session: to.session.clone().unwrap_or_else(|| old.session.clone()),
        specialist: to
            .specialist
            .clone()
            .unwrap_or_else(|| old.specialist.clone()),
        room: room.map(|r| room_and_site(instance, r)),
    };
    plan_move(instance, draft, at, &dest).write(draft);
    Ok(())
}

/// `swap`: each entry takes the other's date and session, and its room when both
/// entries have a room of the same kind (a theatre for a surgery entry: the one
/// theatre of its surgeries in that slot); each keeps its specialist.
pub(super) fn swap(
    instance: &Instance,
    draft: &mut Roster,
    edit: usize,
    a: &EntryRef,
    b: &EntryRef,
) -> Result<(), EditError> {
    let ia = find(draft, edit, "a", a)?;
    let ib = find(draft, edit, "b", b)?;
    if ia == ib {
        return Ok(());
    }
    let (room_a, room_b) = (
        slot_room(instance, draft, ia),
        slot_room(instance, draft, ib),
    );
    let same_kind = matches!((room_a, room_b), (Some(x), Some(y))
        if instance.room(x).kind == instance.room(y).kind);
    let dest = |from: usize, into: usize, room: Option<RoomIx>| {
        let (mover, other) = (&draft.assignments[from], &draft.assignments[into]);
        Dest {
            date: other.date,
            session: other.session.clone(),
            specialist: mover.specialist.clone(),
            room: room
                .filter(|_| same_kind)
                .map(|r| room_and_site(instance, r)),
        }
    };
    let (dest_a, dest_b) = (dest(ia, ib, room_b), dest(ib, ia, room_a));
    let plan_a = plan_move(instance, draft, ia, &dest_a);
    let plan_b = plan_move(instance, draft, ib, &dest_b);
    plan_a.write(draft);
    plan_b.write(draft);
    Ok(())
}

/// `add`: the entry as given, its ids checked; an on-site entry naming a room but no
/// site gets the room's site.
pub(super) fn add(
    instance: &Instance,
    draft: &mut Roster,
    edit: usize,
    assignment: &Assignment,
) -> Result<(), EditError> {
    let a = assignment;
    check_specialist(instance, edit, "assignment.specialist", &a.specialist)?;
    check_date(instance, edit, "assignment.date", a.date)?;
    check_session(instance, edit, "assignment.session", &a.session)?;
    if let Some(site) = &a.site {
        check_id(
            edit,
            "assignment.site",
            "site",
            site,
            instance.site_ix(site).is_some(),
            instance.sites.iter().map(|s| s.id.as_str()),
        )?;
    }
    let room = a
        .room
        .as_deref()
        .map(|room| check_room(instance, edit, "assignment.room", room))
        .transpose()?;
    if let Some(studio) = &a.studio {
        check_id(
            edit,
            "assignment.studio",
            "studio",
            studio,
            instance.studio_ix(studio).is_some(),
            instance.studios.iter().map(|s| s.id.as_str()),
        )?;
    }
    if let Some(board) = &a.board {
        check_id(
            edit,
            "assignment.board",
            "MDT board",
            board,
            instance.board_ix(board).is_some(),
            instance.mdt_boards.iter().map(|b| b.id.as_str()),
        )?;
    }
    let mut entry = a.clone();
    if entry.site.is_none()
        && entry.is_on_site()
        && let Some(room) = room
    {
        entry.site = Some(instance.site(instance.room(room).site).id.clone());
    }
    draft.assignments.push(entry);
    Ok(())
}

/// `remove`: the entry and what hangs on it — a clinic's or studio lead's bookings, a
/// studio session's apprentices (the session is gone), a surgeon's surgeries in that
/// slot (they become unscheduled). An MDT seat goes alone.
pub(super) fn remove(draft: &mut Roster, edit: usize, entry: &EntryRef) -> Result<(), EditError> {
    let at = find(draft, edit, "entry", entry)?;
    let old = &draft.assignments[at];
    let mut assignments = BTreeSet::from([at]);
    assignments.extend(apprentices(draft, at));
    let bookings: BTreeSet<usize> = booked(draft, at).collect();
    let surgeries: BTreeSet<usize> = if old.activity == Activity::Surgery {
        operations(draft, at).collect()
    } else {
        BTreeSet::new()
    };
    retain_except(&mut draft.assignments, &assignments);
    retain_except(&mut draft.bookings, &bookings);
    retain_except(&mut draft.surgeries, &surgeries);
    Ok(())
}

fn retain_except<T>(list: &mut Vec<T>, gone: &BTreeSet<usize>) {
    let mut i = 0;
    list.retain(|_| {
        let keep = !gone.contains(&i);
        i += 1;
        keep
    });
}

/// The entries a move of `draft.assignments[at]` to `dest` rewrites.
fn plan_move(instance: &Instance, draft: &Roster, at: usize, dest: &Dest) -> Plan {
    let old = &draft.assignments[at];
    let mut plan = Plan::default();
    let mut moved = old.clone();
    moved.date = dest.date;
    moved.session = dest.session.clone();
    moved.specialist = dest.specialist.clone();
    if let Some((room, site)) = &dest.room {
        match old.activity {
            Activity::Clinic | Activity::Studio => {
                moved.room = Some(room.clone());
                moved.site = Some(site.clone());
            }
            Activity::Mdt => {
                moved.room = Some(room.clone());
                if old.is_on_site() {
                    moved.site = Some(site.clone());
                }
            }
            // The theatre goes to the surgeries; the surgeon is at its site.
            Activity::Surgery => moved.site = Some(site.clone()),
        }
    }
    for i in booked(draft, at) {
        let booking = &draft.bookings[i];
        let substitute = instance
            .request_ix(&booking.request)
            .map(|r| {
                instance.requests[r.0]
                    .specialist
                    .is_some_and(|named| instance.specialist(named).id != moved.specialist)
            })
            .unwrap_or(booking.substitute);
        plan.bookings.push((
            i,
            Booking {
                specialist: moved.specialist.clone(),
                date: moved.date,
                session: moved.session.clone(),
                site: moved.site.clone().unwrap_or_else(|| booking.site.clone()),
                substitute,
                ..booking.clone()
            },
        ));
    }
    for i in apprentices(draft, at) {
        let apprentice = &draft.assignments[i];
        plan.assignments.push((
            i,
            Assignment {
                date: moved.date,
                session: moved.session.clone(),
                room: moved.room.clone(),
                site: moved.site.clone(),
                ..apprentice.clone()
            },
        ));
    }
    if old.activity == Activity::Surgery {
        for i in operations(draft, at) {
            let placed = &draft.surgeries[i];
            plan.surgeries.push((
                i,
                SurgeryPlacement {
                    date: moved.date,
                    session: moved.session.clone(),
                    surgeon: moved.specialist.clone(),
                    room: dest
                        .room
                        .as_ref()
                        .map(|(room, _)| room.clone())
                        .unwrap_or_else(|| placed.room.clone()),
                    start: shifted_start(instance, placed, &old.session, &moved.session),
                    ..placed.clone()
                },
            ));
        }
    }
    plan.assignments.insert(0, (at, moved));
    plan
}

/// The bookings into `draft.assignments[at]`, when it is a clinic or a studio lead.
fn booked(draft: &Roster, at: usize) -> impl Iterator<Item = usize> + '_ {
    let a = &draft.assignments[at];
    let holds = a.activity == Activity::Clinic
        || (a.activity == Activity::Studio && a.role == Some(StudioRole::Lead));
    draft
        .bookings
        .iter()
        .enumerate()
        .filter(move |(_, b)| {
            holds && b.specialist == a.specialist && b.date == a.date && b.session == a.session
        })
        .map(|(i, _)| i)
}

/// The apprentices of the studio session `draft.assignments[at]` leads.
fn apprentices(draft: &Roster, at: usize) -> impl Iterator<Item = usize> + '_ {
    let lead = &draft.assignments[at];
    let leads = lead.activity == Activity::Studio
        && lead.role == Some(StudioRole::Lead)
        && lead.studio.is_some();
    draft
        .assignments
        .iter()
        .enumerate()
        .filter(move |(i, a)| {
            leads
                && *i != at
                && a.activity == Activity::Studio
                && a.role == Some(StudioRole::Apprentice)
                && a.studio == lead.studio
                && a.date == lead.date
                && a.session == lead.session
        })
        .map(|(i, _)| i)
}

/// The surgeries of the surgeon of `draft.assignments[at]` in its slot.
fn operations(draft: &Roster, at: usize) -> impl Iterator<Item = usize> + '_ {
    let a = &draft.assignments[at];
    draft
        .surgeries
        .iter()
        .enumerate()
        .filter(move |(_, s)| {
            s.surgeon == a.specialist && s.date == a.date && s.session == a.session
        })
        .map(|(i, _)| i)
}

/// The room an entry occupies in its slot: its own, or for a surgery entry the one
/// theatre of its surgeries there (none when they use several).
fn slot_room(instance: &Instance, draft: &Roster, at: usize) -> Option<RoomIx> {
    let a = &draft.assignments[at];
    if a.activity != Activity::Surgery {
        return a.room.as_deref().and_then(|r| instance.room_ix(r));
    }
    let theatres: BTreeSet<&str> = operations(draft, at)
        .map(|i| draft.surgeries[i].room.as_str())
        .collect();
    match theatres.len() {
        1 => theatres
            .into_iter()
            .next()
            .and_then(|r| instance.room_ix(r)),
        _ => None,
    }
}

/// A surgery's start in its new session, at the same offset from the session's start
/// (unchanged when the session or the time cannot be read).
fn shifted_start(
    instance: &Instance,
    placed: &SurgeryPlacement,
    from: &str,
    to: &str,
) -> Option<String> {
    let start = placed.start.as_deref()?;
    let calendar = &instance.calendar;
    let shifted = (|| {
        let time = parse_time(start)?;
        let old = &calendar.sessions()[calendar.session_index(from)?];
        let new = &calendar.sessions()[calendar.session_index(to)?];
        if time < old.start {
            return None;
        }
        let offset = i64::from(minutes_between(old.start, time));
        let (moved, wrapped) = new
            .start
            .overflowing_add_signed(chrono::Duration::minutes(offset));
        (wrapped == 0).then_some(moved)
    })();
    Some(
        shifted
            .map(|t: NaiveTime| t.format("%H:%M").to_string())
            .unwrap_or_else(|| start.to_string()),
    )
}

fn room_and_site(instance: &Instance, room: RoomIx) -> (String, String) {
    let room = instance.room(room);
    (room.id.clone(), instance.site(room.site).id.clone())
}

fn check_id<'a>(
    edit: usize,
    field: &str,
    what: &str,
    id: &str,
    known: bool,
    ids: impl IntoIterator<Item = &'a str>,
) -> Result<(), EditError> {
    if known {
        return Ok(());
    }
    Err(EditError::UnknownId {
        edit,
        field: field.to_string(),
        what: what.to_string(),
        id: id.to_string(),
        hint: did_you_mean(id, ids),
    })
}

fn check_specialist(
    instance: &Instance,
    edit: usize,
    field: &str,
    id: &str,
) -> Result<(), EditError> {
    check_id(
        edit,
        field,
        "specialist",
        id,
        instance.specialist_ix(id).is_some(),
        instance.specialists.iter().map(|s| s.id.as_str()),
    )
}

fn check_session(instance: &Instance, edit: usize, field: &str, id: &str) -> Result<(), EditError> {
    let calendar = &instance.calendar;
    check_id(
        edit,
        field,
        "session",
        id,
        calendar.session_index(id).is_some(),
        calendar.sessions().iter().map(|s| s.id.as_str()),
    )
}

fn check_room(
    instance: &Instance,
    edit: usize,
    field: &str,
    id: &str,
) -> Result<RoomIx, EditError> {
    match instance.room_ix(id) {
        Some(room) => Ok(room),
        None => Err(EditError::UnknownId {
            edit,
            field: field.to_string(),
            what: "room".to_string(),
            id: id.to_string(),
            hint: did_you_mean(id, instance.rooms.iter().map(|r| r.id.as_str())),
        }),
    }
}

fn check_date(
    instance: &Instance,
    edit: usize,
    field: &str,
    date: NaiveDate,
) -> Result<(), EditError> {
    let calendar = &instance.calendar;
    if calendar.contains(date) {
        return Ok(());
    }
    Err(EditError::OutsideHorizon {
        edit,
        field: field.to_string(),
        date,
        start: calendar.start(),
        end: calendar.end(),
    })
}
