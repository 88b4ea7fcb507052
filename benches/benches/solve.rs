//! How long the optimizer takes: the greedy heuristic on every shipped instance, and
//! whole solves (greedy start + MILP on HiGHS) to optimality on the worked example and
//! to a proven 1% gap on ningde-regional and beilun-oncology.
//!
//! Run: `cargo bench -p houniao-benches --bench solve`
//! The model sizes, first-incumbent times and greedy-vs-MILP figures of
//! docs/performance.md come from `cargo run --release -p houniao-benches --bin solve-report`.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use houniao::solve::{SolveOptions, solve};
use houniao_benches::{SHIPPED, shipped};

fn greedy(c: &mut Criterion) {
    let mut group = c.benchmark_group("greedy");
    for name in SHIPPED {
        let instance = shipped(name);
        group.bench_function(name, |b| {
            b.iter(|| houniao::greedy::build(std::hint::black_box(&instance)).expect("greedy"))
        });
    }
    group.finish();
}

fn solves(c: &mut Criterion) {
    let mut group = c.benchmark_group("solve");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    for (name, gap) in [
        ("example-week", 1e-4),
        ("ningde-regional", 0.01),
        ("beilun-oncology", 0.01),
    ] {
        let instance = shipped(name);
        let options = SolveOptions {
            time_limit: 60.0,
            gap,
            ..SolveOptions::default()
        };
        group.bench_function(format!("{name}/gap-{gap}"), |b| {
            b.iter(|| {
                solve(&instance, options, &mut |_| {}, &AtomicBool::new(false)).expect("solves")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, greedy, solves);
criterion_main!(benches);
