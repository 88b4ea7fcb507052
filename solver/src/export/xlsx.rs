//! The workbook as an XLSX file (rust_xlsxwriter): a bold, frozen header row; rota
//! cells wrapped and aligned to the top so each line is one person.

use rust_xlsxwriter::{Format, FormatAlign, XlsxError};

use super::{SheetKind, Workbook};

/// Why the XLSX could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the spreadsheet: {0}")]
pub struct XlsxWriteError(#[from] XlsxError);

/// The XLSX bytes of `workbook`.
pub fn to_xlsx(workbook: &Workbook) -> Result<Vec<u8>, XlsxWriteError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = Format::new().set_bold().set_align(FormatAlign::Top);
    let wrapped = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    for sheet in &workbook.sheets {
        let worksheet = book.add_worksheet();
        worksheet.set_name(&sheet.name)?;
        for (r, row) in sheet.rows.iter().enumerate() {
            let format = if r == 0 { &bold } else { &wrapped };
            for (c, cell) in row.iter().enumerate() {
                if !cell.is_empty() {
                    worksheet.write_string_with_format(r as u32, c as u16, cell, format)?;
                }
            }
        }
        let columns = sheet.rows.first().map_or(0, Vec::len);
        for c in 0..columns {
            let widest = sheet
                .rows
                .iter()
                .filter_map(|row| row.get(c))
                .flat_map(|cell| cell.lines())
                .map(|line| {
                    line.chars()
                        .map(|ch| if ch.is_ascii() { 1 } else { 2 })
                        .sum::<usize>()
                })
                .max()
                .unwrap_or(8);
            let limit = if sheet.kind == SheetKind::Grid {
                36
            } else {
                48
            };
            worksheet.set_column_width(c as u16, widest.clamp(6, limit) as f64 + 1.0)?;
        }
        worksheet.set_freeze_panes(1, if sheet.kind == SheetKind::Grid { 1 } else { 0 })?;
    }
    Ok(book.save_to_buffer()?)
}
