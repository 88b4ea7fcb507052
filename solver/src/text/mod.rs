//! Messages for people, kept as data until they are written: a [`Text`] is a [`Key`] of the
//! catalogue (one sentence with its English and Chinese wording) and the values of
//! its placeholders. The checker, the unmet-demand reasons and the booking desk's
//! explanations build `Text`s; `Display` writes them in English (the words of the CLI,
//! the JSON and the files, unchanged), and a [`Language`] writes them in another —
//! the web app's Chinese pages, with dates and sessions as its users write them.

mod catalogue;
mod language;

use std::borrow::Cow;
use std::fmt;

use chrono::{NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

pub use catalogue::Key;
pub use language::{Chinese, English, Language};

/// One message: a catalogue key and the values of its placeholders. Serialised as
/// `{"key": "RoomUnavailable", "args": [["room", {"id": "r-1"}]]}`, for stores that
/// keep a message to write it later in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    key: Key,
    args: Vec<(Cow<'static, str>, Arg)>,
}

/// How a date is written in English (each keeps the wording the message always had).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateStyle {
    /// `2026-03-02`.
    Iso,
    /// `Mar 2`.
    MonthDay,
    /// `Mon Mar 2`.
    Day,
    /// `mon Mar 2` (the weekday as the instance file writes it).
    FileDay,
}

/// How the items of a list are joined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Separator {
    /// `a, b` / `a、b`.
    Comma,
    /// `a; b` / `a；b` (clauses of one explanation).
    Semicolon,
    /// `a or b` / `a或b`.
    Or,
    /// `a and b` / `a和b`.
    And,
    /// `a/b`.
    Slash,
}

/// The value of a placeholder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Arg {
    /// An id or name from the instance or roster, written as it is.
    Id(String),
    /// A number.
    Count(i64),
    /// A date.
    Date(NaiveDate, DateStyle),
    /// A weekday; `file_style` writes it `mon` rather than `Mon` in English.
    Weekday {
        /// The day.
        day: Weekday,
        /// Lower case, as the instance file writes it.
        file_style: bool,
    },
    /// A session id of the instance's clock (`am`, `pm`, …).
    Session(String),
    /// A list, joined.
    List(Vec<Arg>, Separator),
    /// A message inside a message.
    Text(Box<Text>),
}

impl Text {
    /// A message with no placeholders filled yet.
    pub fn new(key: Key) -> Text {
        Text {
            key,
            args: Vec::new(),
        }
    }

    /// Fills a placeholder.
    pub fn with(mut self, name: &'static str, value: impl Into<Arg>) -> Text {
        self.args.push((Cow::Borrowed(name), value.into()));
        self
    }

    /// The catalogue key.
    pub fn key(&self) -> Key {
        self.key
    }

    /// The value of a placeholder, if filled.
    pub fn arg(&self, name: &str) -> Option<&Arg> {
        self.args.iter().find(|(n, _)| n == name).map(|(_, a)| a)
    }

    /// Several clauses as one explanation (`a; b`).
    pub fn clauses(parts: Vec<Text>) -> Text {
        match <[Text; 1]>::try_from(parts) {
            Ok([one]) => one,
            Err(parts) => Text::new(Key::Clauses).with(
                "clauses",
                Arg::List(
                    parts.into_iter().map(Arg::from).collect(),
                    Separator::Semicolon,
                ),
            ),
        }
    }

    /// The message in a language.
    pub fn render(&self, language: &impl Language) -> String {
        let mut out = String::new();
        write_text(self, language, &mut out);
        out
    }
}

/// Writes a message: its template with each `{name}` replaced by its value
/// (an unfilled placeholder is left as written, which the catalogue tests forbid).
pub(crate) fn write_text(text: &Text, language: &impl Language, out: &mut String) {
    let mut rest = language.template(text.key);
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return;
        };
        let name = &after[..close];
        match text.arg(name) {
            Some(arg) => language.write_arg(arg, out),
            None => out.push_str(&rest[open..open + close + 2]),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(&English))
    }
}

impl From<&str> for Arg {
    fn from(id: &str) -> Arg {
        Arg::Id(id.to_string())
    }
}

impl From<&String> for Arg {
    fn from(id: &String) -> Arg {
        Arg::Id(id.clone())
    }
}

impl From<String> for Arg {
    fn from(id: String) -> Arg {
        Arg::Id(id)
    }
}

macro_rules! count_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Arg {
                Arg::Count(n as i64)
            }
        }
    )*};
}
count_from!(u8, u32, usize, i32, i64);

impl From<Text> for Arg {
    fn from(text: Text) -> Arg {
        Arg::Text(Box::new(text))
    }
}

impl From<&Text> for Arg {
    fn from(text: &Text) -> Arg {
        Arg::Text(Box::new(text.clone()))
    }
}

impl From<NaiveDate> for Arg {
    /// An ISO date (`2026-03-02`).
    fn from(date: NaiveDate) -> Arg {
        Arg::Date(date, DateStyle::Iso)
    }
}

impl Arg {
    /// A date written `Mar 2`.
    pub fn month_day(date: NaiveDate) -> Arg {
        Arg::Date(date, DateStyle::MonthDay)
    }

    /// A list of ids.
    pub fn ids<S: AsRef<str>>(ids: impl IntoIterator<Item = S>, separator: Separator) -> Arg {
        Arg::List(
            ids.into_iter().map(|s| Arg::from(s.as_ref())).collect(),
            separator,
        )
    }

    /// A list of values.
    pub fn list<A: Into<Arg>>(items: impl IntoIterator<Item = A>, separator: Separator) -> Arg {
        Arg::List(items.into_iter().map(Into::into).collect(), separator)
    }

    /// A session id.
    pub fn session(id: &str) -> Arg {
        Arg::Session(id.to_string())
    }
}

/// The word for an activity by its roster name (`clinic`, `studio`, `mdt`, `surgery`).
pub fn activity(name: &str) -> Text {
    Text::new(match name {
        "studio" => Key::ActivityStudio,
        "mdt" => Key::ActivityMdt,
        "surgery" => Key::ActivitySurgery,
        _ => Key::ActivityClinic,
    })
}

/// The word for a kind of room by its instance name (`clinic`, `meeting`, `theatre`).
pub fn room_kind(name: &str) -> Text {
    Text::new(match name {
        "meeting" => Key::RoomKindMeeting,
        "theatre" => Key::RoomKindTheatre,
        _ => Key::RoomKindClinic,
    })
}

/// `text!(Key { name: value, … })`: a [`Text`] with its placeholders filled.
#[macro_export]
macro_rules! text {
    ($key:ident) => {
        $crate::text::Text::new($crate::text::Key::$key)
    };
    ($key:ident { $($name:ident : $value:expr),* $(,)? }) => {
        $crate::text::Text::new($crate::text::Key::$key)
            $(.with(stringify!($name), $value))*
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_fills_placeholders_with_the_values_as_they_were_written() {
        let date = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap_or_default();
        let text = text!(RoomUnavailable { room: "r-1" });
        assert_eq!(text.to_string(), "room \"r-1\" is unavailable");
        let nested = text!(RequestWindowOutside {
            what: text!(RequestWhat { request: "r-003" }),
            date: date,
            earliest: date,
            latest: date,
        });
        assert_eq!(
            nested.to_string(),
            "request \"r-003\" is booked on 2026-03-02, outside its window 2026-03-02 … 2026-03-02"
        );
    }

    #[test]
    fn chinese_writes_the_same_message_in_its_own_words() {
        let text = text!(RoomUnavailable { room: "r-1" });
        assert_eq!(text.render(&Chinese), "房间“r-1”不可用");
    }

    #[test]
    fn a_stored_message_reads_back_the_same() {
        let date = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap_or_default();
        let text = text!(SessionsElsewhere {
            day: Arg::Date(date, DateStyle::Day),
            sessions: Arg::List(vec![Arg::session("am"), Arg::session("pm")], Separator::And),
            site: "Ningde",
        });
        let json = serde_json::to_string(&text).unwrap_or_default();
        let back: Text = serde_json::from_str(&json).unwrap_or_else(|_| text!(NoSubstitute));
        assert_eq!(back, text);
        assert_eq!(
            back.render(&Chinese),
            "3月2日 周一上午和下午在Ningde，不是患者可选的院区"
        );
    }

    #[test]
    fn one_clause_stands_alone_and_several_are_joined() {
        let one = Text::clauses(vec![text!(NoSubstitute)]);
        assert_eq!(one.key(), Key::NoSubstitute);
        let two = Text::clauses(vec![text!(NoSubstitute), text!(NoSubstitute)]);
        assert_eq!(
            two.to_string(),
            "the patient accepts no substitute; the patient accepts no substitute"
        );
        assert_eq!(
            two.render(&Chinese),
            "患者不接受替换医生；患者不接受替换医生"
        );
    }
}
