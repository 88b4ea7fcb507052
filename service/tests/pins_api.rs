//! Pins and re-planning over HTTP, on the real server: `GET`/`PUT /instances/{id}/pins`
//! (validation with field paths, roles, the audit log, later solves meeting the pins,
//! pins kept across a restart, a conflict failing the solve job) and
//! `POST /instances/{id}/repairs` (the frozen past kept byte for byte, the live ledger
//! re-booked, the repaired roster stored unpublished, every error kind).

#[allow(dead_code)] // each test crate uses its own part of the helpers
mod common;
#[allow(dead_code)]
#[path = "common/server.rs"]
mod harness;

use serde_json::{Value, json};

use common::root;
use harness::Server;

/// The pin of docs/format.md: the breast MDT meets on Thursday afternoon.
fn thursday_mdt() -> Value {
    json!({
        "id": "mdt-thursday",
        "note": "the pathologist dials in on Thursdays",
        "activity": "mdt",
        "board": "breast-mdt",
        "date": "2026-03-05",
        "session": "pm",
    })
}

fn upload_example(server: &Server) -> String {
    let example =
        std::fs::read_to_string(root().join("instances/example-week.toml")).expect("example");
    let (status, body) = server.upload("tok-scheduler", &example);
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().expect("id").to_string()
}

/// The MDT places of a roster: (specialist, date, session).
fn mdt_places(roster: &Value) -> Vec<(String, String, String)> {
    roster["assignments"]
        .as_array()
        .expect("assignments")
        .iter()
        .filter(|a| a["board"] == "breast-mdt")
        .map(|a| {
            let text = |k: &str| a[k].as_str().unwrap_or_default().to_string();
            (text("specialist"), text("date"), text("session"))
        })
        .collect()
}

fn audit(server: &Server, action: &str) -> Vec<Value> {
    let (status, entries) = server.call("GET", "/audit?limit=1000", Some("tok-admin"), None);
    assert_eq!(status, 200, "{entries}");
    entries
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["action"] == action)
        .cloned()
        .collect()
}

#[test]
fn pins_are_validated_stored_audited_and_met_by_later_solves() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let id = upload_example(&server);
    let pins = format!("/instances/{id}/pins");

    let (status, listed) = server.call("GET", &pins, Some("tok-viewer"), None);
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed["source"], "file");
    assert_eq!(listed["pins"], json!([]));

    // Reading is for everyone, replacing for schedulers.
    for token in ["tok-viewer", "tok-agent", "tok-planner"] {
        let (status, answer) =
            server.call("PUT", &pins, Some(token), Some(json!([thursday_mdt()])));
        assert_eq!(
            (status, answer["error"].as_str()),
            (403, Some("forbidden")),
            "{token}"
        );
    }
    let (status, _) = server.call("PUT", &pins, None, Some(json!([])));
    assert_eq!(status, 401);

    // Every problem at once, each with its field path.
    let (status, invalid) = server.call(
        "PUT",
        &pins,
        Some("tok-scheduler"),
        Some(json!([
            { "activity": "mdt", "board": "breast-mdt" },
            { "specialist": "liu-jnu", "room": "or-9" },
            { "room": "mdt-1", "activity": "clinic" },
            { "date": "2026-03-09" },
            { "id": "dup", "date": "2026-03-03" },
            { "id": "dup", "date": "2026-03-04" },
        ])),
    );
    assert_eq!(status, 422, "{invalid}");
    assert_eq!(invalid["error"], "invalid_pins");
    let paths: Vec<&str> = invalid["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| p["path"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        paths,
        [
            "pins[1].specialist",
            "pins[1].room",
            "pins[2].room",
            "pins[3].date",
            "pins[5].id"
        ],
        "{invalid}"
    );
    assert_eq!(invalid["problems"][0]["hint"], "did you mean \"liu-jun\"?");
    // Fields no pin has and values of the wrong type are named too, along with what
    // the other pins get wrong.
    let (status, invalid) = server.call(
        "PUT",
        &pins,
        Some("tok-scheduler"),
        Some(json!([
            { "specalist": "liu-jun" },
            { "remote": "yes" },
            "mdt",
            { "date": "2026-03-09" },
        ])),
    );
    assert_eq!(status, 422, "{invalid}");
    let paths: Vec<&str> = invalid["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| p["path"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        paths,
        [
            "pins[0].specalist",
            "pins[0]",
            "pins[1].remote",
            "pins[2]",
            "pins[3].date"
        ],
        "{invalid}"
    );
    let (status, invalid) = server.call("PUT", &pins, Some("tok-scheduler"), Some(json!({})));
    assert_eq!(
        (status, invalid["error"].as_str()),
        (422, Some("invalid_request"))
    );
    // Nothing was stored by the refused calls.
    let (_, listed) = server.call("GET", &pins, Some("tok-viewer"), None);
    assert_eq!(
        (listed["source"].as_str(), &listed["pins"]),
        (Some("file"), &json!([]))
    );

    let (status, replaced) = server.call(
        "PUT",
        &pins,
        Some("tok-scheduler"),
        Some(json!([thursday_mdt(), { "forbid": true, "room": "or-2", "date": "2026-03-06" }])),
    );
    assert_eq!(status, 200, "{replaced}");
    assert_eq!(
        replaced["added"].as_array().map(Vec::len),
        Some(2),
        "{replaced}"
    );
    assert_eq!(replaced["removed"], json!([]));
    let (status, listed) = server.call("GET", &pins, Some("tok-viewer"), None);
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed["source"], "api");
    assert_eq!(listed["updated_by"], "scheduler-user");
    // Each pin as sent, with its id: its own, or its position.
    let forbid = json!({ "id": "1", "forbid": true, "room": "or-2", "date": "2026-03-06" });
    assert_eq!(listed["pins"], json!([thursday_mdt(), forbid]));

    // The audit log says who pinned what.
    let replaced = audit(&server, "pins.replace");
    assert_eq!(replaced.len(), 1, "{replaced:?}");
    assert_eq!(replaced[0]["actor"], "scheduler-user");
    assert_eq!(replaced[0]["target"], id.as_str());
    let detail = replaced[0]["detail"].as_str().expect("detail");
    assert!(
        detail.starts_with("added: pin mdt-thursday [date = \"2026-03-05\", session = \"pm\", activity = \"mdt\", board = \"breast-mdt\"]"),
        "{detail}"
    );
    assert!(detail.ends_with("removed: none"), "{detail}");

    // The next solve meets the pins: the MDT moves from Tuesday to Thursday afternoon.
    let solve = server.solve(&id);
    assert_eq!(solve["status"], "done", "{solve}");
    let roster_id = solve["roster_id"].as_str().expect("roster");
    let (_, roster) = server.call(
        "GET",
        &format!("/rosters/{roster_id}"),
        Some("tok-viewer"),
        None,
    );
    let places = mdt_places(&roster);
    assert_eq!(places.len(), 4, "{places:?}");
    assert!(
        places
            .iter()
            .all(|(_, date, session)| date == "2026-03-05" && session == "pm"),
        "{places:?}"
    );
    assert!(roster["objective"].as_f64() >= Some(60.0));

    // Stored: after a restart the pins hold still.
    drop(server);
    let server = Server::start_in(dir.path(), "");
    let (_, listed) = server.call("GET", &pins, Some("tok-viewer"), None);
    assert_eq!(listed["pins"][0]["id"], "mdt-thursday", "{listed}");
    let solve = server.solve(&id);
    let roster_id = solve["roster_id"].as_str().expect("roster");
    let (_, roster) = server.call(
        "GET",
        &format!("/rosters/{roster_id}"),
        Some("tok-viewer"),
        None,
    );
    assert!(
        mdt_places(&roster)
            .iter()
            .all(|(_, date, _)| date == "2026-03-05")
    );

    // `[]` removes them all, and the audit line lists what went.
    let (status, cleared) = server.call("PUT", &pins, Some("tok-scheduler"), Some(json!([])));
    assert_eq!(status, 200, "{cleared}");
    assert_eq!(cleared["removed"].as_array().map(Vec::len), Some(2));
    let replaced = audit(&server, "pins.replace");
    let detail = replaced[1]["detail"].as_str().expect("detail");
    assert!(
        detail.starts_with("added: none; removed: pin mdt-thursday"),
        "{detail}"
    );
    assert!(
        detail.contains("forbid 1 [date = \"2026-03-06\", room = \"or-2\"]"),
        "{detail}"
    );
}

#[test]
fn pins_in_the_uploaded_file_are_its_first_pins() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let example =
        std::fs::read_to_string(root().join("instances/example-week.toml")).expect("example");
    let pinned = format!(
        "{example}\n[[pins]]\nactivity = \"mdt\"\nboard = \"breast-mdt\"\ndate = \"2026-03-05\"\nsession = \"pm\"\n"
    );
    let (status, body) = server.upload("tok-scheduler", &pinned);
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().expect("id");
    let (_, listed) = server.call(
        "GET",
        &format!("/instances/{id}/pins"),
        Some("tok-viewer"),
        None,
    );
    assert_eq!(listed["source"], "file");
    assert_eq!(
        listed["pins"],
        json!([{ "id": "0", "activity": "mdt", "board": "breast-mdt", "date": "2026-03-05", "session": "pm" }])
    );
    let solve = server.solve(id);
    let roster_id = solve["roster_id"].as_str().expect("roster");
    let (_, roster) = server.call(
        "GET",
        &format!("/rosters/{roster_id}"),
        Some("tok-viewer"),
        None,
    );
    assert!(
        mdt_places(&roster)
            .iter()
            .all(|(_, date, _)| date == "2026-03-05")
    );
    // A file whose pins do not validate is refused at upload, with their paths.
    let broken = format!("{example}\n[[pins]]\nspecialist = \"liu-jnu\"\n");
    let (status, body) = server.upload("tok-scheduler", &broken);
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["problems"][0]["path"], "pins[0].specialist");
}

#[test]
fn pins_that_cannot_all_hold_fail_the_solve_with_the_conflict() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let id = upload_example(&server);
    let (status, replaced) = server.call(
        "PUT",
        &format!("/instances/{id}/pins"),
        Some("tok-scheduler"),
        Some(json!([
            { "id": "liu-clinic", "specialist": "liu-jun", "date": "2026-03-05", "session": "pm", "activity": "clinic" },
            { "specialist": "wang-rad", "date": "2026-03-02" },
            { "id": "liu-mdt", "board": "breast-mdt", "specialist": "liu-jun", "date": "2026-03-05", "session": "pm" },
        ])),
    );
    assert_eq!(status, 200, "{replaced}");
    let solve = server.solve(&id);
    assert_eq!(solve["status"], "failed", "{solve}");
    assert_eq!(solve["error"], "pin_conflict", "{solve}");
    assert_eq!(solve["roster_id"], Value::Null);
    let conflict = &solve["conflict"];
    let ids: Vec<&str> = conflict["pins"]
        .as_array()
        .expect("pins")
        .iter()
        .map(|p| p["id"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(ids, ["liu-clinic", "liu-mdt"], "{solve}");
    assert!(
        conflict["rules"]
            .as_array()
            .expect("rules")
            .contains(&json!("one_thing_at_a_time")),
        "{solve}"
    );
    let detail = solve["detail"].as_str().expect("detail");
    assert!(detail.contains("two activities at once"), "{detail}");
}

/// The entries of a roster dated before `until` (presence, assignments, surgeries,
/// bookings), each as its JSON text, sorted.
fn past_entries(roster: &Value, until: &str) -> Vec<String> {
    let mut out: Vec<String> = ["presence", "assignments", "surgeries", "bookings"]
        .iter()
        .flat_map(|list| roster[*list].as_array().cloned().unwrap_or_default())
        .filter(|entry| entry["date"].as_str().is_some_and(|d| d < until))
        .map(|entry| entry.to_string())
        .collect();
    out.sort();
    out
}

#[test]
fn a_repair_keeps_the_frozen_past_byte_for_byte_and_rebooks_the_ledger() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let id = server.publish_example_roster();
    let repairs = format!("/instances/{id}/repairs");
    let (_, instance) = server.call("GET", &format!("/instances/{id}"), Some("tok-viewer"), None);
    let published_id = instance["current"]["roster_id"]
        .as_str()
        .expect("published")
        .to_string();
    let (_, published) = server.call(
        "GET",
        &format!("/rosters/{published_id}"),
        Some("tok-viewer"),
        None,
    );
    // The call centre books a patient on Liu Jun (breast)'s Wednesday morning clinic.
    let (status, booked) = server.call(
        "POST",
        &format!("/instances/{id}/bookings"),
        Some("tok-agent"),
        Some(json!({
            "patient": "P-9001",
            "specialist": "liu-jun-breast",
            "earliest": "2026-03-02",
            "latest": "2026-03-06",
            "option": "liu-jun-breast@2026-03-04:am",
        })),
    );
    assert_eq!(status, 201, "{booked}");

    // The breast clinic room is closed on Wednesday morning; Tuesday is history.
    let away_wednesday = json!({
        "name": "c-breast closed Wednesday morning",
        "changes": [{ "kind": "unavailable", "room": "c-breast", "slots": ["2026-03-04:am"] }],
    });
    // No reward for keeping anything: only the freeze holds the past.
    let (status, repaired) = server.call(
        "POST",
        &repairs,
        Some("tok-scheduler"),
        Some(json!({
            "scenario": away_wednesday,
            "freeze_until": "2026-03-04",
            "keep_assignment": 0,
            "keep_booking": 0,
            "time_limit": 10,
        })),
    );
    assert_eq!(status, 201, "{repaired}");
    assert_eq!(repaired["published"]["roster_id"], published_id.as_str());
    assert_eq!(
        repaired["scenario"]["changes"],
        json!(["room c-breast unavailable on 2026-03-04:am"])
    );
    let moves = repaired["moves"].as_array().expect("moves");
    assert!(
        moves
            .iter()
            .any(|m| m["specialist"] == "liu-jun-breast" && m["date"] == "2026-03-04"),
        "{repaired}"
    );
    assert!(
        moves
            .iter()
            .all(|m| m["date"].as_str() >= Some("2026-03-04")),
        "{repaired}"
    );
    // The ledger's booking is among the patients to call, moved off Wednesday.
    let calls = repaired["calls"].as_array().expect("calls");
    let call = calls
        .iter()
        .find(|c| c["booking"] == "b-0001")
        .unwrap_or_else(|| panic!("{repaired}"));
    assert_eq!(call["before"]["date"], "2026-03-04");
    assert_ne!(call["after"]["date"], "2026-03-04");

    let roster_id = repaired["roster_id"].as_str().expect("roster");
    let (status, roster) = server.call(
        "GET",
        &format!("/rosters/{roster_id}"),
        Some("tok-viewer"),
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(roster["objective"], repaired["objective"]);
    let before = past_entries(&published, "2026-03-04");
    assert!(before.len() >= 5, "{before:?}");
    assert_eq!(past_entries(&roster, "2026-03-04"), before);
    assert!(
        !roster["assignments"]
            .as_array()
            .expect("assignments")
            .iter()
            .any(|a| a["room"] == "c-breast" && a["date"] == "2026-03-04" && a["session"] == "am"),
        "{roster}"
    );
    // Stored, not published; audited.
    let (_, instance) = server.call("GET", &format!("/instances/{id}"), Some("tok-viewer"), None);
    assert_eq!(instance["current"]["roster_id"], published_id.as_str());
    let logged = audit(&server, "roster.repair");
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0]["target"], roster_id);
    assert!(
        logged[0]["detail"]
            .as_str()
            .expect("detail")
            .contains("freeze until 2026-03-04")
    );

    // A scenario may come as the text of a scenario file.
    let text = "name = \"Xi away Thursday\"\n[[changes]]\nkind = \"unavailable\"\nspecialist = \"xi-xiaowei\"\nslots = [\"2026-03-05\"]\n";
    let (status, repaired) = server.call(
        "POST",
        &repairs,
        Some("tok-scheduler"),
        Some(json!({ "scenario": text })),
    );
    assert_eq!(status, 201, "{repaired}");
    assert_eq!(repaired["scenario"]["name"], "Xi away Thursday");

    // Errors.
    let cases = [
        (
            json!({ "freeze_until": "2026-04-01" }),
            422,
            "invalid_freeze",
            "freeze_until",
        ),
        (
            json!({ "freeze_until": "2026-13-01" }),
            422,
            "invalid_request",
            "freeze_until",
        ),
        (json!({ "time_limit": 100000 }), 422, "invalid_request", ""),
        (json!({ "keep_booking": -1 }), 422, "invalid_request", ""),
        (json!({ "colour": "red" }), 422, "invalid_request", ""),
        (
            json!({ "scenario": { "name": "t", "changes": [{ "kind": "unavailable", "specialist": "nobody", "slots": ["2026-03-05"] }] } }),
            422,
            "invalid_scenario",
            "changes[0].specialist",
        ),
    ];
    for (body, status, error, path) in cases {
        let (got, answer) =
            server.call("POST", &repairs, Some("tok-scheduler"), Some(body.clone()));
        assert_eq!(
            (got, answer["error"].as_str()),
            (status, Some(error)),
            "{body}: {answer}"
        );
        if !path.is_empty() {
            assert_eq!(answer["problems"][0]["path"], path, "{body}: {answer}");
        }
    }
    let (status, _) = server.call("POST", &repairs, Some("tok-planner"), Some(json!({})));
    assert_eq!(status, 403);
    let other = upload_example(&server);
    let (status, answer) = server.call(
        "POST",
        &format!("/instances/{other}/repairs"),
        Some("tok-scheduler"),
        None,
    );
    assert_eq!(
        (status, answer["error"].as_str()),
        (409, Some("not_published")),
        "{answer}"
    );
    let (status, _) = server.call(
        "POST",
        "/instances/nope/repairs",
        Some("tok-scheduler"),
        None,
    );
    assert_eq!(status, 404);

    // Pins hold in repairs too: with the MDT pinned to Thursday afternoon, Liu Jun
    // (breast) away on Thursday leaves the board without its breast surgeon.
    let (status, _) = server.call(
        "PUT",
        &format!("/instances/{id}/pins"),
        Some("tok-scheduler"),
        Some(json!([thursday_mdt()])),
    );
    assert_eq!(status, 200);
    let (status, answer) = server.call(
        "POST",
        &repairs,
        Some("tok-scheduler"),
        Some(json!({ "scenario": {
            "name": "Liu Jun (breast) away Thursday",
            "changes": [{ "kind": "unavailable", "specialist": "liu-jun-breast", "slots": ["2026-03-05"] }],
        } })),
    );
    assert_eq!(
        (status, answer["error"].as_str()),
        (422, Some("pin_conflict")),
        "{answer}"
    );
    assert_eq!(
        answer["conflict"]["pins"][0]["id"], "mdt-thursday",
        "{answer}"
    );

    // The publication predates the pin (its MDT is on Wednesday): publishing it again
    // is refused, but after a restart its book opens and the call centre books on.
    let (status, answer) = server.call(
        "POST",
        &format!("/rosters/{published_id}/publish"),
        Some("tok-scheduler"),
        None,
    );
    assert_eq!(
        (status, answer["error"].as_str()),
        (422, Some("invalid_roster")),
        "{answer}"
    );
    assert!(
        answer["detail"]
            .as_str()
            .is_some_and(|d| d.contains("mdt-thursday")),
        "{answer}"
    );
    drop(server);
    let server = Server::start_in(dir.path(), "");
    let (status, booked) = server.call(
        "POST",
        &format!("/instances/{id}/bookings"),
        Some("tok-agent"),
        Some(json!({
            "patient": "P-9002",
            "specialist": "liu-jun",
            "earliest": "2026-03-02",
            "latest": "2026-03-06",
        })),
    );
    assert_eq!(status, 201, "{booked}");
}
