//! How long a checked edit takes on the published beilun-oncology roster: one
//! drag-and-drop move (`houniao_benches::board::one_move`) applied to a draft and
//! judged by the reference checker with `houniao::edits::apply_edits`.
//!
//! Run: `cargo bench -p houniao-benches --bench edits`
//! (percentiles: `cargo run --release -p houniao-benches --bin edits-latency`)

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use houniao::edits::apply_edits;
use houniao_benches::board::{INSTANCE, load, one_move};

fn one_move_on_beilun(c: &mut Criterion) {
    let (instance, roster) = load();
    let edits = one_move(&instance, &roster);
    c.bench_function(&format!("edits/{INSTANCE}/one-move"), |b| {
        b.iter(|| apply_edits(&instance, &roster, black_box(&edits)).expect("the move applies"))
    });
}

criterion_group!(benches, one_move_on_beilun);
criterion_main!(benches);
