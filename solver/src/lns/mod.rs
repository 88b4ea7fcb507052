//! The large-scale search: fix-and-optimize large-neighbourhood search over the exact
//! MILP, for instances whose monolithic model HiGHS cannot be trusted to finish
//! (docs/model.md § Large instances).
//!
//! One core runs the search: from the start roster, repeatedly free a neighbourhood
//! ([`neighbourhood`]), fix every other column to the incumbent, solve that sub-MIP on
//! HiGHS warm-started from the incumbent (feasible, so an immediate cutoff), keep
//! improvements, and grow the neighbourhoods after sub-solves that finish and shrink
//! them after those that hit their limit. Kinds of neighbourhood that improve are
//! chosen more often. The other core runs the whole MILP ([`bound`]) for a bound valid
//! for the whole model; the two exchange solutions, and the search stops when the bound
//! proves the incumbent within the asked gap.
//!
//! Under a work limit (a number of sub-solves, each limited in branch-and-bound nodes,
//! not seconds) and a seed, the roster depends on the input alone: the search then
//! ignores the full MILP's solutions, whose timing varies.

mod bound;
pub(crate) mod neighbourhood;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::instance::Instance;
use crate::milp::highs::{
    HighsError, HighsOptions, Listener, MilpStatus, Progress, Tuning, run_model,
};
use crate::milp::matrix::Matrix;
use crate::milp::{self, Model, ModelStats};
use crate::schedule::Schedule;
use bound::{Best, Shared, lock, run_full};
use neighbourhood::{Kind, Neighbourhoods};

/// Limits and switches of one search.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LnsSettings {
    /// When the solve started (progress reports seconds since then).
    pub started: Instant,
    /// Seconds for the search, counted from `started`.
    pub time_limit: f64,
    /// Relative gap at which to stop.
    pub gap: f64,
    /// Seed of the neighbourhood choices and of HiGHS.
    pub seed: u64,
    /// Number of sub-solves, each limited in nodes: a reproducible run.
    pub work_limit: Option<u64>,
}

/// How long a finished search waits for the bound thread to notice `stop`.
const BOUND_THREAD_GRACE: std::time::Duration = std::time::Duration::from_millis(300);

/// Branch-and-bound nodes per sub-solve under a work limit.
const NODES_PER_SUB_SOLVE: u64 = 500;

/// What the search found.
pub(crate) struct LnsOutcome {
    pub schedule: Schedule,
    /// The model's objective of the schedule.
    pub objective: f64,
    /// The start's objective in the model.
    pub start_objective: f64,
    /// The best lower bound of the whole model.
    pub bound: Option<f64>,
    /// The full MILP proved the schedule optimal (within the gap).
    pub proven: bool,
    pub stats: ModelStats,
    /// Sub-solves run, and of them those that improved the incumbent.
    pub neighbourhoods: u64,
    pub improvements: u64,
}

/// Progress of the search, for the caller's progress callback.
struct SearchProgress<'a> {
    started: Instant,
    report: &'a mut dyn FnMut(Progress),
    last: f64,
}

impl SearchProgress<'_> {
    fn send(&mut self, incumbent: f64, bound: Option<f64>, neighbourhoods: u64, force: bool) {
        let seconds = self.started.elapsed().as_secs_f64();
        if force || seconds - self.last >= 0.5 {
            self.last = seconds;
            (self.report)(Progress {
                seconds,
                incumbent: Some(incumbent),
                bound: bound.map(|b| b.max(0.0)),
                neighbourhoods,
            });
        }
    }
}

/// The listener of a sub-solve: stops with the search, reports the search's figures.
struct SubListener<'a, 'p> {
    progress: &'a mut SearchProgress<'p>,
    shared: &'a Mutex<Shared>,
    stop: &'a AtomicBool,
    cancel: &'a AtomicBool,
    incumbent: f64,
    neighbourhoods: u64,
}

impl Listener for SubListener<'_, '_> {
    fn progress(&mut self, _progress: Progress) {
        let bound = lock(self.shared).bound;
        self.progress
            .send(self.incumbent, bound, self.neighbourhoods, false);
    }
    fn should_stop(&self) -> bool {
        self.stop.load(Ordering::Relaxed) || self.cancel.load(Ordering::Relaxed)
    }
}

/// Adaptive weights of the neighbourhood kinds.
struct KindWeights {
    weights: Vec<f64>,
    tried: Vec<u64>,
    improved: Vec<u64>,
}

impl KindWeights {
    fn new() -> Self {
        KindWeights {
            weights: vec![1.0; Kind::ALL.len()],
            tried: vec![0; Kind::ALL.len()],
            improved: vec![0; Kind::ALL.len()],
        }
    }

    fn pick(&self, rng: &mut StdRng) -> usize {
        use rand::Rng;
        let total: f64 = self.weights.iter().sum();
        let mut pick = rng.random_range(0.0..total);
        for (k, weight) in self.weights.iter().enumerate() {
            pick -= weight;
            if pick <= 0.0 {
                return k;
            }
        }
        self.weights.len() - 1
    }

    fn record(&mut self, kind: usize, improved: bool, finished: bool) {
        let reward = match (improved, finished) {
            (true, _) => 3.0,
            (false, true) => 0.6,
            (false, false) => 0.2,
        };
        self.tried[kind] += 1;
        self.improved[kind] += u64::from(improved);
        self.weights[kind] = (0.8 * self.weights[kind] + 0.2 * reward).max(0.1);
    }
}

/// Seconds a sub-solve may take within a search of `time_limit` seconds.
fn sub_solve_seconds(time_limit: f64) -> f64 {
    (time_limit / 30.0).clamp(1.0, 5.0)
}

/// Runs the search from `start`. `None` when the start cannot be expressed in the
/// model (the caller then runs the plain MILP).
pub(crate) fn solve(
    instance: &Instance,
    mut model: Model,
    start: &Schedule,
    settings: LnsSettings,
    report: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<Option<LnsOutcome>, HighsError> {
    let started = settings.started;
    let stats = milp::stats(&model);
    let Some(start_values) = milp::start_values(instance, &model, start) else {
        return Ok(None);
    };
    let matrix = Arc::new(Matrix::from_model(instance, &mut model));
    let start_objective = matrix.objective_at(&start_values);
    let remaining = |started: &Instant| settings.time_limit - started.elapsed().as_secs_f64();
    let shared = Mutex::new(Shared {
        best: Best {
            objective: start_objective,
            values: std::sync::Arc::new(start_values.clone()),
            version: 1,
            from_full: false,
        },
        bound: None,
        finished: None,
    });
    let stop = AtomicBool::new(false);
    let trace = std::env::var_os("HOUNIAO_TRACE").is_some();
    let neighbourhoods = Neighbourhoods::new(instance, &matrix);
    let deterministic = settings.work_limit.is_some();
    let mut rng = StdRng::seed_from_u64(settings.seed);
    let binaries = matrix.bounds.iter().filter(|b| b.integer).count();
    let mut target = (binaries / 10).clamp(400.min(binaries.max(1)), 4000) as f64;
    let mut kinds = KindWeights::new();
    let mut incumbent = start_values.clone();
    let mut objective = start_objective;
    let mut tried: u64 = 0;
    let mut improvements: u64 = 0;
    let mut progress = SearchProgress {
        started,
        report,
        last: f64::NEG_INFINITY,
    };
    let full_tuning = Tuning {
        options: HighsOptions {
            time_limit: remaining(&started).max(0.0),
            gap: settings.gap,
            threads: 1,
            parallel_tree: false,
        },
        absolute_gap: None,
        max_nodes: None,
        seed: 7,
    };
    // The bound thread owns its data: HiGHS polls `stop` in every callback, but some of
    // its phases (presolve, the MILP's root LP) call back rarely, and a cancelled or
    // finished search must not wait for them. It is joined when it ends within
    // `BOUND_THREAD_GRACE`, otherwise left to end at its next callback or time limit.
    let shared = Arc::new(shared);
    let stop = Arc::new(stop);
    let ended = Arc::new(AtomicBool::new(false));
    let full = {
        let (matrix, shared, stop, ended) =
            (matrix.clone(), shared.clone(), stop.clone(), ended.clone());
        let start = start_values.clone();
        std::thread::spawn(move || {
            let result = run_full(&matrix, &start, &full_tuning, &shared, &stop);
            ended.store(true, Ordering::Release);
            result
        })
    };
    let full_result = {
        progress.send(objective, None, 0, true);
        let result = loop {
            if cancel.load(Ordering::Relaxed) || remaining(&started) <= 0.0 {
                break Ok(());
            }
            if settings.work_limit.is_some_and(|limit| tried >= limit) {
                break Ok(());
            }
            {
                let shared = lock(&shared);
                if !deterministic
                    && shared.best.from_full
                    && shared.best.objective < objective - 1e-6
                {
                    incumbent = shared.best.values.as_ref().clone();
                    objective = shared.best.objective;
                }
                // Under a work limit only an exact proof stops early: a roster within the
                // gap could still improve, and when the proof comes depends on timing.
                let gap = if deterministic { 1e-9 } else { settings.gap };
                let proven = shared.bound.is_some_and(|bound| {
                    let bound = matrix.round_bound_up(bound);
                    (objective - bound) / objective.abs().max(1.0) <= gap
                });
                let full_ended = shared
                    .finished
                    .as_ref()
                    .is_some_and(|run| run.status == MilpStatus::Optimal);
                if proven || (full_ended && !deterministic) {
                    break Ok(());
                }
            }
            let k = kinds.pick(&mut rng);
            let kind = Kind::ALL[k];
            let neighbourhood =
                neighbourhoods.choose(kind, target.round() as usize, &incumbent, &mut rng);
            let sub = matrix.sub_problem(&neighbourhood.free, &incumbent);
            let tuning = Tuning {
                options: HighsOptions {
                    time_limit: if deterministic {
                        remaining(&started).max(0.0)
                    } else {
                        sub_solve_seconds(settings.time_limit).min(remaining(&started).max(0.0))
                    },
                    gap: 0.0,
                    threads: 1,
                    parallel_tree: false,
                },
                absolute_gap: Some(1e-6),
                max_nodes: deterministic.then_some(NODES_PER_SUB_SOLVE),
                seed: (settings.seed.wrapping_add(tried) % (i32::MAX as u64)) as i32,
            };
            let mut listener = SubListener {
                progress: &mut progress,
                shared: &shared,
                stop: &stop,
                cancel,
                incumbent: objective,
                neighbourhoods: tried,
            };
            let run = match run_model(
                sub.model,
                sub.offset,
                Some(&sub.start),
                &tuning,
                &mut listener,
            ) {
                Ok(run) => run,
                Err(error) => break Err(error),
            };
            tried += 1;
            let mut improved = false;
            if let Some(values) = &run.values
                && run.objective.is_some_and(|o| o < objective - 1e-6)
            {
                let mut candidate = incumbent.clone();
                for (i, &column) in sub.columns.iter().enumerate() {
                    candidate[column] = if matrix.bounds[column].integer {
                        values[i].round()
                    } else {
                        values[i]
                    };
                }
                let value = matrix.objective_at(&candidate);
                if value < objective - 1e-6 && matrix.violation(&candidate) <= 1e-6 {
                    incumbent = candidate;
                    objective = value;
                    improved = true;
                    improvements += 1;
                    lock(&shared).offer(objective, incumbent.clone(), false);
                }
            }
            let finished = run.status == MilpStatus::Optimal;
            if trace {
                eprintln!(
                    "  #{tried} {:8} target {:6.0} free {:6} cols {:6} status {:?} improved {improved} obj {objective}",
                    neighbourhood.kind.name(),
                    target,
                    neighbourhood.binaries,
                    sub.columns.len(),
                    run.status,
                );
            }
            kinds.record(k, improved, finished);
            target = if finished {
                (target * 1.2).min(binaries as f64)
            } else {
                (target * 0.8).max(100.0)
            };
            let bound = lock(&shared).bound.map(|b| matrix.round_bound_up(b));
            progress.send(objective, bound, tried, improved);
        };
        stop.store(true, Ordering::Relaxed);
        let bound = lock(&shared).bound.map(|b| matrix.round_bound_up(b));
        progress.send(objective, bound, tried, true);
        let waiting = Instant::now();
        while !ended.load(Ordering::Acquire) && waiting.elapsed() < BOUND_THREAD_GRACE {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let full = if ended.load(Ordering::Acquire) {
            full.join()
                .unwrap_or_else(|_| Err(HighsError("the full MILP's thread panicked".into())))
        } else {
            Ok(())
        };
        result.and(full)
    };
    full_result?;
    if trace {
        for (k, kind) in Kind::ALL.iter().enumerate() {
            eprintln!(
                "{:8} tried {:4} improved {:4}",
                kind.name(),
                kinds.tried[k],
                kinds.improved[k]
            );
        }
    }
    let shared = lock(&shared);
    if !deterministic && shared.best.objective < objective - 1e-6 {
        incumbent = shared.best.values.as_ref().clone();
        objective = shared.best.objective;
    }
    // The incumbent's integers exactly (HiGHS's own solutions carry tolerances).
    for (value, b) in incumbent.iter_mut().zip(&matrix.bounds) {
        if b.integer {
            *value = value.round();
        }
    }
    let bound = shared
        .bound
        .map(|b| matrix.round_bound_up(b).min(objective));
    let proven = bound.is_some_and(|b| (objective - b) / objective.abs().max(1.0) <= settings.gap);
    Ok(Some(LnsOutcome {
        schedule: milp::extract_schedule(instance, &model, &incumbent),
        objective,
        start_objective,
        bound,
        proven,
        stats,
        neighbourhoods: tried,
        improvements,
    }))
}
