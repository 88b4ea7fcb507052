//! The draft's `presence` list (PROBLEM.md §6), recomputed from its activities.
//!
//! A (visiting specialist, date, site) is listed when
//! 1. the draft has an on-site activity of theirs there that date (remote MDT places do
//!    not count);
//! 2. the original roster listed it without any on-site activity of theirs there that
//!    date: an idle day the roster chose (a residency day without work); the edits did
//!    not cause it and do not remove it;
//! 3. the original listed it, its activities there were moved away, and a residency of
//!    theirs at that site still needs the day: a fixed-days residency whose weekday it
//!    is, or a residency with chosen days whose week would otherwise have fewer than
//!    `days_per_week` dates at its site (earlier dates are kept first).
//!
//! So moving a visiting specialist's last activity of a day away drops that on-site day
//! (and its day cost) unless a residency holds them there; moving an activity onto a
//! new date adds the day, and moving the work of a chosen residency day to another date
//! of that week moves the residency day with it. Entries kept from the original stay in
//! their order; new ones follow, sorted by specialist, date and site.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};

use crate::instance::Instance;
use crate::roster::{Presence, Roster};

type Key<'r> = (&'r str, NaiveDate, &'r str);

/// The presence list of `draft`, an edited copy of `original`.
pub(super) fn recompute(instance: &Instance, original: &Roster, draft: &Roster) -> Vec<Presence> {
    let before = on_site(instance, original);
    let after = on_site(instance, draft);
    // Rules 1 and 2 first: what the draft certainly lists.
    let mut listed: BTreeSet<Key<'_>> = after.clone();
    let mut keep: Vec<bool> = original
        .presence
        .iter()
        .map(|entry| after.contains(&key(entry)) || !before.contains(&key(entry)))
        .collect();
    for (entry, kept) in original.presence.iter().zip(&keep) {
        if *kept {
            listed.insert(key(entry));
        }
    }
    // Rule 3, in the original's order.
    for (entry, kept) in original.presence.iter().zip(keep.iter_mut()) {
        if !*kept && residency_needs(instance, entry, &listed) {
            *kept = true;
            listed.insert(key(entry));
        }
    }
    let mut from_original: BTreeSet<Key<'_>> = BTreeSet::new();
    let mut presence = Vec::with_capacity(listed.len());
    for (entry, kept) in original.presence.iter().zip(&keep) {
        from_original.insert(key(entry));
        if *kept {
            presence.push(entry.clone());
        }
    }
    presence.extend(
        after
            .into_iter()
            .filter(|k| !from_original.contains(k))
            .map(|(specialist, date, site)| Presence {
                specialist: specialist.to_string(),
                date,
                site: site.to_string(),
            }),
    );
    presence
}

fn key(entry: &Presence) -> Key<'_> {
    (entry.specialist.as_str(), entry.date, entry.site.as_str())
}

/// (specialist, date, site) of every on-site activity of a visiting specialist.
fn on_site<'r>(instance: &Instance, roster: &'r Roster) -> BTreeSet<Key<'r>> {
    roster
        .assignments
        .iter()
        .filter(|a| a.is_on_site())
        .filter(|a| {
            instance
                .specialist_ix(&a.specialist)
                .is_some_and(|s| instance.specialist(s).visiting)
        })
        .filter_map(|a| {
            a.site
                .as_deref()
                .map(|site| (a.specialist.as_str(), a.date, site))
        })
        .collect()
}

/// Whether a residency of the entry's specialist at its site in its week needs the
/// date: a fixed day of it, or a chosen day without which the week falls short.
fn residency_needs(instance: &Instance, entry: &Presence, listed: &BTreeSet<Key<'_>>) -> bool {
    let (Some(who), Some(site), Some(week)) = (
        instance.specialist_ix(&entry.specialist),
        instance.site_ix(&entry.site),
        instance.calendar.week_of(entry.date),
    ) else {
        return false;
    };
    instance
        .residencies
        .iter()
        .filter(|r| r.specialist == who && r.site == site && r.weeks.contains(&week))
        .any(|r| match &r.days {
            Some(days) => days.contains(&entry.date.weekday()),
            None => {
                let dates = instance
                    .calendar
                    .week_dates(week)
                    .filter(|date| {
                        listed.contains(&(entry.specialist.as_str(), *date, entry.site.as_str()))
                    })
                    .count();
                dates < r.days_per_week as usize
            }
        })
}
