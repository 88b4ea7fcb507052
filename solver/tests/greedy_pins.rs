//! The greedy heuristic honours `[[pins]]` (rule 11): on the worked example and on
//! Ningde, each kind of pin and forbid appended to the instance is met by
//! `greedy::build`'s roster, which the checker finds valid; pins that cannot hold
//! together give an error naming the pin, never a panic.

use houniao::Instance;
use houniao::check::check;
use houniao::greedy::{self, GreedyError};
use houniao::roster::{Activity, Assignment, Roster, RosterStatus};
use houniao::schedule::Provenance;

const EXAMPLE: &str = include_str!("../../instances/example-week.toml");
const NINGDE: &str = include_str!("../../instances/ningde-regional.toml");

/// The instance with a `[[pins]]` section appended.
fn with_pins(text: &str, pins: &str) -> Instance {
    Instance::from_toml_str(&format!("{text}\n{pins}")).expect("valid instance with pins")
}

fn roster_of(instance: &Instance) -> Roster {
    let schedule = match greedy::build(instance) {
        Ok(schedule) => schedule,
        Err(error) => panic!("greedy failed: {error}"),
    };
    schedule.to_roster(
        instance,
        Provenance {
            status: RosterStatus::Feasible,
            bound: None,
            seconds: 0.0,
        },
    )
}

/// The greedy roster of the pinned instance: valid, and meeting every pin.
fn pinned_roster(text: &str, pins: &str) -> (Instance, Roster) {
    let instance = with_pins(text, pins);
    assert!(!instance.pins.is_empty(), "the pins were read");
    let roster = roster_of(&instance);
    let report = check(&instance, &roster);
    assert!(report.is_valid(), "{:#?}", report.violations);
    for pin in &instance.pins {
        assert!(
            pin.is_met(&instance, &roster),
            "{} [{}] missed",
            pin.label(),
            pin.describe(&instance)
        );
    }
    (instance, roster)
}

fn on<'r>(roster: &'r Roster, who: &str, date: &str) -> Vec<&'r Assignment> {
    roster
        .assignments
        .iter()
        .filter(|a| a.specialist == who && a.date.to_string() == date)
        .collect()
}

fn pin_error(text: &str, pins: &str) -> GreedyError {
    let instance = with_pins(text, pins);
    match greedy::build(&instance) {
        Ok(_) => panic!("the pins cannot all hold, yet the greedy built a roster"),
        Err(error) => error,
    }
}

#[test]
fn without_pins_the_example_is_unchanged() {
    let instance = Instance::from_toml_str(EXAMPLE).expect("valid");
    assert_eq!(roster_of(&instance).objective, 60.0);
}

#[test]
fn a_full_clinic_pin_appears_exactly() {
    for (text, pin, who, date) in [
        (
            EXAMPLE,
            r#"specialist = "liu-jun", date = "2026-03-04", session = "pm", activity = "clinic", site = "ningde", room = "c-breast", discipline = "medical-oncology""#,
            "liu-jun",
            "2026-03-04",
        ),
        (
            NINGDE,
            r#"specialist = "ke-xiaoling", date = "2026-03-03", session = "pm", activity = "clinic", site = "tongshan", room = "ts-1", discipline = "medical-oncology""#,
            "ke-xiaoling",
            "2026-03-03",
        ),
    ] {
        let (_, roster) = pinned_roster(text, &format!("[[pins]]\n{}\n", pin.replace(", ", "\n")));
        let entry = on(&roster, who, date)
            .into_iter()
            .find(|a| a.session == "pm")
            .expect("the pinned clinic");
        assert_eq!(entry.activity, Activity::Clinic);
        assert!(
            pin.contains(&format!(
                "room = \"{}\"",
                entry.room.as_deref().unwrap_or("")
            )),
            "{entry:?}"
        );
        assert!(pin.contains(&format!(
            "discipline = \"{}\"",
            entry.discipline.as_deref().unwrap_or("")
        )));
        assert_eq!(
            (entry.studio.as_ref(), entry.board.as_ref(), entry.remote),
            (None, None, None)
        );
    }
}

#[test]
fn an_mdt_pin_moves_the_meeting() {
    for (text, board, date) in [
        (EXAMPLE, "breast-mdt", "2026-03-05"),
        (NINGDE, "lung-mdt", "2026-03-04"),
    ] {
        let pins = format!("[[pins]]\nboard = \"{board}\"\ndate = \"{date}\"\nsession = \"pm\"\n");
        let instance = with_pins(text, &pins);
        let (_, roster) = pinned_roster(text, &pins);
        let places: Vec<&Assignment> = roster
            .assignments
            .iter()
            .filter(|a| a.board.as_deref() == Some(board))
            .collect();
        let required = instance
            .mdt_boards
            .iter()
            .find(|b| b.id == board)
            .map_or(0, |b| b.required.len());
        assert_eq!(
            places.len(),
            required,
            "one meeting, fully seated: {places:?}"
        );
        assert!(
            places
                .iter()
                .all(|a| a.date.to_string() == date && a.session == "pm"),
            "{places:?}"
        );
    }
}

#[test]
fn a_specialist_date_pin_gives_an_activity_that_day() {
    for (text, who, date) in [
        (EXAMPLE, "xi-xiaowei", "2026-03-05"),
        // Resident at Ningde Tue–Thu: on Monday only Fuding is open to her.
        (NINGDE, "zhou-min", "2026-03-02"),
        (NINGDE, "wei-na", "2026-03-06"),
    ] {
        let pins = format!("[[pins]]\nspecialist = \"{who}\"\ndate = \"{date}\"\n");
        let (_, roster) = pinned_roster(text, &pins);
        assert!(!on(&roster, who, date).is_empty());
    }
}

#[test]
fn a_forbidden_room_and_date_stays_unused() {
    for (text, room, date) in [
        (EXAMPLE, "c-onc", "2026-03-04"),
        (EXAMPLE, "mdt-1", "2026-03-03"),
        (NINGDE, "mdt-a", "2026-03-02"),
        (NINGDE, "c-onc-1", "2026-03-04"),
    ] {
        let pins = format!("[[pins]]\nforbid = true\nroom = \"{room}\"\ndate = \"{date}\"\n");
        let (_, roster) = pinned_roster(text, &pins);
        assert!(
            roster
                .assignments
                .iter()
                .all(|a| !(a.room.as_deref() == Some(room) && a.date.to_string() == date))
        );
    }
}

#[test]
fn a_booking_pin_books_the_request_as_asked() {
    let (_, roster) = pinned_roster(
        EXAMPLE,
        "[[pins]]\nrequest = \"r-001\"\ndate = \"2026-03-05\"\nsession = \"pm\"\n",
    );
    let booking = roster
        .bookings
        .iter()
        .find(|b| b.request == "r-001")
        .expect("booked");
    assert_eq!(
        (
            booking.specialist.as_str(),
            booking.date.to_string().as_str(),
            booking.session.as_str()
        ),
        ("liu-jun", "2026-03-05", "pm")
    );
    // A substitute on a day Zhou Min is not at Ningde.
    let (_, roster) = pinned_roster(
        NINGDE,
        "[[pins]]\nrequest = \"r-03\"\ndate = \"2026-03-06\"\nsubstitute = true\n",
    );
    let booking = roster
        .bookings
        .iter()
        .find(|b| b.request == "r-03")
        .expect("booked");
    assert!(booking.substitute && booking.specialist != "zhou-min");
    assert_eq!(booking.date.to_string(), "2026-03-06");
}

#[test]
fn a_forbidden_specialist_date_keeps_them_free() {
    for (text, who, date) in [
        (EXAMPLE, "liu-jun", "2026-03-04"),
        (EXAMPLE, "wang-rad", "2026-03-03"),
        (NINGDE, "zhou-min", "2026-03-03"),
        (NINGDE, "chen-yu", "2026-03-02"),
    ] {
        let pins = format!("[[pins]]\nforbid = true\nspecialist = \"{who}\"\ndate = \"{date}\"\n");
        let (_, roster) = pinned_roster(text, &pins);
        assert!(
            on(&roster, who, date).is_empty(),
            "{:?}",
            on(&roster, who, date)
        );
    }
}

#[test]
fn surgery_studio_and_seat_pins_hold() {
    pinned_roster(
        EXAMPLE,
        r#"
[[pins]]
surgery = "s-002"
date = "2026-03-05"
session = "am"
room = "or-2"
surgeon = "xi-xiaowei"

[[pins]]
forbid = true
surgery = "s-001"
date = "2026-03-02"

[[pins]]
studio = "xi-studio"
specialist = "chen-gp"
date = "2026-03-04"
session = "pm"

[[pins]]
forbid = true
board = "breast-mdt"
discipline = "pathology"
remote = false

[[pins]]
forbid = true
request = "r-001"
specialist = "liu-jun"
date = "2026-03-03"
"#,
    );
    pinned_roster(
        NINGDE,
        r#"
[[pins]]
studio = "zhou-min-studio"
role = "lead"
date = "2026-03-05"
session = "am"

[[pins]]
surgery = "s-01"
date = "2026-03-03"
session = "pm"

[[pins]]
specialist = "zheng-hua"
board = "breast-mdt"
date = "2026-03-05"
session = "pm"
remote = true

[[pins]]
forbid = true
activity = "mdt"
date = "2026-03-02"
"#,
    );
}

#[test]
fn every_kind_at_once_on_ningde() {
    pinned_roster(
        NINGDE,
        r#"
[[pins]]
id = "clinic"
specialist = "ke-xiaoling"
date = "2026-03-03"
session = "pm"
activity = "clinic"
site = "tongshan"
room = "ts-1"
discipline = "medical-oncology"

[[pins]]
id = "lung"
board = "lung-mdt"
date = "2026-03-04"
session = "pm"

[[pins]]
id = "monday"
specialist = "zhou-min"
date = "2026-03-02"

[[pins]]
id = "room"
forbid = true
room = "mdt-a"
date = "2026-03-02"

[[pins]]
id = "booking"
request = "r-03"
date = "2026-03-06"
substitute = true

[[pins]]
id = "free"
forbid = true
specialist = "chen-yu"
date = "2026-03-02"
"#,
    );
}

#[test]
fn contradictory_pins_give_an_error() {
    let error = pin_error(
        EXAMPLE,
        r#"
[[pins]]
id = "wanted"
specialist = "liu-jun"
date = "2026-03-04"

[[pins]]
id = "away"
forbid = true
specialist = "liu-jun"
date = "2026-03-04"
"#,
    );
    match &error {
        GreedyError::Pin {
            id, label, pattern, ..
        } => {
            assert_eq!(id, "wanted");
            assert_eq!(label, "pin \"wanted\"");
            assert!(pattern.contains("liu-jun"), "{pattern}");
        }
        other => panic!("not a pin error: {other}"),
    }
    assert!(error.to_string().contains("pin \"wanted\""), "{error}");
    // Two pins wanting the same slot of one person in two places.
    pin_error(
        EXAMPLE,
        r#"
[[pins]]
specialist = "xi-xiaowei"
date = "2026-03-04"
session = "am"
site = "ningde"

[[pins]]
specialist = "xi-xiaowei"
date = "2026-03-04"
session = "am"
site = "jiaocheng"
"#,
    );
    // A request booked on a date outside its window.
    pin_error(
        EXAMPLE,
        "[[pins]]\nrequest = \"r-003\"\ndate = \"2026-03-06\"\n",
    );
}

/// Forbids alone never make the heuristic fail: forbidding parts of its own roster's
/// entries moves them, and the roster stays valid.
#[test]
fn forbidding_entries_of_the_greedy_roster_moves_them() {
    for (text, step) in [(EXAMPLE, 1), (NINGDE, 7)] {
        let base = roster_of(&Instance::from_toml_str(text).expect("valid"));
        let mut forbids: Vec<String> = Vec::new();
        for a in base.assignments.iter().step_by(step) {
            let slot = format!(
                "specialist = \"{}\"\ndate = \"{}\"\nsession = \"{}\"",
                a.specialist, a.date, a.session
            );
            forbids.push(format!("{slot}\nactivity = \"{}\"", a.activity.name()));
            if let Some(room) = &a.room {
                forbids.push(format!("room = \"{room}\"\ndate = \"{}\"", a.date));
            }
            if let Some(board) = &a.board {
                forbids.push(format!("board = \"{board}\"\ndate = \"{}\"", a.date));
            }
            if let Some(studio) = &a.studio {
                forbids.push(format!(
                    "studio = \"{studio}\"\nsession = \"{}\"",
                    a.session
                ));
            }
            if let Some(discipline) = a.discipline.as_deref().filter(|_| a.site.is_some()) {
                forbids.push(format!(
                    "discipline = \"{discipline}\"\nsite = \"{}\"\ndate = \"{}\"",
                    a.site.as_deref().unwrap_or(""),
                    a.date
                ));
            }
        }
        for s in &base.surgeries {
            forbids.push(format!(
                "surgery = \"{}\"\ndate = \"{}\"",
                s.surgery, s.date
            ));
            forbids.push(format!(
                "room = \"{}\"\nsession = \"{}\"",
                s.room, s.session
            ));
        }
        for b in base.bookings.iter().step_by(step) {
            forbids.push(format!(
                "request = \"{}\"\nspecialist = \"{}\"",
                b.request, b.specialist
            ));
        }
        for forbid in forbids {
            let (instance, roster) =
                pinned_roster(text, &format!("[[pins]]\nforbid = true\n{forbid}\n"));
            assert_eq!(instance.pins[0].matching_entries(&instance, &roster), 0);
        }
    }
}

/// Freezing a whole published roster (every entry a pin, every other entry of those
/// dates a forbid) leaves the heuristic one answer for those dates: that roster's
/// entries (rooms aside, which freezing leaves free).
#[test]
fn a_frozen_published_roster_is_reproduced() {
    for (text, published) in [
        (
            NINGDE,
            include_str!("../../instances/rosters/ningde-regional.roster.json"),
        ),
        (
            include_str!("../../instances/beilun-oncology.toml"),
            include_str!("../../instances/rosters/beilun-oncology.roster.json"),
        ),
        (
            include_str!("../../instances/fenghua-county.toml"),
            include_str!("../../instances/rosters/fenghua-county.roster.json"),
        ),
        (
            include_str!("../../instances/yangpu-studios.toml"),
            include_str!("../../instances/rosters/yangpu-studios.roster.json"),
        ),
    ] {
        let published = Roster::from_json_str(published).expect("roster");
        let plain = Instance::from_toml_str(text).expect("valid");
        let start = plain.calendar.start();
        let weeks = i64::from(plain.calendar.weeks());
        for days in [2, 9, 7 * weeks].into_iter().filter(|d| *d <= 7 * weeks) {
            let until = start + chrono::Duration::days(days);
            let mut instance = plain.clone();
            instance.pins =
                houniao::pins::freeze::frozen_pins(&plain, &published, until).expect("freezes");
            let roster = roster_of(&instance);
            let report = check(&instance, &roster);
            assert!(report.is_valid(), "{:#?}", report.violations);
            let frozen = |date: chrono::NaiveDate| date < until;
            let past = |r: &Roster| {
                let mut entries: Vec<String> = r
                    .assignments
                    .iter()
                    .filter(|a| frozen(a.date))
                    .map(|a| {
                        let mut a = a.clone();
                        a.room = None;
                        format!("{a:?}")
                    })
                    .chain(r.surgeries.iter().filter(|s| frozen(s.date)).map(|s| {
                        format!(
                            "{} {} {} {} {}",
                            s.surgery, s.date, s.session, s.room, s.surgeon
                        )
                    }))
                    .chain(
                        r.bookings
                            .iter()
                            .filter(|b| frozen(b.date))
                            .map(|b| format!("{b:?}")),
                    )
                    .collect();
                entries.sort();
                entries
            };
            assert_eq!(
                past(&roster),
                past(&published),
                "{} until {until}",
                plain.name
            );
        }
    }
}
