//! How long a call-centre search takes on the published beilun-oncology roster after
//! 2,000 call-centre bookings, per kind of request and over the seeded mix.
//!
//! Needs `instances/rosters/beilun-oncology.roster.json` (`houniao solve
//! instances/beilun-oncology.toml -o instances/rosters/beilun-oncology.roster.json`).
//!
//! Run: `cargo bench -p houniao-benches --bench booking`

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use houniao::booking::{PatientRequest, SearchResult};
use houniao_benches::call_centre::{BOOKINGS, SearchKind, search_mix, setup};

fn search(c: &mut Criterion) {
    let setup = setup(BOOKINGS);
    let mix = search_mix(&setup.book);
    let book = &setup.book;
    let mut group = c.benchmark_group(format!("search/beilun-{}-bookings", setup.bookings));
    let mut bench = |name: &str, requests: Vec<&PatientRequest>| {
        assert!(!requests.is_empty(), "no {name} request in the mix");
        group.bench_function(name, |b| {
            let mut next = requests.iter().cycle();
            b.iter(|| {
                let request = next.next().expect("a cycle never ends");
                book.search(black_box(request), SearchResult::DEFAULT_LIMIT)
                    .expect("valid request")
            })
        });
    };
    for kind in SearchKind::ALL {
        let requests = mix
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, r)| r)
            .collect();
        bench(kind.name(), requests);
    }
    bench("mix", mix.iter().map(|(_, r)| r).collect());
    group.finish();
}

criterion_group!(benches, search);
criterion_main!(benches);
