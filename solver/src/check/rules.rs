//! Rules 1–9 of PROBLEM.md §3 (and the "free" preamble), one function per rule
//! family, each reporting with the rule, ids, date and session.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};

use super::resolve::{Placed, Resolved};
use super::{Findings, Rule};
use crate::calendar::{Slot, minutes_between};
use crate::instance::{BoardIx, Instance, RoomIx, RoomKind, SiteIx, SpecialistIx, StudioIx};
use crate::roster::{Activity, StudioRole};
use crate::text;
use crate::text::{Arg, Separator, Text};

struct Ctx<'a, 'r> {
    instance: &'a Instance,
    resolved: &'a Resolved<'r>,
    findings: &'a mut Findings,
}

impl Ctx<'_, '_> {
    fn add(&mut self, rule: Rule, slot: Slot, message: Text) {
        let session = self.instance.calendar.sessions()[slot.session].id.clone();
        self.findings
            .add(rule, Some(slot.date), Some(&session), message);
    }

    fn add_on(&mut self, rule: Rule, date: NaiveDate, message: Text) {
        self.findings.add(rule, Some(date), None, message);
    }

    fn who(&self, ix: SpecialistIx) -> &str {
        &self.instance.specialist(ix).id
    }

    fn room_id(&self, ix: RoomIx) -> &str {
        &self.instance.room(ix).id
    }

    fn site_id(&self, ix: SiteIx) -> &str {
        &self.instance.site(ix).id
    }
}

pub(super) fn check_rules(instance: &Instance, resolved: &Resolved<'_>, findings: &mut Findings) {
    let mut ctx = Ctx {
        instance,
        resolved,
        findings,
    };
    assignments_one_by_one(&mut ctx);
    one_thing_at_a_time(&mut ctx);
    studio_sessions(&mut ctx);
    mdt_meetings(&mut ctx);
    surgeries(&mut ctx);
    bookings(&mut ctx);
    presence_entries(&mut ctx);
    sites_per_day(&mut ctx);
    residencies(&mut ctx);
    load(&mut ctx);
}

/// Checks of a single assignment: free, site, room kind and place, discipline.
fn assignments_one_by_one(ctx: &mut Ctx<'_, '_>) {
    for placed in &ctx.resolved.assignments {
        let instance = ctx.instance;
        let raw = placed.raw;
        let who = instance.specialist(placed.who);
        let slot = placed.slot;
        let activity = text::activity(raw.activity.name());
        if !instance.calendar.is_open(slot.date) {
            ctx.add(
                Rule::Free,
                slot,
                text!(AssignmentOnClosedDate {
                    who: &who.id,
                    activity: &activity
                }),
            );
        } else if !who.is_available(slot.date, slot.session) {
            ctx.add(
                Rule::Free,
                slot,
                text!(AssignmentUnavailable {
                    who: &who.id,
                    activity: &activity
                }),
            );
        }
        if placed.raw.is_on_site() {
            match placed.site {
                None => ctx.add(
                    Rule::Format,
                    slot,
                    text!(OnSiteWithoutSite {
                        who: &who.id,
                        activity: &activity
                    }),
                ),
                Some(site) if !who.works_at(site) => ctx.add(
                    Rule::WhereTheyMayBe,
                    slot,
                    text!(SiteNotTheirs {
                        who: &who.id,
                        site: ctx.site_id(site)
                    }),
                ),
                Some(_) => {}
            }
        } else if placed.site.is_some() {
            ctx.add(
                Rule::Format,
                slot,
                text!(RemotePlaceNamesSite { who: &who.id }),
            );
        }
        if raw.activity != Activity::Mdt && raw.remote == Some(true) {
            ctx.add(
                Rule::Mdt,
                slot,
                text!(RemoteOutsideMdt {
                    who: &who.id,
                    activity: &activity
                }),
            );
        }
        if raw.activity != Activity::Mdt
            && let Some(board) = &raw.board
        {
            ctx.add(
                Rule::Format,
                slot,
                text!(FieldOutsideItsActivity {
                    who: &who.id,
                    activity: &activity,
                    field: "board",
                    value: board,
                    owner: text::activity("mdt"),
                }),
            );
        }
        if raw.activity != Activity::Studio {
            let role = raw.role.map(|r| match r {
                StudioRole::Lead => "lead",
                StudioRole::Apprentice => "apprentice",
            });
            for (field, value) in [("studio", raw.studio.as_deref()), ("role", role)] {
                if let Some(value) = value {
                    ctx.add(
                        Rule::Format,
                        slot,
                        text!(FieldOutsideItsActivity {
                            who: &who.id,
                            activity: &activity,
                            field: field,
                            value: value,
                            owner: text::activity("studio"),
                        }),
                    );
                }
            }
        }
        let rule = match raw.activity {
            Activity::Clinic => Rule::Clinic,
            Activity::Studio => Rule::Studio,
            Activity::Mdt => Rule::Mdt,
            Activity::Surgery => Rule::Surgery,
        };
        let wanted_kind = match raw.activity {
            Activity::Clinic | Activity::Studio => Some(RoomKind::Clinic),
            Activity::Mdt => Some(RoomKind::Meeting),
            Activity::Surgery => None,
        };
        if let Some(kind) = wanted_kind {
            match placed.room {
                None if raw.is_on_site() => ctx.add(
                    Rule::Format,
                    slot,
                    text!(AssignmentWithoutRoom {
                        who: &who.id,
                        activity: &activity
                    }),
                ),
                None => {}
                Some(room_ix) => {
                    let room = instance.room(room_ix);
                    if room.kind != kind {
                        ctx.add(
                            rule,
                            slot,
                            text!(RoomWrongKind {
                                room: &room.id,
                                kind: text::room_kind(room.kind.name()),
                                wanted: text::room_kind(kind.name()),
                            }),
                        );
                    }
                    if let Some(site) = placed.site
                        && room.site != site
                    {
                        ctx.add(
                            rule,
                            slot,
                            text!(RoomWrongSite {
                                room: &room.id,
                                site: ctx.site_id(room.site),
                                wanted: ctx.site_id(site),
                            }),
                        );
                    }
                    if room.unavailable.contains(slot.date, slot.session) {
                        ctx.add(
                            Rule::OneThingAtATime,
                            slot,
                            text!(RoomUnavailable { room: &room.id }),
                        );
                    }
                }
            }
        }
        match raw.activity {
            Activity::Clinic => match &raw.discipline {
                None => ctx.add(
                    Rule::Format,
                    slot,
                    text!(ClinicWithoutDiscipline { who: &who.id }),
                ),
                Some(discipline) if !who.has_discipline(discipline) => ctx.add(
                    Rule::Clinic,
                    slot,
                    text!(ClinicDisciplineNotHeld {
                        who: &who.id,
                        discipline: discipline
                    }),
                ),
                Some(_) => {}
            },
            Activity::Studio => {
                if placed.studio.is_none() || raw.role.is_none() {
                    ctx.add(
                        Rule::Format,
                        slot,
                        text!(StudioAssignmentIncomplete { who: &who.id }),
                    );
                }
            }
            Activity::Mdt => {
                if placed.board.is_none() || raw.discipline.is_none() {
                    ctx.add(
                        Rule::Format,
                        slot,
                        text!(MdtAssignmentIncomplete { who: &who.id }),
                    );
                }
            }
            Activity::Surgery => {}
        }
    }
}

/// What occupies a clinic or meeting room in a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Occupant {
    Clinic(SpecialistIx),
    Studio(StudioIx),
    Mdt(BoardIx),
}

/// Rule 1: a specialist does one thing per slot; a room hosts one activity per slot.
fn one_thing_at_a_time(ctx: &mut Ctx<'_, '_>) {
    let mut per_person: BTreeMap<(SpecialistIx, Slot), Vec<Text>> = BTreeMap::new();
    let mut per_room: BTreeMap<(RoomIx, Slot), BTreeSet<Occupant>> = BTreeMap::new();
    for placed in &ctx.resolved.assignments {
        per_person
            .entry((placed.who, placed.slot))
            .or_default()
            .push(text::activity(placed.raw.activity.name()));
        let occupant = match placed.raw.activity {
            Activity::Clinic => Some(Occupant::Clinic(placed.who)),
            Activity::Studio => placed.studio.map(Occupant::Studio),
            Activity::Mdt => placed.board.map(Occupant::Mdt),
            Activity::Surgery => None,
        };
        if let (Some(room), Some(occupant)) = (placed.room, occupant) {
            per_room
                .entry((room, placed.slot))
                .or_default()
                .insert(occupant);
        }
    }
    for ((who, slot), activities) in per_person {
        if activities.len() > 1 {
            let message = text!(PersonDoubleBooked {
                who: ctx.who(who),
                count: activities.len(),
                activities: Arg::list(activities, Separator::Comma),
            });
            ctx.add(Rule::OneThingAtATime, slot, message);
        }
    }
    for ((room, slot), occupants) in per_room {
        if occupants.len() > 1 {
            let names: Vec<Text> = occupants
                .iter()
                .map(|o| match o {
                    Occupant::Clinic(who) => text!(OccupantClinic { who: ctx.who(*who) }),
                    Occupant::Studio(studio) => text!(OccupantStudio {
                        studio: &ctx.instance.studios[studio.0].id
                    }),
                    Occupant::Mdt(board) => text!(OccupantMdt {
                        board: &ctx.instance.mdt_boards[board.0].id
                    }),
                })
                .collect();
            let message = text!(RoomDoubleBooked {
                room: ctx.room_id(room),
                count: occupants.len(),
                occupants: Arg::list(names, Separator::Comma),
            });
            ctx.add(Rule::OneThingAtATime, slot, message);
        }
    }
}

fn group_by<'p, 'r, K: Ord>(
    assignments: &'p [Placed<'r>],
    key: impl Fn(&Placed<'r>) -> Option<K>,
) -> BTreeMap<K, Vec<&'p Placed<'r>>> {
    let mut groups: BTreeMap<K, Vec<&Placed<'r>>> = BTreeMap::new();
    for placed in assignments {
        if let Some(k) = key(placed) {
            groups.entry(k).or_default().push(placed);
        }
    }
    groups
}

/// The one room of a group of entries, or a violation when they disagree or have none.
fn common_room(
    ctx: &mut Ctx<'_, '_>,
    rule: Rule,
    slot: Slot,
    what: &Text,
    entries: &[&Placed<'_>],
) -> Option<RoomIx> {
    let rooms: BTreeSet<RoomIx> = entries.iter().filter_map(|p| p.room).collect();
    match rooms.len() {
        0 => {
            ctx.add(rule, slot, text!(GroupWithoutRoom { what: what }));
            None
        }
        1 => rooms.into_iter().next(),
        _ => {
            let ids: Vec<&str> = rooms.iter().map(|r| ctx.room_id(*r)).collect();
            ctx.add(
                rule,
                slot,
                text!(GroupSpreadOverRooms {
                    what: what,
                    rooms: Arg::ids(ids, Separator::Comma),
                }),
            );
            None
        }
    }
}

/// Rule 6: lead, apprentices, site and room of each studio session.
fn studio_sessions(ctx: &mut Ctx<'_, '_>) {
    let groups = group_by(&ctx.resolved.assignments, |p| {
        (p.raw.activity == Activity::Studio)
            .then_some(p.studio.map(|s| (s, p.slot)))
            .flatten()
    });
    for ((studio_ix, slot), entries) in groups {
        let studio = &ctx.instance.studios[studio_ix.0];
        let what = text!(StudioSessionWhat { studio: &studio.id });
        let leads: Vec<&&Placed<'_>> = entries
            .iter()
            .filter(|p| p.raw.role == Some(StudioRole::Lead))
            .collect();
        match leads.as_slice() {
            [] => ctx.add(Rule::Studio, slot, text!(StudioNoLead { what: &what })),
            [lead] => {
                if lead.who != studio.lead {
                    let message = text!(StudioWrongLead {
                        what: &what,
                        who: ctx.who(lead.who),
                        lead: ctx.who(studio.lead),
                    });
                    ctx.add(Rule::Studio, slot, message);
                }
                if let Some(discipline) = &lead.raw.discipline
                    && *discipline != studio.discipline
                {
                    ctx.add(
                        Rule::Studio,
                        slot,
                        text!(StudioWrongDiscipline {
                            what: &what,
                            discipline: discipline,
                            wanted: &studio.discipline,
                        }),
                    );
                }
            }
            _ => ctx.add(
                Rule::Studio,
                slot,
                text!(StudioManyLeads {
                    what: &what,
                    count: leads.len()
                }),
            ),
        }
        let mut apprentices = 0;
        for entry in entries
            .iter()
            .filter(|p| p.raw.role == Some(StudioRole::Apprentice))
        {
            if studio.apprentices.contains(&entry.who) {
                apprentices += 1;
            } else {
                ctx.add(
                    Rule::Studio,
                    slot,
                    text!(NotAnApprentice {
                        who: ctx.who(entry.who),
                        studio: &studio.id
                    }),
                );
            }
        }
        if apprentices < studio.min_apprentices {
            let message = text!(StudioTooFewApprentices {
                what: &what,
                count: apprentices,
                min: studio.min_apprentices,
            });
            ctx.add(Rule::Studio, slot, message);
        }
        for entry in &entries {
            if let Some(site) = entry.site
                && site != studio.site
            {
                let message = text!(StudioWrongSite {
                    who: ctx.who(entry.who),
                    what: &what,
                    site: ctx.site_id(site),
                    wanted: ctx.site_id(studio.site),
                });
                ctx.add(Rule::Studio, slot, message);
            }
        }
        if let Some(room) = common_room(ctx, Rule::Studio, slot, &what, &entries)
            && !ctx.instance.room(room).has_tags(&studio.room_tags)
        {
            let message = text!(RoomLacksStudioTags {
                room: ctx.room_id(room),
                tags: Arg::ids(&studio.room_tags, Separator::Comma),
            });
            ctx.add(Rule::Studio, slot, message);
        }
    }
}

/// Rule 7: session, disciplines, participants, remote places and room of each meeting.
fn mdt_meetings(ctx: &mut Ctx<'_, '_>) {
    let groups = group_by(&ctx.resolved.assignments, |p| {
        (p.raw.activity == Activity::Mdt)
            .then_some(p.board.map(|b| (b, p.slot)))
            .flatten()
    });
    for ((board_ix, slot), entries) in groups {
        let board = &ctx.instance.mdt_boards[board_ix.0];
        let what = text!(MdtMeetingWhat { board: &board.id });
        if !board.sessions.contains(&slot.session) {
            ctx.add(Rule::Mdt, slot, text!(MdtSessionNotAllowed { what: &what }));
        }
        let mut filled: BTreeMap<&str, usize> = BTreeMap::new();
        for entry in &entries {
            let Some(discipline) = entry.raw.discipline.as_deref() else {
                continue;
            };
            *filled.entry(discipline).or_default() += 1;
            let name = ctx.who(entry.who).to_string();
            if !board.required.iter().any(|d| d == discipline) {
                ctx.add(
                    Rule::Mdt,
                    slot,
                    text!(MdtDisciplineNotRequired {
                        what: &what,
                        who: &name,
                        discipline: discipline,
                    }),
                );
            }
            if !ctx
                .instance
                .specialist(entry.who)
                .has_discipline(discipline)
            {
                ctx.add(
                    Rule::Mdt,
                    slot,
                    text!(MdtDisciplineNotHeld {
                        what: &what,
                        who: &name,
                        discipline: discipline,
                    }),
                );
            }
            if entry.raw.remote == Some(true) {
                if !board.allows_remote(discipline) {
                    ctx.add(
                        Rule::Mdt,
                        slot,
                        text!(MdtRemoteNotAllowed {
                            what: &what,
                            who: &name,
                            discipline: discipline,
                        }),
                    );
                }
            } else if let Some(site) = entry.site
                && site != board.site
            {
                let message = text!(MdtWrongSite {
                    what: &what,
                    who: &name,
                    site: ctx.site_id(site),
                    wanted: ctx.site_id(board.site),
                });
                ctx.add(Rule::Mdt, slot, message);
            }
        }
        for discipline in &board.required {
            match filled.get(discipline.as_str()).copied().unwrap_or(0) {
                0 => ctx.add(
                    Rule::Mdt,
                    slot,
                    text!(MdtMissingDiscipline {
                        what: &what,
                        discipline: discipline
                    }),
                ),
                1 => {}
                n => ctx.add(
                    Rule::Mdt,
                    slot,
                    text!(MdtDisciplineTwice {
                        what: &what,
                        count: n,
                        discipline: discipline,
                    }),
                ),
            }
        }
        if let Some(room_ix) = common_room(ctx, Rule::Mdt, slot, &what, &entries) {
            let room = ctx.instance.room(room_ix);
            if room.site != board.site {
                let message = text!(MdtRoomWrongSite {
                    what: &what,
                    room: &room.id,
                    site: ctx.site_id(room.site),
                });
                ctx.add(Rule::Mdt, slot, message);
            }
            if !room.has_tags(&board.room_tags) {
                ctx.add(
                    Rule::Mdt,
                    slot,
                    text!(RoomLacksBoardTags {
                        room: &room.id,
                        tags: Arg::ids(&board.room_tags, Separator::Comma),
                    }),
                );
            }
            if room.kind != RoomKind::Meeting {
                ctx.add(
                    Rule::Mdt,
                    slot,
                    text!(MdtNotMeetingRoom {
                        what: &what,
                        room: &room.id
                    }),
                );
            }
        }
    }
}

/// Rule 8 (and rule 1 for theatre minutes): each placement, surgeon load, theatre load.
fn surgeries(ctx: &mut Ctx<'_, '_>) {
    let instance = ctx.instance;
    let mut done: BTreeMap<usize, usize> = BTreeMap::new();
    let mut theatre_minutes: BTreeMap<(RoomIx, Slot), u32> = BTreeMap::new();
    let mut surgeon_minutes: BTreeMap<(SpecialistIx, Slot), u32> = BTreeMap::new();
    let surgery_assignments: BTreeMap<(SpecialistIx, Slot), Option<SiteIx>> = ctx
        .resolved
        .assignments
        .iter()
        .filter(|p| p.raw.activity == Activity::Surgery)
        .map(|p| ((p.who, p.slot), p.site))
        .collect();
    for op in &ctx.resolved.surgeries {
        let surgery = &instance.surgeries[op.surgery.0];
        let slot = op.slot;
        let session = &instance.calendar.sessions()[slot.session];
        let what = text!(SurgeryWhat {
            surgery: &surgery.id
        });
        let times = done.entry(op.surgery.0).or_default();
        *times += 1;
        if *times == 2 {
            ctx.add(Rule::Surgery, slot, text!(SurgeryTwice { what: &what }));
        }
        if !instance.calendar.is_open(slot.date) {
            ctx.add(Rule::Free, slot, text!(SurgeryOnClosedDate { what: &what }));
        }
        if slot.date < surgery.release {
            ctx.add(
                Rule::Surgery,
                slot,
                text!(SurgeryBeforeRelease {
                    what: &what,
                    release: surgery.release
                }),
            );
        }
        let room = instance.room(op.room);
        if room.kind != RoomKind::Theatre {
            ctx.add(
                Rule::Surgery,
                slot,
                text!(SurgeryNotInTheatre {
                    what: &what,
                    room: &room.id
                }),
            );
        }
        if !room.has_tags(&surgery.room_tags) {
            ctx.add(
                Rule::Surgery,
                slot,
                text!(TheatreLacksTags {
                    room: &room.id,
                    tags: Arg::ids(&surgery.room_tags, Separator::Comma),
                    what: &what,
                }),
            );
        }
        if let Some(site) = surgery.site
            && room.site != site
        {
            let message = text!(SurgeryWrongSite {
                what: &what,
                site: ctx.site_id(site),
                room: &room.id,
                room_site: ctx.site_id(room.site),
            });
            ctx.add(Rule::Surgery, slot, message);
        }
        if room.unavailable.contains(slot.date, slot.session) {
            ctx.add(
                Rule::OneThingAtATime,
                slot,
                text!(TheatreUnavailable { room: &room.id }),
            );
        }
        let surgeon = instance.specialist(op.surgeon);
        match surgery.surgeon {
            Some(named) if named != op.surgeon => {
                let message = text!(SurgeryWrongSurgeon {
                    what: &what,
                    who: &surgeon.id,
                    named: ctx.who(named),
                });
                ctx.add(Rule::Surgery, slot, message);
            }
            None if !surgeon.has_discipline(&surgery.discipline) => {
                let message = text!(SurgeonLacksDiscipline {
                    what: &what,
                    discipline: &surgery.discipline,
                    who: &surgeon.id,
                });
                ctx.add(Rule::Surgery, slot, message);
            }
            _ => {}
        }
        if surgeon.surgery_grade < surgery.grade {
            let message = text!(SurgeonGradeTooLow {
                what: &what,
                grade: surgery.grade,
                who: &surgeon.id,
                has: surgeon.surgery_grade,
            });
            ctx.add(Rule::Surgery, slot, message);
        }
        if surgery.minutes > session.minutes() {
            let message = text!(SurgeryTooLong {
                what: &what,
                minutes: surgery.minutes,
                session: Arg::session(&session.id),
                length: session.minutes(),
            });
            ctx.add(Rule::Surgery, slot, message);
        }
        match surgery_assignments.get(&(op.surgeon, slot)) {
            None => ctx.add(
                Rule::Surgery,
                slot,
                text!(SurgeonNotAssigned {
                    who: &surgeon.id,
                    what: &what
                }),
            ),
            Some(site) if *site != Some(room.site) => {
                let message = text!(SurgeonAtOtherSite {
                    who: &surgeon.id,
                    what: &what,
                    site: ctx.site_id(room.site),
                });
                ctx.add(Rule::Surgery, slot, message);
            }
            Some(_) => {}
        }
        if let Some(start) = op.start {
            let end_ok = minutes_between(start, session.end) >= surgery.minutes;
            if start < session.start || !end_ok {
                let message = text!(SurgeryOutsideSession {
                    what: &what,
                    start: start.format("%H:%M").to_string(),
                    minutes: surgery.minutes,
                    session: Arg::session(&session.id),
                    from: session.start.format("%H:%M").to_string(),
                    to: session.end.format("%H:%M").to_string(),
                });
                ctx.add(Rule::Surgery, slot, message);
            }
        }
        *theatre_minutes.entry((op.room, slot)).or_default() += surgery.minutes;
        *surgeon_minutes.entry((op.surgeon, slot)).or_default() += surgery.minutes;
    }
    for ((room_ix, slot), minutes) in theatre_minutes {
        let room = instance.room(room_ix);
        let capacity = room.capacity_in(instance.calendar.sessions()[slot.session].minutes());
        if minutes > capacity {
            ctx.add(
                Rule::OneThingAtATime,
                slot,
                text!(TheatreOverfull {
                    room: &room.id,
                    minutes: minutes,
                    capacity: capacity,
                }),
            );
        }
    }
    for ((who, slot), minutes) in &surgeon_minutes {
        let length = instance.calendar.sessions()[slot.session].minutes();
        if *minutes > length {
            ctx.add(
                Rule::Surgery,
                *slot,
                text!(SurgeonOverbooked {
                    who: ctx.who(*who),
                    minutes: *minutes,
                    length: length,
                }),
            );
        }
    }
    for (who, slot) in surgery_assignments.keys() {
        if !surgeon_minutes.contains_key(&(*who, *slot)) {
            ctx.add(
                Rule::Surgery,
                *slot,
                text!(SurgeryAssignmentEmpty { who: ctx.who(*who) }),
            );
        }
    }
}

/// Rule 9: each booking sits in a session its request accepts, within capacity.
fn bookings(ctx: &mut Ctx<'_, '_>) {
    let instance = ctx.instance;
    // The clinic or studio-lead sessions, with their site and discipline.
    let mut sessions: BTreeMap<(SpecialistIx, Slot), (Option<SiteIx>, Option<String>)> =
        BTreeMap::new();
    for placed in &ctx.resolved.assignments {
        let discipline = match placed.raw.activity {
            Activity::Clinic => placed.raw.discipline.clone(),
            Activity::Studio if placed.raw.role == Some(StudioRole::Lead) => placed
                .studio
                .map(|s| instance.studios[s.0].discipline.clone()),
            _ => continue,
        };
        sessions.insert((placed.who, placed.slot), (placed.site, discipline));
    }
    let mut seen_requests = BTreeSet::new();
    let mut load: BTreeMap<(SpecialistIx, Slot), u32> = BTreeMap::new();
    for booked in &ctx.resolved.bookings {
        let request = &instance.requests[booked.request.0];
        let slot = booked.slot;
        let who = instance.specialist(booked.who);
        let what = text!(RequestWhat {
            request: &request.id
        });
        if !seen_requests.insert(booked.request) {
            ctx.add(Rule::Booking, slot, text!(BookedTwice { what: &what }));
        }
        *load.entry((booked.who, slot)).or_default() += 1;
        match sessions.get(&(booked.who, slot)) {
            None => ctx.add(
                Rule::Booking,
                slot,
                text!(BookedWithoutSession {
                    what: &what,
                    who: &who.id
                }),
            ),
            Some((site, discipline)) => {
                if *site != Some(booked.site) {
                    ctx.add(
                        Rule::Booking,
                        slot,
                        text!(BookedElsewhere {
                            what: &what,
                            site: ctx.site_id(booked.site)
                        }),
                    );
                }
                let is_named = request.specialist == Some(booked.who);
                if !is_named {
                    if request.specialist.is_some() && !request.substitute_ok {
                        let named = ctx
                            .who(request.specialist.unwrap_or(booked.who))
                            .to_string();
                        ctx.add(
                            Rule::Booking,
                            slot,
                            text!(BookedSubstituteRefused {
                                what: &what,
                                named: &named,
                                who: &who.id,
                            }),
                        );
                    } else if discipline.as_deref() != Some(request.discipline.as_str()) {
                        let held = match discipline.as_deref() {
                            Some(held) => Arg::from(held),
                            None => Arg::from(text!(NoDiscipline)),
                        };
                        ctx.add(
                            Rule::Booking,
                            slot,
                            text!(BookedWrongDiscipline {
                                what: &what,
                                discipline: &request.discipline,
                                who: &who.id,
                                held: held,
                            }),
                        );
                    }
                }
            }
        }
        if !request.allows_site(booked.site) {
            ctx.add(
                Rule::Booking,
                slot,
                text!(BookedSiteNotAllowed {
                    what: &what,
                    site: ctx.site_id(booked.site)
                }),
            );
        }
        if slot.date < request.earliest || slot.date > request.latest {
            let message = text!(RequestWindowOutside {
                what: &what,
                date: slot.date,
                earliest: request.earliest,
                latest: request.latest,
            });
            ctx.add(Rule::Booking, slot, message);
        }
        let substitute = request.specialist.is_some_and(|named| named != booked.who);
        if booked.raw.substitute != substitute {
            ctx.add(
                Rule::Booking,
                slot,
                text!(SubstituteFlagWrong {
                    what: &what,
                    has: booked.raw.substitute.to_string(),
                    should: substitute.to_string(),
                }),
            );
        }
    }
    for ((who, slot), count) in load {
        let capacity = instance.specialist(who).clinic_capacity;
        if count > capacity {
            ctx.add(
                Rule::Booking,
                slot,
                text!(SessionOverbooked {
                    who: ctx.who(who),
                    count: count,
                    capacity: capacity,
                }),
            );
        }
    }
}

/// Rule 4 (and 2) for presence entries, and the presence every on-site activity of a
/// visiting specialist needs.
fn presence_entries(ctx: &mut Ctx<'_, '_>) {
    let instance = ctx.instance;
    let mut seen = BTreeSet::new();
    for entry in &ctx.resolved.presence {
        let who = instance.specialist(entry.who);
        let date = entry.raw.date;
        if !seen.insert((entry.who, date, entry.site)) {
            ctx.add_on(
                Rule::Format,
                date,
                text!(PresenceTwice {
                    who: &who.id,
                    site: ctx.site_id(entry.site)
                }),
            );
        }
        if !who.visiting {
            ctx.add_on(
                Rule::Presence,
                date,
                text!(PresenceNotVisiting { who: &who.id }),
            );
        }
        if !instance.calendar.is_open(date) {
            ctx.add_on(
                Rule::Presence,
                date,
                text!(PresenceOnClosedDate { who: &who.id }),
            );
        } else if !instance.can_be_on_site(entry.who, date) {
            ctx.add_on(
                Rule::Presence,
                date,
                text!(PresenceUnavailable { who: &who.id }),
            );
        }
        if !who.works_at(entry.site) {
            ctx.add_on(
                Rule::WhereTheyMayBe,
                date,
                text!(PresenceSiteNotTheirs {
                    who: &who.id,
                    site: ctx.site_id(entry.site)
                }),
            );
        }
    }
    for placed in &ctx.resolved.assignments {
        let who = instance.specialist(placed.who);
        let Some(site) = placed
            .site
            .filter(|_| who.visiting && placed.raw.is_on_site())
        else {
            continue;
        };
        if !seen.contains(&(placed.who, placed.slot.date, site)) {
            let message = text!(WorkWithoutPresence {
                who: &who.id,
                site: ctx.site_id(site)
            });
            ctx.add(Rule::Presence, placed.slot, message);
        }
    }
}

/// Sites each specialist is at on each date (presence and on-site activities).
fn sites_by_day(resolved: &Resolved<'_>) -> BTreeMap<(SpecialistIx, NaiveDate), BTreeSet<SiteIx>> {
    let mut days: BTreeMap<(SpecialistIx, NaiveDate), BTreeSet<SiteIx>> = BTreeMap::new();
    for entry in &resolved.presence {
        days.entry((entry.who, entry.raw.date))
            .or_default()
            .insert(entry.site);
    }
    for placed in &resolved.assignments {
        if let Some(site) = placed.site.filter(|_| placed.raw.is_on_site()) {
            days.entry((placed.who, placed.slot.date))
                .or_default()
                .insert(site);
        }
    }
    days
}

/// Rule 2: one site a day, or two with a travel entry and time to travel.
fn sites_per_day(ctx: &mut Ctx<'_, '_>) {
    let instance = ctx.instance;
    for ((who, date), sites) in sites_by_day(ctx.resolved) {
        let name = ctx.who(who).to_string();
        let ids: Vec<&str> = sites.iter().map(|s| ctx.site_id(*s)).collect();
        if sites.len() > 2 {
            ctx.add_on(
                Rule::WhereTheyMayBe,
                date,
                text!(TooManySites {
                    who: &name,
                    count: sites.len(),
                    sites: Arg::ids(&ids, Separator::Comma),
                }),
            );
            continue;
        }
        if sites.len() == 2 {
            let pair: Vec<SiteIx> = sites.iter().copied().collect();
            if instance.travel_minutes(pair[0], pair[1]).is_none() {
                let message = text!(NoTravelEntry {
                    who: &name,
                    first: ids[0],
                    second: ids[1],
                });
                ctx.add_on(Rule::WhereTheyMayBe, date, message);
                continue;
            }
        }
        let mut day: Vec<(usize, SiteIx)> = ctx
            .resolved
            .assignments
            .iter()
            .filter(|p| p.who == who && p.slot.date == date && p.raw.is_on_site())
            .filter_map(|p| p.site.map(|site| (p.slot.session, site)))
            .collect();
        day.sort();
        for pair in day.windows(2) {
            let ((early, from), (late, to)) = (pair[0], pair[1]);
            if from == to {
                continue;
            }
            let Some(travel) = instance.travel_minutes(from, to) else {
                continue;
            };
            let sessions = instance.calendar.sessions();
            let gap = minutes_between(sessions[early].end, sessions[late].start);
            if gap < travel {
                let message = text!(TravelTooShort {
                    who: &name,
                    from: ctx.site_id(from),
                    early: Arg::session(&sessions[early].id),
                    to: ctx.site_id(to),
                    late: Arg::session(&sessions[late].id),
                    gap: gap,
                    travel: travel,
                });
                ctx.add_on(Rule::WhereTheyMayBe, date, message);
            }
        }
    }
}

/// Rule 4: residencies place their specialist on exactly the right dates, and nowhere else.
fn residencies(ctx: &mut Ctx<'_, '_>) {
    let instance = ctx.instance;
    let calendar = &instance.calendar;
    let days = sites_by_day(ctx.resolved);
    let open = calendar.open_dates();
    for residency in &instance.residencies {
        let name = ctx.who(residency.specialist).to_string();
        let site = ctx.site_id(residency.site).to_string();
        let what = text!(ResidencyWhat {
            who: &name,
            site: &site
        });
        let mut weekday_sets: Vec<(u32, BTreeSet<u32>)> = Vec::new();
        for &week in &residency.weeks {
            let dates: Vec<NaiveDate> = calendar
                .week_dates(week)
                .filter(|date| {
                    days.get(&(residency.specialist, *date))
                        .is_some_and(|s| s.contains(&residency.site))
                })
                .collect();
            let weekdays: BTreeSet<u32> = dates
                .iter()
                .map(|d| d.weekday().num_days_from_monday())
                .collect();
            if dates.len() != residency.days_per_week as usize {
                let message = text!(ResidencyWrongDayCount {
                    what: &what,
                    count: dates.len(),
                    week: week,
                    needed: residency.days_per_week,
                });
                ctx.findings.add(
                    Rule::Presence,
                    calendar.week_dates(week).next(),
                    None,
                    message,
                );
            }
            if let Some(fixed) = &residency.days {
                let wanted: BTreeSet<u32> =
                    fixed.iter().map(|d| d.num_days_from_monday()).collect();
                if weekdays != wanted {
                    let names = |set: &BTreeSet<u32>| {
                        Arg::List(
                            set.iter()
                                .map(|d| Arg::Weekday {
                                    day: crate::calendar::WEEKDAYS[*d as usize],
                                    file_style: true,
                                })
                                .collect(),
                            Separator::Comma,
                        )
                    };
                    let message = text!(ResidencyWrongWeekdays {
                        what: &what,
                        days: names(&weekdays),
                        week: week,
                        fixed: names(&wanted),
                    });
                    ctx.findings.add(
                        Rule::Presence,
                        calendar.week_dates(week).next(),
                        None,
                        message,
                    );
                }
            } else if residency.consecutive && dates.len() > 1 {
                let positions: Vec<Option<usize>> = dates
                    .iter()
                    .map(|d| open.iter().position(|o| o == d))
                    .collect();
                let consecutive = positions
                    .windows(2)
                    .all(|w| matches!((w[0], w[1]), (Some(a), Some(b)) if b == a + 1));
                if !consecutive {
                    ctx.findings.add(
                        Rule::Presence,
                        dates.first().copied(),
                        None,
                        text!(ResidencyNotConsecutive {
                            what: &what,
                            dates: Arg::list(dates.iter().copied(), Separator::Comma),
                            week: week,
                        }),
                    );
                }
            }
            weekday_sets.push((week, weekdays));
            for date in dates {
                if let Some(sites) = days.get(&(residency.specialist, date))
                    && sites.len() > 1
                {
                    ctx.add_on(
                        Rule::Presence,
                        date,
                        text!(ResidencyDayElsewhere {
                            what: &what,
                            who: &name,
                            site: &site,
                        }),
                    );
                }
            }
        }
        if residency.days.is_none()
            && residency.same_days_every_week
            && let Some((first_week, first)) = weekday_sets.first()
        {
            for (week, set) in &weekday_sets[1..] {
                if set != first {
                    let message = text!(ResidencyWeekdaysDiffer {
                        what: &what,
                        week: *week,
                        first: *first_week,
                    });
                    ctx.findings.add(
                        Rule::Presence,
                        calendar.week_dates(*week).next(),
                        None,
                        message,
                    );
                }
            }
        }
    }
}

/// Rule 3: sessions per day and per week.
fn load(ctx: &mut Ctx<'_, '_>) {
    let instance = ctx.instance;
    let mut per_day: BTreeMap<(SpecialistIx, NaiveDate), BTreeSet<usize>> = BTreeMap::new();
    for placed in &ctx.resolved.assignments {
        per_day
            .entry((placed.who, placed.slot.date))
            .or_default()
            .insert(placed.slot.session);
    }
    let mut per_week: BTreeMap<(SpecialistIx, u32), usize> = BTreeMap::new();
    for ((who, date), sessions) in &per_day {
        let person = instance.specialist(*who);
        if let Some(max) = person.max_sessions_per_day
            && sessions.len() > max as usize
        {
            ctx.add_on(
                Rule::Load,
                *date,
                text!(TooManySessionsInDay {
                    who: &person.id,
                    count: sessions.len(),
                    max: max,
                }),
            );
        }
        if let Some(week) = instance.calendar.week_of(*date) {
            *per_week.entry((*who, week)).or_default() += sessions.len();
        }
    }
    for ((who, week), count) in per_week {
        let person = instance.specialist(who);
        if let Some(max) = person.max_sessions_per_week
            && count > max as usize
        {
            let message = text!(TooManySessionsInWeek {
                who: &person.id,
                count: count,
                week: week,
                max: max,
            });
            ctx.findings.add(
                Rule::Load,
                instance.calendar.week_dates(week).next(),
                None,
                message,
            );
        }
    }
}
