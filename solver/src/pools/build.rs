//! Validating `[[pools]]`: ids unique, the holder (a specialist, or a resource) and the
//! referring sites known (with "did you mean"), places within the holder's places per
//! session, one pool per holder, quota and release hours in range.

use std::collections::BTreeMap;

use crate::diagnostics::{Diagnostics, did_you_mean};
use crate::instance::raw::RawPool;
use crate::instance::{Instance, SiteIx};

use super::Pool;
use crate::resources::ResourceIx;

/// Whose sessions a pool holds places of.
#[derive(Clone, Copy)]
enum Holder {
    Specialist(crate::instance::SpecialistIx),
    Resource(ResourceIx),
}

/// Release hours longer than this (a year) are surely a mistake.
const MAX_RELEASE_HOURS: i64 = 24 * 366;
/// Quotas larger than this are surely a mistake.
const MAX_QUOTA: i64 = 10_000;

/// Every pool of the file — those of specialists and those of resources —, or
/// diagnostics for those that are wrong.
pub(crate) fn build(
    raw: &[RawPool],
    instance: &Instance,
    d: &mut Diagnostics,
) -> (Vec<Pool>, Vec<Pool<ResourceIx>>) {
    let mut first_id: BTreeMap<String, usize> = BTreeMap::new();
    let mut first_of: BTreeMap<usize, usize> = BTreeMap::new();
    let mut first_of_resource: BTreeMap<usize, usize> = BTreeMap::new();
    let mut pools = Vec::new();
    let mut resource_pools = Vec::new();
    for (i, pool) in raw.iter().enumerate() {
        let path = |field: &str| format!("pools[{i}].{field}");
        let id = match pool.id.as_deref().map(str::trim) {
            None => {
                d.error(path("id"), "missing required field");
                None
            }
            Some("") => {
                d.error(path("id"), "must not be empty");
                None
            }
            Some(id) => match first_id.get(id) {
                Some(previous) => {
                    d.error(
                        path("id"),
                        format!("duplicate pool id \"{id}\" (first used by pools[{previous}])"),
                    );
                    None
                }
                None => {
                    first_id.insert(id.to_string(), i);
                    Some(id.to_string())
                }
            },
        };
        let holder = match (&pool.specialist, &pool.resource) {
            (None, None) => {
                d.error_hint(
                    path("specialist"),
                    "missing required field",
                    "name the specialist (or the `resource`) whose places the pool holds",
                );
                None
            }
            (Some(_), Some(_)) => {
                d.error_hint(
                    path("resource"),
                    "a pool holds places of a specialist or of a resource, not both",
                    "keep one of `specialist` and `resource`",
                );
                None
            }
            (Some(name), None) => match instance.specialist_ix(name) {
                Some(ix) => Some(Holder::Specialist(ix)),
                None => {
                    d.error_maybe_hint(
                        path("specialist"),
                        format!("unknown specialist \"{name}\""),
                        did_you_mean(name, instance.specialists.iter().map(|s| s.id.as_str())),
                    );
                    None
                }
            },
            (None, Some(name)) => match instance.resource_ix(name) {
                Some(ix) => Some(Holder::Resource(ix)),
                None => {
                    d.error_maybe_hint(
                        path("resource"),
                        format!("unknown resource \"{name}\""),
                        did_you_mean(name, instance.resources.iter().map(|r| r.id.as_str())),
                    );
                    None
                }
            },
        };
        let (holder_field, holder_id, seen) = match holder {
            Some(Holder::Specialist(who)) => (
                "specialist",
                instance.specialist(who).id.as_str(),
                first_of.get(&who.0).copied(),
            ),
            Some(Holder::Resource(ix)) => (
                "resource",
                instance.resource(ix).id.as_str(),
                first_of_resource.get(&ix.0).copied(),
            ),
            None => ("specialist", "", None),
        };
        match (holder, seen) {
            (Some(_), Some(previous)) => d.error_hint(
                path(holder_field),
                format!("\"{holder_id}\" already has a pool (pools[{previous}])"),
                "one pool per holder: list every referring site in its `for`",
            ),
            (Some(Holder::Specialist(who)), None) => {
                first_of.insert(who.0, i);
            }
            (Some(Holder::Resource(ix)), None) => {
                first_of_resource.insert(ix.0, i);
            }
            (None, _) => {}
        }
        let capacity = holder.map(|holder| match holder {
            Holder::Specialist(who) => (
                instance.specialist(who).clinic_capacity,
                "a pool holds places of the specialist's sessions (clinic_capacity)",
            ),
            Holder::Resource(ix) => (
                instance.resource(ix).places,
                "a pool holds places of the resource's sessions (its places)",
            ),
        });
        let places = match pool.places {
            None => {
                d.error(path("places"), "missing required field");
                None
            }
            Some(n) if n < 1 => {
                d.error(path("places"), format!("{n} is out of range (must be ≥ 1)"));
                None
            }
            Some(n) => match capacity {
                Some((capacity, hint)) if n > i64::from(capacity) => {
                    d.error_hint(
                        path("places"),
                        format!("{n} places is more than the {capacity} of a session"),
                        hint,
                    );
                    None
                }
                _ => u32::try_from(n).ok(),
            },
        };
        let referrers = referring_sites(&pool.referrers, instance, d, &path("for"));
        let quota = match pool.quota {
            None => Some(None),
            Some(n) if !(0..=MAX_QUOTA).contains(&n) => {
                d.error(
                    path("quota"),
                    format!("{n} is out of range (must be in 0..={MAX_QUOTA})"),
                );
                None
            }
            Some(n) => u32::try_from(n).ok().map(Some),
        };
        let release_hours = match pool.release_hours {
            None => Some(0),
            Some(n) if !(0..=MAX_RELEASE_HOURS).contains(&n) => {
                d.error(
                    path("release_hours"),
                    format!("{n} is out of range (must be in 0..={MAX_RELEASE_HOURS})"),
                );
                None
            }
            Some(n) => u32::try_from(n).ok(),
        };
        if let (
            Some(id),
            Some(holder),
            Some(places),
            Some(referrers),
            Some(quota),
            Some(release_hours),
        ) = (id, holder, places, referrers, quota, release_hours)
        {
            match holder {
                Holder::Specialist(holder) => pools.push(Pool {
                    id,
                    holder,
                    places,
                    referrers,
                    quota,
                    release_hours,
                }),
                Holder::Resource(holder) => resource_pools.push(Pool {
                    id,
                    holder,
                    places,
                    referrers,
                    quota,
                    release_hours,
                }),
            }
        }
    }
    (pools, resource_pools)
}

/// The `for` list: at least one site, each known, none twice.
fn referring_sites(
    ids: &[String],
    instance: &Instance,
    d: &mut Diagnostics,
    path: &str,
) -> Option<Vec<SiteIx>> {
    if ids.is_empty() {
        d.error_hint(
            path,
            "no referring sites",
            "list the community centres whose referrals may take the held places",
        );
        return None;
    }
    let mut sites = Vec::new();
    let mut ok = true;
    for (k, id) in ids.iter().enumerate() {
        match instance.site_ix(id) {
            Some(site) if sites.contains(&site) => {
                d.error(
                    format!("{path}[{k}]"),
                    format!("site \"{id}\" is listed twice"),
                );
                ok = false;
            }
            Some(site) => sites.push(site),
            None => {
                d.error_maybe_hint(
                    format!("{path}[{k}]"),
                    format!("unknown site \"{id}\""),
                    did_you_mean(id, instance.sites.iter().map(|s| s.id.as_str())),
                );
                ok = false;
            }
        }
    }
    ok.then_some(sites)
}

#[cfg(test)]
mod tests {
    use crate::Instance;

    fn with(pools: &str) -> Result<Instance, crate::instance::InstanceError> {
        let base = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../instances/example-week.toml"
        ))
        .unwrap_or_default();
        Instance::from_toml_str(&format!("{base}\n{pools}"))
    }

    fn problems(pools: &str) -> Vec<String> {
        match with(pools) {
            Ok(_) => Vec::new(),
            Err(e) => e.diagnostics().iter().map(|d| d.to_string()).collect(),
        }
    }

    #[test]
    fn a_pool_is_read_with_its_defaults() {
        let instance = with(
            "[[pools]]\nid = \"liu-referrals\"\nspecialist = \"liu-jun\"\nplaces = 4\nfor = [\"jiaocheng\"]\n",
        )
        .expect("valid");
        let pool = &instance.pools[0];
        assert_eq!(pool.places, 4);
        assert_eq!(pool.quota, None);
        assert_eq!(pool.release_hours, 0);
        assert!(instance.pool_of(pool.holder).is_some());
    }

    #[test]
    fn wrong_pools_are_reported_by_field_path() {
        let found = problems(
            "[[pools]]\nid = \"a\"\nspecialist = \"liu-jn\"\nplaces = 0\nfor = [\"jiaochen\"]\nrelease_hours = -1\n\
             [[pools]]\nid = \"a\"\nspecialist = \"liu-jun\"\nplaces = 999\nfor = []\n",
        );
        for wanted in [
            "pools[0].specialist",
            "did you mean \"liu-jun\"",
            "pools[0].places",
            "pools[0].for[0]",
            "pools[0].release_hours",
            "pools[1].id",
            "pools[1].places",
            "pools[1].for",
        ] {
            assert!(
                found.iter().any(|p| p.contains(wanted)),
                "{wanted} in {found:#?}"
            );
        }
    }
}
