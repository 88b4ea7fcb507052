//! `[[resources]]` and the `[[requests]]` that ask for one (`resource` or
//! `resource_kind`): ids distinct from specialists', sites and sessions known, places in
//! range, a request asking for one thing only.

use crate::diagnostics::did_you_mean;
use crate::instance::raw::{RawRequest, RawResource};
use crate::resources::{Resource, ResourceIx, ResourceRequest, ResourceTarget};

use super::{Builder, MAX_CAPACITY, at};

impl Builder {
    pub(super) fn resources(&mut self, raw: &[RawResource]) -> Vec<Resource> {
        let every_session: Vec<usize> = (0..self.calendar.sessions().len()).collect();
        raw.iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let path = |field| at("resources", i, field);
                let id = self.required_text(&r.id, &path("id"));
                if let Some(id) = &id
                    && self.ids.specialists.contains_key(id)
                {
                    self.d.error_hint(
                        path("id"),
                        format!("\"{id}\" is also a specialist's id"),
                        "a session id names its holder, so resources and specialists need distinct ids",
                    );
                }
                let name = r.name.clone().or_else(|| id.clone());
                let site = self.required_site(&r.site, &path("site"));
                let kind = self.required_text(&r.kind, &path("kind"));
                let sessions = match &r.sessions {
                    None => every_session.clone(),
                    Some(ids) if ids.is_empty() => {
                        self.d.error_hint(
                            path("sessions"),
                            "no sessions",
                            "leave the field out for every session of the day",
                        );
                        Vec::new()
                    }
                    Some(ids) => self.session_ids(ids, &path("sessions")),
                };
                let places = self.integer(r.places, &path("places"), 1, MAX_CAPACITY, None);
                let unavailable = self.slot_set(&r.unavailable, &path("unavailable"));
                Some(Resource {
                    id: id?,
                    name: name?,
                    site: site?,
                    kind: kind?,
                    sessions,
                    places: places?,
                    unavailable,
                })
            })
            .collect()
    }

    /// The request at `i` of the file, which asks for a resource.
    pub(super) fn resource_request(
        &mut self,
        i: usize,
        r: &RawRequest,
        resources: &[Resource],
    ) -> Option<ResourceRequest> {
        let path = |field| at("requests", i, field);
        for (field, given) in [
            ("specialist", r.specialist.is_some()),
            ("discipline", r.discipline.is_some()),
            ("substitute_ok", r.substitute_ok.is_some()),
        ] {
            if given {
                self.d.error_hint(
                    path(field),
                    format!("a request for a resource has no {field}"),
                    "a request asks for a specialist or discipline, or for a resource, not both",
                );
            }
        }
        let patient = self.required_text(&r.patient, &path("patient"));
        let target = match (&r.resource, &r.resource_kind) {
            (Some(_), Some(_)) => {
                self.d.error_hint(
                    path("resource_kind"),
                    "a request names a resource or a resource kind, not both",
                    "keep one of `resource` and `resource_kind`",
                );
                None
            }
            (Some(id), None) => match resources.iter().position(|x| x.id == *id) {
                Some(ix) => Some(ResourceTarget::Resource(ResourceIx(ix))),
                None => {
                    self.d.error_maybe_hint(
                        path("resource"),
                        format!("unknown resource \"{id}\""),
                        did_you_mean(id, resources.iter().map(|x| x.id.as_str())),
                    );
                    None
                }
            },
            (None, Some(kind)) => {
                if resources.iter().any(|x| x.kind == *kind) {
                    Some(ResourceTarget::Kind(kind.clone()))
                } else {
                    let mut kinds: Vec<&str> = resources.iter().map(|x| x.kind.as_str()).collect();
                    kinds.sort_unstable();
                    kinds.dedup();
                    self.d.error_maybe_hint(
                        path("resource_kind"),
                        format!("no resource is of kind \"{kind}\""),
                        did_you_mean(kind, kinds.iter().copied()),
                    );
                    None
                }
            }
            (None, None) => None,
        };
        let shared = self.request_shared(i, r);
        Some(ResourceRequest {
            id: r.id.clone()?,
            patient: patient?,
            target: target?,
            sites: shared.sites,
            earliest: shared.earliest?,
            latest: shared.latest?,
            priority: shared.priority?,
            referred_by: shared.referred_by?,
        })
    }
}
