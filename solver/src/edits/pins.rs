//! The draft's pin list: the instance's pins in their file form, changed by `pin` and
//! `unpin`, and validated as a whole (like the file's `[[pins]]`) once the edits are
//! applied.

use std::borrow::Cow;

use crate::diagnostics::Diagnostic;
use crate::instance::Instance;
use crate::instance::raw::RawPin;
use crate::pins::draft::{to_raw, with_pins};

use super::EditError;

/// The pin list being edited; `origin[i]` is the edit that added `raw[i]` (`None` for
/// the instance's own pins).
pub(super) struct DraftPins {
    raw: Vec<RawPin>,
    origin: Vec<Option<usize>>,
    changed: bool,
}

impl DraftPins {
    /// The instance's pins, each with its id written out.
    pub(super) fn of(instance: &Instance) -> DraftPins {
        DraftPins {
            raw: instance.pins.iter().map(|p| to_raw(instance, p)).collect(),
            origin: vec![None; instance.pins.len()],
            changed: false,
        }
    }

    /// `pin`: appends the pin. One without an id gets its position in the list as id
    /// (what the file would give it), or the next free number when that is taken.
    pub(super) fn pin(&mut self, edit: usize, pin: &RawPin) {
        let mut pin = pin.clone();
        if pin.id.is_none() {
            let taken = |id: &str| self.raw.iter().any(|p| p.id.as_deref() == Some(id));
            let mut n = self.raw.len();
            while taken(&n.to_string()) {
                n += 1;
            }
            pin.id = Some(n.to_string());
        }
        self.raw.push(pin);
        self.origin.push(Some(edit));
        self.changed = true;
    }

    /// `unpin`: removes the pin with that id.
    pub(super) fn unpin(&mut self, edit: usize, id: &str) -> Result<(), EditError> {
        let Some(at) = self.raw.iter().position(|p| p.id.as_deref() == Some(id)) else {
            return Err(EditError::UnknownPin {
                edit,
                id: id.to_string(),
                known: self.raw.iter().filter_map(|p| p.id.clone()).collect(),
            });
        };
        self.raw.remove(at);
        self.origin.remove(at);
        self.changed = true;
        Ok(())
    }

    /// Whether an edit changed the list.
    pub(super) fn changed(&self) -> bool {
        self.changed
    }

    /// The instance to judge the draft by (the given one when the pins did not change)
    /// and the draft's pin list.
    pub(super) fn finish(
        self,
        instance: &Instance,
    ) -> Result<(Cow<'_, Instance>, Vec<RawPin>), EditError> {
        if !self.changed {
            return Ok((Cow::Borrowed(instance), self.raw));
        }
        match with_pins(instance, &self.raw) {
            Ok(pinned) => Ok((Cow::Owned(pinned), self.raw)),
            Err(diagnostics) => {
                let mut first = None;
                let diagnostics = diagnostics
                    .into_iter()
                    .map(|d| self.locate(d, &mut first))
                    .collect();
                Err(EditError::InvalidPin {
                    edit: first,
                    diagnostics,
                })
            }
        }
    }

    /// Rewrites `pins[i]…` to `edits[k].pin…` for a pin added by edit `k`.
    fn locate(&self, mut d: Diagnostic, first: &mut Option<usize>) -> Diagnostic {
        let Some(rest) = d.path.strip_prefix("pins[") else {
            return d;
        };
        let Some((index, tail)) = rest.split_once(']') else {
            return d;
        };
        let Some(Some(edit)) = index
            .parse::<usize>()
            .ok()
            .and_then(|i| self.origin.get(i).copied())
        else {
            return d;
        };
        *first = Some(first.map_or(edit, |f: usize| f.min(edit)));
        d.path = format!("edits[{edit}].pin{tail}");
        d
    }
}
