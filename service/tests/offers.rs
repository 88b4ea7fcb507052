//! Waitlist offers of freed places, as agents meet them: `houniao cancel` offering the
//! place, `houniao waitlist offers|accept|decline` with the desk's clock (`--at`) and
//! hold (`--offer-hold-minutes`); the same over HTTP, audited and counted in
//! `/metrics`; and `kill -9` between an offer and its acceptance losing nothing and
//! never giving one place twice.

#[allow(dead_code)] // each test crate uses its own part of the helpers
mod common;
#[allow(dead_code)]
#[path = "common/server.rs"]
mod harness;

use std::path::Path;
use std::process::Output;

use serde_json::{Value, json};

use common::{houniao, text};
use harness::Server;

const EXAMPLE: &str = "instances/example-week.toml";
const ROSTER: &str = "solver/tests/data/roster.example.json";
/// Xi Xiaowei's only session: 20 places, one taken by the roster's r-003.
const XI: &str = "xi-xiaowei@2026-03-03:am";

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// `houniao COMMAND EXAMPLE ROSTER --book LEDGER --at AT --offer-hold-minutes 30 REST`.
fn desk(command: &[&str], ledger: &str, at: &str, rest: &[&str]) -> Output {
    let mut args: Vec<&str> = command.to_vec();
    args.extend([
        EXAMPLE,
        ROSTER,
        "--book",
        ledger,
        "--at",
        at,
        "--offer-hold-minutes",
        "30",
    ]);
    args.extend(rest);
    houniao(&args)
}

fn xi_request<'a>(patient: &'a str, priority: &'a str) -> Vec<&'a str> {
    vec![
        "--patient",
        patient,
        "--specialist",
        "xi-xiaowei",
        "--from",
        "2026-03-03",
        "--to",
        "2026-03-03",
        "--priority",
        priority,
    ]
}

#[test]
fn the_cli_offers_a_cancelled_place_in_rank_order_and_expires_declines_and_accepts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ledger = dir.path().join("book.json");
    let ledger = path(&ledger);
    for n in 0..19 {
        let patient = format!("P-fill-{n}");
        let output = desk(
            &["book"],
            ledger,
            "2026-03-01T08:00",
            &xi_request(&patient, "1"),
        );
        assert!(output.status.success(), "{}", text(&output));
    }
    // w-0001 routine, joined first; w-0002 urgent, joined later: w-0002 ranks first.
    for (patient, priority, at) in [
        ("P-a", "1", "2026-03-01T08:00"),
        ("P-b", "4", "2026-03-01T08:10"),
    ] {
        let output = desk(
            &["waitlist", "add"],
            ledger,
            at,
            &xi_request(patient, priority),
        );
        assert!(output.status.success(), "{}", text(&output));
    }
    let cancelled = desk(&["cancel"], ledger, "2026-03-01T09:00", &["b-0001"]);
    assert!(cancelled.status.success(), "{}", text(&cancelled));
    assert!(
        stdout(&cancelled)
            .contains("offered o-0001 (xi-xiaowei@2026-03-03:am) to w-0002 until 2026-03-01 09:30"),
        "{}",
        text(&cancelled)
    );
    // The place is held: another patient's booking is refused, and search says why.
    let taken = desk(
        &["book"],
        ledger,
        "2026-03-01T09:10",
        &[xi_request("P-stranger", "5"), vec!["--option", XI]].concat(),
    );
    assert_eq!(taken.status.code(), Some(1), "{}", text(&taken));
    assert!(stdout(&taken).contains("taken:"), "{}", text(&taken));
    assert!(
        stdout(&taken).contains("offered to waitlisted patients until Mar 1 09:30"),
        "{}",
        text(&taken)
    );
    // Not answered by 09:30: listing expires it and offers the place to w-0001.
    let listed = desk(&["waitlist", "offers"], ledger, "2026-03-01T09:31", &[]);
    assert!(listed.status.success(), "{}", text(&listed));
    assert_eq!(
        stdout(&listed),
        "1 offer(s), 1 pending\n  offered o-0002 (xi-xiaowei@2026-03-03:am) to w-0001 until 2026-03-01 10:01\n"
    );
    let late = desk(
        &["waitlist", "decline"],
        ledger,
        "2026-03-01T09:32",
        &["o-0001"],
    );
    assert_eq!(late.status.code(), Some(1), "{}", text(&late));
    assert!(
        stdout(&late).contains("offer o-0001 is expired"),
        "{}",
        text(&late)
    );
    let accepted = desk(
        &["waitlist", "accept"],
        ledger,
        "2026-03-01T09:40",
        &["o-0002"],
    );
    assert!(accepted.status.success(), "{}", text(&accepted));
    assert_eq!(
        stdout(&accepted),
        "accepted o-0002: booked b-0020 in xi-xiaowei@2026-03-03:am; 0 place(s) left\n  taken off the waitlist: w-0001\n"
    );
    let again = desk(
        &["waitlist", "accept"],
        ledger,
        "2026-03-01T09:41",
        &["o-0002"],
    );
    assert_eq!(again.status.code(), Some(1), "{}", text(&again));
    let all = desk(
        &["waitlist", "offers"],
        ledger,
        "2026-03-01T09:42",
        &["--all", "--format", "json"],
    );
    let offers: Value = serde_json::from_slice(&all.stdout).expect("json");
    let states: Vec<(&str, &str)> = offers
        .as_array()
        .expect("offers")
        .iter()
        .map(|o| (o["entry"].as_str().unwrap(), o["state"].as_str().unwrap()))
        .collect();
    assert_eq!(states, [("w-0002", "expired"), ("w-0001", "accepted")]);
}

fn xi_body(patient: &str, priority: u8) -> Value {
    json!({
        "patient": patient,
        "specialist": "xi-xiaowei",
        "earliest": "2026-03-03",
        "latest": "2026-03-03",
        "priority": priority,
    })
}

/// Fills Xi Xiaowei's session (19 bookings) and waitlists two patients, the second
/// more urgent: the booking ids of the fillers.
fn full_session_with_waitlist(server: &Server, id: &str) -> Vec<String> {
    let fillers: Vec<String> = (0..19)
        .map(|n| {
            let (status, booked) = server.call(
                "POST",
                &format!("/instances/{id}/bookings"),
                Some("tok-agent"),
                Some(xi_body(&format!("P-fill-{n}"), 1)),
            );
            assert_eq!(status, 201, "{booked}");
            booked["booking"]["id"].as_str().expect("id").to_string()
        })
        .collect();
    for (patient, priority) in [("P-a", 1), ("P-b", 4)] {
        let (status, entry) = server.call(
            "POST",
            &format!("/instances/{id}/waitlist"),
            Some("tok-agent"),
            Some(xi_body(patient, priority)),
        );
        assert_eq!(status, 201, "{entry}");
    }
    fillers
}

fn stranger_books(server: &Server, id: &str, patient: &str) -> (u16, Value) {
    let mut body = xi_body(patient, 5);
    body["option"] = json!(XI);
    server.call(
        "POST",
        &format!("/instances/{id}/bookings"),
        Some("tok-agent"),
        Some(body),
    )
}

#[test]
fn offers_over_http_hold_the_place_pass_on_when_declined_and_are_audited_and_counted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let id = server.publish_example_roster();
    let fillers = full_session_with_waitlist(&server, &id);
    let (status, cancelled) = server.call(
        "DELETE",
        &format!("/instances/{id}/bookings/{}", fillers[0]),
        Some("tok-agent"),
        None,
    );
    assert_eq!(status, 200, "{cancelled}");
    let offer = &cancelled["offers"][0];
    assert_eq!(
        offer["entry"], "w-0002",
        "the urgent one first: {cancelled}"
    );
    assert_eq!(offer["state"], "pending");
    let (status, pending) = server.call(
        "GET",
        &format!("/instances/{id}/offers?state=pending"),
        Some("tok-agent"),
        None,
    );
    assert_eq!(status, 200, "{pending}");
    assert_eq!(pending.as_array().expect("list").len(), 1);
    assert_eq!(pending[0]["id"], "o-0001");
    let (status, taken) = stranger_books(&server, &id, "P-stranger");
    assert_eq!(
        (status, taken["error"].as_str()),
        (409, Some("taken")),
        "{taken}"
    );
    let (status, search) = server.call(
        "POST",
        &format!("/instances/{id}/search"),
        Some("tok-agent"),
        Some(xi_body("P-stranger", 5)),
    );
    assert_eq!(status, 200);
    assert!(
        search["reasons"]
            .as_array()
            .expect("reasons")
            .iter()
            .any(|r| r
                .as_str()
                .unwrap()
                .contains("offered to waitlisted patients")),
        "{search}"
    );

    let (status, declined) = server.call(
        "POST",
        &format!("/instances/{id}/offers/o-0001/decline"),
        Some("tok-agent"),
        None,
    );
    assert_eq!(status, 200, "{declined}");
    assert_eq!(declined["offer"]["state"], "declined");
    assert_eq!(declined["next"]["entry"], "w-0001");
    let next = declined["next"]["id"]
        .as_str()
        .expect("next offer")
        .to_string();
    let (status, accepted) = server.call(
        "POST",
        &format!("/instances/{id}/offers/{next}/accept"),
        Some("tok-agent"),
        None,
    );
    assert_eq!(status, 200, "{accepted}");
    assert_eq!(accepted["offer"]["state"], "accepted");
    assert_eq!(accepted["places_left"], 0);
    assert_eq!(accepted["left_waitlist"], json!(["w-0001"]));
    let (status, closed) = server.call(
        "POST",
        &format!("/instances/{id}/offers/{next}/accept"),
        Some("tok-agent"),
        None,
    );
    assert_eq!(
        (status, closed["error"].as_str()),
        (409, Some("offer_closed"))
    );
    let (status, unknown) = server.call(
        "POST",
        &format!("/instances/{id}/offers/o-0099/decline"),
        Some("tok-agent"),
        None,
    );
    assert_eq!(status, 404, "{unknown}");
    let (status, _) = server.call(
        "GET",
        &format!("/instances/{id}/offers?state=open"),
        Some("tok-agent"),
        None,
    );
    assert_eq!(status, 400);
    let (status, _) = server.call(
        "POST",
        &format!("/instances/{id}/offers/{next}/accept"),
        Some("tok-viewer"),
        None,
    );
    assert_eq!(status, 403);

    let (_, audit) = server.call("GET", "/audit", Some("tok-admin"), None);
    let lines: Vec<(&str, &str)> = audit
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or_default(),
                e["target"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    for line in [
        ("offer.made", "o-0001"),
        ("offer.declined", "o-0001"),
        ("offer.decline", "o-0001"),
        ("offer.made", next.as_str()),
        ("offer.accepted", next.as_str()),
        ("offer.accept", next.as_str()),
    ] {
        assert!(lines.contains(&line), "{line:?} not in {lines:?}");
    }
    let (_, metrics) = server.call("GET", "/metrics", Some("tok-admin"), None);
    let metrics = metrics.as_str().expect("text");
    for counted in [
        "houniao_offers_total{event=\"made\"} 2",
        "houniao_offers_total{event=\"declined\"} 1",
        "houniao_offers_total{event=\"accepted\"} 1",
    ] {
        assert!(metrics.contains(counted), "{counted} not in\n{metrics}");
    }
}

#[test]
fn kill_9_between_offer_and_accept_loses_nothing_and_never_gives_one_place_twice() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = Server::start_in(dir.path(), "");
    let id = server.publish_example_roster();
    let fillers = full_session_with_waitlist(&server, &id);
    let (status, cancelled) = server.call(
        "DELETE",
        &format!("/instances/{id}/bookings/{}", fillers[0]),
        Some("tok-agent"),
        None,
    );
    assert_eq!(status, 200, "{cancelled}");
    let offered = cancelled["offers"][0].clone();
    assert_eq!(offered["state"], "pending");
    // The cancellation and its offer were acknowledged: kill -9 right after.
    server.child.kill().expect("kill -9");
    let _ = server.child.wait();

    let restarted = Server::start_in(dir.path(), "");
    let (status, offers) = restarted.call(
        "GET",
        &format!("/instances/{id}/offers"),
        Some("tok-agent"),
        None,
    );
    assert_eq!(status, 200, "{offers}");
    assert_eq!(offers.as_array().expect("list").len(), 1, "{offers}");
    for field in [
        "id",
        "session",
        "entry",
        "offered_at",
        "expires_at",
        "state",
    ] {
        assert_eq!(offers[0][field], offered[field], "{field}");
    }
    let (status, bookings) = restarted.call(
        "GET",
        &format!("/instances/{id}/bookings?session={XI}"),
        Some("tok-agent"),
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(
        bookings.as_array().expect("list").len(),
        19,
        "the cancel held"
    );
    // Still held for w-0002: nobody else gets it, after the restart either.
    let (status, taken) = stranger_books(&restarted, &id, "P-stranger");
    assert_eq!(
        (status, taken["error"].as_str()),
        (409, Some("taken")),
        "{taken}"
    );
    let (status, accepted) = restarted.call(
        "POST",
        &format!("/instances/{id}/offers/o-0001/accept"),
        Some("tok-agent"),
        None,
    );
    assert_eq!(status, 200, "{accepted}");
    // Killed again after the acceptance: the booking and the closed offer hold.
    let mut restarted = restarted;
    restarted.child.kill().expect("kill -9");
    let _ = restarted.child.wait();
    let again = Server::start_in(dir.path(), "");
    let (_, bookings) = again.call(
        "GET",
        &format!("/instances/{id}/bookings?session={XI}"),
        Some("tok-agent"),
        None,
    );
    let bookings = bookings.as_array().expect("list");
    assert_eq!(bookings.len(), 20, "full, never over: {bookings:?}");
    assert_eq!(bookings.iter().filter(|b| b["patient"] == "P-b").count(), 1);
    let (status, _) = stranger_books(&again, &id, "P-stranger-2");
    assert_eq!(status, 409);
    let (status, closed) = again.call(
        "POST",
        &format!("/instances/{id}/offers/o-0001/accept"),
        Some("tok-agent"),
        None,
    );
    assert_eq!(
        (status, closed["error"].as_str()),
        (409, Some("offer_closed"))
    );
    let (_, offers) = again.call(
        "GET",
        &format!("/instances/{id}/offers?state=pending"),
        Some("tok-agent"),
        None,
    );
    assert_eq!(offers, json!([]));
}

#[test]
fn the_service_expires_an_unanswered_offer_by_itself_and_passes_the_place_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "offer_hold_minutes = 1");
    let id = server.publish_example_roster();
    let fillers = full_session_with_waitlist(&server, &id);
    let (status, cancelled) = server.call(
        "DELETE",
        &format!("/instances/{id}/bookings/{}", fillers[0]),
        Some("tok-agent"),
        None,
    );
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["offers"][0]["entry"], "w-0002");
    // Nobody touches the ledger: the ticker expires the offer after its minute and
    // offers the place to w-0001.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    let offers = loop {
        let (_, offers) = server.call(
            "GET",
            &format!("/instances/{id}/offers"),
            Some("tok-agent"),
            None,
        );
        if offers.as_array().is_some_and(|list| list.len() == 2) {
            break offers;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not passed on: {offers}"
        );
        std::thread::sleep(std::time::Duration::from_millis(500));
    };
    assert_eq!(offers[0]["state"], "expired");
    assert_eq!(offers[0]["closed_at"], offers[0]["expires_at"]);
    assert_eq!(
        (offers[1]["entry"].as_str(), offers[1]["state"].as_str()),
        (Some("w-0001"), Some("pending"))
    );
    let (_, audit) = server.call("GET", "/audit", Some("tok-admin"), None);
    assert!(
        audit
            .as_array()
            .expect("entries")
            .iter()
            .any(|e| e["action"] == "offer.expired" && e["actor"] == "houniao"),
        "{audit}"
    );
    // Written: a restart shows the same.
    drop(server);
    let restarted = Server::start_in(dir.path(), "offer_hold_minutes = 1");
    let (_, again) = restarted.call(
        "GET",
        &format!("/instances/{id}/offers"),
        Some("tok-agent"),
        None,
    );
    assert_eq!(again, offers);
}
