//! Searching the booking book for a request: the sessions that can take the patient,
//! ranked, and, when the named expert cannot be had in the window, why not and what
//! else could be offered.
//!
//! **Ranking** (docs/booking.md): the named expert's sessions first (substitutes only
//! when the patient accepts one, and after them), then the earliest date and session,
//! then the patient's site preference (the order of `sites`), then the most places
//! left, then the specialist id (for a stable order).

use std::cmp::Reverse;

use chrono::NaiveDate;
use serde::Serialize;

use super::book::{BookingBook, SessionKey};
use super::ledger::SessionRef;
use super::{BookingError, PatientRequest};
use crate::calendar::Slot;
use crate::instance::{Request, SpecialistIx};
use crate::text::Text;

/// A session that can take the patient.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlotOption {
    /// What to pass to `book`: `specialist@date:session`.
    pub id: String,
    /// The session.
    pub session: SessionRef,
    /// The holder's display name.
    pub specialist_name: String,
    /// Site id.
    pub site: String,
    /// Site display name.
    pub site_name: String,
    /// Room id, when the roster names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub room: Option<String>,
    /// The discipline the session is held in.
    pub discipline: String,
    /// Whether it is a studio session.
    pub studio: bool,
    /// Days from the request's `earliest` (negative before it).
    pub wait_days: i64,
    /// With someone other than the named specialist.
    pub substitute: bool,
    /// Places left.
    pub places_left: u32,
    /// The session's capacity.
    pub capacity: u32,
}

/// What an alternative asks the patient to accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlternativeKind {
    /// The named expert (or the discipline) after the window.
    AfterWindow,
    /// The named expert (or the discipline) in the window at a site not allowed.
    OtherSite,
    /// Another specialist of the discipline in the window (a substitute).
    Substitute,
}

/// A session outside what the patient asked for, to offer when nothing fits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alternative {
    /// What the patient must accept.
    pub kind: AlternativeKind,
    /// The session.
    pub option: SlotOption,
    /// The same in words.
    pub note: String,
}

/// The answer to a search.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResult {
    /// Sessions that fit the request, best first.
    pub options: Vec<SlotOption>,
    /// How many fit in all (`options` may be cut at the limit).
    pub total: usize,
    /// Why the named expert (or, without one, anyone) cannot be had in the window;
    /// empty when they can.
    pub reasons: Vec<String>,
    /// The same reasons as messages, to be written in any language.
    #[serde(skip)]
    pub reason_texts: Vec<Text>,
    /// Nearest sessions outside the request, when the named expert cannot be had.
    pub alternatives: Vec<Alternative>,
}

impl SearchResult {
    /// Options returned when the caller gives no limit.
    pub const DEFAULT_LIMIT: usize = 10;
    /// Substitute colleagues offered as alternatives.
    const COLLEAGUES: usize = 3;
}

impl BookingBook {
    /// Ranked sessions that can take the request (at most `limit`), with reasons and
    /// alternatives when the named expert (or anyone) cannot be had in the window.
    pub fn search(
        &self,
        request: &PatientRequest,
        limit: usize,
    ) -> Result<SearchResult, BookingError> {
        if request.asks_for_resource() {
            return self.search_resource(request, limit);
        }
        let resolved = request.resolve(&self.instance, false)?;
        let mut fitting: Vec<(SessionKey, bool)> = self
            .candidates(&resolved)
            .filter_map(|key| {
                let substitute = self.serves(&resolved, key)?;
                (self.places_for(&resolved, key) > 0).then_some((key, substitute))
            })
            .collect();
        fitting.sort_by_key(|(key, substitute)| self.rank(&resolved, *key, *substitute));
        let named_fits = fitting.iter().any(|(_, substitute)| !substitute);
        let (mut reason_texts, alternatives) = if named_fits {
            (Vec::new(), Vec::new())
        } else {
            (
                self.reasons(&resolved, fitting.is_empty()),
                self.alternatives(&resolved),
            )
        };
        if !named_fits && let Some(held) = self.held_for_others(&resolved) {
            reason_texts.push(held);
        }
        if !named_fits && let Some(offered) = self.offered_to_others(&resolved) {
            reason_texts.push(offered);
        }
        let total = fitting.len();
        let options = fitting
            .into_iter()
            .take(limit)
            .map(|(key, substitute)| self.option(key, &resolved, substitute))
            .collect();
        Ok(SearchResult {
            options,
            total,
            reasons: reason_texts.iter().map(ToString::to_string).collect(),
            reason_texts,
            alternatives,
        })
    }

    /// Sessions worth looking at, each once: the named expert's, and the discipline's
    /// other sessions when someone else may serve.
    fn candidates<'a>(&'a self, request: &'a Request) -> impl Iterator<Item = SessionKey> + 'a {
        let named = request
            .specialist
            .into_iter()
            .flat_map(move |who| self.sessions_of(who));
        let colleagues = (request.specialist.is_none() || request.substitute_ok)
            .then(|| self.by_discipline.get(&request.discipline))
            .flatten()
            .into_iter()
            .flatten()
            .copied()
            .filter(move |(who, _)| Some(*who) != request.specialist);
        named.chain(colleagues)
    }

    /// The specialist's bookable sessions, in time order.
    pub(super) fn sessions_of(&self, who: SpecialistIx) -> impl Iterator<Item = SessionKey> + '_ {
        let first = Slot {
            date: NaiveDate::MIN,
            session: 0,
        };
        let last = Slot {
            date: NaiveDate::MAX,
            session: usize::MAX,
        };
        self.index
            .sessions
            .range((who, first)..=(who, last))
            .map(|(key, _)| *key)
    }

    fn rank(
        &self,
        request: &Request,
        key: SessionKey,
        substitute: bool,
    ) -> (bool, Slot, usize, Reverse<u32>, SpecialistIx) {
        let site = self.held(key).site;
        let preference = request
            .sites
            .as_ref()
            .and_then(|sites| sites.iter().position(|s| *s == site))
            .unwrap_or(0);
        (
            substitute,
            key.1,
            preference,
            Reverse(self.places_for(request, key)),
            key.0,
        )
    }

    /// A session as an option for a request.
    pub(super) fn option(
        &self,
        key: SessionKey,
        request: &Request,
        substitute: bool,
    ) -> SlotOption {
        let instance = &self.instance;
        let held = self.held(key);
        let session = self.session_ref(key);
        SlotOption {
            id: session.to_string(),
            specialist_name: instance.specialist(key.0).name.clone(),
            site: instance.site(held.site).id.clone(),
            site_name: instance.site(held.site).name.clone(),
            room: held.room.map(|room| instance.room(room).id.clone()),
            discipline: held.discipline.clone(),
            studio: held.studio,
            wait_days: (key.1.date - request.earliest).num_days(),
            substitute,
            places_left: self.places_for(request, key),
            capacity: self.capacity(key),
            session,
        }
    }

    /// The nearest sessions outside the request: the named expert's (or the
    /// discipline's) first free session after the window and in the window at a site
    /// not allowed, and colleagues of the discipline in the window.
    fn alternatives(&self, request: &Request) -> Vec<Alternative> {
        let instance = &self.instance;
        let free = |key: &SessionKey| self.places_for(request, *key) > 0;
        let own: Vec<SessionKey> = match request.specialist {
            Some(named) => self.sessions_of(named).filter(free).collect(),
            None => self
                .by_discipline
                .get(&request.discipline)
                .into_iter()
                .flatten()
                .copied()
                .filter(free)
                .collect(),
        };
        let allowed = |key: &SessionKey| request.allows_site(self.held(*key).site);
        let mut alternatives = Vec::new();
        let who = request
            .specialist
            .map(|s| instance.specialist(s).name.clone())
            .unwrap_or_else(|| format!("a {} specialist", request.discipline));
        if let Some(key) = own
            .iter()
            .find(|key| key.1.date > request.latest && allowed(key))
            .or_else(|| own.iter().find(|key| key.1.date > request.latest))
        {
            let option = self.option(*key, request, false);
            let site_note = if allowed(key) {
                String::new()
            } else {
                format!(", at {} (not an allowed site)", option.site_name)
            };
            alternatives.push(Alternative {
                kind: AlternativeKind::AfterWindow,
                note: format!(
                    "{who} on {} {}, {} day(s) after the window{site_note}",
                    key.1.date,
                    option.session.session,
                    (key.1.date - request.latest).num_days()
                ),
                option,
            });
        }
        if let Some(key) = own.iter().find(|key| {
            key.1.date >= request.earliest && key.1.date <= request.latest && !allowed(key)
        }) {
            let option = self.option(*key, request, false);
            alternatives.push(Alternative {
                kind: AlternativeKind::OtherSite,
                note: format!(
                    "{who} on {} {} at {}, a site the patient did not allow",
                    key.1.date, option.session.session, option.site_name
                ),
                option,
            });
        }
        if request.specialist.is_some() && !request.substitute_ok {
            let open = Request {
                substitute_ok: true,
                ..request.clone()
            };
            let mut colleagues: Vec<SessionKey> = self
                .candidates(&open)
                .filter(|key| Some(key.0) != request.specialist && free(key))
                .filter(|key| self.serves(&open, *key) == Some(true))
                .collect();
            colleagues.sort_by_key(|key| self.rank(&open, *key, true));
            for key in colleagues.into_iter().take(SearchResult::COLLEAGUES) {
                let option = self.option(key, &open, true);
                alternatives.push(Alternative {
                    kind: AlternativeKind::Substitute,
                    note: format!(
                        "{} ({}) on {} {} at {}, if the patient accepts a substitute",
                        option.specialist_name,
                        request.discipline,
                        key.1.date,
                        option.session.session,
                        option.site_name
                    ),
                    option,
                });
            }
        }
        alternatives
    }
}
