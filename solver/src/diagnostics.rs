//! Problems found in an input file, each with the path of the offending field and,
//! where we can guess what was meant, a hint.

use std::fmt;

use serde::Serialize;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Information about the validation itself.
    Note,
    /// The instance is still usable; the user probably wants to know.
    Warning,
    /// The instance is invalid.
    Error,
}

/// One problem, e.g. `specialists[3].sites[0]: unknown site "ningdee" (did you mean "ningde"?)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Field path in the file: `specialists[3].sites[0]`; empty for the whole file.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// What to do about it, when we can tell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.severity {
            Severity::Warning => f.write_str("warning: ")?,
            Severity::Note => f.write_str("note: ")?,
            Severity::Error => {}
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

/// Collects diagnostics while an instance is read.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// How many errors were recorded so far.
    pub fn error_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// Records an error.
    pub fn error(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.push(Severity::Error, path.into(), message.into(), None);
    }

    /// Records an error with a hint.
    pub fn error_hint(
        &mut self,
        path: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.push(
            Severity::Error,
            path.into(),
            message.into(),
            Some(hint.into()),
        );
    }

    /// Records an error with an optional hint.
    pub fn error_maybe_hint(
        &mut self,
        path: impl Into<String>,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        self.push(Severity::Error, path.into(), message.into(), hint);
    }

    /// Records a warning.
    pub fn warning(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.push(Severity::Warning, path.into(), message.into(), None);
    }

    fn push(&mut self, severity: Severity, path: String, message: String, hint: Option<String>) {
        self.items.push(Diagnostic {
            severity,
            path,
            message,
            hint,
        });
    }

    /// Records that cross-entity checks were skipped because of earlier errors.
    pub fn note_skipped_cross_checks(&mut self) {
        self.push(
            Severity::Note,
            String::new(),
            "residency, staffing, theatre and surgeon checks run once these errors are fixed"
                .into(),
            None,
        );
    }

    /// Whether any error (not warning) was recorded.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// All diagnostics, in the order found.
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }
}

/// `did you mean "x"?` for the known name closest to `wrong`, if one is close enough.
pub fn did_you_mean<'a>(wrong: &str, known: impl IntoIterator<Item = &'a str>) -> Option<String> {
    closest(wrong, known).map(|name| format!("did you mean \"{name}\"?"))
}

/// The known name closest to `wrong`, if one is close enough to be a likely typo.
pub fn closest<'a>(wrong: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wrong_lower = wrong.to_lowercase();
    known
        .into_iter()
        .map(|name| {
            let score = strsim::jaro_winkler(&wrong_lower, &name.to_lowercase());
            (score, name)
        })
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let known = ["ningde", "jiaocheng", "fuding"];
        assert_eq!(
            did_you_mean("ningdee", known).as_deref(),
            Some("did you mean \"ningde\"?")
        );
        assert_eq!(closest("Jiaocheng", known), Some("jiaocheng"));
        assert_eq!(closest("shanghai", known), None);
    }

    #[test]
    fn displays_path_message_and_hint() {
        let mut diagnostics = Diagnostics::default();
        diagnostics.error_hint(
            "specialists[3].sites[0]",
            "unknown site \"ningdee\"",
            "did you mean \"ningde\"?",
        );
        let text = diagnostics.into_vec()[0].to_string();
        assert_eq!(
            text,
            "specialists[3].sites[0]: unknown site \"ningdee\" (did you mean \"ningde\"?)"
        );
    }
}
