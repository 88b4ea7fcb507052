//! A roster as spreadsheets for the people who print it: one sheet per site with the
//! week as a paper rota (rooms as rows, each open date's sessions as columns), one of
//! MDT seats, one of surgeries, and one of bookings per session for the clinic front
//! desk. [`workbook`] builds the sheets as text; [`xlsx`] writes them with
//! rust_xlsxwriter, [`csv`] one sheet as CSV (RFC 4180).

pub mod csv;
mod grid;
mod tables;
pub mod xlsx;

use crate::agenda::{AgendaError, Language};
use crate::instance::Instance;
use crate::roster::Roster;

/// What a sheet holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetKind {
    /// A site's rota: cells of several lines.
    Grid,
    /// One row per entry under a header row.
    Table,
}

/// One sheet: a name (unique, at most 31 characters) and rows of text cells, the first
/// row the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    /// The sheet's name: a site id, `mdt`, `surgeries`, `bookings`.
    pub name: String,
    /// What it holds.
    pub kind: SheetKind,
    /// Header row first.
    pub rows: Vec<Vec<String>>,
}

/// Every sheet of a roster: the sites in the instance's order, then MDT, surgeries,
/// bookings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workbook {
    /// The sheets.
    pub sheets: Vec<Sheet>,
}

impl Workbook {
    /// The sheet called `name`.
    pub fn sheet(&self, name: &str) -> Option<&Sheet> {
        self.sheets.iter().find(|s| s.name == name)
    }

    /// The sheets' names.
    pub fn names(&self) -> Vec<&str> {
        self.sheets.iter().map(|s| s.name.as_str()).collect()
    }
}

/// The sheets of `roster`, text in `lang`.
pub fn workbook(
    instance: &Instance,
    roster: &Roster,
    lang: Language,
) -> Result<Workbook, AgendaError> {
    let mut sheets = Vec::new();
    for site in &instance.sites {
        sheets.push(Sheet {
            name: unique(&sheet_name(&site.id), &sheets),
            kind: SheetKind::Grid,
            rows: grid::site_rota(instance, roster, &site.id, lang)?,
        });
    }
    for (name, rows) in [
        ("mdt", tables::meetings(instance, roster, lang)),
        ("surgeries", tables::surgeries(instance, roster, lang)),
        ("bookings", tables::bookings(instance, roster, lang)),
    ] {
        sheets.push(Sheet {
            name: unique(name, &sheets),
            kind: SheetKind::Table,
            rows,
        });
    }
    Ok(Workbook { sheets })
}

/// Excel's rules for a sheet name: at most 31 characters (28 here, room for `-2`), none
/// of `[]:*?/\`.
fn sheet_name(id: &str) -> String {
    id.chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .take(28)
        .collect()
}

/// `name`, or `name-2` … when a sheet already took it.
fn unique(name: &str, sheets: &[Sheet]) -> String {
    std::iter::once(name.to_string())
        .chain((2..).map(|n| format!("{name}-{n}")))
        .find(|candidate| sheets.iter().all(|s| &s.name != candidate))
        .expect("an unused name")
}

/// A header in one of the two languages.
fn label(lang: Language, chinese: &str, english: &str) -> String {
    match lang {
        Language::Chinese => chinese.to_string(),
        Language::English => english.to_string(),
    }
}

#[cfg(test)]
mod tests;
