//! The items of a view, from the roster's assignments, surgeries and presence.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{AgendaError, Item, ListedSurgery, Part, Participant, View, What};
use crate::instance::Instance;
use crate::roster::{Activity, Assignment, Roster, StudioRole};

/// (date, session, studio or board id): the entries of one studio session or meeting.
type Gathering<'a> = BTreeMap<(NaiveDate, &'a str, &'a str), Vec<&'a Assignment>>;

pub(super) fn items(
    instance: &Instance,
    roster: &Roster,
    view: &View,
) -> Result<Vec<Item>, AgendaError> {
    for entry in &roster.assignments {
        known_session(instance, &entry.session, entry.date)?;
    }
    for placement in &roster.surgeries {
        known_session(instance, &placement.session, placement.date)?;
    }
    let rows = Rows::new(instance, roster);
    Ok(match view {
        View::Specialist(id) => rows.of_specialist(id),
        View::Site(id) => rows.of_site(id),
        View::Board(id) => rows.of_board(id),
    })
}

fn known_session(instance: &Instance, session: &str, date: NaiveDate) -> Result<(), AgendaError> {
    match instance.calendar.session_index(session) {
        Some(_) => Ok(()),
        None => Err(AgendaError::UnknownSession {
            session: session.to_string(),
            date,
        }),
    }
}

/// The roster grouped once: studio sessions and meetings with all their entries.
struct Rows<'a> {
    instance: &'a Instance,
    roster: &'a Roster,
    studios: Gathering<'a>,
    meetings: Gathering<'a>,
}

impl<'a> Rows<'a> {
    fn new(instance: &'a Instance, roster: &'a Roster) -> Self {
        let mut studios = Gathering::new();
        let mut meetings = Gathering::new();
        for entry in &roster.assignments {
            let (map, id) = match (entry.activity, &entry.studio, &entry.board) {
                (Activity::Studio, Some(studio), _) => (&mut studios, studio),
                (Activity::Mdt, _, Some(board)) => (&mut meetings, board),
                _ => continue,
            };
            map.entry((entry.date, entry.session.as_str(), id.as_str()))
                .or_default()
                .push(entry);
        }
        Rows {
            instance,
            roster,
            studios,
            meetings,
        }
    }

    fn of_specialist(&self, id: &str) -> Vec<Item> {
        let mut items = Vec::new();
        for entry in self
            .roster
            .assignments
            .iter()
            .filter(|a| a.specialist == id)
        {
            let slot = format!("{}/{}", entry.date, entry.session);
            let item = match entry.activity {
                Activity::Clinic => Some(self.clinic(entry, format!("clinic/{slot}"), "")),
                Activity::Studio => entry.studio.as_deref().map(|studio| {
                    let mut item = self.studio(entry.date, &entry.session, studio);
                    item.key = format!("studio/{slot}");
                    item
                }),
                Activity::Mdt => entry.board.as_deref().map(|board| {
                    let mut item = self.meeting(entry.date, &entry.session, board);
                    item.key = format!("mdt/{slot}");
                    item.remote = entry.remote == Some(true);
                    item
                }),
                Activity::Surgery => Some(self.surgeon_list(entry, slot)),
            };
            items.extend(item);
        }
        for presence in self.roster.presence.iter().filter(|p| p.specialist == id) {
            items.push(self.on_site(
                presence.date,
                &presence.site,
                id,
                format!("on_site/{}/{}", presence.date, presence.site),
                format!("on_site/{}", presence.site),
            ));
        }
        items
    }

    fn of_site(&self, id: &str) -> Vec<Item> {
        let mut items = Vec::new();
        let here = |site: &Option<String>| site.as_deref() == Some(id);
        for entry in &self.roster.assignments {
            if entry.activity == Activity::Clinic && here(&entry.site) {
                let key = format!(
                    "clinic/{}/{}/{}",
                    entry.specialist, entry.date, entry.session
                );
                items.push(self.clinic(entry, key, &entry.specialist));
            }
        }
        for (date, session, studio) in self.studios.keys() {
            let item = self.studio(*date, session, studio);
            if here(&item.site) {
                items.push(Item {
                    key: format!("studio/{studio}/{date}/{session}"),
                    ..item
                });
            }
        }
        for (date, session, board) in self.meetings.keys() {
            let item = self.meeting(*date, session, board);
            if here(&item.site) {
                items.push(Item {
                    key: format!("mdt/{board}/{date}/{session}"),
                    ..item
                });
            }
        }
        items.extend(self.theatre_lists(id));
        for presence in self.roster.presence.iter().filter(|p| p.site == id) {
            items.push(self.on_site(
                presence.date,
                id,
                &presence.specialist,
                format!("on_site/{}/{}", presence.specialist, presence.date),
                format!("on_site/{}", presence.specialist),
            ));
        }
        items
    }

    fn of_board(&self, id: &str) -> Vec<Item> {
        self.meetings
            .keys()
            .filter(|(_, _, board)| *board == id)
            .map(|(date, session, board)| Item {
                key: format!("mdt/{date}/{session}"),
                ..self.meeting(*date, session, board)
            })
            .collect()
    }

    /// A clinic session; `owner` ("" in the holder's own view) goes into the group so a
    /// site's clinics of different people are never taken for one another.
    fn clinic(&self, entry: &Assignment, key: String, owner: &str) -> Item {
        let discipline = entry.discipline.clone().unwrap_or_default();
        let group = match owner {
            "" => format!("clinic/{discipline}"),
            owner => format!("clinic/{owner}/{discipline}"),
        };
        Item {
            key,
            group,
            date: entry.date,
            session: Some(entry.session.clone()),
            what: What::Clinic { discipline },
            site: entry.site.clone(),
            room: entry.room.clone(),
            remote: false,
            people: vec![participant(&entry.specialist, Part::Holder)],
            surgeries: Vec::new(),
        }
    }

    fn studio(&self, date: NaiveDate, session: &str, studio: &str) -> Item {
        let entries = &self.studios[&(date, session, studio)];
        let mut people: Vec<Participant> = entries
            .iter()
            .map(|e| {
                let part = match e.role {
                    Some(StudioRole::Lead) => Part::Lead,
                    _ => Part::Apprentice,
                };
                participant(&e.specialist, part)
            })
            .collect();
        people.sort();
        Item {
            key: String::new(),
            group: format!("studio/{studio}"),
            date,
            session: Some(session.to_string()),
            what: What::Studio {
                studio: studio.to_string(),
            },
            site: entries.iter().find_map(|e| e.site.clone()),
            room: entries.iter().find_map(|e| e.room.clone()),
            remote: false,
            people,
            surgeries: Vec::new(),
        }
    }

    fn meeting(&self, date: NaiveDate, session: &str, board: &str) -> Item {
        let entries = &self.meetings[&(date, session, board)];
        let mut people: Vec<Participant> = entries
            .iter()
            .map(|e| {
                participant(
                    &e.specialist,
                    Part::Seat {
                        discipline: e.discipline.clone().unwrap_or_default(),
                        remote: e.remote == Some(true),
                    },
                )
            })
            .collect();
        people.sort();
        let board_site = self.instance.board_ix(board).map(|ix| {
            self.instance
                .site(self.instance.mdt_boards[ix.0].site)
                .id
                .clone()
        });
        Item {
            key: String::new(),
            group: format!("mdt/{board}"),
            date,
            session: Some(session.to_string()),
            what: What::Mdt {
                board: board.to_string(),
            },
            site: entries.iter().find_map(|e| e.site.clone()).or(board_site),
            room: entries.iter().find_map(|e| e.room.clone()),
            remote: false,
            people,
            surgeries: Vec::new(),
        }
    }

    /// A surgeon's list in one session.
    fn surgeon_list(&self, entry: &Assignment, slot: String) -> Item {
        let surgeries = self.listed(|p| {
            p.surgeon == entry.specialist && p.date == entry.date && p.session == entry.session
        });
        let mut theatres: Vec<&String> = surgeries.iter().map(|s| &s.theatre).collect();
        theatres.dedup();
        Item {
            key: format!("surgery/{slot}"),
            group: "surgery".to_string(),
            date: entry.date,
            session: Some(entry.session.clone()),
            what: What::Surgery,
            site: entry.site.clone(),
            room: (theatres.len() == 1).then(|| theatres[0].clone()),
            remote: false,
            people: vec![participant(&entry.specialist, Part::Surgeon)],
            surgeries,
        }
    }

    /// One list per theatre and session at the site.
    fn theatre_lists(&self, site: &str) -> Vec<Item> {
        let mut slots: Vec<(NaiveDate, &str, &str)> = self
            .roster
            .surgeries
            .iter()
            .filter(|p| self.site_of_room(&p.room) == Some(site))
            .map(|p| (p.date, p.session.as_str(), p.room.as_str()))
            .collect();
        slots.sort();
        slots.dedup();
        slots
            .into_iter()
            .map(|(date, session, theatre)| {
                let surgeries =
                    self.listed(|p| p.room == theatre && p.date == date && p.session == session);
                let mut people: Vec<Participant> = surgeries
                    .iter()
                    .map(|s| participant(&s.surgeon, Part::Surgeon))
                    .collect();
                people.sort();
                people.dedup();
                Item {
                    key: format!("surgery/{theatre}/{date}/{session}"),
                    group: format!("surgery/{theatre}"),
                    date,
                    session: Some(session.to_string()),
                    what: What::Surgery,
                    site: Some(site.to_string()),
                    room: Some(theatre.to_string()),
                    remote: false,
                    people,
                    surgeries,
                }
            })
            .collect()
    }

    fn listed(
        &self,
        keep: impl Fn(&crate::roster::SurgeryPlacement) -> bool,
    ) -> Vec<ListedSurgery> {
        let mut listed: Vec<ListedSurgery> = self
            .roster
            .surgeries
            .iter()
            .filter(|p| keep(p))
            .map(|p| ListedSurgery {
                start: p.start.clone(),
                surgery: p.surgery.clone(),
                theatre: p.room.clone(),
                surgeon: p.surgeon.clone(),
                minutes: self
                    .instance
                    .surgery_ix(&p.surgery)
                    .map(|ix| self.instance.surgeries[ix.0].minutes),
            })
            .collect();
        listed.sort();
        listed
    }

    fn site_of_room(&self, room: &str) -> Option<&str> {
        self.instance
            .room_ix(room)
            .map(|ix| self.instance.site(self.instance.room(ix).site).id.as_str())
    }

    fn on_site(
        &self,
        date: NaiveDate,
        site: &str,
        specialist: &str,
        key: String,
        group: String,
    ) -> Item {
        Item {
            key,
            group,
            date,
            session: None,
            what: What::OnSite,
            site: Some(site.to_string()),
            room: None,
            remote: false,
            people: vec![participant(specialist, Part::Holder)],
            surgeries: Vec::new(),
        }
    }
}

fn participant(specialist: &str, part: Part) -> Participant {
    Participant {
        specialist: specialist.to_string(),
        part,
    }
}
