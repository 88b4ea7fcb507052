//! RFC 5545 content lines: TEXT escaping (§3.3.11), folding at 75 octets without
//! splitting a UTF-8 character (§3.1), CRLF after every line.

/// A calendar being written, line by line.
#[derive(Debug, Default)]
pub struct Lines {
    text: String,
}

impl Lines {
    /// `NAME:value` with the value written as is (dates, numbers, enumerations).
    pub fn raw(&mut self, name: &str, value: &str) {
        self.fold(&format!("{name}:{value}"));
    }

    /// `NAME:value` with the value escaped as TEXT.
    pub fn text(&mut self, name: &str, value: &str) {
        self.raw(name, &escape(value));
    }

    /// The calendar so far.
    pub fn finish(self) -> String {
        self.text
    }

    fn fold(&mut self, line: &str) {
        let mut octets = 0;
        for c in line.chars() {
            let width = c.len_utf8();
            // The first line holds 75 octets; a continuation's leading space counts.
            if octets + width > 75 {
                self.text.push_str("\r\n ");
                octets = 1;
            }
            self.text.push(c);
            octets += width;
        }
        self.text.push_str("\r\n");
    }
}

/// A TEXT value: backslash, semicolon, comma and newline escaped.
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        let mut lines = Lines::default();
        let value = "专家门诊，".repeat(20);
        lines.text("DESCRIPTION", &value);
        let text = lines.finish();
        assert!(text.ends_with("\r\n"));
        let physical: Vec<&str> = text.trim_end_matches("\r\n").split("\r\n").collect();
        assert!(physical.len() > 3);
        for (i, line) in physical.iter().enumerate() {
            assert!(line.len() <= 75, "line {i} has {} octets", line.len());
            assert_eq!(line.starts_with(' '), i > 0);
        }
        let unfolded: String = physical
            .iter()
            .enumerate()
            .map(|(i, l)| if i == 0 { *l } else { &l[1..] })
            .collect();
        assert_eq!(unfolded, format!("DESCRIPTION:{}", escape(&value)));
    }

    #[test]
    fn a_line_of_75_octets_is_not_folded() {
        let mut lines = Lines::default();
        lines.raw("X", &"a".repeat(73));
        assert_eq!(lines.finish(), format!("X:{}\r\n", "a".repeat(73)));
    }
}
