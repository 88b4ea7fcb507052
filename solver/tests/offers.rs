//! Waitlist offers of freed places (docs/booking.md § Offers), on the worked example's
//! roster: a freed place goes to the waitlisted requests one at a time in rank order
//! (priority, then waited longest, then the most days sooner than what they hold), each
//! offer holds the place against everyone else, accepting books it and releases the
//! patient's later booking (which may start the next offer), declining or expiry passes
//! it on, and a saved ledger reopens with the same offers and holds.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use houniao::booking::{
    BookingBook, BookingError, Ledger, LedgerFile, OfferState, PatientRequest, SessionRef,
};
use houniao::text::Chinese;
use houniao::{Instance, Roster};

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

fn at(minutes: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-01T09:00:00Z")
        .expect("time")
        .with_timezone(&Utc)
        + Duration::minutes(minutes)
}

fn session(text: &str) -> SessionRef {
    text.parse().expect("option id")
}

fn example() -> (Arc<Instance>, Roster) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let instance =
        Instance::from_path(&root.join("instances/example-week.toml")).expect("instance");
    let roster =
        Roster::from_path(&root.join("solver/tests/data/roster.example.json")).expect("roster");
    (Arc::new(instance), roster)
}

fn example_book() -> BookingBook {
    let (instance, roster) = example();
    BookingBook::open(instance, &roster, Ledger::new("example-week")).expect("opens")
}

/// Books fillers into a session until it is full; their booking ids.
fn fill_up(book: &mut BookingBook, slot: &str) -> Vec<String> {
    let slot = session(slot);
    let mut ids = Vec::new();
    while book.places_left_in(&slot).expect("session") > 0 {
        let request = PatientRequest::for_specialist(&slot.specialist, slot.date, slot.date)
            .with_patient(&format!("P-fill-{slot}-{}", ids.len()));
        ids.push(
            book.book(&request, &slot, at(0))
                .expect("a place")
                .booking
                .id,
        );
    }
    ids
}

fn wants(specialist: &str, day: &str, patient: &str, priority: u8) -> PatientRequest {
    let mut request =
        PatientRequest::for_specialist(specialist, date(day), date(day)).with_patient(patient);
    request.priority = priority;
    request
}

fn pending(book: &BookingBook) -> Vec<(String, String, String)> {
    book.offers()
        .iter()
        .filter(|o| o.is_pending())
        .map(|o| (o.id.clone(), o.session.to_string(), o.entry.clone()))
        .collect()
}

#[test]
fn freed_places_go_one_at_a_time_by_priority_then_waited_longest() {
    let mut book = example_book();
    let xi = "xi-xiaowei@2026-03-03:am";
    let fillers = fill_up(&mut book, xi);
    assert_eq!(fillers.len(), 19);
    // Joined in this order; b is the most urgent, c has waited longest of the others.
    let a = book
        .join_waitlist(&wants("xi-xiaowei", "2026-03-03", "P-a", 1), at(20))
        .unwrap();
    let b = book
        .join_waitlist(&wants("xi-xiaowei", "2026-03-03", "P-b", 3), at(30))
        .unwrap();
    let c = book
        .join_waitlist(&wants("xi-xiaowei", "2026-03-03", "P-c", 1), at(10))
        .unwrap();

    let first = book.cancel(&fillers[0], at(40)).unwrap();
    assert_eq!(first.offers.len(), 1, "one offer per freed place");
    assert_eq!(first.offers[0].entry, b.id);
    assert_eq!(first.offers[0].expires_at, at(40) + Duration::minutes(120));
    assert_eq!(first.waitlist_matches.len(), 3, "all three fit the place");
    let second = book.cancel(&fillers[1], at(41)).unwrap();
    assert_eq!(second.offers[0].entry, c.id);
    let third = book.cancel(&fillers[2], at(42)).unwrap();
    assert_eq!(third.offers[0].entry, a.id);
    let fourth = book.cancel(&fillers[3], at(43)).unwrap();
    assert!(fourth.offers.is_empty(), "everyone waiting has an offer");
    assert_eq!(
        pending(&book),
        [
            ("o-0001".into(), xi.into(), b.id.clone()),
            ("o-0002".into(), xi.into(), c.id.clone()),
            ("o-0003".into(), xi.into(), a.id.clone()),
        ]
    );
    // Four places are free, three of them held: a stranger sees one.
    let stranger =
        PatientRequest::for_specialist("xi-xiaowei", date("2026-03-03"), date("2026-03-03"))
            .with_patient("P-stranger");
    let found = book.search(&stranger, 10).unwrap();
    assert_eq!(found.options.len(), 1);
    assert_eq!(found.options[0].places_left, 1);
    assert_eq!(book.places_left_in(&session(xi)).unwrap(), 4);
}

#[test]
fn ties_go_to_the_patient_for_whom_it_is_the_most_days_sooner() {
    let mut book = example_book();
    let am = fill_up(&mut book, "liu-jun@2026-03-03:am");
    fill_up(&mut book, "liu-jun@2026-03-03:pm");
    // d holds Thursday, e Wednesday: the freed Tuesday is 2 and 1 days sooner.
    let d = wants("liu-jun", "2026-03-05", "P-d", 2);
    book.book(&d, &session("liu-jun@2026-03-05:am"), at(0))
        .unwrap();
    let e = wants("liu-jun", "2026-03-04", "P-e", 2);
    book.book(&e, &session("liu-jun@2026-03-04:am"), at(0))
        .unwrap();
    let d_entry = book
        .join_waitlist(&wants("liu-jun", "2026-03-03", "P-d", 2), at(5))
        .unwrap();
    let e_entry = book
        .join_waitlist(&wants("liu-jun", "2026-03-03", "P-e", 2), at(5))
        .unwrap();
    let first = book.cancel(&am[0], at(10)).unwrap();
    assert_eq!(first.offers[0].entry, d_entry.id);
    let second = book.cancel(&am[1], at(10)).unwrap();
    assert_eq!(second.offers[0].entry, e_entry.id);
    // Someone who holds nothing of the discipline gains the most.
    let f_entry = book
        .join_waitlist(&wants("liu-jun", "2026-03-03", "P-f", 2), at(5))
        .unwrap();
    let third = book.cancel(&am[2], at(10)).unwrap();
    assert_eq!(third.offers[0].entry, f_entry.id);
}

#[test]
fn a_held_place_is_explained_and_refused_to_others_until_declined_or_expired() {
    let mut book = example_book();
    let xi = session("xi-xiaowei@2026-03-03:am");
    let fillers = fill_up(&mut book, &xi.to_string());
    let first = book
        .join_waitlist(&wants("xi-xiaowei", "2026-03-03", "P-first", 1), at(1))
        .unwrap();
    let second = book
        .join_waitlist(&wants("xi-xiaowei", "2026-03-03", "P-second", 1), at(2))
        .unwrap();
    book.set_offer_hold(Duration::minutes(30));
    let freed = book.cancel(&fillers[0], at(10)).unwrap();
    let offer = freed.offers[0].clone();
    assert_eq!(
        (offer.entry.as_str(), offer.state),
        (first.id.as_str(), OfferState::Pending)
    );
    assert_eq!(offer.expires_at, at(40));

    let stranger = wants("xi-xiaowei", "2026-03-03", "P-stranger", 5);
    let result = book.search(&stranger, 10).unwrap();
    assert!(result.options.is_empty());
    let held = result
        .reason_texts
        .iter()
        .find(|t| t.to_string().contains("offered to waitlisted patients"))
        .expect("the hold is explained");
    // 09:40 UTC is 17:40 on the session clock.
    assert_eq!(
        held.to_string(),
        "1 freed place(s) of Xi Xiaowei's Tue Mar 3 am session are offered to waitlisted patients until Mar 1 17:40"
    );
    let chinese = held.render(&Chinese);
    assert!(chinese.contains("已提供给候补患者"), "{chinese}");
    assert!(matches!(
        book.book(&stranger, &xi, at(11)),
        Err(BookingError::Taken { .. })
    ));

    // Declined: the next in rank gets it, held for its own 30 minutes.
    let declined = book.decline_offer(&offer.id, at(20)).unwrap();
    assert_eq!(declined.offer.state, OfferState::Declined);
    let next = declined.next.expect("passed on");
    assert_eq!(next.entry, second.id);
    assert_eq!(next.expires_at, at(50));
    assert!(matches!(
        book.decline_offer(&offer.id, at(21)),
        Err(BookingError::OfferClosed {
            state: OfferState::Declined,
            ..
        })
    ));
    // Not answered in time: it expires at the next change; nobody is left to offer it
    // to (the first declined this place), so the stranger may book it.
    assert!(matches!(
        book.accept_offer(&next.id, at(51)),
        Err(BookingError::OfferClosed {
            state: OfferState::Expired,
            ..
        })
    ));
    let expired = book.offers().iter().find(|o| o.id == next.id).unwrap();
    assert_eq!(expired.closed_at, Some(at(50)));
    assert!(pending(&book).is_empty());
    let booked = book.book(&stranger, &xi, at(52)).unwrap();
    assert_eq!(booked.booking.session, xi);
    let unknown = book.accept_offer("o-9", at(53)).unwrap_err();
    assert!(
        matches!(unknown, BookingError::UnknownOffer { .. }),
        "{unknown}"
    );
}

#[test]
fn accepting_books_releases_the_later_booking_and_cascades_to_the_next_offer() {
    let mut book = example_book();
    let tuesday = fill_up(&mut book, "liu-jun@2026-03-03:am");
    fill_up(&mut book, "liu-jun@2026-03-03:pm");
    // e holds Wednesday and would rather come on Tuesday.
    let e_later = book
        .book(
            &wants("liu-jun", "2026-03-04", "P-e", 1),
            &session("liu-jun@2026-03-04:am"),
            at(0),
        )
        .unwrap();
    fill_up(&mut book, "liu-jun@2026-03-04:am");
    let e = book
        .join_waitlist(&wants("liu-jun", "2026-03-03", "P-e", 1), at(1))
        .unwrap();
    // g wants Wednesday only, which is full.
    let g = book
        .join_waitlist(&wants("liu-jun", "2026-03-04", "P-g", 1), at(2))
        .unwrap();
    let freed = book.cancel(&tuesday[0], at(10)).unwrap();
    let offer = &freed.offers[0];
    assert_eq!(offer.entry, e.id);

    let accepted = book.accept_offer(&offer.id, at(20)).unwrap();
    assert_eq!(accepted.offer.state, OfferState::Accepted);
    assert_eq!(
        accepted.offer.booking.as_deref(),
        Some(accepted.confirmation.booking.id.as_str())
    );
    assert_eq!(
        accepted.confirmation.booking.session,
        session("liu-jun@2026-03-03:am")
    );
    assert_eq!(accepted.confirmation.left_waitlist, [e.id.as_str()]);
    let released = accepted.released.expect("the later booking is released");
    assert_eq!(released.id, e_later.booking.id);
    // The freed Wednesday place starts the next offer, to g.
    assert_eq!(released.offers.len(), 1);
    assert_eq!(released.offers[0].entry, g.id);
    assert_eq!(released.offers[0].session, session("liu-jun@2026-03-04:am"));
    assert_eq!(
        book.places_left_in(&session("liu-jun@2026-03-03:am"))
            .unwrap(),
        0
    );
    assert!(matches!(
        book.accept_offer(&offer.id, at(21)),
        Err(BookingError::OfferClosed {
            state: OfferState::Accepted,
            ..
        })
    ));
    // g books the offered place by hand: the offer counts as accepted.
    let by_hand = book
        .book(
            &wants("liu-jun", "2026-03-04", "P-g", 1),
            &session("liu-jun@2026-03-04:am"),
            at(22),
        )
        .unwrap();
    let g_offer = book.offers().iter().find(|o| o.entry == g.id).unwrap();
    assert_eq!(g_offer.state, OfferState::Accepted);
    assert_eq!(
        g_offer.booking.as_deref(),
        Some(by_hand.booking.id.as_str())
    );
    assert!(pending(&book).is_empty());
}

#[test]
fn leaving_the_waitlist_withdraws_the_offer_and_passes_the_place_on() {
    let mut book = example_book();
    let fillers = fill_up(&mut book, "xi-xiaowei@2026-03-03:am");
    let first = book
        .join_waitlist(&wants("xi-xiaowei", "2026-03-03", "P-1", 1), at(1))
        .unwrap();
    let second = book
        .join_waitlist(&wants("xi-xiaowei", "2026-03-03", "P-2", 1), at(2))
        .unwrap();
    book.cancel(&fillers[0], at(5)).unwrap();
    book.leave_waitlist(&first.id, at(6)).unwrap();
    let states: Vec<(String, OfferState)> = book
        .offers()
        .iter()
        .map(|o| (o.entry.clone(), o.state))
        .collect();
    assert_eq!(
        states,
        [
            (first.id.clone(), OfferState::Withdrawn),
            (second.id.clone(), OfferState::Pending)
        ]
    );
}

#[test]
fn a_saved_ledger_reopens_with_its_offers_holding_their_places() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("book.json");
    let (instance, roster) = example();
    let xi = session("xi-xiaowei@2026-03-03:am");
    let offer_id = {
        let file = LedgerFile::lock_exclusive(&path).unwrap();
        let mut book = BookingBook::open(
            instance.clone(),
            &roster,
            file.load("example-week").unwrap(),
        )
        .unwrap();
        let fillers = fill_up(&mut book, &xi.to_string());
        book.join_waitlist(&wants("xi-xiaowei", "2026-03-03", "P-w", 1), at(1))
            .unwrap();
        let freed = book.cancel(&fillers[0], at(5)).unwrap();
        // The cancellation and its offer are one save.
        file.save(book.ledger()).unwrap();
        freed.offers[0].id.clone()
    };
    let file = LedgerFile::lock_exclusive(&path).unwrap();
    let ledger = file.load("example-week").unwrap();
    assert_eq!(ledger.pending_offers().len(), 1);
    let mut book = BookingBook::open(instance, &roster, ledger).unwrap();
    let stranger = wants("xi-xiaowei", "2026-03-03", "P-stranger", 5);
    assert!(matches!(
        book.book(&stranger, &xi, at(6)),
        Err(BookingError::Taken { .. })
    ));
    let accepted = book.accept_offer(&offer_id, at(7)).unwrap();
    assert_eq!(accepted.confirmation.booking.session, xi);
    assert_eq!(book.places_left_in(&xi).unwrap(), 0);
    // A pending offer of a session the roster does not hold (kept against an earlier
    // publication) does not stop the book opening; its next change withdraws it.
    let mut stale = book.ledger().clone();
    stale.offers[0].state = OfferState::Pending;
    stale.offers[0].session = session("xi-xiaowei@2026-03-04:am");
    let (instance, roster) = example();
    let mut reopened = BookingBook::open(instance, &roster, stale).expect("opens");
    assert_eq!(reopened.settle_offers(at(8)), [offer_id.as_str()]);
    assert_eq!(reopened.offers()[0].state, OfferState::Withdrawn);
    // An offer naming an entry the ledger does not have does not fit.
    let mut broken = book.ledger().clone();
    broken.offers[0].entry = "w-0099".into();
    let (instance, roster) = example();
    assert!(matches!(
        BookingBook::open(instance, &roster, broken),
        Err(BookingError::LedgerDoesNotFit { .. })
    ));
}
