//! A draft's own pin list (`crate::edits`): validated pins back in their file form, and
//! an instance whose `[[pins]]` are replaced by a draft's list, validated exactly as
//! the file's are (field paths `pins[i].field`).

use crate::diagnostics::{Diagnostic, Diagnostics, Severity};
use crate::instance::Instance;
use crate::instance::raw::RawPin;
use crate::roster::Activity;

use super::{Pattern, Pin, role_name};

/// `instance` with its pins replaced by `pins`, or the error diagnostics of the pins
/// that do not validate (paths `pins[i].field`, `i` the position in `pins`).
pub(crate) fn with_pins(instance: &Instance, pins: &[RawPin]) -> Result<Instance, Vec<Diagnostic>> {
    let mut d = Diagnostics::default();
    let built = super::build::build(pins, instance, &mut d);
    if d.has_errors() {
        return Err(d
            .into_vec()
            .into_iter()
            .filter(|item| item.severity == Severity::Error)
            .collect());
    }
    let mut draft = instance.clone();
    draft.pins = built;
    Ok(draft)
}

/// A validated pin in its file form, with its id always written out, so that
/// validating it again (at any position of a list) gives the same pin.
pub(crate) fn to_raw(instance: &Instance, pin: &Pin) -> RawPin {
    let session = |s: usize| instance.calendar.sessions()[s].id.clone();
    let mut raw = RawPin {
        id: Some(pin.id.clone()),
        note: pin.note.clone(),
        forbid: pin.forbid.then_some(true),
        ..RawPin::default()
    };
    match &pin.pattern {
        Pattern::Assignment(p) => {
            raw.specialist = p.specialist.map(|s| instance.specialist(s).id.clone());
            raw.date = p.date.map(|d| d.to_string());
            raw.session = p.session.map(session);
            raw.activity = p.activity.map(|a: Activity| a.name().to_string());
            raw.site = p.site.map(|s| instance.site(s).id.clone());
            raw.room = p.room.map(|r| instance.room(r).id.clone());
            raw.discipline = p.discipline.clone();
            raw.studio = p.studio.map(|s| instance.studios[s.0].id.clone());
            raw.role = p.role.map(|r| role_name(r).to_string());
            raw.board = p.board.map(|b| instance.mdt_boards[b.0].id.clone());
            raw.remote = p.remote;
        }
        Pattern::Surgery(p) => {
            raw.surgery = p.surgery.map(|g| instance.surgeries[g.0].id.clone());
            raw.date = p.date.map(|d| d.to_string());
            raw.session = p.session.map(session);
            raw.room = p.room.map(|r| instance.room(r).id.clone());
            raw.surgeon = p.surgeon.map(|s| instance.specialist(s).id.clone());
        }
        Pattern::Booking(p) => {
            raw.request = Some(instance.requests[p.request.0].id.clone());
            raw.specialist = p.specialist.map(|s| instance.specialist(s).id.clone());
            raw.date = p.date.map(|d| d.to_string());
            raw.session = p.session.map(session);
            raw.site = p.site.map(|s| instance.site(s).id.clone());
            raw.substitute = p.substitute;
        }
    }
    raw
}
