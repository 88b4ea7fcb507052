//! `houniao export INSTANCE ROSTER --format xlsx|csv`: the roster as spreadsheets for
//! the ward clerk: one sheet per site as a paper rota, then MDT seats, surgeries and
//! the front desk's bookings. CSV holds one sheet: `--sheet NAME`, or with `-o
//! rota.csv` every sheet to `rota.NAME.csv`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use houniao::export::{csv::to_csv, workbook, xlsx::to_xlsx};

use super::{language, open_instance, open_roster, write_output};
use crate::Outcome;

/// A spreadsheet format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SheetFormat {
    /// One workbook, a sheet per view.
    Xlsx,
    /// One sheet per file.
    Csv,
}

/// The arguments of `houniao export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The instance the roster was made for (TOML or JSON).
    pub instance: PathBuf,
    /// The roster (JSON).
    pub roster: PathBuf,
    /// The spreadsheet format.
    #[arg(long, value_enum)]
    pub format: SheetFormat,
    /// Only this sheet (a site id, mdt, surgeries, bookings); CSV needs it without -o.
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Language of headers and cells: zh-CN or en (default: the instance's).
    #[arg(long, value_name = "TAG")]
    pub lang: Option<String>,
    /// Write here (atomically) instead of stdout; for CSV of every sheet, the sheet's
    /// name goes before the extension.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: &ExportArgs) -> anyhow::Result<Outcome> {
    let Some(instance) = open_instance(&args.instance)? else {
        return Ok(Outcome::Invalid);
    };
    let Some(roster) = open_roster(&args.roster)? else {
        return Ok(Outcome::Invalid);
    };
    let lang = language(args.lang.as_deref(), &instance)?;
    let mut book = match workbook(&instance, &roster, lang) {
        Ok(book) => book,
        Err(error) => {
            eprintln!("houniao: {error}");
            return Ok(Outcome::Invalid);
        }
    };
    if let Some(name) = &args.sheet {
        if book.sheet(name).is_none() {
            let names = book.names().join(", ");
            eprintln!("houniao: no sheet \"{name}\" (the sheets: {names})");
            return Ok(Outcome::Invalid);
        }
        book.sheets.retain(|s| &s.name == name);
    }
    match args.format {
        SheetFormat::Xlsx if args.output.is_none() && std::io::stdout().is_terminal() => {
            anyhow::bail!("an XLSX file is binary: write it with -o FILE.xlsx or redirect stdout")
        }
        SheetFormat::Xlsx => write_output(args.output.as_deref(), &to_xlsx(&book)?)?,
        SheetFormat::Csv => match (&args.output, book.sheets.as_slice()) {
            (output, [one]) => write_output(output.as_deref(), to_csv(one).as_bytes())?,
            (Some(output), sheets) => {
                for sheet in sheets {
                    let path = per_sheet(output, &sheet.name);
                    write_output(Some(&path), to_csv(sheet).as_bytes())?;
                    println!("{}", path.display());
                }
            }
            (None, _) => anyhow::bail!(
                "CSV holds one sheet: name it with --sheet ({}) or give -o FILE for all",
                book.names().join(", ")
            ),
        },
    }
    Ok(Outcome::Valid)
}

/// `rota.csv` + `ningde` → `rota.ningde.csv`.
fn per_sheet(output: &Path, sheet: &str) -> PathBuf {
    let stem = output
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    output.with_file_name(format!("{stem}.{sheet}.csv"))
}
