//! Resources over HTTP on the shipped Xuhui week: a CT search with `resource_kind` and
//! `referred_by`, a booking of the option it names, the booking listed, a bad resource
//! request refused with its fields, and the cancellation — against the real server.

#[allow(dead_code)] // each test crate uses its own part of the helpers
mod common;
#[allow(dead_code)]
#[path = "common/server.rs"]
mod harness;

use serde_json::json;

use harness::Server;

#[test]
fn a_ct_slot_is_searched_booked_listed_and_cancelled_over_http() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let xuhui = server.publish_roster(
        "instances/xuhui-screening.toml",
        "instances/rosters/xuhui-screening.roster.json",
        None,
    );
    // The service's clock is now, after the golden week: every held place is released,
    // so a walk-in sees the CT places the roster left.
    let ask = |extra: serde_json::Value| {
        let mut body = json!({
            "resource_kind": "ct",
            "earliest": "2026-03-02",
            "latest": "2026-03-06",
        });
        for (key, value) in extra.as_object().expect("object") {
            body[key] = value.clone();
        }
        body
    };
    let (status, found) = server.call(
        "POST",
        &format!("/instances/{xuhui}/search"),
        Some("tok-agent"),
        Some(ask(json!({}))),
    );
    assert_eq!(status, 200, "{found}");
    let options = found["options"].as_array().expect("options");
    assert!(!options.is_empty(), "{found}");
    let option = options[0]["id"].as_str().expect("id").to_string();
    assert!(option.starts_with("ct-1@"), "{found}");
    assert_eq!(options[0]["session"]["resource"], "ct-1");
    assert!(options[0]["session"].get("specialist").is_none(), "{found}");
    let (status, booked) = server.call(
        "POST",
        &format!("/instances/{xuhui}/bookings"),
        Some("tok-agent"),
        Some(ask(json!({"patient": "P-501", "option": option}))),
    );
    assert_eq!(status, 201, "{booked}");
    let id = booked["booking"]["id"].as_str().expect("id").to_string();
    assert_eq!(booked["booking"]["session"]["resource"], "ct-1");
    let (status, listed) = server.call(
        "GET",
        &format!("/instances/{xuhui}/bookings"),
        Some("tok-agent"),
        None,
    );
    assert_eq!(status, 200, "{listed}");
    assert!(
        listed
            .as_array()
            .expect("list")
            .iter()
            .any(|b| b["id"] == id.as_str()),
        "{listed}"
    );
    // A request for a resource and a specialist at once is refused, field by field.
    let (status, refused) = server.call(
        "POST",
        &format!("/instances/{xuhui}/search"),
        Some("tok-agent"),
        Some(ask(
            json!({"specialist": "zhang-wei", "resource_kind": "mri"}),
        )),
    );
    assert_eq!(status, 422, "{refused}");
    let text = refused.to_string();
    assert!(
        text.contains("resource_kind") && text.contains("specialist"),
        "{refused}"
    );
    let (status, cancelled) = server.call(
        "DELETE",
        &format!("/instances/{xuhui}/bookings/{id}"),
        Some("tok-agent"),
        None,
    );
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["session"]["resource"], "ct-1");
}
