//! Prints the call-centre search figures of docs/performance.md: the published
//! beilun-oncology roster opened as a booking book, 2,000 seeded call-centre bookings
//! made with `book_best`, then 20,000 searches of the seeded request mix, each timed on
//! its own, as percentiles in microseconds (overall and per kind of request).
//!
//! Run: `cargo run --release -p houniao-benches --bin booking-report [-- SEARCHES]`
//! (SEARCHES: how many searches to time, default 20000).

use std::hint::black_box;
use std::time::{Duration, Instant};

use houniao::booking::SearchResult;
use houniao_benches::call_centre::{BOOKINGS, SearchKind, search_mix, setup};

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// The nearest-rank percentile of sorted samples.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn row(name: &str, samples: &mut [Duration]) {
    samples.sort_unstable();
    let mean = samples.iter().sum::<Duration>() / samples.len() as u32;
    let cells: Vec<String> = [50.0, 90.0, 99.0, 99.9]
        .iter()
        .map(|p| format!("{:.1}", micros(percentile(samples, *p))))
        .collect();
    println!(
        "| {name} | {} | {:.1} | {} | {:.1} |",
        samples.len(),
        micros(mean),
        cells.join(" | "),
        micros(*samples.last().expect("samples"))
    );
}

fn main() {
    let searches: usize = std::env::args()
        .nth(1)
        .map_or(20_000, |a| a.parse().expect("SEARCHES is a number"));
    let setup = setup(BOOKINGS);
    let booked = setup.bookings as u32;
    let refused = (setup.attempts - setup.bookings) as u32;
    println!("| setup | |");
    println!("|---|---|");
    println!("| bookable sessions on the roster | {} |", setup.sessions);
    println!(
        "| free places at publication / after the bookings | {} / {} |",
        setup.places_at_open, setup.places_left
    );
    println!(
        "| bookings made (target {BOOKINGS}) | {} in {} `book_best` calls |",
        setup.bookings, setup.attempts
    );
    println!(
        "| read instance + roster | {:.1} ms |",
        setup.load_time.as_secs_f64() * 1e3
    );
    println!(
        "| `BookingBook::open` | {:.1} ms |",
        setup.open_time.as_secs_f64() * 1e3
    );
    println!(
        "| `book_best`, per booking made (mean) | {:.1} µs |",
        micros(setup.booked_time / booked.max(1))
    );
    println!(
        "| `book_best`, per request refused (mean) | {:.1} µs |",
        micros(setup.refused_time / refused.max(1))
    );
    println!();

    let mix = search_mix(&setup.book);
    let book = &setup.book;
    // One untimed pass over the mix warms caches and the allocator.
    for (_, request) in &mix {
        black_box(
            book.search(request, SearchResult::DEFAULT_LIMIT)
                .expect("valid"),
        );
    }
    let mut all = Vec::with_capacity(searches);
    let mut by_kind: Vec<Vec<Duration>> = vec![Vec::new(); SearchKind::ALL.len()];
    for (kind, request) in mix.iter().cycle().take(searches) {
        let started = Instant::now();
        black_box(
            book.search(black_box(request), SearchResult::DEFAULT_LIMIT)
                .expect("valid"),
        );
        let took = started.elapsed();
        all.push(took);
        let slot = SearchKind::ALL
            .iter()
            .position(|k| k == kind)
            .expect("a kind");
        by_kind[slot].push(took);
    }
    println!(
        "{searches} searches of a mix of {} requests ({} bookings made), µs:",
        mix.len(),
        setup.bookings
    );
    println!();
    println!("| requests | searches | mean | p50 | p90 | p99 | p99.9 | max |");
    println!("|---|---|---|---|---|---|---|---|");
    row("mix", &mut all);
    for (kind, samples) in SearchKind::ALL.iter().zip(by_kind.iter_mut()) {
        if !samples.is_empty() {
            row(kind.name(), samples);
        }
    }
}
