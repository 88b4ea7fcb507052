//! Call-centre booking against published rosters: the worked example's roster and the
//! shipped Ningde roster (`instances/rosters/`). What agents rely on: the named expert
//! is found, a full window is explained with the nearest alternatives, substitutes and
//! sites are honoured, the last place goes to exactly one of two racing agents,
//! cancelling frees a place, the ledger survives a save and refuses a roster it does
//! not fit, and an urgent MDT finds a meeting that keeps the roster valid.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use houniao::booking::{
    AlternativeKind, BookingBook, BookingError, ConveneOptions, GatheringKind, Ledger,
    PatientRequest, SessionRef,
};
use houniao::check::check;
use houniao::{Instance, Roster};

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-01T09:00:00Z")
        .expect("time")
        .with_timezone(&Utc)
}

fn session(text: &str) -> SessionRef {
    text.parse().expect("option id")
}

fn published(name: &str, roster: &str) -> (Arc<Instance>, Roster) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let instance =
        Instance::from_path(&root.join(format!("instances/{name}.toml"))).expect("instance");
    let roster = Roster::from_path(&root.join(roster)).expect("roster");
    (Arc::new(instance), roster)
}

fn example_book() -> BookingBook {
    let (instance, roster) = published("example-week", "solver/tests/data/roster.example.json");
    BookingBook::open(instance, &roster, Ledger::new("example-week")).expect("opens")
}

fn ningde() -> (Arc<Instance>, Roster) {
    published(
        "ningde-regional",
        "instances/rosters/ningde-regional.roster.json",
    )
}

fn ningde_book() -> BookingBook {
    let (instance, roster) = ningde();
    BookingBook::open(instance, &roster, Ledger::new("ningde-regional")).expect("opens")
}

/// Books `count` patients into a session.
fn fill(book: &mut BookingBook, specialist: &str, slot: &str, count: u32, from: NaiveDate) {
    for n in 0..count {
        let request = PatientRequest::for_specialist(specialist, from, date("2026-03-06"))
            .with_patient(&format!("P-fill-{slot}-{n}"));
        book.book(&request, &session(slot), now())
            .expect("room left");
    }
}

#[test]
fn the_named_expert_is_found_earliest_first() {
    let book = example_book();
    let request = PatientRequest::for_specialist("liu-jun", date("2026-03-02"), date("2026-03-06"));
    let result = book.search(&request, 10).expect("search");
    let ids: Vec<&str> = result.options.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "liu-jun@2026-03-03:am",
            "liu-jun@2026-03-03:pm",
            "liu-jun@2026-03-04:am",
            "liu-jun@2026-03-05:am",
            "liu-jun@2026-03-05:pm"
        ]
    );
    let first = &result.options[0];
    assert!(!first.substitute);
    assert_eq!(first.wait_days, 1);
    // r-001 of the roster is booked there: 14 of Liu Jun's 15 places are left.
    assert_eq!((first.places_left, first.capacity), (14, 15));
    assert_eq!(first.room.as_deref(), Some("c-onc"));
    assert!(result.reasons.is_empty() && result.alternatives.is_empty());
    assert_eq!(result.total, 5);
    assert_eq!(book.search(&request, 2).expect("search").options.len(), 2);
}

#[test]
fn a_full_window_is_explained_and_the_nearest_sessions_are_offered() {
    let mut book = example_book();
    fill(
        &mut book,
        "liu-jun",
        "liu-jun@2026-03-03:am",
        14,
        date("2026-03-03"),
    );
    fill(
        &mut book,
        "liu-jun",
        "liu-jun@2026-03-03:pm",
        15,
        date("2026-03-03"),
    );
    let request = PatientRequest::for_specialist("liu-jun", date("2026-03-03"), date("2026-03-03"));
    let result = book.search(&request, 10).expect("search");
    assert!(result.options.is_empty());
    assert_eq!(
        result.reasons,
        [
            "Liu Jun is on site Tue, Wed, Thu; Tue Mar 3 am and pm are full (15/15)",
            "the patient accepts no substitute"
        ]
    );
    assert_eq!(result.alternatives.len(), 1);
    let after = &result.alternatives[0];
    assert_eq!(after.kind, AlternativeKind::AfterWindow);
    assert_eq!(after.option.id, "liu-jun@2026-03-04:am");
    assert_eq!(
        after.note,
        "Liu Jun on 2026-03-04 am, 1 day(s) after the window"
    );

    // A window on days the expert is not on site says when they are.
    let monday = PatientRequest::for_specialist("liu-jun", date("2026-03-02"), date("2026-03-02"));
    let result = book.search(&monday, 10).expect("search");
    assert_eq!(
        result.reasons[0],
        "Liu Jun is on site Tue, Wed, Thu; none of their sessions falls in Mar 2 … Mar 2"
    );
    // And a window outside the published horizon says so.
    let later = PatientRequest::for_specialist("liu-jun", date("2026-03-16"), date("2026-03-20"));
    let result = book.search(&later, 10).expect("search");
    assert_eq!(
        result.reasons,
        ["the published roster covers Mar 2 … Mar 8; the window Mar 16 … Mar 20 lies outside it"]
    );
}

#[test]
fn substitutes_only_when_the_patient_accepts_one_and_after_the_named_expert() {
    let mut book = ningde_book();
    // Zhou Min holds one medical-oncology clinic on Tue Mar 3 (am, ningde); fill it.
    let places = book
        .places_left_in(&session("zhou-min@2026-03-03:am"))
        .expect("a session");
    fill(
        &mut book,
        "zhou-min",
        "zhou-min@2026-03-03:am",
        places,
        date("2026-03-03"),
    );
    let strict = PatientRequest::for_specialist("zhou-min", date("2026-03-03"), date("2026-03-03"));
    let result = book.search(&strict, 10).expect("search");
    assert!(result.options.is_empty(), "{result:?}");
    let kinds: Vec<(AlternativeKind, &str)> = result
        .alternatives
        .iter()
        .map(|a| (a.kind, a.option.id.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (AlternativeKind::AfterWindow, "zhou-min@2026-03-04:am"),
            (AlternativeKind::Substitute, "ke-xiaoling@2026-03-03:am"),
        ]
    );
    assert!(result.alternatives[1].option.substitute);

    let open = PatientRequest {
        substitute_ok: true,
        ..strict.clone()
    };
    let result = book.search(&open, 10).expect("search");
    let ids: Vec<(&str, bool)> = result
        .options
        .iter()
        .map(|o| (o.id.as_str(), o.substitute))
        .collect();
    assert_eq!(ids, [("ke-xiaoling@2026-03-03:am", true)]);
    // The agent still learns why the named expert is not offered.
    assert!(
        result.reasons[0].contains("Tue Mar 3 am is full"),
        "{:?}",
        result.reasons
    );
    // With places left, the named expert ranks before an earlier-or-equal substitute.
    let wider = PatientRequest {
        latest: date("2026-03-04"),
        ..open
    };
    let result = book.search(&wider, 10).expect("search");
    let ids: Vec<(&str, bool)> = result
        .options
        .iter()
        .take(3)
        .map(|o| (o.id.as_str(), o.substitute))
        .collect();
    assert_eq!(
        ids,
        [
            ("zhou-min@2026-03-04:am", false),
            ("zhou-min@2026-03-04:pm", false),
            ("ke-xiaoling@2026-03-03:am", true)
        ]
    );
    assert!(result.options[2..].iter().all(|o| o.substitute));
}

#[test]
fn allowed_sites_filter_and_their_order_is_the_preference() {
    let book = ningde_book();
    let mut request =
        PatientRequest::for_discipline("medical-oncology", date("2026-03-02"), date("2026-03-02"));
    let ids = |book: &BookingBook, request: &PatientRequest| -> Vec<String> {
        book.search(request, 10)
            .expect("search")
            .options
            .into_iter()
            .map(|o| o.id)
            .collect()
    };
    // Any site: all four Monday sessions, am before pm.
    assert_eq!(ids(&book, &request).len(), 4);
    request.sites = vec!["ningde".into(), "fuding".into()];
    assert_eq!(
        ids(&book, &request),
        [
            "lin-jie@2026-03-02:am",
            "zhou-min@2026-03-02:am",
            "feng-xiaodong@2026-03-02:pm"
        ]
    );
    request.sites = vec!["fuding".into(), "ningde".into()];
    assert_eq!(
        ids(&book, &request),
        [
            "zhou-min@2026-03-02:am",
            "lin-jie@2026-03-02:am",
            "feng-xiaodong@2026-03-02:pm"
        ]
    );
    // Booking a session at a site the patient did not allow is refused with the reason.
    let patient = request.clone().with_patient("P-9");
    let error = ningde_book()
        .book(&patient, &session("ke-xiaoling@2026-03-02:am"), now())
        .unwrap_err();
    assert!(
        matches!(&error, BookingError::DoesNotFit { why, .. } if why.contains("did not allow")),
        "{error}"
    );
}

#[test]
fn two_agents_race_for_the_last_place_and_exactly_one_wins() {
    let mut book = example_book();
    fill(
        &mut book,
        "liu-jun",
        "liu-jun@2026-03-03:am",
        13,
        date("2026-03-02"),
    );
    let last = session("liu-jun@2026-03-03:am");
    assert_eq!(book.places_left_in(&last).expect("session"), 1);
    let request = |patient: &str| {
        PatientRequest::for_specialist("liu-jun", date("2026-03-02"), date("2026-03-06"))
            .with_patient(patient)
    };
    // Both agents saw the place in their search.
    for agent in ["P-A", "P-B"] {
        let seen = book.search(&request(agent), 1).expect("search");
        assert_eq!(seen.options[0].id, last.to_string());
    }
    let won = book
        .book(&request("P-A"), &last, now())
        .expect("first wins");
    assert_eq!(won.option.places_left, 0);
    let lost = book.book(&request("P-B"), &last, now()).unwrap_err();
    let BookingError::Taken {
        capacity,
        alternatives,
        ..
    } = &lost
    else {
        panic!("expected taken, got {lost}");
    };
    assert_eq!(*capacity, 15);
    assert_eq!(alternatives.options[0].id, "liu-jun@2026-03-03:pm");
    assert_eq!(
        lost.to_string(),
        "liu-jun@2026-03-03:am was taken meanwhile: all 15 places are booked"
    );
    assert_eq!(book.places_left_in(&last).expect("session"), 0);
}

#[test]
fn cancelling_frees_the_place_for_a_rebooking_and_tells_the_waitlist() {
    let mut book = example_book();
    let xi = session("xi-xiaowei@2026-03-03:am");
    // Xi Xiaowei's only session: 19 places after the roster's r-003.
    fill(
        &mut book,
        "xi-xiaowei",
        &xi.to_string(),
        19,
        date("2026-03-02"),
    );
    let late = PatientRequest::for_specialist("xi-xiaowei", date("2026-03-02"), date("2026-03-06"))
        .with_patient("P-late");
    let Err(BookingError::NoOption { reason, .. }) = book.book_best(&late, now()) else {
        panic!("the session is full");
    };
    assert_eq!(
        reason,
        "Xi Xiaowei is on site Tue only; Tue Mar 3 am is full (20/20); the patient accepts no substitute"
    );
    let entry = book.join_waitlist(&late, now()).expect("waitlisted");
    assert_eq!(entry.id, "w-0001");
    assert_eq!(entry.reason, reason);

    let freed = book.cancel("b-0007", now()).expect("cancel");
    assert_eq!(freed.session, xi);
    assert_eq!(freed.places_left, 1);
    assert_eq!(freed.waitlist_matches.len(), 1);
    assert_eq!(freed.waitlist_matches[0].entry, "w-0001");
    let rebooked = book.book(&late, &xi, now()).expect("the freed place");
    assert_eq!(rebooked.booking.id, "b-0020");
    // Booked, the patient leaves the waitlist by themselves.
    assert_eq!(rebooked.left_waitlist, ["w-0001"]);
    assert_eq!(book.waitlist().count(), 0);
    assert!(matches!(
        book.leave_waitlist("w-0001", now()),
        Err(BookingError::UnknownWaitlistEntry { .. })
    ));

    assert!(matches!(
        book.cancel("b-0007", now()),
        Err(BookingError::AlreadyCancelled { .. })
    ));
    let unknown = book.cancel("b-00007", now()).unwrap_err();
    assert!(
        matches!(&unknown, BookingError::UnknownBooking { hint: Some(_), .. }),
        "{unknown}"
    );
    // A booking of the roster itself is cancelled by its request id.
    let roster_booking = book.cancel("r-001", now()).expect("roster booking");
    assert_eq!(roster_booking.session, session("liu-jun@2026-03-03:am"));
    assert_eq!(roster_booking.places_left, 15);
}

#[test]
fn bookings_that_cannot_be_made_are_refused_cleanly() {
    let mut book = example_book();
    let patient = PatientRequest::for_specialist("liu-jun", date("2026-03-02"), date("2026-03-06"))
        .with_patient("P-1");
    let mdt = book
        .book(&patient, &session("liu-jun@2026-03-04:pm"), now())
        .unwrap_err();
    assert_eq!(
        mdt.to_string(),
        "liu-jun@2026-03-04:pm is not a bookable session: Liu Jun holds an mdt then on the published roster"
    );
    let other = book
        .book(&patient, &session("liu-jun-breast@2026-03-04:am"), now())
        .unwrap_err();
    assert!(
        matches!(&other, BookingError::DoesNotFit { why, .. } if why.contains("wants Liu Jun only")),
        "{other}"
    );
    let early = PatientRequest {
        earliest: date("2026-03-04"),
        ..patient.clone()
    };
    let outside = book
        .book(&early, &session("liu-jun@2026-03-03:am"), now())
        .unwrap_err();
    assert!(
        outside.to_string().contains("outside the window"),
        "{outside}"
    );
    book.book(&patient, &session("liu-jun@2026-03-03:am"), now())
        .expect("booked");
    let twice = book
        .book(&patient, &session("liu-jun@2026-03-03:am"), now())
        .unwrap_err();
    assert!(
        matches!(&twice, BookingError::AlreadyBooked { booking, .. } if booking == "b-0001"),
        "{twice}"
    );
    // A nameless request cannot be booked, and the reason names the field.
    let anonymous =
        PatientRequest::for_specialist("liu-jun", date("2026-03-02"), date("2026-03-06"));
    let error = book
        .book(&anonymous, &session("liu-jun@2026-03-03:pm"), now())
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid request: patient: a patient reference is required"
    );
}

#[test]
fn the_ledger_reopens_with_the_same_places_and_refuses_a_roster_it_does_not_fit() {
    let mut book = example_book();
    let request =
        PatientRequest::for_discipline("breast-surgery", date("2026-03-02"), date("2026-03-06"))
            .with_patient("P-7");
    let made = book.book_best(&request, now()).expect("booked");
    assert_eq!(made.option.id, "liu-jun-breast@2026-03-03:pm");
    book.cancel("r-003", now())
        .expect("roster booking cancelled");
    let ledger = book.ledger().clone();
    let text = serde_json::to_string(&ledger).expect("serialises");
    let reread: Ledger = serde_json::from_str(&text).expect("reads back");

    let (instance, roster) = published("example-week", "solver/tests/data/roster.example.json");
    let reopened = BookingBook::open(instance.clone(), &roster, reread.clone()).expect("fits");
    for (slot, left) in [
        ("liu-jun-breast@2026-03-03:pm", 10),
        ("xi-xiaowei@2026-03-03:am", 20),
    ] {
        assert_eq!(
            reopened.places_left_in(&session(slot)).expect("session"),
            left
        );
    }
    assert_eq!(reopened.bookings(None, Some("P-7")).expect("list").len(), 1);
    assert_eq!(
        reopened
            .bookings(Some(&session("liu-jun-breast@2026-03-03:pm")), None)
            .expect("list")
            .len(),
        2
    );

    // The same ledger against a roster without that session does not open.
    let mut moved = roster.clone();
    moved.assignments.retain(|a| {
        !(a.specialist == "liu-jun-breast"
            && a.session == "pm"
            && a.activity == houniao::roster::Activity::Clinic)
    });
    moved.bookings.retain(|b| b.request != "r-002");
    let error = BookingBook::open(instance.clone(), &moved, reread).unwrap_err();
    assert!(
        matches!(&error, BookingError::LedgerDoesNotFit { id, .. } if id == "b-0001"),
        "{error}"
    );
    // A roster that breaks a hard rule is refused before anyone books against it.
    let mut broken = roster.clone();
    // Liu Jun's Tuesday pm clinic moved into the room Liu Jun (breast) uses then.
    broken.assignments[1].room = Some("c-breast".into());
    assert!(matches!(
        BookingBook::open(instance.clone(), &broken, Ledger::new("example-week")),
        Err(BookingError::InvalidRoster { .. })
    ));
    assert!(matches!(
        BookingBook::open(instance, &roster, Ledger::new("ningde-regional")),
        Err(BookingError::LedgerForOtherInstance { .. })
    ));
}

#[test]
fn convene_finds_the_meeting_the_example_roster_already_holds() {
    let book = example_book();
    let outcome = book
        .convene(
            "breast-mdt",
            date("2026-03-02"),
            None,
            ConveneOptions::default(),
        )
        .expect("convene");
    assert_eq!(outcome.gatherings.len(), 1);
    let meeting = &outcome.gatherings[0];
    assert_eq!(meeting.kind, GatheringKind::Scheduled);
    assert_eq!(
        (
            meeting.date,
            meeting.session.as_str(),
            meeting.room.as_str()
        ),
        (date("2026-03-04"), "pm", "mdt-1")
    );
    let people: Vec<&str> = meeting
        .participants
        .iter()
        .map(|p| p.specialist.as_str())
        .collect();
    assert_eq!(
        people,
        ["liu-jun-breast", "liu-jun", "wang-rad", "zhao-path"]
    );
    assert_eq!(
        outcome.passed_over[1],
        "Tue Mar 3 pm: nobody free for breast-surgery (Liu Jun (thyroid & breast) has clinic then); nobody free for medical-oncology (Liu Jun has clinic then)"
    );

    // Without that meeting on the roster, the same people are free: an ad-hoc meeting.
    let (instance, mut roster) = published("example-week", "solver/tests/data/roster.example.json");
    roster.assignments.retain(|a| a.board.is_none());
    let book = BookingBook::open(instance, &roster, Ledger::new("example-week")).expect("valid");
    let outcome = book
        .convene(
            "breast-mdt",
            date("2026-03-04"),
            Some("pm"),
            ConveneOptions::default(),
        )
        .expect("convene");
    assert_eq!(outcome.gatherings[0].kind, GatheringKind::AdHoc);
    assert_eq!(outcome.gatherings[0].participants.len(), 4);
    assert!(outcome.gatherings[0].participants.iter().all(|p| !p.remote));
}

#[test]
fn convene_moves_later_when_people_are_busy_and_every_ad_hoc_meeting_keeps_the_roster_valid() {
    let book = ningde_book();
    // From Wednesday the breast board's people are busy until Friday afternoon.
    let outcome = book
        .convene(
            "breast-mdt",
            date("2026-03-04"),
            None,
            ConveneOptions::default(),
        )
        .expect("convene");
    let first = &outcome.gatherings[0];
    assert_eq!(
        (first.date, first.kind),
        (date("2026-03-06"), GatheringKind::AdHoc)
    );
    assert!(outcome.passed_over[0].starts_with("Wed Mar 4 pm: nobody free for breast-surgery"));
    assert!(
        book.convene(
            "no-such-mdt",
            date("2026-03-02"),
            None,
            ConveneOptions::default()
        )
        .is_err()
    );

    let (instance, roster) = ningde();
    for board in &instance.mdt_boards {
        let outcome = book
            .convene(
                &board.id,
                date("2026-03-02"),
                None,
                ConveneOptions { count: 10 },
            )
            .expect("convene");
        for gathering in &outcome.gatherings {
            let mut with_meeting = roster.clone();
            with_meeting
                .assignments
                .extend(gathering.assignments(&board.id, &instance.site(board.site).id));
            let report = check(&instance, &with_meeting);
            assert!(
                report.is_valid(),
                "{} {} {}: {:?}",
                board.id,
                gathering.date,
                gathering.session,
                report.violations
            );
        }
    }
}
