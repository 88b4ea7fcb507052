//! Reading instance text into [`RawInstance`]: TOML or JSON, syntax and type errors
//! with line, column and field path, and every unknown field collected (a misspelt
//! optional field would otherwise be silently ignored).

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::raw::RawInstance;
use crate::diagnostics::{Diagnostic, Severity};

/// The two interchange syntaxes (same structure).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    /// TOML, the usual hand-written form.
    Toml,
    /// JSON, the machine form.
    Json,
}

impl SourceFormat {
    /// By extension (`.json`, `.toml`), else JSON when the text starts with `{`.
    pub fn detect(path: &Path, text: &str) -> SourceFormat {
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("json") => SourceFormat::Json,
            Some(ext) if ext.eq_ignore_ascii_case("toml") => SourceFormat::Toml,
            _ if text.trim_start().starts_with('{') => SourceFormat::Json,
            _ => SourceFormat::Toml,
        }
    }
}

impl fmt::Display for SourceFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SourceFormat::Toml => "TOML",
            SourceFormat::Json => "JSON",
        })
    }
}

/// Why an instance could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InstanceError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The text is not well-formed, or a value has the wrong type.
    #[error("{}", syntax_message(.format, *.line, *.column, .field, .message))]
    Syntax {
        /// TOML or JSON.
        format: SourceFormat,
        /// 1-based line, when known.
        line: Option<usize>,
        /// 1-based column, when known.
        column: Option<usize>,
        /// Field path of the offending value, when known (`specialists[2].sites`).
        field: Option<String>,
        /// The parser's words.
        message: String,
    },
    /// The file is well-formed but breaks the rules; every problem is listed.
    #[error("{} error(s) in the instance", .diagnostics.iter().filter(|d| d.severity == Severity::Error).count())]
    Invalid {
        /// Errors and warnings, in file order.
        diagnostics: Vec<Diagnostic>,
    },
}

impl InstanceError {
    /// The problems as diagnostics: one per problem for an invalid file, one for a
    /// syntax or I/O error.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            InstanceError::Invalid { diagnostics } => diagnostics.clone(),
            InstanceError::Syntax { field, .. } => vec![Diagnostic {
                severity: Severity::Error,
                path: field.clone().unwrap_or_default(),
                message: self.to_string(),
                hint: None,
            }],
            InstanceError::Io { .. } => vec![Diagnostic {
                severity: Severity::Error,
                path: String::new(),
                message: self.to_string(),
                hint: None,
            }],
        }
    }
}

fn syntax_message(
    format: &SourceFormat,
    line: Option<usize>,
    column: Option<usize>,
    field: &Option<String>,
    message: &str,
) -> String {
    let mut text = String::new();
    if let (Some(line), Some(column)) = (line, column) {
        text.push_str(&format!("line {line}, column {column}: "));
    }
    if let Some(field) = field {
        text.push_str(&format!("{field}: "));
    }
    text.push_str(&format!("{format} error: {message}"));
    if message.contains("expected a string") && message.contains("map") {
        text.push_str(" (dates and times are quoted strings, e.g. \"2026-03-02\", \"08:00\")");
    }
    text
}

/// Parses text into the raw structure and the paths of fields we do not know.
pub fn parse(
    text: &str,
    format: SourceFormat,
) -> Result<(RawInstance, Vec<String>), InstanceError> {
    parse_with_unknown::<RawInstance>(text, format)
}

/// Parses any serde type from TOML or JSON, collecting unknown field paths.
pub fn parse_with_unknown<T: DeserializeOwned>(
    text: &str,
    format: SourceFormat,
) -> Result<(T, Vec<String>), InstanceError> {
    let mut unknown = Vec::new();
    let mut record = |path: serde_ignored::Path<'_>| unknown.push(field_path(&path));
    let value = match format {
        SourceFormat::Toml => {
            let deserializer =
                toml::Deserializer::parse(text).map_err(|e| toml_error(text, &e, None))?;
            let ignoring = serde_ignored::Deserializer::new(deserializer, &mut record);
            serde_path_to_error::deserialize(ignoring).map_err(|e| {
                let field = non_empty_path(e.path());
                toml_error(text, e.inner(), field)
            })?
        }
        SourceFormat::Json => {
            let mut deserializer = serde_json::Deserializer::from_str(text);
            let ignoring = serde_ignored::Deserializer::new(&mut deserializer, &mut record);
            let value = serde_path_to_error::deserialize(ignoring).map_err(|e| {
                let field = non_empty_path(e.path());
                json_error(e.inner(), field)
            })?;
            deserializer.end().map_err(|e| json_error(&e, None))?;
            value
        }
    };
    Ok((value, unknown))
}

fn non_empty_path(path: &serde_path_to_error::Path) -> Option<String> {
    let text = path.to_string();
    (text != ".").then_some(text)
}

fn toml_error(text: &str, error: &toml::de::Error, field: Option<String>) -> InstanceError {
    let (line, column) = match error.span() {
        Some(span) => {
            let (line, column) = line_column(text, span.start);
            (Some(line), Some(column))
        }
        None => (None, None),
    };
    InstanceError::Syntax {
        format: SourceFormat::Toml,
        line,
        column,
        field,
        message: error.message().trim().to_string(),
    }
}

fn json_error(error: &serde_json::Error, field: Option<String>) -> InstanceError {
    let known = error.line() > 0;
    let message = error.to_string();
    // serde_json appends " at line L column C"; we report those separately.
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(head, _)| head)
        .to_string();
    InstanceError::Syntax {
        format: SourceFormat::Json,
        line: known.then(|| error.line()),
        column: known.then(|| error.column()),
        field,
        message,
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let mut boundary = offset;
    while !text.is_char_boundary(boundary) {
        boundary -= 1;
    }
    let before = &text[..boundary];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// `specialists[3].day_cots` from serde_ignored's path.
fn field_path(path: &serde_ignored::Path<'_>) -> String {
    use serde_ignored::Path as P;
    match path {
        P::Root => String::new(),
        P::Seq { parent, index } => format!("{}[{index}]", field_path(parent)),
        P::Map { parent, key } => {
            let head = field_path(parent);
            if head.is_empty() {
                key.clone()
            } else {
                format!("{head}.{key}")
            }
        }
        P::Some { parent } | P::NewtypeStruct { parent } | P::NewtypeVariant { parent } => {
            field_path(parent)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_syntax_error_has_line_and_column() {
        let err = parse("name = \"x\"\n[horizon\nstart = 1", SourceFormat::Toml).unwrap_err();
        match err {
            InstanceError::Syntax { line, column, .. } => {
                assert_eq!(line, Some(2));
                assert!(column.is_some());
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn type_error_names_the_field_and_line() {
        let text =
            "name = \"x\"\n[[sites]]\nid = \"a\"\n[[specialists]]\nid = \"b\"\nsites = \"a\"\n";
        let err = parse(text, SourceFormat::Toml).unwrap_err();
        let message = err.to_string();
        assert!(message.contains("specialists[0].sites"), "{message}");
        assert!(message.starts_with("line 6"), "{message}");
    }

    #[test]
    fn json_error_has_line_and_column() {
        let err = parse("{\n \"name\": \"x\",\n \"weeks\" 3}", SourceFormat::Json).unwrap_err();
        let message = err.to_string();
        assert!(message.starts_with("line 3, column"), "{message}");
    }

    #[test]
    fn unknown_fields_are_collected_with_paths() {
        let text = "name = \"x\"\ncolour = 1\n[[specialists]]\nid = \"b\"\nday_cots = 3\n";
        let (_, unknown) = parse(text, SourceFormat::Toml).unwrap();
        assert_eq!(
            unknown,
            vec!["colour".to_string(), "specialists[0].day_cots".to_string()]
        );
    }

    #[test]
    fn line_column_counts_characters() {
        assert_eq!(line_column("ab\ncé\nx", 7), (3, 1));
        assert_eq!(line_column("ab\ncé", 4), (2, 2));
    }
}
