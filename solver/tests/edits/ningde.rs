//! Checked edits on Ningde and its shipped optimal roster: illegal moves break exactly
//! their rules, legal ones report the checker's delta, and a sweep of moves, swaps and
//! removals agrees with the checker everywhere.

use chrono::NaiveDate;
use houniao::check::{Rule, check};
use houniao::edits::{Edit, EntryRef, Target};
use houniao::objective::Term;

use super::{apply, assert_agrees_with_check, assignment, date, entry, ningde, to_date};

#[test]
fn ningde_illegal_moves_break_exactly_their_rules() {
    let (instance, roster) = ningde();
    assert!(check(&instance, &roster).is_valid());
    let session = |s: &str| Target {
        session: Some(s.into()),
        ..Target::default()
    };
    let cases: Vec<(Edit, Vec<Rule>)> = vec![
        // Chen Bo (local urologist) attends Guo Peng's studio on Tuesday morning; his
        // afternoon clinic moved there double-books him (its room is free then, and its
        // booking stays within its window).
        (
            Edit::Move {
                entry: entry("chen-bo", "2026-03-03", "pm"),
                to: session("am"),
            },
            vec![Rule::OneThingAtATime],
        ),
        // s-02 (thoracic surgery, grade 3) given to Chen Yu, a radiologist free that
        // afternoon at the same hospital.
        (
            Edit::Move {
                entry: entry("cai-zhiqiang", "2026-03-03", "pm"),
                to: Target {
                    specialist: Some("chen-yu".into()),
                    ..Target::default()
                },
            },
            vec![Rule::Surgery],
        ),
        // The breast MDT's radiologist moved to Friday morning: Tuesday's meeting lacks
        // radiology, and the seat alone is no meeting (nor in a session the board meets).
        (
            Edit::Move {
                entry: entry("huang-li", "2026-03-03", "pm"),
                to: Target {
                    date: Some(date("2026-03-06")),
                    session: Some("am".into()),
                    ..Target::default()
                },
            },
            vec![Rule::Mdt],
        ),
        // A remote pathology seat moved away breaks its meeting just the same.
        (
            Edit::Move {
                entry: entry("wei-na", "2026-03-03", "pm"),
                to: to_date("2026-03-05"),
            },
            vec![Rule::Mdt],
        ),
        // Xu Qiang's Tuesday clinic moved to Friday: a fourth on-site day at Ningde for a
        // Tue–Thu residency.
        (
            Edit::Move {
                entry: entry("xu-qiang", "2026-03-03", "pm"),
                to: Target {
                    date: Some(date("2026-03-06")),
                    session: Some("am".into()),
                    ..Target::default()
                },
            },
            vec![Rule::Presence],
        ),
    ];
    for (edit, rules) in cases {
        let outcome = apply(&instance, &roster, std::slice::from_ref(&edit));
        assert_eq!(
            outcome.broken_rules(),
            rules,
            "{edit:?}: {:?}",
            outcome.violations
        );
        assert_agrees_with_check(&instance, &roster, &outcome);
    }
}

#[test]
fn ningde_legal_moves_report_the_checkers_delta() {
    let (instance, roster) = ningde();
    // Lin Yan's Monday studio at Jiaocheng moved to Tuesday morning: her apprentice and
    // both bookings follow, the on-site day moves from Monday to Tuesday (same cost);
    // Tuesday afternoon is idle where Monday morning was unavailable; r-12 and r-23 wait.
    let studio = Edit::Move {
        entry: entry("lin-yan", "2026-03-02", "pm"),
        to: Target {
            date: Some(date("2026-03-03")),
            session: Some("am".into()),
            ..Target::default()
        },
    };
    let outcome = apply(&instance, &roster, &[studio]);
    assert!(outcome.is_valid(), "{:?}", outcome.violations);
    let draft = &outcome.draft;
    assert_eq!(
        assignment(draft, "chen-xiuying", "2026-03-03", "am").len(),
        1
    );
    for request in ["r-12", "r-23"] {
        let b = draft
            .bookings
            .iter()
            .find(|b| b.request == request)
            .expect("booked");
        assert_eq!(
            (b.date, b.session.as_str(), b.site.as_str()),
            (date("2026-03-03"), "am", "jiaocheng")
        );
    }
    let jiaocheng: Vec<NaiveDate> = draft
        .presence
        .iter()
        .filter(|p| p.specialist == "lin-yan" && p.site == "jiaocheng")
        .map(|p| p.date)
        .collect();
    assert_eq!(jiaocheng, vec![date("2026-03-03")]);
    assert_eq!(outcome.delta[Term::VisitingDayCost], 0.0);
    assert_eq!(outcome.delta[Term::IdleVisitingSession], 10.0);
    assert_agrees_with_check(&instance, &roster, &outcome);

    // Guo Peng's Thursday afternoon clinic moved to Friday: a new on-site day (900 ×
    // 0.01), Thursday stays for his morning clinic; an idle session on each day.
    let clinic = Edit::Move {
        entry: entry("guo-peng", "2026-03-05", "pm"),
        to: to_date("2026-03-06"),
    };
    let outcome = apply(&instance, &roster, &[clinic]);
    assert!(outcome.is_valid(), "{:?}", outcome.violations);
    assert_eq!(outcome.delta[Term::VisitingDayCost], 9.0);
    assert_eq!(outcome.delta[Term::IdleVisitingSession], 20.0);
    assert_eq!(outcome.objective_delta, 29.0);
    assert_agrees_with_check(&instance, &roster, &outcome);

    // s-02 moved with its surgeon to Wednesday morning: its start follows the session.
    let surgery = Edit::Move {
        entry: entry("cai-zhiqiang", "2026-03-03", "pm"),
        to: Target {
            date: Some(date("2026-03-04")),
            session: Some("am".into()),
            ..Target::default()
        },
    };
    let outcome = apply(&instance, &roster, &[surgery]);
    assert!(outcome.is_valid(), "{:?}", outcome.violations);
    let placed = outcome
        .draft
        .surgeries
        .iter()
        .find(|s| s.surgery == "s-02")
        .expect("s-02");
    assert_eq!(
        (
            placed.date,
            placed.session.as_str(),
            placed.start.as_deref()
        ),
        (date("2026-03-04"), "am", Some("08:00"))
    );
    assert_agrees_with_check(&instance, &roster, &outcome);
}

#[test]
fn ningde_moves_agree_with_the_checker() {
    let (instance, roster) = ningde();
    assert!(check(&instance, &roster).is_valid());
    // Every third entry dragged to the next date, to the other session, to the next
    // specialist, swapped with another entry and removed: whatever the checker says, the outcome says, and nothing panics.
    let specialists: Vec<String> = instance.specialists.iter().map(|s| s.id.clone()).collect();
    for (i, a) in roster.assignments.iter().enumerate().step_by(3) {
        let here = EntryRef {
            specialist: a.specialist.clone(),
            date: a.date,
            session: a.session.clone(),
            activity: None,
        };
        let next = specialists[(i + 1) % specialists.len()].clone();
        let targets = [
            to_date(
                &(a.date + chrono::Duration::days(1))
                    .min(date("2026-03-08"))
                    .to_string(),
            ),
            Target {
                session: Some(if a.session == "am" { "pm" } else { "am" }.into()),
                ..Target::default()
            },
            Target {
                specialist: Some(next),
                ..Target::default()
            },
        ];
        let other = &roster.assignments[(i * 7 + 5) % roster.assignments.len()];
        let there = EntryRef {
            specialist: other.specialist.clone(),
            date: other.date,
            session: other.session.clone(),
            activity: None,
        };
        let mut edits: Vec<Edit> = targets
            .into_iter()
            .map(|to| Edit::Move {
                entry: here.clone(),
                to,
            })
            .collect();
        edits.push(Edit::Swap {
            a: here.clone(),
            b: there,
        });
        edits.push(Edit::Remove {
            entry: here.clone(),
        });
        for edit in edits {
            let outcome = apply(&instance, &roster, std::slice::from_ref(&edit));
            assert_agrees_with_check(&instance, &roster, &outcome);
        }
    }
}
