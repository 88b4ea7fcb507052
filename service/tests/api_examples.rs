//! The OpenAPI document's examples are real answers (`service/src/server/api/examples.rs`):
//! the same calls on Ningde's published roster, made against the real server, answer
//! with the recorded status and bodies of the recorded shape (every field, nested, of
//! the same JSON type; values such as ids and times may differ). `record` (ignored)
//! writes them anew after a change of the answers:
//!
//! ```text
//! cargo test -p houniao-service --test api_examples -- --ignored record
//! ```

#[allow(dead_code)] // each test crate uses its own part of the helpers
mod common;
#[allow(dead_code)]
#[path = "common/server.rs"]
mod harness;

use serde_json::{Map, Value, json};

use harness::Server;

/// How many items of a list an example keeps.
const LIST_ITEMS: usize = 3;

/// One call: the document's path and its parameters' values.
struct Call {
    method: &'static str,
    path: &'static str,
    parameters: Map<String, Value>,
    query: String,
    request: Option<Value>,
}

impl Call {
    fn new(method: &'static str, path: &'static str, parameters: &[(&str, &str)]) -> Call {
        Call {
            method,
            path,
            parameters: parameters
                .iter()
                .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
                .collect(),
            query: String::new(),
            request: None,
        }
    }

    fn body(mut self, request: Value) -> Call {
        self.request = Some(request);
        self
    }

    fn query(mut self, name: &str, value: &str) -> Call {
        self.query = format!("?{name}={value}");
        self.parameters
            .insert(name.to_string(), Value::String(value.to_string()));
        self
    }

    fn url(&self) -> String {
        let mut path = self.path.to_string();
        for (name, value) in &self.parameters {
            path = path.replace(&format!("{{{name}}}"), value.as_str().unwrap_or(""));
        }
        format!("{path}{}", self.query)
    }
}

/// The lists of an answer cut to their first items.
fn cut(value: Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.into_iter().take(LIST_ITEMS).collect()),
        other => other,
    }
}

/// Makes the calls a call-centre client makes, in order, on a fresh server: each with
/// its status and (cut) answer, as `examples.json` records them.
fn make_calls(server: &Server, instance: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut call = |call: Call| -> Value {
        let method = call.method.to_uppercase();
        let (status, response) = server.call(
            &method,
            &call.url(),
            Some("tok-admin"),
            call.request.clone(),
        );
        assert!(
            (200..300).contains(&status),
            "{method} {}: {status} {response}",
            call.url()
        );
        let response = cut(response);
        out.push(json!({
            "method": call.method,
            "path": call.path,
            "parameters": call.parameters,
            "request": call.request,
            "status": status,
            "response": response,
        }));
        response
    };
    let id = [("id", instance)];
    let ask = json!({
        "patient": "P-1001",
        "discipline": "medical-oncology",
        "earliest": "2026-03-02",
        "latest": "2026-03-06",
    });
    call(Call::new("get", "/instances", &[]));
    let mut search = ask.clone();
    search["limit"] = json!(LIST_ITEMS);
    call(Call::new("post", "/instances/{id}/search", &id).body(search));
    let booked = call(Call::new("post", "/instances/{id}/bookings", &id).body(ask));
    let booking = booked["booking"]["id"]
        .as_str()
        .expect("a booking id")
        .to_string();
    let session = &booked["booking"]["session"];
    let option = booked["option"]["id"]
        .as_str()
        .expect("an option id")
        .to_string();
    let date = session["date"].as_str().expect("a date");
    call(
        Call::new("post", "/instances/{id}/waitlist", &id).body(json!({
            "patient": "P-1002",
            "specialist": session["specialist"],
            "earliest": date,
            "latest": date,
            "priority": 3,
        })),
    );
    call(Call::new("get", "/instances/{id}/bookings", &id).query("session", &option));
    call(Call::new("get", "/instances/{id}/waitlist", &id));
    call(Call::new(
        "delete",
        "/instances/{id}/bookings/{booking}",
        &[("id", instance), ("booking", &booking)],
    ));
    let offers = call(Call::new("get", "/instances/{id}/offers", &id));
    let offer = offers[0]["id"]
        .as_str()
        .expect("the freed place offered to P-1002")
        .to_string();
    call(Call::new(
        "post",
        "/instances/{id}/offers/{offer}/decline",
        &[("id", instance), ("offer", &offer)],
    ));
    call(Call::new("get", "/audit", &[]));
    out
}

fn ningde_server(dir: &std::path::Path) -> (Server, String) {
    let server = Server::start_in(dir, "");
    let id = server.publish_roster(
        "instances/ningde-regional.toml",
        "instances/rosters/ningde-regional.roster.json",
        None,
    );
    (server, id)
}

/// A value's shape: its JSON type, and for objects each field's shape, for lists the
/// shape of each item.
fn shape(value: &Value) -> Value {
    match value {
        Value::Null => json!("null"),
        Value::Bool(_) => json!("boolean"),
        Value::Number(_) => json!("number"),
        Value::String(_) => json!("string"),
        Value::Array(items) => Value::Array(items.iter().map(shape).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(name, value)| (name.clone(), shape(value)))
                .collect(),
        ),
    }
}

fn examples_file() -> std::path::PathBuf {
    common::root().join("service/src/server/api/examples.json")
}

#[test]
fn the_documents_examples_are_what_the_service_answers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (server, id) = ningde_server(dir.path());
    let live = make_calls(&server, &id);
    let recorded: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(examples_file()).expect("examples.json"))
            .expect("examples.json parses");
    assert_eq!(
        recorded.len(),
        live.len(),
        "record the examples anew (see the module documentation)"
    );
    for (recorded, live) in recorded.iter().zip(&live) {
        let what = format!("{} {}", recorded["method"], recorded["path"]);
        assert_eq!(recorded["status"], live["status"], "{what}");
        assert_eq!(recorded["request"], live["request"], "{what}");
        assert_eq!(
            shape(&recorded["response"]),
            shape(&live["response"]),
            "{what}: the answer changed shape; record the examples anew (see the module documentation)"
        );
    }
    // And the served document carries them.
    let (status, document) = server.call("GET", "/openapi.json", None, None);
    assert_eq!(status, 200);
    for recorded in &recorded {
        let path = recorded["path"].as_str().unwrap_or_default();
        let method = recorded["method"].as_str().unwrap_or_default();
        let answer = &document["paths"][path][method]["responses"][recorded["status"].to_string()]
            ["content"]["application/json"]["example"];
        assert_eq!(answer, &recorded["response"], "{method} {path}");
    }
}

#[test]
#[ignore = "writes service/src/server/api/examples.json; run after a change of the answers"]
fn record() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (server, id) = ningde_server(dir.path());
    let calls = make_calls(&server, &id);
    let text = serde_json::to_string_pretty(&calls).expect("serialises") + "\n";
    std::fs::write(examples_file(), text).expect("writes examples.json");
}
