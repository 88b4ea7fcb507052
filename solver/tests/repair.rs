//! Re-planning after publication: the repaired roster is valid for the changed
//! instance, moves only what had to move, keeps bookings, and names the patients to
//! call.

use std::sync::atomic::AtomicBool;

use houniao::booking::{BookingBook, Ledger, PatientRequest};
use houniao::check::check;
use houniao::instance::SourceFormat;
use houniao::repair::{RepairError, RepairOptions, RepairWeights, repair};
use houniao::scenario::Scenario;
use houniao::solve::SolveOptions;
use houniao::{Instance, Roster};

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn changed_example() -> (Instance, Roster) {
    let text =
        std::fs::read_to_string(root().join("instances/example-week.toml")).expect("example");
    let scenario =
        Scenario::from_path(&root().join("instances/scenarios/example-xi-away-tuesday.toml"))
            .expect("scenario");
    let changed = scenario
        .apply_to_text(&text, SourceFormat::Toml)
        .expect("applies")
        .instance;
    let roster =
        Roster::from_path(&root().join("solver/tests/data/roster.example.json")).expect("roster");
    (changed, roster)
}

fn options() -> SolveOptions {
    SolveOptions {
        time_limit: 20.0,
        threads: 1,
        ..SolveOptions::default()
    }
}

#[test]
fn the_expert_away_moves_her_patient_to_her_next_session_and_nothing_else() {
    let (changed, published) = changed_example();
    // The published roster no longer holds: Xi works on Tuesday.
    assert!(!check(&changed, &published).is_valid());
    let outcome = repair(
        &changed,
        &published,
        None,
        RepairOptions::default(),
        options(),
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .expect("repairs");
    let roster = &outcome.report.roster;
    let report = check(&changed, roster);
    assert!(
        report.passed(),
        "{:?} {:?}",
        report.violations,
        report.discrepancies
    );
    // Only Xi Xiaowei and her apprentice move.
    let moved: std::collections::BTreeSet<&str> = outcome
        .moves
        .iter()
        .map(|m| m.specialist.as_str())
        .collect();
    assert_eq!(
        moved.into_iter().collect::<Vec<_>>(),
        ["chen-gp", "xi-xiaowei"],
        "{:?}",
        outcome.moves
    );
    // Her booked patient is called and moved to her next session; nobody else is called.
    assert_eq!(outcome.calls.len(), 1, "{:?}", outcome.calls);
    let call = &outcome.calls[0];
    assert_eq!(call.booking, "r-003");
    assert_eq!(call.before.to_string(), "xi-xiaowei@2026-03-03:am");
    let after = call.after.as_ref().expect("placed");
    assert_eq!(after.specialist, "xi-xiaowei");
    assert_eq!(after.date.to_string(), "2026-03-04", "{after}");
}

#[test]
fn call_centre_bookings_are_rebooked_and_kept_in_preference() {
    let (changed, published) = changed_example();
    let original =
        Instance::from_path(&root().join("instances/example-week.toml")).expect("example");
    let mut book = BookingBook::open(
        std::sync::Arc::new(original),
        &published,
        Ledger::new("example-week"),
    )
    .expect("opens");
    let when = chrono::Utc::now();
    let day = |d: &str| houniao::calendar::parse_date(d).expect("date");
    // Two patients of Liu Jun (unaffected) and one of Xi Xiaowei (affected).
    for patient in ["P-1", "P-2"] {
        book.book_best(
            &PatientRequest::for_specialist("liu-jun", day("2026-03-02"), day("2026-03-06"))
                .with_patient(patient),
            when,
        )
        .expect("booked");
    }
    book.book_best(
        &PatientRequest::for_specialist("xi-xiaowei", day("2026-03-02"), day("2026-03-06"))
            .with_patient("P-3"),
        when,
    )
    .expect("booked");
    let ledger = book.ledger().clone();
    let outcome = repair(
        &changed,
        &published,
        Some(&ledger),
        RepairOptions::default(),
        options(),
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .expect("repairs");
    let rebooked = outcome.ledger.expect("ledger");
    // The new ledger fits the new roster, with the same ids.
    let reopened = BookingBook::open(
        std::sync::Arc::new(changed.clone()),
        &outcome.report.roster,
        rebooked.clone(),
    )
    .expect("fits");
    let ids: Vec<&str> = rebooked.bookings.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(ids, ["b-0001", "b-0002", "b-0003"]);
    assert_eq!(reopened.bookings(None, Some("P-3")).expect("list").len(), 1);
    // Liu Jun's patients stay; Xi Xiaowei's two patients (r-003 and b-0003) are called.
    let called: Vec<&str> = outcome.calls.iter().map(|c| c.booking.as_str()).collect();
    assert_eq!(called, ["r-003", "b-0003"], "{:?}", outcome.calls);
    assert!(outcome.calls.iter().all(|c| c.after.is_some()));
}

/// Ningde's published roster with Cai Zhiqiang away from Thursday on.
fn ningde_cai_away_thursday() -> (Instance, Roster) {
    let text =
        std::fs::read_to_string(root().join("instances/ningde-regional.toml")).expect("ningde");
    let scenario = Scenario::from_str_as(
        r#"name = "cai-zhiqiang away Thu-Fri"
[[changes]]
kind = "unavailable"
specialist = "cai-zhiqiang"
slots = ["2026-03-05", "2026-03-06"]"#,
        SourceFormat::Toml,
    )
    .expect("scenario");
    let changed = scenario
        .apply_to_text(&text, SourceFormat::Toml)
        .expect("applies")
        .instance;
    let roster = Roster::from_path(&root().join("instances/rosters/ningde-regional.roster.json"))
        .expect("roster");
    (changed, roster)
}

/// The entries of a roster dated before `until`, each as its JSON text.
fn past_entries(roster: &Roster, until: &str) -> Vec<String> {
    fn text(entry: &impl serde::Serialize) -> String {
        serde_json::to_string(entry).expect("serialises")
    }
    let before = |date: &chrono::NaiveDate| date.to_string().as_str() < until;
    let mut out: Vec<String> = Vec::new();
    out.extend(roster.presence.iter().filter(|p| before(&p.date)).map(text));
    out.extend(
        roster
            .assignments
            .iter()
            .filter(|a| before(&a.date))
            .map(text),
    );
    out.extend(
        roster
            .surgeries
            .iter()
            .filter(|s| before(&s.date))
            .map(text),
    );
    out.extend(roster.bookings.iter().filter(|b| before(&b.date)).map(text));
    out.sort();
    out
}

#[test]
fn freezing_keeps_every_earlier_entry_byte_for_byte() {
    let (changed, published) = ningde_cai_away_thursday();
    // No reward for keeping anything: only the freeze holds the past.
    let plan = RepairOptions {
        weights: RepairWeights {
            keep_assignment: 0.0,
            keep_booking: 0.0,
        },
        freeze_until: Some(chrono::NaiveDate::from_ymd_opt(2026, 3, 4).expect("date")),
    };
    let outcome = repair(
        &changed,
        &published,
        None,
        plan,
        options(),
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .expect("repairs");
    let roster = &outcome.report.roster;
    let report = check(&changed, roster);
    assert!(report.is_valid(), "{:?}", report.violations);
    assert_eq!(
        past_entries(roster, "2026-03-04"),
        past_entries(&published, "2026-03-04")
    );
    // Cai Zhiqiang's Thursday and Friday moved.
    assert!(outcome.moves.iter().any(|m| m.specialist == "cai-zhiqiang"));
    // Without the freeze, the unweighted repair rewrites part of the past.
    let free = repair(
        &changed,
        &published,
        None,
        RepairOptions {
            freeze_until: None,
            ..plan
        },
        options(),
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .expect("repairs");
    assert_ne!(
        past_entries(&free.report.roster, "2026-03-04"),
        past_entries(&published, "2026-03-04")
    );
}

#[test]
fn a_past_that_no_longer_fits_is_named_as_frozen() {
    // Theatre or-1 closes for the whole week, Tuesday's published surgery included.
    let text =
        std::fs::read_to_string(root().join("instances/ningde-regional.toml")).expect("ningde");
    let scenario =
        Scenario::from_path(&root().join("instances/scenarios/ningde-theatre-closed.toml"))
            .expect("scenario");
    let changed = scenario
        .apply_to_text(&text, SourceFormat::Toml)
        .expect("applies")
        .instance;
    let published =
        Roster::from_path(&root().join("instances/rosters/ningde-regional.roster.json"))
            .expect("roster");
    let tuesday_or_1 = published
        .surgeries
        .iter()
        .any(|s| s.room == "or-1" && s.date.to_string() == "2026-03-03");
    assert!(tuesday_or_1, "the test needs a Tuesday surgery in or-1");
    let plan = RepairOptions {
        freeze_until: Some(chrono::NaiveDate::from_ymd_opt(2026, 3, 4).expect("date")),
        ..RepairOptions::default()
    };
    let error = repair(
        &changed,
        &published,
        None,
        plan,
        options(),
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .expect_err("the past no longer fits");
    let RepairError::Solve(houniao::solve::SolveError::PinConflict(conflict)) = &error else {
        panic!("expected a pin conflict, got {error}");
    };
    assert!(
        conflict.to_string().contains("frozen")
            || conflict.to_string().contains("published before"),
        "{conflict}"
    );
}
