//! What the board's roster changes against the current publication of its instance —
//! per specialist the activities added, removed and moved, and (for the roles that may
//! read patients) the bookings to call about: `houniao::diff`, the comparison the
//! calendar feeds and `houniao diff` use.

use houniao::agenda::{Item, What};
use houniao::diff::{BookedAt, RosterDiff, diff};
use houniao::{Instance, Roster};

use super::Loaded;
use crate::server::auth::Access;
use crate::server::state::AppState;
use crate::web::i18n::Tr;
use crate::web::session::Session;

/// One specialist's change as the board lists it.
pub(super) struct ChangeRow {
    /// The specialist's name.
    pub who: String,
    /// Added, removed or moved, in words.
    pub kind: String,
    /// The activity, in words.
    pub what: String,
    /// When and where it was (moved, removed).
    pub before: String,
    /// When and where it is (moved, added).
    pub after: String,
}

/// A booking that changed: the patient to call.
pub(super) struct PatientRow {
    /// Request id.
    pub request: String,
    /// Patient reference.
    pub patient: String,
    /// Where it was.
    pub before: String,
    /// Where it is.
    pub after: String,
}

/// The changes panel: against which publication, the rows.
pub(super) struct Changes {
    /// The current publication's version.
    pub version: i64,
    /// Specialists' changes.
    pub rows: Vec<ChangeRow>,
    /// Bookings changed, when the reader may see patients (`None` otherwise).
    pub patients: Option<Vec<PatientRow>>,
}

/// The changes against the current publication, unless the board shows that very
/// roster or the instance has none.
pub(super) fn against_current(
    state: &AppState,
    tr: Tr,
    session: &Session,
    loaded: &Loaded,
) -> Option<Changes> {
    let publications = state.store.publications(&loaded.row.instance_id).ok()?;
    let current = publications.last()?;
    if current.roster_id == loaded.id {
        return None;
    }
    let (_, text) = state.store.roster(&current.roster_id).ok().flatten()?;
    let published = Roster::from_json_str(&text).ok()?;
    let instance = &*loaded.instance;
    let changed = diff(instance, &published, &loaded.roster, None).ok()?;
    Some(Changes {
        version: current.version,
        rows: rows(tr, instance, &changed),
        patients: session
            .admits(Access::Patients)
            .then(|| patients(tr, &changed)),
    })
}

fn rows(tr: Tr, instance: &Instance, changed: &RosterDiff) -> Vec<ChangeRow> {
    let mut rows = Vec::new();
    for person in &changed.specialists {
        let row = |kind: &str, item: &Item, before: String, after: String| ChangeRow {
            who: person.name.clone(),
            kind: tr.t(kind).to_string(),
            what: what(tr, item),
            before,
            after,
        };
        for item in &person.removed {
            rows.push(row(
                "board.change.removed",
                item,
                place(tr, instance, item),
                String::new(),
            ));
        }
        for moved in &person.moved {
            rows.push(row(
                "board.change.moved",
                &moved.after,
                place(tr, instance, &moved.before),
                place(tr, instance, &moved.after),
            ));
        }
        for item in &person.added {
            rows.push(row(
                "board.change.added",
                item,
                String::new(),
                place(tr, instance, item),
            ));
        }
    }
    rows
}

fn patients(tr: Tr, changed: &RosterDiff) -> Vec<PatientRow> {
    let at = |booked: &Option<BookedAt>| {
        booked.as_ref().map_or_else(
            || tr.t("board.change.not_booked").to_string(),
            |b| {
                format!(
                    "{} · {}",
                    tr.slot(b.session.date, &b.session.session),
                    b.session.specialist
                )
            },
        )
    };
    changed
        .patients
        .iter()
        .map(|change| PatientRow {
            request: change.request.clone(),
            patient: change.patient.clone().unwrap_or_default(),
            before: at(&change.before),
            after: at(&change.after),
        })
        .collect()
}

/// The activity in words: `Clinic (medical-oncology)`, `MDT breast-mdt`, ….
fn what(tr: Tr, item: &Item) -> String {
    match &item.what {
        What::Clinic { discipline } => format!("{} ({discipline})", tr.t("board.kind.clinic")),
        What::Studio { studio } => format!("{} {studio}", tr.t("board.kind.studio")),
        What::Mdt { board } => format!("{} {board}", tr.t("board.kind.mdt")),
        What::Surgery => tr.t("board.kind.surgery").to_string(),
        What::OnSite => tr.t("board.change.on_site").to_string(),
    }
}

/// When and where: `Tue 3 Mar am · Ningde Municipal Hospital · c-onc`.
fn place(tr: Tr, instance: &Instance, item: &Item) -> String {
    let when = match &item.session {
        Some(session) => tr.slot(item.date, session),
        None => tr.date(item.date),
    };
    let site = item
        .site
        .as_deref()
        .and_then(|id| instance.site_ix(id).map(|s| instance.site(s).name.clone()));
    let mut parts = vec![when];
    if item.remote {
        parts.push(tr.t("board.by_video").to_string());
    }
    parts.extend(site);
    parts.extend(item.room.clone());
    parts.join(" · ")
}
