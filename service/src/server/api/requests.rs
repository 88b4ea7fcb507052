//! Request schemas for the OpenAPI document where one Rust type serves several routes
//! with different rules, or a rule spans fields: the call centre's request
//! (`booking::RequestBody`) as searched (any patient) and as booked or waitlisted (a
//! patient required), each naming a specialist, a discipline or a resource. They refer to the
//! derived `RequestBody` schema and add what only the handler checked before; the
//! handlers still check it all (a rule the schema cannot say — an id the instance
//! does not have, a window that ends before it starts — is the documented 422). Also
//! the bodies of library types: pins, edits, scenarios. utoipa's schema model cannot
//! hold all of these, so they are written as JSON ([`written`]) into the served
//! document (`openapi::served`).

use serde_json::{Value, json};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

/// A `SESSION` reference, `SPECIALIST@YYYY-MM-DD:SESSION`, with a real calendar date
/// (29 February aside, which the service takes in leap years and the pattern never).
pub(crate) const SESSION_REF_PATTERN: &str = concat!(
    r"^[^@]+@[0-9]{4}-",
    r"((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31)",
    r":[^@]+$"
);

/// What utoipa holds for each schema here until the served document gets the real one
/// ([`written`]): its schema model cannot say every combination JSON Schema can (a
/// `$ref` with `anyOf` and `required` beside it).
fn placeholder() -> RefOr<Schema> {
    utoipa::openapi::ObjectBuilder::new()
        .description(Some("written into the served document by api::requests"))
        .into()
}

/// Every schema of this module, by its name in the document's components.
pub(crate) fn written() -> [(String, Value); 6] {
    [
        (SearchRequest::name().into_owned(), SearchRequest::json()),
        (BookingRequest::name().into_owned(), BookingRequest::json()),
        (PinEntry::name().into_owned(), PinEntry::json()),
        (EditSchema::name().into_owned(), EditSchema::json()),
        (ScenarioSchema::name().into_owned(), ScenarioSchema::json()),
        (FeedKeyTarget::name().into_owned(), FeedKeyTarget::json()),
    ]
}

/// The rules common to a search and a booking, on top of `RequestBody`.
fn request_rules(patient_required: bool) -> Value {
    let mut rules = json!({
        "properties": {
            "priority": { "minimum": 1, "maximum": 5 },
            "sites": { "uniqueItems": true },
            "option": { "pattern": SESSION_REF_PATTERN },
        },
        // A specialist, a discipline, or both (the discipline must then be the
        // specialist's, or a substitute's); or a resource (by id or by kind).
        "anyOf": [
            { "required": ["specialist"], "properties": { "specialist": { "type": "string" } } },
            { "required": ["discipline"], "properties": { "discipline": { "type": "string" } } },
            { "required": ["resource"], "properties": { "resource": { "type": "string" } } },
            { "required": ["resource_kind"], "properties": { "resource_kind": { "type": "string" } } },
        ],
    });
    if patient_required {
        rules["required"] = json!(["patient"]);
        // Not blank: some character other than white space.
        rules["properties"]["patient"] = json!({ "type": "string", "pattern": r"\S" });
    }
    json!({ "allOf": [{ "$ref": "#/components/schemas/RequestBody" }, rules] })
}

/// A search: what the patient asks for; the patient may be left out.
pub(crate) struct SearchRequest;

impl SearchRequest {
    /// The schema, as the served document has it.
    pub(crate) fn json() -> Value {
        request_rules(false)
    }
}

impl PartialSchema for SearchRequest {
    fn schema() -> RefOr<Schema> {
        placeholder()
    }
}

impl ToSchema for SearchRequest {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((
            "RequestBody".to_string(),
            super::booking::RequestBody::schema(),
        ));
    }
}

/// A booking or a waitlist entry: what the patient asks for, the patient named.
pub(crate) struct BookingRequest;

impl BookingRequest {
    /// The schema, as the served document has it.
    pub(crate) fn json() -> Value {
        request_rules(true)
    }
}

impl PartialSchema for BookingRequest {
    fn schema() -> RefOr<Schema> {
        placeholder()
    }
}

impl ToSchema for BookingRequest {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        SearchRequest::schemas(schemas);
    }
}

/// The fields of a `[[pins]]` entry (`houniao::instance::raw::RawPin`,
/// docs/format.md § Pins): strings, and the flags.
const PIN_FIELDS: [(&str, &str); 19] = [
    ("id", "string"),
    ("note", "string"),
    ("forbid", "boolean"),
    ("specialist", "string"),
    ("date", "string"),
    ("session", "string"),
    ("activity", "string"),
    ("site", "string"),
    ("room", "string"),
    ("discipline", "string"),
    ("studio", "string"),
    ("role", "string"),
    ("board", "string"),
    ("remote", "boolean"),
    ("surgery", "string"),
    ("surgeon", "string"),
    ("start", "string"),
    ("request", "string"),
    ("substitute", "boolean"),
];

/// One `[[pins]]` entry: any subset of a roster entry's fields, with `id`, `note`,
/// `forbid`; no other field. Whether the ids exist, the date lies in the horizon and
/// the entry names something the roster can hold is checked with the instance (the
/// 422 `invalid_pins`).
pub(crate) struct PinEntry;

impl PinEntry {
    /// The schema, as the served document has it.
    pub(crate) fn json() -> Value {
        let properties: serde_json::Map<String, Value> = PIN_FIELDS
            .iter()
            .map(|(name, kind)| {
                let schema = match *name {
                    "date" => json!({ "type": ["string", "null"], "format": "date" }),
                    _ => json!({ "type": [kind, "null"] }),
                };
                (name.to_string(), schema)
            })
            .collect();
        json!({
            "type": "object",
            "properties": properties,
            "additionalProperties": false,
        })
    }
}

impl PartialSchema for PinEntry {
    fn schema() -> RefOr<Schema> {
        placeholder()
    }
}

impl ToSchema for PinEntry {}

/// One checked edit (`houniao::edits::Edit`, tagged by `op`): which roster entry, and
/// what becomes of it. Whether the entry is in the draft and the target exists is
/// checked with the instance (the 422 `invalid_edit`).
pub(crate) struct EditSchema;

impl EditSchema {
    /// The schema, as the served document has it.
    pub(crate) fn json() -> Value {
        let entry = json!({
            "type": "object",
            "required": ["specialist", "date", "session"],
            "properties": {
                "specialist": { "type": "string" },
                "date": { "type": "string", "format": "date" },
                "session": { "type": "string" },
                "activity": { "type": ["string", "null"], "enum": ["clinic", "studio", "mdt", "surgery", null] },
            },
        });
        let target = json!({
            "type": "object",
            "properties": {
                "date": { "type": ["string", "null"], "format": "date" },
                "session": { "type": ["string", "null"] },
                "room": { "type": ["string", "null"] },
                "specialist": { "type": ["string", "null"] },
            },
        });
        let variant = |op: &str, fields: Value, required: &[&str]| {
            let mut properties = json!({ "op": { "type": "string", "enum": [op] } });
            if let (Some(all), Value::Object(fields)) = (properties.as_object_mut(), fields) {
                all.extend(fields);
            }
            let mut required: Vec<&str> = required.to_vec();
            required.insert(0, "op");
            json!({ "type": "object", "required": required, "properties": properties })
        };
        let pin = PinEntry::json();
        json!({
            "oneOf": [
                variant("move", json!({ "entry": entry, "to": target }), &["entry"]),
                variant("swap", json!({ "a": entry, "b": entry }), &["a", "b"]),
                variant("add", json!({ "assignment": { "type": "object", "description": "a roster `assignments` entry (PROBLEM.md §6)" } }), &["assignment"]),
                variant("remove", json!({ "entry": entry }), &["entry"]),
                variant("pin", json!({ "pin": pin }), &["pin"]),
                variant("unpin", json!({ "id": { "type": "string" } }), &["id"]),
            ],
        })
    }
}

impl PartialSchema for EditSchema {
    fn schema() -> RefOr<Schema> {
        placeholder()
    }
}

impl ToSchema for EditSchema {
    fn name() -> std::borrow::Cow<'static, str> {
        "Edit".into()
    }
}

/// A what-if scenario (`houniao::scenario::Scenario`, docs/whatif.md): a JSON object,
/// or the text of a scenario file (TOML or JSON). What each change names is checked
/// with the instance (the 422 `invalid_scenario`).
pub(crate) struct ScenarioSchema;

impl ScenarioSchema {
    /// The schema, as the served document has it.
    pub(crate) fn json() -> Value {
        let kinds = [
            "add_specialist",
            "remove_specialist",
            "unavailable",
            "residency",
            "add_room",
            "close_room",
            "clinic_demand",
            "mdt_meetings",
            "studio_cadence",
            "scale_requests",
            "scale_surgeries",
            "add_requests",
            "add_surgeries",
            "weights",
        ];
        json!({
            "oneOf": [
                { "type": "string", "description": "a scenario file, TOML or JSON" },
                {
                    "type": "object",
                    "required": ["name"],
                    "additionalProperties": false,
                    "properties": {
                        "name": { "type": "string" },
                        "description": { "type": "string" },
                        "seed": { "type": "integer", "minimum": 0 },
                        "changes": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["kind"],
                                "properties": { "kind": { "type": "string", "enum": kinds } },
                            },
                        },
                    },
                },
            ],
        })
    }
}

impl PartialSchema for ScenarioSchema {
    fn schema() -> RefOr<Schema> {
        placeholder()
    }
}

impl ToSchema for ScenarioSchema {
    fn name() -> std::borrow::Cow<'static, str> {
        "Scenario".into()
    }
}

/// Whose calendar a feed key opens: exactly one of a specialist, a site, a board
/// (`calendars::NewFeedKey`, with the rule the handler checks).
pub(crate) struct FeedKeyTarget;

impl FeedKeyTarget {
    /// The schema, as the served document has it.
    pub(crate) fn json() -> Value {
        let one = |field: &str| json!({ "required": [field], "properties": { field: { "type": "string" } } });
        json!({
            "allOf": [{ "$ref": "#/components/schemas/NewFeedKey" }],
            "oneOf": [one("specialist"), one("site"), one("board")],
        })
    }
}

impl PartialSchema for FeedKeyTarget {
    fn schema() -> RefOr<Schema> {
        placeholder()
    }
}

impl ToSchema for FeedKeyTarget {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((
            "NewFeedKey".to_string(),
            super::calendars::NewFeedKey::schema(),
        ));
    }
}
