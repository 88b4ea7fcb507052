//! The OpenAPI document (`/openapi.json`), made exact for clients generated from it
//! and checked against the running service by the contract tests
//! (service/tests/contract.rs, docs/testing.md § Contract tests).
//!
//! Each handler's `#[utoipa::path]` lists its own answers: its success body, and the
//! errors only it can give (403 for the roles it admits, 409, 503). The answers every
//! route of a kind gives are added here, once, by [`CommonResponses`]: 401 on every
//! route that needs a token, 404 on every route with a path parameter (an unknown
//! id), 400 on every route with query parameters (one that does not parse), 413 and
//! 422 on every route with a body (too large; one that does not fit its schema), and
//! the error body ([`ErrorBody`]) on every error answer. [`Links`] adds the OpenAPI
//! links from the answers that make a resource to the routes taking its id, so that
//! stateful testing (and a reader) can follow them. [`served`] writes the request
//! schemas of `requests`, the recorded examples of `examples` and the service's own
//! solve limits into the served document.

use serde_json::{Value, json};
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, PartialSchema, ToSchema};

use crate::server::config::SolverLimits;

/// Every error's body (`error.rs`): a kind and a sentence, and for some kinds more
/// fields. Further fields (`kind`, `edit`, `path`, `conflict`) may appear.
#[derive(ToSchema)]
#[schema(example = json!({"error": "not_found", "detail": "no instance \"ningde\""}))]
#[allow(dead_code)] // a schema only: ApiError builds the body as JSON
pub(crate) struct ErrorBody {
    /// A short machine-readable kind: `unauthorised`, `forbidden`, `not_found`,
    /// `bad_request`, `invalid_request`, `invalid_instance`, `invalid_roster`,
    /// `taken`, `not_published`, `storage_failed`, …
    error: String,
    /// What happened, for people.
    detail: String,
    /// 422: every problem, with its field path.
    problems: Option<Vec<Problem>>,
    /// 409 `taken` and `no_option`: what the caller may book instead (the options,
    /// or the search's answer with its reasons).
    alternatives: Option<Value>,
    /// 422 `invalid_roster`: the hard rules the roster breaks.
    #[schema(value_type = Option<Vec<Object>>)]
    violations: Option<Vec<Value>>,
}

/// One problem of a request, instance or pin list.
#[derive(ToSchema)]
#[allow(dead_code)] // a schema only: the library's diagnostics are serialised
pub(crate) struct Problem {
    /// `error` (only errors are reported).
    severity: String,
    /// The field, as a path (`requests[2].earliest`, `pins[0].room`); empty for the
    /// whole body.
    path: String,
    /// What is wrong.
    message: String,
    /// A way to fix it (a near id, a missing section).
    hint: Option<String>,
}

/// A reference to [`ErrorBody`] in the components.
fn error_content() -> Content {
    Content::new(Some(RefOr::Ref(Ref::from_schema_name("ErrorBody"))))
}

/// Adds the responses every route of a kind gives (see the module docs), and the
/// error body to every error response that has no content of its own.
pub(super) struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components
            .schemas
            .insert("ErrorBody".to_string(), ErrorBody::schema());
        components
            .schemas
            .insert("Problem".to_string(), Problem::schema());
        for item in openapi.paths.paths.values_mut() {
            for operation in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                add_common(operation);
            }
        }
    }
}

/// Whether an operation needs a token: it inherits the document's bearer requirement
/// (no `security` of its own) or names one; `security(())` (an empty requirement)
/// marks the open routes.
pub(crate) fn needs_token(operation: &Operation) -> bool {
    match &operation.security {
        None => true,
        Some(requirements) => requirements
            .iter()
            .all(|r| serde_json::to_value(r).is_ok_and(|v| v != json!({}))),
    }
}

fn add_common(operation: &mut Operation) {
    let parameters = operation.parameters.as_deref().unwrap_or_default();
    let has = |place: ParameterIn| parameters.iter().any(|p| p.parameter_in == place);
    let (path, query) = (has(ParameterIn::Path), has(ParameterIn::Query));
    let mut common: Vec<(&str, &str)> = Vec::new();
    if needs_token(operation) {
        common.push(("401", "no bearer token, or one the service does not know"));
    }
    if path {
        common.push(("404", "no resource with that id (`not_found`)"));
    }
    if query {
        common.push((
            "400",
            "a query parameter that does not parse (`bad_request`)",
        ));
    }
    if operation.request_body.is_some() {
        common.push((
            "413",
            "the body is larger than the service's `max_body_bytes`",
        ));
        common.push((
            "422",
            "the body does not fit its schema (`invalid_request`, with `problems`)",
        ));
    }
    let responses = &mut operation.responses.responses;
    for (status, description) in common {
        responses
            .entry(status.to_string())
            .or_insert_with(|| ResponseBuilder::new().description(description).into());
    }
    for (status, response) in responses.iter_mut() {
        if let (true, RefOr::T(response)) = (status.as_str() >= "400", response)
            && response.content.is_empty()
        {
            response
                .content
                .insert("application/json".to_string(), error_content());
        }
    }
}

/// One link: from the `status` answer of `from` (`METHOD PATH`) to the operation
/// `to`, its parameters taken from the answer (`$response.body#/id`) or the request.
struct LinkSpec {
    from: (&'static str, &'static str),
    status: &'static str,
    name: &'static str,
    to: &'static str,
    parameters: &'static [(&'static str, &'static str)],
}

/// The links: each answer that makes (or names) a resource, to the routes taking it.
const LINKS: &[LinkSpec] = &[
    // An uploaded instance.
    LinkSpec {
        from: ("post", "/instances"),
        status: "201",
        name: "GetInstance",
        to: "get_instance",
        parameters: &[("id", "$response.body#/id")],
    },
    LinkSpec {
        from: ("post", "/instances"),
        status: "201",
        name: "GetPins",
        to: "get_pins",
        parameters: &[("id", "$response.body#/id")],
    },
    LinkSpec {
        from: ("post", "/instances"),
        status: "201",
        name: "StartSolve",
        to: "start_solve",
        parameters: &[("id", "$response.body#/id")],
    },
    LinkSpec {
        from: ("post", "/instances"),
        status: "201",
        name: "UploadRoster",
        to: "upload_roster",
        parameters: &[("id", "$response.body#/id")],
    },
    LinkSpec {
        from: ("post", "/instances"),
        status: "201",
        name: "ListFeedKeys",
        to: "list_feed_keys",
        parameters: &[("id", "$response.body#/id")],
    },
    // A solve job.
    LinkSpec {
        from: ("post", "/instances/{id}/solves"),
        status: "202",
        name: "GetSolve",
        to: "get_solve",
        parameters: &[("job", "$response.body#/job")],
    },
    LinkSpec {
        from: ("post", "/instances/{id}/solves"),
        status: "202",
        name: "CancelSolve",
        to: "cancel_solve",
        parameters: &[("job", "$response.body#/job")],
    },
    // A stored roster.
    LinkSpec {
        from: ("post", "/instances/{id}/rosters"),
        status: "201",
        name: "GetRoster",
        to: "get_roster",
        parameters: &[("id", "$response.body#/roster_id")],
    },
    LinkSpec {
        from: ("post", "/instances/{id}/rosters"),
        status: "201",
        name: "PublishRoster",
        to: "publish_roster",
        parameters: &[("id", "$response.body#/roster_id")],
    },
    LinkSpec {
        from: ("post", "/instances/{id}/rosters"),
        status: "201",
        name: "EditRoster",
        to: "edit_roster",
        parameters: &[("id", "$response.body#/roster_id")],
    },
    LinkSpec {
        from: ("post", "/instances/{id}/rosters"),
        status: "201",
        name: "ExportRoster",
        to: "export_roster",
        parameters: &[("id", "$response.body#/roster_id")],
    },
    // A draft.
    LinkSpec {
        from: ("post", "/rosters/{id}/edits"),
        status: "201",
        name: "GetDraft",
        to: "get_roster",
        parameters: &[("id", "$response.body#/roster_id")],
    },
    // A publication: the instance's call-centre routes.
    LinkSpec {
        from: ("post", "/rosters/{id}/publish"),
        status: "201",
        name: "GetPublishedInstance",
        to: "get_instance",
        parameters: &[("id", "$response.body#/instance_id")],
    },
    LinkSpec {
        from: ("post", "/rosters/{id}/publish"),
        status: "201",
        name: "ListBookings",
        to: "list_bookings",
        parameters: &[("id", "$response.body#/instance_id")],
    },
    LinkSpec {
        from: ("post", "/rosters/{id}/publish"),
        status: "201",
        name: "ListWaitlist",
        to: "list_waitlist",
        parameters: &[("id", "$response.body#/instance_id")],
    },
    LinkSpec {
        from: ("post", "/rosters/{id}/publish"),
        status: "201",
        name: "ListOffers",
        to: "list_offers",
        parameters: &[("id", "$response.body#/instance_id")],
    },
    // A booking.
    LinkSpec {
        from: ("post", "/instances/{id}/bookings"),
        status: "201",
        name: "CancelBooking",
        to: "cancel_booking",
        parameters: &[
            ("id", "$request.path.id"),
            ("booking", "$response.body#/booking/id"),
        ],
    },
    // A trip.
    LinkSpec {
        from: ("post", "/instances/{id}/trips"),
        status: "201",
        name: "CancelTrip",
        to: "cancel_trip",
        parameters: &[
            ("id", "$request.path.id"),
            ("trip", "$response.body#/bundle"),
        ],
    },
    // Offers of freed places: the first listed.
    LinkSpec {
        from: ("get", "/instances/{id}/offers"),
        status: "200",
        name: "AcceptOffer",
        to: "accept_offer",
        parameters: &[
            ("id", "$request.path.id"),
            ("offer", "$response.body#/0/id"),
        ],
    },
    LinkSpec {
        from: ("get", "/instances/{id}/offers"),
        status: "200",
        name: "DeclineOffer",
        to: "decline_offer",
        parameters: &[
            ("id", "$request.path.id"),
            ("offer", "$response.body#/0/id"),
        ],
    },
    // A waitlist entry.
    LinkSpec {
        from: ("post", "/instances/{id}/waitlist"),
        status: "201",
        name: "LeaveWaitlist",
        to: "leave_waitlist",
        parameters: &[("id", "$request.path.id"), ("entry", "$response.body#/id")],
    },
    // A feed key.
    LinkSpec {
        from: ("post", "/instances/{id}/feed-keys"),
        status: "201",
        name: "RevokeFeedKey",
        to: "revoke_feed_key",
        parameters: &[("id", "$response.body#/id")],
    },
    // A what-if job.
    LinkSpec {
        from: ("post", "/instances/{id}/whatif/jobs"),
        status: "202",
        name: "GetWhatIfJob",
        to: "get_whatif_job",
        parameters: &[("job", "$response.body#/job")],
    },
    LinkSpec {
        from: ("post", "/instances/{id}/whatif/jobs"),
        status: "202",
        name: "CancelWhatIfJob",
        to: "cancel_whatif_job",
        parameters: &[("job", "$response.body#/job")],
    },
    // A repair's roster.
    LinkSpec {
        from: ("post", "/instances/{id}/repairs"),
        status: "201",
        name: "GetRepairedRoster",
        to: "get_roster",
        parameters: &[("id", "$response.body#/roster_id")],
    },
];

/// Adds [`LINKS`] to the document.
pub(super) struct Links;

impl Modify for Links {
    fn modify(&self, openapi: &mut OpenApi) {
        for spec in LINKS {
            let (method, path) = spec.from;
            let operation = openapi
                .paths
                .paths
                .get_mut(path)
                .and_then(|item| match method {
                    "get" => item.get.as_mut(),
                    "post" => item.post.as_mut(),
                    "put" => item.put.as_mut(),
                    _ => item.delete.as_mut(),
                });
            let Some(RefOr::T(response)) =
                operation.and_then(|operation| operation.responses.responses.get_mut(spec.status))
            else {
                panic!(
                    "link {}: no {} answer of {method} {path}",
                    spec.name, spec.status
                );
            };
            let mut link = utoipa::openapi::link::LinkBuilder::new().operation_id(spec.to);
            for (name, value) in spec.parameters {
                link = link.parameter(*name, *value);
            }
            response
                .links
                .insert(spec.name.to_string(), link.build().into());
        }
    }
}

/// The document as `/openapi.json` serves it: the request schemas utoipa cannot hold
/// (`requests::written`) put in, and this service's solve limits.
pub(crate) fn served(openapi: &OpenApi, limits: &SolverLimits) -> Value {
    let mut document = serde_json::to_value(openapi).expect("the OpenAPI document serialises");
    for (name, schema) in super::requests::written() {
        document["components"]["schemas"][name] = schema;
    }
    fix_link_keys(&mut document);
    super::examples::add_examples(&mut document);
    fit_to_config(&mut document, limits);
    document
}

/// utoipa 5.5 writes a link's `operationId` and `requestBody` as `operation_id` and
/// `request_body` (its `Link` lacks camelCase renaming): what OpenAPI readers look for.
fn fix_link_keys(document: &mut Value) {
    let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    let links = paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut())
        .filter_map(|operation| operation.get_mut("responses")?.as_object_mut())
        .flat_map(|responses| responses.values_mut())
        .filter_map(|response| response.get_mut("links")?.as_object_mut())
        .flat_map(|links| links.values_mut())
        .filter_map(Value::as_object_mut);
    for link in links {
        for (from, to) in [
            ("operation_id", "operationId"),
            ("request_body", "requestBody"),
        ] {
            if let Some(value) = link.remove(from) {
                link.insert(to.to_string(), value);
            }
        }
    }
}

/// Every `time_limit` property gets the config's `max_time_limit` as its maximum (the
/// handlers refuse more).
fn fit_to_config(document: &mut Value, limits: &SolverLimits) {
    fn walk(value: &mut Value, max: f64) {
        match value {
            Value::Object(map) => {
                if let Some(Value::Object(limit)) = map
                    .get_mut("properties")
                    .and_then(|p| p.get_mut("time_limit"))
                {
                    limit.insert("maximum".to_string(), json!(max));
                }
                map.values_mut().for_each(|v| walk(v, max));
            }
            Value::Array(items) => items.iter_mut().for_each(|v| walk(v, max)),
            _ => {}
        }
    }
    walk(document, limits.max_time_limit);
}

/// The operations of the document, as (`METHOD PATH`, operation), for the checks.
#[cfg(test)]
pub(crate) fn operations(openapi: &OpenApi) -> std::collections::BTreeMap<String, &Operation> {
    let mut all = std::collections::BTreeMap::new();
    for (path, item) in &openapi.paths.paths {
        for (method, operation) in [
            ("GET", &item.get),
            ("PUT", &item.put),
            ("POST", &item.post),
            ("DELETE", &item.delete),
        ] {
            if let Some(operation) = operation {
                all.insert(format!("{method} {path}"), operation);
            }
        }
    }
    all
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn document() -> OpenApi {
        super::super::document(super::super::router()).1
    }

    pub(crate) fn json_document() -> Value {
        served(
            &document(),
            &crate::server::config::Config::default().solver,
        )
    }

    #[test]
    fn every_route_needing_a_token_lists_401_and_every_answer_has_a_schema() {
        let openapi = document();
        let all = operations(&openapi);
        assert!(all.len() >= 36, "{} operations", all.len());
        let open: Vec<&String> = all
            .iter()
            .filter(|(_, operation)| !needs_token(operation))
            .map(|(name, _)| name)
            .collect();
        assert_eq!(
            open,
            [
                "GET /calendars/boards/{file}",
                "GET /calendars/sites/{file}",
                "GET /calendars/specialists/{file}",
                "GET /healthz"
            ],
            "only the health check and the calendar feeds are open"
        );
        for (name, operation) in &all {
            let responses = &operation.responses.responses;
            if needs_token(operation) {
                assert!(responses.contains_key("401"), "{name} does not list 401");
            }
            assert!(
                responses.keys().any(|status| status.starts_with('2')),
                "{name} lists no success"
            );
            for (status, response) in responses {
                let RefOr::T(response) = response else {
                    panic!("{name} {status}: a reference");
                };
                assert!(!response.content.is_empty(), "{name} {status}: no body");
                for (media, content) in &response.content {
                    assert!(
                        content.schema.is_some(),
                        "{name} {status} {media}: no schema"
                    );
                }
                if status.as_str() >= "400" {
                    let body = serde_json::to_value(&response.content["application/json"])
                        .expect("serialises");
                    assert_eq!(
                        body["schema"]["$ref"], "#/components/schemas/ErrorBody",
                        "{name} {status}"
                    );
                }
            }
        }
    }

    #[test]
    fn routes_with_an_id_list_404_and_routes_with_a_body_list_413_and_422() {
        let openapi = document();
        for (name, operation) in operations(&openapi) {
            let responses = &operation.responses.responses;
            if name.contains('{') {
                assert!(responses.contains_key("404"), "{name} does not list 404");
            }
            if operation.request_body.is_some() {
                for status in ["413", "422"] {
                    assert!(
                        responses.contains_key(status),
                        "{name} does not list {status}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_link_leads_to_an_operation_and_fills_its_path_parameters() {
        let document = json_document();
        let mut by_id = BTreeMap::new();
        for (path, item) in document["paths"].as_object().expect("paths") {
            for (_, operation) in item.as_object().expect("item") {
                by_id.insert(
                    operation["operationId"].as_str().expect("id").to_string(),
                    path.clone(),
                );
            }
        }
        for spec in LINKS {
            let path = by_id
                .get(spec.to)
                .unwrap_or_else(|| panic!("link {}: no operation {}", spec.name, spec.to));
            let mut wanted: Vec<&str> = path
                .split('/')
                .filter_map(|part| part.strip_prefix('{')?.strip_suffix('}'))
                .collect();
            let mut given: Vec<&str> = spec.parameters.iter().map(|(name, _)| *name).collect();
            wanted.sort_unstable();
            given.sort_unstable();
            assert_eq!(given, wanted, "link {} to {path}", spec.name);
            let (method, from) = spec.from;
            let link =
                &document["paths"][from][method]["responses"][spec.status]["links"][spec.name];
            assert_eq!(link["operationId"], spec.to, "link {}", spec.name);
        }
    }

    #[test]
    fn the_served_document_takes_the_configs_time_limit() {
        let limits = SolverLimits {
            max_time_limit: 42.0,
            ..crate::server::config::Config::default().solver
        };
        let document = served(&document(), &limits);
        let schemas = &document["components"]["schemas"];
        for body in ["SolveBody", "WhatIfBody", "WhatIfJobBody", "RepairBody"] {
            let limit = &schemas[body]["properties"]["time_limit"];
            assert_eq!(limit["maximum"], 42.0, "{body}: {limit}");
            assert_eq!(limit["exclusiveMinimum"], 0.0, "{body}: {limit}");
        }
    }

    #[test]
    fn a_booking_needs_a_patient_and_what_it_asks_for_and_a_search_no_patient() {
        let document = json_document();
        let schemas = &document["components"]["schemas"];
        let body = |path: &str| {
            let reference = document["paths"][path]["post"]["requestBody"]["content"]
                ["application/json"]["schema"]["$ref"]
                .as_str()
                .unwrap_or_else(|| panic!("{path}: no schema reference"))
                .rsplit('/')
                .next()
                .expect("a name")
                .to_string();
            schemas[&reference].clone()
        };
        for path in ["/instances/{id}/bookings", "/instances/{id}/waitlist"] {
            let rules = &body(path)["allOf"][1];
            assert_eq!(rules["required"], json!(["patient"]), "{path}");
            assert_eq!(rules["properties"]["patient"]["pattern"], r"\S", "{path}");
            let asks: Vec<&Value> = rules["anyOf"]
                .as_array()
                .map(|branches| branches.iter().map(|b| &b["required"][0]).collect())
                .unwrap_or_default();
            assert_eq!(
                asks,
                ["specialist", "discipline", "resource", "resource_kind"],
                "{path}"
            );
        }
        let search = body("/instances/{id}/search");
        assert!(search["allOf"][1].get("required").is_none(), "{search}");
        assert_eq!(
            search["allOf"][0]["$ref"],
            "#/components/schemas/RequestBody"
        );
        let session = document["paths"]["/instances/{id}/bookings"]["get"]["parameters"]
            .as_array()
            .expect("parameters")
            .iter()
            .find(|p| p["name"] == "session")
            .expect("a session filter")
            .clone();
        assert_eq!(
            session["schema"]["pattern"],
            super::super::requests::SESSION_REF_PATTERN,
            "the filter's pattern is the booking option's"
        );
        let request = &schemas["RequestBody"];
        assert_eq!(request["additionalProperties"], false, "{request}");
        assert_eq!(
            request["properties"]["earliest"]["format"], "date",
            "{request}"
        );
    }
}
