//! Unknown fields: which fields each section has, for "did you mean".

use crate::diagnostics::did_you_mean;

use super::{Builder, KNOWN_FIELDS};

impl Builder {
    pub(super) fn unknown_field(&mut self, path: &str) {
        let (parent, field) = path.rsplit_once('.').unwrap_or(("", path));
        let section: String = parent
            .split('.')
            .map(|part| part.split('[').next().unwrap_or(part))
            .collect::<Vec<_>>()
            .join(".");
        let known = KNOWN_FIELDS
            .iter()
            .find(|(name, _)| *name == section)
            .map(|(_, fields)| *fields)
            .unwrap_or(&[]);
        let hint = did_you_mean(field, known.iter().copied());
        self.d
            .error_maybe_hint(path, format!("unknown field \"{field}\""), hint);
    }
}
