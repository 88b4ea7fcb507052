//! The booking desk for resources on the shipped Xuhui instance and its golden roster:
//! CT sessions searched and booked with the places each caller may take (held places
//! for community referrals, within quota, until release), the last place taken once,
//! cancellations by id, and a ledger that replays to the same places.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use houniao::booking::{BookingBook, BookingError, Ledger, PatientRequest, SessionRef};
use houniao::{Instance, Roster};

const XUHUI: &str = include_str!("../../instances/xuhui-screening.toml");
const GOLDEN: &str = include_str!("../../instances/rosters/xuhui-screening.roster.json");

/// The golden roster with its CT bookings left out: every CT place is the desk's.
fn book() -> BookingBook {
    let mut roster = Roster::from_json_str(GOLDEN).expect("roster");
    roster.resource_bookings.clear();
    open(&roster, Ledger::new("xuhui-screening"))
}

fn open(roster: &Roster, ledger: Ledger) -> BookingBook {
    let instance = Arc::new(Instance::from_toml_str(XUHUI).expect("valid"));
    let mut book = BookingBook::open(instance, roster, ledger).expect("opens");
    book.set_clock(Some(at("2026-02-26T00:00:00Z")));
    book
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("instant")
        .with_timezone(&Utc)
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap_or_default()
}

fn ct(patient: &str, referred_by: Option<&str>, from: u32, to: u32) -> PatientRequest {
    PatientRequest {
        patient: patient.into(),
        specialist: None,
        discipline: None,
        sites: Vec::new(),
        earliest: day(from),
        latest: day(to),
        substitute_ok: false,
        priority: 1,
        referred_by: referred_by.map(str::to_string),
        resource: None,
        resource_kind: Some("ct".into()),
    }
}

#[test]
fn a_walk_in_sees_only_general_places_and_a_referral_the_held_ones_too() {
    let book = book();
    let walk_in = book.search(&ct("", None, 6, 6), 20).expect("search");
    let referral = book
        .search(&ct("", Some("tianping"), 6, 6), 20)
        .expect("search");
    assert!(!referral.options.is_empty(), "{referral:?}");
    let ct1 = |result: &houniao::booking::SearchResult| {
        result
            .options
            .iter()
            .filter(|o| o.session.resource.as_deref() == Some("ct-1"))
            .map(|o| o.places_left)
            .sum::<u32>()
    };
    assert!(ct1(&referral) > ct1(&walk_in), "{walk_in:?}\n{referral:?}");
    for option in &referral.options {
        assert_eq!(option.id, option.session.to_string());
        assert!(option.id.starts_with("ct-"));
        assert_eq!(option.discipline, "ct");
    }
}

#[test]
fn booking_the_last_place_twice_fails_once_and_cancelling_frees_it() {
    let mut book = book();
    let now = at("2026-02-26T01:00:00Z");
    let request = ct("P-1", None, 6, 6);
    let option: SessionRef = "ct-2@2026-03-06:pm".parse().expect("option");
    let left = book.places_left_in(&option).ok();
    // A resource session is not a specialist's: places_left_in names no resource.
    assert!(left.is_none());
    let mut booked = Vec::new();
    let mut failure = None;
    for n in 0..20 {
        match book.book(&ct(&format!("P-{n}"), None, 6, 6), &option, now) {
            Ok(confirmation) => booked.push(confirmation.booking.id),
            Err(error) => {
                failure = Some(error);
                break;
            }
        }
    }
    assert!(!booked.is_empty());
    match failure {
        Some(BookingError::Taken { capacity, .. }) => assert_eq!(capacity, 10),
        other => panic!("expected the session to fill: {other:?}"),
    }
    // The same patient cannot take a second place in the session.
    let again = book.book(&ct("P-0", None, 6, 6), &option, now);
    assert!(again.is_err());
    // Cancelling one frees one place, which the next patient takes.
    let cancelled = book.cancel(&booked[0], now).expect("cancels");
    assert_eq!(cancelled.places_left, 1);
    assert_eq!(cancelled.session.resource.as_deref(), Some("ct-2"));
    book.book(&ct("P-new", None, 6, 6), &option, now)
        .expect("the freed place");
    assert!(book.book(&request, &option, now).is_err());
    // The ledger replays to the same places.
    let mut roster = Roster::from_json_str(GOLDEN).expect("roster");
    roster.resource_bookings.clear();
    let reopened = open(&roster, book.ledger().clone());
    let mut reopened = reopened;
    assert!(
        reopened
            .book(&ct("P-late", None, 6, 6), &option, now)
            .is_err()
    );
    let listed = reopened.bookings(None, None).expect("bookings");
    assert!(
        listed
            .iter()
            .any(|b| b.session.resource.as_deref() == Some("ct-2"))
    );
}

#[test]
fn held_places_go_to_referrals_within_quota_and_to_anyone_after_release() {
    let mut book = book();
    let early = at("2026-02-26T01:00:00Z");
    let option: SessionRef = "ct-1@2026-03-06:pm".parse().expect("option");
    // Walk-ins fill the general places of Friday afternoon's CT 1.
    let mut n = 0;
    while book
        .book(&ct(&format!("W-{n}"), None, 6, 6), &option, early)
        .is_ok()
    {
        n += 1;
    }
    let turned_away = book.search(&ct("W-x", None, 6, 6), 20).expect("search");
    assert!(
        turned_away
            .options
            .iter()
            .all(|o| o.session.to_string() != option.to_string()),
        "{turned_away:?}"
    );
    // A referral takes a held place, naming the pool.
    let referral = book
        .book(&ct("R-1", Some("huajing"), 6, 6), &option, early)
        .expect("a held place");
    assert_eq!(referral.booking.pool.as_deref(), Some("ct-community"));
    // After release (24 h before the 13:00 session, on the session clock) anyone may.
    let late = at("2026-03-05T06:00:00Z");
    book.set_clock(Some(late));
    let released = book
        .book(&ct("W-late", None, 6, 6), &option, late)
        .expect("a released place");
    assert_eq!(released.booking.pool.as_deref(), Some("ct-community"));
}

#[test]
fn wrong_resource_requests_are_refused_with_their_fields() {
    let book = book();
    let mut request = ct("", None, 2, 6);
    request.resource_kind = Some("mri".into());
    request.specialist = Some("zhang-wei".into());
    match book.search(&request, 10) {
        Err(BookingError::InvalidRequest { problems }) => {
            let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
            assert!(paths.contains(&"resource_kind"), "{problems:?}");
            assert!(paths.contains(&"specialist"), "{problems:?}");
        }
        other => panic!("expected an invalid request: {other:?}"),
    }
    // A clinic option does not take a CT request.
    let mut book = book;
    let clinic: SessionRef = "zhang-wei@2026-03-02:am".parse().expect("option");
    assert!(
        book.book(&ct("P", None, 2, 6), &clinic, at("2026-02-26T01:00:00Z"))
            .is_err()
    );
}

#[test]
fn the_golden_week_is_full_and_a_roster_booking_cancelled_by_its_request_frees_a_place() {
    let roster = Roster::from_json_str(GOLDEN).expect("roster");
    let mut book = open(&roster, Ledger::new("xuhui-screening"));
    let now = at("2026-02-26T01:00:00Z");
    let monday = book.search(&ct("W", None, 2, 2), 20).expect("search");
    assert!(monday.options.is_empty(), "{monday:?}");
    assert!(monday.reasons[0].contains("are full"), "{monday:?}");
    // Cancelling a general roster booking of Monday gives the walk-in its place.
    let general = roster
        .resource_bookings
        .iter()
        .find(|b| b.pool.is_none() && b.date == day(2))
        .expect("a general Monday booking");
    let cancelled = book.cancel(&general.request, now).expect("cancels");
    assert_eq!(cancelled.id, general.request);
    assert!(
        book.cancel(&general.request, now).is_err(),
        "cancelled twice"
    );
    let again = book.search(&ct("W", None, 2, 2), 20).expect("search");
    assert_eq!(again.options.len(), 1, "{again:?}");
    // The release replays.
    let reopened = open(&roster, book.ledger().clone());
    let replayed = reopened.search(&ct("W", None, 2, 2), 20).expect("search");
    assert_eq!(replayed.options.len(), 1);
}
