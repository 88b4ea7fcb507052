//! iCalendar (RFC 5545) feeds of a roster: one specialist's, one site's or one
//! board's calendar, written by hand so that every detail a calendar app relies on is
//! ours: CRLF, TEXT escaping, folding at 75 octets, a UID derived from the entry's key,
//! SEQUENCE and `STATUS:CANCELLED` across publications ([`history`]), DTSTAMP, and a
//! VTIMEZONE for Asia/Shanghai with the instance's session clock as local time.
//!
//! Sessions are timed events (`DTSTART;TZID=Asia/Shanghai:…` to the session's end),
//! days on site are all-day events. Text is in the instance's language
//! ([`Language::of`]) unless another is asked for. No patient is ever named.

pub mod history;
mod lines;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use crate::agenda::{self, AgendaError, Item, Language, Text, View};
use crate::instance::Instance;
use crate::roster::Roster;

pub use history::Tracked;
use lines::Lines;
pub use lines::escape;

/// The only time zone the instances use (China has one, without daylight saving).
pub const TZID: &str = "Asia/Shanghai";

/// How a calendar is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarOptions {
    /// The language of SUMMARY, LOCATION and DESCRIPTION.
    pub language: Language,
    /// DTSTAMP of every event: when this publication was made.
    pub stamp: DateTime<Utc>,
    /// The right-hand side of every UID, e.g. the instance's id in the service.
    pub domain: String,
}

impl CalendarOptions {
    /// The instance's language, `stamp`, and a domain made from the instance's name.
    pub fn for_instance(instance: &Instance, stamp: DateTime<Utc>) -> CalendarOptions {
        CalendarOptions {
            language: Language::of(instance),
            stamp,
            domain: format!("{}.houniao", slug(&instance.name)),
        }
    }
}

/// The events of `view` in `current`, after the `previous` publications (oldest
/// first): UIDs, SEQUENCE and cancellations by the rule of [`history`].
pub fn events(
    instance: &Instance,
    view: &View,
    current: &Roster,
    previous: &[Roster],
    domain: &str,
) -> Result<Vec<Tracked>, AgendaError> {
    let mut publications = Vec::with_capacity(previous.len() + 1);
    for roster in previous.iter().chain(std::iter::once(current)) {
        publications.push(agenda::items(instance, roster, view)?);
    }
    let prefix = format!("{}/{}", view.kind(), view.id());
    let mut events = history::track(&publications, |key| {
        format!("{}@{domain}", slug_path(&format!("{prefix}/{key}")))
    });
    let order = |e: &Tracked| (e.item.date, start_of(instance, &e.item), e.uid.clone());
    events.sort_by_key(order);
    Ok(events)
}

/// The calendar of `view` in `current` as iCalendar text.
pub fn calendar(
    instance: &Instance,
    view: &View,
    current: &Roster,
    previous: &[Roster],
    options: &CalendarOptions,
) -> Result<String, AgendaError> {
    let events = events(instance, view, current, previous, &options.domain)?;
    let mut lines = Lines::default();
    lines.raw("BEGIN", "VCALENDAR");
    lines.raw("VERSION", "2.0");
    lines.raw(
        "PRODID",
        &format!("-//houniao//houniao {}//EN", env!("CARGO_PKG_VERSION")),
    );
    lines.raw("CALSCALE", "GREGORIAN");
    lines.raw("METHOD", "PUBLISH");
    lines.text("X-WR-CALNAME", &calendar_name(instance, view));
    lines.raw("X-WR-TIMEZONE", TZID);
    lines.raw("REFRESH-INTERVAL;VALUE=DURATION", "PT1H");
    lines.raw("X-PUBLISHED-TTL", "PT1H");
    timezone(&mut lines);
    for event in &events {
        write_event(&mut lines, instance, view, event, options);
    }
    lines.raw("END", "VCALENDAR");
    Ok(lines.finish())
}

fn timezone(lines: &mut Lines) {
    lines.raw("BEGIN", "VTIMEZONE");
    lines.raw("TZID", TZID);
    lines.raw("X-LIC-LOCATION", TZID);
    lines.raw("BEGIN", "STANDARD");
    lines.raw("DTSTART", "19700101T000000");
    lines.raw("TZOFFSETFROM", "+0800");
    lines.raw("TZOFFSETTO", "+0800");
    lines.raw("TZNAME", "CST");
    lines.raw("END", "STANDARD");
    lines.raw("END", "VTIMEZONE");
}

fn write_event(
    lines: &mut Lines,
    instance: &Instance,
    view: &View,
    event: &Tracked,
    options: &CalendarOptions,
) {
    let item = &event.item;
    let text = Text::of(instance, view, item, options.language);
    let lang = options.language.tag();
    lines.raw("BEGIN", "VEVENT");
    lines.text("UID", &event.uid);
    lines.raw(
        "DTSTAMP",
        &options.stamp.format("%Y%m%dT%H%M%SZ").to_string(),
    );
    lines.raw("SEQUENCE", &event.sequence.to_string());
    lines.raw(
        "STATUS",
        if event.cancelled {
            "CANCELLED"
        } else {
            "CONFIRMED"
        },
    );
    match session_times(instance, item) {
        Some((start, end)) => {
            lines.raw(&format!("DTSTART;TZID={TZID}"), &local(item.date, start));
            lines.raw(&format!("DTEND;TZID={TZID}"), &local(item.date, end));
            lines.raw("TRANSP", "OPAQUE");
        }
        None => {
            let next = item.date.succ_opt().unwrap_or(item.date);
            lines.raw(
                "DTSTART;VALUE=DATE",
                &item.date.format("%Y%m%d").to_string(),
            );
            lines.raw("DTEND;VALUE=DATE", &next.format("%Y%m%d").to_string());
            lines.raw("TRANSP", "TRANSPARENT");
        }
    }
    lines.text(&format!("SUMMARY;LANGUAGE={lang}"), &text.summary);
    if !text.location.is_empty() {
        lines.text(&format!("LOCATION;LANGUAGE={lang}"), &text.location);
    }
    if !text.description.is_empty() {
        lines.text(
            &format!("DESCRIPTION;LANGUAGE={lang}"),
            &text.description.join("\n"),
        );
    }
    lines.text("CATEGORIES", item.what.name());
    lines.raw("END", "VEVENT");
}

fn session_times(instance: &Instance, item: &Item) -> Option<(NaiveTime, NaiveTime)> {
    let ix = instance.calendar.session_index(item.session.as_deref()?)?;
    let session = &instance.calendar.sessions()[ix];
    Some((session.start, session.end))
}

fn start_of(instance: &Instance, item: &Item) -> Option<NaiveTime> {
    session_times(instance, item).map(|(start, _)| start)
}

fn local(date: NaiveDate, time: NaiveTime) -> String {
    date.and_time(time).format("%Y%m%dT%H%M%S").to_string()
}

fn calendar_name(instance: &Instance, view: &View) -> String {
    let name = match view {
        View::Specialist(id) => instance
            .specialist_ix(id)
            .map(|ix| instance.specialist(ix).name.clone()),
        View::Site(id) => instance
            .site_ix(id)
            .map(|ix| instance.site(ix).name.clone()),
        View::Board(id) => instance
            .board_ix(id)
            .map(|ix| instance.mdt_boards[ix.0].name.clone()),
    };
    format!(
        "{} · {}",
        name.as_deref().unwrap_or(view.id()),
        instance.name
    )
}

/// Lower-case letters, digits, `-` and `.`; anything else becomes `-`.
fn slug(text: &str) -> String {
    let slug: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    slug.trim_matches('-').to_string()
}

/// A key made safe for a UID: `/` kept, everything else as in [`slug`] except `_`.
fn slug_path(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '/' | '-' | '_' | ':') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
