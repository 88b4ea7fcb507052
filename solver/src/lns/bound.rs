//! The whole model on the second core: HiGHS's branch and bound on the full MILP, for
//! the lower bound the search reports (its LP relaxation first, then the tree's dual
//! bound) — never a sub-problem's bound. Solutions travel both ways through
//! [`Shared`]: the search's improvements are handed to HiGHS as user solutions (a
//! better cutoff prunes more), and HiGHS's own improvements are offered to the search.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::milp::highs::{
    HighsError, HighsOptions, HighsRun, Listener, Progress, Tuning, run_lp, run_model,
};
use crate::milp::matrix::Matrix;

/// The best solution known to either thread.
#[derive(Clone)]
pub(super) struct Best {
    pub objective: f64,
    pub values: Arc<Vec<f64>>,
    /// Grows with every new best.
    pub version: u64,
    /// Found by the full MILP (not by the search).
    pub from_full: bool,
}

/// What the two threads share.
pub(super) struct Shared {
    pub best: Best,
    /// The best proven lower bound of the whole model.
    pub bound: Option<f64>,
    /// The full MILP's end, once it has ended.
    pub finished: Option<HighsRun>,
}

impl Shared {
    /// Raises the bound (bounds only grow).
    pub fn raise_bound(&mut self, bound: Option<f64>) {
        if let Some(bound) = bound {
            self.bound = Some(self.bound.map_or(bound, |b| b.max(bound)));
        }
    }

    /// Records a better solution; returns its version.
    pub fn offer(&mut self, objective: f64, values: Vec<f64>, from_full: bool) -> Option<u64> {
        if objective < self.best.objective - 1e-6 {
            self.best = Best {
                objective,
                values: Arc::new(values),
                version: self.best.version + 1,
                from_full,
            };
            Some(self.best.version)
        } else {
            None
        }
    }
}

/// Locks the shared state (a panicked thread leaves it usable: it holds plain data).
pub(super) fn lock(shared: &Mutex<Shared>) -> std::sync::MutexGuard<'_, Shared> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

struct FullListener<'a> {
    shared: &'a Mutex<Shared>,
    /// Set by the search when it ends (done, cancelled, out of time).
    stop: &'a AtomicBool,
    /// The version of the last solution handed to HiGHS or received from it.
    known: u64,
}

impl Listener for FullListener<'_> {
    fn progress(&mut self, progress: Progress) {
        lock(self.shared).raise_bound(progress.bound);
    }

    fn should_stop(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    fn improved(&mut self, objective: f64, values: &[f64]) {
        if let Some(version) = lock(self.shared).offer(objective, values.to_vec(), true) {
            self.known = version;
        }
    }

    fn wants_user_solutions(&self) -> bool {
        true
    }

    fn user_solution(&mut self) -> Option<Vec<f64>> {
        let shared = lock(self.shared);
        (shared.best.version > self.known && !shared.best.from_full).then(|| {
            self.known = shared.best.version;
            shared.best.values.as_ref().clone()
        })
    }
}

/// Above this many columns only the LP relaxation runs for the bound: HiGHS's branch
/// and bound would not finish its root in the time a user waits (measured on the
/// 600-specialist benchmark, docs/performance.md), and its presolve can be neither
/// interrupted nor afforded in memory beside the search.
const FULL_MILP_UP_TO_COLUMNS: usize = 500_000;

/// Runs the LP relaxation (for a first bound), then the full MILP from `start` until it ends, `stop` is set, or the
/// limit in `tuning` passes; records its end in `shared`.
pub(super) fn run_full(
    matrix: &Matrix,
    start: &[f64],
    tuning: &Tuning,
    shared: &Mutex<Shared>,
    stop: &AtomicBool,
) -> Result<(), HighsError> {
    let mut listener = FullListener {
        shared,
        stop,
        known: 0,
    };
    let started = std::time::Instant::now();
    let relaxation = run_lp(
        matrix.relaxation(),
        matrix.offset,
        "simplex",
        tuning.options,
        &mut listener,
    )?;
    if let Some(duals) = &relaxation.row_duals {
        let negated: Vec<f64> = duals.iter().map(|y| -y).collect();
        let bound = match (matrix.dual_bound(duals), matrix.dual_bound(&negated)) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        if std::env::var_os("HOUNIAO_TRACE").is_some() {
            eprintln!(
                "relaxation in {:.1} s: objective {:?}, bound from duals {bound:?}",
                started.elapsed().as_secs_f64(),
                relaxation.objective
            );
        }
        lock(shared).raise_bound(bound);
    }
    if listener.should_stop() || matrix.columns() > FULL_MILP_UP_TO_COLUMNS {
        return Ok(());
    }
    let tuning = Tuning {
        options: HighsOptions {
            time_limit: (tuning.options.time_limit - started.elapsed().as_secs_f64()).max(0.0),
            ..tuning.options
        },
        ..*tuning
    };
    let tuning = &tuning;
    let model = matrix.full_problem();
    let run = run_model(model, matrix.offset, Some(start), tuning, &mut listener)?;
    let mut shared = lock(shared);
    shared.raise_bound(run.bound);
    if let (Some(objective), Some(values)) = (run.objective, run.values.as_ref()) {
        shared.offer(objective, values.clone(), true);
    }
    shared.finished = Some(run);
    Ok(())
}
