//! Room classes: rooms of one site, kind and tag set are interchangeable in a slot, so
//! the model counts how many of a class are used (never more than are available) and
//! concrete rooms are handed out afterwards. This is exact: any activity that fits
//! one room of a class fits every other room of it that is available in the slot.

use std::collections::BTreeMap;

use crate::calendar::Slot;
use crate::instance::{Instance, RoomIx, RoomKind, SiteIx};

/// Position of a class in [`RoomClasses::classes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClassIx(pub usize);

/// Interchangeable rooms.
#[derive(Debug, Clone)]
pub struct RoomClass {
    /// Their site.
    pub site: SiteIx,
    /// Their kind.
    pub kind: RoomKind,
    /// Their tags, sorted.
    pub tags: Vec<String>,
    /// The rooms, in file order.
    pub rooms: Vec<RoomIx>,
}

impl RoomClass {
    /// Whether the class's tags include every required tag.
    pub fn has_tags(&self, required: &[String]) -> bool {
        required.iter().all(|tag| self.tags.contains(tag))
    }
}

/// Every clinic and meeting room grouped into classes (theatres stay individual:
/// their minutes are packed per room).
#[derive(Debug, Clone)]
pub struct RoomClasses {
    /// The classes.
    pub classes: Vec<RoomClass>,
    class_of: BTreeMap<RoomIx, ClassIx>,
}

impl RoomClasses {
    /// Groups the instance's clinic and meeting rooms. A room a user's pin names is a
    /// class of its own, so that the model can tell it from its twins (frozen pins are
    /// matched by class: docs/model.md § Pins).
    pub fn new(instance: &Instance) -> RoomClasses {
        let pinned: std::collections::BTreeSet<RoomIx> = instance
            .pins
            .iter()
            .filter(|pin| !pin.frozen)
            .filter_map(|pin| pin.room())
            .collect();
        let mut index: BTreeMap<(usize, u8, Vec<String>, Option<RoomIx>), ClassIx> =
            BTreeMap::new();
        let mut classes: Vec<RoomClass> = Vec::new();
        let mut class_of = BTreeMap::new();
        for (r, room) in instance.rooms.iter().enumerate() {
            let kind_key = match room.kind {
                RoomKind::Clinic => 0,
                RoomKind::Meeting => 1,
                RoomKind::Theatre => continue,
            };
            let mut tags = room.tags.clone();
            tags.sort();
            tags.dedup();
            let alone = pinned.contains(&RoomIx(r)).then_some(RoomIx(r));
            let key = (room.site.0, kind_key, tags.clone(), alone);
            let class = *index.entry(key).or_insert_with(|| {
                classes.push(RoomClass {
                    site: room.site,
                    kind: room.kind,
                    tags,
                    rooms: Vec::new(),
                });
                ClassIx(classes.len() - 1)
            });
            classes[class.0].rooms.push(RoomIx(r));
            class_of.insert(RoomIx(r), class);
        }
        RoomClasses { classes, class_of }
    }

    /// The class of a clinic or meeting room.
    pub fn class_of(&self, room: RoomIx) -> Option<ClassIx> {
        self.class_of.get(&room).copied()
    }

    /// Rooms of the class available in the slot.
    pub fn available(&self, instance: &Instance, class: ClassIx, slot: Slot) -> Vec<RoomIx> {
        self.classes[class.0]
            .rooms
            .iter()
            .copied()
            .filter(|r| {
                !instance
                    .room(*r)
                    .unavailable
                    .contains(slot.date, slot.session)
            })
            .collect()
    }

    /// Classes of a kind at a site, with their indices.
    pub fn at(&self, site: SiteIx, kind: RoomKind) -> impl Iterator<Item = (ClassIx, &RoomClass)> {
        self.classes
            .iter()
            .enumerate()
            .filter(move |(_, c)| c.site == site && c.kind == kind)
            .map(|(i, c)| (ClassIx(i), c))
    }
}
