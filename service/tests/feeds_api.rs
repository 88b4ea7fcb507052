//! Calendar feeds of the real service: keys made and revoked by a scheduler, a feed
//! for the current publication with its history, 404 for any key that does not open
//! it, and the key never in the request log.

#[allow(dead_code)] // each test crate uses its own part of the helpers
mod common;
#[allow(dead_code)]
#[path = "common/server.rs"]
mod harness;

use harness::Server;
use serde_json::{Value, json};

use common::root;

/// GET without a token: (status, content type, body).
fn get(server: &Server, path: &str) -> (u16, String, String) {
    let mut response = Server::agent()
        .get(&format!("{}{path}", server.url))
        .call()
        .expect("answers");
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (
        status,
        kind,
        response.body_mut().read_to_string().expect("body"),
    )
}

/// (SEQUENCE, STATUS) by UID.
fn events(ics: &str) -> std::collections::BTreeMap<String, (String, String)> {
    let calendar = ical::IcalParser::new(ics.as_bytes())
        .next()
        .expect("a calendar")
        .expect("parses");
    calendar
        .events
        .iter()
        .map(|event| {
            let value = |name: &str| {
                event
                    .properties
                    .iter()
                    .find(|p| p.name == name)
                    .and_then(|p| p.value.clone())
                    .unwrap_or_default()
            };
            (value("UID"), (value("SEQUENCE"), value("STATUS")))
        })
        .collect()
}

fn new_key(server: &Server, instance: &str, body: Value) -> Value {
    let (status, key) = server.call(
        "POST",
        &format!("/instances/{instance}/feed-keys"),
        Some("tok-scheduler"),
        Some(body),
    );
    assert_eq!(status, 201, "{key}");
    key
}

fn publish(server: &Server, instance: &str, roster_file: &str) {
    let roster: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join(roster_file)).expect("roster"))
            .expect("json");
    let (status, stored) = server.call(
        "POST",
        &format!("/instances/{instance}/rosters"),
        Some("tok-scheduler"),
        Some(roster),
    );
    assert_eq!(status, 201, "{stored}");
    let roster = stored["roster_id"].as_str().expect("roster id");
    let (status, published) = server.call(
        "POST",
        &format!("/rosters/{roster}/publish"),
        Some("tok-scheduler"),
        None,
    );
    assert_eq!(status, 201, "{published}");
}

#[test]
fn a_feed_key_opens_its_calendar_until_revoked_and_never_reaches_the_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let instance = server.publish_example_roster();
    let (status, _) = server.call(
        "POST",
        &format!("/instances/{instance}/feed-keys"),
        Some("tok-viewer"),
        Some(json!({ "specialist": "xi-xiaowei" })),
    );
    assert_eq!(status, 403, "a viewer makes no keys");
    let (status, unknown) = server.call(
        "POST",
        &format!("/instances/{instance}/feed-keys"),
        Some("tok-scheduler"),
        Some(json!({ "specialist": "xi-xiaowe" })),
    );
    assert_eq!(status, 422);
    assert!(
        unknown["detail"]
            .as_str()
            .expect("detail")
            .contains("did you mean")
    );

    let created = new_key(&server, &instance, json!({ "specialist": "xi-xiaowei" }));
    let key = created["key"].as_str().expect("key").to_string();
    let path = created["path"].as_str().expect("path").to_string();
    assert_eq!(
        path,
        format!("/calendars/specialists/xi-xiaowei.ics?key={key}")
    );
    let (status, kind, body) = get(&server, &path);
    assert_eq!(status, 200, "{body}");
    assert_eq!(kind, "text/calendar; charset=utf-8");
    let first = events(&body);
    assert_eq!(
        first.len(),
        4,
        "two days on site, the studio, the surgery list"
    );
    assert!(!body.contains("P-"), "no patient in a feed");
    assert!(
        first
            .values()
            .all(|(seq, status)| seq == "0" && status == "CONFIRMED")
    );

    // Any other key, or this key for another calendar, is a 404 like no key at all.
    for wrong in [
        format!(
            "/calendars/specialists/xi-xiaowei.ics?key={}",
            "0".repeat(64)
        ),
        "/calendars/specialists/xi-xiaowei.ics".to_string(),
        format!("/calendars/specialists/liu-jun.ics?key={key}"),
        format!("/calendars/sites/jiaocheng.ics?key={key}"),
        format!("/calendars/specialists/xi-xiaowei?key={key}"),
    ] {
        let (status, _, body) = get(&server, &wrong);
        assert_eq!(status, 404, "{wrong}: {body}");
        assert!(!body.contains(&key));
    }

    // A re-publication (the repair with Xi Xiaowei away on Tuesday): every one of her
    // events changed under its UID.
    publish(
        &server,
        &instance,
        "solver/tests/data/roster.example-xi-away.json",
    );
    let (status, _, body) = get(&server, &path);
    assert_eq!(status, 200, "{body}");
    let second = events(&body);
    for uid in first.keys() {
        assert_eq!(second[uid].0, "1", "{uid}: {body}");
    }

    let (status, listed) = server.call(
        "GET",
        &format!("/instances/{instance}/feed-keys"),
        Some("tok-scheduler"),
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(listed.as_array().expect("keys").len(), 1);
    assert!(
        !listed.to_string().contains(&key),
        "listing never shows a key"
    );
    let id = created["id"].as_str().expect("id");
    let (status, _) = server.call(
        "DELETE",
        &format!("/feed-keys/{id}"),
        Some("tok-scheduler"),
        None,
    );
    assert_eq!(status, 200);
    let (status, _, _) = get(&server, &path);
    assert_eq!(status, 404, "revoked");

    let log = server.log();
    assert!(log.contains("/calendars/specialists/{file}"), "{log}");
    assert!(!log.contains(&key), "the key is in the log:\n{log}");
    let (_, audit) = server.call("GET", "/audit", Some("tok-admin"), None);
    let actions: Vec<&str> = audit
        .as_array()
        .expect("audit")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .filter(|a| a.starts_with("feed_key."))
        .collect();
    assert_eq!(actions, ["feed_key.create", "feed_key.revoke"]);
    assert!(!audit.to_string().contains(&key));
}

#[test]
fn a_new_key_replaces_the_old_and_sites_and_boards_have_feeds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let instance = server.publish_example_roster();
    let old = new_key(&server, &instance, json!({ "site": "ningde" }));
    let new = new_key(&server, &instance, json!({ "site": "ningde" }));
    let (status, _, _) = get(&server, old["path"].as_str().expect("path"));
    assert_eq!(status, 404, "one live key per calendar");
    let (status, _, body) = get(&server, new["path"].as_str().expect("path"));
    assert_eq!(status, 200, "{body}");
    assert!(!body.contains("P-"), "no patient in a site feed");
    assert_eq!(
        events(&body).len(),
        7 + 1 + 2 + 6,
        "clinics, the meeting, theatre lists, visitors"
    );
    let (status, _, chinese) = get(
        &server,
        &format!("{}&lang=zh-CN", new["path"].as_str().expect("path")),
    );
    assert_eq!(status, 200);
    assert!(
        chinese.contains("SUMMARY;LANGUAGE=zh-CN:门诊 · medical-oncology"),
        "{chinese}"
    );
    let board = new_key(&server, &instance, json!({ "board": "breast-mdt" }));
    let (status, _, body) = get(&server, board["path"].as_str().expect("path"));
    assert_eq!(status, 200, "{body}");
    assert_eq!(events(&body).len(), 1);
    let (status, _) = server.call(
        "POST",
        &format!("/instances/{instance}/feed-keys"),
        Some("tok-scheduler"),
        Some(json!({ "site": "ningde", "board": "breast-mdt" })),
    );
    assert_eq!(status, 422, "exactly one calendar per key");
}

#[test]
fn the_service_exports_a_roster_and_compares_two_publications() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let instance = server.publish_example_roster();
    let (status, refused) = server.call(
        "GET",
        &format!("/instances/{instance}/diff"),
        Some("tok-scheduler"),
        None,
    );
    assert_eq!(
        (status, &refused["error"]),
        (409, &json!("no_earlier_publication"))
    );
    publish(
        &server,
        &instance,
        "solver/tests/data/roster.example-xi-away.json",
    );
    let (status, _) = server.call(
        "GET",
        &format!("/instances/{instance}/diff"),
        Some("tok-viewer"),
        None,
    );
    assert_eq!(status, 403, "a comparison names patients");
    let (status, diff) = server.call(
        "GET",
        &format!("/instances/{instance}/diff"),
        Some("tok-agent"),
        None,
    );
    assert_eq!(status, 200, "{diff}");
    let who: Vec<&str> = diff["specialists"]
        .as_array()
        .expect("specialists")
        .iter()
        .filter_map(|s| s["specialist"].as_str())
        .collect();
    assert_eq!(who, ["xi-xiaowei", "chen-gp"]);
    assert_eq!(diff["patients"][0]["request"], "r-003");
    assert!(diff["from"]["version"].as_i64() < diff["to"]["version"].as_i64());

    let roster = diff["to"]["roster_id"].as_str().expect("roster");
    let mut response = Server::agent()
        .get(&format!(
            "{}/rosters/{roster}/export?format=xlsx",
            server.url
        ))
        .header("Authorization", "Bearer tok-scheduler")
        .call()
        .expect("answers");
    assert_eq!(response.status().as_u16(), 200);
    let bytes = response.body_mut().read_to_vec().expect("body");
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("an xlsx");
    assert_eq!(
        book.sheet_names(),
        ["ningde", "jiaocheng", "mdt", "surgeries", "bookings"]
    );
    let bookings = book.worksheet_range("bookings").expect("sheet");
    assert_eq!(bookings.height(), 4, "a header and three bookings");
    let (status, csv) = server.call(
        "GET",
        &format!("/rosters/{roster}/export?format=csv&sheet=bookings"),
        Some("tok-agent"),
        None,
    );
    assert_eq!(status, 200);
    assert!(
        csv.as_str().expect("text").contains(",r-003,P-2233,"),
        "{csv}"
    );
    let (status, refused) = server.call(
        "GET",
        &format!("/rosters/{roster}/export?format=csv"),
        Some("tok-agent"),
        None,
    );
    assert_eq!(status, 422, "{refused}");
}
