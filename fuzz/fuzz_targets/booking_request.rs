//! Booking requests: any JSON body, searched, booked and waitlisted against Ningde's
//! published roster, must give an answer or a typed error, never a panic.
#![no_main]

use std::sync::{Arc, OnceLock};

use houniao::booking::{BookingBook, Ledger, PatientRequest};
use houniao::{Instance, Roster};
use libfuzzer_sys::fuzz_target;

fn ningde() -> &'static BookingBook {
    static BOOK: OnceLock<BookingBook> = OnceLock::new();
    BOOK.get_or_init(|| {
        let instance =
            Instance::from_toml_str(include_str!("../../instances/ningde-regional.toml"))
                .expect("Ningde is valid");
        let roster = Roster::from_json_str(include_str!(
            "../../instances/rosters/ningde-regional.roster.json"
        ))
        .expect("the roster parses");
        BookingBook::open(Arc::new(instance), &roster, Ledger::new("ningde-regional"))
            .expect("the roster is published")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(request) = serde_json::from_slice::<PatientRequest>(data) else {
        return;
    };
    let now = desk_clock();
    let mut book = ningde().clone();
    let _ = book.search(&request, 10);
    let _ = book.book_best(&request, now);
    let _ = book.join_waitlist(&request, now);
});

/// Mar 1 08:00 on the session clock, before the published week.
fn desk_clock() -> chrono::DateTime<chrono::Utc> {
    houniao::booking::from_session_clock(
        houniao::calendar::parse_date("2026-03-01")
            .unwrap_or_default()
            .and_hms_opt(8, 0, 0)
            .unwrap_or_default(),
    )
}
