//! One-trip bundles (只跑一次) on the Xuhui week: a CT then the screening clinic searched
//! as one option, booked all or none, and cancelled as one.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use houniao::booking::{BookingBook, BookingError, BundleRequest, Ledger, PatientRequest};
use houniao::{Instance, Roster};

const XUHUI: &str = include_str!("../../instances/xuhui-screening.toml");
const GOLDEN: &str = include_str!("../../instances/rosters/xuhui-screening.roster.json");

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("instant")
        .with_timezone(&Utc)
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap_or_default()
}

/// The golden week without its CT bookings: every CT place is the desk's.
fn book() -> BookingBook {
    let mut roster = Roster::from_json_str(GOLDEN).expect("roster");
    roster.resource_bookings.clear();
    let instance = Arc::new(Instance::from_toml_str(XUHUI).expect("valid"));
    let mut book =
        BookingBook::open(instance, &roster, Ledger::new("xuhui-screening")).expect("opens");
    book.set_clock(Some(at("2026-02-26T00:00:00Z")));
    book
}

fn step(resource_kind: Option<&str>, specialist: Option<&str>) -> PatientRequest {
    PatientRequest {
        patient: String::new(),
        specialist: specialist.map(str::to_string),
        discipline: None,
        sites: Vec::new(),
        earliest: day(2),
        latest: day(6),
        substitute_ok: false,
        priority: 2,
        referred_by: Some("fenglin".into()),
        resource: None,
        resource_kind: resource_kind.map(str::to_string),
    }
}

fn trip(patient: &str, within_days: u32) -> BundleRequest {
    BundleRequest {
        patient: patient.into(),
        steps: vec![step(Some("ct"), None), step(None, Some("zhang-wei"))],
        within_days,
    }
}

#[test]
fn a_trip_is_one_ranked_option_with_each_step_after_the_last() {
    let book = book();
    let found = book.search_bundle(&trip("", 1), 10).expect("search");
    assert!(!found.options.is_empty(), "{found:?}");
    for option in &found.options {
        let (ct, clinic) = (&option.steps[0], &option.steps[1]);
        assert_eq!(ct.session.resource.as_deref().map(|r| &r[..3]), Some("ct-"));
        assert_eq!(clinic.session.specialist, "zhang-wei");
        assert!(clinic.session.date >= ct.session.date);
        assert!(option.span_days <= 1);
        assert_eq!(option.id, format!("{}+{}", ct.id, clinic.id));
    }
    // Earliest first.
    let firsts: Vec<_> = found
        .options
        .iter()
        .map(|o| o.steps[0].session.date)
        .collect();
    assert!(firsts.windows(2).all(|w| w[0] <= w[1]), "{firsts:?}");
}

#[test]
fn a_trip_books_all_steps_or_none_and_cancels_as_one() {
    let mut book = book();
    let now = at("2026-02-26T01:00:00Z");
    let best = book.search_bundle(&trip("", 1), 1).expect("search").options[0].clone();
    let booked = book.book_bundle(&trip("P-1", 1), None, now).expect("books");
    assert_eq!(booked.steps.len(), 2);
    assert_eq!(booked.bundle, "trip-0001");
    assert_eq!(
        booked.steps[0].booking.session.to_string(),
        best.steps[0].session.to_string()
    );
    assert!(
        booked
            .steps
            .iter()
            .all(|s| s.booking.bundle.as_deref() == Some("trip-0001"))
    );
    // A trip whose clinic step is not one of the clinic's sessions books nothing.
    let before = book.ledger().bookings.len();
    let ct = &best.steps[0].id;
    let wrong = format!("{ct}+zhang-wei@2026-03-06:pm");
    let refused = book.book_bundle(&trip("P-2", 4), Some(&wrong), now);
    assert!(refused.is_err(), "{refused:?}");
    assert_eq!(book.ledger().bookings.len(), before, "nothing half-booked");
    // Steps out of order are refused before anything is booked.
    let backwards = format!("zhang-wei@2026-03-05:am+{ct}");
    assert!(matches!(
        book.book_bundle(&trip("P-3", 4), Some(&backwards), now),
        Err(BookingError::DoesNotFit { .. })
    ));
    // Cancelling the trip cancels both steps.
    let cancelled = book.cancel_bundle("trip-0001", now).expect("cancels");
    assert_eq!(cancelled.len(), 2);
    assert!(book.ledger().bookings.iter().all(|b| !b.is_active()));
    assert!(book.cancel_bundle("trip-0001", now).is_err());
}

#[test]
fn the_last_ct_place_of_a_trip_goes_to_one_patient_and_the_other_books_nothing() {
    let mut book = book();
    let now = at("2026-02-26T01:00:00Z");
    let best = book.search_bundle(&trip("", 1), 1).expect("search").options[0].clone();
    let ct = best.steps[0].session.clone();
    // Walk-ins and referrals take every place of that CT session but one.
    let mut n = 0;
    loop {
        let left = book
            .search(
                &PatientRequest {
                    referred_by: Some("fenglin".into()),
                    ..step(Some("ct"), None)
                },
                50,
            )
            .expect("search")
            .options
            .into_iter()
            .find(|o| o.session == ct)
            .map_or(0, |o| o.places_left);
        if left <= 1 {
            break;
        }
        let request = PatientRequest {
            patient: format!("W-{n}"),
            referred_by: None,
            ..step(Some("ct"), None)
        };
        if book.book(&request, &ct, now).is_err() {
            // General places are gone; the held ones stay for referrals.
            break;
        }
        n += 1;
    }
    let id = best.id.clone();
    let first = book.book_bundle(&trip("P-A", 1), Some(&id), now);
    let clinic_before = book
        .ledger()
        .bookings
        .iter()
        .filter(|b| b.is_active())
        .count();
    let second = book.book_bundle(&trip("P-B", 1), Some(&id), now);
    // However the places fell, never a CT without its clinic step.
    let active: Vec<_> = book
        .ledger()
        .bookings
        .iter()
        .filter(|b| b.is_active())
        .collect();
    for booking in active.iter().filter(|b| b.bundle.is_some()) {
        let partners = active.iter().filter(|b| b.bundle == booking.bundle).count();
        assert_eq!(partners, 2, "{booking:?}");
    }
    if first.is_ok() && second.is_err() {
        assert_eq!(active.len(), clinic_before);
    }
}

#[test]
fn a_cancelled_trip_offers_its_clinic_place_to_the_waitlist() {
    let mut book = book();
    let now = at("2026-02-26T01:00:00Z");
    let booked = book.book_bundle(&trip("P-1", 1), None, now).expect("books");
    let clinic = booked.steps[1].booking.session.clone();
    let waiting = PatientRequest {
        patient: "P-waiting".into(),
        referred_by: Some("tianping".into()),
        ..PatientRequest::for_specialist("zhang-wei", clinic.date, clinic.date)
    };
    let entry = book.join_waitlist(&waiting, now).expect("joins");
    let cancelled = book.cancel_bundle(&booked.bundle, now).expect("cancels");
    let offers: Vec<_> = cancelled.iter().flat_map(|c| &c.offers).collect();
    assert_eq!(offers.len(), 1, "{cancelled:?}");
    assert_eq!(offers[0].session, clinic);
    assert_eq!(offers[0].entry, entry.id);
    // The CT step's place is not offered: resource requests do not wait.
    assert!(offers.iter().all(|o| o.session.resource.is_none()));
}
