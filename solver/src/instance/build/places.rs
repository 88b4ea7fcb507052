//! Sites, travel times and rooms.

use std::collections::BTreeMap;

use crate::instance::raw::{RawRoom, RawSite, RawTravel};
use crate::instance::{Room, RoomKind, Site, SiteIx, SiteKind, Travel};

use super::{Builder, at};

impl Builder {
    pub(super) fn sites(&mut self, raw: &[RawSite]) -> Vec<Site> {
        raw.iter()
            .enumerate()
            .filter_map(|(i, site)| {
                let id = site.id.clone()?;
                let kind = self.kind(
                    &site.kind,
                    &at("sites", i, "kind"),
                    &SiteKind::NAMES,
                    &[SiteKind::Hub, SiteKind::Hospital, SiteKind::Community],
                )?;
                Some(Site {
                    name: site.name.clone().unwrap_or_else(|| id.clone()),
                    id,
                    kind,
                })
            })
            .collect()
    }

    pub(super) fn travel(&mut self, raw: &[RawTravel]) -> Vec<Travel> {
        let mut seen: BTreeMap<(SiteIx, SiteIx), usize> = BTreeMap::new();
        let mut travel = Vec::new();
        for (i, entry) in raw.iter().enumerate() {
            let from = self.required_site(&entry.from, &at("travel", i, "from"));
            let to = self.required_site(&entry.to, &at("travel", i, "to"));
            let minutes =
                self.integer(entry.minutes, &at("travel", i, "minutes"), 0, 24 * 60, None);
            let (Some(from), Some(to), Some(minutes)) = (from, to, minutes) else {
                continue;
            };
            if from == to {
                self.d
                    .error(at("travel", i, "to"), "travel from a site to itself");
                continue;
            }
            let key = (from.min(to), from.max(to));
            if let Some(first) = seen.insert(key, i) {
                self.d.error(
                    at("travel", i, ""),
                    format!("travel between these sites is already given at travel[{first}]"),
                );
                continue;
            }
            travel.push(Travel { from, to, minutes });
        }
        travel
    }

    pub(super) fn rooms(&mut self, raw: &[RawRoom]) -> Vec<Room> {
        raw.iter()
            .enumerate()
            .filter_map(|(i, room)| {
                let site = self.required_site(&room.site, &at("rooms", i, "site"));
                let kind = self.kind(
                    &room.kind,
                    &at("rooms", i, "kind"),
                    &RoomKind::NAMES,
                    &[RoomKind::Clinic, RoomKind::Meeting, RoomKind::Theatre],
                );
                let unavailable = self.slot_set(&room.unavailable, &at("rooms", i, "unavailable"));
                let capacity_minutes = match room.capacity_minutes {
                    None => None,
                    Some(value) => self.integer(
                        Some(value),
                        &at("rooms", i, "capacity_minutes"),
                        1,
                        24 * 60,
                        None,
                    ),
                };
                if capacity_minutes.is_some() && kind.is_some_and(|k| k != RoomKind::Theatre) {
                    self.d.warning(
                        at("rooms", i, "capacity_minutes"),
                        "capacity_minutes applies to theatres only; it is ignored here",
                    );
                }
                Some(Room {
                    id: room.id.clone()?,
                    site: site?,
                    kind: kind?,
                    tags: room.tags.clone(),
                    unavailable,
                    capacity_minutes,
                })
            })
            .collect()
    }
}
