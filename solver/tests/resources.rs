//! Resources (docs/format.md § Resources) on the worked example with a CT scanner: what
//! validation refuses, what the checker's rule 13 finds, and solved rosters that serve
//! resource requests within places, running sessions, held places and quotas.

use std::sync::atomic::AtomicBool;

use houniao::check::{Rule, check};
use houniao::solve::{SolveOptions, solve};
use houniao::{Instance, Roster};

const EXAMPLE: &str = include_str!("../../instances/example-week.toml");

/// One CT at Ningde, mornings only, closed Wednesday, two places a session of which one
/// is held for Jiaocheng's referrals (two a week at most).
const CT: &str = r#"
[[resources]]
id = "ct-1"
name = "CT 1"
site = "ningde"
kind = "ct"
sessions = ["am"]
places = 2
unavailable = ["2026-03-04"]

[[pools]]
id = "ct-community"
resource = "ct-1"
places = 1
for = ["jiaocheng"]
quota = 2
"#;

fn ct_request(id: &str, referred: bool) -> String {
    let referral = if referred {
        "referred_by = \"jiaocheng\"\n"
    } else {
        ""
    };
    format!(
        "[[requests]]\nid = \"{id}\"\npatient = \"P-{id}\"\nresource_kind = \"ct\"\nearliest = \"2026-03-02\"\nlatest = \"2026-03-06\"\n{referral}"
    )
}

/// The example with the CT, six general CT requests and three referrals.
fn with_ct() -> Instance {
    let mut extra = CT.to_string();
    for k in 1..=6 {
        extra.push_str(&ct_request(&format!("ct-g{k}"), false));
    }
    for k in 1..=3 {
        extra.push_str(&ct_request(&format!("ct-r{k}"), true));
    }
    parse(&extra).expect("valid")
}

fn parse(extra: &str) -> Result<Instance, houniao::instance::InstanceError> {
    Instance::from_toml_str(&EXAMPLE.replace("[weights]", &format!("{extra}\n[weights]")))
}

fn problems(extra: &str) -> Vec<String> {
    match parse(extra) {
        Ok(_) => Vec::new(),
        Err(e) => e.diagnostics().iter().map(|d| d.to_string()).collect(),
    }
}

fn solved(instance: &Instance) -> Roster {
    let options = SolveOptions {
        time_limit: 20.0,
        threads: 1,
        ..SolveOptions::default()
    };
    solve(instance, options, &mut |_| {}, &AtomicBool::new(false))
        .expect("solves")
        .roster
}

#[test]
fn resources_and_their_requests_are_read() {
    let instance = with_ct();
    assert_eq!(instance.resources.len(), 1);
    assert_eq!(instance.resources[0].sessions, vec![0]);
    assert_eq!(instance.resource_requests.len(), 9);
    assert_eq!(instance.resource_pools.len(), 1);
    // The clinic requests keep their indices and their field paths.
    assert_eq!(instance.requests.len(), 3);
    assert_eq!(
        instance.request_path(houniao::instance::RequestIx(2)),
        "requests[2]"
    );
}

#[test]
fn wrong_resources_and_resource_requests_are_reported_by_field_path() {
    let found = problems(
        "[[resources]]\nid = \"liu-jun\"\nsite = \"ningde\"\nkind = \"ct\"\nplaces = 0\nsessions = [\"noon\"]\n",
    );
    for wanted in [
        "resources[0].id: \"liu-jun\" is also a specialist's id",
        "resources[0].places",
        "resources[0].sessions[0]: unknown session \"noon\"",
    ] {
        assert!(
            found.iter().any(|p| p.contains(wanted)),
            "{wanted} in {found:#?}"
        );
    }
    let found = problems(&format!(
        "{CT}\n[[pools]]\nid = \"p\"\nresource = \"ct-1\"\nspecialist = \"liu-jun\"\nplaces = 1\nfor = [\"jiaocheng\"]\n"
    ));
    assert!(
        found.iter().any(|p| p.contains(
            "pools[1].resource: a pool holds places of a specialist or of a resource, not both"
        )),
        "{found:#?}"
    );
    let found = problems(&format!(
        "{CT}\n[[requests]]\nid = \"x\"\npatient = \"P\"\nresource_kind = \"cx\"\nspecialist = \"liu-jun\"\nearliest = \"2026-03-02\"\nlatest = \"2026-03-06\"\n\
         [[requests]]\nid = \"y\"\npatient = \"P\"\nresource = \"ct-1\"\nresource_kind = \"ct\"\nearliest = \"2026-03-02\"\nlatest = \"2026-03-06\"\n"
    ));
    for wanted in [
        "requests[3].specialist: a request for a resource has no specialist",
        "requests[3].resource_kind: no resource is of kind \"cx\"",
        "requests[4].resource_kind: a request names a resource or a resource kind, not both",
    ] {
        assert!(
            found.iter().any(|p| p.contains(wanted)),
            "{wanted} in {found:#?}"
        );
    }
}

#[test]
fn a_pool_on_an_unknown_resource_suggests_the_known_one() {
    let found = problems(&format!(
        "{}\n[[pools]]\nid = \"p2\"\nresource = \"ct-2\"\nplaces = 1\nfor = [\"jiaocheng\"]\n",
        CT
    ));
    assert!(
        found.iter().any(
            |p| p.contains("pools[1].resource: unknown resource \"ct-2\"")
                && p.contains("did you mean \"ct-1\"")
        ),
        "{found:#?}"
    );
}

#[test]
fn the_solved_roster_serves_ct_requests_within_places_held_places_and_quota() {
    let instance = with_ct();
    let roster = solved(&instance);
    let report = check(&instance, &roster);
    assert!(report.passed(), "{report:#?}");
    // Four running sessions (Wednesday closed) of two places: eight bookings at most,
    // one held place each of which the quota lets Jiaocheng take two.
    let ct = &roster.resource_bookings;
    assert!(ct.iter().all(|b| b.date.to_string() != "2026-03-04"));
    assert!(ct.iter().all(|b| b.session == "am" && b.site == "ningde"));
    let held: Vec<_> = ct.iter().filter(|b| b.pool.is_some()).collect();
    assert_eq!(held.len(), 2, "{ct:#?}");
    assert!(held.iter().all(|b| b.request.starts_with("ct-r")));
    // Generals fill the four general places; the third referral competes with them.
    assert_eq!(ct.len(), 6, "{ct:#?}");
    // Everyone else is listed as unmet, with a reason naming the CT's full sessions.
    let unmet_ct: Vec<_> = roster
        .unmet
        .iter()
        .filter(|u| u.ids[0].starts_with("ct-"))
        .collect();
    assert_eq!(unmet_ct.len(), 3);
    assert!(
        unmet_ct
            .iter()
            .all(|u| u.reason.contains("session(s) of a resource of kind ct")),
        "{unmet_ct:#?}"
    );
    // The bound covers the CT part too: still optimal on this small week.
    assert_eq!(roster.gap, Some(0.0));
}

#[test]
fn the_checker_applies_rule_13_and_the_pool_to_resource_bookings() {
    let instance = with_ct();
    let roster = solved(&instance);
    let rules = |roster: &Roster| check(&instance, roster).broken_rules();
    // A booking moved to Wednesday, when the CT does not run.
    let mut closed = roster.clone();
    closed.resource_bookings[0].date = "2026-03-04".parse().expect("date");
    assert!(
        rules(&closed).contains(&Rule::Resource),
        "{:?}",
        rules(&closed)
    );
    // A general request that claims the held place.
    let mut claimed = roster.clone();
    let general = claimed
        .resource_bookings
        .iter_mut()
        .find(|b| b.pool.is_none() && b.request.starts_with("ct-g"))
        .expect("a general booking");
    general.pool = Some("ct-community".into());
    assert!(
        rules(&claimed).contains(&Rule::Pool),
        "{:?}",
        rules(&claimed)
    );
    // A booking at the wrong site.
    let mut elsewhere = roster.clone();
    elsewhere.resource_bookings[0].site = "jiaocheng".into();
    assert!(rules(&elsewhere).contains(&Rule::Resource));
    // An unknown resource is a reference error.
    let mut unknown = roster.clone();
    unknown.resource_bookings[0].resource = "ct-7".into();
    assert!(rules(&unknown).contains(&Rule::References));
    // Dropping a booking is valid, but the roster must then list it as unmet.
    let mut dropped = roster.clone();
    dropped.resource_bookings.remove(0);
    let report = check(&instance, &dropped);
    assert!(report.is_valid());
    assert!(
        !report.passed(),
        "the unlisted unmet request is a discrepancy"
    );
}

#[test]
fn a_resource_booking_round_trips_through_the_roster_file() {
    let instance = with_ct();
    let roster = solved(&instance);
    let json = serde_json::to_string_pretty(&roster).expect("json");
    assert!(json.contains("\"resource_bookings\""));
    let read = Roster::from_json_str(&json).expect("reads");
    assert!(check(&instance, &read).passed());
}
