//! Reserved referral pools (rule 12, docs/format.md § Pools) on the worked example:
//! the checker's verdicts, and rosters of every strategy that keep held places for
//! referrals and within each centre's weekly quota.

use std::sync::atomic::AtomicBool;

use houniao::check::{Rule, check};
use houniao::greedy;
use houniao::roster::RosterStatus;
use houniao::schedule::Provenance;
use houniao::solve::{SolveOptions, Strategy, solve};
use houniao::{Instance, Roster};

const EXAMPLE: &str = include_str!("../../instances/example-week.toml");
const ROSTER: &str = include_str!("data/roster.example.json");

/// The example with every place of Liu Jun's sessions held for Jiaocheng's referrals,
/// and what else is given.
fn example_with(extra: &str, referred: bool) -> Instance {
    let mut text = EXAMPLE.to_string();
    if referred {
        text = text.replace(
            "id = \"r-001\"\npatient = \"P-2231\"\n",
            "id = \"r-001\"\npatient = \"P-2231\"\nreferred_by = \"jiaocheng\"\n",
        );
    }
    text = text.replace("[weights]", &format!("{extra}\n[weights]"));
    Instance::from_toml_str(&text).expect("valid")
}

const ALL_HELD: &str = "[[pools]]\nid = \"liu-referrals\"\nspecialist = \"liu-jun\"\nplaces = 15\nfor = [\"jiaocheng\"]\n";

fn rules(instance: &Instance, roster: &Roster) -> Vec<Rule> {
    check(instance, roster).broken_rules()
}

#[test]
fn the_checker_keeps_held_places_for_referrals() {
    let roster = Roster::from_json_str(ROSTER).expect("roster");
    // r-001 is not referred: with every place held it breaks rule 12…
    let unreferred = example_with(ALL_HELD, false);
    assert_eq!(rules(&unreferred, &roster), vec![Rule::Pool]);
    // …and naming the pool does not help.
    let mut claimed = roster.clone();
    let booking = claimed
        .bookings
        .iter_mut()
        .find(|b| b.request == "r-001")
        .expect("r-001 is booked");
    booking.pool = Some("liu-referrals".into());
    let report = check(&unreferred, &claimed);
    assert_eq!(report.broken_rules(), vec![Rule::Pool]);
    assert!(
        report.violations[0]
            .message
            .contains("none of them refers it"),
        "{:?}",
        report.violations
    );
    // A referral from Jiaocheng may take the held place.
    let referred = example_with(ALL_HELD, true);
    assert!(check(&referred, &claimed).is_valid());
    assert_eq!(rules(&referred, &roster), vec![Rule::Pool]);
    // An unknown pool is a reference error.
    booking_pool(&mut claimed, "r-001", "liu-referals");
    assert_eq!(rules(&referred, &claimed), vec![Rule::References]);
}

fn booking_pool(roster: &mut Roster, request: &str, pool: &str) {
    if let Some(b) = roster.bookings.iter_mut().find(|b| b.request == request) {
        b.pool = Some(pool.into());
    }
}

/// Three more referrals for Liu Jun from Jiaocheng, one from Ningde.
const MORE: &str = "
[[requests]]
id = \"r-101\"
patient = \"P-101\"
specialist = \"liu-jun\"
earliest = \"2026-03-02\"
latest = \"2026-03-06\"
referred_by = \"jiaocheng\"

[[requests]]
id = \"r-102\"
patient = \"P-102\"
specialist = \"liu-jun\"
earliest = \"2026-03-02\"
latest = \"2026-03-06\"
referred_by = \"jiaocheng\"

[[requests]]
id = \"r-103\"
patient = \"P-103\"
specialist = \"liu-jun\"
earliest = \"2026-03-02\"
latest = \"2026-03-06\"
referred_by = \"ningde\"
";

fn booked(roster: &Roster) -> Vec<(String, Option<String>)> {
    let mut list: Vec<(String, Option<String>)> = roster
        .bookings
        .iter()
        .filter(|b| b.specialist == "liu-jun")
        .map(|b| (b.request.clone(), b.pool.clone()))
        .collect();
    list.sort();
    list
}

#[test]
fn every_strategy_keeps_held_places_and_quotas() {
    // Every place held for Jiaocheng, at most two a week: of Jiaocheng's three
    // referrals two are booked, Ningde's referral and r-001 are not.
    let quota = format!("{ALL_HELD}quota = 2\n{MORE}");
    let instance = example_with(&quota, false);
    let from_greedy = greedy::build(&instance).expect("greedy").to_roster(
        &instance,
        Provenance {
            status: RosterStatus::Feasible,
            bound: None,
            seconds: 0.0,
        },
    );
    assert!(
        check(&instance, &from_greedy).passed(),
        "{:#?}",
        check(&instance, &from_greedy)
    );
    let greedy_booked = booked(&from_greedy);
    assert_eq!(greedy_booked.len(), 2, "{greedy_booked:?}");
    assert!(greedy_booked.iter().all(|(r, pool)| r.starts_with("r-10")
        && r != "r-103"
        && pool.as_deref() == Some("liu-referrals")));
    for strategy in [Strategy::Milp, Strategy::Lns] {
        let options = SolveOptions {
            time_limit: 20.0,
            threads: 1,
            strategy,
            work_limit: Some(2_000),
            ..SolveOptions::default()
        };
        let report =
            solve(&instance, options, &mut |_| {}, &AtomicBool::new(false)).expect("solves");
        let checked = check(&instance, &report.roster);
        assert!(checked.passed(), "{strategy:?}: {checked:#?}");
        assert_eq!(
            booked(&report.roster),
            greedy_booked_like(&report.roster),
            "{strategy:?}"
        );
        assert_eq!(booked(&report.roster).len(), 2, "{strategy:?}");
    }
}

/// Two of Jiaocheng's referrals, each in a held place (which two the solver chooses).
fn greedy_booked_like(roster: &Roster) -> Vec<(String, Option<String>)> {
    booked(roster)
        .into_iter()
        .filter(|(r, pool)| {
            (r == "r-101" || r == "r-102") && pool.as_deref() == Some("liu-referrals")
        })
        .collect()
}

#[test]
fn general_places_stay_general_when_the_pool_holds_only_some() {
    // Five of fifteen places held: r-001 books a general place, no pool named.
    let instance = example_with(
        "[[pools]]\nid = \"liu-referrals\"\nspecialist = \"liu-jun\"\nplaces = 5\nfor = [\"jiaocheng\"]\n",
        false,
    );
    let options = SolveOptions {
        time_limit: 20.0,
        threads: 1,
        ..SolveOptions::default()
    };
    let report = solve(&instance, options, &mut |_| {}, &AtomicBool::new(false)).expect("solves");
    assert!(check(&instance, &report.roster).passed());
    assert_eq!(report.roster.objective, 60.0);
    assert_eq!(booked(&report.roster), vec![("r-001".to_string(), None)]);
}

mod desk {
    use std::sync::Arc;

    use chrono::{DateTime, NaiveDate, Utc};
    use houniao::booking::{BookingBook, BookingError, Ledger, PatientRequest};
    use houniao::{Instance, Roster};

    use super::{EXAMPLE, ROSTER};

    /// Fourteen of Liu Jun's fifteen places held for Jiaocheng (one a week each), released
    /// a day ahead: with r-001 in the roster's general place, his sessions have no
    /// general place left.
    fn book() -> BookingBook {
        let text = EXAMPLE.replace(
            "[weights]",
            "[[pools]]\nid = \"liu-referrals\"\nspecialist = \"liu-jun\"\nplaces = 14\nfor = [\"jiaocheng\"]\nquota = 1\nrelease_hours = 24\n\n[weights]",
        );
        let instance = Arc::new(Instance::from_toml_str(&text).expect("valid"));
        let roster = Roster::from_json_str(ROSTER).expect("roster");
        BookingBook::open(instance, &roster, Ledger::new("example-week")).expect("opens")
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("instant")
            .with_timezone(&Utc)
    }

    fn ask(patient: &str, referred_by: Option<&str>) -> PatientRequest {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 3, d).unwrap_or_default();
        PatientRequest {
            patient: patient.into(),
            referred_by: referred_by.map(str::to_string),
            ..PatientRequest::for_specialist("liu-jun", day(2), day(6))
        }
    }

    #[test]
    fn held_places_go_to_listed_referrals_until_release_then_to_anyone() {
        let mut book = book();
        let early = at("2026-02-27T00:00:00Z");
        book.set_clock(Some(early));
        // A walk-in patient may take only the one general place of each session…
        let general = book.search(&ask("P-1", None), 10).expect("search");
        assert!(!general.options.is_empty());
        assert!(
            general.options.iter().all(|o| o.places_left <= 1),
            "{general:?}"
        );
        // …and Jiaocheng's referral one held place too (its quota is one a week).
        let referral = book
            .search(&ask("P-2", Some("jiaocheng")), 10)
            .expect("search");
        for option in &referral.options {
            let walk_in = general
                .options
                .iter()
                .find(|g| g.session == option.session)
                .map_or(0, |g| g.places_left);
            assert_eq!(option.places_left, walk_in + 1, "{option:?}");
        }
        // Walk-ins fill the general places; the next hears why there is none.
        for n in 0..general
            .options
            .iter()
            .filter(|o| o.places_left == 1)
            .count()
        {
            let booked = book
                .book_best(&ask(&format!("P-1{n}"), None), early)
                .expect("a general place");
            assert_eq!(booked.booking.pool, None);
        }
        let turned_away = book.search(&ask("P-19", None), 10).expect("search");
        assert!(turned_away.options.is_empty(), "{turned_away:?}");
        assert!(
            turned_away.reasons.iter().any(|r| r
                == "14 place(s) of Liu Jun's Tue Mar 3 am session are held for \
                    referrals from Jiaocheng Community Health Centre until Mar 2 08:00"),
            "{:?}",
            turned_away.reasons
        );
        assert!(
            !turned_away.reasons.iter().any(|r| r.contains("full")),
            "held places are not full ones: {:?}",
            turned_away.reasons
        );
        assert!(matches!(
            book.book_best(&ask("P-19", None), early),
            Err(BookingError::NoOption { .. })
        ));
        // The referral takes a held place…
        let booked = book
            .book_best(&ask("P-2", Some("jiaocheng")), early)
            .expect("books");
        assert_eq!(booked.booking.pool.as_deref(), Some("liu-referrals"));
        let session = booked.booking.session.clone();
        // …and with its quota of one a week used, the next referral is a walk-in.
        let next = book
            .search(&ask("P-3", Some("jiaocheng")), 10)
            .expect("search");
        assert!(next.options.is_empty(), "{next:?}");
        // A day before the session its held places are anyone's.
        let release = format!("{}T00:00:00Z", session.date - chrono::Duration::days(1));
        book.set_clock(Some(at(&release)));
        let late = book.search(&ask("P-19", None), 10).expect("search");
        assert!(
            late.options
                .iter()
                .any(|o| o.session == session && o.places_left == 13),
            "{late:?}"
        );
        // Cancelling the referral's booking gives its held place back.
        let before = book.places_left_in(&session).expect("session");
        book.cancel(&booked.booking.id, at(&release))
            .expect("cancels");
        assert_eq!(book.places_left_in(&session).expect("session"), before + 1);
        let referral = book
            .search(&ask("P-4", Some("jiaocheng")), 10)
            .expect("search");
        assert!(!referral.options.is_empty(), "the quota is free again");
    }

    #[test]
    fn a_pools_release_offers_its_free_held_places_to_the_waitlist() {
        let mut book = book();
        let early = at("2026-02-27T00:00:00Z");
        book.set_clock(Some(early));
        // Walk-ins take every general place; the next one waits.
        let mut n = 0;
        while book
            .book_best(&ask(&format!("P-1{n}"), None), early)
            .is_ok()
        {
            n += 1;
        }
        let entry = book
            .join_waitlist(&ask("P-19", None), early)
            .expect("joins")
            .id;
        // Before any release nothing is offered: the held places are Jiaocheng's.
        assert!(book.settle_offers(early).is_empty());
        assert!(book.offers().is_empty());
        // At the release of the first session a day ahead, its held places are
        // anyone's: the waitlisted walk-in is offered one of them.
        let release = at("2026-03-02T00:00:00Z");
        book.set_clock(Some(release));
        let made = book.settle_offers(release);
        assert_eq!(made.len(), 1, "{:?}", book.offers());
        let offer = book.offers()[0].clone();
        assert_eq!(offer.entry, entry);
        assert_eq!(offer.session.specialist, "liu-jun");
        // Released: a session starting within a day of now.
        assert_eq!(
            offer.session.date,
            NaiveDate::from_ymd_opt(2026, 3, 3).unwrap_or_default()
        );
        // Settling again makes no second offer; accepting books a place (a held one).
        assert!(book.settle_offers(release).is_empty());
        let accepted = book.accept_offer(&offer.id, release).expect("accepts");
        assert_eq!(accepted.confirmation.booking.session, offer.session);
    }

    #[test]
    fn accepting_the_last_released_place_keeps_it_from_the_next_in_line() {
        let mut book = book();
        let release = at("2026-03-02T00:00:00Z");
        book.set_clock(Some(release));
        let tuesday = |patient: &str| {
            let day = NaiveDate::from_ymd_opt(2026, 3, 3).unwrap_or_default();
            PatientRequest {
                patient: patient.into(),
                ..PatientRequest::for_specialist("liu-jun", day, day)
            }
        };
        // Released: walk-ins fill Tuesday, held places too; two more wait.
        let session: houniao::booking::SessionRef = "liu-jun@2026-03-03:am".parse().expect("id");
        let mut walk_ins = Vec::new();
        while book.places_left_in(&session).expect("session") > 0 {
            let request = tuesday(&format!("P-3{}", walk_ins.len()));
            walk_ins.push(book.book(&request, &session, release).expect("a place"));
        }
        let first = book
            .join_waitlist(&tuesday("P-first"), release)
            .expect("joins");
        book.join_waitlist(&tuesday("P-next"), release)
            .expect("joins");
        // A walk-in in a held place cancels: the first in line is offered it.
        let held = walk_ins
            .iter()
            .rfind(|c| c.booking.pool.is_some())
            .expect("a walk-in in a released held place");
        let cancelled = book.cancel(&held.booking.id, release).expect("cancels");
        let offer = cancelled.offers.first().cloned().expect("offered");
        assert_eq!(offer.entry, first.id);
        let accepted = book.accept_offer(&offer.id, release).expect("accepts");
        assert_eq!(accepted.confirmation.booking.session, session);
        assert_eq!(book.places_left_in(&session).expect("session"), 0);
        assert!(
            book.offers().iter().all(|o| !o.is_pending()),
            "nothing left to offer: {:?}",
            book.offers()
        );
    }
}
