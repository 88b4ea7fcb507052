//! Validating `[[pools]]`: ids unique, the specialist and referring sites known (with
//! "did you mean"), places within the specialist's clinic capacity, one pool per
//! specialist, quota and release hours in range.

use std::collections::BTreeMap;

use crate::diagnostics::{Diagnostics, did_you_mean};
use crate::instance::raw::RawPool;
use crate::instance::{Instance, SiteIx};

use super::Pool;

/// Release hours longer than this (a year) are surely a mistake.
const MAX_RELEASE_HOURS: i64 = 24 * 366;
/// Quotas larger than this are surely a mistake.
const MAX_QUOTA: i64 = 10_000;

/// Every pool of the file, or diagnostics for those that are wrong.
pub(crate) fn build(raw: &[RawPool], instance: &Instance, d: &mut Diagnostics) -> Vec<Pool> {
    let mut first_id: BTreeMap<String, usize> = BTreeMap::new();
    let mut first_of: BTreeMap<usize, usize> = BTreeMap::new();
    let mut pools = Vec::new();
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
        let specialist = match &pool.specialist {
            None => {
                d.error_hint(
                    path("specialist"),
                    "missing required field",
                    "name the specialist whose clinic places the pool holds",
                );
                None
            }
            Some(name) => match instance.specialist_ix(name) {
                Some(ix) => Some(ix),
                None => {
                    d.error_maybe_hint(
                        path("specialist"),
                        format!("unknown specialist \"{name}\""),
                        did_you_mean(name, instance.specialists.iter().map(|s| s.id.as_str())),
                    );
                    None
                }
            },
        };
        if let Some(who) = specialist {
            if let Some(previous) = first_of.get(&who.0) {
                d.error_hint(
                    path("specialist"),
                    format!(
                        "\"{}\" already has a pool (pools[{previous}])",
                        instance.specialist(who).id
                    ),
                    "one pool per specialist: list every referring site in its `for`",
                );
            } else {
                first_of.insert(who.0, i);
            }
        }
        let capacity = specialist.map(|who| instance.specialist(who).clinic_capacity);
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
                Some(capacity) if n > i64::from(capacity) => {
                    d.error_hint(
                        path("places"),
                        format!("{n} places is more than the {capacity} of a session"),
                        "a pool holds places of the specialist's sessions (clinic_capacity)",
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
            Some(specialist),
            Some(places),
            Some(referrers),
            Some(quota),
            Some(release_hours),
        ) = (id, specialist, places, referrers, quota, release_hours)
        {
            pools.push(Pool {
                id,
                specialist,
                places,
                referrers,
                quota,
                release_hours,
            });
        }
    }
    pools
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
        assert!(instance.pool_of(pool.specialist).is_some());
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
