//! Running what-if comparisons: the base instance and each scenario solved (several at
//! once, sharing the machine's cores with HiGHS's threads), each roster summed up in
//! [`Kpis`] and compared with the base roster.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use serde::Serialize;

use crate::instance::Instance;
use crate::kpi::{Difference, Kpis, difference, kpis};
use crate::roster::Roster;
use crate::schedule::Schedule;
use crate::solve::{SolveError, SolveOptions, SolveStatus, Stability, solve_near};

/// One instance to solve: the base or a scenario.
#[derive(Debug, Clone)]
pub struct Case {
    /// Its name in the table.
    pub name: String,
    /// The instance.
    pub instance: Instance,
}

/// How to run the comparison.
#[derive(Debug, Clone, Copy)]
pub struct WhatIfOptions {
    /// Solves at once.
    pub jobs: usize,
    /// Cores to share among them (each solve gets `cores / jobs` HiGHS threads, ≥ 1).
    pub cores: usize,
    /// Wall-clock seconds per solve.
    pub time_limit: f64,
    /// Relative gap at which a solve may stop.
    pub gap: f64,
    /// Solve each scenario close to the base roster, with the stability bonuses of
    /// re-planning ([`crate::repair::RepairWeights`] defaults), so that the differences
    /// count what the scenario forces to change rather than another equally good roster.
    pub near_base: bool,
}

/// The result for one case.
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    /// The case's name.
    pub name: String,
    /// How the solve ended.
    pub status: SolveStatus,
    /// Its key figures.
    pub kpis: Kpis,
    /// How its roster differs from the base roster (`None` for the base).
    pub differs_from_base: Option<Difference>,
    /// Wall seconds of its solve.
    pub seconds: f64,
    /// The roster.
    #[serde(skip)]
    pub roster: Roster,
}

/// Solves every case (the first is the base) and sums each up. A case whose instance
/// has no valid roster comes back as its error.
pub fn compare(cases: &[Case], options: WhatIfOptions) -> Vec<Result<CaseResult, SolveError>> {
    let never = AtomicBool::new(false);
    compare_watched(cases, options, &never, &|_, _| {})
        .into_iter()
        .map(|result| result.expect("without a cancel every case is solved"))
        .collect()
}

/// What [`compare_watched`] tells its watcher of each finished case: its position in
/// `cases` and its result.
pub type OnDone<'a> = &'a (dyn Fn(usize, &Result<CaseResult, SolveError>) + Sync);

/// [`compare`], watched and cancellable: `on_done` hears of each case as it finishes
/// (from the solving thread; with `near_base` the scenarios' differences from the base
/// are filled in by then, otherwise they may be filled in only in the answer). Setting
/// `cancel` stops the running solves, which return their best roster, and skips the
/// cases not started: those are `None`.
pub fn compare_watched(
    cases: &[Case],
    options: WhatIfOptions,
    cancel: &AtomicBool,
    on_done: OnDone<'_>,
) -> Vec<Option<Result<CaseResult, SolveError>>> {
    if !options.near_base || cases.len() < 2 {
        return compare_solved(cases, 0, options, None, cancel, on_done);
    }
    // The base first, with every core; then the scenarios near its roster.
    let alone = WhatIfOptions { jobs: 1, ..options };
    let mut results = compare_solved(&cases[..1], 0, alone, None, cancel, on_done);
    let base = results[0]
        .as_ref()
        .and_then(|r| r.as_ref().ok())
        .map(|b| b.roster.clone());
    let rest = compare_solved(&cases[1..], 1, options, base.as_ref(), cancel, on_done);
    results.extend(rest);
    results
}

/// Solves the cases `jobs` at a time (`first` is the position of `cases[0]` among all
/// cases, for `on_done`); near `reference` when given, and then compared with it.
/// Without a reference, differences from the first case are filled in at the end.
fn compare_solved(
    cases: &[Case],
    first: usize,
    options: WhatIfOptions,
    reference: Option<&Roster>,
    cancel: &AtomicBool,
    on_done: OnDone<'_>,
) -> Vec<Option<Result<CaseResult, SolveError>>> {
    let jobs = options.jobs.clamp(1, cases.len().max(1));
    let threads = (options.cores / jobs).max(1) as u32;
    let solve_options = SolveOptions {
        time_limit: options.time_limit,
        gap: options.gap,
        threads,
        ..SolveOptions::default()
    };
    let weights = crate::repair::RepairWeights::default();
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<CaseResult, SolveError>>>> =
        Mutex::new((0..cases.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                loop {
                    if cancel.load(Ordering::Relaxed) {
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(case) = cases.get(i) else { break };
                    let stability = reference.map(|base| Stability {
                        frozen_until: None,
                        reference: Schedule::from_roster(&case.instance, base),
                        keep_assignment: weights.keep_assignment,
                        keep_booking: weights.keep_booking,
                        held_bookings: Default::default(),
                    });
                    let outcome = solve_near(
                        &case.instance,
                        solve_options,
                        stability.as_ref(),
                        &mut |_| {},
                        cancel,
                    )
                    .map(|report| CaseResult {
                        name: case.name.clone(),
                        status: report.status,
                        kpis: kpis(&case.instance, &report.roster),
                        differs_from_base: reference.map(|base| difference(base, &report.roster)),
                        seconds: report.seconds,
                        roster: report.roster,
                    });
                    on_done(first + i, &outcome);
                    results.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(outcome);
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(|p| p.into_inner());
    if reference.is_none() {
        let base = results
            .first()
            .and_then(|r| r.as_ref())
            .and_then(|r| r.as_ref().ok())
            .map(|b| b.roster.clone());
        if let Some(base) = base {
            for result in results.iter_mut().skip(1).flatten().flatten() {
                result.differs_from_base = Some(difference(&base, &result.roster));
            }
        }
    }
    results
}
