//! Why a request cannot be had in its window, in words a call-centre agent can read
//! out: "Jiang Wei is on site Wed only; Wed Mar 4 am and pm are full (20/20)".

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::book::{BookingBook, SessionKey};
use crate::calendar::WEEKDAYS;
use crate::instance::Request;

/// `Wed Mar 4`.
pub(super) fn day(date: NaiveDate) -> String {
    date.format("%a %b %-d").to_string()
}

/// `Mar 2 … Mar 6`.
fn window(request: &Request) -> String {
    format!(
        "{} … {}",
        request.earliest.format("%b %-d"),
        request.latest.format("%b %-d")
    )
}

/// `Wed only`, `Tue, Wed, Thu`: the weekdays of some dates, in week order.
fn weekdays(dates: impl IntoIterator<Item = NaiveDate>) -> String {
    let mut seen = [false; 7];
    for date in dates {
        seen[date.weekday().num_days_from_monday() as usize] = true;
    }
    let names: Vec<String> = WEEKDAYS
        .iter()
        .filter(|d| seen[d.num_days_from_monday() as usize])
        .map(|d| d.to_string())
        .collect();
    match names.as_slice() {
        [one] => format!("{one} only"),
        _ => names.join(", "),
    }
}

impl BookingBook {
    /// Why the named expert (or, without one, anyone) cannot take the request in its
    /// window. `nothing_fits` adds why no substitute can either.
    pub(super) fn reasons(&self, request: &Request, nothing_fits: bool) -> Vec<String> {
        let calendar = &self.instance.calendar;
        if request.latest < calendar.start() || request.earliest > calendar.end() {
            return vec![format!(
                "the published roster covers {} … {}; the window {} lies outside it",
                calendar.start().format("%b %-d"),
                calendar.end().format("%b %-d"),
                window(request)
            )];
        }
        let mut reasons = Vec::new();
        if let Some(named) = request.specialist {
            reasons.push(self.named_reason(request, named));
            if !request.substitute_ok {
                if nothing_fits {
                    reasons.push("the patient accepts no substitute".into());
                }
                return reasons;
            }
        }
        if nothing_fits {
            reasons.push(self.discipline_reason(request));
        }
        reasons
    }

    fn named_reason(&self, request: &Request, named: crate::instance::SpecialistIx) -> String {
        let instance = &self.instance;
        let person = instance.specialist(named);
        let all: Vec<SessionKey> = self.sessions_of(named).collect();
        if all.is_empty() {
            return format!(
                "{} holds no clinic or studio session on the published roster",
                person.name
            );
        }
        let presence = self.index.on_site.get(&named);
        let when = match presence {
            Some(dates) if person.visiting => {
                format!(
                    "{} is on site {}",
                    person.name,
                    weekdays(dates.iter().copied())
                )
            }
            _ => format!(
                "{} holds sessions {}",
                person.name,
                weekdays(all.iter().map(|(_, slot)| slot.date))
            ),
        };
        let in_window: Vec<SessionKey> = all
            .into_iter()
            .filter(|(_, slot)| slot.date >= request.earliest && slot.date <= request.latest)
            .collect();
        if in_window.is_empty() {
            return format!(
                "{when}; none of their sessions falls in {}",
                window(request)
            );
        }
        let mut full: BTreeMap<NaiveDate, Vec<&str>> = BTreeMap::new();
        let mut elsewhere: BTreeMap<NaiveDate, Vec<&str>> = BTreeMap::new();
        for key in &in_window {
            let session = calendar_session(self, *key);
            if !request.allows_site(self.held(*key).site) {
                elsewhere.entry(key.1.date).or_default().push(session);
            } else if self.places_left(*key) == 0 {
                full.entry(key.1.date).or_default().push(session);
            }
        }
        let capacity = person.clinic_capacity;
        let mut parts = vec![when];
        for (date, sessions) in &full {
            parts.push(format!(
                "{} {} {} full ({capacity}/{capacity})",
                day(*date),
                sessions.join(" and "),
                if sessions.len() == 1 { "is" } else { "are" }
            ));
        }
        for (date, sessions) in &elsewhere {
            let site = in_window
                .iter()
                .find(|key| key.1.date == *date && !request.allows_site(self.held(**key).site))
                .map(|key| instance.site(self.held(*key).site).name.as_str())
                .unwrap_or_default();
            parts.push(format!(
                "{} {} at {site}, not an allowed site",
                day(*date),
                sessions.join(" and ")
            ));
        }
        parts.join("; ")
    }

    fn discipline_reason(&self, request: &Request) -> String {
        let in_window: Vec<SessionKey> = self
            .by_discipline
            .get(&request.discipline)
            .into_iter()
            .flatten()
            .copied()
            .filter(|(who, slot)| {
                Some(*who) != request.specialist
                    && slot.date >= request.earliest
                    && slot.date <= request.latest
            })
            .collect();
        let label = if request.specialist.is_some() {
            format!("other {}", request.discipline)
        } else {
            request.discipline.clone()
        };
        if in_window.is_empty() {
            return format!("no {label} session is held in {}", window(request));
        }
        let allowed: Vec<&SessionKey> = in_window
            .iter()
            .filter(|key| request.allows_site(self.held(**key).site))
            .collect();
        if allowed.is_empty() {
            return format!(
                "the {} {label} session(s) in {} are all at sites the patient did not allow",
                in_window.len(),
                window(request)
            );
        }
        let taken: u32 = allowed.iter().map(|key| self.taken(**key)).sum();
        let capacity: u32 = allowed.iter().map(|key| self.capacity(**key)).sum();
        format!(
            "the {} {label} session(s) at allowed sites in {} are full ({taken}/{capacity})",
            allowed.len(),
            window(request)
        )
    }
}

fn calendar_session(book: &BookingBook, (_, slot): SessionKey) -> &str {
    &book.instance.calendar.sessions()[slot.session].id
}
