//! Bookings: each request, by priority, into the cheapest session that may take it —
//! an existing clinic or studio session with room, or a new clinic where that pays —
//! and, for a booking pin, the cheapest one matching the pin whatever it costs.

use super::state::State;
use super::{ClinicWant, clinic_room, open_clinic};
use crate::calendar::Slot;
use crate::instance::{RequestIx, SiteIx, SpecialistIx};
use crate::objective::Term;
use crate::schedule::Appointment;

pub(super) fn place_bookings(state: &mut State<'_>) {
    let instance = state.instance;
    let mut order: Vec<usize> = (0..instance.requests.len()).collect();
    order.sort_by_key(|r| {
        let request = &instance.requests[*r];
        (
            std::cmp::Reverse(request.priority),
            request.latest,
            request.earliest,
        )
    });
    for r in order {
        book_request(state, RequestIx(r), &|_, _, _| true, false);
    }
}

/// Books a request not yet booked into the cheapest session whose booking (holder,
/// slot, site) `accept`s and no forbid matches: an existing clinic or studio session
/// with room, or a new clinic. Unless `pinned`, only when cheaper than leaving the
/// request unserved. For a pin the booking is made whatever it costs, a substitute's
/// new clinic is held in the request's discipline, and the next option is tried when
/// one fails. Whether it was booked.
pub(super) fn book_request(
    state: &mut State<'_>,
    r: RequestIx,
    accept: &dyn Fn(SpecialistIx, Slot, SiteIx) -> bool,
    pinned: bool,
) -> bool {
    let instance = state.instance;
    let weights = &instance.weights;
    if state.is_booked(r) {
        return false;
    }
    let request = &instance.requests[r.0];
    let priority = f64::from(request.priority);
    let eligible = |who: SpecialistIx, discipline: &str| {
        request.specialist == Some(who)
            || ((request.specialist.is_none() || request.substitute_ok)
                && discipline == request.discipline)
    };
    let cost_of = |who: SpecialistIx, slot: Slot| {
        let substitute = if request.specialist.is_some_and(|n| n != who) {
            weights[Term::Substitute]
        } else {
            0.0
        };
        substitute
            + weights[Term::WaitDay] * priority * (slot.date - request.earliest).num_days() as f64
    };
    let in_window = |slot: &Slot| slot.date >= request.earliest && slot.date <= request.latest;
    let allowed = |state: &State<'_>, who: SpecialistIx, slot: Slot, site: SiteIx| {
        in_window(&slot)
            && request.allows_site(site)
            && accept(who, slot, site)
            && !state.forbids.booking(r, who, slot, site)
    };
    // (cost, holder, slot, site, whether a new clinic is needed)
    let mut options: Vec<(f64, SpecialistIx, Slot, SiteIx, bool)> = Vec::new();
    // Existing sessions with room.
    let sessions: Vec<(SpecialistIx, Slot, SiteIx, &str)> = state
        .schedule
        .clinics
        .iter()
        .map(|c| {
            (
                c.who,
                c.slot,
                instance.room(c.room).site,
                c.discipline.as_str(),
            )
        })
        .chain(state.schedule.studio_sessions.iter().map(|s| {
            let studio = &instance.studios[s.studio.0];
            (studio.lead, s.slot, studio.site, studio.discipline.as_str())
        }))
        .collect();
    for (who, slot, site, discipline) in sessions {
        if eligible(who, discipline)
            && state.place_for(r, who, slot).is_some()
            && allowed(state, who, slot, site)
        {
            options.push((cost_of(who, slot), who, slot, site, false));
        }
    }
    // New clinics, when cheaper.
    for slot in instance.calendar.slots().filter(in_window) {
        for (i, person) in instance.specialists.iter().enumerate() {
            let who = SpecialistIx(i);
            let discipline = if person.has_discipline(&request.discipline) {
                request.discipline.as_str()
            } else {
                person.disciplines[0].as_str()
            };
            let empty_session_takes_it = instance
                .pool_of(who)
                .is_none_or(|pool| pool.places < person.clinic_capacity || pool.admits(request));
            if person.clinic_capacity == 0 || !eligible(who, discipline) || !empty_session_takes_it
            {
                continue;
            }
            for &site in &person.sites {
                if !state.can_take(who, slot, Some(site))
                    || !allowed(state, who, slot, site)
                    || clinic_room(state, site, &[], slot, |_| true).is_none()
                {
                    continue;
                }
                let cost = cost_of(who, slot)
                    + state.presence_cost(who, slot.date)
                    + state.avoid_cost(who, slot);
                options.push((cost, who, slot, site, true));
            }
        }
    }
    // Stable: among equal costs the first found wins.
    options.sort_by(|a, b| a.0.total_cmp(&b.0));
    if !pinned {
        options.truncate(1);
        options.retain(|(cost, ..)| *cost < weights[Term::UnservedRequest] * priority);
    }
    for (_, who, slot, site, new) in options {
        if new {
            let held_by_named = request.specialist == Some(who);
            let preferred = instance
                .specialist(who)
                .has_discipline(&request.discipline)
                .then_some(request.discipline.as_str());
            let want = ClinicWant {
                room: None,
                discipline: (pinned && !held_by_named).then_some(request.discipline.as_str()),
            };
            if !state.can_take(who, slot, Some(site))
                || !open_clinic(state, who, slot, site, preferred, want)
            {
                continue;
            }
            // The clinic must be in an eligible discipline for a substitute.
            let held = state
                .schedule
                .clinics
                .last()
                .map(|c| c.discipline.clone())
                .unwrap_or_default();
            if !eligible(who, &held) {
                continue;
            }
        }
        let Some(held) = state.place_for(r, who, slot) else {
            continue;
        };
        state.book(Appointment {
            request: r,
            who,
            slot,
            held,
        });
        return true;
    }
    false
}
