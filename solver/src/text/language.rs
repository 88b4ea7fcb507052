//! How a [`Text`](super::Text) is written in a language: its template, and how dates,
//! weekdays, sessions, numbers and lists read.

use chrono::{Datelike, NaiveDate, Weekday};

use super::{Arg, DateStyle, Key, Separator, write_text};
use crate::calendar::weekday_name;

/// A language messages can be written in. Implement the date and session hooks to
/// write them as a particular audience does (the web app writes `2026年3月2日 周一`).
pub trait Language {
    /// The template of a key, placeholders in braces.
    fn template(&self, key: Key) -> &'static str;

    /// A date in one of the English styles (a language may write them all alike).
    fn date(&self, date: NaiveDate, style: DateStyle) -> String;

    /// A weekday.
    fn weekday(&self, day: Weekday, file_style: bool) -> String;

    /// A session of the instance's clock, by id.
    fn session(&self, id: &str) -> String {
        id.to_string()
    }

    /// What goes between the items of a list.
    fn separator(&self, separator: Separator) -> &'static str;

    /// Writes one placeholder's value.
    fn write_arg(&self, arg: &Arg, out: &mut String)
    where
        Self: Sized,
    {
        match arg {
            Arg::Id(id) => out.push_str(id),
            Arg::Count(n) => out.push_str(&n.to_string()),
            Arg::Date(date, style) => out.push_str(&self.date(*date, *style)),
            Arg::Weekday { day, file_style } => out.push_str(&self.weekday(*day, *file_style)),
            Arg::Session(id) => out.push_str(&self.session(id)),
            Arg::List(items, separator) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(self.separator(*separator));
                    }
                    self.write_arg(item, out);
                }
            }
            Arg::Text(text) => write_text(text, self, out),
        }
    }
}

/// English, the words of the CLI, the JSON and the files.
#[derive(Debug, Clone, Copy, Default)]
pub struct English;

impl Language for English {
    fn template(&self, key: Key) -> &'static str {
        key.english()
    }

    fn date(&self, date: NaiveDate, style: DateStyle) -> String {
        match style {
            DateStyle::Iso => date.to_string(),
            DateStyle::MonthDay => date.format("%b %-d").to_string(),
            DateStyle::Day => date.format("%a %b %-d").to_string(),
            DateStyle::FileDay => {
                format!("{} {}", weekday_name(date.weekday()), date.format("%b %-d"))
            }
        }
    }

    fn weekday(&self, day: Weekday, file_style: bool) -> String {
        if file_style {
            weekday_name(day).to_string()
        } else {
            day.to_string()
        }
    }

    fn separator(&self, separator: Separator) -> &'static str {
        match separator {
            Separator::Comma => ", ",
            Separator::Semicolon => "; ",
            Separator::Or => " or ",
            Separator::And => " and ",
            Separator::Slash => "/",
        }
    }
}

/// Simplified Chinese: `3月2日 周一`, `上午`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Chinese;

/// `周一` … `周日`.
pub fn chinese_weekday(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "周一",
        Weekday::Tue => "周二",
        Weekday::Wed => "周三",
        Weekday::Thu => "周四",
        Weekday::Fri => "周五",
        Weekday::Sat => "周六",
        Weekday::Sun => "周日",
    }
}

impl Language for Chinese {
    fn template(&self, key: Key) -> &'static str {
        key.chinese()
    }

    fn date(&self, date: NaiveDate, style: DateStyle) -> String {
        match style {
            DateStyle::Iso => format!("{}年{}月{}日", date.year(), date.month(), date.day()),
            DateStyle::MonthDay => format!("{}月{}日", date.month(), date.day()),
            DateStyle::Day | DateStyle::FileDay => format!(
                "{}月{}日 {}",
                date.month(),
                date.day(),
                chinese_weekday(date.weekday())
            ),
        }
    }

    fn weekday(&self, day: Weekday, _file_style: bool) -> String {
        chinese_weekday(day).to_string()
    }

    fn session(&self, id: &str) -> String {
        match id {
            "am" => "上午".into(),
            "pm" => "下午".into(),
            "eve" | "evening" => "晚上".into(),
            other => other.into(),
        }
    }

    fn separator(&self, separator: Separator) -> &'static str {
        match separator {
            Separator::Comma => "、",
            Separator::Semicolon => "；",
            Separator::Or => "或",
            Separator::And => "和",
            Separator::Slash => "/",
        }
    }
}
