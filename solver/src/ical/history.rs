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

use std::collections::{BTreeMap, BTreeSet};

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
    let mut events: Vec<Tracked> = Vec::new();
    let mut previous: Vec<Item> = Vec::new();
    for items in publications {
        let live: BTreeMap<String, usize> = events
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
            match change {
                Change::Kept { before, after } => {
                    if let Some(ix) = event(before) {
                        events[ix].item = after.clone();
                    }
                }
                Change::Moved { before, after } => {
                    if let Some(ix) = event(before) {
                        events[ix].item = after.clone();
                        events[ix].sequence += 1;
                    }
                }
                Change::Removed(before) => {
                    if let Some(ix) = event(before).filter(|ix| !events[*ix].cancelled) {
                        events[ix].cancelled = true;
                        events[ix].sequence += 1;
                    }
                }
                Change::Added(after) => added.push(after),
            }
        }
        for after in added {
            add(&mut events, after, &uid_of);
        }
        previous = items.clone();
    }
    events
}

fn add(events: &mut Vec<Tracked>, item: &Item, uid_of: &impl Fn(&str) -> String) {
    let base = uid_of(&item.key);
    if let Some(event) = events.iter_mut().find(|e| e.uid == base && e.cancelled) {
        event.item = item.clone();
        event.cancelled = false;
        event.sequence += 1;
        return;
    }
    let taken: BTreeSet<&str> = events.iter().map(|e| e.uid.as_str()).collect();
    let uid = std::iter::once(base.clone())
        .chain((2..).map(|n| suffixed(&base, n)))
        .find(|uid| !taken.contains(uid.as_str()))
        .expect("an unused suffix");
    events.push(Tracked {
        uid,
        item: item.clone(),
        sequence: 0,
        cancelled: false,
    });
}

/// `local-2@domain` from `local@domain`.
fn suffixed(uid: &str, n: u32) -> String {
    match uid.split_once('@') {
        Some((local, domain)) => format!("{local}-{n}@{domain}"),
        None => format!("{uid}-{n}"),
    }
}
