//! Pairing the items of two publications of one view: kept, moved, removed, added.
//!
//! Items with the same key are the same entry (kept when they say the same, moved
//! when not, e.g. another room). The rest are paired within their group, oldest first
//! on both sides: a removed and an added item of one group are one activity moved
//! (Tuesday's studio session now on Wednesday). What remains was removed or added.

use std::collections::BTreeMap;

use crate::agenda::Item;

/// What became of an item between two publications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change<'a> {
    /// The same entry, saying the same.
    Kept {
        /// In the old publication.
        before: &'a Item,
        /// In the new one.
        after: &'a Item,
    },
    /// The same activity at another time or place, or with other people.
    Moved {
        /// In the old publication.
        before: &'a Item,
        /// In the new one.
        after: &'a Item,
    },
    /// Only in the old publication.
    Removed(&'a Item),
    /// Only in the new publication.
    Added(&'a Item),
}

/// Every item of `old` and `new`, paired. `old` and `new` are in time order (as
/// [`crate::agenda::items`] gives them).
pub fn pair<'a>(old: &'a [Item], new: &'a [Item]) -> Vec<Change<'a>> {
    let new_by_key: BTreeMap<&str, &Item> = new.iter().map(|i| (i.key.as_str(), i)).collect();
    let old_keys: BTreeMap<&str, &Item> = old.iter().map(|i| (i.key.as_str(), i)).collect();
    let mut changes = Vec::new();
    let mut removed: BTreeMap<&str, Vec<&Item>> = BTreeMap::new();
    for before in old {
        match new_by_key.get(before.key.as_str()) {
            Some(after) if before.same_content(after) => {
                changes.push(Change::Kept { before, after })
            }
            Some(after) => changes.push(Change::Moved { before, after }),
            None => removed.entry(&before.group).or_default().push(before),
        }
    }
    let mut added: BTreeMap<&str, Vec<&Item>> = BTreeMap::new();
    for after in new
        .iter()
        .filter(|i| !old_keys.contains_key(i.key.as_str()))
    {
        added.entry(&after.group).or_default().push(after);
    }
    for (group, befores) in &removed {
        let afters = added.remove(group).unwrap_or_default();
        for (k, before) in befores.iter().enumerate() {
            match afters.get(k) {
                Some(after) => changes.push(Change::Moved { before, after }),
                None => changes.push(Change::Removed(before)),
            }
        }
        changes.extend(afters.iter().skip(befores.len()).map(|a| Change::Added(a)));
    }
    changes.extend(added.values().flatten().map(|a| Change::Added(a)));
    changes
}
