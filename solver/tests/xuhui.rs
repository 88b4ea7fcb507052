//! The shipped Xuhui screening instance (seed 001): it solves, its roster and the golden
//! one pass `check`, the CT pool keeps its held places for community referrals within
//! each centre's weekly quota, and one more CT session (the shipped scenario) serves
//! more patients.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;

use houniao::check::check;
use houniao::scenario::Scenario;
use houniao::solve::{SolveOptions, SolveStatus, solve};
use houniao::{Instance, Roster};

const XUHUI: &str = include_str!("../../instances/xuhui-screening.toml");
const GOLDEN: &str = include_str!("../../instances/rosters/xuhui-screening.roster.json");
const EXTRA_CT: &str = include_str!("../../instances/scenarios/xuhui-extra-ct-session.toml");

fn options() -> SolveOptions {
    SolveOptions {
        time_limit: 30.0,
        threads: 1,
        ..SolveOptions::default()
    }
}

#[test]
fn the_golden_roster_passes_check() {
    let instance = Instance::from_toml_str(XUHUI).expect("valid");
    let golden = Roster::from_json_str(GOLDEN).expect("roster");
    let report = check(&instance, &golden);
    assert!(report.passed(), "{report:#?}");
    assert!(!golden.resource_bookings.is_empty());
}

#[test]
fn xuhui_solves_and_its_ct_pool_serves_community_referrals_first() {
    let instance = Instance::from_toml_str(XUHUI).expect("valid");
    assert_eq!(instance.resources.len(), 2);
    assert_eq!(instance.resource_pools.len(), 1);
    let report = solve(&instance, options(), &mut |_| {}, &AtomicBool::new(false)).expect("solves");
    let roster = &report.roster;
    let checked = check(&instance, roster);
    assert!(checked.passed(), "{checked:#?}");
    assert_eq!(report.status, SolveStatus::Optimal);
    // Held CT places go to referrals only, at most 4 a session and 3 a centre a week.
    let referrer: BTreeMap<&str, Option<&str>> = instance
        .resource_requests
        .iter()
        .map(|r| {
            (
                r.id.as_str(),
                r.referred_by.map(|s| instance.site(s).id.as_str()),
            )
        })
        .collect();
    let mut per_session: BTreeMap<(String, String), u32> = BTreeMap::new();
    let mut per_centre: BTreeMap<&str, u32> = BTreeMap::new();
    for booking in roster.resource_bookings.iter().filter(|b| b.pool.is_some()) {
        let centre = referrer[booking.request.as_str()].expect("a referral");
        *per_centre.entry(centre).or_default() += 1;
        *per_session
            .entry((booking.date.to_string(), booking.session.clone()))
            .or_default() += 1;
        assert_eq!(booking.resource, "ct-1");
    }
    assert!(per_session.values().all(|n| *n <= 4), "{per_session:?}");
    assert!(per_centre.values().all(|n| *n <= 3), "{per_centre:?}");
    // Every referral is served; what is unmet are general CT requests crowded out early
    // in the week, each with a reason naming the held places.
    let unmet_referrals = roster
        .unmet
        .iter()
        .filter(|u| referrer.get(u.ids[0].as_str()).is_some_and(|r| r.is_some()));
    assert_eq!(unmet_referrals.count(), 0);
    assert!(
        roster
            .unmet
            .iter()
            .filter(|u| referrer.contains_key(u.ids[0].as_str()))
            .all(|u| u.reason.contains("held for referrals")),
        "{:#?}",
        roster.unmet
    );
    // The golden roster is this optimum.
    let golden = Roster::from_json_str(GOLDEN).expect("roster");
    assert_eq!(golden.objective, roster.objective);
}

#[test]
fn one_more_ct_session_serves_more_and_costs_less() {
    let base = Instance::from_toml_str(XUHUI).expect("valid");
    let scenario =
        Scenario::from_str_as(EXTRA_CT, houniao::instance::SourceFormat::Toml).expect("scenario");
    let changed = scenario
        .apply_to_text(XUHUI, houniao::instance::SourceFormat::Toml)
        .expect("applies")
        .instance;
    assert_eq!(changed.resources.len(), 3);
    let before = solve(&base, options(), &mut |_| {}, &AtomicBool::new(false)).expect("solves");
    let after = solve(&changed, options(), &mut |_| {}, &AtomicBool::new(false)).expect("solves");
    assert!(check(&changed, &after.roster).passed());
    assert!(
        after.roster.resource_bookings.len() > before.roster.resource_bookings.len(),
        "{} vs {}",
        after.roster.resource_bookings.len(),
        before.roster.resource_bookings.len()
    );
    assert!(after.roster.objective < before.roster.objective);
}
