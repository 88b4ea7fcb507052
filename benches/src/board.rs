//! The roster board's setup shared by the `edits` benchmark and the `edits-latency`
//! binary: the published beilun-oncology roster and one drag-and-drop move on it.

use houniao::edits::{Edit, EntryRef, Target};
use houniao::roster::Activity;
use houniao::{Instance, Roster};

use super::{shipped, workspace_file};

/// The instance the board edits.
pub const INSTANCE: &str = "beilun-oncology";
/// Its published roster (`houniao solve instances/beilun-oncology.toml -o …`).
pub const ROSTER: &str = "instances/rosters/beilun-oncology.roster.json";

/// The instance and its published roster.
pub fn load() -> (Instance, Roster) {
    let instance = shipped(INSTANCE);
    let roster =
        Roster::from_json_str(&workspace_file(ROSTER)).unwrap_or_else(|e| panic!("{ROSTER}: {e}"));
    (instance, roster)
}

/// The move timed: the first clinic (in roster order) of a visiting specialist that
/// holds bookings, dragged to the same session of the next open date — the heaviest
/// kind of drop (bookings follow, presence changes on two dates).
pub fn one_move(instance: &Instance, roster: &Roster) -> Vec<Edit> {
    let open = instance.calendar.open_dates();
    let clinic =
        roster
            .assignments
            .iter()
            .filter(|a| a.activity == Activity::Clinic)
            .filter(|a| {
                instance
                    .specialist_ix(&a.specialist)
                    .is_some_and(|s| instance.specialist(s).visiting)
            })
            .find(|a| {
                roster.bookings.iter().any(|b| {
                    b.specialist == a.specialist && b.date == a.date && b.session == a.session
                }) && open.iter().any(|d| *d > a.date)
            })
            .expect("a visiting specialist's clinic with bookings before the last open date");
    let next = open
        .iter()
        .copied()
        .find(|d| *d > clinic.date)
        .expect("a later open date");
    vec![Edit::Move {
        entry: EntryRef {
            specialist: clinic.specialist.clone(),
            date: clinic.date,
            session: clinic.session.clone(),
            activity: None,
        },
        to: Target {
            date: Some(next),
            ..Target::default()
        },
    }]
}
