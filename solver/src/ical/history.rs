//! Events across publications: which UID an item carries, its SEQUENCE, and which
//! events a later publication cancels.
//!
//! The rule, applied publication by publication from the oldest:
//! - an item new in a publication gets the UID of its key (`uid_of(key)`); when an
//!   event already holds that UID, a cancelled one is revived under it, and a live one
//!   keeps it while the newcomer gets `…-2`, `…-3`;
//! - an item paired with one of the previous publication ([`crate::diff::pair`]: same
//!   key, or the same activity moved) keeps that event's UID; its SEQUENCE grows by
//!   one when it says something else (moved, another room, other people);
//! - an event of the previous publication with no partner is cancelled: its SEQUENCE
//!   grows by one and it stays in every later publication as `STATUS:CANCELLED`.
//!
//! So SEQUENCE counts the publications, since the one that created the UID, in which
//! the event differed from the previous publication.

use std::collections::BTreeMap;

use crate::agenda::Item;
use crate::diff::{Change, pair};

/// One event of the current publication's calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tracked {
    /// Stable across publications.
    pub uid: String,
    /// What it says now (for a cancelled event: what it said last).
    pub item: Item,
    /// How many publications changed it since it was created.
    pub sequence: u32,
    /// Removed by a publication.
    pub cancelled: bool,
}

/// The events after `publications` (oldest first, each in time order).
pub fn track(publications: &[Vec<Item>], uid_of: impl Fn(&str) -> String) -> Vec<Tracked> {
    let mut events = Events::default();
    let mut previous: Vec<Item> = Vec::new();
    for items in publications {
        let live: BTreeMap<String, usize> = events
            .list
            .iter()
            .enumerate()
            .filter(|(_, e)| !e.cancelled)
            .map(|(ix, e)| (e.item.key.clone(), ix))
            .collect();
        let mut added = Vec::new();
        for change in pair(&previous, items) {
            // Every item of the previous publication is a live event (a roster with two
            // entries under one key, which the checker rejects, shares one event).
            let event = |before: &Item| live.get(&before.key).copied();
            let list = &mut events.list;
            match change {
                Change::Kept { before, after } => {
                    if let Some(ix) = event(before) {
                        list[ix].item = after.clone();
                    }
                }
                Change::Moved { before, after } => {
                    if let Some(ix) = event(before) {
                        list[ix].item = after.clone();
                        list[ix].sequence += 1;
                    }
                }
                Change::Removed(before) => {
                    if let Some(ix) = event(before).filter(|ix| !list[*ix].cancelled) {
                        list[ix].cancelled = true;
                        list[ix].sequence += 1;
                    }
                }
                Change::Added(after) => added.push(after),
            }
        }
        for after in added {
            events.add(after, uid_of(&after.key));
        }
        previous = items.clone();
    }
    events.list
}

/// The events so far, and which UID each holds.
#[derive(Default)]
struct Events {
    list: Vec<Tracked>,
    by_uid: BTreeMap<String, usize>,
}

impl Events {
    fn add(&mut self, item: &Item, base: String) {
        if let Some(&ix) = self.by_uid.get(&base) {
            let event = &mut self.list[ix];
            if event.cancelled {
                event.item = item.clone();
                event.cancelled = false;
                event.sequence += 1;
                return;
            }
        }
        let uid = std::iter::once(base.clone())
            .chain((2..).map(|n| suffixed(&base, n)))
            .find(|uid| !self.by_uid.contains_key(uid))
            .expect("an unused suffix");
        self.by_uid.insert(uid.clone(), self.list.len());
        self.list.push(Tracked {
            uid,
            item: item.clone(),
            sequence: 0,
            cancelled: false,
        });
    }
}

/// `local-2@domain` from `local@domain`.
fn suffixed(uid: &str, n: u32) -> String {
    match uid.split_once('@') {
        Some((local, domain)) => format!("{local}-{n}@{domain}"),
        None => format!("{uid}-{n}"),
    }
}
