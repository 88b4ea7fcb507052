//! Checked edits (`houniao::edits`): what each edit moves, that the verdict is the
//! checker's, that the objective delta is the checker's difference, pins in the draft,
//! and errors (never panics) for edits that cannot be applied.

use chrono::NaiveDate;
use houniao::check::{Rule, check};
use houniao::edits::{
    Edit, EditError, EditOutcome, EntryRef, Target, apply_edits, instance_pins, with_draft_pins,
};
use houniao::instance::raw::RawPin;
use houniao::objective::Term;
use houniao::roster::{Activity, Assignment};
use houniao::{Instance, Roster};

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(root().join(relative)).expect(relative)
}

fn example() -> (Instance, Roster) {
    let instance = Instance::from_toml_str(&read("instances/example-week.toml")).expect("valid");
    let roster =
        Roster::from_json_str(&read("solver/tests/data/roster.example.json")).expect("roster");
    (instance, roster)
}

/// The Ningde cases: `edits/ningde.rs`.
#[path = "edits/ningde.rs"]
mod ningde;

fn ningde() -> (Instance, Roster) {
    let instance = Instance::from_toml_str(&read("instances/ningde-regional.toml")).expect("valid");
    let roster = Roster::from_json_str(&read("instances/rosters/ningde-regional.roster.json"))
        .expect("roster");
    (instance, roster)
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

fn entry(specialist: &str, day: &str, session: &str) -> EntryRef {
    EntryRef {
        specialist: specialist.into(),
        date: date(day),
        session: session.into(),
        activity: None,
    }
}

fn to_date(day: &str) -> Target {
    Target {
        date: Some(date(day)),
        ..Target::default()
    }
}

fn session_target(session: &str) -> Target {
    Target {
        session: Some(session.into()),
        ..Target::default()
    }
}

fn apply(instance: &Instance, roster: &Roster, edits: &[Edit]) -> EditOutcome {
    apply_edits(instance, roster, edits).unwrap_or_else(|e| panic!("edits apply: {e}"))
}

/// The verdict is the checker's, and the deltas are the checker's differences.
fn assert_agrees_with_check(judge: &Instance, roster: &Roster, outcome: &EditOutcome) {
    let after = check(judge, &outcome.draft);
    let before = check(judge, roster);
    assert_eq!(outcome.violations, after.violations);
    assert_eq!(outcome.broken_rules(), after.broken_rules());
    assert!(
        (outcome.objective_delta - (after.objective - before.objective)).abs() < 1e-9,
        "objective delta {} but check says {} − {}",
        outcome.objective_delta,
        after.objective,
        before.objective
    );
    for term in Term::ALL {
        let expected = after.terms[term] - before.terms[term];
        assert!(
            (outcome.delta[term] - expected).abs() < 1e-9,
            "{term}: delta {} but check says {expected}",
            outcome.delta[term]
        );
    }
    if after.is_valid() {
        // The draft's own figures and unmet list are the recomputed ones.
        assert!(after.passed(), "{:?}", after.discrepancies);
    }
}

fn assignment<'r>(
    roster: &'r Roster,
    specialist: &str,
    day: &str,
    session: &str,
) -> Vec<&'r Assignment> {
    roster
        .assignments
        .iter()
        .filter(|a| a.specialist == specialist && a.date == date(day) && a.session == session)
        .collect()
}

fn pin(fields: &str) -> RawPin {
    toml::from_str(fields).expect("pin")
}

#[test]
fn no_edits_change_nothing() {
    let (instance, roster) = example();
    let outcome = apply(&instance, &roster, &[]);
    assert!(outcome.is_valid());
    assert_eq!(outcome.objective_delta, 0.0);
    assert_eq!(outcome.objective_after, 60.0);
    assert_eq!(outcome.draft.presence, roster.presence);
    assert_eq!(outcome.draft.assignments, roster.assignments);
    assert_eq!(outcome.draft.bookings, roster.bookings);
    assert!(outcome.pins.is_empty());
    assert_agrees_with_check(&instance, &roster, &outcome);
}

#[test]
fn moving_a_studio_session_takes_its_apprentice_its_booking_and_its_on_site_day() {
    let (instance, roster) = example();
    let edits = [Edit::Move {
        entry: entry("xi-xiaowei", "2026-03-03", "am"),
        to: to_date("2026-03-04"),
    }];
    let outcome = apply(&instance, &roster, &edits);
    assert!(outcome.is_valid(), "{:?}", outcome.violations);
    let draft = &outcome.draft;
    assert_eq!(assignment(draft, "chen-gp", "2026-03-04", "am").len(), 1);
    assert!(assignment(draft, "chen-gp", "2026-03-03", "am").is_empty());
    let booking = draft
        .bookings
        .iter()
        .find(|b| b.request == "r-003")
        .expect("r-003");
    assert_eq!(
        (booking.date, booking.session.as_str()),
        (date("2026-03-04"), "am")
    );
    assert!(!booking.substitute);
    let xi: Vec<(NaiveDate, &str)> = draft
        .presence
        .iter()
        .filter(|p| p.specialist == "xi-xiaowei")
        .map(|p| (p.date, p.site.as_str()))
        .collect();
    // Tuesday at Ningde (the surgery) stays; Jiaocheng moves from Tuesday to Wednesday.
    assert_eq!(
        xi,
        vec![
            (date("2026-03-03"), "ningde"),
            (date("2026-03-04"), "jiaocheng")
        ]
    );
    // One more waiting day for r-003, one more on-site day for Xi (1200 × 0.01), and
    // an idle session on each of her two days.
    assert_eq!(outcome.delta[Term::WaitDay], 1.0);
    assert_eq!(outcome.delta[Term::VisitingDayCost], 12.0);
    assert_eq!(outcome.delta[Term::IdleVisitingSession], 20.0);
    assert_eq!(outcome.objective_delta, 33.0);
    assert_agrees_with_check(&instance, &roster, &outcome);
}

#[test]
fn a_legal_swap_of_one_specialists_clinics_moves_each_booking_once() {
    let (instance, roster) = example();
    let edits = [Edit::Swap {
        a: entry("liu-jun", "2026-03-03", "am"),
        b: entry("liu-jun", "2026-03-05", "pm"),
    }];
    let outcome = apply(&instance, &roster, &edits);
    assert!(outcome.is_valid(), "{:?}", outcome.violations);
    let booking = outcome
        .draft
        .bookings
        .iter()
        .find(|b| b.request == "r-001")
        .expect("r-001");
    assert_eq!(
        (booking.date, booking.session.as_str()),
        (date("2026-03-05"), "pm")
    );
    // r-001 (priority 2) now waits 3 days instead of 1.
    assert_eq!(outcome.delta[Term::WaitDay], 4.0);
    assert_eq!(outcome.objective_delta, 4.0);
    assert_agrees_with_check(&instance, &roster, &outcome);
}

#[test]
fn removing_a_surgery_entry_unschedules_its_surgery() {
    let (instance, roster) = example();
    let edits = [Edit::Remove {
        entry: entry("liu-jun-breast", "2026-03-03", "am"),
    }];
    let outcome = apply(&instance, &roster, &edits);
    assert!(outcome.is_valid(), "{:?}", outcome.violations);
    assert!(outcome.draft.surgeries.iter().all(|s| s.surgery != "s-001"));
    assert!(
        outcome
            .draft
            .unmet
            .iter()
            .any(|u| u.ids == ["s-001"] && !u.reason.is_empty())
    );
    // s-001 has priority 3; Liu Jun (breast) is still on site for his afternoon clinic,
    // now idle in the morning.
    assert_eq!(outcome.delta[Term::UnscheduledSurgery], 900.0);
    assert_eq!(outcome.delta[Term::IdleVisitingSession], 10.0);
    assert_agrees_with_check(&instance, &roster, &outcome);
}

#[test]
fn residency_days_follow_the_work_or_stay_when_the_residency_needs_them() {
    let (instance, roster) = example();
    let days = |outcome: &EditOutcome, who: &str| -> Vec<NaiveDate> {
        let mut dates: Vec<NaiveDate> = outcome
            .draft
            .presence
            .iter()
            .filter(|p| p.specialist == who)
            .map(|p| p.date)
            .collect();
        dates.sort();
        dates
    };
    // Liu Jun (breast) has a two-day residency on days the roster chose (Tue, Wed).
    // All of Tuesday's work moved to Thursday: the residency moves to Wed–Thu.
    let tuesday_to_thursday = [
        Edit::Move {
            entry: entry("liu-jun-breast", "2026-03-03", "am"),
            to: to_date("2026-03-05"),
        },
        Edit::Move {
            entry: entry("liu-jun-breast", "2026-03-03", "pm"),
            to: to_date("2026-03-05"),
        },
    ];
    let outcome = apply(&instance, &roster, &tuesday_to_thursday);
    assert!(outcome.is_valid(), "{:?}", outcome.violations);
    assert_eq!(
        days(&outcome, "liu-jun-breast"),
        vec![date("2026-03-04"), date("2026-03-05")]
    );
    let s001 = outcome
        .draft
        .surgeries
        .iter()
        .find(|s| s.surgery == "s-001")
        .expect("s-001");
    assert_eq!(
        (s001.date, s001.start.as_deref()),
        (date("2026-03-05"), Some("08:00"))
    );
    // r-002 now waits two days; the surgery is done on its due date.
    assert_eq!(outcome.objective_delta, 2.0);
    assert_agrees_with_check(&instance, &roster, &outcome);

    // Only the afternoon clinic moved: Tuesday keeps its surgery, Thursday is a third day.
    let outcome = apply(&instance, &roster, &tuesday_to_thursday[1..]);
    assert_eq!(outcome.broken_rules(), vec![Rule::Presence]);
    assert_agrees_with_check(&instance, &roster, &outcome);

    // Liu Jun's residency is fixed on Tue–Thu: with both Tuesday clinics removed he is
    // still on site that day, idle.
    let outcome = apply(
        &instance,
        &roster,
        &[
            Edit::Remove {
                entry: entry("liu-jun", "2026-03-03", "am"),
            },
            Edit::Remove {
                entry: entry("liu-jun", "2026-03-03", "pm"),
            },
        ],
    );
    assert!(outcome.is_valid(), "{:?}", outcome.violations);
    assert_eq!(
        days(&outcome, "liu-jun"),
        days(&apply(&instance, &roster, &[]), "liu-jun")
    );
    assert_eq!(outcome.delta[Term::IdleVisitingSession], 20.0);
    assert_agrees_with_check(&instance, &roster, &outcome);
}

#[test]
fn a_roster_with_unknown_ids_is_judged_not_a_panic() {
    let (instance, mut roster) = example();
    roster.assignments[0].room = Some("nowhere".into());
    roster.assignments[1].session = "night".into();
    roster.assignments[6].specialist = "ghost".into();
    roster.surgeries[0].surgeon = "ghost".into();
    roster.surgeries[0].start = Some("25:99".into());
    roster.bookings[0].request = "r-404".into();
    roster.presence[0].site = "atlantis".into();
    let edits = [
        Edit::Move {
            entry: entry("liu-jun", "2026-03-03", "am"),
            to: to_date("2026-03-06"),
        },
        Edit::Move {
            entry: entry("liu-jun", "2026-03-03", "night"),
            to: session_target("am"),
        },
        Edit::Swap {
            a: entry("ghost", "2026-03-03", "am"),
            b: entry("liu-jun", "2026-03-05", "pm"),
        },
        Edit::Remove {
            entry: entry("xi-xiaowei", "2026-03-03", "pm"),
        },
    ];
    let outcome = apply(&instance, &roster, &edits);
    assert!(outcome.broken_rules().contains(&Rule::References));
    assert_agrees_with_check(&instance, &roster, &outcome);
}

#[test]
fn double_booking_a_specialist_breaks_rule_1_only() {
    let (instance, roster) = example();
    let edits = [Edit::Move {
        entry: entry("liu-jun", "2026-03-03", "am"),
        to: Target {
            session: Some("pm".into()),
            ..Target::default()
        },
    }];
    let outcome = apply(&instance, &roster, &edits);
    assert_eq!(outcome.broken_rules(), vec![Rule::OneThingAtATime]);
    assert_agrees_with_check(&instance, &roster, &outcome);
    // The double-booked slot's entries are told apart by activity.
    let again = [
        edits[0].clone(),
        Edit::Remove {
            entry: entry("liu-jun", "2026-03-03", "pm"),
        },
    ];
    match apply_edits(&instance, &roster, &again) {
        Err(EditError::AmbiguousEntry {
            edit: 1, count: 2, ..
        }) => {}
        other => panic!("expected an ambiguous entry, got {other:?}"),
    }
}

#[test]
fn a_surgery_given_to_an_unqualified_surgeon_breaks_rule_8_only() {
    let (instance, roster) = example();
    // s-002 is gynecology, grade 3; Wang is a radiologist (grade 0), free that afternoon.
    let edits = [Edit::Move {
        entry: entry("xi-xiaowei", "2026-03-03", "pm"),
        to: Target {
            specialist: Some("wang-rad".into()),
            ..Target::default()
        },
    }];
    let outcome = apply(&instance, &roster, &edits);
    assert_eq!(outcome.broken_rules(), vec![Rule::Surgery]);
    let placed = outcome
        .draft
        .surgeries
        .iter()
        .find(|s| s.surgery == "s-002")
        .expect("s-002");
    assert_eq!(placed.surgeon, "wang-rad");
    // Xi no longer works at Ningde that day: that on-site day is gone.
    assert!(
        !outcome
            .draft
            .presence
            .iter()
            .any(|p| p.specialist == "xi-xiaowei" && p.site == "ningde")
    );
    assert_agrees_with_check(&instance, &roster, &outcome);
}

#[test]
fn an_mdt_seat_moved_away_breaks_the_meeting() {
    let (instance, roster) = example();
    let edits = [Edit::Move {
        entry: entry("zhao-path", "2026-03-04", "pm"),
        to: to_date("2026-03-05"),
    }];
    let outcome = apply(&instance, &roster, &edits);
    assert_eq!(outcome.broken_rules(), vec![Rule::Mdt]);
    // The seat moved alone.
    assert_eq!(
        assignment(&outcome.draft, "wang-rad", "2026-03-04", "pm").len(),
        1
    );
    assert_agrees_with_check(&instance, &roster, &outcome);
}

#[test]
fn swapping_a_clinic_with_an_mdt_seat_keeps_each_room_and_moves_the_booking() {
    let (instance, roster) = example();
    let edits = [Edit::Swap {
        a: entry("liu-jun", "2026-03-03", "am"),
        b: entry("liu-jun", "2026-03-04", "pm"),
    }];
    let outcome = apply(&instance, &roster, &edits);
    let clinic = assignment(&outcome.draft, "liu-jun", "2026-03-04", "pm");
    assert_eq!(clinic.len(), 1);
    assert_eq!(
        (clinic[0].activity, clinic[0].room.as_deref()),
        (Activity::Clinic, Some("c-onc"))
    );
    let booking = outcome
        .draft
        .bookings
        .iter()
        .find(|b| b.request == "r-001")
        .expect("r-001");
    assert_eq!(
        (booking.date, booking.session.as_str()),
        (date("2026-03-04"), "pm")
    );
    // The meeting lost its oncologist, and his seat sits in a morning the board does not meet.
    assert_eq!(outcome.broken_rules(), vec![Rule::Mdt]);
    assert_agrees_with_check(&instance, &roster, &outcome);
}

#[test]
fn an_added_day_breaks_a_residency() {
    let (instance, roster) = example();
    let clinic = Assignment {
        specialist: "liu-jun-breast".into(),
        date: date("2026-03-05"),
        session: "am".into(),
        activity: Activity::Clinic,
        site: None,
        room: Some("c-breast".into()),
        discipline: Some("breast-surgery".into()),
        studio: None,
        role: None,
        board: None,
        remote: None,
    };
    let outcome = apply(&instance, &roster, &[Edit::Add { assignment: clinic }]);
    let added = assignment(&outcome.draft, "liu-jun-breast", "2026-03-05", "am");
    assert_eq!(added[0].site.as_deref(), Some("ningde"));
    // A third on-site day for a two-day residency.
    assert_eq!(outcome.broken_rules(), vec![Rule::Presence]);
    assert_agrees_with_check(&instance, &roster, &outcome);
}

#[test]
fn a_pin_the_draft_does_not_meet_is_reported_and_can_be_taken_back() {
    let (instance, roster) = example();
    let monday = pin(r#"specialist = "liu-jun"
date = "2026-03-02"
activity = "clinic""#);
    let outcome = apply(
        &instance,
        &roster,
        &[Edit::Pin {
            pin: Box::new(monday.clone()),
        }],
    );
    assert_eq!(outcome.pins.len(), 1);
    assert_eq!(outcome.pins[0].id.as_deref(), Some("0"));
    assert_eq!(outcome.broken_rules(), vec![Rule::Pin]);
    // Judged against the instance with the draft's pins, exactly.
    let mut text = read("instances/example-week.toml");
    text.push_str(
        "\n[[pins]]\nspecialist = \"liu-jun\"\ndate = \"2026-03-02\"\nactivity = \"clinic\"\n",
    );
    let pinned = Instance::from_toml_str(&text).expect("pinned");
    assert_agrees_with_check(&pinned, &roster, &outcome);
    assert_eq!(outcome.draft.bound, None);

    let back = [
        Edit::Pin {
            pin: Box::new(monday),
        },
        Edit::Unpin { id: "0".into() },
    ];
    let outcome = apply(&instance, &roster, &back);
    assert!(outcome.pins.is_empty());
    assert!(outcome.is_valid());
}

#[test]
fn a_draft_missing_an_instance_pin_reports_rule_11_until_unpinned() {
    let (_, roster) = example();
    let mut text = read("instances/example-week.toml");
    text.push_str(
        "\n[[pins]]\nid = \"liu-tue\"\nspecialist = \"liu-jun\"\ndate = \"2026-03-03\"\n\
         session = \"am\"\nactivity = \"clinic\"\n",
    );
    let instance = Instance::from_toml_str(&text).expect("pinned");
    assert!(check(&instance, &roster).is_valid());
    let remove = Edit::Remove {
        entry: entry("liu-jun", "2026-03-03", "am"),
    };
    let outcome = apply(&instance, &roster, std::slice::from_ref(&remove));
    assert_eq!(outcome.pins.len(), 1);
    assert_eq!(outcome.pins[0].id.as_deref(), Some("liu-tue"));
    // Tuesday is a fixed residency day: Liu Jun stays on site, and r-001 is unserved.
    assert_eq!(outcome.broken_rules(), vec![Rule::Pin]);
    assert!(outcome.draft.bookings.iter().all(|b| b.request != "r-001"));
    assert_agrees_with_check(&instance, &roster, &outcome);

    let unpinned = [
        Edit::Unpin {
            id: "liu-tue".into(),
        },
        remove,
    ];
    let outcome = apply(&instance, &roster, &unpinned);
    assert!(outcome.pins.is_empty());
    assert!(outcome.is_valid(), "{:?}", outcome.violations);
    let (plain, _) = example();
    assert_agrees_with_check(&plain, &roster, &outcome);
}

#[test]
fn a_drafts_own_pins_carry_into_the_next_round_of_edits() {
    let (instance, roster) = example();
    assert!(instance_pins(&instance).is_empty());
    let monday = pin(r#"id = "liu-mon"
specialist = "liu-jun"
date = "2026-03-02"
activity = "clinic""#);
    let first = apply(
        &instance,
        &roster,
        &[Edit::Pin {
            pin: Box::new(monday),
        }],
    );
    assert_ne!(first.pins, instance_pins(&instance));
    // The draft, edited again with its own pins: the pin still holds against it.
    let pinned = with_draft_pins(&instance, &first.pins).expect("the draft's pins validate");
    assert_eq!(instance_pins(&pinned), first.pins);
    let second = apply(&pinned, &first.draft, &[]);
    assert_eq!(second.pins, first.pins);
    assert_eq!(second.broken_rules(), vec![Rule::Pin]);
    assert_agrees_with_check(&pinned, &first.draft, &second);
    let unpinned = apply(
        &pinned,
        &first.draft,
        &[Edit::Unpin {
            id: "liu-mon".into(),
        }],
    );
    assert_eq!(unpinned.pins, instance_pins(&instance));
    assert!(unpinned.is_valid());

    // A list that does not validate names the pin by its place in the list.
    let wrong = [pin(r#"specialist = "liu-jnu""#)];
    match with_draft_pins(&instance, &wrong) {
        Err(EditError::InvalidPin { edit, diagnostics }) => {
            assert_eq!(edit, None);
            assert_eq!(diagnostics[0].path, "pins[0].specialist");
        }
        other => panic!("expected InvalidPin, got {other:?}"),
    }
}

#[test]
fn edits_that_cannot_be_applied_are_errors() {
    let (instance, roster) = example();
    let cases: Vec<(Vec<Edit>, &str)> = vec![
        (
            vec![Edit::Move {
                entry: entry("liu-jun", "2026-03-02", "am"),
                to: to_date("2026-03-03"),
            }],
            "edits[0].entry: the draft has no assignment of \"liu-jun\" on 2026-03-02 am",
        ),
        (
            vec![Edit::Move {
                entry: entry("liu-jun", "2026-03-03", "am"),
                to: Target {
                    room: Some("c-oncc".into()),
                    ..Target::default()
                },
            }],
            "edits[0].to.room: unknown room \"c-oncc\" (did you mean \"c-onc\"?)",
        ),
        (
            vec![Edit::Move {
                entry: entry("liu-jun", "2026-03-03", "am"),
                to: to_date("2026-04-01"),
            }],
            "edits[0].to.date: 2026-04-01 is outside the horizon (2026-03-02 to 2026-03-08)",
        ),
        (
            vec![Edit::Move {
                entry: entry("liu-jun", "2026-03-03", "am"),
                to: Target {
                    session: Some("eve".into()),
                    specialist: Some("nobody".into()),
                    ..Target::default()
                },
            }],
            "edits[0].to.session: unknown session \"eve\"",
        ),
        (
            vec![
                Edit::Remove {
                    entry: entry("zhao-path", "2026-03-04", "pm"),
                },
                Edit::Swap {
                    a: entry("liu-jun", "2026-03-03", "am"),
                    b: entry("zhao-path", "2026-03-04", "pm"),
                },
            ],
            "edits[1].b: the draft has no assignment of \"zhao-path\" on 2026-03-04 pm",
        ),
        (
            vec![Edit::Unpin { id: "nope".into() }],
            "edits[0].id: the draft has no pin \"nope\" (its pins: none)",
        ),
    ];
    for (edits, message) in cases {
        match apply_edits(&instance, &roster, &edits) {
            Err(error) => assert!(
                error.to_string().starts_with(message),
                "got \"{error}\", expected \"{message}\""
            ),
            Ok(_) => panic!("expected an error: {message}"),
        }
    }
    let mut seat = roster.assignments[3].clone();
    seat.board = Some("lung-mdt".into());
    match apply_edits(&instance, &roster, &[Edit::Add { assignment: seat }]) {
        Err(EditError::UnknownId {
            edit: 0,
            field,
            what,
            ..
        }) => {
            assert_eq!(
                (field.as_str(), what.as_str()),
                ("assignment.board", "MDT board")
            );
        }
        other => panic!("expected an unknown board, got {other:?}"),
    }
}

#[test]
fn a_pin_that_does_not_validate_names_its_edit_and_field() {
    let (instance, roster) = example();
    let edits = [
        Edit::Pin {
            pin: Box::new(pin(r#"specialist = "liu-jun""#)),
        },
        Edit::Pin {
            pin: Box::new(pin(r#"specialist = "liu-jun"
date = "2026-03-07""#)),
        },
    ];
    match apply_edits(&instance, &roster, &edits) {
        Err(EditError::InvalidPin {
            edit: Some(1),
            diagnostics,
        }) => {
            assert_eq!(diagnostics.len(), 1);
            assert_eq!(diagnostics[0].path, "edits[1].pin.date");
        }
        other => panic!("expected an invalid pin, got {other:?}"),
    }
}

#[test]
fn edits_read_and_write_their_json_form() {
    let text = r#"[
        {"op": "move", "entry": {"specialist": "zhao-path", "date": "2026-03-04", "session": "pm"},
         "to": {"date": "2026-03-05", "room": "mdt-1"}},
        {"op": "swap", "a": {"specialist": "liu-jun", "date": "2026-03-03", "session": "am"},
         "b": {"specialist": "liu-jun", "date": "2026-03-05", "session": "pm", "activity": "clinic"}},
        {"op": "remove", "entry": {"specialist": "wang-rad", "date": "2026-03-04", "session": "pm"}},
        {"op": "pin", "pin": {"id": "p", "specialist": "liu-jun", "date": "2026-03-03"}},
        {"op": "unpin", "id": "p"}
    ]"#;
    let edits: Vec<Edit> = serde_json::from_str(text).expect("edits");
    assert_eq!(edits.len(), 5);
    let again: Vec<Edit> =
        serde_json::from_str(&serde_json::to_string(&edits).expect("json")).expect("again");
    assert_eq!(edits, again);
    let (instance, roster) = example();
    let outcome = apply(&instance, &roster, &edits);
    assert_eq!(outcome.broken_rules(), vec![Rule::Mdt]);
    assert!(serde_json::to_string(&outcome).is_ok());
}

#[test]
fn a_finding_reads_in_english_and_in_chinese() {
    let (instance, roster) = example();
    let edits = [Edit::Move {
        entry: EntryRef {
            activity: Some(Activity::Clinic),
            ..entry("liu-jun", "2026-03-03", "am")
        },
        to: Target {
            date: Some(date("2026-03-04")),
            session: Some("pm".into()),
            room: Some("c-onc".into()),
            ..Target::default()
        },
    }];
    let outcome = apply(&instance, &roster, &edits);
    let double = outcome
        .violations
        .iter()
        .find(|v| v.rule == Rule::OneThingAtATime && v.message.contains("liu-jun"))
        .expect("Liu Jun holds two things at once");
    assert_eq!(double.message, double.text.to_string());
    assert_eq!(
        double.message,
        "\"liu-jun\" has 2 activities in one slot (clinic, mdt)"
    );
    assert_eq!(
        double.text.render(&houniao::text::Chinese),
        "“liu-jun”在同一时段有2项活动（门诊、MDT会诊）"
    );
}
