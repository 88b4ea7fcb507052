//! Examples in the OpenAPI document taken from real answers: `examples.json` holds, for
//! the call centre's routes, a request the service was sent on Ningde's published
//! roster and the answer it gave, recorded by `cargo test -p houniao-service --test
//! api_examples -- --ignored record` (lists cut to their first three items). They go
//! into the served document as the operation's request and answer examples, and its
//! path parameters' examples, so that a reader sees real bodies and schemathesis's
//! examples phase sends them. The contract test checks every example against its
//! schema (service/tests/contract/examples.py).

use serde::Deserialize;
use serde_json::{Map, Value};

/// The recorded examples (see the module documentation).
pub(crate) const RECORDED: &str = include_str!("examples.json");

/// One recorded call.
#[derive(Debug, Deserialize)]
pub(crate) struct Recorded {
    /// `get`, `post`, `delete`.
    pub method: String,
    /// The document's path, with its parameters (`/instances/{id}/bookings`).
    pub path: String,
    /// The parameters' values in that call.
    #[serde(default)]
    pub parameters: Map<String, Value>,
    /// The body sent, if any.
    #[serde(default)]
    pub request: Option<Value>,
    /// The status answered.
    pub status: u16,
    /// The body answered.
    pub response: Value,
}

/// The recorded calls; none if the file does not parse (a unit test holds it to).
pub(crate) fn recorded() -> Vec<Recorded> {
    serde_json::from_str(RECORDED).unwrap_or_default()
}

/// Writes the recorded examples into the served document.
pub(crate) fn add_examples(document: &mut Value) {
    for call in recorded() {
        let Some(operation) = document
            .get_mut("paths")
            .and_then(|paths| paths.get_mut(&call.path))
            .and_then(|item| item.get_mut(&call.method))
        else {
            continue;
        };
        if let Some(content) = operation
            .pointer_mut(&format!(
                "/responses/{}/content/application~1json",
                call.status
            ))
            .and_then(Value::as_object_mut)
        {
            content.insert("example".into(), call.response.clone());
        }
        if let Some(request) = &call.request
            && let Some(content) = operation
                .pointer_mut("/requestBody/content/application~1json")
                .and_then(Value::as_object_mut)
        {
            content.insert("example".into(), request.clone());
        }
        let parameters = operation
            .get_mut("parameters")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object_mut);
        for parameter in parameters {
            let name = parameter.get("name").and_then(Value::as_str).unwrap_or("");
            if let Some(value) = call.parameters.get(name) {
                let value = value.clone();
                parameter.insert("example".into(), value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recorded_examples_parse_and_each_names_an_operation_of_the_document() {
        let calls: Vec<Recorded> = serde_json::from_str(RECORDED).expect("examples.json parses");
        assert!(calls.len() >= 8, "{} examples", calls.len());
        let document = crate::server::api::openapi::tests::json_document();
        for call in &calls {
            let operation = &document["paths"][&call.path][&call.method];
            assert!(operation.is_object(), "{} {}", call.method, call.path);
            assert!(
                operation["responses"][call.status.to_string()].is_object(),
                "{} {}: {} is not documented",
                call.method,
                call.path,
                call.status
            );
            assert!(
                operation["responses"][call.status.to_string()]["content"]["application/json"]["example"]
                    == call.response,
                "{} {}: the example is in the served document",
                call.method,
                call.path
            );
        }
    }
}
