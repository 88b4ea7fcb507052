//! Prints the checked-edit latency figures of docs/performance.md: one drag-and-drop
//! move on the published beilun-oncology roster (`houniao_benches::board::one_move`)
//! applied and judged with `houniao::edits::apply_edits`, timed run by run, as
//! percentiles in milliseconds; then the same for the parts of the work (the checker,
//! the objective recomputation, the unmet reasons).
//!
//! Run: `cargo run --release -p houniao-benches --bin edits-latency [-- RUNS]`
//! (RUNS: how many runs to time, default 1000).

use std::hint::black_box;
use std::time::{Duration, Instant};

use houniao::check::{check, evaluate};
use houniao::edits::apply_edits;
use houniao::reasons::explain_all;
use houniao_benches::board::{INSTANCE, load, one_move};

/// The nearest-rank percentile of sorted samples.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn timed(name: &str, runs: usize, mut work: impl FnMut()) {
    // Warm-up, so that the first runs do not pay for page faults and caches.
    for _ in 0..runs.min(50) {
        work();
    }
    let mut samples: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed()
        })
        .collect();
    samples.sort_unstable();
    let mean = samples.iter().sum::<Duration>() / samples.len() as u32;
    println!(
        "| {name} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} |",
        samples.len(),
        millis(mean),
        millis(percentile(&samples, 50.0)),
        millis(percentile(&samples, 90.0)),
        millis(percentile(&samples, 99.0)),
        millis(*samples.last().expect("samples"))
    );
}

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("RUNS is a number"))
        .unwrap_or(1000)
        .max(1);
    let (instance, roster) = load();
    let edits = one_move(&instance, &roster);
    let outcome = apply_edits(&instance, &roster, &edits).expect("the move applies");
    println!(
        "{INSTANCE}: {} assignments, {} bookings; move {}; draft breaks {:?}, objective delta {}",
        roster.assignments.len(),
        roster.bookings.len(),
        serde_json::to_string(&edits[0]).expect("json"),
        outcome.broken_rules(),
        outcome.objective_delta
    );
    println!();
    println!("| what | runs | mean ms | p50 ms | p90 ms | p99 ms | max ms |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    timed("apply_edits (one move)", runs, || {
        black_box(apply_edits(&instance, &roster, black_box(&edits)).expect("applies"));
    });
    let draft = outcome.draft;
    timed("check::check (draft)", runs, || {
        black_box(check(&instance, black_box(&draft)));
    });
    timed("check::evaluate (draft)", runs, || {
        black_box(evaluate(&instance, black_box(&draft)));
    });
    let (_, shortfalls) = evaluate(&instance, &draft);
    timed("reasons::explain_all (draft)", runs, || {
        black_box(explain_all(&instance, black_box(&draft), &shortfalls));
    });
}
