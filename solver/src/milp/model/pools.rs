//! Rule 12 (docs/model.md § Pools): for each session of a pooled specialist and each
//! site its pool admits, h[pool,site,s,t] ∈ {0…places} counts that site's referrals
//! taking held places; they come from that site's bookings in the session, together
//! at most the pool's places, and the rest of the session's bookings fit the places
//! the pool leaves general: Σ b − Σ h ≤ (capacity − places) · Σ sessions. A site's held
//! places in a week stay within its quota.

use std::collections::BTreeMap;

use good_lp::{Variable, constraint};

use super::{Builder, sum};
use crate::calendar::Slot;
use crate::instance::{SiteIx, SpecialistIx};

/// A pooled session's booking columns: all, and those of each admitted referring site.
type SessionBookings = (Vec<Variable>, BTreeMap<SiteIx, Vec<Variable>>);

impl Builder<'_> {
    /// Held-place columns and the rows of rule 12.
    pub(super) fn pools(&mut self) {
        let instance = self.instance;
        if instance.pools.is_empty() {
            return;
        }
        // Bookings of each pooled session, all and by admitted referring site.
        let mut sessions: BTreeMap<(SpecialistIx, Slot), SessionBookings> = BTreeMap::new();
        for ((r, who, slot), var) in &self.vars.booking {
            let Some(pool) = instance.pool_of(*who) else {
                continue;
            };
            let entry = sessions.entry((*who, *slot)).or_default();
            entry.0.push(*var);
            let request = &instance.requests[r.0];
            if let Some(site) = request.referred_by.filter(|_| pool.admits(request)) {
                entry.1.entry(site).or_default().push(*var);
            }
        }
        let mut by_week: BTreeMap<(usize, SiteIx, u32), Vec<Variable>> = BTreeMap::new();
        for ((who, slot), (all, by_site)) in sessions {
            let Some(p) = instance.pools.iter().position(|pool| pool.holder == who) else {
                continue;
            };
            let pool = &instance.pools[p];
            let places = f64::from(pool.places);
            let general = f64::from(instance.specialist(who).clinic_capacity) - places;
            let mut held = Vec::new();
            for (site, bookings) in by_site {
                let h = self.integer(places.min(bookings.len() as f64));
                self.vars.held.insert((p, site, who, slot), h);
                self.constraints.push(constraint!(h <= sum(&bookings)));
                if let Some(week) = instance.calendar.week_of(slot.date) {
                    by_week.entry((p, site, week)).or_default().push(h);
                }
                held.push(h);
            }
            if all.len() as f64 <= general {
                continue;
            }
            let open: Vec<Variable> = self.activities[&(who, slot)]
                .iter()
                .filter(|a| a.session)
                .map(|a| a.var)
                .collect();
            if held.len() > 1 {
                self.constraints.push(constraint!(sum(&held) <= places));
            }
            self.constraints
                .push(constraint!(sum(&all) - sum(&held) <= general * sum(&open)));
        }
        for ((p, _, _), held) in by_week {
            if let Some(quota) = instance.pools[p].quota
                && held.len() as f64 > f64::from(quota)
            {
                self.constraints
                    .push(constraint!(sum(&held) <= f64::from(quota)));
            }
        }
    }
}
