//! Benchmarks live in `benches/`; this crate hosts them and the `solve-report` binary,
//! and shares the way they load the shipped instances (and, in [`service`], the way the
//! HTTP benchmarks run the real server).

use std::path::Path;

use houniao::Instance;

pub mod board;
pub mod service;

/// The shipped instances, smallest first.
pub const SHIPPED: [&str; 5] = [
    "example-week",
    "ningde-regional",
    "yangpu-studios",
    "fenghua-county",
    "beilun-oncology",
];

/// Reads a file of the workspace.
pub fn workspace_file(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A shipped instance by name (`instances/NAME.toml`).
pub fn shipped(name: &str) -> Instance {
    Instance::from_toml_str(&workspace_file(&format!("instances/{name}.toml")))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The call-centre setup shared by the `booking` benchmark and the `booking-report`
/// binary: the published beilun-oncology roster opened as a booking book, a seeded
/// series of bookings made through [`BookingBook::book_best`](houniao::booking::BookingBook::book_best), then a fixed, seeded mix
/// of search requests.
pub mod call_centre {
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use chrono::{DateTime, Duration as Days, NaiveDate, TimeZone, Utc};
    use houniao::booking::{BookingBook, Ledger, PatientRequest, SearchResult, SessionRef};
    use houniao::{Instance, Roster};

    use super::{shipped, workspace_file};

    /// The instance the call centre books against.
    pub const INSTANCE: &str = "beilun-oncology";
    /// Its published roster (`houniao solve instances/beilun-oncology.toml -o …`).
    pub const ROSTER: &str = "instances/rosters/beilun-oncology.roster.json";
    /// Call-centre bookings made before searches are timed.
    pub const BOOKINGS: usize = 2_000;
    /// Seed of the bookings.
    pub const BOOKING_SEED: u64 = 20_260_302;
    /// Seed of the search mix.
    pub const SEARCH_SEED: u64 = 20_261_202;
    /// Search requests of each kind in the mix.
    pub const PER_KIND: usize = 50;

    /// A 64-bit linear congruential generator (Knuth's MMIX constants): deterministic,
    /// good enough to spread requests over specialists, disciplines and windows.
    #[derive(Debug, Clone)]
    pub struct Lcg(u64);

    impl Lcg {
        /// A generator from a seed.
        pub fn new(seed: u64) -> Lcg {
            Lcg(seed)
        }

        /// The next 32 random bits (the high half of the state).
        pub fn next_u32(&mut self) -> u32 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 32) as u32
        }

        /// A number in `0..n` (`n` > 0).
        pub fn below(&mut self, n: usize) -> usize {
            ((u64::from(self.next_u32()) * n as u64) >> 32) as usize
        }

        /// One element of a non-empty slice.
        pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
            &items[self.below(items.len())]
        }
    }

    /// The kinds of search request in the mix.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    pub enum SearchKind {
        /// A named specialist, no substitute, who has a free place in the window.
        Named,
        /// A named specialist, substitute accepted (the discipline's sessions are ranked too).
        NamedSubstitute,
        /// A discipline with one to three allowed sites in order of preference.
        DisciplineSites,
        /// A named specialist, no substitute, whose sessions in the window are all full:
        /// reasons and alternatives are computed.
        Full,
    }

    impl SearchKind {
        /// Every kind, in the order of the mix.
        pub const ALL: [SearchKind; 4] = [
            SearchKind::Named,
            SearchKind::NamedSubstitute,
            SearchKind::DisciplineSites,
            SearchKind::Full,
        ];

        /// Its name in benchmark ids and reports.
        pub fn name(self) -> &'static str {
            match self {
                SearchKind::Named => "named",
                SearchKind::NamedSubstitute => "named-substitute",
                SearchKind::DisciplineSites => "discipline-sites",
                SearchKind::Full => "named-full",
            }
        }
    }

    /// The booking book after the bookings, and what making it took.
    #[derive(Debug)]
    pub struct Setup {
        /// The book, with [`Setup::bookings`] call-centre bookings in its ledger.
        pub book: BookingBook,
        /// Bookable (clinic and studio) sessions on the roster.
        pub sessions: usize,
        /// Free places on the roster when the book was opened.
        pub places_at_open: u32,
        /// Free places left after the bookings.
        pub places_left: u32,
        /// Bookings made (the target, [`BOOKINGS`], unless capacity ran out).
        pub bookings: usize,
        /// `book_best` calls made, including the ones that found no option.
        pub attempts: usize,
        /// Time to read the instance and the roster (TOML and JSON text to values).
        pub load_time: Duration,
        /// Time of `BookingBook::open` (roster check, index, empty ledger).
        pub open_time: Duration,
        /// Total time of the successful `book_best` calls.
        pub booked_time: Duration,
        /// Total time of the `book_best` calls that booked nothing.
        pub refused_time: Duration,
    }

    /// The published roster and its instance; panics with the command that makes the
    /// roster when it is missing.
    pub fn load() -> (Arc<Instance>, Roster) {
        let instance = Arc::new(shipped(INSTANCE));
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(ROSTER);
        assert!(
            path.exists(),
            "{ROSTER} is missing: run `houniao solve instances/{INSTANCE}.toml -o {ROSTER}`"
        );
        let roster = Roster::from_json_str(&workspace_file(ROSTER))
            .unwrap_or_else(|e| panic!("{ROSTER}: {e}"));
        (instance, roster)
    }

    /// The open dates of the book's horizon.
    fn open_dates(book: &BookingBook) -> Vec<NaiveDate> {
        book.instance().calendar.open_dates()
    }

    /// A window of one to all open days inside the horizon.
    fn window(random: &mut Lcg, dates: &[NaiveDate]) -> (NaiveDate, NaiveDate) {
        let first = random.below(dates.len());
        let last = first + random.below(dates.len() - first);
        (dates[first], dates[last])
    }

    /// One to three distinct sites, in a random order of preference.
    fn sites(random: &mut Lcg, instance: &Instance) -> Vec<String> {
        let mut ids: Vec<&str> = instance.sites.iter().map(|s| s.id.as_str()).collect();
        let count = 1 + random.below(3.min(ids.len()));
        (0..count)
            .map(|_| ids.remove(random.below(ids.len())).to_string())
            .collect()
    }

    /// Free places on the roster: every discipline searched over the whole horizon.
    pub fn free_places(book: &BookingBook) -> u32 {
        let (start, end) = book.horizon();
        book.instance()
            .disciplines()
            .into_iter()
            .map(|d| {
                book.search(&PatientRequest::for_discipline(d, start, end), usize::MAX)
                    .map(|r| r.options.iter().map(|o| o.places_left).sum::<u32>())
                    .unwrap_or(0)
            })
            .sum()
    }

    /// A booking request: half name a specialist (half of those accept a substitute),
    /// half ask for a discipline (a third of those with allowed sites).
    fn booking_request(
        random: &mut Lcg,
        instance: &Instance,
        dates: &[NaiveDate],
    ) -> PatientRequest {
        let (earliest, latest) = window(random, dates);
        if random.below(2) == 0 {
            let who = random.pick(&instance.specialists);
            PatientRequest {
                substitute_ok: random.below(2) == 0,
                ..PatientRequest::for_specialist(&who.id, earliest, latest)
            }
        } else {
            let disciplines = instance.disciplines();
            let discipline = random.pick(&disciplines);
            let mut request = PatientRequest::for_discipline(discipline, earliest, latest);
            if random.below(3) == 0 {
                request.sites = sites(random, instance);
            }
            request
        }
    }

    /// When the `n`-th booking is made: a minute apart from the Sunday before the horizon.
    pub fn booked_at(n: usize) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0)
            .single()
            .expect("a valid instant")
            + Days::minutes(n as i64)
    }

    /// Opens the book of the published roster and makes `target` call-centre bookings
    /// with `book_best`, skipping requests nothing can take. Stops early (with fewer
    /// bookings) only when the roster has no free place left or 100 requests in a row
    /// were refused after it filled up.
    pub fn setup(target: usize) -> Setup {
        let started = Instant::now();
        let (instance, roster) = load();
        let load_time = started.elapsed();
        let started = Instant::now();
        let mut book = BookingBook::open(Arc::clone(&instance), &roster, Ledger::new(INSTANCE))
            .unwrap_or_else(|e| panic!("{ROSTER}: {e}"));
        let open_time = started.elapsed();
        let places_at_open = free_places(&book);
        let dates = open_dates(&book);
        let mut random = Lcg::new(BOOKING_SEED);
        let (mut bookings, mut attempts, mut refused_in_a_row) = (0, 0, 0);
        let (mut booked_time, mut refused_time) = (Duration::ZERO, Duration::ZERO);
        while bookings < target {
            let request = booking_request(&mut random, &instance, &dates)
                .with_patient(&format!("P-{:05}", attempts + 1));
            let started = Instant::now();
            let outcome = book.book_best(&request, booked_at(attempts));
            let took = started.elapsed();
            attempts += 1;
            match outcome {
                Ok(_) => {
                    bookings += 1;
                    booked_time += took;
                    refused_in_a_row = 0;
                }
                Err(_) => {
                    refused_time += took;
                    refused_in_a_row += 1;
                    // Random requests find nothing once most places are gone; check the
                    // whole roster before giving up.
                    if refused_in_a_row >= 100 {
                        if free_places(&book) == 0 {
                            break;
                        }
                        refused_in_a_row = 0;
                    }
                }
            }
        }
        let places_left = free_places(&book);
        Setup {
            sessions: book.session_count(),
            book,
            places_at_open,
            places_left,
            bookings,
            attempts,
            load_time,
            open_time,
            booked_time,
            refused_time,
        }
    }

    /// The places left in each of a specialist's sessions in a window, for the sessions
    /// the roster holds.
    fn places_in_window(
        book: &BookingBook,
        specialist: &str,
        request: &PatientRequest,
    ) -> Vec<u32> {
        let sessions = &book.instance().calendar.sessions();
        open_dates(book)
            .into_iter()
            .filter(|date| *date >= request.earliest && *date <= request.latest)
            .flat_map(|date| {
                sessions.iter().filter_map(move |session| {
                    book.places_left_in(&SessionRef {
                        specialist: specialist.to_string(),
                        resource: None,
                        date,
                        session: session.id.clone(),
                    })
                    .ok()
                })
            })
            .collect()
    }

    /// A candidate request of a kind, and whether it has the kind's shape on this book.
    fn search_request(
        random: &mut Lcg,
        book: &BookingBook,
        dates: &[NaiveDate],
        kind: SearchKind,
    ) -> Option<PatientRequest> {
        let instance = book.instance();
        let (earliest, latest) = window(random, dates);
        let who = &random.pick(&instance.specialists).id;
        let named = PatientRequest::for_specialist(who, earliest, latest);
        match kind {
            SearchKind::Named => {
                let result = book.search(&named, SearchResult::DEFAULT_LIMIT).ok()?;
                result
                    .options
                    .first()
                    .is_some_and(|o| !o.substitute)
                    .then_some(named)
            }
            SearchKind::NamedSubstitute => Some(PatientRequest {
                substitute_ok: true,
                ..named
            }),
            SearchKind::DisciplineSites => {
                let disciplines = instance.disciplines();
                let discipline = random.pick(&disciplines);
                let mut request = PatientRequest::for_discipline(discipline, earliest, latest);
                request.sites = sites(random, instance);
                Some(request)
            }
            SearchKind::Full => {
                let places = places_in_window(book, who, &named);
                (!places.is_empty() && places.iter().all(|p| *p == 0)).then_some(named)
            }
        }
    }

    /// [`PER_KIND`] seeded requests of each kind, interleaved (one of each kind in
    /// [`SearchKind::ALL`] order, repeated). Candidates that do not have their kind's
    /// shape on this book are drawn again; a kind that cannot be found in 100,000
    /// draws is left with fewer.
    pub fn search_mix(book: &BookingBook) -> Vec<(SearchKind, PatientRequest)> {
        let dates = open_dates(book);
        let mut random = Lcg::new(SEARCH_SEED);
        let mut by_kind: Vec<Vec<PatientRequest>> = SearchKind::ALL
            .iter()
            .map(|kind| {
                (0..100_000)
                    .filter_map(|_| search_request(&mut random, book, &dates, *kind))
                    .take(PER_KIND)
                    .collect()
            })
            .collect();
        let mut mix = Vec::new();
        for _ in 0..PER_KIND {
            for (kind, requests) in SearchKind::ALL.iter().zip(by_kind.iter_mut()) {
                if !requests.is_empty() {
                    mix.push((*kind, requests.remove(0)));
                }
            }
        }
        mix
    }
}
