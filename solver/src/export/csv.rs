//! One sheet as CSV (RFC 4180): fields quoted when they hold a comma, quote or line
//! break, quotes doubled, CRLF after every record. A rota cell's lines stay in one
//! quoted field.

use super::Sheet;

/// The CSV text of `sheet`.
pub fn to_csv(sheet: &Sheet) -> String {
    let mut out = String::new();
    for row in &sheet.rows {
        let fields: Vec<String> = row.iter().map(|cell| field(cell)).collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

fn field(cell: &str) -> String {
    if cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::SheetKind;

    #[test]
    fn fields_are_quoted_only_when_needed() {
        let sheet = Sheet {
            name: "t".into(),
            kind: SheetKind::Table,
            rows: vec![
                vec!["a".into(), "b,c".into()],
                vec!["say \"hi\"".into(), "two\nlines".into()],
            ],
        };
        assert_eq!(
            to_csv(&sheet),
            "a,\"b,c\"\r\n\"say \"\"hi\"\"\",\"two\nlines\"\r\n"
        );
    }
}
