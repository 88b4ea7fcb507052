//! Ids: the index of every entity's id (duplicates reported), references by id with
//! "did you mean", kinds by name.

use std::collections::BTreeMap;

use crate::diagnostics::{Diagnostics, did_you_mean};
use crate::instance::raw::RawInstance;
use crate::instance::{BoardIx, RequestIx, RoomIx, SiteIx, SpecialistIx, StudioIx, SurgeryIx};

use super::{Builder, at, item};

impl Builder {
    /// Builds the id maps of every section, reporting missing and duplicate ids.
    pub(super) fn index_ids(&mut self, raw: &RawInstance) {
        fn index<T: Copy>(
            d: &mut Diagnostics,
            section: &str,
            ids: impl Iterator<Item = Option<String>>,
            make: fn(usize) -> T,
        ) -> BTreeMap<String, T> {
            let mut map = BTreeMap::new();
            let mut first: BTreeMap<String, usize> = BTreeMap::new();
            for (i, id) in ids.enumerate() {
                let path = at(section, i, "id");
                match id {
                    None => d.error(path, "missing required field"),
                    Some(id) if id.trim().is_empty() => d.error(path, "must not be empty"),
                    Some(id) => {
                        if let Some(previous) = first.get(&id) {
                            d.error(
                                path,
                                format!(
                                    "duplicate id \"{id}\" (first used at {})",
                                    at(section, *previous, "id")
                                ),
                            );
                        } else {
                            first.insert(id.clone(), i);
                            map.insert(id, make(i));
                        }
                    }
                }
            }
            map
        }
        let d = &mut self.d;
        self.ids.sites = index(d, "sites", raw.sites.iter().map(|x| x.id.clone()), SiteIx);
        self.ids.rooms = index(d, "rooms", raw.rooms.iter().map(|x| x.id.clone()), RoomIx);
        self.ids.specialists = index(
            d,
            "specialists",
            raw.specialists.iter().map(|x| x.id.clone()),
            SpecialistIx,
        );
        self.ids.studios = index(
            d,
            "studios",
            raw.studios.iter().map(|x| x.id.clone()),
            StudioIx,
        );
        self.ids.boards = index(
            d,
            "mdt_boards",
            raw.mdt_boards.iter().map(|x| x.id.clone()),
            BoardIx,
        );
        self.ids.surgeries = index(
            d,
            "surgeries",
            raw.surgeries.iter().map(|x| x.id.clone()),
            SurgeryIx,
        );
        // Ids are unique over all requests; a request for a specialist or discipline is
        // indexed by its place among those (resource requests are kept apart).
        let mut position_among_clinic_requests = Vec::new();
        let mut next = 0;
        for request in &raw.requests {
            position_among_clinic_requests.push(next);
            if !request.asks_for_resource() {
                next += 1;
            }
        }
        self.ids.requests = index(
            d,
            "requests",
            raw.requests.iter().map(|x| x.id.clone()),
            |i| i,
        )
        .into_iter()
        .filter(|(_, i)| !raw.requests[*i].asks_for_resource())
        .map(|(id, i)| (id, RequestIx(position_among_clinic_requests[i])))
        .collect();
    }

    pub(super) fn site_ref(&mut self, id: &str, path: &str) -> Option<SiteIx> {
        let found = self.ids.sites.get(id).copied();
        if found.is_none() {
            let hint = did_you_mean(id, self.ids.sites.keys().map(String::as_str));
            self.d
                .error_maybe_hint(path, format!("unknown site \"{id}\""), hint);
        }
        found
    }

    pub(super) fn required_site(&mut self, value: &Option<String>, path: &str) -> Option<SiteIx> {
        let id = self.required(value, path)?;
        self.site_ref(id, path)
    }

    pub(super) fn site_list(&mut self, ids: &[String], path: &str) -> Vec<SiteIx> {
        ids.iter()
            .enumerate()
            .filter_map(|(i, id)| self.site_ref(id, &item(path, i)))
            .collect()
    }

    pub(super) fn specialist_ref(&mut self, id: &str, path: &str) -> Option<SpecialistIx> {
        let found = self.ids.specialists.get(id).copied();
        if found.is_none() {
            let hint = did_you_mean(id, self.ids.specialists.keys().map(String::as_str));
            self.d
                .error_maybe_hint(path, format!("unknown specialist \"{id}\""), hint);
        }
        found
    }

    pub(super) fn kind<T: Copy>(
        &mut self,
        value: &Option<String>,
        path: &str,
        names: &[&'static str],
        kinds: &[T],
    ) -> Option<T> {
        let text = self.required(value, path)?;
        match names.iter().position(|name| name == text) {
            Some(i) => Some(kinds[i]),
            None => {
                let hint = did_you_mean(text, names.iter().copied())
                    .unwrap_or_else(|| format!("one of {}", names.join(", ")));
                self.d
                    .error_hint(path, format!("unknown kind \"{text}\""), hint);
                None
            }
        }
    }
}
