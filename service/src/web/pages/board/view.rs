//! The board's view model: a roster laid out for one site-week (rooms × slots, one
//! chip per assignment, grouped by clinic, studio session, MDT meeting and theatre
//! list) or for people (specialists × slots, with travel days and idle on-site
//! sessions), and where each chip may be dragged to. Everything here reads the
//! instance and the roster; nothing decides a scheduling question.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use houniao::Instance;
use houniao::instance::{RoomKind, SiteIx, SpecialistIx};
use houniao::pins::Pattern;
use houniao::roster::{Activity, Assignment, Roster, StudioRole};

use crate::web::i18n::Tr;

/// One column of the grid: an open date and a session of the week.
pub struct Column {
    /// Position in the week's columns (the cells' `data-slot`).
    pub slot: usize,
    /// ISO date.
    pub date: String,
    /// Session id.
    pub session: String,
    /// The date as users write it.
    pub date_label: String,
    /// The session's name.
    pub session_label: String,
    /// The first session of its date (a thicker rule).
    pub first_of_day: bool,
}

/// A draggable, pinnable assignment entry.
pub struct Chip {
    /// `clinic`, `studio`, `mdt`, `surgery` (CSS class, colour).
    pub kind: &'static str,
    /// Who.
    pub name: String,
    /// A short line under the name (discipline, role, remote flag).
    pub detail: String,
    /// The MDT seat joins by video.
    pub remote: bool,
    /// The entry: specialist id.
    pub specialist: String,
    /// The entry: ISO date.
    pub date: String,
    /// The entry: session id.
    pub session: String,
    /// The entry: activity.
    pub activity: &'static str,
    /// The id of a pin that this entry meets, if any (the chip is pinned).
    pub pin: Option<String>,
    /// The slots (column positions) it may move to, space separated.
    pub slots: String,
    /// The rows (room positions, or its own specialist row) it may move to.
    pub rows: String,
}

/// What a cell shows: a clinic session, studio session, MDT meeting or theatre list.
pub struct Group {
    /// `clinic`, `studio`, `mdt`, `surgery`.
    pub kind: &'static str,
    /// Its heading (discipline, studio, board, theatre list).
    pub title: String,
    /// Lines under the heading (bookings, surgeries with start times).
    pub lines: Vec<String>,
    /// The entries.
    pub chips: Vec<Chip>,
}

/// One cell of a grid.
pub struct Cell {
    /// Column position.
    pub slot: usize,
    /// Row position.
    pub row: usize,
    /// What happens there.
    pub groups: Vec<Group>,
    /// Notes on the cell (idle on site, away, travel).
    pub notes: Vec<String>,
    /// The person is not available (or the room unusable) in this slot.
    pub closed: bool,
}

/// One row of a grid: a room, or a specialist.
pub struct Row {
    /// Its label.
    pub label: String,
    /// A second line (room kind and tags, home institution).
    pub detail: String,
    /// The room's id (site grid): a drop here moves into it.
    pub room: Option<String>,
    /// Its cells, one per column.
    pub cells: Vec<Cell>,
}

/// A grid of one week.
pub struct Grid {
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows.
    pub rows: Vec<Row>,
}

/// Which layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Rooms × slots of one site.
    Site,
    /// Specialists × slots.
    Specialist,
}

/// What the board shows: the layout, the site (for the site layout, and to pick people
/// in the specialist layout), one specialist, the week.
pub struct Focus {
    /// The layout.
    pub layout: Layout,
    /// The site.
    pub site: Option<SiteIx>,
    /// One specialist.
    pub specialist: Option<SpecialistIx>,
    /// The week (0-based, within the horizon).
    pub week: u32,
}

impl Focus {
    /// Reads the query; unknown ids fall back to the defaults (the first site with
    /// activities, week 0).
    pub fn read(
        instance: &Instance,
        roster: &Roster,
        view: Option<&str>,
        site: Option<&str>,
        specialist: Option<&str>,
        week: Option<u32>,
    ) -> Focus {
        let layout = match view {
            Some("specialist") => Layout::Specialist,
            _ => Layout::Site,
        };
        let week = week.filter(|w| *w < instance.calendar.weeks()).unwrap_or(0);
        let specialist = specialist.and_then(|id| instance.specialist_ix(id));
        let named_site = site.and_then(|id| instance.site_ix(id));
        let site = match (layout, named_site) {
            (_, Some(site)) => Some(site),
            (Layout::Site, None) => Some(first_busy_site(instance, roster)),
            (Layout::Specialist, None) => None,
        };
        Focus {
            layout,
            site,
            specialist,
            week,
        }
    }
}

/// The first site (in file order) where the roster has an activity; the first site when
/// it has none.
fn first_busy_site(instance: &Instance, roster: &Roster) -> SiteIx {
    let busy: BTreeSet<&str> = roster
        .assignments
        .iter()
        .filter_map(|a| a.site.as_deref())
        .collect();
    (0..instance.sites.len())
        .map(SiteIx)
        .find(|s| busy.contains(instance.site(*s).id.as_str()))
        .unwrap_or(SiteIx(0))
}

/// The roster indexed for the board.
pub struct Index<'a> {
    instance: &'a Instance,
    roster: &'a Roster,
    /// Entries per (specialist, date, session).
    busy: BTreeMap<(&'a str, NaiveDate, &'a str), usize>,
    /// On-site dates per (specialist, date): the sites.
    present: BTreeMap<(&'a str, NaiveDate), BTreeSet<&'a str>>,
    /// The roster's `presence` entries (visiting specialists on site).
    listed: BTreeSet<(&'a str, NaiveDate)>,
}

impl<'a> Index<'a> {
    /// Indexes a roster.
    pub fn new(instance: &'a Instance, roster: &'a Roster) -> Index<'a> {
        let mut busy = BTreeMap::new();
        let mut present: BTreeMap<(&str, NaiveDate), BTreeSet<&str>> = BTreeMap::new();
        for a in &roster.assignments {
            *busy
                .entry((a.specialist.as_str(), a.date, a.session.as_str()))
                .or_insert(0) += 1;
            if a.is_on_site()
                && let Some(site) = a.site.as_deref()
            {
                present
                    .entry((a.specialist.as_str(), a.date))
                    .or_default()
                    .insert(site);
            }
        }
        let mut listed = BTreeSet::new();
        for p in &roster.presence {
            listed.insert((p.specialist.as_str(), p.date));
            present
                .entry((p.specialist.as_str(), p.date))
                .or_default()
                .insert(p.site.as_str());
        }
        Index {
            instance,
            roster,
            busy,
            present,
            listed,
        }
    }

    /// The open dates × sessions of a week.
    pub fn columns(&self, tr: Tr, week: u32) -> Vec<Column> {
        let calendar = &self.instance.calendar;
        let mut columns = Vec::new();
        for date in calendar.week_dates(week).filter(|d| calendar.is_open(*d)) {
            for (k, session) in calendar.sessions().iter().enumerate() {
                columns.push(Column {
                    slot: columns.len(),
                    date: date.to_string(),
                    session: session.id.clone(),
                    date_label: tr.date(date),
                    session_label: tr.session(&session.id).to_string(),
                    first_of_day: k == 0,
                });
            }
        }
        columns
    }

    /// The pin an entry meets (a positive assignments pin matching it), by id.
    fn pin_of(&self, entry: &Assignment) -> Option<String> {
        self.instance
            .pins
            .iter()
            .filter(|p| !p.forbid)
            .find(
                |p| matches!(&p.pattern, Pattern::Assignment(a) if a.matches(self.instance, entry)),
            )
            .map(|p| p.id.clone())
    }

    /// The columns in which the entry's specialist is free (no other entry) and
    /// available on an open date; its own slot included.
    fn free_slots(&self, entry: &Assignment, columns: &[Column]) -> String {
        let Some(person) = self.instance.specialist_ix(&entry.specialist) else {
            return String::new();
        };
        let mut out = Vec::new();
        for column in columns {
            let Ok(date) = column.date.parse::<NaiveDate>() else {
                continue;
            };
            let Some(session) = self.instance.calendar.session_index(&column.session) else {
                continue;
            };
            let own = date == entry.date && column.session == entry.session;
            let taken = self
                .busy
                .get(&(entry.specialist.as_str(), date, column.session.as_str()))
                .copied()
                .unwrap_or(0);
            if self.instance.can_work(person, date, session) && (taken == 0 || (own && taken == 1))
            {
                out.push(column.slot.to_string());
            }
        }
        out.join(" ")
    }

    /// A chip for an entry.
    fn chip(&self, tr: Tr, entry: &Assignment, columns: &[Column], rows: String) -> Chip {
        let name = self
            .instance
            .specialist_ix(&entry.specialist)
            .map(|s| self.instance.specialist(s).name.clone())
            .unwrap_or_else(|| entry.specialist.clone());
        let remote = entry.remote == Some(true);
        let detail = match entry.activity {
            Activity::Studio if entry.role == Some(StudioRole::Apprentice) => {
                tr.t("board.apprentice").to_string()
            }
            Activity::Studio => tr.t("board.lead").to_string(),
            Activity::Mdt => format!(
                "{} · {}",
                entry.discipline.as_deref().unwrap_or(""),
                if remote {
                    tr.t("board.by_video")
                } else {
                    tr.t("board.in_person")
                }
            ),
            Activity::Surgery => tr.t("board.surgeon").to_string(),
            Activity::Clinic => entry.discipline.clone().unwrap_or_default(),
        };
        Chip {
            kind: entry.activity.name(),
            name,
            detail,
            remote,
            specialist: entry.specialist.clone(),
            date: entry.date.to_string(),
            session: entry.session.clone(),
            activity: entry.activity.name(),
            pin: self.pin_of(entry),
            slots: self.free_slots(entry, columns),
            rows,
        }
    }

    /// The rooms of a site for the grid, in file order, and a last row for what has no
    /// room (remote-only meetings, a surgeon without a theatre list).
    pub fn site_grid(&self, tr: Tr, site: SiteIx, week: u32) -> Grid {
        let instance = self.instance;
        let site_id = instance.site(site).id.as_str();
        let columns = self.columns(tr, week);
        let column_of: BTreeMap<(String, String), usize> = columns
            .iter()
            .map(|c| ((c.date.clone(), c.session.clone()), c.slot))
            .collect();
        let rooms: Vec<usize> = (0..instance.rooms.len())
            .filter(|r| instance.rooms[*r].site == site)
            .collect();
        let row_of = |room: Option<&str>| -> usize {
            room.and_then(|id| rooms.iter().position(|r| instance.rooms[*r].id == id))
                .unwrap_or(rooms.len())
        };
        let rows_of_kind = |kind: RoomKind, person: &str| -> String {
            let works_here = instance
                .specialist_ix(person)
                .is_some_and(|s| instance.specialist(s).works_at(site));
            if !works_here {
                return String::new();
            }
            rooms
                .iter()
                .enumerate()
                .filter(|(_, r)| instance.rooms[**r].kind == kind)
                .map(|(k, _)| k.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        };
        // (row, slot) → groups, keyed so that the entries of one meeting, studio
        // session or theatre list share a group.
        let mut groups: BTreeMap<(usize, usize), BTreeMap<String, Group>> = BTreeMap::new();
        let theatre_of = |a: &Assignment| -> Option<&str> {
            self.roster
                .surgeries
                .iter()
                .find(|s| s.surgeon == a.specialist && s.date == a.date && s.session == a.session)
                .map(|s| s.room.as_str())
        };
        for a in &self.roster.assignments {
            let board_site = a
                .board
                .as_deref()
                .and_then(|b| instance.board_ix(b))
                .map(|b| instance.mdt_boards[b.0].site);
            let here = a.site.as_deref() == Some(site_id)
                || (a.site.is_none() && board_site == Some(site));
            if !here {
                continue;
            }
            let Some(&slot) = column_of.get(&(a.date.to_string(), a.session.clone())) else {
                continue;
            };
            let (key, room, kind, title) = match a.activity {
                Activity::Clinic => (
                    format!(
                        "clinic {} {}",
                        a.specialist,
                        a.room.as_deref().unwrap_or("")
                    ),
                    a.room.as_deref(),
                    RoomKind::Clinic,
                    format!(
                        "{} · {}",
                        tr.t("board.kind.clinic"),
                        a.discipline.as_deref().unwrap_or("")
                    ),
                ),
                Activity::Studio => {
                    let studio = a.studio.as_deref().unwrap_or("");
                    let name = a
                        .studio
                        .as_deref()
                        .and_then(|s| instance.studio_ix(s))
                        .map(|s| instance.studios[s.0].name.clone())
                        .unwrap_or_else(|| studio.to_string());
                    (
                        format!("studio {studio}"),
                        a.room.as_deref(),
                        RoomKind::Clinic,
                        format!("{} · {name}", tr.t("board.kind.studio")),
                    )
                }
                Activity::Mdt => {
                    let board = a.board.as_deref().unwrap_or("");
                    let name = a
                        .board
                        .as_deref()
                        .and_then(|b| instance.board_ix(b))
                        .map(|b| instance.mdt_boards[b.0].name.clone())
                        .unwrap_or_else(|| board.to_string());
                    // A remote seat sits with its meeting: the room of an on-site seat.
                    let room = a.room.as_deref().or_else(|| {
                        self.roster
                            .assignments
                            .iter()
                            .find(|b| {
                                b.board == a.board
                                    && b.date == a.date
                                    && b.session == a.session
                                    && b.room.is_some()
                            })
                            .and_then(|b| b.room.as_deref())
                    });
                    (
                        format!("mdt {board}"),
                        room,
                        RoomKind::Meeting,
                        format!("{} · {name}", tr.t("board.kind.mdt")),
                    )
                }
                Activity::Surgery => {
                    let theatre = theatre_of(a);
                    (
                        format!("surgery {}", theatre.unwrap_or("")),
                        theatre,
                        RoomKind::Theatre,
                        format!("{} · {}", tr.t("board.kind.surgery"), theatre.unwrap_or("")),
                    )
                }
            };
            let row = row_of(room);
            let mut chip = self.chip(tr, a, &columns, rows_of_kind(kind, &a.specialist));
            if a.activity == Activity::Clinic {
                // The group's title names the discipline already.
                chip.detail.clear();
            }
            let group = groups
                .entry((row, slot))
                .or_default()
                .entry(key)
                .or_insert_with(|| Group {
                    kind: a.activity.name(),
                    title,
                    lines: Vec::new(),
                    chips: Vec::new(),
                });
            match a.activity {
                Activity::Clinic | Activity::Studio if a.role != Some(StudioRole::Apprentice) => {
                    let booked = self
                        .roster
                        .bookings
                        .iter()
                        .filter(|b| {
                            b.specialist == a.specialist
                                && b.date == a.date
                                && b.session == a.session
                        })
                        .count();
                    if booked > 0 {
                        group
                            .lines
                            .push(format!("{} {booked}", tr.t("board.booked")));
                    }
                }
                Activity::Surgery => {
                    for s in self.roster.surgeries.iter().filter(|s| {
                        s.surgeon == a.specialist && s.date == a.date && s.session == a.session
                    }) {
                        let minutes = instance
                            .surgery_ix(&s.surgery)
                            .map(|g| instance.surgeries[g.0].minutes)
                            .unwrap_or(0);
                        group.lines.push(format!(
                            "{} {} · {} ({minutes} {})",
                            s.start.as_deref().unwrap_or("—"),
                            s.surgery,
                            chip.name,
                            tr.t("board.minutes")
                        ));
                    }
                }
                _ => {}
            }
            // Leads first in a studio session.
            if a.activity == Activity::Studio && a.role == Some(StudioRole::Lead) {
                group.chips.insert(0, chip);
            } else {
                group.chips.push(chip);
            }
        }
        let mut rows: Vec<Row> = rooms
            .iter()
            .enumerate()
            .map(|(k, r)| {
                let room = &instance.rooms[*r];
                Row {
                    room: Some(room.id.clone()),
                    label: room.id.clone(),
                    detail: format!(
                        "{}{}{}",
                        tr.t(room_kind_key(room.kind)),
                        if room.tags.is_empty() { "" } else { " · " },
                        room.tags.join(", ")
                    ),
                    cells: columns
                        .iter()
                        .map(|c| {
                            let closed = c.date.parse::<NaiveDate>().is_ok_and(|date| {
                                instance
                                    .calendar
                                    .session_index(&c.session)
                                    .is_some_and(|s| room.unavailable.contains(date, s))
                            });
                            Cell {
                                slot: c.slot,
                                row: k,
                                groups: take_groups(&mut groups, k, c.slot),
                                notes: if closed {
                                    vec![tr.t("board.room_closed").to_string()]
                                } else {
                                    Vec::new()
                                },
                                closed,
                            }
                        })
                        .collect(),
                }
            })
            .collect();
        let homeless = rooms.len();
        if groups.keys().any(|(row, _)| *row == homeless) {
            rows.push(Row {
                room: None,
                label: tr.t("board.no_room").to_string(),
                detail: String::new(),
                cells: columns
                    .iter()
                    .map(|c| Cell {
                        slot: c.slot,
                        row: homeless,
                        groups: take_groups(&mut groups, homeless, c.slot),
                        notes: Vec::new(),
                        closed: false,
                    })
                    .collect(),
            });
        }
        Grid { columns, rows }
    }

    /// Specialists × slots: the chosen specialist, the site's people, or everyone.
    pub fn people_grid(&self, tr: Tr, focus: &Focus) -> Grid {
        let instance = self.instance;
        let columns = self.columns(tr, focus.week);
        let people: Vec<SpecialistIx> = match (focus.specialist, focus.site) {
            (Some(one), _) => vec![one],
            (None, Some(site)) => (0..instance.specialists.len())
                .map(SpecialistIx)
                .filter(|s| instance.specialist(*s).works_at(site))
                .collect(),
            (None, None) => (0..instance.specialists.len()).map(SpecialistIx).collect(),
        };
        let site_id = focus.site.map(|s| instance.site(s).id.as_str());
        let mut by_slot: BTreeMap<(&str, NaiveDate, &str), Vec<&Assignment>> = BTreeMap::new();
        for a in &self.roster.assignments {
            by_slot
                .entry((a.specialist.as_str(), a.date, a.session.as_str()))
                .or_default()
                .push(a);
        }
        let rows = people
            .iter()
            .enumerate()
            .map(|(k, person)| {
                let specialist = instance.specialist(*person);
                let id = specialist.id.as_str();
                let cells = columns
                    .iter()
                    .map(|c| {
                        let date = c.date.parse::<NaiveDate>().unwrap_or_default();
                        let session = instance.calendar.session_index(&c.session).unwrap_or(0);
                        let entries = by_slot
                            .get(&(id, date, c.session.as_str()))
                            .cloned()
                            .unwrap_or_default();
                        let sites = self.present.get(&(id, date));
                        let mut notes = Vec::new();
                        if c.first_of_day
                            && let Some(sites) = sites
                        {
                            if sites.len() > 1 {
                                notes.push(format!(
                                    "{}: {}",
                                    tr.t("board.two_sites"),
                                    sites.iter().copied().collect::<Vec<_>>().join(" + ")
                                ));
                            } else if let (Some(here), Some(there)) = (site_id, sites.iter().next())
                                && *there != here
                            {
                                notes.push(format!("{}: {there}", tr.t("board.elsewhere")));
                            }
                        }
                        if entries.is_empty() && self.listed.contains(&(id, date)) {
                            notes.push(tr.t("board.idle").to_string());
                        }
                        let closed = !instance.can_work(*person, date, session);
                        if closed && entries.is_empty() {
                            notes.push(tr.t("board.away").to_string());
                        }
                        let groups = entries
                            .iter()
                            .map(|a| {
                                let place = match (a.site.as_deref(), a.room.as_deref()) {
                                    (_, Some(room)) => room.to_string(),
                                    (Some(site), None) => site.to_string(),
                                    (None, None) => tr.t("board.by_video").to_string(),
                                };
                                let title = format!("{} · {place}", tr.t(activity_key(a.activity)));
                                let mut lines = Vec::new();
                                if a.activity == Activity::Surgery {
                                    for s in self.roster.surgeries.iter().filter(|s| {
                                        s.surgeon == a.specialist
                                            && s.date == a.date
                                            && s.session == a.session
                                    }) {
                                        lines.push(format!(
                                            "{} {} · {}",
                                            s.start.as_deref().unwrap_or("—"),
                                            s.surgery,
                                            s.room
                                        ));
                                    }
                                }
                                Group {
                                    kind: a.activity.name(),
                                    title,
                                    lines,
                                    chips: vec![self.chip(tr, a, &columns, k.to_string())],
                                }
                            })
                            .collect();
                        Cell {
                            slot: c.slot,
                            row: k,
                            groups,
                            notes,
                            closed,
                        }
                    })
                    .collect();
                Row {
                    room: None,
                    label: specialist.name.clone(),
                    detail: if specialist.visiting {
                        format!("{} · {}", tr.t("board.visiting"), specialist.home)
                    } else {
                        specialist.home.clone()
                    },
                    cells,
                }
            })
            .collect();
        Grid { columns, rows }
    }
}

fn take_groups(
    groups: &mut BTreeMap<(usize, usize), BTreeMap<String, Group>>,
    row: usize,
    slot: usize,
) -> Vec<Group> {
    groups
        .remove(&(row, slot))
        .map(|g| g.into_values().collect())
        .unwrap_or_default()
}

/// The catalogue key of an activity's name.
pub fn activity_key(activity: Activity) -> &'static str {
    match activity {
        Activity::Clinic => "board.kind.clinic",
        Activity::Studio => "board.kind.studio",
        Activity::Mdt => "board.kind.mdt",
        Activity::Surgery => "board.kind.surgery",
    }
}

fn room_kind_key(kind: RoomKind) -> &'static str {
    match kind {
        RoomKind::Clinic => "board.room.clinic",
        RoomKind::Meeting => "board.room.meeting",
        RoomKind::Theatre => "board.room.theatre",
    }
}
