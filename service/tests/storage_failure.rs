//! A ledger write that fails (the database is locked by someone else for longer than
//! the service waits): the booking is refused with 503 `storage_failed`, that
//! instance's book takes no more changes until a restart (fail closed), other
//! instances keep booking once the database is free, and after a restart every
//! acknowledged booking is there and the refused one is not.

#[allow(dead_code)] // each test crate uses its own part of the helpers
mod common;
#[allow(dead_code)]
#[path = "common/server.rs"]
mod harness;

use serde_json::{Value, json};

use harness::Server;

fn book(server: &Server, instance: &str, patient: &str, discipline: &str) -> (u16, Value) {
    server.call(
        "POST",
        &format!("/instances/{instance}/bookings"),
        Some("tok-agent"),
        Some(json!({
            "patient": patient,
            "discipline": discipline,
            "earliest": "2026-03-02",
            "latest": "2026-03-06",
        })),
    )
}

/// The call centre's active bookings of an instance.
fn booking_ids(server: &Server, instance: &str) -> Vec<String> {
    let (status, list) = server.call(
        "GET",
        &format!("/instances/{instance}/bookings"),
        Some("tok-agent"),
        None,
    );
    assert_eq!(status, 200, "{list}");
    list.as_array()
        .expect("list")
        .iter()
        .filter(|b| b["origin"] == "call_centre")
        .filter_map(|b| b["id"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn a_failed_ledger_write_fails_that_book_closed_and_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = Server::start_in(dir.path(), "");
    let example = server.publish_example_roster();
    let ningde = server.publish_roster(
        "instances/ningde-regional.toml",
        "instances/rosters/ningde-regional.roster.json",
        None,
    );
    let (status, first) = book(&server, &example, "P-1", "medical-oncology");
    assert_eq!(status, 201, "{first}");
    let acknowledged = first["booking"]["id"].as_str().expect("id").to_string();

    // Someone else holds the database's write lock longer than the service waits.
    let mut intruder =
        rusqlite::Connection::open(dir.path().join("houniao.db")).expect("opens the database");
    let lock = intruder.transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive);
    let lock = lock.expect("takes the write lock");
    let (status, refused) = book(&server, &example, "P-2", "medical-oncology");
    assert_eq!(status, 503, "{refused}");
    assert_eq!(refused["error"], "storage_failed", "{refused}");
    lock.rollback().expect("lets go");

    // That book stays closed; another instance's book works on.
    let (status, again) = book(&server, &example, "P-3", "medical-oncology");
    assert_eq!(status, 503, "{again}");
    assert_eq!(again["error"], "storage_failed");
    let (status, elsewhere) = book(&server, &ningde, "P-4", "medical-oncology");
    assert_eq!(status, 201, "{elsewhere}");
    let ningde_booking = elsewhere["booking"]["id"].as_str().expect("id").to_string();
    assert!(
        server.log().contains("ledger write failed"),
        "{}",
        server.log()
    );

    // After a restart the acknowledged bookings are there, the refused one is not, and
    // the book takes bookings again.
    let _ = server.child.kill();
    let _ = server.child.wait();
    let restarted = Server::start_in(dir.path(), "");
    let stored = booking_ids(&restarted, &example);
    assert!(stored.contains(&acknowledged), "{stored:?}");
    assert_eq!(stored.len(), 1, "only the acknowledged booking: {stored:?}");
    assert!(booking_ids(&restarted, &ningde).contains(&ningde_booking));
    let (status, after) = book(&restarted, &example, "P-5", "medical-oncology");
    assert_eq!(status, 201, "{after}");
}
