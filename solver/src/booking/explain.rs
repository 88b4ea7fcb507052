//! Why a request cannot be had in its window, in words a call-centre agent can read
//! out: "Jiang Wei is on site Wed only; Wed Mar 4 am and pm are full (20/20)".

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::book::{BookingBook, SessionKey};
use crate::calendar::WEEKDAYS;
use crate::instance::Request;
use crate::text;
use crate::text::{Arg, DateStyle, Key, Separator, Text};

/// `Wed Mar 4`.
pub(super) fn day(date: NaiveDate) -> String {
    date.format("%a %b %-d").to_string()
}

fn day_arg(date: NaiveDate) -> Arg {
    Arg::Date(date, DateStyle::Day)
}

/// `Mar 2 … Mar 6`.
fn window(request: &Request) -> Text {
    text!(WindowRange {
        earliest: Arg::month_day(request.earliest),
        latest: Arg::month_day(request.latest),
    })
}

/// `Wed only`, `Tue, Wed, Thu`: the weekdays of some dates, in week order.
fn weekdays(dates: impl IntoIterator<Item = NaiveDate>) -> Arg {
    let mut seen = [false; 7];
    for date in dates {
        seen[date.weekday().num_days_from_monday() as usize] = true;
    }
    let mut days: Vec<Arg> = WEEKDAYS
        .iter()
        .filter(|d| seen[d.num_days_from_monday() as usize])
        .map(|d| Arg::Weekday {
            day: *d,
            file_style: false,
        })
        .collect();
    if days.len() == 1 {
        let one = days.remove(0);
        return Arg::from(text!(OnlyDay { day: one }));
    }
    Arg::List(days, Separator::Comma)
}

impl BookingBook {
    /// Why the named expert (or, without one, anyone) cannot take the request in its
    /// window. `nothing_fits` adds why no substitute can either.
    pub(super) fn reasons(&self, request: &Request, nothing_fits: bool) -> Vec<Text> {
        let calendar = &self.instance.calendar;
        if request.latest < calendar.start() || request.earliest > calendar.end() {
            return vec![text!(OutsideRoster {
                start: Arg::month_day(calendar.start()),
                end: Arg::month_day(calendar.end()),
                window: window(request),
            })];
        }
        let mut reasons = Vec::new();
        if let Some(named) = request.specialist {
            reasons.push(self.named_reason(request, named));
            if !request.substitute_ok {
                if nothing_fits {
                    reasons.push(text!(NoSubstitute));
                }
                return reasons;
            }
        }
        if nothing_fits {
            reasons.push(self.discipline_reason(request));
        }
        reasons
    }

    fn named_reason(&self, request: &Request, named: crate::instance::SpecialistIx) -> Text {
        let instance = &self.instance;
        let person = instance.specialist(named);
        let all: Vec<SessionKey> = self.sessions_of(named).collect();
        if all.is_empty() {
            return text!(NamedHoldsNoSession { who: &person.name });
        }
        let presence = self.index.on_site.get(&named);
        let when = match presence {
            Some(dates) if person.visiting => text!(NamedOnSite {
                who: &person.name,
                weekdays: weekdays(dates.iter().copied()),
            }),
            _ => text!(NamedHoldsSessions {
                who: &person.name,
                weekdays: weekdays(all.iter().map(|(_, slot)| slot.date)),
            }),
        };
        let in_window: Vec<SessionKey> = all
            .into_iter()
            .filter(|(_, slot)| slot.date >= request.earliest && slot.date <= request.latest)
            .collect();
        if in_window.is_empty() {
            return text!(NoneInWindow {
                when: when,
                window: window(request)
            });
        }
        let mut full: BTreeMap<NaiveDate, Vec<Arg>> = BTreeMap::new();
        let mut elsewhere: BTreeMap<NaiveDate, Vec<Arg>> = BTreeMap::new();
        for key in &in_window {
            let session = Arg::session(calendar_session(self, *key));
            if !request.allows_site(self.held(*key).site) {
                elsewhere.entry(key.1.date).or_default().push(session);
            } else if self.places_left(*key) == 0 {
                full.entry(key.1.date).or_default().push(session);
            }
        }
        let capacity = person.clinic_capacity;
        let mut parts = vec![when];
        for (date, sessions) in &full {
            let key = if sessions.len() == 1 {
                Key::SessionFull
            } else {
                Key::SessionsFull
            };
            parts.push(
                Text::new(key)
                    .with("day", day_arg(*date))
                    .with("sessions", Arg::List(sessions.clone(), Separator::And))
                    .with("capacity", capacity),
            );
        }
        for (date, sessions) in &elsewhere {
            let site = in_window
                .iter()
                .find(|key| key.1.date == *date && !request.allows_site(self.held(**key).site))
                .map(|key| instance.site(self.held(*key).site).name.as_str())
                .unwrap_or_default();
            parts.push(text!(SessionsElsewhere {
                day: day_arg(*date),
                sessions: Arg::List(sessions.clone(), Separator::And),
                site: site,
            }));
        }
        Text::clauses(parts)
    }

    fn discipline_reason(&self, request: &Request) -> Text {
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
            Arg::from(text!(OtherDiscipline {
                discipline: &request.discipline
            }))
        } else {
            Arg::from(&request.discipline)
        };
        if in_window.is_empty() {
            return text!(NoSessionHeld {
                label: label,
                window: window(request)
            });
        }
        let allowed: Vec<&SessionKey> = in_window
            .iter()
            .filter(|key| request.allows_site(self.held(**key).site))
            .collect();
        if allowed.is_empty() {
            return text!(SessionsAtOtherSites {
                count: in_window.len(),
                label: label,
                window: window(request),
            });
        }
        let taken: u32 = allowed.iter().map(|key| self.taken(**key)).sum();
        let capacity: u32 = allowed.iter().map(|key| self.capacity(**key)).sum();
        text!(AllowedSessionsFull {
            count: allowed.len(),
            label: label,
            window: window(request),
            taken: taken,
            capacity: capacity,
        })
    }
}

fn calendar_session(book: &BookingBook, (_, slot): SessionKey) -> &str {
    &book.instance.calendar.sessions()[slot.session].id
}
