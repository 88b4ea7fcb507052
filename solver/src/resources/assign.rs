//! Serving the instance's resource requests: a small MILP of its own (one binary per
//! request × resource session × general-or-held place), solved by HiGHS. Resource
//! requests share no constraint with the rest of the model, so its optimum and bound add
//! to the rest's: the whole roster's bound stays true. Without HiGHS's answer (error,
//! limit before a solution) a greedy fills sessions by priority and date, and the bound
//! is the cost of serving every request on its best day, ignoring places.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;

use good_lp::{Expression, ProblemVariables, SolverModel, Variable, constraint, variable};

use super::{ResourceIx, ResourceRequest};
use crate::calendar::Slot;
use crate::instance::{Instance, SiteIx};
use crate::milp::highs::{HighsOptions, MilpStatus, run};
use crate::objective::Term;
use crate::roster::{ResourceBooking, Roster};

/// The resource part of a roster.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourcePlan {
    /// One booking per served resource request.
    pub bookings: Vec<ResourceBooking>,
    /// A proven lower bound of the part's objective (wait days and unserved requests).
    pub bound: f64,
    /// Whether the bookings are proven optimal for the part.
    pub optimal: bool,
}

impl ResourcePlan {
    /// Puts the plan's bookings into a roster of the rest of the model, whose bound
    /// (if any) covers the rest only: the bound becomes the sum of both parts', and the
    /// objective, terms and unmet list are recomputed.
    pub fn apply(&self, instance: &Instance, roster: &mut Roster) {
        if instance.resource_requests.is_empty() {
            return;
        }
        roster.resource_bookings = self.bookings.clone();
        roster.bound = roster.bound.map(|bound| bound + self.bound);
        crate::schedule::score_and_explain(instance, roster);
    }
}

/// One way to serve a request: a session of a resource, on a general or a held place.
#[derive(Debug, Clone, Copy)]
struct Choice {
    request: usize,
    resource: ResourceIx,
    slot: Slot,
    held: bool,
    cost: f64,
}

/// Serves the resource requests as well as the time allows.
pub fn plan(instance: &Instance, time_limit: f64) -> ResourcePlan {
    if instance.resource_requests.is_empty() {
        return ResourcePlan {
            bookings: Vec::new(),
            bound: 0.0,
            optimal: true,
        };
    }
    let options = options_of(instance);
    let relaxed_bound = relaxed_bound(instance, &options);
    match solve_exactly(instance, &options, time_limit) {
        Some((chosen, bound, optimal)) => ResourcePlan {
            bookings: bookings_of(instance, &options, &chosen),
            bound: bound.max(relaxed_bound),
            optimal,
        },
        None => {
            let chosen = greedy(instance, &options);
            ResourcePlan {
                bookings: bookings_of(instance, &options, &chosen),
                bound: relaxed_bound,
                optimal: false,
            }
        }
    }
}

fn unserved_cost(instance: &Instance, request: &ResourceRequest) -> f64 {
    instance.weights[Term::UnservedRequest] * f64::from(request.priority)
}

/// Every (request, session, place kind) that rule 13 and rule 12 allow.
fn options_of(instance: &Instance) -> Vec<Choice> {
    let mut out = Vec::new();
    let wait = instance.weights[Term::WaitDay];
    for (q, request) in instance.resource_requests.iter().enumerate() {
        for r in 0..instance.resources.len() {
            let resource = ResourceIx(r);
            if !request.accepts(instance, resource) {
                continue;
            }
            let pool = instance.resource_pool_of(resource);
            let general_places = instance.resource(resource).places - pool.map_or(0, |p| p.places);
            let may_hold = pool.is_some_and(|p| p.admits_referral(request.referred_by));
            for date in instance.calendar.dates() {
                if date < request.earliest || date > request.latest {
                    continue;
                }
                for session in 0..instance.calendar.sessions().len() {
                    if !instance.resource_runs(resource, date, session) {
                        continue;
                    }
                    let slot = Slot { date, session };
                    let days = (date - request.earliest).num_days().max(0) as f64;
                    let cost = wait * f64::from(request.priority) * days;
                    for held in [false, true] {
                        if (held && !may_hold) || (!held && general_places == 0) {
                            continue;
                        }
                        out.push(Choice {
                            request: q,
                            resource,
                            slot,
                            held,
                            cost,
                        });
                    }
                }
            }
        }
    }
    out
}

/// Σ over requests of min(unserved, cheapest way to serve it): places ignored.
fn relaxed_bound(instance: &Instance, options: &[Choice]) -> f64 {
    let mut cheapest: BTreeMap<usize, f64> = BTreeMap::new();
    for option in options {
        let best = cheapest.entry(option.request).or_insert(f64::INFINITY);
        *best = best.min(option.cost);
    }
    instance
        .resource_requests
        .iter()
        .enumerate()
        .map(|(q, request)| {
            let unserved = unserved_cost(instance, request);
            cheapest.get(&q).map_or(unserved, |c| c.min(unserved))
        })
        .sum()
}

/// Places left for general bookings and for held ones, per session.
struct Places {
    general: BTreeMap<(ResourceIx, Slot), u32>,
    held: BTreeMap<(ResourceIx, Slot), u32>,
    quota: BTreeMap<(ResourceIx, SiteIx, u32), u32>,
}

impl Places {
    fn new() -> Self {
        Places {
            general: BTreeMap::new(),
            held: BTreeMap::new(),
            quota: BTreeMap::new(),
        }
    }

    /// Takes the option's place if one is left.
    fn take(&mut self, instance: &Instance, option: &Choice) -> bool {
        let pool = instance.resource_pool_of(option.resource);
        let places = instance.resource(option.resource).places;
        let key = (option.resource, option.slot);
        if option.held {
            let Some(pool) = pool else { return false };
            let referrer = instance.resource_requests[option.request].referred_by;
            let week = instance.calendar.week_of(option.slot.date);
            let quota_key = referrer
                .zip(week)
                .map(|(site, week)| (option.resource, site, week));
            if let (Some(quota), Some(quota_key)) = (pool.quota, quota_key)
                && *self.quota.get(&quota_key).unwrap_or(&0) >= quota
            {
                return false;
            }
            let used = self.held.entry(key).or_default();
            if *used >= pool.places {
                return false;
            }
            *used += 1;
            if let Some(quota_key) = quota_key {
                *self.quota.entry(quota_key).or_default() += 1;
            }
            true
        } else {
            let used = self.general.entry(key).or_default();
            if *used + pool.map_or(0, |p| p.places) >= places {
                return false;
            }
            *used += 1;
            true
        }
    }
}

/// By priority (highest first), then earliest window; each takes its cheapest option
/// with a place left, a held place before a general one.
fn greedy(instance: &Instance, options: &[Choice]) -> Vec<usize> {
    let mut by_request: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (o, option) in options.iter().enumerate() {
        by_request.entry(option.request).or_default().push(o);
    }
    let mut order: Vec<usize> = (0..instance.resource_requests.len()).collect();
    order.sort_by_key(|q| {
        let request = &instance.resource_requests[*q];
        (std::cmp::Reverse(request.priority), request.earliest, *q)
    });
    let mut places = Places::new();
    let mut chosen = Vec::new();
    for q in order {
        let request = &instance.resource_requests[q];
        let Some(candidates) = by_request.get_mut(&q) else {
            continue;
        };
        candidates.sort_by(|a, b| {
            let (a, b) = (&options[*a], &options[*b]);
            a.cost.total_cmp(&b.cost).then(b.held.cmp(&a.held))
        });
        if let Some(&o) = candidates.iter().find(|o| {
            options[**o].cost < unserved_cost(instance, request)
                && places.take(instance, &options[**o])
        }) {
            chosen.push(o);
        }
    }
    chosen
}

/// The MILP: chosen options, a bound, and whether it is proven optimal.
fn solve_exactly(
    instance: &Instance,
    options: &[Choice],
    time_limit: f64,
) -> Option<(Vec<usize>, f64, bool)> {
    let mut pv = ProblemVariables::new();
    let x: Vec<Variable> = options
        .iter()
        .map(|_| pv.add(variable().binary()))
        .collect();
    // Serving a request saves its unserved cost: minimise Σ (cost − unserved) x + Σ unserved.
    let offset: f64 = instance
        .resource_requests
        .iter()
        .map(|r| unserved_cost(instance, r))
        .sum();
    let mut objective = Expression::from(0.0);
    for (o, option) in options.iter().enumerate() {
        let request = &instance.resource_requests[option.request];
        objective += (option.cost - unserved_cost(instance, request)) * x[o];
    }
    let mut problem = pv.minimise(objective).using(good_lp::solvers::highs::highs);
    let mut per_request: BTreeMap<usize, Expression> = BTreeMap::new();
    let mut general: BTreeMap<(ResourceIx, Slot), Expression> = BTreeMap::new();
    let mut held: BTreeMap<(ResourceIx, Slot), Expression> = BTreeMap::new();
    let mut quota: BTreeMap<(ResourceIx, SiteIx, u32), Expression> = BTreeMap::new();
    for (o, option) in options.iter().enumerate() {
        *per_request.entry(option.request).or_default() += x[o];
        let key = (option.resource, option.slot);
        if option.held {
            *held.entry(key).or_default() += x[o];
            let referrer = instance.resource_requests[option.request].referred_by;
            if let (Some(site), Some(week)) =
                (referrer, instance.calendar.week_of(option.slot.date))
            {
                *quota.entry((option.resource, site, week)).or_default() += x[o];
            }
        } else {
            *general.entry(key).or_default() += x[o];
        }
    }
    for (_, served) in per_request {
        problem.add_constraint(constraint!(served <= 1.0));
    }
    for ((resource, _), taken) in general {
        let pool = instance.resource_pool_of(resource).map_or(0, |p| p.places);
        let places = f64::from(instance.resource(resource).places - pool);
        problem.add_constraint(constraint!(taken <= places));
    }
    for ((resource, _), taken) in held {
        let places = instance.resource_pool_of(resource).map_or(0, |p| p.places);
        problem.add_constraint(constraint!(taken <= f64::from(places)));
    }
    for ((resource, _, _), taken) in quota {
        if let Some(limit) = instance.resource_pool_of(resource).and_then(|p| p.quota) {
            problem.add_constraint(constraint!(taken <= f64::from(limit)));
        }
    }
    let highs_options = HighsOptions {
        time_limit: time_limit.max(1.0),
        gap: 0.0,
        threads: 1,
        parallel_tree: false,
    };
    let outcome = run(
        problem,
        offset,
        None,
        highs_options,
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .ok()?;
    let values = outcome.values?;
    let chosen: Vec<usize> = (0..options.len()).filter(|o| values[*o] > 0.5).collect();
    let optimal = outcome.status == MilpStatus::Optimal;
    let bound = match (optimal, outcome.objective, outcome.bound) {
        (true, Some(objective), _) => objective,
        (_, _, Some(bound)) => bound,
        _ => 0.0,
    };
    Some((chosen, bound, optimal))
}

fn bookings_of(instance: &Instance, options: &[Choice], chosen: &[usize]) -> Vec<ResourceBooking> {
    let mut bookings: Vec<ResourceBooking> = chosen
        .iter()
        .map(|o| {
            let option = &options[*o];
            let resource = instance.resource(option.resource);
            ResourceBooking {
                request: instance.resource_requests[option.request].id.clone(),
                resource: resource.id.clone(),
                date: option.slot.date,
                session: instance.calendar.sessions()[option.slot.session].id.clone(),
                site: instance.site(resource.site).id.clone(),
                pool: option
                    .held
                    .then(|| {
                        instance
                            .resource_pool_of(option.resource)
                            .map(|p| p.id.clone())
                    })
                    .flatten(),
            }
        })
        .collect();
    bookings.sort_by(|a, b| a.request.cmp(&b.request));
    bookings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instance_without_resource_requests_has_an_empty_plan() {
        let instance =
            Instance::from_toml_str(include_str!("../../../instances/example-week.toml"))
                .expect("valid");
        let plan = plan(&instance, 5.0);
        assert!(plan.bookings.is_empty());
        assert_eq!(plan.bound, 0.0);
        assert!(plan.optimal);
    }
}
