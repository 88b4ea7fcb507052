//! Checked edits over HTTP, on the real server: `POST /rosters/{id}/edits` on the
//! example's solved roster (a double booking judged by rule 1 alone, a legal move whose
//! objective delta is `houniao check`'s difference, edits chained on drafts, a pin in a
//! draft that publishing makes the instance's), publishing drafts (refused while they
//! break a hard rule), roles, and errors with the path of the edit at fault.

#[allow(dead_code)] // each test crate uses its own part of the helpers
mod common;
#[allow(dead_code)]
#[path = "common/server.rs"]
mod harness;

use serde_json::{Value, json};

use common::{houniao, root, text};
use harness::Server;

const SCHEDULER: Option<&str> = Some("tok-scheduler");

/// Uploads the example and solves it: (instance id, stored roster id, the roster).
fn solved_example(server: &Server) -> (String, String, Value) {
    let example =
        std::fs::read_to_string(root().join("instances/example-week.toml")).expect("example");
    let (status, body) = server.upload("tok-scheduler", &example);
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().expect("id").to_string();
    let solve = server.solve(&id);
    assert_eq!(solve["status"], "done", "{solve}");
    let roster_id = solve["roster_id"].as_str().expect("roster").to_string();
    let roster = get_roster(server, &roster_id);
    (id, roster_id, roster)
}

fn get_roster(server: &Server, id: &str) -> Value {
    let (status, roster) = server.call("GET", &format!("/rosters/{id}"), Some("tok-viewer"), None);
    assert_eq!(status, 200, "{roster}");
    roster
}

/// `POST /rosters/{id}/edits` as the scheduler: (status, answer).
fn edit(server: &Server, roster: &str, edits: Value) -> (u16, Value) {
    server.call(
        "POST",
        &format!("/rosters/{roster}/edits"),
        SCHEDULER,
        Some(json!({ "edits": edits })),
    )
}

/// An edit that must be applied: the 201 answer.
fn edited(server: &Server, roster: &str, edits: Value) -> Value {
    let (status, answer) = edit(server, roster, edits);
    assert_eq!(status, 201, "{answer}");
    answer
}

fn publish(server: &Server, roster: &str) -> (u16, Value) {
    server.call(
        "POST",
        &format!("/rosters/{roster}/publish"),
        SCHEDULER,
        None,
    )
}

/// The rules an answer's violations break, each once, in order.
fn rules(violations: &Value) -> Vec<String> {
    let mut rules: Vec<String> = violations
        .as_array()
        .expect("violations")
        .iter()
        .map(|v| v["rule"].as_str().expect("rule").to_string())
        .collect();
    rules.dedup();
    rules
}

/// The clinic entries of a roster: (specialist, date, session).
fn clinics(roster: &Value) -> Vec<(String, String, String)> {
    roster["assignments"]
        .as_array()
        .expect("assignments")
        .iter()
        .filter(|a| a["activity"] == "clinic")
        .map(|a| {
            let field = |k: &str| a[k].as_str().unwrap_or_default().to_string();
            (field("specialist"), field("date"), field("session"))
        })
        .collect()
}

fn entry((specialist, date, session): &(String, String, String)) -> Value {
    json!({ "specialist": specialist, "date": date, "session": session })
}

/// A specialist's pm clinic with no bookings on a date whose am they also hold a clinic
/// in: moving it to the morning double-books them and nothing else.
fn double_booking(roster: &Value) -> Value {
    let clinics = clinics(roster);
    let booked = |c: &(String, String, String)| {
        roster["bookings"]
            .as_array()
            .expect("bookings")
            .iter()
            .any(|b| {
                b["specialist"] == c.0.as_str()
                    && b["date"] == c.1.as_str()
                    && b["session"] == c.2.as_str()
            })
    };
    let pm = clinics
        .iter()
        .find(|c| {
            c.2 == "pm"
                && !booked(c)
                && clinics
                    .iter()
                    .any(|o| o.0 == c.0 && o.1 == c.1 && o.2 == "am")
        })
        .unwrap_or_else(|| panic!("no pm clinic beside an am one in {roster}"));
    json!([{ "op": "move", "entry": entry(pm), "to": { "session": "am" } }])
}

/// `houniao check` of a roster of the example, as JSON.
fn check(roster: &Value, dir: &std::path::Path, name: &str) -> Value {
    let path = dir.join(name);
    std::fs::write(&path, roster.to_string()).expect("writes the roster");
    let output = houniao(&[
        "check",
        root()
            .join("instances/example-week.toml")
            .to_str()
            .expect("utf-8"),
        path.to_str().expect("utf-8"),
        "--format",
        "json",
    ]);
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&output)))
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
fn edits_make_drafts_judged_by_the_checker_and_published_only_when_valid() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let (id, solved, roster) = solved_example(&server);

    // A double booking: stored as a draft, judged by rule 1 alone.
    let illegal = edited(&server, &solved, double_booking(&roster));
    assert_eq!(illegal["parent"], solved.as_str());
    assert_eq!(illegal["valid"], false, "{illegal}");
    assert_eq!(rules(&illegal["violations"]), ["one_thing_at_a_time"]);
    assert_eq!(illegal["pins_changed"], false);
    assert!(illegal.get("pins").is_none(), "{illegal}");
    let draft_id = illegal["roster_id"].as_str().expect("draft id");
    assert_ne!(draft_id, solved);
    // The draft is stored (the answer's `draft`, with status `error`) and not published.
    let draft = get_roster(&server, draft_id);
    assert_eq!(draft, illegal["draft"]);
    assert_eq!(draft["status"], "error");
    let (_, instance) = server.call("GET", &format!("/instances/{id}"), Some("tok-viewer"), None);
    assert!(instance["current"].is_null(), "{instance}");
    // Publishing it is refused with the violations.
    let (status, refused) = publish(&server, draft_id);
    assert_eq!(
        (status, refused["error"].as_str()),
        (422, Some("invalid_roster")),
        "{refused}"
    );
    assert_eq!(refused["violations"], illegal["violations"]);
    // `houniao check` agrees.
    let checked = check(&draft, dir.path(), "illegal.json");
    assert_eq!(checked["violations"], illegal["violations"]);

    // A legal move: two clinics of one specialist on different dates swapped, the
    // bookings going along (the first such swap the checker accepts that changes the
    // objective: the solver's optimum may be any of several). The delta is the difference of `houniao check`'s
    // objectives.
    let clinics = clinics(&roster);
    let swaps: Vec<Value> = clinics
        .iter()
        .flat_map(|c| {
            clinics
                .iter()
                .filter(move |o| o.0 == c.0 && o.1 > c.1)
                .map(move |o| json!([{ "op": "swap", "a": entry(c), "b": entry(o) }]))
        })
        .collect();
    let mut tried = 0;
    let (swap, legal) = swaps
        .iter()
        .find_map(|swap| {
            tried += 1;
            let answer = edited(&server, &solved, swap.clone());
            (answer["valid"] == true && answer["objective_delta"] != 0.0)
                .then(|| (swap.clone(), answer))
        })
        .unwrap_or_else(|| panic!("no legal swap among {swaps:?}"));
    assert_eq!(legal["violations"], json!([]));
    let draft = get_roster(&server, legal["roster_id"].as_str().expect("id"));
    let before = check(&roster, dir.path(), "solved.json");
    let after = check(&draft, dir.path(), "legal.json");
    assert_eq!(after["valid"], true, "{after}");
    assert_eq!(after["passed"], true, "{after}");
    let difference = after["objective"].as_f64().expect("objective")
        - before["objective"].as_f64().expect("objective");
    assert_eq!(
        legal["objective_delta"].as_f64(),
        Some(difference),
        "{legal}"
    );
    assert_eq!(legal["objective_before"], before["objective"]);
    assert_eq!(legal["objective_after"], after["objective"]);
    // Term by term too.
    let terms = |report: &Value, term: &str| report["terms"][term].as_f64().expect("term");
    for (term, delta) in legal["delta"].as_object().expect("delta") {
        assert_eq!(
            delta.as_f64(),
            Some(terms(&after, term) - terms(&before, term)),
            "{term}"
        );
    }

    // Chained: the draft edited again (the swap undone) is a draft of the draft.
    let legal_id = legal["roster_id"].as_str().expect("id");
    let undone = edited(&server, legal_id, swap);
    assert_eq!(undone["parent"], legal_id);
    assert_eq!(undone["valid"], true, "{undone}");
    assert_eq!(undone["objective_before"], legal["objective_after"]);
    assert_eq!(undone["objective_after"], legal["objective_before"]);
    assert_eq!(undone["draft"]["assignments"], roster["assignments"]);
    // A valid draft is published like any roster.
    let (status, publication) = publish(&server, undone["roster_id"].as_str().expect("id"));
    assert_eq!(status, 201, "{publication}");

    // Every edit is in the audit log with its count.
    let edits = audit(&server, "roster.edit");
    assert_eq!(edits.len(), 2 + tried, "{edits:?}");
    assert_eq!(edits[0]["target"], draft_id);
    assert_eq!(edits[0]["actor"], "scheduler-user");
    let detail = edits[0]["detail"].as_str().expect("detail");
    assert!(
        detail.starts_with(&format!("1 edit(s) on {solved}"))
            && detail.contains("one_thing_at_a_time"),
        "{detail}"
    );
}

#[test]
fn a_pin_made_in_a_draft_becomes_the_instances_when_the_draft_is_published() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let (id, solved, roster) = solved_example(&server);
    let pins = format!("/instances/{id}/pins");
    let kept = clinics(&roster)[0].clone();
    let pin = json!({
        "id": "keep-clinic", "note": "agreed with the ward",
        "specialist": kept.0, "date": kept.1, "session": kept.2, "activity": "clinic",
    });

    let pinned = edited(&server, &solved, json!([{ "op": "pin", "pin": pin }]));
    assert_eq!(pinned["valid"], true, "{pinned}");
    assert_eq!(pinned["pins_changed"], true);
    assert_eq!(pinned["pins"][0]["id"], "keep-clinic");
    assert_eq!(pinned["objective_delta"], 0.0);
    let pinned_id = pinned["roster_id"].as_str().expect("id");
    // The instance's pins are untouched until the draft is published.
    let (_, listed) = server.call("GET", &pins, Some("tok-viewer"), None);
    assert_eq!(listed["pins"], json!([]), "{listed}");

    // A draft of that draft is judged by the draft's pins: removing the pinned clinic
    // breaks rule 11, and the draft still carries the pin.
    let removed = edited(
        &server,
        pinned_id,
        json!([{ "op": "remove", "entry": entry(&kept) }]),
    );
    assert!(
        rules(&removed["violations"]).contains(&"pin".to_string()),
        "{removed}"
    );
    assert_eq!(removed["pins_changed"], true);
    assert_eq!(removed["pins"], pinned["pins"]);
    let (status, refused) = publish(&server, removed["roster_id"].as_str().expect("id"));
    assert_eq!(
        (status, refused["error"].as_str()),
        (422, Some("invalid_roster"))
    );
    let (_, listed) = server.call("GET", &pins, Some("tok-viewer"), None);
    assert_eq!(
        listed["pins"],
        json!([]),
        "a refused publication sets no pins"
    );

    // Published: the roster is the draft and the pin is the instance's.
    let (status, publication) = publish(&server, pinned_id);
    assert_eq!(status, 201, "{publication}");
    assert_eq!(publication["roster_id"], pinned_id);
    let (_, listed) = server.call("GET", &pins, Some("tok-viewer"), None);
    assert_eq!(listed["source"], "api", "{listed}");
    assert_eq!(listed["updated_by"], "scheduler-user");
    let ids: Vec<&str> = listed["pins"]
        .as_array()
        .expect("pins")
        .iter()
        .filter_map(|p| p["id"].as_str())
        .collect();
    assert_eq!(ids, ["keep-clinic"], "{listed}");
    assert_eq!(listed["pins"][0]["note"], "agreed with the ward");
    let replaced = audit(&server, "pins.replace");
    assert_eq!(replaced.len(), 1, "{replaced:?}");
    assert!(
        replaced[0]["detail"]
            .as_str()
            .is_some_and(|d| d.starts_with("added: pin keep-clinic")),
        "{replaced:?}"
    );
    // Drafts of the solved roster are now judged by the instance's new pin.
    let unpinned = edited(
        &server,
        &solved,
        json!([{ "op": "remove", "entry": entry(&kept) }]),
    );
    assert!(
        rules(&unpinned["violations"]).contains(&"pin".to_string()),
        "{unpinned}"
    );
    assert_eq!(unpinned["pins_changed"], false);
    // Taking the pin back in a draft is a change of the draft's pins again.
    let back = edited(
        &server,
        &solved,
        json!([{ "op": "unpin", "id": "keep-clinic" }]),
    );
    assert_eq!(back["pins_changed"], true);
    assert_eq!(back["pins"], json!([]));
}

#[test]
fn edits_need_the_scheduler_and_name_the_edit_at_fault() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let (_, solved, roster) = solved_example(&server);
    let path = format!("/rosters/{solved}/edits");
    let edits = json!({ "edits": double_booking(&roster) });

    for token in ["tok-viewer", "tok-agent", "tok-planner"] {
        let (status, answer) = server.call("POST", &path, Some(token), Some(edits.clone()));
        assert_eq!(
            (status, answer["error"].as_str()),
            (403, Some("forbidden")),
            "{token}: {answer}"
        );
    }
    let (status, _) = server.call("POST", &path, None, Some(edits.clone()));
    assert_eq!(status, 401);
    // Authorisation comes first: a body that is not JSON is 403 for a viewer.
    let (status, _) = server.call("POST", &path, Some("tok-viewer"), Some(json!("x")));
    assert_eq!(status, 403);
    let (status, answer) = server.call(
        "POST",
        "/rosters/roster-nope/edits",
        SCHEDULER,
        Some(edits.clone()),
    );
    assert_eq!((status, answer["error"].as_str()), (404, Some("not_found")));

    // The second edit names an entry the draft does not have.
    let first = clinics(&roster)[0].clone();
    let (status, answer) = edit(
        &server,
        &solved,
        json!([
            { "op": "move", "entry": entry(&first), "to": { "session": "pm" } },
            { "op": "remove", "entry": { "specialist": "liu-jun", "date": "2026-03-07", "session": "am" } },
        ]),
    );
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["error"], "invalid_edit");
    assert_eq!(answer["kind"], "unknown_entry");
    assert_eq!(answer["edit"], 1);
    assert_eq!(answer["path"], "edits[1].entry");
    assert_eq!(answer["problems"][0]["path"], "edits[1].entry");
    assert!(
        answer["detail"]
            .as_str()
            .is_some_and(|d| d.contains("no assignment of \"liu-jun\" on 2026-03-07 am")),
        "{answer}"
    );
    // An unknown room, with a hint.
    let (status, answer) = edit(
        &server,
        &solved,
        json!([{ "op": "move", "entry": entry(&first), "to": { "room": "c-onk" } }]),
    );
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["path"], "edits[0].to.room");
    assert_eq!(answer["problems"][0]["hint"], "did you mean \"c-onc\"?");
    // A body that is not a list of edits: the field's path.
    let (status, answer) = edit(&server, &solved, json!([{ "op": "drag" }]));
    assert_eq!(
        (status, answer["error"].as_str()),
        (422, Some("invalid_request")),
        "{answer}"
    );
    assert_eq!(answer["problems"][0]["path"], "edits[0].op");
    // No draft was stored for any of these.
    let (_, entries) = server.call("GET", "/audit?limit=1000", Some("tok-admin"), None);
    assert!(
        entries
            .as_array()
            .expect("entries")
            .iter()
            .all(|e| e["action"] != "roster.edit"),
        "{entries}"
    );
}

#[test]
fn a_draft_survives_kill_9_and_is_edited_on_after_the_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let (_, solved, roster) = solved_example(&server);
    let illegal = edited(&server, &solved, double_booking(&roster));
    let draft_id = illegal["roster_id"].as_str().expect("id").to_string();
    // Dropping the harness kills the server with SIGKILL: nothing is flushed.
    drop(server);
    let server = Server::start_in(dir.path(), "");
    assert_eq!(get_roster(&server, &draft_id), illegal["draft"]);
    let again = edited(&server, &draft_id, json!([]));
    assert_eq!(again["parent"], draft_id.as_str());
    assert_eq!(again["violations"], illegal["violations"]);
}
