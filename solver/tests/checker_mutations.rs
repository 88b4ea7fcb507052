//! The reference checker against targeted mutations of the worked example: each
//! mutation breaks one hard rule (or one stated figure) and must be caught by it.

use houniao::check::{CheckReport, Rule, check};
use houniao::objective::Term;
use houniao::roster::{
    Activity, Assignment, Booking, Presence, StudioRole, SurgeryPlacement, Unmet, UnmetKind,
};
use houniao::{Instance, Roster};

const INSTANCE: &str = include_str!("../../instances/example-week.toml");
const ROSTER: &str = include_str!("data/roster.example.json");

fn roster() -> Roster {
    Roster::from_json_str(ROSTER).expect("example roster parses")
}

fn date(text: &str) -> chrono::NaiveDate {
    text.parse().expect("test date")
}

/// The example instance with one textual replacement (which must apply).
fn instance_with(from: &str, to: &str) -> Instance {
    assert!(INSTANCE.contains(from), "instance text has no {from:?}");
    Instance::from_toml_str(&INSTANCE.replacen(from, to, 1)).expect("mutated instance stays valid")
}

fn instance() -> Instance {
    Instance::from_toml_str(INSTANCE).expect("example instance is valid")
}

/// Index of the assignment of `who` in the slot.
fn at(roster: &Roster, who: &str, day: &str, session: &str) -> usize {
    roster
        .assignments
        .iter()
        .position(|a| a.specialist == who && a.date == date(day) && a.session == session)
        .unwrap_or_else(|| panic!("no assignment of {who} on {day} {session}"))
}

fn booking<'r>(roster: &'r mut Roster, request: &str) -> &'r mut Booking {
    roster
        .bookings
        .iter_mut()
        .find(|b| b.request == request)
        .expect("booking exists")
}

fn assert_only(report: &CheckReport, rule: Rule) {
    assert_eq!(
        report.broken_rules(),
        vec![rule],
        "violations: {:#?}",
        report.violations
    );
}

fn assert_breaks(report: &CheckReport, rule: Rule) {
    assert!(
        report.broken_rules().contains(&rule),
        "expected {rule}, got {:#?}",
        report.violations
    );
}

#[test]
fn the_example_roster_is_valid_with_objective_60() {
    let report = check(&instance(), &roster());
    assert!(report.passed(), "{report:#?}");
    assert_eq!(report.objective, 60.0);
    assert!((report.terms[Term::VisitingDayCost] - 57.0).abs() < 1e-9);
    assert_eq!(report.terms[Term::WaitDay], 3.0);
}

// Rule 1: one thing at a time.

#[test]
fn two_activities_of_one_specialist_in_a_slot() {
    let mut roster = roster();
    let mut twin = roster.assignments[at(&roster, "liu-jun", "2026-03-03", "am")].clone();
    twin.room = Some("c-breast".into());
    roster.assignments.push(twin);
    assert_only(&check(&instance(), &roster), Rule::OneThingAtATime);
}

#[test]
fn two_clinics_in_one_room() {
    let mut roster = roster();
    let i = at(&roster, "liu-jun-breast", "2026-03-04", "am");
    roster.assignments[i].room = Some("c-onc".into());
    assert_only(&check(&instance(), &roster), Rule::OneThingAtATime);
}

#[test]
fn theatre_minutes_over_capacity() {
    let text = INSTANCE.replacen("capacity_minutes = 240", "capacity_minutes = 200", 1)
        + "\n[[surgeries]]\nid = \"s-003\"\npatient = \"P-1100\"\ndiscipline = \"breast-surgery\"\nsurgeon = \"liu-jun-breast\"\ngrade = 2\nminutes = 60\nroom_tags = [\"laparoscopy\"]\nrelease = \"2026-03-02\"\ndue = \"2026-03-06\"\n";
    let instance = Instance::from_toml_str(&text).expect("valid");
    let mut roster = roster();
    roster.surgeries.push(SurgeryPlacement {
        surgery: "s-003".into(),
        date: date("2026-03-03"),
        session: "am".into(),
        room: "or-2".into(),
        surgeon: "liu-jun-breast".into(),
        start: Some("10:30".into()),
    });
    assert_only(&check(&instance, &roster), Rule::OneThingAtATime);
}

#[test]
fn theatre_used_while_unavailable() {
    let instance = instance_with(
        "unavailable = [\"2026-03-06:pm\"]",
        "unavailable = [\"2026-03-03:am\"]",
    );
    assert_only(&check(&instance, &roster()), Rule::OneThingAtATime);
}

// Rule 2: where they may be.

#[test]
fn on_site_at_a_site_not_among_theirs() {
    let mut roster = roster();
    roster.presence.push(Presence {
        specialist: "liu-jun".into(),
        date: date("2026-03-06"),
        site: "jiaocheng".into(),
    });
    assert_only(&check(&instance(), &roster), Rule::WhereTheyMayBe);
}

#[test]
fn not_enough_time_to_travel_between_sites() {
    let instance = instance_with("minutes = 40", "minutes = 120");
    assert_only(&check(&instance, &roster()), Rule::WhereTheyMayBe);
}

#[test]
fn two_sites_in_a_day_without_a_travel_entry() {
    let instance = instance_with(
        "[[travel]]\nfrom = \"ningde\"\nto = \"jiaocheng\"\nminutes = 40",
        "",
    );
    assert_only(&check(&instance, &roster()), Rule::WhereTheyMayBe);
}

// Rule 3: load.

#[test]
fn too_many_sessions_in_a_week() {
    let instance = instance_with("max_sessions_per_week = 6", "max_sessions_per_week = 5");
    assert_only(&check(&instance, &roster()), Rule::Load);
}

#[test]
fn too_many_sessions_in_a_day() {
    let instance = instance_with(
        "surgery_grade = 4\nclinic_capacity = 12",
        "surgery_grade = 4\nmax_sessions_per_day = 1\nclinic_capacity = 12",
    );
    assert_only(&check(&instance, &roster()), Rule::Load);
}

// Rule 4: presence and residencies.

#[test]
fn on_site_activity_without_presence() {
    let mut roster = roster();
    roster
        .presence
        .retain(|p| !(p.specialist == "liu-jun" && p.date == date("2026-03-05")));
    assert_only(&check(&instance(), &roster), Rule::Presence);
}

#[test]
fn residency_with_too_many_days() {
    let mut roster = roster();
    roster.presence.push(Presence {
        specialist: "liu-jun-breast".into(),
        date: date("2026-03-05"),
        site: "ningde".into(),
    });
    assert_only(&check(&instance(), &roster), Rule::Presence);
}

#[test]
fn residency_days_not_consecutive() {
    // Move liu-jun-breast's Wednesday to Thursday (the MDT moves with her, liu-jun swaps
    // his Thursday pm clinic for the Wednesday pm).
    let mut roster = roster();
    for who in ["liu-jun-breast", "liu-jun", "wang-rad", "zhao-path"] {
        let i = at(&roster, who, "2026-03-04", "pm");
        roster.assignments[i].date = date("2026-03-05");
    }
    let clinic = roster
        .assignments
        .iter()
        .position(|a| {
            a.specialist == "liu-jun"
                && a.date == date("2026-03-05")
                && a.session == "pm"
                && a.activity == Activity::Clinic
        })
        .expect("liu-jun's Thursday pm clinic");
    roster.assignments[clinic].date = date("2026-03-04");
    let i = at(&roster, "liu-jun-breast", "2026-03-04", "am");
    roster.assignments[i].date = date("2026-03-05");
    for p in &mut roster.presence {
        if p.specialist == "liu-jun-breast" && p.date == date("2026-03-04") {
            p.date = date("2026-03-05");
        }
    }
    let report = check(&instance(), &roster);
    assert_only(&report, Rule::Presence);
    assert!(
        report.violations[0].message.contains("not consecutive"),
        "{:#?}",
        report.violations
    );
}

#[test]
fn residency_off_its_fixed_days() {
    let instance = instance_with(
        "days = [\"tue\", \"wed\", \"thu\"]",
        "days = [\"mon\", \"tue\", \"wed\"]",
    );
    assert_only(&check(&instance, &roster()), Rule::Presence);
}

#[test]
fn presence_of_a_local_specialist() {
    let mut roster = roster();
    roster.presence.push(Presence {
        specialist: "chen-gp".into(),
        date: date("2026-03-03"),
        site: "jiaocheng".into(),
    });
    assert_only(&check(&instance(), &roster), Rule::Presence);
}

#[test]
fn presence_on_an_unavailable_date() {
    let mut roster = roster();
    roster.presence.push(Presence {
        specialist: "xi-xiaowei".into(),
        date: date("2026-03-02"),
        site: "jiaocheng".into(),
    });
    assert_only(&check(&instance(), &roster), Rule::Presence);
}

// §3 preamble: free.

#[test]
fn activity_when_not_available() {
    let instance = instance_with(
        "disciplines = [\"radiology\"]",
        "disciplines = [\"radiology\"]\navailable = [\"mon\", \"tue\"]",
    );
    assert_only(&check(&instance, &roster()), Rule::Free);
}

// Rule 5: clinic sessions.

#[test]
fn clinic_in_a_discipline_the_specialist_lacks() {
    let mut roster = roster();
    let i = at(&roster, "liu-jun", "2026-03-05", "pm");
    roster.assignments[i].discipline = Some("breast-surgery".into());
    assert_only(&check(&instance(), &roster), Rule::Clinic);
}

#[test]
fn clinic_in_a_meeting_room() {
    let mut roster = roster();
    let i = at(&roster, "liu-jun", "2026-03-05", "pm");
    roster.assignments[i].room = Some("mdt-1".into());
    assert_only(&check(&instance(), &roster), Rule::Clinic);
}

#[test]
fn only_mdt_participants_join_by_video() {
    let mut roster = roster();
    let i = at(&roster, "liu-jun", "2026-03-05", "pm");
    roster.assignments[i].remote = Some(true);
    let report = check(&instance(), &roster);
    assert_only(&report, Rule::Mdt);
    assert!(
        report.violations[0]
            .message
            .contains("only MDT participants join by video"),
        "{:#?}",
        report.violations
    );
    // Saying that a clinic is not remote is true, and harmless.
    roster.assignments[i].remote = Some(false);
    assert!(check(&instance(), &roster).is_valid());
}

#[test]
fn board_studio_and_role_belong_to_their_own_entries() {
    let i = at(&roster(), "liu-jun", "2026-03-05", "pm");
    type Mutation = fn(&mut houniao::roster::Assignment);
    let mutations: [(&str, Mutation); 3] = [
        ("board", |a| a.board = Some("breast-mdt".into())),
        ("studio", |a| a.studio = Some("xi-studio".into())),
        ("role", |a| a.role = Some(houniao::roster::StudioRole::Lead)),
    ];
    for (field, mutate) in mutations {
        let mut roster = roster();
        mutate(&mut roster.assignments[i]);
        let report = check(&instance(), &roster);
        assert_only(&report, Rule::Format);
        assert!(
            report.violations[0]
                .message
                .contains(&format!("has {field} ")),
            "{field}: {:#?}",
            report.violations
        );
    }
}

// Rule 6: studio sessions.

#[test]
fn studio_session_without_apprentice() {
    let mut roster = roster();
    roster.assignments.retain(|a| a.specialist != "chen-gp");
    assert_only(&check(&instance(), &roster), Rule::Studio);
}

#[test]
fn studio_led_by_someone_else() {
    let mut roster = roster();
    let lead = at(&roster, "xi-xiaowei", "2026-03-03", "am");
    let apprentice = at(&roster, "chen-gp", "2026-03-03", "am");
    roster.assignments[lead].role = Some(StudioRole::Apprentice);
    roster.assignments[apprentice].role = Some(StudioRole::Lead);
    assert_breaks(&check(&instance(), &roster), Rule::Studio);
}

// Rule 7: MDT meetings.

#[test]
fn mdt_meeting_missing_a_discipline() {
    let mut roster = roster();
    roster.assignments.retain(|a| a.specialist != "zhao-path");
    assert_only(&check(&instance(), &roster), Rule::Mdt);
}

#[test]
fn mdt_remote_place_for_a_discipline_that_must_be_present() {
    let mut roster = roster();
    let i = at(&roster, "wang-rad", "2026-03-04", "pm");
    roster.assignments[i].remote = Some(true);
    roster.assignments[i].site = None;
    roster.assignments[i].room = None;
    assert_only(&check(&instance(), &roster), Rule::Mdt);
}

#[test]
fn mdt_meeting_in_a_session_the_board_does_not_allow() {
    let instance = instance_with(
        "sessions = [\"pm\"]\nroom_tags = [\"video\"]",
        "sessions = [\"am\"]\nroom_tags = [\"video\"]",
    );
    assert_only(&check(&instance, &roster()), Rule::Mdt);
}

// Rule 8: surgeries.

#[test]
fn surgery_before_its_release() {
    let instance = instance_with(
        "release = \"2026-03-02\"\ndue = \"2026-03-05\"",
        "release = \"2026-03-04\"\ndue = \"2026-03-05\"",
    );
    assert_only(&check(&instance, &roster()), Rule::Surgery);
}

#[test]
fn surgery_by_a_surgeon_without_the_discipline() {
    let mut roster = roster();
    let op = roster
        .surgeries
        .iter_mut()
        .find(|s| s.surgery == "s-002")
        .expect("s-002");
    op.surgeon = "liu-jun-breast".into();
    assert_only(&check(&instance(), &roster), Rule::Surgery);
}

#[test]
fn surgery_assignment_without_a_surgery() {
    let mut roster = roster();
    roster.surgeries.retain(|s| s.surgery != "s-002");
    assert_only(&check(&instance(), &roster), Rule::Surgery);
}

#[test]
fn surgery_done_twice() {
    let mut roster = roster();
    let twin = roster.surgeries[0].clone();
    roster.surgeries.push(twin);
    assert_breaks(&check(&instance(), &roster), Rule::Surgery);
}

#[test]
fn surgery_start_outside_its_session() {
    let mut roster = roster();
    roster.surgeries[0].start = Some("11:00".into());
    assert_only(&check(&instance(), &roster), Rule::Surgery);
}

// Rule 9: bookings.

#[test]
fn booking_into_no_session() {
    let mut roster = roster();
    booking(&mut roster, "r-001").date = date("2026-03-02");
    assert_only(&check(&instance(), &roster), Rule::Booking);
}

#[test]
fn booking_with_a_substitute_the_patient_refused() {
    let mut roster = roster();
    let b = booking(&mut roster, "r-003");
    b.specialist = "liu-jun".into();
    b.site = "ningde".into();
    b.substitute = true;
    assert_only(&check(&instance(), &roster), Rule::Booking);
}

#[test]
fn booking_outside_the_window() {
    let instance = instance_with("latest = \"2026-03-04\"", "latest = \"2026-03-02\"");
    assert_only(&check(&instance, &roster()), Rule::Booking);
}

#[test]
fn booking_over_capacity() {
    let text = INSTANCE.replacen("clinic_capacity = 15", "clinic_capacity = 1", 1)
        + "\n[[requests]]\nid = \"r-004\"\npatient = \"P-2234\"\nspecialist = \"liu-jun\"\nearliest = \"2026-03-03\"\nlatest = \"2026-03-06\"\n";
    let instance = Instance::from_toml_str(&text).expect("valid");
    let mut roster = roster();
    roster.bookings.push(Booking {
        request: "r-004".into(),
        specialist: "liu-jun".into(),
        date: date("2026-03-03"),
        session: "am".into(),
        site: "ningde".into(),
        substitute: false,
        pool: None,
    });
    assert_only(&check(&instance, &roster), Rule::Booking);
}

#[test]
fn booking_with_a_wrong_substitute_flag() {
    let mut roster = roster();
    booking(&mut roster, "r-001").substitute = true;
    assert_only(&check(&instance(), &roster), Rule::Booking);
}

#[test]
fn request_booked_twice() {
    let mut roster = roster();
    let twin = booking(&mut roster, "r-002").clone();
    roster.bookings.push(twin);
    assert_only(&check(&instance(), &roster), Rule::Booking);
}

// Rule 10: references.

#[test]
fn unknown_specialist() {
    let mut roster = roster();
    roster.assignments.push(Assignment {
        specialist: "nobody".into(),
        ..roster.assignments[0].clone()
    });
    assert_only(&check(&instance(), &roster), Rule::References);
}

#[test]
fn roster_of_another_instance() {
    let mut roster = roster();
    roster.instance = "another-week".into();
    assert_only(&check(&instance(), &roster), Rule::References);
}

// §6: the roster's own structure.

#[test]
fn presence_listed_twice() {
    let mut roster = roster();
    let twin = roster.presence[0].clone();
    roster.presence.push(twin);
    assert_only(&check(&instance(), &roster), Rule::Format);
}

// Stated figures and the unmet list.

#[test]
fn wrong_stated_objective_is_caught() {
    let mut roster = roster();
    roster.objective = 61.0;
    let report = check(&instance(), &roster);
    assert!(report.is_valid() && !report.passed());
    assert!(
        report
            .discrepancies
            .iter()
            .any(|d| d.subject == "objective"),
        "{:#?}",
        report.discrepancies
    );
}

#[test]
fn wrong_stated_terms_are_caught() {
    let mut roster = roster();
    roster.objective_terms[Term::WaitDay] = 2.0;
    roster.objective_terms[Term::VisitingDayCost] = 58.0;
    let report = check(&instance(), &roster);
    let subjects: Vec<&str> = report
        .discrepancies
        .iter()
        .map(|d| d.subject.as_str())
        .collect();
    assert!(report.is_valid());
    assert_eq!(subjects, vec!["wait_day", "visiting_day_cost"]);
}

#[test]
fn an_unbooked_request_costs_its_priority_and_must_be_listed() {
    let mut roster = roster();
    roster.bookings.retain(|b| b.request != "r-003");
    let report = check(&instance(), &roster);
    assert!(report.is_valid());
    assert_eq!(report.objective, 60.0 - 1.0 + 100.0);
    assert!(
        report
            .discrepancies
            .iter()
            .any(|d| d.subject == "unmet" && d.message.contains("r-003"))
    );

    roster.unmet.push(Unmet {
        kind: UnmetKind::Request,
        ids: vec!["r-003".into()],
        week: None,
        missing: None,
        reason: "Xi Xiaowei holds one session in the window".into(),
    });
    roster.objective = 159.0;
    roster.bound = Some(159.0);
    roster.objective_terms[Term::WaitDay] = 2.0;
    roster.objective_terms[Term::UnservedRequest] = 100.0;
    let report = check(&instance(), &roster);
    assert!(report.passed(), "{report:#?}");
}

#[test]
fn a_missing_mdt_meeting_costs_400_and_must_be_listed_per_week() {
    let mut roster = roster();
    roster.assignments.retain(|a| a.activity != Activity::Mdt);
    let report = check(&instance(), &roster);
    assert!(report.is_valid(), "{:#?}", report.violations);
    assert_eq!(report.terms[Term::MissingMdtMeeting], 400.0);
    // The freed pm slots of visiting specialists on site are now idle.
    assert_eq!(report.terms[Term::IdleVisitingSession], 20.0);
    assert!(
        report
            .discrepancies
            .iter()
            .any(|d| d.subject == "unmet" && d.message.contains("breast-mdt"))
    );
}
