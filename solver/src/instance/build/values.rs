//! Values of the file: required fields, integers in range, dates, times, weekdays,
//! slot sets, the horizon and its session clock.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Weekday};

use crate::calendar::{
    Calendar, Session, SlotSet, WEEKDAYS, WeeklyPattern, parse_date, parse_time, parse_weekday,
};
use crate::diagnostics::did_you_mean;
use crate::instance::raw::RawHorizon;

use super::{Builder, item};

impl Builder {
    pub(super) fn required_text(&mut self, value: &Option<String>, path: &str) -> Option<String> {
        match value {
            None => {
                self.d.error(path, "missing required field");
                None
            }
            Some(text) if text.trim().is_empty() => {
                self.d.error(path, "must not be empty");
                None
            }
            Some(text) => Some(text.clone()),
        }
    }

    pub(super) fn required<'v, T>(&mut self, value: &'v Option<T>, path: &str) -> Option<&'v T> {
        if value.is_none() {
            self.d.error(path, "missing required field");
        }
        value.as_ref()
    }

    /// An integer in `lo..=hi`, or `default` when absent (`None` default: required).
    pub(super) fn integer(
        &mut self,
        value: Option<i64>,
        path: &str,
        lo: i64,
        hi: i64,
        default: Option<i64>,
    ) -> Option<u32> {
        let value = match (value, default) {
            (Some(v), _) => v,
            (None, Some(d)) => d,
            (None, None) => {
                self.d.error(path, "missing required field");
                return None;
            }
        };
        if value < lo || value > hi {
            self.d.error(
                path,
                format!("{value} is out of range (must be {lo} to {hi})"),
            );
            return None;
        }
        u32::try_from(value).ok()
    }

    pub(super) fn date(&mut self, text: &str, path: &str) -> Option<NaiveDate> {
        let date = parse_date(text);
        if date.is_none() {
            self.d.error_hint(
                path,
                format!("\"{text}\" is not a date"),
                "write dates as YYYY-MM-DD, e.g. \"2026-03-02\"",
            );
        }
        date
    }

    pub(super) fn required_date(
        &mut self,
        value: &Option<String>,
        path: &str,
    ) -> Option<NaiveDate> {
        let text = self.required(value, path)?;
        self.date(text, path)
    }

    pub(super) fn calendar(&mut self, horizon: &RawHorizon) {
        let start = self.required_date(&horizon.start, "horizon.start");
        let weeks = self.integer(horizon.weeks, "horizon.weeks", 1, 8, None);
        let sessions = match &horizon.sessions {
            None => Calendar::default_sessions(),
            Some(list) => self.sessions(list),
        };
        let closed_texts: Vec<String> = horizon
            .closed_weekdays
            .clone()
            .unwrap_or_else(|| vec!["sat".into(), "sun".into()]);
        let closed: Vec<Weekday> = closed_texts
            .iter()
            .enumerate()
            .filter_map(|(i, text)| self.weekday(text, &item("horizon.closed_weekdays", i)))
            .collect();
        let holidays: BTreeSet<NaiveDate> = horizon
            .holidays
            .iter()
            .enumerate()
            .filter_map(|(i, text)| self.date(text, &item("horizon.holidays", i)))
            .collect();
        let (Some(start), Some(weeks)) = (start, weeks) else {
            return;
        };
        if start.year() < 1900 || start.year() > 9000 {
            self.d.error(
                "horizon.start",
                format!("{start} is out of range (years 1900 to 9000)"),
            );
            return;
        }
        let calendar = Calendar::new(start, weeks, sessions, &closed, holidays);
        for (i, holiday) in horizon.holidays.iter().enumerate() {
            if let Some(date) = parse_date(holiday).filter(|d| !calendar.contains(*d)) {
                self.d.warning(
                    item("horizon.holidays", i),
                    format!(
                        "{date} is outside the horizon ({} … {}); it has no effect",
                        calendar.start(),
                        calendar.end()
                    ),
                );
            }
        }
        if calendar.open_dates().is_empty() {
            self.d
                .error("horizon", "every date of the horizon is closed");
        }
        self.calendar = calendar;
        self.calendar_built = true;
    }

    pub(super) fn sessions(&mut self, list: &[crate::instance::raw::RawSession]) -> Vec<Session> {
        if list.is_empty() {
            self.d.error_hint(
                "horizon.sessions",
                "no sessions",
                "list at least one, or leave the field out for am/pm",
            );
        }
        let mut sessions: Vec<Session> = Vec::new();
        let mut seen = BTreeSet::new();
        for (i, raw) in list.iter().enumerate() {
            let path = item("horizon.sessions", i);
            let id = self.required_text(&raw.id, &format!("{path}.id"));
            let start = self.time(&raw.start, &format!("{path}.start"));
            let end = self.time(&raw.end, &format!("{path}.end"));
            if let Some(id) = &id
                && !seen.insert(id.clone())
            {
                self.d.error(
                    format!("{path}.id"),
                    format!("duplicate session id \"{id}\""),
                );
            }
            if id.as_deref().is_some_and(|id| id.contains(':')) {
                self.d
                    .error(format!("{path}.id"), "session ids must not contain ':'");
            }
            let (Some(id), Some(start), Some(end)) = (id, start, end) else {
                continue;
            };
            // Bad sessions are still kept so that references to them resolve and the
            // user sees this error, not a cascade of "unknown session" ones.
            if end <= start {
                self.d.error(
                    format!("{path}.end"),
                    format!(
                        "session \"{id}\" ends ({}) before it starts ({})",
                        end.format("%H:%M"),
                        start.format("%H:%M")
                    ),
                );
            } else if let Some(previous) = sessions.last()
                && start < previous.end
            {
                self.d.error_hint(
                    format!("{path}.start"),
                    format!(
                        "session \"{id}\" starts at {} before session \"{}\" ends at {}",
                        start.format("%H:%M"),
                        previous.id,
                        previous.end.format("%H:%M")
                    ),
                    "sessions must be listed in time order without overlap",
                );
            }
            sessions.push(Session { id, start, end });
        }
        sessions
    }

    pub(super) fn time(&mut self, value: &Option<String>, path: &str) -> Option<chrono::NaiveTime> {
        let text = self.required(value, path)?;
        let time = parse_time(text);
        if time.is_none() {
            self.d.error_hint(
                path,
                format!("\"{text}\" is not a time"),
                "write times as HH:MM, e.g. \"08:00\"",
            );
        }
        time
    }

    pub(super) fn weekday(&mut self, text: &str, path: &str) -> Option<Weekday> {
        let day = parse_weekday(text);
        if day.is_none() {
            let names = WEEKDAYS.map(crate::calendar::weekday_name);
            let hint = did_you_mean(text, names).unwrap_or_else(|| "use mon … sun".into());
            self.d
                .error_hint(path, format!("\"{text}\" is not a weekday"), hint);
        }
        day
    }

    pub(super) fn weekly_pattern(&mut self, texts: &[String], path: &str) -> WeeklyPattern {
        let mut pattern = WeeklyPattern::empty(self.calendar.sessions().len());
        for (i, text) in texts.iter().enumerate() {
            match self.calendar.parse_weekday_ref(text) {
                Ok(reference) => pattern.insert(reference),
                Err(error) => self.d.error_hint(
                    item(path, i),
                    error.to_string(),
                    "write \"tue\" or \"tue:pm\"",
                ),
            }
        }
        pattern
    }

    pub(super) fn slot_set(&mut self, texts: &[String], path: &str) -> SlotSet {
        let mut set = SlotSet::default();
        for (i, text) in texts.iter().enumerate() {
            match self.calendar.parse_slot_ref(text) {
                Ok(reference) => {
                    if self.calendar.start() != NaiveDate::MIN
                        && !self.calendar.contains(reference.date)
                    {
                        self.d.warning(
                            item(path, i),
                            format!(
                                "{} is outside the horizon ({} … {}); it has no effect",
                                reference.date,
                                self.calendar.start(),
                                self.calendar.end()
                            ),
                        );
                    }
                    set.insert(reference);
                }
                Err(error) => self.d.error_hint(
                    item(path, i),
                    error.to_string(),
                    "write \"2026-03-02\" or \"2026-03-02:am\"",
                ),
            }
        }
        set
    }
}
