use std::collections::BTreeMap;

use super::*;
use crate::agenda::tests::example;
use crate::roster::Roster;

#[test]
fn the_sheets_are_the_sites_then_the_lists() {
    let (instance, roster) = example();
    let book = workbook(&instance, &roster, Language::English).unwrap();
    assert_eq!(
        book.names(),
        ["ningde", "jiaocheng", "mdt", "surgeries", "bookings"]
    );
    let ningde = book.sheet("ningde").unwrap();
    assert_eq!(ningde.rows[0][1], "Mon 2026-03-02 am");
    assert_eq!(
        ningde.rows[0].len(),
        1 + 5 * 2,
        "room column + open dates × sessions"
    );
    let rooms: Vec<&str> = ningde.rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        rooms,
        [
            "c-onc (clinic)",
            "c-breast (clinic)",
            "mdt-1 (meeting)",
            "or-2 (theatre)"
        ]
    );
    assert_eq!(
        ningde.rows[1][3], "Liu Jun · medical-oncology",
        "Tuesday am"
    );
    assert_eq!(
        ningde.rows[4][3],
        "Liu Jun (thyroid & breast) · 08:00 s-001"
    );
    let jiaocheng = book.sheet("jiaocheng").unwrap();
    assert_eq!(
        jiaocheng.rows[1][3],
        "Xi Xiaowei Gynecology Studio\nXi Xiaowei · lead\nChen (community GP) · apprentice"
    );
}

/// Each assignment's person appears in exactly one rota cell of its slot, over all sites.
#[test]
fn every_assignment_is_in_exactly_one_rota_cell() {
    let (instance, roster) = example();
    let book = workbook(&instance, &roster, Language::English).unwrap();
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    for sheet in book.sheets.iter().filter(|s| s.kind == SheetKind::Grid) {
        let header = &sheet.rows[0];
        for row in &sheet.rows[1..] {
            for (c, cell) in row.iter().enumerate().skip(1) {
                for specialist in &instance.specialists {
                    let prefix = format!("{} · ", specialist.name);
                    if cell.lines().any(|line| line.starts_with(&prefix)) {
                        *seen
                            .entry((specialist.id.clone(), header[c].clone()))
                            .or_default() += 1;
                    }
                }
            }
        }
    }
    let mut expected = BTreeMap::new();
    for a in &roster.assignments {
        let weekday = match a.date.to_string().as_str() {
            "2026-03-03" => "Tue",
            "2026-03-04" => "Wed",
            "2026-03-05" => "Thu",
            other => panic!("{other}"),
        };
        expected.insert(
            (
                a.specialist.clone(),
                format!("{weekday} {} {}", a.date, a.session),
            ),
            1,
        );
    }
    assert_eq!(seen, expected);
}

#[test]
fn the_lists_hold_every_seat_surgery_and_booking_once() {
    let (instance, roster) = example();
    let book = workbook(&instance, &roster, Language::Chinese).unwrap();
    let mdt = book.sheet("mdt").unwrap();
    assert_eq!(mdt.rows[0][0], "日期");
    assert_eq!(mdt.rows.len() - 1, 4);
    let surgeries = book.sheet("surgeries").unwrap();
    assert_eq!(surgeries.rows.len() - 1, roster.surgeries.len());
    assert_eq!(
        surgeries.rows[1][2..7],
        ["08:00", "or-2", "ningde", "s-001", "P-1042"]
    );
    let bookings = book.sheet("bookings").unwrap();
    let requests: Vec<&str> = bookings.rows[1..].iter().map(|r| r[6].as_str()).collect();
    assert_eq!(
        requests,
        ["r-003", "r-001", "r-002"],
        "by session, then site"
    );
    assert_eq!(bookings.rows[2][7], "P-2231");
    assert_eq!(bookings.rows[2][4], "c-onc");
}

#[test]
fn the_xlsx_is_a_zip_with_every_sheet() {
    let (instance, roster) = example();
    let book = workbook(&instance, &roster, Language::English).unwrap();
    let bytes = xlsx::to_xlsx(&book).unwrap();
    assert_eq!(&bytes[..2], b"PK");
    use calamine::Reader;
    let mut read: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(read.sheet_names(), book.names());
    for sheet in &book.sheets {
        let range = read.worksheet_range(&sheet.name).unwrap();
        for (r, row) in sheet.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let got = range
                    .get_value((r as u32, c as u32))
                    .map(|v| v.to_string())
                    .unwrap_or_default();
                assert_eq!(&got, cell, "{} ({r}, {c})", sheet.name);
            }
        }
    }
}

#[test]
fn sheet_names_fit_excel_and_never_repeat() {
    let long = "a-community-health-centre-with-a-long-id";
    let rename = |text: &str| {
        text.replace("\"ningde\"", &format!("\"{long}-ningde\""))
            .replace("\"jiaocheng\"", &format!("\"{long}-jiaocheng\""))
    };
    let instance = crate::Instance::from_toml_str(&rename(include_str!(
        "../../../instances/example-week.toml"
    )))
    .unwrap();
    let roster = Roster::from_json_str(&rename(include_str!(
        "../../tests/data/roster.example.json"
    )))
    .unwrap();
    let book = workbook(&instance, &roster, Language::English).unwrap();
    let names = book.names();
    assert_eq!(names[0], &long[..28]);
    assert_eq!(names[1], format!("{}-2", &long[..28]));
    assert!(names.iter().all(|n| n.chars().count() <= 31));
    assert!(xlsx::to_xlsx(&book).is_ok());
}
