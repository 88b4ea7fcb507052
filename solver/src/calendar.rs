//! Time as PROBLEM.md §1 defines it: the horizon's dates and weeks, the sessions of a
//! day, open and closed dates, slots, and the weekday and slot references used in files.
//!
//! Everything here is plain date arithmetic on [`chrono`]; nothing knows about
//! specialists or rooms.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{Datelike, Days, NaiveDate, NaiveTime, Weekday};

/// The seven weekdays in the order files and reports use (`mon` first).
pub const WEEKDAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

/// The file spelling of a weekday: `mon` … `sun`.
pub fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "mon",
        Weekday::Tue => "tue",
        Weekday::Wed => "wed",
        Weekday::Thu => "thu",
        Weekday::Fri => "fri",
        Weekday::Sat => "sat",
        Weekday::Sun => "sun",
    }
}

/// Parses `mon` … `sun` (exactly the file spelling).
pub fn parse_weekday(text: &str) -> Option<Weekday> {
    WEEKDAYS.into_iter().find(|day| weekday_name(*day) == text)
}

/// Parses a `YYYY-MM-DD` date.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|_| text.len() == 10)
}

/// Parses an `HH:MM` time of day.
pub fn parse_time(text: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(text, "%H:%M")
        .ok()
        .filter(|_| text.len() == 5)
}

/// One session of every day, e.g. `am` 08:00–12:00.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The session id used in slot references and rosters.
    pub id: String,
    /// When it starts.
    pub start: NaiveTime,
    /// When it ends (after `start`).
    pub end: NaiveTime,
}

impl Session {
    /// Length in minutes (`end − start`).
    pub fn minutes(&self) -> u32 {
        minutes_between(self.start, self.end)
    }
}

/// Minutes from `from` to `to` (zero when `to` is not later).
pub fn minutes_between(from: NaiveTime, to: NaiveTime) -> u32 {
    u32::try_from((to - from).num_minutes()).unwrap_or(0)
}

/// A (date, session) pair: the unit in which every activity happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Slot {
    /// The date.
    pub date: NaiveDate,
    /// Index into [`Calendar::sessions`].
    pub session: usize,
}

/// A reference to a whole weekday or one session of it (`"tue"`, `"tue:pm"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeekdayRef {
    /// The weekday.
    pub day: Weekday,
    /// The session index, or `None` for the whole day.
    pub session: Option<usize>,
}

/// A reference to a whole date or one slot of it (`"2026-03-02"`, `"2026-03-02:am"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotRef {
    /// The date.
    pub date: NaiveDate,
    /// The session index, or `None` for the whole date.
    pub session: Option<usize>,
}

/// Why a weekday or slot reference could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefError {
    /// The weekday part is not `mon` … `sun`.
    Weekday(String),
    /// The date part is not a `YYYY-MM-DD` date.
    Date(String),
    /// The session part names no session of the horizon.
    Session(String),
}

impl fmt::Display for RefError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefError::Weekday(text) => write!(f, "\"{text}\" is not a weekday (mon … sun)"),
            RefError::Date(text) => write!(f, "\"{text}\" is not a date (YYYY-MM-DD)"),
            RefError::Session(text) => write!(f, "unknown session \"{text}\""),
        }
    }
}

/// A set of weekly (weekday, session) cells: `available` and `avoid` lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeeklyPattern {
    cells: [Vec<bool>; 7],
}

impl WeeklyPattern {
    /// The empty pattern for `sessions` sessions a day.
    pub fn empty(sessions: usize) -> Self {
        WeeklyPattern {
            cells: std::array::from_fn(|_| vec![false; sessions]),
        }
    }

    /// Every session of the given weekdays.
    pub fn whole_days(sessions: usize, days: &[Weekday]) -> Self {
        let mut pattern = Self::empty(sessions);
        for day in days {
            pattern.insert(WeekdayRef {
                day: *day,
                session: None,
            });
        }
        pattern
    }

    /// Adds a weekday or weekday-session reference.
    pub fn insert(&mut self, reference: WeekdayRef) {
        let row = &mut self.cells[reference.day.num_days_from_monday() as usize];
        match reference.session {
            Some(session) => row[session] = true,
            None => row.iter_mut().for_each(|cell| *cell = true),
        }
    }

    /// Whether the session of that weekday is in the pattern.
    pub fn contains(&self, day: Weekday, session: usize) -> bool {
        self.cells[day.num_days_from_monday() as usize]
            .get(session)
            .copied()
            .unwrap_or(false)
    }

    /// Whether any session of that weekday is in the pattern.
    pub fn contains_any(&self, day: Weekday) -> bool {
        self.cells[day.num_days_from_monday() as usize]
            .iter()
            .any(|cell| *cell)
    }
}

/// A set of whole dates and single slots: `unavailable` lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlotSet {
    dates: BTreeSet<NaiveDate>,
    slots: BTreeSet<(NaiveDate, usize)>,
}

impl SlotSet {
    /// Adds a date or slot reference.
    pub fn insert(&mut self, reference: SlotRef) {
        match reference.session {
            Some(session) => {
                self.slots.insert((reference.date, session));
            }
            None => {
                self.dates.insert(reference.date);
            }
        }
    }

    /// Whether the slot is in the set (directly or through its whole date).
    pub fn contains(&self, date: NaiveDate, session: usize) -> bool {
        self.dates.contains(&date) || self.slots.contains(&(date, session))
    }

    /// Whether the set holds no reference.
    pub fn is_empty(&self) -> bool {
        self.dates.is_empty() && self.slots.is_empty()
    }
}

/// The planning horizon: dates, weeks, sessions, closed days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    start: NaiveDate,
    weeks: u32,
    sessions: Vec<Session>,
    closed_weekdays: [bool; 7],
    holidays: BTreeSet<NaiveDate>,
}

impl Calendar {
    /// A calendar from already-validated parts (`weeks` ≥ 1, sessions in order).
    pub fn new(
        start: NaiveDate,
        weeks: u32,
        sessions: Vec<Session>,
        closed_weekdays: &[Weekday],
        holidays: BTreeSet<NaiveDate>,
    ) -> Self {
        let mut closed = [false; 7];
        for day in closed_weekdays {
            closed[day.num_days_from_monday() as usize] = true;
        }
        Calendar {
            start,
            weeks,
            sessions,
            closed_weekdays: closed,
            holidays,
        }
    }

    /// The default sessions of PROBLEM.md: `am` 08:00–12:00 and `pm` 13:30–17:30.
    pub fn default_sessions() -> Vec<Session> {
        let at = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("valid constant time");
        vec![
            Session {
                id: "am".into(),
                start: at(8, 0),
                end: at(12, 0),
            },
            Session {
                id: "pm".into(),
                start: at(13, 30),
                end: at(17, 30),
            },
        ]
    }

    /// First date of the horizon.
    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// Last date of the horizon.
    pub fn end(&self) -> NaiveDate {
        self.start + Days::new(u64::from(self.weeks) * 7 - 1)
    }

    /// Number of weeks.
    pub fn weeks(&self) -> u32 {
        self.weeks
    }

    /// The sessions of every day, in order.
    pub fn sessions(&self) -> &[Session] {
        &self.sessions
    }

    /// The index of the session with this id.
    pub fn session_index(&self, id: &str) -> Option<usize> {
        self.sessions.iter().position(|session| session.id == id)
    }

    /// The slot of a date and a session id, when the session exists.
    pub fn slot(&self, date: NaiveDate, session: &str) -> Option<Slot> {
        self.session_index(session)
            .map(|session| Slot { date, session })
    }

    /// The holidays, as given.
    pub fn holidays(&self) -> &BTreeSet<NaiveDate> {
        &self.holidays
    }

    /// Whether the weekday is closed every week.
    pub fn is_closed_weekday(&self, day: Weekday) -> bool {
        self.closed_weekdays[day.num_days_from_monday() as usize]
    }

    /// Whether the date lies within the horizon.
    pub fn contains(&self, date: NaiveDate) -> bool {
        date >= self.start && date <= self.end()
    }

    /// The 0-based week of a date in the horizon.
    pub fn week_of(&self, date: NaiveDate) -> Option<u32> {
        self.contains(date)
            .then(|| u32::try_from((date - self.start).num_days() / 7).unwrap_or(0))
    }

    /// Whether the date is in the horizon, not on a closed weekday and not a holiday.
    pub fn is_open(&self, date: NaiveDate) -> bool {
        self.contains(date)
            && !self.is_closed_weekday(date.weekday())
            && !self.holidays.contains(&date)
    }

    /// Every date of the horizon, in order.
    pub fn dates(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        (0..u64::from(self.weeks) * 7).map(move |offset| self.start + Days::new(offset))
    }

    /// The dates of week `week`, in order.
    pub fn week_dates(&self, week: u32) -> impl Iterator<Item = NaiveDate> + '_ {
        let first = u64::from(week) * 7;
        (first..first + 7).map(move |offset| self.start + Days::new(offset))
    }

    /// The open dates of the horizon, in order.
    pub fn open_dates(&self) -> Vec<NaiveDate> {
        self.dates().filter(|date| self.is_open(*date)).collect()
    }

    /// Every slot on an open date, in time order.
    pub fn slots(&self) -> impl Iterator<Item = Slot> + '_ {
        self.dates()
            .filter(|date| self.is_open(*date))
            .flat_map(move |date| {
                (0..self.sessions.len()).map(move |session| Slot { date, session })
            })
    }

    /// Reads `"tue"` or `"tue:pm"`.
    pub fn parse_weekday_ref(&self, text: &str) -> Result<WeekdayRef, RefError> {
        let (day_text, session_text) = split_ref(text);
        let day = parse_weekday(day_text).ok_or_else(|| RefError::Weekday(day_text.into()))?;
        let session = self.parse_optional_session(session_text)?;
        Ok(WeekdayRef { day, session })
    }

    /// Reads `"2026-03-02"` or `"2026-03-02:am"`.
    pub fn parse_slot_ref(&self, text: &str) -> Result<SlotRef, RefError> {
        let (date_text, session_text) = split_ref(text);
        let date = parse_date(date_text).ok_or_else(|| RefError::Date(date_text.into()))?;
        let session = self.parse_optional_session(session_text)?;
        Ok(SlotRef { date, session })
    }

    fn parse_optional_session(&self, text: Option<&str>) -> Result<Option<usize>, RefError> {
        text.map(|id| {
            self.session_index(id)
                .ok_or_else(|| RefError::Session(id.into()))
        })
        .transpose()
    }

    /// `"2026-03-03 pm"`-style label of a slot for messages.
    pub fn slot_label(&self, slot: Slot) -> String {
        format!("{} {}", slot.date, self.sessions[slot.session].id)
    }
}

fn split_ref(text: &str) -> (&str, Option<&str>) {
    match text.split_once(':') {
        Some((head, tail)) => (head, Some(tail)),
        None => (text, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn march_2026(weeks: u32, holidays: &[&str]) -> Calendar {
        Calendar::new(
            parse_date("2026-03-02").unwrap(),
            weeks,
            Calendar::default_sessions(),
            &[Weekday::Sat, Weekday::Sun],
            holidays.iter().map(|d| parse_date(d).unwrap()).collect(),
        )
    }

    #[test]
    fn weeks_and_open_dates() {
        let calendar = march_2026(2, &["2026-03-11"]);
        assert_eq!(calendar.end(), parse_date("2026-03-15").unwrap());
        assert_eq!(calendar.week_of(parse_date("2026-03-08").unwrap()), Some(0));
        assert_eq!(calendar.week_of(parse_date("2026-03-09").unwrap()), Some(1));
        assert_eq!(calendar.week_of(parse_date("2026-03-16").unwrap()), None);
        assert_eq!(calendar.open_dates().len(), 9);
        assert!(!calendar.is_open(parse_date("2026-03-07").unwrap()));
        assert!(!calendar.is_open(parse_date("2026-03-11").unwrap()));
        assert_eq!(calendar.slots().count(), 18);
    }

    #[test]
    fn references_parse_and_fail_clearly() {
        let calendar = march_2026(1, &[]);
        assert_eq!(
            calendar.parse_weekday_ref("tue:pm"),
            Ok(WeekdayRef {
                day: Weekday::Tue,
                session: Some(1)
            })
        );
        assert_eq!(
            calendar.parse_weekday_ref("tues"),
            Err(RefError::Weekday("tues".into()))
        );
        assert_eq!(
            calendar.parse_slot_ref("2026-03-02:eve"),
            Err(RefError::Session("eve".into()))
        );
        assert_eq!(
            calendar.parse_slot_ref("2026-3-2"),
            Err(RefError::Date("2026-3-2".into()))
        );
        assert!(parse_time("8:00").is_none());
        assert!(parse_time("08:00").is_some());
    }

    #[test]
    fn patterns_cover_whole_days_and_sessions() {
        let calendar = march_2026(1, &[]);
        let mut pattern = WeeklyPattern::empty(2);
        pattern.insert(calendar.parse_weekday_ref("mon").unwrap());
        pattern.insert(calendar.parse_weekday_ref("fri:pm").unwrap());
        assert!(pattern.contains(Weekday::Mon, 0) && pattern.contains(Weekday::Mon, 1));
        assert!(!pattern.contains(Weekday::Fri, 0) && pattern.contains(Weekday::Fri, 1));
        assert!(!pattern.contains_any(Weekday::Tue));
    }
}
