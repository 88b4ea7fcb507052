//! How long reading + validating each shipped instance takes, and how long the
//! reference checker takes on the worked example's roster.
//!
//! Run: `cargo bench -p houniao-benches --bench check`

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use houniao::check::check;
use houniao::{Instance, Roster};
use houniao_benches::{SHIPPED, workspace_file};

fn validate(c: &mut Criterion) {
    let mut group = c.benchmark_group("validate");
    for name in SHIPPED {
        let text = workspace_file(&format!("instances/{name}.toml"));
        group.bench_function(name, |b| {
            b.iter(|| Instance::from_toml_str(std::hint::black_box(&text)).expect("valid"))
        });
    }
    group.finish();
}

fn check_example(c: &mut Criterion) {
    let instance =
        Instance::from_toml_str(&workspace_file("instances/example-week.toml")).expect("valid");
    let roster = Roster::from_json_str(&workspace_file("solver/tests/data/roster.example.json"))
        .expect("roster");
    c.bench_function("check/example-week", |b| {
        b.iter(|| check(&instance, std::hint::black_box(&roster)))
    });
}

criterion_group!(benches, validate, check_example);
criterion_main!(benches);
