//! Rule 13 (houniao's addition, docs/format.md § Resources): a resource booking serves a
//! request that asks for that resource (or its kind) at an allowed site, in a session
//! the resource runs, at the resource's site, within the request's window; each request
//! is booked at most once, and a session takes at most the resource's `places`. Pools
//! on a resource's sessions (rule 12) are checked here too, as rule 12.

use std::collections::{BTreeMap, BTreeSet};

use super::resolve::Resolved;
use super::{Findings, Rule};
use crate::calendar::Slot;
use crate::instance::{Instance, SiteIx};
use crate::resources::{ResourceIx, ResourceTarget};
use crate::text;
use crate::text::{Arg, Separator, Text};

/// Reports every resource booking and session that breaks rule 13 or rule 12.
pub(super) fn check_resource_bookings(
    instance: &Instance,
    resolved: &Resolved<'_>,
    findings: &mut Findings,
) {
    let session_id = |slot: Slot| instance.calendar.sessions()[slot.session].id.clone();
    let mut add = |rule: Rule, slot: Slot, message: Text| {
        findings.add(rule, Some(slot.date), Some(&session_id(slot)), message);
    };
    let mut seen = BTreeSet::new();
    let mut load: BTreeMap<(ResourceIx, Slot), u32> = BTreeMap::new();
    let mut held: BTreeMap<(ResourceIx, Slot), u32> = BTreeMap::new();
    let mut per_week: BTreeMap<(usize, SiteIx, u32), u32> = BTreeMap::new();
    for booked in &resolved.resource_bookings {
        let request = &instance.resource_requests[booked.request.0];
        let resource = instance.resource(booked.resource);
        let slot = booked.slot;
        let what = text!(RequestWhat {
            request: &request.id
        });
        if !seen.insert(booked.request) {
            add(Rule::Resource, slot, text!(BookedTwice { what: &what }));
        }
        *load.entry((booked.resource, slot)).or_default() += 1;
        let asked = match &request.target {
            ResourceTarget::Resource(wanted) => *wanted == booked.resource,
            ResourceTarget::Kind(kind) => resource.kind == *kind,
        };
        if !asked {
            let wanted = match &request.target {
                ResourceTarget::Resource(wanted) => {
                    Arg::from(format!("\"{}\"", instance.resource(*wanted).id))
                }
                ResourceTarget::Kind(kind) => Arg::from(text!(ResourceKindWanted { kind: kind })),
            };
            add(
                Rule::Resource,
                slot,
                text!(ResourceNotAsked {
                    what: &what,
                    wanted: wanted,
                    resource: &resource.id,
                }),
            );
        }
        if booked.site != resource.site {
            add(
                Rule::Resource,
                slot,
                text!(ResourceElsewhere {
                    what: &what,
                    site: &instance.site(booked.site).id,
                    resource: &resource.id,
                    home: &instance.site(resource.site).id,
                }),
            );
        }
        if request
            .sites
            .as_ref()
            .is_some_and(|sites| !sites.contains(&booked.site))
        {
            add(
                Rule::Resource,
                slot,
                text!(BookedSiteNotAllowed {
                    what: &what,
                    site: &instance.site(booked.site).id,
                }),
            );
        }
        if !instance.resource_runs(booked.resource, slot.date, slot.session) {
            add(
                Rule::Resource,
                slot,
                text!(ResourceNotRunning {
                    resource: &resource.id
                }),
            );
        }
        if slot.date < request.earliest || slot.date > request.latest {
            add(
                Rule::Resource,
                slot,
                text!(RequestWindowOutside {
                    what: &what,
                    date: slot.date,
                    earliest: request.earliest,
                    latest: request.latest,
                }),
            );
        }
        let Some(pool_id) = booked.raw.pool.as_deref() else {
            continue;
        };
        let Some(p) = instance.resource_pools.iter().position(|p| p.id == pool_id) else {
            add(
                Rule::References,
                slot,
                text!(PoolUnknown {
                    what: &what,
                    pool: pool_id
                }),
            );
            continue;
        };
        let pool = &instance.resource_pools[p];
        if pool.holder != booked.resource {
            add(
                Rule::Pool,
                slot,
                text!(PoolOtherSpecialist {
                    what: &what,
                    pool: pool_id,
                    holder: &instance.resource(pool.holder).id,
                    who: &resource.id,
                }),
            );
        }
        if !pool.admits_referral(request.referred_by) {
            add(
                Rule::Pool,
                slot,
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
        *held.entry((booked.resource, slot)).or_default() += 1;
        if let (Some(site), Some(week)) =
            (request.referred_by, instance.calendar.week_of(slot.date))
        {
            *per_week.entry((p, site, week)).or_default() += 1;
        }
    }
    for (&(resource, slot), &count) in &load {
        let places = instance.resource(resource).places;
        if count > places {
            add(
                Rule::Resource,
                slot,
                text!(ResourceOverbooked {
                    resource: &instance.resource(resource).id,
                    count: count,
                    places: places,
                }),
            );
        }
        let Some(pool) = instance.resource_pool_of(resource) else {
            continue;
        };
        let taking_held = held.get(&(resource, slot)).copied().unwrap_or(0);
        if taking_held > pool.places {
            add(
                Rule::Pool,
                slot,
                text!(PoolOverHeld {
                    count: taking_held,
                    places: pool.places,
                    pool: &pool.id,
                    who: &instance.resource(resource).id,
                }),
            );
        }
        let general = count - taking_held;
        if general + pool.places > places {
            add(
                Rule::Pool,
                slot,
                text!(PoolGeneralOver {
                    who: &instance.resource(resource).id,
                    count: general,
                    places: pool.places,
                    capacity: places,
                    pool: &pool.id,
                }),
            );
        }
    }
    super::pools::report_quotas(instance, &instance.resource_pools, per_week, findings);
}
