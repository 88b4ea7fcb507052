//! Rule 12 (houniao's addition, docs/format.md § Pools): a booking that takes a held
//! place names its pool, which must hold places of that specialist's sessions and admit
//! the request's referring site; no session gives more held places than the pool holds
//! or more general places than it leaves; no referring site takes more held places in a
//! week than its quota.

use std::collections::BTreeMap;

use super::resolve::Resolved;
use super::{Findings, Rule};
use crate::calendar::Slot;
use crate::instance::{Instance, SiteIx, SpecialistIx};
use crate::pools::Pool;
use crate::text;
use crate::text::{Arg, Separator};

/// Reports every booking and session that breaks rule 12.
pub(super) fn check_pools(instance: &Instance, resolved: &Resolved<'_>, findings: &mut Findings) {
    if instance.pools.is_empty() && resolved.bookings.iter().all(|b| b.raw.pool.is_none()) {
        return;
    }
    let session_id = |slot: Slot| instance.calendar.sessions()[slot.session].id.clone();
    let mut held: BTreeMap<(usize, SpecialistIx, Slot), u32> = BTreeMap::new();
    let mut general: BTreeMap<(SpecialistIx, Slot), u32> = BTreeMap::new();
    let mut per_week: BTreeMap<(usize, SiteIx, u32), u32> = BTreeMap::new();
    for booked in &resolved.bookings {
        let request = &instance.requests[booked.request.0];
        let what = text!(RequestWhat {
            request: &request.id
        });
        let Some(pool_id) = booked.raw.pool.as_deref() else {
            *general.entry((booked.who, booked.slot)).or_default() += 1;
            continue;
        };
        let session = session_id(booked.slot);
        let Some(p) = instance.pools.iter().position(|p| p.id == pool_id) else {
            findings.add(
                Rule::References,
                Some(booked.slot.date),
                Some(&session),
                text!(PoolUnknown {
                    what: what,
                    pool: pool_id
                }),
            );
            continue;
        };
        let pool = &instance.pools[p];
        if pool.holder != booked.who {
            findings.add(
                Rule::Pool,
                Some(booked.slot.date),
                Some(&session),
                text!(PoolOtherSpecialist {
                    what: &what,
                    pool: pool_id,
                    holder: &instance.specialist(pool.holder).id,
                    who: &instance.specialist(booked.who).id,
                }),
            );
        }
        if !pool.admits(request) {
            findings.add(
                Rule::Pool,
                Some(booked.slot.date),
                Some(&session),
                text!(PoolNotReferred {
                    what: &what,
                    pool: pool_id,
                    sites: Arg::ids(
                        pool.referrers.iter().map(|s| instance.site(*s).id.as_str()),
                        Separator::Comma
                    ),
                }),
            );
        }
        *held.entry((p, booked.who, booked.slot)).or_default() += 1;
        if let (Some(site), Some(week)) = (
            request.referred_by,
            instance.calendar.week_of(booked.slot.date),
        ) {
            *per_week.entry((p, site, week)).or_default() += 1;
        }
    }
    for ((p, who, slot), count) in held {
        let pool = &instance.pools[p];
        if count > pool.places {
            findings.add(
                Rule::Pool,
                Some(slot.date),
                Some(&session_id(slot)),
                text!(PoolOverHeld {
                    count: count,
                    places: pool.places,
                    pool: &pool.id,
                    who: &instance.specialist(who).id,
                }),
            );
        }
    }
    for ((who, slot), count) in general {
        let Some(pool) = instance.pool_of(who) else {
            continue;
        };
        let capacity = instance.specialist(who).clinic_capacity;
        if count + pool.places > capacity {
            findings.add(
                Rule::Pool,
                Some(slot.date),
                Some(&session_id(slot)),
                text!(PoolGeneralOver {
                    who: &instance.specialist(who).id,
                    count: count,
                    places: pool.places,
                    capacity: capacity,
                    pool: &pool.id,
                }),
            );
        }
    }
    report_quotas(instance, &instance.pools, per_week, findings);
}

/// Rule 12's weekly quotas: each referring site's held places taken per pool and week
/// (`per_week`, keyed by the pool's position in `pools`) against the pool's quota.
pub(super) fn report_quotas<H>(
    instance: &Instance,
    pools: &[Pool<H>],
    per_week: BTreeMap<(usize, SiteIx, u32), u32>,
    findings: &mut Findings,
) {
    for ((p, site, week), count) in per_week {
        let pool = &pools[p];
        if let Some(quota) = pool.quota
            && count > quota
        {
            findings.add(
                Rule::Pool,
                instance.calendar.week_dates(week).next(),
                None,
                text!(PoolQuotaOver {
                    site: &instance.site(site).id,
                    count: count,
                    pool: &pool.id,
                    week: week,
                    quota: quota,
                }),
            );
        }
    }
}
